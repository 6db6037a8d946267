/* test_cart.c — the open cart: scanning (barcodes, SKUs, scanner noise, double scans), lines
 * and quantities, totals and member prices, and the cart surviving a closed database (the
 * "power cut before payment" of REALITY.md). Every refusal leaves the cart as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "barcode.h"
#include "cart.h"
#include "catalog.h"
#include "db.h"
#include "db_int.h"
#include "journal.h"
#include "money.h"
#include "support.h"

#define MILK "6901234567892" /* A1: ¥30.00, member ¥28.00 */
#define BREAD "96385074"     /* A2: ¥19.99 */

static struct test_env env;

/* Views are freed at teardown, so that a failing assertion leaks nothing. */
static struct cp_cart_view *views[64];
static int nviews;

static int setup(void **state)
{
	(void)state;
	test_env_open(&env, "cart", true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	while (nviews > 0)
		free(views[--nviews]);
	return 0;
}

/* The view is large (100 lines); keep it off the stack. Freed at teardown. */
static struct cp_cart_view *view(void)
{
	struct cp_cart_view *v = malloc(sizeof(*v));
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	assert_non_null(v);
	assert_true(nviews < (int)(sizeof(views) / sizeof(views[0])));
	views[nviews++] = v;
	rc = cp_cart_view(env.db, NULL, v, &err);
	if (rc != CP_OK)
		fail_msg("cp_cart_view: %s", cp_errmsg(&err, rc));
	return v;
}

static void scan(const char *code, int64_t qty, int want_line)
{
	struct cp_errbuf err = {{0}};
	int line = -1;
	enum cp_err rc = cp_cart_scan(env.db, &env.cashier, code, qty, &line, &err);

	if (rc != CP_OK)
		fail_msg("scan %s x%lld: %s", code, (long long)qty, cp_errmsg(&err, rc));
	assert_int_equal(line, want_line);
}

static const struct cp_cart_line *line_of(const struct cp_cart_view *v, const char *sku)
{
	for (int i = 0; i < v->nlines; i++)
		if (strcmp(v->lines[i].sku, sku) == 0)
			return &v->lines[i];
	fail_msg("no line for %s in the cart", sku);
	return NULL;
}

/* Two views show the same cart. */
static void assert_same_cart(const struct cp_cart_view *a, const struct cp_cart_view *b)
{
	assert_int_equal(a->open, b->open);
	assert_string_equal(a->staff, b->staff);
	assert_int_equal(a->opened_at, b->opened_at);
	assert_int_equal(a->nlines, b->nlines);
	assert_int_equal(a->total, b->total);
	assert_int_equal(a->eligible, b->eligible);
	assert_int_equal(a->items, b->items);
	assert_int_equal(a->has_member, b->has_member);
	assert_string_equal(a->member.id, b->member.id);
	for (int i = 0; i < a->nlines; i++) {
		assert_int_equal(a->lines[i].line_no, b->lines[i].line_no);
		assert_string_equal(a->lines[i].sku, b->lines[i].sku);
		assert_int_equal(a->lines[i].qty, b->lines[i].qty);
		assert_int_equal(a->lines[i].unit_price, b->lines[i].unit_price);
		assert_int_equal(a->lines[i].amount, b->lines[i].amount);
		assert_int_equal(a->lines[i].eligible, b->lines[i].eligible);
	}
}

/* A refused scan: the code, the cart unchanged, and a message for the cashier. */
static void scan_refused(const char *code, int64_t qty, enum cp_err want)
{
	struct cp_cart_view *before = view(), *after;
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_cart_scan(env.db, &env.cashier, code, qty, NULL, &err);

	if (rc != want)
		fail_msg("scan %s x%lld gave %s (%s), expected %s", code, (long long)qty,
			 cp_err_code(rc), err.msg, cp_err_code(want));
	assert_true(err.msg[0] != '\0');
	after = view();
	assert_same_cart(before, after);
}

static void add_item(const char *sku, int64_t price)
{
	struct cp_item it;
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	memset(&it, 0, sizeof(it));
	snprintf(it.sku, sizeof(it.sku), "%s", sku);
	snprintf(it.name_zh, sizeof(it.name_zh), "测试 %s", sku);
	snprintf(it.name_en, sizeof(it.name_en), "Test %s", sku);
	snprintf(it.category, sizeof(it.category), "FOOD");
	it.price = price;
	it.member_price = -1;
	rc = cp_catalog_put_item(env.db, &it, &err);
	if (rc != CP_OK)
		fail_msg("put item %s: %s", sku, cp_errmsg(&err, rc));
}

static void test_empty_cart(void **state)
{
	struct cp_cart_view *v;

	(void)state;
	v = view();
	assert_false(v->open);
	assert_int_equal(v->nlines, 0);
	assert_int_equal(v->total, 0);
}

static void test_scan_ean13(void **state)
{
	struct cp_cart_view *v;

	(void)state;
	scan(MILK, 1, 1);
	v = view();
	assert_true(v->open);
	assert_string_equal(v->staff, "1001");
	assert_int_equal(v->opened_at, TEST_TUESDAY_MS);
	assert_int_equal(v->nlines, 1);
	assert_int_equal(v->lines[0].line_no, 1);
	assert_string_equal(v->lines[0].sku, "A1");
	assert_string_equal(v->lines[0].name, "牛奶 Milk");
	assert_string_equal(v->lines[0].category, "FOOD");
	assert_int_equal(v->lines[0].qty, 1);
	assert_int_equal(v->lines[0].unit_price, 3000);
	assert_int_equal(v->lines[0].amount, 3000);
	assert_true(v->lines[0].eligible);
	assert_int_equal(v->total, 3000);
	assert_int_equal(v->items, 1);
	assert_false(v->has_member);
}

/* A scanner that reads twice adds quantity to the same line, not a second line. */
static void test_double_scan_adds_quantity(void **state)
{
	struct cp_cart_view *v;

	(void)state;
	scan(MILK, 1, 1);
	scan(MILK, 1, 1);
	v = view();
	assert_int_equal(v->nlines, 1);
	assert_int_equal(v->lines[0].line_no, 1);
	assert_int_equal(v->lines[0].qty, 2);
	assert_int_equal(v->lines[0].amount, 6000);
	assert_int_equal(v->total, 6000);
	assert_int_equal(v->items, 2);
	/* The SKU of the same item lands on the same line too. */
	scan("A1", 3, 1);
	v = view();
	assert_int_equal(v->nlines, 1);
	assert_int_equal(v->lines[0].qty, 5);
}

static void test_scan_sku_and_ean8(void **state)
{
	struct cp_cart_view *v;

	(void)state;
	scan("G120", 2, 1);
	scan(BREAD, 1, 2);
	v = view();
	assert_int_equal(v->nlines, 2);
	assert_string_equal(v->lines[0].sku, "G120");
	assert_int_equal(v->lines[0].qty, 2);
	assert_int_equal(v->lines[0].amount, 24000);
	assert_string_equal(v->lines[1].sku, "A2");
	assert_int_equal(v->lines[1].line_no, 2);
	assert_int_equal(v->lines[1].amount, 1999);
	assert_int_equal(v->total, 25999);
}

/* What a scanner really types: a symbology prefix and CR LF; or full-width digits from an
 * input method. */
static void test_scan_scanner_noise(void **state)
{
	struct cp_cart_view *v;

	(void)state;
	scan("]E0" MILK "\r\n", 1, 1);
	scan(MILK "\t", 1, 1);
	scan("６９０１２３４５６７８９２", 1, 1);
	v = view();
	assert_int_equal(v->nlines, 1);
	assert_string_equal(v->lines[0].sku, "A1");
	assert_int_equal(v->lines[0].qty, 3);
}

static void test_scan_unknown(void **state)
{
	(void)state;
	/* On an empty cart: refused, and no cart is opened by it. */
	scan_refused("NOPE", 1, CP_ENOTFOUND);
	/* A well-formed EAN-13 that the catalogue does not hold. */
	assert_true(cp_code_check_digit_ok("4006381333931"));
	scan("A1", 1, 1);
	scan_refused("4006381333931", 1, CP_ENOTFOUND);
	scan_refused("NOPE", 1, CP_ENOTFOUND);
}

static void test_scan_bad_check_digit(void **state)
{
	(void)state;
	scan(MILK, 1, 1);
	scan_refused("6901234567893", 1, CP_EINVAL);
	scan_refused("96385075", 1, CP_EINVAL);
	scan_refused("", 1, CP_EINVAL);
	scan_refused("A1\x01", 1, CP_EINVAL);
}

static void test_bad_quantities(void **state)
{
	(void)state;
	scan(MILK, 1, 1);
	scan_refused(MILK, 0, CP_EINVAL);
	scan_refused(MILK, -1, CP_EINVAL);
	scan_refused(MILK, CP_QTY_MAX + 1, CP_EINVAL);
	scan_refused("A2", 10000, CP_EINVAL);
	/* A line may hold at most CP_QTY_MAX, however it gets there. */
	scan(MILK, CP_QTY_MAX - 1, 1);
	scan_refused(MILK, 1, CP_EINVAL);
}

static void test_set_qty(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_cart_view *v, *w;

	(void)state;
	scan(MILK, 1, 1);
	scan("T1", 1, 2);
	assert_int_equal(cp_cart_set_qty(env.db, &env.cashier, 2, 4, &err), CP_OK);
	v = view();
	assert_int_equal(line_of(v, "T1")->qty, 4);
	assert_int_equal(line_of(v, "T1")->line_no, 2);
	assert_int_equal(line_of(v, "A1")->qty, 1);
	assert_int_equal(v->total, 3000 + 4 * 3500);
	assert_int_equal(cp_cart_set_qty(env.db, &env.cashier, 3, 2, &err), CP_ENOTFOUND);
	assert_int_equal(cp_cart_set_qty(env.db, &env.cashier, 0, 2, &err), CP_ENOTFOUND);
	assert_int_equal(cp_cart_set_qty(env.db, &env.cashier, 1, 0, &err), CP_EINVAL);
	assert_int_equal(cp_cart_set_qty(env.db, &env.cashier, 1, -3, &err), CP_EINVAL);
	assert_int_equal(cp_cart_set_qty(env.db, &env.cashier, 1, CP_QTY_MAX + 1, &err), CP_EINVAL);
	w = view();
	assert_same_cart(v, w);
	assert_int_equal(cp_cart_set_qty(env.db, &env.cashier, 1, CP_QTY_MAX, &err), CP_OK);
	w = view();
	assert_int_equal(line_of(w, "A1")->qty, CP_QTY_MAX);
}

static void test_remove_keeps_line_numbers(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_cart_view *v;

	(void)state;
	scan(MILK, 1, 1);
	scan(BREAD, 1, 2);
	scan("T1", 1, 3);
	assert_int_equal(cp_cart_remove(env.db, &env.cashier, 1, &err), CP_OK);
	v = view();
	assert_int_equal(v->nlines, 2);
	assert_int_equal(v->lines[0].line_no, 2);
	assert_string_equal(v->lines[0].sku, "A2");
	assert_int_equal(v->lines[1].line_no, 3);
	assert_string_equal(v->lines[1].sku, "T1");
	assert_int_equal(v->total, 1999 + 3500);
	/* The numbers still address the same lines. */
	assert_int_equal(cp_cart_set_qty(env.db, &env.cashier, 3, 2, &err), CP_OK);
	assert_int_equal(cp_cart_remove(env.db, &env.cashier, 1, &err), CP_ENOTFOUND);
	/* A new item gets a new number, never one still in use. */
	scan("G88", 1, 4);
	/* Scanning the removed item again makes a new line for it. */
	scan(MILK, 1, 5);
	v = view();
	assert_int_equal(v->nlines, 4);
	assert_int_equal(line_of(v, "A2")->line_no, 2);
	assert_int_equal(line_of(v, "T1")->line_no, 3);
	assert_int_equal(line_of(v, "T1")->qty, 2);
	assert_int_equal(line_of(v, "G88")->line_no, 4);
	assert_int_equal(line_of(v, "A1")->line_no, 5);
	assert_int_equal(line_of(v, "A1")->qty, 1);
}

static void test_not_logged_in(void **state)
{
	struct cp_session nobody;
	struct cp_errbuf err = {{0}};
	struct cp_cart_view *before, *after;

	(void)state;
	memset(&nobody, 0, sizeof(nobody));
	assert_int_equal(cp_cart_scan(env.db, NULL, MILK, 1, NULL, &err), CP_EAUTH);
	assert_int_equal(cp_cart_scan(env.db, &nobody, MILK, 1, NULL, &err), CP_EAUTH);
	assert_int_equal(cp_cart_set_member(env.db, NULL, "M1", &err), CP_EAUTH);
	assert_int_equal(cp_cart_set_member(env.db, &nobody, "M1", &err), CP_EAUTH);
	after = view();
	assert_false(after->open);
	scan(MILK, 1, 1);
	before = view();
	assert_int_equal(cp_cart_scan(env.db, &nobody, MILK, 1, NULL, &err), CP_EAUTH);
	assert_int_equal(cp_cart_set_member(env.db, &nobody, "M1", &err), CP_EAUTH);
	after = view();
	assert_same_cart(before, after);
}

/* Tobacco earns nothing: it is in the total but not in the eligible total. */
static void test_totals_and_eligible(void **state)
{
	struct cp_cart_view *v;

	(void)state;
	scan(MILK, 2, 1);
	scan("T1", 1, 2);
	scan(BREAD, 1, 3);
	v = view();
	assert_int_equal(v->total, 6000 + 3500 + 1999);
	assert_int_equal(v->eligible, 6000 + 1999);
	assert_int_equal(v->items, 4);
	assert_true(line_of(v, "A1")->eligible);
	assert_false(line_of(v, "T1")->eligible);
	assert_string_equal(line_of(v, "T1")->category, "TOBACCO");
	assert_true(line_of(v, "A2")->eligible);
}

static void test_member_price(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_cart_view *v;

	(void)state;
	scan(MILK, 2, 1);
	scan(BREAD, 1, 2);
	assert_int_equal(cp_cart_set_member(env.db, &env.cashier, "M1", &err), CP_OK);
	v = view();
	assert_true(v->has_member);
	assert_string_equal(v->member.id, "M1");
	assert_string_equal(v->member.masked_phone, "138****0001");
	assert_int_equal(line_of(v, "A1")->unit_price, 2800);
	assert_int_equal(line_of(v, "A1")->amount, 5600);
	assert_int_equal(line_of(v, "A2")->unit_price, 1999); /* no member price */
	assert_int_equal(v->total, 5600 + 1999);
	assert_int_equal(v->eligible, 5600 + 1999);
	assert_int_equal(cp_cart_set_member(env.db, &env.cashier, NULL, &err), CP_OK);
	v = view();
	assert_false(v->has_member);
	assert_string_equal(v->member.id, "");
	assert_int_equal(line_of(v, "A1")->unit_price, 3000);
	assert_int_equal(v->total, 6000 + 1999);
}

/* Runs so far of the connection's cached statement whose SQL starts with prefix. */
static int runs_of(const char *prefix)
{
	for (int i = 0; i < env.db->ncache; i++) {
		const char *sql = sqlite3_sql(env.db->cache[i].st);

		if (sql && strncmp(sql, prefix, strlen(prefix)) == 0)
			return sqlite3_stmt_status(env.db->cache[i].st, SQLITE_STMTSTATUS_RUN, 0);
	}
	return 0;
}

#define READ_LINES "SELECT l.line_no, l.sku, l.qty"
#define READ_TIERS "SELECT level, name, threshold, multiplier_bp FROM tier ORDER BY level"

/* A change and the view that answers it read and price the cart once (issue 14: script mode
 * rebuilt it for the check before the commit and again for the answer); a write since, by
 * this connection or another, is seen. */
static void test_view_after_change_reads_once(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_db_options opt = {0};
	struct cp_cart_view *v;
	struct cp_db *other;
	int before, tiers;

	(void)state;
	scan(MILK, 1, 1);
	assert_int_equal(cp_cart_set_member(env.db, &env.cashier, "M1", &err), CP_OK);
	before = runs_of(READ_LINES);
	tiers = runs_of(READ_TIERS);
	for (int i = 0; i < 5; i++) {
		v = malloc(sizeof(*v));
		assert_non_null(v);
		views[nviews++] = v;
		scan(i % 2 ? BREAD : MILK, 1, i % 2 ? 2 : 1);
		assert_int_equal(cp_cart_view(env.db, &env.cashier, v, &err), CP_OK);
	}
	/* Each scan added its line to the cart the last change left: none read it (5 before). */
	assert_int_equal(runs_of(READ_LINES) - before, 0);
	/* The tiers and earn rules (memo.c) were not read again for any of them. */
	assert_int_equal(runs_of(READ_TIERS) - tiers, 0);
	assert_int_equal(line_of(v, "A1")->qty, 4);
	assert_int_equal(line_of(v, "A1")->unit_price, 2800);
	assert_int_equal(v->total, 4 * 2800 + 2 * 1999);
	assert_true(v->has_member);
	assert_string_equal(v->member.id, "M1");

	/* A price changed by another connection, then one changed here, each after a scan. */
	opt.path = env.path;
	opt.clock = &env.clock;
	assert_int_equal(cp_db_open(&other, &opt, &err), CP_OK);
	assert_int_equal(cp_db_exec(other, "UPDATE item SET price = 1899 WHERE sku = 'A2'", &err),
			 CP_OK);
	cp_db_close(other);
	v = view();
	assert_int_equal(line_of(v, "A2")->unit_price, 1899);
	assert_int_equal(v->total, 4 * 2800 + 2 * 1899);
	scan(MILK, 1, 1);
	assert_int_equal(
		cp_db_exec(env.db, "UPDATE item SET member_price = 2700 WHERE sku = 'A1'", &err),
		CP_OK);
	v = view();
	assert_int_equal(line_of(v, "A1")->unit_price, 2700);
	assert_int_equal(v->total, 5 * 2700 + 2 * 1899);
}

/* The view of one's own cart does not read the owner's name (issue 14: every answer read it,
 * though only the refusal of another's cart names them). */
static void test_own_view_reads_no_staff_name(void **state)
{
	const char *name_sql = "SELECT name FROM staff WHERE code = ?1";
	struct cp_cart_view *v = malloc(sizeof(*v));
	struct cp_errbuf err = {{0}};
	int before;

	(void)state;
	assert_non_null(v);
	scan(MILK, 1, 1);
	before = runs_of(name_sql);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(cp_cart_view(env.db, &env.cashier, v, &err), CP_OK);
		assert_int_equal(v->total, 3000);
	}
	assert_int_equal(runs_of(name_sql) - before, 0);
	free(v);
}

