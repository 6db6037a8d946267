/* test_durability.c — which commits are flushed (issue 14): cart edits commit with
 * synchronous=NORMAL, and the handle stays there for the next edit but is back at FULL before any
 * other write, whatever the edits' outcome; no journal event may ride on a commit at NORMAL; and
 * the selling handle (wal_autocheckpoint -1)
 * checkpoints only when asked, once the WAL has passed its size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "cart.h"
#include "db.h"
#include "db_int.h"
#include "journal_int.h"
#include "park.h"
#include "support.h"

static struct test_env env;

static int setup(void **state)
{
	(void)state;
	test_env_open(&env, "durability", true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

static int sync_level(void)
{
	return (int)test_count(&env, "PRAGMA synchronous");
}

static void test_light_commit_then_full(void **state)
{
	struct cp_errbuf err = {{0}};

	(void)state;
	assert_int_equal(sync_level(), 2);
	assert_int_equal(cp_db_begin_light(env.db, &err), CP_OK);
	assert_int_equal(sync_level(), 1);
	assert_int_equal(cp_db_exec(env.db, "UPDATE cart SET id = id", &err), CP_OK);
	assert_int_equal(cp_db_commit(env.db, &err), CP_OK);
	/* NORMAL still, for the next cart edit; rolled back too. */
	assert_int_equal(sync_level(), 1);
	assert_int_equal(cp_db_begin_light(env.db, &err), CP_OK);
	cp_db_rollback(env.db);
	assert_int_equal(sync_level(), 1);
	/* A durable transaction is at FULL. */
	assert_int_equal(cp_db_begin(env.db, &err), CP_OK);
	assert_int_equal(sync_level(), 2);
	cp_db_rollback(env.db);
	/* So is a write on its own after a cart edit, through a cached statement or SQL text. */
	assert_int_equal(cp_db_begin_light(env.db, &err), CP_OK);
	assert_int_equal(cp_db_commit(env.db, &err), CP_OK);
	assert_int_equal(sync_level(), 1);
	assert_int_equal(cp_db_meta_set(env.db, "test_durable", "1", &err), CP_OK);
	assert_int_equal(sync_level(), 2);
	assert_int_equal(cp_db_begin_light(env.db, &err), CP_OK);
	assert_int_equal(cp_db_commit(env.db, &err), CP_OK);
	assert_int_equal(cp_db_exec(env.db, "DELETE FROM meta WHERE key = 'test_durable'", &err),
			 CP_OK);
	assert_int_equal(sync_level(), 2);
}

/* A write in a transaction a bare BEGIN opened while the handle was at NORMAL would not be
 * flushed: refused, and nothing is kept. */
static void test_bare_begin_at_normal_refused(void **state)
{
	struct cp_errbuf err = {{0}};

	(void)state;
	assert_int_equal(cp_db_begin_light(env.db, &err), CP_OK);
	assert_int_equal(cp_db_commit(env.db, &err), CP_OK);
	assert_int_equal(cp_db_exec(env.db, "BEGIN", &err), CP_OK);
	assert_null(cp_db_stmt(env.db, "INSERT INTO meta(key, value) VALUES ('test_guard', 'x')",
			       &err));
	assert_non_null(strstr(err.msg, "outside a cart edit"));
	/* reads are not writes */
	assert_non_null(
		cp_db_stmt(env.db, "SELECT value FROM meta WHERE key = 'test_guard'", &err));
	cp_db_rollback(env.db);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM meta WHERE key = 'test_guard'"), 0);
}

static int pragma_runs;

static int count_sync_pragma(unsigned type, void *ctx, void *p, void *x)
{
	const char *sql = sqlite3_sql(p);

	(void)type;
	(void)ctx;
	(void)x;
	if (sql && strncmp(sql, "PRAGMA synchronous", 18) == 0)
		pragma_runs++;
	return 0;
}

/* SQLite prepares a PRAGMA again every time it runs: a sale's cart edits set the level once, not
 * twice an edit (issue 14, CPU of a script-mode sale). */
static void test_cart_edits_set_level_once(void **state)
{
	struct cp_errbuf err = {{0}};
	int line = 0;

	(void)state;
	pragma_runs = 0;
	sqlite3_trace_v2(env.db->h, SQLITE_TRACE_STMT, count_sync_pragma, NULL);
	assert_int_equal(cp_cart_set_member(env.db, &env.cashier, "M1", &err), CP_OK);
	for (int i = 0; i < 5; i++)
		assert_int_equal(
			cp_cart_scan(env.db, &env.cashier, "6901234567892", 1, &line, &err), CP_OK);
	assert_int_equal(pragma_runs, 1);
	assert_int_equal(cp_db_begin(env.db, &err), CP_OK);
	assert_int_equal(pragma_runs, 2);
	assert_int_equal(sync_level(), 2);
	cp_db_rollback(env.db);
	sqlite3_trace_v2(env.db->h, 0, NULL, NULL);
}

