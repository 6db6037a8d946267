/* test_db_vfs.c — the VFS that writes a WAL transaction's frames with one write (db_vfs.c,
 * issue 14): a commit is one write to the WAL, not two a frame; what it wrote is seen by
 * another connection (one without the shim) as soon as COMMIT returns, at synchronous=FULL and
 * NORMAL; a process killed between commits (SIGKILL, nothing flushed by exit) leaves every
 * commit it had returned from, and an intact database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db.h"
#include "db_int.h"

#define BLOB_BYTES (10 * 4096) /* a row that fills about ten WAL frames */

/* ---- a VFS under the shim that counts the writes to WAL files ---- */

struct cfile {
	sqlite3_file base;
	sqlite3_file *real; /* follows this struct */
	int wal;
};

static sqlite3_vfs *real_vfs;
static sqlite3_vfs count_vfs;
static sqlite3_io_methods count_io;
static int wal_writes;

#define REAL(f) (((struct cfile *)(f))->real)

static int c_close(sqlite3_file *f)
{
	int rc = REAL(f)->pMethods->xClose(REAL(f));

	f->pMethods = NULL;
	return rc;
}

static int c_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}

static int c_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	if (((struct cfile *)f)->wal)
		wal_writes++;
	return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}

static int c_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int c_sync(sqlite3_file *f, int flags)
{
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int c_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int c_lock(sqlite3_file *f, int level)
{
	return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int c_unlock(sqlite3_file *f, int level)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int c_check(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int c_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int c_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int c_chars(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int c_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **p)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, p);
}

static int c_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void c_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int c_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int c_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
	struct cfile *cf = (struct cfile *)f;
	int rc;

	(void)vfs;
	cf->real = (sqlite3_file *)(cf + 1);
	cf->wal = (flags & SQLITE_OPEN_WAL) != 0;
	rc = real_vfs->xOpen(real_vfs, name, cf->real, flags, out);
	f->pMethods = cf->real->pMethods ? &count_io : NULL;
	return rc;
}

/* Becomes the default VFS, so that cp_db_open puts the shim over it. */
static void install_counter(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	assert_non_null(real_vfs);
	count_vfs = *real_vfs;
	count_vfs.zName = "cp-test-count";
	count_vfs.szOsFile = (int)sizeof(struct cfile) + real_vfs->szOsFile;
	count_vfs.xOpen = c_open;
	count_vfs.pNext = NULL;
	count_io = (sqlite3_io_methods){
		.iVersion = 2,
		.xClose = c_close,
		.xRead = c_read,
		.xWrite = c_write,
		.xTruncate = c_truncate,
		.xSync = c_sync,
		.xFileSize = c_size,
		.xLock = c_lock,
		.xUnlock = c_unlock,
		.xCheckReservedLock = c_check,
		.xFileControl = c_control,
		.xSectorSize = c_sector,
		.xDeviceCharacteristics = c_chars,
		.xShmMap = c_shm_map,
		.xShmLock = c_shm_lock,
		.xShmBarrier = c_shm_barrier,
		.xShmUnmap = c_shm_unmap,
	};
	assert_int_equal(sqlite3_vfs_register(&count_vfs, 1), SQLITE_OK);
}

/* ---- helpers ---- */

static struct cp_db *create(const char *path, bool unbatched)
{
	struct cp_db_options opt = {.path = path, .wal_unbatched = unbatched};
	struct cp_db_init init = {.store_id = "S001", .terminal_id = "T01", .force = true};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;

	if (cp_db_create(&db, &opt, &init, &err) != CP_OK)
		fail_msg("create %s: %s", path, err.msg);
	if (cp_db_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB NOT NULL)", &err) !=
	    CP_OK)
		fail_msg("create t: %s", err.msg);
	return db;
}

static struct cp_db *reopen(const char *path)
{
	struct cp_db_options opt = {.path = path};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;

	if (cp_db_open(&db, &opt, &err) != CP_OK)
		fail_msg("open %s: %s", path, err.msg);
	return db;
}

/* One transaction, durable or (light) at synchronous=NORMAL, that adds row id with a blob of
 * bytes id & 0xff. */
static enum cp_err put(struct cp_db *db, int64_t id, bool light)
{
	static unsigned char blob[BLOB_BYTES];
	struct cp_errbuf err = {{0}};
	sqlite3_stmt *st;
	enum cp_err rc = light ? cp_db_begin_light(db, &err) : cp_db_begin(db, &err);
	int step;

	if (rc != CP_OK)
		return rc;
	memset(blob, (int)(id & 0xff), sizeof(blob));
	if (!(st = cp_db_stmt(db, "INSERT INTO t(id, v) VALUES(?1, ?2)", &err))) {
		cp_db_rollback(db);
		return CP_EDB;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_blob(st, 2, blob, sizeof(blob), SQLITE_STATIC);
	step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		cp_db_rollback(db);
		return CP_EDB;
	}
	return cp_db_commit(db, &err);
}

