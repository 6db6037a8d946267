/* park.c — parked sales (挂单/取单). Parking moves the open cart's lines and member into
 * parked_sale and parked_line and empties the cart, in one transaction; recalling moves them
 * back. The cart is priced from the catalogue whenever it is read, so a recalled sale is priced
 * as the catalogue is now; the price each line had when parked is kept to say what changed.
 * Its coupons, manual discounts (discount.c) and serving guide go with it (parked_coupon,
 * parked_discount, parked_guide); coupons and discounts are checked again on recall. Owns parked_sale, parked_line, parked_coupon and parked_guide. Parking is not a business event: nothing is journaled. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cart_tender_int.h"
#include "coupon_int.h"
#include "db_int.h"
#include "discount_int.h"
#include "guide_int.h"
#include "park.h"
#include "staff.h"

int cp_park_max(const struct cp_db *db)
{
	return db->park_max > 0 ? db->park_max : CP_PARK_DEFAULT_MAX;
}

static enum cp_err step_done(struct cp_db *db, sqlite3_stmt *st, const char *what,
			     struct cp_errbuf *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, what, err);
}

static enum cp_err count_parked(struct cp_db *db, int64_t *n, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, "SELECT count(*) FROM parked_sale", err);
	int rc;

	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "count parked sales", err);
}

static enum cp_err insert_sale(struct cp_db *db, const struct cp_cart_view *v, int64_t *id,
			       struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   "INSERT INTO parked_sale(staff, member_id, opened_at, parked_at,"
			   " lines, items, total) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			   err);
	enum cp_err result;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, v->staff, -1, SQLITE_STATIC);
	if (v->has_member)
		sqlite3_bind_text(st, 2, v->member.id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, v->opened_at);
	sqlite3_bind_int64(st, 4, cp_db_now(db));
	sqlite3_bind_int(st, 5, v->nlines);
	sqlite3_bind_int64(st, 6, v->items);
	sqlite3_bind_int64(st, 7, v->total);
	if ((result = step_done(db, st, "park the sale", err)) != CP_OK)
		return result;
	*id = sqlite3_last_insert_rowid(db->h);
	for (int i = 0; i < v->nlines; i++) {
		const struct cp_cart_line *l = &v->lines[i];

		st = cp_db_stmt(
			db,
			"INSERT INTO parked_line(park_id, line_no, sku, qty, offer_id,"
			" unit_price, weight_g, label_amount) SELECT ?1, ?2, ?3, ?4, ?5, ?6,"
			" weight_g, label_amount FROM cart_line WHERE line_no = ?2",
			err);
		if (!st)
			return CP_EDB;
		sqlite3_bind_int64(st, 1, *id);
		sqlite3_bind_int(st, 2, l->line_no);
		sqlite3_bind_text(st, 3, l->sku, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, l->qty);
		if (l->offer_id[0])
			sqlite3_bind_text(st, 5, l->offer_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, l->unit_price);
		if ((result = step_done(db, st, "park the sale's lines", err)) != CP_OK)
			return result;
	}
	return CP_OK;
}

/* The open sale's coupons and serving guide go with it. */
static enum cp_err keep_extras(struct cp_db *db, const struct cp_cart_view *v, int64_t id,
			       struct cp_errbuf *err)
{
	char codes[CP_COUPON_CART_MAX][CP_COUPON_CODE_LEN + 1], guide[17];
	enum cp_err result;
	sqlite3_stmt *st;
	int n = 0;

	if ((result = cp_coupon_cart_codes(db, codes, &n, err)) != CP_OK)
		return result;
	for (int k = 0; k < n; k++) {
		if (!(st = cp_db_stmt(
			      db, "INSERT INTO parked_coupon(park_id, n, code) VALUES(?1, ?2, ?3)",
			      err)))
			return CP_EDB;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, k + 1);
		sqlite3_bind_text(st, 3, codes[k], -1, SQLITE_STATIC);
		if ((result = step_done(db, st, "park the sale's coupons", err)) != CP_OK)
			return result;
	}
	if ((result = cp_guide_serving_take(db, v->opened_at, guide, err)) != CP_OK || !guide[0])
		return result;
	if (!(st = cp_db_stmt(db, "INSERT INTO parked_guide(park_id, guide) VALUES(?1, ?2)", err)))
		return CP_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, guide, -1, SQLITE_STATIC);
	return step_done(db, st, "park the sale's guide", err);
}

enum cp_err cp_park_save(struct cp_db *db, const struct cp_session *who, int64_t *id,
			 struct cp_errbuf *err)
{
	struct cp_cart_view *v = NULL;
	enum cp_err result;
	int64_t have = 0, parked = 0;
	struct cp_tender kept[CP_TENDER_MAX];
	int nkept = 0;

