/* test_coupon.c — coupons (issue 16): the check character (every single mistyped character
 * and every swap of two neighbours caught), templates refused field by field, coupons issued
 * after payment in the sale's transaction when the money paid (not points) reaches the rule,
 * every refusal of a code naming its reason and changing nothing, the discount spread over the
 * eligible lines before points are earned, a refund of a discounted line giving back what was
 * paid, coupons voided by the refund of the sale that issued them, the feed's kinds, the
 * offline answer for a code of another till, and verify replaying all of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cart.h"
#include "changes_int.h"
#include "coupon.h"
#include "db_int.h"
#include "journal.h"
#include "member.h"
#include "offer.h"
#include "receipt.h"
#include "refund.h"
#include "sale.h"
#include "support.h"

static struct test_env env;

static int64_t count(const char *sql)
{
	return test_count(&env, sql);
}

static void tmpl(const char *id, const char *kind, int64_t threshold, int64_t amount, int bp,
		 int64_t cap, const char *sku, int days, bool next_day, const char *scope,
		 const char *cats, bool bearer, bool stacks)
{
	struct cp_coupon_template t = {.threshold = threshold,
				       .amount = amount,
				       .percent_bp = bp,
				       .cap = cap,
				       .valid_days = days,
				       .next_day = next_day,
				       .bearer = bearer,
				       .stacks = stacks};

	snprintf(t.id, sizeof(t.id), "%s", id);
	snprintf(t.kind, sizeof(t.kind), "%s", kind);
	snprintf(t.title_zh, sizeof(t.title_zh), "券 %s", id);
	snprintf(t.title_en, sizeof(t.title_en), "Coupon %s", id);
	snprintf(t.sku, sizeof(t.sku), "%s", sku ? sku : "");
	snprintf(t.scope, sizeof(t.scope), "%s", scope);
	snprintf(t.categories, sizeof(t.categories), "%s", cats ? cats : "");
	if (!days) {
		snprintf(t.valid_from, sizeof(t.valid_from), "2026-11-01");
		snprintf(t.valid_to, sizeof(t.valid_to), "2026-11-30");
	}
	OK(cp_coupon_template_put(env.db, &t, &e_));
}

static void rule(const char *id, int64_t threshold, const char *templates)
{
	struct cp_coupon_rule r = {.threshold = threshold};

	snprintf(r.id, sizeof(r.id), "%s", id);
	snprintf(r.templates, sizeof(r.templates), "%s", templates);
	snprintf(r.valid_from, sizeof(r.valid_from), "2026-01-01");
	snprintf(r.valid_to, sizeof(r.valid_to), "2026-12-31");
	OK(cp_coupon_rule_put(env.db, &r, &e_));
}

/* Templates of each kind; one rule handing one template per test (set by the test). Today is
 * 2026-11-24. */
