/* verify_mark_int.h — the start's incremental check of the journal (issue 14): the rows after
 * the last verified one, whose sequence and hash are kept in meta verified_mark under a keyed
 * checksum (row_mac, as rowmac.c keeps HQ-fed rows), so that a start reads a day's rows, not
 * the whole journal. */
#ifndef CP_VERIFY_MARK_INT_H
#define CP_VERIFY_MARK_INT_H

#include "journal_int.h"

struct cp_verify_mark_stats {
	int64_t from;      /* the verified mark the check started after (0: none, from row 1) */
	int64_t rows_read; /* journal rows read: the mark's own row and every row after it */
	int64_t last;      /* the newest row, where the mark now is */
};

/* Checks the mark and the rows after it: the mark's checksum holds and its row still has the
 * hash it had; each later row follows with no gap, links to the row before, is JSON that says
 * what its columns say and is of a type this program knows. When all holds the mark moves to
 * the newest row (a light transaction of its own, or the caller's; failing to move it is not
 * an error: the next start reads more). CP_ECORRUPT with one line saying what is wrong and
 * what to do; stats (may be NULL) gets what was read either way. */
enum cp_err cp_verify_mark_check(struct cp_db *db, struct cp_verify_mark_stats *stats,
				 struct cp_errbuf *err);

/* verify: the mark, when there is one, has its checksum and names a row with its hash. */
enum cp_err cp_verify_mark_holds(struct cp_db *db, struct cp_errbuf *err);

/* The row's columns must say what its hashed payload says (verify and the start check). */
enum cp_err cp_verify_columns(json_t *p, int64_t seq, const char *event_id, const char *type,
			      int64_t at, struct cp_errbuf *err);

#endif
