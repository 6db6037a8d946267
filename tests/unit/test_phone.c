/* test_phone.c — mobile numbers as typed at the counter (+86, 0086, 86, dashes, spaces,
 * full-width digits) down to 11 digits; what is refused and why; the mask; the keyed hash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "phone.h"
#include "text.h"

static void normalises(const char *text, const char *want)
{
	char out[CP_PHONE_LEN + 1];
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_phone_normalise(text, out, &err);

	if (rc != CP_OK)
		fail_msg("\"%s\" was refused: %s", text, err.msg);
	assert_string_equal(out, want);
	assert_int_equal(err.msg[0], '\0');
}

/* Refused, out untouched, a message that is sound text; returns it for further checks. */
static const char *refuses(const char *text)
{
	static struct cp_errbuf err;
	char out[CP_PHONE_LEN + 1];

	memset(&err, 0, sizeof(err));
	memset(out, '#', sizeof(out));
	if (cp_phone_normalise(text, out, &err) != CP_EINVAL)
		fail_msg("\"%s\" was not refused", text ? text : "(null)");
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], '#');
	assert_true(err.msg[0] != '\0');
	assert_true(cp_text_ok(err.msg, sizeof(err.msg)));
	return err.msg;
}

static void accepts_what_people_type(void **state)
{
	(void)state;
	normalises("13812345678", "13812345678");
	normalises("+86 138-1234-5678", "13812345678");
	normalises("86 13812345678", "13812345678");
	normalises("0086 13812345678", "13812345678");
	normalises("+8613812345678", "13812345678");
	normalises("8613812345678", "13812345678");
	normalises("\uff11\uff13\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18",
		   "13812345678"); /* １３８１２３４５６７８ */
	normalises("\uff0b\uff18\uff16\u3000\uff11\uff13\uff18\uff0d\uff11\uff12\uff13\uff14"
		   "\uff0d\uff15\uff16\uff17\uff18",
		   "13812345678"); /* ＋８６　１３８－１２３４－５６７８ */
	normalises("(138) 1234 5678", "13812345678");
	normalises("  138 1234 5678  ", "13812345678");
	normalises("19912345678", "19912345678");
	normalises("13000000000", "13000000000");
}

static void refuses_with_reasons(void **state)
{
	char *big = malloc(10001);

	(void)state;
	assert_string_equal(refuses("1381234567"),
			    "phone number must be 11 digits starting with 13–19 (got 10 digits)");
	assert_non_null(strstr(refuses("138123456789"), "(got 12 digits)"));
	assert_non_null(strstr(refuses("12812345678"), "starts with 12"));
	assert_non_null(strstr(refuses("10812345678"), "starts with 10"));
	assert_non_null(strstr(refuses("23812345678"), "starts with 23"));
	assert_non_null(strstr(refuses("138-1234-567a"), "'a'"));
	assert_non_null(strstr(refuses(""), "no digits"));
	assert_non_null(strstr(refuses("   "), "no digits"));
	refuses("+");
	refuses("abc");
	refuses("138+12345678");
	assert_non_null(strstr(refuses("86+13812345678"), "'+'")); /* '+' only leads */
	refuses("138.1234.5678");
	refuses("138/1234/5678");
	/* A prefix only counts when exactly 11 digits follow. */
	assert_non_null(strstr(refuses("+86 1381234567"), "(got 10 digits)"));
	assert_non_null(strstr(refuses("+86 138123456789"), "(got 12 digits)"));
	assert_non_null(strstr(refuses("86 1381234567"), "(got 12 digits)"));
	assert_non_null(strstr(refuses("0086 1381234567"), "(got 14 digits)"));
	assert_non_null(strstr(refuses("+1 415 555 0123"), "+86"));
	refuses("+0086 13812345678");
	assert_non_null(strstr(refuses("13812345678901234567"), "(got 20 digits)"));
	refuses("\u4e2d\u6587");
	refuses("138\u00a512345678");
	refuses(NULL);
	/* Bad bytes and control characters are described, never echoed. */
	assert_non_null(strstr(refuses("138\xff"
				       "12345678"),
			       "UTF-8"));
	assert_non_null(strstr(refuses("138\xc0\x80"
				       "12345678"),
			       "UTF-8"));
	assert_non_null(strstr(refuses("138\xed\xa0\x80"), "UTF-8"));
	assert_non_null(strstr(refuses("138\t12345678"), "control character"));
	assert_non_null(strstr(refuses("13812345678\r\n"), "control character"));
	assert_non_null(big);
	memset(big, '1', 10000);
	big[10000] = '\0';
	assert_non_null(strstr(refuses(big), "too long"));
	free(big);
}

