/* test_item_search.c — finding an item by part of its name (Chinese, English in any case) or by
 * its pinyin initials, paged; the initials computed from the built-in GB2312 table or taken from
 * HQ; bad queries refused; and the price check, which adds nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "hq.h"
#include "item_search.h"
#include "pinyin.h"
#include "support.h"

static void put(struct test_env *env, const char *sku, const char *zh, const char *en,
		const char *initials, int64_t price)
{
	struct cp_item it = {.price = price, .member_price = -1};
	struct cp_errbuf err = {{0}};

	snprintf(it.sku, sizeof(it.sku), "%s", sku);
	snprintf(it.name_zh, sizeof(it.name_zh), "%s", zh);
	snprintf(it.name_en, sizeof(it.name_en), "%s", en);
	snprintf(it.category, sizeof(it.category), "FOOD");
	snprintf(it.initials, sizeof(it.initials), "%s", initials);
	if (cp_catalog_put_item(env->db, &it, &err) != CP_OK)
		fail_msg("put %s: %s", sku, err.msg);
}

static int setup(void **state)
{
	static struct test_env env;

	test_env_open(&env, "item_search", true);
	put(&env, "K1", "可口可乐 330ml", "Coca-Cola 330ml", "", 350);
	put(&env, "K2", "可口可乐零度 500ml", "Coca-Cola Zero 500ml", "", 450);
	put(&env, "N1", "农夫山泉 550ml", "Nongfu Spring 550ml", "", 200);
	put(&env, "Y1", "怡宝纯净水", "C'estbon water", "", 180);
	put(&env, "H1", "鳕鱼片", "Cod fillet", "xyphq", 3900); /* HQ's initials kept */
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_close(*state);
	return 0;
}

static enum cp_err find(struct test_env *env, const char *q, int max, struct cp_item *out, int *n,
			bool *more, struct cp_errbuf *err)
{
	return cp_item_search(env->db, q, 0, max, out, n, more, err);
}

/* The skus of what q finds (up to 10), joined by spaces. */
static const char *skus(struct test_env *env, const char *q)
{
	static char buf[256];
	struct cp_item out[10];
	struct cp_errbuf err = {{0}};
	bool more = false;
	int n = -1;

	if (find(env, q, 10, out, &n, &more, &err) != CP_OK)
		fail_msg("search %s: %s", q, err.msg);
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		size_t l = strlen(buf);

		snprintf(buf + l, sizeof(buf) - l, "%s%.32s", i ? " " : "", out[i].sku);
	}
	return buf;
}

static void test_initials(void **state)
{
	char out[CP_PINYIN_SIZE];

	(void)state;
	assert_true(cp_pinyin_initials("可口可乐", out, sizeof(out)));
	assert_string_equal(out, "kkkl");
	assert_true(cp_pinyin_initials("农夫山泉 550ML", out, sizeof(out)));
	assert_string_equal(out, "nfsq550ml");
	/* a level-2 hanzi from the exception list, and one with no letter here (skipped) */
	assert_true(cp_pinyin_initials("怡宝", out, sizeof(out)));
	assert_string_equal(out, "yb");
	assert_true(cp_pinyin_initials("A·鼗B", out, sizeof(out)));
	assert_string_equal(out, "ab");
	/* the first and last hanzi of the level-1 block, and each letter's first hanzi */
	assert_int_equal(cp_pinyin_letter(0x554a /* 啊 */), 'a');
	assert_int_equal(cp_pinyin_letter(0x5ea7 /* 座 */), 'z');
	assert_true(cp_pinyin_initials("啊芭擦搭蛾发噶哈击喀垃妈拿哦啪期然撒塌挖昔压匝", out,
				       sizeof(out)));
	assert_string_equal(out, "abcdefghjklmnopqrstwxyz");
	/* cut at the buffer, and non-UTF-8 refused */
	assert_true(cp_pinyin_initials("可口可乐", out, 3));
	assert_string_equal(out, "kk");
	assert_false(cp_pinyin_initials("可\xff", out, sizeof(out)));
	assert_string_equal(out, "");
	assert_true(cp_pinyin_ok("kkkl330"));
	assert_false(cp_pinyin_ok("KKKL"));
	assert_false(cp_pinyin_ok("k k"));
}

static void test_substring_zh(void **state)
{
	struct test_env *env = *state;

	assert_string_equal(skus(env, "可乐"), "K1 K2");  /* short: a read of the catalogue */
	assert_string_equal(skus(env, "口可乐零"), "K2"); /* longer: the trigram index */
	assert_string_equal(skus(env, "纯净"), "Y1");
	assert_string_equal(skus(env, "  山泉 "), "N1"); /* spaces around are trimmed */
}