	if (!who || !who->code[0] || !who->token[0])
		return cp_errf(err, CP_EAUTH, "log in first");
	if (!(v = malloc(sizeof(*v))))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((result = cp_db_begin_light(db, err)) != CP_OK)
		goto out;
	if ((result = cp_cart_view(db, who, v, err)) != CP_OK)
		goto out;
	if (!v->open || v->nlines == 0) {
		result = cp_errf(err, CP_ESTATE, "there is no sale to park: scan an item first");
		goto out;
	}
	if ((result = count_parked(db, &have, err)) != CP_OK ||
	    (result = cp_cart_tender_load(db, kept, &nkept, err)) != CP_OK)
		goto out;
	if (nkept > 0) { /* money taken stays with the sale it was taken for */
		result = cp_errf(err, CP_ESTATE,
				 "payments have been entered for this sale: finish it, or take the "
				 "payments back before parking it");
		goto out;
	}
	if (have >= cp_park_max(db)) {
		result = cp_errf(err, CP_ESTATE,
				 "this till holds as many parked sales as it may: recall one and "
				 "finish it first");
		goto out;
	}
	if ((result = insert_sale(db, v, &parked, err)) != CP_OK ||
	    (result = keep_extras(db, v, parked, err)) != CP_OK ||
	    (result = cp_discount_park(db, parked, err)) != CP_OK ||
	    (result = cp_db_exec(db, "DELETE FROM cart_line", err)) != CP_OK ||
	    (result = cp_db_exec(db, "DELETE FROM cart", err)) != CP_OK ||
	    (result = cp_db_commit(db, err)) != CP_OK)
		goto out;
	if (id)
		*id = parked;
out:
	if (result != CP_OK)
		cp_db_rollback(db);
	free(v);
	return result;
}

static void read_parked(sqlite3_stmt *st, struct cp_parked *p)
{
	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(st, 0);
	cp_db_col_text(st, 1, p->staff, sizeof(p->staff));
	cp_db_col_text(st, 2, p->staff_name, sizeof(p->staff_name));
	p->parked_at = sqlite3_column_int64(st, 3);
	p->opened_at = sqlite3_column_int64(st, 4);
	p->nlines = sqlite3_column_int(st, 5);
	p->items = sqlite3_column_int64(st, 6);
	p->total = sqlite3_column_int64(st, 7);
	cp_db_col_text(st, 8, p->member_masked, sizeof(p->member_masked));
}

enum cp_err cp_park_list(struct cp_db *db, struct cp_parked *out, int max, int *n,
			 struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db,
				      "SELECT p.id, p.staff, coalesce(s.name, ''), p.parked_at,"
				      " p.opened_at, p.lines, p.items, p.total,"
				      " coalesce(m.phone_masked, '') FROM parked_sale p"
				      " LEFT JOIN staff s ON s.code = p.staff"
				      " LEFT JOIN member m ON m.id = p.member_id ORDER BY p.id",
				      err);
	int rc;

	*n = 0;
	if (!st)
		return CP_EDB;
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		read_parked(st, &out[(*n)++]);
	if (*n == max)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "list parked sales", err);
}

static enum cp_err find_parked(struct cp_db *db, int64_t id, struct cp_parked *p,
			       char member_id[64], struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db,
				      "SELECT p.id, p.staff, coalesce(s.name, ''), p.parked_at,"
				      " p.opened_at, p.lines, p.items, p.total,"
				      " coalesce(m.phone_masked, ''), coalesce(p.member_id, '')"
				      " FROM parked_sale p LEFT JOIN staff s ON s.code = p.staff"
				      " LEFT JOIN member m ON m.id = p.member_id WHERE p.id = ?1",
				      err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_parked(st, p);
		cp_db_col_text(st, 9, member_id, 64);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return cp_errf(
			err, CP_ENOTFOUND,
			"there is no parked sale %lld: pick one from the list of parked sales",
			(long long)id);
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read the parked sale", err);
}

/* The cart row for who, with the parked sale's member (followed to its current id) and time. */
static enum cp_err reopen_cart(struct cp_db *db, const struct cp_session *who,
			       const struct cp_parked *p, const char *member_id,
			       struct cp_park_recall *r, struct cp_errbuf *err)
{
	struct cp_member_view m;
	bool member = false;
	sqlite3_stmt *st;
	enum cp_err result;

