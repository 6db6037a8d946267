/* report.c — the tally of a business day read from the journal's view tables (sale, refund,
 * tender, movement, shift, journal_day), the business day of each event (a Z closes its day),
 * and the Z report: a day_close event whose totals verify recomputes from the journal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "canon.h"
#include "cp_crypto.h"
#include "money.h"
#include "report.h"
#include "report_int.h"
#include "refund_noreceipt_int.h"
#include "staff.h"

/* "YYYY-MM-DD" of a real date into *t (UTC midnight); false otherwise. */
static bool day_time(const char *s, time_t *t)
{
	struct tm tm = {0};
	char back[48];

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	tm.tm_year =
		(s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0') - 1900;
	tm.tm_mon = (s[5] - '0') * 10 + (s[6] - '0') - 1;
	tm.tm_mday = (s[8] - '0') * 10 + (s[9] - '0');
	*t = timegm(&tm);
	gmtime_r(t, &tm);
	snprintf(back, sizeof(back), "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday);
	return strcmp(back, s) == 0;
}

static void next_day(const char *s, char out[11])
{
	time_t t;
	struct tm tm;
	char buf[32];

	if (!day_time(s, &t)) {
		snprintf(out, 11, "%s", s);
		return;
	}
	t += 86400;
	gmtime_r(&t, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", (tm.tm_year + 1900) % 10000, tm.tm_mon + 1,
		 tm.tm_mday);
	snprintf(out, 11, "%.10s", buf);
}

enum cp_err cp_report_event_day(struct cp_db *db, int64_t now, char day[11], struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, "SELECT max(business_day) FROM day_close", err);
	char closed[11] = "";
	int rc;

	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		cp_db_col_text(st, 0, closed, sizeof(closed));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return cp_db_fail(db, rc, "read the closed days", err);
	cp_business_day_at(now, db->cutover_min, db->utc_offset_min, day);
	if (closed[0] && strcmp(closed, day) >= 0)
		next_day(closed, day);
	return CP_OK;
}

enum cp_err cp_report_note_day(struct cp_db *db, int64_t seq, const char *type, json_t *payload,
			       struct cp_errbuf *err)
{
	json_t *d = json_object_get(payload, "day");
	char day[11];
	int64_t at;
	enum cp_err result;
	sqlite3_stmt *st;
	int rc;

	if (json_is_string(d)) {
		snprintf(day, sizeof(day), "%s", json_string_value(d));
	} else {
		if ((result = cp_jget_int(payload, "at", &at, err)) != CP_OK ||
		    (result = cp_report_event_day(db, at, day, err)) != CP_OK)
			return result;
	}
	st = cp_db_stmt(db, "INSERT INTO journal_day(seq, day, type) VALUES(?1, ?2, ?3)", err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record the event's day", err);
}

enum cp_err cp_report_today(struct cp_db *db, char day[11], struct cp_errbuf *err)
{
	return cp_report_event_day(db, cp_db_now(db), day, err);
}

enum cp_err cp_report_day_parse(struct cp_db *db, const char *text, char day[11],
				struct cp_errbuf *err)
{
	char today[11];
	time_t t;
	enum cp_err result;

	if (!text || !day_time(text, &t))
		return cp_errf(
			err, CP_EINVAL,
			"\"%.20s\" is not a date: write the business day as YYYY-MM-DD, like "
			"2026-12-04",
			text ? text : "");
	if ((result = cp_report_today(db, today, err)) != CP_OK)
		return result;
	if (strcmp(text, today) > 0)
		return cp_errf(err, CP_EINVAL,
			       "%s is in the future (the business day now is %s); there is nothing "
			       "to report yet",
			       text, today);
	snprintf(day, 11, "%s", text);
	return CP_OK;
}

static enum cp_err overflow(struct cp_errbuf *err)
{
	return cp_errf(err, CP_EOVERFLOW, "the day's figures are too large to add up");
}

static bool add_money(struct cp_tally_money *m, int64_t amount)
{
	m->count++;
	return cp_money_add(m->amount, amount, &m->amount);
}

static int cashier_of(struct cp_tally *t, const char *staff)
{
	int i;

	for (i = 0; i < t->ncashiers; i++)
		if (strcmp(t->cashiers[i].staff, staff) == 0)
			return i;
	if (t->ncashiers == CP_TALLY_STAFF) {
		t->truncated = true;
		return -1;
	}
	memset(&t->cashiers[i], 0, sizeof(t->cashiers[i]));
	snprintf(t->cashiers[i].staff, sizeof(t->cashiers[i].staff), "%s", staff);
	t->ncashiers++;
	return i;
}

/* The sales of the day from its summary rows (report_day_sum, written with each sale):
 * count and money, members, gross, member-price saving, change given, cashiers, hours. */
static enum cp_err tally_sales(struct cp_db *db, struct cp_tally *t, int64_t *change,
			       int64_t *lines, struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   "SELECT what, key, n, amount FROM report_day_sum WHERE day = ?1"
			   " AND what IN ('sale', 'cashier', 'hour', 'cancel')",
			   err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, t->day, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *what = (const char *)sqlite3_column_text(st, 0);
		const char *key = (const char *)sqlite3_column_text(st, 1);
		struct cp_tally_money m = {sqlite3_column_int64(st, 2),
					   sqlite3_column_int64(st, 3)};
		int c;

		if (!what || !key)
			continue;
		if (strcmp(what, "cancel") == 0) {
			t->cancelled = m;
		} else if (strcmp(what, "cashier") == 0) {
			if ((c = cashier_of(t, key)) >= 0)
				t->cashiers[c].sales = m;
		} else if (strcmp(what, "hour") == 0) {
			c = strlen(key) == 2 ? (key[0] - '0') * 10 + (key[1] - '0') : -1;
			if (c >= 0 && c < 24)
				t->hours[c] = m;
		} else if (strcmp(key, "all") == 0) {
			t->sales = m;
		} else if (strcmp(key, "member") == 0) {
			t->member_sales = m;
		} else if (strcmp(key, "other") == 0) {
			t->other_sales = m;
		} else if (strcmp(key, "gross") == 0) {
			*lines = m.amount;
		} else if (strcmp(key, "saving") == 0) {
			t->member_savings = m.amount;
		} else if (strcmp(key, "rounding") == 0) {
			t->rounding = m;
		} else if (strcmp(key, "off_member") == 0) {
			t->off.member = m.amount;
		} else if (strcmp(key, "off_coupon") == 0) {
			t->off.coupon = m.amount;
		} else if (strcmp(key, "off_manual") == 0) {
			t->off.manual = m.amount;
		} else if (strcmp(key, "change") == 0) {
			*change = m.amount;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "read the day's sales", err);
}

/* Steps one of the sale's sums statements; a sum that leaves the integers fails
 * report_day_sum's CHECK. */
static enum cp_err sum_step(struct cp_db *db, sqlite3_stmt *st, struct cp_errbuf *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return overflow(err);
	return rc == SQLITE_DONE ? CP_OK
				 : cp_db_fail(db, rc, "add the sale to the day's tally", err);
}

#define SUM_UPSERT                                                                                 \
	" ON CONFLICT(day, what, key) DO UPDATE SET n = n + excluded.n,"                           \
	" amount = amount + excluded.amount, growth = growth + excluded.growth"

enum cp_err cp_report_sale_sum(struct cp_db *db, int64_t seq, json_t *p, struct cp_errbuf *err)
{
	const char *day, *staff, *member;
	int64_t at, total, change, saving = 0, gross = 0, secs;
	json_t *lines, *l;
	char hour[3];
	enum cp_err result;
	sqlite3_stmt *st;
	size_t i;

	if (db->defer_sums) { /* verify's replay: summed in bulk by cp_report_sale_sums_flush */
		if (!db->sums_from)
			db->sums_from = seq;
		db->sums_to = seq;
		return CP_OK;
	}
	/* The sums REPORT_SALE_SUM_SELECT_HOUR and the flush's discounts give for this sale, in
	 * two prepared statements with no GROUP BY: the sale's own figures from p (as
	 * cp_sale_apply copied them into sale and sale_line), then the rows other modules wrote
	 * for it, read by seq. Two rows of one key in a statement add up as the GROUP BY did. */
	if ((result = cp_jget_str(p, "day", &day, err)) ||
	    (result = cp_jget_str(p, "staff", &staff, err)) ||
	    (result = cp_jget_str_or_null(p, "member", &member, err)) ||
	    (result = cp_jget_int(p, "at", &at, err)) ||
	    (result = cp_jget_int(p, "total", &total, err)) ||
	    (result = cp_jget_int(p, "change", &change, err)) ||
	    (result = cp_jget_array(p, "lines", &lines, err)) ||
	    (json_object_get(p, "member_saving") &&
	     (result = cp_jget_int(p, "member_saving", &saving, err))))
		return result;
	json_array_foreach (lines, i, l) {
		int64_t amount;

		if ((result = cp_jget_int(l, "amount", &amount, err)) != CP_OK)
			return result;
		if (!cp_money_add(gross, amount, &gross))
			return overflow(err);
	}
	/* strftime('%H', created_at / 1000 + offset, 'unixepoch') */
	secs = at / 1000 + (int64_t)db->utc_offset_min * 60;
	secs = ((secs % 86400) + 86400) % 86400;
	hour[0] = (char)('0' + secs / 36000);
	hour[1] = (char)('0' + secs / 3600 % 10);
	hour[2] = 0;
	if (!(st = cp_db_stmt(db,
			      "INSERT INTO report_day_sum(day, what, key, n, amount, growth) VALUES"
			      " (?1, 'sale', 'all', 1, ?2, 0), (?1, 'sale', ?3, 1, ?2, 0),"
			      " (?1, 'sale', 'gross', 1, ?4, 0), (?1, 'sale', 'saving', 1, ?5, 0),"
			      " (?1, 'sale', 'change', 1, ?6, 0), (?1, 'cashier', ?7, 1, ?2, 0),"
			      " (?1, 'hour', ?8, 1, ?2, 0)" SUM_UPSERT,
			      err)))
		return CP_EDB;
	sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, total);
	sqlite3_bind_text(st, 3, member ? "member" : "other", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, gross);
	sqlite3_bind_int64(st, 5, saving);
	sqlite3_bind_int64(st, 6, change);
	sqlite3_bind_text(st, 7, staff, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, hour, -1, SQLITE_STATIC);
	if ((result = sum_step(db, st, err)) != CP_OK)
		return result;
	/* clang-format off */
	if (!(st = cp_db_stmt(
		      db,
		      "INSERT INTO report_day_sum(day, what, key, n, amount, growth) SELECT * FROM ("
		      " SELECT ?2, 'tender', method, 1, amount, 0 FROM tender WHERE seq = ?1"
		      " UNION ALL SELECT ?2, 'points', kind, 1, points, growth FROM movement"
		      " WHERE seq = ?1"
		      " UNION ALL SELECT ?2, 'guide', guide, 1, amount, 0 FROM guide_credit"
		      " WHERE seq = ?1"
		      " UNION ALL SELECT ?2, 'sale', 'off_member', 1, sum(member), 0"
		      " FROM report_line_discount WHERE seq = ?1 HAVING count(*)"
		      " UNION ALL SELECT ?2, 'sale', 'off_coupon', 1, sum(coupon), 0"
		      " FROM report_line_discount WHERE seq = ?1 HAVING count(*)"
		      " UNION ALL SELECT ?2, 'sale', 'off_manual', 1, sum(manual), 0"
		      " FROM report_line_discount WHERE seq = ?1 HAVING count(*)) WHERE true"
		      SUM_UPSERT,
		      err)))
		return CP_EDB;
	/* clang-format on */
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
	return sum_step(db, st, err);
}

enum cp_err cp_report_sale_sums_flush(struct cp_db *db, struct cp_errbuf *err)
{
	/* the sum of the per-sale rows above, over a range of sales at once */
	/* clang-format off */
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"INSERT INTO report_day_sum(day, what, key, n, amount, growth)"
		" SELECT * FROM (SELECT day, what, key, sum(n), sum(amount), sum(growth) FROM"
		" (" REPORT_SALE_SUM_SELECT_HOUR(" BETWEEN ?1 AND ?3", REPORT_HOUR_STORE_TZ) ")"
		" GROUP BY day, what, key) WHERE true"
		" ON CONFLICT(day, what, key) DO UPDATE SET n = n + excluded.n,"
		" amount = amount + excluded.amount, growth = growth + excluded.growth",
		err);
	/* clang-format on */
	int rc;

	if (!db->sums_from)
		return CP_OK;
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, db->sums_from);
	sqlite3_bind_int64(st, 2, (int64_t)db->utc_offset_min * 60);
	sqlite3_bind_int64(st, 3, db->sums_to);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE) {
		/* and cp_report_sale_discounts' sums: one a sale with lines, per kind */
		/* clang-format off */
		if (!(st = cp_db_stmt(
			      db,
			      "INSERT INTO report_day_sum(day, what, key, n, amount, growth)"
			      " SELECT * FROM (SELECT s.business_day, 'sale', k.key,"
			      " count(DISTINCT s.seq), sum(CASE k.key WHEN 'off_member' THEN d.member"
			      " WHEN 'off_coupon' THEN d.coupon ELSE d.manual END), 0"
			      " FROM sale s JOIN report_line_discount d ON d.seq = s.seq,"
			      " (SELECT 'off_member' AS key UNION ALL SELECT 'off_coupon' UNION ALL"
			      " SELECT 'off_manual') k WHERE s.seq BETWEEN ?1 AND ?2"
			      " GROUP BY s.business_day, k.key) WHERE true"
			      " ON CONFLICT(day, what, key) DO UPDATE SET n = n + excluded.n,"
			      " amount = amount + excluded.amount",
			      err)))
			return CP_EDB;
		/* clang-format on */
		sqlite3_bind_int64(st, 1, db->sums_from);
		sqlite3_bind_int64(st, 2, db->sums_to);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
	}
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return overflow(err);
	if (rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "add the sales to the days' tally", err);
	db->sums_from = db->sums_to = 0;
	return CP_OK;
}

