/* discount.c — tier discounts beside member prices, and manual discounts of a line or of the
 * whole sale. The cart is priced when it is read (cp_discount_price), so attaching or detaching a
 * member, or changing a quantity, re-prices it; the sale records the priced amounts, so points
 * are earned on what is paid and refunds give back exactly what each line cost. A parked sale
 * keeps its manual discounts in parked_discount (owned here), checked again on recall. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "changes_int.h"
#include "db_int.h"
#include "discount_int.h"
#include "journal_int.h"
#include "money.h"
#include "park.h"
#include "staff.h"
#include "text.h"

void cp_discount_config_default(struct cp_discount_config *c)
{
	memset(c, 0, sizeof(*c));
	c->manual_limit_bp = 1000;
}

void cp_discount_configure(struct cp_db *db, const struct cp_discount_config *c)
{
	db->discount = *c;
}

bool cp_discount_bp_of(int64_t a, int64_t bp, int64_t *out)
{
	int64_t twice;

	if (a < 0 || bp < 0 || bp > 10000 || !cp_money_mul(a, 2 * bp, &twice) ||
	    !cp_money_add(twice, 10000, &twice))
		return false;
	return cp_muldiv_floor(twice, 1, 20000, out);
}

/* ---- tier discounts ---- */

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

enum cp_err cp_tier_discount_put(struct cp_db *db, const struct cp_tier_discount *d,
				 struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	if (d->discount_bp < 0 || d->discount_bp > 10000)
		return cp_errf(
			err, CP_EINVAL,
			"tier %d: a discount is 0 to 10000 basis points (0 to 100%%), not %d",
			d->level, d->discount_bp);
	if (!cp_text_ok(d->except, sizeof(d->except) - 1))
		return cp_errf(err, CP_EINVAL,
			       "tier %d: the excluded categories must be UTF-8 text of at most %zu "
			       "bytes",
			       d->level, sizeof(d->except) - 1);
	if (d->discount_bp == 0)
		st = cp_db_stmt(db, "DELETE FROM tier_discount WHERE level = ?1", err);
	else
		st = cp_db_stmt(db,
				"INSERT INTO tier_discount(level, discount_bp, except_categories)"
				" VALUES(?1, ?2, ?3) ON CONFLICT(level) DO UPDATE SET"
				" discount_bp = excluded.discount_bp,"
				" except_categories = excluded.except_categories",
				err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int(st, 1, d->level);
	if (d->discount_bp) {
		sqlite3_bind_int(st, 2, d->discount_bp);
		sqlite3_bind_text(st, 3, d->except, -1, SQLITE_STATIC);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "store the tier's discount", err);
}

enum cp_err cp_tier_discount_get(struct cp_db *db, int level, struct cp_tier_discount *out,
				 struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "SELECT discount_bp, except_categories FROM tier_discount WHERE level = ?1",
		err);
	int rc;

	memset(out, 0, sizeof(*out));
	out->level = level;
	if (!st)
		return CP_EDB;
	sqlite3_bind_int(st, 1, level);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->discount_bp = sqlite3_column_int(st, 0);
		cp_db_col_text(st, 1, out->except, sizeof(out->except));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return cp_errf(err, CP_ENOTFOUND, "tier %d has no discount", level);
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read the tier's discount", err);
}

enum cp_err cp_discount_tier_record(struct cp_db *db, const struct rec_src *src, json_t *o,
				    int level, const char *where, struct cp_errbuf *err)
{
	struct cp_tier_discount d;
	const char *except = NULL;
	int64_t bp = 0;
	enum cp_err result;

	memset(&d, 0, sizeof(d));
	d.level = level;
	if ((json_object_get(o, "discount_bp") &&
	     !json_is_null(json_object_get(o, "discount_bp")) &&
	     (result = cp_rec_int(src, o, "discount_bp", 0, 10000, &bp, where, err))) ||
	    (result = cp_rec_str(src, o, "discount_except", true, &except, where, err)))
		return result;
	if (except && strlen(except) >= sizeof(d.except))
		return cp_rec_bad(src, where, "discount_except", "is too long", err);
	d.discount_bp = (int)bp;
	snprintf(d.except, sizeof(d.except), "%s", except ? except : "");
	return cp_rec_stored(src, cp_tier_discount_put(db, &d, err), where, err);
}

