/* member_batch.c — HQ's member upserts applied in the order of their phone hashes. The till's
 * member table has an index on the phone's hash, a random key: a feed of members in HQ's order
 * touches a different leaf of it for nearly every member, and among a million members those
 * leaves are four times the page cache, so a transaction of 100,000 members wrote each of them
 * to the WAL again and again (BENCHMARKS.md "sync: the pull catching up"). Held here and stored
 * in the order of that index, each leaf is visited once per batch and leaves the cache for good.
 *
 * Upserts that renumber a member ("local_id"), that take a phone or card another member holds
 * in the batch, or that are not well formed are not held: the batch is stored first and they
 * are applied in the feed's order, as is every other change (a delete, a notice, another kind).
 * One whose phone or card another member held here when the batch began (found at the flush, in
 * the index's order) is stored in its place in the feed: the held ones before it first, then it,
 * then the ones after it. A member upserted twice in a batch ends in the newest version, as in
 * the feed's order (an older one is skipped by the version check whatever its place). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "hq_int.h"
#include "member_int.h"
#include "records_int.h"

/* A catching-up pull commits when the batch has BATCH_DUE members or BATCH_BYTES
 * (cp_hq_pages_due), and the batch is stored (still in the caller's transaction) when it has
 * BATCH_FULL or BATCH_MAX, so that the pull stays within its memory goal (64 MB): the page
 * cache that stores a batch holds the leaves of the indexes keyed by member id (about 120 B a
 * member: HQ sends the ids in order, they come in the hashes' order) within its 16 MB. */
#define BATCH_DUE 120000
#define BATCH_FULL 150000
#define BATCH_BYTES ((size_t)12 << 20)
#define BATCH_MAX ((size_t)16 << 20)
/* The last four digits of the phones are as random as their hashes, and their index's leaves
 * (3,500 among 1,000,000 members) nearly fill the page cache: a batch this large drops that
 * index and builds it again after storing (a sort, its leaves written once) instead of writing
 * its leaves again each time one leaves the cache. */
#define REBUILD_MIN 20000

/* A held upsert in the arena, packed (about 90 B for a member as HQ usually sends one; 136 B
 * with its numbers in a struct): its phone hash (32 bytes), a byte set at the flush when another
 * member here holds its phone or card, its numbers as varints (zigzag: points, growth,
 * expiring_points, version, tier, then its index in its page), then its strings (each a
 * presence byte and, when present, the text and its NUL) in the order of str_field. */
#define R_HELD 32
#define R_NUMS 33
enum num_field { N_POINTS, N_GROWTH, N_EXP_POINTS, N_VERSION, N_TIER, N_INDEX, N_N };
enum str_field {
	F_ID,
	F_MASKED,
	F_CARD,
	F_NAME,
	F_BIRTHDAY,
	F_EXP_ON,
	F_TIER_UNTIL,
	F_GUIDE,
	F_STAGE,
	F_N
};

struct entry {
	uint64_t key; /* the hash's first 8 bytes, big-endian: the index's order */
	uint32_t seq; /* the feed's order */
	uint32_t off; /* of its record in the arena */
};

struct member_batch {
	uint8_t *arena;
	size_t len, cap;
	struct entry *e;
	uint32_t n, ecap;
	/* Open addressing (entry index + 1) by phone hash and by card: a later upsert whose phone
	 * or card a different member holds in the batch is applied in order. */
	uint32_t *by_phone, *by_card;
	uint32_t slots; /* of each table, a power of two, at least twice n */
};

void cp_member_batch_open(struct cp_db *db)
{
	cp_member_batch_close(db);
	db->member_batch = calloc(1, sizeof(*db->member_batch));
}

bool cp_member_batch_active(const struct cp_db *db)
{
	return db->member_batch != NULL;
}

bool cp_member_batch_due(const struct cp_db *db)
{
	return db->member_batch &&
	       (db->member_batch->n >= BATCH_DUE || db->member_batch->len >= BATCH_BYTES);
}

