/* test_money.c — checked arithmetic at the int64 edges, the one rounding function (floor, also
 * for negatives), and amounts as cashiers type them: what is accepted, what is refused and
 * that a refusal changes nothing and says why. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "money.h"
#include "text.h"

#define UNTOUCHED INT64_C(0x7777777777777777)

static void add_sub_mul_at_the_edges(void **state)
{
	int64_t r = UNTOUCHED;

	(void)state;
	assert_true(cp_money_add(1, 2, &r));
	assert_true(r == 3);
	assert_true(cp_money_add(INT64_MAX, 0, &r));
	assert_true(r == INT64_MAX);
	assert_true(cp_money_add(INT64_MAX, INT64_MIN, &r));
	assert_true(r == -1);
	r = UNTOUCHED;
	assert_false(cp_money_add(INT64_MAX, 1, &r));
	assert_false(cp_money_add(INT64_MIN, -1, &r));
	assert_false(cp_money_add(INT64_MIN, INT64_MIN, &r));
	assert_true(r == UNTOUCHED);

	assert_true(cp_money_sub(INT64_MIN, 0, &r));
	assert_true(r == INT64_MIN);
	assert_true(cp_money_sub(-1, INT64_MAX, &r));
	assert_true(r == INT64_MIN);
	r = UNTOUCHED;
	assert_false(cp_money_sub(INT64_MIN, 1, &r));
	assert_false(cp_money_sub(0, INT64_MIN, &r));
	assert_false(cp_money_sub(INT64_MAX, -1, &r));
	assert_true(r == UNTOUCHED);

	assert_true(cp_money_mul(-3, 4, &r));
	assert_true(r == -12);
	assert_true(cp_money_mul(INT64_MIN, 1, &r));
	assert_true(r == INT64_MIN);
	assert_true(cp_money_mul(INT64_MAX, -1, &r));
	assert_true(r == -INT64_MAX);
	r = UNTOUCHED;
	assert_false(cp_money_mul(INT64_MIN, -1, &r));
	assert_false(cp_money_mul(INT64_MAX, 2, &r));
	assert_false(cp_money_mul(INT64_C(4294967296), INT64_C(4294967296), &r));
	assert_true(r == UNTOUCHED);
}

static void muldiv_floor_is_exact_and_floors_negatives(void **state)
{
	int64_t r = UNTOUCHED;

	(void)state;
	assert_true(cp_muldiv_floor(7, 1, 2, &r));
	assert_true(r == 3);
	assert_true(cp_muldiv_floor(-7, 1, 2, &r));
	assert_true(r == -4);
	assert_true(cp_muldiv_floor(7, -1, 2, &r));
	assert_true(r == -4);
	assert_true(cp_muldiv_floor(-1, 1, 3, &r));
	assert_true(r == -1);
	assert_true(cp_muldiv_floor(-6, 1, 3, &r));
	assert_true(r == -2);
	assert_true(cp_muldiv_floor(0, INT64_MIN, 5, &r));
	assert_true(r == 0);
	/* EXAMPLES.md: 199.90 x 2 = 399.8 -> 399 points; refund claw-back 180 x 30/120 = 45. */
	assert_true(cp_muldiv_floor(19990, 2, 100, &r));
	assert_true(r == 399);
	assert_true(cp_muldiv_floor(180, 3000, 12000, &r));
	assert_true(r == 45);
	/* The product does not fit in int64, the quotient does. */
	assert_true(cp_muldiv_floor(INT64_MAX, INT64_MAX, INT64_MAX, &r));
	assert_true(r == INT64_MAX);
	assert_true(cp_muldiv_floor(INT64_MAX, INT64_MIN, INT64_MAX, &r));
	assert_true(r == INT64_MIN);
	assert_true(cp_muldiv_floor(INT64_MIN, 1, 1, &r));
	assert_true(r == INT64_MIN);
	assert_true(cp_muldiv_floor(INT64_MIN, 3, 2, &r) == false);
	assert_true(cp_muldiv_floor(INT64_MIN + 1, INT64_MAX, INT64_MAX, &r));
	assert_true(r == INT64_MIN + 1);
	assert_true(cp_muldiv_floor(-INT64_MAX, INT64_MAX, INT64_MAX - 1, &r) == false);
	assert_true(cp_muldiv_floor(INT64_MIN, INT64_MAX, INT64_MAX, &r));
	assert_true(r == INT64_MIN);
	/* A quotient just below INT64_MIN does not fit. */
	assert_true(cp_muldiv_floor(INT64_MIN, INT64_MAX, INT64_MAX - 1, &r) == false);

	r = UNTOUCHED;
	assert_false(cp_muldiv_floor(1, 1, 0, &r));
	assert_false(cp_muldiv_floor(1, 1, -1, &r));
	assert_false(cp_muldiv_floor(1, 1, INT64_MIN, &r));
	assert_false(cp_muldiv_floor(INT64_MIN, -1, 1, &r));
	assert_false(cp_muldiv_floor(INT64_MAX, 2, 1, &r));
	assert_false(cp_muldiv_floor(INT64_MIN, INT64_MIN, INT64_MAX, &r));
	assert_true(r == UNTOUCHED);
}