static int setup(void **state)
{
	(void)state;
	test_env_open(&env, "coupon", true);
	tmpl("MJ20", "amount", 10000, 2000, 0, 0, NULL, 30, false, "all", NULL, false, false);
	tmpl("NEXT", "amount", 0, 500, 0, 0, NULL, 30, true, "all", NULL, false, true);
	tmpl("PCT", "percent", 0, 0, 1000, 300, NULL, 30, false, "all", NULL, false, true);
	tmpl("FREE", "item", 0, 0, 0, 0, "A2", 30, false, "all", NULL, true, true);
	tmpl("FOOD", "amount", 5000, 1000, 0, 0, NULL, 30, false, "except", "TOBACCO", true, true);
	tmpl("FIX", "amount", 0, 100, 0, 0, NULL, 0, false, "all", NULL, true, true);
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
	assert_int_equal(sqlite3_exec(env.db->h, "DELETE FROM coupon_rule; DELETE FROM hq_config",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	return 0;
}

static void scan(const char *sku, int64_t qty)
{
	OK(cp_cart_scan(env.db, &env.cashier, sku, qty, NULL, &e_));
}

static void attach(const char *member)
{
	OK(cp_cart_set_member(env.db, &env.cashier, member, &e_));
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

/* Issues one coupon of template t to member by a sale of G120 (rule: 100 yuan), returns its
 * code in code. */
static void issue(const char *t, const char *member, char code[CP_COUPON_CODE_LEN + 1])
{
	struct cp_sale_result r;
	char sql[160];

	assert_int_equal(sqlite3_exec(env.db->h, "DELETE FROM coupon_rule", NULL, NULL, NULL),
			 SQLITE_OK);
	rule("R", 10000, t);
	scan("G120", 1);
	if (member)
		attach(member);
	pay(12000, &r);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM coupon_issue WHERE seq = %lld",
		 (long long)r.seq);
	assert_int_equal(count(sql), 1);
	{
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(env.db->h,
						    "SELECT code FROM coupon_issue WHERE seq = ?1",
						    -1, &st, NULL),
				 SQLITE_OK);
		sqlite3_bind_int64(st, 1, r.seq);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		snprintf(code, CP_COUPON_CODE_LEN + 1, "%s", sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	assert_int_equal(sqlite3_exec(env.db->h, "DELETE FROM coupon_rule", NULL, NULL, NULL),
			 SQLITE_OK);
}

/* A refusal of code: the error code, a sentence with want in it, one line, and the cart's
 * coupons and the journal as they were. */
static void refused(const char *code, enum cp_err want_rc, const char *want)
{
	struct cp_errbuf err = {{0}};
	struct cp_coupon_quote q = {.n = -7};
	int64_t journal = count("SELECT count(*) FROM journal"),
		coupons = count("SELECT count(*) FROM cart_coupon");

	assert_int_equal(cp_coupon_apply(env.db, &env.cashier, code, &q, &err), want_rc);
	if (!strstr(err.msg, want))
		fail_msg("coupon %s: \"%s\" does not say \"%s\"", code, err.msg, want);
	assert_null(strchr(err.msg, '\n'));
	assert_int_equal(q.n, -7);
	assert_int_equal(count("SELECT count(*) FROM cart_coupon"), coupons);
	assert_int_equal(count("SELECT count(*) FROM journal"), journal);
}

/* Every single changed character at every position and every swap of two different neighbours
 * of many codes is caught by the check character. */
static void test_check_character(void **state)
{
	const char *alpha = CP_COUPON_ALPHABET;
	char code[CP_COUPON_CODE_LEN + 1], bad[CP_COUPON_CODE_LEN + 1], out[CP_COUPON_CODE_LEN + 1];
	unsigned seed = 12345;
	long tried = 0;

	(void)state;
	assert_int_equal(strlen(alpha), 31);
	for (int k = 0; k < 400; k++) {
		for (int i = 0; i < 11; i++) {
			seed = seed * 1103515245u + 12345u;
			code[i] = alpha[(seed >> 16) % 31];
		}
		/* the first codes walk every character through every position */
		if (k < 31)
			for (int i = 0; i < 11; i++)
				code[i] = alpha[(k + i) % 31];
		code[11] = cp_coupon_check_char(code, 11);
		code[12] = '\0';
		assert_int_equal(cp_coupon_parse(code, out), CP_COUPON_SHAPE_OK);
		assert_string_equal(out, code);
		for (int pos = 0; pos < 12; pos++)
			for (int c = 0; c < 31; c++) {
				if (alpha[c] == code[pos])
					continue;
				memcpy(bad, code, sizeof(bad));
				bad[pos] = alpha[c];
				tried++;
				if (cp_coupon_parse(bad, out) != CP_COUPON_SHAPE_TYPO)
					fail_msg("%s -> %s not caught", code, bad);
			}
		for (int pos = 0; pos + 1 < 12; pos++) {
			if (code[pos] == code[pos + 1])
				continue;
			memcpy(bad, code, sizeof(bad));
			bad[pos] = code[pos + 1];
			bad[pos + 1] = code[pos];
			tried++;
			if (cp_coupon_parse(bad, out) != CP_COUPON_SHAPE_TYPO)
				fail_msg("swap %s -> %s not caught", code, bad);
		}
	}
	assert_true(tried > 400 * 12 * 30);
	/* folded: lower case, spaces and dashes */
	memcpy(bad, code, sizeof(bad));
	for (int i = 0; i < 12; i++)
		if (bad[i] >= 'A' && bad[i] <= 'Z')
			bad[i] = (char)(bad[i] - 'A' + 'a');
	{
		char spaced[32];

		snprintf(spaced, sizeof(spaced), "%.4s-%.4s %.4s", bad, bad + 4, bad + 8);
		assert_int_equal(cp_coupon_parse(spaced, out), CP_COUPON_SHAPE_OK);
		assert_string_equal(out, code);
	}
	assert_int_equal(cp_coupon_parse("6901234567892", out), CP_COUPON_SHAPE_NOT);
	assert_int_equal(cp_coupon_parse("ABCDEFGHJKL", out), CP_COUPON_SHAPE_NOT);
	assert_int_equal(cp_coupon_parse("ABCDEFGHJKLO", out), CP_COUPON_SHAPE_NOT);
}

static void test_bad_templates_refused(void **state)
{
	static const struct {
		const char *kind, *scope;
		int64_t amount, threshold;
		int bp, days;
		const char *want;
	} bad[] = {
		{"gift", "all", 100, 0, 0, 30, "kind"},
		{"amount", "all", 0, 0, 0, 30, "positive amount"},
		{"amount", "all", 100, -1, 0, 30, "threshold"},
		{"percent", "all", 0, 0, 10001, 30, "basis points"},
		{"percent", "all", 0, 0, 0, 30, "basis points"},
		{"item", "all", 0, 0, 0, 30, "sku"},
		{"amount", "all", 100, 0, 0, -1, "validity"},
		{"amount", "some", 100, 0, 0, 30, "scope"},
		{"amount", "only", 100, 0, 0, 30, "categories"},
	};
	struct cp_errbuf err = {{0}};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cp_coupon_template t = {.amount = bad[i].amount,
					       .threshold = bad[i].threshold,
					       .percent_bp = bad[i].bp,
					       .valid_days = bad[i].days};

		snprintf(t.id, sizeof(t.id), "BAD");
		snprintf(t.kind, sizeof(t.kind), "%s", bad[i].kind);
		snprintf(t.title_en, sizeof(t.title_en), "Bad");
		snprintf(t.scope, sizeof(t.scope), "%s", bad[i].scope);
		assert_int_equal(cp_coupon_template_put(env.db, &t, &err), CP_EINVAL);
		if (!strstr(err.msg, bad[i].want))
			fail_msg("template %zu: \"%s\" does not say %s", i, err.msg, bad[i].want);
		assert_int_equal(count("SELECT count(*) FROM coupon_template WHERE id = 'BAD'"), 0);
	}
	{
		struct cp_coupon_rule r = {.threshold = 100};

		snprintf(r.id, sizeof(r.id), "R");
		snprintf(r.templates, sizeof(r.templates), "A,B,C,D,E,F,G,H,I");
		snprintf(r.valid_from, sizeof(r.valid_from), "2026-01-01");
		snprintf(r.valid_to, sizeof(r.valid_to), "2026-12-31");
		assert_int_equal(cp_coupon_rule_put(env.db, &r, &err), CP_EINVAL);
		assert_non_null(strstr(err.msg, "template ids"));
	}
}

/* Paying at least the rule's threshold in money issues the pack in the sale's transaction,
 * terminal-prefixed codes on the receipt; below it, or with points making up the difference,
 * or without a member, nothing. */
static void test_issue_after_payment(void **state)
{
	struct cp_sale_result r;
	struct cp_receipt_view *v = malloc(sizeof(*v));
	char prefix[5], sql[200];
	int64_t journal;

	(void)state;
	assert_non_null(v);
	rule("PACK", 10000, "MJ20,NEXT,FREE");
	scan("G88", 1);
	attach("M1");
	pay(8800, &r);
	assert_int_equal(count("SELECT count(*) FROM coupon_issue"), 0);
	/* 120.00 with 30.00 in points: 90.00 of money is below the rule */
	scan("G120", 1);
	attach("M2");
	{
		struct cp_tender t[2] = {{CP_TENDER_POINTS, 3000, ""}, {CP_TENDER_CASH, 9000, ""}};

		OK(cp_sale_pay(env.db, &env.cashier, t, 2, &r, &e_));
	}
	assert_int_equal(count("SELECT count(*) FROM coupon_issue"), 0);
	scan("G120", 1); /* no member: nobody to give them to */
	pay(12000, &r);
	assert_int_equal(count("SELECT count(*) FROM coupon_issue"), 0);
	journal = count("SELECT count(*) FROM journal");
	scan("G120", 1);
	attach("M1");
	pay(12000, &r);
	assert_int_equal(count("SELECT count(*) FROM journal"), journal + 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM coupon_issue WHERE seq = %lld",
		 (long long)r.seq);
	assert_int_equal(count(sql), 3);
	assert_int_equal(count("SELECT count(*) FROM coupon_issue WHERE member_id = 'M1'"), 2);
	assert_int_equal(count("SELECT count(*) FROM coupon_issue WHERE member_id IS NULL"), 1);
	/* validity: 30 days from today; NEXT from tomorrow */
	assert_int_equal(count("SELECT count(*) FROM coupon_issue WHERE template_id = 'MJ20' AND"
			       " valid_from = '2026-11-24' AND valid_to = '2026-12-23'"),
			 1);
	assert_int_equal(count("SELECT count(*) FROM coupon_issue WHERE template_id = 'NEXT' AND"
			       " valid_from = '2026-11-25' AND valid_to = '2026-12-24'"),
			 1);
	cp_coupon_prefix("S001", "T01", prefix);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM coupon_issue WHERE substr(code, 1, 4) = '%s'", prefix);
	assert_int_equal(count(sql), 3);
	/* in the hashed payload */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM journal WHERE seq = %lld AND payload LIKE"
		 " '%%\"coupons_issued\"%%'",
		 (long long)r.seq);
	assert_int_equal(count(sql), 1);
	OK(cp_receipt_get(env.db, r.receipt, v, &e_));
	assert_int_equal(v->ncoupons, 3);
	assert_int_equal(strlen(v->coupons[0].code), 12);
	assert_string_equal(v->coupons[0].title, "券 MJ20");
	assert_string_equal(v->coupons[0].valid_until, "2026-12-23");
	free(v);
	verify_ok();
}

/* Every refusal names its reason and changes nothing. */
static void test_refusals(void **state)
{
	char mj[13], next[13], pct[13], food[13], freec[13], other[13], typo[13];
	struct cp_sale_result r;

	(void)state;
	issue("MJ20", "M1", mj);
	issue("NEXT", "M1", next);
	issue("PCT", "M1", pct);
	issue("FOOD", "M1", food);
	issue("FREE", "M1", freec);
	issue("PCT", "M2", other);
	refused("ABC", CP_EINVAL, "not a coupon code");
	refused(mj, CP_ESTATE, "cart is empty");
	scan("A1", 1);
	memcpy(typo, mj, sizeof(typo));
	typo[3] = typo[3] == 'A' ? 'B' : 'A';
	refused(typo, CP_EINVAL, "mistyped");
	{
		char unknown[13];

		memcpy(unknown, mj, sizeof(unknown));
		unknown[5] = unknown[5] == 'A' ? 'B' : 'A';
		unknown[11] = cp_coupon_check_char(unknown, 11);
		refused(unknown, CP_ENOTFOUND, "there is no coupon");
	}
	refused(mj, CP_ESTATE, "attach its member");
	attach("M2");
	refused(mj, CP_ESTATE, "another member");
	attach("M1");
	refused(next, CP_ESTATE, "not valid yet");
	refused(mj, CP_ESTATE, "needs ¥100.00");
	refused(freec, CP_ESTATE, "scan that item first");
	scan("T1", 3); /* 105.00 of tobacco: FOOD excludes it */
	refused(food, CP_ESTATE, "needs ¥50.00");
	{
		char only[13];

		OK(cp_cart_cancel(env.db, &env.cashier, &e_));
		tmpl("ONLY", "amount", 0, 100, 0, 0, NULL, 30, false, "only", "FOOD", true, true);
		issue("ONLY", "M1", only);
		scan("T1", 1);
		attach("M1");
		refused(only, CP_ESTATE, "out of its scope");
	}
	scan("G120", 1);
	OK(cp_coupon_apply(env.db, &env.cashier, mj, NULL, &e_)); /* does not stack */
	refused(pct, CP_ESTATE, "cannot be used together");
	refused(mj, CP_ESTATE, "on this sale already");
	OK(cp_coupon_remove(env.db, &env.cashier, mj, &e_));
	OK(cp_coupon_apply(env.db, &env.cashier, pct, NULL, &e_)); /* stacks */
	refused(mj, CP_ESTATE, "cannot be used together");
	/* used */
	pay(20000, &r);
	scan("G120", 1);
	attach("M1");
	refused(pct, CP_ESTATE, "used already");
	/* expired: 30 days on */
	env.now += 31 * TEST_DAY_MS;
	refused(mj, CP_ESTATE, "expired");
	(void)other;
	verify_ok();
}

/* The discount is spread over the eligible lines to the fen before points are earned; the
 * refund of a discounted line gives back what was paid for it. */
static void test_spread_points_and_refund(void **state)
{
	char pct[13];
	struct cp_sale_result r;
	struct cp_refund_result rr;
	struct cp_coupon_quote q;
	struct cp_refund_req req = {0};
	int line2[1] = {2};
	char sql[200];

	(void)state;
	issue("PCT", "M2", pct); /* 10% off, at most 3.00 */
	scan("A2", 1);           /* 19.99 */
	scan("A1", 1);           /* 30.00 */
	scan("T1", 1);           /* 35.00, earns nothing */
	attach("M2");
	OK(cp_coupon_apply(env.db, &env.cashier, pct, &q, &e_));
	assert_int_equal(q.n, 1);
	assert_int_equal(q.discount, 300); /* 10% of 82.99 (A1 at its member price) capped */
	assert_int_equal(q.total, 8299);
	assert_int_equal(q.due, 7999);
	pay(7999, &r);
	assert_int_equal(r.total, 7999);
	/* 300 over 1999, 2800, 3500 in proportion: 72, 101, 126 floored = 299, then the fen left
	 * to the first line */
	snprintf(sql, sizeof(sql),
		 "SELECT group_concat(fen, ',') FROM (SELECT fen FROM coupon_line WHERE seq = %lld"
		 " ORDER BY line_no)",
		 (long long)r.seq);
	{
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(env.db->h, sql, -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), "73,101,126");
		sqlite3_finalize(st);
	}
	snprintf(sql, sizeof(sql), "SELECT sum(amount) FROM sale_line WHERE seq = %lld",
		 (long long)r.seq);
	assert_int_equal(count(sql), 7999);
	/* points on what is paid: eligible 19.99 + 28.00 - 1.74 = 46.25 -> 46 points, doubled in
	 * M2's birthday month */
	assert_int_equal(r.eligible, 4625);
	assert_int_equal(r.points, 92);
	/* refund line 2: 28.00 less its 1.01 */
	req.receipt = r.receipt;
	req.lines = line2;
	req.nlines = 1;
	req.manager_code = "9001";
	req.manager_pin = "9999";
	OK(cp_refund(env.db, &env.cashier, &req, &rr, &e_));
	assert_int_equal(rr.amount, 2699);
	assert_int_equal(rr.coupons_returned, 0);
	/* the coupon stays used by default */
	scan("G120", 1);
	attach("M2");
	refused(pct, CP_ESTATE, "used already");
	verify_ok();
}

