/* sale.h — completing the open cart: tenders, change, points and growth, and the one
 * transaction that records the sale, its lines, tenders, movements and its journal row. */
#ifndef CP_SALE_H
#define CP_SALE_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"

struct cp_db;
struct cp_session;

enum cp_tender_method {
	CP_TENDER_CASH,
	CP_TENDER_CARD,
	CP_TENDER_WECHAT,
	CP_TENDER_ALIPAY,
	CP_TENDER_UNIONPAY, /* UnionPay QR (云闪付) */
	CP_TENDER_POINTS,   /* the member's points (积分抵现): whole steps, see pointspay.h */
};
#define CP_TENDER_MAX 8
#define CP_TENDER_REF_LEN 4 /* a tender's reference: the last four digits of a card or code */

/* "cash", "card", "wechat", "alipay", "unionpay", "points"; parse returns -1 for anything else. */
const char *cp_tender_name(enum cp_tender_method m);
int cp_tender_parse(const char *name);

struct cp_tender {
	enum cp_tender_method method;
	int64_t amount; /* fen, > 0 */
	/* Empty, or the last four digits of the customer's payment code (never the whole code,
	 * a bearer credential); not for cash. Recorded with the tender and printed masked. */
	char ref[CP_TENDER_REF_LEN + 1];
};

#define CP_RECEIPT_LEN 48

struct cp_sale_result {
	char receipt[CP_RECEIPT_LEN]; /* store-terminal-sequence */
	int64_t seq;                  /* journal sequence */
	int64_t total, tendered, change;
	int64_t rounding; /* 抹零 taken off the cash due (negative: added; rounding.h); in total */
	int64_t eligible;
	int64_t points, growth; /* earned */
	int multiplier_bp;
	int64_t points_spent;  /* offers' points plus the points tender */
	int64_t balance_after; /* member's points balance shown afterwards; 0 without a member */
	char verify_code[9];   /* short code from the journal hash, printed on the receipt */
	char guide[17];        /* the guide the sale is credited to; "" for none */
	/* The member has no guide and a serving guide was credited: offer to bind them. */
	bool guide_offer;
	/* The tier this sale lifted the member to ("" and -1 when none): said once, here. */
	char tier_up[33];
	int tier_up_level;
};

/* Pays the open cart. Tenders must cover the total; only cash may exceed what is due (the
 * excess is change). Bad tenders change nothing. */
enum cp_err cp_sale_pay(struct cp_db *db, const struct cp_session *who,
			const struct cp_tender *tenders, int ntenders, struct cp_sale_result *out,
			struct cp_errbuf *err);

#endif
