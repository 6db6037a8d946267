/* sale.c — paying the open cart. Tenders are checked before anything is written; then ONE
 * transaction builds the sale's journal payload and lets cp_sale_apply() write the sale, its
 * lines, tenders and points movement from it, and empties the cart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cart.h"
#include "cart_tender_int.h"
#include "coupon_int.h"
#include "cp_crypto.h"
#include "discount_int.h"
#include "earn.h"
#include "events_int.h"
#include "guide_int.h"
#include "lifecycle_int.h"
#include "member_int.h"
#include "money.h"
#include "pointspay_int.h"
#include "offer_int.h"
#include "report_int.h"
#include "rounding_int.h"
#include "sale.h"
#include "sale_weight_int.h"
#include "staff.h"

static const char *const tender_names[] = {"cash",   "card",     "wechat",
					   "alipay", "unionpay", "points"};

const char *cp_tender_name(enum cp_tender_method m)
{
	if ((unsigned)m >= sizeof(tender_names) / sizeof(tender_names[0]))
		return "unknown";
	return tender_names[m];
}

int cp_tender_parse(const char *name)
{
	for (size_t i = 0; name && i < sizeof(tender_names) / sizeof(tender_names[0]); i++)
		if (strcmp(name, tender_names[i]) == 0)
			return (int)i;
	return -1;
}

/* A tender's reference: empty, or four ASCII digits on a method other than cash. */
static bool ref_ok(const struct cp_tender *t)
{
	if (!t->ref[0])
		return true;
	if (t->method == CP_TENDER_CASH || strnlen(t->ref, sizeof(t->ref)) != CP_TENDER_REF_LEN)
		return false;
	for (int i = 0; i < CP_TENDER_REF_LEN; i++)
		if (t->ref[i] < '0' || t->ref[i] > '9')
			return false;
	return true;
}

/* Sums the tenders and checks them against total; fills tendered and change. */
static enum cp_err check_tenders(const struct cp_tender *t, int n, int64_t total, int64_t *tendered,
				 int64_t *change, struct cp_errbuf *err)
{
	int64_t sum = 0, noncash = 0;
	int points = 0;
	char a[48], b[48];

	if (n < 0 || n > CP_TENDER_MAX)
		return cp_errf(err, CP_EINVAL, "a sale takes 1 to %d tenders", CP_TENDER_MAX);
	for (int i = 0; i < n; i++) {
		if (cp_tender_parse(cp_tender_name(t[i].method)) < 0)
			return cp_errf(err, CP_EINVAL, "tender %d has an unknown method", i + 1);
		if (!ref_ok(&t[i]))
			return cp_errf(
				err, CP_EINVAL,
				"tender %d: a reference is the last four digits of a card or "
				"payment code, and cash has none",
				i + 1);
		if (t[i].amount <= 0 || t[i].amount > CP_MONEY_MAX)
			return cp_errf(err, CP_EINVAL, "tender %d must be a positive amount",
				       i + 1);
		if (t[i].method == CP_TENDER_POINTS && (t[i].ref[0] || ++points > 1))
			return cp_errf(err, CP_EINVAL,
				       "tender %d: a sale takes one points tender, without a "
				       "reference",
				       i + 1);
		if (!cp_money_add(sum, t[i].amount, &sum) ||
		    (t[i].method != CP_TENDER_CASH &&
		     !cp_money_add(noncash, t[i].amount, &noncash)))
			return cp_errf(err, CP_EOVERFLOW, "the tendered amounts are too large");
	}
	if (sum < total) {
		cp_money_format(total - sum, NULL, a, sizeof(a));
		return cp_errf(err, CP_EINVAL, "%s still due: the tenders do not cover the total",
			       a);
	}
	if (noncash > total) {
		cp_money_format(noncash, NULL, a, sizeof(a));
		cp_money_format(total, NULL, b, sizeof(b));
		return cp_errf(err, CP_EINVAL,
			       "card, mobile and points payments (%s) exceed the total (%s); "
			       "only cash gives change",
			       a, b);
	}
	*tendered = sum;
	*change = sum - total;
	return CP_OK;
}

