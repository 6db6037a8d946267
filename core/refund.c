/* refund.c — refunds and post-voids by receipt number, whole lines or some of a line's units.
 * A manager's authority is checked here, in core, after every other check; money goes back by
 * the sale's own methods (card and mobile first, then cash). A line's money, points and growth
 * are shared out over its units cumulatively: the first j units refunded are worth
 * floor(amount * j / n), so the refund that takes the last unit takes the rest and nothing is
 * lost or given twice through rounding. refund_part holds the units each refund took of a
 * line; refund_line holds a line once its last unit is refunded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coupon_int.h"
#include "cp_crypto.h"
#include "events_int.h"
#include "guide_int.h"
#include "lifecycle_int.h"
#include "member.h"
#include "money.h"
#include "pointspay_int.h"
#include "offer_int.h"
#include "report_int.h"
#include "refund.h"
#include "staff.h"
#include "text.h"

#define MAX_LINES CP_REFUND_MAX_LINES

struct sold {
	int64_t seq, total, eligible, points, growth, change;
	char member[64], day[11];
	int nlines;
	struct {
		int line_no;
		int64_t amount, qty, unit_price;
		int64_t refunded, refunded_amount; /* units and money refunded before */
		int64_t pick_qty, pick_amount;     /* what this refund takes */
		bool eligible;
		char sku[33], name[129];
	} lines[MAX_LINES];
	/* what earlier refunds of this sale took */
	int64_t refunded_eligible, clawed_points, clawed_growth;
	bool refunded_any;
	/* money per method still refundable, in the sale's tender order */
	int ntenders;
	struct cp_tender left[CP_TENDER_MAX];
};

static enum cp_err load_sale(struct cp_db *db, const char *receipt, struct sold *s,
			     struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   "SELECT seq, total, eligible, points, growth, change_due,"
			   " coalesce(member_id, ''), business_day FROM sale WHERE receipt = ?1",
			   err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, receipt, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		s->seq = sqlite3_column_int64(st, 0);
		s->total = sqlite3_column_int64(st, 1);
		s->eligible = sqlite3_column_int64(st, 2);
		s->points = sqlite3_column_int64(st, 3);
		s->growth = sqlite3_column_int64(st, 4);
		s->change = sqlite3_column_int64(st, 5);
		snprintf(s->member, sizeof(s->member), "%s", sqlite3_column_text(st, 6));
		snprintf(s->day, sizeof(s->day), "%s", sqlite3_column_text(st, 7));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return cp_errf(err, CP_ENOTFOUND,
			       "no sale with receipt %s on this terminal; check the number",
			       receipt);
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read sale", err);
}

