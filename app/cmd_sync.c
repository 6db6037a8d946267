/* cmd_sync.c — the commands that deal with headquarters: enrol, sync --once / --daemon, and
 * status. They map the [sync] configuration (and enrol's --ca/--pin) into cp_sync_options,
 * call sync/ or core, and print the outcome; the network is sync/'s business. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "cp_clock.h"
#include "cp_crypto.h"
#include "cp_lock.h"
#include "hq.h"
#include "sync.h"

/* sync --once exits with cp_sync_once()'s result: the statuses counterpoint(1) documents. */
_Static_assert(CP_SYNC_TRANSIENT == APP_EXIT_RETRY && CP_SYNC_STOPPED == APP_EXIT_ACT,
	       "sync results are exit statuses");

#define NOTICES_SHOWN 5
/* An enrolment code is at most 64 characters; a longer line is refused, not cut. */
#define ENROL_CODE_MAX 80

void app_sync_options(const struct app *app, struct cp_sync_options *o)
{
	const struct cp_config *c = &app->cfg;

	cp_sync_options_defaults(o);
	o->ca_file = c->sync_ca_file[0] ? c->sync_ca_file : NULL;
	o->pin = c->sync_pin[0] ? c->sync_pin : NULL;
	o->batch_size = c->sync_batch_size;
	o->pull_limit = c->sync_pull_limit;
	o->connect_timeout_ms = c->sync_connect_timeout_ms;
	o->timeout_ms = c->sync_timeout_ms;
	o->low_speed_s = c->sync_low_speed_s;
	o->lookup_timeout_ms = c->sync_lookup_timeout_ms;
	o->allow_plain_http = c->sync_allow_plain_http;
	o->backoff_base_ms = c->sync_backoff_base_ms;
	o->backoff_cap_ms = c->sync_backoff_cap_ms;
	o->interval_s = c->sync_interval_s;
}

void app_sync_stored_tls(struct cp_db *db, struct cp_sync_options *o, struct cp_hq_identity *keep)
{
	if (cp_hq_identity(db, keep, NULL) != CP_OK)
		return;
	cp_wipe(keep->secret, sizeof(keep->secret));
	if (!o->ca_file && keep->ca_file[0])
		o->ca_file = keep->ca_file;
	if (!o->pin && keep->pin[0])
		o->pin = keep->pin;
}

/* Keeps the CA file and pin strings alive for the options of this process's one sync. */
static struct cp_hq_identity tls_id;

/* libcurl is told not to touch signals (it may run beside other threads), so a connection HQ
 * closes must not kill the process with SIGPIPE. */
void app_ignore_sigpipe(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
}

/* path made absolute against the working directory (links are kept: a CA file may be a link
 * that IT points at a renewed one). Returns 0, or -1 after saying why. */
static int absolute_ca(const char *path, char *out, size_t outlen)
{
	char cwd[APP_PATH_MAX];

	if (access(path, R_OK) != 0) {
		app_error("cannot read the CA file %s (%s): give the path of HQ's CA certificate",
			  path, strerror(errno));
		return -1;
	}
	if (path[0] == '/') {
		if ((size_t)snprintf(out, outlen, "%s", path) < outlen)
			return 0;
	} else if (getcwd(cwd, sizeof(cwd)) &&
		   (size_t)snprintf(out, outlen, "%s/%s", cwd, path) < outlen) {
		return 0;
	}
	app_error("the CA file's path %s is too long", path);
	return -1;
}

int cmd_enrol(struct app *app)
{
	char ca_abs[APP_PATH_MAX + APP_PATH_MAX];
	char code[ENROL_CODE_MAX];
	struct cp_sync_options opts;
	struct cp_sync_status st;
	struct cp_hq_identity id;
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	enum cp_err rc;
	int status = APP_EXIT_FAIL;

	app_sync_options(app, &opts);
	if (app->ca_file)
		opts.ca_file = app->ca_file[0] ? app->ca_file : NULL;
	/* Stored for every later sync, which may start in another directory (a daemon). */
	if (opts.ca_file && absolute_ca(opts.ca_file, ca_abs, sizeof(ca_abs)) != 0)
		return APP_EXIT_USAGE;
	if (opts.ca_file)
		opts.ca_file = ca_abs;
	if (app->pin)
		opts.pin = app->pin[0] ? app->pin : NULL;
	app_ignore_sigpipe();
	if (app->enrol_code)
		snprintf(code, sizeof(code), "%s", app->enrol_code);
	else if (app_read_secret(app->enrol_code_file, "enrolment code", code, sizeof(code)) != 0)
		return APP_EXIT_USAGE;
	if (app_open_db(app, &db) != CP_OK) {
		cp_wipe(code, sizeof(code));
		return APP_EXIT_FAIL;
	}
	rc = cp_sync_enrol(db, &opts, app->hq_url, code, &err);
	cp_wipe(code, sizeof(code));
	if (rc != CP_OK) {
		app_error("enrolment failed: %s", cp_errmsg(&err, rc));
		status = rc == CP_EINVAL ? APP_EXIT_USAGE : APP_EXIT_FAIL;
		goto out;
	}
	memset(&id, 0, sizeof(id));
	if (cp_hq_identity(db, &id, &err) == CP_OK &&
	    cp_syncstate_status_get(db, &st, &err) == CP_OK)
		printf("enrolled with HQ at %s as terminal %s; %" PRId64
		       " journal row%s to send (run 'counterpoint sync --once')\n",
		       id.url, id.terminal_uid, st.queue_depth, st.queue_depth == 1 ? "" : "s");
	else
		printf("enrolled with HQ at %s\n", app->hq_url);
	cp_wipe(&id, sizeof(id));
	/* Sync goes on trusting what enrolment trusted ([sync] ca_file/pin override it). */
	rc = cp_hq_set_tls(db, opts.ca_file, opts.pin, &err);
	if (rc != CP_OK) {
		app_fail(&err, rc);
		goto out;
	}
	status = APP_EXIT_OK;
out:
	cp_db_close(db);
	return status;
}

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a sleep ends at once */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* "<db>.sync.lock": one sync at a time per database, daemon or --once. */
static enum cp_err lock_sync(struct app *app, const char *what, int *fd)
{
	char path[APP_PATH_MAX + 16];
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	*fd = -1;
	if ((size_t)snprintf(path, sizeof(path), "%s.sync.lock", app->dbopt.path) >= sizeof(path)) {
		app_error("path too long: %.64s...", app->dbopt.path);
		return CP_EINVAL;
	}
	if ((rc = cp_lock_try(path, fd, what, &err)) != CP_OK)
		app_fail(&err, rc);
	return rc;
}

