/* catalog.c — items and categories: finding what was scanned or typed (barcode first, then
 * SKU) and the checked upserts that the demo seed and HQ's changes go through. */
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "changes_int.h"
#include "db_int.h"
#include "money.h"
#include "records_int.h"
#include "scale.h"
#include "text.h"

#define CODE_MAX 32
#define NAME_MAX_BYTES 128

/* 1..CODE_MAX printable ASCII characters, no spaces. */
static bool code_ok(const char *s)
{
	size_t n = 0;

	if (!s)
		return false;
	for (; s[n]; n++)
		if ((unsigned char)s[n] <= 0x20 || (unsigned char)s[n] >= 0x7f || n >= CODE_MAX)
			return false;
	return n > 0;
}

static bool name_ok(const char *s)
{
	return s && s[0] && cp_text_ok(s, NAME_MAX_BYTES);
}

/* One lookup: CP_OK with *out filled, CP_ENOTFOUND without a message, or a database error. */
static enum cp_err find_by(struct cp_db *db, sqlite3_stmt *st, const char *code,
			   struct cp_item *out, struct cp_errbuf *err)
{
	enum cp_err result;
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		cp_db_col_text(st, 0, out->sku, sizeof(out->sku));
		cp_db_col_text(st, 1, out->barcode, sizeof(out->barcode));
		cp_db_col_text(st, 2, out->name_zh, sizeof(out->name_zh));
		cp_db_col_text(st, 3, out->name_en, sizeof(out->name_en));
		cp_db_col_text(st, 4, out->category, sizeof(out->category));
		out->price = sqlite3_column_int64(st, 5);
		out->member_price = sqlite3_column_type(st, 6) == SQLITE_NULL
					    ? -1
					    : sqlite3_column_int64(st, 6);
		out->earn_excluded = sqlite3_column_int(st, 7) != 0;
		result = CP_OK;
	} else if (rc == SQLITE_DONE) {
		result = CP_ENOTFOUND;
	} else {
		result = cp_db_fail(db, rc, "look up an item", err);
	}
	sqlite3_reset(st);
	return result;
}

enum cp_err cp_catalog_find(struct cp_db *db, const char *code, struct cp_item *out,
			    struct cp_errbuf *err)
{
	/* One statement, its branches run in order and the first row taken: the barcode, its
	 * twin (a UPC-A code and its EAN-13 form with a leading 0 are one item; NULL when the
	 * code has none), then the SKU. Three lookups before, the barcode's a miss on every SKU. */
	sqlite3_stmt *st = cp_db_stmt(db,
				      "SELECT i.sku, i.barcode, i.name_zh, i.name_en, i.category,"
				      " i.price, i.member_price, c.earn_excluded"
				      " FROM item i JOIN category c ON c.code = i.category"
				      " WHERE i.barcode = ?1 AND i.active = 1"
				      " UNION ALL SELECT i.sku, i.barcode, i.name_zh, i.name_en,"
				      " i.category, i.price, i.member_price, c.earn_excluded"
				      " FROM item i JOIN category c ON c.code = i.category"
				      " WHERE i.barcode = ?2 AND i.active = 1"
				      " UNION ALL SELECT i.sku, i.barcode, i.name_zh, i.name_en,"
				      " i.category, i.price, i.member_price, c.earn_excluded"
				      " FROM item i JOIN category c ON c.code = i.category"
				      " WHERE i.sku = ?1 AND i.active = 1 LIMIT 1",
				      err);
	enum cp_err result;
	char twin[14];

	if (!code || !code[0])
		return cp_errf(err, CP_EINVAL, "no item code given: scan or type a barcode or SKU");
	if (st && cp_scale_upc_twin(code, twin))
		sqlite3_bind_text(st, 2, twin, -1, SQLITE_TRANSIENT);
	else if (st)
		sqlite3_bind_null(st, 2);
	result = find_by(db, st, code, out, err);
	if (result != CP_ENOTFOUND)
		return result;
	/* Only a clean code goes back to the screen; anything else could be a paste. */
	if (code_ok(code))
		return cp_errf(err, CP_ENOTFOUND, "unknown code %s: not in the catalogue", code);
	return cp_errf(err, CP_ENOTFOUND, "unknown code: not in the catalogue");
}

