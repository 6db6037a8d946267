/* sync.h — the till's side of the HQ protocol (sync/PROTOCOL.md): enrolment, pushing the
 * journal, pulling changes, online member lookup, and the loop that runs them. Everything goes
 * over HTTPS through libcurl; everything that touches the database goes through core/hq.h.
 * libcurl runs with CURLOPT_NOSIGNAL (safe beside other threads), so the process must ignore
 * SIGPIPE: a connection HQ closes would otherwise kill it. */
#ifndef CP_SYNC_H
#define CP_SYNC_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"
#include "member.h"
#include "report.h"

struct cp_db;

/* How sync talks to HQ. Fill with cp_sync_options_defaults() and change what the
 * configuration says; the strings are borrowed, not copied, and must outlive the calls. */
struct cp_sync_options {
	const char *ca_file;     /* PEM bundle HQ's certificate must chain to; NULL: system store */
	const char *pin;         /* NULL, or "sha256//BASE64[;sha256//BASE64...]" (a backup key) */
	int batch_size;          /* journal rows per push: 200 */
	int pull_limit;          /* changes per page: 500 (HQ allows at most 1000) */
	long connect_timeout_ms; /* 5000 */
	long timeout_ms;         /* whole request: 30000 */
	long low_speed_bytes;    /* a transfer slower than this many bytes/s ... */
	long low_speed_s;        /* ... for this many seconds is abandoned: 1 and 15 */
	long lookup_timeout_ms;  /* online member lookup, whole request: 2000 */
	bool allow_plain_http;   /* http:// to a loopback address (development only): false */
	int64_t backoff_base_ms; /* the least retry delay (the floor), and the first step: 1000 */
	int64_t backoff_cap_ms;  /* largest retry delay, also bounds Retry-After: 300000 */
	int interval_s;          /* daemon: seconds between rounds when all is sent: 10 */
	int64_t recheck_ms;      /* daemon: a stop for configuration is checked again after this
			       (at least backoff_cap_ms): 900000 */
};

/* The defaults above. */
void cp_sync_options_defaults(struct cp_sync_options *opts);

/* What cp_sync_once() and one daemon round end with; also the exit status of
 * `counterpoint sync --once`. The same classification decides what is recorded for
 * `counterpoint status`: CP_SYNC_STOPPED is always a recorded stop (or not being enrolled). */
enum cp_sync_result {
	CP_SYNC_DONE = 0, /* everything pushed and pulled */
	CP_SYNC_TRANSIENT =
		75, /* (EX_TEMPFAIL) HQ unreachable (a name that does not resolve too), slow, busy,
				  answering garbage or breaking the protocol: try again after
				  the backoff delay */
	CP_SYNC_STOPPED = 3, /* a person must act: not enrolled; stopped until re-enrolment
				  (401, broken chain, HQ holding rows this database lacks); stopped
				  for configuration (TLS untrusted, expired, wrong host, pin, plain
				  http), re-checked rarely */
};

/* Exchanges the one-time enrolment code for the terminal's identity: POST url/v1/enrol with
 * the body core builds, then core stores the answer (secret, keys, acknowledged sequence).
 * url is "https://HOST[:PORT]" (http:// only to a loopback host with allow_plain_http).
 * Errors: CP_EINVAL bad url or code; CP_ECONFIG a TLS problem, named in err (certificate not
 * trusted, expired, wrong host name, pin mismatch, plain http refused); CP_EAUTH HQ refused
 * the code (403, HQ's message in err); CP_EIO HQ could not be reached or answered garbage;
 * whatever core's cp_hq_apply_enrolment returns. Nothing secret reaches err or the log. */
enum cp_err cp_sync_enrol(struct cp_db *db, const struct cp_sync_options *opts, const char *url,
			  const char *code, struct cp_errbuf *err);

/* One round: pushes every journal row HQ has not acknowledged, then pulls changes until HQ
 * says there are no more. Records the outcome for `counterpoint status` (success, failure with
 * when to try next, or a stop that needs a person) and returns it; err says what went wrong
 * (and, after a failure, when the next try is) when the result is not CP_SYNC_DONE. A terminal
 * stopped until re-enrolment is not contacted at all; one stopped for configuration is. */
enum cp_sync_result cp_sync_once(struct cp_db *db, const struct cp_sync_options *opts,
				 struct cp_errbuf *err);

/* Runs rounds until *stop becomes non-zero (set it from a SIGTERM/SIGINT handler): after a
 * failure it waits the backoff delay (cp_sync_backoff_next: never less than backoff_base_ms, never
 * more than backoff_cap_ms, whatever Retry-After says), when all is sent it waits interval_s.
 * Stopped for a person, it looks at the recorded state every interval_s without contacting
 * HQ: until re-enrolment clears a stop, or, for a stop of configuration, until recheck_ms has
 * passed or the CA file has changed. Its first round always contacts HQ (a restart is how a
 * changed configuration is taken). Waits end within about 100 ms of *stop. Returns CP_OK when
 * stopped, or an error that prevents running at all (err says which). */
enum cp_err cp_sync_daemon(struct cp_db *db, const struct cp_sync_options *opts,
			   const volatile sig_atomic_t *stop, struct cp_errbuf *err);

/* Asks HQ for a member not found locally, by phone (any form cp_phone_normalise takes; only
 * its keyed hash travels) or by card: exactly one of phone and card is non-NULL. Uses
 * lookup_timeout_ms; the wait ends early (CP_ESTATE, "cancelled") when *cancel becomes
 * non-zero (cancel may be NULL). A found member is cached through core and returned in *out.
 * Errors: CP_ENOTFOUND "no such member" (HQ does not know it either); CP_EIO "HQ cannot be
 * reached: the member is not known here" (offline, slow, not enrolled, or a bad answer);
 * CP_EINVAL bad phone or card. */
enum cp_err cp_sync_lookup(struct cp_db *db, const struct cp_sync_options *opts, const char *phone,
			   const char *card, struct cp_member_view *out, const volatile int *cancel,
			   struct cp_errbuf *err);

/* Asks HQ for the whole store's totals of business day (YYYY-MM-DD, checked by the caller), all
 * its terminals, from the rows HQ has applied (PROTOCOL.md, "Store totals"); a short request
 * (lookup_timeout_ms). On success out->reached is true. Otherwise out->reached is false,
 * out->why says why (HQ not reached and what happened, or HQ's answer not understood and
 * what was wrong with it), err says "store totals unavailable (HQ not reached): " and the
 * same, and CP_EIO is returned. */
enum cp_err cp_sync_store_totals(struct cp_db *db, const struct cp_sync_options *opts,
				 const char *day, struct cp_store_totals *out,
				 struct cp_errbuf *err);

/* The parser of HQ's 200 answer (body, len bytes) for day, exposed for tests: malformed JSON,
 * another day or a missing or mistyped field is CP_EIO with out->why saying which. */
enum cp_err cp_sync_store_totals_parse(const char *body, size_t len, const char *day,
				       struct cp_store_totals *out, struct cp_errbuf *err);

#endif
