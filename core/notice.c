/* notice.c — the notices HQ sends the manager with a change page (a merged member, a message),
 * kept once each and listed newest first. A merge notice also retires the merged member here. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hq.h"
#include "hq_int.h"
#include "member_int.h"
#include "records_int.h"
#include "text.h"

enum cp_err cp_notice_apply(struct cp_db *db, json_t *n, const char *where, struct cp_errbuf *err)
{
	const char *id, *kind, *message = NULL, *from, *into;
	json_t *data = json_object_get(n, "data");
	int64_t at;
	char *text;
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	if ((result = cp_rec_str(&cp_rec_hq, n, "id", false, &id, where, err)) ||
	    (result = cp_rec_str(&cp_rec_hq, n, "kind", false, &kind, where, err)) ||
	    (result = cp_rec_int(&cp_rec_hq, n, "at", 0, INT64_MAX, &at, where, err)))
		return result;
	if (!cp_hq_token_ok(id, 63) || !cp_hq_token_ok(kind, 31) || !json_is_object(data))
		return cp_rec_bad(&cp_rec_hq, where, NULL,
				  "needs a short id and kind and a data object", err);
	message = json_string_value(json_object_get(data, "message"));
	if (!message || !cp_text_ok(message, 500))
		message = kind;
	if (strcmp(kind, "member_merged") == 0) {
		bool cart_had = false;

		if ((result = cp_rec_str(&cp_rec_hq, data, "from", false, &from, where, err)) ||
		    (result = cp_rec_str(&cp_rec_hq, data, "into", false, &into, where, err)) ||
		    (result = cp_member_retire(db, from, into, &cart_had, err)) ||
		    (result = cp_member_cart_follow(db, into, cart_had, err)))
			return result;
	}
	if (!(text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS)))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	st = cp_db_stmt(db,
			"INSERT OR IGNORE INTO notice(id, kind, at, message, data)"
			" VALUES(?1, ?2, ?3, ?4, ?5)",
			err);
	if (st) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, at);
		sqlite3_bind_text(st, 4, message, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		result = rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "store notice", err);
	} else {
		result = CP_EDB;
	}
	free(text);
	return result;
}

enum cp_err cp_hq_notices(struct cp_db *db, struct cp_notice *out, int *n, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "SELECT id, kind, at, message FROM notice ORDER BY at DESC, id LIMIT ?1", err);
	int rc, k = 0;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int(st, 1, *n);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && k < *n) {
		cp_db_col_text(st, 0, out[k].id, sizeof(out[k].id));
		cp_db_col_text(st, 1, out[k].kind, sizeof(out[k].kind));
		out[k].at = sqlite3_column_int64(st, 2);
		cp_db_col_text(st, 3, out[k].message, sizeof(out[k].message));
		k++;
	}
	sqlite3_reset(st);
	*n = k;
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? CP_OK
						     : cp_db_fail(db, rc, "read notices", err);
}
