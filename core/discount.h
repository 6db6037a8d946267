/* discount.h — what a member and the cashier take off the list price: a tier's discount
 * (a percentage with categories it leaves out) beside the member price, and manual discounts
 * of a line or of the whole sale with a reason, above a limit with a manager's authority.
 * Which of them stack is configuration (README "Pricing"). */
#ifndef CP_DISCOUNT_H
#define CP_DISCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"

struct cp_db;
struct cp_session;

/* How the prices stack ([pricing] in the configuration). All false and 1000: the default. */
struct cp_discount_config {
	/* member_and_tier: false ("best") gives a line the lower of the member price and the
	 * tier's discount off the list price; true ("stack") takes the tier's discount off the
	 * member price. */
	bool tier_stacks;
	/* coupons_on_member_prices = false: a coupon leaves out the lines a member saving
	 * lowered (member price or tier discount). */
	bool coupons_skip_member;
	/* manual_on_member_prices = false: a line a manual discount touches is at its list price
	 * (no member saving) before the manual discount. */
	bool manual_replaces_member;
	/* A manual discount above this share (basis points) of what it is taken from needs a
	 * manager's code and PIN (0: every one does). */
	int manual_limit_bp;
};

/* The defaults above. */
void cp_discount_config_default(struct cp_discount_config *c);
/* Sets the pricing configuration of db (copied); cp_db_open takes it from its options. */
void cp_discount_configure(struct cp_db *db, const struct cp_discount_config *c);

/* A tier's discount: bp off the list price (1..10000), except the categories in except (codes
 * separated by commas; "items on offer" are an offer category listed there). */
struct cp_tier_discount {
	int level;
	int discount_bp;
	char except[256];
};
/* Stores (bp > 0) or removes (bp == 0) the discount of tier level. Bad values: CP_EINVAL. */
enum cp_err cp_tier_discount_put(struct cp_db *db, const struct cp_tier_discount *d,
				 struct cp_errbuf *err);
/* The discount of tier level; CP_ENOTFOUND when it has none. */
enum cp_err cp_tier_discount_get(struct cp_db *db, int level, struct cp_tier_discount *out,
				 struct cp_errbuf *err);

enum cp_discount_kind {
	CP_DISCOUNT_AMOUNT,  /* value: fen off */
	CP_DISCOUNT_PERCENT, /* value: basis points off, 1..10000 */
};

#define CP_DISCOUNT_REASON_MAX 64 /* bytes of UTF-8 */

struct cp_discount_req {
	int line_no; /* the cart line; 0 for the whole sale */
	enum cp_discount_kind kind;
	int64_t value;
	const char *reason; /* why, 1..CP_DISCOUNT_REASON_MAX bytes */
	/* Needed above the limit, unless the session is a manager's; NULL otherwise. */
	const char *manager_code, *manager_pin;
};

struct cp_discount_result {
	int64_t fen;            /* what it takes off as the cart stands now */
	char authorised_by[17]; /* the manager, "" when none was needed */
};

/* Discounts a line of the open cart (replacing that line's manual discount) or the whole
 * sale (replacing the sale's), by an amount or a percentage of what the line (the sale) costs
 * after member prices and line discounts. Refusals, each one sentence and nothing written:
 * not logged in or another's cart, no such line, an offer line, a negative or zero value, a
 * percentage over 100%, an amount over what it is taken from, an empty reason, overflow, and
 * above the limit without a manager (CP_EPERM; wrong manager PINs count toward lock-out). The
 * discount is repriced with the cart: lowered quantities lower it, never below zero. */
enum cp_err cp_discount_add(struct cp_db *db, const struct cp_session *who,
			    const struct cp_discount_req *req, struct cp_discount_result *out,
			    struct cp_errbuf *err);

/* Removes the manual discount of line line_no (0: the whole sale's). None: CP_ENOTFOUND. */
enum cp_err cp_discount_remove(struct cp_db *db, const struct cp_session *who, int line_no,
			       struct cp_errbuf *err);

/* Parses a percentage a person typed ("10", "12.5", "12.50%") into basis points 1..10000;
 * CP_EINVAL with a sentence otherwise. */
enum cp_err cp_discount_parse_percent(const char *text, int64_t *bp, struct cp_errbuf *err);

#endif
