/* coupon.c — coupons (券): templates and issuing rules (HQ's feed, the demo store), the codes
 * and their check character, the coupons the open cart applies, and the journal's view of
 * every coupon this till issued, used, voided or gave back. A coupon's state is its newest
 * coupon_use row here, else what HQ's feed says; sale.c and refund.c call coupon_int.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cart.h"
#include "changes_int.h"
#include "cp_clock.h"
#include "cp_rand.h"
#include "coupon_int.h"
#include "events_int.h"
#include "hq_int.h"
#include "money.h"
#include "offer_int.h"
#include "pointspay.h"
#include "receipt.h"
#include "report_int.h"
#include "staff.h"
#include "text.h"

#define NALPHA 31
#define MS_PER_MIN INT64_C(60000)

static int alpha_index(char c)
{
	const char *p = c ? strchr(CP_COUPON_ALPHABET, c) : NULL;

	return p ? (int)(p - CP_COUPON_ALPHABET) : -1;
}

char cp_coupon_check_char(const char *body, size_t n)
{
	int sum = 0, w, inv = 0;

	if (!body || n + 1 >= NALPHA)
		return '\0';
	for (size_t i = 0; i < n; i++) {
		int v = alpha_index(body[i]);

		if (v < 0)
			return '\0';
		sum = (sum + (int)(i + 1) * v) % NALPHA;
	}
	w = (int)(n + 1);
	for (int k = 1; k < NALPHA; k++)
		if ((w * k) % NALPHA == 1)
			inv = k;
	return CP_COUPON_ALPHABET[((NALPHA - sum) % NALPHA) * inv % NALPHA];
}

enum cp_coupon_shape cp_coupon_parse(const char *text, char out[CP_COUPON_CODE_LEN + 1])
{
	size_t n = 0;

	out[0] = '\0';
	if (!text)
		return CP_COUPON_SHAPE_NOT;
	for (const char *p = text; *p; p++) {
		char c = *p;

		if (c == ' ' || c == '-')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (n == CP_COUPON_CODE_LEN || alpha_index(c) < 0) {
			out[0] = '\0';
			return CP_COUPON_SHAPE_NOT;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	if (n != CP_COUPON_CODE_LEN) {
		out[0] = '\0';
		return CP_COUPON_SHAPE_NOT;
	}
	if (cp_coupon_check_char(out, n - 1) != out[n - 1])
		return CP_COUPON_SHAPE_TYPO;
	return CP_COUPON_SHAPE_OK;
}

void cp_coupon_prefix(const char *store, const char *terminal, char out[5])
{
	uint32_t h = 2166136261u;
	const char *parts[3] = {store, "/", terminal};

	for (int k = 0; k < 3; k++)
		for (const char *p = parts[k]; p && *p; p++)
			h = (h ^ (uint8_t)*p) * 16777619u;
	for (int i = 0; i < 4; i++) {
		out[i] = CP_COUPON_ALPHABET[h % NALPHA];
		h /= NALPHA;
	}
	out[4] = '\0';
}

/* Days since 1970-01-01 of a "YYYY-MM-DD" (proleptic Gregorian), and back. */
static int64_t day_number(const char *s)
{
	int64_t y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int64_t m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void day_text(int64_t z, char out[11])
{
	int64_t era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp + (mp < 10 ? 3 : -9);
	y += m <= 2;
	y = y < 0 ? 0 : y % 10000;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = out[7] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

/* "YYYY-MM-DD" with a real month and day. */
static bool day_ok(const char *s)
{
	int m, d;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* Category codes: letters, digits, '-', '_', separated by commas (spaces allowed). */
static bool codes_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == ',' || *s == ' '))
			return false;
	return true;
}

/* Whether word is one of the comma-separated words of list. */
static bool in_list(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; *p;) {
		size_t len;

		while (*p == ' ' || *p == ',')
			p++;
		len = strcspn(p, ", ");
		if (len && len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
	}
	return false;
}

static enum cp_err bad(struct cp_errbuf *err, const char *what, const char *id, const char *why)
{
	return cp_errf(err, CP_EINVAL, "%s %s: %s", what, id && id[0] ? id : "(no id)", why);
}

enum cp_err cp_coupon_template_put(struct cp_db *db, const struct cp_coupon_template *t,
				   struct cp_errbuf *err)
{
	static const char *const T = "coupon template";
	bool amount = strcmp(t->kind, "amount") == 0, percent = strcmp(t->kind, "percent") == 0,
	     item = strcmp(t->kind, "item") == 0;
	sqlite3_stmt *st;
	int rc;

	if (!cp_hq_token_ok(t->id, CP_COUPON_ID_LEN) || strchr(t->id, ','))
		return bad(err, T, NULL, "the id must be 1 to 32 printable characters, no comma");
	if (!amount && !percent && !item)
		return bad(err, T, t->id, "the kind is amount, percent or item");
	if (!cp_text_ok(t->title_zh, 64) || !cp_text_ok(t->title_en, 64) ||
	    (!t->title_zh[0] && !t->title_en[0]))
		return bad(err, T, t->id, "it needs a title (up to 64 bytes of UTF-8)");
	if (t->threshold < 0 || t->threshold > CP_MONEY_MAX)
		return bad(err, T, t->id, "the threshold is 0 or more fen");
	if (amount && (t->amount <= 0 || t->amount > CP_MONEY_MAX))
		return bad(err, T, t->id, "an amount coupon takes off a positive amount");
	if (percent &&
	    (t->percent_bp <= 0 || t->percent_bp > 10000 || t->cap < 0 || t->cap > CP_MONEY_MAX))
		return bad(err, T, t->id,
			   "a percent coupon takes off 1 to 10000 basis points (100%), its cap "
			   "0 (none) or more");
	if (item && !t->sku[0])
		return bad(err, T, t->id, "an item coupon names the item's sku");
	if (t->valid_days < 0 || t->valid_days > 3660 ||
	    (t->valid_days == 0 && (!day_ok(t->valid_from) || !day_ok(t->valid_to) ||
				    strcmp(t->valid_from, t->valid_to) > 0)))
		return bad(err, T, t->id,
			   "the validity is a number of days (1 to 3660) or two days YYYY-MM-DD, "
			   "the first not later");
	if (strcmp(t->scope, "all") != 0 && strcmp(t->scope, "only") != 0 &&
	    strcmp(t->scope, "except") != 0)
		return bad(err, T, t->id, "the scope is all, only or except");
	if (!codes_ok(t->categories) || (strcmp(t->scope, "only") == 0 && !t->categories[0]))
		return bad(err, T, t->id, "the categories are codes separated by commas");
	st = cp_db_stmt(
		db,
		"INSERT OR REPLACE INTO coupon_template(id, kind, title_zh, title_en,"
		" threshold, amount, percent_bp, cap, sku, valid_days, valid_from, valid_to,"
		" next_day, scope, categories, bearer, stacks) VALUES(?1, ?2, ?3, ?4, ?5,"
		" ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
		err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, t->title_zh, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, t->title_en, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, t->threshold);
	sqlite3_bind_int64(st, 6, amount ? t->amount : 0);
	sqlite3_bind_int(st, 7, percent ? t->percent_bp : 0);
	sqlite3_bind_int64(st, 8, percent ? t->cap : 0);
	if (item)
		sqlite3_bind_text(st, 9, t->sku, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, t->valid_days);
	if (t->valid_days == 0) {
		sqlite3_bind_text(st, 11, t->valid_from, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 12, t->valid_to, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int(st, 13, t->next_day);
	sqlite3_bind_text(st, 14, t->scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 15, t->categories, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 16, t->bearer);
	sqlite3_bind_int(st, 17, t->stacks);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "store coupon template", err);
}

#define TEMPLATE_COLS                                                                              \
	"t.id, t.kind, t.title_zh, t.title_en, t.threshold, t.amount, t.percent_bp, t.cap,"        \
	" coalesce(t.sku, ''), t.valid_days, coalesce(t.valid_from, ''),"                          \
	" coalesce(t.valid_to, ''), t.next_day, t.scope, t.categories, t.bearer, t.stacks"

static void read_template(sqlite3_stmt *st, int c, struct cp_coupon_template *t)
{
	memset(t, 0, sizeof(*t));
	cp_db_col_text(st, c + 0, t->id, sizeof(t->id));
	cp_db_col_text(st, c + 1, t->kind, sizeof(t->kind));
	cp_db_col_text(st, c + 2, t->title_zh, sizeof(t->title_zh));
	cp_db_col_text(st, c + 3, t->title_en, sizeof(t->title_en));
	t->threshold = sqlite3_column_int64(st, c + 4);
	t->amount = sqlite3_column_int64(st, c + 5);
	t->percent_bp = sqlite3_column_int(st, c + 6);
	t->cap = sqlite3_column_int64(st, c + 7);
	cp_db_col_text(st, c + 8, t->sku, sizeof(t->sku));
	t->valid_days = sqlite3_column_int(st, c + 9);
	cp_db_col_text(st, c + 10, t->valid_from, sizeof(t->valid_from));
	cp_db_col_text(st, c + 11, t->valid_to, sizeof(t->valid_to));
	t->next_day = sqlite3_column_int(st, c + 12) != 0;
	cp_db_col_text(st, c + 13, t->scope, sizeof(t->scope));
	cp_db_col_text(st, c + 14, t->categories, sizeof(t->categories));
	t->bearer = sqlite3_column_int(st, c + 15) != 0;
	t->stacks = sqlite3_column_int(st, c + 16) != 0;
}

enum cp_err cp_coupon_template_get(struct cp_db *db, const char *id, struct cp_coupon_template *out,
				   struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "SELECT " TEMPLATE_COLS " FROM coupon_template t WHERE t.id = ?1", err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, id ? id : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_template(st, 0, out);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return cp_errf(err, CP_ENOTFOUND, "there is no coupon template %s at this till",
			       id ? id : "");
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read coupon template", err);
}

enum cp_err cp_coupon_rule_put(struct cp_db *db, const struct cp_coupon_rule *r,
			       struct cp_errbuf *err)
{
	static const char *const R = "coupon rule";
	char ids[sizeof(r->templates)];
	int n = 0;
	sqlite3_stmt *st;
	int rc;

