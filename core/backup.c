/* backup.c — consistent copies of the database while the till runs, with SQLite's online
 * backup API: `counterpoint backup FILE` and the copy cp_db_open keeps before a migration.
 * Owns no table; it reads the whole file in one read transaction. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup.h"
#include "backup_int.h"
#include "cp_paths.h"

/* A writer holding the source past the busy timeout this many times in a row gives up. */
#define BUSY_TRIES 20
#define BUSY_TIMEOUT_MS 5000

static void remove_copy(const char *dst)
{
	char p[1100];

	unlink(dst);
	snprintf(p, sizeof(p), "%s-journal", dst);
	unlink(p);
}

static enum cp_err sqlite_err(sqlite3 *h, int rc, const char *what, const char *path,
			      struct cp_errbuf *err)
{
	const char *detail = h ? sqlite3_errmsg(h) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_FULL:
		return cp_errf(err, CP_EFULL, "storage full: cannot %s %s (%s)", what, path,
			       detail);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return cp_errf(err, CP_EBUSY,
			       "cannot %s %s: the database stayed busy (%s); try again", what, path,
			       detail);
	default:
		return cp_errf(err, CP_EIO, "cannot %s %s (%s)", what, path, detail);
	}
}

/* The new file dst, empty, with the till's mode; refused when something is there. */
static enum cp_err create_dst(const char *dst, struct cp_errbuf *err)
{
	mode_t mode = (mode_t)cp_paths_file_mode(dst);
	int fd = open(dst, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0)
		return cp_errf(err, errno == EEXIST ? CP_EEXIST : CP_EIO,
			       errno == EEXIST ? "%s already exists; name a new file for the copy"
					       : "cannot create %s: %s",
			       dst, strerror(errno));
	(void)fchmod(fd, mode);
	close(fd);
	return CP_OK;
}

/* Copies the open database src into the new file dst; *schema gets the copy's version. */
static enum cp_err copy_handle(sqlite3 *src, const char *dst, int *schema, struct cp_errbuf *err)
{
	sqlite3 *out = NULL;
	sqlite3_backup *b = NULL;
	sqlite3_stmt *st = NULL;
	enum cp_err result;
	int rc, tries = 0;

	if ((result = create_dst(dst, err)) != CP_OK)
		return result;
	rc = sqlite3_open_v2(dst, &out, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		result = sqlite_err(out, rc, "open the copy", dst, err);
		goto out;
	}
	sqlite3_busy_timeout(out, BUSY_TIMEOUT_MS);
	b = sqlite3_backup_init(out, "main", src, "main");
	if (!b) {
		result = sqlite_err(out, sqlite3_errcode(out), "start copying to", dst, err);
		goto out;
	}
	/* -1: every page in one step, so in one read transaction of the source. */
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) {
		if (++tries == BUSY_TRIES)
			break;
		sqlite3_sleep(100);
	}
	sqlite3_backup_finish(b);
	b = NULL;
	if (rc != SQLITE_DONE) {
		result = sqlite_err(out, rc, "copy the database to", dst, err);
		goto out;
	}
	rc = sqlite3_prepare_v2(out, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (schema)
			*schema = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK) {
		result = sqlite_err(out, rc, "read back", dst, err);
		goto out;
	}
	rc = sqlite3_close(out);
	out = NULL;
	result = rc == SQLITE_OK ? CP_OK : sqlite_err(NULL, rc, "finish", dst, err);
out:
	sqlite3_close(out);
	if (result != CP_OK)
		remove_copy(dst);
	return result;
}

/* Whether h is a Counterpoint database (application id, a schema version). */
static bool is_ours(sqlite3 *h)
{
	sqlite3_stmt *st = NULL;
	bool ok = false;

	if (sqlite3_prepare_v2(h,
			       "SELECT (SELECT application_id FROM pragma_application_id),"
			       " (SELECT user_version FROM pragma_user_version)",
			       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		ok = sqlite3_column_int(st, 0) == DB_APPLICATION_ID &&
		     sqlite3_column_int(st, 1) >= 1;
	sqlite3_finalize(st);
	return ok;
}

enum cp_err cp_backup_copy(const char *src, const char *dst, int *schema, struct cp_errbuf *err)
{
	sqlite3 *h = NULL;
	struct stat sb;
	enum cp_err result;
	int rc;

	if (!src || !src[0] || !dst || !dst[0])
		return cp_errf(err, CP_EINVAL, "name the database and the file for its copy");
	if (stat(src, &sb) != 0)
		return cp_errf(err, CP_ENOTFOUND, "no database at %s (%s)", src, strerror(errno));
	if (strcmp(src, dst) == 0)
		return cp_errf(err, CP_EEXIST, "%s is the database itself; name a new file", dst);
	/* Read-write (never written here) so that the WAL index can be shared with the till. */
	rc = sqlite3_open_v2(src, &h, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		result = sqlite_err(h, rc, "open", src, err);
		goto out;
	}
	sqlite3_busy_timeout(h, BUSY_TIMEOUT_MS);
	if (!is_ours(h)) {
		result = cp_errf(
			err, CP_ECORRUPT,
			"%s is not a Counterpoint database (or is damaged); nothing was copied",
			src);
		goto out;
	}
	result = copy_handle(h, dst, schema, err);
out:
	sqlite3_close(h);
	return result;
}

enum cp_err cp_backup_before_migration(struct cp_db *db, int from, struct cp_errbuf *err)
{
	char dst[sizeof(db->premigration)];
	struct cp_errbuf why = {{0}};
	enum cp_err result = CP_EEXIST;

	/* An older copy of the same schema (a migration that failed, a downgrade) is kept. */
	for (int k = 1; k < 100 && result == CP_EEXIST; k++) {
		int n = k == 1 ? snprintf(dst, sizeof(dst), "%s.schema%d.bak", db->path, from)
			       : snprintf(dst, sizeof(dst), "%s.schema%d.%d.bak", db->path, from,
					  k);

		if (n < 0 || (size_t)n >= sizeof(dst))
			return cp_errf(err, CP_EINVAL, "the path %s is too long", db->path);
		result = copy_handle(db->h, dst, NULL, &why);
	}
	if (result != CP_OK)
		return cp_errf(
			err, result,
			"%s needs migrating from schema %d to %d, but no copy of it could be "
			"kept first, so it was left as it was: %s",
			db->path, from, cp_db_schema_version(), cp_errmsg(&why, result));
	snprintf(db->premigration, sizeof(db->premigration), "%s", dst);
	db->premigration_from = from;
	return CP_OK;
}

const char *cp_backup_premigration(const struct cp_db *db, int *from)
{
	if (from)
		*from = db->premigration[0] ? db->premigration_from : 0;
	return db->premigration;
}
