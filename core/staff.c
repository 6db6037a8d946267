/* staff.c — staff over the `staff` table: PINs as PBKDF2-HMAC-SHA256 with a per-staff salt and
 * the iteration count stored per row, login with lock-out after repeated wrong PINs, and the
 * manager authority that refunds and voids need. Each attempt is counted before its PIN is
 * checked; PINs are hashed outside the write lock. */
#include "staff.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "changes_int.h"
#include "cp_clock.h"
#include "cp_crypto.h"
#include "cp_rand.h"
#include "db_int.h"
#include "records_int.h"
#include "text.h"
#include "barcode.h"

#define SALT_LEN 16
#define MAX_SALT 64
#define MAX_ITER 10000000
#define PIN_MIN 4
#define PIN_MAX 12

/* One row of staff as read. */
struct row {
	char code[17];
	char name[65];
	enum cp_role role;
	uint8_t salt[MAX_SALT];
	size_t saltlen;
	uint8_t hash[CP_SHA256_LEN];
	uint32_t iter;
	int64_t failed;
	int64_t locked_until;
	bool active;
};

static const char sql_upsert[] =
	"INSERT INTO staff(code, name, role, pin_salt, pin_hash, pin_iter, failed, locked_until,"
	" active) VALUES(?1, ?2, ?3, ?4, ?5, ?6, 0, 0, ?7) ON CONFLICT(code) DO UPDATE SET"
	" name = excluded.name, role = excluded.role, pin_salt = excluded.pin_salt,"
	" pin_hash = excluded.pin_hash, pin_iter = excluded.pin_iter, failed = 0,"
	" locked_until = 0, active = excluded.active";
static const char sql_select[] = "SELECT code, name, role, pin_salt, pin_hash, pin_iter, failed,"
				 " locked_until, active FROM staff WHERE code = ?1";
static const char sql_count[] = "UPDATE staff SET failed = ?2, locked_until = ?3 WHERE code = ?1";
static const char sql_role[] = "SELECT role FROM staff WHERE code = ?1 AND active = 1";

static const char *const role_names[] = {
	[CP_ROLE_CASHIER] = CP_WORD("cashier"),
	[CP_ROLE_GUIDE] = CP_WORD("guide"),
	[CP_ROLE_MANAGER] = CP_WORD("manager"),
};

const char *cp_role_name(enum cp_role role)
{
	if ((unsigned)role >= sizeof(role_names) / sizeof(role_names[0]))
		return "unknown";
	return role_names[role];
}

int cp_role_parse(const char *name)
{
	for (size_t i = 0; name && i < sizeof(role_names) / sizeof(role_names[0]); i++)
		if (strcmp(name, role_names[i]) == 0)
			return (int)i;
	return -1;
}

static enum cp_err check_code(const char *code, struct cp_errbuf *err)
{
	size_t n = code ? strlen(code) : 0;

	if (n < 1 || n > 16)
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (!((code[i] >= '0' && code[i] <= '9') || (code[i] >= 'A' && code[i] <= 'Z') ||
		      (code[i] >= 'a' && code[i] <= 'z')))
			goto bad;
	return CP_OK;
bad:
	return cp_errf(err, CP_EINVAL, "a staff code is 1 to 16 letters or digits (A-Z, 0-9)");
}

static enum cp_err check_pin(const char *pin, struct cp_errbuf *err)
{
	size_t n = pin ? strlen(pin) : 0;

	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)pin[i] >= 0x80)
			return cp_errf(
				err, CP_EINVAL,
				"a PIN is 4 to 12 digits 0-9; full-width or other characters "
				"are not accepted (switch the input method to half-width)");
		if (pin[i] < '0' || pin[i] > '9')
			return cp_errf(err, CP_EINVAL, "a PIN is 4 to 12 digits 0-9, nothing else");
	}
	if (n < PIN_MIN || n > PIN_MAX)
		return cp_errf(err, CP_EINVAL, "a PIN is 4 to 12 digits 0-9, not %zu", n);
	return CP_OK;
}

