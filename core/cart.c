/* cart.c — the open cart, kept in the database as it changes so that a crash, a closed window
 * or a power cut before payment loses nothing. Prices come from the catalogue when viewed, with
 * the member price once a member is attached. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "barcode.h"
#include "cart.h"
#include "catalog.h"
#include "db_int.h"
#include "money.h"
#include "staff.h"

static enum cp_err read_lines(struct cp_db *db, struct cp_cart_view *v, struct cp_errbuf *err)
{
	sqlite3_stmt *st = db_stmt(
		db,
		"SELECT l.line_no, l.sku, l.qty, i.name_zh, i.name_en, i.category, i.price,"
		" i.member_price, c.earn_excluded FROM cart_line l JOIN item i ON i.sku = l.sku"
		" JOIN category c ON c.code = i.category ORDER BY l.line_no",
		err);
	int rc;

	if (!st)
		return CP_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && v->nlines < CP_CART_MAX_LINES) {
		struct cp_cart_line *l = &v->lines[v->nlines++];
		bool member_price = v->has_member && sqlite3_column_type(st, 7) != SQLITE_NULL;

		l->line_no = sqlite3_column_int(st, 0);
		db_col_text(st, 1, l->sku, sizeof(l->sku));
		l->qty = sqlite3_column_int64(st, 2);
		db_col_text(st, 3, l->name, sizeof(l->name));
		if (!l->name[0])
			db_col_text(st, 4, l->name, sizeof(l->name));
		db_col_text(st, 5, l->category, sizeof(l->category));
		l->unit_price = sqlite3_column_int64(st, member_price ? 7 : 6);
		l->eligible = sqlite3_column_int(st, 8) == 0;
		if (!cp_money_mul(l->qty, l->unit_price, &l->amount) ||
		    !cp_money_add(v->total, l->amount, &v->total) ||
		    (l->eligible && !cp_money_add(v->eligible, l->amount, &v->eligible)) ||
		    !cp_money_add(v->items, l->qty, &v->items) || v->total > CP_MONEY_MAX) {
			sqlite3_reset(st);
			return cp_errf(err, CP_EOVERFLOW,
				       "the cart total is too large; lower a quantity");
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_fail(db, rc, "read cart", err);
	return CP_OK;
}

enum cp_err cp_cart_view(struct cp_db *db, struct cp_cart_view *out, struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		db_stmt(db, "SELECT staff, member_id, opened_at FROM cart WHERE id = 1", err);
	char member_id[64] = "";
	enum cp_err result;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->open = true;
		db_col_text(st, 0, out->staff, sizeof(out->staff));
		db_col_text(st, 1, member_id, sizeof(member_id));
		out->opened_at = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? CP_OK : db_fail(db, rc, "read cart", err);
	if (member_id[0]) {
		if ((result = cp_member_get(db, member_id, &out->member, err)) != CP_OK)
			return result;
		out->has_member = true;
	}
	return read_lines(db, out, err);
}

/* Opens the cart for who when none is open. */
static enum cp_err ensure_open(struct cp_db *db, const struct cp_session *who,
			       struct cp_errbuf *err)
{
	sqlite3_stmt *st = db_stmt(
		db, "INSERT OR IGNORE INTO cart(id, staff, opened_at) VALUES(1, ?1, ?2)", err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, who->code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, cp_db_now(db));
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : db_fail(db, rc, "open cart", err);
}

/* Runs one change: begin, change, re-check the totals still fit, commit. */
static enum cp_err finish(struct cp_db *db, enum cp_err result, struct cp_errbuf *err)
{
	struct cp_cart_view *v;

	if (result == CP_OK) {
		v = malloc(sizeof(*v));
		if (!v)
			result = cp_errf(err, CP_ENOMEM, "out of memory");
		else
			result = cp_cart_view(db, v, err);
		free(v);
	}
	if (result == CP_OK)
		result = db_commit(db, err);
	if (result != CP_OK)
		db_rollback(db);
	return result;
}

static enum cp_err check_qty(int64_t qty, struct cp_errbuf *err)
{
	if (qty < 1 || qty > CP_QTY_MAX)
		return cp_errf(err, CP_EINVAL, "quantity must be 1 to %d", CP_QTY_MAX);
	return CP_OK;
}

