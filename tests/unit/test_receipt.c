/* test_receipt.c — receipts: what core reads back for a sale, a refund and a post-void, the text
 * laid out for 32-, 42- and 48-column printers (widths, Chinese never cut, the numbers that
 * matter), and the copies kept for reprint. */
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
#include "catalog.h"
#include "cp_crypto.h"
#include "db_int.h"
#include "journal.h"
#include "member.h"
#include "money.h"
#include "refund.h"
#include "sale.h"
#include "support.h"
#include "textwidth.h"
/* core/receipt.h and ui/receipt.h share a name; the ui one includes core's. */
#include "receipt_text.h"

#define LONG_NAME "进口特级初榨橄榄油礼盒装五百毫升两瓶"

static struct test_env env;

static void ok(enum cp_err rc, const struct cp_errbuf *err)
{
	if (rc != CP_OK)
		fail_msg("%s", cp_errmsg(err, rc));
}

static int setup(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_item it = {.price = 8800, .member_price = -1};
	/* M1 again, now with points about to expire and a bound guide */
	struct cp_member_snapshot m1 = {.id = "M1",
					.phone = "13800000001",
					.name = "张三",
					.birthday = "01-15",
					.points = 500,
					.growth = 10000,
					.tier_level = 2,
					.expiring_points = 200,
					.expiring_on = "2026-12-31",
					.guide = "2001",
					.version = 2};

	test_env_open(&env, "receipt", true);
	ok(cp_db_meta_set(env.db, "store_name", "测试超市 Test Store", &err), &err);
	snprintf(it.sku, sizeof(it.sku), "LONG");
	snprintf(it.name_zh, sizeof(it.name_zh), LONG_NAME);
	snprintf(it.name_en, sizeof(it.name_en), "Olive oil gift box");
	snprintf(it.category, sizeof(it.category), "FOOD");
	ok(cp_catalog_put_item(env.db, &it, &err), &err);
	ok(cp_member_put_snapshot(env.db, &m1, &err), &err);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_close(*state);
	return 0;
}

static void scan(const char *code, int64_t qty)
{
	struct cp_errbuf err = {{0}};

	ok(cp_cart_scan(env.db, &env.cashier, code, qty, NULL, &err), &err);
}

/* The sale every test starts from: A1 x2 at the member price (¥56.00), A2 (¥19.99), T1
 * tobacco (¥35.00, earns nothing); member M1 (金卡 x1.5) on a Tuesday; WeChat ¥50 + cash ¥70.
 * Eligible ¥75.99 -> 113 points, 75 growth; total ¥110.99, change ¥9.01. */
static void member_sale_paying(struct cp_sale_result *r, int64_t cash)
{
	struct cp_tender t[2] = {{CP_TENDER_WECHAT, 5000}, {CP_TENDER_CASH, cash}};
	struct cp_errbuf err = {{0}};

	scan("A1", 2);
	scan("96385074", 1);
	scan("T1", 1);
	ok(cp_cart_set_member(env.db, &env.cashier, "M1", &err), &err);
	ok(cp_sale_pay(env.db, &env.cashier, t, 2, r, &err), &err);
}

static void member_sale(struct cp_sale_result *r)
{
	member_sale_paying(r, 7000);
}

static void journal_code(int64_t seq, char out[9])
{
	sqlite3_stmt *st;
	char hex[65];

	assert_int_equal(sqlite3_prepare_v2(env.db->h, "SELECT hash FROM journal WHERE seq = ?1",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, seq);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_bytes(st, 0), 32);
	cp_hex(sqlite3_column_blob(st, 0), 4, hex);
	sqlite3_finalize(st);
	memcpy(out, hex, 8);
	out[8] = '\0';
}

static struct cp_receipt_view *get(const char *receipt)
{
	struct cp_receipt_view *v = malloc(sizeof(*v));
	struct cp_errbuf err = {{0}};

	assert_non_null(v);
	ok(cp_receipt_get(env.db, receipt, v, &err), &err);
	return v;
}

/* Every line of text fits width columns, is valid UTF-8 without control characters (so no
 * character was cut in half) and has no trailing space, and the text ends with a newline.
 * Returns the line count. */
