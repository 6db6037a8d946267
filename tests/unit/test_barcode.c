/* test_barcode.c — scanner and keyboard input in the item field: prefixes and suffixes
 * stripped, full-width folded, EAN-13 / EAN-8 / UPC-A check digits verified, SKUs taken as
 * given, and everything else refused with the field left untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "barcode.h"
#include "text.h"

static void reads(const char *text, const char *want, enum cp_code_kind want_kind)
{
	char out[CP_CODE_MAX + 1];
	enum cp_code_kind kind = (enum cp_code_kind)99;
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_code_parse(text, out, &kind, &err);

	if (rc != CP_OK)
		fail_msg("\"%s\" was refused: %s", text, err.msg);
	assert_string_equal(out, want);
	assert_int_equal(kind, want_kind);
	assert_int_equal(err.msg[0], '\0');
}

/* Refused, out and kind untouched, a message that is sound text; returns it. */
static const char *refuses(const char *text)
{
	static struct cp_errbuf err;
	char out[CP_CODE_MAX + 1];
	enum cp_code_kind kind = (enum cp_code_kind)99;

	memset(&err, 0, sizeof(err));
	memset(out, '#', sizeof(out));
	if (cp_code_parse(text, out, &kind, &err) != CP_EINVAL)
		fail_msg("\"%s\" was not refused", text ? text : "(null)");
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], '#');
	assert_int_equal(kind, 99);
	assert_true(err.msg[0] != '\0');
	assert_true(cp_text_ok(err.msg, sizeof(err.msg)));
	return err.msg;
}

static void check_digits(void **state)
{
	(void)state;
	assert_true(cp_code_check_digit_ok("6901234567892"));
	assert_false(cp_code_check_digit_ok("6901234567890"));
	assert_true(cp_code_check_digit_ok("4006381333931"));
	assert_true(cp_code_check_digit_ok("96385074"));
	assert_false(cp_code_check_digit_ok("96385075"));
	assert_true(cp_code_check_digit_ok("036000291452"));
	assert_false(cp_code_check_digit_ok("036000291453"));
	assert_true(cp_code_check_digit_ok("0000000000000"));
	assert_false(cp_code_check_digit_ok("690123456789"));   /* 12 digits, wrong as UPC-A */
	assert_false(cp_code_check_digit_ok("69012345678920")); /* 14 */
	assert_false(cp_code_check_digit_ok("1234567"));
	assert_false(cp_code_check_digit_ok("690123456789X"));
	assert_false(cp_code_check_digit_ok(""));
	assert_false(cp_code_check_digit_ok(NULL));
}

static void reads_barcodes(void **state)
{
	(void)state;
	reads("6901234567892", "6901234567892", CP_CODE_EAN13);
	reads("96385074", "96385074", CP_CODE_EAN8);
	reads("036000291452", "036000291452", CP_CODE_UPCA);
	reads("]E06901234567892\r\n", "6901234567892", CP_CODE_EAN13);
	reads("]E06901234567892\r", "6901234567892", CP_CODE_EAN13);
	reads("]E06901234567892\t", "6901234567892", CP_CODE_EAN13);
	reads("]E496385074\n", "96385074", CP_CODE_EAN8);
	reads("  6901234567892  ", "6901234567892", CP_CODE_EAN13);
	reads("\r\n6901234567892", "6901234567892", CP_CODE_EAN13);
	reads("\u30006901234567892\u3000", "6901234567892", CP_CODE_EAN13);
	reads("\uff16\uff19\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff12",
	      "6901234567892", CP_CODE_EAN13); /* full-width */
}

