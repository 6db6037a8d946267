/* test_report.c — shifts and the day's tally: a sale needs an open shift (refused before
 * anything is written), pay-ins and pay-outs, closing by total or by denomination with
 * over/short, the tally's figures, the Z report (once a day, carrying the chain hash, sales
 * after it belonging to the next day), verify recomputing each Z and catching an altered view
 * row, and bad input answered with a sentence and nothing written. */
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
#include "db_int.h"
#include "guide.h"
#include "journal_int.h"
#include "journal.h"
#include "refund.h"
#include "report.h"
#include "sale.h"
#include "seal_int.h"
#include "shift.h"
#include "staff.h"
#include "support.h"

static int setup(void **state)
{
	static struct test_env env;

	test_env_open(&env, "report", true); /* shift 1 open, float ¥0.00 */
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_close(*state);
	return 0;
}

static void ok(enum cp_err rc, const struct cp_errbuf *err)
{
	if (rc != CP_OK)
		fail_msg("%s", err->msg);
}

static void sell(struct test_env *env, const char *sku, int64_t cash, const char *member,
		 struct cp_sale_result *r)
{
	struct cp_errbuf err = {{0}};
	struct cp_tender t = {CP_TENDER_CASH, cash};

	ok(cp_cart_scan(env->db, &env->cashier, sku, 1, NULL, &err), &err);
	if (member)
		ok(cp_cart_set_member(env->db, &env->cashier, member, &err), &err);
	ok(cp_sale_pay(env->db, &env->cashier, &t, 1, r, &err), &err);
}

static int64_t journal_rows(struct test_env *env)
{
	return test_count(env, "SELECT count(*) FROM journal");
}

static void verify_ok(struct test_env *env)
{
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	ok(cp_journal_verify(env->db, &rep, &err), &err);
}

static void test_sale_needs_open_shift(void **state)
{
	struct test_env *env = *state;
	struct cp_shift_count c = {.total = 0};
	struct cp_shift_view v;
	struct cp_sale_result r;
	struct cp_tender t = {CP_TENDER_CASH, 5000};
	struct cp_errbuf err = {{0}};
	int64_t rows;

	ok(cp_shift_close(env->db, &env->manager, &c, &v, &err), &err);
	ok(cp_cart_scan(env->db, &env->cashier, "A1", 1, NULL, &err), &err);
	rows = journal_rows(env);
	assert_int_equal(cp_sale_pay(env->db, &env->cashier, &t, 1, &r, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "no shift is open"));
	assert_int_equal(journal_rows(env), rows);
	assert_int_equal(test_count(env, "SELECT count(*) FROM sale"), 0);
	assert_int_equal(test_count(env, "SELECT count(*) FROM cart_line"), 1);
	/* closing a shift that is not open: a sentence, nothing written */
	assert_int_equal(cp_shift_close(env->db, &env->manager, &c, &v, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "no shift is open"));
	assert_int_equal(journal_rows(env), rows);
	ok(cp_shift_open(env->db, &env->manager, 10000, NULL, &err), &err);
	assert_int_equal(cp_shift_open(env->db, &env->manager, 0, NULL, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "already open"));
	ok(cp_sale_pay(env->db, &env->cashier, &t, 1, &r, &err), &err);
	verify_ok(env);
}

static void test_cash_count_and_over_short(void **state)
{
	struct test_env *env = *state;
	struct cp_shift_count c;
	struct cp_shift_view v;
	struct cp_sale_result r;
	struct cp_refund_result rr;
	struct cp_refund_req req = {0};
	struct cp_errbuf err = {{0}};

	/* A1 costs ¥30.00; paid with ¥50.00 cash, ¥20.00 change */
	sell(env, "A1", 5000, NULL, &r);
	ok(cp_shift_move(env->db, &env->manager, true, 2000, "change from the bank", &err), &err);
	ok(cp_shift_move(env->db, &env->manager, false, 500, "window cleaner", &err), &err);
	assert_int_equal(cp_shift_move(env->db, &env->manager, false, 100000, "too much", &err),
			 CP_EINVAL);
	assert_int_equal(cp_shift_move(env->db, &env->manager, true, 100, "", &err), CP_EINVAL);
	req.receipt = r.receipt;
	ok(cp_refund(env->db, &env->manager, &req, &rr, &err), &err); /* ¥30.00 back in cash */
	sell(env, "A2", 1999, NULL, &r);
	ok(cp_shift_current(env->db, &v, &err), &err);
	assert_true(v.open);
	assert_int_equal(v.cash, 3000 - 3000 + 1999);
	assert_int_equal(v.expected, 0 + 1999 + 2000 - 500);
	/* counted by denomination; bad counts say what is wrong */
	ok(cp_shift_count_parse("20x1, 10x1 1x4 0.5x1 0.1x4", &c, &err), &err);
	assert_true(c.by_denom);
	assert_int_equal(cp_shift_count_parse("100x", &c, &err), CP_EINVAL);
	assert_int_equal(cp_shift_count_parse("3x2", &c, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "not a note or coin"));
	assert_int_equal(cp_shift_count_parse("12.345", &c, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "not an amount"));
	assert_int_equal(cp_shift_count_parse("abc", &c, &err), CP_EINVAL);
	ok(cp_shift_count_parse("20x1, 10x1 1x4 0.5x1 0.1x4", &c, &err), &err);
	ok(cp_shift_close(env->db, &env->manager, &c, &v, &err), &err);
	assert_int_equal(v.counted, 2000 + 1000 + 400 + 50 + 40);
	assert_int_equal(v.over_short, 3490 - 3499); /* 9 fen short */
	assert_int_equal(test_count(env, "SELECT over_short FROM shift_close"), -9);
	verify_ok(env);
}

