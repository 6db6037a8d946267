/* test_sync_stop.c — the reason sync stopped is kept with its error id and arguments, so that
 * the manager's screen shows it in the cashier's language; an id that no longer says what the
 * recorded reason says (another stop since, a cleared stop) is not given out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hq.h"
#include "support.h"

static int setup(void **state)
{
	static struct test_env env;

	test_env_open(&env, "sync_stop", true);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_close(*state);
	return 0;
}

#define WHY "HQ says it holds journal row %lld but this till has written only %lld (test)"

static void test_stop_keeps_id_and_arguments(void **state)
{
	struct test_env *env = *state;
	struct cp_errbuf why = {{0}}, err = {{0}};
	struct cp_sync_status s;

	cp_errf(&why, CP_ECORRUPT, WHY, 99LL, 3LL);
	assert_int_equal(cp_syncstate_record_stop_why(env->db, CP_SYNC_STOP_ENROL, &why, 0, &err),
			 CP_OK);
	assert_int_equal(cp_syncstate_status_get(env->db, &s, &err), CP_OK);
	assert_true(s.stopped);
	assert_string_equal(s.stop_reason, why.msg);
	assert_string_equal(s.stop_id, WHY);
	assert_int_equal(s.stop_nargs, 2);
	assert_string_equal(s.stop_args[0], "99");
	assert_string_equal(s.stop_args[1], "3");
	/* a CONFIG stop does not replace an ENROL one, nor its id */
	cp_errf(&err, CP_ECONFIG, "pin mismatch for %s", "127.0.0.1");
	assert_int_equal(
		cp_syncstate_record_stop_why(env->db, CP_SYNC_STOP_CONFIG, &err, 1000, NULL),
		CP_OK);
	assert_int_equal(cp_syncstate_status_get(env->db, &s, &err), CP_OK);
	assert_string_equal(s.stop_id, WHY);
}

/* A reason recorded without its id (or by an older program) leaves no stale id behind. */
static void test_stale_id_not_given(void **state)
{
	struct test_env *env = *state;
	struct cp_errbuf why = {{0}}, err = {{0}};
	struct cp_sync_status s;

	cp_errf(&why, CP_ECONFIG, "wrong host name for %s", "127.0.0.1");
	assert_int_equal(
		cp_syncstate_record_stop_why(env->db, CP_SYNC_STOP_CONFIG, &why, 1000, &err),
		CP_OK);
	assert_int_equal(cp_syncstate_status_get(env->db, &s, &err), CP_OK);
	assert_string_equal(s.stop_id, "wrong host name for %s");
	assert_int_equal(cp_syncstate_record_success(env->db, &err), CP_OK);
	assert_int_equal(cp_syncstate_record_stop(env->db, CP_SYNC_STOP_CONFIG,
						  "certificate expired", 1000, &err),
			 CP_OK);
	assert_int_equal(cp_syncstate_status_get(env->db, &s, &err), CP_OK);
	assert_string_equal(s.stop_reason, "certificate expired");
	assert_string_equal(s.stop_id, "");
	assert_int_equal(s.stop_nargs, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_stop_keeps_id_and_arguments),
		T(test_stale_id_not_given),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
