/* hq.h — the till's side of headquarters' data (sync/PROTOCOL.md): the outbox of journal rows
 * still to push (outbox.c), and HQ's answers applied to the database — enrolment (enrol.c),
 * acknowledgements with member snapshots (ack.c), change-feed pages with their cursor
 * (changes.c), notices (notice.c), online lookups (lookup.c) — plus the sync state that the UI
 * and `counterpoint status` read (sync_state.c). Each answer is applied in one transaction or
 * not at all, and a malformed answer changes nothing (CP_EINVAL with what was wrong). sync/
 * does the HTTP. */
#ifndef CP_HQ_H
#define CP_HQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_error.h"
#include "member.h"

struct cp_db;

/* ---- identity ---- */

struct cp_hq_identity {
	bool enrolled;
	char url[512];         /* HQ base URL given at enrolment */
	char terminal_uid[64]; /* X-CP-Terminal */
	uint8_t secret[32];    /* request signing secret: wipe after use */
	char ca_file[1024];    /* CA bundle given at enrolment ("" = the system store) */
	char pin[512];         /* public-key pin(s) given at enrolment ("" = none) */
};
enum cp_err cp_hq_identity(struct cp_db *db, struct cp_hq_identity *out, struct cp_errbuf *err);
/* Keeps the CA file and pin enrolment used, so that sync uses them too (configuration
 * overrides them). NULL or "" clears one. */
enum cp_err cp_hq_set_tls(struct cp_db *db, const char *ca_file, const char *pin,
			  struct cp_errbuf *err);

/* The body of POST /v1/enrol for code (malloc'd; free it). */
enum cp_err cp_hq_enrol_request(struct cp_db *db, const char *code, char **body,
				struct cp_errbuf *err);
/* Applies the 200 answer to enrolment: stores url, uid, secret and the chain's phone key,
 * re-hashes members registered here, drops the others (the feed brings them back), sets the
 * acknowledged sequence to the answer's "applied", resets the change cursor. Refuses an answer
 * whose store/terminal differ from the till's when the journal is not empty. */
enum cp_err cp_hq_apply_enrolment(struct cp_db *db, const char *url, const char *body, size_t len,
				  struct cp_errbuf *err);

/* ---- push ---- */

struct cp_outbox_row {
	int64_t seq;
	int64_t created_at;
	char event_id[40];
	char type[32];
	char *payload;                /* malloc'd */
	char prev_hash[65], hash[65]; /* hex */
};
/* Up to max rows after `after` (normally the acknowledged sequence), in order. *rows is
 * malloc'd (free with cp_outbox_free); *n may be 0. */
enum cp_err cp_outbox_fetch(struct cp_db *db, int64_t after, int max, struct cp_outbox_row **rows,
			    int *n, struct cp_errbuf *err);
void cp_outbox_free(struct cp_outbox_row *rows, int n);
/* The body of POST /v1/journal for rows (malloc'd; free it). */
enum cp_err cp_outbox_body(const struct cp_outbox_row *rows, int n, char **body,
			   struct cp_errbuf *err);
/* Applies the 200 answer to a push of journal rows first..last: acknowledges up to "applied"
 * and stores the member snapshots, in one transaction. Nothing is acknowledged beyond what was
 * sent: "applied" must lie in first - 1 .. last (first - 1: HQ applied none of them). Errors,
 * each changing nothing: CP_ECORRUPT "applied" is past this till's newest row (HQ holds rows
 * this database does not have: a person must act); CP_EINVAL a protocol error ("applied" past
 * the request or below its first row) or a malformed answer (missing, negative or non-integer
 * "applied", bad snapshots): the rows are sent again later. */
enum cp_err cp_hq_apply_ack(struct cp_db *db, const char *body, size_t len, int64_t first,
			    int64_t last, int64_t *applied, struct cp_errbuf *err);

/* ---- pull ---- */

/* The cursor to ask for next ("0" at first). */
enum cp_err cp_hq_cursor(struct cp_db *db, char *out, size_t outlen, struct cp_errbuf *err);
/* Applies one page of GET /v1/changes and stores its "next" cursor, in one transaction;
 * *more says whether to ask again. Unknown kinds are skipped and counted. The page's "applied"
 * (how far HQ had applied this terminal's rows) is checked, never acknowledged from: a page is
 * pulled after the round's push has been acknowledged, so "applied" past the acknowledged
 * sequence claims rows never sent (CP_EINVAL, a protocol error) or never written (CP_ECORRUPT). */
enum cp_err cp_hq_apply_changes(struct cp_db *db, const char *body, size_t len, bool *more,
				struct cp_errbuf *err);
/* Several pages, fetched one after another (each asked with the previous one's "next"), applied
 * in one transaction: each is checked and applied as cp_hq_apply_changes does, the last one's
 * cursor is stored, and *more is the last one's (n = 0 applies nothing). One bad page applies
 * none of them. Fewer commits and one write of each index page the group touches, where a page
 * each would write most of the member indexes again (sync/PROTOCOL.md "Pages applied
 * together"). */
struct cp_hq_page {
	const char *body;
	size_t len;
};
enum cp_err cp_hq_apply_change_pages(struct cp_db *db, const struct cp_hq_page *pages, int n,
				     bool *more, struct cp_errbuf *err);
/* The same in steps, for a pull that catches up on many pages (sync/PROTOCOL.md "Pages
 * applied together"): cp_hq_pages_begin opens the write transaction (with the page cache the
 * pages need), cp_hq_pages_apply applies pages in it as above (*more is the last one's; on an
 * error the transaction must be ended without a commit: what it applied is refused too), and
 * cp_hq_pages_end commits (commit true) or rolls back everything since the begin. */
