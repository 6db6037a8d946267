/* test_verify_members.c — verify's cost with many members and few sales (issue 14): the pages
 * verify fetches for each member it did not replay stay a small constant (the file read once,
 * the members' checksums), not a full integrity check that seeks every member's row in each of
 * the member table's indexes. Counts, not times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cart.h"
#include "db.h"
#include "db_int.h"
#include "journal.h"
#include "member.h"
#include "sale.h"
#include "support.h"

#define BATCH 2000

static struct test_env env;
static long added;

static void add_members(long n)
{
	struct cp_errbuf err = {{0}};
	char id[32], phone[16], card[16];

	assert_int_equal(cp_db_begin(env.db, &err), CP_OK);
	for (long end = added + n; added < end; added++) {
		struct cp_member_snapshot s = {.id = id,
					       .phone = phone,
					       .card_no = card,
					       .name = "会员",
					       .points = added % 500,
					       .version = 1};

		snprintf(id, sizeof(id), "G%ld", added);
		snprintf(phone, sizeof(phone), "147%08ld", added);
		snprintf(card, sizeof(card), "77%08ld", added);
		if (cp_member_put_snapshot(env.db, &s, &err) != CP_OK)
			fail_msg("member %ld: %s", added, err.msg);
	}
	assert_int_equal(cp_db_commit(env.db, &err), CP_OK);
}

/* Pages verify fetched from the page cache or the file. */
static int64_t verify_pages(void)
{
	struct cp_errbuf err = {{0}};
	struct cp_verify_report rep;
	int hit = 0, miss = 0, hw;

	sqlite3_db_status(env.db->h, SQLITE_DBSTATUS_CACHE_HIT, &hit, &hw, 1);
	sqlite3_db_status(env.db->h, SQLITE_DBSTATUS_CACHE_MISS, &miss, &hw, 1);
	if (cp_journal_verify(env.db, &rep, &err) != CP_OK)
		fail_msg("verify: %s", err.msg);
	sqlite3_db_status(env.db->h, SQLITE_DBSTATUS_CACHE_HIT, &hit, &hw, 0);
	sqlite3_db_status(env.db->h, SQLITE_DBSTATUS_CACHE_MISS, &miss, &hw, 0);
	return (int64_t)hit + miss;
}

static void test_pages_per_member(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_tender cash = {CP_TENDER_CASH, 3000};
	struct cp_sale_result s;
	int64_t before, after;

	(void)state;
	test_env_open(&env, "verify_members", true);
	added = 0;
	for (int i = 0; i < 5; i++) {
		env.now += 1000;
		assert_int_equal(cp_cart_scan(env.db, &env.cashier, "A1", 1, NULL, &err), CP_OK);
		if (cp_sale_pay(env.db, &env.cashier, &cash, 1, &s, &err) != CP_OK)
			fail_msg("pay: %s", err.msg);
	}
	add_members(BATCH);
	before = verify_pages();
	add_members(BATCH);
	after = verify_pages();
	print_message("verify fetched %lld pages with %d members, %lld with %d: %.2f a member\n",
		      (long long)before, BATCH, (long long)after, 2 * BATCH,
		      (double)(after - before) / BATCH);
	/* About two a member (the file read once by quick_check, each member's checksum row
	 * sought once); the full integrity check of the whole file sought each member in its
	 * four indexes as well: about six a member. */
	assert_true(after - before < 4 * BATCH);
	test_env_close(&env);
}

/* An index of the journal's view that no longer says what its table holds (its definition
 * changed under it) is still found: those tables get SQLite's full check. */
static void test_view_index_checked(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_verify_report rep;
	struct cp_tender cash = {CP_TENDER_CASH, 3000};
	struct cp_sale_result s;
	int version;
	sqlite3_stmt *st;
	char sql[128];
	sqlite3 *h;

	(void)state;
	test_env_open(&env, "verify_members_index", true);
	env.now += 1000;
	assert_int_equal(cp_cart_scan(env.db, &env.cashier, "A1", 1, NULL, &err), CP_OK);
	if (cp_sale_pay(env.db, &env.cashier, &cash, 1, &s, &err) != CP_OK)
		fail_msg("pay: %s", err.msg);
	assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_OK);
	assert_int_equal(sqlite3_open(env.path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA schema_version", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	snprintf(sql, sizeof(sql), "PRAGMA schema_version = %d", version + 1);
	assert_int_equal(
		sqlite3_exec(h,
			     "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql ="
			     " 'CREATE INDEX sale_day ON sale(total)' WHERE name = 'sale_day'",
			     NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	memset(&err, 0, sizeof(err));
	assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_ECORRUPT);
	if (!strstr(err.msg, "damaged") || !strstr(err.msg, "sale_day"))
		fail_msg("verify said: %s", err.msg);
	test_env_close(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages_per_member),
		cmocka_unit_test(test_view_index_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
