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

enum cp_err cp_refund(struct cp_db *db, const struct cp_session *who,
		      const struct cp_refund_req *req, struct cp_refund_result *out,
		      struct cp_errbuf *err);

#endif
