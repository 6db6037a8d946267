/* cart.h — the open sale before payment. It lives in the database and changes with every
 * scan, so a crash or a closed window never loses it; one open cart per terminal. It belongs
 * to the staff member and the login (session) that opened it: every other session is refused
 * until it takes the sale over, which is recorded in the journal. */
#ifndef CP_CART_H
#define CP_CART_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"
#include "member.h"

struct cp_db;
struct cp_session;

#define CP_CART_MAX_LINES 100
#define CP_QTY_MAX 9999

struct cp_cart_line {
	int line_no; /* 1-based, stable while the cart is open */
	char sku[33];
	char name[129];    /* Chinese name (English when it has none) */
	char offer_id[33]; /* the offer an offer line redeems; "" otherwise */
	char category[33];
	int64_t qty;
	int64_t unit_price; /* member price when a member is attached and the item has one */
	int64_t amount;     /* qty * unit_price */
	int64_t saving;     /* list amount - amount before manual discounts: member price or tier
			 * discount (discount.h), the best the member is entitled to */
	int64_t discount;   /* manual discounts (discount.h): its own and its share ... */
	int64_t discount_share; /* ... of the whole sale's; amount is after both */
	bool coupon_off;        /* coupons leave the line out (pricing configuration) */
	bool eligible;          /* earns points and growth */
	bool redemption; /* a points-plus-cash offer line: earns nothing, never paid with points */
	int64_t points;  /* points the line holds (offer lines), 0 otherwise */
	/* A weighed line (a scale label, scale.h): qty 1 and unit_price = amount; its weight in
	 * grams and its price a kilogram; weighed false and both 0 for any other line. */
	bool weighed;
	int64_t weight_g;
	int64_t per_kg;
};

struct cp_cart_view {
	bool open;
	char staff[17];
	int64_t opened_at;
	int nlines;
	struct cp_cart_line lines[CP_CART_MAX_LINES];
	int64_t total;
	int64_t eligible;      /* sum of eligible line amounts */
	int64_t items;         /* sum of quantities */
	int64_t points_held;   /* points held by the cart's offer lines */
	int64_t member_saving; /* sum of the lines' savings (会员优惠) */
	int64_t discount;      /* sum of the lines' manual discounts */
	bool has_member;
	struct cp_member_view member;
};

/* The cart as it stands (open == false when there is none). With who, the cart as the session
 * who may work on it: another session's open cart is refused (CP_ESTATE, the message names
 * the owner, since when, how many items, and what to do) and *out is left empty. who NULL reads
 * it without that check (reports, tests). */
enum cp_err cp_cart_view(struct cp_db *db, const struct cp_session *who, struct cp_cart_view *out,
			 struct cp_errbuf *err);

/* Who has the open sale, for a prompt: never refused. mine is true when who owns it. */
struct cp_cart_owner {
	bool open;
	bool mine;
	char staff[17];
	char name[65]; /* the staff member's name; "" when the code is not known */
	int64_t opened_at;
	int nlines;
	int64_t items;
	int64_t total;
};
enum cp_err cp_cart_owner(struct cp_db *db, const struct cp_session *who, struct cp_cart_owner *out,
			  struct cp_errbuf *err);

/* Every change below needs a logged-in session (CP_EAUTH) that owns the open cart (CP_ESTATE
 * naming the owner, nothing changed); scan and set_member open a cart for who when none is. */

/* Adds qty (1..CP_QTY_MAX) of the item with this barcode or SKU; scanning an item already in
 * the cart adds to its line. A scale label (scale.h) is a weighed line of its own, qty 1 only
 * (CP_EINVAL otherwise). *line_no (may be NULL) gets the line. Unknown code or PLU:
 * CP_ENOTFOUND, cart unchanged. */
enum cp_err cp_cart_scan(struct cp_db *db, const struct cp_session *who, const char *code,
			 int64_t qty, int *line_no, struct cp_errbuf *err);
enum cp_err cp_cart_set_qty(struct cp_db *db, const struct cp_session *who, int line_no,
			    int64_t qty, struct cp_errbuf *err);
enum cp_err cp_cart_remove(struct cp_db *db, const struct cp_session *who, int line_no,
			   struct cp_errbuf *err);
/* Attaches the member with this id (found by cp_member_find_*), or detaches with NULL. */
enum cp_err cp_cart_set_member(struct cp_db *db, const struct cp_session *who,
			       const char *member_id, struct cp_errbuf *err);
/* Takes the offer with this id for the attached member: a line of qty 1 at the offer's cash
 * price that holds its points (offer.h says when it can be taken; a refusal names the reason
 * and changes nothing). Removing the line, detaching or changing the member releases it. */
enum cp_err cp_cart_add_offer(struct cp_db *db, const struct cp_session *who, const char *offer_id,
			      int *line_no, struct cp_errbuf *err);
/* Throws the open cart away; one with lines leaves a cart_cancel journal event (who, when it
 * was opened, its lines, member and total), counted in the day's tally. */
enum cp_err cp_cart_cancel(struct cp_db *db, const struct cp_session *who, struct cp_errbuf *err);

/* Takes another session's open sale over for who (the same staff member after a crash or a
 * new login, or a colleague): one cart_takeover event naming both staff codes, when the sale
 * was opened, its lines, items, total and member, and the cart then belongs to who. No open
 * cart, or one who owns already: CP_ESTATE, nothing recorded. out (may be NULL) gets the
 * previous owner and the event's sequence. */
struct cp_cart_takeover {
	int64_t seq;
	struct cp_cart_owner from;
};
enum cp_err cp_cart_take_over(struct cp_db *db, const struct cp_session *who,
			      struct cp_cart_takeover *out, struct cp_errbuf *err);

#endif
