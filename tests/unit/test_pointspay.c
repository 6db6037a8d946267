/* test_pointspay.c — points as payment (积分抵现): EXAMPLES.md example 4, the cap floored to the
 * fen, whole steps, the balance minus points held, excluded categories and offer lines, the
 * offline limits with a moved clock (EXAMPLES.md example 7), refunds giving the points back in
 * proportion, and verify replaying it all. Every refusal changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cart.h"
#include "catalog.h"
#include "db_int.h"
#include "journal.h"
#include "member.h"
#include "pointspay_int.h"
#include "receipt.h"
#include "refund.h"
#include "sale.h"
#include "support.h"

static int setup(void **state)
{
	static struct test_env env;
	struct cp_errbuf err = {{0}};
	struct cp_item it = {.price = 8801, .member_price = -1};

	test_env_open(&env, "pointspay", true);
	snprintf(it.sku, sizeof(it.sku), "G8801");
	snprintf(it.name_zh, sizeof(it.name_zh), "杂货 88.01");
	snprintf(it.name_en, sizeof(it.name_en), "Groceries 88.01");
	snprintf(it.category, sizeof(it.category), "FOOD");
	assert_int_equal(cp_catalog_put_item(env.db, &it, &err), CP_OK);
	/* EXAMPLES.md 4 is not in the member's birthday month (the test clock is in November) */
	assert_int_equal(sqlite3_exec(env.db->h,
				      "UPDATE member SET birthday = '05-02' WHERE id = 'M2'", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_close(*state);
	return 0;
}

static void exec(struct test_env *env, const char *sql)
{
	assert_int_equal(sqlite3_exec(env->db->h, sql, NULL, NULL, NULL), SQLITE_OK);
}

static void scan(struct test_env *env, const char *code, int64_t qty)
{
	struct cp_errbuf err = {{0}};

	assert_int_equal(cp_cart_scan(env->db, &env->cashier, code, qty, NULL, &err), CP_OK);
}

static void attach(struct test_env *env, const char *id)
{
	struct cp_errbuf err = {{0}};

	assert_int_equal(cp_cart_set_member(env->db, &env->cashier, id, &err), CP_OK);
}

static int64_t balance(struct test_env *env, const char *id)
{
	struct cp_member_view m;
	struct cp_errbuf err = {{0}};

	assert_int_equal(cp_member_get(env->db, id, &m, &err), CP_OK);
	return m.points;
}

/* Pays points (fen) and the rest of total by the given method; err gets the refusal. */
static enum cp_err pay(struct test_env *env, int64_t points_fen, enum cp_tender_method m,
		       int64_t rest, struct cp_sale_result *r, struct cp_errbuf *err)
{
	struct cp_tender t[2];
	int n = 0;

	memset(t, 0, sizeof(t));
	if (points_fen) {
		t[n].method = CP_TENDER_POINTS;
		t[n++].amount = points_fen;
	}
	if (rest) {
		t[n].method = m;
		t[n++].amount = rest;
	}
	return cp_sale_pay(env->db, &env->cashier, t, n, r, err);
}

static void quote(struct test_env *env, struct cp_pointspay_quote *q)
{
	struct cp_cart_view v;
	struct cp_errbuf err = {{0}};

	assert_int_equal(cp_cart_view(env->db, &env->cashier, &v, &err), CP_OK);
	assert_int_equal(cp_pointspay_quote(env->db, &v, q, &err), CP_OK);
}

/* What a refusal must leave alone. */
struct snap {
	int64_t journal, lines, movements, points_pay, offline, balance;
};

static void take(struct test_env *env, struct snap *s)
{
	s->journal = test_count(env, "SELECT count(*) FROM journal");
	s->lines = test_count(env, "SELECT count(*) FROM cart_line");
	s->movements = test_count(env, "SELECT count(*) FROM movement");
	s->points_pay = test_count(env, "SELECT count(*) FROM points_pay");
	s->offline = test_count(env, "SELECT count(*) FROM points_offline");
	s->balance = balance(env, "M2");
}

static void unchanged(struct test_env *env, const struct snap *before)
{
	struct snap now;

	take(env, &now);
	assert_memory_equal(&now, before, sizeof(now));
}

static void verify_ok(struct test_env *env)
{
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_journal_verify(env->db, &rep, &err);

	if (rc != CP_OK)
		fail_msg("verify: %s", err.msg);
}

/* EXAMPLES.md 4: 普通 member, 3,050 points, ¥88.00 bill; 3,000 points pay ¥30.00, WeChat ¥58.00;
 * 58 points and 58 growth earned on the money part only; balance 108. */
static void test_example4(void **state)
{
	struct test_env *env = *state;
	struct cp_pointspay_quote q;
	struct cp_sale_result r;
	struct cp_receipt_view *v = test_malloc(sizeof(*v));
	struct cp_errbuf err = {{0}};

	scan(env, "G88", 1);
	attach(env, "M2");
	quote(env, &q);
	assert_int_equal(q.cap, 4400);
	assert_int_equal(q.available, 3050);
	assert_int_equal(q.step_fen, 100);
	assert_int_equal(q.step_points, 100);
	assert_int_equal(q.max_fen, 3000);
	assert_int_equal(q.max_points, 3000);
	assert_false(q.offline);
	assert_int_equal(pay(env, 3000, CP_TENDER_WECHAT, 5800, &r, &err), CP_OK);
	assert_int_equal(r.total, 8800);
	assert_int_equal(r.tendered, 8800);
	assert_int_equal(r.change, 0);
	assert_int_equal(r.points, 58);
	assert_int_equal(r.growth, 58);
	assert_int_equal(r.points_spent, 3000);
	assert_int_equal(r.balance_after, 108);
	assert_int_equal(balance(env, "M2"), 108);
	assert_int_equal(test_count(env, "SELECT points FROM movement WHERE n = 1"), 58);
	assert_int_equal(
		test_count(env, "SELECT points FROM movement WHERE n = 2 AND kind = 'pay'"), -3000);
	assert_int_equal(test_count(env, "SELECT amount FROM tender WHERE method = 'points'"),
			 3000);
	assert_int_equal(test_count(env, "SELECT points FROM points_pay WHERE line_no = 1"), 3000);
	assert_int_equal(test_count(env, "SELECT count(*) FROM points_offline"), 0);
	assert_int_equal(cp_receipt_get(env->db, r.receipt, v, &err), CP_OK);
	assert_int_equal(v->points_spent, 3000);
	assert_int_equal(v->points, 58);
	assert_int_equal(v->member.points, 108);
	test_free(v);
	verify_ok(env);
}

/* 50% of ¥88.01 is ¥44.005: the cap is floored to ¥44.00; ¥45.00 is refused and changes
 * nothing, ¥44.00 is taken. */
static void test_cap_rounding(void **state)
{
	struct test_env *env = *state;
	struct cp_pointspay_quote q;
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};
	struct snap before;

	exec(env, "UPDATE member SET points = 100000 WHERE id = 'M2'");
	scan(env, "G8801", 1);
	attach(env, "M2");
	quote(env, &q);
	assert_int_equal(q.cap, 4400);
	assert_int_equal(q.max_fen, 4400);
	assert_int_equal(q.max_points, 4400);
	take(env, &before);
	assert_int_equal(pay(env, 4500, CP_TENDER_CASH, 4301, &r, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "at most ¥44.00 of this bill"));
	unchanged(env, &before);
	assert_int_equal(pay(env, 4400, CP_TENDER_CASH, 4401, &r, &err), CP_OK);
	assert_int_equal(r.points_spent, 4400);
	assert_int_equal(r.points, 44); /* ¥44.01 of money, floored */
	assert_int_equal(balance(env, "M2"), 100000 - 4400 + 44);
}

