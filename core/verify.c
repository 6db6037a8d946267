/* verify.c — `counterpoint verify`: the database's own integrity check, the hash chain walked
 * from the first row, every payload replayed into a scratch in-memory database by the same
 * apply functions a commit uses, whose tables must equal the live ones row for row, and the
 * counters kept beside the journal (receipts, local members, HQ's acknowledgement) checked
 * against it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cp_crypto.h"
#include "cp_rand.h"
#include "events_int.h"
#include "journal.h"
#include "report_int.h"
#include "member_int.h"
#include "rowmac_int.h"
#include "seal_int.h"
#include "verify_json_int.h"
#include "verify_mark_int.h"

/* The tables that are the journal's materialised view, compared whole. */
/* clang-format off */
static const char *const view_tables[] = {
	"sale",        "sale_line",     "tender",        "movement",    "refund",
	"refund_line", "clock_confirm", "cart_takeover", "points_pay",  "points_offline",
	"offer_use",   "shift",         "shift_move",    "shift_close", "journal_day",
	"day_close",   "guide_event",   "guide_credit",  "staff_admin", "coupon_issue",
	"coupon_use",  "coupon_line",   "report_day_sum",
	"sale_discount",
	"member_visit", "tier_up", "benefit_grant", "refund_part", "member_consent",
	"sale_rounding", "rounding_line", "cart_cancel", "sale_weight",
	"refund_noreceipt", "cart_cancel_tender", "report_line_discount"};
/* clang-format on */

