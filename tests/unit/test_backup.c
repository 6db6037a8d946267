/* test_backup.c — copies of the database taken while the till runs (`counterpoint backup`):
 * a copy holds every committed sale and passes verify, leaves out what a writer has not
 * committed, refuses to overwrite or to copy what is not a till's database; the copy kept
 * before a migration; and the modes of the till's files, private or shared with the group of
 * a directory made for one (the package's /var/lib/counterpoint). */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "backup.h"
#include "cart.h"
#include "cp_lock.h"
#include "cp_log.h"
#include "cp_paths.h"
#include "db.h"
#include "journal.h"
#include "sale.h"
#include "support.h"

static struct test_env env;

static void remove_file(const char *path)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[512];

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
}

static int setup(void **state)
{
	(void)state;
	remove_file("copy.db");
	test_env_open(&env, "backup", true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	remove_file("copy.db");
	return 0;
}

static void pay_one(void)
{
	struct cp_errbuf err = {{0}};
	struct cp_tender cash = {CP_TENDER_CASH, 3000};
	struct cp_sale_result s;

	assert_int_equal(cp_cart_scan(env.db, &env.cashier, "A1", 1, NULL, &err), CP_OK);
	if (cp_sale_pay(env.db, &env.cashier, &cash, 1, &s, &err) != CP_OK)
		fail_msg("pay: %s", err.msg);
}

static int64_t query_on(const char *path, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static void exec_on(const char *path, const char *sql)
{
	sqlite3 *h = NULL;

	assert_int_equal(
		sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
		SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	if (sqlite3_exec(h, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	sqlite3_close(h);
}

static unsigned mode_of(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		fail_msg("%s: missing", path);
	return (unsigned)(sb.st_mode & 07777);
}

/* The copy opened the way verify opens it, checked like verify. */
static int64_t verify_copy(const char *path)
{
	struct cp_db_options opt = {.path = path, .clock = &env.clock, .pbkdf2_iterations = 1000};
	struct cp_verify_report rep = {0};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;

	if (cp_db_open(&db, &opt, &err) != CP_OK)
		fail_msg("open the copy: %s", err.msg);
	if (cp_journal_verify(db, &rep, &err) != CP_OK || !rep.ok)
		fail_msg("verify the copy: %s", err.msg);
	cp_db_close(db);
	return rep.rows;
}

static void test_copy_has_every_sale_and_verifies(void **state)
{
	struct cp_errbuf err = {{0}};
	int schema = 0;

	(void)state;
	pay_one();
	pay_one();
	/* The till stays open, with its WAL not checkpointed: the copy must still hold both. */
	assert_int_equal(cp_backup_copy(env.path, "copy.db", &schema, &err), CP_OK);
	assert_int_equal(schema, cp_db_schema_version());
	assert_int_equal(query_on("copy.db", "SELECT count(*) FROM sale"), 2);
	assert_int_equal(verify_copy("copy.db"), test_count(&env, "SELECT count(*) FROM journal"));
	/* The till goes on selling afterwards. */
	pay_one();
	assert_int_equal(test_count(&env, "SELECT count(*) FROM sale"), 3);
}

/* A writer in the middle of a transaction: the copy is the last commit, not half of one. */
static void test_copy_leaves_out_what_is_not_committed(void **state)
{
	struct cp_errbuf err = {{0}};
	sqlite3 *w = NULL;

	(void)state;
	pay_one();
	assert_int_equal(sqlite3_open_v2(env.path, &w, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(w,
				      "BEGIN IMMEDIATE; INSERT INTO meta(key, value)"
				      " VALUES('half', 'written')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(cp_backup_copy(env.path, "copy.db", NULL, &err), CP_OK);
	sqlite3_exec(w, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(w);
	assert_int_equal(query_on("copy.db", "SELECT count(*) FROM meta WHERE key = 'half'"), 0);
	assert_int_equal(query_on("copy.db", "SELECT count(*) FROM sale"), 1);
	verify_copy("copy.db");
}

static void test_copy_refusals_change_nothing(void **state)
{
	struct cp_errbuf err = {{0}};
	FILE *f;
	char line[64] = "";

	(void)state;
	f = fopen("copy.db", "w");
	assert_non_null(f);
	fputs("last week's copy\n", f);
	fclose(f);
	assert_int_equal(cp_backup_copy(env.path, "copy.db", NULL, &err), CP_EEXIST);
	assert_non_null(strstr(err.msg, "copy.db already exists"));
	f = fopen("copy.db", "r");
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_string_equal(line, "last week's copy\n");

	assert_int_equal(cp_backup_copy("missing.db", "other.db", NULL, &err), CP_ENOTFOUND);
	assert_int_equal(access("other.db", F_OK), -1);
	/* A text file is not a database: nothing is made. */
	assert_int_equal(cp_backup_copy("copy.db", "other.db", NULL, &err), CP_ECORRUPT);
	assert_int_equal(access("other.db", F_OK), -1);
	/* Another program's SQLite database is not a till's. */
	remove_file("foreign.db");
	exec_on("foreign.db", "CREATE TABLE t(x)");
	assert_int_equal(cp_backup_copy("foreign.db", "other.db", NULL, &err), CP_ECORRUPT);
	assert_non_null(strstr(err.msg, "not a Counterpoint database"));
	assert_int_equal(access("other.db", F_OK), -1);
	assert_int_equal(cp_backup_copy(env.path, "nodir/copy.db", NULL, &err), CP_EIO);
	assert_int_equal(cp_backup_copy(env.path, env.path, NULL, &err), CP_EEXIST);
	remove_file("foreign.db");
}

/* The database set back to claim schema older, then opened: the copy at want is taken before
 * anything changes, and either the open says where (it migrated: the newest step could be
 * applied again) or its failure does (that step cannot be applied twice, as today's cannot). */
static void open_older(const struct cp_db_options *opt, int older, const char *want)
{
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	char sql[64];
	int from = 0;

	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", older);
	exec_on(opt->path, sql);
	if (cp_db_open(&db, opt, &err) == CP_OK) {
		assert_string_equal(cp_backup_premigration(db, &from), want);
		assert_int_equal(from, older);
		cp_db_close(db);
	} else if (!strstr(err.msg, want)) {
		fail_msg("the message should name the copy %s: %s", want, err.msg);
	}
	assert_int_equal(query_on(want, "PRAGMA user_version"), older);
	assert_int_equal(query_on(want, "SELECT count(*) FROM sale"), 1);
	assert_int_equal(mode_of(want), 0600);
}

static void test_copy_before_migration(void **state)
{
	struct cp_db_options opt = {
		.path = env.path, .clock = &env.clock, .pbkdf2_iterations = 1000};
	struct cp_errbuf err = {{0}};
	char sql[64], copy[512], second[512];
	int older = cp_db_schema_version() - 1;

	(void)state;
	pay_one();
	test_env_close(&env);
	snprintf(copy, sizeof(copy), "%s.schema%d.bak", env.path, older);
	snprintf(second, sizeof(second), "%s.schema%d.2.bak", env.path, older);
	remove_file(copy);
	remove_file(second);
	open_older(&opt, older, copy);
	/* A second time keeps the first copy and makes another beside it. */
	open_older(&opt, older, second);
	remove_file(copy);
	remove_file(second);
	/* At the schema it has, it opens, and no copy is made of a current database. */
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", cp_db_schema_version());
	exec_on(env.path, sql);
	assert_int_equal(cp_db_open(&env.db, &opt, &err), CP_OK);
	assert_string_equal(cp_backup_premigration(env.db, NULL), "");
	assert_int_equal(access(copy, F_OK), -1);
}

/* A real upgrade: a database made by this code at the schema of the release before issues 9-13
 * (version 7), then opened by this program: every later step runs, the file as it was is kept
 * beside it first, and the upgraded database verifies. */
static void test_upgrade_from_schema_7(void **state)
{
	struct cp_db_options opt = {.path = "upgrade.db",
				    .clock = &env.clock,
				    .pbkdf2_iterations = 1000,
				    .schema_limit = 7};
	struct cp_db_init init = {.store_id = "S001", .terminal_id = "T01"};
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	int from = 0;

	(void)state;
	remove_file("upgrade.db");
	remove_file("upgrade.db.schema7.bak");
	if (cp_db_create(&db, &opt, &init, &err) != CP_OK)
		fail_msg("create at schema 7: %s", err.msg);
	cp_db_close(db);
	db = NULL;
	assert_int_equal(query_on("upgrade.db", "PRAGMA user_version"), 7);
	opt.schema_limit = 0;
	if (cp_db_open(&db, &opt, &err) != CP_OK)
		fail_msg("the upgrade failed: %s", err.msg);
	assert_string_equal(cp_backup_premigration(db, &from), "upgrade.db.schema7.bak");
	assert_int_equal(from, 7);
	if (cp_journal_verify(db, &rep, &err) != CP_OK)
		fail_msg("verify after the upgrade: %s", err.msg);
	cp_db_close(db);
	assert_int_equal(query_on("upgrade.db", "PRAGMA user_version"), cp_db_schema_version());
	assert_int_equal(query_on("upgrade.db.schema7.bak", "PRAGMA user_version"), 7);
	remove_file("upgrade.db");
	remove_file("upgrade.db.schema7.bak");
}

/* The till's files in a directory of the user's own stay private; in one made for a group
 * (rwx for the group, nothing for others) they are shared with that group, whatever the
 * umask, so that cashier accounts and the sync service can use one database. */
static void test_file_modes(void **state)
{
	struct cp_db_options opt = {.clock = &env.clock, .pbkdf2_iterations = 1000};
	struct cp_db_init init = {.store_id = "S001", .terminal_id = "T01"};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	static const char *const dirs[] = {"private", "shared", "open"};
	static const unsigned dmode[] = {0700, 02770, 0777};
	static const unsigned want[] = {0600, 0660, 0600};
	mode_t old = umask(022);
	int fd = -1;

	(void)state;
	for (int i = 0; i < 3; i++) {
		char p[128];

		snprintf(p, sizeof(p), "%s/till.db", dirs[i]);
		remove_file(p);
		snprintf(p, sizeof(p), "%s/till.db.sync.lock", dirs[i]);
		unlink(p);
		snprintf(p, sizeof(p), "%s/till.db.log", dirs[i]);
		unlink(p);
		snprintf(p, sizeof(p), "%s/copy.db", dirs[i]);
		remove_file(p);
		rmdir(dirs[i]);
		assert_int_equal(mkdir(dirs[i], 0700), 0);
		assert_int_equal(chmod(dirs[i], dmode[i]), 0);

		snprintf(p, sizeof(p), "%s/till.db", dirs[i]);
		assert_int_equal(cp_paths_file_mode(p), want[i]);
		opt.path = p;
		assert_int_equal(cp_db_create(&db, &opt, &init, &err), CP_OK);
		cp_db_close(db);
		db = NULL;
		assert_int_equal(mode_of(p), want[i]);
		{
			char c[128];

			snprintf(c, sizeof(c), "%s/copy.db", dirs[i]);
			assert_int_equal(cp_backup_copy(p, c, NULL, &err), CP_OK);
			assert_int_equal(mode_of(c), want[i]);
			snprintf(c, sizeof(c), "%s/till.db.sync.lock", dirs[i]);
			assert_int_equal(cp_lock_try(c, &fd, NULL, &err), CP_OK);
			cp_lock_release(fd);
			assert_int_equal(mode_of(c), want[i]);
			snprintf(c, sizeof(c), "%s/till.db.log", dirs[i]);
			assert_int_equal(cp_log_open(c, &err), CP_OK);
			cp_log_open(NULL, &err);
			assert_int_equal(mode_of(c), want[i]);
		}
	}
	umask(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_copy_has_every_sale_and_verifies, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_copy_leaves_out_what_is_not_committed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_copy_refusals_change_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_before_migration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_from_schema_7, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_modes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
