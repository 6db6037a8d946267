/* script_staff.c — a manager on the spot in script mode: `unlock` (a staff code locked by wrong
 * PINs) and `reset_pin` (a new PIN, read as the input line after the request and never
 * echoed). Both need a manager: the one logged in, or "manager" and "pin" in the request. */
#include <string.h>

#include "script.h"
#include "staff_admin.h"

static enum cp_err want(json_t *req, const char *key, bool required, const char **out,
			struct cp_errbuf *err)
{
	json_t *v = json_object_get(req, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return required ? cp_errf(err, CP_EINVAL, "missing field \"%s\"", key) : CP_OK;
	if (!json_is_string(v))
		return cp_errf(err, CP_EINVAL, "field \"%s\" must be a string", key);
	*out = json_string_value(v);
	return CP_OK;
}

static void put(json_t *ans, const struct cp_staff_admin_result *r)
{
	script_set(ans, "seq", json_integer(r->seq));
	script_set(ans, "staff", script_str(r->staff));
	script_set(ans, "name", script_str(r->name));
	script_set(ans, "authorised_by", script_str(r->authorised_by));
	script_set(ans, "was_locked_until",
		   r->was_locked_until ? json_integer(r->was_locked_until) : json_null());
}

static enum cp_err fields(json_t *req, const char **staff, const char **manager, const char **pin,
			  struct cp_errbuf *err)
{
	enum cp_err rc;

	if ((rc = want(req, "staff", true, staff, err)) != CP_OK ||
	    (rc = want(req, "manager", false, manager, err)) != CP_OK ||
	    (rc = want(req, "pin", false, pin, err)) != CP_OK)
		return rc;
	return CP_OK;
}

enum cp_err script_unlock(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	const char *staff, *manager, *pin;
	struct cp_staff_admin_result r;
	enum cp_err rc;

	if ((rc = fields(req, &staff, &manager, &pin, err)) != CP_OK ||
	    (rc = cp_staff_admin_unlock(s->db, &s->who, manager, pin, staff, &r, err)) != CP_OK)
		return rc;
	put(ans, &r);
	return CP_OK;
}

enum cp_err script_reset_pin(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	const char *staff, *manager, *pin;
	struct cp_staff_admin_result r;
	enum cp_err rc;

	if ((rc = fields(req, &staff, &manager, &pin, err)) != CP_OK ||
	    (rc = cp_staff_admin_reset_pin(s->db, &s->who, manager, pin, staff, s->secret, &r,
					   err)) != CP_OK)
		return rc;
	put(ans, &r);
	return CP_OK;
}

bool script_takes_secret(const struct script_command *c)
{
	return c->fn == script_reset_pin;
}
