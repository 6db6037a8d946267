/* test_staff_attempts.c — the PIN lock-out against attempts that race or cannot be recorded:
 * many logins at once, each on its own connection as separate tills or script processes would
 * be, and wrong PINs while the disk is full or the database busy. An attempt is counted before
 * its PIN is checked, so none of this checks more PINs than the limit allows. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db_int.h"
#include "staff.h"
#include "support.h"

#define LIMIT 5
#define LOCK_MS INT64_C(300000)
#define WRONG 150 /* concurrent wrong PINs; with the right one, 151 attempts */

/* ---- a disk that fills up: a VFS passing everything to the real one, whose writes fail with
 * SQLITE_FULL (what SQLite answers to ENOSPC) while disk_full is set ---- */

static volatile int disk_full;
static sqlite3_vfs full_vfs, *real_vfs;
/* The real VFS has a set of methods per kind of file (database, WAL, journal). */
#define KINDS 8
static sqlite3_io_methods full_methods[KINDS];
static const sqlite3_io_methods *real_methods[KINDS];
static pthread_mutex_t kinds_mu = PTHREAD_MUTEX_INITIALIZER;

static int full_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	int k = (int)((const sqlite3_io_methods *)f->pMethods - full_methods);

	if (disk_full)
		return SQLITE_FULL;
	return real_methods[k]->xWrite(f, buf, n, off);
}

static int full_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
	int rc = real_vfs->xOpen(real_vfs, name, f, flags, out), k;

	(void)vfs;
	if (rc != SQLITE_OK || !f->pMethods)
		return rc;
	pthread_mutex_lock(&kinds_mu);
	for (k = 0; k < KINDS && real_methods[k] && real_methods[k] != f->pMethods; k++)
		;
	if (k == KINDS)
		abort(); /* more kinds of file than SQLite has */
	if (!real_methods[k]) {
		full_methods[k] = *f->pMethods;
		full_methods[k].xWrite = full_write;
		real_methods[k] = f->pMethods;
	}
	f->pMethods = &full_methods[k];
	pthread_mutex_unlock(&kinds_mu);
	return rc;
}

static void full_vfs_install(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	full_vfs = *real_vfs;
	full_vfs.zName = "cp-test-full";
	full_vfs.xOpen = full_open;
	if (sqlite3_vfs_register(&full_vfs, 1) != SQLITE_OK)
		abort();
}

/* ---- fixtures ---- */

static int setup(void **state)
{
	static struct test_env env;
	struct cp_errbuf err = {{0}};

	test_env_open(&env, "attempts", false);
	if (cp_staff_set(env.db, "1001", "王收银", CP_ROLE_CASHIER, "1234", &err) ||
	    cp_staff_set(env.db, "9001", "刘店长", CP_ROLE_MANAGER, "9999", &err))
		fail_msg("setup: %s", err.msg);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	disk_full = 0;
	test_env_close(*state);
	return 0;
}

static int64_t column_int(struct test_env *env, const char *code, const char *col)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT %s FROM staff WHERE code = '%s'", col, code);
	return test_count(env, sql);
}

/* ---- many attempts at once ---- */

struct race {
	struct test_env *env;
	const char *code; /* the code every attempt is at */
	bool authorise;   /* the attempts are a manager's authority, not logins */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_barrier_t start;
	bool right_paused, right_finished, wrong_finished;
	bool right_read_row;
};

struct attempt {
	struct race *race;
	char pin[13];
	bool right;
	enum cp_err rc;
	int64_t until;
	char msg[512];
};

