/* lifecycle.c — the member's stage in their life with the chain and their tier progress. Each
 * member's purchases here sit on one member_visit row that sale and refund apply keep (so
 * verify rebuilds it and a lookup reads one row); the stage rules are data (lifecycle_rule);
 * HQ's stage, when it sends one, wins (lifecycle_hq); tier_up records the tier a sale lifted
 * its member to, for the paid screen and the receipt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "changes_int.h"
#include "events_int.h"
#include "lifecycle_int.h"
#include "member_int.h"
#include "money.h"
#include "receipt.h"
#include "records_int.h"
#include "report_int.h"

static const char *const stages[] = {"new", "growing", "mature", "silent", "lost"};

static bool stage_ok(const char *s)
{
	for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
		if (strcmp(s, stages[i]) == 0)
			return true;
	return false;
}

/* Days since 1970-01-01 of "YYYY-MM-DD"; false when it is not such a date. */
static bool day_number(const char *d, int64_t *out)
{
	int y, m, dd;
	int64_t era, yoe, doy, doe;
	char tail;

	if (!d || strlen(d) != 10 || sscanf(d, "%4d-%2d-%2d%c", &y, &m, &dd, &tail) != 3 || m < 1 ||
	    m > 12 || dd < 1 || dd > 31)
		return false;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*out = era * 146097 + doe - 719468;
	return true;
}

/* "YYYY-MM-DD" months later (the day clamped to the month's last). */
static bool add_months(const char *d, int64_t months, char out[11])
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, dd, last;
	int64_t n;

	if (sscanf(d, "%4d-%2d-%2d", &y, &m, &dd) != 3 || m < 1 || m > 12 || months < 0 ||
	    months > 1200)
		return false;
	n = (int64_t)y * 12 + (m - 1) + months;
	y = (int)(n / 12);
	m = (int)(n % 12) + 1;
	last = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	if (dd > last)
		dd = last;
	if (y < 0 || y > 9999)
		return false;
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)dd % 100u);
	return true;
}

enum cp_err cp_lifecycle_rules_get(struct cp_db *db, struct cp_lifecycle_rules *out,
				   struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db,
				      "SELECT new_max_visits, new_max_spent, mature_min_visits,"
				      " mature_min_spent, silent_days, lost_days, tier_hold_months"
				      " FROM lifecycle_rule WHERE id = 1",
				      err);
	int rc;

	if (!st)
		return CP_EDB;
	*out = (struct cp_lifecycle_rules){2, 50000, 10, 500000, 60, 180, 12};
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->new_max_visits = sqlite3_column_int64(st, 0);
		out->new_max_spent = sqlite3_column_int64(st, 1);
		out->mature_min_visits = sqlite3_column_int64(st, 2);
		out->mature_min_spent = sqlite3_column_int64(st, 3);
		out->silent_days = sqlite3_column_int64(st, 4);
		out->lost_days = sqlite3_column_int64(st, 5);
		out->tier_hold_months = sqlite3_column_int64(st, 6);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? CP_OK
		       : cp_db_fail(db, rc, "read the stage rules", err);
}

enum cp_err cp_lifecycle_rules_put(struct cp_db *db, const struct cp_lifecycle_rules *r,
				   struct cp_errbuf *err)
{
	const char *bad = NULL;
	sqlite3_stmt *st;
	int rc;

