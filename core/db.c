/* db.c — opening and creating the till's database with the pragmas durability needs, the
 * prepared-statement cache, transactions, meta values and SQLite error translation. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup_int.h"
#include "cp_crypto.h"
#include "cp_paths.h"
#include "cp_rand.h"
#include "db_int.h"
#include "scale.h"
#include "rowmac_int.h"

/* SQLite's message on one line: its line breaks (a quoted name can hold them, an integrity
 * report has several lines) become "; ", other control characters spaces. */
const char *cp_db_one_line(const char *msg, char *buf, size_t buflen)
{
	size_t n = 0;

	for (const char *c = msg; *c && n + 3 < buflen; c++) {
		if (*c == '\r' || *c == '\n') {
			if (c[1] == '\n' && *c == '\r')
				c++;
			buf[n++] = ';';
			buf[n++] = ' ';
		} else {
			buf[n++] = (unsigned char)*c < 0x20 ? ' ' : *c;
		}
	}
	buf[n] = '\0';
	return buf;
}

enum cp_err cp_db_fail(struct cp_db *db, int rc, const char *what, struct cp_errbuf *err)
{
	char flat[256], flat_what[160];
	const char *detail = cp_db_one_line(
		db && db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc), flat, sizeof(flat));

	what = cp_db_one_line(what, flat_what, sizeof(flat_what));

	switch (rc & 0xff) {
	case SQLITE_FULL:
		return cp_errf(err, CP_EFULL,
			       "storage full — call IT; nothing was recorded (%s: %s)", what,
			       detail);
	case SQLITE_READONLY:
	case SQLITE_PERM:
		return cp_errf(err, CP_EFULL,
			       "the database is read-only — call IT; nothing was recorded (%s: %s)",
			       what, detail);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return cp_errf(
			err, CP_ECORRUPT,
			"the database is damaged (%s: %s); run `counterpoint verify` and call IT",
			what, detail);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return cp_errf(err, CP_EBUSY,
			       "the database is busy in another program (%s: %s); try again", what,
			       detail);
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		return cp_errf(err, CP_EIO, "cannot read or write the database (%s: %s)", what,
			       detail);
	case SQLITE_NOMEM:
		return cp_errf(err, CP_ENOMEM, "out of memory (%s)", what);
	default:
		return cp_errf(err, CP_EDB, "database error (%s: %s)", what, detail);
	}
}

static bool sync_full(struct cp_db *db);