static int check_lines(const char *text, int width)
{
	const char *p = text;
	int n = 0;

	assert_true(text[0] != '\0');
	assert_int_equal(text[strlen(text) - 1], '\n');
	while (*p) {
		const char *nl = strchr(p, '\n');
		char line[1024];
		int w;

		assert_non_null(nl);
		assert_true((size_t)(nl - p) < sizeof(line));
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		w = cp_ui_text_width(line);
		if (w < 0 || w > width)
			fail_msg("line %d is %d columns (limit %d): '%s'", n + 1, w, width, line);
		if (line[0] && line[strlen(line) - 1] == ' ')
			fail_msg("line %d ends in a space: '%s'", n + 1, line);
		n++;
		p = nl + 1;
	}
	return n;
}

/* The line holding needle, copied into out; fails when there is none. */
static void line_with(const char *text, const char *needle, char *out, size_t outlen)
{
	const char *hit = strstr(text, needle), *start, *end;

	if (!hit)
		fail_msg("'%s' is not on the receipt:\n%s", needle, text);
	for (start = hit; start > text && start[-1] != '\n'; start--)
		;
	end = strchr(hit, '\n');
	assert_non_null(end);
	assert_true((size_t)(end - start) < outlen);
	memcpy(out, start, (size_t)(end - start));
	out[end - start] = '\0';
}

static void test_sale_view(void **state)
{
	struct cp_sale_result r;
	struct cp_receipt_view *v;
	char code[9];

	(void)state;
	member_sale(&r);
	v = get(r.receipt);
	assert_int_equal(v->kind, CP_RECEIPT_SALE);
	assert_string_equal(v->store_id, "S001");
	assert_string_equal(v->store_name, "测试超市 Test Store");
	assert_string_equal(v->terminal_id, "T01");
	assert_string_equal(v->receipt, "S001-T01-000001");
	assert_string_equal(v->sale_receipt, "");
	assert_string_equal(v->business_day, "2026-11-24");
	assert_string_equal(v->time, "2026-11-24 10:00:00");
	assert_int_equal(v->created_at, TEST_TUESDAY_MS);
	assert_string_equal(v->staff_code, "1001");
	assert_string_equal(v->staff_name, "王收银");
	assert_string_equal(v->authorised_by, "");

	assert_int_equal(v->nlines, 3);
	assert_int_equal(v->lines[0].line_no, 1);
	assert_string_equal(v->lines[0].name, "牛奶 Milk");
	assert_int_equal(v->lines[0].qty, 2);
	assert_int_equal(v->lines[0].unit_price, 2800);
	assert_int_equal(v->lines[0].amount, 5600);
	assert_string_equal(v->lines[1].name, "面包 Bread");
	assert_int_equal(v->lines[1].qty, 1);
	assert_int_equal(v->lines[1].unit_price, 1999);
	assert_int_equal(v->lines[1].amount, 1999);
	assert_string_equal(v->lines[2].name, "香烟 Cigarettes");
	assert_int_equal(v->lines[2].amount, 3500);
	assert_int_equal(v->items, 4);
	assert_int_equal(v->total, 11099);

	assert_int_equal(v->ntenders, 2);
	assert_int_equal(v->tenders[0].method, CP_TENDER_WECHAT);
	assert_int_equal(v->tenders[0].amount, 5000);
	assert_int_equal(v->tenders[1].method, CP_TENDER_CASH);
	assert_int_equal(v->tenders[1].amount, 7000);
	assert_int_equal(v->tendered, 12000);
	assert_int_equal(v->change, 901);

	assert_true(v->has_member);
	assert_true(v->member_known);
	assert_string_equal(v->member.id, "M1");
	assert_string_equal(v->member.masked_phone, "138****0001");
	assert_string_equal(v->member.name, "张三");
	assert_string_equal(v->member.tier_name, "金卡");
	assert_int_equal(v->points, 113);
	assert_int_equal(v->growth, 75);
	assert_int_equal(v->points_spent, 0);
	assert_int_equal(v->member.points, 500 + 113);
	assert_int_equal(v->member.points, r.balance_after);
	assert_int_equal(v->member.points_value, 613);
	assert_int_equal(v->member.expiring_points, 200);
	assert_string_equal(v->member.expiring_on, "2026-12-31");
	assert_string_equal(v->member.next_tier_name, "白金");
	assert_int_equal(v->member.next_tier_growth, 20000 - 10075);
	assert_string_equal(v->member.guide, "2001");
	assert_string_equal(v->guide_name, "赵导购");
	assert_int_equal(v->ncoupons, 0);

	journal_code(r.seq, code);
	assert_string_equal(v->verify_code, code);
	assert_string_equal(v->verify_code, r.verify_code);
	free(v);
}

