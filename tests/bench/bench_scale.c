/* bench_scale.c — the till at the size of a year (issue 14): one database with the demo store,
 * --members generated members (1,000,000) and --sales sales (10,000, 100,000 or 550,000, a
 * year of a busy store), and at that size the sale, a member lookup, a start, the day's tally
 * and verify, so that run.sh can put the sizes side by side and show how each cost grows.
 *
 * How the database is made (cached in --dir, like bench_lookup's members-1m.db): a demo store
 * and the members, written with cp_member_put_snapshot in transactions of 50,000 (phones
 * 14xxxxxxxxx, cards 77xxxxxxxx, so they never meet the demo store's), kept as
 * scale-base-M.db; then, on a copy, the first 1,000 sales (a random demo member, two to four
 * lines, a card tender) through the cart and cp_sale_pay, and the rest their payloads again
 * with a new receipt number and business day through cp_journal_record (its apply writes the
 * same view rows the pay's does), 5,000 to a transaction — not through the pay, which would
 * take hours. The clock moves 57 s a sale: 1,500 sales a business day, so 550,000 sales span
 * a year. SQLite's flushes are skipped while building (bench_journal.c's fsync and
 * fdatasync); every figure is taken with them.
 *
 * What is timed, on the cached database (the measured sales stay in it), after reading the file
 * once (in the page cache, as on a till that has been running):
 *   start   cp_db_open and the first cp_member_find_by_phone of a random member, warm, median;
 *   lookup  cp_member_find_by_phone for random generated members (none with pending
 *           movements) and cp_member_find_by_card for random demo members (the regulars, with
 *           every sale's movement still unacknowledged), p50 and p99;
 *   tally   cp_report_tally of the newest business day (about 1,500 sales), wall and thread
 *           CPU time, median and max;
 *   pay     cp_sale_pay of a sale rung up untimed, against a one-row durable commit on a
 *           second database in the same directory, interleaved (each first in turn), with a
 *           checkpoint after each (as the till does between sales), medians and their ratio;
 *   verify  cp_journal_verify in a child process: wall and CPU time, peak RSS. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench_common.h"
#include "bench_journal.h"
#include "db.h"
#include "db_int.h"
#include "demo.h"
#include "member.h"
#include "phone.h"
#include "report.h"

#define DEMO_MEMBERS 1000
#define STEP_MS 57000 /* 1,500 sales a day: 550,000 in a year */
#define TEMPLATES 1000
#define BATCH 5000
#define MEMBER_BATCH 50000
#define MAX_SAMPLES 1000000

static uint64_t rng_state = 0x7363616c65;

static int fail(const char *what, const struct cp_errbuf *err, enum cp_err rc)
{
	return cp_bench_fail("bench_scale", what, err, rc);
}

/* Generated member i (0-based): phones 14xxxxxxxxx, cards 77xxxxxxxx. */
static void member_phone(long i, char out[CP_PHONE_LEN + 1])
{
	cp_bench_member_phone("14", i, out);
}

static int put_member(struct cp_db *db, long i)
{
	struct cp_bench_member m;
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	cp_bench_member_make("G", "14", "77", i, &m);
	m.s.tier_level = (int)(i % 3);
	if ((rc = cp_member_put_snapshot(db, &m.s, &err)) != CP_OK)
		return fail("store a member", &err, rc);
	return 0;
}

/* Records sales again from the first ones until the store has made sales sales. */
static int clone_until(struct cp_db *db, int64_t sales)
{
	struct cp_bench_clone c = {.db = db,
				   .prog = "bench_scale",
				   .unit = "sales",
				   .have = cp_bench_one_int(db, "SELECT count(*) FROM sale"),
				   .until = sales,
				   .step_ms = STEP_MS,
				   .templates = TEMPLATES,
				   .min_templates = 1,
				   .batch = BATCH,
				   .report_every = 50000};

	return cp_bench_clone_until(&c);
}

/* Moves tmp to path when ok; removes what is left of tmp either way. */
static int finish(const char *tmp, const char *path, int ok, double t0)
{
	if (ok == 0 && rename(tmp, path) != 0) {
		fprintf(stderr, "bench_scale: rename %s: %s\n", tmp, strerror(errno));
		ok = -1;
	}
	if (ok == 0) {
		char p[PATH_MAX + 16];
		FILE *f;

		fprintf(stderr, "bench_scale: built %s in %.0f s\n", path, cp_bench_now_s() - t0);
		snprintf(p, sizeof(p), "%s.built", path);
		if ((f = fopen(p, "w"))) {
			fprintf(f, "%.0f\n", cp_bench_now_s() - t0);
			fclose(f);
		}
	}
	cp_bench_remove_db(tmp);
	return ok;
}

