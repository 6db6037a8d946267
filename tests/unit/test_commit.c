/* test_commit.c — the COMMIT of a journal event that fails (core/db.c cp_db_commit, core/journal.c
 * cp_journal_settle), in process: a deferred foreign key makes COMMIT fail after the event was
 * recorded in the transaction, and the answer must be a settled failure that left nothing, with
 * the event's id noted as not recorded, and verify still ok. The disk-failure cases, where the
 * frames reach the WAL, are test_commit_eio.sh's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "journal.h"
#include "journal_int.h"
#include "support.h"

static struct test_env env;

static int setup(void **state)
{
	(void)state;
	test_env_open(&env, "commit", true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

static void test_failed_commit_of_an_event_is_settled(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_verify_report rep;
	json_t *p = json_pack("{s:s, s:s, s:I}", "staff", "1001", "authorised_by", "9001",
			      "last_at", (json_int_t)env.now);
	int64_t journal = test_count(&env, "SELECT count(*) FROM journal"), seq = 0;
	char id[64] = "";
	enum cp_err rc;

	(void)state;
	assert_int_equal(cp_db_begin(env.db, &err), CP_OK);
	assert_int_equal(
		sqlite3_exec(env.db->h, "PRAGMA defer_foreign_keys = ON", NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_equal(cp_journal_record(env.db, "clock_confirm", p, &seq, NULL, &err), CP_OK);
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(p, "event_id")));
	/* A row whose journal row does not exist: COMMIT refuses it. */
	assert_int_equal(sqlite3_exec(env.db->h,
				      "INSERT INTO tender(seq, n, method, amount)"
				      " VALUES(999, 1, 'cash', 1)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	rc = cp_db_commit(env.db, &err);
	json_decref(p);
	print_message("%s: %s\n", cp_err_code(rc), err.msg);
	assert_int_not_equal(rc, CP_OK);
	assert_int_not_equal(rc, CP_EOUTCOME);
	assert_non_null(strstr(err.msg, "was not recorded"));
	assert_non_null(strstr(err.msg, "the clock confirmation (journal"));
	assert_true(sqlite3_get_autocommit(env.db->h));
	assert_int_equal(test_count(&env, "SELECT count(*) FROM journal"), journal);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM tender WHERE seq = 999"), 0);
	assert_int_equal(
		test_count(&env, "SELECT count(*) FROM meta WHERE key = 'unrecorded_event'"), 1);
	{
		char got[64];

		assert_int_equal(cp_db_meta_get(env.db, "unrecorded_event", got, sizeof(got), &err),
				 CP_OK);
		assert_string_equal(got, id);
	}
	assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_OK);
}

/* A transaction without an event commits and fails as before: nothing is settled. */
static void test_failed_commit_without_event(void **state)
{
	struct cp_errbuf err = {{0}};

	(void)state;
	assert_int_equal(cp_db_begin(env.db, &err), CP_OK);
	assert_int_equal(sqlite3_exec(env.db->h,
				      "PRAGMA defer_foreign_keys = ON;"
				      " INSERT INTO tender(seq, n, method, amount)"
				      " VALUES(999, 1, 'cash', 1)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(cp_db_commit(env.db, &err), CP_EDB);
	cp_db_rollback(env.db);
	assert_int_equal(
		test_count(&env, "SELECT count(*) FROM meta WHERE key = 'unrecorded_event'"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_failed_commit_of_an_event_is_settled, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failed_commit_without_event, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
