/* test_sale.c — paying a cart: the worked examples of EXAMPLES.md, tenders and change, receipt
 * numbers, and that a refused payment changes nothing. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cart.h"
#include "db_int.h"
#include "journal.h"
#include "member.h"
#include "paycode.h"
#include "receipt.h"
#include "receipt_text.h"
#include "sale.h"
#include "support.h"

static int setup(void **state)
{
	static struct test_env env;

	test_env_open(&env, "sale", true);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_close(*state);
	return 0;
}

static void scan(struct test_env *env, const char *code, int64_t qty)
{
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_cart_scan(env->db, &env->cashier, code, qty, NULL, &err);

	assert_int_equal(rc, CP_OK);
}

static void attach(struct test_env *env, const char *id)
{
	struct cp_errbuf err = {{0}};

	assert_int_equal(cp_cart_set_member(env->db, &env->cashier, id, &err), CP_OK);
}

static enum cp_err pay(struct test_env *env, struct cp_sale_result *r, int n, ...)
{
	struct cp_tender t[CP_TENDER_MAX];
	struct cp_errbuf err = {{0}};
	va_list ap;

	memset(t, 0, sizeof(t));
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		t[i].method = (enum cp_tender_method)va_arg(ap, int);
		t[i].amount = va_arg(ap, int64_t);
	}
	va_end(ap);
	return cp_sale_pay(env->db, &env->cashier, t, n, r, &err);
}

/* EXAMPLES.md 1: 金卡 on a Tuesday, ¥120 groceries + ¥35 tobacco, cash. */
static void test_example1_plain_member_sale(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result r;

	scan(env, "G120", 1);
	scan(env, "T1", 1);
	attach(env, "M1");
	assert_int_equal(pay(env, &r, 1, CP_TENDER_CASH, INT64_C(15500)), CP_OK);
	assert_int_equal(r.total, 15500);
	assert_int_equal(r.eligible, 12000);
	assert_int_equal(r.points, 180);
	assert_int_equal(r.growth, 120);
	assert_int_equal(r.multiplier_bp, 15000);
	assert_int_equal(r.change, 0);
	assert_int_equal(r.balance_after, 500 + 180);
	assert_string_equal(r.receipt, "S001-T01-000001");
	assert_int_equal(strlen(r.verify_code), 8);
	assert_int_equal(test_count(env, "SELECT count(*) FROM sale"), 1);
	assert_int_equal(test_count(env, "SELECT count(*) FROM sale_line"), 2);
	assert_int_equal(test_count(env, "SELECT count(*) FROM tender"), 1);
	assert_int_equal(test_count(env, "SELECT points FROM movement WHERE member_id = 'M1'"),
			 180);
	assert_int_equal(test_count(env, "SELECT growth FROM movement WHERE member_id = 'M1'"),
			 120);
	assert_int_equal(test_count(env, "SELECT count(*) FROM journal WHERE type = 'sale'"), 1);
	assert_int_equal(test_count(env, "SELECT count(*) FROM cart"), 0);
	assert_int_equal(test_count(env, "SELECT count(*) FROM cart_line"), 0);
}

/* EXAMPLES.md 2: the same member on a Wednesday: member day x2 beats 金卡 x1.5. */
static void test_example2_member_day(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result r;

	env->now += TEST_DAY_MS;
	scan(env, "G19990", 1);
	attach(env, "M1");
	assert_int_equal(pay(env, &r, 1, CP_TENDER_WECHAT, INT64_C(19990)), CP_OK);
	assert_int_equal(r.points, 399);
	assert_int_equal(r.growth, 199);
	assert_int_equal(r.multiplier_bp, 20000);
}

static void test_birthday_month(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result r;

	/* M2 was born in November; the test clock is in November. 普通 x1.0 -> x2. */
	scan(env, "G88", 1);
	attach(env, "M2");
	assert_int_equal(pay(env, &r, 1, CP_TENDER_CARD, INT64_C(8800)), CP_OK);
	assert_int_equal(r.points, 176);
	assert_int_equal(r.growth, 88);
}

