/* main.c — the counterpoint command line: options (before or after the command), the
 * configuration file and its overrides mapped into core's options, and dispatch to the
 * commands in cmd_admin.c, cmd_script.c and cmd_sync.c. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "cp_paths.h"
#include "cp_process.h"
#include "rounding.h"
#include "scale.h"

enum command {
	CMD_UI,
	CMD_INIT,
	CMD_VERIFY,
	CMD_SCRIPT,
	CMD_STAFF_SET,
	CMD_ENROL,
	CMD_SYNC,
	CMD_STATUS,
	CMD_BACKUP,
	CMD_REPORT,
};

#define MAX_POSITIONAL 4

struct cmdline {
	const char *config;
	const char *db;
	const char *name, *role, *badge;
	const char *hq, *code, *code_file, *ca, *pin, *key, *anchor;
	const char *date, *format;
	bool demo, force, help, version, once, daemon, json;
	const char *pos[MAX_POSITIONAL];
	int npos;
	enum command cmd;
};

static const char usage_text[] =
	"usage: counterpoint [--config FILE] [--db FILE] [--demo]\n"
	"       counterpoint [--config FILE] [--db FILE] init [--demo] [--force] [--key FILE]\n"
	"       counterpoint [--config FILE] [--db FILE] [--demo] verify [--key FILE]\n"
	"                    [--anchor RECEIPT:CODE]\n"
	"       counterpoint [--config FILE] [--db FILE] [--demo] script [FILE|-]\n"
	"       counterpoint [--config FILE] [--db FILE] [--demo] staff set CODE --name NAME\n"
	"                    --role cashier|guide|manager [--badge BADGE]\n"
	"                    (the PIN is read from stdin)\n"
	"       counterpoint [--config FILE] [--db FILE] enrol --hq https://HOST:PORT\n"
	"                    [--code-file FILE] [--ca FILE] [--pin sha256//BASE64]\n"
	"                    (the code is read from FILE, else from stdin)\n"
	"       counterpoint [--config FILE] [--db FILE] sync --once | --daemon\n"
	"       counterpoint [--config FILE] [--db FILE] status [--json]\n"
	"       counterpoint [--config FILE] [--db FILE] backup FILE\n"
	"       counterpoint [--config FILE] [--db FILE] [--demo] report daily|shift|x|z\n"
	"                    [--date YYYY-MM-DD] [--format text|csv|json]\n"
	"       counterpoint --help | --version\n";

static const char help_text[] =
	"\n"
	"Counterpoint is an offline-first point-of-sale till.\n"
	"\n"
	"Commands:\n"
	"  (none)      start the terminal UI; with --demo, on the demo store (created if missing)\n"
	"  init        create the database; --demo seeds the demo store, --force replaces a file\n"
	"  verify      check the database, the journal's hash chain and the tables against it\n"
	"  script      run the JSON-lines till: one request per line in, one answer per line out\n"
	"  staff set   add or replace a staff member; the PIN is one line on stdin\n"
	"  enrol       register this till with headquarters (HQ) using a one-time code\n"
	"  sync        --once: send the journal to HQ and fetch its changes, then exit 0 (all\n"
	"              done), 2 (HQ unreachable or busy: try again) or 3 (a person must act);\n"
	"              --daemon: keep doing so until SIGTERM (one daemon per database)\n"
	"  status      enrolment, online or offline since when, journal rows waiting for HQ,\n"
	"              last success and error, notices from HQ; --json for machines\n"
	"  backup      copy the database to FILE while the till runs, then verify the copy\n"
	"  report      the tally of a business day (daily: today or --date; x: now, changes\n"
	"              nothing; z: closes the day, once), or the shift's cash (shift)\n"
	"\n"
	"Options:\n"
	"  --config FILE  read this configuration file instead of the default one\n"
	"  --db FILE      use this database instead of the configured one\n"
	"  --demo         use the demo store (demo.db in the data directory unless --db)\n"
	"  --force        init: replace an existing database\n"
	"  --key FILE     init: write the journal's starting key to FILE (a new file), to be\n"
	"                 taken off the till; verify: check every row's seal with it\n"
	"  --anchor R:C   verify: check receipt R against the journal by the code C printed on it\n"
	"  --badge BADGE  staff set: the guide's badge, the EAN-13 or EAN-8 on their card\n"
	"  --hq URL       enrol: HQ's address, https://HOST:PORT\n"
	"  --code-file F  enrol: read the one-time enrolment code HQ gave for this store and till\n"
	"                 from F (without it, from stdin; --code CODE works but shows it to ps)\n"
	"  --ca FILE      enrol: trust HQ's certificate only if it chains to the CAs in FILE\n"
	"  --pin PINS     enrol: also require HQ's public key to match sha256//BASE64[;...]\n"
	"  --help         show this help\n"
	"  --version      show the version and the versions of the libraries in use\n"
	"\n"
	"Exit status: 0 done; 1 failed (verify: a problem found); 2 bad command line or\n"
	"configuration; 3 sync: a person must act; 75 sync: try again later.\n";

void app_error(const char *fmt, ...)
{
	va_list ap;

	fputs("counterpoint: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void app_fail(const struct cp_errbuf *err, enum cp_err rc)
{
	app_error("%s", cp_errmsg(err, rc));
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line saying what was wrong, then the usage, on stderr. */
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("counterpoint: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs(usage_text, stderr);
	return APP_EXIT_USAGE;
}

