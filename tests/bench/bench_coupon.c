/* bench_coupon.c — checking a coupon among 1,000,000 known coupons: cp_coupon_parse (the check
 * character) and cp_coupon_find (the coupon, its state from this till's uses and HQ's feed,
 * and its template) for a random known code, against a bare primary-key SELECT of the same row
 * in the same run, interleaved; and for codes nobody issued (this till's prefix: "no such
 * coupon" without asking about the network). 900,000 coupons came from HQ's feed (other
 * tills), 100,000 were issued here, a fifth of those used. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench_common.h"
#include "coupon.h"
#include "db.h"
#include "db_int.h"
#include "demo.h"

#define GOAL_P99_US 100.0
#define KNOWN 900000
#define ISSUED 100000

static uint64_t rng_state = 16;

static void exec(sqlite3 *h, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bench_coupon: %s: %s\n", sql, msg ? msg : "");
		exit(1);
	}
}

/* Coupon i's code: prefix (another till's for HQ's coupons, ours for our own), 7 characters
 * from i, and the check character. */
static void code_of(int i, const char prefix[5], char out[CP_COUPON_CODE_LEN + 1])
{
	uint64_t v = (uint64_t)i * UINT64_C(2654435761) + 7;

	memcpy(out, prefix, 4);
	for (int k = 0; k < 7; k++) {
		out[4 + k] = CP_COUPON_ALPHABET[v % 31];
		v /= 31;
	}
	out[11] = cp_coupon_check_char(out, 11);
	out[12] = '\0';
}