	if (!cp_hq_token_ok(r->id, CP_COUPON_ID_LEN))
		return bad(err, R, NULL, "the id must be 1 to 32 printable characters");
	if (r->threshold <= 0 || r->threshold > CP_MONEY_MAX)
		return bad(err, R, r->id, "the threshold is a positive amount of fen");
	if (!day_ok(r->valid_from) || !day_ok(r->valid_to) ||
	    strcmp(r->valid_from, r->valid_to) > 0)
		return bad(err, R, r->id,
			   "the validity is two days YYYY-MM-DD, the first not later");
	/* the templates are named, not required yet: HQ's feed may send a rule before a template
	 * it changed later, and issuing skips a template this till does not have */
	snprintf(ids, sizeof(ids), "%s", r->templates);
	for (char *save = NULL, *id = strtok_r(ids, ",", &save); id;
	     id = strtok_r(NULL, ",", &save))
		if (!cp_hq_token_ok(id, CP_COUPON_ID_LEN) || ++n > CP_COUPON_RULE_MAX)
			return bad(err, R, r->id,
				   "it hands out 1 to 8 coupons: template ids separated by commas");
	if (!n)
		return bad(err, R, r->id,
			   "it hands out 1 to 8 coupons: template ids separated by commas");
	st = cp_db_stmt(db,
			"INSERT OR REPLACE INTO coupon_rule(id, threshold, templates, valid_from,"
			" valid_to) VALUES(?1, ?2, ?3, ?4, ?5)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, r->threshold);
	sqlite3_bind_text(st, 3, r->templates, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->valid_from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->valid_to, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "store coupon rule", err);
}

/* ---- records (the demo store and HQ's feed) ---- */

static enum cp_err copy_str(const struct rec_src *src, json_t *o, const char *key, bool nullable,
			    char *out, size_t outlen, const char *where, struct cp_errbuf *err)
{
	const char *s;
	enum cp_err result = cp_rec_str(src, o, key, nullable, &s, where, err);

	if (result != CP_OK)
		return result;
	if (s && strlen(s) >= outlen)
		return cp_rec_bad(src, where, key, "is too long", err);
	snprintf(out, outlen, "%s", s ? s : "");
	return CP_OK;
}

static enum cp_err opt_int(const struct rec_src *src, json_t *o, const char *key, int64_t max,
			   int64_t *out, const char *where, struct cp_errbuf *err)
{
	json_t *v = json_object_get(o, key);

	*out = 0;
	if (!v || json_is_null(v))
		return CP_OK;
	return cp_rec_int(src, o, key, 0, max, out, where, err);
}

enum cp_err cp_rec_coupon_template(const struct rec_src *src, json_t *o,
				   struct cp_coupon_template *out, const char *where,
				   struct cp_errbuf *err)
{
	int64_t pct, days;
	enum cp_err result;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(o))
		return cp_rec_bad(src, where, NULL, "is not an object", err);
	if ((result = copy_str(src, o, "id", false, out->id, sizeof(out->id), where, err)) ||
	    (result = copy_str(src, o, "kind", false, out->kind, sizeof(out->kind), where, err)) ||
	    (result = copy_str(src, o, "title_zh", false, out->title_zh, sizeof(out->title_zh),
			       where, err)) ||
	    (result = copy_str(src, o, "title_en", false, out->title_en, sizeof(out->title_en),
			       where, err)) ||
	    (result = cp_rec_int(src, o, "threshold", 0, CP_MONEY_MAX, &out->threshold, where,
				 err)) ||
	    (result = opt_int(src, o, "amount", CP_MONEY_MAX, &out->amount, where, err)) ||
	    (result = opt_int(src, o, "percent_bp", 10000, &pct, where, err)) ||
	    (result = opt_int(src, o, "cap", CP_MONEY_MAX, &out->cap, where, err)) ||
	    (result = copy_str(src, o, "sku", true, out->sku, sizeof(out->sku), where, err)) ||
	    (result = opt_int(src, o, "valid_days", 3660, &days, where, err)) ||
	    (result = copy_str(src, o, "valid_from", true, out->valid_from, sizeof(out->valid_from),
			       where, err)) ||
	    (result = copy_str(src, o, "valid_to", true, out->valid_to, sizeof(out->valid_to),
			       where, err)) ||
	    (result = cp_rec_bool(src, o, "next_day", &out->next_day, where, err)) ||
	    (result = copy_str(src, o, "scope", false, out->scope, sizeof(out->scope), where,
			       err)) ||
	    (result = copy_str(src, o, "categories", true, out->categories, sizeof(out->categories),
			       where, err)) ||
	    (result = cp_rec_bool(src, o, "bearer", &out->bearer, where, err)) ||
	    (result = cp_rec_bool(src, o, "stacks", &out->stacks, where, err)))
		return result;
	out->percent_bp = (int)pct;
	out->valid_days = (int)days;
	return CP_OK;
}

enum cp_err cp_rec_coupon_rule(const struct rec_src *src, json_t *o, struct cp_coupon_rule *out,
			       const char *where, struct cp_errbuf *err)
{
	enum cp_err result;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(o))
		return cp_rec_bad(src, where, NULL, "is not an object", err);
	if ((result = copy_str(src, o, "id", false, out->id, sizeof(out->id), where, err)) ||
	    (result = cp_rec_int(src, o, "threshold", 1, CP_MONEY_MAX, &out->threshold, where,
				 err)) ||
	    (result = copy_str(src, o, "templates", false, out->templates, sizeof(out->templates),
			       where, err)) ||
	    (result = copy_str(src, o, "valid_from", false, out->valid_from,
			       sizeof(out->valid_from), where, err)) ||
	    (result = copy_str(src, o, "valid_to", false, out->valid_to, sizeof(out->valid_to),
			       where, err)))
		return result;
	return CP_OK;
}

enum cp_err cp_coupon_demo_seed(struct cp_db *db, json_t *root, struct cp_errbuf *err)
{
	static const char *const keys[2] = {"coupon_templates", "coupon_rules"};
	char where[64];

