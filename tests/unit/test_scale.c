/* test_scale.c — weighed items (散称): scale-label layouts as data (price and weight labels,
 * GS1 price/weight check digits embedded, layouts refused with a reason), a label's line in the
 * cart (its weight and price a kilogram, one line per label, no quantity keys), an unknown PLU,
 * a weighed line paid and refunded exactly, and UPC-A codes found by their EAN-13 form and the
 * other way round. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "barcode.h"
#include "cart.h"
#include "catalog.h"
#include "db.h"
#include "db_int.h"
#include "journal.h"
#include "refund.h"
#include "sale.h"
#include "scale.h"
#include "support.h"

static struct test_env env;
static struct cp_cart_view *cv;

static void ok(enum cp_err rc, const struct cp_errbuf *err, const char *what)
{
	if (rc != CP_OK)
		fail_msg("%s: %s", what, cp_errmsg(err, rc));
}

static int setup(void **state)
{
	(void)state;
	test_env_open(&env, "scale", true);
	/* apples by weight (PLU 10001, ¥12.80 a kg, members ¥10.80); a UPC-A tin and an
	 * EAN-13 form of another */
	assert_int_equal(
		sqlite3_exec(
			env.db->h,
			"INSERT INTO item(sku, barcode, name_zh, name_en, category, price,"
			" member_price) VALUES('10001', NULL, '苹果（散称）', 'Apples', 'FOOD',"
			" 1280, 1080), ('U1', '036000291452', '番茄罐头', 'Tomato tin', 'FOOD',"
			" 650, NULL), ('U2', '0012345678905', '豆子罐头', 'Bean tin', 'FOOD',"
			" 480, NULL)",
			NULL, NULL, NULL),
		SQLITE_OK);
	cv = malloc(sizeof(*cv));
	assert_non_null(cv);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	free(cv);
	return 0;
}

/* digits (12) + their EAN-13 check digit, into out (14). */
static const char *ean(const char *digits, char out[14])
{
	int sum = 0;

	for (int i = 0; i < 12; i++)
		sum += (digits[i] - '0') * (i % 2 ? 3 : 1);
	snprintf(out, 14, "%s%d", digits, (10 - sum % 10) % 10);
	assert_true(cp_code_check_digit_ok(out));
	return out;
}

static struct cp_cart_view *cart(void)
{
	struct cp_errbuf err = {{0}};

	ok(cp_cart_view(env.db, NULL, cv, &err), &err, "cart");
	return cv;
}

static void test_layouts_checked(void **state)
{
	static const char *const bad[] = {
		"20PPPPPTTTTT",   /* 12 characters */
		"20PPPPPTTTTTCC", /* 14 */
		"20PPPPPTTTTCT",  /* C not last */
		"PPPPPPTTTTTTC",  /* no prefix */
		"20PPPPPTTWWWC",  /* price and weight */
		"20PPPKPTTTTTC",  /* legal: K anywhere, over 5 T */
		"2PPPPPKTTTTTC",  /* legal: a prefix of one digit */
		"20PPPPPTTTTZC",  /* Z */
		"2xPPPPKKTTTTC",  /* two K */
		"20PPPPPPPTTTC",  /* 7 P */
	};
	struct cp_errbuf err = {{0}};

	(void)state;
	ok(cp_scale_layouts_check(CP_SCALE_DEFAULT_LAYOUTS, &err), &err, "defaults");
	ok(cp_scale_layouts_check("2xPPPPPKTTTTC  22PPPPKWWWWWC", &err), &err, "with K");
	ok(cp_scale_layouts_check("", &err), &err, "none");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum cp_err rc = cp_scale_layouts_check(bad[i], &err);

		if (i == 5 || i == 6) /* legal shapes after all */
			assert_int_equal(rc, CP_OK);
		else if (rc != CP_ECONFIG)
			fail_msg("layout %s was accepted", bad[i]);
	}
	assert_int_equal(cp_scale_layouts_check("20PPPPPTTTTTD", &err), CP_ECONFIG);
	assert_non_null(strstr(err.msg, "[scale] labels"));
}

