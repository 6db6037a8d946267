/* clock.c — the system clock, business days and ISO timestamps. The only place that reads the
 * real time; everything else asks a struct cp_clock. */
#include "cp_clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t cp_clock_now(const struct cp_clock *clock)
{
	struct timespec ts;

	if (clock && clock->now)
		return clock->now(clock->ctx);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void shifted_tm(int64_t t_ms, int cutover_min, struct tm *tm)
{
	time_t t = (time_t)(t_ms / 1000 - (int64_t)cutover_min * 60);

	localtime_r(&t, tm);
}

void cp_business_date(int64_t t_ms, int cutover_min, struct cp_daytime *out)
{
	struct tm tm;

	shifted_tm(t_ms, cutover_min, &tm);
	out->year = tm.tm_year + 1900;
	out->month = tm.tm_mon + 1;
	out->mday = tm.tm_mday;
	out->wday = tm.tm_wday == 0 ? 7 : tm.tm_wday;
}

void cp_business_day(int64_t t_ms, int cutover_min, char out[11])
{
	struct cp_daytime d;

	char buf[48];

	cp_business_date(t_ms, cutover_min, &d);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", d.year % 10000, d.month, d.mday);
	snprintf(out, 11, "%.10s", buf);
}

void cp_business_date_at(int64_t t_ms, int cutover_min, int utc_offset_min, struct cp_daytime *out)
{
	/* floor division: a time before 1970 still falls on the right second */
	int64_t s = (t_ms >= 0 ? t_ms / 1000 : -((-t_ms + 999) / 1000)) +
		    ((int64_t)utc_offset_min - cutover_min) * 60;
	time_t t = (time_t)s;
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	gmtime_r(&t, &tm);
	out->year = tm.tm_year + 1900;
	out->month = tm.tm_mon + 1;
	out->mday = tm.tm_mday;
	out->wday = tm.tm_wday == 0 ? 7 : tm.tm_wday;
}

void cp_business_day_at(int64_t t_ms, int cutover_min, int utc_offset_min, char out[11])
{
	struct cp_daytime d;
	char buf[48];

	cp_business_date_at(t_ms, cutover_min, utc_offset_min, &d);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", d.year % 10000, d.month, d.mday);
	snprintf(out, 11, "%.10s", buf);
}

int cp_clock_local_offset_min(int64_t t_ms)
{
	time_t t = (time_t)(t_ms / 1000);
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!localtime_r(&t, &tm))
		return 0;
	return (int)(tm.tm_gmtoff / 60);
}

void cp_clock_iso(int64_t t_ms, char out[32])
{
	time_t t = (time_t)(t_ms / 1000);
	struct tm tm;
	long off;
	char buf[96];

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
		 (tm.tm_year + 1900) % 10000, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		 tm.tm_sec, off < 0 ? '-' : '+', (off < 0 ? -off : off) / 60,
		 (off < 0 ? -off : off) % 60);
	snprintf(out, 32, "%.31s", buf);
}