static void test_sale_without_member(void **state)
{
	struct cp_tender t = {CP_TENDER_CARD, 3000};
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};
	struct cp_receipt_view *v;
	char *text = malloc(CP_RECEIPT_RENDER_MAX);

	(void)state;
	assert_non_null(text);
	ok(cp_db_exec(env.db, "DELETE FROM meta WHERE key = 'store_name'", &err), &err);
	scan("A1", 1);
	ok(cp_sale_pay(env.db, &env.cashier, &t, 1, &r, &err), &err);
	v = get(r.receipt);
	assert_string_equal(v->store_name, "");
	assert_false(v->has_member);
	assert_int_equal(v->points, 0);
	assert_int_equal(v->change, 0);
	assert_true(cp_ui_receipt_render(v, 32, "¥", text, CP_RECEIPT_RENDER_MAX) > 0);
	check_lines(text, 32);
	assert_null(strstr(text, "Points"));
	assert_null(strstr(text, "Change")); /* paid by card: no change line */
	assert_non_null(strstr(text, "¥30.00"));
	free(v);
	free(text);
}

static void test_render_widths(void **state)
{
	static const int widths[] = {32, 42, 48};
	struct cp_sale_result r;
	struct cp_receipt_view *v;
	char *text = malloc(CP_RECEIPT_RENDER_MAX), line[1024];

	(void)state;
	assert_non_null(text);
	/* plus the long name (¥88.00): total ¥198.99, eligible ¥163.99 -> 245 points, 163
	 * growth; cash ¥150.00 -> change ¥1.01 */
	scan("LONG", 1);
	member_sale_paying(&r, 15000);
	v = get(r.receipt);
	assert_int_equal(v->nlines, 4);
	for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		int w = widths[i], n = cp_ui_receipt_render(v, w, "¥", text, CP_RECEIPT_RENDER_MAX);
		const char *p;

		assert_true(n > 0);
		assert_int_equal((size_t)n, strlen(text));
		check_lines(text, w);
		/* the header */
		assert_non_null(strstr(text, "测试超市 Test Store"));
		assert_non_null(strstr(text, "S001"));
		assert_non_null(strstr(text, "T01"));
		assert_non_null(strstr(text, r.receipt));
		assert_non_null(strstr(text, "2026-11-24 10:00:00"));
		assert_non_null(strstr(text, "1001 王收银"));
		/* lines: amounts flush right */
		line_with(text, "¥56.00", line, sizeof(line));
		assert_int_equal(cp_ui_text_width(line), w);
		assert_non_null(strstr(line, "2 x ¥28.00"));
		line_with(text, "¥35.00", line, sizeof(line));
		assert_int_equal(cp_ui_text_width(line), w);
		/* the long Chinese name: whole, on lines of its own, never cut in half */
		line_with(text, "进口", line, sizeof(line));
		if (w < cp_ui_text_width(LONG_NAME)) {
			char next[1024], joined[2048];

			p = strstr(text, line) + strlen(line) + 1;
			memcpy(next, p, (size_t)(strchr(p, '\n') - p));
			next[strchr(p, '\n') - p] = '\0';
			snprintf(joined, sizeof(joined), "%s%s", line, next);
			assert_string_equal(joined, LONG_NAME);
		} else {
			assert_string_equal(line, LONG_NAME);
		}
		/* totals, tenders, change */
		line_with(text, "¥198.99", line, sizeof(line));
		assert_int_equal(cp_ui_text_width(line), w);
		line_with(text, "¥50.00", line, sizeof(line));
		assert_non_null(strstr(line, "WeChat Pay"));
		line_with(text, "¥150.00", line, sizeof(line));
		assert_non_null(strstr(line, "Cash"));
		line_with(text, "¥1.01", line, sizeof(line));
		assert_non_null(strstr(line, "Change"));
		/* the member, masked, with points, balance and its worth, expiry, next tier */
		assert_non_null(strstr(text, "138****0001 张*"));
		assert_null(strstr(text, "张三"));
		assert_non_null(strstr(text, "金卡"));
		line_with(text, "Points earned", line, sizeof(line));
		assert_non_null(strstr(line, "+245"));
		line_with(text, "Points balance", line, sizeof(line));
		assert_non_null(strstr(line, "745"));
		line_with(text, "Growth earned", line, sizeof(line));
		assert_non_null(strstr(line, "+163"));
		line_with(text, "Points worth", line, sizeof(line));
		assert_non_null(strstr(line, "¥7.45"));
		line_with(text, "Points expiring soon", line, sizeof(line));
		assert_non_null(strstr(line, "200"));
		assert_non_null(strstr(text, "2026-12-31"));
		line_with(text, "Next tier", line, sizeof(line));
		assert_non_null(strstr(line, "白金"));
		line_with(text, "Growth still needed", line, sizeof(line));
		assert_non_null(strstr(line, "9837"));
		line_with(text, "Guide", line, sizeof(line));
		assert_non_null(strstr(line, "2001 赵导购"));
		/* no coupons yet: no coupon block */
		assert_null(strstr(text, "Coupon"));
		line_with(text, "Verification code", line, sizeof(line));
		assert_non_null(strstr(line, r.verify_code));
	}
	/* another currency symbol, and buffers and widths that do not work */
	assert_true(cp_ui_receipt_render(v, 42, "RMB ", text, CP_RECEIPT_RENDER_MAX) > 0);
	assert_non_null(strstr(text, "RMB 198.99"));
	check_lines(text, 42);
	assert_int_equal(cp_ui_receipt_render(v, 42, "¥", text, 200), -1);
	assert_string_equal(text, "");
	assert_int_equal(cp_ui_receipt_render(v, 10, "¥", text, CP_RECEIPT_RENDER_MAX), -1);
	assert_int_equal(cp_ui_receipt_render(NULL, 42, "¥", text, CP_RECEIPT_RENDER_MAX), -1);
	free(v);
	free(text);
}

