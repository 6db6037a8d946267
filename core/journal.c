/* journal.c — appending events to the journal: the gapless sequence, the canonical payload
 * (jansson, sorted keys, compact), the HMAC-SHA256 chain, and the dispatch to each type's
 * apply function, so the tables are always written from the payload that was hashed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "cp_crypto.h"
#include "cp_rand.h"
#include "events_int.h"
#include "journal.h"
#include "report_int.h"
#include "seal_int.h"

static const struct {
	const char *type;
	journal_apply_fn apply;
} appliers[] = {
	{"sale", cp_sale_apply},
	{"refund", cp_refund_apply},
	{"void", cp_refund_apply},
	{"member_register", cp_member_register_apply},
	{"clock_confirm", cp_clockcheck_confirm_apply},
	{"cart_takeover", cp_cart_takeover_apply},
	{"shift_open", cp_shift_open_apply},
	{"shift_move", cp_shift_move_apply},
	{"shift_close", cp_shift_close_apply},
	{"day_close", cp_day_close_apply},
	{"guide_bind", cp_guide_event_apply},
	{"guide_refresh", cp_guide_event_apply},
	{"guide_takeover", cp_guide_event_apply},
	{"guide_unbind", cp_guide_event_apply},
	{"staff_unlock", cp_staff_admin_apply},
	{"staff_reset_pin", cp_staff_admin_apply},
	{"coupon_exchange", cp_coupon_exchange_apply},
	{"benefit_grant", cp_benefit_grant_apply},
	{"cart_cancel", cp_cart_cancel_apply},
	{"refund_noreceipt", cp_refund_noreceipt_apply},
};

journal_apply_fn cp_journal_apply_for(const char *type)
{
	for (size_t i = 0; i < sizeof(appliers) / sizeof(appliers[0]); i++)
		if (strcmp(appliers[i].type, type) == 0)
			return appliers[i].apply;
	return NULL;
}

int cp_journal_hash(const uint8_t *key, const uint8_t prev[JOURNAL_HASH_LEN], int64_t seq,
		    const char *payload, size_t len, uint8_t out[JOURNAL_HASH_LEN])
{
	uint8_t be[8];
	const void *parts[3] = {prev, be, payload};
	size_t lens[3] = {JOURNAL_HASH_LEN, sizeof(be), len};

	for (int i = 0; i < 8; i++)
		be[i] = (uint8_t)((uint64_t)seq >> (56 - 8 * i));
	return cp_hmac_sha256(key, DB_KEY_LEN, parts, lens, 3, out);
}

int cp_journal_hash_keyed(struct cp_hmac *key, const uint8_t prev[JOURNAL_HASH_LEN], int64_t seq,
			  const char *payload, size_t len, uint8_t out[JOURNAL_HASH_LEN])
{
	uint8_t be[8];
	const void *parts[3] = {prev, be, payload};
	size_t lens[3] = {JOURNAL_HASH_LEN, sizeof(be), len};

	for (int i = 0; i < 8; i++)
		be[i] = (uint8_t)((uint64_t)seq >> (56 - 8 * i));
	return cp_hmac_mac(key, parts, lens, 3, out);
}

/* The last row's sequence and hash; seq 0 and a zero hash for an empty journal. */
static enum cp_err last_row(struct cp_db *db, int64_t *seq, uint8_t hash[JOURNAL_HASH_LEN],
			    int64_t *at, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "SELECT seq, hash, created_at FROM journal ORDER BY seq DESC LIMIT 1", err);
	int rc;

	if (!st)
		return CP_EDB;
	*seq = 0;
	*at = 0;
	memset(hash, 0, JOURNAL_HASH_LEN);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 1) != JOURNAL_HASH_LEN) {
			sqlite3_reset(st);
			return cp_errf(err, CP_ECORRUPT,
				       "the last journal row has a damaged hash; run verify");
		}
		*seq = sqlite3_column_int64(st, 0);
		memcpy(hash, sqlite3_column_blob(st, 1), JOURNAL_HASH_LEN);
		*at = sqlite3_column_int64(st, 2);
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "read journal", err);
}

