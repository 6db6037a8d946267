/* member.c — finding members by the keyed hash of their phone or by card, registering them
 * offline (one journal event), HQ snapshots, and the view a cashier sees: balance = snapshot
 * plus this terminal's movements HQ has not acknowledged, tier upgraded at once by growth. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent_int.h"
#include "cp_crypto.h"
#include "earn.h"
#include "events_int.h"
#include "guide_int.h"
#include "member_int.h"
#include "money.h"
#include "phone.h"
#include "staff.h"
#include "text.h"

static enum cp_err pending(struct cp_db *db, const char *id, int64_t *points, int64_t *growth,
			   struct cp_errbuf *err)
{
	/* member_pending (kept by triggers, migration 17) under the member's id and under the
	 * terminal-scoped ids HQ has since merged into it: one row each, however many movements
	 * HQ has yet to acknowledge. */
	sqlite3_stmt *st = cp_db_stmt(db,
				      "SELECT coalesce(sum(p), 0), coalesce(sum(g), 0) FROM"
				      " (SELECT points AS p, growth AS g FROM member_pending"
				      "  WHERE member_id = ?1"
				      "  UNION ALL SELECT q.points, q.growth FROM member_alias a"
				      "  JOIN member_pending q ON q.member_id = a.local_id"
				      "  WHERE a.member_id = ?1)",
				      err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*points = sqlite3_column_int64(st, 0);
		*growth = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read pending points", err);
}

enum cp_err cp_member_pending_verify(struct cp_db *db, struct cp_errbuf *err)
{
	/* Rows that sum to nothing are the same as no row. */
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"WITH want AS (SELECT member_id, sum(points) AS p, sum(growth) AS g FROM movement"
		"  WHERE seq > coalesce((SELECT CAST(value AS INTEGER) FROM meta"
		"  WHERE key = 'acked_seq'), 0) GROUP BY member_id),"
		" have AS (SELECT member_id, points AS p, growth AS g FROM member_pending)"
		" SELECT member_id FROM (SELECT * FROM want WHERE p <> 0 OR g <> 0"
		"  EXCEPT SELECT * FROM have WHERE p <> 0 OR g <> 0)"
		" UNION ALL SELECT member_id FROM (SELECT * FROM have WHERE p <> 0 OR g <> 0"
		"  EXCEPT SELECT * FROM want WHERE p <> 0 OR g <> 0) LIMIT 1",
		err);
	char id[64] = "";
	int rc;

	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		cp_db_col_text(st, 0, id, sizeof(id));
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return cp_errf(err, CP_ECORRUPT,
			       "table member_pending (points not yet acknowledged by HQ) differs "
			       "from the points movements for member %s: a row was changed by hand",
			       id);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "check pending points", err);
}

/* Tier, next tier and the value of the balance, from tiers and rules. */
static void derive(const struct db_memo *m, int snap_tier, struct cp_member_view *v)
{
	int level = snap_tier;

	for (int i = 0; i < m->ntiers; i++)
		if (v->growth >= m->tiers[i].threshold && m->tiers[i].level > level)
			level = m->tiers[i].level;
	v->tier_level = level;
	v->tier_multiplier_bp = CP_BP;
	for (int i = 0; i < m->ntiers; i++) {
		const struct cp_tier *t = &m->tiers[i];

		if (t->level == level) {
			snprintf(v->tier_name, sizeof(v->tier_name), "%s", t->name);
			v->tier_multiplier_bp = t->multiplier_bp;
		}
		if (t->level > level && !v->next_tier_name[0]) {
			snprintf(v->next_tier_name, sizeof(v->next_tier_name), "%s", t->name);
			v->next_tier_growth =
				t->threshold > v->growth ? t->threshold - v->growth : 0;
		}
	}
	v->points_value = 0;
	if (m->has_rules &&
	    !cp_muldiv_floor(v->points, 100, m->rules.points_per_yuan_value, &v->points_value))
		v->points_value = 0;
}

#define MEMBER_COLS                                                                                \
	"SELECT id, phone_masked, card_no, name, birthday, points, growth, tier,"                  \
	" expiring_points, expiring_on, guide, local FROM member "

