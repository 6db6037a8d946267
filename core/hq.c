/* hq.c — HQ's answers applied to the till's database (sync/PROTOCOL.md): enrolment, push
 * acknowledgements with member snapshots, change-feed pages, notices and lookups. Each answer
 * is parsed and checked whole, then applied in one transaction, so a malformed or refused
 * answer changes nothing. sync/ does the HTTP; this file never talks to the network. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_crypto.h"
#include "hq.h"
#include "journal.h"
#include "journal_int.h"
#include "phone.h"
#include "records_int.h"
#include "staff.h"
#include "text.h"

#define HQ_CURSOR_MAX 64

static enum cp_err bad(struct cp_errbuf *err, const char *what)
{
	return cp_errf(err, CP_EINVAL, "HQ's answer is malformed: %s", what);
}

static json_t *load(const char *body, size_t len, struct cp_errbuf *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);

	if (!root) {
		/* jansson quotes the bad bytes: say only where they are */
		cp_errf(err, CP_EINVAL, "HQ's answer is not JSON (line %d, column %d)", jerr.line,
			jerr.column);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		bad(err, "not an object");
		return NULL;
	}
	return root;
}

/* Printable ASCII of 1..max bytes. */
static bool token_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 1 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

/* ---- identity and enrolment ---- */

enum cp_err cp_hq_identity(struct cp_db *db, struct cp_hq_identity *out, struct cp_errbuf *err)
{
	char hex[2 * 32 + 1];
	enum cp_err result;

	memset(out, 0, sizeof(*out));
	result = db_meta_get(db, "hq_url", out->url, sizeof(out->url), err);
	if (result == CP_ENOTFOUND) {
		if (err)
			err->msg[0] = '\0';
		return CP_OK;
	}
	if (result != CP_OK)
		return result;
	if ((result = db_meta_get(db, "terminal_uid", out->terminal_uid, sizeof(out->terminal_uid),
				  err)) != CP_OK ||
	    (result = db_meta_get(db, "hq_secret", hex, sizeof(hex), err)) != CP_OK)
		return result == CP_ENOTFOUND ? cp_errf(err, CP_ECORRUPT,
							"the enrolment is incomplete; enrol again")
					      : result;
	if (!cp_unhex(hex, out->secret, sizeof(out->secret))) {
		cp_wipe(hex, sizeof(hex));
		return cp_errf(err, CP_ECORRUPT,
			       "the stored request secret is damaged; enrol again");
	}
	cp_wipe(hex, sizeof(hex));
	out->enrolled = true;
	if (((result = db_meta_get(db, "hq_ca_file", out->ca_file, sizeof(out->ca_file), err)) &&
	     result != CP_ENOTFOUND) ||
	    ((result = db_meta_get(db, "hq_pin", out->pin, sizeof(out->pin), err)) &&
	     result != CP_ENOTFOUND))
		return result;
	if (err)
		err->msg[0] = '\0';
	return CP_OK;
}

enum cp_err cp_hq_set_tls(struct cp_db *db, const char *ca_file, const char *pin,
			  struct cp_errbuf *err)
{
	enum cp_err result;
	int own;

	if ((ca_file && (strlen(ca_file) >= 1024 || !cp_text_ok(ca_file, 1023))) ||
	    (pin && (strlen(pin) >= 512 || !cp_text_ok(pin, 511))))
		return cp_errf(err, CP_EINVAL,
			       "the CA file name or the pin is too long or not text");
	if ((result = db_tx_begin(db, &own, err)) != CP_OK)
		return result;
	if ((result = db_meta_set(db, "hq_ca_file", ca_file ? ca_file : "", err)) == CP_OK)
		result = db_meta_set(db, "hq_pin", pin ? pin : "", err);
	return db_tx_end(db, own, result, err);
}

enum cp_err cp_hq_enrol_request(struct cp_db *db, const char *code, char **body,
				struct cp_errbuf *err)
{
	char hex[2 * DB_KEY_LEN + 1];
	struct cp_journal_status js;
	enum cp_err result;
	json_t *req;

	*body = NULL;
	if (!token_ok(code, 64))
		return cp_errf(
			err, CP_EINVAL,
			"the enrolment code must be 1 to 64 letters, digits or dashes, as HQ "
			"gave it");
	if ((result = cp_journal_status(db, &js, err)) != CP_OK)
		return result;
	cp_hex(db->journal_key, DB_KEY_LEN, hex);
	req = json_pack("{s:i, s:s, s:s, s:s, s:s, s:I}", "protocol", 1, "code", code, "store",
			db->store_id, "terminal", db->terminal_id, "journal_key", hex, "last_seq",
			(json_int_t)js.last_seq);
	cp_wipe(hex, sizeof(hex));
	if (req)
		*body = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(req);
	return *body ? CP_OK : cp_errf(err, CP_ENOMEM, "out of memory");
}

