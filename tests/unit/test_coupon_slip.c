/* test_coupon_slip.c — a coupon taken for points (积分兑券) or granted as a benefit gets a slip of
 * its own at once (issue 16): its number is the coupon's code, it says where the coupon came
 * from, the member (masked), the coupon in words, its dates ("from the next day" too), the
 * code and its Code 39 form, and for points the points spent and the balance after, in
 * English and in Chinese. Read again after the member's balance moved it is the same, byte for
 * byte; it is kept and listed for reprint like a receipt; verify holds after the events. */
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

/* Today is Tuesday 2026-11-24. A 10% coupon (at most ¥3.00, 30 days, the member's own) for 200
 * points; a ¥5.00 coupon over ¥30.00, not on tobacco nor with another coupon, valid 7 days
 * from the next day, as an always-open daily benefit of every tier; a bearer coupon for one
 * loaf free, for 100 points. */
static int setup(void **state)
{
	struct cp_coupon_template t = {
		.percent_bp = 1000, .cap = 300, .valid_days = 30, .stacks = true};
	struct cp_offer o = {.points = 200, .stock = -1, .limit = 1};
	struct cp_benefit b = {.points = 0};

	(void)state;
	test_env_open(&env, "coupon_slip", true);
	snprintf(t.id, sizeof(t.id), "PCT");
	snprintf(t.kind, sizeof(t.kind), "percent");
	snprintf(t.title_zh, sizeof(t.title_zh), "九折券");
	snprintf(t.title_en, sizeof(t.title_en), "10%% off");
	snprintf(t.scope, sizeof(t.scope), "all");
	OK(cp_coupon_template_put(env.db, &t, &e_));

	memset(&t, 0, sizeof(t));
	snprintf(t.id, sizeof(t.id), "GIFT5");
	snprintf(t.kind, sizeof(t.kind), "amount");
	snprintf(t.title_zh, sizeof(t.title_zh), "礼遇5元券");
	snprintf(t.title_en, sizeof(t.title_en), "5 off");
	t.amount = 500;
	t.threshold = 3000;
	t.valid_days = 7;
	t.next_day = true;
	snprintf(t.scope, sizeof(t.scope), "except");
	snprintf(t.categories, sizeof(t.categories), "TOBACCO");
	OK(cp_coupon_template_put(env.db, &t, &e_));

	memset(&t, 0, sizeof(t));
	snprintf(t.id, sizeof(t.id), "LOAF");
	snprintf(t.kind, sizeof(t.kind), "item");
	snprintf(t.title_zh, sizeof(t.title_zh), "面包券");
	snprintf(t.title_en, sizeof(t.title_en), "A loaf");
	snprintf(t.sku, sizeof(t.sku), "A2");
	t.valid_days = 14;
	t.bearer = true;
	t.stacks = true;
	snprintf(t.scope, sizeof(t.scope), "only");
	snprintf(t.categories, sizeof(t.categories), "FOOD");
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
	snprintf(o.id, sizeof(o.id), "X-LOAF");
	snprintf(o.sku, sizeof(o.sku), "LOAF");
	snprintf(o.name_zh, sizeof(o.name_zh), "积分兑面包");
	snprintf(o.name_en, sizeof(o.name_en), "Points for a loaf");
	o.points = 100;
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
	cp_ui_setup_locale("en");
	test_env_close(&env);
	return 0;
}

/* The slip (or receipt) with this number as printed, laid out in the current language. */
static char *printed(const char *number)
{
	struct cp_receipt_view *v = calloc(1, sizeof(*v));
	char *text = malloc(CP_RECEIPT_RENDER_MAX);

	assert_non_null(v);
	assert_non_null(text);
	OK(cp_receipt_get(env.db, number, v, &e_));
	assert_true(cp_ui_receipt_render(v, 42, "¥", text, CP_RECEIPT_RENDER_MAX) > 0);
	free(v);
	return text;
}

static void has(const char *text, const char *want, bool yes)
{
	if (yes != (strstr(text, want) != NULL))
		fail_msg("the slip %s \"%s\":\n%s", yes ? "lacks" : "has", want, text);
}

