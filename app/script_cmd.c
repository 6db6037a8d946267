/* script_cmd.c — the commands of script mode, one function each: read and check every field of
 * the request first, then call core, then put what core answered into the answer object. The
 * line loop that calls them is cmd_script.c. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cart.h"
#include "cp_crypto.h"
#include "cp_log.h"
#include "journal.h"
#include "member.h"
#include "money.h"
#include "paycode.h"
#include "pointspay.h"
#include "receipt.h"
#include "refund.h"
#include "sale.h"
#include "cart_tender.h"
#include "coupon.h"
#include "script.h"
#include "shift.h"
#include "staff.h"

/* ---- reading request fields: a missing or mistyped field is an invalid_input error ---- */

static json_t *field(json_t *req, const char *key)
{
	json_t *v = json_object_get(req, key);

	return json_is_null(v) ? NULL : v;
}

static enum cp_err want_str(json_t *req, const char *key, bool required, const char **out,
			    struct cp_errbuf *err)
{
	json_t *v = field(req, key);

	*out = NULL;
	if (!v)
		return required ? cp_errf(err, CP_EINVAL, "missing field \"%s\"", key) : CP_OK;
	if (!json_is_string(v))
		return cp_errf(err, CP_EINVAL, "field \"%s\" must be a string", key);
	*out = json_string_value(v);
	return CP_OK;
}

static enum cp_err int_value(json_t *v, const char *what, int64_t min, int64_t max, int64_t *out,
			     struct cp_errbuf *err)
{
	json_int_t n;

	if (!json_is_integer(v))
		return cp_errf(err, CP_EINVAL, "%s must be an integer", what);
	n = json_integer_value(v);
	if (n < min || n > max)
		return cp_errf(err, CP_EINVAL, "%s must be between %lld and %lld", what,
			       (long long)min, (long long)max);
	*out = n;
	return CP_OK;
}

static enum cp_err want_int(json_t *req, const char *key, bool required, int64_t def, int64_t min,
			    int64_t max, int64_t *out, struct cp_errbuf *err)
{
	json_t *v = field(req, key);
	char what[48];

	*out = def;
	if (!v)
		return required ? cp_errf(err, CP_EINVAL, "missing field \"%s\"", key) : CP_OK;
	snprintf(what, sizeof(what), "field \"%s\"", key);
	return int_value(v, what, min, max, out, err);
}

static enum cp_err want_line(json_t *req, int *line, struct cp_errbuf *err)
{
	int64_t n = 0;
	enum cp_err rc = want_int(req, "line", true, 0, 1, INT_MAX, &n, err);

	if (rc == CP_OK)
		*line = (int)n;
	return rc;
}

/* Exactly one of phone, card (and id when allowed). */
/* The most members a search answers with (more says when there are more). */
#define SCRIPT_SEARCH_MAX 10

static enum cp_err want_who(json_t *req, bool allow_id, const char **phone, const char **card,
			    const char **id, struct cp_errbuf *err)
{
	enum cp_err rc;

	*id = NULL;
	if ((rc = want_str(req, "phone", false, phone, err)) != CP_OK)
		return rc;
	if ((rc = want_str(req, "card", false, card, err)) != CP_OK)
		return rc;
	if (allow_id && (rc = want_str(req, "member", false, id, err)) != CP_OK)
		return rc;
	if (!!*phone + !!*card + !!*id != 1)
		return cp_errf(err, CP_EINVAL, "give exactly one of \"phone\"%s \"card\"",
			       allow_id ? ", \"member\" (an id) or" : " or");
	return CP_OK;
}

/* ---- answers built from core's views ---- */

/* rc of a cart command: when it was refused because the open sale is another login's, the
 * error answer names the owner. */
static enum cp_err cart_rc(struct script *s, enum cp_err rc)
{
	memset(&s->refused_by, 0, sizeof(s->refused_by));
	if (rc == CP_ESTATE &&
	    (cp_cart_owner(s->db, &s->who, &s->refused_by, NULL) != CP_OK || s->refused_by.mine))
		memset(&s->refused_by, 0, sizeof(s->refused_by));
	return rc;
}