static void test_substring_en_any_case(void **state)
{
	struct test_env *env = *state;

	assert_string_equal(skus(env, "coca-cola"), "K1 K2");
	assert_string_equal(skus(env, "ZERO"), "K2");
	assert_string_equal(skus(env, "Sp"), "N1");
	assert_string_equal(skus(env, "c'est"), "Y1");
}

static void test_initials_search(void **state)
{
	struct test_env *env = *state;

	assert_string_equal(skus(env, "kkkl"), "K1 K2");
	assert_string_equal(skus(env, "KKKLLD"), "K2");
	assert_string_equal(skus(env, "nf"), "N1");
	assert_string_equal(skus(env, "ybcjs"), "Y1"); /* 怡 from the exception list */
	assert_string_equal(skus(env, "xyphq"), "H1"); /* as HQ sent them */
}

static void test_mixed(void **state)
{
	struct test_env *env = *state;

	assert_string_equal(skus(env, "乐 330"), "K1");
	assert_string_equal(skus(env, "kkkl330"), "K1");
	assert_string_equal(skus(env, "550"), "N1");
	assert_string_equal(skus(env, "500"), "K2");
}

static void test_no_match(void **state)
{
	struct test_env *env = *state;
	struct cp_item out[5];
	struct cp_errbuf err = {{0}};
	bool more = true;
	int n = -1;

	assert_int_equal(find(env, "雪碧", 5, out, &n, &more, &err), CP_OK);
	assert_int_equal(n, 0);
	assert_false(more);
	assert_int_equal(find(env, "zzzzzz", 5, out, &n, &more, &err), CP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(find(env, "\"", 5, out, &n, &more, &err), CP_OK);
	assert_int_equal(find(env, "a\"b\"c OR d*", 5, out, &n, &more, &err), CP_OK);
	assert_int_equal(n, 0);
}

static void test_paged(void **state)
{
	struct test_env *env = *state;
	struct cp_item out[CP_ITEM_SEARCH_MAX];
	struct cp_errbuf err = {{0}};
	bool more = false;
	int n = -1;

	assert_int_equal(find(env, "kkkl", 1, out, &n, &more, &err), CP_OK);
	assert_int_equal(n, 1);
	assert_true(more);
	assert_string_equal(out[0].sku, "K1");
	assert_int_equal(out[0].price, 350);
	assert_string_equal(out[0].initials, "kkkl330ml");
	assert_int_equal(cp_item_search(env->db, "kkkl", 1, 1, out, &n, &more, &err), CP_OK);
	assert_int_equal(n, 1);
	assert_false(more);
	assert_string_equal(out[0].sku, "K2");
	assert_int_equal(find(env, "kkkl", 0, out, &n, &more, &err), CP_EINVAL);
	assert_int_equal(find(env, "kkkl", CP_ITEM_SEARCH_MAX + 1, out, &n, &more, &err),
			 CP_EINVAL);
}

static void test_bad_queries(void **state)
{
	struct test_env *env = *state;
	struct cp_item out[5];
	struct cp_errbuf err = {{0}};
	char longq[CP_ITEM_QUERY_MAX + 2];
	bool more;
	int n;

	assert_int_equal(find(env, "", 5, out, &n, &more, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "type part of the item's name"));
	assert_int_equal(find(env, "   ", 5, out, &n, &more, &err), CP_EINVAL);
	assert_int_equal(find(env, NULL, 5, out, &n, &more, &err), CP_EINVAL);
	memset(longq, 'a', sizeof(longq) - 1);
	longq[sizeof(longq) - 1] = '\0';
	assert_int_equal(find(env, longq, 5, out, &n, &more, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "too long"));
	longq[CP_ITEM_QUERY_MAX] = '\0'; /* exactly the limit is fine */
	assert_int_equal(find(env, longq, 5, out, &n, &more, &err), CP_OK);
	assert_int_equal(find(env, "可\xff\xfe", 5, out, &n, &more, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "without control characters"));
	assert_int_equal(find(env, "ab\x01", 5, out, &n, &more, &err), CP_EINVAL);
}

/* A renamed item is found by its new name only; an inactive one not at all. */
static void test_index_follows_catalogue(void **state)
{
	struct test_env *env = *state;

	put(env, "R1", "雪碧 330ml", "Sprite 330ml", "", 300);
	assert_string_equal(skus(env, "雪碧 3"), "R1");
	put(env, "R1", "芬达 330ml", "Fanta 330ml", "", 300);
	assert_string_equal(skus(env, "雪碧 3"), "");
	assert_string_equal(skus(env, "雪碧"), ""); /* the short index follows too */
	assert_string_equal(skus(env, "芬达"), "R1");
	assert_string_equal(skus(env, "fanta"), "R1");
	assert_string_equal(skus(env, "fd330"), "R1");
	assert_int_equal(test_count(env, "UPDATE item SET active = 0 WHERE sku = 'R1' RETURNING 1"),
			 1);
	assert_string_equal(skus(env, "fanta"), "");
	assert_string_equal(skus(env, "fd"), "");
}

/* HQ's item record may carry the initials; without them the till computes its own; bad ones
 * refuse the page. */
static void test_initials_from_hq(void **state)
{
	struct test_env *env = *state;
	struct cp_errbuf err = {{0}};
	bool more;
	const char *page =
		"{\"changes\":[{\"kind\":\"item\",\"op\":\"upsert\",\"data\":{\"sku\":\"Q1\","
		"\"barcode\":null,\"name_zh\":\"重庆小面\",\"name_en\":\"Noodles\","
		"\"category\":\"FOOD\",\"price\":1200,\"member_price\":null,\"active\":true,"
		"\"initials\":\"cqxm\"}},{\"kind\":\"item\",\"op\":\"upsert\",\"data\":{"
		"\"sku\":\"Q2\",\"barcode\":null,\"name_zh\":\"重庆火锅底料\",\"name_en\":"
		"\"Hotpot base\",\"category\":\"FOOD\",\"price\":1500,\"member_price\":null,"
		"\"active\":true}}],\"notices\":[],\"next\":\"5\",\"more\":false,\"applied\":0}";
	const char *bad =
		"{\"changes\":[{\"kind\":\"item\",\"op\":\"upsert\",\"data\":{\"sku\":\"Q3\","
		"\"barcode\":null,\"name_zh\":\"面\",\"name_en\":\"N\",\"category\":\"FOOD\","
		"\"price\":1,\"member_price\":null,\"active\":true,\"initials\":\"M!\"}}],"
		"\"notices\":[],\"next\":\"6\",\"more\":false,\"applied\":0}";

	assert_int_equal(cp_hq_apply_changes(env->db, page, strlen(page), &more, &err), CP_OK);
	assert_string_equal(skus(env, "cqxm"), "Q1"); /* HQ's reading of 重 */
	assert_string_equal(skus(env, "zqhg"), "Q2"); /* the table's (GB2312 sorts 重 as zhong) */
	assert_int_not_equal(cp_hq_apply_changes(env->db, bad, strlen(bad), &more, &err), CP_OK);
	assert_int_equal(test_count(env, "SELECT count(*) FROM item WHERE sku = 'Q3'"), 0);
}

static void test_price_check_adds_nothing(void **state)
{
	struct test_env *env = *state;
	struct cp_member_view m;
	struct cp_price_check pc;
	struct cp_errbuf err = {{0}};
	int64_t journal = test_count(env, "SELECT count(*) FROM journal");

	assert_int_equal(cp_item_price_check(env->db, "6901234567892", NULL, &pc, &err), CP_OK);
	assert_string_equal(pc.item.sku, "A1");
	assert_int_equal(pc.item.price, 3000);
	assert_int_equal(pc.item.member_price, 2800);
	assert_false(pc.has_member);
	assert_int_equal(cp_member_get(env->db, "M1", &m, &err), CP_OK);
	assert_int_equal(cp_item_price_check(env->db, "A1", &m, &pc, &err), CP_OK);
	assert_true(pc.has_member);
	assert_int_equal(pc.member_pays, 2800);
	assert_string_equal(pc.member_masked, "138****0001");
	/* no member price: the member pays the price */
	assert_int_equal(cp_item_price_check(env->db, "96385074", &m, &pc, &err), CP_OK);
	assert_int_equal(pc.member_pays, 1999);
	assert_int_equal(cp_item_price_check(env->db, "6901234567890", NULL, &pc, &err),
			 CP_EINVAL); /* bad check digit */
	assert_int_equal(cp_item_price_check(env->db, "NOPE", NULL, &pc, &err), CP_ENOTFOUND);
	assert_int_equal(test_count(env, "SELECT count(*) FROM cart_line"), 0);
	assert_int_equal(test_count(env, "SELECT count(*) FROM cart"), 0);
	assert_int_equal(test_count(env, "SELECT count(*) FROM journal"), journal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initials),
		cmocka_unit_test(test_substring_zh),
		cmocka_unit_test(test_substring_en_any_case),
		cmocka_unit_test(test_initials_search),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_no_match),
		cmocka_unit_test(test_paged),
		cmocka_unit_test(test_bad_queries),
		cmocka_unit_test(test_index_follows_catalogue),
		cmocka_unit_test(test_initials_from_hq),
		cmocka_unit_test(test_price_check_adds_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