enum cp_err cp_discount_tier_delete(struct cp_db *db, const char *key, struct cp_errbuf *err)
{
	return cp_change_run_keyed(
		db, "DELETE FROM tier_discount WHERE level = CAST(?1 AS INTEGER)", key, err);
}

/* ---- pricing ---- */

struct manual {
	int line_no; /* 0: the whole sale */
	enum cp_discount_kind kind;
	int64_t value;
	char reason[CP_DISCOUNT_REASON_MAX + 1];
	char manager[17];
};

#define MANUAL_MAX (CP_CART_MAX_LINES + 1)

/* The open cart's manual discounts, the lines' first (in line order), the sale's last: two
 * reads along line_no's index instead of one sorted in a temporary B-tree. */
static enum cp_err read_manual(struct cp_db *db, struct manual *m, int *n, struct cp_errbuf *err)
{
	int rc = SQLITE_DONE;

	*n = 0;
	for (int pass = 0; pass < 2 && rc == SQLITE_DONE; pass++) {
		sqlite3_stmt *st =
			pass == 0 ? cp_db_stmt(db,
					       "SELECT line_no, kind, value, reason,"
					       " coalesce(manager, '') FROM cart_discount"
					       " WHERE line_no IS NOT NULL ORDER BY line_no",
					       err)
				  : cp_db_stmt(db,
					       "SELECT 0, kind, value, reason,"
					       " coalesce(manager, '') FROM cart_discount"
					       " WHERE line_no IS NULL",
					       err);

		if (!st)
			return CP_EDB;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < MANUAL_MAX) {
			struct manual *d = &m[(*n)++];
			char kind[16];

			d->line_no = sqlite3_column_int(st, 0);
			cp_db_col_text(st, 1, kind, sizeof(kind));
			d->kind = strcmp(kind, "percent") == 0 ? CP_DISCOUNT_PERCENT
							       : CP_DISCOUNT_AMOUNT;
			d->value = sqlite3_column_int64(st, 2);
			cp_db_col_text(st, 3, d->reason, sizeof(d->reason));
			cp_db_col_text(st, 4, d->manager, sizeof(d->manager));
		}
		sqlite3_reset(st);
		if (rc == SQLITE_ROW) /* MANUAL_MAX reached: what the sorted read kept */
			rc = SQLITE_DONE;
	}
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "read the cart's discounts", err);
}

/* What a discount of kind/value takes off base: at most base. false on overflow. */
static bool off_of(enum cp_discount_kind kind, int64_t value, int64_t base, int64_t *fen)
{
	if (kind == CP_DISCOUNT_PERCENT)
		return cp_discount_bp_of(base, value, fen);
	*fen = value < base ? value : base;
	return true;
}

/* Spreads fen over the lines that can take it (not offer lines) in proportion to their
 * amounts, to the fen: floor shares, then the fen rounding left one each to the largest
 * lines first (EXAMPLES.md 3), none above its amount. */
static bool spread(struct cp_cart_view *v, int64_t fen, int64_t base)
{
	int64_t done = 0;
	bool given[CP_CART_MAX_LINES] = {false};

	for (int i = 0; i < v->nlines; i++) {
		struct cp_cart_line *l = &v->lines[i];
		int64_t share;

		if (l->redemption || l->amount <= 0)
			continue;
		if (!cp_muldiv_floor(fen, l->amount, base, &share))
			return false;
		l->discount_share = share;
		done += share;
	}
	while (done < fen) {
		int best = -1;

		for (int i = 0; i < v->nlines; i++) {
			const struct cp_cart_line *l = &v->lines[i];

			if (l->redemption || given[i] || l->amount - l->discount_share <= 0)
				continue;
			if (best < 0 || l->amount > v->lines[best].amount)
				best = i;
		}
		if (best < 0)
			break;
		given[best] = true;
		v->lines[best].discount_share++;
		done++;
	}
	for (int i = 0; i < v->nlines; i++) {
		struct cp_cart_line *l = &v->lines[i];

		l->amount -= l->discount_share;
		l->discount += l->discount_share;
	}
	return true;
}

