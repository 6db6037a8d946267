/* sale_weight_int.h — the weighed lines of a sale (sale_weight.c), for sale.c and receipt.c. */
#ifndef CP_SALE_WEIGHT_INT_H
#define CP_SALE_WEIGHT_INT_H

#include <jansson.h>

#include "cp_error.h"

struct cp_db;
struct cp_receipt_view;

/* cp_sale_apply: the payload's lines with "weight_g" and "per_kg" become sale_weight rows. */
enum cp_err cp_sale_weight_apply(struct cp_db *db, int64_t seq, json_t *lines,
				 struct cp_errbuf *err);

/* The weight and price a kilogram of sale seq's weighed lines into v's lines. */
enum cp_err cp_sale_weight_receipt_fill(struct cp_db *db, int64_t seq, struct cp_receipt_view *v,
					struct cp_errbuf *err);

#endif