/* Re-hashes, with the new key, the phones of members registered here (their full numbers
 * are in the journal) and drops the members the till had only from its seed. */
static enum cp_err rekey_members(struct cp_db *db, struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	enum cp_err result = CP_OK;
	int rc;

	if ((result = db_exec(db,
			      "UPDATE cart SET member_id = NULL WHERE member_id IN"
			      " (SELECT id FROM member WHERE local = 0);"
			      "DELETE FROM member WHERE local = 0",
			      err)) != CP_OK)
		return result;
	rc = sqlite3_prepare_v2(
		db->h, "SELECT payload FROM journal WHERE type = 'member_register' ORDER BY seq",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(db, rc, "read registrations", err);
	while (result == CP_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *p = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
		const char *id = json_string_value(json_object_get(p, "member"));
		const char *phone = json_string_value(json_object_get(p, "phone"));
		char norm[CP_PHONE_LEN + 1];
		uint8_t hash[32];
		sqlite3_stmt *up;

		if (!id || !phone || cp_phone_normalise(phone, norm, NULL) != CP_OK ||
		    cp_phone_hash(db->phone_key, DB_KEY_LEN, norm, hash) != 0) {
			json_decref(p);
			result = cp_errf(err, CP_ECORRUPT,
					 "a registration in the journal is damaged");
			break;
		}
		up = db_stmt(db, "UPDATE member SET phone_hash = ?2 WHERE id = ?1", err);
		if (!up) {
			result = CP_EDB;
		} else {
			sqlite3_bind_text(up, 1, id, -1, SQLITE_TRANSIENT);
			sqlite3_bind_blob(up, 2, hash, sizeof(hash), SQLITE_STATIC);
			rc = sqlite3_step(up);
			sqlite3_reset(up);
			if (rc != SQLITE_DONE)
				result = db_fail(db, rc, "re-hash member", err);
		}
		cp_wipe(norm, sizeof(norm));
		json_decref(p);
	}
	sqlite3_finalize(st);
	return result;
}

struct enrolment {
	const char *uid, *store, *terminal, *secret, *phone_key;
	int64_t applied;
	uint8_t key[DB_KEY_LEN];
};

static enum cp_err parse_enrolment(json_t *r, struct enrolment *e, struct cp_errbuf *err)
{
	enum cp_err result;
	uint8_t secret[32];

	if ((result = rec_str(&rec_hq, r, "terminal_uid", false, &e->uid, "enrolment", err)) ||
	    (result = rec_str(&rec_hq, r, "store", false, &e->store, "enrolment", err)) ||
	    (result = rec_str(&rec_hq, r, "terminal", false, &e->terminal, "enrolment", err)) ||
	    (result = rec_str(&rec_hq, r, "secret", false, &e->secret, "enrolment", err)) ||
	    (result = rec_str(&rec_hq, r, "phone_key", false, &e->phone_key, "enrolment", err)) ||
	    (result = rec_int(&rec_hq, r, "applied", 0, INT64_MAX, &e->applied, "enrolment", err)))
		return result;
	if (!token_ok(e->uid, 63) || !db_id_ok(e->store) || !db_id_ok(e->terminal))
		return bad(err, "terminal_uid is not a short printable id, or store or terminal is "
				"not 1 to 16 letters, digits, '-' or '_'");
	if (!cp_unhex(e->secret, secret, sizeof(secret)) ||
	    !cp_unhex(e->phone_key, e->key, sizeof(e->key)))
		return bad(err, "secret and phone_key must be 64 hex digits");
	cp_wipe(secret, sizeof(secret));
	return CP_OK;
}

static enum cp_err store_enrolment(struct cp_db *db, const char *url, const struct enrolment *e,
				   struct cp_errbuf *err)
{
	struct cp_journal_status js;
	bool same =
		strcmp(e->store, db->store_id) == 0 && strcmp(e->terminal, db->terminal_id) == 0;
	enum cp_err result;

	if ((result = cp_journal_status(db, &js, err)) != CP_OK)
		return result;
	if (e->applied > js.last_seq)
		return cp_errf(err, CP_ESTATE,
			       "HQ holds %" PRId64 " journal rows of %s but this database has only "
			       "%" PRId64 ": it is not that terminal's database (restore the right "
			       "one or enrol with a code for a new terminal)",
			       e->applied, e->uid, js.last_seq);
	if (!same && js.last_seq > 0)
		return cp_errf(err, CP_ESTATE,
			       "this till was set up as store %s terminal %s and has recorded "
			       "sales; HQ's code is for store %s terminal %s — ask HQ for a code "
			       "for this terminal",
			       db->store_id, db->terminal_id, e->store, e->terminal);
	if ((result = db_meta_set(db, "store_id", e->store, err)) ||
	    (result = db_meta_set(db, "terminal_id", e->terminal, err)) ||
	    (result = db_meta_set(db, "hq_url", url, err)) ||
	    (result = db_meta_set(db, "terminal_uid", e->uid, err)) ||
	    (result = db_meta_set(db, "hq_secret", e->secret, err)) ||
	    (result = db_meta_set(db, "phone_key", e->phone_key, err)) ||
	    (result = db_meta_set(db, "hq_cursor", "0", err)) ||
	    (result = db_meta_set_int(db, "acked_seq", e->applied, err)))
		return result;
	return db_exec(db,
		       "UPDATE sync_state SET online = 0, since = 0, last_error = '',"
		       " last_error_at = 0, stopped = 0, stop_reason = '', next_try = 0",
		       err);
}

enum cp_err cp_hq_apply_enrolment(struct cp_db *db, const char *url, const char *body, size_t len,
				  struct cp_errbuf *err)
{
	uint8_t old_key[DB_KEY_LEN];
	struct enrolment e;
	enum cp_err result;
	json_t *root;

	if (!token_ok(url, 500))
		return cp_errf(err, CP_EINVAL, "the HQ address is not a URL");
	if (!(root = load(body, len, err)))
		return CP_EINVAL;
	memset(&e, 0, sizeof(e));
	if ((result = parse_enrolment(root, &e, err)) != CP_OK)
		goto done;
	memcpy(old_key, db->phone_key, DB_KEY_LEN);
	if ((result = db_begin(db, err)) != CP_OK)
		goto done;
	memcpy(db->phone_key, e.key, DB_KEY_LEN);
	if ((result = store_enrolment(db, url, &e, err)) != CP_OK ||
	    (result = rekey_members(db, err)) != CP_OK || (result = db_commit(db, err)) != CP_OK) {
		db_rollback(db);
		memcpy(db->phone_key, old_key, DB_KEY_LEN);
		goto done;
	}
	snprintf(db->store_id, sizeof(db->store_id), "%s", e.store);
	snprintf(db->terminal_id, sizeof(db->terminal_id), "%s", e.terminal);
done:
	cp_wipe(old_key, sizeof(old_key));
	cp_wipe(e.key, sizeof(e.key));
	json_decref(root);
	return result;
}

static enum cp_err step_pair(struct cp_db *db, const char *sql, const char *a, const char *b,
			     struct cp_errbuf *err)
{
	sqlite3_stmt *st = db_stmt(db, sql, err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : db_fail(db, rc, "re-point member", err);
}

/* Retires member row old_id in favour of HQ's new_id: the balance keeps counting the movements
 * recorded under old_id through an alias (the journal and its tables keep the id they were
 * recorded with), and the open cart is noted so that it can follow. */
static enum cp_err retire_member(struct cp_db *db, const char *old_id, const char *new_id,
				 bool *cart_had, struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	if (!token_ok(old_id, 63) || !token_ok(new_id, 63))
		return bad(err, "a member id is not a short printable id");
	if (strcmp(old_id, new_id) == 0)
		return CP_OK;
	st = db_stmt(db, "SELECT count(*) FROM cart WHERE member_id = ?1", err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, old_id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0)
		*cart_had = true;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_fail(db, rc, "read cart", err);
	if ((result = step_pair(
		     db,
		     "INSERT INTO member_alias(local_id, member_id) VALUES(?1, ?2)"
		     " ON CONFLICT(local_id) DO UPDATE SET member_id = excluded.member_id",
		     old_id, new_id, err)) ||
	    (result = step_pair(db, "UPDATE member_alias SET member_id = ?2 WHERE member_id = ?1",
				old_id, new_id, err)) ||
	    (result = step_pair(db, "UPDATE cart SET member_id = NULL WHERE member_id = ?1", old_id,
				NULL, err)))
		return result;
	return step_pair(db, "DELETE FROM member WHERE id = ?1", old_id, NULL, err);
}

/* The open cart follows a retired member to new_id once that member is here. */
static enum cp_err cart_follow(struct cp_db *db, const char *new_id, bool cart_had,
			       struct cp_errbuf *err)
{
	if (!cart_had)
		return CP_OK;
	return step_pair(db,
			 "UPDATE cart SET member_id = ?1 WHERE member_id IS NULL AND"
			 " EXISTS(SELECT 1 FROM member WHERE id = ?1)",
			 new_id, NULL, err);
}

/* HQ is the authority on who holds a phone or a card: another row here holding them (an older
 * copy of HQ's, or a member registered here that HQ has since merged) gives way to s->id. */
static enum cp_err make_room(struct cp_db *db, const struct cp_member_snapshot *s, bool *cart_had,
			     struct cp_errbuf *err)
{
	char ids[8][64];
	int n = 0, rc;
	enum cp_err result;
	sqlite3_stmt *st =
		db_stmt(db,
			"SELECT id FROM member WHERE id <> ?1 AND"
			" (phone_hash = ?2 OR (?3 IS NOT NULL AND card_no = ?3)) LIMIT 8",
			err);

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, s->phone_hash, 32, SQLITE_STATIC);
	if (s->card_no && s->card_no[0])
		sqlite3_bind_text(st, 3, s->card_no, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 8)
		db_col_text(st, 0, ids[n++], sizeof(ids[0]));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_fail(db, rc, "find member", err);
	for (int i = 0; i < n; i++)
		if ((result = retire_member(db, ids[i], s->id, cart_had, err)) != CP_OK)
			return result;
	return CP_OK;
}

/* The version of the member held here; -1 when there is none. */
static enum cp_err held_version(struct cp_db *db, const char *id, int64_t *version,
				struct cp_errbuf *err)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT version FROM member WHERE id = ?1", err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	*version = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CP_OK : db_fail(db, rc, "read member", err);
}