static void batch_reset(struct member_batch *b)
{
	/* A large batch's memory goes back (the index built after it sorts in memory). */
	if (b->n >= REBUILD_MIN) {
		free(b->arena);
		free(b->e);
		b->arena = NULL;
		b->e = NULL;
		b->cap = 0;
		b->ecap = 0;
	}
	b->len = 0;
	b->n = 0;
	if (b->slots) {
		memset(b->by_phone, 0, b->slots * sizeof(uint32_t));
		memset(b->by_card, 0, b->slots * sizeof(uint32_t));
	}
}

void cp_member_batch_close(struct cp_db *db)
{
	struct member_batch *b = db->member_batch;

	if (!b)
		return;
	free(b->arena);
	free(b->e);
	free(b->by_phone);
	free(b->by_card);
	free(b);
	db->member_batch = NULL;
}

static const uint8_t *rec_at(const struct member_batch *b, uint32_t off)
{
	return b->arena + off;
}

static const uint8_t *varint_get(const uint8_t *p, int64_t *v)
{
	uint64_t u = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		u |= (uint64_t)(*p & 0x7f) << shift;
		if (!(*p++ & 0x80))
			break;
	}
	*v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	return p;
}

/* The record r's numbers (nums, when given) and strings: fields[F_N] point into the arena
 * (NULL when absent). */
static void rec_read(const uint8_t *r, int64_t nums[N_N], const char *fields[F_N])
{
	const uint8_t *q = r + R_NUMS;
	const char *p;
	int64_t v;

	for (int n = 0; n < N_N; n++) {
		q = varint_get(q, &v);
		if (nums)
			nums[n] = v;
	}
	p = (const char *)q;
	for (int f = 0; f < F_N; f++) {
		if (*p++) {
			fields[f] = p;
			p += strlen(p) + 1;
		} else {
			fields[f] = NULL;
		}
	}
}

static void rec_strings(const uint8_t *r, const char *fields[F_N])
{
	rec_read(r, NULL, fields);
}

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 1099511628211ULL;
	return h;
}

static uint64_t hash_key(const uint8_t h[32])
{
	uint64_t k = 0;

	for (int i = 0; i < 8; i++)
		k = k << 8 | h[i];
	return k;
}

/* The entry holding the phone (card NULL) or the card, or UINT32_MAX. */
static uint32_t find(const struct member_batch *b, const uint8_t *hash, const char *card,
		     uint32_t *slot)
{
	const uint32_t *t = card ? b->by_card : b->by_phone;
	uint32_t mask = b->slots - 1, i = (uint32_t)(card ? fnv(card) : hash_key(hash)) & mask;

	for (; t[i]; i = (i + 1) & mask) {
		const uint8_t *r = rec_at(b, b->e[t[i] - 1].off);
		const char *f[F_N];

		if (!card && memcmp(r, hash, 32) == 0)
			break;
		if (card) {
			rec_strings(r, f);
			if (f[F_CARD] && strcmp(f[F_CARD], card) == 0)
				break;
		}
	}
	*slot = i;
	return t[i] ? t[i] - 1 : UINT32_MAX;
}

static void index_entry(struct member_batch *b, uint32_t n)
{
	const uint8_t *r = rec_at(b, b->e[n].off);
	const char *f[F_N];
	uint32_t slot;

	if (find(b, r, NULL, &slot) == UINT32_MAX)
		b->by_phone[slot] = n + 1;
	rec_strings(r, f);
	if (f[F_CARD] && find(b, NULL, f[F_CARD], &slot) == UINT32_MAX)
		b->by_card[slot] = n + 1;
}

static bool grow_tables(struct member_batch *b)
{
	uint32_t slots = b->slots ? b->slots * 2 : 4096;
	uint32_t *p = calloc(slots, sizeof(uint32_t)), *c = calloc(slots, sizeof(uint32_t));

	if (!p || !c) {
		free(p);
		free(c);
		return false;
	}
	free(b->by_phone);
	free(b->by_card);
	b->by_phone = p;
	b->by_card = c;
	b->slots = slots;
	for (uint32_t i = 0; i < b->n; i++)
		index_entry(b, i);
	return true;
}