static enum cp_err put_cart(struct script *s, json_t *ans, struct cp_errbuf *err)
{
	enum cp_err rc = cp_cart_view(s->db, &s->who, &s->cart, err);

	if (rc == CP_OK)
		script_set(ans, "cart", script_cart(&s->cart));
	return cart_rc(s, rc);
}

static enum cp_err find_member(struct script *s, const char *phone, const char *card,
			       struct cp_member_view *m, struct cp_errbuf *err)
{
	if (phone)
		return cp_member_find_by_phone(s->db, phone, m, err);
	return cp_member_find_by_card(s->db, card, m, err);
}

/* ---- the commands ---- */

static enum cp_err do_login(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	const char *staff, *pin;
	struct cp_session who;
	int64_t until = 0;
	bool opened;
	enum cp_err rc;

	if ((rc = want_str(req, "staff", true, &staff, err)) != CP_OK ||
	    (rc = want_str(req, "pin", true, &pin, err)) != CP_OK)
		return rc;
	if ((rc = cp_staff_login(s->db, staff, pin, &who, &until, err)) != CP_OK)
		return rc;
	s->who = who;
	s->logged_in = true;
	if ((rc = cp_shift_demo_open(s->db, &who, &opened, err)) != CP_OK)
		return rc;
	script_set(ans, "staff", script_str(who.code));
	script_set(ans, "name", script_str(who.name));
	script_set(ans, "role", script_str(cp_role_name(who.role)));
	if (opened)
		script_set(ans, "shift_opened",
			   script_str("the demo store opened a shift on this till for you, with "
				      "a float of ¥0.00"));
	return CP_OK;
}

static enum cp_err do_logout(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	(void)req;
	(void)ans;
	(void)err;
	memset(&s->who, 0, sizeof(s->who));
	s->logged_in = false;
	return CP_OK;
}

static enum cp_err do_scan(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	const char *code;
	int64_t qty = 0;
	int line = 0;
	enum cp_err rc;

	if ((rc = want_str(req, "code", true, &code, err)) != CP_OK ||
	    (rc = want_int(req, "qty", false, 1, INT64_MIN, INT64_MAX, &qty, err)) != CP_OK)
		return rc;
	if ((rc = cp_cart_scan(s->db, &s->who, code, qty, &line, err)) != CP_OK)
		return cart_rc(s, rc);
	script_set(ans, "line", json_integer(line));
	return put_cart(s, ans, err);
}

static enum cp_err do_set_qty(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	int line;
	int64_t qty = 0;
	enum cp_err rc;

	if ((rc = want_line(req, &line, err)) != CP_OK ||
	    (rc = want_int(req, "qty", true, 0, INT64_MIN, INT64_MAX, &qty, err)) != CP_OK)
		return rc;
	if ((rc = cp_cart_set_qty(s->db, &s->who, line, qty, err)) != CP_OK)
		return cart_rc(s, rc);
	return put_cart(s, ans, err);
}

static enum cp_err do_remove(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	int line;
	enum cp_err rc;

	if ((rc = want_line(req, &line, err)) != CP_OK)
		return rc;
	if ((rc = cp_cart_remove(s->db, &s->who, line, err)) != CP_OK)
		return cart_rc(s, rc);
	return put_cart(s, ans, err);
}

static enum cp_err do_cart(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	(void)req;
	return put_cart(s, ans, err);
}