static enum cp_err add_line(struct cp_db *db, const char *sku, int64_t qty, int *line_no,
			    struct cp_errbuf *err)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT line_no, qty FROM cart_line WHERE sku = ?1", err);
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
		return db_fail(db, rc, "read cart", err);
	if (line) {
		if (have + qty > CP_QTY_MAX)
			return cp_errf(err, CP_EINVAL, "quantity of line %d would exceed %d", line,
				       CP_QTY_MAX);
		st = db_stmt(db, "UPDATE cart_line SET qty = qty + ?2 WHERE line_no = ?1", err);
	} else {
		st = db_stmt(db, "SELECT count(*), coalesce(max(line_no), 0) + 1 FROM cart_line",
			     err);
		if (!st)
			return CP_EDB;
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			count = sqlite3_column_int64(st, 0);
			next = sqlite3_column_int64(st, 1);
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW)
			return db_fail(db, rc, "read cart", err);
		if (count >= CP_CART_MAX_LINES)
			return cp_errf(err, CP_ESTATE,
				       "the cart holds %d lines, the most one sale can; pay this "
				       "sale and start another",
				       CP_CART_MAX_LINES);
		line = (int)next;
		st = db_stmt(db, "INSERT INTO cart_line(line_no, qty, sku) VALUES(?1, ?2, ?3)",
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
		return db_fail(db, rc, "change cart", err);
	if (line_no)
		*line_no = line;
	return CP_OK;
}

enum cp_err cp_cart_scan(struct cp_db *db, const struct cp_session *who, const char *code,
			 int64_t qty, int *line_no, struct cp_errbuf *err)
{
	char clean[CP_CODE_MAX + 1];
	enum cp_code_kind kind;
	struct cp_item item;
	enum cp_err result;

	if (!who || !who->code[0])
		return cp_errf(err, CP_EAUTH, "log in first");
	if ((result = check_qty(qty, err)) != CP_OK ||
	    (result = cp_code_parse(code, clean, &kind, err)) != CP_OK ||
	    (result = cp_catalog_find(db, clean, &item, err)) != CP_OK)
		return result;
	if ((result = db_begin(db, err)) != CP_OK)
		return result;
	result = ensure_open(db, who, err);
	if (result == CP_OK)
		result = add_line(db, item.sku, qty, line_no, err);
	return finish(db, result, err);
}

static enum cp_err change_line(struct cp_db *db, const char *sql, int line_no, int64_t qty,
			       struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	if ((result = db_begin(db, err)) != CP_OK)
		return result;
	st = db_stmt(db, sql, err);
	if (!st)
		return finish(db, CP_EDB, err);
	sqlite3_bind_int(st, 1, line_no);
	if (qty)
		sqlite3_bind_int64(st, 2, qty);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		result = db_fail(db, rc, "change cart", err);
	else if (sqlite3_changes(db->h) == 0)
		result = cp_errf(err, CP_ENOTFOUND, "there is no line %d in the cart", line_no);
	return finish(db, result, err);
}

enum cp_err cp_cart_set_qty(struct cp_db *db, int line_no, int64_t qty, struct cp_errbuf *err)
{
	enum cp_err result = check_qty(qty, err);

	if (result != CP_OK)
		return result;
	return change_line(db, "UPDATE cart_line SET qty = ?2 WHERE line_no = ?1", line_no, qty,
			   err);
}

enum cp_err cp_cart_remove(struct cp_db *db, int line_no, struct cp_errbuf *err)
{
	return change_line(db, "DELETE FROM cart_line WHERE line_no = ?1", line_no, 0, err);
}

enum cp_err cp_cart_set_member(struct cp_db *db, const struct cp_session *who,
			       const char *member_id, struct cp_errbuf *err)
{
	struct cp_member_view m;
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	if (!who || !who->code[0])
		return cp_errf(err, CP_EAUTH, "log in first");
	if ((result = db_begin(db, err)) != CP_OK)
		return result;
	/* Found inside the write transaction: sync may just have replaced a terminal-scoped id
	 * with HQ's, and the lookup follows it. */
	if ((member_id && (result = cp_member_get(db, member_id, &m, err)) != CP_OK) ||
	    (result = ensure_open(db, who, err)) != CP_OK)
		return finish(db, result, err);
	st = db_stmt(db, "UPDATE cart SET member_id = ?1 WHERE id = 1", err);
	if (!st)
		return finish(db, CP_EDB, err);
	if (member_id)
		sqlite3_bind_text(st, 1, m.id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return finish(db, rc == SQLITE_DONE ? CP_OK : db_fail(db, rc, "attach member", err), err);
}

enum cp_err cp_cart_cancel(struct cp_db *db, struct cp_errbuf *err)
{
	enum cp_err result = db_begin(db, err);

	if (result != CP_OK)
		return result;
	result = db_exec(db, "DELETE FROM cart_line", err);
	if (result == CP_OK)
		result = db_exec(db, "DELETE FROM cart", err);
	if (result == CP_OK)
		result = db_commit(db, err);
	if (result != CP_OK)
		db_rollback(db);
	return result;
}
