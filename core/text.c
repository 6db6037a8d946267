/* text.c — a hand-written strict UTF-8 decoder and what is built on it: the check that text from
 * people, scanners and pastes is sound, the full-width to ASCII fold, and the safe excerpt that
 * error messages may echo. Nothing here allocates; outputs are written only on success. */
#include "text.h"

#include <stdint.h>
#include <string.h>

/* Decodes one character at s (NUL-terminated). Returns its length in bytes (1..4), or 0 when
 * the bytes there are not valid UTF-8: a stray continuation byte, an overlong form, a surrogate,
 * a value above U+10FFFF, or a sequence cut short (the NUL is never a continuation byte, so the
 * checks stop at it). */
static size_t next(const char *str, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] < 0xc2) /* continuation byte, or 0xc0/0xc1 which only start overlongs */
		return 0;
	if ((s[1] & 0xc0) != 0x80)
		return 0;
	if (s[0] < 0xe0) {
		*cp = ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
		return 2;
	}
	if ((s[2] & 0xc0) != 0x80)
		return 0;
	if (s[0] < 0xf0) {
		v = ((uint32_t)(s[0] & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) |
		    (s[2] & 0x3f);
		if (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))
			return 0;
		*cp = v;
		return 3;
	}
	if (s[0] > 0xf4 || (s[3] & 0xc0) != 0x80)
		return 0;
	v = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
	    ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
	if (v < 0x10000 || v > 0x10ffff)
		return 0;
	*cp = v;
	return 4;
}

static bool is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

/* Characters that are not controls but can still rearrange or break a line when shown. */
static bool is_format(uint32_t cp)
{
	return (cp >= 0x200b && cp <= 0x200f) || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

/* What is wrong with s, if anything: the three ways text can be unsound. */
enum flaw { FINE, TOO_LONG, BAD_UTF8, CONTROL };

static enum flaw inspect(const char *s, size_t maxlen, uint32_t *control)
{
	size_t limit = maxlen < SIZE_MAX ? maxlen + 1 : maxlen;
	uint32_t cp;
	size_t n;

	if (strnlen(s, limit) > maxlen)
		return TOO_LONG;
	for (; *s; s += n) {
		n = next(s, &cp);
		if (n == 0)
			return BAD_UTF8;
		if (is_control(cp)) {
			*control = cp;
			return CONTROL;
		}
	}
	return FINE;
}

bool cp_text_ok(const char *s, size_t maxlen)
{
	uint32_t control;

	return s && inspect(s, maxlen, &control) == FINE;
}

enum cp_err cp_text_check(const char *s, size_t maxlen, const char *what, struct cp_errbuf *err)
{
	uint32_t control = 0;

	if (!what)
		what = CP_WORD("the text");
	if (!s)
		return cp_errf(err, CP_EINVAL, "%s is missing; type it again", what);
	switch (inspect(s, maxlen, &control)) {
	case FINE:
		return CP_OK;
	case TOO_LONG:
		return cp_errf(err, CP_EINVAL,
			       "%s is too long (%zu bytes; at most %zu); type it again, shorter",
			       what, strlen(s), maxlen);
	case BAD_UTF8:
		return cp_errf(err, CP_EINVAL,
			       "%s holds bytes that are not valid UTF-8 text; type it again", what);
	case CONTROL:
		break;
	}
	return cp_errf(err, CP_EINVAL,
		       "%s holds a control character (U+%04X); type it again without it", what,
		       (unsigned)control);
}

/* The ASCII a folded character stands for, or -1 when it has none. */
static int fold(uint32_t cp)
{
	if (cp < 0x80)
		return (int)cp;
	if (cp >= 0xff01 && cp <= 0xff5e)
		return (int)(cp - 0xff01 + 0x21);
	if (cp == 0x3000)
		return ' ';
	return -1;
}

enum cp_err cp_text_fold_ascii(const char *in, char *out, size_t outlen, struct cp_errbuf *err)
{
	char shown[CP_TEXT_EXCERPT_SIZE];
	size_t len = 0, n, i;
	uint32_t cp;
	const char *s;

	if (!in || !out || outlen == 0)
		return cp_errf(err, CP_EINVAL, "no text was given to read");
	/* First pass checks everything, so that out is only written on success. */
	for (s = in; *s; s += n) {
		n = next(s, &cp);
		if (n == 0)
			return cp_errf(
				err, CP_EINVAL,
				"the text holds bytes that are not valid UTF-8; type it again");
		if (is_control(cp))
			return cp_errf(err, CP_EINVAL,
				       "the text holds a control character (U+%04X); type it again "
				       "without it",
				       (unsigned)cp);
		if (fold(cp) < 0) {
			memcpy(shown, s, n);
			shown[n] = '\0';
			if (is_format(cp))
				return cp_errf(err, CP_EINVAL,
					       "the text holds an invisible formatting character "
					       "(U+%04X); type it again without it",
					       (unsigned)cp);
			return cp_errf(
				err, CP_EINVAL,
				"the text holds \"%s\" (U+%04X), which cannot be used here; use "
				"letters, digits and plain signs",
				shown, (unsigned)cp);
		}
		len++;
	}
	if (len > outlen - 1)
		return cp_errf(err, CP_EINVAL, "the text is too long (%zu characters; at most %zu)",
			       len, outlen - 1);
	for (s = in, i = 0; *s; s += n) {
		n = next(s, &cp);
		out[i++] = (char)fold(cp);
	}
	out[i] = '\0';
	return CP_OK;
}

bool cp_text_excerpt(const char *s, char out[CP_TEXT_EXCERPT_SIZE])
{
	size_t cut = 0, n;
	uint32_t cp;
	const char *p;

	out[0] = '\0';
	if (!s)
		return false;
	for (p = s; *p; p += n) {
		n = next(p, &cp);
		if (n == 0 || is_control(cp) || is_format(cp))
			return false;
		if ((size_t)(p - s) + n <= CP_TEXT_EXCERPT_MAX)
			cut = (size_t)(p - s) + n;
	}
	memcpy(out, s, cut);
	if (s[cut])
		memcpy(out + cut, "...", 4);
	else
		out[cut] = '\0';
	return true;
}