static void test_unknown_member(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_cart_view *before, *after;

	(void)state;
	scan(MILK, 1, 1);
	assert_int_equal(cp_cart_set_member(env.db, &env.cashier, "M1", &err), CP_OK);
	before = view();
	err.msg[0] = '\0';
	assert_int_equal(cp_cart_set_member(env.db, &env.cashier, "M404", &err), CP_ENOTFOUND);
	assert_true(err.msg[0] != '\0');
	after = view();
	assert_same_cart(before, after);
	assert_string_equal(after->member.id, "M1");
}

/* REALITY.md: a power cut before payment; after restart the open cart is still there. */
static void test_cart_survives_reopen(void **state)
{
	struct cp_db_options opt;
	struct cp_errbuf err = {{0}};
	struct cp_cart_view *before, *after;
	enum cp_err rc;

	(void)state;
	scan(MILK, 2, 1);
	scan("T1", 1, 2);
	scan("G19990", 1, 3);
	assert_int_equal(cp_cart_remove(env.db, &env.cashier, 2, &err), CP_OK);
	assert_int_equal(cp_cart_set_member(env.db, &env.cashier, "M2", &err), CP_OK);
	before = view();
	cp_db_close(env.db);
	env.db = NULL;
	env.now += 3600 * 1000; /* the till comes back an hour later */
	memset(&opt, 0, sizeof(opt));
	opt.path = env.path;
	opt.clock = &env.clock;
	rc = cp_db_open(&env.db, &opt, &err);
	if (rc != CP_OK)
		fail_msg("reopen: %s", cp_errmsg(&err, rc));
	after = view();
	assert_same_cart(before, after);
	assert_true(after->open);
	assert_int_equal(after->opened_at, TEST_TUESDAY_MS);
	assert_string_equal(after->member.id, "M2");
	assert_int_equal(after->nlines, 2);
	assert_int_equal(after->lines[1].line_no, 3);
	/* And selling goes on where it stopped. */
	scan(BREAD, 1, 4);
}