static enum cp_err apply_member(struct cp_db *db, json_t *o, const char *where,
				struct cp_errbuf *err)
{
	struct cp_member_snapshot s;
	const char *local_id;
	uint8_t hash[32];
	bool cart_had = false;
	int64_t held;
	enum cp_err result;

	if ((result = rec_member(&rec_hq, o, &s, hash, &local_id, where, err)) != CP_OK)
		return result;
	if (!s.phone_hash)
		return bad(err, "a member snapshot carries a full phone number");
	if (local_id && (result = retire_member(db, local_id, s.id, &cart_had, err)))
		return result;
	if ((result = held_version(db, s.id, &held, err)) != CP_OK)
		return result;
	if (held >= s.version) /* not newer: only the re-pointing above stands */
		return cart_follow(db, s.id, cart_had, err);
	if ((result = make_room(db, &s, &cart_had, err)) != CP_OK)
		return result;
	if ((result = cp_member_put_snapshot(db, &s, err)) != CP_OK)
		return rec_stored(&rec_hq, result, where, err);
	return cart_follow(db, s.id, cart_had, err);
}

static enum cp_err apply_members(struct cp_db *db, json_t *list, struct cp_errbuf *err)
{
	char where[48];
	enum cp_err result;
	json_t *m;
	size_t i;

