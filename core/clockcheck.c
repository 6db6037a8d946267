/* clockcheck.c — a manager's confirmation of a clock the journal did not believe: one
 * clock_confirm event, recorded and chained like any other, and its row in clock_confirm. */
#include <string.h>

#include "events_int.h"
#include "journal.h"
#include "staff.h"

enum cp_err cp_clockcheck_confirm(struct cp_db *db, const struct cp_session *who,
				  const char *manager_code, const char *manager_pin,
				  struct cp_clock_confirm_result *out, struct cp_errbuf *err)
{
	struct cp_clock_confirm_result r;
	struct cp_journal_status js;
	json_t *payload = NULL;
	enum cp_err result;

	memset(&r, 0, sizeof(r));
	if (!who || !who->code[0])
		return cp_errf(err, CP_EAUTH, "log in first");
	/* Authority first: wrong manager PINs are counted even though nothing is confirmed. */
	if ((result = cp_staff_authorise(db, who, manager_code, manager_pin,
					 CP_WORD("confirm the clock"), r.authorised_by, err)) !=
	    CP_OK)
		return result;
	if ((result = cp_db_begin(db, err)) != CP_OK)
		return result;
	r.at = cp_db_now(db);
	if ((result = cp_journal_status(db, &js, err)) != CP_OK)
		goto out;
	r.last_at = js.last_at;
	if (js.last_at - r.at <= CP_CLOCK_BEHIND_MS) {
		result = cp_errf(err, CP_ESTATE,
				 "the clock agrees with the journal; there is nothing to confirm");
		goto out;
	}
	payload = json_object();
	if (!payload || json_object_set_new(payload, "staff", json_string(who->code)) ||
	    json_object_set_new(payload, "authorised_by", json_string(r.authorised_by)) ||
	    json_object_set_new(payload, "last_at", json_integer(js.last_at))) {
		result = cp_errf(err, CP_ENOMEM, "out of memory building the confirmation");
		goto out;
	}
	if ((result = cp_journal_record(db, "clock_confirm", payload, &r.seq, NULL, err)) !=
		    CP_OK ||
	    (result = cp_db_commit(db, err)) != CP_OK)
		goto out;
	if (out)
		*out = r;
out:
	if (result != CP_OK)
		cp_db_rollback(db);
	json_decref(payload);
	return result;
}

bool cp_clockcheck_behind(struct cp_db *db, int64_t *now, int64_t *last_at)
{
	struct cp_journal_status js;
	int64_t t = cp_db_now(db);

	if (cp_journal_status(db, &js, NULL) != CP_OK)
		return false;
	if (now)
		*now = t;
	if (last_at)
		*last_at = js.last_at;
	return cp_clockcheck_plausible(t) && js.last_at - t > CP_CLOCK_BEHIND_MS;
}

enum cp_err cp_clockcheck_confirm_apply(struct cp_db *db, int64_t seq, json_t *p,
					struct cp_errbuf *err)
{
	const char *staff, *by;
	int64_t at, last_at;
	enum cp_err result;
	sqlite3_stmt *st;
	int rc;

	if ((result = cp_jget_int(p, "at", &at, err)) ||
	    (result = cp_jget_int(p, "last_at", &last_at, err)) ||
	    (result = cp_jget_str(p, "staff", &staff, err)) ||
	    (result = cp_jget_str(p, "authorised_by", &by, err)))
		return result;
	st = cp_db_stmt(db,
			"INSERT INTO clock_confirm(seq, at, last_at, staff, authorised_by)"
			" VALUES(?1, ?2, ?3, ?4, ?5)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_int64(st, 3, last_at);
	sqlite3_bind_text(st, 4, staff, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, by, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record the clock confirmation", err);
}
