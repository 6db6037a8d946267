/* member_hq.c — members as HQ sends them: a snapshot (from a push answer, a lookup or the change
 * feed) replaces an older copy, a row here that HQ has merged or renumbered gives way to HQ's
 * id, and the open cart follows its member. */
#include <stdio.h>
#include <string.h>

#include "changes_int.h"
#include "guide_int.h"
#include "hq_int.h"
#include "lifecycle_int.h"
#include "member_int.h"
#include "records_int.h"

static enum cp_err step_pair(struct cp_db *db, const char *sql, const char *a, const char *b,
			     struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, sql, err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "re-point member", err);
}

/* Retires member row old_id in favour of HQ's new_id: the balance keeps counting the movements
 * recorded under old_id through an alias (the journal and its tables keep the id they were
 * recorded with), and the open cart is noted so that it can follow. */
enum cp_err cp_member_retire(struct cp_db *db, const char *old_id, const char *new_id,
			     bool *cart_had, struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	if (!cp_hq_token_ok(old_id, 63) || !cp_hq_token_ok(new_id, 63))
		return cp_hq_bad(err, "a member id is not a short printable id");
	if (strcmp(old_id, new_id) == 0)
		return CP_OK;
	st = cp_db_stmt(db, "SELECT count(*) FROM cart WHERE member_id = ?1", err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, old_id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0)
		*cart_had = true;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return cp_db_fail(db, rc, "read cart", err);
	if ((result = step_pair(
		     db,
		     "INSERT INTO member_alias(local_id, member_id) VALUES(?1, ?2)"
		     " ON CONFLICT(local_id) DO UPDATE SET member_id = excluded.member_id",
		     old_id, new_id, err)) ||
	    (result = step_pair(db, "UPDATE member_alias SET member_id = ?2 WHERE member_id = ?1",
				old_id, new_id, err)) ||
	    (result = step_pair(db, "UPDATE cart SET member_id = NULL WHERE member_id = ?1", old_id,
				NULL, err)) ||
	    (result = cp_guide_follow_hq(db, old_id, NULL, err))) /* HQ's snapshot brings it back */
		return result;
	return step_pair(db, "DELETE FROM member WHERE id = ?1", old_id, NULL, err);
}

/* The open cart follows a retired member to new_id once that member is here. */
enum cp_err cp_member_cart_follow(struct cp_db *db, const char *new_id, bool cart_had,
				  struct cp_errbuf *err)
{
	if (!cart_had)
		return CP_OK;
	return step_pair(db,
			 "UPDATE cart SET member_id = ?1 WHERE member_id IS NULL AND"
			 " EXISTS(SELECT 1 FROM member WHERE id = ?1)",
			 new_id, NULL, err);
}

/* HQ is the authority on who holds a phone or a card: another row here holding them (an older
 * copy of HQ's, or a member registered here that HQ has since merged) gives way to s->id. */
static enum cp_err make_room(struct cp_db *db, const struct cp_member_snapshot *s, bool *cart_had,
			     struct cp_errbuf *err)
{
	char ids[8][64];
	int n = 0, rc;
	enum cp_err result;
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   "SELECT id FROM member WHERE id <> ?1 AND"
			   " (phone_hash = ?2 OR (?3 IS NOT NULL AND card_no = ?3)) LIMIT 8",
			   err);

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, s->phone_hash, 32, SQLITE_STATIC);
	if (s->card_no && s->card_no[0])
		sqlite3_bind_text(st, 3, s->card_no, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 8)
		cp_db_col_text(st, 0, ids[n++], sizeof(ids[0]));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return cp_db_fail(db, rc, "find member", err);
	for (int i = 0; i < n; i++)
		if ((result = cp_member_retire(db, ids[i], s->id, cart_had, err)) != CP_OK)
			return result;
	return CP_OK;
}

/* The version of the member held here; -1 when there is none. */
static enum cp_err held_version(struct cp_db *db, const char *id, int64_t *version,
				struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, "SELECT version FROM member WHERE id = ?1", err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	*version = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CP_OK
						     : cp_db_fail(db, rc, "read member", err);
}

/* The snapshot s (stage: the object that carries HQ's "stage") after any re-pointing. */
enum cp_err cp_member_snapshot_store(struct cp_db *db, const struct cp_member_snapshot *s,
				     json_t *stage, bool cart_had, const char *where,
				     struct cp_errbuf *err)
{
	int64_t held;
	enum cp_err result;

	if ((result = held_version(db, s->id, &held, err)) != CP_OK)
		return result;
	if (held >= s->version) /* not newer: only the re-pointing before stands */
		return cp_member_cart_follow(db, s->id, cart_had, err);
	if ((result = make_room(db, s, &cart_had, err)) != CP_OK)
		return result;
	if ((result = cp_member_put_snapshot(db, s, err)) != CP_OK)
		return cp_rec_stored(&cp_rec_hq, result, where, err);
	if ((result = cp_lifecycle_hq_stage_apply(db, s->id, stage, where, err)) != CP_OK)
		return result;
	return cp_member_cart_follow(db, s->id, cart_had, err);
}

enum cp_err cp_member_snapshot_apply(struct cp_db *db, json_t *o, const char *where,
				     struct cp_errbuf *err)
{
	struct cp_member_snapshot s;
	const char *local_id;
	uint8_t hash[32];
	bool cart_had = false;
	enum cp_err result;

	if ((result = cp_rec_member(&cp_rec_hq, o, &s, hash, &local_id, where, err)) != CP_OK)
		return result;
	if (!s.phone_hash)
		return cp_hq_bad(err, "a member snapshot carries a full phone number");
	if (local_id && (result = cp_member_retire(db, local_id, s.id, &cart_had, err)))
		return result;
	return cp_member_snapshot_store(db, &s, o, cart_had, where, err);
}

enum cp_err cp_member_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err)
{
	enum cp_err result = cp_change_run_keyed(
		db, "UPDATE cart SET member_id = NULL WHERE member_id = ?1;", key, err);

	if (result != CP_OK)
		return result;
	return cp_change_run_keyed(db, "DELETE FROM member WHERE id = ?1", key, err);
}
