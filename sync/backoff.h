/* backoff.h — when to try HQ again: exponential backoff with full jitter, capped, or what a
 * Retry-After header asked for. */
#ifndef CP_BACKOFF_H
#define CP_BACKOFF_H

#include <stdint.h>

struct cp_backoff {
	int64_t base_ms; /* first ceiling: 1000 */
	int64_t cap_ms;  /* largest ceiling: 300000 */
	int attempt;     /* failures in a row so far */
};

/* Resets after a success. */
void cp_backoff_reset(struct cp_backoff *b);

/* Delay before the next try after one more failure: uniformly random in
 * [0, min(cap, base * 2^attempt)] ("full jitter"), or retry_after_ms when it is >= 0 (bounded
 * by the cap). rnd is a uniform random 64-bit value (from cp_rand_bytes). */
int64_t cp_backoff_next(struct cp_backoff *b, int64_t retry_after_ms, uint64_t rnd);

#endif
