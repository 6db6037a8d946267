/* offer.c — points-plus-cash offers: the offer table (from HQ's change feed and the demo
 * store), which offers the cart's member can take and why not, and offer_use, the journal's
 * view of every redemption and its refund, which the per-member limits (by business day) and
 * this store's stock count. Sale and refund call the hooks in offer_int.h. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cart.h"
#include "changes_int.h"
#include "cp_clock.h"
#include "events_int.h"
#include "hq_int.h"
#include "money.h"
#include "offer_int.h"
#include "pointspay.h"
#include "report_int.h"
#include "text.h"

const char *cp_offer_why_text(enum cp_offer_why why)
{
	switch (why) {
	case CP_OFFER_OK:
		return "can take";
	case CP_OFFER_NOT_YET:
		return "not started";
	case CP_OFFER_ENDED:
		return "ended";
	case CP_OFFER_TIER:
		return "tier too low";
	case CP_OFFER_LIMIT:
		return "limit reached";
	case CP_OFFER_STOCK:
		return "out of stock";
	case CP_OFFER_POINTS:
		return "too few points";
	case CP_OFFER_REWARD:
		return "reward not available";
	}
	return "unknown";
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

static enum cp_err bad(struct cp_errbuf *err, const char *id, const char *what)
{
	return cp_errf(err, CP_EINVAL, "offer %s: %s", id && id[0] ? id : "(no id)", what);
}

enum cp_err cp_offer_put(struct cp_db *db, const struct cp_offer *o, struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	if (!cp_hq_token_ok(o->id, CP_OFFER_ID_LEN))
		return bad(err, NULL, "the id must be 1 to 32 printable characters");
	if (strcmp(o->reward_kind, "item") == 0 && !o->sku[0])
		return bad(err, o->id, "an item reward names the item's sku");
	if (strcmp(o->reward_kind, "coupon") == 0 && (!o->sku[0] || o->cash || !o->points))
		return bad(
			err, o->id,
			"a coupon reward names the coupon template in sku and costs points only");
	if (!cp_hq_token_ok(o->reward_kind, 16))
		return bad(err, o->id, "the reward kind is missing");
	if (!cp_text_ok(o->name_zh, 128) || !cp_text_ok(o->name_en, 128) ||
	    (!o->name_zh[0] && !o->name_en[0]))
		return bad(err, o->id, "it needs a name (up to 128 bytes of UTF-8)");
	if (o->points < 0 || o->cash < 0 || o->cash > CP_MONEY_MAX || (!o->points && !o->cash))
		return bad(err, o->id, "points and cash must not be negative, nor both 0");
	if (!day_ok(o->valid_from) || !day_ok(o->valid_to) ||
	    strcmp(o->valid_from, o->valid_to) > 0)
		return bad(err, o->id, "the validity is two days YYYY-MM-DD, the first not later");
	if (o->min_tier < 0 || o->limit < 0 || o->stock < -1)
		return bad(err, o->id, "tier, limit and stock must not be negative");
	if (strcmp(o->period, "day") != 0 && strcmp(o->period, "month") != 0 &&
	    strcmp(o->period, "ever") != 0)
		return bad(err, o->id, "the limit's period is day, month or ever");
	st = cp_db_stmt(
		db,
		"INSERT OR REPLACE INTO offer(id, reward_kind, sku, name_zh, name_en, points,"
		" cash, valid_from, valid_to, min_tier, limit_n, period, stock)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
		err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, o->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, o->reward_kind, -1, SQLITE_STATIC);
	if (o->sku[0])
		sqlite3_bind_text(st, 3, o->sku, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, o->name_zh, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, o->name_en, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, o->points);
	sqlite3_bind_int64(st, 7, o->cash);
	sqlite3_bind_text(st, 8, o->valid_from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, o->valid_to, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, o->min_tier);
	sqlite3_bind_int64(st, 11, o->limit);
	sqlite3_bind_text(st, 12, o->period, -1, SQLITE_STATIC);
	if (o->stock >= 0)
		sqlite3_bind_int64(st, 13, o->stock);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "store offer", err);
}

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

enum cp_err cp_rec_offer(const struct rec_src *src, json_t *o, struct cp_offer *out,
			 const char *where, struct cp_errbuf *err)
{
	json_t *stock = json_object_get(o, "stock");
	int64_t tier;
	enum cp_err result;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(o))
		return cp_rec_bad(src, where, NULL, "is not an object", err);
	if ((result = copy_str(src, o, "id", false, out->id, sizeof(out->id), where, err)) ||
	    (result = copy_str(src, o, "reward_kind", false, out->reward_kind,
			       sizeof(out->reward_kind), where, err)) ||
	    (result = copy_str(src, o, "sku", true, out->sku, sizeof(out->sku), where, err)) ||
	    (result = copy_str(src, o, "name_zh", false, out->name_zh, sizeof(out->name_zh), where,
			       err)) ||
	    (result = copy_str(src, o, "name_en", false, out->name_en, sizeof(out->name_en), where,
			       err)) ||
	    (result = copy_str(src, o, "valid_from", false, out->valid_from,
			       sizeof(out->valid_from), where, err)) ||
	    (result = copy_str(src, o, "valid_to", false, out->valid_to, sizeof(out->valid_to),
			       where, err)) ||
	    (result = copy_str(src, o, "period", false, out->period, sizeof(out->period), where,
			       err)) ||
	    (result = cp_rec_int(src, o, "points", 0, INT64_MAX, &out->points, where, err)) ||
	    (result = cp_rec_int(src, o, "cash", 0, CP_MONEY_MAX, &out->cash, where, err)) ||
	    (result = cp_rec_int(src, o, "min_tier", 0, 99, &tier, where, err)) ||
	    (result = cp_rec_int(src, o, "limit", 0, INT64_MAX, &out->limit, where, err)))
		return result;
	out->min_tier = (int)tier;
	out->stock = -1;
	if (stock && !json_is_null(stock) &&
	    (result = cp_rec_int(src, o, "stock", 0, INT64_MAX, &out->stock, where, err)))
		return result;
	return CP_OK;
}

enum cp_err cp_offer_change_upsert(struct cp_db *db, json_t *d, const char *where,
				   struct cp_errbuf *err)
{
	struct cp_offer o;
	enum cp_err result = cp_rec_offer(&cp_rec_hq, d, &o, where, err);

	if (result != CP_OK)
		return result;
	return cp_rec_stored(&cp_rec_hq, cp_offer_put(db, &o, err), where, err);
}

/* A deleted offer is gone from lists at once; an open cart's line of it is refused at payment
 * and can be removed. Its redemptions stay in offer_use. */
