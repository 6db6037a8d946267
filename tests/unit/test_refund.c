/* test_refund.c — refunds and post-voids: EXAMPLES.md 6 (proportional claw-back, the last
 * refund takes the remainder), never twice, manager authority in core, money back by method. */
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
#include "member.h"
#include "refund.h"
#include "sale.h"
#include "support.h"

static int setup(void **state)
{
	static struct test_env env;
	struct cp_errbuf err = {{0}};
	static const char *const skus[] = {"B1", "B2", "B3", "B4"};

	test_env_open(&env, "refund", true);
	for (int i = 0; i < 4; i++) {
		struct cp_item it = {.price = 3000, .member_price = -1};

		snprintf(it.sku, sizeof(it.sku), "%s", skus[i]);
		snprintf(it.name_zh, sizeof(it.name_zh), "杂货 %d", i + 1);
		snprintf(it.name_en, sizeof(it.name_en), "Groceries %d", i + 1);
		snprintf(it.category, sizeof(it.category), "FOOD");
		assert_int_equal(cp_catalog_put_item(env.db, &it, &err), CP_OK);
	}
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_close(*state);
	return 0;
}

static int64_t balance(struct test_env *env, const char *id)
{
	struct cp_member_view m;
	struct cp_errbuf err = {{0}};

	assert_int_equal(cp_member_get(env->db, id, &m, &err), CP_OK);
	return m.points;
}

/* EXAMPLES.md 1 as four ¥30 lines plus tobacco: 180 points, 120 growth. */
static void sell_example1(struct test_env *env, const struct cp_tender *t, int nt,
			  struct cp_sale_result *r)
{
	static const char *const codes[] = {"B1", "B2", "B3", "B4", "T1"};
	struct cp_errbuf err = {{0}};

	for (int i = 0; i < 5; i++)
		assert_int_equal(cp_cart_scan(env->db, &env->cashier, codes[i], 1, NULL, &err),
				 CP_OK);
	assert_int_equal(cp_cart_set_member(env->db, &env->cashier, "M1", &err), CP_OK);
	assert_int_equal(cp_sale_pay(env->db, &env->cashier, t, nt, r, &err), CP_OK);
	assert_int_equal(r->points, 180);
	assert_int_equal(r->growth, 120);
}

static void test_example6_partial_then_rest(void **state)
{
	struct test_env *env = *state;
	struct cp_tender cash = {CP_TENDER_CASH, 15500};
	struct cp_sale_result s;
	struct cp_refund_result r;
	struct cp_errbuf err = {{0}};
	int line1[] = {1};
	struct cp_refund_req req = {.lines = line1, .nlines = 1};

	sell_example1(env, &cash, 1, &s);
	req.receipt = s.receipt;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_OK);
	assert_int_equal(r.amount, 3000);
	assert_int_equal(r.points, 45);
	assert_int_equal(r.growth, 30);
	assert_string_equal(r.authorised_by, "9001");
	assert_string_equal(r.receipt, "S001-T01-000002");
	assert_int_equal(r.ntenders, 1);
	assert_int_equal(r.tenders[0].method, CP_TENDER_CASH);
	assert_int_equal(r.tenders[0].amount, 3000);
	assert_int_equal(balance(env, "M1"), 500 + 180 - 45);
	/* the rest: lines 2-4 and the tobacco line; the last refund takes the remainder */
	req.lines = NULL;
	req.nlines = 0;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_OK);
	assert_int_equal(r.amount, 3 * 3000 + 3500);
	assert_int_equal(r.points, 135);
	assert_int_equal(r.growth, 90);
	assert_int_equal(balance(env, "M1"), 500);
	assert_int_equal(test_count(env, "SELECT sum(points) FROM movement WHERE member_id = 'M1'"),
			 0);
	assert_int_equal(test_count(env, "SELECT sum(amount) FROM tender"), 0);
}

static void test_never_twice(void **state)
{
	struct test_env *env = *state;
	struct cp_tender cash = {CP_TENDER_CASH, 15500};
	struct cp_sale_result s;
	struct cp_refund_result r;
	struct cp_errbuf err = {{0}};
	int line2[] = {2}, dup[] = {3, 3}, missing[] = {9};
	struct cp_refund_req req = {.lines = line2, .nlines = 1};

	sell_example1(env, &cash, 1, &s);
	req.receipt = s.receipt;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_OK);
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "refunded already"));
	req.lines = dup;
	req.nlines = 2;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_EINVAL);
	req.lines = missing;
	req.nlines = 1;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_EINVAL);
	req.lines = NULL;
	req.nlines = 0;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_OK);
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_ESTATE);
	assert_int_equal(test_count(env, "SELECT count(*) FROM refund"), 2);
	assert_int_equal(test_count(env, "SELECT count(*) FROM refund_line"), 5);
	/* unknown receipt, empty receipt */
	req.receipt = "S001-T01-999999";
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_ENOTFOUND);
	req.receipt = "";
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_EINVAL);
}