/* One integrity pragma; its first line "ok" or the damage it reports. */
static enum cp_err integrity_pragma(struct cp_db *db, const char *sql, struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	char flat[512];
	enum cp_err result = CP_OK;
	int rc = sqlite3_prepare_v2(db->h, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return cp_db_fail(db, rc, "integrity check", err);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		result = cp_db_fail(db, rc, "integrity check", err);
	else if (strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0)
		result = cp_errf(err, CP_ECORRUPT, "the database is damaged: %s",
				 cp_db_one_line((const char *)sqlite3_column_text(st, 0), flat,
						sizeof(flat)));
	sqlite3_finalize(st);
	return result;
}

static bool is_view_table(const char *name)
{
	if (strcmp(name, "journal") == 0)
		return true;
	for (size_t i = 0; i < sizeof(view_tables) / sizeof(view_tables[0]); i++)
		if (strcmp(name, view_tables[i]) == 0)
			return true;
	return false;
}

/* Every table of the file read once: the journal and its view with SQLite's full check (each
 * row's entries in the table's indexes sought, UNIQUE), which grows with the journal; every
 * other table with quick_check (its B-trees, records and NOT NULL), one pass over its pages.
 * One full check of the whole file also sought every member in each of the member table's
 * indexes (issue 14: with 1,000,000 members that was half of verify's CPU at 10,000 sales);
 * the members' rows are checked by their checksums (cp_rowmac_verify). A check table by
 * table leaves out SQLite's count of pages no table uses. */
static enum cp_err integrity(struct cp_db *db, struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	char sql[160];
	enum cp_err result = integrity_pragma(db, "PRAGMA quick_check(sqlite_schema)", err);
	int rc;

	if (result != CP_OK)
		return result;
	rc = sqlite3_prepare_v2(db->h,
				"SELECT name FROM main.sqlite_schema WHERE type = 'table'"
				" AND rootpage > 0 ORDER BY rootpage",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return cp_db_fail(db, rc, "integrity check", err);
	while (result == CP_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		if (!name || strchr(name, '"'))
			continue; /* no table of the schema's is named so */
		snprintf(sql, sizeof(sql), "PRAGMA %s(\"%s\")",
			 is_view_table(name) ? "integrity_check" : "quick_check", name);
		result = integrity_pragma(db, sql, err);
	}
	if (result == CP_OK && rc != SQLITE_DONE)
		result = cp_db_fail(db, rc, "integrity check", err);
	sqlite3_finalize(st);
	return result;
}

/* The numbers the journal has issued, followed row by row: receipts and local member ids are
 * taken one after another, so each must be one past the one before. */
struct counters {
	int64_t receipt, member;
};

static enum cp_err count_step(struct cp_db *db, struct counters *c, const char *type, json_t *p,
			      int64_t seq, struct cp_errbuf *err)
{
	const char *id;
	int64_t n;

	if (strcmp(type, "sale") == 0 || strcmp(type, "refund") == 0 || strcmp(type, "void") == 0 ||
	    strcmp(type, "refund_noreceipt") == 0) {
		id = json_string_value(json_object_get(p, "receipt"));
		if (!id || !cp_journal_counter_of(id, db->store_id, db->terminal_id, &n))
			return cp_errf(
				err, CP_ECORRUPT,
				"journal sequence %lld: receipt %s is not a receipt number of "
				"this till (%s-%s-N)",
				(long long)seq, id ? id : "(none)", db->store_id, db->terminal_id);
		if (n != c->receipt + 1)
			return cp_errf(
				err, CP_ECORRUPT,
				"journal sequence %lld: receipt %s follows receipt number %lld; "
				"receipts are issued one after another, so the events of the "
				"numbers between were removed or the counter was changed",
				(long long)seq, id, (long long)c->receipt);
		c->receipt = n;
	} else if (strcmp(type, "member_register") == 0) {
		id = json_string_value(json_object_get(p, "member"));
		if (!id || strncmp(id, "L-", 2) != 0 ||
		    !cp_journal_counter_of(id + 2, db->store_id, db->terminal_id, &n) ||
		    n != c->member + 1)
			return cp_errf(
				err, CP_ECORRUPT,
				"journal sequence %lld: member %s does not follow local member "
				"number %lld",
				(long long)seq, id ? id : "(none)", (long long)c->member);
		c->member = n;
	}
	return CP_OK;
}

/* The seals as verify follows them: with the starting key, the key of each row (the starting
 * key itself before seal_from, then one derived step per row); without it, only the links. */
struct seals {
	bool known;
	int64_t from;
	uint8_t start[DB_KEY_LEN], key[DB_KEY_LEN];
};

/* Whether the row's stored hash is its seal (always true when the key is not known); moves
 * the key on to the next row's. */
static bool seal_holds(struct seals *k, int64_t seq, const uint8_t prev[JOURNAL_HASH_LEN],
		       const char *text, size_t len, const void *stored)
{
	uint8_t hash[JOURNAL_HASH_LEN];
	bool ok;

	if (!k->known)
		return true;
	ok = cp_journal_hash(seq < k->from ? k->start : k->key, prev, seq, text, len, hash) == 0 &&
	     cp_ct_equal(hash, stored, JOURNAL_HASH_LEN);
	if (seq >= k->from && cp_seal_next(k->key, k->key) != 0)
		ok = false;
	return ok;
}

/* The replay sums the day's sales (report_day_sum) for this many journal rows at a time, in
 * one statement, instead of one statement a sale (issue 14): the same sums, fewer steps. */
#define SUMS_EVERY 4096

/* Walks the chain and replays each row into replay. */
static enum cp_err walk(struct cp_db *db, struct cp_db *replay, int64_t sums_every, struct seals *k,
			struct cp_verify_report *rep, struct counters *c, struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	uint8_t prev[JOURNAL_HASH_LEN] = {0}, hash[JOURNAL_HASH_LEN];
	int64_t expect = 1;
	enum cp_err result = CP_OK;
	int rc = sqlite3_prepare_v2(
		db->h,
		"SELECT seq, event_id, type, created_at, payload, prev_hash, hash"
		" FROM journal ORDER BY seq",
		-1, &st, NULL);

	if (rc != SQLITE_OK)
		return cp_db_fail(db, rc, "read journal", err);
	while (result == CP_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);
		const char *event_id = (const char *)sqlite3_column_text(st, 1);
		const char *type = (const char *)sqlite3_column_text(st, 2);
		int64_t at = sqlite3_column_int64(st, 3);
		const char *text = (const char *)sqlite3_column_text(st, 4);
		int textlen = sqlite3_column_bytes(st, 4);
		journal_apply_fn apply;
		json_t *p;

		rep->first_bad_seq = seq;
		if (seq != expect) {
			result = cp_errf(err, CP_ECORRUPT,
					 "journal sequence %lld is missing (the next row is %lld)",
					 (long long)expect, (long long)seq);
			rep->first_bad_seq = expect;
			break;
		}
		if (!text || !event_id || !type ||
		    sqlite3_column_bytes(st, 5) != JOURNAL_HASH_LEN ||
		    sqlite3_column_bytes(st, 6) != JOURNAL_HASH_LEN ||
		    memcmp(sqlite3_column_blob(st, 5), prev, JOURNAL_HASH_LEN) != 0) {
			result = cp_errf(err, CP_ECORRUPT,
					 "journal sequence %lld: the hash chain is broken (the row "
					 "was changed, removed or inserted)",
					 (long long)seq);
			break;
		}
		memcpy(hash, sqlite3_column_blob(st, 6), JOURNAL_HASH_LEN);
		if (!seal_holds(k, seq, prev, text, (size_t)textlen, hash)) {
			result =
				cp_errf(err, CP_ECORRUPT,
					"journal sequence %lld: the hash chain is broken: its seal "
					"does not hold, so the row was changed and chained again "
					"after it was written (or the starting key given is not "
					"this till's)",
					(long long)seq);
			break;
		}
		p = cp_verify_json_load(text, (size_t)textlen);
		if (!json_is_object(p)) {
			json_decref(p);
			result = cp_errf(err, CP_ECORRUPT,
					 "journal sequence %lld: payload is not JSON",
					 (long long)seq);
			break;
		}
		if ((result = cp_verify_columns(p, seq, event_id, type, at, err)) == CP_OK) {
			if (!(apply = cp_journal_apply_for(type)))
				result = cp_errf(err, CP_ECORRUPT,
						 "journal sequence %lld: unknown event type %s",
						 (long long)seq, type);
			else if (strcmp(type, "day_close") == 0 &&
				 ((result = cp_report_sale_sums_flush(replay, err)) != CP_OK ||
				  (result = cp_report_check_z(replay, seq, p, prev, err)) != CP_OK))
				rep->first_bad_seq = seq; /* its totals or chain do not hold */
			else if ((result = apply(replay, seq, p, err)) != CP_OK ||
				 (result = cp_report_note_day(replay, seq, type, p, err)) != CP_OK)
				cp_errf(err, result, "journal sequence %lld cannot be replayed: %s",
					(long long)seq, err ? err->msg : "");
			else if (replay->sums_to - replay->sums_from + 1 >= sums_every &&
				 (result = cp_report_sale_sums_flush(replay, err)) != CP_OK)
				cp_errf(err, result, "journal sequence %lld cannot be replayed: %s",
					(long long)seq, err ? err->msg : "");
			else
				result = count_step(db, c, type, p, seq, err);
		}
		json_decref(p);
		memcpy(prev, hash, JOURNAL_HASH_LEN);
		expect++;
		rep->rows++;
	}
	if (result == CP_OK && rc != SQLITE_DONE)
		result = cp_db_fail(db, rc, "read journal", err);
	sqlite3_finalize(st);
	if (result == CP_OK && (result = cp_report_sale_sums_flush(replay, err)) != CP_OK)
		cp_errf(err, result, "journal sequence %lld cannot be replayed: %s",
			(long long)replay->sums_to, err ? err->msg : "");
	return result;
}

/* First differing row of one table between the live file and the replay; 0 when equal. */
static int64_t first_difference(sqlite3 *h, const char *table, int *rc)
{
	char sql[1024];
	sqlite3_stmt *st;
	int64_t seq = 0;

	/* report_day_sum sums the sales of a day: its difference is at the day's first row */
	snprintf(sql, sizeof(sql),
		 "WITH x AS (SELECT * FROM (SELECT * FROM live.%s EXCEPT SELECT * FROM main.%s)"
		 " UNION ALL SELECT * FROM (SELECT * FROM main.%s EXCEPT SELECT * FROM live.%s))"
		 " SELECT %s",
		 table, table, table, table,
		 strcmp(table, "report_day_sum") != 0
			 ? "min(seq) FROM x"
			 : "CASE WHEN EXISTS(SELECT 1 FROM x) THEN coalesce((SELECT min(seq) FROM"
			   " main.journal_day WHERE day IN (SELECT day FROM x)), (SELECT max(seq)"
			   " FROM main.journal), 1) ELSE 0 END");
	*rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
	if (*rc != SQLITE_OK)
		return 0;
	*rc = sqlite3_step(st);
	if (*rc == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0);
		*rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return seq;
}

/* A table's rows as one number, to compare two tables in one pass each without sorting: the
 * sum (mod 2^64) of a keyed hash of each row's values, their types included. The key is drawn
 * for each verify, so no row can be made to cancel another. Equal sums say the tables hold
 * the same rows; tables whose sums differ are compared row by row (first_difference). */
struct digest_key {
	uint64_t k0, k1;
};

struct digest_sum {
	uint64_t sum, n;
};

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t absorb(uint64_t h, uint64_t w)
{
	return mix(h ^ w) + UINT64_C(0x9e3779b97f4a7c15);
}

static uint64_t absorb_bytes(uint64_t h, const unsigned char *p, size_t len)
{
	uint64_t w;

	h = absorb(h, len);
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = absorb(h, w);
	}
	w = 0;
	memcpy(&w, p, len);
	return absorb(h, w);
}

