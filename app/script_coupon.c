/* script_coupon.c — the coupon commands of script mode: `coupon` (apply a code to the open
 * sale), `remove_coupon`, `coupons` (the attached member's coupons), `exchange` (points for a
 * coupon, its slip printed at once), and the coupons a paid sale issued, for `pay`'s answer. */
#include <stdlib.h>
#include <string.h>

#include "coupon.h"
#include "cp_log.h"
#include "receipt.h"
#include "script.h"

/* As script_cmd.c's cart commands: a refusal because the sale is another login's names it. */
static enum cp_err coupon_rc(struct script *s, enum cp_err rc)
{
	memset(&s->refused_by, 0, sizeof(s->refused_by));
	if (rc == CP_ESTATE &&
	    (cp_cart_owner(s->db, &s->who, &s->refused_by, NULL) != CP_OK || s->refused_by.mine))
		memset(&s->refused_by, 0, sizeof(s->refused_by));
	return rc;
}

static enum cp_err code_of(json_t *req, const char **code, struct cp_errbuf *err)
{
	json_t *v = json_object_get(req, "code");

	if (!json_is_string(v))
		return cp_errf(err, CP_EINVAL,
			       "field \"code\" must be the coupon's code (a string), as printed "
			       "or scanned");
	*code = json_string_value(v);
	return CP_OK;
}

static void put_quote(struct script *s, const struct cp_coupon_quote *q, json_t *ans)
{
	json_t *arr = script_need(json_array());

	for (int i = 0; i < q->n; i++) {
		json_t *o = script_need(json_object());

		script_set(o, "code", script_str(q->c[i].code));
		script_set(o, "title", script_str(q->c[i].title));
		script_set(o, "fen", json_integer(q->c[i].fen));
		if (json_array_append_new(arr, o) != 0)
			script_need(NULL);
	}
	script_set(ans, "coupons", arr);
	script_set(ans, "discount", json_integer(q->discount));
	script_set(ans, "total", json_integer(q->total));
	script_set(ans, "due", json_integer(q->due));
	if (cp_cart_view(s->db, &s->who, &s->cart, NULL) == CP_OK)
		script_set(ans, "cart", script_cart(&s->cart));
}

static json_t *info_json(const struct cp_coupon_info *c)
{
	json_t *o = script_need(json_object());

	script_set(o, "code", script_str(c->code));
	script_set(o, "template", script_str(c->t.id));
	script_set(o, "title", script_str(c->t.title_zh[0] ? c->t.title_zh : c->t.title_en));
	script_set(o, "title_en", script_str(c->t.title_en));
	script_set(o, "kind", script_str(c->t.kind));
	script_set(o, "threshold", json_integer(c->t.threshold));
	script_set(o, "valid_from", script_str(c->valid_from));
	script_set(o, "valid_to", script_str(c->valid_to));
	script_set(o, "bearer", json_boolean(!c->member_id[0]));
	script_set(o, "stacks", json_boolean(c->t.stacks));
	script_set(o, "state", script_str(c->state));
	return o;
}

enum cp_err script_coupon(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_coupon_quote q;
	const char *code = NULL;
	enum cp_err rc;

	if ((rc = code_of(req, &code, err)) != CP_OK)
		return rc;
	if ((rc = cp_coupon_apply(s->db, &s->who, code, &q, err)) != CP_OK)
		return coupon_rc(s, rc);
	put_quote(s, &q, ans);
	return CP_OK;
}

enum cp_err script_remove_coupon(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_coupon_quote q;
	const char *code = NULL;
	enum cp_err rc;

	if ((rc = code_of(req, &code, err)) != CP_OK)
		return rc;
	if ((rc = cp_coupon_remove(s->db, &s->who, code, err)) != CP_OK ||
	    (rc = cp_coupon_quote(s->db, &s->who, &q, err)) != CP_OK)
		return coupon_rc(s, rc);
	put_quote(s, &q, ans);
	return CP_OK;
}

enum cp_err script_coupons(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_coupon_list *l = malloc(sizeof(*l));
	json_t *arr;
	enum cp_err rc;

	(void)req;
	if (!l)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((rc = cp_coupon_list(s->db, &s->who, l, err)) != CP_OK) {
		free(l);
		return coupon_rc(s, rc);
	}
	arr = script_need(json_array());
	for (int i = 0; i < l->n; i++) {
		json_t *o = info_json(&l->e[i]);

		if (json_array_append_new(arr, o) != 0)
			script_need(NULL);
	}
	script_set(ans, "member", script_str(l->member_id));
	script_set(ans, "coupons", arr);
	script_set(ans, "more", json_boolean(l->more));
	free(l);
	return CP_OK;
}

enum cp_err script_exchange(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	json_t *v = json_object_get(req, "offer");
	struct cp_coupon_exchange x;
	enum cp_err rc;

	if (!json_is_string(v))
		return cp_errf(err, CP_EINVAL, "field \"offer\" must be the offer's id (a string)");
	if ((rc = cp_coupon_exchange(s->db, &s->who, json_string_value(v), &x, err)) != CP_OK)
		return coupon_rc(s, rc);
	s->checkpoint = true;
	script_set(ans, "seq", json_integer(x.seq));
	script_set(ans, "points_spent", json_integer(x.points));
	script_set(ans, "balance", json_integer(x.balance_after));
	script_set(ans, "coupon", info_json(&x.coupon));
	script_set(ans, "slip", script_slip(s, x.coupon.code));
	return CP_OK;
}

json_t *script_slip(struct script *s, const char *code)
{
	struct cp_receipt_copy_state st;
	struct cp_errbuf err = {{0}};
	enum cp_err rc = app_receipt_keep_print(&s->receipts, code, &err);
	bool printer = s->receipts.device && s->receipts.device[0];
	json_t *o = script_need(json_object());

	/* The coupon stands whatever becomes of its slip; `reprint` tries again. */
	if (rc != CP_OK)
		cp_log(CP_LOG_WARN, "coupon slip %s: %s", code, cp_errmsg(&err, rc));
	script_set(o, "receipt", script_str(code));
	script_set(o, "kept", json_boolean(cp_receipt_state(s->db, code, &st, NULL) == CP_OK));
	script_set(o, "printed", json_boolean(rc == CP_OK && printer));
	script_set(o, "error", rc == CP_OK ? json_null() : script_str(cp_errmsg(&err, rc)));
	return o;
}

json_t *script_coupons_issued(struct script *s, const char *receipt)
{
	struct cp_receipt_view *v = malloc(sizeof(*v));
	json_t *arr;

	arr = script_coupons_of(v && cp_receipt_get(s->db, receipt, v, NULL) == CP_OK ? v : NULL);
	free(v);
	return arr;
}

json_t *script_coupons_of(const struct cp_receipt_view *v)
{
	json_t *arr = script_need(json_array());

	if (v) {
		for (int i = 0; i < v->ncoupons; i++) {
			json_t *o = script_need(json_object());

			script_set(o, "code", script_str(v->coupons[i].code));
			script_set(o, "title", script_str(v->coupons[i].title));
			script_set(o, "valid_to", script_str(v->coupons[i].valid_until));
			if (json_array_append_new(arr, o) != 0)
				script_need(NULL);
		}
	}
	return arr;
}
