/* test_refund_noreceipt.c — refunds without a receipt (无单退货): a manager's authority only,
 * every refusal (reason, price, quantity, item, limit) made before the PIN and writing
 * nothing, the money back in cash, no member and no claw-back, its own line in the tally and
 * the Z report, its refund slip, and verify replaying the event (and failing when its row is
 * altered). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "barcode.h"
#include "db_int.h"
#include "journal.h"
#include "receipt.h"
#include "refund_noreceipt.h"
#include "report.h"
#include "support.h"

static struct test_env env;

static int setup(void **state)
{
	(void)state;
	test_env_open(&env, "refund_noreceipt", true);
	/* apples by weight: PLU 10001, ¥12.80 a kg */
	assert_int_equal(sqlite3_exec(env.db->h,
				      "INSERT INTO item(sku, barcode, name_zh, name_en, category,"
				      " price, member_price) VALUES('10001', NULL, '苹果（散称）',"
				      " 'Apples', 'FOOD', 1280, 1080)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

/* What the journal and the tables hold, to show that a refusal wrote nothing. */
static int64_t written(void)
{
	return test_count(&env, "SELECT count(*) FROM journal") * 1000000 +
	       test_count(&env, "SELECT count(*) FROM refund_noreceipt") * 1000 +
	       test_count(&env, "SELECT count(*) FROM tender");
}

static struct cp_refund_noreceipt_req good(void)
{
	return (struct cp_refund_noreceipt_req){.code = "A1",
						.qty = 2,
						.reason = "顾客退货，包装完好",
						.manager_code = "9001",
						.manager_pin = "9999"};
}

/* req refused with want, before any PIN is checked (a wrong one is given: it is never
 * counted), writing nothing; the message holds part. */
static void refused(struct cp_refund_noreceipt_req req, enum cp_err want, const char *part)
{
	struct cp_refund_noreceipt_result r;
	struct cp_errbuf err = {{0}};
	int64_t before = written();

	req.manager_pin = "0000";
	assert_int_equal(cp_refund_noreceipt(env.db, &env.cashier, &req, &r, &err), want);
	if (!strstr(err.msg, part))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, part);
	assert_int_equal(written(), before);
	assert_int_equal(test_count(&env, "SELECT failed FROM staff WHERE code = '9001'"), 0);
}

static void test_quote_writes_nothing(void **state)
{
	struct cp_refund_noreceipt_req req = good();
	struct cp_refund_noreceipt_quote q;
	int64_t before = written();

	(void)state;
	OK(cp_refund_noreceipt_quote(env.db, &env.cashier, &req, &q, &e_));
	assert_string_equal(q.sku, "A1");
	assert_int_equal(q.list_price, 3000);
	assert_int_equal(q.unit_price, 3000);
	assert_int_equal(q.amount, 6000);
	assert_int_equal(q.limit, CP_NORECEIPT_DEFAULT_LIMIT);
	/* the manager's price instead of the list price */
	req.price_set = true;
	req.price = 2550;
	OK(cp_refund_noreceipt_quote(env.db, &env.cashier, &req, &q, &e_));
	assert_int_equal(q.unit_price, 2550);
	assert_int_equal(q.amount, 5100);
	/* a weight label: 512 g of apples at ¥12.80 a kg, ¥6.55, one unit */
	req = good();
	req.code = "2110001005121";
	req.qty = 1;
	OK(cp_refund_noreceipt_quote(env.db, &env.cashier, &req, &q, &e_));
	assert_string_equal(q.sku, "10001");
	assert_int_equal(q.weight_g, 512);
	assert_int_equal(q.list_price, 655);
	assert_int_equal(q.amount, 655);
	assert_int_equal(written(), before);
}

static void test_refusals_write_nothing(void **state)
{
	struct cp_refund_noreceipt_req req;
	char longer[CP_NORECEIPT_REASON_MAX + 2];

	(void)state;
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	req = good();
	req.reason = "";
	refused(req, CP_EINVAL, "needs a reason");
	req.reason = "   ";
	refused(req, CP_EINVAL, "needs a reason");
	req.reason = NULL;
	refused(req, CP_EINVAL, "needs a reason");
	req.reason = longer;
	refused(req, CP_EINVAL, "too long");
	req.reason = "bad \xff\xfe bytes";
	refused(req, CP_EINVAL, "not text");
	req.reason = "tab\there";
	refused(req, CP_EINVAL, "not text");
	req = good();
	req.price_set = true;
	req.price = 0;
	refused(req, CP_EINVAL, "more than 0.00");
	req.price = -100;
	refused(req, CP_EINVAL, "more than 0.00");
	req.price = INT64_MAX / 2 + 1;
	refused(req, CP_EOVERFLOW, "too large");
	req = good();
	req.qty = 0;
	refused(req, CP_EINVAL, "1 to 9999");
	req.qty = 10000;
	refused(req, CP_EINVAL, "1 to 9999");
	req.qty = -1;
	refused(req, CP_EINVAL, "1 to 9999");
	req = good();
	req.code = "6900000000007"; /* a valid EAN-13 the catalogue does not have */
	refused(req, CP_ENOTFOUND, "6900000000007");
	req.code = "";
	refused(req, CP_EINVAL, "scan the item");
	/* over the limit: 5 x ¥120.00 against ¥500.00, the limit named */
	req = good();
	req.code = "G120";
	req.qty = 5;
	refused(req, CP_EPERM, "¥500.00");
	/* a configured limit */
	env.db->noreceipt_limit = 5000;
	req = good();
	refused(req, CP_EPERM, "¥50.00");
	env.db->noreceipt_limit = 0;
	/* a weighed item's label is one unit */
	req = good();
	req.code = "2010001012344";
	refused(req, CP_EINVAL, "quantity 1");
}

static void test_only_a_manager(void **state)
{
	struct cp_refund_noreceipt_req req = good();
	struct cp_refund_noreceipt_result r;
	struct cp_errbuf err = {{0}};
	int64_t before = written();

	(void)state;
	/* a cashier alone */
	req.manager_code = req.manager_pin = NULL;
	assert_int_equal(cp_refund_noreceipt(env.db, &env.cashier, &req, &r, &err), CP_EPERM);
	/* a cashier's own code and PIN as the authority */
	req.manager_code = "1001";
	req.manager_pin = "1234";
	assert_int_equal(cp_refund_noreceipt(env.db, &env.cashier, &req, &r, &err), CP_EPERM);
	/* a manager's code with a wrong PIN: counted */
	req.manager_code = "9001";
	req.manager_pin = "0000";
	assert_int_equal(cp_refund_noreceipt(env.db, &env.cashier, &req, &r, &err), CP_EAUTH);
	assert_int_equal(test_count(&env, "SELECT failed FROM staff WHERE code = '9001'"), 1);
	assert_int_equal(written(), before);
	/* nobody logged in */
	{
		struct cp_session nobody;

		memset(&nobody, 0, sizeof(nobody));
		assert_int_equal(cp_refund_noreceipt(env.db, &nobody, &req, &r, &err), CP_EAUTH);
	}
	assert_int_equal(written(), before);
	/* the right PIN clears the count */
	req = good();
	OK(cp_refund_noreceipt(env.db, &env.cashier, &req, &r, &e_));
	assert_string_equal(r.authorised_by, "9001");
	assert_int_equal(test_count(&env, "SELECT failed FROM staff WHERE code = '9001'"), 0);
}

static void test_refund_in_cash_no_member(void **state)
{
	struct cp_refund_noreceipt_req req = good();
	struct cp_refund_noreceipt_result r;
	struct cp_receipt_view *v = test_malloc(sizeof(*v));
	int64_t movements = test_count(&env, "SELECT count(*) FROM movement");
	char sql[256];

	(void)state;
	req.price_set = true;
	req.price = 2800;
	/* a manager's own session needs no second PIN */
	req.manager_code = req.manager_pin = NULL;
	OK(cp_refund_noreceipt(env.db, &env.manager, &req, &r, &e_));
	assert_int_equal(r.q.amount, 5600);
	assert_string_equal(r.authorised_by, "9001");
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM tender WHERE seq = %lld AND method = 'cash'"
		 " AND amount = -5600",
		 (long long)r.seq);
	assert_int_equal(test_count(&env, sql), 1);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM journal WHERE seq = %lld AND type = 'refund_noreceipt'"
		 " AND json_extract(payload, '$.member') IS NULL",
		 (long long)r.seq);
	assert_int_equal(test_count(&env, sql), 1);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM movement"), movements);
	/* its slip */
	OK(cp_receipt_get(env.db, r.receipt, v, &e_));
	assert_int_equal(v->kind, CP_RECEIPT_NORECEIPT);
	assert_int_equal(v->nlines, 1);
	assert_int_equal(v->lines[0].qty, 2);
	assert_int_equal(v->lines[0].unit_price, 2800);
	assert_int_equal(v->total, 5600);
	assert_int_equal(v->ntenders, 1);
	assert_int_equal(v->tenders[0].method, CP_TENDER_CASH);
	assert_int_equal(v->tenders[0].amount, 5600);
	assert_string_equal(v->reason, "顾客退货，包装完好");
	assert_string_equal(v->authorised_by, "9001");
	assert_false(v->has_member);
	OK(cp_receipt_keep(env.db, r.receipt, "slip", &e_));
	/* a weighed item by its price label: ¥12.34 */
	req = good();
	req.code = "2010001012344";
	req.qty = 1;
	OK(cp_refund_noreceipt(env.db, &env.cashier, &req, &r, &e_));
	assert_string_equal(r.q.sku, "10001");
	assert_int_equal(r.q.amount, 1234);
	test_free(v);
}

