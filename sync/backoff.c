/* backoff.c — full-jitter exponential backoff ("sleep = random(0, min(cap, base * 2^n))"), so
 * that a chain's tills do not all come back to HQ in the same second after an outage. */
#include "backoff.h"

void cp_backoff_reset(struct cp_backoff *b)
{
	b->attempt = 0;
}

int64_t cp_backoff_next(struct cp_backoff *b, int64_t retry_after_ms, uint64_t rnd)
{
	int64_t base = b->base_ms > 0 ? b->base_ms : 1000;
	int64_t cap = b->cap_ms > 0 ? b->cap_ms : 300000;
	int64_t ceiling = base;

	for (int i = 0; i < b->attempt && ceiling < cap; i++)
		ceiling = ceiling > cap / 2 ? cap : ceiling * 2;
	if (ceiling > cap)
		ceiling = cap;
	if (b->attempt < 62)
		b->attempt++;
	if (retry_after_ms >= 0)
		return retry_after_ms < cap ? retry_after_ms : cap;
	return (int64_t)(rnd % (uint64_t)(ceiling + 1));
}
