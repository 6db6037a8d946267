/* test_guide.c — shopping guides (issue 10): binding, refresh, takeover inside and after the
 * protection, always/never protected, unbinding, the credited guide of member and non-member
 * sales, refunds reversing credit, a purchase extending the protection, every bad input
 * refused with nothing written, verify replaying the events, and the guide's day. */
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
#include "guide.h"
#include "journal.h"
#include "member.h"
#include "refund.h"
#include "sale.h"
#include "staff.h"
#include "support.h"

#define BADGE_2001 "9900000020019"
#define BADGE_2002 "9900000020026"
#define BADGE_1001 "9900000010010" /* a cashier's */
#define BADGE_2003 "9900000020033" /* an inactive guide's */

static struct cp_session guide1;

static void ok(enum cp_err rc, const struct cp_errbuf *err)
{
	if (rc != CP_OK)
		fail_msg("rc %d: %s", rc, err->msg);
}

static void sql(struct test_env *env, const char *text)
{
	assert_int_equal(sqlite3_exec(env->db->h, text, NULL, NULL, NULL), SQLITE_OK);
}

static int setup(void **state)
{
	static struct test_env env;
	struct cp_errbuf err = {{0}};

	test_env_open(&env, "guide", true);
	ok(cp_staff_set(env.db, "2002", "钱导购", CP_ROLE_GUIDE, "3333", &err), &err);
	ok(cp_staff_set(env.db, "2003", "孙导购", CP_ROLE_GUIDE, "4444", &err), &err);
	ok(cp_staff_set_badge(env.db, "2001", BADGE_2001, &err), &err);
	ok(cp_staff_set_badge(env.db, "2002", BADGE_2002, &err), &err);
	ok(cp_staff_set_badge(env.db, "2003", BADGE_2003, &err), &err);
	ok(cp_staff_set_badge(env.db, "1001", BADGE_1001, &err), &err);
	sql(&env, "UPDATE staff SET active = 0 WHERE code = '2003'");
	ok(cp_staff_login(env.db, "2001", "2222", &guide1, NULL, &err), &err);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_close(*state);
	return 0;
}

static int64_t journal_rows(struct test_env *env)
{
	return test_count(env, "SELECT count(*) FROM journal");
}

static void guide_is(struct test_env *env, const char *member, const char *guide)
{
	struct cp_member_view m;
	struct cp_errbuf err = {{0}};

	ok(cp_member_get(env->db, member, &m, &err), &err);
	assert_string_equal(m.guide, guide);
}

static void verify_ok(struct test_env *env)
{
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	ok(cp_journal_verify(env->db, &rep, &err), &err);
}

static enum cp_err bind(struct test_env *env, const char *member, const char *badge,
			const char *mgr, const char *pin, const char *reason,
			struct cp_guide_bind_result *r, struct cp_errbuf *err)
{
	struct cp_guide_bind_req req = {.member_id = member,
					.badge = badge,
					.manager_code = mgr,
					.manager_pin = pin,
					.reason = reason};

	return cp_guide_bind(env->db, &env->cashier, &req, r, err);
}

/* The guide scans their badge while the member is attached to the sale. */
static void test_first_binding_with_member_attached(void **state)
{
	struct test_env *env = *state;
	struct cp_guide_bind_req req = {.badge = BADGE_2001};
	struct cp_guide_bind_result r;
	struct cp_errbuf err = {{0}};

	ok(cp_cart_set_member(env->db, &env->cashier, "M1", &err), &err);
	ok(cp_guide_bind(env->db, &env->cashier, &req, &r, &err), &err);
	assert_string_equal(r.kind, "bind");
	assert_string_equal(r.member, "M1");
	assert_string_equal(r.guide.code, "2001");
	assert_string_equal(r.previous, "");
	assert_int_equal(r.protected_until, env->now + 90 * TEST_DAY_MS);
	guide_is(env, "M1", "2001");
	assert_int_equal(test_count(env,
				    "SELECT count(*) FROM guide_event WHERE kind = 'bind'"
				    " AND member_id = 'M1' AND guide = '2001' AND staff = '1001'"),
			 1);
	assert_int_equal(test_count(env, "SELECT count(*) FROM journal WHERE type = 'guide_bind'"),
			 1);
	verify_ok(env);
}

