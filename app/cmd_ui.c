/* cmd_ui.c — `counterpoint` without a command: the terminal UI. Opens the database, sets the
 * language, starts this process's background sync (its own connection and thread, so the
 * screens never wait on the network), wires receipts and online lookups, and hands over to
 * ui/. Wiring only. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "app_ui.h"
#include "cp_lock.h"
#include "cp_log.h"
#include "hq.h"
#include "sync.h"
#include "ui.h"

struct bg_sync {
	pthread_t thread;
	bool running;
	volatile sig_atomic_t stop;
	struct cp_db *db;
	struct cp_sync_options opts;
	struct cp_hq_identity tls; /* keeps the stored CA file and pin strings alive */
	int lock_fd;
};

static void *bg_sync_main(void *arg)
{
	struct bg_sync *b = arg;
	struct cp_errbuf err = {{0}};

	/* The outcome of every round goes to the sync state the status line reads. */
	cp_sync_daemon(b->db, &b->opts, &b->stop, &err);
	return NULL;
}

/* Starts sync in the background when the till is enrolled and no sync daemon of its own runs
 * on this database (then that one does the work). */
static void bg_sync_start(struct app *app, struct bg_sync *b)
{
	struct cp_hq_identity id;
	char path[APP_PATH_MAX + 16];
	struct cp_errbuf err = {{0}};

	memset(b, 0, sizeof(*b));
	b->lock_fd = -1;
	if (cp_db_open(&b->db, &app->dbopt, &err) != CP_OK)
		return;
	if (cp_hq_identity(b->db, &id, &err) != CP_OK || !id.enrolled)
		goto no;
	snprintf(path, sizeof(path), "%s.sync.lock", app->dbopt.path);
	if (cp_lock_try(path, &b->lock_fd, "another sync daemon runs on this database", &err) !=
	    CP_OK)
		goto no;
	app_sync_options(app, &b->opts);
	app_sync_stored_tls(b->db, &b->opts, &b->tls);
	if (pthread_create(&b->thread, NULL, bg_sync_main, b) != 0)
		goto no;
	b->running = true;
	memset(&id, 0, sizeof(id));
	return;
no:
	memset(&id, 0, sizeof(id));
	cp_lock_release(b->lock_fd);
	b->lock_fd = -1;
	cp_db_close(b->db);
	b->db = NULL;
}

static void bg_sync_stop(struct bg_sync *b)
{
	if (b->running) {
		__atomic_store_n(&b->stop, 1, __ATOMIC_SEQ_CST); /* the sync thread reads it */
		pthread_join(b->thread, NULL);
	}
	cp_lock_release(b->lock_fd);
	cp_db_close(b->db);
	memset(&b->tls, 0, sizeof(b->tls));
}

struct lookup_ctx {
	struct app *app;
	struct cp_sync_options opts;
	struct cp_hq_identity tls;
};

/* cp_ui_options.remote_lookup: on a UI worker thread, with a connection of its own. */
static enum cp_err remote_lookup(void *ctx, const char *phone, const char *card,
				 struct cp_member_view *out, const volatile int *cancel,
				 struct cp_errbuf *err)
{
	struct lookup_ctx *l = ctx;
	struct cp_db *db = NULL;
	enum cp_err rc = cp_db_open(&db, &l->app->dbopt, err);

	if (rc != CP_OK)
		return rc;
	rc = cp_sync_lookup(db, &l->opts, phone, card, out, cancel, err);
	cp_db_close(db);
	return rc;
}

/* cp_ui_options.store_totals: on a UI worker thread, with a connection of its own. */
static enum cp_err store_totals(void *ctx, const char *day, struct cp_store_totals *out)
{
	struct lookup_ctx *l = ctx;
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	enum cp_err rc = cp_db_open(&db, &l->app->dbopt, &err);

	if (rc != CP_OK) {
		snprintf(out->why, sizeof(out->why), "%.150s", err.msg);
		return rc;
	}
	rc = cp_sync_store_totals(db, &l->opts, day, out, &err);
	cp_db_close(db);
	return rc;
}

int cmd_ui(struct app *app)
{
	struct cp_ui_options o;
	static struct app_receipts r; /* printing threads may outlive this call */
	struct lookup_ctx l;
	struct bg_sync bg;
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	char log_path[APP_PATH_MAX + 8];
	static char store_name[65];
	bool created = false;
	int status;

	if (app->demo && app_demo_ensure(app, &created) != CP_OK)
		return APP_EXIT_FAIL;
	if (created)
		printf("created the demo store at %s\n", app->dbopt.path);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		app_error(
			"the terminal UI needs a terminal; for scripts use 'counterpoint script'");
		return APP_EXIT_USAGE;
	}
	if (app_open_db_to_sell(app, &db) != CP_OK)
		return APP_EXIT_FAIL;
	/* Nothing may write over the screens: the log goes next to the database. */
	snprintf(log_path, sizeof(log_path), "%s.log", app->dbopt.path);
	if (cp_log_open(log_path, &err) != CP_OK) {
		app_fail(&err, CP_EIO);
		cp_db_close(db);
		return APP_EXIT_FAIL;
	}
	/* One store name on screen and on paper: the store's data, else [store] name. */
	cp_db_store_name(db, store_name, sizeof(store_name));
	if (!store_name[0])
		snprintf(store_name, sizeof(store_name), "%s", app->cfg.store_name);
	/* The locale before any thread starts: setlocale and setenv are not thread-safe. */
	cp_ui_setup_locale(app->cfg.ui_language);
	app_ignore_sigpipe();

	memset(&r, 0, sizeof(r));
	r.db = db;
	pthread_mutex_init(&r.mark_lock, NULL);
	if (cp_db_open(&r.mark_db, &app->dbopt, &err) != CP_OK)
		r.mark_db = NULL; /* printing still works; its outcome is only shown */
	r.device = app->cfg.printer_device;
	r.width = app_printer_width(app);
	r.currency = app->cfg.currency;
	r.store_name = store_name;

	memset(&l, 0, sizeof(l));
	l.app = app;
	app_sync_options(app, &l.opts);
	app_sync_stored_tls(db, &l.opts, &l.tls);

	bg_sync_start(app, &bg);

	memset(&o, 0, sizeof(o));
	o.db = db;
	o.language = app->cfg.ui_language;
	o.idle_lock_s = app->cfg.ui_idle_lock_s;
	o.currency = app->cfg.currency;
	o.store_name = store_name;
	o.cutover_min = app->cfg.cutover_min;
	o.remote_lookup = l.tls.enrolled ? remote_lookup : NULL;
	o.remote_ctx = &l;
	o.on_receipt = app_on_receipt;
	o.receipt_ctx = &r;
	o.list_receipts = app_list_receipts;
	o.reprint = app_reprint;
	o.printer = app->cfg.printer_device[0] != '\0';
	o.receipt_text = app_receipt_text;
	o.print_text = app_print_text;
	o.print_width = r.width;
	o.store_totals = store_totals;
	o.store_ctx = &l;
	status = cp_ui_run(&o);

	bg_sync_stop(&bg);
	/* Printing threads may still be finishing: they hold the lock while they use mark_db. */
	pthread_mutex_lock(&r.mark_lock);
	cp_db_close(r.mark_db);
	r.mark_db = NULL;
	pthread_mutex_unlock(&r.mark_lock);
	memset(&l.tls, 0, sizeof(l.tls));
	cp_db_close(db);
	cp_log_close();
	return status;
}