static enum cp_err check_name(const char *name, struct cp_errbuf *err)
{
	if (!name || !name[0] || !cp_text_ok(name, 64))
		return cp_errf(err, CP_EINVAL,
			       "a staff name is 1 to 64 bytes of UTF-8 text without control "
			       "characters");
	return CP_OK;
}

static enum cp_err hash_pin(const char *pin, const uint8_t *salt, size_t saltlen, uint32_t iter,
			    uint8_t out[CP_SHA256_LEN], struct cp_errbuf *err)
{
	if (cp_pbkdf2_sha256(pin, strlen(pin), salt, saltlen, iter, out, CP_SHA256_LEN) != 0)
		return cp_errf(err, CP_ENOMEM, "out of memory while checking the PIN");
	return CP_OK;
}

static enum cp_err read_row(struct cp_db *db, const char *code, struct row *r,
			    struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, sql_select, err);
	enum cp_err result = CP_EDB;
	const void *salt, *hash;
	int rc, role;
	int64_t iter;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		result = CP_ENOTFOUND;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		result = cp_db_fail(db, rc, "read staff", err);
		goto out;
	}
	memset(r, 0, sizeof(*r));
	snprintf(r->code, sizeof(r->code), "%s", (const char *)sqlite3_column_text(st, 0));
	snprintf(r->name, sizeof(r->name), "%s", (const char *)sqlite3_column_text(st, 1));
	role = cp_role_parse((const char *)sqlite3_column_text(st, 2));
	salt = sqlite3_column_blob(st, 3);
	r->saltlen = (size_t)sqlite3_column_bytes(st, 3);
	hash = sqlite3_column_blob(st, 4);
	iter = sqlite3_column_int64(st, 5);
	if (role < 0 || !salt || r->saltlen < 1 || r->saltlen > MAX_SALT || !hash ||
	    sqlite3_column_bytes(st, 4) != CP_SHA256_LEN || iter < 1 || iter > MAX_ITER) {
		result = cp_errf(err, CP_ECORRUPT,
				 "the PIN record of staff code %s is damaged; set a new PIN", code);
		goto out;
	}
	r->role = (enum cp_role)role;
	memcpy(r->salt, salt, r->saltlen);
	memcpy(r->hash, hash, CP_SHA256_LEN);
	r->iter = (uint32_t)iter;
	r->failed = sqlite3_column_int64(st, 6);
	r->locked_until = sqlite3_column_int64(st, 7);
	r->active = sqlite3_column_int(st, 8) != 0;
	result = CP_OK;
out:
	sqlite3_reset(st);
	return result;
}

/* Runs a bound UPDATE; *changes gets the rows it touched. */
static enum cp_err run_update(struct cp_db *db, sqlite3_stmt *st, int *changes,
			      struct cp_errbuf *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "update staff", err);
	if (changes)
		*changes = sqlite3_changes(db->h);
	return CP_OK;
}

static enum cp_err locked(const char *why, const char *code, int64_t until, int64_t now,
			  int64_t *out, struct cp_errbuf *err)
{
	char at[32], today[32];

	if (out)
		*out = until;
	/* Shown to the second, rounded up, so that the time shown is never still locked. */
	cp_clock_iso((until + 999) / 1000 * 1000, at);
	cp_clock_iso(now, today);
	if (memcmp(at, today, 10) == 0)
		return cp_errf(err, CP_ELOCKED, "%sstaff code %s is locked until %.8s", why, code,
			       at + 11);
	return cp_errf(err, CP_ELOCKED, "%sstaff code %s is locked until %.10s %.8s", why, code, at,
		       at + 11);
}

/* An attempt whose record could not be written: what was not done, and why. */
static enum cp_err unrecorded(const char *what, enum cp_err rc, const struct cp_errbuf *inner,
			      struct cp_errbuf *err)
{
	const char *detail = cp_errmsg(inner, rc);

