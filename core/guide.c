/* guide.c — shopping guides: who holds a badge, binding a member to a guide (bind, refresh,
 * takeover, unbind as journal events, all applied by cp_guide_event_apply), the protection that
 * keeps a binding from another guide, the guide each sale is credited to, and a guide's day.
 * Owns guide_event, guide_credit, guide_binding and guide_serving. */
#include "guide.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "barcode.h"
#include "cart.h"
#include "cp_clock.h"
#include "events_int.h"
#include "guide_int.h"
#include "member_int.h"
#include "report_int.h"
#include "staff.h"
#include "text.h"

#define DAY_MS INT64_C(86400000)
#define REASON_MAX 200
#define EXPIRING_DAYS 7

enum cp_err cp_guide_parse_protection(const char *text, int *days, struct cp_errbuf *err)
{
	long v = 0;

	if (text && strcmp(text, "always") == 0) {
		*days = CP_GUIDE_ALWAYS;
		return CP_OK;
	}
	if (text && strcmp(text, "never") == 0) {
		*days = CP_GUIDE_NEVER;
		return CP_OK;
	}
	for (const char *c = text; c && *c; c++) {
		if (*c < '0' || *c > '9' || v > CP_GUIDE_MAX_DAYS)
			goto bad;
		v = v * 10 + (*c - '0');
	}
	if (!text || !text[0] || v > CP_GUIDE_MAX_DAYS)
		goto bad;
	*days = (int)v;
	return CP_OK;
bad:
	return cp_errf(err, CP_ECONFIG,
		       "[guide] protection_days is a number of days 0..%d, \"always\" or \"never\"",
		       CP_GUIDE_MAX_DAYS);
}

void cp_guide_configure(struct cp_db *db, int protection_days, bool register_binds)
{
	if (protection_days < CP_GUIDE_ALWAYS || protection_days > CP_GUIDE_MAX_DAYS)
		protection_days = CP_GUIDE_DEFAULT_DAYS;
	db->guide_days = protection_days;
	db->guide_register_off = !register_binds;
}

enum cp_err cp_guide_by_badge(struct cp_db *db, const char *badge, struct cp_guide_who *out,
			      struct cp_errbuf *err)
{
	char clean[CP_CODE_MAX + 1];
	enum cp_code_kind kind;
	enum cp_role role;
	bool active = false;
	enum cp_err result;

	memset(out, 0, sizeof(*out));
	if (!badge || !badge[0])
		return cp_errf(err, CP_EINVAL, "scan or type the guide's badge");
	if (cp_code_parse(badge, clean, &kind, NULL) != CP_OK ||
	    (kind != CP_CODE_EAN13 && kind != CP_CODE_EAN8))
		return cp_errf(
			err, CP_EINVAL,
			"that is not a badge: a badge is the 8 or 13 digits under the barcode "
			"on the guide's card; scan it again");
	result = cp_staff_find_badge(db, clean, out->code, out->name, &role, &active, err);
	if (result == CP_ENOTFOUND)
		return cp_errf(err, CP_ENOTFOUND,
			       "badge %s is not known at this till; check the card, or ask the "
			       "manager to register it",
			       clean);
	if (result != CP_OK)
		return result;
	if (!active)
		return cp_errf(err, CP_EPERM,
			       "badge %s belongs to %s (%s), who is no longer active; use an "
			       "active guide's badge",
			       clean, out->name, out->code);
	if (role != CP_ROLE_GUIDE)
		return cp_errf(err, CP_EPERM,
			       "badge %s belongs to %s (%s), a %s, not a guide; only a guide can "
			       "be bound or credited",
			       clean, out->name, out->code, cp_role_name(role));
	snprintf(out->badge, sizeof(out->badge), "%.14s", clean);
	return CP_OK;
}

/* A member's binding as this till knows it. */
struct binding {
	bool has;
	char guide[17];
	int64_t bound_at, last_credit_at;
};

/* guide is the member's guide ("" for none); the times come from guide_binding when it names
 * the same guide, else the binding is taken as made now (protected, to be safe). */
