/* refund_noreceipt.c — refunds without a receipt (无单退货): one known item, a whole quantity, a
 * price a manager confirms, a reason, under a configured limit, money back in cash, no member
 * and no claw-back. Every check runs before the manager's PIN is asked; the event is a
 * refund_noreceipt journal row with a receipt number of its own, applied to refund_noreceipt
 * and its (negative) cash tender by one apply function that verify replays too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "barcode.h"
#include "catalog.h"
#include "events_int.h"
#include "money.h"
#include "receipt.h"
#include "refund_noreceipt.h"
#include "refund_noreceipt_int.h"
#include "report_int.h"
#include "scale.h"
#include "staff.h"
#include "text.h"

int64_t cp_refund_noreceipt_limit(const struct cp_db *db)
{
	return db->noreceipt_limit > 0 ? db->noreceipt_limit : CP_NORECEIPT_DEFAULT_LIMIT;
}

static enum cp_err check_reason(const char *reason, struct cp_errbuf *err)
{
	bool blank = true;

	for (const char *c = reason; c && *c; c++)
		if (*c != ' ')
			blank = false;
	if (blank)
		return cp_errf(err, CP_EINVAL,
			       "a refund without a receipt needs a reason; type why the item "
			       "comes back");
	if (strlen(reason) > CP_NORECEIPT_REASON_MAX)
		return cp_errf(err, CP_EINVAL,
			       "the reason is too long (%zu bytes; at most %d, about %d Chinese "
			       "characters); type it again, shorter",
			       strlen(reason), CP_NORECEIPT_REASON_MAX,
			       CP_NORECEIPT_REASON_MAX / 3);
	if (!cp_text_ok(reason, CP_NORECEIPT_REASON_MAX))
		return cp_errf(err, CP_EINVAL,
			       "the reason holds bytes that are not text or a control character; "
			       "type it again");
	return CP_OK;
}

/* The item a code names and its price a unit: a scale label's amount (its weight at the
 * item's price a kilogram), else the item's current price. */
static enum cp_err find_item(struct cp_db *db, const struct cp_refund_noreceipt_req *req,
			     struct cp_refund_noreceipt_quote *q, struct cp_errbuf *err)
{
	char clean[CP_CODE_MAX + 1];
	enum cp_code_kind kind;
	struct cp_scale_label label;
	struct cp_item item;
	enum cp_err result;
	bool scale = false;

	if (!req->code || !req->code[0])
		return cp_errf(err, CP_EINVAL, "scan the item or type its code");
	if ((result = cp_code_parse(req->code, clean, &kind, err)) != CP_OK)
		return result;
	if (kind == CP_CODE_EAN13 &&
	    (result = cp_scale_parse(cp_scale_layouts(db), clean, &label, err)) != CP_ENOTFOUND) {
		if (result == CP_OK && req->qty != 1)
			result = cp_errf(err, CP_EINVAL,
					 "a weighed item's label is one refund: give quantity 1 "
					 "for it");
		if (result != CP_OK || (result = cp_scale_item(db, &label, &item, err)) != CP_OK)
			return result;
		scale = true;
	} else if ((result = cp_catalog_find(db, clean, &item, err)) != CP_OK) {
		return result;
	}
	snprintf(q->sku, sizeof(q->sku), "%s", item.sku);
	snprintf(q->name, sizeof(q->name), "%s", item.name_zh[0] ? item.name_zh : item.name_en);
	q->list_price = item.price;
	if (scale && label.by_weight) {
		q->weight_g = label.value;
		if (!cp_scale_amount(label.value, item.price, &q->list_price))
			return cp_errf(err, CP_EOVERFLOW, "the refund is too large");
	} else if (scale) {
		q->list_price = label.value;
	}
	return CP_OK;
}

/* Every check and figure of the refund but the manager's authority. Reads only. */
static enum cp_err prepare(struct cp_db *db, const struct cp_session *who,
			   const struct cp_refund_noreceipt_req *req,
			   struct cp_refund_noreceipt_quote *q, struct cp_errbuf *err)
{
	char a[32], b[32];
	enum cp_err result;

