/* test_text.c — the UTF-8 checker (every way bytes can be malformed), the control-character
 * rule, the full-width fold and the excerpt that messages may echo. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

static void accepts_sound_text(void **state)
{
	(void)state;
	assert_true(cp_text_ok("", 0));
	assert_true(cp_text_ok("abc", 3));
	assert_true(cp_text_ok("\u4e2d\u6587", 64));     /* 中文 */
	assert_true(cp_text_ok("\u00a512.30", 64));      /* ¥12.30 */
	assert_true(cp_text_ok("\xc2\xa0", 64));         /* U+00A0, first after C1 */
	assert_true(cp_text_ok("\xe0\xa0\x80", 64));     /* U+0800, smallest 3-byte */
	assert_true(cp_text_ok("\xed\x9f\xbf", 64));     /* U+D7FF, just below surrogates */
	assert_true(cp_text_ok("\xee\x80\x80", 64));     /* U+E000, just above surrogates */
	assert_true(cp_text_ok("\xef\xbf\xbf", 64));     /* U+FFFF */
	assert_true(cp_text_ok("\xf0\x90\x80\x80", 64)); /* U+10000, smallest 4-byte */
	assert_true(cp_text_ok("\xf0\x9f\x98\x80", 64)); /* an emoji */
	assert_true(cp_text_ok("\xf4\x8f\xbf\xbf", 64)); /* U+10FFFF, the last */
	assert_true(cp_text_ok("~ !", 64));
}

static void refuses_bad_utf8(void **state)
{
	static const char *const bad[] = {
		"\xff",
		"\xfe",
		"\xc0\x80",         /* overlong NUL */
		"\xc1\xbf",         /* overlong '?' */
		"\xe0\x80\xaf",     /* overlong '/' in 3 bytes */
		"\xe0\x9f\xbf",     /* overlong U+07FF */
		"\xf0\x80\x80\xaf", /* overlong '/' in 4 bytes */
		"\xf0\x8f\xbf\xbf", /* overlong U+FFFF */
		"\x80",             /* lone continuation */
		"a\xbf"
		"b",        /* continuation in the middle */
		"\xe4\xb8", /* truncated 3-byte */
		"a\xe4\xb8"
		"b",                /* truncated, then ASCII */
		"\xe4",             /* lead byte at the end */
		"\xf0\x9f\x98",     /* truncated 4-byte */
		"\xed\xa0\x80",     /* surrogate U+D800 */
		"\xed\xbf\xbf",     /* surrogate U+DFFF */
		"\xf4\x90\x80\x80", /* U+110000 */
		"\xf5\x80\x80\x80", /* lead byte beyond U+10FFFF */
		"\xf8\x88\x80\x80\x80",
		"\xc2\x41", /* lead followed by ASCII */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cp_errbuf err = {{0}};

		assert_false(cp_text_ok(bad[i], 64));
		assert_int_equal(cp_text_check(bad[i], 64, "the name", &err), CP_EINVAL);
		assert_non_null(strstr(err.msg, "UTF-8"));
		assert_true(cp_text_ok(err.msg, sizeof(err.msg))); /* the bytes are not echoed */
	}
}

static void refuses_control_characters(void **state)
{
	static const char *const bad[] = {
		"\t",       "a\tb",     "\r",   "12\r\n", "\n",
		"\x01",     "\x1b[31m", "\x1f", "\x7f", /* DEL */
		"\xc2\x80",                             /* C1 start */
		"\xc2\x85",                             /* NEL */
		"\xc2\x9f",                             /* C1 end */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cp_errbuf err = {{0}};

		assert_false(cp_text_ok(bad[i], 64));
		assert_int_equal(cp_text_check(bad[i], 64, "the name", &err), CP_EINVAL);
		assert_non_null(strstr(err.msg, "control character"));
		assert_non_null(strstr(err.msg, "the name"));
		assert_true(cp_text_ok(err.msg, sizeof(err.msg)));
	}
}

