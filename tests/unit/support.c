/* support.c — a fresh test database with a movable clock and the small store of support.h. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "catalog.h"
#include "db.h"
#include "db_int.h"
#include "earn.h"
#include "member.h"
#include "shift.h"

static int64_t read_clock(void *ctx)
{
	return ((struct test_env *)ctx)->now;
}

static void ok(enum cp_err rc, const struct cp_errbuf *err)
{
	if (rc != CP_OK)
		fail_msg("setup failed: %s", cp_errmsg(err, rc));
}

static void seed(struct test_env *env, bool open_shift)
{
	static const struct cp_tier tiers[] = {
		{0, "普通", 0, 10000},     {1, "银卡", 2000, 12000},  {2, "金卡", 10000, 15000},
		{3, "白金", 20000, 18000}, {4, "钻石", 50000, 20000},
	};
	static const struct {
		const char *sku, *barcode, *name, *cat;
		int64_t price, member_price;
	} items[] = {
		{"A1", "6901234567892", "牛奶 Milk", "FOOD", 3000, 2800},
		{"A2", "96385074", "面包 Bread", "FOOD", 1999, -1},
		{"T1", "", "香烟 Cigarettes", "TOBACCO", 3500, -1},
		{"G120", "", "杂货 Groceries 120", "FOOD", 12000, -1},
		{"G19990", "", "杂货 Groceries 199.90", "FOOD", 19990, -1},
		{"G88", "", "杂货 Groceries 88", "FOOD", 8800, -1},
	};
	struct cp_earn_rules rules = {
		.points_per_yuan_bp = 10000,
		.growth_per_yuan_bp = 10000,
		.member_day_kind = CP_MEMBER_DAY_WEEKDAY,
		.member_day_value = 3,
		.member_day_bp = 20000,
		.birthday_bp = 20000,
		.combine_product = false,
		.welcome_points = 100,
		.referral_points = 50,
		.points_per_yuan_value = 100,
	};
	struct cp_member_snapshot m1 = {.id = "M1",
					.phone = "13800000001",
					.name = "张三",
					.birthday = "01-15",
					.points = 500,
					.growth = 10000,
					.tier_level = 2,
					.version = 1};
	struct cp_member_snapshot m2 = {.id = "M2",
					.phone = "13900000002",
					.card_no = "C0002",
					.name = "李四",
					.birthday = "11-02",
					.points = 3050,
					.growth = 0,
					.tier_level = 0,
					.version = 1};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = env->db;

	ok(cp_catalog_put_category(db, "FOOD", "食品", false, &err), &err);
	ok(cp_catalog_put_category(db, "TOBACCO", "烟草", true, &err), &err);
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		struct cp_item it = {.price = items[i].price,
				     .member_price = items[i].member_price};

		snprintf(it.sku, sizeof(it.sku), "%s", items[i].sku);
		snprintf(it.barcode, sizeof(it.barcode), "%s", items[i].barcode);
		snprintf(it.name_zh, sizeof(it.name_zh), "%s", items[i].name);
		snprintf(it.name_en, sizeof(it.name_en), "%s", items[i].name);
		snprintf(it.category, sizeof(it.category), "%s", items[i].cat);
		ok(cp_catalog_put_item(db, &it, &err), &err);
	}
	for (size_t i = 0; i < sizeof(tiers) / sizeof(tiers[0]); i++)
		ok(cp_tier_put(db, &tiers[i], &err), &err);
	ok(cp_earn_rules_store(db, &rules, &err), &err);
	ok(cp_staff_set(db, "1001", "王收银", CP_ROLE_CASHIER, "1234", &err), &err);
	ok(cp_staff_set(db, "2001", "赵导购", CP_ROLE_GUIDE, "2222", &err), &err);
	ok(cp_staff_set(db, "9001", "刘店长", CP_ROLE_MANAGER, "9999", &err), &err);
	ok(cp_member_put_snapshot(db, &m1, &err), &err);
	ok(cp_member_put_snapshot(db, &m2, &err), &err);
	ok(cp_staff_login(db, "1001", "1234", &env->cashier, NULL, &err), &err);
	ok(cp_staff_login(db, "9001", "9999", &env->manager, NULL, &err), &err);
	/* A sale needs an open shift on the till. */
	if (open_shift)
		ok(cp_shift_open(db, &env->manager, 0, NULL, &err), &err);
}

static void env_open(struct test_env *env, const char *name, bool with_seed, bool open_shift)
{
	struct cp_db_options opt = {0};
	struct cp_db_init init = {.store_id = "S001", .terminal_id = "T01", .force = true};
	struct cp_errbuf err = {{0}};

	memset(env, 0, sizeof(*env));
	env->now = TEST_TUESDAY_MS;
	env->clock.now = read_clock;
	env->clock.ctx = env;
	snprintf(env->path, sizeof(env->path), "%s.db", name);
	opt.path = env->path;
	opt.clock = &env->clock;
	opt.pbkdf2_iterations = 1000; /* PINs hash fast in tests; the count is stored per PIN */
	ok(cp_db_create(&env->db, &opt, &init, &err), &err);
	if (with_seed)
		seed(env, open_shift);
}

void test_env_open(struct test_env *env, const char *name, bool with_seed)
{
	env_open(env, name, with_seed, true);
}

void test_env_open_shift(struct test_env *env, const char *name, bool open_shift)
{
	env_open(env, name, true, open_shift);
}

void test_env_close(struct test_env *env)
{
	cp_db_close(env->db);
	env->db = NULL;
}

int64_t test_count(struct test_env *env, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(env->db->h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}
