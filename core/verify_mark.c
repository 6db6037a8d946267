/* verify_mark.c — the journal checked at every start from where the last start left off: meta
 * verified_mark holds "SEQ:HASH" of the newest row a start (or init) found sound, its keyed
 * checksum in row_mac beside the HQ-fed rows' (the key is in the same file: this finds a
 * careless edit or a mark moved by hand, not a forger who reads the key — README). A start
 * reads the mark's row and the rows after it, never the rows before. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_crypto.h"
#include "verify_mark_int.h"

#define MARK_KEY "verified_mark"
#define MARK_LEN (24 + 1 + 2 * JOURNAL_HASH_LEN)

static const char what_to_do[] =
	"do not sell on it: restore it from a backup, or sync and enrol again on a new "
	"database, and call IT";

enum cp_err cp_verify_columns(json_t *p, int64_t seq, const char *event_id, const char *type,
			      int64_t at, struct cp_errbuf *err)
{
	json_t *v;

	if (!json_is_integer(v = json_object_get(p, "seq")) || json_integer_value(v) != seq ||
	    !json_is_string(v = json_object_get(p, "event_id")) ||
	    strcmp(json_string_value(v), event_id) != 0 ||
	    !json_is_string(v = json_object_get(p, "type")) ||
	    strcmp(json_string_value(v), type) != 0 ||
	    !json_is_integer(v = json_object_get(p, "at")) || json_integer_value(v) != at)
		return cp_errf(err, CP_ECORRUPT,
			       "journal sequence %lld: its columns differ from its payload",
			       (long long)seq);
	return CP_OK;
}

/* The mark as stored: *seq 0 when there is none. CP_ECORRUPT when its checksum does not hold
 * or it does not parse. */
static enum cp_err mark_read(struct cp_db *db, int64_t *seq, uint8_t hash[JOURNAL_HASH_LEN],
			     struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"SELECT m.value, r.mac IS NOT NULL AND r.mac = cp_row_mac('meta',"
		" json_array(m.key, m.value)) FROM meta m LEFT JOIN row_mac r ON r.tbl = 'meta'"
		" AND r.id = m.key WHERE m.key = '" MARK_KEY "'",
		err);
	char value[MARK_LEN + 1] = "", *colon, *end;
	enum cp_err result = CP_OK;
	bool sealed = false;
	int rc;

	*seq = 0;
	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		cp_db_col_text(st, 0, value, sizeof(value));
		sealed = sqlite3_column_int(st, 1) == 1;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return CP_OK;
	if (rc != SQLITE_ROW)
		return cp_db_fail(db, rc, "read the journal's verified mark", err);
	colon = strchr(value, ':');
	if (sealed && colon && colon > value) {
		*colon = '\0';
		*seq = strtoll(value, &end, 10);
		if (*end || *seq < 1 || strlen(colon + 1) != 2 * JOURNAL_HASH_LEN ||
		    !cp_unhex(colon + 1, hash, JOURNAL_HASH_LEN))
			sealed = false;
	}
	if (!sealed) {
		*seq = 0;
		result = cp_errf(
			err, CP_ECORRUPT,
			"the journal's verified mark (meta verified_mark) does not match its "
			"checksum: it was changed outside Counterpoint; %s",
			what_to_do);
	}
	return result;
}

/* Inside a transaction: the mark at row seq, with its checksum. */
static enum cp_err mark_write(struct cp_db *db, int64_t seq, const uint8_t hash[JOURNAL_HASH_LEN],
			      struct cp_errbuf *err)
{
	char value[MARK_LEN + 1], hex[2 * JOURNAL_HASH_LEN + 1];
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	cp_hex(hash, JOURNAL_HASH_LEN, hex);
	snprintf(value, sizeof(value), "%lld:%s", (long long)seq, hex);
	if ((result = cp_db_meta_set(db, MARK_KEY, value, err)) != CP_OK)
		return result;
	if (!(st = cp_db_stmt(db,
			      "INSERT OR REPLACE INTO row_mac(tbl, id, mac) SELECT 'meta', key,"
			      " cp_row_mac('meta', json_array(key, value)) FROM meta"
			      " WHERE key = '" MARK_KEY "'",
			      err)))
		return CP_EDB;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "keep the verified mark", err);
}

/* One row after the mark: JSON whose fields say what the columns say, of a known type. */
static bool row_sound(sqlite3_stmt *st, int64_t seq)
{
	const char *event_id = (const char *)sqlite3_column_text(st, 1);
	const char *type = (const char *)sqlite3_column_text(st, 2);
	const char *text = (const char *)sqlite3_column_text(st, 4);
	json_t *p = text ? json_loadb(text, (size_t)sqlite3_column_bytes(st, 4),
				      JSON_REJECT_DUPLICATES, NULL)
			 : NULL;
	bool ok = json_is_object(p) && event_id && type &&
		  cp_verify_columns(p, seq, event_id, type, sqlite3_column_int64(st, 3), NULL) ==
			  CP_OK &&
		  cp_journal_apply_for(type);

	json_decref(p);
	return ok;
}