	if (member_id[0]) {
		result = cp_member_get(db, member_id, &m, err);
		if (result == CP_OK)
			member = true;
		else if (result == CP_ENOTFOUND)
			r->member_dropped = true;
		else
			return result;
	}
	if ((result = cp_db_exec(db, "DELETE FROM cart", err)) != CP_OK)
		return result;
	st = cp_db_stmt(db,
			"INSERT INTO cart(id, staff, member_id, opened_at, session)"
			" VALUES(1, ?1, ?2, ?3, ?4)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, who->code, -1, SQLITE_STATIC);
	if (member)
		sqlite3_bind_text(st, 2, m.id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, p->opened_at);
	sqlite3_bind_text(st, 4, who->token, -1, SQLITE_STATIC);
	return step_done(db, st, "recall the sale", err);
}

/* Moves the parked lines into the cart; lines whose item has left the catalogue are dropped
 * and noted with now = -1. The others are compared with the cart's prices afterwards. */
static enum cp_err move_lines(struct cp_db *db, int64_t id, struct cp_park_recall *r,
			      struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	st = cp_db_stmt(
		db,
		"SELECT l.line_no, l.sku, l.unit_price FROM parked_line l WHERE l.park_id = ?1"
		" AND NOT EXISTS (SELECT 1 FROM item i WHERE i.sku = l.sku) ORDER BY l.line_no",
		err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && r->nchanged < CP_CART_MAX_LINES) {
		struct cp_park_change *c = &r->changed[r->nchanged++];

		c->line_no = sqlite3_column_int(st, 0);
		cp_db_col_text(st, 1, c->sku, sizeof(c->sku));
		cp_db_col_text(st, 1, c->name, sizeof(c->name));
		c->was = sqlite3_column_int64(st, 2);
		c->now = -1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return cp_db_fail(db, rc, "read the parked lines", err);
	if ((result = cp_db_exec(db, "DELETE FROM cart_line", err)) != CP_OK)
		return result;
	st = cp_db_stmt(db,
			"INSERT INTO cart_line(line_no, sku, qty, offer_id, weight_g, label_amount)"
			" SELECT line_no, sku, qty, offer_id, weight_g, label_amount"
			" FROM parked_line l WHERE park_id = ?1"
			" AND EXISTS (SELECT 1 FROM item i WHERE i.sku = l.sku)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, id);
	return step_done(db, st, "recall the sale's lines", err);
}

/* Notes the lines whose unit price now differs from the one they were parked at. */
static enum cp_err compare_prices(struct cp_db *db, int64_t id, const struct cp_cart_view *v,
				  struct cp_park_recall *r, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "SELECT unit_price FROM parked_line WHERE park_id = ?1 AND line_no = ?2", err);

	if (!st)
		return CP_EDB;
	for (int i = 0; i < v->nlines && r->nchanged < CP_CART_MAX_LINES; i++) {
		const struct cp_cart_line *l = &v->lines[i];
		int rc;

		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, l->line_no);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW && sqlite3_column_int64(st, 0) != l->unit_price) {
			struct cp_park_change *c = &r->changed[r->nchanged++];

			c->line_no = l->line_no;
			snprintf(c->sku, sizeof(c->sku), "%s", l->sku);
			snprintf(c->name, sizeof(c->name), "%s", l->name);
			c->was = sqlite3_column_int64(st, 0);
			c->now = l->unit_price;
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return cp_db_fail(db, rc, "read the parked lines", err);
	}
	return CP_OK;
}

/* The parked sale's serving guide serves it again, and its coupons go back on it as far as
 * they can still be used (v: the recalled cart). */
static enum cp_err restore_extras(struct cp_db *db, int64_t id, const struct cp_cart_view *v,
				  struct cp_park_recall *r, struct cp_errbuf *err)
{
	char codes[CP_COUPON_CART_MAX][CP_COUPON_CODE_LEN + 1];
	struct cp_errbuf why[CP_COUPON_CART_MAX];
	sqlite3_stmt *st = cp_db_stmt(db, "SELECT guide FROM parked_guide WHERE park_id = ?1", err);
	enum cp_err result;
	int rc, n = 0;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		cp_db_col_text(st, 0, r->guide, sizeof(r->guide));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read the parked sale's guide", err);
	if (r->guide[0] &&
	    (result = cp_guide_serving_put(db, r->guide, v->opened_at, err)) != CP_OK)
		return result;
	if (!(st = cp_db_stmt(db, "SELECT code FROM parked_coupon WHERE park_id = ?1 ORDER BY n",
			      err)))
		return CP_EDB;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < CP_COUPON_CART_MAX)
		cp_db_col_text(st, 0, codes[n++], sizeof(codes[0]));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read the parked sale's coupons", err);
	if (!n)
		return CP_OK;
	if ((result = cp_coupon_cart_restore(db, v, codes, n, why, err)) != CP_OK)
		return result;
	r->ncoupons = n;
	for (int k = 0; k < n; k++) {
		memcpy(r->coupons[k].code, codes[k], sizeof(r->coupons[k].code));
		r->coupons[k].kept = !why[k].msg[0];
		r->coupons[k].why = why[k];
	}
	return CP_OK;
}

