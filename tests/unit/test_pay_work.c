/* test_pay_work.c — the pay's CPU, counted and not timed (issue 14): the HMAC keys' pads a pay
 * and verify hash, the journal payloads a pay reads back, and that the MACs are the bytes they
 * were (the old way, computed here from the key and the row, still matches every stored one). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cart.h"
#include "cp_crypto.h"
#include "db_int.h"
#include "journal.h"
#include "journal_int.h"
#include "rowmac_int.h"
#include "sale.h"
#include "seal_int.h"
#include "support.h"

static int setup(void **state)
{
	static struct test_env env;

	test_env_open(&env, "pay_work", true);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_close(*state);
	return 0;
}

static void pay_member_sale(struct test_env *env, struct cp_sale_result *r)
{
	struct cp_tender cash = {.method = CP_TENDER_CASH, .amount = 50000};

	OK(cp_cart_scan(env->db, &env->cashier, "G120", 1, NULL, &e_));
	OK(cp_cart_scan(env->db, &env->cashier, "A2", 2, NULL, &e_));
	OK(cp_cart_set_member(env->db, &env->cashier, "M1", &e_));
	OK(cp_sale_pay(env->db, &env->cashier, &cash, 1, r, &e_));
}

/* The row's key seals the row and derives the next key: its pads are hashed once a pay
 * (twice before: one HMAC from the key each). */
static void test_pay_hashes_key_once(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result r;
	unsigned long before;

	pay_member_sale(env, &r); /* the handle's first pay reads what it keeps */
	before = cp_hmac_key_setups();
	pay_member_sale(env, &r);
	assert_int_equal(cp_hmac_key_setups() - before, 1);
}

/* Every row's hash and every next key, computed the old way (cp_hmac_sha256 from the key,
 * cp_journal_hash and cp_seal_next) from the starting key, are the stored ones. */
static void test_journal_hashes_old_way(void **state)
{
	struct test_env *env = *state;
	uint8_t key[DB_KEY_LEN], prev[JOURNAL_HASH_LEN] = {0}, hash[JOURNAL_HASH_LEN];
	struct cp_sale_result r;
	sqlite3_stmt *st;
	int64_t rows = 0, next_seq;

	pay_member_sale(env, &r);
	pay_member_sale(env, &r);
	assert_true(env->db->start_key_set);
	memcpy(key, env->db->journal_key, sizeof(key));
	assert_int_equal(sqlite3_prepare_v2(env->db->h,
					    "SELECT seq, payload, hash FROM journal ORDER BY seq",
					    -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 1);

		assert_int_equal(sqlite3_column_int64(st, 0), rows + 1);
		assert_int_equal(cp_journal_hash(key, prev, rows + 1, text, strlen(text), hash), 0);
		assert_memory_equal(sqlite3_column_blob(st, 2), hash, JOURNAL_HASH_LEN);
		assert_int_equal(cp_seal_next(key, key), 0);
		memcpy(prev, hash, sizeof(prev));
		rows++;
	}
	sqlite3_finalize(st);
	assert_true(rows >= 3);
	/* the key the file holds is the one after the last row's, derived the old way */
	OK(cp_seal_current(env->db, hash, &next_seq, &e_));
	assert_int_equal(next_seq, rows + 1);
	assert_memory_equal(hash, key, DB_KEY_LEN);
}

/* Each row's checksum, computed the old way (cp_hmac_sha256 with meta row_key over the table's
 * name, its zero, and the row's content), is the stored one; and verify hashes the key's pads
 * once for all the rows it checks (once a row before). */
