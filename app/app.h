/* app.h — what the pieces of the counterpoint executable share: the parsed command line, the
 * configuration mapped into core's options, and the commands main() dispatches to. Private to
 * app/; nothing here holds a business rule. */
#ifndef CP_APP_H
#define CP_APP_H

#include <stdbool.h>
#include <stdio.h>

#include "cp_config.h"
#include "cp_error.h"
#include "db.h"
#include "discount.h"
#include "pointspay.h"

/* CP_VERSION comes from project(VERSION) in CMakeLists.txt, the one place it is written. */
#ifndef CP_VERSION
#error "CP_VERSION is defined by the build (CMakeLists.txt)"
#endif

/* Exit statuses, one per outcome (counterpoint(1), EXIT STATUS). The sync statuses are
 * enum cp_sync_result's values. */
#define APP_EXIT_OK 0
#define APP_EXIT_FAIL 1   /* the command ran and failed, or verify found a problem */
#define APP_EXIT_USAGE 2  /* bad command line or configuration; verify could not run */
#define APP_EXIT_ACT 3    /* sync: a person must act (CP_SYNC_STOPPED) */
#define APP_EXIT_RETRY 75 /* sync: try again later (CP_SYNC_TRANSIENT; EX_TEMPFAIL) */

#define APP_PATH_MAX 1024

struct app {
	struct cp_config cfg;
	char db_path[APP_PATH_MAX]; /* resolved: --db, [database] path, or the default */
	bool db_given;              /* --db was on the command line */
	bool demo;                  /* --demo */
	bool force;                 /* --force (init) */
	const char *key_file;       /* --key: init exports the starting key; verify reads it */
	const char *anchor;         /* verify --anchor RECEIPT:CODE */
	const char *script_file;    /* script [FILE]; NULL or "-" is stdin */
	const char *staff_code;     /* staff set CODE */
	const char *staff_name;     /* --name */
	const char *staff_role;     /* --role */
	const char *staff_badge;    /* --badge (a guide's) */
	struct cp_db_options dbopt; /* points into cfg, db_path and pointspay */
	struct cp_pointspay_config pointspay; /* [points], for dbopt */
	struct cp_discount_config discount;   /* [pricing], for dbopt */
	const char *hq_url;                   /* enrol --hq */
	const char *enrol_code; /* enrol --code (shown by ps: stdin or --code-file is better) */
	const char *enrol_code_file; /* enrol --code-file; without either, the code is on stdin */
	const char *ca_file;         /* enrol --ca: overrides [sync] ca_file */
	const char *pin;             /* enrol --pin: overrides [sync] pin */
	bool sync_once;              /* sync --once */
	bool sync_daemon;            /* sync --daemon */
	bool json;                   /* status --json */
	const char *backup_file;     /* backup FILE */
	const char *report_kind;     /* report daily|shift|x|z */
	const char *report_date;     /* report --date YYYY-MM-DD */
	const char *report_format;   /* report --format text|csv|json */
};

/* Prints "counterpoint: <message>" as one line on stderr. */
void app_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the message of a failed core call (cp_errmsg) the same way. */
void app_fail(const struct cp_errbuf *err, enum cp_err rc);

/* The database path of the demo store: --db when given, else demo.db next to the default
 * database. */
int app_demo_path(struct app *app, char *out, size_t outlen);
/* Opens the database at app->dbopt.path, printing the error on failure. */
enum cp_err app_open_db(struct app *app, struct cp_db **db);
/* app_open_db for a front end that sells: a database that fails cp_health_check is refused
 * with its one-line message on stderr (and *db stays NULL). */
enum cp_err app_open_db_to_sell(struct app *app, struct cp_db **db);
/* Creates and seeds the demo store at app->dbopt.path unless a file is already there. Sets
 * *created. Prints errors. */
enum cp_err app_demo_ensure(struct app *app, bool *created);

struct cp_sync_options;
struct cp_hq_identity;
/* cmd_sync.c: the [sync] configuration as sync options; then the CA file and pin kept at
 * enrolment where the configuration names none (keep holds their strings). */
void app_sync_options(const struct app *app, struct cp_sync_options *o);
void app_sync_stored_tls(struct cp_db *db, struct cp_sync_options *o, struct cp_hq_identity *keep);
/* libcurl is told not to touch signals: a connection HQ closes must not kill the process. */
void app_ignore_sigpipe(void);

/* script_json.c: makes jansson wipe every block it frees (parsed requests hold PINs, HQ's
 * answers secrets). Call once at start, before any JSON is made. */
void app_json_wipe_freed(void);

/* secret_in.c: one line from file (stdin when NULL or "-"), with read(2) so that no stdio
 * buffer keeps it, without echo on a terminal (prompting "What: " on stderr). Blanks
 * around it go. what names it in messages ("enrolment code"). 0, or -1 after printing what was
 * wrong (empty, longer than cap - 1, unreadable); out is wiped on failure. */
int app_read_secret(const char *file, const char *what, char *out, size_t cap);

/* The commands; each returns an exit status. */
int cmd_ui(struct app *app);
int cmd_init(struct app *app);
int cmd_verify(struct app *app);
int cmd_report(struct app *app);
int cmd_staff_set(struct app *app);
int cmd_script(struct app *app);
/* cmd_sync.c: HQ. sync --once exits 0 (all sent and received), 75 (try again) or 3 (a person
 * must act), as cp_sync_once() says. */
int cmd_enrol(struct app *app);
int cmd_sync(struct app *app);
int cmd_status(struct app *app);
/* cmd_backup.c: backup FILE, an online copy of the database checked like verify. */
int cmd_backup(struct app *app);
/* version.c: --version, with the versions of the libraries this process runs with. */
void app_print_version(FILE *out);

#endif
