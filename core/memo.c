/* memo.c — the store facts read on every member lookup and sale (acknowledged sequence, tiers,
 * earn rules), kept on the connection and re-read only after a write: this connection's own
 * (sqlite3_total_changes64) or another's, such as the sync daemon's (PRAGMA data_version). */
#include <string.h>

#include "db_int.h"
#include "lifecycle_int.h"
#include "member_int.h"

enum cp_err cp_db_versions(struct cp_db *db, int64_t *dv, int64_t *changes, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, "PRAGMA data_version", err);
	int rc;

	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*dv = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return cp_db_fail(db, rc, "read data version", err);
	*changes = sqlite3_total_changes64(db->h);
	return CP_OK;
}

enum cp_err cp_db_memo_get(struct cp_db *db, const struct db_memo **out, struct cp_errbuf *err)
{
	struct db_memo *m = &db->memo;
	int64_t dv = 0, changes = 0;
	enum cp_err result = cp_db_versions(db, &dv, &changes, err);

	if (result != CP_OK)
		return result;
	if (!m->valid || m->data_version != dv || m->changes != changes) {
		m->valid = false;
		m->ntiers = (int)(sizeof(m->tiers) / sizeof(m->tiers[0]));
		if ((result = cp_db_meta_get_int(db, "acked_seq", &m->acked_seq, err)) != CP_OK ||
		    (result = cp_tier_list(db, m->tiers, &m->ntiers, err)) != CP_OK)
			return result;
		result = cp_earn_rules_load(db, &m->rules, err);
		m->has_rules = result == CP_OK;
		if (result != CP_OK && result != CP_ENOTFOUND)
			return result;
		if (err && result == CP_ENOTFOUND)
			err->msg[0] = '\0';
		m->data_version = dv;
		m->changes = changes;
		m->valid = true;
	}
	*out = m;
	return CP_OK;
}

void cp_db_memo_keep(struct cp_db *db, int64_t changes_before)
{
	struct db_memo *m = &db->memo;

	if (m->valid && m->changes == changes_before)
		m->changes = sqlite3_total_changes64(db->h);
	cp_member_memo_keep(db, changes_before);
	cp_lifecycle_memo_keep(db, changes_before);
}
