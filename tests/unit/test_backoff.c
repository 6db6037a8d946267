/* test_backoff.c — full-jitter exponential backoff: the ceiling doubles from the base up to the
 * cap and stays there, every delay lies in [0, ceiling], Retry-After wins but is capped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "backoff.h"
#include "cp_rand.h"

#define BASE 1000
#define CAP 300000

static int64_t ceiling_for(int attempt)
{
	int64_t c = BASE;

	for (int i = 0; i < attempt && c < CAP; i++)
		c *= 2;
	return c < CAP ? c : CAP;
}

/* The delay is rnd mod (ceiling + 1): rnd = ceiling gives the ceiling itself, rnd = ceiling + 1
 * gives 0, which pins the ceiling down exactly. */
static int64_t probe(const struct cp_backoff *b, uint64_t rnd)
{
	struct cp_backoff copy = *b;

	return cp_backoff_next(&copy, -1, rnd);
}

static void ceiling_doubles_then_caps(void **state)
{
	static const int64_t want[] = {1000,  2000,   4000,   8000,   16000,  32000,
				       64000, 128000, 256000, 300000, 300000, 300000};
	struct cp_backoff b = {.base_ms = BASE, .cap_ms = CAP};

	(void)state;
	for (int n = 0; n < (int)(sizeof(want) / sizeof(want[0])); n++) {
		assert_int_equal(ceiling_for(n), want[n]);
		assert_int_equal(probe(&b, (uint64_t)want[n]), want[n]);
		assert_int_equal(probe(&b, (uint64_t)want[n] + 1), 0);
		assert_int_equal(probe(&b, 0), 0);
		cp_backoff_next(&b, -1, 0);
	}
	/* Long outages never overflow and stay at the cap. */
	for (int n = 0; n < 200; n++)
		cp_backoff_next(&b, -1, 0);
	assert_int_equal(probe(&b, CAP), CAP);
	assert_int_equal(probe(&b, CAP + 1), 0);
	assert_int_equal(probe(&b, UINT64_MAX), (int64_t)(UINT64_MAX % (CAP + 1)));
}

static void jitter_within_bounds(void **state)
{
	struct cp_backoff b = {.base_ms = BASE, .cap_ms = CAP};
	int64_t max_seen[16] = {0};

	(void)state;
	for (int round = 0; round < 200; round++) {
		cp_backoff_reset(&b);
		for (int n = 0; n < 16; n++) {
			uint64_t rnd;
			int64_t d;

			assert_int_equal(cp_rand_bytes(&rnd, sizeof(rnd)), 0);
			d = cp_backoff_next(&b, -1, rnd);
			assert_true(d >= 0);
			assert_true(d <= ceiling_for(n));
			if (d > max_seen[n])
				max_seen[n] = d;
		}
	}
	/* Random, not stuck at 0: in 200 tries the largest is well above half the ceiling. */
	for (int n = 0; n < 16; n++)
		assert_true(max_seen[n] > ceiling_for(n) / 2);
	assert_int_equal(probe(&b, UINT64_MAX), (int64_t)(UINT64_MAX % (CAP + 1)));
}

static void retry_after(void **state)
{
	struct cp_backoff b = {.base_ms = BASE, .cap_ms = CAP};

	(void)state;
	assert_int_equal(cp_backoff_next(&b, 5000, 123456), 5000);
	assert_int_equal(cp_backoff_next(&b, 0, 123456), 0);
	assert_int_equal(cp_backoff_next(&b, CAP, 7), CAP);
	assert_int_equal(cp_backoff_next(&b, CAP + 1, 7), CAP);
	assert_int_equal(cp_backoff_next(&b, INT64_MAX, 7), CAP);
	/* Only a negative value means "no Retry-After". */
	assert_true(cp_backoff_next(&b, -1, 7) <= CAP);
}

static void reset_starts_over(void **state)
{
	struct cp_backoff b = {.base_ms = BASE, .cap_ms = CAP};

	(void)state;
	for (int n = 0; n < 20; n++)
		cp_backoff_next(&b, -1, 0);
	assert_int_equal(probe(&b, CAP), CAP);
	cp_backoff_reset(&b);
	assert_int_equal(b.attempt, 0);
	assert_int_equal(probe(&b, BASE), BASE);
	assert_int_equal(probe(&b, BASE + 1), 0);
}

static void zero_config_uses_defaults(void **state)
{
	struct cp_backoff b = {0};

	(void)state;
	assert_int_equal(probe(&b, BASE), BASE);
	assert_int_equal(probe(&b, BASE + 1), 0);
	for (int n = 0; n < 30; n++)
		cp_backoff_next(&b, -1, 0);
	assert_int_equal(probe(&b, CAP), CAP);
	assert_int_equal(probe(&b, CAP + 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ceiling_doubles_then_caps),
		cmocka_unit_test(jitter_within_bounds),
		cmocka_unit_test(retry_after),
		cmocka_unit_test(reset_starts_over),
		cmocka_unit_test(zero_config_uses_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