static void parses(const char *text, int64_t want)
{
	struct cp_errbuf err = {{0}};
	int64_t fen = UNTOUCHED;
	enum cp_err rc = cp_money_parse(text, &fen, &err);

	if (rc != CP_OK)
		fail_msg("\"%s\" was refused: %s", text, err.msg);
	if (fen != want)
		fail_msg("\"%s\" gave %lld fen, want %lld", text, (long long)fen, (long long)want);
	assert_int_equal(err.msg[0], '\0');
}

/* Refused, value untouched, a message that is sound text; returns it for further checks. */
static const char *refuses(const char *text)
{
	static struct cp_errbuf err;
	int64_t fen = UNTOUCHED;

	memset(&err, 0, sizeof(err));
	if (cp_money_parse(text, &fen, &err) != CP_EINVAL)
		fail_msg("\"%s\" was not refused (%lld fen)", text ? text : "(null)",
			 (long long)fen);
	assert_true(fen == UNTOUCHED);
	assert_true(err.msg[0] != '\0');
	assert_true(cp_text_ok(err.msg, sizeof(err.msg)));
	return err.msg;
}

static void parse_accepts_what_cashiers_type(void **state)
{
	(void)state;
	parses("12", 1200);
	parses("12.3", 1230);
	parses("12.30", 1230);
	parses("12.", 1200); /* an ambiguous trailing point is read as .00 */
	parses(".5", 50);    /* a cashier means ¥0.50 */
	parses(".05", 5);
	parses("0.05", 5);
	parses("0", 0); /* zero is the caller's business */
	parses("0.00", 0);
	parses("000012.30", 1230);
	parses("\u00a512.30", 1230);                    /* ¥ */
	parses("\uffe512.30", 1230);                    /* ￥ */
	parses("\u00a5 12.30", 1230);                   /* a space after the sign */
	parses("  12.30  ", 1230);                      /* spaces around */
	parses("\u3000\u00a512.30\u3000", 1230);        /* ideographic spaces around */
	parses("\uff11\uff12\uff0e\uff13\uff10", 1230); /* １２．３０ */
	parses("\uffe5\uff11\uff12", 1200);             /* ￥１２ */
	parses("1000000000000", CP_MONEY_MAX);
	parses("1000000000000.00", CP_MONEY_MAX);
	parses("999999999999.99", CP_MONEY_MAX - 1);
	parses("0000000000000000000000000000000000000001", 100); /* 40 bytes exactly */
}

static void parse_refuses_with_reasons(void **state)
{
	(void)state;
	assert_non_null(strstr(refuses(""), "empty"));
	assert_non_null(strstr(refuses("   "), "empty"));
	assert_non_null(strstr(refuses("\u00a5"), "empty"));
	refuses("abc");
	assert_non_null(strstr(refuses("-1"), "negative"));
	assert_non_null(strstr(refuses("-\u00a53.00"), "negative"));
	assert_non_null(strstr(refuses("\u00a5-3.00"), "negative"));
	assert_non_null(strstr(refuses("\uff0d\uff11"), "negative")); /* －１ */
	assert_non_null(strstr(refuses("+1"), "'+'"));
	refuses("1e3");
	assert_non_null(strstr(refuses("12.345"), "more than two decimals"));
	assert_non_null(strstr(refuses("1,000"), "comma"));
	assert_non_null(strstr(refuses("\uff11\uff0c\uff10\uff10\uff10"), "comma"));
	refuses("0x10");
	assert_non_null(strstr(refuses("1 000"), "space inside"));
	assert_non_null(strstr(refuses("1\u30000"), "space inside"));
	assert_non_null(strstr(refuses("1.2.3"), "more than one"));
	assert_non_null(strstr(refuses("."), "no digits"));
	refuses("12\u5143"); /* 12元 */
	refuses("\u00a5\u00a512");
	refuses("12\u00a5");
	refuses("NaN");
	refuses("inf");
	refuses("1.5e2");
	refuses("(12)");
	refuses(NULL);
}