	if (r->new_max_visits < 0 || r->new_max_visits > 1000000)
		bad = "new_max_visits";
	else if (r->new_max_spent < 0 || r->new_max_spent > CP_MONEY_MAX)
		bad = "new_max_spent";
	else if (r->mature_min_visits <= r->new_max_visits || r->mature_min_visits > 1000000)
		bad = "mature_min_visits";
	else if (r->mature_min_spent <= r->new_max_spent || r->mature_min_spent > CP_MONEY_MAX)
		bad = "mature_min_spent";
	else if (r->silent_days < 1 || r->silent_days > 3650)
		bad = "silent_days";
	else if (r->lost_days <= r->silent_days || r->lost_days > 36500)
		bad = "lost_days";
	else if (r->tier_hold_months < 1 || r->tier_hold_months > 120)
		bad = "tier_hold_months";
	if (bad)
		return cp_errf(err, CP_EINVAL,
			       "the stage rules' %s is out of range (mature must be above new, "
			       "lost after silent, tier hold 1..120 months)",
			       bad);
	st = cp_db_stmt(db,
			"INSERT OR REPLACE INTO lifecycle_rule(id, new_max_visits, new_max_spent,"
			" mature_min_visits, mature_min_spent, silent_days, lost_days,"
			" tier_hold_months) VALUES(1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, r->new_max_visits);
	sqlite3_bind_int64(st, 2, r->new_max_spent);
	sqlite3_bind_int64(st, 3, r->mature_min_visits);
	sqlite3_bind_int64(st, 4, r->mature_min_spent);
	sqlite3_bind_int64(st, 5, r->silent_days);
	sqlite3_bind_int64(st, 6, r->lost_days);
	sqlite3_bind_int64(st, 7, r->tier_hold_months);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "store the stage rules", err);
}

/* The member's id as held here (a terminal-scoped id HQ renamed finds the survivor) and the
 * tier HQ says is held until ("" when none). */
static enum cp_err member_row(struct cp_db *db, const char *id, char out[64], char until[11],
			      struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db,
				      "SELECT id, coalesce(tier_until, '') FROM member WHERE id ="
				      " coalesce((SELECT member_id FROM member_alias"
				      " WHERE local_id = ?1), ?1)",
				      err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		cp_db_col_text(st, 0, out, 64);
		cp_db_col_text(st, 1, until, 11);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return cp_errf(err, CP_ENOTFOUND, "no such member");
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read member", err);
}

/* Purchases of the member under their id and the terminal-scoped ids merged into it. */
static enum cp_err visits_of(struct cp_db *db, const char *id, struct cp_lifecycle_view *v,
			     struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db,
				      "SELECT coalesce(sum(visits), 0), coalesce(sum(spent), 0),"
				      " coalesce(max(last_day), '') FROM"
				      " (SELECT visits, spent, last_day FROM member_visit"
				      "  WHERE member_id = ?1 UNION ALL SELECT v.visits, v.spent,"
				      "  v.last_day FROM member_alias a JOIN member_visit v"
				      "  ON v.member_id = a.local_id WHERE a.member_id = ?1)",
				      err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		v->visits = sqlite3_column_int64(st, 0);
		v->spent = sqlite3_column_int64(st, 1);
		cp_db_col_text(st, 2, v->last_visit, sizeof(v->last_visit));
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read the member's visits", err);
}

static enum cp_err hq_stage(struct cp_db *db, const char *id, char stage[16], struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db, "SELECT stage FROM lifecycle_hq WHERE member_id = ?1", err);
	int rc;

	if (!st)
		return CP_EDB;
	stage[0] = '\0';
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		cp_db_col_text(st, 0, stage, 16);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? CP_OK
		       : cp_db_fail(db, rc, "read the member's stage", err);
}

static const char *stage_from(const struct cp_lifecycle_rules *r, const struct cp_lifecycle_view *v)
{
	if (v->visits > 0 && v->days_since > r->lost_days)
		return "lost";
	if (v->visits > 0 && v->days_since > r->silent_days)
		return "silent";
	if (v->visits <= r->new_max_visits && v->spent <= r->new_max_spent)
		return "new";
	if (v->visits >= r->mature_min_visits || v->spent >= r->mature_min_spent)
		return "mature";
	return "growing";
}

