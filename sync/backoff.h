/* backoff.h — when to try HQ again: exponential backoff with jitter above a floor, capped, or
 * what a Retry-After header asked for within the same floor and cap. Pure computation: the
 * randomness and the clock are the caller's. */
#ifndef CP_BACKOFF_H
#define CP_BACKOFF_H

#include <stdint.h>

struct cp_backoff {
	int64_t base_ms; /* the floor and the first step: 1000 */
	int64_t cap_ms;  /* the most any wait is: 300000 */
	int attempt;     /* failures in a row so far */
};

/* Resets after a success. */
void cp_sync_backoff_reset(struct cp_backoff *b);

/* Delay before the next try after one more failure, never below base nor above cap (a cap
 * below base counts as base; 0 or less means the defaults). Without Retry-After
 * (retry_after_ms < 0): uniformly random in [base, min(cap, base * 2^(attempt+1))]. With it:
 * max(retry_after_ms, base) plus a random jitter in [0, base], at most cap — so that HQ's
 * "0", a date in the past or a stale cached answer never makes a chain's tills come back at
 * once, and all together. rnd is a uniform random 64-bit value (from cp_rand_bytes). */
int64_t cp_sync_backoff_next(struct cp_backoff *b, int64_t retry_after_ms, uint64_t rnd);

/* The largest Retry-After taken as given, in seconds (100 years); more is taken as this. */
#define CP_RETRY_AFTER_MAX_S (INT64_C(100) * 366 * 86400)

/* A Retry-After value (RFC 9110: delay-seconds or an HTTP-date) in ms from now_s (Unix
 * seconds): a date in the past is 0, a number beyond CP_RETRY_AFTER_MAX_S is that; -1 when
 * value is neither (garbage, empty, negative, NULL). */
int64_t cp_sync_backoff_retry_after_ms(const char *value, int64_t now_s);

#endif
