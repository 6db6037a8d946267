/* enrol.c — this till's identity with HQ: the enrolment request, the answer applied (address,
 * terminal id, request secret, the chain's phone key, members re-keyed), and the TLS settings
 * enrolment used. The secret is wiped wherever it is read. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cp_crypto.h"
#include "hq.h"
#include "hq_int.h"
#include "seal_int.h"
#include "journal.h"
#include "phone.h"
#include "records_int.h"
#include "text.h"

enum cp_err cp_hq_identity(struct cp_db *db, struct cp_hq_identity *out, struct cp_errbuf *err)
{
	char hex[2 * 32 + 1];
	enum cp_err result;

	memset(out, 0, sizeof(*out));
	result = cp_db_meta_get(db, "hq_url", out->url, sizeof(out->url), err);
	if (result == CP_ENOTFOUND) {
		if (err)
			err->msg[0] = '\0';
		return CP_OK;
	}
	if (result != CP_OK)
		return result;
	if ((result = cp_db_meta_get(db, "terminal_uid", out->terminal_uid,
				     sizeof(out->terminal_uid), err)) != CP_OK ||
	    (result = cp_db_meta_get(db, "hq_secret", hex, sizeof(hex), err)) != CP_OK)
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
	if (((result = cp_db_meta_get(db, "hq_ca_file", out->ca_file, sizeof(out->ca_file), err)) &&
	     result != CP_ENOTFOUND) ||
	    ((result = cp_db_meta_get(db, "hq_pin", out->pin, sizeof(out->pin), err)) &&
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
	if ((result = cp_db_tx_begin(db, &own, err)) != CP_OK)
		return result;
	if ((result = cp_db_meta_set(db, "hq_ca_file", ca_file ? ca_file : "", err)) == CP_OK)
		result = cp_db_meta_set(db, "hq_pin", pin ? pin : "", err);
	return cp_db_tx_end(db, own, result, err);
}

enum cp_err cp_hq_enrol_request(struct cp_db *db, const char *code, char **body,
				struct cp_errbuf *err)
{
	char hex[2 * DB_KEY_LEN + 1];
	uint8_t key[DB_KEY_LEN];
	struct cp_journal_status js;
	int64_t key_seq;
	enum cp_err result;
	json_t *req;

	*body = NULL;
	if (!cp_hq_token_ok(code, 64))
		return cp_errf(
			err, CP_EINVAL,
			"the enrolment code must be 1 to 64 letters, digits or dashes, as HQ "
			"gave it");
	if ((result = cp_journal_status(db, &js, err)) != CP_OK)
		return result;
	/* The key of the next row: HQ checks every seal from it on (rows before it were sealed
	 * with keys this till no longer holds). */
	if ((result = cp_seal_current(db, key, &key_seq, err)) != CP_OK)
		return result;
	cp_hex(key, DB_KEY_LEN, hex);
	cp_wipe(key, sizeof(key));
	req = json_pack("{s:i, s:s, s:s, s:s, s:s, s:I, s:I}", "protocol", 1, "code", code, "store",
			db->store_id, "terminal", db->terminal_id, "journal_key", hex, "key_seq",
			(json_int_t)key_seq, "last_seq", (json_int_t)js.last_seq);
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

	if ((result = cp_db_exec(db,
				 "UPDATE cart SET member_id = NULL WHERE member_id IN"
				 " (SELECT id FROM member WHERE local = 0);"
				 "DELETE FROM member WHERE local = 0",
				 err)) != CP_OK)
		return result;
	rc = sqlite3_prepare_v2(
		db->h, "SELECT payload FROM journal WHERE type = 'member_register' ORDER BY seq",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		return cp_db_fail(db, rc, "read registrations", err);
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
		up = cp_db_stmt(db, "UPDATE member SET phone_hash = ?2 WHERE id = ?1", err);
		if (!up) {
			result = CP_EDB;
		} else {
			sqlite3_bind_text(up, 1, id, -1, SQLITE_TRANSIENT);
			sqlite3_bind_blob(up, 2, hash, sizeof(hash), SQLITE_STATIC);
			rc = sqlite3_step(up);
			sqlite3_reset(up);
			if (rc != SQLITE_DONE)
				result = cp_db_fail(db, rc, "re-hash member", err);
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
	bool has_zone;          /* HQ sent the store's time zone */
	int64_t utc_offset_min; /* then: minutes east of UTC (meta utc_offset_min) */
	uint8_t key[DB_KEY_LEN];
};

static enum cp_err parse_enrolment(json_t *r, struct enrolment *e, struct cp_errbuf *err)
{
	enum cp_err result;
	uint8_t secret[32];

	if ((result =
		     cp_rec_str(&cp_rec_hq, r, "terminal_uid", false, &e->uid, "enrolment", err)) ||
	    (result = cp_rec_str(&cp_rec_hq, r, "store", false, &e->store, "enrolment", err)) ||
	    (result = cp_rec_str(&cp_rec_hq, r, "terminal", false, &e->terminal, "enrolment",
				 err)) ||
	    (result = cp_rec_str(&cp_rec_hq, r, "secret", false, &e->secret, "enrolment", err)) ||
	    (result = cp_rec_str(&cp_rec_hq, r, "phone_key", false, &e->phone_key, "enrolment",
				 err)) ||
	    (result = cp_rec_int(&cp_rec_hq, r, "applied", 0, INT64_MAX, &e->applied, "enrolment",
				 err)))
		return result;
	/* optional: the store's time zone as HQ knows it, else the till's own stays */
	e->has_zone = json_object_get(r, "utc_offset_min") != NULL;
	if (e->has_zone && (result = cp_rec_int(&cp_rec_hq, r, "utc_offset_min", -840, 840,
						&e->utc_offset_min, "enrolment", err)))
		return result;
	if (!cp_hq_token_ok(e->uid, 63) || !cp_db_id_ok(e->store) || !cp_db_id_ok(e->terminal))
		return cp_hq_bad(
			err, "terminal_uid is not a short printable id, or store or terminal is "
			     "not 1 to 16 letters, digits, '-' or '_'");
	if (!cp_unhex(e->secret, secret, sizeof(secret)) ||
	    !cp_unhex(e->phone_key, e->key, sizeof(e->key)))
		return cp_hq_bad(err, "secret and phone_key must be 64 hex digits");
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
	if ((result = cp_db_meta_set(db, "store_id", e->store, err)) ||
	    (result = cp_db_meta_set(db, "terminal_id", e->terminal, err)) ||
	    (result = cp_db_meta_set(db, "hq_url", url, err)) ||
	    (result = cp_db_meta_set(db, "terminal_uid", e->uid, err)) ||
	    (result = cp_db_meta_set(db, "hq_secret", e->secret, err)) ||
	    (result = cp_db_meta_set(db, "phone_key", e->phone_key, err)) ||
	    (result = cp_db_meta_set(db, "hq_cursor", "0", err)) ||
	    (result = cp_db_meta_set_int(db, "acked_seq", e->applied, err)) ||
	    (e->has_zone && (result = cp_db_zone_set(db, (int)e->utc_offset_min, err))))
		return result;
	return cp_db_exec(db,
			  "UPDATE sync_state SET online = 0, since = 0, last_error = '',"
			  " last_error_at = 0, stopped = 0, stop_reason = '', next_try = 0",
			  err);
}

enum cp_err cp_hq_apply_enrolment(struct cp_db *db, const char *url, const char *body, size_t len,
				  struct cp_errbuf *err)
{
	uint8_t old_key[DB_KEY_LEN];
	int old_zone;
	struct enrolment e;
	enum cp_err result;
	json_t *root;

	if (!cp_hq_token_ok(url, 500))
		return cp_errf(err, CP_EINVAL, "the HQ address is not a URL");
	if (!(root = cp_hq_load(body, len, err)))
		return CP_EINVAL;
	memset(&e, 0, sizeof(e));
	if ((result = parse_enrolment(root, &e, err)) != CP_OK)
		goto done;
	memcpy(old_key, db->phone_key, DB_KEY_LEN);
	old_zone = db->utc_offset_min;
	if ((result = cp_db_begin(db, err)) != CP_OK)
		goto done;
	memcpy(db->phone_key, e.key, DB_KEY_LEN);
	if ((result = store_enrolment(db, url, &e, err)) != CP_OK ||
	    (result = rekey_members(db, err)) != CP_OK ||
	    (result = cp_db_commit(db, err)) != CP_OK) {
		cp_db_rollback(db);
		memcpy(db->phone_key, old_key, DB_KEY_LEN);
		db->utc_offset_min = old_zone;
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
