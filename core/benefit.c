/* benefit.c — member benefits (权益) as rules (HQ's feed, the demo store): who may have one,
 * when, how often and what it gives; the attached member's benefits as they stand today; and
 * the grant, one benefit_grant journal event whose view is benefit_grant (the grants of this
 * till), beside benefit_known (the grants of other tills, as HQ's feed sends them). A period is
 * keyed by the till's business day (cp_report_event_day), so a moved clock cannot grant twice. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benefit_int.h"
#include "cart.h"
#include "changes_int.h"
#include "coupon_int.h"
#include "earn.h"
#include "events_int.h"
#include "hq_int.h"
#include "lifecycle.h"
#include "member_int.h"
#include "money.h"
#include "receipt.h"
#include "report_int.h"
#include "staff.h"
#include "text.h"

/* ---- the rules ---- */

static bool day_ok(const char *s)
{
	int m, d;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* Words of letters, digits, '-' and '_' separated by commas; digits only with numeric. */
static bool words_ok(const char *s, bool numeric)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || *s == ',' ||
		      (!numeric && ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
				    *s == '-' || *s == '_'))))
			return false;
	return true;
}

static bool in_list(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; *p;) {
		size_t len;

		while (*p == ',')
			p++;
		len = strcspn(p, ",");
		if (len && len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
	}
	return false;
}

static enum cp_err bad(struct cp_errbuf *err, const char *id, const char *why)
{
	return cp_errf(err, CP_EINVAL, "benefit %s: %s", id && id[0] ? id : "(no id)", why);
}

enum cp_err cp_benefit_put(struct cp_db *db, const struct cp_benefit *b, struct cp_errbuf *err)
{
	bool coupon = strcmp(b->what, "coupon") == 0, points = strcmp(b->what, "points") == 0,
	     gift = strcmp(b->what, "gift") == 0;
	sqlite3_stmt *st;
	int rc;

	if (!cp_hq_token_ok(b->id, CP_BENEFIT_ID_LEN))
		return bad(err, NULL, "the id must be 1 to 32 printable characters");
	if (!cp_text_ok(b->title_zh, 64) || !cp_text_ok(b->title_en, 64) ||
	    (!b->title_zh[0] && !b->title_en[0]))
		return bad(err, b->id, "it needs a title (up to 64 bytes of UTF-8)");
	if (!words_ok(b->tiers, true))
		return bad(err, b->id, "the tiers are tier levels separated by commas");
	if (!words_ok(b->stages, false))
		return bad(err, b->id, "the stages are stage names separated by commas");
	if (strcmp(b->when, "always") != 0 && strcmp(b->when, "birthday") != 0 &&
	    strcmp(b->when, "member_day") != 0)
		return bad(err, b->id, "when is always, birthday or member_day");
	if (strcmp(b->period, "year") != 0 && strcmp(b->period, "month") != 0 &&
	    strcmp(b->period, "day") != 0)
		return bad(err, b->id, "the period is year, month or day");
	if (!coupon && !points && !gift)
		return bad(err, b->id, "what it gives is coupon, points or gift");
	if (coupon && !cp_hq_token_ok(b->template_id, CP_COUPON_ID_LEN))
		return bad(err, b->id, "a coupon benefit names its coupon template");
	if (points && (b->points <= 0 || b->points > CP_EARN_BONUS_MAX))
		return bad(err, b->id, "a points benefit gives 1 to 100000000000000 points");
	if (gift && !cp_hq_token_ok(b->sku, 32))
		return bad(err, b->id, "a gift benefit names the item's sku");
	if ((b->valid_from[0] && !day_ok(b->valid_from)) ||
	    (b->valid_to[0] && !day_ok(b->valid_to)) ||
	    (b->valid_from[0] && b->valid_to[0] && strcmp(b->valid_from, b->valid_to) > 0))
		return bad(err, b->id,
			   "valid_from and valid_to are days YYYY-MM-DD (or empty), the first not "
			   "later");
	st = cp_db_stmt(
		db,
		"INSERT OR REPLACE INTO benefit(id, title_zh, title_en, tiers, stages, when_kind,"
		" period, what, template_id, points, sku, valid_from, valid_to)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
		err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, b->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b->title_zh, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, b->title_en, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, b->tiers, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, b->stages, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, b->when, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, b->period, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, b->what, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, coupon ? b->template_id : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, points ? b->points : 0);
	sqlite3_bind_text(st, 11, gift ? b->sku : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, b->valid_from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, b->valid_to, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "store benefit", err);
}