static enum cp_err load_lines(struct cp_db *db, struct sold *s, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"SELECT l.line_no, l.amount, l.eligible, r.seq IS NOT NULL, l.qty, l.unit_price,"
		" l.sku, l.name,"
		" (SELECT coalesce(sum(p.qty), 0) FROM refund_part p WHERE p.sale_seq = l.seq"
		" AND p.line_no = l.line_no),"
		" (SELECT coalesce(sum(p.amount), 0) FROM refund_part p WHERE p.sale_seq = l.seq"
		" AND p.line_no = l.line_no)"
		" FROM sale_line l LEFT JOIN refund_line r"
		" ON r.sale_seq = l.seq AND r.line_no = l.line_no"
		" WHERE l.seq = ?1 ORDER BY l.line_no",
		err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, s->seq);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && s->nlines < MAX_LINES) {
		int i = s->nlines++;

		bool done = sqlite3_column_int(st, 3) != 0;

		s->lines[i].line_no = sqlite3_column_int(st, 0);
		s->lines[i].amount = sqlite3_column_int64(st, 1);
		s->lines[i].eligible = sqlite3_column_int(st, 2) != 0;
		s->lines[i].qty = sqlite3_column_int64(st, 4);
		s->lines[i].unit_price = sqlite3_column_int64(st, 5);
		cp_db_col_text(st, 6, s->lines[i].sku, sizeof(s->lines[i].sku));
		cp_db_col_text(st, 7, s->lines[i].name, sizeof(s->lines[i].name));
		/* a line in refund_line is refunded whole, whatever the parts say */
		s->lines[i].refunded = done ? s->lines[i].qty : sqlite3_column_int64(st, 8);
		s->lines[i].refunded_amount =
			done ? s->lines[i].amount : sqlite3_column_int64(st, 9);
		if (s->lines[i].refunded > 0) {
			s->refunded_any = true;
			if (s->lines[i].eligible &&
			    !cp_money_add(s->refunded_eligible, s->lines[i].refunded_amount,
					  &s->refunded_eligible)) {
				sqlite3_reset(st);
				return cp_errf(err, CP_ECORRUPT,
					       "the sale's refunds overflow; run verify");
			}
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return cp_db_fail(db, rc, "read sale lines", err);
	st = cp_db_stmt(db,
			"SELECT coalesce(sum(points), 0), coalesce(sum(growth), 0) FROM refund"
			" WHERE sale_seq = ?1",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, s->seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		s->clawed_points = sqlite3_column_int64(st, 0);
		s->clawed_growth = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read refunds", err);
}

/* Money still refundable per method: the sale's tenders (cash less change) less what earlier
 * refunds gave back by that method. */
static enum cp_err load_tenders(struct cp_db *db, struct sold *s, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"SELECT t.method, sum(t.amount) + coalesce((SELECT sum(b.amount) FROM tender b"
		" JOIN refund r ON r.seq = b.seq WHERE r.sale_seq = ?1 AND b.method = t.method), 0)"
		" FROM tender t WHERE t.seq = ?1 GROUP BY t.method ORDER BY min(t.n)",
		err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, s->seq);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && s->ntenders < CP_TENDER_MAX) {
		struct cp_tender *t = &s->left[s->ntenders++];

		t->method = (enum cp_tender_method)cp_tender_parse(
			(const char *)sqlite3_column_text(st, 0));
		t->amount = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return cp_db_fail(db, rc, "read tenders", err);
	for (int i = 0; i < s->ntenders; i++) {
		if ((int)s->left[i].method < 0)
			return cp_errf(err, CP_ECORRUPT, "receipt has a tender of unknown method");
		if (s->left[i].method == CP_TENDER_CASH)
			s->left[i].amount -= s->change;
	}
	return CP_OK;
}

/* The money of units [from, to) of n units worth total in all: cumulative floor shares, so the
 * shares of all n units sum to total. */
static bool share(int64_t total, int64_t n, int64_t from, int64_t to, int64_t *out)
{
	int64_t a = 0, b = 0;

	if (n <= 0)
		return false;
	if (from > 0 && !cp_muldiv_floor(total, from, n, &a))
		return false;
	if (to >= n)
		b = total;
	else if (!cp_muldiv_floor(total, to, n, &b))
		return false;
	return cp_money_sub(b, a, out);
}

static enum cp_err pick_line(struct sold *s, int i, int64_t want, const char *receipt,
			     struct cp_errbuf *err)
{
	int64_t left = s->lines[i].qty - s->lines[i].refunded;
	int no = s->lines[i].line_no;

	if (left <= 0)
		return cp_errf(err, CP_ESTATE, "line %d of receipt %s has been refunded already",
			       no, receipt);
	if (want == 0)
		want = left;
	if (want < 0 || want > left)
		return cp_errf(err, CP_EINVAL,
			       "line %d of receipt %s: %lld sold, %lld refunded already; refund 1 "
			       "to %lld",
			       no, receipt, (long long)s->lines[i].qty,
			       (long long)s->lines[i].refunded, (long long)left);
	s->lines[i].pick_qty = want;
	if (!share(s->lines[i].amount, s->lines[i].qty, s->lines[i].refunded,
		   s->lines[i].refunded + want, &s->lines[i].pick_amount))
		return cp_errf(err, CP_EOVERFLOW, "the refund is too large");
	return CP_OK;
}

/* Marks the lines to refund and the units of each; fills amount and the eligible part. */
static enum cp_err select_lines(struct sold *s, const struct cp_refund_req *req, bool *pick,
				int64_t *amount, int64_t *eligible, const char *receipt,
				struct cp_errbuf *err)
{
	enum cp_err result;
	int picked = 0;

	*amount = *eligible = 0;
	if (req->nlines < 0 || req->nlines > MAX_LINES)
		return cp_errf(err, CP_EINVAL, "a refund names 0 to %d lines", MAX_LINES);
	for (int i = 0; i < s->nlines; i++) {
		pick[i] = false;
		s->lines[i].pick_qty = s->lines[i].pick_amount = 0;
	}
	if (!req->lines || req->nlines == 0) {
		for (int i = 0; i < s->nlines; i++)
			if (s->lines[i].refunded < s->lines[i].qty) {
				pick[i] = true;
				if ((result = pick_line(s, i, 0, receipt, err)) != CP_OK)
					return result;
			}
	}
	for (int k = 0; req->lines && k < req->nlines; k++) {
		int i;

		for (i = 0; i < s->nlines && s->lines[i].line_no != req->lines[k]; i++)
			;
		if (i == s->nlines)
			return cp_errf(err, CP_EINVAL, "receipt %s has no line %d", receipt,
				       req->lines[k]);
		if (pick[i])
			return cp_errf(err, CP_EINVAL, "line %d is named twice", req->lines[k]);
		if ((result = pick_line(s, i, req->qty ? req->qty[k] : 0, receipt, err)) != CP_OK)
			return result;
		pick[i] = true;
	}
	for (int i = 0; i < s->nlines; i++) {
		if (!pick[i])
			continue;
		picked++;
		if (!cp_money_add(*amount, s->lines[i].pick_amount, amount) ||
		    (s->lines[i].eligible &&
		     !cp_money_add(*eligible, s->lines[i].pick_amount, eligible)))
			return cp_errf(err, CP_EOVERFLOW, "the refund is too large");
	}
	if (!picked)
		return cp_errf(err, CP_ESTATE, "every line of receipt %s has been refunded already",
			       receipt);
	return CP_OK;
}

/* Points and growth to claw back: in proportion to the eligible money refunded by now, rounded
 * down, less what earlier refunds clawed back; the last refund of the eligible money takes what
 * is left so that nothing remains through rounding. */
static enum cp_err clawback(const struct sold *s, int64_t eligible, int64_t *points,
			    int64_t *growth, struct cp_errbuf *err)
{
	*points = *growth = 0;
	if (!s->member[0] || eligible == 0 || s->eligible <= 0)
		return CP_OK;
	if (s->refunded_eligible + eligible >= s->eligible) {
		*points = s->points - s->clawed_points;
		*growth = s->growth - s->clawed_growth;
		return CP_OK;
	}
	if (!cp_money_add(s->refunded_eligible, eligible, &eligible) ||
	    !cp_muldiv_floor(s->points, eligible, s->eligible, points) ||
	    !cp_muldiv_floor(s->growth, eligible, s->eligible, growth))
		return cp_errf(err, CP_EOVERFLOW, "the refund is too large");
	/* earlier refunds (before the cumulative rule) may have taken less, never more */
	*points = *points > s->clawed_points ? *points - s->clawed_points : 0;
	*growth = *growth > s->clawed_growth ? *growth - s->clawed_growth : 0;
	return CP_OK;
}

/* Spreads amount over the methods still refundable: card and mobile first, then cash. The
 * points part goes back as points (points_back), never as money. */
static enum cp_err give_back(struct sold *s, int64_t amount, struct cp_refund_result *r,
			     struct cp_errbuf *err)
{
	for (int pass = 0; pass < 2 && amount > 0; pass++) {
		for (int i = 0; i < s->ntenders && amount > 0; i++) {
			struct cp_tender *t = &s->left[i];
			int64_t take;

			if ((t->method == CP_TENDER_CASH) != (pass == 1) || t->amount <= 0 ||
			    t->method == CP_TENDER_POINTS)
				continue;
			take = t->amount < amount ? t->amount : amount;
			r->tenders[r->ntenders].method = t->method;
			r->tenders[r->ntenders].amount = take;
			r->tenders[r->ntenders].ref[0] = '\0';
			r->ntenders++;
			t->amount -= take;
			amount -= take;
		}
	}
	if (amount > 0)
		return cp_errf(err, CP_ECORRUPT,
			       "the sale's tenders do not cover this refund; run verify");
	return CP_OK;
}

/* The points that paid for the picked units go back as points, in each line's proportion the way
 * its money is shared: one points tender of their money, first among the refund's tenders. */
static enum cp_err points_back(struct cp_db *db, const struct sold *s, const bool *pick,
			       struct cp_refund_result *r, struct cp_errbuf *err)
{
	enum cp_err result;

	r->points_back_fen = r->points_back = 0;
	for (int i = 0; i < s->nlines; i++) {
		int64_t fen, pts, part_fen, part_pts;
		int no = s->lines[i].line_no;

		if (!pick[i])
			continue;
		if ((result = cp_pointspay_refund_share(db, s->seq, &no, 1, &fen, &pts, err)) !=
		    CP_OK)
			return result;
		if (!share(fen, s->lines[i].qty, s->lines[i].refunded,
			   s->lines[i].refunded + s->lines[i].pick_qty, &part_fen) ||
		    !share(pts, s->lines[i].qty, s->lines[i].refunded,
			   s->lines[i].refunded + s->lines[i].pick_qty, &part_pts) ||
		    !cp_money_add(r->points_back_fen, part_fen, &r->points_back_fen) ||
		    !cp_money_add(r->points_back, part_pts, &r->points_back))
			return cp_errf(err, CP_EOVERFLOW, "the refund is too large");
	}
	if (r->points_back_fen > r->amount)
		return cp_errf(err, CP_ECORRUPT,
			       "the points paid exceed the lines refunded; run verify");
	if (r->points_back_fen > 0) {
		r->tenders[0].method = CP_TENDER_POINTS;
		r->tenders[0].amount = r->points_back_fen;
		r->tenders[0].ref[0] = '\0';
		r->ntenders = 1;
	}
	return CP_OK;
}

static json_t *payload_for(const struct cp_session *who, const struct sold *s, const bool *pick,
			   const char *sale_receipt, const char *day,
			   const struct cp_refund_result *r)
{
	json_t *lines = json_array(), *tenders = json_array();

	for (int i = 0; lines && i < s->nlines; i++)
		if (pick[i])
			json_array_append_new(
				lines, json_pack("{s:i, s:I, s:I}", "n", s->lines[i].line_no,
						 "amount", (json_int_t)s->lines[i].pick_amount,
						 "qty", (json_int_t)s->lines[i].pick_qty));
	for (int i = 0; tenders && i < r->ntenders; i++)
		json_array_append_new(tenders,
				      json_pack("{s:s, s:I}", "method",
						cp_tender_name(r->tenders[i].method), "amount",
						(json_int_t)r->tenders[i].amount));
	json_t *p;

	p = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:o, s:o, s:I, s:o, s:I, s:I}", "receipt",
		      r->receipt, "sale_receipt", sale_receipt, "sale_seq", (json_int_t)s->seq,
		      "staff", who->code, "authorised_by", r->authorised_by, "day", day, "lines",
		      lines, "tenders", tenders, "amount", (json_int_t)r->amount, "member",
		      s->member[0] ? json_string(s->member) : json_null(), "points",
		      (json_int_t)r->points, "growth", (json_int_t)r->growth);
	if (p && r->points_back &&
	    json_object_set_new(p, "points_back", json_integer(r->points_back)) != 0) {
		json_decref(p);
		return NULL;
	}
	return p;
}

