/* test_offer.c — points-plus-cash offers (issue 9): which offers a member can take and why not,
 * every refusal changing nothing, the hold a cart line keeps and its release, the deduction in
 * the sale's transaction, limits per period across a business-day cut-over, stock, refunds
 * restoring points, limit and stock, verify over it all, and a held offer surviving SIGKILL. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cart.h"
#include "changes_int.h"
#include "db_int.h"
#include "journal.h"
#include "member.h"
#include "offer.h"
#include "pointspay.h"
#include "refund.h"
#include "sale.h"
#include "support.h"

static struct test_env env;

static void put(const char *id, const char *sku, int64_t points, int64_t cash, int tier,
		int64_t limit, const char *period, int64_t stock, const char *from, const char *to)
{
	struct cp_offer o = {
		.points = points, .cash = cash, .min_tier = tier, .limit = limit, .stock = stock};
	struct cp_errbuf err = {{0}};

	snprintf(o.id, sizeof(o.id), "%s", id);
	snprintf(o.reward_kind, sizeof(o.reward_kind), "item");
	snprintf(o.sku, sizeof(o.sku), "%s", sku);
	snprintf(o.name_zh, sizeof(o.name_zh), "兑换 %s", id);
	snprintf(o.name_en, sizeof(o.name_en), "Redeem %s", id);
	snprintf(o.period, sizeof(o.period), "%s", period);
	snprintf(o.valid_from, sizeof(o.valid_from), "%s", from);
	snprintf(o.valid_to, sizeof(o.valid_to), "%s", to);
	if (cp_offer_put(env.db, &o, &err) != CP_OK)
		fail_msg("put %s: %s", id, err.msg);
}

/* The three shapes, a tier-limited one, limits per day, month and ever, a small stock, one
 * ended and one not started. Today is 2026-11-24. */
static int setup(void **state)
{
	(void)state;
	test_env_open(&env, "offer", true);
	env.db->cutover_min = 240; /* 04:00 */
	put("PURE", "A2", 300, 0, 0, 0, "ever", -1, "2026-11-01", "2026-12-31");
	put("MIX", "G120", 200, 6000, 0, 1, "day", -1, "2026-11-01", "2026-12-31");
	put("HIGH", "A1", 1000, 500, 2, 0, "ever", -1, "2026-11-01", "2026-12-31");
	put("STOCK", "A2", 100, 100, 0, 0, "ever", 2, "2026-11-01", "2026-12-31");
	put("MONTH", "A2", 50, 0, 0, 1, "month", -1, "2026-11-01", "2026-12-31");
	put("EVER", "A2", 50, 0, 0, 1, "ever", -1, "2026-11-01", "2026-12-31");
	put("OLD", "A2", 10, 0, 0, 0, "ever", -1, "2026-10-01", "2026-11-01");
	put("NEW", "A2", 10, 0, 0, 0, "ever", -1, "2026-12-24", "2026-12-31");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

static int reset(void **state)
{
	struct cp_errbuf err = {{0}};

	(void)state;
	env.now = TEST_TUESDAY_MS;
	cp_cart_cancel(env.db, &env.cashier, &err);
	return 0;
}

static int64_t count(const char *sql)
{
	return test_count(&env, sql);
}

static int64_t balance(const char *id)
{
	struct cp_member_view m;
	struct cp_errbuf err = {{0}};

	OK(cp_member_get(env.db, id, &m, &e_));
	(void)err;
	return m.points;
}

static void view(struct cp_cart_view *v)
{
	OK(cp_cart_view(env.db, &env.cashier, v, &e_));
}

static const struct cp_offer_entry *entry(const struct cp_offer_list *l, const char *id)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->e[i].offer.id, id) == 0)
			return &l->e[i];
	return NULL;
}

static void attach(const char *member)
{
	OK(cp_cart_set_member(env.db, &env.cashier, member, &e_));
}

static int take(const char *offer)
{
	int line = 0;

	OK(cp_cart_add_offer(env.db, &env.cashier, offer, &line, &e_));
	return line;
}