#define BENEFIT_COLS                                                                               \
	"id, title_zh, title_en, tiers, stages, when_kind, period, what, template_id, points, "    \
	"sku,"                                                                                     \
	" valid_from, valid_to"

static void read_benefit(sqlite3_stmt *st, struct cp_benefit *b)
{
	memset(b, 0, sizeof(*b));
	cp_db_col_text(st, 0, b->id, sizeof(b->id));
	cp_db_col_text(st, 1, b->title_zh, sizeof(b->title_zh));
	cp_db_col_text(st, 2, b->title_en, sizeof(b->title_en));
	cp_db_col_text(st, 3, b->tiers, sizeof(b->tiers));
	cp_db_col_text(st, 4, b->stages, sizeof(b->stages));
	cp_db_col_text(st, 5, b->when, sizeof(b->when));
	cp_db_col_text(st, 6, b->period, sizeof(b->period));
	cp_db_col_text(st, 7, b->what, sizeof(b->what));
	cp_db_col_text(st, 8, b->template_id, sizeof(b->template_id));
	b->points = sqlite3_column_int64(st, 9);
	cp_db_col_text(st, 10, b->sku, sizeof(b->sku));
	cp_db_col_text(st, 11, b->valid_from, sizeof(b->valid_from));
	cp_db_col_text(st, 12, b->valid_to, sizeof(b->valid_to));
}

enum cp_err cp_benefit_get(struct cp_db *db, const char *id, struct cp_benefit *out,
			   struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db, "SELECT " BENEFIT_COLS " FROM benefit WHERE id = ?1", err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, id ? id : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_benefit(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return cp_errf(err, CP_ENOTFOUND,
			       "there is no benefit %s at this till: pick one the member's list "
			       "shows",
			       id ? id : "");
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read benefit", err);
}

/* ---- records (the demo store and HQ's feed) ---- */

static enum cp_err copy_str(const struct rec_src *src, json_t *o, const char *key, bool nullable,
			    char *out, size_t outlen, const char *where, struct cp_errbuf *err)
{
	const char *s;
	enum cp_err result = cp_rec_str(src, o, key, nullable, &s, where, err);

	if (result != CP_OK)
		return result;
	if (s && strlen(s) >= outlen)
		return cp_rec_bad(src, where, key, "is too long", err);
	snprintf(out, outlen, "%s", s ? s : "");
	return CP_OK;
}

enum cp_err cp_rec_benefit(const struct rec_src *src, json_t *o, struct cp_benefit *out,
			   const char *where, struct cp_errbuf *err)
{
	json_t *v = json_object_get(o, "points");
	enum cp_err result;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(o))
		return cp_rec_bad(src, where, NULL, "is not an object", err);
	if ((result = copy_str(src, o, "id", false, out->id, sizeof(out->id), where, err)) ||
	    (result = copy_str(src, o, "title_zh", false, out->title_zh, sizeof(out->title_zh),
			       where, err)) ||
	    (result = copy_str(src, o, "title_en", false, out->title_en, sizeof(out->title_en),
			       where, err)) ||
	    (result =
		     copy_str(src, o, "tiers", true, out->tiers, sizeof(out->tiers), where, err)) ||
	    (result = copy_str(src, o, "stages", true, out->stages, sizeof(out->stages), where,
			       err)) ||
	    (result = copy_str(src, o, "when", false, out->when, sizeof(out->when), where, err)) ||
	    (result = copy_str(src, o, "period", false, out->period, sizeof(out->period), where,
			       err)) ||
	    (result = copy_str(src, o, "what", false, out->what, sizeof(out->what), where, err)) ||
	    (result = copy_str(src, o, "template", true, out->template_id, sizeof(out->template_id),
			       where, err)) ||
	    (result = copy_str(src, o, "sku", true, out->sku, sizeof(out->sku), where, err)) ||
	    (result = copy_str(src, o, "valid_from", true, out->valid_from, sizeof(out->valid_from),
			       where, err)) ||
	    (result = copy_str(src, o, "valid_to", true, out->valid_to, sizeof(out->valid_to),
			       where, err)))
		return result;
	if (v && !json_is_null(v))
		return cp_rec_int(src, o, "points", 0, CP_EARN_BONUS_MAX, &out->points, where, err);
	return CP_OK;
}