enum cp_err cp_offer_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err)
{
	return cp_change_run_keyed(db, "DELETE FROM offer WHERE id = ?1", key, err);
}

/* The columns every read of an offer with its counts selects: ?1 member, ?2 today, ?3 first
 * and ?4 last day of this month. Uses counted for the member (and the local ids HQ merged
 * into them) in the period and for the store over the offer's life, each a range of
 * offer_use's key (offer, member, day); the cart's own lines are counted from its view. */
#define OFFER_COLS                                                                                 \
	"SELECT o.id, o.reward_kind, coalesce(o.sku, ''), o.name_zh, o.name_en, o.points,"         \
	" o.cash, o.valid_from, o.valid_to, o.min_tier, o.limit_n, o.period,"                      \
	" coalesce(o.stock, -1),"                                                                  \
	" CASE WHEN o.limit_n > 0 THEN (SELECT coalesce(sum(u.qty), 0) FROM offer_use u"           \
	"  WHERE u.offer_id = o.id AND u.member_id IN (SELECT ?1 UNION ALL"                        \
	"   SELECT local_id FROM member_alias WHERE member_id = ?1)"                               \
	"  AND u.business_day BETWEEN CASE o.period WHEN 'day' THEN ?2 WHEN 'month' THEN ?3"       \
	"   ELSE '' END AND CASE o.period WHEN 'day' THEN ?2 WHEN 'month' THEN ?4 ELSE '~' END)"   \
	"  ELSE 0 END,"                                                                            \
	" CASE WHEN o.stock IS NOT NULL THEN (SELECT coalesce(sum(u.qty), 0) FROM offer_use u"     \
	"  WHERE u.offer_id = o.id) ELSE 0 END"                                                    \
	" FROM offer o "