/* Steps an INSERT; a constraint failed is a line listed twice. */
static enum cp_err step_done(struct cp_db *db, sqlite3_stmt *st, const char *what,
			     struct cp_errbuf *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return cp_errf(err, CP_ECORRUPT, "journal payload: a sale line is listed twice");
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, what, err);
}

enum cp_err cp_report_sale_discounts(struct cp_db *db, int64_t seq, json_t *p,
				     struct cp_errbuf *err)
{
	json_t *lines = json_object_get(p, "lines"), *l;
	enum cp_err result;
	sqlite3_stmt *st;
	size_t i;

	json_array_foreach (lines, i, l) {
		int64_t n, saving = 0, manual = 0;

		if ((result = cp_jget_int(l, "n", &n, err)) ||
		    /* recorded before the saving or without a manual discount: none */
		    (json_object_get(l, "saving") &&
		     (result = cp_jget_int(l, "saving", &saving, err))) ||
		    (json_object_get(l, "discount") &&
		     (result = cp_jget_int(l, "discount", &manual, err))))
			return result;
		if (!(st = cp_db_stmt(
			      db,
			      "INSERT INTO report_line_discount(seq, line_no, member, coupon,"
			      " manual, rounding) VALUES(?1, ?2, ?3, (SELECT coalesce(sum(fen), 0)"
			      " FROM coupon_line WHERE seq = ?1 AND line_no = ?2), ?4,"
			      " (SELECT coalesce(sum(fen), 0) FROM rounding_line WHERE seq = ?1"
			      " AND line_no = ?2))",
			      err)))
			return CP_EDB;
		sqlite3_bind_int64(st, 1, seq);
		sqlite3_bind_int64(st, 2, n);
		sqlite3_bind_int64(st, 3, saving);
		sqlite3_bind_int64(st, 4, manual);
		if ((result = step_done(db, st, "record the line's discounts", err)) != CP_OK)
			return result;
	}
	/* their day's sums: cp_report_sale_sum, or cp_report_sale_sums_flush in verify's replay */
	return CP_OK;
}