/* cancel: given_back lists the payments kept for the sale, to be handed back. */
static enum cp_err do_cancel(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_tender back[CP_TENDER_MAX];
	json_t *arr;
	enum cp_err rc;
	int n = 0;

	(void)req;
	if ((rc = cp_cart_cancel_back(s->db, &s->who, back, &n, err)) != CP_OK)
		return cart_rc(s, rc);
	arr = script_need(json_array());
	for (int i = 0; i < n; i++) {
		json_t *o = script_need(json_object());

		script_set(o, "method", script_str(cp_tender_name(back[i].method)));
		script_set(o, "amount", json_integer(back[i].amount));
		script_set(o, "ref", back[i].ref[0] ? script_str(back[i].ref) : json_null());
		if (json_array_append_new(arr, o) != 0)
			script_need(NULL);
	}
	script_set(ans, "given_back", arr);
	return put_cart(s, ans, err);
}

/* points: what the attached member may pay with points now, and the rule that stops more. */
static enum cp_err do_points(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_pointspay_quote q;
	enum cp_err rc;

	(void)req;
	if ((rc = cp_cart_view(s->db, &s->who, &s->cart, err)) != CP_OK)
		return cart_rc(s, rc);
	if ((rc = cp_pointspay_quote(s->db, &s->cart, &q, err)) != CP_OK)
		return rc;
	script_set(ans, "member", json_boolean(q.member));
	script_set(ans, "max", json_integer(q.max_fen));
	script_set(ans, "max_points", json_integer(q.max_points));
	script_set(ans, "step", json_integer(q.step_fen));
	script_set(ans, "step_points", json_integer(q.step_points));
	script_set(ans, "cap", json_integer(q.cap));
	script_set(ans, "available", json_integer(q.available));
	script_set(ans, "offline", json_boolean(q.offline));
	script_set(ans, "member_left",
		   q.member_left < 0 ? json_null() : json_integer(q.member_left));
	script_set(ans, "terminal_left",
		   q.terminal_left < 0 ? json_null() : json_integer(q.terminal_left));
	script_set(ans, "limit", script_str(q.limit));
	return CP_OK;
}

/* member and balance: a lookup that changes nothing. */
static enum cp_err do_member(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	const char *phone, *card, *id;
	struct cp_member_view m;
	enum cp_err rc;

	if ((rc = want_who(req, false, &phone, &card, &id, err)) != CP_OK)
		return rc;
	if ((rc = find_member(s, phone, card, &m, err)) != CP_OK)
		return rc;
	script_set(ans, "member", script_member(&m));
	script_member_lifecycle(s, json_object_get(ans, "member"));
	return CP_OK;
}

/* A member without their phone: part of the name and the phone's last four digits. */
static enum cp_err do_search(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_member_view *v = calloc(SCRIPT_SEARCH_MAX, sizeof(*v));
	const char *name, *last4;
	json_t *list;
	bool more;
	int n;
	enum cp_err rc;

	if (!v)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((rc = want_str(req, "name", true, &name, err)) != CP_OK ||
	    (rc = want_str(req, "last4", true, &last4, err)) != CP_OK ||
	    (rc = cp_member_search(s->db, name, last4, v, SCRIPT_SEARCH_MAX, &n, &more, err)) !=
		    CP_OK) {
		free(v);
		return rc;
	}
	list = script_need(json_array());
	for (int i = 0; i < n; i++)
		if (json_array_append_new(list, script_member(&v[i])) != 0)
			script_need(NULL);
	free(v);
	script_set(ans, "members", list);
	script_set(ans, "more", json_boolean(more));
	return CP_OK;
}

static enum cp_err do_attach(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	const char *phone, *card, *id;
	struct cp_member_view m;
	enum cp_err rc;

	if ((rc = want_who(req, true, &phone, &card, &id, err)) != CP_OK)
		return rc;
	if (!id) {
		if ((rc = find_member(s, phone, card, &m, err)) != CP_OK)
			return rc;
		id = m.id;
	}
	if ((rc = cp_cart_set_member(s->db, &s->who, id, err)) != CP_OK)
		return cart_rc(s, rc);
	if ((rc = put_cart(s, ans, err)) == CP_OK) {
		/* The cart's member object may be shared with later answers (script_cart): the
		 * lifecycle fields go into a copy of it, in its place. */
		json_t *cart = json_object_get(ans, "cart");
		json_t *member = json_object_get(cart, "member");

		if (json_is_object(member)) {
			member = script_need(json_copy(member));
			script_set(cart, "member", member);
			script_member_lifecycle(s, member);
		}
	}
	return rc;
}