	for (int k = 0; k < 2; k++) {
		json_t *list = json_object_get(root, keys[k]), *j;
		size_t i;

		if (!list)
			continue;
		if (!json_is_array(list))
			return cp_rec_bad(&cp_rec_demo, keys[k], NULL, "is not a list", err);
		json_array_foreach (list, i, j) {
			struct cp_coupon_template t;
			struct cp_coupon_rule r;
			enum cp_err result;

			snprintf(where, sizeof(where), "%s[%zu]", keys[k], i);
			if (k == 0)
				result = cp_rec_coupon_template(&cp_rec_demo, j, &t, where, err);
			else
				result = cp_rec_coupon_rule(&cp_rec_demo, j, &r, where, err);
			if (result == CP_OK)
				result = k == 0 ? cp_coupon_template_put(db, &t, err)
						: cp_coupon_rule_put(db, &r, err);
			if (result != CP_OK)
				return cp_rec_stored(&cp_rec_demo, result, where, err);
		}
	}
	return CP_OK;
}

enum cp_err cp_coupon_template_change_upsert(struct cp_db *db, json_t *d, const char *where,
					     struct cp_errbuf *err)
{
	struct cp_coupon_template t;
	enum cp_err result = cp_rec_coupon_template(&cp_rec_hq, d, &t, where, err);

	if (result != CP_OK)
		return result;
	return cp_rec_stored(&cp_rec_hq, cp_coupon_template_put(db, &t, err), where, err);
}

/* A deleted template can no longer be issued; coupons already issued keep their terms only
 * while it stays: a coupon of a deleted template is refused as no longer offered. */
enum cp_err cp_coupon_template_change_delete(struct cp_db *db, const char *key,
					     struct cp_errbuf *err)
{
	return cp_change_run_keyed(db, "DELETE FROM coupon_template WHERE id = ?1", key, err);
}

enum cp_err cp_coupon_rule_change_upsert(struct cp_db *db, json_t *d, const char *where,
					 struct cp_errbuf *err)
{
	struct cp_coupon_rule r;
	enum cp_err result = cp_rec_coupon_rule(&cp_rec_hq, d, &r, where, err);

	if (result != CP_OK)
		return result;
	return cp_rec_stored(&cp_rec_hq, cp_coupon_rule_put(db, &r, err), where, err);
}

enum cp_err cp_coupon_rule_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err)
{
	return cp_change_run_keyed(db, "DELETE FROM coupon_rule WHERE id = ?1", key, err);
}

/* A coupon HQ knows (issued by any till): its code, template, member (null: bearer),
 * validity and state. This till's own coupons stay as its journal says. */
enum cp_err cp_coupon_change_upsert(struct cp_db *db, json_t *d, const char *where,
				    struct cp_errbuf *err)
{
	char code[CP_COUPON_CODE_LEN + 1], tmpl[CP_COUPON_ID_LEN + 1], member[64];
	char from[11], to[11], state[8];
	enum cp_err result;
	sqlite3_stmt *st;
	const char *c;
	int rc;

	if (!json_is_object(d))
		return cp_rec_bad(&cp_rec_hq, where, NULL, "is not an object", err);
	if ((result = cp_rec_str(&cp_rec_hq, d, "code", false, &c, where, err)) ||
	    (result = copy_str(&cp_rec_hq, d, "template", false, tmpl, sizeof(tmpl), where, err)) ||
	    (result =
		     copy_str(&cp_rec_hq, d, "member", true, member, sizeof(member), where, err)) ||
	    (result = copy_str(&cp_rec_hq, d, "valid_from", false, from, sizeof(from), where,
			       err)) ||
	    (result = copy_str(&cp_rec_hq, d, "valid_to", false, to, sizeof(to), where, err)) ||
	    (result = copy_str(&cp_rec_hq, d, "state", false, state, sizeof(state), where, err)))
		return result;
	if (cp_coupon_parse(c, code) != CP_COUPON_SHAPE_OK || strcmp(code, c) != 0)
		return cp_rec_bad(&cp_rec_hq, where, "code", "is not a coupon code", err);
	if (!day_ok(from) || !day_ok(to) || strcmp(from, to) > 0)
		return cp_rec_bad(&cp_rec_hq, where, "valid_from", "and valid_to are not two days",
				  err);
	if (strcmp(state, "open") != 0 && strcmp(state, "used") != 0 && strcmp(state, "void") != 0)
		return cp_rec_bad(&cp_rec_hq, where, "state", "is open, used or void", err);
	st = cp_db_stmt(
		db,
		"INSERT OR REPLACE INTO coupon_known(code, template_id, member_id, valid_from,"
		" valid_to, state) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
		err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, tmpl, -1, SQLITE_STATIC);
	if (member[0])
		sqlite3_bind_text(st, 3, member, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, state, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "store coupon", err);
}

enum cp_err cp_coupon_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err)
{
	return cp_change_run_keyed(db, "DELETE FROM coupon_known WHERE code = ?1", key, err);
}

/* ---- finding a coupon ---- */

/* The newest state this till's journal gives code ("" when none). */
static enum cp_err local_state(struct cp_db *db, const char *code, char state[8],
			       struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "SELECT kind FROM coupon_use WHERE code = ?1 ORDER BY seq DESC LIMIT 1", err);
	int rc;

	state[0] = '\0';
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);

		snprintf(state, 8, "%s",
			 strcmp(k, "use") == 0    ? "used"
			 : strcmp(k, "void") == 0 ? "void"
						  : "open");
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CP_OK
						     : cp_db_fail(db, rc, "read coupon uses", err);
}

/* Whether HQ has been reached within the points rules' online minutes (an unenrolled till is
 * its own HQ: never offline). */
static enum cp_err is_offline(struct cp_db *db, bool *offline, struct cp_errbuf *err)
{
	struct cp_pointspay_config cfg;
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	*offline = false;
	if ((result = cp_pointspay_config_get(db, &cfg, err)) != CP_OK)
		return result;
	st = cp_db_stmt(db,
			"SELECT EXISTS(SELECT 1 FROM meta WHERE key = 'hq_url'), last_success"
			" FROM sync_state WHERE id = 1",
			err);
	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_int(st, 0)) {
		int64_t now = cp_db_now(db), last = sqlite3_column_int64(st, 1);

		*offline = (now > last ? now - last : 0) > (int64_t)cfg.online_minutes * MS_PER_MIN;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? CP_OK
		       : cp_db_fail(db, rc, "read the sync state", err);
}

enum cp_err cp_coupon_find(struct cp_db *db, const char *code, struct cp_coupon_info *out,
			   struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"SELECT template_id, coalesce(member_id, ''), valid_from, valid_to, 1,"
		" coalesce((SELECT state FROM coupon_known WHERE code = ?1), 'open')"
		" FROM coupon_issue WHERE code = ?1 UNION ALL"
		" SELECT template_id, coalesce(member_id, ''), valid_from, valid_to, 0, state"
		" FROM coupon_known WHERE code = ?1 LIMIT 1",
		err);
	char tmpl[CP_COUPON_ID_LEN + 1] = "", prefix[5], state[8];
	enum cp_err result;
	bool offline;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(out->code, sizeof(out->code), "%s", code);
		cp_db_col_text(st, 0, tmpl, sizeof(tmpl));
		cp_db_col_text(st, 1, out->member_id, sizeof(out->member_id));
		cp_db_col_text(st, 2, out->valid_from, sizeof(out->valid_from));
		cp_db_col_text(st, 3, out->valid_to, sizeof(out->valid_to));
		out->issued_here = sqlite3_column_int(st, 4) != 0;
		cp_db_col_text(st, 5, out->state, sizeof(out->state));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read coupon", err);
	if (rc == SQLITE_DONE) {
		cp_coupon_prefix(db->store_id, db->terminal_id, prefix);
		if (strncmp(code, prefix, 4) != 0) {
			if ((result = is_offline(db, &offline, err)) != CP_OK)
				return result;
			if (offline)
				return cp_errf(err, CP_ENOTFOUND,
					       "cannot check this coupon offline: coupon %s was "
					       "issued elsewhere and has not reached this till; "
					       "take it once HQ is reachable again",
					       code);
		}
		return cp_errf(err, CP_ENOTFOUND,
			       "there is no coupon %s: check the code on the coupon", code);
	}
	if ((result = local_state(db, code, state, err)) != CP_OK)
		return result;
	if (state[0])
		snprintf(out->state, sizeof(out->state), "%s", state);
	result = cp_coupon_template_get(db, tmpl, &out->t, err);
	if (result == CP_ENOTFOUND)
		return cp_errf(err, CP_ESTATE,
			       "coupon %s is of template %s, which HQ no longer offers", code,
			       tmpl);
	return result;
}

