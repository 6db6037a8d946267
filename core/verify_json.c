/* verify_json.c — verify's reader of journal payloads (issue 14): jansson's json_loadb reads a
 * byte at a time through a callback, a fifth of a replay's CPU. This reads the subset the
 * journal writes (canon.c: objects, arrays, strings without escapes, integers, true, false,
 * null) straight from the buffer into the same jansson values, and hands anything else,
 * every error included, to json_loadb: what it accepts, json_loadb accepts as the same tree. */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "verify_json_int.h"

#define FAST_DEPTH 32

struct reader {
	const char *p, *end;
	int depth;
};

static void skip_space(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

/* A string without escapes or control characters: its bytes [*s, *s + *len). */
static bool scan_string(struct reader *r, const char **s, size_t *len)
{
	const char *q;

	if (r->p >= r->end || *r->p != '"')
		return false;
	for (q = ++r->p; q < r->end && *q != '"'; q++)
		if (*q == '\\' || (unsigned char)*q < 0x20)
			return false;
	if (q >= r->end)
		return false;
	*s = r->p;
	*len = (size_t)(q - r->p);
	r->p = q + 1;
	return true;
}

/* An integer as jansson reads one: no leading zero, within long long. */
static json_t *read_integer(struct reader *r)
{
	bool neg = false;
	unsigned long long v = 0, limit;
	const char *start;

	if (r->p < r->end && *r->p == '-') {
		neg = true;
		r->p++;
	}
	start = r->p;
	limit = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		unsigned d = (unsigned)(*r->p - '0');

		if (v > (limit - d) / 10)
			return NULL;
		v = v * 10 + d;
		r->p++;
	}
	if (r->p == start || (*start == '0' && r->p - start > 1))
		return NULL;
	if (r->p < r->end && (*r->p == '.' || *r->p == 'e' || *r->p == 'E'))
		return NULL; /* a real: left to jansson */
	if (neg)
		return json_integer(v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
									   : -(long long)v);
	return json_integer((long long)v);
}

static bool literal(struct reader *r, const char *word, size_t len)
{
	if ((size_t)(r->end - r->p) < len || memcmp(r->p, word, len) != 0)
		return false;
	r->p += len;
	/* "truex" is one token to jansson, an error */
	return r->p >= r->end ||
	       !((*r->p >= 'a' && *r->p <= 'z') || (*r->p >= 'A' && *r->p <= 'Z'));
}

static json_t *read_value(struct reader *r);

static json_t *read_object(struct reader *r)
{
	json_t *o = json_object(), *v;
	const char *key;
	size_t len;

	r->p++;
	skip_space(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		return o;
	}
	while (o) {
		skip_space(r);
		if (!scan_string(r, &key, &len) || json_object_getn(o, key, len))
			break; /* an escape, or a key given twice (jansson's error) */
		skip_space(r);
		if (r->p >= r->end || *r->p++ != ':')
			break;
		if (!(v = read_value(r)) || json_object_setn_new(o, key, len, v) != 0)
			break; /* setn_new checks the key's UTF-8, and takes v */
		skip_space(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == '}') {
			r->p++;
			return o;
		}
		break;
	}
	json_decref(o);
	return NULL;
}

static json_t *read_array(struct reader *r)
{
	json_t *a = json_array(), *v;

	r->p++;
	skip_space(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
		return a;
	}
	while (a) {
		if (!(v = read_value(r)) || json_array_append_new(a, v) != 0)
			break;
		skip_space(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == ']') {
			r->p++;
			return a;
		}
		break;
	}
	json_decref(a);
	return NULL;
}

static json_t *read_value(struct reader *r)
{
	const char *s;
	size_t len;
	json_t *v = NULL;

	skip_space(r);
	if (r->p >= r->end)
		return NULL;
	switch (*r->p) {
	case '{':
	case '[':
		if (++r->depth > FAST_DEPTH)
			return NULL;
		v = *r->p == '{' ? read_object(r) : read_array(r);
		r->depth--;
		return v;
	case '"':
		/* json_stringn checks the UTF-8 as jansson's reader does */
		return scan_string(r, &s, &len) ? json_stringn(s, len) : NULL;
	case 't':
		return literal(r, "true", 4) ? json_true() : NULL;
	case 'f':
		return literal(r, "false", 5) ? json_false() : NULL;
	case 'n':
		return literal(r, "null", 4) ? json_null() : NULL;
	default:
		return read_integer(r);
	}
}

json_t *cp_verify_json_load(const char *text, size_t len)
{
	struct reader r = {text, text + len, 0};
	json_t *v = NULL;

	skip_space(&r);
	if (r.p < r.end && *r.p == '{' && (v = read_value(&r))) {
		skip_space(&r);
		if (r.p == r.end)
			return v;
		json_decref(v);
	}
	return json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
}