	if (rc == CP_EFULL && !strstr(detail, "read-only"))
		return cp_errf(err, rc, "%s: storage is full — call IT, then try again", what);
	if (rc == CP_EBUSY)
		return cp_errf(err, rc, "%s: the database is busy; try again", what);
	return cp_errf(err, rc, "%s (%s)", what, detail);
}

/* Takes one try at the code's PIN, durably, before the PIN is checked: until a success clears
 * it, an attempt counts as a wrong PIN, so that any number of attempts at once check no more
 * PINs than the limit allows. The attempt that takes the last try locks the code at once
 * (*own_lock gets that time; 0 otherwise), and only its own success can lift that lock. r gets
 * the row as it was counted; CP_ENOTFOUND for an unknown or inactive code (nothing counted). */
static enum cp_err count_attempt(struct cp_db *db, const char *code, int64_t now, struct row *r,
				 int64_t *own_lock, int64_t *locked_until, struct cp_errbuf *err)
{
	struct cp_errbuf inner = {{0}};
	sqlite3_stmt *st;
	enum cp_err result;
	int64_t failed, until = 0;

	*own_lock = 0;
	if ((result = cp_db_begin(db, &inner)) != CP_OK)
		return unrecorded(CP_WORD("the PIN was not checked"), result, &inner, err);
	result = read_row(db, code, r, err);
	if (result == CP_OK && !r->active)
		result = CP_ENOTFOUND;
	if (result != CP_OK)
		goto out;
	if (r->locked_until > now) {
		result = locked("", r->code, r->locked_until, now, locked_until, err);
		goto out;
	}
	/* After a lock has run out the count starts again. */
	failed = (r->locked_until > 0 ? 0 : r->failed) + 1;
	if (failed >= db->pin_max_attempts) {
		until = now + (int64_t)db->pin_lockout_s * 1000;
		failed = 0;
	}
	if (!(st = cp_db_stmt(db, sql_count, &inner))) {
		result = CP_EDB;
		goto unrecorded;
	}
	sqlite3_bind_text(st, 1, r->code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, failed);
	sqlite3_bind_int64(st, 3, until);
	if ((result = run_update(db, st, NULL, &inner)) != CP_OK ||
	    (result = cp_db_commit(db, &inner)) != CP_OK)
		goto unrecorded;
	*own_lock = until;
	return CP_OK;
unrecorded:
	result = unrecorded(CP_WORD("the PIN was not checked"), result, &inner, err);
out:
	cp_db_rollback(db);
	return result;
}

/* The right PIN: in one transaction, make sure that no other attempt has locked the code since
 * this one was counted (a lock this attempt took itself is its own to lift) and that the PIN
 * checked is still the code's, then clear the count. */
static enum cp_err finish_success(struct cp_db *db, const struct row *checked, int64_t own_lock,
				  int64_t now, int64_t *locked_until, struct cp_errbuf *err)
{
	struct cp_errbuf inner = {{0}};
	sqlite3_stmt *st;
	struct row r;
	enum cp_err result;

	if ((result = cp_db_begin(db, &inner)) != CP_OK)
		return unrecorded(CP_WORD("the login was not completed"), result, &inner, err);
	result = read_row(db, checked->code, &r, err);
	if (result == CP_ENOTFOUND || (result == CP_OK && !r.active) ||
	    (result == CP_OK && !cp_ct_equal(r.hash, checked->hash, sizeof(r.hash)))) {
		result = cp_errf(err, CP_EAUTH, "wrong staff code or PIN");
		goto out;
	}
	if (result != CP_OK)
		goto out;
	if (r.locked_until > now && r.locked_until != own_lock) {
		result = locked("", r.code, r.locked_until, now, locked_until, err);
		goto out;
	}
	if (!(st = cp_db_stmt(db, sql_count, &inner))) {
		result = CP_EDB;
		goto unrecorded;
	}
	sqlite3_bind_text(st, 1, r.code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, 0);
	sqlite3_bind_int64(st, 3, 0);
	if ((result = run_update(db, st, NULL, &inner)) == CP_OK &&
	    (result = cp_db_commit(db, &inner)) == CP_OK)
		return CP_OK;
unrecorded:
	result = unrecorded(CP_WORD("the login was not completed"), result, &inner, err);
out:
	cp_db_rollback(db);
	return result;
}