/* The manager's authority is checked in core: a cashier alone cannot refund. */
static void test_needs_manager(void **state)
{
	struct test_env *env = *state;
	struct cp_tender cash = {CP_TENDER_CASH, 15500};
	struct cp_sale_result s;
	struct cp_refund_result r;
	struct cp_errbuf err = {{0}};
	struct cp_refund_req req = {0};
	struct cp_session forged = env->cashier;

	sell_example1(env, &cash, 1, &s);
	req.receipt = s.receipt;
	assert_int_equal(cp_refund(env->db, &env->cashier, &req, &r, &err), CP_EPERM);
	forged.role = CP_ROLE_MANAGER; /* a forged session gains nothing */
	assert_int_equal(cp_refund(env->db, &forged, &req, &r, &err), CP_EPERM);
	req.manager_code = "2001"; /* a guide */
	req.manager_pin = "2222";
	assert_int_equal(cp_refund(env->db, &env->cashier, &req, &r, &err), CP_EPERM);
	req.manager_code = "9001";
	req.manager_pin = "0000";
	assert_int_equal(cp_refund(env->db, &env->cashier, &req, &r, &err), CP_EAUTH);
	assert_int_equal(test_count(env, "SELECT count(*) FROM refund"), 0);
	req.manager_pin = "9999";
	assert_int_equal(cp_refund(env->db, &env->cashier, &req, &r, &err), CP_OK);
	assert_string_equal(r.authorised_by, "9001");
	assert_int_equal(test_count(env, "SELECT count(*) FROM refund WHERE authorised_by = '9001'"
					 " AND staff = '1001'"),
			 1);
}

/* Every check on the receipt and its lines is made before the manager's PIN: a refund that
 * would be refused never asks for it, so a wrong PIN typed then is neither checked nor counted. */
static void test_checks_before_pin(void **state)
{
	struct test_env *env = *state;
	struct cp_tender cash = {CP_TENDER_CASH, 15500};
	struct cp_sale_result s;
	struct cp_refund_result r;
	struct cp_errbuf err = {{0}};
	int line1[] = {1}, missing[] = {9};
	struct cp_refund_req req = {.lines = line1, .nlines = 1};

	sell_example1(env, &cash, 1, &s);
	req.receipt = s.receipt;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_OK);
	req.manager_code = "9001";
	req.manager_pin = "0000"; /* wrong */
	assert_int_equal(cp_refund(env->db, &env->cashier, &req, &r, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "refunded already"));
	req.lines = missing;
	assert_int_equal(cp_refund(env->db, &env->cashier, &req, &r, &err), CP_EINVAL);
	req.receipt = "S001-T01-999999";
	assert_int_equal(cp_refund(env->db, &env->cashier, &req, &r, &err), CP_ENOTFOUND);
	env->now += TEST_DAY_MS;
	req.receipt = s.receipt;
	req.lines = NULL;
	req.nlines = 0;
	req.void_sale = true;
	assert_int_equal(cp_refund(env->db, &env->cashier, &req, &r, &err), CP_ESTATE);
	assert_int_equal(test_count(env, "SELECT failed FROM staff WHERE code = '9001'"), 0);
	/* a refund that passes every check does ask, and counts the wrong PIN */
	req.void_sale = false;
	assert_int_equal(cp_refund(env->db, &env->cashier, &req, &r, &err), CP_EAUTH);
	assert_int_equal(test_count(env, "SELECT failed FROM staff WHERE code = '9001'"), 1);
	assert_int_equal(test_count(env, "SELECT count(*) FROM refund"), 1);
}

