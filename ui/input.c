/* input.c — the one-line editor behind every field. Text stays valid UTF-8 because only whole
 * code points go in and only whole characters come out; what may go in is decided per field
 * (codes, digits, amounts, free text) so that bad input is refused at the key, not later. */
#include "input.h"

#include <string.h>

#include "textwidth.h"

int cp_ui_utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	if (cp <= 0x10ffff) {
		out[0] = (char)(0xf0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[3] = (char)(0x80 | (cp & 0x3f));
		return 4;
	}
	return 0;
}

int cp_ui_utf8_decode(const char *s, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0) {
		*cp = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
		return 2;
	}
	if ((p[0] & 0xf0) == 0xe0) {
		*cp = (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
		return 3;
	}
	*cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
	      (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
	return 4;
}

void cp_ui_input_init(struct ui_input *in, size_t max, unsigned flags)
{
	memset(in, 0, sizeof(*in));
	in->max = max && max <= UI_INPUT_MAX ? max : UI_INPUT_MAX;
	in->flags = flags;
}

void cp_ui_input_clear(struct ui_input *in)
{
	in->buf[0] = '\0';
	in->len = in->cur = 0;
}

void cp_ui_input_wipe(struct ui_input *in)
{
	volatile char *p = in->buf;

	for (size_t i = 0; i < sizeof(in->buf); i++)
		p[i] = 0;
	in->len = in->cur = 0;
}

/* Characters that change how text around them is shown: never taken from a keyboard. */
static bool invisible(uint32_t cp)
{
	return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb);
}

/* The code point as this field takes it, or 0 when it does not. */
static uint32_t accept(const struct ui_input *in, uint32_t cp)
{
	char enc[4 + 1];
	int n;

	if ((in->flags & UI_IN_FOLD) && cp >= 0xff01 && cp <= 0xff5e)
		cp -= 0xff01 - 0x21;
	else if ((in->flags & UI_IN_FOLD) && cp == 0x3000)
		cp = ' ';
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || invisible(cp))
		return 0;
	if ((in->flags & UI_IN_DIGITS) && !(cp >= '0' && cp <= '9'))
		return 0;
	if ((in->flags & UI_IN_DATE) && !((cp >= '0' && cp <= '9') || cp == '-'))
		return 0;
	if ((in->flags & UI_IN_AMOUNT) &&
	    !((cp >= '0' && cp <= '9') || (cp == '.' && !memchr(in->buf, '.', in->len))))
		return 0;
	if ((in->flags & UI_IN_ASCII) && cp > 0x7e)
		return 0;
	n = cp_ui_utf8_encode(cp, enc);
	if (!n)
		return 0;
	enc[n] = '\0';
	if (cp_ui_text_width(enc) < 1)
		return 0;
	return cp;
}

enum ui_input_rc cp_ui_input_insert(struct ui_input *in, uint32_t cp)
{
	char enc[4];
	int n;

	cp = accept(in, cp);
	if (!cp)
		return UI_INPUT_REFUSED;
	n = cp_ui_utf8_encode(cp, enc);
	if (in->len + (size_t)n > in->max)
		return UI_INPUT_FULL;
	memmove(in->buf + in->cur + n, in->buf + in->cur, in->len - in->cur + 1);
	memcpy(in->buf + in->cur, enc, (size_t)n);
	in->len += (size_t)n;
	in->cur += (size_t)n;
	return UI_INPUT_OK;
}

enum ui_input_rc cp_ui_input_set(struct ui_input *in, const char *s)
{
	struct ui_input t = *in;
	enum ui_input_rc rc;

	cp_ui_input_clear(&t);
	if (strlen(s) > t.max)
		return UI_INPUT_FULL;
	while (*s) {
		uint32_t cp;
		unsigned char c = (unsigned char)*s;

		/* Checked byte by byte: s may come from anywhere. */
		if (c >= 0x80) {
			size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

			if (c < 0xc2 || c > 0xf4 || strnlen(s, need) < need)
				return UI_INPUT_REFUSED;
			for (size_t i = 1; i < need; i++)
				if (((unsigned char)s[i] & 0xc0) != 0x80)
					return UI_INPUT_REFUSED;
		}
		s += cp_ui_utf8_decode(s, &cp);
		if ((rc = cp_ui_input_insert(&t, cp)) != UI_INPUT_OK)
			return rc;
	}
	*in = t;
	return UI_INPUT_OK;
}