/* Checks code and PIN and fills r. Every attempt at a known code is counted before its PIN is
 * checked, and a PIN whose attempt could not be counted is not checked; PBKDF2 runs outside
 * any transaction, so that logins never hold up a sale. */
static enum cp_err login(struct cp_db *db, const char *code, const char *pin, struct row *r,
			 int64_t *locked_until, struct cp_errbuf *err)
{
	static const uint8_t no_salt[SALT_LEN];
	uint8_t got[CP_SHA256_LEN];
	int64_t now = cp_db_now(db), own_lock = 0;
	enum cp_err result;
	bool match;

	if ((result = check_code(code, err)) != CP_OK || (result = check_pin(pin, err)) != CP_OK)
		return result;
	/* Wrong PINs must be counted even if the caller's transaction rolls back. */
	if (!sqlite3_get_autocommit(db->h))
		return cp_errf(err, CP_ESTATE,
			       "internal error: a PIN must be checked before a transaction begins");
	result = count_attempt(db, code, now, r, &own_lock, locked_until, err);
	if (result == CP_ENOTFOUND) {
		/* As slow as a known code, so that timing does not tell which codes exist. */
		hash_pin(pin, no_salt, sizeof(no_salt), db->pbkdf2_iterations, got, NULL);
		cp_wipe(got, sizeof(got));
		return cp_errf(err, CP_EAUTH, "wrong staff code or PIN");
	}
	if (result != CP_OK)
		return result;
	if ((result = hash_pin(pin, r->salt, r->saltlen, r->iter, got, err)) != CP_OK)
		return result;
	match = cp_ct_equal(got, r->hash, sizeof(got));
	cp_wipe(got, sizeof(got));
	if (!match) {
		/* Already counted: nothing more to write. */
		if (own_lock > 0)
			return locked("wrong PIN; ", r->code, own_lock, now, locked_until, err);
		return cp_errf(err, CP_EAUTH, "wrong staff code or PIN");
	}
	return finish_success(db, r, own_lock, now, locked_until, err);
}

/* Writes one staff row, joining a caller's transaction (the demo seed, HQ's feed) or in its
 * own. */
static enum cp_err store_row(struct cp_db *db, const char *code, const char *name,
			     enum cp_role role, const uint8_t *salt, size_t saltlen,
			     const uint8_t hash[CP_SHA256_LEN], uint32_t iter, bool active,
			     struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	enum cp_err result;
	int own, rc;

	if ((result = cp_db_tx_begin(db, &own, err)) != CP_OK)
		return result;
	if (!(st = cp_db_stmt(db, sql_upsert, err)))
		return cp_db_tx_end(db, own, CP_EDB, err);
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, role_names[role], -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, salt, (int)saltlen, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, hash, CP_SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, iter);
	sqlite3_bind_int(st, 7, active);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	result = rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "save staff", err);
	return cp_db_tx_end(db, own, result, err);
}

static enum cp_err check_role(enum cp_role role, struct cp_errbuf *err)
{
	if ((unsigned)role >= sizeof(role_names) / sizeof(role_names[0]))
		return cp_errf(err, CP_EINVAL, "a staff role is cashier, guide or manager");
	return CP_OK;
}

enum cp_err cp_staff_set(struct cp_db *db, const char *code, const char *name, enum cp_role role,
			 const char *pin, struct cp_errbuf *err)
{
	uint8_t salt[SALT_LEN], hash[CP_SHA256_LEN];
	enum cp_err result;

	if ((result = check_code(code, err)) != CP_OK ||
	    (result = check_name(name, err)) != CP_OK || (result = check_pin(pin, err)) != CP_OK ||
	    (result = check_role(role, err)) != CP_OK)
		return result;
	if (cp_rand_bytes(salt, sizeof(salt)) != 0)
		return cp_errf(err, CP_EIO,
			       "the system entropy source failed; the PIN was not set");
	result = hash_pin(pin, salt, sizeof(salt), db->pbkdf2_iterations, hash, err);
	if (result == CP_OK)
		result = store_row(db, code, name, role, salt, sizeof(salt), hash,
				   db->pbkdf2_iterations, true, err);
	cp_wipe(hash, sizeof(hash));
	cp_wipe(salt, sizeof(salt));
	return result;
}