static void test_tally_and_z(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result r;
	struct cp_tally *t = calloc(1, sizeof(*t));
	struct cp_errbuf err = {{0}};
	char today[11], day[11];
	int64_t rows;

	assert_non_null(t);
	sell(env, "A1", 3000, "M1", &r); /* member price ¥28.00 */
	sell(env, "G120", 12000, NULL, &r);
	ok(cp_report_today(env->db, today, &err), &err);
	assert_string_equal(today, "2026-11-24");
	ok(cp_report_tally(env->db, today, t, &err), &err);
	assert_int_equal(t->sales.count, 2);
	assert_int_equal(t->sales.amount, 2800 + 12000);
	assert_int_equal(t->member_sales.amount, 2800);
	assert_int_equal(t->other_sales.amount, 12000);
	assert_int_equal(t->ntenders, 1);
	assert_string_equal(t->tenders[0].method, "cash");
	assert_int_equal(t->tenders[0].amount, 14800); /* ¥2.00 change given back */
	assert_int_equal(t->ncashiers, 1);
	assert_int_equal(t->hours[10].count, 2);
	/* the member price's saving: (¥30.00 - ¥28.00) x 1 on the member's sale only */
	assert_int_equal(t->member_savings, 200);
	/* at list price ¥30.00 + ¥120.00, of which the member price took ¥2.00 off */
	assert_int_equal(t->gross, 3000 + 12000);
	assert_int_equal(t->discounts, 200);
	assert_int_equal(t->off.member, 200);
	assert_int_equal(test_count(env, "SELECT json_extract(payload, '$.member_saving') FROM"
					 " journal WHERE type = 'sale' ORDER BY seq LIMIT 1"),
			 200);
	assert_int_equal(test_count(env, "SELECT json_extract(payload, '$.lines[0].saving') FROM"
					 " journal WHERE type = 'sale' ORDER BY seq LIMIT 1"),
			 200);
	assert_int_equal(test_count(env, "SELECT json_extract(payload, '$.member_saving') FROM"
					 " journal WHERE type = 'sale' ORDER BY seq DESC LIMIT 1"),
			 0);
	assert_int_equal(t->unacked, 3);
	assert_int_equal(t->z_seq, 0);
	/* bad days: a sentence each, nothing written */
	rows = journal_rows(env);
	assert_int_equal(cp_report_day_parse(env->db, "2026-11-31", day, &err), CP_EINVAL);
	assert_int_equal(cp_report_day_parse(env->db, "24.11.2026", day, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "YYYY-MM-DD"));
	assert_int_equal(cp_report_z(env->db, &env->manager, "2026-11-25", t, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "future"));
	assert_int_equal(journal_rows(env), rows);
	/* the Z: the totals and the chain hash of the row before it */
	ok(cp_report_z(env->db, &env->manager, today, t, &err), &err);
	assert_int_equal(t->z_seq, rows + 1);
	assert_int_equal(test_count(env, "SELECT through_seq FROM day_close"), rows);
	assert_int_equal(
		test_count(env, "SELECT count(*) FROM day_close d JOIN journal j ON"
				" j.seq = d.through_seq WHERE d.chain_hash = lower(hex(j.hash))"),
		1);
	assert_int_equal(test_count(env, "SELECT unacked FROM day_close"), 3);
	assert_int_equal(cp_report_z(env->db, &env->manager, today, t, &err), CP_EEXIST);
	assert_non_null(strstr(err.msg, "closed already"));
	assert_int_equal(journal_rows(env), rows + 1);
	/* a sale after the Z belongs to the next business day */
	env->now += 3600 * 1000;
	sell(env, "A2", 1999, NULL, &r);
	assert_int_equal(test_count(env, "SELECT count(*) FROM sale WHERE business_day ="
					 " '2026-11-25'"),
			 1);
	ok(cp_report_today(env->db, day, &err), &err);
	assert_string_equal(day, "2026-11-25");
	assert_int_equal(cp_report_z(env->db, &env->manager, "2026-11-25", t, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "not begun"));
	ok(cp_report_tally(env->db, today, t, &err), &err);
	assert_int_equal(t->sales.count, 2);
	assert_true(t->z_seq > 0);
	verify_ok(env);
	free(t);
}

