/* cart.c — the open cart, kept in the database as it changes so that a crash, a closed window
 * or a power cut before payment loses nothing. Prices come from the catalogue when viewed, with
 * the member price once a member is attached. The cart belongs to the staff member and the
 * session (login) that opened it; another session must take it over, a cart_takeover event. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "barcode.h"
#include "cart.h"
#include "cart_cancel_int.h"
#include "cart_tender.h"
#include "catalog.h"
#include "cp_clock.h"
#include "discount_int.h"
#include "events_int.h"
#include "money.h"
#include "offer_int.h"
#include "scale.h"
#include "staff.h"

/* A scale label's line (columns 12, 13: weight, label amount): priced by weight at the price
 * a kilogram, or at the label's price; one of it at that amount. false on overflow. */
static bool weighed(sqlite3_stmt *st, struct cp_cart_line *l)
{
	bool by_weight = sqlite3_column_type(st, 12) != SQLITE_NULL;

	if (!by_weight && sqlite3_column_type(st, 13) == SQLITE_NULL)
		return true;
	l->weighed = true;
	l->per_kg = l->unit_price;
	l->qty = 1;
	if (by_weight) {
		l->weight_g = sqlite3_column_int64(st, 12);
		if (!cp_scale_amount(l->weight_g, l->per_kg, &l->unit_price))
			return false;
	} else {
		l->unit_price = sqlite3_column_int64(st, 13);
		l->weight_g = cp_scale_weight(l->unit_price, l->per_kg);
	}
	return true;
}

/* The cart as the last change on this connection left it: finish() reads it whole to check
 * the totals before it commits, and the view that follows (script mode and the UI answer every
 * change with one) takes that copy instead of reading and pricing it again, as long as nothing
 * was written since, here or by another connection (cp_db_versions), and the pricing
 * configuration, which lives on the handle, is the same. */
struct cart_memo {
	bool valid;
	int64_t data_version, changes;
	struct cp_discount_config discount;
	char session[CP_SESSION_TOKEN_LEN + 1];
	struct cp_cart_view view;
	struct cp_cart_view raw;          /* view before pricing: what read_lines gave */
	struct cp_discount_inputs priced; /* what its pricing read (tier and manual discounts) */
};

/* A scan's change to the cart, for finish() to apply to the memo instead of reading the cart
 * again: item's line line_no, new (append) or merged (qty more). */
struct scan_step {
	const struct cp_item *item;
	int line_no;
	int64_t qty;
	bool merged;
};

/* Copies the parts of a view that hold something: lines past nlines are not copied. */
static void view_copy(struct cp_cart_view *dst, const struct cp_cart_view *src)
{
	size_t head = offsetof(struct cp_cart_view, lines);
	size_t tail = offsetof(struct cp_cart_view, total);

	memcpy(dst, src, head + (size_t)src->nlines * sizeof(src->lines[0]));
	memcpy((char *)dst + tail, (const char *)src + tail, sizeof(*dst) - tail);
}

/* The memo when it still holds the cart as the tables do; NULL otherwise. */
static const struct cart_memo *memo_fresh(struct cp_db *db)
{
	const struct cart_memo *m = db->cart_memo;
	int64_t dv = 0, changes = 0;

	if (!m || !m->valid || memcmp(&m->discount, &db->discount, sizeof(m->discount)) != 0 ||
	    cp_db_versions(db, &dv, &changes, NULL) != CP_OK)
		return NULL;
	return m->data_version == dv && m->changes == changes ? m : NULL;
}

/* A line's amount, and with a member price its saving against list. false on overflow. */
static bool line_amount(struct cp_cart_line *l, bool member_price, int64_t list)
{
	return cp_money_mul(l->qty, l->unit_price, &l->amount) &&
	       (!member_price || (cp_money_mul(l->qty, list, &l->saving) &&
				  cp_money_sub(l->saving, l->amount, &l->saving)));
}

/* Adds a line to the view's totals. false on overflow. */
static bool line_sum(struct cp_cart_view *v, const struct cp_cart_line *l)
{
	return cp_money_add(v->points_held, l->points, &v->points_held) &&
	       cp_money_add(v->total, l->amount, &v->total) &&
	       (!l->eligible || cp_money_add(v->eligible, l->amount, &v->eligible)) &&
	       cp_money_add(v->items, l->qty, &v->items) && v->total <= CP_MONEY_MAX;
}

