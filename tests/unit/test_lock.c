/* test_lock.c — the one-process-at-a-time lock: a second taker is refused with the holder's
 * pid and the caller's words, the file is private (0600), and releasing lets the next one in.
 * flock() locks belong to an open file, so two opens in one process stand for two processes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp_lock.h"

#define LOCK "test.sync.lock"

static void second_taker_refused(void **state)
{
	struct cp_errbuf err = {{0}};
	struct stat st;
	char want[64];
	int a = -1, b = -1;

	(void)state;
	unlink(LOCK);
	assert_int_equal(cp_lock_try(LOCK, &a, "another sync daemon is running", &err), CP_OK);
	assert_true(a >= 0);
	assert_int_equal(stat(LOCK, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(cp_lock_try(LOCK, &b, "another sync daemon is running", &err), CP_EBUSY);
	assert_int_equal(b, -1);
	snprintf(want, sizeof(want), "another sync daemon is running (pid %ld;", (long)getpid());
	if (!strstr(err.msg, want))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, want);
	cp_lock_release(a);
	assert_int_equal(cp_lock_try(LOCK, &b, NULL, &err), CP_OK);
	cp_lock_release(b);
	cp_lock_release(-1);
}

static void unopenable_path(void **state)
{
	struct cp_errbuf err = {{0}};
	int fd = 5;

	(void)state;
	assert_int_equal(cp_lock_try("no/such/dir/x.lock", &fd, NULL, &err), CP_EIO);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(err.msg, "no/such/dir/x.lock"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(second_taker_refused),
		cmocka_unit_test(unopenable_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