static void test_cancel(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_cart_view *v;

	(void)state;
	scan(MILK, 1, 1);
	scan("T1", 1, 2);
	assert_int_equal(cp_cart_set_member(env.db, &env.cashier, "M1", &err), CP_OK);
	assert_int_equal(cp_cart_cancel(env.db, &env.cashier, &err), CP_OK);
	v = view();
	assert_false(v->open);
	assert_int_equal(v->nlines, 0);
	assert_int_equal(v->total, 0);
	assert_false(v->has_member);
	/* Cancelling nothing is harmless; the next cart starts at line 1 again. */
	assert_int_equal(cp_cart_cancel(env.db, &env.cashier, &err), CP_OK);
	scan(BREAD, 1, 1);
	v = view();
	assert_false(v->has_member);
	assert_int_equal(v->nlines, 1);
}

static void test_line_limit(void **state)
{
	char sku[16];
	struct cp_cart_view *v;

	(void)state;
	for (int i = 1; i <= CP_CART_MAX_LINES + 1; i++) {
		snprintf(sku, sizeof(sku), "X%03d", i);
		add_item(sku, 100);
	}
	for (int i = 1; i <= CP_CART_MAX_LINES; i++) {
		snprintf(sku, sizeof(sku), "X%03d", i);
		scan(sku, 1, i);
	}
	snprintf(sku, sizeof(sku), "X%03d", CP_CART_MAX_LINES + 1);
	scan_refused(sku, 1, CP_ESTATE);
	/* More of an item already in the cart is still fine. */
	scan("X001", 1, 1);
	v = view();
	assert_int_equal(v->nlines, CP_CART_MAX_LINES);
	assert_int_equal(v->total, 100 * (CP_CART_MAX_LINES + 1));
}

