/* cart_cancel_int.h — cart.c's hook into the cancelled cart's audit row (cart_cancel.c). */
#ifndef CP_CART_CANCEL_INT_H
#define CP_CART_CANCEL_INT_H

#include "journal_int.h"

struct cp_session;

/* Inside cp_cart_cancel's transaction, before the cart is emptied: records the cart_cancel
 * event of who's open cart (staff, owner, day, opened_at, lines [{n, sku, name, qty, amount}],
 * items, total, member). An open cart without lines, or none, records nothing (*seq = 0). */
enum cp_err cp_cart_cancel_record(struct cp_db *db, const struct cp_session *who, int64_t *seq,
				  struct cp_errbuf *err);

#endif