static void test_tally_and_z(void **state)
{
	struct cp_tally *t = test_malloc(sizeof(*t));
	char day[11];
	int64_t refunds, count, cash = 0;

	(void)state;
	OK(cp_report_today(env.db, day, &e_));
	OK(cp_report_tally(env.db, day, t, &e_));
	/* three refunds so far in this file's tests: 6000 + 5600 + 1234 */
	assert_int_equal(t->noreceipt.count, 3);
	assert_int_equal(t->noreceipt.amount, 6000 + 5600 + 1234);
	assert_int_equal(t->refunds.count, 3);
	assert_int_equal(t->refunds.amount, 12834);
	assert_int_equal(t->net, t->sales.amount - 12834);
	for (int i = 0; i < t->ntenders; i++)
		if (strcmp(t->tenders[i].method, "cash") == 0)
			cash = t->tenders[i].amount;
	assert_int_equal(cash, -12834);
	refunds = t->refunds.amount;
	count = t->refunds.count;
	{
		char *json = cp_report_json(t, "x", "S001", "T01");

		assert_non_null(json);
		assert_non_null(strstr(json, "\"noreceipt\":{\"amount\":12834,\"count\":3}"));
		free(json);
	}
	OK(cp_report_z(env.db, &env.manager, day, t, &e_));
	assert_int_equal(t->refunds.amount, refunds);
	assert_int_equal(t->refunds.count, count);
	test_free(t);
}