/* Stage and visits of member id (as held here) at now. */
static enum cp_err stage_of(struct cp_db *db, const char *id, int64_t now,
			    const struct cp_lifecycle_rules *r, struct cp_lifecycle_view *v,
			    struct cp_errbuf *err)
{
	char today[11];
	int64_t a, b;
	enum cp_err result;

	v->days_since = -1;
	if ((result = visits_of(db, id, v, err)) != CP_OK ||
	    (result = hq_stage(db, id, v->stage, err)) != CP_OK)
		return result;
	if (v->last_visit[0]) {
		if ((result = cp_report_event_day(db, now, today, err)) != CP_OK)
			return result;
		if (day_number(today, &a) && day_number(v->last_visit, &b))
			v->days_since = a > b ? a - b : 0;
	}
	v->stage_from_hq = v->stage[0] != '\0';
	if (!v->stage_from_hq)
		snprintf(v->stage, sizeof(v->stage), "%s", stage_from(r, v));
	return CP_OK;
}

/* Runs fn in one read snapshot when the caller has no transaction open. BEGIN and COMMIT are
 * cached statements: SQL text run by sqlite3_exec is parsed again every time (three times a
 * member sale). */
static enum cp_err read_tx(struct cp_db *db, const char *sql, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, sql, err);
	int rc;

	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, sql, err);
}

static enum cp_err read_begin(struct cp_db *db, bool *own, struct cp_errbuf *err)
{
	*own = sqlite3_get_autocommit(db->h) != 0;
	return *own ? read_tx(db, "BEGIN", err) : CP_OK;
}

static void read_end(struct cp_db *db, bool own)
{
	if (own && read_tx(db, "COMMIT", NULL) != CP_OK)
		cp_db_rollback(db);
}

enum cp_err cp_lifecycle_stage(struct cp_db *db, const char *member_id, int64_t now, char stage[16],
			       struct cp_errbuf *err)
{
	struct cp_lifecycle_view v;
	enum cp_err result = cp_lifecycle_get(db, member_id, now, &v, err);

	if (result == CP_OK)
		snprintf(stage, 16, "%s", v.stage);
	return result;
}

/* The newest tier this till lifted the member to, with the business day of that sale. */
static enum cp_err last_tier_up(struct cp_db *db, const char *id, int *level, char day[11],
				struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   /* max() on tier_up_member: no temporary B-tree for an ORDER BY */
			   "SELECT level, day FROM tier_up WHERE seq = (SELECT max(s) FROM"
			   " (SELECT max(seq) AS s FROM tier_up WHERE member_id = ?1 UNION ALL"
			   " SELECT max(t.seq) FROM member_alias a JOIN tier_up t"
			   " ON t.member_id = a.local_id WHERE a.member_id = ?1))",
			   err);
	int rc;

	if (!st)
		return CP_EDB;
	*level = -1;
	day[0] = '\0';
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*level = sqlite3_column_int(st, 0);
		cp_db_col_text(st, 1, day, 11);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? CP_OK
		       : cp_db_fail(db, rc, "read tier upgrades", err);
}

/* Held until: HQ's date, or, when this till lifted the member to the tier they hold later
 * than HQ knows, the upgrade's day plus the hold months; the later of the two. */
static enum cp_err tier_progress(struct cp_db *db, const char *id, const char *hq_until,
				 const struct cp_lifecycle_rules *r, struct cp_lifecycle_view *v,
				 struct cp_errbuf *err)
{
	const struct db_memo *m;
	struct cp_member_view mv;
	char day[11], mine[11];
	int up_level;
	enum cp_err result;

