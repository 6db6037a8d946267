/* bench_lookup.c — member lookup by phone among 1,000,000 members: cp_member_find_by_phone for
 * random known phones and for misses, against a bare indexed SELECT on the same file in the
 * same run. The members database is built once and kept (it takes a while). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench_common.h"
#include "db.h"
#include "db_int.h"
#include "earn.h"
#include "member.h"
#include "phone.h"

#define GOAL_P99_US 50.0
#define BUILD_BATCH 50000
/* Bump when the generated members change, so that a cached database is rebuilt; it is also
 * rebuilt when core's schema version is not the one it was built with. */
#define GENERATOR "members-v2"
/* Movements HQ has not acknowledged (a stand-alone till that has sold 100,000 times), all on
 * the first BUSY members (regular customers, 100 each): the "busy" lookups find those. */
#define PENDING 100000
#define BUSY 1000

struct opts {
	const char *db;
	long members;
	long hits, misses;
	uint64_t seed;
	bool rebuild;
	bool core_only; /* no baselines: for profiling cp_member_find_by_phone alone */
};

struct stats {
	int n;
	double p50, p90, p99, p999, max, mean;
};

static uint64_t rng_state;

static void summarise(int64_t *ns, int n, struct stats *s)
{
	double sum = 0;

	memset(s, 0, sizeof(*s));
	if (n == 0)
		return;
	qsort(ns, (size_t)n, sizeof(ns[0]), cp_bench_cmp_i64);
	for (int i = 0; i < n; i++)
		sum += (double)ns[i];
	s->n = n;
	s->p50 = cp_bench_pct_us(ns, n, 0.5);
	s->p90 = cp_bench_pct_us(ns, n, 0.9);
	s->p99 = cp_bench_pct_us(ns, n, 0.99);
	s->p999 = cp_bench_pct_us(ns, n, 0.999);
	s->max = ns[n - 1] / 1e3;
	s->mean = sum / n / 1e3;
}

/* Member i (0-based) of the generated store: unique phones 13xxxxxxxxx (7919 is prime to
 * 10^9), so that any 15xxxxxxxxx is a miss. */
static void member_phone(long i, char out[CP_PHONE_LEN + 1])
{
	cp_bench_member_phone("13", i, out);
}

static void miss_phone(char out[CP_PHONE_LEN + 1])
{
	snprintf(out, CP_PHONE_LEN + 1, "15%09llu",
		 (unsigned long long)(cp_bench_rnd(&rng_state) % 1000000000));
}

static int fail(const char *what, const struct cp_errbuf *err, enum cp_err rc)
{
	fprintf(stderr, "bench_lookup: %s: %s\n", what, cp_errmsg(err, rc));
	return -1;
}

/* The demo store's tiers and earn rules, so that a lookup derives tiers as a till does. */
static int seed_rules(struct cp_db *db)
{
	static const struct cp_tier tiers[] = {
		{0, "普通", 0, 10000},     {1, "银卡", 2000, 12000},  {2, "金卡", 10000, 15000},
		{3, "白金", 20000, 18000}, {4, "钻石", 50000, 20000},
	};
	struct cp_earn_rules rules = {
		.points_per_yuan_bp = 10000,
		.growth_per_yuan_bp = 10000,
		.member_day_kind = CP_MEMBER_DAY_WEEKDAY,
		.member_day_value = 3,
		.member_day_bp = 20000,
		.birthday_bp = 20000,
		.welcome_points = 100,
		.referral_points = 200,
		.points_per_yuan_value = 100,
	};
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	for (size_t i = 0; i < sizeof(tiers) / sizeof(tiers[0]); i++)
		if ((rc = cp_tier_put(db, &tiers[i], &err)) != CP_OK)
			return fail("store a tier", &err, rc);
	if ((rc = cp_earn_rules_store(db, &rules, &err)) != CP_OK)
		return fail("store the earn rules", &err, rc);
	return 0;
}

