/* demo.c — seeds an empty database with the demo store compiled in from
 * packaging/demo/store.json (the file the reference HQ loads too): one transaction, all or
 * nothing, and every field checked so that a damaged file names what is wrong. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "catalog.h"
#include "db_int.h"
#include "demo.h"
#include "earn.h"
#include "member.h"
#include "staff.h"

extern const char cp_demo_json[];
extern const size_t cp_demo_json_len;

#define WHERE_MAX 64

static enum cp_err damaged(struct cp_errbuf *err, const char *where, const char *key,
			   const char *what)
{
	return cp_errf(err, CP_ECORRUPT, "the demo store is damaged: %s%s%s %s", where,
		       key ? "." : "", key ? key : "", what);
}

/* A string member; with nullable, a JSON null or a missing key gives NULL. */
static enum cp_err get_str(json_t *obj, const char *key, bool nullable, const char **out,
			   const char *where, struct cp_errbuf *err)
{
	json_t *v = json_object_get(obj, key);

	if (nullable && (!v || json_is_null(v))) {
		*out = NULL;
		return CP_OK;
	}
	if (!json_is_string(v))
		return damaged(err, where, key, "is missing or not a string");
	*out = json_string_value(v);
	return CP_OK;
}

static enum cp_err get_int(json_t *obj, const char *key, int64_t min, int64_t max, int64_t *out,
			   const char *where, struct cp_errbuf *err)
{
	json_t *v = json_object_get(obj, key);
	json_int_t n;

	if (!json_is_integer(v))
		return damaged(err, where, key, "is missing or not an integer");
	n = json_integer_value(v);
	if (n < min || n > max)
		return damaged(err, where, key, "is out of range");
	*out = (int64_t)n;
	return CP_OK;
}

static enum cp_err copy_str(json_t *obj, const char *key, bool nullable, char *dst, size_t dstlen,
			    const char *where, struct cp_errbuf *err)
{
	const char *s;
	enum cp_err result = get_str(obj, key, nullable, &s, where, err);

	if (result != CP_OK)
		return result;
	if (s && strlen(s) >= dstlen)
		return damaged(err, where, key, "is too long");
	snprintf(dst, dstlen, "%s", s ? s : "");
	return CP_OK;
}

/* A refusal by the module that stores the record means the file is wrong, not the input of
 * a person: say where in the file. */
static enum cp_err stored(enum cp_err rc, const char *where, struct cp_errbuf *err)
{
	if (rc == CP_EINVAL || rc == CP_EEXIST) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err ? err->msg : "");
		return cp_errf(err, CP_ECORRUPT, "the demo store is damaged: %s: %s", where, msg);
	}
	return rc;
}

static enum cp_err get_array(json_t *root, const char *key, json_t **out, struct cp_errbuf *err)
{
	*out = json_object_get(root, key);
	if (!json_is_array(*out) || json_array_size(*out) == 0)
		return damaged(err, key, NULL, "is missing or not a non-empty list");
	return CP_OK;
}

static enum cp_err seed_store(struct cp_db *db, json_t *root, struct cp_errbuf *err)
{
	json_t *store = json_object_get(root, "store");
	const char *name;
	enum cp_err result;

	if (!json_is_object(store))
		return damaged(err, "store", NULL, "is missing or not an object");
	if ((result = get_str(store, "name", false, &name, "store", err)) != CP_OK)
		return result;
	return db_meta_set(db, "store_name", name, err);
}

static enum cp_err seed_categories(struct cp_db *db, json_t *root, struct cp_errbuf *err)
{
	char where[WHERE_MAX];
	const char *code, *name;
	enum cp_err result;
	json_t *list, *c;
	size_t i;

	if ((result = get_array(root, "categories", &list, err)) != CP_OK)
		return result;
	json_array_foreach (list, i, c) {
		json_t *x = json_object_get(c, "earn_excluded");

		snprintf(where, sizeof(where), "categories[%zu]", i);
		if ((result = get_str(c, "code", false, &code, where, err)) != CP_OK ||
		    (result = get_str(c, "name", false, &name, where, err)) != CP_OK)
			return result;
		if (!json_is_boolean(x))
			return damaged(err, where, "earn_excluded", "is missing or not true/false");
		result = cp_catalog_put_category(db, code, name, json_is_true(x), err);
		if (result != CP_OK)
			return stored(result, where, err);
	}
	return CP_OK;
}

static enum cp_err seed_items(struct cp_db *db, json_t *root, struct cp_errbuf *err)
{
	char where[WHERE_MAX];
	enum cp_err result;
	json_t *list, *j, *mp;
	size_t i;