/* "--opt VALUE" or "--opt=VALUE". Returns 1 when argv[*i] is opt (value in *out), 0 when it is
 * another option, -1 when the value is missing. */
static int value_option(const char *opt, int argc, char **argv, int *i, const char **out)
{
	const char *a = argv[*i];
	size_t n = strlen(opt);

	if (strncmp(a, opt, n) != 0)
		return 0;
	if (a[n] == '=') {
		*out = a + n + 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*out = argv[++*i];
	return 1;
}

static int parse_options(struct cmdline *cl, int argc, char **argv)
{
	static const char *const valued[] = {
		"--config", "--db",        "--name", "--role",   "--hq",  "--code",   "--ca",
		"--pin",    "--code-file", "--date", "--format", "--key", "--anchor", "--badge"};
	bool options_done = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **targets[] = {&cl->config,    &cl->db,   &cl->name,   &cl->role,
					  &cl->hq,        &cl->code, &cl->ca,     &cl->pin,
					  &cl->code_file, &cl->date, &cl->format, &cl->key,
					  &cl->anchor,    &cl->badge};
		int hit = 0;

		if (options_done || a[0] != '-' || a[1] == '\0') {
			if (cl->npos == MAX_POSITIONAL)
				return usage_error("too many arguments at '%s'", a);
			cl->pos[cl->npos++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			options_done = true;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cl->help = true;
			continue;
		}
		if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			cl->version = true;
			continue;
		}
		if (strcmp(a, "--demo") == 0) {
			cl->demo = true;
			continue;
		}
		if (strcmp(a, "--force") == 0) {
			cl->force = true;
			continue;
		}
		if (strcmp(a, "--once") == 0) {
			cl->once = true;
			continue;
		}
		if (strcmp(a, "--daemon") == 0) {
			cl->daemon = true;
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			cl->json = true;
			continue;
		}
		for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]) && !hit; k++) {
			hit = value_option(valued[k], argc, argv, &i, targets[k]);
			if (hit < 0)
				return usage_error("option '%s' needs a value", valued[k]);
		}
		if (!hit)
			return usage_error("unknown option '%s'", a);
	}
	return APP_EXIT_OK;
}