static enum cp_err forget(struct cp_db *db, int64_t id, struct cp_errbuf *err)
{
	static const char *const sql[] = {"DELETE FROM parked_coupon WHERE park_id = ?1",
					  "DELETE FROM parked_guide WHERE park_id = ?1",
					  "DELETE FROM parked_line WHERE park_id = ?1",
					  "DELETE FROM parked_sale WHERE id = ?1"};

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *st = cp_db_stmt(db, sql[i], err);
		enum cp_err result;

		if (!st)
			return CP_EDB;
		sqlite3_bind_int64(st, 1, id);
		if ((result = step_done(db, st, "forget the parked sale", err)) != CP_OK)
			return result;
	}
	return CP_OK;
}

/* The open cart, even with no lines left, may hold payments taken: recalling a sale over it
 * would drop them with the cart row, so they are taken back or given back (cancel) first. */
static enum cp_err no_payments(struct cp_db *db, struct cp_errbuf *err)
{
	struct cp_tender kept[CP_TENDER_MAX];
	int nkept = 0;
	enum cp_err result = cp_cart_tender_load(db, kept, &nkept, err);

	if (result != CP_OK || nkept == 0)
		return result;
	return cp_errf(err, CP_ESTATE,
		       "payments have been entered for the open sale: take them back, or cancel "
		       "it to give them back, before recalling another");
}

/* Someone else's parked sale needs a manager's session. */
static enum cp_err may_recall(struct cp_db *db, const struct cp_session *who,
			      const struct cp_parked *p, struct cp_errbuf *err)
{
	struct cp_errbuf ignored;
	char by[17];
	enum cp_err result;

	if (strcmp(p->staff, who->code) == 0)
		return CP_OK;
	result = cp_staff_authorise(db, who, NULL, NULL, "recall", by, &ignored);
	if (result == CP_OK)
		return CP_OK;
	if (result != CP_EPERM)
		return cp_errf(err, result, "%s", ignored.msg);
	return cp_errf(err, CP_EPERM,
		       "sale %lld was parked by staff %s%s%s%s: only they or a manager can recall "
		       "it",
		       (long long)p->id, p->staff, p->staff_name[0] ? " (" : "", p->staff_name,
		       p->staff_name[0] ? ")" : "");
}

enum cp_err cp_park_recall(struct cp_db *db, const struct cp_session *who, int64_t id,
			   struct cp_park_recall *out, struct cp_errbuf *err)
{
	struct cp_park_recall *r = NULL;
	struct cp_cart_view *v = NULL;
	char member_id[64] = "";
	enum cp_err result;

	if (!who || !who->code[0] || !who->token[0])
		return cp_errf(err, CP_EAUTH, "log in first");
	if (!(v = malloc(sizeof(*v))) || !(r = calloc(1, sizeof(*r)))) {
		free(v);
		return cp_errf(err, CP_ENOMEM, "out of memory");
	}
	if ((result = cp_db_begin_light(db, err)) != CP_OK)
		goto out;
	if ((result = find_parked(db, id, &r->sale, member_id, err)) != CP_OK ||
	    (result = may_recall(db, who, &r->sale, err)) != CP_OK ||
	    (result = cp_cart_view(db, who, v, err)) != CP_OK)
		goto out;
	if (v->open && v->nlines > 0) {
		result = cp_errf(err, CP_ESTATE,
				 "a sale is open: park it or finish it before recalling another");
		goto out;
	}
	if (v->open && (result = no_payments(db, err)) != CP_OK)
		goto out;
	if ((result = reopen_cart(db, who, &r->sale, member_id, r, err)) != CP_OK ||
	    (result = move_lines(db, id, r, err)) != CP_OK ||
	    (result = cp_cart_view(db, who, v, err)) != CP_OK ||
	    (result = compare_prices(db, id, v, r, err)) != CP_OK ||
	    (result = cp_discount_unpark(db, who, id, r, err)) != CP_OK ||
	    (result = cp_cart_view(db, who, v, err)) != CP_OK ||
	    (result = restore_extras(db, id, v, r, err)) != CP_OK ||
	    (result = forget(db, id, err)) != CP_OK || (result = cp_db_commit(db, err)) != CP_OK)
		goto out;
	if (out)
		*out = *r;
out:
	if (result != CP_OK)
		cp_db_rollback(db);
	free(v);
	free(r);
	return result;
}
