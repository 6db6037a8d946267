/* refund_noreceipt_int.h — what refund_noreceipt.c shares with the rest of core: its rows of a
 * day for the tally (report.c) and its refund slip for receipt.c. Its apply function is in
 * events_int.h with the others. */
#ifndef CP_REFUND_NORECEIPT_INT_H
#define CP_REFUND_NORECEIPT_INT_H

#include "journal_int.h"

struct cp_receipt_view;

/* The day's refunds without a receipt as rows (kind, staff, amount) like the refund table's,
 * the day bound as ?1: report.c's tally_refunds adds them to its query with UNION ALL. */
#define REFUND_NORECEIPT_DAY_ROWS                                                                  \
	" SELECT 'noreceipt', staff, amount FROM refund_noreceipt WHERE business_day = ?1"

/* Fills v (kind CP_RECEIPT_NORECEIPT, its one line, staff, manager, money, reason) and *seq
 * when receipt_no is a refund without a receipt; CP_ENOTFOUND (err untouched) when not. */
enum cp_err cp_refund_noreceipt_receipt_fill(struct cp_db *db, const char *receipt_no,
					     struct cp_receipt_view *v, int64_t *seq,
					     struct cp_errbuf *err);

#endif
