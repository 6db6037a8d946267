/* earn.c — tiers by growth value, the store's earn rules (one row, from HQ or the demo seed) and
 * the arithmetic of what a sale earns: exact integers, rounded down once per sale, never per
 * line and never on an intermediate multiplier. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "changes_int.h"
#include "db_int.h"
#include "discount_int.h"
#include "earn.h"
#include "money.h"
#include "records_int.h"
#include "text.h"

#define FEN_PER_YUAN 100
#define MAX_MULTIPLIERS 3 /* tier, member day, birthday */

static const char *kind_name(enum cp_member_day kind)
{
	switch (kind) {
	case CP_MEMBER_DAY_WEEKDAY:
		return "weekday";
	case CP_MEMBER_DAY_MONTHDAY:
		return "monthday";
	default:
		return "none";
	}
}

static int kind_parse(const char *s)
{
	if (!s)
		return -1;
	if (strcmp(s, "none") == 0)
		return CP_MEMBER_DAY_NONE;
	if (strcmp(s, "weekday") == 0)
		return CP_MEMBER_DAY_WEEKDAY;
	if (strcmp(s, "monthday") == 0)
		return CP_MEMBER_DAY_MONTHDAY;
	return -1;
}

static enum cp_err check_rules(const struct cp_earn_rules *r, struct cp_errbuf *err)
{
	if (r->points_per_yuan_bp < 0 || r->growth_per_yuan_bp < 0)
		return cp_errf(err, CP_EINVAL,
			       "earn rules: points and growth per yuan must not be negative");
	switch (r->member_day_kind) {
	case CP_MEMBER_DAY_NONE:
		break;
	case CP_MEMBER_DAY_WEEKDAY:
		if (r->member_day_value < 1 || r->member_day_value > 7)
			return cp_errf(err, CP_EINVAL,
				       "earn rules: a weekly member day must be 1 (Monday) to 7 "
				       "(Sunday), not %d",
				       r->member_day_value);
		break;
	case CP_MEMBER_DAY_MONTHDAY:
		if (r->member_day_value < 1 || r->member_day_value > 31)
			return cp_errf(err, CP_EINVAL,
				       "earn rules: a monthly member day must be 1 to 31, not %d",
				       r->member_day_value);
		break;
	default:
		return cp_errf(err, CP_EINVAL, "earn rules: unknown kind of member day");
	}
	if (r->member_day_bp <= 0 || r->birthday_bp <= 0)
		return cp_errf(err, CP_EINVAL,
			       "earn rules: member-day and birthday multipliers must be above 0 "
			       "(10000 = x1.0)");
	if (r->welcome_points < 0 || r->referral_points < 0)
		return cp_errf(err, CP_EINVAL,
			       "earn rules: welcome and referral points must not be negative");
	if (r->welcome_points > CP_EARN_BONUS_MAX || r->referral_points > CP_EARN_BONUS_MAX)
		return cp_errf(err, CP_EINVAL,
			       "earn rules: %s is above %lld points, more than a balance can hold",
			       r->welcome_points > CP_EARN_BONUS_MAX ? "welcome_points"
								     : "referral_points",
			       (long long)CP_EARN_BONUS_MAX);
	if (r->points_per_yuan_value <= 0)
		return cp_errf(err, CP_EINVAL,
			       "earn rules: the number of points worth ¥1 must be above 0");
	return CP_OK;
}

