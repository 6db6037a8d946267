/* cp_clock.h — time as the till sees it: an injectable clock (tests and faketime move it) and
 * the business day with its cut-over hour, in the terminal's local time zone. */
#ifndef CP_CLOCK_H
#define CP_CLOCK_H

#include <stdint.h>

/* A clock answers milliseconds since the Unix epoch. now == NULL means the system clock. */
struct cp_clock {
	int64_t (*now)(void *ctx);
	void *ctx;
};

/* Milliseconds since the epoch from clock, or from CLOCK_REALTIME when clock is NULL. */
int64_t cp_clock_now(const struct cp_clock *clock);

/* The business day of time t_ms as "YYYY-MM-DD" in local time: a time before cutover_min
 * minutes past midnight belongs to the previous day. */
void cp_business_day(int64_t t_ms, int cutover_min, char out[11]);

/* Local calendar facts of t_ms after the cut-over shift: month 1..12, day of month 1..31,
 * ISO weekday 1 (Monday) .. 7 (Sunday). */
struct cp_daytime {
	int year, month, mday, wday;
};
void cp_business_date(int64_t t_ms, int cutover_min, struct cp_daytime *out);

/* The same in a store's own time zone, given as a fixed offset from UTC (minutes east,
 * -840..840), whatever the process's TZ says: what core uses for every day it computes, so
 * that `verify` run elsewhere counts the same days (issue 13). A fixed offset is enough for
 * the zones Counterpoint serves (China has had no daylight saving since 1991); a store whose
 * zone changes offset would need its offset set again at the change. */
void cp_business_day_at(int64_t t_ms, int cutover_min, int utc_offset_min, char out[11]);
void cp_business_date_at(int64_t t_ms, int cutover_min, int utc_offset_min, struct cp_daytime *out);

/* The process time zone's offset from UTC at t_ms, in minutes east (480 for Asia/Shanghai). */
int cp_clock_local_offset_min(int64_t t_ms);

/* "YYYY-MM-DDTHH:MM:SS+08:00" local time with offset, for people and payloads. */
void cp_clock_iso(int64_t t_ms, char out[32]);

#endif
