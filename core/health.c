/* health.c — whether a database may be sold on, checked as a front end starts: SQLite's
 * quick_check and the newest journal rows. A full `verify` replays everything; this is the
 * part cheap enough for every start, and enough to stop selling on a damaged file. */
#include <stdio.h>
#include <string.h>

#include "cp_crypto.h"
#include "health.h"
#include "journal_int.h"
#include "seal_int.h"
#include "verify_mark_int.h"

/* How many of the newest journal rows are checked at start. */
#define HEALTH_ROWS 16

static const char what_to_do[] =
	"do not sell on it: restore it from a backup, or sync and enrol again on a new "
	"database, and call IT";

/* quick_check's report, its lines joined into one. */
static enum cp_err quick_check(struct cp_db *db, struct cp_errbuf *err)
{
	char found[512] = "";
	size_t used = 0;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db->h, "PRAGMA quick_check(8)", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return cp_errf(err, CP_ECORRUPT, "the database %s cannot be checked (%s); %s",
			       db->path, sqlite3_errmsg(db->h), what_to_do);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(st, 0);
		char flat[256];

		if (line && strcmp(line, "ok") == 0)
			break;
		if (used < sizeof(found) - 1)
			used += (size_t)snprintf(
				found + used, sizeof(found) - used, "%s%s", used ? "; " : "",
				cp_db_one_line(line ? line : "?", flat, sizeof(flat)));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_errf(err, CP_ECORRUPT, "the database %s is damaged (%s); %s", db->path,
			       sqlite3_errstr(rc), what_to_do);
	if (used)
		return cp_errf(err, CP_ECORRUPT, "the database %s is damaged (quick_check: %s); %s",
			       db->path, found, what_to_do);
	return CP_OK;
}

/* The row's columns against its payload. */
static bool row_says(sqlite3_stmt *st)
{
	const char *text = (const char *)sqlite3_column_text(st, 4);
	json_t *p = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
	const char *id = (const char *)sqlite3_column_text(st, 1);
	const char *type = (const char *)sqlite3_column_text(st, 2);
	bool ok = json_is_object(p) && id && type &&
		  json_integer_value(json_object_get(p, "seq")) == sqlite3_column_int64(st, 0) &&
		  json_integer_value(json_object_get(p, "at")) == sqlite3_column_int64(st, 3) &&
		  json_is_string(json_object_get(p, "event_id")) &&
		  strcmp(json_string_value(json_object_get(p, "event_id")), id) == 0 &&
		  json_is_string(json_object_get(p, "type")) &&
		  strcmp(json_string_value(json_object_get(p, "type")), type) == 0;

	json_decref(p);
	return ok;
}

/* The newest rows, newest first: each row's prev_hash is the hash of the row read next. */
static enum cp_err newest_rows(struct cp_db *db, int64_t *last, struct cp_errbuf *err)
{
	uint8_t want_hash[JOURNAL_HASH_LEN];
	int64_t want_seq = 0, bad = 0;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(
		db->h,
		"SELECT seq, event_id, type, created_at, payload, prev_hash, hash"
		" FROM journal ORDER BY seq DESC LIMIT ?1",
		-1, &st, NULL);

	if (rc != SQLITE_OK)
		return cp_errf(err, CP_ECORRUPT, "the journal cannot be read (%s); %s",
			       sqlite3_errmsg(db->h), what_to_do);
	sqlite3_bind_int(st, 1, HEALTH_ROWS);
	*last = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);

		if (!*last)
			*last = seq;
		if ((want_seq && seq != want_seq) ||
		    sqlite3_column_bytes(st, 6) != JOURNAL_HASH_LEN ||
		    sqlite3_column_bytes(st, 5) != JOURNAL_HASH_LEN ||
		    (want_seq &&
		     memcmp(sqlite3_column_blob(st, 6), want_hash, JOURNAL_HASH_LEN) != 0) ||
		    !row_says(st)) {
			bad = want_seq && seq != want_seq ? want_seq : seq;
			break;
		}
		memcpy(want_hash, sqlite3_column_blob(st, 5), JOURNAL_HASH_LEN);
		want_seq = seq - 1;
	}
	sqlite3_finalize(st);
	if (bad)
		return cp_errf(err, CP_ECORRUPT,
			       "the journal's newest rows do not verify (sequence %lld is damaged, "
			       "changed or missing); %s",
			       (long long)bad, what_to_do);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_errf(err, CP_ECORRUPT, "the journal cannot be read (%s); %s",
			       sqlite3_errstr(rc), what_to_do);
	return CP_OK;
}

enum cp_err cp_health_check(struct cp_db *db, struct cp_errbuf *err)
{
	uint8_t key[DB_KEY_LEN];
	int64_t last = 0, key_seq = 0;
	enum cp_err result;

	if ((result = quick_check(db, err)) != CP_OK ||
	    (result = newest_rows(db, &last, err)) != CP_OK)
		return result;
	result = cp_seal_current(db, key, &key_seq, err);
	cp_wipe(key, sizeof(key));
	if (result != CP_OK)
		return result; /* its messages say what to do */
	if (key_seq != last + 1)
		return cp_errf(err, CP_ECORRUPT,
			       "the journal's newest rows do not verify (it ends at sequence %lld "
			       "but its sealing key is for %lld: rows were removed); %s",
			       (long long)last, (long long)key_seq, what_to_do);
	/* every row since the last start's check (issue 14) */
	return cp_verify_mark_check(db, NULL, err);
}