static sqlite3_stmt *stmt_find(struct cp_db *db, const char *sql, struct cp_errbuf *err)
{
	sqlite3_stmt *st = NULL;
	uint64_t h;
	int rc;

	/* After out of memory or an I/O error SQLite may have rolled the transaction back by
	 * itself; a statement run now would commit on its own, apart from the rest (issue 13). */
	if (db->in_tx && sqlite3_get_autocommit(db->h)) {
		cp_errf(err, CP_EDB,
			"the database undid the transaction after an error (out of memory or a "
			"disk error); nothing was recorded: try again");
		return NULL;
	}
	/* Found through slot[] (a few hundred statements; a sale asks for about 200). */
	h = ((uintptr_t)sql >> 3) * UINT64_C(0x9E3779B97F4A7C15) >> 32;
	for (h &= DB_STMT_SLOTS - 1; db->slot[h]; h = (h + 1) & (DB_STMT_SLOTS - 1)) {
		if (db->cache[db->slot[h] - 1].sql == sql) {
			st = db->cache[db->slot[h] - 1].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		cp_db_fail(db, rc, "prepare", err);
		return NULL;
	}
	if (db->ncache == DB_STMT_CACHE) {
		/* More distinct statements than core has: a statement still in use must never be
		 * evicted, so refuse instead. */
		sqlite3_finalize(st);
		cp_errf(err, CP_EDB, "internal error: the statement cache is full");
		return NULL;
	}
	db->cache[db->ncache].sql = sql;
	db->cache[db->ncache].st = st;
	db->ncache++;
	db->slot[h] = (uint16_t)db->ncache; /* the empty slot the search ended on */
	return st;
}

sqlite3_stmt *cp_db_stmt(struct cp_db *db, const char *sql, struct cp_errbuf *err)
{
	sqlite3_stmt *st = stmt_find(db, sql, err);

	/* A write after a cart edit left the connection at NORMAL: on its own, FULL first; in a
	 * transaction a bare BEGIN opened (the level cannot change in it), refused. */
	if (!st || !db->light || db->light_tx || sqlite3_stmt_readonly(st))
		return st;
	if (!sqlite3_get_autocommit(db->h)) {
		cp_errf(err, CP_EDB,
			"internal error: a write at synchronous=NORMAL outside a cart edit");
		return NULL;
	}
	if (!sync_full(db)) {
		cp_errf(err, CP_EDB,
			"cannot set synchronous=FULL for a durable write; nothing was recorded");
		return NULL;
	}
	return st;
}

void cp_db_col_text(sqlite3_stmt *st, int col, char *out, size_t outlen)
{
	const unsigned char *v = sqlite3_column_text(st, col);
	size_t n = v ? (size_t)sqlite3_column_bytes(st, col) : 0;

	/* What snprintf("%s") gave, without its cost on every column of every row: the text up
	 * to its first NUL, cut to outlen - 1 bytes. */
	if (!outlen)
		return;
	if (n >= outlen)
		n = outlen - 1;
	if (v) {
		const void *nul = memchr(v, '\0', n);

		if (nul)
			n = (size_t)((const unsigned char *)nul - v);
		memcpy(out, v, n);
	}
	out[n] = '\0';
}

const char *cp_db_sqlite_version(void)
{
	return sqlite3_libversion();
}

enum cp_err cp_db_exec(struct cp_db *db, const char *sql, struct cp_errbuf *err)
{
	int rc;

	/* SQL run on its own may write: FULL first, unless it only opens or ends a transaction
	 * (a cached statement that writes in one that BEGIN opened at NORMAL is refused:
	 * cp_db_stmt). */
	if (db->light && sqlite3_get_autocommit(db->h) && strcmp(sql, "BEGIN") != 0 &&
	    strcmp(sql, "COMMIT") != 0 && !sync_full(db))
		return cp_errf(err, CP_EDB,
			       "cannot set synchronous=FULL for a durable write; nothing was "
			       "recorded");
	rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? CP_OK : cp_db_fail(db, rc, sql, err);
}

/* The connection stays at synchronous=NORMAL after a cart edit's transaction (cp_db_begin_light),
 * so that the next cart edit does not set it again (SQLite prepares a PRAGMA again on every run):
 * it is back at FULL before any other write — a durable transaction (cp_db_begin), a statement
 * that writes on its own (cp_db_stmt, cp_db_exec). A failure leaves db->light set, and the next of
 * them tries again. */
static bool sync_full(struct cp_db *db)
{
	sqlite3_stmt *st;
	int rc;

	if (!db->light || !sqlite3_get_autocommit(db->h))
		return !db->light;
	if (!(st = stmt_find(db, "PRAGMA synchronous=FULL", NULL)))
		return false;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		db->light = false;
	return rc == SQLITE_DONE;
}

static enum cp_err begin_immediate(struct cp_db *db, struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	db->in_tx = false;
	db->light_tx = false;
	db->tx_event.set = false;
	/* not cp_db_stmt: BEGIN IMMEDIATE counts as a write there, and the level is the caller's */
	if (!(st = stmt_find(db, "BEGIN IMMEDIATE", err)))
		return CP_EDB;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "begin", err);
	db->in_tx = true;
	return CP_OK;
}

enum cp_err cp_db_begin(struct cp_db *db, struct cp_errbuf *err)
{
	if (!sync_full(db))
		return cp_errf(err, CP_EDB,
			       "cannot set synchronous=FULL for a durable commit; nothing was "
			       "recorded");
	return begin_immediate(db, err);
}

/* A cart edit's transaction: synchronous=NORMAL, so its COMMIT writes the WAL without a flush.
 * In WAL mode it is still atomic; a power cut may lose it (and the edits after the last
 * durable commit), never a commit made at FULL, whose flush makes every frame before it durable
 * too. The level may only change outside a transaction: it is set here when the connection is
 * at FULL, and put back to FULL before the next write that is not a cart edit (sync_full). */
enum cp_err cp_db_begin_light(struct cp_db *db, struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	if (!sqlite3_get_autocommit(db->h))
		return cp_errf(err, CP_EDB, "internal error: a cart edit inside a transaction");
	if (!db->light) {
		if (!(st = stmt_find(db, "PRAGMA synchronous=NORMAL", err)))
			return CP_EDB;
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return cp_db_fail(db, rc, "set synchronous", err);
		db->light = true;
	}
	if ((result = begin_immediate(db, err)) != CP_OK)
		sync_full(db);
	else
		db->light_tx = true;
	return result;
}

