/* cmd_admin.c — the commands for IT and the back office: init, verify, staff set, and the
 * terminal-UI entry point, which for now only prepares the demo store and says how to use
 * script mode. Each wires the configuration to one or two core calls and prints the outcome. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "app.h"
#include "backup.h"
#include "cp_crypto.h"
#include "cp_paths.h"
#include "demo.h"
#include "journal.h"
#include "staff.h"

#define PIN_BUF 64

int app_demo_path(struct app *app, char *out, size_t outlen)
{
	char def[APP_PATH_MAX];
	struct cp_errbuf err = {{0}};
	enum cp_err rc;
	const char *slash;
	int dirlen;

	(void)app;
	if ((rc = cp_paths_default_db(def, sizeof(def), &err)) != CP_OK) {
		app_fail(&err, rc);
		return APP_EXIT_USAGE;
	}
	slash = strrchr(def, '/');
	dirlen = slash ? (int)(slash - def + 1) : 0;
	if ((size_t)snprintf(out, outlen, "%.*sdemo.db", dirlen, def) >= outlen) {
		app_error("path too long: %.64s...", def);
		return APP_EXIT_USAGE;
	}
	return APP_EXIT_OK;
}

enum cp_err app_open_db(struct app *app, struct cp_db **db)
{
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_db_open(db, &app->dbopt, &err);
	const char *copy;
	int from = 0;

	if (rc != CP_OK)
		app_fail(&err, rc);
	else if ((copy = cp_backup_premigration(*db, &from))[0])
		app_error("%s was migrated from schema %d to %d; the file as it was is kept at %s",
			  app->dbopt.path, from, cp_db_schema_version(), copy);
	return rc;
}

/* The database file and the files SQLite keeps next to it. */
static void remove_db_files(const char *path)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	char buf[APP_PATH_MAX + 16];

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(buf, sizeof(buf), "%s%s", path, suffix[i]);
		unlink(buf);
	}
}

/* Creates the database at the configured path, seeding the demo store when asked. A seed that
 * fails takes the half-made file away with it. */
static enum cp_err create_db(struct app *app, bool seed, bool force)
{
	struct cp_errbuf err = {{0}};
	struct cp_db_init init = {
		.store_id = app->cfg.store_id,
		.terminal_id = app->cfg.terminal_id,
		.force = force,
	};
	struct cp_db *db = NULL;
	enum cp_err rc;

	if ((rc = cp_paths_make_parent(app->dbopt.path, &err)) != CP_OK)
		goto out;
	if ((rc = cp_db_create(&db, &app->dbopt, &init, &err)) != CP_OK)
		goto out;
	if (seed && (rc = cp_demo_seed(db, &err)) != CP_OK) {
		cp_db_close(db);
		db = NULL;
		remove_db_files(app->dbopt.path);
	}
out:
	cp_db_close(db);
	if (rc != CP_OK)
		app_fail(&err, rc);
	return rc;
}

enum cp_err app_demo_ensure(struct app *app, bool *created)
{
	struct stat st;
	enum cp_err rc;

	*created = false;
	if (stat(app->dbopt.path, &st) == 0)
		return CP_OK;
	if (errno != ENOENT) {
		app_error("%s: %s", app->dbopt.path, strerror(errno));
		return CP_EIO;
	}
	if ((rc = create_db(app, true, false)) == CP_OK)
		*created = true;
	return rc;
}

int cmd_init(struct app *app)
{
	if (create_db(app, app->demo, app->force) != CP_OK)
		return APP_EXIT_FAIL;
	printf("created %s (store %s, terminal %s)%s\n", app->dbopt.path, app->cfg.store_id,
	       app->cfg.terminal_id, app->demo ? ", seeded with the demo store" : "");
	return APP_EXIT_OK;
}

/* Whether msg already says "sequence N" (and not N0, N1, ...). */
static bool names_seq(const char *msg, int64_t seq)
{
	char want[40];
	const char *p = msg;
	size_t n;

	n = (size_t)snprintf(want, sizeof(want), "sequence %" PRId64, seq);
	while ((p = strstr(p, want))) {
		p += n;
		if (*p < '0' || *p > '9')
			return true;
	}
	return false;
}

int cmd_verify(struct app *app)
{
	const char *msg;
	struct cp_errbuf err = {{0}};
	struct cp_verify_report rep = {0};
	struct cp_db *db = NULL;
	enum cp_err rc;
	int status;

	if ((rc = app_open_db(app, &db)) != CP_OK)
		return rc == CP_ECORRUPT ? APP_EXIT_FAIL : APP_EXIT_USAGE;
	rc = cp_journal_verify(db, &rep, &err);
	if (rc == CP_OK && rep.ok) {
		printf("ok: %" PRId64 " journal row%s, chain intact, tables match the journal\n",
		       rep.rows, rep.rows == 1 ? "" : "s");
		status = APP_EXIT_OK;
	} else if (rc == CP_OK || rc == CP_ECORRUPT) {
		msg = cp_errmsg(&err, CP_ECORRUPT);
		if (rep.first_bad_seq > 0 && !names_seq(msg, rep.first_bad_seq))
			app_error("verify failed at journal sequence %" PRId64 ": %s",
				  rep.first_bad_seq, msg);
		else
			app_error("verify failed: %s", msg);
		status = APP_EXIT_FAIL;
	} else {
		app_error("verify could not run: %s", cp_errmsg(&err, rc));
		status = APP_EXIT_USAGE;
	}
	cp_db_close(db);
	return status;
}

/* One line from stdin, without echo when it is a terminal. Returns 0, or -1 after printing. */
static int read_pin(const char *code, char pin[PIN_BUF])
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	char *got;
	size_t n;
	int c;

	if (tty) {
		fprintf(stderr, "PIN for %s: ", code);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	got = fgets(pin, PIN_BUF, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (!got) {
		app_error("no PIN on stdin: give it as one line");
		return -1;
	}
	n = strcspn(pin, "\r\n");
	if (pin[n] == '\0' && n == PIN_BUF - 1) {
		while ((c = getchar()) != EOF && c != '\n')
			;
		cp_wipe(pin, PIN_BUF);
		app_error("the PIN is too long");
		return -1;
	}
	pin[n] = '\0';
	return 0;
}

int cmd_staff_set(struct app *app)
{
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	char pin[PIN_BUF];
	int role = cp_role_parse(app->staff_role);
	enum cp_err rc;

	if (role < 0) {
		app_error("unknown role '%s': use cashier, guide or manager", app->staff_role);
		return APP_EXIT_USAGE;
	}
	if (read_pin(app->staff_code, pin) != 0)
		return APP_EXIT_FAIL;
	if (app_open_db(app, &db) != CP_OK) {
		cp_wipe(pin, sizeof(pin));
		return APP_EXIT_FAIL;
	}
	rc = cp_staff_set(db, app->staff_code, app->staff_name, (enum cp_role)role, pin, &err);
	cp_wipe(pin, sizeof(pin));
	cp_db_close(db);
	if (rc != CP_OK) {
		app_fail(&err, rc);
		return APP_EXIT_FAIL;
	}
	printf("staff %s set: %s, %s\n", app->staff_code, app->staff_name,
	       cp_role_name((enum cp_role)role));
	return APP_EXIT_OK;
}