/* ---- judging a coupon against a cart ---- */

static bool in_scope(const struct cp_coupon_template *t, const struct cp_cart_line *l)
{
	if (l->redemption || l->coupon_off)
		return false; /* bought with points, or pricing leaves it out: no coupon applies */
	if (strcmp(t->kind, "item") == 0)
		return strcmp(l->sku, t->sku) == 0;
	if (strcmp(t->scope, "only") == 0)
		return in_list(t->categories, l->category);
	if (strcmp(t->scope, "except") == 0)
		return !in_list(t->categories, l->category);
	return true;
}

static const char *title_of(const struct cp_coupon_template *t)
{
	return t->title_zh[0] ? t->title_zh : t->title_en;
}

static bool same_member(struct cp_db *db, const char *owner, const char *member)
{
	sqlite3_stmt *st;
	bool same = false;

	if (strcmp(owner, member) == 0)
		return true;
	st = cp_db_stmt(db,
			"SELECT 1 FROM member_alias WHERE (local_id = ?1 AND member_id = ?2)"
			" OR (local_id = ?2 AND member_id = ?1)",
			NULL);
	if (!st)
		return false;
	sqlite3_bind_text(st, 1, owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, member, -1, SQLITE_STATIC);
	same = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return same;
}

/* What coupon c takes off the lines as left[] stands (after the coupons before it), spread
 * over its eligible lines in proportion to what is left on them, to the fen; refuses with one
 * sentence naming why it cannot be used. others: coupons before it in the sale, all_stack:
 * whether they all stack. */
static enum cp_err judge(struct cp_db *db, const struct cp_cart_view *cart,
			 const struct cp_coupon_info *c, const char *today, int others,
			 bool all_stack, const int64_t *left, int64_t *fen, int64_t *line_fen,
			 struct cp_errbuf *err)
{
	const struct cp_coupon_template *t = &c->t;
	int64_t base = 0, off = 0, spread = 0;
	char a[48], b[48];
	int last = -1;

	*fen = 0;
	if (strcmp(c->state, "used") == 0)
		return cp_errf(err, CP_ESTATE, "coupon %s has been used already", c->code);
	if (strcmp(c->state, "void") == 0)
		return cp_errf(err, CP_ESTATE,
			       "coupon %s was voided (its sale was refunded); it cannot be used",
			       c->code);
	if (strcmp(today, c->valid_from) < 0)
		return cp_errf(err, CP_ESTATE, "coupon %s is not valid yet: it is valid from %s",
			       c->code, c->valid_from);
	if (strcmp(today, c->valid_to) > 0)
		return cp_errf(err, CP_ESTATE, "coupon %s has expired: it was valid until %s",
			       c->code, c->valid_to);
	if (c->member_id[0] && !cart->has_member)
		return cp_errf(err, CP_ESTATE,
			       "coupon %s belongs to a member: attach its member first", c->code);
	if (c->member_id[0] && !same_member(db, c->member_id, cart->member.id))
		return cp_errf(err, CP_ESTATE,
			       "coupon %s belongs to another member, not to the one attached",
			       c->code);
	if (others && (!t->stacks || !all_stack))
		return cp_errf(err, CP_ESTATE,
			       "coupon %s cannot be used together with another coupon; remove the "
			       "other one first",
			       c->code);
	for (int i = 0; i < cart->nlines; i++) {
		line_fen[i] = 0;
		if (in_scope(t, &cart->lines[i]) && left[i] > 0) {
			if (!cp_money_add(base, left[i], &base))
				return cp_errf(err, CP_EOVERFLOW, "the sale is too large");
			last = i;
		}
	}
	if (strcmp(t->kind, "item") == 0 && last < 0)
		return cp_errf(err, CP_ESTATE,
			       "coupon %s gives one %s free: scan that item first (it is not in "
			       "this sale)",
			       c->code, t->sku);
	if (last < 0 || base < t->threshold || base == 0) {
		cp_money_format(t->threshold, NULL, a, sizeof(a));
		cp_money_format(base, NULL, b, sizeof(b));
		if (last < 0)
			return cp_errf(err, CP_ESTATE,
				       "coupon %s does not apply to any item in this sale (out of "
				       "its scope)",
				       c->code);
		return cp_errf(err, CP_ESTATE,
			       "coupon %s needs %s of items it applies to; this sale has %s",
			       c->code, a, b);
	}
	if (strcmp(t->kind, "amount") == 0) {
		off = t->amount < base ? t->amount : base;
	} else if (strcmp(t->kind, "percent") == 0) {
		if (!cp_muldiv_floor(base, t->percent_bp, 10000, &off))
			return cp_errf(err, CP_EOVERFLOW, "the sale is too large");
		if (t->cap > 0 && off > t->cap)
			off = t->cap;
	} else {
		/* one unit at the price it is sold at: the first line of the item */
		for (int i = 0; i < cart->nlines; i++)
			if (in_scope(t, &cart->lines[i]) && left[i] > 0) {
				off = cart->lines[i].unit_price < left[i]
					      ? cart->lines[i].unit_price
					      : left[i];
				break;
			}
	}
	if (off <= 0)
		return cp_errf(err, CP_ESTATE, "coupon %s takes nothing off this sale", c->code);
	for (int i = 0; i < cart->nlines; i++) {
		if (!in_scope(t, &cart->lines[i]) || left[i] <= 0)
			continue;
		if (!cp_muldiv_floor(off, left[i], base, &line_fen[i]))
			return cp_errf(err, CP_EOVERFLOW, "the sale is too large");
		spread += line_fen[i];
	}
	/* the fen that rounding left go one by one to the lines in order, none above its amount */
	for (int i = 0; spread < off && i < cart->nlines; i++) {
		int64_t room;

		if (!in_scope(t, &cart->lines[i]) || left[i] <= 0)
			continue;
		room = left[i] - line_fen[i];
		if (room > off - spread)
			room = off - spread;
		line_fen[i] += room;
		spread += room;
	}
	*fen = off;
	return CP_OK;
}

/* The codes of the cart's coupons in the order they were applied (n): put in order here, not
 * in a temporary B-tree; the first CP_COUPON_CART_MAX, as ORDER BY n would give. */
static enum cp_err cart_codes(struct cp_db *db, char codes[][CP_COUPON_CODE_LEN + 1], int *n,
			      struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, "SELECT code, n FROM cart_coupon", err);
	int64_t order[CP_COUPON_CART_MAX];
	int rc;

	*n = 0;
	if (!st)
		return CP_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t k = sqlite3_column_int64(st, 1);
		int at = *n;

		if (at == CP_COUPON_CART_MAX && k >= order[at - 1])
			continue;
		if (at == CP_COUPON_CART_MAX)
			at--;
		else
			(*n)++;
		for (; at > 0 && order[at - 1] > k; at--) {
			order[at] = order[at - 1];
			memcpy(codes[at], codes[at - 1], CP_COUPON_CODE_LEN + 1);
		}
		order[at] = k;
		cp_db_col_text(st, 0, codes[at], CP_COUPON_CODE_LEN + 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "read the cart's coupons", err);
}

/* Plans codes[0..n) against cart: every coupon judged in turn, each on what the ones before
 * left. */
static enum cp_err plan_codes(struct cp_db *db, const struct cp_cart_view *cart,
			      char codes[][CP_COUPON_CODE_LEN + 1], int n, struct coupon_plan *out,
			      struct cp_coupon_quote *q, struct cp_errbuf *err)
{
	int64_t left[CP_CART_MAX_LINES];
	struct cp_coupon_info *c = malloc(sizeof(*c));
	bool all_stack = true;
	char today[11];
	enum cp_err result = CP_OK;