/* The redemption lines among the lines this refund finishes give their points, limit and stock
 * back; a used coupon comes back once every line it discounted is finished. */
static enum cp_err refund_offers(struct cp_db *db, const struct sold *s, const bool *pick,
				 json_t *payload, int64_t *points, struct cp_errbuf *err)
{
	int lines[MAX_LINES], n = 0;
	enum cp_err result;

	for (int i = 0; i < s->nlines; i++)
		if (pick[i] && s->lines[i].refunded + s->lines[i].pick_qty >= s->lines[i].qty)
			lines[n++] = s->lines[i].line_no;
	if ((result = cp_offer_refund_payload(db, s->seq, lines, n, payload, points, err)) != CP_OK)
		return result;
	return cp_coupon_refund_payload(db, s->seq, lines, n, payload, err);
}

static enum cp_err check_void(const struct sold *s, const bool *pick, const char *today,
			      const char *receipt, struct cp_errbuf *err)
{
	if (strcmp(s->day, today) != 0)
		return cp_errf(err, CP_ESTATE,
			       "receipt %s is from %s; post-void is only for today's sales, use a "
			       "refund",
			       receipt, s->day);
	if (s->refunded_any)
		return cp_errf(err, CP_ESTATE,
			       "receipt %s has refunded lines; refund the rest instead of voiding",
			       receipt);
	for (int i = 0; i < s->nlines; i++)
		if (!pick[i] || s->lines[i].pick_qty != s->lines[i].qty)
			return cp_errf(err, CP_EINVAL, "a post-void takes the whole sale");
	return CP_OK;
}

