/* paycode.c — payment codes by shape. Nothing here is stored or logged: the digits are read
 * once into a local buffer that is wiped before returning, and only the method and the last
 * four digits are handed back. */
#include "paycode.h"

#include <string.h>

#include "cp_crypto.h"

/* The digits of text as ASCII into d (at most max); -1 for anything but digits or too many. */
static int digits(const char *text, char *d, int max)
{
	const unsigned char *p = (const unsigned char *)text;
	int n = 0;

	while (*p) {
		char c;

		if (*p >= '0' && *p <= '9') {
			c = (char)*p;
			p++;
		} else if (p[0] == 0xef && p[1] == 0xbc && p[2] >= 0x90 && p[2] <= 0x99) {
			c = (char)('0' + (p[2] - 0x90)); /* U+FF10..U+FF19, full-width digits */
			p += 3;
		} else {
			return -1;
		}
		if (n == max)
			return -1;
		d[n++] = c;
	}
	return n;
}

bool cp_paycode_recognise(const char *text, struct cp_paycode *out)
{
	char d[CP_PAYCODE_MAX];
	int n = text ? digits(text, d, CP_PAYCODE_MAX) : -1, prefix;
	enum cp_tender_method m;
	bool ok = true;

	if (n < CP_PAYCODE_MIN) {
		ok = false;
		goto out;
	}
	prefix = (d[0] - '0') * 10 + (d[1] - '0');
	if (n == 18 && prefix >= 10 && prefix <= 15)
		m = CP_TENDER_WECHAT;
	else if (n == 19 && prefix == 62)
		m = CP_TENDER_UNIONPAY;
	else if (prefix >= 25 && prefix <= 30) /* 16..24 digits, as n is here */
		m = CP_TENDER_ALIPAY;
	else
		ok = false;
	if (ok && out) {
		out->method = m;
		memcpy(out->last4, d + n - CP_TENDER_REF_LEN, CP_TENDER_REF_LEN);
		out->last4[CP_TENDER_REF_LEN] = '\0';
	}
out:
	cp_wipe(d, sizeof(d));
	return ok;
}
