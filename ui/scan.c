/* scan.c — shapes of codes and the speed of keys. A scanner is a keyboard that types 8 to 14
 * characters in a few milliseconds and presses Enter; nothing else at the counter types that
 * fast, so speed plus shape tells a scan from a person, wherever the focus happens to be. */
#include "scan.h"

#include <string.h>

#include "keys.h"

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* "S001-T01-000123": two code parts and a number of six digits or more. */
static bool receipt_shape(const char *s)
{
	const char *a = strchr(s, '-'), *b = a ? strchr(a + 1, '-') : NULL;

	if (!a || !b || a == s || b == a + 1 || strchr(b + 1, '-'))
		return false;
	return strlen(b + 1) >= 6 && all_digits(b + 1);
}

/* "N*" or "N×" in front: a quantity for the code that follows. */
static const char *quantity(const char *text, int *qty)
{
	const char *p = text;
	int n = 0, digits = 0;

	while (*p == ' ')
		p++;
	while (*p >= '0' && *p <= '9' && digits < 5) {
		n = n * 10 + (*p++ - '0');
		digits++;
	}
	if (!digits || n < 1 || n > 9999)
		return text;
	if (*p == '*' || *p == 'x' || *p == 'X') {
		*qty = n;
		return p + 1;
	}
	if (strncmp(p, "\xc3\x97", 2) == 0) { /* × */
		*qty = n;
		return p + 2;
	}
	return text;
}

/* "N*" or "N×" in front where N is not a quantity (0, over 9999, a fraction, too many digits):
 * the cashier meant a quantity, and is told what a quantity is rather than that '*' cannot
 * be in a code. */
static bool bad_quantity(const char *p)
{
	bool digits = false;

	while (*p == ' ')
		p++;
	for (; *p >= '0' && *p <= '9'; p++)
		digits = true;
	if (*p == '.' || *p == ',') {
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits = true;
	}
	if (!digits)
		return false;
	return *p == '*' || strncmp(p, "\xc3\x97", 2) == 0;
}

enum ui_scan_kind cp_ui_scan_classify(const char *text, char out[CP_CODE_MAX + 1], int *qty,
				      struct cp_errbuf *err)
{
	enum cp_code_kind kind;
	struct cp_errbuf e = {{0}};
	const char *code;
	size_t len;
	int q = 1;

	out[0] = '\0';
	code = quantity(text, &q);
	if (qty)
		*qty = q;
	if (code == text && bad_quantity(text))
		return UI_SCAN_BAD_QTY;
	if (cp_code_parse(code, out, &kind, &e) != CP_OK) {
		/* A wrong check digit is the catalogue's to report, with the code. */
		len = strlen(code);
		if (len >= 8 && len <= 13 && all_digits(code)) {
			memcpy(out, code, len + 1);
			return UI_SCAN_ITEM;
		}
		if (err)
			*err = e;
		out[0] = '\0';
		return UI_SCAN_BAD;
	}
	if (kind != CP_CODE_SKU)
		return UI_SCAN_ITEM;
	len = strlen(out);
	if (q == 1 && len == 11 && all_digits(out) && out[0] == '1' && out[1] >= '3')
		return UI_SCAN_PHONE;
	if (q == 1 && receipt_shape(out))
		return UI_SCAN_RECEIPT;
	/* Member cards are long numbers that are not barcodes (8, 12, 13) nor phones (11). */
	if (q == 1 && all_digits(out) && (len == 9 || len == 10 || (len >= 14 && len <= 20)))
		return UI_SCAN_CARD;
	return UI_SCAN_SKU;
}

void cp_ui_burst_reset(struct ui_burst *b)
{
	memset(b, 0, sizeof(*b));
}

void cp_ui_burst_char(struct ui_burst *b, int64_t at, size_t pos)
{
	if (b->n > 0 && at - b->last <= UI_BURST_GAP_MS) {
		b->n++;
	} else {
		b->n = 1;
		b->start = pos;
	}
	b->last = at;
}

bool cp_ui_burst_scanned(const struct ui_burst *b, int64_t at)
{
	return b->n >= UI_SCAN_MIN && at - b->last <= UI_BURST_GAP_MS;
}

bool cp_ui_burst_pasted(const struct ui_burst *b)
{
	return b->n > UI_PASTE_MAX;
}

bool cp_ui_scan_in_pin(const char *text, bool scanned)
{
	size_t n = strlen(text);

	if (scanned)
		return true;
	if (text[0] == ']' && n >= 3)
		return true;
	return n > 12; /* PINs are 4 to 12 digits */
}
