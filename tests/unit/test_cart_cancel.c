/* test_cart_cancel.c — a cancelled cart leaves an audit row: the cart_cancel event (who, when
 * it was opened, its lines, member and total) in the journal and cart_cancel, counted in the
 * day's tally and its Z; an empty cart cancelled records nothing; the payments kept for the
 * sale are given back and listed (also when no line is left); verify replays the rows and
 * finds one altered. */
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
#include "cart_tender.h"
#include "db_int.h"
#include "journal.h"
#include "report.h"
#include "support.h"

static struct test_env env;

static int setup(void **state)
{
	(void)state;
	test_env_open(&env, "cart_cancel", true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

static void test_cancel_leaves_audit_row(void **state)
{
	struct cp_tally *t = calloc(1, sizeof(*t));
	int64_t rows = test_count(&env, "SELECT count(*) FROM journal");
	char day[11];

	(void)state;
	assert_non_null(t);
	OK(cp_cart_scan(env.db, &env.cashier, "A1", 2, NULL, &e_));
	OK(cp_cart_scan(env.db, &env.cashier, "T1", 1, NULL, &e_));
	OK(cp_cart_set_member(env.db, &env.cashier, "M1", &e_));
	OK(cp_cart_cancel(env.db, &env.cashier, &e_));
	assert_int_equal(test_count(&env, "SELECT count(*) FROM cart"), 0);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM journal"), rows + 1);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM journal WHERE type = 'cart_cancel'"
					  " AND json_extract(payload, '$.staff') = '1001'"
					  " AND json_extract(payload, '$.member') = 'M1'"
					  " AND json_array_length(payload, '$.lines') = 2"
					  " AND json_extract(payload, '$.lines[0].qty') = 2"
					  " AND json_extract(payload, '$.items') = 3"),
			 1);
	assert_int_equal(test_count(&env, "SELECT total FROM cart_cancel"), 2 * 2800 + 3500);
	assert_int_equal(test_count(&env, "SELECT lines FROM cart_cancel"), 2);
	assert_int_equal(test_count(&env, "SELECT opened_at FROM cart_cancel"), env.now);

	/* an empty cart (a member attached, no lines) cancelled: nothing recorded */
	OK(cp_cart_set_member(env.db, &env.cashier, "M2", &e_));
	OK(cp_cart_cancel(env.db, &env.cashier, &e_));
	assert_int_equal(test_count(&env, "SELECT count(*) FROM journal"), rows + 1);

	/* a second one; the tally counts both */
	OK(cp_cart_scan(env.db, &env.cashier, "A2", 1, NULL, &e_));
	OK(cp_cart_cancel(env.db, &env.cashier, &e_));
	OK(cp_report_today(env.db, day, &e_));
	OK(cp_report_tally(env.db, day, t, &e_));
	assert_int_equal(t->cancelled.count, 2);
	assert_int_equal(t->cancelled.amount, 2 * 2800 + 3500 + 1999);
	assert_int_equal(t->sales.count, 0);
	free(t);
}

/* Only the owner's session may cancel (as before): another's refusal records nothing. */
static void test_cancel_refused_records_nothing(void **state)
{
	struct cp_session other = env.manager;
	struct cp_errbuf err = {{0}};
	int64_t rows = test_count(&env, "SELECT count(*) FROM journal");

	(void)state;
	OK(cp_cart_scan(env.db, &env.cashier, "A1", 1, NULL, &e_));
	assert_int_equal(cp_cart_cancel(env.db, &other, &err), CP_ESTATE);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM journal"), rows);
	OK(cp_cart_cancel(env.db, &env.cashier, &e_));
	assert_int_equal(test_count(&env, "SELECT count(*) FROM journal"), rows + 1);
}

/* Payments kept for the sale are not lost track of: the cancel lists them (the cashier gives
 * them back) in its event and in cart_cancel_tender. */
