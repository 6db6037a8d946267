/* test_benefit.c — member benefits (issue 16): each rule (who: tiers and stages; when: always,
 * the birthday month, the member day; how often: once a year, month or day; what: a coupon,
 * bonus points, a gift at zero price), every refusal naming its reason and changing nothing,
 * once per period across a clock moved back, grants of other tills from HQ's feed, and verify
 * replaying the grants (and failing when a grant row is altered). */
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
#include "changes_int.h"
#include "coupon.h"
#include "db_int.h"
#include "journal.h"
#include "member.h"
#include "receipt.h"
#include "sale.h"
#include "support.h"

static struct test_env env;

static int64_t count(const char *sql)
{
	return test_count(&env, sql);
}

static void benefit(const char *id, const char *tiers, const char *when, const char *period,
		    const char *what, const char *arg, int64_t points)
{
	struct cp_benefit b = {.points = points};

	snprintf(b.id, sizeof(b.id), "%s", id);
	snprintf(b.title_zh, sizeof(b.title_zh), "礼遇 %s", id);
	snprintf(b.title_en, sizeof(b.title_en), "Benefit %s", id);
	snprintf(b.tiers, sizeof(b.tiers), "%s", tiers);
	snprintf(b.when, sizeof(b.when), "%s", when);
	snprintf(b.period, sizeof(b.period), "%s", period);
	snprintf(b.what, sizeof(b.what), "%s", what);
	if (strcmp(what, "coupon") == 0)
		snprintf(b.template_id, sizeof(b.template_id), "%s", arg);
	if (strcmp(what, "gift") == 0)
		snprintf(b.sku, sizeof(b.sku), "%s", arg);
	OK(cp_benefit_put(env.db, &b, &e_));
}

/* Today is Tuesday 2026-11-24 (Wednesday is the member day). M1 is 金卡 (tier 2, born in
 * January), M2 普通 (tier 0, born in November). */
static int setup(void **state)
{
	struct cp_coupon_template t = {.amount = 2000, .threshold = 10000, .valid_days = 30};

	(void)state;
	test_env_open(&env, "benefit", true);
	snprintf(t.id, sizeof(t.id), "BDAY");
	snprintf(t.kind, sizeof(t.kind), "amount");
	snprintf(t.title_zh, sizeof(t.title_zh), "生日券");
	snprintf(t.scope, sizeof(t.scope), "all");
	OK(cp_coupon_template_put(env.db, &t, &e_));
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
	assert_int_equal(sqlite3_exec(env.db->h, "DELETE FROM benefit; DELETE FROM benefit_known",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	return 0;
}

static void attach(const char *member)
{
	OK(cp_cart_set_member(env.db, &env.cashier, member, &e_));
}

static void verify_ok(void)
{
	struct cp_verify_report rep;

	OK(cp_journal_verify(env.db, &rep, &e_));
}

/* A refusal: rc, a message holding want, and nothing written. */
static void refused(const char *id, enum cp_err rc, const char *want)
{
	struct cp_errbuf err = {{0}};
	struct cp_benefit_grant g;
	int64_t rows = count("SELECT count(*) FROM journal");
	int64_t lines = count("SELECT count(*) FROM cart_line");

	assert_int_equal(cp_benefit_grant(env.db, &env.cashier, id, &g, &err), rc);
	if (!strstr(err.msg, want))
		fail_msg("refusal of %s: \"%s\" does not say \"%s\"", id, err.msg, want);
	assert_int_equal(count("SELECT count(*) FROM journal"), rows);
	assert_int_equal(count("SELECT count(*) FROM cart_line"), lines);
}

static enum cp_benefit_state state_of(const char *member, const char *id)
{
	struct cp_benefit_list *l = malloc(sizeof(*l));
	int found = -1;

	assert_non_null(l);
	OK(cp_benefit_list_member(env.db, member, l, &e_));
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->e[i].b.id, id) == 0)
			found = (int)l->e[i].state;
	free(l);
	return (enum cp_benefit_state)found;
}

