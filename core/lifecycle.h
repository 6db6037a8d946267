/* lifecycle.h — a member's life with the chain: their stage (new, growing, mature, silent,
 * lost) from the stage rules (data: HQ's feed and the demo store) over their purchases here
 * (kept on a member-side row, so a lookup never scans sales), or as HQ sent it; and their tier
 * progress: the date the tier is held until, what the next tier adds and the growth it needs. */
#ifndef CP_LIFECYCLE_H
#define CP_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"

struct cp_db;

/* The stage rules. A member who has bought nothing, or no more than new_max_visits times for
 * no more than new_max_spent fen, is "new"; one who bought at least mature_min_visits times or
 * for at least mature_min_spent fen is "mature"; between, "growing". More than silent_days
 * business days since the last purchase is "silent", more than lost_days "lost" (both before
 * the others). A tier reached is held tier_hold_months months, unless HQ says until when. */
struct cp_lifecycle_rules {
	int64_t new_max_visits, new_max_spent;
	int64_t mature_min_visits, mature_min_spent;
	int64_t silent_days, lost_days;
	int64_t tier_hold_months;
};

/* Reads the rules in force (the defaults 2, ¥500, 10, ¥5000, 60, 180, 12 until HQ or the demo
 * store sends others). */
enum cp_err cp_lifecycle_rules_get(struct cp_db *db, struct cp_lifecycle_rules *out,
				   struct cp_errbuf *err);
/* Stores rules; bad ones (negative, lost_days not after silent_days, mature not above new,
 * hold months outside 1..120) are CP_EINVAL naming the field, nothing written. */
enum cp_err cp_lifecycle_rules_put(struct cp_db *db, const struct cp_lifecycle_rules *r,
				   struct cp_errbuf *err);

/* The member's stage at now, as one of "new", "growing", "mature", "silent", "lost": the
 * stage HQ sent when it sent one, else computed from the rules. A member not held here is
 * CP_ENOTFOUND "no such member". Reads only. */
enum cp_err cp_lifecycle_stage(struct cp_db *db, const char *member_id, int64_t now, char stage[16],
			       struct cp_errbuf *err);

struct cp_lifecycle_view {
	char stage[16];
	bool stage_from_hq;
	int64_t visits;      /* purchases recorded here, less those wholly returned */
	int64_t spent;       /* fen: what they paid, less what was refunded */
	char last_visit[11]; /* business day of the last purchase, "" for none */
	int64_t days_since;  /* business days since last_visit; -1 for none */
	char tier_until[11]; /* "YYYY-MM-DD" the tier is held until; "" when not known */
	bool has_next;       /* a higher tier exists */
	int next_level;
	char next_name[33];
	int next_multiplier_bp;
	int64_t next_growth; /* growth still needed for the next tier */
};

/* The member's stage, visits and tier progress at now. CP_ENOTFOUND for no such member. */
enum cp_err cp_lifecycle_get(struct cp_db *db, const char *member_id, int64_t now,
			     struct cp_lifecycle_view *out, struct cp_errbuf *err);

/* The tier a sale lifted its member to (recorded with the sale); *level -1 and name "" when
 * the sale did not lift one (or is not a sale). */
enum cp_err cp_lifecycle_tier_up(struct cp_db *db, int64_t sale_seq, int *level, char name[33],
				 struct cp_errbuf *err);

#endif
