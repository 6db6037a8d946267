/* coupon.h — coupons (券): the templates HQ sends (amount off over a threshold, a percentage
 * with a cap, a free item; validity; scope; bound to a member or bearer; stacking), the
 * issuing rules that hand a member coupons when the money paid reaches a threshold, the codes
 * (terminal-prefixed, with a check character), and applying a code to the open cart. */
#ifndef CP_COUPON_H
#define CP_COUPON_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"

struct cp_db;
struct cp_session;

#define CP_COUPON_ID_LEN 32
#define CP_COUPON_CODE_LEN 12 /* 4 of the terminal's prefix, 7 random, 1 check character */
#define CP_COUPON_CART_MAX 4  /* coupons one sale may use */
#define CP_COUPON_LIST_MAX 64
#define CP_COUPON_CATS_LEN 128
#define CP_COUPON_RULE_MAX 8 /* templates one rule hands out (a pack) */

/* The 31 characters of a code: no 0, 1, I, O or U, which people misread. */
#define CP_COUPON_ALPHABET "23456789ABCDEFGHJKLMNPQRSTVWXYZ"

struct cp_coupon_template {
	char id[CP_COUPON_ID_LEN + 1];
	char kind[8]; /* "amount" (amount off), "percent" (percent_bp off, at most cap), "item" */
	char title_zh[65], title_en[65];
	int64_t threshold; /* fen the eligible lines must reach; 0: none */
	int64_t amount;    /* amount: fen off */
	int percent_bp;    /* percent: 1..10000 */
	int64_t cap;       /* percent: the most fen off; 0: no cap */
	char sku[33];      /* item: one of this item free */
	int valid_days;    /* > 0: valid this many days from issue; 0: valid_from..valid_to */
	char valid_from[11], valid_to[11];
	bool next_day;                       /* valid from the day after issue */
	char scope[8];                       /* "all", "only" (categories) or "except" */
	char categories[CP_COUPON_CATS_LEN]; /* codes, comma-separated */
	bool bearer; /* anyone may use it; else only the member it was issued to */
	bool stacks; /* may be used with another coupon in one sale */
};

/* An issuing rule (支付有礼): a member paying at least threshold fen of money (points do not
 * count) on a business day in valid_from..valid_to gets one coupon of each template. */
struct cp_coupon_rule {
	char id[CP_COUPON_ID_LEN + 1];
	int64_t threshold;
	char templates[CP_COUPON_RULE_MAX * (CP_COUPON_ID_LEN + 1)]; /* ids, comma-separated */
	char valid_from[11], valid_to[11];
};

/* Stores (inserts or replaces) a template or rule from HQ or the demo store after checking
 * every field; a bad one is CP_EINVAL naming the field, nothing stored. */
enum cp_err cp_coupon_template_put(struct cp_db *db, const struct cp_coupon_template *t,
				   struct cp_errbuf *err);
enum cp_err cp_coupon_rule_put(struct cp_db *db, const struct cp_coupon_rule *r,
			       struct cp_errbuf *err);
enum cp_err cp_coupon_template_get(struct cp_db *db, const char *id, struct cp_coupon_template *out,
				   struct cp_errbuf *err);

/* The check character of the first n characters of body (all in CP_COUPON_ALPHABET): chosen so
 * that the weighted sum (weights 1..n+1) of the code with it is 0 mod 31, which any single
 * changed character and any swap of two different neighbours breaks. '\0' for a bad body. */
char cp_coupon_check_char(const char *body, size_t n);

enum cp_coupon_shape {
	CP_COUPON_SHAPE_OK,   /* a well-formed code */
	CP_COUPON_SHAPE_NOT,  /* not a coupon code at all (length or characters) */
	CP_COUPON_SHAPE_TYPO, /* the shape of a code whose check character does not match */
};

/* Folds text into a code: letters upper-cased, spaces and '-' dropped; out gets it. */
enum cp_coupon_shape cp_coupon_parse(const char *text, char out[CP_COUPON_CODE_LEN + 1]);

/* This terminal's 4-character code prefix (from its store and terminal ids). */
void cp_coupon_prefix(const char *store, const char *terminal, char out[5]);

/* A coupon as this till knows it. */
struct cp_coupon_info {
	char code[CP_COUPON_CODE_LEN + 1];
	struct cp_coupon_template t;
	char member_id[64]; /* "" for a bearer coupon */
	char valid_from[11], valid_to[11];
	char state[8];    /* "open", "used" or "void" */
	bool issued_here; /* in this till's journal; else from HQ's feed */
};

/* Finds a coupon by its code (already parsed): CP_ENOTFOUND when this till knows none (the
 * message then says whether it could be checked: offline, a code of another till cannot). */
enum cp_err cp_coupon_find(struct cp_db *db, const char *code, struct cp_coupon_info *out,
			   struct cp_errbuf *err);

/* The coupons the open cart applies and the discount they give now. */
struct cp_coupon_quote {
	int n;
	struct {
		char code[CP_COUPON_CODE_LEN + 1];
		char title[65];
		int64_t fen;
	} c[CP_COUPON_CART_MAX];
	int64_t discount; /* fen off in all */
	int64_t total;    /* the cart's total before ... */
	int64_t due;      /* ... and after the coupons */
};

/* Applies the coupon with this code (typed or scanned; folded by cp_coupon_parse) to who's open
 * cart, after checking every rule: it exists, is unused, valid today, belongs to the attached
 * member when bound, the eligible lines reach its threshold, it stacks. A refusal is one
 * sentence naming the reason, nothing changed. *out (may be NULL) gets the quote. */
enum cp_err cp_coupon_apply(struct cp_db *db, const struct cp_session *who, const char *code,
			    struct cp_coupon_quote *out, struct cp_errbuf *err);
/* Takes a coupon off the open cart. */
enum cp_err cp_coupon_remove(struct cp_db *db, const struct cp_session *who, const char *code,
			     struct cp_errbuf *err);
/* The cart's coupons and what they take off as the cart stands (a coupon that no longer holds
 * is CP_ESTATE naming why: remove it or the payment is refused the same way). */
enum cp_err cp_coupon_quote(struct cp_db *db, const struct cp_session *who,
			    struct cp_coupon_quote *out, struct cp_errbuf *err);

/* Points for a coupon (积分兑券): the attached member spends an offer's points (an offer of
 * reward kind "coupon", offer.h) and the coupon of its template is issued to them in the same
 * transaction, one coupon_exchange event. The offer's validity, tier, limit and the points
 * available (less what the cart holds) are checked as for any offer; a refusal names why and
 * changes nothing. */
struct cp_coupon_exchange {
	int64_t seq;
	int64_t points;
	int64_t balance_after;
	struct cp_coupon_info coupon;
};
enum cp_err cp_coupon_exchange(struct cp_db *db, const struct cp_session *who, const char *offer_id,
			       struct cp_coupon_exchange *out, struct cp_errbuf *err);

/* The attached member's coupons, open ones first (valid soonest ending first). */
struct cp_coupon_list {
	char member_id[64];
	int n;
	bool more;
	struct cp_coupon_info e[CP_COUPON_LIST_MAX];
};
enum cp_err cp_coupon_list(struct cp_db *db, const struct cp_session *who,
			   struct cp_coupon_list *out, struct cp_errbuf *err);

#endif
