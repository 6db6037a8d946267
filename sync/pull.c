/* pull.c — GET /v1/changes: pages of HQ's changes (members, items, rules, staff,
 * configuration) and notices after the till's cursor, each page applied by core in one
 * transaction together with its new cursor, until HQ says there are no more. */
#include <stdio.h>
#include <string.h>

#include "sync_int.h"

#define CURSOR_MAX 256

/* One page. *more: HQ has more after it. */
static enum cp_sync_result pull_page(struct cp_round *r, const char *cursor, bool *more,
				     struct cp_errbuf *err)
{
	struct cp_http_answer ans = {0};
	struct cp_errbuf why = {{0}};
	char since[3 * CURSOR_MAX + 1], path[3 * CURSOR_MAX + 64];
	int limit = r->opts->pull_limit > 0 ? r->opts->pull_limit : 500;
	enum cp_sync_result res = CP_SYNC_TRANSIENT;
	enum cp_err rc;

	*more = false;
	if (limit > 1000)
		limit = 1000;
	if (!cp_sync_http_escape(cursor, since, sizeof(since))) {
		cp_errf(err, CP_EINVAL, "the change cursor is too long");
		return CP_SYNC_TRANSIENT;
	}
	snprintf(path, sizeof(path), "/v1/changes?since=%s&limit=%d", since, limit);
	rc = cp_sync_round_request(r, "GET", path, NULL, 0, &ans, err);
	if (rc != CP_OK) {
		res = cp_sync_round_failed(r, rc);
		goto out;
	}
	if (ans.status != 200) {
		res = cp_sync_round_refused(r, &ans, "the change pull", err);
		goto out;
	}
	if (!ans.json) {
		cp_errf(err, CP_EIO, "HQ's change page is not JSON; nothing was applied");
		goto out;
	}
	rc = cp_hq_apply_changes(r->db, ans.body, ans.len, more, &why);
	if (rc == CP_EINVAL) {
		cp_errf(err, rc, "HQ's change page was refused (%s); nothing was applied", why.msg);
		goto out;
	}
	if (rc == CP_ECORRUPT) {
		cp_errf(err, rc, "%s", why.msg);
		res = cp_sync_round_stop(r, CP_SYNC_STOP_ENROL);
		goto out;
	}
	if (rc != CP_OK) {
		cp_errf(err, rc, "%s", cp_errmsg(&why, rc));
		goto out;
	}
	r->pages++;
	res = CP_SYNC_DONE;
out:
	cp_sync_http_answer_free(&ans);
	return res;
}

enum cp_sync_result cp_sync_pull_run(struct cp_round *r, struct cp_errbuf *err)
{
	char cursor[CURSOR_MAX], before[CURSOR_MAX] = "";
	enum cp_sync_result res;
	bool more = true, first = true;

	while (more) {
		if (cp_sync_round_interrupted(r, err))
			return CP_SYNC_TRANSIENT;
		if (cp_hq_cursor(r->db, cursor, sizeof(cursor), err) != CP_OK)
			return CP_SYNC_TRANSIENT;
		/* A feed that says "more" but never moves would keep the round busy forever. */
		if (!first && strcmp(cursor, before) == 0) {
			cp_errf(err, CP_EIO,
				"HQ's change feed says there is more but does not move past cursor "
				"'%.64s'; will try again later",
				cursor);
			return CP_SYNC_TRANSIENT;
		}
		first = false;
		snprintf(before, sizeof(before), "%s", cursor);
		res = pull_page(r, cursor, &more, err);
		if (res != CP_SYNC_DONE)
			return res;
	}
	return CP_SYNC_DONE;
}
