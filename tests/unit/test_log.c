/* test_log.c — the process log (platform/log.c): records with a timestamp and a level, one line
 * whatever control characters the message holds, long messages cut on a UTF-8 boundary, the
 * level filter, appending to an existing file, going back to stderr, and a file it cannot open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp_log.h"

#define BIG 8192

/* Reads the whole of path into buf (NUL-terminated) and answers its length; 0 when missing. */
static size_t slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		buf[0] = '\0';
		return 0;
	}
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

static size_t count_lines(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
	}
	return true;
}

/* "YYYY-MM-DDTHH:MM:SS+HH:MM" at line, followed by a space. */
static bool timestamp_ok(const char *line)
{
	return digits(line, 4) && line[4] == '-' && digits(line + 5, 2) && line[7] == '-' &&
	       digits(line + 8, 2) && line[10] == 'T' && digits(line + 11, 2) && line[13] == ':' &&
	       digits(line + 14, 2) && line[16] == ':' && digits(line + 17, 2) &&
	       (line[19] == '+' || line[19] == '-') && digits(line + 20, 2) && line[22] == ':' &&
	       digits(line + 23, 2) && line[25] == ' ';
}

/* UTF-8 as far as a cut can spoil it: no stray continuation byte, no truncated sequence. */
static bool utf8_ok(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else
			return false;
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return false;
		}
		i += n + 1;
	}
	return true;
}

static void open_fresh(const char *path)
{
	struct cp_errbuf err = {{0}};

	unlink(path);
	assert_int_equal(cp_log_open(path, &err), CP_OK);
}

static int teardown(void **state)
{
	(void)state;
	cp_log_close();
	cp_log_set_level(CP_LOG_INFO);
	return 0;
}

