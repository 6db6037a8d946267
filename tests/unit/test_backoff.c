/* test_backoff.c — when to try HQ again, as pure computation with the randomness and the clock
 * injected: the ceiling doubles from twice the base up to the cap, every wait lies in
 * [base, ceiling] (a floor of one first step, with jitter), Retry-After is honoured but never
 * below the floor (0, a date in the past, garbage) nor above the cap, and Retry-After values
 * are read as RFC 9110 says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "backoff.h"
#include "cp_rand.h"

#define BASE 1000
#define CAP 300000

/* The largest wait after n failures in a row before this one. */
static int64_t ceiling_for(int attempt)
{
	int64_t c = 2 * BASE;

	for (int i = 0; i < attempt && c < CAP; i++)
		c *= 2;
	return c < CAP ? c : CAP;
}

/* The wait is base + rnd mod (ceiling - base + 1): rnd = ceiling - base gives the ceiling,
 * one more gives the floor, which pins the ceiling down exactly. */
static int64_t probe(const struct cp_backoff *b, int64_t retry_after, uint64_t rnd)
{
	struct cp_backoff copy = *b;

	return cp_sync_backoff_next(&copy, retry_after, rnd);
}

static void ceiling_doubles_then_caps(void **state)
{
	static const int64_t want[] = {2000,   4000,   8000,   16000,  32000,  64000,
				       128000, 256000, 300000, 300000, 300000, 300000};
	struct cp_backoff b = {.base_ms = BASE, .cap_ms = CAP};

	(void)state;
	for (int n = 0; n < (int)(sizeof(want) / sizeof(want[0])); n++) {
		uint64_t span = (uint64_t)(want[n] - BASE);

		assert_int_equal(ceiling_for(n), want[n]);
		assert_int_equal(probe(&b, -1, span), want[n]);
		assert_int_equal(probe(&b, -1, span + 1), BASE);
		assert_int_equal(probe(&b, -1, 0), BASE);
		cp_sync_backoff_next(&b, -1, 0);
	}
	/* Long outages never overflow and stay at the cap. */
	for (int n = 0; n < 200; n++)
		cp_sync_backoff_next(&b, -1, 0);
	assert_int_equal(probe(&b, -1, CAP - BASE), CAP);
	assert_int_equal(probe(&b, -1, CAP - BASE + 1), BASE);
	assert_int_equal(probe(&b, -1, UINT64_MAX),
			 BASE + (int64_t)(UINT64_MAX % (CAP - BASE + 1)));
}

static void jitter_within_bounds(void **state)
{
	struct cp_backoff b = {.base_ms = BASE, .cap_ms = CAP};
	int64_t max_seen[16] = {0}, min_seen[16];

	(void)state;
	for (int n = 0; n < 16; n++)
		min_seen[n] = INT64_MAX;
	for (int round = 0; round < 200; round++) {
		cp_sync_backoff_reset(&b);
		for (int n = 0; n < 16; n++) {
			uint64_t rnd;
			int64_t d;

			assert_int_equal(cp_rand_bytes(&rnd, sizeof(rnd)), 0);
			d = cp_sync_backoff_next(&b, -1, rnd);
			assert_true(d >= BASE);
			assert_true(d <= ceiling_for(n));
			if (d > max_seen[n])
				max_seen[n] = d;
			if (d < min_seen[n])
				min_seen[n] = d;
		}
	}
	/* Random, not stuck at either end: in 200 tries the spread covers most of the range. */
	for (int n = 0; n < 16; n++) {
		int64_t quarter = (ceiling_for(n) - BASE) / 4;

		assert_true(max_seen[n] > ceiling_for(n) - quarter);
		assert_true(min_seen[n] < BASE + quarter);
	}
}

/* Issue 8, item 6: Retry-After has a floor of the first step, with jitter, and the cap. */
static void retry_after_floor_and_cap(void **state)
{
	struct cp_backoff b = {.base_ms = BASE, .cap_ms = CAP};

	(void)state;
	/* Honoured above the floor, with up to one base of jitter so that tills spread out. */
	assert_int_equal(probe(&b, 5000, 0), 5000);
	assert_int_equal(probe(&b, 5000, BASE), 5000 + BASE);
	assert_int_equal(probe(&b, 5000, BASE + 1), 5000);
	/* 0 (or a date in the past, read as 0) waits at least the first step. */
	assert_int_equal(probe(&b, 0, 0), BASE);
	assert_int_equal(probe(&b, 0, BASE), 2 * BASE);
	assert_int_equal(probe(&b, 1, 7), BASE + 7);
	assert_int_equal(probe(&b, BASE - 1, 3), BASE + 3);
	/* Never more than the cap, however large. */
	assert_int_equal(probe(&b, CAP, 7), CAP);
	assert_int_equal(probe(&b, CAP - 1, BASE), CAP);
	assert_int_equal(probe(&b, CAP + 1, 7), CAP);
	assert_int_equal(probe(&b, 999999999LL * 1000, 7), CAP);
	assert_int_equal(probe(&b, INT64_MAX, UINT64_MAX), CAP);
	/* Repeated answers of 0 never make the waits shorter than the floor. */
	for (int n = 0; n < 100; n++) {
		uint64_t rnd;
		int64_t d;

		assert_int_equal(cp_rand_bytes(&rnd, sizeof(rnd)), 0);
		d = cp_sync_backoff_next(&b, 0, rnd);
		assert_true(d >= BASE && d <= 2 * BASE);
	}
}