/* Points pay whole steps only; a negative or overflowing amount, two points tenders, points
 * with a reference, no member, and an unknown method are refused and change nothing. */
static void test_refusals(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};
	struct cp_tender two[2] = {{CP_TENDER_POINTS, 1000, ""}, {CP_TENDER_POINTS, 7800, ""}};
	struct cp_tender ref[2] = {{CP_TENDER_POINTS, 1000, "1234"}, {CP_TENDER_CASH, 7800, ""}};
	struct snap before;

	scan(env, "G88", 1);
	take(env, &before);
	/* no member yet */
	assert_int_equal(pay(env, 1000, CP_TENDER_CASH, 7800, &r, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "attach the member"));
	unchanged(env, &before);
	attach(env, "M2");
	take(env, &before);
	assert_int_equal(pay(env, 3050, CP_TENDER_CASH, 5750, &r, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "whole steps of ¥1.00 (100 points): ¥30.50 is not one"));
	assert_int_equal(pay(env, -100, CP_TENDER_CASH, 8900, &r, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "positive amount"));
	assert_int_equal(pay(env, INT64_MAX, CP_TENDER_CASH, 8800, &r, &err), CP_EINVAL);
	assert_int_equal(pay(env, 3100, CP_TENDER_CASH, 5700, &r, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "too few points: the member has 3050 to spend"));
	assert_non_null(strstr(err.msg, "at most ¥30.00 (3000 points) now"));
	assert_int_equal(cp_sale_pay(env->db, &env->cashier, two, 2, &r, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "one points tender"));
	assert_int_equal(cp_sale_pay(env->db, &env->cashier, ref, 2, &r, &err), CP_EINVAL);
	/* points are not change: more than the total is refused */
	assert_int_equal(pay(env, 9000, 0, 0, &r, &err), CP_EINVAL);
	unchanged(env, &before);
	assert_int_equal(cp_tender_parse("points"), CP_TENDER_POINTS);
	assert_string_equal(cp_tender_name(CP_TENDER_POINTS), "points");
	assert_int_equal(cp_tender_parse("bitcoin"), -1);
	assert_int_equal(cp_tender_parse("Points"), -1);
}