	if ((result = cp_member_get(db, id, &mv, err)) != CP_OK ||
	    (result = cp_db_memo_get(db, &m, err)) != CP_OK ||
	    (result = last_tier_up(db, id, &up_level, day, err)) != CP_OK)
		return result;
	snprintf(v->tier_until, sizeof(v->tier_until), "%s", hq_until);
	if (up_level == mv.tier_level && add_months(day, r->tier_hold_months, mine) &&
	    strcmp(mine, v->tier_until) > 0)
		snprintf(v->tier_until, sizeof(v->tier_until), "%s", mine);
	v->has_next = mv.next_tier_name[0] != '\0';
	if (!v->has_next)
		return CP_OK;
	snprintf(v->next_name, sizeof(v->next_name), "%s", mv.next_tier_name);
	v->next_growth = mv.next_tier_growth;
	for (int i = 0; i < m->ntiers; i++)
		if (m->tiers[i].level > mv.tier_level &&
		    (!v->next_level || m->tiers[i].level < v->next_level)) {
			v->next_level = m->tiers[i].level;
			v->next_multiplier_bp = m->tiers[i].multiplier_bp;
		}
	return CP_OK;
}

static enum cp_err lifecycle_read(struct cp_db *db, const char *member_id, int64_t now,
				  struct cp_lifecycle_view *out, struct cp_errbuf *err)
{
	struct cp_lifecycle_rules r;
	struct cp_lifecycle_view v;
	char id[64], until[11];
	enum cp_err result;
	bool own;

	memset(&v, 0, sizeof(v));
	if ((result = read_begin(db, &own, err)) != CP_OK)
		return result;
	if ((result = member_row(db, member_id, id, until, err)) == CP_OK &&
	    (result = cp_lifecycle_rules_get(db, &r, err)) == CP_OK &&
	    (result = stage_of(db, id, now, &r, &v, err)) == CP_OK &&
	    (result = tier_progress(db, id, until, &r, &v, err)) == CP_OK)
		*out = v;
	read_end(db, own);
	return result;
}

/* The last member's lifecycle read outside a write transaction, for the same business day, as
 * long as nothing was written since, here or by another connection (cp_db_versions), or only
 * the cart's tables and the kept receipt copy (cp_lifecycle_memo_keep): a member sale reads it
 * for the attach's answer, for a benefit limited to stages and for the receipt. It depends on
 * now only through the business day (stage_of). */
struct lifecycle_memo {
	bool valid;
	int64_t data_version, changes;
	char key[64]; /* the id asked for (it may be an alias) */
	char day[11];
	struct cp_lifecycle_view view;
};

void cp_lifecycle_memo_keep(struct cp_db *db, int64_t changes_before)
{
	struct lifecycle_memo *m = db->life_memo;

	if (m && m->valid && m->changes == changes_before)
		m->changes = sqlite3_total_changes64(db->h);
}

enum cp_err cp_lifecycle_get(struct cp_db *db, const char *member_id, int64_t now,
			     struct cp_lifecycle_view *out, struct cp_errbuf *err)
{
	struct lifecycle_memo *m = db->life_memo;
	int64_t dv = 0, changes = 0;
	char day[11];
	bool keep;
	enum cp_err result;

	if (!member_id || !member_id[0])
		return cp_errf(err, CP_EINVAL, "no member given");
	/* Only the committed tables are kept (see cp_member_get); the versions are read first. */
	keep = sqlite3_txn_state(db->h, "main") != SQLITE_TXN_WRITE &&
	       strlen(member_id) < sizeof(m->key) &&
	       cp_report_event_day(db, now, day, NULL) == CP_OK &&
	       cp_db_versions(db, &dv, &changes, NULL) == CP_OK;
	if (keep && m && m->valid && m->data_version == dv && m->changes == changes &&
	    strcmp(m->key, member_id) == 0 && strcmp(m->day, day) == 0) {
		*out = m->view;
		return CP_OK;
	}
	if ((result = lifecycle_read(db, member_id, now, out, err)) != CP_OK || !keep)
		return result;
	if (!m && !(m = db->life_memo = malloc(sizeof(*m))))
		return CP_OK;
	m->valid = true;
	m->data_version = dv;
	m->changes = changes;
	memcpy(m->key, member_id, strlen(member_id) + 1);
	memcpy(m->day, day, sizeof(m->day));
	m->view = *out;
	return CP_OK;
}

