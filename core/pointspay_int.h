/* pointspay_int.h — what sale.c and refund.c call to pay with points and give points back:
 * the plan of a points tender (checked, spread over the lines), its part of the journal payload,
 * and the apply functions that write points_pay, points_offline and the movements. */
#ifndef CP_POINTSPAY_INT_H
#define CP_POINTSPAY_INT_H

#include <jansson.h>

#include "cart.h"
#include "pointspay.h"

/* A points tender, checked against every rule, spread over the lines it pays for. */
struct cp_pointspay_plan {
	int64_t fen, points;
	bool offline;
	int64_t eligible_fen; /* the part of fen on lines that earn: this part earns nothing */
	int nlines;
	struct {
		int line_no;
		int64_t fen, points;
	} lines[CP_CART_MAX_LINES];
};

/* Checks a points tender of fen for cart at now and fills *out. Every refusal is one sentence
 * naming the rule and what can still be paid with points; nothing is written. */
enum cp_err cp_pointspay_plan(struct cp_db *db, const struct cp_cart_view *cart, int64_t fen,
			      struct cp_pointspay_plan *out, struct cp_errbuf *err);

/* The plan as the sale payload's "points_pay" object; NULL when out of memory. */
json_t *cp_pointspay_plan_json(const struct cp_pointspay_plan *p);

/* Sale apply: the payload's "points_pay" (absent: nothing) becomes points_pay rows, the "pay"
 * movement (n = 2) and, when offline, a points_offline row. */
enum cp_err cp_pointspay_sale_apply(struct cp_db *db, int64_t seq, const char *member,
				    const char *day, json_t *payload, struct cp_errbuf *err);

/* Points and their money paid for the lines line_nos[0..n-1] of sale sale_seq. */
enum cp_err cp_pointspay_refund_share(struct cp_db *db, int64_t sale_seq, const int *line_nos,
				      int n, int64_t *fen, int64_t *points, struct cp_errbuf *err);

/* Refund apply: the payload's "points_back" (absent or 0: nothing) becomes the "pay_refund"
 * movement (n = 2). */
enum cp_err cp_pointspay_refund_apply(struct cp_db *db, int64_t seq, const char *member,
				      json_t *payload, struct cp_errbuf *err);

#endif
