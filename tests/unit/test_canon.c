/* test_canon.c — cp_canon_dump against the installed jansson's json_dumps(v, JSON_COMPACT |
 * JSON_SORT_KEYS): byte for byte on hand-written cases, on every one- and two-byte string and
 * the UTF-8 edges, and on 20,000 random trees; and the refusals canon.h documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "canon.h"

#define FLAGS (JSON_COMPACT | JSON_SORT_KEYS)

/* Fails unless cp_canon_dump(v) is json_dumps(v, FLAGS) with the right length; takes v. */
static void same(json_t *v)
{
	char *want, *got;
	size_t len = 12345;

	assert_non_null(v);
	want = json_dumps(v, FLAGS);
	got = cp_canon_dump(v, &len);
	assert_non_null(want);
	if (!got || strcmp(got, want) != 0)
		fail_msg("canon_dump gave\n  %s\njson_dumps gave\n  %s", got ? got : "(NULL)",
			 want);
	assert_int_equal(len, strlen(want));
	free(want);
	free(got);
	json_decref(v);
}

/* Fails unless cp_canon_dump(v) and json_dumps(v, FLAGS) are both NULL or the same text. */
static void same_or_both_null(const json_t *v)
{
	char *want = json_dumps(v, FLAGS);
	size_t len = 12345;
	char *got = cp_canon_dump(v, &len);

	if (!want != !got || (want && strcmp(want, got) != 0))
		fail_msg("canon_dump gave %s, json_dumps gave %s", got ? got : "(NULL)",
			 want ? want : "(NULL)");
	assert_int_equal(len, want ? strlen(want) : 0);
	free(want);
	free(got);
}

/* Fails unless cp_canon_dump refuses v (NULL, length 0); takes v. */
static void refused(json_t *v)
{
	size_t len = 12345;
	char *got = cp_canon_dump(v, &len);

	if (got)
		fail_msg("canon_dump did not refuse: %s", got);
	assert_int_equal(len, 0);
	json_decref(v);
}

/* json_loads for a test's literal. */
static json_t *J(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_ALLOW_NUL, &e);

	if (!v)
		fail_msg("bad test JSON %s: %s", text, e.text);
	return v;
}

/* [s] with s of n bytes, not checked for UTF-8. */
static json_t *str_in_array(const char *s, size_t n)
{
	json_t *a = json_array();

	json_array_append_new(a, json_stringn_nocheck(s, n));
	return a;
}

static void empty_and_scalars(void **state)
{
	(void)state;
	same(json_object());
	same(json_array());
	same(J("[{}]"));
	same(J("{\"a\":[]}"));
	same(J("[[[]],{},[{}]]"));
	same(J("[true,false,null]"));
	same(J("{\"t\":true,\"f\":false,\"n\":null}"));
	same(J("[0,-1,1,-0,9,10,99,100,-100,2147483647,-2147483648,4294967296]"));
	same(J("[9223372036854775807,-9223372036854775808,-9223372036854775807]"));
	same(J("[1000000000000000000,-999999999999999999,99999999999999999]"));
}

static void integers_at_the_edges(void **state)
{
	json_t *a = json_array();
	json_int_t v = 1;

	(void)state;
	json_array_append_new(a, json_integer(INT64_MIN));
	json_array_append_new(a, json_integer(INT64_MAX));
	json_array_append_new(a, json_integer(INT64_MIN + 1));
	json_array_append_new(a, json_integer(0));
	for (int i = 0; i < 19; i++) { /* 10^0 .. 10^18 */
		json_array_append_new(a, json_integer(v));
		json_array_append_new(a, json_integer(v - 1));
		json_array_append_new(a, json_integer(-v));
		json_array_append_new(a, json_integer(1 - v));
		if (i < 18)
			v *= 10;
	}
	same(a);
}