static enum cp_err do_detach(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	enum cp_err rc;

	(void)req;
	if ((rc = cp_cart_set_member(s->db, &s->who, NULL, err)) != CP_OK)
		return cart_rc(s, rc);
	return put_cart(s, ans, err);
}

static enum cp_err do_register(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_member_new m = {0};
	struct cp_member_view v;
	enum cp_err rc;

	if ((rc = want_str(req, "phone", true, &m.phone, err)) != CP_OK ||
	    (rc = want_str(req, "name", false, &m.name, err)) != CP_OK ||
	    (rc = want_str(req, "birthday", false, &m.birthday, err)) != CP_OK ||
	    (rc = want_str(req, "referrer", false, &m.referrer_phone, err)) != CP_OK ||
	    (rc = want_str(req, "terms_version", false, &m.terms_version, err)) != CP_OK)
		return rc;
	/* The shopper's agreement to the membership terms: true, or the registration is refused. */
	if (json_is_boolean(json_object_get(req, "consent")))
		m.consent = json_is_true(json_object_get(req, "consent"));
	else if (json_object_get(req, "consent") && !json_is_null(json_object_get(req, "consent")))
		return cp_errf(err, CP_EINVAL, "field \"consent\" must be true or false");
	if ((rc = cp_member_register(s->db, &s->who, &m, &v, err)) != CP_OK)
		return rc;
	script_set(ans, "member", script_member(&v));
	script_member_lifecycle(s, json_object_get(ans, "member"));
	return CP_OK;
}

/* A customer's payment code in place of a method: recognised by its shape, then wiped from the
 * request (it is a bearer credential); only the method and last four digits are kept. */
static enum cp_err tender_code(json_t *v, size_t i, struct cp_tender *t, struct cp_errbuf *err)
{
	struct cp_paycode pc;
	bool ok;

	if (!json_is_string(v))
		return cp_errf(err, CP_EINVAL,
			       "tenders[%zu].code must be a string: the customer's payment code",
			       i);
	ok = cp_paycode_recognise(json_string_value(v), &pc);
	cp_wipe((char *)json_string_value(v), json_string_length(v));
	if (!ok)
		return cp_errf(err, CP_EINVAL,
			       "tenders[%zu].code is not a payment code (WeChat Pay: 18 digits "
			       "starting 10-15; Alipay: 16-24 digits starting 25-30; UnionPay: 19 "
			       "digits starting 62)",
			       i);
	t->method = pc.method;
	memcpy(t->ref, pc.last4, sizeof(t->ref));
	return CP_OK;
}

/* Every payment code in the request wiped, whether it was read or not. */
static void wipe_codes(json_t *req)
{
	json_t *arr = json_object_get(req, "tenders"), *el, *v;
	size_t i;

	json_array_foreach (arr, i, el) {
		if (json_is_string(v = json_object_get(el, "code")))
			cp_wipe((char *)json_string_value(v), json_string_length(v));
	}
}

/* tenders: [{"method":"cash","amount":"12.30"}, {"code":"13...","amount":"5.00"}, ...], every
 * one checked before paying. */
static enum cp_err want_tenders(json_t *req, struct cp_tender *t, int *n, struct cp_errbuf *err)
{
	json_t *arr = field(req, "tenders"), *el, *v;
	struct cp_errbuf sub = {{0}};
	const char *key;
	size_t i;
	enum cp_err rc;
	int m;

