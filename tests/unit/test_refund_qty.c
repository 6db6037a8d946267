/* test_refund_qty.c — refunds of some of a line's units (issue 12): the money of each unit from
 * the line as paid (a coupon's share included), shared so that the refunds of a line sum to it;
 * points and growth clawed back so that they sum to what the sale earned; over-refunds refused;
 * the quote writes nothing; every check made before the manager's PIN; verify replays it. */
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
#include "coupon.h"
#include "db_int.h"
#include "journal.h"
#include "member.h"
#include "receipt.h"
#include "refund.h"
#include "sale.h"
#include "support.h"

static void sql(struct test_env *env, const char *text)
{
	assert_int_equal(sqlite3_exec(env->db->h, text, NULL, NULL, NULL), SQLITE_OK);
}

static int setup(void **state)
{
	static struct test_env env;
	struct cp_errbuf err = {{0}};
	struct cp_item it = {.price = 1001, .member_price = -1};
	struct cp_coupon_template t = {
		.amount = 100, .valid_days = 30, .bearer = true, .stacks = true};
	struct cp_coupon_rule rule = {.threshold = 10000};

	test_env_open(&env, "refund_qty", true);
	snprintf(it.sku, sizeof(it.sku), "P1001");
	snprintf(it.name_zh, sizeof(it.name_zh), "面包");
	snprintf(it.name_en, sizeof(it.name_en), "Bread");
	snprintf(it.category, sizeof(it.category), "FOOD");
	assert_int_equal(cp_catalog_put_item(env.db, &it, &err), CP_OK);
	snprintf(t.id, sizeof(t.id), "FIX");
	snprintf(t.kind, sizeof(t.kind), "amount");
	snprintf(t.title_zh, sizeof(t.title_zh), "立减券");
	snprintf(t.title_en, sizeof(t.title_en), "Coupon");
	snprintf(t.scope, sizeof(t.scope), "all");
	assert_int_equal(cp_coupon_template_put(env.db, &t, &err), CP_OK);
	snprintf(rule.id, sizeof(rule.id), "R");
	snprintf(rule.templates, sizeof(rule.templates), "FIX");
	snprintf(rule.valid_from, sizeof(rule.valid_from), "2026-01-01");
	snprintf(rule.valid_to, sizeof(rule.valid_to), "2026-12-31");
	assert_int_equal(cp_coupon_rule_put(env.db, &rule, &err), CP_OK);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_close(*state);
	return 0;
}

static void pay(struct test_env *env, int64_t cash, struct cp_sale_result *r)
{
	struct cp_tender t = {CP_TENDER_CASH, cash};

	OK(cp_sale_pay(env->db, &env->cashier, &t, 1, r, &e_));
}

/* A sale of 3 x ¥10.01 (line 1) and 1 x ¥88.00 (line 2) to member M1, with a ¥1 coupon spread
 * over both lines (the coupon issued by an earlier sale of ¥120). */
