/* discount_int.h — the hooks of discount.c into the cart (pricing when viewed), the sale (its
 * payload's "discounts" and their apply function) and the tier records (demo store and HQ). */
#ifndef CP_DISCOUNT_INT_H
#define CP_DISCOUNT_INT_H

#include <jansson.h>

#include "cart.h"
#include "discount.h"
#include "records_int.h"

struct cp_park_recall;

/* Prices the lines of v as read (list or member price) for its member and manual discounts:
 * each line's amount, saving, discount, discount_share and coupon_off, and the view's total,
 * eligible, member_saving and discount. Called by the cart whenever it is read. */
enum cp_err cp_discount_price(struct cp_db *db, struct cp_cart_view *v, struct cp_errbuf *err);

/* What cp_discount_price reads from the tables for a cart: the member's tier discount and the
 * cart's manual discounts (about 11 KB). The cart keeps them with its memo (cart.c), so that a
 * scan, which changes neither, prices its cart without reading them again. */
struct cp_discount_manual {
	int line_no; /* 0: the whole sale */
	enum cp_discount_kind kind;
	int64_t value;
	char reason[CP_DISCOUNT_REASON_MAX + 1];
	char manager[17];
};

#define CP_DISCOUNT_MANUAL_MAX (CP_CART_MAX_LINES + 1)

struct cp_discount_inputs {
	bool has_tier; /* tier: the member's tier has a discount */
	struct cp_tier_discount tier;
	int n; /* m: the lines' in line order, then the sale's (line_no 0) */
	struct cp_discount_manual m[CP_DISCOUNT_MANUAL_MAX];
};

/* Reads them for cart v (its member's tier), whether or not it has lines. */
enum cp_err cp_discount_inputs_read(struct cp_db *db, const struct cp_cart_view *v,
				    struct cp_discount_inputs *in, struct cp_errbuf *err);
/* cp_discount_price with inputs read before and pricing configuration c. */
enum cp_err cp_discount_price_with(struct cp_cart_view *v, const struct cp_discount_config *c,
				   const struct cp_discount_inputs *in, struct cp_errbuf *err);

/* Adds "discounts" (the cart's manual discounts with what each took off, sale line numbers)
 * to a sale payload when the cart has any. */
enum cp_err cp_discount_sale_payload(struct cp_db *db, const struct cp_cart_view *cart,
				     json_t *payload, struct cp_errbuf *err);

/* cp_sale_apply: the sale_discount rows of "discounts" (absent: nothing). */
enum cp_err cp_discount_sale_apply(struct cp_db *db, int64_t seq, json_t *payload,
				   struct cp_errbuf *err);

/* A tier record's optional "discount_bp" (0..10000, 0 or absent: none) and "discount_except"
 * (category codes separated by commas), stored for tier level. */
enum cp_err cp_discount_tier_record(struct cp_db *db, const struct rec_src *src, json_t *o,
				    int level, const char *where, struct cp_errbuf *err);
/* The tier's discount goes with the tier (HQ's delete, key the level as text). */
enum cp_err cp_discount_tier_delete(struct cp_db *db, const char *key, struct cp_errbuf *err);

/* park.c, inside cp_park_save: the open cart's manual discounts go with parked sale id. */
enum cp_err cp_discount_park(struct cp_db *db, int64_t id, struct cp_errbuf *err);

/* park.c, inside cp_park_recall once the lines are back: parked sale id's manual discounts go
 * back on who's cart, each judged as cp_discount_add judges a new one (a manager's authority
 * stays with it); one whose line is gone, that takes nothing off now, or that is now above the
 * limit without a manager's authority is left off, listed in r->discounts with the reason. */
enum cp_err cp_discount_unpark(struct cp_db *db, const struct cp_session *who, int64_t id,
			       struct cp_park_recall *r, struct cp_errbuf *err);

/* Half up to the fen: a * bp / 10000 rounded half up (a >= 0, 0 <= bp <= 10000); false on
 * overflow. */
bool cp_discount_bp_of(int64_t a, int64_t bp, int64_t *out);

#endif