/* The balance available is the balance minus the points the cart's offer lines hold; offer
 * lines and excluded categories (local or HQ's) are never paid with points. */
static void test_held_and_excluded(void **state)
{
	struct test_env *env = *state;
	struct cp_cart_view v;
	struct cp_pointspay_quote q;
	struct cp_pointspay_plan *plan = test_malloc(sizeof(*plan));
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};

	scan(env, "G88", 1);
	attach(env, "M2");
	assert_int_equal(cp_cart_view(env->db, &env->cashier, &v, &err), CP_OK);
	v.points_held = 2050;
	assert_int_equal(cp_points_available(&v), 1000);
	assert_int_equal(cp_pointspay_quote(env->db, &v, &q, &err), CP_OK);
	assert_int_equal(q.available, 1000);
	assert_int_equal(q.max_fen, 1000);
	assert_int_equal(cp_pointspay_plan(env->db, &v, 2000, plan, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "too few points: the member has 1000 to spend"));
	v.points_held = 5000;
	assert_int_equal(cp_points_available(&v), 0);
	/* an offer line is paid in money */
	v.points_held = 0;
	v.lines[0].redemption = true;
	assert_int_equal(cp_pointspay_quote(env->db, &v, &q, &err), CP_OK);
	assert_int_equal(q.base, 0);
	assert_int_equal(q.max_fen, 0);
	assert_non_null(strstr(q.limit, "offer lines and excluded categories"));
	/* tobacco excluded locally: ¥19.99 + ¥35.00, points may pay ¥19.00 at most */
	assert_int_equal(cp_cart_cancel(env->db, &env->cashier, &err), CP_OK);
	snprintf(env->db->pointspay.excluded, sizeof(env->db->pointspay.excluded),
		 "DRINK, TOBACCO");
	scan(env, "A2", 1);
	scan(env, "T1", 1);
	attach(env, "M2");
	quote(env, &q);
	assert_int_equal(q.base, 1999);
	assert_int_equal(q.max_fen, 1900);
	assert_int_equal(pay(env, 2000, CP_TENDER_CASH, 3499, &r, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "only ¥19.99 of this bill"));
	/* HQ's configuration overrides the local one */
	env->db->pointspay.excluded[0] = '\0';
	quote(env, &q);
	assert_int_equal(q.max_fen, 2700); /* the cap: 50% of ¥54.99 */
	exec(env,
	     "INSERT INTO hq_config(name, value) VALUES('points_excluded_categories', 'TOBACCO'),"
	     " ('points_max_share_bp', '3000'), ('points_step_fen', 'x')");
	quote(env, &q);
	assert_int_equal(q.base, 1999);
	assert_int_equal(q.cap, 1649);
	assert_int_equal(q.step_fen, 100); /* HQ's bad value is ignored */
	assert_int_equal(q.max_fen, 1600);
	assert_int_equal(pay(env, 1600, CP_TENDER_CASH, 3899, &r, &err), CP_OK);
	assert_int_equal(test_count(env, "SELECT count(*) FROM points_pay"), 1);
	assert_int_equal(test_count(env, "SELECT line_no FROM points_pay"), 1);
	/* the ¥16.00 paid with points was eligible money: earn on ¥3.99 */
	assert_int_equal(r.points, 3);
	test_free(plan);
	verify_ok(env);
}

