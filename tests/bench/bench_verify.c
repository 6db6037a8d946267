/* bench_verify.c — `verify` over a long journal (issue 14): a journal of --rows rows of
 * demo-store sales (a member, two to four lines, one card tender; the clock moves 31 s a sale,
 * so 1,000,000 rows span a year of business days) is built once and kept in --dir: the first
 * TEMPLATES sales through the cart and cp_sale_pay, the rest their payloads again (a fresh
 * receipt number and business day, no coupons issued) through cp_journal_record, the way
 * cp_sale_pay records them, BATCH to a transaction; then cp_journal_verify runs in a child process, timed, its peak RSS taken from
 * wait4; then the start check (cp_health_check, which checks the rows since the last verified
 * one) is timed on a copy after a day of --day further sales, with the rows it read.
 * While the cached journal is built, and the day's sales made, SQLite's flushes are skipped
 * (bench_journal.c's fsync and fdatasync take SQLite's calls in this program): a million
 * durable sales would take hours, and no figure here times a flush. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_common.h"
#include "bench_journal.h"
#include "db.h"
#include "demo.h"
#include "health.h"
#include "verify_mark_int.h"

#define STEP_MS 31000
#define GOAL_VERIFY_S 10.0 /* per 1,000,000 rows */
#define GOAL_VERIFY_MB 64.0
#define GOAL_START_S 1.0
#define TEMPLATES 1000
#define BATCH 5000

static uint64_t rng_state = 0x76657269;