enum cp_err cp_benefit_demo_seed(struct cp_db *db, json_t *root, struct cp_errbuf *err)
{
	json_t *list = json_object_get(root, "benefits"), *j;
	char where[64];
	size_t i;

	if (!list)
		return CP_OK;
	if (!json_is_array(list))
		return cp_rec_bad(&cp_rec_demo, "benefits", NULL, "is not a list", err);
	json_array_foreach (list, i, j) {
		struct cp_benefit b;
		enum cp_err result;

		snprintf(where, sizeof(where), "benefits[%zu]", i);
		if ((result = cp_rec_benefit(&cp_rec_demo, j, &b, where, err)) == CP_OK)
			result = cp_benefit_put(db, &b, err);
		if (result != CP_OK)
			return cp_rec_stored(&cp_rec_demo, result, where, err);
	}
	return CP_OK;
}

enum cp_err cp_benefit_change_upsert(struct cp_db *db, json_t *d, const char *where,
				     struct cp_errbuf *err)
{
	struct cp_benefit b;
	enum cp_err result = cp_rec_benefit(&cp_rec_hq, d, &b, where, err);

	if (result != CP_OK)
		return result;
	return cp_rec_stored(&cp_rec_hq, cp_benefit_put(db, &b, err), where, err);
}

enum cp_err cp_benefit_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err)
{
	return cp_change_run_keyed(db, "DELETE FROM benefit WHERE id = ?1", key, err);
}

/* A grant another till (or this one) made, as HQ holds it: {benefit, member, period, day,
 * terminal}; keyed "benefit/member/period". */
enum cp_err cp_benefit_grant_change_upsert(struct cp_db *db, json_t *d, const char *where,
					   struct cp_errbuf *err)
{
	char benefit[CP_BENEFIT_ID_LEN + 1], member[64], period[11], day[11], terminal[64];
	enum cp_err result;
	sqlite3_stmt *st;
	int rc;

	if (!json_is_object(d))
		return cp_rec_bad(&cp_rec_hq, where, NULL, "is not an object", err);
	if ((result = copy_str(&cp_rec_hq, d, "benefit", false, benefit, sizeof(benefit), where,
			       err)) ||
	    (result = copy_str(&cp_rec_hq, d, "member", false, member, sizeof(member), where,
			       err)) ||
	    (result = copy_str(&cp_rec_hq, d, "period", false, period, sizeof(period), where,
			       err)) ||
	    (result = copy_str(&cp_rec_hq, d, "day", false, day, sizeof(day), where, err)) ||
	    (result = copy_str(&cp_rec_hq, d, "terminal", true, terminal, sizeof(terminal), where,
			       err)))
		return result;
	if (!cp_hq_token_ok(benefit, CP_BENEFIT_ID_LEN) || !cp_hq_token_ok(member, 63))
		return cp_rec_bad(&cp_rec_hq, where, "benefit", "and member must be short ids",
				  err);
	if (!day_ok(day) || (strlen(period) != 4 && strlen(period) != 7 && strlen(period) != 10) ||
	    strncmp(period, day, strlen(period)) != 0)
		return cp_rec_bad(&cp_rec_hq, where, "period",
				  "must be the year, month or day of the grant's day", err);
	st = cp_db_stmt(db,
			"INSERT OR REPLACE INTO benefit_known(benefit_id, member_id, period, day,"
			" terminal) VALUES(?1, ?2, ?3, ?4, ?5)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, benefit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, member, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, period, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, terminal, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "store benefit grant", err);
}

enum cp_err cp_benefit_grant_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err)
{
	return cp_change_run_keyed(
		db,
		"DELETE FROM benefit_known WHERE benefit_id || '/' || member_id ||"
		" '/' || period = ?1",
		key, err);
}

/* ---- who, when, how often ---- */

/* Whether a member may have a benefit for lifecycle stages (comma-separated; "" is every
 * stage): the member's stage now (core/lifecycle.c) is in the list. stage gets it (or "" when
 * the list is empty or the stage cannot be read, which allows nothing but an empty list). */
static bool stage_allowed(struct cp_db *db, const char *stages, const char *member_id,
			  char stage[16])
{
	struct cp_errbuf e = {{0}};

	stage[0] = '\0';
	if (!stages[0])
		return true;
	if (cp_lifecycle_stage(db, member_id, cp_db_now(db), stage, &e) != CP_OK) {
		stage[0] = '\0';
		return false;
	}
	return in_list(stages, stage);
}