static void fill(struct cp_db *db, const char *own)
{
	sqlite3_stmt *known, *issued, *used;
	char code[CP_COUPON_CODE_LEN + 1];

	exec(db->h, "PRAGMA foreign_keys=OFF; BEGIN");
	if (sqlite3_prepare_v2(
		    db->h,
		    "INSERT INTO coupon_known(code, template_id, member_id, valid_from,"
		    " valid_to, state) VALUES(?1, ?2, ?3, '2025-01-01', '2030-12-31', ?4)",
		    -1, &known, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->h,
			       "INSERT INTO coupon_issue(code, seq, n, template_id, member_id,"
			       " valid_from, valid_to, threshold, source) VALUES(?1, ?2, 1, ?3, ?4,"
			       " '2025-01-01', '2030-12-31', 10000, 'sale')",
			       -1, &issued, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->h,
			       "INSERT INTO coupon_use(seq, code, kind, fen) VALUES(?1, ?2, 'use',"
			       " 500)",
			       -1, &used, NULL) != SQLITE_OK)
		cp_bench_die("prepare the fill", NULL);
	for (int i = 0; i < KNOWN + ISSUED; i++) {
		static const char *const tmpl[] = {"C-MJ20", "C-FRESH10", "C-BAG", "C-5OFF30"};
		char member[16];
		bool ours = i >= KNOWN;

		code_of(i, ours ? own : "ZZZZ", code);
		snprintf(member, sizeof(member), "M%06d",
			 1 + (int)(cp_bench_rnd(&rng_state) % 1000));
		if (!ours) {
			sqlite3_bind_text(known, 1, code, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(known, 2, tmpl[i % 4], -1, SQLITE_STATIC);
			sqlite3_bind_text(known, 3, member, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(known, 4, i % 5 ? "open" : "used", -1, SQLITE_STATIC);
			if (sqlite3_step(known) != SQLITE_DONE)
				cp_bench_die("insert a known coupon", NULL);
			sqlite3_reset(known);
			continue;
		}
		sqlite3_bind_text(issued, 1, code, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(issued, 2, 1000000 + i);
		sqlite3_bind_text(issued, 3, tmpl[i % 4], -1, SQLITE_STATIC);
		sqlite3_bind_text(issued, 4, member, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(issued) != SQLITE_DONE)
			cp_bench_die("insert an issued coupon", NULL);
		sqlite3_reset(issued);
		if (i % 5 == 0) {
			sqlite3_bind_int64(used, 1, 2000000 + i);
			sqlite3_bind_text(used, 2, code, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(used) != SQLITE_DONE)
				cp_bench_die("insert a use", NULL);
			sqlite3_reset(used);
		}
	}
	sqlite3_finalize(known);
	sqlite3_finalize(issued);
	sqlite3_finalize(used);
	exec(db->h, "COMMIT; PRAGMA foreign_keys=ON; ANALYZE");
}

struct run {
	int64_t *t;
	int n;
};

static void report(const char *kind, struct run *r)
{
	struct cp_bench_stats st;

	cp_bench_stats(r->t, r->n, &st);
	printf("%-12s %7d %8.1f %8.1f %8.1f %8.1f %8.1f\n", kind, st.n, st.p50_us, st.p90_us,
	       st.p99_us, st.max_us, st.mean_us);
	printf("BENCH coupon kind=%s n=%d p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f "
	       "mean_us=%.1f\n",
	       kind, st.n, st.p50_us, st.p90_us, st.p99_us, st.max_us, st.mean_us);
}

/* n checks of random known codes, each followed by the bare SELECT of its row; then n checks
 * of codes nobody issued. */
static void measure(struct cp_db *db, sqlite3_stmt *bare, const char *own, int n, struct run *r)
{
	struct cp_coupon_info info;
	struct cp_errbuf err = {{0}};
	char text[CP_COUPON_CODE_LEN + 1], code[CP_COUPON_CODE_LEN + 1];

	for (int i = 0; i < n; i++) {
		int k = (int)(cp_bench_rnd(&rng_state) % (KNOWN + ISSUED));
		int64_t t0, t1, c0;

		code_of(k, k >= KNOWN ? own : "ZZZZ", text);
		c0 = cp_bench_cpu_ns();
		t0 = cp_bench_now_ns();
		if (cp_coupon_parse(text, code) != CP_COUPON_SHAPE_OK ||
		    cp_coupon_find(db, code, &info, &err) != CP_OK)
			cp_bench_die("check a known coupon", &err);
		t1 = cp_bench_now_ns();
		r[2].t[r[2].n++] = cp_bench_cpu_ns() - c0;
		r[0].t[r[0].n++] = t1 - t0;
		t0 = cp_bench_now_ns();
		sqlite3_bind_text(bare, 1, code, -1, SQLITE_STATIC);
		if (sqlite3_step(bare) != SQLITE_ROW)
			cp_bench_die("bare select", NULL);
		sqlite3_reset(bare);
		t1 = cp_bench_now_ns();
		r[1].t[r[1].n++] = t1 - t0;
	}
	for (int i = 0; i < n; i++) {
		int64_t t0;

		code_of(KNOWN + ISSUED + 1 + (int)(cp_bench_rnd(&rng_state) % 1000000), own, text);
		t0 = cp_bench_now_ns();
		if (cp_coupon_parse(text, code) != CP_COUPON_SHAPE_OK ||
		    cp_coupon_find(db, code, &info, &err) != CP_ENOTFOUND)
			cp_bench_die("check an unknown coupon", &err);
		r[3].t[r[3].n++] = cp_bench_now_ns() - t0;
	}
}

int main(int argc, char **argv)
{
	const char *dir = ".";
	int n = 100000;
	char own[5];
	struct cp_db *db;
	sqlite3_stmt *bare;
	struct run r[4];
	int64_t t0;

	cp_bench_args(argc, argv, 1000000, &dir, &n);
	db = cp_bench_demo_store(dir, "coupons.db");
	cp_coupon_prefix("S001", "T01", own);
	t0 = cp_bench_now_ns();
	fill(db, own);
	fprintf(stderr, "bench_coupon: %d coupons stored in %.1f s\n", KNOWN + ISSUED,
		(cp_bench_now_ns() - t0) / 1e9);
	for (int i = 0; i < 4; i++) {
		r[i].t = calloc((size_t)n, sizeof(int64_t));
		r[i].n = 0;
		if (!r[i].t)
			cp_bench_die("out of memory", NULL);
	}
	if (sqlite3_prepare_v2(
		    db->h,
		    "SELECT template_id, member_id, valid_from, valid_to FROM coupon_known"
		    " WHERE code = ?1 UNION ALL SELECT template_id, member_id, valid_from,"
		    " valid_to FROM coupon_issue WHERE code = ?1",
		    -1, &bare, NULL) != SQLITE_OK)
		cp_bench_die("prepare", NULL);
	measure(db, bare, own, n / 10, r); /* warm-up */
	for (int i = 0; i < 4; i++)
		r[i].n = 0;
	measure(db, bare, own, n, r);
	printf("%d coupons (%d from HQ's feed, %d issued here, a fifth used); %d checks each;"
	       " microseconds\n",
	       KNOWN + ISSUED, KNOWN, ISSUED, n);
	printf("%-12s %7s %8s %8s %8s %8s %8s\n", "what", "n", "p50", "p90", "p99", "max", "mean");
	report("check", &r[0]);
	report("bare", &r[1]);
	report("cpu", &r[2]);
	report("unknown", &r[3]);
	printf("BENCH coupon goal_p99_us=%.0f met=%s\n", GOAL_P99_US,
	       cp_bench_pct_us(r[0].t, r[0].n, 0.99) <= GOAL_P99_US ? "yes" : "no");
	sqlite3_finalize(bare);
	cp_db_close(db);
	for (int i = 0; i < 4; i++)
		free(r[i].t);
	return 0;
}