static int sync_daemon(struct app *app, struct cp_sync_options *opts)
{
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	enum cp_err rc;
	int fd = -1, status = APP_EXIT_FAIL;

	/* The signals first, so that a SIGTERM right after the start is not lost. */
	catch_stop_signals();
	/* No database (not initialised yet) or one this program refuses: restarting cannot
	 * help, a person must act (the unit's RestartPreventExitStatus). */
	if ((rc = app_open_db(app, &db)) != CP_OK)
		return rc == CP_ENOTFOUND || rc == CP_EVERSION || rc == CP_ECORRUPT ? APP_EXIT_ACT
										    : APP_EXIT_FAIL;
	app_sync_stored_tls(db, opts, &tls_id);
	rc = lock_sync(app, "another sync daemon is running on this database", &fd);
	if (rc != CP_OK) {
		cp_db_close(db);
		return rc == CP_EINVAL ? APP_EXIT_USAGE : APP_EXIT_FAIL;
	}
	rc = cp_sync_daemon(db, opts, &stop_requested, &err);
	if (rc != CP_OK) {
		app_fail(&err, rc);
		goto out;
	}
	status = APP_EXIT_OK;
out:
	cp_db_close(db);
	cp_lock_release(fd);
	return status;
}

int cmd_sync(struct app *app)
{
	struct cp_sync_options opts;
	struct cp_sync_status st;
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	enum cp_sync_result res;
	enum cp_err rc;
	int fd;

	app_sync_options(app, &opts);
	app_ignore_sigpipe();
	if (app->sync_daemon)
		return sync_daemon(app, &opts);
	/* Beside a daemon, a second pusher and puller would only do the same work twice. */
	if (app_open_db(app, &db) != CP_OK)
		return CP_SYNC_STOPPED;
	app_sync_stored_tls(db, &opts, &tls_id);
	rc = lock_sync(app, "another sync is running on this database; it does this already", &fd);
	if (rc != CP_OK) {
		cp_db_close(db);
		return rc == CP_EBUSY ? CP_SYNC_TRANSIENT : CP_SYNC_STOPPED;
	}
	res = cp_sync_once(db, &opts, &err);
	if (res == CP_SYNC_DONE) {
		if (cp_syncstate_status_get(db, &st, &err) == CP_OK)
			printf("sync: up to date with HQ; %" PRId64 " journal row%s waiting\n",
			       st.queue_depth, st.queue_depth == 1 ? "" : "s");
	} else {
		app_error("sync %s: %s",
			  res == CP_SYNC_TRANSIENT ? "failed (try again later)"
						   : "cannot go on until this is fixed",
			  cp_errmsg(&err, CP_EIO));
	}
	cp_db_close(db);
	cp_lock_release(fd);
	return (int)res;
}

/* ---- status ---- */

static const char *when(int64_t ms, char out[32])
{
	if (ms <= 0)
		return "never";
	cp_clock_iso(ms, out);
	return out;
}

static const char *stop_kind(enum cp_sync_stop kind)
{
	return kind == CP_SYNC_STOP_ENROL ? "enrol" : kind == CP_SYNC_STOP_CONFIG ? "config" : "";
}

