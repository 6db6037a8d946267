/* cart_cancel_int.h — cart.c's hook into the cancelled cart's audit row (cart_cancel.c). */
#ifndef CP_CART_CANCEL_INT_H
#define CP_CART_CANCEL_INT_H

#include "journal_int.h"
#include "sale.h"

struct cp_session;

/* Inside cp_cart_cancel's transaction, before the cart is emptied: records the cart_cancel
 * event of who's open cart (staff, owner, day, opened_at, lines [{n, sku, name, qty, amount}],
 * items, total, member, and tenders [{method, amount, ref}] when payments were kept for it:
 * back[0..*nback) gets them, to be given back). An open cart with neither lines nor payments,
 * or none, records nothing (*seq = 0). */
enum cp_err cp_cart_cancel_record(struct cp_db *db, const struct cp_session *who, int64_t *seq,
				  struct cp_tender back[CP_TENDER_MAX], int *nback,
				  struct cp_errbuf *err);

#endif
