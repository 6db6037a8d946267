/* bench_startup.c — the size of a database with 1,000,000 members and what a start costs with
 * it: cp_db_open plus the first member lookup in-process (warm and with the file evicted from
 * the page cache), a bare sqlite3 open + SELECT as baseline, and the counterpoint process. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench_common.h"
#include "db.h"
#include "db_int.h"
#include "member.h"
#include "phone.h"

#define MAX_RUNS 1000

struct opts {
	const char *db;
	const char *counterpoint;
	const char *dir;
	int runs;
	uint64_t seed;
};

struct stats {
	double median, min, max;
};

static uint64_t rng_state;
static long members;
static uint8_t phone_key[DB_KEY_LEN];

/* Median, min and max in milliseconds. */
static void summarise(int64_t *ns, int n, struct stats *s)
{
	qsort(ns, (size_t)n, sizeof(ns[0]), cp_bench_cmp_i64);
	s->median = (n % 2 ? ns[n / 2] : (ns[n / 2 - 1] + ns[n / 2]) / 2) / 1e6;
	s->min = ns[0] / 1e6;
	s->max = ns[n - 1] / 1e6;
}

/* The phone of member i as bench_lookup generated it. */
static void member_phone(long i, char out[CP_PHONE_LEN + 1])
{
	snprintf(out, CP_PHONE_LEN + 1, "13%09llu",
		 (unsigned long long)(((uint64_t)i * 7919 + 12345) % 1000000000));
}

static void random_phone(char out[CP_PHONE_LEN + 1])
{
	member_phone((long)(cp_bench_rnd(&rng_state) % (uint64_t)members), out);
}

static void evict(const char *path)
{
	static const char *const sfx[] = {"", "-wal", "-shm"};
	char p[PATH_MAX + 8];

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		int fd;

		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		fdatasync(fd);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
	}
}

/* Share of the file's pages in the OS page cache, 0..100; -1 when unknown. */
static double resident_pct(const char *path)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char *vec = NULL;
	struct stat sb;
	size_t npages, in = 0;
	double pct = -1;
	void *map;

	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) != 0 || sb.st_size == 0)
		goto out;
	map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		goto out;
	npages = ((size_t)sb.st_size + (size_t)pg - 1) / (size_t)pg;
	if ((vec = malloc(npages)) && mincore(map, (size_t)sb.st_size, vec) == 0) {
		for (size_t i = 0; i < npages; i++)
			in += vec[i] & 1;
		pct = 100.0 * (double)in / (double)npages;
	}
	free(vec);
	munmap(map, (size_t)sb.st_size);
out:
	close(fd);
	return pct;
}

/* Reads the member count bench_lookup recorded, and the phone-hash key for the baseline. */
static int identify(const struct opts *o)
{
	struct cp_db_options opt = {.path = o->db};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	char marker[64], *colon, *end;
	enum cp_err rc;

	if ((rc = cp_db_open(&db, &opt, &err)) != CP_OK) {
		fprintf(stderr, "bench_startup: %s (run bench_lookup first)\n",
			cp_errmsg(&err, rc));
		return -1;
	}
	rc = cp_db_meta_get(db, "bench_members", marker, sizeof(marker), &err);
	memcpy(phone_key, db->phone_key, sizeof(phone_key));
	cp_db_close(db);
	if (rc != CP_OK || !(colon = strchr(marker, ':'))) {
		fprintf(stderr, "bench_startup: %s was not built by bench_lookup\n", o->db);
		return -1;
	}
	errno = 0;
	members = strtol(colon + 1, &end, 10);
	if (errno || (*end && *end != ':') || members < 1) {
		fprintf(stderr, "bench_startup: %s: bad member count\n", o->db);
		return -1;
	}
	return 0;
}

/* What a start does before the first customer: open (pragmas, schema version, identity) and
 * find a member. Returns the two parts in *open_ns and *find_ns. */
static int open_and_find(const struct opts *o, int64_t *open_ns, int64_t *find_ns)
{
	struct cp_db_options opt = {.path = o->db};
	struct cp_errbuf err = {{0}};
	struct cp_member_view v;
	struct cp_db *db = NULL;
	char phone[CP_PHONE_LEN + 1];
	int64_t t0, t1;
	enum cp_err rc;

	random_phone(phone);
	t0 = cp_bench_now_ns();
	rc = cp_db_open(&db, &opt, &err);
	t1 = cp_bench_now_ns();
	if (rc == CP_OK)
		rc = cp_member_find_by_phone(db, phone, &v, &err);
	*open_ns = t1 - t0;
	*find_ns = cp_bench_now_ns() - t1;
	cp_db_close(db);
	if (rc != CP_OK) {
		fprintf(stderr, "bench_startup: open + lookup: %s\n", cp_errmsg(&err, rc));
		return -1;
	}
	return 0;
}

