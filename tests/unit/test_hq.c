/* test_hq.c — the till's side of HQ's answers (core/hq.h, sync/PROTOCOL.md), fed the JSON bodies
 * HQ sends: enrolment, the outbox and push acknowledgements with member snapshots, change-feed
 * pages with notices, online lookups and the sync state. Every refused answer must leave the
 * whole database as it was, compared row by row through a connection of the test's own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "cart.h"
#include "catalog.h"
#include "changes_int.h"
#include "cp_crypto.h"
#include "db.h"
#include "db_int.h"
#include "earn.h"
#include "hq.h"
#include "journal.h"
#include "member.h"
#include "phone.h"
#include "sale.h"
#include "seal_int.h"
#include "staff.h"
#include "shift.h"
#include "support.h"
#include "text.h"

/* 32 bytes each, as HQ sends them: the request secret and the chain's phone key. */
#define SECRET "00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210"
#define PKEY "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
#define URL "https://hq.example.cn:8443"

static struct test_env env;
/* The rows the push being answered sent (see sent()); 0: "1 to the newest row". */
static int64_t sent_first, sent_last;

static int setup(void **state)
{
	(void)state;
	test_env_open_shift(&env, "hq", false); /* the journal holds only what a test records */
	sent_first = sent_last = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	return 0;
}

/* ---- looking at the database from outside ---- */

static sqlite3 *peek(void)
{
	sqlite3 *h = NULL;

	assert_int_equal(sqlite3_open_v2(env.path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	return h;
}

static int64_t count(const char *sql)
{
	sqlite3 *h = peek();
	sqlite3_stmt *st = NULL;
	int64_t n;

	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

/* The first column of the first row as text (malloc'd), NULL when there is no row. */
static char *text_of(const char *sql)
{
	sqlite3 *h = peek();
	sqlite3_stmt *st = NULL;
	char *out = NULL;

	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		out = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	return out;
}

struct buf {
	char *p;
	size_t n, cap;
};

static void put(struct buf *b, const char *s, size_t len)
{
	if (b->n + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->n + len + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		assert_non_null(p);
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
}

static void put_str(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void dump_table(sqlite3 *h, const char *name, struct buf *b)
{
	sqlite3_stmt *st = NULL;
	char sql[128], num[64];

	snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", name);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	put_str(b, "## ");
	put_str(b, name);
	put_str(b, "\n");
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const uint8_t *blob;
			int len;

			switch (sqlite3_column_type(st, i)) {
			case SQLITE_NULL:
				put_str(b, "NULL");
				break;
			case SQLITE_INTEGER:
				snprintf(num, sizeof(num), "%lld",
					 (long long)sqlite3_column_int64(st, i));
				put_str(b, num);
				break;
			case SQLITE_FLOAT:
				snprintf(num, sizeof(num), "%.17g", sqlite3_column_double(st, i));
				put_str(b, num);
				break;
			case SQLITE_BLOB:
				blob = sqlite3_column_blob(st, i);
				len = sqlite3_column_bytes(st, i);
				put_str(b, "x'");
				for (int k = 0; k < len; k++) {
					snprintf(num, sizeof(num), "%02x", blob[k]);
					put_str(b, num);
				}
				put_str(b, "'");
				break;
			default:
				put_str(b, "'");
				put_str(b, (const char *)sqlite3_column_text(st, i));
				put_str(b, "'");
			}
			put_str(b, i + 1 < sqlite3_column_count(st) ? "|" : "\n");
		}
	}
	sqlite3_finalize(st);
}

/* Every row of every table, as committed (malloc'd). */
static char *dump(void)
{
	sqlite3 *h = peek();
	sqlite3_stmt *st = NULL;
	struct buf b = {0};

	assert_int_equal(sqlite3_prepare_v2(h,
					    "SELECT name FROM sqlite_schema WHERE type = 'table'"
					    " ORDER BY name",
					    -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		dump_table(h, (const char *)sqlite3_column_text(st, 0), &b);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return b.p;
}

/* No transaction left open by the call, and the database as it was before (frees before). */
static void assert_unchanged(char *before, const char *what)
{
	char *after = dump(), msg[1024] = "";

	if (strcmp(before, after) != 0) {
		size_t i = 0, from;

		while (before[i] && before[i] == after[i])
			i++;
		from = i > 120 ? i - 120 : 0;
		snprintf(msg, sizeof(msg),
			 "%s changed the database; the first difference comes after\n%.*s\n"
			 "before: %.80s\nafter:  %.80s",
			 what, (int)(i - from), before + from, before + i, after + i);
	}
	free(before);
	free(after);
	if (msg[0])
		fail_msg("%s", msg);
	assert_true(sqlite3_get_autocommit(env.db->h));
}

/* ---- what HQ sends ---- */

/* json_dumps of j, which it takes (malloc'd). */
static char *dumps(json_t *j)
{
	char *s;

	assert_non_null(j);
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	assert_non_null(s);
	return s;
}

static void hash_hex(const char *phone, char out[65])
{
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_hq_phone_hash_hex(env.db, phone, out, &err);

	if (rc != CP_OK)
		fail_msg("hash %s: %s", phone, cp_errmsg(&err, rc));
}

/* MEMBER of PROTOCOL.md for an 11-digit phone, hashed with the key the till holds now. */
static json_t *member_obj(const char *id, const char *phone, int64_t points, int64_t version)
{
	char hash[65], masked[CP_PHONE_LEN + 1];
	json_t *m;

	hash_hex(phone, hash);
	cp_phone_mask(phone, masked);
	m = json_pack("{s:s, s:s, s:s, s:n, s:s, s:s, s:I, s:I, s:i, s:s, s:I, s:s, s:s, s:I}",
		      "id", id, "phone_hash", hash, "phone_masked", masked, "card_no", "name",
		      "王五", "birthday", "05-17", "points", (json_int_t)points, "growth",
		      (json_int_t)12120, "tier", 2, "tier_until", "2027-12-31", "expiring_points",
		      (json_int_t)300, "expiring_on", "2026-12-31", "guide", "2001", "version",
		      (json_int_t)version);
	assert_non_null(m);
	return m;
}

static json_t *upsert(const char *kind, json_t *data)
{
	return json_pack("{s:s, s:s, s:o}", "kind", kind, "op", "upsert", "data", data);
}

static json_t *delete_of(const char *kind, const char *key)
{
	return json_pack("{s:s, s:s, s:s}", "kind", kind, "op", "delete", "key", key);
}

static json_t *item_obj(const char *sku, const char *category, int64_t price)
{
	return json_pack("{s:s, s:n, s:s, s:s, s:s, s:I, s:n, s:b}", "sku", sku, "barcode",
			 "name_zh", "矿泉水", "name_en", "Water", "category", category, "price",
			 (json_int_t)price, "member_price", "active", 1);
}

static json_t *category_obj(const char *code)
{
	return json_pack("{s:s, s:s, s:b}", "code", code, "name", "饮料", "earn_excluded", 0);
}

static json_t *rules_obj(int64_t welcome)
{
	return json_pack("{s:I, s:I, s:s, s:i, s:i, s:i, s:s, s:I, s:I, s:I}", "points_per_yuan_bp",
			 (json_int_t)10000, "growth_per_yuan_bp", (json_int_t)10000,
			 "member_day_kind", "weekday", "member_day_value", 3, "member_day_bp",
			 20000, "birthday_bp", 20000, "combine", "highest", "welcome_points",
			 (json_int_t)welcome, "referral_points", (json_int_t)50,
			 "points_per_yuan_value", (json_int_t)100);
}

/* A staff record with the PIN hashed as HQ does: PBKDF2-HMAC-SHA256, 16-byte salt. */
static json_t *staff_obj(const char *code, const char *pin, bool active)
{
	uint8_t salt[16], hash[32];
	char salt_hex[33], hhex[65];

	for (size_t i = 0; i < sizeof(salt); i++)
		salt[i] = (uint8_t)(0x5a ^ i);
	assert_int_equal(
		cp_pbkdf2_sha256(pin, strlen(pin), salt, sizeof(salt), 1000, hash, sizeof(hash)),
		0);
	cp_hex(salt, sizeof(salt), salt_hex);
	cp_hex(hash, sizeof(hash), hhex);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:b}", "code", code, "name", "孙收银",
			 "role", "cashier", "pin_salt", salt_hex, "pin_hash", hhex, "pin_iter",
			 1000, "active", active);
}

static json_t *merged_notice(const char *id, const char *from, const char *into, int64_t at)
{
	return json_pack("{s:s, s:s, s:I, s:{s:s, s:s, s:s}}", "id", id, "kind", "member_merged",
			 "at", (json_int_t)at, "data", "from", from, "into", into, "message",
			 "13700000007 was already a member");
}

/* A page of GET /v1/changes (takes changes and notices; malloc'd). */
static char *page(json_t *changes, json_t *notices, const char *next, bool more)
{
	return dumps(json_pack("{s:o, s:o, s:s, s:b, s:i}", "changes", changes, "notices",
			       notices ? notices : json_array(), "next", next, "more", more,
			       "applied", 0));
}

static char *enrol_answer(const char *store, const char *terminal, int64_t applied)
{
	return dumps(json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "terminal_uid", "S001-T01",
			       "store", store, "terminal", terminal, "secret", SECRET, "phone_key",
			       PKEY, "applied", (json_int_t)applied));
}

/* ---- driving the till ---- */

static void ok(enum cp_err rc, const struct cp_errbuf *err, const char *what)
{
	if (rc != CP_OK)
		fail_msg("%s: %s (%s)", what, cp_err_code(rc), cp_errmsg(err, rc));
}

static void registered(const char *phone, char id[64])
{
	struct cp_member_new m = {.consent = true, .phone = phone, .name = "新会员"};
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};

	ok(cp_member_register(env.db, &env.cashier, &m, &v, &err), &err, "register");
	snprintf(id, 64, "%s", v.id);
}

static struct cp_member_view get(const char *id)
{
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};

	ok(cp_member_get(env.db, id, &v, &err), &err, id);
	return v;
}

static void assert_gone(const char *id)
{
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};

	assert_int_equal(cp_member_get(env.db, id, &v, &err), CP_ENOTFOUND);
}

static struct cp_sync_status status(void)
{
	struct cp_sync_status s;
	struct cp_errbuf err = {{0}};

	ok(cp_syncstate_status_get(env.db, &s, &err), &err, "status");
	return s;
}

static void cursor_is(const char *want)
{
	char cur[128];
	struct cp_errbuf err = {{0}};

	ok(cp_hq_cursor(env.db, cur, sizeof(cur), &err), &err, "cursor");
	assert_string_equal(cur, want);
}

/* Applies a page that must be accepted; frees body. */
static bool changes_ok(char *body)
{
	struct cp_errbuf err = {{0}};
	bool more = false;
	enum cp_err rc = cp_hq_apply_changes(env.db, body, strlen(body), &more, &err);

	if (rc != CP_OK) {
		print_error("page refused: %s (%s)\n%s\n", cp_err_code(rc), err.msg, body);
		free(body);
		fail();
	}
	assert_true(sqlite3_get_autocommit(env.db->h));
	free(body);
	return more;
}

static void sent(int64_t first, int64_t last)
{
	sent_first = first;
	sent_last = last;
}

static enum cp_err apply_ack(const char *body, size_t len, int64_t *applied, struct cp_errbuf *err)
{
	struct cp_journal_status js;

	if (cp_journal_status(env.db, &js, err) != CP_OK)
		fail();
	return cp_hq_apply_ack(env.db, body, len, sent_first ? sent_first : 1,
			       sent_first ? sent_last : js.last_seq, applied, err);
}

static int64_t ack_ok(char *body)
{
	struct cp_errbuf err = {{0}};
	int64_t applied = -1;
	enum cp_err rc = apply_ack(body, strlen(body), &applied, &err);

	if (rc != CP_OK) {
		print_error("ack refused: %s (%s)\n%s\n", cp_err_code(rc), err.msg, body);
		free(body);
		fail();
	}
	assert_true(sqlite3_get_autocommit(env.db->h));
	free(body);
	return applied;
}

static char *ack_body(int64_t applied, json_t *members)
{
	return dumps(json_pack("{s:I, s:o}", "applied", (json_int_t)applied, "members",
			       members ? members : json_array()));
}

/* A refusal: the code wanted, a message, and not one row different. */
enum answer { ENROL, ACK, CHANGES, LOOKUP };

static void refused(enum answer kind, const char *body, size_t len, enum cp_err want,
		    const char *label)
{
	uint8_t key[DB_KEY_LEN];
	char store[17], terminal[17], *before = dump();
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};
	int64_t applied = -7;
	bool more = true;
	enum cp_err rc = CP_OK;

	memcpy(key, env.db->phone_key, sizeof(key));
	snprintf(store, sizeof(store), "%s", cp_db_store_id(env.db));
	snprintf(terminal, sizeof(terminal), "%s", cp_db_terminal_id(env.db));
	switch (kind) {
	case ENROL:
		rc = cp_hq_apply_enrolment(env.db, URL, body, len, &err);
		break;
	case ACK:
		rc = apply_ack(body, len, &applied, &err);
		break;
	case CHANGES:
		rc = cp_hq_apply_changes(env.db, body, len, &more, &err);
		break;
	case LOOKUP:
		rc = cp_hq_apply_lookup(env.db, body, len, &v, &err);
		break;
	}
	if (rc != want) {
		free(before);
		fail_msg("%s: got %s (%s), expected %s", label, cp_err_code(rc), err.msg,
			 cp_err_code(want));
	}
	if (err.msg[0] == '\0' || !cp_text_ok(err.msg, sizeof(err.msg))) {
		free(before);
		print_error("%s: the message is empty or holds control characters or broken "
			    "UTF-8:\n",
			    label);
		for (const char *p = err.msg; *p; p++)
			print_error((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f
					    ? "\\x%02x"
					    : "%c",
				    (unsigned char)*p);
		print_error("\n");
		fail();
	}
	assert_unchanged(before, label);
	assert_memory_equal(key, env.db->phone_key, sizeof(key));
	assert_string_equal(store, cp_db_store_id(env.db));
	assert_string_equal(terminal, cp_db_terminal_id(env.db));
}