static void nested(void **state)
{
	(void)state;
	same(J("{\"z\":{\"y\":{\"x\":[1,{\"b\":2,\"a\":[3,[4,{}]]}]}},\"a\":[[],[[]]]}"));
	same(J("[{\"k\":\"v\"},[\"s\",1,null],{\"a\":{\"b\":{\"c\":{\"d\":\"e\"}}}}]"));
}

static void escapes(void **state)
{
	char all[32];
	json_t *a = json_array(), *o = json_object();

	(void)state;
	same(J("[\"\\\"\",\"\\\\\",\"/\",\"a/"
	       "b\",\"\\b\\f\\n\\r\\t\",\"\\u007f\",\"x\\\"y\\\\z\"]"));
	for (int c = 0; c < 32; c++) {
		char one[3] = {'a', (char)c, 'b'};

		all[c] = (char)c;
		json_array_append_new(a, json_stringn(one, 3));
		json_array_append_new(a, json_stringn(one + 1, 1));
	}
	json_array_append_new(a, json_stringn(all, sizeof(all)));
	json_array_append_new(a, json_string("\x7f"));
	json_array_append_new(a, json_stringn("\0\0", 2));
	same(a);
	/* Keys escape the same way. */
	json_object_setn_new(o, all, sizeof(all), json_integer(1));
	json_object_set_new(o, "\"\\/\x7f", json_integer(2));
	json_object_setn_new(o, "\0", 1, json_integer(3));
	same(o);
}

static void utf8(void **state)
{
	(void)state;
	same(J("[\"\xc3\xa9\",\"\xe4\xb8\xad\xe6\x96\x87\",\"\xf0\x9f\x98\x80\",\"\xc2\x80\","
	       "\"\xdf\xbf\",\"\xe0\xa0\x80\",\"\xed\x9f\xbf\",\"\xee\x80\x80\",\"\xef\xbf\xbf\","
	       "\"\xf0\x90\x80\x80\",\"\xf4\x8f\xbf\xbf\",\"\xe2\x80\xa8\",\"\xef\xbb\xbf\"]"));
	same(J("{\"\xe5\x93\x81\xe5\x90\x8d\":\"\xe5\x8f\xaf\xe5\x8f\xa3\xe5\x8f\xaf\xe4\xb9\x90"
	       "\",\"\xf0\x9f\x8d\xba\":\"\xf0\x9f\x98\x80\\n\xe4\xb8\xad\"}"));
}

static void key_order(void **state)
{
	json_t *o = json_object();

	(void)state;
	/* Common prefixes, bytes >= 0x80 (memcmp is unsigned), upper before lower case. */
	json_object_set_new(o, "ab", json_integer(1));
	json_object_set_new(o, "a\xc3\xa9", json_integer(2));
	json_object_set_new(o, "a", json_integer(3));
	json_object_set_new(o, "B", json_integer(4));
	json_object_set_new(o, "", json_integer(5));
	json_object_set_new(o, "abc", json_integer(6));
	json_object_set_new(o, "a\x7f", json_integer(7));
	json_object_set_new(o, "\xe4\xb8\xad", json_integer(8));
	json_object_set_new(o, "\xf0\x9f\x98\x80", json_integer(9));
	json_object_set_new(o, "Z", json_integer(10));
	json_object_set_new(o, "_", json_integer(11));
	json_object_set_new(o, "a b", json_integer(12));
	/* Keys holding NUL: shorter first, then by the bytes after the NUL. */
	json_object_setn_new(o, "a\0", 2, json_integer(13));
	json_object_setn_new(o, "a\0b", 3, json_integer(14));
	json_object_setn_new(o, "a\0\0", 3, json_integer(15));
	json_object_setn_new(o, "\0", 1, json_integer(16));
	same(o);
	/* More keys than fit on canon's stack. */
	o = json_object();
	for (int i = 0; i < 300; i++) {
		char k[16];

		snprintf(k, sizeof(k), "k%d", (i * 7919) % 1000);
		json_object_set_new(o, k, json_integer(i));
	}
	same(o);
}

