/* sync_state.c — how sync stands, as the UI and `counterpoint status` show it: online or not,
 * the last success and error, a stop a person must mend, when the next try is due. Sync records
 * each round's outcome here in one statement. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_crypto.h"
#include "db_int.h"
#include "hq.h"
#include "journal.h"
#include "text.h"

/* The stop's id and arguments, kept only while they still say what stop_reason says (the
 * reason as recorded may be cut at its 255 bytes: its start must match). */
static void stop_id_read(sqlite3_stmt *st, int col, struct cp_sync_status *out)
{
	struct cp_errbuf e = {{0}};
	json_t *args = NULL;
	size_t i, n;

	cp_db_col_text(st, col, out->stop_id, sizeof(out->stop_id));
	if (!out->stop_id[0] || sqlite3_column_type(st, col + 1) != SQLITE_TEXT)
		goto none;
	args = json_loads((const char *)sqlite3_column_text(st, col + 1), 0, NULL);
	if (!json_is_array(args) || (n = json_array_size(args)) > CP_ERR_ARGS)
		goto none;
	for (i = 0; i < n; i++) {
		json_t *a = json_array_get(args, i);

		if (!json_is_string(a))
			goto none;
		snprintf(out->stop_args[i], CP_ERR_ARG_LEN, "%s", json_string_value(a));
		snprintf(e.args[i], CP_ERR_ARG_LEN, "%s", json_string_value(a));
	}
	out->stop_nargs = e.nargs = (int)n;
	e.id = out->stop_id;
	if (!cp_err_render(&e, e.id, e.msg, sizeof(e.msg)) ||
	    strncmp(e.msg, out->stop_reason, strlen(out->stop_reason)) != 0)
		goto none;
	json_decref(args);
	return;
none:
	json_decref(args);
	out->stop_id[0] = '\0';
	out->stop_nargs = 0;
	memset(out->stop_args, 0, sizeof(out->stop_args));
}

enum cp_err cp_syncstate_status_get(struct cp_db *db, struct cp_sync_status *out,
				    struct cp_errbuf *err)
{
	struct cp_journal_status js;
	struct cp_hq_identity id;
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((result = cp_hq_identity(db, &id, err)) != CP_OK)
		return result;
	out->enrolled = id.enrolled;
	cp_wipe(&id, sizeof(id));
	if ((result = cp_journal_status(db, &js, err)) != CP_OK)
		return result;
	out->acked_seq = js.acked_seq;
	out->last_seq = js.last_seq;
	out->queue_depth = js.last_seq - js.acked_seq;
	st = cp_db_stmt(db,
			"SELECT online, since, last_success, last_error_at, last_error, stopped,"
			" stop_reason, next_try, unknown_changes, (SELECT count(*) FROM notice),"
			" stop_id, stop_args FROM sync_state WHERE id = 1",
			err);
	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->online = sqlite3_column_int(st, 0) != 0;
		out->since = sqlite3_column_int64(st, 1);
		out->last_success = sqlite3_column_int64(st, 2);
		out->last_error_at = sqlite3_column_int64(st, 3);
		cp_db_col_text(st, 4, out->last_error, sizeof(out->last_error));
		/* 1 was the only stop before there were kinds: the one only re-enrolment clears */
		switch (sqlite3_column_int(st, 5)) {
		case 0:
			out->stop_kind = CP_SYNC_STOP_NONE;
			break;
		case 2:
			out->stop_kind = CP_SYNC_STOP_CONFIG;
			break;
		default:
			out->stop_kind = CP_SYNC_STOP_ENROL;
			break;
		}
		out->stopped = out->stop_kind != CP_SYNC_STOP_NONE;
		cp_db_col_text(st, 6, out->stop_reason, sizeof(out->stop_reason));
		out->next_try = sqlite3_column_int64(st, 7);
		out->unknown_changes = sqlite3_column_int64(st, 8);
		out->notices = sqlite3_column_int64(st, 9);
		if (out->stopped && out->stop_reason[0])
			stop_id_read(st, 10, out);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read sync state", err);
}

static enum cp_err record(struct cp_db *db, const char *sql, const char *text, int64_t when,
			  struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, sql, err);
	char clean[256];
	int rc;

	if (!st)
		return CP_EDB;
	/* HQ's words may be anything: keep printable text only. */
	snprintf(clean, sizeof(clean), "%s", text ? text : "");
	for (char *p = clean; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = ' ';
	/* a cut may have split a character: drop its leading bytes */
	for (int k = 0; k < 3 && clean[0] && !cp_text_ok(clean, sizeof(clean) - 1); k++)
		clean[strlen(clean) - 1] = '\0';
	if (!cp_text_ok(clean, sizeof(clean) - 1))
		snprintf(clean, sizeof(clean), "(unreadable message)");
	sqlite3_bind_int64(st, 1, cp_db_now(db));
	sqlite3_bind_text(st, 2, clean, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, when);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record sync state", err);
}

enum cp_err cp_syncstate_record_success(struct cp_db *db, struct cp_errbuf *err)
{
	return record(db,
		      "UPDATE sync_state SET since = CASE WHEN online = 1 AND since > 0 THEN since"
		      " ELSE ?1 END, online = 1, last_success = ?1, next_try = ?3,"
		      " last_error = CASE WHEN ?2 = '' THEN last_error ELSE ?2 END,"
		      " stop_reason = CASE WHEN stopped = 2 THEN '' ELSE stop_reason END,"
		      " stopped = CASE WHEN stopped = 2 THEN 0 ELSE stopped END WHERE id = 1",
		      "", 0, err);
}

