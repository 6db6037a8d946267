/* shift.c — shifts on this till: shift_open, shift_move (pay-in, pay-out) and shift_close
 * events, their tables (shift, shift_move, shift_close) written by their apply functions, and
 * the cash a drawer should hold, from the tender rows recorded since the shift opened. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "report_int.h"
#include "shift.h"
#include "staff.h"
#include "text.h"

const int64_t cp_shift_denoms[CP_SHIFT_NDENOMS] = {10000, 5000, 2000, 1000, 500, 100, 50, 10};

static enum cp_err one_sum(struct cp_db *db, const char *sql, int64_t a, int64_t b, int64_t *out,
			   struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, sql, err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read the shift's cash", err);
}

enum cp_err cp_shift_cash(struct cp_db *db, int64_t open_seq, int64_t upto_seq, int64_t *cash,
			  int64_t *pay_in, int64_t *pay_out, struct cp_errbuf *err)
{
	int64_t tendered, change;
	enum cp_err result;

	if ((result = one_sum(db,
			      "SELECT coalesce(sum(amount), 0) FROM tender WHERE method = 'cash'"
			      " AND seq > ?1 AND seq <= ?2",
			      open_seq, upto_seq, &tendered, err)) ||
	    (result = one_sum(db,
			      "SELECT coalesce(sum(change_due), 0) FROM sale WHERE seq > ?1 AND"
			      " seq <= ?2 AND change_due <> 0",
			      open_seq, upto_seq, &change, err)) ||
	    (result = one_sum(db,
			      "SELECT coalesce(sum(amount), 0) FROM shift_move WHERE shift_seq = ?1"
			      " AND kind = 'in' AND seq <= ?2",
			      open_seq, upto_seq, pay_in, err)) ||
	    (result = one_sum(db,
			      "SELECT coalesce(sum(amount), 0) FROM shift_move WHERE shift_seq = ?1"
			      " AND kind = 'out' AND seq <= ?2",
			      open_seq, upto_seq, pay_out, err)))
		return result;
	*cash = tendered - change;
	return CP_OK;
}

enum cp_err cp_shift_view_read(struct cp_db *db, int64_t seq, struct cp_shift_view *out,
			       struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db,
		"SELECT s.seq, s.staff, s.opened_at, s.float, c.seq IS NOT NULL, c.at, c.counted,"
		" c.over_short, c.expected, coalesce(c.seq, ?1) FROM shift s LEFT JOIN shift_close"
		" c ON c.shift_seq = s.seq WHERE ?2 = 0 OR s.seq = ?2 ORDER BY s.seq DESC LIMIT 1",
		err);
	int64_t upto = INT64_MAX;
	enum cp_err result;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, INT64_MAX);
	sqlite3_bind_int64(st, 2, seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->seq = sqlite3_column_int64(st, 0);
		cp_db_col_text(st, 1, out->staff, sizeof(out->staff));
		out->opened_at = sqlite3_column_int64(st, 2);
		out->float_fen = sqlite3_column_int64(st, 3);
		out->closed = sqlite3_column_int(st, 4) != 0;
		out->open = !out->closed;
		out->closed_at = sqlite3_column_int64(st, 5);
		out->counted = sqlite3_column_int64(st, 6);
		out->over_short = sqlite3_column_int64(st, 7);
		out->expected = sqlite3_column_int64(st, 8);
		upto = sqlite3_column_int64(st, 9);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read the shift", err);
	if (!out->seq)
		return CP_OK;
	if ((result = cp_shift_cash(db, out->seq, upto, &out->cash, &out->pay_in, &out->pay_out,
				    err)) != CP_OK)
		return result;
	if (!out->closed && (!cp_money_add(out->float_fen, out->cash, &out->expected) ||
			     !cp_money_add(out->expected, out->pay_in, &out->expected) ||
			     !cp_money_sub(out->expected, out->pay_out, &out->expected)))
		return cp_errf(err, CP_EOVERFLOW, "the shift's cash is too large to count");
	return CP_OK;
}

/* The newest shift (open or not) into out; out->seq 0 when the till never had one. */
static enum cp_err newest(struct cp_db *db, struct cp_shift_view *out, struct cp_errbuf *err)
{
	return cp_shift_view_read(db, 0, out, err);
}

enum cp_err cp_shift_current(struct cp_db *db, struct cp_shift_view *out, struct cp_errbuf *err)
{
	return newest(db, out, err);
}