static void race_signal(struct race *r, bool *flag)
{
	pthread_mutex_lock(&r->mu);
	*flag = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

static void race_wait(struct race *r, const bool *a, const bool *b)
{
	pthread_mutex_lock(&r->mu);
	while (!*a && !(b && *b))
		pthread_cond_wait(&r->cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
}

/* On the right PIN's connection: once its attempt has read the PIN record and holds no
 * transaction (it has been counted, or, without counting, it has read an unlocked code), it
 * waits until every wrong PIN has been answered. So the right PIN is in flight from before the
 * first wrong PIN to after the last, whatever the scheduler does. */
static int right_trace(unsigned type, void *ctx, void *p, void *x)
{
	struct race *r = ctx;
	sqlite3_stmt *st = p;
	const char *sql = sqlite3_sql(st);

	(void)type;
	(void)x;
	if (r->right_paused)
		return 0;
	if (sql && strstr(sql, "pin_salt"))
		r->right_read_row = true;
	if (r->right_read_row && sqlite3_get_autocommit(sqlite3_db_handle(st))) {
		race_signal(r, &r->right_paused);
		race_wait(r, &r->wrong_finished, NULL);
	}
	return 0;
}

static void *attempt_run(void *arg)
{
	struct attempt *a = arg;
	struct race *r = a->race;
	struct cp_db_options opt = {0};
	struct cp_errbuf err = {{0}};
	struct cp_session who, cashier = {.code = "1001", .role = CP_ROLE_CASHIER};
	struct cp_db *db = NULL;
	char by[17] = "";

	opt.path = r->env->path;
	opt.clock = &r->env->clock;
	opt.busy_timeout_ms = 600000; /* waiting for the write lock is not what is tested */
	opt.pbkdf2_iterations = 1000;
	a->rc = cp_db_open(&db, &opt, &err);
	if (a->rc == CP_OK && a->right)
		sqlite3_trace_v2(db->h, SQLITE_TRACE_PROFILE, right_trace, r);
	if (!a->right)
		pthread_barrier_wait(&r->start);
	if (a->rc == CP_OK) {
		if (r->authorise)
			a->rc = cp_staff_authorise(db, &cashier, r->code, a->pin, "refund", by,
						   &err);
		else
			a->rc = cp_staff_login(db, r->code, a->pin, &who, &a->until, &err);
	}
	snprintf(a->msg, sizeof(a->msg), "%s", err.msg);
	cp_db_close(db);
	if (a->right)
		race_signal(r, &r->right_finished);
	return NULL;
}

/* The right PIN starts first and is answered last; WRONG wrong PINs go at once in between. */
static void race_run(struct test_env *env, const char *code, const char *right, bool authorise,
		     struct attempt *right_a, struct attempt wrong[WRONG])
{
	static struct race r;
	pthread_t rt, wt[WRONG];

	memset(&r, 0, sizeof(r));
	r.env = env;
	r.code = code;
	r.authorise = authorise;
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv, NULL);
	pthread_barrier_init(&r.start, NULL, WRONG);
	memset(right_a, 0, sizeof(*right_a));
	right_a->race = &r;
	right_a->right = true;
	snprintf(right_a->pin, sizeof(right_a->pin), "%s", right);
	assert_int_equal(pthread_create(&rt, NULL, attempt_run, right_a), 0);
	race_wait(&r, &r.right_paused, &r.right_finished);
	for (int i = 0; i < WRONG; i++) {
		memset(&wrong[i], 0, sizeof(wrong[i]));
		wrong[i].race = &r;
		snprintf(wrong[i].pin, sizeof(wrong[i].pin), "%06d", 100000 + i);
		assert_int_equal(pthread_create(&wt[i], NULL, attempt_run, &wrong[i]), 0);
	}
	for (int i = 0; i < WRONG; i++)
		assert_int_equal(pthread_join(wt[i], NULL), 0);
	race_signal(&r, &r.wrong_finished);
	assert_int_equal(pthread_join(rt, NULL), 0);
	pthread_barrier_destroy(&r.start);
	pthread_cond_destroy(&r.cv);
	pthread_mutex_destroy(&r.mu);
}

/* What the wrong PINs were answered: checked (wrong, or wrong and now locked) or refused
 * unchecked because the code was locked. Anything else fails the test. */
static void tally(const struct attempt wrong[WRONG], int *checked, int *locked_unchecked,
		  int *locking)
{
	*checked = *locked_unchecked = *locking = 0;
	for (int i = 0; i < WRONG; i++) {
		const struct attempt *a = &wrong[i];

		if (a->rc == CP_EAUTH) {
			(*checked)++;
		} else if (a->rc == CP_ELOCKED && strncmp(a->msg, "wrong PIN; ", 11) == 0) {
			(*checked)++;
			(*locking)++;
		} else if (a->rc == CP_ELOCKED) {
			(*locked_unchecked)++;
		} else {
			fail_msg("wrong PIN %s answered %s: %s", a->pin, cp_err_code(a->rc),
				 a->msg);
		}
	}
}

static void race_against(struct test_env *env, const char *code, const char *right, bool authorise)
{
	static struct attempt wrong[WRONG];
	struct attempt right_a;
	int checked, unchecked, locking;
	int64_t until;

	race_run(env, code, right, authorise, &right_a, wrong);
	/* The right PIN was counted first, so LIMIT - 1 wrong PINs filled the tries and locked
	 * the code while it was being checked: it must not get in. */
	if (right_a.rc == CP_OK)
		fail_msg("the right PIN of %s got in although %d wrong PINs had locked the code",
			 code, WRONG);
	assert_int_equal(right_a.rc, CP_ELOCKED);
	tally(wrong, &checked, &unchecked, &locking);
	assert_int_equal(checked, LIMIT - 1);
	assert_int_equal(locking, 1);
	assert_int_equal(unchecked, WRONG - (LIMIT - 1));
	until = column_int(env, code, "locked_until");
	assert_int_equal(until, env->now + LOCK_MS);
	/* Locked means locked, for every PIN, until the lock runs out. */
	env->now = until - 1;
	assert_int_equal(cp_staff_login(env->db, code, right, NULL, NULL, NULL), CP_ELOCKED);
	env->now = until;
	assert_int_equal(cp_staff_login(env->db, code, right, NULL, NULL, NULL), CP_OK);
	assert_int_equal(column_int(env, code, "failed"), 0);
	assert_int_equal(column_int(env, code, "locked_until"), 0);
}

static void parallel_logins_cannot_beat_the_lock(void **state)
{
	race_against(*state, "1001", "1234", false);
}

static void parallel_authorisations_cannot_beat_the_lock(void **state)
{
	race_against(*state, "9001", "9999", true);
}

/* Only wrong PINs, all at once: exactly LIMIT are checked, the rest are refused unchecked. */
static void parallel_wrong_pins_check_no_more_than_the_limit(void **state)
{
	struct test_env *env = *state;
	static struct attempt wrong[WRONG];
	static struct race r;
	pthread_t wt[WRONG];
	int checked, unchecked, locking;

	memset(&r, 0, sizeof(r));
	r.env = env;
	r.code = "1001";
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv, NULL);
	pthread_barrier_init(&r.start, NULL, WRONG);
	for (int i = 0; i < WRONG; i++) {
		memset(&wrong[i], 0, sizeof(wrong[i]));
		wrong[i].race = &r;
		snprintf(wrong[i].pin, sizeof(wrong[i].pin), "%06d", 200000 + i);
		assert_int_equal(pthread_create(&wt[i], NULL, attempt_run, &wrong[i]), 0);
	}
	for (int i = 0; i < WRONG; i++)
		assert_int_equal(pthread_join(wt[i], NULL), 0);
	pthread_barrier_destroy(&r.start);
	tally(wrong, &checked, &unchecked, &locking);
	assert_int_equal(checked, LIMIT);
	assert_int_equal(locking, 1);
	assert_int_equal(unchecked, WRONG - LIMIT);
	assert_int_equal(column_int(env, "1001", "locked_until"), env->now + LOCK_MS);
	assert_int_equal(cp_staff_login(env->db, "1001", "1234", NULL, NULL, NULL), CP_ELOCKED);
}

