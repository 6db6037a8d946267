/* test_config.c — the INI configuration: defaults, a full file, and each kind of mistake
 * reported as FILE:LINE with the configuration left as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp_config.h"

#define CFG "cfg.ini"

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void put(const char *text)
{
	write_file(CFG, text, strlen(text));
}

/* Loads text over the defaults, expects CP_ECONFIG and every needle in the message, and checks
 * that the configuration did not change. */
static void refused(const char *text, const char *needle1, const char *needle2)
{
	struct cp_config cfg, before;
	struct cp_errbuf err = {{0}};

	put(text);
	cp_config_defaults(&cfg);
	before = cfg;
	assert_int_equal(cp_config_load(&cfg, CFG, &err), CP_ECONFIG);
	if (!strstr(err.msg, needle1) || (needle2 && !strstr(err.msg, needle2)))
		fail_msg("message \"%s\" lacks \"%s\" or \"%s\"", err.msg, needle1,
			 needle2 ? needle2 : "");
	assert_memory_equal(&cfg, &before, sizeof(cfg));
}

static void defaults(void **state)
{
	struct cp_config cfg;

	(void)state;
	memset(&cfg, 0x55, sizeof(cfg));
	cp_config_defaults(&cfg);
	assert_string_equal(cfg.store_id, "S001");
	assert_string_equal(cfg.terminal_id, "T01");
	assert_string_equal(cfg.store_name, "Counterpoint Demo Store");
	assert_string_equal(cfg.currency, "¥");
	assert_int_equal(cfg.cutover_min, 240);
	assert_string_equal(cfg.db_path, "");
	assert_int_equal(cfg.busy_timeout_ms, 5000);
	assert_int_equal(cfg.pin_max_attempts, 5);
	assert_int_equal(cfg.pin_lockout_s, 300);
	assert_int_equal(cfg.pbkdf2_iterations, 100000);
	assert_string_equal(cfg.source, "");
	assert_string_equal(cfg.sync_ca_file, "");
	assert_string_equal(cfg.sync_pin, "");
	assert_int_equal(cfg.sync_batch_size, 200);
	assert_int_equal(cfg.sync_pull_limit, 500);
	assert_int_equal(cfg.sync_connect_timeout_ms, 5000);
	assert_int_equal(cfg.sync_timeout_ms, 30000);
	assert_int_equal(cfg.sync_low_speed_s, 15);
	assert_int_equal(cfg.sync_lookup_timeout_ms, 2000);
	assert_false(cfg.sync_allow_plain_http);
	assert_int_equal(cfg.sync_backoff_base_ms, 1000);
	assert_int_equal(cfg.sync_backoff_cap_ms, 300000);
	assert_int_equal(cfg.sync_interval_s, 10);
}

static void full_file(void **state)
{
	struct cp_config cfg;
	struct cp_errbuf err = {{0}};

	(void)state;
	put("\xef\xbb\xbf; Counterpoint configuration\r\n"
	    "# a comment\n"
	    "\n"
	    "[store]\n"
	    "id = S042\n"
	    "terminal=T-07_b\n"
	    "name = 上海 南京东路店 ; printed on receipts\n"
	    "currency_symbol = RMB\n"
	    "business_day_cutover = 05:30\r\n"
	    "[database]\n"
	    "path = /srv/till/counterpoint.db\n"
	    "busy_timeout_ms = 1\n"
	    "[security]\n"
	    "  pin_max_attempts = 3\n"
	    "pin_lockout_seconds = 86400\n"
	    "pbkdf2_iterations = 10000000");
	cp_config_defaults(&cfg);
	if (cp_config_load(&cfg, CFG, &err) != CP_OK)
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.store_id, "S042");
	assert_string_equal(cfg.terminal_id, "T-07_b");
	assert_string_equal(cfg.store_name, "上海 南京东路店");
	assert_string_equal(cfg.currency, "RMB");
	assert_int_equal(cfg.cutover_min, 5 * 60 + 30);
	assert_string_equal(cfg.db_path, "/srv/till/counterpoint.db");
	assert_int_equal(cfg.busy_timeout_ms, 1);
	assert_int_equal(cfg.pin_max_attempts, 3);
	assert_int_equal(cfg.pin_lockout_s, 86400);
	assert_int_equal(cfg.pbkdf2_iterations, 10000000);
	assert_string_equal(cfg.source, CFG);
}