enum cp_err cp_earn_rules_load(struct cp_db *db, struct cp_earn_rules *out, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"SELECT points_per_yuan_bp, growth_per_yuan_bp, member_day_kind, member_day_value,"
		" member_day_bp, birthday_bp, combine, welcome_points, referral_points,"
		" points_per_yuan_value FROM earn_rule WHERE id = 1",
		err);
	struct cp_earn_rules r;
	struct cp_errbuf why = {{0}};
	enum cp_err result;
	int rc, kind;

	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		result =
			cp_errf(err, CP_ENOTFOUND, "no earn rules: seed the store or sync with HQ");
		goto out;
	}
	if (rc != SQLITE_ROW) {
		result = cp_db_fail(db, rc, "read the earn rules", err);
		goto out;
	}
	memset(&r, 0, sizeof(r));
	r.points_per_yuan_bp = sqlite3_column_int64(st, 0);
	r.growth_per_yuan_bp = sqlite3_column_int64(st, 1);
	kind = kind_parse((const char *)sqlite3_column_text(st, 2));
	r.member_day_value = sqlite3_column_int(st, 3);
	r.member_day_bp = sqlite3_column_int(st, 4);
	r.birthday_bp = sqlite3_column_int(st, 5);
	r.combine_product = strcmp((const char *)sqlite3_column_text(st, 6), "product") == 0;
	r.welcome_points = sqlite3_column_int64(st, 7);
	r.referral_points = sqlite3_column_int64(st, 8);
	r.points_per_yuan_value = sqlite3_column_int64(st, 9);
	if (kind < 0) {
		result = cp_errf(err, CP_ECORRUPT,
				 "the stored earn rules name an unknown member day; sync with HQ");
		goto out;
	}
	r.member_day_kind = (enum cp_member_day)kind;
	if (check_rules(&r, &why) != CP_OK) {
		result = cp_errf(err, CP_ECORRUPT, "the stored earn rules are damaged (%s)",
				 why.msg);
		goto out;
	}
	*out = r;
	result = CP_OK;
out:
	sqlite3_reset(st);
	return result;
}

enum cp_err cp_earn_rules_store(struct cp_db *db, const struct cp_earn_rules *rules,
				struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	if ((result = check_rules(rules, err)) != CP_OK)
		return result;
	st = cp_db_stmt(
		db,
		"INSERT INTO earn_rule(id, points_per_yuan_bp, growth_per_yuan_bp,"
		" member_day_kind, member_day_value, member_day_bp, birthday_bp, combine,"
		" welcome_points, referral_points, points_per_yuan_value)"
		" VALUES(1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
		" ON CONFLICT(id) DO UPDATE SET points_per_yuan_bp = excluded.points_per_yuan_bp,"
		" growth_per_yuan_bp = excluded.growth_per_yuan_bp,"
		" member_day_kind = excluded.member_day_kind,"
		" member_day_value = excluded.member_day_value,"
		" member_day_bp = excluded.member_day_bp, birthday_bp = excluded.birthday_bp,"
		" combine = excluded.combine, welcome_points = excluded.welcome_points,"
		" referral_points = excluded.referral_points,"
		" points_per_yuan_value = excluded.points_per_yuan_value",
		err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, rules->points_per_yuan_bp);
	sqlite3_bind_int64(st, 2, rules->growth_per_yuan_bp);
	sqlite3_bind_text(st, 3, kind_name(rules->member_day_kind), -1, SQLITE_STATIC);
	sqlite3_bind_int(
		st, 4, rules->member_day_kind == CP_MEMBER_DAY_NONE ? 0 : rules->member_day_value);
	sqlite3_bind_int(st, 5, rules->member_day_bp);
	sqlite3_bind_int(st, 6, rules->birthday_bp);
	sqlite3_bind_text(st, 7, rules->combine_product ? "product" : "highest", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, rules->welcome_points);
	sqlite3_bind_int64(st, 9, rules->referral_points);
	sqlite3_bind_int64(st, 10, rules->points_per_yuan_value);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "store the earn rules", err);
}

static void read_tier(sqlite3_stmt *st, struct cp_tier *t)
{
	memset(t, 0, sizeof(*t));
	t->level = sqlite3_column_int(st, 0);
	snprintf(t->name, sizeof(t->name), "%s", (const char *)sqlite3_column_text(st, 1));
	t->threshold = sqlite3_column_int64(st, 2);
	t->multiplier_bp = sqlite3_column_int(st, 3);
}