static void refused_all(enum answer kind, const char *const *bodies, size_t n, enum cp_err want)
{
	char label[64];

	for (size_t i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "body %zu", i);
		refused(kind, bodies[i], strlen(bodies[i]), want, label);
	}
}

/* ---- enrolment ---- */

static void test_enrol_request(void **state)
{
	char id[64], hex[65], *body = NULL;
	struct cp_errbuf err = {{0}};
	json_error_t jerr;
	json_t *r;

	(void)state;
	registered("13700000001", id);
	registered("13700000002", id);
	ok(cp_hq_enrol_request(env.db, "K7Q2-9XHM", &body, &err), &err, "enrol request");
	r = json_loads(body, JSON_REJECT_DUPLICATES, &jerr);
	if (!r)
		fail_msg("not JSON: %s\n%s", jerr.text, body);
	assert_int_equal(json_object_size(r), 7);
	assert_int_equal(json_integer_value(json_object_get(r, "protocol")), 1);
	assert_true(json_is_integer(json_object_get(r, "protocol")));
	assert_string_equal(json_string_value(json_object_get(r, "code")), "K7Q2-9XHM");
	assert_string_equal(json_string_value(json_object_get(r, "store")), "S001");
	assert_string_equal(json_string_value(json_object_get(r, "terminal")), "T01");
	/* The key of the next row (3), the one the file holds; the starting key is gone. */
	{
		uint8_t key[DB_KEY_LEN];

		memcpy(key, env.db->journal_key, sizeof(key));
		assert_int_equal(cp_seal_next(key, key), 0);
		assert_int_equal(cp_seal_next(key, key), 0);
		cp_hex(key, DB_KEY_LEN, hex);
	}
	assert_string_equal(json_string_value(json_object_get(r, "journal_key")), hex);
	assert_int_equal(json_integer_value(json_object_get(r, "key_seq")), 3);
	assert_true(json_is_integer(json_object_get(r, "last_seq")));
	assert_int_equal(json_integer_value(json_object_get(r, "last_seq")), 2);
	json_decref(r);
	free(body);
}

static void test_enrol_request_bad_codes(void **state)
{
	char long_code[66];
	const char *bad[] = {"",           long_code,     "K7Q2 9XHM", "K7Q2\xff\xfe",
			     "K7Q2\t9XHM", "K7Q2-9XHM\n", "码码码码"};
	struct cp_errbuf err = {{0}};

	(void)state;
	memset(long_code, 'A', 65);
	long_code[65] = '\0';
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		static char sentinel[] = "untouched";
		char *body = sentinel;

		err.msg[0] = '\0';
		if (cp_hq_enrol_request(env.db, bad[i], &body, &err) != CP_EINVAL)
			fail_msg("code %zu was accepted", i);
		assert_null(body);
		assert_true(err.msg[0] != '\0');
	}
	/* 64 characters is still a code. */
	{
		char *body = NULL;

		long_code[64] = '\0';
		ok(cp_hq_enrol_request(env.db, long_code, &body, &err), &err, "64-char code");
		assert_non_null(body);
		free(body);
	}
}

static void test_enrol_apply(void **state)
{
	struct cp_hq_identity id;
	struct cp_sync_status s;
	struct cp_member_view v;
	struct cp_cart_view cart;
	struct cp_errbuf err = {{0}};
	uint8_t key[32], want[32], secret[32];
	char local[64], hex[65], *body;
	sqlite3 *h;
	sqlite3_stmt *st;

	(void)state;
	registered("13700000007", local);
	assert_string_equal(local, "L-S001-T01-1");
	/* A cart with a seeded member, a stop and a cursor from before: all reset. */
	ok(cp_cart_scan(env.db, &env.cashier, "A1", 1, NULL, &err), &err, "scan");
	ok(cp_cart_set_member(env.db, &env.cashier, "M1", &err), &err, "attach");
	ok(cp_syncstate_record_stop(env.db, CP_SYNC_STOP_ENROL, "401 unknown_terminal", 0, &err),
	   &err, "stop");
	changes_ok(page(json_array(), NULL, "c-5", false));
	ok(cp_hq_identity(env.db, &id, &err), &err, "identity");
	assert_false(id.enrolled);

	body = enrol_answer("S001", "T01", 1);
	ok(cp_hq_apply_enrolment(env.db, URL, body, strlen(body), &err), &err, "enrol");
	free(body);
	assert_true(sqlite3_get_autocommit(env.db->h));

	ok(cp_hq_identity(env.db, &id, &err), &err, "identity");
	assert_true(id.enrolled);
	assert_string_equal(id.url, URL);
	assert_string_equal(id.terminal_uid, "S001-T01");
	assert_true(cp_unhex(SECRET, secret, sizeof(secret)));
	assert_memory_equal(id.secret, secret, sizeof(secret));
	s = status();
	assert_true(s.enrolled);
	assert_false(s.stopped);
	assert_int_equal(s.acked_seq, 1);
	assert_int_equal(s.last_seq, 1);
	assert_int_equal(s.queue_depth, 0);
	cursor_is("0");

	/* The member registered here is hashed with the chain's key now. */
	assert_true(cp_unhex(PKEY, key, sizeof(key)));
	assert_int_equal(cp_phone_hash(key, sizeof(key), "13700000007", want), 0);
	h = peek();
	assert_int_equal(
		sqlite3_prepare_v2(h, "SELECT phone_hash FROM member WHERE id = ?1", -1, &st, NULL),
		SQLITE_OK);
	sqlite3_bind_text(st, 1, local, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_bytes(st, 0), 32);
	assert_memory_equal(sqlite3_column_blob(st, 0), want, 32);
	sqlite3_finalize(st);
	sqlite3_close(h);
	ok(cp_member_find_by_phone(env.db, "+86 137-0000-0007", &v, &err), &err, "find");
	assert_string_equal(v.id, local);
	assert_true(v.local);
	cp_hex(want, sizeof(want), hex);
	{
		char got[65];

		hash_hex("13700000007", got);
		assert_string_equal(got, hex);
	}

	/* The seed's members are gone until the feed brings them, and the cart let go. */
	assert_gone("M1");
	assert_gone("M2");
	assert_int_equal(cp_member_find_by_phone(env.db, "13800000001", &v, &err), CP_ENOTFOUND);
	assert_int_equal(count("SELECT count(*) FROM member"), 1);
	ok(cp_cart_view(env.db, NULL, &cart, &err), &err, "cart");
	assert_true(cart.open);
	assert_int_equal(cart.nlines, 1);
	assert_false(cart.has_member);

	/* And it all holds after a restart. */
	{
		struct cp_db_options opt = {
			.path = env.path, .clock = &env.clock, .pbkdf2_iterations = 1000};

		cp_db_close(env.db);
		env.db = NULL;
		ok(cp_db_open(&env.db, &opt, &err), &err, "reopen");
		ok(cp_member_find_by_phone(env.db, "13700000007", &v, &err), &err, "find again");
		assert_string_equal(v.id, local);
		ok(cp_hq_identity(env.db, &id, &err), &err, "identity again");
		assert_true(id.enrolled);
	}
}

static void test_enrol_applied_beyond_journal(void **state)
{
	char id[64], *body;
	struct cp_member_view v;
	struct cp_hq_identity ident;
	struct cp_errbuf err = {{0}};

	(void)state;
	registered("13700000007", id);
	body = enrol_answer("S001", "T01", 2);
	refused(ENROL, body, strlen(body), CP_ESTATE, "applied 2 of 1");
	free(body);
	ok(cp_hq_identity(env.db, &ident, &err), &err, "identity");
	assert_false(ident.enrolled);
	ok(cp_member_find_by_phone(env.db, "13800000001", &v, &err), &err, "M1 still found");
	assert_string_equal(v.id, "M1");
}

static void test_enrol_other_terminal_with_journal(void **state)
{
	char id[64], *body;

	(void)state;
	registered("13700000007", id);
	body = enrol_answer("S002", "T01", 0);
	refused(ENROL, body, strlen(body), CP_ESTATE, "other store");
	free(body);
	body = enrol_answer("S001", "T02", 0);
	refused(ENROL, body, strlen(body), CP_ESTATE, "other terminal");
	free(body);
	assert_string_equal(cp_db_store_id(env.db), "S001");
	assert_string_equal(cp_db_terminal_id(env.db), "T01");
}

static void test_enrol_other_terminal_empty_journal(void **state)
{
	struct cp_db_options opt = {
		.path = env.path, .clock = &env.clock, .pbkdf2_iterations = 1000};
	struct cp_errbuf err = {{0}};
	char id[64], *body = enrol_answer("S002", "T07", 0);

	(void)state;
	ok(cp_hq_apply_enrolment(env.db, URL, body, strlen(body), &err), &err, "enrol");
	free(body);
	assert_string_equal(cp_db_store_id(env.db), "S002");
	assert_string_equal(cp_db_terminal_id(env.db), "T07");
	registered("13700000007", id);
	assert_string_equal(id, "L-S002-T07-1");
	cp_db_close(env.db);
	env.db = NULL;
	ok(cp_db_open(&env.db, &opt, &err), &err, "reopen");
	assert_string_equal(cp_db_store_id(env.db), "S002");
	assert_string_equal(cp_db_terminal_id(env.db), "T07");
}

/* HQ may send the store's time zone: the till records it (with its checksum) and counts days
 * in it; an offset outside -840..840 is refused and changes nothing (issue 13). */
static void test_enrol_sets_store_zone(void **state)
{
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};
	char *body = enrol_answer("S001", "T01", 0), *bad;
	json_t *j = json_loads(body, 0, NULL);

	(void)state;
	assert_non_null(j);
	assert_int_equal(json_object_set_new(j, "utc_offset_min", json_integer(9999)), 0);
	bad = dumps(json_deep_copy(j));
	assert_int_not_equal(cp_hq_apply_enrolment(env.db, URL, bad, strlen(bad), &err), CP_OK);
	assert_non_null(strstr(err.msg, "utc_offset_min"));
	assert_int_equal(test_count(&env, "SELECT value FROM meta WHERE key = 'utc_offset_min'"),
			 480);
	free(bad);
	free(body);
	assert_int_equal(json_object_set_new(j, "utc_offset_min", json_integer(540)), 0);
	body = dumps(j);
	ok(cp_hq_apply_enrolment(env.db, URL, body, strlen(body), &err), &err, "enrol");
	free(body);
	assert_int_equal(test_count(&env, "SELECT value FROM meta WHERE key = 'utc_offset_min'"),
			 540);
	ok(cp_journal_verify(env.db, &rep, &err), &err, "verify");
}

#define GOOD_TAIL "\"phone_key\":\"" PKEY "\",\"applied\":0}"
#define GOOD_HEAD "{\"terminal_uid\":\"S001-T01\",\"store\":\"S001\",\"terminal\":\"T01\","

static void test_enrol_malformed(void **state)
{
	static const char good[] = GOOD_HEAD "\"secret\":\"" SECRET "\"," GOOD_TAIL;
	static const char *const bad[] = {
		"not json",
		"[]",
		"[" GOOD_HEAD "\"secret\":\"" SECRET "\"," GOOD_TAIL "]",
		"{}",
		"{\"error\":{\"code\":\"bad_code\",\"message\":\"unknown code\"}}",
		"<html>502 Bad Gateway</html>",
		/* the secret: missing, not hex, 63 and 65 digits, a number */
		GOOD_HEAD GOOD_TAIL,
		GOOD_HEAD "\"secret\":\"zz112233445566778899aabbccddeeff0123456789abcdeffedcba98765"
			  "43210\"," GOOD_TAIL,
		GOOD_HEAD "\"secret\":\"0112233445566778899aabbccddeeff0123456789abcdeffedcba98765"
			  "43210\"," GOOD_TAIL,
		GOOD_HEAD "\"secret\":\"" SECRET "0\"," GOOD_TAIL,
		GOOD_HEAD "\"secret\":12," GOOD_TAIL,
		/* the phone key missing or short */
		GOOD_HEAD "\"secret\":\"" SECRET "\",\"applied\":0}",
		GOOD_HEAD "\"secret\":\"" SECRET "\",\"phone_key\":\"a0a1\",\"applied\":0}",
		/* uid, store, terminal */
		"{\"terminal_uid\":\"S001 "
		"T01\",\"store\":\"S001\",\"terminal\":\"T01\",\"secret\":\"" SECRET
		"\"," GOOD_TAIL,
		"{\"terminal_uid\":\"\",\"store\":\"S001\",\"terminal\":\"T01\",\"secret\":"
		"\"" SECRET "\"," GOOD_TAIL,
		"{\"store\":\"S001\",\"terminal\":\"T01\",\"secret\":\"" SECRET "\"," GOOD_TAIL,
		"{\"terminal_uid\":\"S001-T01\",\"store\":\"S0017890123456789\",\"terminal\":"
		"\"T01\","
		"\"secret\":\"" SECRET "\"," GOOD_TAIL,
		"{\"terminal_uid\":\"S001-T01\",\"store\":\"S001\",\"terminal\":\"T\xff\","
		"\"secret\":\"" SECRET "\"," GOOD_TAIL,
		/* applied: negative, a string, a fraction, null, missing */
		GOOD_HEAD "\"secret\":\"" SECRET "\",\"phone_key\":\"" PKEY "\",\"applied\":-1}",
		GOOD_HEAD "\"secret\":\"" SECRET "\",\"phone_key\":\"" PKEY "\",\"applied\":\"0\"}",
		GOOD_HEAD "\"secret\":\"" SECRET "\",\"phone_key\":\"" PKEY "\",\"applied\":0.5}",
		GOOD_HEAD "\"secret\":\"" SECRET "\",\"phone_key\":\"" PKEY "\",\"applied\":null}",
		GOOD_HEAD "\"secret\":\"" SECRET "\",\"phone_key\":\"" PKEY "\"}",
		/* duplicate keys: which secret would be the one? */
		GOOD_HEAD "\"secret\":\"" SECRET "\",\"secret\":\"" PKEY "\"," GOOD_TAIL,
	};
	char id[64];
	struct cp_errbuf err = {{0}};

	(void)state;
	registered("13700000007", id);
	refused_all(ENROL, bad, sizeof(bad) / sizeof(bad[0]), CP_EINVAL);
	refused(ENROL, good, sizeof(good) - 2, CP_EINVAL, "truncated");
	refused(ENROL, good, 0, CP_EINVAL, "empty");
	/* A bad address is refused before anything else. */
	assert_int_equal(cp_hq_apply_enrolment(env.db, "", good, strlen(good), &err), CP_EINVAL);
	assert_int_equal(
		cp_hq_apply_enrolment(env.db, "https://hq example", good, strlen(good), &err),
		CP_EINVAL);
	/* The good answer itself is accepted: the refusals above were for what they changed. */
	ok(cp_hq_apply_enrolment(env.db, URL, good, strlen(good), &err), &err, "good answer");
}

