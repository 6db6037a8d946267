/* report.c — GET /v1/reports/store?day=DAY: the whole store's totals of a business day (all its
 * terminals), as HQ counts them from the journal rows it has applied, shown beside this till's
 * tally. A short request like a lookup; when HQ cannot be reached, or answers what cannot be
 * understood, the totals are simply unavailable and say why. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cp_crypto.h"
#include "db.h"
#include "sync_int.h"

#define UNAVAILABLE "store totals unavailable (HQ not reached)"

static enum cp_err not_understood(struct cp_store_totals *out, struct cp_errbuf *err,
				  const char *what)
{
	snprintf(out->why, sizeof(out->why), "HQ's answer was not understood (%s)", what);
	return cp_errf(err, CP_EIO, UNAVAILABLE ": %s", out->why);
}

/* m as {"count": n >= 0, "amount": fen}; false otherwise. */
static bool money_of(json_t *m, struct cp_tally_money *out)
{
	json_t *c = json_object_get(m, "count"), *a = json_object_get(m, "amount");

	if (!json_is_integer(c) || !json_is_integer(a) || json_integer_value(c) < 0)
		return false;
	out->count = json_integer_value(c);
	out->amount = json_integer_value(a);
	return true;
}

enum cp_err cp_sync_store_totals_parse(const char *body, size_t len, const char *day,
				       struct cp_store_totals *out, struct cp_errbuf *err)
{
	json_error_t jerr;
	json_t *o = json_loadb(body ? body : "", body ? len : 0, 0, &jerr), *v, *ts, *t;
	enum cp_err rc = CP_EIO;
	size_t i;

	memset(out, 0, sizeof(*out));
	snprintf(out->day, sizeof(out->day), "%s", day);
	if (!json_is_object(o)) {
		rc = not_understood(out, err, "it is not a JSON object");
		goto out;
	}
	if (!json_is_string(v = json_object_get(o, "day")) || strcmp(json_string_value(v), day)) {
		rc = not_understood(out, err, "\"day\" is missing or another day");
		goto out;
	}
	if (!money_of(json_object_get(o, "sales"), &out->sales) ||
	    !money_of(json_object_get(o, "refunds"), &out->refunds) ||
	    !money_of(json_object_get(o, "voids"), &out->voids)) {
		rc = not_understood(out, err, "\"sales\", \"refunds\" or \"voids\" is missing");
		goto out;
	}
	if (!json_is_integer(v = json_object_get(o, "net"))) {
		rc = not_understood(out, err, "\"net\" is missing");
		goto out;
	}
	out->net = json_integer_value(v);
	if (!json_is_array(ts = json_object_get(o, "terminals"))) {
		rc = not_understood(out, err, "\"terminals\" is missing");
		goto out;
	}
	json_array_foreach (ts, i, t) {
		json_t *name = json_object_get(t, "terminal"), *net = json_object_get(t, "net");
		struct cp_tally_money sales;

		if (!json_is_string(name) || !json_is_integer(net) ||
		    !money_of(json_object_get(t, "sales"), &sales)) {
			rc = not_understood(out, err,
					    "a terminal lacks \"terminal\", \"sales\" or "
					    "\"net\"");
			goto out;
		}
		if (out->nterminals == CP_STORE_TERMINALS) {
			out->truncated = true;
			continue;
		}
		snprintf(out->terminals[out->nterminals].terminal,
			 sizeof(out->terminals[0].terminal), "%s", json_string_value(name));
		out->terminals[out->nterminals].sales = sales;
		out->terminals[out->nterminals].net = json_integer_value(net);
		out->nterminals++;
	}
	out->reached = true;
	rc = CP_OK;
out:
	json_decref(o);
	return rc;
}

enum cp_err cp_sync_store_totals(struct cp_db *db, const struct cp_sync_options *opts,
				 const char *day, struct cp_store_totals *out,
				 struct cp_errbuf *err)
{
	struct cp_sync_options quick = *opts;
	struct cp_hq_identity id;
	struct cp_http *h = NULL;
	struct cp_http_answer ans = {0};
	struct cp_http_request req = {0};
	struct cp_errbuf why = {{0}};
	char path[64];
	enum cp_err rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->day, sizeof(out->day), "%s", day);
	memset(&id, 0, sizeof(id));
	if ((rc = cp_hq_identity(db, &id, &why)) != CP_OK || !id.enrolled) {
		snprintf(out->why, sizeof(out->why), "%.150s",
			 rc != CP_OK ? why.msg : "this till is not enrolled with HQ");
		rc = cp_errf(err, CP_EIO, UNAVAILABLE ": %s", out->why);
		goto out;
	}
	snprintf(path, sizeof(path), "/v1/reports/store?day=%.10s", day);
	quick.timeout_ms = opts->lookup_timeout_ms > 0 ? opts->lookup_timeout_ms : 2000;
	if (quick.connect_timeout_ms <= 0 || quick.connect_timeout_ms > quick.timeout_ms)
		quick.connect_timeout_ms = quick.timeout_ms;
	if ((rc = cp_sync_http_open(&h, id.url, &quick, &why)) == CP_OK) {
		req.method = "GET";
		req.path = path;
		req.id = &id;
		req.now_s = cp_db_now(db) / 1000;
		req.timeout_ms = quick.timeout_ms;
		rc = cp_sync_http_do(h, &req, &ans, &why);
	}
	if (rc != CP_OK) {
		snprintf(out->why, sizeof(out->why), "%.150s", why.msg);
		rc = cp_errf(err, CP_EIO, UNAVAILABLE ": %s", out->why);
	} else if (ans.status != 200) {
		cp_sync_http_describe(&ans, "the store totals", &why);
		snprintf(out->why, sizeof(out->why), "%.150s", why.msg);
		rc = cp_errf(err, CP_EIO, UNAVAILABLE ": %s", out->why);
	} else if (!ans.json) {
		rc = not_understood(out, err, "it is not JSON");
	} else {
		rc = cp_sync_store_totals_parse(ans.body, ans.len, day, out, err);
	}
out:
	cp_wipe(&id, sizeof(id));
	cp_sync_http_answer_free(&ans);
	cp_sync_http_close(h);
	return rc;
}