static void partial_file_keeps_other_values(void **state)
{
	struct cp_config cfg;
	struct cp_errbuf err = {{0}};

	(void)state;
	put("[store]\nbusiness_day_cutover = 0:00\n[security]\n");
	cp_config_defaults(&cfg);
	snprintf(cfg.db_path, sizeof(cfg.db_path), "/from/command/line.db");
	assert_int_equal(cp_config_load(&cfg, CFG, &err), CP_OK);
	assert_int_equal(cfg.cutover_min, 0);
	assert_string_equal(cfg.db_path, "/from/command/line.db");
	assert_string_equal(cfg.store_id, "S001");
}

/* [guide] protection_days: days, always or never (issue 10). */
static void guide_protection_days(void **state)
{
	struct cp_config cfg;
	struct cp_errbuf err = {{0}};
	static const char *const ok[] = {"0", "30", "3650", "always", "never"};
	static const int want[] = {0, 30, 3650, -1, 0};
	char text[96];

	(void)state;
	cp_config_defaults(&cfg);
	assert_int_equal(cfg.guide_protection_days, 90);
	assert_true(cfg.guide_register_binds);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text),
			 "[guide]\nprotection_days = %s\nregister_binds = false\n", ok[i]);
		put(text);
		cp_config_defaults(&cfg);
		if (cp_config_load(&cfg, CFG, &err) != CP_OK)
			fail_msg("%s", err.msg);
		assert_int_equal(cfg.guide_protection_days, want[i]);
		assert_false(cfg.guide_register_binds);
	}
	refused("[guide]\nprotection_days = forever\n", "protection_days", "always or never");
	refused("[guide]\nprotection_days = 3651\n", "protection_days", "3650");
	refused("[guide]\nprotection_days = -1\n", "protection_days", NULL);
}

/* [pricing]: the defaults, each key set, and bad values refused naming the key. */
static void pricing_section(void **state)
{
	struct cp_config cfg;
	struct cp_errbuf err = {{0}};

	(void)state;
	cp_config_defaults(&cfg);
	assert_string_equal(cfg.pricing_member_tier, "best");
	assert_true(cfg.pricing_coupons_member);
	assert_true(cfg.pricing_manual_member);
	assert_int_equal(cfg.pricing_manual_limit_bp, 1000);
	put("[pricing]\nmember_and_tier = stack\ncoupons_on_member_prices = false\n"
	    "manual_on_member_prices = false\nmanual_limit_bp = 0\n");
	if (cp_config_load(&cfg, CFG, &err) != CP_OK)
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.pricing_member_tier, "stack");
	assert_false(cfg.pricing_coupons_member);
	assert_false(cfg.pricing_manual_member);
	assert_int_equal(cfg.pricing_manual_limit_bp, 0);
	refused("[pricing]\nmember_and_tier = both\n", "member_and_tier", "best stack");
	refused("[pricing]\nmanual_limit_bp = 10001\n", "manual_limit_bp", NULL);
	refused("[pricing]\ncoupons_on_member_prices = maybe\n", "coupons_on_member_prices", NULL);
}

static void the_shipped_file_loads(void **state)
{
	const char *src = getenv("CP_SOURCE_DIR");
	char path[1024];
	struct cp_config cfg, def;
	struct cp_errbuf err = {{0}};

	(void)state;
	if (!src)
		skip();
	snprintf(path, sizeof(path), "%s/packaging/counterpoint.ini", src);
	cp_config_defaults(&cfg);
	cp_config_defaults(&def);
	if (cp_config_load(&cfg, path, &err) != CP_OK)
		fail_msg("%s", err.msg);
	/* It documents the defaults, so loading it changes nothing but the source. */
	snprintf(def.source, sizeof(def.source), "%s", path);
	assert_memory_equal(&cfg, &def, sizeof(cfg));
}

