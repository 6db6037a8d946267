/* cart_cancel.c — a cancelled cart's audit row: throwing away an open sale with lines is a
 * journal event (cart_cancel: who, when it was opened, its lines, member and total), written
 * to cart_cancel and summed in the day's tally, since cancelled sales are a known way for
 * money to leave the drawer unseen. Owns cart_cancel. */
#include <stdlib.h>
#include <string.h>

#include "cart.h"
#include "cart_cancel_int.h"
#include "events_int.h"
#include "report_int.h"
#include "staff.h"

static json_t *cancel_payload(const struct cp_cart_view *v, const struct cp_session *who,
			      const char *day)
{
	json_t *p = json_object(), *lines = json_array();

	for (int i = 0; p && lines && i < v->nlines; i++) {
		const struct cp_cart_line *l = &v->lines[i];

		if (json_array_append_new(lines, json_pack("{s:i, s:s, s:s, s:I, s:I}", "n",
							   l->line_no, "sku", l->sku, "name",
							   l->name, "qty", (json_int_t)l->qty,
							   "amount", (json_int_t)l->amount))) {
			json_decref(lines);
			lines = NULL;
		}
	}
	if (!p || !lines || json_object_set_new(p, "staff", json_string(who->code)) ||
	    json_object_set_new(p, "owner", json_string(v->staff)) ||
	    json_object_set_new(p, "day", json_string(day)) ||
	    json_object_set_new(p, "opened_at", json_integer(v->opened_at)) ||
	    json_object_set_new(p, "lines", json_incref(lines)) ||
	    json_object_set_new(p, "items", json_integer(v->items)) ||
	    json_object_set_new(p, "total", json_integer(v->total)) ||
	    json_object_set_new(p, "member",
				v->has_member ? json_string(v->member.id) : json_null())) {
		json_decref(p);
		json_decref(lines);
		return NULL;
	}
	json_decref(lines);
	return p;
}

enum cp_err cp_cart_cancel_record(struct cp_db *db, const struct cp_session *who, int64_t *seq,
				  struct cp_errbuf *err)
{
	struct cp_cart_view *v = malloc(sizeof(*v));
	json_t *payload = NULL;
	char day[11];
	enum cp_err result;

	*seq = 0;
	if (!v)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((result = cp_cart_view(db, who, v, err)) != CP_OK || !v->open || v->nlines == 0 ||
	    (result = cp_report_event_day(db, cp_db_now(db), day, err)) != CP_OK)
		goto out;
	if (!(payload = cancel_payload(v, who, day))) {
		result = cp_errf(err, CP_ENOMEM, "out of memory recording the cancelled sale");
		goto out;
	}
	result = cp_journal_record(db, "cart_cancel", payload, seq, NULL, err);
out:
	json_decref(payload);
	free(v);
	return result;
}

enum cp_err cp_cart_cancel_apply(struct cp_db *db, int64_t seq, json_t *p, struct cp_errbuf *err)
{
	const char *staff, *owner, *day, *member;
	int64_t at, opened_at, items, total;
	json_t *lines;
	enum cp_err result;
	sqlite3_stmt *st;
	int rc;

	if ((result = cp_jget_int(p, "at", &at, err)) ||
	    (result = cp_jget_str(p, "staff", &staff, err)) ||
	    (result = cp_jget_str(p, "owner", &owner, err)) ||
	    (result = cp_jget_str(p, "day", &day, err)) ||
	    (result = cp_jget_int(p, "opened_at", &opened_at, err)) ||
	    (result = cp_jget_array(p, "lines", &lines, err)) ||
	    (result = cp_jget_int(p, "items", &items, err)) ||
	    (result = cp_jget_int(p, "total", &total, err)) ||
	    (result = cp_jget_str_or_null(p, "member", &member, err)))
		return result;
	if (!(st = cp_db_stmt(
		      db,
		      "INSERT INTO cart_cancel(seq, at, staff, owner, business_day, opened_at,"
		      " lines, items, total, member_id)"
		      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
		      err)))
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_text(st, 3, staff, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, opened_at);
	sqlite3_bind_int64(st, 7, (int64_t)json_array_size(lines));
	sqlite3_bind_int64(st, 8, items);
	sqlite3_bind_int64(st, 9, total);
	if (member)
		sqlite3_bind_text(st, 10, member, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "record the cancelled sale", err);
	if (!(st = cp_db_stmt(db,
			      "INSERT INTO report_day_sum(day, what, key, n, amount, growth)"
			      " VALUES(?1, 'cancel', 'all', 1, ?2, 0)"
			      " ON CONFLICT(day, what, key) DO UPDATE SET n = n + 1,"
			      " amount = amount + excluded.amount",
			      err)))
		return CP_EDB;
	sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, total);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return cp_errf(err, CP_EOVERFLOW, "the day's cancelled sales are too large to sum");
	return rc == SQLITE_DONE
		       ? CP_OK
		       : cp_db_fail(db, rc, "add the cancelled sale to the day's tally", err);
}