	json_array_foreach (list, i, m) {
		snprintf(where, sizeof(where), "members[%zu]", i);
		if ((result = apply_member(db, m, where, err)) != CP_OK)
			return result;
	}
	return CP_OK;
}

/* HQ's "applied" past this till's newest row: HQ holds rows this database does not have. */
static enum cp_err holds_unwritten(int64_t applied, int64_t last_seq, struct cp_errbuf *err)
{
	return cp_errf(
		err, CP_ECORRUPT,
		"HQ says it holds journal row %" PRId64 " but this till has written only "
		"%" PRId64 ": this is not the database HQ knows for this terminal (a "
		"restored backup, or another till's enrolment). Sync is stopped; call IT: "
		"restore the right database, or enrol this one with a code for a new terminal",
		applied, last_seq);
}

/* Whether a push answer's "applied" fits the rows first..last that were sent. */
static enum cp_err check_ack(struct cp_db *db, int64_t first, int64_t last, int64_t applied,
			     struct cp_errbuf *err)
{
	struct cp_journal_status js;
	enum cp_err result = cp_journal_status(db, &js, err);

	if (result != CP_OK)
		return result;
	if (first < 1 || last < first - 1 || last > js.last_seq)
		return cp_errf(err, CP_EINVAL,
			       "journal rows %" PRId64 " to %" PRId64 " were not sent: this till "
			       "has written %" PRId64,
			       first, last, js.last_seq);
	if (applied > js.last_seq)
		return holds_unwritten(applied, js.last_seq, err);
	if (applied > last)
		return cp_errf(
			err, CP_EINVAL,
			"protocol error: HQ acknowledged journal row %" PRId64 " but this push "
			"sent rows %" PRId64 " to %" PRId64 "; nothing is acknowledged beyond "
			"what was sent",
			applied, first, last);
	if (applied < first - 1)
		return cp_errf(err, CP_EINVAL,
			       "protocol error: HQ acknowledged journal rows only up to %" PRId64
			       " although this push began at row %" PRId64
			       " (a gap is answered 409)",
			       applied, first);
	if (applied > js.acked_seq)
		return db_meta_set_int(db, "acked_seq", applied, err);
	return CP_OK;
}

