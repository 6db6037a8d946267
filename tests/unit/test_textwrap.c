/* test_textwrap.c — where a wrapped line ends (cp_ui_text_line, used by every wrapped text on the
 * screens): English between words, Chinese between characters, never a line that starts with
 * full-width closing punctuation, never a number split from its measure word. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "textwidth.h"

/* text wrapped into cols columns, lines joined with '|'. */
static const char *wrap(const char *text, int cols)
{
	static char out[1024];
	size_t o = 0;

	out[0] = '\0';
	while (*text && o < sizeof(out) - 2) {
		size_t skip, n = cp_ui_text_line(text, cols, &skip);

		assert_true(n + skip > 0);
		assert_true(cp_ui_text_width(text) < 0 || n == 0 || n <= strlen(text));
		if (o)
			out[o++] = '|';
		assert_true(o + n < sizeof(out));
		memcpy(out + o, text, n);
		o += n;
		out[o] = '\0';
		text += n + skip;
	}
	return out;
}

/* No line of text wrapped at cols starts with closing punctuation or is wider than cols. */
static void check_lines(const char *text, int cols)
{
	static const char *const closers[] = {"，", "。", "、", "；", "：",
					      "！", "？", "）", "》", "」"};
	char line[256];

	while (*text) {
		size_t skip, n = cp_ui_text_line(text, cols, &skip);

		assert_true(n < sizeof(line));
		memcpy(line, text, n);
		line[n] = '\0';
		assert_true(cp_ui_text_width(line) <= cols);
		for (size_t i = 0; i < sizeof(closers) / sizeof(closers[0]); i++)
			assert_true(strncmp(line, closers[i], strlen(closers[i])) != 0);
		text += n + skip;
	}
}

static void english_between_words(void **state)
{
	(void)state;
	assert_string_equal(wrap("Type the amount and press", 10), "Type the|amount and|press");
	assert_string_equal(wrap("short", 10), "short");
	assert_string_equal(wrap("line one\nline two", 20), "line one|line two");
	/* A word longer than the line is cut. */
	assert_string_equal(wrap("abcdefghijkl", 5), "abcde|fghij|kl");
}

static void chinese_between_characters(void **state)
{
	(void)state;
	assert_string_equal(wrap("请扫描商品或输入商品码", 8), "请扫描商|品或输入|商品码");
}

static void never_starts_with_full_width_punctuation(void **state)
{
	(void)state;
	/* "收款成功" fills 8 columns; "，" may not open the next line: "功" goes with it. */
	assert_string_equal(wrap("收款成功，谢谢光临。", 8), "收款成|功，谢谢|光临。");
	assert_string_equal(wrap("本单未变动。请重新扫描", 10), "本单未变|动。请重新|扫描");
	assert_string_equal(wrap("付款（现金）", 6), "付款|（现|金）"); /* "（" never ends a line */
	check_lines("条码 6903468885156 的校验位不对；请重新扫描或输入商品编码", 20);
	check_lines("积分按整份抵扣，每份 ¥1.00（100 积分）：¥0.50 不是整份", 12);
	for (int cols = 4; cols < 40; cols++)
		check_lines("已收现金 ¥100.00；待收 ¥25.90。只有现金可以找零！对吗？", cols);
}

static void number_stays_with_its_measure_word(void **state)
{
	(void)state;
	/* "共计12" fits 6 columns, but 12 goes with 件. */
	assert_string_equal(wrap("共计12件商品", 6), "共计|12件商|品");
	/* With a space between: "本单共 3 " fits 9 columns, but 3 goes with 件. */
	assert_string_equal(wrap("本单共 3 件", 9), "本单共|3 件");
	/* A number is never split, nor is ¥ from it. */
	assert_string_equal(wrap("合计¥1234.50元", 8), "合计|¥1234.50|元");
	assert_string_equal(wrap("本次获得积分 120 分", 16), "本次获得积分|120 分");
}

static void rather_after_a_full_stop(void **state)
{
	(void)state;
	/* "今日绑定" would still fit, but the line ends after "。" a few columns before. */
	assert_string_equal(
		wrap("计入业绩的销售：1 笔，¥22.90。其退货：0 笔，¥0.00。今日绑定会员：1。", 60),
		"计入业绩的销售：1 笔，¥22.90。其退货：0 笔，¥0.00。|今日绑定会员：1。");
	/* Not when that would leave more than a quarter of the line empty. */
	assert_string_equal(wrap("收款。请扫描下一位顾客的商品", 16),
			    "收款。请扫描下一|位顾客的商品");
}

static void narrow_columns(void **state)
{
	size_t skip;

	(void)state;
	/* Not even one character fits: it is dropped rather than looping. */
	assert_int_equal(cp_ui_text_line("中文", 1, &skip), 0);
	assert_int_equal(skip, 3);
	assert_int_equal(cp_ui_text_line("", 5, &skip), 0);
	assert_int_equal(skip, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(english_between_words),
		cmocka_unit_test(chinese_between_characters),
		cmocka_unit_test(never_starts_with_full_width_punctuation),
		cmocka_unit_test(number_stays_with_its_measure_word),
		cmocka_unit_test(rather_after_a_full_stop),
		cmocka_unit_test(narrow_columns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
