/* journal.h — the tamper-evident journal: one row per business event, a gapless per-terminal
 * sequence, canonical JSON payloads and an HMAC-SHA256 hash chain. It is also the sync outbox,
 * and the source of truth the sale tables are a materialised view of. */
#ifndef CP_JOURNAL_H
#define CP_JOURNAL_H

#include <stdint.h>

#include "cp_error.h"

struct cp_db;

struct cp_journal_status {
	int64_t last_seq;  /* 0 when empty */
	int64_t acked_seq; /* highest sequence HQ acknowledged */
	int64_t last_at;   /* created_at of the last row, ms */
};
enum cp_err cp_journal_status(struct cp_db *db, struct cp_journal_status *out,
			      struct cp_errbuf *err);

/* What verify found. ok != 0 means everything holds; else first_bad_seq names the first broken
 * sequence (0 when the problem is not tied to one) and err says what. */
struct cp_verify_report {
	int ok;
	int64_t rows; /* journal rows checked */
	int64_t first_bad_seq;
};

/* PRAGMA integrity_check, the hash chain re-walked, and every journal payload replayed into a
 * scratch database and compared with the sale, line, tender, refund and movement tables.
 * Returns CP_OK when all holds, CP_ECORRUPT with the first difference in err otherwise. */
enum cp_err cp_journal_verify(struct cp_db *db, struct cp_verify_report *out,
			      struct cp_errbuf *err);

#endif
