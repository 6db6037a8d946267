/* bench_verify.c — `verify` over a long journal (issue 14): a journal of --rows rows of
 * demo-store sales (a member, two to four lines, one card tender; the clock moves 31 s a sale,
 * so 1,000,000 rows span a year of business days) is built once and kept in --dir: the first
 * TEMPLATES sales through the cart and cp_sale_pay, the rest their payloads again (a fresh
 * receipt number and business day, no coupons issued) through cp_journal_record, the way
 * cp_sale_pay records them, BATCH to a transaction; then cp_journal_verify runs in a child process, timed, its peak RSS taken from
 * wait4; then the start check (cp_health_check, which checks the rows since the last verified
 * one) is timed on a copy after a day of --day further sales, with the rows it read.
 * While the cached journal is built, and the day's sales made, SQLite's flushes are skipped
 * (fsync and fdatasync below take SQLite's calls in this program): a million durable sales
 * would take hours, and no figure here times a flush. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench_common.h"
#include "cart.h"
#include "db.h"
#include "db_int.h"
#include "demo.h"
#include "health.h"
#include "journal.h"
#include "journal_int.h"
#include "sale.h"
#include "shift.h"
#include "staff.h"
#include "verify_mark_int.h"

#define DEMO_MEMBERS 1000
#define DEMO_FIRST_SKU 10001
#define DEMO_ITEMS 51
#define START_MS INT64_C(1767225600000) /* 2026-01-01 00:00 UTC */
#define STEP_MS 31000
#define GOAL_VERIFY_S 10.0 /* per 1,000,000 rows */
#define GOAL_VERIFY_MB 64.0
#define GOAL_START_S 1.0
#define TEMPLATES 1000
#define BATCH 5000

static int64_t fake_now = START_MS;
static bool no_flush;

/* SQLite's flushes, skipped while no_flush is set. */
int fsync(int fd)
{
	return no_flush ? 0 : (int)syscall(SYS_fsync, fd);
}

int fdatasync(int fd)
{
	return no_flush ? 0 : (int)syscall(SYS_fdatasync, fd);
}
static uint64_t rng_state = 0x76657269;

static int64_t read_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static const struct cp_clock bench_clock = {.now = read_clock};

