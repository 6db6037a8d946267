/* test_points_property.c — a property test of spending points (issue 9): random members
 * (balances, tiers), carts of random items, random offers of the three shapes (纯积分,
 * 低积分+高金额, 高积分+低金额; limits per day, month and ever, small stocks), offers taken and
 * released, points tenders valid and refused, payments, random refunds by line and post-voids,
 * over business days. Throughout and afterwards: every member's balance as the till computes it
 * equals HQ's snapshot plus their movements and the test's own model of what each sale and
 * refund did; no spend drove a balance below zero; no offer's stock went negative and no limit
 * was passed; every refusal changed nothing (journal, movements, offer uses, balance, cart); and
 * verify passes. Coupons (issue 16) join: an issuing rule hands members a pack (bound and
 * bearer, amount, percent and free item), random codes (and mistyped ones) are applied before
 * payment, taken off what is paid; no coupon is used twice or after it was voided, every refusal
 * changes nothing, and when every sale is refunded every coupon a sale issued is used or void.
 * Tier and manual discounts join too: two tiers carry a discount (one leaving tobacco out),
 * random manual discounts of a line or the whole sale (amounts and percentages, some over the
 * limit with and without a manager, some over 100%) are given before payment; each sale's lines
 * add up to its total, every refusal changes nothing.
 * Benefits (issue 16) join: bonus points, a coupon and a gift at zero price granted at random
 * to the attached member, once per period; a refusal changes nothing, the points granted stay
 * in the balance after every refund, and verify replays the grants.
 * The PRNG is seeded (CP_PROPERTY_SEED overrides the default) and every failure names the seed
 * and the step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "benefit.h"
#include "cart.h"
#include "coupon.h"
#include "db_int.h"
#include "discount.h"
#include "journal.h"
#include "member.h"
#include "offer.h"
#include "pointspay.h"
#include "refund.h"
#include "sale.h"
#include "support.h"

#define SALES 120
#define NMEMBERS 8
#define NOFFERS 10
#define MAX_SALES SALES

static struct test_env env;
static uint64_t seed, rng;
static int step;

#define PFAIL(...)                                                                                 \
	do {                                                                                       \
		print_error("points property test: seed %llu (CP_PROPERTY_SEED=%llu repeats it), " \
			    "step %d\n",                                                           \
			    (unsigned long long)seed, (unsigned long long)seed, step);             \
		fail_msg(__VA_ARGS__);                                                             \
	} while (0)

#define P_OK(call)                                                                                 \
	do {                                                                                       \
		struct cp_errbuf e_ = {{0}};                                                       \
		if ((call) != CP_OK)                                                               \
			PFAIL("%s: %s", #call, e_.msg);                                            \
	} while (0)

#define P_EQ(a, b)                                                                                 \
	do {                                                                                       \
		int64_t a_ = (a), b_ = (b);                                                        \
		if (a_ != b_)                                                                      \
			PFAIL("%s is %lld, want %s = %lld", #a, (long long)a_, #b, (long long)b_); \
	} while (0)

#define P_TRUE(c, ...)                                                                             \
	do {                                                                                       \
		if (!(c))                                                                          \
			PFAIL(__VA_ARGS__);                                                        \
	} while (0)

/* splitmix64 */
static uint64_t next(void)
{
	uint64_t z = (rng += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static int64_t upto(int64_t n) /* 0 .. n-1 */
{
	return n > 0 ? (int64_t)(next() % (uint64_t)n) : 0;
}

static bool chance(int percent)
{
	return upto(100) < percent;
}

static const char *const skus[] = {"A1", "A2", "T1", "G120", "G19990", "G88"};
#define NSKUS ((int)(sizeof(skus) / sizeof(skus[0])))

struct member {
	char id[16];
	int64_t snapshot; /* member.points as HQ sent it: never changes here */
	int64_t model;    /* the balance the test expects */
	int64_t granted;  /* benefit points granted: no refund takes them back */
};

static struct member members[NMEMBERS];
static char offer_ids[NOFFERS + 1][16]; /* the last one is never stored */

struct line_rec {
	int line_no;
	bool redemption, refunded;
	int64_t points; /* an offer line's points */
};

struct sale_rec {
	char receipt[CP_RECEIPT_LEN];
	int member; /* index into members */
	char day[11];
	int nlines;
	struct line_rec lines[CP_CART_MAX_LINES];
	int64_t tender_points, earned;
	int64_t back, clawed; /* points given back / clawed back by refunds so far */
	bool any_refund;
};

static struct sale_rec sales[MAX_SALES];
/* What a run did, printed at the end so that a change that stops it exercising a rule shows. */
static struct {
	int offers, offers_refused, releases, points_paid, points_refused, refunds, voids,
		refunds_refused, days, coupons, coupons_refused, discounts, discounts_refused,
		grants, grants_refused;
} did;
static int nsales;

static int64_t count(const char *sql)
{
	return test_count(&env, sql);
}

static int64_t till_balance(int m)
{
	struct cp_member_view v;

	P_OK(cp_member_get(env.db, members[m].id, &v, &e_));
	return v.points;
}

static void business_day(char day[11])
{
	sqlite3_stmt *st;
	int64_t ms = env.now + 8 * INT64_C(3600000) - (int64_t)env.db->cutover_min * 60000;

	assert_int_equal(
		sqlite3_prepare_v2(env.db->h, "SELECT date(?1 / 1000, 'unixepoch')", -1, &st, NULL),
		SQLITE_OK);
	sqlite3_bind_int64(st, 1, ms);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(day, 11, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* What a refusal must leave alone. */
struct snap {
	int64_t journal, movements, offer_use, points_pay, cart_lines, held, total, balance;
	int64_t coupon_use, cart_coupons, cart_discounts;
	char member[64];
};

static int cur_member = -1; /* the member attached to the cart, -1 none */

static void take_snap(struct snap *s)
{
	static struct cp_cart_view v;

	memset(s, 0, sizeof(*s));
	s->journal = count("SELECT count(*) FROM journal");
	s->movements = count("SELECT count(*) FROM movement");
	s->offer_use = count("SELECT count(*) FROM offer_use");
	s->points_pay = count("SELECT count(*) FROM points_pay");
	s->coupon_use = count("SELECT count(*) FROM coupon_use");
	s->cart_coupons = count("SELECT count(*) FROM cart_coupon");
	s->cart_discounts = count("SELECT count(*) || sum(value) FROM cart_discount");
	P_OK(cp_cart_view(env.db, &env.cashier, &v, &e_));
	s->cart_lines = v.nlines;
	s->held = v.points_held;
	s->total = v.total;
	if (v.has_member)
		snprintf(s->member, sizeof(s->member), "%s", v.member.id);
	s->balance = cur_member >= 0 ? till_balance(cur_member) : 0;
}

static void unchanged(const struct snap *before, const char *what, const char *msg)
{
	struct snap now;

	take_snap(&now);
	P_EQ(now.journal, before->journal);
	P_EQ(now.movements, before->movements);
	P_EQ(now.offer_use, before->offer_use);
	P_EQ(now.points_pay, before->points_pay);
	P_EQ(now.coupon_use, before->coupon_use);
	P_EQ(now.cart_coupons, before->cart_coupons);
	P_EQ(now.cart_discounts, before->cart_discounts);
	P_EQ(now.cart_lines, before->cart_lines);
	P_EQ(now.held, before->held);
	P_EQ(now.total, before->total);
	P_EQ(now.balance, before->balance);
	P_TRUE(strcmp(now.member, before->member) == 0, "%s (%s) changed the cart's member", what,
	       msg);
	P_TRUE(msg[0] != '\0', "%s was refused without a message", what);
}

/* No offer's stock went negative; no member took an offer more often than its limit in a
 * period; no period has more refunds than takes. */
static void check_offers(void)
{
	P_EQ(count("SELECT count(*) FROM offer o WHERE o.stock IS NOT NULL AND o.stock <"
		   " (SELECT coalesce(sum(qty), 0) FROM offer_use u WHERE u.offer_id = o.id)"),
	     0);
	P_EQ(count("SELECT count(*) FROM (SELECT u.offer_id, sum(u.qty) AS n, o.limit_n AS l"
		   " FROM offer_use u JOIN offer o ON o.id = u.offer_id GROUP BY u.offer_id,"
		   " u.member_id, CASE o.period WHEN 'day' THEN u.business_day WHEN 'month'"
		   " THEN substr(u.business_day, 1, 7) ELSE '' END) WHERE n < 0 OR (l > 0 AND n > "
		   "l)"),
	     0);
}

/* No coupon used twice, none used after it was voided. */
static void check_coupons(void)
{
	P_EQ(count("SELECT count(*) FROM (SELECT code FROM coupon_use WHERE kind = 'use'"
		   " GROUP BY code HAVING count(*) > 1)"),
	     0);
	P_EQ(count("SELECT count(*) FROM coupon_use u JOIN coupon_use v ON v.code = u.code"
		   " AND v.seq < u.seq WHERE u.kind = 'use' AND v.kind = 'void'"),
	     0);
	P_EQ(count("SELECT count(*) FROM coupon_use u JOIN coupon_use v ON v.code = u.code"
		   " AND v.seq < u.seq WHERE u.kind = 'void' AND v.kind = 'use'"),
	     0);
}

static void add_coupons(void)
{
	static const struct {
		const char *id, *kind, *sku, *scope;
		int64_t threshold, amount;
		int bp;
		bool bearer, stacks;
	} t[] = {
		{"PA", "amount", "", "except", 5000, 1000, 0, false, false},
		{"PB", "percent", "", "all", 0, 0, 1000, true, true},
		{"PC", "item", "A2", "all", 0, 0, 0, false, true},
	};
	struct cp_coupon_rule r = {.threshold = 8000};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct cp_coupon_template c = {.threshold = t[i].threshold,
					       .amount = t[i].amount,
					       .percent_bp = t[i].bp,
					       .cap = 500,
					       .valid_days = 20,
					       .bearer = t[i].bearer,
					       .stacks = t[i].stacks};

		snprintf(c.id, sizeof(c.id), "%s", t[i].id);
		snprintf(c.kind, sizeof(c.kind), "%s", t[i].kind);
		snprintf(c.title_en, sizeof(c.title_en), "Coupon %s", t[i].id);
		snprintf(c.sku, sizeof(c.sku), "%s", t[i].sku);
		snprintf(c.scope, sizeof(c.scope), "%s", t[i].scope);
		snprintf(c.categories, sizeof(c.categories), "TOBACCO");
		P_OK(cp_coupon_template_put(env.db, &c, &e_));
	}
	snprintf(r.id, sizeof(r.id), "PR");
	snprintf(r.templates, sizeof(r.templates), "PA,PB,PC");
	snprintf(r.valid_from, sizeof(r.valid_from), "2026-01-01");
	snprintf(r.valid_to, sizeof(r.valid_to), "2027-12-31");
	P_OK(cp_coupon_rule_put(env.db, &r, &e_));
}

/* Applies a random coupon this till issued (now and then mistyped); a refusal changes nothing. */
static void try_coupon(void)
{
	int64_t n = count("SELECT count(*) FROM coupon_issue");
	char sql[128], code[CP_COUPON_CODE_LEN + 1] = "";
	struct cp_errbuf err = {{0}};
	struct snap before;
	sqlite3_stmt *st;

	if (n <= 0)
		return;
	snprintf(sql, sizeof(sql),
		 "SELECT code FROM coupon_issue ORDER BY code LIMIT 1 OFFSET %lld",
		 (long long)upto(n));
	assert_int_equal(sqlite3_prepare_v2(env.db->h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(code, sizeof(code), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (chance(10)) /* a neighbour swap or a wrong character */
		code[5] = code[5] == code[6] ? (code[5] == 'A' ? 'B' : 'A') : code[6];
	take_snap(&before);
	if (cp_coupon_apply(env.db, &env.cashier, code, NULL, &err) == CP_OK) {
		did.coupons++;
		return;
	}
	unchanged(&before, "a refused coupon", err.msg);
	did.coupons_refused++;
}

/* A random manual discount: a line or the whole sale, an amount or a percentage, by the
 * cashier alone or with the manager's code and PIN; what the till must refuse (over 100%, more
 * than the line, above the limit without a manager) changes nothing. */
static void try_discount(void)
{
	static struct cp_cart_view v;
	struct cp_discount_req req = {.reason = "property"};
	struct cp_errbuf err = {{0}};
	struct cp_discount_result r;
	struct snap before;
	bool manager = chance(40);

	P_OK(cp_cart_view(env.db, &env.cashier, &v, &e_));
	if (!v.nlines)
		return;
	req.line_no = chance(40) ? 0 : v.lines[upto(v.nlines)].line_no;
	req.kind = chance(50) ? CP_DISCOUNT_PERCENT : CP_DISCOUNT_AMOUNT;
	req.value = req.kind == CP_DISCOUNT_PERCENT ? 1 + upto(chance(10) ? 12000 : 5000)
						    : 1 + upto(chance(10) ? 50000 : 3000);
	if (manager) {
		req.manager_code = "9001";
		req.manager_pin = "9999";
	}
	take_snap(&before);
	if (cp_discount_add(env.db, &env.cashier, &req, &r, &err) == CP_OK) {
		P_TRUE(req.kind != CP_DISCOUNT_PERCENT || req.value <= 10000,
		       "a discount of %lld basis points was taken", (long long)req.value);
		P_TRUE(manager || !r.authorised_by[0], "a manager authorised without a PIN");
		did.discounts++;
		return;
	}
	unchanged(&before, "a refused discount", err.msg);
	did.discounts_refused++;
}

static void add_benefits(void)
{
	static const struct {
		const char *id, *tiers, *period, *what, *arg;
		int64_t points;
	} b[] = {
		{"BP", "", "day", "points", "", 150},
		{"BC", "", "month", "coupon", "PB", 0},
		{"BG", "2,3,4", "month", "gift", "A2", 0},
	};

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		struct cp_benefit x = {.points = b[i].points};

		snprintf(x.id, sizeof(x.id), "%s", b[i].id);
		snprintf(x.title_en, sizeof(x.title_en), "Benefit %s", b[i].id);
		snprintf(x.tiers, sizeof(x.tiers), "%s", b[i].tiers);
		snprintf(x.when, sizeof(x.when), "always");
		snprintf(x.period, sizeof(x.period), "%s", b[i].period);
		snprintf(x.what, sizeof(x.what), "%s", b[i].what);
		snprintf(x.template_id, sizeof(x.template_id), "%s", b[i].arg);
		snprintf(x.sku, sizeof(x.sku), "%s", b[i].arg);
		P_OK(cp_benefit_put(env.db, &x, &e_));
	}
}

/* Grants a random benefit to the attached member; a refusal (granted this period, not their
 * tier) changes nothing. */
static void try_benefit(void)
{
	static const char *const ids[] = {"BP", "BC", "BG"};
	struct cp_errbuf err = {{0}};
	struct cp_benefit_grant g;
	struct snap before;

	take_snap(&before);
	if (cp_benefit_grant(env.db, &env.cashier, ids[upto(3)], &g, &err) == CP_OK) {
		did.grants++;
		members[cur_member].model += g.points;
		members[cur_member].granted += g.points;
		P_EQ(till_balance(cur_member), members[cur_member].model);
		return;
	}
	unchanged(&before, "a refused benefit", err.msg);
	did.grants_refused++;
}

static void check_balances(void)
{
	for (int m = 0; m < NMEMBERS; m++) {
		char sql[512];
		int64_t moved;

		snprintf(sql, sizeof(sql),
			 "SELECT coalesce(sum(points), 0) FROM movement WHERE member_id = '%s'",
			 members[m].id);
		moved = count(sql);
		snprintf(sql, sizeof(sql), "SELECT points FROM member WHERE id = '%s'",
			 members[m].id);
		P_EQ(count(sql), members[m].snapshot);
		P_EQ(till_balance(m), members[m].snapshot + moved);
		P_EQ(till_balance(m), members[m].model);
	}
}

static void verify_ok(void)
{
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	if (cp_journal_verify(env.db, &rep, &err) != CP_OK)
		PFAIL("verify: %s", err.msg);
}

static void add_member(int m, int64_t points, int tier)
{
	char phone[16];
	struct cp_member_snapshot s = {.name = "随机", .points = points, .version = 1};
	static const int64_t growth[] = {0, 2000, 10000, 20000, 50000};

	snprintf(members[m].id, sizeof(members[m].id), "P%d", m);
	snprintf(phone, sizeof(phone), "1370000%04d", m);
	s.id = members[m].id;
	s.phone = phone;
	s.tier_level = tier;
	s.growth = growth[tier] + upto(1000);
	P_OK(cp_member_put_snapshot(env.db, &s, &e_));
	members[m].snapshot = points;
	members[m].model = points;
}

static void add_offer(int i)
{
	struct cp_offer o = {.min_tier = (int)upto(3) == 0 ? (int)upto(4) : 0};
	static const char *const periods[] = {"day", "month", "ever"};
	struct cp_errbuf err = {{0}};

	snprintf(o.id, sizeof(o.id), "X%02d", i);
	snprintf(o.reward_kind, sizeof(o.reward_kind), "item");
	snprintf(o.sku, sizeof(o.sku), "%s", skus[upto(NSKUS)]);
	snprintf(o.name_zh, sizeof(o.name_zh), "兑换 %s", o.id);
	snprintf(o.name_en, sizeof(o.name_en), "Redeem %s", o.id);
	switch (i % 3) {
	case 0: /* 纯积分 */
		o.points = 100 + 50 * upto(40);
		o.cash = 0;
		break;
	case 1: /* 低积分 + 高金额 */
		o.points = 50 + 10 * upto(20);
		o.cash = 2000 + upto(8000);
		break;
	default: /* 高积分 + 低金额 */
		o.points = 1000 + 100 * upto(30);
		o.cash = 1 + upto(500);
		break;
	}
	o.limit = upto(3); /* 0: no limit */
	snprintf(o.period, sizeof(o.period), "%s", periods[upto(3)]);
	o.stock = chance(50) ? upto(5) : -1;
	if (i == NOFFERS - 1) { /* valid only a few days into the run */
		snprintf(o.valid_from, sizeof(o.valid_from), "2026-11-26");
		snprintf(o.valid_to, sizeof(o.valid_to), "2026-11-28");
	} else if (i == NOFFERS - 2) { /* ended */
		snprintf(o.valid_from, sizeof(o.valid_from), "2026-10-01");
		snprintf(o.valid_to, sizeof(o.valid_to), "2026-11-01");
	} else {
		snprintf(o.valid_from, sizeof(o.valid_from), "2026-11-01");
		snprintf(o.valid_to, sizeof(o.valid_to), "2027-01-31");
	}
	if (cp_offer_put(env.db, &o, &err) != CP_OK)
		PFAIL("put offer %s: %s", o.id, err.msg);
}

static void attach(int m)
{
	static struct cp_cart_view vv;
	struct cp_cart_view *v = &vv;

	P_OK(cp_cart_set_member(env.db, &env.cashier, m >= 0 ? members[m].id : NULL, &e_));
	cur_member = m;
	/* attaching, changing or detaching the member releases what the cart held */
	P_OK(cp_cart_view(env.db, &env.cashier, v, &e_));
	P_EQ(v->points_held, 0);
	for (int i = 0; i < v->nlines; i++)
		P_TRUE(!v->lines[i].redemption, "an offer line stayed after the member changed");
}

/* Takes a random offer from the member's list (or one that does not exist): taken exactly when
 * the list says the member can; a refusal changes nothing. */
static void try_offer(void)
{
	static struct cp_offer_list l;
	static struct cp_cart_view vv;
	struct cp_cart_view *v = &vv;
	struct cp_errbuf err = {{0}};
	struct snap before;
	const char *id;
	bool can;
	int64_t points = 0, held;
	int line = 0;
	enum cp_err rc;

	P_OK(cp_offer_list(env.db, &env.cashier, &l, &e_));
	P_EQ(l.balance, members[cur_member].model);
	P_EQ(l.available, l.balance - l.held < 0 ? 0 : l.balance - l.held);
	for (int i = 0; i < l.n; i++) {
		P_TRUE(l.e[i].stock_left == -1 || l.e[i].stock_left >= 0,
		       "offer %s shows stock %lld", l.e[i].offer.id, (long long)l.e[i].stock_left);
		P_TRUE(l.e[i].limit_left == -1 || l.e[i].limit_left >= 0,
		       "offer %s shows limit left %lld", l.e[i].offer.id,
		       (long long)l.e[i].limit_left);
		if (l.e[i].why == CP_OFFER_OK)
			P_TRUE(l.e[i].offer.points <= l.available,
			       "offer %s is offered for %lld points with %lld available",
			       l.e[i].offer.id, (long long)l.e[i].offer.points,
			       (long long)l.available);
	}
	if (l.n == 0 || chance(5)) {
		id = offer_ids[NOFFERS];
		can = false;
	} else {
		int k = (int)upto(l.n);

		id = l.e[k].offer.id;
		can = l.e[k].why == CP_OFFER_OK;
		points = l.e[k].offer.points;
	}
	held = l.held;
	take_snap(&before);
	rc = cp_cart_add_offer(env.db, &env.cashier, id, &line, &err);
	if (!can) {
		P_TRUE(rc != CP_OK, "offer %s was taken though the list said it could not be", id);
		unchanged(&before, "a refused offer", err.msg);
		did.offers_refused++;
		goto out;
	}
	if (rc != CP_OK)
		PFAIL("offer %s listed as available was refused: %s", id, err.msg);
	P_OK(cp_cart_view(env.db, &env.cashier, v, &e_));
	P_EQ(v->points_held, held + points);
	did.offers++;
	P_TRUE(v->points_held <= members[cur_member].model, "the cart holds %lld of %lld points",
	       (long long)v->points_held, (long long)members[cur_member].model);
out:
	return;
}

/* Removes a random offer line: its points are released. */
static void release_one(void)
{
	static struct cp_cart_view vv;
	struct cp_cart_view *v = &vv;
	int64_t held;
	int k = -1;

	P_OK(cp_cart_view(env.db, &env.cashier, v, &e_));
	for (int i = 0; i < v->nlines; i++)
		if (v->lines[i].redemption && (k < 0 || chance(50)))
			k = i;
	if (k >= 0) {
		held = v->points_held - v->lines[k].points;
		P_OK(cp_cart_remove(env.db, &env.cashier, v->lines[k].line_no, &e_));
		P_OK(cp_cart_view(env.db, &env.cashier, v, &e_));
		P_EQ(v->points_held, held);
		did.releases++;
	}
}

static void quote(struct cp_pointspay_quote *q, struct cp_cart_view *v)
{
	P_OK(cp_cart_view(env.db, &env.cashier, v, &e_));
	P_OK(cp_pointspay_quote(env.db, v, q, &e_));
	P_EQ(q->available, members[cur_member].model - v->points_held < 0
				   ? 0
				   : members[cur_member].model - v->points_held);
	P_TRUE(q->max_fen >= 0 && q->max_fen <= q->cap && q->max_fen % q->step_fen == 0,
	       "points may pay %lld (cap %lld, step %lld)", (long long)q->max_fen,
	       (long long)q->cap, (long long)q->step_fen);
	P_TRUE(q->max_points <= q->available, "points may pay %lld points of %lld available",
	       (long long)q->max_points, (long long)q->available);
	P_EQ(q->max_points, q->max_fen / q->step_fen * q->step_points);
}

static enum cp_tender_method money(void)
{
	static const enum cp_tender_method m[] = {CP_TENDER_CASH, CP_TENDER_CARD, CP_TENDER_WECHAT,
						  CP_TENDER_ALIPAY, CP_TENDER_UNIONPAY};

	return m[upto(5)];
}

/* A points tender the till must refuse: not a whole step, over the cap, over the balance less
 * what is held, nothing or less than nothing. */
static void refused_points(const struct cp_pointspay_quote *q, int64_t total)
{
	struct cp_tender t[2];
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};
	struct snap before;
	int64_t amount;
	const char *what;

	switch (upto(5)) {
	case 0:
		what = "not a whole step";
		amount = q->step_fen * upto(q->max_fen / q->step_fen + 1) + 1 +
			 upto(q->step_fen - 1);
		break;
	case 1:
		what = "over the cap";
		amount = (q->cap / q->step_fen + 1 + upto(3)) * q->step_fen;
		break;
	case 2:
		what = "over the balance less what is held";
		amount = (q->available / q->step_points + 1 + upto(3)) * q->step_fen;
		break;
	case 3:
		what = "over what points may pay now";
		amount = q->max_fen + q->step_fen * (1 + upto(3));
		break;
	default:
		what = "nothing or less";
		amount = -q->step_fen * upto(3);
		break;
	}
	if (amount > 0 && amount <= q->max_fen && amount % q->step_fen == 0)
		return; /* happens to be fine (e.g. the cap sits above the balance) */
	memset(t, 0, sizeof(t));
	t[0].method = CP_TENDER_POINTS;
	t[0].amount = amount;
	t[1].method = money();
	t[1].amount = total - (amount > 0 ? amount : 0);
	if (t[1].amount <= 0)
		t[1].amount = 1;
	take_snap(&before);
	if (cp_sale_pay(env.db, &env.cashier, t, 2, &r, &err) == CP_OK)
		PFAIL("a points tender of %lld fen (%s; may pay %lld) was taken", (long long)amount,
		      what, (long long)q->max_fen);
	unchanged(&before, what, err.msg);
	did.points_refused++;
}

static void pay(void)
{
	static struct cp_cart_view v;
	struct cp_pointspay_quote q;
	struct cp_tender t[2];
	struct cp_sale_result r;
	struct sale_rec *s = &sales[nsales];
	struct cp_coupon_quote cq;
	int64_t steps, before, n = 0;

	quote(&q, &v);
	P_OK(cp_coupon_quote(env.db, &env.cashier, &cq, &e_));
	for (int64_t k = cq.n ? 0 : upto(3); k > 0; k--)
		refused_points(&q, v.total);
	memset(s, 0, sizeof(*s));
	s->member = cur_member;
	business_day(s->day);
	for (int i = 0; i < v.nlines; i++) {
		s->lines[i].line_no =
			i + 1; /* a sale numbers its lines 1.. (the cart may have gaps) */
		s->lines[i].redemption = v.lines[i].redemption;
		s->lines[i].points = v.lines[i].points;
	}
	s->nlines = v.nlines;
	/* the points quote knows nothing of coupons: no points tender beside them */
	steps = chance(70) && !cq.n ? upto(q.max_fen / q.step_fen + 1) : 0;
	memset(t, 0, sizeof(t));
	if (steps > 0) {
		t[n].method = CP_TENDER_POINTS;
		t[n++].amount = steps * q.step_fen;
	}
	if (cq.due - steps * q.step_fen > 0) {
		t[n].method = money();
		t[n].amount = cq.due - steps * q.step_fen;
		if (t[n].method == CP_TENDER_CASH)
			t[n].amount += upto(5000);
		n++;
	}
	before = till_balance(cur_member);
	P_OK(cp_sale_pay(env.db, &env.cashier, t, (int)n, &r, &e_));
	s->tender_points = steps * q.step_points;
	did.points_paid += steps > 0;
	s->earned = r.points;
	P_EQ(r.points_spent, v.points_held + s->tender_points);
	if (r.points_spent > 0)
		P_TRUE(before - r.points_spent >= 0,
		       "member %s spent %lld points with a balance of %lld", members[cur_member].id,
		       (long long)r.points_spent, (long long)before);
	members[cur_member].model += r.points - r.points_spent;
	P_EQ(r.balance_after, members[cur_member].model);
	P_EQ(till_balance(cur_member), members[cur_member].model);
	snprintf(s->receipt, sizeof(s->receipt), "%s", r.receipt);
	nsales++;
	cur_member = -1;
}

/* A random refund by line, or a post-void, of a random sale; what the till must refuse
 * (a line refunded before, a post-void after a refund or on another day) changes nothing. */
static void refund(void)
{
	/* the latest sale half the time, so that post-voids (same business day) happen */
	struct sale_rec *s = &sales[chance(50) ? nsales - 1 : upto(nsales)];
	struct cp_refund_req req = {.receipt = s->receipt};
	struct cp_refund_result rr;
	struct cp_errbuf err = {{0}};
	struct snap before;
	int lines[CP_CART_MAX_LINES], n = 0;
	bool expect_ok = true, all_done = true;
	int64_t restored = 0;
	char today[11];
	enum cp_err rc;

	business_day(today);
	if (chance(25)) {
		req.void_sale = true;
		expect_ok = !s->any_refund && strcmp(s->day, today) == 0;
	} else {
		for (int i = 0; i < s->nlines; i++)
			if (chance(40))
				lines[n++] = i;
		if (n == 0)
			lines[n++] = (int)upto(s->nlines);
		for (int i = 0; i < n; i++)
			if (s->lines[lines[i]].refunded)
				expect_ok = false;
		for (int i = 0; i < n; i++)
			lines[i] = s->lines[lines[i]].line_no;
		req.lines = lines;
		req.nlines = n;
	}
	take_snap(&before);
	rc = cp_refund(env.db, &env.manager, &req, &rr, &err);
	if (!expect_ok) {
		P_TRUE(rc != CP_OK, "%s of %s was done twice or too late",
		       req.void_sale ? "a post-void" : "a refund", s->receipt);
		unchanged(&before, req.void_sale ? "a refused post-void" : "a refused refund",
			  err.msg);
		did.refunds_refused++;
		return;
	}
	if (rc != CP_OK)
		PFAIL("%s of %s refused: %s", req.void_sale ? "post-void" : "refund", s->receipt,
		      err.msg);
	for (int i = 0; i < s->nlines; i++) {
		bool chosen = req.void_sale;

		for (int k = 0; k < n && !chosen; k++)
			chosen = lines[k] == s->lines[i].line_no;
		if (chosen) {
			s->lines[i].refunded = true;
			if (s->lines[i].redemption)
				restored += s->lines[i].points;
		}
		all_done = all_done && s->lines[i].refunded;
	}
	s->any_refund = true;
	if (req.void_sale)
		did.voids++;
	else
		did.refunds++;
	P_EQ(rr.points_restored, restored);
	P_TRUE(rr.points_back >= 0 && rr.points >= 0, "a refund took %lld points back, gave %lld",
	       (long long)rr.points, (long long)rr.points_back);
	s->back += rr.points_back;
	s->clawed += rr.points;
	P_TRUE(s->back <= s->tender_points, "refunds of %s gave back %lld of %lld points",
	       s->receipt, (long long)s->back, (long long)s->tender_points);
	P_TRUE(s->clawed <= s->earned, "refunds of %s clawed back %lld of %lld earned", s->receipt,
	       (long long)s->clawed, (long long)s->earned);
	if (all_done) {
		P_EQ(s->back, s->tender_points);
		P_EQ(s->clawed, s->earned);
	}
	members[s->member].model += rr.points_restored + rr.points_back - rr.points;
	P_EQ(rr.balance_after, members[s->member].model);
	P_EQ(rr.balance_negative, members[s->member].model < 0);
}

static void one_sale(void)
{
	struct snap before;
	struct cp_errbuf err = {{0}};
	int items = 1 + (int)upto(4);

	attach((int)upto(NMEMBERS));
	for (int i = 0; i < items; i++)
		P_OK(cp_cart_scan(env.db, &env.cashier, skus[upto(NSKUS)], 1 + upto(3), NULL, &e_));
	for (int64_t k = upto(4); k > 0; k--) {
		step++;
		if (chance(75))
			try_offer();
		else if (chance(60))
			release_one();
		else {
			int m = chance(50) ? cur_member : (int)upto(NMEMBERS - 1);

			if (m == cur_member)
				attach(-1); /* detach, then attach again */
			else if (m >= cur_member)
				m++; /* another member */
			attach(m);
		}
	}
	step++;
	if (chance(8)) {
		P_OK(cp_cart_cancel(env.db, &env.cashier, &e_));
		cur_member = -1;
		return;
	}
	/* an unknown tender name is refused as well (the parser says so) */
	P_TRUE(cp_tender_parse("points") == CP_TENDER_POINTS && cp_tender_parse("pointz") < 0,
	       "tender names");
	take_snap(&before);
	if (chance(5)) { /* nothing tendered */
		struct cp_sale_result r;

		P_TRUE(cp_sale_pay(env.db, &env.cashier, NULL, 0, &r, &err) != CP_OK,
		       "a sale without tenders was taken");
		unchanged(&before, "no tenders", err.msg);
	}
	for (int64_t k = upto(3); k > 0; k--) {
		step++;
		if (chance(50))
			try_discount();
		else
			try_coupon();
	}
	for (int64_t k = chance(30) ? 1 + upto(2) : 0; k > 0; k--) {
		step++;
		try_benefit();
	}
	pay();
}

static void test_property(void **state)
{
	const char *s = getenv("CP_PROPERTY_SEED");

	(void)state;
	seed = s && s[0] ? strtoull(s, NULL, 10) : UINT64_C(20261205);
	rng = seed;
	print_message("points property test: seed %llu\n", (unsigned long long)seed);
	for (int m = 0; m < NMEMBERS; m++) {
		/* some poor, some rich, one in debt (HQ applied another till's spend) */
		int64_t points = m == 0 ? -200 : chance(30) ? upto(300) : upto(20000);

		add_member(m, points, (int)upto(5));
	}
	for (int i = 0; i <= NOFFERS; i++)
		snprintf(offer_ids[i], sizeof(offer_ids[i]), "X%02d", i);
	for (int i = 0; i < NOFFERS; i++)
		add_offer(i);
	add_coupons();
	{
		struct cp_tier_discount gold = {.level = 2,
						.discount_bp = 500,
						.except = "TOBACCO"},
					top = {.level = 4, .discount_bp = 1200};

		P_OK(cp_tier_discount_put(env.db, &gold, &e_));
		P_OK(cp_tier_discount_put(env.db, &top, &e_));
	}
	add_benefits();
	check_balances();
	for (int n = 0; n < SALES; n++) {
		one_sale();
		check_offers();
		for (int64_t k = upto(3); k > 0 && nsales > 0; k--) {
			step++;
			if (chance(40))
				refund();
		}
		check_offers();
		check_coupons();
		check_balances();
		if (chance(10)) {
			env.now += TEST_DAY_MS; /* the next business day */
			did.days++;
		}
	}
	/* refund everything left, line by line */
	for (int i = 0; i < nsales; i++)
		for (int k = 0; k < sales[i].nlines; k++) {
			struct cp_refund_req req = {.receipt = sales[i].receipt};
			struct cp_refund_result rr;
			int line = sales[i].lines[k].line_no;

			if (sales[i].lines[k].refunded)
				continue;
			step++;
			req.lines = &line;
			req.nlines = 1;
			P_OK(cp_refund(env.db, &env.manager, &req, &rr, &e_));
			sales[i].lines[k].refunded = true;
			P_EQ(rr.points_restored,
			     sales[i].lines[k].redemption ? sales[i].lines[k].points : 0);
			sales[i].back += rr.points_back;
			sales[i].clawed += rr.points;
			members[sales[i].member].model +=
				rr.points_restored + rr.points_back - rr.points;
		}
	print_message("%d sales over %d business days; offers taken %d, refused %d, released %d;"
		      " points tenders %d, refused %d; refunds %d, post-voids %d, refused %d;"
		      " coupons applied %d, refused %d; discounts given %d, refused %d;"
		      " benefits granted %d, refused %d\n",
		      nsales, did.days + 1, did.offers, did.offers_refused, did.releases,
		      did.points_paid, did.points_refused, did.refunds, did.voids,
		      did.refunds_refused, did.coupons, did.coupons_refused, did.discounts,
		      did.discounts_refused, did.grants, did.grants_refused);
	for (int i = 0; i < nsales; i++) {
		P_EQ(sales[i].back, sales[i].tender_points);
		P_EQ(sales[i].clawed, sales[i].earned);
	}
	check_offers();
	check_balances();
	/* everything refunded: every balance is back where HQ left it (with the benefit points
	 * granted), every offer use undone */
	for (int m = 0; m < NMEMBERS; m++)
		P_EQ(members[m].model, members[m].snapshot + members[m].granted);
	P_TRUE(did.grants > 0 && did.grants_refused > 0, "no benefit was granted, or none refused");
	P_EQ(count("SELECT coalesce(sum(qty), 0) FROM offer_use"), 0);
	P_TRUE(count("SELECT count(*) FROM offer_use WHERE qty = 1") > 0, "no offer was taken");
	P_TRUE(count("SELECT count(*) FROM tender WHERE method = 'points'") > 0,
	       "no points tender was taken");
	check_coupons();
	P_TRUE(count("SELECT count(*) FROM coupon_use WHERE kind = 'use'") > 0,
	       "no coupon was used");
	P_TRUE(did.coupons_refused > 0, "no coupon was refused");
	P_TRUE(did.discounts > 0 && did.discounts_refused > 0, "discounts given %d, refused %d",
	       did.discounts, did.discounts_refused);
	P_TRUE(count("SELECT count(*) FROM sale_discount") > 0, "no sale recorded a discount");
	P_TRUE(count("SELECT count(*) FROM sale WHERE member_saving > 0") > 0, "nobody saved");
	/* each sale's lines add up to what it came to */
	P_EQ(count("SELECT count(*) FROM sale s WHERE s.total <>"
		   " (SELECT sum(l.amount) FROM sale_line l WHERE l.seq = s.seq)"),
	     0);
	/* every sale refunded: every coupon a sale issued was used or voided */
	P_EQ(count("SELECT count(*) FROM coupon_issue i WHERE i.source = 'sale' AND NOT"
		   " EXISTS(SELECT 1 FROM coupon_use u WHERE u.code = i.code)"),
	     0);
	verify_ok();
}

static int setup(void **state)
{
	(void)state;
	test_env_open(&env, "points_property", true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_property),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