/* 2020-01-01 .. 2100-01-01 UTC: a clock outside is not believed, nor can it be confirmed. */
bool cp_clockcheck_plausible(int64_t now)
{
	return now >= INT64_C(1577836800000) && now <= INT64_C(4102444800000);
}

/* A clock more than a day behind the newest event, or outside 2020..2100, is not believed;
 * a manager's confirmation (a clock_confirm event) is the one event that may be that far
 * behind, and the events after it compare with it. */
static enum cp_err check_clock(int64_t now, int64_t last_at, const char *type,
			       struct cp_errbuf *err)
{
	char a[32], b[32];

	if (!cp_clockcheck_plausible(now)) {
		cp_clock_iso(now, a);
		return cp_errf(err, CP_ECLOCK,
			       "the clock says %s, which cannot be right; fix the date and time "
			       "before selling",
			       a);
	}
	if (last_at - now > CP_CLOCK_BEHIND_MS && strcmp(type, "clock_confirm") != 0) {
		cp_clock_iso(now, a);
		cp_clock_iso(last_at, b);
		return cp_errf(err, CP_ECLOCK,
			       "the clock says %s, more than a day before the last recorded event "
			       "(%s); fix the date and time, or have a manager confirm that the "
			       "clock is right",
			       a, b);
	}
	return CP_OK;
}

/* What the transaction records, for cp_db_commit to settle if its COMMIT fails: the event id, and
 * how a person finds it again (its receipt or member number when it has one). */
static void note_event(struct cp_db *db, const char *type, const char *event_id, int64_t seq,
		       json_t *payload)
{
	static const struct {
		const char *type, *noun, *key;
	} names[] = {
		{"sale", "the sale", "receipt"},
		{"refund", "the refund", "receipt"},
		{"void", "the post-void", "receipt"},
		{"refund_noreceipt", "the refund without a receipt", "receipt"},
		{"member_register", "the registration of member", "member"},
		{"clock_confirm", "the clock confirmation", NULL},
	};
	const char *noun = "the event", *ref = NULL;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(names[i].type, type) == 0) {
			noun = names[i].noun;
			ref = names[i].key
				      ? json_string_value(json_object_get(payload, names[i].key))
				      : NULL;
		}
	}
	db->tx_event.set = true;
	snprintf(db->tx_event.event_id, sizeof(db->tx_event.event_id), "%s", event_id);
	if (ref)
		snprintf(db->tx_event.what, sizeof(db->tx_event.what), "%s %s", noun, ref);
	else
		snprintf(db->tx_event.what, sizeof(db->tx_event.what), "%s (journal %lld)", noun,
			 (long long)seq);
}

static bool has_receipt(const char *type)
{
	return strcmp(type, "sale") == 0 || strcmp(type, "refund") == 0 ||
	       strcmp(type, "void") == 0 || strcmp(type, "refund_noreceipt") == 0;
}

/* The handle keeps the journal's newest receipt number with the last row it was true at, as
 * the row just appended (seq, hash) makes it: a rolled-back or removed row, or another
 * handle's, is never that row, and the number is read again from the journal. */
static void note_receipt(struct cp_db *db, const char *type, json_t *payload, int64_t seq,
			 const uint8_t prev[JOURNAL_HASH_LEN], const uint8_t hash[JOURNAL_HASH_LEN])
{
	const char *r;
	int64_t n = 0;

	if (has_receipt(type)) {
		r = json_string_value(json_object_get(payload, "receipt"));
		if (!r || !cp_journal_counter_of(r, db->store_id, db->terminal_id, &n))
			n = 0;
	} else if (db->receipt_memo.set && db->receipt_memo.seq == seq - 1 &&
		   memcmp(db->receipt_memo.hash, prev, JOURNAL_HASH_LEN) == 0) {
		n = db->receipt_memo.n;
	} else {
		db->receipt_memo.set = false;
		return;
	}
	db->receipt_memo.set = true;
	db->receipt_memo.seq = seq;
	db->receipt_memo.n = n;
	memcpy(db->receipt_memo.hash, hash, JOURNAL_HASH_LEN);
}