enum cp_err cp_db_commit(struct cp_db *db, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, "COMMIT", err);
	int rc;

	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	db->in_tx = false;
	db->light_tx = false;
	if (rc == SQLITE_DONE) {
		db->tx_event.set = false;
		return CP_OK;
	}
	/* The frames of a failed COMMIT may be in the WAL, to be found by the next recovery. */
	if (db->tx_event.set)
		return cp_journal_settle(db, rc, err);
	return cp_db_fail(db, rc, "commit", err);
}

void cp_db_rollback(struct cp_db *db)
{
	db->in_tx = false;
	db->light_tx = false;
	db->tx_event.set = false;
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

bool cp_db_read_begin(struct cp_db *db)
{
	sqlite3_stmt *st;

	if (!sqlite3_get_autocommit(db->h) || !(st = cp_db_stmt(db, "BEGIN", NULL)))
		return false;
	sqlite3_step(st);
	sqlite3_reset(st);
	return !sqlite3_get_autocommit(db->h);
}

void cp_db_read_end(struct cp_db *db, bool began)
{
	sqlite3_stmt *st = began ? cp_db_stmt(db, "COMMIT", NULL) : NULL;

	if (st) {
		sqlite3_step(st);
		sqlite3_reset(st);
	}
	if (began && !sqlite3_get_autocommit(db->h))
		cp_db_rollback(db);
}

enum cp_err cp_db_tx_begin(struct cp_db *db, int *own, struct cp_errbuf *err)
{
	*own = sqlite3_get_autocommit(db->h);
	return *own ? cp_db_begin(db, err) : CP_OK;
}

enum cp_err cp_db_tx_begin_light(struct cp_db *db, int *own, struct cp_errbuf *err)
{
	*own = sqlite3_get_autocommit(db->h);
	return *own ? cp_db_begin_light(db, err) : CP_OK;
}

enum cp_err cp_db_tx_end(struct cp_db *db, int own, enum cp_err rc, struct cp_errbuf *err)
{
	if (!own)
		return rc;
	if (rc == CP_OK)
		rc = cp_db_commit(db, err);
	if (rc != CP_OK)
		cp_db_rollback(db);
	return rc;
}

enum cp_err cp_db_meta_get(struct cp_db *db, const char *key, char *out, size_t outlen,
			   struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, "SELECT value FROM meta WHERE key = ?1", err);
	enum cp_err result;
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(st, 0));
		result = CP_OK;
	} else if (rc == SQLITE_DONE) {
		result = cp_errf(err, CP_ENOTFOUND, "the database has no %s", key);
	} else {
		result = cp_db_fail(db, rc, "read meta", err);
	}
	sqlite3_reset(st);
	return result;
}

enum cp_err cp_db_meta_set(struct cp_db *db, const char *key, const char *value,
			   struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db,
				      "INSERT INTO meta(key, value) VALUES(?1, ?2) "
				      "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
				      err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "write meta", err);
}

enum cp_err cp_db_meta_set_two(struct cp_db *db, const char *key1, const char *value1,
			       const char *key2, const char *value2, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db,
				      "INSERT INTO meta(key, value) VALUES(?1, ?2), (?3, ?4) "
				      "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
				      err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, key1, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value1, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, key2, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, value2, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "write meta", err);
}

enum cp_err cp_db_meta_get_int(struct cp_db *db, const char *key, int64_t *out,
			       struct cp_errbuf *err)
{
	char buf[32], *end;
	enum cp_err result = cp_db_meta_get(db, key, buf, sizeof(buf), err);
	long long v;

	if (result != CP_OK)
		return result;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || *end || end == buf)
		return cp_errf(err, CP_ECORRUPT, "meta value %s is not a number", key);
	*out = v;
	return CP_OK;
}

enum cp_err cp_db_meta_set_int(struct cp_db *db, const char *key, int64_t value,
			       struct cp_errbuf *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)value);
	return cp_db_meta_set(db, key, buf, err);
}