/* HQ's store and terminal become this database's ids; they must be ones `init` could have
 * been given (db.h), or receipts and member ids carry whatever HQ sent. */
static void test_enrol_ids_alphabet(void **state)
{
	static const char *const bad[] = {
		"{\"terminal_uid\":\"S001-T01\",\"store\":\"S0/1\",\"terminal\":\"T01\","
		"\"secret\":\"" SECRET "\"," GOOD_TAIL,
		"{\"terminal_uid\":\"S001-T01\",\"store\":\"S001\",\"terminal\":\"T\\\"1\","
		"\"secret\":\"" SECRET "\"," GOOD_TAIL,
	};

	(void)state;
	refused_all(ENROL, bad, sizeof(bad) / sizeof(bad[0]), CP_EINVAL);
}

/* ---- outbox ---- */

static void three_rows(void)
{
	char id[64];

	registered("13700000001", id);
	env.now += 1000;
	registered("13700000002", id);
	env.now += 1000;
	registered("13700000003", id);
}

static void test_outbox_fetch(void **state)
{
	struct cp_outbox_row *rows = NULL;
	struct cp_errbuf err = {{0}};
	sqlite3 *h;
	sqlite3_stmt *st;
	char zeros[65];
	int n = -1;

	(void)state;
	memset(zeros, '0', 64);
	zeros[64] = '\0';
	three_rows();
	ok(cp_outbox_fetch(env.db, 0, 200, &rows, &n, &err), &err, "fetch");
	assert_int_equal(n, 3);
	h = peek();
	assert_int_equal(sqlite3_prepare_v2(h,
					    "SELECT seq, created_at, event_id, type, payload,"
					    " hex(prev_hash), hex(hash) FROM journal ORDER BY seq",
					    -1, &st, NULL),
			 SQLITE_OK);
	for (int i = 0; i < n; i++) {
		char lower[65];

		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(rows[i].seq, i + 1);
		assert_int_equal(rows[i].seq, sqlite3_column_int64(st, 0));
		assert_int_equal(rows[i].created_at, TEST_TUESDAY_MS + 1000 * i);
		assert_int_equal(rows[i].created_at, sqlite3_column_int64(st, 1));
		assert_string_equal(rows[i].event_id, (const char *)sqlite3_column_text(st, 2));
		assert_string_equal(rows[i].type, "member_register");
		assert_string_equal(rows[i].payload, (const char *)sqlite3_column_text(st, 4));
		for (int k = 0; k < 64; k++)
			lower[k] = (char)(((const char *)sqlite3_column_text(st, 6))[k] | 0x20);
		lower[64] = '\0';
		assert_string_equal(rows[i].hash, lower);
		assert_int_equal(strlen(rows[i].prev_hash), 64);
		if (i == 0)
			assert_string_equal(rows[i].prev_hash, zeros);
		else
			assert_string_equal(rows[i].prev_hash, rows[i - 1].hash);
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	cp_outbox_free(rows, n);

	/* A limit, and a start after the acknowledged sequence. */
	ok(cp_outbox_fetch(env.db, 0, 2, &rows, &n, &err), &err, "fetch 2");
	assert_int_equal(n, 2);
	assert_int_equal(rows[1].seq, 2);
	cp_outbox_free(rows, n);
	ok(cp_outbox_fetch(env.db, 1, 1, &rows, &n, &err), &err, "fetch after 1");
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].seq, 2);
	cp_outbox_free(rows, n);
	ok(cp_outbox_fetch(env.db, 3, 200, &rows, &n, &err), &err, "fetch after 3");
	assert_int_equal(n, 0);
	cp_outbox_free(rows, n);
	cp_outbox_free(NULL, 0);
}

static void test_outbox_body(void **state)
{
	struct cp_outbox_row *rows = NULL;
	struct cp_errbuf err = {{0}};
	char *body = NULL;
	json_error_t jerr;
	json_t *root, *list;
	int n = 0;

	(void)state;
	three_rows();
	ok(cp_outbox_fetch(env.db, 0, 200, &rows, &n, &err), &err, "fetch");
	ok(cp_outbox_body(rows, n, &body, &err), &err, "body");
	root = json_loads(body, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		fail_msg("not JSON: %s\n%s", jerr.text, body);
	assert_int_equal(json_object_size(root), 1);
	list = json_object_get(root, "rows");
	assert_true(json_is_array(list));
	assert_int_equal(json_array_size(list), 3);
	for (int i = 0; i < n; i++) {
		json_t *r = json_array_get(list, (size_t)i);
		char sql[96], *payload;

		assert_true(json_is_integer(json_object_get(r, "seq")));
		assert_int_equal(json_integer_value(json_object_get(r, "seq")), i + 1);
		assert_true(json_is_integer(json_object_get(r, "created_at")));
		assert_int_equal(json_integer_value(json_object_get(r, "created_at")),
				 rows[i].created_at);
		assert_string_equal(json_string_value(json_object_get(r, "event_id")),
				    rows[i].event_id);
		assert_string_equal(json_string_value(json_object_get(r, "type")),
				    "member_register");
		assert_string_equal(json_string_value(json_object_get(r, "prev_hash")),
				    rows[i].prev_hash);
		assert_string_equal(json_string_value(json_object_get(r, "hash")), rows[i].hash);
		/* Byte for byte what was hashed, as a string. */
		snprintf(sql, sizeof(sql), "SELECT payload FROM journal WHERE seq = %d", i + 1);
		payload = text_of(sql);
		assert_non_null(payload);
		assert_true(json_is_string(json_object_get(r, "payload")));
		assert_int_equal(json_string_length(json_object_get(r, "payload")),
				 strlen(payload));
		assert_string_equal(json_string_value(json_object_get(r, "payload")), payload);
		free(payload);
	}
	json_decref(root);
	free(body);
	cp_outbox_free(rows, n);

	ok(cp_outbox_body(NULL, 0, &body, &err), &err, "empty body");
	assert_string_equal(body, "{\"rows\":[]}");
	free(body);
}

static void test_outbox_bad_batch(void **state)
{
	static const int bad[] = {0, -1, 10001};
	static struct cp_outbox_row sentinel;
	struct cp_outbox_row *rows;
	struct cp_errbuf err = {{0}};
	int n;

	(void)state;
	three_rows();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rows = &sentinel;
		n = 9;
		err.msg[0] = '\0';
		assert_int_equal(cp_outbox_fetch(env.db, 0, bad[i], &rows, &n, &err), CP_EINVAL);
		assert_null(rows);
		assert_int_equal(n, 0);
		assert_true(err.msg[0] != '\0');
	}
}

/* ---- push acknowledgements ---- */

static void test_ack_partial(void **state)
{
	struct cp_outbox_row *rows = NULL;
	struct cp_sync_status s;
	struct cp_errbuf err = {{0}};
	int n;

	(void)state;
	three_rows();
	assert_int_equal(ack_ok(ack_body(2, NULL)), 2);
	s = status();
	assert_int_equal(s.acked_seq, 2);
	assert_int_equal(s.last_seq, 3);
	assert_int_equal(s.queue_depth, 1);
	ok(cp_outbox_fetch(env.db, s.acked_seq, 200, &rows, &n, &err), &err, "fetch");
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].seq, 3);
	cp_outbox_free(rows, n);
	/* A lower sequence (an older answer arriving late) never moves it back. */
	ack_ok(ack_body(3, NULL));
	ack_ok(ack_body(1, NULL));
	s = status();
	assert_int_equal(s.acked_seq, 3);
	assert_int_equal(s.queue_depth, 0);
}

/* HQ's word on the hash of the row it acknowledged anchors the chain: a different hash is
 * refused and nothing is acknowledged; the same one is kept, and verify checks the row keeps
 * it (issue 13). */
static void test_ack_head_anchor(void **state)
{
	char hex[65], body[256];
	struct cp_verify_report rep;
	struct cp_errbuf err = {{0}};
	int64_t applied = -1;

	(void)state;
	three_rows();
	snprintf(body, sizeof(body),
		 "{\"applied\": 2, \"applied_hash\": \"%064d\", \"members\": []}", 0);
	assert_int_equal(apply_ack(body, strlen(body), &applied, &err), CP_ECORRUPT);
	assert_non_null(strstr(err.msg, "HQ holds journal row 2 with another hash"));
	assert_int_equal(status().acked_seq, 0);
	{
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(env.db->h,
						    "SELECT lower(hex(hash)) FROM journal WHERE"
						    " seq = 2",
						    -1, &st, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		snprintf(hex, sizeof(hex), "%s", sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	snprintf(body, sizeof(body), "{\"applied\": 2, \"applied_hash\": \"%s\", \"members\": []}",
		 hex);
	assert_int_equal(ack_ok(strdup(body)), 2);
	ok(cp_journal_verify(env.db, &rep, &err), &err, "verify");
	assert_int_equal(cp_db_exec(env.db,
				    "UPDATE meta SET value = lower(hex(zeroblob(32)))"
				    " WHERE key = 'acked_hash'",
				    &err),
			 CP_OK);
	assert_int_equal(cp_journal_verify(env.db, &rep, &err), CP_ECORRUPT);
	assert_int_equal(rep.first_bad_seq, 2);
	assert_non_null(strstr(err.msg, "not the row HQ acknowledged"));
}

static void test_ack_snapshots(void **state)
{
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};
	json_t *m;

	(void)state;
	ack_ok(ack_body(0, json_pack("[o, o]", member_obj("M1", "13800000001", 900, 2),
				     member_obj("M9", "13600000006", 4200, 1))));
	v = get("M1");
	assert_int_equal(v.points, 900);
	assert_int_equal(v.growth, 12120);
	assert_string_equal(v.masked_phone, "138****0001");
	assert_string_equal(v.name, "王五");
	assert_string_equal(v.expiring_on, "2026-12-31");
	assert_int_equal(v.expiring_points, 300);
	assert_string_equal(v.guide, "2001");
	ok(cp_member_find_by_phone(env.db, "13600000006", &v, &err), &err, "new member");
	assert_string_equal(v.id, "M9");
	assert_string_equal(v.masked_phone, "136****0006");
	assert_int_equal(v.points, 4200);
	assert_false(v.local);
	assert_int_equal(count("SELECT tier FROM member WHERE id = 'M9'"), 2);
	assert_int_equal(count("SELECT version FROM member WHERE id = 'M9'"), 1);

	/* Older and equal versions are ignored; a newer one replaces. */
	ack_ok(ack_body(0, json_pack("[o]", member_obj("M1", "13800000001", 1, 1))));
	assert_int_equal(get("M1").points, 900);
	ack_ok(ack_body(0, json_pack("[o]", member_obj("M1", "13800000001", 2, 2))));
	assert_int_equal(get("M1").points, 900);
	m = member_obj("M1", "13800000001", 1000, 3);
	json_object_set_new(m, "card_no", json_string("8800000001"));
	ack_ok(ack_body(0, json_pack("[o]", m)));
	v = get("M1");
	assert_int_equal(v.points, 1000);
	ok(cp_member_find_by_card(env.db, "8800000001", &v, &err), &err, "card");
	assert_string_equal(v.id, "M1");
}

/* A member registered here comes back under HQ's id: everything recorded under the local id
 * counts for HQ's member and the open cart follows. */
static void test_ack_local_id(void **state)
{
	struct cp_tender cash = {.method = CP_TENDER_CASH, .amount = 12000};
	struct cp_sale_result r;
	struct cp_cart_view cart;
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};
	char local[64];
	json_t *m;

	(void)state;
	registered("13700000007", local);
	ok(cp_shift_open(env.db, &env.manager, 0, NULL, &err), &err, "shift");
	ok(cp_cart_scan(env.db, &env.cashier, "G120", 1, NULL, &err), &err, "scan");
	ok(cp_cart_set_member(env.db, &env.cashier, local, &err), &err, "attach");
	ok(cp_sale_pay(env.db, &env.cashier, &cash, 1, &r, &err), &err, "pay");
	assert_true(r.points > 0);
	ok(cp_cart_scan(env.db, &env.cashier, "A2", 1, NULL, &err), &err, "scan");
	ok(cp_cart_set_member(env.db, &env.cashier, local, &err), &err, "attach");

	/* HQ has applied the registration (welcome 100), not yet the sale. */
	m = member_obj("M100", "13700000007", 100, 1);
	json_object_set_new(m, "local_id", json_string(local));
	json_object_set_new(m, "growth", json_integer(0));
	json_object_set_new(m, "tier", json_integer(0));
	assert_int_equal(ack_ok(ack_body(1, json_pack("[o]", m))), 1);

	v = get("M100");
	assert_int_equal(v.points_pending, r.points);
	assert_int_equal(v.points, 100 + r.points);
	assert_int_equal(v.growth, r.growth);
	assert_false(v.local);
	assert_string_equal(get(local).id, "M100"); /* the local id finds HQ's member */
	ok(cp_member_find_by_phone(env.db, "13700000007", &v, &err), &err, "find");
	assert_string_equal(v.id, "M100");
	ok(cp_cart_view(env.db, NULL, &cart, &err), &err, "cart");
	assert_true(cart.open);
	assert_true(cart.has_member);
	assert_string_equal(cart.member.id, "M100");
	assert_int_equal(count("SELECT count(*) FROM cart WHERE member_id = 'M100'"), 1);

	/* Once HQ has the sale too, nothing is pending and nothing counts twice. */
	m = member_obj("M100", "13700000007", 100 + r.points, 2);
	json_object_set_new(m, "local_id", json_string(local));
	ack_ok(ack_body(3, json_pack("[o]", m)));
	v = get("M100");
	assert_int_equal(v.points_pending, 0);
	assert_int_equal(v.points, 100 + r.points);
}

static void test_ack_beyond_last_row(void **state)
{
	char *body;

	(void)state;
	three_rows();
	ack_ok(ack_body(1, NULL));
	body = ack_body(4, json_pack("[o]", member_obj("M9", "13600000006", 4200, 1)));
	refused(ACK, body, strlen(body), CP_ECORRUPT, "applied 4 of 3");
	free(body);
	assert_int_equal(status().acked_seq, 1);
	assert_gone("M9");
}

/* Nothing is acknowledged beyond what the push sent: an "applied" past the request's last row
 * or below its first is a protocol error that changes nothing (issue 8, item 5). */
static void test_ack_bounded_by_request(void **state)
{
	struct cp_errbuf err = {{0}};
	int64_t applied = -1;
	char *body;

	(void)state;
	three_rows();
	registered("13700000004", (char[64]){0});
	registered("13700000005", (char[64]){0});
	assert_int_equal(status().last_seq, 5);

	/* Rows 1-2 sent, HQ says 4: refused, with a message naming it, rows 3-4 still to send. */
	sent(1, 2);
	body = ack_body(4, json_pack("[o]", member_obj("M9", "13600000006", 4200, 1)));
	refused(ACK, body, strlen(body), CP_EINVAL, "applied 4 to rows 1-2");
	assert_int_equal(apply_ack(body, strlen(body), &applied, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "protocol error: HQ acknowledged journal row 4 but this "
					"push sent rows 1 to 2"));
	assert_int_equal(applied, -1);
	free(body);
	assert_int_equal(status().acked_seq, 0);
	assert_gone("M9");
	body = ack_body(3, NULL);
	refused(ACK, body, strlen(body), CP_EINVAL, "applied 3 to rows 1-2");
	free(body);
	assert_int_equal(ack_ok(ack_body(2, NULL)), 2);

	/* Rows 3-4 sent: below the first row but one is a protocol error too; first - 1 is "none
	 * applied" and changes nothing. */
	sent(3, 4);
	body = ack_body(1, NULL);
	refused(ACK, body, strlen(body), CP_EINVAL, "applied 1 to rows 3-4");
	free(body);
	body = ack_body(0, NULL);
	refused(ACK, body, strlen(body), CP_EINVAL, "applied 0 to rows 3-4");
	free(body);
	assert_int_equal(ack_ok(ack_body(2, NULL)), 2);
	assert_int_equal(status().acked_seq, 2);
	body = ack_body(5, NULL);
	refused(ACK, body, strlen(body), CP_EINVAL, "applied 5 to rows 3-4");
	free(body);
	/* Past the newest row written is another matter: HQ holds rows this database lacks. */
	body = ack_body(6, NULL);
	refused(ACK, body, strlen(body), CP_ECORRUPT, "applied 6 of 5");
	free(body);
	assert_int_equal(ack_ok(ack_body(4, NULL)), 4);
	assert_int_equal(status().acked_seq, 4);
	assert_int_equal(status().queue_depth, 1);

	/* A range that was never sent is the caller's mistake. */
	sent(5, 6);
	body = ack_body(5, NULL);
	refused(ACK, body, strlen(body), CP_EINVAL, "rows 5-6 of 5");
	free(body);
	sent(0, 0);
}

/* A snapshot that is not newer than the one held must change nothing at all — not even push
 * aside the member who holds its (old) card or phone here now. */
static void test_ack_stale_snapshot_changes_nothing(void **state)
{
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};
	char *before, *body;
	json_t *m;

	(void)state;
	/* M1 is held at version 1; HQ's late answer carries version 0, from before card C0002 was
	 * M2's. */
	m = member_obj("M1", "13800000001", 1, 0);
	json_object_set_new(m, "card_no", json_string("C0002"));
	body = ack_body(0, json_pack("[o]", m));
	before = dump();
	ack_ok(body);
	assert_unchanged(before, "a stale snapshot");
	v = get("M2");
	assert_int_equal(v.points, 3050);
	ok(cp_member_find_by_card(env.db, "C0002", &v, &err), &err, "card");
	assert_string_equal(v.id, "M2");
}

