/* test_rounding.c — 抹零: each mode on amounts already round, 1 fen and the overflow edge;
 * a sale paid in cash rounded, one paid by card not; the rounding spread over the lines so
 * that a full refund gives back exactly what was paid; points earned on what was paid; the
 * receipt's line, the tally's sum, and verify replaying it. */
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
#include "catalog.h"
#include "db_int.h"
#include "journal.h"
#include "money.h"
#include "refund.h"
#include "report.h"
#include "rounding.h"
#include "sale.h"
#include "support.h"
/* core/receipt.h and ui/receipt.h share a name; the ui one includes core's. */
#include "receipt_text.h"

static struct test_env env;
static struct cp_errbuf e_;

#undef OK /* support.h's; here a plain comparison */
#define OK(x) assert_int_equal((x), CP_OK)

static int setup(void **state)
{
	static const struct {
		const char *sku;
		int64_t price;
		const char *cat;
	} items[] = {{"R1", 1234, "FOOD"}, {"R2", 999, "FOOD"}, {"R3", 2001, "TOBACCO"}};

	(void)state;
	test_env_open(&env, "rounding", true);
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		struct cp_item it = {.price = items[i].price, .member_price = -1};

		snprintf(it.sku, sizeof(it.sku), "%s", items[i].sku);
		snprintf(it.name_zh, sizeof(it.name_zh), "商品 %s", items[i].sku);
		snprintf(it.name_en, sizeof(it.name_en), "Item %s", items[i].sku);
		snprintf(it.category, sizeof(it.category), "%s", items[i].cat);
		OK(cp_catalog_put_item(env.db, &it, &e_));
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

static int64_t rounded(enum cp_rounding m, int64_t due)
{
	int64_t fen = 12345;

	assert_true(cp_rounding_compute(m, due, &fen));
	return fen;
}

static void test_modes(void **state)
{
	int64_t fen = 1;

	(void)state;
	/* none */
	assert_int_equal(rounded(CP_ROUNDING_NONE, 1234), 0);
	/* jiao_down: the fen go; already round, 1 fen and below one jiao stay */
	assert_int_equal(rounded(CP_ROUNDING_JIAO_DOWN, 1234), 4);
	assert_int_equal(rounded(CP_ROUNDING_JIAO_DOWN, 1239), 9);
	assert_int_equal(rounded(CP_ROUNDING_JIAO_DOWN, 1230), 0);
	assert_int_equal(rounded(CP_ROUNDING_JIAO_DOWN, 1), 0);
	assert_int_equal(rounded(CP_ROUNDING_JIAO_DOWN, 11), 1);
	/* jiao_nearest: half up, so the customer may pay a few fen more */
	assert_int_equal(rounded(CP_ROUNDING_JIAO_NEAREST, 1234), 4);
	assert_int_equal(rounded(CP_ROUNDING_JIAO_NEAREST, 1235), -5);
	assert_int_equal(rounded(CP_ROUNDING_JIAO_NEAREST, 1239), -1);
	assert_int_equal(rounded(CP_ROUNDING_JIAO_NEAREST, 1230), 0);
	assert_int_equal(rounded(CP_ROUNDING_JIAO_NEAREST, 1), 0); /* would be ¥0.00 */
	assert_int_equal(rounded(CP_ROUNDING_JIAO_NEAREST, 5), -5);
	/* yuan_down */
	assert_int_equal(rounded(CP_ROUNDING_YUAN_DOWN, 1234), 34);
	assert_int_equal(rounded(CP_ROUNDING_YUAN_DOWN, 1200), 0);
	assert_int_equal(rounded(CP_ROUNDING_YUAN_DOWN, 99), 0);
	assert_int_equal(rounded(CP_ROUNDING_YUAN_DOWN, 101), 1);
	/* yuan_nearest */
	assert_int_equal(rounded(CP_ROUNDING_YUAN_NEAREST, 1249), 49);
	assert_int_equal(rounded(CP_ROUNDING_YUAN_NEAREST, 1250), -50);
	assert_int_equal(rounded(CP_ROUNDING_YUAN_NEAREST, 1), 0);
	/* nothing due, and the edges of money */
	assert_int_equal(rounded(CP_ROUNDING_YUAN_DOWN, 0), 0);
	assert_int_equal(rounded(CP_ROUNDING_YUAN_DOWN, -150), 0);
	assert_int_equal(rounded(CP_ROUNDING_YUAN_NEAREST, CP_MONEY_MAX), 0);
	assert_int_equal(rounded(CP_ROUNDING_YUAN_NEAREST, CP_MONEY_MAX - 1), -1);
	assert_int_equal(rounded(CP_ROUNDING_JIAO_DOWN, CP_MONEY_MAX - 1), 9);
	assert_false(cp_rounding_compute(CP_ROUNDING_YUAN_NEAREST, CP_MONEY_MAX + 1, &fen));
	assert_int_equal(fen, 0);
	assert_false(cp_rounding_compute(CP_ROUNDING_YUAN_DOWN, INT64_MAX, &fen));
	assert_false(cp_rounding_compute((enum cp_rounding)9, 100, &fen));
	/* names */
	for (int m = 0; m <= CP_ROUNDING_YUAN_NEAREST; m++)
		assert_int_equal(cp_rounding_parse(cp_rounding_name((enum cp_rounding)m)), m);
	assert_int_equal(cp_rounding_parse("jiao"), -1);
	assert_int_equal(cp_rounding_parse(NULL), -1);
}

static void scan(const char *sku, int64_t qty)
{
	OK(cp_cart_scan(env.db, &env.cashier, sku, qty, NULL, &e_));
}

static void verify_ok(void)
{
	struct cp_verify_report rep;

	OK(cp_journal_verify(env.db, &rep, &e_));
}

/* yuan_down, member M2 (普通): R1 ¥12.34 + R2 ¥9.99 + R3 ¥20.01 (tobacco) = ¥42.34 paid ¥42.00
 * in cash; the 34 fen are spread over the lines; points on the food paid for. */
static void test_cash_sale_rounded_and_refunded(void **state)
{
	struct cp_tender cash = {CP_TENDER_CASH, 5000};
	struct cp_sale_result r;
	struct cp_refund_result rf;
	struct cp_refund_req req = {0};
	struct cp_receipt_view *v = calloc(1, sizeof(*v));
	char *text = malloc(CP_RECEIPT_RENDER_MAX);
	int64_t lines_sum, eligible;

	(void)state;
	assert_non_null(v);
	assert_non_null(text);
	env.db->rounding = CP_ROUNDING_YUAN_DOWN;
	scan("R1", 1);
	scan("R2", 1);
	scan("R3", 1);
	OK(cp_cart_set_member(env.db, &env.cashier, "M2", &e_));
	OK(cp_sale_pay(env.db, &env.cashier, &cash, 1, &r, &e_));
	assert_int_equal(r.rounding, 34);
	assert_int_equal(r.total, 4200);
	assert_int_equal(r.change, 800);
	lines_sum = test_count(&env, "SELECT sum(amount) FROM sale_line");
	assert_int_equal(lines_sum, 4200);
	assert_int_equal(test_count(&env, "SELECT sum(fen) FROM rounding_line"), 34);
	assert_int_equal(test_count(&env, "SELECT fen FROM sale_rounding"), 34);
	assert_int_equal(test_count(&env, "SELECT due FROM sale_rounding"), 4234);
	/* eligible = the food lines after their share: 34 * 2233/4234 = 17.93 -> 17 (+1 left) */
	eligible = test_count(&env, "SELECT sum(amount) FROM sale_line WHERE eligible");
	assert_int_equal(r.eligible, eligible);
	assert_true(eligible < 2233 && eligible >= 2233 - 34);
	assert_int_equal(r.points, eligible * 2 / 100); /* M2's birthday month: x2 */
	verify_ok();

	/* the receipt: lines as priced, then 抹零 -¥0.34 and the total */
	OK(cp_receipt_get(env.db, r.receipt, v, &e_));
	assert_int_equal(v->rounding, 34);
	assert_int_equal(v->lines[0].amount + v->lines[1].amount + v->lines[2].amount, 4234);
	assert_true(cp_ui_receipt_render(v, 42, "¥", text, CP_RECEIPT_RENDER_MAX) > 0);
	assert_non_null(strstr(text, "Rounding"));
	assert_non_null(strstr(text, "-¥0.34"));

	/* the tally sums it */
	{
		struct cp_tally *t = calloc(1, sizeof(*t));
		char day[11];

		assert_non_null(t);
		OK(cp_report_today(env.db, day, &e_));
		OK(cp_report_tally(env.db, day, t, &e_));
		assert_int_equal(t->rounding.count, 1);
		assert_int_equal(t->rounding.amount, 34);
		assert_int_equal(t->sales.amount, 4200);
		free(t);
	}

	/* a full refund gives back exactly what was paid, and every point */
	req.receipt = r.receipt;
	OK(cp_refund(env.db, &env.manager, &req, &rf, &e_));
	assert_int_equal(rf.amount, 4200);
	assert_int_equal(rf.points, r.points);
	assert_int_equal(test_count(&env, "SELECT sum(amount) FROM tender"), 800);
	verify_ok();
	env.db->rounding = CP_ROUNDING_NONE;
	free(v);
	free(text);
}

/* A card never rounds; card + cash rounds only the cash part; a partial refund of a rounded
 * sale gives back the line's share. */
static void test_card_not_rounded_mixed_is(void **state)
{
	struct cp_tender card = {CP_TENDER_CARD, 1234};
	struct cp_tender mixed[2] = {{CP_TENDER_CARD, 1000}, {CP_TENDER_CASH, 2000}};
	struct cp_sale_result r;
	struct cp_refund_result rf;
	int line1[] = {1};
	struct cp_refund_req req = {.lines = line1, .nlines = 1};
	int64_t line1_amount;

	(void)state;
	env.db->rounding = CP_ROUNDING_JIAO_DOWN;
	scan("R1", 1);
	OK(cp_sale_pay(env.db, &env.cashier, &card, 1, &r, &e_));
	assert_int_equal(r.rounding, 0);
	assert_int_equal(r.total, 1234);

	/* ¥22.33: ¥10 by card, the ¥12.33 left in cash rounds to ¥12.30 */
	scan("R1", 1);
	scan("R2", 1);
	OK(cp_sale_pay(env.db, &env.cashier, mixed, 2, &r, &e_));
	assert_int_equal(r.rounding, 3);
	assert_int_equal(r.total, 2230);
	assert_int_equal(r.change, 2000 - 1230);
	req.receipt = r.receipt;
	line1_amount = test_count(&env, "SELECT amount FROM sale_line WHERE seq = (SELECT max(seq)"
					" FROM sale) AND line_no = 1");
	OK(cp_refund(env.db, &env.manager, &req, &rf, &e_));
	assert_int_equal(rf.amount, line1_amount);
	assert_true(line1_amount < 1234);
	req.lines = NULL;
	req.nlines = 0;
	OK(cp_refund(env.db, &env.manager, &req, &rf, &e_));
	assert_int_equal(rf.amount + line1_amount, 2230);
	verify_ok();

	/* a card that covers it all and cash too (no cash due): nothing rounded */
	{
		struct cp_tender t[2] = {{CP_TENDER_CARD, 1234}, {CP_TENDER_CASH, 100}};

		scan("R1", 1);
		OK(cp_sale_pay(env.db, &env.cashier, t, 2, &r, &e_));
		assert_int_equal(r.rounding, 0);
		assert_int_equal(r.change, 100);
	}
	env.db->rounding = CP_ROUNDING_NONE;
}

/* Rounding to the nearest may add: ¥9.99 in cash with yuan_nearest is ¥10.00. */
static void test_nearest_adds(void **state)
{
	struct cp_tender cash = {CP_TENDER_CASH, 1000};
	struct cp_sale_result r;
	struct cp_refund_result rf;
	struct cp_refund_req req = {0};

	(void)state;
	env.db->rounding = CP_ROUNDING_YUAN_NEAREST;
	scan("R2", 1);
	OK(cp_sale_pay(env.db, &env.cashier, &cash, 1, &r, &e_));
	assert_int_equal(r.rounding, -1);
	assert_int_equal(r.total, 1000);
	assert_int_equal(r.change, 0);
	req.receipt = r.receipt;
	OK(cp_refund(env.db, &env.manager, &req, &rf, &e_));
	assert_int_equal(rf.amount, 1000);
	verify_ok();
	env.db->rounding = CP_ROUNDING_NONE;
}

/* Too little cash for the rounded due changes nothing. */
static void test_short_cash_refused(void **state)
{
	struct cp_tender cash = {CP_TENDER_CASH, 1199};
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};
	int64_t sales = test_count(&env, "SELECT count(*) FROM sale");

	(void)state;
	env.db->rounding = CP_ROUNDING_YUAN_DOWN;
	scan("R1", 1);
	assert_int_equal(cp_sale_pay(env.db, &env.cashier, &cash, 1, &r, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "0.01"));
	assert_int_equal(test_count(&env, "SELECT count(*) FROM sale"), sales);
	cash.amount = 1200;
	OK(cp_sale_pay(env.db, &env.cashier, &cash, 1, &r, &e_));
	assert_int_equal(r.rounding, 34);
	env.db->rounding = CP_ROUNDING_NONE;
}

/* verify replays sale_rounding and rounding_line: a changed row is found. */
static void test_verify_finds_changed_rounding(void **state)
{
	static const char *const tamper[][2] = {
		{"UPDATE sale_rounding SET fen = fen + 1",
		 "UPDATE sale_rounding SET fen = fen - 1"},
		{"UPDATE rounding_line SET fen = fen + 1",
		 "UPDATE rounding_line SET fen = fen - 1"},
	};
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	(void)state;
	verify_ok();
	assert_true(test_count(&env, "SELECT count(*) FROM sale_rounding") > 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(sqlite3_exec(env.db->h, tamper[i][0], NULL, NULL, NULL),
				 SQLITE_OK);
		assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_ECORRUPT);
		assert_non_null(strstr(err.msg, "rounding"));
		assert_int_equal(sqlite3_exec(env.db->h, tamper[i][1], NULL, NULL, NULL),
				 SQLITE_OK);
		verify_ok();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_cash_sale_rounded_and_refunded),
		cmocka_unit_test(test_card_not_rounded_mixed_is),
		cmocka_unit_test(test_nearest_adds),
		cmocka_unit_test(test_short_cash_refused),
		cmocka_unit_test(test_verify_finds_changed_rounding),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