/* A line back at its list price (manual_on_member_prices = false). */
static void to_list(struct cp_cart_line *l)
{
	l->amount += l->saving;
	l->saving = 0;
}

static bool price_tier(const struct cp_discount_config *c, const struct cp_tier_discount *t,
		       struct cp_cart_line *l)
{
	int64_t list = l->amount + l->saving, base, cut, price;

	if (!t || l->redemption || in_list(t->except, l->category))
		return true;
	base = c->tier_stacks ? l->amount : list;
	if (!cp_discount_bp_of(base, t->discount_bp, &cut))
		return false;
	price = base - cut;
	if (price < l->amount) {
		l->amount = price;
		l->saving = list - price;
	}
	return true;
}

/* Sums the view again from its lines. */
static bool total(struct cp_cart_view *v)
{
	v->total = v->eligible = v->member_saving = v->discount = 0;
	for (int i = 0; i < v->nlines; i++) {
		const struct cp_cart_line *l = &v->lines[i];

		if (!cp_money_add(v->total, l->amount, &v->total) ||
		    (l->eligible && !cp_money_add(v->eligible, l->amount, &v->eligible)) ||
		    !cp_money_add(v->member_saving, l->saving, &v->member_saving) ||
		    !cp_money_add(v->discount, l->discount, &v->discount))
			return false;
	}
	return true;
}

enum cp_err cp_discount_price(struct cp_db *db, struct cp_cart_view *v, struct cp_errbuf *err)
{
	const struct cp_discount_config *c = &db->discount;
	struct cp_tier_discount tier, *t = NULL;
	struct manual *m = NULL;
	enum cp_err result = CP_OK;
	int n = 0;

	if (!v->open || v->nlines == 0)
		return CP_OK;
	if (v->has_member) {
		result = cp_tier_discount_get(db, v->member.tier_level, &tier, err);
		if (result == CP_OK)
			t = &tier;
		else if (result != CP_ENOTFOUND)
			return result;
		result = CP_OK;
	}
	if (!(m = malloc(MANUAL_MAX * sizeof(*m))))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((result = read_manual(db, m, &n, err)) != CP_OK)
		goto out;
	for (int i = 0; i < v->nlines; i++)
		if (!price_tier(c, t, &v->lines[i]))
			goto overflow;
	if (c->manual_replaces_member && n && m[n - 1].line_no == 0)
		for (int i = 0; i < v->nlines; i++)
			if (!v->lines[i].redemption)
				to_list(&v->lines[i]);
	for (int k = 0; k < n; k++) {
		int64_t fen, base = 0;

		if (m[k].line_no) {
			for (int i = 0; i < v->nlines; i++) {
				struct cp_cart_line *l = &v->lines[i];

				if (l->line_no != m[k].line_no || l->redemption)
					continue;
				if (c->manual_replaces_member)
					to_list(l);
				if (!off_of(m[k].kind, m[k].value, l->amount, &fen))
					goto overflow;
				l->amount -= fen;
				l->discount += fen;
			}
			continue;
		}
		for (int i = 0; i < v->nlines; i++)
			if (!v->lines[i].redemption &&
			    !cp_money_add(base, v->lines[i].amount, &base))
				goto overflow;
		if (base > 0 &&
		    (!off_of(m[k].kind, m[k].value, base, &fen) || !spread(v, fen, base)))
			goto overflow;
	}
	for (int i = 0; i < v->nlines; i++)
		v->lines[i].coupon_off = c->coupons_skip_member && v->lines[i].saving > 0;
	if (!total(v))
		goto overflow;
	goto out;
overflow:
	result = cp_errf(err, CP_EOVERFLOW, "the cart total is too large; lower a quantity");
out:
	free(m);
	return result;
}