#define PIN_A "sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE="
#define PIN_B "sha256//t62CeU2tQiqkexU74Gxa2eg7fRbEgoChTociMee9wno="

static void sync_section(void **state)
{
	struct cp_config cfg;
	struct cp_errbuf err = {{0}};

	(void)state;
	put("[sync]\n"
	    "ca_file = /etc/counterpoint/hq-ca.pem\n"
	    "pin = " PIN_A ";" PIN_B "\n"
	    "batch_size = 1000\n"
	    "pull_limit = 1\n"
	    "connect_timeout_ms = 100\n"
	    "timeout_ms = 3600000\n"
	    "low_speed_seconds = 3600\n"
	    "lookup_timeout_ms = 60000\n"
	    "allow_plain_http = true\n"
	    "backoff_base_ms = 50\n"
	    "backoff_cap_ms = 50\n"
	    "interval_seconds = 86400\n");
	cp_config_defaults(&cfg);
	if (cp_config_load(&cfg, CFG, &err) != CP_OK)
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.sync_ca_file, "/etc/counterpoint/hq-ca.pem");
	assert_string_equal(cfg.sync_pin, PIN_A ";" PIN_B);
	assert_int_equal(cfg.sync_batch_size, 1000);
	assert_int_equal(cfg.sync_pull_limit, 1);
	assert_int_equal(cfg.sync_connect_timeout_ms, 100);
	assert_int_equal(cfg.sync_timeout_ms, 3600000);
	assert_int_equal(cfg.sync_low_speed_s, 3600);
	assert_int_equal(cfg.sync_lookup_timeout_ms, 60000);
	assert_true(cfg.sync_allow_plain_http);
	assert_int_equal(cfg.sync_backoff_base_ms, 50);
	assert_int_equal(cfg.sync_backoff_cap_ms, 50);
	assert_int_equal(cfg.sync_interval_s, 86400);

	put("[sync]\nallow_plain_http = false\npin = " PIN_B "\nca_file =\n");
	assert_int_equal(cp_config_load(&cfg, CFG, &err), CP_OK);
	assert_false(cfg.sync_allow_plain_http);
	assert_string_equal(cfg.sync_pin, PIN_B);
	assert_string_equal(cfg.sync_ca_file, "");

	put("[sync]\npin = " PIN_A ";" PIN_B ";" PIN_A "\n");
	assert_int_equal(cp_config_load(&cfg, CFG, &err), CP_OK);
	assert_string_equal(cfg.sync_pin, PIN_A ";" PIN_B ";" PIN_A);
}