static enum cp_err read_lines(struct cp_db *db, struct cp_cart_view *v, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"SELECT l.line_no, l.sku, l.qty, i.name_zh, i.name_en, i.category, i.price,"
		" i.member_price, c.earn_excluded, coalesce(l.offer_id, ''),"
		" coalesce(o.cash, 0), coalesce(o.points, 0), l.weight_g, l.label_amount,"
		" l.benefit_seq IS NOT NULL FROM cart_line l"
		" JOIN item i ON i.sku = l.sku JOIN category c ON c.code = i.category"
		" LEFT JOIN offer o ON o.id = l.offer_id ORDER BY l.line_no",
		err);
	int rc;

	if (!st)
		return CP_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && v->nlines < CP_CART_MAX_LINES) {
		struct cp_cart_line *l = &v->lines[v->nlines++];
		bool gift = sqlite3_column_int(st, 14) != 0; /* a benefit's gift (benefit.c) */
		bool member_price =
			v->has_member && !gift && sqlite3_column_type(st, 7) != SQLITE_NULL;

		memset(l, 0, sizeof(*l));
		l->line_no = sqlite3_column_int(st, 0);
		cp_db_col_text(st, 1, l->sku, sizeof(l->sku));
		l->qty = sqlite3_column_int64(st, 2);
		cp_db_col_text(st, 3, l->name, sizeof(l->name));
		if (!l->name[0])
			cp_db_col_text(st, 4, l->name, sizeof(l->name));
		cp_db_col_text(st, 5, l->category, sizeof(l->category));
		l->unit_price = sqlite3_column_int64(st, member_price ? 7 : 6);
		l->eligible = sqlite3_column_int(st, 8) == 0;
		cp_db_col_text(st, 9, l->offer_id, sizeof(l->offer_id));
		if ((l->redemption = l->offer_id[0] != '\0')) {
			/* at the offer's cash price; earns nothing; holds its points */
			l->unit_price = sqlite3_column_int64(st, 10);
			l->points = sqlite3_column_int64(st, 11);
			l->eligible = false;
		}
		if (!weighed(st, l)) {
			sqlite3_reset(st);
			return cp_errf(err, CP_EOVERFLOW,
				       "the cart total is too large; lower a quantity");
		}
		if (gift) {
			l->unit_price = 0; /* given, not sold: earns nothing */
			l->eligible = false;
		}
		if (!line_amount(l, member_price && !l->redemption, sqlite3_column_int64(st, 6)) ||
		    !line_sum(v, l)) {
			sqlite3_reset(st);
			return cp_errf(err, CP_EOVERFLOW,
				       "the cart total is too large; lower a quantity");
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return cp_db_fail(db, rc, "read cart", err);
	return CP_OK;
}

/* The cart as stored; session (may be NULL) gets the owning session's token. With keep (the
 * memo, out being its view), the view before pricing and what pricing read are kept too. */
static enum cp_err read_cart(struct cp_db *db, struct cp_cart_view *out,
			     char session[CP_SESSION_TOKEN_LEN + 1], struct cart_memo *keep,
			     struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "SELECT staff, member_id, opened_at, session FROM cart WHERE id = 1", err);
	const struct cart_memo *m = memo_fresh(db);
	size_t tail = offsetof(struct cp_cart_view, total);
	char member_id[64] = "";
	enum cp_err result;
	int rc;

	if (m && out != &m->view) {
		view_copy(out, &m->view);
		if (session)
			memcpy(session, m->session, sizeof(m->session));
		return CP_OK;
	}
	/* All but the lines, which read_lines clears one by one: the whole view is 32 KB. */
	memset(out, 0, offsetof(struct cp_cart_view, lines));
	memset((char *)out + tail, 0, sizeof(*out) - tail);
	if (session)
		session[0] = '\0';
	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->open = true;
		cp_db_col_text(st, 0, out->staff, sizeof(out->staff));
		cp_db_col_text(st, 1, member_id, sizeof(member_id));
		out->opened_at = sqlite3_column_int64(st, 2);
		if (session)
			cp_db_col_text(st, 3, session, CP_SESSION_TOKEN_LEN + 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "read cart", err);
	if (member_id[0]) {
		if ((result = cp_member_get(db, member_id, &out->member, err)) != CP_OK)
			return result;
		out->has_member = true;
	}
	if ((result = read_lines(db, out, err)) != CP_OK)
		return result;
	if (!keep)
		return cp_discount_price(db, out, err);
	view_copy(&keep->raw, out);
	if ((result = cp_discount_inputs_read(db, out, &keep->priced, err)) != CP_OK)
		return result;
	return cp_discount_price_with(out, &db->discount, &keep->priced, err);
}

