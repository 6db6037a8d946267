/* test_store_zone.c — the store's time zone (issue 13): recorded in the database when it is
 * made (meta utc_offset_min, with a keyed checksum), and every day and hour core computes
 * follows it, not the TZ of the process: a sale at 23:30 or 00:30 in the store counts on the
 * store's day, its hour is the store's, and verify says ok whatever TZ runs it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cart.h"
#include "db_int.h"
#include "journal.h"
#include "sale.h"
#include "support.h"

static struct test_env env;

static const char *const zones[] = {"UTC", "Asia/Shanghai", "America/Los_Angeles",
				    "Pacific/Kiritimati"};

static void use_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static int setup(void **state)
{
	(void)state;
	use_tz("Asia/Shanghai"); /* the store's zone: the till is set up there */
	test_env_open(&env, "store_zone", true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	use_tz("Asia/Shanghai");
	return 0;
}

static void sell_at(int64_t at, char day[11])
{
	struct cp_tender t = {CP_TENDER_CASH, 5000};
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};
	sqlite3_stmt *st;

	env.now = at;
	if (cp_cart_scan(env.db, &env.cashier, "A1", 1, NULL, &err) != CP_OK ||
	    cp_sale_pay(env.db, &env.cashier, &t, 1, &r, &err) != CP_OK)
		fail_msg("the sale: %s", err.msg);
	assert_int_equal(sqlite3_prepare_v2(env.db->h,
					    "SELECT business_day FROM sale WHERE seq = ?1", -1, &st,
					    NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, r.seq);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(day, 11, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static void test_zone_is_recorded(void **state)
{
	(void)state;
	assert_int_equal(test_count(&env, "SELECT value FROM meta WHERE key = 'utc_offset_min'"),
			 480);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM row_mac WHERE tbl = 'meta'"
					  " AND id = 'utc_offset_min'"),
			 1);
}

/* 2026-11-24 (Tuesday) 10:00 +08:00 is TEST_TUESDAY_MS: 23:30 and the next 00:30 in the store,
 * one pair a day, each day under another process TZ. */
static void test_sale_counts_on_the_store_day(void **state)
{
	static const char *const late[] = {"2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"};
	static const char *const early[] = {"2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28"};
	const int64_t hour = INT64_C(3600000), half = INT64_C(1800000);
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};
	char day[11];

	(void)state;
	for (int k = 0; k < 4; k++) {
		int64_t base = TEST_TUESDAY_MS + k * TEST_DAY_MS;

		use_tz(zones[k]);
		sell_at(base + 13 * hour + half, day); /* 23:30 in the store */
		print_message("TZ=%s: 23:30 +08:00 -> %s\n", zones[k], day);
		assert_string_equal(day, late[k]);
		sell_at(base + 14 * hour + half, day); /* 00:30 the next day */
		print_message("TZ=%s: 00:30 +08:00 -> %s\n", zones[k], day);
		assert_string_equal(day, early[k]);
	}
	/* the tally's hours are the store's */
	assert_int_equal(test_count(&env, "SELECT sum(n) FROM report_day_sum WHERE what = 'hour'"
					  " AND key = '23'"),
			 4);
	assert_int_equal(test_count(&env, "SELECT sum(n) FROM report_day_sum WHERE what = 'hour'"
					  " AND key = '00'"),
			 4);
	/* and verify, which recomputes every row's day and every day's sums, agrees in any TZ */
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		use_tz(zones[z]);
		if (cp_journal_verify(env.db, &rep, &err) != CP_OK)
			fail_msg("verify under TZ=%s: %s", zones[z], err.msg);
	}
}

/* verify on a file opened afresh in another zone: the zone comes from the file. */
static void test_verify_reopened_elsewhere(void **state)
{
	struct cp_db_options opt = {.path = env.path, .clock = &env.clock};
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};
	char day[11];

	(void)state;
	sell_at(TEST_TUESDAY_MS + 14 * INT64_C(3600000) + INT64_C(1800000), day);
	assert_string_equal(day, "2026-11-25");
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		struct cp_db *db = NULL;

		use_tz(zones[z]);
		if (cp_db_open(&db, &opt, &err) != CP_OK)
			fail_msg("open under TZ=%s: %s", zones[z], err.msg);
		if (cp_journal_verify(db, &rep, &err) != CP_OK)
			fail_msg("verify under TZ=%s: %s", zones[z], err.msg);
		cp_db_close(db);
	}
}

/* The zone changed outside Counterpoint: verify says so. */
static void test_changed_zone_fails_verify(void **state)
{
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};
	sqlite3 *h;

	(void)state;
	assert_int_equal(sqlite3_open_v2(env.path, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "UPDATE meta SET value = '0' WHERE key = 'utc_offset_min'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_ECORRUPT);
	print_message("%s\n", err.msg);
	assert_non_null(strstr(err.msg, "utc_offset_min"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_zone_is_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sale_counts_on_the_store_day, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_reopened_elsewhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_zone_fails_verify, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