static void apply_defaults(struct cp_db *db, const struct cp_db_options *opt)
{
	if (opt->clock)
		db->clock = *opt->clock;
	db->cutover_min = opt->cutover_min;
	if (db->cutover_min < 0 || db->cutover_min >= 24 * 60)
		db->cutover_min = 0;
	db->pin_max_attempts = opt->pin_max_attempts > 0 ? opt->pin_max_attempts : 5;
	db->pin_lockout_s = opt->pin_lockout_s > 0 ? opt->pin_lockout_s : 300;
	db->pbkdf2_iterations = opt->pbkdf2_iterations ? opt->pbkdf2_iterations : 100000;
	if (opt->pointspay && opt->pointspay->step_fen > 0)
		db->pointspay = *opt->pointspay;
	else
		cp_pointspay_defaults(&db->pointspay);
	snprintf(db->path, sizeof(db->path), "%s", opt->path);
	db->schema_limit = opt->schema_limit;
	db->guide_days = 90; /* CP_GUIDE_DEFAULT_DAYS */
	db->park_max = opt->park_max;
	db->noreceipt_limit = opt->refund_noreceipt_limit;
	if (opt->discount)
		db->discount = *opt->discount;
	else
		cp_discount_config_default(&db->discount);
	snprintf(db->terms_version, sizeof(db->terms_version), "%s",
		 opt->terms_version ? opt->terms_version : "");
	db->rounding = opt->rounding >= 0 && opt->rounding <= 4 ? opt->rounding : 0;
	snprintf(db->scale_layouts, sizeof(db->scale_layouts), "%s",
		 opt->scale_layouts ? opt->scale_layouts : CP_SCALE_DEFAULT_LAYOUTS);
	if (opt->guide_set) {
		db->guide_days = opt->guide_protection_days;
		db->guide_register_off = !opt->guide_register_binds;
	}
}

/* Reads what the file is before anything is written to it: not a database, another program's
 * database, or one newer than this program are all refused untouched. */
static enum cp_err inspect(struct cp_db *db, int *schema, struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	int rc, version = 0, app = 0;

	rc = sqlite3_prepare_v2(db->h,
				"SELECT (SELECT user_version FROM pragma_user_version),"
				" (SELECT application_id FROM pragma_application_id)",
				-1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		version = sqlite3_column_int(st, 0);
		app = sqlite3_column_int(st, 1);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK) {
		enum cp_err e = cp_db_fail(db, rc, "read", err);

		if (e == CP_ECORRUPT || e == CP_EDB)
			return cp_errf(err, CP_ECORRUPT,
				       "%s is not a Counterpoint database or is damaged; it was "
				       "left untouched",
				       db->path);
		return e;
	}
	if (app != DB_APPLICATION_ID || version < 1)
		return cp_errf(err, CP_ECORRUPT,
			       "%s is an SQLite database but not a Counterpoint one; it was left "
			       "untouched",
			       db->path);
	if (version > cp_db_schema_version())
		return cp_errf(err, CP_EVERSION,
			       "%s has schema version %d but this program knows only up to %d; "
			       "install a newer Counterpoint (the file was left untouched)",
			       db->path, version, cp_db_schema_version());
	*schema = version;
	return CP_OK;
}

/* The WAL's size after each commit on this handle, for cp_db_checkpoint_due. */
static int wal_count(void *ctx, sqlite3 *h, const char *name, int frames)
{
	struct cp_db *db = ctx;

	(void)h;
	(void)name;
	db->wal_frames = frames;
	return SQLITE_OK;
}

static enum cp_err set_pragmas(struct cp_db *db, const struct cp_db_options *opt,
			       struct cp_errbuf *err)
{
	char sql[64];
	enum cp_err result;
	int ckpt = opt->wal_autocheckpoint;

	if ((result = cp_db_exec(db, "PRAGMA journal_mode=WAL", err)) != CP_OK ||
	    (result = cp_db_exec(db, "PRAGMA synchronous=FULL", err)) != CP_OK ||
	    (result = cp_db_exec(db, "PRAGMA foreign_keys=ON", err)) != CP_OK ||
	    (result = cp_db_exec(db, "PRAGMA secure_delete=ON", err)) != CP_OK)
		return result;
	if (ckpt) {
		snprintf(sql, sizeof(sql), "PRAGMA wal_autocheckpoint=%d", ckpt < 0 ? 0 : ckpt);
		if ((result = cp_db_exec(db, sql, err)) != CP_OK)
			return result;
	}
	if (ckpt < 0) {
		/* Replaces SQLite's automatic checkpoint (itself a WAL hook): only counts. */
		sqlite3_wal_hook(db->h, wal_count, db);
		db->wal_manual = true;
	}
	return CP_OK;
}