static bool tier_allowed(const char *tiers, int level)
{
	char word[16];

	if (!tiers[0])
		return true;
	snprintf(word, sizeof(word), "%d", level);
	return in_list(tiers, word);
}

/* Days since 1970-01-01 of "YYYY-MM-DD". */
static int64_t day_number(const char *s)
{
	int64_t y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int64_t m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The key of day's period: "YYYY", "YYYY-MM" or "YYYY-MM-DD". */
static void period_key(const char *period, const char *day, char out[11])
{
	size_t n = strcmp(period, "year") == 0 ? 4 : strcmp(period, "month") == 0 ? 7 : 10;

	memcpy(out, day, n);
	out[n] = '\0';
}

/* Whether b's "when" holds on business day for a member born in birth_month (0: unknown);
 * why (NULL-able) says when it does, for a day it does not. */
static bool when_holds(struct cp_db *db, const struct cp_benefit *b, const char *day,
		       int birth_month, char *why, size_t whylen)
{
	const struct db_memo *m;
	int month = (day[5] - '0') * 10 + (day[6] - '0'),
	    mday = (day[8] - '0') * 10 + (day[9] - '0');
	int wday = (int)(((day_number(day) + 3) % 7 + 7) % 7) + 1;
	static const char *const wdays[] = {"",         "Monday", "Tuesday",  "Wednesday",
					    "Thursday", "Friday", "Saturday", "Sunday"};

	if (strcmp(b->when, "birthday") == 0) {
		if (birth_month == month)
			return true;
		if (birth_month)
			snprintf(why, whylen, "in the birthday month (month %d)", birth_month);
		else
			snprintf(why, whylen, "in the birthday month (the birthday is not known)");
		return false;
	}
	if (strcmp(b->when, "member_day") == 0) {
		if (cp_db_memo_get(db, &m, NULL) != CP_OK || !m->has_rules ||
		    m->rules.member_day_kind == CP_MEMBER_DAY_NONE) {
			snprintf(why, whylen, "on the member day (the chain has none)");
			return false;
		}
		if (m->rules.member_day_kind == CP_MEMBER_DAY_WEEKDAY) {
			if (wday == m->rules.member_day_value)
				return true;
			snprintf(why, whylen, "on the member day (%s)",
				 m->rules.member_day_value >= 1 && m->rules.member_day_value <= 7
					 ? wdays[m->rules.member_day_value]
					 : "?");
			return false;
		}
		if (mday == m->rules.member_day_value)
			return true;
		snprintf(why, whylen, "on the member day (day %d of the month)",
			 m->rules.member_day_value);
		return false;
	}
	return true;
}

/* The business day of the newest grant of benefit id to member (or an alias) in period key,
 * or on a day later than day (the clock was moved back), here or at another till; "" when
 * none. Each alias is joined from member_alias to the grants (CROSS JOIN keeps that order), and
 * max() does not mind an alias met twice: no set of members is built in a temporary B-tree. */
#define GRANTED_IN(t)                                                                              \
	" SELECT max(day) AS d FROM " t " WHERE benefit_id = ?1 AND member_id = ?2 AND"            \
	" (period = ?3 OR day > ?4) UNION ALL SELECT max(g.day) FROM member_alias a CROSS JOIN " t \
	" g ON g.benefit_id = ?1 AND g.member_id = a.local_id WHERE a.member_id = ?2 AND"          \
	" (g.period = ?3 OR g.day > ?4) UNION ALL SELECT max(g.day) FROM member_alias a CROSS"     \
	" JOIN " t " g ON g.benefit_id = ?1 AND g.member_id = a.member_id WHERE a.local_id = ?2"   \
	" AND (g.period = ?3 OR g.day > ?4)"

static enum cp_err granted(struct cp_db *db, const char *id, const char *member, const char *key,
			   const char *day, char on[11], struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   "SELECT max(d) FROM (" GRANTED_IN(
				   "benefit_grant") " UNION ALL" GRANTED_IN("benefit_known") ")",
			   err);
	int rc;

	on[0] = '\0';
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, member, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, day, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		cp_db_col_text(st, 0, on, 11);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read benefit grants", err);
}

