/* test_benefit_stage.c — benefits that target a lifecycle stage (issue 16): a win-back coupon
 * for silent members is granted to a member silent by the clock (more than 60 days since the
 * last purchase, up to 180) and refused, naming the member's stage, to a new member, at 60
 * days (still new) and at 181 (lost); a welcome benefit for new members is granted at two
 * purchases and refused at three (growing). Each refusal writes nothing; verify holds. */
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
#include "lifecycle.h"
#include "member.h"
#include "sale.h"
#include "support.h"

static struct test_env env;

static void benefit(const char *id, const char *stages)
{
	struct cp_benefit b = {.points = 0};

	snprintf(b.id, sizeof(b.id), "%s", id);
	snprintf(b.title_zh, sizeof(b.title_zh), "礼遇 %s", id);
	snprintf(b.title_en, sizeof(b.title_en), "Benefit %s", id);
	snprintf(b.stages, sizeof(b.stages), "%s", stages);
	snprintf(b.when, sizeof(b.when), "always");
	snprintf(b.period, sizeof(b.period), "year");
	snprintf(b.what, sizeof(b.what), "coupon");
	snprintf(b.template_id, sizeof(b.template_id), "BACK");
	OK(cp_benefit_put(env.db, &b, &e_));
}

static void member(const char *id, const char *phone)
{
	struct cp_member_snapshot m = {.id = id, .phone = phone, .name = "王五", .version = 1};

	OK(cp_member_put_snapshot(env.db, &m, &e_));
}

/* Today is Tuesday 2026-11-24; the stage rules are the defaults (new: at most 2 purchases and
 * ¥500; silent after 60 days, lost after 180). */
static int setup(void **state)
{
	struct cp_coupon_template t = {.amount = 1000, .valid_days = 30};

	(void)state;
	test_env_open(&env, "benefit_stage", true);
	snprintf(t.id, sizeof(t.id), "BACK");
	snprintf(t.kind, sizeof(t.kind), "amount");
	snprintf(t.title_zh, sizeof(t.title_zh), "回归券");
	snprintf(t.title_en, sizeof(t.title_en), "Welcome back");
	snprintf(t.scope, sizeof(t.scope), "all");
	OK(cp_coupon_template_put(env.db, &t, &e_));
	benefit("WINBACK", "silent");
	benefit("WELCOME", "new");
	member("M3", "13700000003");
	member("M4", "13600000004");
	member("M5", "13500000005");
	member("M6", "13400000006");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

static void buy(const char *id, int times)
{
	struct cp_tender t = {.method = CP_TENDER_CASH, .amount = 1999};
	struct cp_sale_result r;

	for (int i = 0; i < times; i++) {
		OK(cp_cart_scan(env.db, &env.cashier, "A2", 1, NULL, &e_));
		OK(cp_cart_set_member(env.db, &env.cashier, id, &e_));
		OK(cp_sale_pay(env.db, &env.cashier, &t, 1, &r, &e_));
	}
}

static const char *stage_of(const char *id)
{
	static char s[16];

	OK(cp_lifecycle_stage(env.db, id, env.now, s, &e_));
	return s;
}

static void granted(const char *benefit_id, const char *id)
{
	struct cp_benefit_grant g;

	OK(cp_cart_set_member(env.db, &env.cashier, id, &e_));
	OK(cp_benefit_grant(env.db, &env.cashier, benefit_id, &g, &e_));
	assert_string_equal(g.what, "coupon");
	assert_string_equal(g.coupon.t.id, "BACK");
	assert_string_equal(g.coupon.member_id, id);
}

/* Refused with the member's stage named; nothing written. */
static void refused(const char *benefit_id, const char *id, const char *stage)
{
	struct cp_benefit_grant g;
	struct cp_errbuf err = {{0}};
	int64_t rows = test_count(&env, "SELECT count(*) FROM journal");
	char want[96];

	OK(cp_cart_set_member(env.db, &env.cashier, id, &e_));
	assert_int_equal(cp_benefit_grant(env.db, &env.cashier, benefit_id, &g, &err), CP_ESTATE);
	snprintf(want, sizeof(want), "this member's stage is %s", stage);
	if (!strstr(err.msg, want))
		fail_msg("%s for %s: \"%s\" does not say \"%s\"", benefit_id, id, err.msg, want);
	assert_non_null(strstr(err.msg, benefit_id));
	assert_null(strchr(err.msg, '\n'));
	assert_int_equal(test_count(&env, "SELECT count(*) FROM journal"), rows);
}

static void test_win_back_by_stage(void **state)
{
	int64_t day0 = env.now;

	(void)state;
	/* never bought: new */
	assert_string_equal(stage_of("M4"), "new");
	refused("WINBACK", "M4", "new");
	buy("M1", 1);
	buy("M2", 1);
	buy("M3", 1);
	refused("WINBACK", "M1", "new");
	/* 60 days after the last purchase: still new */
	env.now = day0 + 60 * TEST_DAY_MS;
	assert_string_equal(stage_of("M1"), "new");
	refused("WINBACK", "M1", "new");
	/* 61 days: silent, the win-back coupon is granted, once this year */
	env.now = day0 + 61 * TEST_DAY_MS;
	assert_string_equal(stage_of("M1"), "silent");
	granted("WINBACK", "M1");
	assert_int_equal(test_count(&env, "SELECT count(*) FROM benefit_grant WHERE"
					  " benefit_id = 'WINBACK' AND member_id = 'M1'"),
			 1);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM coupon_issue WHERE"
					  " source = 'benefit' AND member_id = 'M1'"),
			 1);
	/* 180 days: silent still */
	env.now = day0 + 180 * TEST_DAY_MS;
	assert_string_equal(stage_of("M2"), "silent");
	granted("WINBACK", "M2");
	/* 181 days: lost, no longer silent */
	env.now = day0 + 181 * TEST_DAY_MS;
	assert_string_equal(stage_of("M3"), "lost");
	refused("WINBACK", "M3", "lost");
	{
		struct cp_verify_report rep;

		OK(cp_journal_verify(env.db, &rep, &e_));
	}
}

static void test_welcome_for_new_members(void **state)
{
	(void)state;
	/* two purchases: new; three: growing */
	buy("M5", 2);
	buy("M6", 3);
	assert_string_equal(stage_of("M5"), "new");
	assert_string_equal(stage_of("M6"), "growing");
	granted("WELCOME", "M5");
	refused("WELCOME", "M6", "growing");
	/* the stage HQ sends wins over the computed one */
	assert_int_equal(
		sqlite3_exec(env.db->h,
			     "INSERT INTO lifecycle_hq(member_id, stage) VALUES('M6', 'new')", NULL,
			     NULL, NULL),
		SQLITE_OK);
	granted("WELCOME", "M6");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_win_back_by_stage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_welcome_for_new_members, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