static void sell_with_coupon(struct test_env *env, struct cp_sale_result *r)
{
	struct cp_sale_result first;
	sqlite3_stmt *st;
	char code[CP_COUPON_CODE_LEN + 1];

	OK(cp_cart_scan(env->db, &env->cashier, "G120", 1, NULL, &e_));
	OK(cp_cart_set_member(env->db, &env->cashier, "M2", &e_));
	pay(env, 12000, &first);
	assert_int_equal(sqlite3_prepare_v2(env->db->h,
					    "SELECT code FROM coupon_issue WHERE seq = ?1", -1, &st,
					    NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, first.seq);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(code, sizeof(code), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sql(env, "DELETE FROM coupon_rule");
	OK(cp_cart_scan(env->db, &env->cashier, "P1001", 3, NULL, &e_));
	OK(cp_cart_scan(env->db, &env->cashier, "G88", 1, NULL, &e_));
	OK(cp_cart_set_member(env->db, &env->cashier, "M1", &e_));
	OK(cp_coupon_apply(env->db, &env->cashier, code, NULL, &e_));
	pay(env, 12000, r);
	assert_int_equal(r->total, 3003 + 8800 - 100);
	assert_true(r->points > 0);
}

static int64_t line_amount(struct test_env *env, int64_t seq, int line)
{
	char q[128];

	snprintf(q, sizeof(q), "SELECT amount FROM sale_line WHERE seq = %lld AND line_no = %d",
		 (long long)seq, line);
	return test_count(env, q);
}

static void verify_ok(struct test_env *env)
{
	struct cp_verify_report rep;

	OK(cp_journal_verify(env->db, &rep, &e_));
}

/* 3 units of ¥10.01 less their coupon share, refunded 1 then 2: the two sum to the line; then
 * the other line: the points and growth clawed back sum to what the sale earned. */
static void test_partial_exact(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result s;
	struct cp_refund_result r1, r2, r3;
	struct cp_errbuf err = {{0}};
	int line1[] = {1}, line2[] = {2};
	int64_t one[] = {1}, two[] = {2};
	struct cp_refund_req req = {.lines = line1, .qty = one, .nlines = 1};
	struct cp_verify_report rep;
	int64_t amount1;
	char q[160];

	sell_with_coupon(env, &s);
	amount1 = line_amount(env, s.seq, 1);
	assert_true(amount1 < 3003);          /* the coupon's share is in the line */
	assert_int_not_equal(amount1 % 3, 0); /* so the units cannot be equal */
	req.receipt = s.receipt;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r1, &err), CP_OK);
	assert_int_equal(r1.amount, amount1 / 3);
	assert_int_equal(r1.points, s.points * r1.amount / s.eligible);
	assert_int_equal(test_count(env, "SELECT count(*) FROM refund_line"), 0);
	req.qty = two;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r2, &err), CP_OK);
	assert_int_equal(r1.amount + r2.amount, amount1);
	assert_int_equal(r2.amount, amount1 - amount1 / 3);
	assert_int_equal(r1.points + r2.points, s.points * amount1 / s.eligible);
	assert_int_equal(test_count(env, "SELECT count(*) FROM refund_line"), 1);
	snprintf(q, sizeof(q),
		 "SELECT sum(qty) * 1000000 + sum(amount) FROM refund_part WHERE sale_seq = %lld",
		 (long long)s.seq);
	assert_int_equal(test_count(env, q), 3 * 1000000 + amount1);
	/* the rest of the sale: everything earned is clawed back, all money given back */
	req.lines = line2;
	req.qty = NULL;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r3, &err), CP_OK);
	assert_int_equal(r1.amount + r2.amount + r3.amount, s.total);
	assert_int_equal(r1.points + r2.points + r3.points, s.points);
	assert_int_equal(r1.growth + r2.growth + r3.growth, s.growth);
	snprintf(q, sizeof(q), "SELECT sum(amount) FROM tender WHERE seq >= %lld",
		 (long long)s.seq);
	assert_int_equal(test_count(env, q), s.change); /* cash tendered less the refunds */
	/* verify replays the partial refunds, and sees a changed refund_part row */
	verify_ok(env);
	sql(env, "UPDATE refund_part SET amount = amount + 1 WHERE qty = 1");
	assert_int_equal(cp_journal_verify(env->db, &rep, &err), CP_ECORRUPT);
	assert_non_null(strstr(err.msg, "refund_part"));
	sql(env, "UPDATE refund_part SET amount = amount - 1 WHERE qty = 1");
	verify_ok(env);
}

/* The refund receipt shows the units refunded and their money. */
static void test_receipt_shows_units(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result s;
	struct cp_refund_result r;
	struct cp_receipt_view *v = calloc(1, sizeof(*v));
	struct cp_errbuf err = {{0}};
	int line1[] = {1};
	int64_t two[] = {2};
	struct cp_refund_req req = {.lines = line1, .qty = two, .nlines = 1};

	assert_non_null(v);
	sell_with_coupon(env, &s);
	req.receipt = s.receipt;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_OK);
	assert_int_equal(cp_receipt_get(env->db, r.receipt, v, &err), CP_OK);
	assert_int_equal(v->nlines, 1);
	assert_int_equal(v->lines[0].qty, 2);
	assert_int_equal(v->lines[0].amount, r.amount);
	free(v);
}

/* More units than are left, none, a negative number, a line already refunded: refused, and
 * nothing written. */
static void test_over_refund_refused(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result s;
	struct cp_refund_result r;
	struct cp_errbuf err = {{0}};
	int line1[] = {1};
	int64_t qty[1] = {4};
	struct cp_refund_req req = {.lines = line1, .qty = qty, .nlines = 1};
	int64_t journal;

	sell_with_coupon(env, &s);
	req.receipt = s.receipt;
	journal = test_count(env, "SELECT count(*) FROM journal");
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "refund 1 to 3"));
	qty[0] = -1;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_EINVAL);
	assert_int_equal(test_count(env, "SELECT count(*) FROM journal"), journal);
	qty[0] = 2;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_OK);
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "2 refunded already; refund 1 to 1"));
	qty[0] = 0; /* what is left */
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_OK);
	assert_int_equal(r.amount, line_amount(env, s.seq, 1) - line_amount(env, s.seq, 1) * 2 / 3);
	qty[0] = 1;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "refunded already"));
	/* a post-void of a sale with some units refunded is refused */
	req.void_sale = true;
	req.lines = NULL;
	req.nlines = 0;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_ESTATE);
	assert_int_equal(test_count(env, "SELECT count(*) FROM refund"), 2);
	verify_ok(env);
}

/* The quote shows each line's units sold and refunded and what a selection gives back and
 * claws back, exactly as the refund then does, and writes nothing. */