/* ---- manual discounts ---- */

static bool logged_in(const struct cp_session *who)
{
	return who && who->code[0] && who->token[0];
}

enum cp_err cp_discount_parse_percent(const char *text, int64_t *bp, struct cp_errbuf *err)
{
	const char *p = text;
	int64_t whole = 0, frac = 0;
	int digits = 0, fdigits = 0;

	if (!p)
		p = "";
	while (*p == ' ')
		p++;
	if (*p == '-')
		return cp_errf(err, CP_EINVAL, "a discount cannot be negative");
	for (; *p >= '0' && *p <= '9'; p++, digits++)
		if (digits < 6)
			whole = whole * 10 + (*p - '0');
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, fdigits++)
			if (fdigits < 2)
				frac = frac * 10 + (*p - '0');
	if (fdigits == 1)
		frac *= 10;
	if (*p == '%')
		p++;
	while (*p == ' ')
		p++;
	if (*p || (!digits && !fdigits) || fdigits > 2)
		return cp_errf(
			err, CP_EINVAL,
			"a percentage is a number such as 10 or 12.5 (at most two decimals)");
	if (digits > 3 || whole * 100 + frac > 10000)
		return cp_errf(err, CP_EINVAL, "a discount cannot be more than 100%%");
	if (whole * 100 + frac == 0)
		return cp_errf(err, CP_EINVAL, "a discount must take something off: more than 0%%");
	*bp = whole * 100 + frac;
	return CP_OK;
}

/* What req takes off the cart v as it stands (its own earlier discount of the same line or
 * sale left out) and from what; a sentence when it cannot be taken. */
static enum cp_err judge(const struct cp_db *db, const struct cp_cart_view *v,
			 const struct cp_discount_req *req, int64_t *fen, int64_t *base,
			 struct cp_errbuf *err)
{
	const struct cp_cart_line *line = NULL;
	char a[48], b[48];

	*base = 0;
	if (!v->open || v->nlines == 0)
		return cp_errf(err, CP_ESTATE, "the cart is empty: scan the items first");
	for (int i = 0; i < v->nlines; i++) {
		const struct cp_cart_line *l = &v->lines[i];
		int64_t x = l->amount;

		if (req->line_no && l->line_no != req->line_no)
			continue;
		if (req->line_no)
			line = l;
		if (l->redemption)
			continue;
		/* before this discount: a line before its own, the sale before its shares */
		if (!cp_money_add(x, req->line_no ? l->discount : l->discount_share, &x) ||
		    (db->discount.manual_replaces_member && !cp_money_add(x, l->saving, &x)) ||
		    !cp_money_add(*base, x, base))
			return cp_errf(err, CP_EOVERFLOW, "the sale is too large to discount");
	}
	if (req->line_no && !line)
		return cp_errf(err, CP_ENOTFOUND, "there is no line %d in the cart", req->line_no);
	if (line && line->redemption)
		return cp_errf(err, CP_EINVAL,
			       "line %d is an offer taken with points; it takes no discount",
			       req->line_no);
	if (req->kind == CP_DISCOUNT_AMOUNT && req->value > *base) {
		cp_money_format(req->value, NULL, a, sizeof(a));
		cp_money_format(*base, NULL, b, sizeof(b));
		return cp_errf(err, CP_EINVAL,
			       "a discount of %s is more than the %s it is taken from", a, b);
	}
	if (!off_of(req->kind, req->value, *base, fen))
		return cp_errf(err, CP_EOVERFLOW, "the sale is too large to discount");
	if (*fen <= 0)
		return cp_errf(err, CP_EINVAL,
			       "that discount takes nothing off (it rounds to ¥0.00); give more");
	return CP_OK;
}

