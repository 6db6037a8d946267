/* pointspay.h — points as payment (积分抵现): the member pays part of the bill with points, in
 * whole steps of the chain's points value, capped at a share of the bill, never on offer lines
 * or excluded categories; and the limits on spending points while HQ cannot be reached. */
#ifndef CP_POINTSPAY_H
#define CP_POINTSPAY_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"

struct cp_db;
struct cp_cart_view;

#define CP_POINTSPAY_EXCLUDED_LEN 256

/* The rules. The terminal's INI gives local defaults ([points]); HQ's `config` changes of the
 * same names (points_step_fen, points_max_share_bp, points_excluded_categories,
 * points_offline_member, points_offline_terminal, points_offline_max_hours,
 * points_online_minutes) override them. */
struct cp_pointspay_config {
	int64_t step_fen; /* 100: points pay whole steps of ¥1.00 */
	int cap_bp;       /* 5000: at most 50% of the bill, floored to the fen */
	char excluded[CP_POINTSPAY_EXCLUDED_LEN]; /* category codes, comma-separated */
	int64_t offline_member;   /* 2000: points one member may spend per business day offline */
	int64_t offline_terminal; /* 20000: points this terminal may take per business day offline */
	int offline_max_hours;    /* 48: offline longer than this, no points are spent */
	int online_minutes;       /* 10: HQ reached within this many minutes is online */
};

/* The defaults above. */
void cp_pointspay_defaults(struct cp_pointspay_config *cfg);

/* The rules in force: the local ones the database was opened with, overridden by HQ's. A value
 * HQ sent that is out of range is ignored (the local value stands). */
enum cp_err cp_pointspay_config_get(struct cp_db *db, struct cp_pointspay_config *out,
				    struct cp_errbuf *err);

/* What the attached member may pay with points now, and why not more. */
struct cp_pointspay_quote {
	bool member;             /* a member is attached */
	int64_t step_fen;        /* one step, in fen ... */
	int64_t step_points;     /* ... and in points */
	int64_t base;            /* fen of the lines points may pay for */
	int64_t cap;             /* the share of the bill, floored to the fen */
	int64_t available;       /* balance minus points held by the cart (never below 0) */
	bool offline;            /* HQ not reached within online_minutes (enrolled tills only) */
	int64_t offline_minutes; /* since the last contact with HQ, when offline */
	int64_t member_left;     /* offline: points this member may still spend today; else -1 */
	int64_t terminal_left;   /* offline: points this terminal may still pay today; else -1 */
	int64_t max_fen;         /* the most points may pay now: whole steps ... */
	int64_t max_points;      /* ... and the points they cost */
	char limit[200];         /* the rule that stops at max_fen, as a sentence */
};

/* Fills *out for the cart as given (a view from cp_cart_view). Reads only. */
enum cp_err cp_pointspay_quote(struct cp_db *db, const struct cp_cart_view *cart,
			       struct cp_pointspay_quote *out, struct cp_errbuf *err);

/* Points available to spend now: the balance as the till knows it minus cart->points_held
 * (0 without a member). */
int64_t cp_points_available(const struct cp_cart_view *cart);

#endif
