/* test_crypto.c — the hashes against published vectors: SHA-256 (FIPS 180-2), HMAC-SHA256
 * (RFC 4231 cases 1 and 2), PBKDF2-HMAC-SHA256 (the RFC 6070 inputs with SHA-256), hex. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cp_crypto.h"

static void expect_hex(const uint8_t *got, size_t len, const char *want)
{
	char hex[2 * 64 + 1];

	assert_true(len <= 64);
	cp_hex(got, len, hex);
	assert_string_equal(hex, want);
}

static void sha256_abc(void **state)
{
	uint8_t out[CP_SHA256_LEN];

	(void)state;
	assert_int_equal(cp_sha256("abc", 3, out), 0);
	expect_hex(out, sizeof(out),
		   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(cp_sha256("", 0, out), 0);
	expect_hex(out, sizeof(out),
		   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void hmac_rfc4231_case1(void **state)
{
	uint8_t key[20], out[CP_SHA256_LEN];
	const void *whole[] = {"Hi There"};
	const size_t whole_len[] = {8};
	const void *split[] = {"Hi", "", " There"};
	const size_t split_len[] = {2, 0, 6};

	(void)state;
	memset(key, 0x0b, sizeof(key));
	assert_int_equal(cp_hmac_sha256(key, sizeof(key), whole, whole_len, 1, out), 0);
	expect_hex(out, sizeof(out),
		   "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	memset(out, 0, sizeof(out));
	assert_int_equal(cp_hmac_sha256(key, sizeof(key), split, split_len, 3, out), 0);
	expect_hex(out, sizeof(out),
		   "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

static void hmac_rfc4231_case2(void **state)
{
	static const char data[] = "what do ya want for nothing?";
	uint8_t out[CP_SHA256_LEN];
	const void *whole[] = {data};
	const size_t whole_len[] = {sizeof(data) - 1};
	const void *split[] = {data, data + 10, data + 11};
	const size_t split_len[] = {10, 1, sizeof(data) - 1 - 11};

	(void)state;
	assert_int_equal(cp_hmac_sha256((const uint8_t *)"Jefe", 4, whole, whole_len, 1, out), 0);
	expect_hex(out, sizeof(out),
		   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(out, 0, sizeof(out));
	assert_int_equal(cp_hmac_sha256((const uint8_t *)"Jefe", 4, split, split_len, 3, out), 0);
	expect_hex(out, sizeof(out),
		   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

/* A key's kept state gives the bytes cp_hmac_sha256 gives, for keys of 0 to 200 bytes (past
 * the 64-byte block: hashed first) and messages from empty to many blocks, in parts, message
 * after message on the same state; the key's pads are hashed once. RFC 4231 case 6 (a
 * 131-byte key) pins the long-key path to the published value. */
static void hmac_kept_key_same_bytes(void **state)
{
	static const char data[] = "Test Using Larger Than Block-Size Key - Hash Key First";
	static const size_t keylens[] = {0, 1, 4, 20, 32, 63, 64, 65, 131, 200};
	uint8_t key[200], msg[300], want[CP_SHA256_LEN], got[CP_SHA256_LEN];
	const void *parts[3];
	size_t lens[3];

	(void)state;
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 13 + 5);
	for (size_t k = 0; k < sizeof(keylens) / sizeof(keylens[0]); k++) {
		unsigned long before = cp_hmac_key_setups();
		struct cp_hmac *h = cp_hmac_new(key, keylens[k]);

		assert_non_null(h);
		assert_int_equal(cp_hmac_key_setups() - before, 1);
		for (size_t len = 0; len <= sizeof(msg); len += 23) {
			parts[0] = msg;
			lens[0] = len / 3;
			parts[1] = msg + len / 3;
			lens[1] = 0;
			parts[2] = msg + len / 3;
			lens[2] = len - len / 3;
			assert_int_equal(cp_hmac_sha256(key, keylens[k], parts, lens, 3, want), 0);
			before = cp_hmac_key_setups();
			assert_int_equal(cp_hmac_mac(h, parts, lens, 3, got), 0);
			assert_int_equal(cp_hmac_key_setups(), before);
			assert_memory_equal(got, want, sizeof(got));
		}
		cp_hmac_free(h);
	}
	memset(key, 0xaa, 131);
	{
		struct cp_hmac *h = cp_hmac_new(key, 131);

		parts[0] = data;
		lens[0] = sizeof(data) - 1;
		assert_non_null(h);
		assert_int_equal(cp_hmac_mac(h, parts, lens, 1, got), 0);
		expect_hex(got, sizeof(got),
			   "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
		cp_hmac_free(h);
	}
	cp_hmac_free(NULL);
}