struct counted {
	struct cp_offer o;
	int64_t member_used, store_used, in_cart;
};

/* cp_db_col_text without the formatting: a listing copies eight texts from each of 65 rows. */
static void col_text(sqlite3_stmt *st, int col, char *out, size_t outlen)
{
	const unsigned char *v = sqlite3_column_text(st, col);
	size_t len = v ? (size_t)sqlite3_column_bytes(st, col) : 0;

	if (len >= outlen)
		len = outlen - 1;
	if (len)
		memcpy(out, v, len);
	out[len] = '\0';
}

/* The cart's lines of offer id: they count against its limit and stock beside the uses. */
static int64_t in_cart(const struct cp_cart_view *cart, const char *id)
{
	int64_t n = 0;

	for (int i = 0; cart && i < cart->nlines; i++)
		if (cart->lines[i].redemption && strcmp(cart->lines[i].offer_id, id) == 0)
			n++;
	return n;
}

static void read_row(sqlite3_stmt *st, const struct cp_cart_view *cart, struct counted *c)
{
	struct cp_offer *o = &c->o;

	col_text(st, 0, o->id, sizeof(o->id));
	col_text(st, 1, o->reward_kind, sizeof(o->reward_kind));
	col_text(st, 2, o->sku, sizeof(o->sku));
	col_text(st, 3, o->name_zh, sizeof(o->name_zh));
	col_text(st, 4, o->name_en, sizeof(o->name_en));
	o->points = sqlite3_column_int64(st, 5);
	o->cash = sqlite3_column_int64(st, 6);
	col_text(st, 7, o->valid_from, sizeof(o->valid_from));
	col_text(st, 8, o->valid_to, sizeof(o->valid_to));
	o->min_tier = sqlite3_column_int(st, 9);
	o->limit = sqlite3_column_int64(st, 10);
	col_text(st, 11, o->period, sizeof(o->period));
	o->stock = sqlite3_column_int64(st, 12);
	c->member_used = sqlite3_column_int64(st, 13);
	c->store_used = sqlite3_column_int64(st, 14);
	c->in_cart = in_cart(cart, o->id);
}

struct today {
	char day[11], month_lo[11], month_hi[11];
};

static void today_is(struct today *t, const char *day)
{
	memcpy(t->day, day, 10);
	memcpy(t->month_lo, day, 8);
	memcpy(t->month_hi, day, 8);
	t->day[10] = '\0';
	memcpy(t->month_lo + 8, "01", 3);
	memcpy(t->month_hi + 8, "31", 3);
}

/* Today is the business day a sale made now belongs to (the day after a Z report's day once
 * that day is closed), so that a limit per day counts what the sales of that day recorded. */
static enum cp_err today_of(struct cp_db *db, struct today *t, struct cp_errbuf *err)
{
	char day[11];
	enum cp_err result = cp_report_event_day(db, cp_db_now(db), day, err);

	if (result == CP_OK)
		today_is(t, day);
	return result;
}

static void bind_counts(sqlite3_stmt *st, const char *member, const struct today *t)
{
	sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->day, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, t->month_lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, t->month_hi, -1, SQLITE_STATIC);
}

/* Whether the member (tier, points available after the cart's holds) can take extra more of
 * c beside the cart's own lines of it; fills the limit and stock left. */
static enum cp_offer_why judge(const struct counted *c, const char *today, int tier,
			       int64_t available, int extra, int64_t *limit_left,
			       int64_t *stock_left)
{
	const struct cp_offer *o = &c->o;
	int64_t used = c->member_used + c->in_cart, taken = c->store_used + c->in_cart;

	*limit_left = o->limit > 0 ? (o->limit > used ? o->limit - used : 0) : -1;
	*stock_left = o->stock >= 0 ? (o->stock > taken ? o->stock - taken : 0) : -1;
	if (strcmp(today, o->valid_from) < 0)
		return CP_OFFER_NOT_YET;
	if (strcmp(today, o->valid_to) > 0)
		return CP_OFFER_ENDED;
	if (strcmp(o->reward_kind, "item") != 0 && strcmp(o->reward_kind, "coupon") != 0)
		return CP_OFFER_REWARD;
	if (tier < o->min_tier)
		return CP_OFFER_TIER;
	if (o->limit > 0 && used + extra > o->limit)
		return CP_OFFER_LIMIT;
	if (o->stock >= 0 && taken + extra > o->stock)
		return CP_OFFER_STOCK;
	if (available < 0 || (extra && o->points > available))
		return CP_OFFER_POINTS;
	return CP_OFFER_OK;
}