static void reads_skus_as_given(void **state)
{
	(void)state;
	reads("A1", "A1", CP_CODE_SKU);
	reads("G19990", "G19990", CP_CODE_SKU);
	reads("abc-DEF_1.2", "abc-DEF_1.2", CP_CODE_SKU);
	reads("]C1ABC-123\r\n", "ABC-123", CP_CODE_SKU);
	reads(" A1\t", "A1", CP_CODE_SKU);
	reads("\uff21\uff11", "A1", CP_CODE_SKU); /* Ａ１ */
	reads("7", "7", CP_CODE_SKU);
	reads("12345", "12345", CP_CODE_SKU);
	reads("1234567", "1234567", CP_CODE_SKU);
	reads("1234567890", "1234567890", CP_CODE_SKU);
	reads("12345678901234", "12345678901234", CP_CODE_SKU); /* 14 digits: not checked */
	reads("12345678901234567890123456789012", "12345678901234567890123456789012", CP_CODE_SKU);
	reads("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef", CP_CODE_SKU);
	reads("6901234567892A", "6901234567892A", CP_CODE_SKU);
}

static void refuses_bad_check_digits(void **state)
{
	(void)state;
	assert_string_equal(
		refuses("6901234567890"),
		"barcode 6901234567890 has a wrong check digit; scan it again or type the SKU");
	assert_non_null(strstr(refuses("]E06901234567890\r\n"), "6901234567890"));
	assert_non_null(strstr(refuses("036000291453"), "wrong check digit"));
	assert_non_null(strstr(refuses("96385075"), "wrong check digit"));
}

static void refuses_empty_long_and_odd(void **state)
{
	char *big = malloc(10001);

	(void)state;
	assert_non_null(strstr(refuses(""), "empty"));
	assert_non_null(strstr(refuses("   "), "empty"));
	assert_non_null(strstr(refuses("\r\n"), "empty"));
	assert_non_null(strstr(refuses("]E0\r\n"), "empty"));
	assert_non_null(strstr(refuses("123456789012345678901234567890123"), "33 characters"));
	assert_non_null(big);
	memset(big, 'A', 10000);
	big[10000] = '\0';
	assert_non_null(strstr(refuses(big), "too long"));
	memset(big, 'A', 200);
	big[200] = '\0';
	assert_non_null(strstr(refuses(big), "200 characters"));
	free(big);
	assert_non_null(strstr(refuses("A\x01"
				       "B"),
			       "control character"));
	assert_non_null(strstr(refuses("A\tB"), "control character"));
	assert_non_null(strstr(refuses("A\r\nB"), "control character"));
	assert_non_null(strstr(refuses("A\x7f"), "control character"));
	assert_non_null(strstr(refuses("\xff"), "UTF-8"));
	assert_non_null(strstr(refuses("69\xc0\x80"), "UTF-8"));
	assert_non_null(strstr(refuses("\x80"
				       "123"),
			       "UTF-8"));
	assert_non_null(strstr(refuses("12\xe4\xb8"), "UTF-8"));
	assert_non_null(strstr(refuses("\xed\xa0\x80"), "UTF-8"));
	assert_non_null(strstr(refuses("A B"), "' '"));
	assert_non_null(strstr(refuses("ABC#1"), "'#'"));
	refuses("A/B");
	refuses("]E");
	refuses("]");
	refuses("\u82f9\u679c"); /* 苹果 */
	refuses("A1\u00a5");
	refuses(NULL);
}

static void leaves_err_alone_on_success(void **state)
{
	struct cp_errbuf err;
	char out[CP_CODE_MAX + 1];
	enum cp_code_kind kind;

	(void)state;
	memset(err.msg, 'x', sizeof(err.msg));
	assert_int_equal(cp_code_parse("A1", out, &kind, &err), CP_OK);
	assert_int_equal(err.msg[0], 'x');
	assert_int_equal(cp_code_parse("", out, &kind, NULL), CP_EINVAL);
	assert_string_equal(out, "A1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(check_digits),
		cmocka_unit_test(reads_barcodes),
		cmocka_unit_test(reads_skus_as_given),
		cmocka_unit_test(refuses_bad_check_digits),
		cmocka_unit_test(refuses_empty_long_and_odd),
		cmocka_unit_test(leaves_err_alone_on_success),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