static bool logged_in(const struct cp_session *who)
{
	return who && who->code[0] && who->token[0];
}

static bool owns(const struct cp_session *who, const char *staff, const char *session)
{
	return logged_in(who) && strcmp(who->code, staff) == 0 && strcmp(who->token, session) == 0;
}

/* The owner of the cart v (read with its session token) as who sees it. */
static enum cp_err owner_of(struct cp_db *db, const struct cp_cart_view *v, const char *session,
			    const struct cp_session *who, struct cp_cart_owner *out,
			    struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!v->open)
		return CP_OK;
	out->open = true;
	out->mine = owns(who, v->staff, session);
	snprintf(out->staff, sizeof(out->staff), "%s", v->staff);
	out->opened_at = v->opened_at;
	out->nlines = v->nlines;
	out->items = v->items;
	out->total = v->total;
	if (!(st = cp_db_stmt(db, "SELECT name FROM staff WHERE code = ?1", err)))
		return CP_EDB;
	sqlite3_bind_text(st, 1, v->staff, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		cp_db_col_text(st, 0, out->name, sizeof(out->name));
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CP_OK
						     : cp_db_fail(db, rc, "read staff", err);
}

/* Another session's cart: who has it, since when, how much, and what to do. */
static enum cp_err refuse(const struct cp_cart_owner *o, const struct cp_session *who,
			  struct cp_errbuf *err)
{
	char when[32], total[48];

	cp_clock_iso(o->opened_at, when);
	cp_money_format(o->total, NULL, total, sizeof(total));
	if (logged_in(who) && strcmp(o->staff, who->code) == 0)
		return cp_errf(err, CP_ESTATE,
			       "your sale opened at %.10s %.5s (%lld items, %s) belongs to an "
			       "earlier login: take it over to go on with it or to cancel it",
			       when, when + 11, (long long)o->items, total);
	return cp_errf(err, CP_ESTATE,
		       "staff %s%s%s%s has a sale open since %.10s %.5s (%lld items, %s): ask "
		       "them to finish it, or take it over",
		       o->staff, o->name[0] ? " (" : "", o->name, o->name[0] ? ")" : "", when,
		       when + 11, (long long)o->items, total);
}

/* Reads the whole cart and its owner. */
static enum cp_err read_owned(struct cp_db *db, const struct cp_session *who,
			      struct cp_cart_view *v, struct cp_cart_owner *o,
			      struct cp_errbuf *err)
{
	char session[CP_SESSION_TOKEN_LEN + 1];
	enum cp_err result = read_cart(db, v, session, NULL, err);

	if (result == CP_OK)
		result = owner_of(db, v, session, who, o, err);
	return result;
}

enum cp_err cp_cart_view(struct cp_db *db, const struct cp_session *who, struct cp_cart_view *out,
			 struct cp_errbuf *err)
{
	char session[CP_SESSION_TOKEN_LEN + 1];
	struct cp_cart_owner o;
	enum cp_err result;

	if (!who)
		return read_cart(db, out, NULL, NULL, err);
	if (!logged_in(who)) {
		memset(out, 0, sizeof(*out));
		return cp_errf(err, CP_EAUTH, "log in first");
	}
	/* The owner's name is read only for the refusal: a view is asked for after every change. */
	if ((result = read_cart(db, out, session, NULL, err)) != CP_OK || !out->open ||
	    owns(who, out->staff, session))
		return result;
	result = owner_of(db, out, session, who, &o, err);
	memset(out, 0, sizeof(*out));
	return result != CP_OK ? result : refuse(&o, who, err);
}

enum cp_err cp_cart_owner(struct cp_db *db, const struct cp_session *who, struct cp_cart_owner *out,
			  struct cp_errbuf *err)
{
	struct cp_cart_view *v = malloc(sizeof(*v));
	enum cp_err result;

	memset(out, 0, sizeof(*out));
	if (!v)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	result = read_owned(db, who, v, out, err);
	free(v);
	return result;
}