static void test_rules_checked(void **state)
{
	static const struct {
		const char *field, *value;
		const char *want;
	} bad[] = {
		{"when", "weekly", "when is always"},    {"period", "week", "period is year"},
		{"what", "cash", "coupon, points"},      {"tiers", "gold", "tier levels"},
		{"stages", "new;lost", "stage names"},   {"valid_from", "2026-13-01", "valid_from"},
		{"points", "0", "points benefit gives"}, {"template", "", "names its coupon"},
	};
	struct cp_errbuf err = {{0}};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cp_benefit b = {.points = 100};

		snprintf(b.id, sizeof(b.id), "X");
		snprintf(b.title_en, sizeof(b.title_en), "x");
		snprintf(b.when, sizeof(b.when), "always");
		snprintf(b.period, sizeof(b.period), "day");
		snprintf(b.what, sizeof(b.what), "points");
		if (strcmp(bad[i].field, "when") == 0)
			snprintf(b.when, sizeof(b.when), "%s", bad[i].value);
		else if (strcmp(bad[i].field, "period") == 0)
			snprintf(b.period, sizeof(b.period), "%s", bad[i].value);
		else if (strcmp(bad[i].field, "what") == 0)
			snprintf(b.what, sizeof(b.what), "%s", bad[i].value);
		else if (strcmp(bad[i].field, "tiers") == 0)
			snprintf(b.tiers, sizeof(b.tiers), "%s", bad[i].value);
		else if (strcmp(bad[i].field, "stages") == 0)
			snprintf(b.stages, sizeof(b.stages), "%s", bad[i].value);
		else if (strcmp(bad[i].field, "valid_from") == 0)
			snprintf(b.valid_from, sizeof(b.valid_from), "%s", bad[i].value);
		else if (strcmp(bad[i].field, "points") == 0)
			b.points = 0;
		else
			snprintf(b.what, sizeof(b.what), "coupon");
		assert_int_equal(cp_benefit_put(env.db, &b, &err), CP_EINVAL);
		if (!strstr(err.msg, bad[i].want))
			fail_msg("%s: \"%s\" does not say \"%s\"", bad[i].field, err.msg,
				 bad[i].want);
	}
	assert_int_equal(count("SELECT count(*) FROM benefit"), 0);
}

/* Who: the tiers listed (none: every tier); a rule naming stages is granted to nobody until
 * lifecycle stages are wired in. */
static void test_who(void **state)
{
	struct cp_benefit b;

	(void)state;
	benefit("GOLD", "2,3,4", "always", "day", "points", NULL, 10);
	benefit("ALL", "", "always", "day", "points", NULL, 10);
	OK(cp_benefit_get(env.db, "ALL", &b, &e_));
	snprintf(b.id, sizeof(b.id), "SILENT");
	snprintf(b.stages, sizeof(b.stages), "silent");
	OK(cp_benefit_put(env.db, &b, &e_));
	assert_int_equal(state_of("M1", "GOLD"), CP_BENEFIT_OPEN);
	assert_int_equal((int)state_of("M2", "GOLD"), -1); /* not listed: not theirs */
	assert_int_equal(state_of("M2", "ALL"), CP_BENEFIT_OPEN);
	assert_int_equal((int)state_of("M2", "SILENT"), -1);
	attach("M2");
	refused("GOLD", CP_ESTATE, "not for this member's tier");
	refused("SILENT", CP_ESTATE, "stage silent");
	OK(cp_benefit_grant(env.db, &env.cashier, "ALL", NULL, &e_));
	attach("M1");
	OK(cp_benefit_grant(env.db, &env.cashier, "GOLD", NULL, &e_));
	verify_ok();
}

/* When: the birthday month (M2 is born in November, M1 in January), the member day
 * (Wednesday), always. */
static void test_when(void **state)
{
	(void)state;
	benefit("BD", "", "birthday", "year", "points", NULL, 500);
	benefit("MD", "", "member_day", "day", "points", NULL, 200);
	attach("M1");
	refused("BD", CP_ESTATE, "birthday month (month 1), not today");
	refused("MD", CP_ESTATE, "member day (weekday 3, 1 is Monday)");
	attach("M2");
	OK(cp_benefit_grant(env.db, &env.cashier, "BD", NULL, &e_));
	refused("MD", CP_ESTATE, "not today");
	env.now += TEST_DAY_MS; /* Wednesday */
	assert_int_equal(state_of("M2", "MD"), CP_BENEFIT_OPEN);
	assert_int_equal(state_of("M1", "MD"), CP_BENEFIT_OPEN);
	OK(cp_benefit_grant(env.db, &env.cashier, "MD", NULL, &e_));
	assert_int_equal(state_of("M2", "MD"), CP_BENEFIT_USED);
	verify_ok();
}

