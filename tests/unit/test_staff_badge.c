/* test_staff_badge.c — a guide's badge set with the staff record (`staff set ... --badge`,
 * issue 10): written in one transaction with the record, found by the badge afterwards; a badge
 * with a wrong check digit, one another staff member holds, or one for a non-guide is refused
 * with one clear line and writes nothing (neither the record nor the badge). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "guide.h"
#include "staff.h"
#include "support.h"

#define B2001 "9900000020019"
#define B2002 "9900000020026"
#define B_BADCHECK "9900000020018"
#define B_EAN8 "96385074"

static int setup(void **state)
{
	static struct test_env env;
	struct cp_errbuf err = {{0}};

	test_env_open(&env, "staff_badge", false);
	if (cp_staff_set(env.db, "1001", "王收银", CP_ROLE_CASHIER, "1234", &err) ||
	    cp_staff_set_guide(env.db, "2001", "赵导购", CP_ROLE_GUIDE, "2222", B2001, &err))
		fail_msg("setup: %s", err.msg);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_close(*state);
	return 0;
}

/* Everything the staff table holds, one text (read with a connection of our own). */
static void staff_dump(struct test_env *env, char *out, size_t size)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	size_t n = 0;

	out[0] = '\0';
	assert_int_equal(sqlite3_open(env->path, &h), SQLITE_OK);
	assert_int_equal(
		sqlite3_prepare_v2(h,
				   "SELECT code, name, role, hex(pin_salt), hex(pin_hash),"
				   " coalesce(badge, '-'), active FROM staff ORDER BY code",
				   -1, &st, NULL),
		SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW && n < size) {
		int w = snprintf(out + n, size - n, "%s|%s|%s|%s|%s|%s|%d\n",
				 (const char *)sqlite3_column_text(st, 0),
				 (const char *)sqlite3_column_text(st, 1),
				 (const char *)sqlite3_column_text(st, 2),
				 (const char *)sqlite3_column_text(st, 3),
				 (const char *)sqlite3_column_text(st, 4),
				 (const char *)sqlite3_column_text(st, 5),
				 sqlite3_column_int(st, 6));
		n += w > 0 ? (size_t)w : 0;
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
}

static void test_guide_with_badge(void **state)
{
	struct test_env *env = *state;
	struct cp_errbuf err = {{0}};
	struct cp_guide_who who;
	struct cp_session s;

	/* The badge names the guide; the PIN logs them in. */
	assert_int_equal(cp_guide_by_badge(env->db, B2001, &who, &err), CP_OK);
	assert_string_equal(who.code, "2001");
	assert_string_equal(who.name, "赵导购");
	assert_int_equal(cp_staff_login(env->db, "2001", "2222", &s, NULL, &err), CP_OK);
	assert_int_equal(s.role, CP_ROLE_GUIDE);

	/* A new guide with an EAN-8 badge, and 2001 again with a new name, PIN and badge: the old
	 * badge no longer names anyone. */
	assert_int_equal(
		cp_staff_set_guide(env->db, "2003", "孙导购", CP_ROLE_GUIDE, "3333", B_EAN8, &err),
		CP_OK);
	assert_int_equal(cp_guide_by_badge(env->db, B_EAN8, &who, &err), CP_OK);
	assert_string_equal(who.code, "2003");
	assert_int_equal(
		cp_staff_set_guide(env->db, "2001", "赵二", CP_ROLE_GUIDE, "4444", B2002, &err),
		CP_OK);
	assert_int_equal(cp_guide_by_badge(env->db, B2002, &who, &err), CP_OK);
	assert_string_equal(who.name, "赵二");
	assert_int_not_equal(cp_guide_by_badge(env->db, B2001, &who, &err), CP_OK);
	assert_int_equal(cp_staff_login(env->db, "2001", "4444", &s, NULL, &err), CP_OK);
	/* Setting a guide again with the badge they hold is fine. */
	assert_int_equal(
		cp_staff_set_guide(env->db, "2001", "赵二", CP_ROLE_GUIDE, "4444", B2002, &err),
		CP_OK);
	/* Without a badge it is the plain staff set: the badge stays. */
	assert_int_equal(
		cp_staff_set_guide(env->db, "2001", "赵二", CP_ROLE_GUIDE, "4444", NULL, &err),
		CP_OK);
	assert_int_equal(cp_guide_by_badge(env->db, B2002, &who, &err), CP_OK);
	assert_string_equal(who.code, "2001");
}

/* Each refusal: the code and a message, and the staff table exactly as before. */
static void refused(struct test_env *env, const char *code, enum cp_role role, const char *badge,
		    enum cp_err want, const char *says)
{
	struct cp_errbuf err = {{0}};
	char before[4096], after[4096];

	staff_dump(env, before, sizeof(before));
	assert_int_equal(cp_staff_set_guide(env->db, code, "新名字", role, "7777", badge, &err),
			 want);
	if (!strstr(err.msg, says))
		fail_msg("\"%s\" does not say \"%s\"", err.msg, says);
	assert_null(strchr(err.msg, '\n'));
	staff_dump(env, after, sizeof(after));
	assert_string_equal(before, after);
}

static void test_refusals_write_nothing(void **state)
{
	struct test_env *env = *state;
	struct cp_errbuf err = {{0}};
	struct cp_session s;

	/* A wrong check digit: for a new guide and for 2001 (whose record stays as it was). */
	refused(env, "2004", CP_ROLE_GUIDE, B_BADCHECK, CP_EINVAL, "check digit");
	refused(env, "2001", CP_ROLE_GUIDE, B_BADCHECK, CP_EINVAL, "check digit");
	refused(env, "2004", CP_ROLE_GUIDE, "12345", CP_EINVAL, "EAN-8 or EAN-13");
	/* Another staff member's badge. */
	refused(env, "2004", CP_ROLE_GUIDE, B2001, CP_EEXIST, "already staff 2001's");
	/* A badge for a cashier or a manager, new or existing. */
	refused(env, "1001", CP_ROLE_CASHIER, B2002, CP_EINVAL, "only a guide has a badge");
	refused(env, "9002", CP_ROLE_MANAGER, B2002, CP_EINVAL, "only a guide has a badge");
	/* A bad PIN with a good badge: nothing either. */
	char before[4096], after[4096];

	staff_dump(env, before, sizeof(before));
	assert_int_equal(
		cp_staff_set_guide(env->db, "2004", "钱导购", CP_ROLE_GUIDE, "12", B2002, &err),
		CP_EINVAL);
	staff_dump(env, after, sizeof(after));
	assert_string_equal(before, after);
	/* 2001 still logs in with the old PIN. */
	assert_int_equal(cp_staff_login(env->db, "2001", "2222", &s, NULL, &err), CP_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_guide_with_badge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_write_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
