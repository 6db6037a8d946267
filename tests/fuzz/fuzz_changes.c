/* fuzz_changes.c — HQ's change-feed pages and push answers (core/changes.c, core/ack.c) on
 * arbitrary bytes, applied to a small seeded database: never a crash, CP_OK or a malformed-answer
 * error, no transaction left open, and after a refusal the cursor and the acknowledged sequence as
 * they were.
 *
 * The database is made once, in a directory of its own under /tmp that is removed at exit, and
 * its seeded content is restored before each input so that an input found here replays alone.
 * When the corpus libFuzzer would write to is in the source tree (the seeds themselves), new
 * inputs go to that /tmp directory instead: the source tree is never written. */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cart.h"
#include "catalog.h"
#include "db.h"
#include "db_int.h"
#include "earn.h"
#include "hq.h"
#include "journal.h"
#include "member.h"
#include "staff.h"
#include "text.h"

#define FUZZ_NOW INT64_C(1795485600000) /* 2026-11-24 10:00 +08:00 */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cp_db *db;
static sqlite3 *pristine; /* the seeded content, restored before each input */
static char dir[64] = "/tmp/fuzz_changes.XXXXXX";
static char corpus[96];
static char **args;

static int64_t fixed_now(void *ctx)
{
	(void)ctx;
	return FUZZ_NOW;
}

