/* cart_cancel.c — a cancelled cart's audit row: throwing away an open sale with lines is a
 * journal event (cart_cancel: who, when it was opened, its lines, member and total), written
 * to cart_cancel and summed in the day's tally, since cancelled sales are a known way for
 * money to leave the drawer unseen. The payments kept for it (cart_tender.c) are given back:
 * the event lists them (tenders) and cart_cancel_tender keeps them, so money taken and handed
 * back is never lost track of. Owns cart_cancel and cart_cancel_tender. */
#include <stdlib.h>
#include <string.h>

#include "cart.h"
#include "cart_cancel_int.h"
#include "cart_tender_int.h"
#include "events_int.h"
#include "report_int.h"
#include "staff.h"

/* The payments given back, as the event lists them: [{method, amount, ref}]. */
static json_t *tenders_json(const struct cp_tender *t, int n)
{
	json_t *a = json_array();

	for (int i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_pack("{s:s, s:I, s:s}", "method",
						       cp_tender_name(t[i].method), "amount",
						       (json_int_t)t[i].amount, "ref", t[i].ref))) {
			json_decref(a);
			a = NULL;
		}
	return a;
}

static json_t *cancel_payload(const struct cp_cart_view *v, const struct cp_session *who,
			      const char *day, const struct cp_tender *back, int nback)
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
				v->has_member ? json_string(v->member.id) : json_null()) ||
	    (nback > 0 && json_object_set_new(p, "tenders", tenders_json(back, nback)))) {
		json_decref(p);
		json_decref(lines);
		return NULL;
	}
	json_decref(lines);
	return p;
}

enum cp_err cp_cart_cancel_record(struct cp_db *db, const struct cp_session *who, int64_t *seq,
				  struct cp_tender back[CP_TENDER_MAX], int *nback,
				  struct cp_errbuf *err)
{
	struct cp_cart_view *v = malloc(sizeof(*v));
	json_t *payload = NULL;
	char day[11];
	enum cp_err result;

	*seq = 0;
	*nback = 0;
	if (!v)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((result = cp_cart_view(db, who, v, err)) != CP_OK || !v->open ||
	    (result = cp_cart_tender_load(db, back, nback, err)) != CP_OK ||
	    (v->nlines == 0 && *nback == 0) ||
	    (result = cp_report_event_day(db, cp_db_now(db), day, err)) != CP_OK)
		goto out;
	if (!(payload = cancel_payload(v, who, day, back, *nback))) {
		result = cp_errf(err, CP_ENOMEM, "out of memory recording the cancelled sale");
		goto out;
	}
	result = cp_journal_record(db, "cart_cancel", payload, seq, NULL, err);
out:
	json_decref(payload);
	free(v);
	return result;
}

/* The payments given back (absent in the events written before they were kept). */
static enum cp_err apply_tenders(struct cp_db *db, int64_t seq, json_t *p, struct cp_errbuf *err)
{
	json_t *a = json_object_get(p, "tenders"), *t;
	enum cp_err result;
	size_t i;

	if (!a)
		return CP_OK;
	if (!json_is_array(a) || json_array_size(a) > CP_TENDER_MAX)
		return cp_errf(err, CP_ECORRUPT, "cart_cancel: tenders is not a list of payments");
	json_array_foreach (a, i, t) {
		const char *method, *ref;
		int64_t amount;
		sqlite3_stmt *st;
		int rc;

		if ((result = cp_jget_str(t, "method", &method, err)) ||
		    (result = cp_jget_int(t, "amount", &amount, err)) ||
		    (result = cp_jget_str(t, "ref", &ref, err)))
			return result;
		if (cp_tender_parse(method) < 0 || amount <= 0)
			return cp_errf(err, CP_ECORRUPT,
				       "cart_cancel: a payment given back is bad");
		if (!(st = cp_db_stmt(db,
				      "INSERT INTO cart_cancel_tender(seq, n, method, amount, ref)"
				      " VALUES(?1, ?2, ?3, ?4, ?5)",
				      err)))
			return CP_EDB;
		sqlite3_bind_int64(st, 1, seq);
		sqlite3_bind_int64(st, 2, (int64_t)i + 1);
		sqlite3_bind_text(st, 3, method, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, amount);
		sqlite3_bind_text(st, 5, ref, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return cp_db_fail(db, rc, "record a payment given back", err);
	}
	return CP_OK;
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
	if ((result = apply_tenders(db, seq, p, err)) != CP_OK)
		return result;
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
