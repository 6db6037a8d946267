/* receipt.c — reads back everything a receipt prints for a sale, refund or post-void (the
 * tables the journal materialised, the member as they stand now, the event's journal hash) or
 * a coupon slip (coupon_slip.c), and keeps the printed text of each receipt in receipt_copy so
 * that it can be reprinted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benefit_int.h"
#include "cp_clock.h"
#include "db_int.h"
#include "coupon_int.h"
#include "lifecycle_int.h"
#include "receipt.h"
#include "refund_noreceipt_int.h"
#include "rounding_int.h"
#include "sale_weight_int.h"
#include "text.h"

static enum cp_err check_receipt_no(const char *receipt_no, struct cp_errbuf *err)
{
	if (!receipt_no || !receipt_no[0] || !cp_text_ok(receipt_no, CP_RECEIPT_LEN - 1))
		return cp_errf(err, CP_EINVAL,
			       "type or scan a receipt number (like S001-T01-000001)");
	return CP_OK;
}

/* The sale or refund row: identity, time, staff, totals, points and the verification code.
 * Sets *seq, *sale_seq (the sale's own seq for a sale) and member (the member's current id,
 * following a merge, or ""). */
static enum cp_err load_sale(struct cp_db *db, const char *receipt_no, struct cp_receipt_view *v,
			     int64_t *seq, char *member, size_t memberlen, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"SELECT s.seq, s.staff, s.created_at, s.business_day, s.total, s.change_due,"
		" s.points, s.growth, lower(hex(substr(j.hash, 1, 4))),"
		" coalesce((SELECT a.member_id FROM member_alias a WHERE a.local_id = s.member_id),"
		" s.member_id, ''), s.member_saving,"
		" (SELECT coalesce(sum(d.fen), 0) FROM sale_discount d WHERE d.seq = s.seq)"
		" FROM sale s JOIN journal j ON j.seq = s.seq WHERE s.receipt = ?1",
		err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, receipt_no, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		v->kind = CP_RECEIPT_SALE;
		*seq = sqlite3_column_int64(st, 0);
		cp_db_col_text(st, 1, v->staff_code, sizeof(v->staff_code));
		v->created_at = sqlite3_column_int64(st, 2);
		cp_db_col_text(st, 3, v->business_day, sizeof(v->business_day));
		v->total = sqlite3_column_int64(st, 4);
		v->change = sqlite3_column_int64(st, 5);
		v->points = sqlite3_column_int64(st, 6);
		v->growth = sqlite3_column_int64(st, 7);
		cp_db_col_text(st, 8, v->verify_code, sizeof(v->verify_code));
		cp_db_col_text(st, 9, member, memberlen);
		v->member_saving = sqlite3_column_int64(st, 10);
		v->discount = sqlite3_column_int64(st, 11);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return CP_OK;
	return rc == SQLITE_DONE ? CP_ENOTFOUND : cp_db_fail(db, rc, "read the sale", err);
}

static enum cp_err load_refund(struct cp_db *db, const char *receipt_no, struct cp_receipt_view *v,
			       int64_t *seq, char *member, size_t memberlen, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"SELECT r.seq, r.kind, r.staff, r.authorised_by, r.created_at, r.business_day,"
		" r.amount, r.points, r.growth, lower(hex(substr(j.hash, 1, 4))), s.receipt,"
		" coalesce((SELECT a.member_id FROM member_alias a WHERE a.local_id = s.member_id),"
		" s.member_id, '')"
		" FROM refund r JOIN sale s ON s.seq = r.sale_seq JOIN journal j ON j.seq = r.seq"
		" WHERE r.receipt = ?1",
		err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, receipt_no, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *kind = sqlite3_column_text(st, 1);

		*seq = sqlite3_column_int64(st, 0);
		v->kind = kind && strcmp((const char *)kind, "void") == 0 ? CP_RECEIPT_VOID
									  : CP_RECEIPT_REFUND;
		cp_db_col_text(st, 2, v->staff_code, sizeof(v->staff_code));
		cp_db_col_text(st, 3, v->authorised_by, sizeof(v->authorised_by));
		v->created_at = sqlite3_column_int64(st, 4);
		cp_db_col_text(st, 5, v->business_day, sizeof(v->business_day));
		v->total = sqlite3_column_int64(st, 6);
		v->points = sqlite3_column_int64(st, 7);
		v->growth = sqlite3_column_int64(st, 8);
		cp_db_col_text(st, 9, v->verify_code, sizeof(v->verify_code));
		cp_db_col_text(st, 10, v->sale_receipt, sizeof(v->sale_receipt));
		cp_db_col_text(st, 11, member, memberlen);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return CP_OK;
	return rc == SQLITE_DONE ? CP_ENOTFOUND : cp_db_fail(db, rc, "read the refund", err);
}

