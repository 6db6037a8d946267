/* report_int.h — what the report and shift modules share with the rest of core: the business
 * day an event belongs to (a Z report closes a day, and what follows it belongs to the next),
 * the day of every journal row kept in journal_day, the check a sale makes for an open shift,
 * and the checks verify makes of shift and Z events. */
#ifndef CP_REPORT_INT_H
#define CP_REPORT_INT_H

#include "journal_int.h"

/* The business day of an event at now: its calendar business day (cut-over hour), or the day
 * after the newest day a Z report closed when that is later. The one day of the till: sales,
 * refunds, shifts, offers' limits, the offline points limits and guide bindings all take it. */
enum cp_err cp_report_event_day(struct cp_db *db, int64_t now, char day[11], struct cp_errbuf *err);

/* Records the business day of journal row seq in journal_day: the payload's "day" when it has
 * one, else cp_report_event_day of its "at". Called for every row by cp_journal_record and verify. */
enum cp_err cp_report_note_day(struct cp_db *db, int64_t seq, const char *type, json_t *payload,
			       struct cp_errbuf *err);

/* The sales whose seq satisfies cond (SQL text after "s.seq"), as rows (day, what, key, n,
 * amount, growth) of report_day_sum before they are summed ("guide": the sale's credit). A
 * commit and verify no longer use it: both add a sale's sums in C (cp_report_sale_sum). Only
 * tests/bench/bench_report.c does, to sum a generated year in one statement. Schema step 16
 * keeps a frozen copy of the text as it was then. */
/* clang-format off */
#define REPORT_SALE_SUM_ONE(what, key, amount, growth, from, cond)                            \
	" SELECT s.business_day, '" what "', " key ", 1, " amount ", " growth " FROM sale s" from \
	" WHERE s.seq" cond
/* The hour of a sale in the store's zone, its offset in seconds bound as ?2 (issue 13); step
 * 16's frozen copy used the process's TZ, as it ran then. */
#define REPORT_HOUR_STORE_TZ "strftime('%H', s.created_at / 1000 + ?2, 'unixepoch')"
#define REPORT_SALE_SUM_SELECT_HOUR(cond, hour)                                                \
	" SELECT s.business_day AS day, 'sale' AS what, 'all' AS key, 1 AS n, s.total AS amount," \
	" 0 AS growth FROM sale s WHERE s.seq" cond                           \
	" UNION ALL" REPORT_SALE_SUM_ONE(                                                      \
		"sale", "CASE WHEN s.member_id IS NULL THEN 'other' ELSE 'member' END", "s.total", \
		"0", "", cond)                                                                    \
	" UNION ALL" REPORT_SALE_SUM_ONE(                                                      \
		"sale", "'gross'",                                                             \
		"(SELECT coalesce(sum(l.amount), 0) FROM sale_line l WHERE l.seq = s.seq)", "0", \
		"", cond)                                                                       \
	" UNION ALL" REPORT_SALE_SUM_ONE("sale", "'saving'", "s.member_saving", "0", "", cond)  \
	" UNION ALL" REPORT_SALE_SUM_ONE("sale", "'change'", "s.change_due", "0", "", cond)     \
	" UNION ALL" REPORT_SALE_SUM_ONE("cashier", "s.staff", "s.total", "0", "", cond)        \
	" UNION ALL" REPORT_SALE_SUM_ONE(                                                      \
		"hour", hour,                                                                   \
		"s.total", "0", "", cond)                                                       \
	" UNION ALL" REPORT_SALE_SUM_ONE("tender", "t.method", "t.amount", "0",                 \
					 " JOIN tender t ON t.seq = s.seq", cond)               \
	" UNION ALL" REPORT_SALE_SUM_ONE("points", "m.kind", "m.points", "m.growth",            \
					 " JOIN movement m ON m.seq = s.seq", cond)             \
	" UNION ALL" REPORT_SALE_SUM_ONE("guide", "g.guide", "g.amount", "0",                   \
					 " JOIN guide_credit g ON g.seq = s.seq", cond)
/* clang-format on */

/* cp_sale_apply, before cp_report_sale_sum: records what each line of sale seq (payload p,
 * its coupon and rounding rows written) was given off its list price, by kind, in
 * report_line_discount; cp_report_sale_sum adds their day's sums to report_day_sum. */
enum cp_err cp_report_sale_discounts(struct cp_db *db, int64_t seq, json_t *p,
				     struct cp_errbuf *err);

/* cp_sale_apply, last: adds sale seq (payload p, its rows written) to its day's
 * report_day_sum, computed from p and the sale's tender, movement, guide_credit and
 * report_line_discount rows, with two prepared UPSERTs. On a handle with defer_sums set
 * (verify's replay) the same sums go to a map in memory (cp_report_sums_add) instead, written
 * by cp_report_sale_sums_flush. */
enum cp_err cp_report_sale_sum(struct cp_db *db, int64_t seq, json_t *p, struct cp_errbuf *err);

/* verify's replay: writes the sums of the sales added since the last flush to report_day_sum
 * (one UPSERT a day, what and key). Before anything reads report_day_sum (a Z's check, the
 * comparison). */
enum cp_err cp_report_sale_sums_flush(struct cp_db *db, struct cp_errbuf *err);

/* report_sums.c: the map of day sums on db (allocated on the first add, kept in db->sums):
 * adds n, amount and growth to the key (day, what, key), writing the map out first when it
 * is full; CP_EOVERFLOW when a sum does not fit. */
enum cp_err cp_report_sums_add(struct cp_db *db, const char *day, const char *what, const char *key,
			       int64_t n, int64_t amount, int64_t growth, struct cp_errbuf *err);
/* Writes the map to report_day_sum (one UPSERT a key) and empties it; CP_EOVERFLOW when a
 * row's sum leaves the integers. */
enum cp_err cp_report_sums_flush(struct cp_db *db, struct cp_errbuf *err);
/* Frees the map (its sums not written); NULL or no map: nothing. */
void cp_report_sums_free(struct cp_db *db);

/* verify: a day_close (Z) event must carry the hash and sequence of the row before it and the
 * totals that the events before it give (db is the replay, holding exactly those). */
enum cp_err cp_report_check_z(struct cp_db *db, int64_t seq, json_t *payload,
			      const uint8_t prev[JOURNAL_HASH_LEN], struct cp_errbuf *err);

/* sale.c: CP_ESTATE with a sentence for the cashier when no shift is open on this till. */
enum cp_err cp_shift_require_open(struct cp_db *db, struct cp_errbuf *err);

struct cp_shift_view;
/* The shift opened by journal row seq (0: the newest) with its cash figures. */
enum cp_err cp_shift_view_read(struct cp_db *db, int64_t seq, struct cp_shift_view *out,
			       struct cp_errbuf *err);

/* The shift's cash figures over journal rows (open_seq, upto_seq]. */
enum cp_err cp_shift_cash(struct cp_db *db, int64_t open_seq, int64_t upto_seq, int64_t *cash,
			  int64_t *pay_in, int64_t *pay_out, struct cp_errbuf *err);

enum cp_err cp_shift_open_apply(struct cp_db *db, int64_t seq, json_t *payload,
				struct cp_errbuf *err);
enum cp_err cp_shift_move_apply(struct cp_db *db, int64_t seq, json_t *payload,
				struct cp_errbuf *err);
enum cp_err cp_shift_close_apply(struct cp_db *db, int64_t seq, json_t *payload,
				 struct cp_errbuf *err);
enum cp_err cp_day_close_apply(struct cp_db *db, int64_t seq, json_t *payload,
			       struct cp_errbuf *err);

#endif