enum cp_err cp_journal_record(struct cp_db *db, const char *type, json_t *payload, int64_t *seq_out,
			      uint8_t hash_out[JOURNAL_HASH_LEN], struct cp_errbuf *err)
{
	uint8_t prev[JOURNAL_HASH_LEN], hash[JOURNAL_HASH_LEN];
	struct cp_hmac *key = NULL;
	char event_id[CP_UUID_LEN + 1];
	int64_t seq, last_at, now = cp_db_now(db);
	journal_apply_fn apply = cp_journal_apply_for(type);
	enum cp_err result;
	sqlite3_stmt *st;
	char *text = NULL;
	size_t text_len;
	int rc;

	if (!apply)
		return cp_errf(err, CP_EINVAL, "unknown journal event type %s", type);
	/* Only inside the caller's transaction: SQLite rolls a transaction back by itself after
	 * some errors (out of memory, I/O), and a row written then would commit on its own,
	 * without the counters and rows written before it (issue 13: a refund whose receipt
	 * number was in the journal while meta receipt_seq was not). */
	if (sqlite3_get_autocommit(db->h))
		return cp_errf(
			err, CP_EDB,
			"the database undid the transaction after an error (out of memory or "
			"a disk error); nothing was recorded: try again");
	if (db->light) /* cp_db_begin_light: its commit is not flushed */
		return cp_errf(err, CP_EDB,
			       "internal error: a journal event in a cart edit's transaction");
	if ((result = last_row(db, &seq, prev, &last_at, err)) != CP_OK)
		return result;
	if ((result = check_clock(now, last_at, type, err)) != CP_OK)
		return result;
	seq++;
	if (cp_uuid4(event_id) != 0)
		return cp_errf(err, CP_EIO, "the system entropy source failed");
	if (json_object_set_new(payload, "type", json_string(type)) ||
	    json_object_set_new(payload, "event_id", json_string(event_id)) ||
	    json_object_set_new(payload, "at", json_integer(now)) ||
	    json_object_set_new(payload, "seq", json_integer(seq)) ||
	    json_object_set_new(payload, "store", json_string(db->store_id)) ||
	    json_object_set_new(payload, "terminal", json_string(db->terminal_id)))
		return cp_errf(err, CP_ENOMEM, "out of memory building the journal payload");
	text = cp_canon_dump(payload, &text_len);
	if (!text)
		return cp_errf(
			err, CP_EINVAL,
			"cannot write the journal payload: out of memory, or text that is not "
			"UTF-8");
	if ((result = cp_seal_take(db, seq, &key, err)) != CP_OK)
		goto out;
	rc = cp_journal_hash_keyed(key, prev, seq, text, text_len, hash);
	cp_hmac_free(key);
	if (rc != 0) {
		result = cp_errf(err, CP_EIO, "cannot compute the journal hash");
		goto out;
	}
	result = CP_EDB;
	st = cp_db_stmt(
		db,
		"INSERT INTO journal(seq, event_id, type, created_at, payload, prev_hash, hash)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
		err);
	if (!st)
		goto out;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, event_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, prev, JOURNAL_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, hash, JOURNAL_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		result = cp_db_fail(db, rc, "append to the journal", err);
		goto out;
	}
	if ((result = apply(db, seq, payload, err)) != CP_OK ||
	    (result = cp_report_note_day(db, seq, type, payload, err)) != CP_OK)
		goto out;
	note_event(db, type, event_id, seq, payload);
	note_receipt(db, type, payload, seq, prev, hash);
	if (seq_out)
		*seq_out = seq;
	if (hash_out)
		memcpy(hash_out, hash, JOURNAL_HASH_LEN);
out:
	free(text);
	return result;
}

enum cp_err cp_journal_status(struct cp_db *db, struct cp_journal_status *out,
			      struct cp_errbuf *err)
{
	uint8_t hash[JOURNAL_HASH_LEN];
	enum cp_err result = last_row(db, &out->last_seq, hash, &out->last_at, err);

	if (result != CP_OK)
		return result;
	return cp_db_meta_get_int(db, "acked_seq", &out->acked_seq, err);
}

enum cp_err cp_jget_int(json_t *o, const char *key, int64_t *out, struct cp_errbuf *err)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		return cp_errf(err, CP_ECORRUPT,
			       "journal payload: \"%s\" is missing or not a number", key);
	*out = json_integer_value(v);
	return CP_OK;
}