bool cp_db_id_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 1 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* Store and terminal ids; their absence means a damaged database, not a missing one. */
static enum cp_err load_ids(struct cp_db *db, struct cp_errbuf *err)
{
	enum cp_err result;

	if ((result = cp_db_meta_get(db, "store_id", db->store_id, sizeof(db->store_id), err)) ||
	    (result = cp_db_meta_get(db, "terminal_id", db->terminal_id, sizeof(db->terminal_id),
				     err))) {
		if (result == CP_ENOTFOUND)
			result = cp_errf(err, CP_ECORRUPT,
					 "%s has lost its store or terminal id; restore it from a "
					 "backup or call IT",
					 db->path);
	}
	return result;
}

static enum cp_err load_identity(struct cp_db *db, struct cp_errbuf *err)
{
	char hex[2 * DB_KEY_LEN + 1];
	enum cp_err result = load_ids(db, err);

	if (result != CP_OK)
		return result;

	/* The sealing key changes with every row, so it is checked here and read again by each
	 * row's transaction (seal.c); none is kept in memory. */
	if ((result = cp_db_meta_get(db, "journal_key", hex, sizeof(hex), err)) != CP_OK)
		return result == CP_ENOTFOUND
			       ? cp_errf(err, CP_ECORRUPT, "the journal key is missing")
			       : result;
	if (!cp_unhex(hex, db->journal_key, DB_KEY_LEN))
		return cp_errf(err, CP_ECORRUPT, "the journal key in the database is damaged");
	if (!db->start_key_set)
		cp_wipe(db->journal_key, DB_KEY_LEN);
	if ((result = cp_db_meta_get(db, "phone_key", hex, sizeof(hex), err)) != CP_OK)
		return result == CP_ENOTFOUND
			       ? cp_errf(err, CP_ECORRUPT, "the phone key is missing")
			       : result;
	if (!cp_unhex(hex, db->phone_key, DB_KEY_LEN))
		return cp_errf(err, CP_ECORRUPT, "the phone key in the database is damaged");
	cp_wipe(hex, sizeof(hex));
	return cp_db_zone_load(db, err);
}

enum cp_err cp_db_zone_set(struct cp_db *db, int utc_offset_min, struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	if (utc_offset_min < -840 || utc_offset_min > 840)
		return cp_errf(err, CP_EINVAL,
			       "a time zone is -840 to 840 minutes from UTC, not %d",
			       utc_offset_min);
	if ((result = cp_db_meta_set_int(db, "utc_offset_min", utc_offset_min, err)) != CP_OK)
		return result;
	st = cp_db_stmt(db,
			"INSERT OR REPLACE INTO row_mac(tbl, id, mac) SELECT 'meta', key,"
			" cp_row_mac('meta', json_array(key, value)) FROM meta"
			" WHERE key = 'utc_offset_min'",
			err);
	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "record the store's time zone", err);
	db->utc_offset_min = utc_offset_min;
	return CP_OK;
}

enum cp_err cp_db_zone_load(struct cp_db *db, struct cp_errbuf *err)
{
	int64_t off = 0;
	enum cp_err result = cp_db_meta_get_int(db, "utc_offset_min", &off, err);

	if (result == CP_ENOTFOUND && db->schema_limit > 0) {
		/* held at an older schema (tests of the upgrade): no zone recorded yet */
		db->utc_offset_min = cp_clock_local_offset_min(cp_db_now(db));
		return CP_OK;
	}
	if (result == CP_ENOTFOUND || (result == CP_OK && (off < -840 || off > 840)))
		return cp_errf(err, CP_ECORRUPT,
			       "the store's time zone (meta utc_offset_min) is missing or damaged; "
			       "run `counterpoint verify` and call IT");
	if (result != CP_OK)
		return result;
	db->utc_offset_min = (int)off;
	return CP_OK;
}

static enum cp_err migrate(struct cp_db *db, struct cp_errbuf *err)
{
	char msg[256] = "";
	int rc = cp_db_migrate_handle_to(
		db->h, db->schema_limit > 0 ? db->schema_limit : cp_db_schema_version(), msg,
		sizeof(msg));

	if (rc == SQLITE_SCHEMA)
		return cp_errf(err, CP_EVERSION, "%s: %s", db->path, msg);
	if (rc != SQLITE_OK) {
		enum cp_err e = cp_db_fail(db, rc, "migrate", err);

		return cp_errf(err, e, "%s: %s", db->path, msg);
	}
	return CP_OK;
}