static void test_refresh(void **state)
{
	struct test_env *env = *state;
	struct cp_guide_bind_result r;
	struct cp_errbuf err = {{0}};

	ok(bind(env, "M1", BADGE_2001, NULL, NULL, NULL, &r, &err), &err);
	env->now += 10 * TEST_DAY_MS;
	ok(bind(env, "M1", BADGE_2001, NULL, NULL, NULL, &r, &err), &err);
	assert_string_equal(r.kind, "refresh");
	assert_string_equal(r.previous, "2001");
	assert_int_equal(
		test_count(env, "SELECT bound_at FROM guide_binding WHERE member_id = 'M1'"),
		env->now);
	verify_ok(env);
}

static void test_takeover_refused_inside_protection(void **state)
{
	struct test_env *env = *state;
	struct cp_guide_bind_result r;
	struct cp_errbuf err = {{0}};
	int64_t rows;

	ok(bind(env, "M1", BADGE_2001, NULL, NULL, NULL, &r, &err), &err);
	env->now += 89 * TEST_DAY_MS;
	rows = journal_rows(env);
	assert_int_equal(bind(env, "M1", BADGE_2002, NULL, NULL, "moved", &r, &err), CP_EPERM);
	assert_non_null(strstr(err.msg, "protected until"));
	assert_non_null(strstr(err.msg, "manager"));
	assert_int_equal(journal_rows(env), rows);
	guide_is(env, "M1", "2001");
}

static void test_takeover_with_manager(void **state)
{
	struct test_env *env = *state;
	struct cp_guide_bind_result r;
	struct cp_errbuf err = {{0}};

	ok(bind(env, "M1", BADGE_2001, NULL, NULL, NULL, &r, &err), &err);
	ok(bind(env, "M1", BADGE_2002, "9001", "9999", "the member asked for her", &r, &err), &err);
	assert_string_equal(r.kind, "takeover");
	assert_string_equal(r.previous, "2001");
	assert_string_equal(r.authorised_by, "9001");
	guide_is(env, "M1", "2002");
	assert_int_equal(test_count(env, "SELECT count(*) FROM guide_event WHERE kind = 'takeover'"
					 " AND authorised_by = '9001' AND previous = '2001'"
					 " AND reason = 'the member asked for her'"),
			 1);
	verify_ok(env);
}

static void test_takeover_after_protection_runs_out(void **state)
{
	struct test_env *env = *state;
	struct cp_guide_bind_result r;
	struct cp_errbuf err = {{0}};

	ok(bind(env, "M1", BADGE_2001, NULL, NULL, NULL, &r, &err), &err);
	env->now += 90 * TEST_DAY_MS + 1;
	ok(bind(env, "M1", BADGE_2002, NULL, NULL, NULL, &r, &err), &err);
	assert_string_equal(r.kind, "takeover");
	assert_string_equal(r.authorised_by, "");
	guide_is(env, "M1", "2002");
	verify_ok(env);
}

static void test_always_and_never_protected(void **state)
{
	struct test_env *env = *state;
	struct cp_guide_bind_result r;
	struct cp_errbuf err = {{0}};
	int days = 0;

	ok(cp_guide_parse_protection("always", &days, &err), &err);
	assert_int_equal(days, CP_GUIDE_ALWAYS);
	cp_guide_configure(env->db, days, true);
	ok(bind(env, "M1", BADGE_2001, NULL, NULL, NULL, &r, &err), &err);
	env->now += 3000 * TEST_DAY_MS;
	assert_int_equal(bind(env, "M1", BADGE_2002, NULL, NULL, NULL, &r, &err), CP_EPERM);
	assert_non_null(strstr(err.msg, "protected always"));
	ok(cp_guide_parse_protection("never", &days, &err), &err);
	assert_int_equal(days, CP_GUIDE_NEVER);
	cp_guide_configure(env->db, days, true);
	ok(bind(env, "M2", BADGE_2001, NULL, NULL, NULL, &r, &err), &err);
	assert_int_equal(r.protected_until, 0);
	ok(bind(env, "M2", BADGE_2002, NULL, NULL, NULL, &r, &err), &err);
	assert_string_equal(r.kind, "takeover");
	assert_string_equal(r.authorised_by, "");
	assert_int_equal(cp_guide_parse_protection("ninety", &days, &err), CP_ECONFIG);
	assert_int_equal(cp_guide_parse_protection("4000", &days, &err), CP_ECONFIG);
	assert_int_equal(cp_guide_parse_protection("", &days, &err), CP_ECONFIG);
	ok(cp_guide_parse_protection("30", &days, &err), &err);
	assert_int_equal(days, 30);
	cp_guide_configure(env->db, CP_GUIDE_DEFAULT_DAYS, true);
}