/* A cart worth more than any amount the till handles (CP_MONEY_MAX: no tender can be larger,
 * so such a cart could never be paid) is refused when the quantity is entered, and the cart
 * stays as it was. */
static void test_total_overflow_refused(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_cart_view *before, *after;

	(void)state;
	add_item("BIG", CP_MONEY_MAX);
	scan(MILK, 1, 1);
	scan_refused("BIG", CP_QTY_MAX, CP_EOVERFLOW);
	assert_int_equal(cp_cart_cancel(env.db, &env.cashier, &err), CP_OK);

	/* Exactly the largest amount is fine; one fen more is not. */
	scan("BIG", 1, 1);
	before = view();
	assert_int_equal(before->total, CP_MONEY_MAX);
	assert_int_equal(cp_cart_set_qty(env.db, &env.cashier, 1, 2, &err), CP_EOVERFLOW);
	after = view();
	assert_same_cart(before, after);
	scan_refused(MILK, 1, CP_EOVERFLOW);
}

/* Whatever is scanned, the cart can always be viewed (and so paid or cancelled). */
static void test_cart_always_viewable(void **state)
{
	char sku[16];
	struct cp_errbuf err = {{0}};
	struct cp_cart_view *v;

	(void)state;
	for (int i = 0; i < 10; i++) {
		snprintf(sku, sizeof(sku), "HUGE%d", i);
		add_item(sku, CP_MONEY_MAX);
		err.msg[0] = '\0';
		(void)cp_cart_scan(env.db, &env.cashier, sku, CP_QTY_MAX, NULL, &err);
		v = view();
		assert_true(v->total >= 0);
	}
	assert_int_equal(cp_cart_cancel(env.db, &env.cashier, &err), CP_OK);
}