/* Lines as sold, or (refund) the sale's lines this refund gave back with the money for each. */
static enum cp_err load_lines(struct cp_db *db, int64_t seq, struct cp_receipt_view *v,
			      struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		v->kind == CP_RECEIPT_SALE
			? cp_db_stmt(db,
				     "SELECT line_no, name, qty, unit_price, amount FROM sale_line"
				     " WHERE seq = ?1 ORDER BY line_no",
				     err)
			: cp_db_stmt(
				  db,
				  "SELECT l.line_no, l.name, p.qty, l.unit_price, p.amount"
				  " FROM refund_part p JOIN sale_line l"
				  " ON l.seq = p.sale_seq AND l.line_no = p.line_no WHERE p.seq = "
				  "?1"
				  " UNION ALL"
				  " SELECT l.line_no, l.name, l.qty, l.unit_price, r.amount"
				  " FROM refund_line r JOIN sale_line l"
				  " ON l.seq = r.sale_seq AND l.line_no = r.line_no"
				  " WHERE r.seq = ?1 AND NOT EXISTS(SELECT 1 FROM refund_part p"
				  " WHERE p.seq = r.seq AND p.line_no = r.line_no) ORDER BY 1",
				  err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cp_receipt_line *l;

		if (v->nlines == CP_RECEIPT_MAX_LINES) {
			sqlite3_reset(st);
			return cp_errf(err, CP_ECORRUPT,
				       "receipt %s has more than %d lines; run verify", v->receipt,
				       CP_RECEIPT_MAX_LINES);
		}
		l = &v->lines[v->nlines++];
		l->line_no = sqlite3_column_int(st, 0);
		cp_db_col_text(st, 1, l->name, sizeof(l->name));
		l->qty = sqlite3_column_int64(st, 2);
		l->unit_price = sqlite3_column_int64(st, 3);
		l->amount = sqlite3_column_int64(st, 4);
		v->items += l->qty;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "read the receipt's lines", err);
}

/* Tenders in the order they were given; refunds hold negative amounts, shown as money back. */
static enum cp_err load_tenders(struct cp_db *db, int64_t seq, struct cp_receipt_view *v,
				struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "SELECT method, amount, ref FROM tender WHERE seq = ?1 ORDER BY n", err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int m = cp_tender_parse((const char *)sqlite3_column_text(st, 0));
		int64_t amount = sqlite3_column_int64(st, 1);
		const char *ref = (const char *)sqlite3_column_text(st, 2);

		if (m < 0 || v->ntenders == CP_TENDER_MAX) {
			sqlite3_reset(st);
			return cp_errf(
				err, CP_ECORRUPT,
				"receipt %s has a tender this program cannot read; run verify",
				v->receipt);
		}
		v->tenders[v->ntenders].method = (enum cp_tender_method)m;
		v->tenders[v->ntenders].amount = amount < 0 ? -amount : amount;
		snprintf(v->tenders[v->ntenders].ref, sizeof(v->tenders[v->ntenders].ref), "%s",
			 ref ? ref : "");
		v->tendered += v->tenders[v->ntenders].amount;
		v->ntenders++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "read the receipt's tenders", err);
}

/* Points that paid for part of the sale: the movements of the sale that took points away. */
static enum cp_err load_points_spent(struct cp_db *db, int64_t seq, struct cp_receipt_view *v,
				     struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db,
				      "SELECT coalesce(-sum(points), 0) FROM movement"
				      " WHERE seq = ?1 AND points < 0",
				      err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v->points_spent = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read the points spent", err);
}

