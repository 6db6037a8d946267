/* fuzz_phone.c — cp_phone_normalise on arbitrary bytes: it must never crash, and what it accepts
 * is 11 ASCII digits starting 1[3-9] that normalise to themselves, mask and hash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phone.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[] = "fuzz";
	struct cp_errbuf err = {{0}};
	char text[256], out[CP_PHONE_LEN + 1], again[CP_PHONE_LEN + 1], masked[CP_PHONE_LEN + 1];
	uint8_t hash[32];
	size_t i;

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(out, '#', sizeof(out));
	if (cp_phone_normalise(text, out, &err) != CP_OK) {
		if (out[0] != '#' || err.msg[0] == '\0' || !cp_text_ok(err.msg, sizeof(err.msg)))
			abort();
		return 0;
	}
	if (strlen(out) != CP_PHONE_LEN || out[0] != '1' || out[1] < '3' || out[1] > '9')
		abort();
	for (i = 0; i < CP_PHONE_LEN; i++)
		if (out[i] < '0' || out[i] > '9')
			abort();
	if (cp_phone_normalise(out, again, NULL) != CP_OK || memcmp(out, again, sizeof(out)) != 0)
		abort();
	cp_phone_mask(out, masked);
	if (strlen(masked) != CP_PHONE_LEN || memcmp(masked + 3, "****", 4) != 0)
		abort();
	if (cp_phone_hash(key, sizeof(key) - 1, out, hash) != 0)
		abort();
	return 0;
}