enum cp_err cp_jget_str(json_t *o, const char *key, const char **out, struct cp_errbuf *err)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return cp_errf(err, CP_ECORRUPT, "journal payload: \"%s\" is missing or not text",
			       key);
	*out = json_string_value(v);
	return CP_OK;
}

enum cp_err cp_jget_str_or_null(json_t *o, const char *key, const char **out, struct cp_errbuf *err)
{
	json_t *v = json_object_get(o, key);

	if (json_is_null(v)) {
		*out = NULL;
		return CP_OK;
	}
	return cp_jget_str(o, key, out, err);
}

enum cp_err cp_jget_array(json_t *o, const char *key, json_t **out, struct cp_errbuf *err)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_array(v))
		return cp_errf(err, CP_ECORRUPT, "journal payload: \"%s\" is missing or not a list",
			       key);
	*out = v;
	return CP_OK;
}

enum cp_err cp_movement_insert(struct cp_db *db, int64_t seq, int n, const char *member_id,
			       const char *kind, int64_t points, int64_t growth,
			       struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   "INSERT INTO movement(seq, n, member_id, kind, points, growth)"
			   " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
			   err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int(st, 2, n);
	sqlite3_bind_text(st, 3, member_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, points);
	sqlite3_bind_int64(st, 6, growth);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record points movement", err);
}

enum cp_err cp_tender_insert(struct cp_db *db, int64_t seq, int n, const char *method,
			     int64_t amount, const char *ref, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "INSERT INTO tender(seq, n, method, amount, ref) VALUES(?1, ?2, ?3, ?4, ?5)",
		err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int(st, 2, n);
	sqlite3_bind_text(st, 3, method, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, amount);
	if (ref)
		sqlite3_bind_text(st, 5, ref, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 5);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record tender", err);
}

bool cp_journal_counter_of(const char *id, const char *store, const char *terminal, int64_t *n)
{
	size_t ls = strlen(store), lt = strlen(terminal);
	const char *digits;
	int64_t v = 0;

	if (strncmp(id, store, ls) != 0 || id[ls] != '-' ||
	    strncmp(id + ls + 1, terminal, lt) != 0 || id[ls + 1 + lt] != '-')
		return false;
	digits = id + ls + lt + 2;
	if (!*digits || strlen(digits) > 15)
		return false;
	for (const char *c = digits; *c; c++) {
		if (*c < '0' || *c > '9')
			return false;
		v = v * 10 + (*c - '0');
	}
	*n = v;
	return true;
}

/* The number of the newest receipt the journal holds (receipts rise in journal order, which
 * verify checks); 0 when none. */
static enum cp_err newest_receipt(struct cp_db *db, int64_t *out, struct cp_errbuf *err)
{
	/* CASE, not IN (...): a list of constants is built into a temporary B-tree at every run. */
	sqlite3_stmt *st;
	uint8_t hash[JOURNAL_HASH_LEN];
	int64_t seq, at;
	enum cp_err result = last_row(db, &seq, hash, &at, err);
	const char *r;
	int rc;

	if (result != CP_OK)
		return result;
	if (db->receipt_memo.set && db->receipt_memo.seq == seq &&
	    memcmp(db->receipt_memo.hash, hash, JOURNAL_HASH_LEN) == 0) {
		*out = db->receipt_memo.n;
		return CP_OK;
	}
	st = cp_db_stmt(
		db,
		"SELECT json_extract(payload, '$.receipt') FROM journal"
		" WHERE CASE type WHEN 'sale' THEN 1 WHEN 'refund' THEN 1 WHEN 'void' THEN 1"
		" WHEN 'refund_noreceipt' THEN 1 ELSE 0 END ORDER BY seq DESC LIMIT 1",
		err);
	if (!st)
		return CP_EDB;
	*out = 0;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (r = (const char *)sqlite3_column_text(st, 0)) &&
	    !cp_journal_counter_of(r, db->store_id, db->terminal_id, out))
		*out = 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read journal", err);
	db->receipt_memo.set = true;
	db->receipt_memo.seq = seq;
	db->receipt_memo.n = *out;
	memcpy(db->receipt_memo.hash, hash, JOURNAL_HASH_LEN);
	return CP_OK;
}