/* Per guide: the members bound that day and the sales credited, net of the refunds that
 * reversed credit; a Z carries them and verify recomputes them. */
static void test_tally_per_guide(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result r1, r2, r3;
	struct cp_guide_bind_req b1 = {.member_id = "M1", .badge = "9900000020019"};
	struct cp_guide_bind_req b2 = {.member_id = "M2", .badge = "9900000020026"};
	struct cp_guide_bind_result br;
	struct cp_guide_who g;
	struct cp_refund_result rf;
	int line1[] = {1};
	struct cp_refund_req req = {.lines = line1, .nlines = 1};
	struct cp_tally *t = calloc(1, sizeof(*t));
	struct cp_tender cash = {CP_TENDER_CASH, 12000};
	struct cp_errbuf err = {{0}};

	assert_non_null(t);
	ok(cp_staff_set(env->db, "2002", "钱导购", CP_ROLE_GUIDE, "3333", &err), &err);
	ok(cp_staff_set_badge(env->db, "2001", "9900000020019", &err), &err);
	ok(cp_staff_set_badge(env->db, "2002", "9900000020026", &err), &err);
	ok(cp_guide_bind(env->db, &env->cashier, &b1, &br, &err), &err);
	ok(cp_guide_bind(env->db, &env->cashier, &b2, &br, &err), &err);
	sell(env, "A1", 3000, "M1", &r1); /* ¥28.00 credited to 2001, M1's guide */
	sell(env, "A1", 3000, "M2", &r2); /* ¥28.00 credited to 2002 */
	ok(cp_cart_scan(env->db, &env->cashier, "G120", 1, NULL, &err), &err);
	ok(cp_guide_serve(env->db, &env->cashier, "9900000020026", &g, &err), &err);
	ok(cp_sale_pay(env->db, &env->cashier, &cash, 1, &r3, &err), &err); /* 2002 served */
	req.receipt = r3.receipt;
	ok(cp_refund(env->db, &env->manager, &req, &rf, &err), &err); /* reverses ¥120.00 */
	ok(cp_report_tally(env->db, "2026-11-24", t, &err), &err);
	assert_int_equal(t->nguides, 2);
	assert_string_equal(t->guides[0].guide, "2001");
	assert_int_equal(t->guides[0].bound, 1);
	assert_int_equal(t->guides[0].credited.count, 1);
	assert_int_equal(t->guides[0].credited.amount, 2800);
	assert_int_equal(t->guides[0].reversed.count, 0);
	assert_int_equal(t->guides[0].net, 2800);
	assert_string_equal(t->guides[1].guide, "2002");
	assert_int_equal(t->guides[1].bound, 1);
	assert_int_equal(t->guides[1].credited.count, 2);
	assert_int_equal(t->guides[1].credited.amount, 2800 + 12000);
	assert_int_equal(t->guides[1].reversed.count, 1);
	assert_int_equal(t->guides[1].reversed.amount, 12000);
	assert_int_equal(t->guides[1].net, 2800);
	ok(cp_report_z(env->db, &env->manager, "2026-11-24", t, &err), &err);
	assert_int_equal(test_count(env, "SELECT json_extract(totals, '$.guides[1].net')"
					 " FROM day_close"),
			 2800);
	verify_ok(env);
	free(t);
}

