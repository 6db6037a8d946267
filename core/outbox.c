/* outbox.c — the journal rows HQ has not yet acknowledged, read in order and written as the
 * body of a push (sync/PROTOCOL.md "POST /v1/journal"). The journal is the outbox: nothing
 * here writes; HQ's answer is applied by ack.c. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cp_crypto.h"
#include "db_int.h"
#include "hq.h"

enum cp_err cp_outbox_fetch(struct cp_db *db, int64_t after, int max, struct cp_outbox_row **rows,
			    int *n, struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	struct cp_outbox_row *r;
	int rc, k = 0;

	*rows = NULL;
	*n = 0;
	if (max < 1 || max > 10000)
		return cp_errf(err, CP_EINVAL, "batch size must be 1 to 10000");
	if (!(r = calloc((size_t)max, sizeof(*r))))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	st = cp_db_stmt(
		db,
		"SELECT seq, created_at, event_id, type, payload, prev_hash, hash FROM journal"
		" WHERE seq > ?1 ORDER BY seq LIMIT ?2",
		err);
	if (!st) {
		free(r);
		return CP_EDB;
	}
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r[k].seq = sqlite3_column_int64(st, 0);
		r[k].created_at = sqlite3_column_int64(st, 1);
		cp_db_col_text(st, 2, r[k].event_id, sizeof(r[k].event_id));
		cp_db_col_text(st, 3, r[k].type, sizeof(r[k].type));
		r[k].payload = strdup((const char *)sqlite3_column_text(st, 4));
		if (sqlite3_column_bytes(st, 5) != 32 || sqlite3_column_bytes(st, 6) != 32 ||
		    !r[k].payload) {
			int64_t seq = r[k].seq;

			sqlite3_reset(st);
			cp_outbox_free(r, k + 1);
			return cp_errf(err, CP_ECORRUPT,
				       "journal row %" PRId64 " is damaged; run verify", seq);
		}
		cp_hex(sqlite3_column_blob(st, 5), 32, r[k].prev_hash);
		cp_hex(sqlite3_column_blob(st, 6), 32, r[k].hash);
		k++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		cp_outbox_free(r, k);
		return cp_db_fail(db, rc, "read journal", err);
	}
	*rows = r;
	*n = k;
	return CP_OK;
}

void cp_outbox_free(struct cp_outbox_row *rows, int n)
{
	for (int i = 0; rows && i < n; i++)
		free(rows[i].payload);
	free(rows);
}

enum cp_err cp_outbox_body(const struct cp_outbox_row *rows, int n, char **body,
			   struct cp_errbuf *err)
{
	json_t *list = json_array(), *root;

	*body = NULL;
	for (int i = 0; list && i < n; i++) {
		const struct cp_outbox_row *r = &rows[i];

		if (json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s}",
							  "seq", (json_int_t)r->seq, "event_id",
							  r->event_id, "type", r->type,
							  "created_at", (json_int_t)r->created_at,
							  "payload", r->payload, "prev_hash",
							  r->prev_hash, "hash", r->hash))) {
			json_decref(list);
			list = NULL;
		}
	}
	root = list ? json_pack("{s:o}", "rows", list) : NULL;
	if (root)
		*body = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return *body ? CP_OK : cp_errf(err, CP_ENOMEM, "out of memory");
}