/* The demo store and the generated members, built when missing. */
static int build_base(const char *path, long members)
{
	char tmp[PATH_MAX + 16];
	struct cp_db_options opt = {
		.path = tmp, .clock = &cp_bench_fake_clock, .pbkdf2_iterations = 1000};
	struct cp_db_init init = {.store_id = "S001", .terminal_id = "T01", .force = true};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	struct stat sb;
	double t0 = cp_bench_now_s();
	enum cp_err rc = CP_OK;
	int result = -1;

	if (stat(path, &sb) == 0)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.building", path);
	cp_bench_remove_db(tmp);
	fprintf(stderr, "bench_scale: building %s (%ld members)\n", path, members);
	cp_bench_no_flush = true;
	if ((rc = cp_db_create(&db, &opt, &init, &err)) != CP_OK) {
		fail(tmp, &err, rc);
		goto out;
	}
	if ((rc = cp_demo_seed(db, &err)) != CP_OK) {
		fail("seed the demo store", &err, rc);
		goto out;
	}
	for (long i = 0; i < members;) {
		if ((rc = cp_db_begin(db, &err)) != CP_OK) {
			fail("begin", &err, rc);
			goto out;
		}
		for (long end = i + MEMBER_BATCH; i < members && i < end; i++)
			if (put_member(db, i)) {
				cp_db_rollback(db);
				goto out;
			}
		if ((rc = cp_db_commit(db, &err)) != CP_OK) {
			fail("commit the members", &err, rc);
			goto out;
		}
		fprintf(stderr, "bench_scale: %ld members, %.0f s\n", i, cp_bench_now_s() - t0);
	}
	if ((rc = cp_db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", &err)) != CP_OK) {
		fail("checkpoint", &err, rc);
		goto out;
	}
	result = 0;
out:
	cp_db_close(db);
	cp_bench_no_flush = false;
	return finish(tmp, path, result, t0);
}

/* A copy of the base with sales sales, built when missing. */
static int build_sales(const char *base, const char *path, int64_t sales, double *secs)
{
	char tmp[PATH_MAX + 16];
	struct cp_errbuf err = {{0}};
	struct cp_session who;
	struct cp_db *db = NULL;
	struct stat sb;
	double t0 = cp_bench_now_s();
	int64_t total, first = sales < TEMPLATES ? sales : TEMPLATES;
	int result = -1;

	*secs = 0;
	if (stat(path, &sb) == 0)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.building", path);
	cp_bench_remove_db(tmp);
	fprintf(stderr, "bench_scale: building %s (%" PRId64 " sales)\n", path, sales);
	if (cp_bench_copy_file("bench_scale", base, tmp))
		goto out;
	cp_bench_no_flush = true;
	if (cp_bench_open("bench_scale", tmp, 0, &db))
		goto out;
	cp_bench_clock_after(db, STEP_MS);
	if (cp_bench_login("bench_scale", db, &who))
		goto out;
	for (int64_t i = 0; i < first; i++)
		if (cp_bench_ring_up("bench_scale", db, &who, &rng_state, STEP_MS, &total) ||
		    cp_bench_pay("bench_scale", db, &who, total))
			goto out;
	if (clone_until(db, sales) ||
	    cp_db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", &err) != CP_OK)
		goto out;
	result = 0;
out:
	cp_db_close(db);
	cp_bench_no_flush = false;
	*secs = cp_bench_now_s() - t0;
	return finish(tmp, path, result, t0);
}

/* Opens the database and finds a random generated member, n times: wall time of each, ms. */
static int measure_start(const char *path, long members, int n, struct cp_bench_stats *s)
{
	int64_t *ns = calloc((size_t)n, sizeof(*ns));
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};
	char phone[CP_PHONE_LEN + 1];
	int result = -1;

	if (!ns)
		return -1;
	for (int i = 0; i < n; i++) {
		struct cp_db *db = NULL;
		int64_t t0;
		enum cp_err rc;

		member_phone((long)(cp_bench_rnd(&rng_state) % (uint64_t)members), phone);
		t0 = cp_bench_now_ns();
		if (cp_bench_open("bench_scale", path, -1, &db))
			goto out;
		rc = cp_member_find_by_phone(db, phone, &v, &err);
		ns[i] = cp_bench_now_ns() - t0;
		cp_db_close(db);
		if (rc != CP_OK) {
			fail("find a member at start", &err, rc);
			goto out;
		}
	}
	cp_bench_stats(ns, n, s);
	result = 0;
out:
	free(ns);
	return result;
}

/* Random generated members by phone (kind 0) and demo members by card (kind 1), interleaved. */
static int measure_lookup(struct cp_db *db, long members, int n, struct cp_bench_stats *gen,
			  struct cp_bench_stats *regular)
{
	int64_t *a = calloc((size_t)n, sizeof(*a)), *b = calloc((size_t)n, sizeof(*b));
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};
	char phone[CP_PHONE_LEN + 1], card[24];
	int result = -1;

	if (!a || !b)
		goto out;
	for (int i = 0; i < n; i++) {
		int64_t t0;
		enum cp_err rc;

		member_phone((long)(cp_bench_rnd(&rng_state) % (uint64_t)members), phone);
		snprintf(card, sizeof(card), "88%08d",
			 (int)(cp_bench_rnd(&rng_state) % DEMO_MEMBERS) + 1);
		t0 = cp_bench_now_ns();
		rc = cp_member_find_by_phone(db, phone, &v, &err);
		a[i] = cp_bench_now_ns() - t0;
		if (rc != CP_OK) {
			fail("find a generated member", &err, rc);
			goto out;
		}
		t0 = cp_bench_now_ns();
		rc = cp_member_find_by_card(db, card, &v, &err);
		b[i] = cp_bench_now_ns() - t0;
		if (rc != CP_OK) {
			fail("find a demo member by card", &err, rc);
			goto out;
		}
	}
	cp_bench_stats(a, n, gen);
	cp_bench_stats(b, n, regular);
	result = 0;
out:
	free(a);
	free(b);
	return result;
}

