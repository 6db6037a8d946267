/* test_verify_json.c — verify's payload reader (verify_json.c, issue 14) against jansson's
 * json_loadb with JSON_REJECT_DUPLICATES: on journal payloads, on edge cases of each token
 * (escapes, reals, integers at and past the limits, duplicate keys, bad UTF-8, control
 * characters, trailing bytes, deep nesting) and on 50,000 seeded random mutations of a sale
 * payload, both fail or both give equal trees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "verify_json_int.h"

static const char sale[] =
	"{\"at\":1767380569000,\"change\":0,\"coupons_issued\":[],\"day\":\"2026-01-02\","
	"\"eligible\":8180,\"event_id\":\"fdcab888-1d44-43f2-81e7-4cf125e10bb4\",\"growth\":81,"
	"\"guide\":\"2001\",\"guide_source\":\"member\",\"lines\":[{\"amount\":200,\"category\":"
	"\"DRINKS\",\"eligible\":true,\"n\":1,\"name\":\"矿泉水 550ml\",\"qty\":1,\"saving\":0,"
	"\"sku\":\"10033\",\"unit\":200},{\"amount\":7980,\"category\":\"DRINKS\",\"eligible\":"
	"false,\"n\":2,\"name\":\"速溶咖啡 15条\",\"qty\":2,\"saving\":-0,\"sku\":\"10040\","
	"\"unit\":3990,\"offer\":null}],\"member\":\"M000256\",\"member_saving\":0,"
	"\"multiplier_bp\":10000,\"points\":81,\"receipt\":\"S001-T01-004999\",\"seq\":5000,"
	"\"staff\":\"1001\",\"store\":\"S001\",\"tendered\":8180,\"tenders\":[{\"amount\":8180,"
	"\"method\":\"card\"}],\"terminal\":\"T01\",\"total\":8180,\"type\":\"sale\"}";

/* Both readers agree on text [t, t + len): both fail, or equal trees. */
static void agree(const char *t, size_t len)
{
	json_t *want = json_loadb(t, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *got = cp_verify_json_load(t, len);

	if (!want != !got || (want && !json_equal(want, got)))
		fail_msg("readers differ (jansson %s, verify's %s) on %zu bytes: %.*s",
			 want ? "reads it" : "fails", got ? "reads it" : "fails", len, (int)len, t);
	json_decref(want);
	json_decref(got);
}

static void agree_str(const char *t)
{
	agree(t, strlen(t));
}

static void test_cases(void **state)
{
	static const char *const cases[] = {
		"{}",
		" \t\r\n{ \t\r\n} \t\r\n",
		"{\"a\":1}",
		"{\"a\":1,\"a\":2}",
		"{\"a\":{\"b\":1},\"c\":{\"b\":1}}",
		"{\"a\":[],\"b\":[ ],\"c\":[1, 2 ,3 ],\"d\":{ }}",
		"{\"a\":\"x\\\"y\"}",
		"{\"a\\u0041\":1}",
		"{\"a\":\"\\u00e9\\n\\t\\/\"}",
		"{\"a\":\"\\u0000\"}",
		"{\"a\":\"\\ud83d\\ude00\"}",
		"{\"a\":\"\\ud83d\"}",
		"{\"a\":1.5}",
		"{\"a\":1e3}",
		"{\"a\":1E3}",
		"{\"a\":-1.0e-2}",
		"{\"a\":9223372036854775807}",
		"{\"a\":9223372036854775808}",
		"{\"a\":-9223372036854775808}",
		"{\"a\":-9223372036854775809}",
		"{\"a\":99999999999999999999}",
		"{\"a\":-0}",
		"{\"a\":0}",
		"{\"a\":01}",
		"{\"a\":-}",
		"{\"a\":+1}",
		"{\"a\":-a}",
		"{\"a\":1a}",
		"{\"a\":true,\"b\":false,\"c\":null}",
		"{\"a\":truex}",
		"{\"a\":true1}",
		"{\"a\":tru}",
		"{\"a\":nul}",
		"{\"a\":True}",
		"{\"a\":\"tab\tin\"}",
		"{\"a\":\"\x01\"}",
		"{\"a\":\"\x7f\"}",
		"{\"a\":\"\xc3\xa9\"}",
		"{\"a\":\"\xc3\"}",
		"{\"a\":\"\xed\xa0\x80\"}",
		"{\"a\":\"\xc0\xaf\"}",
		"{\"a\":\"\xf4\x90\x80\x80\"}",
		"{\"\xff\":1}",
		"{\"\xe4\xb8\xad\":1}",
		"{\"\":1}",
		"{\"a\":1,}",
		"{\"a\":1 \"b\":2}",
		"{\"a\" 1}",
		"{a:1}",
		"{\"a\":1}x",
		"{\"a\":1}{}",
		"{\"a\":[1,]}",
		"{\"a\":[,1]}",
		"{\"a\":\"unterminated}",
		"{\"a\":1",
		"[1,2]",
		"[]",
		"\"x\"",
		"1",
		"",
		"   ",
		"\xef\xbb\xbf{}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		agree_str(cases[i]);
	agree(sale, strlen(sale));
	agree("{\"a\":1}\0", 8);
	agree("{\"a\":\"x\0y\"}", 11);
	{
		char deep[200] = "{\"a\":";
		size_t n = strlen(deep);

		for (int d = 0; d < 40; d++)
			deep[n++] = '[';
		deep[n++] = '1';
		for (int d = 0; d < 40; d++)
			deep[n++] = ']';
		deep[n++] = '}';
		agree(deep, n);
		deep[n - 2] = ' '; /* one bracket short */
		agree(deep, n);
	}
}

static uint64_t rng = 0x6a736f6e;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_mutations(void **state)
{
	static const char bytes[] = "{}[]\":,\\-+.eE0123456789 \ttfnul\x01\x7f\x80\xbf\xc3\xe4\xff";
	char buf[sizeof(sale) + 8];

	(void)state;
	for (int i = 0; i < 50000; i++) {
		size_t len = sizeof(sale) - 1;
		int edits = 1 + (int)(next() % 3);

		memcpy(buf, sale, len);
		while (edits--) {
			size_t at = (size_t)(next() % len);
			char c = (next() & 3) ? bytes[next() % (sizeof(bytes) - 1)] : (char)next();

			switch (next() % 3) {
			case 0:
				buf[at] = c;
				break;
			case 1: /* delete */
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
				break;
			default: /* insert */
				if (len + 1 < sizeof(buf)) {
					memmove(buf + at + 1, buf + at, len - at);
					buf[at] = c;
					len++;
				}
			}
		}
		agree(buf, len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