/* A view core never writes: the most lines, the longest names and amounts, control characters
 * and broken UTF-8. The layout still holds and the bound CP_RECEIPT_RENDER_MAX suffices. */
static void test_render_extremes(void **state)
{
	struct cp_receipt_view *v = calloc(1, sizeof(*v));
	char *text = malloc(CP_RECEIPT_RENDER_MAX);

	(void)state;
	assert_non_null(v);
	assert_non_null(text);
	snprintf(v->store_name, sizeof(v->store_name),
		 "Shop\x1b"
		 "\x1d"
		 "V\x01 名字");
	snprintf(v->receipt, sizeof(v->receipt), "S001-T01-999999");
	for (int i = 0; i < CP_RECEIPT_MAX_LINES; i++) {
		struct cp_receipt_line *l = &v->lines[i];

		l->line_no = i + 1;
		for (size_t k = 0; k + 3 < sizeof(l->name); k += 3)
			memcpy(l->name + k, i % 2 ? "\xe5\x90\x8d" : "abc", 3);
		l->qty = 9999;
		l->unit_price = CP_MONEY_MAX;
		l->amount = CP_MONEY_MAX;
	}
	v->lines[7].name[5] = '\xff';
	v->nlines = CP_RECEIPT_MAX_LINES;
	v->ntenders = CP_TENDER_MAX;
	for (int i = 0; i < CP_TENDER_MAX; i++)
		v->tenders[i] = (struct cp_tender){CP_TENDER_CASH, CP_MONEY_MAX};
	v->total = CP_MONEY_MAX;
	v->has_member = v->member_known = true;
	snprintf(v->member.name, sizeof(v->member.name), "Alice\nBob");
	v->ncoupons = CP_RECEIPT_MAX_COUPONS;
	for (int i = 0; i < CP_RECEIPT_MAX_COUPONS; i++) {
		snprintf(v->coupons[i].code, sizeof(v->coupons[i].code), "CODE%d", i);
		snprintf(v->coupons[i].title, sizeof(v->coupons[i].title), "满100减20");
	}
	for (int w = CP_RECEIPT_WIDTH_MIN; w <= CP_RECEIPT_WIDTH_MAX; w += 6) {
		int n = cp_ui_receipt_render(v, w, "¥", text, CP_RECEIPT_RENDER_MAX);

		assert_true(n > 0);
		check_lines(text, w);
		assert_null(strchr(text, '\x1b'));
		assert_null(strchr(text, '\x1d'));
		assert_non_null(strstr(text, "A*"));
		assert_non_null(strstr(text, "CODE7"));
	}
	free(v);
	free(text);
}