enum cp_err cp_hq_apply_ack(struct cp_db *db, const char *body, size_t len, int64_t first,
			    int64_t last, int64_t *applied, struct cp_errbuf *err)
{
	enum cp_err result;
	json_t *root, *members;
	int64_t n;

	if (!(root = load(body, len, err)))
		return CP_EINVAL;
	members = json_object_get(root, "members");
	if ((result = rec_int(&rec_hq, root, "applied", 0, INT64_MAX, &n, "push answer", err)))
		goto done;
	if (!json_is_array(members)) {
		result = bad(err, "push answer: members is missing or not a list");
		goto done;
	}
	if ((result = db_begin(db, err)) != CP_OK)
		goto done;
	if ((result = check_ack(db, first, last, n, err)) != CP_OK)
		goto out;
	if ((result = apply_members(db, members, err)) != CP_OK)
		goto out;
	result = db_commit(db, err);
out:
	if (result != CP_OK)
		db_rollback(db);
	else if (applied)
		*applied = n;
done:
	json_decref(root);
	return result;
}

/* A page's snapshots count the rows HQ had applied when it built it. The round pulls only
 * after HQ has acknowledged its push, so a page never has anything new to acknowledge: more
 * than the acknowledged sequence claims rows that were never sent. */
static enum cp_err check_page_ack(struct cp_db *db, int64_t applied, struct cp_errbuf *err)
{
	struct cp_journal_status js;
	enum cp_err result = cp_journal_status(db, &js, err);

	if (result != CP_OK)
		return result;
	if (applied > js.last_seq)
		return holds_unwritten(applied, js.last_seq, err);
	if (applied > js.acked_seq)
		return cp_errf(err, CP_EINVAL,
			       "protocol error: HQ's change page counts journal rows up to %" PRId64
			       " but HQ has acknowledged only %" PRId64 " of this till's pushes; "
			       "nothing is acknowledged beyond what was sent",
			       applied, js.acked_seq);
	return CP_OK;
}

/* ---- pull ---- */

enum cp_err cp_hq_cursor(struct cp_db *db, char *out, size_t outlen, struct cp_errbuf *err)
{
	enum cp_err result = db_meta_get(db, "hq_cursor", out, outlen, err);

	if (result == CP_ENOTFOUND) {
		snprintf(out, outlen, "0");
		if (err)
			err->msg[0] = '\0';
		return CP_OK;
	}
	return result;
}

static enum cp_err run_keyed(struct cp_db *db, const char *sql, const char *key,
			     struct cp_errbuf *err)
{
	sqlite3_stmt *st = db_stmt(db, sql, err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return cp_errf(err, CP_EINVAL, "HQ deletes %s, which other records still use", key);
	return rc == SQLITE_DONE ? CP_OK : db_fail(db, rc, "apply change", err);
}

static enum cp_err upsert_item(struct cp_db *db, json_t *d, const char *where,
			       struct cp_errbuf *err)
{
	json_t *active = json_object_get(d, "active");
	struct cp_item it;
	enum cp_err result;

