/* item_search.c — item search over two FTS5 indexes kept by triggers (migration 17): item_fts,
 * trigrams of the names and pinyin initials, for queries of three characters or more, and
 * item_gram, every one- and two-character piece of them (as hex words), for shorter ones; and
 * the price check. Reads only. */
#include <stdio.h>
#include <string.h>

#include "barcode.h"
#include "db_int.h"
#include "item_search.h"
#include "item_search_int.h"
#include "pinyin.h"
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

/* Bytes of the UTF-8 character at s (1 for a stray byte: names are checked when stored). */
static size_t char_len(const char *s)
{
	unsigned char c = (unsigned char)s[0];
	size_t n = c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

	for (size_t i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

/* s[0..n) with ASCII lower-cased, as one hex word, then a space. */
static void hex_word(sqlite3_str *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		sqlite3_str_appendf(out, "%02x", c);
	}
	sqlite3_str_appendchar(out, 1, ' ');
}

/* Every one- and two-character piece of s, as hex words. */
static void grams(sqlite3_str *out, const char *s)
{
	while (s && *s) {
		size_t a = char_len(s);

		hex_word(out, s, a);
		if (s[a])
			hex_word(out, s, a + char_len(s + a));
		s += a;
	}
}

static void sql_grams(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3_str *out = sqlite3_str_new(NULL);
	char *text;

	for (int i = 0; i < argc; i++)
		grams(out, (const char *)sqlite3_value_text(argv[i]));
	if (sqlite3_str_errcode(out) != SQLITE_OK) {
		sqlite3_free(sqlite3_str_finish(out));
		sqlite3_result_error_nomem(ctx);
		return;
	}
	text = sqlite3_str_finish(out);
	sqlite3_result_text(ctx, text ? text : "", -1, text ? sqlite3_free : SQLITE_STATIC);
}

static void sql_pinyin(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char out[CP_PINYIN_SIZE];
	const unsigned char *in;

	(void)argc;
	in = sqlite3_value_text(argv[0]);
	if (!in || !cp_pinyin_initials((const char *)in, out, sizeof(out)))
		out[0] = '\0';
	sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

int cp_item_search_register(struct sqlite3 *h)
{
	int rc = sqlite3_create_function(h, "cp_pinyin", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
					 NULL, sql_pinyin, NULL, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(h, "cp_grams", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
					     NULL, sql_grams, NULL, NULL);
	return rc;
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
	cp_db_col_text(st, 0, it->sku, sizeof(it->sku));
	cp_db_col_text(st, 1, it->barcode, sizeof(it->barcode));
	cp_db_col_text(st, 2, it->name_zh, sizeof(it->name_zh));
	cp_db_col_text(st, 3, it->name_en, sizeof(it->name_en));
	cp_db_col_text(st, 4, it->category, sizeof(it->category));
	it->price = sqlite3_column_int64(st, 5);
	it->member_price =
		sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 6);
	it->earn_excluded = sqlite3_column_int(st, 7) != 0;
	cp_db_col_text(st, 8, it->initials, sizeof(it->initials));
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
		st = cp_db_stmt(
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
		/* one or two characters: one word of item_gram (at most 8 bytes, 16 hex digits) */
		sqlite3_str *word = sqlite3_str_new(NULL);
		char *w;

		hex_word(word, q, strlen(q));
		w = sqlite3_str_finish(word);
		if (!w)
			return cp_errf(err, CP_ENOMEM, "out of memory searching the catalogue");
		snprintf(phrase, sizeof(phrase), "\"%.*s\"", (int)strlen(w) - 1, w);
		sqlite3_free(w);
		st = cp_db_stmt(
			db,
			"SELECT " ITEM_COLS " FROM item_gram g"
			" JOIN item i ON i.rowid = g.rowid JOIN category c ON c.code = i.category"
			" WHERE item_gram MATCH ?1 AND i.active = 1"
			" ORDER BY g.rowid LIMIT ?2 OFFSET ?3",
			err);
		if (!st)
			return CP_EDB;
		sqlite3_bind_text(st, 1, phrase, -1, SQLITE_STATIC);
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
		return cp_db_fail(db, rc, "search the catalogue", err);
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
