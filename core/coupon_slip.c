/* coupon_slip.c — the slip of a coupon a member took for points (积分兑券) or was granted as a
 * benefit: read back from its event (coupon_issue, the journal row and its payload) and the
 * coupon's template, so that it prints the moment the coupon is issued and a reprint says the
 * same. Its number is the coupon's code; receipt.c keeps and reprints it like any receipt. */
#include <stdio.h>
#include <string.h>

#include "coupon_int.h"
#include "receipt.h"

/* The names of the comma-separated category codes, ", "-separated (a code no longer known is
 * printed as itself). */
static enum cp_err category_names(struct cp_db *db, const char *codes, char *out, size_t outlen,
				  struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, "SELECT name FROM category WHERE code = ?1", err);
	char list[CP_COUPON_CATS_LEN], *save = NULL;
	size_t used = 0;

	out[0] = '\0';
	if (!st)
		return CP_EDB;
	snprintf(list, sizeof(list), "%s", codes);
	for (char *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
		char name[129];
		int rc, k;

		sqlite3_bind_text(st, 1, c, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			cp_db_col_text(st, 0, name, sizeof(name));
		else
			snprintf(name, sizeof(name), "%s", c);
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return cp_db_fail(db, rc, "read a category", err);
		k = snprintf(out + used, outlen - used, "%s%s", used ? ", " : "", name);
		if (k < 0 || (size_t)k >= outlen - used)
			break; /* cut: the slip has room for a few names only */
		used += (size_t)k;
	}
	return CP_OK;
}

/* One text of one row of sql with ?1 bound to key; "" when there is none. */
static enum cp_err text_of(struct cp_db *db, const char *sql, const char *key, char *out,
			   size_t outlen, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, sql, err);
	int rc;

	out[0] = '\0';
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		cp_db_col_text(st, 0, out, outlen);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? CP_OK
		       : cp_db_fail(db, rc, "read a coupon slip", err);
}

/* What the coupon does, from its template as this till holds it (nothing when HQ took the
 * template back: the slip then has the title the event carried). */
static enum cp_err template_words(struct cp_db *db, const char *id, struct cp_receipt_slip *s,
				  struct cp_errbuf *err)
{
	struct cp_coupon_template t;
	enum cp_err result = cp_coupon_template_get(db, id, &t, NULL);

	if (result == CP_ENOTFOUND)
		return CP_OK;
	if (result != CP_OK)
		return cp_coupon_template_get(db, id, &t, err);
	if (t.title_zh[0] || t.title_en[0])
		snprintf(s->title, sizeof(s->title), "%s", t.title_zh[0] ? t.title_zh : t.title_en);
	snprintf(s->kind, sizeof(s->kind), "%s", t.kind);
	s->threshold = t.threshold;
	s->amount = t.amount;
	s->percent_bp = t.percent_bp;
	s->cap = t.cap;
	snprintf(s->scope, sizeof(s->scope), "%s", t.scope);
	s->bearer = t.bearer;
	s->stacks = t.stacks;
	if (strcmp(t.kind, "item") == 0) {
		if ((result = text_of(db,
				      "SELECT coalesce(nullif(name_zh, ''), name_en) FROM item"
				      " WHERE sku = ?1",
				      t.sku, s->item, sizeof(s->item), err)) != CP_OK)
			return result;
		if (!s->item[0])
			snprintf(s->item, sizeof(s->item), "%s", t.sku);
	}
	if (strcmp(t.scope, "all") != 0)
		return category_names(db, t.categories, s->categories, sizeof(s->categories), err);
	return CP_OK;
}

enum cp_err cp_coupon_slip_fill(struct cp_db *db, const char *number, struct cp_receipt_view *v,
				int64_t *seq, char *member, size_t memberlen, struct cp_errbuf *err)
{
	struct cp_receipt_slip *s = &v->slip;
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"SELECT i.seq, i.source, i.template_id, i.valid_from, i.valid_to, j.created_at,"
		" lower(hex(substr(j.hash, 1, 4))), json_extract(j.payload, '$.staff'),"
		" json_extract(j.payload, '$.day'),"
		" coalesce((SELECT a.member_id FROM member_alias a"
		" WHERE a.local_id = json_extract(j.payload, '$.member')),"
		" json_extract(j.payload, '$.member'), ''),"
		" coalesce(json_extract(j.payload, '$.points'), 0),"
		" json_extract(j.payload, '$.balance_after'),"
		" coalesce(json_extract(j.payload, '$.coupon.title'), ''),"
		" coalesce(json_extract(j.payload, '$.offer'), json_extract(j.payload, "
		"'$.benefit'),"
		" ''), julianday(i.valid_from) - julianday(json_extract(j.payload, '$.day')) = 1"
		" FROM coupon_issue i JOIN journal j ON j.seq = i.seq"
		" WHERE i.code = ?1 AND i.source IN ('exchange', 'benefit')",
		err);
	char tmpl[CP_COUPON_ID_LEN + 1], source_id[CP_COUPON_ID_LEN + 1];
	enum cp_err result;
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *src = sqlite3_column_text(st, 1);

		v->kind = CP_RECEIPT_COUPON;
		*seq = sqlite3_column_int64(st, 0);
		s->exchange = src && strcmp((const char *)src, "exchange") == 0;
		snprintf(s->code, sizeof(s->code), "%s", number);
		cp_db_col_text(st, 2, tmpl, sizeof(tmpl));
		cp_db_col_text(st, 3, s->valid_from, sizeof(s->valid_from));
		cp_db_col_text(st, 4, s->valid_to, sizeof(s->valid_to));
		v->created_at = sqlite3_column_int64(st, 5);
		cp_db_col_text(st, 6, v->verify_code, sizeof(v->verify_code));
		cp_db_col_text(st, 7, v->staff_code, sizeof(v->staff_code));
		cp_db_col_text(st, 8, v->business_day, sizeof(v->business_day));
		snprintf(s->issued_on, sizeof(s->issued_on), "%s", v->business_day);
		cp_db_col_text(st, 9, member, memberlen);
		v->points_spent = s->exchange ? sqlite3_column_int64(st, 10) : 0;
		s->has_balance = s->exchange && sqlite3_column_type(st, 11) == SQLITE_INTEGER;
		s->balance_after = s->has_balance ? sqlite3_column_int64(st, 11) : 0;
		cp_db_col_text(st, 12, s->title, sizeof(s->title));
		cp_db_col_text(st, 13, source_id, sizeof(source_id));
		s->next_day = sqlite3_column_int(st, 14) != 0;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return CP_ENOTFOUND;
	if (rc != SQLITE_ROW)
		return cp_db_fail(db, rc, "read a coupon slip", err);
	if ((result = text_of(db,
			      s->exchange
				      ? "SELECT coalesce(nullif(name_zh, ''), name_en) FROM offer"
					" WHERE id = ?1"
				      : "SELECT coalesce(nullif(title_zh, ''), title_en) FROM"
					" benefit WHERE id = ?1",
			      source_id, s->source, sizeof(s->source), err)) != CP_OK)
		return result;
	return template_words(db, tmpl, s, err);
}

enum cp_err cp_coupon_slip_exists(struct cp_db *db, const char *number, bool *found,
				  struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db,
				      "SELECT 1 FROM coupon_issue WHERE code = ?1"
				      " AND source IN ('exchange', 'benefit')",
				      err);
	int rc;

	*found = false;
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	*found = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? CP_OK
		       : cp_db_fail(db, rc, "look up the coupon slip", err);
}
