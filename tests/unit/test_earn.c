/* test_earn.c — points, growth and tiers against the worked examples of EXAMPLES.md: order of
 * multipliers, rounding once per sale, overflow, and the rules and tiers as stored data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "earn.h"
#include "money.h"
#include "support.h"

/* 2026-11-24 is a Tuesday, 2026-11-25 a Wednesday (the demo member day). */
#define NOV 11
#define TUE 24, 2
#define WED 25, 3

static struct cp_earn_rules example_rules(void)
{
	struct cp_earn_rules r = {
		.points_per_yuan_bp = 10000,
		.growth_per_yuan_bp = 10000,
		.member_day_kind = CP_MEMBER_DAY_WEEKDAY,
		.member_day_value = 3,
		.member_day_bp = 20000,
		.birthday_bp = 20000,
		.combine_product = false,
		.welcome_points = 100,
		.referral_points = 50,
		.points_per_yuan_value = 100,
	};
	return r;
}

static struct cp_earning earn(const struct cp_earn_rules *r, int tier_bp, int64_t eligible,
			      int month, int mday, int wday, int birth_month)
{
	struct cp_earning e = {0};
	struct cp_errbuf err = {{0}};
	enum cp_err rc =
		cp_earn_compute(r, tier_bp, eligible, month, mday, wday, birth_month, &e, &err);

	if (rc != CP_OK)
		fail_msg("cp_earn_compute: %s", cp_errmsg(&err, rc));
	return e;
}

/* Example 1, with the rules and the tier read from a seeded database. */
static void test_example1_gold_tuesday(void **state)
{
	struct test_env env;
	struct cp_earn_rules r;
	struct cp_tier gold;
	struct cp_errbuf err = {{0}};
	struct cp_earning e;

	(void)state;
	test_env_open(&env, "earn", true);
	assert_int_equal(cp_earn_rules_load(env.db, &r, &err), CP_OK);
	assert_int_equal(cp_tier_for_growth(env.db, 10000, &gold, &err), CP_OK);
	assert_string_equal(gold.name, "金卡");
	e = earn(&r, gold.multiplier_bp, 12000, NOV, TUE, 1);
	assert_int_equal(e.points, 180);
	assert_int_equal(e.growth, 120);
	assert_int_equal(e.multiplier_bp, 15000);
	test_env_close(&env);
}

static void test_example2_member_day_highest(void **state)
{
	struct cp_earn_rules r = example_rules();
	struct cp_earning e = earn(&r, 15000, 19990, NOV, WED, 1);

	(void)state;
	assert_int_equal(e.points, 399);
	assert_int_equal(e.growth, 199);
	assert_int_equal(e.multiplier_bp, 20000);
	/* Example 3: after a ¥20 coupon the money paid is ¥179.90. */
	e = earn(&r, 15000, 17990, NOV, WED, 1);
	assert_int_equal(e.points, 359);
	assert_int_equal(e.growth, 179);
}

static void test_birthday_month_doubles(void **state)
{
	struct cp_earn_rules r = example_rules();
	struct cp_earning e;

	(void)state;
	e = earn(&r, 10000, 5000, NOV, TUE, NOV);
	assert_int_equal(e.multiplier_bp, 20000);
	assert_int_equal(e.points, 100);
	assert_int_equal(e.growth, 50);
	/* Not the birthday month, or unknown birthday: tier only. */
	assert_int_equal(earn(&r, 10000, 5000, NOV, TUE, 10).points, 50);
	assert_int_equal(earn(&r, 10000, 5000, NOV, TUE, 0).points, 50);
	/* Highest: member day and birthday together are still x2, not x4. */
	e = earn(&r, 15000, 5000, NOV, WED, NOV);
	assert_int_equal(e.multiplier_bp, 20000);
	assert_int_equal(e.points, 100);
}

