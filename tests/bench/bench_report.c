/* bench_report.c — the day's tally (issue 11) on a database holding a year of a busy till's
 * sales as the report reads them: 364 days of 1,500 sales and one day of 100,000, each sale
 * with two lines, a tender and (for members) its points, a guide credited for half the
 * members' sales, one sale in a hundred refunded, a few registrations and a shift a day,
 * opened at 08:00 and closed at 23:00.
 * Rows go straight into the journal's view tables (journal_day, sale, sale_line, tender,
 * movement, refund, guide_credit, shift) and report_day_sum is summed from them by the same
 * SQL the migration uses; then cp_report_tally is timed for the 100,000-sale day and for
 * every day of a 31-day month. The goal is under 100 ms for each. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench_common.h"
#include "cp_clock.h"
#include "db.h"
#include "db_int.h"
#include "report.h"
#include "report_int.h"

#define DAYS 365
#define PER_DAY 1500
#define BIG_DAY 364 /* the year's last day */
#define BIG_SALES 100000
#define MONTH0 273 /* 2026-10-01, a month of 31 days */
#define MONTH_DAYS 31
#define GOAL_MS 100.0
#define RUNS 20
#define BATCH 50000

/* every sale, its hour in the store's zone (meta utc_offset_min) as the till files it */
#define SUM_ALL                                                                                    \
	REPORT_SALE_SUM_SELECT_HOUR(" IS NOT NULL",                                                \
				    "strftime('%H', s.created_at / 1000 + 60 * (SELECT value FROM" \
				    " meta WHERE key = 'utc_offset_min'), 'unixepoch')")

static int64_t fixed_now;

static int64_t clock_fixed(void *ctx)
{
	(void)ctx;
	return fixed_now;
}