/* verify recomputes each Z from the journal before it; an altered view row is found. */
static void test_verify_catches_alterations(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result r;
	struct cp_tally *t = calloc(1, sizeof(*t));
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};
	static const char *const edits[] = {
		"UPDATE day_close SET unacked = 0",
		"UPDATE shift SET float = 100",
		"UPDATE journal_day SET day = '2026-11-23' WHERE seq = 2",
		"UPDATE shift_move SET amount = 1",
		"UPDATE shift_close SET counted = counted + 1",
		"UPDATE sale SET member_saving = member_saving + 1",
		"UPDATE report_day_sum SET amount = amount + 1 WHERE what = 'sale' AND key = 'all'",
		"DELETE FROM report_day_sum WHERE what = 'hour'",
	};

	assert_non_null(t);
	sell(env, "A1", 3000, NULL, &r);
	ok(cp_shift_move(env->db, &env->manager, true, 2000, "bank", &err), &err);
	ok(cp_report_z(env->db, &env->manager, "2026-11-24", t, &err), &err);
	{
		struct cp_shift_count c = {.total = 1};
		struct cp_shift_view v;

		ok(cp_shift_close(env->db, &env->manager, &c, &v, &err), &err);
	}
	verify_ok(env);
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		assert_int_equal(sqlite3_exec(env->db->h, "SAVEPOINT s", NULL, NULL, NULL), 0);
		assert_int_equal(sqlite3_exec(env->db->h, edits[i], NULL, NULL, NULL), 0);
		assert_int_equal(sqlite3_exec(env->db->h, "RELEASE s", NULL, NULL, NULL), 0);
		assert_int_equal(cp_journal_verify(env->db, &rep, &err), CP_ECORRUPT);
		test_env_close(env);
		free(t);
		setup(state);
		env = *state;
		t = calloc(1, sizeof(*t));
		sell(env, "A1", 3000, NULL, &r);
		ok(cp_shift_move(env->db, &env->manager, true, 2000, "bank", &err), &err);
		ok(cp_report_z(env->db, &env->manager, "2026-11-24", t, &err), &err);
		{
			struct cp_shift_count c = {.total = 1};
			struct cp_shift_view v;

			ok(cp_shift_close(env->db, &env->manager, &c, &v, &err), &err);
		}
	}
	free(t);
}

/* A Z whose totals were rewritten (and re-hashed by someone holding the key) is found. */
static void rewrite_z(void **state, int old_z)
{
	struct test_env *env = *state;
	struct cp_sale_result r;
	struct cp_tally *t = calloc(1, sizeof(*t));
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};
	sqlite3_stmt *st;
	uint8_t prev[32], hash[32], key[CP_JOURNAL_KEY_LEN], start[CP_JOURNAL_KEY_LEN];
	struct cp_verify_options vopt = {0};
	char *text;
	json_t *p;

	assert_non_null(t);
	sell(env, "A1", 3000, "M1", &r); /* a member-price saving of ¥2.00 */
	ok(cp_report_z(env->db, &env->manager, "2026-11-24", t, &err), &err);
	verify_ok(env);
	/* rewrite the Z's payload with sales of ¥1.00 less, and chain and seal it properly, with
	 * the key of its row derived from the starting key (which only the handle that made the
	 * database holds): everything but the totals holds, so only the Z check can find it */
	assert_int_equal(cp_journal_start_key(env->db, key, &err), CP_OK);
	memcpy(start, key, sizeof(start));
	for (int64_t n = 1; n < t->z_seq; n++)
		assert_int_equal(cp_seal_next(key, key), 0);
	assert_int_equal(sqlite3_prepare_v2(env->db->h,
					    "SELECT j.payload, p.hash FROM journal j JOIN journal p"
					    " ON p.seq = j.seq - 1 WHERE j.type = 'day_close'",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	p = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
	memcpy(prev, sqlite3_column_blob(st, 1), 32);
	sqlite3_finalize(st);
	if (old_z == 1) /* as a Z taken before the tally had guides */
		json_object_del(json_object_get(p, "totals"), "guides");
	else if (old_z == 2) /* ... or before it had the member-price saving */
		json_object_del(json_object_get(p, "totals"), "member_savings");
	else if (old_z == 3) { /* ... or before the discounts by kind: gross the lines paid */
		json_object_del(json_object_get(p, "totals"), "discount_kinds");
		json_object_set_new(json_object_get(p, "totals"), "gross", json_integer(2800));
		json_object_set_new(json_object_get(p, "totals"), "discounts", json_integer(0));
	} else
		json_object_set_new(json_object_get(json_object_get(p, "totals"), "sales"),
				    "amount", json_integer(t->sales.amount - 100));
	text = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
	assert_int_equal(cp_journal_hash(key, prev, t->z_seq, text, strlen(text), hash), 0);
	assert_int_equal(
		sqlite3_prepare_v2(env->db->h,
				   "UPDATE journal SET payload = ?1, hash = ?2 WHERE seq = ?3", -1,
				   &st, NULL),
		SQLITE_OK);
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, t->z_seq);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	vopt.start_key = start;
	if (old_z) {
		assert_int_equal(sqlite3_exec(env->db->h,
					      old_z == 1 ? "UPDATE day_close SET totals ="
							   " json_remove(totals, '$.guides')"
					      : old_z == 2
						      ? "UPDATE day_close SET totals ="
							" json_remove(totals, '$.member_savings')"
						      : "UPDATE day_close SET totals = json_set("
							"json_remove(totals, '$.discount_kinds'),"
							" '$.gross', 2800, '$.discounts', 0)",
					      NULL, NULL, NULL),
				 SQLITE_OK);
		ok(cp_journal_verify_with(env->db, &vopt, &rep, &err), &err);
	} else {
		assert_int_equal(cp_journal_verify_with(env->db, &vopt, &rep, &err), CP_ECORRUPT);
		if (!strstr(err.msg, "does not match the journal it covers"))
			fail_msg("verify said: %s", err.msg);
		assert_int_equal(rep.first_bad_seq, t->z_seq);
	}
	free(text);
	json_decref(p);
	free(t);
}