	if ((result = rec_item(&rec_hq, d, &it, where, err)) != CP_OK)
		return result;
	if (active && !json_is_boolean(active))
		return rec_bad(&rec_hq, where, "active", "is not true/false", err);
	if ((result = cp_catalog_put_item(db, &it, err)) != CP_OK)
		return rec_stored(&rec_hq, result, where, err);
	if (json_is_false(active))
		return run_keyed(db, "UPDATE item SET active = 0 WHERE sku = ?1", it.sku, err);
	return CP_OK;
}

static enum cp_err upsert_category(struct cp_db *db, json_t *d, const char *where,
				   struct cp_errbuf *err)
{
	const char *code, *name;
	bool excluded;
	enum cp_err result = rec_category(&rec_hq, d, &code, &name, &excluded, where, err);

	if (result != CP_OK)
		return result;
	return rec_stored(&rec_hq, cp_catalog_put_category(db, code, name, excluded, err), where,
			  err);
}

static enum cp_err upsert_tier(struct cp_db *db, json_t *d, const char *where,
			       struct cp_errbuf *err)
{
	struct cp_tier t;
	enum cp_err result = rec_tier(&rec_hq, d, &t, where, err);

	if (result != CP_OK)
		return result;
	return rec_stored(&rec_hq, cp_tier_put(db, &t, err), where, err);
}

static enum cp_err upsert_rules(struct cp_db *db, json_t *d, const char *where,
				struct cp_errbuf *err)
{
	struct cp_earn_rules r;
	enum cp_err result = rec_rules(&rec_hq, d, &r, where, err);

	if (result != CP_OK)
		return result;
	return rec_stored(&rec_hq, cp_earn_rules_store(db, &r, err), where, err);
}

static enum cp_err upsert_staff(struct cp_db *db, json_t *d, const char *where,
				struct cp_errbuf *err)
{
	const char *code, *name, *role, *salt_hex, *hash_hex;
	uint8_t salt[64], hash[32];
	int64_t iter;
	bool active;
	size_t saltlen;
	int r;
	enum cp_err result;

	if ((result = rec_str(&rec_hq, d, "code", false, &code, where, err)) ||
	    (result = rec_str(&rec_hq, d, "name", false, &name, where, err)) ||
	    (result = rec_str(&rec_hq, d, "role", false, &role, where, err)) ||
	    (result = rec_str(&rec_hq, d, "pin_salt", false, &salt_hex, where, err)) ||
	    (result = rec_str(&rec_hq, d, "pin_hash", false, &hash_hex, where, err)) ||
	    (result = rec_int(&rec_hq, d, "pin_iter", 1, 10000000, &iter, where, err)) ||
	    (result = rec_bool(&rec_hq, d, "active", &active, where, err)))
		return result;
	saltlen = strlen(salt_hex) / 2;
	if ((r = cp_role_parse(role)) < 0)
		return rec_bad(&rec_hq, where, "role", "is not cashier, guide or manager", err);
	if (saltlen > sizeof(salt) || !cp_unhex(salt_hex, salt, saltlen) ||
	    !cp_unhex(hash_hex, hash, sizeof(hash)))
		return rec_bad(&rec_hq, where, "pin_salt",
			       "or pin_hash is not hex of the right size", err);
	result = cp_staff_put_hashed(db, code, name, (enum cp_role)r, salt, saltlen, hash,
				     (uint32_t)iter, active, err);
	cp_wipe(hash, sizeof(hash));
	return rec_stored(&rec_hq, result, where, err);
}

static enum cp_err upsert_config(struct cp_db *db, json_t *d, const char *where,
				 struct cp_errbuf *err)
{
	const char *name, *value;
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	if ((result = rec_str(&rec_hq, d, "name", false, &name, where, err)) ||
	    (result = rec_str(&rec_hq, d, "value", false, &value, where, err)))
		return result;
	if (!token_ok(name, 64) || !cp_text_ok(value, 1024))
		return rec_bad(&rec_hq, where, "name", "or value is not short text", err);
	st = db_stmt(db,
		     "INSERT INTO hq_config(name, value) VALUES(?1, ?2)"
		     " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
		     err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : db_fail(db, rc, "store configuration", err);
}

/* Every kind of change this till knows; others are skipped and counted. */
static const struct {
	const char *kind;
	enum cp_err (*upsert)(struct cp_db *db, json_t *d, const char *where,
			      struct cp_errbuf *err);
	const char *delete_sql; /* ?1 = key */
} kinds[] = {
	{"member", apply_member, "UPDATE cart SET member_id = NULL WHERE member_id = ?1;"},
	{"item", upsert_item, "UPDATE item SET active = 0 WHERE sku = ?1"},
	/* items are only ever made inactive: a category used by inactive items only stays */
	{"category", upsert_category,
	 "DELETE FROM category WHERE code = ?1 AND"
	 " NOT EXISTS(SELECT 1 FROM item WHERE category = ?1 AND active = 0)"},
	{"tier", upsert_tier, "DELETE FROM tier WHERE level = CAST(?1 AS INTEGER)"},
	{"earn_rules", upsert_rules, "DELETE FROM earn_rule WHERE id = CAST(?1 AS INTEGER)"},
	{"staff", upsert_staff, "UPDATE staff SET active = 0 WHERE code = ?1"},
	{"config", upsert_config, "DELETE FROM hq_config WHERE name = ?1"},
};

static enum cp_err apply_change(struct cp_db *db, json_t *c, const char *where, int64_t *unknown,
				struct cp_errbuf *err)
{
	const char *kind, *op, *key;
	enum cp_err result;