static int64_t clock_ns(clockid_t which)
{
	struct timespec ts;

	clock_gettime(which, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static int64_t cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

static int exec(sqlite3 *h, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bench_report: %.200s: %s\n", sql, msg);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

enum { S_DAY, S_SALE, S_LINE, S_TENDER, S_MOVE, S_REFUND, S_CREDIT, S_SHIFT, S_CLOSE, S_N };

static const char *const sql[S_N] = {
	"INSERT INTO journal_day(seq, day, type) VALUES(?1, ?2, ?3)",
	"INSERT INTO sale(seq, receipt, staff, member_id, created_at, business_day, total,"
	" eligible, change_due, multiplier_bp, points, growth, member_saving)"
	" VALUES(?1, 'S001-T01-' || ?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, 10000, ?8, ?8, ?9)",
	"INSERT INTO sale_line(seq, line_no, sku, name, category, qty, unit_price, amount,"
	" eligible) VALUES(?1, ?2, ?3, 'item', 'FOOD', 1, ?4, ?4, 1)",
	"INSERT INTO tender(seq, n, method, amount) VALUES(?1, 1, ?2, ?3)",
	"INSERT INTO movement(seq, n, member_id, kind, points, growth) VALUES(?1, 1, ?2, ?3, ?4, "
	"?4)",
	"INSERT INTO refund(seq, receipt, sale_seq, kind, staff, authorised_by, created_at,"
	" business_day, amount, points, growth) VALUES(?1, 'R001-T01-' || ?1, ?2, 'refund',"
	" '1001', '9001', ?3, ?4, ?5, ?6, ?6)",
	"INSERT INTO guide_credit(seq, kind, sale_seq, guide, source, member_id, business_day,"
	" amount) VALUES(?1, ?2, ?3, ?4, 'member', ?5, ?6, ?7)",
	"INSERT INTO shift(seq, staff, opened_at, float) VALUES(?1, '9001', ?2, 20000)",
	"INSERT INTO shift_close(seq, shift_seq, staff, at, expected, counted, over_short)"
	" VALUES(?1, ?2, '9001', ?3, 0, 0, 0)",
};

static sqlite3_stmt *st[S_N];

static int step(int i)
{
	int rc = sqlite3_step(st[i]);

	sqlite3_reset(st[i]);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int day_row(int64_t seq, const char *day, const char *type)
{
	sqlite3_bind_int64(st[S_DAY], 1, seq);
	sqlite3_bind_text(st[S_DAY], 2, day, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st[S_DAY], 3, type, -1, SQLITE_STATIC);
	return step(S_DAY);
}

/* One sale (and, one in a hundred, its refund) at seq; returns the next free seq, -1 on
 * failure. */
static int64_t one_sale(int64_t seq, int64_t s, int64_t at, const char *day)
{
	static const char *const methods[] = {"cash", "wechat", "alipay", "card"};
	const char *method = methods[s % 4];
	bool member = s % 5 < 3, credited = member && s % 2 == 0;
	int64_t l1 = 500 + (s * 37) % 9000, l2 = 200 + (s * 91) % 3000, total = l1 + l2;
	int64_t saving = member ? 100 + s % 300 : 0, points = member ? total / 100 : 0;
	char staff[8], mid[16], guide[8], sku[8];
	int rc = 0;

	snprintf(staff, sizeof(staff), "%d", 1001 + (int)(s % 8));
	snprintf(mid, sizeof(mid), "M%07" PRId64, (s * 7919) % 60000);
	snprintf(guide, sizeof(guide), "%d", 2001 + (int)(s % 20));
	rc |= day_row(seq, day, "sale");
	sqlite3_bind_int64(st[S_SALE], 1, seq);
	sqlite3_bind_text(st[S_SALE], 2, staff, -1, SQLITE_TRANSIENT);
	if (member)
		sqlite3_bind_text(st[S_SALE], 3, mid, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st[S_SALE], 3);
	sqlite3_bind_int64(st[S_SALE], 4, at);
	sqlite3_bind_text(st[S_SALE], 5, day, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st[S_SALE], 6, total);
	sqlite3_bind_int64(st[S_SALE], 7, s % 4 == 0 ? (10000 - total % 10000) % 10000 : 0);
	sqlite3_bind_int64(st[S_SALE], 8, points);
	sqlite3_bind_int64(st[S_SALE], 9, saving);
	rc |= step(S_SALE);
	for (int n = 1; n <= 2; n++) {
		snprintf(sku, sizeof(sku), "%d", 10001 + (int)((s * n) % 500));
		sqlite3_bind_int64(st[S_LINE], 1, seq);
		sqlite3_bind_int(st[S_LINE], 2, n);
		sqlite3_bind_text(st[S_LINE], 3, sku, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st[S_LINE], 4, n == 1 ? l1 : l2);
		rc |= step(S_LINE);
	}
	sqlite3_bind_int64(st[S_TENDER], 1, seq);
	sqlite3_bind_text(st[S_TENDER], 2, method, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st[S_TENDER], 3,
			   s % 4 == 0 ? total + (10000 - total % 10000) % 10000 : total);
	rc |= step(S_TENDER);
	if (member) {
		sqlite3_bind_int64(st[S_MOVE], 1, seq);
		sqlite3_bind_text(st[S_MOVE], 2, mid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st[S_MOVE], 3, "earn", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st[S_MOVE], 4, points);
		rc |= step(S_MOVE);
	}
	if (credited) {
		sqlite3_bind_int64(st[S_CREDIT], 1, seq);
		sqlite3_bind_text(st[S_CREDIT], 2, "sale", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st[S_CREDIT], 3, seq);
		sqlite3_bind_text(st[S_CREDIT], 4, guide, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st[S_CREDIT], 5, mid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st[S_CREDIT], 6, day, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st[S_CREDIT], 7, total);
		rc |= step(S_CREDIT);
	}
	if (s % 100 != 7)
		return rc ? -1 : seq + 1;
	/* the refund of the whole sale, at the next sequence */
	rc |= day_row(seq + 1, day, "refund");
	sqlite3_bind_int64(st[S_REFUND], 1, seq + 1);
	sqlite3_bind_int64(st[S_REFUND], 2, seq);
	sqlite3_bind_int64(st[S_REFUND], 3, at + 60000);
	sqlite3_bind_text(st[S_REFUND], 4, day, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st[S_REFUND], 5, total);
	sqlite3_bind_int64(st[S_REFUND], 6, points);
	rc |= step(S_REFUND);
	sqlite3_bind_int64(st[S_TENDER], 1, seq + 1);
	sqlite3_bind_text(st[S_TENDER], 2, method, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st[S_TENDER], 3, -total);
	rc |= step(S_TENDER);
	if (member) {
		sqlite3_bind_int64(st[S_MOVE], 1, seq + 1);
		sqlite3_bind_text(st[S_MOVE], 2, mid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st[S_MOVE], 3, "clawback", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st[S_MOVE], 4, -points);
		rc |= step(S_MOVE);
	}
	if (credited) {
		sqlite3_bind_int64(st[S_CREDIT], 1, seq + 1);
		sqlite3_bind_text(st[S_CREDIT], 2, "refund", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st[S_CREDIT], 3, seq);
		sqlite3_bind_text(st[S_CREDIT], 4, guide, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st[S_CREDIT], 5, mid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st[S_CREDIT], 6, day, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st[S_CREDIT], 7, -total);
		rc |= step(S_CREDIT);
	}
	return rc ? -1 : seq + 2;
}

/* The year: day d is day0 + d days; each opens with a shift and five registrations, and its
 * sales are spread from 08:00 over 14 hours. */
static int fill(struct cp_db *db, int64_t day0, int64_t *nsales)
{
	sqlite3 *h = db->h;
	char day[11];
	int64_t seq = 0, s = 0;

	if (exec(h, "PRAGMA foreign_keys=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;"
		    " BEGIN") != 0)
		return -1;
	for (int i = 0; i < S_N; i++)
		if (sqlite3_prepare_v2(h, sql[i], -1, &st[i], NULL) != SQLITE_OK) {
			fprintf(stderr, "bench_report: %s: %s\n", sql[i], sqlite3_errmsg(h));
			return -1;
		}
	for (int d = 0; d < DAYS; d++) {
		int64_t open = day0 + (int64_t)d * 86400000 + 8 * 3600000;
		int n = d == BIG_DAY ? BIG_SALES : PER_DAY;
		int64_t shift;

		cp_business_day(open, db->cutover_min, day);
		shift = ++seq;
		if (day_row(seq, day, "shift_open") != 0)
			return -1;
		sqlite3_bind_int64(st[S_SHIFT], 1, seq);
		sqlite3_bind_int64(st[S_SHIFT], 2, open);
		if (step(S_SHIFT) != 0)
			return -1;
		for (int r = 0; r < 5; r++)
			if (day_row(++seq, day, "member_register") != 0)
				return -1;
		for (int i = 0; i < n; i++, s++) {
			if (s % BATCH == BATCH - 1 && exec(h, "COMMIT; BEGIN") != 0)
				return -1;
			if ((seq = one_sale(seq + 1, s, open + (int64_t)i * (14 * 3600000 / n),
					    day)) < 0) {
				fprintf(stderr, "bench_report: filling: %s\n", sqlite3_errmsg(h));
				return -1;
			}
			seq--;
		}
		seq++; /* the shift closes at 23:00 */
		if (day_row(seq, day, "shift_close") != 0)
			return -1;
		sqlite3_bind_int64(st[S_CLOSE], 1, seq);
		sqlite3_bind_int64(st[S_CLOSE], 2, shift);
		sqlite3_bind_int64(st[S_CLOSE], 3, open + 15 * 3600000);
		if (step(S_CLOSE) != 0)
			return -1;
	}
	for (int i = 0; i < S_N; i++)
		sqlite3_finalize(st[i]);
	*nsales = s;
	/* the journal itself is not filled: the tally reads only its views */
	if (exec(h, "INSERT INTO report_day_sum(day, what, key, n, amount, growth) SELECT day,"
		    " what, key, sum(n), sum(amount), sum(growth) FROM (" SUM_ALL
		    ") GROUP BY day, what, key") != 0)
		return -1;
	return exec(h, "INSERT INTO meta(key, value) SELECT 'acked_seq', max(seq) - 50"
		       " FROM journal_day WHERE true ON CONFLICT(key) DO UPDATE"
		       " SET value = excluded.value; COMMIT; PRAGMA foreign_keys=ON;"
		       " PRAGMA synchronous=FULL; PRAGMA wal_checkpoint(TRUNCATE)");
}

static void day_of(struct cp_db *db, int64_t day0, int d, char day[11])
{
	cp_business_day(day0 + (int64_t)d * 86400000 + 12 * 3600000, db->cutover_min, day);
}

static void summary(const char *what, double *ms, int n, const char *extra)
{
	qsort(ms, (size_t)n, sizeof(ms[0]), cp_bench_cmp_double);
	printf("BENCH report kind=%s n=%d p50_ms=%.3f p90_ms=%.3f max_ms=%.3f goal_ms=%.0f %s %s\n",
	       what, n, ms[n / 2], ms[n * 9 / 10], ms[n - 1], GOAL_MS,
	       ms[n - 1] < GOAL_MS ? "PASS" : "FAIL", extra);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "bench_report.db";
	struct cp_clock clock = {clock_fixed, NULL};
	struct cp_db_options opt = {.path = path, .clock = &clock, .cutover_min = 240};
	struct cp_db_init init = {.store_id = "S001", .terminal_id = "T01", .force = true};
	struct cp_errbuf err = {{0}};
	struct cp_tally *t = calloc(1, sizeof(*t));
	double day_ms[RUNS], month_ms[RUNS], day_cpu[RUNS], month_cpu[RUNS];
	int64_t c0;
	int64_t day0 = INT64_C(1767225600000), t0, fill_ns, nsales = 0, month_sales = 0;
	char day[11], extra[128];
	struct cp_db *db = NULL;
	bool ok;

	/* 2026-01-01 00:00 in the zone the days and hours are counted in */
	setenv("TZ", "UTC", 1);
	tzset();
	fixed_now = day0 + (int64_t)DAYS * 86400000;
	unlink(path);
	if (!t || cp_db_create(&db, &opt, &init, &err) != CP_OK) {
		fprintf(stderr, "bench_report: %s\n", t ? err.msg : "out of memory");
		return 1;
	}
	t0 = now_ns();
	if (fill(db, day0, &nsales) != 0)
		return 1;
	fill_ns = now_ns() - t0;
	day_of(db, day0, BIG_DAY, day);
	for (int r = 0; r < RUNS; r++) {
		t0 = now_ns();
		c0 = cpu_ns();
		if (cp_report_tally(db, day, t, &err) != CP_OK) {
			fprintf(stderr, "bench_report: %s\n", err.msg);
			return 1;
		}
		day_cpu[r] = (double)(cpu_ns() - c0) / 1e6;
		day_ms[r] = (double)(now_ns() - t0) / 1e6;
	}
	printf("year: %" PRId64 " sales in %d days, filled in %.1f s; %s: %" PRId64
	       " sales, %" PRId64 " refunds, %d cashiers, %d guides, net %" PRId64 " fen\n",
	       nsales, DAYS, (double)fill_ns / 1e9, day, t->sales.count, t->refunds.count,
	       t->ncashiers, t->nguides, t->net);
	ok = t->sales.count == BIG_SALES;
	for (int r = 0; r < RUNS; r++) {
		month_sales = 0;
		t0 = now_ns();
		c0 = cpu_ns();
		for (int d = MONTH0; d < MONTH0 + MONTH_DAYS; d++) {
			day_of(db, day0, d, day);
			if (cp_report_tally(db, day, t, &err) != CP_OK) {
				fprintf(stderr, "bench_report: %s\n", err.msg);
				return 1;
			}
			month_sales += t->sales.count;
		}
		month_cpu[r] = (double)(cpu_ns() - c0) / 1e6;
		month_ms[r] = (double)(now_ns() - t0) / 1e6;
	}
	ok = ok && month_sales == (int64_t)MONTH_DAYS * PER_DAY;
	snprintf(extra, sizeof(extra), "sales=%d", BIG_SALES);
	summary("day", day_ms, RUNS, extra);
	snprintf(extra, sizeof(extra), "days=%d sales=%" PRId64, MONTH_DAYS, month_sales);
	summary("month", month_ms, RUNS, extra);
	/* the same calls in the thread's CPU time: the work, without the waits for a core */
	summary("cpu-day", day_cpu, RUNS, "");
	summary("cpu-month", month_cpu, RUNS, "");
	if (!ok)
		fprintf(stderr, "bench_report: the tallies did not count the sales filled\n");
	cp_db_close(db);
	free(t);
	if (!getenv("BENCH_REPORT_KEEP"))
		unlink(path);
	return ok ? 0 : 1; /* the goal is reported, not enforced: the machine is shared */
}
