/* barcode.c — turns what a scanner or a cashier put in the item field into a clean code: the
 * scanner's symbology prefix ("]E0") and its Tab/CR/LF suffix removed, full-width forms folded,
 * EAN-13, EAN-8 and UPC-A check digits verified; other letters-and-digits codes are SKUs. */
#include "barcode.h"

#include <string.h>

#include "text.h"

/* Longest raw input looked at: a 32-character code in full-width forms plus scanner noise. */
#define CODE_TEXT_MAX 256

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_code_char(char c)
{
	return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
	       c == '_' || c == '.';
}

static bool is_letter(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Length of the blank (space, Tab, CR, LF, ideographic space) at s, or 0. */
static size_t blank_at(const char *s)
{
	if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		return 1;
	if (strncmp(s, "\u3000", 3) == 0)
		return 3;
	return 0;
}

/* Length of the blank that ends just before e (not before b), or 0. */
static size_t blank_before(const char *b, const char *e)
{
	if (e - b >= 1 && blank_at(e - 1) == 1)
		return 1;
	if (e - b >= 3 && strncmp(e - 3, "\u3000", 3) == 0)
		return 3;
	return 0;
}

bool cp_code_check_digit_ok(const char *digits)
{
	size_t len, i;
	unsigned sum = 0;

	if (!digits)
		return false;
	len = strnlen(digits, 14);
	if (len != 8 && len != 12 && len != 13)
		return false;
	for (i = 0; i < len; i++)
		if (!is_digit(digits[i]))
			return false;
	/* GTIN rule: weights 3, 1, 3, ... from the digit left of the check digit leftwards. */
	for (i = 0; i < len - 1; i++)
		sum += (unsigned)(digits[len - 2 - i] - '0') * (i % 2 == 0 ? 3 : 1);
	return (10 - sum % 10) % 10 == (unsigned)(digits[len - 1] - '0');
}

/* Removes the surrounding blanks and the symbology identifier; the rest goes to span. */
static void strip_noise(const char *text, size_t len, char span[CODE_TEXT_MAX + 1])
{
	const char *b = text, *e = text + len;
	size_t n;

	while ((n = blank_at(b)) > 0)
		b += n;
	if (b[0] == ']' && is_letter(b[1]) && is_digit(b[2]))
		b += 3;
	while (e > b && (n = blank_before(b, e)) > 0)
		e -= n;
	memcpy(span, b, (size_t)(e - b));
	span[e - b] = '\0';
}

enum cp_err cp_code_parse(const char *text, char out[CP_CODE_MAX + 1], enum cp_code_kind *kind,
			  struct cp_errbuf *err)
{
	char span[CODE_TEXT_MAX + 1], code[CODE_TEXT_MAX + 1], shown[CP_TEXT_EXCERPT_SIZE];
	enum cp_code_kind k = CP_CODE_SKU;
	size_t len, i;
	bool digits = true;
	enum cp_err rc;

	if (!text)
		return cp_errf(err, CP_EINVAL,
			       "no code was given; scan the barcode or type the SKU");
	len = strnlen(text, CODE_TEXT_MAX + 1);
	if (len > CODE_TEXT_MAX)
		return cp_errf(
			err, CP_EINVAL,
			"the code is too long (%zu bytes; a code has at most %d characters); "
			"scan it again or type the SKU",
			strlen(text), CP_CODE_MAX);
	strip_noise(text, len, span);
	if (span[0] == '\0')
		return cp_errf(err, CP_EINVAL,
			       "the code is empty; scan the barcode or type the SKU");
	if ((rc = cp_text_check(span, CODE_TEXT_MAX, CP_WORD("the code"), err)) != CP_OK)
		return rc;
	if (cp_text_fold_ascii(span, code, sizeof(code), NULL) != CP_OK) {
		cp_text_excerpt(span, shown);
		return cp_errf(err, CP_EINVAL,
			       "code \"%s\" holds a character that cannot be in a code; codes use "
			       "letters, digits, '-', '_' and '.'",
			       shown);
	}
	len = strlen(code);
	if (len > CP_CODE_MAX)
		return cp_errf(
			err, CP_EINVAL,
			"the code is too long (%zu characters; a code has at most %d); scan it "
			"again or type the SKU",
			len, CP_CODE_MAX);
	for (i = 0; i < len; i++) {
		if (!is_code_char(code[i])) {
			cp_text_excerpt(code, shown);
			return cp_errf(
				err, CP_EINVAL,
				"code \"%s\" holds '%c', which cannot be in a code; codes use "
				"letters, digits, '-', '_' and '.'",
				shown, code[i]);
		}
		digits = digits && is_digit(code[i]);
	}
	if (digits && (len == 13 || len == 8 || len == 12)) {
		if (!cp_code_check_digit_ok(code))
			return cp_errf(err, CP_EINVAL,
				       "barcode %s has a wrong check digit; scan it again or type "
				       "the SKU",
				       code);
		k = len == 13 ? CP_CODE_EAN13 : len == 8 ? CP_CODE_EAN8 : CP_CODE_UPCA;
	}
	memcpy(out, code, len + 1);
	*kind = k;
	return CP_OK;
}