/* What the day's refunds and post-voids took back of their lines' discounts, by kind: a part
 * of a line its units' share (rounded toward zero), the refund that takes a line's last unit
 * (or the whole line) what the earlier parts left, so that nothing is taken back twice. */
static enum cp_err tally_refunded_off(struct cp_db *db, struct cp_tally *t, int64_t back[4],
				      struct cp_errbuf *err)
{
	/* clang-format off */
#define PART(col) "d." col " * p.qty / l.qty"
#define LEFT(col) "d." col " - (SELECT coalesce(sum(" PART(col) "), 0) FROM refund_part p" \
	" WHERE p.sale_seq = x.sale_seq AND p.line_no = x.line_no AND p.seq <> x.seq)"
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"SELECT coalesce(sum(m), 0), coalesce(sum(c), 0), coalesce(sum(h), 0),"
		" coalesce(sum(r), 0) FROM ("
		" SELECT " LEFT("member") " AS m, " LEFT("coupon") " AS c, " LEFT("manual")
		" AS h, " LEFT("rounding") " AS r FROM refund f JOIN refund_line x ON x.seq = f.seq"
		" JOIN sale_line l ON l.seq = x.sale_seq AND l.line_no = x.line_no"
		" JOIN report_line_discount d ON d.seq = x.sale_seq AND d.line_no = x.line_no"
		" WHERE f.business_day = ?1"
		" UNION ALL SELECT " PART("member") ", " PART("coupon") ", " PART("manual") ", "
		PART("rounding") " FROM refund f JOIN refund_part p ON p.seq = f.seq"
		" JOIN sale_line l ON l.seq = p.sale_seq AND l.line_no = p.line_no"
		" JOIN report_line_discount d ON d.seq = p.sale_seq AND d.line_no = p.line_no"
		" WHERE f.business_day = ?1 AND NOT EXISTS(SELECT 1 FROM refund_line x"
		" WHERE x.seq = p.seq AND x.sale_seq = p.sale_seq AND x.line_no = p.line_no))",
		err);