static bool reserve(struct member_batch *b, size_t need)
{
	if (b->len + need > b->cap) {
		/* At once as large as a batch gets: the memory is mapped, not touched, and given
		 * back whole at batch_reset. */
		size_t cap = b->cap ? b->cap : BATCH_MAX + ((size_t)64 << 10);
		uint8_t *a;

		while (cap < b->len + need)
			cap *= 2;
		if (!(a = realloc(b->arena, cap)))
			return false;
		b->arena = a;
		b->cap = cap;
	}
	if (b->n == b->ecap) {
		uint32_t ecap = b->ecap ? b->ecap * 2 : 4096;
		struct entry *e = realloc(b->e, ecap * sizeof(*e));

		if (!e)
			return false;
		b->e = e;
		b->ecap = ecap;
	}
	return (b->n + 1) * 2 <= b->slots || grow_tables(b);
}

/* Another member holds the phone or the card here: make_room's order matters. */
static enum cp_err held_by_other(struct cp_db *db, const struct cp_member_snapshot *s, bool *held,
				 struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db,
				      "SELECT 1 FROM member WHERE id <> ?1 AND"
				      " (phone_hash = ?2 OR (?3 IS NOT NULL AND card_no = ?3))"
				      " LIMIT 1",
				      err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, s->phone_hash, 32, SQLITE_STATIC);
	if (s->card_no && s->card_no[0])
		sqlite3_bind_text(st, 3, s->card_no, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	*held = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CP_OK
						     : cp_db_fail(db, rc, "find member", err);
}

static void put_varint(struct member_batch *b, int64_t v)
{
	uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);

	while (u >= 0x80) {
		b->arena[b->len++] = (uint8_t)(u | 0x80);
		u >>= 7;
	}
	b->arena[b->len++] = (uint8_t)u;
}

static void put_str(struct member_batch *b, const char *s)
{
	size_t n = s ? strlen(s) + 1 : 0;

	b->arena[b->len++] = s != NULL;
	memcpy(b->arena + b->len, s ? s : "", n);
	b->len += n;
}