	memset(out, 0, sizeof(*out));
	if (q)
		memset(q, 0, sizeof(*q));
	if (!c)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	cp_business_day_at(cp_db_now(db), db->cutover_min, db->utc_offset_min, today);
	for (int i = 0; i < cart->nlines; i++)
		left[i] = cart->lines[i].amount;
	for (int k = 0; k < n && result == CP_OK; k++) {
		int64_t fen;

		if ((result = cp_coupon_find(db, codes[k], c, err)) != CP_OK ||
		    (result = judge(db, cart, c, today, k, all_stack, left, &fen,
				    out->c[k].line_fen, err)) != CP_OK)
			break;
		all_stack = all_stack && c->t.stacks;
		snprintf(out->c[k].code, sizeof(out->c[k].code), "%s", codes[k]);
		out->c[k].fen = fen;
		out->n++;
		for (int i = 0; i < cart->nlines; i++)
			left[i] -= out->c[k].line_fen[i];
		if (!cp_money_add(out->discount, fen, &out->discount))
			result = cp_errf(err, CP_EOVERFLOW, "the sale is too large");
		if (q) {
			snprintf(q->c[k].code, sizeof(q->c[k].code), "%s", codes[k]);
			snprintf(q->c[k].title, sizeof(q->c[k].title), "%s", title_of(&c->t));
			q->c[k].fen = fen;
			q->n++;
		}
	}
	if (q) {
		q->discount = out->discount;
		q->total = cart->total;
		q->due = cart->total - out->discount;
	}
	free(c);
	return result;
}

/* Parses text into code with the sentence for a code that is not one or is mistyped. */
static enum cp_err parse_code(const char *text, char code[CP_COUPON_CODE_LEN + 1],
			      struct cp_errbuf *err)
{
	switch (cp_coupon_parse(text, code)) {
	case CP_COUPON_SHAPE_OK:
		return CP_OK;
	case CP_COUPON_SHAPE_TYPO:
		return cp_errf(err, CP_EINVAL,
			       "coupon code %s is mistyped (its check character does not match); "
			       "type it again or scan it",
			       code);
	case CP_COUPON_SHAPE_NOT:
		break;
	}
	return cp_errf(err, CP_EINVAL,
		       "that is not a coupon code: a code is 12 letters and digits (no 0, 1, I, O "
		       "or U)");
}

enum cp_err cp_coupon_apply(struct cp_db *db, const struct cp_session *who, const char *text,
			    struct cp_coupon_quote *out, struct cp_errbuf *err)
{
	char codes[CP_COUPON_CART_MAX + 1][CP_COUPON_CODE_LEN + 1];
	struct cp_cart_view *cart = NULL;
	struct coupon_plan *plan = NULL;
	struct cp_coupon_quote q;
	enum cp_err result;
	sqlite3_stmt *st;
	int n, rc;

	if ((result = parse_code(text, codes[CP_COUPON_CART_MAX], err)) != CP_OK)
		return result;
	if (!(cart = malloc(sizeof(*cart))) || !(plan = malloc(sizeof(*plan)))) {
		free(cart);
		return cp_errf(err, CP_ENOMEM, "out of memory");
	}
	if ((result = cp_db_begin(db, err)) != CP_OK)
		goto done;
	if ((result = cp_cart_view(db, who, cart, err)) != CP_OK ||
	    (result = cart_codes(db, codes, &n, err)) != CP_OK)
		goto out;
	if (!cart->open || cart->nlines == 0) {
		result = cp_errf(err, CP_ESTATE,
				 "the cart is empty: scan the items first, then "
				 "the coupon");
		goto out;
	}
	for (int k = 0; k < n; k++)
		if (strcmp(codes[k], codes[CP_COUPON_CART_MAX]) == 0) {
			result = cp_errf(err, CP_ESTATE, "coupon %s is on this sale already",
					 codes[k]);
			goto out;
		}
	if (n == CP_COUPON_CART_MAX) {
		result = cp_errf(err, CP_ESTATE, "a sale takes at most %d coupons",
				 CP_COUPON_CART_MAX);
		goto out;
	}
	snprintf(codes[n], sizeof(codes[n]), "%s", codes[CP_COUPON_CART_MAX]);
	if ((result = plan_codes(db, cart, codes, n + 1, plan, &q, err)) != CP_OK)
		goto out;
	result = CP_EDB;
	st = cp_db_stmt(db,
			"INSERT INTO cart_coupon(code, cart_id, n)"
			" VALUES(?1, 1, (SELECT coalesce(max(n), 0) + 1 FROM cart_coupon))",
			err);
	if (!st)
		goto out;
	sqlite3_bind_text(st, 1, codes[n], -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		result = cp_db_fail(db, rc, "apply coupon", err);
		goto out;
	}
	if ((result = cp_db_commit(db, err)) == CP_OK && out)
		*out = q;
out:
	if (result != CP_OK)
		cp_db_rollback(db);
done:
	free(cart);
	free(plan);
	return result;
}

enum cp_err cp_coupon_remove(struct cp_db *db, const struct cp_session *who, const char *text,
			     struct cp_errbuf *err)
{
	struct cp_cart_view *cart = malloc(sizeof(*cart));
	char code[CP_COUPON_CODE_LEN + 1];
	enum cp_err result;
	sqlite3_stmt *st;
	int rc;

	if (!cart)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((result = parse_code(text, code, err)) != CP_OK ||
	    (result = cp_db_begin(db, err)) != CP_OK) {
		free(cart);
		return result;
	}
	if ((result = cp_cart_view(db, who, cart, err)) != CP_OK)
		goto out;
	result = CP_EDB;
	if (!(st = cp_db_stmt(db, "DELETE FROM cart_coupon WHERE code = ?1", err)))
		goto out;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		result = cp_db_fail(db, rc, "remove coupon", err);
	else if (sqlite3_changes(db->h) == 0)
		result = cp_errf(err, CP_ENOTFOUND, "coupon %s is not on this sale", code);
	else
		result = cp_db_commit(db, err);
out:
	if (result != CP_OK)
		cp_db_rollback(db);
	free(cart);
	return result;
}

enum cp_err cp_coupon_quote(struct cp_db *db, const struct cp_session *who,
			    struct cp_coupon_quote *out, struct cp_errbuf *err)
{
	char codes[CP_COUPON_CART_MAX][CP_COUPON_CODE_LEN + 1];
	struct cp_cart_view *cart = malloc(sizeof(*cart));
	struct coupon_plan *plan = malloc(sizeof(*plan));
	enum cp_err result;
	int n;

	memset(out, 0, sizeof(*out));
	if (!cart || !plan) {
		free(cart);
		free(plan);
		return cp_errf(err, CP_ENOMEM, "out of memory");
	}
	if ((result = cp_cart_view(db, who, cart, err)) == CP_OK &&
	    (result = cart_codes(db, codes, &n, err)) == CP_OK)
		result = plan_codes(db, cart, codes, n, plan, out, err);
	if (result == CP_OK && !n)
		out->total = out->due = cart->total;
	free(cart);
	free(plan);
	return result;
}

enum cp_err cp_coupon_list(struct cp_db *db, const struct cp_session *who,
			   struct cp_coupon_list *out, struct cp_errbuf *err)
{
	struct cp_cart_view *cart = malloc(sizeof(*cart));
	char code[CP_COUPON_CODE_LEN + 1];
	enum cp_err result;
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!cart)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((result = cp_cart_view(db, who, cart, err)) != CP_OK)
		goto out;
	if (!cart->has_member) {
		result = cp_errf(err, CP_ESTATE, "attach a member first to list their coupons");
		goto out;
	}
	snprintf(out->member_id, sizeof(out->member_id), "%s", cart->member.id);
	result = CP_EDB;
	st = cp_db_stmt(
		db,
		"SELECT code, valid_to FROM coupon_issue WHERE member_id IN (SELECT ?1"
		" UNION ALL SELECT local_id FROM member_alias WHERE member_id = ?1)"
		" UNION SELECT code, valid_to FROM coupon_known WHERE member_id IN (SELECT ?1"
		" UNION ALL SELECT local_id FROM member_alias WHERE member_id = ?1)"
		" ORDER BY 2, 1",
		err);
	if (!st)
		goto out;
	sqlite3_bind_text(st, 1, cart->member.id, -1, SQLITE_STATIC);
	result = CP_OK;
	/* open ones first: two passes over the codes */
	for (int pass = 0; pass < 2 && result == CP_OK; pass++) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct cp_coupon_info c;
			struct cp_errbuf e2 = {{0}};

			cp_db_col_text(st, 0, code, sizeof(code));
			if (cp_coupon_find(db, code, &c, &e2) != CP_OK)
				continue;
			if ((strcmp(c.state, "open") == 0) != (pass == 0))
				continue;
			if (out->n == CP_COUPON_LIST_MAX) {
				out->more = true;
				continue;
			}
			out->e[out->n++] = c;
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			result = cp_db_fail(db, rc, "list coupons", err);
	}
