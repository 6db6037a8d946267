/* test_verify_mark.c — the journal checked at every start from the last verified row (issue
 * 14): a row changed after the mark is found at the next start, the rows before it are not
 * read again, and the mark (meta verified_mark, under its keyed checksum) cannot be moved by
 * editing meta. */
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
#include "journal.h"
#include "sale.h"
#include "support.h"
#include "verify_mark_int.h"

/* More than the newest rows cp_health_check reads on its own (HEALTH_ROWS, 16). */
#define AFTER 24

static struct test_env env;

static void sell(int n)
{
	struct cp_errbuf err = {{0}};
	struct cp_tender cash = {CP_TENDER_CASH, 3000};
	struct cp_sale_result s;

	for (int i = 0; i < n; i++) {
		env.now += 1000;
		assert_int_equal(cp_cart_scan(env.db, &env.cashier, "A1", 1, NULL, &err), CP_OK);
		if (cp_sale_pay(env.db, &env.cashier, &cash, 1, &s, &err) != CP_OK)
			fail_msg("pay: %s", err.msg);
	}
}

static int64_t last_seq(void)
{
	return test_count(&env, "SELECT max(seq) FROM journal");
}

/* The start check, which must pass. */
static void start_ok(void)
{
	struct cp_errbuf err = {{0}};

	if (cp_health_check(env.db, &err) != CP_OK)
		fail_msg("start check: %s", err.msg);
}

static void exec_raw(const char *sql)
{
	char *msg = NULL;
	sqlite3 *h;

	assert_int_equal(sqlite3_open(env.path, &h), SQLITE_OK);
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(h);
}

/* Refused at start, in one line that says what to do and mentions want. */
static void start_refused(const char *want)
{
	struct cp_errbuf err = {{0}};

	assert_int_equal(cp_health_check(env.db, &err), CP_ECORRUPT);
	if (strchr(err.msg, '\n'))
		fail_msg("more than one line: %s", err.msg);
	if (!strstr(err.msg, "restore it from a backup, or sync and enrol again"))
		fail_msg("does not say what to do: %s", err.msg);
	if (want && !strstr(err.msg, want))
		fail_msg("\"%s\" does not mention \"%s\"", err.msg, want);
}

static void verify_fails(void)
{
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_ECORRUPT);
}

static int setup(void **state)
{
	(void)state;
	test_env_open(&env, "verify_mark", true);
	sell(4);
	start_ok(); /* the mark: the newest row now */
	sell(AFTER);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

/* The second sale after the mark, older than the newest rows the start read before. */
static int64_t victim(void)
{
	return last_seq() - AFTER + 2;
}

static void test_healthy_after_a_day(void **state)
{
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	(void)state;
	start_ok();
	if (cp_journal_verify(env.db, &rep, &err) != CP_OK)
		fail_msg("verify: %s", err.msg);
}

static void test_changed_hash_after_mark_is_found(void **state)
{
	char sql[160], want[64];

	(void)state;
	snprintf(sql, sizeof(sql), "UPDATE journal SET hash = zeroblob(32) WHERE seq = %lld",
		 (long long)victim());
	exec_raw(sql);
	snprintf(want, sizeof(want), "sequence %lld", (long long)victim() + 1);
	start_refused(want); /* the next row no longer links to it */
}

static void test_changed_payload_after_mark_is_found(void **state)
{
	char sql[200], want[64];

	(void)state;
	snprintf(sql, sizeof(sql),
		 "UPDATE journal SET payload = replace(payload, '\"seq\":%lld', '\"seq\":9%lld')"
		 " WHERE seq = %lld",
		 (long long)victim(), (long long)victim(), (long long)victim());
	exec_raw(sql);
	snprintf(want, sizeof(want), "sequence %lld", (long long)victim());
	start_refused(want);
}

static void test_removed_row_after_mark_is_found(void **state)
{
	char sql[160], want[64];

	(void)state;
	snprintf(sql, sizeof(sql), "PRAGMA foreign_keys=OFF; DELETE FROM journal WHERE seq = %lld",
		 (long long)victim());
	exec_raw(sql);
	snprintf(want, sizeof(want), "sequence %lld is damaged", (long long)victim());
	start_refused(want);
}

/* Only the mark's row and the rows after it are read; a row before the mark, changed, is
 * left to the full verify. */
static void test_rows_before_mark_not_read(void **state)
{
	struct cp_verify_mark_stats s = {0};
	struct cp_errbuf err = {{0}};
	int64_t mark;

	(void)state;
	start_ok();
	mark = last_seq();
	sell(3);
	exec_raw("UPDATE journal SET payload = 'not json' WHERE seq = 2");
	if (cp_verify_mark_check(env.db, &s, &err) != CP_OK)
		fail_msg("start check: %s", err.msg);
	assert_int_equal(s.from, mark);
	assert_int_equal(s.rows_read, 4); /* the mark's row and three sales */
	assert_int_equal(s.last, mark + 3);
	/* the next start reads the new mark's row alone */
	assert_int_equal(cp_verify_mark_check(env.db, &s, &err), CP_OK);
	assert_int_equal(s.rows_read, 1);
	verify_fails();
}

/* The mark moved past a changed row by editing meta: its checksum no longer holds. */
static void test_mark_cannot_be_moved(void **state)
{
	char sql[400];

	(void)state;
	snprintf(sql, sizeof(sql),
		 "UPDATE journal SET payload = 'not json' WHERE seq = %lld;"
		 "UPDATE meta SET value = (SELECT seq || ':' || lower(hex(hash)) FROM journal"
		 " WHERE seq = %lld) WHERE key = 'verified_mark'",
		 (long long)victim(), (long long)last_seq());
	exec_raw(sql);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM meta WHERE key = 'verified_mark'"
					  " AND value LIKE (SELECT max(seq) FROM journal) || ':%'"),
			 1);
	start_refused("verified mark");
	verify_fails();
}

/* The mark's checksum removed: refused too. */
static void test_mark_checksum_removed(void **state)
{
	(void)state;
	exec_raw("DELETE FROM row_mac WHERE tbl = 'meta' AND id = 'verified_mark'");
	start_refused("verified mark");
}

/* The mark removed altogether: the start reads the whole journal again, and finds what it
 * would have. */
static void test_mark_removed_reads_all(void **state)
{
	struct cp_verify_mark_stats s = {0};
	struct cp_errbuf err = {{0}};

	(void)state;
	exec_raw("DELETE FROM meta WHERE key = 'verified_mark'");
	assert_int_equal(cp_verify_mark_check(env.db, &s, &err), CP_OK);
	assert_int_equal(s.from, 0);
	assert_int_equal(s.rows_read, last_seq());
}

/* The mark's own row changed after it was verified. */
static void test_mark_row_changed(void **state)
{
	(void)state;
	exec_raw("UPDATE journal SET hash = zeroblob(32) WHERE seq = (SELECT CAST(substr(value, 1,"
		 " instr(value, ':') - 1) AS INTEGER) FROM meta WHERE key = 'verified_mark')");
	start_refused("which a start verified, was changed or removed");
	verify_fails();
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_healthy_after_a_day),
		T(test_changed_hash_after_mark_is_found),
		T(test_changed_payload_after_mark_is_found),
		T(test_removed_row_after_mark_is_found),
		T(test_rows_before_mark_not_read),
		T(test_mark_cannot_be_moved),
		T(test_mark_checksum_removed),
		T(test_mark_removed_reads_all),
		T(test_mark_row_changed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
