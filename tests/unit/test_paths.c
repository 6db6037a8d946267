/* test_paths.c — default paths from XDG_CONFIG_HOME / XDG_DATA_HOME and HOME, and private
 * parent directories; everything under this test's scratch directory, never /etc or /var. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp_paths.h"

static char cwd[2048];

static int setup(void **state)
{
	(void)state;
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	return 0;
}

/* A system-wide install on this machine decides both paths; nothing to test then. */
static bool installed_system_wide(void)
{
	return access("/etc/counterpoint/counterpoint.ini", F_OK) == 0;
}

static void at(char *out, size_t outlen, const char *rel)
{
	int n = snprintf(out, outlen, "%s/%s", cwd, rel);

	assert_true(n > 0 && (size_t)n < outlen);
}

static void xdg_set(void **state)
{
	char want[4096], got[4096], xdg[4096];
	struct cp_errbuf err = {{0}};

	(void)state;
	if (installed_system_wide())
		skip();
	at(xdg, sizeof(xdg), "xdg/config");
	setenv("XDG_CONFIG_HOME", xdg, 1);
	at(xdg, sizeof(xdg), "xdg/data/");
	setenv("XDG_DATA_HOME", xdg, 1);
	at(xdg, sizeof(xdg), "home");
	setenv("HOME", xdg, 1);
	assert_int_equal(cp_paths_default_config(got, sizeof(got), &err), CP_OK);
	at(want, sizeof(want), "xdg/config/counterpoint/counterpoint.ini");
	assert_string_equal(got, want);
	assert_int_equal(cp_paths_default_db(got, sizeof(got), &err), CP_OK);
	at(want, sizeof(want), "xdg/data/counterpoint/counterpoint.db");
	assert_string_equal(got, want);
}

static void xdg_unset_uses_home(void **state)
{
	char want[4096], got[4096], home[4096];
	struct cp_errbuf err = {{0}};

	(void)state;
	if (installed_system_wide())
		skip();
	unsetenv("XDG_CONFIG_HOME");
	setenv("XDG_DATA_HOME", "", 1); /* empty counts as unset */
	at(home, sizeof(home), "home");
	setenv("HOME", home, 1);
	assert_int_equal(cp_paths_default_config(got, sizeof(got), &err), CP_OK);
	at(want, sizeof(want), "home/.config/counterpoint/counterpoint.ini");
	assert_string_equal(got, want);
	assert_int_equal(cp_paths_default_db(got, sizeof(got), &err), CP_OK);
	at(want, sizeof(want), "home/.local/share/counterpoint/counterpoint.db");
	assert_string_equal(got, want);
}

static void relative_xdg_ignored(void **state)
{
	char want[4096], got[4096], home[4096];
	struct cp_errbuf err = {{0}};

	(void)state;
	if (installed_system_wide())
		skip();
	setenv("XDG_CONFIG_HOME", "relative/config", 1);
	setenv("XDG_DATA_HOME", "~/data", 1);
	at(home, sizeof(home), "home");
	setenv("HOME", home, 1);
	assert_int_equal(cp_paths_default_config(got, sizeof(got), &err), CP_OK);
	at(want, sizeof(want), "home/.config/counterpoint/counterpoint.ini");
	assert_string_equal(got, want);
	assert_int_equal(cp_paths_default_db(got, sizeof(got), &err), CP_OK);
	at(want, sizeof(want), "home/.local/share/counterpoint/counterpoint.db");
	assert_string_equal(got, want);
}

static void small_buffer_refused(void **state)
{
	char got[16];
	struct cp_errbuf err = {{0}};

	(void)state;
	if (installed_system_wide())
		skip();
	setenv("XDG_CONFIG_HOME", "/a/rather/long/directory", 1);
	assert_int_equal(cp_paths_default_config(got, sizeof(got), &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "too long"));
}

static void mode_of(const char *rel, mode_t want)
{
	char path[4096];
	struct stat sb;

	at(path, sizeof(path), rel);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, want);
}

static void make_parent_creates_0700(void **state)
{
	char path[4096], base[4096];
	struct cp_errbuf err = {{0}};
	mode_t old = umask(0); /* the mode must not depend on a lax umask */

	(void)state;
	at(base, sizeof(base), "mp");
	mkdir(base, 0755);
	chmod(base, 0755);
	at(path, sizeof(path), "mp/a/b//c/till.db");
	assert_int_equal(cp_paths_make_parent(path, &err), CP_OK);
	mode_of("mp/a", 0700);
	mode_of("mp/a/b", 0700);
	mode_of("mp/a/b/c", 0700);
	mode_of("mp", 0755); /* an existing directory keeps its mode */
	/* the file itself is not made */
	assert_int_not_equal(access(path, F_OK), 0);
	/* twice is fine */
	assert_int_equal(cp_paths_make_parent(path, &err), CP_OK);
	/* relative paths and a bare file name */
	assert_int_equal(cp_paths_make_parent("mp/rel/x.db", &err), CP_OK);
	mode_of("mp/rel", 0700);
	assert_int_equal(cp_paths_make_parent("bare.db", &err), CP_OK);
	assert_int_equal(cp_paths_make_parent("/top.db", &err), CP_OK);
	umask(old);
}

static void make_parent_file_in_the_way(void **state)
{
	char path[4096];
	struct cp_errbuf err = {{0}};
	FILE *f;

	(void)state;
	at(path, sizeof(path), "blocker");
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	at(path, sizeof(path), "blocker/sub/till.db");
	assert_int_equal(cp_paths_make_parent(path, &err), CP_EIO);
	assert_non_null(strstr(err.msg, "blocker"));
	assert_int_equal(cp_paths_make_parent("", &err), CP_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(xdg_set),
		cmocka_unit_test(xdg_unset_uses_home),
		cmocka_unit_test(relative_xdg_ignored),
		cmocka_unit_test(small_buffer_refused),
		cmocka_unit_test(make_parent_creates_0700),
		cmocka_unit_test(make_parent_file_in_the_way),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
