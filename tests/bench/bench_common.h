/* bench_common.h — what every benchmark program shares: clocks, percentiles over sorted
 * samples, the SplitMix64 generator that makes the runs repeatable, argument parsing, and the
 * demo store most programs start from. Benchmarks only; nothing here is linked into the till. */
#ifndef CP_BENCH_COMMON_H
#define CP_BENCH_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "member.h"
#include "phone.h"

/* One sorted set of samples, in microseconds. */
struct cp_bench_stats {
	int n;
	double p50_us, p90_us, p99_us, max_us, mean_us;
};

/* Monotonic wall time and the calling thread's CPU time, in nanoseconds. */
int64_t cp_bench_now_ns(void);
int64_t cp_bench_cpu_ns(void);

/* Monotonic wall time in seconds. */
double cp_bench_now_s(void);

/* qsort comparators for int64_t and double. */
int cp_bench_cmp_i64(const void *a, const void *b);
int cp_bench_cmp_double(const void *a, const void *b);

/* The p-th percentile (0 < p <= 1, nearest rank) of n sorted nanosecond samples, in µs. */
double cp_bench_pct_us(const int64_t *sorted, int n, double p);

/* Sorts ns[0..n) (n > 0) and summarises it. */
void cp_bench_stats(int64_t *ns, int n, struct cp_bench_stats *s);

/* The next value of a SplitMix64 sequence kept in *state. */
uint64_t cp_bench_rnd(uint64_t *state);

/* A whole decimal number in [min, max], and nothing after it. */
bool cp_bench_parse_long(const char *s, long min, long max, long *out);

/* Prints "bench: WHAT: the error" and exits with status 1. */
_Noreturn void cp_bench_die(const char *what, const struct cp_errbuf *err);

/* Prints "PROG: WHAT: the error" (cp_errmsg) and returns -1. */
int cp_bench_fail(const char *prog, const char *what, const struct cp_errbuf *err, enum cp_err rc);

/* Removes the database at path and its -wal, -shm and -journal files, where they are. */
void cp_bench_remove_db(const char *path);

/* Copies the file from to the file to; -1 with "PROG: copy FROM to TO failed" on failure. */
int cp_bench_copy_file(const char *prog, const char *from, const char *to);

/* The 1, 5 and 15 minute load averages, as "a/b/c" (-1.00 each when unknown). */
void cp_bench_loadavg(char *out, size_t len);

/* Generated member i (0-based) of a benchmark store: phone PREFIX (two digits) and nine more,
 * (i * 7919 + 12345) mod 10^9 (7919 is prime to 10^9, so each i has its own). */
void cp_bench_member_phone(const char *prefix, long i, char out[CP_PHONE_LEN + 1]);

/* Generated member i with its strings, which m->s points into (m must stay where it is while s
 * is used). */
struct cp_bench_member {
	char id[24], phone[CP_PHONE_LEN + 1], card[24], name[40], bday[8];
	struct cp_member_snapshot s;
};

/* Fills m with generated member i: id ID and i + 1 in 7 digits, phone as cp_bench_member_phone
 * with PHONE, card CARD and i + 1 in 8 digits, name 会员 and i + 1, a birthday, points and
 * growth from i, version 1; the tier, guide and the rest are zero for the caller to set. */
void cp_bench_member_make(const char *id, const char *phone, const char *card, long i,
			  struct cp_bench_member *m);

/* Reads the file at path once, so that it is in the OS page cache as on a till that has been
 * running; nothing when it cannot be opened. */
void cp_bench_warm_file(const char *path);

/* The common options "--dir DIR" (scratch directory, default ".") and "-n N" (iterations,
 * 1..n_max, default *n): unknown options are ignored, a bad N keeps the default. */
void cp_bench_args(int argc, char **argv, long n_max, const char **dir, int *n);

/* A new demo store (store S001, till T01) in DIR/FILE, replacing any file there; dies on
 * failure. */
struct cp_db *cp_bench_demo_store(const char *dir, const char *file);

#endif