static void test_refund_and_void(void **state)
{
	static const int line2[] = {2};
	struct cp_refund_req req = {.lines = line2, .nlines = 1};
	struct cp_refund_result rr;
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};
	struct cp_receipt_view *v;
	char code[9], *text = malloc(CP_RECEIPT_RENDER_MAX), line[1024];

	(void)state;
	assert_non_null(text);
	member_sale(&r);
	req.receipt = r.receipt;
	env.now += 60000;
	ok(cp_refund(env.db, &env.manager, &req, &rr, &err), &err);
	v = get(rr.receipt);
	assert_int_equal(v->kind, CP_RECEIPT_REFUND);
	assert_string_equal(v->receipt, "S001-T01-000002");
	assert_string_equal(v->sale_receipt, r.receipt);
	assert_string_equal(v->staff_code, "9001");
	assert_string_equal(v->staff_name, "刘店长");
	assert_string_equal(v->authorised_by, "9001");
	assert_string_equal(v->time, "2026-11-24 10:01:00");
	assert_int_equal(v->nlines, 1);
	assert_int_equal(v->lines[0].line_no, 2);
	assert_string_equal(v->lines[0].name, "面包 Bread");
	assert_int_equal(v->lines[0].qty, 1);
	assert_int_equal(v->lines[0].amount, 1999);
	assert_int_equal(v->total, 1999);
	assert_int_equal(v->ntenders, 1);
	assert_int_equal(v->tenders[0].method, CP_TENDER_WECHAT);
	assert_int_equal(v->tenders[0].amount, 1999);
	assert_int_equal(v->change, 0);
	/* floor(113 * 19.99 / 75.99) = 29 points, floor(75 * 19.99 / 75.99) = 19 growth */
	assert_int_equal(v->points, 29);
	assert_int_equal(v->growth, 19);
	assert_int_equal(v->points, rr.points);
	assert_true(v->has_member);
	assert_int_equal(v->member.points, 613 - 29);
	assert_int_equal(v->member.points, rr.balance_after);
	journal_code(rr.seq, code);
	assert_string_equal(v->verify_code, code);
	for (int w = 32; w <= 48; w += 8) {
		assert_true(cp_ui_receipt_render(v, w, "¥", text, CP_RECEIPT_RENDER_MAX) > 0);
		check_lines(text, w);
		assert_non_null(strstr(text, "REFUND"));
		line_with(text, "Original receipt", line, sizeof(line));
		assert_non_null(strstr(line, r.receipt));
		line_with(text, "REFUND TOTAL", line, sizeof(line));
		assert_non_null(strstr(line, "¥19.99"));
		line_with(text, "WeChat Pay", line, sizeof(line));
		assert_non_null(strstr(line, "¥19.99"));
		line_with(text, "Points taken back", line, sizeof(line));
		assert_non_null(strstr(line, "-29"));
		line_with(text, "Points balance", line, sizeof(line));
		assert_non_null(strstr(line, "584"));
		assert_non_null(strstr(text, code));
		assert_null(strstr(text, "Thank you"));
	}
	free(v);

	/* a post-void of a second sale the same day */
	member_sale(&r);
	req = (struct cp_refund_req){.receipt = r.receipt, .void_sale = true};
	ok(cp_refund(env.db, &env.manager, &req, &rr, &err), &err);
	v = get(rr.receipt);
	assert_int_equal(v->kind, CP_RECEIPT_VOID);
	assert_int_equal(v->nlines, 3);
	assert_int_equal(v->total, 11099);
	assert_int_equal(v->points, 113);
	assert_int_equal(v->ntenders, 2);
	assert_int_equal(v->tendered, 11099);
	assert_true(cp_ui_receipt_render(v, 42, "¥", text, CP_RECEIPT_RENDER_MAX) > 0);
	check_lines(text, 42);
	assert_non_null(strstr(text, "POST-VOID"));
	free(v);
	free(text);
}