/* ---- the open sale belongs to the login that opened it (issue 8, item 4) ---- */

/* Every change another session tries is refused, names the owner and what to do, and changes
 * nothing; the view for editing is refused too. */
static void assert_refused_to(const struct cp_session *other, const char *owner)
{
	struct cp_cart_view *before = view(), *after, *seen = calloc(1, sizeof(*seen));
	struct cp_errbuf err = {{0}};
	int64_t journal =
		test_count(&env, "SELECT count(*) FROM journal WHERE type <> 'shift_open'");

	assert_non_null(seen);
	views[nviews++] = seen;
	assert_int_equal(cp_cart_scan(env.db, other, BREAD, 1, NULL, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, owner));
	assert_non_null(strstr(err.msg, "take it over"));
	err.msg[0] = '\0';
	assert_int_equal(cp_cart_set_qty(env.db, other, 1, 7, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, owner));
	assert_int_equal(cp_cart_remove(env.db, other, 1, &err), CP_ESTATE);
	assert_int_equal(cp_cart_set_member(env.db, other, "M2", &err), CP_ESTATE);
	assert_int_equal(cp_cart_set_member(env.db, other, NULL, &err), CP_ESTATE);
	assert_int_equal(cp_cart_cancel(env.db, other, &err), CP_ESTATE);
	assert_int_equal(cp_cart_view(env.db, other, seen, &err), CP_ESTATE);
	assert_false(seen->open);
	assert_int_equal(seen->nlines, 0);
	after = view();
	assert_same_cart(before, after);
	assert_int_equal(
		test_count(&env, "SELECT count(*) FROM journal WHERE type <> 'shift_open'"),
		journal);
}