static void remove_dir(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *e;
	char p[512];

	if (!dp)
		return;
	while ((e = readdir(dp)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", d, e->d_name);
		unlink(p);
	}
	closedir(dp);
	rmdir(d);
}

static void remove_files(void)
{
	cp_db_close(db);
	db = NULL;
	sqlite3_close(pristine);
	pristine = NULL;
	if (corpus[0])
		remove_dir(corpus);
	remove_dir(dir);
}

static void cleanup(void)
{
	remove_files();
	free(args);
}

/* A broken invariant: say which, with the message escaped, and leave nothing behind but the
 * crash input libFuzzer writes. */
static void die(const char *what, const struct cp_errbuf *err)
{
	fprintf(stderr, "fuzz_changes: %s", what);
	if (err) {
		fputs(": \"", stderr);
		for (const unsigned char *p = (const unsigned char *)err->msg; *p; p++)
			fprintf(stderr, *p < 0x20 || *p >= 0x7f ? "\\x%02x" : "%c", *p);
		fputc('"', stderr);
	}
	fputc('\n', stderr);
	remove_files();
	abort();
}

static void must(enum cp_err rc, const struct cp_errbuf *err, const char *what)
{
	if (rc != CP_OK)
		die(what, err);
}

/* The store of tests/unit/support.h in small: two categories, three items, three tiers, rules,
 * a cashier, two members from HQ, two registered here (journal rows 1 and 2) and an open cart
 * with one of them. */
static void seed(void)
{
	static const struct cp_tier tiers[] = {
		{0, "普通", 0, 10000}, {1, "银卡", 2000, 12000}, {2, "金卡", 10000, 15000}};
	struct cp_earn_rules rules = {.points_per_yuan_bp = 10000,
				      .growth_per_yuan_bp = 10000,
				      .member_day_kind = CP_MEMBER_DAY_WEEKDAY,
				      .member_day_value = 3,
				      .member_day_bp = 20000,
				      .birthday_bp = 20000,
				      .welcome_points = 100,
				      .referral_points = 50,
				      .points_per_yuan_value = 100};
	struct cp_member_snapshot m1 = {.id = "M1",
					.phone = "13800000001",
					.name = "张三",
					.points = 500,
					.growth = 10000,
					.tier_level = 2,
					.version = 1};
	struct cp_member_snapshot m2 = {.id = "M2",
					.phone = "13900000002",
					.card_no = "C0002",
					.name = "李四",
					.points = 3050,
					.version = 1};
	struct cp_member_new r1 = {.consent = true, .phone = "13700000007", .name = "新"};
	struct cp_member_new r2 = {.consent = true, .phone = "13700000008"};
	struct cp_item a1 = {.sku = "A1",
			     .barcode = "6901234567892",
			     .name_zh = "牛奶",
			     .name_en = "Milk",
			     .category = "FOOD",
			     .price = 3000,
			     .member_price = 2800};
	struct cp_item a2 = {.sku = "A2",
			     .name_zh = "面包",
			     .name_en = "Bread",
			     .category = "FOOD",
			     .price = 1999,
			     .member_price = -1};
	struct cp_item t1 = {.sku = "T1",
			     .name_zh = "香烟",
			     .name_en = "Cigarettes",
			     .category = "TOBACCO",
			     .price = 3500,
			     .member_price = -1};
	struct cp_errbuf err = {{0}};
	struct cp_session cashier;
	struct cp_member_view v;

	must(cp_catalog_put_category(db, "FOOD", "食品", false, &err), &err, "category");
	must(cp_catalog_put_category(db, "TOBACCO", "烟草", true, &err), &err, "category");
	must(cp_catalog_put_item(db, &a1, &err), &err, "item");
	must(cp_catalog_put_item(db, &a2, &err), &err, "item");
	must(cp_catalog_put_item(db, &t1, &err), &err, "item");
	for (size_t i = 0; i < sizeof(tiers) / sizeof(tiers[0]); i++)
		must(cp_tier_put(db, &tiers[i], &err), &err, "tier");
	must(cp_earn_rules_store(db, &rules, &err), &err, "rules");
	must(cp_staff_set(db, "1001", "王收银", CP_ROLE_CASHIER, "1234", &err), &err, "staff");
	must(cp_member_put_snapshot(db, &m1, &err), &err, "M1");
	must(cp_member_put_snapshot(db, &m2, &err), &err, "M2");
	must(cp_staff_login(db, "1001", "1234", &cashier, NULL, &err), &err, "login");
	must(cp_member_register(db, &cashier, &r1, &v, &err), &err, "register");
	must(cp_member_register(db, &cashier, &r2, &v, &err), &err, "register");
	must(cp_cart_scan(db, &cashier, "A1", 2, NULL, &err), &err, "scan");
	must(cp_cart_set_member(db, &cashier, v.id, &err), &err, "attach");
}

static void copy_db(sqlite3 *to, sqlite3 *from)
{
	sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");

	if (!b || sqlite3_backup_step(b, -1) != SQLITE_DONE ||
	    sqlite3_backup_finish(b) != SQLITE_OK) {
		fprintf(stderr, "fuzz_changes: cannot copy the database: %s\n", sqlite3_errmsg(to));
		remove_files();
		abort();
	}
}

/* libFuzzer writes what it finds to the first corpus directory. */
static void keep_source_tree_clean(int *argc, char ***argv)
{
#ifdef CP_SOURCE_DIR
	char src[4096], first[4096];
	struct stat sb;
	size_t n;
	int at = -1;

	for (int i = 1; i < *argc && at < 0; i++)
		if ((*argv)[i][0] != '-')
			at = i;
	if (at < 0 || stat((*argv)[at], &sb) != 0 || !S_ISDIR(sb.st_mode) ||
	    !realpath(CP_SOURCE_DIR, src) || !realpath((*argv)[at], first))
		return;
	n = strlen(src);
	if (strncmp(first, src, n) != 0 || (first[n] != '/' && first[n] != '\0'))
		return;
	snprintf(corpus, sizeof(corpus), "%s/corpus", dir);
	if (mkdir(corpus, 0700) != 0 || !(args = calloc((size_t)*argc + 2, sizeof(*args)))) {
		corpus[0] = '\0';
		return;
	}
	for (int i = 0, k = 0; i < *argc; i++) {
		if (i == at)
			args[k++] = corpus;
		args[k++] = (*argv)[i];
	}
	fprintf(stderr, "fuzz_changes: %s is in the source tree; new inputs go to %s\n",
		(*argv)[at], corpus);
	*argv = args;
	(*argc)++;
#else
	(void)argc;
	(void)argv;
#endif
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static struct cp_clock clock = {fixed_now, NULL};
	struct cp_db_options opt = {.clock = &clock, .pbkdf2_iterations = 1000};
	struct cp_db_init init = {.store_id = "S001", .terminal_id = "T01", .force = true};
	struct cp_errbuf err = {{0}};
	static char path[128];

	if (!mkdtemp(dir)) {
		perror("fuzz_changes: mkdtemp");
		abort();
	}
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/till.db", dir);
	opt.path = path;
	must(cp_db_create(&db, &opt, &init, &err), &err, "create");
	/* Speed over durability: this database is thrown away. */
	sqlite3_exec(db->h, "PRAGMA synchronous=OFF", NULL, NULL, NULL);
	seed();
	if (sqlite3_open(":memory:", &pristine) != SQLITE_OK)
		abort();
	copy_db(pristine, db->h);
	keep_source_tree_clean(argc, argv);
	return 0;
}

/* What a refusal must look like: the code of a malformed answer, a readable message. */
static void check(enum cp_err rc, const struct cp_errbuf *err, enum cp_err also, const char *what)
{
	char why[96];

	if (!sqlite3_get_autocommit(db->h)) {
		snprintf(why, sizeof(why), "%s left a transaction open", what);
		die(why, rc == CP_OK ? NULL : err);
	}
	if (rc == CP_OK)
		return;
	if (rc != CP_EINVAL && rc != also) {
		snprintf(why, sizeof(why), "%s answered %s, not invalid_input", what,
			 cp_err_code(rc));
		die(why, err);
	}
	if (!err->msg[0] || !cp_text_ok(err->msg, sizeof(err->msg) - 1)) {
		snprintf(why, sizeof(why), "%s refused with an unreadable message", what);
		die(why, err);
	}
}

static bool cursor_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cp_journal_status js0, js1;
	struct cp_errbuf err = {{0}};
	char before[128], after[128];
	int64_t applied = -1;
	bool more = false;
	enum cp_err rc;

	copy_db(db->h, pristine);

	must(cp_hq_cursor(db, before, sizeof(before), &err), &err, "cursor");
	rc = cp_hq_apply_changes(db, (const char *)data, size, &more, &err);
	/* A page claiming HQ applied rows this till never wrote is refused as corrupt, like a
	 * push answer. */
	check(rc, &err, CP_ECORRUPT, "changes");
	must(cp_hq_cursor(db, after, sizeof(after), &err), &err, "cursor");
	if (rc != CP_OK && strcmp(before, after) != 0)
		die("a refused page moved the cursor", &err);
	if (rc == CP_OK && !cursor_ok(after))
		die("the stored cursor is not a short printable token", NULL);

	err.msg[0] = '\0';
	must(cp_journal_status(db, &js0, &err), &err, "journal");
	/* As if the whole outbox had been sent: HQ's answer decides what is acknowledged. */
	rc = cp_hq_apply_ack(db, (const char *)data, size, js0.acked_seq + 1, js0.last_seq,
			     &applied, &err);
	check(rc, &err, CP_ECORRUPT, "ack");
	must(cp_journal_status(db, &js1, &err), &err, "journal");
	if (rc != CP_OK && js1.acked_seq != js0.acked_seq)
		die("a refused push answer moved the acknowledged sequence", &err);
	if (rc == CP_OK && (js1.acked_seq < js0.acked_seq || js1.acked_seq > js1.last_seq))
		die("the acknowledged sequence went back or past the journal", NULL);
	return 0;
}