enum cp_err cp_catalog_put_category(struct cp_db *db, const char *code, const char *name,
				    bool earn_excluded, struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	if (!code_ok(code))
		return cp_errf(err, CP_EINVAL,
			       "a category code must be 1 to %d printable ASCII characters without "
			       "spaces",
			       CODE_MAX);
	if (!name_ok(name))
		return cp_errf(err, CP_EINVAL,
			       "category %s: the name must be 1 to %d bytes of UTF-8 text without "
			       "control characters",
			       code, NAME_MAX_BYTES);
	st = cp_db_stmt(db,
			"INSERT INTO category(code, name, earn_excluded) VALUES(?1, ?2, ?3)"
			" ON CONFLICT(code) DO UPDATE SET name = excluded.name,"
			" earn_excluded = excluded.earn_excluded",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, earn_excluded ? 1 : 0);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "store a category", err);
}

static enum cp_err check_item(const struct cp_item *it, struct cp_errbuf *err)
{
	if (!code_ok(it->sku))
		return cp_errf(err, CP_EINVAL,
			       "an item SKU must be 1 to %d printable ASCII characters without "
			       "spaces",
			       CODE_MAX);
	if (it->barcode[0] && !code_ok(it->barcode))
		return cp_errf(err, CP_EINVAL,
			       "item %s: the barcode must be empty or 1 to %d printable ASCII "
			       "characters without spaces",
			       it->sku, CODE_MAX);
	if (!name_ok(it->name_zh) || !name_ok(it->name_en))
		return cp_errf(err, CP_EINVAL,
			       "item %s: the Chinese and English names must each be 1 to %d bytes "
			       "of UTF-8 text without control characters",
			       it->sku, NAME_MAX_BYTES);
	if (!code_ok(it->category))
		return cp_errf(err, CP_EINVAL, "item %s: the category code is missing or invalid",
			       it->sku);
	if (it->price < 0 || it->price > CP_MONEY_MAX)
		return cp_errf(
			err, CP_EINVAL,
			"item %s: the price must be between ¥0.00 and ¥%lld.00 (got %lld fen)",
			it->sku, (long long)(CP_MONEY_MAX / 100), (long long)it->price);
	if (it->member_price != -1 && (it->member_price < 0 || it->member_price > CP_MONEY_MAX))
		return cp_errf(err, CP_EINVAL,
			       "item %s: the member price must be between ¥0.00 and ¥%lld.00, or "
			       "-1 for none (got %lld fen)",
			       it->sku, (long long)(CP_MONEY_MAX / 100),
			       (long long)it->member_price);
	return CP_OK;
}

/* A category that exists, and a barcode no other item holds. */
static enum cp_err check_refs(struct cp_db *db, const struct cp_item *it, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, "SELECT 1 FROM category WHERE code = ?1", err);
	char other[CODE_MAX + 1];
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, it->category, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return cp_errf(err, CP_EINVAL,
			       "item %s: there is no category %s; add the category first", it->sku,
			       it->category);
	if (rc != SQLITE_ROW)
		return cp_db_fail(db, rc, "look up a category", err);
	if (!it->barcode[0])
		return CP_OK;
	st = cp_db_stmt(db, "SELECT sku FROM item WHERE barcode = ?1 AND sku <> ?2", err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, it->barcode, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, it->sku, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		cp_db_col_text(st, 0, other, sizeof(other));
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return cp_errf(err, CP_EINVAL, "item %s: barcode %s already belongs to item %s",
			       it->sku, it->barcode, other);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "look up a barcode", err);
}

