/* test_store_totals.c — HQ's answer with the whole store's totals (sync/report.c): a good answer
 * is read field by field; malformed JSON, another day, a missing or mistyped field, a negative
 * count each give a sentence saying what was wrong and totals marked unavailable, never a
 * crash; more terminals than the list holds are cut and marked; and the print layout of the
 * tally says "store totals unavailable (HQ not reached)" with why, or shows the totals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"
#include "report_text.h"
#include "sync.h"

#define DAY "2026-12-04"
#define GOOD                                                                                       \
	"{\"store\":\"S001\",\"day\":\"" DAY "\",\"sales\":{\"count\":3,\"amount\":8860},"         \
	"\"refunds\":{\"count\":1,\"amount\":2590},\"voids\":{\"count\":0,\"amount\":0},"          \
	"\"net\":6270,\"terminals\":[{\"terminal\":\"T01\",\"sales\":{\"count\":2,\"amount\":"     \
	"6270},"                                                                                   \
	"\"net\":3680},{\"terminal\":\"T02\",\"sales\":{\"count\":1,\"amount\":2590},"             \
	"\"net\":2590}]}"

static void test_good_answer(void **state)
{
	struct cp_store_totals st;
	struct cp_errbuf err = {{0}};

	(void)state;
	assert_int_equal(cp_sync_store_totals_parse(GOOD, strlen(GOOD), DAY, &st, &err), CP_OK);
	assert_true(st.reached);
	assert_string_equal(st.day, DAY);
	assert_int_equal(st.sales.count, 3);
	assert_int_equal(st.sales.amount, 8860);
	assert_int_equal(st.refunds.amount, 2590);
	assert_int_equal(st.voids.count, 0);
	assert_int_equal(st.net, 6270);
	assert_int_equal(st.nterminals, 2);
	assert_string_equal(st.terminals[1].terminal, "T02");
	assert_int_equal(st.terminals[1].sales.amount, 2590);
	assert_int_equal(st.terminals[0].net, 3680);
	assert_false(st.truncated);
}

static void bad(const char *body, const char *word)
{
	struct cp_store_totals st;
	struct cp_errbuf err = {{0}};

	memset(&st, 0x5a, sizeof(st));
	assert_int_equal(cp_sync_store_totals_parse(body, body ? strlen(body) : 0, DAY, &st, &err),
			 CP_EIO);
	assert_false(st.reached);
	if (!strstr(st.why, "not understood") || !strstr(st.why, word))
		fail_msg("why: \"%s\" (wanted \"%s\")", st.why, word);
	if (!strstr(err.msg, "store totals unavailable (HQ not reached)"))
		fail_msg("err: \"%s\"", err.msg);
	assert_int_equal(st.nterminals, 0);
}

static void test_bad_answers(void **state)
{
	char buf[1024];

	(void)state;
	bad(NULL, "not a JSON object");
	bad("", "not a JSON object");
	bad("{\"day\":", "not a JSON object");
	bad("[1, 2]", "not a JSON object");
	bad("<html>oops</html>", "not a JSON object");
	bad("{}", "\"day\"");
	snprintf(buf, sizeof(buf), "%s", GOOD);
	memcpy(strstr(buf, DAY), "2026-12-03", 10); /* another day */
	bad(buf, "another day");
	bad("{\"day\":\"" DAY "\",\"refunds\":{\"count\":1,\"amount\":2},\"voids\":{\"count\":0,"
	    "\"amount\":0},\"net\":1,\"terminals\":[]}",
	    "\"sales\"");
	bad("{\"day\":\"" DAY "\",\"sales\":{\"count\":\"3\",\"amount\":8860},\"refunds\":"
	    "{\"count\":1,\"amount\":2},\"voids\":{\"count\":0,\"amount\":0},\"net\":1,"
	    "\"terminals\":[]}",
	    "\"sales\"");
	bad("{\"day\":\"" DAY "\",\"sales\":{\"count\":-1,\"amount\":8860},\"refunds\":"
	    "{\"count\":1,\"amount\":2},\"voids\":{\"count\":0,\"amount\":0},\"net\":1,"
	    "\"terminals\":[]}",
	    "\"sales\"");
	bad("{\"day\":\"" DAY "\",\"sales\":{\"count\":3,\"amount\":8860.5},\"refunds\":"
	    "{\"count\":1,\"amount\":2},\"voids\":{\"count\":0,\"amount\":0},\"net\":1,"
	    "\"terminals\":[]}",
	    "\"sales\"");
	bad("{\"day\":\"" DAY "\",\"sales\":{\"count\":3,\"amount\":1},\"refunds\":"
	    "{\"count\":1,\"amount\":2},\"voids\":{\"count\":0,\"amount\":0},\"terminals\":[]}",
	    "\"net\"");
	bad("{\"day\":\"" DAY "\",\"sales\":{\"count\":3,\"amount\":1},\"refunds\":"
	    "{\"count\":1,\"amount\":2},\"voids\":{\"count\":0,\"amount\":0},\"net\":1}",
	    "\"terminals\"");
	bad("{\"day\":\"" DAY "\",\"sales\":{\"count\":3,\"amount\":1},\"refunds\":"
	    "{\"count\":1,\"amount\":2},\"voids\":{\"count\":0,\"amount\":0},\"net\":1,"
	    "\"terminals\":[{\"terminal\":\"T01\",\"net\":1}]}",
	    "a terminal");
	bad("{\"day\":\"" DAY "\",\"sales\":{\"count\":3,\"amount\":1},\"refunds\":"
	    "{\"count\":1,\"amount\":2},\"voids\":{\"count\":0,\"amount\":0},\"net\":1,"
	    "\"terminals\":[7]}",
	    "a terminal");
}