/* Judges b for member m on business day: *state and s's fields; *mine false when it is not the
 * member's at all (tier, stage) or outside its dates. open_only (a receipt, which prints the
 * open ones only): a benefit whose day it is not is CP_BENEFIT_NOT_TODAY without reading its
 * grants, even when it was granted this period. */
static enum cp_err judge(struct cp_db *db, const struct cp_benefit *b,
			 const struct cp_member_view *m, int birth_month, const char *day,
			 bool open_only, struct cp_benefit_status *s, bool *mine,
			 struct cp_errbuf *err)
{
	enum cp_err result;
	char stage[16];

	memset(s, 0, sizeof(*s));
	s->b = *b;
	*mine = tier_allowed(b->tiers, m->tier_level) &&
		stage_allowed(db, b->stages, m->id, stage) &&
		(!b->valid_to[0] || strcmp(day, b->valid_to) <= 0);
	period_key(b->period, day, s->period_key);
	if (!*mine)
		return CP_OK;
	if (b->valid_from[0] && strcmp(day, b->valid_from) < 0) {
		s->state = CP_BENEFIT_NOT_TODAY;
		snprintf(s->why, sizeof(s->why), "from %s", b->valid_from);
		return CP_OK;
	}
	if (open_only && !when_holds(db, b, day, birth_month, s->why, sizeof(s->why))) {
		s->state = CP_BENEFIT_NOT_TODAY;
		return CP_OK;
	}
	if ((result = granted(db, b->id, m->id, s->period_key, day, s->used_on, err)) != CP_OK)
		return result;
	if (s->used_on[0])
		s->state = CP_BENEFIT_USED;
	else if (!when_holds(db, b, day, birth_month, s->why, sizeof(s->why)))
		s->state = CP_BENEFIT_NOT_TODAY;
	else
		s->state = CP_BENEFIT_OPEN;
	return CP_OK;
}

static enum cp_err list_member(struct cp_db *db, const char *member_id, bool open_only,
			       struct cp_benefit_list *out, struct cp_errbuf *err)
{
	struct cp_member_view m;
	struct cp_benefit_status *all = NULL;
	sqlite3_stmt *st;
	int birth_month, n = 0, rc;
	enum cp_err result;

	/* The receipt's list (a malloc'd 17 KB, every sale) clears its head only: the entries
	 * below n are written whole below. */
	memset(out, 0, open_only ? offsetof(struct cp_benefit_list, e) : sizeof(*out));
	if ((result = cp_member_get(db, member_id, &m, err)) != CP_OK ||
	    (result = cp_member_birth_month(db, m.id, &birth_month, err)) != CP_OK ||
	    (result = cp_report_event_day(db, cp_db_now(db), out->day, err)) != CP_OK)
		return result;
	snprintf(out->member_id, sizeof(out->member_id), "%s", m.id);
	/* Not cleared: judge() fills every entry below n (a receipt reads the list every sale). */
	if (!(all = malloc(CP_BENEFIT_LIST_MAX * sizeof(*all))))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if (!(st = cp_db_stmt(db, "SELECT " BENEFIT_COLS " FROM benefit ORDER BY id", err))) {
		free(all);
		return CP_EDB;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < CP_BENEFIT_LIST_MAX) {
		struct cp_benefit b;
		bool mine;

		read_benefit(st, &b);
		if ((result = judge(db, &b, &m, birth_month, out->day, open_only, &all[n], &mine,
				    err)) != CP_OK)
			break;
		if (mine)
			n++;
	}
	sqlite3_reset(st);
	if (result == CP_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		result = cp_db_fail(db, rc, "list benefits", err);
	/* open first, then used this period, then the rest */
	for (int pass = CP_BENEFIT_OPEN; result == CP_OK && pass <= CP_BENEFIT_NOT_TODAY; pass++)
		for (int i = 0; i < n; i++)
			if ((int)all[i].state == pass)
				out->e[out->n++] = all[i];
	for (int i = 0; i < out->n; i++) {
		out->open += out->e[i].state == CP_BENEFIT_OPEN;
		out->used += out->e[i].state == CP_BENEFIT_USED;
	}
	free(all);
	return result;
}

enum cp_err cp_benefit_list_member(struct cp_db *db, const char *member_id,
				   struct cp_benefit_list *out, struct cp_errbuf *err)
{
	return list_member(db, member_id, false, out, err);
}

enum cp_err cp_benefit_list(struct cp_db *db, const struct cp_session *who,
			    struct cp_benefit_list *out, struct cp_errbuf *err)
{
	struct cp_cart_view *cart = malloc(sizeof(*cart));
	enum cp_err result;

