/* test_health.c — damaged files (issue 13): a database whose quick_check fails, or whose
 * newest journal rows do not verify, is refused for selling with one line saying what to do;
 * an SQLite message of several lines reaches the person as one. */
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
#include "health.h"
#include "sale.h"
#include "support.h"

static struct test_env env;

static int setup(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_tender cash = {CP_TENDER_CASH, 3000};
	struct cp_sale_result s;

	(void)state;
	test_env_open(&env, "health", true);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(cp_cart_scan(env.db, &env.cashier, "A1", 1, NULL, &err), CP_OK);
		if (cp_sale_pay(env.db, &env.cashier, &cash, 1, &s, &err) != CP_OK)
			fail_msg("pay: %s", err.msg);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

static void exec_raw(const char *sql)
{
	sqlite3 *h;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(env.path, &h), SQLITE_OK);
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(h);
}

/* Refused, in one line that says what to do, naming want. */
static void expect_refused(const char *want)
{
	struct cp_errbuf err = {{0}};

	assert_int_equal(cp_health_check(env.db, &err), CP_ECORRUPT);
	if (strchr(err.msg, '\n') || strchr(err.msg, '\r'))
		fail_msg("more than one line: %s", err.msg);
	if (!strstr(err.msg, "restore it from a backup, or sync and enrol again") &&
	    !strstr(err.msg, "restore the database from a backup, or sync and enrol again"))
		fail_msg("does not say what to do: %s", err.msg);
	if (want && !strstr(err.msg, want))
		fail_msg("\"%s\" does not mention \"%s\"", err.msg, want);
}

static void test_healthy(void **state)
{
	struct cp_errbuf err = {{0}};

	(void)state;
	if (cp_health_check(env.db, &err) != CP_OK)
		fail_msg("%s", err.msg);
}

static void test_newest_payload_damaged(void **state)
{
	(void)state;
	exec_raw("UPDATE journal SET payload = substr(payload, 2) WHERE seq = 4");
	expect_refused("sequence 4");
}

static void test_newest_hash_damaged(void **state)
{
	(void)state;
	exec_raw("UPDATE journal SET hash = zeroblob(32) WHERE seq = 3");
	expect_refused("sequence 3");
}

static void test_row_missing(void **state)
{
	(void)state;
	exec_raw("PRAGMA foreign_keys=OFF; DELETE FROM journal WHERE seq = 2");
	expect_refused("sequence 2");
}

static void test_tail_cut(void **state)
{
	(void)state;
	exec_raw("PRAGMA foreign_keys=OFF; DELETE FROM journal WHERE seq = (SELECT max(seq) FROM "
		 "journal)");
	expect_refused("rows were removed");
}

/* A page of the member index overwritten on disk: quick_check's report (often several lines)
 * becomes one line. */
static void test_quick_check_fails(void **state)
{
	int64_t root, size;
	FILE *f;
	char junk[512];

	(void)state;
	root = test_count(&env, "SELECT rootpage FROM sqlite_schema WHERE type = 'index' AND"
				" tbl_name = 'member' ORDER BY rootpage LIMIT 1");
	size = test_count(&env, "PRAGMA page_size");
	assert_true(root > 1);
	test_env_close(&env);
	exec_raw("PRAGMA wal_checkpoint(TRUNCATE)");
	memset(junk, 0x5a, sizeof(junk));
	f = fopen(env.path, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, (long)((root - 1) * size + 8), SEEK_SET), 0);
	assert_int_equal(fwrite(junk, 1, sizeof(junk), f), sizeof(junk));
	fclose(f);
	{
		struct cp_db_options opt = {.path = env.path, .clock = &env.clock};
		struct cp_errbuf err = {{0}};

		if (cp_db_open(&env.db, &opt, &err) != CP_OK)
			fail_msg("open: %s", err.msg);
	}
	expect_refused("quick_check");
}

static void test_sqlite_message_on_one_line(void **state)
{
	struct cp_errbuf err = {{0}};

	(void)state;
	assert_int_not_equal(cp_db_exec(env.db, "SELECT 1 FROM \"no\nsuch\r\ntable\"", &err),
			     CP_OK);
	if (strchr(err.msg, '\n') || strchr(err.msg, '\r'))
		fail_msg("more than one line: %s", err.msg);
	assert_non_null(strstr(err.msg, "no; such; table"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_healthy),
		T(test_newest_payload_damaged),
		T(test_newest_hash_damaged),
		T(test_row_missing),
		T(test_tail_cut),
		T(test_quick_check_fails),
		T(test_sqlite_message_on_one_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