	if (!arr)
		return cp_errf(err, CP_EINVAL, "missing field \"tenders\"");
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return cp_errf(err, CP_EINVAL, "field \"tenders\" must be a non-empty array");
	if (json_array_size(arr) > CP_TENDER_MAX)
		return cp_errf(err, CP_EINVAL, "at most %d tenders", CP_TENDER_MAX);
	memset(t, 0, sizeof(*t) * json_array_size(arr));
	json_array_foreach (arr, i, el) {
		if (!json_is_object(el))
			return cp_errf(err, CP_EINVAL, "tenders[%zu] must be an object", i);
		json_object_foreach (el, key, v) {
			if (strcmp(key, "method") != 0 && strcmp(key, "amount") != 0 &&
			    strcmp(key, "code") != 0)
				return cp_errf(err, CP_EINVAL,
					       "tenders[%zu]: only \"method\" or \"code\", and "
					       "\"amount\"",
					       i);
		}
		if ((v = json_object_get(el, "code")) != NULL) {
			if (json_object_get(el, "method"))
				return cp_errf(err, CP_EINVAL,
					       "tenders[%zu]: \"method\" or \"code\", not both", i);
			if ((rc = tender_code(v, i, &t[i], err)) != CP_OK)
				return rc;
		} else {
			v = json_object_get(el, "method");
			if (!json_is_string(v) || (m = cp_tender_parse(json_string_value(v))) < 0)
				return cp_errf(err, CP_EINVAL,
					       "tenders[%zu].method must be cash, card, wechat, "
					       "alipay, unionpay or points (or give the customer's "
					       "payment code as \"code\")",
					       i);
			t[i].method = (enum cp_tender_method)m;
		}
		v = json_object_get(el, "amount");
		if (!json_is_string(v))
			return cp_errf(err, CP_EINVAL,
				       "tenders[%zu].amount must be a string such as \"12.30\" "
				       "(numbers are refused, to avoid floating-point rounding)",
				       i);
		if ((rc = cp_money_parse(json_string_value(v), &t[i].amount, &sub)) != CP_OK)
			return cp_errf(err, rc, "tenders[%zu].amount: %s", i, cp_errmsg(&sub, rc));
	}
	*n = (int)json_array_size(arr);
	return CP_OK;
}

/* The receipt of what just committed, kept for reprint and printed when there is a printer.
 * The sale stands whatever becomes of it: a failure is logged and `reprint` tries again. */
static void keep_receipt(struct script *s, const char *receipt_no)
{
	struct cp_errbuf err = {{0}};
	enum cp_err rc = app_receipt_keep_print(&s->receipts, receipt_no, &err);

	if (rc != CP_OK)
		cp_log(CP_LOG_WARN, "receipt %s: %s", receipt_no, cp_errmsg(&err, rc));
}

/* After a pay: the receipt read once, kept (and printed) and its coupons answered (each was a
 * read of its own, half the pay's instructions). As keep_receipt then script_coupons_issued. */
static json_t *keep_receipt_coupons(struct script *s, const char *receipt_no)
{
	struct cp_errbuf err = {{0}};
	struct cp_receipt_view *v = malloc(sizeof(*v));
	enum cp_err rc = CP_ENOMEM;
	bool read = false;
	json_t *coupons;

	if (!v)
		cp_errf(&err, rc, "out of memory preparing receipt %s", receipt_no);
	else if ((rc = cp_receipt_get(s->db, receipt_no, v, &err)) == CP_OK) {
		read = true;
		rc = app_receipt_keep_print_view(&s->receipts, receipt_no, v, &err);
	}
	if (rc != CP_OK)
		cp_log(CP_LOG_WARN, "receipt %s: %s", receipt_no, cp_errmsg(&err, rc));
	coupons = script_coupons_of(read ? v : NULL);
	free(v);
	return coupons;
}

