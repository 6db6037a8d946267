/* script_park.c — parked sales in script mode: `park` (set the open sale aside), `parked` (the
 * list) and `recall` (bring one back, priced as the catalogue is now). */
#include <stdlib.h>
#include <string.h>

#include "park.h"
#include "script.h"

/* As script_cmd.c's cart commands: a refusal because the sale is another login's names it. */
static enum cp_err park_rc(struct script *s, enum cp_err rc)
{
	memset(&s->refused_by, 0, sizeof(s->refused_by));
	if (rc == CP_ESTATE &&
	    (cp_cart_owner(s->db, &s->who, &s->refused_by, NULL) != CP_OK || s->refused_by.mine))
		memset(&s->refused_by, 0, sizeof(s->refused_by));
	return rc;
}

static json_t *parked_json(const struct cp_parked *p)
{
	json_t *o = script_need(json_object());

	script_set(o, "sale", json_integer(p->id));
	script_set(o, "staff", script_str(p->staff));
	script_set(o, "name", script_str(p->staff_name));
	script_set(o, "parked_at", json_integer(p->parked_at));
	script_set(o, "opened_at", json_integer(p->opened_at));
	script_set(o, "lines", json_integer(p->nlines));
	script_set(o, "items", json_integer(p->items));
	script_set(o, "total", json_integer(p->total));
	script_set(o, "member", p->member_masked[0] ? script_str(p->member_masked) : json_null());
	return o;
}

static enum cp_err put_cart(struct script *s, json_t *ans, struct cp_errbuf *err)
{
	enum cp_err rc = cp_cart_view(s->db, &s->who, &s->cart, err);

	if (rc == CP_OK)
		script_set(ans, "cart", script_cart(&s->cart));
	return park_rc(s, rc);
}

enum cp_err script_park(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	int64_t id = 0;
	enum cp_err rc;

	(void)req;
	if ((rc = cp_park_save(s->db, &s->who, &id, err)) != CP_OK)
		return park_rc(s, rc);
	script_set(ans, "sale", json_integer(id));
	return put_cart(s, ans, err);
}

enum cp_err script_parked(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_parked *l = calloc(CP_PARK_LIMIT, sizeof(*l));
	json_t *arr;
	enum cp_err rc;
	int n = 0;

	(void)req;
	if (!l)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((rc = cp_park_list(s->db, l, CP_PARK_LIMIT, &n, err)) != CP_OK) {
		free(l);
		return rc;
	}
	arr = script_need(json_array());
	for (int i = 0; i < n; i++)
		if (json_array_append_new(arr, parked_json(&l[i])) != 0)
			script_need(NULL);
	free(l);
	script_set(ans, "parked", arr);
	script_set(ans, "max", json_integer(cp_park_max(s->db)));
	return CP_OK;
}

enum cp_err script_recall(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	json_t *v = json_object_get(req, "sale");
	struct cp_park_recall *r;
	json_t *changed;
	enum cp_err rc;

	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return cp_errf(
			err, CP_EINVAL,
			"field \"sale\" must be the number of a parked sale (see \"parked\")");
	if (!(r = malloc(sizeof(*r))))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((rc = cp_park_recall(s->db, &s->who, json_integer_value(v), r, err)) != CP_OK) {
		free(r);
		return park_rc(s, rc);
	}
	changed = script_need(json_array());
	for (int i = 0; i < r->nchanged; i++) {
		const struct cp_park_change *c = &r->changed[i];
		json_t *o = script_need(json_object());

		script_set(o, "line", json_integer(c->line_no));
		script_set(o, "sku", script_str(c->sku));
		script_set(o, "name", script_str(c->name));
		script_set(o, "was", json_integer(c->was));
		script_set(o, "now", c->now < 0 ? json_null() : json_integer(c->now));
		if (json_array_append_new(changed, o) != 0)
			script_need(NULL);
	}
	script_set(ans, "recalled", parked_json(&r->sale));
	script_set(ans, "changed", changed);
	script_set(ans, "member_dropped", json_boolean(r->member_dropped));
	script_set(ans, "guide", r->guide[0] ? script_str(r->guide) : json_null());
	changed = script_need(json_array());
	for (int k = 0; k < r->ncoupons; k++) {
		json_t *o = script_need(json_object());

		script_set(o, "code", script_str(r->coupons[k].code));
		script_set(o, "kept", json_boolean(r->coupons[k].kept));
		script_set(o, "why",
			   r->coupons[k].kept ? json_null() : script_str(r->coupons[k].why.msg));
		if (json_array_append_new(changed, o) != 0)
			script_need(NULL);
	}
	script_set(ans, "coupons", changed);
	changed = script_need(json_array());
	for (int k = 0; k < r->ndiscounts; k++) {
		const struct cp_park_discount *d = &r->discounts[k];
		json_t *o = script_need(json_object());

		script_set(o, "line", d->line_no ? json_integer(d->line_no) : json_null());
		script_set(o, "kept", json_boolean(d->kept));
		script_set(o, "manager", d->manager[0] ? script_str(d->manager) : json_null());
		script_set(o, "why", d->kept ? json_null() : script_str(d->why.msg));
		if (json_array_append_new(changed, o) != 0)
			script_need(NULL);
	}
	script_set(ans, "discounts", changed);
	free(r);
	return put_cart(s, ans, err);
}