static void length_is_bounded_in_bytes(void **state)
{
	struct cp_errbuf err = {{0}};
	char *big = malloc(10001);

	(void)state;
	assert_non_null(big);
	memset(big, 'a', 10000);
	big[10000] = '\0';
	assert_true(cp_text_ok("abcd", 4));
	assert_false(cp_text_ok("abcd", 3));
	assert_false(cp_text_ok("\u4e2d", 2)); /* 3 bytes */
	assert_true(cp_text_ok("abcd", SIZE_MAX));
	assert_false(cp_text_ok(big, 40));
	assert_true(cp_text_ok(big, 10000));
	assert_int_equal(cp_text_check(big, 40, "the line", &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "too long"));
	assert_non_null(strstr(err.msg, "10000"));
	assert_false(cp_text_ok(NULL, 40));
	memset(&err, 0, sizeof(err));
	assert_int_equal(cp_text_check(NULL, 40, "the line", &err), CP_EINVAL);
	assert_true(err.msg[0] != '\0');
	free(big);
}

static void check_leaves_err_alone_on_success(void **state)
{
	struct cp_errbuf err;

	(void)state;
	memset(err.msg, 'x', sizeof(err.msg));
	assert_int_equal(cp_text_check("fine", 40, "the name", &err), CP_OK);
	assert_int_equal(err.msg[0], 'x');
	assert_int_equal(cp_text_check("fine", 40, "the name", NULL), CP_OK);
	assert_int_equal(cp_text_check("\xff", 40, "the name", NULL), CP_EINVAL);
}

