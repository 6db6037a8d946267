/* test_consent.c — consent to the membership terms at registration (PIPL): refused without it
 * or with terms no longer in force, changing nothing; recorded with the terms' version (HQ's,
 * the till's configuration, or the default) in the registration's journal event and in
 * member_consent, which verify rebuilds from the journal and so catches when it is edited. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "consent.h"
#include "db_int.h"
#include "journal.h"
#include "member.h"
#include "support.h"

static int setup(void **state)
{
	static struct test_env env;

	test_env_open(&env, "consent", true);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_close(*state);
	return 0;
}

static void exec(struct test_env *env, const char *sql)
{
	assert_int_equal(sqlite3_exec(env->db->h, sql, NULL, NULL, NULL), SQLITE_OK);
}

/* The registration payload's text of key (as JSON), from the newest journal row. */
static char *payload_field(struct test_env *env, const char *key)
{
	static char out[128];
	sqlite3_stmt *st;
	json_t *p;

	assert_int_equal(sqlite3_prepare_v2(env->db->h,
					    "SELECT payload FROM journal ORDER BY seq DESC LIMIT 1",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	p = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
	sqlite3_finalize(st);
	assert_non_null(p);
	if (json_is_string(json_object_get(p, key)))
		snprintf(out, sizeof(out), "%s", json_string_value(json_object_get(p, key)));
	else
		snprintf(out, sizeof(out), "%s",
			 json_is_true(json_object_get(p, key)) ? "true" : "?");
	json_decref(p);
	return out;
}

static void test_refused_without_consent(void **state)
{
	struct test_env *env = *state;
	struct cp_member_new m = {.phone = "13700000003", .name = "王五"};
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};
	int64_t journal = test_count(env, "SELECT count(*) FROM journal");
	int64_t members = test_count(env, "SELECT count(*) FROM member");

	assert_int_equal(cp_member_register(env->db, &env->cashier, &m, &v, &err), CP_EINVAL);
	assert_string_equal(err.msg, "the shopper has not agreed to the membership terms (version "
				     "1): ask them, and register only once they agree");
	assert_int_equal(test_count(env, "SELECT count(*) FROM journal"), journal);
	assert_int_equal(test_count(env, "SELECT count(*) FROM member"), members);
	assert_int_equal(test_count(env, "SELECT count(*) FROM member_consent"), 0);
}

/* The shopper agreed to version 1, but HQ has sent version 2 since the question was asked. */
static void test_refused_when_terms_changed(void **state)
{
	struct test_env *env = *state;
	struct cp_member_new m = {.phone = "13700000003", .consent = true, .terms_version = "1"};
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};
	char version[CP_TERMS_VERSION_MAX + 1];

	exec(env, "INSERT INTO hq_config(name, value) VALUES('terms_version', '2')");
	assert_int_equal(cp_consent_terms_version(env->db, version, &err), CP_OK);
	assert_string_equal(version, "2");
	assert_int_equal(cp_member_register(env->db, &env->cashier, &m, &v, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "now version 2"));
	assert_int_equal(test_count(env, "SELECT count(*) FROM member_consent"), 0);
	m.terms_version = "2";
	assert_int_equal(cp_member_register(env->db, &env->cashier, &m, &v, &err), CP_OK);
	assert_string_equal(payload_field(env, "terms_version"), "2");
}

static void test_version_sources(void **state)
{
	struct test_env *env = *state;
	struct cp_errbuf err = {{0}};
	char version[CP_TERMS_VERSION_MAX + 1];

	assert_int_equal(cp_consent_terms_version(env->db, version, &err), CP_OK);
	assert_string_equal(version, CP_TERMS_VERSION_DEFAULT);
	snprintf(env->db->terms_version, sizeof(env->db->terms_version), "2026-12");
	assert_int_equal(cp_consent_terms_version(env->db, version, &err), CP_OK);
	assert_string_equal(version, "2026-12");
	exec(env, "INSERT INTO hq_config(name, value) VALUES('terms_version', 'HQ-3')");
	assert_int_equal(cp_consent_terms_version(env->db, version, &err), CP_OK);
	assert_string_equal(version, "HQ-3");
}

static void test_recorded_and_verified(void **state)
{
	struct test_env *env = *state;
	struct cp_member_new m = {.phone = "13700000003", .name = "王五", .consent = true};
	struct cp_member_view v;
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};
	int64_t seq;

	assert_int_equal(cp_member_register(env->db, &env->cashier, &m, &v, &err), CP_OK);
	seq = test_count(env, "SELECT max(seq) FROM journal");
	assert_string_equal(payload_field(env, "consent"), "true");
	assert_string_equal(payload_field(env, "terms_version"), "1");
	assert_int_equal(test_count(env, "SELECT count(*) FROM member_consent WHERE member_id ="
					 " 'L-S001-T01-1' AND terms_version = '1' AND seq ="
					 " (SELECT max(seq) FROM journal)"),
			 1);
	assert_int_equal(cp_journal_verify(env->db, &rep, &err), CP_OK);
	/* the consent edited behind core's back */
	exec(env, "UPDATE member_consent SET terms_version = '0'");
	assert_int_equal(cp_journal_verify(env->db, &rep, &err), CP_ECORRUPT);
	assert_int_equal(rep.first_bad_seq, seq);
	assert_non_null(strstr(err.msg, "member_consent"));
	/* or removed */
	exec(env, "DELETE FROM member_consent");
	assert_int_equal(cp_journal_verify(env->db, &rep, &err), CP_ECORRUPT);
	assert_non_null(strstr(err.msg, "member_consent"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_refused_without_consent),
		T(test_refused_when_terms_changed),
		T(test_version_sources),
		T(test_recorded_and_verified),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