/* Inside a change's transaction: who must be logged in and own the open cart, if any. */
static enum cp_err check_owner(struct cp_db *db, const struct cp_session *who,
			       struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, "SELECT staff, session FROM cart WHERE id = 1", err);
	char staff[17] = "", session[CP_SESSION_TOKEN_LEN + 1] = "";
	struct cp_cart_owner o;
	enum cp_err result;
	int rc;

	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		cp_db_col_text(st, 0, staff, sizeof(staff));
		cp_db_col_text(st, 1, session, sizeof(session));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE || (rc == SQLITE_ROW && owns(who, staff, session)))
		return CP_OK;
	if (rc != SQLITE_ROW)
		return cp_db_fail(db, rc, "read cart", err);
	if ((result = cp_cart_owner(db, who, &o, err)) != CP_OK)
		return result;
	return refuse(&o, who, err);
}

/* Opens the cart for who when none is open. */
static enum cp_err ensure_open(struct cp_db *db, const struct cp_session *who,
			       struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"INSERT OR IGNORE INTO cart(id, staff, opened_at, session) VALUES(1, ?1, ?2, ?3)",
		err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, who->code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, cp_db_now(db));
	sqlite3_bind_text(st, 3, who->token, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "open cart", err);
}

/* The memo's cart with a scan's line added, when nothing but that scan wrote since the memo
 * was taken (checked by the caller in the scan's transaction, which also read the item): the
 * lines as read_lines would give them, priced again. CP_ENOTFOUND when the cart must be read. */
static enum cp_err apply_scan(struct cp_db *db, struct cart_memo *m, const struct scan_step *s,
			      struct cp_errbuf *err)
{
	const struct cp_item *it = s->item;
	struct cp_cart_view *v = &m->view;
	struct cp_cart_line *l = NULL;
	bool member_price = m->raw.has_member && it->member_price >= 0;

	view_copy(v, &m->raw);
	for (int i = 0; i < v->nlines && !l; i++)
		if (v->lines[i].line_no == s->line_no)
			l = &v->lines[i];
	if (s->merged != (l != NULL) || (!l && v->nlines >= CP_CART_MAX_LINES) ||
	    (!l && v->nlines && v->lines[v->nlines - 1].line_no >= s->line_no))
		return CP_ENOTFOUND;
	if (l) {
		l->qty += s->qty; /* at most CP_QTY_MAX: add_line checked */
	} else {
		l = &v->lines[v->nlines++];
		memset(l, 0, sizeof(*l));
		l->line_no = s->line_no;
		memcpy(l->sku, it->sku, sizeof(l->sku));
		l->qty = s->qty;
		memcpy(l->name, it->name_zh[0] ? it->name_zh : it->name_en, sizeof(l->name));
		memcpy(l->category, it->category, sizeof(l->category));
		l->unit_price = member_price ? it->member_price : it->price;
		l->eligible = !it->earn_excluded;
	}
	v->total = v->eligible = v->items = v->points_held = 0;
	if (!line_amount(l, member_price, it->price))
		goto overflow;
	for (int i = 0; i < v->nlines; i++)
		if (!line_sum(v, &v->lines[i]))
			goto overflow;
	view_copy(&m->raw, v);
	return cp_discount_price_with(v, &db->discount, &m->priced, err);
overflow:
	return cp_errf(err, CP_EOVERFLOW, "the cart total is too large; lower a quantity");
}

/* Runs one change: begin, change, re-check the totals still fit, commit. The cart read for
 * the check is kept (struct cart_memo) once the commit stands. A scan (step, may be NULL)
 * whose memo was fresh before it began adds its line to the memo instead. */
static enum cp_err finish(struct cp_db *db, enum cp_err result, const struct scan_step *step,
			  struct cp_errbuf *err)
{
	struct cart_memo *m = db->cart_memo;
	bool quick = false;

	if (m)
		m->valid = false;
	if (result == CP_OK && !m && !(m = db->cart_memo = malloc(sizeof(*m))))
		result = cp_errf(err, CP_ENOMEM, "out of memory");
	if (result == CP_OK) {
		m->valid = false;
		memcpy(&m->discount, &db->discount, sizeof(m->discount));
		result = step ? apply_scan(db, m, step, err) : CP_ENOTFOUND;
		if (!(quick = result != CP_ENOTFOUND))
			result = read_cart(db, &m->view, m->session, m, err);
	}
	if (result == CP_OK)
		result = cp_db_commit(db, err);
	if (result != CP_OK) {
		cp_db_rollback(db);
	} else if (quick) {
		/* data_version as the scan found it: this connection's commits leave it alone */
		m->changes = sqlite3_total_changes64(db->h);
		m->valid = true;
	} else if (cp_db_versions(db, &m->data_version, &m->changes, NULL) == CP_OK) {
		m->valid = true;
	}
	return result;
}

