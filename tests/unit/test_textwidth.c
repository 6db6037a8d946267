/* test_textwidth.c — display columns of UTF-8 text (Chinese takes two), refusal of invalid
 * bytes and control characters, and fitting text to columns without halving a character. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "textwidth.h"

static void ascii_width(void **state)
{
	(void)state;
	assert_int_equal(cp_ui_text_width(""), 0);
	assert_int_equal(cp_ui_text_width("abc"), 3);
	assert_int_equal(cp_ui_text_width("Milk 1L x2 = 30.00"), 18);
}

static void chinese_width(void **state)
{
	(void)state;
	assert_int_equal(cp_ui_text_width("牛"), 2);
	assert_int_equal(cp_ui_text_width("牛奶"), 4);
	assert_int_equal(cp_ui_text_width("牛奶AB"), 6);
	assert_int_equal(cp_ui_text_width("金卡会员"), 8);
	assert_int_equal(cp_ui_text_width("￥１２"), 6);           /* full-width forms */
	assert_int_equal(cp_ui_text_width("¥12"), 3);              /* the yen sign is narrow */
	assert_int_equal(cp_ui_text_width("\xf0\xa0\x80\x80"), 2); /* U+20000, CJK Ext. B */
}

static void invalid_utf8(void **state)
{
	(void)state;
	assert_int_equal(cp_ui_text_width("\xff"), -1);
	assert_int_equal(cp_ui_text_width("ab\x80"), -1);   /* lone continuation */
	assert_int_equal(cp_ui_text_width("\xe7\x89"), -1); /* cut short */
	assert_int_equal(cp_ui_text_width("\xe7\x89"
					  "A"),
			 -1);                                       /* cut short, then ASCII */
	assert_int_equal(cp_ui_text_width("\xc0\xaf"), -1);         /* overlong '/' */
	assert_int_equal(cp_ui_text_width("\xe0\x80\xaf"), -1);     /* overlong */
	assert_int_equal(cp_ui_text_width("\xed\xa0\x80"), -1);     /* surrogate */
	assert_int_equal(cp_ui_text_width("\xf4\x90\x80\x80"), -1); /* past U+10FFFF */
}

static void control_chars(void **state)
{
	(void)state;
	assert_int_equal(cp_ui_text_width("a\tb"), -1);
	assert_int_equal(cp_ui_text_width("a\nb"), -1);
	assert_int_equal(cp_ui_text_width("\x1b[2J"), -1);
	assert_int_equal(cp_ui_text_width("\x7f"), -1);
	assert_int_equal(cp_ui_text_width("\xc2\x85"), -1); /* C1 NEL */
}

static void fit_never_halves(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(cp_ui_text_fit("牛奶AB", 3, 1, out, sizeof(out)), 3);
	assert_string_equal(out, "牛 ");
	assert_int_equal(cp_ui_text_fit("牛奶AB", 3, 0, out, sizeof(out)), 2);
	assert_string_equal(out, "牛");
	assert_int_equal(cp_ui_text_fit("牛奶AB", 1, 1, out, sizeof(out)), 1);
	assert_string_equal(out, " ");
	assert_int_equal(cp_ui_text_fit("牛奶AB", 4, 0, out, sizeof(out)), 4);
	assert_string_equal(out, "牛奶");
	assert_int_equal(cp_ui_text_fit("牛奶AB", 5, 0, out, sizeof(out)), 5);
	assert_string_equal(out, "牛奶A");
	assert_int_equal(cp_ui_text_fit("牛奶AB", 0, 1, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void fit_pads(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(cp_ui_text_fit("ab", 5, 1, out, sizeof(out)), 5);
	assert_string_equal(out, "ab   ");
	assert_int_equal(cp_ui_text_fit("ab", 5, 0, out, sizeof(out)), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(cp_ui_text_fit("牛奶AB", 10, 1, out, sizeof(out)), 10);
	assert_string_equal(out, "牛奶AB    ");
	assert_int_equal(cp_ui_text_width(out), 10);
	assert_int_equal(cp_ui_text_fit("", 3, 1, out, sizeof(out)), 3);
	assert_string_equal(out, "   ");
}

static void fit_respects_buffer(void **state)
{
	char out[5];

	(void)state;
	/* Room for one Chinese character (3 bytes) and the NUL, not two. */
	memset(out, 'X', sizeof(out));
	assert_int_equal(cp_ui_text_fit("牛奶", 10, 0, out, sizeof(out)), 2);
	assert_string_equal(out, "牛");
	assert_int_equal(cp_ui_text_fit("abcdef", 10, 1, out, sizeof(out)), 4);
	assert_string_equal(out, "abcd");
	assert_int_equal(cp_ui_text_fit("abc", 10, 1, out, 0), 0);
}

static void fit_replaces_bad_bytes(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(cp_ui_text_fit("a\xff"
					"b",
					5, 0, out, sizeof(out)),
			 3);
	assert_string_equal(out, "a?b");
	assert_int_equal(cp_ui_text_fit("a\x1b[2Jb", 10, 0, out, sizeof(out)), 6);
	assert_string_equal(out, "a?[2Jb");
	assert_int_equal(cp_ui_text_width(out), 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ascii_width),         cmocka_unit_test(chinese_width),
		cmocka_unit_test(invalid_utf8),        cmocka_unit_test(control_chars),
		cmocka_unit_test(fit_never_halves),    cmocka_unit_test(fit_pads),
		cmocka_unit_test(fit_respects_buffer), cmocka_unit_test(fit_replaces_bad_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