static void digest_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct digest_key *k = sqlite3_user_data(ctx);
	struct digest_sum *d = sqlite3_aggregate_context(ctx, sizeof(*d));
	uint64_t h = k->k0, w;
	double f;

	if (!d) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	for (int i = 0; i < argc; i++) {
		int type = sqlite3_value_type(argv[i]);

		h = absorb(h, (uint64_t)type);
		if (type == SQLITE_INTEGER) {
			h = absorb(h, (uint64_t)sqlite3_value_int64(argv[i]));
		} else if (type == SQLITE_FLOAT) {
			f = sqlite3_value_double(argv[i]);
			memcpy(&w, &f, sizeof(w));
			h = absorb(h, w);
		} else if (type == SQLITE_TEXT) {
			const unsigned char *t = sqlite3_value_text(argv[i]);

			h = absorb_bytes(h, t, t ? (size_t)sqlite3_value_bytes(argv[i]) : 0);
		} else if (type == SQLITE_BLOB) {
			const unsigned char *b = sqlite3_value_blob(argv[i]);

			h = absorb_bytes(h, b, b ? (size_t)sqlite3_value_bytes(argv[i]) : 0);
		}
	}
	d->sum += mix(h ^ k->k1);
	d->n++;
}

static void digest_final(sqlite3_context *ctx)
{
	struct digest_sum *d = sqlite3_aggregate_context(ctx, 0);
	char out[48];

	snprintf(out, sizeof(out), "%llu:%llu", d ? (unsigned long long)d->n : 0ULL,
		 d ? (unsigned long long)d->sum : 0ULL);
	sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

/* Whether main.table and live.table hold the same rows by their digests; *rc an SQLite
 * code. */
static bool same_digest(sqlite3 *h, const char *table, int *rc)
{
	char cols[1024] = "", sql[1600], got[2][48] = {"", ""};
	size_t used = 0;
	sqlite3_stmt *st;

	*rc = sqlite3_prepare_v2(h, "SELECT name FROM main.pragma_table_info(?1) ORDER BY cid", -1,
				 &st, NULL);
	if (*rc != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while ((*rc = sqlite3_step(st)) == SQLITE_ROW && used < sizeof(cols))
		used += (size_t)snprintf(cols + used, sizeof(cols) - used, "%s\"%s\"",
					 used ? ", " : "", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (*rc == SQLITE_ROW || used >= sizeof(cols) || !used) {
		*rc = SQLITE_OK;
		return false; /* too wide to name here: compared row by row */
	}
	if (*rc != SQLITE_DONE)
		return false;
	for (int i = 0; i < 2; i++) {
		snprintf(sql, sizeof(sql), "SELECT cp_rows_digest(%s) FROM %s.\"%s\"", cols,
			 i ? "live" : "main", table);
		if ((*rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL)) != SQLITE_OK)
			return false;
		if ((*rc = sqlite3_step(st)) == SQLITE_ROW) {
			snprintf(got[i], sizeof(got[i]), "%s", sqlite3_column_text(st, 0));
			*rc = SQLITE_OK;
		}
		sqlite3_finalize(st);
		if (*rc != SQLITE_OK)
			return false;
	}
	return strcmp(got[0], got[1]) == 0;
}

static enum cp_err compare(struct cp_db *db, struct cp_db *replay, struct cp_verify_report *rep,
			   int64_t *sums_differ, struct cp_errbuf *err)
{
	struct digest_key key;
	sqlite3_stmt *st;
	int64_t worst = 0, sum_seq = 0;
	const char *where = NULL;
	int rc = sqlite3_prepare_v2(replay->h, "ATTACH DATABASE ?1 AS live", -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, db->path, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_DONE)
		return cp_db_fail(replay, rc, "open the database for comparison", err);
	if (cp_rand_bytes(&key, sizeof(key)) != 0)
		return cp_errf(err, CP_EIO, "the system entropy source failed");
	rc = sqlite3_create_function(replay->h, "cp_rows_digest", -1, SQLITE_UTF8, &key, NULL,
				     digest_step, digest_final);
	if (rc != SQLITE_OK)
		return cp_db_fail(replay, rc, "compare tables", err);
	for (size_t i = 0; i < sizeof(view_tables) / sizeof(view_tables[0]); i++) {
		int64_t seq = same_digest(replay->h, view_tables[i], &rc) || rc != SQLITE_OK
				      ? 0
				      : first_difference(replay->h, view_tables[i], &rc);

		if (rc != SQLITE_OK)
			return cp_db_fail(replay, rc, "compare tables", err);
		if (seq && strcmp(view_tables[i], "report_day_sum") == 0)
			sum_seq = seq; /* a day's sums: named after the checks that say more */
		else if (seq && (!worst || seq < worst)) {
			worst = seq;
			where = view_tables[i];
		}
	}
	*sums_differ = sum_seq;
	if (!worst)
		return CP_OK;
	rep->first_bad_seq = worst;
	return cp_errf(err, CP_ECORRUPT,
		       "table %s differs from the journal at sequence %lld (a row was changed, "
		       "added or removed after it was recorded)",
		       where, (long long)worst);
}

static enum cp_err meta_counter(struct cp_db *db, const char *key, int64_t *out,
				struct cp_errbuf *err)
{
	enum cp_err result = cp_db_meta_get_int(db, key, out, err);

	if (result == CP_ENOTFOUND)
		return cp_errf(err, CP_ECORRUPT, "meta %s is missing", key);
	return result;
}

/* The counters kept beside the journal must say what the journal says: the receipt and local
 * member counters its newest numbers, HQ's acknowledgement no row past its end, and an event
 * answered as not recorded absent from it. */
static enum cp_err counters_agree(struct cp_db *db, const struct counters *c, int64_t last_seq,
				  int64_t *bad_seq, struct cp_errbuf *err)
{
	static const struct {
		const char *key, *what;
	} issued[] = {{"receipt_seq", "receipt"}, {"member_seq", "local member"}};
	char event_id[64];
	sqlite3_stmt *st;
	int64_t v, have;
	enum cp_err result;
	int rc;

	for (size_t i = 0; i < sizeof(issued) / sizeof(issued[0]); i++) {
		if ((result = meta_counter(db, issued[i].key, &v, err)) != CP_OK)
			return result;
		have = i == 0 ? c->receipt : c->member;
		*bad_seq = v > have ? last_seq + 1 : 0;
		if (v > have)
			return cp_errf(
				err, CP_ECORRUPT,
				"meta %s says %s number %lld was issued, but the journal's "
				"newest is %lld: the journal's newest events were removed, or "
				"the counter was set by hand",
				issued[i].key, issued[i].what, (long long)v, (long long)have);
		if (v < have)
			return cp_errf(err, CP_ECORRUPT,
				       "meta %s is %lld, behind %s number %lld in the journal: the "
				       "counter was set back, and numbers would be issued twice",
				       issued[i].key, (long long)v, issued[i].what,
				       (long long)have);
	}
	if ((result = meta_counter(db, "acked_seq", &v, err)) != CP_OK)
		return result;
	*bad_seq = last_seq + 1;
	if (v < 0 || v > last_seq)
		return cp_errf(
			err, CP_ECORRUPT,
			"meta acked_seq says HQ acknowledged journal sequence %lld, but the "
			"journal ends at %lld: rows HQ received were removed, or acked_seq was "
			"set by hand",
			(long long)v, (long long)last_seq);
	*bad_seq = 0;
	result = cp_db_meta_get(db, "unrecorded_event", event_id, sizeof(event_id), err);
	if (result == CP_ENOTFOUND)
		return CP_OK;
	if (result != CP_OK)
		return result;
	if (!(st = cp_db_stmt(db, "SELECT seq FROM journal WHERE event_id = ?1", err)))
		return CP_EDB;
	sqlite3_bind_text(st, 1, event_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		*bad_seq = v;
		return cp_errf(err, CP_ECORRUPT,
			       "journal sequence %lld is event %s, which the till answered as not "
			       "recorded after its commit failed",
			       (long long)v, event_id);
	}
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "read journal", err);
}

/* The key the file holds must be the next row's, and, with the starting key, the one that
 * follows from it: a tail cut cleanly, or a key put back, shows here. */
static enum cp_err seals_agree(struct cp_db *db, const struct seals *k, int64_t last_seq,
			       int64_t *bad_seq, struct cp_errbuf *err)
{
	uint8_t key[DB_KEY_LEN];
	int64_t for_seq;
	enum cp_err result = cp_seal_current(db, key, &for_seq, err);

	if (result != CP_OK)
		goto out;
	*bad_seq = last_seq + 1;
	if (for_seq != last_seq + 1) {
		result = cp_errf(err, CP_ECORRUPT,
				 "the sealing key is for journal sequence %lld, but the journal "
				 "ends at %lld: its newest rows were removed, or meta was changed",
				 (long long)for_seq, (long long)last_seq);
		goto out;
	}
	if (k->known && !cp_ct_equal(key, k->key, DB_KEY_LEN)) {
		result = cp_errf(
			err, CP_ECORRUPT,
			"the sealing key in the file does not follow from the starting "
			"key: rows after journal sequence %lld were removed, or the key was "
			"replaced",
			(long long)last_seq);
		goto out;
	}
	*bad_seq = 0;
out:
	cp_wipe(key, sizeof(key));
	return result;
}

/* HQ's acknowledged head (meta acked_hash, from HQ's answer): the row it names must still have
 * that hash. */
static enum cp_err head_holds(struct cp_db *db, int64_t *bad_seq, struct cp_errbuf *err)
{
	char want[2 * JOURNAL_HASH_LEN + 1], have[2 * JOURNAL_HASH_LEN + 1] = "";
	sqlite3_stmt *st;
	int64_t acked;
	enum cp_err result = cp_db_meta_get(db, "acked_hash", want, sizeof(want), err);
	int rc;

	if (result == CP_ENOTFOUND)
		return CP_OK;
	if (result != CP_OK || (result = cp_db_meta_get_int(db, "acked_seq", &acked, err)) != CP_OK)
		return result;
	if (!(st = cp_db_stmt(db, "SELECT lower(hex(hash)) FROM journal WHERE seq = ?1", err)))
		return CP_EDB;
	sqlite3_bind_int64(st, 1, acked);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		cp_db_col_text(st, 0, have, sizeof(have));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read journal", err);
	if (strcmp(want, have) != 0) {
		*bad_seq = acked;
		return cp_errf(err, CP_ECORRUPT,
			       "journal sequence %lld is not the row HQ acknowledged (its hash "
			       "differs from HQ's): it was changed after HQ received it",
			       (long long)acked);
	}
	return CP_OK;
}

/* A customer's receipt against the journal: the receipt's row must be there and its hash
 * begin with the code printed on it. */
static enum cp_err anchor_holds(struct cp_db *db, const struct cp_verify_anchor *a,
				int64_t *bad_seq, struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   "SELECT seq, lower(hex(substr(hash, 1, 4))) FROM journal"
			   " WHERE type IN ('sale', 'refund', 'void',"
			   " 'refund_noreceipt') AND json_extract(payload, '$.receipt') = ?1",
			   err);
	char code[16];
	int64_t seq = 0;
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, a->receipt, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0);
		cp_db_col_text(st, 1, code, sizeof(code));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return cp_errf(err, CP_ECORRUPT,
			       "receipt %s is not in the journal: its event was removed (or the "
			       "receipt is not from this till)",
			       a->receipt);
	if (rc != SQLITE_ROW)
		return cp_db_fail(db, rc, "read journal", err);
	if (strcasecmp(code, a->code) != 0) {
		*bad_seq = seq;
		return cp_errf(err, CP_ECORRUPT,
			       "receipt %s has verification code %s, but its journal row gives "
			       "%s: the row, or a row before it, was changed after the receipt "
			       "was printed",
			       a->receipt, a->code, code);
	}
	return CP_OK;
}