static enum cp_err check_qty(int64_t qty, struct cp_errbuf *err)
{
	if (qty < 1 || qty > CP_QTY_MAX)
		return cp_errf(err, CP_EINVAL, "quantity must be 1 to %d", CP_QTY_MAX);
	return CP_OK;
}

static enum cp_err add_line(struct cp_db *db, const char *sku, int64_t qty, int *line_no,
			    bool *merged, struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   "SELECT line_no, qty FROM cart_line WHERE sku = ?1 AND offer_id IS NULL"
			   " AND weight_g IS NULL AND label_amount IS NULL AND benefit_seq IS NULL",
			   err);
	int64_t have = 0, count = 0, next = 1;
	int rc, line = 0;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, sku, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		line = sqlite3_column_int(st, 0);
		have = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read cart", err);
	if (line) {
		if (have + qty > CP_QTY_MAX)
			return cp_errf(err, CP_EINVAL, "quantity of line %d would exceed %d", line,
				       CP_QTY_MAX);
		st = cp_db_stmt(db, "UPDATE cart_line SET qty = qty + ?2 WHERE line_no = ?1", err);
	} else {
		st = cp_db_stmt(db, "SELECT count(*), coalesce(max(line_no), 0) + 1 FROM cart_line",
				err);
		if (!st)
			return CP_EDB;
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			count = sqlite3_column_int64(st, 0);
			next = sqlite3_column_int64(st, 1);
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW)
			return cp_db_fail(db, rc, "read cart", err);
		if (count >= CP_CART_MAX_LINES)
			return cp_errf(err, CP_ESTATE,
				       "the cart holds %d lines, the most one sale can; pay this "
				       "sale and start another",
				       CP_CART_MAX_LINES);
		line = (int)next;
		st = cp_db_stmt(db, "INSERT INTO cart_line(line_no, qty, sku) VALUES(?1, ?2, ?3)",
				err);
	}
	if (!st)
		return CP_EDB;
	sqlite3_bind_int(st, 1, line);
	sqlite3_bind_int64(st, 2, qty);
	if (!have)
		sqlite3_bind_text(st, 3, sku, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "change cart", err);
	*line_no = line;
	*merged = have != 0;
	return CP_OK;
}

/* A scale label's line: always a line of its own, one of it. */
static enum cp_err add_weighed(struct cp_db *db, const char *sku, const struct cp_scale_label *l,
			       int *line_no, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "SELECT count(*), coalesce(max(line_no), 0) + 1 FROM cart_line", err);
	int64_t count = 0, next = 1;
	int rc;

	if (!st)
		return CP_EDB;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		count = sqlite3_column_int64(st, 0);
		next = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return cp_db_fail(db, rc, "read cart", err);
	if (count >= CP_CART_MAX_LINES)
		return cp_errf(err, CP_ESTATE,
			       "the cart holds %d lines, the most one sale can; pay this sale and "
			       "start another",
			       CP_CART_MAX_LINES);
	st = cp_db_stmt(db,
			"INSERT INTO cart_line(line_no, qty, sku, weight_g, label_amount)"
			" VALUES(?1, 1, ?2, ?3, ?4)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, next);
	sqlite3_bind_text(st, 2, sku, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, l->by_weight ? 3 : 4, l->value);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "change cart", err);
	if (line_no)
		*line_no = (int)next;
	return CP_OK;
}

