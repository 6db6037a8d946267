/* bench_journal.h — what the programs that build a long journal (bench_verify, bench_scale)
 * share: a fake clock, SQLite's flushes skipped while building, sales recorded again from the first
 * ones through cp_journal_record, and cp_journal_verify timed in a child process. Benchmarks
 * only; a program that links this file takes fsync and fdatasync from it. */
#ifndef CP_BENCH_JOURNAL_H
#define CP_BENCH_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_clock.h"
#include "db.h"
#include "staff.h"

/* The fake clock's time in ms since the epoch (2026-01-01 00:00 UTC at start); the program moves
 * it. cp_bench_fake_clock reads it: give it to cp_db_options.clock. */
extern int64_t cp_bench_fake_now;
extern const struct cp_clock cp_bench_fake_clock;

/* While set, fsync and fdatasync (SQLite's flushes) return 0 without flushing. */
extern bool cp_bench_no_flush;

/* Opens the database at path on the fake clock, with wal_autocheckpoint autocheckpoint (as
 * cp_db_options: 0 the default, -1 none); -1 (message named by prog) on failure. */
int cp_bench_open(const char *prog, const char *path, int autocheckpoint, struct cp_db **db);

/* The first column of the first row of sql, -1 when it cannot run or gives no row. */
int64_t cp_bench_one_int(struct cp_db *db, const char *sql);

/* Sets the fake clock step_ms after the journal's newest row (left alone when the journal is
 * empty); -1 when the query cannot be prepared. */
int cp_bench_clock_after(struct cp_db *db, int64_t step_ms);

/* The business day (YYYY-MM-DD) of the fake clock back_ms earlier: no cutover, the store's
 * zone. */
void cp_bench_day(struct cp_db *db, int64_t back_ms, char out[32]);

/* Logs in cashier 1001 and opens the demo store's shift; -1 (message named by prog) on
 * failure. */
int cp_bench_login(const char *prog, struct cp_db *db, struct cp_session *who);

/* Rings up a sale, untimed: the fake clock moved step_ms, a random demo member (M000001 to
 * M001000) and 2 to 4 different demo items (SKU 10001 to 10051), drawn from *rng; *total gets
 * its total. -1 (message named by prog) on failure. */
int cp_bench_ring_up(const char *prog, struct cp_db *db, const struct cp_session *who,
		     uint64_t *rng, int64_t step_ms, int64_t *total);

/* Pays the cart of who by card for total with cp_sale_pay; -1 (message named by prog) on
 * failure. */
int cp_bench_pay(const char *prog, struct cp_db *db, const struct cp_session *who, int64_t total);

/* Sales recorded again: the payloads of the first min(templates, count) sales, without the
 * fields cp_journal_record stamps, each again with a fresh receipt number and business day
 * (the clock moving step_ms a sale), batch to a transaction, until have reaches until. */
struct cp_bench_clone {
	struct cp_db *db;
	const char *prog;     /* names the messages */
	const char *unit;     /* what have counts, in the progress lines ("rows", "sales") */
	int64_t have, until;  /* counted the caller's way: one more each sale recorded */
	int64_t step_ms;      /* the clock's move a sale */
	int templates;        /* at most this many sales read back (at most 1000) */
	int min_templates;    /* fewer than this read back is an error */
	int batch;            /* sales to a transaction */
	int64_t report_every; /* a progress line once have has moved this far; 0: each batch */
};

/* Records the sales of c (c->have counts on); 0, or -1 with a message. */
int cp_bench_clone_until(struct cp_bench_clone *c);

/* The verify child: cp_journal_verify on path, the fake clock set after its newest row first
 * when step_ms > 0; 0 when it passes (the process's exit status), else 1 with a message.
 * *rows (when not NULL) gets the rows it checked. */
int cp_bench_verify_child(const char *prog, const char *path, int64_t step_ms, int64_t *rows);

/* Runs self again as "self --child-verify path" (whose main hands that to
 * cp_bench_verify_child): wall time, the child's user+system CPU time (s) and peak RSS (MiB). */
int cp_bench_verify_run(const char *prog, const char *self, const char *path, double *secs,
			double *cpu, double *mib);

#endif