/* The tally of the last whole business day (the one before the newest), n times: wall and
 * thread CPU time. */
static int measure_tally(struct cp_db *db, int n, char day[32], struct cp_bench_stats *wall,
			 struct cp_bench_stats *cpu, int64_t *day_sales)
{
	int64_t *w = calloc((size_t)n, sizeof(*w)), *c = calloc((size_t)n, sizeof(*c));
	struct cp_tally *t = malloc(sizeof(*t));
	struct cp_errbuf err = {{0}};
	int result = -1;

	if (!w || !c || !t)
		goto out;
	cp_bench_day(db, INT64_C(86400000), day);
	for (int i = 0; i < n; i++) {
		int64_t t0 = cp_bench_now_ns(), c0 = cp_bench_cpu_ns();
		enum cp_err rc = cp_report_tally(db, day, t, &err);

		c[i] = cp_bench_cpu_ns() - c0;
		w[i] = cp_bench_now_ns() - t0;
		if (rc != CP_OK) {
			fail("tally", &err, rc);
			goto out;
		}
	}
	*day_sales = t->sales.count;
	cp_bench_stats(w, n, wall);
	cp_bench_stats(c, n, cpu);
	result = 0;
out:
	free(w);
	free(c);
	free(t);
	return result;
}

static int exec_sql(sqlite3 *h, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(h, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	fprintf(stderr, "bench_scale: %s: %s\n", sql, msg ? msg : "");
	sqlite3_free(msg);
	return -1;
}

/* One durable one-row commit on the baseline database. */
static int base_commit(sqlite3 *h, sqlite3_stmt *ins)
{
	if (exec_sql(h, "BEGIN IMMEDIATE"))
		return -1;
	sqlite3_bind_int64(ins, 1, (int64_t)cp_bench_rnd(&rng_state));
	if (sqlite3_step(ins) != SQLITE_DONE) {
		sqlite3_reset(ins);
		exec_sql(h, "ROLLBACK");
		return -1;
	}
	sqlite3_reset(ins);
	return exec_sql(h, "COMMIT");
}

/* cp_sale_pay against a one-row durable commit, interleaved, each first in turn; a checkpoint
 * after each (the baseline then restarts its WAL with an untimed commit, as the till's next
 * first scan does). */
static int measure_pay(struct cp_db *db, const char *dir, int n, struct cp_bench_stats *sale,
		       struct cp_bench_stats *base)
{
	int64_t *a = calloc((size_t)n, sizeof(*a)), *b = calloc((size_t)n, sizeof(*b));
	char path[PATH_MAX];
	sqlite3 *h = NULL;
	sqlite3_stmt *ins = NULL;
	struct cp_session who;
	int result = -1;

	snprintf(path, sizeof(path), "%s/scale-baseline.db", dir);
	cp_bench_remove_db(path);
	if (!a || !b || sqlite3_open(path, &h) != SQLITE_OK ||
	    exec_sql(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA "
			"foreign_keys=ON; PRAGMA busy_timeout=5000; PRAGMA wal_autocheckpoint=-1;"
			"CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER)") ||
	    sqlite3_prepare_v2(h, "INSERT INTO t(v) VALUES(?1)", -1, &ins, NULL) != SQLITE_OK)
		goto out;
	if (cp_bench_login("bench_scale", db, &who))
		goto out;
	for (int i = -20; i < n; i++) { /* 20 untimed rounds first */
		int64_t total, t0, ts = 0, tb = 0;

		if (cp_bench_ring_up("bench_scale", db, &who, &rng_state, STEP_MS, &total))
			goto out;
		for (int k = 0; k < 2; k++) {
			if ((k == 0) == (i % 2 == 0)) {
				t0 = cp_bench_now_ns();
				if (cp_bench_pay("bench_scale", db, &who, total))
					goto out;
				ts = cp_bench_now_ns() - t0;
			} else {
				t0 = cp_bench_now_ns();
				if (base_commit(h, ins))
					goto out;
				tb = cp_bench_now_ns() - t0;
			}
		}
		cp_db_checkpoint(db);
		sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		if (base_commit(h, ins))
			goto out;
		if (i >= 0) {
			a[i] = ts;
			b[i] = tb;
		}
	}
	cp_bench_stats(a, n, sale);
	cp_bench_stats(b, n, base);
	result = 0;
out:
	sqlite3_finalize(ins);
	sqlite3_close(h);
	cp_bench_remove_db(path);
	free(a);
	free(b);
	return result;
}

/* How long building path took, from path.built (-1 when unknown). */
static double built_s(const char *path)
{
	char p[PATH_MAX + 16];
	double s = -1;
	FILE *f;

	snprintf(p, sizeof(p), "%s.built", path);
	if ((f = fopen(p, "r"))) {
		if (fscanf(f, "%lf", &s) != 1)
			s = -1;
		fclose(f);
	}
	return s;
}

static void usage(void)
{
	fputs("usage: bench_scale --dir DIR [--sales N] [--members N] [--pays N] [--lookups N]"
	      " [--starts N] [--tallies N] [--no-verify] [--build-only]\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	char base[PATH_MAX], path[PATH_MAX], day[32], load[64];
	long sales = 10000, members = 1000000, pays = 200, lookups = 20000, starts = 10,
	     tallies = 10;
	bool do_verify = true, build_only = false;
	struct cp_bench_stats st, gen, reg, tw, tc, ps, pb;
	struct cp_db *db = NULL;
	struct stat sb;
	double build_s, vs = 0, vcpu = 0, vmib = 0;
	int64_t day_sales = 0, nsales, rows;

	if (argc == 3 && strcmp(argv[1], "--child-verify") == 0)
		return cp_bench_verify_child("bench_scale", argv[2], STEP_MS, NULL);
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(argv[i], "--no-verify") == 0 || strcmp(argv[i], "--build-only") == 0) {
			do_verify = false;
			build_only = build_only || strcmp(argv[i], "--build-only") == 0;
			continue;
		}
		if (strcmp(argv[i], "--dir") == 0 && v)
			dir = v;
		else if (!((strcmp(argv[i], "--sales") == 0 &&
			    cp_bench_parse_long(v, 1, 10000000, &sales)) ||
			   (strcmp(argv[i], "--members") == 0 &&
			    cp_bench_parse_long(v, 1, 10000000, &members)) ||
			   (strcmp(argv[i], "--pays") == 0 &&
			    cp_bench_parse_long(v, 1, MAX_SAMPLES, &pays)) ||
			   (strcmp(argv[i], "--lookups") == 0 &&
			    cp_bench_parse_long(v, 1, MAX_SAMPLES, &lookups)) ||
			   (strcmp(argv[i], "--starts") == 0 &&
			    cp_bench_parse_long(v, 1, 1000, &starts)) ||
			   (strcmp(argv[i], "--tallies") == 0 &&
			    cp_bench_parse_long(v, 1, 1000, &tallies))))
			usage();
		i++;
	}
	if (!dir)
		usage();
	snprintf(base, sizeof(base), "%s/scale-base-%ld.db", dir, members);
	snprintf(path, sizeof(path), "%s/scale-%ld-%ld.db", dir, members, sales);
	if (build_base(base, members) || build_sales(base, path, sales, &build_s))
		return 1;
	if (build_only)
		return 0;
	cp_bench_loadavg(load, sizeof(load));
	if (stat(path, &sb) != 0)
		return 1;
	cp_bench_warm_file(path);
	if (measure_start(path, members, (int)starts, &st))
		return 1;
	if (cp_bench_open("bench_scale", path, -1, &db))
		return 1;
	cp_bench_clock_after(db, STEP_MS);
	nsales = cp_bench_one_int(db, "SELECT count(*) FROM sale");
	rows = cp_bench_one_int(db, "SELECT max(seq) FROM journal");
	printf("BENCH scale sales=%ld members=%ld kind=size have_sales=%" PRId64
	       " journal_rows=%" PRId64 " bytes=%lld build_s=%.0f base_build_s=%.0f load=%s\n",
	       sales, members, nsales, rows, (long long)sb.st_size, built_s(path), built_s(base),
	       load);
	printf("BENCH scale sales=%ld members=%ld kind=start n=%d p50_ms=%.3f p90_ms=%.3f"
	       " max_ms=%.3f\n",
	       sales, members, st.n, st.p50_us / 1e3, st.p90_us / 1e3, st.max_us / 1e3);
	fflush(stdout);
	if (measure_lookup(db, members, (int)lookups, &gen, &reg))
		goto fail;
	printf("BENCH scale sales=%ld members=%ld kind=lookup n=%d p50_us=%.1f p99_us=%.1f"
	       " max_us=%.1f\n",
	       sales, members, gen.n, gen.p50_us, gen.p99_us, gen.max_us);
	printf("BENCH scale sales=%ld members=%ld kind=lookup-regular n=%d p50_us=%.1f"
	       " p99_us=%.1f max_us=%.1f\n",
	       sales, members, reg.n, reg.p50_us, reg.p99_us, reg.max_us);
	fflush(stdout);
	if (measure_tally(db, (int)tallies, day, &tw, &tc, &day_sales))
		goto fail;
	printf("BENCH scale sales=%ld members=%ld kind=tally day=%s day_sales=%" PRId64
	       " n=%d p50_ms=%.3f max_ms=%.3f cpu_p50_ms=%.3f cpu_max_ms=%.3f\n",
	       sales, members, day, day_sales, tw.n, tw.p50_us / 1e3, tw.max_us / 1e3,
	       tc.p50_us / 1e3, tc.max_us / 1e3);
	fflush(stdout);
	if (measure_pay(db, dir, (int)pays, &ps, &pb))
		goto fail;
	cp_bench_loadavg(load, sizeof(load));
	printf("BENCH scale sales=%ld members=%ld kind=pay n=%d median_us=%.1f p99_us=%.1f"
	       " base_median_us=%.1f base_p99_us=%.1f ratio_median=%.2f load=%s\n",
	       sales, members, ps.n, ps.p50_us, ps.p99_us, pb.p50_us, pb.p99_us,
	       pb.p50_us > 0 ? ps.p50_us / pb.p50_us : 0, load);
	fflush(stdout);
	cp_db_checkpoint(db);
	cp_db_close(db);
	db = NULL;
	if (do_verify) {
		if (cp_bench_verify_run("bench_scale", argv[0], path, &vs, &vcpu, &vmib))
			return 1;
		rows = 0;
		if (cp_bench_open("bench_scale", path, -1, &db) == 0) {
			rows = cp_bench_one_int(db, "SELECT max(seq) FROM journal");
			cp_db_close(db);
		}
		cp_bench_loadavg(load, sizeof(load));
		printf("BENCH scale sales=%ld members=%ld kind=verify journal_rows=%" PRId64
		       " seconds=%.2f cpu_s=%.2f max_rss_mib=%.1f load=%s\n",
		       sales, members, rows, vs, vcpu, vmib, load);
	}
	return 0;
fail:
	cp_db_close(db);
	return 1;
}
