/* rounding.h — 抹零: the till's rounding of the cash amount due, in the mode the store
 * configures. Only the part of a sale paid in cash is rounded; card, mobile and points payments
 * never are. */
#ifndef CP_ROUNDING_H
#define CP_ROUNDING_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"

struct cp_db;

enum cp_rounding {
	CP_ROUNDING_NONE,      /* "none": the default; nothing rounded */
	CP_ROUNDING_JIAO_DOWN, /* "jiao_down": the fen dropped (抹分), ¥12.34 -> ¥12.30 */
	CP_ROUNDING_JIAO_NEAREST, /* "jiao_nearest": to the nearest jiao, half up (四舍五入到角) */
	CP_ROUNDING_YUAN_DOWN, /* "yuan_down": jiao and fen dropped (抹角), ¥12.34 -> ¥12.00 */
	CP_ROUNDING_YUAN_NEAREST, /* "yuan_nearest": to the nearest yuan, half up */
};

/* "none", "jiao_down", "jiao_nearest", "yuan_down", "yuan_nearest"; parse returns -1 for
 * anything else (NULL too). */
const char *cp_rounding_name(enum cp_rounding mode);
int cp_rounding_parse(const char *name);

/* The rounding of a cash amount due in mode: *fen is what comes off it (negative when the
 * nearest step is above it, e.g. ¥12.35 -> ¥12.40 is -5). A due of 0 or less, or one that
 * would round to nothing (¥0.08 with jiao_down stays ¥0.08), is not rounded (*fen = 0). False
 * when due is above CP_MONEY_MAX or the mode is unknown; *fen is then 0. */
bool cp_rounding_compute(enum cp_rounding mode, int64_t due, int64_t *fen);

/* The till's mode (cp_db_options.rounding). */
enum cp_rounding cp_rounding_mode(const struct cp_db *db);

/* What the till rounds off a sale of total paid with noncash (card, mobile and points tenders)
 * when the rest is paid in cash: the cash due is total - noncash. For the pay screen and the
 * script's quote; cp_sale_pay applies the same rule. */
bool cp_rounding_quote(const struct cp_db *db, int64_t total, int64_t noncash, int64_t *fen);

#endif