	memset(q, 0, sizeof(*q));
	q->limit = cp_refund_noreceipt_limit(db);
	if (!who || !who->code[0])
		return cp_errf(err, CP_EAUTH, "log in first");
	/* the item first: a screen shows it (and its price) while the rest is being typed */
	if ((result = find_item(db, req, q, err)) != CP_OK)
		return result;
	if (req->qty < 1 || req->qty > CP_NORECEIPT_QTY_MAX)
		return cp_errf(err, CP_EINVAL,
			       "the quantity must be a whole number from 1 to %d; type it again",
			       CP_NORECEIPT_QTY_MAX);
	if ((result = check_reason(req->reason, err)) != CP_OK)
		return result;
	snprintf(q->reason, sizeof(q->reason), "%s", req->reason);
	q->qty = req->qty;
	q->unit_price = req->price_set ? req->price : q->list_price;
	if (req->price_set && q->unit_price <= 0)
		return cp_errf(err, CP_EINVAL,
			       "the price must be more than 0.00; type the price of one unit");
	if (q->unit_price <= 0)
		return cp_errf(err, CP_EINVAL, "item %s has no price; type the price of one unit",
			       q->sku);
	if (!cp_money_mul(q->unit_price, q->qty, &q->amount))
		return cp_errf(err, CP_EOVERFLOW, "the refund is too large");
	if (q->amount > q->limit) {
		cp_money_format(q->amount, NULL, a, sizeof(a));
		cp_money_format(q->limit, NULL, b, sizeof(b));
		return cp_errf(err, CP_EPERM,
			       "%s is over the limit of %s for a refund without a receipt; refund "
			       "less, or find the receipt",
			       a, b);
	}
	return CP_OK;
}

enum cp_err cp_refund_noreceipt_quote(struct cp_db *db, const struct cp_session *who,
				      const struct cp_refund_noreceipt_req *req,
				      struct cp_refund_noreceipt_quote *out, struct cp_errbuf *err)
{
	enum cp_err result;

	if ((result = cp_db_begin(db, err)) != CP_OK)
		return result;
	result = prepare(db, who, req, out, err);
	cp_db_rollback(db);
	return result;
}

static json_t *payload_for(const struct cp_session *who, const struct cp_refund_noreceipt_result *r)
{
	const struct cp_refund_noreceipt_quote *q = &r->q;

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:n,"
			 " s:[{s:s, s:I}]}",
			 "receipt", r->receipt, "staff", who->code, "authorised_by",
			 r->authorised_by, "day", r->day, "sku", q->sku, "name", q->name, "qty",
			 (json_int_t)q->qty, "list_price", (json_int_t)q->list_price, "unit_price",
			 (json_int_t)q->unit_price, "amount", (json_int_t)q->amount, "weight_g",
			 (json_int_t)q->weight_g, "reason", q->reason, "member", "tenders",
			 "method", "cash", "amount", (json_int_t)q->amount);
}

enum cp_err cp_refund_noreceipt(struct cp_db *db, const struct cp_session *who,
				const struct cp_refund_noreceipt_req *req,
				struct cp_refund_noreceipt_result *out, struct cp_errbuf *err)
{
	struct cp_refund_noreceipt_result r;
	json_t *payload = NULL;
	enum cp_err result;

	memset(&r, 0, sizeof(r));
	/* Every check first, so that a refund that would be refused never asks for a PIN. */
	if ((result = cp_refund_noreceipt_quote(db, who, req, &r.q, err)) != CP_OK)
		return result;
	if ((result = cp_staff_authorise(db, who, req->manager_code, req->manager_pin,
					 CP_WORD("a refund without a receipt"), r.authorised_by,
					 err)) != CP_OK)
		return result;
	if ((result = cp_db_begin(db, err)) != CP_OK)
		return result;
	if ((result = prepare(db, who, req, &r.q, err)) ||
	    (result = cp_report_event_day(db, cp_db_now(db), r.day, err)) ||
	    (result = cp_receipt_next(db, r.receipt, sizeof(r.receipt), err)))
		goto out;
	if (!(payload = payload_for(who, &r))) {
		result = cp_errf(err, CP_ENOMEM, "out of memory building the refund");
		goto out;
	}
	if ((result = cp_journal_record(db, "refund_noreceipt", payload, &r.seq, NULL, err)) !=
		    CP_OK ||
	    (result = cp_db_commit(db, err)) != CP_OK)
		goto out;
	*out = r;
out:
	if (result != CP_OK)
		cp_db_rollback(db);
	json_decref(payload);
	return result;
}

static enum cp_err corrupt(int64_t seq, struct cp_errbuf *err)
{
	return cp_errf(err, CP_ECORRUPT,
		       "journal %lld: the refund without a receipt does not add up; run verify",
		       (long long)seq);
}

/* The figures of a payload must hold together: a whole quantity, a price above 0, the
 * amount their product, given back in one cash tender of that amount. */