static enum cp_err open_handle(struct cp_db **out, const struct cp_db_options *opt,
			       struct cp_errbuf *err)
{
	struct cp_db *db = calloc(1, sizeof(*db));
	int rc;

	if (!db)
		return cp_errf(err, CP_ENOMEM, "out of memory opening the database");
	apply_defaults(db, opt);
	rc = sqlite3_open_v2(opt->path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			     opt->wal_unbatched ? NULL : cp_db_vfs_name());
	if (rc != SQLITE_OK) {
		enum cp_err e = cp_errf(err, CP_EIO, "cannot open the database %s: %s", opt->path,
					db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));

		cp_db_close(db);
		return e;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, opt->busy_timeout_ms > 0 ? opt->busy_timeout_ms : 5000);
	rc = cp_rowmac_register(db->h, db);
	if (rc != SQLITE_OK) {
		enum cp_err e = cp_db_fail(db, rc, "register functions", err);

		cp_db_close(db);
		return e;
	}
	*out = db;
	return CP_OK;
}

/* A migration that failed: the message also says where the file as it was is. */
static void premigration_failed(struct cp_db *db, enum cp_err result, struct cp_errbuf *err)
{
	struct cp_errbuf why = {{0}};

	if (!err)
		return;
	why = *err;
	cp_errf(err, result, "%s (the database as it was before is kept at %s)",
		cp_errmsg(&why, result), db->premigration);
}

enum cp_err cp_db_open(struct cp_db **out, const struct cp_db_options *opt, struct cp_errbuf *err)
{
	struct cp_db *db = NULL;
	struct stat sb;
	enum cp_err result;
	int schema = 0;

	*out = NULL;
	if (!opt || !opt->path || !opt->path[0])
		return cp_errf(err, CP_ECONFIG, "no database path is configured");
	if (stat(opt->path, &sb) != 0)
		return cp_errf(err, CP_ENOTFOUND,
			       "no database at %s (%s); create one with `counterpoint init`",
			       opt->path, strerror(errno));
	if (access(opt->path, R_OK | W_OK) != 0)
		return cp_errf(err, CP_EIO, "cannot read and write the database %s (%s)", opt->path,
			       strerror(errno));
	if (sb.st_size == 0)
		return cp_errf(err, CP_ECORRUPT,
			       "%s is an empty file, not a Counterpoint database; it was left "
			       "untouched (create a database with `counterpoint init`)",
			       opt->path);
	if ((result = open_handle(&db, opt, err)) != CP_OK)
		return result;
	if ((result = inspect(db, &schema, err)) != CP_OK ||
	    (result = set_pragmas(db, opt, err)) != CP_OK)
		goto out;
	/* An upgrade keeps the file as it was before changing it (backup.c). */
	if (schema < (db->schema_limit > 0 ? db->schema_limit : cp_db_schema_version()) &&
	    (result = cp_backup_before_migration(db, schema, err)) != CP_OK)
		goto out;
	if ((result = migrate(db, err)) != CP_OK) {
		if (db->premigration[0])
			premigration_failed(db, result, err);
		goto out;
	}
	result = load_identity(db, err);
out:
	if (result != CP_OK)
		cp_db_close(db);
	else
		*out = db;
	return result;
}

static enum cp_err new_key(struct cp_db *db, const char *name, uint8_t *key, struct cp_errbuf *err)
{
	char hex[2 * DB_KEY_LEN + 1];
	enum cp_err result;

	if (cp_rand_bytes(key, DB_KEY_LEN) != 0)
		return cp_errf(err, CP_EIO, "the system entropy source failed");
	cp_hex(key, DB_KEY_LEN, hex);
	result = cp_db_meta_set(db, name, hex, err);
	cp_wipe(hex, sizeof(hex));
	return result;
}

/* Removes a database file and its WAL companions; missing ones are fine. */
static enum cp_err remove_files(const char *path, struct cp_errbuf *err)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[1100];

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		if (unlink(p) != 0 && errno != ENOENT)
			return cp_errf(err, CP_EIO, "cannot remove %s: %s", p, strerror(errno));
	}
	return CP_OK;
}

static enum cp_err create_file(const char *path, bool force, struct cp_errbuf *err)
{
	enum cp_err result;
	mode_t mode;
	int fd;

