/* shift.h — a till's shifts (交班): opened with a cash float, pay-ins and pay-outs with a
 * reason, closed with the cash counted (a total or by denomination) against the cash expected.
 * Each is a journal event; a sale needs an open shift on the till. */
#ifndef CP_SHIFT_H
#define CP_SHIFT_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"

struct cp_db;
struct cp_session;

/* ¥100, 50, 20, 10, 5, 1, 0.5, 0.1 in fen, in this order. */
#define CP_SHIFT_NDENOMS 8
extern const int64_t cp_shift_denoms[CP_SHIFT_NDENOMS];

/* The cash a shift should hold: float + cash taken (less change) - cash given back by refunds
 * + pay-ins - pay-outs, over the journal rows after its opening (and up to its closing). */
struct cp_shift_view {
	bool open; /* false: no shift is open (the other fields describe the newest one, if any) */
	int64_t seq; /* the shift_open event; 0 when the till never had a shift */
	char staff[17];
	int64_t opened_at, float_fen;
	int64_t cash, pay_in, pay_out, expected;
	bool closed;
	int64_t closed_at, counted, over_short; /* over_short < 0: short */
};

/* The open shift, else the newest one (out->open false), else out->seq 0. Reads only. */
enum cp_err cp_shift_current(struct cp_db *db, struct cp_shift_view *out, struct cp_errbuf *err);

/* Opens a shift with float_fen in the drawer (0 .. CP_MONEY_MAX). CP_ESTATE when one is open.
 * *seq (may be NULL) gets the shift_open event. */
enum cp_err cp_shift_open(struct cp_db *db, const struct cp_session *who, int64_t float_fen,
			  int64_t *seq, struct cp_errbuf *err);

/* The demo store opens a shift (float ¥0.00) on the first login of a till that never had one;
 * *opened says whether it did. Anything but the demo store: nothing, *opened false. */
enum cp_err cp_shift_demo_open(struct cp_db *db, const struct cp_session *who, bool *opened,
			       struct cp_errbuf *err);

/* A pay-in (in true) or pay-out of amount fen (> 0) with a reason (1..64 bytes of text) into
 * or out of the open shift's drawer. A pay-out may not take the drawer below zero. */
enum cp_err cp_shift_move(struct cp_db *db, const struct cp_session *who, bool in, int64_t amount,
			  const char *reason, struct cp_errbuf *err);

/* The cash counted: a total, or a count per denomination of cp_shift_denoms. */
struct cp_shift_count {
	bool by_denom;
	int64_t total;               /* fen, when !by_denom */
	int64_t n[CP_SHIFT_NDENOMS]; /* pieces, when by_denom */
};

/* Parses what a person typed: an amount ("1234.50", "¥1234.50") or pieces per denomination
 * ("100x12 50x1 0.5x3", separated by spaces or commas). Bad text: CP_EINVAL saying what. */
enum cp_err cp_shift_count_parse(const char *text, struct cp_shift_count *out,
				 struct cp_errbuf *err);

/* Closes the open shift with the cash counted; *out gets its figures (expected, counted,
 * over_short). CP_ESTATE "no shift is open" when none is: nothing is written. */
enum cp_err cp_shift_close(struct cp_db *db, const struct cp_session *who,
			   const struct cp_shift_count *count, struct cp_shift_view *out,
			   struct cp_errbuf *err);

#endif