/* How often: once a day, a month, a year, keyed by the business day (runs after the tests at
 * 2026-11-24: it moves the clock on to 2027). */
static void test_how_often(void **state)
{
	struct cp_benefit_grant g;

	(void)state;
	benefit("D", "", "always", "day", "points", NULL, 1);
	benefit("M", "", "always", "month", "points", NULL, 1);
	benefit("Y", "", "always", "year", "points", NULL, 1);
	attach("M1");
	OK(cp_benefit_grant(env.db, &env.cashier, "D", &g, &e_));
	assert_string_equal(g.period_key, "2026-11-24");
	OK(cp_benefit_grant(env.db, &env.cashier, "M", &g, &e_));
	assert_string_equal(g.period_key, "2026-11");
	OK(cp_benefit_grant(env.db, &env.cashier, "Y", &g, &e_));
	assert_string_equal(g.period_key, "2026");
	refused("D", CP_ESTATE, "already this period");
	refused("M", CP_ESTATE, "open again next month");
	refused("Y", CP_ESTATE, "open again next year");
	env.now += TEST_DAY_MS;
	OK(cp_benefit_grant(env.db, &env.cashier, "D", NULL, &e_));
	refused("M", CP_ESTATE, "already this period");
	env.now += 7 * TEST_DAY_MS; /* 2026-12-02 */
	OK(cp_benefit_grant(env.db, &env.cashier, "M", &g, &e_));
	assert_string_equal(g.period_key, "2026-12");
	refused("Y", CP_ESTATE, "already this period");
	env.now += 40 * TEST_DAY_MS; /* 2027-01-11 */
	OK(cp_benefit_grant(env.db, &env.cashier, "Y", &g, &e_));
	assert_string_equal(g.period_key, "2027");
	verify_ok();
}

/* What: points are a movement (the balance grows by them), a coupon is issued through
 * coupon.c bound to the member, a gift is a cart line at zero price that earns nothing. */
static void test_what(void **state)
{
	struct cp_benefit_grant g;
	struct cp_member_view m;
	struct cp_cart_view *cart = malloc(sizeof(*cart));
	struct cp_coupon_info c;
	struct cp_sale_result r;
	struct cp_tender t = {.method = CP_TENDER_CASH, .amount = 3000};
	int64_t before;

	(void)state;
	assert_non_null(cart);
	benefit("P", "", "always", "day", "points", NULL, 250);
	benefit("C", "", "always", "year", "coupon", "BDAY", 0);
	benefit("G", "", "always", "month", "gift", "A2", 0);
	attach("M2");
	OK(cp_member_get(env.db, "M2", &m, &e_));
	before = m.points;
	OK(cp_benefit_grant(env.db, &env.cashier, "P", &g, &e_));
	assert_int_equal(g.points, 250);
	assert_int_equal(g.balance_after, before + 250);
	OK(cp_member_get(env.db, "M2", &m, &e_));
	assert_int_equal(m.points, before + 250);
	{
		char sql[128];

		snprintf(sql, sizeof(sql),
			 "SELECT points FROM movement WHERE kind = 'benefit' AND seq = %lld",
			 (long long)g.seq);
		assert_int_equal(count(sql), 250);
	}

	OK(cp_benefit_grant(env.db, &env.cashier, "C", &g, &e_));
	assert_int_equal(strlen(g.coupon.code), CP_COUPON_CODE_LEN);
	OK(cp_coupon_find(env.db, g.coupon.code, &c, &e_));
	assert_string_equal(c.member_id, "M2");
	assert_string_equal(c.state, "open");
	assert_string_equal(c.valid_from, "2026-11-24");
	assert_int_equal(count("SELECT count(*) FROM coupon_issue WHERE source = 'benefit'"), 1);

	OK(cp_cart_scan(env.db, &env.cashier, "A1", 1, NULL, &e_));
	OK(cp_benefit_grant(env.db, &env.cashier, "G", &g, &e_));
	assert_int_equal(g.line_no, 2);
	/* scanning the gift's item again is a line of its own, at its price */
	OK(cp_cart_scan(env.db, &env.cashier, "A2", 1, NULL, &e_));
	OK(cp_cart_view(env.db, &env.cashier, cart, &e_));
	assert_int_equal(cart->nlines, 3);
	assert_int_equal(cart->lines[1].amount, 0);
	assert_false(cart->lines[1].eligible);
	assert_int_equal(cart->lines[2].amount, 1999);
	{
		struct cp_errbuf err = {{0}};

		assert_int_not_equal(cp_cart_set_qty(env.db, &env.cashier, 2, 5, &err), CP_OK);
	}
	OK(cp_cart_remove(env.db, &env.cashier, 3, &e_));
	OK(cp_cart_view(env.db, &env.cashier, cart, &e_));
	assert_int_equal(cart->total, 2800); /* A1 at the member price, the gift free */
	assert_int_equal(cart->eligible, 2800);
	OK(cp_sale_pay(env.db, &env.cashier, &t, 1, &r, &e_));
	assert_int_equal(r.points,
			 56); /* 28 yuan x2 in the birthday month: the gift earns nothing */
	free(cart);
	verify_ok();
}

