/* script_shift.c — script mode's shift and report commands: shift_open, shift_move,
 * shift_close, shift (the one open now) and report (daily, x, z), each checking its fields
 * before calling core. The answers' field names are README's. */
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "report.h"
#include "script.h"
#include "shift.h"

static enum cp_err str_field(json_t *req, const char *key, bool required, const char **out,
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

static enum cp_err money_field(json_t *req, const char *key, int64_t *fen, struct cp_errbuf *err)
{
	struct cp_errbuf why = {{0}};
	const char *text;
	enum cp_err rc = str_field(req, key, true, &text, err);

	if (rc != CP_OK)
		return rc;
	if (cp_money_parse(text, fen, &why) != CP_OK)
		return cp_errf(err, CP_EINVAL, "field \"%s\": %s", key, why.msg);
	return CP_OK;
}

json_t *script_shift_json(const struct cp_shift_view *v)
{
	return script_need(
		json_pack("{s:b, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:I, s:I}", "open",
			  v->open, "seq", (json_int_t)v->seq, "staff", v->staff, "opened_at",
			  (json_int_t)v->opened_at, "float", (json_int_t)v->float_fen, "cash",
			  (json_int_t)v->cash, "pay_in", (json_int_t)v->pay_in, "pay_out",
			  (json_int_t)v->pay_out, "expected", (json_int_t)v->expected, "closed",
			  v->closed, "counted", (json_int_t)(v->closed ? v->counted : 0),
			  "over_short", (json_int_t)(v->closed ? v->over_short : 0)));
}

enum cp_err script_shift_open(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	int64_t fl, seq;
	enum cp_err rc;

	if ((rc = money_field(req, "float", &fl, err)) != CP_OK ||
	    (rc = cp_shift_open(s->db, &s->who, fl, &seq, err)) != CP_OK)
		return rc;
	script_set(ans, "seq", json_integer(seq));
	return CP_OK;
}

enum cp_err script_shift_move(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	const char *kind, *reason;
	int64_t amount;
	enum cp_err rc;

	(void)ans;
	if ((rc = str_field(req, "kind", true, &kind, err)) != CP_OK ||
	    (rc = str_field(req, "reason", true, &reason, err)) != CP_OK ||
	    (rc = money_field(req, "amount", &amount, err)) != CP_OK)
		return rc;
	if (strcmp(kind, "in") != 0 && strcmp(kind, "out") != 0)
		return cp_errf(err, CP_EINVAL, "field \"kind\" must be \"in\" or \"out\"");
	return cp_shift_move(s->db, &s->who, strcmp(kind, "in") == 0, amount, reason, err);
}

enum cp_err script_shift_close(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_shift_count count;
	struct cp_shift_view v;
	const char *text;
	enum cp_err rc;

	if ((rc = str_field(req, "counted", true, &text, err)) != CP_OK ||
	    (rc = cp_shift_count_parse(text, &count, err)) != CP_OK ||
	    (rc = cp_shift_close(s->db, &s->who, &count, &v, err)) != CP_OK)
		return rc;
	script_set(ans, "shift", script_shift_json(&v));
	return CP_OK;
}

enum cp_err script_shift(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_shift_view v;
	enum cp_err rc;

	(void)req;
	if ((rc = cp_shift_current(s->db, &v, err)) != CP_OK)
		return rc;
	script_set(ans, "shift", script_shift_json(&v));
	return CP_OK;
}

enum cp_err script_report(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	const char *kind, *date;
	struct cp_tally *t = calloc(1, sizeof(*t));
	char day[11], *text = NULL;
	json_t *j;
	enum cp_err rc;

	if (!t)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((rc = str_field(req, "kind", false, &kind, err)) != CP_OK ||
	    (rc = str_field(req, "date", false, &date, err)) != CP_OK)
		goto out;
	kind = kind ? kind : "daily";
	if (strcmp(kind, "daily") != 0 && strcmp(kind, "x") != 0 && strcmp(kind, "z") != 0) {
		rc = cp_errf(err, CP_EINVAL, "field \"kind\" must be \"daily\", \"x\" or \"z\"");
		goto out;
	}
	if (date && strcmp(kind, "x") == 0) {
		rc = cp_errf(err, CP_EINVAL, "an X report is of today; give no \"date\"");
		goto out;
	}
	rc = date ? cp_report_day_parse(s->db, date, day, err) : cp_report_today(s->db, day, err);
	if (rc != CP_OK)
		goto out;
	rc = strcmp(kind, "z") == 0 ? cp_report_z(s->db, &s->who, day, t, err)
				    : cp_report_tally(s->db, day, t, err);
	if (rc != CP_OK)
		goto out;
	text = cp_report_json(t, kind, cp_db_store_id(s->db), cp_db_terminal_id(s->db));
	if (!text || !(j = json_loads(text, 0, NULL))) {
		rc = cp_errf(err, CP_ENOMEM, "out of memory");
		goto out;
	}
	script_set(ans, "report", j);
out:
	free(text);
	free(t);
	return rc;
}