static void test_product_combines_all(void **state)
{
	struct cp_earn_rules r = example_rules();
	struct cp_earning e;

	(void)state;
	r.combine_product = true;
	/* x1.5 * x2 * x2 = x6 */
	e = earn(&r, 15000, 12000, NOV, WED, NOV);
	assert_int_equal(e.multiplier_bp, 60000);
	assert_int_equal(e.points, 720);
	assert_int_equal(e.growth, 120); /* growth is never multiplied */
	/* One factor less: x3 */
	e = earn(&r, 15000, 12000, NOV, TUE, NOV);
	assert_int_equal(e.multiplier_bp, 30000);
	assert_int_equal(e.points, 360);
	/* The largest sale the till accepts still computes exactly. */
	e = earn(&r, 15000, CP_MONEY_MAX, NOV, WED, NOV);
	assert_int_equal(e.points, INT64_C(6000000000000));
}

static void test_monthday_kind(void **state)
{
	struct cp_earn_rules r = example_rules();

	(void)state;
	r.member_day_kind = CP_MEMBER_DAY_MONTHDAY;
	r.member_day_value = 25;
	/* The 25th is the member day whatever weekday it falls on ... */
	assert_int_equal(earn(&r, 10000, 10000, NOV, 25, 4, 0).points, 200);
	assert_int_equal(earn(&r, 10000, 10000, 12, 25, 5, 0).multiplier_bp, 20000);
	/* ... and a Wednesday that is not the 25th is not. */
	assert_int_equal(earn(&r, 10000, 10000, NOV, 24, 3, 0).points, 100);
	r.member_day_kind = CP_MEMBER_DAY_NONE;
	assert_int_equal(earn(&r, 10000, 10000, NOV, 25, 3, 0).points, 100);
}

static void test_zero_eligible(void **state)
{
	struct cp_earn_rules r = example_rules();
	struct cp_earning e = earn(&r, 20000, 0, NOV, WED, NOV);

	(void)state;
	assert_int_equal(e.points, 0);
	assert_int_equal(e.growth, 0);
	assert_int_equal(e.multiplier_bp, 20000);
}

static void test_negative_refused(void **state)
{
	struct cp_earn_rules r = example_rules();
	struct cp_earning e = {.points = 7, .growth = 8, .multiplier_bp = 9};
	struct cp_errbuf err = {{0}};

	(void)state;
	assert_int_equal(cp_earn_compute(&r, 15000, -1, NOV, TUE, 0, &e, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "negative"));
	assert_int_equal(e.points, 7);
	assert_int_equal(e.growth, 8);
	assert_int_equal(e.multiplier_bp, 9);
	assert_int_equal(cp_earn_compute(&r, 0, 100, NOV, TUE, 0, &e, &err), CP_EINVAL);
}

static void test_overflow_refused(void **state)
{
	struct cp_earn_rules r = example_rules();
	struct cp_earning e = {.points = 7};
	struct cp_errbuf err = {{0}};

	(void)state;
	r.points_per_yuan_bp = INT64_MAX / 2;
	assert_int_equal(cp_earn_compute(&r, 15000, CP_MONEY_MAX, NOV, TUE, 0, &e, &err),
			 CP_EOVERFLOW);
	assert_string_equal(err.msg, "the sale is too large to compute points");
	assert_int_equal(e.points, 7);

	r = example_rules();
	r.growth_per_yuan_bp = INT64_MAX;
	memset(&err, 0, sizeof(err));
	assert_int_equal(cp_earn_compute(&r, 15000, INT64_MAX, NOV, TUE, 0, &e, &err),
			 CP_EOVERFLOW);
	assert_string_equal(err.msg, "the sale is too large to compute points");

	/* Multipliers whose product does not fit are refused too, not wrapped. */
	r = example_rules();
	r.combine_product = true;
	r.member_day_bp = 2000000000;
	r.birthday_bp = 2000000000;
	assert_int_equal(cp_earn_compute(&r, 2000000000, 100, NOV, WED, NOV, &e, &err),
			 CP_EOVERFLOW);
}