static void test_refusals(void **state)
{
	struct cp_benefit b;

	(void)state;
	benefit("R", "", "always", "day", "points", NULL, 5);
	refused("R", CP_ESTATE, "attach a member first");
	attach("M1");
	refused("NOPE", CP_ENOTFOUND, "no benefit NOPE");
	OK(cp_benefit_get(env.db, "R", &b, &e_));
	snprintf(b.id, sizeof(b.id), "OLD");
	snprintf(b.valid_from, sizeof(b.valid_from), "2026-01-01");
	snprintf(b.valid_to, sizeof(b.valid_to), "2026-10-31");
	OK(cp_benefit_put(env.db, &b, &e_));
	refused("OLD", CP_ESTATE, "has expired: it ended on 2026-10-31");
	assert_int_equal((int)state_of("M1", "OLD"), -1);
	snprintf(b.id, sizeof(b.id), "SOON");
	snprintf(b.valid_from, sizeof(b.valid_from), "2026-12-01");
	snprintf(b.valid_to, sizeof(b.valid_to), "2026-12-31");
	OK(cp_benefit_put(env.db, &b, &e_));
	refused("SOON", CP_ESTATE, "starts on 2026-12-01");
	benefit("NOTPL", "", "always", "day", "coupon", "GONE", 0);
	refused("NOTPL", CP_ESTATE, "coupon template GONE");
	benefit("NOITEM", "", "always", "day", "gift", "ZZZ", 0);
	refused("NOITEM", CP_ESTATE, "not in this till's catalogue");
	OK(cp_benefit_grant(env.db, &env.cashier, "R", NULL, &e_));
	refused("R", CP_ESTATE, "granted to this member already");
}

/* The clock moved back cannot grant a period twice: a manager confirms a clock a week behind
 * (so the journal takes events again), and a grant dated later than the till's day still counts
 * as this period's, whatever the period. Runs after the tests at 2026-11-24. */
static void test_moved_clock(void **state)
{
	(void)state;
	benefit("MD2", "", "member_day", "day", "points", NULL, 200);
	benefit("MO2", "", "always", "month", "points", NULL, 100);
	env.now = TEST_TUESDAY_MS + 71 * TEST_DAY_MS; /* Wednesday 2027-02-03 */
	attach("M1");
	OK(cp_benefit_grant(env.db, &env.cashier, "MD2", NULL, &e_));
	OK(cp_benefit_grant(env.db, &env.cashier, "MO2", NULL, &e_));
	env.now -= 7 * TEST_DAY_MS; /* Wednesday 2027-01-27: another member day, another month */
	OK(cp_clockcheck_confirm(env.db, &env.manager, NULL, NULL, NULL, &e_));
	refused("MD2", CP_ESTATE, "a day later than this till's day 2027-01-27");
	refused("MO2", CP_ESTATE, "check the clock");
	assert_int_equal(state_of("M1", "MO2"), CP_BENEFIT_USED);
	env.now += 14 * TEST_DAY_MS; /* forward again: 2027-02-10, the next member day */
	OK(cp_benefit_grant(env.db, &env.cashier, "MD2", NULL, &e_));
	refused("MO2", CP_ESTATE, "already this period");
	assert_int_equal(count("SELECT count(*) FROM benefit_grant WHERE benefit_id = 'MD2'"), 2);
	verify_ok();
}