static enum cp_err upsert_item(struct cp_db *db, const struct cp_item *it, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"INSERT INTO item(sku, barcode, name_zh, name_en, category, price, member_price,"
		" active, initials) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8)"
		" ON CONFLICT(sku) DO UPDATE SET barcode = excluded.barcode,"
		" name_zh = excluded.name_zh, name_en = excluded.name_en,"
		" category = excluded.category, price = excluded.price,"
		" member_price = excluded.member_price, active = 1,"
		" initials = excluded.initials",
		err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, it->sku, -1, SQLITE_STATIC);
	if (it->barcode[0])
		sqlite3_bind_text(st, 2, it->barcode, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, it->name_zh, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, it->name_en, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, it->category, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, it->price);
	if (it->member_price >= 0)
		sqlite3_bind_int64(st, 7, it->member_price);
	else
		sqlite3_bind_null(st, 7);
	sqlite3_bind_text(st, 8, it->initials, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "store an item", err);
}

enum cp_err cp_catalog_put_item(struct cp_db *db, const struct cp_item *item, struct cp_errbuf *err)
{
	struct cp_item it;
	enum cp_err result;
	int own;

	/* The fields are fixed arrays a caller fills; an unterminated one is refused, not read
	 * past. */
	if (!memchr(item->sku, 0, sizeof(item->sku)) ||
	    !memchr(item->barcode, 0, sizeof(item->barcode)) ||
	    !memchr(item->name_zh, 0, sizeof(item->name_zh)) ||
	    !memchr(item->name_en, 0, sizeof(item->name_en)) ||
	    !memchr(item->category, 0, sizeof(item->category)) ||
	    !memchr(item->initials, 0, sizeof(item->initials)))
		return cp_errf(err, CP_EINVAL, "an item field is not terminated");
	if ((result = check_item(item, err)) != CP_OK)
		return result;
	if (!cp_pinyin_ok(item->initials))
		return cp_errf(
			err, CP_EINVAL,
			"item %s: the pinyin initials must be at most %d letters a-z or digits",
			item->sku, CP_PINYIN_MAX);
	it = *item;
	if (!it.initials[0])
		cp_pinyin_initials(it.name_zh, it.initials, sizeof(it.initials));
	if ((result = cp_db_tx_begin(db, &own, err)) != CP_OK)
		return result;
	if ((result = check_refs(db, &it, err)) == CP_OK)
		result = upsert_item(db, &it, err);
	return cp_db_tx_end(db, own, result, err);
}

/* ---- HQ's change feed ---- */

enum cp_err cp_item_change_upsert(struct cp_db *db, json_t *d, const char *where,
				  struct cp_errbuf *err)
{
	json_t *active = json_object_get(d, "active");
	struct cp_item it;
	enum cp_err result;

	if ((result = cp_rec_item(&cp_rec_hq, d, &it, where, err)) != CP_OK)
		return result;
	if (active && !json_is_boolean(active))
		return cp_rec_bad(&cp_rec_hq, where, "active", "is not true/false", err);
	if ((result = cp_catalog_put_item(db, &it, err)) != CP_OK)
		return cp_rec_stored(&cp_rec_hq, result, where, err);
	if (json_is_false(active))
		return cp_change_run_keyed(db, "UPDATE item SET active = 0 WHERE sku = ?1", it.sku,
					   err);
	return CP_OK;
}

enum cp_err cp_item_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err)
{
	return cp_change_run_keyed(db, "UPDATE item SET active = 0 WHERE sku = ?1", key, err);
}

enum cp_err cp_category_change_upsert(struct cp_db *db, json_t *d, const char *where,
				      struct cp_errbuf *err)
{
	const char *code, *name;
	bool excluded;
	enum cp_err result = cp_rec_category(&cp_rec_hq, d, &code, &name, &excluded, where, err);

	if (result != CP_OK)
		return result;
	return cp_rec_stored(&cp_rec_hq, cp_catalog_put_category(db, code, name, excluded, err),
			     where, err);
}

/* items are only ever made inactive: a category used by inactive items only stays */
enum cp_err cp_category_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err)
{
	return cp_change_run_keyed(
		db,
		"DELETE FROM category WHERE code = ?1 AND"
		" NOT EXISTS(SELECT 1 FROM item WHERE category = ?1 AND active = 0)",
		key, err);
}