#undef PART
#undef LEFT
	/* clang-format on */
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, t->day, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	for (int k = 0; k < 4; k++)
		back[k] = rc == SQLITE_ROW ? sqlite3_column_int64(st, k) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? CP_OK
				: cp_db_fail(db, rc, "read the discounts refunded that day", err);
}

/* gross, discounts and off, net of what the refunds took back, and the check that the list
 * price less the discounts is what was paid: gross - discounts = net. */
static enum cp_err tally_off(struct cp_db *db, struct cp_tally *t, struct cp_errbuf *err)
{
	int64_t back[4], given = 0, taken = 0, paid_back = 0;
	int64_t *kind[4] = {&t->off.member, &t->off.coupon, &t->off.manual, &t->off.rounding};
	enum cp_err result;

	t->off.rounding = t->rounding.amount;
	if ((result = tally_refunded_off(db, t, back, err)) != CP_OK)
		return result;
	for (int k = 0; k < 4; k++)
		if (!cp_money_add(given, *kind[k], &given) ||
		    !cp_money_add(taken, back[k], &taken) ||
		    !cp_money_sub(*kind[k], back[k], kind[k]))
			return overflow(err);
	if (!cp_money_sub(given, taken, &t->discounts) ||
	    !cp_money_add(t->refunds.amount, t->voids.amount, &paid_back) ||
	    !cp_money_add(t->lines, given, &t->gross) ||
	    !cp_money_sub(t->gross, paid_back, &t->gross) ||
	    !cp_money_sub(t->gross, taken, &t->gross))
		return overflow(err);
	if (t->lines != t->sales.amount)
		return cp_errf(err, CP_ECORRUPT,
			       "the tally of %s does not add up: the sales' lines come to %lld fen"
			       " but the sales to %lld; run verify",
			       t->day, (long long)t->lines, (long long)t->sales.amount);
	return CP_OK;
}

static enum cp_err tally_refunds(struct cp_db *db, struct cp_tally *t, struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   "SELECT kind, staff, amount FROM refund WHERE business_day = ?1"
			   " UNION ALL" REFUND_NORECEIPT_DAY_ROWS,
			   err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, t->day, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		const char *staff = (const char *)sqlite3_column_text(st, 1);
		int64_t amount = sqlite3_column_int64(st, 2);
		int c = cashier_of(t, staff ? staff : "");

		if (!add_money(kind && strcmp(kind, "void") == 0 ? &t->voids : &t->refunds,
			       amount) ||
		    (c >= 0 && !add_money(&t->cashiers[c].refunds, amount)) ||
		    (kind && strcmp(kind, "noreceipt") == 0 && !add_money(&t->noreceipt, amount))) {
			sqlite3_reset(st);
			return overflow(err);
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "read the day's refunds", err);
}

static enum cp_err one_int(struct cp_db *db, const char *sql, const char *day, int64_t *out,
			   struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, sql, err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read the day's figures", err);
}

/* The columns cols of table (aliased, joined on seq) for the day's journal rows other than
 * sales (whose rows report_day_sum sums), in two ranges of the journal_day_day index. */
#define NOT_SALES(cols, table)                                                                     \
	" SELECT " cols " FROM journal_day d JOIN " table " ON x.seq = d.seq WHERE d.day = ?1"     \
	" AND d.type < 'sale' UNION ALL SELECT " cols " FROM journal_day d JOIN " table            \
	" ON x.seq = d.seq WHERE d.day = ?1 AND d.type > 'sale'"

static enum cp_err tally_tenders(struct cp_db *db, struct cp_tally *t, int64_t change,
				 struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   "SELECT method, sum(amount) FROM (SELECT key AS method, amount"
			   " FROM report_day_sum WHERE day = ?1 AND what = 'tender'"
			   " UNION ALL" NOT_SALES("x.method, x.amount",
						  "tender x") ") GROUP BY method ORDER BY method",
			   err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, t->day, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int i = t->ntenders;
		const char *m = (const char *)sqlite3_column_text(st, 0);

		if (i == CP_TALLY_NAMES) {
			t->truncated = true;
			continue;
		}
		snprintf(t->tenders[i].method, sizeof(t->tenders[i].method), "%s", m ? m : "");
		t->tenders[i].amount = sqlite3_column_int64(st, 1);
		if (m && strcmp(m, "cash") == 0 &&
		    !cp_money_sub(t->tenders[i].amount, change, &t->tenders[i].amount)) {
			sqlite3_reset(st);
			return overflow(err);
		}
		t->ntenders++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "read the day's tenders", err);
}