/* A sale as sale.c and cp_journal_record build it, lines with Chinese names. */
static json_t *sale_payload(int nlines)
{
	static const char *const names[] = {
		"\xe5\x8f\xaf\xe5\x8f\xa3\xe5\x8f\xaf\xe4\xb9\x90 "
		"330ml",
		"\xe7\x89\x9b\xe5\xa5\xb6\xef\xbc\x88\xe5\x85\xa8\xe8\x84"
		"\x82\xef\xbc\x89",
		"\xe9\xa6\x99\xe7\x83\x9f \"\xe4\xb8\xad\xe5\x8d\x8e\"",
		"Bread/\xe9\x9d\xa2\xe5\x8c\x85", "\xe8\x8b\xb9\xe6\x9e\x9c"};
	json_t *p = json_object(), *lines = json_array(), *tenders = json_array();
	json_t *t = json_object();

	for (int i = 0; i < nlines; i++) {
		json_t *l = json_object();
		char sku[16];

		snprintf(sku, sizeof(sku), "G%d", 1000 + i);
		json_object_set_new(l, "n", json_integer(i + 1));
		json_object_set_new(l, "sku", json_string(sku));
		json_object_set_new(l, "name", json_string(names[i % 5]));
		json_object_set_new(l, "category", json_string(i % 3 ? "FOOD" : "TOBACCO"));
		json_object_set_new(l, "qty", json_integer(1 + i % 3));
		json_object_set_new(l, "unit", json_integer(1999 + 1000 * i));
		json_object_set_new(l, "amount", json_integer((1 + i % 3) * (1999 + 1000 * i)));
		json_object_set_new(l, "eligible", json_boolean(i % 3));
		json_array_append_new(lines, l);
	}
	json_object_set_new(t, "method", json_string("cash"));
	json_object_set_new(t, "amount", json_integer(50000));
	json_array_append_new(tenders, t);
	json_object_set_new(p, "receipt", json_string("S001-T01-20261124-0007"));
	json_object_set_new(p, "staff", json_string("1001"));
	json_object_set_new(p, "member", json_string("M1"));
	json_object_set_new(p, "day", json_string("2026-11-24"));
	json_object_set_new(p, "lines", lines);
	json_object_set_new(p, "tenders", tenders);
	json_object_set_new(p, "total", json_integer(42985));
	json_object_set_new(p, "tendered", json_integer(50000));
	json_object_set_new(p, "change", json_integer(7015));
	json_object_set_new(p, "eligible", json_integer(30991));
	json_object_set_new(p, "multiplier_bp", json_integer(15000));
	json_object_set_new(p, "points", json_integer(464));
	json_object_set_new(p, "growth", json_integer(309));
	json_object_set_new(p, "type", json_string("sale"));
	json_object_set_new(p, "event_id", json_string("0b5c3c8e-2f7a-4d1e-9c41-7d1f0e6a9b23"));
	json_object_set_new(p, "at", json_integer(INT64_C(1795485600000)));
	json_object_set_new(p, "seq", json_integer(7));
	json_object_set_new(p, "store", json_string("S001"));
	json_object_set_new(p, "terminal", json_string("T01"));
	return p;
}

static void sale_payloads(void **state)
{
	(void)state;
	same(sale_payload(0));
	same(sale_payload(1));
	same(sale_payload(5));
	same(sale_payload(60));
}

/* Long strings and many of them, plain, all escapes or mixed, around the buffer's first sizes,
 * so that it grows in the middle of a string and of an escape. */
