/* test_journal.c — the journal: gapless sequence, canonical payloads, the HMAC chain, and
 * verify catching any row of the journal or of its materialised tables edited behind core's
 * back through a second connection, as someone with the sqlite3 shell would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "cart.h"
#include "db_int.h"
#include "journal.h"
#include "journal_int.h"
#include "member.h"
#include "refund.h"
#include "sale.h"
#include "seal_int.h"
#include "support.h"

static int setup(void **state)
{
	static struct test_env env;
	struct cp_errbuf err = {{0}};
	struct cp_tender cash = {CP_TENDER_CASH, 20000};
	struct cp_sale_result s;
	struct cp_refund_result r;
	struct cp_member_view m;
	struct cp_member_new nm = {.consent = true,
				   .phone = "13700000003",
				   .name = "王五",
				   .referrer_phone = "13900000002"};
	int one[] = {1};
	struct cp_refund_req req = {.lines = one, .nlines = 1};

	test_env_open(&env, "journal", true);
	/* seq 1: the shift (support.c); 2: a registration; 3: a member sale; 4: a refund of one
	 * line; 5: a plain sale */
	assert_int_equal(cp_member_register(env.db, &env.cashier, &nm, &m, &err), CP_OK);
	assert_int_equal(cp_cart_scan(env.db, &env.cashier, "G120", 1, NULL, &err), CP_OK);
	assert_int_equal(cp_cart_scan(env.db, &env.cashier, "A2", 2, NULL, &err), CP_OK);
	assert_int_equal(cp_cart_set_member(env.db, &env.cashier, "M1", &err), CP_OK);
	assert_int_equal(cp_sale_pay(env.db, &env.cashier, &cash, 1, &s, &err), CP_OK);
	req.receipt = s.receipt;
	assert_int_equal(cp_refund(env.db, &env.manager, &req, &r, &err), CP_OK);
	assert_int_equal(cp_cart_scan(env.db, &env.cashier, "A1", 1, NULL, &err), CP_OK);
	cash.amount = 3000;
	assert_int_equal(cp_sale_pay(env.db, &env.cashier, &cash, 1, &s, &err), CP_OK);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_close(*state);
	return 0;
}

/* Runs sql on a second connection to the file, as the sqlite3 shell would. */
static void tamper(struct test_env *env, const char *sql)
{
	sqlite3 *h;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(env->path, &h), SQLITE_OK);
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("tamper failed: %s", msg);
	assert_int_equal(sqlite3_changes(h) > 0 || strncmp(sql, "INSERT", 6) == 0, 1);
	sqlite3_close(h);
}

static void expect_broken(struct test_env *env, int64_t seq, const char *word)
{
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	assert_int_equal(cp_journal_verify(env->db, &rep, &err), CP_ECORRUPT);
	assert_int_equal(rep.ok, 0);
	assert_int_equal(rep.first_bad_seq, seq);
	if (word && !strstr(err.msg, word))
		fail_msg("message \"%s\" does not mention \"%s\"", err.msg, word);
}

static void test_verify_ok(void **state)
{
	struct test_env *env = *state;
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};
	struct cp_journal_status js;

	assert_int_equal(cp_journal_verify(env->db, &rep, &err), CP_OK);
	assert_int_equal(rep.ok, 1);
	assert_int_equal(rep.rows, 5);
	assert_int_equal(cp_journal_status(env->db, &js, &err), CP_OK);
	assert_int_equal(js.last_seq, 5);
	assert_int_equal(js.acked_seq, 0);
	assert_int_equal(js.last_at, env->now);
}

/* Payloads are canonical (sorted keys, compact), carry their identity, and chain. */
static void test_payloads_canonical_and_chained(void **state)
{
	struct test_env *env = *state;
	sqlite3_stmt *st;
	uint8_t prev[JOURNAL_HASH_LEN] = {0}, hash[JOURNAL_HASH_LEN], key[DB_KEY_LEN];
	char ids[5][64];
	int n = 0;

	assert_int_equal(sqlite3_prepare_v2(env->db->h,
					    "SELECT seq, payload, prev_hash, hash, event_id FROM"
					    " journal ORDER BY seq",
					    -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 1);
		json_t *p = json_loads(text, 0, NULL);
		char *again;

		assert_non_null(p);
		again = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
		assert_string_equal(again, text);
		free(again);
		assert_int_equal(json_integer_value(json_object_get(p, "seq")), n + 1);
		assert_string_equal(json_string_value(json_object_get(p, "store")), "S001");
		assert_string_equal(json_string_value(json_object_get(p, "terminal")), "T01");
		json_decref(p);
		assert_memory_equal(sqlite3_column_blob(st, 2), prev, JOURNAL_HASH_LEN);
		if (n == 0)
			memcpy(key, env->db->journal_key, sizeof(key)); /* the starting key */
		assert_int_equal(cp_journal_hash(key, prev, n + 1, text, strlen(text), hash), 0);
		assert_int_equal(cp_seal_next(key, key),
				 0); /* each row's key from the one before */
		assert_memory_equal(sqlite3_column_blob(st, 3), hash, JOURNAL_HASH_LEN);
		memcpy(prev, hash, JOURNAL_HASH_LEN);
		snprintf(ids[n], sizeof(ids[n]), "%s", sqlite3_column_text(st, 4));
		assert_int_equal(strlen(ids[n]), 36);
		assert_int_equal(ids[n][14], '4');
		for (int k = 0; k < n; k++)
			assert_string_not_equal(ids[k], ids[n]);
		n++;
	}
	sqlite3_finalize(st);
	assert_int_equal(n, 5);
}