static enum cp_err view_read(struct cp_db *db, sqlite3_stmt *st, struct cp_member_view *out,
			     struct cp_errbuf *err)
{
	const struct db_memo *m;
	struct cp_member_view v;
	int64_t pp = 0, pg = 0;
	int rc = sqlite3_step(st), snap_tier;
	enum cp_err result;

	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			return cp_errf(err, CP_ENOTFOUND, "no such member");
		return cp_db_fail(db, rc, "read member", err);
	}
	memset(&v, 0, sizeof(v));
	cp_db_col_text(st, 0, v.id, sizeof(v.id));
	cp_db_col_text(st, 1, v.masked_phone, sizeof(v.masked_phone));
	cp_db_col_text(st, 2, v.card_no, sizeof(v.card_no));
	cp_db_col_text(st, 3, v.name, sizeof(v.name));
	cp_db_col_text(st, 4, v.birthday, sizeof(v.birthday));
	v.points = sqlite3_column_int64(st, 5);
	v.growth = sqlite3_column_int64(st, 6);
	snap_tier = sqlite3_column_int(st, 7);
	v.expiring_points = sqlite3_column_int64(st, 8);
	cp_db_col_text(st, 9, v.expiring_on, sizeof(v.expiring_on));
	cp_db_col_text(st, 10, v.guide, sizeof(v.guide));
	v.local = sqlite3_column_int(st, 11) != 0;
	sqlite3_reset(st);
	if ((result = cp_db_memo_get(db, &m, err)) != CP_OK ||
	    (result = pending(db, v.id, &pp, &pg, err)) != CP_OK)
		return result;
	if (!cp_money_add(v.points, pp, &v.points) || !cp_money_add(v.growth, pg, &v.growth))
		return cp_errf(err, CP_EOVERFLOW, "the member's balance does not fit");
	v.points_pending = pp;
	derive(m, snap_tier, &v);
	*out = v;
	return CP_OK;
}

/* The member view from a row of st (MEMBER_COLS), which is reset here. The reads run in one
 * read transaction (when the caller has none open): one snapshot, and one lock instead of
 * one per statement. */
static enum cp_err view_from(struct cp_db *db, sqlite3_stmt *st, struct cp_member_view *out,
			     struct cp_errbuf *err)
{
	sqlite3_stmt *begin = NULL;
	enum cp_err result;

	if (sqlite3_get_autocommit(db->h)) {
		begin = cp_db_stmt(db, "BEGIN", err);
		if (!begin || sqlite3_step(begin) != SQLITE_DONE) {
			if (begin)
				sqlite3_reset(begin);
			sqlite3_reset(st);
			return cp_db_fail(db, SQLITE_BUSY, "begin reading", err);
		}
		sqlite3_reset(begin);
	}
	result = view_read(db, st, out, err);
	if (begin) {
		sqlite3_stmt *end = cp_db_stmt(db, "COMMIT", NULL);

		if (end) {
			sqlite3_step(end);
			sqlite3_reset(end);
		}
		if (!sqlite3_get_autocommit(db->h))
			cp_db_rollback(db);
	}
	return result;
}

/* The last member read by id outside a write transaction, as long as nothing was written since, here
 * or by another connection (cp_db_versions), or only the cart's tables (cp_member_memo_keep): a
 * sale reads its member again for every scan's check, every answer and the receipt. */
struct member_memo {
	bool valid;
	int64_t data_version, changes;
	char key[64]; /* the id asked for (it may be an alias) */
	struct cp_member_view view;
};

void cp_member_memo_keep(struct cp_db *db, int64_t changes_before)
{
	struct member_memo *m = db->member_memo;

	if (m && m->valid && m->changes == changes_before)
		m->changes = sqlite3_total_changes64(db->h);
}

static const struct member_memo *member_memo_fresh(struct cp_db *db, const char *id)
{
	const struct member_memo *m = db->member_memo;
	int64_t dv = 0, changes = 0;

	if (!m || !m->valid || strcmp(m->key, id) != 0 ||
	    cp_db_versions(db, &dv, &changes, NULL) != CP_OK)
		return NULL;
	return m->data_version == dv && m->changes == changes ? m : NULL;
}