static void long_strings_grow_the_buffer(void **state)
{
	static const char *const fill[] = {
		"a", "\x01", "\"", "\xe4\xb8\xad", "\x01a", "\n\xf0\x9f\x98\x80"};
	static const size_t sizes[] = {1, 340, 341, 682, 1023, 1024, 1025, 2046, 2047, 2048, 5000};
	char *buf = malloc(5000 * 8);

	(void)state;
	assert_non_null(buf);
	for (size_t f = 0; f < sizeof(fill) / sizeof(fill[0]); f++)
		for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
			size_t n = 0, k = strlen(fill[f]);
			json_t *a = json_array();

			for (size_t i = 0; i < sizes[z]; i++, n += k)
				memcpy(buf + n, fill[f], k);
			json_array_append_new(a, json_stringn(buf, n));
			json_array_append_new(a, json_stringn(buf, n / 2));
			same(a);
			a = json_object();
			json_object_setn_new(a, buf, n, json_stringn(buf, n));
			same(a);
		}
	free(buf);
}

/* Every one- and two-byte string, and three- and four-byte ones around every lead byte: the
 * same text, or NULL from both where the bytes are not UTF-8. */
static void every_short_byte_string(void **state)
{
	static const unsigned char tails[] = {0x41, 0x80, 0xbf, 0xc0};
	unsigned char s[4];

	(void)state;
	for (int a = 0; a < 256; a++) {
		s[0] = (unsigned char)a;
		for (int b = -1; b < 256; b++) {
			json_t *v;

			s[1] = (unsigned char)b;
			v = str_in_array((char *)s, b < 0 ? 1 : 2);
			same_or_both_null(v);
			json_decref(v);
		}
	}
	for (int a = 0xc0; a < 256; a++)
		for (int b = 0; b < 256; b++)
			for (size_t c = 0; c < sizeof(tails); c++) {
				s[0] = (unsigned char)a;
				s[1] = (unsigned char)b;
				s[2] = tails[c];
				for (size_t d = 0; d <= sizeof(tails); d++) {
					json_t *v;

					s[3] = d < sizeof(tails) ? tails[d] : 0;
					v = str_in_array((char *)s, d < sizeof(tails) ? 4 : 3);
					same_or_both_null(v);
					json_decref(v);
				}
			}
}

/* --- random trees --- */

static uint64_t rng_state;