	memset(out, 0, sizeof(*out));
	if (!cart)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((result = cp_cart_view(db, who, cart, err)) == CP_OK) {
		if (!cart->has_member)
			result = cp_errf(err, CP_ESTATE,
					 "attach a member first to see their benefits");
		else
			result = cp_benefit_list_member(db, cart->member.id, out, err);
	}
	free(cart);
	return result;
}

/* ---- the grant ---- */

static const char *title_of(const struct cp_benefit *b)
{
	return b->title_zh[0] ? b->title_zh : b->title_en;
}

/* The refusal of b on a day its "when" (or its first day) does not hold. */
static enum cp_err not_today(struct cp_db *db, const struct cp_benefit *b, const char *day,
			     int birth_month, struct cp_errbuf *err)
{
	const struct db_memo *m;

	if (b->valid_from[0] && strcmp(day, b->valid_from) < 0)
		return cp_errf(err, CP_ESTATE, "benefit %s starts on %s; it is not open yet", b->id,
			       b->valid_from);
	if (strcmp(b->when, "birthday") == 0)
		return birth_month ? cp_errf(err, CP_ESTATE,
					     "benefit %s is given in the member's birthday month "
					     "(month %d), not today",
					     b->id, birth_month)
				   : cp_errf(err, CP_ESTATE,
					     "benefit %s is given in the member's birthday month, "
					     "and this member's birthday is not known",
					     b->id);
	if (strcmp(b->when, "member_day") == 0) {
		if (cp_db_memo_get(db, &m, NULL) != CP_OK || !m->has_rules ||
		    m->rules.member_day_kind == CP_MEMBER_DAY_NONE)
			return cp_errf(err, CP_ESTATE,
				       "benefit %s is given on the member day, and the chain has "
				       "none",
				       b->id);
		if (m->rules.member_day_kind == CP_MEMBER_DAY_WEEKDAY)
			return cp_errf(err, CP_ESTATE,
				       "benefit %s is given on the member day (weekday %d, 1 is "
				       "Monday), not today",
				       b->id, m->rules.member_day_value);
		return cp_errf(err, CP_ESTATE,
			       "benefit %s is given on the member day (day %d of the month), not "
			       "today",
			       b->id, m->rules.member_day_value);
	}
	return cp_errf(err, CP_ESTATE, "benefit %s is not open today", b->id);
}

/* Why member m may not have b today (one sentence for the cashier), CP_OK when they may. */
static enum cp_err refusal(struct cp_db *db, const struct cp_benefit *b,
			   const struct cp_member_view *m, const char *day,
			   struct cp_benefit_status *s, struct cp_errbuf *err)
{
	int birth_month;
	bool mine;
	char stage[16];
	enum cp_err result;

