/* offer.h — points-plus-cash offers (积分+现金): what HQ offers (an item for points and cash,
 * valid some business days, from a lowest tier, a limit per member per day, month or ever, an
 * optional stock for this store), which of them the cart's member can take now and why not the
 * rest. A taken offer is a cart line (cp_cart_add_offer) that holds its points until the sale
 * deducts them or the line goes. */
#ifndef CP_OFFER_H
#define CP_OFFER_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"

struct cp_db;
struct cp_session;
struct cp_cart_view;

#define CP_OFFER_ID_LEN 32
#define CP_OFFER_LIST_MAX 64

struct cp_offer {
	char id[CP_OFFER_ID_LEN + 1];
	char reward_kind[17]; /* "item": the item sku; "coupon": the coupon template in sku */
	char sku[33];
	char name_zh[129], name_en[129];
	int64_t points, cash;              /* either may be 0, not both */
	char valid_from[11], valid_to[11]; /* business days "YYYY-MM-DD", both included */
	int min_tier;
	int64_t limit;  /* per member per period; 0 = no limit */
	char period[6]; /* "day", "month" or "ever" */
	int64_t stock;  /* this store's, over the offer's life; -1 = no stock kept */
};

/* Why the member cannot take an offer now (CP_OFFER_OK: they can). */
enum cp_offer_why {
	CP_OFFER_OK,
	CP_OFFER_NOT_YET, /* valid_from is after today */
	CP_OFFER_ENDED,   /* valid_to is before today */
	CP_OFFER_TIER,    /* the member's tier is below min_tier */
	CP_OFFER_LIMIT,   /* the member has taken it limit times this period */
	CP_OFFER_STOCK,   /* none left at this store */
	CP_OFFER_POINTS,  /* more points than the balance less the points the cart holds */
	CP_OFFER_REWARD,  /* a reward this till cannot give yet */
};

/* A short English phrase for the reason ("tier too low"), for lists; the UI translates it. */
const char *cp_offer_why_text(enum cp_offer_why why);

struct cp_offer_entry {
	struct cp_offer offer;
	enum cp_offer_why why;
	int64_t limit_left; /* takes left this period (cart lines counted); -1 without a limit */
	int64_t stock_left; /* this store's, cart lines counted; -1 without a stock */
};

struct cp_offer_list {
	char member_id[64];
	int64_t balance;   /* the member's balance as this till knows it */
	int64_t held;      /* points held by the cart's offer lines */
	int64_t available; /* balance - held */
	int n;
	bool more; /* more offers are valid today than the list holds */
	struct cp_offer_entry e[CP_OFFER_LIST_MAX];
};

/* The offers valid today (business day) for the member attached to who's open cart, ending
 * soonest first, at most CP_OFFER_LIST_MAX: each with why it cannot be taken now, if so. No
 * member attached: CP_ESTATE "attach a member first". */
enum cp_err cp_offer_list(struct cp_db *db, const struct cp_session *who, struct cp_offer_list *out,
			  struct cp_errbuf *err);

/* One offer as stored; CP_ENOTFOUND when there is none with this id. */
enum cp_err cp_offer_get(struct cp_db *db, const char *id, struct cp_offer *out,
			 struct cp_errbuf *err);

/* Stores (inserts or replaces) an offer from HQ or the demo store after checking every field;
 * a bad one is CP_EINVAL naming the field, nothing stored. */
enum cp_err cp_offer_put(struct cp_db *db, const struct cp_offer *o, struct cp_errbuf *err);

#endif