/* Money goes back by the sale's methods: card and mobile first, then cash net of change. */
static void test_tenders_by_method(void **state)
{
	struct test_env *env = *state;
	struct cp_tender split[] = {{CP_TENDER_WECHAT, 5000}, {CP_TENDER_CASH, 11000}};
	struct cp_sale_result s;
	struct cp_refund_result r;
	struct cp_errbuf err = {{0}};
	int two[] = {1, 2}, rest[] = {3, 4, 5};
	struct cp_refund_req req = {.lines = two, .nlines = 2};

	sell_example1(env, split, 2, &s); /* total 155.00, change 5.00 */
	assert_int_equal(s.change, 500);
	req.receipt = s.receipt;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_OK);
	assert_int_equal(r.ntenders, 2);
	assert_int_equal(r.tenders[0].method, CP_TENDER_WECHAT);
	assert_int_equal(r.tenders[0].amount, 5000);
	assert_int_equal(r.tenders[1].method, CP_TENDER_CASH);
	assert_int_equal(r.tenders[1].amount, 1000);
	req.lines = rest;
	req.nlines = 3;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_OK);
	assert_int_equal(r.ntenders, 1);
	assert_int_equal(r.tenders[0].method, CP_TENDER_CASH);
	assert_int_equal(r.tenders[0].amount, 9500);
	assert_int_equal(test_count(env, "SELECT sum(amount) FROM tender WHERE method = 'cash'"),
			 500);
}

static void test_post_void(void **state)
{
	struct test_env *env = *state;
	struct cp_tender cash = {CP_TENDER_CASH, 15500};
	struct cp_sale_result s1, s2, s3;
	struct cp_refund_result r;
	struct cp_errbuf err = {{0}};
	int one[] = {1};
	struct cp_refund_req req = {.void_sale = true};

	sell_example1(env, &cash, 1, &s1);
	sell_example1(env, &cash, 1, &s2);
	sell_example1(env, &cash, 1, &s3);
	/* a part of a sale cannot be voided */
	req.receipt = s1.receipt;
	req.lines = one;
	req.nlines = 1;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_EINVAL);
	req.lines = NULL;
	req.nlines = 0;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_OK);
	assert_int_equal(r.amount, 15500);
	assert_int_equal(r.points, 180);
	assert_int_equal(test_count(env, "SELECT count(*) FROM refund WHERE kind = 'void'"), 1);
	/* a sale with a refunded line cannot be voided */
	req.void_sale = false;
	req.receipt = s2.receipt;
	req.lines = one;
	req.nlines = 1;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_OK);
	req.void_sale = true;
	req.lines = NULL;
	req.nlines = 0;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_ESTATE);
	/* yesterday's sale cannot be voided; it can be refunded */
	env->now += TEST_DAY_MS;
	req.receipt = s3.receipt;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "refund"));
	req.void_sale = false;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_OK);
}

/* Points already spent elsewhere: the claw-back takes the balance below zero and says so. */
static void test_balance_may_go_negative(void **state)
{
	struct test_env *env = *state;
	struct cp_tender cash = {CP_TENDER_CASH, 15500};
	struct cp_sale_result s;
	struct cp_refund_result r;
	struct cp_errbuf err = {{0}};
	struct cp_refund_req req = {0};
	struct cp_member_snapshot spent = {.id = "M1",
					   .phone = "13800000001",
					   .name = "张三",
					   .birthday = "01-15",
					   .points = 0,
					   .growth = 10000,
					   .tier_level = 2,
					   .version = 2};

	sell_example1(env, &cash, 1, &s);
	/* HQ acknowledges the sale and says the member spent everything elsewhere. */
	assert_int_equal(cp_db_meta_set_int(env->db, "acked_seq", s.seq, &err), CP_OK);
	assert_int_equal(cp_member_put_snapshot(env->db, &spent, &err), CP_OK);
	req.receipt = s.receipt;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_OK);
	assert_int_equal(r.balance_after, -180);
	assert_true(r.balance_negative);
}

/* A sale without a member claws back nothing. */
static void test_refund_without_member(void **state)
{
	struct test_env *env = *state;
	struct cp_tender card = {CP_TENDER_CARD, 3000};
	struct cp_sale_result s;
	struct cp_refund_result r;
	struct cp_errbuf err = {{0}};
	struct cp_refund_req req = {0};

	assert_int_equal(cp_cart_scan(env->db, &env->cashier, "B1", 1, NULL, &err), CP_OK);
	assert_int_equal(cp_sale_pay(env->db, &env->cashier, &card, 1, &s, &err), CP_OK);
	req.receipt = s.receipt;
	assert_int_equal(cp_refund(env->db, &env->manager, &req, &r, &err), CP_OK);
	assert_int_equal(r.points, 0);
	assert_int_equal(r.tenders[0].method, CP_TENDER_CARD);
	assert_int_equal(test_count(env, "SELECT count(*) FROM movement"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_example6_partial_then_rest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_needs_manager, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checks_before_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tenders_by_method, setup, teardown),
		cmocka_unit_test_setup_teardown(test_post_void, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balance_may_go_negative, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refund_without_member, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
