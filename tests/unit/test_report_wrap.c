/* test_report_wrap.c — a printed report's sentences wrapped as the screens wrap them (issue 12):
 * at 32 columns a Chinese sentence never puts full-width closing punctuation at the start of a
 * line, nor splits a number from its measure word. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"
#include "report_text.h"

static void test_sentence_wraps_chinese(void **state)
{
	static const char *const why[] = {
		"一二三四五六七八九十一二三四五六，请稍后再试", /* "，" would open a line */
		"一二三四五六七八九十一二三四五12笔未上传",     /* "12" would end a line */
	};
	struct cp_tally *t = calloc(1, sizeof(*t));
	struct cp_store_totals st;

	(void)state;
	assert_non_null(t);
	snprintf(t->day, sizeof(t->day), "2026-12-04");
	for (int i = 0; i < 2; i++) {
		char *text;

		memset(&st, 0, sizeof(st));
		snprintf(st.why, sizeof(st.why), "%s", why[i]);
		assert_non_null(text = cp_ui_report_text(t, "x", &st, 32));
		for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
			if (strncmp(p, "，", 3) == 0)
				fail_msg("a line starts with full-width punctuation:\n%s", text);
		if (i == 1 && !strstr(text, "12笔"))
			fail_msg("the number is split from its measure word:\n%s", text);
		free(text);
	}
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sentence_wraps_chinese),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