static void sync_mistakes(void **state)
{
	(void)state;
	refused("[sync]\nallow_plain_http = yes\n", "cfg.ini:2: ", "true or false, not 'yes'");
	refused("[sync]\nallow_plain_http = TRUE\n", "cfg.ini:2: ", NULL);
	refused("[sync]\nallow_plain_http =\n", "cfg.ini:2: ", NULL);
	refused("[sync]\npin = YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE=\n",
		"cfg.ini:2: ", "sha256//BASE64");
	refused("[sync]\npin = sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE\n",
		"cfg.ini:2: ", NULL); /* 43 characters */
	refused("[sync]\npin = sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tv!MwE=\n",
		"cfg.ini:2: ", NULL);
	refused("[sync]\npin = " PIN_A ";\n", "cfg.ini:2: ", NULL);
	refused("[sync]\npin = " PIN_A ";;" PIN_B "\n", "cfg.ini:2: ", NULL);
	refused("[sync]\npin = " PIN_A ";" PIN_B ";" PIN_A ";" PIN_B "\n", "cfg.ini:2: ", NULL);
	refused("[sync]\npin = /etc/hq.pub\n", "cfg.ini:2: ", NULL);
	refused("[sync]\nbatch_size = 0\n", "cfg.ini:2: ", "from 1 to 1000");
	refused("[sync]\npull_limit = 1001\n", "cfg.ini:2: ", NULL);
	refused("[sync]\nconnect_timeout_ms = 99\n", "cfg.ini:2: ", NULL);
	refused("[sync]\ntimeout_ms = 5s\n", "cfg.ini:2: ", "'5s'");
	refused("[sync]\nlow_speed_seconds = 0\n", "cfg.ini:2: ", NULL);
	refused("[sync]\nlookup_timeout_ms = 60001\n", "cfg.ini:2: ", NULL);
	refused("[sync]\ninterval_seconds = -1\n", "cfg.ini:2: ", NULL);
	refused("[sync]\nbackoff_cap_ms = 86400001\n", "cfg.ini:2: ", NULL);
	refused("[sync]\nlow_speed_bytes = 1\n", "cfg.ini:2: ", "unknown key 'low_speed_bytes'");
	refused("[sync]\nca_file = /tmp/\x01.pem\n", "cfg.ini:2: ", "control");
	/* Between keys: the cap may not be below the base, reported on the later line. */
	refused("[sync]\nbackoff_cap_ms = 500\n", "cfg.ini:2: ",
		"backoff_cap_ms in [sync] (500) must be at least backoff_base_ms (1000)");
	refused("[sync]\nbackoff_cap_ms = 5000\n\nbackoff_base_ms = 6000\n",
		"cfg.ini:4: ", "at least backoff_base_ms");
}

static void unknown_key(void **state)
{
	(void)state;
	refused("[store]\nid = S002\nfoo = 1\n", "cfg.ini:3: ", "unknown key 'foo' in [store]");
	refused("[security]\npin_lockout = 5\n", "cfg.ini:2: ", "'pin_lockout'");
	/* keys are case-sensitive */
	refused("[store]\nID = S002\n", "cfg.ini:2: ", "'ID'");
}

static void unknown_section(void **state)
{
	(void)state;
	refused("[store]\nid = S002\n[bogus]\n", "cfg.ini:3: ", "unknown section [bogus]");
	refused("[stores]\nid = S002\n", "cfg.ini:1: ", "[stores]");
	refused("[stores]\n",
		"cfg.ini:1: ", "the sections are [store], [database], [security], [sync]");
	refused("id = S002\n[store]\n", "cfg.ini:1: ", "before any [section]");
}

static void bad_cutover(void **state)
{
	(void)state;
	refused("[store]\nbusiness_day_cutover = 25:00\n", "cfg.ini:2: ", "business_day_cutover");
	refused("[store]\nbusiness_day_cutover = 04:60\n", "cfg.ini:2: ", "HH:MM");
	refused("[store]\nbusiness_day_cutover = 0400\n", "cfg.ini:2: ", "'0400'");
	refused("[store]\nbusiness_day_cutover = 4\n", "cfg.ini:2: ", NULL);
	refused("[store]\nbusiness_day_cutover = 04:00:00\n", "cfg.ini:2: ", NULL);
	refused("[store]\nbusiness_day_cutover =\n", "cfg.ini:2: ", NULL);
}

static void not_a_number(void **state)
{
	(void)state;
	refused("[database]\nbusy_timeout_ms = abc\n",
		"cfg.ini:2: ", "busy_timeout_ms in [database] must be a whole number");
	refused("[database]\nbusy_timeout_ms = 5000ms\n", "cfg.ini:2: ", "'5000ms'");
	refused("[database]\nbusy_timeout_ms = 5 000\n", "cfg.ini:2: ", NULL);
	refused("[database]\nbusy_timeout_ms = 0x10\n", "cfg.ini:2: ", NULL);
	refused("[database]\nbusy_timeout_ms = +5\n", "cfg.ini:2: ", NULL);
	refused("[database]\nbusy_timeout_ms =\n", "cfg.ini:2: ", NULL);
	refused("[security]\npin_max_attempts = ５\n", "cfg.ini:2: ", NULL);
}

