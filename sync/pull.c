/* pull.c — GET /v1/changes: pages of HQ's changes (members, items, rules, staff,
 * configuration) and notices after the till's cursor, until HQ says there are no more. Pages
 * are fetched one after another and applied by core in groups (up to GROUP_PAGES pages or
 * GROUP_BYTES of answers), each group in one transaction together with its last cursor: a
 * page of members touches an index page for nearly every member, a group writes each of them
 * once (sync/PROTOCOL.md "Pages applied together"). A group that core refuses is applied
 * again page by page, so that the pages before the bad one stand, as they would alone. A pull
 * that is far behind (a full group and more) catches up: its groups share one transaction
 * until CATCHUP_PAGES pages, CATCHUP_BYTES of answers or CATCHUP_MS, or until core holds as
 * many members as it stores in one sorted batch (cp_hq_pages_due, core/member_batch.c), so
 * that each index page is written about once per 100,000 members, not once per group; a
 * refusal there (also one of a held member, at the commit) rolls them all back and the round
 * goes on group by group from the last commit. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sync_int.h"

#define CURSOR_MAX 256
#define GROUP_PAGES 16
#define GROUP_BYTES ((size_t)8 << 20)
/* About 100,000 members (200 pages of 500, the default; in pages of 1000 of the reference
 * HQ, a few hundred bytes a member, 48 MB is ~140,000): the random keys of the phone-hash and
 * last-four indexes put nearly every member on a different leaf, and one transaction writes
 * each leaf once as long as the page cache holds them (sync/PROTOCOL.md). Only one group's
 * answers are in memory at a time. The time bound keeps a catching-up pull from holding the
 * write lock long when HQ or the machine is slow (a sale waits for it). */
#define CATCHUP_PAGES 200
#define CATCHUP_BYTES ((size_t)48 << 20)
#define CATCHUP_MS 20000
/* Once catching up, a group is only what is fetched before it is applied: two pages keep the
 * answers in memory small (a page of 1000 members is about 330 KB) beside the members core
 * holds and the page cache that stores them (sync/PROTOCOL.md "Memory"). */
#define CATCHUP_GROUP_PAGES 2

struct group {
	struct cp_http_answer ans[GROUP_PAGES];
	struct cp_hq_page pages[GROUP_PAGES];
	int n;
	size_t bytes;
};

/* The transaction a catching-up pull keeps open across groups. */
struct catchup {
	bool open;
	bool off; /* refused once in this round: group by group from then on */
	size_t bytes;
	int pages; /* applied in it, not yet committed */
	int64_t since_ms;
};

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Fetches the page after cursor into *ans (a 200 JSON answer) or says why not. */
static enum cp_sync_result fetch_page(struct cp_round *r, const char *cursor,
				      struct cp_http_answer *ans, struct cp_errbuf *err)
{
	char since[3 * CURSOR_MAX + 1], path[3 * CURSOR_MAX + 64];
	int limit = r->opts->pull_limit > 0 ? r->opts->pull_limit : 500;
	enum cp_err rc;

	if (limit > 1000)
		limit = 1000;
	if (!cp_sync_http_escape(cursor, since, sizeof(since))) {
		cp_errf(err, CP_EINVAL, "the change cursor is too long");
		return CP_SYNC_TRANSIENT;
	}
	snprintf(path, sizeof(path), "/v1/changes?since=%s&limit=%d", since, limit);
	rc = cp_sync_round_request(r, "GET", path, NULL, 0, ans, err);
	if (rc != CP_OK)
		return cp_sync_round_failed(r, rc);
	if (ans->status != 200)
		return cp_sync_round_refused(r, ans, "the change pull", err);
	if (!ans->json) {
		cp_errf(err, CP_EIO, "HQ's change page is not JSON; nothing was applied");
		return CP_SYNC_TRANSIENT;
	}
	return CP_SYNC_DONE;
}

/* The end of the JSON string that starts at s[i] (a quote): the index of its closing quote, or
 * len when it has none. *escaped: it holds a backslash. */
static size_t string_end(const char *s, size_t i, size_t len, bool *escaped)
{
	*escaped = false;
	for (i++; i < len && s[i] != '"'; i++)
		if (s[i] == '\\') {
			*escaped = true;
			i++;
		}
	return i;
}

