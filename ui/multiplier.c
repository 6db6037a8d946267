/* multiplier.c — the one formatter of a tier's or a rule's points multiplier, so that the
 * member panel and the payment result say ×1.5 alike. */
#include "multiplier.h"

#include <stdio.h>

const char *cp_ui_multiplier(int bp, char *buf, size_t len)
{
	int frac = bp % 10000, digits = 4;

	if (!len)
		return buf;
	if (bp <= 0) {
		buf[0] = '\0';
		return buf;
	}
	while (frac && frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	if (frac)
		snprintf(buf, len, "\xc3\x97%d.%0*d", bp / 10000, digits, frac);
	else
		snprintf(buf, len, "\xc3\x97%d", bp / 10000);
	return buf;
}