enum cp_err cp_staff_put_hashed(struct cp_db *db, const char *code, const char *name,
				enum cp_role role, const uint8_t *salt, size_t saltlen,
				const uint8_t hash[32], uint32_t iterations, bool active,
				struct cp_errbuf *err)
{
	enum cp_err result;

	if ((result = check_code(code, err)) != CP_OK ||
	    (result = check_name(name, err)) != CP_OK || (result = check_role(role, err)) != CP_OK)
		return result;
	if (saltlen < 8 || saltlen > 64 || iterations < 1)
		return cp_errf(err, CP_EINVAL, "staff %s: the PIN salt or iteration count is bad",
			       code);
	return store_row(db, code, name, role, salt, saltlen, hash, iterations, active, err);
}

enum cp_err cp_staff_login(struct cp_db *db, const char *code, const char *pin,
			   struct cp_session *out, int64_t *locked_until, struct cp_errbuf *err)
{
	struct row r;
	enum cp_err result = login(db, code, pin, &r, locked_until, err);

	if (result != CP_OK)
		return result;
	if (out) {
		memset(out, 0, sizeof(*out));
		snprintf(out->code, sizeof(out->code), "%s", r.code);
		snprintf(out->name, sizeof(out->name), "%s", r.name);
		out->role = r.role;
		out->since = cp_db_now(db);
		/* The session's token: the open sale belongs to this login, not to the code. */
		uint8_t tok[CP_SESSION_TOKEN_LEN / 2];

		if (cp_rand_bytes(tok, sizeof(tok)) != 0) {
			memset(out, 0, sizeof(*out));
			return cp_errf(err, CP_EIO,
				       "the system entropy source failed; log in again");
		}
		cp_hex(tok, sizeof(tok), out->token);
		cp_wipe(tok, sizeof(tok));
	}
	return CP_OK;
}

/* true when code is an active manager per the database (not per a struct in memory). */
static enum cp_err is_manager(struct cp_db *db, const char *code, bool *yes, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, sql_role, err);
	int rc;

	*yes = false;
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*yes = cp_role_parse((const char *)sqlite3_column_text(st, 0)) == CP_ROLE_MANAGER;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read staff", err);
	return CP_OK;
}

enum cp_err cp_staff_authorise(struct cp_db *db, const struct cp_session *session,
			       const char *manager_code, const char *manager_pin,
			       const char *action, char authorised_by[17], struct cp_errbuf *err)
{
	const char *what = action && action[0] ? action : CP_WORD("this action");
	struct row r;
	enum cp_err result;
	bool manager = false;

	if (!session || !session->code[0])
		return cp_errf(err, CP_EAUTH, "nobody is logged in; log in first");
	if (check_code(session->code, NULL) == CP_OK &&
	    (result = is_manager(db, session->code, &manager, err)) != CP_OK)
		return result;
	if (manager) {
		snprintf(authorised_by, 17, "%s", session->code);
		return CP_OK;
	}
	if (!manager_code || !manager_code[0] || !manager_pin || !manager_pin[0])
		return cp_errf(err, CP_EPERM, "%s needs a manager's PIN", what);
	if ((result = login(db, manager_code, manager_pin, &r, NULL, err)) != CP_OK)
		return result;
	if (r.role != CP_ROLE_MANAGER)
		return cp_errf(err, CP_EPERM, "%s needs a manager's PIN (staff code %s is a %s)",
			       what, r.code, cp_role_name(r.role));
	snprintf(authorised_by, 17, "%s", r.code);
	return CP_OK;
}

/* ---- HQ's change feed ---- */