enum cp_err cp_receipt_next(struct cp_db *db, char *out, size_t outlen, struct cp_errbuf *err)
{
	int64_t n, newest;
	enum cp_err result = cp_db_meta_get_int(db, "receipt_seq", &n, err);

	if (result != CP_OK || (result = newest_receipt(db, &newest, err)) != CP_OK)
		return result;
	/* Past the counter and every receipt recorded: a number once issued is never issued
	 * again, whether the counter was set back or the journal's tail was cut. */
	if (newest > n)
		n = newest;
	if (n < 0 || n >= INT64_C(999999999999999))
		return cp_errf(
			err, CP_ECORRUPT,
			"the receipt counter is damaged (%lld); run `counterpoint verify` and "
			"call IT",
			(long long)n);
	n++;
	if ((result = cp_db_meta_set_int(db, "receipt_seq", n, err)) != CP_OK)
		return result;
	snprintf(out, outlen, "%s-%s-%06lld", db->store_id, db->terminal_id, (long long)n);
	return CP_OK;
}

/* Inside a write transaction of its own: whether the event is in the journal as every
 * connection sees it, and when it is not, a write that makes sure it never will be. A failed
 * COMMIT leaves its frames in the WAL past what the wal-index shows; the next writer's frames
 * go to the same place, and its successful COMMIT (synced) leaves the old frames after it
 * with a broken checksum chain, so no later recovery can bring them back. The meta value is
 * the event's own id, so the sealing frames cannot be the same bytes as the lost ones. */
static enum cp_err seal(struct cp_db *db, const char *event_id, bool *recorded,
			struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	*recorded = false;
	if ((result = cp_db_begin(db, err)) != CP_OK)
		return result;
	if (!(st = cp_db_stmt(db, "SELECT 1 FROM journal WHERE event_id = ?1", err))) {
		result = CP_EDB;
		goto out;
	}
	sqlite3_bind_text(st, 1, event_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		*recorded = true; /* visible: its COMMIT had synced the WAL */
		result = CP_OK;
		goto out;
	}
	if (rc != SQLITE_DONE) {
		result = cp_db_fail(db, rc, "look the event up", err);
		goto out;
	}
	if ((result = cp_db_meta_set(db, "unrecorded_event", event_id, err)) != CP_OK)
		goto out;
	result = cp_db_commit(db, err);
out:
	cp_db_rollback(db);
	return result;
}

#define SETTLE_TRIES 3

/* Failures that stop a COMMIT before its commit frame is written: the WAL can hold no valid
 * trace of the event even when the settling write fails too. */
static bool nothing_written(int sqlite_rc)
{
	switch (sqlite_rc & 0xff) {
	case SQLITE_FULL:
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CONSTRAINT:
		return true;
	default:
		return false;
	}
}

enum cp_err cp_journal_settle(struct cp_db *db, int sqlite_rc, struct cp_errbuf *err)
{
	struct db_tx_event ev = db->tx_event;
	struct cp_errbuf why = {{0}};
	enum cp_err failed = cp_db_fail(db, sqlite_rc, "commit", &why);
	bool recorded = false;

	cp_db_rollback(db);
	for (int i = 0; i < SETTLE_TRIES; i++) {
		struct cp_errbuf again = {{0}};

		if (seal(db, ev.event_id, &recorded, &again) != CP_OK)
			continue;
		if (recorded)
			return CP_OK;
		return cp_errf(err, failed,
			       "%s was not recorded (%s); nothing of it was kept and nothing will "
			       "appear later: do it again, and call IT if this keeps happening",
			       ev.what, why.msg);
	}
	if (nothing_written(sqlite_rc))
		return cp_errf(err, failed, "%s was not recorded (%s)", ev.what, why.msg);
	return cp_errf(
		err, CP_EOUTCOME,
		"outcome unknown: check the journal before charging again. The disk failed "
		"while recording %s (%s) and whether it was kept cannot be told yet. Do not "
		"take payment again: have IT fix the disk, restart Counterpoint and look for "
		"it; if it is there it stands, if not, do it again",
		ev.what, why.msg);
}