static void test_other_staff_refused(void **state)
{
	struct cp_cart_owner o;
	struct cp_errbuf err = {{0}};

	(void)state;
	scan(MILK, 2, 1);
	assert_int_equal(cp_cart_set_member(env.db, &env.cashier, "M1", &err), CP_OK);
	assert_refused_to(&env.manager, "staff 1001 (王收银) has a sale open since");
	/* The message says how much is at stake: 2 items, member price 2 x 28.00. */
	assert_int_equal(cp_cart_scan(env.db, &env.manager, BREAD, 1, NULL, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "(2 items, ¥56.00)"));
	assert_int_equal(cp_cart_owner(env.db, &env.manager, &o, &err), CP_OK);
	assert_true(o.open);
	assert_false(o.mine);
	assert_string_equal(o.staff, "1001");
	assert_string_equal(o.name, "王收银");
	assert_int_equal(o.items, 2);
	assert_int_equal(o.total, 5600);
	assert_int_equal(cp_cart_owner(env.db, &env.cashier, &o, &err), CP_OK);
	assert_true(o.mine);
}

/* The same staff code logging in again (a restart, a crash) is a new session: it too must
 * take the sale over, and then the old session is refused. */
static void test_same_staff_new_login_refused(void **state)
{
	struct cp_session again;
	struct cp_cart_takeover t;
	struct cp_errbuf err = {{0}};

	(void)state;
	scan(MILK, 1, 1);
	assert_int_equal(cp_staff_login(env.db, "1001", "1234", &again, NULL, &err), CP_OK);
	assert_int_equal(strlen(again.token), CP_SESSION_TOKEN_LEN);
	assert_string_not_equal(again.token, env.cashier.token);
	assert_refused_to(&again, "your sale opened at");
	assert_int_equal(cp_cart_take_over(env.db, &again, &t, &err), CP_OK);
	assert_string_equal(t.from.staff, "1001");
	assert_int_equal(test_count(&env, "SELECT count(*) FROM cart_takeover WHERE from_staff ="
					  " '1001' AND to_staff = '1001'"),
			 1);
	assert_int_equal(cp_cart_scan(env.db, &again, BREAD, 1, NULL, &err), CP_OK);
	assert_int_equal(cp_cart_scan(env.db, &env.cashier, BREAD, 1, NULL, &err), CP_ESTATE);
}