/* Every check and every figure of the refund, inside the caller's transaction: the sale, its
 * lines and tenders, the selection, the post-void rules, the claw-back and where the money
 * goes. Writes nothing. */
static enum cp_err prepare(struct cp_db *db, const struct cp_refund_req *req, struct sold *s,
			   bool *pick, char today[11], struct cp_refund_result *r,
			   struct cp_errbuf *err)
{
	int64_t eligible;
	enum cp_err result;

	if ((result = select_lines(s, req, pick, &r->amount, &eligible, req->receipt, err)) ||
	    (result = cp_report_event_day(db, cp_db_now(db), today, err)))
		return result;
	if (req->void_sale && (result = check_void(s, pick, today, req->receipt, err)) != CP_OK)
		return result;
	if ((result = clawback(s, eligible, &r->points, &r->growth, err)) ||
	    (result = points_back(db, s, pick, r, err)))
		return result;
	return give_back(s, r->amount - r->points_back_fen, r, err);
}

static enum cp_err load(struct cp_db *db, const struct cp_session *who,
			const struct cp_refund_req *req, struct sold *s, struct cp_errbuf *err)
{
	enum cp_err result;

	if (!who || !who->code[0])
		return cp_errf(err, CP_EAUTH, "log in first");
	if (!req->receipt || !cp_text_ok(req->receipt, CP_RECEIPT_LEN - 1) || !req->receipt[0])
		return cp_errf(err, CP_EINVAL, "type or scan the receipt number of the sale");
	memset(s, 0, sizeof(*s));
	if ((result = load_sale(db, req->receipt, s, err)) || (result = load_lines(db, s, err)))
		return result;
	return load_tenders(db, s, err);
}

