/* test_lifecycle.c — the member's stage at each boundary of its rules (purchases, money,
 * days since the last purchase; HQ's stage wins), visits and last visit kept by sales and
 * refunds and rebuilt by verify, tier held until, next tier figures, and the tier upgrade said
 * once, on the sale that crosses. */
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
#include "db_int.h"
#include "hq.h"
#include "journal.h"
#include "lifecycle_int.h"
#include "member.h"
#include "refund.h"
#include "sale.h"
#include "support.h"

static int setup(void **state)
{
	static struct test_env env;

	test_env_open(&env, "lifecycle", true);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_close(*state);
	return 0;
}

static void sell(struct test_env *env, const char *member, const char *sku, int64_t qty,
		 struct cp_sale_result *r)
{
	struct cp_errbuf err = {{0}};
	struct cp_cart_view *cart = test_malloc(sizeof(*cart));
	struct cp_tender t = {CP_TENDER_CARD, 0};

	assert_int_equal(cp_cart_scan(env->db, &env->cashier, sku, qty, NULL, &err), CP_OK);
	if (member)
		assert_int_equal(cp_cart_set_member(env->db, &env->cashier, member, &err), CP_OK);
	assert_int_equal(cp_cart_view(env->db, &env->cashier, cart, &err), CP_OK);
	t.amount = cart->total;
	test_free(cart);
	assert_int_equal(cp_sale_pay(env->db, &env->cashier, &t, 1, r, &err), CP_OK);
}

static const char *stage(struct test_env *env, const char *member)
{
	static char s[16];
	struct cp_errbuf err = {{0}};

	assert_int_equal(cp_lifecycle_stage(env->db, member, env->now, s, &err), CP_OK);
	return s;
}

static void set_row(struct test_env *env, int64_t visits, int64_t spent, int days_ago)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "UPDATE member_visit SET visits = %lld, spent = %lld,"
		 " last_day = date((SELECT max(business_day) FROM sale), '-%d days')"
		 " WHERE member_id = 'M2'",
		 (long long)visits, (long long)spent, days_ago);
	assert_int_equal(sqlite3_exec(env->db->h, sql, NULL, NULL, NULL), SQLITE_OK);
}

static void verify_ok(struct test_env *env)
{
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	if (cp_journal_verify(env->db, &rep, &err) != CP_OK)
		fail_msg("verify: %s", err.msg);
}

static void test_stage_boundaries(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};
	char s[16];

	assert_string_equal(stage(env, "M2"), "new"); /* never bought */
	assert_int_equal(cp_lifecycle_stage(env->db, "M404", env->now, s, &err), CP_ENOTFOUND);
	sell(env, "M2", "A2", 1, &r);
	assert_string_equal(stage(env, "M2"), "new");
	/* count: more than two purchases is no longer new; ten or more is mature */
	set_row(env, 2, 1000, 0);
	assert_string_equal(stage(env, "M2"), "new");
	set_row(env, 3, 1000, 0);
	assert_string_equal(stage(env, "M2"), "growing");
	set_row(env, 9, 1000, 0);
	assert_string_equal(stage(env, "M2"), "growing");
	set_row(env, 10, 1000, 0);
	assert_string_equal(stage(env, "M2"), "mature");
	/* money: over ¥500 is no longer new; ¥5000 or more is mature */
	set_row(env, 1, 50000, 0);
	assert_string_equal(stage(env, "M2"), "new");
	set_row(env, 1, 50001, 0);
	assert_string_equal(stage(env, "M2"), "growing");
	set_row(env, 1, 499999, 0);
	assert_string_equal(stage(env, "M2"), "growing");
	set_row(env, 1, 500000, 0);
	assert_string_equal(stage(env, "M2"), "mature");
	/* days since the last purchase: more than 60 silent, more than 180 lost */
	set_row(env, 10, 600000, 60);
	assert_string_equal(stage(env, "M2"), "mature");
	set_row(env, 10, 600000, 61);
	assert_string_equal(stage(env, "M2"), "silent");
	set_row(env, 1, 100, 180);
	assert_string_equal(stage(env, "M2"), "silent");
	set_row(env, 1, 100, 181);
	assert_string_equal(stage(env, "M2"), "lost");
}