static void go_enrolled(struct test_env *env, int64_t last_contact)
{
	char sql[160];

	exec(env,
	     "INSERT OR REPLACE INTO meta(key, value) VALUES('hq_url', 'https://127.0.0.1:1')");
	snprintf(sql, sizeof(sql), "UPDATE sync_state SET last_success = %lld WHERE id = 1",
		 (long long)last_contact);
	exec(env, sql);
}

/* EXAMPLES.md 7 with a moved clock: online only the balance limits; offline 2,000 points per
 * member per business day, the terminal's own limit, nothing after 48 hours; a new business
 * day starts the count again. */
static void test_offline_limits(void **state)
{
	struct test_env *env = *state;
	struct cp_pointspay_quote q;
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};
	struct snap before;
	int64_t hour = 3600 * 1000;

	exec(env, "UPDATE member SET points = 5000 WHERE id IN ('M1', 'M2')");
	go_enrolled(env, env->now - 5 * 60 * 1000); /* HQ reached 5 minutes ago: online */
	scan(env, "G88", 1);
	attach(env, "M2");
	quote(env, &q);
	assert_false(q.offline);
	assert_int_equal(q.member_left, -1);
	assert_int_equal(q.max_fen, 4400);
	/* three hours without HQ: offline */
	env->now += 3 * hour;
	quote(env, &q);
	assert_true(q.offline);
	assert_int_equal(q.offline_minutes, 3 * 60 + 5);
	assert_int_equal(q.member_left, 2000);
	assert_int_equal(q.terminal_left, 20000);
	assert_int_equal(q.max_fen, 2000);
	assert_int_equal(pay(env, 1500, CP_TENDER_CASH, 7300, &r, &err), CP_OK);
	assert_int_equal(test_count(env, "SELECT points FROM points_offline"), 1500);
	/* already spent 1,500 offline today: 500 more */
	scan(env, "G88", 1);
	attach(env, "M2");
	take(env, &before);
	assert_int_equal(pay(env, 800, CP_TENDER_CASH, 8000, &r, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "offline limit: 500 points left for this member today"));
	unchanged(env, &before);
	/* the terminal's limit, for another member */
	env->db->pointspay.offline_terminal = 1800;
	assert_int_equal(cp_cart_set_member(env->db, &env->cashier, "M1", &err), CP_OK);
	assert_int_equal(pay(env, 400, CP_TENDER_CASH, 8400, &r, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "offline limit: 300 points left for this terminal today"));
	assert_int_equal(pay(env, 300, CP_TENDER_CASH, 8500, &r, &err), CP_OK);
	env->db->pointspay.offline_terminal = 20000;
	/* the next business day (still offline, 27 hours) starts the count again */
	env->now += 24 * hour;
	scan(env, "G88", 1);
	attach(env, "M2");
	quote(env, &q);
	assert_true(q.offline);
	assert_int_equal(q.member_left, 2000);
	assert_int_equal(q.max_fen, 2000);
	/* past 48 hours without HQ: no points at all, selling goes on */
	env->now += 22 * hour;
	quote(env, &q);
	assert_int_equal(q.max_fen, 0);
	take(env, &before);
	assert_int_equal(pay(env, 100, CP_TENDER_CASH, 8700, &r, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "HQ not reached for 49 hours (more than 48)"));
	unchanged(env, &before);
	assert_int_equal(pay(env, 0, CP_TENDER_CASH, 8800, &r, &err), CP_OK);
	/* HQ reached again: online, the balance is the only limit */
	go_enrolled(env, env->now);
	scan(env, "G88", 1);
	attach(env, "M2");
	quote(env, &q);
	assert_false(q.offline);
	assert_int_equal(q.max_fen, 3600); /* 5,000 - 1,500 + 73 + 88 earned = 3,661 */
	verify_ok(env);
}

/* A refund gives back the points that paid for the refunded lines (their share, fixed at the
 * sale), the rest by the money methods; the last line gets the remainder; the receipt says
 * both. */
