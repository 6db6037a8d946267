/* enrol.c — POST /v1/enrol: the one-time code for the terminal's identity. Core builds the
 * request (with the journal key) and stores the answer (the secret); neither is ever logged,
 * and both are wiped from memory once sent or stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_crypto.h"
#include "db.h"
#include "sync_int.h"

static bool code_ok(const char *code)
{
	size_t n = strlen(code);

	if (n < 1 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (code[i] <= 0x20 || code[i] >= 0x7f)
			return false;
	return true;
}

static enum cp_err answered(struct cp_db *db, const struct cp_http *h,
			    const struct cp_http_answer *ans, struct cp_errbuf *err)
{
	struct cp_errbuf said = {{0}};

	switch (ans->status) {
	case 200:
		if (!ans->json)
			return cp_errf(err, CP_EIO,
				       "HQ's answer to the enrolment is not JSON: is %s really HQ?",
				       cp_sync_http_base(h));
		return cp_hq_apply_enrolment(db, cp_sync_http_base(h), ans->body, ans->len, err);
	case 403:
		return cp_errf(err, CP_EAUTH,
			       "HQ refused the enrolment code (%s%s%s): ask HQ for a new code for "
			       "this store and terminal",
			       ans->code[0] ? ans->code : "403", ans->message[0] ? ": " : "",
			       ans->message);
	default:
		cp_sync_http_describe(ans, "the enrolment", &said);
		return cp_errf(err, CP_EIO, "%s", said.msg);
	}
}

enum cp_err cp_sync_enrol(struct cp_db *db, const struct cp_sync_options *opts, const char *url,
			  const char *code, struct cp_errbuf *err)
{
	struct cp_http *h = NULL;
	struct cp_http_answer ans = {0};
	struct cp_http_request req = {0};
	char *body = NULL;
	enum cp_err rc;

	if (!code || !code_ok(code))
		return cp_errf(
			err, CP_EINVAL,
			"the enrolment code must be 1 to 64 visible characters, as HQ gave it");
	if ((rc = cp_sync_http_open(&h, url, opts, err)) != CP_OK)
		return rc;
	if ((rc = cp_hq_enrol_request(db, code, &body, err)) != CP_OK)
		goto out;
	req.method = "POST";
	req.path = "/v1/enrol";
	req.body = body;
	req.len = strlen(body);
	req.now_s = cp_db_now(db) / 1000;
	rc = cp_sync_http_do(h, &req, &ans, err);
	if (rc == CP_OK)
		rc = answered(db, h, &ans, err);
out:
	if (body) {
		cp_wipe(body, strlen(body));
		free(body);
	}
	cp_sync_http_answer_free(&ans);
	cp_sync_http_close(h);
	return rc;
}