enum cp_err cp_member_get(struct cp_db *db, const char *id, struct cp_member_view *out,
			  struct cp_errbuf *err)
{
	/* A terminal-scoped id HQ has since renamed or merged finds the surviving member. */
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   MEMBER_COLS "WHERE id = coalesce((SELECT member_id FROM member_alias"
				       " WHERE local_id = ?1), ?1)",
			   err);
	const struct member_memo *hit = member_memo_fresh(db, id);
	struct member_memo *m = db->member_memo;
	int64_t dv = 0, changes = 0;
	bool keep;
	enum cp_err result;

	if (hit) {
		*out = hit->view;
		return CP_OK;
	}
	if (!st)
		return CP_EDB;
	/* Only the committed tables are kept (outside a transaction, or in one that has not
	 * written): a transaction's own writes may be rolled back. The versions are read first, so
	 * that a write between them and the read is seen. */
	keep = sqlite3_txn_state(db->h, "main") != SQLITE_TXN_WRITE &&
	       strlen(id) < sizeof(m->key) && cp_db_versions(db, &dv, &changes, NULL) == CP_OK;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if ((result = view_from(db, st, out, err)) != CP_OK || !keep)
		return result;
	if (!m && !(m = db->member_memo = malloc(sizeof(*m))))
		return CP_OK;
	m->valid = true;
	m->data_version = dv;
	m->changes = changes;
	memcpy(m->key, id, strlen(id) + 1);
	m->view = *out;
	return CP_OK;
}

static enum cp_err id_by_hash(struct cp_db *db, const uint8_t hash[32], char *id, size_t idlen,
			      struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, "SELECT id FROM member WHERE phone_hash = ?1", err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		cp_db_col_text(st, 0, id, idlen);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return CP_OK;
	if (rc == SQLITE_DONE)
		return cp_errf(err, CP_ENOTFOUND, "no such member");
	return cp_db_fail(db, rc, "find member", err);
}

static enum cp_err phone_id(struct cp_db *db, const char *phone, char *id, size_t idlen,
			    char norm[CP_PHONE_LEN + 1], struct cp_errbuf *err)
{
	uint8_t hash[32];
	enum cp_err result = cp_phone_normalise(phone, norm, err);

	if (result != CP_OK)
		return result;
	if (cp_phone_hash(db->phone_key, DB_KEY_LEN, norm, hash) != 0)
		return cp_errf(err, CP_EIO, "cannot hash the phone number");
	return id_by_hash(db, hash, id, idlen, err);
}

enum cp_err cp_member_find_by_phone(struct cp_db *db, const char *phone, struct cp_member_view *out,
				    struct cp_errbuf *err)
{
	char norm[CP_PHONE_LEN + 1];
	uint8_t hash[32];
	sqlite3_stmt *st;
	enum cp_err result = cp_phone_normalise(phone, norm, err);

	if (result != CP_OK)
		return result;
	if (cp_phone_hash(db->phone_key, DB_KEY_LEN, norm, hash) != 0)
		return cp_errf(err, CP_EIO, "cannot hash the phone number");
	if (!(st = cp_db_stmt(db, MEMBER_COLS "WHERE phone_hash = ?1", err)))
		return CP_EDB;
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_TRANSIENT);
	return view_from(db, st, out, err);
}

static bool card_ok(const char *card)
{
	size_t n = card ? strlen(card) : 0;

	if (n < 4 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = card[i];

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      c == '-'))
			return false;
	}
	return true;
}

enum cp_err cp_member_find_by_card(struct cp_db *db, const char *card, struct cp_member_view *out,
				   struct cp_errbuf *err)
{
	sqlite3_stmt *st;

	if (!card_ok(card))
		return cp_errf(err, CP_EINVAL,
			       "a member card number is 4 to 32 letters or digits; scan it again");
	if (!(st = cp_db_stmt(db, MEMBER_COLS "WHERE card_no = ?1", err)))
		return CP_EDB;
	sqlite3_bind_text(st, 1, card, -1, SQLITE_TRANSIENT);
	return view_from(db, st, out, err);
}

enum cp_err cp_member_birth_month(struct cp_db *db, const char *id, int *month,
				  struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, "SELECT birthday FROM member WHERE id = ?1", err);
	const unsigned char *b;
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*month = 0;
	if (rc == SQLITE_ROW && (b = sqlite3_column_text(st, 0)) && strlen((const char *)b) == 5)
		*month = (b[0] - '0') * 10 + (b[1] - '0');
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return cp_errf(err, CP_ENOTFOUND, "no such member");
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read member", err);
}