/* splitmix64: small, deterministic, good enough to pick shapes. */
static uint64_t rng(void)
{
	uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* A number in 0..n-1. */
static unsigned below(unsigned n)
{
	return (unsigned)(rng() % n);
}

/* Appends to buf (at *n, room for 64) one random piece of valid UTF-8 text. */
static void random_piece(char *buf, size_t *n)
{
	/* clang-format off */
	static const char *const pieces[] = {
		"a", "b", "ab", "A", "B", "Z", "_", " ", "0", "9", "\"", "\\", "/", "\x7f",
		"\xc2\x80", "\xc3\xa9", "\xdf\xbf", "\xe0\xa0\x80", "\xe4\xb8\xad", "\xe6\x96\x87",
		"\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbd", "\xef\xbf\xbf", "\xf0\x90\x80\x80",
		"\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf"};
	/* clang-format on */
	unsigned k = below(sizeof(pieces) / sizeof(pieces[0]) + 8);

	if (k >= sizeof(pieces) / sizeof(pieces[0])) { /* a control character, NUL included */
		buf[(*n)++] = (char)below(32);
		return;
	}
	memcpy(buf + *n, pieces[k], strlen(pieces[k]));
	*n += strlen(pieces[k]);
}

/* Random text of up to max pieces into buf (room for 64 * max bytes); returns its length. */
static size_t random_text(char *buf, unsigned max)
{
	size_t n = 0;

	for (unsigned i = below(max + 1); i > 0; i--)
		random_piece(buf, &n);
	return n;
}

static json_int_t random_int(void)
{
	/* clang-format off */
	static const json_int_t edges[] = {
		INT64_MIN, INT64_MIN + 1, INT64_MAX, INT64_MAX - 1, 0, -1, 1, -10, 10, 999999999,
		INT64_C(-1000000000000000000)};
	/* clang-format on */

	switch (below(4)) {
	case 0:
		return edges[below(sizeof(edges) / sizeof(edges[0]))];
	case 1:
		return (json_int_t)rng();
	case 2:
		return (json_int_t)below(1000000) - 500000;
	default:
		return (json_int_t)(rng() >> below(64));
	}
}

static json_t *random_value(int depth);

/* A random object of up to 8 keys; short keys so that prefixes are shared. */
static json_t *random_object(int depth)
{
	json_t *o = json_object();
	char key[64 * 3];

	for (unsigned i = below(9); i > 0; i--) {
		size_t n = random_text(key, 3);

		json_object_setn_new(o, key, n, random_value(depth + 1));
	}
	return o;
}

/* A random array of up to 6 values. */
static json_t *random_array(int depth)
{
	json_t *a = json_array();

	for (unsigned i = below(7); i > 0; i--)
		json_array_append_new(a, random_value(depth + 1));
	return a;
}

/* Any value; containers only above depth 5. */
static json_t *random_value(int depth)
{
	char text[64 * 12];
	unsigned k = below(depth < 5 ? 9 : 6);

	switch (k) {
	case 0:
		return json_true();
	case 1:
		return json_false();
	case 2:
		return json_null();
	case 3:
	case 4:
		return json_integer(random_int());
	case 5:
		return json_stringn(text, random_text(text, 12));
	case 6:
	case 7:
		return random_object(depth);
	default:
		return random_array(depth);
	}
}

static void random_trees(void **state)
{
	(void)state;
	rng_state = UINT64_C(20261124);
	for (int i = 0; i < 20000; i++)
		same(i % 2 ? random_object(0) : random_array(0));
}

/* cp_canon_dump_ordered is json_dumps(v, JSON_COMPACT): keys in insertion order (script
 * mode's answers). Takes v. */
static void same_ordered(json_t *v)
{
	char *want = json_dumps(v, JSON_COMPACT);
	size_t len = 12345;
	char *got = cp_canon_dump_ordered(v, &len);

	assert_non_null(want);
	if (!got || strcmp(got, want) != 0)
		fail_msg("canon_dump_ordered gave\n  %s\njson_dumps gave\n  %s",
			 got ? got : "(NULL)", want);
	assert_int_equal(len, strlen(want));
	free(want);
	free(got);
	json_decref(v);
}

static void ordered_is_json_dumps_compact(void **state)
{
	json_t *o = json_object();

	(void)state;
	json_object_set_new(o, "z", json_integer(1));
	json_object_set_new(o, "a", json_string("\xe4\xb8\xad\"\n"));
	json_object_set_new(o, "m", json_pack("{s:[i,n,b],s:{}}", "y", -7, 1, "b"));
	json_object_set_new(o, "z", json_integer(2)); /* replaced: keeps its place */
	json_object_setn_new(o, "a\0b", 3, json_null());
	same_ordered(o);
	rng_state = UINT64_C(20261205);
	for (int i = 0; i < 5000; i++)
		same_ordered(i % 2 ? random_object(0) : random_array(0));
	o = J("[1.5]");
	assert_null(cp_canon_dump_ordered(o, NULL)); /* a real: the caller falls back */
	json_decref(o);
}

/* --- refusals --- */

static void reals_are_refused(void **state)
{
	(void)state;
	refused(J("[1.5]"));
	refused(J("[0.0]"));
	refused(J("{\"a\":{\"b\":[1,2,{\"c\":-3e10}]}}"));
	refused(J("{\"a\":1,\"z\":[\"x\",1.25]}"));
}

static void invalid_utf8_is_refused_like_json_dumps(void **state)
{
	/* clang-format off */
	static const char *const bad[] = {
		"\x80", "a\xbf", "\xc0\x80", "\xc1\xbf", "\xc2", "\xc2\x41", "\xe0\x80\x80",
		"\xe0\x9f\xbf", "\xed\xa0\x80", "\xed\xbf\xbf", "\xe4\xb8", "\xf0\x8f\xbf\xbf",
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", "\xfe", "\xff",
		"ok\xe4\xb8\xad\xe4"};
	/* clang-format on */

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *o = json_object();
		char *d;

		json_object_set_new(o, "k", json_stringn_nocheck(bad[i], strlen(bad[i])));
		d = json_dumps(o, FLAGS);
		if (d)
			fail_msg("json_dumps wrote %s", d);
		refused(o);
	}
}