enum cp_err cp_lifecycle_tier_up(struct cp_db *db, int64_t sale_seq, int *level, char name[33],
				 struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, "SELECT level, name FROM tier_up WHERE seq = ?1", err);
	int rc;

	if (!st)
		return CP_EDB;
	*level = -1;
	name[0] = '\0';
	sqlite3_bind_int64(st, 1, sale_seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*level = sqlite3_column_int(st, 0);
		cp_db_col_text(st, 1, name, 33);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CP_OK
						     : cp_db_fail(db, rc, "read tier upgrade", err);
}

/* The member_visit row of member (zeros when none). */
static enum cp_err visit_row(struct cp_db *db, const char *member, int64_t *visits, int64_t *spent,
			     int64_t *last_at, char last_day[11], bool *have, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"SELECT visits, spent, last_at, last_day FROM member_visit WHERE member_id = ?1",
		err);
	int rc;

	if (!st)
		return CP_EDB;
	*visits = *spent = *last_at = 0;
	last_day[0] = '\0';
	sqlite3_bind_text(st, 1, member, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	*have = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW) {
		*visits = sqlite3_column_int64(st, 0);
		*spent = sqlite3_column_int64(st, 1);
		*last_at = sqlite3_column_int64(st, 2);
		cp_db_col_text(st, 3, last_day, 11);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? CP_OK
		       : cp_db_fail(db, rc, "read member visits", err);
}

static enum cp_err visit_put(struct cp_db *db, const char *member, int64_t visits, int64_t spent,
			     int64_t last_at, const char *last_day, int64_t seq,
			     struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   "INSERT OR REPLACE INTO member_visit(member_id, visits, spent,"
			   " last_at, last_day, seq) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
			   err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, member, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, visits);
	sqlite3_bind_int64(st, 3, spent);
	sqlite3_bind_int64(st, 4, last_at);
	sqlite3_bind_text(st, 5, last_day, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, seq);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record member visits", err);
}

static enum cp_err tier_up_apply(struct cp_db *db, int64_t seq, const char *member, const char *day,
				 json_t *p, struct cp_errbuf *err)
{
	json_t *up = json_object_get(p, "tier_up");
	const char *name;
	int64_t level;
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	if (!up || json_is_null(up))
		return CP_OK;
	if (!member || !json_is_object(up))
		return cp_errf(err, CP_ECORRUPT, "journal payload: \"tier_up\" is not a tier");
	if ((result = cp_jget_int(up, "level", &level, err)) ||
	    (result = cp_jget_str(up, "name", &name, err)))
		return result;
	st = cp_db_stmt(db,
			"INSERT INTO tier_up(seq, member_id, level, name, day)"
			" VALUES(?1, ?2, ?3, ?4, ?5)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, member, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, level);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, day, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record tier upgrade", err);
}

enum cp_err cp_lifecycle_sale_apply(struct cp_db *db, int64_t seq, const char *member, json_t *p,
				    struct cp_errbuf *err)
{
	int64_t visits, spent, last_at, at, total;
	const char *day;
	char last_day[11];
	bool have;
	enum cp_err result;

	if (!member)
		return CP_OK;
	if ((result = cp_jget_int(p, "at", &at, err)) ||
	    (result = cp_jget_int(p, "total", &total, err)) ||
	    (result = cp_jget_str(p, "day", &day, err)) ||
	    (result = visit_row(db, member, &visits, &spent, &last_at, last_day, &have, err)))
		return result;
	if (!cp_money_add(spent, total, &spent) || !cp_money_add(visits, 1, &visits))
		return cp_errf(err, CP_EOVERFLOW, "the member's money spent does not fit");
	if (!have || at >= last_at) {
		last_at = at;
		snprintf(last_day, sizeof(last_day), "%s", day);
	}
	if ((result = visit_put(db, member, visits, spent, last_at, last_day, seq, err)))
		return result;
	return tier_up_apply(db, seq, member, day, p, err);
}

