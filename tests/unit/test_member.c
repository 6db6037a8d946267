/* test_member.c — members as the till knows them: lookup by phone in every form people type and
 * by card, offline registration with welcome and referral points, no full phone number in the
 * member table (only in the journal event for HQ), balance = HQ snapshot + pending movements,
 * snapshot versions, and the tier upgraded at once by pending growth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "cart.h"
#include "db.h"
#include "db_int.h"
#include "member.h"
#include "sale.h"
#include "support.h"

static struct test_env env;

static int setup(void **state)
{
	(void)state;
	test_env_open(&env, "member", true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

/* A connection of the test's own, as another program (or an auditor) would open the file. */
static sqlite3 *peek(void)
{
	sqlite3 *h = NULL;

	assert_int_equal(sqlite3_open_v2(env.path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	return h;
}

static int64_t count(const char *sql)
{
	sqlite3 *h = peek();
	sqlite3_stmt *st = NULL;
	int64_t n;

	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

/* What a refused write must leave alone. */
struct footprint {
	int64_t journal, members, movements;
	int64_t member_seq;
};

static struct footprint footprint(void)
{
	struct footprint f;

	f.journal = count("SELECT count(*) FROM journal");
	f.members = count("SELECT count(*) FROM member");
	f.movements = count("SELECT count(*) FROM movement");
	f.member_seq = count("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'member_seq'");
	return f;
}

static void assert_footprint(const struct footprint *a)
{
	struct footprint b = footprint();

	assert_int_equal(a->journal, b.journal);
	assert_int_equal(a->members, b.members);
	assert_int_equal(a->movements, b.movements);
	assert_int_equal(a->member_seq, b.member_seq);
}

static struct cp_member_view get(const char *id)
{
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_member_get(env.db, id, &v, &err);

	if (rc != CP_OK)
		fail_msg("cp_member_get %s: %s", id, cp_errmsg(&err, rc));
	return v;
}

static struct cp_member_view registered(const struct cp_member_new *m)
{
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_member_register(env.db, &env.cashier, m, &v, &err);

	if (rc != CP_OK)
		fail_msg("cp_member_register %s: %s", m->phone, cp_errmsg(&err, rc));
	return v;
}

/* A refused registration: the code, a message, and nothing written. */
static void register_refused(const struct cp_member_new *m, enum cp_err want)
{
	struct footprint before = footprint();
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_member_register(env.db, &env.cashier, m, &v, &err);

	if (rc != want)
		fail_msg("register %s gave %s (%s), expected %s", m->phone ? m->phone : "NULL",
			 cp_err_code(rc), err.msg, cp_err_code(want));
	assert_true(err.msg[0] != '\0');
	assert_footprint(&before);
}

/* Earn rules that give more points than a balance can hold (stored before they were refused on
 * arrival): a registration under them either succeeds whole or is refused with nothing
 * written; never an error for a member whose registration was committed. */
static void test_register_rules_beyond_a_balance(void **state)
{
	static const struct {
		const char *sql, *phone;
	} cases[] = {
		{"UPDATE earn_rule SET welcome_points = 9223372036854775800", "13700000007"},
		{"UPDATE earn_rule SET welcome_points = 100, referral_points = 9223372036854775800",
		 "13700000008"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cp_member_new m = {.consent = true,
					  .phone = cases[i].phone,
					  .name = "溢出",
					  .referrer_phone = "13800000001"};
		struct footprint before = footprint();
		struct cp_member_view v;
		struct cp_errbuf err = {{0}};
		enum cp_err rc;

		assert_int_equal(sqlite3_exec(env.db->h, cases[i].sql, NULL, NULL, NULL),
				 SQLITE_OK);
		rc = cp_member_register(env.db, &env.cashier, &m, &v, &err);
		if (rc != CP_OK) {
			print_message("refused: %s\n", err.msg);
			assert_footprint(&before);
		} else {
			assert_int_equal(footprint().journal, before.journal + 1);
		}
		assert_true(sqlite3_get_autocommit(env.db->h));
	}
}

static void assert_m1(const struct cp_member_view *v)
{
	assert_string_equal(v->id, "M1");
	assert_string_equal(v->masked_phone, "138****0001");
	assert_string_equal(v->name, "张三");
	assert_string_equal(v->birthday, "01-15");
	assert_int_equal(v->tier_level, 2);
	assert_string_equal(v->tier_name, "金卡");
	assert_int_equal(v->tier_multiplier_bp, 15000);
	assert_int_equal(v->points, 500);
	assert_int_equal(v->points_pending, 0);
	assert_int_equal(v->growth, 10000);
	assert_false(v->local);
}

static void test_find_by_phone_forms(void **state)
{
	static const char *const forms[] = {
		"13800000001",     "+86 138-0000-0001", "8613800000001",   "１３８０００００００１",
		" 138 0000 0001 ", "+8613800000001",    "008613800000001",
	};
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		enum cp_err rc;

		memset(&v, 0, sizeof(v));
		rc = cp_member_find_by_phone(env.db, forms[i], &v, &err);
		if (rc != CP_OK)
			fail_msg("find \"%s\": %s", forms[i], cp_errmsg(&err, rc));
		assert_m1(&v);
	}
}

static void test_find_by_phone_miss(void **state)
{
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};

	(void)state;
	assert_int_equal(cp_member_find_by_phone(env.db, "13700000009", &v, &err), CP_ENOTFOUND);
	assert_string_equal(err.msg, "no such member");
}

static void test_find_by_phone_malformed(void **state)
{
	static const char *const bad[] = {"1380000000",
					  "138000000011",
					  "23800000001",
					  "12800000001",
					  "abc",
					  "",
					  "+1 415 555 0100",
					  "138\xff"
					  "0000001"};
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum cp_err rc;

		err.msg[0] = '\0';
		rc = cp_member_find_by_phone(env.db, bad[i], &v, &err);
		if (rc != CP_EINVAL)
			fail_msg("phone %zu gave %s, expected invalid_input", i, cp_err_code(rc));
		assert_true(err.msg[0] != '\0');
	}
}

static void test_find_by_card(void **state)
{
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};

	(void)state;
	assert_int_equal(cp_member_find_by_card(env.db, "C0002", &v, &err), CP_OK);
	assert_string_equal(v.id, "M2");
	assert_string_equal(v.card_no, "C0002");
	assert_string_equal(v.masked_phone, "139****0002");
	assert_int_equal(v.points, 3050);
	assert_int_equal(v.tier_level, 0);
	assert_string_equal(v.tier_name, "普通");
	assert_int_equal(cp_member_find_by_card(env.db, "C9999", &v, &err), CP_ENOTFOUND);
	assert_string_equal(err.msg, "no such member");
	err.msg[0] = '\0';
	assert_int_equal(cp_member_find_by_card(env.db, "ab", &v, &err), CP_EINVAL);
	assert_true(err.msg[0] != '\0');
	assert_int_equal(cp_member_find_by_card(env.db, "C0002'--", &v, &err), CP_EINVAL);
	assert_int_equal(cp_member_find_by_card(env.db, "", &v, &err), CP_EINVAL);
	assert_int_equal(cp_member_find_by_card(env.db, NULL, &v, &err), CP_EINVAL);
}