static void test_member_price_and_no_member(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result r;

	scan(env, "6901234567892", 2);
	assert_int_equal(pay(env, &r, 1, CP_TENDER_CASH, INT64_C(6000)), CP_OK);
	assert_int_equal(r.total, 6000);
	assert_int_equal(r.points, 0);
	assert_int_equal(r.balance_after, 0);
	assert_int_equal(test_count(env, "SELECT count(*) FROM movement"), 0);
	scan(env, "6901234567892", 2);
	attach(env, "M1");
	assert_int_equal(pay(env, &r, 1, CP_TENDER_CASH, INT64_C(5600)), CP_OK);
	assert_int_equal(r.total, 5600);
	assert_string_equal(r.receipt, "S001-T01-000002");
}

static void test_split_tender_and_change(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result r;

	scan(env, "A1", 1); /* 30.00 */
	scan(env, "A2", 1); /* 19.99 */
	assert_int_equal(
		pay(env, &r, 2, CP_TENDER_WECHAT, INT64_C(2000), CP_TENDER_CASH, INT64_C(5000)),
		CP_OK);
	assert_int_equal(r.total, 4999);
	assert_int_equal(r.tendered, 7000);
	assert_int_equal(r.change, 2001);
	assert_int_equal(test_count(env, "SELECT sum(amount) FROM tender"), 7000);
	assert_int_equal(test_count(env, "SELECT change_due FROM sale"), 2001);
}

static void test_bad_tenders_change_nothing(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};
	struct cp_tender bad_method = {.method = (enum cp_tender_method)9, .amount = 5000};

	scan(env, "A1", 1);
	scan(env, "A2", 1);
	/* not enough */
	assert_int_equal(pay(env, &r, 1, CP_TENDER_CASH, INT64_C(4998)), CP_EINVAL);
	/* card may not give change */
	assert_int_equal(pay(env, &r, 1, CP_TENDER_CARD, INT64_C(5000)), CP_EINVAL);
	assert_int_equal(
		pay(env, &r, 2, CP_TENDER_CARD, INT64_C(3000), CP_TENDER_ALIPAY, INT64_C(3000)),
		CP_EINVAL);
	/* zero, negative, overflowing */
	assert_int_equal(pay(env, &r, 2, CP_TENDER_CASH, INT64_C(0), CP_TENDER_CASH, INT64_C(5000)),
			 CP_EINVAL);
	assert_int_equal(pay(env, &r, 1, CP_TENDER_CASH, INT64_C(-5000)), CP_EINVAL);
	assert_int_not_equal(pay(env, &r, 2, CP_TENDER_CASH, INT64_MAX, CP_TENDER_CASH, INT64_MAX),
			     CP_OK);
	assert_int_equal(pay(env, &r, 0), CP_EINVAL);
	assert_int_equal(cp_sale_pay(env->db, &env->cashier, &bad_method, 1, &r, &err), CP_EINVAL);
	assert_true(err.msg[0]);
	assert_int_equal(test_count(env, "SELECT count(*) FROM journal WHERE type <> 'shift_open'"),
			 0);
	assert_int_equal(test_count(env, "SELECT count(*) FROM sale"), 0);
	assert_int_equal(test_count(env, "SELECT count(*) FROM cart_line"), 2);
	assert_int_equal(test_count(env, "SELECT value FROM meta WHERE key = 'receipt_seq'"), 0);
	assert_int_equal(pay(env, &r, 1, CP_TENDER_CASH, INT64_C(4999)), CP_OK);
}

static void test_empty_cart_and_no_login(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result r;
	struct cp_tender t = {CP_TENDER_CASH, 100};
	struct cp_session nobody = {0};
	struct cp_errbuf err = {{0}};

	assert_int_equal(pay(env, &r, 1, CP_TENDER_CASH, INT64_C(100)), CP_ESTATE);
	scan(env, "A1", 1);
	assert_int_equal(cp_sale_pay(env->db, &nobody, &t, 1, &r, &err), CP_EAUTH);
	assert_int_equal(cp_sale_pay(env->db, NULL, &t, 1, &r, &err), CP_EAUTH);
	assert_int_equal(test_count(env, "SELECT count(*) FROM journal WHERE type <> 'shift_open'"),
			 0);
}