static enum cp_err do_pay(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_tender t[CP_TENDER_MAX];
	struct cp_sale_result r;
	json_t *coupons;
	int n = 0;
	enum cp_err rc;

	/* without "tenders", the payments entered before (tender) pay it */
	rc = json_object_get(req, "tenders") ? want_tenders(req, t, &n, err) : CP_OK;
	wipe_codes(req);
	if (rc != CP_OK)
		return rc;
	/* Only to tell "no member" from a balance of 0; it changes nothing. */
	if ((rc = cp_cart_view(s->db, &s->who, &s->cart, err)) != CP_OK ||
	    (rc = cp_sale_pay(s->db, &s->who, t, n, &r, err)) != CP_OK)
		return cart_rc(s, rc);
	s->checkpoint = true;
	coupons = keep_receipt_coupons(s, r.receipt);
	script_set(ans, "receipt", script_str(r.receipt));
	script_set(ans, "seq", json_integer(r.seq));
	script_set(ans, "total", json_integer(r.total));
	script_set(ans, "rounding", json_integer(r.rounding));
	script_set(ans, "tendered", json_integer(r.tendered));
	script_set(ans, "change", json_integer(r.change));
	script_set(ans, "eligible", json_integer(r.eligible));
	script_set(ans, "points", json_integer(r.points));
	script_set(ans, "points_spent", json_integer(r.points_spent));
	script_set(ans, "growth", json_integer(r.growth));
	script_set(ans, "multiplier_bp", json_integer(r.multiplier_bp));
	script_set(ans, "balance",
		   s->cart.has_member ? json_integer(r.balance_after) : json_null());
	script_set(ans, "verify_code", script_str(r.verify_code));
	script_set(ans, "guide", r.guide[0] ? script_str(r.guide) : json_null());
	script_set(ans, "guide_offer", json_boolean(r.guide_offer));
	script_set(ans, "coupons", coupons);
	script_pay_tier_up(ans, &r);
	return CP_OK;
}

/* tenders: the open sale's payments entered so far, in order, and what is still due. */
static enum cp_err put_tenders(struct script *s, json_t *ans, struct cp_errbuf *err)
{
	struct cp_tender t[CP_TENDER_MAX];
	struct cp_coupon_quote q;
	int64_t paid = 0;
	json_t *arr;
	enum cp_err rc;
	int n = 0;

	if ((rc = cp_cart_tender_list(s->db, &s->who, t, &n, err)) != CP_OK ||
	    (rc = cp_coupon_quote(s->db, &s->who, &q, err)) != CP_OK)
		return cart_rc(s, rc);
	arr = script_need(json_array());
	for (int i = 0; i < n; i++) {
		json_t *o = script_need(json_object());

		script_set(o, "n", json_integer(i + 1));
		script_set(o, "method", script_str(cp_tender_name(t[i].method)));
		script_set(o, "amount", json_integer(t[i].amount));
		script_set(o, "ref", t[i].ref[0] ? script_str(t[i].ref) : json_null());
		if (json_array_append_new(arr, o) != 0)
			script_need(NULL);
		cp_money_add(paid, t[i].amount, &paid);
	}
	script_set(ans, "tenders", arr);
	script_set(ans, "due", json_integer(q.due > paid ? q.due - paid : 0));
	return CP_OK;
}

/* tender: keeps payments for the open sale before it is paid in full (as pay's "tenders"). */
static enum cp_err do_tender(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_tender t[CP_TENDER_MAX];
	int n = 0;
	enum cp_err rc;

	rc = want_tenders(req, t, &n, err);
	wipe_codes(req);
	for (int i = 0; rc == CP_OK && i < n; i++)
		rc = cp_cart_tender_add(s->db, &s->who, &t[i], NULL, err);
	if (rc != CP_OK)
		return cart_rc(s, rc);
	return put_tenders(s, ans, err);
}

static enum cp_err do_tenders(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	(void)req;
	return put_tenders(s, ans, err);
}

/* untender: takes payment n back (the last without n). */
static enum cp_err do_untender(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	json_t *v = field(req, "n");
	enum cp_err rc;

	if (v && (!json_is_integer(v) || json_integer_value(v) < 1 ||
		  json_integer_value(v) > CP_TENDER_MAX))
		return cp_errf(err, CP_EINVAL, "field \"n\" must be a payment's number, 1 to %d",
			       CP_TENDER_MAX);
	if ((rc = cp_cart_tender_remove(s->db, &s->who, v ? (int)json_integer_value(v) : 0, err)) !=
	    CP_OK)
		return cart_rc(s, rc);
	return put_tenders(s, ans, err);
}