	if (!json_is_object(c))
		return rec_bad(&rec_hq, where, NULL, "is not an object", err);
	if ((result = rec_str(&rec_hq, c, "kind", false, &kind, where, err)) ||
	    (result = rec_str(&rec_hq, c, "op", false, &op, where, err)))
		return result;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(kinds[i].kind, kind) != 0)
			continue;
		if (strcmp(op, "upsert") == 0)
			return kinds[i].upsert(db, json_object_get(c, "data"), where, err);
		if (strcmp(op, "delete") != 0)
			return rec_bad(&rec_hq, where, "op", "is not upsert or delete", err);
		if ((result = rec_str(&rec_hq, c, "key", false, &key, where, err)) != CP_OK)
			return result;
		if (!token_ok(key, 63) ||
		    ((strcmp(kind, "tier") == 0 || strcmp(kind, "earn_rules") == 0) &&
		     strspn(key, "0123456789") != strlen(key)))
			return rec_bad(&rec_hq, where, "key", "is not a valid key for its kind",
				       err);
		if (strcmp(kind, "member") == 0 &&
		    (result = run_keyed(db, kinds[i].delete_sql, key, err)) == CP_OK)
			return run_keyed(db, "DELETE FROM member WHERE id = ?1", key, err);
		return run_keyed(db, kinds[i].delete_sql, key, err);
	}
	(*unknown)++;
	return CP_OK;
}

static enum cp_err apply_notice(struct cp_db *db, json_t *n, const char *where,
				struct cp_errbuf *err)
{
	const char *id, *kind, *message = NULL, *from, *into;
	json_t *data = json_object_get(n, "data");
	int64_t at;
	char *text;
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	if ((result = rec_str(&rec_hq, n, "id", false, &id, where, err)) ||
	    (result = rec_str(&rec_hq, n, "kind", false, &kind, where, err)) ||
	    (result = rec_int(&rec_hq, n, "at", 0, INT64_MAX, &at, where, err)))
		return result;
	if (!token_ok(id, 63) || !token_ok(kind, 31) || !json_is_object(data))
		return rec_bad(&rec_hq, where, NULL, "needs a short id and kind and a data object",
			       err);
	message = json_string_value(json_object_get(data, "message"));
	if (!message || !cp_text_ok(message, 500))
		message = kind;
	if (strcmp(kind, "member_merged") == 0) {
		bool cart_had = false;

		if ((result = rec_str(&rec_hq, data, "from", false, &from, where, err)) ||
		    (result = rec_str(&rec_hq, data, "into", false, &into, where, err)) ||
		    (result = retire_member(db, from, into, &cart_had, err)) ||
		    (result = cart_follow(db, into, cart_had, err)))
			return result;
	}
	if (!(text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS)))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	st = db_stmt(db,
		     "INSERT OR IGNORE INTO notice(id, kind, at, message, data)"
		     " VALUES(?1, ?2, ?3, ?4, ?5)",
		     err);
	if (st) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, at);
		sqlite3_bind_text(st, 4, message, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		result = rc == SQLITE_DONE ? CP_OK : db_fail(db, rc, "store notice", err);
	} else {
		result = CP_EDB;
	}
	free(text);
	return result;
}

