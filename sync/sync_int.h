/* sync_int.h — what the files of sync/ share and the unit tests reach: the HTTP transport
 * (http.c), request signing (sign.c), HQ's address rules, and one round's state (sync.c) that
 * push.c and pull.c work on. Not for use outside sync/ and its tests. */
#ifndef CP_SYNC_INT_H
#define CP_SYNC_INT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_error.h"
#include "hq.h"
#include "sync.h"

/* The largest answer kept in memory: a larger one is an error, never unbounded memory. */
#define CP_HTTP_MAX_BODY ((size_t)16 << 20)

/* ---- HQ's address (http.c) ---- */

/* Whether host (as in a URL; IPv6 in brackets) is a loopback literal: 127.0.0.0/8, [::1] or
 * localhost. Names other than localhost are never loopback: they could resolve anywhere. */
bool cp_sync_http_host_is_loopback(const char *host);

/* Checks an HQ address without any network: "https://HOST[:PORT]" with an optional final '/',
 * or "http://" when the host is a loopback literal and allow_plain_http. Writes the address in
 * normal form ("https://host:port", no final '/') to base (basecap bytes) when base is not
 * NULL. CP_EINVAL for anything else that is not such an address (user names, paths, queries,
 * other schemes), CP_ECONFIG for plain http that is not allowed; err says which and why. */
enum cp_err cp_sync_http_check_url(const char *url, bool allow_plain_http, char *base,
				   size_t basecap, struct cp_errbuf *err);

/* Percent-encodes s for a query value (all but A-Z a-z 0-9 - . _ ~). false when out is too
 * small. */
bool cp_sync_http_escape(const char *s, char *out, size_t outlen);

/* ---- transport (http.c) ---- */

/* One libcurl easy handle for one HQ, reused between requests so that the connection is. */
struct cp_http;

/* A request: path is the path with its query exactly as sent and signed. id NULL: unsigned
 * (enrolment only). timeout_ms 0: the options' timeout_ms. cancel and stop may be NULL;
 * either becoming non-zero ends the request (CP_ESTATE). */
struct cp_http_request {
	const char *method; /* "GET" or "POST" */
	const char *path;
	const char *body; /* POST only; NULL is empty */
	size_t len;
	const struct cp_hq_identity *id;
	int64_t now_s; /* X-CP-Timestamp */
	long timeout_ms;
	const volatile int *cancel;        /* the cashier gave up waiting */
	const volatile sig_atomic_t *stop; /* the daemon was told to stop */
};

/* What HQ answered. body is always NUL-terminated (malloc'd, wiped by cp_sync_http_answer_free). */
struct cp_http_answer {
	long status;
	char *body;
	size_t len;
	bool json;              /* Content-Type is application/json */
	int64_t retry_after_ms; /* from Retry-After; -1 when there was none */
	/* From an error body {"error": {"code", "message", "expected"|"seq"}}, when there is one: */
	char code[48];
	char message[256]; /* control characters replaced */
	int64_t number;    /* "expected" (409) or "seq" (422); -1 when absent */
};

/* Opens a handle for the HQ at url (checked as cp_sync_http_check_url does, before anything else,
 * so that a refused address is never connected to). Sets peer and host verification, TLS 1.2
 * or newer, the CA file, the pin, the timeouts, http/https only; proxies come from the
 * environment as libcurl does by default. Free with cp_sync_http_close. */
enum cp_err cp_sync_http_open(struct cp_http **out, const char *url,
			      const struct cp_sync_options *opts, struct cp_errbuf *err);
/* NULL is a no-op. */
void cp_sync_http_close(struct cp_http *h);
/* The address in normal form, as checked at open. */
const char *cp_sync_http_base(const struct cp_http *h);

/* Performs req. CP_OK whenever HQ answered with a status, whatever it was (look at
 * ans->status). Otherwise: CP_ECONFIG a TLS or configuration problem a person must fix, named
 * in err; CP_EIO HQ unreachable, too slow, connection reset, answer too large; CP_ESTATE
 * cancelled through req->cancel or req->stop; CP_ENOMEM. Free ans with cp_sync_http_answer_free in every case. */
enum cp_err cp_sync_http_do(struct cp_http *h, const struct cp_http_request *req,
			    struct cp_http_answer *ans, struct cp_errbuf *err);
void cp_sync_http_answer_free(struct cp_http_answer *ans);

/* "HQ answered 503 (busy: try later)" and the like, for err and the log. */
void cp_sync_http_describe(const struct cp_http_answer *ans, const char *what,
			   struct cp_errbuf *err);

/* ---- signing (sign.c) ---- */

#define CP_SIGN_HEX_LEN 64

/* X-CP-Signature: lower-case hex of HMAC-SHA256(secret, METHOD "\n" PATH "\n" TIMESTAMP "\n"
 * hex(SHA-256(body))). body may be NULL when len is 0. Returns 0, or -1 when the hash failed
 * or an argument is missing. */
int cp_sync_sign_request(const char *method, const char *path, int64_t timestamp, const void *body,
			 size_t len, const uint8_t secret[32], char out[CP_SIGN_HEX_LEN + 1]);

/* ---- one round (sync.c, push.c, pull.c) ---- */

struct cp_round {
	struct cp_db *db;
	const struct cp_sync_options *opts;
	struct cp_http *http; /* kept between rounds of the daemon */
	struct cp_hq_identity id;
	const volatile sig_atomic_t *stop; /* the daemon's stop flag; NULL for --once */
	int64_t retry_after_ms;            /* what a 429 or 503 asked for; -1 none */
	bool recheck; /* contact HQ despite a CP_SYNC_STOP_CONFIG stop not yet due */
	bool held;    /* the round did not contact HQ: stopped before, or not enrolled */
	enum cp_sync_stop stop_kind; /* a CP_SYNC_STOPPED result: which stop to record */
	int64_t pushed;              /* rows acknowledged in this round */
	int64_t pages;               /* change pages applied in this round */
};

/* Whether the daemon was asked to stop: long pushes and pulls end between requests. */
bool cp_sync_round_interrupted(const struct cp_round *r, struct cp_errbuf *err);

/* Pushes until HQ has acknowledged every journal row. */
enum cp_sync_result cp_sync_push_run(struct cp_round *r, struct cp_errbuf *err);
/* Pulls change pages until HQ says there are no more. */
enum cp_sync_result cp_sync_pull_run(struct cp_round *r, struct cp_errbuf *err);

/* A request of the round, signed with the round's identity. */
enum cp_err cp_sync_round_request(struct cp_round *r, const char *method, const char *path,
				  const char *body, size_t len, struct cp_http_answer *ans,
				  struct cp_errbuf *err);
/* The one classification of what goes wrong (sync/PROTOCOL.md, "What the till does"): a
 * problem a person must fix ends the round CP_SYNC_STOPPED with r->stop_kind saying which stop the
 * round records (err holds the reason, naming what to do); everything else is
 * CP_SYNC_TRANSIENT, retried with backoff. */
enum cp_sync_result cp_sync_round_stop(struct cp_round *r, enum cp_sync_stop kind);
/* What a failed transport (rc from cp_sync_round_request) means for the round: a TLS or address
 * problem stops it for configuration, the rest is transient. */
enum cp_sync_result cp_sync_round_failed(struct cp_round *r, enum cp_err rc);
/* What an answer other than the expected one means: 401 stops sync until re-enrolment, 429
 * and 503 keep their Retry-After, everything else is transient. err says what HQ said. */
enum cp_sync_result cp_sync_round_refused(struct cp_round *r, const struct cp_http_answer *ans,
					  const char *what, struct cp_errbuf *err);

#endif