/* "MM-DD" of a real day (29 February allowed). */
static bool birthday_ok(const char *b)
{
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int m, d;

	if (strlen(b) != 5 || b[2] != '-')
		return false;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (b[i] < '0' || b[i] > '9'))
			return false;
	m = (b[0] - '0') * 10 + (b[1] - '0');
	d = (b[3] - '0') * 10 + (b[4] - '0');
	return m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1];
}

static enum cp_err check_new(const struct cp_member_new *m, struct cp_errbuf *err)
{
	if (m->name && !cp_text_ok(m->name, 64))
		return cp_errf(err, CP_EINVAL,
			       "the name must be at most 64 bytes of text without control "
			       "characters");
	if (m->birthday && m->birthday[0] && !birthday_ok(m->birthday))
		return cp_errf(err, CP_EINVAL,
			       "birthday must be month-day like 05-17 (a real day of the year)");
	return CP_OK;
}

enum cp_err cp_member_register(struct cp_db *db, const struct cp_session *who,
			       const struct cp_member_new *m, struct cp_member_view *out,
			       struct cp_errbuf *err)
{
	char norm[CP_PHONE_LEN + 1], rnorm[CP_PHONE_LEN + 1], id[64], ref_id[64] = "";
	char masked[CP_PHONE_LEN + 1], rnorm2[CP_PHONE_LEN + 1];
	char terms[CP_TERMS_VERSION_MAX + 1];
	struct cp_earn_rules rules = {0};
	struct cp_member_view view;
	json_t *payload = NULL;
	int64_t n, seq;
	enum cp_err result;

	if (!who || !who->code[0])
		return cp_errf(err, CP_EAUTH, "log in first");
	if (!m->phone || !m->phone[0])
		return cp_errf(err, CP_EINVAL, "a phone number is required to register a member");
	if ((result = check_new(m, err)) != CP_OK)
		return result;
	if ((result = cp_db_begin(db, err)) != CP_OK)
		return result;
	if ((result = cp_consent_check(db, m, terms, err)) != CP_OK)
		goto out;
	result = phone_id(db, m->phone, id, sizeof(id), norm, err);
	if (result == CP_OK) {
		cp_phone_mask(norm, masked);
		result = cp_errf(err, CP_EEXIST,
				 "%s is already a member (%s); look them up instead", masked, id);
		goto out;
	}
	if (result != CP_ENOTFOUND)
		goto out;
	if (err)
		err->msg[0] = '\0';
	if (m->referrer_phone && m->referrer_phone[0]) {
		if ((result = cp_phone_normalise(m->referrer_phone, rnorm, err)) != CP_OK)
			goto out;
		if (strcmp(rnorm, norm) == 0) {
			result = cp_errf(err, CP_EINVAL, "a member cannot refer themself");
			goto out;
		}
		result = phone_id(db, rnorm, ref_id, sizeof(ref_id), rnorm2, err);
		if (result == CP_ENOTFOUND)
			result =
				cp_errf(err, CP_ENOTFOUND,
					"the referrer is not a member known here; register without "
					"a referrer or look them up first");
		if (result != CP_OK)
			goto out;
	}
	result = cp_earn_rules_load(db, &rules, err);
	if (result == CP_ENOTFOUND)
		memset(&rules, 0, sizeof(rules));
	else if (result != CP_OK)
		goto out;
	if ((result = cp_db_meta_get_int(db, "member_seq", &n, err)) != CP_OK ||
	    (result = cp_db_meta_set_int(db, "member_seq", n + 1, err)) != CP_OK)
		goto out;
	snprintf(id, sizeof(id), "L-%s-%s-%lld", db->store_id, db->terminal_id, (long long)n + 1);
	payload = json_pack("{s:s, s:s, s:s, s:o, s:o, s:I, s:I, s:s, s:b, s:s}", "member", id,
			    "phone", norm, "name", m->name ? m->name : "", "birthday",
			    m->birthday && m->birthday[0] ? json_string(m->birthday) : json_null(),
			    "referrer", ref_id[0] ? json_string(ref_id) : json_null(), "welcome",
			    (json_int_t)rules.welcome_points, "referral",
			    (json_int_t)(ref_id[0] ? rules.referral_points : 0), "staff", who->code,
			    "consent", 1, "terms_version", terms);
	if (!payload) {
		result = cp_errf(err, CP_ENOMEM, "out of memory registering the member");
		goto out;
	}
	/* The answer is read before the commit: once committed, nothing may fail. */
	if ((result = cp_journal_record(db, "member_register", payload, &seq, NULL, err)) !=
		    CP_OK ||
	    (result = cp_guide_on_register(db, who, id, err)) != CP_OK ||
	    (result = cp_member_get(db, id, &view, err)) != CP_OK ||
	    (result = cp_db_commit(db, err)) != CP_OK)
		goto out;
	*out = view;
out:
	json_decref(payload);
	cp_wipe(norm, sizeof(norm));
	if (result != CP_OK)
		cp_db_rollback(db);
	return result;
}

