/* sync.c — the sync loop: one round pushes then pulls, records its outcome for the status line
 * (success, failure with the next try, or a stop that needs a person), and the daemon repeats
 * rounds with full-jitter backoff after failures until it is told to stop. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "backoff.h"
#include "cp_crypto.h"
#include "cp_log.h"
#include "cp_rand.h"
#include "db.h"
#include "sync_int.h"

void cp_sync_options_defaults(struct cp_sync_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->batch_size = 200;
	opts->pull_limit = 500;
	opts->connect_timeout_ms = 5000;
	opts->timeout_ms = 30000;
	opts->low_speed_bytes = 1;
	opts->low_speed_s = 15;
	opts->lookup_timeout_ms = 2000;
	opts->allow_plain_http = false;
	opts->backoff_base_ms = 1000;
	opts->backoff_cap_ms = 300000;
	opts->interval_s = 10;
	opts->recheck_ms = 900000;
}

/* ---- what push.c and pull.c share ---- */

/* The handle for the enrolled HQ, opened again when re-enrolment changed the address. */
static enum cp_err ensure_http(struct cp_round *r, struct cp_errbuf *err)
{
	char base[512];

	if (r->http) {
		if (cp_sync_http_check_url(r->id.url, r->opts->allow_plain_http, base, sizeof(base),
					   NULL) == CP_OK &&
		    strcmp(base, cp_sync_http_base(r->http)) == 0)
			return CP_OK;
		cp_sync_http_close(r->http);
		r->http = NULL;
	}
	return cp_sync_http_open(&r->http, r->id.url, r->opts, err);
}

enum cp_err cp_sync_round_request(struct cp_round *r, const char *method, const char *path,
				  const char *body, size_t len, struct cp_http_answer *ans,
				  struct cp_errbuf *err)
{
	struct cp_http_request req = {
		.method = method,
		.path = path,
		.body = body,
		.len = len,
		.id = &r->id,
		.now_s = cp_db_now(r->db) / 1000,
		.timeout_ms = 0,
		.cancel = NULL,
		.stop = r->stop,
	};
	enum cp_err rc;

	memset(ans, 0, sizeof(*ans));
	if ((rc = ensure_http(r, err)) != CP_OK)
		return rc;
	return cp_sync_http_do(r->http, &req, ans, err);
}

enum cp_sync_result cp_sync_round_stop(struct cp_round *r, enum cp_sync_stop kind)
{
	r->stop_kind = kind;
	return CP_SYNC_STOPPED;
}

enum cp_sync_result cp_sync_round_failed(struct cp_round *r, enum cp_err rc)
{
	/* A TLS or address problem does not mend itself; the rest usually does. */
	if (rc == CP_ECONFIG || rc == CP_EINVAL)
		return cp_sync_round_stop(r, CP_SYNC_STOP_CONFIG);
	return CP_SYNC_TRANSIENT;
}

enum cp_sync_result cp_sync_round_refused(struct cp_round *r, const struct cp_http_answer *ans,
					  const char *what, struct cp_errbuf *err)
{
	struct cp_errbuf said = {{0}};
	char why[136];

	cp_sync_http_describe(ans, what, &said);
	if (ans->status == 401) {
		snprintf(why, sizeof(why), "%s%s%.80s", ans->code[0] ? ans->code : "401",
			 ans->message[0] ? ": " : "", ans->message);
		if (strcmp(ans->code, "stale_timestamp") == 0)
			cp_errf(err, CP_EAUTH,
				"re-enrol: HQ refused the request time (%s); this till's clock is "
				"more than 5 minutes off: set the clock, then re-enrol",
				why);
		else
			cp_errf(err, CP_EAUTH,
				"re-enrol: HQ no longer accepts this terminal (%s); run "
				"'counterpoint enrol' with a new code",
				why);
		return cp_sync_round_stop(r, CP_SYNC_STOP_ENROL);
	}
	if (ans->status == 429 || ans->status == 503)
		r->retry_after_ms = ans->retry_after_ms;
	cp_errf(err, CP_EIO, "%s", said.msg);
	return CP_SYNC_TRANSIENT;
}

/* The stop flag is set by a signal handler (the daemon) or by another thread (the UI's
 * background sync): read atomically, so that a thread sees it without a data race. */
static bool stop_asked(const volatile sig_atomic_t *stop)
{
	return __atomic_load_n(stop, __ATOMIC_SEQ_CST) != 0;
}

bool cp_sync_round_interrupted(const struct cp_round *r, struct cp_errbuf *err)
{
	if (!r->stop || !stop_asked(r->stop))
		return false;
	cp_errf(err, CP_ESTATE, "sync was told to stop before it had finished");
	return true;
}

/* ---- a round ---- */

/* A round that does not contact HQ: stopped until re-enrolment, a stop for configuration
 * that is not due for a check, or not enrolled. Nothing new to record. */
static enum cp_sync_result held(struct cp_round *r)
{
	r->held = true;
	return CP_SYNC_STOPPED;
}