static void test_cancel_lists_payments(void **state)
{
	struct cp_tender card = {CP_TENDER_CARD, 5000, "1234"}, cash = {CP_TENDER_CASH, 2000, ""};
	int64_t rows = test_count(&env, "SELECT count(*) FROM journal");

	(void)state;
	OK(cp_cart_scan(env.db, &env.cashier, "G120", 1, NULL, &e_));
	OK(cp_cart_tender_add(env.db, &env.cashier, &card, NULL, &e_));
	OK(cp_cart_tender_add(env.db, &env.cashier, &cash, NULL, &e_));
	OK(cp_cart_cancel(env.db, &env.cashier, &e_));
	assert_int_equal(test_count(&env, "SELECT count(*) FROM journal"), rows + 1);
	assert_int_equal(test_count(&env,
				    "SELECT count(*) FROM journal WHERE type = 'cart_cancel'"
				    " AND json_array_length(payload, '$.tenders') = 2"
				    " AND json_extract(payload, '$.tenders[0].method') = 'card'"
				    " AND json_extract(payload, '$.tenders[0].amount') = 5000"
				    " AND json_extract(payload, '$.tenders[0].ref') = '1234'"
				    " AND json_extract(payload, '$.tenders[1].method') = 'cash'"
				    " AND json_extract(payload, '$.tenders[1].amount') = 2000"),
			 1);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM cart_tender"), 0);

	/* the lines taken off after a payment: the cancel still records and gives it back */
	OK(cp_cart_scan(env.db, &env.cashier, "A1", 1, NULL, &e_));
	card.amount = 1000;
	OK(cp_cart_tender_add(env.db, &env.cashier, &card, NULL, &e_));
	OK(cp_cart_remove(env.db, &env.cashier, 1, &e_));
	OK(cp_cart_cancel(env.db, &env.cashier, &e_));
	assert_int_equal(test_count(&env, "SELECT count(*) FROM journal"), rows + 2);
	assert_int_equal(test_count(&env,
				    "SELECT count(*) FROM journal WHERE type = 'cart_cancel'"
				    " AND json_array_length(payload, '$.lines') = 0"
				    " AND json_extract(payload, '$.tenders[0].amount') = 1000"),
			 1);
}

/* cp_cart_cancel_back tells the front end what to give back; cart_cancel_tender holds it. */
static void test_cancel_back_tells(void **state)
{
	struct cp_tender wechat = {CP_TENDER_WECHAT, 3000, "6789"}, back[CP_TENDER_MAX];
	struct cp_errbuf err = {{0}};
	int n = -1;

	(void)state;
	OK(cp_cart_scan(env.db, &env.cashier, "G88", 1, NULL, &e_));
	OK(cp_cart_tender_add(env.db, &env.cashier, &wechat, NULL, &e_));
	/* another's session: refused, nothing given back, the payment kept */
	assert_int_equal(cp_cart_cancel_back(env.db, &env.manager, back, &n, &err), CP_ESTATE);
	assert_int_equal(n, 0);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM cart_tender"), 1);
	OK(cp_cart_cancel_back(env.db, &env.cashier, back, &n, &e_));
	assert_int_equal(n, 1);
	assert_int_equal(back[0].method, CP_TENDER_WECHAT);
	assert_int_equal(back[0].amount, 3000);
	assert_string_equal(back[0].ref, "6789");
	assert_int_equal(test_count(&env, "SELECT count(*) FROM cart_cancel_tender c JOIN journal j"
					  " ON j.seq = c.seq WHERE c.method = 'wechat' AND"
					  " c.amount = 3000 AND c.ref = '6789' AND j.seq = (SELECT"
					  " max(seq) FROM journal)"),
			 1);
	/* nothing kept: nothing to give back */
	OK(cp_cart_scan(env.db, &env.cashier, "G88", 1, NULL, &e_));
	OK(cp_cart_cancel_back(env.db, &env.cashier, back, &n, &e_));
	assert_int_equal(n, 0);
}

static void test_verify_replays_cancel(void **state)
{
	static const char *const tamper[][2] = {
		{"UPDATE cart_cancel SET total = total - 100",
		 "UPDATE cart_cancel SET total = total + 100"},
		{"UPDATE report_day_sum SET n = n + 1 WHERE what = 'cancel'",
		 "UPDATE report_day_sum SET n = n - 1 WHERE what = 'cancel'"},
		{"UPDATE cart_cancel_tender SET amount = amount + 1 WHERE n = 1",
		 "UPDATE cart_cancel_tender SET amount = amount - 1 WHERE n = 1"},
	};
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	(void)state;
	OK(cp_journal_verify(env.db, &rep, &e_));
	assert_true(test_count(&env, "SELECT count(*) FROM cart_cancel") > 0);
	assert_true(test_count(&env, "SELECT count(*) FROM cart_cancel_tender") > 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(sqlite3_exec(env.db->h, tamper[i][0], NULL, NULL, NULL),
				 SQLITE_OK);
		assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_ECORRUPT);
		assert_int_equal(sqlite3_exec(env.db->h, tamper[i][1], NULL, NULL, NULL),
				 SQLITE_OK);
		OK(cp_journal_verify(env.db, &rep, &e_));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cancel_leaves_audit_row),
		cmocka_unit_test(test_cancel_refused_records_nothing),
		cmocka_unit_test(test_cancel_lists_payments),
		cmocka_unit_test(test_cancel_back_tells),
		cmocka_unit_test(test_verify_replays_cancel),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