/* Which command, and whether the options given belong to it. */
static int resolve_command(struct cmdline *cl, struct app *app)
{
	const char *c = cl->npos ? cl->pos[0] : NULL;
	int want = 1;

	if (!c) {
		cl->cmd = CMD_UI;
		want = 0;
	} else if (strcmp(c, "init") == 0) {
		cl->cmd = CMD_INIT;
	} else if (strcmp(c, "verify") == 0) {
		cl->cmd = CMD_VERIFY;
	} else if (strcmp(c, "script") == 0) {
		cl->cmd = CMD_SCRIPT;
		if (cl->npos == 2) {
			app->script_file = cl->pos[1];
			want = 2;
		}
	} else if (strcmp(c, "staff") == 0) {
		if (cl->npos < 2 || strcmp(cl->pos[1], "set") != 0)
			return usage_error("the only staff command is 'staff set CODE'");
		if (cl->npos < 3)
			return usage_error("staff set: missing the staff CODE");
		cl->cmd = CMD_STAFF_SET;
		app->staff_code = cl->pos[2];
		want = 3;
	} else if (strcmp(c, "enrol") == 0 || strcmp(c, "enroll") == 0) {
		cl->cmd = CMD_ENROL;
	} else if (strcmp(c, "sync") == 0) {
		cl->cmd = CMD_SYNC;
	} else if (strcmp(c, "status") == 0) {
		cl->cmd = CMD_STATUS;
	} else if (strcmp(c, "backup") == 0) {
		if (cl->npos < 2 || !cl->pos[1][0])
			return usage_error("backup: name the FILE to copy the database to");
		cl->cmd = CMD_BACKUP;
		app->backup_file = cl->pos[1];
		want = 2;
	} else if (strcmp(c, "report") == 0) {
		const char *k = cl->npos > 1 ? cl->pos[1] : NULL;

		if (!k || (strcmp(k, "daily") != 0 && strcmp(k, "shift") != 0 &&
			   strcmp(k, "x") != 0 && strcmp(k, "z") != 0))
			return usage_error("report: give daily, shift, x or z");
		cl->cmd = CMD_REPORT;
		app->report_kind = k;
		want = 2;
	} else {
		return usage_error("unknown command '%s'", c);
	}
	if (cl->npos > want)
		return usage_error("unexpected argument '%s'", cl->pos[want]);
	if (cl->force && cl->cmd != CMD_INIT)
		return usage_error("--force: only init takes it");
	if ((cl->name || cl->role || cl->badge) && cl->cmd != CMD_STAFF_SET)
		return usage_error("--name, --role and --badge: only staff set takes them");
	if (cl->cmd == CMD_STAFF_SET && (!cl->name || !cl->role))
		return usage_error("staff set: needs --name NAME and --role cashier|guide|manager");
	if ((cl->hq || cl->code || cl->code_file || cl->ca || cl->pin) && cl->cmd != CMD_ENROL)
		return usage_error(
			"--hq, --code, --code-file, --ca and --pin: only enrol takes them");
	if (cl->cmd == CMD_ENROL && !cl->hq)
		return usage_error("enrol: needs --hq https://HOST:PORT");
	if (cl->code && cl->code_file)
		return usage_error("enrol: give the code with --code-file or --code, not both");
	if ((cl->once || cl->daemon) && cl->cmd != CMD_SYNC)
		return usage_error("--once and --daemon: only sync takes them");
	if (cl->cmd == CMD_SYNC && cl->once == cl->daemon)
		return usage_error("sync: give either --once or --daemon");
	if ((cl->date || cl->format) && cl->cmd != CMD_REPORT)
		return usage_error("--date and --format: only report takes them");
	app->report_date = cl->date;
	app->report_format = cl->format;
	if (cl->json && cl->cmd != CMD_STATUS)
		return usage_error("--json: only status takes it");
	if (cl->key && cl->cmd != CMD_INIT && cl->cmd != CMD_VERIFY)
		return usage_error("--key: only init (to export) and verify take it");
	if (cl->anchor && cl->cmd != CMD_VERIFY)
		return usage_error("--anchor: only verify takes it");
	app->key_file = cl->key;
	app->anchor = cl->anchor;
	app->hq_url = cl->hq;
	app->enrol_code = cl->code;
	app->enrol_code_file = cl->code_file;
	app->ca_file = cl->ca;
	app->pin = cl->pin;
	app->sync_once = cl->once;
	app->sync_daemon = cl->daemon;
	app->json = cl->json;
	app->staff_name = cl->name;
	app->staff_role = cl->role;
	app->staff_badge = cl->badge;
	app->demo = cl->demo;
	app->force = cl->force;
	return APP_EXIT_OK;
}

static int load_config(struct app *app, const char *path)
{
	char def[APP_PATH_MAX];
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	cp_config_defaults(&app->cfg);
	if (path) {
		rc = cp_config_load(&app->cfg, path, &err);
		if (rc == CP_ENOTFOUND && !err.msg[0])
			cp_errf(&err, rc, "%s: no such configuration file", path);
	} else {
		/* No default file, or no home to look in: the defaults are the configuration. */
		if (cp_paths_default_config(def, sizeof(def), &err) != CP_OK)
			return APP_EXIT_OK;
		rc = cp_config_load(&app->cfg, def, &err);
		if (rc == CP_ENOTFOUND)
			return APP_EXIT_OK;
	}
	if (rc != CP_OK) {
		app_fail(&err, rc);
		return APP_EXIT_USAGE;
	}
	return APP_EXIT_OK;
}

static int set_path(char *dst, size_t len, const char *src)
{
	if ((size_t)snprintf(dst, len, "%s", src) >= len) {
		app_error("path too long: %.64s...", src);
		return APP_EXIT_USAGE;
	}
	return APP_EXIT_OK;
}

/* --db, else the demo store's file for --demo (but init seeds the configured one), else
 * [database] path, else the default path. */
