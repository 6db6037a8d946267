/* canon.c — the journal's canonical JSON, byte-identical to jansson 2.14's json_dumps with
 * JSON_COMPACT | JSON_SORT_KEYS (see canon.h for the rules and the deliberate refusals). The
 * text goes into one buffer that doubles as it fills; strings are copied in runs and checked
 * for UTF-8 on the way, integers are written digit by digit, keys are sorted with qsort. */
#include "canon.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(json_int_t) <= sizeof(int64_t), "json_int_t wider than int64_t");

#define CANON_FIRST_CAP 2048 /* a sale of a dozen lines fits without a realloc */
#define CANON_STACK_KEYS 32  /* a sale payload has 19; objects with more sort a malloc'd array */

struct canon_buf {
	char *data;
	size_t len; /* bytes written; data[len] is kept free for the final NUL */
	size_t cap;
	bool ordered; /* cp_canon_dump_ordered: keys in the object's own order, not sorted */
};

struct canon_key {
	const char *key;
	size_t len;
	const json_t *value;
};

/* What a byte is where a character starts: its sequence length, or ESC / BAD. */
enum { ESC = 0, BAD = 5 };

/* 1 plain ASCII, ESC for '"', '\\' and controls < 0x20, 2..4 a UTF-8 lead byte, BAD otherwise
 * (continuation bytes, 0xC0/0xC1 which only start overlongs, 0xF5..0xFF) — jansson's
 * utf8_check_first. */
#define K16(k) k, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k
/* clang-format off */
static const unsigned char byte_kind[256] = {
	K16(ESC), K16(ESC),						/* 0x00..0x1F */
	1, 1, ESC, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,		/* 0x20..0x2F '"' */
	K16(1), K16(1),							/* 0x30..0x4F */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ESC, 1, 1, 1,		/* 0x50..0x5F '\\' */
	K16(1), K16(1),							/* 0x60..0x7F */
	K16(BAD), K16(BAD), K16(BAD), K16(BAD),				/* 0x80..0xBF */
	BAD, BAD, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,		/* 0xC0..0xCF */
	K16(2),								/* 0xD0..0xDF */
	K16(3),								/* 0xE0..0xEF */
	4, 4, 4, 4, 4, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, /* 0xF0..0xFF */
};
/* clang-format on */
#undef K16

static const char hex_upper[] = "0123456789ABCDEF";

/* Makes room for n more bytes plus the final NUL, doubling; false on overflow or no memory. */
static bool buf_grow(struct canon_buf *b, size_t n)
{
	size_t want, cap = b->cap ? b->cap : CANON_FIRST_CAP;
	char *p;

	if (n > SIZE_MAX - 1 - b->len)
		return false;
	want = b->len + n + 1;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	if (cap == b->cap)
		return true;
	p = realloc(b->data, cap);
	if (!p)
		return false;
	b->data = p;
	b->cap = cap;
	return true;
}

/* Appends n bytes. */
static inline bool buf_put(struct canon_buf *b, const char *s, size_t n)
{
	if (b->cap - b->len <= n && !buf_grow(b, n))
		return false;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	return true;
}

/* Appends one byte. */
static inline bool buf_putc(struct canon_buf *b, char c)
{
	if (b->cap - b->len <= 1 && !buf_grow(b, 1))
		return false;
	b->data[b->len++] = c;
	return true;
}

/* Makes sure n more bytes can be written at data + len without further checks. */
static inline bool buf_room(struct canon_buf *b, size_t n)
{
	return b->cap - b->len > n || buf_grow(b, n);
}

/* true when the n-byte sequence (n = 2..4, lead byte already classed) at s, with avail bytes
 * left, is valid UTF-8 as jansson's utf8_check_full has it: continuation bytes 0x80..0xBF, no
 * overlong form, no surrogate, nothing above U+10FFFF. */
static bool utf8_seq_ok(const unsigned char *s, size_t avail, size_t n)
{
	uint32_t v = s[0] & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);

	if (n > avail)
		return false;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return false;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return false;
	return v >= (n == 2 ? 0x80u : n == 3 ? 0x800u : 0x10000u);
}

/* Writes at out the escape for c ('"', '\\' or a control below 0x20) as jansson's dump_string
 * writes it: the short forms, else "\\u%04X"; returns its length (2 or 6). */
static size_t write_escape(char *out, unsigned char c)
{
	char e;

	switch (c) {
	case '"':
	case '\\':
		e = (char)c;
		break;
	case '\b':
		e = 'b';
		break;
	case '\f':
		e = 'f';
		break;
	case '\n':
		e = 'n';
		break;
	case '\r':
		e = 'r';
		break;
	case '\t':
		e = 't';
		break;
	default:
		memcpy(out, "\\u00", 4);
		out[4] = hex_upper[c >> 4];
		out[5] = hex_upper[c & 0x0f];
		return 6;
	}
	out[0] = '\\';
	out[1] = e;
	return 2;
}

/* Appends the n bytes at str as a quoted JSON string; false when they are not valid UTF-8.
 * Room for the bytes as they are is made first, more only when an escape comes. */