enum cp_err cp_member_register_apply(struct cp_db *db, int64_t seq, json_t *p,
				     struct cp_errbuf *err)
{
	const char *id, *phone, *name, *birthday, *referrer;
	int64_t at, welcome, referral;
	char norm[CP_PHONE_LEN + 1], masked[CP_PHONE_LEN + 1];
	uint8_t hash[32];
	enum cp_err result;
	sqlite3_stmt *st;
	int rc;

	if ((result = cp_jget_str(p, "member", &id, err)) ||
	    (result = cp_jget_str(p, "phone", &phone, err)) ||
	    (result = cp_jget_str(p, "name", &name, err)) ||
	    (result = cp_jget_str_or_null(p, "birthday", &birthday, err)) ||
	    (result = cp_jget_str_or_null(p, "referrer", &referrer, err)) ||
	    (result = cp_jget_int(p, "at", &at, err)) ||
	    (result = cp_jget_int(p, "welcome", &welcome, err)) ||
	    (result = cp_jget_int(p, "referral", &referral, err)))
		return result;
	if (cp_phone_normalise(phone, norm, NULL) != CP_OK)
		return cp_errf(err, CP_ECORRUPT, "journal %lld: the registered phone is malformed",
			       (long long)seq);
	cp_phone_mask(norm, masked);
	if (cp_phone_hash(db->phone_key, DB_KEY_LEN, norm, hash) != 0)
		return cp_errf(err, CP_EIO, "cannot hash the phone number");
	st = cp_db_stmt(db,
			"INSERT INTO member(id, phone_hash, phone_masked, name, birthday, local,"
			" referrer_id, created_at) VALUES(?1, ?2, ?3, ?4, ?5, 1, ?6, ?7)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, hash, sizeof(hash), SQLITE_STATIC);
	sqlite3_bind_text(st, 3, masked, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
	if (birthday)
		sqlite3_bind_text(st, 5, birthday, -1, SQLITE_STATIC);
	if (referrer)
		sqlite3_bind_text(st, 6, referrer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, at);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "register member", err);
	if ((result = cp_consent_apply(db, seq, id, p, at, err)) != CP_OK)
		return result;
	if (welcome > 0 &&
	    (result = cp_movement_insert(db, seq, 1, id, "welcome", welcome, 0, err)))
		return result;
	if (referrer && referral > 0) {
		if ((result = cp_movement_insert(db, seq, 2, id, "referral", referral, 0, err)) ||
		    (result = cp_movement_insert(db, seq, 3, referrer, "referral", referral, 0,
						 err)))
			return result;
	}
	return CP_OK;
}

static bool id_ok(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n < 1 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (id[i] <= ' ' || id[i] > '~')
			return false;
	return true;
}

/* The phone's hash and masked form from either the full number or HQ's hash. */
static enum cp_err snapshot_phone(struct cp_db *db, const struct cp_member_snapshot *s,
				  uint8_t hash[32], char masked[CP_PHONE_LEN + 1],
				  struct cp_errbuf *err)
{
	char norm[CP_PHONE_LEN + 1];
	enum cp_err result;

