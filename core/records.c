/* records.c — one reader per kind of store record, shared by the demo seed and HQ's feed:
 * every field checked, a bad one named with where it is. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cp_crypto.h"
#include "records_int.h"

const struct rec_src cp_rec_demo = {"the demo store is damaged", CP_ECORRUPT};
const struct rec_src cp_rec_hq = {"HQ's answer is malformed", CP_EINVAL};

enum cp_err cp_rec_bad(const struct rec_src *src, const char *where, const char *key,
		       const char *what, struct cp_errbuf *err)
{
	return cp_errf(err, src->bad, "%s: %s%s%s %s", src->name, where, key ? "." : "",
		       key ? key : "", what);
}

enum cp_err cp_rec_str(const struct rec_src *src, json_t *o, const char *key, bool nullable,
		       const char **out, const char *where, struct cp_errbuf *err)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (nullable && (!v || json_is_null(v))) {
		*out = NULL;
		return CP_OK;
	}
	if (!json_is_string(v))
		return cp_rec_bad(src, where, key, "is missing or not a string", err);
	*out = json_string_value(v);
	return CP_OK;
}

enum cp_err cp_rec_int(const struct rec_src *src, json_t *o, const char *key, int64_t min,
		       int64_t max, int64_t *out, const char *where, struct cp_errbuf *err)
{
	json_t *v = json_object_get(o, key);
	json_int_t n;

	if (!json_is_integer(v))
		return cp_rec_bad(src, where, key, "is missing or not an integer", err);
	n = json_integer_value(v);
	if (n < min || n > max) {
		char what[96];

		snprintf(what, sizeof(what), "is out of range (%lld to %lld)", (long long)min,
			 (long long)max);
		return cp_rec_bad(src, where, key, what, err);
	}
	*out = (int64_t)n;
	return CP_OK;
}

enum cp_err cp_rec_bool(const struct rec_src *src, json_t *o, const char *key, bool *out,
			const char *where, struct cp_errbuf *err)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_boolean(v))
		return cp_rec_bad(src, where, key, "is missing or not true/false", err);
	*out = json_is_true(v);
	return CP_OK;
}

enum cp_err cp_rec_stored(const struct rec_src *src, enum cp_err rc, const char *where,
			  struct cp_errbuf *err)
{
	if (rc == CP_EINVAL || rc == CP_EEXIST) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err ? err->msg : "");
		return cp_errf(err, src->bad, "%s: %s: %s", src->name, where, msg);
	}
	return rc;
}

static enum cp_err copy(const struct rec_src *src, json_t *o, const char *key, bool nullable,
			char *dst, size_t dstlen, const char *where, struct cp_errbuf *err)
{
	const char *s = NULL;
	enum cp_err result = cp_rec_str(src, o, key, nullable, &s, where, err);

	if (result != CP_OK)
		return result;
	if (s && strlen(s) >= dstlen)
		return cp_rec_bad(src, where, key, "is too long", err);
	snprintf(dst, dstlen, "%s", s ? s : "");
	return CP_OK;
}

static enum cp_err object(const struct rec_src *src, json_t *o, const char *where,
			  struct cp_errbuf *err)
{
	return json_is_object(o) ? CP_OK : cp_rec_bad(src, where, NULL, "is not an object", err);
}

enum cp_err cp_rec_category(const struct rec_src *src, json_t *o, const char **code,
			    const char **name, bool *excluded, const char *where,
			    struct cp_errbuf *err)
{
	enum cp_err result;

	if ((result = object(src, o, where, err)) ||
	    (result = cp_rec_str(src, o, "code", false, code, where, err)) ||
	    (result = cp_rec_str(src, o, "name", false, name, where, err)))
		return result;
	return cp_rec_bool(src, o, "earn_excluded", excluded, where, err);
}

enum cp_err cp_rec_item(const struct rec_src *src, json_t *o, struct cp_item *it, const char *where,
			struct cp_errbuf *err)
{
	json_t *mp = json_object_get(o, "member_price");
	enum cp_err result;

	memset(it, 0, sizeof(*it));
	if ((result = object(src, o, where, err)) ||
	    (result = copy(src, o, "sku", false, it->sku, sizeof(it->sku), where, err)) ||
	    (result =
		     copy(src, o, "barcode", true, it->barcode, sizeof(it->barcode), where, err)) ||
	    (result = copy(src, o, "name_zh", false, it->name_zh, sizeof(it->name_zh), where,
			   err)) ||
	    (result = copy(src, o, "name_en", false, it->name_en, sizeof(it->name_en), where,
			   err)) ||
	    (result = copy(src, o, "category", false, it->category, sizeof(it->category), where,
			   err)) ||
	    (result = cp_rec_int(src, o, "price", 0, INT64_MAX, &it->price, where, err)) ||
	    (result = copy(src, o, "initials", true, it->initials, sizeof(it->initials), where,
			   err)))
		return result;
	it->member_price = -1;
	if (mp && !json_is_null(mp))
		return cp_rec_int(src, o, "member_price", 0, INT64_MAX, &it->member_price, where,
				  err);
	return CP_OK;
}

enum cp_err cp_rec_tier(const struct rec_src *src, json_t *o, struct cp_tier *t, const char *where,
			struct cp_errbuf *err)
{
	int64_t level = 0, bp = 0;
	enum cp_err result;

	memset(t, 0, sizeof(*t));
	if ((result = object(src, o, where, err)) ||
	    (result = cp_rec_int(src, o, "level", 0, INT_MAX, &level, where, err)) ||
	    (result = copy(src, o, "name", false, t->name, sizeof(t->name), where, err)) ||
	    (result = cp_rec_int(src, o, "threshold", 0, INT64_MAX, &t->threshold, where, err)) ||
	    (result = cp_rec_int(src, o, "multiplier_bp", 1, INT_MAX, &bp, where, err)))
		return result;
	t->level = (int)level;
	t->multiplier_bp = (int)bp;
	return CP_OK;
}

enum cp_err cp_rec_rules(const struct rec_src *src, json_t *o, struct cp_earn_rules *r,
			 const char *where, struct cp_errbuf *err)
{
	const char *kind = NULL, *combine = NULL;
	int64_t value = 0, day_bp = 0, bday_bp = 0;
	enum cp_err result;

	memset(r, 0, sizeof(*r));
	if ((result = object(src, o, where, err)) ||
	    (result = cp_rec_int(src, o, "points_per_yuan_bp", 0, INT64_MAX, &r->points_per_yuan_bp,
				 where, err)) ||
	    (result = cp_rec_int(src, o, "growth_per_yuan_bp", 0, INT64_MAX, &r->growth_per_yuan_bp,
				 where, err)) ||
	    (result = cp_rec_str(src, o, "member_day_kind", false, &kind, where, err)) ||
	    (result = cp_rec_int(src, o, "member_day_value", 0, 31, &value, where, err)) ||
	    (result = cp_rec_int(src, o, "member_day_bp", 1, INT_MAX, &day_bp, where, err)) ||
	    (result = cp_rec_int(src, o, "birthday_bp", 1, INT_MAX, &bday_bp, where, err)) ||
	    (result = cp_rec_str(src, o, "combine", false, &combine, where, err)) ||
	    (result = cp_rec_int(src, o, "welcome_points", 0, CP_EARN_BONUS_MAX, &r->welcome_points,
				 where, err)) ||
	    (result = cp_rec_int(src, o, "referral_points", 0, CP_EARN_BONUS_MAX,
				 &r->referral_points, where, err)) ||
	    (result = cp_rec_int(src, o, "points_per_yuan_value", 1, INT64_MAX,
				 &r->points_per_yuan_value, where, err)))
		return result;
	if (strcmp(kind, "none") == 0)
		r->member_day_kind = CP_MEMBER_DAY_NONE;
	else if (strcmp(kind, "weekday") == 0)
		r->member_day_kind = CP_MEMBER_DAY_WEEKDAY;
	else if (strcmp(kind, "monthday") == 0)
		r->member_day_kind = CP_MEMBER_DAY_MONTHDAY;
	else
		return cp_rec_bad(src, where, "member_day_kind",
				  "must be \"none\", \"weekday\" or \"monthday\"", err);
	if (strcmp(combine, "highest") != 0 && strcmp(combine, "product") != 0)
		return cp_rec_bad(src, where, "combine", "must be \"highest\" or \"product\"", err);
	r->combine_product = strcmp(combine, "product") == 0;
	r->member_day_value = (int)value;
	r->member_day_bp = (int)day_bp;
	r->birthday_bp = (int)bday_bp;
	return CP_OK;
}

enum cp_err cp_rec_member(const struct rec_src *src, json_t *o, struct cp_member_snapshot *s,
			  uint8_t hash[32], const char **local_id, const char *where,
			  struct cp_errbuf *err)
{
	const char *hash_hex = NULL;
	enum cp_err result;
	int64_t tier = 0;

	memset(s, 0, sizeof(*s));
	*local_id = NULL;
	if ((result = object(src, o, where, err)) ||
	    (result = cp_rec_str(src, o, "id", false, &s->id, where, err)) ||
	    (result = cp_rec_str(src, o, "phone", true, &s->phone, where, err)) ||
	    (result = cp_rec_str(src, o, "phone_hash", true, &hash_hex, where, err)) ||
	    (result = cp_rec_str(src, o, "phone_masked", true, &s->phone_masked, where, err)) ||
	    (result = cp_rec_str(src, o, "card_no", true, &s->card_no, where, err)) ||
	    (result = cp_rec_str(src, o, "name", false, &s->name, where, err)) ||
	    (result = cp_rec_str(src, o, "birthday", true, &s->birthday, where, err)) ||
	    (result = cp_rec_int(src, o, "points", INT64_MIN, INT64_MAX, &s->points, where, err)) ||
	    (result = cp_rec_int(src, o, "growth", 0, INT64_MAX, &s->growth, where, err)) ||
	    (result = cp_rec_int(src, o, "tier", 0, INT_MAX, &tier, where, err)) ||
	    (result = cp_rec_int(src, o, "expiring_points", 0, INT64_MAX, &s->expiring_points,
				 where, err)) ||
	    (result = cp_rec_str(src, o, "expiring_on", true, &s->expiring_on, where, err)) ||
	    (result = cp_rec_str(src, o, "tier_until", true, &s->tier_until, where, err)) ||
	    (result = cp_rec_str(src, o, "guide", true, &s->guide, where, err)) ||
	    (result = cp_rec_int(src, o, "version", 0, INT64_MAX, &s->version, where, err)) ||
	    (result = cp_rec_str(src, o, "local_id", true, local_id, where, err)))
		return result;
	s->tier_level = (int)tier;
	if (!s->phone) {
		if (!hash_hex || !cp_unhex(hash_hex, hash, 32))
			return cp_rec_bad(src, where, "phone_hash",
					  "is missing or not 64 hex digits", err);
		if (!s->phone_masked)
			return cp_rec_bad(src, where, "phone_masked", "is missing", err);
		s->phone_hash = hash;
	}
	return CP_OK;
}