/* json_dumps writes broken text for a key that is not UTF-8 (it ignores the key's failure);
 * cp_canon_dump refuses it. */
static void invalid_utf8_key_is_refused(void **state)
{
	json_t *o = json_object();

	(void)state;
	json_object_set_new_nocheck(o, "ab\xff", json_integer(1));
	refused(o);
}

static void null_and_top_level_scalars(void **state)
{
	size_t len = 7;
	json_t *scalars[] = {json_integer(1), json_string("x"), json_true(), json_null()};

	(void)state;
	assert_null(cp_canon_dump(NULL, &len));
	assert_int_equal(len, 0);
	assert_null(cp_canon_dump(NULL, NULL));
	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
		assert_null(json_dumps(scalars[i], FLAGS));
		refused(scalars[i]);
	}
}

/* n containers nested, objects when objects, else arrays, a 1 innermost. */
static json_t *nest(int n, int objects)
{
	json_t *v = json_integer(1);

	for (int i = 0; i < n; i++) {
		json_t *c = objects ? json_object() : json_array();

		if (objects)
			json_object_set_new(c, "k", v);
		else
			json_array_append_new(c, v);
		v = c;
	}
	return v;
}

static void depth_is_bounded(void **state)
{
	json_t *a = json_array(), *b = json_array();
	char *s;

	(void)state;
	same(nest(CANON_MAX_DEPTH, 0));
	same(nest(CANON_MAX_DEPTH, 1));
	refused(nest(CANON_MAX_DEPTH + 1, 0));
	refused(nest(CANON_MAX_DEPTH + 1, 1));
	/* A cycle: json_dumps refuses it, cp_canon_dump runs into the depth bound. */
	json_array_append(a, b);
	json_array_append(b, a);
	assert_null(json_dumps(a, FLAGS));
	s = cp_canon_dump(a, NULL);
	assert_null(s);
	json_array_clear(b);
	json_decref(b);
	json_decref(a);
}

/* NUL inside a string is escaped, and the length counts the whole text. */
static void length_with_embedded_nul(void **state)
{
	json_t *a = json_array();
	size_t len = 0;
	char *s;

	(void)state;
	json_array_append_new(a, json_stringn("x\0y", 3));
	s = cp_canon_dump(a, &len);
	assert_non_null(s);
	assert_string_equal(s, "[\"x\\u0000y\"]");
	assert_int_equal(len, 12);
	free(s);
	json_decref(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_and_scalars),
		cmocka_unit_test(integers_at_the_edges),
		cmocka_unit_test(nested),
		cmocka_unit_test(escapes),
		cmocka_unit_test(utf8),
		cmocka_unit_test(key_order),
		cmocka_unit_test(sale_payloads),
		cmocka_unit_test(long_strings_grow_the_buffer),
		cmocka_unit_test(every_short_byte_string),
		cmocka_unit_test(random_trees),
		cmocka_unit_test(ordered_is_json_dumps_compact),
		cmocka_unit_test(reals_are_refused),
		cmocka_unit_test(invalid_utf8_is_refused_like_json_dumps),
		cmocka_unit_test(invalid_utf8_key_is_refused),
		cmocka_unit_test(null_and_top_level_scalars),
		cmocka_unit_test(depth_is_bounded),
		cmocka_unit_test(length_with_embedded_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