/* Points a refund gave back: its movements that returned points (the clawback takes). */
static enum cp_err load_points_returned(struct cp_db *db, int64_t seq, struct cp_receipt_view *v,
					struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db,
				      "SELECT coalesce(sum(points), 0) FROM movement"
				      " WHERE seq = ?1 AND points > 0",
				      err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v->points_returned = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read the points given back", err);
}

/* A staff member's name; "" when the code is not (or no longer) known. */
static enum cp_err staff_name(struct cp_db *db, const char *code, char *out, size_t outlen,
			      struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, "SELECT name FROM staff WHERE code = ?1", err);
	int rc;

	out[0] = '\0';
	if (!code[0])
		return CP_OK;
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		cp_db_col_text(st, 0, out, outlen);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CP_OK
						     : cp_db_fail(db, rc, "read a staff name", err);
}

static enum cp_err load_member(struct cp_db *db, const char *id, struct cp_receipt_view *v,
			       struct cp_errbuf *err)
{
	enum cp_err result;

	if (!id[0])
		return CP_OK;
	v->has_member = true;
	result = cp_member_get(db, id, &v->member, err);
	if (result == CP_ENOTFOUND) {
		memset(&v->member, 0, sizeof(v->member));
		snprintf(v->member.id, sizeof(v->member.id), "%s", id);
		if (err)
			err->msg[0] = '\0';
		return CP_OK;
	}
	if (result != CP_OK)
		return result;
	v->member_known = true;
	return staff_name(db, v->member.guide, v->guide_name, sizeof(v->guide_name), err);
}

enum cp_err cp_receipt_get(struct cp_db *db, const char *receipt_no, struct cp_receipt_view *out,
			   struct cp_errbuf *err)
{
	struct cp_receipt_view *v = NULL;
	char member[64] = "", iso[32];
	int64_t seq = 0;
	enum cp_err result;
	bool began;

	if ((result = check_receipt_no(receipt_no, err)) != CP_OK)
		return result;
	if (!(v = calloc(1, sizeof(*v))))
		return cp_errf(err, CP_ENOMEM, "out of memory reading receipt %s", receipt_no);
	began = cp_db_read_begin(db);
	snprintf(v->receipt, sizeof(v->receipt), "%s", receipt_no);
	snprintf(v->store_id, sizeof(v->store_id), "%s", cp_db_store_id(db));
	snprintf(v->terminal_id, sizeof(v->terminal_id), "%s", cp_db_terminal_id(db));
	result = load_sale(db, receipt_no, v, &seq, member, sizeof(member), err);
	if (result == CP_ENOTFOUND)
		result = load_refund(db, receipt_no, v, &seq, member, sizeof(member), err);
	if (result == CP_ENOTFOUND)
		result = cp_refund_noreceipt_receipt_fill(db, receipt_no, v, &seq, err);
	if (result == CP_ENOTFOUND)
		result = cp_coupon_slip_fill(db, receipt_no, v, &seq, member, sizeof(member), err);
	if (result == CP_ENOTFOUND) {
		result = cp_errf(err, CP_ENOTFOUND,
				 "no sale, refund or coupon slip with number %s on this terminal; "
				 "check the number",
				 receipt_no);
		goto out;
	}
	if (result != CP_OK)
		goto out;
	result = cp_db_meta_get(db, "store_name", v->store_name, sizeof(v->store_name), err);
	if (result == CP_ENOTFOUND) {
		v->store_name[0] = '\0';
		if (err)
			err->msg[0] = '\0';
		result = CP_OK;
	}
	/* a coupon slip has no lines (its event has no tenders nor points given back either) */
	if (result != CP_OK ||
	    (v->kind != CP_RECEIPT_NORECEIPT && v->kind != CP_RECEIPT_COUPON &&
	     (result = load_lines(db, seq, v, err))) ||
	    (result = load_tenders(db, seq, v, err)) ||
	    (v->kind == CP_RECEIPT_SALE && (result = load_points_spent(db, seq, v, err))) ||
	    (v->kind == CP_RECEIPT_SALE && (result = cp_coupon_receipt_fill(db, seq, v, err))) ||
	    (v->kind == CP_RECEIPT_SALE && (result = cp_rounding_receipt_fill(db, seq, v, err))) ||
	    (v->kind == CP_RECEIPT_SALE &&
	     (result = cp_sale_weight_receipt_fill(db, seq, v, err))) ||
	    (v->kind != CP_RECEIPT_SALE && (result = load_points_returned(db, seq, v, err))) ||
	    (result = staff_name(db, v->staff_code, v->staff_name, sizeof(v->staff_name), err)) ||
	    (result = load_member(db, member, v, err)) ||
	    (result = cp_lifecycle_receipt_fill(db, seq, v, err)) ||
	    (result = cp_benefit_receipt_fill(db, v, err)))
		goto out;
	cp_clock_iso(v->created_at, iso);
	iso[10] = ' ';
	iso[19] = '\0';
	memcpy(v->time, iso, sizeof(v->time));
	*out = *v;
out:
	cp_db_read_end(db, began);
	free(v);
	return result;
}

