/* test_member_pending.c — a member's points HQ has not acknowledged, kept with the member
 * (member_pending, issue 14): a sale adds its movements in its own transaction, HQ's
 * acknowledgement takes them off (and gives them back if it goes back), a lookup reads the kept
 * total, and verify finds a total changed by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cart.h"
#include "db.h"
#include "db_int.h"
#include "journal.h"
#include "member.h"
#include "sale.h"
#include "support.h"

static struct test_env env;

static int setup(void **state)
{
	(void)state;
	test_env_open(&env, "member_pending", true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

/* M1 buys A1 (¥28.00 member price) in cash; returns the sale's journal sequence. */
static int64_t sell_m1(void)
{
	struct cp_tender t = {.method = CP_TENDER_CASH, .amount = 2800};
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};

	assert_int_equal(cp_cart_scan(env.db, &env.cashier, "A1", 1, NULL, &err), CP_OK);
	assert_int_equal(cp_cart_set_member(env.db, &env.cashier, "M1", &err), CP_OK);
	assert_int_equal(cp_sale_pay(env.db, &env.cashier, &t, 1, &r, &err), CP_OK);
	return r.seq;
}

static int64_t kept(const char *col)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT coalesce(sum(%s), 0) FROM member_pending", col);
	return test_count(&env, sql);
}

static int64_t summed(const char *col, int64_t acked)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT coalesce(sum(%s), 0) FROM movement WHERE seq > %lld",
		 col, (long long)acked);
	return test_count(&env, sql);
}

static void test_sale_then_ack(void **state)
{
	struct cp_member_view before, after;
	struct cp_errbuf err = {{0}};
	int64_t seq1, seq2;

	(void)state;
	assert_int_equal(cp_member_get(env.db, "M1", &before, &err), CP_OK);
	assert_int_equal(before.points_pending, 0);
	seq1 = sell_m1();
	seq2 = sell_m1();
	assert_true(summed("points", 0) > 0);
	assert_int_equal(kept("points"), summed("points", 0));
	assert_int_equal(kept("growth"), summed("growth", 0));
	assert_int_equal(cp_member_get(env.db, "M1", &after, &err), CP_OK);
	assert_int_equal(after.points_pending, summed("points", 0));
	assert_int_equal(after.points, before.points + after.points_pending);

	/* HQ acknowledges the first sale, then both. */
	assert_int_equal(cp_db_meta_set_int(env.db, "acked_seq", seq1, &err), CP_OK);
	assert_int_equal(kept("points"), summed("points", seq1));
	assert_int_equal(kept("growth"), summed("growth", seq1));
	assert_int_equal(cp_db_meta_set_int(env.db, "acked_seq", seq2, &err), CP_OK);
	assert_int_equal(kept("points"), 0);
	assert_int_equal(cp_member_get(env.db, "M1", &after, &err), CP_OK);
	assert_int_equal(after.points_pending, 0);
	/* Set back (a re-enrolment that HQ applied less of): pending again. */
	assert_int_equal(cp_db_meta_set_int(env.db, "acked_seq", 0, &err), CP_OK);
	assert_int_equal(kept("points"), summed("points", 0));
	assert_int_equal(cp_member_get(env.db, "M1", &after, &err), CP_OK);
	assert_int_equal(after.points_pending, summed("points", 0));
}

/* verify recomputes the kept totals from the movements and acked_seq. */
static void test_verify_finds_changed_total(void **state)
{
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	(void)state;
	sell_m1();
	assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_OK);
	assert_true(rep.ok);
	assert_int_equal(cp_db_exec(env.db, "UPDATE member_pending SET points = points + 1", &err),
			 CP_OK);
	assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_ECORRUPT);
	assert_false(rep.ok);
	assert_non_null(strstr(err.msg, "member_pending"));
	assert_non_null(strstr(err.msg, "M1"));
	/* A row removed is found too. */
	assert_int_equal(cp_db_exec(env.db, "DELETE FROM member_pending", &err), CP_OK);
	assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_ECORRUPT);
	assert_non_null(strstr(err.msg, "member_pending"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sale_then_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_finds_changed_total, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