static enum cp_err read_binding(struct cp_db *db, const char *member_id, const char *guide,
				struct binding *b, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"SELECT guide, bound_at, last_credit_at FROM guide_binding WHERE member_id = ?1",
		err);
	int rc;

	memset(b, 0, sizeof(*b));
	if (!st)
		return CP_EDB;
	if (!guide || !guide[0])
		return CP_OK;
	b->has = true;
	snprintf(b->guide, sizeof(b->guide), "%s", guide);
	b->bound_at = cp_db_now(db);
	sqlite3_bind_text(st, 1, member_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), guide) == 0) {
		b->bound_at = sqlite3_column_int64(st, 1);
		b->last_credit_at = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read the member's guide", err);
	return CP_OK;
}

static int64_t until_of(const struct cp_db *db, int64_t bound_at, int64_t last_credit_at)
{
	int64_t from = bound_at > last_credit_at ? bound_at : last_credit_at;

	if (db->guide_days == CP_GUIDE_ALWAYS)
		return INT64_MAX;
	if (db->guide_days <= 0)
		return 0;
	return from + (int64_t)db->guide_days * DAY_MS;
}

/* The member to bind: req->member_id, or the one attached to who's open sale. */
static enum cp_err member_of(struct cp_db *db, const struct cp_session *who,
			     const struct cp_guide_bind_req *req, struct cp_member_view *m,
			     struct cp_errbuf *err)
{
	struct cp_cart_view *cart;
	enum cp_err result;

	if (req->member_id && req->member_id[0]) {
		result = cp_member_get(db, req->member_id, m, err);
		if (result == CP_ENOTFOUND)
			return cp_errf(err, CP_ENOTFOUND,
				       "member %s is not known at this till; look the member up "
				       "first",
				       req->member_id);
		return result;
	}
	if (!(cart = malloc(sizeof(*cart))))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	result = cp_cart_view(db, who, cart, err);
	if (result == CP_OK && (!cart->open || !cart->has_member))
		result = cp_errf(err, CP_ESTATE,
				 "no member is attached: attach the member (card or phone) first, "
				 "then scan the guide's badge");
	if (result == CP_OK)
		*m = cart->member;
	free(cart);
	return result;
}

/* The guide named by the badge, or who when no badge is given and who is a guide. */
static enum cp_err guide_of(struct cp_db *db, const struct cp_session *who, const char *badge,
			    struct cp_guide_who *g, struct cp_errbuf *err)
{
	if (badge && badge[0])
		return cp_guide_by_badge(db, badge, g, err);
	memset(g, 0, sizeof(*g));
	if (who->role != CP_ROLE_GUIDE)
		return cp_errf(err, CP_EINVAL, "scan or type the guide's badge");
	snprintf(g->code, sizeof(g->code), "%s", who->code);
	snprintf(g->name, sizeof(g->name), "%s", who->name);
	return CP_OK;
}

static enum cp_err check_reason(const char *reason, const char *what, struct cp_errbuf *err)
{
	if (!reason || !reason[0])
		return cp_errf(err, CP_EINVAL, "%s needs a reason: say why, in a few words", what);
	if (!cp_text_ok(reason, REASON_MAX))
		return cp_errf(err, CP_EINVAL,
			       "a reason is 1 to %d bytes of text without control characters",
			       REASON_MAX);
	return CP_OK;
}