static void test_register(void **state)
{
	struct cp_member_new m = {
		.consent = true, .phone = "13700000003", .name = "王五", .birthday = "05-17"};
	struct footprint before;
	struct cp_member_view v, again;
	struct cp_errbuf err = {{0}};

	(void)state;
	before = footprint();
	v = registered(&m);
	assert_string_equal(v.id, "L-S001-T01-1");
	assert_true(v.local);
	assert_string_equal(v.masked_phone, "137****0003");
	assert_string_equal(v.name, "王五");
	assert_string_equal(v.birthday, "05-17");
	assert_int_equal(v.points, 100);
	assert_int_equal(v.points_pending, 100);
	assert_int_equal(v.growth, 0);
	assert_int_equal(v.tier_level, 0);
	assert_int_equal(v.points_value, 100);
	assert_int_equal(count("SELECT count(*) FROM journal"), before.journal + 1);
	assert_int_equal(count("SELECT count(*) FROM journal WHERE type = 'member_register'"), 1);
	/* Found by phone at once, in any form. */
	assert_int_equal(cp_member_find_by_phone(env.db, "+86 137 0000 0003", &again, &err), CP_OK);
	assert_string_equal(again.id, "L-S001-T01-1");
	/* The next one gets the next number. */
	m.phone = "13700000004";
	m.name = NULL;
	m.birthday = NULL;
	v = registered(&m);
	assert_string_equal(v.id, "L-S001-T01-2");
	assert_string_equal(v.name, "");
	assert_string_equal(v.birthday, "");
}

static void test_register_with_referrer(void **state)
{
	struct cp_member_new m = {.consent = true,
				  .phone = "13700000003",
				  .name = "王五",
				  .birthday = "05-17",
				  .referrer_phone = "139-0000-0002"};
	struct cp_member_view v, m2;

	(void)state;
	v = registered(&m);
	assert_int_equal(v.points, 150);
	assert_int_equal(v.points_pending, 150);
	m2 = get("M2");
	assert_int_equal(m2.points, 3100);
	assert_int_equal(m2.points_pending, 50);
	assert_int_equal(get("M1").points, 500);
	assert_int_equal(count("SELECT count(*) FROM member WHERE referrer_id = 'M2'"), 1);
}

