/* push.c — POST /v1/journal: the journal rows HQ has not acknowledged, in sequence order and
 * in batches, until HQ holds them all. Only a 200 answer applied by core acknowledges
 * anything; a gap pushes again from where HQ is, a broken chain stops sync for a person. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_log.h"
#include "sync_int.h"

#define MAX_GAPS 3 /* 409s in a row before the round gives up */

static enum cp_sync_result chain_broken(struct cp_round *r, const struct cp_http_answer *ans,
					struct cp_errbuf *err)
{
	char reason[400];

	if (ans->number >= 0)
		snprintf(reason, sizeof(reason),
			 "HQ refused journal sequence %" PRId64 ": the hash chain is broken (%s). "
			 "Sync is stopped; call IT: run 'counterpoint verify' on this till",
			 ans->number, ans->message[0] ? ans->message : ans->code);
	else
		snprintf(reason, sizeof(reason),
			 "HQ refused the journal: the hash chain is broken (%s). Sync is stopped; "
			 "call IT: run 'counterpoint verify' on this till",
			 ans->message[0] ? ans->message : ans->code);
	cp_errf(err, CP_ECORRUPT, "%s", reason);
	return cp_sync_round_stop(r, CP_SYNC_STOP_ENROL);
}

/* Applies a 200 answer to the rows first..last. *after moves to what HQ now holds. */
static enum cp_sync_result acknowledged(struct cp_round *r, const struct cp_http_answer *ans,
					int64_t first, int64_t last, int64_t *after,
					struct cp_errbuf *err)
{
	struct cp_errbuf why = {{0}};
	int64_t applied = -1;
	enum cp_err rc;

	if (!ans->json) {
		cp_errf(err, CP_EIO,
			"HQ's answer to the journal push is not JSON; nothing was acknowledged");
		return CP_SYNC_TRANSIENT;
	}
	rc = cp_hq_apply_ack(r->db, ans->body, ans->len, first, last, &applied, &why);
	if (rc == CP_EINVAL) {
		/* A protocol error or a malformed answer: the rows go again later. */
		cp_errf(err, rc,
			"HQ's answer to the journal push was refused (%s); nothing was "
			"acknowledged, the rows are sent again",
			why.msg);
		return CP_SYNC_TRANSIENT;
	}
	if (rc == CP_ECORRUPT) {
		/* HQ holds rows this till does not: a restored backup or another till's
		 * identity. Retrying cannot mend that. Core's sentence is kept whole, its id
		 * and arguments too, so that the stop is shown translated. */
		if (err)
			*err = why;
		return cp_sync_round_stop(r, CP_SYNC_STOP_ENROL);
	}
	if (rc != CP_OK) {
		cp_errf(err, rc, "%s", cp_errmsg(&why, rc));
		return CP_SYNC_TRANSIENT;
	}
	if (applied <= *after) {
		cp_errf(err, CP_EIO,
			"HQ answered the journal push without applying anything "
			"(applied %" PRId64 "); will try again",
			applied);
		return CP_SYNC_TRANSIENT;
	}
	r->pushed += applied - *after;
	*after = applied;
	return CP_SYNC_DONE;
}

/* One batch after *after: CP_SYNC_DONE with *sent false when there was nothing to send. */
static enum cp_sync_result push_batch(struct cp_round *r, int64_t *after, int *gaps, bool *sent,
				      struct cp_errbuf *err)
{
	struct cp_outbox_row *rows = NULL;
	struct cp_http_answer ans = {0};
	char *body = NULL;
	int n = 0, batch = r->opts->batch_size > 0 ? r->opts->batch_size : 200;
	enum cp_sync_result res = CP_SYNC_TRANSIENT;
	enum cp_err rc;

	*sent = false;
	if ((rc = cp_outbox_fetch(r->db, *after, batch, &rows, &n, err)) != CP_OK)
		return CP_SYNC_TRANSIENT;
	if (n == 0) {
		res = CP_SYNC_DONE;
		goto out;
	}
	if ((rc = cp_outbox_body(rows, n, &body, err)) != CP_OK)
		goto out;
	*sent = true;
	rc = cp_sync_round_request(r, "POST", "/v1/journal", body, strlen(body), &ans, err);
	if (rc != CP_OK) {
		res = cp_sync_round_failed(r, rc);
		goto out;
	}
	switch (ans.status) {
	case 200:
		res = acknowledged(r, &ans, rows[0].seq, rows[n - 1].seq, after, err);
		if (res == CP_SYNC_DONE)
			*gaps = 0;
		break;
	case 409:
		if (ans.number < 1) {
			cp_errf(err, CP_EIO,
				"HQ answered 409 (gap) to the journal push without the expected "
				"sequence; will try again");
			break;
		}
		if (++*gaps > MAX_GAPS) {
			cp_errf(err, CP_EIO,
				"HQ keeps answering 'gap' (expected sequence %" PRId64
				"); will try again later",
				ans.number);
			break;
		}
		cp_log(CP_LOG_INFO,
		       "sync: HQ expects journal sequence %" PRId64 "; pushing from there",
		       ans.number);
		*after = ans.number - 1;
		res = CP_SYNC_DONE;
		break;
	case 422:
		res = chain_broken(r, &ans, err);
		break;
	default:
		res = cp_sync_round_refused(r, &ans, "the journal push", err);
		break;
	}
out:
	cp_sync_http_answer_free(&ans);
	free(body);
	cp_outbox_free(rows, n);
	return res;
}

enum cp_sync_result cp_sync_push_run(struct cp_round *r, struct cp_errbuf *err)
{
	struct cp_sync_status st;
	enum cp_sync_result res;
	int64_t after;
	int gaps = 0;
	bool sent;

	if (cp_syncstate_status_get(r->db, &st, err) != CP_OK)
		return CP_SYNC_TRANSIENT;
	after = st.acked_seq;
	for (;;) {
		if (cp_sync_round_interrupted(r, err))
			return CP_SYNC_TRANSIENT;
		res = push_batch(r, &after, &gaps, &sent, err);
		if (res != CP_SYNC_DONE || !sent)
			return res;
	}
}