/* The floor: sqlite3_open_v2 and one indexed SELECT of the member's row. */
static int bare_open_and_find(const struct opts *o, int64_t *ns)
{
	char phone[CP_PHONE_LEN + 1];
	sqlite3_stmt *st = NULL;
	sqlite3 *h = NULL;
	uint8_t hash[32];
	int64_t t0;
	int rc;

	random_phone(phone);
	t0 = cp_bench_now_ns();
	if (cp_phone_hash(phone_key, DB_KEY_LEN, phone, hash) != 0)
		return -1;
	rc = sqlite3_open_v2(o->db, &h, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(h,
					"SELECT id, phone_masked, name, points, growth, tier FROM"
					" member WHERE phone_hash = ?1",
					-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_ROW ? SQLITE_OK : SQLITE_ERROR;
	}
	*ns = cp_bench_now_ns() - t0;
	if (rc != SQLITE_OK)
		fprintf(stderr, "bench_startup: bare open + select: %s\n", sqlite3_errmsg(h));
	sqlite3_finalize(st);
	sqlite3_close(h);
	return rc == SQLITE_OK ? 0 : -1;
}

/* Runs counterpoint with args and stdin from /dev/null, its configuration and data
 * directories pointed at an empty scratch directory so that no user file takes part. */
static int run_process(const struct opts *o, char *const *args, int64_t *ns)
{
	int64_t t0 = cp_bench_now_ns();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(126);
		setenv("HOME", o->dir, 1);
		setenv("XDG_CONFIG_HOME", o->dir, 1);
		setenv("XDG_DATA_HOME", o->dir, 1);
		setenv("XDG_STATE_HOME", o->dir, 1);
		execv(o->counterpoint, args);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	*ns = cp_bench_now_ns() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_startup: %s %s exited with status %d\n", o->counterpoint,
			args[1], WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -1;
	}
	return 0;
}

static void print_stats(const char *name, const char *what, const struct stats *s, int runs)
{
	printf("%-28s %9.2f %9.2f %9.2f   %s\n", name, s->median, s->min, s->max, what);
	printf("BENCH startup kind=%s runs=%d median_ms=%.3f min_ms=%.3f max_ms=%.3f\n", name, runs,
	       s->median, s->min, s->max);
}

static void print_sizes(const struct opts *o)
{
	sqlite3_stmt *st = NULL;
	sqlite3 *h = NULL;
	struct stat sb;
	int64_t size = stat(o->db, &sb) == 0 ? (int64_t)sb.st_size : -1;

	printf("bench_startup: %s, %ld members, SQLite %s\n\n", o->db, members,
	       sqlite3_libversion());
	printf("file size %" PRId64 " bytes (%.1f MiB), %.0f bytes per member\n", size,
	       size / 1048576.0, (double)size / (double)members);
	printf("BENCH startup kind=size members=%ld bytes=%" PRId64 " bytes_per_member=%.0f\n",
	       members, size, (double)size / (double)members);
	if (sqlite3_open_v2(o->db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto out;
	/* dbstat is optional in SQLite builds; without it there is no breakdown. */
	if (sqlite3_prepare_v2(h,
			       "SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name"
			       " ORDER BY bytes DESC LIMIT 6",
			       -1, &st, NULL) != SQLITE_OK) {
		printf("(no dbstat in this SQLite: no breakdown by table and index)\n");
		goto out;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		int64_t bytes = sqlite3_column_int64(st, 1);

		printf("  %-28s %8.1f MiB %5.1f%%\n", name, bytes / 1048576.0,
		       size > 0 ? 100.0 * (double)bytes / (double)size : 0);
		printf("BENCH startup kind=object name=%s bytes=%" PRId64 "\n", name, bytes);
	}
out:
	sqlite3_finalize(st);
	sqlite3_close(h);
	printf("\n");
}

static void usage(void)
{
	fputs("usage: bench_startup --db FILE [--runs N] [--counterpoint BIN --dir DIR] [--seed "
	      "S]\n"
	      "  --db FILE          the members database bench_lookup built\n"
	      "  --runs N           starts of each kind (default 20)\n"
	      "  --counterpoint BIN also time `BIN --db FILE script` with no input (a process\n"
	      "                     start that opens the database) and `BIN --version`\n"
	      "  --dir DIR          an empty scratch directory for its HOME and XDG directories\n",
	      stderr);
}

static int parse(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){.runs = 20, .seed = 1};
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *a = argv[i], *val = argv[i + 1];
		char *end;
		long v;

		if (strcmp(a, "--db") == 0) {
			o->db = val;
		} else if (strcmp(a, "--counterpoint") == 0) {
			o->counterpoint = val;
		} else if (strcmp(a, "--dir") == 0) {
			o->dir = val;
		} else if (strcmp(a, "--runs") == 0 || strcmp(a, "--seed") == 0) {
			errno = 0;
			v = strtol(val, &end, 10);
			if (errno || *end || end == val || v < 1 || (a[2] == 'r' && v > MAX_RUNS))
				return -1;
			if (a[2] == 'r')
				o->runs = (int)v;
			else
				o->seed = (uint64_t)v;
		} else {
			return -1;
		}
	}
	if (argc % 2 == 0 || !o->db || (o->counterpoint && !o->dir))
		return -1;
	if (o->dir && mkdir(o->dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "bench_startup: cannot create %s: %s\n", o->dir, strerror(errno));
		return -1;
	}
	return 0;
}

