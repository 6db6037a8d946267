/* script_guide.c — the shopping-guide commands of script mode: bind, unbind, serve and
 * guide_day (issue 10). Same pattern as script_cmd.c: read and check every field, call core,
 * answer with what core said. */
#include <string.h>

#include "guide.h"
#include "script.h"

static enum cp_err opt_str(json_t *req, const char *key, const char **out, struct cp_errbuf *err)
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

/* The member: at most one of "member" (an id), "phone" or "card"; none means the member
 * attached to the open sale. */
static enum cp_err want_req(struct script *s, json_t *req, struct cp_guide_bind_req *r,
			    struct cp_member_view *m, struct cp_errbuf *err)
{
	const char *id, *phone, *card;
	enum cp_err rc;

	memset(r, 0, sizeof(*r));
	if ((rc = opt_str(req, "member", &id, err)) || (rc = opt_str(req, "phone", &phone, err)) ||
	    (rc = opt_str(req, "card", &card, err)) ||
	    (rc = opt_str(req, "badge", &r->badge, err)) ||
	    (rc = opt_str(req, "manager", &r->manager_code, err)) ||
	    (rc = opt_str(req, "pin", &r->manager_pin, err)) ||
	    (rc = opt_str(req, "reason", &r->reason, err)))
		return rc;
	if (!!id + !!phone + !!card > 1)
		return cp_errf(err, CP_EINVAL,
			       "give at most one of \"member\", \"phone\" or \"card\" (none: the "
			       "member attached to the sale)");
	if (!r->manager_code != !r->manager_pin)
		return cp_errf(err, CP_EINVAL, "give both \"manager\" and \"pin\", or neither");
	if (phone)
		rc = cp_member_find_by_phone(s->db, phone, m, err);
	else if (card)
		rc = cp_member_find_by_card(s->db, card, m, err);
	if (rc != CP_OK)
		return rc;
	r->member_id = phone || card ? m->id : id;
	return CP_OK;
}

static void put_result(json_t *ans, const struct cp_guide_bind_result *r)
{
	script_set(ans, "seq", json_integer(r->seq));
	script_set(ans, "kind", script_str(r->kind));
	script_set(ans, "member", script_str(r->member));
	script_set(ans, "guide", r->guide.code[0] ? script_str(r->guide.code) : json_null());
	script_set(ans, "guide_name", r->guide.code[0] ? script_str(r->guide.name) : json_null());
	script_set(ans, "previous", r->previous[0] ? script_str(r->previous) : json_null());
	script_set(ans, "authorised_by",
		   r->authorised_by[0] ? script_str(r->authorised_by) : json_null());
	if (r->protected_until == INT64_MAX)
		script_set(ans, "protected_until", script_str("always"));
	else
		script_set(ans, "protected_until",
			   r->protected_until ? json_integer(r->protected_until) : json_null());
}

enum cp_err script_guide_bind(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_guide_bind_req r;
	struct cp_guide_bind_result out;
	struct cp_member_view m;
	enum cp_err rc;

	if ((rc = want_req(s, req, &r, &m, err)) != CP_OK ||
	    (rc = cp_guide_bind(s->db, &s->who, &r, &out, err)) != CP_OK)
		return rc;
	s->checkpoint = true;
	put_result(ans, &out);
	return CP_OK;
}

enum cp_err script_guide_unbind(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_guide_bind_req r;
	struct cp_guide_bind_result out;
	struct cp_member_view m;
	enum cp_err rc;

	if ((rc = want_req(s, req, &r, &m, err)) != CP_OK)
		return rc;
	if (r.badge)
		return cp_errf(err, CP_EINVAL, "unbind takes no \"badge\"");
	if ((rc = cp_guide_unbind(s->db, &s->who, &r, &out, err)) != CP_OK)
		return rc;
	s->checkpoint = true;
	put_result(ans, &out);
	return CP_OK;
}

enum cp_err script_guide_serve(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_guide_who g;
	const char *badge;
	enum cp_err rc;

	if ((rc = opt_str(req, "badge", &badge, err)) != CP_OK)
		return rc;
	if (!badge)
		return cp_errf(err, CP_EINVAL, "missing field \"badge\"");
	if ((rc = cp_guide_serve(s->db, &s->who, badge, &g, err)) != CP_OK)
		return rc;
	script_set(ans, "guide", script_str(g.code));
	script_set(ans, "guide_name", script_str(g.name));
	return CP_OK;
}

enum cp_err script_guide_day(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_guide_day d;
	const char *badge;
	enum cp_err rc;

	if ((rc = opt_str(req, "badge", &badge, err)) != CP_OK ||
	    (rc = cp_guide_day(s->db, &s->who, badge, &d, err)) != CP_OK)
		return rc;
	script_set(ans, "guide", script_str(d.guide.code));
	script_set(ans, "name", script_str(d.guide.name));
	script_set(ans, "day", script_str(d.day));
	script_set(ans, "sales", json_integer(d.sales));
	script_set(ans, "sales_amount", json_integer(d.sales_amount));
	script_set(ans, "refunds", json_integer(d.refunds));
	script_set(ans, "refunds_amount", json_integer(d.refunds_amount));
	script_set(ans, "bound_today", json_integer(d.bound_today));
	script_set(ans, "bound_total", json_integer(d.bound_total));
	script_set(ans, "expiring", json_integer(d.expiring));
	return CP_OK;
}