/* Start of the character that ends at byte offset pos. */
static size_t prev_char(const struct ui_input *in, size_t pos)
{
	while (pos > 0 && ((unsigned char)in->buf[--pos] & 0xc0) == 0x80)
		;
	return pos;
}

static size_t next_char(const struct ui_input *in, size_t pos)
{
	if (pos >= in->len)
		return in->len;
	pos++;
	while (pos < in->len && ((unsigned char)in->buf[pos] & 0xc0) == 0x80)
		pos++;
	return pos;
}

/* What leaves the text leaves the buffer too: a PIN field keeps no deleted digit. */
static void cut(struct ui_input *in, size_t from, size_t to)
{
	memmove(in->buf + from, in->buf + to, in->len - to + 1);
	memset(in->buf + in->len - (to - from) + 1, 0, to - from);
	in->len -= to - from;
	in->cur = from;
}

bool cp_ui_input_backspace(struct ui_input *in)
{
	if (in->cur == 0)
		return false;
	cut(in, prev_char(in, in->cur), in->cur);
	return true;
}

bool cp_ui_input_delete(struct ui_input *in)
{
	if (in->cur >= in->len)
		return false;
	cut(in, in->cur, next_char(in, in->cur));
	return true;
}

bool cp_ui_input_left(struct ui_input *in)
{
	if (in->cur == 0)
		return false;
	in->cur = prev_char(in, in->cur);
	return true;
}

bool cp_ui_input_right(struct ui_input *in)
{
	if (in->cur >= in->len)
		return false;
	in->cur = next_char(in, in->cur);
	return true;
}

void cp_ui_input_home(struct ui_input *in)
{
	in->cur = 0;
}

void cp_ui_input_end(struct ui_input *in)
{
	in->cur = in->len;
}

void cp_ui_input_truncate(struct ui_input *in, size_t pos)
{
	if (pos > in->len)
		pos = in->len;
	while (pos > 0 && pos < in->len && ((unsigned char)in->buf[pos] & 0xc0) == 0x80)
		pos--;
	memset(in->buf + pos, 0, in->len - pos + 1);
	in->len = in->cur = pos;
}

/* Columns of the character at pos. */
static int char_cols(const struct ui_input *in, size_t pos)
{
	char one[5] = "";
	size_t n = next_char(in, pos) - pos;

	if (in->flags & UI_IN_SECRET)
		return 1;
	memcpy(one, in->buf + pos, n);
	one[n] = '\0';
	return cp_ui_text_width(one);
}

int cp_ui_input_view(const struct ui_input *in, int cols, char *out, size_t outlen, int *cursor_col)
{
	size_t start = 0, o = 0, p;
	int width = 0, used = 0;

	if (!outlen)
		return 0;
	out[0] = '\0';
	if (cols <= 0) {
		if (cursor_col)
			*cursor_col = 0;
		return 0;
	}
	/* Scroll so that the text up to the cursor, plus the cursor cell, fits. */
	for (p = 0; p < in->cur; p = next_char(in, p))
		width += char_cols(in, p);
	while (width + 1 > cols && start < in->cur) {
		width -= char_cols(in, start);
		start = next_char(in, start);
	}
	if (cursor_col)
		*cursor_col = width;
	for (p = start; p < in->len; p = next_char(in, p)) {
		size_t n = next_char(in, p) - p;
		int w = char_cols(in, p);

		if (used + w > cols)
			break;
		if (in->flags & UI_IN_SECRET) {
			if (o + 1 >= outlen)
				break;
			out[o++] = '*';
		} else {
			if (o + n >= outlen)
				break;
			memcpy(out + o, in->buf + p, n);
			o += n;
		}
		used += w;
	}
	out[o] = '\0';
	return used;
}