/* Inside a transaction the level cannot change: refused, and nothing is left open. */
static void test_light_inside_transaction_refused(void **state)
{
	struct cp_errbuf err = {{0}};

	(void)state;
	assert_int_equal(cp_db_begin(env.db, &err), CP_OK);
	assert_int_equal(cp_db_begin_light(env.db, &err), CP_EDB);
	cp_db_rollback(env.db);
	assert_int_equal(sync_level(), 2);
}

/* A journal row must be durable when its commit returns: never in a cart edit's commit. */
static void test_light_refuses_journal_event(void **state)
{
	struct cp_errbuf err = {{0}};
	int64_t before = test_count(&env, "SELECT count(*) FROM journal"), seq = 0;
	json_t *p = json_pack("{s:s}", "staff", "1001");

	(void)state;
	assert_non_null(p);
	assert_int_equal(cp_db_begin_light(env.db, &err), CP_OK);
	assert_int_equal(cp_journal_record(env.db, "shift_open", p, &seq, NULL, &err), CP_EDB);
	assert_non_null(strstr(err.msg, "cart edit"));
	cp_db_rollback(env.db);
	json_decref(p);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM journal"), before);
	assert_int_equal(sync_level(), 1);
}

/* The cart's edits, accepted or refused, leave the handle at NORMAL for the next edit, and the
 * pay's transaction at FULL. */
static void test_cart_edits_leave_full(void **state)
{
	struct cp_errbuf err = {{0}};
	int line = 0;
	int64_t parked = 0;

	(void)state;
	assert_int_equal(cp_cart_scan(env.db, &env.cashier, "6901234567892", 2, &line, &err),
			 CP_OK);
	assert_int_equal(sync_level(), 1);
	assert_int_equal(cp_cart_set_qty(env.db, &env.cashier, line, 3, &err), CP_OK);
	assert_int_equal(cp_cart_set_qty(env.db, &env.cashier, 99, 3, &err), CP_ENOTFOUND);
	assert_int_equal(sync_level(), 1);
	assert_int_equal(cp_cart_set_member(env.db, &env.cashier, "M1", &err), CP_OK);
	assert_int_equal(cp_cart_set_member(env.db, &env.cashier, "NOPE", &err), CP_ENOTFOUND);
	assert_int_equal(sync_level(), 1);
	assert_int_equal(cp_park_save(env.db, &env.cashier, &parked, &err), CP_OK);
	assert_int_equal(sync_level(), 1);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM cart_line"), 0);
	assert_int_equal(cp_db_begin(env.db, &err), CP_OK);
	assert_int_equal(sync_level(), 2);
	cp_db_rollback(env.db);
}

static void fill_wal(struct cp_db *db, int pages)
{
	struct cp_errbuf err = {{0}};
	char *big = malloc((size_t)pages * 4096 + 1);

	assert_non_null(big);
	memset(big, 'x', (size_t)pages * 4096);
	big[(size_t)pages * 4096] = '\0';
	assert_int_equal(cp_db_meta_set(db, "test_filler", big, &err), CP_OK);
	free(big);
}

/* The selling handle: SQLite's automatic checkpoint is off; cp_db_checkpoint_due runs one only
 * past CP_DB_WAL_CHECKPOINT_FRAMES; cp_db_checkpoint (idle) runs one when anything was
 * written. */
static void test_checkpoint_due_by_size(void **state)
{
	struct cp_db_options opt;
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;

	(void)state;
	memset(&opt, 0, sizeof(opt));
	opt.path = env.path;
	opt.clock = &env.clock;
	opt.wal_autocheckpoint = -1;
	assert_int_equal(cp_db_open(&db, &opt, &err), CP_OK);
	assert_false(cp_db_checkpoint_due(db));
	fill_wal(db, 8);
	assert_true(db->wal_frames > 0);
	assert_true(db->wal_frames < CP_DB_WAL_CHECKPOINT_FRAMES);
	assert_false(cp_db_checkpoint_due(db));
	assert_true(db->wal_frames > 0); /* not checkpointed */
	fill_wal(db, CP_DB_WAL_CHECKPOINT_FRAMES / 2);
	fill_wal(db, CP_DB_WAL_CHECKPOINT_FRAMES / 2 + 16);
	/* No automatic checkpoint restarted the WAL on the way. */
	assert_true(db->wal_frames >= CP_DB_WAL_CHECKPOINT_FRAMES);
	assert_true(cp_db_checkpoint_due(db));
	assert_int_equal(db->wal_frames, 0);
	assert_false(cp_db_checkpoint_due(db));
	fill_wal(db, 1);
	assert_true(db->wal_frames > 0);
	cp_db_checkpoint(db);
	assert_int_equal(db->wal_frames, 0);
	cp_db_close(db);
}

/* Any other handle keeps SQLite's own checkpoint: cp_db_checkpoint_due leaves it alone. */
static void test_checkpoint_due_other_handles(void **state)
{
	(void)state;
	fill_wal(env.db, 8);
	assert_false(cp_db_checkpoint_due(env.db));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_light_commit_then_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_light_inside_transaction_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_light_refuses_journal_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cart_edits_leave_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bare_begin_at_normal_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cart_edits_set_level_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_due_by_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_due_other_handles, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