/* On a plain connection (SQLite's default VFS, not the shim): how many rows of t hold the
 * blob their id says; -1 if the database fails its integrity check or a row is wrong. */
static int64_t good_rows(const char *path)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, "unix"), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	if (strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0)
		goto out;
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT id, v FROM t", -1, &st, NULL), SQLITE_OK);
	n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_blob(st, 1);
		int len = sqlite3_column_bytes(st, 1);
		int want = (int)(sqlite3_column_int64(st, 0) & 0xff);

		for (int i = 0; i < len; i++) {
			if (v[i] != want)
				len = -1;
		}
		if (len != BLOB_BYTES) {
			n = -1;
			break;
		}
		n++;
	}
out:
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

/* ---- tests ---- */

/* A commit that writes about ten frames is one write to the WAL with the shim; without it,
 * two a frame. */
static void test_one_write_per_commit(void **state)
{
	struct cp_db *db = create("vfs_count.db", false), *plain = create("vfs_plain.db", true);
	int batched, unbatched;

	(void)state;
	/* The first commit on a new WAL also writes its header: count the next one. */
	assert_int_equal(put(db, 1, false), CP_OK);
	assert_int_equal(put(plain, 1, false), CP_OK);
	wal_writes = 0;
	assert_int_equal(put(db, 2, false), CP_OK);
	batched = wal_writes;
	wal_writes = 0;
	assert_int_equal(put(db, 3, true), CP_OK);
	assert_int_equal(wal_writes, 1);
	wal_writes = 0;
	assert_int_equal(put(plain, 2, false), CP_OK);
	unbatched = wal_writes;
	cp_db_close(db);
	cp_db_close(plain);
	assert_int_equal(batched, 1);
	assert_true(unbatched >= 20);
	assert_int_equal(good_rows("vfs_count.db"), 3);
	assert_int_equal(good_rows("vfs_plain.db"), 2);
}

/* Another connection, on the default VFS, sees each commit as soon as it returns, durable or
 * light, and while the writing handle stays open. */
static void test_visible_after_commit(void **state)
{
	struct cp_db *db = create("vfs_visible.db", false);

	(void)state;
	for (int i = 1; i <= 12; i++) {
		assert_int_equal(put(db, i, i % 2 == 0), CP_OK);
		assert_int_equal(good_rows("vfs_visible.db"), i);
	}
	cp_db_checkpoint(db);
	assert_int_equal(put(db, 13, true), CP_OK); /* restarts the WAL: its header too */
	assert_int_equal(good_rows("vfs_visible.db"), 13);
	assert_int_equal(put(db, 14, false), CP_OK);
	assert_int_equal(good_rows("vfs_visible.db"), 14);
	cp_db_close(db);
	assert_int_equal(good_rows("vfs_visible.db"), 14);
}

/* A child commits without end, light and durable in turn, and tells the parent the id of each
 * commit once it has returned; the parent kills it after 40. Every id it was told is there,
 * and the database is intact. */
static void test_killed_between_commits(void **state)
{
	struct cp_db *db = create("vfs_kill.db", false);
	int64_t told = 0, id;
	int fds[2], status;
	pid_t pid;

	(void)state;
	cp_db_close(db);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		db = reopen("vfs_kill.db");
		for (id = 1;; id++) {
			if (put(db, id, id % 3 != 0) != CP_OK)
				_exit(2);
			if (write(fds[1], &id, sizeof(id)) != (ssize_t)sizeof(id))
				_exit(3);
		}
	}
	close(fds[1]);
	while (told < 40 && read(fds[0], &id, sizeof(id)) == (ssize_t)sizeof(id))
		told = id;
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(fds[0]);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(told, 40);
	id = good_rows("vfs_kill.db");
	assert_true(id >= told);
	/* ... and the till's own handle opens it and goes on. */
	db = reopen("vfs_kill.db");
	assert_int_equal(put(db, 100000, false), CP_OK);
	cp_db_close(db);
	assert_int_equal(good_rows("vfs_kill.db"), id + 1);
}

/* A child commits, light or durable, and leaves with _exit between two commits (no close, no
 * checkpoint): the next open finds all of them. */
static void test_exit_without_close(void **state)
{
	(void)state;
	for (int light = 0; light < 2; light++) {
		struct cp_db *db = create("vfs_exit.db", false);
		int status;
		pid_t pid;

		cp_db_close(db);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			db = reopen("vfs_exit.db");
			for (int i = 1; i <= 7; i++) {
				if (put(db, i, light) != CP_OK)
					_exit(2);
			}
			_exit(0);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
		assert_int_equal(good_rows("vfs_exit.db"), 7);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_write_per_commit),
		cmocka_unit_test(test_visible_after_commit),
		cmocka_unit_test(test_killed_between_commits),
		cmocka_unit_test(test_exit_without_close),
	};

	install_counter();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
