/* test_seal.c — forward-secure sealing of the journal (issue 13): each row's key follows one
 * way from the one before and replaces it in the file; a row rewritten and chained again with
 * everything the file holds fails verify from the starting key; a cut tail with the key put
 * back shows; the starting key leaves the file once the first row is sealed; a flipped bit in
 * a member row fails verify. */
#define _GNU_SOURCE
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
#include "cp_crypto.h"
#include "journal.h"
#include "journal_int.h"
#include "sale.h"
#include "seal_int.h"
#include "support.h"

static struct test_env env;
static uint8_t start_key[DB_KEY_LEN];

static void sell(int64_t amount)
{
	struct cp_errbuf err = {{0}};
	struct cp_tender cash = {CP_TENDER_CASH, amount};
	struct cp_sale_result s;

	assert_int_equal(cp_cart_scan(env.db, &env.cashier, "A1", 1, NULL, &err), CP_OK);
	if (cp_sale_pay(env.db, &env.cashier, &cash, 1, &s, &err) != CP_OK)
		fail_msg("pay: %s", err.msg);
}

/* The shift the test's login opens (row 1) and three sales (rows 2-4), then the handle that made the database (and holds the starting key) is
 * closed and the file opened again, as every later program finds it. */
static int setup(void **state)
{
	struct cp_db_options opt = {0};
	struct cp_errbuf err = {{0}};

	(void)state;
	test_env_open(&env, "seal", true);
	assert_int_equal(cp_journal_start_key(env.db, start_key, &err), CP_OK);
	sell(3000);
	sell(10000000);
	sell(3000);
	cp_db_close(env.db);
	opt.path = env.path;
	opt.clock = &env.clock;
	opt.pbkdf2_iterations = 1000;
	if (cp_db_open(&env.db, &opt, &err) != CP_OK)
		fail_msg("open: %s", err.msg);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

static void exec_raw(const char *sql)
{
	sqlite3 *h;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(env.path, &h), SQLITE_OK);
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(h);
}

static enum cp_err verify_from_start(struct cp_verify_report *rep, struct cp_errbuf *err)
{
	struct cp_verify_options opt = {.start_key = start_key};

	return cp_journal_verify_with(env.db, &opt, rep, err);
}

static void test_untouched_verifies_from_the_start(void **state)
{
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};
	uint8_t key[DB_KEY_LEN];

	(void)state;
	if (verify_from_start(&rep, &err) != CP_OK)
		fail_msg("verify: %s", err.msg);
	assert_int_equal(rep.rows, 4);
	assert_true(rep.seals_checked);
	/* Without the starting key verify says so instead of claiming the seals. */
	assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_OK);
	assert_false(rep.seals_checked);
	/* Only the handle that made the database can give the starting key. */
	assert_int_equal(cp_journal_start_key(env.db, key, &err), CP_ESTATE);
}

/* The attack of issue 13: sale 2's (row 3's) tender rewritten (payload and tender table), and every row
 * from it chained again with the only key the file holds. */
