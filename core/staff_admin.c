/* staff_admin.c — the staff module's manager actions at the counter: unlocking a locked staff
 * code and setting a new PIN, each one journal event (staff_unlock, staff_reset_pin) whose
 * view is staff_admin. Everything that can be checked is checked before a manager's authority
 * is asked, and again inside the write transaction. The PIN never reaches the journal. */
#include <stdio.h>
#include <string.h>

#include "events_int.h"
#include "staff_admin.h"

/* One staff row as this module reads it. */
struct target {
	char code[17];
	char name[65];
	enum cp_role role;
	int64_t failed, locked_until;
	bool active;
};

static enum cp_err check_code(const char *code, struct cp_errbuf *err)
{
	size_t n = code ? strlen(code) : 0;

	for (size_t i = 0; i < n; i++)
		if (!((code[i] >= '0' && code[i] <= '9') || (code[i] >= 'A' && code[i] <= 'Z') ||
		      (code[i] >= 'a' && code[i] <= 'z')))
			n = 0;
	if (n < 1 || n > 16)
		return cp_errf(err, CP_EINVAL,
			       "a staff code is 1 to 16 letters or digits (A-Z, 0-9)");
	return CP_OK;
}

/* The rule of staff.c, told before any authority is asked. */
static enum cp_err check_pin(const char *pin, struct cp_errbuf *err)
{
	size_t n = pin ? strlen(pin) : 0;

	for (size_t i = 0; i < n; i++)
		if (pin[i] < '0' || pin[i] > '9')
			return cp_errf(err, CP_EINVAL, "a PIN is 4 to 12 digits 0-9, nothing else");
	if (n < 4 || n > 12)
		return cp_errf(err, CP_EINVAL, "a PIN is 4 to 12 digits 0-9, nothing else");
	return CP_OK;
}

static enum cp_err read_target(struct cp_db *db, const char *code, struct target *t,
			       struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   "SELECT code, name, role, failed, locked_until, active FROM staff"
			   " WHERE code = ?1",
			   err);
	char role[16] = "";
	int rc, r;

	memset(t, 0, sizeof(*t));
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		cp_db_col_text(st, 0, t->code, sizeof(t->code));
		cp_db_col_text(st, 1, t->name, sizeof(t->name));
		cp_db_col_text(st, 2, role, sizeof(role));
		t->failed = sqlite3_column_int64(st, 3);
		t->locked_until = sqlite3_column_int64(st, 4);
		t->active = sqlite3_column_int(st, 5) != 0;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return cp_errf(err, CP_ENOTFOUND, "there is no staff code %s on this till", code);
	if (rc != SQLITE_ROW)
		return cp_db_fail(db, rc, "read staff", err);
	r = cp_role_parse(role);
	t->role = r < 0 ? CP_ROLE_CASHIER : (enum cp_role)r;
	return CP_OK;
}

/* What the action needs of the staff row; unlock needs something to unlock. */
static enum cp_err check_target(struct cp_db *db, const char *code, bool unlock, struct target *t,
				struct cp_errbuf *err)
{
	enum cp_err result = read_target(db, code, t, err);

	if (result != CP_OK)
		return result;
	if (!t->active)
		return cp_errf(err, CP_ESTATE,
			       "staff code %s is not active on this till: HQ has disabled it",
			       code);
	if (unlock && t->failed == 0 && t->locked_until <= cp_db_now(db))
		return cp_errf(err, CP_ESTATE, "staff code %s is not locked: nothing to unlock",
			       code);
	return CP_OK;
}

static enum cp_err record(struct cp_db *db, const char *type, const struct cp_session *who,
			  const struct target *t, struct cp_staff_admin_result *r,
			  struct cp_errbuf *err)
{
	json_t *p = json_object();
	enum cp_err result;

	r->was_locked_until = t->locked_until > cp_db_now(db) ? t->locked_until : 0;
	r->failed = t->failed;
	snprintf(r->staff, sizeof(r->staff), "%s", t->code);
	snprintf(r->name, sizeof(r->name), "%s", t->name);
	if (!p || json_object_set_new(p, "staff", json_string(t->code)) ||
	    json_object_set_new(p, "by", json_string(who->code)) ||
	    json_object_set_new(p, "authorised_by", json_string(r->authorised_by)) ||
	    json_object_set_new(p, "locked_until", json_integer(r->was_locked_until)) ||
	    json_object_set_new(p, "failed", json_integer(r->failed))) {
		json_decref(p);
		return cp_errf(err, CP_ENOMEM, "out of memory building the journal event");
	}
	result = cp_journal_record(db, type, p, &r->seq, NULL, err);
	json_decref(p);
	return result;
}

