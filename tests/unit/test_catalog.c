/* test_catalog.c — finding items by barcode and by SKU, what is not found, and the checks on
 * items and categories as they are stored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "catalog.h"
#include "db.h"
#include "money.h"
#include "rowmac_int.h"
#include "support.h"

/* Runs one statement on the test database through a connection of its own, as another
 * program (or HQ's sync) would. */
static void sql(struct test_env *env, const char *text)
{
	sqlite3 *h = NULL;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(env->path, &h), SQLITE_OK);
	/* as core's own connections do: the rows HQ feeds carry checksums (rowmac.c) */
	assert_int_equal(cp_rowmac_register(h, env->db), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	if (sqlite3_exec(h, text, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", text, msg);
	sqlite3_close(h);
}

/* The first column of the first row of a query, as text ("NULL" for a null). */
static void sql_text(struct test_env *env, const char *text, char *out, size_t outlen)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_open(env->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, text, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, outlen, "%s",
		 sqlite3_column_type(st, 0) == SQLITE_NULL
			 ? "NULL"
			 : (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
}

static struct cp_item item(const char *sku, const char *barcode, const char *category,
			   int64_t price, int64_t member_price)
{
	struct cp_item it;

	memset(&it, 0, sizeof(it));
	snprintf(it.sku, sizeof(it.sku), "%s", sku);
	snprintf(it.barcode, sizeof(it.barcode), "%s", barcode);
	snprintf(it.name_zh, sizeof(it.name_zh), "测试 %s", sku);
	snprintf(it.name_en, sizeof(it.name_en), "Test %s", sku);
	snprintf(it.category, sizeof(it.category), "%s", category);
	it.price = price;
	it.member_price = member_price;
	return it;
}

static void test_find_by_barcode(void **state)
{
	struct test_env env;
	struct cp_item it;
	struct cp_errbuf err = {{0}};

	(void)state;
	test_env_open(&env, "catalog", true);
	assert_int_equal(cp_catalog_find(env.db, "6901234567892", &it, &err), CP_OK);
	assert_string_equal(it.sku, "A1");
	assert_string_equal(it.barcode, "6901234567892");
	assert_string_equal(it.name_zh, "牛奶 Milk");
	assert_string_equal(it.category, "FOOD");
	assert_int_equal(it.price, 3000);
	assert_int_equal(it.member_price, 2800);
	assert_false(it.earn_excluded);
	assert_int_equal(cp_catalog_find(env.db, "96385074", &it, &err), CP_OK);
	assert_string_equal(it.sku, "A2");
	assert_int_equal(it.member_price, -1);
	test_env_close(&env);
}

static void test_find_by_sku(void **state)
{
	struct test_env env;
	struct cp_item it;
	struct cp_errbuf err = {{0}};

	(void)state;
	test_env_open(&env, "catalog", true);
	assert_int_equal(cp_catalog_find(env.db, "A1", &it, &err), CP_OK);
	assert_string_equal(it.barcode, "6901234567892");
	assert_int_equal(cp_catalog_find(env.db, "G19990", &it, &err), CP_OK);
	assert_int_equal(it.price, 19990);
	assert_string_equal(it.barcode, ""); /* none */
	test_env_close(&env);
}

static void test_barcode_before_sku(void **state)
{
	struct test_env env;
	struct cp_item it = item("ZZ9", "", "FOOD", 100, -1), other;
	struct cp_errbuf err = {{0}};

	(void)state;
	test_env_open(&env, "catalog", true);
	other = item("B7", "ZZ9", "FOOD", 700, -1);
	assert_int_equal(cp_catalog_put_item(env.db, &it, &err), CP_OK);
	assert_int_equal(cp_catalog_put_item(env.db, &other, &err), CP_OK);
	assert_int_equal(cp_catalog_find(env.db, "ZZ9", &it, &err), CP_OK);
	assert_string_equal(it.sku, "B7");
	test_env_close(&env);
}

static void test_unknown_code(void **state)
{
	struct test_env env;
	struct cp_item it;
	struct cp_errbuf err = {{0}};

	(void)state;
	test_env_open(&env, "catalog", true);
	assert_int_equal(cp_catalog_find(env.db, "X999", &it, &err), CP_ENOTFOUND);
	assert_string_equal(err.msg, "unknown code X999: not in the catalogue");
	/* Anything that is not plain printable ASCII is not echoed back. */
	memset(&err, 0, sizeof(err));
	assert_int_equal(cp_catalog_find(env.db, "X\x1b[2J", &it, &err), CP_ENOTFOUND);
	assert_null(strchr(err.msg, '\x1b'));
	assert_non_null(strstr(err.msg, "not in the catalogue"));
	memset(&err, 0, sizeof(err));
	assert_int_equal(cp_catalog_find(env.db, "牛奶", &it, &err), CP_ENOTFOUND);
	assert_null(strstr(err.msg, "牛奶"));
	assert_int_equal(cp_catalog_find(env.db, "", &it, &err), CP_EINVAL);
	test_env_close(&env);
}

static void test_inactive_not_found(void **state)
{
	struct test_env env;
	struct cp_item it;
	struct cp_errbuf err = {{0}};

	(void)state;
	test_env_open(&env, "catalog", true);
	sql(&env, "UPDATE item SET active = 0 WHERE sku = 'A1'");
	assert_int_equal(cp_catalog_find(env.db, "6901234567892", &it, &err), CP_ENOTFOUND);
	assert_int_equal(cp_catalog_find(env.db, "A1", &it, &err), CP_ENOTFOUND);
	assert_non_null(strstr(err.msg, "unknown code A1"));
	assert_int_equal(cp_catalog_find(env.db, "A2", &it, &err), CP_OK);
	test_env_close(&env);
}

static void expect_refused(struct test_env *env, const struct cp_item *it, const char *needle)
{
	struct cp_errbuf err = {{0}};

	assert_int_equal(cp_catalog_put_item(env->db, it, &err), CP_EINVAL);
	if (!strstr(err.msg, needle))
		fail_msg("message \"%s\" does not mention \"%s\"", err.msg, needle);
}

static void test_put_refusals(void **state)
{
	struct test_env env;
	struct cp_item it;
	struct cp_errbuf err = {{0}};
	char count[16];

	(void)state;
	test_env_open(&env, "catalog", true);
	it = item("N1", "", "FOOD", -1, -1);
	expect_refused(&env, &it, "price");
	it = item("N1", "", "FOOD", CP_MONEY_MAX + 1, -1);
	expect_refused(&env, &it, "price");
	it = item("N1", "", "FOOD", 100, -2);
	expect_refused(&env, &it, "member price");
	it = item("N1", "", "NOSUCH", 100, -1);
	expect_refused(&env, &it, "no category NOSUCH");
	it = item("N1", "", "FOOD", 100, -1);
	memcpy(it.name_zh, "\xe7\x89\xff", 4); /* broken UTF-8 */
	expect_refused(&env, &it, "UTF-8");
	it = item("N1", "", "FOOD", 100, -1);
	it.name_en[0] = '\0';
	expect_refused(&env, &it, "names");
	it = item("", "", "FOOD", 100, -1);
	expect_refused(&env, &it, "SKU");
	it = item("N 1", "", "FOOD", 100, -1);
	expect_refused(&env, &it, "SKU");
	it = item("N1", "6901234567892", "FOOD", 100, -1); /* A1's barcode */
	expect_refused(&env, &it, "already belongs to item A1");
	sql_text(&env, "SELECT count(*) FROM item WHERE sku = 'N1'", count, sizeof(count));
	assert_string_equal(count, "0");

	/* The limits themselves are accepted. */
	it = item("N1", "", "FOOD", CP_MONEY_MAX, 0);
	assert_int_equal(cp_catalog_put_item(env.db, &it, &err), CP_OK);

	assert_int_equal(cp_catalog_put_category(env.db, "BAD CODE", "坏", false, &err), CP_EINVAL);
	assert_int_equal(cp_catalog_put_category(env.db, "BAD", "", false, &err), CP_EINVAL);
	assert_int_equal(cp_catalog_put_category(env.db, "BAD", "a\tb", false, &err), CP_EINVAL);
	assert_int_equal(cp_catalog_put_category(env.db, "X123456789012345678901234567890123", "长",
						 false, &err),
			 CP_EINVAL);
	test_env_close(&env);
}

static void test_member_price_none_round_trip(void **state)
{
	struct test_env env;
	struct cp_item it = item("MP", "6901234567908", "FOOD", 1000, 900), got;
	struct cp_errbuf err = {{0}};
	char v[32];

	(void)state;
	test_env_open(&env, "catalog", true);
	assert_int_equal(cp_catalog_put_item(env.db, &it, &err), CP_OK);
	assert_int_equal(cp_catalog_find(env.db, "MP", &got, &err), CP_OK);
	assert_int_equal(got.member_price, 900);
	/* Replacing the item with no member price and no barcode stores NULLs. */
	it = item("MP", "", "FOOD", 1100, -1);
	assert_int_equal(cp_catalog_put_item(env.db, &it, &err), CP_OK);
	assert_int_equal(cp_catalog_find(env.db, "MP", &got, &err), CP_OK);
	assert_int_equal(got.member_price, -1);
	assert_int_equal(got.price, 1100);
	assert_string_equal(got.barcode, "");
	sql_text(&env, "SELECT member_price FROM item WHERE sku = 'MP'", v, sizeof(v));
	assert_string_equal(v, "NULL");
	sql_text(&env, "SELECT barcode FROM item WHERE sku = 'MP'", v, sizeof(v));
	assert_string_equal(v, "NULL");
	assert_int_equal(cp_catalog_find(env.db, "6901234567908", &got, &err), CP_ENOTFOUND);
	/* A member price of 0 (free for members) is a price, not "none". */
	it.member_price = 0;
	assert_int_equal(cp_catalog_put_item(env.db, &it, &err), CP_OK);
	assert_int_equal(cp_catalog_find(env.db, "MP", &got, &err), CP_OK);
	assert_int_equal(got.member_price, 0);
	test_env_close(&env);
}

static void test_earn_excluded_from_category(void **state)
{
	struct test_env env;
	struct cp_item it;
	struct cp_errbuf err = {{0}};

	(void)state;
	test_env_open(&env, "catalog", true);
	assert_int_equal(cp_catalog_find(env.db, "T1", &it, &err), CP_OK);
	assert_string_equal(it.category, "TOBACCO");
	assert_true(it.earn_excluded);
	assert_int_equal(cp_catalog_find(env.db, "G120", &it, &err), CP_OK);
	assert_false(it.earn_excluded);
	/* Changing the category changes every item in it. */
	assert_int_equal(cp_catalog_put_category(env.db, "FOOD", "食品", true, &err), CP_OK);
	assert_int_equal(cp_catalog_find(env.db, "G120", &it, &err), CP_OK);
	assert_true(it.earn_excluded);
	assert_int_equal(cp_catalog_put_category(env.db, "TOBACCO", "烟草", false, &err), CP_OK);
	assert_int_equal(cp_catalog_find(env.db, "T1", &it, &err), CP_OK);
	assert_false(it.earn_excluded);
	test_env_close(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_by_barcode),
		cmocka_unit_test(test_find_by_sku),
		cmocka_unit_test(test_barcode_before_sku),
		cmocka_unit_test(test_unknown_code),
		cmocka_unit_test(test_inactive_not_found),
		cmocka_unit_test(test_put_refusals),
		cmocka_unit_test(test_member_price_none_round_trip),
		cmocka_unit_test(test_earn_excluded_from_category),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