static json_t *opt_str(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

/* Records one guide event inside the caller's transaction. */
static enum cp_err record(struct cp_db *db, const char *kind, const char *member_id,
			  const char *guide, const char *previous, const char *staff,
			  const char *authorised_by, const char *reason, int64_t *seq,
			  struct cp_errbuf *err)
{
	char type[32], day[11];
	json_t *p;
	enum cp_err result;

	if ((result = cp_report_event_day(db, cp_db_now(db), day, err)) != CP_OK)
		return result;
	snprintf(type, sizeof(type), "guide_%s", kind);
	p = json_pack("{s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:s}", "kind", kind, "member", member_id,
		      "guide", opt_str(guide), "previous", opt_str(previous), "staff", staff,
		      "authorised_by", opt_str(authorised_by), "reason", opt_str(reason), "day",
		      day);
	if (!p)
		return cp_errf(err, CP_ENOMEM, "out of memory recording the guide binding");
	result = cp_journal_record(db, type, p, seq, NULL, err);
	json_decref(p);
	return result;
}

static bool same_binding(const struct binding *a, const struct binding *b)
{
	return a->has == b->has && strcmp(a->guide, b->guide) == 0;
}

/* Inside the event's transaction: the member and binding again, which must not have changed
 * since the decision was taken outside it (a manager's PIN is checked outside). */
static enum cp_err recheck(struct cp_db *db, const char *member_id, const struct binding *seen,
			   struct binding *now, struct cp_errbuf *err)
{
	struct cp_member_view m;
	enum cp_err result = cp_member_get(db, member_id, &m, err);

	if (result != CP_OK || (result = read_binding(db, member_id, m.guide, now, err)) != CP_OK)
		return result;
	if (!same_binding(seen, now))
		return cp_errf(err, CP_ESTATE,
			       "the member's guide changed meanwhile (now %s); look again and "
			       "retry",
			       now->has ? now->guide : "none");
	return CP_OK;
}

static enum cp_err protected_msg(struct cp_db *db, const struct cp_member_view *m,
				 const struct binding *b, struct cp_errbuf *err)
{
	int64_t until = until_of(db, b->bound_at, b->last_credit_at);
	char at[32] = "";

	if (until == INT64_MAX)
		return cp_errf(err, CP_EPERM,
			       "member %s is guide %s's, protected always; taking them over needs "
			       "a manager's code and PIN and a reason",
			       m->masked_phone, b->guide);
	cp_clock_iso(until, at);
	return cp_errf(err, CP_EPERM,
		       "member %s is guide %s's, protected until %.10s; taking them over needs a "
		       "manager's code and PIN and a reason",
		       m->masked_phone, b->guide, at);
}

enum cp_err cp_guide_bind(struct cp_db *db, const struct cp_session *who,
			  const struct cp_guide_bind_req *req, struct cp_guide_bind_result *out,
			  struct cp_errbuf *err)
{
	struct cp_guide_bind_result r;
	struct cp_member_view m;
	struct binding b, b2;
	const char *kind;
	enum cp_err result;
	int64_t now = cp_db_now(db);
	bool needs_authority = false;

	memset(&r, 0, sizeof(r));
	if (!who || !who->code[0])
		return cp_errf(err, CP_EAUTH, "log in first");
	if ((result = member_of(db, who, req, &m, err)) != CP_OK ||
	    (result = guide_of(db, who, req->badge, &r.guide, err)) != CP_OK ||
	    (result = read_binding(db, m.id, m.guide, &b, err)) != CP_OK)
		return result;
	if (!b.has) {
		kind = "bind";
	} else if (strcmp(b.guide, r.guide.code) == 0) {
		kind = "refresh";
	} else {
		kind = "takeover";
		needs_authority = now < until_of(db, b.bound_at, b.last_credit_at);
	}
	if (needs_authority) {
		/* What is missing is said before any PIN is checked (and counted). */
		if ((!req->manager_code || !req->manager_code[0]) && who->role != CP_ROLE_MANAGER)
			return protected_msg(db, &m, &b, err);
		if ((result = check_reason(req->reason, CP_WORD("taking over a protected member"),
					   err)) != CP_OK)
			return result;
		result = cp_staff_authorise(db, who, req->manager_code, req->manager_pin,
					    CP_WORD("binding a protected member to another guide"),
					    r.authorised_by, err);
		if (result == CP_EPERM && (!req->manager_code || !req->manager_code[0]))
			return protected_msg(db, &m, &b, err);
		if (result != CP_OK)
			return result;
	} else if (req->reason && req->reason[0] &&
		   (result = check_reason(req->reason, CP_WORD("a binding"), err)) != CP_OK) {
		return result;
	}
	if ((result = cp_db_begin(db, err)) != CP_OK)
		return result;
	if ((result = recheck(db, m.id, &b, &b2, err)) != CP_OK ||
	    (result = record(db, kind, m.id, r.guide.code, b.has ? b.guide : NULL, who->code,
			     r.authorised_by, req->reason, &r.seq, err)) != CP_OK ||
	    (result = cp_db_commit(db, err)) != CP_OK)
		goto out;
	snprintf(r.kind, sizeof(r.kind), "%s", kind);
	snprintf(r.member, sizeof(r.member), "%s", m.id);
	snprintf(r.previous, sizeof(r.previous), "%s", b.has ? b.guide : "");
	r.protected_until = until_of(db, now, 0);
	*out = r;
out:
	if (result != CP_OK)
		cp_db_rollback(db);
	return result;
}

enum cp_err cp_guide_unbind(struct cp_db *db, const struct cp_session *who,
			    const struct cp_guide_bind_req *req, struct cp_guide_bind_result *out,
			    struct cp_errbuf *err)
{
	struct cp_guide_bind_result r;
	struct cp_member_view m;
	struct binding b, b2;
	enum cp_err result;

	memset(&r, 0, sizeof(r));
	if (!who || !who->code[0])
		return cp_errf(err, CP_EAUTH, "log in first");
	if ((result = member_of(db, who, req, &m, err)) != CP_OK ||
	    (result = read_binding(db, m.id, m.guide, &b, err)) != CP_OK)
		return result;
	if (!b.has)
		return cp_errf(err, CP_ESTATE, "member %s has no guide to unbind", m.masked_phone);
	if ((result = check_reason(req->reason, CP_WORD("unbinding a member"), err)) != CP_OK ||
	    (result = cp_staff_authorise(db, who, req->manager_code, req->manager_pin,
					 CP_WORD("unbinding a member from their guide"),
					 r.authorised_by, err)) != CP_OK)
		return result;
	if ((result = cp_db_begin(db, err)) != CP_OK)
		return result;
	if ((result = recheck(db, m.id, &b, &b2, err)) != CP_OK ||
	    (result = record(db, "unbind", m.id, NULL, b.guide, who->code, r.authorised_by,
			     req->reason, &r.seq, err)) != CP_OK ||
	    (result = cp_db_commit(db, err)) != CP_OK)
		goto out;
	snprintf(r.kind, sizeof(r.kind), "unbind");
	snprintf(r.member, sizeof(r.member), "%s", m.id);
	snprintf(r.previous, sizeof(r.previous), "%s", b.guide);
	*out = r;
out:
	if (result != CP_OK)
		cp_db_rollback(db);
	return result;
}

static enum cp_err run(struct cp_db *db, sqlite3_stmt *st, const char *what, struct cp_errbuf *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, what, err);
}

