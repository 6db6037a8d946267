/* earn.h — tiers by growth value and the earn rules (data, not code): how many points and how
 * much growth a sale's eligible money earns for a member on a given day. */
#ifndef CP_EARN_H
#define CP_EARN_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"

struct cp_db;

#define CP_BP 10000 /* basis points: 10000 = x1.0 */
/* The most welcome or referral points one rule may give: a balance is at most this much
 * (as member snapshots are), so that the sums of a member's movements cannot overflow. */
#define CP_EARN_BONUS_MAX INT64_C(100000000000000)

struct cp_tier {
	int level; /* 0 = lowest */
	char name[33];
	int64_t threshold; /* growth value that reaches it */
	int multiplier_bp;
};

enum cp_member_day { CP_MEMBER_DAY_NONE, CP_MEMBER_DAY_WEEKDAY, CP_MEMBER_DAY_MONTHDAY };

struct cp_earn_rules {
	int64_t points_per_yuan_bp; /* 10000 = 1 point per yuan of eligible money */
	int64_t growth_per_yuan_bp;
	enum cp_member_day member_day_kind;
	int member_day_value; /* ISO weekday 1..7 or day of month 1..31 */
	int member_day_bp;
	int birthday_bp;      /* applies in the member's birthday month */
	bool combine_product; /* false: the highest multiplier wins */
	int64_t welcome_points;
	int64_t referral_points;       /* to both the new member and the referrer */
	int64_t points_per_yuan_value; /* this many points are worth ¥1 */
};

/* What one sale earns. */
struct cp_earning {
	int64_t points, growth;
	int multiplier_bp; /* the combined multiplier, for receipts */
};

enum cp_err cp_earn_rules_load(struct cp_db *db, struct cp_earn_rules *out, struct cp_errbuf *err);
enum cp_err cp_earn_rules_store(struct cp_db *db, const struct cp_earn_rules *rules,
				struct cp_errbuf *err);

/* Tiers, lowest first; *n in: capacity, out: count. */
enum cp_err cp_tier_list(struct cp_db *db, struct cp_tier *out, int *n, struct cp_errbuf *err);
enum cp_err cp_tier_put(struct cp_db *db, const struct cp_tier *tier, struct cp_errbuf *err);
/* The highest tier whose threshold growth reaches (the lowest tier when none). */
enum cp_err cp_tier_for_growth(struct cp_db *db, int64_t growth, struct cp_tier *out,
			       struct cp_errbuf *err);

/* Points and growth for eligible fen of money paid by a member of tier_bp on business date
 * (month, mday, ISO wday), whose birthday month is birth_month (0 when unknown). Rounded down
 * once. CP_EOVERFLOW when it does not fit. */
enum cp_err cp_earn_compute(const struct cp_earn_rules *rules, int tier_bp, int64_t eligible,
			    int month, int mday, int wday, int birth_month, struct cp_earning *out,
			    struct cp_errbuf *err);

#endif