enum cp_err cp_cart_scan(struct cp_db *db, const struct cp_session *who, const char *code,
			 int64_t qty, int *line_no, struct cp_errbuf *err)
{
	char clean[CP_CODE_MAX + 1];
	enum cp_code_kind kind;
	struct cp_scale_label label;
	struct cp_item item;
	struct scan_step step = {0};
	const struct cart_memo *memo;
	enum cp_err result;
	bool scale = false, quick;
	int64_t before;

	if (!logged_in(who))
		return cp_errf(err, CP_EAUTH, "log in first");
	if ((result = check_qty(qty, err)) != CP_OK ||
	    (result = cp_code_parse(code, clean, &kind, err)) != CP_OK)
		return result;
	if (kind == CP_CODE_EAN13 &&
	    (result = cp_scale_parse(cp_scale_layouts(db), clean, &label, err)) != CP_ENOTFOUND) {
		if (result == CP_OK && qty != 1)
			result = cp_errf(err, CP_EINVAL,
					 "a weighed item's quantity is its weight: scan each label "
					 "once, without a quantity");
		if (result != CP_OK)
			return result;
		scale = true;
	}
	/* The item is looked up in the change's transaction: one snapshot for the lookup, the
	 * memo's check and the change, instead of a read transaction of its own (a third of the
	 * lookup's cost). A code not found writes nothing and leaves the memo as it was. */
	before = sqlite3_total_changes64(db->h);
	if ((result = cp_db_begin_light(db, err)) != CP_OK)
		return result;
	result = scale ? cp_scale_item(db, &label, &item, err)
		       : cp_catalog_find(db, clean, &item, err);
	if (result != CP_OK) {
		cp_db_rollback(db);
		return result;
	}
	/* The memo holds the open cart as the item was read: the line can be added to it. */
	step.item = &item;
	step.qty = qty;
	memo = scale ? NULL : memo_fresh(db);
	quick = memo && memo->view.open;
	/* The memo's cart is open and who's: its row need not be read nor opened again. */
	result = quick && owns(who, memo->view.staff, memo->session) ? CP_OK
								     : check_owner(db, who, err);
	if (result == CP_OK && !quick)
		result = ensure_open(db, who, err);
	if (result == CP_OK)
		result = scale ? add_weighed(db, item.sku, &label, line_no, err)
			       : add_line(db, item.sku, qty, &step.line_no, &step.merged, err);
	if (result == CP_OK && line_no && !scale)
		*line_no = step.line_no;
	quick = quick && sqlite3_total_changes64(db->h) == before + 1;
	cp_db_memo_keep(db, before); /* it wrote cart and cart_line only */
	return finish(db, result, quick ? &step : NULL, err);
}

/* Why a line change changed nothing: no such line, or an offer line's quantity (one each). */
static enum cp_err no_change(struct cp_db *db, int line_no, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db,
				      "SELECT weight_g IS NOT NULL OR label_amount IS NOT NULL"
				      " FROM cart_line WHERE line_no = ?1",
				      err);
	bool scale = false;
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int(st, 1, line_no);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		scale = sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	if (rc == SQLITE_ROW && scale)
		return cp_errf(err, CP_EINVAL,
			       "line %d is weighed: its quantity is its weight; scan the item's "
			       "next label for more",
			       line_no);
	if (rc == SQLITE_ROW)
		return cp_errf(err, CP_EINVAL,
			       "line %d is an offer, taken once per line; take the offer again for "
			       "another",
			       line_no);
	if (rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read cart", err);
	return cp_errf(err, CP_ENOTFOUND, "there is no line %d in the cart", line_no);
}

static enum cp_err change_line(struct cp_db *db, const struct cp_session *who, const char *sql,
			       int line_no, int64_t qty, struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	if (!logged_in(who))
		return cp_errf(err, CP_EAUTH, "log in first");
	if ((result = cp_db_begin_light(db, err)) != CP_OK)
		return result;
	if ((result = check_owner(db, who, err)) != CP_OK)
		return finish(db, result, NULL, err);
	st = cp_db_stmt(db, sql, err);
	if (!st)
		return finish(db, CP_EDB, NULL, err);
	sqlite3_bind_int(st, 1, line_no);
	if (qty)
		sqlite3_bind_int64(st, 2, qty);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		result = cp_db_fail(db, rc, "change cart", err);
	else if (sqlite3_changes(db->h) == 0)
		result = no_change(db, line_no, err);
	return finish(db, result, NULL, err);
}

enum cp_err cp_cart_set_qty(struct cp_db *db, const struct cp_session *who, int line_no,
			    int64_t qty, struct cp_errbuf *err)
{
	enum cp_err result = check_qty(qty, err);

	if (result != CP_OK)
		return result;
	return change_line(db, who,
			   "UPDATE cart_line SET qty = ?2 WHERE line_no = ?1 AND"
			   " (offer_id IS NULL OR ?2 = 1) AND weight_g IS NULL AND"
			   " label_amount IS NULL AND (benefit_seq IS NULL OR ?2 = 1)",
			   line_no, qty, err);
}

enum cp_err cp_cart_remove(struct cp_db *db, const struct cp_session *who, int line_no,
			   struct cp_errbuf *err)
{
	return change_line(db, who, "DELETE FROM cart_line WHERE line_no = ?1", line_no, 0, err);
}

