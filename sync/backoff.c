/* backoff.c — when to try HQ again: exponential backoff with jitter above a floor of one first
 * step, so that a chain's tills neither hammer HQ (a Retry-After of 0 or a date in the past)
 * nor all come back in the same second after an outage; and Retry-After read as RFC 9110
 * says. */
#include "backoff.h"

#include <curl/curl.h>

void cp_sync_backoff_reset(struct cp_backoff *b)
{
	b->attempt = 0;
}

int64_t cp_sync_backoff_next(struct cp_backoff *b, int64_t retry_after_ms, uint64_t rnd)
{
	int64_t base = b->base_ms > 0 ? b->base_ms : 1000;
	int64_t cap = b->cap_ms > 0 ? b->cap_ms : 300000;
	int64_t ceiling = base, want;

	if (cap < base)
		cap = base;
	for (int i = 0; i <= b->attempt && ceiling < cap; i++)
		ceiling = ceiling > cap / 2 ? cap : ceiling * 2;
	if (ceiling > cap)
		ceiling = cap;
	if (b->attempt < 62)
		b->attempt++;
	if (retry_after_ms < 0)
		return base + (int64_t)(rnd % (uint64_t)(ceiling - base + 1));
	want = retry_after_ms > base ? retry_after_ms : base;
	if (want >= cap)
		return cap;
	want += (int64_t)(rnd % (uint64_t)(base + 1));
	return want < cap ? want : cap;
}

int64_t cp_sync_backoff_retry_after_ms(const char *value, int64_t now_s)
{
	int64_t secs = 0;
	time_t when;

	if (!value || !*value)
		return -1;
	if (*value >= '0' && *value <= '9') {
		for (const char *p = value; *p; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			if (secs < CP_RETRY_AFTER_MAX_S)
				secs = secs * 10 + (*p - '0');
		}
	} else {
		/* curl_getdate takes more than HTTP-dates; a weekday name in front is what
		 * RFC 9110 has in all three of its forms. */
		if ((*value < 'A' || *value > 'Z') || (when = curl_getdate(value, NULL)) == -1)
			return -1;
		secs = (int64_t)when - now_s;
		if (secs < 0)
			secs = 0;
	}
	if (secs > CP_RETRY_AFTER_MAX_S)
		secs = CP_RETRY_AFTER_MAX_S;
	return secs * 1000;
}