enum cp_err cp_shift_require_open(struct cp_db *db, struct cp_errbuf *err)
{
	/* Only whether the newest shift is still open: every pay asks, so it reads two rows and
	 * sums nothing (cp_shift_view_read would add up the whole shift's cash). */
	sqlite3_stmt *st =
		cp_db_stmt(db,
			   "SELECT NOT EXISTS(SELECT 1 FROM shift_close c WHERE c.shift_seq"
			   " = s.seq) FROM shift s ORDER BY s.seq DESC LIMIT 1",
			   err);
	bool open = false;
	int rc;

	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		open = sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read the shift", err);
	if (!open)
		return cp_errf(err, CP_ESTATE,
			       "no shift is open on this till: a manager opens one (with the cash "
			       "float) from the manager menu before selling");
	return CP_OK;
}

/* Records one shift event in a transaction of its own. */
static enum cp_err record(struct cp_db *db, const char *type, json_t *payload, int64_t *seq,
			  struct cp_errbuf *err)
{
	char day[11];
	enum cp_err result;

	if (!payload)
		return cp_errf(err, CP_ENOMEM, "out of memory recording the shift");
	if ((result = cp_report_event_day(db, cp_db_now(db), day, err)) != CP_OK)
		return result;
	if (json_object_set_new(payload, "day", json_string(day)))
		return cp_errf(err, CP_ENOMEM, "out of memory recording the shift");
	if ((result = cp_journal_record(db, type, payload, seq, NULL, err)) != CP_OK)
		return result;
	return cp_db_commit(db, err);
}

enum cp_err cp_shift_open(struct cp_db *db, const struct cp_session *who, int64_t float_fen,
			  int64_t *seq, struct cp_errbuf *err)
{
	struct cp_shift_view v;
	json_t *payload = NULL;
	char a[48];
	enum cp_err result;

	if (!who || !who->code[0])
		return cp_errf(err, CP_EAUTH, "log in first");
	if (float_fen < 0 || float_fen > CP_MONEY_MAX)
		return cp_errf(err, CP_EINVAL,
			       "the float is the cash put in the drawer, ¥0.00 or more");
	if ((result = cp_db_begin(db, err)) != CP_OK)
		return result;
	if ((result = newest(db, &v, err)) != CP_OK)
		goto out;
	if (v.open) {
		cp_money_format(v.float_fen, NULL, a, sizeof(a));
		result = cp_errf(
			err, CP_ESTATE,
			"a shift is already open on this till (opened by %s with a float of "
			"%s); close it first",
			v.staff, a);
		goto out;
	}
	payload = json_pack("{s:s, s:I}", "staff", who->code, "float", (json_int_t)float_fen);
	result = record(db, "shift_open", payload, seq, err);
out:
	if (result != CP_OK)
		cp_db_rollback(db);
	json_decref(payload);
	return result;
}

enum cp_err cp_shift_demo_open(struct cp_db *db, const struct cp_session *who, bool *opened,
			       struct cp_errbuf *err)
{
	struct cp_shift_view v;
	char demo[8];
	enum cp_err result = cp_db_meta_get(db, "demo", demo, sizeof(demo), err);

	*opened = false;
	if (result == CP_ENOTFOUND) {
		if (err)
			err->msg[0] = '\0';
		return CP_OK;
	}
	if (result != CP_OK)
		return result;
	if ((result = newest(db, &v, err)) != CP_OK || v.seq)
		return result;
	if ((result = cp_shift_open(db, who, 0, NULL, err)) != CP_OK)
		return result;
	*opened = true;
	return CP_OK;
}

enum cp_err cp_shift_move(struct cp_db *db, const struct cp_session *who, bool in, int64_t amount,
			  const char *reason, struct cp_errbuf *err)
{
	struct cp_shift_view v;
	json_t *payload = NULL;
	char a[48], b[48];
	enum cp_err result;

	if (!who || !who->code[0])
		return cp_errf(err, CP_EAUTH, "log in first");
	if (amount <= 0 || amount > CP_MONEY_MAX)
		return cp_errf(err, CP_EINVAL, "a pay-%s is an amount above ¥0.00",
			       in ? "in" : "out");
	if (!reason || !reason[0] || !cp_text_ok(reason, 64))
		return cp_errf(
			err, CP_EINVAL,
			"say why the money goes %s (1 to 64 bytes of text, e.g. \"change from "
			"the bank\")",
			in ? "in" : "out");
	if ((result = cp_db_begin(db, err)) != CP_OK)
		return result;
	if ((result = newest(db, &v, err)) != CP_OK)
		goto out;
	if (!v.open) {
		result = cp_errf(err, CP_ESTATE, "no shift is open on this till; open one first");
		goto out;
	}
	if (!in && amount > v.expected) {
		cp_money_format(amount, NULL, a, sizeof(a));
		cp_money_format(v.expected, NULL, b, sizeof(b));
		result =
			cp_errf(err, CP_EINVAL,
				"a pay-out of %s is more than the %s the drawer should hold", a, b);
		goto out;
	}
	payload = json_pack("{s:I, s:s, s:I, s:s, s:s}", "shift", (json_int_t)v.seq, "kind",
			    in ? "in" : "out", "amount", (json_int_t)amount, "reason", reason,
			    "staff", who->code);
	result = record(db, "shift_move", payload, NULL, err);
out:
	if (result != CP_OK)
		cp_db_rollback(db);
	json_decref(payload);
	return result;
}

