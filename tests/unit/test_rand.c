/* test_rand.c — randomness: UUID version 4 text, no repeats, and a child process that does not
 * replay its parent's generator after fork(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp_rand.h"

#define NUUID 1000

static void uuid_format(void **state)
{
	char u[CP_UUID_LEN + 1];

	(void)state;
	for (int n = 0; n < 100; n++) {
		memset(u, 'X', sizeof(u));
		assert_int_equal(cp_uuid4(u), 0);
		assert_int_equal(strlen(u), CP_UUID_LEN);
		for (int i = 0; i < CP_UUID_LEN; i++) {
			if (i == 8 || i == 13 || i == 18 || i == 23)
				assert_int_equal(u[i], '-');
			else
				assert_non_null(strchr("0123456789abcdef", u[i]));
		}
		assert_int_equal(u[14], '4');
		assert_non_null(strchr("89ab", u[19]));
	}
}

static int cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void uuids_distinct(void **state)
{
	char(*u)[CP_UUID_LEN + 1] = calloc(NUUID, sizeof(*u));

	(void)state;
	assert_non_null(u);
	for (int i = 0; i < NUUID; i++)
		assert_int_equal(cp_uuid4(u[i]), 0);
	qsort(u, NUUID, sizeof(*u), cmp);
	for (int i = 1; i < NUUID; i++)
		assert_string_not_equal(u[i - 1], u[i]);
	free(u);
}

static void bytes_fill(void **state)
{
	uint8_t big[5000], zero[5000];

	(void)state;
	memset(big, 0, sizeof(big));
	memset(zero, 0, sizeof(zero));
	/* more than one CTR-DRBG request */
	assert_int_equal(cp_rand_bytes(big, sizeof(big)), 0);
	assert_memory_not_equal(big, zero, 64);
	assert_memory_not_equal(big + sizeof(big) - 64, zero, 64);
	assert_int_equal(cp_rand_bytes(big, 0), 0);
}

static void fork_reseeds(void **state)
{
	uint8_t parent[16], child[16];
	int fds[2], status = 0;
	pid_t pid;
	ssize_t got = 0;

	(void)state;
	/* The parent's generator is seeded before the fork, so a child that kept its state
	 * would produce exactly the parent's next bytes. */
	assert_int_equal(cp_rand_bytes(parent, sizeof(parent)), 0);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		uint8_t b[16];
		int ok = cp_rand_bytes(b, sizeof(b)) == 0 && write(fds[1], b, sizeof(b)) == 16;

		_exit(ok ? 0 : 1);
	}
	close(fds[1]);
	while (got < (ssize_t)sizeof(child)) {
		ssize_t n = read(fds[0], child + got, sizeof(child) - (size_t)got);

		if (n <= 0)
			break;
		got += n;
	}
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(got, sizeof(child));
	assert_int_equal(cp_rand_bytes(parent, sizeof(parent)), 0);
	assert_memory_not_equal(parent, child, sizeof(parent));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uuid_format),
		cmocka_unit_test(uuids_distinct),
		cmocka_unit_test(bytes_fill),
		cmocka_unit_test(fork_reseeds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