enum cp_err cp_offer_list(struct cp_db *db, const struct cp_session *who, struct cp_offer_list *out,
			  struct cp_errbuf *err)
{
	struct cp_cart_view *cart = malloc(sizeof(*cart));
	bool began = false;
	struct today t;
	sqlite3_stmt *st;
	enum cp_err result;
	int rc;

	memset(out, 0, offsetof(struct cp_offer_list, e));
	if (!cart)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	began = cp_db_read_begin(db);
	if ((result = cp_cart_view(db, who, cart, err)) != CP_OK)
		goto out;
	if (!cart->has_member) {
		result = cp_errf(err, CP_ESTATE,
				 "attach a member first: offers are for members, paid with points");
		goto out;
	}
	snprintf(out->member_id, sizeof(out->member_id), "%s", cart->member.id);
	out->balance = cart->member.points;
	out->held = cart->points_held;
	out->available = cp_points_available(cart);
	if ((result = today_of(db, &t, err)) != CP_OK)
		goto out;
	st = cp_db_stmt(db,
			OFFER_COLS "WHERE o.valid_to >= ?2 AND o.valid_from <= ?2"
				   " ORDER BY o.valid_to, o.id LIMIT ?5",
			err);
	result = CP_EDB;
	if (!st)
		goto out;
	bind_counts(st, cart->member.id, &t);
	sqlite3_bind_int(st, 5, CP_OFFER_LIST_MAX + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cp_offer_entry *e;
		struct counted c;

		if (out->n == CP_OFFER_LIST_MAX) {
			out->more = true;
			break;
		}
		e = &out->e[out->n++];
		read_row(st, cart, &c);
		e->offer = c.o;
		e->why = judge(&c, t.day, cart->member.tier_level, out->available, 1,
			       &e->limit_left, &e->stock_left);
	}
	sqlite3_reset(st);
	result = rc == SQLITE_ROW || rc == SQLITE_DONE ? CP_OK
						       : cp_db_fail(db, rc, "list offers", err);
out:
	cp_db_read_end(db, began);
	free(cart);
	return result;
}

/* One offer with its counts for cart's member and lines (cart may be NULL); CP_ENOTFOUND with a sentence when absent. */
static enum cp_err get_counted(struct cp_db *db, const char *id, const struct cp_cart_view *cart,
			       const struct today *t, struct counted *c, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, OFFER_COLS "WHERE o.id = ?5", err);
	int rc;

	if (!st)
		return CP_EDB;
	bind_counts(st, cart && cart->has_member ? cart->member.id : "", t);
	sqlite3_bind_text(st, 5, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_row(st, cart, c);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return cp_errf(err, CP_ENOTFOUND,
			       "there is no offer %s at this till; list the member's offers and "
			       "pick one",
			       id);
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read offer", err);
}

enum cp_err cp_offer_get(struct cp_db *db, const char *id, struct cp_offer *out,
			 struct cp_errbuf *err)
{
	struct counted c;
	struct today t;
	enum cp_err result;

	if (!id || !cp_hq_token_ok(id, CP_OFFER_ID_LEN))
		return cp_errf(err, CP_EINVAL, "an offer id is 1 to 32 printable characters");
	if ((result = today_of(db, &t, err)) != CP_OK)
		return result;
	if ((result = get_counted(db, id, NULL, &t, &c, err)) == CP_OK)
		*out = c.o;
	return result;
}

static const char *tier_name(struct cp_db *db, int level)
{
	const struct db_memo *m;

	if (cp_db_memo_get(db, &m, NULL) != CP_OK)
		return "";
	for (int i = 0; i < m->ntiers; i++)
		if (m->tiers[i].level == level)
			return m->tiers[i].name;
	return "";
}