/* A refund voids the unused coupons its sale issued; a voided one is refused; a used one
 * stays used; with coupon_refund_returns the used coupon of a fully refunded sale comes back. */
static void test_refund_voids_and_returns(void **state)
{
	char code[13], pct[13];
	struct cp_sale_result r;
	struct cp_refund_result rr;
	struct cp_refund_req req = {.manager_code = "9001", .manager_pin = "9999"};
	char receipt[CP_RECEIPT_LEN];

	(void)state;
	rule("R", 10000, "PCT");
	scan("G120", 1);
	attach("M1");
	pay(12000, &r);
	snprintf(receipt, sizeof(receipt), "%s", r.receipt);
	{
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(env.db->h,
						    "SELECT code FROM coupon_issue WHERE seq = ?1",
						    -1, &st, NULL),
				 SQLITE_OK);
		sqlite3_bind_int64(st, 1, r.seq);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		snprintf(code, sizeof(code), "%s", sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	req.receipt = receipt;
	OK(cp_refund(env.db, &env.cashier, &req, &rr, &e_));
	assert_int_equal(rr.coupons_voided, 1);
	scan("A1", 1);
	attach("M1");
	refused(code, CP_ESTATE, "voided");
	OK(cp_cart_cancel(env.db, &env.cashier, &e_));
	/* given back when HQ configures it and every discounted line is refunded */
	assert_int_equal(sqlite3_exec(env.db->h,
				      "INSERT INTO hq_config(name, value)"
				      " VALUES('coupon_refund_returns', '1')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	issue("PCT", "M2", pct);
	scan("A1", 1);
	attach("M2");
	OK(cp_coupon_apply(env.db, &env.cashier, pct, NULL, &e_));
	pay(3000, &r);
	snprintf(receipt, sizeof(receipt), "%s", r.receipt);
	req.receipt = receipt;
	OK(cp_refund(env.db, &env.cashier, &req, &rr, &e_));
	assert_int_equal(rr.amount, 2520);
	assert_int_equal(rr.coupons_returned, 1);
	scan("A1", 1);
	attach("M2");
	OK(cp_coupon_apply(env.db, &env.cashier, pct, NULL, &e_));
	verify_ok();
}

/* A free-item coupon takes one unit of its item off; a bearer coupon needs no member. */
static void test_free_item_and_bearer(void **state)
{
	char freec[13];
	struct cp_coupon_quote q;
	struct cp_sale_result r;

	(void)state;
	issue("FREE", "M1", freec);
	scan("A2", 3);
	OK(cp_coupon_apply(env.db, &env.cashier, freec, &q, &e_));
	assert_int_equal(q.discount, 1999);
	pay(3998, &r);
	assert_int_equal(r.total, 3998);
	verify_ok();
}

/* verify replays coupon_issue, coupon_use and coupon_line: a changed row is found. */
static void test_verify_finds_changed_rows(void **state)
{
	static const char *const tamper[][2] = {
		{"UPDATE coupon_use SET fen = fen + 1", "UPDATE coupon_use SET fen = fen - 1"},
		{"UPDATE coupon_line SET fen = fen + 1", "UPDATE coupon_line SET fen = fen - 1"},
		{"UPDATE coupon_issue SET valid_to = '2099-12-31' WHERE rowid IN"
		 " (SELECT rowid FROM coupon_issue LIMIT 1)",
		 NULL},
	};
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};
	char pct[13];
	struct cp_sale_result r;

	(void)state;
	issue("PCT", "M2", pct);
	scan("A1", 1);
	attach("M2");
	OK(cp_coupon_apply(env.db, &env.cashier, pct, NULL, &e_));
	pay(3000, &r);
	verify_ok();
	for (int i = 0; i < 2; i++) {
		assert_int_equal(sqlite3_exec(env.db->h, tamper[i][0], NULL, NULL, NULL),
				 SQLITE_OK);
		assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_ECORRUPT);
		assert_non_null(strstr(err.msg, "coupon_"));
		assert_int_equal(sqlite3_exec(env.db->h, tamper[i][1], NULL, NULL, NULL),
				 SQLITE_OK);
		verify_ok();
	}
	{
		char sql[160];

		snprintf(sql, sizeof(sql),
			 "UPDATE coupon_issue SET valid_to = '2099-12-31' WHERE code = '%s'", pct);
		assert_int_equal(sqlite3_exec(env.db->h, sql, NULL, NULL, NULL), SQLITE_OK);
		assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_ECORRUPT);
		assert_non_null(strstr(err.msg, "table coupon_issue differs"));
		snprintf(sql, sizeof(sql),
			 "UPDATE coupon_issue SET valid_to = '2026-12-23' WHERE code = '%s'", pct);
		assert_int_equal(sqlite3_exec(env.db->h, sql, NULL, NULL, NULL), SQLITE_OK);
		verify_ok();
	}
	(void)tamper[2];
}