	if (!force && access(path, F_OK) == 0)
		return cp_errf(err, CP_EEXIST,
			       "%s already exists; use --force to replace it (its sales would be "
			       "lost)",
			       path);
	if (force && (result = remove_files(path, err)) != CP_OK)
		return result;
	mode = (mode_t)cp_paths_file_mode(path);
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode);
	if (fd < 0)
		return cp_errf(err, errno == EEXIST ? CP_EEXIST : CP_EIO, "cannot create %s: %s",
			       path, strerror(errno));
	fchmod(fd, mode);
	close(fd);
	return CP_OK;
}

enum cp_err cp_db_create(struct cp_db **out, const struct cp_db_options *opt,
			 const struct cp_db_init *init, struct cp_errbuf *err)
{
	struct cp_db *db = NULL;
	enum cp_err result;

	*out = NULL;
	if (!opt || !opt->path || !opt->path[0])
		return cp_errf(err, CP_ECONFIG, "no database path is configured");
	if (!cp_db_id_ok(init->store_id) || !cp_db_id_ok(init->terminal_id))
		return cp_errf(
			err, CP_EINVAL,
			"store and terminal ids must be 1 to 16 letters, digits, '-' or '_'");
	if ((result = create_file(opt->path, init->force, err)) != CP_OK)
		return result;
	if ((result = open_handle(&db, opt, err)) != CP_OK)
		return result;
	if ((result = set_pragmas(db, opt, err)) != CP_OK || (result = migrate(db, err)) != CP_OK)
		goto out;
	if ((result = cp_db_exec(db, DB_SET_APPLICATION_ID, err)) != CP_OK ||
	    (result = cp_db_begin(db, err)) != CP_OK)
		goto out;
	if ((result = cp_db_meta_set(db, "store_id", init->store_id, err)) ||
	    (result = cp_db_meta_set(db, "terminal_id", init->terminal_id, err)) ||
	    (result = cp_db_meta_set_int(db, "receipt_seq", 0, err)) ||
	    (result = cp_db_meta_set_int(db, "member_seq", 0, err)) ||
	    (result = cp_db_meta_set_int(db, "acked_seq", 0, err)) ||
	    (result = new_key(db, "journal_key", db->journal_key, err)) ||
	    (result = cp_db_meta_set_int(db, "journal_key_seq", 1, err)) ||
	    (result = cp_db_meta_set_int(db, "seal_from", 1, err)) ||
	    (result = new_key(db, "phone_key", db->phone_key, err)) ||
	    (result = cp_db_commit(db, err))) {
		cp_db_rollback(db);
		goto out;
	}
	db->start_key_set =
		true; /* this handle made it: it may give it out (cp_journal_start_key) */
	result = load_identity(db, err);
out:
	if (result != CP_OK) {
		cp_db_close(db);
		remove_files(opt->path, NULL);
	} else {
		*out = db;
	}
	return result;
}

void cp_db_close(struct cp_db *db)
{
	if (!db)
		return;
	for (int i = 0; i < db->ncache; i++)
		sqlite3_finalize(db->cache[i].st);
	if (db->h)
		sqlite3_close(db->h);
	free(db->cart_memo);
	free(db->member_memo);
	free(db->life_memo);
	cp_hmac_free(db->row_key);
	cp_wipe(db, sizeof(*db));
	free(db);
}

const char *cp_db_store_id(const struct cp_db *db)
{
	return db->store_id;
}

const char *cp_db_terminal_id(const struct cp_db *db)
{
	return db->terminal_id;
}

void cp_db_store_name(struct cp_db *db, char *out, size_t outlen)
{
	if (cp_db_meta_get(db, "store_name", out, outlen, NULL) != CP_OK && outlen)
		out[0] = '\0';
}

int64_t cp_db_now(const struct cp_db *db)
{
	return cp_clock_now(&db->clock);
}

void cp_db_checkpoint(struct cp_db *db)
{
	if (db->wal_manual && db->wal_frames == 0)
		return; /* nothing written here since the last one */
	if (sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) ==
	    SQLITE_OK)
		db->wal_frames = 0;
}

bool cp_db_checkpoint_due(struct cp_db *db)
{
	if (!db->wal_manual || db->wal_frames < CP_DB_WAL_CHECKPOINT_FRAMES)
		return false;
	cp_db_checkpoint(db);
	return true;
}