static enum cp_sync_result run_round(struct cp_round *r, struct cp_errbuf *err)
{
	struct cp_sync_status st;
	enum cp_sync_result res;
	enum cp_err rc;

	if ((rc = cp_syncstate_status_get(r->db, &st, err)) != CP_OK)
		return CP_SYNC_TRANSIENT;
	if (st.stop_kind == CP_SYNC_STOP_ENROL || (st.stop_kind == CP_SYNC_STOP_CONFIG &&
						   !r->recheck && cp_db_now(r->db) < st.next_try)) {
		cp_errf(err, CP_EPERM, "sync is stopped until a person acts: %s", st.stop_reason);
		return held(r);
	}
	if ((rc = cp_hq_identity(r->db, &r->id, err)) != CP_OK)
		return CP_SYNC_TRANSIENT;
	if (!r->id.enrolled) {
		cp_errf(err, CP_ESTATE,
			"this terminal is not enrolled with HQ: run 'counterpoint enrol --hq "
			"https://HOST:PORT --code CODE' first");
		return held(r);
	}
	res = cp_sync_push_run(r, err);
	if (res == CP_SYNC_DONE)
		res = cp_sync_pull_run(r, err);
	return res;
}

/* "1.5 s" */
static void seconds(int64_t ms, char *out, size_t len)
{
	snprintf(out, len, "%" PRId64 ".%" PRId64 " s", ms / 1000, ms % 1000 / 100);
}

/* Appends to err's message "; next try in X" and why it is not what HQ asked for, cutting the
 * message (never inside a character) so that the wait is always there to read. */
static void say_wait(struct cp_errbuf *err, const struct cp_backoff *b, int64_t asked,
		     int64_t delay)
{
	char wait[160], d[32], a[32];
	size_t room, n;

	seconds(delay, d, sizeof(d));
	if (asked > b->cap_ms) {
		seconds(asked, a, sizeof(a));
		snprintf(wait, sizeof(wait),
			 "; next try in %s (HQ asked for %s; backoff_cap_ms is the most)", d, a);
	} else if (asked >= 0 && asked < b->base_ms) {
		seconds(asked, a, sizeof(a));
		snprintf(wait, sizeof(wait),
			 "; next try in %s (HQ asked for %s; backoff_base_ms is the least)", d, a);
	} else {
		snprintf(wait, sizeof(wait), "; next try in %s", d);
	}
	/* The sync state keeps 255 bytes of a message. */
	room = 255 - strlen(wait);
	n = strlen(err->msg);
	if (n > room) {
		n = room;
		while (n > 0 && ((unsigned char)err->msg[n] & 0xc0) == 0x80)
			n--;
	}
	snprintf(err->msg + n, sizeof(err->msg) - n, "%s", wait);
}

/* Runs a round and records how it went: success; a failure retrying may mend, with the backoff
 * delay in *delay_ms; or a stop for a person (r->stop_kind), checked again after recheck_ms when it
 * is one of configuration. A round that did not contact HQ records nothing. */
static enum cp_sync_result round_and_record(struct cp_round *r, struct cp_backoff *b,
					    int64_t *delay_ms, struct cp_errbuf *err)
{
	enum cp_sync_result res;
	enum cp_sync_stop kind;
	uint64_t rnd = 0;
	int64_t now, recheck;

	r->retry_after_ms = -1;
	r->held = false;
	r->stop_kind = CP_SYNC_STOP_NONE;
	r->pushed = 0;
	r->pages = 0;
	res = run_round(r, err);
	cp_wipe(&r->id, sizeof(r->id));
	*delay_ms = 0;
	if (res == CP_SYNC_DONE) {
		cp_sync_backoff_reset(b);
		if (cp_syncstate_record_success(r->db, NULL) != CP_OK)
			cp_log(CP_LOG_WARN, "sync: could not record the success in the database");
		return res;
	}
	if (r->held || cp_sync_round_interrupted(r, NULL))
		return res;
	now = cp_db_now(r->db);
	if (res == CP_SYNC_STOPPED) {
		/* Never a stop without its kind: a configuration stop at least is re-checked. */
		kind = r->stop_kind == CP_SYNC_STOP_ENROL ? CP_SYNC_STOP_ENROL
							  : CP_SYNC_STOP_CONFIG;
		recheck = r->opts->recheck_ms > 0 ? r->opts->recheck_ms : 900000;
		if (recheck < b->cap_ms)
			recheck = b->cap_ms;
		if (cp_syncstate_record_stop_why(r->db, kind, err,
						 kind == CP_SYNC_STOP_CONFIG ? recheck : 0,
						 NULL) != CP_OK)
			cp_log(CP_LOG_WARN, "sync: could not record the stop in the database");
		return res;
	}
	if (cp_rand_bytes(&rnd, sizeof(rnd)) != 0)
		rnd = (uint64_t)now;
	*delay_ms = cp_sync_backoff_next(b, r->retry_after_ms, rnd);
	if (err)
		say_wait(err, b, r->retry_after_ms, *delay_ms);
	if (cp_syncstate_record_retry(r->db, cp_errmsg(err, CP_EIO), *delay_ms, NULL) != CP_OK)
		cp_log(CP_LOG_WARN, "sync: could not record the failure in the database");
	return res;
}

