/* test_verify_sums.c — verify's replay adds each sale's day sums in memory and writes them once
 * a flush (issue 14), instead of a grouped INSERT ... SELECT that sorted about fifteen rows a
 * sale: the replay's work counted in SQLite's own units (virtual machine steps and sorts), not
 * in time, on a journal of many sales over two business days. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cart.h"
#include "db_int.h"
#include "journal.h"
#include "sale.h"
#include "support.h"

#define SALES 120

/* Sale i: two lines, every other one a member's, paid in cash with change; 12 minutes apart,
 * so that 120 sales span two business days and every hour. */
static void sell(struct test_env *env, int i)
{
	static const char *skus[] = {"A1", "A2", "G120", "G88"};
	struct cp_tender t = {.method = CP_TENDER_CASH, .amount = 100000};
	struct cp_sale_result r;

	OK(cp_cart_scan(env->db, &env->cashier, skus[i % 4], 1 + i % 2, NULL, &e_));
	OK(cp_cart_scan(env->db, &env->cashier, skus[(i + 1) % 4], 1, NULL, &e_));
	if (i % 2)
		OK(cp_cart_set_member(env->db, &env->cashier, i % 4 == 1 ? "M1" : "M2", &e_));
	OK(cp_sale_pay(env->db, &env->cashier, &t, 1, &r, &e_));
	env->now += 12 * 60 * 1000;
}

static void test_replay_work_per_row(void **state)
{
	struct test_env env;
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	(void)state;
	test_env_open(&env, "verify_sums", true);
	for (int i = 0; i < SALES; i++)
		sell(&env, i);
	assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_OK);
	print_message("rows %lld, steps %lld (%lld a row), sorts %lld\n", (long long)rep.rows,
		      (long long)rep.replay_steps, (long long)(rep.replay_steps / rep.rows),
		      (long long)rep.replay_sorts);
	/* 931 steps a row and 2 sorts with the grouped INSERT ... SELECT (5933f4d), 511 and 0
	 * with the sums in memory */
	assert_int_equal(rep.rows, SALES + 1);
	assert_int_equal(rep.replay_sorts, 0);
	assert_true(rep.replay_steps < 750 * rep.rows);
	test_env_close(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_work_per_row),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
