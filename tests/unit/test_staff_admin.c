/* test_staff_admin.c — a manager on the spot: unlocking a locked staff code and setting a new
 * PIN are authorised only for managers (a cashier alone, or with a wrong manager PIN, is
 * refused and nothing is written), each is one journal event without the PIN, verify replays
 * it and finds an altered staff_admin row, and bad input is refused before any authority. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db.h"
#include "db_int.h"
#include "journal.h"
#include "staff.h"
#include "staff_admin.h"
#include "support.h"

static struct test_env env;
static struct cp_session cashier2;

static void ok(enum cp_err rc, const struct cp_errbuf *err, const char *what)
{
	if (rc != CP_OK)
		fail_msg("%s: %s", what, cp_errmsg(err, rc));
}

static int setup(void **state)
{
	struct cp_errbuf err = {{0}};

	(void)state;
	test_env_open(&env, "staff_admin", true);
	ok(cp_staff_set(env.db, "1002", "王五", CP_ROLE_CASHIER, "4321", &err), &err, "staff");
	ok(cp_staff_login(env.db, "1002", "4321", &cashier2, NULL, &err), &err, "login");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

/* Five wrong PINs lock 1001. */
static void lock_1001(void)
{
	struct cp_errbuf err = {{0}};

	for (int i = 0; i < 5; i++)
		assert_int_not_equal(cp_staff_login(env.db, "1001", "0000", NULL, NULL, &err),
				     CP_OK);
	assert_int_equal(cp_staff_login(env.db, "1001", "1234", NULL, NULL, &err), CP_ELOCKED);
}

static int64_t journal_rows(void)
{
	return test_count(&env, "SELECT count(*) FROM journal");
}

static void verify_ok(void)
{
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	ok(cp_journal_verify(env.db, &rep, &err), &err, "verify");
}

static void test_unlock_needs_a_manager(void **state)
{
	struct cp_staff_admin_result r;
	struct cp_staff_admin_entry list[8];
	struct cp_errbuf err = {{0}};
	int64_t rows;
	int n = 0;

	(void)state;
	lock_1001();
	ok(cp_staff_admin_list(env.db, list, 8, &n, &err), &err, "list");
	assert_int_equal(n, 1);
	assert_string_equal(list[0].code, "1001");
	assert_true(list[0].locked);
	rows = journal_rows();
	/* a cashier alone */
	assert_int_equal(cp_staff_admin_unlock(env.db, &cashier2, NULL, NULL, "1001", &r, &err),
			 CP_EPERM);
	/* a cashier with a wrong manager PIN, and with a cashier's PIN as the manager's */
	assert_int_equal(cp_staff_admin_unlock(env.db, &cashier2, "9001", "1111", "1001", &r, &err),
			 CP_EAUTH);
	assert_int_equal(cp_staff_admin_unlock(env.db, &cashier2, "1002", "4321", "1001", &r, &err),
			 CP_EPERM);
	assert_int_equal(journal_rows(), rows);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM staff_admin"), 0);
	assert_int_equal(cp_staff_login(env.db, "1001", "1234", NULL, NULL, &err), CP_ELOCKED);

	/* the manager's code and PIN given at the till of a cashier */
	ok(cp_staff_admin_unlock(env.db, &cashier2, "9001", "9999", "1001", &r, &err), &err,
	   "unlock");
	assert_string_equal(r.staff, "1001");
	assert_string_equal(r.authorised_by, "9001");
	assert_true(r.was_locked_until > env.now);
	assert_int_equal(journal_rows(), rows + 1);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM staff_admin WHERE kind = 'unlock'"
					  " AND staff = '1001' AND by_staff = '1002'"
					  " AND authorised_by = '9001'"),
			 1);
	ok(cp_staff_login(env.db, "1001", "1234", NULL, NULL, &err), &err, "login after unlock");
	/* nothing to unlock now */
	assert_int_equal(cp_staff_admin_unlock(env.db, &env.manager, NULL, NULL, "1001", &r, &err),
			 CP_ESTATE);
	assert_int_equal(cp_staff_admin_unlock(env.db, &env.manager, NULL, NULL, "7777", &r, &err),
			 CP_ENOTFOUND);
	assert_int_equal(
		cp_staff_admin_unlock(env.db, &env.manager, NULL, NULL, "bad code", &r, &err),
		CP_EINVAL);
	assert_int_equal(journal_rows(), rows + 1);
	verify_ok();
}

static void test_reset_pin_needs_a_manager(void **state)
{
	struct cp_staff_admin_result r;
	struct cp_errbuf err = {{0}};
	int64_t rows = journal_rows();

	(void)state;
	assert_int_equal(
		cp_staff_admin_reset_pin(env.db, &cashier2, NULL, NULL, "1001", "5678", &r, &err),
		CP_EPERM);
	assert_int_equal(cp_staff_admin_reset_pin(env.db, &env.cashier, NULL, NULL, "1001", "5678",
						  &r, &err),
			 CP_EPERM);
	/* a PIN of the wrong form is refused before the manager's PIN is even checked */
	assert_int_equal(cp_staff_admin_reset_pin(env.db, &cashier2, "9001", "0000", "1001", "12a4",
						  &r, &err),
			 CP_EINVAL);
	assert_int_equal(test_count(&env, "SELECT failed FROM staff WHERE code = '9001'"), 0);
	assert_int_equal(journal_rows(), rows);
	ok(cp_staff_login(env.db, "1001", "1234", NULL, NULL, &err), &err, "old PIN still good");

	ok(cp_staff_admin_reset_pin(env.db, &env.manager, NULL, NULL, "1001", "5678", &r, &err),
	   &err, "reset");
	assert_string_equal(r.authorised_by, "9001");
	assert_int_equal(journal_rows(), rows + 1);
	assert_int_equal(cp_staff_login(env.db, "1001", "1234", NULL, NULL, &err), CP_EAUTH);
	ok(cp_staff_login(env.db, "1001", "5678", NULL, NULL, &err), &err, "new PIN");
	/* the PIN is nowhere in the journal */
	assert_int_equal(test_count(&env, "SELECT count(*) FROM journal WHERE type ="
					  " 'staff_reset_pin' AND payload NOT LIKE '%5678%'"),
			 1);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM staff_admin WHERE kind ="
					  " 'reset_pin' AND staff = '1001' AND by_staff = '9001'"),
			 1);
	/* a reset also unlocks */
	lock_1001();
	ok(cp_staff_admin_reset_pin(env.db, &cashier2, "9001", "9999", "1001", "2468", &r, &err),
	   &err, "reset locked");
	assert_true(r.was_locked_until > 0);
	ok(cp_staff_login(env.db, "1001", "2468", NULL, NULL, &err), &err, "after reset");
	verify_ok();
}

static void test_verify_finds_an_altered_row(void **state)
{
	struct cp_staff_admin_result r;
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	(void)state;
	lock_1001();
	ok(cp_staff_admin_unlock(env.db, &env.manager, NULL, NULL, "1001", &r, &err), &err,
	   "unlock");
	verify_ok();
	assert_int_equal(sqlite3_exec(env.db->h, "UPDATE staff_admin SET authorised_by = '1002'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_ECORRUPT);
	assert_non_null(strstr(err.msg, "staff_admin"));
	assert_int_equal(rep.first_bad_seq, r.seq);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unlock_needs_a_manager, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_pin_needs_a_manager, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_finds_an_altered_row, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