/* The mark's row and the rows after it, in order. *bad: the first row that does not hold (or
 * is missing); *mark_bad: it is the mark's own row. */
static enum cp_err walk(struct cp_db *db, int64_t from, const uint8_t mark[JOURNAL_HASH_LEN],
			struct cp_verify_mark_stats *s, uint8_t last[JOURNAL_HASH_LEN],
			int64_t *bad, bool *mark_bad, struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	uint8_t prev[JOURNAL_HASH_LEN] = {0};
	int64_t expect = from ? from : 1;
	enum cp_err result = CP_OK;
	int rc = sqlite3_prepare_v2(db->h,
				    "SELECT seq, event_id, type, created_at, payload, prev_hash,"
				    " hash FROM journal WHERE seq >= ?1 ORDER BY seq",
				    -1, &st, NULL);

	*bad = 0;
	*mark_bad = false;
	if (rc != SQLITE_OK)
		return cp_db_fail(db, rc, "read journal", err);
	sqlite3_bind_int64(st, 1, expect);
	while (!*bad && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);
		bool hashes = sqlite3_column_bytes(st, 5) == JOURNAL_HASH_LEN &&
			      sqlite3_column_bytes(st, 6) == JOURNAL_HASH_LEN;

		s->rows_read++;
		if (seq != expect)
			*bad = expect;
		else if (from && seq == from)
			*bad = hashes && cp_ct_equal(sqlite3_column_blob(st, 6), mark,
						     JOURNAL_HASH_LEN)
				       ? 0
				       : seq;
		else if (!hashes ||
			 memcmp(sqlite3_column_blob(st, 5), prev, JOURNAL_HASH_LEN) != 0 ||
			 !row_sound(st, seq))
			*bad = seq;
		if (!*bad) {
			memcpy(prev, sqlite3_column_blob(st, 6), JOURNAL_HASH_LEN);
			s->last = seq;
			expect++;
		}
	}
	if (!*bad && rc != SQLITE_DONE)
		result = cp_db_fail(db, rc, "read journal", err);
	else if (!*bad && from && s->last < from)
		*bad = from;
	*mark_bad = from && *bad == from;
	sqlite3_finalize(st);
	memcpy(last, prev, JOURNAL_HASH_LEN);
	return result;
}

enum cp_err cp_verify_mark_check(struct cp_db *db, struct cp_verify_mark_stats *stats,
				 struct cp_errbuf *err)
{
	struct cp_verify_mark_stats s = {0};
	uint8_t mark[JOURNAL_HASH_LEN] = {0}, last[JOURNAL_HASH_LEN];
	struct cp_errbuf ignored;
	enum cp_err result;
	bool mark_bad = false;
	int64_t bad = 0;
	int own = 0;

	if ((result = mark_read(db, &s.from, mark, err)) != CP_OK)
		goto out;
	if ((result = walk(db, s.from, mark, &s, last, &bad, &mark_bad, err)) != CP_OK)
		goto out;
	if (mark_bad) {
		result = cp_errf(err, CP_ECORRUPT,
				 "journal sequence %lld, which a start verified, was changed or "
				 "removed since; %s",
				 (long long)bad, what_to_do);
		goto out;
	}
	if (bad) {
		result = cp_errf(err, CP_ECORRUPT,
				 "the journal's rows since the last start do not verify (sequence "
				 "%lld is damaged, changed or missing); %s",
				 (long long)bad, what_to_do);
		goto out;
	}
	if (s.last > s.from && cp_db_tx_begin_light(db, &own, &ignored) == CP_OK)
		cp_db_tx_end(db, own, mark_write(db, s.last, last, &ignored), &ignored);
out:
	if (stats)
		*stats = s;
	return result;
}

enum cp_err cp_verify_mark_holds(struct cp_db *db, struct cp_errbuf *err)
{
	uint8_t mark[JOURNAL_HASH_LEN];
	sqlite3_stmt *st;
	int64_t seq;
	enum cp_err result = mark_read(db, &seq, mark, err);
	bool same;
	int rc;

	if (result != CP_OK || !seq)
		return result;
	if (!(st = cp_db_stmt(db, "SELECT hash FROM journal WHERE seq = ?1", err)))
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	rc = sqlite3_step(st);
	same = rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == JOURNAL_HASH_LEN &&
	       cp_ct_equal(sqlite3_column_blob(st, 0), mark, JOURNAL_HASH_LEN);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read journal", err);
	if (!same)
		return cp_errf(err, CP_ECORRUPT,
			       "journal sequence %lld is not the row a start verified (meta "
			       "verified_mark): it was changed or removed after it was verified",
			       (long long)seq);
	return CP_OK;
}