static double clock_s(clockid_t which)
{
	struct timespec ts;

	clock_gettime(which, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fail(const char *what, const struct cp_errbuf *err, enum cp_err rc)
{
	return cp_bench_fail("bench_verify", what, err, rc);
}

static int64_t last_seq(struct cp_db *db)
{
	return cp_bench_one_int(db, "SELECT coalesce(max(seq), 0) FROM journal");
}

/* One sale: a random demo member, 2 to 4 different items, paid by card. */
static int sell(struct cp_db *db, const struct cp_session *who)
{
	int64_t total;

	if (cp_bench_ring_up("bench_verify", db, who, &rng_state, STEP_MS, &total))
		return -1;
	return cp_bench_pay("bench_verify", db, who, total);
}

/* Sells until the journal has reached rows; the clock carries on from the newest row. */
static int sell_until(struct cp_db *db, int64_t rows, bool progress)
{
	struct cp_session who;
	int64_t have;
	double t0 = cp_bench_now_s();

	if (cp_bench_login("bench_verify", db, &who))
		return -1;
	while ((have = last_seq(db)) >= 0 && have < rows) {
		if (sell(db, &who))
			return -1;
		if (progress && have % 50000 == 0)
			fprintf(stderr, "bench_verify: %" PRId64 " rows, %.0f s\n", have,
				cp_bench_now_s() - t0);
	}
	return have < 0 ? -1 : 0;
}

/* Records sales again from the first TEMPLATES until the journal has reached rows. */
static int clone_until(struct cp_db *db, int64_t rows)
{
	struct cp_bench_clone c = {.db = db,
				   .prog = "bench_verify",
				   .unit = "rows",
				   .have = last_seq(db),
				   .until = rows,
				   .step_ms = STEP_MS,
				   .templates = TEMPLATES,
				   .min_templates = TEMPLATES,
				   .batch = BATCH};

	return cp_bench_clone_until(&c);
}

/* The child: cp_journal_verify on path; exit 0 when it passes. */
static int child_verify(const char *path)
{
	int64_t rows = 0;

	if (cp_bench_verify_child("bench_verify", path, 0, &rows))
		return 1;
	printf("rows=%" PRId64 "\n", rows);
	return 0;
}

/* The cached journal of rows rows, built when missing (under a temporary name first). */
static int build(const char *path, int64_t rows)
{
	char tmp[PATH_MAX + 16];
	struct cp_db_options opt = {
		.path = tmp, .clock = &cp_bench_fake_clock, .wal_autocheckpoint = 0};
	struct cp_db_init init = {.store_id = "S001", .terminal_id = "T01", .force = true};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	struct stat sb;
	double t0 = cp_bench_now_s();
	enum cp_err rc;
	int result = -1;

	if (stat(path, &sb) == 0)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.building", path);
	cp_bench_remove_db(tmp);
	fprintf(stderr, "bench_verify: building %s (%" PRId64 " journal rows)\n", path, rows);
	if ((rc = cp_db_create(&db, &opt, &init, &err)) != CP_OK)
		return fail(tmp, &err, rc);
	if ((rc = cp_demo_seed(db, &err)) != CP_OK) {
		fail("seed the demo store", &err, rc);
		goto out;
	}
	cp_bench_no_flush = true;
	if (sell_until(db, rows < TEMPLATES + 1 ? rows : TEMPLATES + 1, true) ||
	    clone_until(db, rows) ||
	    cp_db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", &err) != CP_OK)
		goto out;
	result = 0;
out:
	cp_db_close(db);
	cp_bench_no_flush = false;
	if (result == 0 && rename(tmp, path) != 0) {
		fprintf(stderr, "bench_verify: rename %s: %s\n", tmp, strerror(errno));
		result = -1;
	}
	if (result == 0)
		fprintf(stderr, "bench_verify: built in %.0f s\n", cp_bench_now_s() - t0);
	cp_bench_remove_db(tmp);
	return result;
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
	cp_bench_remove_db(path);
	if (cp_bench_copy_file("bench_verify", cached, path) ||
	    cp_bench_open("bench_verify", path, 0, &db) || cp_bench_clock_after(db, STEP_MS))
		goto out;
	if ((rc = cp_health_check(db, &err)) != CP_OK) {
		fail("the first start check", &err, rc);
		goto out;
	}
	cp_bench_no_flush = true;
	if (sell_until(db, last_seq(db) + day, false))
		goto out;
	cp_bench_no_flush = false;
	cp_db_close(db);
	db = NULL;
	if (cp_bench_open("bench_verify", path, 0, &db))
		goto out;
	t0 = cp_bench_now_s();
	c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	rc = cp_verify_mark_check(db, &stats, &err);
	*cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	*secs = cp_bench_now_s() - t0;
	if (rc != CP_OK) {
		fail("the start check", &err, rc);
		goto out;
	}
	*read = stats.rows_read;
	result = 0;
out:
	cp_bench_no_flush = false;
	cp_db_close(db);
	cp_bench_remove_db(path);
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
		cp_bench_loadavg(load0, sizeof(load0));
		if (cp_bench_verify_run("bench_verify", argv[0], cached, &secs, &cpu, &mib))
			return 1;
		cp_bench_loadavg(load1, sizeof(load1));
		printf("BENCH verify rows=%" PRId64 " run=%d seconds=%.2f per_million_s=%.2f"
		       " cpu_s=%.2f cpu_per_million_s=%.2f max_rss_mib=%.1f goal_s=%.0f"
		       " goal_mib=%.0f load_before=%s load_after=%s\n",
		       rows, r + 1, secs, secs * 1e6 / (double)rows, cpu, cpu * 1e6 / (double)rows,
		       mib, GOAL_VERIFY_S, GOAL_VERIFY_MB, load0, load1);
		fflush(stdout);
	}
	for (int r = 0; r < runs; r++) {
		cp_bench_loadavg(load0, sizeof(load0));
		if (run_start(cached, dir, day, &start_s, &start_cpu, &read))
			return 1;
		printf("BENCH verify_start rows=%" PRId64 " sales=%d run=%d seconds=%.4f"
		       " cpu_s=%.4f rows_read=%" PRId64 " goal_s=%.0f load=%s\n",
		       rows, day, r + 1, start_s, start_cpu, read, GOAL_START_S, load0);
		fflush(stdout);
	}
	return 0;
}
