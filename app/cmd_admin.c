/* cmd_admin.c — the commands for IT and the back office: init, verify, staff set, and the
 * terminal-UI entry point, which for now only prepares the demo store and says how to use
 * script mode. Each wires the configuration to one or two core calls and prints the outcome. */
#include <errno.h>
#include <fcntl.h>
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
#include "health.h"
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

enum cp_err app_open_db_to_sell(struct app *app, struct cp_db **db)
{
	struct cp_errbuf err = {{0}};
	int ckpt = app->dbopt.wal_autocheckpoint;
	enum cp_err rc;

	/* The selling handle checkpoints off the sale path (cp_db_checkpoint_due, core/db.h). */
	app->dbopt.wal_autocheckpoint = -1;
	rc = app_open_db(app, db);
	app->dbopt.wal_autocheckpoint = ckpt;
	if (rc != CP_OK)
		return rc;
	if ((rc = cp_health_check(*db, &err)) != CP_OK) {
		app_fail(&err, rc);
		cp_db_close(*db);
		*db = NULL;
	}
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

/* Writes the journal's starting key, in hex, to a new file only its owner can read. */
static enum cp_err export_key(struct cp_db *db, const char *file, struct cp_errbuf *err)
{
	uint8_t key[CP_JOURNAL_KEY_LEN];
	char line[2 * CP_JOURNAL_KEY_LEN + 2];
	enum cp_err rc = cp_journal_start_key(db, key, err);
	int fd;

	if (rc != CP_OK)
		return rc;
	cp_hex(key, sizeof(key), line);
	cp_wipe(key, sizeof(key));
	line[2 * CP_JOURNAL_KEY_LEN] = '\n';
	line[2 * CP_JOURNAL_KEY_LEN + 1] = '\0';
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = cp_errf(err, CP_EIO,
			     "cannot write the starting key to %s (%s); give a file that does not "
			     "exist yet",
			     file, strerror(errno));
	} else if (write(fd, line, strlen(line)) != (ssize_t)strlen(line) || fsync(fd) != 0) {
		rc = cp_errf(err, CP_EIO, "cannot write the starting key to %s (%s)", file,
			     strerror(errno));
		unlink(file);
	}
	if (fd >= 0)
		close(fd);
	cp_wipe(line, sizeof(line));
	return rc;
}

