/* bench_journal.c — see bench_journal.h. */
#include "bench_journal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "bench_common.h"
#include "cart.h"
#include "db_int.h"
#include "journal.h"
#include "journal_int.h"
#include "sale.h"
#include "shift.h"

#define MAX_TEMPLATES 1000
#define DEMO_MEMBERS 1000
#define DEMO_FIRST_SKU 10001
#define DEMO_ITEMS 51

int64_t cp_bench_fake_now = INT64_C(1767225600000); /* 2026-01-01 00:00 UTC */
bool cp_bench_no_flush;

static int64_t read_clock(void *ctx)
{
	(void)ctx;
	return cp_bench_fake_now;
}

const struct cp_clock cp_bench_fake_clock = {.now = read_clock};

/* SQLite's flushes, skipped while cp_bench_no_flush is set. */
int fsync(int fd)
{
	return cp_bench_no_flush ? 0 : (int)syscall(SYS_fsync, fd);
}

int fdatasync(int fd)
{
	return cp_bench_no_flush ? 0 : (int)syscall(SYS_fdatasync, fd);
}

int cp_bench_open(const char *prog, const char *path, int autocheckpoint, struct cp_db **db)
{
	struct cp_db_options opt = {
		.path = path, .clock = &cp_bench_fake_clock, .wal_autocheckpoint = autocheckpoint};
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_db_open(db, &opt, &err);

	return rc == CP_OK ? 0 : cp_bench_fail(prog, path, &err, rc);
}

int64_t cp_bench_one_int(struct cp_db *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int cp_bench_clock_after(struct cp_db *db, int64_t step_ms)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db->h, "SELECT max(created_at) FROM journal", -1, &st, NULL);

	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		cp_bench_fake_now = sqlite3_column_int64(st, 0) + step_ms;
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : -1;
}

void cp_bench_day(struct cp_db *db, int64_t back_ms, char out[32])
{
	time_t t =
		(time_t)((cp_bench_fake_now - back_ms) / 1000 + (int64_t)db->utc_offset_min * 60);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 32, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int cp_bench_login(const char *prog, struct cp_db *db, struct cp_session *who)
{
	struct cp_errbuf err = {{0}};
	bool opened = false;
	enum cp_err rc;

	if ((rc = cp_staff_login(db, "1001", "1111", who, NULL, &err)) != CP_OK)
		return cp_bench_fail(prog, "log in cashier 1001", &err, rc);
	if ((rc = cp_shift_demo_open(db, who, &opened, &err)) != CP_OK)
		return cp_bench_fail(prog, "open the demo store's shift", &err, rc);
	return 0;
}

int cp_bench_ring_up(const char *prog, struct cp_db *db, const struct cp_session *who,
		     uint64_t *rng, int64_t step_ms, int64_t *total)
{
	struct cp_errbuf err = {{0}};
	struct cp_cart_view *view = NULL;
	char member[16], sku[16];
	int lines = 2 + (int)(cp_bench_rnd(rng) % 3), first = (int)(cp_bench_rnd(rng) % DEMO_ITEMS),
	    result = -1;
	enum cp_err rc;

	cp_bench_fake_now += step_ms;
	snprintf(member, sizeof(member), "M%06d", (int)(cp_bench_rnd(rng) % DEMO_MEMBERS) + 1);
	if ((rc = cp_cart_set_member(db, who, member, &err)) != CP_OK)
		return cp_bench_fail(prog, "attach member", &err, rc);
	for (int i = 0; i < lines; i++) {
		snprintf(sku, sizeof(sku), "%d", DEMO_FIRST_SKU + (first + i * 7) % DEMO_ITEMS);
		if ((rc = cp_cart_scan(db, who, sku, 1 + (int64_t)(cp_bench_rnd(rng) % 2), NULL,
				       &err)) != CP_OK)
			return cp_bench_fail(prog, "scan", &err, rc);
	}
	if (!(view = malloc(sizeof(*view))))
		return cp_bench_fail(prog, "cart view", NULL, CP_ENOMEM);
	if ((rc = cp_cart_view(db, who, view, &err)) != CP_OK) {
		cp_bench_fail(prog, "view the cart", &err, rc);
		goto out;
	}
	*total = view->total;
	result = 0;
out:
	free(view);
	return result;
}

int cp_bench_pay(const char *prog, struct cp_db *db, const struct cp_session *who, int64_t total)
{
	struct cp_tender t = {.method = CP_TENDER_CARD, .amount = total};
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_sale_pay(db, who, &t, 1, &r, &err);

	return rc == CP_OK ? 0 : cp_bench_fail(prog, "pay", &err, rc);
}

/* Reads the payloads of the first n sales, without the fields cp_journal_record stamps; how
 * many it read. */
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
	return got;
}