static void test_unbind(void **state)
{
	struct test_env *env = *state;
	struct cp_guide_bind_req req = {.member_id = "M1"};
	struct cp_guide_bind_result r;
	struct cp_errbuf err = {{0}};
	int64_t rows;

	ok(bind(env, "M1", BADGE_2001, NULL, NULL, NULL, &r, &err), &err);
	rows = journal_rows(env);
	assert_int_equal(cp_guide_unbind(env->db, &env->cashier, &req, &r, &err), CP_EINVAL);
	req.reason = "guide left the store";
	assert_int_equal(cp_guide_unbind(env->db, &env->cashier, &req, &r, &err), CP_EPERM);
	assert_int_equal(journal_rows(env), rows);
	ok(cp_guide_unbind(env->db, &env->manager, &req, &r, &err), &err);
	assert_string_equal(r.kind, "unbind");
	assert_string_equal(r.previous, "2001");
	assert_string_equal(r.authorised_by, "9001");
	guide_is(env, "M1", "");
	assert_int_equal(test_count(env, "SELECT count(*) FROM guide_binding"), 0);
	assert_int_equal(cp_guide_unbind(env->db, &env->manager, &req, &r, &err), CP_ESTATE);
	verify_ok(env);
}

static void sell(struct test_env *env, const char *member, const char *serving,
		 struct cp_sale_result *s)
{
	struct cp_tender cash = {CP_TENDER_CASH, 100000};
	struct cp_guide_who g;
	struct cp_errbuf err = {{0}};

	ok(cp_cart_scan(env->db, &env->cashier, "A2", 1, NULL, &err), &err);
	ok(cp_cart_scan(env->db, &env->cashier, "G120", 1, NULL, &err), &err);
	if (member)
		ok(cp_cart_set_member(env->db, &env->cashier, member, &err), &err);
	if (serving)
		ok(cp_guide_serve(env->db, &env->cashier, serving, &g, &err), &err);
	ok(cp_sale_pay(env->db, &env->cashier, &cash, 1, s, &err), &err);
}

