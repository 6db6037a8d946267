/* paycode.h — a customer's payment code (付款码) told by its documented shape: WeChat Pay 18
 * digits starting 10-15, Alipay 16-24 digits starting 25-30, UnionPay QR 19 digits starting 62.
 * The code is a bearer credential: only its method and last four digits leave this module. */
#ifndef CP_PAYCODE_H
#define CP_PAYCODE_H

#include <stdbool.h>

#include "sale.h"

#define CP_PAYCODE_MIN 16 /* digits */
#define CP_PAYCODE_MAX 24

struct cp_paycode {
	enum cp_tender_method method; /* CP_TENDER_WECHAT, CP_TENDER_ALIPAY or CP_TENDER_UNIONPAY */
	char last4[CP_TENDER_REF_LEN + 1]; /* the code's last four digits */
};

/* Whether text (NUL-terminated; ASCII or full-width digits only, nothing around them) has the
 * shape of a payment code; when it has, out gets its method and last four digits. A pure
 * function: it keeps nothing of text, and out is untouched when the answer is false. */
bool cp_paycode_recognise(const char *text, struct cp_paycode *out);

#endif
