/* changes.c — HQ's change feed (sync/PROTOCOL.md "GET /v1/changes"): a page is checked and
 * applied whole with its notices and next cursor. Each kind is applied by the module that owns
 * its tables, through the one table of kinds below; a kind this till does not know is counted. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "changes_int.h"
#include "hq.h"
#include "hq_int.h"
#include "journal.h"
#include "lifecycle_int.h"
#include "member_int.h"
#include "records_int.h"
#include "text.h"

#define HQ_CURSOR_MAX 64

enum cp_err cp_hq_cursor(struct cp_db *db, char *out, size_t outlen, struct cp_errbuf *err)
{
	enum cp_err result = cp_db_meta_get(db, "hq_cursor", out, outlen, err);

	if (result == CP_ENOTFOUND) {
		snprintf(out, outlen, "0");
		if (err)
			err->msg[0] = '\0';
		return CP_OK;
	}
	return result;
}

enum cp_err cp_change_run_keyed(struct cp_db *db, const char *sql, const char *key,
				struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, sql, err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return cp_errf(err, CP_EINVAL, "HQ deletes %s, which other records still use", key);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "apply change", err);
}

/* hq_config is HQ's settings as sent, kept for the modules that will read them. */
static enum cp_err config_upsert(struct cp_db *db, json_t *d, const char *where,
				 struct cp_errbuf *err)
{
	const char *name, *value;
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	if ((result = cp_rec_str(&cp_rec_hq, d, "name", false, &name, where, err)) ||
	    (result = cp_rec_str(&cp_rec_hq, d, "value", false, &value, where, err)))
		return result;
	if (!cp_hq_token_ok(name, 64) || !cp_text_ok(value, 1024))
		return cp_rec_bad(&cp_rec_hq, where, "name", "or value is not short text", err);
	st = cp_db_stmt(db,
			"INSERT INTO hq_config(name, value) VALUES(?1, ?2)"
			" ON CONFLICT(name) DO UPDATE SET value = excluded.value",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "store configuration", err);
}

static enum cp_err config_delete(struct cp_db *db, const char *key, struct cp_errbuf *err)
{
	return cp_change_run_keyed(db, "DELETE FROM hq_config WHERE name = ?1", key, err);
}

/* Every kind of change this till knows: one entry per kind, applied by the module that owns the
 * kind's tables. Others are skipped and counted. */
const struct change_kind cp_change_kinds[] = {
	{"member", cp_member_snapshot_apply, cp_member_change_delete, false},
	{"item", cp_item_change_upsert, cp_item_change_delete, false},
	{"category", cp_category_change_upsert, cp_category_change_delete, false},
	{"tier", cp_tier_change_upsert, cp_tier_change_delete, true},
	{"earn_rules", cp_rules_change_upsert, cp_rules_change_delete, true},
	{"staff", cp_staff_change_upsert, cp_staff_change_delete, false},
	{"config", config_upsert, config_delete, false},
	{"offer", cp_offer_change_upsert, cp_offer_change_delete, false},
	{"coupon_template", cp_coupon_template_change_upsert, cp_coupon_template_change_delete,
	 false},
	{"coupon_rule", cp_coupon_rule_change_upsert, cp_coupon_rule_change_delete, false},
	{"coupon", cp_coupon_change_upsert, cp_coupon_change_delete, false},
	{"lifecycle_rules", cp_lifecycle_rules_change_upsert, cp_lifecycle_rules_change_delete,
	 true},
	{"benefit", cp_benefit_change_upsert, cp_benefit_change_delete, false},
	{"benefit_grant", cp_benefit_grant_change_upsert, cp_benefit_grant_change_delete, false},
};
const size_t cp_change_kinds_n = sizeof(cp_change_kinds) / sizeof(cp_change_kinds[0]);

const struct change_kind *cp_change_kind_for(const char *kind)
{
	for (size_t i = 0; kind && i < cp_change_kinds_n; i++)
		if (strcmp(cp_change_kinds[i].kind, kind) == 0)
			return &cp_change_kinds[i];
	return NULL;
}