enum cp_err cp_member_batch_add(struct cp_db *db, json_t *o, size_t i, const char *where,
				bool *taken, struct cp_errbuf *err)
{
	struct member_batch *b = db->member_batch;
	struct cp_member_snapshot s;
	struct cp_errbuf quiet = {{0}};
	const char *local_id, *stage = NULL, *card;
	json_t *sv = json_object_get(o, "stage");
	uint8_t hash[32];
	uint32_t slot, other;
	size_t need;

	*taken = false;
	/* Anything unusual is applied in order, where its message names it. */
	if (!b || cp_rec_member(&cp_rec_hq, o, &s, hash, &local_id, where, &quiet) != CP_OK ||
	    !s.phone_hash || local_id || (sv && !json_is_null(sv) && !json_is_string(sv)))
		return CP_OK;
	if (sv && json_is_string(sv))
		stage = json_string_value(sv);
	card = s.card_no && s.card_no[0] ? s.card_no : NULL;
	if (b->slots) {
		const char *f[F_N];

		if ((other = find(b, hash, NULL, &slot)) != UINT32_MAX) {
			rec_strings(rec_at(b, b->e[other].off), f);
			if (strcmp(f[F_ID], s.id) != 0)
				return CP_OK;
		}
		if (card && (other = find(b, NULL, card, &slot)) != UINT32_MAX) {
			rec_strings(rec_at(b, b->e[other].off), f);
			if (strcmp(f[F_ID], s.id) != 0)
				return CP_OK;
		}
	}
	need = R_NUMS + N_N * 10 + F_N;
	need += strlen(s.id) + strlen(s.phone_masked) + (card ? strlen(card) : 0) + strlen(s.name) +
		(s.birthday ? strlen(s.birthday) : 0) +
		(s.expiring_on ? strlen(s.expiring_on) : 0) +
		(s.tier_until ? strlen(s.tier_until) : 0) + (s.guide ? strlen(s.guide) : 0) +
		(stage ? strlen(stage) : 0) + F_N;
	if (!reserve(b, need))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	b->e[b->n] = (struct entry){hash_key(hash), b->n, (uint32_t)b->len};
	memcpy(b->arena + b->len, hash, 32);
	b->arena[b->len + R_HELD] = 0;
	b->len += R_NUMS;
	put_varint(b, s.points);
	put_varint(b, s.growth);
	put_varint(b, s.expiring_points);
	put_varint(b, s.version);
	put_varint(b, s.tier_level);
	put_varint(b, (int64_t)i);
	put_str(b, s.id);
	put_str(b, s.phone_masked);
	put_str(b, card);
	put_str(b, s.name);
	put_str(b, s.birthday);
	put_str(b, s.expiring_on);
	put_str(b, s.tier_until);
	put_str(b, s.guide);
	put_str(b, stage);
	index_entry(b, b->n);
	b->n++;
	*taken = true;
	return b->len >= BATCH_MAX || b->n >= BATCH_FULL ? cp_member_batch_flush(db, err) : CP_OK;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The held upsert r as a snapshot (its strings in the arena); *index: its place in its page,
 * *stage: HQ's stage or NULL. */
static void rec_snapshot(const uint8_t *r, struct cp_member_snapshot *s, uint32_t *index,
			 const char **stage)
{
	const char *f[F_N];
	int64_t n[N_N];

	rec_read(r, n, f);
	memset(s, 0, sizeof(*s));
	s->id = f[F_ID];
	s->phone_hash = r;
	s->phone_masked = f[F_MASKED];
	s->card_no = f[F_CARD];
	s->name = f[F_NAME];
	s->birthday = f[F_BIRTHDAY];
	s->expiring_on = f[F_EXP_ON];
	s->tier_until = f[F_TIER_UNTIL];
	s->guide = f[F_GUIDE];
	s->points = n[N_POINTS];
	s->growth = n[N_GROWTH];
	s->tier_level = (int)n[N_TIER];
	s->expiring_points = n[N_EXP_POINTS];
	s->version = n[N_VERSION];
	if (index)
		*index = (uint32_t)n[N_INDEX];
	if (stage)
		*stage = f[F_STAGE];
}

static enum cp_err store(struct cp_db *db, const uint8_t *r, json_t *stage, struct cp_errbuf *err)
{
	const char *st;
	char where[48];
	struct cp_member_snapshot s;
	uint32_t index;

	rec_snapshot(r, &s, &index, &st);
	if (st)
		json_object_set_new(stage, "stage", json_string(st));
	else
		json_object_del(stage, "stage");
	snprintf(where, sizeof(where), "changes[%u]", (unsigned)index);
	return cp_member_snapshot_store(db, &s, stage, false, where, err);
}

/* A pragma's number (cache_size, temp_store), to put it back; dflt when it cannot be read. */
static int64_t pragma_get(struct cp_db *db, const char *sql, int64_t dflt)
{
	sqlite3_stmt *st = cp_db_stmt(db, sql, NULL);
	int64_t v = dflt;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	if (st)
		sqlite3_reset(st);
	return v;
}

static enum cp_err pragma_set(struct cp_db *db, const char *name, int64_t v, struct cp_errbuf *err)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA %s=%" PRId64, name, v);
	return cp_db_exec(db, sql, err);
}

/* Runs sql with a page cache of cache KiB and temporary storage in files, both put back after.
 * The pages the batch changed are written to the WAL first (they would be at the commit), so
 * that they leave the cache instead of staying beside what sql needs. With temp_store=MEMORY
 * (set while pages are applied, for the statement journals of the upserts), SQLite's sorter
 * keeps every key of an index it builds in memory, 4 MB more for every 128,000 members; with
 * files, at most the page cache's size of keys (the rest in sorted runs in temporary files).
 * The till uses no temporary tables, so the setting may change inside the transaction. A
 * statement journal stays where the transaction began it: dropping member_last4 keeps the
 * index's pages in it, in memory (13 MB among 1,000,000 members), beside the 2 MB cache. */
static enum cp_err exec_temp_file(struct cp_db *db, const char *sql, int64_t cache,
				  struct cp_errbuf *err)
{
	int64_t cache_was = pragma_get(db, "PRAGMA cache_size", -2000);
	int64_t temp_was = pragma_get(db, "PRAGMA temp_store", 0);
	enum cp_err result;
	int rc;

