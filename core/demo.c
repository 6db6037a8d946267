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
#include "discount_int.h"
#include "earn.h"
#include "member.h"
#include "benefit_int.h"
#include "coupon_int.h"
#include "lifecycle_int.h"
#include "offer_int.h"
#include "records_int.h"
#include "staff.h"

extern const char cp_demo_json[];
extern const size_t cp_demo_json_len;

#define WHERE_MAX 64

static enum cp_err damaged(struct cp_errbuf *err, const char *where, const char *key,
			   const char *what)
{
	return cp_rec_bad(&cp_rec_demo, where, key, what, err);
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
	if ((result = cp_rec_str(&cp_rec_demo, store, "name", false, &name, "store", err)) != CP_OK)
		return result;
	return cp_db_meta_set(db, "store_name", name, err);
}

static enum cp_err seed_categories(struct cp_db *db, json_t *root, struct cp_errbuf *err)
{
	char where[WHERE_MAX];
	const char *code, *name;
	enum cp_err result;
	json_t *list, *c;
	bool excluded;
	size_t i;

	if ((result = get_array(root, "categories", &list, err)) != CP_OK)
		return result;
	json_array_foreach (list, i, c) {
		snprintf(where, sizeof(where), "categories[%zu]", i);
		if ((result = cp_rec_category(&cp_rec_demo, c, &code, &name, &excluded, where,
					      err)) ||
		    (result = cp_catalog_put_category(db, code, name, excluded, err)))
			return cp_rec_stored(&cp_rec_demo, result, where, err);
	}
	return CP_OK;
}

static enum cp_err seed_items(struct cp_db *db, json_t *root, struct cp_errbuf *err)
{
	char where[WHERE_MAX];
	enum cp_err result;
	struct cp_item it;
	json_t *list, *j;
	size_t i;

	if ((result = get_array(root, "items", &list, err)) != CP_OK)
		return result;
	json_array_foreach (list, i, j) {
		snprintf(where, sizeof(where), "items[%zu]", i);
		if ((result = cp_rec_item(&cp_rec_demo, j, &it, where, err)) ||
		    (result = cp_catalog_put_item(db, &it, err)))
			return cp_rec_stored(&cp_rec_demo, result, where, err);
	}
	return CP_OK;
}

static enum cp_err seed_tiers(struct cp_db *db, json_t *root, struct cp_errbuf *err)
{
	char where[WHERE_MAX];
	enum cp_err result;
	struct cp_tier t;
	json_t *list, *j;
	size_t i;

	if ((result = get_array(root, "tiers", &list, err)) != CP_OK)
		return result;
	json_array_foreach (list, i, j) {
		snprintf(where, sizeof(where), "tiers[%zu]", i);
		if ((result = cp_rec_tier(&cp_rec_demo, j, &t, where, err)) ||
		    (result = cp_tier_put(db, &t, err)))
			return cp_rec_stored(&cp_rec_demo, result, where, err);
		if ((result = cp_discount_tier_record(db, &cp_rec_demo, j, t.level, where, err)))
			return result;
	}
	return CP_OK;
}

static enum cp_err seed_rules(struct cp_db *db, json_t *root, struct cp_errbuf *err)
{
	struct cp_earn_rules r;
	enum cp_err result;

	if ((result = cp_rec_rules(&cp_rec_demo, json_object_get(root, "earn_rules"), &r,
				   "earn_rules", err)) ||
	    (result = cp_earn_rules_store(db, &r, err)))
		return cp_rec_stored(&cp_rec_demo, result, "earn_rules", err);
	return CP_OK;
}

static enum cp_err seed_staff(struct cp_db *db, json_t *root, struct cp_errbuf *err)
{
	char where[WHERE_MAX];
	const char *code, *name, *role, *pin, *badge;
	enum cp_err result;
	json_t *list, *j;
	size_t i;

	if ((result = get_array(root, "staff", &list, err)) != CP_OK)
		return result;
	json_array_foreach (list, i, j) {
		int r;

		snprintf(where, sizeof(where), "staff[%zu]", i);
		if ((result = cp_rec_str(&cp_rec_demo, j, "code", false, &code, where, err)) ||
		    (result = cp_rec_str(&cp_rec_demo, j, "name", false, &name, where, err)) ||
		    (result = cp_rec_str(&cp_rec_demo, j, "role", false, &role, where, err)) ||
		    (result = cp_rec_str(&cp_rec_demo, j, "pin", false, &pin, where, err)) ||
		    (result = cp_rec_str(&cp_rec_demo, j, "badge", true, &badge, where, err)))
			return result;
		if ((r = cp_role_parse(role)) < 0)
			return damaged(err, where, "role",
				       "must be \"cashier\", \"guide\" or \"manager\"");
		result = cp_staff_set(db, code, name, (enum cp_role)r, pin, err);
		if (result == CP_OK && badge)
			result = cp_staff_set_badge(db, code, badge, err);
		if (result != CP_OK)
			return cp_rec_stored(&cp_rec_demo, result, where, err);
	}
	return CP_OK;
}

static enum cp_err seed_member(struct cp_db *db, json_t *j, const char *where,
			       struct cp_errbuf *err)
{
	struct cp_member_snapshot s;
	const char *local_id;
	uint8_t hash[32];
	enum cp_err result;

	if ((result = cp_rec_member(&cp_rec_demo, j, &s, hash, &local_id, where, err)) ||
	    (result = cp_member_put_snapshot(db, &s, err)))
		return cp_rec_stored(&cp_rec_demo, result, where, err);
	return CP_OK;
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

/* Offers are optional in a store file: one without them seeds none. */
static enum cp_err seed_offers(struct cp_db *db, json_t *root, struct cp_errbuf *err)
{
	char where[WHERE_MAX];
	struct cp_offer o;
	enum cp_err result;
	json_t *list = json_object_get(root, "offers"), *j;
	size_t i;

	if (!list)
		return CP_OK;
	if ((result = get_array(root, "offers", &list, err)) != CP_OK)
		return result;
	json_array_foreach (list, i, j) {
		snprintf(where, sizeof(where), "offers[%zu]", i);
		if ((result = cp_rec_offer(&cp_rec_demo, j, &o, where, err)) ||
		    (result = cp_offer_put(db, &o, err)))
			return cp_rec_stored(&cp_rec_demo, result, where, err);
	}
	return CP_OK;
}

static enum cp_err check_empty(struct cp_db *db, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "SELECT EXISTS(SELECT 1 FROM item) OR EXISTS(SELECT 1 FROM member)", err);
	enum cp_err result;
	int rc;

	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		result = cp_db_fail(db, rc, "check for an existing store", err);
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
	if ((result = cp_db_begin(db, err)) != CP_OK)
		goto done;
	if ((result = check_empty(db, err)) || (result = seed_store(db, root, err)) ||
	    (result = seed_categories(db, root, err)) || (result = seed_items(db, root, err)) ||
	    (result = seed_tiers(db, root, err)) || (result = seed_rules(db, root, err)) ||
	    (result = seed_staff(db, root, err)) || (result = seed_members(db, root, err)) ||
	    (result = cp_coupon_demo_seed(db, root, err)) ||
	    (result = cp_benefit_demo_seed(db, root, err)) ||
	    (result = seed_offers(db, root, err)) ||
	    (result = cp_lifecycle_demo_seed(db, root, err)) ||
	    (result = cp_db_meta_set(db, "demo", "1", err))) /* the first login opens a shift */
		goto out;
	result = cp_db_commit(db, err);
out:
	if (result != CP_OK)
		cp_db_rollback(db);
done:
	json_decref(root);
	return result;
}