static enum cp_err apply_change(struct cp_db *db, json_t *c, size_t i, const char *where,
				int64_t *unknown, struct cp_errbuf *err)
{
	const struct change_kind *k;
	const char *kind, *op, *key;
	bool taken = false;
	enum cp_err result;

	if (!json_is_object(c))
		return cp_rec_bad(&cp_rec_hq, where, NULL, "is not an object", err);
	if ((result = cp_rec_str(&cp_rec_hq, c, "kind", false, &kind, where, err)) ||
	    (result = cp_rec_str(&cp_rec_hq, c, "op", false, &op, where, err)))
		return result;
	if (!(k = cp_change_kind_for(kind))) {
		(*unknown)++;
		return CP_OK;
	}
	/* A member's upsert may wait for the others (member_batch.c); anything else is applied
	 * after them, in the feed's order. */
	if (k->upsert == cp_member_snapshot_apply && strcmp(op, "upsert") == 0 &&
	    ((result = cp_member_batch_add(db, json_object_get(c, "data"), i, where, &taken,
					   err)) != CP_OK ||
	     taken))
		return result;
	if ((result = cp_member_batch_flush(db, err)) != CP_OK)
		return result;
	if (strcmp(op, "upsert") == 0)
		return k->upsert(db, json_object_get(c, "data"), where, err);
	if (strcmp(op, "delete") != 0)
		return cp_rec_bad(&cp_rec_hq, where, "op", "is not upsert or delete", err);
	if ((result = cp_rec_str(&cp_rec_hq, c, "key", false, &key, where, err)) != CP_OK)
		return result;
	if (!cp_hq_token_ok(key, 63) ||
	    (k->numeric_key && strspn(key, "0123456789") != strlen(key)))
		return cp_rec_bad(&cp_rec_hq, where, "key", "is not a valid key for its kind", err);
	return k->remove(db, key, err);
}

/* A page's snapshots count the rows HQ had applied when it built it. The round pulls only
 * after HQ has acknowledged its push, so a page never has anything new to acknowledge: more
 * than the acknowledged sequence claims rows that were never sent. */
static enum cp_err check_page_ack(struct cp_db *db, int64_t applied, struct cp_errbuf *err)
{
	struct cp_journal_status js;
	enum cp_err result = cp_journal_status(db, &js, err);

	if (result != CP_OK)
		return result;
	if (applied > js.last_seq)
		return cp_hq_holds_unwritten(applied, js.last_seq, err);
	if (applied > js.acked_seq)
		return cp_errf(err, CP_EINVAL,
			       "protocol error: HQ's change page counts journal rows up to %" PRId64
			       " but HQ has acknowledged only %" PRId64 " of this till's pushes; "
			       "nothing is acknowledged beyond what was sent",
			       applied, js.acked_seq);
	return CP_OK;
}

static enum cp_err apply_page(struct cp_db *db, json_t *changes, json_t *notices, const char *next,
			      int64_t applied, struct cp_errbuf *err)
{
	char where[48];
	int64_t unknown = 0;
	enum cp_err result;
	sqlite3_stmt *st;
	json_t *c;
	size_t i;
	int rc;

	json_array_foreach (changes, i, c) {
		snprintf(where, sizeof(where), "changes[%zu]", i);
		if ((result = apply_change(db, c, i, where, &unknown, err)) != CP_OK)
			return result;
	}
	if (json_array_size(notices) > 0 && (result = cp_member_batch_flush(db, err)) != CP_OK)
		return result;
	json_array_foreach (notices, i, c) {
		snprintf(where, sizeof(where), "notices[%zu]", i);
		if ((result = cp_notice_apply(db, c, where, err)) != CP_OK)
			return result;
	}
	if ((result = cp_db_meta_set(db, "hq_cursor", next, err)) != CP_OK ||
	    (result = check_page_ack(db, applied, err)) != CP_OK)
		return result;
	st = cp_db_stmt(db, "UPDATE sync_state SET unknown_changes = unknown_changes + ?1", err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, unknown);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "count unknown changes", err);
}

/* One page, inside the caller's transaction: checked, applied, its cursor stored. */
static enum cp_err apply_body(struct cp_db *db, const char *body, size_t len, bool *more,
			      struct cp_errbuf *err)
{
	json_t *root, *changes, *notices;
	const char *next;
	int64_t applied;
	bool m;
	enum cp_err result;

