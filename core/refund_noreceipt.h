/* refund_noreceipt.h — a refund WITHOUT a receipt (无单退货): one known item, a whole quantity,
 * at its current price or one a manager confirms, for a reason, by a manager's authority, up
 * to a configured limit, money back in cash. No member, no points or growth clawed back. */
#ifndef CP_REFUND_NORECEIPT_H
#define CP_REFUND_NORECEIPT_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"
#include "sale.h"

struct cp_db;
struct cp_session;

#define CP_NORECEIPT_QTY_MAX 9999
/* The reason, in bytes of UTF-8 (about 40 Chinese characters). */
#define CP_NORECEIPT_REASON_MAX 120
/* The limit of one refund without a receipt when the configuration sets none: ¥500.00. */
#define CP_NORECEIPT_DEFAULT_LIMIT INT64_C(50000)

struct cp_refund_noreceipt_req {
	const char *code; /* barcode, SKU, or a scale label (then qty must be 1) */
	int64_t qty;      /* 1..9999 */
	bool price_set;   /* false: the item's current price (a label: the label's amount) */
	int64_t price;    /* fen per unit when price_set; must be > 0 */
	const char *reason;
	const char *manager_code, *manager_pin; /* not needed when the session is a manager's */
};

/* What the refund gives back, as cp_refund_noreceipt would do it now. */
struct cp_refund_noreceipt_quote {
	char sku[33];
	char name[129]; /* the Chinese name, the English one when it has none */
	int64_t qty;
	int64_t list_price; /* the item's current price a unit (a label: the label's amount) */
	int64_t unit_price; /* what is given back a unit */
	int64_t amount;     /* qty x unit_price: the money back, in cash */
	int64_t weight_g;   /* a weight label: its grams; else 0 */
	int64_t limit;      /* the configured limit of one refund without a receipt */
	char reason[CP_NORECEIPT_REASON_MAX + 1];
};

struct cp_refund_noreceipt_result {
	char receipt[CP_RECEIPT_LEN]; /* the refund slip's own number */
	int64_t seq;
	char day[11];
	char authorised_by[17];
	struct cp_refund_noreceipt_quote q;
};

/* The limit this till applies (cp_db_options.refund_noreceipt_limit, or the default). */
int64_t cp_refund_noreceipt_limit(const struct cp_db *db);

/* What cp_refund_noreceipt(req) would give back, writing nothing and asking for no manager:
 * every check but the manager's (logged in, a known item, the quantity, the reason, the
 * price, the limit, in that order). Once the item is found, out holds it (sku, name,
 * list_price) even when a later check refuses, so that a screen can show it. Errors: CP_EAUTH (nobody logged in), CP_ENOTFOUND (unknown item),
 * CP_EINVAL (quantity, price, reason, a weighed label with a quantity), CP_EPERM (over the
 * limit), CP_EOVERFLOW, CP_EDB. */
enum cp_err cp_refund_noreceipt_quote(struct cp_db *db, const struct cp_session *who,
				      const struct cp_refund_noreceipt_req *req,
				      struct cp_refund_noreceipt_quote *out, struct cp_errbuf *err);

/* Refunds without a receipt: every check of the quote first, then the manager's authority
 * (cp_staff_authorise: a cashier's own code is refused, wrong PINs are counted), then one
 * refund_noreceipt journal event with a receipt number of its own, the money back as a cash
 * tender. Errors: those of the quote, CP_EPERM (no manager authority), CP_EAUTH/CP_ELOCKED
 * (the manager's PIN), CP_EDB, CP_ENOMEM. Nothing is written when it fails. */
enum cp_err cp_refund_noreceipt(struct cp_db *db, const struct cp_session *who,
				const struct cp_refund_noreceipt_req *req,
				struct cp_refund_noreceipt_result *out, struct cp_errbuf *err);

#endif
