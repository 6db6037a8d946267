/* test_http.c — HQ's address rules, checked without any network: https anywhere, plain http
 * only to a loopback literal and only when allowed, refused before a handle could ever
 * connect; the host as libcurl's URL parser sees it; and the query escaping of cursors.
 * Nothing here performs a request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sync_int.h"

static void expect(const char *url, bool allow, enum cp_err want, const char *base,
		   const char *needle)
{
	struct cp_errbuf err = {{0}};
	char out[256] = "untouched";
	enum cp_err rc = cp_sync_http_check_url(url, allow, out, sizeof(out), &err);

	if (rc != want)
		fail_msg("%s (allow %d): got %d, want %d (%s)", url, allow, rc, want, err.msg);
	if (base)
		assert_string_equal(out, base);
	if (needle && !strstr(err.msg, needle))
		fail_msg("%s: message \"%s\" lacks \"%s\"", url, err.msg, needle);
}

static void plain_http_to_other_hosts_refused(void **state)
{
	(void)state;
	/* Refused by the check itself, allowance or not: these are never connected to. */
	expect("http://hq.invalid:1/", false, CP_ECONFIG, NULL, "plain http");
	expect("http://hq.invalid:1/", true, CP_ECONFIG, NULL, "hq.invalid");
	expect("http://hq.invalid:1/", true, CP_ECONFIG, NULL, "loopback");
	expect("http://localhost.invalid:1/", true, CP_ECONFIG, NULL, NULL);
	expect("http://127.0.0.1.invalid:1/", true, CP_ECONFIG, NULL, NULL);
	expect("http://128.0.0.1:1/", true, CP_ECONFIG, NULL, NULL);
	expect("http://[::2]:1/", true, CP_ECONFIG, NULL, NULL);
	/* A user name that looks like loopback does not make the host loopback. */
	expect("http://127.0.0.1@hq.invalid:1/", true, CP_EINVAL, NULL, "user");
}

static void open_refuses_before_connecting(void **state)
{
	struct cp_sync_options opts;
	struct cp_http *h = (struct cp_http *)&opts; /* must be set to NULL */
	struct cp_errbuf err = {{0}};

	(void)state;
	cp_sync_options_defaults(&opts);
	opts.allow_plain_http = true;
	assert_int_equal(cp_sync_http_open(&h, "http://hq.invalid:1/", &opts, &err), CP_ECONFIG);
	assert_null(h);
	assert_non_null(strstr(err.msg, "plain http"));
	opts.allow_plain_http = false;
	assert_int_equal(cp_sync_http_open(&h, "http://127.0.0.1:1/", &opts, &err), CP_ECONFIG);
	assert_null(h);
	assert_non_null(strstr(err.msg, "allow_plain_http"));
}

static void loopback_http_only_when_allowed(void **state)
{
	struct cp_sync_options opts;
	struct cp_http *h = NULL;
	struct cp_errbuf err = {{0}};

	(void)state;
	expect("http://127.0.0.1:8080", false, CP_ECONFIG, NULL, "allow_plain_http");
	expect("http://127.0.0.1:8080", true, CP_OK, "http://127.0.0.1:8080", NULL);
	expect("http://127.9.8.7:80/", true, CP_OK, "http://127.9.8.7:80", NULL);
	expect("http://[::1]:8080/", true, CP_OK, "http://[::1]:8080", NULL);
	expect("http://[::1]:8080/", false, CP_ECONFIG, NULL, NULL);
	expect("http://localhost:8080/", true, CP_OK, "http://localhost:8080", NULL);
	expect("http://LOCALHOST:8080/", true, CP_OK, NULL, NULL);
	/* Opening builds a handle; nothing connects until a request. */
	cp_sync_options_defaults(&opts);
	opts.allow_plain_http = true;
	assert_int_equal(cp_sync_http_open(&h, "http://127.0.0.1:1/", &opts, &err), CP_OK);
	assert_non_null(h);
	assert_string_equal(cp_sync_http_base(h), "http://127.0.0.1:1");
	cp_sync_http_close(h);
	cp_sync_http_close(NULL);
}

static void https_addresses(void **state)
{
	(void)state;
	expect("https://hq.example.com:8443/", false, CP_OK, "https://hq.example.com:8443", NULL);
	expect("https://hq.example.com", false, CP_OK, "https://hq.example.com", NULL);
	expect("https://127.0.0.1:8443", false, CP_OK, "https://127.0.0.1:8443", NULL);
	expect("https://[::1]:8443", false, CP_OK, "https://[::1]:8443", NULL);
	expect("https://hq.example.com/counterpoint", false, CP_EINVAL, NULL, "path");
	expect("https://hq.example.com/?x=1", false, CP_EINVAL, NULL, "query");
	expect("https://hq.example.com/#top", false, CP_EINVAL, NULL, NULL);
	expect("https://user:pw@hq.example.com/", false, CP_EINVAL, NULL, NULL);
	expect("ftp://hq.example.com/", true, CP_EINVAL, NULL, "https://");
	expect("file:///etc/passwd", true, CP_EINVAL, NULL, NULL);
	expect("hq.example.com:8443", false, CP_EINVAL, NULL, NULL);
	expect("https://", false, CP_EINVAL, NULL, NULL);
	expect("https://hq example.com/", false, CP_EINVAL, NULL, NULL);
	expect("", false, CP_EINVAL, NULL, "https://HOST:PORT");
	expect(NULL, false, CP_EINVAL, NULL, NULL);
}

static void loopback_hosts(void **state)
{
	(void)state;
	assert_true(cp_sync_http_host_is_loopback("127.0.0.1"));
	assert_true(cp_sync_http_host_is_loopback("127.255.255.254"));
	assert_true(cp_sync_http_host_is_loopback("[::1]"));
	assert_true(cp_sync_http_host_is_loopback("localhost"));
	assert_false(cp_sync_http_host_is_loopback("::1")); /* hosts come bracketed from URLs */
	assert_false(cp_sync_http_host_is_loopback("126.0.0.1"));
	assert_false(cp_sync_http_host_is_loopback("10.0.0.1"));
	assert_false(cp_sync_http_host_is_loopback("[::]"));
	assert_false(cp_sync_http_host_is_loopback("[::ffff:10.0.0.1]"));
	assert_false(cp_sync_http_host_is_loopback("localhost.localdomain"));
	assert_false(cp_sync_http_host_is_loopback("127.0.0.1x"));
	assert_false(cp_sync_http_host_is_loopback(""));
	assert_false(cp_sync_http_host_is_loopback(NULL));
}

static void escaping(void **state)
{
	char out[32];

	(void)state;
	assert_true(cp_sync_http_escape("4711", out, sizeof(out)));
	assert_string_equal(out, "4711");
	assert_true(cp_sync_http_escape("a b&c=d/é", out, sizeof(out)));
	assert_string_equal(out, "a%20b%26c%3Dd%2F%C3%A9");
	assert_true(cp_sync_http_escape("-._~", out, sizeof(out)));
	assert_string_equal(out, "-._~");
	assert_false(cp_sync_http_escape("&&&&", out, 12));
	assert_true(cp_sync_http_escape("&&&&", out, 13));
	assert_false(cp_sync_http_escape("abcd", out, 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_http_to_other_hosts_refused),
		cmocka_unit_test(open_refuses_before_connecting),
		cmocka_unit_test(loopback_http_only_when_allowed),
		cmocka_unit_test(https_addresses),
		cmocka_unit_test(loopback_hosts),
		cmocka_unit_test(escaping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
