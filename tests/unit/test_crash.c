/* test_crash.c — a kill during selling: a child process completes sales in a loop and
 * reports each committed receipt on a pipe (and, before its first sale, each step of its start:
 * opened, logged in, the sale left open taken over); the parent waits for 1 to 3 reported sales
 * and kills it with SIGKILL at once, while it is somewhere inside the next sale (every fifth
 * time after the 1st, 2nd or 3rd step of its start instead), 50 times. After each kill it
 * checks that the database opens, passes the integrity check and verify (chain, no gap, tables =
 * journal), and holds every sale the child reported. No random wait and no clock decides where
 * a kill lands: only what the child reported (test_powercut.sh cuts at every write in turn). */
#include <errno.h>
#include <stdbool.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cart.h"
#include "db.h"
#include "journal.h"
#include "sale.h"
#include "staff.h"
#include "support.h"

#define KILLS 50

/* Reports a step of the child's start (a line that is not a receipt). */
static bool step(int fd, const char *line)
{
	return write(fd, line, strlen(line)) == (ssize_t)strlen(line);
}

static void child(const char *path, int fd)
{
	struct cp_db_options opt = {.path = path};
	static const char *const codes[] = {"A1", "A2", "G120", "T1", "6901234567892"};
	struct cp_tender t[2] = {{CP_TENDER_WECHAT, 100}, {CP_TENDER_CASH, 100000000}};
	struct cp_session who;
	struct cp_cart_owner left; /* the sale the killed child left open: taken over and sold */
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};
	struct cp_db *db;
	unsigned n = 0;

	if (cp_db_open(&db, &opt, &err) != CP_OK || !step(fd, "#opened\n") ||
	    cp_staff_login(db, "1001", "1234", &who, NULL, &err) != CP_OK ||
	    !step(fd, "#logged in\n") || cp_cart_owner(db, &who, &left, &err) != CP_OK ||
	    (left.open && cp_cart_take_over(db, &who, NULL, &err) != CP_OK) ||
	    !step(fd, "#taken over\n")) {
		fprintf(stderr, "child: %s\n", err.msg);
		_exit(3);
	}
	for (;;) {
		char line[64];
		int len;

		n++;
		for (unsigned i = 0; i < 1 + n % 5; i++)
			if (cp_cart_scan(db, &who, codes[(n + i) % 5], 1 + i, NULL, &err) != CP_OK)
				_exit(4);
		if (n % 2 && cp_cart_set_member(db, &who, n % 4 == 1 ? "M1" : "M2", &err) != CP_OK)
			_exit(5);
		if (cp_sale_pay(db, &who, t, 2, &r, &err) != CP_OK) {
			fprintf(stderr, "child: %s\n", err.msg);
			_exit(6);
		}
		len = snprintf(line, sizeof(line), "%s\n", r.receipt);
		if (write(fd, line, (size_t)len) != len)
			_exit(7);
	}
}

/* Reads what the child reports until this round (from before) holds want complete lines of
 * the kind asked for (receipts, or steps of the start: lines beginning with '#'); fails if the
 * child stops first. */
static void await_lines(int fd, char *buf, size_t *used, size_t cap, size_t before, int want,
			bool steps)
{
	for (;;) {
		int lines = 0;
		size_t start = before;
		ssize_t n;

		for (size_t i = before; i < *used; i++)
			if (buf[i] == '\n') {
				lines += (buf[start] == '#') == steps;
				start = i + 1;
			}
		if (lines >= want)
			return;
		assert_true(*used < cap - 1);
		n = read(fd, buf + *used, cap - 1 - *used);
		if (n <= 0)
			fail_msg("the selling child stopped before reporting %d %s", want,
				 steps ? "steps" : "sales");
		*used += (size_t)n;
	}
}

/* Reads what the child reported before it died. */
static void drain(int fd, char *buf, size_t *used, size_t cap)
{
	ssize_t n;

	while (*used < cap - 1 && (n = read(fd, buf + *used, cap - 1 - *used)) > 0)
		*used += (size_t)n;
	buf[*used] = '\0';
}

static void check_database(const char *path, const char *reported)
{
	struct cp_db_options opt = {.path = path};
	struct cp_errbuf err = {{0}};
	struct cp_verify_report rep;
	struct cp_journal_status js;
	struct cp_db *db;
	sqlite3 *h;
	sqlite3_stmt *st;
	const char *p = reported;

	if (cp_db_open(&db, &opt, &err) != CP_OK)
		fail_msg("reopen after kill: %s", err.msg);
	if (cp_journal_verify(db, &rep, &err) != CP_OK)
		fail_msg("verify after kill: %s", err.msg);
	assert_int_equal(cp_journal_status(db, &js, &err), CP_OK);
	assert_int_equal(rep.rows, js.last_seq);
	cp_db_close(db);
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM sale WHERE receipt = ?1", -1,
					    &st, NULL),
			 SQLITE_OK);
	while (*p) {
		const char *nl = strchr(p, '\n');

		if (!nl)
			break;   /* a partly written last line: the sale may or may not be there */
		if (*p == '#') { /* a step of the start, not a receipt */
			p = nl + 1;
			continue;
		}
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, p, (int)(nl - p), SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		if (sqlite3_column_int(st, 0) != 1)
			fail_msg("reported sale %.*s is missing after the kill", (int)(nl - p), p);
		p = nl + 1;
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
}

static void test_sigkill_while_selling(void **state)
{
	struct test_env env;
	static char reported[1 << 20];
	size_t used = 0;

	(void)state;
	test_env_open(&env, "crash", true);
	test_env_close(&env);
	for (int k = 0; k < KILLS; k++) {
		int fds[2];
		pid_t pid;
		size_t before = used;

		assert_int_equal(pipe(fds), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			child(env.path, fds[1]);
		}
		close(fds[1]);
		/* Cut the power once it has reported 1..3 sales (it is inside the next one then);
		 * every fifth round once it has reported the 1st, 2nd or 3rd step of its start. */
		if (k % 5 == 4)
			await_lines(fds[0], reported, &used, sizeof(reported), before,
				    1 + (k / 5) % 3, true);
		else
			await_lines(fds[0], reported, &used, sizeof(reported), before, 1 + k % 3,
				    false);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		drain(fds[0], reported, &used, sizeof(reported));
		close(fds[0]);
		/* Keep only complete lines from this round for the next. */
		while (used > before && reported[used - 1] != '\n')
			used--;
		reported[used] = '\0';
		check_database(env.path, reported);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigkill_while_selling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
