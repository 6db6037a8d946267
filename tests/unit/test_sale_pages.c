/* test_sale_pages.c — what a pay's commit writes, counted from the WAL (issue 14): each B-tree
 * a commit touches is one more page to write and flush, so a pay leaves alone the tables it has
 * nothing to change in, and writes no more pages than it did when this test was written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cart.h"
#include "db_int.h"
#include "journal.h"
#include "report_int.h"
#include "sale.h"
#include "support.h"

/* The pages the commit below wrote, as of this work: a member sale of two items paid
 * in cash with change, no guide serving (21 when this test was written, 22 before: guide_serving). */
#define PAY_PAGES_MAX 21

struct wal_count {
	int frames;
};

static int count_frames(void *ctx, sqlite3 *h, const char *name, int frames)
{
	(void)h;
	(void)name;
	((struct wal_count *)ctx)->frames = frames;
	return SQLITE_OK;
}

static int setup(void **state)
{
	static struct test_env env;

	test_env_open(&env, "sale_pages", true);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_close(*state);
	return 0;
}

static uint32_t be32(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

/* The names of the B-trees (tables and indexes) of the pages in the WAL's frames 1..frames,
 * once each, joined by spaces into out; the number of pages into *pages. */
static void wal_btrees(struct test_env *env, int frames, char *out, size_t outlen, int *pages)
{
	char path[300];
	unsigned char hdr[32], fh[24];
	uint32_t pgsz;
	FILE *f;

	snprintf(path, sizeof(path), "%s-wal", env->path);
	assert_non_null(f = fopen(path, "rb"));
	assert_int_equal(fread(hdr, 1, sizeof(hdr), f), sizeof(hdr));
	pgsz = be32(hdr + 8);
	out[0] = '\0';
	*pages = 0;
	for (int i = 0; i < frames; i++) {
		sqlite3_stmt *st;
		char name[80] = "?";

		assert_int_equal(fseek(f, 32 + (long)i * (24 + (long)pgsz), SEEK_SET), 0);
		assert_int_equal(fread(fh, 1, sizeof(fh), f), sizeof(fh));
		assert_int_equal(sqlite3_prepare_v2(env->db->h,
						    "SELECT name FROM dbstat WHERE pageno = ?1", -1,
						    &st, NULL),
				 SQLITE_OK);
		sqlite3_bind_int64(st, 1, be32(fh));
		if (sqlite3_step(st) == SQLITE_ROW)
			snprintf(name, sizeof(name), "%s",
				 (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		(*pages)++;
		if (!has_word(out, name)) {
			size_t n = strlen(out);

			snprintf(out + n, outlen - n, "%s%s", n ? " " : "", name);
		}
	}
	fclose(f);
}

/* A member sale paid in cash, with nobody serving: the pay's commit is the only one in the WAL
 * (checkpointed and truncated before it). */
static void pay_member_sale(struct test_env *env, char *btrees, size_t len, int *pages)
{
	struct cp_tender cash = {.method = CP_TENDER_CASH, .amount = 20000};
	struct wal_count w = {0};
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};

	assert_int_equal(cp_cart_scan(env->db, &env->cashier, "G120", 1, NULL, &err), CP_OK);
	assert_int_equal(cp_cart_scan(env->db, &env->cashier, "A2", 1, NULL, &err), CP_OK);
	assert_int_equal(cp_cart_set_member(env->db, &env->cashier, "M1", &err), CP_OK);
	sqlite3_wal_hook(env->db->h, count_frames, &w);
	assert_int_equal(
		sqlite3_wal_checkpoint_v2(env->db->h, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL),
		SQLITE_OK);
	assert_int_equal(cp_sale_pay(env->db, &env->cashier, &cash, 1, &r, &err), CP_OK);
	assert_true(w.frames > 0);
	wal_btrees(env, w.frames, btrees, len, pages);
	print_message("a pay wrote %d pages: %s\n", *pages, btrees);
}

/* With nobody serving, the pay has no serving guide to forget: guide_serving's page stays. */
static void test_pay_leaves_guide_serving_alone(void **state)
{
	struct test_env *env = *state;
	char btrees[2048];
	int pages;

	pay_member_sale(env, btrees, sizeof(btrees), &pages);
	assert_true(has_word(btrees, "sale"));
	assert_true(has_word(btrees, "report_day_sum"));
	assert_false(has_word(btrees, "guide_serving"));
}

static void test_pay_pages_at_most(void **state)
{
	struct test_env *env = *state;
	char btrees[2048];
	int pages;

	pay_member_sale(env, btrees, sizeof(btrees), &pages);
	assert_in_range(pages, 1, PAY_PAGES_MAX);
}

static void exec(struct test_env *env, const char *sql)
{
	assert_int_equal(sqlite3_exec(env->db->h, sql, NULL, NULL, NULL), SQLITE_OK);
}

/* The day's sums each commit adds (cp_report_sale_sum, from the payload and the sale's rows)
 * equal those verify's bulk path adds over the same sales (cp_report_sale_sums_flush): a member
 * sale paid with two cash tenders and change, another sale with card, a member's points
 * earned, the member price's saving. */
static void test_commit_sums_equal_bulk(void **state)
{
	struct test_env *env = *state;
	/* 2 x 28.00 member price + 199.90 = 255.90: 150.00 + 150.00 cash, 44.10 change */
	struct cp_tender two_cash[2] = {{.method = CP_TENDER_CASH, .amount = 15000},
					{.method = CP_TENDER_CASH, .amount = 15000}};
	struct cp_tender card = {.method = CP_TENDER_CARD, .amount = 3000};
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};
	struct cp_verify_report rep;

	assert_int_equal(cp_cart_scan(env->db, &env->cashier, "A1", 2, NULL, &err), CP_OK);
	assert_int_equal(cp_cart_scan(env->db, &env->cashier, "G19990", 1, NULL, &err), CP_OK);
	assert_int_equal(cp_cart_set_member(env->db, &env->cashier, "M1", &err), CP_OK);
	assert_int_equal(cp_sale_pay(env->db, &env->cashier, two_cash, 2, &r, &err), CP_OK);
	assert_int_equal(r.change, 4410);
	assert_int_equal(cp_cart_scan(env->db, &env->cashier, "A1", 1, NULL, &err), CP_OK);
	assert_int_equal(cp_sale_pay(env->db, &env->cashier, &card, 1, &r, &err), CP_OK);
	exec(env, "CREATE TABLE commit_sums AS SELECT * FROM report_day_sum;"
		  "DELETE FROM report_day_sum");
	env->db->sums_from = 1;
	env->db->sums_to = r.seq;
	assert_int_equal(cp_report_sale_sums_flush(env->db, &err), CP_OK);
	assert_true(test_count(env, "SELECT count(*) FROM commit_sums") >= 12);
	assert_int_equal(test_count(env, "SELECT count(*) FROM (SELECT * FROM commit_sums EXCEPT"
					 " SELECT * FROM report_day_sum)"),
			 0);
	assert_int_equal(test_count(env, "SELECT count(*) FROM (SELECT * FROM report_day_sum"
					 " EXCEPT SELECT * FROM commit_sums)"),
			 0);
	assert_int_equal(test_count(env, "SELECT n FROM report_day_sum WHERE what = 'tender'"
					 " AND key = 'cash'"),
			 2);
	exec(env, "DROP TABLE commit_sums");
	assert_int_equal(cp_journal_verify(env->db, &rep, &err), CP_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pay_leaves_guide_serving_alone, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pay_pages_at_most, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_sums_equal_bulk, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
