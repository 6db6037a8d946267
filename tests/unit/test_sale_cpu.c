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

#include "benefit.h"
#include "cart.h"
#include "discount.h"
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

static char last_receipt[CP_RECEIPT_LEN]; /* member_sale()'s */

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
	snprintf(last_receipt, sizeof(last_receipt), "%s", res.receipt);
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

#define CART_LINES_READ "SELECT l.line_no, l.sku, l.qty,"
#define ITEM_FIND "SELECT i.sku, i.barcode,"
#define MANUAL_READ "SELECT line_no, kind, value, reason,"
#define OWNER_READ "SELECT staff, session FROM cart WHERE id = 1"
#define CART_OPEN "INSERT OR IGNORE INTO cart("
#define TIER_DISCOUNT_READ "SELECT discount_bp, except_categories FROM tier_discount"

/* A scan adds its line to the cart the last change left (struct cart_memo in cart.c) instead
 * of reading the cart back: no cart read for five scans and their views (five before); and it
 * looks its item up with one statement (eight runs before: three SKUs, two barcodes). */
static void test_scan_reads_no_cart(void **state)
{
	static const char *const codes[] = {"A1", "96385074", "G120", "A1", "6901234567892"};
	struct cp_cart_view *v = malloc(sizeof(*v));
	struct cp_member_view m;
	int before, finds, manual, tier, owner, opens;
	struct cp_errbuf err = {{0}};

	(void)state;
	assert_non_null(v);
	OK(cp_member_find_by_phone(env.db, "13800000001", &m, &e_));
	OK(cp_cart_set_member(env.db, &env.cashier, m.id, &e_));
	OK(cp_cart_view(env.db, &env.cashier, v, &e_));
	before = runs_of(CART_LINES_READ);
	finds = runs_of(ITEM_FIND);
	manual = runs_of(MANUAL_READ);
	tier = runs_of(TIER_DISCOUNT_READ);
	owner = runs_of(OWNER_READ);
	opens = runs_of(CART_OPEN);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		OK(cp_cart_scan(env.db, &env.cashier, codes[i], 1, NULL, &e_));
		OK(cp_cart_view(env.db, &env.cashier, v, &e_));
	}
	assert_int_equal(runs_of(CART_LINES_READ) - before, 0);
	/* one item lookup a scan: barcode, its twin and SKU in one statement (a SKU's was two) */
	assert_int_equal(runs_of(ITEM_FIND) - finds, 5);
	/* nor the tier's and the cart's discounts, which a scan does not change (5 each before) */
	assert_int_equal(runs_of(MANUAL_READ) - manual, 0);
	assert_int_equal(runs_of(TIER_DISCOUNT_READ) - tier, 0);
	/* nor the cart's row, to check its owner and to open it (5 each before) */
	assert_int_equal(runs_of(OWNER_READ) - owner, 0);
	assert_int_equal(runs_of(CART_OPEN) - opens, 0);
	/* another login's scan is still refused, nothing written */
	assert_int_equal(cp_cart_scan(env.db, &env.manager, "A1", 1, NULL, &err), CP_ESTATE);
	OK(cp_cart_view(env.db, &env.cashier, v, &e_));
	assert_int_equal(v->lines[0].qty, 3);
	assert_int_equal(v->nlines, 3);
	assert_int_equal(v->lines[0].qty, 3);
	free(v);
}

static void same_cart(const struct cp_cart_view *a, const struct cp_cart_view *b)
{
	assert_int_equal(a->open, b->open);
	assert_string_equal(a->staff, b->staff);
	assert_int_equal(a->opened_at, b->opened_at);
	assert_int_equal(a->nlines, b->nlines);
	for (int i = 0; i < a->nlines; i++) {
		const struct cp_cart_line *x = &a->lines[i], *y = &b->lines[i];

		assert_int_equal(x->line_no, y->line_no);
		assert_string_equal(x->sku, y->sku);
		assert_string_equal(x->name, y->name);
		assert_string_equal(x->offer_id, y->offer_id);
		assert_string_equal(x->category, y->category);
		assert_int_equal(x->qty, y->qty);
		assert_int_equal(x->unit_price, y->unit_price);
		assert_int_equal(x->amount, y->amount);
		assert_int_equal(x->saving, y->saving);
		assert_int_equal(x->discount, y->discount);
		assert_int_equal(x->discount_share, y->discount_share);
		assert_int_equal(x->coupon_off, y->coupon_off);
		assert_int_equal(x->eligible, y->eligible);
		assert_int_equal(x->redemption, y->redemption);
		assert_int_equal(x->points, y->points);
		assert_int_equal(x->weighed, y->weighed);
	}
	assert_int_equal(a->total, b->total);
	assert_int_equal(a->eligible, b->eligible);
	assert_int_equal(a->items, b->items);
	assert_int_equal(a->points_held, b->points_held);
	assert_int_equal(a->member_saving, b->member_saving);
	assert_int_equal(a->discount, b->discount);
	assert_int_equal(a->has_member, b->has_member);
	assert_string_equal(a->member.id, b->member.id);
}

