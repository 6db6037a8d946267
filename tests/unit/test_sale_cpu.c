/* test_sale_cpu.c — what a script-mode sale asks of SQLite outside the pay (issue 14, CPU of a
 * script-mode sale): the statements a member sale runs (attach, the member's lifecycle, scans,
 * the cart view, the receipt read and kept) build no temporary B-tree, checked with EXPLAIN
 * QUERY PLAN on every statement the connection has cached; and they are all cached statements,
 * none parsed for one run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cart.h"
#include "db.h"
#include "db_int.h"
#include "lifecycle.h"
#include "member.h"
#include "receipt.h"
#include "sale.h"
#include "support.h"

static struct test_env env;

static int setup(void **state)
{
	(void)state;
	test_env_open(&env, "sale_cpu", true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

static void ok(enum cp_err rc, const struct cp_errbuf *err)
{
	if (rc != CP_OK)
		fail_msg("%d: %s", rc, err->msg);
}

static int uncached;

/* Counts statements run that are not in the connection's cache: SQL text parsed for one run. */
static int count_uncached(unsigned type, void *ctx, void *p, void *x)
{
	bool cached = false;

	(void)type;
	(void)ctx;
	(void)x;
	for (int i = 0; i < env.db->ncache && !cached; i++)
		cached = env.db->cache[i].st == p;
	if (!cached) {
		print_message("not cached: %s\n", sqlite3_sql(p));
		uncached++;
	}
	return 0;
}

static void trace(bool on)
{
	sqlite3_trace_v2(env.db->h, on ? SQLITE_TRACE_STMT : 0, on ? count_uncached : NULL, NULL);
}

/* A member sale the way script mode runs it; outside the pay, the statements that are not
 * cached are counted in uncached. */
static void member_sale(void)
{
	static const char *const codes[] = {"A1", "96385074", "G120", "G88", "6901234567892"};
	struct cp_tender cash = {CP_TENDER_CASH, 100000, ""};
	struct cp_errbuf err = {{0}};
	struct cp_member_view m;
	struct cp_lifecycle_view lv;
	struct cp_cart_view *v = malloc(sizeof(*v));
	struct cp_receipt_view *r = malloc(sizeof(*r));
	struct cp_sale_result res;

	assert_non_null(v);
	assert_non_null(r);
	trace(true);
	ok(cp_member_find_by_phone(env.db, "13800000001", &m, &err), &err);
	ok(cp_cart_set_member(env.db, &env.cashier, m.id, &err), &err);
	ok(cp_lifecycle_get(env.db, m.id, env.now, &lv, &err), &err);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		ok(cp_cart_scan(env.db, &env.cashier, codes[i], 1, NULL, &err), &err);
		ok(cp_cart_view(env.db, &env.cashier, v, &err), &err);
	}
	trace(false);
	ok(cp_sale_pay(env.db, &env.cashier, &cash, 1, &res, &err), &err);
	trace(true);
	ok(cp_receipt_get(env.db, res.receipt, r, &err), &err);
	ok(cp_receipt_keep(env.db, res.receipt, "receipt", &err), &err);
	trace(false);
	free(v);
	free(r);
}

/* Statements that ran and build a temporary B-tree, printed; those whose SQL starts with one of
 * skip are left out (the pay's own, another part of the issue). */
static int temp_btrees(const char *const *skip, size_t nskip)
{
	int n = 0;

	for (int i = 0; i < env.db->ncache; i++) {
		const char *sql = sqlite3_sql(env.db->cache[i].st);
		sqlite3_stmt *eqp = NULL;
		char *q;
		bool skipped = false;

		if (!sql)
			continue;
		for (size_t k = 0; k < nskip; k++)
			skipped = skipped || strncmp(sql, skip[k], strlen(skip[k])) == 0;
		if (skipped ||
		    sqlite3_stmt_status(env.db->cache[i].st, SQLITE_STMTSTATUS_RUN, 0) == 0)
			continue;
		q = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
		assert_non_null(q);
		if (sqlite3_prepare_v2(env.db->h, q, -1, &eqp, NULL) == SQLITE_OK) {
			while (sqlite3_step(eqp) == SQLITE_ROW) {
				const char *d = (const char *)sqlite3_column_text(eqp, 3);

				if (d && strstr(d, "TEMP B-TREE")) {
					print_message("temp B-tree (%s): %s\n", d, sql);
					n++;
				}
			}
		}
		sqlite3_finalize(eqp);
		sqlite3_free(q);
	}
	return n;
}

static void test_no_temp_btree(void **state)
{
	/* the day's sums, written by the pay (report.c) */
	static const char *const pay[] = {"INSERT INTO report_day_sum"};

	(void)state;
	member_sale();
	member_sale();
	assert_int_equal(temp_btrees(pay, sizeof(pay) / sizeof(pay[0])), 0);
}

/* SQL text run with sqlite3_exec is parsed on every run (the lifecycle's read snapshot did,
 * three times a sale). */
static void test_only_cached_statements(void **state)
{
	(void)state;
	uncached = 0;
	member_sale();
	member_sale();
	assert_int_equal(uncached, 0);
}

/* Runs so far of the connection's cached statements whose SQL starts with prefix. */
static int runs_of(const char *prefix)
{
	int runs = 0;

	for (int i = 0; i < env.db->ncache; i++) {
		const char *sql = sqlite3_sql(env.db->cache[i].st);

		if (sql && strncmp(sql, prefix, strlen(prefix)) == 0)
			runs += sqlite3_stmt_status(env.db->cache[i].st, SQLITE_STMTSTATUS_RUN, 0);
	}
	return runs;
}

#define MEMBER_READ "SELECT id, phone_masked, card_no, name, birthday, points, growth, tier,"

/* Keeping the receipt writes its copy only: the next sale's attach takes the member the
 * receipt read instead of reading it again. */
static void test_attach_after_keep_reads_no_member(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_member_view m;
	int before;

	(void)state;
	member_sale(); /* the receipt read the member after the pay, then its copy was kept */
	before = runs_of(MEMBER_READ);
	ok(cp_member_get(env.db, "M1", &m, &err), &err);
	assert_int_equal(runs_of(MEMBER_READ), before);
}

#define VISITS_READ "SELECT coalesce(sum(visits), 0)"

/* The member's lifecycle is read once a sale (for the receipt's benefits): the receipt's own
 * line and the next attach's answer take it (three reads before). */
static void test_lifecycle_read_once_a_sale(void **state)
{
	int before;

	(void)state;
	member_sale();
	before = runs_of(VISITS_READ);
	member_sale();
	assert_int_equal(runs_of(VISITS_READ) - before, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_temp_btree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_cached_statements, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_after_keep_reads_no_member, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle_read_once_a_sale, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
