/* report_sums.c — verify's replay adds each sale's day sums (the rows cp_report_sale_sum
 * gives, the same computation as a commit) into a small map in memory keyed by (day, what,
 * key), and writes the map to report_day_sum in one UPSERT a key when it is flushed: a few
 * dozen rows a business day instead of one statement (or ten grouped selects) a sale. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "report_int.h"

#define SUMS_SLOTS 1024 /* a power of two */
#define SUMS_MAX 512    /* entries before the map is written out */

struct sum_entry {
	char *text; /* day '\0' what '\0' key '\0' */
	size_t what, key;
	uint64_t hash;
	int64_t n, amount, growth;
};

struct cp_report_sums {
	struct sum_entry slot[SUMS_SLOTS];
	size_t count;
};

static uint64_t hash3(const char *a, const char *b, const char *c)
{
	uint64_t h = 1469598103934665603u;
	const char *s[3] = {a, b, c};

	for (int i = 0; i < 3; i++) {
		for (const unsigned char *p = (const unsigned char *)s[i]; *p; p++)
			h = (h ^ *p) * 1099511628211u;
		h = (h ^ 0xff) * 1099511628211u; /* the separator, not a byte of the text */
	}
	return h;
}

static bool same(const struct sum_entry *e, const char *day, const char *what, const char *key)
{
	return strcmp(e->text, day) == 0 && strcmp(e->text + e->what, what) == 0 &&
	       strcmp(e->text + e->key, key) == 0;
}

static void clear(struct cp_report_sums *m)
{
	for (size_t i = 0; i < SUMS_SLOTS; i++) {
		free(m->slot[i].text);
		m->slot[i].text = NULL;
	}
	m->count = 0;
}

void cp_report_sums_free(struct cp_db *db)
{
	if (!db || !db->sums)
		return;
	clear(db->sums);
	free(db->sums);
	db->sums = NULL;
}

enum cp_err cp_report_sums_flush(struct cp_db *db, struct cp_errbuf *err)
{
	struct cp_report_sums *m = db->sums;
	enum cp_err result = CP_OK;
	sqlite3_stmt *st;
	int rc;

	if (!m || !m->count)
		return CP_OK;
	if (!(st = cp_db_stmt(db,
			      "INSERT INTO report_day_sum(day, what, key, n, amount, growth)"
			      " VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(day, what, key) DO"
			      " UPDATE SET n = n + excluded.n, amount = amount + excluded.amount,"
			      " growth = growth + excluded.growth",
			      err)))
		return CP_EDB;
	for (size_t i = 0; i < SUMS_SLOTS && result == CP_OK; i++) {
		const struct sum_entry *e = &m->slot[i];

		if (!e->text)
			continue;
		sqlite3_bind_text(st, 1, e->text, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, e->text + e->what, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, e->text + e->key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, e->n);
		sqlite3_bind_int64(st, 5, e->amount);
		sqlite3_bind_int64(st, 6, e->growth);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if ((rc & 0xff) == SQLITE_CONSTRAINT) /* a sum left the integers: the CHECK */
			result = cp_errf(err, CP_EOVERFLOW,
					 "the day's figures are too large to add up");
		else if (rc != SQLITE_DONE)
			result = cp_db_fail(db, rc, "add the sales to the days' tally", err);
	}
	sqlite3_clear_bindings(st);
	if (result == CP_OK)
		clear(m);
	return result;
}

enum cp_err cp_report_sums_add(struct cp_db *db, const char *day, const char *what, const char *key,
			       int64_t n, int64_t amount, int64_t growth, struct cp_errbuf *err)
{
	struct cp_report_sums *m = db->sums;
	size_t lday = strlen(day), lwhat = strlen(what), lkey = strlen(key), i;
	struct sum_entry *e;
	uint64_t h;
	enum cp_err result;

	if (!m && !(m = db->sums = calloc(1, sizeof(*m))))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	h = hash3(day, what, key);
	for (i = h & (SUMS_SLOTS - 1); m->slot[i].text; i = (i + 1) & (SUMS_SLOTS - 1))
		if (m->slot[i].hash == h && same(&m->slot[i], day, what, key))
			break;
	e = &m->slot[i];
	if (!e->text) {
		if (m->count == SUMS_MAX) {
			if ((result = cp_report_sums_flush(db, err)) != CP_OK)
				return result;
			return cp_report_sums_add(db, day, what, key, n, amount, growth, err);
		}
		if (!(e->text = malloc(lday + lwhat + lkey + 3)))
			return cp_errf(err, CP_ENOMEM, "out of memory");
		memcpy(e->text, day, lday + 1);
		memcpy(e->text + lday + 1, what, lwhat + 1);
		memcpy(e->text + lday + lwhat + 2, key, lkey + 1);
		e->what = lday + 1;
		e->key = lday + lwhat + 2;
		e->hash = h;
		e->n = e->amount = e->growth = 0;
		m->count++;
	}
	if (!cp_money_add(e->n, n, &e->n) || !cp_money_add(e->amount, amount, &e->amount) ||
	    !cp_money_add(e->growth, growth, &e->growth))
		return cp_errf(err, CP_EOVERFLOW, "the day's figures are too large to add up");
	return CP_OK;
}