#define HASH64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define MEMBER_TAIL                                                                                \
	"\"name\":\"王五\",\"points\":5,\"growth\":0,\"tier\":0,\"expiring_points\":0,"          \
	"\"version\":9}"

static void test_ack_malformed(void **state)
{
	static const char *const bad[] = {
		"not json",
		"[]",
		"{}",
		"{\"applied\":1}",
		"{\"applied\":1,\"members\":{}}",
		"{\"applied\":1,\"members\":null}",
		"{\"applied\":1,\"members\":\"M1\"}",
		"{\"members\":[]}",
		"{\"applied\":-1,\"members\":[]}",
		"{\"applied\":\"1\",\"members\":[]}",
		"{\"applied\":1.0,\"members\":[]}",
		"{\"applied\":true,\"members\":[]}",
		"{\"applied\":1,\"applied\":2,\"members\":[]}",
		"{\"applied\":1,\"members\":[],\"members\":[]}",
		"{\"applied\":1,\"members\":[]",
		"{\"error\":{\"code\":\"bad_request\",\"message\":\"no\"}}",
		/* members: not objects, no hash, a full number, bad hex, a string tier */
		"{\"applied\":1,\"members\":[1]}",
		"{\"applied\":1,\"members\":[{\"id\":\"M9\",\"phone_masked\":\"136****"
		"0006\"," MEMBER_TAIL "]}",
		"{\"applied\":1,\"members\":[{\"id\":\"M9\",\"phone\":\"13600000006\"," MEMBER_TAIL
		"]}",
		"{\"applied\":1,\"members\":[{\"id\":\"M9\",\"phone\":\"13600000006\","
		"\"phone_hash\":\"" HASH64 "\",\"phone_masked\":\"136****0006\"," MEMBER_TAIL "]}",
		"{\"applied\":1,\"members\":[{\"id\":\"M9\",\"phone_hash\":\"" HASH64
		"\"," MEMBER_TAIL "]}",
		"{\"applied\":1,\"members\":[{\"id\":\"M9\",\"phone_hash\":\"0123456789abcdeg0123"
		"456789abcdef0123456789abcdef0123456789abcdef\",\"phone_masked\":\"136****"
		"0006\"," MEMBER_TAIL "]}",
		"{\"applied\":1,\"members\":[{\"id\":\"M9\",\"phone_hash\":\"0123\","
		"\"phone_masked\":\"136****0006\"," MEMBER_TAIL "]}",
		"{\"applied\":1,\"members\":[{\"id\":\"M9\",\"phone_hash\":\"" HASH64 "\","
		"\"phone_masked\":\"136****0006\",\"name\":\"王五\",\"points\":5,\"growth\":0,"
		"\"tier\":\"2\",\"expiring_points\":0,\"version\":9}]}",
		"{\"applied\":1,\"members\":[{\"id\":\"M9\",\"phone_hash\":\"" HASH64 "\","
		"\"phone_masked\":\"136****0006\",\"name\":\"王五\",\"points\":5,\"growth\":0,"
		"\"tier\":0,\"expiring_points\":0}]}",
		"{\"applied\":1,\"members\":[{\"id\":\"M 9\",\"phone_hash\":\"" HASH64 "\","
		"\"phone_masked\":\"136****0006\"," MEMBER_TAIL "]}",
		"{\"applied\":1,\"members\":[{\"id\":\"M9\",\"id\":\"M8\",\"phone_hash\":\"" HASH64
		"\",\"phone_masked\":\"136****0006\"," MEMBER_TAIL "]}",
		"{\"applied\":1,\"members\":[{\"id\":\"M9\",\"phone_hash\":\"" HASH64 "\","
		"\"phone_masked\":\"136****0006\",\"name\":\"\xff\",\"points\":5,\"growth\":0,"
		"\"tier\":0,\"expiring_points\":0,\"version\":9}]}",
	};
	char *body;

	(void)state;
	three_rows();
	refused_all(ACK, bad, sizeof(bad) / sizeof(bad[0]), CP_EINVAL);
	/* A good member before a bad one is not kept either. */
	body = ack_body(2, json_pack("[o, i]", member_obj("M9", "13600000006", 4200, 1), 7));
	refused(ACK, body, strlen(body), CP_EINVAL, "good then bad");
	free(body);
	assert_int_equal(status().acked_seq, 0);
	assert_gone("M9");
}

/* ---- the change feed ---- */

static void test_changes_upserts(void **state)
{
	struct cp_item it;
	struct cp_tier tiers[16];
	struct cp_earn_rules rules;
	struct cp_member_view v;
	struct cp_session who;
	struct cp_errbuf err = {{0}};
	char *value;
	int n = 16;

	(void)state;
	cursor_is("0");
	assert_true(changes_ok(
		page(json_pack("[o, o, o, o, o, o, o]", upsert("category", category_obj("DRINK")),
			       upsert("item", item_obj("B7", "DRINK", 250)),
			       upsert("member", member_obj("M9", "13600000006", 4200, 1)),
			       upsert("tier", json_pack("{s:i, s:s, s:I, s:i}", "level", 5, "name",
							"黑金", "threshold", (json_int_t)100000,
							"multiplier_bp", 25000)),
			       upsert("earn_rules", rules_obj(200)),
			       upsert("staff", staff_obj("3001", "4321", true)),
			       upsert("config", json_pack("{s:s, s:s}", "name", "receipt_footer",
							  "value", "谢谢惠顾"))),
		     NULL, "4711", true)));
	cursor_is("4711");

	ok(cp_catalog_find(env.db, "B7", &it, &err), &err, "item");
	assert_int_equal(it.price, 250);
	assert_int_equal(it.member_price, -1);
	assert_string_equal(it.category, "DRINK");
	assert_string_equal(it.name_zh, "矿泉水");
	v = get("M9");
	assert_int_equal(v.points, 4200);
	ok(cp_tier_list(env.db, tiers, &n, &err), &err, "tiers");
	assert_int_equal(n, 6);
	assert_int_equal(tiers[5].level, 5);
	assert_string_equal(tiers[5].name, "黑金");
	assert_int_equal(tiers[5].threshold, 100000);
	assert_int_equal(tiers[5].multiplier_bp, 25000);
	ok(cp_earn_rules_load(env.db, &rules, &err), &err, "rules");
	assert_int_equal(rules.welcome_points, 200);
	ok(cp_staff_login(env.db, "3001", "4321", &who, NULL, &err), &err, "login with HQ's PIN");
	assert_string_equal(who.code, "3001");
	assert_int_equal(who.role, CP_ROLE_CASHIER);
	assert_int_equal(cp_staff_login(env.db, "3001", "1234", &who, NULL, &err), CP_EAUTH);
	value = text_of("SELECT value FROM hq_config WHERE name = 'receipt_footer'");
	assert_non_null(value);
	assert_string_equal(value, "谢谢惠顾");
	free(value);

	/* The next page replaces, and says there is no more. */
	assert_false(changes_ok(
		page(json_pack("[o, o]", upsert("item", item_obj("B7", "DRINK", 300)),
			       upsert("config", json_pack("{s:s, s:s}", "name", "receipt_footer",
							  "value", "再见"))),
		     NULL, "4712", false)));
	cursor_is("4712");
	ok(cp_catalog_find(env.db, "B7", &it, &err), &err, "item");
	assert_int_equal(it.price, 300);
	value = text_of("SELECT value FROM hq_config WHERE name = 'receipt_footer'");
	assert_string_equal(value, "再见");
	free(value);
}

static void test_changes_deletes(void **state)
{
	struct cp_item it;
	struct cp_tier tiers[16];
	struct cp_earn_rules rules;
	struct cp_session who;
	struct cp_cart_view cart;
	struct cp_errbuf err = {{0}};
	int n = 16;

	(void)state;
	ok(cp_cart_scan(env.db, &env.cashier, "A1", 1, NULL, &err), &err, "scan");
	ok(cp_cart_set_member(env.db, &env.cashier, "M2", &err), &err, "attach");
	changes_ok(page(
		json_pack("[o, o, o]", upsert("category", category_obj("TMP")),
			  upsert("staff", staff_obj("3001", "4321", true)),
			  upsert("config", json_pack("{s:s, s:s}", "name", "x", "value", "1"))),
		NULL, "1", true));
	ok(cp_staff_login(env.db, "3001", "4321", &who, NULL, &err), &err, "login");
	assert_false(
		changes_ok(page(json_pack("[o, o, o, o, o, o, o]", delete_of("item", "A2"),
					  delete_of("category", "TMP"), delete_of("tier", "4"),
					  delete_of("member", "M2"), delete_of("staff", "3001"),
					  delete_of("config", "x"), delete_of("earn_rules", "1")),
				NULL, "2", false)));
	cursor_is("2");
	assert_int_equal(cp_catalog_find(env.db, "A2", &it, &err), CP_ENOTFOUND);
	assert_int_equal(cp_catalog_find(env.db, "96385074", &it, &err), CP_ENOTFOUND);
	ok(cp_catalog_find(env.db, "A1", &it, &err), &err, "A1 stays");
	assert_int_equal(count("SELECT count(*) FROM category WHERE code = 'TMP'"), 0);
	ok(cp_tier_list(env.db, tiers, &n, &err), &err, "tiers");
	assert_int_equal(n, 4);
	assert_int_equal(tiers[3].level, 3);
	assert_gone("M2");
	ok(cp_cart_view(env.db, NULL, &cart, &err), &err, "cart");
	assert_true(cart.open);
	assert_false(cart.has_member);
	assert_int_not_equal(cp_staff_login(env.db, "3001", "4321", &who, NULL, &err), CP_OK);
	assert_int_equal(count("SELECT count(*) FROM hq_config"), 0);
	assert_int_equal(cp_earn_rules_load(env.db, &rules, &err), CP_ENOTFOUND);
}

