/* test_db.c — creating and opening the till's database: file mode, pragmas, schema version,
 * identity and keys, and every file that must be refused and left exactly as it was (another
 * program's database, a newer one, garbage, an empty file, an existing file without --force). */
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

#include "cp_crypto.h"
#include "db.h"
#include "db_int.h"
#include "support.h"

static struct test_env env;

/* File contents read by a test, freed at teardown so that a failing assertion leaks nothing. */
static unsigned char *buffers[16];
static int nbuffers;

static int setup(void **state)
{
	(void)state;
	test_env_open(&env, "db", false);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	while (nbuffers > 0)
		free(buffers[--nbuffers]);
	return 0;
}

/* The options support.c opens the test database with. */
static struct cp_db_options options_for(const char *path)
{
	struct cp_db_options opt;

	memset(&opt, 0, sizeof(opt));
	opt.path = path;
	opt.clock = &env.clock;
	opt.pbkdf2_iterations = 1000;
	return opt;
}

/* Closes the test database so that its WAL is checkpointed into the file. */
static void close_env(void)
{
	cp_db_close(env.db);
	env.db = NULL;
}

struct bytes {
	unsigned char *p;
	size_t n;
};

static struct bytes slurp(const char *path)
{
	struct bytes b = {NULL, 0};
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	b.n = (size_t)n;
	b.p = malloc(b.n + 1);
	assert_non_null(b.p);
	assert_true(nbuffers < (int)(sizeof(buffers) / sizeof(buffers[0])));
	buffers[nbuffers++] = b.p;
	assert_int_equal(fread(b.p, 1, b.n, f), b.n);
	fclose(f);
	return b;
}

/* The file at path holds exactly the bytes of before. */
static void assert_unchanged(const char *path, const struct bytes *before)
{
	struct bytes now = slurp(path);

	if (now.n != before->n)
		fail_msg("%s changed size: %zu bytes before, %zu after", path, before->n, now.n);
	if (now.n && memcmp(now.p, before->p, now.n) != 0)
		fail_msg("%s was altered (same size, different bytes)", path);
}

static void write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	if (len)
		assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void remove_db(const char *path)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[300];

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
}

static bool exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* Runs sql on its own connection to path (as another program would). */
static void exec_on(const char *path, const char *sql)
{
	sqlite3 *h = NULL;
	char *msg = NULL;

	assert_int_equal(
		sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
		SQLITE_OK);
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	assert_int_equal(sqlite3_close(h), SQLITE_OK);
}

static int64_t query_int(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void query_text(sqlite3 *h, const char *sql, char *out, size_t outlen)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *v;

	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_text(st, 0);
	snprintf(out, outlen, "%s", v ? (const char *)v : "");
	sqlite3_finalize(st);
}

static int64_t query_int_on(const char *path, const char *sql)
{
	sqlite3 *h = NULL;
	int64_t v;

	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	v = query_int(h, sql);
	sqlite3_close(h);
	return v;
}

static void meta_on(const char *path, const char *key, char *out, size_t outlen)
{
	char sql[128];
	sqlite3 *h = NULL;

	snprintf(sql, sizeof(sql), "SELECT value FROM meta WHERE key = '%s'", key);
	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	query_text(h, sql, out, outlen);
	sqlite3_close(h);
}

/* true when text holds n as a whole number (not as part of a longer one). */
static bool has_number(const char *text, long n)
{
	char want[32];
	size_t len = (size_t)snprintf(want, sizeof(want), "%ld", n);

	for (const char *p = strstr(text, want); p; p = strstr(p + 1, want)) {
		bool before = p > text && p[-1] >= '0' && p[-1] <= '9';
		bool after = p[len] >= '0' && p[len] <= '9';

		if (!before && !after)
			return true;
	}
	return false;
}

