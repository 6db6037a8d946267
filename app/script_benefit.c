/* script_benefit.c — the benefit commands of script mode: `benefits` (the attached member's
 * benefits: open, used this period, and the rest) and `grant` (grant one by its id; a coupon's
 * slip printed at once). */
#include <stdlib.h>
#include <string.h>

#include "benefit.h"
#include "script.h"

/* As script_cmd.c's cart commands: a refusal because the sale is another login's names it. */
static enum cp_err benefit_rc(struct script *s, enum cp_err rc)
{
	memset(&s->refused_by, 0, sizeof(s->refused_by));
	if (rc == CP_ESTATE &&
	    (cp_cart_owner(s->db, &s->who, &s->refused_by, NULL) != CP_OK || s->refused_by.mine))
		memset(&s->refused_by, 0, sizeof(s->refused_by));
	return rc;
}

static const char *state_name(enum cp_benefit_state st)
{
	return st == CP_BENEFIT_OPEN ? "open" : st == CP_BENEFIT_USED ? "used" : "not_today";
}

static json_t *benefit_json(const struct cp_benefit_status *e)
{
	const struct cp_benefit *b = &e->b;
	json_t *o = script_need(json_object());

	script_set(o, "id", script_str(b->id));
	script_set(o, "title", script_str(b->title_zh[0] ? b->title_zh : b->title_en));
	script_set(o, "title_en", script_str(b->title_en));
	script_set(o, "when", script_str(b->when));
	script_set(o, "period", script_str(b->period));
	script_set(o, "what", script_str(b->what));
	if (strcmp(b->what, "coupon") == 0)
		script_set(o, "template", script_str(b->template_id));
	else if (strcmp(b->what, "points") == 0)
		script_set(o, "points", json_integer(b->points));
	else
		script_set(o, "sku", script_str(b->sku));
	script_set(o, "state", script_str(state_name(e->state)));
	script_set(o, "period_key", script_str(e->period_key));
	if (e->state == CP_BENEFIT_USED)
		script_set(o, "used_on", script_str(e->used_on));
	if (e->state == CP_BENEFIT_NOT_TODAY)
		script_set(o, "when_text", script_str(e->why));
	return o;
}

enum cp_err script_benefits(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_benefit_list *l = malloc(sizeof(*l));
	json_t *open, *used, *other;
	enum cp_err rc;

	(void)req;
	if (!l)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((rc = cp_benefit_list(s->db, &s->who, l, err)) != CP_OK) {
		free(l);
		return benefit_rc(s, rc);
	}
	open = script_need(json_array());
	used = script_need(json_array());
	other = script_need(json_array());
	for (int i = 0; i < l->n; i++) {
		json_t *to = l->e[i].state == CP_BENEFIT_OPEN   ? open
			     : l->e[i].state == CP_BENEFIT_USED ? used
								: other;

		if (json_array_append_new(to, benefit_json(&l->e[i])) != 0)
			script_need(NULL);
	}
	script_set(ans, "member", script_str(l->member_id));
	script_set(ans, "day", script_str(l->day));
	script_set(ans, "open", open);
	script_set(ans, "used", used);
	script_set(ans, "not_today", other);
	free(l);
	return CP_OK;
}

enum cp_err script_grant(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	json_t *v = json_object_get(req, "benefit");
	struct cp_benefit_grant g;
	enum cp_err rc;

	if (!json_is_string(v))
		return cp_errf(err, CP_EINVAL,
			       "field \"benefit\" must be the benefit's id (a string), as "
			       "`benefits` lists it");
	if ((rc = cp_benefit_grant(s->db, &s->who, json_string_value(v), &g, err)) != CP_OK)
		return benefit_rc(s, rc);
	s->checkpoint = true;
	script_set(ans, "seq", json_integer(g.seq));
	script_set(ans, "benefit", script_str(g.benefit_id));
	script_set(ans, "title", script_str(g.title));
	script_set(ans, "what", script_str(g.what));
	script_set(ans, "period_key", script_str(g.period_key));
	if (strcmp(g.what, "points") == 0) {
		script_set(ans, "points", json_integer(g.points));
		script_set(ans, "balance", json_integer(g.balance_after));
	} else if (strcmp(g.what, "coupon") == 0) {
		json_t *c = script_need(json_object());

		script_set(c, "code", script_str(g.coupon.code));
		script_set(c, "template", script_str(g.coupon.t.id));
		script_set(c, "title",
			   script_str(g.coupon.t.title_zh[0] ? g.coupon.t.title_zh
							     : g.coupon.t.title_en));
		script_set(c, "valid_from", script_str(g.coupon.valid_from));
		script_set(c, "valid_to", script_str(g.coupon.valid_to));
		script_set(ans, "coupon", c);
		script_set(ans, "slip", script_slip(s, g.coupon.code));
	} else {
		script_set(ans, "sku", script_str(g.sku));
		script_set(ans, "line", json_integer(g.line_no));
		if (cp_cart_view(s->db, &s->who, &s->cart, NULL) == CP_OK)
			script_set(ans, "cart", script_cart(&s->cart));
	}
	return CP_OK;
}