static void pay(int64_t cash, struct cp_sale_result *r)
{
	struct cp_tender t = {.method = CP_TENDER_CASH, .amount = cash};

	OK(cp_sale_pay(env.db, &env.cashier, &t, 1, r, &e_));
}

static void verify_ok(void)
{
	struct cp_verify_report rep;

	OK(cp_journal_verify(env.db, &rep, &e_));
}

/* A refusal: the code, a sentence with want in it, and the cart, movements and journal as
 * they were. */
static void refused(const char *offer, enum cp_err code, const char *want)
{
	struct cp_cart_view before, after;
	struct cp_errbuf err = {{0}};
	int64_t journal = count("SELECT count(*) FROM journal");
	int line = -7;

	view(&before);
	assert_int_equal(cp_cart_add_offer(env.db, &env.cashier, offer, &line, &err), code);
	if (!strstr(err.msg, want))
		fail_msg("offer %s: \"%s\" does not say \"%s\"", offer ? offer : "(null)", err.msg,
			 want);
	assert_null(strchr(err.msg, '\n'));
	assert_int_equal(line, -7);
	view(&after);
	assert_int_equal(after.nlines, before.nlines);
	assert_int_equal(after.points_held, before.points_held);
	assert_int_equal(after.total, before.total);
	assert_int_equal(count("SELECT count(*) FROM journal"), journal);
}

static void test_list_and_reasons(void **state)
{
	struct cp_offer_list l;
	struct cp_errbuf err = {{0}};

	(void)state;
	assert_int_equal(cp_offer_list(env.db, &env.cashier, &l, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "attach a member"));
	attach("M2"); /* 普通, 3050 points */
	OK(cp_offer_list(env.db, &env.cashier, &l, &e_));
	assert_int_equal(l.balance, 3050);
	assert_int_equal(l.held, 0);
	assert_int_equal(l.available, 3050);
	assert_int_equal(l.n, 6); /* OLD ended, NEW not started: not listed */
	assert_false(l.more);
	assert_null(entry(&l, "OLD"));
	assert_null(entry(&l, "NEW"));
	assert_int_equal(entry(&l, "PURE")->why, CP_OFFER_OK);
	assert_int_equal(entry(&l, "MIX")->why, CP_OFFER_OK);
	assert_int_equal(entry(&l, "MIX")->limit_left, 1);
	assert_int_equal(entry(&l, "PURE")->limit_left, -1);
	assert_int_equal(entry(&l, "HIGH")->why, CP_OFFER_TIER);
	assert_int_equal(entry(&l, "STOCK")->stock_left, 2);
	assert_string_equal(cp_offer_why_text(CP_OFFER_TIER), "tier too low");
	/* M1 (金卡) has 500 points: the tier is high enough, the points are not */
	attach("M1");
	OK(cp_offer_list(env.db, &env.cashier, &l, &e_));
	assert_int_equal(entry(&l, "HIGH")->why, CP_OFFER_POINTS);
	assert_int_equal(entry(&l, "PURE")->why, CP_OFFER_OK);
	/* holding PURE (300) leaves 200: MIX (200) still fits, PURE again does not */
	take("PURE");
	OK(cp_offer_list(env.db, &env.cashier, &l, &e_));
	assert_int_equal(l.held, 300);
	assert_int_equal(l.available, 200);
	assert_int_equal(entry(&l, "PURE")->why, CP_OFFER_POINTS);
	assert_int_equal(entry(&l, "MIX")->why, CP_OFFER_OK);
}

