/* script_refund_noreceipt.c — refunds without a receipt in script mode: `refund_noreceipt_quote`
 * (what would be given back, every check but the manager's, nothing written) and
 * `refund_noreceipt` (the same with a manager's code and PIN, or a manager's session; the
 * refund slip kept and printed like every refund's receipt). */
#include <stdio.h>
#include <stdlib.h>

#include "cp_log.h"
#include "money.h"
#include "refund_noreceipt.h"
#include "script.h"

static enum cp_err str_field(json_t *req, const char *key, const char **out, struct cp_errbuf *err)
{
	json_t *v = json_object_get(req, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return CP_OK;
	if (!json_is_string(v))
		return cp_errf(err, CP_EINVAL, "field \"%s\" must be a string", key);
	*out = json_string_value(v);
	return CP_OK;
}

/* The request's item, quantity (1 when not given), price (the item's when not given, else a
 * string such as "28.00") and reason, and the manager's code and PIN when given. */
static enum cp_err read_req(json_t *req, struct cp_refund_noreceipt_req *rq, struct cp_errbuf *err)
{
	json_t *qty = json_object_get(req, "qty");
	const char *price = NULL;
	struct cp_errbuf sub = {{0}};
	enum cp_err rc;

	if ((rc = str_field(req, "code", &rq->code, err)) != CP_OK ||
	    (rc = str_field(req, "price", &price, err)) != CP_OK ||
	    (rc = str_field(req, "reason", &rq->reason, err)) != CP_OK ||
	    (rc = str_field(req, "manager", &rq->manager_code, err)) != CP_OK ||
	    (rc = str_field(req, "pin", &rq->manager_pin, err)) != CP_OK)
		return rc;
	if (!rq->code)
		return cp_errf(err, CP_EINVAL, "missing field \"%s\"", "code");
	if (!rq->manager_code != !rq->manager_pin)
		return cp_errf(err, CP_EINVAL, "give both \"manager\" and \"pin\", or neither");
	rq->qty = 1;
	if (qty && !json_is_null(qty)) {
		if (!json_is_integer(qty))
			return cp_errf(err, CP_EINVAL,
				       "field \"qty\" must be a whole number from 1 to 9999");
		rq->qty = json_integer_value(qty);
	}
	if (price) {
		if ((rc = cp_money_parse(price, &rq->price, &sub)) != CP_OK)
			return cp_errf(err, rc, "price: %s", cp_errmsg(&sub, rc));
		rq->price_set = true;
	}
	return CP_OK;
}

static void put_quote(json_t *ans, const struct cp_refund_noreceipt_quote *q)
{
	script_set(ans, "sku", script_str(q->sku));
	script_set(ans, "name", script_str(q->name));
	script_set(ans, "qty", json_integer(q->qty));
	script_set(ans, "list_price", json_integer(q->list_price));
	script_set(ans, "unit_price", json_integer(q->unit_price));
	script_set(ans, "amount", json_integer(q->amount));
	script_set(ans, "weight_g", json_integer(q->weight_g));
	script_set(ans, "limit", json_integer(q->limit));
	script_set(ans, "reason", script_str(q->reason));
	script_set(ans, "method", script_str("cash"));
}

enum cp_err script_refund_noreceipt_quote(struct script *s, json_t *req, json_t *ans,
					  struct cp_errbuf *err)
{
	struct cp_refund_noreceipt_req rq = {0};
	struct cp_refund_noreceipt_quote q;
	enum cp_err rc;

	if ((rc = read_req(req, &rq, err)) != CP_OK ||
	    (rc = cp_refund_noreceipt_quote(s->db, &s->who, &rq, &q, err)) != CP_OK)
		return rc;
	put_quote(ans, &q);
	return CP_OK;
}

enum cp_err script_refund_noreceipt(struct script *s, json_t *req, json_t *ans,
				    struct cp_errbuf *err)
{
	struct cp_refund_noreceipt_req rq = {0};
	struct cp_refund_noreceipt_result r;
	struct cp_errbuf kept = {{0}};
	enum cp_err rc;

	if ((rc = read_req(req, &rq, err)) != CP_OK ||
	    (rc = cp_refund_noreceipt(s->db, &s->who, &rq, &r, err)) != CP_OK)
		return rc;
	s->checkpoint = true;
	/* the refund stands whatever becomes of its slip: `reprint` tries again */
	if ((rc = app_receipt_keep_print(&s->receipts, r.receipt, &kept)) != CP_OK)
		cp_log(CP_LOG_WARN, "receipt %s: %s", r.receipt, cp_errmsg(&kept, rc));
	script_set(ans, "receipt", script_str(r.receipt));
	script_set(ans, "seq", json_integer(r.seq));
	script_set(ans, "day", script_str(r.day));
	script_set(ans, "authorised_by", script_str(r.authorised_by));
	put_quote(ans, &r.q);
	return CP_OK;
}