/* ---- attempts that cannot be recorded ---- */

static void expect_unchecked(struct test_env *env, const char *pin, enum cp_err want,
			     const char *why)
{
	struct cp_errbuf err = {{0}};
	struct cp_session s;
	enum cp_err rc = cp_staff_login(env->db, "1001", pin, &s, NULL, &err);

	if (rc != want || !strstr(err.msg, "the PIN was not checked") || !strstr(err.msg, why))
		fail_msg("PIN %s: %s (%s), wanted %s saying the PIN was not checked: %s", pin,
			 cp_err_code(rc), err.msg, cp_err_code(want), why);
}

static void login(struct test_env *env, const char *pin, enum cp_err want)
{
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_staff_login(env->db, "1001", pin, NULL, NULL, &err);

	if (rc != want)
		fail_msg("PIN %s: %s (%s), wanted %s", pin, cp_err_code(rc), err.msg,
			 cp_err_code(want));
}

/* REALITY: the disk fills up. A wrong PIN that cannot be counted is not checked either, or a
 * full disk would be unlimited guesses; the right one is refused the same way. */
static void full_disk_checks_no_pin(void **state)
{
	struct test_env *env = *state;

	for (int i = 0; i < LIMIT - 1; i++)
		login(env, "0000", CP_EAUTH);
	assert_int_equal(column_int(env, "1001", "failed"), LIMIT - 1);
	disk_full = 1;
	for (int i = 0; i < 12; i++)
		expect_unchecked(env, "0000", CP_EFULL,
				 "storage is full — call IT, then try again");
	/* The right PIN is not checked either: the answer tells nothing about the PIN. */
	expect_unchecked(env, "1234", CP_EFULL, "storage is full");
	disk_full = 0;
	assert_int_equal(column_int(env, "1001", "failed"), LIMIT - 1);
	assert_int_equal(column_int(env, "1001", "locked_until"), 0);
	/* The count stood still: one more wrong PIN locks, and then the right one is refused. */
	login(env, "0000", CP_ELOCKED);
	login(env, "1234", CP_ELOCKED);
	env->now += LOCK_MS;
	login(env, "1234", CP_OK);
}

static void full_disk_from_the_start(void **state)
{
	struct test_env *env = *state;

	disk_full = 1;
	for (int i = 0; i < 12; i++)
		expect_unchecked(env, "0000", CP_EFULL, "storage is full");
	expect_unchecked(env, "1234", CP_EFULL, "storage is full");
	disk_full = 0;
	assert_int_equal(column_int(env, "1001", "failed"), 0);
	login(env, "1234", CP_OK);
}

/* Another program holds the write lock past the busy timeout: not counted, so not checked. */
static void busy_database_checks_no_pin(void **state)
{
	struct test_env *env = *state;
	sqlite3 *other;

	assert_int_equal(sqlite3_open(env->path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_busy_timeout(env->db->h, 1);
	for (int i = 0; i < 12; i++)
		expect_unchecked(env, "0000", CP_EBUSY, "the database is busy; try again");
	expect_unchecked(env, "1234", CP_EBUSY, "busy");
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	assert_int_equal(column_int(env, "1001", "failed"), 0);
	login(env, "1234", CP_OK);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(parallel_logins_cannot_beat_the_lock),
		T(parallel_authorisations_cannot_beat_the_lock),
		T(parallel_wrong_pins_check_no_more_than_the_limit),
		T(full_disk_checks_no_pin),
		T(full_disk_from_the_start),
		T(busy_database_checks_no_pin),
	};

	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	full_vfs_install();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