static int status_json(const struct cp_sync_status *st, const struct cp_hq_identity *id,
		       int64_t now)
{
	json_t *o = json_pack(
		"{s:b, s:s, s:s, s:b, s:I, s:I, s:I, s:s, s:b, s:s, s:s, s:I, s:I, s:I,"
		" s:I, s:I, s:I, s:I}",
		"enrolled", st->enrolled, "hq", id->url, "terminal_uid", id->terminal_uid, "online",
		st->online, "since", (json_int_t)st->since, "last_success",
		(json_int_t)st->last_success, "last_error_at", (json_int_t)st->last_error_at,
		"last_error", st->last_error, "stopped", st->stopped, "stop_reason",
		st->stop_reason, "stop_kind", stop_kind(st->stop_kind), "queue_depth",
		(json_int_t)st->queue_depth, "acked_seq", (json_int_t)st->acked_seq, "last_seq",
		(json_int_t)st->last_seq, "next_try", (json_int_t)st->next_try, "unknown_changes",
		(json_int_t)st->unknown_changes, "notices", (json_int_t)st->notices, "now",
		(json_int_t)now);
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII) : NULL;

	json_decref(o);
	if (!text) {
		app_error("out of memory");
		return APP_EXIT_FAIL;
	}
	puts(text);
	free(text);
	return APP_EXIT_OK;
}

static void status_text(struct cp_db *db, const struct cp_sync_status *st,
			const struct cp_hq_identity *id, int64_t now)
{
	struct cp_notice notes[NOTICES_SHOWN];
	struct cp_errbuf err = {{0}};
	char a[32], b[32];
	int n = NOTICES_SHOWN;

	if (st->enrolled)
		printf("enrolment:    enrolled with HQ at %s as terminal %s\n", id->url,
		       id->terminal_uid);
	else
		printf("enrolment:    not enrolled (run 'counterpoint enrol --hq https://HOST:PORT "
		       "--code CODE')\n");
	if (st->since > 0)
		printf("connection:   %s since %s\n", st->online ? "ONLINE" : "OFFLINE",
		       when(st->since, a));
	else
		printf("connection:   OFFLINE (never reached HQ)\n");
	printf("queue:        %" PRId64 " journal row%s not acknowledged by HQ (last %" PRId64
	       ", acknowledged up to %" PRId64 ")\n",
	       st->queue_depth, st->queue_depth == 1 ? "" : "s", st->last_seq, st->acked_seq);
	printf("last success: %s\n", when(st->last_success, a));
	if (st->last_error_at > 0)
		printf("last error:   %s: %s\n", when(st->last_error_at, a), st->last_error);
	else
		printf("last error:   none\n");
	/* The same classification as the exit status of `sync --once`: 3 is "stopped: YES". */
	if (!st->enrolled)
		printf("stopped:      YES: this terminal is not enrolled with HQ: run "
		       "'counterpoint "
		       "enrol --hq https://HOST:PORT --code CODE'\n");
	else
		printf("stopped:      %s%s\n", st->stopped ? "YES: " : "no",
		       st->stopped ? st->stop_reason : "");
	if (!st->enrolled)
		printf("next try:     after enrolment\n");
	else if (st->stop_kind == CP_SYNC_STOP_ENROL)
		printf("next try:     none until a person acts as 'stopped' says (re-enrolment "
		       "clears the stop)\n");
	else if (st->stop_kind == CP_SYNC_STOP_CONFIG)
		printf("next try:     %s (in %" PRId64
		       " s), or at once by 'counterpoint sync --once' "
		       "or a restart of the sync daemon or the till, once the configuration is "
		       "fixed\n",
		       when(st->next_try, b),
		       st->next_try > now ? (st->next_try - now + 999) / 1000 : 0);
	else if (st->next_try > now)
		printf("next try:     %s (in %" PRId64 " s)\n", when(st->next_try, b),
		       (st->next_try - now + 999) / 1000);
	else
		printf("next try:     now\n");
	printf("notices:      %" PRId64 "\n", st->notices);
	if (st->unknown_changes)
		printf("unknown:      %" PRId64 " change%s of kinds this till does not know\n",
		       st->unknown_changes, st->unknown_changes == 1 ? "" : "s");
	if (st->notices && cp_hq_notices(db, notes, &n, &err) == CP_OK)
		for (int i = 0; i < n; i++)
			printf("  %s %s: %s\n", when(notes[i].at, a), notes[i].kind,
			       notes[i].message);
}

int cmd_status(struct app *app)
{
	struct cp_sync_status st;
	struct cp_hq_identity id;
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	enum cp_err rc;
	int status = APP_EXIT_OK;

	if (app_open_db(app, &db) != CP_OK)
		return APP_EXIT_FAIL;
	memset(&id, 0, sizeof(id));
	if ((rc = cp_syncstate_status_get(db, &st, &err)) != CP_OK ||
	    (rc = cp_hq_identity(db, &id, &err)) != CP_OK) {
		app_fail(&err, rc);
		status = APP_EXIT_FAIL;
		goto out;
	}
	cp_wipe(id.secret, sizeof(id.secret)); /* only the address and uid are shown */
	if (app->json)
		status = status_json(&st, &id, cp_db_now(db));
	else
		status_text(db, &st, &id, cp_db_now(db));
out:
	cp_wipe(&id, sizeof(id));
	cp_db_close(db);
	return status;
}
