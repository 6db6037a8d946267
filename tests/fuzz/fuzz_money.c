/* fuzz_money.c — cp_money_parse on arbitrary bytes: it must never crash, accept only amounts in
 * 0..CP_MONEY_MAX, and read back exactly what cp_money_format writes for the value it accepted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cp_errbuf err = {{0}};
	char text[256], shown[64];
	int64_t fen = -1, back = -1;
	int n;

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	if (cp_money_parse(text, &fen, &err) != CP_OK) {
		if (fen != -1 || err.msg[0] == '\0' || !cp_text_ok(err.msg, sizeof(err.msg)))
			abort();
		return 0;
	}
	if (fen < 0 || fen > CP_MONEY_MAX || err.msg[0] != '\0')
		abort();
	n = cp_money_format(fen, NULL, shown, sizeof(shown));
	if (n <= 0 || (size_t)n >= sizeof(shown))
		abort();
	if (cp_money_parse(shown, &back, NULL) != CP_OK || back != fen)
		abort();
	return 0;
}