static void test_payload_edit(void **state)
{
	tamper(*state, "UPDATE journal SET payload = replace(payload, '\"total\":', '\"total\":1')"
		       " WHERE seq = 3");
	expect_broken(*state, 3, "hash chain");
}

static void test_hash_edit(void **state)
{
	tamper(*state, "UPDATE journal SET hash = zeroblob(32) WHERE seq = 4");
	expect_broken(*state, 4, "hash chain");
}

static void test_row_deleted(void **state)
{
	tamper(*state, "DELETE FROM journal WHERE seq = 3");
	expect_broken(*state, 3, "missing");
}

static void test_last_row_deleted_with_its_sale(void **state)
{
	/* Removing the newest event entirely leaves a consistent shorter chain; HQ holds what was
	 * pushed, and the receipt counter no longer matches: the gap shows in the receipts. Here
	 * the row goes but its sale stays: the tables no longer match. */
	tamper(*state, "DELETE FROM journal WHERE seq = 5");
	expect_broken(*state, 5, "sale");
}

static void test_columns_edit(void **state)
{
	tamper(*state, "UPDATE journal SET created_at = created_at - 1000 WHERE seq = 4");
	expect_broken(*state, 4, "columns");
}

static void test_sale_edit(void **state)
{
	tamper(*state, "UPDATE sale SET total = total - 100 WHERE seq = 3");
	expect_broken(*state, 3, "sale");
}

static void test_line_edit(void **state)
{
	tamper(*state, "UPDATE sale_line SET qty = 1 WHERE seq = 3 AND line_no = 2");
	expect_broken(*state, 3, "sale_line");
}

static void test_tender_edit(void **state)
{
	tamper(*state, "UPDATE tender SET method = 'card' WHERE seq = 5");
	expect_broken(*state, 5, "tender");
}

static void test_movement_edit(void **state)
{
	tamper(*state, "UPDATE movement SET points = points + 1000 WHERE seq = 3");
	expect_broken(*state, 3, "movement");
}

static void test_movement_added(void **state)
{
	tamper(*state, "INSERT INTO movement(seq, n, member_id, kind, points, growth)"
		       " VALUES(5, 1, 'M1', 'earn', 5000, 0)");
	expect_broken(*state, 5, "movement");
}

static void test_refund_edit(void **state)
{
	tamper(*state, "UPDATE refund SET authorised_by = '1001' WHERE seq = 4");
	expect_broken(*state, 4, "refund");
}

static void test_refund_line_removed(void **state)
{
	tamper(*state, "DELETE FROM refund_line WHERE seq = 4");
	expect_broken(*state, 4, "refund_line");
}

static void test_sale_removed(void **state)
{
	tamper(*state, "PRAGMA foreign_keys = OFF; DELETE FROM sale_line WHERE seq = 5;"
		       " DELETE FROM tender WHERE seq = 5; DELETE FROM sale WHERE seq = 5");
	expect_broken(*state, 5, NULL);
}

/* The newest sale removed with every row it wrote, a clean cut that leaves a shorter chain
 * and matching tables: the receipt counter still says its receipt was issued. */
static void tail_cut(struct test_env *env)
{
	tamper(env, "DELETE FROM movement WHERE seq = 5; DELETE FROM tender WHERE seq = 5;"
		    " DELETE FROM sale_line WHERE seq = 5; DELETE FROM sale WHERE seq = 5;"
		    " DELETE FROM report_line_discount WHERE seq = 5;"
		    " DELETE FROM journal_day WHERE seq = 5; DELETE FROM journal WHERE seq = 5");
}

static void test_tail_cut(void **state)
{
	tail_cut(*state);
	expect_broken(*state, 5, "receipt_seq");
}

static void test_acked_seq_past_the_end(void **state)
{
	tamper(*state, "UPDATE meta SET value = '9' WHERE key = 'acked_seq'");
	expect_broken(*state, 6, "acked_seq");
}

static void test_receipt_seq_set_back(void **state)
{
	tamper(*state, "UPDATE meta SET value = '1' WHERE key = 'receipt_seq'");
	expect_broken(*state, 0, "receipt_seq");
}

