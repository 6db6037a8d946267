/* money.h — money is int64 fen, points and growth int64; every step that can overflow is
 * checked here, and there is one rounding function. Parsing and formatting for people. */
#ifndef CP_MONEY_H
#define CP_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_error.h"

/* false on overflow, *out untouched. */
bool cp_money_add(int64_t a, int64_t b, int64_t *out);
bool cp_money_sub(int64_t a, int64_t b, int64_t *out);
bool cp_money_mul(int64_t a, int64_t b, int64_t *out);

/* The one rounding function: floor(a * b / c) computed exactly (128-bit intermediate), c > 0.
 * false when c <= 0 or the result does not fit in int64. */
bool cp_muldiv_floor(int64_t a, int64_t b, int64_t c, int64_t *out);

/* Parses an amount a person typed: "12", "12.3", "12.30", "¥12.30", "￥12.30", surrounding
 * spaces and full-width digits allowed. Refuses empty, negative, more than two decimals,
 * exponents, anything else, and amounts above CP_MONEY_MAX, with a message in err. */
#define CP_MONEY_MAX INT64_C(100000000000000) /* ¥1,000,000,000,000.00 */
enum cp_err cp_money_parse(const char *text, int64_t *fen, struct cp_errbuf *err);

/* Formats fen as "<symbol>12.30" (or "-<symbol>12.30"); symbol NULL means "¥". Always
 * NUL-terminates; returns the length it needed (like snprintf). */
int cp_money_format(int64_t fen, const char *symbol, char *out, size_t outlen);

#endif
