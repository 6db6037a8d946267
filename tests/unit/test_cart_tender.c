/* test_cart_tender.c — the open sale keeps the payments entered so far: kept, listed, taken back
 * and used by the payment; checked as the sale checks them when entered; another login's sale
 * refused; a sale with payments not parked; and a payment surviving a SIGKILL of the process
 * that entered it (the next login takes the sale over and finds it). */
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
#include "cart_tender.h"
#include "db.h"
#include "db_int.h"
#include "park.h"
#include "sale.h"
#include "staff.h"
#include "support.h"

static struct test_env env;

static int setup(void **state)
{
	(void)state;
	test_env_open(&env, "cart_tender", true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

static void ok(enum cp_err rc, const struct cp_errbuf *err, const char *what)
{
	if (rc != CP_OK)
		fail_msg("%s: %s", what, cp_errmsg(err, rc));
}

static void test_keep_list_remove_pay(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_tender card = {CP_TENDER_CARD, 5000, "1234"}, big = {CP_TENDER_WECHAT, 8000, ""};
	struct cp_tender wechat = {CP_TENDER_WECHAT, 1000, ""}, cash = {CP_TENDER_CASH, 11000, ""};
	struct cp_tender bad_ref = {CP_TENDER_CASH, 100, "1234"}, zero = {CP_TENDER_CARD, 0, ""};
	struct cp_tender list[CP_TENDER_MAX];
	struct cp_sale_result r;
	int n = 0, at = 0;
	int64_t parked;

	(void)state;
	/* no sale yet */
	assert_int_equal(cp_cart_tender_add(env.db, &env.cashier, &card, NULL, &err), CP_ESTATE);
	ok(cp_cart_scan(env.db, &env.cashier, "G120", 1, NULL, &err), &err, "scan");
	ok(cp_cart_tender_add(env.db, &env.cashier, &card, &at, &err), &err, "card");
	assert_int_equal(at, 1);
	/* card, mobile and points together above what is due; bad ones: refused, nothing kept */
	assert_int_equal(cp_cart_tender_add(env.db, &env.cashier, &big, NULL, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "only cash gives change"));
	assert_int_equal(cp_cart_tender_add(env.db, &env.cashier, &bad_ref, NULL, &err), CP_EINVAL);
	assert_int_equal(cp_cart_tender_add(env.db, &env.cashier, &zero, NULL, &err), CP_EINVAL);
	/* another login's sale */
	assert_int_equal(cp_cart_tender_add(env.db, &env.manager, &wechat, NULL, &err), CP_ESTATE);
	assert_int_equal(cp_cart_tender_list(env.db, &env.manager, list, &n, &err), CP_ESTATE);
	ok(cp_cart_tender_add(env.db, &env.cashier, &wechat, &at, &err), &err, "wechat");
	assert_int_equal(at, 2);
	ok(cp_cart_tender_list(env.db, &env.cashier, list, &n, &err), &err, "list");
	assert_int_equal(n, 2);
	assert_int_equal(list[0].method, CP_TENDER_CARD);
	assert_int_equal(list[0].amount, 5000);
	assert_string_equal(list[0].ref, "1234");
	assert_int_equal(list[1].method, CP_TENDER_WECHAT);
	/* a sale with payments entered is not parked */
	assert_int_equal(cp_park_save(env.db, &env.cashier, &parked, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "payments"));
	/* the card slip taken back: the WeChat payment is number 1 now */
	ok(cp_cart_tender_remove(env.db, &env.cashier, 1, &err), &err, "remove");
	assert_int_equal(cp_cart_tender_remove(env.db, &env.cashier, 5, &err), CP_ENOTFOUND);
	ok(cp_cart_tender_list(env.db, &env.cashier, list, &n, &err), &err, "list");
	assert_int_equal(n, 1);
	assert_int_equal(list[0].method, CP_TENDER_WECHAT);
	/* the payment uses it first, then the cash given */
	ok(cp_sale_pay(env.db, &env.cashier, &cash, 1, &r, &err), &err, "pay");
	assert_int_equal(r.tendered, 12000);
	assert_int_equal(r.change, 0);
	assert_int_equal(test_count(&env, "SELECT amount FROM tender WHERE method = 'wechat'"),
			 1000);
	assert_int_equal(test_count(&env, "SELECT amount FROM tender WHERE method = 'cash'"),
			 11000);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM cart_tender"), 0);
	/* the last taken back with 0; a cancelled sale takes its payments with it */
	ok(cp_cart_scan(env.db, &env.cashier, "G120", 1, NULL, &err), &err, "scan");
	ok(cp_cart_tender_add(env.db, &env.cashier, &card, NULL, &err), &err, "card");
	ok(cp_cart_tender_add(env.db, &env.cashier, &wechat, NULL, &err), &err, "wechat");
	ok(cp_cart_tender_remove(env.db, &env.cashier, 0, &err), &err, "remove last");
	ok(cp_cart_tender_list(env.db, &env.cashier, list, &n, &err), &err, "list");
	assert_int_equal(n, 1);
	assert_int_equal(list[0].method, CP_TENDER_CARD);
	ok(cp_cart_cancel(env.db, &env.cashier, &err), &err, "cancel");
	assert_int_equal(test_count(&env, "SELECT count(*) FROM cart_tender"), 0);
}

/* Enters a ¥50.00 card payment on a ¥120.00 sale, says so on fd and waits to be killed. */
static void tender_child(const char *path, int fd)
{
	struct cp_db_options opt = {.path = path};
	struct cp_errbuf err = {{0}};
	struct cp_tender card = {CP_TENDER_CARD, 5000, "4321"};
	struct cp_session who;
	struct cp_db *db;

	if (cp_db_open(&db, &opt, &err) != CP_OK ||
	    cp_staff_login(db, "1001", "1234", &who, NULL, &err) != CP_OK ||
	    cp_cart_scan(db, &who, "G120", 1, NULL, &err) != CP_OK ||
	    cp_cart_tender_add(db, &who, &card, NULL, &err) != CP_OK) {
		fprintf(stderr, "child: %s\n", err.msg);
		_exit(3);
	}
	if (write(fd, "kept\n", 5) != 5)
		_exit(4);
	for (;;)
		pause();
}

static void test_tender_survives_sigkill(void **state)
{
	struct cp_db_options opt = {.path = env.path};
	struct cp_errbuf err = {{0}};
	struct cp_tender list[CP_TENDER_MAX], cash = {CP_TENDER_CASH, 7000, ""};
	struct cp_sale_result r;
	struct cp_session who;
	char buf[16] = "";
	int fd[2], status, n = 0;
	pid_t pid;

	(void)state;
	cp_db_close(env.db);
	env.db = NULL;
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fd[0]);
		tender_child(env.path, fd[1]);
	}
	close(fd[1]);
	assert_int_equal(read(fd[0], buf, 5), 5);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(fd[0]);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_memory_equal(buf, "kept\n", 5);

	opt.clock = &env.clock;
	ok(cp_db_open(&env.db, &opt, &err), &err, "reopen");
	ok(cp_staff_login(env.db, "1001", "1234", &who, NULL, &err), &err, "login");
	/* the sale is the killed login's until taken over; then its payment is there */
	assert_int_equal(cp_cart_tender_list(env.db, &who, list, &n, &err), CP_ESTATE);
	ok(cp_cart_take_over(env.db, &who, NULL, &err), &err, "take over");
	ok(cp_cart_tender_list(env.db, &who, list, &n, &err), &err, "list");
	assert_int_equal(n, 1);
	assert_int_equal(list[0].method, CP_TENDER_CARD);
	assert_int_equal(list[0].amount, 5000);
	assert_string_equal(list[0].ref, "4321");
	ok(cp_sale_pay(env.db, &who, &cash, 1, &r, &err), &err, "pay the rest");
	assert_int_equal(r.tendered, 12000);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM tender WHERE method = 'card'"
					  " AND amount = 5000 AND ref = '4321'"),
			 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_keep_list_remove_pay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tender_survives_sigkill, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