static void test_rules_are_data(void **state)
{
	struct test_env *env = *state;
	struct cp_lifecycle_rules r;
	struct cp_sale_result s;
	struct cp_errbuf err = {{0}};

	sell(env, "M2", "A2", 1, &s);
	assert_string_equal(stage(env, "M2"), "new");
	assert_int_equal(cp_lifecycle_rules_get(env->db, &r, &err), CP_OK);
	assert_int_equal(r.new_max_visits, 2);
	r.new_max_visits = 0;
	assert_int_equal(cp_lifecycle_rules_put(env->db, &r, &err), CP_OK);
	assert_string_equal(stage(env, "M2"), "growing");
	r.lost_days = r.silent_days; /* refused, nothing written */
	assert_int_equal(cp_lifecycle_rules_put(env->db, &r, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "lost_days"));
	assert_int_equal(test_count(env, "SELECT lost_days FROM lifecycle_rule"), 180);
	/* the moved clock: 61 business days later the member is silent */
	env->now += 61 * TEST_DAY_MS;
	assert_string_equal(stage(env, "M2"), "silent");
}

static void test_hq_stage_wins(void **state)
{
	struct test_env *env = *state;
	struct cp_errbuf err = {{0}};
	json_t *o = json_pack("{s:s}", "stage", "silent");
	json_t *bad = json_pack("{s:s}", "stage", "sleepy");
	json_t *none = json_object();

	assert_string_equal(stage(env, "M2"), "new");
	assert_int_equal(cp_lifecycle_hq_stage_apply(env->db, "M2", o, "test", &err), CP_OK);
	assert_string_equal(stage(env, "M2"), "silent");
	assert_int_equal(cp_lifecycle_hq_stage_apply(env->db, "M2", bad, "test", &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "stage"));
	assert_string_equal(stage(env, "M2"), "silent");
	/* a snapshot without a stage: the till computes it again */
	assert_int_equal(cp_lifecycle_hq_stage_apply(env->db, "M2", none, "test", &err), CP_OK);
	assert_string_equal(stage(env, "M2"), "new");
	json_decref(o);
	json_decref(bad);
	json_decref(none);
}