/* One line of text holds both a and b. */
static void line_has(const char *text, const char *a, const char *b)
{
	for (const char *p = text; *p;) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char line[512];

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		if (strstr(line, a) && strstr(line, b))
			return;
		p += n + (end ? 1 : 0);
	}
	fail_msg("no line with \"%s\" and \"%s\":\n%s", a, b, text);
}

static void exchange(const char *offer, struct cp_coupon_exchange *x)
{
	OK(cp_cart_set_member(env.db, &env.cashier, "M2", &e_));
	OK(cp_coupon_exchange(env.db, &env.cashier, offer, x, &e_));
}

static void verify_ok(void)
{
	struct cp_verify_report rep;

	OK(cp_journal_verify(env.db, &rep, &e_));
}

/* Points for a coupon: the slip names the offer, the member, the coupon in words and what the
 * points left, in English and in Chinese. */
static void test_exchange_slip(void **state)
{
	struct cp_coupon_exchange x;
	struct cp_receipt_view *v = calloc(1, sizeof(*v));
	char bar[40], *en, *zh;

	(void)state;
	assert_non_null(v);
	exchange("X-PCT", &x);
	assert_int_equal(x.balance_after, 2850);
	OK(cp_receipt_get(env.db, x.coupon.code, v, &e_));
	assert_int_equal(v->kind, CP_RECEIPT_COUPON);
	assert_string_equal(v->receipt, x.coupon.code);
	assert_true(v->slip.exchange);
	assert_int_equal(v->points_spent, 200);
	assert_true(v->slip.has_balance);
	assert_int_equal(v->slip.balance_after, 2850);
	free(v);

	cp_ui_setup_locale("en");
	en = printed(x.coupon.code);
	has(en, "COUPON", true);
	line_has(en, "Store S001", "Terminal T01");
	line_has(en, "Time", "2026-11-24 10:00:00");
	line_has(en, "Cashier", "1001 王收银");
	line_has(en, "Member", "139****0002 李*");
	has(en, "李四", false);
	has(en, "Taken for points: 积分兑九折券", true);
	has(en, "九折券", true);
	has(en, "10% off, at most ¥3.00", true);
	has(en, "On every item", true);
	has(en, "For this member only", true);
	has(en, "Not with another coupon", false);
	line_has(en, "Valid from", "2026-11-24");
	has(en, "(from the next day)", false);
	line_has(en, "Valid until", "2026-12-23");
	line_has(en, "Code", x.coupon.code);
	snprintf(bar, sizeof(bar), "*%s*", x.coupon.code);
	has(en, bar, true);
	line_has(en, "Points spent", "-200");
	line_has(en, "Points balance", "2850");
	has(en, "Verification code", true);
	has(en, "Items", false);
	has(en, "TOTAL", false);

	cp_ui_setup_locale("zh_CN");
	zh = printed(x.coupon.code);
	has(zh, "优惠券", true);
	has(zh, "积分兑券：积分兑九折券", true);
	has(zh, "优惠10%，最多减¥3.00", true);
	has(zh, "全场通用", true);
	has(zh, "限本会员使用", true);
	line_has(zh, "有效期至", "2026-12-23");
	line_has(zh, "券码", x.coupon.code);
	has(zh, bar, true);
	line_has(zh, "使用积分", "-200");
	line_has(zh, "积分余额", "2850");
	has(zh, "Points spent", false);
	has(zh, "Taken for points", false);
	cp_ui_setup_locale("en");
	free(en);
	free(zh);
	verify_ok();
}

