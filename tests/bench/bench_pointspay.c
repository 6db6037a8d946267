/* bench_pointspay.c — what a points tender adds to a sale: cp_sale_pay of a 5-line member sale
 * paid by card against the same member and the same lines paid with as many points as may pay
 * and the rest by card, interleaved in one run on one database (each kind taking each place in
 * turn). The goal: the points sale costs at most 1.1 times the plain one. A third kind, on a
 * till offline from HQ, also counts the offline limits (the till is enrolled; the other kinds
 * have just reached HQ). A fourth kind takes a points-plus-cash offer (积分+现金) besides the same
 * lines and pays with points too: the goal holds for it against the plain sale as well. Two
 * modes: durable, as the
 * till runs (synchronous=FULL: the fsync dominates), and nosync (synchronous=OFF), which
 * leaves the work itself, so that what points add is not hidden by the disk. Beside the time
 * of each pay, the thread's CPU time (what a loaded machine does not inflate by making it wait
 * for a core) and the WAL frames the pay's commit wrote (counted with the WAL hook). */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench_common.h"
#include "cart.h"
#include "db.h"
#include "db_int.h"
#include "demo.h"
#include "offer.h"
#include "pointspay.h"
#include "sale.h"
#include "shift.h"
#include "staff.h"

#define GOAL 1.1
#define DEMO_MEMBERS 1000
#define DEMO_FIRST_SKU 10001
#define DEMO_ITEMS 51
#define SALE_LINES 5
#define WARM 100

enum kind { K_PLAIN, K_POINTS, K_OFFLINE, K_OFFER, NKINDS };
static const char *const kind_name[NKINDS] = {"plain", "points", "points_offline", "offer_points"};
/* The offer the offer_points kind takes: open to every tier, no limit, no stock kept, so that
 * any member may take it in every round. */
#define BENCH_OFFER "B-BENCH"

#define AUTOCHECKPOINT 1000 /* SQLite's default, which the WAL hook below keeps doing */

struct till {
	struct cp_db *db;
	struct cp_session who;
	struct cp_cart_view *view;
	char path[1024];
	int wal_frames;      /* frames in the WAL after the last commit */
	int64_t last_cpu_ns; /* of the last pay */
	int last_frames;     /* written by the last pay's commit */
};

static uint64_t rng_state = UINT64_C(0x706f696e7473);

/* Counts the WAL's frames and checkpoints as SQLite's auto-checkpoint would (this hook
 * replaces its own). */
static int wal_hook(void *ctx, sqlite3 *h, const char *name, int frames)
{
	struct till *t = ctx;

	t->wal_frames = frames;
	if (frames >= AUTOCHECKPOINT)
		sqlite3_wal_checkpoint(h, name);
	return SQLITE_OK;
}

static int fail(const char *what, const struct cp_errbuf *err, enum cp_err rc)
{
	fprintf(stderr, "bench_pointspay: %s: %s\n", what, cp_errmsg(err, rc));
	return -1;
}

