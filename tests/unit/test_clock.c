/* test_clock.c — business days with a cut-over hour, weekdays, ISO timestamps with the local
 * offset (ctest sets TZ=Asia/Shanghai), and the injected clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cp_clock.h"

/* Local (+08:00) times as milliseconds since the epoch. */
#define T_1124_0130 INT64_C(1795455000000)
#define T_1124_0359 INT64_C(1795463999000) /* 03:59:59 */
#define T_1124_0400 INT64_C(1795464000000)
#define T_1124_1000 INT64_C(1795485600000)
#define T_1125_1000 INT64_C(1795572000000)
#define T_1126_0200 INT64_C(1795629600000)
#define T_1231_2330 INT64_C(1798731000000)
#define T_0101_0200 INT64_C(1798740000000)

static int setup(void **state)
{
	(void)state;
	setenv("TZ", "Asia/Shanghai", 1); /* as ctest sets it, for runs by hand */
	tzset();
	return 0;
}

static void business_day_cutover(void **state)
{
	char day[11];

	(void)state;
	cp_business_day(T_1124_0130, 240, day);
	assert_string_equal(day, "2026-11-23");
	cp_business_day(T_1124_0359, 240, day);
	assert_string_equal(day, "2026-11-23");
	cp_business_day(T_1124_0400, 240, day);
	assert_string_equal(day, "2026-11-24");
	cp_business_day(T_1124_1000, 240, day);
	assert_string_equal(day, "2026-11-24");
	/* Without a cut-over, midnight is the boundary. */
	cp_business_day(T_1124_0130, 0, day);
	assert_string_equal(day, "2026-11-24");
	/* Across the year end. */
	cp_business_day(T_0101_0200, 240, day);
	assert_string_equal(day, "2026-12-31");
	cp_business_day(T_1231_2330, 240, day);
	assert_string_equal(day, "2026-12-31");
}

static void business_date_weekday(void **state)
{
	struct cp_daytime d;

	(void)state;
	cp_business_date(T_1125_1000, 240, &d);
	assert_int_equal(d.year, 2026);
	assert_int_equal(d.month, 11);
	assert_int_equal(d.mday, 25);
	assert_int_equal(d.wday, 3); /* Wednesday */
	cp_business_date(T_1124_1000, 240, &d);
	assert_int_equal(d.wday, 2);
	/* 02:00 on Thursday still belongs to Wednesday's business day. */
	cp_business_date(T_1126_0200, 240, &d);
	assert_int_equal(d.mday, 25);
	assert_int_equal(d.wday, 3);
	/* Sunday is 7, not 0. */
	cp_business_date(T_1124_1000 + 5 * INT64_C(86400000), 240, &d);
	assert_int_equal(d.mday, 29);
	assert_int_equal(d.wday, 7);
	cp_business_date(T_0101_0200 + INT64_C(86400000), 240, &d);
	assert_int_equal(d.year, 2027);
	assert_int_equal(d.month, 1);
	assert_int_equal(d.mday, 1);
}

static void iso_with_offset(void **state)
{
	char iso[32];

	(void)state;
	cp_clock_iso(T_1124_1000, iso);
	assert_string_equal(iso, "2026-11-24T10:00:00+08:00");
	cp_clock_iso(T_1124_0130 + 999, iso); /* milliseconds are dropped, not rounded */
	assert_string_equal(iso, "2026-11-24T01:30:00+08:00");
	cp_clock_iso(0, iso);
	assert_string_equal(iso, "1970-01-01T08:00:00+08:00");
}

static void iso_other_zone(void **state)
{
	char iso[32];

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	cp_clock_iso(T_1124_1000, iso);
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	assert_string_equal(iso, "2026-11-24T02:00:00+00:00");
}

static int64_t fixed(void *ctx)
{
	return *(const int64_t *)ctx;
}

static void injected_clock(void **state)
{
	int64_t now = T_1124_1000;
	struct cp_clock clock = {.now = fixed, .ctx = &now};
	struct cp_clock system = {0};
	int64_t real;

	(void)state;
	assert_int_equal(cp_clock_now(&clock), T_1124_1000);
	now += 1234;
	assert_int_equal(cp_clock_now(&clock), T_1124_1000 + 1234);
	/* The system clock: after 2024-01-01 and in milliseconds, not seconds. */
	real = cp_clock_now(NULL);
	assert_true(real > INT64_C(1704067200000));
	assert_true(real < INT64_C(32503680000000));
	assert_true(cp_clock_now(&system) >= real);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(business_day_cutover), cmocka_unit_test(business_date_weekday),
		cmocka_unit_test(iso_with_offset),      cmocka_unit_test(iso_other_zone),
		cmocka_unit_test(injected_clock),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