static double clock_s(clockid_t which)
{
	struct timespec ts;

	clock_gettime(which, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static int fail(const char *what, const struct cp_errbuf *err, enum cp_err rc)
{
	fprintf(stderr, "bench_verify: %s: %s\n", what, cp_errmsg(err, rc));
	return -1;
}

static void remove_db(const char *path)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[PATH_MAX + 16];

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
}

static int64_t last_seq(struct cp_db *db)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_prepare_v2(db->h, "SELECT coalesce(max(seq), 0) FROM journal", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* One sale: a random demo member, 2 to 4 different items, paid by card. */
static int sell(struct cp_db *db, const struct cp_session *who)
{
	struct cp_errbuf err = {{0}};
	struct cp_cart_view *view = NULL;
	struct cp_sale_result r;
	struct cp_tender t = {.method = CP_TENDER_CARD};
	char member[16], sku[16];
	int lines = 2 + (int)(cp_bench_rnd(&rng_state) % 3),
	    first = (int)(cp_bench_rnd(&rng_state) % DEMO_ITEMS), result = -1;
	enum cp_err rc;

	fake_now += STEP_MS;
	snprintf(member, sizeof(member), "M%06d",
		 (int)(cp_bench_rnd(&rng_state) % DEMO_MEMBERS) + 1);
	if ((rc = cp_cart_set_member(db, who, member, &err)) != CP_OK)
		return fail("attach member", &err, rc);
	for (int i = 0; i < lines; i++) {
		snprintf(sku, sizeof(sku), "%d", DEMO_FIRST_SKU + (first + i * 7) % DEMO_ITEMS);
		if ((rc = cp_cart_scan(db, who, sku, 1 + (int64_t)(cp_bench_rnd(&rng_state) % 2),
				       NULL, &err)) != CP_OK)
			return fail("scan", &err, rc);
	}
	if (!(view = malloc(sizeof(*view))))
		return fail("cart view", NULL, CP_ENOMEM);
	if ((rc = cp_cart_view(db, who, view, &err)) != CP_OK) {
		fail("view the cart", &err, rc);
		goto out;
	}
	t.amount = view->total;
	if ((rc = cp_sale_pay(db, who, &t, 1, &r, &err)) != CP_OK) {
		fail("pay", &err, rc);
		goto out;
	}
	result = 0;
out:
	free(view);
	return result;
}

static int open_db(const char *path, struct cp_db **db)
{
	struct cp_db_options opt = {.path = path, .clock = &bench_clock};
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_db_open(db, &opt, &err);

	return rc == CP_OK ? 0 : fail(path, &err, rc);
}

static int login(struct cp_db *db, struct cp_session *who)
{
	struct cp_errbuf err = {{0}};
	bool opened = false;
	enum cp_err rc;

	if ((rc = cp_staff_login(db, "1001", "1111", who, NULL, &err)) != CP_OK)
		return fail("log in cashier 1001", &err, rc);
	if ((rc = cp_shift_demo_open(db, who, &opened, &err)) != CP_OK)
		return fail("open the demo store's shift", &err, rc);
	return 0;
}

/* Sells until the journal has reached rows; the clock carries on from the newest row. */
static int sell_until(struct cp_db *db, int64_t rows, bool progress)
{
	struct cp_session who;
	int64_t have;
	double t0 = now_s();

	if (login(db, &who))
		return -1;
	while ((have = last_seq(db)) >= 0 && have < rows) {
		if (sell(db, &who))
			return -1;
		if (progress && have % 50000 == 0)
			fprintf(stderr, "bench_verify: %" PRId64 " rows, %.0f s\n", have,
				now_s() - t0);
	}
	return have < 0 ? -1 : 0;
}

/* The clock of a database already built: just after its newest row. */
static int clock_after(struct cp_db *db)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db->h, "SELECT max(created_at) FROM journal", -1, &st, NULL);

	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		fake_now = sqlite3_column_int64(st, 0) + STEP_MS;
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : -1;
}