static void out_of_range(void **state)
{
	(void)state;
	refused("[security]\npin_max_attempts = 0\n", "cfg.ini:2: ", "from 1 to 100");
	refused("[security]\npin_max_attempts = 101\n", "cfg.ini:2: ", "101 is out of range");
	refused("[security]\npin_lockout_seconds = 86401\n", "cfg.ini:2: ", NULL);
	refused("[security]\npin_lockout_seconds = -1\n", "cfg.ini:2: ", NULL);
	refused("[security]\npbkdf2_iterations = 999\n", "cfg.ini:2: ", "1000 to 10000000");
	refused("[security]\npbkdf2_iterations = 10000001\n", "cfg.ini:2: ", NULL);
	refused("[security]\npbkdf2_iterations = 99999999999999999999999\n", "cfg.ini:2: ", NULL);
	refused("[database]\nbusy_timeout_ms = 600001\n", "cfg.ini:2: ", NULL);
}

static void bad_ids_and_text(void **state)
{
	(void)state;
	refused("[store]\nid = S 1\n", "cfg.ini:2: ", "id in [store]");
	refused("[store]\nid = S0000000000000017\n", "cfg.ini:2: ", NULL);
	refused("[store]\nterminal =\n", "cfg.ini:2: ", "terminal in [store]");
	refused("[store]\nterminal = 收银1\n", "cfg.ini:2: ", NULL);
	refused("[store]\nname =\n", "cfg.ini:2: ", "1 to 64 bytes");
	refused("[store]\nname = "
		"12345678901234567890123456789012345678901234567890123456789012345\n",
		"cfg.ini:2: ", "not 65");
	refused("[store]\ncurrency_symbol = 1234567890123456\n", "cfg.ini:2: ", NULL);
}

static void text_at_its_limit(void **state)
{
	struct cp_config cfg;
	struct cp_errbuf err = {{0}};

	(void)state;
	put("[store]\nname = 1234567890123456789012345678901234567890123456789012345678901234\n"
	    "id = S000000000000016\n");
	cp_config_defaults(&cfg);
	assert_int_equal(cp_config_load(&cfg, CFG, &err), CP_OK);
	assert_int_equal(strlen(cfg.store_name), 64);
	assert_string_equal(cfg.store_id, "S000000000000016");
}

static void missing_file(void **state)
{
	struct cp_config cfg, before;
	struct cp_errbuf err = {{0}};

	(void)state;
	unlink("absent.ini");
	cp_config_defaults(&cfg);
	before = cfg;
	assert_int_equal(cp_config_load(&cfg, "absent.ini", &err), CP_ENOTFOUND);
	assert_non_null(strstr(err.msg, "absent.ini"));
	assert_memory_equal(&cfg, &before, sizeof(cfg));
	assert_int_equal(cp_config_load(&cfg, "no/such/dir/x.ini", &err), CP_ENOTFOUND);
}

static void unreadable_file(void **state)
{
	struct cp_config cfg, before;
	struct cp_errbuf err = {{0}};

	(void)state;
	/* A directory cannot be read as a file, even by root. */
	mkdir("adir.ini", 0700);
	cp_config_defaults(&cfg);
	before = cfg;
	assert_int_equal(cp_config_load(&cfg, "adir.ini", &err), CP_EIO);
	assert_non_null(strstr(err.msg, "adir.ini"));
	assert_memory_equal(&cfg, &before, sizeof(cfg));
}

static void unchanged_after_late_error(void **state)
{
	(void)state;
	/* The good values before the mistake must not leak into cfg. */
	refused("[store]\nid = S999\nname = Elsewhere\n[database]\npath = /x.db\n"
		"[security]\npin_max_attempts = 7\npin_lockout_seconds = x\n",
		"cfg.ini:8: ", "pin_lockout_seconds");
}

static void first_problem_wins(void **state)
{
	(void)state;
	refused("[store]\nid = S 1\nfoo = 2\n", "cfg.ini:2: ", "id in [store]");
	refused("[store]\nno equals sign\nfoo = 2\n", "cfg.ini:2: ", NULL);
	refused("[store]\nfoo = 2\nno equals sign\n", "cfg.ini:2: ", "'foo'");
}