	if (!tier_allowed(b->tiers, m->tier_level))
		return cp_errf(err, CP_ESTATE,
			       "benefit %s is not for this member's tier (%s): it is for tiers %s",
			       b->id, m->tier_name, b->tiers);
	if (!stage_allowed(db, b->stages, m->id, stage))
		return cp_errf(
			err, CP_ESTATE,
			"benefit %s is for members in stage %s only; this member's stage is %s",
			b->id, b->stages, stage[0] ? stage : CP_WORD("unknown"));
	if (b->valid_to[0] && strcmp(day, b->valid_to) > 0)
		return cp_errf(err, CP_ESTATE, "benefit %s has expired: it ended on %s", b->id,
			       b->valid_to);
	if ((result = cp_member_birth_month(db, m->id, &birth_month, err)) != CP_OK ||
	    (result = judge(db, b, m, birth_month, day, false, s, &mine, err)) != CP_OK)
		return result;
	if (s->state == CP_BENEFIT_USED)
		return strcmp(s->used_on, day) > 0
			       ? cp_errf(err, CP_ESTATE,
					 "benefit %s was granted to this member for %s already, a "
					 "day later than this till's day %s: check the clock",
					 b->id, s->used_on, day)
			       : cp_errf(err, CP_ESTATE,
					 "benefit %s has been granted to this member already this "
					 "period (on %s); it is open again next %s",
					 b->id, s->used_on,
					 strcmp(b->period, "year") == 0    ? CP_WORD("year")
					 : strcmp(b->period, "month") == 0 ? CP_WORD("month")
									   : CP_WORD("day"));
	if (s->state == CP_BENEFIT_NOT_TODAY)
		return not_today(db, b, day, birth_month, err);
	return CP_OK;
}

/* The gift's item must be in the catalogue; its line goes into the open cart at zero price. */
static enum cp_err gift_line(struct cp_db *db, const struct cp_cart_view *cart, const char *sku,
			     int64_t seq, int *line_no, struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	int next = 1, rc;

	if (cart->nlines >= CP_CART_MAX_LINES)
		return cp_errf(err, CP_ESTATE,
			       "the cart holds %d lines, the most one sale can; pay this sale and "
			       "grant the gift on the next",
			       CP_CART_MAX_LINES);
	for (int i = 0; i < cart->nlines; i++)
		if (cart->lines[i].line_no >= next)
			next = cart->lines[i].line_no + 1;
	st = cp_db_stmt(
		db,
		"INSERT INTO cart_line(line_no, qty, sku, benefit_seq) SELECT ?1, 1, sku, ?3"
		" FROM item WHERE sku = ?2",
		err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int(st, 1, next);
	sqlite3_bind_text(st, 2, sku, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, seq);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "add the gift", err);
	if (sqlite3_changes(db->h) == 0)
		return cp_errf(err, CP_ESTATE,
			       "the gift's item %s is not in this till's catalogue; it cannot be "
			       "granted here",
			       sku);
	*line_no = next;
	return CP_OK;
}

enum cp_err cp_benefit_grant(struct cp_db *db, const struct cp_session *who, const char *id,
			     struct cp_benefit_grant *out, struct cp_errbuf *err)
{
	struct cp_cart_view *cart = malloc(sizeof(*cart));
	struct cp_benefit_status s;
	struct cp_benefit_grant g;
	struct cp_benefit b;
	json_t *payload = NULL, *c = NULL;
	char day[11];
	enum cp_err result;

	memset(&g, 0, sizeof(g));
	if (!cart)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((result = cp_db_begin(db, err)) != CP_OK) {
		free(cart);
		return result;
	}
	if ((result = cp_cart_view(db, who, cart, err)) != CP_OK)
		goto out;
	if (!cart->has_member) {
		result = cp_errf(err, CP_ESTATE,
				 "attach a member first: a benefit is granted to the member "
				 "attached");
		goto out;
	}
	if ((result = cp_benefit_get(db, id, &b, err)) != CP_OK ||
	    (result = cp_report_event_day(db, cp_db_now(db), day, err)) != CP_OK ||
	    (result = refusal(db, &b, &cart->member, day, &s, err)) != CP_OK)
		goto out;
	payload = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "member", cart->member.id, "benefit",
			    b.id, "period", s.period_key, "day", day, "what", b.what, "staff",
			    who->code);
	if (!payload) {
		result = cp_errf(err, CP_ENOMEM, "out of memory");
		goto out;
	}
	if (strcmp(b.what, "coupon") == 0) {
		result = cp_coupon_issue_json(db, b.template_id, cart->member.id, day, &c, err);
		if (result == CP_ENOTFOUND || (result == CP_OK && !c)) {
			result =
				cp_errf(err, CP_ESTATE,
					"benefit %s gives coupon template %s, which this till does "
					"not have (or whose dates are over)",
					b.id, b.template_id);
			goto out;
		}
		if (result != CP_OK)
			goto out;
		if (json_object_set(payload, "coupon", c)) {
			result = cp_errf(err, CP_ENOMEM, "out of memory");
			goto out;
		}
	} else if (strcmp(b.what, "points") == 0) {
		if (json_object_set_new(payload, "points", json_integer((json_int_t)b.points))) {
			result = cp_errf(err, CP_ENOMEM, "out of memory");
			goto out;
		}
	} else if (json_object_set_new(payload, "sku", json_string(b.sku))) {
		result = cp_errf(err, CP_ENOMEM, "out of memory");
		goto out;
	}
	if ((result = cp_journal_record(db, "benefit_grant", payload, &g.seq, NULL, err)) != CP_OK)
		goto out;
	if (c && (result = cp_coupon_find(db, json_string_value(json_object_get(c, "code")),
					  &g.coupon, err)) != CP_OK)
		goto out;
	if (strcmp(b.what, "gift") == 0 &&
	    (result = gift_line(db, cart, b.sku, g.seq, &g.line_no, err)) != CP_OK)
		goto out;
	if ((result = cp_db_commit(db, err)) != CP_OK)
		goto out;
	snprintf(g.benefit_id, sizeof(g.benefit_id), "%s", b.id);
	snprintf(g.title, sizeof(g.title), "%s", title_of(&b));
	snprintf(g.what, sizeof(g.what), "%s", b.what);
	snprintf(g.period_key, sizeof(g.period_key), "%s", s.period_key);
	snprintf(g.sku, sizeof(g.sku), "%s", b.sku);
	g.balance_after = cart->member.points;
	if (strcmp(b.what, "points") == 0) {
		g.points = b.points;
		if (!cp_money_add(cart->member.points, b.points, &g.balance_after))
			g.balance_after = cart->member.points;
	}
	if (out)
		*out = g;
out:
	if (result != CP_OK)
		cp_db_rollback(db);
	json_decref(payload);
	json_decref(c);
	free(cart);
	return result;
}