static const char *period_phrase(const char *period)
{
	if (strcmp(period, "day") == 0)
		return "a day";
	if (strcmp(period, "month") == 0)
		return "a month";
	return "in all";
}

/* The one-line refusal of why for offer c (what the line says: "offer X" or "line N"). */
static enum cp_err refuse(struct cp_db *db, enum cp_offer_why why, const struct counted *c,
			  const struct cp_cart_view *cart, const char *what, struct cp_errbuf *err)
{
	const struct cp_offer *o = &c->o;

	switch (why) {
	case CP_OFFER_NOT_YET:
		return cp_errf(err, CP_ESTATE, "%s starts on %s; it cannot be taken yet", what,
			       o->valid_from);
	case CP_OFFER_ENDED:
		return cp_errf(err, CP_ESTATE, "%s ended on %s; remove it or pick another offer",
			       what, o->valid_to);
	case CP_OFFER_REWARD:
		return cp_errf(err, CP_ESTATE,
			       "%s gives a %s, which this till cannot give yet; pick another", what,
			       o->reward_kind);
	case CP_OFFER_TIER:
		return cp_errf(err, CP_ESTATE,
			       "%s is for tier %d (%s) and up; this member is tier %d (%s)", what,
			       o->min_tier, tier_name(db, o->min_tier), cart->member.tier_level,
			       cart->member.tier_name);
	case CP_OFFER_LIMIT:
		return cp_errf(err, CP_ESTATE,
			       "%s: this member has reached its limit of %lld %s (this sale "
			       "counted)",
			       what, (long long)o->limit, period_phrase(o->period));
	case CP_OFFER_STOCK:
		return cp_errf(err, CP_ESTATE,
			       "%s: none left at this store (stock %lld, this sale counted)", what,
			       (long long)o->stock);
	case CP_OFFER_POINTS:
		return cp_errf(
			err, CP_ESTATE,
			"%s costs %lld points; this member can spend %lld now (balance "
			"%lld, %lld held by this sale)",
			what, (long long)o->points,
			(long long)(cp_points_available(cart) > 0 ? cp_points_available(cart) : 0),
			(long long)cart->member.points, (long long)cart->points_held);
	case CP_OFFER_OK:
		break;
	}
	return CP_OK;
}

static enum cp_err check_take(struct cp_db *db, const struct cp_cart_view *cart,
			      const char *offer_id, bool coupon, struct cp_offer *out,
			      struct cp_errbuf *err);

enum cp_err cp_offer_check_add(struct cp_db *db, const struct cp_cart_view *cart,
			       const char *offer_id, struct cp_offer *out, struct cp_errbuf *err)
{
	return check_take(db, cart, offer_id, false, out, err);
}

enum cp_err cp_offer_check_exchange(struct cp_db *db, const struct cp_cart_view *cart,
				    const char *offer_id, struct cp_offer *out,
				    struct cp_errbuf *err)
{
	return check_take(db, cart, offer_id, true, out, err);
}

/* Whether the member may take offer_id now: as a cart line (item rewards) or, with coupon,
 * as an exchange of points for a coupon. */
static enum cp_err check_take(struct cp_db *db, const struct cp_cart_view *cart,
			      const char *offer_id, bool coupon, struct cp_offer *out,
			      struct cp_errbuf *err)
{
	int64_t limit_left, stock_left;
	struct counted c;
	struct today t;
	char what[48];
	enum cp_err result;

	if (!offer_id || !cp_hq_token_ok(offer_id, CP_OFFER_ID_LEN))
		return cp_errf(err, CP_EINVAL,
			       "an offer id is 1 to 32 printable characters; list the member's "
			       "offers and pick one");
	if (!cart->has_member)
		return cp_errf(err, CP_ESTATE,
			       "attach a member first: offers are for members, paid with points");
	if ((result = today_of(db, &t, err)) != CP_OK)
		return result;
	if ((result = get_counted(db, offer_id, cart, &t, &c, err)) != CP_OK)
		return result;
	snprintf(what, sizeof(what), "offer %s", offer_id);
	if (!coupon && strcmp(c.o.reward_kind, "coupon") == 0)
		return cp_errf(err, CP_ESTATE,
			       "%s gives a coupon, not an item: exchange the points for it (the "
			       "exchange key, or script command exchange)",
			       what);
	if (coupon && strcmp(c.o.reward_kind, "coupon") != 0)
		return cp_errf(err, CP_ESTATE,
			       "%s gives an item, not a coupon: add it to the sale instead", what);
	result = refuse(db,
			judge(&c, t.day, cart->member.tier_level, cp_points_available(cart), 1,
			      &limit_left, &stock_left),
			&c, cart, what, err);
	if (result == CP_OK)
		*out = c.o;
	return result;
}

