/* scale.h — weighed items (散称): the EAN-13 labels a store's scale prints, read by layouts
 * that configuration gives as data, and UPC-A codes with their EAN-13 form. A layout is 13
 * characters, one per digit of the label: a digit must be that digit (the prefix), x any
 * digit, P the item's PLU (its SKU), T the label's price in fen or W the weight in grams, K a
 * GS1 price/weight check digit over the 4 or 5 T or W digits, and C the EAN-13 check digit,
 * last. Layouts are separated by spaces: "20PPPPPTTTTTC 21PPPPPWWWWWC". */
#ifndef CP_SCALE_H
#define CP_SCALE_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog.h"
#include "cp_error.h"

struct cp_db;

#define CP_SCALE_LAYOUTS_MAX 8
#define CP_SCALE_DEFAULT_LAYOUTS "20PPPPPTTTTTC 21PPPPPWWWWWC"
#define CP_SCALE_WEIGHT_MAX 99999 /* grams on one label */

/* What a label says. */
struct cp_scale_label {
	char plu[8];
	bool by_weight; /* value is grams; else the price in fen the scale computed */
	int64_t value;
};

/* Checks a layouts text as configuration gives it; CP_ECONFIG saying what is wrong. */
enum cp_err cp_scale_layouts_check(const char *layouts, struct cp_errbuf *err);

/* Reads code (13 digits, EAN-13 check digit already valid) by layouts. CP_ENOTFOUND (err
 * untouched) when no layout's prefix matches: an ordinary barcode. CP_EINVAL when one matches
 * but an embedded check digit is wrong or the weight is zero, with a message. */
enum cp_err cp_scale_parse(const char *layouts, const char *code, struct cp_scale_label *out,
			   struct cp_errbuf *err);

/* The layouts this till reads (cp_db_options.scale_layouts; NULL there: the default above;
 * "": none). */
const char *cp_scale_layouts(const struct cp_db *db);

/* The catalogue item of a label's PLU (its SKU, leading zeros also left off). CP_ENOTFOUND
 * naming the PLU when there is none. */
enum cp_err cp_scale_item(struct cp_db *db, const struct cp_scale_label *l, struct cp_item *out,
			  struct cp_errbuf *err);

/* A weighed line's amount: weight_g at per_kg fen a kilogram, rounded half up to the fen;
 * false on overflow. */
bool cp_scale_amount(int64_t weight_g, int64_t per_kg, int64_t *out);
/* The weight a price label stands for at per_kg (for showing), rounded half up; 0 when
 * per_kg is 0. */
int64_t cp_scale_weight(int64_t amount, int64_t per_kg);

/* The other form of a UPC-A code: 12 digits -> "0" + code; 13 digits starting with 0 -> the
 * last 12. false for anything else. */
bool cp_scale_upc_twin(const char *code, char twin[14]);

#endif