static bool put_string(struct canon_buf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + n;
	char *out;

	if (n > SIZE_MAX - 8 || !buf_room(b, n + 2))
		return false;
	out = b->data + b->len;
	*out++ = '"';
	while (s < end) {
		unsigned kind = byte_kind[*s];

		if (kind == 1) {
			*out++ = (char)*s++;
		} else if (kind == ESC) {
			/* the escape, the rest after this byte and the closing quote */
			b->len = (size_t)(out - b->data);
			if (!buf_room(b, 6 + (size_t)(end - s)))
				return false;
			out = b->data + b->len;
			out += write_escape(out, *s++);
		} else if (kind != BAD && utf8_seq_ok(s, (size_t)(end - s), kind)) {
			memcpy(out, s, kind);
			out += kind;
			s += kind;
		} else {
			return false;
		}
	}
	*out++ = '"';
	b->len = (size_t)(out - b->data);
	return true;
}

/* Appends v in decimal, INT64_MIN included. */
static bool put_int(struct canon_buf *b, json_int_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return buf_put(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* jansson's compare_keys: the bytes as unsigned over the shorter length (memcmp), then the
 * shorter key first. Keys of one object are distinct, so the order is total and any sort gives
 * jansson's result. */
static inline int key_cmp(const struct canon_key *x, const struct canon_key *y)
{
	const unsigned char *a = (const unsigned char *)x->key, *c = (const unsigned char *)y->key;
	size_t n = x->len < y->len ? x->len : y->len;

	for (size_t i = 0; i < n; i++)
		if (a[i] != c[i])
			return a[i] < c[i] ? -1 : 1;
	return (x->len > y->len) - (x->len < y->len);
}

/* key_cmp for qsort. */
static int compare_keys(const void *a, const void *b)
{
	return key_cmp(a, b);
}

/* Sorts keys: insertion sort when they fit on the stack (the journal's objects), else qsort. */
static void sort_keys(struct canon_key *k, size_t n)
{
	if (n > CANON_STACK_KEYS) {
		qsort(k, n, sizeof(*k), compare_keys);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct canon_key t = k[i];
		size_t j = i;

		for (; j > 0 && key_cmp(&k[j - 1], &t) > 0; j--)
			k[j] = k[j - 1];
		k[j] = t;
	}
}

static bool put_value(struct canon_buf *b, const json_t *v, int depth);

/* Appends an object with its keys sorted; depth is its own nesting level. */
static bool put_object(struct canon_buf *b, const json_t *v, int depth)
{
	struct canon_key stack_keys[CANON_STACK_KEYS], *keys = stack_keys;
	size_t n = json_object_size(v), i = 0;
	bool ok = true;

	if (n == 0)
		return buf_put(b, "{}", 2);
	if (n > CANON_STACK_KEYS) {
		if (n > SIZE_MAX / sizeof(*keys) || !(keys = malloc(n * sizeof(*keys))))
			return false;
	}
	for (void *it = json_object_iter((json_t *)v); it && i < n;
	     it = json_object_iter_next((json_t *)v, it), i++) {
		keys[i].key = json_object_iter_key(it);
		keys[i].len = json_object_iter_key_len(it);
		keys[i].value = json_object_iter_value(it);
	}
	if (i != n || !buf_putc(b, '{'))
		ok = false;
	else if (!b->ordered)
		sort_keys(keys, n);
	for (i = 0; ok && i < n; i++)
		ok = (i == 0 || buf_putc(b, ',')) && put_string(b, keys[i].key, keys[i].len) &&
		     buf_putc(b, ':') && put_value(b, keys[i].value, depth);
	if (keys != stack_keys)
		free(keys);
	return ok && buf_putc(b, '}');
}

/* Appends an array; depth is its own nesting level. */
static bool put_array(struct canon_buf *b, const json_t *v, int depth)
{
	size_t n = json_array_size(v);

	if (!buf_putc(b, '['))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((i && !buf_putc(b, ',')) || !put_value(b, json_array_get(v, i), depth))
			return false;
	return buf_putc(b, ']');
}

/* Appends any value found at nesting level depth (the containers around it). */
static bool put_value(struct canon_buf *b, const json_t *v, int depth)
{
	if (!v)
		return false;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return depth < CANON_MAX_DEPTH && put_object(b, v, depth + 1);
	case JSON_ARRAY:
		return depth < CANON_MAX_DEPTH && put_array(b, v, depth + 1);
	case JSON_STRING:
		return put_string(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		return put_int(b, json_integer_value(v));
	case JSON_TRUE:
		return buf_put(b, "true", 4);
	case JSON_FALSE:
		return buf_put(b, "false", 5);
	case JSON_NULL:
		return buf_put(b, "null", 4);
	case JSON_REAL: /* refused: see canon.h */
	default:
		return false;
	}
}

static char *dump(const json_t *v, size_t *len, bool ordered)
{
	struct canon_buf b = {NULL, 0, 0, ordered};

	if (len)
		*len = 0;
	if (!json_is_object(v) && !json_is_array(v)) /* json_dumps without JSON_ENCODE_ANY */
		return NULL;
	if (!buf_grow(&b, 0) || !put_value(&b, v, 0)) {
		free(b.data);
		return NULL;
	}
	b.data[b.len] = '\0';
	if (len)
		*len = b.len;
	return b.data;
}

char *cp_canon_dump(const json_t *v, size_t *len)
{
	return dump(v, len, false);
}

char *cp_canon_dump_ordered(const json_t *v, size_t *len)
{
	return dump(v, len, true);
}