static int resolve_db(struct app *app, const struct cmdline *cl)
{
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	if (cl->db) {
		if (!cl->db[0]) {
			app_error("--db needs a file name");
			return APP_EXIT_USAGE;
		}
		app->db_given = true;
		if (set_path(app->db_path, sizeof(app->db_path), cl->db))
			return APP_EXIT_USAGE;
	} else if (cl->demo && cl->cmd != CMD_INIT) {
		if (app_demo_path(app, app->db_path, sizeof(app->db_path)))
			return APP_EXIT_USAGE;
	} else if (app->cfg.db_path[0]) {
		if (set_path(app->db_path, sizeof(app->db_path), app->cfg.db_path))
			return APP_EXIT_USAGE;
	} else if ((rc = cp_paths_default_db(app->db_path, sizeof(app->db_path), &err)) != CP_OK) {
		app_fail(&err, rc);
		return APP_EXIT_USAGE;
	}
	if ((rc = cp_scale_layouts_check(app->cfg.scale_labels, &err)) != CP_OK) {
		app_error("%s: %s", app->cfg.source[0] ? app->cfg.source : "configuration",
			  err.msg);
		return APP_EXIT_USAGE;
	}
	app->dbopt = (struct cp_db_options){
		.path = app->db_path,
		.clock = NULL,
		.busy_timeout_ms = app->cfg.busy_timeout_ms,
		/* core reads 0 as "the default, 04:00" and a negative value as midnight */
		.cutover_min = app->cfg.cutover_min,
		.pin_max_attempts = app->cfg.pin_max_attempts,
		.pin_lockout_s = app->cfg.pin_lockout_s,
		.pbkdf2_iterations = app->cfg.pbkdf2_iterations,
		.wal_autocheckpoint = 0,
		.pointspay = &app->pointspay,
		.guide_set = true,
		.guide_protection_days = app->cfg.guide_protection_days,
		.guide_register_binds = app->cfg.guide_register_binds,
		.park_max = app->cfg.sale_max_parked,
		.terms_version = app->cfg.member_terms_version,
		.rounding = cp_rounding_parse(app->cfg.sale_rounding) > 0
				    ? cp_rounding_parse(app->cfg.sale_rounding)
				    : 0,
		.scale_layouts = app->cfg.scale_labels,
		.refund_noreceipt_limit = app->cfg.refund_noreceipt_limit,
		.discount = &app->discount,
	};
	app->discount = (struct cp_discount_config){
		.tier_stacks = strcmp(app->cfg.pricing_member_tier, "stack") == 0,
		.coupons_skip_member = !app->cfg.pricing_coupons_member,
		.manual_replaces_member = !app->cfg.pricing_manual_member,
		.manual_limit_bp = app->cfg.pricing_manual_limit_bp,
	};
	cp_pointspay_defaults(&app->pointspay);
	app->pointspay.step_fen = app->cfg.points_step_fen;
	app->pointspay.cap_bp = app->cfg.points_max_share_bp;
	snprintf(app->pointspay.excluded, sizeof(app->pointspay.excluded), "%s",
		 app->cfg.points_excluded);
	app->pointspay.offline_member = app->cfg.points_offline_member;
	app->pointspay.offline_terminal = app->cfg.points_offline_terminal;
	app->pointspay.offline_max_hours = app->cfg.points_offline_max_hours;
	app->pointspay.online_minutes = app->cfg.points_online_minutes;
	return APP_EXIT_OK;
}

int main(int argc, char **argv)
{
	static struct app app;
	struct cmdline cl = {0};
	struct cp_errbuf err = {{0}};
	enum cp_err rc;
	int status;

	/* Before anything reads a key, a PIN or a code: a core file would keep them all. */
	if ((rc = cp_process_no_dumps(&err)) != CP_OK) {
		app_fail(&err, rc);
		return APP_EXIT_FAIL;
	}
	app_json_wipe_freed();
	if ((status = parse_options(&cl, argc, argv)) != APP_EXIT_OK)
		return status;
	if (cl.help || (cl.npos == 1 && strcmp(cl.pos[0], "help") == 0)) {
		fputs(usage_text, stdout);
		fputs(help_text, stdout);
		return APP_EXIT_OK;
	}
	if (cl.version) {
		app_print_version(stdout);
		return APP_EXIT_OK;
	}
	if ((status = resolve_command(&cl, &app)) != APP_EXIT_OK)
		return status;
	if ((status = load_config(&app, cl.config)) != APP_EXIT_OK)
		return status;
	if ((status = resolve_db(&app, &cl)) != APP_EXIT_OK)
		return status;

	switch (cl.cmd) {
	case CMD_INIT:
		return cmd_init(&app);
	case CMD_VERIFY:
		return cmd_verify(&app);
	case CMD_SCRIPT:
		return cmd_script(&app);
	case CMD_STAFF_SET:
		return cmd_staff_set(&app);
	case CMD_ENROL:
		return cmd_enrol(&app);
	case CMD_SYNC:
		return cmd_sync(&app);
	case CMD_STATUS:
		return cmd_status(&app);
	case CMD_BACKUP:
		return cmd_backup(&app);
	case CMD_REPORT:
		return cmd_report(&app);
	case CMD_UI:
	default:
		return cmd_ui(&app);
	}
}
