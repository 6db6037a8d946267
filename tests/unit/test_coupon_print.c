/* test_coupon_print.c — coupons a member takes at the till (issue 16) are printed once: one
 * taken for points (积分兑券) and one granted as a benefit while a sale is open are on their own
 * slips, with the code and its Code 39 form, in English and in Chinese, and not on the
 * receipt of the sale they were taken in. */
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
#include "coupon.h"
#include "db_int.h"
#include "journal.h"
#include "offer.h"
#include "receipt.h"
#include "receipt_text.h"
#include "sale.h"
#include "support.h"
#include "ui.h"

static struct test_env env;

/* Today is Tuesday 2026-11-24. A 10% coupon (at most ¥3.00) for 200 points; a ¥5.00 coupon as
 * an always-open daily benefit of every tier. */
static int setup(void **state)
{
	struct cp_coupon_template t = {
		.percent_bp = 1000, .cap = 300, .valid_days = 30, .stacks = true};
	struct cp_offer o = {.points = 200, .stock = -1, .limit = 1};
	struct cp_benefit b = {.points = 0};

	(void)state;
	test_env_open(&env, "coupon_print", true);
	snprintf(t.id, sizeof(t.id), "PCT");
	snprintf(t.kind, sizeof(t.kind), "percent");
	snprintf(t.title_zh, sizeof(t.title_zh), "九折券");
	snprintf(t.title_en, sizeof(t.title_en), "10%% off");
	snprintf(t.scope, sizeof(t.scope), "all");
	OK(cp_coupon_template_put(env.db, &t, &e_));
	t.percent_bp = 0;
	t.cap = 0;
	t.amount = 500;
	snprintf(t.id, sizeof(t.id), "GIFT5");
	snprintf(t.kind, sizeof(t.kind), "amount");
	snprintf(t.title_zh, sizeof(t.title_zh), "礼遇5元券");
	snprintf(t.title_en, sizeof(t.title_en), "¥5 benefit");
	OK(cp_coupon_template_put(env.db, &t, &e_));
	snprintf(o.id, sizeof(o.id), "X-PCT");
	snprintf(o.reward_kind, sizeof(o.reward_kind), "coupon");
	snprintf(o.sku, sizeof(o.sku), "PCT");
	snprintf(o.name_zh, sizeof(o.name_zh), "积分兑九折券");
	snprintf(o.name_en, sizeof(o.name_en), "Points for 10%% off");
	snprintf(o.period, sizeof(o.period), "day");
	snprintf(o.valid_from, sizeof(o.valid_from), "2026-11-01");
	snprintf(o.valid_to, sizeof(o.valid_to), "2026-12-31");
	OK(cp_offer_put(env.db, &o, &e_));
	snprintf(b.id, sizeof(b.id), "DAY5");
	snprintf(b.title_zh, sizeof(b.title_zh), "每日礼遇");
	snprintf(b.title_en, sizeof(b.title_en), "Daily benefit");
	snprintf(b.tiers, sizeof(b.tiers), "0,1,2,3,4");
	snprintf(b.when, sizeof(b.when), "always");
	snprintf(b.period, sizeof(b.period), "day");
	snprintf(b.what, sizeof(b.what), "coupon");
	snprintf(b.template_id, sizeof(b.template_id), "GIFT5");
	OK(cp_benefit_put(env.db, &b, &e_));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

static struct cp_sale_result pay(int64_t cash)
{
	struct cp_tender t = {.method = CP_TENDER_CASH, .amount = cash};
	struct cp_sale_result r;

	OK(cp_sale_pay(env.db, &env.cashier, &t, 1, &r, &e_));
	return r;
}

/* The receipt as printed, read back from the database. */
static char *printed(const char *receipt)
{
	struct cp_receipt_view *v = calloc(1, sizeof(*v));
	char *text = malloc(CP_RECEIPT_RENDER_MAX);

	assert_non_null(v);
	assert_non_null(text);
	OK(cp_receipt_get(env.db, receipt, v, &e_));
	assert_true(cp_ui_receipt_render(v, 42, "¥", text, CP_RECEIPT_RENDER_MAX) > 0);
	free(v);
	return text;
}

static void has(const char *text, const char *want, bool yes)
{
	if (yes != (strstr(text, want) != NULL))
		fail_msg("the receipt %s \"%s\":\n%s", yes ? "lacks" : "has", want, text);
}

/* The sale they were taken in prints them no second time: each has its slip, printed when it
 * was taken (test_coupon_slip.c), with the code and its Code 39 form, in English and Chinese. */
static void test_taken_coupons_printed(void **state)
{
	struct cp_coupon_exchange x;
	struct cp_benefit_grant g;
	struct cp_sale_result r;
	char bar[40], *en, *zh, *slip;

	(void)state;
	OK(cp_cart_scan(env.db, &env.cashier, "A2", 1, NULL, &e_));
	OK(cp_cart_set_member(env.db, &env.cashier, "M2", &e_));
	OK(cp_coupon_exchange(env.db, &env.cashier, "X-PCT", &x, &e_));
	OK(cp_benefit_grant(env.db, &env.cashier, "DAY5", &g, &e_));
	assert_string_equal(g.what, "coupon");
	r = pay(1999);
	cp_ui_setup_locale("en");
	en = printed(r.receipt);
	has(en, "Coupons for your next visit", false);
	has(en, x.coupon.code, false);
	has(en, g.coupon.code, false);
	cp_ui_setup_locale("zh_CN");
	zh = printed(r.receipt);
	has(zh, x.coupon.code, false);
	has(zh, g.coupon.code, false);
	has(zh, "下次消费可用优惠券", false);
	/* each on its own slip, in either language */
	slip = printed(x.coupon.code);
	snprintf(bar, sizeof(bar), "*%s*", x.coupon.code);
	has(slip, bar, true);
	has(slip, "九折券", true);
	has(slip, "有效期至", true);
	free(slip);
	cp_ui_setup_locale("en");
	slip = printed(g.coupon.code);
	snprintf(bar, sizeof(bar), "*%s*", g.coupon.code);
	has(slip, bar, true);
	has(slip, "礼遇5元券", true);
	has(slip, "Valid until", true);
	free(slip);
	free(en);
	free(zh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_taken_coupons_printed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