enum cp_err cp_offer_check_cart(struct cp_db *db, const struct cp_cart_view *cart, const char *day,
				struct cp_errbuf *err)
{
	int64_t limit_left, stock_left, available;
	struct today t;
	char what[80];
	enum cp_err result;

	/* what is left once the cart's holds are paid: below zero when the balance no longer
	 * covers them (cp_points_available stops at 0) */
	if (!cp_money_sub(cart->member.points, cart->points_held, &available))
		available = -1;
	today_is(&t, day);
	for (int i = 0; i < cart->nlines; i++) {
		const struct cp_cart_line *l = &cart->lines[i];
		struct counted c;

		if (!l->redemption)
			continue;
		snprintf(what, sizeof(what), "line %d (offer %s)", l->line_no, l->offer_id);
		if (!cart->has_member)
			return cp_errf(err, CP_ESTATE,
				       "%s needs the member who took it; attach them or remove "
				       "the line",
				       what);
		result = get_counted(db, l->offer_id, cart, &t, &c, err);
		if (result == CP_ENOTFOUND)
			return cp_errf(err, CP_ESTATE,
				       "%s is no longer offered; remove the line to go on", what);
		if (result != CP_OK)
			return result;
		if ((result = refuse(db,
				     judge(&c, t.day, cart->member.tier_level, available, 0,
					   &limit_left, &stock_left),
				     &c, cart, what, err)) != CP_OK)
			return result;
	}
	return CP_OK;
}

static enum cp_err use_insert(struct cp_db *db, int64_t seq, int64_t n, const char *member,
			      const char *offer, const char *day, int qty, int64_t points,
			      int64_t cash, struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   "INSERT INTO offer_use(seq, n, member_id, offer_id, business_day,"
			   " qty, points, cash) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
			   err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, n);
	sqlite3_bind_text(st, 3, member, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, offer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, day, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, qty);
	sqlite3_bind_int64(st, 7, points);
	sqlite3_bind_int64(st, 8, cash);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record offer use", err);
}

enum cp_err cp_offer_use_record(struct cp_db *db, int64_t seq, int64_t n, const char *member,
				const char *offer, const char *day, int64_t points,
				struct cp_errbuf *err)
{
	return use_insert(db, seq, n, member, offer, day, 1, points, 0, err);
}

enum cp_err cp_offer_sale_line_apply(struct cp_db *db, int64_t seq, const char *member,
				     const char *day, json_t *l, struct cp_errbuf *err)
{
	const char *offer;
	int64_t n, points, cash;
	enum cp_err result;

	if ((result = cp_jget_str(l, "offer", &offer, err)) ||
	    (result = cp_jget_int(l, "n", &n, err)) ||
	    (result = cp_jget_int(l, "points", &points, err)) ||
	    (result = cp_jget_int(l, "cash", &cash, err)))
		return result;
	if (!member || points < 0 || n < 1 || n > 999)
		return cp_errf(err, CP_ECORRUPT,
			       "journal payload: an offer line without a member or with bad "
			       "points");
	if ((result = use_insert(db, seq, n, member, offer, day, 1, points, cash, err)) != CP_OK)
		return result;
	if (!points)
		return CP_OK;
	return cp_movement_insert(db, seq, 100 + (int)n, member, "offer", -points, 0, err);
}

/* The offer lines picked from the sale's journal row (found by its sequence), each as the
 * refund carries it, with the sale's business day. */