/* A grant another till made reaches this one through HQ's feed and closes the period here;
 * the rule itself comes by the feed too, and a bad record is refused by field. */
static void test_feed(void **state)
{
	const char *rule = "{\"id\":\"FD\",\"title_zh\":\"礼\",\"title_en\":\"F\",\"tiers\":\"\","
			   "\"when\":\"always\",\"period\":\"month\",\"what\":\"points\","
			   "\"points\":30}";
	const char *bad = "{\"id\":\"FD\",\"title_zh\":\"礼\",\"title_en\":\"F\",\"when\":\"now\","
			  "\"period\":\"month\",\"what\":\"points\",\"points\":30}";
	const char *grant = "{\"benefit\":\"FD\",\"member\":\"M1\",\"period\":\"2026-11\","
			    "\"day\":\"2026-11-20\",\"terminal\":\"S1-T9\"}";
	const char *badgrant = "{\"benefit\":\"FD\",\"member\":\"M1\",\"period\":\"2026-10\","
			       "\"day\":\"2026-11-20\",\"terminal\":\"S1-T9\"}";
	struct cp_errbuf err = {{0}};
	json_t *j;

	(void)state;
	assert_non_null(j = json_loads(bad, 0, NULL));
	assert_int_equal(cp_benefit_change_upsert(env.db, j, "changes[0]", &err), CP_EINVAL);
	json_decref(j);
	assert_non_null(j = json_loads(rule, 0, NULL));
	OK(cp_benefit_change_upsert(env.db, j, "changes[0]", &e_));
	json_decref(j);
	assert_int_equal(state_of("M1", "FD"), CP_BENEFIT_OPEN);
	assert_non_null(j = json_loads(badgrant, 0, NULL));
	assert_int_equal(cp_benefit_grant_change_upsert(env.db, j, "changes[1]", &err), CP_EINVAL);
	json_decref(j);
	assert_non_null(j = json_loads(grant, 0, NULL));
	OK(cp_benefit_grant_change_upsert(env.db, j, "changes[1]", &e_));
	json_decref(j);
	assert_int_equal(state_of("M1", "FD"), CP_BENEFIT_USED);
	attach("M1");
	refused("FD", CP_ESTATE, "already this period (on 2026-11-20)");
	OK(cp_benefit_grant_change_delete(env.db, "FD/M1/2026-11", &e_));
	assert_int_equal(state_of("M1", "FD"), CP_BENEFIT_OPEN);
	OK(cp_benefit_change_delete(env.db, "FD", &e_));
	assert_int_equal((int)state_of("M1", "FD"), -1);
}

/* verify replays every grant; altering a grant row (or its movement) is found. */
static void test_verify(void **state)
{
	static const char *const tamper[][2] = {
		{"UPDATE benefit_grant SET period = '2027-01' WHERE benefit_id = 'V1'",
		 "UPDATE benefit_grant SET period = '2027-03' WHERE benefit_id = 'V1'"},
		{"UPDATE benefit_grant SET points = points + 1 WHERE what = 'points'",
		 "UPDATE benefit_grant SET points = points - 1 WHERE what = 'points'"},
		{"DELETE FROM benefit_grant WHERE what = 'gift'", NULL},
	};
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	(void)state;
	env.now = TEST_TUESDAY_MS + 100 * TEST_DAY_MS; /* after every other test's events */
	benefit("V1", "", "always", "month", "points", NULL, 40);
	benefit("V2", "", "always", "month", "gift", "A2", 0);
	attach("M1");
	OK(cp_benefit_grant(env.db, &env.cashier, "V1", NULL, &e_));
	OK(cp_benefit_grant(env.db, &env.cashier, "V2", NULL, &e_));
	verify_ok();
	for (size_t i = 0; i < sizeof(tamper) / sizeof(tamper[0]); i++) {
		assert_int_equal(sqlite3_exec(env.db->h, tamper[i][0], NULL, NULL, NULL),
				 SQLITE_OK);
		assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_ECORRUPT);
		if (!strstr(err.msg, "benefit_grant"))
			fail_msg("tamper %zu: %s", i, err.msg);
		if (tamper[i][1])
			assert_int_equal(sqlite3_exec(env.db->h, tamper[i][1], NULL, NULL, NULL),
					 SQLITE_OK);
	}
}