static void test_price_and_weight_labels(void **state)
{
	struct cp_scale_label l;
	struct cp_errbuf err = {{0}};
	char code[14];

	(void)state;
	ok(cp_scale_parse(CP_SCALE_DEFAULT_LAYOUTS, ean("201000101234", code), &l, &err), &err,
	   "price");
	assert_string_equal(l.plu, "10001");
	assert_false(l.by_weight);
	assert_int_equal(l.value, 1234);
	ok(cp_scale_parse(CP_SCALE_DEFAULT_LAYOUTS, ean("211000100512", code), &l, &err), &err,
	   "weight");
	assert_true(l.by_weight);
	assert_int_equal(l.value, 512);
	/* an ordinary barcode is no label */
	assert_int_equal(cp_scale_parse(CP_SCALE_DEFAULT_LAYOUTS, "6901234567892", &l, &err),
			 CP_ENOTFOUND);
	/* a label of zero is refused */
	assert_int_equal(
		cp_scale_parse(CP_SCALE_DEFAULT_LAYOUTS, ean("211000100000", code), &l, &err),
		CP_EINVAL);
}

static void test_embedded_check_digits(void **state)
{
	struct cp_scale_label l;
	struct cp_errbuf err = {{0}};
	char code[14];

	(void)state;
	/* 4-digit price 1234: GS1 weights 2- 2- 3 5- give 2+4+9+8 = 23, x3 = 69: check 9 */
	ok(cp_scale_parse("2xPPPPPKTTTTC", ean("251000191234", code), &l, &err), &err, "K ok");
	assert_int_equal(l.value, 1234);
	assert_int_equal(cp_scale_parse("2xPPPPPKTTTTC", ean("251000181234", code), &l, &err),
			 CP_EINVAL);
	assert_non_null(strstr(err.msg, "wrong price check digit"));
	/* 5-digit weight 01234: weights 5+ 2- 5- 5+ 2- give 25; 5- of the check is 5: check 1 */
	ok(cp_scale_parse("22PPPPKWWWWWC", ean("221000101234", code), &l, &err), &err, "K5 ok");
	assert_true(l.by_weight);
	assert_string_equal(l.plu, "1000");
	assert_int_equal(l.value, 1234);
	assert_int_equal(cp_scale_parse("22PPPPKWWWWWC", ean("221000701234", code), &l, &err),
			 CP_EINVAL);
	assert_non_null(strstr(err.msg, "wrong weight check digit"));
	/* the label's own EAN-13 check digit is checked before any layout */
	{
		enum cp_code_kind kind;
		char clean[CP_CODE_MAX + 1];

		ean("211000100512", code);
		code[12] = code[12] == '9' ? '0' : (char)(code[12] + 1);
		assert_int_equal(cp_code_parse(code, clean, &kind, &err), CP_EINVAL);
		assert_int_equal(cp_cart_scan(env.db, &env.cashier, code, 1, NULL, &err),
				 CP_EINVAL);
	}
	assert_false(cart()->open);
}