static enum cp_err refund(struct script *s, json_t *req, json_t *ans, bool void_sale,
			  struct cp_errbuf *err)
{
	int lines[CP_REFUND_MAX_LINES];
	int64_t qty[CP_REFUND_MAX_LINES];
	struct cp_refund_req rq = {.void_sale = void_sale};
	struct cp_refund_result r;
	enum cp_err rc;

	if ((rc = want_str(req, "receipt", true, &rq.receipt, err)) != CP_OK ||
	    (rc = want_str(req, "manager", false, &rq.manager_code, err)) != CP_OK ||
	    (rc = want_str(req, "pin", false, &rq.manager_pin, err)) != CP_OK)
		return rc;
	if (!rq.manager_code != !rq.manager_pin)
		return cp_errf(err, CP_EINVAL, "give both \"manager\" and \"pin\", or neither");
	if (!void_sale) {
		if ((rc = script_refund_lines(req, lines, qty, &rq.nlines, err)) != CP_OK)
			return rc;
		rq.lines = rq.nlines ? lines : NULL;
		rq.qty = rq.nlines ? qty : NULL;
	}
	if ((rc = cp_refund(s->db, &s->who, &rq, &r, err)) != CP_OK)
		return rc;
	s->checkpoint = true;
	keep_receipt(s, r.receipt);
	script_set(ans, "receipt", script_str(r.receipt));
	script_set(ans, "sale", script_str(rq.receipt));
	script_set(ans, "seq", json_integer(r.seq));
	script_set(ans, "amount", json_integer(r.amount));
	script_set(ans, "tenders", script_refund_tenders(r.tenders, r.ntenders));
	script_set(ans, "points", json_integer(r.points));
	script_set(ans, "points_back", json_integer(r.points_back));
	script_set(ans, "growth", json_integer(r.growth));
	script_set(ans, "points_restored", json_integer(r.points_restored));
	script_set(ans, "coupons_voided", json_integer(r.coupons_voided));
	script_set(ans, "coupons_returned", json_integer(r.coupons_returned));
	script_set(ans, "balance", json_integer(r.balance_after));
	script_set(ans, "balance_negative", json_boolean(r.balance_negative));
	script_set(ans, "authorised_by", script_str(r.authorised_by));
	return CP_OK;
}

static enum cp_err do_refund(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	return refund(s, req, ans, false, err);
}

static enum cp_err do_void(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	return refund(s, req, ans, true, err);
}

/* A kept receipt again, marked as a copy: printed when there is a printer, else only kept; the
 * answer carries the kept text either way, to be shown. */
static enum cp_err do_reprint(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	const char *receipt = NULL;
	char *text = NULL;
	enum cp_err rc;

	if ((rc = want_str(req, "receipt", true, &receipt, err)) != CP_OK ||
	    (rc = app_reprint(&s->receipts, receipt, err)) != CP_OK ||
	    (rc = app_receipt_text(&s->receipts, receipt, &text, err)) != CP_OK)
		return rc;
	script_set(ans, "receipt", script_str(receipt));
	script_set(ans, "printed", json_boolean(s->receipts.device && s->receipts.device[0]));
	script_set(ans, "text", script_str(text));
	free(text);
	return CP_OK;
}

/* Another login's open sale becomes this session's: recorded as a cart_takeover event. */
static enum cp_err do_take_over(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_cart_takeover t;
	enum cp_err rc;

	(void)req;
	if ((rc = cp_cart_take_over(s->db, &s->who, &t, err)) != CP_OK)
		return rc;
	script_set(ans, "seq", json_integer(t.seq));
	script_set(ans, "from", script_owner(&t.from));
	return put_cart(s, ans, err);
}

