/* script_offer.c — the offer commands of script mode: `offers` (what the attached member can
 * take now, and why not the rest) and `add_offer` (take one into the cart). */
#include <stdlib.h>
#include <string.h>

#include "cart.h"
#include "offer.h"
#include "script.h"

/* As script_cmd.c's cart commands: a refusal because the sale is another login's names it. */
static enum cp_err offer_rc(struct script *s, enum cp_err rc)
{
	memset(&s->refused_by, 0, sizeof(s->refused_by));
	if (rc == CP_ESTATE &&
	    (cp_cart_owner(s->db, &s->who, &s->refused_by, NULL) != CP_OK || s->refused_by.mine))
		memset(&s->refused_by, 0, sizeof(s->refused_by));
	return rc;
}

static json_t *offer_json(const struct cp_offer_entry *e)
{
	json_t *o = script_need(json_object());

	script_set(o, "offer", script_str(e->offer.id));
	script_set(o, "name",
		   script_str(e->offer.name_zh[0] ? e->offer.name_zh : e->offer.name_en));
	script_set(o, "name_en", script_str(e->offer.name_en));
	script_set(o, "reward", script_str(e->offer.reward_kind));
	script_set(o, "sku", script_str(e->offer.sku));
	script_set(o, "points", json_integer(e->offer.points));
	script_set(o, "cash", json_integer(e->offer.cash));
	script_set(o, "valid_to", script_str(e->offer.valid_to));
	script_set(o, "min_tier", json_integer(e->offer.min_tier));
	script_set(o, "limit", e->offer.limit ? json_integer(e->offer.limit) : json_null());
	script_set(o, "period", script_str(e->offer.period));
	script_set(o, "limit_left", e->limit_left >= 0 ? json_integer(e->limit_left) : json_null());
	script_set(o, "stock_left", e->stock_left >= 0 ? json_integer(e->stock_left) : json_null());
	script_set(o, "can_take", json_boolean(e->why == CP_OFFER_OK));
	script_set(o, "reason",
		   e->why == CP_OFFER_OK ? json_null() : script_str(cp_offer_why_text(e->why)));
	return o;
}

enum cp_err script_offers(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_offer_list *l = malloc(sizeof(*l));
	json_t *arr;
	enum cp_err rc;

	(void)req;
	if (!l)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((rc = cp_offer_list(s->db, &s->who, l, err)) != CP_OK) {
		free(l);
		return offer_rc(s, rc);
	}
	arr = script_need(json_array());
	for (int i = 0; i < l->n; i++)
		if (json_array_append_new(arr, offer_json(&l->e[i])) != 0)
			script_need(NULL);
	script_set(ans, "member", script_str(l->member_id));
	script_set(ans, "balance", json_integer(l->balance));
	script_set(ans, "held", json_integer(l->held));
	script_set(ans, "available", json_integer(l->available));
	script_set(ans, "offers", arr);
	script_set(ans, "more", json_boolean(l->more));
	free(l);
	return CP_OK;
}

enum cp_err script_add_offer(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	json_t *v = json_object_get(req, "offer");
	int line = 0;
	enum cp_err rc;

	if (!json_is_string(v))
		return cp_errf(err, CP_EINVAL, "field \"offer\" must be the offer's id (a string)");
	if ((rc = cp_cart_add_offer(s->db, &s->who, json_string_value(v), &line, err)) != CP_OK)
		return offer_rc(s, rc);
	script_set(ans, "line", json_integer(line));
	if ((rc = cp_cart_view(s->db, &s->who, &s->cart, err)) != CP_OK)
		return offer_rc(s, rc);
	script_set(ans, "cart", script_cart(&s->cart));
	return CP_OK;
}
