/* script_refund.c — refunds in script mode: the "lines" of `refund` and `refund_quote` (a line
 * number for every unit of it not refunded yet, or {"line":N,"qty":K} for K of its units), and
 * `refund_quote`, the preview: the sale's lines with the units sold and refunded, and what the
 * selection would give back and claw back, without a manager and without writing anything. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "refund.h"
#include "script.h"

static enum cp_err whole(json_t *v, const char *what, int64_t max, int64_t *out,
			 struct cp_errbuf *err)
{
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > max)
		return cp_errf(err, CP_EINVAL, "%s must be a whole number from 1 to %lld", what,
			       (long long)max);
	*out = json_integer_value(v);
	return CP_OK;
}

enum cp_err script_refund_lines(json_t *req, int *lines, int64_t *qty, int *n,
				struct cp_errbuf *err)
{
	json_t *arr = json_object_get(req, "lines"), *el;
	char what[48];
	size_t i;

	*n = 0;
	if (!arr || json_is_null(arr))
		return CP_OK;
	if (!json_is_array(arr))
		return cp_errf(err, CP_EINVAL,
			       "field \"lines\" must be an array of line numbers or of "
			       "{\"line\":N,\"qty\":K}");
	if (json_array_size(arr) > CP_REFUND_MAX_LINES)
		return cp_errf(err, CP_EINVAL, "at most %d lines", CP_REFUND_MAX_LINES);
	json_array_foreach (arr, i, el) {
		int64_t v = 0, k = 0;
		enum cp_err rc;

		if (json_is_object(el)) {
			json_t *q = json_object_get(el, "qty");

			if (json_object_size(el) != (q ? 2u : 1u) || !json_object_get(el, "line"))
				return cp_errf(err, CP_EINVAL,
					       "lines[%zu] must be {\"line\":N} or "
					       "{\"line\":N,\"qty\":K}",
					       i);
			snprintf(what, sizeof(what), "lines[%zu].qty", i);
			if (q && (rc = whole(q, what, 9999, &k, err)) != CP_OK)
				return rc;
			el = json_object_get(el, "line");
			snprintf(what, sizeof(what), "lines[%zu].line", i);
		} else {
			snprintf(what, sizeof(what), "lines[%zu]", i);
		}
		if ((rc = whole(el, what, INT_MAX, &v, err)) != CP_OK)
			return rc;
		lines[i] = (int)v;
		qty[i] = k;
	}
	*n = (int)json_array_size(arr);
	return CP_OK;
}

json_t *script_refund_tenders(const struct cp_tender *t, int n)
{
	json_t *tenders = script_need(json_array());

	for (int i = 0; i < n && i < CP_TENDER_MAX; i++) {
		json_t *o = script_need(json_object());

		script_set(o, "method", script_str(cp_tender_name(t[i].method)));
		script_set(o, "amount", json_integer(t[i].amount));
		if (json_array_append_new(tenders, o) != 0)
			script_need(NULL);
	}
	return tenders;
}

enum cp_err script_refund_quote(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	int lines[CP_REFUND_MAX_LINES];
	int64_t qty[CP_REFUND_MAX_LINES];
	struct cp_refund_req rq = {.lines = lines, .qty = qty};
	struct cp_refund_quote *q;
	json_t *v = json_object_get(req, "receipt"), *out;
	enum cp_err rc;

	if (!json_is_string(v))
		return cp_errf(err, CP_EINVAL, "field \"receipt\" must be a string");
	rq.receipt = json_string_value(v);
	if ((rc = script_refund_lines(req, lines, qty, &rq.nlines, err)) != CP_OK)
		return rc;
	if (!(q = calloc(1, sizeof(*q))))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((rc = cp_refund_quote(s->db, &s->who, &rq, q, err)) != CP_OK)
		goto out;
	out = script_need(json_array());
	for (int i = 0; i < q->nlines; i++) {
		const struct cp_refund_quote_line *l = &q->lines[i];
		json_t *o = script_need(json_object());

		script_set(o, "line", json_integer(l->line_no));
		script_set(o, "sku", script_str(l->sku));
		script_set(o, "name", script_str(l->name));
		script_set(o, "qty", json_integer(l->qty));
		script_set(o, "refunded", json_integer(l->refunded));
		script_set(o, "amount", json_integer(l->amount));
		script_set(o, "refund_qty", json_integer(l->pick_qty));
		script_set(o, "refund_amount", json_integer(l->pick_amount));
		if (json_array_append_new(out, o) != 0)
			script_need(NULL);
	}
	script_set(ans, "sale", script_str(q->sale_receipt));
	script_set(ans, "day", script_str(q->day));
	script_set(ans, "member", json_boolean(q->member));
	script_set(ans, "lines", out);
	script_set(ans, "amount", json_integer(q->amount));
	script_set(ans, "tenders", script_refund_tenders(q->tenders, q->ntenders));
	script_set(ans, "points", json_integer(q->points));
	script_set(ans, "growth", json_integer(q->growth));
	script_set(ans, "points_back", json_integer(q->points_back));
out:
	free(q);
	return rc;
}
