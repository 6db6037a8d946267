/* barcode.h — what a scanner or a cashier typed into the item field: scanner prefixes and
 * suffixes removed, full-width digits folded, and EAN-13, EAN-8 and UPC-A check digits
 * validated where the code has that shape. Anything else alphanumeric is a SKU, taken as given. */
#ifndef CP_BARCODE_H
#define CP_BARCODE_H

#include <stdbool.h>

#include "cp_error.h"

#define CP_CODE_MAX 32

enum cp_code_kind { CP_CODE_EAN13, CP_CODE_EAN8, CP_CODE_UPCA, CP_CODE_SKU };

/* Cleans text into out (ASCII, at most CP_CODE_MAX chars) and says what it is. Refuses empty,
 * too long, control characters, non-UTF-8 and a bad check digit, with a message. */
enum cp_err cp_code_parse(const char *text, char out[CP_CODE_MAX + 1], enum cp_code_kind *kind,
			  struct cp_errbuf *err);

/* true when the all-digit code of length 8, 12 or 13 has a correct check digit. */
bool cp_code_check_digit_ok(const char *digits);

#endif