static void test_rewritten_row_resealed_with_the_files_key_fails(void **state)
{
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};
	uint8_t key[DB_KEY_LEN], prev[JOURNAL_HASH_LEN], hash[JOURNAL_HASH_LEN];
	int64_t key_seq;
	sqlite3_stmt *st;
	sqlite3 *h;

	(void)state;
	assert_int_equal(cp_seal_current(env.db, key, &key_seq, &err), CP_OK);
	assert_int_equal(key_seq, 5);
	exec_raw("UPDATE journal SET payload = replace(payload, '\"amount\":10000000',"
		 " '\"amount\":17208') WHERE seq = 3;"
		 "UPDATE tender SET amount = 17208 WHERE seq = 3");
	assert_int_equal(sqlite3_open(env.path, &h), SQLITE_OK);
	assert_int_equal(
		sqlite3_prepare_v2(h, "SELECT hash FROM journal WHERE seq = 2", -1, &st, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	memcpy(prev, sqlite3_column_blob(st, 0), sizeof(prev));
	sqlite3_finalize(st);
	for (int64_t seq = 3; seq <= 4; seq++) {
		sqlite3_stmt *up;
		const char *text;

		assert_int_equal(sqlite3_prepare_v2(h, "SELECT payload FROM journal WHERE seq = ?1",
						    -1, &st, NULL),
				 SQLITE_OK);
		sqlite3_bind_int64(st, 1, seq);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		text = (const char *)sqlite3_column_text(st, 0);
		assert_int_equal(cp_journal_hash(key, prev, seq, text, strlen(text), hash), 0);
		sqlite3_finalize(st);
		assert_int_equal(sqlite3_prepare_v2(h,
						    "UPDATE journal SET prev_hash = ?2, hash = ?3"
						    " WHERE seq = ?1",
						    -1, &up, NULL),
				 SQLITE_OK);
		sqlite3_bind_int64(up, 1, seq);
		sqlite3_bind_blob(up, 2, prev, sizeof(prev), SQLITE_STATIC);
		sqlite3_bind_blob(up, 3, hash, sizeof(hash), SQLITE_STATIC);
		assert_int_equal(sqlite3_step(up), SQLITE_DONE);
		sqlite3_finalize(up);
		memcpy(prev, hash, sizeof(prev));
	}
	sqlite3_close(h);
	assert_int_equal(verify_from_start(&rep, &err), CP_ECORRUPT);
	assert_int_equal(rep.first_bad_seq, 3);
	assert_non_null(strstr(err.msg, "seal does not hold"));
}

/* The newest row cut with its tables, and meta set back to seal it again: the key the file
 * holds is not the one that follows from the starting key after two rows. */
static void test_cut_tail_with_key_set_back_fails(void **state)
{
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	(void)state;
	exec_raw("DELETE FROM movement WHERE seq = 4; DELETE FROM tender WHERE seq = 4;"
		 " DELETE FROM sale_line WHERE seq = 4; DELETE FROM sale WHERE seq = 4;"
		 " DELETE FROM report_line_discount WHERE seq = 4;"
		 " DELETE FROM journal_day WHERE seq = 4; DELETE FROM journal WHERE seq = 4;"
		 " UPDATE meta SET value = '4' WHERE key = 'journal_key_seq';"
		 " UPDATE meta SET value = value - 1 WHERE key = 'receipt_seq'");
	assert_int_equal(verify_from_start(&rep, &err), CP_ECORRUPT);
	assert_non_null(strstr(err.msg, "does not follow from the starting key"));
	assert_int_equal(rep.first_bad_seq, 4);
}

/* The starting key is in no page of the file once rows are sealed and the WAL checkpointed. */
static void test_old_key_erased(void **state)
{
	char hex[2 * DB_KEY_LEN + 1];
	FILE *f;
	char *buf;
	long n;

	(void)state;
	assert_int_equal(test_count(&env, "PRAGMA secure_delete"), 1);
	cp_db_close(env.db);
	env.db = NULL;
	exec_raw("PRAGMA wal_checkpoint(TRUNCATE)");
	cp_hex(start_key, DB_KEY_LEN, hex);
	f = fopen(env.path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	assert_null(memmem(buf, (size_t)n, hex, strlen(hex)));
	assert_null(memmem(buf, (size_t)n, start_key, DB_KEY_LEN));
	free(buf);
}

/* Issue 13: single-bit flips in HQ-fed rows went unnoticed. Each of the 8 bits of one byte of
 * member M1's birthday, flipped in the file itself, fails verify naming the row. */
static void test_member_bit_flip_fails_verify(void **state)
{
	struct cp_db_options opt = {.path = env.path, .clock = &env.clock};
	const char needle[] = "01-15";
	struct cp_verify_report rep;
	char *buf, *at;
	FILE *f;
	long n, off;

	(void)state;
	cp_db_close(env.db);
	env.db = NULL;
	exec_raw("PRAGMA wal_checkpoint(TRUNCATE)");
	f = fopen(env.path, "r+b");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	fseek(f, 0, SEEK_SET);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	at = memmem(buf, (size_t)n, needle, strlen(needle));
	assert_non_null(at);
	assert_null(memmem(at + 1, (size_t)n - (size_t)(at + 1 - buf), needle, strlen(needle)));
	off = (long)(at - buf) + 4;
	for (int bit = 0; bit < 8; bit++) {
		struct cp_errbuf err = {{0}};
		char c = (char)(buf[off] ^ (1 << bit));

		fseek(f, off, SEEK_SET);
		fputc(c, f);
		fflush(f);
		if (cp_db_open(&env.db, &opt, &err) != CP_OK)
			fail_msg("open: %s", err.msg);
		assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_ECORRUPT);
		if (!strstr(err.msg, "member row M1 does not match its checksum"))
			fail_msg("bit %d: %s", bit, err.msg);
		cp_db_close(env.db);
		env.db = NULL;
		fseek(f, off, SEEK_SET);
		fputc(buf[off], f);
		fflush(f);
	}
	fclose(f);
	free(buf);
	{
		struct cp_errbuf err = {{0}};

		assert_int_equal(cp_db_open(&env.db, &opt, &err), CP_OK);
		if (cp_journal_verify(env.db, &rep, &err) != CP_OK)
			fail_msg("restored: %s", err.msg);
	}
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_untouched_verifies_from_the_start),
		T(test_rewritten_row_resealed_with_the_files_key_fails),
		T(test_cut_tail_with_key_set_back_fails),
		T(test_old_key_erased),
		T(test_member_bit_flip_fails_verify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
