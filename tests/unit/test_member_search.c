/* test_member_search.c — a member without their phone: a part of the name plus the last four
 * digits of the phone give a short list (masked phones), and every bad input is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "member.h"
#include "support.h"

static int setup(void **state)
{
	static struct test_env env;
	/* Three 王s and a 李 whose phones end in 5678, and a 王 whose phone does not. */
	static const char *const people[][2] = {
		{"13911115678", "王小明"}, {"13922225678", "王芳"},   {"13933335678", "李王氏"},
		{"13944445678", "李雷"},   {"13955551234", "王小明"},
	};
	struct cp_errbuf err = {{0}};

	test_env_open(&env, "member_search", true);
	for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++) {
		struct cp_member_new m = {
			.consent = true, .phone = people[i][0], .name = people[i][1]};
		struct cp_member_view v;

		if (cp_member_register(env.db, &env.cashier, &m, &v, &err) != CP_OK)
			fail_msg("register %s: %s", people[i][0], err.msg);
	}
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_close(*state);
	return 0;
}

static enum cp_err search(struct test_env *env, const char *name, const char *last4, int max,
			  struct cp_member_view *out, int *n, bool *more)
{
	struct cp_errbuf err = {{0}};

	return cp_member_search(env->db, name, last4, out, max, n, more, &err);
}

/* "王" and 5678: the three whose names have 王 (李王氏 too), by name; the phones masked. */
static void test_fragment_and_last4(void **state)
{
	struct cp_member_view v[CP_MEMBER_SEARCH_MAX];
	bool more = true;
	int n = -1;

	assert_int_equal(search(*state, "王", "5678", 10, v, &n, &more), CP_OK);
	assert_int_equal(n, 3);
	assert_false(more);
	assert_string_equal(v[0].name, "李王氏");
	assert_string_equal(v[1].name, "王小明");
	assert_string_equal(v[2].name, "王芳");
	assert_string_equal(v[1].masked_phone, "139****5678");
	for (int i = 0; i < n; i++)
		assert_null(strstr(v[i].masked_phone, "1111"));
	assert_int_equal(search(*state, "小明", "1234", 10, v, &n, &more), CP_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].masked_phone, "139****1234");
}

/* More matches than asked for: the first ones, and more = true. */
static void test_more_than_max(void **state)
{
	struct cp_member_view v[2];
	bool more = false;
	int n = -1;

	assert_int_equal(search(*state, "王", "5678", 2, v, &n, &more), CP_OK);
	assert_int_equal(n, 2);
	assert_true(more);
	assert_string_equal(v[0].name, "李王氏");
}

static void test_no_match(void **state)
{
	struct test_env *env = *state;
	struct cp_member_view v[4];
	struct cp_errbuf err = {{0}};
	bool more = true;
	int n = -1;

	assert_int_equal(cp_member_search(env->db, "赵", "5678", v, 4, &n, &more, &err),
			 CP_ENOTFOUND);
	assert_int_equal(n, 0);
	assert_false(more);
	assert_non_null(strstr(err.msg, "ends in 5678"));
	assert_int_equal(search(env, "王", "0000", 4, v, &n, &more), CP_ENOTFOUND);
}

/* Empty, blank, too long, not UTF-8, control characters; digits not four ASCII digits;
 * a list size out of range: each refused with a message. */
static void test_bad_input(void **state)
{
	struct test_env *env = *state;
	struct cp_member_view v[CP_MEMBER_SEARCH_MAX + 1];
	char longname[70];
	bool more;
	int n;
	static const char *const bad_names[] = {"", "   ", "\xff\xfe", "王\x01", NULL};
	static const char *const bad_digits[] = {"", "567", "56789", "56a8", "５６７８", NULL};

	memset(longname, 'a', 65);
	longname[65] = '\0';
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++)
		assert_int_equal(search(env, bad_names[i], "5678", 4, v, &n, &more), CP_EINVAL);
	assert_int_equal(search(env, longname, "5678", 4, v, &n, &more), CP_EINVAL);
	for (size_t i = 0; i < sizeof(bad_digits) / sizeof(bad_digits[0]); i++)
		assert_int_equal(search(env, "王", bad_digits[i], 4, v, &n, &more), CP_EINVAL);
	assert_int_equal(search(env, "王", "5678", 0, v, &n, &more), CP_EINVAL);
	assert_int_equal(search(env, "王", "5678", CP_MEMBER_SEARCH_MAX + 1, v, &n, &more),
			 CP_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fragment_and_last4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_more_than_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