enum cp_err cp_guide_serve(struct cp_db *db, const struct cp_session *who, const char *badge,
			   struct cp_guide_who *out, struct cp_errbuf *err)
{
	struct cp_cart_view *cart = NULL;
	struct cp_guide_who g;
	sqlite3_stmt *st;
	enum cp_err result;

	if (!who || !who->code[0])
		return cp_errf(err, CP_EAUTH, "log in first");
	if ((result = cp_guide_by_badge(db, badge, &g, err)) != CP_OK)
		return result;
	if (!(cart = malloc(sizeof(*cart))))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((result = cp_db_begin(db, err)) != CP_OK)
		goto out;
	if ((result = cp_cart_view(db, who, cart, err)) != CP_OK)
		goto out;
	if (!cart->open) {
		result = cp_errf(err, CP_ESTATE,
				 "no sale is open: scan the first item, then the guide's badge");
		goto out;
	}
	result = CP_EDB;
	st = cp_db_stmt(db,
			"INSERT INTO guide_serving(id, guide, opened_at) VALUES(1, ?1, ?2)"
			" ON CONFLICT(id) DO UPDATE SET guide = excluded.guide,"
			" opened_at = excluded.opened_at",
			err);
	if (!st)
		goto out;
	sqlite3_bind_text(st, 1, g.code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, cart->opened_at);
	if ((result = run(db, st, "record the serving guide", err)) != CP_OK ||
	    (result = cp_db_commit(db, err)) != CP_OK)
		goto out;
	*out = g;
out:
	if (result != CP_OK)
		cp_db_rollback(db);
	free(cart);
	return result;
}

/* ---- hooks of other modules ---- */