/* A page's "next" and "more", to ask for the page after it before it is applied: the keys of
 * the top-level object, found by a scan of the text that skips strings and counts brackets (a
 * second parse of a page of members would cost a fifth of the pull's CPU time). False when the
 * page does not say them plainly: the group ends there, and core judges the page whole. */
static bool peek_page(const struct cp_http_answer *ans, char *next, size_t nextlen, bool *more)
{
	const char *s = ans->body;
	size_t len = ans->len, i, e;
	int depth = 0, found = 0;
	bool esc, key_next = false, key_more = false, expect_value = false;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '"') {
			e = string_end(s, i, len, &esc);
			if (e >= len)
				return false;
			if (depth == 1 && expect_value && key_next) {
				if (esc || e - i - 1 >= nextlen)
					return false;
				memcpy(next, s + i + 1, e - i - 1);
				next[e - i - 1] = '\0';
				found |= 1;
			} else if (depth == 1 && !expect_value) {
				key_next = e - i - 1 == 4 && memcmp(s + i + 1, "next", 4) == 0;
				key_more = e - i - 1 == 4 && memcmp(s + i + 1, "more", 4) == 0;
			}
			i = e;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			depth--;
		} else if (depth == 1 && c == ':') {
			expect_value = true;
			continue;
		} else if (depth == 1 && expect_value && key_more && (c == 't' || c == 'f')) {
			*more = c == 't';
			found |= 2;
		} else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
			continue;
		}
		if (depth == 1 && (c == ',' || c == '{'))
			expect_value = false;
	}
	return found == 3;
}

/* What core's refusal of a page means for the round. */
static enum cp_sync_result refused(struct cp_round *r, enum cp_err rc, const struct cp_errbuf *why,
				   struct cp_errbuf *err)
{
	if (rc == CP_EINVAL) {
		cp_errf(err, rc, "HQ's change page was refused (%s); nothing was applied",
			why->msg);
		return CP_SYNC_TRANSIENT;
	}
	if (rc == CP_ECORRUPT) {
		cp_errf(err, rc, "%s", why->msg);
		return cp_sync_round_stop(r, CP_SYNC_STOP_ENROL);
	}
	cp_errf(err, rc, "%s", cp_errmsg(why, rc));
	return CP_SYNC_TRANSIENT;
}

/* Applies the group: all in one transaction, or, when core refuses that, page by page up to
 * the one it refuses. *more is the last applied page's. */
static enum cp_sync_result apply_group(struct cp_round *r, struct group *g, bool *more,
				       struct cp_errbuf *err)
{
	struct cp_errbuf why = {{0}};
	enum cp_err rc;

	for (int i = 0; i < g->n; i++) {
		g->pages[i].body = g->ans[i].body;
		g->pages[i].len = g->ans[i].len;
	}
	rc = cp_hq_apply_change_pages(r->db, g->pages, g->n, more, &why);
	if (rc == CP_OK) {
		r->pages += g->n;
		return CP_SYNC_DONE;
	}
	for (int i = 0; g->n > 1 && i < g->n; i++) {
		why.msg[0] = '\0';
		if ((rc = cp_hq_apply_changes(r->db, g->pages[i].body, g->pages[i].len, more,
					      &why)) != CP_OK)
			break;
		r->pages++;
	}
	return refused(r, rc, &why, err);
}

static void group_free(struct group *g)
{
	for (int i = 0; i < g->n; i++)
		cp_sync_http_answer_free(&g->ans[i]);
	g->n = 0;
	g->bytes = 0;
}

/* Applies the group in the catch-up transaction. A refusal rolls back everything since its
 * begin and turns catching up off: CP_SYNC_TRANSIENT with *again set, to fetch from the last
 * commit group by group. */
static enum cp_sync_result apply_catchup(struct cp_round *r, struct group *g, struct catchup *c,
					 bool *more, bool *again)
{
	struct cp_errbuf why = {{0}};

	for (int i = 0; i < g->n; i++) {
		g->pages[i].body = g->ans[i].body;
		g->pages[i].len = g->ans[i].len;
	}
	if (cp_hq_pages_apply(r->db, g->pages, g->n, more, &why) == CP_OK) {
		c->bytes += g->bytes;
		c->pages += g->n;
		r->pages += g->n;
		return CP_SYNC_DONE;
	}
	cp_hq_pages_end(r->db, false, NULL);
	r->pages -= c->pages;
	c->open = false;
	c->off = true;
	*again = true;
	return CP_SYNC_TRANSIENT;
}

