/* sign.c — the request signature of sync/PROTOCOL.md: HMAC-SHA256 with the request secret over
 * method, path with query, timestamp and the body's SHA-256. A pure function, so that a known
 * vector pins it down in tests/unit/test_sign.c. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cp_crypto.h"
#include "sync_int.h"

int cp_sync_sign_request(const char *method, const char *path, int64_t timestamp, const void *body,
			 size_t len, const uint8_t secret[32], char out[CP_SIGN_HEX_LEN + 1])
{
	uint8_t digest[CP_SHA256_LEN], mac[CP_SHA256_LEN];
	char digest_hex[2 * CP_SHA256_LEN + 1], ts[24];
	const void *parts[7];
	size_t lens[7];
	int result = -1;

	if (!method || !path || !secret || !out || (!body && len))
		return -1;
	if (cp_sha256(body ? body : "", len, digest) != 0)
		goto out;
	cp_hex(digest, sizeof(digest), digest_hex);
	snprintf(ts, sizeof(ts), "%" PRId64, timestamp);
	parts[0] = method;
	lens[0] = strlen(method);
	parts[1] = "\n";
	lens[1] = 1;
	parts[2] = path;
	lens[2] = strlen(path);
	parts[3] = "\n";
	lens[3] = 1;
	parts[4] = ts;
	lens[4] = strlen(ts);
	parts[5] = "\n";
	lens[5] = 1;
	parts[6] = digest_hex;
	lens[6] = 2 * CP_SHA256_LEN;
	if (cp_hmac_sha256(secret, 32, parts, lens, 7, mac) != 0)
		goto out;
	cp_hex(mac, sizeof(mac), out);
	result = 0;
out:
	cp_wipe(mac, sizeof(mac));
	return result;
}