static enum cp_err tally_points(struct cp_db *db, struct cp_tally *t, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"SELECT kind, sum(points), sum(growth) FROM (SELECT key AS kind,"
		" amount AS points, growth FROM report_day_sum WHERE day = ?1"
		" AND what = 'points' UNION ALL" NOT_SALES(
			"x.kind, x.points, x.growth", "movement x") ") GROUP BY kind ORDER BY kind",
		err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, t->day, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int i = t->nkinds;

		if (i == CP_TALLY_NAMES) {
			t->truncated = true;
			continue;
		}
		cp_db_col_text(st, 0, t->points[i].kind, sizeof(t->points[i].kind));
		t->points[i].points = sqlite3_column_int64(st, 1);
		t->points[i].growth = sqlite3_column_int64(st, 2);
		t->nkinds++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "read the day's points", err);
}

static enum cp_err tally_shifts(struct cp_db *db, struct cp_tally *t, struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   "SELECT seq FROM journal_day WHERE day = ?1 AND type = 'shift_open'"
			   " ORDER BY seq",
			   err);
	int64_t seqs[CP_TALLY_SHIFTS];
	int n = 0, rc;
	enum cp_err result;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, t->day, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == CP_TALLY_SHIFTS)
			t->truncated = true;
		else
			seqs[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read the day's shifts", err);
	for (int i = 0; i < n; i++) {
		if ((result = cp_shift_view_read(db, seqs[i], &t->shifts[i], err)) != CP_OK)
			return result;
		t->nshifts++;
	}
	return CP_OK;
}

static int guide_of(struct cp_tally *t, const char *code)
{
	int i;

	for (i = 0; i < t->nguides; i++)
		if (strcmp(t->guides[i].guide, code) == 0)
			return i;
	if (t->nguides == CP_TALLY_STAFF) {
		t->truncated = true;
		return -1;
	}
	memset(&t->guides[i], 0, sizeof(t->guides[i]));
	snprintf(t->guides[i].guide, sizeof(t->guides[i].guide), "%s", code);
	t->nguides++;
	return i;
}

/* Per guide: the members bound that day (bind or takeover naming the guide as the new one,
 * each member once), the sales credited and the refunds that reversed credit (stored
 * negative in guide_credit), net. */