static void test_rowmac_old_way_and_key_once(void **state)
{
	struct test_env *env = *state;
	uint8_t key[DB_KEY_LEN], mac[CP_SHA256_LEN];
	sqlite3_stmt *st;
	unsigned long before;
	int64_t macs = test_count(env, "SELECT count(*) FROM row_mac");
	int checked = 0;

	assert_int_equal(sqlite3_prepare_v2(env->db->h,
					    "SELECT value FROM meta WHERE key = 'row_key'", -1, &st,
					    NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_true(cp_unhex((const char *)sqlite3_column_text(st, 0), key, DB_KEY_LEN));
	sqlite3_finalize(st);
	assert_int_equal(
		sqlite3_prepare_v2(
			env->db->h,
			"SELECT 'member', " ROWMAC_MEMBER(
				"member.") ", m.mac"
					   " FROM member JOIN row_mac m ON m.tbl = 'member'"
					   " AND m.id = member.id"
					   " UNION ALL SELECT 'item', " ROWMAC_ITEM(
						   "") ", m.mac"
						       " FROM item JOIN row_mac m ON m.tbl = 'item'"
						       " AND m.id = item.sku",
			-1, &st, NULL),
		SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *tbl = (const char *)sqlite3_column_text(st, 0);
		const void *parts[2] = {tbl, sqlite3_column_text(st, 1)};
		size_t lens[2] = {strlen(tbl) + 1, (size_t)sqlite3_column_bytes(st, 1)};

		assert_int_equal(cp_hmac_sha256(key, DB_KEY_LEN, parts, lens, 2, mac), 0);
		assert_int_equal(sqlite3_column_bytes(st, 2), 16);
		assert_memory_equal(sqlite3_column_blob(st, 2), mac, 16);
		checked++;
	}
	sqlite3_finalize(st);
	cp_wipe(key, sizeof(key));
	assert_true(checked >= 8); /* 6 items and 2 members */

	before = cp_hmac_key_setups();
	OK(cp_rowmac_verify(env->db, &e_));
	OK(cp_rowmac_verify(env->db, &e_));
	assert_true(macs > 10);
	assert_in_range(cp_hmac_key_setups() - before, 0, 1);
}

static int count_extract(unsigned type, void *ctx, void *p, void *x)
{
	const char *sql = sqlite3_expanded_sql(p);

	(void)type;
	(void)x;
	if (sql && strstr(sql, "json_extract(payload"))
		(*(int *)ctx)++;
	sqlite3_free((void *)sql);
	return 0;
}

/* The receipt number does not read the newest receipt back out of its journal payload while
 * the journal's last row is the one the handle wrote (36,000 instructions a pay before), and
 * it still steps past a counter set back and never repeats a number. */
static void test_receipt_without_payload_read(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result r;
	char want[64];
	int extracts = 0;

	pay_member_sale(env, &r);
	sqlite3_trace_v2(env->db->h, SQLITE_TRACE_STMT, count_extract, &extracts);
	pay_member_sale(env, &r);
	pay_member_sale(env, &r);
	sqlite3_trace_v2(env->db->h, 0, NULL, NULL);
	assert_int_equal(extracts, 0);
	snprintf(want, sizeof(want), "S001-T01-000003");
	assert_string_equal(r.receipt, want);

	/* the counter set back (a restore of meta): the journal's newest still counts */
	assert_int_equal(sqlite3_exec(env->db->h,
				      "UPDATE meta SET value = '1' WHERE key = 'receipt_seq'", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	pay_member_sale(env, &r);
	assert_string_equal(r.receipt, "S001-T01-000004");
	/* another handle's sale: the last row is not the one this handle knows */
	{
		struct cp_db *other = NULL;
		struct cp_db_options opt = {.path = env->path, .clock = &env->clock};
		struct cp_session who;

		OK(cp_db_open(&other, &opt, &e_));
		OK(cp_staff_login(other, "1001", "1234", &who, NULL, &e_));
		{
			struct cp_tender cash = {.method = CP_TENDER_CASH, .amount = 50000};
			struct cp_sale_result r2;

			OK(cp_cart_scan(other, &who, "A2", 1, NULL, &e_));
			OK(cp_sale_pay(other, &who, &cash, 1, &r2, &e_));
			assert_string_equal(r2.receipt, "S001-T01-000005");
		}
		cp_db_close(other);
	}
	assert_int_equal(sqlite3_exec(env->db->h,
				      "UPDATE meta SET value = '2' WHERE key = 'receipt_seq'", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	pay_member_sale(env, &r);
	assert_string_equal(r.receipt, "S001-T01-000006");
	assert_int_equal(test_count(env, "SELECT count(*) FROM (SELECT receipt FROM sale"
					 " GROUP BY receipt HAVING count(*) > 1)"),
			 0);
}

/* Statements that write meta as they start, not each trigger program they run (whose text
 * SQLite passes as a "--" comment). */
static int count_meta_writes(unsigned type, void *ctx, void *p, void *x)
{
	const char *sql = x;

	(void)type;
	(void)p;
	if (sql && strncmp(sql, "--", 2) != 0 && strstr(sql, "INSERT INTO meta"))
		(*(int *)ctx)++;
	return 0;
}

/* A pay writes meta in two statements: the receipt counter, and the seal's next key with the
 * row it seals in one (three statements before). */
static void test_pay_meta_writes(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result r;
	int writes = 0;
	int64_t seq;
	uint8_t key[DB_KEY_LEN];

	pay_member_sale(env, &r);
	sqlite3_trace_v2(env->db->h, SQLITE_TRACE_STMT, count_meta_writes, &writes);
	pay_member_sale(env, &r);
	sqlite3_trace_v2(env->db->h, 0, NULL, NULL);
	assert_int_equal(writes, 2);
	OK(cp_seal_current(env->db, key, &seq, &e_));
	assert_int_equal(seq, r.seq + 1);
	cp_wipe(key, sizeof(key));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pay_hashes_key_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_hashes_old_way, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rowmac_old_way_and_key_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receipt_without_payload_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pay_meta_writes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
