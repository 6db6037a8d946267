/* test_tx_undone.c — a transaction that SQLite undid by itself (issue 13). After out of memory
 * or an I/O error inside a statement SQLite may roll the whole transaction back; a caller that
 * carried on would then write each later row in a transaction of its own. test_faults found a
 * refund whose allocation failed while the coupon rules were read: the error was taken as "no
 * rule", the receipt counter written before it was undone, and the journal row written after it
 * committed alone ("meta receipt_seq is 1, behind receipt number 2 in the journal"). Here: a
 * journal row is refused outside a transaction, a refund stops when a read it depends on fails,
 * and no statement runs once SQLite has undone the transaction cp_db_begin opened. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "cart.h"
#include "db_int.h"
#include "journal.h"
#include "journal_int.h"
#include "refund.h"
#include "sale.h"
#include "support.h"

static struct test_env env;

static int setup(void **state)
{
	(void)state;
	test_env_open(&env, "tx_undone", true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

static void test_journal_row_outside_a_transaction_is_refused(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_verify_report rep;
	json_t *p = json_pack("{s:s, s:s, s:I}", "staff", "1001", "authorised_by", "9001",
			      "last_at", (json_int_t)env.now);
	int64_t journal = test_count(&env, "SELECT count(*) FROM journal"), seq = 0;
	enum cp_err rc;

	(void)state;
	assert_true(sqlite3_get_autocommit(env.db->h)); /* as after SQLite's own rollback */
	rc = cp_journal_record(env.db, "clock_confirm", p, &seq, NULL, &err);
	json_decref(p);
	print_message("%s: %s\n", cp_err_code(rc), err.msg);
	assert_int_not_equal(rc, CP_OK);
	assert_non_null(strstr(err.msg, "nothing was recorded"));
	assert_int_equal(test_count(&env, "SELECT count(*) FROM journal"), journal);
	assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_OK);
}

/* A transaction SQLite rolled back by itself (as after out of memory): the ROLLBACK here goes
 * past cp_db_rollback, so core still believes it is inside cp_db_begin's transaction. */
static void test_statement_after_sqlite_undid_the_transaction_is_refused(void **state)
{
	struct cp_errbuf err = {{0}};
	int64_t seq = test_count(&env, "SELECT value FROM meta WHERE key = 'receipt_seq'");

	(void)state;
	assert_int_equal(cp_db_begin(env.db, &err), CP_OK);
	assert_int_equal(sqlite3_exec(env.db->h, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(cp_db_meta_set_int(env.db, "receipt_seq", seq + 5, &err), CP_OK);
	print_message("%s\n", err.msg);
	assert_non_null(strstr(err.msg, "nothing was recorded"));
	assert_int_not_equal(cp_db_commit(env.db, &err), CP_OK);
	cp_db_rollback(env.db);
	assert_int_equal(test_count(&env, "SELECT value FROM meta WHERE key = 'receipt_seq'"), seq);
	/* and the next transaction works as ever */
	assert_int_equal(cp_db_begin(env.db, &err), CP_OK);
	assert_int_equal(cp_db_meta_set_int(env.db, "receipt_seq", seq, &err), CP_OK);
	assert_int_equal(cp_db_commit(env.db, &err), CP_OK);
}

static void exec(const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(env.db->h, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

static void test_refund_stops_when_the_coupon_rules_cannot_be_read(void **state)
{
	static const int lines[] = {1};
	struct cp_tender t = {CP_TENDER_CASH, 10000};
	struct cp_sale_result sold;
	struct cp_refund_result r;
	struct cp_errbuf err = {{0}};
	struct cp_verify_report rep;
	struct cp_refund_req req = {
		.lines = lines, .nlines = 1, .manager_code = "9001", .manager_pin = "9999"};
	int64_t journal, receipt_seq;
	enum cp_err rc;

	(void)state;
	if (cp_cart_scan(env.db, &env.cashier, "A1", 1, NULL, &err) != CP_OK ||
	    cp_cart_scan(env.db, &env.cashier, "A2", 1, NULL, &err) != CP_OK ||
	    cp_sale_pay(env.db, &env.cashier, &t, 1, &sold, &err) != CP_OK)
		fail_msg("the sale: %s", err.msg);
	req.receipt = sold.receipt;
	journal = test_count(&env, "SELECT count(*) FROM journal");
	receipt_seq = test_count(&env, "SELECT value FROM meta WHERE key = 'receipt_seq'");
	/* The coupon rule's row now fails when read (integer overflow), as a read that runs out
	 * of memory fails. */
	exec("ALTER TABLE hq_config RENAME TO hq_config_saved");
	exec("CREATE VIEW hq_config AS SELECT 'coupon_refund_returns' AS name,"
	     " abs(-9223372036854775807 - 1) AS value");
	rc = cp_refund(env.db, &env.cashier, &req, &r, &err);
	print_message("%s: %s\n", cp_err_code(rc), err.msg);
	exec("DROP VIEW hq_config");
	exec("ALTER TABLE hq_config_saved RENAME TO hq_config");
	assert_int_not_equal(rc, CP_OK);
	assert_non_null(strstr(err.msg, "coupon rules"));
	assert_int_equal(test_count(&env, "SELECT count(*) FROM refund"), 0);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM journal"), journal);
	assert_int_equal(test_count(&env, "SELECT value FROM meta WHERE key = 'receipt_seq'"),
			 receipt_seq);
	assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_OK);
	/* and with the rules readable again the same refund goes through */
	assert_int_equal(cp_refund(env.db, &env.cashier, &req, &r, &err), CP_OK);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM refund"), 1);
	assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_journal_row_outside_a_transaction_is_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_refund_stops_when_the_coupon_rules_cannot_be_read, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_statement_after_sqlite_undid_the_transaction_is_refused, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