static void test_register_known_phone(void **state)
{
	struct cp_member_new m1 = {.consent = true, .phone = "+86 138 0000 0001", .name = "冒名"};
	struct cp_member_new fresh = {.consent = true, .phone = "13700000003"};
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};

	(void)state;
	register_refused(&m1, CP_EEXIST);
	assert_int_equal(cp_member_register(env.db, &env.cashier, &m1, &v, &err), CP_EEXIST);
	assert_null(strstr(err.msg, "13800000001")); /* the message shows it masked */
	registered(&fresh);
	fresh.phone = "１３７０００００００３";
	register_refused(&fresh, CP_EEXIST);
	assert_int_equal(get("M1").points, 500);
}

static void test_register_bad_birthday(void **state)
{
	static const char *const bad[] = {"13-01", "02-30", "5-17", "00-10", "04-31",
					  "05-00", "05/17", "0517", "05-1x", "05-177"};
	struct cp_member_new m = {.consent = true, .phone = "13700000003"};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m.birthday = bad[i];
		register_refused(&m, CP_EINVAL);
	}
	m.birthday = "02-29";
	assert_string_equal(registered(&m).birthday, "02-29");
}

static void test_register_bad_name(void **state)
{
	char longest[65], too_long[66];
	struct cp_member_new m = {.consent = true, .phone = "13700000003"};

	(void)state;
	m.name = "王\xff五";
	register_refused(&m, CP_EINVAL);
	m.name = "\xe7\x8e"; /* a cut character */
	register_refused(&m, CP_EINVAL);
	m.name = "王\x1b[2J五";
	register_refused(&m, CP_EINVAL);
	memset(too_long, 'a', 65);
	too_long[65] = '\0';
	m.name = too_long;
	register_refused(&m, CP_EINVAL);
	/* 21 three-byte characters and one byte: exactly 64 bytes is fine. */
	longest[0] = '\0';
	for (int i = 0; i < 21; i++)
		strcat(longest, "王");
	strcat(longest, "a");
	assert_int_equal(strlen(longest), 64);
	m.name = longest;
	assert_string_equal(registered(&m).name, longest);
}

static void test_register_bad_phone(void **state)
{
	struct cp_member_new m = {.consent = true, .phone = "1370000000"};

	(void)state;
	register_refused(&m, CP_EINVAL);
	m.phone = "";
	register_refused(&m, CP_EINVAL);
	m.phone = NULL;
	register_refused(&m, CP_EINVAL);
}

static void test_register_unknown_referrer(void **state)
{
	struct cp_member_new m = {
		.consent = true, .phone = "13700000003", .referrer_phone = "13600000006"};

	(void)state;
	register_refused(&m, CP_ENOTFOUND);
	m.referrer_phone = "1360000000";
	register_refused(&m, CP_EINVAL);
}

static void test_register_self_referral(void **state)
{
	struct cp_member_new m = {
		.consent = true, .phone = "13700000003", .referrer_phone = "+86 137-0000-0003"};
	struct footprint before = footprint();
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};

	(void)state;
	assert_int_not_equal(cp_member_register(env.db, &env.cashier, &m, &v, &err), CP_OK);
	assert_true(err.msg[0] != '\0');
	assert_footprint(&before);
}

static void test_register_not_logged_in(void **state)
{
	struct cp_member_new m = {.consent = true, .phone = "13700000003"};
	struct cp_session nobody;
	struct footprint before = footprint();
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};

	(void)state;
	memset(&nobody, 0, sizeof(nobody));
	assert_int_equal(cp_member_register(env.db, NULL, &m, &v, &err), CP_EAUTH);
	assert_int_equal(cp_member_register(env.db, &nobody, &m, &v, &err), CP_EAUTH);
	assert_footprint(&before);
}

static bool holds(const void *buf, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; buf && i + n <= len; i++)
		if (memcmp((const char *)buf + i, needle, n) == 0)
			return true;
	return false;
}

