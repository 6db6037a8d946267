/* textwidth.c — display width of UTF-8 text by wcwidth(), decoded by hand so that the result
 * does not depend on the process locale's character set, and where a wrapped line may end
 * (English between words, Chinese between characters, with the usual rules for punctuation
 * and numbers). */
#include "textwidth.h"

#include <stdbool.h>
#include <stdint.h>
#include <wchar.h>

/* Decodes one UTF-8 sequence; returns its length, or 0 when invalid. */
static int decode(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf && (s[1] & 0xc0) == 0x80) {
		*cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		return 2;
	}
	if (s[0] >= 0xe0 && s[0] <= 0xef && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
		*cp = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		if (*cp < 0x800 || (*cp >= 0xd800 && *cp <= 0xdfff))
			return 0;
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 &&
	    (s[3] & 0xc0) == 0x80) {
		*cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
		      (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
		if (*cp < 0x10000 || *cp > 0x10ffff)
			return 0;
		return 4;
	}
	return 0;
}

/* Width of one code point; East Asian wide ranges are two columns whatever the locale. */
static int cpwidth(uint32_t cp)
{
	int w;

	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return -1;
	if (cp < 0x7f)
		return 1; /* printable ASCII: what wcwidth() says in every locale, without the call */
	if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd))
		return 2;
	w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

int cp_ui_text_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int cols = 0;

	while (*p) {
		uint32_t cp;
		int n = decode(p, &cp), w;

		if (!n || (w = cpwidth(cp)) < 0)
			return -1;
		cols += w;
		p += n;
	}
	return cols;
}

int cp_ui_text_fit(const char *s, int cols, int pad, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;
	int used = 0;

	if (!outlen)
		return 0;
	while (*p) {
		uint32_t cp;
		int n = decode(p, &cp), w = n ? cpwidth(cp) : -1;

		if (w < 0) {
			n = n ? n : 1;
			w = 1;
			if (used + 1 > cols || o + 1 >= outlen)
				break;
			out[o++] = '?';
			used++;
			p += n;
			continue;
		}
		if (used + w > cols || o + (size_t)n >= outlen)
			break;
		for (int i = 0; i < n; i++)
			out[o++] = (char)p[i];
		used += w;
		p += n;
	}
	while (pad && used < cols && o + 1 < outlen) {
		out[o++] = ' ';
		used++;
	}
	out[o] = '\0';
	return used;
}

/* ---- wrapping ---- */

#define LINE_CHARS 512

static bool in(uint32_t cp, const uint32_t *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == cp)
			return true;
	return false;
}

/* Punctuation that never starts a line. */
static bool closing(uint32_t cp)
{
	static const uint32_t set[] = {
		0x3001, 0x3002, 0xff0c, 0xff0e, 0xff1a, 0xff1b, 0xff01, 0xff1f, 0xff09,
		0x3009, 0x300b, 0x300d, 0x300f, 0x3011, 0x3015, 0x3017, 0xff3d, 0xff5d,
		0x201d, 0x2019, 0x2026, 0x2014, 0x00b7, 0x30fb, 0xff5e, ',',    '.',
		';',    ':',    '!',    '?',    ')',    ']',    '}',    '%',
	};

	return in(cp, set, sizeof(set) / sizeof(set[0]));
}

/* Punctuation and signs that never end a line. */
static bool opening(uint32_t cp)
{
	static const uint32_t set[] = {
		0xff08, 0x3008, 0x300a, 0x300c, 0x300e, 0x3010, 0x3014, 0x201c,
		0x2018, 0xff3b, 0xff5b, 0x00a5, 0xffe5, '(',    '[',    '$',
	};

	return in(cp, set, sizeof(set) / sizeof(set[0]));
}

static bool numeric(uint32_t cp)
{
	return (cp >= '0' && cp <= '9') || (cp >= 0xff10 && cp <= 0xff19) || cp == '.' || cp == ',';
}

static bool wide(uint32_t cp)
{
	return cpwidth(cp) == 2;
}

/* Whether a line may end between a and b (neither a space). */
static bool may_break(uint32_t a, uint32_t b)
{
	if (!wide(a) && !wide(b))
		return false; /* inside an English word or a number */
	if (closing(b) || opening(a))
		return false;
	return !(numeric(a) && wide(b)); /* 3件 */
}

/* Whether a line may end at a space between a and c. */
static bool may_break_space(uint32_t a, uint32_t c)
{
	if (closing(c) || opening(a))
		return false;
	return !(numeric(a) && wide(c)); /* 3 件 */
}

/* A Chinese line may end at k: rather after a sentence's or a clause's full stop close
 * before it (。，；), when that leaves at most a quarter of the line empty. */
static size_t after_punctuation(const uint32_t *cps, const size_t *off, int k, int cols)
{
	int tail = 0;

	for (int i = k; i >= 1 && tail <= cols / 4; i--) {
		if (i < k)
			tail += cpwidth(cps[i]);
		if (tail <= cols / 4 &&
		    (cps[i - 1] == 0x3002 || cps[i - 1] == 0xff0c || cps[i - 1] == 0xff1b) &&
		    cps[i] != ' ' && !closing(cps[i]))
			return off[i];
	}
	return off[k];
}

size_t cp_ui_text_line(const char *s, int cols, size_t *skip)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cps[LINE_CHARS + 2];
	size_t off[LINE_CHARS + 3], o = 0;
	int n = 0, fit = -1, used = 0;

	*skip = 0;
	/* The characters that fit, and two more to judge the break by. */
	while (p[o] && n < LINE_CHARS + 2) {
		uint32_t cp;
		int len = decode(p + o, &cp), w = len ? cpwidth(cp) : 1;

		if (!len) {
			len = 1;
			cp = '?';
		}
		if (cp == '\n' && fit < 0) {
			*skip = 1;
			return o;
		}
		if (w < 0)
			w = 1;
		if (fit < 0 && (used + w > cols || n == LINE_CHARS))
			fit = n;
		used += w;
		off[n] = o;
		cps[n++] = cp;
		o += (size_t)len;
	}
	off[n] = o;
	if (fit < 0) /* the rest fits */
		return o;
	if (fit == 0) {
		*skip = off[1];
		return 0;
	}
	if (cps[fit] == ' ' && (fit + 1 >= n || may_break_space(cps[fit - 1], cps[fit + 1]))) {
		*skip = 1;
		return off[fit];
	}
	for (int k = fit; k >= 1; k--) {
		if (cps[k] == ' ') {
			/* A space in the first half: rather cut the word (Chinese may still break). */
			if (k < fit && off[k] > off[fit] / 2 &&
			    may_break_space(cps[k - 1], cps[k + 1])) {
				*skip = 1;
				return off[k];
			}
		} else if (cps[k - 1] != ' ' && may_break(cps[k - 1], cps[k])) {
			return after_punctuation(cps, off, k, cols);
		}
	}
	/* No place where a line may end: cut, but not before closing punctuation. */
	for (int k = fit; k >= 1; k--)
		if (!closing(cps[k]) && cps[k] != ' ' && cps[k - 1] != ' ')
			return off[k];
	return off[fit];
}