	if ((result = get_array(root, "items", &list, err)) != CP_OK)
		return result;
	json_array_foreach (list, i, j) {
		struct cp_item it;

		memset(&it, 0, sizeof(it));
		snprintf(where, sizeof(where), "items[%zu]", i);
		if ((result = copy_str(j, "sku", false, it.sku, sizeof(it.sku), where, err)) ||
		    (result = copy_str(j, "barcode", true, it.barcode, sizeof(it.barcode), where,
				       err)) ||
		    (result = copy_str(j, "name_zh", false, it.name_zh, sizeof(it.name_zh), where,
				       err)) ||
		    (result = copy_str(j, "name_en", false, it.name_en, sizeof(it.name_en), where,
				       err)) ||
		    (result = copy_str(j, "category", false, it.category, sizeof(it.category),
				       where, err)) ||
		    (result = get_int(j, "price", 0, INT64_MAX, &it.price, where, err)))
			return result;
		mp = json_object_get(j, "member_price");
		it.member_price = -1;
		if (mp && !json_is_null(mp) &&
		    (result = get_int(j, "member_price", 0, INT64_MAX, &it.member_price, where,
				      err)) != CP_OK)
			return result;
		if ((result = cp_catalog_put_item(db, &it, err)) != CP_OK)
			return stored(result, where, err);
	}
	return CP_OK;
}

static enum cp_err seed_tiers(struct cp_db *db, json_t *root, struct cp_errbuf *err)
{
	char where[WHERE_MAX];
	enum cp_err result;
	json_t *list, *j;
	size_t i;

	if ((result = get_array(root, "tiers", &list, err)) != CP_OK)
		return result;
	json_array_foreach (list, i, j) {
		struct cp_tier t;
		int64_t level, bp;

		memset(&t, 0, sizeof(t));
		snprintf(where, sizeof(where), "tiers[%zu]", i);
		if ((result = get_int(j, "level", 0, INT_MAX, &level, where, err)) ||
		    (result = copy_str(j, "name", false, t.name, sizeof(t.name), where, err)) ||
		    (result = get_int(j, "threshold", 0, INT64_MAX, &t.threshold, where, err)) ||
		    (result = get_int(j, "multiplier_bp", 1, INT_MAX, &bp, where, err)))
			return result;
		t.level = (int)level;
		t.multiplier_bp = (int)bp;
		if ((result = cp_tier_put(db, &t, err)) != CP_OK)
			return stored(result, where, err);
	}
	return CP_OK;
}

static enum cp_err seed_rules(struct cp_db *db, json_t *root, struct cp_errbuf *err)
{
	static const char where[] = "earn_rules";
	json_t *j = json_object_get(root, "earn_rules");
	struct cp_earn_rules r;
	const char *kind, *combine;
	int64_t value, day_bp, bday_bp;
	enum cp_err result;

	if (!json_is_object(j))
		return damaged(err, where, NULL, "is missing or not an object");
	memset(&r, 0, sizeof(r));
	if ((result = get_int(j, "points_per_yuan_bp", 0, INT64_MAX, &r.points_per_yuan_bp, where,
			      err)) ||
	    (result = get_int(j, "growth_per_yuan_bp", 0, INT64_MAX, &r.growth_per_yuan_bp, where,
			      err)) ||
	    (result = get_str(j, "member_day_kind", false, &kind, where, err)) ||
	    (result = get_int(j, "member_day_value", 0, 31, &value, where, err)) ||
	    (result = get_int(j, "member_day_bp", 1, INT_MAX, &day_bp, where, err)) ||
	    (result = get_int(j, "birthday_bp", 1, INT_MAX, &bday_bp, where, err)) ||
	    (result = get_str(j, "combine", false, &combine, where, err)) ||
	    (result = get_int(j, "welcome_points", 0, INT64_MAX, &r.welcome_points, where, err)) ||
	    (result =
		     get_int(j, "referral_points", 0, INT64_MAX, &r.referral_points, where, err)) ||
	    (result = get_int(j, "points_per_yuan_value", 1, INT64_MAX, &r.points_per_yuan_value,
			      where, err)))
		return result;
	if (strcmp(kind, "none") == 0)
		r.member_day_kind = CP_MEMBER_DAY_NONE;
	else if (strcmp(kind, "weekday") == 0)
		r.member_day_kind = CP_MEMBER_DAY_WEEKDAY;
	else if (strcmp(kind, "monthday") == 0)
		r.member_day_kind = CP_MEMBER_DAY_MONTHDAY;
	else
		return damaged(err, where, "member_day_kind",
			       "must be \"none\", \"weekday\" or \"monthday\"");
	if (strcmp(combine, "highest") != 0 && strcmp(combine, "product") != 0)
		return damaged(err, where, "combine", "must be \"highest\" or \"product\"");
	r.combine_product = strcmp(combine, "product") == 0;
	r.member_day_value = (int)value;
	r.member_day_bp = (int)day_bp;
	r.birthday_bp = (int)bday_bp;
	return stored(cp_earn_rules_store(db, &r, err), where, err);
}