static void test_visits_after_sale_and_refund(void **state)
{
	struct test_env *env = *state;
	struct cp_lifecycle_view v;
	struct cp_sale_result s1, s2;
	struct cp_refund_result rr;
	struct cp_errbuf err = {{0}};
	struct cp_verify_report rep;
	char day1[11];
	int line1[] = {1};
	struct cp_refund_req req = {.lines = line1, .nlines = 1};

	assert_int_equal(cp_lifecycle_get(env->db, "M2", env->now, &v, &err), CP_OK);
	assert_int_equal(v.visits, 0);
	assert_string_equal(v.last_visit, "");
	assert_int_equal(v.days_since, -1);
	sell(env, "M2", "G120", 1, &s1);
	sell(env, NULL, "A2", 1, &s1); /* no member: counts for no one */
	sell(env, "M2", "G120", 1, &s1);
	assert_int_equal(cp_lifecycle_get(env->db, "M2", env->now, &v, &err), CP_OK);
	assert_int_equal(v.visits, 2);
	assert_int_equal(v.spent, 24000);
	assert_int_equal(v.days_since, 0);
	snprintf(day1, sizeof(day1), "%s", v.last_visit);
	assert_int_equal(strlen(day1), 10);
	/* three days later: two lines; the last visit moves */
	env->now += 3 * TEST_DAY_MS;
	assert_int_equal(cp_lifecycle_get(env->db, "M2", env->now, &v, &err), CP_OK);
	assert_int_equal(v.days_since, 3);
	assert_int_equal(cp_cart_scan(env->db, &env->cashier, "A2", 1, NULL, &err), CP_OK);
	sell(env, "M2", "G88", 1, &s2);
	assert_int_equal(cp_lifecycle_get(env->db, "M2", env->now, &v, &err), CP_OK);
	assert_int_equal(v.visits, 3);
	assert_int_equal(v.spent, 24000 + 1999 + 8800);
	assert_int_equal(v.days_since, 0);
	assert_true(strcmp(v.last_visit, day1) > 0);
	/* a partial refund gives the money back and keeps the visit */
	req.receipt = s2.receipt;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &rr, &err), CP_OK);
	assert_int_equal(cp_lifecycle_get(env->db, "M2", env->now, &v, &err), CP_OK);
	assert_int_equal(v.visits, 3);
	assert_int_equal(v.spent, 24000 + 8800);
	/* returning the last line takes the purchase back */
	req.lines = NULL;
	req.nlines = 0;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &rr, &err), CP_OK);
	assert_int_equal(cp_lifecycle_get(env->db, "M2", env->now, &v, &err), CP_OK);
	assert_int_equal(v.visits, 2);
	assert_int_equal(v.spent, 24000);
	verify_ok(env);
	/* the member's row altered: verify names it */
	assert_int_equal(sqlite3_exec(env->db->h,
				      "UPDATE member_visit SET visits = visits + 1"
				      " WHERE member_id = 'M2'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(cp_journal_verify(env->db, &rep, &err), CP_ECORRUPT);
	assert_non_null(strstr(err.msg, "member_visit"));
}

static void test_tier_progress_and_upgrade_once(void **state)
{
	struct test_env *env = *state;
	struct cp_lifecycle_view v;
	struct cp_member_view before, after;
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};
	struct cp_verify_report rep;
	char name[33], until[11];
	int level, ups = 0;
	int64_t up_seq = 0;

	/* M1 金卡 with growth 10000: the next is 白金 x1.8 at 20000 */
	assert_int_equal(cp_lifecycle_get(env->db, "M1", env->now, &v, &err), CP_OK);
	assert_true(v.has_next);
	assert_string_equal(v.next_name, "白金");
	assert_int_equal(v.next_level, 3);
	assert_int_equal(v.next_multiplier_bp, 18000);
	assert_int_equal(v.next_growth, 10000);
	assert_string_equal(v.tier_until, ""); /* HQ has not said, no upgrade here */
	/* M2 普通 at growth 0 buys ¥120 at a time until 银卡 (2000): said on one sale only */
	for (int i = 0; i < 30; i++) {
		assert_int_equal(cp_member_get(env->db, "M2", &before, &err), CP_OK);
		sell(env, "M2", "G120", 1, &r);
		assert_int_equal(cp_member_get(env->db, "M2", &after, &err), CP_OK);
		assert_int_equal(cp_lifecycle_tier_up(env->db, r.seq, &level, name, &err), CP_OK);
		if (after.tier_level > before.tier_level) {
			assert_string_equal(r.tier_up, "银卡");
			assert_int_equal(r.tier_up_level, 1);
			assert_int_equal(level, 1);
			assert_string_equal(name, "银卡");
			assert_true(before.growth < 2000 && after.growth >= 2000);
			ups++;
			up_seq = r.seq;
		} else {
			assert_string_equal(r.tier_up, "");
			assert_int_equal(r.tier_up_level, -1);
			assert_int_equal(level, -1);
		}
		if (after.growth >= 2600)
			break;
	}
	assert_int_equal(ups, 1);
	assert_int_equal(test_count(env, "SELECT count(*) FROM tier_up"), 1);
	/* held until: the upgrade's day plus the rules' 12 months */
	assert_int_equal(cp_lifecycle_get(env->db, "M2", env->now, &v, &err), CP_OK);
	snprintf(until, sizeof(until), "%s", v.tier_until);
	assert_string_equal(until, "2027-11-24");
	assert_string_equal(v.next_name, "金卡");
	assert_int_equal(v.next_multiplier_bp, 15000);
	assert_int_equal(v.next_growth, 10000 - after.growth);
	/* HQ's later date wins */
	assert_int_equal(sqlite3_exec(env->db->h,
				      "UPDATE member SET tier_until = '2028-12-31' WHERE id = 'M2'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(cp_lifecycle_get(env->db, "M2", env->now, &v, &err), CP_OK);
	assert_string_equal(v.tier_until, "2028-12-31");
	verify_ok(env);
	assert_true(up_seq > 0);
	assert_int_equal(sqlite3_exec(env->db->h, "UPDATE tier_up SET level = 2", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(cp_journal_verify(env->db, &rep, &err), CP_ECORRUPT);
	assert_non_null(strstr(err.msg, "tier_up"));
}

/* HQ's change feed: the stage rules as a kind of their own, the stage on the member record;
 * a bad stage refuses the page whole. */
static bool page_ok(struct test_env *env, json_t *changes, struct cp_errbuf *err)
{
	json_t *p = json_pack("{s:o, s:[], s:s, s:b, s:i}", "changes", changes, "notices", "next",
			      "9", "more", 0, "applied", 0);
	char *body = json_dumps(p, JSON_COMPACT);
	bool more = false;
	enum cp_err rc = cp_hq_apply_changes(env->db, body, strlen(body), &more, err);

	free(body);
	json_decref(p);
	return rc == CP_OK;
}

static json_t *m2_with_stage(struct test_env *env, const char *stage, int64_t version)
{
	char hash[65];
	struct cp_errbuf err = {{0}};

	assert_int_equal(cp_hq_phone_hash_hex(env->db, "13900000002", hash, &err), CP_OK);
	return json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:n, s:i, s:n,"
			 " s:n, s:I, s:s}}",
			 "kind", "member", "data", "id", "M2", "phone_hash", hash, "phone_masked",
			 "139****0002", "card_no", "C0002", "name", "王二", "birthday", "11-02",
			 "points", 3050, "growth", 0, "tier", 0, "tier_until", "expiring_points", 0,
			 "expiring_on", "guide", "version", (json_int_t)version, "stage", stage);
}

static void test_hq_feed(void **state)
{
	struct test_env *env = *state;
	struct cp_lifecycle_rules r;
	struct cp_errbuf err = {{0}};
	json_t *ch, *rules = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "new_max_visits", 5,
				       "new_max_spent", 100000, "mature_min_visits", 20,
				       "mature_min_spent", 1000000, "silent_days", 30, "lost_days",
				       90, "tier_hold_months", 24);

	ch = json_pack("[{s:s, s:s, s:s, s:o}]", "kind", "lifecycle_rules", "op", "upsert", "key",
		       "1", "data", rules);
	if (!page_ok(env, ch, &err))
		fail_msg("rules refused: %s", err.msg);
	assert_int_equal(cp_lifecycle_rules_get(env->db, &r, &err), CP_OK);
	assert_int_equal(r.new_max_visits, 5);
	assert_int_equal(r.silent_days, 30);
	assert_int_equal(r.tier_hold_months, 24);
	/* a bad stage refuses the page: neither the member nor the stage changes */
	ch = json_pack("[o]", m2_with_stage(env, "dormant", 5));
	json_object_set_new(json_array_get(ch, 0), "op", json_string("upsert"));
	assert_false(page_ok(env, ch, &err));
	assert_non_null(strstr(err.msg, "stage"));
	assert_string_equal(stage(env, "M2"), "new");
	ch = json_pack("[o]", m2_with_stage(env, "lost", 5));
	json_object_set_new(json_array_get(ch, 0), "op", json_string("upsert"));
	if (!page_ok(env, ch, &err))
		fail_msg("member refused: %s", err.msg);
	assert_string_equal(stage(env, "M2"), "lost");
	/* the rules deleted: the till's defaults again */
	ch = json_pack("[{s:s, s:s, s:s}]", "kind", "lifecycle_rules", "op", "delete", "key", "1");
	if (!page_ok(env, ch, &err))
		fail_msg("delete refused: %s", err.msg);
	assert_int_equal(cp_lifecycle_rules_get(env->db, &r, &err), CP_OK);
	assert_int_equal(r.new_max_visits, 2);
	assert_int_equal(r.lost_days, 180);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stage_boundaries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules_are_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hq_stage_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_visits_after_sale_and_refund, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tier_progress_and_upgrade_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hq_feed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