static enum cp_err tally_guides(struct cp_db *db, struct cp_tally *t, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"SELECT guide, 0, count(DISTINCT member_id), 0 FROM guide_event"
		" WHERE business_day = ?1 AND kind IN ('bind', 'takeover') AND guide IS NOT NULL"
		" GROUP BY guide UNION ALL"
		" SELECT key, 1, n, amount FROM report_day_sum WHERE day = ?1 AND what = 'guide'"
		" UNION ALL SELECT guide, 2, count(*), coalesce(sum(amount), 0) FROM guide_credit"
		" WHERE business_day = ?1 AND kind = 'refund' GROUP BY guide",
		err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, t->day, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		int what = sqlite3_column_int(st, 1), g = guide_of(t, code ? code : "");
		int64_t n = sqlite3_column_int64(st, 2), amount = sqlite3_column_int64(st, 3);

		if (g < 0)
			continue;
		if (what == 0)
			t->guides[g].bound = n;
		else if (what == 1) {
			t->guides[g].credited.count = n;
			t->guides[g].credited.amount = amount;
		} else {
			t->guides[g].reversed.count = n;
			if (!cp_money_sub(0, amount, &t->guides[g].reversed.amount)) {
				sqlite3_reset(st);
				return overflow(err);
			}
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read the day's guides", err);
	for (int i = 0; i < t->nguides; i++)
		if (!cp_money_sub(t->guides[i].credited.amount, t->guides[i].reversed.amount,
				  &t->guides[i].net))
			return overflow(err);
	return CP_OK;
}

/* Cashier rows in order of staff code (the code is each row's first member). */
static int by_staff(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* Everything but unacked and z_seq: what the Z report carries and verify recomputes. */
static enum cp_err tally_totals(struct cp_db *db, const char *day, struct cp_tally *t,
				struct cp_errbuf *err)
{
	int64_t change = 0, lines = 0;
	enum cp_err result;

	memset(t, 0, sizeof(*t));
	snprintf(t->day, sizeof(t->day), "%s", day);
	if ((result = tally_sales(db, t, &change, &lines, err)) ||
	    (result = tally_refunds(db, t, err)) || (result = tally_tenders(db, t, change, err)) ||
	    (result = tally_points(db, t, err)) ||
	    (result = one_int(db,
			      "SELECT count(*) FROM journal_day WHERE day = ?1 AND"
			      " type = 'member_register'",
			      day, &t->new_members, err)) ||
	    (result = one_int(db,
			      "SELECT count(DISTINCT d.seq) FROM journal_day d JOIN movement m"
			      " ON m.seq = d.seq WHERE d.day = ?1 AND d.type = 'member_register'"
			      " AND m.kind = 'referral'",
			      day, &t->referrals, err)) ||
	    (result = tally_shifts(db, t, err)) || (result = tally_guides(db, t, err)))
		return result;
	qsort(t->cashiers, (size_t)t->ncashiers, sizeof(t->cashiers[0]), by_staff);
	qsort(t->guides, (size_t)t->nguides, sizeof(t->guides[0]), by_staff);
	t->lines = lines;
	if (!cp_money_sub(t->sales.amount, t->refunds.amount, &t->net) ||
	    !cp_money_sub(t->net, t->voids.amount, &t->net))
		return overflow(err);
	if ((result = tally_off(db, t, err)) != CP_OK)
		return result;
	if (t->sales.amount > 0 &&
	    !cp_muldiv_floor(t->member_sales.amount, 10000, t->sales.amount, &t->member_share_bp))
		return overflow(err);
	if (t->member_sales.count)
		t->member_average = t->member_sales.amount / t->member_sales.count;
	if (t->other_sales.count)
		t->other_average = t->other_sales.amount / t->other_sales.count;
	return CP_OK;
}

static enum cp_err tally_status(struct cp_db *db, struct cp_tally *t, struct cp_errbuf *err)
{
	sqlite3_stmt *st;
	int64_t acked = 0;
	enum cp_err result = cp_db_meta_get_int(db, "acked_seq", &acked, err);
	int rc;

	if (result == CP_ENOTFOUND)
		acked = 0;
	else if (result != CP_OK)
		return result;
	if (!(st = cp_db_stmt(db, "SELECT count(*) FROM journal_day WHERE day = ?1 AND seq > ?2",
			      err)))
		return CP_EDB;
	sqlite3_bind_text(st, 1, t->day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, acked);
	rc = sqlite3_step(st);
	t->unacked = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return cp_db_fail(db, rc, "read the journal", err);
	return one_int(db, "SELECT coalesce(max(seq), 0) FROM day_close WHERE business_day = ?1",
		       t->day, &t->z_seq, err);
}

enum cp_err cp_report_tally(struct cp_db *db, const char *day, struct cp_tally *out,
			    struct cp_errbuf *err)
{
	time_t t;
	enum cp_err result;

	if (!day || !day_time(day, &t))
		return cp_errf(err, CP_EINVAL, "the day must be YYYY-MM-DD");
	if ((result = tally_totals(db, day, out, err)) != CP_OK)
		return result;
	return tally_status(db, out, err);
}

static json_t *money_json(const struct cp_tally_money *m)
{
	return json_pack("{s:I, s:I}", "count", (json_int_t)m->count, "amount",
			 (json_int_t)m->amount);
}

static json_t *shift_json(const struct cp_shift_view *s)
{
	return json_pack("{s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:I, s:I}", "seq",
			 (json_int_t)s->seq, "staff", s->staff, "opened_at",
			 (json_int_t)s->opened_at, "float", (json_int_t)s->float_fen, "cash",
			 (json_int_t)s->cash, "pay_in", (json_int_t)s->pay_in, "pay_out",
			 (json_int_t)s->pay_out, "expected", (json_int_t)s->expected, "closed",
			 s->closed, "counted", (json_int_t)(s->closed ? s->counted : 0),
			 "over_short", (json_int_t)(s->closed ? s->over_short : 0));
}

/* The totals as JSON (NULL when out of memory). */
static json_t *totals_json(const struct cp_tally *t)
{
	json_t *o = json_object(), *tenders = json_array(), *points = json_array();
	json_t *cashiers = json_array(), *hours = json_array(), *shifts = json_array();
	json_t *guides = json_array();
	bool ok = o && tenders && points && cashiers && hours && shifts && guides;

	for (int i = 0; ok && i < t->ntenders; i++)
		ok = !json_array_append_new(tenders,
					    json_pack("{s:s, s:I}", "method", t->tenders[i].method,
						      "amount", (json_int_t)t->tenders[i].amount));
	for (int i = 0; ok && i < t->nkinds; i++)
		ok = !json_array_append_new(points,
					    json_pack("{s:s, s:I, s:I}", "kind", t->points[i].kind,
						      "points", (json_int_t)t->points[i].points,
						      "growth", (json_int_t)t->points[i].growth));
	for (int i = 0; ok && i < t->ncashiers; i++)
		ok = !json_array_append_new(
			cashiers, json_pack("{s:s, s:o, s:o}", "staff", t->cashiers[i].staff,
					    "sales", money_json(&t->cashiers[i].sales), "refunds",
					    money_json(&t->cashiers[i].refunds)));
	for (int i = 0; ok && i < t->nguides; i++)
		ok = !json_array_append_new(
			guides, json_pack("{s:s, s:I, s:o, s:o, s:I}", "guide", t->guides[i].guide,
					  "bound", (json_int_t)t->guides[i].bound, "sales",
					  money_json(&t->guides[i].credited), "reversed",
					  money_json(&t->guides[i].reversed), "net",
					  (json_int_t)t->guides[i].net));
	for (int h = 0; ok && h < 24; h++)
		ok = !json_array_append_new(hours,
					    json_pack("{s:i, s:I, s:I}", "hour", h, "count",
						      (json_int_t)t->hours[h].count, "amount",
						      (json_int_t)t->hours[h].amount));
	for (int i = 0; ok && i < t->nshifts; i++)
		ok = !json_array_append_new(shifts, shift_json(&t->shifts[i]));
	if (ok && !json_object_set_new(o, "day", json_string(t->day)) &&
	    !json_object_set_new(o, "sales", money_json(&t->sales)) &&
	    !json_object_set_new(o, "refunds", money_json(&t->refunds)) &&
	    !json_object_set_new(o, "voids", money_json(&t->voids)) &&
	    !json_object_set_new(o, "gross", json_integer(t->gross)) &&
	    !json_object_set_new(o, "discounts", json_integer(t->discounts)) &&
	    !json_object_set_new(
		    o, "discount_kinds",
		    json_pack("{s:I, s:I, s:I, s:I}", "member", (json_int_t)t->off.member, "coupon",
			      (json_int_t)t->off.coupon, "manual", (json_int_t)t->off.manual,
			      "rounding", (json_int_t)t->off.rounding)) &&
	    !json_object_set_new(o, "member_savings", json_integer(t->member_savings)) &&
	    !json_object_set_new(o, "rounding", money_json(&t->rounding)) &&
	    !json_object_set_new(o, "cancelled", money_json(&t->cancelled)) &&
	    !json_object_set_new(o, "noreceipt", money_json(&t->noreceipt)) &&
	    !json_object_set_new(o, "net", json_integer(t->net)) &&
	    !json_object_set_new(o, "tenders", json_incref(tenders)) &&
	    !json_object_set_new(
		    o, "members",
		    json_pack("{s:o, s:o, s:I, s:I, s:I, s:I, s:I}", "sales",
			      money_json(&t->member_sales), "others", money_json(&t->other_sales),
			      "share_bp", (json_int_t)t->member_share_bp, "average",
			      (json_int_t)t->member_average, "others_average",
			      (json_int_t)t->other_average, "new", (json_int_t)t->new_members,
			      "referrals", (json_int_t)t->referrals)) &&
	    !json_object_set_new(o, "points", json_incref(points)) &&
	    !json_object_set_new(o, "cashiers", json_incref(cashiers)) &&
	    !json_object_set_new(o, "guides", json_incref(guides)) &&
	    !json_object_set_new(o, "hours", json_incref(hours)) &&
	    !json_object_set_new(o, "shifts", json_incref(shifts)) &&
	    !json_object_set_new(o, "truncated", json_boolean(t->truncated))) {
	} else {
		json_decref(o);
		o = NULL;
	}
	json_decref(tenders);
	json_decref(points);
	json_decref(cashiers);
	json_decref(guides);
	json_decref(hours);
	json_decref(shifts);
	return o;
}

/* The store's totals as JSON: {"available": false, "why"} or the figures. */
static json_t *store_json(const struct cp_store_totals *st)
{
	json_t *o, *terms = json_array();
	bool ok = terms != NULL;

	if (!st->reached) {
		json_decref(terms);
		return json_pack("{s:b, s:s, s:s}", "available", 0, "day", st->day, "why", st->why);
	}
	for (int i = 0; ok && i < st->nterminals; i++)
		ok = !json_array_append_new(
			terms, json_pack("{s:s, s:o, s:I}", "terminal", st->terminals[i].terminal,
					 "sales", money_json(&st->terminals[i].sales), "net",
					 (json_int_t)st->terminals[i].net));
	o = ok ? json_pack("{s:b, s:s, s:o, s:o, s:o, s:I, s:O, s:b}", "available", 1, "day",
			   st->day, "sales", money_json(&st->sales), "refunds",
			   money_json(&st->refunds), "voids", money_json(&st->voids), "net",
			   (json_int_t)st->net, "terminals", terms, "truncated", st->truncated)
	       : NULL;
	json_decref(terms);
	return o;
}

char *cp_report_json(const struct cp_tally *t, const char *kind, const char *store,
		     const char *terminal)
{
	return cp_report_json_store(t, kind, store, terminal, NULL);
}

char *cp_report_json_store(const struct cp_tally *t, const char *kind, const char *store,
			   const char *terminal, const struct cp_store_totals *st)
{
	json_t *o = totals_json(t);
	char *text = NULL;

	if (o && st && json_object_set_new(o, "store_totals", store_json(st))) {
		json_decref(o);
		return NULL;
	}
	if (o && !json_object_set_new(o, "report", json_string(kind)) &&
	    !json_object_set_new(o, "store", json_string(store)) &&
	    !json_object_set_new(o, "terminal", json_string(terminal)) &&
	    !json_object_set_new(o, "closed", json_boolean(t->z_seq != 0)) &&
	    !json_object_set_new(o, "z_seq", json_integer(t->z_seq)) &&
	    !json_object_set_new(o, "unacked", json_integer(t->unacked)))
		text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return text;
}

/* The sequence and hash of the newest journal row. */
static enum cp_err chain_head(struct cp_db *db, int64_t *seq, char hex[2 * JOURNAL_HASH_LEN + 1],
			      struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db, "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1", err);
	uint8_t zero[JOURNAL_HASH_LEN] = {0};
	int rc;

	if (!st)
		return CP_EDB;
	*seq = 0;
	cp_hex(zero, JOURNAL_HASH_LEN, hex);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == JOURNAL_HASH_LEN) {
		*seq = sqlite3_column_int64(st, 0);
		cp_hex(sqlite3_column_blob(st, 1), JOURNAL_HASH_LEN, hex);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CP_OK
						     : cp_db_fail(db, rc, "read journal", err);
}

enum cp_err cp_report_z(struct cp_db *db, const struct cp_session *who, const char *day,
			struct cp_tally *out, struct cp_errbuf *err)
{
	char hex[2 * JOURNAL_HASH_LEN + 1], checked[11], cal[11];
	struct cp_tally *t = calloc(1, sizeof(*t));
	json_t *payload = NULL, *totals = NULL;
	int64_t head, seq;
	enum cp_err result;

	if (!t)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((result = cp_db_begin(db, err)) != CP_OK)
		goto out_free;
	if ((result = cp_report_day_parse(db, day, checked, err)) != CP_OK ||
	    (result = cp_report_tally(db, checked, t, err)) != CP_OK)
		goto out;
	cp_business_day_at(cp_db_now(db), db->cutover_min, db->utc_offset_min, cal);
	if (strcmp(checked, cal) > 0) {
		result = cp_errf(err, CP_ESTATE,
				 "the business day %s has not begun yet (the clock's business day, "
				 "%s, is closed already); take its Z report after the cut-over",
				 checked, cal);
		goto out;
	}
	if (t->z_seq) {
		result = cp_errf(err, CP_EEXIST,
				 "the business day %s was closed already (Z report, journal %lld); "
				 "take an X report to see it again",
				 checked, (long long)t->z_seq);
		goto out;
	}
	if ((result = chain_head(db, &head, hex, err)) != CP_OK)
		goto out;
	if (!(totals = totals_json(t)) ||
	    !(payload = json_pack("{s:s, s:s, s:I, s:s, s:I, s:O}", "day", checked, "staff",
				  who && who->code[0] ? who->code : "cli", "through_seq",
				  (json_int_t)head, "chain_hash", hex, "unacked",
				  (json_int_t)t->unacked, "totals", totals))) {
		result = cp_errf(err, CP_ENOMEM, "out of memory building the Z report");
		goto out;
	}
	if ((result = cp_journal_record(db, "day_close", payload, &seq, NULL, err)) != CP_OK ||
	    (result = cp_db_commit(db, err)) != CP_OK)
		goto out;
	t->z_seq = seq;
	*out = *t;
out:
	if (result != CP_OK)
		cp_db_rollback(db);
out_free:
	json_decref(payload);
	json_decref(totals);
	free(t);
	return result;
}

enum cp_err cp_day_close_apply(struct cp_db *db, int64_t seq, json_t *p, struct cp_errbuf *err)
{
	const char *day, *staff, *hash;
	int64_t at, through, unacked;
	json_t *totals = json_object_get(p, "totals");
	char *text;
	enum cp_err result;
	sqlite3_stmt *st;
	int rc;

	if ((result = cp_jget_str(p, "day", &day, err)) ||
	    (result = cp_jget_str(p, "staff", &staff, err)) ||
	    (result = cp_jget_int(p, "at", &at, err)) ||
	    (result = cp_jget_int(p, "through_seq", &through, err)) ||
	    (result = cp_jget_str(p, "chain_hash", &hash, err)) ||
	    (result = cp_jget_int(p, "unacked", &unacked, err)))
		return result;
	if (!json_is_object(totals))
		return cp_errf(err, CP_ECORRUPT, "journal payload: \"totals\" is missing");
	if (!(text = json_dumps(totals, JSON_COMPACT | JSON_SORT_KEYS)))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	st = cp_db_stmt(
		db,
		"INSERT INTO day_close(seq, business_day, staff, at, through_seq, chain_hash,"
		" unacked, totals) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
		err);
	if (!st) {
		free(text);
		return CP_EDB;
	}
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, staff, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, at);
	sqlite3_bind_int64(st, 5, through);
	sqlite3_bind_text(st, 6, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, unacked);
	sqlite3_bind_text(st, 8, text, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	free(text);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return cp_errf(err, CP_EEXIST, "the business day %s was closed already", day);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record the Z report", err);
}

enum cp_err cp_report_check_z(struct cp_db *db, int64_t seq, json_t *p,
			      const uint8_t prev[JOURNAL_HASH_LEN], struct cp_errbuf *err)
{
	char hex[2 * JOURNAL_HASH_LEN + 1];
	struct cp_tally *t = calloc(1, sizeof(*t));
	const char *day, *hash;
	int64_t through;
	json_t *want = NULL;
	enum cp_err result;

	if (!t)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	cp_hex(prev, JOURNAL_HASH_LEN, hex);
	if ((result = cp_jget_str(p, "day", &day, err)) ||
	    (result = cp_jget_str(p, "chain_hash", &hash, err)) ||
	    (result = cp_jget_int(p, "through_seq", &through, err)))
		goto out;
	if (through != seq - 1 || strcmp(hash, hex) != 0) {
		result = cp_errf(err, CP_ECORRUPT,
				 "journal sequence %lld: the Z report of %s does not name the row "
				 "before it and its hash",
				 (long long)seq, day);
		goto out;
	}
	if ((result = tally_totals(db, day, t, err)) != CP_OK)
		goto out;
	if (!(want = totals_json(t))) {
		result = cp_errf(err, CP_ENOMEM, "out of memory");
		goto out;
	}
	/* A Z taken before the tally had guides carries none: compare what it carries. */
	if (!json_object_get(json_object_get(p, "totals"), "guides"))
		json_object_del(want, "guides");
	/* ... and one taken before it showed the member-price saving carries none of that */
	if (!json_object_get(json_object_get(p, "totals"), "member_savings"))
		json_object_del(want, "member_savings");
	/* ... or the cash rounding (抹零) */
	if (!json_object_get(json_object_get(p, "totals"), "rounding"))
		json_object_del(want, "rounding");
	/* ... or the discounts by kind: then gross was the lines as paid, discounts 0 */
	if (!json_object_get(json_object_get(p, "totals"), "discount_kinds")) {
		json_object_del(want, "discount_kinds");
		if (json_object_set_new(want, "gross", json_integer(t->lines)) ||
		    json_object_set_new(want, "discounts",
					json_integer(t->lines - t->sales.amount))) {
			result = cp_errf(err, CP_ENOMEM, "out of memory");
			goto out;
		}
	}
	/* ... or the cancelled carts */
	if (!json_object_get(json_object_get(p, "totals"), "cancelled"))
		json_object_del(want, "cancelled");
	/* ... or the refunds without a receipt */
	if (!json_object_get(json_object_get(p, "totals"), "noreceipt"))
		json_object_del(want, "noreceipt");
	if (!json_equal(want, json_object_get(p, "totals")))
		result = cp_errf(err, CP_ECORRUPT,
				 "journal sequence %lld: the Z report of %s does not match the "
				 "journal it covers",
				 (long long)seq, day);
out:
	json_decref(want);
	free(t);
	return result;
}