/* Taking over is one recorded event that verify replays; the new owner works on the cart and
 * the previous owner is refused. */
static void test_take_over(void **state)
{
	struct cp_verify_report rep;
	struct cp_cart_takeover t;
	struct cp_cart_view *v = calloc(1, sizeof(*v));
	struct cp_errbuf err = {{0}};

	(void)state;
	assert_non_null(v);
	views[nviews++] = v;
	/* Nothing to take over yet. */
	assert_int_equal(cp_cart_take_over(env.db, &env.manager, &t, &err), CP_ESTATE);
	scan(MILK, 1, 1);
	scan("T1", 1, 2);
	assert_int_equal(cp_cart_set_member(env.db, &env.cashier, "M1", &err), CP_OK);
	assert_int_equal(cp_cart_take_over(env.db, &env.cashier, &t, &err), CP_ESTATE);
	assert_int_equal(
		test_count(&env, "SELECT count(*) FROM journal WHERE type <> 'shift_open'"), 0);
	assert_int_equal(cp_cart_take_over(env.db, &env.manager, &t, &err), CP_OK);
	assert_int_equal(t.seq, 2); /* 1 is the shift */
	assert_string_equal(t.from.staff, "1001");
	assert_int_equal(t.from.nlines, 2);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM journal WHERE seq = 2 AND type ="
					  " 'cart_takeover'"),
			 1);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM cart_takeover WHERE seq = 2 AND"
					  " from_staff = '1001' AND to_staff = '9001' AND lines = 2"
					  " AND items = 2 AND member_id = 'M1' AND opened_at > 0"),
			 1);
	assert_int_equal(cp_cart_take_over(env.db, &env.manager, &t, &err), CP_ESTATE);
	assert_int_equal(cp_cart_view(env.db, &env.manager, v, &err), CP_OK);
	assert_true(v->open);
	assert_string_equal(v->staff, "9001");
	assert_int_equal(v->nlines, 2);
	assert_true(v->has_member);
	assert_int_equal(cp_cart_set_qty(env.db, &env.manager, 1, 3, &err), CP_OK);
	assert_refused_to(&env.cashier, "staff 9001 (刘店长)");
	assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_OK);
	assert_int_equal(rep.rows, 2); /* the shift and the takeover */
	/* The view table is the journal's: a row changed by hand is found. */
	assert_int_equal(sqlite3_exec(env.db->h, "UPDATE cart_takeover SET to_staff = '1001'", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_ECORRUPT);
	assert_non_null(strstr(err.msg, "cart_takeover"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_cart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_ean13, setup, teardown),
		cmocka_unit_test_setup_teardown(test_double_scan_adds_quantity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_sku_and_ean8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_scanner_noise, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_bad_check_digit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_quantities, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_qty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_keeps_line_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_logged_in, setup, teardown),
		cmocka_unit_test_setup_teardown(test_totals_and_eligible, setup, teardown),
		cmocka_unit_test_setup_teardown(test_member_price, setup, teardown),
		cmocka_unit_test_setup_teardown(test_view_after_change_reads_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_view_reads_no_staff_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_member, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cart_survives_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_total_overflow_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cart_always_viewable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_staff_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_staff_new_login_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_over, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