/* A grant recorded under a local id that HQ merged into a member counts for the member. */
static void test_alias_grant(void **state)
{
	(void)state;
	benefit("ALIASED", "", "always", "day", "points", NULL, 10);
	benefit("OTHER", "", "always", "day", "points", NULL, 10);
	assert_int_equal(sqlite3_exec(env.db->h,
				      "INSERT INTO member_alias VALUES ('L-M1', 'M1');"
				      "INSERT INTO benefit_known VALUES ('ALIASED', 'L-M1',"
				      " '2026-11-24', '2026-11-24', 'T09')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(state_of("M1", "ALIASED"), CP_BENEFIT_USED);
	assert_int_equal(state_of("M1", "OTHER"), CP_BENEFIT_OPEN);
	assert_int_equal(state_of("M2", "ALIASED"), CP_BENEFIT_OPEN);
	assert_int_equal(sqlite3_exec(env.db->h, "DELETE FROM member_alias", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(state_of("M1", "ALIASED"), CP_BENEFIT_OPEN);
}

/* The receipt's queries build no temporary B-tree (issue 14: benefit's grants query built nine a
 * sale, a UNION and an IN over a WITH of the member's aliases, about 500,000 instructions): every
 * statement cp_receipt_get runs is checked with EXPLAIN QUERY PLAN. Sorting a receipt's few rows
 * for an ORDER BY is allowed. */
static void test_receipt_no_temp_btree(void **state)
{
	struct cp_tender t = {.method = CP_TENDER_CASH, .amount = 10000};
	struct cp_receipt_view *v = malloc(sizeof(*v));
	struct cp_sale_result r;
	sqlite3_stmt *seen[DB_STMT_CACHE];
	int runs[DB_STMT_CACHE], n, checked = 0;

	(void)state;
	assert_non_null(v);
	env.now = TEST_TUESDAY_MS + 400 * TEST_DAY_MS; /* after the other tests' sales */
	benefit("GOLD", "2,3,4", "always", "day", "points", NULL, 10);
	benefit("BDAY", "", "birthday", "year", "coupon", "BDAY", 0);
	attach("M1");
	OK(cp_cart_scan(env.db, &env.cashier, "6901234567892", 1, NULL, &e_));
	OK(cp_sale_pay(env.db, &env.cashier, &t, 1, &r, &e_));
	n = env.db->ncache;
	for (int i = 0; i < n; i++) {
		seen[i] = env.db->cache[i].st;
		runs[i] = sqlite3_stmt_status(seen[i], SQLITE_STMTSTATUS_RUN, 0);
	}
	OK(cp_receipt_get(env.db, r.receipt, v, &e_));
	assert_true(v->nbenefits >= 1);
	for (int i = 0; i < env.db->ncache; i++) {
		sqlite3_stmt *st = env.db->cache[i].st, *plan;
		char *q;

		if (i < n && st == seen[i] &&
		    sqlite3_stmt_status(st, SQLITE_STMTSTATUS_RUN, 0) == runs[i])
			continue;
		q = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sqlite3_sql(st));
		assert_non_null(q);
		assert_int_equal(sqlite3_prepare_v2(env.db->h, q, -1, &plan, NULL), SQLITE_OK);
		while (sqlite3_step(plan) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(plan, 3);

			if (d && strstr(d, "TEMP B-TREE") && !strstr(d, "ORDER BY"))
				fail_msg("the receipt's query \"%s\" plans \"%s\"", sqlite3_sql(st),
					 d);
		}
		sqlite3_finalize(plan);
		sqlite3_free(q);
		checked++;
	}
	assert_true(checked > 5);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_rules_checked, reset),
		cmocka_unit_test_setup(test_who, reset),
		cmocka_unit_test_setup(test_when, reset),
		cmocka_unit_test_setup(test_what, reset),
		cmocka_unit_test_setup(test_refusals, reset),
		cmocka_unit_test_setup(test_feed, reset),
		cmocka_unit_test_setup(test_how_often, reset),
		cmocka_unit_test_setup(test_moved_clock, reset),
		cmocka_unit_test_setup(test_verify, reset),
		cmocka_unit_test_setup(test_alias_grant, reset),
		cmocka_unit_test_setup(test_receipt_no_temp_btree, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