static void test_take_holds_and_releases(void **state)
{
	struct cp_cart_view v;
	struct cp_errbuf err = {{0}};
	int line;

	(void)state;
	OK(cp_cart_scan(env.db, &env.cashier, "A1", 1, NULL, &e_));
	attach("M2");
	line = take("MIX");
	view(&v);
	assert_int_equal(v.nlines, 2);
	assert_true(v.lines[1].redemption);
	assert_false(v.lines[1].eligible);
	assert_string_equal(v.lines[1].offer_id, "MIX");
	assert_string_equal(v.lines[1].sku, "G120");
	assert_int_equal(v.lines[1].unit_price, 6000);
	assert_int_equal(v.lines[1].points, 200);
	assert_int_equal(v.points_held, 200);
	assert_int_equal(v.total, 2800 + 6000);
	assert_int_equal(v.eligible, 2800);
	assert_int_equal(cp_points_available(&v), 3050 - 200);
	/* scanning the offer's item is a line of its own, never added to the offer line */
	OK(cp_cart_scan(env.db, &env.cashier, "G120", 1, NULL, &e_));
	view(&v);
	assert_int_equal(v.nlines, 3);
	assert_int_equal(v.lines[1].qty, 1);
	/* an offer line is one redemption: its quantity does not change */
	assert_int_equal(cp_cart_set_qty(env.db, &env.cashier, line, 2, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "is an offer"));
	/* removing the line releases its points */
	OK(cp_cart_remove(env.db, &env.cashier, line, &e_));
	view(&v);
	assert_int_equal(v.points_held, 0);
	/* detaching the member, or attaching another, releases them too */
	take("MIX");
	attach("M2"); /* the same member again keeps it */
	view(&v);
	assert_int_equal(v.points_held, 200);
	attach("M1");
	view(&v);
	assert_int_equal(v.points_held, 0);
	assert_int_equal(v.nlines, 2);
	attach("M2");
	take("PURE");
	OK(cp_cart_set_member(env.db, &env.cashier, NULL, &e_));
	view(&v);
	assert_int_equal(v.points_held, 0);
	assert_int_equal(count("SELECT count(*) FROM cart_line WHERE offer_id IS NOT NULL"), 0);
	assert_int_equal(balance("M2"), 3050);
}

static void test_refusals_change_nothing(void **state)
{
	(void)state;
	OK(cp_cart_scan(env.db, &env.cashier, "A1", 1, NULL, &e_));
	refused("PURE", CP_ESTATE, "attach a member first");
	attach("M2");
	refused("NOPE", CP_ENOTFOUND, "there is no offer NOPE");
	refused("", CP_EINVAL, "an offer id is 1 to 32");
	refused(NULL, CP_EINVAL, "an offer id is 1 to 32");
	refused("bad\x01id", CP_EINVAL, "an offer id is 1 to 32");
	refused("OLD", CP_ESTATE, "offer OLD ended on 2026-11-01");
	refused("NEW", CP_ESTATE, "offer NEW starts on 2026-12-24");
	refused("HIGH", CP_ESTATE, "is for tier 2 (金卡) and up; this member is tier 0 (普通)");
	take("MIX");
	refused("MIX", CP_ESTATE, "has reached its limit of 1 a day (this sale counted)");
	take("STOCK");
	take("STOCK");
	refused("STOCK", CP_ESTATE, "none left at this store (stock 2");
	/* 3050 - 200 - 2 * 100 = 2650 left: PURE x8 = 2400 fits, the ninth does not */
	for (int i = 0; i < 8; i++)
		take("PURE");
	refused("PURE", CP_ESTATE,
		"costs 300 points; this member can spend 250 now (balance 3050, 2800 held by "
		"this sale)");
	assert_int_equal(balance("M2"), 3050);
}

static void test_bad_offers_refused(void **state)
{
	struct cp_offer o = {.points = 0, .cash = 0, .stock = -1};
	struct cp_errbuf err = {{0}};

	(void)state;
	snprintf(o.id, sizeof(o.id), "Z");
	snprintf(o.reward_kind, sizeof(o.reward_kind), "item");
	snprintf(o.sku, sizeof(o.sku), "A1");
	snprintf(o.name_zh, sizeof(o.name_zh), "零");
	snprintf(o.period, sizeof(o.period), "day");
	snprintf(o.valid_from, sizeof(o.valid_from), "2026-11-01");
	snprintf(o.valid_to, sizeof(o.valid_to), "2026-11-30");
	assert_int_equal(cp_offer_put(env.db, &o, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "nor both 0"));
	o.points = 1;
	snprintf(o.valid_to, sizeof(o.valid_to), "2026-10-30");
	assert_int_equal(cp_offer_put(env.db, &o, &err), CP_EINVAL);
	snprintf(o.valid_to, sizeof(o.valid_to), "2026-11-30");
	snprintf(o.period, sizeof(o.period), "week");
	assert_int_equal(cp_offer_put(env.db, &o, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "day, month or ever"));
	snprintf(o.period, sizeof(o.period), "day");
	o.cash = -1;
	assert_int_equal(cp_offer_put(env.db, &o, &err), CP_EINVAL);
	assert_int_equal(count("SELECT count(*) FROM offer WHERE id = 'Z'"), 0);
	/* a reward this till cannot give yet is listed with its reason and cannot be taken */
	o.cash = 0;
	snprintf(o.reward_kind, sizeof(o.reward_kind), "voucher");
	o.sku[0] = '\0';
	OK(cp_offer_put(env.db, &o, &e_));
	attach("M2");
	refused("Z", CP_ESTATE, "gives a voucher, which this till cannot give yet");
	OK(cp_offer_change_delete(env.db, "Z", &e_));
	assert_int_equal(count("SELECT count(*) FROM offer WHERE id = 'Z'"), 0);
}