enum cp_err cp_cart_set_member(struct cp_db *db, const struct cp_session *who,
			       const char *member_id, struct cp_errbuf *err)
{
	struct cp_member_view m;
	sqlite3_stmt *st;
	enum cp_err result;
	int64_t before = sqlite3_total_changes64(db->h);
	int rc;

	if (!logged_in(who))
		return cp_errf(err, CP_EAUTH, "log in first");
	if ((result = cp_db_begin_light(db, err)) != CP_OK)
		return result;
	if ((result = check_owner(db, who, err)) != CP_OK)
		return finish(db, result, NULL, err);
	/* Found inside the write transaction: sync may just have replaced a terminal-scoped id
	 * with HQ's, and the lookup follows it. */
	if ((member_id && (result = cp_member_get(db, member_id, &m, err)) != CP_OK) ||
	    (result = ensure_open(db, who, err)) != CP_OK)
		return finish(db, result, NULL, err);
	/* Offer lines were taken for the member attached: another member, or none, releases them. */
	st = cp_db_stmt(db,
			"DELETE FROM cart_line WHERE offer_id IS NOT NULL AND"
			" (SELECT member_id FROM cart WHERE id = 1) IS NOT ?1",
			err);
	if (!st)
		return finish(db, CP_EDB, NULL, err);
	if (member_id)
		sqlite3_bind_text(st, 1, m.id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return finish(db, cp_db_fail(db, rc, "release offers", err), NULL, err);
	st = cp_db_stmt(db, "UPDATE cart SET member_id = ?1 WHERE id = 1", err);
	if (!st)
		return finish(db, CP_EDB, NULL, err);
	if (member_id)
		sqlite3_bind_text(st, 1, m.id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	cp_db_memo_keep(db, before); /* it wrote cart and cart_line only */
	return finish(db, rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "attach member", err),
		      NULL, err);
}

/* Adds offer o as a line of its own (qty 1) in the open cart. */
static enum cp_err add_offer_line(struct cp_db *db, const struct cp_cart_view *v,
				  const struct cp_offer *o, int *line_no, struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	int next = 1, rc;

	if (v->nlines >= CP_CART_MAX_LINES)
		return cp_errf(err, CP_ESTATE,
			       "the cart holds %d lines, the most one sale can; pay this sale and "
			       "start another",
			       CP_CART_MAX_LINES);
	for (int i = 0; i < v->nlines; i++)
		if (v->lines[i].line_no >= next)
			next = v->lines[i].line_no + 1;
	st = cp_db_stmt(db,
			"INSERT INTO cart_line(line_no, qty, sku, offer_id) VALUES(?1, 1, ?2, ?3)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int(st, 1, next);
	sqlite3_bind_text(st, 2, o->sku, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, o->id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cp_db_fail(db, rc,
				  (rc & 0xff) == SQLITE_CONSTRAINT
					  ? "take the offer (its item is not in the catalogue)"
					  : "take the offer",
				  err);
	if (line_no)
		*line_no = next;
	return CP_OK;
}

enum cp_err cp_cart_add_offer(struct cp_db *db, const struct cp_session *who, const char *offer_id,
			      int *line_no, struct cp_errbuf *err)
{
	struct cp_cart_view *v;
	struct cp_offer o;
	enum cp_err result;

	if (!logged_in(who))
		return cp_errf(err, CP_EAUTH, "log in first");
	if (!(v = malloc(sizeof(*v))))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((result = cp_db_begin_light(db, err)) != CP_OK) {
		free(v);
		return result;
	}
	result = check_owner(db, who, err);
	if (result == CP_OK)
		result = read_cart(db, v, NULL, NULL, err);
	if (result == CP_OK)
		result = cp_offer_check_add(db, v, offer_id, &o, err);
	if (result == CP_OK)
		result = add_offer_line(db, v, &o, line_no, err);
	free(v);
	return finish(db, result, NULL, err);
}

enum cp_err cp_cart_cancel(struct cp_db *db, const struct cp_session *who, struct cp_errbuf *err)
{
	struct cp_tender back[CP_TENDER_MAX];
	int nback;

	return cp_cart_cancel_back(db, who, back, &nback, err);
}

enum cp_err cp_cart_cancel_back(struct cp_db *db, const struct cp_session *who,
				struct cp_tender back[CP_TENDER_MAX], int *nback,
				struct cp_errbuf *err)
{
	enum cp_err result;
	int64_t seq;

	*nback = 0;

	if (!logged_in(who))
		return cp_errf(err, CP_EAUTH, "log in first");
	/* fully durable, not a light cart edit: a sale with lines thrown away leaves an audit row
	 * in the journal (cart_cancel), and a journal row is never left unflushed */
	if ((result = cp_db_begin(db, err)) != CP_OK)
		return result;
	result = check_owner(db, who, err);
	if (result == CP_OK)
		result = cp_cart_cancel_record(db, who, &seq, back, nback, err);
	if (result == CP_OK)
		result = cp_db_exec(db, "DELETE FROM cart_line", err);
	if (result == CP_OK)
		result = cp_db_exec(db, "DELETE FROM cart", err);
	if (result == CP_OK)
		result = cp_db_commit(db, err);
	if (result != CP_OK) {
		cp_db_rollback(db);
		*nback = 0;
	}
	return result;
}

static json_t *takeover_payload(const struct cp_cart_view *v, const struct cp_session *who)
{
	json_t *p = json_object();

	if (!p || json_object_set_new(p, "from_staff", json_string(v->staff)) ||
	    json_object_set_new(p, "to_staff", json_string(who->code)) ||
	    json_object_set_new(p, "opened_at", json_integer(v->opened_at)) ||
	    json_object_set_new(p, "lines", json_integer(v->nlines)) ||
	    json_object_set_new(p, "items", json_integer(v->items)) ||
	    json_object_set_new(p, "total", json_integer(v->total)) ||
	    json_object_set_new(p, "member",
				v->has_member ? json_string(v->member.id) : json_null())) {
		json_decref(p);
		return NULL;
	}
	return p;
}

enum cp_err cp_cart_take_over(struct cp_db *db, const struct cp_session *who,
			      struct cp_cart_takeover *out, struct cp_errbuf *err)
{
	struct cp_cart_view *v = NULL;
	struct cp_cart_takeover r;
	json_t *payload = NULL;
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	memset(&r, 0, sizeof(r));
	if (!logged_in(who))
		return cp_errf(err, CP_EAUTH, "log in first");
	if (!(v = malloc(sizeof(*v))))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((result = cp_db_begin(db, err)) != CP_OK)
		goto out;
	if ((result = read_owned(db, who, v, &r.from, err)) != CP_OK)
		goto out;
	if (!r.from.open) {
		result = cp_errf(err, CP_ESTATE, "there is no open sale to take over");
		goto out;
	}
	if (r.from.mine) {
		result = cp_errf(err, CP_ESTATE, "the open sale is already yours");
		goto out;
	}
	if (!(payload = takeover_payload(v, who))) {
		result = cp_errf(err, CP_ENOMEM, "out of memory building the takeover");
		goto out;
	}
	if ((result = cp_journal_record(db, "cart_takeover", payload, &r.seq, NULL, err)) != CP_OK)
		goto out;
	if (!(st = cp_db_stmt(db, "UPDATE cart SET staff = ?1, session = ?2 WHERE id = 1", err))) {
		result = CP_EDB;
		goto out;
	}
	sqlite3_bind_text(st, 1, who->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, who->token, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		result = cp_db_fail(db, rc, "take over the cart", err);
		goto out;
	}
	if ((result = cp_db_commit(db, err)) != CP_OK)
		goto out;
	if (out)
		*out = r;
out:
	if (result != CP_OK)
		cp_db_rollback(db);
	json_decref(payload);
	free(v);
	return result;
}

enum cp_err cp_cart_takeover_apply(struct cp_db *db, int64_t seq, json_t *p, struct cp_errbuf *err)
{
	const char *from, *to, *member;
	int64_t at, opened_at, lines, items, total;
	enum cp_err result;
	sqlite3_stmt *st;
	int rc;

	if ((result = cp_jget_int(p, "at", &at, err)) ||
	    (result = cp_jget_str(p, "from_staff", &from, err)) ||
	    (result = cp_jget_str(p, "to_staff", &to, err)) ||
	    (result = cp_jget_int(p, "opened_at", &opened_at, err)) ||
	    (result = cp_jget_int(p, "lines", &lines, err)) ||
	    (result = cp_jget_int(p, "items", &items, err)) ||
	    (result = cp_jget_int(p, "total", &total, err)) ||
	    (result = cp_jget_str_or_null(p, "member", &member, err)))
		return result;
	st = cp_db_stmt(db,
			"INSERT INTO cart_takeover(seq, at, from_staff, to_staff, opened_at, lines,"
			" items, total, member_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_text(st, 3, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, to, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, opened_at);
	sqlite3_bind_int64(st, 6, lines);
	sqlite3_bind_int64(st, 7, items);
	sqlite3_bind_int64(st, 8, total);
	if (member)
		sqlite3_bind_text(st, 9, member, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record the cart takeover", err);
}