static void quote_fill(const struct sold *s, const struct cp_refund_req *req,
		       struct cp_refund_quote *q)
{
	snprintf(q->sale_receipt, sizeof(q->sale_receipt), "%s", req->receipt);
	snprintf(q->day, sizeof(q->day), "%s", s->day);
	q->member = s->member[0] != '\0';
	q->nlines = s->nlines;
	for (int i = 0; i < s->nlines; i++) {
		struct cp_refund_quote_line *l = &q->lines[i];

		l->line_no = s->lines[i].line_no;
		snprintf(l->sku, sizeof(l->sku), "%s", s->lines[i].sku);
		snprintf(l->name, sizeof(l->name), "%s", s->lines[i].name);
		l->qty = s->lines[i].qty;
		l->refunded = s->lines[i].refunded;
		l->unit_price = s->lines[i].unit_price;
		l->amount = s->lines[i].amount;
		l->pick_qty = s->lines[i].pick_qty;
		l->pick_amount = s->lines[i].pick_amount;
	}
}

enum cp_err cp_refund_quote(struct cp_db *db, const struct cp_session *who,
			    const struct cp_refund_req *req, struct cp_refund_quote *out,
			    struct cp_errbuf *err)
{
	struct cp_refund_result *r = NULL;
	struct sold *s = NULL;
	bool pick[MAX_LINES];
	char today[11];
	enum cp_err result = CP_ENOMEM;

	memset(out, 0, sizeof(*out));
	if (!(s = calloc(1, sizeof(*s))) || !(r = calloc(1, sizeof(*r)))) {
		result = cp_errf(err, CP_ENOMEM, "out of memory");
		goto out;
	}
	if ((result = cp_db_begin(db, err)) != CP_OK)
		goto out;
	if ((result = load(db, who, req, s, err)) == CP_OK) {
		quote_fill(s, req, out);
		result = prepare(db, req, s, pick, today, r, err);
		quote_fill(s, req, out);
	}
	cp_db_rollback(db);
	if (result != CP_OK)
		goto out;
	out->amount = r->amount;
	out->ntenders = r->ntenders;
	memcpy(out->tenders, r->tenders, sizeof(out->tenders));
	out->points = r->points;
	out->growth = r->growth;
	out->points_back = r->points_back;
	out->points_back_fen = r->points_back_fen;
out:
	free(r);
	free(s);
	return result;
}

enum cp_err cp_refund(struct cp_db *db, const struct cp_session *who,
		      const struct cp_refund_req *req, struct cp_refund_result *out,
		      struct cp_errbuf *err)
{
	struct cp_refund_result r;
	struct cp_refund_quote *q = NULL;
	struct sold *s = NULL;
	bool pick[MAX_LINES];
	int64_t seq;
	char today[11];
	json_t *payload = NULL;
	const char *action = req->void_sale ? CP_WORD("post-void") : CP_WORD("refund");
	enum cp_err result;