/* The directory of path, made durable after a rename into it. */
static void sync_parent(const char *path)
{
	char dir[APP_PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Creates the database at the configured path, seeding the demo store when asked, and
 * exporting the journal's starting key when asked. It is built whole under a temporary name
 * and renamed into place, so that a killed init leaves no file that looks like a store. */
static enum cp_err create_db(struct app *app, bool seed, bool force)
{
	struct cp_errbuf err = {{0}};
	struct cp_db_init init = {
		.store_id = app->cfg.store_id,
		.terminal_id = app->cfg.terminal_id,
		.force = true,
	};
	struct cp_db_options opt = app->dbopt;
	char tmp[APP_PATH_MAX + 16];
	struct cp_db *db = NULL;
	enum cp_err rc;

	if ((rc = cp_paths_make_parent(app->dbopt.path, &err)) != CP_OK)
		goto out;
	if (!force && access(app->dbopt.path, F_OK) == 0) {
		rc = cp_errf(&err, CP_EEXIST,
			     "%s already exists; use --force to replace it (its sales would be "
			     "lost)",
			     app->dbopt.path);
		goto out;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.init-tmp", app->dbopt.path) >= sizeof(tmp)) {
		rc = cp_errf(&err, CP_ECONFIG, "the database path is too long");
		goto out;
	}
	opt.path = tmp;
	if ((rc = cp_db_create(&db, &opt, &init, &err)) != CP_OK)
		goto out;
	if (seed && (rc = cp_demo_seed(db, &err)) != CP_OK)
		goto out;
	if (app->key_file && (rc = export_key(db, app->key_file, &err)) != CP_OK)
		goto out;
	cp_db_close(db); /* the last connection: the WAL is checkpointed into the file */
	db = NULL;
	remove_db_files(app->dbopt.path);
	if (rename(tmp, app->dbopt.path) != 0) {
		rc = cp_errf(&err, CP_EIO, "cannot rename %s to %s: %s", tmp, app->dbopt.path,
			     strerror(errno));
		goto out;
	}
	sync_parent(app->dbopt.path);
out:
	cp_db_close(db);
	if (rc != CP_OK) {
		remove_db_files(tmp);
		app_fail(&err, rc);
	}
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
	if (app->key_file)
		printf("the journal's starting key is in %s: take it off this till and keep it "
		       "safe (verify --key checks every row's seal with it)\n",
		       app->key_file);
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

/* The starting key from the file init exported (64 hex digits, a newline allowed). */
static int read_key(const char *file, uint8_t key[CP_JOURNAL_KEY_LEN])
{
	char buf[2 * CP_JOURNAL_KEY_LEN + 8];
	FILE *f = fopen(file, "re");
	size_t n = 0;
	bool ok;

	if (!f) {
		app_error("cannot read the starting key from %s: %s", file, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	ok = cp_unhex(buf, key, CP_JOURNAL_KEY_LEN);
	cp_wipe(buf, sizeof(buf));
	if (!ok) {
		app_error("%s does not hold a starting key (64 hex digits, as init --key wrote it)",
			  file);
		return -1;
	}
	return 0;
}

/* "RECEIPT:CODE" into a (pointing into buf). */
static int parse_anchor(const char *arg, char *buf, size_t buflen, struct cp_verify_anchor *a)
{
	char *colon;

	if (strlen(arg) >= buflen ||
	    !(colon = strrchr((snprintf(buf, buflen, "%s", arg), buf), ':')) || colon == buf ||
	    strlen(colon + 1) != 8) {
		app_error("--anchor '%s': give the receipt number and the 8-character verification "
			  "code printed on it, as RECEIPT:CODE",
			  arg);
		return -1;
	}
	*colon = '\0';
	a->receipt = buf;
	a->code = colon + 1;
	return 0;
}

int cmd_verify(struct app *app)
{
	const char *msg;
	struct cp_errbuf err = {{0}};
	struct cp_verify_report rep = {0};
	struct cp_verify_options opt = {0};
	struct cp_verify_anchor anchor;
	uint8_t key[CP_JOURNAL_KEY_LEN];
	char anchor_buf[128];
	struct cp_db *db = NULL;
	enum cp_err rc;
	int status;

	if (app->key_file) {
		if (read_key(app->key_file, key) != 0)
			return APP_EXIT_USAGE;
		opt.start_key = key;
	}
	if (app->anchor) {
		if (parse_anchor(app->anchor, anchor_buf, sizeof(anchor_buf), &anchor) != 0)
			return APP_EXIT_USAGE;
		opt.anchors = &anchor;
		opt.nanchors = 1;
	}
	if ((rc = app_open_db(app, &db)) != CP_OK) {
		cp_wipe(key, sizeof(key));
		return rc == CP_ECORRUPT ? APP_EXIT_FAIL : APP_EXIT_USAGE;
	}
	rc = cp_journal_verify_with(db, &opt, &rep, &err);
	cp_wipe(key, sizeof(key));
	if (rc == CP_OK && rep.ok) {
		printf("ok: %" PRId64 " journal row%s, chain intact, tables match the journal\n",
		       rep.rows, rep.rows == 1 ? "" : "s");
		if (rep.seals_checked)
			printf("every row's seal holds from the starting key\n");
		else
			printf("seals not checked: give --key FILE (the starting key exported at "
			       "init); HQ checks them as the rows reach it\n");
		if (rep.anchors_checked)
			printf("receipt %s matches the journal\n", anchor.receipt);
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
	rc = cp_staff_set_guide(db, app->staff_code, app->staff_name, (enum cp_role)role, pin,
				app->staff_badge, &err);
	cp_wipe(pin, sizeof(pin));
	cp_db_close(db);
	if (rc != CP_OK) {
		app_fail(&err, rc);
		return APP_EXIT_FAIL;
	}
	printf("staff %s set: %s, %s", app->staff_code, app->staff_name,
	       cp_role_name((enum cp_role)role));
	if (app->staff_badge)
		printf(", badge %s", app->staff_badge);
	printf("\n");
	return APP_EXIT_OK;
}
