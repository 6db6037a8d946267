/* rounding.c — 抹零: the cash amount due rounded in the store's mode, the rounding spread over
 * the sale's lines to the fen (like a coupon's discount), so that every line keeps what was
 * paid for it and a refund gives that back, and the rows that record it (sale_rounding,
 * rounding_line) written from the sale's journal payload. */
#include <string.h>

#include "db_int.h"
#include "journal_int.h"
#include "money.h"
#include "pointspay_int.h"
#include "receipt.h"
#include "rounding_int.h"

static const char *const mode_names[] = {"none", "jiao_down", "jiao_nearest", "yuan_down",
					 "yuan_nearest"};

const char *cp_rounding_name(enum cp_rounding mode)
{
	if ((unsigned)mode >= sizeof(mode_names) / sizeof(mode_names[0]))
		return "unknown";
	return mode_names[mode];
}

int cp_rounding_parse(const char *name)
{
	for (size_t i = 0; name && i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (strcmp(name, mode_names[i]) == 0)
			return (int)i;
	return -1;
}

bool cp_rounding_compute(enum cp_rounding mode, int64_t due, int64_t *fen)
{
	int64_t unit, rest, rounded;
	bool nearest;

	*fen = 0;
	switch (mode) {
	case CP_ROUNDING_NONE:
		return due <= CP_MONEY_MAX;
	case CP_ROUNDING_JIAO_DOWN:
	case CP_ROUNDING_JIAO_NEAREST:
		unit = 10;
		break;
	case CP_ROUNDING_YUAN_DOWN:
	case CP_ROUNDING_YUAN_NEAREST:
		unit = 100;
		break;
	default:
		return false;
	}
	if (due > CP_MONEY_MAX)
		return false;
	if (due <= 0)
		return true;
	nearest = mode == CP_ROUNDING_JIAO_NEAREST || mode == CP_ROUNDING_YUAN_NEAREST;
	rest = due % unit;
	rounded = due - rest;
	if (nearest && rest * 2 >= unit)
		rounded += unit; /* at most CP_MONEY_MAX, a whole number of yuan */
	if (rounded <= 0)
		return true; /* a due below the step is never rounded away */
	*fen = due - rounded;
	return true;
}

enum cp_rounding cp_rounding_mode(const struct cp_db *db)
{
	return (enum cp_rounding)db->rounding;
}

bool cp_rounding_quote(const struct cp_db *db, int64_t total, int64_t noncash, int64_t *fen)
{
	int64_t due;

	*fen = 0;
	if (!cp_money_sub(total, noncash, &due))
		return false;
	return cp_rounding_compute(cp_rounding_mode(db), due, fen);
}

enum cp_err cp_rounding_plan(struct cp_db *db, const struct cp_cart_view *cart,
			     const struct cp_tender *t, int n, struct cp_rounding_plan *out,
			     struct cp_errbuf *err)
{
	int64_t noncash = 0;
	bool cash = false;

	memset(out, 0, sizeof(*out));
	out->mode = cp_rounding_mode(db);
	if (out->mode == CP_ROUNDING_NONE)
		return CP_OK;
	for (int i = 0; i < n && i < CP_TENDER_MAX; i++) {
		if (t[i].method == CP_TENDER_CASH)
			cash = true;
		else if (t[i].amount > 0 && !cp_money_add(noncash, t[i].amount, &noncash))
			return cp_errf(err, CP_EOVERFLOW, "the tendered amounts are too large");
	}
	if (!cash || !cp_money_sub(cart->total, noncash, &out->due) || out->due <= 0) {
		out->due = 0;
		return CP_OK; /* no cash, or nothing left for it to pay: the tenders say why */
	}
	if (!cp_rounding_compute(out->mode, out->due, &out->fen))
		return cp_errf(err, CP_EOVERFLOW, "the amount due is too large");
	return CP_OK;
}

/* The money of line i that the points tender does not pay. */
static int64_t room_of(const struct cp_cart_view *cart, const struct cp_pointspay_plan *pp, int i)
{
	int64_t room = cart->lines[i].amount;

	for (int k = 0; pp && k < pp->nlines; k++)
		if (pp->lines[k].line_no == cart->lines[i].line_no)
			room -= pp->lines[k].fen;
	return room > 0 ? room : 0;
}

enum cp_err cp_rounding_spread(struct cp_cart_view *cart, const struct cp_pointspay_plan *pp,
			       struct cp_rounding_plan *plan, struct cp_errbuf *err)
{
	int64_t off = plan->fen < 0 ? -plan->fen : plan->fen, base = 0, spread = 0;
	int64_t room[CP_CART_MAX_LINES];

	for (int i = 0; i < cart->nlines; i++) {
		plan->line_fen[i] = 0;
		room[i] = room_of(cart, pp, i);
		if (!cp_money_add(base, room[i], &base))
			return cp_errf(err, CP_EOVERFLOW, "the sale is too large");
	}
	if (off == 0)
		return CP_OK;
	if (base < off)
		return cp_errf(err, CP_ESTATE,
			       "the cash rounding is more than the lines left to pay; pay without "
			       "cash");
	for (int i = 0; i < cart->nlines; i++) {
		if (!cp_muldiv_floor(off, room[i], base, &plan->line_fen[i]))
			return cp_errf(err, CP_EOVERFLOW, "the sale is too large");
		spread += plan->line_fen[i];
	}
	/* the fen that rounding down left go one by one to the lines in order; rounding off
	 * never takes a line below what the points paid for it */
	for (int i = 0; spread < off && i < cart->nlines; i++) {
		int64_t more = off - spread;

		if (plan->fen > 0 && more > room[i] - plan->line_fen[i])
			more = room[i] - plan->line_fen[i];
		if (plan->fen < 0 && room[i] == 0)
			more = 0;
		plan->line_fen[i] += more;
		spread += more;
	}
	for (int i = 0; i < cart->nlines; i++) {
		int64_t d = plan->fen < 0 ? -plan->line_fen[i] : plan->line_fen[i];

		plan->line_fen[i] = d;
		if (!cp_money_sub(cart->lines[i].amount, d, &cart->lines[i].amount) ||
		    !cp_money_sub(cart->total, d, &cart->total) ||
		    (cart->lines[i].eligible && !cp_money_sub(cart->eligible, d, &cart->eligible)))
			return cp_errf(err, CP_EOVERFLOW, "the sale is too large");
	}
	return CP_OK;
}

enum cp_err cp_rounding_payload(const struct cp_rounding_plan *plan, json_t *payload,
				struct cp_errbuf *err)
{
	json_t *lines, *o;

	if (plan->fen == 0)
		return CP_OK;
	if (!(lines = json_array()))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	for (int i = 0; i < CP_CART_MAX_LINES; i++)
		if (plan->line_fen[i] &&
		    json_array_append_new(lines, json_pack("{s:i, s:I}", "n", i + 1, "fen",
							   (json_int_t)plan->line_fen[i]))) {
			json_decref(lines);
			return cp_errf(err, CP_ENOMEM, "out of memory");
		}
	o = json_pack("{s:s, s:I, s:I, s:o}", "mode", cp_rounding_name(plan->mode), "due",
		      (json_int_t)plan->due, "fen", (json_int_t)plan->fen, "lines", lines);
	if (!o || json_object_set_new(payload, "rounding", o))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	return CP_OK;
}

static enum cp_err step_done(struct cp_db *db, sqlite3_stmt *st, const char *what,
			     struct cp_errbuf *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return cp_errf(err, CP_ECORRUPT,
			       "journal payload: the sale's rounding is wrong (%s)", what);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, what, err);
}

