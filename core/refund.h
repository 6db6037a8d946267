/* refund.h — refunds and post-voids of a completed sale by its receipt number, whole or by
 * line, with a manager's authority: money back by the original methods, points and growth
 * clawed back in proportion, no line ever refunded twice. */
#ifndef CP_REFUND_H
#define CP_REFUND_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"
#include "sale.h"

struct cp_db;
struct cp_session;

#define CP_REFUND_MAX_LINES 100

struct cp_refund_req {
	const char *receipt;
	const int *
		lines; /* line numbers of the sale; NULL or nlines == 0: every line not yet refunded */
	/* Units to refund of each entry of lines (NULL, or an entry 0: every unit of the line not
	 * yet refunded). A weighed line is one unit: it is refunded whole. */
	const int64_t *qty;
	int nlines;
	bool void_sale; /* post-void: the whole sale, same business day, nothing refunded before */
	const char *manager_code, *manager_pin; /* not needed when the session is a manager's */
};

struct cp_refund_result {
	char receipt[CP_RECEIPT_LEN]; /* the refund's own receipt number */
	int64_t seq;
	int64_t amount; /* money given back */
	int ntenders;
	struct cp_tender tenders[CP_TENDER_MAX]; /* how it goes back */
	int64_t points, growth;                  /* clawed back (positive numbers) */
	int64_t points_back;     /* points that paid for the lines, given back to the member */
	int64_t points_back_fen; /* their money, the "points" tender among tenders */
	int64_t points_restored; /* offers' points given back (redemption lines refunded) */
	int64_t balance_after;
	bool balance_negative; /* the points were already spent */
	int coupons_voided;    /* unused coupons the sale had issued, voided */
	int coupons_returned;  /* used coupons given back (HQ config coupon_refund_returns) */
	char authorised_by[17];
};

/* Refunds (or post-voids) the lines req names. Every check on the receipt and the lines is
 * made before the manager's PIN is checked, so a refund that would be refused never asks for
 * (nor counts) a PIN. Money of k of a line's n units: the line's amount as paid (discounts and
 * coupon shares included) times the units refunded so far over n, rounded down, less what
 * earlier refunds of the line took; the refund that takes the last unit takes the rest, so the
 * refunds of a line sum to its amount. Points and growth are clawed back the same way over the
 * sale's eligible money, and points that paid for a line go back in the line's proportion.
 * Errors: CP_EAUTH (nobody logged in, wrong PIN), CP_EPERM (no manager), CP_ENOTFOUND (unknown
 * receipt), CP_EINVAL (no such line, a line named twice, a quantity out of range), CP_ESTATE
 * (refunded already, post-void not possible), CP_EDB, CP_ENOMEM. */
enum cp_err cp_refund(struct cp_db *db, const struct cp_session *who,
		      const struct cp_refund_req *req, struct cp_refund_result *out,
		      struct cp_errbuf *err);

struct cp_refund_quote_line {
	int line_no;
	char sku[33];
	char name[129];
	int64_t qty;                   /* sold */
	int64_t refunded;              /* units refunded before */
	int64_t unit_price, amount;    /* amount: the line as paid */
	int64_t pick_qty, pick_amount; /* what the selection takes of the line */
};

struct cp_refund_quote {
	char sale_receipt[CP_RECEIPT_LEN];
	char day[11]; /* the sale's business day */
	bool member;  /* the sale had a member: points are clawed back */
	int nlines;
	struct cp_refund_quote_line lines[CP_REFUND_MAX_LINES];
	/* for the selection, as cp_refund would do it now */
	int64_t amount;
	int ntenders;
	struct cp_tender tenders[CP_TENDER_MAX];
	int64_t points, growth, points_back, points_back_fen;
};

/* What cp_refund(req) would do, without writing anything and without asking for a manager:
 * the sale's lines with the units sold and refunded before, and for req's selection the money
 * back, the tenders it goes back to and the points clawed back and given back. The lines are
 * filled whenever the receipt is found, even when the selection is refused (so a screen can
 * show them). Errors: those of cp_refund other than CP_EAUTH for the PIN and CP_EPERM. */
enum cp_err cp_refund_quote(struct cp_db *db, const struct cp_session *who,
			    const struct cp_refund_req *req, struct cp_refund_quote *out,
			    struct cp_errbuf *err);

#endif