static void test_unknown_receipt(void **state)
{
	struct cp_receipt_view v;
	struct cp_errbuf err = {{0}};

	(void)state;
	memset(&v, 0x5a, sizeof(v));
	assert_int_equal(cp_receipt_get(env.db, "S001-T01-000042", &v, &err), CP_ENOTFOUND);
	assert_non_null(strstr(err.msg, "S001-T01-000042"));
	assert_int_equal((unsigned char)v.receipt[0], 0x5a); /* untouched */
	assert_int_equal(cp_receipt_get(env.db, "", &v, &err), CP_EINVAL);
	assert_int_equal(cp_receipt_get(env.db, NULL, &v, &err), CP_EINVAL);
	assert_int_equal(cp_receipt_get(env.db, "S001\x1b", &v, &err), CP_EINVAL);
}

static void test_keep_copy_recent_mark(void **state)
{
	struct cp_sale_result r1, r2;
	struct cp_receipt_copy_state cs;
	struct cp_errbuf err = {{0}};
	char recent[4][CP_RECEIPT_LEN], *text = NULL, big_err[800];
	int n = -1;

	(void)state;
	ok(cp_receipt_recent(env.db, recent, 4, &n, &err), &err);
	assert_int_equal(n, 0);
	member_sale(&r1);
	env.now += 1000;
	member_sale(&r2);

	ok(cp_receipt_keep(env.db, r1.receipt, "first\n牛奶\n", &err), &err);
	env.now += 1000;
	ok(cp_receipt_keep(env.db, r2.receipt, "second\n", &err), &err);
	ok(cp_receipt_recent(env.db, recent, 4, &n, &err), &err);
	assert_int_equal(n, 2);
	assert_string_equal(recent[0], r2.receipt);
	assert_string_equal(recent[1], r1.receipt);
	ok(cp_receipt_recent(env.db, recent, 1, &n, &err), &err);
	assert_int_equal(n, 1);
	assert_string_equal(recent[0], r2.receipt);

	ok(cp_receipt_copy(env.db, r1.receipt, &text, &err), &err);
	assert_string_equal(text, "first\n牛奶\n");
	free(text);
	ok(cp_receipt_state(env.db, r1.receipt, &cs, &err), &err);
	assert_false(cs.printed);
	assert_string_equal(cs.error, "");
	assert_int_equal(cs.kept_at, TEST_TUESDAY_MS + 1000);

	ok(cp_receipt_mark(env.db, r1.receipt, false,
			   "printer not found at /dev/usb/lp0 — check the cable", &err),
	   &err);
	ok(cp_receipt_state(env.db, r1.receipt, &cs, &err), &err);
	assert_false(cs.printed);
	assert_string_equal(cs.error, "printer not found at /dev/usb/lp0 — check the cable");
	ok(cp_receipt_mark(env.db, r1.receipt, true, NULL, &err), &err);
	ok(cp_receipt_state(env.db, r1.receipt, &cs, &err), &err);
	assert_true(cs.printed);
	assert_string_equal(cs.error, "");
	/* a long message is cut between characters */
	for (size_t i = 0; i + 3 < sizeof(big_err); i += 3)
		memcpy(big_err + i, "纸", 3);
	big_err[sizeof(big_err) - 3] = '\0';
	ok(cp_receipt_mark(env.db, r2.receipt, false, big_err, &err), &err);
	ok(cp_receipt_state(env.db, r2.receipt, &cs, &err), &err);
	assert_true(strlen(cs.error) <= 511 && strlen(cs.error) % 3 == 0);
	assert_true(cp_ui_text_width(cs.error) > 0);

	/* keeping again replaces the text, resets the state and makes it the newest */
	env.now += 1000;
	ok(cp_receipt_keep(env.db, r1.receipt, "first, again\n", &err), &err);
	ok(cp_receipt_copy(env.db, r1.receipt, &text, &err), &err);
	assert_string_equal(text, "first, again\n");
	free(text);
	ok(cp_receipt_state(env.db, r1.receipt, &cs, &err), &err);
	assert_false(cs.printed);
	ok(cp_receipt_recent(env.db, recent, 4, &n, &err), &err);
	assert_int_equal(n, 2);
	assert_string_equal(recent[0], r1.receipt);

	/* unknown receipts and bad input */
	assert_int_equal(cp_receipt_keep(env.db, "S001-T01-000099", "x\n", &err), CP_ENOTFOUND);
	assert_non_null(strstr(err.msg, "S001-T01-000099"));
	assert_int_equal(cp_receipt_keep(env.db, r1.receipt, "", &err), CP_EINVAL);
	assert_int_equal(cp_receipt_keep(env.db, r1.receipt, NULL, &err), CP_EINVAL);
	assert_int_equal(cp_receipt_mark(env.db, "S001-T01-000099", true, NULL, &err),
			 CP_ENOTFOUND);
	text = (char *)"sentinel";
	assert_int_equal(cp_receipt_copy(env.db, "S001-T01-000099", &text, &err), CP_ENOTFOUND);
	assert_null(text);
	assert_non_null(strstr(err.msg, "S001-T01-000099"));
	assert_int_equal(cp_receipt_state(env.db, "S001-T01-000099", &cs, &err), CP_ENOTFOUND);
	ok(cp_receipt_recent(env.db, recent, 0, &n, &err), &err);
	assert_int_equal(n, 0);
}

