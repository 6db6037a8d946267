/* test_business_day.c — one business day for everything (issue 9): after a Z report closes
 * day D, what happens before the next cut-over belongs to D+1 for sales, and so also for an
 * offer's limit per day, the offline spending limits per day and the guide bindings (the X
 * report's tally and the guide's day). Each is taken before and after the Z on the same
 * calendar day. */
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
#include "db_int.h"
#include "guide.h"
#include "journal.h"
#include "offer.h"
#include "pointspay.h"
#include "report.h"
#include "sale.h"
#include "staff.h"
#include "support.h"

#define HOUR_MS INT64_C(3600000)
#define BADGE_2001 "9900000020019"
#define DAY_D "2026-11-24"
#define DAY_D1 "2026-11-25"

static int setup(void **state)
{
	static struct test_env env;

	test_env_open(&env, "business_day", true); /* 2026-11-24 10:00, shift 1 open */
	env.db->cutover_min = 240;                 /* 04:00 */
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_close(*state);
	return 0;
}

static void ok(enum cp_err rc, const struct cp_errbuf *err)
{
	if (rc != CP_OK)
		fail_msg("%s", err->msg);
}

static void exec(struct test_env *env, const char *sql)
{
	assert_int_equal(sqlite3_exec(env->db->h, sql, NULL, NULL, NULL), SQLITE_OK);
}

static void verify_ok(struct test_env *env)
{
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	ok(cp_journal_verify(env->db, &rep, &err), &err);
}

/* The manager's Z report for day D, one hour later still before the cut-over. */
static void close_day(struct test_env *env)
{
	struct cp_tally *t = calloc(1, sizeof(*t));
	struct cp_errbuf err = {{0}};
	char day[11];

	assert_non_null(t);
	ok(cp_report_z(env->db, &env->manager, DAY_D, t, &err), &err);
	free(t);
	env->now += HOUR_MS;
	ok(cp_report_today(env->db, day, &err), &err);
	assert_string_equal(day, DAY_D1);
}

static enum cp_offer_why why_of(struct test_env *env, const char *id)
{
	static struct cp_offer_list l;
	struct cp_errbuf err = {{0}};

	ok(cp_offer_list(env->db, &env->cashier, &l, &err), &err);
	for (int i = 0; i < l.n; i++)
		if (strcmp(l.e[i].offer.id, id) == 0)
			return l.e[i].why;
	fail_msg("offer %s not listed", id);
	return CP_OFFER_OK;
}

static void take_and_pay(struct test_env *env, const char *offer)
{
	struct cp_tender t = {.method = CP_TENDER_CASH, .amount = 100};
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};

	ok(cp_cart_add_offer(env->db, &env->cashier, offer, NULL, &err), &err);
	ok(cp_sale_pay(env->db, &env->cashier, &t, 1, &r, &err), &err);
}

/* An offer with a limit of one a day, taken on D before the Z, can be taken again after it:
 * that take counts to D+1, and a third is refused. */
static void test_offer_day_limit_after_z(void **state)
{
	struct test_env *env = *state;
	struct cp_offer o = {.points = 100, .cash = 100, .limit = 1, .stock = -1};
	struct cp_errbuf err = {{0}};

	snprintf(o.id, sizeof(o.id), "DAILY");
	snprintf(o.reward_kind, sizeof(o.reward_kind), "item");
	snprintf(o.sku, sizeof(o.sku), "A2");
	snprintf(o.name_zh, sizeof(o.name_zh), "每日兑换");
	snprintf(o.name_en, sizeof(o.name_en), "Daily");
	snprintf(o.period, sizeof(o.period), "day");
	snprintf(o.valid_from, sizeof(o.valid_from), "2026-11-01");
	snprintf(o.valid_to, sizeof(o.valid_to), "2026-12-31");
	ok(cp_offer_put(env->db, &o, &err), &err);
	ok(cp_cart_set_member(env->db, &env->cashier, "M2", &err), &err);
	assert_int_equal(why_of(env, "DAILY"), CP_OFFER_OK);
	take_and_pay(env, "DAILY");
	ok(cp_cart_set_member(env->db, &env->cashier, "M2", &err), &err);
	assert_int_equal(why_of(env, "DAILY"), CP_OFFER_LIMIT);
	assert_int_equal(cp_cart_add_offer(env->db, &env->cashier, "DAILY", NULL, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "reached its limit"));
	cp_cart_cancel(env->db, &env->cashier, &err);

	close_day(env);
	ok(cp_cart_set_member(env->db, &env->cashier, "M2", &err), &err);
	assert_int_equal(why_of(env, "DAILY"), CP_OFFER_OK);
	take_and_pay(env, "DAILY");
	assert_int_equal(test_count(env, "SELECT count(*) FROM offer_use WHERE offer_id = 'DAILY'"
					 " AND business_day = '" DAY_D1 "'"),
			 1);
	ok(cp_cart_set_member(env->db, &env->cashier, "M2", &err), &err);
	assert_int_equal(why_of(env, "DAILY"), CP_OFFER_LIMIT);
	assert_int_equal(cp_cart_add_offer(env->db, &env->cashier, "DAILY", NULL, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "reached its limit of 1 a day"));
	cp_cart_cancel(env->db, &env->cashier, &err);
	/* at 03:30 the calendar's business day is still D; the till's is D+1, taken */
	env->now += 16 * HOUR_MS + 30 * 60 * 1000;
	ok(cp_cart_set_member(env->db, &env->cashier, "M2", &err), &err);
	assert_int_equal(why_of(env, "DAILY"), CP_OFFER_LIMIT);
	cp_cart_cancel(env->db, &env->cashier, &err);
	verify_ok(env);
}