enum cp_err cp_staff_change_upsert(struct cp_db *db, json_t *d, const char *where,
				   struct cp_errbuf *err)
{
	const char *code, *name, *role, *salt_hex, *hash_hex, *badge;
	uint8_t salt[64], hash[32];
	int64_t iter;
	bool active;
	size_t saltlen;
	int r;
	enum cp_err result;

	if ((result = cp_rec_str(&cp_rec_hq, d, "code", false, &code, where, err)) ||
	    (result = cp_rec_str(&cp_rec_hq, d, "name", false, &name, where, err)) ||
	    (result = cp_rec_str(&cp_rec_hq, d, "role", false, &role, where, err)) ||
	    (result = cp_rec_str(&cp_rec_hq, d, "pin_salt", false, &salt_hex, where, err)) ||
	    (result = cp_rec_str(&cp_rec_hq, d, "pin_hash", false, &hash_hex, where, err)) ||
	    (result = cp_rec_int(&cp_rec_hq, d, "pin_iter", 1, 10000000, &iter, where, err)) ||
	    (result = cp_rec_bool(&cp_rec_hq, d, "active", &active, where, err)) ||
	    (json_object_get(d, "badge") &&
	     (result = cp_rec_str(&cp_rec_hq, d, "badge", true, &badge, where, err))))
		return result;
	saltlen = strlen(salt_hex) / 2;
	if ((r = cp_role_parse(role)) < 0)
		return cp_rec_bad(&cp_rec_hq, where, "role", "is not cashier, guide or manager",
				  err);
	if (saltlen > sizeof(salt) || !cp_unhex(salt_hex, salt, saltlen) ||
	    !cp_unhex(hash_hex, hash, sizeof(hash)))
		return cp_rec_bad(&cp_rec_hq, where, "pin_salt",
				  "or pin_hash is not hex of the right size", err);
	result = cp_staff_put_hashed(db, code, name, (enum cp_role)r, salt, saltlen, hash,
				     (uint32_t)iter, active, err);
	if (result == CP_OK && json_object_get(d, "badge"))
		result = cp_staff_set_badge(db, code, badge, err);
	cp_wipe(hash, sizeof(hash));
	return cp_rec_stored(&cp_rec_hq, result, where, err);
}

enum cp_err cp_staff_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err)
{
	return cp_change_run_keyed(db, "UPDATE staff SET active = 0 WHERE code = ?1", key, err);
}

/* ---- badges ---- */

enum cp_err cp_staff_set_badge(struct cp_db *db, const char *code, const char *badge,
			       struct cp_errbuf *err)
{
	char clean[CP_CODE_MAX + 1];
	enum cp_code_kind kind;
	enum cp_err result;
	sqlite3_stmt *st;
	int rc;