out:
	free(cart);
	return result;
}

enum cp_err cp_coupon_cart_codes(struct cp_db *db, char codes[][CP_COUPON_CODE_LEN + 1], int *n,
				 struct cp_errbuf *err)
{
	return cart_codes(db, codes, n, err);
}

enum cp_err cp_coupon_cart_restore(struct cp_db *db, const struct cp_cart_view *cart,
				   char codes[][CP_COUPON_CODE_LEN + 1], int n,
				   struct cp_errbuf *why, struct cp_errbuf *err)
{
	char kept[CP_COUPON_CART_MAX][CP_COUPON_CODE_LEN + 1];
	struct coupon_plan *plan = malloc(sizeof(*plan));
	enum cp_err result = CP_OK;
	int nkept = 0;

	if (!plan)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	for (int k = 0; k < n && k < CP_COUPON_CART_MAX && result == CP_OK; k++) {
		sqlite3_stmt *st;
		int rc;

		memset(&why[k], 0, sizeof(why[k]));
		snprintf(kept[nkept], sizeof(kept[nkept]), "%s", codes[k]);
		result = plan_codes(db, cart, kept, nkept + 1, plan, NULL, &why[k]);
		if (result == CP_ESTATE || result == CP_ENOTFOUND || result == CP_EINVAL) {
			result = CP_OK;
			continue;
		}
		if (result != CP_OK) {
			if (err)
				*err = why[k];
			break;
		}
		if (!(st = cp_db_stmt(db,
				      "INSERT INTO cart_coupon(code, cart_id, n) VALUES(?1, 1, ?2)",
				      err))) {
			result = CP_EDB;
			break;
		}
		sqlite3_bind_text(st, 1, codes[k], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, nkept + 1);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			result = cp_db_fail(db, rc, "put the coupon back", err);
		nkept++;
	}
	free(plan);
	return result;
}

/* ---- the sale ---- */

enum cp_err cp_coupon_sale_plan(struct cp_db *db, struct cp_cart_view *cart,
				struct coupon_plan *out, struct cp_errbuf *err)
{
	char codes[CP_COUPON_CART_MAX][CP_COUPON_CODE_LEN + 1];
	enum cp_err result;
	int n;

	memset(out, 0, sizeof(*out));
	if ((result = cart_codes(db, codes, &n, err)) != CP_OK || !n)
		return result;
	if ((result = plan_codes(db, cart, codes, n, out, NULL, err)) != CP_OK)
		return result;
	for (int k = 0; k < out->n; k++)
		for (int i = 0; i < cart->nlines; i++) {
			int64_t d = out->c[k].line_fen[i];

			cart->lines[i].amount -= d;
			cart->total -= d;
			if (cart->lines[i].eligible)
				cart->eligible -= d;
		}
	return CP_OK;
}

/* A fresh code: the terminal's prefix, 7 random characters and the check character, not yet
 * known here. */
static enum cp_err new_code(struct cp_db *db, char code[CP_COUPON_CODE_LEN + 1],
			    struct cp_errbuf *err)
{
	uint8_t r[7];
	struct cp_coupon_info *c = malloc(sizeof(*c));
	enum cp_err result = CP_EIO;

	if (!c)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	for (int tries = 0; tries < 8; tries++) {
		struct cp_errbuf e2 = {{0}};

		if (cp_rand_bytes(r, sizeof(r)) != 0)
			break;
		cp_coupon_prefix(db->store_id, db->terminal_id, code);
		for (int i = 0; i < 7; i++)
			code[4 + i] = CP_COUPON_ALPHABET[r[i] % NALPHA];
		code[11] = cp_coupon_check_char(code, 11);
		code[12] = '\0';
		result = cp_coupon_find(db, code, c, &e2);
		if (result == CP_ENOTFOUND) {
			free(c);
			return CP_OK;
		}
		if (result != CP_OK && result != CP_ESTATE)
			break;
	}
	free(c);
	return cp_errf(err, CP_EIO, "cannot make a new coupon code: the entropy source failed");
}

/* A new coupon of template id for member issued on day number today: {code, template, member
 * (null for a bearer coupon), valid_from, valid_to, threshold, title}; *out NULL when its fixed
 * dates are over. CP_ENOTFOUND without a message when there is no such template. */
static enum cp_err coupon_json(struct cp_db *db, const char *id, const char *member, int64_t today,
			       int64_t threshold, json_t **out, struct cp_errbuf *err)
{
	struct cp_coupon_template t;
	char code[CP_COUPON_CODE_LEN + 1], from[11], to[11];
	enum cp_err result = cp_coupon_template_get(db, id, &t, NULL);

	*out = NULL;
	if (result == CP_ENOTFOUND)
		return result;
	if (result != CP_OK)
		return cp_coupon_template_get(db, id, &t, err);
	if ((result = new_code(db, code, err)) != CP_OK)
		return result;
	if (t.valid_days > 0) {
		day_text(today + (t.next_day ? 1 : 0), from);
		day_text(today + (t.next_day ? 1 : 0) + t.valid_days - 1, to);
	} else {
		snprintf(from, sizeof(from), "%s", t.valid_from);
		snprintf(to, sizeof(to), "%s", t.valid_to);
		if (t.next_day && day_number(from) <= today)
			day_text(today + 1, from);
		if (strcmp(from, to) > 0)
			return CP_OK; /* it would never be valid */
	}
	*out = json_pack("{s:s, s:s, s:o, s:s, s:s, s:I, s:s}", "code", code, "template", t.id,
			 "member", t.bearer ? json_null() : json_string(member), "valid_from", from,
			 "valid_to", to, "threshold", (json_int_t)threshold, "title", title_of(&t));
	return *out ? CP_OK : cp_errf(err, CP_ENOMEM, "out of memory issuing coupons");
}

/* The coupons the rules valid on day give for paid fen of money: {code, template, member,
 * valid_from, valid_to, threshold, title} each. */
static enum cp_err issue_json(struct cp_db *db, const char *member, int64_t paid, const char *day,
			      json_t *issued, struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   "SELECT threshold, templates FROM coupon_rule WHERE threshold <= ?1"
			   " AND valid_from <= ?2 AND valid_to >= ?2 ORDER BY id",
			   err);
	struct {
		int64_t threshold;
		char templates[CP_COUPON_RULE_MAX * (CP_COUPON_ID_LEN + 1)];
	} rules[16];
	int nrules = 0, rc;
	int64_t today = day_number(day);

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, paid);
	sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && nrules < 16) {
		rules[nrules].threshold = sqlite3_column_int64(st, 0);
		cp_db_col_text(st, 1, rules[nrules].templates, sizeof(rules[nrules].templates));
		nrules++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read coupon rules", err);
	for (int k = 0; k < nrules; k++) {
		char *save = NULL;

		for (char *id = strtok_r(rules[k].templates, ",", &save); id;
		     id = strtok_r(NULL, ",", &save)) {
			json_t *c = NULL;
			enum cp_err result =
				coupon_json(db, id, member, today, rules[k].threshold, &c, err);

			if (result == CP_ENOTFOUND)
				continue; /* HQ took the template back: nothing to give */
			if (result != CP_OK)
				return result;
			if (c && json_array_append_new(issued, c))
				return cp_errf(err, CP_ENOMEM, "out of memory issuing coupons");
		}
	}
	return CP_OK;
}

