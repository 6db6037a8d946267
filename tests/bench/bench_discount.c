/* bench_discount.c — pricing a 50-line cart on attach: the demo store's 钻石 member (5% off
 * except tobacco and items on offer, beside the items' member prices) and a manual discount of
 * the whole sale, priced line by line whenever the cart is read. Times, interleaved in the same
 * run: **plain** = cp_cart_view of the 50 lines without a member (the baseline: reading and
 * pricing at list prices); **member** = cp_cart_view of the same cart with the member attached
 * (member prices, the tier's discount, the manual discount spread to the fen); **attach** =
 * cp_cart_set_member (a write transaction and its commit) then cp_cart_view, what the cashier
 * waits for. Each timed view follows an untimed one. Goal: member p99 under 1 ms. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_common.h"
#include "cart.h"
#include "db.h"
#include "demo.h"
#include "discount.h"
#include "staff.h"

#define LINES 50

struct run {
	const char *kind;
	int64_t *t;
	int n;
	double p50, p99;
};

static void report(struct run *r)
{
	struct cp_bench_stats st;

	cp_bench_stats(r->t, r->n, &st);
	r->p50 = st.p50_us;
	r->p99 = st.p99_us;
	printf("%-8s %6d %9.1f %9.1f %9.1f %9.1f %9.1f\n", r->kind, st.n, st.p50_us, st.p90_us,
	       st.p99_us, st.max_us, st.mean_us);
	printf("BENCH discount kind=%s n=%d p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f "
	       "mean_us=%.1f\n",
	       r->kind, st.n, st.p50_us, st.p90_us, st.p99_us, st.max_us, st.mean_us);
}

int main(int argc, char **argv)
{
	static struct cp_cart_view v;
	const char *dir = ".";
	int n = 2000;
	char sku[16];
	struct cp_discount_req sale = {
		.line_no = 0, .kind = CP_DISCOUNT_AMOUNT, .value = 500, .reason = "bench"};
	struct cp_errbuf err = {{0}};
	struct cp_session who;
	struct cp_db *db;
	struct run r[3] = {{.kind = "plain"}, {.kind = "member"}, {.kind = "attach"}};

	cp_bench_args(argc, argv, 1000000, &dir, &n);
	db = cp_bench_demo_store(dir, "discount.db");
	if (cp_staff_login(db, "1001", "1111", &who, NULL, &err) != CP_OK)
		cp_bench_die("log in", &err);
	for (int i = 0; i < LINES; i++) {
		snprintf(sku, sizeof(sku), "%d", 10001 + i);
		if (cp_cart_scan(db, &who, sku, 1 + i % 3, NULL, &err) != CP_OK)
			cp_bench_die("scan", &err);
	}
	if (cp_discount_add(db, &who, &sale, NULL, &err) != CP_OK)
		cp_bench_die("discount the sale", &err);
	for (int i = 0; i < 3; i++)
		if (!(r[i].t = calloc((size_t)n, sizeof(int64_t))))
			cp_bench_die("out of memory", NULL);
	for (int i = 0; i < n; i++) {
		int64_t t0;

		/* both views timed after one untimed read, so neither pays for the write's commit */
		if (cp_cart_set_member(db, &who, NULL, &err) != CP_OK ||
		    cp_cart_view(db, &who, &v, &err) != CP_OK)
			cp_bench_die("detach", &err);
		t0 = cp_bench_now_ns();
		if (cp_cart_view(db, &who, &v, &err) != CP_OK || v.nlines != LINES ||
		    v.member_saving != 0)
			cp_bench_die("view without a member", &err);
		r[0].t[r[0].n++] = cp_bench_now_ns() - t0;
		t0 = cp_bench_now_ns();
		if (cp_cart_set_member(db, &who, "M000029", &err) != CP_OK ||
		    cp_cart_view(db, &who, &v, &err) != CP_OK)
			cp_bench_die("attach", &err);
		r[2].t[r[2].n++] = cp_bench_now_ns() - t0;
		if (v.member_saving <= 0 || v.discount != 500)
			cp_bench_die("the member's prices did not apply", NULL);
		t0 = cp_bench_now_ns();
		if (cp_cart_view(db, &who, &v, &err) != CP_OK)
			cp_bench_die("view with the member", &err);
		r[1].t[r[1].n++] = cp_bench_now_ns() - t0;
	}
	printf("%d lines, %lld items, total %lld fen, member saving %lld fen, discount %lld fen\n",
	       v.nlines, (long long)v.items, (long long)v.total, (long long)v.member_saving,
	       (long long)v.discount);
	printf("%-8s %6s %9s %9s %9s %9s %9s   (microseconds)\n", "kind", "n", "p50", "p90", "p99",
	       "max", "mean");
	for (int i = 0; i < 3; i++)
		report(&r[i]);
	printf("BENCH discount ratio member_over_plain_p50=%.3f goal_member_p99_us=1000 met=%s\n",
	       r[1].p50 / r[0].p50, r[1].p99 < 1000.0 ? "yes" : "no");
	cp_db_close(db);
	for (int i = 0; i < 3; i++)
		free(r[i].t);
	return 0;
}