static enum cp_err earn_for(struct cp_db *db, const struct cp_cart_view *cart, int64_t eligible,
			    int64_t now, struct cp_earning *out, struct cp_errbuf *err)
{
	const struct db_memo *m;
	struct cp_daytime d;
	int birth_month;
	enum cp_err result;

	memset(out, 0, sizeof(*out));
	if (!cart->has_member)
		return CP_OK;
	if ((result = cp_db_memo_get(db, &m, err)) != CP_OK)
		return result;
	if (!m->has_rules)
		return CP_OK; /* no rules yet: the sale earns nothing rather than failing */
	if ((result = cp_member_birth_month(db, cart->member.id, &birth_month, err)) != CP_OK)
		return result;
	cp_business_date_at(now, db->cutover_min, db->utc_offset_min, &d);
	return cp_earn_compute(&m->rules, cart->member.tier_multiplier_bp, eligible, d.month,
			       d.mday, d.wday, birth_month, out, err);
}

/* Empties the cart inside the sale's transaction. */
static enum cp_err clear_cart(struct cp_db *db, struct cp_errbuf *err)
{
	static const char *const sql[] = {"DELETE FROM cart_line", "DELETE FROM cart"};

	for (int i = 0; i < 2; i++) {
		sqlite3_stmt *st = cp_db_stmt(db, sql[i], err);
		int rc;

		if (!st)
			return CP_EDB;
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return cp_db_fail(db, rc, "empty the cart", err);
	}
	return CP_OK;
}

/* Sets o[key] (a key written in this file, so not re-checked) to v, taking v; -1 when v is NULL
 * (out of memory, or text that is not UTF-8). */
static int put(json_t *o, const char *key, json_t *v)
{
	return json_object_set_new_nocheck(o, key, v);
}

