/* test_printer.c — ESC/POS output: the exact bytes written to a file (initialise, GB18030 text,
 * feed, cut), errors a cashier can act on, text that cannot smuggle printer commands, the
 * bounded wait for a printer that takes nothing, and printing on a thread of its own. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cp_printer.h"

static const unsigned char init[] = {0x1b, 0x40};
static const unsigned char feed_cut[] = {'\n', '\n', '\n', '\n', 0x1d, 0x56, 0x00};
/* python3 -c "print('牛奶'.encode('gb18030').hex())" -> c5a3c4cc */
static const unsigned char milk_gb18030[] = {0xc5, 0xa3, 0xc4, 0xcc};
/* python3 -c "print('¥'.encode('gb18030').hex())" -> 81308436 */
static const unsigned char yen_gb18030[] = {0x81, 0x30, 0x84, 0x36};

static size_t slurp(const char *path, unsigned char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

/* buf must be ESC @, then body, then the feed and the cut. */
static void expect_job(const unsigned char *buf, size_t n, const unsigned char *body,
		       size_t bodylen)
{
	assert_int_equal(n, sizeof(init) + bodylen + sizeof(feed_cut));
	assert_memory_equal(buf, init, sizeof(init));
	assert_memory_equal(buf + sizeof(init), body, bodylen);
	assert_memory_equal(buf + sizeof(init) + bodylen, feed_cut, sizeof(feed_cut));
}

static void test_file_bytes(void **state)
{
	const char *path = "printer_out.bin";
	unsigned char buf[512], body[64];
	struct cp_errbuf err = {{0}};
	size_t n, k = 0;

	(void)state;
	unlink(path);
	assert_int_equal(cp_printer_print(path, "牛奶 2 x ¥28.00\n", &err), CP_OK);
	memcpy(body + k, milk_gb18030, sizeof(milk_gb18030));
	k += sizeof(milk_gb18030);
	memcpy(body + k, " 2 x ", 5);
	k += 5;
	memcpy(body + k, yen_gb18030, sizeof(yen_gb18030));
	k += sizeof(yen_gb18030);
	memcpy(body + k, "28.00\n", 6);
	k += 6;
	n = slurp(path, buf, sizeof(buf));
	expect_job(buf, n, body, k);

	/* a second receipt is appended, never replaces the first */
	assert_int_equal(cp_printer_print(path, "牛奶 2 x ¥28.00\n", &err), CP_OK);
	assert_int_equal(slurp(path, buf, sizeof(buf)), 2 * n);
	expect_job(buf + n, n, body, k);
	unlink(path);
}

/* Not UTF-8, or a control character that a printer would take as a command: '?' instead. */
static void test_bad_text_prints_question_marks(void **state)
{
	const char *path = "printer_bad.bin";
	/* ff, fe: never UTF-8; e4 b8 then '\n': a character cut short; ESC d 9 would feed paper;
	 * GS V would cut; U+0085 is a C1 control; a tab is a control too */
	static const char text[] = "a\xff\xfe"
				   "b\xe4\xb8\n"
				   "x\x1b"
				   "d9\x1dV\xc2\x85y\tz\n";
	static const char want[] = "a??b??\nx?d9?V?y?z\n";
	unsigned char buf[256];
	struct cp_errbuf err = {{0}};

	(void)state;
	unlink(path);
	assert_int_equal(cp_printer_print(path, text, &err), CP_OK);
	expect_job(buf, slurp(path, buf, sizeof(buf)), (const unsigned char *)want, strlen(want));
	unlink(path);
	/* an empty receipt is still a valid job */
	assert_int_equal(cp_printer_print(path, "", &err), CP_OK);
	expect_job(buf, slurp(path, buf, sizeof(buf)), (const unsigned char *)"", 0);
	unlink(path);
}

static void test_errors_say_what_to_do(void **state)
{
	struct cp_errbuf err = {{0}};
	char *big;

	(void)state;
	assert_int_equal(cp_printer_print("no/such/dir/printer.bin", "x\n", &err), CP_ENOTFOUND);
	assert_non_null(strstr(err.msg, "no/such/dir/printer.bin"));
	assert_non_null(strstr(err.msg, "kept for reprint"));
	assert_int_equal(access("no", F_OK), -1); /* nothing created */

	/* under /dev/ a missing name is a missing printer: nothing is created there */
	assert_int_equal(cp_printer_print("/dev/cp-test-no-printer", "x\n", &err), CP_ENOTFOUND);
	assert_non_null(strstr(err.msg, "printer not found at /dev/cp-test-no-printer"));
	assert_non_null(strstr(err.msg, "cable"));
	assert_non_null(strstr(err.msg, "kept for reprint"));
	assert_int_equal(access("/dev/cp-test-no-printer", F_OK), -1);

	assert_int_equal(cp_printer_print(".", "x\n", &err), CP_ECONFIG);
	assert_non_null(strstr(err.msg, "directory"));
	assert_int_equal(cp_printer_print("", "x\n", &err), CP_ECONFIG);
	assert_non_null(strstr(err.msg, "configur"));
	assert_int_equal(cp_printer_print(NULL, "x\n", &err), CP_ECONFIG);
	assert_int_equal(cp_printer_print("printer_x.bin", NULL, &err), CP_EINVAL);
	big = malloc(CP_PRINTER_TEXT_MAX + 2);
	assert_non_null(big);
	memset(big, 'x', CP_PRINTER_TEXT_MAX + 1);
	big[CP_PRINTER_TEXT_MAX + 1] = '\0';
	assert_int_equal(cp_printer_print("printer_x.bin", big, &err), CP_EINVAL);
	free(big);
	assert_int_equal(access("printer_x.bin", F_OK), -1);

	/* a file the till may not write to (root may write anywhere: nothing to test then) */
	if (geteuid() != 0) {
		int fd = open("printer_ro.bin", O_WRONLY | O_CREAT | O_TRUNC, 0400);

		assert_true(fd >= 0);
		close(fd);
		assert_int_equal(cp_printer_print("printer_ro.bin", "x\n", &err), CP_EPERM);
		assert_non_null(strstr(err.msg, "permission"));
		assert_non_null(strstr(err.msg, "kept for reprint"));
		unlink("printer_ro.bin");
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *close_later(void *arg)
{
	usleep(200 * 1000);
	close(*(int *)arg);
	return NULL;
}

/* A device that is there but takes nothing (a FIFO nobody reads, like a printer out of paper)
 * costs at most the bound; one with nobody behind it fails at once. */
static void test_printer_that_takes_nothing(void **state)
{
	const char *path = "printer_fifo";
	struct cp_errbuf err = {{0}};
	char *text = malloc(200 * 1024);
	int64_t t0;
	int rd;

	(void)state;
	assert_non_null(text);
	memset(text, 'x', 200 * 1024 - 1);
	text[200 * 1024 - 1] = '\0';
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);

	/* nobody reads: refused at once, whatever the bound (a wall clock decides no test) */
	assert_int_equal(cp_printer_print_timeout(path, "x\n", 300, &err), CP_EIO);
	assert_non_null(strstr(err.msg, "not ready"));

	rd = open(path, O_RDONLY | O_NONBLOCK);
	assert_true(rd >= 0);
	t0 = now_ms();
	assert_int_equal(cp_printer_print_timeout(path, text, 300, &err), CP_EIO);
	assert_true(now_ms() - t0 >= 300); /* it waited its bound, however slow the machine */
	assert_non_null(strstr(err.msg, "did not take the receipt"));
	assert_non_null(strstr(err.msg, "paper"));
	assert_non_null(strstr(err.msg, "kept for reprint"));

	/* the reader goes away mid-print: an error, not a SIGPIPE that kills the till */
	{
		pthread_t t;

		assert_int_equal(pthread_create(&t, NULL, close_later, &rd), 0);
		/* a bound far beyond the reader's close, so that the close decides, not a clock */
		assert_int_equal(cp_printer_print_timeout(path, text, 600000, &err), CP_EIO);
		assert_int_equal(pthread_join(t, NULL), 0);
		assert_non_null(strstr(err.msg, "went away"));
	}
	unlink(path);
	free(text);
}

struct outcome {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int calls;
	enum cp_err result;
	char message[512];
};

static void done(void *ctx, enum cp_err result, const char *message)
{
	struct outcome *o = ctx;

	pthread_mutex_lock(&o->lock);
	o->calls++;
	o->result = result;
	snprintf(o->message, sizeof(o->message), "%s", message);
	pthread_cond_signal(&o->cond);
	pthread_mutex_unlock(&o->lock);
}

/* Waits for the first call (however long: ctest's timeout ends a hung test), then a little
 * longer to see that no second one comes. */
static int wait_calls(struct outcome *o)
{
	int calls;

	pthread_mutex_lock(&o->lock);
	while (o->calls == 0)
		pthread_cond_wait(&o->cond, &o->lock);
	pthread_mutex_unlock(&o->lock);
	usleep(100 * 1000);
	pthread_mutex_lock(&o->lock);
	calls = o->calls;
	pthread_mutex_unlock(&o->lock);
	return calls;
}

static void test_async(void **state)
{
	const char *path = "printer_async.bin";
	struct outcome o = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
	struct cp_errbuf err = {{0}};
	unsigned char buf[256];
	char text[32];

	(void)state;
	unlink(path);
	snprintf(text, sizeof(text), "牛奶\n");
	assert_int_equal(cp_printer_print_async(path, text, done, &o, &err), CP_OK);
	memset(text, 0, sizeof(text)); /* the job has its own copy */
	assert_int_equal(wait_calls(&o), 1);
	assert_int_equal(o.result, CP_OK);
	assert_string_equal(o.message, "");
	{
		unsigned char body[5];

		memcpy(body, milk_gb18030, 4);
		body[4] = '\n';
		expect_job(buf, slurp(path, buf, sizeof(buf)), body, sizeof(body));
	}
	unlink(path);

	/* a failure is reported through the callback, once, with the message */
	o.calls = 0;
	assert_int_equal(cp_printer_print_async("no/such/dir/p.bin", "x\n", done, &o, &err), CP_OK);
	assert_int_equal(wait_calls(&o), 1);
	assert_int_equal(o.result, CP_ENOTFOUND);
	assert_non_null(strstr(o.message, "kept for reprint"));

	/* refused before any thread starts: no callback */
	o.calls = 0;
	assert_int_equal(cp_printer_print_async("", "x\n", done, &o, &err), CP_ECONFIG);
	assert_int_equal(cp_printer_print_async(path, NULL, done, &o, &err), CP_EINVAL);
	usleep(50 * 1000);
	assert_int_equal(o.calls, 0);

	/* no callback at all is fine too */
	assert_int_equal(cp_printer_print_async(path, "x\n", NULL, NULL, &err), CP_OK);
	for (int i = 0; i < 100 && access(path, F_OK) != 0; i++)
		usleep(10 * 1000);
	usleep(50 * 1000);
	unlink(path);
}

/* Several receipts at once come out whole, one after the other, never interleaved. */
static void test_async_prints_do_not_interleave(void **state)
{
	const char *path = "printer_many.bin";
	struct outcome o = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
	struct cp_errbuf err = {{0}};
	static unsigned char buf[8 * 70000];
	char *text = malloc(60000);
	size_t n, job = sizeof(init) + 60000 - 1 + sizeof(feed_cut);

	(void)state;
	assert_non_null(text);
	unlink(path);
	for (int i = 0; i < 6; i++) {
		memset(text, 'a' + i, 60000 - 1);
		text[60000 - 1] = '\0';
		assert_int_equal(cp_printer_print_async(path, text, done, &o, &err), CP_OK);
	}
	free(text);
	pthread_mutex_lock(&o.lock);
	while (o.calls < 6)
		pthread_cond_wait(&o.cond, &o.lock);
	pthread_mutex_unlock(&o.lock);
	assert_int_equal(o.calls, 6);
	n = slurp(path, buf, sizeof(buf));
	assert_int_equal(n, 6 * job);
	for (size_t j = 0; j < 6; j++) {
		const unsigned char *b = buf + j * job;

		assert_memory_equal(b, init, sizeof(init));
		for (size_t i = 1; i < 60000 - 1; i++)
			if (b[sizeof(init) + i] != b[sizeof(init)])
				fail_msg("receipt %zu is interleaved at byte %zu", j, i);
	}
	unlink(path);
}

static void test_outcome_mailbox(void **state)
{
	struct cp_printer_outcome o;
	char tag[16];

	(void)state;
	while (cp_printer_outcome_pop(&o))
		;
	cp_printer_outcome_push("S001-T01-000001", CP_OK, "");
	cp_printer_outcome_push("S001-T01-000002", CP_EIO, "out of paper");
	assert_true(cp_printer_outcome_pop(&o));
	assert_string_equal(o.tag, "S001-T01-000001");
	assert_int_equal(o.result, CP_OK);
	assert_true(cp_printer_outcome_pop(&o));
	assert_string_equal(o.tag, "S001-T01-000002");
	assert_int_equal(o.result, CP_EIO);
	assert_string_equal(o.message, "out of paper");
	assert_false(cp_printer_outcome_pop(&o));
	/* when full, the oldest goes */
	for (int i = 0; i < CP_PRINTER_OUTCOMES + 3; i++) {
		snprintf(tag, sizeof(tag), "R%d", i);
		cp_printer_outcome_push(tag, CP_OK, NULL);
	}
	for (int i = 3; i < CP_PRINTER_OUTCOMES + 3; i++) {
		snprintf(tag, sizeof(tag), "R%d", i);
		assert_true(cp_printer_outcome_pop(&o));
		assert_string_equal(o.tag, tag);
	}
	assert_false(cp_printer_outcome_pop(&o));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_bytes),
		cmocka_unit_test(test_bad_text_prints_question_marks),
		cmocka_unit_test(test_errors_say_what_to_do),
		cmocka_unit_test(test_printer_that_takes_nothing),
		cmocka_unit_test(test_async),
		cmocka_unit_test(test_async_prints_do_not_interleave),
		cmocka_unit_test(test_outcome_mailbox),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