/* The kept copy is also what a reprint prints: the rendered text survives a round trip. */
static void test_render_keep_reprint(void **state)
{
	struct cp_sale_result r;
	struct cp_receipt_view *v;
	struct cp_errbuf err = {{0}};
	char *text = malloc(CP_RECEIPT_RENDER_MAX), *copy = NULL;

	(void)state;
	assert_non_null(text);
	member_sale(&r);
	v = get(r.receipt);
	assert_true(cp_ui_receipt_render(v, 42, "¥", text, CP_RECEIPT_RENDER_MAX) > 0);
	ok(cp_receipt_keep(env.db, r.receipt, text, &err), &err);
	ok(cp_receipt_copy(env.db, r.receipt, &copy, &err), &err);
	assert_string_equal(copy, text);
	/* a reprint says it is a copy, above the receipt as it was */
	{
		char *again = malloc(CP_RECEIPT_RENDER_MAX + 64);
		int n;

		assert_non_null(again);
		n = cp_ui_receipt_render_copy(copy, 42, again, CP_RECEIPT_RENDER_MAX + 64);
		assert_true(n > 0);
		check_lines(again, 42);
		assert_non_null(strstr(again, "*** COPY ***"));
		assert_string_equal(strchr(again, '\n') + 1, text);
		assert_int_equal(cp_ui_receipt_render_copy(copy, 42, again, 10), -1);
		assert_int_equal(cp_ui_receipt_render_copy(NULL, 42, again, 100), -1);
		free(again);
	}
	free(copy);
	free(text);
	free(v);
}

/* A weighed line (a scale label: 21, PLU 12345 at ¥12.80 a kg, 532 g) prints its weight and
 * price a kilogram, not "1 x amount", at every width; other lines keep "qty x unit". */