static void test_create_mode_0600(void **state)
{
	struct stat sb;

	(void)state;
	assert_int_equal(stat(env.path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0600);
}

/* Even a permissive umask does not widen the mode. */
static void test_create_mode_ignores_umask(void **state)
{
	struct cp_db_options opt = options_for("umask.db");
	struct cp_db_init init = {.store_id = "S001", .terminal_id = "T01"};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	struct stat sb;
	mode_t old;

	(void)state;
	remove_db("umask.db");
	old = umask(0);
	assert_int_equal(cp_db_create(&db, &opt, &init, &err), CP_OK);
	umask(old);
	assert_int_equal(stat("umask.db", &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	cp_db_close(db);
	remove_db("umask.db");
}

static void test_pragmas(void **state)
{
	char mode[16];

	(void)state;
	query_text(env.db->h, "PRAGMA journal_mode", mode, sizeof(mode));
	assert_string_equal(mode, "wal");
	assert_int_equal(query_int(env.db->h, "PRAGMA synchronous"), 2);
	assert_int_equal(query_int(env.db->h, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(env.db->h, "PRAGMA busy_timeout"), 5000);
}

/* The pragmas are per connection: a reopened database has them too. */
static void test_pragmas_after_open(void **state)
{
	struct cp_db_options opt = options_for(env.path);
	struct cp_errbuf err = {{0}};
	char mode[16];

	(void)state;
	close_env();
	assert_int_equal(cp_db_open(&env.db, &opt, &err), CP_OK);
	query_text(env.db->h, "PRAGMA journal_mode", mode, sizeof(mode));
	assert_string_equal(mode, "wal");
	assert_int_equal(query_int(env.db->h, "PRAGMA synchronous"), 2);
	assert_int_equal(query_int(env.db->h, "PRAGMA foreign_keys"), 1);
}

static void test_user_version(void **state)
{
	(void)state;
	assert_true(cp_db_schema_version() >= 1);
	assert_int_equal(query_int(env.db->h, "PRAGMA user_version"), cp_db_schema_version());
	close_env();
	assert_int_equal(query_int_on(env.path, "PRAGMA user_version"), cp_db_schema_version());
}

static void test_create_refuses_existing(void **state)
{
	struct cp_db_options opt = options_for(env.path);
	struct cp_db_init init = {.store_id = "S009", .terminal_id = "T09", .force = false};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = (struct cp_db *)&err; /* must be reset to NULL */
	struct bytes before;

	(void)state;
	close_env();
	before = slurp(env.path);
	assert_int_equal(cp_db_create(&db, &opt, &init, &err), CP_EEXIST);
	assert_null(db);
	assert_non_null(strstr(err.msg, "--force"));
	assert_unchanged(env.path, &before);
	assert_false(exists("db.db-wal"));
}

/* A file that is not a database at all is not replaced either. */
static void test_create_refuses_existing_other_file(void **state)
{
	static const char text[] = "receipts I must not lose\n";
	struct cp_db_options opt = options_for("notes.txt");
	struct cp_db_init init = {.store_id = "S001", .terminal_id = "T01"};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	struct bytes before;

	(void)state;
	write_file("notes.txt", text, sizeof(text) - 1);
	before = slurp("notes.txt");
	assert_int_equal(cp_db_create(&db, &opt, &init, &err), CP_EEXIST);
	assert_null(db);
	assert_unchanged("notes.txt", &before);
	unlink("notes.txt");
}

static void test_create_force_replaces(void **state)
{
	struct cp_db_options opt = options_for(env.path);
	struct cp_db_init init = {.store_id = "S777", .terminal_id = "T77", .force = true};
	struct cp_errbuf err = {{0}};
	char old_key[80], new_key[80];

	(void)state;
	/* Something to lose: an item and its category. */
	assert_int_equal(cp_db_exec(env.db,
				    "INSERT INTO category(code, name) VALUES('C', 'c');"
				    "INSERT INTO item(sku, name_zh, name_en, category, price)"
				    " VALUES('X', 'x', 'x', 'C', 1)",
				    &err),
			 CP_OK);
	close_env();
	meta_on(env.path, "journal_key", old_key, sizeof(old_key));
	assert_int_equal(cp_db_create(&env.db, &opt, &init, &err), CP_OK);
	assert_non_null(env.db);
	assert_string_equal(cp_db_store_id(env.db), "S777");
	assert_string_equal(cp_db_terminal_id(env.db), "T77");
	assert_int_equal(query_int(env.db->h, "SELECT count(*) FROM item"), 0);
	assert_int_equal(query_int(env.db->h, "SELECT count(*) FROM category"), 0);
	assert_int_equal(query_int(env.db->h, "SELECT count(*) FROM journal"), 0);
	assert_int_equal(query_int(env.db->h, "PRAGMA user_version"), cp_db_schema_version());
	meta_on(env.path, "journal_key", new_key, sizeof(new_key));
	assert_string_not_equal(old_key, new_key);
}

static void test_open_missing(void **state)
{
	struct cp_db_options opt = options_for("missing.db");
	struct cp_errbuf err = {{0}};
	struct cp_db *db = (struct cp_db *)&err;

	(void)state;
	remove_db("missing.db");
	assert_int_equal(cp_db_open(&db, &opt, &err), CP_ENOTFOUND);
	assert_null(db);
	assert_non_null(strstr(err.msg, "counterpoint init"));
	assert_false(exists("missing.db"));
}

static void test_open_existing_round_trip(void **state)
{
	struct cp_db_options opt = options_for(env.path);
	struct cp_errbuf err = {{0}};
	uint8_t jkey[DB_KEY_LEN], pkey[DB_KEY_LEN];

	(void)state;
	memcpy(jkey, env.db->journal_key, sizeof(jkey));
	memcpy(pkey, env.db->phone_key, sizeof(pkey));
	close_env();
	assert_int_equal(cp_db_open(&env.db, &opt, &err), CP_OK);
	assert_string_equal(cp_db_store_id(env.db), "S001");
	assert_string_equal(cp_db_terminal_id(env.db), "T01");
	/* The journal's starting key stays with the handle that made the database (for the
	 * export at init); an opened one holds none (forward-secure sealing). */
	memset(jkey, 0, sizeof(jkey));
	assert_false(env.db->start_key_set);
	assert_memory_equal(env.db->journal_key, jkey, sizeof(jkey));
	assert_memory_equal(env.db->phone_key, pkey, sizeof(pkey));
	assert_int_equal(cp_db_now(env.db), TEST_TUESDAY_MS);
}

static void test_open_newer_version(void **state)
{
	struct cp_db_options opt = options_for(env.path);
	struct cp_errbuf err = {{0}};
	struct cp_db *db = (struct cp_db *)&err;
	int newer = cp_db_schema_version() + 41;
	char sql[64];
	struct bytes before;

	(void)state;
	close_env();
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", newer);
	exec_on(env.path, sql);
	before = slurp(env.path);
	assert_int_equal(cp_db_open(&db, &opt, &err), CP_EVERSION);
	assert_null(db);
	if (!has_number(err.msg, newer) || !has_number(err.msg, cp_db_schema_version()))
		fail_msg("the message should name versions %d and %d: %s", newer,
			 cp_db_schema_version(), err.msg);
	assert_unchanged(env.path, &before);
	assert_int_equal(query_int_on(env.path, "PRAGMA user_version"), newer);
}

/* The same for a newer database that does not use WAL: refusing it must not switch it. */
static void test_open_newer_version_rollback_journal(void **state)
{
	struct cp_db_options opt = options_for(env.path);
	struct cp_errbuf err = {{0}};
	struct cp_db *db = (struct cp_db *)&err;
	int newer = cp_db_schema_version() + 1;
	char sql[96];
	struct bytes before;

	(void)state;
	close_env();
	snprintf(sql, sizeof(sql), "PRAGMA journal_mode=DELETE; PRAGMA user_version=%d", newer);
	exec_on(env.path, sql);
	before = slurp(env.path);
	assert_int_equal(cp_db_open(&db, &opt, &err), CP_EVERSION);
	assert_null(db);
	assert_unchanged(env.path, &before);
}

static void check_refused_untouched(const char *path, enum cp_err want)
{
	struct cp_db_options opt = options_for(path);
	struct cp_errbuf err = {{0}};
	struct cp_db *db = (struct cp_db *)&err;
	struct bytes before = slurp(path);
	enum cp_err rc = cp_db_open(&db, &opt, &err);

	if (rc != want)
		fail_msg("%s: cp_db_open gave %s (%s), expected %s", path, cp_err_code(rc), err.msg,
			 cp_err_code(want));
	assert_null(db);
	assert_true(err.msg[0] != '\0');
	assert_unchanged(path, &before);
}

static void test_open_garbage(void **state)
{
	static const char text[] = "this is not a database, it is a shopping list\n";
	unsigned char noise[8192];
	uint32_t x = 2463534242u;

	(void)state;
	for (size_t i = 0; i < sizeof(noise); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		noise[i] = (unsigned char)x;
	}
	write_file("noise.db", noise, sizeof(noise));
	check_refused_untouched("noise.db", CP_ECORRUPT);
	write_file("text.db", text, sizeof(text) - 1);
	check_refused_untouched("text.db", CP_ECORRUPT);
}

/* A database that lost its tail (power cut while copying it, a bad sector) is damaged. */
static void test_open_truncated(void **state)
{
	struct bytes b;

	(void)state;
	close_env();
	b = slurp(env.path);
	assert_true(b.n > 4096);
	write_file("truncated.db", b.p, 4096 + 100);
	remove_db("truncated.db-wal");
	check_refused_untouched("truncated.db", CP_ECORRUPT);
}

/* Another program's database (user_version 0, its own table). */
static void test_open_foreign(void **state)
{
	(void)state;
	remove_db("foreign.db");
	exec_on("foreign.db", "CREATE TABLE x(a TEXT); INSERT INTO x VALUES('theirs')");
	check_refused_untouched("foreign.db", CP_ECORRUPT);
	assert_int_equal(query_int_on("foreign.db", "SELECT count(*) FROM x"), 1);
}

/* Another program's database that happens to use user_version like this one does. */
static void test_open_foreign_with_user_version(void **state)
{
	char sql[128];

	(void)state;
	remove_db("foreign2.db");
	snprintf(sql, sizeof(sql), "CREATE TABLE x(a TEXT); PRAGMA user_version=%d",
		 cp_db_schema_version());
	exec_on("foreign2.db", sql);
	check_refused_untouched("foreign2.db", CP_ECORRUPT);
}

/* An empty file is not a Counterpoint database (a crash during init or a truncated copy):
 * it must be reported and left as it is, not silently turned into a schema without an
 * identity. */
static void test_open_empty_file(void **state)
{
	(void)state;
	remove_db("empty.db");
	write_file("empty.db", "", 0);
	check_refused_untouched("empty.db", CP_ECORRUPT);
}

/* The same for an SQLite file with no tables at all (what `sqlite3 till.db` leaves behind,
 * or another program that has not written yet): not ours, so not migrated into a database
 * without an identity. */
static void test_open_blank_sqlite_file(void **state)
{
	(void)state;
	remove_db("blank.db");
	exec_on("blank.db", "CREATE TABLE t(a); DROP TABLE t");
	assert_int_equal(query_int_on("blank.db", "SELECT count(*) FROM sqlite_schema"), 0);
	check_refused_untouched("blank.db", CP_ECORRUPT);
}

/* A Counterpoint database that lost its identity (a row deleted by hand, a crash inside a
 * repair) is damaged: CP_ENOTFOUND would mean "no file, run init", and init refuses it. */
static void test_open_missing_identity(void **state)
{
	(void)state;
	close_env();
	exec_on(env.path, "DELETE FROM meta WHERE key = 'store_id'");
	check_refused_untouched(env.path, CP_ECORRUPT);
}

static void test_open_damaged_key(void **state)
{
	(void)state;
	close_env();
	exec_on(env.path,
		"UPDATE meta SET value = 'zz' || substr(value, 3) WHERE key = 'journal_key'");
	check_refused_untouched(env.path, CP_ECORRUPT);
	exec_on(env.path, "UPDATE meta SET value = 'abcd' WHERE key = 'phone_key'");
	check_refused_untouched(env.path, CP_ECORRUPT);
}

static void test_open_read_only_file(void **state)
{
	struct cp_db_options opt = options_for(env.path);
	struct cp_errbuf err = {{0}};
	struct cp_db *db = (struct cp_db *)&err;
	struct bytes before;

	(void)state;
	/* root reads and writes any file whatever its mode (access() says yes), so there is no
	 * read-only file to test with; the test runs as any other user. */
	if (geteuid() == 0)
		skip();
	close_env();
	assert_int_equal(chmod(env.path, 0400), 0);
	before = slurp(env.path);
	assert_int_not_equal(cp_db_open(&db, &opt, &err), CP_OK);
	assert_null(db);
	assert_true(err.msg[0] != '\0');
	assert_unchanged(env.path, &before);
	assert_int_equal(chmod(env.path, 0600), 0);
}

static void test_create_bad_ids(void **state)
{
	static const char *const bad[] = {"",   "ABCDEFGHIJKLMNOPQ", "S 1", "商店", NULL, "S1\n",
					  "S/1"};
	struct cp_db_options opt = options_for("badid.db");
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;

	(void)state;
	remove_db("badid.db");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cp_db_init as_store = {.store_id = bad[i], .terminal_id = "T01"};
		struct cp_db_init as_terminal = {.store_id = "S001", .terminal_id = bad[i]};

		err.msg[0] = '\0';
		assert_int_equal(cp_db_create(&db, &opt, &as_store, &err), CP_EINVAL);
		assert_null(db);
		assert_true(err.msg[0] != '\0');
		assert_false(exists("badid.db"));
		assert_int_equal(cp_db_create(&db, &opt, &as_terminal, &err), CP_EINVAL);
		assert_null(db);
		assert_false(exists("badid.db"));
	}
}

static void test_ids_read_back(void **state)
{
	struct cp_db_options opt = options_for("ids.db");
	struct cp_db_init init = {
		.store_id = "ABCDEFGHIJKLMNOP", .terminal_id = "t-9_x", .force = true};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	char v[32];

	(void)state;
	assert_string_equal(cp_db_store_id(env.db), "S001");
	assert_string_equal(cp_db_terminal_id(env.db), "T01");
	assert_int_equal(cp_db_create(&db, &opt, &init, &err), CP_OK);
	assert_string_equal(cp_db_store_id(db), "ABCDEFGHIJKLMNOP");
	assert_string_equal(cp_db_terminal_id(db), "t-9_x");
	cp_db_close(db);
	meta_on("ids.db", "store_id", v, sizeof(v));
	assert_string_equal(v, "ABCDEFGHIJKLMNOP");
	meta_on("ids.db", "terminal_id", v, sizeof(v));
	assert_string_equal(v, "t-9_x");
	assert_int_equal(cp_db_open(&db, &opt, &err), CP_OK);
	assert_string_equal(cp_db_store_id(db), "ABCDEFGHIJKLMNOP");
	assert_string_equal(cp_db_terminal_id(db), "t-9_x");
	cp_db_close(db);
	remove_db("ids.db");
}

static void check_key_hex(const char *hex, const uint8_t *in_memory)
{
	uint8_t key[DB_KEY_LEN], zero[DB_KEY_LEN] = {0};

	assert_int_equal(strlen(hex), 2 * DB_KEY_LEN);
	for (const char *p = hex; *p; p++)
		assert_true((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
	assert_true(cp_unhex(hex, key, DB_KEY_LEN));
	assert_memory_not_equal(key, zero, DB_KEY_LEN);
	assert_memory_equal(key, in_memory, DB_KEY_LEN);
}

static void test_keys_random_hex(void **state)
{
	struct cp_db_options opt = options_for("second.db");
	struct cp_db_init init = {.store_id = "S001", .terminal_id = "T01", .force = true};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	char j1[80], p1[80], j2[80], p2[80];

	(void)state;
	assert_int_equal(cp_db_create(&db, &opt, &init, &err), CP_OK);
	meta_on(env.path, "journal_key", j1, sizeof(j1));
	meta_on(env.path, "phone_key", p1, sizeof(p1));
	meta_on("second.db", "journal_key", j2, sizeof(j2));
	meta_on("second.db", "phone_key", p2, sizeof(p2));
	check_key_hex(j1, env.db->journal_key);
	check_key_hex(p1, env.db->phone_key);
	check_key_hex(j2, db->journal_key);
	check_key_hex(p2, db->phone_key);
	assert_string_not_equal(j1, p1);
	assert_string_not_equal(j1, j2);
	assert_string_not_equal(p1, p2);
	cp_db_close(db);
	remove_db("second.db");
}

static void test_close_null(void **state)
{
	(void)state;
	cp_db_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_mode_0600, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_mode_ignores_umask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pragmas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pragmas_after_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_refuses_existing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_refuses_existing_other_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_create_force_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_existing_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_newer_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_newer_version_rollback_journal, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_foreign_with_user_version, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_empty_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_blank_sqlite_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_missing_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_damaged_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_read_only_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_bad_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ids_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_random_hex, setup, teardown),
		cmocka_unit_test(test_close_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