/* Whether every line of sale sale_seq has been returned (this refund's lines written). */
static enum cp_err sale_all_returned(struct cp_db *db, int64_t sale_seq, bool *all,
				     struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   "SELECT (SELECT count(*) FROM refund_line WHERE sale_seq = ?1)"
			   " >= (SELECT count(*) FROM sale_line WHERE seq = ?1)",
			   err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, sale_seq);
	rc = sqlite3_step(st);
	*all = rc == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read refunded lines", err);
}

enum cp_err cp_lifecycle_refund_apply(struct cp_db *db, int64_t seq, const char *member,
				      int64_t sale_seq, json_t *p, struct cp_errbuf *err)
{
	int64_t visits, spent, last_at, amount;
	char last_day[11];
	bool have, all;
	enum cp_err result;

	if (!member)
		return CP_OK;
	if ((result = cp_jget_int(p, "amount", &amount, err)) ||
	    (result = visit_row(db, member, &visits, &spent, &last_at, last_day, &have, err)) ||
	    (result = sale_all_returned(db, sale_seq, &all, err)))
		return result;
	if (!have) /* the sale was recorded under another id: nothing of it counts here */
		return CP_OK;
	if (!cp_money_sub(spent, amount, &spent))
		return cp_errf(err, CP_EOVERFLOW, "the member's money spent does not fit");
	if (all && visits > 0)
		visits--;
	return visit_put(db, member, visits, spent, last_at, last_day, seq, err);
}

enum cp_err cp_lifecycle_sale_tier_up(struct cp_db *db, const struct cp_member_view *m,
				      int64_t growth, json_t *payload, int *level, char name[33],
				      struct cp_errbuf *err)
{
	const struct db_memo *memo;
	int64_t after;
	const struct cp_tier *best = NULL;
	enum cp_err result;

	*level = -1;
	name[0] = '\0';
	if (growth <= 0)
		return CP_OK;
	if (!cp_money_add(m->growth, growth, &after))
		return cp_errf(err, CP_EOVERFLOW, "the member's growth does not fit");
	if ((result = cp_db_memo_get(db, &memo, err)) != CP_OK)
		return result;
	for (int i = 0; i < memo->ntiers; i++) {
		const struct cp_tier *t = &memo->tiers[i];

		if (t->level > m->tier_level && after >= t->threshold &&
		    (!best || t->level > best->level))
			best = t;
	}
	if (!best)
		return CP_OK;
	*level = best->level;
	snprintf(name, 33, "%s", best->name);
	if (json_object_set_new(
		    payload, "tier_up",
		    json_pack("{s:i, s:s}", "level", (json_int_t)best->level, "name", best->name)))
		return cp_errf(err, CP_ENOMEM, "out of memory building the sale");
	return CP_OK;
}