static void backoff_init(struct cp_backoff *b, const struct cp_sync_options *opts)
{
	b->base_ms = opts->backoff_base_ms > 0 ? opts->backoff_base_ms : 1000;
	b->cap_ms = opts->backoff_cap_ms > 0 ? opts->backoff_cap_ms : 300000;
	if (b->cap_ms < b->base_ms)
		b->cap_ms = b->base_ms;
	b->attempt = 0;
}

enum cp_sync_result cp_sync_once(struct cp_db *db, const struct cp_sync_options *opts,
				 struct cp_errbuf *err)
{
	/* A person or a timer runs --once: it checks a stop for configuration again. */
	struct cp_round r = {.db = db, .opts = opts, .retry_after_ms = -1, .recheck = true};
	struct cp_backoff b;
	struct cp_errbuf e = {{0}};
	enum cp_sync_result res;
	int64_t delay;

	backoff_init(&b, opts);
	res = round_and_record(&r, &b, &delay, &e);
	cp_sync_http_close(r.http);
	if (res != CP_SYNC_DONE && err)
		*err = e;
	return res;
}

/* ---- the daemon ---- */

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps ms, in steps of at most 100 ms so that *stop is seen promptly (a signal also cuts a
 * step short). */
static void nap(int64_t ms, const volatile sig_atomic_t *stop)
{
	int64_t end = monotonic_ms() + ms, left;
	struct timespec ts;

	while (!stop_asked(stop) && (left = end - monotonic_ms()) > 0) {
		if (left > 100)
			left = 100;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left * 1000000L;
		if (nanosleep(&ts, NULL) != 0 && errno != EINTR)
			break;
	}
}

/* What the CA file looks like now, so that a replaced one is checked at once. */
static void ca_seen(const struct cp_sync_options *opts, struct stat *out)
{
	memset(out, 0, sizeof(*out));
	if (opts->ca_file && stat(opts->ca_file, out) != 0)
		memset(out, 0, sizeof(*out));
}

static bool ca_changed(const struct stat *a, const struct stat *b)
{
	return a->st_ino != b->st_ino || a->st_dev != b->st_dev || a->st_size != b->st_size ||
	       a->st_mtim.tv_sec != b->st_mtim.tv_sec || a->st_mtim.tv_nsec != b->st_mtim.tv_nsec;
}

enum cp_err cp_sync_daemon(struct cp_db *db, const struct cp_sync_options *opts,
			   const volatile sig_atomic_t *stop, struct cp_errbuf *err)
{
	/* The first round checks a stop for configuration again: a restart takes a new one. */
	struct cp_round r = {
		.db = db, .opts = opts, .stop = stop, .retry_after_ms = -1, .recheck = true};
	struct cp_backoff b;
	struct stat ca, ca_now;
	char last[sizeof(err->msg)] = "";
	int64_t idle = (opts->interval_s > 0 ? opts->interval_s : 10) * INT64_C(1000), delay;

	if (!stop)
		return cp_errf(err, CP_EINVAL, "the sync daemon needs a stop flag");
	backoff_init(&b, opts);
	ca_seen(opts, &ca);
	cp_log(CP_LOG_INFO, "sync daemon started");
	while (!stop_asked(stop)) {
		struct cp_errbuf e = {{0}};
		enum cp_sync_result res = round_and_record(&r, &b, &delay, &e);

		if (stop_asked(stop))
			break;
		if (res == CP_SYNC_DONE) {
			if (last[0] || r.pushed)
				cp_log(CP_LOG_INFO,
				       "sync: up to date with HQ (%" PRId64 " journal row%s sent)",
				       r.pushed, r.pushed == 1 ? "" : "s");
			last[0] = '\0';
			delay = idle;
		} else if (res == CP_SYNC_STOPPED) {
			/* Logged once, not every round, until the message changes. Only the
			 * recorded state is read until a check is due: HQ is not contacted. */
			if (strcmp(last, e.msg) != 0)
				cp_log(CP_LOG_ERROR, "sync: %s", e.msg);
			snprintf(last, sizeof(last), "%s", e.msg);
			delay = idle;
		} else {
			cp_log(CP_LOG_WARN, "sync: %s", e.msg);
			snprintf(last, sizeof(last), "%s", e.msg);
		}
		nap(delay, stop);
		ca_seen(opts, &ca_now);
		r.recheck = ca_changed(&ca, &ca_now);
		ca = ca_now;
	}
	cp_sync_http_close(r.http);
	cp_log(CP_LOG_INFO, "sync daemon stopped");
	return CP_OK;
}
