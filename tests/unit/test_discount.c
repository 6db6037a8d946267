/* test_discount.c — tier discounts and manual discounts (issue 16): the best price per line
 * (member price, tier discount or neither, excluded categories), each stacking setting,
 * re-pricing on attach and detach, a line's and the whole sale's manual discount spread to the
 * fen, a sale and the refund of a discounted line (exact money and points claw-back), every
 * refusal changing nothing, the tier record's new fields from HQ, and verify replaying it. */
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
#include "changes_int.h"
#include "db_int.h"
#include "discount_int.h"
#include "journal.h"
#include "member.h"
#include "receipt.h"
#include "refund.h"
#include "sale.h"
#include "support.h"

static struct test_env env;
static struct cp_cart_view view;

static int64_t count(const char *sql)
{
	return test_count(&env, sql);
}

static void tier_discount(int level, int bp, const char *except)
{
	struct cp_tier_discount d = {.level = level, .discount_bp = bp};

	snprintf(d.except, sizeof(d.except), "%s", except);
	OK(cp_tier_discount_put(env.db, &d, &e_));
}

static int setup(void **state)
{
	(void)state;
	test_env_open(&env, "discount", true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

static int reset(void **state)
{
	struct cp_discount_config c;
	struct cp_errbuf err = {{0}};

	(void)state;
	env.now = TEST_TUESDAY_MS;
	cp_cart_cancel(env.db, &env.cashier, &err);
	cp_discount_config_default(&c);
	cp_discount_configure(env.db, &c);
	assert_int_equal(sqlite3_exec(env.db->h, "DELETE FROM tier_discount", NULL, NULL, NULL),
			 SQLITE_OK);
	return 0;
}

static void scan(const char *sku, int64_t qty)
{
	OK(cp_cart_scan(env.db, &env.cashier, sku, qty, NULL, &e_));
}

static void attach(const char *member)
{
	OK(cp_cart_set_member(env.db, &env.cashier, member, &e_));
}

static const struct cp_cart_view *cart(void)
{
	OK(cp_cart_view(env.db, &env.cashier, &view, &e_));
	return &view;
}

static void pay(int64_t cash, struct cp_sale_result *r)
{
	struct cp_tender t = {.method = CP_TENDER_CASH, .amount = cash};

	OK(cp_sale_pay(env.db, &env.cashier, &t, 1, r, &e_));
}

static void verify_ok(void)
{
	struct cp_verify_report rep;

	OK(cp_journal_verify(env.db, &rep, &e_));
}

/* The amounts of the cart's lines, e.g. "2800,1899,3500". */
static const char *amounts(void)
{
	static char buf[256];
	size_t n = 0;

	buf[0] = '\0';
	cart();
	for (int i = 0; i < view.nlines; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%lld", i ? "," : "",
				      (long long)view.lines[i].amount);
	return buf;
}

/* A discount given by the cashier, with the manager's code and PIN when manager. */
static void discount(int line, enum cp_discount_kind kind, int64_t value, const char *reason,
		     bool manager, struct cp_discount_result *r)
{
	struct cp_discount_req req = {.line_no = line,
				      .kind = kind,
				      .value = value,
				      .reason = reason,
				      .manager_code = manager ? "9001" : NULL,
				      .manager_pin = manager ? "9999" : NULL};

	OK(cp_discount_add(env.db, &env.cashier, &req, r, &e_));
}

/* Half up to the fen. */
static void test_rounding(void **state)
{
	int64_t x;

	(void)state;
	assert_true(cp_discount_bp_of(1999, 500, &x));
	assert_int_equal(x, 100); /* 99.95 */
	assert_true(cp_discount_bp_of(1990, 500, &x));
	assert_int_equal(x, 100); /* 99.5 */
	assert_true(cp_discount_bp_of(1989, 500, &x));
	assert_int_equal(x, 99); /* 99.45 */
	assert_true(cp_discount_bp_of(0, 500, &x));
	assert_int_equal(x, 0);
	assert_false(cp_discount_bp_of(INT64_MAX, 10000, &x));
	assert_false(cp_discount_bp_of(100, 10001, &x));
}

/* 金卡 5% off except tobacco: A1 keeps its member price (28.00 < 28.50), A2 takes the tier's
 * (19.99 - 1.00), T1 neither; 普通 has no tier discount, only member prices; a bigger tier
 * discount beats the member price. */
static void test_best_price_per_line(void **state)
{
	(void)state;
	tier_discount(2, 500, "TOBACCO");
	scan("A1", 1);
	scan("A2", 1);
	scan("T1", 1);
	assert_string_equal(amounts(), "3000,1999,3500");
	assert_int_equal(view.member_saving, 0);
	attach("M1");
	assert_string_equal(amounts(), "2800,1899,3500");
	assert_int_equal(view.lines[0].saving, 200);
	assert_int_equal(view.lines[1].saving, 100);
	assert_int_equal(view.lines[2].saving, 0);
	assert_int_equal(view.member_saving, 300);
	assert_int_equal(view.total, 8199);
	assert_int_equal(view.eligible, 2800 + 1899);
	attach("M2");
	assert_string_equal(amounts(), "2800,1999,3500");
	assert_int_equal(view.member_saving, 200);
	tier_discount(2, 4000, "TOBACCO, OFFER");
	attach("M1");
	assert_string_equal(amounts(), "1800,1199,3500");
	/* quantities: the percentage of the line, rounded once per line */
	OK(cp_cart_set_qty(env.db, &env.cashier, 2, 3, &e_));
	assert_string_equal(amounts(), "1800,3598,3500"); /* 59.97 - 23.988 -> 23.99 */
}

/* Attaching, detaching and changing the member re-prices the cart as it is viewed. */
static void test_reprice_attach_detach(void **state)
{
	(void)state;
	tier_discount(2, 500, "");
	scan("A2", 2);
	scan("G120", 1);
	assert_string_equal(amounts(), "3998,12000");
	attach("M1");
	assert_string_equal(amounts(), "3798,11400");
	assert_int_equal(view.member_saving, 800);
	OK(cp_cart_set_member(env.db, &env.cashier, NULL, &e_));
	assert_string_equal(amounts(), "3998,12000");
	assert_int_equal(view.member_saving, 0);
	attach("M2");
	assert_string_equal(amounts(), "3998,12000");
	attach("M1");
	assert_string_equal(amounts(), "3798,11400");
}

/* member_and_tier = stack: the tier's percentage off the member price. */
static void test_stacking_member_and_tier(void **state)
{
	struct cp_discount_config c;

	(void)state;
	tier_discount(2, 500, "TOBACCO");
	cp_discount_config_default(&c);
	c.tier_stacks = true;
	cp_discount_configure(env.db, &c);
	scan("A1", 1);
	scan("A2", 1);
	attach("M1");
	assert_string_equal(amounts(), "2660,1899"); /* 28.00 - 1.40 */
	assert_int_equal(view.lines[0].saving, 340);
}

/* coupons_on_member_prices = false marks the lines a member saving lowered; a manual discount
 * still applies (it stacks by default). */
static void test_stacking_coupons(void **state)
{
	struct cp_discount_config c;

	(void)state;
	scan("A1", 1);
	scan("A2", 1);
	attach("M1");
	cart();
	assert_false(view.lines[0].coupon_off);
	cp_discount_config_default(&c);
	c.coupons_skip_member = true;
	cp_discount_configure(env.db, &c);
	cart();
	assert_true(view.lines[0].coupon_off); /* member price */
	assert_false(view.lines[1].coupon_off);
}

/* manual_on_member_prices = false: the line a manual discount touches is at its list price
 * first; by default the manual discount comes off the member price. */
static void test_stacking_manual(void **state)
{
	struct cp_discount_config c;
	struct cp_discount_result r;

	(void)state;
	scan("A1", 1);
	attach("M1");
	discount(1, CP_DISCOUNT_PERCENT, 1000, "damaged box", false, &r);
	assert_int_equal(r.fen, 280);
	assert_string_equal(amounts(), "2520");
	assert_int_equal(view.lines[0].saving, 200);
	assert_int_equal(view.lines[0].discount, 280);
	cp_discount_config_default(&c);
	c.manual_replaces_member = true;
	cp_discount_configure(env.db, &c);
	assert_string_equal(amounts(), "2700");
	assert_int_equal(view.lines[0].saving, 0);
	assert_int_equal(view.lines[0].discount, 300);
}

/* A line by amount and by percentage, the whole sale spread to the fen: floor shares, the fen
 * left to the largest lines; a replaced discount; removal; lowering a quantity lowers it. */
static void test_manual_line_and_sale(void **state)
{
	struct cp_discount_result r;
	struct cp_errbuf err = {{0}};

	(void)state;
	scan("A1", 1);   /* 30.00 */
	scan("A2", 1);   /* 19.99 */
	scan("G120", 1); /* 120.00 */
	discount(2, CP_DISCOUNT_PERCENT, 500, "near its date", false, &r);
	assert_int_equal(r.fen, 100); /* 0.9995 -> 1.00 */
	assert_string_equal(amounts(), "3000,1899,12000");
	discount(2, CP_DISCOUNT_AMOUNT, 150, "near its date", false, &r);
	assert_string_equal(amounts(), "3000,1849,12000"); /* replaced */
	discount(0, CP_DISCOUNT_AMOUNT, 1000, "regular customer", false, &r);
	assert_int_equal(r.fen, 1000);
	/* 1000 over 3000, 1849, 12000 (16849): 178.05, 109.74, 712.20 -> 178, 109, 712 = 999;
	 * the fen left to the largest line */
	assert_string_equal(amounts(), "2822,1740,11287");
	assert_int_equal(view.discount, 1150);
	assert_int_equal(view.total, 16849 - 1000);
	assert_int_equal(view.lines[2].discount_share, 713);
	OK(cp_discount_remove(env.db, &env.cashier, 0, &e_));
	assert_string_equal(amounts(), "3000,1849,12000");
	assert_int_equal(cp_discount_remove(env.db, &env.cashier, 0, &err), CP_ENOTFOUND);
	/* the whole line, with a manager */
	discount(1, CP_DISCOUNT_AMOUNT, 3000, "sample", true, &r);
	assert_string_equal(amounts(), "0,1849,12000");
	/* removing the line removes its discount */
	OK(cp_cart_remove(env.db, &env.cashier, 1, &e_));
	assert_int_equal(count("SELECT count(*) FROM cart_discount"), 1);
	discount(0, CP_DISCOUNT_PERCENT, 500, "staff", false, &r);
	assert_int_equal(r.fen, 692); /* 5% of 138.49 = 6.9245 -> 6.92 */
	/* a lowered quantity lowers the percentage with it */
	OK(cp_cart_set_qty(env.db, &env.cashier, 3, 2, &e_));
	assert_int_equal(cart()->discount, 150 + 1292); /* 5% of 258.49 = 12.9245 */
	OK(cp_cart_cancel(env.db, &env.cashier, &e_));
	assert_int_equal(count("SELECT count(*) FROM cart_discount"), 0);
}

/* Each refusal: its code, one sentence with want in it, nothing written. */
static void refused(const struct cp_session *who, const struct cp_discount_req *req,
		    enum cp_err want_rc, const char *want)
{
	struct cp_errbuf err = {{0}};
	struct cp_discount_result r = {.fen = -7};
	int64_t journal = count("SELECT count(*) FROM journal"),
		rows = count("SELECT count(*) FROM cart_discount"),
		sum = count("SELECT coalesce(sum(value), 0) FROM cart_discount");

	enum cp_err rc = cp_discount_add(env.db, who, req, &r, &err);

	if (rc != want_rc)
		fail_msg("%d, not %d: %s", rc, want_rc, err.msg);
	if (!strstr(err.msg, want))
		fail_msg("\"%s\" does not say \"%s\"", err.msg, want);
	assert_null(strchr(err.msg, '\n'));
	assert_int_equal(r.fen, -7);
	assert_int_equal(count("SELECT count(*) FROM cart_discount"), rows);
	assert_int_equal(count("SELECT coalesce(sum(value), 0) FROM cart_discount"), sum);
	assert_int_equal(count("SELECT count(*) FROM journal"), journal);
}

static void test_refusals(void **state)
{
	struct cp_discount_req req = {.line_no = 1, .kind = CP_DISCOUNT_PERCENT, .reason = "x"};
	struct cp_discount_result r;
	int64_t bp;
	struct cp_errbuf err = {{0}};

	(void)state;
	req.value = 500;
	refused(&env.cashier, &req, CP_ESTATE, "cart is empty");
	scan("G120", 1);
	discount(1, CP_DISCOUNT_AMOUNT, 100, "first", false, &r);
	req.value = 10001;
	refused(&env.cashier, &req, CP_EINVAL, "more than 100%");
	req.value = -5;
	refused(&env.cashier, &req, CP_EINVAL, "cannot be negative");
	req.value = 0;
	refused(&env.cashier, &req, CP_EINVAL, "more than 0");
	req.value = 2000; /* 20% of 120.00, above the 10% limit */
	refused(&env.cashier, &req, CP_EPERM, "a manager's code and PIN");
	req.manager_code = "9001";
	req.manager_pin = "0000";
	refused(&env.cashier, &req, CP_EAUTH, "");
	req.manager_code = "1001"; /* a cashier */
	req.manager_pin = "1234";
	refused(&env.cashier, &req, CP_EPERM, "manager");
	req.manager_code = NULL;
	req.manager_pin = NULL;
	req.kind = CP_DISCOUNT_AMOUNT;
	req.value = INT64_MAX;
	refused(&env.cashier, &req, CP_EOVERFLOW, "too large");
	req.value = 12001;
	refused(&env.cashier, &req, CP_EINVAL, "more than the");
	req.value = 100;
	req.line_no = 9;
	refused(&env.cashier, &req, CP_ENOTFOUND, "no line 9");
	req.line_no = 1;
	req.reason = "";
	refused(&env.cashier, &req, CP_EINVAL, "needs a reason");
	req.reason = "   ";
	refused(&env.cashier, &req, CP_EINVAL, "needs a reason");
	req.reason = NULL;
	refused(&env.cashier, &req, CP_EINVAL, "needs a reason");
	req.reason = "x";
	refused(NULL, &req, CP_EAUTH, "log in");
	/* with a manager above the limit, recorded with the manager */
	req.kind = CP_DISCOUNT_PERCENT;
	req.value = 2000;
	req.manager_code = "9001";
	req.manager_pin = "9999";
	OK(cp_discount_add(env.db, &env.cashier, &req, &r, &e_));
	assert_int_equal(r.fen, 2400);
	assert_string_equal(r.authorised_by, "9001");
	assert_int_equal(count("SELECT count(*) FROM cart_discount WHERE manager = '9001'"), 1);
	/* percentages people type */
	OK(cp_discount_parse_percent("12.5", &bp, &e_));
	assert_int_equal(bp, 1250);
	OK(cp_discount_parse_percent(" 10% ", &bp, &e_));
	assert_int_equal(bp, 1000);
	assert_int_equal(cp_discount_parse_percent("100.01", &bp, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "100%"));
	assert_int_equal(cp_discount_parse_percent("-3", &bp, &err), CP_EINVAL);
	assert_int_equal(cp_discount_parse_percent("0", &bp, &err), CP_EINVAL);
	assert_int_equal(cp_discount_parse_percent("1.234", &bp, &err), CP_EINVAL);
	assert_int_equal(cp_discount_parse_percent("abc", &bp, &err), CP_EINVAL);
}

/* A sale with a tier discount and a manual line discount: the payload and sale lines carry the
 * priced amounts, points are earned on what is paid, the refund of the discounted line gives
 * back exactly what it cost and claws back its share of the points; verify replays it and
 * finds a changed sale_discount row. */
static void test_sale_refund_verify(void **state)
{
	struct cp_discount_result d;
	struct cp_sale_result r;
	struct cp_refund_result rr;
	struct cp_refund_req req = {0};
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};
	int line2[1] = {2};
	char sql[200];

	(void)state;
	tier_discount(0, 200, "TOBACCO"); /* 普通 2% off */
	scan("A2", 1);                    /* 19.99 -> 19.59 */
	scan("G120", 1);                  /* 120.00 -> 117.60 */
	scan("T1", 1);                    /* 35.00, excluded, earns nothing */
	attach("M2");
	discount(2, CP_DISCOUNT_AMOUNT, 2000, "display model", true, &d);
	assert_string_equal(d.authorised_by, "9001");
	assert_string_equal(amounts(), "1959,9760,3500");
	pay(15219, &r);
	assert_int_equal(r.total, 15219);
	/* M2's birthday month doubles: floor(117.19 x 2) */
	assert_int_equal(r.eligible, 11719);
	assert_int_equal(r.points, 234);
	assert_int_equal(r.growth, 117);
	snprintf(sql, sizeof(sql),
		 "SELECT sum(amount) FROM sale_line WHERE seq = %lld AND line_no = 2",
		 (long long)r.seq);
	assert_int_equal(count(sql), 9760);
	snprintf(sql, sizeof(sql), "SELECT member_saving FROM sale WHERE seq = %lld",
		 (long long)r.seq);
	assert_int_equal(count(sql), 40 + 240);
	snprintf(sql, sizeof(sql),
		 "SELECT fen FROM sale_discount WHERE seq = %lld AND line_no = 2"
		 " AND manager = '9001' AND reason = 'display model'",
		 (long long)r.seq);
	assert_int_equal(count(sql), 2000);
	assert_int_equal(count("SELECT count(*) FROM cart_discount"), 0);
	{
		/* the receipt says both: 会员优惠 and the discounts */
		struct cp_receipt_view *rv = malloc(sizeof(*rv));

		assert_non_null(rv);
		OK(cp_receipt_get(env.db, r.receipt, rv, &e_));
		assert_int_equal(rv->member_saving, 280);
		assert_int_equal(rv->discount, 2000);
		assert_int_equal(rv->total, 15219);
		free(rv);
	}
	req.receipt = r.receipt;
	req.lines = line2;
	req.nlines = 1;
	req.manager_code = "9001";
	req.manager_pin = "9999";
	OK(cp_refund(env.db, &env.cashier, &req, &rr, &e_));
	assert_int_equal(rr.amount, 9760);
	assert_int_equal(rr.points, 234 * 9760 / 11719); /* 194 */
	assert_int_equal(rr.growth, 117 * 9760 / 11719); /* 97 */
	verify_ok();
	snprintf(sql, sizeof(sql), "UPDATE sale_discount SET fen = 1 WHERE seq = %lld",
		 (long long)r.seq);
	assert_int_equal(sqlite3_exec(env.db->h, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_ECORRUPT);
	assert_non_null(strstr(err.msg, "sale_discount"));
	snprintf(sql, sizeof(sql), "UPDATE sale_discount SET fen = 2000 WHERE seq = %lld",
		 (long long)r.seq);
	assert_int_equal(sqlite3_exec(env.db->h, sql, NULL, NULL, NULL), SQLITE_OK);
	verify_ok();
}

/* A whole-sale discount on a sale: the lines' shares add up to it; a refund of every line
 * gives back the total. */
static void test_sale_discount_refund_all(void **state)
{
	struct cp_discount_result d;
	struct cp_sale_result r;
	struct cp_refund_result rr;
	struct cp_refund_req req = {0};
	char sql[200];

	(void)state;
	scan("A2", 1);
	scan("G120", 1);
	discount(0, CP_DISCOUNT_AMOUNT, 999, "loyalty", false, &d);
	pay(12000 + 1999 - 999, &r);
	snprintf(sql, sizeof(sql), "SELECT sum(amount) FROM sale_line WHERE seq = %lld",
		 (long long)r.seq);
	assert_int_equal(count(sql), 13000);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM sale_discount WHERE seq = %lld AND line_no IS NULL"
		 " AND fen = 999",
		 (long long)r.seq);
	assert_int_equal(count(sql), 1);
	req.receipt = r.receipt;
	req.manager_code = "9001";
	req.manager_pin = "9999";
	OK(cp_refund(env.db, &env.cashier, &req, &rr, &e_));
	assert_int_equal(rr.amount, 13000);
	verify_ok();
}

/* HQ's tier record carries the discount (optional fields); a bad one is refused naming the
 * field; deleting the tier deletes its discount. */
static void test_tier_record(void **state)
{
	struct cp_tier_discount d;
	struct cp_errbuf err = {{0}};
	json_t *j;

	(void)state;
	j = json_loads("{\"level\":3,\"name\":\"白金\",\"threshold\":20000,\"multiplier_bp\":18000,"
		       "\"discount_bp\":800,\"discount_except\":\"TOBACCO,OFFER\"}",
		       0, NULL);
	OK(cp_tier_change_upsert(env.db, j, "changes[0]", &e_));
	json_decref(j);
	OK(cp_tier_discount_get(env.db, 3, &d, &e_));
	assert_int_equal(d.discount_bp, 800);
	assert_string_equal(d.except, "TOBACCO,OFFER");
	j = json_loads("{\"level\":3,\"name\":\"白金\",\"threshold\":20000,\"multiplier_bp\":18000,"
		       "\"discount_bp\":10001}",
		       0, NULL);
	assert_int_not_equal(cp_tier_change_upsert(env.db, j, "changes[0]", &err), CP_OK);
	assert_non_null(strstr(err.msg, "discount_bp"));
	json_decref(j);
	OK(cp_tier_discount_get(env.db, 3, &d, &e_));
	assert_int_equal(d.discount_bp, 800);
	/* without the fields: no discount */
	j = json_loads(
		"{\"level\":3,\"name\":\"白金\",\"threshold\":20000,\"multiplier_bp\":18000}", 0,
		NULL);
	OK(cp_tier_change_upsert(env.db, j, "changes[0]", &e_));
	json_decref(j);
	assert_int_equal(cp_tier_discount_get(env.db, 3, &d, &err), CP_ENOTFOUND);
	tier_discount(3, 800, "");
	OK(cp_tier_change_delete(env.db, "3", &e_));
	assert_int_equal(count("SELECT count(*) FROM tier_discount WHERE level = 3"), 0);
	/* put back for the other tests */
	j = json_loads(
		"{\"level\":3,\"name\":\"白金\",\"threshold\":20000,\"multiplier_bp\":18000}", 0,
		NULL);
	OK(cp_tier_change_upsert(env.db, j, "changes[0]", &e_));
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_rounding, reset),
		cmocka_unit_test_setup(test_best_price_per_line, reset),
		cmocka_unit_test_setup(test_reprice_attach_detach, reset),
		cmocka_unit_test_setup(test_stacking_member_and_tier, reset),
		cmocka_unit_test_setup(test_stacking_coupons, reset),
		cmocka_unit_test_setup(test_stacking_manual, reset),
		cmocka_unit_test_setup(test_manual_line_and_sale, reset),
		cmocka_unit_test_setup(test_refusals, reset),
		cmocka_unit_test_setup(test_sale_refund_verify, reset),
		cmocka_unit_test_setup(test_sale_discount_refund_all, reset),
		cmocka_unit_test_setup(test_tier_record, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