enum cp_err cp_tier_list(struct cp_db *db, struct cp_tier *out, int *n, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "SELECT level, name, threshold, multiplier_bp FROM tier ORDER BY level", err);
	enum cp_err result = CP_OK;
	int cap = *n, count = 0, rc;

	if (!st)
		return CP_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			result = cp_errf(err, CP_EOVERFLOW,
					 "the store has more than %d tiers; this screen shows only "
					 "%d",
					 cap, cap);
			break;
		}
		read_tier(st, &out[count++]);
	}
	if (result == CP_OK && rc != SQLITE_DONE)
		result = cp_db_fail(db, rc, "read the tiers", err);
	sqlite3_reset(st);
	if (result == CP_OK)
		*n = count;
	return result;
}

enum cp_err cp_tier_put(struct cp_db *db, const struct cp_tier *tier, struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	if (tier->level < 0 || tier->level > 99)
		return cp_errf(err, CP_EINVAL, "a tier level must be 0 to 99, not %d", tier->level);
	if (!tier->name[0] || !cp_text_ok(tier->name, sizeof(tier->name) - 1))
		return cp_errf(err, CP_EINVAL,
			       "tier %d: the name must be 1 to %zu bytes of UTF-8 text",
			       tier->level, sizeof(tier->name) - 1);
	if (tier->threshold < 0)
		return cp_errf(err, CP_EINVAL, "tier %d: the growth threshold must not be negative",
			       tier->level);
	if (tier->multiplier_bp <= 0)
		return cp_errf(err, CP_EINVAL,
			       "tier %d: the multiplier must be above 0 (10000 = x1.0)",
			       tier->level);
	st = cp_db_stmt(
		db,
		"INSERT INTO tier(level, name, threshold, multiplier_bp) VALUES(?1, ?2, ?3, ?4)"
		" ON CONFLICT(level) DO UPDATE SET name = excluded.name,"
		" threshold = excluded.threshold, multiplier_bp = excluded.multiplier_bp",
		err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int(st, 1, tier->level);
	sqlite3_bind_text(st, 2, tier->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, tier->threshold);
	sqlite3_bind_int(st, 4, tier->multiplier_bp);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return cp_errf(err, CP_EINVAL,
			       "tier %d: another tier already starts at growth %lld; thresholds "
			       "must differ",
			       tier->level, (long long)tier->threshold);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "store a tier", err);
}

enum cp_err cp_tier_for_growth(struct cp_db *db, int64_t growth, struct cp_tier *out,
			       struct cp_errbuf *err)
{
	/* The second half of the UNION is the fallback: the lowest tier. */
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"SELECT * FROM (SELECT level, name, threshold, multiplier_bp FROM tier"
		" WHERE threshold <= ?1 ORDER BY level DESC LIMIT 1)"
		" UNION ALL SELECT * FROM (SELECT level, name, threshold, multiplier_bp FROM tier"
		" ORDER BY level LIMIT 1)",
		err);
	enum cp_err result;
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, growth);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_tier(st, out);
		result = CP_OK;
	} else if (rc == SQLITE_DONE) {
		result = cp_errf(err, CP_ENOTFOUND, "no tiers: seed the store or sync with HQ");
	} else {
		result = cp_db_fail(db, rc, "read the tiers", err);
	}
	sqlite3_reset(st);
	return result;
}

