/* test_report_discount.c — the tally's discounts (issue 16): one sale of each kind (member
 * price, tier discount, a coupon, a manual discount, the cash rounding), gross at list price,
 * discounts by kind, gross - discounts = net; refunds (whole lines, units of a line, the last
 * units taking what is left) and a post-void taking their lines' discounts back; the text
 * report in English and Chinese; the Z carrying them, verify recomputing them and finding an
 * altered row of report_line_discount. The figures are read from the report's JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "cart.h"
#include "coupon.h"
#include "db_int.h"
#include "discount.h"
#include "journal.h"
#include "refund.h"
#include "report.h"
#include "report_text.h"
#include "rounding.h"
#include "sale.h"
#include "support.h"
#include "ui.h"

static struct test_env env;

static int setup(void **state)
{
	(void)state;
	test_env_open(&env, "report_discount", true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

static void scan(const char *sku, int64_t qty)
{
	OK(cp_cart_scan(env.db, &env.cashier, sku, qty, NULL, &e_));
}

static struct cp_sale_result pay(int64_t cash)
{
	struct cp_tender t = {.method = CP_TENDER_CASH, .amount = cash};
	struct cp_sale_result r;

	OK(cp_sale_pay(env.db, &env.cashier, &t, 1, &r, &e_));
	return r;
}

static int64_t refund(const char *receipt, int line, int64_t qty, bool void_sale)
{
	struct cp_refund_req req = {.receipt = receipt,
				    .lines = line ? &line : NULL,
				    .qty = qty ? &qty : NULL,
				    .nlines = line ? 1 : 0,
				    .void_sale = void_sale};
	struct cp_refund_result rr;

	OK(cp_refund(env.db, &env.manager, &req, &rr, &e_));
	return rr.amount;
}

/* The day's report as JSON. */
static json_t *report(void)
{
	struct cp_tally *t = calloc(1, sizeof(*t));
	json_t *o;
	char *text;

	assert_non_null(t);
	OK(cp_report_tally(env.db, "2026-11-24", t, &e_));
	text = cp_report_json(t, "x", "S1", "T1");
	assert_non_null(text);
	o = json_loads(text, 0, NULL);
	assert_non_null(o);
	free(text);
	free(t);
	return o;
}

static int64_t num(json_t *o, const char *key, const char *sub)
{
	json_t *v = json_object_get(o, key);

	if (sub)
		v = json_object_get(v, sub);
	if (!json_is_integer(v))
		fail_msg("the report has no %s%s%s", key, sub ? "." : "", sub ? sub : "");
	return json_integer_value(v);
}

static void figures(json_t *o, int64_t gross, int64_t member, int64_t coupon, int64_t manual,
		    int64_t rounding)
{
	assert_int_equal(num(o, "discount_kinds", "member"), member);
	assert_int_equal(num(o, "discount_kinds", "coupon"), coupon);
	assert_int_equal(num(o, "discount_kinds", "manual"), manual);
	assert_int_equal(num(o, "discount_kinds", "rounding"), rounding);
	assert_int_equal(num(o, "discounts", NULL), member + coupon + manual + rounding);
	assert_int_equal(num(o, "gross", NULL), gross);
	/* the list price less what was given off it is what was paid, net of refunds */
	assert_int_equal(num(o, "gross", NULL) - num(o, "discounts", NULL), num(o, "net", NULL));
}

/* A bearer coupon of ¥1.00 off, issued by a member's sale of ¥100 or more. */
static void coupon_setup(void)
{
	struct cp_coupon_template t = {
		.threshold = 0, .amount = 100, .valid_days = 30, .bearer = true, .stacks = true};
	struct cp_coupon_rule r = {.threshold = 10000};

	snprintf(t.id, sizeof(t.id), "ONE");
	snprintf(t.kind, sizeof(t.kind), "amount");
	snprintf(t.title_zh, sizeof(t.title_zh), "立减1元");
	snprintf(t.title_en, sizeof(t.title_en), "¥1 off");
	snprintf(t.scope, sizeof(t.scope), "all");
	OK(cp_coupon_template_put(env.db, &t, &e_));
	snprintf(r.id, sizeof(r.id), "R1");
	snprintf(r.templates, sizeof(r.templates), "ONE");
	snprintf(r.valid_from, sizeof(r.valid_from), "2026-01-01");
	snprintf(r.valid_to, sizeof(r.valid_to), "2026-12-31");
	OK(cp_coupon_rule_put(env.db, &r, &e_));
}