static void test_sale_deducts_in_its_transaction(void **state)
{
	struct cp_sale_result r;
	struct cp_offer_list l;
	int64_t seq;

	(void)state;
	OK(cp_cart_scan(env.db, &env.cashier, "A1", 1, NULL, &e_));
	attach("M2");
	take("MIX");  /* 200 points + ¥60 */
	take("PURE"); /* 300 points */
	pay(8800, &r);
	assert_int_equal(r.total, 8800);
	assert_int_equal(r.eligible, 2800); /* redemption lines earn nothing */
	assert_int_equal(r.points, 56);     /* ¥28 x2 in M2's birthday month */
	assert_int_equal(r.growth, 28);
	assert_int_equal(r.points_spent, 500);
	assert_int_equal(r.balance_after, 3050 + 56 - 500);
	assert_int_equal(balance("M2"), 3050 + 56 - 500);
	seq = r.seq;
	(void)seq;
	assert_int_equal(count("SELECT count(*) FROM movement WHERE kind = 'offer' AND"
			       " ((n = 102 AND points = -200) OR (n = 103 AND points = -300))"
			       " AND growth = 0"),
			 2);
	assert_int_equal(count("SELECT growth FROM movement WHERE kind = 'earn' ORDER BY seq DESC"),
			 28);
	assert_int_equal(count("SELECT count(*) FROM journal WHERE type = 'sale' AND"
			       " json_extract(payload, '$.lines[1].offer') = 'MIX' AND"
			       " json_extract(payload, '$.lines[1].points') = 200 AND"
			       " json_extract(payload, '$.lines[1].cash') = 6000 AND"
			       " json_extract(payload, '$.lines[1].eligible') = 0"),
			 1);
	assert_int_equal(count("SELECT count(*) FROM offer_use WHERE member_id = 'M2' AND"
			       " business_day = '2026-11-24' AND qty = 1"),
			 2);
	/* the day's limit of MIX is reached now, in a new cart */
	attach("M2");
	OK(cp_offer_list(env.db, &env.cashier, &l, &e_));
	assert_int_equal(entry(&l, "MIX")->why, CP_OFFER_LIMIT);
	assert_int_equal(entry(&l, "MIX")->limit_left, 0);
	verify_ok();
}