enum cp_err cp_coupon_sale_payload(struct cp_db *db, const struct cp_cart_view *cart,
				   const struct coupon_plan *plan, int64_t paid, const char *day,
				   json_t *payload, struct cp_errbuf *err)
{
	json_t *used = json_array(), *issued = json_array();
	enum cp_err result = CP_OK;

	if (!used || !issued) {
		result = cp_errf(err, CP_ENOMEM, "out of memory");
		goto out;
	}
	for (int k = 0; k < plan->n && result == CP_OK; k++) {
		json_t *lines = json_array();

		for (int i = 0; lines && i < cart->nlines; i++)
			if (plan->c[k].line_fen[i] &&
			    json_array_append_new(lines,
						  json_pack("{s:i, s:I}", "n", i + 1, "fen",
							    (json_int_t)plan->c[k].line_fen[i])))
				json_decref(lines), lines = NULL;
		if (!lines ||
		    json_array_append_new(
			    used, json_pack("{s:s, s:I, s:o}", "code", plan->c[k].code, "fen",
					    (json_int_t)plan->c[k].fen, "lines", lines)))
			result = cp_errf(err, CP_ENOMEM, "out of memory");
	}
	if (result == CP_OK && cart->has_member)
		result = issue_json(db, cart->member.id, paid, day, issued, err);
	if (result == CP_OK &&
	    ((json_array_size(used) && json_object_set(payload, "coupons_used", used)) ||
	     (json_array_size(issued) && json_object_set(payload, "coupons_issued", issued))))
		result = cp_errf(err, CP_ENOMEM, "out of memory");
out:
	json_decref(used);
	json_decref(issued);
	return result;
}

static enum cp_err use_insert(struct cp_db *db, int64_t seq, const char *code, const char *kind,
			      int64_t fen, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "INSERT INTO coupon_use(seq, code, kind, fen) VALUES(?1, ?2, ?3, ?4)", err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, fen);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return cp_errf(err, CP_ECORRUPT, "journal payload: coupon %s named twice", code);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record coupon use", err);
}

static enum cp_err line_insert(struct cp_db *db, int64_t seq, json_t *l, const char *code,
			       struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	int64_t n, fen;
	enum cp_err result;
	int rc;

	if ((result = cp_jget_int(l, "n", &n, err)) || (result = cp_jget_int(l, "fen", &fen, err)))
		return result;
	if (!(st = cp_db_stmt(
		      db, "INSERT INTO coupon_line(seq, line_no, code, fen) VALUES(?1, ?2, ?3, ?4)",
		      err)))
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, n);
	sqlite3_bind_text(st, 3, code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, fen);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record coupon line", err);
}

static enum cp_err issue_insert(struct cp_db *db, int64_t seq, int n, json_t *c, const char *source,
				struct cp_errbuf *err)
{
	const char *code, *tmpl, *member, *from, *to;
	int64_t threshold;
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	if ((result = cp_jget_str(c, "code", &code, err)) ||
	    (result = cp_jget_str(c, "template", &tmpl, err)) ||
	    (result = cp_jget_str_or_null(c, "member", &member, err)) ||
	    (result = cp_jget_str(c, "valid_from", &from, err)) ||
	    (result = cp_jget_str(c, "valid_to", &to, err)) ||
	    (result = cp_jget_int(c, "threshold", &threshold, err)))
		return result;
	if (!(st = cp_db_stmt(db,
			      "INSERT INTO coupon_issue(code, seq, n, template_id, member_id,"
			      " valid_from, valid_to, threshold, source)"
			      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			      err)))
		return CP_EDB;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_int(st, 3, n);
	sqlite3_bind_text(st, 4, tmpl, -1, SQLITE_STATIC);
	if (member)
		sqlite3_bind_text(st, 5, member, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, to, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, threshold);
	sqlite3_bind_text(st, 9, source, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return cp_errf(err, CP_ECORRUPT, "journal payload: coupon %s issued twice", code);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record coupon issue", err);
}

enum cp_err cp_coupon_sale_apply(struct cp_db *db, int64_t seq, const char *member, json_t *p,
				 struct cp_errbuf *err)
{
	json_t *used = json_object_get(p, "coupons_used"),
	       *issued = json_object_get(p, "coupons_issued"), *c, *l;
	enum cp_err result;
	size_t i, j;

	(void)member;
	if (used) {
		if ((result = cp_jget_array(p, "coupons_used", &used, err)) != CP_OK)
			return result;
		json_array_foreach (used, i, c) {
			const char *code;
			int64_t fen;
			json_t *lines;

			if ((result = cp_jget_str(c, "code", &code, err)) ||
			    (result = cp_jget_int(c, "fen", &fen, err)) ||
			    (result = cp_jget_array(c, "lines", &lines, err)) ||
			    (result = use_insert(db, seq, code, "use", fen, err)))
				return result;
			json_array_foreach (lines, j, l)
				if ((result = line_insert(db, seq, l, code, err)) != CP_OK)
					return result;
		}
	}
	if (issued) {
		if ((result = cp_jget_array(p, "coupons_issued", &issued, err)) != CP_OK)
			return result;
		json_array_foreach (issued, i, c)
			if ((result = issue_insert(db, seq, (int)i + 1, c, "sale", err)) != CP_OK)
				return result;
	}
	return CP_OK;
}

/* ---- the refund ---- */

/* Whether HQ's feed says code is used or void (by another till). */
static enum cp_err known_used(struct cp_db *db, const char *code, bool *used, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "SELECT 1 FROM coupon_known WHERE code = ?1 AND state <> 'open'", err);
	int rc;

	*used = false;
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*used = rc == SQLITE_ROW;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CP_OK
						     : cp_db_fail(db, rc, "read coupon", err);
}

/* A failed read is an error, never "off": out of memory there may have rolled the whole
 * transaction back (SQLite does so on SQLITE_NOMEM and I/O errors), and the caller must stop. */
static enum cp_err returns_configured(struct cp_db *db, bool *on, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "SELECT value FROM hq_config WHERE name = 'coupon_refund_returns'", err);
	const unsigned char *v;
	int rc;

	*on = false;
	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (v = sqlite3_column_text(st, 0)))
		*on = strcmp((const char *)v, "1") == 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? CP_OK
		       : cp_db_fail(db, rc, "read the coupon rules", err);
}

enum cp_err cp_coupon_refund_payload(struct cp_db *db, int64_t sale_seq, const int *lines, int n,
				     json_t *payload, struct cp_errbuf *err)
{
	json_t *voids = json_array(), *back = json_array();
	enum cp_err result = CP_OK;
	bool returns = false;
	sqlite3_stmt *st;
	int rc;

	if (!voids || !back) {
		result = cp_errf(err, CP_ENOMEM, "out of memory");
		goto out;
	}
	result = CP_EDB;
	if (!(st = cp_db_stmt(db, "SELECT code FROM coupon_issue WHERE seq = ?1 ORDER BY n", err)))
		goto out;
	result = CP_OK;
	sqlite3_bind_int64(st, 1, sale_seq);
	while (result == CP_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		char state[8];
		bool used_elsewhere = false;

		if ((result = local_state(db, code, state, err)) != CP_OK ||
		    (!state[0] && (result = known_used(db, code, &used_elsewhere, err))))
			break;
		if (!state[0] && !used_elsewhere && json_array_append_new(voids, json_string(code)))
			result = cp_errf(err, CP_ENOMEM, "out of memory");
	}
	if (result == CP_OK && rc != SQLITE_DONE)
		result = cp_db_fail(db, rc, "read coupons issued", err);
	sqlite3_reset(st);
	if (result == CP_OK)
		result = returns_configured(db, &returns, err);
	if (result != CP_OK || !returns)
		goto set;
	/* a used coupon comes back when every line it discounted is refunded by now */
	result = CP_EDB;
	if (!(st = cp_db_stmt(db,
			      "SELECT u.code FROM coupon_use u WHERE u.seq = ?1 AND u.kind = 'use'"
			      " AND NOT EXISTS(SELECT 1 FROM coupon_use v WHERE v.code = u.code"
			      " AND v.seq > u.seq) ORDER BY u.code",
			      err)))
		goto out;
	result = CP_OK;
	sqlite3_bind_int64(st, 1, sale_seq);
	while (result == CP_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		sqlite3_stmt *q =
			cp_db_stmt(db,
				   "SELECT l.line_no FROM coupon_line l WHERE l.seq = ?1 AND"
				   " l.code = ?2 AND NOT EXISTS(SELECT 1 FROM refund_line r"
				   " WHERE r.sale_seq = l.seq AND r.line_no = l.line_no)",
				   err);
		bool every = true;
		int qrc;

		if (!q) {
			result = CP_EDB;
			break;
		}
		sqlite3_bind_int64(q, 1, sale_seq);
		sqlite3_bind_text(q, 2, code, -1, SQLITE_STATIC);
		while ((qrc = sqlite3_step(q)) == SQLITE_ROW) {
			bool picked = false;

			for (int i = 0; i < n; i++)
				picked = picked || lines[i] == sqlite3_column_int(q, 0);
			every = every && picked;
		}
		sqlite3_reset(q);
		if (qrc != SQLITE_DONE) {
			result = cp_db_fail(db, qrc, "read coupon lines", err);
			break;
		}
		if (every && json_array_append_new(back, json_string(code)))
			result = cp_errf(err, CP_ENOMEM, "out of memory");
	}
	if (result == CP_OK && rc != SQLITE_DONE)
		result = cp_db_fail(db, rc, "read coupons used", err);
	sqlite3_reset(st);
set:
	if (result == CP_OK &&
	    ((json_array_size(voids) && json_object_set(payload, "coupons_void", voids)) ||
	     (json_array_size(back) && json_object_set(payload, "coupons_back", back))))
		result = cp_errf(err, CP_ENOMEM, "out of memory");
out:
	json_decref(voids);
	json_decref(back);
	return result;
}