enum cp_err cp_guide_serving_take(struct cp_db *db, int64_t opened_at, char guide[17],
				  struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "SELECT guide FROM guide_serving WHERE id = 1 AND opened_at = ?1", err);
	int rc;

	guide[0] = '\0';
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, opened_at);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		cp_db_col_text(st, 0, guide, 17);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? CP_OK
					 : cp_db_fail(db, rc, "read the serving guide", err);
	if (!(st = cp_db_stmt(db, "DELETE FROM guide_serving", err)))
		return CP_EDB;
	return run(db, st, "forget the serving guide", err);
}

enum cp_err cp_guide_serving_put(struct cp_db *db, const char *guide, int64_t opened_at,
				 struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   "INSERT INTO guide_serving(id, guide, opened_at) VALUES(1, ?1, ?2)"
			   " ON CONFLICT(id) DO UPDATE SET guide = excluded.guide,"
			   " opened_at = excluded.opened_at",
			   err);

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, guide, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, opened_at);
	return run(db, st, "record the serving guide", err);
}

enum cp_err cp_guide_sale_note(struct cp_db *db, int64_t opened_at, const char *member_guide,
			       json_t *payload, struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db, "SELECT guide, opened_at FROM guide_serving WHERE id = 1", err);
	char guide[17] = "";
	const char *source = NULL;
	int rc;

	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_int64(st, 1) == opened_at) {
		cp_db_col_text(st, 0, guide, sizeof(guide));
		source = "serving";
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read the serving guide", err);
	if (member_guide && member_guide[0]) {
		snprintf(guide, sizeof(guide), "%s", member_guide);
		source = "member";
	}
	if (json_object_set_new(payload, "guide", source ? json_string(guide) : json_null()) ||
	    (source && json_object_set_new(payload, "guide_source", json_string(source))))
		return cp_errf(err, CP_ENOMEM, "out of memory building the sale");
	if (rc == SQLITE_DONE) /* nobody serving: a DELETE would still rewrite the table's page */
		return CP_OK;
	if (!(st = cp_db_stmt(db, "DELETE FROM guide_serving", err)))
		return CP_EDB;
	return run(db, st, "forget the serving guide", err);
}

void cp_guide_sale_result(json_t *payload, char guide[17], bool *offer)
{
	const char *g = json_string_value(json_object_get(payload, "guide"));
	const char *src = json_string_value(json_object_get(payload, "guide_source"));

	snprintf(guide, 17, "%s", g ? g : "");
	*offer = g && src && strcmp(src, "serving") == 0 &&
		 json_is_string(json_object_get(payload, "member"));
}

enum cp_err cp_guide_refund_note(struct cp_db *db, int64_t sale_seq, json_t *payload,
				 struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "SELECT guide FROM guide_credit WHERE seq = ?1 AND kind = 'sale'", err);
	char guide[17] = "";
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, sale_seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		cp_db_col_text(st, 0, guide, sizeof(guide));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read the sale's guide", err);
	if (json_object_set_new(payload, "guide", opt_str(guide)))
		return cp_errf(err, CP_ENOMEM, "out of memory building the refund");
	return CP_OK;
}

enum cp_err cp_guide_credit_apply(struct cp_db *db, int64_t seq, json_t *p, bool refund,
				  struct cp_errbuf *err)
{
	const char *guide, *member, *day, *source = "refund";
	int64_t sale_seq = seq, amount, at;
	enum cp_err result;
	sqlite3_stmt *st;