static void record_has_timestamp_and_level(void **state)
{
	char buf[BIG];
	size_t len;
	struct stat st;

	(void)state;
	open_fresh("basic.log");
	cp_log(CP_LOG_WARN, "drawer %s after %d s", "open", 30);
	cp_log(CP_LOG_ERROR, "printer gone");
	cp_log_close();
	assert_int_equal(stat("basic.log", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	len = slurp("basic.log", buf, sizeof(buf));
	assert_int_equal(count_lines(buf, len), 2);
	assert_true(timestamp_ok(buf));
	assert_memory_equal(buf + 26, "WARN drawer open after 30 s\n", 28);
	assert_true(timestamp_ok(buf + 54));
	assert_string_equal(buf + 54 + 26, "ERROR printer gone\n");
}

static void level_names(void **state)
{
	(void)state;
	assert_string_equal(cp_log_level_name(CP_LOG_DEBUG), "DEBUG");
	assert_string_equal(cp_log_level_name(CP_LOG_INFO), "INFO");
	assert_string_equal(cp_log_level_name(CP_LOG_WARN), "WARN");
	assert_string_equal(cp_log_level_name(CP_LOG_ERROR), "ERROR");
	assert_string_equal(cp_log_level_name((enum cp_log_level)42), "?");
}

static void control_characters_stay_on_one_line(void **state)
{
	char buf[BIG];
	size_t len;

	(void)state;
	open_fresh("ctl.log");
	cp_log(CP_LOG_INFO, "name=%s!",
	       "Bob\nfake 2026-01-01T00:00:00+08:00 ERROR x\r\x1b[2Jend\x7f");
	/* A C1 control (U+0085, NEXT LINE) in UTF-8, next to a character that must survive. */
	cp_log(CP_LOG_INFO, "a\xc2\x85"
			    "b\xc3\xa9");
	cp_log_close();
	len = slurp("ctl.log", buf, sizeof(buf));
	assert_int_equal(count_lines(buf, len), 2);
	assert_true(timestamp_ok(buf));
	assert_non_null(
		strstr(buf, " INFO name=Bob?fake 2026-01-01T00:00:00+08:00 ERROR x??[2Jend?!\n"));
	assert_null(strchr(buf, '\r'));
	assert_null(strchr(buf, '\x1b'));
	assert_null(strchr(buf, '\x7f'));
	assert_non_null(strstr(buf, " INFO a?b\xc3\xa9\n"));
}

/* A message far over the record size, of 3-byte characters after 0, 1 or 2 ASCII bytes so that
 * the cut falls at each place within a character. */
static void long_message_cut_on_character_boundary(void **state)
{
	static char msg[6000], buf[3 * BIG];
	size_t len;

	(void)state;
	for (int shift = 0; shift < 3; shift++) {
		size_t o = 0;
		const char *line, *end;

		for (int i = 0; i < shift; i++)
			msg[o++] = 'x';
		while (o + 3 < sizeof(msg)) {
			memcpy(msg + o, "\xe4\xb8\xad", 3); /* 中 */
			o += 3;
		}
		msg[o] = '\0';
		open_fresh("long.log");
		cp_log(CP_LOG_INFO, "%s", msg);
		cp_log_close();
		len = slurp("long.log", buf, sizeof(buf));
		assert_int_equal(count_lines(buf, len), 1);
		assert_true(timestamp_ok(buf));
		assert_memory_equal(buf + 26, "INFO ", 5);
		line = buf + 31;
		end = buf + len - 1; /* the '\n' */
		assert_true(end - buf >= 4);
		assert_memory_equal(end - 3, "...", 3);
		/* Cut well short of the message but near the record size, and still UTF-8. */
		assert_true(len > 1900 && len <= 2048 + 4);
		assert_true(utf8_ok((const unsigned char *)buf, len));
		/* What is kept is the message's own start: the x's, then whole characters. */
		assert_memory_equal(line, msg, (size_t)(end - 3 - line));
		assert_int_equal((size_t)(end - 3 - line - shift) % 3, 0);
	}
}

static void level_filters_lower_records(void **state)
{
	char buf[BIG];
	size_t len;

	(void)state;
	open_fresh("level.log");
	cp_log(CP_LOG_DEBUG, "debug by default dropped");
	cp_log(CP_LOG_INFO, "info kept");
	cp_log_set_level(CP_LOG_WARN);
	cp_log(CP_LOG_DEBUG, "debug dropped");
	cp_log(CP_LOG_INFO, "info dropped");
	cp_log(CP_LOG_WARN, "warn kept");
	cp_log(CP_LOG_ERROR, "error kept");
	cp_log_set_level(CP_LOG_DEBUG);
	cp_log(CP_LOG_DEBUG, "debug kept");
	cp_log_close();
	len = slurp("level.log", buf, sizeof(buf));
	assert_int_equal(count_lines(buf, len), 4);
	assert_null(strstr(buf, "dropped"));
	assert_non_null(strstr(buf, " INFO info kept\n"));
	assert_non_null(strstr(buf, " WARN warn kept\n"));
	assert_non_null(strstr(buf, " ERROR error kept\n"));
	assert_non_null(strstr(buf, " DEBUG debug kept\n"));
}

static void second_open_appends(void **state)
{
	struct cp_errbuf err = {{0}};
	char buf[BIG];
	size_t len;
	FILE *f;
	const char *a, *b;

	(void)state;
	f = fopen("append.log", "w");
	assert_non_null(f);
	fputs("already here\n", f);
	fclose(f);
	assert_int_equal(cp_log_open("append.log", &err), CP_OK);
	cp_log(CP_LOG_INFO, "first");
	/* Opened again without a close: the first descriptor is replaced, the file kept. */
	assert_int_equal(cp_log_open("append.log", &err), CP_OK);
	cp_log(CP_LOG_INFO, "second");
	cp_log_close();
	assert_int_equal(cp_log_open("append.log", &err), CP_OK);
	cp_log(CP_LOG_INFO, "third");
	cp_log_close();
	len = slurp("append.log", buf, sizeof(buf));
	assert_int_equal(count_lines(buf, len), 4);
	assert_memory_equal(buf, "already here\n", 13);
	a = strstr(buf, " INFO first\n");
	b = strstr(buf, " INFO second\n");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a < b);
	assert_non_null(strstr(b, " INFO third\n"));
}

/* After cp_log_close the records go to stderr (captured here in a file), not to the old file. */
static void close_goes_back_to_stderr(void **state)
{
	char buf[BIG];
	size_t len;
	int saved, fd;

	(void)state;
	open_fresh("closed.log");
	cp_log(CP_LOG_INFO, "to the file");
	cp_log_close();
	cp_log_close(); /* harmless twice */
	unlink("stderr.txt");
	fd = open("stderr.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	cp_log(CP_LOG_WARN, "to stderr");
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	close(fd);
	len = slurp("closed.log", buf, sizeof(buf));
	assert_int_equal(count_lines(buf, len), 1);
	assert_null(strstr(buf, "to stderr"));
	len = slurp("stderr.txt", buf, sizeof(buf));
	assert_int_equal(count_lines(buf, len), 1);
	assert_true(timestamp_ok(buf));
	assert_string_equal(buf + 26, "WARN to stderr\n");
	/* cp_log_open(NULL) is stderr too. */
	assert_int_equal(cp_log_open(NULL, NULL), CP_OK);
}

static void missing_directory_fails(void **state)
{
	struct cp_errbuf err = {{0}};

	(void)state;
	cp_log_close();
	assert_int_equal(cp_log_open("no-such-dir/till.log", &err), CP_EIO);
	assert_true(err.msg[0] != '\0');
	assert_non_null(strstr(err.msg, "no-such-dir/till.log"));
	assert_int_equal(access("no-such-dir", F_OK), -1);
	cp_log(CP_LOG_INFO, "still logging, to stderr");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(record_has_timestamp_and_level, teardown),
		cmocka_unit_test(level_names),
		cmocka_unit_test_teardown(control_characters_stay_on_one_line, teardown),
		cmocka_unit_test_teardown(long_message_cut_on_character_boundary, teardown),
		cmocka_unit_test_teardown(level_filters_lower_records, teardown),
		cmocka_unit_test_teardown(second_open_appends, teardown),
		cmocka_unit_test_teardown(close_goes_back_to_stderr, teardown),
		cmocka_unit_test_teardown(missing_directory_fails, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
