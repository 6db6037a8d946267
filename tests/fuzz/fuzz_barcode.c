/* fuzz_barcode.c — cp_code_parse on arbitrary bytes: it must never crash, and what it accepts is
 * 1..CP_CODE_MAX code characters, of the kind its shape says, that parse again to themselves. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "barcode.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool code_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       c == '-' || c == '_' || c == '.';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cp_errbuf err = {{0}};
	char text[512], out[CP_CODE_MAX + 1], again[CP_CODE_MAX + 1];
	enum cp_code_kind kind = CP_CODE_SKU, kind2 = CP_CODE_SKU;
	size_t len, i;
	bool digits = true;

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(out, '#', sizeof(out));
	if (cp_code_parse(text, out, &kind, &err) != CP_OK) {
		if (out[0] != '#' || err.msg[0] == '\0' || !cp_text_ok(err.msg, sizeof(err.msg)))
			abort();
		return 0;
	}
	len = strnlen(out, sizeof(out));
	if (len == 0 || len > CP_CODE_MAX)
		abort();
	for (i = 0; i < len; i++) {
		if (!code_char(out[i]))
			abort();
		digits = digits && out[i] >= '0' && out[i] <= '9';
	}
	if (digits && (len == 8 || len == 12 || len == 13)) {
		if (!cp_code_check_digit_ok(out))
			abort();
		if (kind != (len == 13 ? CP_CODE_EAN13 : len == 8 ? CP_CODE_EAN8 : CP_CODE_UPCA))
			abort();
	} else if (kind != CP_CODE_SKU) {
		abort();
	}
	if (cp_code_parse(out, again, &kind2, NULL) != CP_OK || strcmp(out, again) != 0 ||
	    kind2 != kind)
		abort();
	return 0;
}