/* CP_OK when the receipt number belongs to a sale, refund or coupon slip of this terminal. */
static enum cp_err receipt_exists(struct cp_db *db, const char *receipt_no, struct cp_errbuf *err)
{
	bool slip = false;
	enum cp_err result;
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   "SELECT 1 FROM sale WHERE receipt = ?1"
			   " UNION ALL SELECT 1 FROM refund WHERE receipt = ?1"
			   " UNION ALL SELECT 1 FROM refund_noreceipt WHERE receipt = ?1",
			   err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, receipt_no, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE &&
	    (result = cp_coupon_slip_exists(db, receipt_no, &slip, err)) != CP_OK)
		return result;
	if (rc == SQLITE_DONE && !slip)
		return cp_errf(err, CP_ENOTFOUND,
			       "no sale, refund or coupon slip with number %s on this terminal; "
			       "nothing to keep",
			       receipt_no);
	if (rc == SQLITE_DONE)
		return CP_OK;
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "look up the receipt", err);
}

enum cp_err cp_receipt_keep(struct cp_db *db, const char *receipt_no, const char *text,
			    struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	enum cp_err result;
	int own = 0, rc;
	int64_t before;

	if ((result = check_receipt_no(receipt_no, err)) != CP_OK)
		return result;
	if (!text || !text[0])
		return cp_errf(err, CP_EINVAL, "receipt %s has no text to keep", receipt_no);
	if (strlen(text) > CP_RECEIPT_TEXT_MAX)
		return cp_errf(err, CP_EINVAL,
			       "the text of receipt %s is longer than %d bytes; it was not kept",
			       receipt_no, CP_RECEIPT_TEXT_MAX);
	/* A copy lost in a power cut is laid out again on reprint (app_reprint). */
	if ((result = cp_db_tx_begin_light(db, &own, err)) != CP_OK)
		return result;
	before = sqlite3_total_changes64(db->h);
	if ((result = receipt_exists(db, receipt_no, err)) != CP_OK)
		goto out;
	st = cp_db_stmt(db,
			"INSERT INTO receipt_copy(receipt, text, created_at, printed, error)"
			" VALUES(?1, ?2, ?3, 0, '') ON CONFLICT(receipt) DO UPDATE SET"
			" text = excluded.text, created_at = excluded.created_at, printed = 0,"
			" error = ''",
			err);
	if (!st) {
		result = CP_EDB;
		goto out;
	}
	sqlite3_bind_text(st, 1, receipt_no, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, cp_db_now(db));
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		result = cp_db_fail(db, rc, "keep the receipt copy", err);
out:
	result = cp_db_tx_end(db, own, result, err);
	/* It wrote receipt_copy only: the member and the store's memos stay fresh for the next
	 * sale's attach. */
	if (own && result == CP_OK)
		cp_db_memo_keep(db, before);
	return result;
}

static enum cp_err no_copy(const char *receipt_no, struct cp_errbuf *err)
{
	return cp_errf(err, CP_ENOTFOUND, "no copy of receipt %s is kept on this terminal",
		       receipt_no);
}

