/* money.c — checked int64 arithmetic on fen, the one rounding function (exact floor of a*b/c),
 * and reading and writing amounts for people. Amounts never pass through floating point; a
 * refused amount leaves the caller's value untouched and says what to type instead. */
#include "money.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

__extension__ typedef __int128 i128;

/* The longest amount text read at all, in bytes, spaces and symbol included. */
#define MONEY_TEXT_MAX 40
#define YEN "\u00a5"           /* ¥ */
#define FULLWIDTH_YEN "\uffe5" /* ￥ */

bool cp_money_add(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return false;
	*out = r;
	return true;
}

bool cp_money_sub(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return false;
	*out = r;
	return true;
}

bool cp_money_mul(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_mul_overflow(a, b, &r))
		return false;
	*out = r;
	return true;
}

bool cp_muldiv_floor(int64_t a, int64_t b, int64_t c, int64_t *out)
{
	i128 p, q;

	if (c <= 0)
		return false;
	p = (i128)a * b; /* |a*b| <= 2^126: exact */
	q = p / c;
	if (p % c < 0) /* C truncates toward zero; floor goes one further down */
		q--;
	if (q > INT64_MAX || q < INT64_MIN)
		return false;
	*out = (int64_t)q;
	return true;
}

static const char *skip_spaces(const char *s)
{
	for (;;) {
		if (*s == ' ')
			s++;
		else if (strncmp(s, "\u3000", 3) == 0)
			s += 3;
		else
			return s;
	}
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Reads the folded, trimmed ASCII number s: digits with at most one '.' and 0..2 decimals. */
static enum cp_err read_number(const char *s, int64_t *fen, struct cp_errbuf *err)
{
	const char *dot = NULL, *p;
	int64_t yuan = 0, cents = 0;
	size_t digits = 0, decimals = 0;

	if (*s == '\0')
		return cp_errf(err, CP_EINVAL, "the amount is empty; type it like 12.30");
	if (*s == '-')
		return cp_errf(err, CP_EINVAL,
			       "amount \"%s\" is negative; type the amount without a sign", s);
	if (*s == '+')
		return cp_errf(err, CP_EINVAL,
			       "amount \"%s\" has a '+' sign; type the amount without a sign", s);
	for (p = s; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			digits++;
			if (dot)
				decimals++;
		} else if (*p == '.' && !dot) {
			dot = p;
		} else if (*p == '.') {
			return cp_errf(err, CP_EINVAL,
				       "amount \"%s\" has more than one '.'; type it like 12.30",
				       s);
		} else if (*p == ',') {
			return cp_errf(err, CP_EINVAL,
				       "amount \"%s\" has a comma; commas are not allowed, type it "
				       "like 1000.00",
				       s);
		} else if (*p == ' ') {
			return cp_errf(err, CP_EINVAL,
				       "amount \"%s\" has a space inside; type it without spaces, "
				       "like 12.30",
				       s);
		} else {
			return cp_errf(
				err, CP_EINVAL,
				"amount \"%s\" may only hold digits and one '.'; type it like "
				"12.30",
				s);
		}
	}
	if (digits == 0)
		return cp_errf(err, CP_EINVAL, "amount \"%s\" has no digits; type it like 12.30",
			       s);
	if (decimals > 2)
		return cp_errf(err, CP_EINVAL,
			       "amount \"%s\" has more than two decimals; type it like 12.30", s);
	/* yuan stays <= CP_MONEY_MAX / 100 + 9 between steps, so nothing here can overflow. */
	for (p = s; *p && p != dot; p++) {
		yuan = yuan * 10 + (*p - '0');
		if (yuan > CP_MONEY_MAX / 100)
			goto too_large;
	}
	if (dot) {
		for (p = dot + 1; *p; p++)
			cents = cents * 10 + (*p - '0');
		if (decimals == 1)
			cents *= 10;
	}
	if (yuan * 100 + cents > CP_MONEY_MAX)
		goto too_large;
	*fen = yuan * 100 + cents;
	return CP_OK;
too_large:
	return cp_errf(err, CP_EINVAL,
		       "amount \"%s\" is more than the till accepts (at most "
		       "¥1,000,000,000,000.00); check what was typed",
		       s);
}

enum cp_err cp_money_parse(const char *text, int64_t *fen, struct cp_errbuf *err)
{
	char buf[MONEY_TEXT_MAX + 1];
	const char *p;
	size_t len;
	enum cp_err rc;

	if ((rc = cp_text_check(text, MONEY_TEXT_MAX, CP_WORD("the amount"), err)) != CP_OK)
		return rc;
	p = skip_spaces(text);
	if (*p == '-' || starts(p, "\uff0d" /* － */))
		return cp_errf(err, CP_EINVAL, "the amount is negative; type it without a sign");
	if (starts(p, YEN))
		p += strlen(YEN);
	else if (starts(p, FULLWIDTH_YEN))
		p += strlen(FULLWIDTH_YEN);
	/* Folding never lengthens text, so buf always has room. */
	if (cp_text_fold_ascii(p, buf, sizeof(buf), NULL) != CP_OK) {
		char shown[CP_TEXT_EXCERPT_SIZE];

		cp_text_excerpt(text, shown);
		return cp_errf(err, CP_EINVAL,
			       "amount \"%s\" may only hold digits and one '.'; type it like 12.30",
			       shown);
	}
	len = strlen(buf);
	while (len > 0 && buf[len - 1] == ' ')
		buf[--len] = '\0';
	return read_number(buf + strspn(buf, " "), fen, err);
}

int cp_money_format(int64_t fen, const char *symbol, char *out, size_t outlen)
{
	/* Negating through uint64_t keeps INT64_MIN defined. */
	uint64_t mag = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
	char none[1];

	if (!out) { /* only the length is wanted */
		out = none;
		outlen = 0;
	}
	return snprintf(out, outlen, "%s%s%" PRIu64 ".%02u", fen < 0 ? "-" : "",
			symbol ? symbol : YEN, mag / 100, (unsigned)(mag % 100));
}