/* A manager's word that a clock the journal refused is right (see cp_clockcheck_confirm). */
static enum cp_err do_confirm_clock(struct script *s, json_t *req, json_t *ans,
				    struct cp_errbuf *err)
{
	const char *code = NULL, *pin = NULL;
	struct cp_clock_confirm_result r;
	enum cp_err rc;

	if ((rc = want_str(req, "manager", false, &code, err)) != CP_OK ||
	    (rc = want_str(req, "pin", false, &pin, err)) != CP_OK)
		return rc;
	if (!code != !pin)
		return cp_errf(err, CP_EINVAL, "give both \"manager\" and \"pin\", or neither");
	if ((rc = cp_clockcheck_confirm(s->db, &s->who, code, pin, &r, err)) != CP_OK)
		return rc;
	script_set(ans, "seq", json_integer(r.seq));
	script_set(ans, "at", json_integer(r.at));
	script_set(ans, "last_at", json_integer(r.last_at));
	script_set(ans, "authorised_by", script_str(r.authorised_by));
	return CP_OK;
}

static const struct script_command commands[] = {
	{"login", do_login, "staff pin", true},
	{"logout", do_logout, "", false},
	{"scan", do_scan, "code qty", false},
	{"set_qty", do_set_qty, "line qty", false},
	{"remove", do_remove, "line", false},
	{"cart", do_cart, "", false},
	{"item_search", script_item_search, "query limit offset", false},
	{"price_check", script_price_check, "code", false},
	{"cancel", do_cancel, "", false},
	{"take_over", do_take_over, "", false},
	{"park", script_park, "", false},
	{"parked", script_parked, "", false},
	{"recall", script_recall, "sale", false},
	{"unlock", script_unlock, "staff manager pin", false},
	{"reset_pin", script_reset_pin, "staff manager pin", false},
	{"member", do_member, "phone card", false},
	{"balance", do_member, "phone card", false},
	{"search", do_search, "name last4", false},
	{"attach", do_attach, "phone card member", false},
	{"detach", do_detach, "", false},
	{"register", do_register, "phone name birthday referrer consent terms_version", false},
	{"points", do_points, "", false},
	{"offers", script_offers, "", false},
	{"add_offer", script_add_offer, "offer", false},
	{"coupon", script_coupon, "code", false},
	{"remove_coupon", script_remove_coupon, "code", false},
	{"coupons", script_coupons, "", false},
	{"exchange", script_exchange, "offer", false},
	{"discount", script_discount, "line amount percent reason manager pin", false},
	{"remove_discount", script_remove_discount, "line", false},
	{"benefits", script_benefits, "", false},
	{"grant", script_grant, "benefit", false},
	{"pay", do_pay, "tenders", false},
	{"tender", do_tender, "tenders", false},
	{"tenders", do_tenders, "", false},
	{"untender", do_untender, "n", false},
	{"refund", do_refund, "receipt lines manager pin", false},
	{"refund_quote", script_refund_quote, "receipt lines", false},
	{"refund_noreceipt", script_refund_noreceipt, "code qty price reason manager pin", false},
	{"refund_noreceipt_quote", script_refund_noreceipt_quote, "code qty price reason", false},
	{"void", do_void, "receipt manager pin", false},
	{"reprint", do_reprint, "receipt", false},
	{"confirm_clock", do_confirm_clock, "manager pin", false},
	{"shift_open", script_shift_open, "float", false},
	{"shift_move", script_shift_move, "kind amount reason", false},
	{"shift_close", script_shift_close, "counted", false},
	{"shift", script_shift, "", false},
	{"report", script_report, "kind date", false},
	{"bind", script_guide_bind, "member phone card badge manager pin reason", false},
	{"unbind", script_guide_unbind, "member phone card manager pin reason", false},
	{"serve", script_guide_serve, "badge", false},
	{"guide_day", script_guide_day, "badge", false},
};

const struct script_command *script_command_find(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}