/* One number of pieces: digits only, at most 9 of them. */
static bool pieces(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;

	if (n == 0 || n > 9)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static enum cp_err parse_denoms(const char *text, struct cp_shift_count *out, struct cp_errbuf *err)
{
	const char *p = text;

	memset(out, 0, sizeof(*out));
	out->by_denom = true;
	while (*p) {
		char word[64], face[32];
		size_t n = strcspn(p, " ,");
		const char *x;
		int64_t fen, count;
		int k;
		struct cp_errbuf ignore;

		if (n == 0) {
			p++;
			continue;
		}
		if (n >= sizeof(word))
			return cp_errf(err, CP_EINVAL, "the count \"%.20s...\" is too long", p);
		memcpy(word, p, n);
		word[n] = '\0';
		p += n;
		x = strpbrk(word, "xX*");
		if (!x || (size_t)(x - word) >= sizeof(face))
			return cp_errf(err, CP_EINVAL,
				       "\"%s\" is not a count: write the note and how many, like "
				       "100x3 or 0.5x2",
				       word);
		memcpy(face, word, (size_t)(x - word));
		face[x - word] = '\0';
		if (cp_money_parse(face, &fen, &ignore) != CP_OK)
			fen = -1;
		for (k = 0; k < CP_SHIFT_NDENOMS && cp_shift_denoms[k] != fen; k++)
			;
		if (k == CP_SHIFT_NDENOMS)
			return cp_errf(
				err, CP_EINVAL,
				"\"%s\" is not a note or coin: use 100, 50, 20, 10, 5, 1, 0.5 "
				"or 0.1",
				face);
		if (!pieces(x + 1, strlen(x + 1), &count))
			return cp_errf(err, CP_EINVAL,
				       "\"%s\": how many must be a whole number, like 100x3", word);
		out->n[k] += count;
	}
	for (int k = 0; k < CP_SHIFT_NDENOMS; k++)
		if (out->n[k])
			return CP_OK;
	return cp_errf(err, CP_EINVAL, "type the cash counted, like 1234.50 or 100x12 50x1");
}

enum cp_err cp_shift_count_parse(const char *text, struct cp_shift_count *out,
				 struct cp_errbuf *err)
{
	struct cp_errbuf why = {{0}};

	if (!text || !cp_text_ok(text, 256))
		return cp_errf(err, CP_EINVAL,
			       "type the cash counted, like 1234.50 or 100x12 50x1");
	if (strpbrk(text, "xX*"))
		return parse_denoms(text, out, err);
	memset(out, 0, sizeof(*out));
	if (cp_money_parse(text, &out->total, &why) != CP_OK)
		return cp_errf(err, CP_EINVAL,
			       "the cash counted \"%.40s\" is not an amount (%s); type it like "
			       "1234.50, or by notes like 100x12 50x1",
			       text, why.msg);
	return CP_OK;
}

static enum cp_err count_total(const struct cp_shift_count *c, int64_t *out, json_t **denoms,
			       struct cp_errbuf *err)
{
	int64_t sum = 0, v;

	*denoms = NULL;
	if (!c->by_denom) {
		if (c->total < 0 || c->total > CP_MONEY_MAX)
			return cp_errf(err, CP_EINVAL, "the cash counted must be ¥0.00 or more");
		*out = c->total;
		return CP_OK;
	}
	if (!(*denoms = json_array()))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	for (int k = 0; k < CP_SHIFT_NDENOMS; k++) {
		if (c->n[k] < 0 || !cp_money_mul(c->n[k], cp_shift_denoms[k], &v) ||
		    !cp_money_add(sum, v, &sum) || sum > CP_MONEY_MAX ||
		    json_array_append_new(*denoms, json_integer(c->n[k])))
			return cp_errf(err, CP_EINVAL, "the cash counted is too large");
	}
	*out = sum;
	return CP_OK;
}

enum cp_err cp_shift_close(struct cp_db *db, const struct cp_session *who,
			   const struct cp_shift_count *count, struct cp_shift_view *out,
			   struct cp_errbuf *err)
{
	struct cp_shift_view v;
	json_t *payload = NULL, *denoms = NULL;
	int64_t counted = 0, over_short, seq;
	enum cp_err result;

	if (!who || !who->code[0])
		return cp_errf(err, CP_EAUTH, "log in first");
	if ((result = count_total(count, &counted, &denoms, err)) != CP_OK)
		goto out_free;
	if ((result = cp_db_begin(db, err)) != CP_OK)
		goto out_free;
	if ((result = newest(db, &v, err)) != CP_OK)
		goto out;
	if (!v.open) {
		result = cp_errf(err, CP_ESTATE,
				 "no shift is open on this till, so there is none to close");
		goto out;
	}
	if (!cp_money_sub(counted, v.expected, &over_short)) {
		result = cp_errf(err, CP_EOVERFLOW, "the cash counted is too large");
		goto out;
	}
	payload = json_pack("{s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "shift",
			    (json_int_t)v.seq, "staff", who->code, "float", (json_int_t)v.float_fen,
			    "cash", (json_int_t)v.cash, "pay_in", (json_int_t)v.pay_in, "pay_out",
			    (json_int_t)v.pay_out, "expected", (json_int_t)v.expected, "counted",
			    (json_int_t)counted, "over_short", (json_int_t)over_short, "denoms",
			    denoms ? json_incref(denoms) : json_null());
	if ((result = record(db, "shift_close", payload, &seq, err)) != CP_OK)
		goto out;
	v.open = false;
	v.closed = true;
	v.closed_at = cp_db_now(db);
	v.counted = counted;
	v.over_short = over_short;
	if (out)
		*out = v;
out:
	if (result != CP_OK)
		cp_db_rollback(db);
out_free:
	json_decref(payload);
	json_decref(denoms);
	return result;
}

enum cp_err cp_shift_open_apply(struct cp_db *db, int64_t seq, json_t *p, struct cp_errbuf *err)
{
	const char *staff;
	int64_t at, fl;
	enum cp_err result;
	sqlite3_stmt *st;
	int rc;

	if ((result = cp_jget_str(p, "staff", &staff, err)) ||
	    (result = cp_jget_int(p, "at", &at, err)) ||
	    (result = cp_jget_int(p, "float", &fl, err)))
		return result;
	st = cp_db_stmt(
		db, "INSERT INTO shift(seq, staff, opened_at, float) VALUES(?1, ?2, ?3, ?4)", err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, staff, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, at);
	sqlite3_bind_int64(st, 4, fl);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record the shift", err);
}

enum cp_err cp_shift_move_apply(struct cp_db *db, int64_t seq, json_t *p, struct cp_errbuf *err)
{
	const char *kind, *reason, *staff;
	int64_t shift, amount, at;
	enum cp_err result;
	sqlite3_stmt *st;
	int rc;

	if ((result = cp_jget_int(p, "shift", &shift, err)) ||
	    (result = cp_jget_str(p, "kind", &kind, err)) ||
	    (result = cp_jget_int(p, "amount", &amount, err)) ||
	    (result = cp_jget_str(p, "reason", &reason, err)) ||
	    (result = cp_jget_str(p, "staff", &staff, err)) ||
	    (result = cp_jget_int(p, "at", &at, err)))
		return result;
	st = cp_db_stmt(db,
			"INSERT INTO shift_move(seq, shift_seq, kind, amount, reason, staff, at)"
			" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, shift);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, amount);
	sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, staff, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, at);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record the pay-in or pay-out", err);
}

enum cp_err cp_shift_close_apply(struct cp_db *db, int64_t seq, json_t *p, struct cp_errbuf *err)
{
	const char *staff;
	int64_t shift, at, expected, counted, over_short;
	json_t *denoms = json_object_get(p, "denoms");
	char *dtext = NULL;
	enum cp_err result;
	sqlite3_stmt *st;
	int rc;

	if ((result = cp_jget_int(p, "shift", &shift, err)) ||
	    (result = cp_jget_str(p, "staff", &staff, err)) ||
	    (result = cp_jget_int(p, "at", &at, err)) ||
	    (result = cp_jget_int(p, "expected", &expected, err)) ||
	    (result = cp_jget_int(p, "counted", &counted, err)) ||
	    (result = cp_jget_int(p, "over_short", &over_short, err)))
		return result;
	if (json_is_array(denoms) && !(dtext = json_dumps(denoms, JSON_COMPACT)))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	st = cp_db_stmt(db,
			"INSERT INTO shift_close(seq, shift_seq, staff, at, expected, counted,"
			" over_short, denoms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
			err);
	if (!st) {
		free(dtext);
		return CP_EDB;
	}
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, shift);
	sqlite3_bind_text(st, 3, staff, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, at);
	sqlite3_bind_int64(st, 5, expected);
	sqlite3_bind_int64(st, 6, counted);
	sqlite3_bind_int64(st, 7, over_short);
	if (dtext)
		sqlite3_bind_text(st, 8, dtext, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	free(dtext);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return cp_errf(err, CP_ESTATE, "the shift has been closed already");
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record the shift's close", err);
}
