/* ack.c — HQ's answer to a push of journal rows (sync/PROTOCOL.md "POST /v1/journal"): how far
 * HQ applied them, checked against what was sent and written, and the member snapshots it sends
 * back, applied in one transaction. Nothing is acknowledged beyond what was sent. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hq.h"
#include "hq_int.h"
#include "journal.h"
#include "journal_int.h"
#include "member_int.h"
#include "records_int.h"

static enum cp_err apply_members(struct cp_db *db, json_t *list, struct cp_errbuf *err)
{
	char where[48];
	enum cp_err result;
	json_t *m;
	size_t i;

	json_array_foreach (list, i, m) {
		snprintf(where, sizeof(where), "members[%zu]", i);
		if ((result = cp_member_snapshot_apply(db, m, where, err)) != CP_OK)
			return result;
	}
	return CP_OK;
}

/* Whether a push answer's "applied" fits the rows first..last that were sent. */
static enum cp_err check_ack(struct cp_db *db, int64_t first, int64_t last, int64_t applied,
			     struct cp_errbuf *err)
{
	struct cp_journal_status js;
	enum cp_err result = cp_journal_status(db, &js, err);

	if (result != CP_OK)
		return result;
	if (first < 1 || last < first - 1 || last > js.last_seq)
		return cp_errf(err, CP_EINVAL,
			       "journal rows %" PRId64 " to %" PRId64 " were not sent: this till "
			       "has written %" PRId64,
			       first, last, js.last_seq);
	if (applied > js.last_seq)
		return cp_hq_holds_unwritten(applied, js.last_seq, err);
	if (applied > last)
		return cp_errf(
			err, CP_EINVAL,
			"protocol error: HQ acknowledged journal row %" PRId64 " but this push "
			"sent rows %" PRId64 " to %" PRId64 "; nothing is acknowledged beyond "
			"what was sent",
			applied, first, last);
	if (applied < first - 1)
		return cp_errf(err, CP_EINVAL,
			       "protocol error: HQ acknowledged journal rows only up to %" PRId64
			       " although this push began at row %" PRId64
			       " (a gap is answered 409)",
			       applied, first);
	if (applied > js.acked_seq)
		return cp_db_meta_set_int(db, "acked_seq", applied, err);
	return CP_OK;
}

/* HQ's word on the hash of the row it acknowledged, when it gives one: an anchor of the chain
 * outside the file. It must be this till's row's hash; it is kept (meta acked_hash) for
 * verify. */
static enum cp_err check_head(struct cp_db *db, json_t *root, int64_t applied,
			      struct cp_errbuf *err)
{
	json_t *v = json_object_get(root, "applied_hash");
	sqlite3_stmt *st;
	char mine[2 * JOURNAL_HASH_LEN + 1] = "";
	int rc;

	if (!v || applied < 1)
		return CP_OK;
	if (!json_is_string(v) || strlen(json_string_value(v)) != 2 * JOURNAL_HASH_LEN)
		return cp_hq_bad(err, "push answer: applied_hash is not 64 hex digits");
	if (!(st = cp_db_stmt(db, "SELECT lower(hex(hash)) FROM journal WHERE seq = ?1", err)))
		return CP_EDB;
	sqlite3_bind_int64(st, 1, applied);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		cp_db_col_text(st, 0, mine, sizeof(mine));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read journal", err);
	if (strcmp(mine, json_string_value(v)) != 0)
		return cp_errf(err, CP_ECORRUPT,
			       "HQ holds journal row %" PRId64
			       " with another hash than this till's: "
			       "the row was changed after HQ received it, or this is not the "
			       "database HQ knows; run `counterpoint verify` and call IT",
			       applied);
	return cp_db_meta_set(db, "acked_hash", mine, err);
}

enum cp_err cp_hq_apply_ack(struct cp_db *db, const char *body, size_t len, int64_t first,
			    int64_t last, int64_t *applied, struct cp_errbuf *err)
{
	enum cp_err result;
	json_t *root, *members;
	int64_t n;

	if (!(root = cp_hq_load(body, len, err)))
		return CP_EINVAL;
	members = json_object_get(root, "members");
	if ((result =
		     cp_rec_int(&cp_rec_hq, root, "applied", 0, INT64_MAX, &n, "push answer", err)))
		goto done;
	if (!json_is_array(members)) {
		result = cp_hq_bad(err, "push answer: members is missing or not a list");
		goto done;
	}
	if ((result = cp_db_begin(db, err)) != CP_OK)
		goto done;
	if ((result = check_ack(db, first, last, n, err)) != CP_OK ||
	    (result = check_head(db, root, n, err)) != CP_OK)
		goto out;
	if ((result = apply_members(db, members, err)) != CP_OK)
		goto out;
	result = cp_db_commit(db, err);
out:
	if (result != CP_OK)
		cp_db_rollback(db);
	else if (applied)
		*applied = n;
done:
	json_decref(root);
	return result;
}