static void issued_code(int64_t seq, char *code, size_t len)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(env.db->h,
					    "SELECT code FROM coupon_issue WHERE seq = ?1", -1, &st,
					    NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, seq);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(code, len, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static void text_has(const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("the report lacks \"%s\":\n%s", want, text);
}

static void test_discounts_by_kind(void **state)
{
	struct cp_tier_discount td = {.level = 0, .discount_bp = 500};
	struct cp_discount_req dr = {
		.line_no = 1, .kind = CP_DISCOUNT_AMOUNT, .value = 299, .reason = "damaged box"};
	struct cp_sale_result s1, s2, s3, s4, s5;
	struct cp_tally *t = calloc(1, sizeof(*t));
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};
	char code[CP_COUPON_CODE_LEN + 1], *text;
	int64_t a4, b4;
	json_t *o;

	(void)state;
	assert_non_null(t);
	snprintf(td.except, sizeof(td.except), "TOBACCO");
	OK(cp_tier_discount_put(env.db, &td, &e_)); /* 普通 (M2): 5% off */
	coupon_setup();
	/* member price: ¥30.00 at ¥28.00 */
	scan("A1", 1);
	OK(cp_cart_set_member(env.db, &env.cashier, "M1", &e_));
	s1 = pay(3000);
	assert_int_equal(s1.total, 2800);
	/* tier discount: ¥120.00 less 5%; the sale issues the coupon */
	scan("G120", 1);
	OK(cp_cart_set_member(env.db, &env.cashier, "M2", &e_));
	s2 = pay(12000);
	assert_int_equal(s2.total, 11400);
	issued_code(s2.seq, code, sizeof(code));
	assert_int_equal(sqlite3_exec(env.db->h, "DELETE FROM coupon_rule", NULL, NULL, NULL),
			 SQLITE_OK);
	/* the coupon: ¥19.99 less ¥1.00 */
	scan("A2", 1);
	OK(cp_coupon_apply(env.db, &env.cashier, code, NULL, &e_));
	s3 = pay(1899);
	assert_int_equal(s3.total, 1899);
	/* a manual discount of ¥2.99 off three breads */
	scan("A2", 3);
	OK(cp_discount_add(env.db, &env.cashier, &dr, NULL, &e_));
	s4 = pay(5698);
	assert_int_equal(s4.total, 5698);
	/* 抹零: ¥19.99 paid in cash, yuan down */
	env.db->rounding = CP_ROUNDING_YUAN_DOWN;
	scan("A2", 1);
	s5 = pay(2000);
	assert_int_equal(s5.total, 1900);
	env.db->rounding = CP_ROUNDING_NONE;

	/* at list price 30.00 + 120.00 + 19.99 + 59.97 + 19.99 */
	o = report();
	figures(o, 3000 + 12000 + 1999 + 5997 + 1999, 200 + 600, 100, 299, 99);
	assert_int_equal(num(o, "net", NULL), 2800 + 11400 + 1899 + 5698 + 1900);
	json_decref(o);

	/* the tier-discounted line back whole; one bread of three; the rounded sale voided */
	assert_int_equal(refund(s2.receipt, 1, 0, false), 11400);
	a4 = refund(s4.receipt, 1, 1, false);
	assert_int_equal(a4, 5698 / 3);
	assert_int_equal(refund(s5.receipt, 0, 0, true), 1900);
	o = report();
	/* one bread takes 299 x 1 / 3 = 99 of the manual discount back */
	figures(o, 3000 + 1999 + 5997 - a4 - 99, 200, 100, 299 - 99, 0);
	json_decref(o);
	/* the last two breads take what is left: 200, so none is left */
	b4 = refund(s4.receipt, 1, 0, false);
	assert_int_equal(a4 + b4, 5698);
	o = report();
	figures(o, 3000 + 1999, 200, 100, 0, 0);
	assert_int_equal(num(o, "net", NULL), 2800 + 1899);
	assert_int_equal(num(o, "member_savings", NULL), 800); /* the sales' own, as before */
	json_decref(o);

	/* the printed report, in English and in Chinese */
	OK(cp_report_tally(env.db, "2026-11-24", t, &e_));
	cp_ui_setup_locale("en");
	assert_non_null(text = cp_ui_report_text(t, "x", NULL, 48));
	text_has(text, "\n  gross                                   ¥49.99\n");
	text_has(text, "\n  discounts                                ¥3.00\n");
	text_has(text, "\n    member price, tier discount            ¥2.00\n");
	text_has(text, "\n    coupons                                ¥1.00\n");
	text_has(text, "\n    manual discounts                       ¥0.00\n");
	free(text);
	cp_ui_setup_locale("zh_CN");
	assert_non_null(text = cp_ui_report_text(t, "x", NULL, 48));
	text_has(text, "会员价、等级折扣");
	text_has(text, "优惠券");
	text_has(text, "手工折扣");
	text_has(text, "¥49.99");
	free(text);
	cp_ui_setup_locale("en");

	/* the Z carries them; verify recomputes it, and finds a line's discount altered */
	OK(cp_report_z(env.db, &env.manager, "2026-11-24", t, &e_));
	assert_int_equal(t->gross, 4999);
	assert_int_equal(t->discounts, 300);
	assert_int_equal(test_count(&env,
				    "SELECT json_extract(totals, '$.discount_kinds.coupon') FROM"
				    " day_close"),
			 100);
	OK(cp_journal_verify(env.db, &rep, &e_));
	assert_int_equal(sqlite3_exec(env.db->h,
				      "UPDATE report_line_discount SET coupon = coupon + 1"
				      " WHERE coupon > 0",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_ECORRUPT);
	if (!strstr(err.msg, "report_line_discount"))
		fail_msg("verify said: %s", err.msg);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_discounts_by_kind, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