enum {
	OPEN_WARM,
	FIND_WARM,
	START_WARM,
	BARE_WARM,
	OPEN_COLD,
	FIND_COLD,
	START_COLD,
	BARE_COLD,
	PROC_SCRIPT,
	PROC_VERSION,
	PROC_SCRIPT_COLD,
	NKINDS
};

static const struct {
	const char *name, *what;
} kinds[NKINDS] = {
	{"open-warm", "cp_db_open, file in the page cache"},
	{"lookup-warm", "then the first cp_member_find_by_phone"},
	{"open+lookup-warm", "both: what a start does"},
	{"bare-warm", "sqlite3_open_v2 + one SELECT (baseline)"},
	{"open-cold", "cp_db_open, file evicted first"},
	{"lookup-cold", "then the first lookup"},
	{"open+lookup-cold", "both"},
	{"bare-cold", "sqlite3_open_v2 + one SELECT, evicted"},
	{"process-script", "counterpoint --db FILE script </dev/null"},
	{"process-version", "counterpoint --version (no database)"},
	{"process-script-cold", "the same, file evicted first"},
};

int main(int argc, char **argv)
{
	static int64_t ns[NKINDS][MAX_RUNS];
	struct stats s[NKINDS];
	double res_cold = 0, res_warm = 0;
	bool proc;
	struct opts o;

	if (parse(argc, argv, &o) != 0) {
		usage();
		return 2;
	}
	rng_state = o.seed;
	if (identify(&o) != 0)
		return 1;
	proc = o.counterpoint && access(o.counterpoint, X_OK) == 0;
	if (proc) {
		char *script[] = {(char *)o.counterpoint, "--db", (char *)o.db, "script", NULL};
		int64_t t;

		/* A binary that cannot open this database (older schema, not built) is reported,
		 * and the rest is still measured. */
		if (run_process(&o, script, &t) != 0) {
			printf("(%s could not run with this database: process start-up not "
			       "measured)\n",
			       o.counterpoint);
			proc = false;
		}
	}
	print_sizes(&o);
	for (int r = 0; r < o.runs; r++) {
		char *script[] = {(char *)o.counterpoint, "--db", (char *)o.db, "script", NULL};
		char *version[] = {(char *)o.counterpoint, "--version", NULL};

		/* Warm: as a restart of the program on a running machine. */
		cp_bench_warm_file(o.db);
		res_warm += resident_pct(o.db) / o.runs;
		if (open_and_find(&o, &ns[OPEN_WARM][r], &ns[FIND_WARM][r]) ||
		    bare_open_and_find(&o, &ns[BARE_WARM][r]))
			return 1;
		ns[START_WARM][r] = ns[OPEN_WARM][r] + ns[FIND_WARM][r];
		if (proc && (run_process(&o, script, &ns[PROC_SCRIPT][r]) ||
			     run_process(&o, version, &ns[PROC_VERSION][r])))
			return 1;
		/* Cold: the file's pages dropped from this machine's page cache, as after a boot
		 * (a virtual disk may still be cached by its host). */
		evict(o.db);
		res_cold += resident_pct(o.db) / o.runs;
		if (open_and_find(&o, &ns[OPEN_COLD][r], &ns[FIND_COLD][r]))
			return 1;
		ns[START_COLD][r] = ns[OPEN_COLD][r] + ns[FIND_COLD][r];
		evict(o.db);
		if (bare_open_and_find(&o, &ns[BARE_COLD][r]))
			return 1;
		if (proc) {
			evict(o.db);
			if (run_process(&o, script, &ns[PROC_SCRIPT_COLD][r]))
				return 1;
		}
	}
	printf("%d runs each; milliseconds; page cache residency before the run: warm %.0f%%, "
	       "cold %.1f%%\n",
	       o.runs, res_warm, res_cold);
	printf("%-28s %9s %9s %9s\n", "what", "median", "min", "max");
	for (int k = 0; k < NKINDS; k++) {
		if (k >= PROC_SCRIPT && !proc)
			continue;
		summarise(ns[k], o.runs, &s[k]);
		print_stats(kinds[k].name, kinds[k].what, &s[k], o.runs);
	}
	if (!proc)
		printf("(process start-up not measured)\n");
	printf("BENCH startup residency_warm_pct=%.1f residency_cold_pct=%.1f ratio_warm=%.3f "
	       "ratio_cold=%.3f\n",
	       res_warm, res_cold, s[START_WARM].median / s[BARE_WARM].median,
	       s[START_COLD].median / s[BARE_COLD].median);
	return 0;
}
