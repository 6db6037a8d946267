/* test_errid.c — core's errors by id: cp_errf keeps its format string and each argument's
 * text; a template (the id or a translation, positional or not) is rendered with them; the UI
 * shows a core refusal in zh_CN entirely in Chinese, and falls back to the English detail when
 * a message has no translation or its text was written by other means. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "barcode.h"
#include "cp_error.h"
#include "i18n.h"
#include "phone.h"
#include "ui.h"

#define FMT_MANY "a %s b %d c %lld d %zu e %c f %x g %% h %.*s i %5s j %-3d|"

static void keeps_id_and_arguments(void **state)
{
	struct cp_errbuf err = {{0}};
	char out[512];

	(void)state;
	assert_int_equal(cp_errf(&err, CP_EINVAL, FMT_MANY, "x", -4, 1234567890123LL, (size_t)7,
				 'q', 255u, 3, "abcdef", "r", 9),
			 CP_EINVAL);
	assert_string_equal(err.msg,
			    "a x b -4 c 1234567890123 d 7 e q f ff g % h abc i     r j 9  |");
	assert_string_equal(err.id, FMT_MANY);
	assert_int_equal(err.nargs, 10); /* a '*' is an argument of its own */
	assert_string_equal(err.args[0], "x");
	assert_string_equal(err.args[1], "-4");
	assert_string_equal(err.args[2], "1234567890123");
	assert_string_equal(err.args[3], "7");
	assert_string_equal(err.args[4], "q");
	assert_string_equal(err.args[5], "ff");
	assert_string_equal(err.args[6], "3");
	assert_string_equal(err.args[7], "abc");
	assert_string_equal(err.args[8], "    r");
	assert_string_equal(err.args[9], "9  ");
	assert_true(cp_err_render(&err, err.id, out, sizeof(out)));
	assert_string_equal(out, err.msg);
	assert_true(cp_err_has_id(&err));
}

static void keeps_int64(void **state)
{
	struct cp_errbuf err = {{0}};

	(void)state;
	cp_errf(&err, CP_EOVERFLOW, "total %" PRId64 " fen", INT64_MIN);
	assert_string_equal(err.msg, "total -9223372036854775808 fen");
	assert_string_equal(err.args[0], "-9223372036854775808");
	assert_true(cp_err_has_id(&err));
}

static void renders_translations_in_any_order(void **state)
{
	struct cp_errbuf err = {{0}};
	char out[128];

	(void)state;
	cp_errf(&err, CP_EINVAL, "item %s costs %d", "milk", 12);
	assert_true(cp_err_render(&err, "%2$d yuan for %1$s", out, sizeof(out)));
	assert_string_equal(out, "12 yuan for milk");
	assert_true(cp_err_render(&err, "商品%s价格%d元", out, sizeof(out)));
	assert_string_equal(out, "商品milk价格12元");
	/* A template asking for an argument that was not given is refused, never read past. */
	assert_false(cp_err_render(&err, "%s %d %s", out, sizeof(out)));
	assert_false(cp_err_render(&err, "%3$s", out, sizeof(out)));
	assert_false(cp_err_render(&err, "%q", out, sizeof(out)));
	/* Cut like snprintf. */
	assert_true(cp_err_render(&err, "item %s costs %d", out, 8));
	assert_string_equal(out, "item mi");
	/* A '*' precision, positional in the translation. */
	cp_errf(&err, CP_EINVAL, "from %.*s on", 4, "2026-12-05");
	assert_string_equal(err.msg, "from 2026 on");
	assert_true(cp_err_render(&err, "%2$.*1$s起", out, sizeof(out)));
	assert_string_equal(out, "2026起");
}

static void text_written_otherwise_has_no_id(void **state)
{
	struct cp_errbuf err = {{0}};

	(void)state;
	assert_false(cp_err_has_id(&err));
	assert_false(cp_err_has_id(NULL));
	cp_errf(&err, CP_EINVAL, "item %s", "milk");
	assert_true(cp_err_has_id(&err));
	/* Someone appended to the text: the id no longer says it all. */
	strcat(err.msg, " (and more)");
	assert_false(cp_err_has_id(&err));
	err.msg[0] = '\0';
	assert_false(cp_err_has_id(&err));
	cp_errf(NULL, CP_EINVAL, "nothing %s", "kept");
}

/* The wrong check digit as core says it, in the zh_CN catalogue built next to the program. */
static void core_refusal_in_chinese(void **state)
{
	struct cp_errbuf err = {{0}};
	char code[CP_CODE_MAX + 1], phone[CP_PHONE_LEN + 1], buf[600];
	enum cp_code_kind kind;
	enum cp_err rc;
	const char *shown;

	(void)state;
	cp_ui_setup_locale("zh_CN");
	rc = cp_code_parse("6903468885156", code, &kind, &err);
	assert_int_equal(rc, CP_EINVAL);
	assert_non_null(strstr(err.msg, "wrong check digit"));
	shown = cp_ui_errtext(&err, rc, buf, sizeof(buf));
	assert_non_null(strstr(shown, "6903468885156"));
	assert_null(strstr(shown, "barcode"));
	assert_null(strstr(shown, "check digit"));
	assert_non_null(strstr(shown, "校验位"));
	/* A word core passes as an argument (CP_WORD) is translated too, in its place. */
	rc = cp_phone_normalise("138\x01", phone, &err);
	assert_int_equal(rc, CP_EINVAL);
	assert_string_equal(err.msg, "the phone number holds a control character (U+0001); type it "
				     "again without it");
	assert_string_equal(cp_ui_errtext(&err, rc, buf, sizeof(buf)),
			    "手机号含有控制字符（U+0001）；请去掉它重新输入");
	/* PRId64 in the id: the catalogue's %<PRId64> matches this system's expansion. */
	cp_errf(&err, CP_ECORRUPT, "journal row %" PRId64 " is damaged; run verify", (int64_t)5);
	assert_string_equal(cp_ui_errtext(&err, CP_ECORRUPT, buf, sizeof(buf)),
			    "流水 5 已损坏；请运行校验");
	/* A message the catalogue does not know: the kind in Chinese, core's English after it. */
	cp_errf(&err, CP_EINVAL, "a message nobody translated (%d)", 7);
	shown = cp_ui_errtext(&err, CP_EINVAL, buf, sizeof(buf));
	assert_non_null(strstr(shown, "a message nobody translated (7)"));
	assert_true(strncmp(shown, "a message", 9) != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keeps_id_and_arguments),
		cmocka_unit_test(keeps_int64),
		cmocka_unit_test(renders_translations_in_any_order),
		cmocka_unit_test(text_written_otherwise_has_no_id),
		cmocka_unit_test(core_refusal_in_chinese),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
