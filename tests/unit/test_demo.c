/* test_demo.c — the compiled-in demo store seeds a new database completely and consistently,
 * its people can log in with the PINs the docs give, and seeding is all or nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "barcode.h"
#include "catalog.h"
#include "db.h"
#include "demo.h"
#include "earn.h"
#include "member.h"
#include "staff.h"
#include "rowmac_int.h"
#include "support.h"

extern const char cp_demo_json[];
extern const size_t cp_demo_json_len;

/* One integer from the database file, read through a connection of the test's own. */
static int64_t sql_int(struct test_env *env, const char *text)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v;

	assert_int_equal(sqlite3_open_v2(env->path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(h, text, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", text, sqlite3_errmsg(h));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static void sql_exec(struct test_env *env, const char *text)
{
	sqlite3 *h = NULL;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(env->path, &h), SQLITE_OK);
	/* as core's own connections do: the rows HQ feeds carry checksums (rowmac.c) */
	assert_int_equal(cp_rowmac_register(h, env->db), SQLITE_OK);
	if (sqlite3_exec(h, text, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", text, msg);
	sqlite3_close(h);
}

static json_t *demo_json(void)
{
	json_error_t jerr;
	json_t *root = json_loadb(cp_demo_json, cp_demo_json_len, 0, &jerr);

	if (!root)
		fail_msg("store.json: line %d: %s", jerr.line, jerr.text);
	return root;
}

static void seed(struct test_env *env)
{
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	test_env_open(env, "demo", false);
	rc = cp_demo_seed(env->db, &err);
	if (rc != CP_OK)
		fail_msg("cp_demo_seed: %s", cp_errmsg(&err, rc));
}

static void test_counts(void **state)
{
	struct test_env env;
	json_t *root = demo_json();
	size_t items = json_array_size(json_object_get(root, "items"));

	(void)state;
	seed(&env);
	assert_true(items >= 40 && items <= 60);
	assert_int_equal(sql_int(&env, "SELECT count(*) FROM item WHERE active = 1"), items);
	assert_int_equal(sql_int(&env, "SELECT count(*) FROM category"),
			 json_array_size(json_object_get(root, "categories")));
	assert_int_equal(sql_int(&env, "SELECT count(*) FROM staff"), 6);
	assert_int_equal(sql_int(&env, "SELECT count(*) FROM member"), 1000);
	assert_int_equal(sql_int(&env, "SELECT count(*) FROM tier"), 5);
	assert_int_equal(sql_int(&env, "SELECT count(*) FROM earn_rule"), 1);
	assert_int_equal(sql_int(&env, "SELECT count(*) FROM meta WHERE key = 'store_name'"), 1);
	/* Some items have no barcode (weighed goods), some a member price. */
	assert_true(sql_int(&env, "SELECT count(*) FROM item WHERE barcode IS NULL") > 0);
	assert_true(sql_int(&env, "SELECT count(*) FROM item WHERE member_price IS NOT NULL") > 0);
	assert_int_equal(sql_int(&env, "SELECT earn_excluded FROM category WHERE code = 'TOBACCO'"),
			 1);
	/* a tier discount: 钻石 95折 except tobacco and the items on offer (category OFFER) */
	assert_int_equal(sql_int(&env,
				 "SELECT count(*) FROM tier_discount WHERE level = 4 AND"
				 " discount_bp = 500 AND except_categories = 'TOBACCO,OFFER'"),
			 1);
	assert_true(sql_int(&env, "SELECT count(*) FROM item WHERE category = 'OFFER'") > 0);
	/* coupons: a template of each kind, bearer and bound, an issuing rule with a pack, and a
	 * points-for-coupon offer whose template is there */
	assert_int_equal(sql_int(&env, "SELECT count(DISTINCT kind) FROM coupon_template"), 3);
	assert_int_equal(sql_int(&env, "SELECT count(DISTINCT bearer) FROM coupon_template"), 2);
	assert_true(sql_int(&env, "SELECT count(*) FROM coupon_rule WHERE templates LIKE '%,%'") >
		    0);
	assert_int_equal(sql_int(&env, "SELECT count(*) FROM offer o JOIN coupon_template t"
				       " ON t.id = o.sku WHERE o.reward_kind = 'coupon'"),
			 1);
	json_decref(root);
	test_env_close(&env);
}

static void test_barcodes_scan(void **state)
{
	struct test_env env;
	json_t *root = demo_json(), *list = json_object_get(root, "items"), *j;
	struct cp_errbuf err = {{0}};
	size_t i, ean13 = 0, ean8 = 0;

	(void)state;
	seed(&env);
	json_array_foreach (list, i, j) {
		const char *sku = json_string_value(json_object_get(j, "sku"));
		const char *barcode = json_string_value(json_object_get(j, "barcode"));
		char code[CP_CODE_MAX + 1];
		enum cp_code_kind kind;
		struct cp_item it;

		assert_non_null(sku);
		assert_int_equal(cp_catalog_find(env.db, sku, &it, &err), CP_OK);
		if (!barcode)
			continue;
		if (cp_code_parse(barcode, code, &kind, &err) != CP_OK)
			fail_msg("item %s: barcode %s does not scan: %s", sku, barcode, err.msg);
		assert_string_equal(code, barcode);
		assert_true(kind == CP_CODE_EAN13 || kind == CP_CODE_EAN8);
		ean13 += kind == CP_CODE_EAN13;
		ean8 += kind == CP_CODE_EAN8;
		if (kind == CP_CODE_EAN13)
			assert_memory_equal(barcode, "69", 2); /* GS1 China, 690-699 */
		assert_int_equal(cp_catalog_find(env.db, code, &it, &err), CP_OK);
		assert_string_equal(it.sku, sku);
	}
	assert_true(ean13 > 0 && ean8 > 0);
	json_decref(root);
	test_env_close(&env);
}

static void test_members_in_every_tier(void **state)
{
	struct test_env env;
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};

	(void)state;
	seed(&env);
	for (int level = 0; level < 5; level++) {
		char q[96];

		snprintf(q, sizeof(q), "SELECT count(*) FROM member WHERE tier = %d", level);
		assert_true(sql_int(&env, q) > 0);
	}
	/* Every member's tier is the one its growth reaches. */
	assert_int_equal(sql_int(&env, "SELECT count(*) FROM member m WHERE m.tier <>"
				       " (SELECT level FROM tier WHERE threshold <= m.growth"
				       " ORDER BY level DESC LIMIT 1)"),
			 0);
	/* The two members the docs name. */
	assert_int_equal(cp_member_find_by_phone(env.db, "13800138000", &v, &err), CP_OK);
	assert_string_equal(v.id, "M000001");
	assert_int_equal(v.tier_level, 2);
	assert_string_equal(v.tier_name, "金卡");
	assert_int_equal(cp_member_find_by_phone(env.db, "13900139000", &v, &err), CP_OK);
	assert_string_equal(v.id, "M000002");
	assert_int_equal(v.tier_level, 0);
	assert_int_equal(v.points, 3050);
	test_env_close(&env);
}

static void test_staff_log_in(void **state)
{
	static const struct {
		const char *code, *pin;
		enum cp_role role;
	} staff[] = {
		{"1001", "1111", CP_ROLE_CASHIER}, {"1002", "2222", CP_ROLE_CASHIER},
		{"1003", "3333", CP_ROLE_CASHIER}, {"2001", "4444", CP_ROLE_GUIDE},
		{"2002", "5555", CP_ROLE_GUIDE},   {"9001", "9999", CP_ROLE_MANAGER},
	};
	struct test_env env;
	struct cp_session s;
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	(void)state;
	seed(&env);
	for (size_t i = 0; i < sizeof(staff) / sizeof(staff[0]); i++) {
		rc = cp_staff_login(env.db, staff[i].code, staff[i].pin, &s, NULL, &err);
		if (rc != CP_OK)
			fail_msg("staff %s: %s", staff[i].code, cp_errmsg(&err, rc));
		assert_string_equal(s.code, staff[i].code);
		assert_int_equal(s.role, staff[i].role);
		assert_true(s.name[0] != '\0');
	}
	assert_int_equal(cp_staff_login(env.db, "1001", "2222", &s, NULL, &err), CP_EAUTH);
	test_env_close(&env);
}

static void test_rules_and_tiers(void **state)
{
	struct test_env env;
	struct cp_earn_rules r;
	struct cp_tier t;
	struct cp_errbuf err = {{0}};

	(void)state;
	seed(&env);
	assert_int_equal(cp_earn_rules_load(env.db, &r, &err), CP_OK);
	assert_int_equal(r.points_per_yuan_bp, 10000);
	assert_int_equal(r.member_day_kind, CP_MEMBER_DAY_WEEKDAY);
	assert_int_equal(r.member_day_value, 3);
	assert_false(r.combine_product);
	assert_int_equal(r.referral_points, 200);
	assert_int_equal(cp_tier_for_growth(env.db, 50000, &t, &err), CP_OK);
	assert_string_equal(t.name, "钻石");
	assert_int_equal(t.multiplier_bp, 20000);
	test_env_close(&env);
}

#define STATE_SQL                                                                                  \
	"SELECT (SELECT count(*) FROM item) * 1000000000 + (SELECT count(*) FROM member) * 1000"   \
	" + (SELECT count(*) FROM staff) * 100 + (SELECT count(*) FROM tier) * 10"                 \
	" + (SELECT count(*) FROM earn_rule)"

static void test_seed_twice_refused(void **state)
{
	struct test_env env;
	struct cp_errbuf err = {{0}};
	int64_t before;

	(void)state;
	seed(&env);
	sql_exec(&env, "UPDATE member SET points = 4242 WHERE id = 'M000001'");
	before = sql_int(&env, STATE_SQL);
	assert_int_equal(cp_demo_seed(env.db, &err), CP_EEXIST);
	assert_non_null(strstr(err.msg, "already holds a store"));
	assert_int_equal(sql_int(&env, STATE_SQL), before);
	assert_int_equal(sql_int(&env, "SELECT points FROM member WHERE id = 'M000001'"), 4242);
	test_env_close(&env);

	/* A database with the small test store is refused the same way. */
	test_env_open(&env, "demo", true);
	before = sql_int(&env, STATE_SQL);
	assert_int_equal(cp_demo_seed(env.db, &err), CP_EEXIST);
	assert_int_equal(sql_int(&env, STATE_SQL), before);
	test_env_close(&env);
}

static void test_failure_midway_changes_nothing(void **state)
{
	struct test_env env;
	struct cp_item it;
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	(void)state;
	test_env_open(&env, "demo", false);
	/* A tier already holding 银卡's threshold makes the seed fail after the categories and
	 * items went in. */
	sql_exec(&env, "INSERT INTO tier(level, name, threshold, multiplier_bp)"
		       " VALUES(7, 'x', 2000, 10000)");
	rc = cp_demo_seed(env.db, &err);
	assert_int_equal(rc, CP_ECORRUPT);
	assert_non_null(strstr(err.msg, "tiers[1]"));
	assert_int_equal(sql_int(&env, "SELECT count(*) FROM item"), 0);
	assert_int_equal(sql_int(&env, "SELECT count(*) FROM category"), 0);
	assert_int_equal(sql_int(&env, "SELECT count(*) FROM tier"), 1);
	assert_int_equal(sql_int(&env, "SELECT count(*) FROM meta WHERE key = 'store_name'"), 0);
	/* Rolled back, not left open: the till's own connection does not see the items either. */
	assert_int_equal(cp_catalog_find(env.db, "10001", &it, &err), CP_ENOTFOUND);
	/* Once the obstacle is gone the seed goes through. */
	sql_exec(&env, "DELETE FROM tier");
	rc = cp_demo_seed(env.db, &err);
	if (rc != CP_OK)
		fail_msg("cp_demo_seed: %s", cp_errmsg(&err, rc));
	assert_int_equal(sql_int(&env, "SELECT count(*) FROM member"), 1000);
	test_env_close(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_barcodes_scan),
		cmocka_unit_test(test_members_in_every_tier),
		cmocka_unit_test(test_staff_log_in),
		cmocka_unit_test(test_rules_and_tiers),
		cmocka_unit_test(test_seed_twice_refused),
		cmocka_unit_test(test_failure_midway_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