	if (!(root = cp_hq_load(body, len, err)))
		return CP_EINVAL;
	changes = json_object_get(root, "changes");
	notices = json_object_get(root, "notices");
	if (!notices)
		notices = json_array();
	else
		json_incref(notices);
	if (!json_is_array(changes) || !json_is_array(notices)) {
		result = cp_hq_bad(err, "changes and notices must be lists");
		goto done;
	}
	if ((result = cp_rec_str(&cp_rec_hq, root, "next", false, &next, "changes page", err)) ||
	    (result = cp_rec_bool(&cp_rec_hq, root, "more", &m, "changes page", err)) ||
	    (result = cp_rec_int(&cp_rec_hq, root, "applied", 0, INT64_MAX, &applied,
				 "changes page", err)))
		goto done;
	if (!cp_hq_token_ok(next, HQ_CURSOR_MAX)) {
		result = cp_hq_bad(err, "the next cursor is not a short printable token");
		goto done;
	}
	result = apply_page(db, changes, notices, next, applied, err);
	if (result == CP_OK)
		*more = m;
done:
	json_decref(notices);
	json_decref(root);
	return result;
}

/* While pages are applied: a page cache that holds what a group of pages dirties (a page of
 * members touches an index page for nearly every member, their phone hashes being random; a
 * smaller cache writes pages to the WAL more than once before the commit), and statement
 * journals kept in memory (a member's upsert runs triggers, so each statement keeps the pages
 * it changes; once one outgrew 64 KiB, SQLite wrote them all to a temporary file for the rest
 * of the transaction, two system calls a page). Both go back to the defaults afterwards. */
#define APPLY_PRAGMAS "PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY"
#define NORMAL_PRAGMAS "PRAGMA cache_size=-2000; PRAGMA temp_store=DEFAULT"

enum cp_err cp_hq_pages_begin(struct cp_db *db, struct cp_errbuf *err)
{
	enum cp_err result;

	if ((result = cp_db_exec(db, APPLY_PRAGMAS, err)) != CP_OK ||
	    (result = cp_db_begin(db, err)) != CP_OK)
		cp_db_exec(db, NORMAL_PRAGMAS, NULL);
	else
		cp_member_batch_open(db);
	return result;
}

enum cp_err cp_hq_pages_apply(struct cp_db *db, const struct cp_hq_page *pages, int n, bool *more,
			      struct cp_errbuf *err)
{
	enum cp_err result = CP_OK;
	bool m = false;

	for (int i = 0; i < n && result == CP_OK; i++)
		result = apply_body(db, pages[i].body, pages[i].len, &m, err);
	if (result == CP_OK && n > 0 && more)
		*more = m;
	return result;
}

enum cp_err cp_hq_pages_end(struct cp_db *db, bool commit, struct cp_errbuf *err)
{
	enum cp_err result = CP_OK;

	if (commit && (result = cp_member_batch_flush(db, err)) == CP_OK)
		result = cp_db_commit(db, err);
	if (!commit || result != CP_OK)
		cp_db_rollback(db);
	cp_member_batch_close(db);
	cp_db_exec(db, NORMAL_PRAGMAS, NULL);
	return result;
}

bool cp_hq_pages_due(const struct cp_db *db)
{
	return cp_member_batch_due(db);
}

enum cp_err cp_hq_apply_change_pages(struct cp_db *db, const struct cp_hq_page *pages, int n,
				     bool *more, struct cp_errbuf *err)
{
	enum cp_err result;
	bool m = false;

	if (n < 1) /* nothing fetched: nothing to apply */
		return CP_OK;
	if ((result = cp_hq_pages_begin(db, err)) != CP_OK)
		return result;
	if ((result = cp_hq_pages_apply(db, pages, n, &m, err)) == CP_OK)
		result = cp_hq_pages_end(db, true, err);
	else
		cp_hq_pages_end(db, false, NULL);
	if (result == CP_OK && more)
		*more = m;
	return result;
}

enum cp_err cp_hq_apply_changes(struct cp_db *db, const char *body, size_t len, bool *more,
				struct cp_errbuf *err)
{
	struct cp_hq_page page = {body, len};

	return cp_hq_apply_change_pages(db, &page, 1, more, err);
}