/* HQ deactivates a staff code by an upsert with active false, too. */
static void test_changes_staff_inactive(void **state)
{
	struct cp_session who;
	struct cp_errbuf err = {{0}};

	(void)state;
	changes_ok(page(json_pack("[o]", upsert("staff", staff_obj("1001", "4321", true))), NULL,
			"1", false));
	ok(cp_staff_login(env.db, "1001", "4321", &who, NULL, &err), &err, "new PIN");
	assert_int_equal(cp_staff_login(env.db, "1001", "1234", &who, NULL, &err), CP_EAUTH);
	changes_ok(page(json_pack("[o]", upsert("staff", staff_obj("1001", "4321", false))), NULL,
			"2", false));
	assert_int_not_equal(cp_staff_login(env.db, "1001", "4321", &who, NULL, &err), CP_OK);
}

static void test_changes_item_inactive(void **state)
{
	struct cp_item it;
	struct cp_errbuf err = {{0}};
	json_t *item = item_obj("A1", "FOOD", 3000);

	(void)state;
	json_object_set_new(item, "active", json_false());
	changes_ok(page(json_pack("[o]", upsert("item", item)), NULL, "1", false));
	assert_int_equal(cp_catalog_find(env.db, "A1", &it, &err), CP_ENOTFOUND);
}

static void test_changes_unknown_kinds(void **state)
{
	struct cp_item it;
	struct cp_errbuf err = {{0}};

	(void)state;
	assert_int_equal(status().unknown_changes, 0);
	changes_ok(page(json_pack("[o, o]",
				  json_pack("{s:s, s:s, s:{s:s, s:i}}", "kind", "lottery", "op",
					    "upsert", "data", "id", "c-9", "percent", 10),
				  delete_of("lottery", "c-1")),
			NULL, "9", false));
	assert_int_equal(status().unknown_changes, 2);
	cursor_is("9");
	/* Nothing else moved but the cursor and the count. */
	assert_int_equal(count("SELECT count(*) FROM item"), 6);
	changes_ok(page(json_pack("[o, o]", delete_of("raffle", "b-1"),
				  upsert("item", item_obj("A2", "FOOD", 2100))),
			NULL, "10", false));
	assert_int_equal(status().unknown_changes, 3);
	ok(cp_catalog_find(env.db, "A2", &it, &err), &err, "known kind beside it");
	assert_int_equal(it.price, 2100);
}

/* The whole of a text file (malloc'd), NULL when it cannot be read. */
static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (text = malloc((size_t)len + 1)) && fread(text, 1, (size_t)len, f) == (size_t)len)
		text[len] = '\0';
	else if (text) {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

/* The kinds the reference HQ (tests/hq/hq.py) enters into its feed: the kind named by each
 * feed_upsert/feed_delete call there. *n in: capacity, out: count. */
static void hq_py_kinds(char kinds[][32], int *n)
{
	const char *src = getenv("CP_SOURCE_DIR");
	const char *calls[] = {"feed_upsert(", "feed_delete("};
	char path[1024], *text, *p;
	int k = 0;

	if (!src)
		skip();
	snprintf(path, sizeof(path), "%s/tests/hq/hq.py", src);
	assert_non_null(text = read_file(path));
	for (size_t c = 0; c < 2; c++) {
		for (p = strstr(text, calls[c]); p; p = strstr(p + 1, calls[c])) {
			char *q = strchr(p, '"'), *nl = strchr(p, '\n'), *end;
			bool seen = false;

			if (!q || (nl && nl < q) || !(end = strchr(q + 1, '"')))
				continue; /* the definition, or a kind passed through */
			assert_true(end - q - 1 > 0 && end - q - 1 < 32);
			for (int i = 0; i < k; i++)
				seen = seen ||
				       (strncmp(kinds[i], q + 1, (size_t)(end - q - 1)) == 0 &&
					kinds[i][end - q - 1] == '\0');
			if (seen)
				continue;
			assert_true(k < *n);
			snprintf(kinds[k++], 32, "%.*s", (int)(end - q - 1), q + 1);
		}
	}
	free(text);
	*n = k;
}

/* One table of kinds is the only dispatch: every kind HQ sends has an entry with both an upsert
 * and a delete, and a page reaches each entry (nothing counted unknown), while a kind not in the
 * table is counted, not refused. */
static void test_changes_table_dispatch(void **state)
{
	char kinds[32][32], next[24];
	int n = 32;

	(void)state;
	hq_py_kinds(kinds, &n);
	assert_true(n >= 7);
	for (int i = 0; i < n; i++)
		if (!cp_change_kind_for(kinds[i]))
			fail_msg("hq.py sends kind %s, which the table of kinds lacks", kinds[i]);
	for (size_t i = 0; i < cp_change_kinds_n; i++) {
		assert_non_null(cp_change_kinds[i].upsert);
		assert_non_null(cp_change_kinds[i].remove);
		assert_ptr_equal(cp_change_kind_for(cp_change_kinds[i].kind), &cp_change_kinds[i]);
		snprintf(next, sizeof(next), "%zu", i + 1);
		/* key 9 names nothing of any kind: the delete is applied, and changes nothing */
		changes_ok(page(json_pack("[o]", delete_of(cp_change_kinds[i].kind, "9")), NULL,
				next, false));
		cursor_is(next);
		assert_int_equal(status().unknown_changes, 0);
	}
	assert_null(cp_change_kind_for("lottery"));
	changes_ok(page(json_pack("[o]", delete_of("lottery", "9")), NULL, "100", false));
	assert_int_equal(status().unknown_changes, 1);
	cursor_is("100");
}

static void test_changes_merge_notice(void **state)
{
	struct cp_notice notes[4];
	struct cp_cart_view cart;
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};
	char local[64];
	int n = 4;

	(void)state;
	registered("13700000007", local);
	ok(cp_shift_open(env.db, &env.manager, 0, NULL, &err), &err, "shift");
	ok(cp_cart_scan(env.db, &env.cashier, "A2", 1, NULL, &err), &err, "scan");
	ok(cp_cart_set_member(env.db, &env.cashier, local, &err), &err, "attach");
	changes_ok(page(json_array(),
			json_pack("[o]", merged_notice("n-17", local, "M1", TEST_TUESDAY_MS + 5)),
			"20", false));
	assert_string_equal(get(local).id, "M1"); /* the local id finds the survivor */
	v = get("M1");
	assert_int_equal(v.points, 500 + 100); /* the welcome points still pending */
	assert_int_equal(v.points_pending, 100);
	ok(cp_cart_view(env.db, NULL, &cart, &err), &err, "cart");
	assert_true(cart.has_member);
	assert_string_equal(cart.member.id, "M1");
	ok(cp_hq_notices(env.db, notes, &n, &err), &err, "notices");
	assert_int_equal(n, 1);
	assert_string_equal(notes[0].id, "n-17");
	assert_string_equal(notes[0].kind, "member_merged");
	assert_int_equal(notes[0].at, TEST_TUESDAY_MS + 5);
	assert_string_equal(notes[0].message, "13700000007 was already a member");
	assert_int_equal(status().notices, 1);

	/* The same notice on a later page is kept once; an unknown kind is kept as text. */
	changes_ok(page(json_array(),
			json_pack("[o, o]", merged_notice("n-17", local, "M1", TEST_TUESDAY_MS + 5),
				  json_pack("{s:s, s:s, s:I, s:{s:s}}", "id", "n-18", "kind",
					    "coupon_issued", "at", (json_int_t)TEST_TUESDAY_MS + 9,
					    "data", "coupon", "C-1")),
			"21", false));
	n = 4;
	ok(cp_hq_notices(env.db, notes, &n, &err), &err, "notices");
	assert_int_equal(n, 2);
	assert_string_equal(notes[0].id, "n-18");
	assert_string_equal(notes[0].kind, "coupon_issued");
	assert_true(notes[0].message[0] != '\0');
	assert_string_equal(notes[1].id, "n-17");
	assert_int_equal(status().notices, 2);
	assert_int_equal(count("SELECT count(*) FROM notice"), 2);
	assert_int_equal(get("M1").points, 600);
	/* Capacity is honoured. */
	n = 1;
	ok(cp_hq_notices(env.db, notes, &n, &err), &err, "notices");
	assert_int_equal(n, 1);
	assert_string_equal(notes[0].id, "n-18");
}

/* The usual shape of a merge: HQ's member, with the phone registered here, and the notice on
 * one page. */
static void test_changes_merge_with_member(void **state)
{
	struct cp_member_view v;
	struct cp_errbuf err = {{0}};
	char local[64];

	(void)state;
	registered("13700000007", local);
	changes_ok(
		page(json_pack("[o]", upsert("member", member_obj("M1004", "13700000007", 800, 3))),
		     json_pack("[o]", merged_notice("n-1", local, "M1004", TEST_TUESDAY_MS)), "30",
		     false));
	assert_string_equal(get(local).id, "M1004"); /* the local id finds the survivor */
	ok(cp_member_find_by_phone(env.db, "13700000007", &v, &err), &err, "find");
	assert_string_equal(v.id, "M1004");
	assert_int_equal(v.points, 800 + 100);
	assert_int_equal(count("SELECT count(*) FROM member"), 3);
}

static void test_changes_bad_change_in_the_middle(void **state)
{
	struct cp_item it;
	struct cp_errbuf err = {{0}};
	char *body, *before = dump();
	bool more = false;

	(void)state;
	body = page(json_pack("[o, o, o, o]", upsert("category", category_obj("DRINK")),
			      upsert("item", item_obj("B7", "DRINK", 250)),
			      upsert("item", item_obj("B8", "DRINK", -5)),
			      upsert("tier", json_pack("{s:i, s:s, s:I, s:i}", "level", 5, "name",
						       "黑金", "threshold", (json_int_t)100000,
						       "multiplier_bp", 25000))),
		    json_pack("[o]", merged_notice("n-1", "M2", "M1", TEST_TUESDAY_MS)), "c-9",
		    true);
	assert_int_equal(cp_hq_apply_changes(env.db, body, strlen(body), &more, &err), CP_EINVAL);
	free(body);
	assert_non_null(strstr(err.msg, "changes[2]"));
	assert_unchanged(before, "a page with a bad change");
	assert_int_equal(cp_catalog_find(env.db, "B7", &it, &err), CP_ENOTFOUND);
	cursor_is("0");
	get("M2");

	/* A bad notice after good changes: the same. */
	before = dump();
	body = page(json_pack("[o]", upsert("item", item_obj("A1", "FOOD", 1))),
		    json_pack("[o]", json_pack("{s:s, s:s, s:I, s:{s:s}}", "id", "n-1", "kind",
					       "member_merged", "at", (json_int_t)1, "data", "from",
					       "M2")),
		    "c-9", false);
	refused(CHANGES, body, strlen(body), CP_EINVAL, "bad notice");
	free(body);
	assert_unchanged(before, "a page with a bad notice");
}

/* Pages fetched one after another are applied together: all in one transaction with the last
 * one's cursor and "more", or, when one of them is refused, none of them. */
static void test_change_pages_together(void **state)
{
	struct cp_item it;
	struct cp_errbuf err = {{0}};
	struct cp_hq_page pages[3];
	char *body[3], *before = dump();
	bool more = true;

	(void)state;
	body[0] = page(json_pack("[o]", upsert("item", item_obj("G1", "FOOD", 100))), NULL, "c-1",
		       true);
	body[1] = page(json_pack("[o]", upsert("item", item_obj("G2", "FOOD", 200))), NULL, "c-2",
		       false);
	body[2] = page(json_pack("[o]", upsert("item", item_obj("G3", "FOOD", -5))), NULL, "c-3",
		       false);
	for (int i = 0; i < 3; i++) {
		pages[i].body = body[i];
		pages[i].len = strlen(body[i]);
	}
	/* The third page is bad: the two good ones before it are not applied either. */
	assert_int_equal(cp_hq_apply_change_pages(env.db, pages, 3, &more, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "changes[0]"));
	assert_true(more);
	assert_unchanged(before, "a group with a bad page");
	cursor_is("0");
	ok(cp_hq_apply_change_pages(env.db, pages, 0, &more, &err), &err, "no page");
	assert_true(more);
	cursor_is("0");

	/* The two good ones: both, the second one's cursor and "more". */
	ok(cp_hq_apply_change_pages(env.db, pages, 2, &more, &err), &err, "two pages");
	assert_false(more);
	cursor_is("c-2");
	ok(cp_catalog_find(env.db, "G1", &it, &err), &err, "G1");
	ok(cp_catalog_find(env.db, "G2", &it, &err), &err, "G2");
	assert_int_equal(it.price, 200);
	for (int i = 0; i < 3; i++)
		free(body[i]);
}

#define ITEM_DATA                                                                                  \
	"{\"sku\":\"B7\",\"barcode\":null,\"name_zh\":\"水\",\"name_en\":\"Water\","              \
	"\"category\":\"FOOD\",\"price\":100,\"member_price\":null,\"active\":true}"
#define PAGE_TAIL "\"notices\":[],\"next\":\"5\",\"more\":false,\"applied\":0}"