static enum cp_err check_req(const struct cp_discount_req *req, struct cp_errbuf *err)
{
	if (req->line_no < 0)
		return cp_errf(err, CP_EINVAL, "there is no line %d in the cart", req->line_no);
	if (req->value <= 0)
		return cp_errf(err, CP_EINVAL,
			       req->value < 0 ? "a discount cannot be negative"
					      : "a discount must take something off: more "
						"than 0");
	if (req->kind == CP_DISCOUNT_PERCENT && req->value > 10000)
		return cp_errf(err, CP_EINVAL, "a discount cannot be more than 100%%");
	if (req->kind == CP_DISCOUNT_AMOUNT && req->value > CP_MONEY_MAX)
		return cp_errf(err, CP_EOVERFLOW, "that discount is too large an amount");
	if (req->kind != CP_DISCOUNT_AMOUNT && req->kind != CP_DISCOUNT_PERCENT)
		return cp_errf(err, CP_EINVAL, "a discount is an amount or a percentage");
	if (!req->reason || !req->reason[0] || strspn(req->reason, " ") == strlen(req->reason))
		return cp_errf(err, CP_EINVAL, "a discount needs a reason: say why it is given");
	if (!cp_text_ok(req->reason, CP_DISCOUNT_REASON_MAX))
		return cp_errf(err, CP_EINVAL, "the reason must be UTF-8 text of at most %d bytes",
			       CP_DISCOUNT_REASON_MAX);
	return CP_OK;
}

/* Whether fen off base is above the limit. */
static bool above_limit(const struct cp_db *db, int64_t fen, int64_t base)
{
	int64_t allowed;

	if (!cp_muldiv_floor(base, db->discount.manual_limit_bp, 10000, &allowed))
		return true;
	return fen > allowed;
}

static enum cp_err authorise(struct cp_db *db, const struct cp_session *who,
			     const struct cp_discount_req *req, int64_t fen, int64_t base,
			     char by[17], struct cp_errbuf *err)
{
	char a[48], b[48];
	enum cp_err result;

	by[0] = '\0';
	if (!above_limit(db, fen, base))
		return CP_OK;
	result = cp_staff_authorise(db, who, req->manager_code, req->manager_pin,
				    CP_WORD("a discount above the limit"), by, err);
	if (result != CP_EPERM || (req->manager_code && req->manager_code[0]))
		return result;
	cp_money_format(fen, NULL, a, sizeof(a));
	cp_money_format(base, NULL, b, sizeof(b));
	return cp_errf(err, CP_EPERM,
		       "a discount of %s off %s is above the limit of %d.%02d%%: a manager's code "
		       "and PIN are needed",
		       a, b, db->discount.manual_limit_bp / 100,
		       db->discount.manual_limit_bp % 100);
}

static enum cp_err store(struct cp_db *db, const struct cp_discount_req *req, const char *by,
			 struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db, "DELETE FROM cart_discount WHERE coalesce(line_no, 0) = ?1", err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int(st, 1, req->line_no);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "replace the discount", err);
	st = cp_db_stmt(db,
			"INSERT INTO cart_discount(line_no, kind, value, reason, manager)"
			" VALUES(?1, ?2, ?3, ?4, ?5)",
			err);
	if (!st)
		return CP_EDB;
	if (req->line_no)
		sqlite3_bind_int(st, 1, req->line_no);
	sqlite3_bind_text(st, 2, req->kind == CP_DISCOUNT_PERCENT ? "percent" : "amount", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, req->value);
	sqlite3_bind_text(st, 4, req->reason, -1, SQLITE_STATIC);
	if (by[0])
		sqlite3_bind_text(st, 5, by, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record the discount", err);
}

