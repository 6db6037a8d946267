/* script_discount.c — manual discounts in script mode: `discount` (a line or the whole sale,
 * by an amount or a percentage, with a reason and, above the limit, a manager's code and PIN)
 * and `remove_discount`. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "discount.h"
#include "money.h"
#include "script.h"

/* As script_cmd.c's cart commands: a refusal because the sale is another login's names it. */
static enum cp_err discount_rc(struct script *s, enum cp_err rc)
{
	memset(&s->refused_by, 0, sizeof(s->refused_by));
	if (rc == CP_ESTATE &&
	    (cp_cart_owner(s->db, &s->who, &s->refused_by, NULL) != CP_OK || s->refused_by.mine))
		memset(&s->refused_by, 0, sizeof(s->refused_by));
	return rc;
}

static enum cp_err text_of(json_t *req, const char *key, const char **out, struct cp_errbuf *err)
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

/* "line": a cart line, absent or 0 for the whole sale. */
static enum cp_err line_of(json_t *req, int *line, struct cp_errbuf *err)
{
	json_t *v = json_object_get(req, "line");

	*line = 0;
	if (!v || json_is_null(v))
		return CP_OK;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > INT_MAX)
		return cp_errf(err, CP_EINVAL,
			       "field \"line\" must be a line number of the cart (0 or none: the "
			       "whole sale)");
	*line = (int)json_integer_value(v);
	return CP_OK;
}

enum cp_err script_discount(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_discount_req d = {0};
	struct cp_discount_result r;
	const char *amount = NULL, *percent = NULL;
	enum cp_err rc;

	if ((rc = line_of(req, &d.line_no, err)) != CP_OK ||
	    (rc = text_of(req, "amount", &amount, err)) != CP_OK ||
	    (rc = text_of(req, "percent", &percent, err)) != CP_OK ||
	    (rc = text_of(req, "reason", &d.reason, err)) != CP_OK ||
	    (rc = text_of(req, "manager", &d.manager_code, err)) != CP_OK ||
	    (rc = text_of(req, "pin", &d.manager_pin, err)) != CP_OK)
		return rc;
	if (!amount == !percent)
		return cp_errf(
			err, CP_EINVAL,
			"give the discount as \"amount\" (e.g. \"5.00\") or \"percent\" (e.g. "
			"\"10\"), one of them");
	if (!d.manager_code != !d.manager_pin)
		return cp_errf(err, CP_EINVAL, "give both \"manager\" and \"pin\", or neither");
	if (amount) {
		d.kind = CP_DISCOUNT_AMOUNT;
		if (strchr(amount, '-'))
			return cp_errf(err, CP_EINVAL, "a discount cannot be negative");
		if ((rc = cp_money_parse(amount, &d.value, err)) != CP_OK)
			return rc;
	} else {
		d.kind = CP_DISCOUNT_PERCENT;
		if ((rc = cp_discount_parse_percent(percent, &d.value, err)) != CP_OK)
			return rc;
	}
	if ((rc = cp_discount_add(s->db, &s->who, &d, &r, err)) != CP_OK)
		return discount_rc(s, rc);
	script_set(ans, "fen", json_integer(r.fen));
	script_set(ans, "authorised_by",
		   r.authorised_by[0] ? script_str(r.authorised_by) : json_null());
	if ((rc = cp_cart_view(s->db, &s->who, &s->cart, err)) != CP_OK)
		return discount_rc(s, rc);
	script_set(ans, "cart", script_cart(&s->cart));
	return CP_OK;
}

enum cp_err script_remove_discount(struct script *s, json_t *req, json_t *ans,
				   struct cp_errbuf *err)
{
	enum cp_err rc;
	int line;

	if ((rc = line_of(req, &line, err)) != CP_OK)
		return rc;
	if ((rc = cp_discount_remove(s->db, &s->who, line, err)) != CP_OK)
		return discount_rc(s, rc);
	if ((rc = cp_cart_view(s->db, &s->who, &s->cart, err)) != CP_OK)
		return discount_rc(s, rc);
	script_set(ans, "cart", script_cart(&s->cart));
	return CP_OK;
}