static void test_changes_malformed(void **state)
{
	char long_next[300];
	static const char *const bad[] = {
		"not json",
		"",
		"[]",
		"null",
		"{\"changes\":[],\"notices\":[],\"next\":\"5\",\"more\":false",
		"{\"changes\":[],\"notices\":[],\"next\":\"5\",\"more\":false}}",
		"{\"error\":{\"code\":\"bad_request\",\"message\":\"limit\"}}",
		/* next and more */
		"{\"changes\":[],\"notices\":[],\"more\":false}",
		"{\"changes\":[],\"notices\":[],\"next\":\"47 11\",\"more\":false}",
		"{\"changes\":[],\"notices\":[],\"next\":\"\",\"more\":false}",
		"{\"changes\":[],\"notices\":[],\"next\":4711,\"more\":false}",
		"{\"changes\":[],\"notices\":[],\"next\":null,\"more\":false}",
		"{\"changes\":[],\"notices\":[],\"next\":\"47\\n11\",\"more\":false}",
		"{\"changes\":[],\"notices\":[],\"next\":\"游标\",\"more\":false}",
		"{\"changes\":[],\"notices\":[],\"next\":\"5\",\"more\":\"false\"}",
		"{\"changes\":[],\"notices\":[],\"next\":\"5\",\"more\":0}",
		"{\"changes\":[],\"notices\":[],\"next\":\"5\"}",
		"{\"changes\":[],\"notices\":[],\"next\":\"5\",\"next\":\"6\",\"more\":false}",
		/* changes and notices */
		"{\"notices\":[],\"next\":\"5\",\"more\":false}",
		"{\"changes\":{}," PAGE_TAIL,
		"{\"changes\":null," PAGE_TAIL,
		"{\"changes\":[],\"notices\":{},\"next\":\"5\",\"more\":false}",
		"{\"changes\":[5]," PAGE_TAIL,
		"{\"changes\":[[]]," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"item\",\"op\":\"merge\",\"data\":" ITEM_DATA
		"}]," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"item\",\"data\":" ITEM_DATA "}]," PAGE_TAIL,
		"{\"changes\":[{\"op\":\"upsert\",\"data\":" ITEM_DATA "}]," PAGE_TAIL,
		"{\"changes\":[{\"kind\":7,\"op\":\"upsert\",\"data\":" ITEM_DATA "}]," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"item\",\"op\":\"upsert\"}]," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"item\",\"op\":\"upsert\",\"data\":null}]," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"item\",\"op\":\"upsert\",\"data\":\"B7\"}]," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"staff\",\"op\":\"upsert\",\"data\":{}}]," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"config\",\"op\":\"upsert\",\"data\":{\"name\":\"x\"}}]"
		"," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"item\",\"op\":\"delete\"}]," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"item\",\"op\":\"delete\",\"key\":10042}]," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"item\",\"op\":\"delete\",\"key\":\"A 2\"}]," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"item\",\"op\":\"delete\",\"key\":\"\"}]," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"item\",\"op\":\"upsert\",\"data\":{\"sku\":\"B7\","
		"\"sku\":\"B8\",\"barcode\":null,\"name_zh\":\"水\",\"name_en\":\"Water\","
		"\"category\":\"FOOD\",\"price\":100,\"member_price\":null,\"active\":true}}]"
		"," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"item\",\"op\":\"upsert\",\"data\":{\"sku\":\"B7\","
		"\"barcode\":null,\"name_zh\":\"水\",\"name_en\":\"Water\",\"category\":\"NONE\","
		"\"price\":100,\"member_price\":null,\"active\":true}}]," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"member\",\"op\":\"upsert\",\"data\":{\"id\":\"M9\","
		"\"phone\":\"13600000006\"," MEMBER_TAIL "}]," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"staff\",\"op\":\"upsert\",\"data\":{\"code\":\"3001\","
		"\"name\":\"孙\",\"role\":\"boss\",\"pin_salt\":"
		"\"00112233445566778899aabbccddeeff\","
		"\"pin_hash\":\"" HASH64 "\",\"pin_iter\":1000,\"active\":true}}]," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"staff\",\"op\":\"upsert\",\"data\":{\"code\":\"3001\","
		"\"name\":\"孙\",\"role\":\"cashier\",\"pin_salt\":\"0011223344556677889\","
		"\"pin_hash\":\"" HASH64 "\",\"pin_iter\":1000,\"active\":true}}]," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"staff\",\"op\":\"upsert\",\"data\":{\"code\":\"3001\","
		"\"name\":\"孙\",\"role\":\"cashier\",\"pin_salt\":"
		"\"00112233445566778899aabbccddeeff\","
		"\"pin_hash\":\"" HASH64 "\",\"pin_iter\":0,\"active\":true}}]," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"tier\",\"op\":\"upsert\",\"data\":{\"level\":5,"
		"\"name\":\"黑金\",\"threshold\":100000,\"multiplier_bp\":0}}]," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"earn_rules\",\"op\":\"upsert\",\"data\":{\"combine\":"
		"\"sum\"}}]," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"config\",\"op\":\"upsert\",\"data\":{\"name\":\"a b\","
		"\"value\":\"1\"}}]," PAGE_TAIL,
		"{\"changes\":[{\"kind\":\"config\",\"op\":\"upsert\",\"data\":{\"name\":\"x\","
		"\"value\":\"1\\u0007\"}}]," PAGE_TAIL,
		/* notices */
		"{\"changes\":[],\"notices\":[5],\"next\":\"5\",\"more\":false}",
		"{\"changes\":[],\"notices\":[{\"kind\":\"x\",\"at\":1,\"data\":{}}],\"next\":"
		"\"5\","
		"\"more\":false}",
		"{\"changes\":[],\"notices\":[{\"id\":\"n "
		"1\",\"kind\":\"x\",\"at\":1,\"data\":{}}],"
		"\"next\":\"5\",\"more\":false}",
		"{\"changes\":[],\"notices\":[{\"id\":\"n-1\",\"kind\":\"x\",\"at\":-1,\"data\":{}}"
		"],"
		"\"next\":\"5\",\"more\":false}",
		"{\"changes\":[],\"notices\":[{\"id\":\"n-1\",\"kind\":\"x\",\"at\":1,\"data\":"
		"\"t\"}],"
		"\"next\":\"5\",\"more\":false}",
		"{\"changes\":[],\"notices\":[{\"id\":\"n-1\",\"kind\":\"member_merged\",\"at\":1,"
		"\"data\":{\"from\":\"M2\",\"into\":\"M 1\"}}],\"next\":\"5\",\"more\":false}",
		"{\"changes\":[],\"notices\":[{\"id\":\"n-1\",\"kind\":\"member_merged\",\"at\":1,"
		"\"data\":{\"into\":\"M1\"}}],\"next\":\"5\",\"more\":false}",
	};
	static const char nul_page[] =
		"{\"changes\":[],\"notices\":[],\"next\":\"5\",\"more\":false}";
	char *body;

	(void)state;
	refused_all(CHANGES, bad, sizeof(bad) / sizeof(bad[0]), CP_EINVAL);
	refused(CHANGES, nul_page, sizeof(nul_page), CP_EINVAL, "a NUL after the page");
	memset(long_next, '7', 65);
	long_next[65] = '\0';
	body = page(json_array(), NULL, long_next, false);
	refused(CHANGES, body, strlen(body), CP_EINVAL, "a 65-character cursor");
	free(body);
	cursor_is("0");
	/* Sixty-four characters are a cursor. */
	long_next[64] = '\0';
	changes_ok(page(json_array(), NULL, long_next, false));
	cursor_is(long_next);
}

/* Welcome or referral points beyond what a balance can hold would overflow the sums of a
 * member's movements at the next registration: such rules are refused on arrival, the field
 * named, and the page changes nothing. */
static void test_changes_rules_that_could_overflow(void **state)
{
	static const char *const fields[] = {"welcome_points", "referral_points"};
	static const json_int_t values[] = {INT64_MAX, INT64_MAX - 7, 100000000000001};
	json_t *most;

	(void)state;
	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			json_t *rules = rules_obj(200);
			struct cp_errbuf err = {{0}};
			bool more = false;
			char *body, label[64];

			json_object_set_new(rules, fields[f], json_integer(values[v]));
			body = page(json_pack("[o]", upsert("earn_rules", rules)), NULL, "9",
				    false);
			snprintf(label, sizeof(label), "%s %lld", fields[f], (long long)values[v]);
			refused(CHANGES, body, strlen(body), CP_EINVAL, label);
			assert_int_equal(
				cp_hq_apply_changes(env.db, body, strlen(body), &more, &err),
				CP_EINVAL);
			assert_non_null(strstr(err.msg, fields[f]));
			free(body);
		}
	}
	cursor_is("0");
	/* The most a balance holds is accepted. */
	most = rules_obj(100000000000000);
	json_object_set_new(most, "referral_points", json_integer(100000000000000));
	changes_ok(page(json_pack("[o]", upsert("earn_rules", most)), NULL, "10", false));
}

/* A tier's key is its level as text: anything else is malformed, not tier 0. */
static void test_changes_tier_key_not_a_number(void **state)
{
	char *body = page(json_pack("[o]", delete_of("tier", "gold")), NULL, "3", false);

	(void)state;
	refused(CHANGES, body, strlen(body), CP_EINVAL, "tier key \"gold\"");
	free(body);
	body = page(json_pack("[o]", delete_of("earn_rules", "1abc")), NULL, "3", false);
	refused(CHANGES, body, strlen(body), CP_EINVAL, "rules key \"1abc\"");
	free(body);
}

/* "active" is true or false like every flag of the feed: a string is malformed. */
static void test_changes_item_active_not_bool(void **state)
{
	json_t *item = item_obj("A1", "FOOD", 3000);
	char *body;

	(void)state;
	json_object_set_new(item, "active", json_string("false"));
	body = page(json_pack("[o]", upsert("item", item)), NULL, "3", false);
	refused(CHANGES, body, strlen(body), CP_EINVAL, "item active \"false\"");
	free(body);
}

/* HQ removes a category after its items. The till keeps the items as inactive rows (sales and
 * carts refer to them), which must not make the category's deletion — and so the whole feed —
 * fail for ever. */
static void test_changes_category_after_its_items(void **state)
{
	struct cp_item it;
	struct cp_errbuf err = {{0}};

	(void)state;
	changes_ok(
		page(json_pack("[o, o]", delete_of("item", "T1"), delete_of("category", "TOBACCO")),
		     NULL, "8", false));
	cursor_is("8");
	assert_int_equal(cp_catalog_find(env.db, "T1", &it, &err), CP_ENOTFOUND);
}

/* Whatever bytes HQ sent, the refusal's message (shown to the manager, logged) holds no control
 * characters and no broken UTF-8: a terminal must not be driven by HQ's garbage. */
static void test_refusal_messages_are_clean(void **state)
{
	static const char *const bad[] = {
		"{\"changes\":\x1b[2J\x1b]0;owned\x07]}",  "{\"next\":\"a\x1b[2Jb\"}", "\x1b[31m{}",
		"{\"changes\":[],\"next\":\"5\xff\xfe\"}", "{\"changes\":tr\x01ue}",
	};
	static const enum answer kinds[] = {ENROL, ACK, CHANGES, LOOKUP};
	char label[64];

	(void)state;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(label, sizeof(label), "answer %zu, body %zu", k, i);
			refused(kinds[k], bad[i], strlen(bad[i]), CP_EINVAL, label);
		}
}

/* ---- online lookup ---- */

static void test_phone_hash_hex(void **state)
{
	static const char *const forms[] = {"13800000001", "+86 138-0000-0001", "8613800000001"};
	const void *parts[] = {"13800000001"};
	size_t lens[] = {11};
	uint8_t mac[32];
	char want[65], got[65];
	struct cp_errbuf err = {{0}};

	(void)state;
	assert_int_equal(cp_hmac_sha256(env.db->phone_key, DB_KEY_LEN, parts, lens, 1, mac), 0);
	cp_hex(mac, sizeof(mac), want);
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		memset(got, 'x', sizeof(got));
		ok(cp_hq_phone_hash_hex(env.db, forms[i], got, &err), &err, forms[i]);
		assert_string_equal(got, want);
	}
	assert_int_equal(cp_hq_phone_hash_hex(env.db, "12345", got, &err), CP_EINVAL);
	assert_int_equal(cp_hq_phone_hash_hex(env.db, "", got, &err), CP_EINVAL);
}

static void test_lookup(void **state)
{
	struct cp_member_view v, w;
	struct cp_errbuf err = {{0}};
	json_t *m = member_obj("M9", "13600000006", 4200, 1);
	char *body;

	(void)state;
	json_object_set_new(m, "card_no", json_string("8800000001"));
	body = dumps(json_pack("{s:o}", "member", m));
	memset(&v, 0, sizeof(v));
	ok(cp_hq_apply_lookup(env.db, body, strlen(body), &v, &err), &err, "lookup");
	free(body);
	assert_true(sqlite3_get_autocommit(env.db->h));
	assert_string_equal(v.id, "M9");
	assert_string_equal(v.masked_phone, "136****0006");
	assert_string_equal(v.card_no, "8800000001");
	assert_int_equal(v.points, 4200);
	assert_int_equal(v.tier_level, 2);
	assert_string_equal(v.tier_name, "金卡");
	ok(cp_member_find_by_phone(env.db, "13600000006", &w, &err), &err, "cached");
	assert_string_equal(w.id, "M9");
	ok(cp_member_find_by_card(env.db, "8800000001", &w, &err), &err, "cached card");
	assert_string_equal(w.id, "M9");
}

static void test_lookup_malformed(void **state)
{
	static const char *const bad[] = {
		"not json",
		"[]",
		"{}",
		"{\"member\":null}",
		"{\"member\":\"M9\"}",
		"{\"member\":{\"id\":\"M9\"}}",
		"{\"member\":{\"id\":\"M9\",\"phone\":\"13600000006\"," MEMBER_TAIL "}",
		"{\"member\":{\"id\":\"M9\",\"phone_hash\":\"" HASH64 "\"," MEMBER_TAIL "}",
		"{\"error\":{\"code\":\"not_found\",\"message\":\"no such member\"}}",
	};

	(void)state;
	refused_all(LOOKUP, bad, sizeof(bad) / sizeof(bad[0]), CP_EINVAL);
	assert_gone("M9");
}