/* The business day of the clock (no cutover, the store's zone). */
static void day_of(struct cp_db *db, char out[32])
{
	time_t t = (time_t)(fake_now / 1000 + (int64_t)db->utc_offset_min * 60);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 32, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Reads the payloads of the first n sales, without the fields cp_journal_record stamps. */
static int templates_read(struct cp_db *db, json_t **tpl, int n)
{
	static const char *const stamped[] = {"type", "event_id", "at", "seq", "store", "terminal"};
	sqlite3_stmt *st;
	int got = 0;

	if (sqlite3_prepare_v2(
		    db->h, "SELECT payload FROM journal WHERE type = 'sale' ORDER BY seq LIMIT ?1",
		    -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int(st, 1, n);
	while (got < n && sqlite3_step(st) == SQLITE_ROW) {
		json_t *p = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);

		if (!p)
			break;
		for (size_t i = 0; i < sizeof(stamped) / sizeof(stamped[0]); i++)
			json_object_del(p, stamped[i]);
		json_object_set_new(p, "coupons_issued", json_array());
		tpl[got++] = p;
	}
	sqlite3_finalize(st);
	return got == n ? 0 : -1;
}

/* Records sales again from the templates until the journal has reached rows. */
static int clone_until(struct cp_db *db, int64_t rows)
{
	json_t *tpl[TEMPLATES] = {0};
	struct cp_errbuf err = {{0}};
	int64_t have = last_seq(db);
	double t0 = now_s();
	int result = -1;

	if (templates_read(db, tpl, TEMPLATES)) {
		fprintf(stderr, "bench_verify: cannot read the template sales\n");
		goto out;
	}
	while (have < rows) {
		enum cp_err rc = cp_db_begin(db, &err);

		for (int i = 0; rc == CP_OK && i < BATCH && have < rows; i++, have++) {
			json_t *p = json_deep_copy(tpl[(uint64_t)have % TEMPLATES]);
			char receipt[64], day[32];

			fake_now += STEP_MS;
			day_of(db, day);
			if (!p) {
				rc = CP_ENOMEM;
				break;
			}
			if ((rc = cp_receipt_next(db, receipt, sizeof(receipt), &err)) == CP_OK) {
				json_object_set_new(p, "receipt", json_string(receipt));
				json_object_set_new(p, "day", json_string(day));
				rc = cp_journal_record(db, "sale", p, NULL, NULL, &err);
			}
			json_decref(p);
		}
		if (rc == CP_OK)
			rc = cp_db_commit(db, &err);
		if (rc != CP_OK) {
			cp_db_rollback(db);
			fail("record a sale", &err, rc);
			goto out;
		}
		fprintf(stderr, "bench_verify: %" PRId64 " rows, %.0f s\n", have, now_s() - t0);
	}
	result = 0;
out:
	for (int i = 0; i < TEMPLATES; i++)
		json_decref(tpl[i]);
	return result;
}

/* The cached journal of rows rows, built when missing (under a temporary name first). */
static int build(const char *path, int64_t rows)
{
	char tmp[PATH_MAX + 16];
	struct cp_db_options opt = {.path = tmp, .clock = &bench_clock, .wal_autocheckpoint = 0};
	struct cp_db_init init = {.store_id = "S001", .terminal_id = "T01", .force = true};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	struct stat sb;
	double t0 = now_s();
	enum cp_err rc;
	int result = -1;

	if (stat(path, &sb) == 0)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.building", path);
	remove_db(tmp);
	fprintf(stderr, "bench_verify: building %s (%" PRId64 " journal rows)\n", path, rows);
	if ((rc = cp_db_create(&db, &opt, &init, &err)) != CP_OK)
		return fail(tmp, &err, rc);
	if ((rc = cp_demo_seed(db, &err)) != CP_OK) {
		fail("seed the demo store", &err, rc);
		goto out;
	}
	no_flush = true;
	if (sell_until(db, rows < TEMPLATES + 1 ? rows : TEMPLATES + 1, true) ||
	    clone_until(db, rows) ||
	    cp_db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", &err) != CP_OK)
		goto out;
	result = 0;
out:
	cp_db_close(db);
	no_flush = false;
	if (result == 0 && rename(tmp, path) != 0) {
		fprintf(stderr, "bench_verify: rename %s: %s\n", tmp, strerror(errno));
		result = -1;
	}
	if (result == 0)
		fprintf(stderr, "bench_verify: built in %.0f s\n", now_s() - t0);
	remove_db(tmp);
	return result;
}

static int copy_file(const char *from, const char *to)
{
	static char buf[1 << 20];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	size_t n;
	int result = in && out ? 0 : -1;

	while (result == 0 && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			result = -1;
	if (in && ferror(in))
		result = -1;
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		result = -1;
	if (result)
		fprintf(stderr, "bench_verify: copy %s to %s failed\n", from, to);
	return result;
}

/* The child: cp_journal_verify on path; exit 0 when it passes. */
static int child_verify(const char *path)
{
	struct cp_verify_report rep = {0};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	enum cp_err rc;

	if (open_db(path, &db))
		return 1;
	rc = cp_journal_verify(db, &rep, &err);
	cp_db_close(db);
	if (rc != CP_OK) {
		fail("verify", &err, rc);
		return 1;
	}
	printf("rows=%" PRId64 "\n", rep.rows);
	return 0;
}

/* verify in a child process (this program again): wall time and the child's peak RSS. */
static int run_verify(const char *self, const char *path, double *secs, double *cpu, double *mib)
{
	struct rusage ru;
	int status = 0;
	double t0 = now_s();
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl(self, self, "--child-verify", path, (char *)NULL);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_verify: the verify child failed\n");
		return -1;
	}
	*secs = now_s() - t0;
	*cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
	*mib = (double)ru.ru_maxrss / 1024.0;
	return 0;
}

/* The 1, 5 and 15 minute load averages, as "a/b/c". */
static void loadavg(char *out, size_t len)
{
	double a = 0, b = 0, c = 0;
	FILE *f = fopen("/proc/loadavg", "r");

	if (!f || fscanf(f, "%lf %lf %lf", &a, &b, &c) != 3)
		a = b = c = -1;
	if (f)
		fclose(f);
	snprintf(out, len, "%.2f/%.2f/%.2f", a, b, c);
}

/* The start check after a day of sales: a copy of the journal is checked once (the mark set at
 * its end), day more sales are made, and the check at the next start is timed. */
static int run_start(const char *cached, const char *dir, int day, double *secs, double *cpu,
		     int64_t *read)
{
	char path[PATH_MAX];
	struct cp_verify_mark_stats stats = {0};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	enum cp_err rc;
	double t0, c0;
	int result = -1;

	snprintf(path, sizeof(path), "%s/bench_verify_start.db", dir);
	remove_db(path);
	if (copy_file(cached, path) || open_db(path, &db) || clock_after(db))
		goto out;
	if ((rc = cp_health_check(db, &err)) != CP_OK) {
		fail("the first start check", &err, rc);
		goto out;
	}
	no_flush = true;
	if (sell_until(db, last_seq(db) + day, false))
		goto out;
	no_flush = false;
	cp_db_close(db);
	db = NULL;
	if (open_db(path, &db))
		goto out;
	t0 = now_s();
	c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	rc = cp_verify_mark_check(db, &stats, &err);
	*cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	*secs = now_s() - t0;
	if (rc != CP_OK) {
		fail("the start check", &err, rc);
		goto out;
	}
	*read = stats.rows_read;
	result = 0;
out:
	no_flush = false;
	cp_db_close(db);
	remove_db(path);
	return result;
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	char cached[PATH_MAX], load0[64], load1[64];
	int64_t rows = 1000000, read = 0;
	int day = 2000, runs = 1;
	double secs, cpu, mib, start_s = 0, start_cpu = 0;

	if (argc == 3 && strcmp(argv[1], "--child-verify") == 0)
		return child_verify(argv[2]);
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--dir") == 0)
			dir = argv[i + 1];
		else if (strcmp(argv[i], "--rows") == 0)
			rows = strtoll(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--day") == 0)
			day = (int)strtol(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--runs") == 0)
			runs = (int)strtol(argv[i + 1], NULL, 10);
	}
	if (!dir || rows < 1 || day < 1 || runs < 1 || runs > 10) {
		fprintf(stderr,
			"usage: bench_verify --dir DIR [--rows N] [--day SALES] [--runs R]\n");
		return 2;
	}
	snprintf(cached, sizeof(cached), "%s/journal-%" PRId64 ".db", dir, rows);
	if (build(cached, rows))
		return 1;
	for (int r = 0; r < runs; r++) {
		loadavg(load0, sizeof(load0));
		if (run_verify(argv[0], cached, &secs, &cpu, &mib))
			return 1;
		loadavg(load1, sizeof(load1));
		printf("BENCH verify rows=%" PRId64 " run=%d seconds=%.2f per_million_s=%.2f"
		       " cpu_s=%.2f cpu_per_million_s=%.2f max_rss_mib=%.1f goal_s=%.0f"
		       " goal_mib=%.0f load_before=%s load_after=%s\n",
		       rows, r + 1, secs, secs * 1e6 / (double)rows, cpu, cpu * 1e6 / (double)rows,
		       mib, GOAL_VERIFY_S, GOAL_VERIFY_MB, load0, load1);
		fflush(stdout);
	}
	for (int r = 0; r < runs; r++) {
		loadavg(load0, sizeof(load0));
		if (run_start(cached, dir, day, &start_s, &start_cpu, &read))
			return 1;
		printf("BENCH verify_start rows=%" PRId64 " sales=%d run=%d seconds=%.4f"
		       " cpu_s=%.4f rows_read=%" PRId64 " goal_s=%.0f load=%s\n",
		       rows, day, r + 1, start_s, start_cpu, read, GOAL_START_S, load0);
		fflush(stdout);
	}
	return 0;
}