static void test_verify_replays(void **state)
{
	static const char *const tamper[][2] = {
		{"UPDATE refund_noreceipt SET amount = amount - 100 WHERE qty = 2 AND"
		 " unit_price = 3000",
		 "UPDATE refund_noreceipt SET amount = amount + 100 WHERE qty = 2 AND"
		 " unit_price = 3000"},
		{"UPDATE refund_noreceipt SET reason = 'x' WHERE sku = '10001'",
		 "UPDATE refund_noreceipt SET reason = '顾客退货，包装完好' WHERE sku = '10001'"},
	};
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	(void)state;
	OK(cp_journal_verify(env.db, &rep, &e_));
	assert_int_equal(test_count(&env, "SELECT count(*) FROM refund_noreceipt"), 3);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(sqlite3_exec(env.db->h, tamper[i][0], NULL, NULL, NULL),
				 SQLITE_OK);
		assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_ECORRUPT);
		assert_int_equal(sqlite3_exec(env.db->h, tamper[i][1], NULL, NULL, NULL),
				 SQLITE_OK);
		OK(cp_journal_verify(env.db, &rep, &e_));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_writes_nothing),
		cmocka_unit_test(test_refusals_write_nothing),
		cmocka_unit_test(test_only_a_manager),
		cmocka_unit_test(test_refund_in_cash_no_member),
		cmocka_unit_test(test_tally_and_z),
		cmocka_unit_test(test_verify_replays),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