static void test_pay_checks_again(void **state)
{
	struct cp_tender t = {.method = CP_TENDER_CASH, .amount = 100000};
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};
	int64_t journal;

	(void)state;
	put("GONE", "A2", 10, 100, 0, 0, "ever", -1, "2026-11-01", "2026-11-24");
	attach("M1");
	take("GONE");
	journal = count("SELECT count(*) FROM journal");
	/* past the cut-over the offer has ended: the sale is refused, nothing recorded */
	env.now = TEST_TUESDAY_MS + TEST_DAY_MS;
	assert_int_equal(cp_sale_pay(env.db, &env.cashier, &t, 1, &r, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "line 1 (offer GONE) ended on 2026-11-24"));
	env.now = TEST_TUESDAY_MS;
	/* deleted by HQ while in the cart */
	OK(cp_offer_change_delete(env.db, "GONE", &e_));
	assert_int_equal(cp_sale_pay(env.db, &env.cashier, &t, 1, &r, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "is no longer offered; remove the line"));
	/* the balance fell below what the cart holds (a snapshot from HQ) */
	OK(cp_cart_remove(env.db, &env.cashier, 1, &e_));
	take("PURE");
	assert_int_equal(sqlite3_exec(env.db->h, "UPDATE member SET points = 100 WHERE id = 'M1'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(cp_sale_pay(env.db, &env.cashier, &t, 1, &r, &err), CP_ESTATE);
	assert_non_null(strstr(
		err.msg, "costs 300 points; this member can spend 0 now (balance 100, 300 held"));
	assert_int_equal(count("SELECT count(*) FROM journal"), journal);
	assert_int_equal(count("SELECT count(*) FROM cart_line"), 1);
	assert_int_equal(sqlite3_exec(env.db->h, "UPDATE member SET points = 500 WHERE id = 'M1'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
}

/* Limits count by business day: with the cut-over at 04:00, 03:30 on Wednesday is still
 * Tuesday; 04:10 is Wednesday. Months and "ever" the same way. */
static void test_limit_per_period_across_cutover(void **state)
{
	struct cp_sale_result r;
	struct cp_offer_list l;
	const int64_t wed_0330 = TEST_TUESDAY_MS + 17 * 3600000 + 30 * 60000;

	(void)state;
	put("D1", "A2", 10, 0, 0, 1, "day", -1, "2026-11-01", "2026-12-31");
	env.now = wed_0330;
	attach("M2");
	take("D1");
	take("MONTH");
	take("EVER");
	pay(0 + 1, &r);
	assert_int_equal(count("SELECT count(*) FROM offer_use WHERE offer_id = 'D1' AND"
			       " business_day = '2026-11-24'"),
			 1);
	attach("M2");
	refused("D1", CP_ESTATE, "limit of 1 a day");
	refused("MONTH", CP_ESTATE, "limit of 1 a month");
	refused("EVER", CP_ESTATE, "limit of 1 in all");
	env.now = wed_0330 + 40 * 60000; /* 04:10: a new business day */
	take("D1");
	refused("MONTH", CP_ESTATE, "a month");
	OK(cp_cart_cancel(env.db, &env.cashier, &e_));
	/* 2026-12-01 04:10: a new month */
	env.now = TEST_TUESDAY_MS + 7 * TEST_DAY_MS - 6 * 3600000 + 10 * 60000;
	attach("M2");
	OK(cp_offer_list(env.db, &env.cashier, &l, &e_));
	assert_int_equal(entry(&l, "MONTH")->why, CP_OFFER_OK);
	assert_int_equal(entry(&l, "EVER")->why, CP_OFFER_LIMIT);
	take("MONTH");
	/* the clock moved back an hour (NTP) to 03:10: still November 30's business day */
	env.now -= 3600000;
	OK(cp_offer_list(env.db, &env.cashier, &l, &e_));
	assert_int_equal(entry(&l, "MONTH")->why, CP_OFFER_LIMIT);
	verify_ok();
}

static void test_stock_and_refund_restore(void **state)
{
	struct cp_refund_req req = {0};
	struct cp_refund_result rr;
	struct cp_sale_result r;
	struct cp_offer_list l;
	int lines[1];
	int64_t before;

	(void)state;
	put("S2", "A2", 100, 100, 0, 1, "day", 2, "2026-11-01", "2026-12-31");
	attach("M2");
	take("S2");
	before = balance("M2");
	OK(cp_cart_scan(env.db, &env.cashier, "A1", 1, NULL, &e_));
	pay(2800 + 100, &r);
	assert_int_equal(balance("M2"), before - 100 + r.points);
	attach("M1");
	take("S2"); /* stock 2: one left after this */
	OK(cp_offer_list(env.db, &env.cashier, &l, &e_));
	assert_int_equal(entry(&l, "S2")->stock_left, 0);
	assert_int_equal(entry(&l, "S2")->why, CP_OFFER_LIMIT);
	OK(cp_cart_cancel(env.db, &env.cashier, &e_));
	/* refund the redemption line (line 1): points, the day's limit and the stock come back */
	before = balance("M2");
	lines[0] = 1;
	req.receipt = r.receipt;
	req.lines = lines;
	req.nlines = 1;
	OK(cp_refund(env.db, &env.manager, &req, &rr, &e_));
	assert_int_equal(rr.amount, 100);
	assert_int_equal(rr.points_restored, 100);
	assert_int_equal(rr.points, 0); /* it earned nothing, so nothing is clawed back */
	assert_int_equal(balance("M2"), before + 100);
	assert_int_equal(rr.balance_after, before + 100);
	assert_int_equal(count("SELECT count(*) FROM movement WHERE kind = 'offer_refund' AND"
			       " n = 101 AND points = 100"),
			 1);
	assert_int_equal(count("SELECT qty FROM offer_use WHERE offer_id = 'S2' ORDER BY seq DESC"),
			 -1);
	attach("M2");
	OK(cp_offer_list(env.db, &env.cashier, &l, &e_));
	assert_int_equal(entry(&l, "S2")->why, CP_OFFER_OK);
	assert_int_equal(entry(&l, "S2")->stock_left, 2);
	assert_int_equal(entry(&l, "S2")->limit_left, 1);
	/* refunding the rest gives no offer points back twice */
	OK(cp_refund(env.db, &env.manager, &(struct cp_refund_req){.receipt = r.receipt}, &rr,
		     &e_));
	assert_int_equal(rr.points_restored, 0);
	verify_ok();
}

static void test_void_restores(void **state)
{
	struct cp_refund_req req = {0};
	struct cp_refund_result rr;
	struct cp_sale_result r;
	int64_t before = balance("M2");

	(void)state;
	attach("M2");
	take("PURE");
	take("STOCK");
	pay(100, &r);
	assert_int_equal(balance("M2"), before - 400);
	req.receipt = r.receipt;
	req.void_sale = true;
	OK(cp_refund(env.db, &env.manager, &req, &rr, &e_));
	assert_int_equal(rr.points_restored, 400);
	assert_int_equal(balance("M2"), before);
	assert_int_equal(count("SELECT coalesce(sum(qty), 0) FROM offer_use WHERE offer_id ="
			       " 'STOCK'"),
			 0);
	verify_ok();
}

/* verify replays offer_use from the journal: a changed row of it is found. */
static void test_verify_finds_changed_offer_use(void **state)
{
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};
	struct cp_sale_result r;

	(void)state;
	attach("M2");
	take("PURE");
	pay(1, &r);
	verify_ok();
	assert_int_equal(sqlite3_exec(env.db->h,
				      "UPDATE offer_use SET qty = -1 WHERE offer_id = 'PURE'"
				      " AND seq = (SELECT max(seq) FROM offer_use)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_ECORRUPT);
	assert_non_null(strstr(err.msg, "table offer_use differs"));
	assert_int_equal(sqlite3_exec(env.db->h,
				      "UPDATE offer_use SET qty = 1 WHERE offer_id = 'PURE'"
				      " AND seq = (SELECT max(seq) FROM offer_use)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	verify_ok();
}

/* A held offer is part of the open cart: a process killed with SIGKILL after taking it leaves
 * the hold, which the next login takes over and pays. */
static void test_sigkill_keeps_the_hold(void **state)
{
	struct cp_db_options opt = {.path = env.path, .clock = &env.clock, .cutover_min = 240};
	struct cp_session who;
	struct cp_cart_view v;
	struct cp_sale_result r;
	int fds[2];
	char c;
	pid_t pid;
	int64_t before;

	(void)state;
	before = balance("M1");
	test_env_close(&env);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct cp_errbuf err = {{0}};
		struct cp_db *db;

		close(fds[0]);
		if (cp_db_open(&db, &opt, &err) != CP_OK ||
		    cp_staff_login(db, "1001", "1234", &who, NULL, &err) != CP_OK ||
		    cp_cart_set_member(db, &who, "M1", &err) != CP_OK ||
		    cp_cart_add_offer(db, &who, "PURE", NULL, &err) != CP_OK) {
			fprintf(stderr, "child: %s\n", err.msg);
			_exit(3);
		}
		if (write(fds[1], "k", 1) != 1)
			_exit(4);
		for (;;)
			pause();
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(fds[0]);
	OK(cp_db_open(&env.db, &opt, &e_));
	OK(cp_staff_login(env.db, "1001", "1234", &env.cashier, NULL, &e_));
	OK(cp_staff_login(env.db, "9001", "9999", &env.manager, NULL, &e_));
	OK(cp_cart_view(env.db, NULL, &v, &e_));
	assert_true(v.open);
	assert_int_equal(v.points_held, 300);
	assert_string_equal(v.lines[0].offer_id, "PURE");
	OK(cp_cart_take_over(env.db, &env.cashier, NULL, &e_));
	view(&v);
	assert_int_equal(cp_points_available(&v), before - 300);
	pay(1, &r);
	assert_int_equal(r.points_spent, 300);
	assert_int_equal(balance("M1"), before - 300);
	verify_ok();
}

/* HQ's change feed: an offer record is read field by field; a bad one names the field and
 * stores nothing; a good one can be taken. */
static void test_offer_from_the_feed(void **state)
{
	static const char *const bad[] = {
		"{\"id\":\"F1\",\"reward_kind\":\"item\",\"sku\":\"A2\",\"name_zh\":\"x\","
		"\"name_en\":\"x\",\"points\":-5,\"cash\":0,\"valid_from\":\"2026-11-01\","
		"\"valid_to\":\"2026-12-31\",\"min_tier\":0,\"limit\":0,\"period\":\"day\"}",
		"{\"id\":\"F1\",\"reward_kind\":\"item\",\"sku\":\"A2\",\"name_zh\":\"x\","
		"\"name_en\":\"x\",\"points\":5,\"cash\":9223372036854775807,"
		"\"valid_from\":\"2026-11-01\",\"valid_to\":\"2026-12-31\",\"min_tier\":0,"
		"\"limit\":0,\"period\":\"day\"}",
		"{\"id\":\"F1\",\"reward_kind\":\"item\",\"sku\":\"A2\",\"name_zh\":\"x\","
		"\"name_en\":\"x\",\"points\":5,\"cash\":0,\"valid_from\":\"2026-13-01\","
		"\"valid_to\":\"2026-12-31\",\"min_tier\":0,\"limit\":0,\"period\":\"day\"}",
		"{\"id\":\"F1\",\"reward_kind\":\"item\",\"sku\":\"A2\",\"name_zh\":\"x\","
		"\"name_en\":\"x\",\"points\":5,\"cash\":0,\"valid_from\":\"2026-11-01\","
		"\"valid_to\":\"2026-12-31\",\"min_tier\":0,\"limit\":0,\"period\":\"day\","
		"\"stock\":-1}",
	};
	static const char *const want[] = {"points", "cash", "validity", "stock"};
	const char *good =
		"{\"id\":\"F1\",\"reward_kind\":\"item\",\"sku\":\"A2\",\"name_zh\":\"积分换\","
		"\"name_en\":\"For "
		"points\",\"points\":5,\"cash\":100,\"valid_from\":\"2026-11-01\","
		"\"valid_to\":\"2026-12-31\",\"min_tier\":0,\"limit\":2,\"period\":\"month\","
		"\"stock\":null}";
	struct cp_offer o;
	struct cp_errbuf err = {{0}};
	json_t *j;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_non_null(j = json_loads(bad[i], 0, NULL));
		assert_int_equal(cp_offer_change_upsert(env.db, j, "changes[0]", &err), CP_EINVAL);
		if (!strstr(err.msg, want[i]))
			fail_msg("bad offer %zu: \"%s\" does not name %s", i, err.msg, want[i]);
		json_decref(j);
		assert_int_equal(count("SELECT count(*) FROM offer WHERE id = 'F1'"), 0);
	}
	assert_non_null(j = json_loads(good, 0, NULL));
	OK(cp_offer_change_upsert(env.db, j, "changes[0]", &e_));
	json_decref(j);
	OK(cp_offer_get(env.db, "F1", &o, &e_));
	assert_int_equal(o.points, 5);
	assert_int_equal(o.cash, 100);
	assert_int_equal(o.stock, -1);
	assert_string_equal(o.period, "month");
	attach("M2");
	take("F1");
	OK(cp_offer_change_delete(env.db, "F1", &e_));
	assert_int_equal(cp_offer_get(env.db, "F1", &o, &err), CP_ENOTFOUND);
}

/* offer_use is keyed by what the limits and stock count (offer, member, day): a redemption
 * writes no second B-tree. A database with redemptions from before (schema 12, the table keyed
 * by journal row, plus an index) keeps every row through the upgrade. */
static void test_offer_use_keyed_by_offer(void **state)
{
	struct cp_db_options opt = {.path = "offer_upgrade.db",
				    .clock = &env.clock,
				    .pbkdf2_iterations = 1000,
				    .schema_limit = 12};
	struct cp_db_init init = {.store_id = "S001", .terminal_id = "T01", .force = true};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	sqlite3_stmt *st;
	sqlite3 *h;

	(void)state;
	assert_int_equal(count("SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'offer_use'"),
			 1);
	assert_int_equal(count("SELECT count(*) FROM pragma_index_info("
			       "'sqlite_autoindex_offer_use_1') WHERE seqno = 0 AND"
			       " name = 'offer_id'"),
			 1);
	if (cp_db_create(&db, &opt, &init, &err) != CP_OK)
		fail_msg("create at schema 12: %s", err.msg);
	cp_db_close(db);
	db = NULL;
	assert_int_equal(sqlite3_open("offer_upgrade.db", &h), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(
			h,
			"INSERT INTO journal(seq, event_id, type, created_at, payload,"
			" prev_hash, hash) VALUES(7, 'e7', 'sale', 0, '{}', x'00', x'00'),"
			" (9, 'e9', 'sale', 0, '{}', x'00', x'00'),"
			" (11, 'e11', 'refund', 0, '{}', x'00', x'00');"
			"INSERT INTO offer_use VALUES(7, 2, 'M1', 'X', '2026-11-20', 1, 300, 0);"
			"INSERT INTO offer_use VALUES(9, 1, 'M2', 'X', '2026-11-21', 1, 300, 0);"
			"INSERT INTO offer_use VALUES(11, 1, 'M1', 'X', '2026-11-22', -1, 300, 0)",
			NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(h);
	opt.schema_limit = 0;
	if (cp_db_open(&db, &opt, &err) != CP_OK)
		fail_msg("the upgrade failed: %s", err.msg);
	assert_int_equal(sqlite3_prepare_v2(db->h,
					    "SELECT group_concat(seq || n || member_id || qty, ',')"
					    " FROM (SELECT * FROM offer_use ORDER BY seq),"
					    " (SELECT count(*) AS c FROM sqlite_schema WHERE"
					    " name = 'offer_use_member') WHERE c = 0",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "72M11,91M21,111M1-1");
	sqlite3_finalize(st);
	cp_db_close(db);
	unlink("offer_upgrade.db");
	unlink("offer_upgrade.db-wal");
	unlink("offer_upgrade.db-shm");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_list_and_reasons, reset),
		cmocka_unit_test_setup(test_take_holds_and_releases, reset),
		cmocka_unit_test_setup(test_refusals_change_nothing, reset),
		cmocka_unit_test_setup(test_bad_offers_refused, reset),
		cmocka_unit_test_setup(test_offer_from_the_feed, reset),
		cmocka_unit_test_setup(test_sale_deducts_in_its_transaction, reset),
		cmocka_unit_test_setup(test_pay_checks_again, reset),
		cmocka_unit_test_setup(test_limit_per_period_across_cutover, reset),
		cmocka_unit_test_setup(test_stock_and_refund_restore, reset),
		cmocka_unit_test_setup(test_void_restores, reset),
		cmocka_unit_test_setup(test_verify_finds_changed_offer_use, reset),
		cmocka_unit_test_setup(test_sigkill_keeps_the_hold, reset),
		cmocka_unit_test_setup(test_offer_use_keyed_by_offer, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
