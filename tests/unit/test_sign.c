/* test_sign.c — the request signature of sync/PROTOCOL.md against vectors computed with
 * Python's hmac and hashlib: a POST with a body, a GET whose empty body hashes to SHA-256 of
 * "", and the query string as part of what is signed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cp_crypto.h"
#include "sync_int.h"

#define TS INT64_C(1795485600)

/* The secret 00 01 02 ... 1f. */
static void secret(uint8_t out[32])
{
	for (int i = 0; i < 32; i++)
		out[i] = (uint8_t)i;
}

/* python3: hmac.new(bytes(range(32)), ("%s\n%s\n%d\n%s" % (method, path, ts,
 * hashlib.sha256(body).hexdigest())).encode(), hashlib.sha256).hexdigest() */
static void known_vector_post(void **state)
{
	static const char body[] = "{\"rows\":[]}";
	uint8_t key[32];
	char sig[CP_SIGN_HEX_LEN + 1];

	(void)state;
	secret(key);
	assert_int_equal(
		cp_sync_sign_request("POST", "/v1/journal", TS, body, strlen(body), key, sig), 0);
	assert_string_equal(sig,
			    "5af02b38d1c5e53f22f2680bdc46bc7168487ecf85100f73897b0a8a92857390");
}

static void empty_body_digest(void **state)
{
	static const char path[] = "/v1/changes?since=0&limit=500";
	static const char signed_text[] =
		"GET\n/v1/changes?since=0&limit=500\n1795485600\n"
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	const void *parts[1] = {signed_text};
	size_t lens[1] = {sizeof(signed_text) - 1};
	uint8_t key[32], mac[32];
	char sig[CP_SIGN_HEX_LEN + 1], sig2[CP_SIGN_HEX_LEN + 1], want[65];

	(void)state;
	secret(key);
	assert_int_equal(cp_sync_sign_request("GET", path, TS, NULL, 0, key, sig), 0);
	assert_string_equal(sig,
			    "1a1935a3ea9b06a64ec9d9286361c95bc3dd44f59b806b3afcb9d01adb20c508");
	/* The same as an empty string body, and as HMAC over the text with SHA-256(""). */
	assert_int_equal(cp_sync_sign_request("GET", path, TS, "", 0, key, sig2), 0);
	assert_string_equal(sig, sig2);
	assert_int_equal(cp_hmac_sha256(key, sizeof(key), parts, lens, 1, mac), 0);
	cp_hex(mac, sizeof(mac), want);
	assert_string_equal(sig, want);
}

static void query_is_signed(void **state)
{
	uint8_t key[32];
	char a[CP_SIGN_HEX_LEN + 1], b[CP_SIGN_HEX_LEN + 1], c[CP_SIGN_HEX_LEN + 1];

	(void)state;
	secret(key);
	assert_int_equal(
		cp_sync_sign_request("GET", "/v1/changes?since=0&limit=501", TS, NULL, 0, key, a),
		0);
	assert_string_equal(a, "bf76e43d77483675d25c1d8a1202669043d7c5ba9452dc876795d2fc8dd2a37b");
	assert_int_equal(cp_sync_sign_request("GET", "/v1/changes", TS, NULL, 0, key, b), 0);
	assert_string_not_equal(a, b);
	/* ... and so are the timestamp, the method and the secret. */
	assert_int_equal(cp_sync_sign_request("GET", "/v1/changes", TS + 1, NULL, 0, key, c), 0);
	assert_string_not_equal(b, c);
	assert_int_equal(cp_sync_sign_request("POST", "/v1/changes", TS, NULL, 0, key, c), 0);
	assert_string_not_equal(b, c);
	key[31] ^= 1;
	assert_int_equal(cp_sync_sign_request("GET", "/v1/changes", TS, NULL, 0, key, c), 0);
	assert_string_not_equal(b, c);
}

static void bad_arguments(void **state)
{
	uint8_t key[32] = {0};
	char sig[CP_SIGN_HEX_LEN + 1];

	(void)state;
	assert_int_equal(cp_sync_sign_request(NULL, "/", TS, NULL, 0, key, sig), -1);
	assert_int_equal(cp_sync_sign_request("GET", NULL, TS, NULL, 0, key, sig), -1);
	assert_int_equal(cp_sync_sign_request("GET", "/", TS, NULL, 3, key, sig), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_vector_post),
		cmocka_unit_test(empty_body_digest),
		cmocka_unit_test(query_is_signed),
		cmocka_unit_test(bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
