/* item_search.c — item search over item_fts (an FTS5 trigram index of the names and pinyin
 * initials, kept by triggers: migration 17) for queries of three characters or more, and a
 * bounded read of the catalogue for shorter ones; and the price check. Reads only. */
#include <stdio.h>
#include <string.h>

#include "barcode.h"
#include "db_int.h"
#include "item_search.h"
#include "text.h"

#define ITEM_COLS                                                                                  \
	"i.sku, coalesce(i.barcode, ''), i.name_zh, i.name_en, i.category, i.price,"               \
	" i.member_price, c.earn_excluded, i.initials"

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* The query without surrounding spaces, checked, into q. */
static enum cp_err clean_query(const char *query, char q[CP_ITEM_QUERY_MAX + 1],
			       struct cp_errbuf *err)
{
	size_t a = 0, b;

	if (!query)
		query = "";
	b = strlen(query);
	while (a < b && query[a] == ' ')
		a++;
	while (b > a && query[b - 1] == ' ')
		b--;
	if (a == b)
		return cp_errf(err, CP_EINVAL,
			       "type part of the item's name or its pinyin initials to search");
	if (b - a > CP_ITEM_QUERY_MAX)
		return cp_errf(err, CP_EINVAL,
			       "the search is too long: type at most %d bytes (about %d Chinese "
			       "characters)",
			       CP_ITEM_QUERY_MAX, CP_ITEM_QUERY_MAX / 3);
	memcpy(q, query + a, b - a);
	q[b - a] = '\0';
	if (!cp_text_ok(q, CP_ITEM_QUERY_MAX))
		return cp_errf(err, CP_EINVAL,
			       "the search must be text without control characters: type part of "
			       "the item's name again");
	return CP_OK;
}

static void read_item(sqlite3_stmt *st, struct cp_item *it)
{
	memset(it, 0, sizeof(*it));
	db_col_text(st, 0, it->sku, sizeof(it->sku));
	db_col_text(st, 1, it->barcode, sizeof(it->barcode));
	db_col_text(st, 2, it->name_zh, sizeof(it->name_zh));
	db_col_text(st, 3, it->name_en, sizeof(it->name_en));
	db_col_text(st, 4, it->category, sizeof(it->category));
	it->price = sqlite3_column_int64(st, 5);
	it->member_price =
		sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 6);
	it->earn_excluded = sqlite3_column_int(st, 7) != 0;
	db_col_text(st, 8, it->initials, sizeof(it->initials));
}

/* q as one FTS5 phrase: in double quotes, a double quote doubled. */
static void fts_phrase(const char *q, char *out, size_t outlen)
{
	size_t o = 0;

	out[o++] = '"';
	for (; *q && o + 3 < outlen; q++) {
		if (*q == '"')
			out[o++] = '"';
		out[o++] = *q;
	}
	out[o++] = '"';
	out[o] = '\0';
}

enum cp_err cp_item_search(struct cp_db *db, const char *query, int offset, int max,
			   struct cp_item *out, int *n, bool *more, struct cp_errbuf *err)
{
	char q[CP_ITEM_QUERY_MAX + 1], phrase[2 * CP_ITEM_QUERY_MAX + 3];
	enum cp_err result;
	sqlite3_stmt *st;
	int rc, got = 0;

	*n = 0;
	*more = false;
	if (max < 1 || max > CP_ITEM_SEARCH_MAX)
		return cp_errf(err, CP_EINVAL, "show between 1 and %d items at a time",
			       CP_ITEM_SEARCH_MAX);
	if (offset < 0 || offset / max > CP_ITEM_SEARCH_PAGES)
		return cp_errf(err, CP_EINVAL,
			       "the page is out of range: narrow the search instead");
	if ((result = clean_query(query, q, err)) != CP_OK)
		return result;
	if (utf8_chars(q) >= 3) {
		fts_phrase(q, phrase, sizeof(phrase));
		st = db_stmt(
			db,
			"SELECT " ITEM_COLS " FROM item_fts f"
			" JOIN item i ON i.rowid = f.rowid JOIN category c ON c.code = i.category"
			" WHERE item_fts MATCH ?1 AND i.active = 1"
			" ORDER BY f.rowid LIMIT ?2 OFFSET ?3",
			err);
		if (!st)
			return CP_EDB;
		sqlite3_bind_text(st, 1, phrase, -1, SQLITE_STATIC);
	} else {
		st = db_stmt(db,
			     "SELECT " ITEM_COLS
			     " FROM item i JOIN category c ON c.code = i.category"
			     " WHERE i.active = 1 AND (instr(i.name_zh, ?1) > 0"
			     " OR instr(lower(i.name_en), lower(?1)) > 0"
			     " OR instr(i.initials, lower(?1)) > 0)"
			     " ORDER BY i.rowid LIMIT ?2 OFFSET ?3",
			     err);
		if (!st)
			return CP_EDB;
		sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int(st, 2, max + 1);
	sqlite3_bind_int(st, 3, offset);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (got == max) {
			*more = true;
			break;
		}
		read_item(st, &out[got++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, rc, "search the catalogue", err);
	*n = got;
	return CP_OK;
}

enum cp_err cp_item_price_check(struct cp_db *db, const char *code,
				const struct cp_member_view *member, struct cp_price_check *out,
				struct cp_errbuf *err)
{
	char clean[CP_CODE_MAX + 1];
	enum cp_code_kind kind;
	enum cp_err result;

	memset(out, 0, sizeof(*out));
	if ((result = cp_code_parse(code, clean, &kind, err)) != CP_OK ||
	    (result = cp_catalog_find(db, clean, &out->item, err)) != CP_OK)
		return result;
	if (member && member->id[0]) {
		out->has_member = true;
		snprintf(out->member_masked, sizeof(out->member_masked), "%s",
			 member->masked_phone);
		out->member_pays =
			out->item.member_price >= 0 ? out->item.member_price : out->item.price;
	}
	return CP_OK;
}
