/* cart_tender_int.h — what sale.c and park.c call of the open sale's kept payments. */
#ifndef CP_CART_TENDER_INT_H
#define CP_CART_TENDER_INT_H

#include "cart_tender.h"

struct cp_db;

/* The kept payments in order (no owner's check: the caller made it). */
enum cp_err cp_cart_tender_load(struct cp_db *db, struct cp_tender out[CP_TENDER_MAX], int *n,
				struct cp_errbuf *err);

/* The kept payments followed by t[0..n): what the sale is paid with (CP_EINVAL beyond
 * CP_TENDER_MAX). */
enum cp_err cp_cart_tender_merge(struct cp_db *db, const struct cp_tender *t, int n,
				 struct cp_tender out[CP_TENDER_MAX], int *nout,
				 struct cp_errbuf *err);

#endif