/* The replay's page cache, in KiB. */
#define REPLAY_CACHE_KIB 16384
#define STR_(x) #x
#define STR(x) STR_(x)
/* The replay is a temporary file of its own, written once and thrown away: no rollback
 * journal (a failed replay is discarded whole), no flushes, no locks taken on each
 * transaction. The live file attached to compare is not affected (main. only). */
#define REPLAY_PRAGMAS                                                                             \
	"PRAGMA cache_size=-" STR(                                                                 \
		REPLAY_CACHE_KIB) "; PRAGMA main.journal_mode=OFF;"                                \
				  " PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;"               \
				  " PRAGMA main.locking_mode=EXCLUSIVE"

/* The replay's indexes that no apply function reads (the compare reads each table whole):
 * movements by member, for the lookups and the pending check on the live file. */
#define REPLAY_UNREAD "DROP INDEX movement_member; "

static enum cp_err open_replay(struct cp_db *db, struct cp_db **out, struct cp_errbuf *err)
{
	struct cp_db *r = calloc(1, sizeof(*r));
	char msg[256];
	int rc;

	if (!r)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	*r = (struct cp_db){.clock = db->clock,
			    .cutover_min = db->cutover_min,
			    .utc_offset_min = db->utc_offset_min};
	memcpy(r->store_id, db->store_id, sizeof(r->store_id));
	memcpy(r->terminal_id, db->terminal_id, sizeof(r->terminal_id));
	memcpy(r->journal_key, db->journal_key, sizeof(r->journal_key));
	memcpy(r->phone_key, db->phone_key, sizeof(r->phone_key));
	/* A temporary file of SQLite's, not memory: with a bounded page cache the replay of a
	 * journal of any length fits in REPLAY_CACHE_KIB (issue 14: 591 MB for 1,000,000 rows
	 * in memory). */
	rc = sqlite3_open_v2(
		"", &r->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(r->h, REPLAY_PRAGMAS, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = cp_rowmac_register(r->h, r);
	if (rc == SQLITE_OK)
		rc = cp_db_migrate_handle(r->h, msg, sizeof(msg));
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(r->h, "PRAGMA foreign_keys=OFF; " REPLAY_UNREAD "BEGIN", NULL,
				  NULL, NULL);
	if (rc != SQLITE_OK) {
		enum cp_err e = cp_db_fail(r, rc, "create the replay database", err);

		cp_db_close(r);
		return e;
	}
	*out = r;
	return CP_OK;
}

enum cp_err cp_journal_verify_with(struct cp_db *db, const struct cp_verify_options *opt,
				   struct cp_verify_report *out, struct cp_errbuf *err)
{
	struct cp_verify_report rep = {0};
	struct counters counted = {0};
	struct cp_db *replay = NULL;
	int64_t sums_differ = 0;
	struct seals k = {0};
	enum cp_err result;

	if (opt && opt->start_key) {
		k.known = true;
		memcpy(k.start, opt->start_key, DB_KEY_LEN);
	} else if (db->start_key_set) {
		k.known = true;
		memcpy(k.start, db->journal_key, DB_KEY_LEN);
	}
	memcpy(k.key, k.start, DB_KEY_LEN);
	if (k.known && (result = cp_seal_first(db, &k.from, err)) != CP_OK)
		goto out;
	if ((result = integrity(db, err)) != CP_OK)
		goto out;
	if ((result = open_replay(db, &replay, err)) != CP_OK)
		goto out;
	replay->defer_sums = !opt || opt->sums_every != 1;
	if ((result = walk(db, replay, opt && opt->sums_every > 1 ? opt->sums_every : SUMS_EVERY,
			   &k, &rep, &counted, err)) != CP_OK)
		goto out;
	rep.first_bad_seq = 0;
	if (sqlite3_exec(replay->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		result = cp_db_fail(replay, SQLITE_ERROR, "replay", err);
		goto out;
	}
	if ((result = compare(db, replay, &rep, &sums_differ, err)) != CP_OK ||
	    (result = counters_agree(db, &counted, rep.rows, &rep.first_bad_seq, err)) != CP_OK ||
	    (result = cp_member_pending_verify(db, err)) != CP_OK ||
	    (result = seals_agree(db, &k, rep.rows, &rep.first_bad_seq, err)) != CP_OK ||
	    (result = head_holds(db, &rep.first_bad_seq, err)) != CP_OK ||
	    (result = cp_verify_mark_holds(db, err)) != CP_OK ||
	    (result = cp_rowmac_verify(db, err)) != CP_OK)
		goto out;
	for (size_t i = 0; opt && i < opt->nanchors; i++)
		if ((result = anchor_holds(db, &opt->anchors[i], &rep.first_bad_seq, err)) != CP_OK)
			goto out;
	if (sums_differ) { /* last: every check that names the row says more */
		rep.first_bad_seq = sums_differ;
		result = cp_errf(
			err, CP_ECORRUPT,
			"table report_day_sum (the day's sales summed for the tally) differs "
			"from the journal in the business day of sequence %lld",
			(long long)sums_differ);
		goto out;
	}
	rep.seals_checked = k.known;
	rep.anchors_checked = opt ? (int)opt->nanchors : 0;
	rep.ok = 1;
out:
	cp_wipe(&k, sizeof(k));
	cp_db_close(replay);
	if (out)
		*out = rep;
	return result;
}

enum cp_err cp_journal_verify(struct cp_db *db, struct cp_verify_report *out, struct cp_errbuf *err)
{
	return cp_journal_verify_with(db, NULL, out, err);
}