static enum cp_err act(struct cp_db *db, const struct cp_session *who, const char *manager_code,
		       const char *manager_pin, const char *code, const char *new_pin,
		       struct cp_staff_admin_result *out, struct cp_errbuf *err)
{
	bool unlock = new_pin == NULL;
	struct cp_staff_admin_result r;
	struct target t;
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	memset(&r, 0, sizeof(r));
	if (!who || !who->code[0])
		return cp_errf(err, CP_EAUTH, "log in first");
	if ((result = check_code(code, err)) != CP_OK ||
	    (!unlock && (result = check_pin(new_pin, err)) != CP_OK) ||
	    (result = check_target(db, code, unlock, &t, err)) != CP_OK)
		return result;
	/* Authority outside the write transaction: wrong manager PINs are counted. */
	if ((result = cp_staff_authorise(db, who, manager_code, manager_pin,
					 unlock ? "unlocking a staff code" : "setting a new PIN",
					 r.authorised_by, err)) != CP_OK)
		return result;
	if ((result = cp_db_begin(db, err)) != CP_OK)
		return result;
	if ((result = check_target(db, code, unlock, &t, err)) != CP_OK ||
	    (result = record(db, unlock ? "staff_unlock" : "staff_reset_pin", who, &t, &r, err)) !=
		    CP_OK)
		goto out;
	if (unlock) {
		st = cp_db_stmt(db, "UPDATE staff SET failed = 0, locked_until = 0 WHERE code = ?1",
				err);
		if (!st) {
			result = CP_EDB;
			goto out;
		}
		sqlite3_bind_text(st, 1, t.code, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			result = cp_db_fail(db, rc, "unlock the staff code", err);
			goto out;
		}
	} else if ((result = cp_staff_set(db, t.code, t.name, t.role, new_pin, err)) != CP_OK) {
		goto out; /* also clears the count and the lock */
	}
	if ((result = cp_db_commit(db, err)) != CP_OK)
		goto out;
	if (out)
		*out = r;
out:
	if (result != CP_OK)
		cp_db_rollback(db);
	return result;
}

enum cp_err cp_staff_admin_unlock(struct cp_db *db, const struct cp_session *who,
				  const char *manager_code, const char *manager_pin,
				  const char *code, struct cp_staff_admin_result *out,
				  struct cp_errbuf *err)
{
	return act(db, who, manager_code, manager_pin, code, NULL, out, err);
}

enum cp_err cp_staff_admin_reset_pin(struct cp_db *db, const struct cp_session *who,
				     const char *manager_code, const char *manager_pin,
				     const char *code, const char *new_pin,
				     struct cp_staff_admin_result *out, struct cp_errbuf *err)
{
	if (!new_pin)
		return cp_errf(err, CP_EINVAL, "a PIN is 4 to 12 digits 0-9, nothing else");
	return act(db, who, manager_code, manager_pin, code, new_pin, out, err);
}

enum cp_err cp_staff_admin_list(struct cp_db *db, struct cp_staff_admin_entry *out, int max, int *n,
				struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db,
				      "SELECT code, name, role, failed, locked_until FROM staff"
				      " WHERE active = 1 AND (failed > 0 OR locked_until > ?1)"
				      " ORDER BY locked_until DESC, code",
				      err);
	int64_t now = cp_db_now(db);
	int rc = SQLITE_DONE;

	*n = 0;
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, now);
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cp_staff_admin_entry *e = &out[(*n)++];
		char role[16];
		int r;

		memset(e, 0, sizeof(*e));
		cp_db_col_text(st, 0, e->code, sizeof(e->code));
		cp_db_col_text(st, 1, e->name, sizeof(e->name));
		cp_db_col_text(st, 2, role, sizeof(role));
		r = cp_role_parse(role);
		e->role = r < 0 ? CP_ROLE_CASHIER : (enum cp_role)r;
		e->failed = sqlite3_column_int64(st, 3);
		e->locked_until = sqlite3_column_int64(st, 4);
		e->locked = e->locked_until > now;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? CP_OK
						     : cp_db_fail(db, rc, "list staff", err);
}

enum cp_err cp_staff_admin_apply(struct cp_db *db, int64_t seq, json_t *p, struct cp_errbuf *err)
{
	const char *type, *staff, *by, *authorised_by;
	int64_t at, locked_until, failed;
	enum cp_err result;
	sqlite3_stmt *st;
	int rc;

	if ((result = cp_jget_str(p, "type", &type, err)) ||
	    (result = cp_jget_int(p, "at", &at, err)) ||
	    (result = cp_jget_str(p, "staff", &staff, err)) ||
	    (result = cp_jget_str(p, "by", &by, err)) ||
	    (result = cp_jget_str(p, "authorised_by", &authorised_by, err)) ||
	    (result = cp_jget_int(p, "locked_until", &locked_until, err)) ||
	    (result = cp_jget_int(p, "failed", &failed, err)))
		return result;
	st = cp_db_stmt(db,
			"INSERT INTO staff_admin(seq, kind, staff, by_staff, authorised_by, at,"
			" locked_until, failed) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, strcmp(type, "staff_unlock") == 0 ? "unlock" : "reset_pin", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 3, staff, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, authorised_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, at);
	sqlite3_bind_int64(st, 7, locked_until);
	sqlite3_bind_int64(st, 8, failed);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record the staff action", err);
}