	if (!json_is_string(json_object_get(p, "guide")))
		return CP_OK; /* credited to nobody, or recorded before guides */
	if ((result = cp_jget_str(p, "guide", &guide, err)) ||
	    (result = cp_jget_str_or_null(p, "member", &member, err)) ||
	    (result = cp_jget_str(p, "day", &day, err)) ||
	    (result = cp_jget_int(p, "at", &at, err)) ||
	    (result = cp_jget_int(p, refund ? "amount" : "total", &amount, err)) ||
	    (refund && (result = cp_jget_int(p, "sale_seq", &sale_seq, err))) ||
	    (!refund && (result = cp_jget_str(p, "guide_source", &source, err))))
		return result;
	st = cp_db_stmt(db,
			"INSERT INTO guide_credit(seq, kind, sale_seq, guide, source, member_id,"
			" business_day, amount) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, refund ? "refund" : "sale", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, sale_seq);
	sqlite3_bind_text(st, 4, guide, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, source, -1, SQLITE_STATIC);
	if (member)
		sqlite3_bind_text(st, 6, member, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, refund ? -amount : amount);
	if ((result = run(db, st, "record the guide's credit", err)) != CP_OK)
		return result;
	if (refund || !member || strcmp(source, "member") != 0)
		return CP_OK;
	/* A purchase credited to the member's guide extends the protection. */
	st = cp_db_stmt(db,
			"UPDATE guide_binding SET last_credit_at = max(last_credit_at, ?3)"
			" WHERE member_id = ?1 AND guide = ?2",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, guide, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, at);
	return run(db, st, "extend the guide's protection", err);
}

enum cp_err cp_guide_on_register(struct cp_db *db, const struct cp_session *who,
				 const char *member_id, struct cp_errbuf *err)
{
	if (db->guide_register_off || who->role != CP_ROLE_GUIDE)
		return CP_OK;
	return record(db, "bind", member_id, who->code, NULL, who->code, NULL, NULL, NULL, err);
}

/* Sets (guide not NULL) or ends a member's binding, as of at. */
static enum cp_err put_binding(struct cp_db *db, const char *member_id, const char *guide,
			       int64_t at, struct cp_errbuf *err)
{
	sqlite3_stmt *st;

	if (!guide) {
		if (!(st = cp_db_stmt(db, "DELETE FROM guide_binding WHERE member_id = ?1", err)))
			return CP_EDB;
		sqlite3_bind_text(st, 1, member_id, -1, SQLITE_STATIC);
		return run(db, st, "end the binding", err);
	}
	st = cp_db_stmt(db,
			"INSERT INTO guide_binding(member_id, guide, bound_at, last_credit_at)"
			" VALUES(?1, ?2, ?3, 0) ON CONFLICT(member_id) DO UPDATE SET"
			" last_credit_at = CASE WHEN guide = excluded.guide THEN last_credit_at"
			" ELSE 0 END, guide = excluded.guide, bound_at = excluded.bound_at",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, member_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, guide, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, at);
	return run(db, st, "record the binding", err);
}

enum cp_err cp_guide_follow_hq(struct cp_db *db, const char *member_id, const char *guide,
			       struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db, "SELECT guide FROM guide_binding WHERE member_id = ?1", err);
	bool same = false;
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, member_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		same = guide && strcmp((const char *)sqlite3_column_text(st, 0), guide) == 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read the binding", err);
	if (same)
		return CP_OK;
	return put_binding(db, member_id, guide && guide[0] ? guide : NULL, cp_db_now(db), err);
}

enum cp_err cp_guide_event_apply(struct cp_db *db, int64_t seq, json_t *p, struct cp_errbuf *err)
{
	const char *kind, *member, *guide, *previous, *staff, *by, *reason, *day;
	int64_t at;
	enum cp_err result;
	sqlite3_stmt *st;

	if ((result = cp_jget_str(p, "kind", &kind, err)) ||
	    (result = cp_jget_str(p, "member", &member, err)) ||
	    (result = cp_jget_str_or_null(p, "guide", &guide, err)) ||
	    (result = cp_jget_str_or_null(p, "previous", &previous, err)) ||
	    (result = cp_jget_str(p, "staff", &staff, err)) ||
	    (result = cp_jget_str_or_null(p, "authorised_by", &by, err)) ||
	    (result = cp_jget_str_or_null(p, "reason", &reason, err)) ||
	    (result = cp_jget_str(p, "day", &day, err)) ||
	    (result = cp_jget_int(p, "at", &at, err)))
		return result;
	if ((strcmp(kind, "unbind") == 0) != !guide)
		return cp_errf(err, CP_ECORRUPT, "journal payload: a %s %s a guide", kind,
			       guide ? "names" : "does not name");
	st = cp_db_stmt(db,
			"INSERT INTO guide_event(seq, kind, member_id, guide, previous, staff,"
			" authorised_by, reason, at, business_day)"
			" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, member, -1, SQLITE_STATIC);
	if (guide)
		sqlite3_bind_text(st, 4, guide, -1, SQLITE_STATIC);
	if (previous)
		sqlite3_bind_text(st, 5, previous, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, staff, -1, SQLITE_STATIC);
	if (by)
		sqlite3_bind_text(st, 7, by, -1, SQLITE_STATIC);
	if (reason)
		sqlite3_bind_text(st, 8, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, at);
	sqlite3_bind_text(st, 10, day, -1, SQLITE_STATIC);
	if ((result = run(db, st, "record the guide event", err)) != CP_OK ||
	    (result = put_binding(db, member, guide, at, err)) != CP_OK)
		return result;
	return cp_member_set_guide(db, member, guide, err);
}

/* ---- the guide's day ---- */

static enum cp_err count2(struct cp_db *db, sqlite3_stmt *st, int64_t *a, int64_t *b,
			  struct cp_errbuf *err)
{
	int rc;

	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*a = sqlite3_column_int64(st, 0);
		if (b)
			*b = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read the guide's day", err);
}

static sqlite3_stmt *stmt2(struct cp_db *db, const char *sql, const char *guide, const char *day,
			   struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, sql, err);