static enum cp_err apply_page(struct cp_db *db, json_t *changes, json_t *notices, const char *next,
			      int64_t applied, struct cp_errbuf *err)
{
	char where[48];
	int64_t unknown = 0;
	enum cp_err result;
	sqlite3_stmt *st;
	json_t *c;
	size_t i;
	int rc;

	json_array_foreach (changes, i, c) {
		snprintf(where, sizeof(where), "changes[%zu]", i);
		if ((result = apply_change(db, c, where, &unknown, err)) != CP_OK)
			return result;
	}
	json_array_foreach (notices, i, c) {
		snprintf(where, sizeof(where), "notices[%zu]", i);
		if ((result = apply_notice(db, c, where, err)) != CP_OK)
			return result;
	}
	if ((result = db_meta_set(db, "hq_cursor", next, err)) != CP_OK ||
	    (result = check_page_ack(db, applied, err)) != CP_OK)
		return result;
	st = db_stmt(db, "UPDATE sync_state SET unknown_changes = unknown_changes + ?1", err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, unknown);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : db_fail(db, rc, "count unknown changes", err);
}

enum cp_err cp_hq_apply_changes(struct cp_db *db, const char *body, size_t len, bool *more,
				struct cp_errbuf *err)
{
	json_t *root, *changes, *notices;
	const char *next;
	int64_t applied;
	bool m;
	enum cp_err result;

	if (!(root = load(body, len, err)))
		return CP_EINVAL;
	changes = json_object_get(root, "changes");
	notices = json_object_get(root, "notices");
	if (!notices)
		notices = json_array();
	else
		json_incref(notices);
	if (!json_is_array(changes) || !json_is_array(notices)) {
		result = bad(err, "changes and notices must be lists");
		goto done;
	}
	if ((result = rec_str(&rec_hq, root, "next", false, &next, "changes page", err)) ||
	    (result = rec_bool(&rec_hq, root, "more", &m, "changes page", err)) ||
	    (result = rec_int(&rec_hq, root, "applied", 0, INT64_MAX, &applied, "changes page",
			      err)))
		goto done;
	if (!token_ok(next, HQ_CURSOR_MAX)) {
		result = bad(err, "the next cursor is not a short printable token");
		goto done;
	}
	if ((result = db_begin(db, err)) != CP_OK)
		goto done;
	result = apply_page(db, changes, notices, next, applied, err);
	if (result == CP_OK)
		result = db_commit(db, err);
	if (result != CP_OK)
		db_rollback(db);
	else if (more)
		*more = m;
done:
	json_decref(notices);
	json_decref(root);
	return result;
}

/* ---- lookup ---- */

enum cp_err cp_hq_phone_hash_hex(struct cp_db *db, const char *phone, char out[65],
				 struct cp_errbuf *err)
{
	char norm[CP_PHONE_LEN + 1];
	uint8_t hash[32];
	enum cp_err result = cp_phone_normalise(phone, norm, err);

	if (result != CP_OK)
		return result;
	if (cp_phone_hash(db->phone_key, DB_KEY_LEN, norm, hash) != 0)
		result = cp_errf(err, CP_EIO, "cannot hash the phone number");
	else
		cp_hex(hash, sizeof(hash), out);
	cp_wipe(norm, sizeof(norm));
	return result;
}

enum cp_err cp_hq_apply_lookup(struct cp_db *db, const char *body, size_t len,
			       struct cp_member_view *out, struct cp_errbuf *err)
{
	json_t *root, *m;
	const char *id;
	enum cp_err result;

	if (!(root = load(body, len, err)))
		return CP_EINVAL;
	m = json_object_get(root, "member");
	id = json_string_value(json_object_get(m, "id"));
	if (!json_is_object(m) || !id) {
		result = bad(err, "lookup answer: member is missing");
		goto done;
	}
	if ((result = db_begin(db, err)) != CP_OK)
		goto done;
	result = apply_member(db, m, "member", err);
	if (result == CP_OK)
		result = db_commit(db, err);
	if (result != CP_OK)
		db_rollback(db);
	else
		result = cp_member_get(db, id, out, err);
done:
	json_decref(root);
	return result;
}

enum cp_err cp_hq_notices(struct cp_db *db, struct cp_notice *out, int *n, struct cp_errbuf *err)
{
	sqlite3_stmt *st = db_stmt(
		db, "SELECT id, kind, at, message FROM notice ORDER BY at DESC, id LIMIT ?1", err);
	int rc, k = 0;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int(st, 1, *n);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && k < *n) {
		db_col_text(st, 0, out[k].id, sizeof(out[k].id));
		db_col_text(st, 1, out[k].kind, sizeof(out[k].kind));
		out[k].at = sqlite3_column_int64(st, 2);
		db_col_text(st, 3, out[k].message, sizeof(out[k].message));
		k++;
	}
	sqlite3_reset(st);
	*n = k;
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? CP_OK : db_fail(db, rc, "read notices", err);
}