static int put_member(struct cp_db *db, long i)
{
	static const int64_t thresholds[] = {0, 2000, 10000, 20000, 50000};
	struct cp_bench_member m;
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	cp_bench_member_make("M", "13", "88", i, &m);
	for (int t = 0; t < 5; t++)
		if (m.s.growth >= thresholds[t])
			m.s.tier_level = t;
	m.s.guide = i % 10 == 0 ? "2001" : NULL;
	if ((rc = cp_member_put_snapshot(db, &m.s, &err)) != CP_OK)
		return fail("store a member", &err, rc);
	return 0;
}

/* PENDING earn movements after acked_seq (0), as sales would have recorded them (without
 * their journal rows, which a lookup never reads: foreign keys are off while loading). */
static int add_pending(struct cp_db *db, long members)
{
	struct cp_errbuf err = {{0}};
	sqlite3_stmt *st = NULL;
	char id[24];
	int rc = SQLITE_OK;

	if (cp_db_exec(db, "PRAGMA foreign_keys=OFF; BEGIN", &err) != CP_OK)
		return fail("begin the movements", &err, CP_EDB);
	rc = sqlite3_prepare_v2(db->h,
				"INSERT INTO movement(seq, n, member_id, kind, points, growth)"
				" VALUES(?1, 1, ?2, 'earn', ?3, ?3)",
				-1, &st, NULL);
	for (long i = 0; rc == SQLITE_OK && i < PENDING; i++) {
		snprintf(id, sizeof(id), "M%07ld", i % (members < BUSY ? members : BUSY) + 1);
		sqlite3_bind_int64(st, 1, i + 1);
		sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, 10 + i % 90);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK ||
	    cp_db_exec(db, "COMMIT; PRAGMA foreign_keys=ON; ANALYZE", &err) != CP_OK) {
		fprintf(stderr, "bench_lookup: movements: %s\n", sqlite3_errmsg(db->h));
		return -1;
	}
	return 0;
}

static int build(const struct opts *o)
{
	struct cp_db_options opt = {.path = o->db};
	struct cp_db_init init = {.store_id = "S001", .terminal_id = "T01", .force = true};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	char marker[64];
	int64_t t0 = cp_bench_now_ns();
	enum cp_err rc;
	int result = -1;

	fprintf(stderr, "bench_lookup: building %ld members in %s ...\n", o->members, o->db);
	cp_bench_remove_db(o->db);
	if ((rc = cp_db_create(&db, &opt, &init, &err)) != CP_OK)
		return fail("create the members database", &err, rc);
	/* Loading only: the cache holds the indexes being filled in random order, and a crash
	 * here costs a rebuild. A till opens the file with its own pragmas again. */
	if (cp_db_exec(db, "PRAGMA cache_size=-524288", &err) ||
	    cp_db_exec(db, "PRAGMA synchronous=OFF", &err) || seed_rules(db))
		goto out;
	for (long i = 0; i < o->members;) {
		if ((rc = cp_db_begin(db, &err)) != CP_OK) {
			fail("begin", &err, rc);
			goto out;
		}
		for (long end = i + BUILD_BATCH; i < end && i < o->members; i++)
			if (put_member(db, i))
				goto out;
		if ((rc = cp_db_commit(db, &err)) != CP_OK) {
			fail("commit", &err, rc);
			goto out;
		}
	}
	if (add_pending(db, o->members))
		goto out;
	snprintf(marker, sizeof(marker), "%s:%ld:schema-%d", GENERATOR, o->members,
		 cp_db_schema_version());
	if ((rc = cp_db_meta_set(db, "bench_members", marker, &err)) != CP_OK) {
		fail("mark the database", &err, rc);
		goto out;
	}
	if (cp_db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", &err) == CP_OK)
		result = 0;
out:
	if (db && result != 0)
		cp_db_rollback(db);
	cp_db_close(db);
	if (result != 0)
		cp_bench_remove_db(o->db);
	else
		fprintf(stderr, "bench_lookup: built in %.1f s\n", (cp_bench_now_ns() - t0) / 1e9);
	return result;
}

/* A cached database is used when it says it holds this generator's members and they count. */
static bool cached(const struct opts *o)
{
	struct cp_db_options opt = {.path = o->db};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	char marker[64], want[64];
	sqlite3_stmt *st = NULL;
	bool ok = false;

	if (o->rebuild || access(o->db, F_OK) != 0 || cp_db_open(&db, &opt, &err) != CP_OK)
		goto out;
	snprintf(want, sizeof(want), "%s:%ld:schema-%d", GENERATOR, o->members,
		 cp_db_schema_version());
	if (cp_db_meta_get(db, "bench_members", marker, sizeof(marker), &err) != CP_OK ||
	    strcmp(marker, want) != 0)
		goto out;
	if (sqlite3_prepare_v2(db->h, "SELECT count(*) FROM member", -1, &st, NULL) != SQLITE_OK)
		goto out;
	ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) == o->members;
out:
	sqlite3_finalize(st);
	cp_db_close(db);
	return ok;
}