static void test_quote_writes_nothing(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result s;
	struct cp_refund_result r;
	struct cp_refund_quote *qt = calloc(1, sizeof(*qt));
	struct cp_errbuf err = {{0}};
	int line1[] = {1};
	int64_t one[] = {1}, five[] = {5};
	struct cp_refund_req req = {.lines = line1, .qty = one, .nlines = 1};
	int changes;

	assert_non_null(qt);
	sell_with_coupon(env, &s);
	req.receipt = s.receipt;
	OK(cp_refund(env->db, &env->manager, &req, &r, &e_));
	changes = sqlite3_total_changes(env->db->h);
	/* as a cashier, without a manager: the quote needs none */
	assert_int_equal(cp_refund_quote(env->db, &env->cashier, &req, qt, &err), CP_OK);
	assert_int_equal(sqlite3_total_changes(env->db->h), changes);
	assert_string_equal(qt->sale_receipt, s.receipt);
	assert_true(qt->member);
	assert_int_equal(qt->nlines, 2);
	assert_int_equal(qt->lines[0].qty, 3);
	assert_int_equal(qt->lines[0].refunded, 1);
	assert_string_equal(qt->lines[0].sku, "P1001");
	assert_int_equal(qt->lines[0].pick_qty, 1);
	assert_int_equal(qt->lines[1].qty, 1);
	assert_int_equal(qt->lines[1].refunded, 0);
	assert_int_equal(qt->lines[1].pick_qty, 0);
	/* a refused selection still shows the lines */
	req.qty = five;
	assert_int_equal(cp_refund_quote(env->db, &env->cashier, &req, qt, &err), CP_EINVAL);
	assert_int_equal(qt->nlines, 2);
	assert_int_equal(qt->lines[0].refunded, 1);
	req.qty = one;
	assert_int_equal(cp_refund_quote(env->db, &env->cashier, &req, qt, &err), CP_OK);
	assert_int_equal(sqlite3_total_changes(env->db->h), changes);
	OK(cp_refund(env->db, &env->manager, &req, &r, &e_));
	assert_int_equal(qt->amount, r.amount);
	assert_int_equal(qt->points, r.points);
	assert_int_equal(qt->growth, r.growth);
	assert_int_equal(qt->ntenders, r.ntenders);
	assert_int_equal(qt->tenders[0].method, r.tenders[0].method);
	assert_int_equal(qt->tenders[0].amount, r.tenders[0].amount);
	/* an unknown receipt */
	req.receipt = "S001-T01-999999";
	assert_int_equal(cp_refund_quote(env->db, &env->cashier, &req, qt, &err), CP_ENOTFOUND);
	assert_int_equal(qt->nlines, 0);
	free(qt);
}

/* Points that paid for a line (points-plus-cash) go back in the units' proportion, shared the
 * same way: 1 then 2 of 3 units give back exactly the points the line took. */
static void test_points_paid_back_by_units(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result s;
	struct cp_refund_result r1, r2;
	struct cp_tender t[2] = {{CP_TENDER_POINTS, 10000, ""}, {CP_TENDER_WECHAT, 16400, ""}};
	struct cp_errbuf err = {{0}};
	int line1[] = {1};
	int64_t one[] = {1}, two[] = {2};
	struct cp_refund_req req = {.lines = line1, .qty = one, .nlines = 1};

	sql(env, "UPDATE member SET points = 20000 WHERE id = 'M2'");
	OK(cp_cart_scan(env->db, &env->cashier, "G88", 3, NULL, &e_));
	OK(cp_cart_set_member(env->db, &env->cashier, "M2", &e_));
	OK(cp_sale_pay(env->db, &env->cashier, t, 2, &s, &e_));
	assert_int_equal(test_count(env, "SELECT fen FROM points_pay WHERE line_no = 1"), 10000);
	req.receipt = s.receipt;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r1, &err), CP_OK);
	assert_int_equal(r1.amount, 8800);
	assert_int_equal(r1.points_back_fen, 10000 / 3);
	assert_int_equal(r1.tenders[0].method, CP_TENDER_POINTS);
	assert_int_equal(r1.tenders[0].amount, 10000 / 3);
	assert_int_equal(r1.tenders[1].method, CP_TENDER_WECHAT);
	assert_int_equal(r1.tenders[1].amount, 8800 - 10000 / 3);
	req.qty = two;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r2, &err), CP_OK);
	assert_int_equal(r1.points_back_fen + r2.points_back_fen, 10000);
	assert_int_equal(r1.points_back + r2.points_back, 10000);
	assert_int_equal(r1.points + r2.points, s.points);
	assert_int_equal(test_count(env, "SELECT points FROM member WHERE id = 'M2'"), 20000);
	assert_int_equal(test_count(env, "SELECT sum(amount) FROM tender WHERE method = 'points'"),
			 0);
	verify_ok(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_partial_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receipt_shows_units, setup, teardown),
		cmocka_unit_test_setup_teardown(test_over_refund_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quote_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_points_paid_back_by_units, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
