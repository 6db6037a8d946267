/* fuzz_paycode.c — cp_paycode_recognise on arbitrary bytes: it must never crash, and what it
 * takes for a payment code has a known method and four ASCII digits that end the code. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "paycode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[256];
	struct cp_paycode pc;

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!cp_paycode_recognise(text, &pc))
		return 0;
	if (pc.method != CP_TENDER_WECHAT && pc.method != CP_TENDER_ALIPAY &&
	    pc.method != CP_TENDER_UNIONPAY)
		abort();
	if (strlen(pc.last4) != 4 || strspn(pc.last4, "0123456789") != 4)
		abort();
	/* ASCII codes end in their last four digits */
	if (strspn(text, "0123456789") == strlen(text) &&
	    memcmp(text + strlen(text) - 4, pc.last4, 4) != 0)
		abort();
	return 0;
}