static enum cp_err refund_offers_of(json_t *sale, const int *lines, int n, json_t *offers,
				    int64_t *points, struct cp_errbuf *err)
{
	json_t *sale_lines, *l;
	const char *day;
	enum cp_err result;
	size_t i;

	if ((result = cp_jget_str(sale, "day", &day, err)) ||
	    (result = cp_jget_array(sale, "lines", &sale_lines, err)))
		return result;
	json_array_foreach (sale_lines, i, l) {
		const char *offer;
		int64_t line, p, cash;
		bool picked = false;

		if (!json_object_get(l, "offer"))
			continue;
		if ((result = cp_jget_int(l, "n", &line, err)) ||
		    (result = cp_jget_str(l, "offer", &offer, err)) ||
		    (result = cp_jget_int(l, "points", &p, err)) ||
		    (result = cp_jget_int(l, "cash", &cash, err)))
			return result;
		for (int k = 0; k < n; k++)
			picked = picked || lines[k] == line;
		if (!picked)
			continue;
		if (!cp_money_add(*points, p, points))
			return cp_errf(err, CP_EOVERFLOW, "the refund is too large");
		if (json_array_append_new(offers, json_pack("{s:I, s:s, s:I, s:I, s:s}", "n",
							    (json_int_t)line, "offer", offer,
							    "points", (json_int_t)p, "cash",
							    (json_int_t)cash, "day", day)))
			return cp_errf(err, CP_ENOMEM, "out of memory building the refund");
	}
	return CP_OK;
}

enum cp_err cp_offer_refund_payload(struct cp_db *db, int64_t sale_seq, const int *lines, int n,
				    json_t *payload, int64_t *points, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, "SELECT payload FROM journal WHERE seq = ?1", err);
	json_t *offers = json_array(), *sale = NULL;
	enum cp_err result = CP_OK;
	int rc;

	*points = 0;
	if (!st || !offers) {
		json_decref(offers);
		return st ? cp_errf(err, CP_ENOMEM, "out of memory") : CP_EDB;
	}
	sqlite3_bind_int64(st, 1, sale_seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && !(sale = json_loadb((const char *)sqlite3_column_blob(st, 0),
						    (size_t)sqlite3_column_bytes(st, 0), 0, NULL)))
		result = cp_errf(err, CP_ECORRUPT, "journal %lld: the sale's payload is not JSON",
				 (long long)sale_seq);
	sqlite3_reset(st);
	if (result == CP_OK && rc != SQLITE_ROW)
		result = rc == SQLITE_DONE ? cp_errf(err, CP_ECORRUPT,
						     "journal %lld: the sale's row is missing",
						     (long long)sale_seq)
					   : cp_db_fail(db, rc, "read the sale's journal row", err);
	if (result == CP_OK)
		result = refund_offers_of(sale, lines, n, offers, points, err);
	if (result == CP_OK && json_array_size(offers) &&
	    json_object_set(payload, "offers", offers))
		result = cp_errf(err, CP_ENOMEM, "out of memory building the refund");
	json_decref(sale);
	json_decref(offers);
	return result;
}

enum cp_err cp_offer_refund_apply(struct cp_db *db, int64_t seq, const char *member, json_t *p,
				  struct cp_errbuf *err)
{
	json_t *offers = json_object_get(p, "offers"), *o;
	enum cp_err result;
	size_t i;

	if (!offers)
		return CP_OK;
	if ((result = cp_jget_array(p, "offers", &offers, err)) != CP_OK)
		return result;
	if (!member)
		return cp_errf(err, CP_ECORRUPT,
			       "journal payload: offers refunded without a member");
	json_array_foreach (offers, i, o) {
		const char *offer, *day;
		int64_t n, points, cash;

		if ((result = cp_jget_int(o, "n", &n, err)) ||
		    (result = cp_jget_str(o, "offer", &offer, err)) ||
		    (result = cp_jget_int(o, "points", &points, err)) ||
		    (result = cp_jget_int(o, "cash", &cash, err)) ||
		    (result = cp_jget_str(o, "day", &day, err)))
			return result;
		if (n < 1 || n > 999 || points < 0)
			return cp_errf(err, CP_ECORRUPT, "journal payload: a bad refunded offer");
		if ((result = use_insert(db, seq, n, member, offer, day, -1, points, cash, err)) ||
		    (points && (result = cp_movement_insert(db, seq, 100 + (int)n, member,
							    "offer_refund", points, 0, err))))
			return result;
	}
	return CP_OK;
}