enum cp_err cp_syncstate_record_failure(struct cp_db *db, const char *message, int64_t next_try,
					struct cp_errbuf *err)
{
	return record(db,
		      "UPDATE sync_state SET since = CASE WHEN online = 0 AND since > 0 THEN since"
		      " ELSE ?1 END, online = 0, last_error = ?2, last_error_at = ?1,"
		      " next_try = ?3,"
		      " stop_reason = CASE WHEN stopped = 2 THEN '' ELSE stop_reason END,"
		      " stopped = CASE WHEN stopped = 2 THEN 0 ELSE stopped END WHERE id = 1",
		      message, next_try, err);
}

enum cp_err cp_syncstate_record_retry(struct cp_db *db, const char *message, int64_t delay_ms,
				      struct cp_errbuf *err)
{
	if (delay_ms < 0 || delay_ms > INT64_C(1) << 50)
		return cp_errf(err, CP_EINVAL, "the delay before the next try is out of range");
	return record(db,
		      "UPDATE sync_state SET since = CASE WHEN online = 0 AND since > 0 THEN since"
		      " ELSE ?1 END, online = 0, last_error = ?2, last_error_at = ?1,"
		      " next_try = ?1 + ?3,"
		      " stop_reason = CASE WHEN stopped = 2 THEN '' ELSE stop_reason END,"
		      " stopped = CASE WHEN stopped = 2 THEN 0 ELSE stopped END WHERE id = 1",
		      message, delay_ms, err);
}

enum cp_err cp_syncstate_record_stop(struct cp_db *db, enum cp_sync_stop kind, const char *reason,
				     int64_t recheck_ms, struct cp_errbuf *err)
{
	if (kind != CP_SYNC_STOP_ENROL && kind != CP_SYNC_STOP_CONFIG)
		return cp_errf(err, CP_EINVAL, "a stop is for re-enrolment or for configuration");
	if (recheck_ms < 0 || recheck_ms > INT64_C(1) << 50)
		return cp_errf(err, CP_EINVAL, "the delay before the next check is out of range");
	return record(
		db,
		kind == CP_SYNC_STOP_ENROL
			? "UPDATE sync_state SET since = CASE WHEN online = 0 AND since > 0"
			  " THEN since ELSE ?1 END, online = 0, stopped = 1, stop_reason = ?2,"
			  " last_error = ?2, last_error_at = ?1, next_try = 0 * ?3 WHERE id = 1"
			: "UPDATE sync_state SET since = CASE WHEN online = 0 AND since > 0"
			  " THEN since ELSE ?1 END, online = 0, stopped = CASE WHEN stopped = 1"
			  " THEN 1 ELSE 2 END, stop_reason = CASE WHEN stopped = 1 THEN"
			  " stop_reason ELSE ?2 END, last_error = ?2, last_error_at = ?1,"
			  " next_try = CASE WHEN stopped = 1 THEN 0 ELSE ?1 + ?3 END WHERE id = 1",
		reason, recheck_ms, err);
}

enum cp_err cp_syncstate_record_stop_why(struct cp_db *db, enum cp_sync_stop kind,
					 const struct cp_errbuf *why, int64_t recheck_ms,
					 struct cp_errbuf *err)
{
	const char *reason = cp_errmsg(why, CP_EIO);
	json_t *args = NULL;
	char *text = NULL;
	enum cp_err result;
	sqlite3_stmt *st;
	int own, rc;

	if ((result = cp_db_tx_begin(db, &own, err)) != CP_OK)
		return result;
	if ((result = cp_syncstate_record_stop(db, kind, reason, recheck_ms, err)) != CP_OK)
		goto out;
	if (!why || !why->id || why->nargs < 0 || why->nargs > CP_ERR_ARGS)
		goto out;
	if (!(args = json_array())) {
		result = cp_errf(err, CP_ENOMEM, "out of memory recording the stop");
		goto out;
	}
	for (int i = 0; i < why->nargs; i++)
		if (json_array_append_new(args, json_string(why->args[i])) != 0) {
			result = cp_errf(err, CP_ENOMEM, "out of memory recording the stop");
			goto out;
		}
	if (!(text = json_dumps(args, JSON_COMPACT))) {
		result = cp_errf(err, CP_ENOMEM, "out of memory recording the stop");
		goto out;
	}
	/* only when this stop wrote the reason (an ENROL stop keeps its own against a CONFIG
	 * one); the reading side checks again that id and arguments say the reason */
	if (!(st = cp_db_stmt(db,
			      "UPDATE sync_state SET stop_id = ?1, stop_args = ?2 WHERE id = 1"
			      " AND stop_reason <> '' AND substr(?3, 1, length(stop_reason))"
			      " = stop_reason",
			      err))) {
		result = CP_EDB;
		goto out;
	}
	sqlite3_bind_text(st, 1, why->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		result = cp_db_fail(db, rc, "record sync state", err);
out:
	free(text);
	json_decref(args);
	return cp_db_tx_end(db, own, result, err);
}