static int64_t credit_of(struct test_env *env, int64_t seq, char *guide, size_t len)
{
	sqlite3_stmt *st;
	int64_t amount = -1;

	guide[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(env->db->h,
					    "SELECT guide, amount FROM guide_credit WHERE seq = ?1",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, seq);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(guide, len, "%s", sqlite3_column_text(st, 0));
		amount = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return amount;
}

static void payload_guide_is(struct test_env *env, int64_t seq, const char *guide)
{
	char q[160];

	snprintf(q, sizeof(q),
		 "SELECT count(*) FROM journal WHERE seq = %lld AND"
		 " coalesce(json_extract(payload, '$.guide'), '') = '%s'",
		 (long long)seq, guide);
	assert_int_equal(test_count(env, q), 1);
}

static void test_credit_member_and_non_member_sales(void **state)
{
	struct test_env *env = *state;
	struct cp_guide_bind_result r;
	struct cp_sale_result s1, s2, s3, s4;
	struct cp_errbuf err = {{0}};
	char g[17];

	ok(bind(env, "M1", BADGE_2001, NULL, NULL, NULL, &r, &err), &err);
	/* The bound guide wins over a serving guide. */
	sell(env, "M1", BADGE_2002, &s1);
	assert_int_equal(credit_of(env, s1.seq, g, sizeof(g)), s1.total);
	assert_string_equal(g, "2001");
	payload_guide_is(env, s1.seq, "2001");
	/* A member without a guide, served by 2002. */
	sell(env, "M2", BADGE_2002, &s2);
	assert_int_equal(credit_of(env, s2.seq, g, sizeof(g)), s2.total);
	assert_string_equal(g, "2002");
	/* No member, served by 2002. */
	sell(env, NULL, BADGE_2002, &s3);
	assert_int_equal(credit_of(env, s3.seq, g, sizeof(g)), s3.total);
	assert_string_equal(g, "2002");
	assert_int_equal(test_count(env, "SELECT count(*) FROM journal WHERE json_extract(payload,"
					 " '$.guide_source') = 'serving'"),
			 2);
	/* Nobody: the serving guide of the sale before is not carried over. */
	sell(env, NULL, NULL, &s4);
	assert_int_equal(credit_of(env, s4.seq, g, sizeof(g)), -1);
	payload_guide_is(env, s4.seq, "");
	verify_ok(env);
}

static void test_refund_reverses_credit(void **state)
{
	struct test_env *env = *state;
	struct cp_guide_bind_result r;
	struct cp_sale_result s;
	struct cp_refund_result rf;
	struct cp_guide_day d;
	struct cp_errbuf err = {{0}};
	int line2[] = {2};
	struct cp_refund_req req = {.lines = line2, .nlines = 1};
	char g[17];

	ok(bind(env, "M1", BADGE_2001, NULL, NULL, NULL, &r, &err), &err);
	sell(env, "M1", NULL, &s);
	req.receipt = s.receipt;
	ok(cp_refund(env->db, &env->manager, &req, &rf, &err), &err);
	assert_int_equal(rf.amount, 12000);
	assert_int_equal(credit_of(env, rf.seq, g, sizeof(g)), -12000);
	assert_string_equal(g, "2001");
	ok(cp_guide_day(env->db, &guide1, NULL, &d, &err), &err);
	assert_int_equal(d.sales, 1);
	assert_int_equal(d.sales_amount, s.total);
	assert_int_equal(d.refunds, 1);
	assert_int_equal(d.refunds_amount, 12000);
	verify_ok(env);
}

static void test_purchase_extends_protection(void **state)
{
	struct test_env *env = *state;
	struct cp_guide_bind_result r;
	struct cp_sale_result s;
	struct cp_errbuf err = {{0}};

	ok(bind(env, "M1", BADGE_2001, NULL, NULL, NULL, &r, &err), &err);
	env->now += 80 * TEST_DAY_MS;
	sell(env, "M1", NULL, &s);
	env->now += 20 * TEST_DAY_MS; /* 100 days after binding, 20 after the purchase */
	assert_int_equal(bind(env, "M1", BADGE_2002, NULL, NULL, NULL, &r, &err), CP_EPERM);
	env->now += 71 * TEST_DAY_MS;
	ok(bind(env, "M1", BADGE_2002, NULL, NULL, NULL, &r, &err), &err);
	assert_string_equal(r.kind, "takeover");
	verify_ok(env);
}

static void refused(struct test_env *env, enum cp_err want, enum cp_err got,
		    const struct cp_errbuf *err, const char *word, int64_t rows)
{
	if (got != want || !strstr(err->msg, word))
		fail_msg("want %d mentioning \"%s\", got %d: %s", want, word, got, err->msg);
	assert_null(strchr(err->msg, '\n'));
	assert_int_equal(journal_rows(env), rows);
}

static void test_bad_input(void **state)
{
	struct test_env *env = *state;
	struct cp_guide_bind_result r;
	struct cp_guide_bind_req req = {.badge = BADGE_2001};
	struct cp_errbuf err = {{0}};
	int64_t rows;

	ok(bind(env, "M1", BADGE_2001, NULL, NULL, NULL, &r, &err), &err);
	rows = journal_rows(env);
	refused(env, CP_ENOTFOUND, bind(env, "M2", "9900000020040", NULL, NULL, NULL, &r, &err),
		&err, "not known", rows);
	refused(env, CP_EINVAL, bind(env, "M2", "9900000020041", NULL, NULL, NULL, &r, &err), &err,
		"not a badge", rows);
	refused(env, CP_EPERM, bind(env, "M2", BADGE_2003, NULL, NULL, NULL, &r, &err), &err,
		"no longer active", rows);
	refused(env, CP_EPERM, bind(env, "M2", BADGE_1001, NULL, NULL, NULL, &r, &err), &err,
		"not a guide", rows);
	refused(env, CP_EPERM, bind(env, "M1", BADGE_2002, "1001", "1234", "asked", &r, &err), &err,
		"cashier", rows);
	refused(env, CP_EINVAL, bind(env, "M1", BADGE_2002, "9001", "9999", NULL, &r, &err), &err,
		"reason", rows);
	refused(env, CP_EAUTH, bind(env, "M1", BADGE_2002, "9001", "0000", "asked", &r, &err), &err,
		"PIN", rows);
	assert_int_equal(test_count(env, "SELECT failed FROM staff WHERE code = '9001'"), 1);
	/* No member: nothing attached to the (absent) sale. */
	refused(env, CP_ESTATE, cp_guide_bind(env->db, &env->cashier, &req, &r, &err), &err,
		"no member is attached", rows);
	guide_is(env, "M1", "2001");
	guide_is(env, "M2", "");
}

static void test_verify_catches_altered_rows(void **state)
{
	struct test_env *env = *state;
	struct cp_guide_bind_result r;
	struct cp_sale_result s;
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};

	ok(bind(env, "M1", BADGE_2001, NULL, NULL, NULL, &r, &err), &err);
	sell(env, "M1", NULL, &s);
	verify_ok(env);
	sql(env, "UPDATE guide_credit SET guide = '2002'");
	assert_int_equal(cp_journal_verify(env->db, &rep, &err), CP_ECORRUPT);
	assert_non_null(strstr(err.msg, "guide_credit"));
	assert_int_equal(rep.first_bad_seq, s.seq);
	sql(env, "UPDATE guide_credit SET guide = '2001'");
	verify_ok(env);
	sql(env, "UPDATE guide_event SET guide = '2002'");
	assert_int_equal(cp_journal_verify(env->db, &rep, &err), CP_ECORRUPT);
	assert_non_null(strstr(err.msg, "guide_event"));
	assert_int_equal(rep.first_bad_seq, r.seq);
}