static void parse_refuses_bad_text(void **state)
{
	(void)state;
	assert_non_null(strstr(refuses("\xff"), "UTF-8"));
	assert_non_null(strstr(refuses("12\xc0\x80"), "UTF-8"));
	assert_non_null(strstr(refuses("\x80"
				       "12"),
			       "UTF-8"));
	assert_non_null(strstr(refuses("12\xe4\xb8"), "UTF-8"));
	assert_non_null(strstr(refuses("\xed\xa0\x80"), "UTF-8"));
	assert_non_null(strstr(refuses("1\t2"), "control character"));
	assert_non_null(strstr(refuses("12\n"), "control character"));
	assert_non_null(strstr(refuses("12\r"), "control character"));
	assert_non_null(strstr(refuses("\x7f"
				       "12"),
			       "control character"));
	assert_non_null(strstr(refuses("12\xc2\x85"), "control character"));
}

static void parse_refuses_too_large_and_too_long(void **state)
{
	char *big = malloc(10001);

	(void)state;
	assert_non_null(strstr(refuses("1000000000000.01"), "more than"));
	assert_non_null(strstr(refuses("1000000000001"), "more than"));
	assert_non_null(strstr(refuses("99999999999999999999"), "more than")); /* 20 digits */
	assert_non_null(strstr(refuses("92233720368547758.08"), "more than")); /* INT64_MIN */
	assert_non_null(strstr(refuses("18446744073709551616"), "more than")); /* 2^64 */
	assert_non_null(strstr(refuses("9999999999999999999999999999999999999999"), "more than"));
	assert_non_null(strstr(refuses("00000000000000000000000000000000000000001"), "too long"));
	assert_non_null(big);
	memset(big, '9', 10000);
	big[10000] = '\0';
	assert_non_null(strstr(refuses(big), "too long"));
	free(big);
}

static void parse_leaves_err_alone_on_success(void **state)
{
	struct cp_errbuf err;
	int64_t fen = 0;

	(void)state;
	memset(err.msg, 'x', sizeof(err.msg));
	assert_int_equal(cp_money_parse("1.00", &fen, &err), CP_OK);
	assert_int_equal(err.msg[0], 'x');
	assert_int_equal(cp_money_parse("1.001", &fen, NULL), CP_EINVAL);
	assert_true(fen == 100);
}

static void formats(int64_t fen, const char *symbol, const char *want)
{
	char out[64];
	int n = cp_money_format(fen, symbol, out, sizeof(out));

	assert_string_equal(out, want);
	assert_int_equal(n, (int)strlen(want));
}

static void format_writes_yuan_and_fen(void **state)
{
	(void)state;
	formats(1230, NULL, "\u00a512.30");
	formats(5, NULL, "\u00a50.05");
	formats(0, NULL, "\u00a50.00");
	formats(-300, NULL, "-\u00a53.00");
	formats(-5, NULL, "-\u00a50.05");
	formats(CP_MONEY_MAX, NULL, "\u00a51000000000000.00");
	formats(INT64_MAX, NULL, "\u00a592233720368547758.07");
	formats(INT64_MIN, NULL, "-\u00a592233720368547758.08");
	formats(100, "$", "$1.00");
	formats(100, "", "1.00");
}

static void format_truncates_and_reports_the_length_needed(void **state)
{
	char out[8];

	(void)state;
	memset(out, '#', sizeof(out));
	assert_int_equal(cp_money_format(1230, NULL, out, 5), 7); /* "¥12.30" is 7 bytes */
	assert_int_equal(out[4], '\0');
	assert_string_equal(out, "\u00a512");
	assert_int_equal(out[5], '#');
	assert_int_equal(cp_money_format(1230, NULL, NULL, 0), 7);
	assert_int_equal(cp_money_format(INT64_MIN, NULL, out, 1), 23);
	assert_int_equal(out[0], '\0');
}

static void format_then_parse_round_trips(void **state)
{
	static const int64_t values[] = {
		0, 1, 9, 10, 99, 100, 101, 1230, 19990, 123456789, CP_MONEY_MAX - 1, CP_MONEY_MAX};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char buf[64];
		int64_t back = -1;

		cp_money_format(values[i], NULL, buf, sizeof(buf));
		assert_int_equal(cp_money_parse(buf, &back, NULL), CP_OK);
		assert_true(back == values[i]);
		cp_money_format(values[i], "\uffe5", buf, sizeof(buf));
		assert_int_equal(cp_money_parse(buf, &back, NULL), CP_OK);
		assert_true(back == values[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_sub_mul_at_the_edges),
		cmocka_unit_test(muldiv_floor_is_exact_and_floors_negatives),
		cmocka_unit_test(parse_accepts_what_cashiers_type),
		cmocka_unit_test(parse_refuses_with_reasons),
		cmocka_unit_test(parse_refuses_bad_text),
		cmocka_unit_test(parse_refuses_too_large_and_too_long),
		cmocka_unit_test(parse_leaves_err_alone_on_success),
		cmocka_unit_test(format_writes_yuan_and_fen),
		cmocka_unit_test(format_truncates_and_reports_the_length_needed),
		cmocka_unit_test(format_then_parse_round_trips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