	if ((result = check_code(code, err)) != CP_OK)
		return result;
	if (badge && badge[0]) {
		if ((result = cp_code_parse(badge, clean, &kind, err)) != CP_OK)
			return result;
		if (kind != CP_CODE_EAN13 && kind != CP_CODE_EAN8)
			return cp_errf(err, CP_EINVAL,
				       "a badge is an EAN-8 or EAN-13 (8 or 13 digits with a valid "
				       "check digit)");
	}
	st = cp_db_stmt(db, "UPDATE staff SET badge = ?2 WHERE code = ?1", err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if (badge && badge[0])
		sqlite3_bind_text(st, 2, clean, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return cp_errf(err, CP_EEXIST, "badge %s belongs to another staff member", clean);
	if (rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "set badge", err);
	if (sqlite3_changes(db->h) == 0)
		return cp_errf(err, CP_ENOTFOUND, "no staff member with code %s", code);
	return CP_OK;
}

/* The cleaned badge, or an error naming what is wrong with it (nothing read or written). */
static enum cp_err badge_clean(const char *badge, char clean[CP_CODE_MAX + 1],
			       struct cp_errbuf *err)
{
	enum cp_code_kind kind;
	char tmp[CP_CODE_MAX + 1];
	size_t n = strspn(badge, "0123456789");

	if (badge[n] == '\0' && (n == 8 || n == 13) && !cp_code_check_digit_ok(badge))
		return cp_errf(
			err, CP_EINVAL,
			"badge %s: the check digit (the last digit) is wrong; scan the badge "
			"or type it again",
			badge);
	if (cp_code_parse(badge, tmp, &kind, NULL) != CP_OK ||
	    (kind != CP_CODE_EAN13 && kind != CP_CODE_EAN8))
		return cp_errf(err, CP_EINVAL,
			       "a badge is an EAN-8 or EAN-13: 8 or 13 digits, the last a check "
			       "digit");
	memcpy(clean, tmp, sizeof(tmp));
	return CP_OK;
}

/* Who else holds the badge: CP_EEXIST naming them, CP_OK when nobody but code does. */
static enum cp_err badge_free(struct cp_db *db, const char *code, const char *badge,
			      struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db, "SELECT code, name FROM staff WHERE badge = ?1 AND code <> ?2", err);
	char other[17] = "", name[65] = "";
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, badge, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		cp_db_col_text(st, 0, other, sizeof(other));
		cp_db_col_text(st, 1, name, sizeof(name));
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_ROW)
		return cp_errf(err, CP_EEXIST,
			       "badge %s is already staff %s's (%s); give this guide another badge",
			       badge, other, name);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "read staff", err);
}

enum cp_err cp_staff_set_guide(struct cp_db *db, const char *code, const char *name,
			       enum cp_role role, const char *pin, const char *badge,
			       struct cp_errbuf *err)
{
	uint8_t salt[SALT_LEN], hash[CP_SHA256_LEN];
	char clean[CP_CODE_MAX + 1];
	enum cp_err result;
	int own;

	if (!badge)
		return cp_staff_set(db, code, name, role, pin, err);
	if ((result = check_code(code, err)) != CP_OK ||
	    (result = check_name(name, err)) != CP_OK || (result = check_pin(pin, err)) != CP_OK ||
	    (result = check_role(role, err)) != CP_OK)
		return result;
	if (role != CP_ROLE_GUIDE)
		return cp_errf(err, CP_EINVAL,
			       "only a guide has a badge: staff %s is to be a %s; leave out the "
			       "badge or make them a guide",
			       code, role_names[role]);
	if ((result = badge_clean(badge, clean, err)) != CP_OK)
		return result;
	/* The PIN is hashed before the write lock is taken, as cp_staff_set does. */
	if (cp_rand_bytes(salt, sizeof(salt)) != 0)
		return cp_errf(err, CP_EIO,
			       "the system entropy source failed; the PIN was not set");
	if ((result = hash_pin(pin, salt, sizeof(salt), db->pbkdf2_iterations, hash, err)) !=
		    CP_OK ||
	    (result = cp_db_tx_begin(db, &own, err)) != CP_OK)
		goto out;
	if ((result = badge_free(db, code, clean, err)) == CP_OK &&
	    (result = store_row(db, code, name, role, salt, sizeof(salt), hash,
				db->pbkdf2_iterations, true, err)) == CP_OK)
		result = cp_staff_set_badge(db, code, clean, err);
	result = cp_db_tx_end(db, own, result, err);
out:
	cp_wipe(hash, sizeof(hash));
	cp_wipe(salt, sizeof(salt));
	return result;
}

enum cp_err cp_staff_find_badge(struct cp_db *db, const char *badge, char code[17], char name[65],
				enum cp_role *role, bool *active, struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db, "SELECT code, name, role, active FROM staff WHERE badge = ?1", err);
	int rc, r;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, badge, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		cp_db_col_text(st, 0, code, 17);
		cp_db_col_text(st, 1, name, 65);
		r = cp_role_parse((const char *)sqlite3_column_text(st, 2));
		*role = r < 0 ? CP_ROLE_CASHIER : (enum cp_role)r;
		*active = sqlite3_column_int(st, 3) != 0;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return CP_ENOTFOUND;
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read staff", err);
}