enum cp_err cp_discount_add(struct cp_db *db, const struct cp_session *who,
			    const struct cp_discount_req *req, struct cp_discount_result *out,
			    struct cp_errbuf *err)
{
	struct cp_cart_view *v = NULL;
	struct cp_discount_result r;
	int64_t fen, base, fen2, base2;
	enum cp_err result;

	memset(&r, 0, sizeof(r));
	if (!logged_in(who))
		return cp_errf(err, CP_EAUTH, "log in first");
	if ((result = check_req(req, err)) != CP_OK)
		return result;
	if (!(v = malloc(sizeof(*v))))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	/* Authority first, outside the write: wrong manager PINs count even when refused. */
	if ((result = cp_cart_view(db, who, v, err)) != CP_OK ||
	    (result = judge(db, v, req, &fen, &base, err)) != CP_OK ||
	    (result = authorise(db, who, req, fen, base, r.authorised_by, err)) != CP_OK)
		goto done;
	if ((result = cp_db_begin(db, err)) != CP_OK)
		goto done;
	if ((result = cp_cart_view(db, who, v, err)) != CP_OK ||
	    (result = judge(db, v, req, &fen2, &base2, err)) != CP_OK)
		goto out;
	if (!r.authorised_by[0] && above_limit(db, fen2, base2)) {
		result = cp_errf(err, CP_ESTATE,
				 "the cart changed meanwhile; give the discount again");
		goto out;
	}
	if ((result = store(db, req, r.authorised_by, err)) != CP_OK ||
	    (result = cp_cart_view(db, who, v, err)) != CP_OK ||
	    (result = cp_db_commit(db, err)) != CP_OK)
		goto out;
	r.fen = fen2;
	if (out)
		*out = r;
out:
	if (result != CP_OK)
		cp_db_rollback(db);
done:
	free(v);
	return result;
}

enum cp_err cp_discount_remove(struct cp_db *db, const struct cp_session *who, int line_no,
			       struct cp_errbuf *err)
{
	struct cp_cart_view *v = malloc(sizeof(*v));
	enum cp_err result;
	sqlite3_stmt *st;
	int rc;

	if (!v)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if (!logged_in(who)) {
		free(v);
		return cp_errf(err, CP_EAUTH, "log in first");
	}
	if ((result = cp_db_begin(db, err)) != CP_OK) {
		free(v);
		return result;
	}
	if ((result = cp_cart_view(db, who, v, err)) != CP_OK)
		goto out;
	result = CP_EDB;
	if (!(st = cp_db_stmt(db, "DELETE FROM cart_discount WHERE coalesce(line_no, 0) = ?1",
			      err)))
		goto out;
	sqlite3_bind_int(st, 1, line_no);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		result = cp_db_fail(db, rc, "remove the discount", err);
	else if (sqlite3_changes(db->h) == 0)
		result = line_no ? cp_errf(err, CP_ENOTFOUND, "line %d has no discount", line_no)
				 : cp_errf(err, CP_ENOTFOUND, "the sale has no discount");
	else
		result = cp_db_commit(db, err);
out:
	if (result != CP_OK)
		cp_db_rollback(db);
	free(v);
	return result;
}

/* ---- parked sales ---- */

enum cp_err cp_discount_park(struct cp_db *db, int64_t id, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"INSERT INTO parked_discount(park_id, line_no, kind, value, reason, manager)"
		" SELECT ?1, coalesce(line_no, 0), kind, value, reason, manager FROM cart_discount",
		err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "park the sale's discounts", err);
}

/* One parked discount d judged on the recalled cart v as a new one would be: kept (stored with
 * its manager, or who's authority when who is a manager and it is now above the limit), or
 * why says why it is left off. */
static enum cp_err unpark_one(struct cp_db *db, const struct cp_session *who,
			      const struct cp_cart_view *v, const struct manual *d,
			      struct cp_park_discount *o, struct cp_errbuf *err)
{
	struct cp_errbuf *why = &o->why;
	enum cp_err result;
	struct cp_discount_req req = {
		.line_no = d->line_no, .kind = d->kind, .value = d->value, .reason = d->reason};
	struct cp_errbuf ignored;
	int64_t fen, base;
	char by[17];
	bool found = !d->line_no;