	if (s->phone) {
		if ((result = cp_phone_normalise(s->phone, norm, err)) != CP_OK)
			return result;
		cp_phone_mask(norm, masked);
		result = cp_phone_hash(db->phone_key, DB_KEY_LEN, norm, hash) == 0
				 ? CP_OK
				 : cp_errf(err, CP_EIO, "cannot hash the phone number");
		cp_wipe(norm, sizeof(norm));
		return result;
	}
	if (!s->phone_hash || !s->phone_masked || !s->phone_masked[0] ||
	    !cp_text_ok(s->phone_masked, CP_PHONE_LEN))
		return cp_errf(err, CP_EINVAL, "member %s: no phone number or phone hash", s->id);
	memcpy(hash, s->phone_hash, 32);
	snprintf(masked, CP_PHONE_LEN + 1, "%s", s->phone_masked);
	return CP_OK;
}

static bool opt_text_ok(const char *s, size_t max)
{
	return !s || cp_text_ok(s, max);
}

enum cp_err cp_member_put_snapshot(struct cp_db *db, const struct cp_member_snapshot *s,
				   struct cp_errbuf *err)
{
	char masked[CP_PHONE_LEN + 1];
	uint8_t hash[32];
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	if (!id_ok(s->id))
		return cp_errf(err, CP_EINVAL, "member id must be 1 to 63 printable characters");
	if ((result = snapshot_phone(db, s, hash, masked, err)) != CP_OK)
		return result;
	if (s->card_no && s->card_no[0] && !card_ok(s->card_no))
		return cp_errf(err, CP_EINVAL, "member %s: card number is malformed", s->id);
	if (s->name && !cp_text_ok(s->name, 64))
		return cp_errf(err, CP_EINVAL, "member %s: name is not valid text", s->id);
	if (s->birthday && s->birthday[0] && !birthday_ok(s->birthday))
		return cp_errf(err, CP_EINVAL, "member %s: birthday must be MM-DD", s->id);
	if (s->points < -CP_MONEY_MAX || s->points > CP_MONEY_MAX || s->growth < 0 ||
	    s->growth > CP_MONEY_MAX || s->tier_level < 0 || s->expiring_points < 0 ||
	    s->expiring_points > CP_MONEY_MAX || s->version < 0)
		return cp_errf(err, CP_EINVAL, "member %s: points, growth or tier out of range",
			       s->id);
	if (!opt_text_ok(s->expiring_on, 10) || !opt_text_ok(s->tier_until, 10) ||
	    !opt_text_ok(s->guide, 16))
		return cp_errf(err, CP_EINVAL, "member %s: a date or the guide is malformed",
			       s->id);
	st = cp_db_stmt(
		db,
		"INSERT INTO member(id, phone_hash, phone_masked, card_no, name, birthday,"
		" points, growth, tier, expiring_points, expiring_on, guide, version, local,"
		" created_at, tier_until) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
		" ?13, 0, ?14, ?15) ON CONFLICT(id) DO UPDATE SET phone_hash = excluded.phone_hash,"
		" phone_masked = excluded.phone_masked, card_no = excluded.card_no,"
		" name = excluded.name, birthday = excluded.birthday, points = excluded.points,"
		" growth = excluded.growth, tier = excluded.tier,"
		" expiring_points = excluded.expiring_points,"
		" expiring_on = excluded.expiring_on, guide = excluded.guide,"
		" version = excluded.version, tier_until = excluded.tier_until, local = 0"
		" WHERE excluded.version > member.version",
		err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, hash, sizeof(hash), SQLITE_STATIC);
	sqlite3_bind_text(st, 3, masked, -1, SQLITE_STATIC);
	if (s->card_no && s->card_no[0])
		sqlite3_bind_text(st, 4, s->card_no, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, s->name ? s->name : "", -1, SQLITE_STATIC);
	if (s->birthday && s->birthday[0])
		sqlite3_bind_text(st, 6, s->birthday, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, s->points);
	sqlite3_bind_int64(st, 8, s->growth);
	sqlite3_bind_int(st, 9, s->tier_level);
	sqlite3_bind_int64(st, 10, s->expiring_points);
	if (s->expiring_on && s->expiring_on[0])
		sqlite3_bind_text(st, 11, s->expiring_on, -1, SQLITE_STATIC);
	if (s->guide && s->guide[0])
		sqlite3_bind_text(st, 12, s->guide, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 13, s->version);
	sqlite3_bind_int64(st, 14, cp_db_now(db));
	if (s->tier_until && s->tier_until[0])
		sqlite3_bind_text(st, 15, s->tier_until, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return cp_errf(err, CP_EEXIST,
			       "member %s: the phone or card belongs to another member here",
			       s->id);
	if (rc == SQLITE_DONE && sqlite3_changes(db->h) > 0)
		return cp_guide_follow_hq(db, s->id, s->guide, err);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "store member", err);
}

enum cp_err cp_member_set_guide(struct cp_db *db, const char *id, const char *guide,
				struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, "UPDATE member SET guide = ?2 WHERE id = ?1", err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (guide)
		sqlite3_bind_text(st, 2, guide, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "set the member's guide", err);
}