/* HQ's feed: templates field by field, and a coupon of another till, which is then usable;
 * while offline, a code of another till the feed never sent cannot be checked (never
 * "invalid"). */
static void test_feed_and_offline(void **state)
{
	const char *good = "{\"id\":\"HQ5\",\"kind\":\"amount\",\"title_zh\":\"满10减5\","
			   "\"title_en\":\"5 off 10\",\"threshold\":1000,\"amount\":500,"
			   "\"valid_days\":10,\"next_day\":false,\"scope\":\"all\","
			   "\"categories\":null,\"bearer\":true,\"stacks\":true}";
	const char *badt = "{\"id\":\"HQ6\",\"kind\":\"amount\",\"title_zh\":\"x\","
			   "\"title_en\":\"x\",\"threshold\":1000,\"amount\":-5,"
			   "\"valid_days\":10,\"next_day\":false,\"scope\":\"all\","
			   "\"bearer\":true,\"stacks\":true}";
	char other[13] = "ZZZZ2345678", unknown[13] = "ZZZZ9876543", json[400];
	struct cp_errbuf err = {{0}};
	struct cp_sale_result r;
	json_t *j;

	(void)state;
	assert_non_null(j = json_loads(good, 0, NULL));
	OK(cp_coupon_template_change_upsert(env.db, j, "changes[0]", &e_));
	json_decref(j);
	assert_non_null(j = json_loads(badt, 0, NULL));
	assert_int_equal(cp_coupon_template_change_upsert(env.db, j, "changes[0]", &err),
			 CP_EINVAL);
	json_decref(j);
	assert_int_equal(count("SELECT count(*) FROM coupon_template WHERE id = 'HQ6'"), 0);
	other[11] = cp_coupon_check_char(other, 11);
	unknown[11] = cp_coupon_check_char(unknown, 11);
	snprintf(json, sizeof(json),
		 "{\"code\":\"%s\",\"template\":\"HQ5\",\"member\":null,"
		 "\"valid_from\":\"2026-11-20\",\"valid_to\":\"2026-11-30\",\"state\":\"open\"}",
		 other);
	assert_non_null(j = json_loads(json, 0, NULL));
	OK(cp_coupon_change_upsert(env.db, j, "changes[1]", &e_));
	json_decref(j);
	scan("A1", 1);
	/* an enrolled till that last reached HQ two hours ago is offline */
	assert_int_equal(sqlite3_exec(env.db->h,
				      "INSERT OR REPLACE INTO meta(key, value) VALUES('hq_url', "
				      "'https://127.0.0.1:1')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	{
		char sql[160];

		snprintf(sql, sizeof(sql), "UPDATE sync_state SET last_success = %lld WHERE id = 1",
			 (long long)(env.now - 2 * 3600 * 1000));
		assert_int_equal(sqlite3_exec(env.db->h, sql, NULL, NULL, NULL), SQLITE_OK);
	}
	refused(unknown, CP_ENOTFOUND, "cannot check this coupon offline");
	assert_null(strstr(err.msg, "invalid"));
	OK(cp_coupon_apply(env.db, &env.cashier, other, NULL, &e_));
	pay(2500, &r);
	assert_int_equal(r.total, 2500);
	assert_int_equal(
		sqlite3_exec(env.db->h, "DELETE FROM meta WHERE key = 'hq_url'", NULL, NULL, NULL),
		SQLITE_OK);
	scan("A1", 1);
	refused(other, CP_ESTATE, "used already");
	refused(unknown, CP_ENOTFOUND, "there is no coupon");
	verify_ok();
}

/* The member's coupons: open ones first. */
static void test_member_list(void **state)
{
	struct cp_coupon_list *l = malloc(sizeof(*l));
	struct cp_errbuf err = {{0}};
	char a[13], b[13];

	(void)state;
	assert_non_null(l);
	issue("MJ20", "M2", a);
	issue("NEXT", "M2", b);
	assert_int_equal(cp_coupon_list(env.db, &env.cashier, l, &err), CP_ESTATE);
	scan("A1", 1);
	attach("M2");
	OK(cp_coupon_list(env.db, &env.cashier, l, &e_));
	assert_true(l->n >= 2);
	for (int i = 1; i < l->n; i++)
		assert_false(strcmp(l->e[i - 1].state, "open") != 0 &&
			     strcmp(l->e[i].state, "open") == 0);
	free(l);
}

static void offer(const char *id, const char *kind, const char *sku, int64_t points)
{
	struct cp_offer o = {.points = points, .stock = -1, .limit = 1};

	snprintf(o.id, sizeof(o.id), "%s", id);
	snprintf(o.reward_kind, sizeof(o.reward_kind), "%s", kind);
	snprintf(o.sku, sizeof(o.sku), "%s", sku);
	snprintf(o.name_zh, sizeof(o.name_zh), "积分兑 %s", id);
	snprintf(o.name_en, sizeof(o.name_en), "Points for %s", id);
	snprintf(o.period, sizeof(o.period), "day");
	snprintf(o.valid_from, sizeof(o.valid_from), "2026-11-01");
	snprintf(o.valid_to, sizeof(o.valid_to), "2026-12-31");
	OK(cp_offer_put(env.db, &o, &e_));
}

static int64_t balance(const char *id)
{
	struct cp_member_view m;

	OK(cp_member_get(env.db, id, &m, &e_));
	return m.points;
}

/* Points for a coupon: the points leave and the coupon arrives in one coupon_exchange event,
 * usable at once (or from the next day as its template says); the offer's limit, the points
 * available and the reward kind are checked, each refusal changing nothing. */
static void test_points_for_coupon(void **state)
{
	struct cp_coupon_exchange x;
	struct cp_errbuf err = {{0}};
	struct cp_sale_result r;
	int64_t before, journal;
	int line = 0;

	(void)state;
	offer("X-PCT", "coupon", "PCT", 200);
	offer("X-BIG", "coupon", "PCT", 999999);
	offer("X-ITEM", "item", "A2", 10);
	assert_int_equal(cp_coupon_exchange(env.db, &env.cashier, "X-PCT", &x, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "attach a member"));
	scan("A1", 1);
	attach("M2");
	before = balance("M2");
	journal = count("SELECT count(*) FROM journal");
	assert_int_equal(cp_coupon_exchange(env.db, &env.cashier, "X-BIG", &x, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "costs 999999 points"));
	assert_int_equal(cp_coupon_exchange(env.db, &env.cashier, "X-ITEM", &x, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "gives an item"));
	assert_int_equal(cp_cart_add_offer(env.db, &env.cashier, "X-PCT", &line, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "gives a coupon"));
	assert_int_equal(count("SELECT count(*) FROM journal"), journal);
	assert_int_equal(balance("M2"), before);
	OK(cp_coupon_exchange(env.db, &env.cashier, "X-PCT", &x, &e_));
	assert_int_equal(count("SELECT count(*) FROM journal"), journal + 1);
	assert_int_equal(x.points, 200);
	assert_int_equal(balance("M2"), before - 200);
	assert_int_equal(x.balance_after, before - 200);
	assert_string_equal(x.coupon.t.id, "PCT");
	assert_string_equal(x.coupon.member_id, "M2");
	assert_string_equal(x.coupon.state, "open");
	assert_int_equal(count("SELECT count(*) FROM coupon_issue WHERE source = 'exchange'"), 1);
	/* limit 1 a day */
	assert_int_equal(cp_coupon_exchange(env.db, &env.cashier, "X-PCT", &x, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "limit"));
	/* usable at once */
	{
		char code[13];
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(env.db->h,
						    "SELECT code FROM coupon_issue WHERE source ="
						    " 'exchange'",
						    -1, &st, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		snprintf(code, sizeof(code), "%s", sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		OK(cp_coupon_apply(env.db, &env.cashier, code, NULL, &e_));
	}
	pay(2520, &r);
	assert_int_equal(r.total, 2520);
	verify_ok();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_check_character, reset),
		cmocka_unit_test_setup(test_bad_templates_refused, reset),
		cmocka_unit_test_setup(test_issue_after_payment, reset),
		cmocka_unit_test_setup(test_refusals, reset),
		cmocka_unit_test_setup(test_spread_points_and_refund, reset),
		cmocka_unit_test_setup(test_refund_voids_and_returns, reset),
		cmocka_unit_test_setup(test_free_item_and_bearer, reset),
		cmocka_unit_test_setup(test_verify_finds_changed_rows, reset),
		cmocka_unit_test_setup(test_feed_and_offline, reset),
		cmocka_unit_test_setup(test_member_list, reset),
		cmocka_unit_test_setup(test_points_for_coupon, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