static void test_rounding_once(void **state)
{
	struct cp_earn_rules r = example_rules();
	struct cp_earning line, sale;

	(void)state;
	/* Two lines of ¥19.99 for a 金卡 member: each line alone would floor 29.985 to 29 (58 in
	 * all); the sale floors 59.97 once. */
	line = earn(&r, 15000, 1999, NOV, TUE, 0);
	sale = earn(&r, 15000, 2 * 1999, NOV, TUE, 0);
	assert_int_equal(line.points, 29);
	assert_int_equal(sale.points, 59);
	assert_true(2 * line.points != sale.points);
	/* Fen are not floored to yuan first: ¥19.99 x1.5 is 29, not floor(19) x1.5 = 28. */
	assert_int_equal(line.points, 29);

	/* The product multiplier is kept exact, not rounded to basis points first:
	 * x1.2345 * x1.2345 = x1.52399025; ¥1,000,000 earns 1,523,990 (with x1.5239, 1,523,900). */
	r.combine_product = true;
	r.member_day_bp = 12345;
	sale = earn(&r, 12345, INT64_C(100000000), NOV, WED, 0);
	assert_int_equal(sale.multiplier_bp, 15239);
	assert_int_equal(sale.points, 1523990);
	assert_int_equal(sale.growth, 1000000);

	/* Half a point per yuan: ¥199.90 on member day = floor(199.90 * 0.5 * 2) = 199. */
	r = example_rules();
	r.points_per_yuan_bp = 5000;
	r.growth_per_yuan_bp = 5000;
	sale = earn(&r, 10000, 19990, NOV, WED, 0);
	assert_int_equal(sale.points, 199);
	assert_int_equal(sale.growth, 99);
}

static void expect_tier(struct test_env *env, int64_t growth, int level, const char *name)
{
	struct cp_tier t;
	struct cp_errbuf err = {{0}};

	assert_int_equal(cp_tier_for_growth(env->db, growth, &t, &err), CP_OK);
	assert_int_equal(t.level, level);
	assert_string_equal(t.name, name);
}

static void test_tier_for_growth_edges(void **state)
{
	struct test_env env;

	(void)state;
	test_env_open(&env, "earn", true);
	expect_tier(&env, -5, 0, "普通");
	expect_tier(&env, 0, 0, "普通");
	expect_tier(&env, 1999, 0, "普通");
	expect_tier(&env, 2000, 1, "银卡");
	expect_tier(&env, 9999, 1, "银卡");
	expect_tier(&env, 10000, 2, "金卡");
	expect_tier(&env, 19999, 2, "金卡");
	expect_tier(&env, 20000, 3, "白金");
	expect_tier(&env, 49999, 3, "白金");
	expect_tier(&env, 50000, 4, "钻石");
	expect_tier(&env, INT64_MAX, 4, "钻石");
	test_env_close(&env);
}

static void test_tier_list_and_put(void **state)
{
	struct test_env env;
	struct cp_tier tiers[8], t;
	struct cp_errbuf err = {{0}};
	int n = 8;

	(void)state;
	test_env_open(&env, "earn", true);
	assert_int_equal(cp_tier_list(env.db, tiers, &n, &err), CP_OK);
	assert_int_equal(n, 5);
	for (int i = 0; i < n; i++)
		assert_int_equal(tiers[i].level, i);
	assert_string_equal(tiers[4].name, "钻石");
	assert_int_equal(tiers[4].threshold, 50000);
	assert_int_equal(tiers[4].multiplier_bp, 20000);
	n = 3;
	assert_int_equal(cp_tier_list(env.db, tiers, &n, &err), CP_EOVERFLOW);
	assert_int_equal(n, 3);

	/* Upsert: 银卡 now starts at 3000. */
	t = tiers[1];
	t.threshold = 3000;
	assert_int_equal(cp_tier_put(env.db, &t, &err), CP_OK);
	expect_tier(&env, 2999, 0, "普通");
	expect_tier(&env, 3000, 1, "银卡");

	t.multiplier_bp = 0;
	assert_int_equal(cp_tier_put(env.db, &t, &err), CP_EINVAL);
	t.multiplier_bp = 12000;
	t.threshold = 10000; /* 金卡's */
	assert_int_equal(cp_tier_put(env.db, &t, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "10000"));
	t.threshold = 3000;
	memcpy(t.name, "\xff\xfe", 3);
	assert_int_equal(cp_tier_put(env.db, &t, &err), CP_EINVAL);
	expect_tier(&env, 3000, 1, "银卡");
	test_env_close(&env);
}