static enum cp_err seed_staff(struct cp_db *db, json_t *root, struct cp_errbuf *err)
{
	char where[WHERE_MAX];
	const char *code, *name, *role, *pin;
	enum cp_err result;
	json_t *list, *j;
	size_t i;

	if ((result = get_array(root, "staff", &list, err)) != CP_OK)
		return result;
	json_array_foreach (list, i, j) {
		int r;

		snprintf(where, sizeof(where), "staff[%zu]", i);
		if ((result = get_str(j, "code", false, &code, where, err)) ||
		    (result = get_str(j, "name", false, &name, where, err)) ||
		    (result = get_str(j, "role", false, &role, where, err)) ||
		    (result = get_str(j, "pin", false, &pin, where, err)))
			return result;
		if ((r = cp_role_parse(role)) < 0)
			return damaged(err, where, "role",
				       "must be \"cashier\", \"guide\" or \"manager\"");
		result = cp_staff_set(db, code, name, (enum cp_role)r, pin, err);
		if (result != CP_OK)
			return stored(result, where, err);
	}
	return CP_OK;
}

static enum cp_err seed_member(struct cp_db *db, json_t *j, const char *where,
			       struct cp_errbuf *err)
{
	struct cp_member_snapshot s;
	enum cp_err result;
	int64_t tier;

	memset(&s, 0, sizeof(s));
	if ((result = get_str(j, "id", false, &s.id, where, err)) ||
	    (result = get_str(j, "phone", false, &s.phone, where, err)) ||
	    (result = get_str(j, "card_no", true, &s.card_no, where, err)) ||
	    (result = get_str(j, "name", false, &s.name, where, err)) ||
	    (result = get_str(j, "birthday", true, &s.birthday, where, err)) ||
	    (result = get_int(j, "points", INT64_MIN, INT64_MAX, &s.points, where, err)) ||
	    (result = get_int(j, "growth", 0, INT64_MAX, &s.growth, where, err)) ||
	    (result = get_int(j, "tier", 0, INT_MAX, &tier, where, err)) ||
	    (result =
		     get_int(j, "expiring_points", 0, INT64_MAX, &s.expiring_points, where, err)) ||
	    (result = get_str(j, "expiring_on", true, &s.expiring_on, where, err)) ||
	    (result = get_str(j, "guide", true, &s.guide, where, err)) ||
	    (result = get_int(j, "version", 0, INT64_MAX, &s.version, where, err)))
		return result;
	s.tier_level = (int)tier;
	return stored(cp_member_put_snapshot(db, &s, err), where, err);
}

static enum cp_err seed_members(struct cp_db *db, json_t *root, struct cp_errbuf *err)
{
	char where[WHERE_MAX];
	enum cp_err result;
	json_t *list, *j;
	size_t i;

	if ((result = get_array(root, "members", &list, err)) != CP_OK)
		return result;
	json_array_foreach (list, i, j) {
		snprintf(where, sizeof(where), "members[%zu]", i);
		if (!json_is_object(j))
			return damaged(err, where, NULL, "is not an object");
		if ((result = seed_member(db, j, where, err)) != CP_OK)
			return result;
	}
	return CP_OK;
}

static enum cp_err check_empty(struct cp_db *db, struct cp_errbuf *err)
{
	sqlite3_stmt *st = db_stmt(
		db, "SELECT EXISTS(SELECT 1 FROM item) OR EXISTS(SELECT 1 FROM member)", err);
	enum cp_err result;
	int rc;

	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		result = db_fail(db, rc, "check for an existing store", err);
	else if (sqlite3_column_int(st, 0))
		result =
			cp_errf(err, CP_EEXIST,
				"the database already holds a store; the demo store goes only into "
				"a new database (counterpoint init)");
	else
		result = CP_OK;
	sqlite3_reset(st);
	return result;
}

enum cp_err cp_demo_seed(struct cp_db *db, struct cp_errbuf *err)
{
	enum cp_err result = CP_ECORRUPT; /* fail-safe */
	json_error_t jerr;
	json_t *root;

	root = json_loadb(cp_demo_json, cp_demo_json_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return cp_errf(err, CP_ECORRUPT,
			       "the demo store is damaged: not valid JSON (line %d: %s)", jerr.line,
			       jerr.text);
	if (!json_is_object(root)) {
		damaged(err, "the top level", NULL, "is not an object");
		goto done;
	}
	if ((result = db_begin(db, err)) != CP_OK)
		goto done;
	if ((result = check_empty(db, err)) || (result = seed_store(db, root, err)) ||
	    (result = seed_categories(db, root, err)) || (result = seed_items(db, root, err)) ||
	    (result = seed_tiers(db, root, err)) || (result = seed_rules(db, root, err)) ||
	    (result = seed_staff(db, root, err)) || (result = seed_members(db, root, err)))
		goto out;
	result = db_commit(db, err);
out:
	if (result != CP_OK)
		db_rollback(db);
done:
	json_decref(root);
	return result;
}
