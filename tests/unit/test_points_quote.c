/* test_points_quote.c — the points quote (F9, script `points`) is figured on what is paid
 * (issue 16, EXAMPLES.md 3 and 4): the cart's coupons come off first, so the 50% cap, the
 * lines points may pay for and the most points may pay now are those the payment checks, and
 * paying exactly the quote is accepted. */
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
#include "coupon.h"
#include "db_int.h"
#include "journal.h"
#include "pointspay.h"
#include "sale.h"
#include "support.h"

static struct test_env env;

static int setup(void **state)
{
	struct cp_coupon_template t = {
		.amount = 3000, .valid_days = 30, .bearer = true, .stacks = true};
	struct cp_coupon_rule r = {.threshold = 10000};

	(void)state;
	test_env_open(&env, "points_quote", true);
	snprintf(t.id, sizeof(t.id), "OFF30");
	snprintf(t.kind, sizeof(t.kind), "amount");
	snprintf(t.title_zh, sizeof(t.title_zh), "立减30元");
	snprintf(t.title_en, sizeof(t.title_en), "¥30 off");
	snprintf(t.scope, sizeof(t.scope), "all");
	OK(cp_coupon_template_put(env.db, &t, &e_));
	snprintf(r.id, sizeof(r.id), "R");
	snprintf(r.templates, sizeof(r.templates), "OFF30");
	snprintf(r.valid_from, sizeof(r.valid_from), "2026-01-01");
	snprintf(r.valid_to, sizeof(r.valid_to), "2026-12-31");
	OK(cp_coupon_rule_put(env.db, &r, &e_));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

static void quote(struct cp_pointspay_quote *q)
{
	struct cp_cart_view *v = malloc(sizeof(*v));

	assert_non_null(v);
	OK(cp_cart_view(env.db, &env.cashier, v, &e_));
	OK(cp_pointspay_quote(env.db, v, q, &e_));
	free(v);
}

static void test_quote_after_coupons(void **state)
{
	struct cp_tender cash = {.method = CP_TENDER_CASH, .amount = 12000};
	struct cp_tender two[2] = {{.method = CP_TENDER_POINTS}, {.method = CP_TENDER_CASH}};
	struct cp_pointspay_quote q;
	struct cp_sale_result r;
	char code[CP_COUPON_CODE_LEN + 1];
	sqlite3_stmt *st;

	(void)state;
	/* a member's ¥120.00 sale issues a bearer ¥30.00 coupon */
	OK(cp_cart_scan(env.db, &env.cashier, "G120", 1, NULL, &e_));
	OK(cp_cart_set_member(env.db, &env.cashier, "M1", &e_));
	OK(cp_sale_pay(env.db, &env.cashier, &cash, 1, &r, &e_));
	assert_int_equal(
		sqlite3_prepare_v2(env.db->h, "SELECT code FROM coupon_issue", -1, &st, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(code, sizeof(code), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	/* M2 (3,050 points) buys ¥88.00: half the bill is ¥44.00, the balance allows ¥30.00 */
	OK(cp_cart_scan(env.db, &env.cashier, "G88", 1, NULL, &e_));
	OK(cp_cart_set_member(env.db, &env.cashier, "M2", &e_));
	quote(&q);
	assert_int_equal(q.cap, 4400);
	assert_int_equal(q.max_fen, 3000);
	/* with the coupon the bill is ¥58.00: at most ¥29.00 in points */
	OK(cp_coupon_apply(env.db, &env.cashier, code, NULL, &e_));
	quote(&q);
	assert_int_equal(q.base, 5800);
	assert_int_equal(q.cap, 2900);
	assert_int_equal(q.max_fen, 2900);
	assert_int_equal(q.max_points, 2900);
	assert_non_null(strstr(q.limit, "at most ¥29.00 of this bill"));
	/* the quote is what the payment accepts */
	two[0].amount = q.max_fen;
	two[1].amount = 5800 - q.max_fen;
	OK(cp_sale_pay(env.db, &env.cashier, two, 2, &r, &e_));
	assert_int_equal(r.total, 5800);
	{
		struct cp_verify_report rep;

		OK(cp_journal_verify(env.db, &rep, &e_));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_quote_after_coupons, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