static void configured_cap_below_base(void **state)
{
	struct cp_backoff b = {.base_ms = 60000, .cap_ms = 60000};
	struct cp_backoff odd = {.base_ms = 5000, .cap_ms = 10};

	(void)state;
	/* The 60 s cap of the issue: every wait is exactly 60 s, Retry-After or not. */
	assert_int_equal(probe(&b, 999999999LL * 1000, 12345), 60000);
	assert_int_equal(probe(&b, 0, 12345), 60000);
	assert_int_equal(probe(&b, -1, 12345), 60000);
	/* A cap below the base counts as the base. */
	assert_int_equal(probe(&odd, -1, 12345), 5000);
	assert_int_equal(probe(&odd, 0, 12345), 5000);
}

static void reset_starts_over(void **state)
{
	struct cp_backoff b = {.base_ms = BASE, .cap_ms = CAP};

	(void)state;
	for (int n = 0; n < 20; n++)
		cp_sync_backoff_next(&b, -1, 0);
	assert_int_equal(probe(&b, -1, CAP - BASE), CAP);
	cp_sync_backoff_reset(&b);
	assert_int_equal(b.attempt, 0);
	assert_int_equal(probe(&b, -1, BASE), 2 * BASE);
	assert_int_equal(probe(&b, -1, BASE + 1), BASE);
}

static void zero_config_uses_defaults(void **state)
{
	struct cp_backoff b = {0};

	(void)state;
	assert_int_equal(probe(&b, -1, BASE), 2 * BASE);
	assert_int_equal(probe(&b, -1, BASE + 1), BASE);
	for (int n = 0; n < 30; n++)
		cp_sync_backoff_next(&b, -1, 0);
	assert_int_equal(probe(&b, -1, CAP - BASE), CAP);
	assert_int_equal(probe(&b, -1, CAP - BASE + 1), BASE);
}

/* Retry-After as HQ or a proxy may send it, read against an injected clock. */
static void retry_after_values(void **state)
{
	/* Sun, 06 Nov 1994 08:49:37 GMT, the date of RFC 9110's examples */
	const int64_t now = 784111777;

	(void)state;
	assert_int_equal(cp_sync_backoff_retry_after_ms("120", now), 120000);
	assert_int_equal(cp_sync_backoff_retry_after_ms("0", now), 0);
	assert_int_equal(cp_sync_backoff_retry_after_ms("999999999", now), 999999999LL * 1000);
	assert_int_equal(cp_sync_backoff_retry_after_ms("99999999999999999999999", now),
			 CP_RETRY_AFTER_MAX_S * 1000);
	/* The three date forms; the past is 0, the future the seconds to it. */
	assert_int_equal(cp_sync_backoff_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", now), 0);
	assert_int_equal(cp_sync_backoff_retry_after_ms("Sun, 06 Nov 1994 08:50:37 GMT", now),
			 60000);
	assert_int_equal(cp_sync_backoff_retry_after_ms("Sunday, 06-Nov-94 08:51:37 GMT", now),
			 120000);
	assert_int_equal(cp_sync_backoff_retry_after_ms("Sun Nov  6 08:49:47 1994", now), 10000);
	assert_int_equal(
		cp_sync_backoff_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", now + 700000000),
		0);
	assert_int_equal(cp_sync_backoff_retry_after_ms("Thu, 01 Jan 1970 00:00:00 GMT", now), 0);
	/* Garbage is no Retry-After at all (then the backoff decides, with its floor). */
	assert_int_equal(cp_sync_backoff_retry_after_ms("", now), -1);
	assert_int_equal(cp_sync_backoff_retry_after_ms(NULL, now), -1);
	assert_int_equal(cp_sync_backoff_retry_after_ms("-5", now), -1);
	assert_int_equal(cp_sync_backoff_retry_after_ms("5 s", now), -1);
	assert_int_equal(cp_sync_backoff_retry_after_ms("1.5", now), -1);
	assert_int_equal(cp_sync_backoff_retry_after_ms("soon", now), -1);
	assert_int_equal(cp_sync_backoff_retry_after_ms("garbage", now), -1);
	assert_int_equal(cp_sync_backoff_retry_after_ms("Xyz, 99 Foo 2015 99:99:99 GMT", now), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ceiling_doubles_then_caps),
		cmocka_unit_test(jitter_within_bounds),
		cmocka_unit_test(retry_after_floor_and_cap),
		cmocka_unit_test(configured_cap_below_base),
		cmocka_unit_test(reset_starts_over),
		cmocka_unit_test(zero_config_uses_defaults),
		cmocka_unit_test(retry_after_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