/* Drops a UTF-8 sequence left incomplete at the end of s by a cut. */
static void cut_utf8(char *s)
{
	size_t len = strlen(s), start = len, need;
	unsigned char lead;

	while (start > 0 && ((unsigned char)s[start - 1] & 0xc0) == 0x80 && len - start < 3)
		start--;
	if (start == 0)
		return;
	lead = (unsigned char)s[start - 1];
	if (lead < 0xc0)
		return;
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
	if (len - (start - 1) < need)
		s[start - 1] = '\0';
}

enum cp_err cp_receipt_mark(struct cp_db *db, const char *receipt_no, bool printed,
			    const char *error, struct cp_errbuf *err)
{
	char msg[512];
	sqlite3_stmt *st;
	enum cp_err result;
	int own = 0, rc;

	if ((result = check_receipt_no(receipt_no, err)) != CP_OK)
		return result;
	/* A printer message is for people: keep it short and on a character boundary. */
	snprintf(msg, sizeof(msg), "%s", error ? error : "");
	cut_utf8(msg);
	if (!cp_text_ok(msg, sizeof(msg) - 1))
		snprintf(msg, sizeof(msg), "the printer reported an unreadable message");
	if ((result = cp_db_tx_begin_light(db, &own, err)) != CP_OK)
		return result;
	st = cp_db_stmt(db, "UPDATE receipt_copy SET printed = ?2, error = ?3 WHERE receipt = ?1",
			err);
	if (!st) {
		result = CP_EDB;
		goto out;
	}
	sqlite3_bind_text(st, 1, receipt_no, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, printed ? 1 : 0);
	sqlite3_bind_text(st, 3, msg, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		result = cp_db_fail(db, rc, "mark the receipt copy", err);
	else if (sqlite3_changes(db->h) == 0)
		result = no_copy(receipt_no, err);
out:
	return cp_db_tx_end(db, own, result, err);
}

enum cp_err cp_receipt_copy(struct cp_db *db, const char *receipt_no, char **text,
			    struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	*text = NULL;
	if ((result = check_receipt_no(receipt_no, err)) != CP_OK)
		return result;
	if (!(st = cp_db_stmt(db, "SELECT text FROM receipt_copy WHERE receipt = ?1", err)))
		return CP_EDB;
	sqlite3_bind_text(st, 1, receipt_no, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0);

		if (!(*text = malloc(len + 1)))
			result = cp_errf(err, CP_ENOMEM, "out of memory reading receipt %s",
					 receipt_no);
		else {
			memcpy(*text, t ? (const char *)t : "", len);
			(*text)[len] = '\0';
		}
	} else if (rc == SQLITE_DONE) {
		result = no_copy(receipt_no, err);
	} else {
		result = cp_db_fail(db, rc, "read the receipt copy", err);
	}
	sqlite3_reset(st);
	return result;
}

enum cp_err cp_receipt_state(struct cp_db *db, const char *receipt_no,
			     struct cp_receipt_copy_state *out, struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	if ((result = check_receipt_no(receipt_no, err)) != CP_OK)
		return result;
	if (!(st = cp_db_stmt(
		      db, "SELECT created_at, printed, error FROM receipt_copy WHERE receipt = ?1",
		      err)))
		return CP_EDB;
	sqlite3_bind_text(st, 1, receipt_no, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->kept_at = sqlite3_column_int64(st, 0);
		out->printed = sqlite3_column_int(st, 1) != 0;
		cp_db_col_text(st, 2, out->error, sizeof(out->error));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return no_copy(receipt_no, err);
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read the receipt copy", err);
}

enum cp_err cp_receipt_recent(struct cp_db *db, char (*out)[CP_RECEIPT_LEN], int max, int *n,
			      struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, got = 0;

	*n = 0;
	if (max <= 0)
		return CP_OK;
	st = cp_db_stmt(db,
			"SELECT receipt FROM receipt_copy ORDER BY created_at DESC, rowid DESC"
			" LIMIT ?1",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int(st, 1, max);
	while (got < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		cp_db_col_text(st, 0, out[got++], CP_RECEIPT_LEN);
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "list the kept receipts", err);
	*n = got;
	return CP_OK;
}