	for (int i = 0; i < v->nlines && !found; i++)
		found = v->lines[i].line_no == d->line_no;
	if (!found) {
		cp_errf(why, CP_ENOTFOUND,
			"line %d is no longer in the sale (its item left the catalogue), so its "
			"discount was dropped",
			d->line_no);
		return CP_OK;
	}
	if (judge(db, v, &req, &fen, &base, why) != CP_OK)
		return CP_OK;
	snprintf(by, sizeof(by), "%s", d->manager);
	if (!by[0] && above_limit(db, fen, base) &&
	    cp_staff_authorise(db, who, NULL, NULL, CP_WORD("a discount above the limit"), by,
			       &ignored) != CP_OK) {
		cp_errf(why, CP_EPERM,
			"the discount of %s is now above the limit of %d.%02d%%: give it again "
			"with a manager's code and PIN",
			d->line_no ? CP_WORD("this line") : CP_WORD("the sale"),
			db->discount.manual_limit_bp / 100, db->discount.manual_limit_bp % 100);
		return CP_OK;
	}
	if ((result = store(db, &req, by, err)) != CP_OK)
		return result;
	o->kept = true;
	memcpy(o->manager, by, sizeof(o->manager));
	return CP_OK;
}

enum cp_err cp_discount_unpark(struct cp_db *db, const struct cp_session *who, int64_t id,
			       struct cp_park_recall *r, struct cp_errbuf *err)
{
	struct cp_cart_view *v = malloc(sizeof(*v));
	struct manual *m = malloc(MANUAL_MAX * sizeof(*m));
	sqlite3_stmt *st;
	enum cp_err result = CP_EDB;
	int rc, n = 0;

	r->ndiscounts = 0;
	if (!v || !m) {
		result = cp_errf(err, CP_ENOMEM, "out of memory");
		goto out;
	}
	if (!(st = cp_db_stmt(db,
			      "SELECT line_no, kind, value, reason, coalesce(manager, '')"
			      " FROM parked_discount WHERE park_id = ?1"
			      " ORDER BY line_no = 0, line_no",
			      err)))
		goto out;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < MANUAL_MAX) {
		struct manual *d = &m[n++];
		char kind[16];

		d->line_no = sqlite3_column_int(st, 0);
		cp_db_col_text(st, 1, kind, sizeof(kind));
		d->kind = strcmp(kind, "percent") == 0 ? CP_DISCOUNT_PERCENT : CP_DISCOUNT_AMOUNT;
		d->value = sqlite3_column_int64(st, 2);
		cp_db_col_text(st, 3, d->reason, sizeof(d->reason));
		cp_db_col_text(st, 4, d->manager, sizeof(d->manager));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		result = cp_db_fail(db, rc, "read the parked sale's discounts", err);
		goto out;
	}
	for (int k = 0; k < n; k++) {
		struct cp_park_discount *o = &r->discounts[r->ndiscounts++];

		memset(o, 0, sizeof(*o));
		o->line_no = m[k].line_no;
		o->kind = m[k].kind;
		o->value = m[k].value;
		snprintf(o->manager, sizeof(o->manager), "%s", m[k].manager);
		/* each judged on the cart with the ones before it: the sale's after the lines' */
		if ((result = cp_cart_view(db, who, v, err)) != CP_OK ||
		    (result = unpark_one(db, who, v, &m[k], o, err)) != CP_OK)
			goto out;
	}
	if (!(st = cp_db_stmt(db, "DELETE FROM parked_discount WHERE park_id = ?1", err))) {
		result = CP_EDB;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	result = rc == SQLITE_DONE ? CP_OK
				   : cp_db_fail(db, rc, "forget the parked sale's discounts", err);
out:
	free(v);
	free(m);
	return result;
}

