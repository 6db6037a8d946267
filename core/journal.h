/* journal.h — the tamper-evident journal: one row per business event, a gapless per-terminal
 * sequence, canonical JSON payloads and an HMAC-SHA256 hash chain. It is also the sync outbox,
 * and the source of truth the sale tables are a materialised view of. */
#ifndef CP_JOURNAL_H
#define CP_JOURNAL_H

#include <stdbool.h>
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

/* How far behind the newest event the clock may be before events are refused (CP_ECLOCK). */
#define CP_CLOCK_BEHIND_MS INT64_C(86400000)

struct cp_session;

/* A manager's word that the clock is right after it was refused for being more than a day
 * before the newest event (a clock reset by a dead battery, a till restored from a backup, an
 * earlier clock that ran ahead): a clock_confirm event at the time the clock gives, naming the
 * manager, after which events compare with it. Authority as cp_staff_authorise (a manager's
 * own session, or manager_code and manager_pin). Refused: a clock outside 2020..2100, which must
 * be set, not confirmed (CP_ECLOCK), and a clock the journal already believes (CP_ESTATE). */
struct cp_clock_confirm_result {
	int64_t seq;     /* the clock_confirm event */
	int64_t at;      /* the time confirmed, ms */
	int64_t last_at; /* the newest event's time before it, ms */
	char authorised_by[17];
};
enum cp_err cp_clockcheck_confirm(struct cp_db *db, const struct cp_session *who,
				  const char *manager_code, const char *manager_pin,
				  struct cp_clock_confirm_result *out, struct cp_errbuf *err);

/* True when the clock is within 2020..2100 but more than a day before the newest event: what
 * cp_clockcheck_confirm can settle (a clock outside those years can only be set). *now and
 * *last_at (may be NULL) get the two times, ms. Reads only. */
bool cp_clockcheck_behind(struct cp_db *db, int64_t *now, int64_t *last_at);

/* What verify found. ok != 0 means everything holds; else first_bad_seq names the first broken
 * sequence (0 when the problem is not tied to one) and err says what. */
struct cp_verify_report {
	int ok;
	int64_t rows; /* journal rows checked */
	int64_t first_bad_seq;
	int seals_checked;   /* every row's seal was checked from the starting key */
	int anchors_checked; /* receipts checked against the journal */
	/* the replay's work, independent of the clock: SQLite's virtual machine steps of its
	 * statements (SQLITE_STMTSTATUS_VM_STEP), and their sorts (SQLITE_STMTSTATUS_SORT) */
	int64_t replay_steps, replay_sorts;
};

/* The journal's starting key (forward-secure sealing, core/seal.c): the key that sealed its
 * first row. The file keeps only the key of the row still to come, so only the handle that
 * created the database, before anything else opens it, can give it: for `init` to export it
 * for a manager to take off the machine. CP_ESTATE on any other handle. */
#define CP_JOURNAL_KEY_LEN 32
enum cp_err cp_journal_start_key(struct cp_db *db, uint8_t key[CP_JOURNAL_KEY_LEN],
				 struct cp_errbuf *err);

/* A customer's receipt number and the verification code printed on it. */
struct cp_verify_anchor {
	const char *receipt;
	const char *code;
};

/* What verify is given beyond the file. start_key NULL: the seals are not checked (only the
 * links of the chain), unless this handle created the database. */
struct cp_verify_options {
	const uint8_t *start_key; /* CP_JOURNAL_KEY_LEN bytes, or NULL */
	const struct cp_verify_anchor *anchors;
	size_t nanchors;
	/* The replay's day sums (report_day_sum): 0 adds the sales of up to 4,096 journal rows
	 * in one statement (the default), 1 each sale as it is replayed, as a commit does, N the
	 * sales of up to N rows at a time. The tables compared are the same either way. */
	int64_t sums_every;
};

/* PRAGMA integrity_check, the hash chain re-walked, every journal payload replayed into a
 * scratch database and compared with the sale, line, tender, refund, movement and clock
 * confirmation tables, and the counters beside the journal checked against it: receipts and
 * local member ids issued one after another, meta receipt_seq and member_seq equal to the
 * newest the journal holds (a clean cut of the newest events shows here), acked_seq not past
 * the journal's end, and an event answered as not recorded absent.
 * Returns CP_OK when all holds, CP_ECORRUPT with the first difference in err otherwise. */
enum cp_err cp_journal_verify(struct cp_db *db, struct cp_verify_report *out,
			      struct cp_errbuf *err);

/* cp_journal_verify, and with opt: every row's seal checked from the starting key (each row's
 * key derived from the one before, and the key the file holds the one that follows the last
 * row), and each anchor's receipt found in the journal with the code printed on it. */
enum cp_err cp_journal_verify_with(struct cp_db *db, const struct cp_verify_options *opt,
				   struct cp_verify_report *out, struct cp_errbuf *err);

#endif