static enum cp_err check_figures(int64_t seq, int64_t qty, int64_t unit_price, int64_t amount,
				 json_t *tenders, struct cp_errbuf *err)
{
	json_t *t = json_array_get(tenders, 0);
	json_t *m = json_object_get(t, "method"), *a = json_object_get(t, "amount");
	int64_t product;

	if (qty < 1 || qty > CP_NORECEIPT_QTY_MAX || unit_price <= 0 ||
	    !cp_money_mul(unit_price, qty, &product) || product != amount ||
	    json_array_size(tenders) != 1 || !json_is_string(m) ||
	    strcmp(json_string_value(m), "cash") != 0 || !json_is_integer(a) ||
	    json_integer_value(a) != amount)
		return corrupt(seq, err);
	return CP_OK;
}

enum cp_err cp_refund_noreceipt_apply(struct cp_db *db, int64_t seq, json_t *p,
				      struct cp_errbuf *err)
{
	const char *receipt, *staff, *by, *day, *sku, *name, *reason;
	int64_t at, qty, list_price, unit_price, amount, weight_g;
	json_t *tenders;
	enum cp_err result;
	sqlite3_stmt *st;
	int rc;

	if ((result = cp_jget_str(p, "receipt", &receipt, err)) ||
	    (result = cp_jget_str(p, "staff", &staff, err)) ||
	    (result = cp_jget_str(p, "authorised_by", &by, err)) ||
	    (result = cp_jget_str(p, "day", &day, err)) ||
	    (result = cp_jget_int(p, "at", &at, err)) ||
	    (result = cp_jget_str(p, "sku", &sku, err)) ||
	    (result = cp_jget_str(p, "name", &name, err)) ||
	    (result = cp_jget_int(p, "qty", &qty, err)) ||
	    (result = cp_jget_int(p, "list_price", &list_price, err)) ||
	    (result = cp_jget_int(p, "unit_price", &unit_price, err)) ||
	    (result = cp_jget_int(p, "amount", &amount, err)) ||
	    (result = cp_jget_int(p, "weight_g", &weight_g, err)) ||
	    (result = cp_jget_str(p, "reason", &reason, err)) ||
	    (result = cp_jget_array(p, "tenders", &tenders, err)) ||
	    (result = check_figures(seq, qty, unit_price, amount, tenders, err)))
		return result;
	st = cp_db_stmt(db,
			"INSERT INTO refund_noreceipt(seq, receipt, staff, authorised_by,"
			" created_at, business_day, sku, name, qty, list_price, unit_price, amount,"
			" weight_g, reason) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
			" ?12, ?13, ?14)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, receipt, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, staff, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, at);
	sqlite3_bind_text(st, 6, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, sku, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, qty);
	sqlite3_bind_int64(st, 10, list_price);
	sqlite3_bind_int64(st, 11, unit_price);
	sqlite3_bind_int64(st, 12, amount);
	sqlite3_bind_int64(st, 13, weight_g);
	sqlite3_bind_text(st, 14, reason, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return corrupt(seq, err);
	if (rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "record the refund without a receipt", err);
	return cp_tenders_apply(db, seq, tenders, -1, err);
}

enum cp_err cp_refund_noreceipt_receipt_fill(struct cp_db *db, const char *receipt_no,
					     struct cp_receipt_view *v, int64_t *seq,
					     struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"SELECT r.seq, r.staff, r.authorised_by, r.created_at, r.business_day, r.amount,"
		" lower(hex(substr(j.hash, 1, 4))), r.name, r.qty, r.unit_price, r.reason"
		" FROM refund_noreceipt r JOIN journal j ON j.seq = r.seq"
		" WHERE r.receipt = ?1",
		err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, receipt_no, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		struct cp_receipt_line *l = &v->lines[0];

		v->kind = CP_RECEIPT_NORECEIPT;
		*seq = sqlite3_column_int64(st, 0);
		cp_db_col_text(st, 1, v->staff_code, sizeof(v->staff_code));
		cp_db_col_text(st, 2, v->authorised_by, sizeof(v->authorised_by));
		v->created_at = sqlite3_column_int64(st, 3);
		cp_db_col_text(st, 4, v->business_day, sizeof(v->business_day));
		v->total = sqlite3_column_int64(st, 5);
		cp_db_col_text(st, 6, v->verify_code, sizeof(v->verify_code));
		memset(l, 0, sizeof(*l));
		l->line_no = 1;
		cp_db_col_text(st, 7, l->name, sizeof(l->name));
		l->qty = sqlite3_column_int64(st, 8);
		l->unit_price = sqlite3_column_int64(st, 9);
		l->amount = v->total;
		cp_db_col_text(st, 10, v->reason, sizeof(v->reason));
		v->nlines = 1;
		v->items = l->qty;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return CP_OK;
	return rc == SQLITE_DONE ? CP_ENOTFOUND
				 : cp_db_fail(db, rc, "read the refund without a receipt", err);
}