/* A benefit's coupon valid from the next day, over a threshold, not on tobacco, alone. */
static void test_grant_slip_next_day(void **state)
{
	struct cp_benefit_grant g;
	char *en, *zh;

	(void)state;
	OK(cp_cart_set_member(env.db, &env.cashier, "M2", &e_));
	OK(cp_benefit_grant(env.db, &env.cashier, "DAY5", &g, &e_));
	assert_string_equal(g.what, "coupon");
	assert_string_equal(g.coupon.valid_from, "2026-11-25");

	cp_ui_setup_locale("en");
	en = printed(g.coupon.code);
	has(en, "Member benefit: 每日礼遇", true);
	has(en, "礼遇5元券", true);
	has(en, "¥5.00 off", true);
	has(en, "On a spend of ¥30.00 or more", true);
	has(en, "Not on: 烟草", true);
	has(en, "Not with another coupon", true);
	line_has(en, "Valid from", "2026-11-25 (from the next day)");
	line_has(en, "Valid until", "2026-12-01");
	line_has(en, "Member", "139****0002 李*");
	line_has(en, "Code", g.coupon.code);
	has(en, "Points spent", false);
	has(en, "Points balance", false);

	cp_ui_setup_locale("zh_CN");
	zh = printed(g.coupon.code);
	has(zh, "会员权益：每日礼遇", true);
	has(zh, "立减¥5.00", true);
	has(zh, "适用商品满¥30.00可用", true);
	has(zh, "不适用：烟草", true);
	has(zh, "不可与其他优惠券同用", true);
	line_has(zh, "生效日期", "2026-11-25（次日起）");
	has(zh, "使用积分", false);
	cp_ui_setup_locale("en");
	free(en);
	free(zh);
	verify_ok();
}

/* A bearer coupon for one item free, only on some categories. */
static void test_item_bearer_slip(void **state)
{
	struct cp_coupon_exchange x;
	char *en;

	(void)state;
	exchange("X-LOAF", &x);
	cp_ui_setup_locale("en");
	en = printed(x.coupon.code);
	has(en, "One 面包 Bread free", true);
	has(en, "Only on: 食品", true);
	has(en, "Anyone holding this coupon may use it", true);
	has(en, "For this member only", false);
	line_has(en, "Points spent", "-100");
	line_has(en, "Points balance", "2950");
	free(en);
}

/* Read again after the member's balance moved (a sale, another exchange) the slip is the same;
 * kept, it is listed for reprint and its copy is the kept text under a COPY line. */
static void test_reprint_same(void **state)
{
	struct cp_tender t = {.method = CP_TENDER_CASH, .amount = 3000};
	struct cp_coupon_exchange x, y;
	struct cp_sale_result r;
	char recent[4][CP_RECEIPT_LEN], *first, *again, *kept = NULL, *copy;
	int n = 0;

	(void)state;
	cp_ui_setup_locale("en");
	exchange("X-PCT", &x);
	first = printed(x.coupon.code);
	OK(cp_receipt_keep(env.db, x.coupon.code, first, &e_));
	OK(cp_receipt_mark(env.db, x.coupon.code, true, NULL, &e_));
	env.now += 60 * 1000;
	OK(cp_cart_scan(env.db, &env.cashier, "A1", 1, NULL, &e_));
	OK(cp_sale_pay(env.db, &env.cashier, &t, 1, &r, &e_));
	exchange("X-LOAF", &y);
	again = printed(x.coupon.code);
	assert_string_equal(again, first);
	OK(cp_receipt_recent(env.db, recent, 4, &n, &e_));
	assert_true(n >= 1);
	assert_string_equal(recent[0], x.coupon.code);
	OK(cp_receipt_copy(env.db, x.coupon.code, &kept, &e_));
	assert_string_equal(kept, first);
	copy = malloc(CP_RECEIPT_RENDER_MAX + 256);
	assert_non_null(copy);
	assert_true(cp_ui_receipt_render_copy(again, 42, copy, CP_RECEIPT_RENDER_MAX + 256) > 0);
	has(copy, "*** COPY ***", true);
	assert_string_equal(strchr(copy, '\n') + 1, first);
	free(copy);
	free(kept);
	free(again);
	free(first);
	verify_ok();
}

/* A number that is no slip: a sale's own coupon, or a code nobody issued. */
static void test_not_a_slip(void **state)
{
	struct cp_receipt_view *v = calloc(1, sizeof(*v));
	struct cp_errbuf err = {{0}};

	(void)state;
	assert_non_null(v);
	assert_int_equal(cp_receipt_get(env.db, "22222222222X", v, &err), CP_ENOTFOUND);
	if (!strstr(err.msg, "no sale, refund or coupon slip with number 22222222222X"))
		fail_msg("%s", err.msg);
	assert_int_equal(cp_receipt_keep(env.db, "22222222222X", "text", &err), CP_ENOTFOUND);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exchange_slip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grant_slip_next_day, setup, teardown),
		cmocka_unit_test_setup_teardown(test_item_bearer_slip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reprint_same, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_slip, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
