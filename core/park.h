/* park.h — parked sales (挂单/取单): the open cart set aside so that the next customer can be
 * served, and brought back later by picking it from a list. Parked sales live in the database
 * like the open cart, so a crash or a power cut loses none; they are priced again on recall. */
#ifndef CP_PARK_H
#define CP_PARK_H

#include <stdbool.h>
#include <stdint.h>

#include "cart.h"
#include "coupon.h"
#include "cp_error.h"

struct cp_db;
struct cp_session;

#define CP_PARK_DEFAULT_MAX 5 /* [sale] max_parked */
#define CP_PARK_LIMIT 50      /* the most max_parked may say */

/* One parked sale as the list shows it. total is what it came to when it was parked. */
struct cp_parked {
	int64_t id;
	char staff[17];
	char staff_name[65];
	int64_t parked_at; /* ms */
	int64_t opened_at; /* ms, when its first item was scanned */
	int nlines;
	int64_t items;
	int64_t total;
	char member_masked[16]; /* "" without a member */
};

/* A line whose unit price differs on recall from the price it had when it was parked. now is -1
 * when its item has left the catalogue (the line was dropped). */
struct cp_park_change {
	int line_no;
	char sku[33];
	char name[129];
	int64_t was;
	int64_t now;
};

/* A manual discount the parked sale had (discount.h), as recall found it. */
struct cp_park_discount {
	int line_no; /* 0: the whole sale's */
	int kind;    /* enum cp_discount_kind */
	int64_t value;
	char manager[17]; /* who authorised it, "" when none was needed */
	bool kept;
	struct cp_errbuf why; /* not kept: why (its line gone, now above the limit, ...) */
};

struct cp_park_recall {
	struct cp_parked sale; /* what was recalled, as it was listed */
	int nchanged;
	struct cp_park_change changed[CP_CART_MAX_LINES];
	bool member_dropped; /* its member is no longer known here: recalled without one */
	char guide[17];      /* the guide who served it, serving it again; "" for none */
	/* The coupons it had when parked, in order: kept, or left off with the reason (used
	 * meanwhile, expired, another member's, below its threshold now, ...). */
	int ncoupons;
	struct {
		char code[CP_COUPON_CODE_LEN + 1];
		bool kept;
		struct cp_errbuf why; /* not kept: why (a refusal as cp_coupon_apply's) */
	} coupons[CP_COUPON_CART_MAX];
	/* Its manual discounts, the lines' first: kept, or left off with the reason. */
	int ndiscounts;
	struct cp_park_discount discounts[CP_CART_MAX_LINES + 1];
};

/* Parks who's open cart (lines, quantities, member, coupons, manual discounts, serving guide,
 * when it was opened) and empties it, in
 * one transaction. Refused with nothing changed: not logged in (CP_EAUTH), another login's
 * open sale (CP_ESTATE naming the owner), no open sale or one without lines (CP_ESTATE), the
 * till already holding its configured number of parked sales (CP_ESTATE, saying to recall
 * one first). *id (may be NULL) gets the parked sale's number. */
enum cp_err cp_park_save(struct cp_db *db, const struct cp_session *who, int64_t *id,
			 struct cp_errbuf *err);

/* The parked sales, oldest first: out[0..*n) of at most max. */
enum cp_err cp_park_list(struct cp_db *db, struct cp_parked *out, int max, int *n,
			 struct cp_errbuf *err);

/* Makes parked sale id who's open cart again, with the same line numbers, quantities,
 * member and serving guide, priced from the catalogue as it is now: out (may be NULL) lists the
 * lines whose price changed, and its manual discounts and coupons, each checked again (one no
 * longer usable is left off, with the reason). Refused with nothing changed: no such parked
 * sale (CP_ENOTFOUND), a sale open now or payments kept on the open cart (CP_ESTATE: park,
 * finish or cancel it first), a sale parked by someone else when who is not a manager
 * (CP_EPERM). */
enum cp_err cp_park_recall(struct cp_db *db, const struct cp_session *who, int64_t id,
			   struct cp_park_recall *out, struct cp_errbuf *err);

/* The most parked sales this till keeps (from cp_db_options.park_max). */
int cp_park_max(const struct cp_db *db);

#endif
