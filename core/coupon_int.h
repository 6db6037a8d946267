/* coupon_int.h — the hooks of coupons into the sale and the refund (coupon.c): the cart's
 * coupons checked again and spread over the lines, the payload's "coupons_used" and
 * "coupons_issued", the refund's "coupons_void" and "coupons_back", and their apply functions. */
#ifndef CP_COUPON_INT_H
#define CP_COUPON_INT_H

#include <jansson.h>

#include "cart.h"
#include "coupon.h"
#include "db_int.h"
#include "records_int.h"

/* The cart's coupons as a sale uses them: each one's fen per cart line. */
struct coupon_plan {
	int n;
	struct {
		char code[CP_COUPON_CODE_LEN + 1];
		int64_t fen;
		int64_t line_fen[CP_CART_MAX_LINES]; /* by index into the cart's lines */
	} c[CP_COUPON_CART_MAX];
	int64_t discount;
};

/* Inside the sale's transaction: checks every coupon of the cart again (as cp_coupon_apply)
 * and takes its discount off cart's lines, total and eligible (the view is the sale's copy),
 * so that points, points tenders and refunds all see what is paid. */
enum cp_err cp_coupon_sale_plan(struct cp_db *db, struct cp_cart_view *cart,
				struct coupon_plan *out, struct cp_errbuf *err);

/* Adds "coupons_used" (when plan has any) and "coupons_issued" (the rules met by paid, the
 * money paid without points, for the cart's member) to the sale payload. */
enum cp_err cp_coupon_sale_payload(struct cp_db *db, const struct cp_cart_view *cart,
				   const struct coupon_plan *plan, int64_t paid, const char *day,
				   json_t *payload, struct cp_errbuf *err);

/* park.c, inside the recall's transaction: the cart's coupons (none) become codes[0..n) in
 * order, each checked as cp_coupon_apply would on what the ones before it left; one that can
 * no longer be used is left off and its reason goes into why[k] (why[k].msg[0] is 0 for those
 * put back). Errors other than a refusal (the database) are returned. */
enum cp_err cp_coupon_cart_restore(struct cp_db *db, const struct cp_cart_view *cart,
				   char codes[][CP_COUPON_CODE_LEN + 1], int n,
				   struct cp_errbuf *why, struct cp_errbuf *err);

/* park.c, inside the park's transaction: the cart's coupon codes in the order applied. */
enum cp_err cp_coupon_cart_codes(struct cp_db *db, char codes[][CP_COUPON_CODE_LEN + 1], int *n,
				 struct cp_errbuf *err);

/* cp_sale_apply: coupon_use, coupon_line and coupon_issue rows of the payload (absent: nothing). */
enum cp_err cp_coupon_sale_apply(struct cp_db *db, int64_t seq, const char *member, json_t *payload,
				 struct cp_errbuf *err);

/* For a refund of sale sale_seq taking lines[0..n): "coupons_void" (the coupons the sale
 * issued that nobody has used) and, when HQ's config coupon_refund_returns is "1" and every
 * line a used coupon discounted is refunded by now, "coupons_back". */
enum cp_err cp_coupon_refund_payload(struct cp_db *db, int64_t sale_seq, const int *lines, int n,
				     json_t *payload, struct cp_errbuf *err);

/* cp_refund_apply: the coupon_use rows of "coupons_void" and "coupons_back". */
enum cp_err cp_coupon_refund_apply(struct cp_db *db, int64_t seq, json_t *payload,
				   struct cp_errbuf *err);

/* The coupons sale seq issued (code, title, last valid day) into the receipt view. A coupon
 * taken for points or granted as a benefit is not among them: it has a slip of its own. */
struct cp_receipt_view;
enum cp_err cp_coupon_receipt_fill(struct cp_db *db, int64_t seq, struct cp_receipt_view *v,
				   struct cp_errbuf *err);

/* coupon_slip.c: fills v (kind CP_RECEIPT_COUPON, the slip's number already in v->receipt)
 * for the coupon with code number that the member took for points or was granted as a
 * benefit: *seq the event's sequence, member the member's id (following a merge). CP_ENOTFOUND
 * without a message when no such coupon was issued here that way. */
enum cp_err cp_coupon_slip_fill(struct cp_db *db, const char *number, struct cp_receipt_view *v,
				int64_t *seq, char *member, size_t memberlen,
				struct cp_errbuf *err);
/* *found: number is a coupon slip of this terminal (as cp_coupon_slip_fill finds it). */
enum cp_err cp_coupon_slip_exists(struct cp_db *db, const char *number, bool *found,
				  struct cp_errbuf *err);

/* A new coupon of template id for member, issued on business day (as a sale's
 * "coupons_issued" entry, threshold 0) for benefit.c; *out NULL when the template's fixed dates
 * are over, CP_ENOTFOUND without a message when there is no such template. */
enum cp_err cp_coupon_issue_json(struct cp_db *db, const char *id, const char *member,
				 const char *day, json_t **out, struct cp_errbuf *err);
/* An apply function's coupon_issue row of coupon c (as cp_coupon_issue_json gave it). */
enum cp_err cp_coupon_issue_apply(struct cp_db *db, int64_t seq, int n, json_t *c,
				  const char *source, struct cp_errbuf *err);

/* The demo store's "coupon_templates" and "coupon_rules" (both optional), inside its
 * transaction; a bad one is CP_ECORRUPT naming where. */
enum cp_err cp_coupon_demo_seed(struct cp_db *db, json_t *root, struct cp_errbuf *err);

/* Reads a template record (sync/PROTOCOL.md "coupon_template"), every field checked. */
enum cp_err cp_rec_coupon_template(const struct rec_src *src, json_t *o,
				   struct cp_coupon_template *out, const char *where,
				   struct cp_errbuf *err);
enum cp_err cp_rec_coupon_rule(const struct rec_src *src, json_t *o, struct cp_coupon_rule *out,
			       const char *where, struct cp_errbuf *err);

#endif