enum cp_err cp_rounding_sale_apply(struct cp_db *db, int64_t seq, json_t *p, struct cp_errbuf *err)
{
	json_t *r = json_object_get(p, "rounding"), *lines, *l;
	const char *mode, *day;
	int64_t due, fen, sum = 0;
	enum cp_err result;
	sqlite3_stmt *st;
	size_t i;

	if (!r)
		return CP_OK;
	if (!json_is_object(r))
		return cp_errf(err, CP_ECORRUPT, "journal payload: \"rounding\" is not an object");
	if ((result = cp_jget_str(r, "mode", &mode, err)) ||
	    (result = cp_jget_int(r, "due", &due, err)) ||
	    (result = cp_jget_int(r, "fen", &fen, err)) ||
	    (result = cp_jget_array(r, "lines", &lines, err)) ||
	    (result = cp_jget_str(p, "day", &day, err)))
		return result;
	if (!(st = cp_db_stmt(
		      db, "INSERT INTO sale_rounding(seq, mode, due, fen) VALUES(?1, ?2, ?3, ?4)",
		      err)))
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, mode, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, due);
	sqlite3_bind_int64(st, 4, fen);
	if ((result = step_done(db, st, "record the sale's rounding", err)) != CP_OK)
		return result;
	json_array_foreach (lines, i, l) {
		int64_t n, lf;

		if ((result = cp_jget_int(l, "n", &n, err)) ||
		    (result = cp_jget_int(l, "fen", &lf, err)))
			return result;
		if (!cp_money_add(sum, lf, &sum))
			return cp_errf(err, CP_ECORRUPT, "journal payload: rounding too large");
		if (!(st = cp_db_stmt(
			      db, "INSERT INTO rounding_line(seq, line_no, fen) VALUES(?1, ?2, ?3)",
			      err)))
			return CP_EDB;
		sqlite3_bind_int64(st, 1, seq);
		sqlite3_bind_int64(st, 2, n);
		sqlite3_bind_int64(st, 3, lf);
		if ((result = step_done(db, st, "record a line's rounding", err)) != CP_OK)
			return result;
	}
	if (sum != fen)
		return cp_errf(err, CP_ECORRUPT,
			       "journal sequence %lld: the rounding's lines do not add up to it",
			       (long long)seq);
	if (!(st = cp_db_stmt(db,
			      "INSERT INTO report_day_sum(day, what, key, n, amount, growth)"
			      " VALUES(?1, 'sale', 'rounding', 1, ?2, 0)"
			      " ON CONFLICT(day, what, key) DO UPDATE SET n = n + 1,"
			      " amount = amount + excluded.amount",
			      err)))
		return CP_EDB;
	sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, fen);
	return step_done(db, st, "add the rounding to the day's tally", err);
}

enum cp_err cp_rounding_receipt_fill(struct cp_db *db, int64_t seq, struct cp_receipt_view *v,
				     struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db, "SELECT fen FROM sale_rounding WHERE seq = ?1", err);
	int rc;

	v->rounding = 0;
	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v->rounding = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? CP_OK
					 : cp_db_fail(db, rc, "read the sale's rounding", err);
	if (!(st = cp_db_stmt(db, "SELECT line_no, fen FROM rounding_line WHERE seq = ?1", err)))
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int n = sqlite3_column_int(st, 0);

		for (int i = 0; i < v->nlines; i++)
			if (v->lines[i].line_no == n)
				v->lines[i].amount += sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "read the sale's rounding", err);
}