/* The cart a scan adds its line to is the cart read from the tables: member prices, a tier
 * discount, a line scanned again, an item earning nothing, a manual discount on the sale. */
static void test_scan_memo_is_the_cart(void **state)
{
	static const char *const codes[] = {"A1", "T1", "96385074", "A1", "G120", "A2", "A1"};
	struct cp_cart_view *v = malloc(sizeof(*v)), *w = malloc(sizeof(*w));
	struct cp_discount_req req = {
		.line_no = 0, .kind = CP_DISCOUNT_PERCENT, .value = 1000, .reason = "test"};
	struct cp_discount_result r;
	struct cp_member_view m;
	struct cp_db_options opt = {.path = env.path, .clock = &env.clock};
	struct cp_db *other = NULL; /* reads the cart from the tables */
	struct cp_tier_discount gold = {.level = 2, .discount_bp = 1200, .except = "TOBACCO"};
	int before = 0;

	(void)state;
	assert_non_null(v);
	assert_non_null(w);
	OK(cp_tier_discount_put(env.db, &gold, &e_));
	OK(cp_db_open(&other, &opt, &e_));
	for (int member = 0; member < 2; member++) {
		if (member) {
			OK(cp_member_find_by_phone(env.db, "13800000001", &m, &e_));
			OK(cp_cart_set_member(env.db, &env.cashier, m.id, &e_));
		} else {
			OK(cp_cart_scan(env.db, &env.cashier, "G88", 1, NULL, &e_));
			OK(cp_discount_add(env.db, &env.cashier, &req, &r, &e_));
		}
		for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
			OK(cp_cart_scan(env.db, &env.cashier, codes[i], (int64_t)i % 3 + 1, NULL,
					&e_));
			OK(cp_cart_view(env.db, &env.cashier, v, &e_));
			OK(cp_cart_view(other, &env.cashier, w, &e_));
			same_cart(v, w);
			if (i == 0) /* after the discount, the attach: the cart read */
				before = runs_of(CART_LINES_READ);
		}
		assert_int_equal(runs_of(CART_LINES_READ) - before, 0); /* each scan after it */
	}
	cp_db_close(other);
	assert_true(v->has_member);
	assert_true(v->discount > 0);
	assert_true(v->member_saving > 0);
	free(v);
	free(w);
}

#define GRANTS_READ "SELECT max(d) FROM ("

static void put_benefit(const char *id, const char *when)
{
	struct cp_benefit b = {.points = 10};

	snprintf(b.id, sizeof(b.id), "%s", id);
	snprintf(b.title_zh, sizeof(b.title_zh), "%s", id);
	snprintf(b.title_en, sizeof(b.title_en), "%s", id);
	snprintf(b.when, sizeof(b.when), "%s", when);
	snprintf(b.period, sizeof(b.period), "year");
	snprintf(b.what, sizeof(b.what), "points");
	OK(cp_benefit_put(env.db, &b, &e_));
}

/* The receipt prints the benefits open today: it reads the grants of those whose day it is
 * only (three reads before: the member's birthday month and the member day are not today). */
static void test_receipt_reads_grants_of_todays_benefits(void **state)
{
	struct cp_receipt_view *r = malloc(sizeof(*r));
	int before;

	(void)state;
	assert_non_null(r);
	put_benefit("B-ALWAYS", "always");
	put_benefit("B-BIRTHDAY", "birthday");    /* M1 was born in January; it is November */
	put_benefit("B-MEMBERDAY", "member_day"); /* Wednesday; it is Tuesday */
	member_sale();
	before = runs_of(GRANTS_READ);
	OK(cp_receipt_get(env.db, last_receipt, r, &e_));
	assert_int_equal(runs_of(GRANTS_READ) - before, 1);
	assert_int_equal(r->nbenefits, 1);
	assert_string_equal(r->benefits[0], "B-ALWAYS");
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_temp_btree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_cached_statements, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_after_keep_reads_no_member, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle_read_once_a_sale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_reads_no_cart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_memo_is_the_cart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receipt_reads_grants_of_todays_benefits, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
