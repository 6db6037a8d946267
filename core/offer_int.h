/* offer_int.h — the hooks of offers into the cart, the sale and the refund (offer.c), and the
 * record reader shared by the demo store and HQ's change feed. */
#ifndef CP_OFFER_INT_H
#define CP_OFFER_INT_H

#include <jansson.h>

#include "cart.h"
#include "db_int.h"
#include "offer.h"
#include "records_int.h"

/* Reads an offer record (sync/PROTOCOL.md "offer"), every field checked. */
enum cp_err cp_rec_offer(const struct rec_src *src, json_t *o, struct cp_offer *out,
			 const char *where, struct cp_errbuf *err);

/* Inside the cart's transaction: whether cart's member may take offer_id now, one more line
 * of it beside the cart's own; *out gets the offer. A refusal is one sentence naming why. */
enum cp_err cp_offer_check_add(struct cp_db *db, const struct cp_cart_view *cart,
			       const char *offer_id, struct cp_offer *out, struct cp_errbuf *err);

/* Inside the exchange's transaction: whether cart's member may exchange points for the coupon
 * offer offer_id now (coupon.c); a refusal is one sentence naming why. */
enum cp_err cp_offer_check_exchange(struct cp_db *db, const struct cp_cart_view *cart,
				    const char *offer_id, struct cp_offer *out,
				    struct cp_errbuf *err);

/* An apply function's offer_use row of one redemption (qty 1, no cash) of offer by member. */
enum cp_err cp_offer_use_record(struct cp_db *db, int64_t seq, int64_t n, const char *member,
				const char *offer, const char *day, int64_t points,
				struct cp_errbuf *err);

/* Inside the sale's transaction: every offer line of cart may still be taken as it stands
 * (offer there, valid on day, the sale's business day, tier, limit, stock, points). */
enum cp_err cp_offer_check_cart(struct cp_db *db, const struct cp_cart_view *cart, const char *day,
				struct cp_errbuf *err);

/* cp_sale_apply for a line of the payload that carries "offer": its offer_use row and the
 * member's "offer" movement (n = 100 + line). */
enum cp_err cp_offer_sale_line_apply(struct cp_db *db, int64_t seq, const char *member,
				     const char *day, json_t *line, struct cp_errbuf *err);

/* For a refund of the sale sale_seq taking lines[0..n): adds "offers" (each redemption line
 * given back: n, offer, points, cash and the sale's day) to payload when there are any, and
 * the points they restore to *points. */
enum cp_err cp_offer_refund_payload(struct cp_db *db, int64_t sale_seq, const int *lines, int n,
				    json_t *payload, int64_t *points, struct cp_errbuf *err);

/* cp_refund_apply for a payload's "offers" (absent: nothing): offer_use rows of -1 on the sale's
 * day and the member's "offer_refund" movements. */
enum cp_err cp_offer_refund_apply(struct cp_db *db, int64_t seq, const char *member,
				  json_t *payload, struct cp_errbuf *err);

#endif