static void test_verify_recomputes_z(void **state)
{
	rewrite_z(state, 0);
}

/* A Z taken before the tally had the member-price saving carries no "member_savings". */
static void test_verify_old_z_without_savings(void **state)
{
	rewrite_z(state, 2);
}

/* A Z taken before the discounts by kind carries none, its gross the lines as paid and its
 * discounts 0: verify still accepts it. */
static void test_verify_old_z_without_discount_kinds(void **state)
{
	rewrite_z(state, 3);
}

/* A Z taken before the tally had guides carries no "guides": verify still accepts it. */
static void test_verify_old_z_without_guides(void **state)
{
	rewrite_z(state, 1);
}

/* A database from before the day's summary: migrating sums its sales (and takes each sale's
 * saving from its payload), so that the tally and verify agree with what was sold. */
static void test_migration_sums_old_sales(void **state)
{
	struct test_env *env = *state;
	struct cp_sale_result r;
	struct cp_tally *before = calloc(1, sizeof(*before)), *after = calloc(1, sizeof(*after));
	struct cp_db_options opt;
	struct cp_errbuf err = {{0}};
	char sql[160];

	assert_non_null(before);
	assert_non_null(after);
	sell(env, "A1", 3000, "M1", &r);
	sell(env, "G120", 12000, NULL, &r);
	ok(cp_report_tally(env->db, "2026-11-24", before, &err), &err);
	assert_int_equal(before->member_savings, 200);
	/* back to schema 15, before step 16; the steps after it are undone too, so that they
	 * run again: 17, item search, consent and the sync stop's id (issue 12) */
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", 15);
	assert_int_equal(sqlite3_exec(env->db->h,
				      "DROP TRIGGER item_fts_ai; DROP TRIGGER item_fts_ad;"
				      " DROP TRIGGER item_fts_au; DROP TABLE item_fts;"
				      " DROP TABLE item_gram; DROP TABLE member_consent;"
				      " ALTER TABLE item DROP COLUMN initials;"
				      " ALTER TABLE sync_state DROP COLUMN stop_id;"
				      " ALTER TABLE sync_state DROP COLUMN stop_args;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_exec(env->db->h,
				      "DROP TABLE tier_discount; DROP TABLE cart_discount;"
				      " DROP TABLE sale_discount;"
				      " DROP TABLE benefit; DROP TABLE benefit_grant;"
				      " DROP TABLE benefit_known;"
				      " ALTER TABLE cart_line DROP COLUMN benefit_seq;"
				      " DROP TABLE refund_part;"
				      " DROP TABLE report_day_sum; DROP INDEX guide_credit_day;"
				      " DROP INDEX sale_change; DROP INDEX tender_cash;"
				      " DROP INDEX journal_day_seq;"
				      " ALTER TABLE sale DROP COLUMN member_saving;"
				      " DROP TABLE report_line_discount",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_exec(env->db->h, sql, NULL, NULL, NULL), SQLITE_OK);
	cp_db_close(env->db);
	memset(&opt, 0, sizeof(opt));
	opt.path = env->path;
	opt.clock = &env->clock;
	ok(cp_db_open(&env->db, &opt, &err), &err);
	ok(cp_report_tally(env->db, "2026-11-24", after, &err), &err);
	assert_memory_equal(before, after, sizeof(*before));
	verify_ok(env);
	free(before);
	free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sale_needs_open_shift, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cash_count_and_over_short, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tally_and_z, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tally_per_guide, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_catches_alterations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_recomputes_z, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_old_z_without_guides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_old_z_without_savings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_old_z_without_discount_kinds, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_migration_sums_old_sales, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