static void test_no_tiers(void **state)
{
	struct test_env env;
	struct cp_tier t, list[4];
	struct cp_errbuf err = {{0}};
	int n = 4;

	(void)state;
	test_env_open(&env, "earn", false);
	assert_int_equal(cp_tier_for_growth(env.db, 100, &t, &err), CP_ENOTFOUND);
	assert_int_equal(cp_tier_list(env.db, list, &n, &err), CP_OK);
	assert_int_equal(n, 0);
	test_env_close(&env);
}

static void test_rules_round_trip(void **state)
{
	struct test_env env;
	struct cp_earn_rules in = {
		.points_per_yuan_bp = 5000,
		.growth_per_yuan_bp = 20000,
		.member_day_kind = CP_MEMBER_DAY_MONTHDAY,
		.member_day_value = 18,
		.member_day_bp = 30000,
		.birthday_bp = 15000,
		.combine_product = true,
		.welcome_points = 88,
		.referral_points = 66,
		.points_per_yuan_value = 50,
	};
	struct cp_earn_rules out;
	struct cp_errbuf err = {{0}};

	(void)state;
	test_env_open(&env, "earn", false);
	assert_int_equal(cp_earn_rules_store(env.db, &in, &err), CP_OK);
	memset(&out, 0, sizeof(out));
	assert_int_equal(cp_earn_rules_load(env.db, &out, &err), CP_OK);
	assert_int_equal(out.points_per_yuan_bp, 5000);
	assert_int_equal(out.growth_per_yuan_bp, 20000);
	assert_int_equal(out.member_day_kind, CP_MEMBER_DAY_MONTHDAY);
	assert_int_equal(out.member_day_value, 18);
	assert_int_equal(out.member_day_bp, 30000);
	assert_int_equal(out.birthday_bp, 15000);
	assert_true(out.combine_product);
	assert_int_equal(out.welcome_points, 88);
	assert_int_equal(out.referral_points, 66);
	assert_int_equal(out.points_per_yuan_value, 50);

	/* Storing again replaces the one row. */
	in = example_rules();
	assert_int_equal(cp_earn_rules_store(env.db, &in, &err), CP_OK);
	assert_int_equal(cp_earn_rules_load(env.db, &out, &err), CP_OK);
	assert_int_equal(out.member_day_kind, CP_MEMBER_DAY_WEEKDAY);
	assert_int_equal(out.member_day_value, 3);
	assert_false(out.combine_product);
	assert_int_equal(out.referral_points, 50);

	/* Bad rules are refused and leave the stored ones alone. */
	in.member_day_value = 8;
	assert_int_equal(cp_earn_rules_store(env.db, &in, &err), CP_EINVAL);
	in = example_rules();
	in.points_per_yuan_value = 0;
	assert_int_equal(cp_earn_rules_store(env.db, &in, &err), CP_EINVAL);
	in = example_rules();
	in.birthday_bp = -1;
	assert_int_equal(cp_earn_rules_store(env.db, &in, &err), CP_EINVAL);
	assert_int_equal(cp_earn_rules_load(env.db, &out, &err), CP_OK);
	assert_int_equal(out.member_day_value, 3);
	assert_int_equal(out.points_per_yuan_value, 100);
	test_env_close(&env);
}

static void test_rules_missing(void **state)
{
	struct test_env env;
	struct cp_earn_rules out;
	struct cp_errbuf err = {{0}};

	(void)state;
	test_env_open(&env, "earn", false);
	assert_int_equal(cp_earn_rules_load(env.db, &out, &err), CP_ENOTFOUND);
	assert_string_equal(err.msg, "no earn rules: seed the store or sync with HQ");
	test_env_close(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example1_gold_tuesday),
		cmocka_unit_test(test_example2_member_day_highest),
		cmocka_unit_test(test_birthday_month_doubles),
		cmocka_unit_test(test_product_combines_all),
		cmocka_unit_test(test_monthday_kind),
		cmocka_unit_test(test_zero_eligible),
		cmocka_unit_test(test_negative_refused),
		cmocka_unit_test(test_overflow_refused),
		cmocka_unit_test(test_rounding_once),
		cmocka_unit_test(test_tier_for_growth_edges),
		cmocka_unit_test(test_tier_list_and_put),
		cmocka_unit_test(test_no_tiers),
		cmocka_unit_test(test_rules_round_trip),
		cmocka_unit_test(test_rules_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
