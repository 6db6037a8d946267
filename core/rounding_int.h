/* rounding_int.h — what sale.c and receipt.c call for 抹零: the plan of a sale's rounding
 * spread over its lines, its part of the sale payload, the apply function shared with verify,
 * and the receipt's rounding line. */
#ifndef CP_ROUNDING_INT_H
#define CP_ROUNDING_INT_H

#include <jansson.h>

#include "cart.h"
#include "rounding.h"
#include "sale.h"

struct cp_pointspay_plan;
struct cp_receipt_view;

struct cp_rounding_plan {
	enum cp_rounding mode;
	int64_t due; /* the cash due before rounding */
	int64_t fen; /* taken off it (negative: added) */
	int64_t line_fen[CP_CART_MAX_LINES];
};

/* The rounding of a sale of cart->total paid with tenders: applies only when a cash tender is
 * among them, to total less the non-cash tenders. Fills out (fen 0: none); nothing else. */
enum cp_err cp_rounding_plan(struct cp_db *db, const struct cp_cart_view *cart,
			     const struct cp_tender *t, int n, struct cp_rounding_plan *out,
			     struct cp_errbuf *err);

/* Spreads plan->fen over the cart's lines in proportion to what each line has left after the
 * points that pay for it (pp), to the fen, so that each line keeps its share and a refund gives
 * back what was paid; lowers the lines' amounts, cart->total and cart->eligible. */
enum cp_err cp_rounding_spread(struct cp_cart_view *cart, const struct cp_pointspay_plan *pp,
			       struct cp_rounding_plan *plan, struct cp_errbuf *err);

/* The sale payload's "rounding" object ({"mode","due","fen","lines":[{"n","fen"}]}), set only
 * when plan->fen is not 0. */
enum cp_err cp_rounding_payload(const struct cp_rounding_plan *plan, json_t *payload,
				struct cp_errbuf *err);

/* Sale apply: the payload's "rounding" (absent: nothing) becomes sale_rounding and
 * rounding_line rows and the day's ('sale', 'rounding') tally row. */
enum cp_err cp_rounding_sale_apply(struct cp_db *db, int64_t seq, json_t *payload,
				   struct cp_errbuf *err);

/* The sale's rounding into v->rounding, each line's share added back to its amount (the
 * receipt prints the lines as priced, then the rounding line). */
enum cp_err cp_rounding_receipt_fill(struct cp_db *db, int64_t seq, struct cp_receipt_view *v,
				     struct cp_errbuf *err);

#endif