enum cp_err cp_lifecycle_hq_stage_apply(struct cp_db *db, const char *id, json_t *o,
					const char *where, struct cp_errbuf *err)
{
	json_t *v = json_object_get(o, "stage");
	sqlite3_stmt *st;
	int rc;

	if (v && !json_is_null(v) && (!json_is_string(v) || !stage_ok(json_string_value(v))))
		return cp_errf(err, CP_EINVAL,
			       "%s: \"stage\" must be new, growing, mature, silent or lost", where);
	if (!v || json_is_null(v))
		st = cp_db_stmt(db, "DELETE FROM lifecycle_hq WHERE member_id = ?1", err);
	else
		st = cp_db_stmt(
			db, "INSERT OR REPLACE INTO lifecycle_hq(member_id, stage) VALUES(?1, ?2)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if (v && !json_is_null(v))
		sqlite3_bind_text(st, 2, json_string_value(v), -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "store the member's stage", err);
}

static enum cp_err rules_read(const struct rec_src *src, json_t *d, struct cp_lifecycle_rules *r,
			      const char *where, struct cp_errbuf *err)
{
	enum cp_err result;

	if (!json_is_object(d))
		return cp_rec_bad(src, where, "lifecycle_rules", "is not an object", err);
	if ((result = cp_rec_int(src, d, "new_max_visits", 0, 1000000, &r->new_max_visits, where,
				 err)) ||
	    (result = cp_rec_int(src, d, "new_max_spent", 0, CP_MONEY_MAX, &r->new_max_spent, where,
				 err)) ||
	    (result = cp_rec_int(src, d, "mature_min_visits", 0, 1000000, &r->mature_min_visits,
				 where, err)) ||
	    (result = cp_rec_int(src, d, "mature_min_spent", 0, CP_MONEY_MAX, &r->mature_min_spent,
				 where, err)) ||
	    (result = cp_rec_int(src, d, "silent_days", 1, 3650, &r->silent_days, where, err)) ||
	    (result = cp_rec_int(src, d, "lost_days", 1, 36500, &r->lost_days, where, err)) ||
	    (result = cp_rec_int(src, d, "tier_hold_months", 1, 120, &r->tier_hold_months, where,
				 err)))
		return result;
	return CP_OK;
}

enum cp_err cp_lifecycle_rules_change_upsert(struct cp_db *db, json_t *d, const char *where,
					     struct cp_errbuf *err)
{
	struct cp_lifecycle_rules r;
	enum cp_err result = rules_read(&cp_rec_hq, d, &r, where, err);

	if (result != CP_OK)
		return result;
	return cp_rec_stored(&cp_rec_hq, cp_lifecycle_rules_put(db, &r, err), where, err);
}

enum cp_err cp_lifecycle_rules_change_delete(struct cp_db *db, const char *key,
					     struct cp_errbuf *err)
{
	return cp_change_run_keyed(db, "DELETE FROM lifecycle_rule WHERE id = CAST(?1 AS INTEGER)",
				   key, err);
}

enum cp_err cp_lifecycle_demo_seed(struct cp_db *db, json_t *root, struct cp_errbuf *err)
{
	json_t *d = json_object_get(root, "lifecycle_rules"), *list, *j;
	struct cp_lifecycle_rules r;
	enum cp_err result;
	char where[48];
	const char *id;
	size_t i;

	if (d) {
		if ((result = rules_read(&cp_rec_demo, d, &r, "lifecycle_rules", err)) ||
		    (result = cp_lifecycle_rules_put(db, &r, err)))
			return cp_rec_stored(&cp_rec_demo, result, "lifecycle_rules", err);
	}
	list = json_object_get(root, "members");
	json_array_foreach (list, i, j) {
		if (!json_object_get(j, "stage"))
			continue;
		snprintf(where, sizeof(where), "members[%zu]", i);
		if ((result = cp_rec_str(&cp_rec_demo, j, "id", false, &id, where, err)) ||
		    (result = cp_lifecycle_hq_stage_apply(db, id, j, where, err)))
			return cp_rec_stored(&cp_rec_demo, result, where, err);
	}
	return CP_OK;
}

enum cp_err cp_lifecycle_receipt_fill(struct cp_db *db, int64_t seq, struct cp_receipt_view *v,
				      struct cp_errbuf *err)
{
	struct cp_lifecycle_view lv;
	enum cp_err result;
	int level;

	if (v->kind == CP_RECEIPT_SALE &&
	    (result = cp_lifecycle_tier_up(db, seq, &level, v->tier_up, err)) != CP_OK)
		return result;
	if (!v->member_known)
		return CP_OK;
	if ((result = cp_lifecycle_get(db, v->member.id, cp_db_now(db), &lv, err)) != CP_OK)
		return result;
	snprintf(v->tier_until, sizeof(v->tier_until), "%s", lv.tier_until);
	return CP_OK;
}