/* A failure inside the sale's transaction leaves no trace: no journal row, no sale, the cart. */
static void test_failure_mid_sale_is_atomic(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result r;

	assert_int_equal(sqlite3_exec(env->db->h,
				      "CREATE TRIGGER boom BEFORE INSERT ON movement BEGIN"
				      " SELECT RAISE(ABORT, 'boom'); END",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	scan(env, "G120", 1);
	attach(env, "M1");
	assert_int_not_equal(pay(env, &r, 1, CP_TENDER_CASH, INT64_C(12000)), CP_OK);
	assert_int_equal(test_count(env, "SELECT count(*) FROM journal WHERE type <> 'shift_open'"),
			 0);
	assert_int_equal(test_count(env, "SELECT count(*) FROM sale"), 0);
	assert_int_equal(test_count(env, "SELECT count(*) FROM sale_line"), 0);
	assert_int_equal(test_count(env, "SELECT count(*) FROM tender"), 0);
	assert_int_equal(test_count(env, "SELECT count(*) FROM cart_line"), 1);
	assert_int_equal(test_count(env, "SELECT value FROM meta WHERE key = 'receipt_seq'"), 0);
	sqlite3_exec(env->db->h, "DROP TRIGGER boom", NULL, NULL, NULL);
	assert_int_equal(pay(env, &r, 1, CP_TENDER_CASH, INT64_C(12000)), CP_OK);
	assert_string_equal(r.receipt, "S001-T01-000001");
	assert_int_equal(r.seq, 2); /* 1 is the shift */
}

/* REALITY.md: a full disk refuses the sale with a message the cashier can act on; the cart
 * stays and nothing is half-written. */
static void test_storage_full(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result r;
	struct cp_tender t = {CP_TENDER_CASH, 12000};
	struct cp_errbuf err = {{0}};
	enum cp_err rc = CP_OK;
	int64_t pages = test_count(env, "PRAGMA page_count");
	char sql[64];
	int sales = 0;

	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld", (long long)pages);
	assert_int_equal(sqlite3_exec(env->db->h, sql, NULL, NULL, NULL), SQLITE_OK);
	/* Sell until the file cannot grow; each sale needs a little room. */
	while (sales < 500) {
		scan(env, "G120", 1);
		attach(env, "M1");
		memset(&err, 0, sizeof(err));
		rc = cp_sale_pay(env->db, &env->cashier, &t, 1, &r, &err);
		if (rc != CP_OK)
			break;
		sales++;
	}
	assert_int_equal(rc, CP_EFULL);
	assert_non_null(strstr(err.msg, "storage full"));
	assert_int_equal(test_count(env, "SELECT count(*) FROM journal WHERE type <> 'shift_open'"),
			 sales);
	assert_int_equal(test_count(env, "SELECT count(*) FROM sale"), sales);
	assert_int_equal(test_count(env, "SELECT count(*) FROM movement"), sales);
	assert_int_equal(test_count(env, "SELECT count(*) FROM cart_line"), 1);
	assert_int_equal(
		sqlite3_exec(env->db->h, "PRAGMA max_page_count = 1073741823", NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_equal(cp_sale_pay(env->db, &env->cashier, &t, 1, &r, &err), CP_OK);
	assert_int_equal(r.seq, sales + 2); /* after the shift and the sales */
}

/* A member reaching a tier threshold is upgraded at once: the next sale earns at the new
 * multiplier. */
static void test_tier_upgrade_at_once(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result r;
	struct cp_member_view m;
	struct cp_errbuf err = {{0}};

	env->now += 10 * TEST_DAY_MS; /* 2026-12-04: a Friday, not M2's birthday month */
	scan(env, "G120", 17);        /* ¥2,040 -> growth 2,040 >= 2,000 (银卡) */
	attach(env, "M2");
	assert_int_equal(pay(env, &r, 1, CP_TENDER_CASH, INT64_C(204000)), CP_OK);
	assert_int_equal(r.multiplier_bp, 10000);
	assert_int_equal(r.growth, 2040);
	assert_int_equal(cp_member_get(env->db, "M2", &m, &err), CP_OK);
	assert_int_equal(m.tier_level, 1);
	assert_string_equal(m.tier_name, "银卡");
	scan(env, "G120", 1);
	attach(env, "M2");
	assert_int_equal(pay(env, &r, 1, CP_TENDER_CASH, INT64_C(12000)), CP_OK);
	assert_int_equal(r.multiplier_bp, 12000);
	assert_int_equal(r.points, 144);
}

/* A clock a day or more behind the newest event is not believed. */
static void test_clock_behind_refused(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result r;

	scan(env, "A2", 1);
	assert_int_equal(pay(env, &r, 1, CP_TENDER_CASH, INT64_C(1999)), CP_OK);
	env->now -= 2 * TEST_DAY_MS;
	scan(env, "A2", 1);
	assert_int_equal(pay(env, &r, 1, CP_TENDER_CASH, INT64_C(1999)), CP_ECLOCK);
	env->now -= -2 * TEST_DAY_MS - 3600 * 1000; /* an hour later than the last sale: fine */
	assert_int_equal(pay(env, &r, 1, CP_TENDER_CASH, INT64_C(1999)), CP_OK);
}

/* A customer's WeChat code pays as WeChat Pay with its last four digits as the reference: in the
 * tender row, the journal's payload and the receipt; the whole code nowhere in the database
 * file or its WAL. A reference on cash, or one that is not four digits, is refused. */
static void test_payment_code_tender(void **state)
{
	static const char full[] = "134567890123456789";
	struct test_env *env = *state;
	struct cp_tender t[2];
	struct cp_sale_result r;
	struct cp_paycode pc;
	struct cp_errbuf err = {{0}};
	static struct cp_receipt_view v;
	struct cp_verify_report rep;
	char path[300], text[4096];
	static char file[4 << 20];
	size_t n;
	FILE *f;

	scan(env, "A1", 1); /* ¥30.00 */
	assert_true(cp_paycode_recognise(full, &pc));
	memset(t, 0, sizeof(t));
	t[0].method = CP_TENDER_CASH;
	t[0].amount = 1000;
	memcpy(t[0].ref, "6789", 5);
	assert_int_equal(cp_sale_pay(env->db, &env->cashier, t, 1, &r, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "cash has none"));
	t[0].method = CP_TENDER_WECHAT;
	memcpy(t[0].ref, "67a9", 5);
	assert_int_equal(cp_sale_pay(env->db, &env->cashier, t, 1, &r, &err), CP_EINVAL);
	assert_int_equal(test_count(env, "SELECT count(*) FROM sale"), 0);

	memset(t, 0, sizeof(t));
	t[0].method = CP_TENDER_CASH;
	t[0].amount = 1000;
	t[1].method = pc.method;
	t[1].amount = 2000;
	memcpy(t[1].ref, pc.last4, sizeof(t[1].ref));
	assert_int_equal(cp_sale_pay(env->db, &env->cashier, t, 2, &r, &err), CP_OK);
	assert_int_equal(test_count(env, "SELECT count(*) FROM tender WHERE method = 'wechat'"
					 " AND ref = '6789' AND amount = 2000"),
			 1);
	assert_int_equal(test_count(env, "SELECT count(*) FROM tender WHERE method = 'cash'"
					 " AND ref IS NULL"),
			 1);
	assert_int_equal(test_count(env,
				    "SELECT count(*) FROM journal WHERE type = 'sale' AND"
				    " payload LIKE '%\"method\":\"wechat\",\"ref\":\"6789\"%'"),
			 1);
	/* the receipt says which code paid, masked */
	assert_int_equal(cp_receipt_get(env->db, r.receipt, &v, &err), CP_OK);
	assert_int_equal(v.tenders[1].method, CP_TENDER_WECHAT);
	assert_string_equal(v.tenders[1].ref, "6789");
	assert_true(cp_ui_receipt_render(&v, 42, NULL, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, "WeChat Pay ****6789"));
	assert_null(strstr(text, full));
	/* verify replays the reference as the commit wrote it */
	assert_int_equal(cp_journal_verify(env->db, &rep, &err), CP_OK);
	/* the whole code is in neither the database nor its WAL */
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s%s", env->path, i ? "-wal" : "");
		if (!(f = fopen(path, "rb")))
			continue;
		n = fread(file, 1, sizeof(file), f);
		fclose(f);
		assert_null(memmem(file, n, full, strlen(full)));
		assert_null(memmem(file, n, full + 2, 12)); /* nor a long part of it */
	}
}

/* Issue 8, item 4: another login's open sale is not paid by this one (nothing changes, the
 * member is not credited); after an explicit, recorded takeover the new owner pays it and the
 * sale is theirs, and verify replays both events. */
static void test_other_session_pays_only_after_take_over(void **state)
{
	struct test_env *env = *state;
	struct cp_tender cash = {CP_TENDER_CASH, INT64_C(20000)};
	struct cp_verify_report rep;
	struct cp_sale_result r;
	struct cp_cart_takeover t;
	struct cp_session again;
	struct cp_errbuf err = {{0}};

	scan(env, "G120", 1);
	attach(env, "M1");
	assert_int_equal(cp_sale_pay(env->db, &env->manager, &cash, 1, &r, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "staff 1001"));
	assert_non_null(strstr(err.msg, "take it over"));
	/* The same staff code in a new login is refused as well. */
	assert_int_equal(cp_staff_login(env->db, "1001", "1234", &again, NULL, &err), CP_OK);
	assert_int_equal(cp_sale_pay(env->db, &again, &cash, 1, &r, &err), CP_ESTATE);
	assert_int_equal(test_count(env, "SELECT count(*) FROM journal WHERE type <> 'shift_open'"),
			 0);
	assert_int_equal(test_count(env, "SELECT count(*) FROM sale"), 0);
	assert_int_equal(test_count(env, "SELECT count(*) FROM movement"), 0);
	assert_int_equal(test_count(env, "SELECT count(*) FROM cart_line"), 1);
	assert_int_equal(test_count(env, "SELECT count(*) FROM cart WHERE member_id = 'M1'"), 1);

	assert_int_equal(cp_cart_take_over(env->db, &env->manager, &t, &err), CP_OK);
	assert_int_equal(cp_sale_pay(env->db, &env->cashier, &cash, 1, &r, &err), CP_ESTATE);
	assert_int_equal(cp_sale_pay(env->db, &env->manager, &cash, 1, &r, &err), CP_OK);
	assert_int_equal(r.seq, 3);
	assert_int_equal(test_count(env,
				    "SELECT count(*) FROM sale WHERE seq = 3 AND staff = '9001'"
				    " AND member_id = 'M1' AND total = 12000"),
			 1);
	assert_int_equal(test_count(env,
				    "SELECT count(*) FROM journal WHERE seq = 2 AND type ="
				    " 'cart_takeover' AND payload LIKE '%\"from_staff\":\"1001\"%'"
				    " AND payload LIKE '%\"to_staff\":\"9001\"%'"),
			 1);
	assert_int_equal(test_count(env, "SELECT count(*) FROM cart"), 0);
	assert_int_equal(cp_journal_verify(env->db, &rep, &err), CP_OK);
	assert_int_equal(rep.rows, 3); /* the shift, the takeover, the sale */
	/* The next sale opens for whoever scans first. */
	scan(env, "A2", 1);
	assert_int_equal(pay(env, &r, 1, CP_TENDER_CASH, INT64_C(1999)), CP_OK);
	assert_int_equal(test_count(env, "SELECT staff FROM sale WHERE seq = 4"), 1001);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_example1_plain_member_sale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_example2_member_day, setup, teardown),
		cmocka_unit_test_setup_teardown(test_birthday_month, setup, teardown),
		cmocka_unit_test_setup_teardown(test_member_price_and_no_member, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_tender_and_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_tenders_change_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_cart_and_no_login, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_mid_sale_is_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_storage_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tier_upgrade_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_behind_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_payment_code_tender, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_session_pays_only_after_take_over, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