static int64_t gcd(int64_t a, int64_t b)
{
	while (b) {
		int64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* floor(x * y * z / d) for x, y, z >= 0 and d > 0, exactly: common factors are divided out of
 * d first (exact divisions), so the only rounding is cp_muldiv_floor's. */
static bool muldiv3_floor(int64_t x, int64_t y, int64_t z, int64_t d, int64_t *out)
{
	int64_t g, p;

	if (x == 0 || y == 0 || z == 0) {
		*out = 0;
		return true;
	}
	g = gcd(y, d);
	y /= g;
	d /= g;
	g = gcd(z, d);
	z /= g;
	d /= g;
	if (cp_money_mul(y, z, &p))
		return cp_muldiv_floor(x, p, d, out);
	if (cp_money_mul(x, y, &p))
		return cp_muldiv_floor(p, z, d, out);
	return false;
}

enum cp_err cp_earn_compute(const struct cp_earn_rules *rules, int tier_bp, int64_t eligible,
			    int month, int mday, int wday, int birth_month, struct cp_earning *out,
			    struct cp_errbuf *err)
{
	int bps[MAX_MULTIPLIERS], k = 0;
	int64_t num, den, mult, points, growth;
	bool member_day = false;
	enum cp_err result;

	if (eligible < 0)
		return cp_errf(err, CP_EINVAL, "eligible money must not be negative (%lld fen)",
			       (long long)eligible);
	if (tier_bp <= 0)
		return cp_errf(err, CP_EINVAL,
			       "the member's tier multiplier must be above 0 (10000 = x1.0)");
	if ((result = check_rules(rules, err)) != CP_OK)
		return result;
	if (rules->member_day_kind == CP_MEMBER_DAY_WEEKDAY)
		member_day = wday == rules->member_day_value;
	else if (rules->member_day_kind == CP_MEMBER_DAY_MONTHDAY)
		member_day = mday == rules->member_day_value;

	bps[k++] = tier_bp;
	if (member_day)
		bps[k++] = rules->member_day_bp;
	if (birth_month >= 1 && birth_month <= 12 && birth_month == month)
		bps[k++] = rules->birthday_bp;

	/* The multiplier is the exact fraction num / den; at most 3 factors of 10000 in den,
	 * and each bp fits in an int, so neither can overflow int64. */
	if (rules->combine_product) {
		num = 1;
		den = 1;
		for (int i = 0; i < k; i++) {
			if (!cp_money_mul(num, bps[i], &num))
				goto overflow;
			den *= CP_BP;
		}
	} else {
		num = bps[0];
		for (int i = 1; i < k; i++)
			if (bps[i] > num)
				num = bps[i];
		den = CP_BP;
	}
	if (!cp_muldiv_floor(num, CP_BP, den, &mult) || mult > INT_MAX)
		goto overflow;

	/* points = eligible / 100 * points_per_yuan_bp / 10000 * num / den: 10^6 * den fits
	 * because den <= 10^12. */
	if (!muldiv3_floor(eligible, rules->points_per_yuan_bp, num,
			   (int64_t)FEN_PER_YUAN * CP_BP * den, &points))
		goto overflow;
	if (!cp_muldiv_floor(eligible, rules->growth_per_yuan_bp, (int64_t)FEN_PER_YUAN * CP_BP,
			     &growth))
		goto overflow;
	out->points = points;
	out->growth = growth;
	out->multiplier_bp = (int)mult;
	return CP_OK;
overflow:
	return cp_errf(err, CP_EOVERFLOW, "the sale is too large to compute points");
}

/* ---- HQ's change feed ---- */

enum cp_err cp_tier_change_upsert(struct cp_db *db, json_t *d, const char *where,
				  struct cp_errbuf *err)
{
	struct cp_tier t;
	enum cp_err result = cp_rec_tier(&cp_rec_hq, d, &t, where, err);

	if (result != CP_OK)
		return result;
	if ((result = cp_rec_stored(&cp_rec_hq, cp_tier_put(db, &t, err), where, err)) != CP_OK)
		return result;
	return cp_discount_tier_record(db, &cp_rec_hq, d, t.level, where, err);
}

enum cp_err cp_tier_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err)
{
	enum cp_err result = cp_discount_tier_delete(db, key, err);

	if (result != CP_OK)
		return result;
	return cp_change_run_keyed(db, "DELETE FROM tier WHERE level = CAST(?1 AS INTEGER)", key,
				   err);
}

enum cp_err cp_rules_change_upsert(struct cp_db *db, json_t *d, const char *where,
				   struct cp_errbuf *err)
{
	struct cp_earn_rules r;
	enum cp_err result = cp_rec_rules(&cp_rec_hq, d, &r, where, err);

	if (result != CP_OK)
		return result;
	return cp_rec_stored(&cp_rec_hq, cp_earn_rules_store(db, &r, err), where, err);
}

enum cp_err cp_rules_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err)
{
	return cp_change_run_keyed(db, "DELETE FROM earn_rule WHERE id = CAST(?1 AS INTEGER)", key,
				   err);
}
