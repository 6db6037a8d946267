/* test_staff.c — staff PINs and authority: hashed and salted storage, login, lock-out after
 * repeated wrong PINs on the injected clock, refused input that changes nothing, and the
 * manager's authority for actions such as refunds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cp_crypto.h"
#include "db_int.h"
#include "staff.h"
#include "support.h"

#define LOCK_MS INT64_C(300000)

static int setup(void **state)
{
	static struct test_env env;
	struct cp_errbuf err = {{0}};

	test_env_open(&env, "staff", false);
	if (cp_staff_set(env.db, "1001", "王收银", CP_ROLE_CASHIER, "1234", &err) ||
	    cp_staff_set(env.db, "2001", "赵导购", CP_ROLE_GUIDE, "2222", &err) ||
	    cp_staff_set(env.db, "9001", "刘店长", CP_ROLE_MANAGER, "9999", &err))
		fail_msg("setup: %s", err.msg);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_close(*state);
	return 0;
}

/* One column of one staff row, read with a connection of our own. */
static int64_t column_int(struct test_env *env, const char *code, const char *col)
{
	char sql[128];
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t v = -1;

	snprintf(sql, sizeof(sql), "SELECT %s FROM staff WHERE code = ?1", col);
	assert_int_equal(sqlite3_open(env->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static int64_t staff_count(struct test_env *env)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_open(env->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM staff", -1, &st, NULL),
			 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

static void expect_login(struct test_env *env, const char *code, const char *pin, enum cp_err want)
{
	struct cp_session s;
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_staff_login(env->db, code, pin, &s, NULL, &err);

	if (rc != want)
		fail_msg("login %s/%s: %s (%s), wanted %s", code, pin, cp_err_code(rc), err.msg,
			 cp_err_code(want));
}

static void set_and_login(void **state)
{
	struct test_env *env = *state;
	struct cp_session s;
	struct cp_errbuf err = {{0}};

	assert_int_equal(cp_staff_login(env->db, "1001", "1234", &s, NULL, &err), CP_OK);
	assert_string_equal(s.code, "1001");
	assert_string_equal(s.name, "王收银");
	assert_int_equal(s.role, CP_ROLE_CASHIER);
	assert_int_equal(s.since, TEST_TUESDAY_MS);
	assert_int_equal(cp_staff_login(env->db, "9001", "9999", &s, NULL, &err), CP_OK);
	assert_int_equal(s.role, CP_ROLE_MANAGER);
	assert_string_equal(s.name, "刘店长");
	assert_int_equal(staff_count(env), 3);
}

static void wrong_pin(void **state)
{
	struct test_env *env = *state;
	struct cp_session s;
	struct cp_errbuf err = {{0}}, err2 = {{0}};

	assert_int_equal(cp_staff_login(env->db, "1001", "4321", &s, NULL, &err), CP_EAUTH);
	assert_string_equal(err.msg, "wrong staff code or PIN");
	assert_int_equal(column_int(env, "1001", "failed"), 1);
	/* An unknown code answers exactly the same and counts nothing. */
	assert_int_equal(cp_staff_login(env->db, "1002", "1234", &s, NULL, &err2), CP_EAUTH);
	assert_string_equal(err2.msg, err.msg);
	assert_int_equal(staff_count(env), 3);
	/* Codes are matched exactly. */
	expect_login(env, "01001", "1234", CP_EAUTH);
}

static void lockout(void **state)
{
	struct test_env *env = *state;
	struct cp_session s;
	struct cp_errbuf err = {{0}};
	int64_t until = 0, start = env->now;

	for (int i = 1; i <= 4; i++) {
		assert_int_equal(cp_staff_login(env->db, "1001", "0000", &s, &until, &err),
				 CP_EAUTH);
		assert_int_equal(column_int(env, "1001", "failed"), i);
		env->now += 1000;
	}
	assert_int_equal(until, 0);
	assert_int_equal(cp_staff_login(env->db, "1001", "0000", &s, &until, &err), CP_ELOCKED);
	assert_int_equal(until, env->now + LOCK_MS);
	assert_non_null(strstr(err.msg, "staff code 1001 is locked until 10:05:04"));
	assert_int_equal(column_int(env, "1001", "locked_until"), env->now + LOCK_MS);
	assert_int_equal(column_int(env, "1001", "failed"), 0);

	/* Even the right PIN is refused while locked, and nothing more is counted. */
	until = 0;
	memset(&err, 0, sizeof(err));
	assert_int_equal(cp_staff_login(env->db, "1001", "1234", &s, &until, &err), CP_ELOCKED);
	assert_int_equal(until, start + 4000 + LOCK_MS);
	assert_string_equal(err.msg, "staff code 1001 is locked until 10:05:04");
	assert_int_equal(column_int(env, "1001", "failed"), 0);
	env->now = start + 4000 + LOCK_MS - 1;
	expect_login(env, "1001", "1234", CP_ELOCKED);
	/* Other staff are not affected. */
	expect_login(env, "9001", "9999", CP_OK);

	env->now = start + 4000 + LOCK_MS;
	expect_login(env, "1001", "1234", CP_OK);
	assert_int_equal(column_int(env, "1001", "failed"), 0);
}

static void right_pin_resets_count(void **state)
{
	struct test_env *env = *state;

	for (int i = 0; i < 4; i++)
		expect_login(env, "1001", "0000", CP_EAUTH);
	assert_int_equal(column_int(env, "1001", "failed"), 4);
	expect_login(env, "1001", "1234", CP_OK);
	assert_int_equal(column_int(env, "1001", "failed"), 0);
	for (int i = 0; i < 4; i++)
		expect_login(env, "1001", "0000", CP_EAUTH);
	expect_login(env, "1001", "1234", CP_OK);
}

static void lock_message_names_the_day_when_not_today(void **state)
{
	struct test_env *env = *state;
	struct cp_errbuf err = {{0}};

	env->db->pin_lockout_s = 86400;
	for (int i = 0; i < 5; i++)
		cp_staff_login(env->db, "2001", "0000", NULL, NULL, &err);
	assert_string_equal(err.msg,
			    "wrong PIN; staff code 2001 is locked until 2026-11-25 10:00:00");
}

static void bad_pins_refused(void **state)
{
	static const char *const bad[] = {
		"", "12", "123", "1234567890123", "12a4", "１２３４", "12 4", "-1234", "1234\n",
	};
	struct test_env *env = *state;
	struct cp_errbuf err = {{0}};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(
			cp_staff_set(env->db, "1002", "新员工", CP_ROLE_CASHIER, bad[i], &err),
			CP_EINVAL);
		assert_non_null(strstr(err.msg, "PIN"));
		/* and for an existing code the old PIN stays */
		assert_int_equal(
			cp_staff_set(env->db, "1001", "王收银", CP_ROLE_CASHIER, bad[i], &err),
			CP_EINVAL);
		/* refused at login without counting */
		assert_int_equal(cp_staff_login(env->db, "1001", bad[i], NULL, NULL, &err),
				 CP_EINVAL);
	}
	assert_int_equal(cp_staff_set(env->db, "1002", "x", CP_ROLE_CASHIER, NULL, &err),
			 CP_EINVAL);
	assert_int_equal(staff_count(env), 3);
	assert_int_equal(column_int(env, "1001", "failed"), 0);
	expect_login(env, "1001", "1234", CP_OK);
	/* 4 and 12 digits are fine */
	assert_int_equal(cp_staff_set(env->db, "1002", "新员工", CP_ROLE_CASHIER, "0000", &err),
			 CP_OK);
	assert_int_equal(
		cp_staff_set(env->db, "1003", "新员工", CP_ROLE_CASHIER, "123456789012", &err),
		CP_OK);
	expect_login(env, "1002", "0000", CP_OK);
	expect_login(env, "1003", "123456789012", CP_OK);
}

static void full_width_pin_message(void **state)
{
	struct test_env *env = *state;
	struct cp_errbuf err = {{0}};

	assert_int_equal(cp_staff_set(env->db, "1002", "新员工", CP_ROLE_CASHIER, "１２３４", &err),
			 CP_EINVAL);
	assert_non_null(strstr(err.msg, "full-width"));
}

static void bad_code_name_role_refused(void **state)
{
	static const char *const codes[] = {"",     "10-01", "10 01", "12345678901234567",
					    "收银", "1001\n"};
	struct test_env *env = *state;
	struct cp_errbuf err = {{0}};
	char name65[66];

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		assert_int_equal(
			cp_staff_set(env->db, codes[i], "新员工", CP_ROLE_CASHIER, "1234", &err),
			CP_EINVAL);
		assert_non_null(strstr(err.msg, "staff code"));
	}
	assert_int_equal(cp_staff_set(env->db, NULL, "x", CP_ROLE_CASHIER, "1234", &err),
			 CP_EINVAL);
	memset(name65, 'n', 65);
	name65[65] = '\0';
	assert_int_equal(cp_staff_set(env->db, "1002", name65, CP_ROLE_CASHIER, "1234", &err),
			 CP_EINVAL);
	assert_non_null(strstr(err.msg, "name"));
	assert_int_equal(cp_staff_set(env->db, "1002", "", CP_ROLE_CASHIER, "1234", &err),
			 CP_EINVAL);
	assert_int_equal(cp_staff_set(env->db, "1002", "a\nb", CP_ROLE_CASHIER, "1234", &err),
			 CP_EINVAL);
	assert_int_equal(cp_staff_set(env->db, "1002", "caf\xe9", CP_ROLE_CASHIER, "1234", &err),
			 CP_EINVAL);
	assert_int_equal(cp_staff_set(env->db, "1002", "ok", (enum cp_role)7, "1234", &err),
			 CP_EINVAL);
	assert_int_equal(staff_count(env), 3);
	/* 16 characters and 64 bytes are fine */
	name65[64] = '\0';
	assert_int_equal(
		cp_staff_set(env->db, "A234567890abcdef", name65, CP_ROLE_GUIDE, "1234", &err),
		CP_OK);
	assert_int_equal(staff_count(env), 4);
}

static void set_replaces_and_unlocks(void **state)
{
	struct test_env *env = *state;
	struct cp_session s;
	struct cp_errbuf err = {{0}};

	for (int i = 0; i < 5; i++)
		cp_staff_login(env->db, "1001", "0000", NULL, NULL, &err);
	expect_login(env, "1001", "1234", CP_ELOCKED);
	assert_int_equal(cp_staff_set(env->db, "1001", "王收银", CP_ROLE_GUIDE, "5678", &err),
			 CP_OK);
	expect_login(env, "1001", "1234", CP_EAUTH);
	assert_int_equal(cp_staff_login(env->db, "1001", "5678", &s, NULL, &err), CP_OK);
	assert_int_equal(s.role, CP_ROLE_GUIDE);
	assert_int_equal(staff_count(env), 3);
}

static void pin_stored_hashed(void **state)
{
	struct test_env *env = *state;
	struct cp_errbuf err = {{0}};
	uint8_t salt[2][16], hash[2][32], check[32];
	sqlite3 *h;
	sqlite3_stmt *st;
	int n = 0;

	assert_int_equal(cp_staff_set(env->db, "1002", "同密码", CP_ROLE_CASHIER, "1234", &err),
			 CP_OK);
	assert_int_equal(sqlite3_open(env->path, &h), SQLITE_OK);
	assert_int_equal(
		sqlite3_prepare_v2(h,
				   "SELECT pin_salt, pin_hash, pin_iter, typeof(pin_hash)"
				   " FROM staff WHERE code IN ('1001', '1002') ORDER BY code",
				   -1, &st, NULL),
		SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		assert_true(n < 2);
		assert_int_equal(sqlite3_column_bytes(st, 0), 16);
		assert_int_equal(sqlite3_column_bytes(st, 1), 32);
		assert_string_equal((const char *)sqlite3_column_text(st, 3), "blob");
		assert_int_equal(sqlite3_column_int64(st, 2), 1000); /* support.c's count */
		memcpy(salt[n], sqlite3_column_blob(st, 0), 16);
		memcpy(hash[n], sqlite3_column_blob(st, 1), 32);
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	assert_int_equal(n, 2);
	assert_memory_not_equal(salt[0], salt[1], 16);
	assert_memory_not_equal(hash[0], hash[1], 32);
	for (int i = 0; i + 4 <= 32; i++)
		assert_memory_not_equal(hash[0] + i, "1234", 4);
	/* It is PBKDF2-HMAC-SHA256 of the PIN with the row's salt and count. */
	assert_int_equal(cp_pbkdf2_sha256("1234", 4, salt[0], 16, 1000, check, 32), 0);
	assert_memory_equal(check, hash[0], 32);
}

static void old_iteration_count_still_verifies(void **state)
{
	struct test_env *env = *state;
	struct cp_errbuf err = {{0}};

	env->db->pbkdf2_iterations = 2000; /* configuration changed after 1001 was set */
	expect_login(env, "1001", "1234", CP_OK);
	assert_int_equal(cp_staff_set(env->db, "1002", "新员工", CP_ROLE_CASHIER, "4321", &err),
			 CP_OK);
	assert_int_equal(column_int(env, "1002", "pin_iter"), 2000);
	assert_int_equal(column_int(env, "1001", "pin_iter"), 1000);
	expect_login(env, "1002", "4321", CP_OK);
}

static void inactive_is_unknown(void **state)
{
	struct test_env *env = *state;

	assert_int_equal(
		cp_db_exec(env->db, "UPDATE staff SET active = 0 WHERE code = '1001'", NULL),
		CP_OK);
	expect_login(env, "1001", "1234", CP_EAUTH);
	expect_login(env, "1001", "0000", CP_EAUTH);
	assert_int_equal(column_int(env, "1001", "failed"), 0);
}

static void authorise_manager_session(void **state)
{
	struct test_env *env = *state;
	struct cp_session mgr;
	struct cp_errbuf err = {{0}};
	char by[17] = "";

	assert_int_equal(cp_staff_login(env->db, "9001", "9999", &mgr, NULL, &err), CP_OK);
	assert_int_equal(cp_staff_authorise(env->db, &mgr, NULL, NULL, "refund", by, &err), CP_OK);
	assert_string_equal(by, "9001");
}

static void authorise_cashier(void **state)
{
	struct test_env *env = *state;
	struct cp_session cashier, forged;
	struct cp_errbuf err = {{0}};
	char by[17] = "";

	assert_int_equal(cp_staff_login(env->db, "1001", "1234", &cashier, NULL, &err), CP_OK);
	/* no manager PIN */
	assert_int_equal(cp_staff_authorise(env->db, &cashier, NULL, NULL, "refund", by, &err),
			 CP_EPERM);
	assert_string_equal(err.msg, "refund needs a manager's PIN");
	assert_int_equal(cp_staff_authorise(env->db, &cashier, "9001", "", "void", by, &err),
			 CP_EPERM);
	assert_string_equal(err.msg, "void needs a manager's PIN");
	/* a guide's correct PIN is not a manager's */
	assert_int_equal(cp_staff_authorise(env->db, &cashier, "2001", "2222", "refund", by, &err),
			 CP_EPERM);
	assert_non_null(strstr(err.msg, "refund needs a manager's PIN"));
	/* the manager's wrong PIN counts towards the manager's lock-out */
	assert_int_equal(cp_staff_authorise(env->db, &cashier, "9001", "1111", "refund", by, &err),
			 CP_EAUTH);
	assert_string_equal(err.msg, "wrong staff code or PIN");
	assert_int_equal(column_int(env, "9001", "failed"), 1);
	assert_string_equal(by, "");
	/* the right one */
	assert_int_equal(cp_staff_authorise(env->db, &cashier, "9001", "9999", "refund", by, &err),
			 CP_OK);
	assert_string_equal(by, "9001");
	assert_int_equal(column_int(env, "9001", "failed"), 0);
	/* a struct that claims to be a manager's gains nothing: the role comes from the table */
	forged = cashier;
	forged.role = CP_ROLE_MANAGER;
	assert_int_equal(cp_staff_authorise(env->db, &forged, NULL, NULL, "refund", by, &err),
			 CP_EPERM);
	assert_int_equal(cp_staff_authorise(env->db, NULL, "9001", "9999", "refund", by, &err),
			 CP_EAUTH);
}

static void authorise_locks_manager(void **state)
{
	struct test_env *env = *state;
	struct cp_session cashier;
	struct cp_errbuf err = {{0}};
	char by[17] = "";

	assert_int_equal(cp_staff_login(env->db, "1001", "1234", &cashier, NULL, &err), CP_OK);
	for (int i = 0; i < 4; i++)
		assert_int_equal(
			cp_staff_authorise(env->db, &cashier, "9001", "1111", "refund", by, &err),
			CP_EAUTH);
	assert_int_equal(cp_staff_authorise(env->db, &cashier, "9001", "1111", "refund", by, &err),
			 CP_ELOCKED);
	assert_int_equal(cp_staff_authorise(env->db, &cashier, "9001", "9999", "refund", by, &err),
			 CP_ELOCKED);
	assert_non_null(strstr(err.msg, "staff code 9001 is locked until 10:05:00"));
	assert_string_equal(by, "");
}

static void authorise_inside_a_transaction_refused(void **state)
{
	struct test_env *env = *state;
	struct cp_session cashier;
	struct cp_errbuf err = {{0}};
	char by[17] = "";

	assert_int_equal(cp_staff_login(env->db, "1001", "1234", &cashier, NULL, &err), CP_OK);
	assert_int_equal(cp_db_begin(env->db, &err), CP_OK);
	assert_int_equal(cp_staff_authorise(env->db, &cashier, "9001", "0000", "refund", by, &err),
			 CP_ESTATE);
	cp_db_rollback(env->db);
	assert_int_equal(column_int(env, "9001", "failed"), 0);
}

static void login_inside_a_transaction_refused(void **state)
{
	struct test_env *env = *state;
	struct cp_errbuf err = {{0}};

	/* a rollback by the caller would forget the wrong PIN */
	assert_int_equal(cp_db_begin(env->db, &err), CP_OK);
	assert_int_equal(cp_staff_login(env->db, "1001", "0000", NULL, NULL, &err), CP_ESTATE);
	cp_db_rollback(env->db);
	assert_int_equal(column_int(env, "1001", "failed"), 0);
}

static void set_joins_callers_transaction(void **state)
{
	struct test_env *env = *state;
	struct cp_errbuf err = {{0}};

	assert_int_equal(cp_db_begin(env->db, &err), CP_OK);
	assert_int_equal(cp_staff_set(env->db, "1002", "新员工", CP_ROLE_CASHIER, "1234", &err),
			 CP_OK);
	cp_db_rollback(env->db);
	assert_int_equal(staff_count(env), 3);
	assert_int_equal(cp_db_begin(env->db, &err), CP_OK);
	assert_int_equal(cp_staff_set(env->db, "1002", "新员工", CP_ROLE_CASHIER, "1234", &err),
			 CP_OK);
	assert_int_equal(cp_db_commit(env->db, &err), CP_OK);
	assert_int_equal(staff_count(env), 4);
	expect_login(env, "1002", "1234", CP_OK);
}

static void role_names(void **state)
{
	(void)state;
	assert_string_equal(cp_role_name(CP_ROLE_CASHIER), "cashier");
	assert_string_equal(cp_role_name(CP_ROLE_GUIDE), "guide");
	assert_string_equal(cp_role_name(CP_ROLE_MANAGER), "manager");
	assert_string_equal(cp_role_name((enum cp_role)9), "unknown");
	assert_int_equal(cp_role_parse("cashier"), CP_ROLE_CASHIER);
	assert_int_equal(cp_role_parse("guide"), CP_ROLE_GUIDE);
	assert_int_equal(cp_role_parse("manager"), CP_ROLE_MANAGER);
	assert_int_equal(cp_role_parse("Manager"), -1);
	assert_int_equal(cp_role_parse(""), -1);
	assert_int_equal(cp_role_parse(NULL), -1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(set_and_login),
		T(wrong_pin),
		T(lockout),
		T(right_pin_resets_count),
		T(lock_message_names_the_day_when_not_today),
		T(bad_pins_refused),
		T(full_width_pin_message),
		T(bad_code_name_role_refused),
		T(set_replaces_and_unlocks),
		T(pin_stored_hashed),
		T(old_iteration_count_still_verifies),
		T(inactive_is_unknown),
		T(authorise_manager_session),
		T(authorise_cashier),
		T(authorise_locks_manager),
		T(authorise_inside_a_transaction_refused),
		T(login_inside_a_transaction_refused),
		T(set_joins_callers_transaction),
		cmocka_unit_test(role_names),
	};

	setenv("TZ", "Asia/Shanghai", 1); /* as ctest sets it, for runs by hand */
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