	memset(&r, 0, sizeof(r));
	if (!(q = calloc(1, sizeof(*q))) || !(s = calloc(1, sizeof(*s)))) {
		free(q);
		return cp_errf(err, CP_ENOMEM, "out of memory");
	}
	/* Every check first, so that a refund that would be refused never asks for a PIN; then
	 * authority: wrong manager PINs are counted even though the refund fails. */
	result = cp_refund_quote(db, who, req, q, err);
	free(q);
	if (result != CP_OK)
		goto out_free;
	if ((result = cp_staff_authorise(db, who, req->manager_code, req->manager_pin, action,
					 r.authorised_by, err)) != CP_OK)
		goto out_free;
	if ((result = cp_db_begin(db, err)) != CP_OK)
		goto out_free;
	if ((result = load(db, who, req, s, err)) ||
	    (result = prepare(db, req, s, pick, today, &r, err)) ||
	    (result = cp_receipt_next(db, r.receipt, sizeof(r.receipt), err)))
		goto out;
	payload = payload_for(who, s, pick, req->receipt, today, &r);
	if (!payload) {
		result = cp_errf(err, CP_ENOMEM, "out of memory building the refund");
		goto out;
	}
	if ((result = refund_offers(db, s, pick, payload, &r.points_restored, err)) != CP_OK)
		goto out;
	if ((result = cp_guide_refund_note(db, s->seq, payload, err)) != CP_OK ||
	    (result = cp_journal_record(db, req->void_sale ? "void" : "refund", payload, &seq, NULL,
					err)) != CP_OK ||
	    (result = cp_db_commit(db, err)) != CP_OK)
		goto out;
	r.seq = seq;
	r.coupons_voided = (int)json_array_size(json_object_get(payload, "coupons_void"));
	r.coupons_returned = (int)json_array_size(json_object_get(payload, "coupons_back"));
	if (s->member[0]) {
		struct cp_member_view m;

		if (cp_member_get(db, s->member, &m, NULL) == CP_OK) {
			r.balance_after = m.points;
			r.balance_negative = m.points < 0;
		}
	}
	*out = r;
out:
	if (result != CP_OK)
		cp_db_rollback(db);
out_free:
	json_decref(payload);
	free(s);
	return result;
}

static enum cp_err insert_refund_line(struct cp_db *db, int64_t seq, int64_t sale_seq, int64_t n,
				      int64_t amount, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"INSERT INTO refund_line(seq, sale_seq, line_no, amount) VALUES(?1, ?2, ?3, ?4)",
		err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, sale_seq);
	sqlite3_bind_int64(st, 3, n);
	sqlite3_bind_int64(st, 4, amount);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return cp_errf(err, CP_ESTATE, "line %lld has been refunded already", (long long)n);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record refund line", err);
}

/* Units of a line (payloads with "qty"): refund_part gets them; when they are the line's last,
 * refund_line gets the line. More units than were sold, or units of a line refunded whole
 * before, are refused. */
static enum cp_err insert_refund_part(struct cp_db *db, int64_t seq, int64_t sale_seq, int64_t n,
				      int64_t qty, int64_t amount, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db,
				      "INSERT INTO refund_part(seq, sale_seq, line_no, qty, amount)"
				      " VALUES(?1, ?2, ?3, ?4, ?5)",
				      err);
	int64_t sold = -1, taken = 0;
	bool whole = false;
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, sale_seq);
	sqlite3_bind_int64(st, 3, n);
	sqlite3_bind_int64(st, 4, qty);
	sqlite3_bind_int64(st, 5, amount);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (rc & 0xff) == SQLITE_CONSTRAINT
			       ? cp_errf(err, CP_ECORRUPT,
					 "journal %lld: refund line %lld is malformed",
					 (long long)seq, (long long)n)
			       : cp_db_fail(db, rc, "record refund line", err);
	st = cp_db_stmt(
		db,
		"SELECT l.qty, (SELECT sum(p.qty) FROM refund_part p WHERE p.sale_seq = l.seq"
		" AND p.line_no = l.line_no), EXISTS(SELECT 1 FROM refund_line r"
		" WHERE r.sale_seq = l.seq AND r.line_no = l.line_no)"
		" FROM sale_line l WHERE l.seq = ?1 AND l.line_no = ?2",
		err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, sale_seq);
	sqlite3_bind_int64(st, 2, n);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		sold = sqlite3_column_int64(st, 0);
		taken = sqlite3_column_int64(st, 1);
		whole = sqlite3_column_int(st, 2) != 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read the sale line", err);
	if (sold < 0)
		return cp_errf(err, CP_ECORRUPT, "journal %lld: the sale has no line %lld",
			       (long long)seq, (long long)n);
	if (whole || taken > sold)
		return cp_errf(err, CP_ESTATE, "line %lld has been refunded already", (long long)n);
	return taken == sold ? insert_refund_line(db, seq, sale_seq, n, amount, err) : CP_OK;
}