enum cp_err cp_benefit_grant_apply(struct cp_db *db, int64_t seq, json_t *p, struct cp_errbuf *err)
{
	const char *member, *benefit, *period, *day, *what, *sku = NULL, *code = NULL;
	json_t *c = json_object_get(p, "coupon");
	int64_t points = 0;
	enum cp_err result;
	sqlite3_stmt *st;
	int rc;

	if ((result = cp_jget_str(p, "member", &member, err)) ||
	    (result = cp_jget_str(p, "benefit", &benefit, err)) ||
	    (result = cp_jget_str(p, "period", &period, err)) ||
	    (result = cp_jget_str(p, "day", &day, err)) ||
	    (result = cp_jget_str(p, "what", &what, err)))
		return result;
	if (strcmp(what, "points") == 0) {
		if ((result = cp_jget_int(p, "points", &points, err)) != CP_OK)
			return result;
		if (points <= 0 || points > CP_EARN_BONUS_MAX)
			return cp_errf(err, CP_ECORRUPT,
				       "journal payload: a benefit grant of %lld points",
				       (long long)points);
	} else if (strcmp(what, "coupon") == 0) {
		if (!json_is_object(c) || (result = cp_jget_str(c, "code", &code, err)))
			return cp_errf(
				err, CP_ECORRUPT,
				"journal payload: a coupon benefit grant without its coupon");
	} else if (strcmp(what, "gift") != 0 || (result = cp_jget_str(p, "sku", &sku, err))) {
		return cp_errf(err, CP_ECORRUPT, "journal payload: a benefit grant of %s", what);
	}
	st = cp_db_stmt(db,
			"INSERT INTO benefit_grant(seq, benefit_id, member_id, period, day, what,"
			" points, code, sku) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, benefit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, member, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, period, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, what, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, points);
	if (code)
		sqlite3_bind_text(st, 8, code, -1, SQLITE_STATIC);
	if (sku)
		sqlite3_bind_text(st, 9, sku, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return cp_errf(err, CP_ECORRUPT,
			       "journal payload: benefit %s granted twice to %s for %s", benefit,
			       member, period);
	if (rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "record benefit grant", err);
	if (points)
		return cp_movement_insert(db, seq, 1, member, "benefit", points, 0, err);
	if (code)
		return cp_coupon_issue_apply(db, seq, 1, c, "benefit", err);
	return CP_OK;
}

enum cp_err cp_benefit_receipt_fill(struct cp_db *db, struct cp_receipt_view *v,
				    struct cp_errbuf *err)
{
	struct cp_benefit_list *l;
	enum cp_err result;

	v->nbenefits = 0;
	if (v->kind != CP_RECEIPT_SALE || !v->has_member || !v->member_known)
		return CP_OK;
	if (!(l = malloc(sizeof(*l))))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	result = list_member(db, v->member.id, true, l, err);
	for (int i = 0; result == CP_OK && i < l->n && v->nbenefits < CP_RECEIPT_MAX_BENEFITS; i++)
		if (l->e[i].state == CP_BENEFIT_OPEN)
			snprintf(v->benefits[v->nbenefits++], sizeof(v->benefits[0]), "%s",
				 title_of(&l->e[i].b));
	free(l);
	return result;
}
