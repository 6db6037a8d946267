/* test_member_memo.c — the member view kept on the connection (issue 14): a sale's scans,
 * answers and receipt read the attached member from the tables once, and a write by this
 * connection or another, or a write rolled back, is never hidden by the kept view. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cart.h"
#include "db.h"
#include "db_int.h"
#include "member.h"
#include "support.h"

static struct test_env env;

#define READ_MEMBER "SELECT id, phone_masked, card_no, name, birthday, points"

static int setup(void **state)
{
	(void)state;
	test_env_open(&env, "member_memo", true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

/* Runs so far of the connection's cached statements whose SQL starts with prefix. */
static int runs_of(const char *prefix)
{
	int runs = 0;

	for (int i = 0; i < env.db->ncache; i++) {
		const char *sql = sqlite3_sql(env.db->cache[i].st);

		if (sql && strncmp(sql, prefix, strlen(prefix)) == 0)
			runs += sqlite3_stmt_status(env.db->cache[i].st, SQLITE_STMTSTATUS_RUN, 0);
	}
	return runs;
}

static int64_t points_of(const char *id)
{
	struct cp_errbuf err = {{0}};
	struct cp_member_view m;

	assert_int_equal(cp_member_get(env.db, id, &m, &err), CP_OK);
	return m.points;
}

static void exec(struct cp_db *db, const char *sql)
{
	struct cp_errbuf err = {{0}};

	if (cp_db_exec(db, sql, &err) != CP_OK)
		fail_msg("%s: %s", sql, err.msg);
}

/* Five scans with a member attached, each answered with the cart view, read the member from
 * the tables no more: the scans write only the cart's tables. */
static void test_scans_read_member_once(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_cart_view *v = malloc(sizeof(*v));
	int before;

	(void)state;
	assert_non_null(v);
	assert_int_equal(cp_cart_set_member(env.db, &env.cashier, "M1", &err), CP_OK);
	assert_int_equal(cp_cart_view(env.db, &env.cashier, v, &err), CP_OK);
	assert_int_equal(points_of("M1"), 500);
	before = runs_of(READ_MEMBER);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(
			cp_cart_scan(env.db, &env.cashier, i % 2 ? "A2" : "A1", 1, NULL, &err),
			CP_OK);
		assert_int_equal(cp_cart_view(env.db, &env.cashier, v, &err), CP_OK);
		assert_string_equal(v->member.id, "M1");
		assert_int_equal(v->member.points, 500);
	}
	assert_int_equal(points_of("M1"), 500);
	assert_int_equal(runs_of(READ_MEMBER) - before, 0);
	free(v);
}

/* A write here, another connection's, or one rolled back: the next read shows the tables. */
static void test_writes_seen(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_db_options opt = {0};
	struct cp_db *other;

	(void)state;
	assert_int_equal(points_of("M1"), 500);
	opt.path = env.path;
	opt.clock = &env.clock;
	assert_int_equal(cp_db_open(&other, &opt, &err), CP_OK);
	exec(other, "UPDATE member SET points = points + 7 WHERE id = 'M1'");
	cp_db_close(other);
	assert_int_equal(points_of("M1"), 507);
	exec(env.db, "UPDATE member SET points = points + 1 WHERE id = 'M1'");
	assert_int_equal(points_of("M1"), 508);

	/* Read inside a write transaction that is then rolled back. */
	assert_int_equal(cp_db_begin(env.db, &err), CP_OK);
	exec(env.db, "UPDATE member SET points = points + 100 WHERE id = 'M1'");
	assert_int_equal(points_of("M1"), 608);
	assert_int_equal(points_of("M1"), 608);
	cp_db_rollback(env.db);
	assert_int_equal(points_of("M1"), 508);

	/* An alias is its own key: the merged local id finds the member it was merged into. */
	exec(env.db, "INSERT INTO member_alias VALUES ('L-M1', 'M1')");
	assert_int_equal(points_of("L-M1"), 508);
	assert_int_equal(points_of("M2"), 3050);
	exec(env.db, "DELETE FROM member_alias");
	{
		struct cp_member_view m;

		assert_int_equal(cp_member_get(env.db, "L-M1", &m, &err), CP_ENOTFOUND);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scans_read_member_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writes_seen, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