static void quote(struct test_env *env, struct cp_pointspay_quote *q)
{
	static struct cp_cart_view v;
	struct cp_errbuf err = {{0}};

	ok(cp_cart_view(env->db, &env->cashier, &v, &err), &err);
	ok(cp_pointspay_quote(env->db, &v, q, &err), &err);
}

/* Rings up G88 for member and pays fen of it with points, the rest in cash. */
static enum cp_err spend(struct test_env *env, const char *member, int64_t fen,
			 struct cp_errbuf *err)
{
	struct cp_tender t[2] = {{.method = CP_TENDER_POINTS, .amount = fen},
				 {.method = CP_TENDER_CASH, .amount = 8800 - fen}};
	struct cp_sale_result r;

	ok(cp_cart_scan(env->db, &env->cashier, "G88", 1, NULL, err), err);
	ok(cp_cart_set_member(env->db, &env->cashier, member, err), err);
	return cp_sale_pay(env->db, &env->cashier, t, 2, &r, err);
}

/* The offline limits per member and per terminal count the business day: after the Z they
 * start again, and what is spent after it counts to D+1. */
static void test_offline_limits_after_z(void **state)
{
	struct test_env *env = *state;
	struct cp_pointspay_quote q;
	struct cp_errbuf err = {{0}};
	char sql[160];

	exec(env, "UPDATE member SET points = 50000 WHERE id IN ('M1', 'M2')");
	exec(env,
	     "INSERT OR REPLACE INTO meta(key, value) VALUES('hq_url', 'https://127.0.0.1:1')");
	snprintf(sql, sizeof(sql), "UPDATE sync_state SET last_success = %lld WHERE id = 1",
		 (long long)(env->now - 3 * HOUR_MS)); /* offline for three hours */
	exec(env, sql);
	env->db->pointspay.offline_member = 2000;
	env->db->pointspay.offline_terminal = 3000;
	ok(spend(env, "M2", 1500, &err), &err);
	ok(spend(env, "M1", 1000, &err), &err);
	ok(cp_cart_scan(env->db, &env->cashier, "G88", 1, NULL, &err), &err);
	ok(cp_cart_set_member(env->db, &env->cashier, "M2", &err), &err);
	quote(env, &q);
	assert_true(q.offline);
	assert_int_equal(q.member_left, 500);
	assert_int_equal(q.terminal_left, 500);
	cp_cart_cancel(env->db, &env->cashier, &err);

	close_day(env);
	ok(cp_cart_scan(env->db, &env->cashier, "G88", 1, NULL, &err), &err);
	ok(cp_cart_set_member(env->db, &env->cashier, "M2", &err), &err);
	quote(env, &q);
	assert_true(q.offline);
	assert_int_equal(q.member_left, 2000);
	assert_int_equal(q.terminal_left, 3000);
	assert_int_equal(q.max_fen, 2000);
	cp_cart_cancel(env->db, &env->cashier, &err);
	ok(spend(env, "M2", 1800, &err), &err);
	assert_int_equal(test_count(env, "SELECT sum(points) FROM points_offline"
					 " WHERE business_day = '" DAY_D1 "'"),
			 1800);
	/* what was spent after the Z counts to D+1 */
	assert_int_equal(spend(env, "M2", 300, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "offline limit: 200 points left for this member today"));
	cp_cart_cancel(env->db, &env->cashier, &err);
	assert_int_equal(spend(env, "M1", 1300, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "offline limit: 1200 points left for this terminal today"));
	cp_cart_cancel(env->db, &env->cashier, &err);
	verify_ok(env);
}

/* A binding made after the Z counts to D+1: in the X report of D+1 (not of D) and in the
 * guide's day, which also counts the sale credited to the guide after the Z. */
static void test_binding_after_z(void **state)
{
	struct test_env *env = *state;
	struct cp_guide_bind_req b = {.member_id = "M2", .badge = BADGE_2001};
	struct cp_guide_bind_result br;
	struct cp_tender t = {.method = CP_TENDER_CASH, .amount = 2000};
	struct cp_sale_result r;
	struct cp_guide_day d;
	struct cp_tally *x = calloc(1, sizeof(*x));
	struct cp_errbuf err = {{0}};

	assert_non_null(x);
	ok(cp_staff_set_badge(env->db, "2001", BADGE_2001, &err), &err);
	close_day(env);
	ok(cp_guide_bind(env->db, &env->cashier, &b, &br, &err), &err);
	ok(cp_cart_scan(env->db, &env->cashier, "A2", 1, NULL, &err), &err);
	ok(cp_cart_set_member(env->db, &env->cashier, "M2", &err), &err);
	ok(cp_sale_pay(env->db, &env->cashier, &t, 1, &r, &err), &err);
	assert_int_equal(test_count(env, "SELECT count(*) FROM guide_event"
					 " WHERE business_day = '" DAY_D1 "'"),
			 1);
	ok(cp_report_tally(env->db, DAY_D1, x, &err), &err);
	assert_int_equal(x->nguides, 1);
	assert_string_equal(x->guides[0].guide, "2001");
	assert_int_equal(x->guides[0].bound, 1);
	assert_int_equal(x->guides[0].credited.count, 1);
	ok(cp_report_tally(env->db, DAY_D, x, &err), &err);
	assert_int_equal(x->nguides, 0);
	ok(cp_guide_day(env->db, &env->manager, BADGE_2001, &d, &err), &err);
	assert_string_equal(d.day, DAY_D1);
	assert_int_equal(d.bound_today, 1);
	assert_int_equal(d.sales, 1);
	assert_int_equal(d.sales_amount, r.total);
	free(x);
	verify_ok(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_offer_day_limit_after_z, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offline_limits_after_z, setup, teardown),
		cmocka_unit_test_setup_teardown(test_binding_after_z, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