/* No column of any row of any table but the journal holds a full number. */
static void test_no_full_phone_stored(void **state)
{
	static const char *const phones[] = {"13700000003", "13800000001", "13900000002"};
	struct cp_member_new m = {.consent = true,
				  .phone = "137 0000 0003",
				  .name = "王五",
				  .birthday = "05-17",
				  .referrer_phone = "13900000002"};
	sqlite3 *h;
	sqlite3_stmt *tables = NULL;
	int64_t member_cells = 0;

	(void)state;
	registered(&m);
	h = peek();
	assert_int_equal(sqlite3_prepare_v2(h,
					    "SELECT name FROM sqlite_schema WHERE type = 'table'"
					    " AND name <> 'journal'",
					    -1, &tables, NULL),
			 SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		char sql[160];
		const char *table = (const char *)sqlite3_column_text(tables, 0);
		sqlite3_stmt *st = NULL;

		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", table);
		assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(st); c++) {
				const void *v = sqlite3_column_type(st, c) == SQLITE_BLOB
							? sqlite3_column_blob(st, c)
							: (const void *)sqlite3_column_text(st, c);
				size_t len = (size_t)sqlite3_column_bytes(st, c);

				if (strcmp(table, "member") == 0)
					member_cells++;
				for (size_t p = 0; p < sizeof(phones) / sizeof(phones[0]); p++)
					if (holds(v, len, phones[p]))
						fail_msg("%s.%s holds the full number %s", table,
							 sqlite3_column_name(st, c), phones[p]);
			}
		}
		sqlite3_finalize(st);
	}
	sqlite3_finalize(tables);
	sqlite3_close(h);
	/* The scan did see the three member rows. */
	assert_true(member_cells >= 3 * 10);
}