static enum cp_err apply_line(struct cp_db *db, int64_t seq, int64_t sale_seq, json_t *l,
			      struct cp_errbuf *err)
{
	int64_t n, amount, qty;
	enum cp_err result;

	if ((result = cp_jget_int(l, "n", &n, err)) ||
	    (result = cp_jget_int(l, "amount", &amount, err)))
		return result;
	if (!json_object_get(l, "qty")) /* recorded before partial refunds: the whole line */
		return insert_refund_line(db, seq, sale_seq, n, amount, err);
	if ((result = cp_jget_int(l, "qty", &qty, err)) != CP_OK)
		return result;
	if (qty <= 0)
		return cp_errf(err, CP_ECORRUPT, "journal %lld: a refund line's qty is malformed",
			       (long long)seq);
	return insert_refund_part(db, seq, sale_seq, n, qty, amount, err);
}

enum cp_err cp_refund_apply(struct cp_db *db, int64_t seq, json_t *p, struct cp_errbuf *err)
{
	const char *type, *receipt, *staff, *by, *day, *member;
	int64_t sale_seq, at, amount, points, growth;
	json_t *lines, *tenders, *l;
	enum cp_err result;
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((result = cp_jget_str(p, "type", &type, err)) ||
	    (result = cp_jget_str(p, "receipt", &receipt, err)) ||
	    (result = cp_jget_int(p, "sale_seq", &sale_seq, err)) ||
	    (result = cp_jget_str(p, "staff", &staff, err)) ||
	    (result = cp_jget_str(p, "authorised_by", &by, err)) ||
	    (result = cp_jget_str(p, "day", &day, err)) ||
	    (result = cp_jget_int(p, "at", &at, err)) ||
	    (result = cp_jget_int(p, "amount", &amount, err)) ||
	    (result = cp_jget_str_or_null(p, "member", &member, err)) ||
	    (result = cp_jget_int(p, "points", &points, err)) ||
	    (result = cp_jget_int(p, "growth", &growth, err)) ||
	    (result = cp_jget_array(p, "lines", &lines, err)) ||
	    (result = cp_jget_array(p, "tenders", &tenders, err)))
		return result;
	st = cp_db_stmt(db,
			"INSERT INTO refund(seq, receipt, sale_seq, kind, staff, authorised_by,"
			" created_at, business_day, amount, points, growth)"
			" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, receipt, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, sale_seq);
	sqlite3_bind_text(st, 4, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, staff, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, at);
	sqlite3_bind_text(st, 8, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, amount);
	sqlite3_bind_int64(st, 10, points);
	sqlite3_bind_int64(st, 11, growth);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "record refund", err);
	json_array_foreach (lines, i, l) {
		if ((result = apply_line(db, seq, sale_seq, l, err)) != CP_OK)
			return result;
	}
	if ((result = cp_tenders_apply(db, seq, tenders, -1, err)) != CP_OK ||
	    (result = cp_guide_credit_apply(db, seq, p, true, err)) != CP_OK)
		return result;
	if ((result = cp_offer_refund_apply(db, seq, member, p, err)) != CP_OK ||
	    (result = cp_coupon_refund_apply(db, seq, p, err)) != CP_OK)
		return result;
	if (member && (points || growth) &&
	    (result = cp_movement_insert(db, seq, 1, member, "clawback", -points, -growth, err)))
		return result;
	if ((result = cp_lifecycle_refund_apply(db, seq, member, sale_seq, p, err)) != CP_OK)
		return result;
	return cp_pointspay_refund_apply(db, seq, member, p, err);
}