static void leaves_err_alone_on_success(void **state)
{
	struct cp_errbuf err;
	char out[CP_PHONE_LEN + 1];

	(void)state;
	memset(err.msg, 'x', sizeof(err.msg));
	assert_int_equal(cp_phone_normalise("13812345678", out, &err), CP_OK);
	assert_int_equal(err.msg[0], 'x');
	assert_int_equal(cp_phone_normalise("1", out, NULL), CP_EINVAL);
	assert_string_equal(out, "13812345678");
}

static void masks_the_middle(void **state)
{
	char out[CP_PHONE_LEN + 1], same[CP_PHONE_LEN + 1] = "13912345678";

	(void)state;
	cp_phone_mask("13812345678", out);
	assert_string_equal(out, "138****5678");
	cp_phone_mask(same, same);
	assert_string_equal(same, "139****5678");
}

static void hash_is_keyed_and_deterministic(void **state)
{
	static const uint8_t k1[] = "chain key one", k2[] = "chain key two";
	const char short_number[CP_PHONE_LEN + 1] = "1381234567";
	uint8_t a[32], b[32], c[32], d[32], untouched[32];

	(void)state;
	assert_int_equal(cp_phone_hash(k1, sizeof(k1) - 1, "13812345678", a), 0);
	assert_int_equal(cp_phone_hash(k1, sizeof(k1) - 1, "13812345678", b), 0);
	assert_memory_equal(a, b, 32);
	assert_int_equal(cp_phone_hash(k2, sizeof(k2) - 1, "13812345678", c), 0);
	assert_memory_not_equal(a, c, 32);
	assert_int_equal(cp_phone_hash(k1, sizeof(k1) - 1, "13812345679", d), 0);
	assert_memory_not_equal(a, d, 32);
	/* Only normalised numbers are hashed. */
	memset(untouched, 0, sizeof(untouched));
	memset(d, 0, sizeof(d));
	assert_int_equal(cp_phone_hash(k1, sizeof(k1) - 1, "138 1234 5678", d), -1);
	assert_int_equal(cp_phone_hash(k1, sizeof(k1) - 1, short_number, d), -1);
	assert_int_equal(cp_phone_hash(k1, sizeof(k1) - 1, "138123456789", d), -1);
	assert_int_equal(cp_phone_hash(NULL, 0, "13812345678", d), -1);
	assert_memory_equal(d, untouched, 32);
}

static void hash_matches_hmac_sha256(void **state)
{
	/* HMAC-SHA256(key "key", "13812345678"), computed independently with Python's hmac. */
	static const uint8_t want[32] = {0xa3, 0x14, 0xf9, 0x14, 0x9c, 0x1e, 0x08, 0x08,
					 0x39, 0x18, 0x0b, 0x86, 0xd1, 0x85, 0x42, 0xc1,
					 0xfa, 0xfe, 0x46, 0x7b, 0x40, 0xbf, 0x1f, 0xbc,
					 0xf8, 0x51, 0x3a, 0x59, 0x03, 0x30, 0x97, 0x03};
	uint8_t got[32];

	(void)state;
	assert_int_equal(cp_phone_hash((const uint8_t *)"key", 3, "13812345678", got), 0);
	assert_memory_equal(got, want, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_what_people_type),
		cmocka_unit_test(refuses_with_reasons),
		cmocka_unit_test(leaves_err_alone_on_success),
		cmocka_unit_test(masks_the_middle),
		cmocka_unit_test(hash_is_keyed_and_deterministic),
		cmocka_unit_test(hash_matches_hmac_sha256),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