/* The registration event carries the full number: HQ must receive it. */
static void test_journal_holds_full_phone(void **state)
{
	struct cp_member_new m = {.consent = true,
				  .phone = "+86 137-0000-0003",
				  .name = "王五",
				  .birthday = "05-17",
				  .referrer_phone = "13900000002"};
	sqlite3 *h;
	sqlite3_stmt *st = NULL;
	json_t *p;
	json_error_t jerr;

	(void)state;
	registered(&m);
	h = peek();
	assert_int_equal(sqlite3_prepare_v2(h,
					    "SELECT payload FROM journal WHERE type ="
					    " 'member_register' ORDER BY seq DESC LIMIT 1",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	p = json_loads((const char *)sqlite3_column_text(st, 0), 0, &jerr);
	sqlite3_finalize(st);
	sqlite3_close(h);
	assert_non_null(p);
	assert_string_equal(json_string_value(json_object_get(p, "phone")), "13700000003");
	assert_string_equal(json_string_value(json_object_get(p, "member")), "L-S001-T01-1");
	assert_string_equal(json_string_value(json_object_get(p, "referrer")), "M2");
	assert_string_equal(json_string_value(json_object_get(p, "name")), "王五");
	assert_string_equal(json_string_value(json_object_get(p, "birthday")), "05-17");
	assert_string_equal(json_string_value(json_object_get(p, "staff")), "1001");
	assert_int_equal(json_integer_value(json_object_get(p, "welcome")), 100);
	assert_int_equal(json_integer_value(json_object_get(p, "referral")), 50);
	json_decref(p);
}

/* Once HQ has acknowledged the journal, the balance is its snapshot alone. */
static void test_balance_snapshot_plus_pending(void **state)
{
	struct cp_member_new m = {
		.consent = true, .phone = "13700000003", .referrer_phone = "13900000002"};
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};
	int64_t last;

	(void)state;
	v = registered(&m);
	assert_int_equal(get("M2").points, 3050 + 50);
	last = count("SELECT max(seq) FROM journal");
	assert_true(last >= 1);
	assert_int_equal(cp_db_meta_set_int(env.db, "acked_seq", last, &err), CP_OK);
	v = get("L-S001-T01-1");
	assert_int_equal(v.points_pending, 0);
	assert_int_equal(v.points, 0);
	v = get("M2");
	assert_int_equal(v.points_pending, 0);
	assert_int_equal(v.points, 3050);
	/* ... and HQ's snapshot then carries them. */
	{
		struct cp_member_snapshot s = {.id = "M2",
					       .phone = "13900000002",
					       .card_no = "C0002",
					       .name = "李四",
					       .birthday = "11-02",
					       .points = 3100,
					       .version = 2};

		assert_int_equal(cp_member_put_snapshot(env.db, &s, &err), CP_OK);
	}
	v = get("M2");
	assert_int_equal(v.points, 3100);
	assert_int_equal(v.points_pending, 0);
}

static void test_snapshot_versions(void **state)
{
	struct cp_member_snapshot s = {.id = "M1",
				       .phone = "13800000001",
				       .name = "张三",
				       .birthday = "01-15",
				       .points = 9999,
				       .growth = 20000,
				       .tier_level = 3,
				       .version = 1};
	struct cp_errbuf err = {{0}};
	struct cp_member_view v;

	(void)state;
	/* Equal version: ignored. */
	assert_int_equal(cp_member_put_snapshot(env.db, &s, &err), CP_OK);
	v = get("M1");
	assert_m1(&v);
	/* Older version: ignored. */
	s.version = 0;
	assert_int_equal(cp_member_put_snapshot(env.db, &s, &err), CP_OK);
	v = get("M1");
	assert_m1(&v);
	/* Newer version: replaces points and tier. */
	s.version = 2;
	s.points = 800;
	assert_int_equal(cp_member_put_snapshot(env.db, &s, &err), CP_OK);
	v = get("M1");
	assert_int_equal(v.points, 800);
	assert_int_equal(v.growth, 20000);
	assert_int_equal(v.tier_level, 3);
	assert_string_equal(v.tier_name, "白金");
	assert_string_equal(v.masked_phone, "138****0001");
	/* And an older one after it changes nothing again. */
	s.version = 1;
	s.points = 1;
	s.tier_level = 0;
	assert_int_equal(cp_member_put_snapshot(env.db, &s, &err), CP_OK);
	v = get("M1");
	assert_int_equal(v.points, 800);
	assert_int_equal(v.tier_level, 3);
}

/* M2 (普通, growth 0) buys ¥2,040.00: the pending growth lifts them to 银卡 at once. */
static void test_tier_upgrade_by_pending_growth(void **state)
{
	struct cp_tender cash = {.method = CP_TENDER_CASH, .amount = 17 * 12000};
	struct cp_sale_result r;
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	(void)state;
	assert_int_equal(cp_cart_scan(env.db, &env.cashier, "G120", 17, NULL, &err), CP_OK);
	assert_int_equal(cp_cart_set_member(env.db, &env.cashier, "M2", &err), CP_OK);
	rc = cp_sale_pay(env.db, &env.cashier, &cash, 1, &r, &err);
	if (rc != CP_OK)
		fail_msg("pay: %s", cp_errmsg(&err, rc));
	assert_int_equal(r.growth, 2040);
	v = get("M2");
	assert_int_equal(v.growth, 2040);
	assert_int_equal(v.tier_level, 1);
	assert_string_equal(v.tier_name, "银卡");
	assert_int_equal(v.tier_multiplier_bp, 12000);
	assert_string_equal(v.next_tier_name, "金卡");
	assert_int_equal(v.next_tier_growth, 10000 - 2040);
	assert_int_equal(v.points, 3050 + r.points);
	assert_int_equal(v.points_pending, r.points);
	/* The stored snapshot is still HQ's: tier 0. */
	assert_int_equal(count("SELECT tier FROM member WHERE id = 'M2'"), 0);
}

static void test_next_tier(void **state)
{
	struct cp_member_view v;
	struct cp_member_snapshot top = {.id = "M9",
					 .phone = "13500000009",
					 .name = "钻",
					 .points = 0,
					 .growth = 60000,
					 .tier_level = 4,
					 .version = 1};
	struct cp_errbuf err = {{0}};

	(void)state;
	v = get("M1"); /* 金卡 at 10000 */
	assert_string_equal(v.next_tier_name, "白金");
	assert_int_equal(v.next_tier_growth, 10000);
	v = get("M2");
	assert_string_equal(v.next_tier_name, "银卡");
	assert_int_equal(v.next_tier_growth, 2000);
	assert_int_equal(cp_member_put_snapshot(env.db, &top, &err), CP_OK);
	v = get("M9");
	assert_string_equal(v.tier_name, "钻石");
	assert_string_equal(v.next_tier_name, "");
	assert_int_equal(v.next_tier_growth, 0);
}

static void test_points_value(void **state)
{
	struct cp_member_view v;

	(void)state;
	v = get("M2");
	assert_int_equal(v.points, 3050);
	assert_int_equal(v.points_value, 3050); /* 3050 points * 100 / 100 per yuan = ¥30.50 */
	v = get("M1");
	assert_int_equal(v.points_value, 500);
}

static void test_get_unknown(void **state)
{
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};

	(void)state;
	assert_int_equal(cp_member_get(env.db, "M404", &v, &err), CP_ENOTFOUND);
	assert_string_equal(err.msg, "no such member");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_find_by_phone_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_by_phone_miss, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_by_phone_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_by_card, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_with_referrer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_known_phone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_bad_birthday, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_bad_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_bad_phone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_unknown_referrer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_self_referral, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_not_logged_in, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_full_phone_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_holds_full_phone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balance_snapshot_plus_pending, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tier_upgrade_by_pending_growth, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_next_tier, setup, teardown),
		cmocka_unit_test_setup_teardown(test_points_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_rules_beyond_a_balance, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