static void test_member_seq_set_back(void **state)
{
	tamper(*state, "UPDATE meta SET value = '0' WHERE key = 'member_seq'");
	expect_broken(*state, 0, "member_seq");
}

/* An event the till answered as not recorded (its commit failed and was settled) must not be
 * in the journal. */
static void test_unrecorded_event_present(void **state)
{
	tamper(*state, "INSERT INTO meta(key, value) VALUES('unrecorded_event',"
		       " (SELECT event_id FROM journal WHERE seq = 3))");
	expect_broken(*state, 3, "not recorded");
}

/* The next sale, with one receipt counter or the other wrong: its number is past the counter
 * and every receipt in the journal, so no number is issued twice; a cut stays visible. */
static void pay_one(struct test_env *env, struct cp_sale_result *s)
{
	struct cp_errbuf err = {{0}};
	struct cp_tender cash = {CP_TENDER_CASH, 3000};

	assert_int_equal(cp_cart_scan(env->db, &env->cashier, "A1", 1, NULL, &err), CP_OK);
	if (cp_sale_pay(env->db, &env->cashier, &cash, 1, s, &err) != CP_OK)
		fail_msg("pay: %s", err.msg);
}

static void test_no_receipt_twice_after_set_back(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result s;
	char want[64];

	tamper(env, "UPDATE meta SET value = '1' WHERE key = 'receipt_seq'");
	pay_one(env, &s);
	snprintf(want, sizeof(want), "%s-%s-000004", cp_db_store_id(env->db),
		 cp_db_terminal_id(env->db));
	assert_string_equal(s.receipt, want);
	assert_int_equal(test_count(env, "SELECT count(*) FROM (SELECT receipt FROM sale UNION ALL"
					 " SELECT receipt FROM refund) GROUP BY receipt"
					 " ORDER BY count(*) DESC LIMIT 1"),
			 1);
}

static void test_no_receipt_twice_after_cut(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result s;
	char cut[64];

	struct cp_errbuf err = {{0}};
	struct cp_tender cash = {CP_TENDER_CASH, 3000};

	snprintf(cut, sizeof(cut), "%s-%s-000003", cp_db_store_id(env->db),
		 cp_db_terminal_id(env->db));
	tail_cut(env);
	/* The sealing key is already the one after the cut row's: nothing can be sealed in its
	 * place, so the till refuses to sell until the database is restored. */
	assert_int_equal(cp_cart_scan(env->db, &env->cashier, "A1", 1, NULL, &err), CP_OK);
	assert_int_equal(cp_sale_pay(env->db, &env->cashier, &cash, 1, &s, &err), CP_ECORRUPT);
	assert_non_null(strstr(err.msg, "sealing key is for row 6 but the next row is 5"));
	(void)cut;
	assert_int_equal(test_count(env, "SELECT count(*) FROM journal"), 4);
	expect_broken(env, 5, "receipt");
}

/* The newest receipt number in the journal, read for every receipt issued, builds no temporary
 * B-tree (issue 14: its type IN (...) list was one at every sale): no OpenEphemeral in the
 * statement's program. */
static void test_newest_receipt_no_temp_btree(void **state)
{
	struct test_env *env = *state;
	const char *prefix = "SELECT json_extract(payload, '$.receipt') FROM journal";
	int found = 0;

	for (int i = 0; i < env->db->ncache; i++) {
		const char *sql = sqlite3_sql(env->db->cache[i].st);
		sqlite3_stmt *ex;
		char *q;

		if (!sql || strncmp(sql, prefix, strlen(prefix)) != 0)
			continue;
		found++;
		q = sqlite3_mprintf("EXPLAIN %s", sql);
		assert_non_null(q);
		assert_int_equal(sqlite3_prepare_v2(env->db->h, q, -1, &ex, NULL), SQLITE_OK);
		while (sqlite3_step(ex) == SQLITE_ROW)
			if (strcmp((const char *)sqlite3_column_text(ex, 1), "OpenEphemeral") == 0)
				fail_msg("\"%s\" opens a temporary B-tree", sql);
		sqlite3_finalize(ex);
		sqlite3_free(q);
	}
	assert_int_equal(found, 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_verify_ok),
		T(test_payloads_canonical_and_chained),
		T(test_payload_edit),
		T(test_hash_edit),
		T(test_row_deleted),
		T(test_last_row_deleted_with_its_sale),
		T(test_columns_edit),
		T(test_sale_edit),
		T(test_line_edit),
		T(test_tender_edit),
		T(test_movement_edit),
		T(test_movement_added),
		T(test_refund_edit),
		T(test_refund_line_removed),
		T(test_sale_removed),
		T(test_tail_cut),
		T(test_acked_seq_past_the_end),
		T(test_receipt_seq_set_back),
		T(test_member_seq_set_back),
		T(test_no_receipt_twice_after_set_back),
		T(test_no_receipt_twice_after_cut),
		T(test_unrecorded_event_present),
		T(test_newest_receipt_no_temp_btree),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
