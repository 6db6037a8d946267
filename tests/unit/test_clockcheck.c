/* test_clockcheck.c — a clock the journal does not believe: sales refused until a manager
 * confirms it, the confirmation chained and verified like any event, and what cannot be
 * confirmed (a clock years off, a clock already believed, no manager's authority). */
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
#include "sale.h"
#include "support.h"

static int setup(void **state)
{
	static struct test_env env;

	test_env_open(&env, "clockcheck", true);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_close(*state);
	return 0;
}

/* Scans one ¥19.99 item and pays it in cash. */
static enum cp_err sell(struct test_env *env)
{
	struct cp_tender t = {.method = CP_TENDER_CASH, .amount = 1999};
	struct cp_errbuf err = {{0}};
	struct cp_sale_result r;

	if (cp_cart_scan(env->db, &env->cashier, "A2", 1, NULL, &err) != CP_OK)
		fail_msg("scan: %s", err.msg);
	return cp_sale_pay(env->db, &env->cashier, &t, 1, &r, &err);
}

static enum cp_err confirm(struct test_env *env, const struct cp_session *who, const char *code,
			   const char *pin, struct cp_clock_confirm_result *r,
			   struct cp_errbuf *err)
{
	return cp_clockcheck_confirm(env->db, who, code, pin, r, err);
}

static void verify_ok(struct test_env *env)
{
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	if (cp_journal_verify(env->db, &rep, &err) != CP_OK)
		fail_msg("verify: %s", err.msg);
}

/* Two days behind the last sale: refused with a message that says what to do; a manager's
 * confirmation is recorded, and selling goes on from there. */
static void test_confirmed_clock_sells_again(void **state)
{
	struct test_env *env = *state;
	struct cp_clock_confirm_result r;
	struct cp_errbuf err = {{0}};
	int64_t last = env->now;

	assert_int_equal(sell(env), CP_OK);
	env->now -= 2 * TEST_DAY_MS;
	assert_int_equal(cp_cart_scan(env->db, &env->cashier, "A2", 1, NULL, &err), CP_OK);
	assert_int_equal(cp_sale_pay(env->db, &env->cashier,
				     &(struct cp_tender){CP_TENDER_CASH, 1999}, 1,
				     &(struct cp_sale_result){0}, &err),
			 CP_ECLOCK);
	assert_non_null(strstr(err.msg, "have a manager confirm"));
	assert_int_equal(confirm(env, &env->cashier, "9001", "9999", &r, &err), CP_OK);
	assert_string_equal(r.authorised_by, "9001");
	assert_int_equal(r.at, env->now);
	assert_int_equal(r.last_at, last);
	assert_int_equal(
		test_count(env, "SELECT count(*) FROM journal WHERE type = 'clock_confirm'"), 1);
	assert_int_equal(test_count(env, "SELECT seq FROM clock_confirm WHERE staff = '1001' AND"
					 " authorised_by = '9001'"),
			 r.seq);
	assert_int_equal(test_count(env, "SELECT max(seq) FROM journal"), r.seq);
	/* The cart survived the refusal; it is paid now, and the next sale after it too. */
	assert_int_equal(cp_sale_pay(env->db, &env->cashier,
				     &(struct cp_tender){CP_TENDER_CASH, 1999}, 1,
				     &(struct cp_sale_result){0}, &err),
			 CP_OK);
	env->now += 60 * 1000;
	assert_int_equal(sell(env), CP_OK);
	verify_ok(env);
}

/* A manager's own session needs no second PIN. */
static void test_manager_session_confirms(void **state)
{
	struct test_env *env = *state;
	struct cp_clock_confirm_result r;
	struct cp_errbuf err = {{0}};

	assert_int_equal(sell(env), CP_OK);
	env->now -= 3 * TEST_DAY_MS;
	assert_int_equal(confirm(env, &env->manager, NULL, NULL, &r, &err), CP_OK);
	assert_string_equal(r.authorised_by, "9001");
	assert_int_equal(sell(env), CP_OK);
}

/* No manager, a wrong PIN, nobody logged in: refused, nothing written. */
static void test_no_authority_writes_nothing(void **state)
{
	struct test_env *env = *state;
	struct cp_session nobody;
	struct cp_clock_confirm_result r;
	struct cp_errbuf err = {{0}};

	memset(&nobody, 0, sizeof(nobody));
	assert_int_equal(sell(env), CP_OK);
	env->now -= 2 * TEST_DAY_MS;
	assert_int_equal(confirm(env, &env->cashier, NULL, NULL, &r, &err), CP_EPERM);
	assert_int_equal(confirm(env, &env->cashier, "9001", "0000", &r, &err), CP_EAUTH);
	assert_int_equal(confirm(env, &env->cashier, "1001", "1234", &r, &err), CP_EPERM);
	assert_int_equal(confirm(env, &nobody, "9001", "9999", &r, &err), CP_EAUTH);
	assert_int_equal(confirm(env, NULL, "9001", "9999", &r, &err), CP_EAUTH);
	assert_int_equal(test_count(env, "SELECT count(*) FROM journal WHERE type <> 'shift_open'"),
			 1);
	assert_int_equal(test_count(env, "SELECT count(*) FROM clock_confirm"), 0);
	assert_int_equal(sell(env), CP_ECLOCK);
}

/* A clock the journal believes, and one years off, are not confirmed. */
static void test_nothing_or_impossible_to_confirm(void **state)
{
	struct test_env *env = *state;
	struct cp_clock_confirm_result r;
	struct cp_errbuf err = {{0}};

	assert_int_equal(confirm(env, &env->manager, NULL, NULL, &r, &err), CP_ESTATE);
	assert_int_equal(sell(env), CP_OK);
	env->now -= TEST_DAY_MS - 1000; /* behind, but by less than a day: believed */
	assert_int_equal(confirm(env, &env->manager, NULL, NULL, &r, &err), CP_ESTATE);
	env->now = INT64_C(1262304000000); /* 2010-01-01: a dead battery */
	assert_int_equal(confirm(env, &env->manager, NULL, NULL, &r, &err), CP_ECLOCK);
	assert_non_null(strstr(err.msg, "fix the date and time"));
	assert_int_equal(test_count(env, "SELECT count(*) FROM journal WHERE type <> 'shift_open'"),
			 1);
	assert_int_equal(test_count(env, "SELECT count(*) FROM clock_confirm"), 0);
}

/* The confirmation is part of the chain and of verify's replay: editing its row is found. */
static void test_verify_sees_an_edited_confirmation(void **state)
{
	struct test_env *env = *state;
	struct cp_clock_confirm_result r;
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	assert_int_equal(sell(env), CP_OK);
	env->now -= 2 * TEST_DAY_MS;
	assert_int_equal(confirm(env, &env->manager, NULL, NULL, &r, &err), CP_OK);
	verify_ok(env);
	assert_int_equal(sqlite3_exec(env->db->h, "UPDATE clock_confirm SET authorised_by = '1001'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(cp_journal_verify(env->db, &rep, &err), CP_ECORRUPT);
	assert_non_null(strstr(err.msg, "clock_confirm"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_confirmed_clock_sells_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manager_session_confirms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_authority_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_or_impossible_to_confirm, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_verify_sees_an_edited_confirmation, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
