/* textwidth.c — display width of UTF-8 text by wcwidth(), decoded by hand so that the result
 * does not depend on the process locale's character set. */
#include "textwidth.h"

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
	if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd))
		return 2;
	w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

int cp_text_width(const char *s)
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

int cp_text_fit(const char *s, int cols, int pad, char *out, size_t outlen)
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