/* ---- the sale ---- */

static json_t *manual_json(const struct manual *d, const struct cp_cart_view *cart)
{
	json_t *o = json_object();
	int64_t fen = 0;
	int n = 0;

	for (int i = 0; i < cart->nlines; i++) {
		const struct cp_cart_line *l = &cart->lines[i];

		if (!d->line_no)
			fen += l->discount_share;
		else if (l->line_no == d->line_no) {
			n = i + 1; /* the sale's line number */
			fen = l->discount - l->discount_share;
		}
	}
	if (!o || json_object_set_new(o, "line", n ? json_integer(n) : json_null()) ||
	    json_object_set_new(
		    o, "kind",
		    json_string(d->kind == CP_DISCOUNT_PERCENT ? "percent" : "amount")) ||
	    json_object_set_new(o, "value", json_integer(d->value)) ||
	    json_object_set_new(o, "fen", json_integer(fen)) ||
	    json_object_set_new(o, "reason", json_string(d->reason)) ||
	    json_object_set_new(o, "manager",
				d->manager[0] ? json_string(d->manager) : json_null())) {
		json_decref(o);
		return NULL;
	}
	return o;
}

enum cp_err cp_discount_sale_payload(struct cp_db *db, const struct cp_cart_view *cart,
				     json_t *payload, struct cp_errbuf *err)
{
	struct manual *m = malloc(MANUAL_MAX * sizeof(*m));
	json_t *list = NULL;
	enum cp_err result;
	int n = 0;

	if (!m)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((result = read_manual(db, m, &n, err)) != CP_OK || !n)
		goto out;
	result = cp_errf(err, CP_ENOMEM, "out of memory building the sale");
	if (!(list = json_array()))
		goto out;
	for (int k = 0; k < n; k++)
		if (json_array_append_new(list, manual_json(&m[k], cart)))
			goto out;
	if (json_object_set(payload, "discounts", list))
		goto out;
	result = CP_OK;
out:
	json_decref(list);
	free(m);
	return result;
}

enum cp_err cp_discount_sale_apply(struct cp_db *db, int64_t seq, json_t *p, struct cp_errbuf *err)
{
	json_t *list = json_object_get(p, "discounts"), *d;
	enum cp_err result;
	size_t i;

	if (!list)
		return CP_OK;
	if ((result = cp_jget_array(p, "discounts", &list, err)) != CP_OK)
		return result;
	json_array_foreach (list, i, d) {
		const char *kind, *reason, *manager;
		int64_t value, fen, line = 0;
		json_t *jl = json_object_get(d, "line");
		sqlite3_stmt *st;
		int rc;

		if ((jl && !json_is_null(jl) && (result = cp_jget_int(d, "line", &line, err))) ||
		    (result = cp_jget_str(d, "kind", &kind, err)) ||
		    (result = cp_jget_int(d, "value", &value, err)) ||
		    (result = cp_jget_int(d, "fen", &fen, err)) ||
		    (result = cp_jget_str(d, "reason", &reason, err)) ||
		    (result = cp_jget_str_or_null(d, "manager", &manager, err)))
			return result;
		st = cp_db_stmt(
			db,
			"INSERT INTO sale_discount(seq, n, line_no, kind, value, fen, reason,"
			" manager) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
			err);
		if (!st)
			return CP_EDB;
		sqlite3_bind_int64(st, 1, seq);
		sqlite3_bind_int64(st, 2, (int64_t)i + 1);
		if (line)
			sqlite3_bind_int64(st, 3, line);
		sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, value);
		sqlite3_bind_int64(st, 6, fen);
		sqlite3_bind_text(st, 7, reason, -1, SQLITE_STATIC);
		if (manager)
			sqlite3_bind_text(st, 8, manager, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return cp_db_fail(db, rc, "record the sale's discount", err);
	}
	return CP_OK;
}