enum cp_err cp_hq_pages_begin(struct cp_db *db, struct cp_errbuf *err);
enum cp_err cp_hq_pages_apply(struct cp_db *db, const struct cp_hq_page *pages, int n, bool *more,
			      struct cp_errbuf *err);
enum cp_err cp_hq_pages_end(struct cp_db *db, bool commit, struct cp_errbuf *err);
/* True when the members held for the phone-hash order (core/member_batch.c) are as many as
 * one batch should hold: a catching-up pull commits then, so that one transaction stores one
 * sorted batch. */
bool cp_hq_pages_due(const struct cp_db *db);

/* ---- online lookup ---- */

/* Hex of the phone's hash with the current key, for ?phone_hash=. */
enum cp_err cp_hq_phone_hash_hex(struct cp_db *db, const char *phone, char out[65],
				 struct cp_errbuf *err);
/* Stores the member of a 200 lookup answer (cache) and returns the view. */
enum cp_err cp_hq_apply_lookup(struct cp_db *db, const char *body, size_t len,
			       struct cp_member_view *out, struct cp_errbuf *err);

/* ---- state, for the UI and `counterpoint status` ---- */

/* Why sync is stopped for a person, as recorded (sync_state.stopped). */
enum cp_sync_stop {
	CP_SYNC_STOP_NONE = 0,
	CP_SYNC_STOP_ENROL = 1,  /* HQ refused this terminal (401), a broken chain, HQ holding rows
				    this database lacks: HQ is not contacted again until re-enrolment */
	CP_SYNC_STOP_CONFIG = 2, /* TLS or address configuration (untrusted, expired, wrong host,
				    pin, plain http): re-checked at next_try, at every `sync --once`
				    and when sync starts; cleared by the next round that reaches HQ */
};

struct cp_sync_status {
	bool enrolled;
	bool online;           /* last contact with HQ succeeded */
	int64_t since;         /* when online/offline last changed, ms */
	int64_t last_success;  /* ms, 0 never */
	int64_t last_error_at; /* ms, 0 never */
	char last_error[256];
	bool stopped; /* a person must act: stop_kind is not NONE */
	enum cp_sync_stop stop_kind;
	char stop_reason[256]; /* what is wrong and what to do (English, as recorded) */
	/* The same sentence as an error id (its cp_errf format) and argument texts, for the UI
	 * to show in the cashier's language; stop_id "" when the reason was recorded without
	 * them (cp_syncstate_record_stop) or they no longer match it. */
	char stop_id[512];
	int stop_nargs;
	char stop_args[CP_ERR_ARGS][CP_ERR_ARG_LEN];
	int64_t queue_depth; /* journal rows not acknowledged */
	int64_t acked_seq, last_seq;
	int64_t next_try;        /* when sync will try again, ms; 0 now (stopped: 0 never,
				    CP_SYNC_STOP_CONFIG: when it is checked again) */
	int64_t unknown_changes; /* changes of kinds this till does not know */
	int64_t notices;         /* notices kept for the manager */
};
enum cp_err cp_syncstate_status_get(struct cp_db *db, struct cp_sync_status *out,
				    struct cp_errbuf *err);
/* Records a success (online since now if it was offline); clears a CP_SYNC_STOP_CONFIG stop. */
enum cp_err cp_syncstate_record_success(struct cp_db *db, struct cp_errbuf *err);
/* Records a failure that retrying may mend, with its message; next_try is when the next attempt
 * is due (ms). Clears a CP_SYNC_STOP_CONFIG stop (the latest outcome is what status shows);
 * keeps a CP_SYNC_STOP_ENROL one. */
enum cp_err cp_syncstate_record_failure(struct cp_db *db, const char *message, int64_t next_try,
					struct cp_errbuf *err);
/* The same, with the next attempt delay_ms after the moment recorded as the error's: what the
 * till waits is exactly next_try - last_error_at. */
enum cp_err cp_syncstate_record_retry(struct cp_db *db, const char *message, int64_t delay_ms,
				      struct cp_errbuf *err);
/* Stops sync until a person acts (kind ENROL or CONFIG; re-enrolment clears both); reason says
 * what is wrong and what to do. A CONFIG stop is checked again recheck_ms after the moment
 * recorded as the error's (next_try); an ENROL one never by itself (next_try 0, recheck_ms
 * ignored). A CONFIG stop does not replace an ENROL one. */
enum cp_err cp_syncstate_record_stop(struct cp_db *db, enum cp_sync_stop kind, const char *reason,
				     int64_t recheck_ms, struct cp_errbuf *err);
/* cp_syncstate_record_stop with the reason in why (cp_errmsg(why, CP_EIO)), keeping why's id and
 * arguments too when cp_errf wrote it, so that the reason is shown translated. */
enum cp_err cp_syncstate_record_stop_why(struct cp_db *db, enum cp_sync_stop kind,
					 const struct cp_errbuf *why, int64_t recheck_ms,
					 struct cp_errbuf *err);

/* A notice from HQ as the manager sees it. */
struct cp_notice {
	char id[64];
	char kind[32];
	int64_t at;
	char message[512];
};
/* The newest notices first; *n in: capacity, out: count. */
enum cp_err cp_hq_notices(struct cp_db *db, struct cp_notice *out, int *n, struct cp_errbuf *err);

#endif