	if (st) {
		sqlite3_bind_text(st, 1, guide, -1, SQLITE_TRANSIENT);
		if (day)
			sqlite3_bind_text(st, 2, day, -1, SQLITE_TRANSIENT);
	}
	return st;
}

enum cp_err cp_guide_day(struct cp_db *db, const struct cp_session *who, const char *code,
			 struct cp_guide_day *out, struct cp_errbuf *err)
{
	struct cp_guide_day d;
	int64_t now = cp_db_now(db), until;
	enum cp_err result;
	sqlite3_stmt *st;

	memset(&d, 0, sizeof(d));
	if (!who || !who->code[0])
		return cp_errf(err, CP_EAUTH, "log in first");
	if (code && code[0]) {
		if ((result = cp_guide_by_badge(db, code, &d.guide, err)) != CP_OK)
			return result;
	} else if (who->role != CP_ROLE_GUIDE) {
		return cp_errf(err, CP_EPERM,
			       "the guide's day is a guide's own: log in as the guide, or scan "
			       "their badge");
	} else {
		snprintf(d.guide.code, sizeof(d.guide.code), "%s", who->code);
		snprintf(d.guide.name, sizeof(d.guide.name), "%s", who->name);
	}
	if ((result = cp_report_event_day(db, now, d.day, err)) != CP_OK)
		return result;
	if ((result = count2(db,
			     stmt2(db,
				   "SELECT count(*), coalesce(sum(amount), 0) FROM guide_credit"
				   " WHERE guide = ?1 AND business_day = ?2 AND kind = 'sale'",
				   d.guide.code, d.day, err),
			     &d.sales, &d.sales_amount, err)) ||
	    (result = count2(db,
			     stmt2(db,
				   "SELECT count(*), -coalesce(sum(amount), 0) FROM guide_credit"
				   " WHERE guide = ?1 AND business_day = ?2 AND kind = 'refund'",
				   d.guide.code, d.day, err),
			     &d.refunds, &d.refunds_amount, err)) ||
	    (result = count2(db,
			     stmt2(db,
				   "SELECT count(DISTINCT member_id) FROM guide_event WHERE"
				   " guide = ?1 AND business_day = ?2 AND kind IN"
				   " ('bind', 'takeover')",
				   d.guide.code, d.day, err),
			     &d.bound_today, NULL, err)) ||
	    (result = count2(db,
			     stmt2(db, "SELECT count(*) FROM guide_binding WHERE guide = ?1",
				   d.guide.code, NULL, err),
			     &d.bound_total, NULL, err)))
		return result;
	if (db->guide_days > 0) {
		until = (int64_t)db->guide_days * DAY_MS;
		st = stmt2(db,
			   "SELECT count(*) FROM guide_binding WHERE guide = ?1"
			   " AND max(bound_at, last_credit_at) + ?2 BETWEEN ?3 AND ?4",
			   d.guide.code, NULL, err);
		if (st) {
			sqlite3_bind_int64(st, 2, until);
			sqlite3_bind_int64(st, 3, now);
			sqlite3_bind_int64(st, 4, now + EXPIRING_DAYS * DAY_MS);
		}
		if ((result = count2(db, st, &d.expiring, NULL, err)) != CP_OK)
			return result;
	}
	*out = d;
	return CP_OK;
}