static void test_weighed_line(void **state)
{
	struct cp_item it = {.price = 1280, .member_price = -1};
	struct cp_tender cash = {CP_TENDER_CASH, 10000};
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};
	struct cp_receipt_view *v;
	char *text = malloc(CP_RECEIPT_RENDER_MAX);
	static const int widths[] = {32, 42, 48};

	(void)state;
	assert_non_null(text);
	snprintf(it.sku, sizeof(it.sku), "12345");
	snprintf(it.name_zh, sizeof(it.name_zh), "散装苹果");
	snprintf(it.name_en, sizeof(it.name_en), "Apples, loose");
	snprintf(it.category, sizeof(it.category), "FOOD");
	ok(cp_catalog_put_item(env.db, &it, &err), &err);
	scan("2112345005324", 1);
	scan("A2", 1);
	ok(cp_sale_pay(env.db, &env.cashier, &cash, 1, &r, &err), &err);
	v = get(r.receipt);
	assert_int_equal(v->lines[0].weight_g, 532);
	assert_int_equal(v->lines[0].per_kg, 1280);
	assert_int_equal(v->lines[1].weight_g, 0);
	for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		assert_true(cp_ui_receipt_render(v, widths[i], "¥", text, CP_RECEIPT_RENDER_MAX) >
			    0);
		assert_non_null(strstr(text, "0.532 kg x ¥12.80/kg"));
		assert_null(strstr(text, "1 x ¥6.81"));
		assert_non_null(strstr(text, "1 x ¥19.99"));
	}
	/* verify replays sale_weight and finds it altered */
	{
		struct cp_verify_report rep;

		ok(cp_journal_verify(env.db, &rep, &err), &err);
		assert_int_equal(sqlite3_exec(env.db->h, "UPDATE sale_weight SET weight_g = 533",
					      NULL, NULL, NULL),
				 SQLITE_OK);
		assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_ECORRUPT);
		assert_non_null(strstr(err.msg, "sale_weight"));
	}
	free(v);
	free(text);
}

/* A Chinese item name wrapped on a 32-column receipt breaks where Chinese may: the next line
 * never starts with full-width closing punctuation, and a number stays with its measure word. */
static void test_render_wraps_chinese(void **state)
{
	static const char *const names[] = {
		"一二三四五六七八九十一二三四五六，后面的字", /* "，" would open line 2 */
		"一二三四五六七八九十一二三四五12盒装",       /* "12" would end line 1 */
		"一二三四五六七八九十一二三四五六。",
	};
	struct cp_receipt_view *v = calloc(1, sizeof(*v));
	char *text = malloc(CP_RECEIPT_RENDER_MAX);

	(void)state;
	assert_non_null(v);
	assert_non_null(text);
	snprintf(v->receipt, sizeof(v->receipt), "S001-T01-000001");
	for (int i = 0; i < 3; i++) {
		v->lines[i].line_no = i + 1;
		snprintf(v->lines[i].name, sizeof(v->lines[i].name), "%s", names[i]);
		v->lines[i].qty = 1;
		v->lines[i].unit_price = v->lines[i].amount = 100;
	}
	v->nlines = 3;
	v->total = 300;
	for (int w = 32; w <= 48; w += 16) {
		assert_true(cp_ui_receipt_render(v, w, "¥", text, CP_RECEIPT_RENDER_MAX) > 0);
		check_lines(text, w);
		for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
			if (strncmp(p, "，", 3) == 0 || strncmp(p, "。", 3) == 0)
				fail_msg("a line starts with full-width punctuation at %d "
					 "columns:\n%s",
					 w, text);
		assert_non_null(strstr(text, "12盒"));
	}
	free(v);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sale_view, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sale_without_member, setup, teardown),
		cmocka_unit_test_setup_teardown(test_render_widths, setup, teardown),
		cmocka_unit_test(test_render_extremes),
		cmocka_unit_test(test_render_wraps_chinese),
		cmocka_unit_test_setup_teardown(test_refund_and_void, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_receipt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_copy_recent_mark, setup, teardown),
		cmocka_unit_test_setup_teardown(test_render_keep_reprint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_weighed_line, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