static json_t *line_json(const struct cp_cart_line *l, int n)
{
	json_t *o = json_object();

	if (!o || put(o, "n", json_integer(n)) || put(o, "sku", json_string(l->sku)) ||
	    put(o, "name", json_string(l->name)) || put(o, "category", json_string(l->category)) ||
	    put(o, "qty", json_integer(l->qty)) || put(o, "unit", json_integer(l->unit_price)) ||
	    put(o, "amount", json_integer(l->amount)) ||
	    put(o, "saving", json_integer(l->saving)) ||
	    put(o, "eligible", json_boolean(l->eligible)) ||
	    (l->discount && put(o, "discount", json_integer(l->discount))) ||
	    (l->redemption && (put(o, "offer", json_string(l->offer_id)) ||
			       put(o, "points", json_integer(l->points)) ||
			       put(o, "cash", json_integer(l->unit_price)))) ||
	    (l->weighed && (put(o, "weight_g", json_integer(l->weight_g)) ||
			    put(o, "per_kg", json_integer(l->per_kg))))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *tender_json(const struct cp_tender *t)
{
	json_t *o = json_object();

	if (!o || put(o, "method", json_string(cp_tender_name(t->method))) ||
	    put(o, "amount", json_integer(t->amount)) ||
	    (t->ref[0] && put(o, "ref", json_string(t->ref)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *sale_payload(struct cp_db *db, const struct cp_session *who,
			    const struct cp_cart_view *cart, const struct cp_sale_result *r,
			    const char *day, const struct cp_tender *t, int n,
			    const struct cp_pointspay_plan *pp)
{
	json_t *p = json_object(), *lines = json_array(), *tenders = json_array();
	bool ok = p && lines && tenders;
	int64_t saving = 0; /* the member price's saving over the lines */

	for (int i = 0; ok && i < cart->nlines; i++)
		ok = json_array_append_new(lines, line_json(&cart->lines[i], i + 1)) == 0 &&
		     cp_money_add(saving, cart->lines[i].saving, &saving);
	for (int i = 0; ok && i < n; i++)
		ok = json_array_append_new(tenders, tender_json(&t[i])) == 0;
	(void)db;
	if (ok && put(p, "receipt", json_string(r->receipt)) == 0 &&
	    put(p, "staff", json_string(who->code)) == 0 &&
	    put(p, "member", cart->has_member ? json_string(cart->member.id) : json_null()) == 0 &&
	    put(p, "day", json_string(day)) == 0 && put(p, "lines", json_incref(lines)) == 0 &&
	    put(p, "tenders", json_incref(tenders)) == 0 &&
	    put(p, "total", json_integer(r->total)) == 0 &&
	    put(p, "member_saving", json_integer(saving)) == 0 &&
	    put(p, "tendered", json_integer(r->tendered)) == 0 &&
	    put(p, "change", json_integer(r->change)) == 0 &&
	    put(p, "eligible", json_integer(r->eligible)) == 0 &&
	    put(p, "multiplier_bp", json_integer(r->multiplier_bp)) == 0 &&
	    put(p, "points", json_integer(r->points)) == 0 &&
	    put(p, "growth", json_integer(r->growth)) == 0 &&
	    (!pp->fen || put(p, "points_pay", cp_pointspay_plan_json(pp)) == 0)) {
		json_decref(lines);
		json_decref(tenders);
		return p;
	}
	json_decref(p);
	json_decref(lines);
	json_decref(tenders);
	return NULL;
}

enum cp_err cp_sale_pay(struct cp_db *db, const struct cp_session *who,
			const struct cp_tender *tenders, int ntenders, struct cp_sale_result *out,
			struct cp_errbuf *err)
{
	struct cp_cart_view *cart = NULL;
	struct cp_sale_result r;
	struct cp_earning earn;
	struct cp_pointspay_plan *pp = NULL;
	struct coupon_plan *cp = NULL;
	struct cp_rounding_plan *rp = NULL;
	struct cp_tender kept[CP_TENDER_MAX];
	int64_t money_eligible;
	uint8_t hash[JOURNAL_HASH_LEN];
	char hex[2 * JOURNAL_HASH_LEN + 1];
	json_t *payload = NULL;
	int64_t now = cp_db_now(db);
	char day[11];
	enum cp_err result;

	memset(&r, 0, sizeof(r));
	r.tier_up_level = -1;
	if (!who || !who->code[0])
		return cp_errf(err, CP_EAUTH, "log in first");
	if (!(cart = malloc(sizeof(*cart))) || !(pp = calloc(1, sizeof(*pp))) ||
	    !(cp = calloc(1, sizeof(*cp))) || !(rp = calloc(1, sizeof(*rp)))) {
		free(cart);
		free(pp);
		free(cp);
		return cp_errf(err, CP_ENOMEM, "out of memory");
	}
	if ((result = cp_db_begin(db, err)) != CP_OK)
		goto out;
	if ((result = cp_shift_require_open(db, err)) != CP_OK ||
	    (result = cp_report_event_day(db, now, day, err)) != CP_OK)
		goto out;
	if ((result = cp_cart_view(db, who, cart, err)) != CP_OK) /* who's own cart only */
		goto out;
	if (!cart->open || cart->nlines == 0) {
		result = cp_errf(err, CP_ESTATE, "the cart is empty: scan an item first");
		goto out;
	}
	/* the payments entered before (cart_tender.c) come first */
	if ((result = cp_cart_tender_merge(db, tenders, ntenders, kept, &ntenders, err)) != CP_OK)
		goto out;
	tenders = kept;
	if ((result = cp_offer_check_cart(db, cart, day, err)) != CP_OK ||
	    (result = cp_coupon_sale_plan(db, cart, cp, err)) != CP_OK) /* before points */
		goto out;
	if ((result = cp_rounding_plan(db, cart, tenders, ntenders, rp, err)) != CP_OK)
		goto out;
	r.total = cart->total - rp->fen; /* the cash due rounded (抹零): only with cash */
	r.rounding = rp->fen;
	if (!cp_money_add(r.points_spent, cart->points_held, &r.points_spent)) {
		result = cp_errf(err, CP_EOVERFLOW, "the points this sale spends are too many");
		goto out;
	}
	if ((result = check_tenders(tenders, ntenders, r.total, &r.tendered, &r.change, err)))
		goto out;
	for (int i = 0; i < ntenders; i++)
		if (tenders[i].method == CP_TENDER_POINTS &&
		    (result = cp_pointspay_plan(db, cart, tenders[i].amount, pp, err)) != CP_OK)
			goto out;
	/* the rounding is spread over the lines, so that what was paid earns and is refunded */
	if ((result = cp_rounding_spread(cart, pp, rp, err)) != CP_OK)
		goto out;
	r.eligible = cart->eligible;
	/* the points part of the bill earns nothing */
	money_eligible = cart->eligible - pp->eligible_fen;
	if ((result = earn_for(db, cart, money_eligible, now, &earn, err)))
		goto out;
	if (!cp_money_add(r.points_spent, pp->points, &r.points_spent)) {
		result = cp_errf(err, CP_EOVERFLOW, "the points spent are too many");
		goto out;
	}
	r.points = earn.points;
	r.growth = earn.growth;
	r.multiplier_bp = cart->has_member ? earn.multiplier_bp : 0;
	if ((result = cp_receipt_next(db, r.receipt, sizeof(r.receipt), err)) != CP_OK)
		goto out;
	payload = sale_payload(db, who, cart, &r, day, tenders, ntenders, pp);
	if (!payload) {
		result = cp_errf(err, CP_ENOMEM, "out of memory building the sale");
		goto out;
	}
	if ((result = cp_coupon_sale_payload(db, cart, cp, r.total - pp->fen, day, payload, err)) ||
	    (result = cp_discount_sale_payload(db, cart, payload, err)) ||
	    (result = cp_rounding_payload(rp, payload, err)))
		goto out;
	if (cart->has_member &&
	    (result = cp_lifecycle_sale_tier_up(db, &cart->member, r.growth, payload,
						&r.tier_up_level, r.tier_up, err)))
		goto out;
	if ((result = cp_guide_sale_note(db, cart->opened_at,
					 cart->has_member ? cart->member.guide : NULL, payload,
					 err)) != CP_OK ||
	    (result = cp_journal_record(db, "sale", payload, &r.seq, hash, err)) != CP_OK ||
	    (result = clear_cart(db, err)) != CP_OK || (result = cp_db_commit(db, err)) != CP_OK)
		goto out;
	cp_guide_sale_result(payload, r.guide, &r.guide_offer);
	cp_hex(hash, 4, hex);
	memcpy(r.verify_code, hex, 9);
	/* The balance read inside this transaction, less what was spent, plus what was earned. */
	if (cart->has_member &&
	    (!cp_money_sub(cart->member.points, r.points_spent, &r.balance_after) ||
	     !cp_money_add(r.balance_after, r.points, &r.balance_after)))
		r.balance_after = cart->member.points;
	*out = r;
out:
	if (result != CP_OK)
		cp_db_rollback(db);
	json_decref(payload);
	free(cart);
	free(pp);
	free(cp);
	free(rp);
	return result;
}

static enum cp_err insert_line(struct cp_db *db, int64_t seq, json_t *l, struct cp_errbuf *err)
{
	const char *sku, *name, *category;
	int64_t n, qty, unit, amount;
	json_t *eligible = json_object_get(l, "eligible");
	enum cp_err result;
	sqlite3_stmt *st;
	int rc;

	if ((result = cp_jget_int(l, "n", &n, err)) ||
	    (result = cp_jget_str(l, "sku", &sku, err)) ||
	    (result = cp_jget_str(l, "name", &name, err)) ||
	    (result = cp_jget_str(l, "category", &category, err)) ||
	    (result = cp_jget_int(l, "qty", &qty, err)) ||
	    (result = cp_jget_int(l, "unit", &unit, err)) ||
	    (result = cp_jget_int(l, "amount", &amount, err)))
		return result;
	if (!json_is_boolean(eligible))
		return cp_errf(err, CP_ECORRUPT, "journal payload: \"eligible\" is not true/false");
	st = cp_db_stmt(db,
			"INSERT INTO sale_line(seq, line_no, sku, name, category, qty, unit_price,"
			" amount, eligible) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, n);
	sqlite3_bind_text(st, 3, sku, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, category, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, qty);
	sqlite3_bind_int64(st, 7, unit);
	sqlite3_bind_int64(st, 8, amount);
	sqlite3_bind_int(st, 9, json_is_true(eligible));
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record sale line", err);
}

enum cp_err cp_tenders_apply(struct cp_db *db, int64_t seq, json_t *tenders, int sign,
			     struct cp_errbuf *err)
{
	size_t i;
	json_t *t;

	json_array_foreach (tenders, i, t) {
		const char *method, *ref = NULL;
		int64_t amount;
		enum cp_err result;

		if (json_object_get(t, "ref") && (result = cp_jget_str(t, "ref", &ref, err)))
			return result;
		if ((result = cp_jget_str(t, "method", &method, err)) ||
		    (result = cp_jget_int(t, "amount", &amount, err)) ||
		    (result = cp_tender_insert(db, seq, (int)i + 1, method, sign * amount, ref,
					       err)))
			return result;
	}
	return CP_OK;
}

enum cp_err cp_sale_apply(struct cp_db *db, int64_t seq, json_t *p, struct cp_errbuf *err)
{
	const char *receipt, *staff, *member, *day;
	int64_t at, total, eligible, change, mult, points, growth, saving = 0;
	json_t *lines, *tenders, *l;
	enum cp_err result;
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((result = cp_jget_str(p, "receipt", &receipt, err)) ||
	    (result = cp_jget_str(p, "staff", &staff, err)) ||
	    (result = cp_jget_str_or_null(p, "member", &member, err)) ||
	    (result = cp_jget_str(p, "day", &day, err)) ||
	    (result = cp_jget_int(p, "at", &at, err)) ||
	    (result = cp_jget_int(p, "total", &total, err)) ||
	    (result = cp_jget_int(p, "eligible", &eligible, err)) ||
	    (result = cp_jget_int(p, "change", &change, err)) ||
	    (result = cp_jget_int(p, "multiplier_bp", &mult, err)) ||
	    (result = cp_jget_int(p, "points", &points, err)) ||
	    (result = cp_jget_int(p, "growth", &growth, err)) ||
	    (result = cp_jget_array(p, "lines", &lines, err)) ||
	    (result = cp_jget_array(p, "tenders", &tenders, err)) ||
	    /* a sale recorded before the saving was carried saved nothing that the tally sees */
	    (json_object_get(p, "member_saving") &&
	     (result = cp_jget_int(p, "member_saving", &saving, err))))
		return result;
	st = cp_db_stmt(
		db,
		"INSERT INTO sale(seq, receipt, staff, member_id, created_at, business_day,"
		" total, eligible, change_due, multiplier_bp, points, growth, member_saving)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
		err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, receipt, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, staff, -1, SQLITE_STATIC);
	if (member)
		sqlite3_bind_text(st, 4, member, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, at);
	sqlite3_bind_text(st, 6, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, total);
	sqlite3_bind_int64(st, 8, eligible);
	sqlite3_bind_int64(st, 9, change);
	sqlite3_bind_int64(st, 10, mult);
	sqlite3_bind_int64(st, 11, points);
	sqlite3_bind_int64(st, 12, growth);
	sqlite3_bind_int64(st, 13, saving);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "record sale", err);
	json_array_foreach (lines, i, l) {
		if ((result = insert_line(db, seq, l, err)) != CP_OK ||
		    (json_object_get(l, "offer") &&
		     (result = cp_offer_sale_line_apply(db, seq, member, day, l, err)) != CP_OK))
			return result;
	}
	if ((result = cp_sale_weight_apply(db, seq, lines, err)) != CP_OK ||
	    (result = cp_tenders_apply(db, seq, tenders, 1, err)) != CP_OK ||
	    (result = cp_guide_credit_apply(db, seq, p, false, err)) != CP_OK ||
	    (result = cp_coupon_sale_apply(db, seq, member, p, err)) != CP_OK ||
	    (result = cp_discount_sale_apply(db, seq, p, err)) != CP_OK ||
	    (result = cp_rounding_sale_apply(db, seq, p, err)) != CP_OK)
		return result;
	if (member && (points || growth) &&
	    (result = cp_movement_insert(db, seq, 1, member, "earn", points, growth, err)) != CP_OK)
		return result;
	if ((result = cp_pointspay_sale_apply(db, seq, member, day, p, err)) != CP_OK ||
	    (result = cp_lifecycle_sale_apply(db, seq, member, p, err)) != CP_OK)
		return result;
	if ((result = cp_report_sale_discounts(db, seq, p, err)) != CP_OK)
		return result;
	return cp_report_sale_sum(db, seq, p, err);
}