static int exec(struct till *t, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(t->db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bench_pointspay: %s: %s\n", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int bench_offer_put(struct till *t)
{
	struct cp_offer o = {.points = 500, .cash = 990, .min_tier = 0, .limit = 0, .stock = -1};
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	snprintf(o.id, sizeof(o.id), "%s", BENCH_OFFER);
	snprintf(o.reward_kind, sizeof(o.reward_kind), "item");
	snprintf(o.sku, sizeof(o.sku), "%d", DEMO_FIRST_SKU + DEMO_ITEMS - 1);
	snprintf(o.name_zh, sizeof(o.name_zh), "500积分+9.90元");
	snprintf(o.name_en, sizeof(o.name_en), "500 points + 9.90");
	snprintf(o.valid_from, sizeof(o.valid_from), "2000-01-01");
	snprintf(o.valid_to, sizeof(o.valid_to), "2099-12-31");
	snprintf(o.period, sizeof(o.period), "ever");
	if ((rc = cp_offer_put(t->db, &o, &err)) != CP_OK)
		return fail("store the bench offer", &err, rc);
	return 0;
}

static int till_open(struct till *t, const char *dir)
{
	struct cp_db_options opt = {.path = t->path};
	struct cp_db_init init = {.store_id = "S001", .terminal_id = "T01", .force = true};
	struct cp_errbuf err = {{0}};
	bool opened = false;
	enum cp_err rc;

	snprintf(t->path, sizeof(t->path), "%s/bench_pointspay.db", dir);
	if (!(t->view = malloc(sizeof(*t->view))))
		return fail("cart view", NULL, CP_ENOMEM);
	if ((rc = cp_db_create(&t->db, &opt, &init, &err)) != CP_OK)
		return fail(t->path, &err, rc);
	if ((rc = cp_demo_seed(t->db, &err)) != CP_OK)
		return fail("seed the demo store", &err, rc);
	if ((rc = cp_staff_login(t->db, "1001", "1111", &t->who, NULL, &err)) != CP_OK)
		return fail("log in cashier 1001", &err, rc);
	/* as the till does at the demo store's first login: a shift to sell in (untimed) */
	if ((rc = cp_shift_demo_open(t->db, &t->who, &opened, &err)) != CP_OK)
		return fail("open the demo store's shift", &err, rc);
	/* balances that never run out, and offline limits that never stop the benchmark */
	t->db->pointspay.offline_member = INT64_C(1) << 50;
	t->db->pointspay.offline_terminal = INT64_C(1) << 50;
	t->db->pointspay.offline_max_hours = 87600;
	if (bench_offer_put(t))
		return -1;
	sqlite3_wal_hook(t->db->h, wal_hook, t);
	return exec(t, "UPDATE member SET points = 1000000000;"
		       "INSERT INTO meta(key, value) VALUES('hq_url', 'https://127.0.0.1:1')");
}

/* The till is enrolled with HQ; HQ was reached an hour ago (offline) or just now (online). */
static int set_offline(struct till *t, bool offline)
{
	char sql[200];

	snprintf(sql, sizeof(sql), "UPDATE sync_state SET last_success = %lld WHERE id = 1",
		 (long long)(cp_db_now(t->db) - (offline ? 3600 * 1000 : 0)));
	return exec(t, sql);
}

/* Rings up member and the five lines of skus/qty (untimed commits), and takes the bench offer
 * when offer is set; fills the tenders: card for all, or the most points may pay and card for
 * the rest. */
static int prepare(struct till *t, const char *member, const int *skus, const int *qty, bool points,
		   bool offer, struct cp_tender *tn, int *n)
{
	struct cp_errbuf err = {{0}};
	struct cp_pointspay_quote q;
	char sku[16];
	enum cp_err rc;

	if ((rc = cp_cart_set_member(t->db, &t->who, member, &err)) != CP_OK)
		return fail("attach member", &err, rc);
	for (int i = 0; i < SALE_LINES; i++) {
		snprintf(sku, sizeof(sku), "%d", skus[i]);
		if ((rc = cp_cart_scan(t->db, &t->who, sku, qty[i], NULL, &err)) != CP_OK)
			return fail("scan", &err, rc);
	}
	if (offer && (rc = cp_cart_add_offer(t->db, &t->who, BENCH_OFFER, NULL, &err)) != CP_OK)
		return fail("take the bench offer", &err, rc);
	if ((rc = cp_cart_view(t->db, &t->who, t->view, &err)) != CP_OK)
		return fail("view the cart", &err, rc);
	memset(tn, 0, 2 * sizeof(*tn));
	*n = 0;
	if (points) {
		if ((rc = cp_pointspay_quote(t->db, t->view, &q, &err)) != CP_OK)
			return fail("quote", &err, rc);
		if (q.max_fen <= 0) {
			fprintf(stderr, "bench_pointspay: points cannot pay: %s\n", q.limit);
			return -1;
		}
		tn[*n].method = CP_TENDER_POINTS;
		tn[(*n)++].amount = q.max_fen;
	}
	tn[*n].method = CP_TENDER_CARD;
	tn[*n].amount = t->view->total - (points ? tn[0].amount : 0);
	(*n)++;
	return 0;
}

static int pay(struct till *t, const struct cp_tender *tn, int n, int64_t *ns, bool points)
{
	struct cp_errbuf err = {{0}};
	struct cp_sale_result r;
	int before = t->wal_frames;
	int64_t c0 = cp_bench_cpu_ns(), t0 = cp_bench_now_ns();
	enum cp_err rc = cp_sale_pay(t->db, &t->who, tn, n, &r, &err);

	*ns = cp_bench_now_ns() - t0;
	t->last_cpu_ns = cp_bench_cpu_ns() - c0;
	/* a commit that restarted the WAL counts from zero */
	t->last_frames = t->wal_frames >= before ? t->wal_frames - before : t->wal_frames;
	if (rc != CP_OK)
		return fail("pay", &err, rc);
	if (points != (r.points_spent > 0)) {
		fprintf(stderr, "bench_pointspay: the sale did not spend points as it should\n");
		return -1;
	}
	return 0;
}

/* One sale of kind k with the given lines: prepared, then paid (timed). */
static int one(struct till *t, enum kind k, const char *member, const int *skus, const int *qty,
	       int64_t *ns)
{
	struct cp_tender tn[2];
	int n;

	if (set_offline(t, k == K_OFFLINE) ||
	    prepare(t, member, skus, qty, k != K_PLAIN, k == K_OFFER, tn, &n))
		return -1;
	return pay(t, tn, n, ns, k != K_PLAIN);
}

/* Per kind: each timed pay's time and CPU time, and the WAL frames of all of them. */
struct results {
	int64_t *ns[NKINDS], *cpu[NKINDS];
	double frames[NKINDS];
};

/* n rounds (after WARM untimed ones) of one sale of each kind with the same member and lines. */
static int run_mode(struct till *t, int n, struct results *res)
{
	for (int k = 0; k < NKINDS; k++)
		res->frames[k] = 0;
	for (int i = -WARM; i < n; i++) {
		char member[16];
		int skus[SALE_LINES], qty[SALE_LINES];
		int64_t d[NKINDS], c[NKINDS];
		int f[NKINDS];

		snprintf(member, sizeof(member), "M%06d",
			 (int)(cp_bench_rnd(&rng_state) % DEMO_MEMBERS) + 1);
		for (int j = 0; j < SALE_LINES; j++) {
			bool again;

			do {
				skus[j] = DEMO_FIRST_SKU +
					  (int)(cp_bench_rnd(&rng_state) % DEMO_ITEMS);
				again = false;
				for (int m = 0; m < j; m++)
					again |= skus[m] == skus[j];
			} while (again);
			qty[j] = (int)(cp_bench_rnd(&rng_state) % 3) + 1;
		}
		/* each kind takes each place in turn */
		for (int s = 0; s < NKINDS; s++) {
			enum kind k = (enum kind)((s + (i < 0 ? 0 : i)) % NKINDS);

			if (one(t, k, member, skus, qty, &d[k]))
				return -1;
			c[k] = t->last_cpu_ns;
			f[k] = t->last_frames;
		}
		if (i >= 0)
			for (int k = 0; k < NKINDS; k++) {
				res->ns[k][i] = d[k];
				res->cpu[k][i] = c[k];
				res->frames[k] += f[k];
			}
	}
	return 0;
}

static void report(const char *mode, int n, struct results *res)
{
	double med[NKINDS], p99[NKINDS], cmed[NKINDS];

	printf("mode %s\n%-16s %7s %9s %9s %9s %9s %9s %7s\n", mode, "kind", "n", "median", "p90",
	       "p99", "max", "cpu-med", "frames");
	for (int k = 0; k < NKINDS; k++) {
		int64_t *ns = res->ns[k];

		qsort(ns, (size_t)n, sizeof(int64_t), cp_bench_cmp_i64);
		qsort(res->cpu[k], (size_t)n, sizeof(int64_t), cp_bench_cmp_i64);
		med[k] = cp_bench_pct_us(ns, n, 0.5);
		p99[k] = cp_bench_pct_us(ns, n, 0.99);
		cmed[k] = cp_bench_pct_us(res->cpu[k], n, 0.5);
		printf("%-16s %7d %9.1f %9.1f %9.1f %9.1f %9.1f %7.2f\n", kind_name[k], n, med[k],
		       cp_bench_pct_us(ns, n, 0.9), p99[k], ns[n - 1] / 1e3, cmed[k],
		       res->frames[k] / n);
		printf("BENCH pointspay mode=%s kind=%s n=%d median_us=%.1f p90_us=%.1f "
		       "p99_us=%.1f max_us=%.1f cpu_median_us=%.1f frames=%.2f\n",
		       mode, kind_name[k], n, med[k], cp_bench_pct_us(ns, n, 0.9), p99[k],
		       ns[n - 1] / 1e3, cmed[k], res->frames[k] / n);
	}
	for (int k = K_POINTS; k < NKINDS; k++) {
		printf("ratio %s/plain: median %.3f, p99 %.3f, CPU time median %.3f (goal median "
		       "<= "
		       "%.1f: %s)\n",
		       kind_name[k], med[k] / med[K_PLAIN], p99[k] / p99[K_PLAIN],
		       cmed[k] / cmed[K_PLAIN], GOAL,
		       med[k] / med[K_PLAIN] <= GOAL ? "met" : "NOT met");
		printf("BENCH pointspay mode=%s ratio kind=%s median=%.3f p99=%.3f cpu_median=%.3f "
		       "goal=%.1f met=%d\n",
		       mode, kind_name[k], med[k] / med[K_PLAIN], p99[k] / p99[K_PLAIN],
		       cmed[k] / cmed[K_PLAIN], GOAL, med[k] / med[K_PLAIN] <= GOAL);
	}
}

int main(int argc, char **argv)
{
	const char *dir = ".";
	int n = 500, rc = 1;
	struct till t = {0};
	struct results res = {{0}};

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			n = (int)strtol(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "usage: bench_pointspay [--dir DIR] [-n SALES-PER-KIND]\n");
			return 2;
		}
	}
	if (n < 10 || n > 1000000) {
		fprintf(stderr, "bench_pointspay: -n must be 10 to 1000000\n");
		return 2;
	}
	for (int k = 0; k < NKINDS; k++)
		if (!(res.ns[k] = calloc((size_t)n, sizeof(int64_t))) ||
		    !(res.cpu[k] = calloc((size_t)n, sizeof(int64_t))))
			goto out;
	if (till_open(&t, dir))
		goto out;
	printf("bench_pointspay: %d sales of each kind per mode, interleaved, after %d warm-up "
	       "rounds; microseconds of cp_sale_pay\n",
	       n, WARM);
	for (int mode = 0; mode < 2; mode++) {
		const char *mname = mode == 0 ? "durable" : "nosync";

		if (mode == 1 && exec(&t, "PRAGMA synchronous = OFF"))
			goto out;
		if (run_mode(&t, n, &res))
			goto out;
		report(mname, n, &res);
	}
	rc = 0;
out:
	cp_db_close(t.db);
	free(t.view);
	if (t.path[0]) {
		static const char *const sfx[] = {"", "-wal", "-shm"};
		char p[1100];

		for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
			snprintf(p, sizeof(p), "%s%s", t.path, sfx[i]);
			unlink(p);
		}
	}
	for (int k = 0; k < NKINDS; k++) {
		free(res.ns[k]);
		free(res.cpu[k]);
	}
	return rc;
}