static void test_many_terminals(void **state)
{
	char *body = malloc(8192);
	size_t n = 0;
	struct cp_store_totals st;
	struct cp_errbuf err = {{0}};

	(void)state;
	assert_non_null(body);
	n += (size_t)snprintf(body + n, 8192 - n,
			      "{\"day\":\"" DAY "\",\"sales\":{\"count\":40,\"amount\":40},"
			      "\"refunds\":{\"count\":0,\"amount\":0},\"voids\":{\"count\":0,"
			      "\"amount\":0},\"net\":40,\"terminals\":[");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(
			body + n, 8192 - n,
			"%s{\"terminal\":\"T%02d\",\"sales\":{\"count\":1,\"amount\":1},"
			"\"net\":1}",
			i ? "," : "", i);
	snprintf(body + n, 8192 - n, "]}");
	assert_int_equal(cp_sync_store_totals_parse(body, strlen(body), DAY, &st, &err), CP_OK);
	assert_int_equal(st.nterminals, CP_STORE_TERMINALS);
	assert_true(st.truncated);
	free(body);
}

static void test_print_layout(void **state)
{
	struct cp_tally *t = calloc(1, sizeof(*t));
	struct cp_store_totals st;
	struct cp_errbuf err = {{0}};
	char *text;

	(void)state;
	assert_non_null(t);
	snprintf(t->day, sizeof(t->day), DAY);
	memset(&st, 0, sizeof(st));
	snprintf(st.why, sizeof(st.why), "cannot connect to HQ");
	text = cp_ui_report_text(t, "x", &st, 48);
	assert_non_null(text);
	assert_non_null(strstr(text, "store totals unavailable (HQ not reached)\ncannot connect"));
	free(text);
	assert_int_equal(cp_sync_store_totals_parse(GOOD, strlen(GOOD), DAY, &st, &err), CP_OK);
	text = cp_ui_report_text(t, "daily", &st, 32);
	assert_non_null(text);
	assert_non_null(strstr(text, "Whole store"));
	assert_non_null(strstr(text, "\nNet                       ¥62.70\n"));
	assert_non_null(strstr(text, "\n  T02                  1  ¥25.90\n"));
	free(text);
	assert_null(cp_ui_report_text(t, "x", NULL, 10)); /* no such printer width */
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_answer),
		cmocka_unit_test(test_bad_answers),
		cmocka_unit_test(test_many_terminals),
		cmocka_unit_test(test_print_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