/* Ends the catch-up transaction with a commit when it is due (or must: end is true). Core
 * stores the members it held in the order of their phone hashes just before the commit
 * (member_batch.c), so a change it refuses can surface here: as in apply_catchup, everything
 * since the begin is rolled back and *again set (when given) to go on group by group. */
static enum cp_sync_result catchup_commit(struct cp_round *r, struct catchup *c, bool end,
					  bool *again, struct cp_errbuf *err)
{
	enum cp_err rc;
	int pages = c->pages;

	if (!c->open || (!end && c->pages < CATCHUP_PAGES && c->bytes < CATCHUP_BYTES &&
			 monotonic_ms() - c->since_ms < CATCHUP_MS && !cp_hq_pages_due(r->db)))
		return CP_SYNC_DONE;
	c->open = false;
	c->pages = 0;
	if ((rc = cp_hq_pages_end(r->db, true, err)) != CP_OK) {
		if (again) {
			r->pages -= pages;
			c->off = true;
			*again = true;
		}
		if (err && !err->msg[0])
			cp_errf(err, rc, "%s", cp_strerror(rc));
		return CP_SYNC_TRANSIENT;
	}
	return CP_SYNC_DONE;
}

enum cp_sync_result cp_sync_pull_run(struct cp_round *r, struct cp_errbuf *err)
{
	char cursor[CURSOR_MAX], next[CURSOR_MAX];
	struct group g = {0}; /* about 7 KB, the answers' bodies apart */
	struct catchup c = {0};
	enum cp_sync_result fetched, res;
	bool more = true, m = false, stuck = false;

	while (more) {
		if (cp_hq_cursor(r->db, cursor, sizeof(cursor), err) != CP_OK) {
			catchup_commit(r, &c, true, NULL, NULL);
			return CP_SYNC_TRANSIENT;
		}
		fetched = CP_SYNC_DONE;
		m = false;
		while (g.n < (c.open ? CATCHUP_GROUP_PAGES : GROUP_PAGES) &&
		       g.bytes < GROUP_BYTES) {
			struct cp_http_answer *a = &g.ans[g.n];

			if (cp_sync_round_interrupted(r, err)) {
				fetched = CP_SYNC_TRANSIENT;
				break;
			}
			memset(a, 0, sizeof(*a));
			if ((fetched = fetch_page(r, cursor, a, err)) != CP_SYNC_DONE) {
				cp_sync_http_answer_free(a);
				break;
			}
			g.n++;
			g.bytes += a->len;
			if (!peek_page(a, next, sizeof(next), &m) || !m)
				break;
			/* A feed that says "more" but never moves would keep the round busy. */
			if (strcmp(next, cursor) == 0) {
				stuck = true;
				break;
			}
			snprintf(cursor, sizeof(cursor), "%s", next);
		}
		/* A full group with more after it: far behind, catch up. */
		if (!c.open && !c.off && g.n == GROUP_PAGES && m && fetched == CP_SYNC_DONE &&
		    !stuck && cp_hq_pages_begin(r->db, NULL) == CP_OK) {
			c.open = true;
			c.bytes = 0;
			c.pages = 0;
			c.since_ms = monotonic_ms();
		}
		if (g.n > 0) {
			struct cp_errbuf why = {{0}};
			bool again = false;
			enum cp_sync_result applied =
				c.open ? apply_catchup(r, &g, &c, &more, &again)
				       : apply_group(r, &g, &more, &why);

			group_free(&g);
			if (again) {
				more = true;
				stuck = false;
				continue;
			}
			if (applied != CP_SYNC_DONE) {
				if (err)
					*err = why;
				return applied;
			}
		}
		{
			struct cp_errbuf why = {{0}};
			bool again = false;

			res = catchup_commit(r, &c, !more || fetched != CP_SYNC_DONE || stuck,
					     &again, &why);
			if (again) {
				more = true;
				stuck = false;
				continue;
			}
			if (res != CP_SYNC_DONE) {
				if (err)
					*err = why;
				return res;
			}
		}
		if (fetched != CP_SYNC_DONE)
			return fetched;
		if (stuck) {
			cp_errf(err, CP_EIO,
				"HQ's change feed says there is more but does not move past cursor "
				"'%.64s'; will try again later",
				cursor);
			return CP_SYNC_TRANSIENT;
		}
	}
	return catchup_commit(r, &c, true, NULL, err);
}