	if ((rc = sqlite3_db_cacheflush(db->h)) != SQLITE_OK)
		return cp_db_fail(db, rc, "write the stored members", err);
	/* temp_store is refused inside a transaction when there are temporary tables: then as
	 * before, in memory. */
	pragma_set(db, "temp_store", 1, NULL);
	if ((result = pragma_set(db, "cache_size", cache, err)) == CP_OK)
		result = cp_db_exec(db, sql, err);
	pragma_set(db, "temp_store", temp_was, NULL);
	pragma_set(db, "cache_size", cache_was, NULL);
	return result;
}

/* Drops the index of the phones' last four digits, its SQL kept in sql to build it again ("":
 * there is none). */
static enum cp_err last4_drop(struct cp_db *db, char *sql, size_t len, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'member_last4'",
		err);
	int rc;

	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		cp_db_col_text(st, 0, sql, len);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read the schema", err);
	if (rc == SQLITE_DONE || strlen(sql) + 1 >= len) {
		sql[0] = '\0';
		return CP_OK;
	}
	return exec_temp_file(db, "DROP INDEX member_last4", -2000, err);
}

/* Conflicts (an upsert whose phone or card another member held here) split the batch: the
 * held ones between two of them in the feed are stored in hash order, each of them in its
 * place in the feed, as make_room's order needs. Beyond this many, all in the feed's order. */
#define CONFLICTS_MAX 16

static int seq_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

enum cp_err cp_member_batch_flush(struct cp_db *db, struct cp_errbuf *err)
{
	struct member_batch *b = db->member_batch;
	enum cp_err result = CP_OK;
	uint32_t conflicts = 0;
	char last4[256] = "";
	json_t *stage;

	if (!b || b->n == 0)
		return CP_OK;
	if (!(stage = json_object())) {
		result = cp_errf(err, CP_ENOMEM, "out of memory");
		goto out;
	}
	qsort(b->e, b->n, sizeof(*b->e), entry_cmp);
	/* Which phones and cards other members hold, looked up in the index's order. */
	for (uint32_t i = 0; i < b->n && result == CP_OK; i++) {
		uint8_t *r = b->arena + b->e[i].off;
		struct cp_member_snapshot s;
		bool held = false;

		rec_snapshot(r, &s, NULL, NULL);
		result = held_by_other(db, &s, &held, err);
		r[R_HELD] = held;
		if (held)
			conflicts++;
	}
	if (result == CP_OK && conflicts > CONFLICTS_MAX)
		qsort(b->e, b->n, sizeof(*b->e), seq_cmp);
	if (result == CP_OK && b->n >= REBUILD_MIN)
		result = last4_drop(db, last4, sizeof(last4), err);
	if (result != CP_OK || conflicts == 0 || conflicts > CONFLICTS_MAX) {
		for (uint32_t i = 0; i < b->n && result == CP_OK; i++)
			result = store(db, rec_at(b, b->e[i].off), stage, err);
		goto done;
	}
	/* Segments of the feed between conflicts, each in hash order, then the conflict. */
	for (uint32_t lo = 0; lo <= b->n && result == CP_OK;) {
		uint32_t hi = b->n, at = UINT32_MAX;

		for (uint32_t i = 0; i < b->n; i++)
			if (rec_at(b, b->e[i].off)[R_HELD] && b->e[i].seq >= lo &&
			    b->e[i].seq < hi) {
				hi = b->e[i].seq;
				at = i;
			}
		for (uint32_t i = 0; i < b->n && result == CP_OK; i++)
			if (b->e[i].seq >= lo && b->e[i].seq < hi)
				result = store(db, rec_at(b, b->e[i].off), stage, err);
		if (result == CP_OK && at != UINT32_MAX)
			result = store(db, rec_at(b, b->e[at].off), stage, err);
		lo = hi + 1;
	}
done:
	json_decref(stage);
out:
	batch_reset(b);
	if (result == CP_OK && last4[0]) {
		result = exec_temp_file(db, last4, -2000, err); /* a 2 MB sort */
	}
	return result;
}