static void test_guide_registers_and_guide_day(void **state)
{
	struct test_env *env = *state;
	struct cp_member_new nm = {.consent = true, .phone = "13700000003", .name = "新会员"};
	struct cp_member_view v;
	struct cp_guide_bind_result r;
	struct cp_sale_result s;
	struct cp_guide_day d;
	struct cp_errbuf err = {{0}};

	ok(cp_member_register(env->db, &guide1, &nm, &v, &err), &err);
	assert_string_equal(v.guide, "2001");
	ok(bind(env, "M2", BADGE_2001, NULL, NULL, NULL, &r, &err), &err);
	sell(env, v.id, NULL, &s);
	ok(cp_guide_day(env->db, &guide1, NULL, &d, &err), &err);
	assert_string_equal(d.guide.code, "2001");
	assert_int_equal(d.sales, 1);
	assert_int_equal(d.sales_amount, s.total);
	assert_int_equal(d.bound_today, 2);
	assert_int_equal(d.bound_total, 2);
	assert_int_equal(d.expiring, 0);
	/* A manager scanning the guide's badge sees the same; a cashier without a badge not. */
	ok(cp_guide_day(env->db, &env->manager, BADGE_2001, &d, &err), &err);
	assert_int_equal(d.sales, 1);
	assert_int_equal(cp_guide_day(env->db, &env->cashier, NULL, &d, &err), CP_EPERM);
	/* 85 days on, both bindings run out within 7 days; the next day's tallies are empty. */
	env->now += 85 * TEST_DAY_MS;
	ok(cp_guide_day(env->db, &guide1, NULL, &d, &err), &err);
	assert_int_equal(d.sales, 0);
	assert_int_equal(d.bound_today, 0);
	assert_int_equal(d.bound_total, 2);
	assert_int_equal(d.expiring, 2);
	/* Configured off, a guide registering a member does not bind them. */
	cp_guide_configure(env->db, CP_GUIDE_DEFAULT_DAYS, false);
	nm.phone = "13700000004";
	ok(cp_member_register(env->db, &guide1, &nm, &v, &err), &err);
	assert_string_equal(v.guide, "");
	cp_guide_configure(env->db, CP_GUIDE_DEFAULT_DAYS, true);
	verify_ok(env);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_first_binding_with_member_attached),
		T(test_refresh),
		T(test_takeover_refused_inside_protection),
		T(test_takeover_with_manager),
		T(test_takeover_after_protection_runs_out),
		T(test_always_and_never_protected),
		T(test_unbind),
		T(test_credit_member_and_non_member_sales),
		T(test_refund_reverses_credit),
		T(test_purchase_extends_protection),
		T(test_bad_input),
		T(test_verify_catches_altered_rows),
		T(test_guide_registers_and_guide_day),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