enum cp_err cp_coupon_refund_apply(struct cp_db *db, int64_t seq, json_t *p, struct cp_errbuf *err)
{
	static const char *const keys[2] = {"coupons_void", "coupons_back"};
	static const char *const kinds[2] = {"void", "return"};

	for (int k = 0; k < 2; k++) {
		json_t *a = json_object_get(p, keys[k]), *c;
		enum cp_err result;
		size_t i;

		if (!a)
			continue;
		if ((result = cp_jget_array(p, keys[k], &a, err)) != CP_OK)
			return result;
		json_array_foreach (a, i, c) {
			if (!json_is_string(c))
				return cp_errf(err, CP_ECORRUPT,
					       "journal payload: \"%s\" holds a non-code", keys[k]);
			if ((result = use_insert(db, seq, json_string_value(c), kinds[k], 0, err)))
				return result;
		}
	}
	return CP_OK;
}

enum cp_err cp_coupon_receipt_fill(struct cp_db *db, int64_t seq, struct cp_receipt_view *v,
				   struct cp_errbuf *err)
{
	/* Only the sale's own: a coupon taken for points or granted as a benefit has its slip,
	 * printed when it was issued (coupon_slip.c), and is not handed out a second time. In the
	 * order of n, put in order here rather than in a temporary B-tree. */
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"SELECT i.code, coalesce(nullif(t.title_zh, ''), t.title_en, ''), i.valid_to, i.n"
		" FROM coupon_issue i LEFT JOIN coupon_template t ON t.id = i.template_id"
		" WHERE i.seq = ?1",
		err);
	int64_t order[CP_RECEIPT_MAX_COUPONS];
	int rc;

	v->ncoupons = 0;
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t k = sqlite3_column_int64(st, 3);
		int at = v->ncoupons;
		struct cp_receipt_coupon *c;

		if (at == CP_RECEIPT_MAX_COUPONS && k >= order[at - 1])
			continue;
		if (at == CP_RECEIPT_MAX_COUPONS)
			at--;
		else
			v->ncoupons++;
		for (; at > 0 && order[at - 1] > k; at--) {
			order[at] = order[at - 1];
			v->coupons[at] = v->coupons[at - 1];
		}
		order[at] = k;
		c = &v->coupons[at];
		cp_db_col_text(st, 0, c->code, sizeof(c->code));
		cp_db_col_text(st, 1, c->title, sizeof(c->title));
		cp_db_col_text(st, 2, c->valid_until, sizeof(c->valid_until));
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "read coupons issued", err);
}

/* ---- points for a coupon ---- */

enum cp_err cp_coupon_exchange(struct cp_db *db, const struct cp_session *who, const char *offer_id,
			       struct cp_coupon_exchange *out, struct cp_errbuf *err)
{
	struct cp_cart_view *cart = malloc(sizeof(*cart));
	struct cp_coupon_exchange x;
	struct cp_offer o;
	json_t *payload = NULL, *c = NULL;
	char day[11];
	enum cp_err result;

	memset(&x, 0, sizeof(x));
	if (!cart)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((result = cp_db_begin(db, err)) != CP_OK) {
		free(cart);
		return result;
	}
	if ((result = cp_cart_view(db, who, cart, err)) != CP_OK)
		goto out;
	if (!cart->has_member) {
		result = cp_errf(err, CP_ESTATE,
				 "attach a member first: coupons for points are paid with the "
				 "member's points");
		goto out;
	}
	if ((result = cp_offer_check_exchange(db, cart, offer_id, &o, err)) != CP_OK ||
	    (result = cp_report_event_day(db, cp_db_now(db), day, err)) != CP_OK)
		goto out;
	result = coupon_json(db, o.sku, cart->member.id, day_number(day), 0, &c, err);
	if (result == CP_ENOTFOUND || (result == CP_OK && !c)) {
		result = cp_errf(err, CP_ESTATE,
				 "offer %s gives coupon template %s, which this till does not have "
				 "(or whose dates are over); pick another offer",
				 o.id, o.sku);
		goto out;
	}
	if (result != CP_OK)
		goto out;
	/* The balance the till shows after it, for the coupon's slip (a reprint says the same). */
	if (!cp_money_sub(cart->member.points, o.points, &x.balance_after))
		x.balance_after = cart->member.points;
	payload = json_pack("{s:s, s:s, s:s, s:I, s:s, s:O, s:I}", "member", cart->member.id,
			    "offer", o.id, "staff", who->code, "points", (json_int_t)o.points,
			    "day", day, "coupon", c, "balance_after", (json_int_t)x.balance_after);
	if (!payload) {
		result = cp_errf(err, CP_ENOMEM, "out of memory");
		goto out;
	}
	if ((result = cp_journal_record(db, "coupon_exchange", payload, &x.seq, NULL, err)) !=
		    CP_OK ||
	    (result = cp_coupon_find(db, json_string_value(json_object_get(c, "code")), &x.coupon,
				     err)) != CP_OK ||
	    (result = cp_db_commit(db, err)) != CP_OK)
		goto out;
	x.points = o.points;
	if (out)
		*out = x;
out:
	if (result != CP_OK)
		cp_db_rollback(db);
	json_decref(payload);
	json_decref(c);
	free(cart);
	return result;
}

enum cp_err cp_coupon_exchange_apply(struct cp_db *db, int64_t seq, json_t *p,
				     struct cp_errbuf *err)
{
	const char *member, *offer, *day;
	int64_t points;
	json_t *c = json_object_get(p, "coupon");
	enum cp_err result;

	if ((result = cp_jget_str(p, "member", &member, err)) ||
	    (result = cp_jget_str(p, "offer", &offer, err)) ||
	    (result = cp_jget_str(p, "day", &day, err)) ||
	    (result = cp_jget_int(p, "points", &points, err)))
		return result;
	if (!json_is_object(c) || points <= 0)
		return cp_errf(err, CP_ECORRUPT,
			       "journal payload: a coupon exchange without its coupon or points");
	if ((result = cp_offer_use_record(db, seq, 1, member, offer, day, points, err)) ||
	    (result = cp_movement_insert(db, seq, 1, member, "offer", -points, 0, err)))
		return result;
	return issue_insert(db, seq, 1, c, "exchange", err);
}

enum cp_err cp_coupon_issue_json(struct cp_db *db, const char *id, const char *member,
				 const char *day, json_t **out, struct cp_errbuf *err)
{
	return coupon_json(db, id, member, day_number(day), 0, out, err);
}

enum cp_err cp_coupon_issue_apply(struct cp_db *db, int64_t seq, int n, json_t *c,
				  const char *source, struct cp_errbuf *err)
{
	return issue_insert(db, seq, n, c, source, err);
}