/* One sale again from tpl: a fresh receipt number and business day. */
static enum cp_err record_again(struct cp_db *db, const json_t *tpl, int64_t step_ms,
				struct cp_errbuf *err)
{
	json_t *p = json_deep_copy(tpl);
	char receipt[64], day[32];
	enum cp_err rc;

	cp_bench_fake_now += step_ms;
	cp_bench_day(db, 0, day);
	if (!p)
		return CP_ENOMEM;
	if ((rc = cp_receipt_next(db, receipt, sizeof(receipt), err)) == CP_OK) {
		json_object_set_new(p, "receipt", json_string(receipt));
		json_object_set_new(p, "day", json_string(day));
		rc = cp_journal_record(db, "sale", p, NULL, NULL, err);
	}
	json_decref(p);
	return rc;
}

int cp_bench_clone_until(struct cp_bench_clone *c)
{
	json_t *tpl[MAX_TEMPLATES] = {0};
	struct cp_errbuf err = {{0}};
	int64_t shown = c->have;
	int ntpl = templates_read(c->db, tpl,
				  c->templates < MAX_TEMPLATES ? c->templates : MAX_TEMPLATES),
	    result = -1;
	double t0 = cp_bench_now_s();

	if (ntpl < 1 || ntpl < c->min_templates) {
		fprintf(stderr, "%s: cannot read the template sales\n", c->prog);
		goto out;
	}
	while (c->have < c->until) {
		enum cp_err rc = cp_db_begin(c->db, &err);

		for (int i = 0; rc == CP_OK && i < c->batch && c->have < c->until; i++, c->have++)
			rc = record_again(c->db, tpl[(uint64_t)c->have % (uint64_t)ntpl],
					  c->step_ms, &err);
		if (rc == CP_OK)
			rc = cp_db_commit(c->db, &err);
		if (rc != CP_OK) {
			cp_db_rollback(c->db);
			cp_bench_fail(c->prog, "record a sale", &err, rc);
			goto out;
		}
		if (c->have - shown >= c->report_every || c->have == c->until) {
			shown = c->have;
			fprintf(stderr, "%s: %" PRId64 " %s, %.0f s\n", c->prog, c->have, c->unit,
				cp_bench_now_s() - t0);
		}
	}
	result = 0;
out:
	for (int i = 0; i < MAX_TEMPLATES; i++)
		json_decref(tpl[i]);
	return result;
}

int cp_bench_verify_child(const char *prog, const char *path, int64_t step_ms, int64_t *rows)
{
	struct cp_verify_report rep = {0};
	struct cp_errbuf err = {{0}};
	struct cp_db *db = NULL;
	enum cp_err rc;

	if (cp_bench_open(prog, path, 0, &db))
		return 1;
	if (step_ms > 0)
		cp_bench_clock_after(db, step_ms);
	rc = cp_journal_verify(db, &rep, &err);
	cp_db_close(db);
	if (rc != CP_OK) {
		cp_bench_fail(prog, "verify", &err, rc);
		return 1;
	}
	if (rows)
		*rows = rep.rows;
	return 0;
}

int cp_bench_verify_run(const char *prog, const char *self, const char *path, double *secs,
			double *cpu, double *mib)
{
	struct rusage ru;
	int status = 0;
	double t0 = cp_bench_now_s();
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl(self, self, "--child-verify", path, (char *)NULL);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s: the verify child failed\n", prog);
		return -1;
	}
	*secs = cp_bench_now_s() - t0;
	*cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
	*mib = (double)ru.ru_maxrss / 1024.0;
	return 0;
}