static void fold_maps_every_full_width_form(void **state)
{
	uint32_t cp;

	(void)state;
	for (cp = 0xff01; cp <= 0xff5e; cp++) {
		char in[4], out[2];
		struct cp_errbuf err = {{0}};

		in[0] = (char)(0xe0 | (cp >> 12));
		in[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		in[2] = (char)(0x80 | (cp & 0x3f));
		in[3] = '\0';
		assert_int_equal(cp_text_fold_ascii(in, out, sizeof(out), &err), CP_OK);
		assert_int_equal((unsigned char)out[0], cp - 0xff01 + 0x21);
		assert_int_equal(out[1], '\0');
	}
}

static void fold_examples(void **state)
{
	char out[64];
	struct cp_errbuf err = {{0}};

	(void)state;
	assert_int_equal(
		cp_text_fold_ascii("\uff21\uff22\uff23\uff11\uff12\uff13", out, sizeof(out), &err),
		CP_OK);
	assert_string_equal(out, "ABC123");
	assert_int_equal(cp_text_fold_ascii("\uff01\uff5e", out, sizeof(out), &err), CP_OK);
	assert_string_equal(out, "!~");
	assert_int_equal(cp_text_fold_ascii("\u3000a\u3000", out, sizeof(out), &err), CP_OK);
	assert_string_equal(out, " a ");
	assert_int_equal(cp_text_fold_ascii("plain ASCII 1.5", out, sizeof(out), &err), CP_OK);
	assert_string_equal(out, "plain ASCII 1.5");
	assert_int_equal(cp_text_fold_ascii("", out, sizeof(out), &err), CP_OK);
	assert_string_equal(out, "");
	/* Exactly fits: three characters, nine bytes in, into four bytes out. */
	assert_int_equal(cp_text_fold_ascii("\uff11\uff12\uff13", out, 4, &err), CP_OK);
	assert_string_equal(out, "123");
}

static void fold_refuses_and_leaves_out_alone(void **state)
{
	static const char *const bad[] = {
		"\u4e2d",       /* 中 */
		"\u00a5",       /* ¥ is not a full-width form */
		"\uffe5",       /* ￥ neither */
		"\xef\xbd\x9f", /* U+FF5F, just past the range */
		"\xef\xbc\x80", /* U+FF00, just before it */
		"\u3001",       /* 、 */
		"a\tb",         "\x7f",     "\xc2\x80",  "\xff", "\xc0\x80",
		"\xed\xa0\x80", "\xe4\xb8", "abc\u202e", /* right-to-left override */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char out[16];
		struct cp_errbuf err = {{0}};

		memset(out, '#', sizeof(out));
		assert_int_equal(cp_text_fold_ascii(bad[i], out, sizeof(out), &err), CP_EINVAL);
		assert_true(err.msg[0] != '\0');
		assert_true(cp_text_ok(err.msg, sizeof(err.msg)));
		assert_int_equal(out[0], '#');
		assert_int_equal(out[15], '#');
	}
}

static void fold_refuses_what_does_not_fit(void **state)
{
	char out[8];
	struct cp_errbuf err = {{0}};

	(void)state;
	memset(out, '#', sizeof(out));
	assert_int_equal(cp_text_fold_ascii("abc", out, 3, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "too long"));
	assert_int_equal(out[0], '#');
	memset(&err, 0, sizeof(err));
	assert_int_equal(cp_text_fold_ascii("abc", out, 0, &err), CP_EINVAL);
	assert_true(err.msg[0] != '\0');
	assert_int_equal(cp_text_fold_ascii(NULL, out, sizeof(out), NULL), CP_EINVAL);
	assert_int_equal(out[0], '#');
}

static void excerpt_shows_short_sound_text(void **state)
{
	char out[CP_TEXT_EXCERPT_SIZE];

	(void)state;
	assert_true(cp_text_excerpt("12.345", out));
	assert_string_equal(out, "12.345");
	assert_true(cp_text_excerpt("", out));
	assert_string_equal(out, "");
	assert_true(cp_text_excerpt("0123456789012345678901234567890123456789", out));
	assert_string_equal(out, "0123456789012345678901234567890123456789");
}

static void excerpt_cuts_long_text_on_a_character_boundary(void **state)
{
	char out[CP_TEXT_EXCERPT_SIZE], in[64];
	size_t i;

	(void)state;
	memset(in, 'a', 41);
	in[41] = '\0';
	assert_true(cp_text_excerpt(in, out));
	assert_int_equal(strlen(out), 43);
	assert_string_equal(out + 40, "...");
	/* 14 x 中 is 42 bytes: 13 fit in 40 (39 bytes), the 14th would be split. */
	for (i = 0; i < 14; i++)
		memcpy(in + 3 * i, "\u4e2d", 3);
	in[42] = '\0';
	assert_true(cp_text_excerpt(in, out));
	assert_int_equal(strlen(out), 39 + 3);
	assert_true(cp_text_ok(out, sizeof(out)));
	assert_string_equal(out + 39, "...");
}

static void excerpt_refuses_what_must_not_be_echoed(void **state)
{
	static const char *const bad[] = {
		"\xff", "a\xc0\x80", "a\x1b[2J", "12\r\n", "\xc2\x85", "abc\u202e", "a\u2028b",
	};
	char out[CP_TEXT_EXCERPT_SIZE];
	char *big = malloc(10001);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(out, '#', sizeof(out));
		assert_false(cp_text_excerpt(bad[i], out));
		assert_string_equal(out, "");
	}
	assert_false(cp_text_excerpt(NULL, out));
	/* A long paste whose bad byte is far past the cut is still not shown. */
	assert_non_null(big);
	memset(big, 'a', 10000);
	big[9000] = '\x01';
	big[10000] = '\0';
	assert_false(cp_text_excerpt(big, out));
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_sound_text),
		cmocka_unit_test(refuses_bad_utf8),
		cmocka_unit_test(refuses_control_characters),
		cmocka_unit_test(length_is_bounded_in_bytes),
		cmocka_unit_test(check_leaves_err_alone_on_success),
		cmocka_unit_test(fold_maps_every_full_width_form),
		cmocka_unit_test(fold_examples),
		cmocka_unit_test(fold_refuses_and_leaves_out_alone),
		cmocka_unit_test(fold_refuses_what_does_not_fit),
		cmocka_unit_test(excerpt_shows_short_sound_text),
		cmocka_unit_test(excerpt_cuts_long_text_on_a_character_boundary),
		cmocka_unit_test(excerpt_refuses_what_must_not_be_echoed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
