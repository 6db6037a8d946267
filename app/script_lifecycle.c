/* script_lifecycle.c — the member's stage, visits and tier progress added to the member
 * objects of `member`, `balance`, `attach` and `register`, and the tier a sale lifted its
 * member to in the answer of `pay`. */
#include <string.h>

#include "cp_clock.h"
#include "db.h"
#include "lifecycle.h"
#include "script.h"

void script_member_lifecycle(struct script *s, json_t *member)
{
	struct cp_lifecycle_view v;
	struct cp_errbuf err = {{0}};
	const char *id = json_string_value(json_object_get(member, "id"));

	if (!id || cp_lifecycle_get(s->db, id, cp_db_now(s->db), &v, &err) != CP_OK)
		return; /* the member's own fields stand; these are extra */
	script_set(member, "stage", script_str(v.stage));
	script_set(member, "stage_from_hq", json_boolean(v.stage_from_hq));
	script_set(member, "visits", json_integer(v.visits));
	script_set(member, "spent", json_integer(v.spent));
	script_set(member, "last_visit", v.last_visit[0] ? script_str(v.last_visit) : json_null());
	script_set(member, "days_since_visit",
		   v.days_since < 0 ? json_null() : json_integer(v.days_since));
	script_set(member, "tier_until", v.tier_until[0] ? script_str(v.tier_until) : json_null());
	script_set(member, "next_tier_level",
		   v.has_next ? json_integer(v.next_level) : json_null());
	script_set(member, "next_tier_multiplier_bp",
		   v.has_next ? json_integer(v.next_multiplier_bp) : json_null());
}

void script_pay_tier_up(json_t *ans, const struct cp_sale_result *r)
{
	json_t *o = json_null();

	if (r->tier_up[0]) {
		o = script_need(json_object());
		script_set(o, "level", json_integer(r->tier_up_level));
		script_set(o, "name", script_str(r->tier_up));
	}
	script_set(ans, "tier_up", o);
}
