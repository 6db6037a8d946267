/* test_paycode.c — a customer's payment code told by its shape: WeChat Pay 18 digits starting
 * 10-15, Alipay 16-24 digits starting 25-30, UnionPay QR 19 digits starting 62; the method and
 * the last four digits come back, everything else is not a payment code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "paycode.h"

/* prefix followed by digits up to len in all */
static const char *code(const char *prefix, size_t len)
{
	static char buf[64];
	size_t n = strlen(prefix);

	memcpy(buf, prefix, n);
	for (size_t i = n; i < len; i++)
		buf[i] = (char)('0' + (i * 7 + 3) % 10);
	buf[len] = '\0';
	return buf;
}

static void is(const char *text, enum cp_tender_method m)
{
	struct cp_paycode pc;
	size_t n = strlen(text);

	memset(&pc, '#', sizeof(pc));
	if (!cp_paycode_recognise(text, &pc))
		fail_msg("\"%s\" was not recognised", text);
	assert_int_equal(pc.method, m);
	assert_memory_equal(pc.last4, text + n - 4, 4);
	assert_int_equal(pc.last4[4], '\0');
}

static void is_not(const char *text)
{
	struct cp_paycode pc;

	memset(&pc, '#', sizeof(pc));
	if (cp_paycode_recognise(text, &pc))
		fail_msg("\"%s\" was taken for a payment code", text ? text : "(null)");
	for (size_t i = 0; i < sizeof(pc); i++)
		assert_int_equal(((unsigned char *)&pc)[i], '#');
}

static void test_wechat(void **state)
{
	(void)state;
	is("134567890123456789", CP_TENDER_WECHAT);
	for (int p = 10; p <= 15; p++) {
		char prefix[3];

		snprintf(prefix, sizeof(prefix), "%d", p);
		is(code(prefix, 18), CP_TENDER_WECHAT);
		is_not(code(prefix, 17));
		is_not(code(prefix, 19));
		is_not(code(prefix, 16));
		is_not(code(prefix, 24));
	}
	is_not(code("09", 18));
	is_not(code("16", 18));
}

static void test_alipay(void **state)
{
	(void)state;
	is("2812345678901234", CP_TENDER_ALIPAY);
	for (int p = 25; p <= 30; p++) {
		char prefix[3];

		snprintf(prefix, sizeof(prefix), "%d", p);
		for (size_t len = 16; len <= 24; len++)
			is(code(prefix, len), CP_TENDER_ALIPAY);
		is_not(code(prefix, 15));
		is_not(code(prefix, 25));
	}
	is_not(code("24", 18));
	is_not(code("31", 18));
	is_not(code("24", 16));
	is_not(code("31", 24));
}

static void test_unionpay(void **state)
{
	(void)state;
	is("6212345678901234567", CP_TENDER_UNIONPAY);
	is(code("62", 19), CP_TENDER_UNIONPAY);
	is_not(code("62", 18));
	is_not(code("62", 20));
	is_not(code("62", 16));
	is_not(code("61", 19));
	is_not(code("63", 19));
}

static void test_not_codes(void **state)
{
	(void)state;
	is_not(NULL);
	is_not("");
	is_not("1");
	is_not("6901234567892"); /* an EAN-13 */
	is_not("13812345678");   /* a phone number */
	is_not(code("13", 15));
	is_not(code("28", 60));
	is_not("13456789012345678 ");
	is_not(" 134567890123456789");
	is_not("13456789012345678a");
	is_not("1345678901-3456789");
	is_not("134567890123456789\n");
	is_not("S001-T01-000123");
	is_not("-134567890123456789");
	is_not("\xef\xbc");                      /* a cut full-width digit */
	is_not("13456789012345678\xef\xbc");     /* ... at the end of a code */
	is_not("13456789012345678\xef\xbc\x9a"); /* U+FF1A, not a digit */
	is_not("13456789012345678\xd9\xa9");     /* an Arabic-Indic nine */
}

/* A scanner set to full-width output (or an input method) gives U+FF10..FF19: read as digits. */
static void test_full_width(void **state)
{
	char fw[18 * 3 + 1];
	const char *ascii = "134567890123456789";
	struct cp_paycode pc;

	(void)state;
	for (int i = 0; i < 18; i++) {
		fw[i * 3] = '\xef';
		fw[i * 3 + 1] = '\xbc';
		fw[i * 3 + 2] = (char)(0x90 + (ascii[i] - '0'));
	}
	fw[18 * 3] = '\0';
	assert_true(cp_paycode_recognise(fw, &pc));
	assert_int_equal(pc.method, CP_TENDER_WECHAT);
	assert_string_equal(pc.last4, "6789");
	/* mixed forms are still digits */
	assert_true(cp_paycode_recognise("13456789012345\xef\xbc\x96"
					 "789",
					 &pc));
	assert_string_equal(pc.last4, "6789");
	/* the answer alone is wanted sometimes */
	assert_true(cp_paycode_recognise(ascii, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wechat),     cmocka_unit_test(test_alipay),
		cmocka_unit_test(test_unionpay),   cmocka_unit_test(test_not_codes),
		cmocka_unit_test(test_full_width),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