/* ---- sync state ---- */

static void test_status(void **state)
{
	struct cp_sync_status s;
	struct cp_errbuf err = {{0}};
	int64_t t0 = env.now;

	(void)state;
	s = status();
	assert_false(s.enrolled);
	assert_false(s.online);
	assert_false(s.stopped);
	assert_int_equal(s.since, 0);
	assert_int_equal(s.last_success, 0);
	assert_int_equal(s.last_error_at, 0);
	assert_string_equal(s.last_error, "");

	ok(cp_syncstate_record_failure(env.db, "connection refused", t0 + 2000, &err), &err,
	   "fail");
	s = status();
	assert_false(s.online);
	assert_int_equal(s.since, t0);
	assert_int_equal(s.last_error_at, t0);
	assert_string_equal(s.last_error, "connection refused");
	assert_int_equal(s.next_try, t0 + 2000);

	/* Still offline: since stays, the rest moves. */
	env.now = t0 + 2000;
	ok(cp_syncstate_record_failure(env.db, "timed out", t0 + 6000, &err), &err, "fail again");
	s = status();
	assert_int_equal(s.since, t0);
	assert_int_equal(s.last_error_at, t0 + 2000);
	assert_string_equal(s.last_error, "timed out");
	assert_int_equal(s.next_try, t0 + 6000);

	env.now = t0 + 6000;
	ok(cp_syncstate_record_success(env.db, &err), &err, "success");
	s = status();
	assert_true(s.online);
	assert_int_equal(s.since, t0 + 6000);
	assert_int_equal(s.last_success, t0 + 6000);
	assert_int_equal(s.next_try, 0);
	assert_string_equal(s.last_error, "timed out"); /* kept for `status` */

	env.now = t0 + 9000;
	ok(cp_syncstate_record_success(env.db, &err), &err, "success again");
	s = status();
	assert_int_equal(s.since, t0 + 6000);
	assert_int_equal(s.last_success, t0 + 9000);

	env.now = t0 + 12000;
	ok(cp_syncstate_record_failure(env.db, "HQ answered 503", t0 + 15000, &err), &err, "fail");
	s = status();
	assert_false(s.online);
	assert_int_equal(s.since, t0 + 12000);
	assert_int_equal(s.last_success, t0 + 9000);

	env.now = t0 + 15000;
	ok(cp_syncstate_record_stop(env.db, CP_SYNC_STOP_ENROL,
				    "HQ does not know this terminal (401): enrol again", 0, &err),
	   &err, "stop");
	s = status();
	assert_true(s.stopped);
	assert_false(s.online);
	assert_string_equal(s.stop_reason, "HQ does not know this terminal (401): enrol again");
	assert_int_equal(s.since, t0 + 12000);
	assert_int_equal(s.stop_kind, CP_SYNC_STOP_ENROL);
	assert_int_equal(s.next_try, 0);
	/* A stop until re-enrolment outlives failures, successes and stops of configuration. */
	ok(cp_syncstate_record_failure(env.db, "timed out", t0 + 20000, &err), &err, "fail");
	ok(cp_syncstate_record_stop(env.db, CP_SYNC_STOP_CONFIG, "pin mismatch", 900000, &err),
	   &err, "config stop");
	ok(cp_syncstate_record_success(env.db, &err), &err, "success");
	s = status();
	assert_int_equal(s.stop_kind, CP_SYNC_STOP_ENROL);
	assert_true(s.stopped);
	assert_string_equal(s.stop_reason, "HQ does not know this terminal (401): enrol again");
	assert_int_equal(cp_syncstate_record_stop(env.db, CP_SYNC_STOP_NONE, "x", 0, &err),
			 CP_EINVAL);
}

/* A stop for configuration (issue 8, item 7): recorded with when it is checked again; the next
 * round that reaches HQ, or fails for another reason, clears it. */
static void test_status_config_stop(void **state)
{
	struct cp_sync_status s;
	struct cp_errbuf err = {{0}};
	int64_t t0 = env.now;

	(void)state;
	ok(cp_syncstate_record_stop(env.db, CP_SYNC_STOP_CONFIG,
				    "wrong host name: check the HQ address", 900000, &err),
	   &err, "stop");
	s = status();
	assert_true(s.stopped);
	assert_int_equal(s.stop_kind, CP_SYNC_STOP_CONFIG);
	assert_string_equal(s.stop_reason, "wrong host name: check the HQ address");
	assert_string_equal(s.last_error, "wrong host name: check the HQ address");
	assert_int_equal(s.last_error_at, t0);
	assert_int_equal(s.next_try, t0 + 900000);
	env.now = t0 + 1000;
	ok(cp_syncstate_record_retry(env.db, "HQ cannot be reached", 2000, &err), &err, "retry");
	s = status();
	assert_false(s.stopped);
	assert_int_equal(s.stop_kind, CP_SYNC_STOP_NONE);
	assert_string_equal(s.stop_reason, "");
	assert_string_equal(s.last_error, "HQ cannot be reached");
	assert_int_equal(s.last_error_at, t0 + 1000);
	assert_int_equal(s.next_try, t0 + 3000);
	assert_int_equal(cp_syncstate_record_retry(env.db, "x", -1, &err), CP_EINVAL);
	ok(cp_syncstate_record_stop(env.db, CP_SYNC_STOP_CONFIG, "pin mismatch", 900000, &err),
	   &err, "stop again");
	ok(cp_syncstate_record_success(env.db, &err), &err, "success");
	s = status();
	assert_false(s.stopped);
	assert_true(s.online);
	assert_int_equal(s.next_try, 0);
	/* One of re-enrolment takes over a stop of configuration. */
	ok(cp_syncstate_record_stop(env.db, CP_SYNC_STOP_CONFIG, "pin mismatch", 900000, &err),
	   &err, "stop");
	ok(cp_syncstate_record_stop(env.db, CP_SYNC_STOP_ENROL, "401", 0, &err), &err,
	   "enrol stop");
	s = status();
	assert_int_equal(s.stop_kind, CP_SYNC_STOP_ENROL);
	assert_string_equal(s.stop_reason, "401");
	assert_int_equal(s.next_try, 0);
}

static void test_status_queue_and_counts(void **state)
{
	struct cp_sync_status s;

	(void)state;
	three_rows();
	s = status();
	assert_int_equal(s.last_seq, 3);
	assert_int_equal(s.acked_seq, 0);
	assert_int_equal(s.queue_depth, 3);
	assert_int_equal(s.unknown_changes, 0);
	assert_int_equal(s.notices, 0);
}

static void assert_clean(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			fail_msg("control character 0x%02x kept in \"%s\"", *p, s);
	assert_true(cp_text_ok(s, 255));
}

static void test_status_control_characters(void **state)
{
	struct cp_sync_status s;
	struct cp_errbuf err = {{0}};
	char raw[] = "HQ said: \x1b[2J\x1b]0;pwned\x07 bad\r\nline\ttab\x7f";

	(void)state;
	ok(cp_syncstate_record_failure(env.db, raw, 0, &err), &err, "fail");
	s = status();
	assert_clean(s.last_error);
	assert_non_null(strstr(s.last_error, "HQ said:"));
	assert_non_null(strstr(s.last_error, "bad"));
	ok(cp_syncstate_record_stop(env.db, CP_SYNC_STOP_ENROL, "chain broken at\n42\x1b[0m", 0,
				    &err),
	   &err, "stop");
	s = status();
	assert_clean(s.stop_reason);
	assert_clean(s.last_error);
	assert_non_null(strstr(s.stop_reason, "42"));
	ok(cp_syncstate_record_failure(env.db, "bad \xff\xfe bytes", 0, &err), &err, "fail");
	s = status();
	assert_clean(s.last_error);
	ok(cp_syncstate_record_failure(env.db, NULL, 0, &err), &err, "no message");
	assert_clean(status().last_error);
}

/* A long message from HQ in Chinese is cut on a character boundary, not thrown away. */
static void test_status_long_message(void **state)
{
	struct cp_sync_status s;
	struct cp_errbuf err = {{0}};
	char msg[400];
	size_t n = 0;

	(void)state;
	msg[n++] = 'E';
	while (n + 3 < sizeof(msg)) {
		memcpy(msg + n, "错", 3);
		n += 3;
	}
	msg[n] = '\0';
	ok(cp_syncstate_record_failure(env.db, msg, 0, &err), &err, "fail");
	s = status();
	assert_clean(s.last_error);
	assert_true(strlen(s.last_error) > 200);
	assert_memory_equal(s.last_error, msg, strlen(s.last_error));
}

/* A page carries how far HQ had applied this terminal's rows. The round pulls only after its
 * push was acknowledged, so a page never acknowledges anything itself: more than the
 * acknowledged sequence claims rows never sent (a protocol error), more than the journal rows
 * never written; either changes nothing. */
static void test_changes_applied_checked(void **state)
{
	struct cp_tender cash = {.method = CP_TENDER_CASH, .amount = 12000};
	struct cp_sale_result r;
	struct cp_sync_status st;
	struct cp_errbuf err = {{0}};
	bool more = true;
	char body[160], cursor[16];

	(void)state;
	ok(cp_shift_open(env.db, &env.manager, 0, NULL, &err), &err, "shift");
	ok(cp_cart_scan(env.db, &env.cashier, "G120", 1, NULL, &err), &err, "scan");
	ok(cp_cart_set_member(env.db, &env.cashier, "M1", &err), &err, "attach");
	ok(cp_sale_pay(env.db, &env.cashier, &cash, 1, &r, &err), &err, "pay");
	snprintf(body, sizeof(body),
		 "{\"changes\":[],\"notices\":[],\"next\":\"9\",\"more\":false,\"applied\":%d}", 3);
	assert_int_equal(cp_hq_apply_changes(env.db, body, strlen(body), &more, &err), CP_ECORRUPT);
	snprintf(body, sizeof(body),
		 "{\"changes\":[],\"notices\":[],\"next\":\"9\",\"more\":false,\"applied\":%d}", 2);
	assert_int_equal(cp_hq_apply_changes(env.db, body, strlen(body), &more, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "protocol error"));
	ok(cp_syncstate_status_get(env.db, &st, &err), &err, "status");
	assert_int_equal(st.acked_seq, 0);
	ok(cp_hq_cursor(env.db, cursor, sizeof(cursor), &err), &err, "cursor");
	assert_string_equal(cursor, "0");
	assert_int_equal(ack_ok(ack_body(2, NULL)), 2);
	ok(cp_hq_apply_changes(env.db, body, strlen(body), &more, &err), &err, "page");
	ok(cp_hq_cursor(env.db, cursor, sizeof(cursor), &err), &err, "cursor");
	assert_string_equal(cursor, "9");
	ok(cp_syncstate_status_get(env.db, &st, &err), &err, "status");
	assert_int_equal(st.acked_seq, 2);
	assert_int_equal(st.queue_depth, 0);
	assert_false(more);
}

/* ---- members stored in the order of their phone hashes (core/member_batch.c) ---- */

/* A member of HQ's with the phone given and the fields that vary (stage NULL: none). */
static json_t *member_v(const char *id, const char *phone, int64_t points, int64_t version,
			const char *stage)
{
	json_t *m = member_obj(id, phone, points, version);

	if (stage)
		json_object_set_new(m, "stage", json_string(stage));
	return m;
}

/* The member rows HQ's feed made (the seeded M1 and M2 apart: their phone hashes use each
 * database's own key), the aliases and HQ's stages, in key order. */
static char *members_dump(void)
{
	static const char *const sql[] = {
		"SELECT * FROM member WHERE id NOT IN ('M1', 'M2') ORDER BY id",
		"SELECT * FROM member_alias ORDER BY local_id",
		"SELECT * FROM lifecycle_hq ORDER BY member_id",
	};
	sqlite3 *h = peek();
	struct buf b = {0};

	for (size_t q = 0; q < sizeof(sql) / sizeof(sql[0]); q++) {
		sqlite3_stmt *st = NULL;

		assert_int_equal(sqlite3_prepare_v2(h, sql[q], -1, &st, NULL), SQLITE_OK);
		put_str(&b, "## ");
		put_str(&b, sql[q]);
		put_str(&b, "\n");
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int i = 0; i < sqlite3_column_count(st); i++) {
				const char *t = (const char *)sqlite3_column_text(st, i);
				char hex[3];

				if (sqlite3_column_type(st, i) == SQLITE_BLOB) {
					const uint8_t *p = sqlite3_column_blob(st, i);

					for (int k = 0; k < sqlite3_column_bytes(st, i); k++) {
						snprintf(hex, sizeof(hex), "%02x", p[k]);
						put_str(&b, hex);
					}
				} else {
					put_str(&b, t ? t : "NULL");
				}
				put_str(&b, "|");
			}
			put_str(&b, "\n");
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	return b.p;
}

/* The feed of test_changes_member_order: members upserted, changed twice, deleted, re-added,
 * renumbered from a member registered here, a phone passing from one member to another, with
 * other kinds and a merge notice between them. local: the registered member's id. */