/* The floor: the same hash and one indexed SELECT of the row, on a connection of its own. */
struct bare {
	sqlite3 *h;
	sqlite3_stmt *st;
	const uint8_t *key;
};

static int bare_open(struct bare *b, const char *path, const uint8_t *key)
{
	b->key = key;
	if (sqlite3_open_v2(path, &b->h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(b->h,
			       "SELECT id, phone_masked, name, points, growth, tier FROM member"
			       " WHERE phone_hash = ?1",
			       -1, &b->st, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_lookup: bare connection: %s\n", sqlite3_errmsg(b->h));
		return -1;
	}
	return 0;
}

static bool bare_find(struct bare *b, const char *phone)
{
	char norm[CP_PHONE_LEN + 1];
	uint8_t hash[32];
	bool found;

	if (cp_phone_normalise(phone, norm, NULL) != CP_OK ||
	    cp_phone_hash(b->key, DB_KEY_LEN, norm, hash) != 0)
		return false;
	sqlite3_bind_blob(b->st, 1, hash, sizeof(hash), SQLITE_STATIC);
	found = sqlite3_step(b->st) == SQLITE_ROW;
	sqlite3_reset(b->st);
	return found;
}

/* What each timed sample is. hit-txn is the same call inside one read transaction (a fix
 * proposed for core); spin is a busy loop as long as a median hit: what this machine's timer
 * ticks and neighbours do to any operation of that length. */
enum { HIT, MISS, HIT_TXN, BARE_HIT, BARE_MISS, SPIN, BUSY_HIT, BUSY_SUM, NKINDS };
static const char *const kind_name[NKINDS] = {"hit",       "miss", "hit-txn", "bare-hit",
					      "bare-miss", "spin", "busy",    "busy-sum"};

static volatile uint64_t spin_sink;

static void spin(long iterations)
{
	uint64_t x = spin_sink;

	for (long i = 0; i < iterations; i++)
		x = x * UINT64_C(6364136223846793005) + 1;
	spin_sink = x;
}

/* Loop iterations that take as long as target_ns, from the median of a few trials. */
static long spin_calibrate(int64_t target_ns)
{
	int64_t t[31];
	long iters = 100000;

	for (int i = 0; i < 31; i++) {
		int64_t t0 = cp_bench_now_ns();

		spin(iters);
		t[i] = cp_bench_now_ns() - t0;
	}
	qsort(t, 31, sizeof(t[0]), cp_bench_cmp_i64);
	return t[15] > 0 ? (long)((double)iters * (double)target_ns / (double)t[15]) : 1;
}

struct lookup_ctx {
	struct cp_db *db;
	struct bare bare;
	sqlite3_stmt *begin, *commit;
	sqlite3_stmt *sum; /* busy-sum: what a lookup summed before member_pending */
	struct cp_member_view v;
	struct cp_errbuf err;
};

static int find_in_txn(struct lookup_ctx *c, const char *phone, enum cp_err *rc)
{
	int begun = sqlite3_step(c->begin), done;

	sqlite3_reset(c->begin);
	*rc = cp_member_find_by_phone(c->db, phone, &c->v, &c->err);
	done = sqlite3_step(c->commit);
	sqlite3_reset(c->commit);
	return begun == SQLITE_DONE && done == SQLITE_DONE ? 0 : -1;
}

static int check(const struct lookup_ctx *c, long member, enum cp_err rc, bool bare_found)
{
	char want[24];

	if (member >= 0) {
		snprintf(want, sizeof(want), "M%07ld", member + 1);
		if (rc == CP_OK && strcmp(c->v.id, want) == 0 && bare_found)
			return 0;
		return fail("a known phone was not found", &c->err, rc);
	}
	if (rc == CP_ENOTFOUND && !bare_found)
		return 0;
	return fail("a miss was not CP_ENOTFOUND", &c->err, rc);
}

static int measure(const struct opts *o, struct stats *out, long *spin_iters)
{
	struct cp_db_options opt = {.path = o->db};
	struct lookup_ctx c = {0};
	long nq = o->hits + o->misses, cnt[NKINDS] = {0};
	long *q = calloc((size_t)nq, sizeof(*q));
	int64_t *ns[NKINDS] = {0};
	char phone[CP_PHONE_LEN + 1];
	int64_t warm[1001];
	enum cp_err rc;
	int result = -1;

	for (int k = 0; k < NKINDS; k++)
		if (!(ns[k] = calloc((size_t)nq, sizeof(int64_t))))
			goto out;
	if (!q)
		goto out;
	cp_bench_warm_file(o->db); /* bench_startup measures the cold case */
	if ((rc = cp_db_open(&c.db, &opt, &c.err)) != CP_OK) {
		fail("open the members database", &c.err, rc);
		goto out;
	}
	if (bare_open(&c.bare, o->db, c.db->phone_key))
		goto out;
	if (sqlite3_prepare_v2(c.db->h, "BEGIN", -1, &c.begin, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c.db->h, "COMMIT", -1, &c.commit, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c.db->h,
			       "SELECT coalesce(sum(p), 0), coalesce(sum(g), 0) FROM"
			       " (SELECT points AS p, growth AS g FROM movement"
			       "  WHERE member_id = ?1 AND seq > ?2"
			       "  UNION ALL SELECT m.points, m.growth FROM member_alias a"
			       "  JOIN movement m ON m.member_id = a.local_id"
			       "  WHERE a.member_id = ?1 AND m.seq > ?2)",
			       -1, &c.sum, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_lookup: %s\n", sqlite3_errmsg(c.db->h));
		goto out;
	}
	/* Known members at random, misses (-1) mixed in at random places. */
	for (long i = 0; i < nq; i++)
		q[i] = i < o->hits ? (long)(cp_bench_rnd(&rng_state) % (uint64_t)o->members) : -1;
	for (long i = nq - 1; i > 0; i--) {
		long j = (long)(cp_bench_rnd(&rng_state) % (uint64_t)(i + 1)), t = q[i];

		q[i] = q[j];
		q[j] = t;
	}
	/* Untimed: statement caches, the upper pages of each index, and the median for spin. */
	for (int i = 0; i < 1001; i++) {
		int64_t t0;

		member_phone((long)(cp_bench_rnd(&rng_state) % (uint64_t)o->members), phone);
		t0 = cp_bench_now_ns();
		cp_member_find_by_phone(c.db, phone, &c.v, NULL);
		warm[i] = cp_bench_now_ns() - t0;
		if (!o->core_only) {
			bare_find(&c.bare, phone);
			find_in_txn(&c, phone, &rc);
		}
	}
	qsort(warm, 1001, sizeof(warm[0]), cp_bench_cmp_i64);
	*spin_iters = spin_calibrate(warm[500]);
	for (long i = 0; i < nq; i++) {
		long other = (long)(cp_bench_rnd(&rng_state) % (uint64_t)o->members);
		int hk = q[i] >= 0 ? HIT : MISS, bk = q[i] >= 0 ? BARE_HIT : BARE_MISS;
		int64_t t0, t1, t2;
		bool bare_found;

		if (q[i] >= 0)
			member_phone(q[i], phone);
		else
			miss_phone(phone);
		t0 = cp_bench_now_ns();
		rc = cp_member_find_by_phone(c.db, phone, &c.v, &c.err);
		t1 = cp_bench_now_ns();
		/* Its own connection and page cache: the same phone finds nothing warmer. */
		bare_found = o->core_only ? q[i] >= 0 : bare_find(&c.bare, phone);
		t2 = cp_bench_now_ns();
		if (check(&c, q[i], rc, bare_found))
			goto out;
		ns[hk][cnt[hk]++] = t1 - t0;
		if (o->core_only)
			continue;
		ns[bk][cnt[bk]++] = t2 - t1;
		if (q[i] < 0)
			continue;
		/* Another member: this connection's page cache holds the first one's pages. */
		member_phone(other, phone);
		t0 = cp_bench_now_ns();
		if (find_in_txn(&c, phone, &rc))
			goto out;
		t1 = cp_bench_now_ns();
		if (check(&c, other, rc, true))
			goto out;
		ns[HIT_TXN][cnt[HIT_TXN]++] = t1 - t0;
		t0 = cp_bench_now_ns();
		spin(*spin_iters);
		ns[SPIN][cnt[SPIN]++] = cp_bench_now_ns() - t0;
		/* A regular customer, with PENDING / BUSY movements HQ has not acknowledged. */
		other = (long)(cp_bench_rnd(&rng_state) %
			       (uint64_t)(o->members < BUSY ? o->members : BUSY));
		member_phone(other, phone);
		t0 = cp_bench_now_ns();
		rc = cp_member_find_by_phone(c.db, phone, &c.v, &c.err);
		t1 = cp_bench_now_ns();
		if (check(&c, other, rc, true))
			goto out;
		ns[BUSY_HIT][cnt[BUSY_HIT]++] = t1 - t0;
		sqlite3_bind_text(c.sum, 1, c.v.id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(c.sum, 2, 0);
		t0 = cp_bench_now_ns();
		if (sqlite3_step(c.sum) != SQLITE_ROW ||
		    sqlite3_column_int64(c.sum, 0) != c.v.points_pending) {
			fprintf(stderr,
				"bench_lookup: the movements do not sum to the kept total\n");
			goto out;
		}
		t1 = cp_bench_now_ns();
		sqlite3_reset(c.sum);
		ns[BUSY_SUM][cnt[BUSY_SUM]++] = t1 - t0;
	}
	for (int k = 0; k < NKINDS; k++)
		summarise(ns[k], (int)cnt[k], &out[k]);
	result = 0;
out:
	sqlite3_finalize(c.begin);
	sqlite3_finalize(c.commit);
	sqlite3_finalize(c.sum);
	sqlite3_finalize(c.bare.st);
	if (c.bare.h)
		sqlite3_close(c.bare.h);
	cp_db_close(c.db);
	for (int k = 0; k < NKINDS; k++)
		free(ns[k]);
	free(q);
	return result;
}

static void usage(void)
{
	fputs("usage: bench_lookup --db FILE [--members N] [--lookups N] [--misses N] [--seed S]\n"
	      "                    [--rebuild]\n"
	      "  --db FILE     the members database; built there unless it already holds them\n"
	      "  --members N   members to build (default 1000000)\n"
	      "  --lookups N   timed lookups of random known phones (default 100000)\n"
	      "  --misses N    timed lookups of unknown phones, mixed in (default 10000)\n"
	      "  --rebuild     build the database even when a cached one fits\n"
	      "  --core-only   no baselines, only cp_member_find_by_phone (for a profiler)\n",
	      stderr);
}

static int parse(int argc, char **argv, struct opts *o)
{
	long v;

	*o = (struct opts){.members = 1000000, .hits = 100000, .misses = 10000, .seed = 1};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--rebuild") == 0 || strcmp(a, "--core-only") == 0) {
			*(a[2] == 'r' ? &o->rebuild : &o->core_only) = true;
			continue;
		}
		if (strcmp(a, "--db") == 0 && val)
			o->db = val;
		else if (strcmp(a, "--members") == 0 &&
			 cp_bench_parse_long(val, 1000, 100000000, &v))
			o->members = v;
		else if (strcmp(a, "--lookups") == 0 &&
			 cp_bench_parse_long(val, 100, 100000000, &v))
			o->hits = v;
		else if (strcmp(a, "--misses") == 0 && cp_bench_parse_long(val, 1, 100000000, &v))
			o->misses = v;
		else if (strcmp(a, "--seed") == 0 && cp_bench_parse_long(val, 0, LONG_MAX, &v))
			o->seed = (uint64_t)v;
		else
			return -1;
		i++;
	}
	return o->db ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct stats s[NKINDS];
	struct opts o;
	long spin_iters = 0;
	bool met;

	if (parse(argc, argv, &o) != 0) {
		usage();
		return 2;
	}
	rng_state = o.seed;
	if (cached(&o))
		fprintf(stderr, "bench_lookup: using the cached %s\n", o.db);
	else if (build(&o) != 0)
		return 1;
	if (measure(&o, s, &spin_iters) != 0)
		return 1;
	met = s[HIT].p99 <= GOAL_P99_US;
	printf("bench_lookup: cp_member_find_by_phone among %ld members, SQLite %s\n", o.members,
	       sqlite3_libversion());
	printf("file in the OS page cache, SQLite's default page cache; times in microseconds\n");
	printf("hit/miss  = cp_member_find_by_phone, random known phones / unknown phones\n");
	printf("hit-txn   = the same inside BEGIN ... COMMIT (one read transaction)\n");
	printf("bare-*    = normalise + HMAC + one indexed SELECT of the row, raw connection\n");
	printf("spin      = a busy loop as long as the median hit (%ld iterations)\n", spin_iters);
	printf("busy      = cp_member_find_by_phone of one of the %d members holding the %d "
	       "movements HQ has not acknowledged\n",
	       BUSY, PENDING);
	printf("busy-sum  = summing that member's movements alone, as a lookup did before "
	       "member_pending\n\n");
	printf("%-10s %8s %8s %8s %8s %8s %8s %8s\n", "what", "n", "p50", "p90", "p99", "p99.9",
	       "max", "mean");
	for (int k = 0; k < NKINDS; k++)
		if (s[k].n)
			printf("%-10s %8d %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f\n", kind_name[k],
			       s[k].n, s[k].p50, s[k].p90, s[k].p99, s[k].p999, s[k].max,
			       s[k].mean);
	printf("hit p99 %.1f us; goal <= %.0f us: %s\n", s[HIT].p99, GOAL_P99_US,
	       met ? "met" : "NOT met");
	printf("hit/bare-hit p50 %.2f; hit-txn/hit p50 %.2f; spin p99/p50 %.2f\n\n",
	       s[HIT].p50 / s[BARE_HIT].p50, s[HIT_TXN].p50 / s[HIT].p50,
	       s[SPIN].p99 / s[SPIN].p50);
	for (int k = 0; k < NKINDS; k++)
		if (s[k].n)
			printf("BENCH lookup kind=%s members=%ld n=%d p50_us=%.1f p90_us=%.1f "
			       "p99_us=%.1f "
			       "p999_us=%.1f max_us=%.1f mean_us=%.1f\n",
			       kind_name[k], o.members, s[k].n, s[k].p50, s[k].p90, s[k].p99,
			       s[k].p999, s[k].max, s[k].mean);
	printf("BENCH lookup goal_p99_us=%.0f met=%s ratio_p50_bare=%.3f ratio_p50_txn=%.3f\n",
	       GOAL_P99_US, met ? "yes" : "no", s[HIT].p50 / s[BARE_HIT].p50,
	       s[HIT_TXN].p50 / s[HIT].p50);
	printf("BENCH lookup_pending pending=%d busy_members=%d busy_p99_us=%.1f "
	       "busy_sum_p99_us=%.1f met=%s\n",
	       PENDING, BUSY, s[BUSY_HIT].p99, s[BUSY_SUM].p99,
	       s[HIT].p99 <= GOAL_P99_US && s[BUSY_HIT].p99 <= GOAL_P99_US ? "yes" : "no");
	return 0;
}