static void test_label_lines_in_the_cart(void **state)
{
	struct cp_errbuf err = {{0}};
	char code[14];
	int line = 0;

	(void)state;
	/* by weight: 512 g at ¥12.80 a kg = ¥6.5536, ¥6.55 */
	ok(cp_cart_scan(env.db, &env.cashier, ean("211000100512", code), 1, &line, &err), &err,
	   "weight label");
	assert_int_equal(line, 1);
	cart();
	assert_true(cv->lines[0].weighed);
	assert_int_equal(cv->lines[0].weight_g, 512);
	assert_int_equal(cv->lines[0].per_kg, 1280);
	assert_int_equal(cv->lines[0].qty, 1);
	assert_int_equal(cv->lines[0].amount, 655);
	/* by price: ¥12.34 is what the label says; 964 g at ¥12.80 */
	ok(cp_cart_scan(env.db, &env.cashier, ean("201000101234", code), 1, &line, &err), &err,
	   "price label");
	assert_int_equal(line, 2);
	cart();
	assert_int_equal(cv->lines[1].amount, 1234);
	assert_int_equal(cv->lines[1].weight_g, 964);
	/* the same label again is another line */
	ok(cp_cart_scan(env.db, &env.cashier, ean("211000100512", code), 1, &line, &err), &err,
	   "again");
	assert_int_equal(line, 3);
	assert_int_equal(cart()->total, 655 + 1234 + 655);
	/* a member's price a kilogram: 512 g at ¥10.80 = ¥5.5296, ¥5.53; the price label stays */
	ok(cp_cart_set_member(env.db, &env.cashier, "M1", &err), &err, "member");
	assert_int_equal(cart()->lines[0].amount, 553);
	assert_int_equal(cv->lines[1].amount, 1234);
	/* quantity keys do not apply */
	assert_int_equal(cp_cart_set_qty(env.db, &env.cashier, 1, 2, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "weighed"));
	assert_int_equal(
		cp_cart_scan(env.db, &env.cashier, ean("211000100512", code), 3, NULL, &err),
		CP_EINVAL);
	assert_int_equal(cart()->nlines, 3);
	assert_int_equal(cv->lines[0].qty, 1);
	/* a PLU the catalogue does not have */
	assert_int_equal(
		cp_cart_scan(env.db, &env.cashier, ean("217777700512", code), 1, NULL, &err),
		CP_ENOTFOUND);
	assert_non_null(strstr(err.msg, "PLU 77777"));
	assert_int_equal(cart()->nlines, 3);
	/* removing a weighed line works as any other */
	ok(cp_cart_remove(env.db, &env.cashier, 3, &err), &err, "remove");
	assert_int_equal(cart()->nlines, 2);
}

static void test_weighed_sale_refunded_exactly(void **state)
{
	struct cp_tender t = {CP_TENDER_CASH, 10000};
	struct cp_sale_result s;
	struct cp_refund_result r;
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};
	int line = 1;
	struct cp_refund_req req = {.lines = &line, .nlines = 1};
	char code[14];

	(void)state;
	ok(cp_cart_scan(env.db, &env.cashier, ean("211000100777", code), 1, NULL, &err), &err,
	   "weight");
	ok(cp_cart_scan(env.db, &env.cashier, "A2", 1, NULL, &err), &err, "bread");
	ok(cp_sale_pay(env.db, &env.cashier, &t, 1, &s, &err), &err, "pay");
	/* 777 g at ¥12.80 = ¥9.9456: ¥9.95 */
	assert_int_equal(s.total, 995 + 1999);
	assert_int_equal(test_count(&env, "SELECT json_extract(payload, '$.lines[0].weight_g')"
					  " FROM journal WHERE type = 'sale'"),
			 777);
	req.receipt = s.receipt;
	ok(cp_refund(env.db, &env.manager, &req, &r, &err), &err, "refund");
	assert_int_equal(r.amount, 995);
	ok(cp_journal_verify(env.db, &rep, &err), &err, "verify");
}

static void test_upc_a_and_ean13_are_one_item(void **state)
{
	struct cp_item item;
	struct cp_errbuf err = {{0}};

	(void)state;
	ok(cp_catalog_find(env.db, "036000291452", &item, &err), &err, "UPC-A as stored");
	assert_string_equal(item.sku, "U1");
	ok(cp_catalog_find(env.db, "0036000291452", &item, &err), &err, "its EAN-13 form");
	assert_string_equal(item.sku, "U1");
	ok(cp_catalog_find(env.db, "0012345678905", &item, &err), &err, "EAN-13 as stored");
	assert_string_equal(item.sku, "U2");
	ok(cp_catalog_find(env.db, "012345678905", &item, &err), &err, "its UPC-A form");
	assert_string_equal(item.sku, "U2");
	/* both forms scanned add to one line */
	ok(cp_cart_scan(env.db, &env.cashier, "036000291452", 1, NULL, &err), &err, "scan A");
	ok(cp_cart_scan(env.db, &env.cashier, "0036000291452", 2, NULL, &err), &err, "scan E");
	assert_int_equal(cart()->nlines, 1);
	assert_int_equal(cv->lines[0].qty, 3);
	/* a 13-digit code not starting with 0 has no twin */
	assert_int_equal(cp_catalog_find(env.db, "1036000291459", &item, &err), CP_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layouts_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_price_and_weight_labels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_embedded_check_digits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_label_lines_in_the_cart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_weighed_sale_refunded_exactly, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_upc_a_and_ean13_are_one_item, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