static json_t *order_feed(const char *local, int pairs, json_t **notices)
{
	json_t *c = json_array(), *renumbered;
	char id[16], phone[32];

	for (int i = 0; i < 40; i++) {
		snprintf(id, sizeof(id), "X%02d", i);
		snprintf(phone, sizeof(phone), "1350000%04d", i * 37);
		json_array_append_new(c, upsert("member", member_v(id, phone, 100 + i, 1,
								   i % 3 ? "growing" : NULL)));
	}
	/* Changed twice: the newest stands; one whose newer version comes first. */
	json_array_append_new(c, upsert("member", member_v("U1", "13600000001", 1, 1, "new")));
	json_array_append_new(c, upsert("member", member_v("U1", "13600000002", 2, 2, "mature")));
	json_array_append_new(c, upsert("member", member_v("U2", "13600000003", 3, 3, NULL)));
	json_array_append_new(c, upsert("member", member_v("U2", "13600000004", 4, 2, "lost")));
	/* Upserted then deleted; deleted then added again. */
	json_array_append_new(c, upsert("member", member_v("D1", "13600000005", 5, 1, NULL)));
	json_array_append_new(c, upsert("member", member_v("R1", "13600000006", 6, 1, NULL)));
	json_array_append_new(c, delete_of("member", "D1"));
	json_array_append_new(c, delete_of("member", "R1"));
	json_array_append_new(c, upsert("member", member_v("R1", "13600000006", 7, 2, "silent")));
	json_array_append_new(c, upsert("member", member_v("D2", "13600000007", 8, 1, NULL)));
	json_array_append_new(c, upsert("item", item_obj("Z1", "FOOD", 100)));
	json_array_append_new(c, delete_of("member", "D2"));
	/* P1 changes its phone and P2 takes P1's old one; P3's phone goes to P4, who is held with
	 * it while P3 still holds it: P3 gives way to P4, as in the feed's order. */
	json_array_append_new(c, upsert("member", member_v("P1", "13600000010", 9, 1, NULL)));
	json_array_append_new(c, upsert("member", member_v("P1", "13600000011", 10, 2, NULL)));
	json_array_append_new(c, upsert("member", member_v("P2", "13600000010", 11, 1, NULL)));
	json_array_append_new(c, upsert("member", member_v("P3", "13600000012", 12, 1, NULL)));
	json_array_append_new(c, upsert("member", member_v("P4", "13600000012", 13, 1, NULL)));
	json_array_append_new(c, upsert("member", member_v("P3", "13600000013", 14, 2, NULL)));
	/* Members stored before the feed (order_prelude) change their phones, and others take
	 * the old ones: held in hash order, a taker could come first and retire the holder. */
	for (int i = 0; i < pairs; i++) {
		snprintf(id, sizeof(id), "T%d", i);
		snprintf(phone, sizeof(phone), "136000004%02d", i);
		json_array_append_new(c, upsert("member", member_v(id, phone, 20 + i, 2, NULL)));
		snprintf(id, sizeof(id), "S%d", i);
		snprintf(phone, sizeof(phone), "136000003%02d", i);
		json_array_append_new(c, upsert("member", member_v(id, phone, 30 + i, 1, NULL)));
	}
	/* A member registered here that HQ renumbers, then merges into another. */
	renumbered = member_v("M1004", "13700000007", 800, 3, NULL);
	json_object_set_new(renumbered, "local_id", json_string(local));
	json_array_append_new(c, upsert("member", renumbered));
	json_array_append_new(c, upsert("member", member_v("X99", "13600000020", 15, 1, NULL)));
	json_array_append_new(c, upsert("member", member_v("M1005", "13600000021", 16, 1, NULL)));
	*notices = json_pack("[o]", merged_notice("n-1", "M1004", "M1005", TEST_TUESDAY_MS));
	return c;
}

/* The members T0 to T<pairs - 1> with their first phones, before order_feed. */
static char *order_prelude(int pairs)
{
	json_t *c = json_array();
	char id[16], phone[32];

	for (int i = 0; i < pairs; i++) {
		snprintf(id, sizeof(id), "T%d", i);
		snprintf(phone, sizeof(phone), "136000003%02d", i);
		json_array_append_new(c, upsert("member", member_v(id, phone, 10 + i, 1, NULL)));
	}
	return page(c, NULL, "c-0", false);
}

/* Members held and stored in the order of their phone hashes end as they would have in the
 * feed's order: the same feed in one page and one change a page. pairs: members here whose
 * phones others take (at most 16 in a batch: stored in its place in the feed between the
 * others in hash order; more: the batch in the feed's order). */
static void member_order(int pairs)
{
	char local[64], *one_page, *in_order;
	json_t *notices, *feed;
	size_t i;
	json_t *c;

	registered("13700000007", local);
	feed = order_feed(local, pairs, &notices);
	changes_ok(order_prelude(pairs));
	one_page = page(json_deep_copy(feed), json_deep_copy(notices), "c-1", false);
	changes_ok(one_page);
	in_order = members_dump();
	assert_non_null(strstr(in_order, "|P4|"));
	test_env_close(&env);

	/* A new till with the same members registered, one change a page. */
	test_env_open_shift(&env, "hq", false);
	registered("13700000007", local);
	changes_ok(order_prelude(pairs));
	json_array_foreach (feed, i, c)
		changes_ok(page(json_pack("[O]", c), NULL, "c-0", false));
	changes_ok(page(json_array(), json_incref(notices), "c-1", false));
	{
		char *one_by_one = members_dump();

		assert_string_equal(one_by_one, in_order);
		free(one_by_one);
	}
	free(in_order);
	json_decref(feed);
	json_decref(notices);
}

static void test_changes_member_order(void **state)
{
	(void)state;
	member_order(8);
}

static void test_changes_member_order_many(void **state)
{
	(void)state;
	member_order(20);
}

/* A page of members is stored in the order of their phone hashes, not the feed's: each leaf of
 * the phone-hash index is visited once (the order of inserts, logged by a trigger of the
 * test's in the till's file: a temporary one would not outlive the pull's pragmas). */
static void test_changes_member_hash_order(void **state)
{
	json_t *c = json_array();
	char id[16], phone[32];
	int64_t out_of_order, n;

	(void)state;
	assert_int_equal(sqlite3_exec(env.db->h,
				      "CREATE TABLE ins_log(h BLOB);"
				      "CREATE TRIGGER ins_logged AFTER INSERT ON member"
				      " BEGIN INSERT INTO ins_log(h) VALUES(new.phone_hash); END",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	for (int i = 0; i < 200; i++) {
		snprintf(id, sizeof(id), "H%03d", i);
		snprintf(phone, sizeof(phone), "1350000%04d", i);
		json_array_append_new(c, upsert("member", member_obj(id, phone, i, 1)));
	}
	changes_ok(page(c, NULL, "c-1", false));
	{
		sqlite3_stmt *st = NULL;

		assert_int_equal(sqlite3_prepare_v2(env.db->h,
						    "SELECT count(*), sum(b.h < a.h) FROM ins_log a"
						    " JOIN ins_log b ON b.rowid = a.rowid + 1",
						    -1, &st, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		n = sqlite3_column_int64(st, 0);
		out_of_order = sqlite3_column_int64(st, 1);
		sqlite3_finalize(st);
	}
	assert_int_equal(n, 199);
	assert_int_equal(out_of_order, 0);
	assert_int_equal(count("SELECT count(*) FROM member WHERE id LIKE 'H%'"), 200);
}

/* A member held for the hash order that core refuses when it stores it (a name that is not
 * text): the group is refused at its end as it would have been at the member, nothing changes,
 * and the message names the member's place in its page. */
static void test_changes_member_held_refused(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_hq_page pages[2];
	char *body[2], *before = dump();
	json_t *bad = member_obj("G3", "13500000003", 3, 1);
	bool more = false;

	(void)state;
	json_object_set_new(bad, "name", json_string("\x01"));
	body[0] = page(json_pack("[o]", upsert("member", member_obj("G1", "13500000001", 1, 1))),
		       NULL, "c-1", true);
	body[1] = page(json_pack("[o, o]", upsert("member", member_obj("G2", "13500000002", 2, 1)),
				 upsert("member", bad)),
		       NULL, "c-2", false);
	for (int i = 0; i < 2; i++) {
		pages[i].body = body[i];
		pages[i].len = strlen(body[i]);
	}
	assert_int_equal(cp_hq_apply_change_pages(env.db, pages, 2, &more, &err), CP_EINVAL);
	assert_non_null(strstr(err.msg, "changes[1]"));
	assert_non_null(strstr(err.msg, "name"));
	assert_unchanged(before, "a group with a member refused when stored");
	cursor_is("0");
	ok(cp_hq_apply_change_pages(env.db, pages, 1, &more, &err), &err, "the good page");
	cursor_is("c-1");
	assert_int_equal(count("SELECT count(*) FROM member WHERE id IN ('G1', 'G2', 'G3')"), 1);
	for (int i = 0; i < 2; i++)
		free(body[i]);
}

/* A batch of 20,000 members and more drops the index of the last four digits and builds it
 * again after storing them: the same index, whole, and found by a search. */
static void test_changes_member_last4_rebuilt(void **state)
{
	json_t *c = json_array();
	char id[16], phone[16], *sql_before;
	sqlite3 *h;
	sqlite3_stmt *st = NULL;

	(void)state;
	h = peek();
	assert_int_equal(
		sqlite3_prepare_v2(h, "SELECT sql FROM sqlite_schema WHERE name = 'member_last4'",
				   -1, &st, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	sql_before = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	for (int i = 0; i < 20000; i++) {
		snprintf(id, sizeof(id), "L%05d", i);
		snprintf(phone, sizeof(phone), "135%08d", i * 7);
		json_array_append_new(c, upsert("member", member_obj(id, phone, i, 1)));
	}
	changes_ok(page(c, NULL, "c-1", false));
	h = peek();
	assert_int_equal(
		sqlite3_prepare_v2(h, "SELECT sql FROM sqlite_schema WHERE name = 'member_last4'",
				   -1, &st, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), sql_before);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	sqlite3_close(h);
	free(sql_before);
	/* 13500069993 (L09999) and 13500019999 (no such member): "9993" is L09999's alone. */
	assert_int_equal(count("SELECT count(*) FROM member INDEXED BY member_last4"
			       " WHERE substr(phone_masked, -4) = '9993'"),
			 count("SELECT count(*) FROM member NOT INDEXED"
			       " WHERE substr(phone_masked, -4) = '9993'"));
	assert_int_equal(count("SELECT count(*) FROM member WHERE id LIKE 'L%'"), 20000);
}

/* The memory SQLite takes to store a batch does not grow with the members the till already
 * holds: among 300,000 members, dropping member_last4 and building it again stay within the
 * page cache that stores the batch (16 MB) and 2 MB (its sort in memory and the pages stored
 * kept in the cache beside it took 24.7 MB here, 4 MB more for every 128,000 members). Counted
 * by SQLite (sqlite3_memory_highwater): the same on any machine, under any load. */
static void test_changes_member_batch_memory(void **state)
{
	json_t *c = json_array();
	char id[16], phone[32];
	int64_t peak;

	(void)state;
	assert_int_equal(
		sqlite3_exec(env.db->h,
			     "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
			     "  WHERE i < 300000)"
			     " INSERT INTO member(id, phone_hash, phone_masked, name, version,"
			     "  created_at)"
			     " SELECT printf('B%06d', i), randomblob(32),"
			     "  printf('147****%04d', i % 10000), '', 1, 0 FROM n",
			     NULL, NULL, NULL),
		SQLITE_OK);
	for (int i = 0; i < 20000; i++) {
		snprintf(id, sizeof(id), "L%05d", i);
		snprintf(phone, sizeof(phone), "135%08d", i * 7);
		json_array_append_new(c, upsert("member", member_obj(id, phone, i, 1)));
	}
	sqlite3_memory_highwater(1);
	changes_ok(page(c, NULL, "c-1", false));
	peak = sqlite3_memory_highwater(0);
	print_message("SQLite's peak while 20,000 members were stored among 300,000: %.1f MB\n",
		      (double)peak / (1 << 20));
	assert_true(peak < (int64_t)18 << 20);
	assert_int_equal(count("SELECT count(*) FROM member WHERE id LIKE 'L%'"), 20000);
	assert_int_equal(count("SELECT count(*) FROM member INDEXED BY member_last4"
			       " WHERE substr(phone_masked, -4) = '9993'"),
			 count("SELECT count(*) FROM member NOT INDEXED"
			       " WHERE substr(phone_masked, -4) = '9993'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_enrol_request),
		T(test_changes_applied_checked),
		T(test_ack_bounded_by_request),
		T(test_status_config_stop),
		T(test_enrol_request_bad_codes),
		T(test_enrol_apply),
		T(test_enrol_applied_beyond_journal),
		T(test_enrol_other_terminal_with_journal),
		T(test_enrol_other_terminal_empty_journal),
		T(test_enrol_sets_store_zone),
		T(test_enrol_malformed),
		T(test_enrol_ids_alphabet),
		T(test_outbox_fetch),
		T(test_outbox_body),
		T(test_outbox_bad_batch),
		T(test_ack_partial),
		T(test_ack_head_anchor),
		T(test_ack_snapshots),
		T(test_ack_local_id),
		T(test_ack_beyond_last_row),
		T(test_ack_stale_snapshot_changes_nothing),
		T(test_ack_malformed),
		T(test_changes_upserts),
		T(test_changes_deletes),
		T(test_changes_staff_inactive),
		T(test_changes_item_inactive),
		T(test_changes_unknown_kinds),
		T(test_changes_table_dispatch),
		T(test_changes_merge_notice),
		T(test_changes_merge_with_member),
		T(test_changes_bad_change_in_the_middle),
		T(test_change_pages_together),
		T(test_changes_member_order),
		T(test_changes_member_order_many),
		T(test_changes_member_hash_order),
		T(test_changes_member_batch_memory),
		T(test_changes_member_held_refused),
		T(test_changes_member_last4_rebuilt),
		T(test_changes_malformed),
		T(test_changes_tier_key_not_a_number),
		T(test_changes_rules_that_could_overflow),
		T(test_changes_item_active_not_bool),
		T(test_changes_category_after_its_items),
		T(test_refusal_messages_are_clean),
		T(test_phone_hash_hex),
		T(test_lookup),
		T(test_lookup_malformed),
		T(test_status),
		T(test_status_queue_and_counts),
		T(test_status_control_characters),
		T(test_status_long_message),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