static void pbkdf2(uint32_t c, size_t len, uint8_t *out)
{
	assert_int_equal(cp_pbkdf2_sha256("password", 8, (const uint8_t *)"salt", 4, c, out, len),
			 0);
}

static void pbkdf2_vectors(void **state)
{
	uint8_t out[40];

	(void)state;
	pbkdf2(1, 32, out);
	expect_hex(out, 32, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
	pbkdf2(2, 32, out);
	expect_hex(out, 32, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43");
	pbkdf2(4096, 32, out);
	expect_hex(out, 32, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
}

static void pbkdf2_two_blocks(void **state)
{
	static const char pass[] = "passwordPASSWORDpassword";
	static const char salt[] = "saltSALTsaltSALTsaltSALTsaltSALTsalt";
	uint8_t out[40];

	(void)state;
	pbkdf2(2, 40, out);
	expect_hex(out, 40,
		   "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"
		   "830651afcb5c862f");
	assert_int_equal(cp_pbkdf2_sha256(pass, sizeof(pass) - 1, (const uint8_t *)salt,
					  sizeof(salt) - 1, 4096, out, 40),
			 0);
	expect_hex(out, 40,
		   "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1"
		   "c635518c7dac47e9");
}

static void pbkdf2_zero_iterations_refused(void **state)
{
	uint8_t out[32];

	(void)state;
	assert_int_equal(
		cp_pbkdf2_sha256("password", 8, (const uint8_t *)"salt", 4, 0, out, sizeof(out)),
		-1);
}

static void hex_round_trip(void **state)
{
	uint8_t bytes[256], back[256];
	char hex[2 * 256 + 1];

	(void)state;
	for (int i = 0; i < 256; i++)
		bytes[i] = (uint8_t)i;
	cp_hex(bytes, sizeof(bytes), hex);
	assert_int_equal(strlen(hex), 512);
	assert_memory_equal(hex, "000102030405060708090a0b0c0d0e0f", 32);
	assert_string_equal(hex + 500, "fafbfcfdfeff");
	assert_true(cp_unhex(hex, back, sizeof(back)));
	assert_memory_equal(bytes, back, sizeof(bytes));
	assert_true(cp_unhex("ABCDEF", back, 3));
	assert_memory_equal(back, "\xab\xcd\xef", 3);
	cp_hex(bytes, 0, hex);
	assert_string_equal(hex, "");
}

static void bad_hex_refused(void **state)
{
	uint8_t out[4] = {1, 2, 3, 4};

	(void)state;
	assert_false(cp_unhex("0g", out, 1));
	assert_false(cp_unhex("abc", out, 2));  /* odd length */
	assert_false(cp_unhex("abcd", out, 1)); /* too long */
	assert_false(cp_unhex("ab", out, 2));   /* too short */
	assert_false(cp_unhex(" abc", out, 2)); /* space */
	assert_false(cp_unhex("0x12", out, 2)); /* prefix */
	assert_false(cp_unhex(NULL, out, 1));
	assert_false(cp_unhex("\xef\xbc\x91\x32", out, 2));
}

static void ct_equal(void **state)
{
	uint8_t a[32], b[32];

	(void)state;
	memset(a, 0x5a, sizeof(a));
	memcpy(b, a, sizeof(b));
	assert_true(cp_ct_equal(a, b, sizeof(a)));
	assert_true(cp_ct_equal(a, b, 0));
	b[31] ^= 1;
	assert_false(cp_ct_equal(a, b, sizeof(a)));
	assert_true(cp_ct_equal(a, b, 31));
	b[31] ^= 1;
	b[0] ^= 0x80;
	assert_false(cp_ct_equal(a, b, sizeof(a)));
}

static void wipe(void **state)
{
	uint8_t buf[16];
	static const uint8_t zero[16];

	(void)state;
	memset(buf, 0xff, sizeof(buf));
	cp_wipe(buf, sizeof(buf));
	assert_memory_equal(buf, zero, sizeof(buf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha256_abc),
		cmocka_unit_test(hmac_rfc4231_case1),
		cmocka_unit_test(hmac_rfc4231_case2),
		cmocka_unit_test(hmac_kept_key_same_bytes),
		cmocka_unit_test(pbkdf2_vectors),
		cmocka_unit_test(pbkdf2_two_blocks),
		cmocka_unit_test(pbkdf2_zero_iterations_refused),
		cmocka_unit_test(hex_round_trip),
		cmocka_unit_test(bad_hex_refused),
		cmocka_unit_test(ct_equal),
		cmocka_unit_test(wipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