static void test_refund_gives_points_back(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result s;
	struct cp_refund_result r;
	struct cp_receipt_view *v = test_malloc(sizeof(*v));
	struct cp_errbuf err = {{0}};
	int line2[] = {2};
	struct cp_refund_req req = {.lines = line2, .nlines = 1};

	exec(env, "UPDATE member SET points = 20000 WHERE id = 'M2'");
	scan(env, "G120", 1);
	scan(env, "G88", 1);
	attach(env, "M2");
	/* ¥208.00: 10,000 points pay ¥100.00, spread ¥57.69 / ¥42.31 over ¥120 and ¥88 (the
	 * larger remainder, ¥42.3077, gets the fen left by rounding) */
	assert_int_equal(pay(env, 10000, CP_TENDER_WECHAT, 10800, &s, &err), CP_OK);
	assert_int_equal(s.points, 108);
	assert_int_equal(test_count(env, "SELECT fen FROM points_pay WHERE line_no = 1"), 5769);
	assert_int_equal(test_count(env, "SELECT fen FROM points_pay WHERE line_no = 2"), 4231);
	assert_int_equal(balance(env, "M2"), 20000 - 10000 + 108);
	req.receipt = s.receipt;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_OK);
	assert_int_equal(r.amount, 8800);
	assert_int_equal(r.points_back, 4231);
	assert_int_equal(r.points_back_fen, 4231);
	assert_int_equal(r.ntenders, 2);
	assert_int_equal(r.tenders[0].method, CP_TENDER_POINTS);
	assert_int_equal(r.tenders[0].amount, 4231);
	assert_int_equal(r.tenders[1].method, CP_TENDER_WECHAT);
	assert_int_equal(r.tenders[1].amount, 4569);
	assert_int_equal(r.points, 45); /* floor(108 * 88 / 208) clawed back */
	assert_int_equal(balance(env, "M2"), 20000 - 10000 + 108 + 4231 - 45);
	assert_int_equal(test_count(env, "SELECT points FROM movement WHERE kind = 'pay_refund'"),
			 4231);
	assert_int_equal(cp_receipt_get(env->db, r.receipt, v, &err), CP_OK);
	assert_int_equal(v->points_returned, 4231);
	assert_int_equal(v->points, 45);
	assert_int_equal(v->ntenders, 2);
	assert_int_equal(v->tenders[0].method, CP_TENDER_POINTS);
	/* the rest */
	req.lines = NULL;
	req.nlines = 0;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_OK);
	assert_int_equal(r.points_back, 5769);
	assert_int_equal(r.tenders[1].amount, 12000 - 5769);
	assert_int_equal(balance(env, "M2"), 20000);
	assert_int_equal(test_count(env, "SELECT sum(amount) FROM tender WHERE method = 'points'"),
			 0);
	test_free(v);
	verify_ok(env);
}

/* A post-void gives every point back. */
static void test_void_gives_points_back(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result s;
	struct cp_refund_result r;
	struct cp_errbuf err = {{0}};
	struct cp_refund_req req = {.void_sale = true};

	scan(env, "G88", 1);
	attach(env, "M2");
	assert_int_equal(pay(env, 3000, CP_TENDER_CASH, 6000, &s, &err), CP_OK);
	req.receipt = s.receipt;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_OK);
	assert_int_equal(r.points_back, 3000);
	assert_int_equal(r.tenders[1].method, CP_TENDER_CASH);
	assert_int_equal(r.tenders[1].amount, 5800); /* cash less the change */
	assert_int_equal(balance(env, "M2"), 3050);
	verify_ok(env);
}

/* verify replays the points rows and notices a changed one. */
static void test_verify_notices_tampering(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result s;
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	go_enrolled(env, env->now - 60 * 60 * 1000);
	scan(env, "G88", 1);
	attach(env, "M2");
	assert_int_equal(pay(env, 1000, CP_TENDER_CASH, 7800, &s, &err), CP_OK);
	verify_ok(env);
	exec(env, "UPDATE points_pay SET points = points + 1");
	assert_int_equal(cp_journal_verify(env->db, &rep, &err), CP_ECORRUPT);
	assert_non_null(strstr(err.msg, "points_pay"));
	exec(env, "UPDATE points_pay SET points = points - 1");
	verify_ok(env);
	exec(env, "DELETE FROM points_offline");
	assert_int_equal(cp_journal_verify(env->db, &rep, &err), CP_ECORRUPT);
	assert_non_null(strstr(err.msg, "points_offline"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_example4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap_rounding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_and_excluded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offline_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refund_gives_points_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_void_gives_points_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_notices_tampering, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