static void line_without_equals(void **state)
{
	(void)state;
	refused("[store]\nid S002\n", "cfg.ini:2: ", "key = value");
	refused("[store]\nid = S002\n[database\n", "cfg.ini:3: ", "closing ']'");
}

static void twice_and_continued(void **state)
{
	(void)state;
	refused("[store]\nid = S1\n\nid = S2\n", "cfg.ini:4: ", "first on line 2");
	refused("[store]\nname = Shop\n  Two\n", "cfg.ini:3: ", "space or tab");
}

static void non_utf8_value(void **state)
{
	(void)state;
	refused("[store]\nname = caf\xe9\n", "cfg.ini:2: ", "UTF-8");
	refused("[store]\nname = \xe4\xb8\n", "cfg.ini:2: ", "UTF-8");     /* cut short */
	refused("[store]\nname = \xc0\xaf\n", "cfg.ini:2: ", "UTF-8");     /* overlong */
	refused("[store]\nname = \xed\xa0\x80\n", "cfg.ini:2: ", "UTF-8"); /* surrogate */
	refused("[store]\nname = a\x01z\n", "cfg.ini:2: ", "control");
	refused("[store]\nname = a\xc2\x85z\n", "cfg.ini:2: ", "control"); /* C1 */
	refused("[database]\npath = /tmp/\xff.db\n", "cfg.ini:2: ", NULL);
	/* a bad key is shown without its raw bytes */
	refused("[store]\n\xff\x1b[2J = 1\n", "cfg.ini:2: ", "unknown key '??[2J'");
}

static void nul_byte_and_long_line(void **state)
{
	struct cp_config cfg, before;
	struct cp_errbuf err = {{0}};
	char text[4000];
	size_t n;

	(void)state;
	cp_config_defaults(&cfg);
	before = cfg;
	write_file(CFG, "[store]\nid = S1\0\n", 17);
	assert_int_equal(cp_config_load(&cfg, CFG, &err), CP_ECONFIG);
	assert_non_null(strstr(err.msg, "cfg.ini:2: "));
	assert_memory_equal(&cfg, &before, sizeof(cfg));

	n = (size_t)snprintf(text, sizeof(text), "[store]\nname = ");
	memset(text + n, 'x', 3000);
	snprintf(text + n + 3000, sizeof(text) - n - 3000, "\nid = S9\n");
	refused(text, "cfg.ini:2: ", "longer than");

	/* A short line ending in hundreds of carriage returns is as long as its bytes: it was
	 * measured without them and copied with them, past inih's line buffer (fuzz_config). */
	n = (size_t)snprintf(text, sizeof(text), "[store]\n; a comment");
	memset(text + n, '\r', 300);
	snprintf(text + n + 300, sizeof(text) - n - 300, "\nid = S9\n");
	refused(text, "cfg.ini:2: ", "longer than");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(full_file),
		cmocka_unit_test(partial_file_keeps_other_values),
		cmocka_unit_test(the_shipped_file_loads),
		cmocka_unit_test(sync_section),
		cmocka_unit_test(sync_mistakes),
		cmocka_unit_test(unknown_key),
		cmocka_unit_test(unknown_section),
		cmocka_unit_test(bad_cutover),
		cmocka_unit_test(not_a_number),
		cmocka_unit_test(out_of_range),
		cmocka_unit_test(bad_ids_and_text),
		cmocka_unit_test(text_at_its_limit),
		cmocka_unit_test(missing_file),
		cmocka_unit_test(unreadable_file),
		cmocka_unit_test(unchanged_after_late_error),
		cmocka_unit_test(first_problem_wins),
		cmocka_unit_test(line_without_equals),
		cmocka_unit_test(twice_and_continued),
		cmocka_unit_test(non_utf8_value),
		cmocka_unit_test(nul_byte_and_long_line),
		cmocka_unit_test(guide_protection_days),
		cmocka_unit_test(pricing_section),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
