/* pointspay.c — points as payment (积分抵现) and the offline spending limits. A points tender is
 * a whole number of steps, within the cap (a share of the bill), the lines points may pay for,
 * the balance minus points held and, while HQ cannot be reached, the offline limits; it is
 * spread over its lines so that a refund gives back exactly the points that paid for them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coupon_int.h"
#include "db_int.h"
#include "events_int.h"
#include "money.h"
#include "pointspay_int.h"
#include "report_int.h"

#define MS_PER_MIN INT64_C(60000)

__extension__ typedef __int128 i128;

void cp_pointspay_defaults(struct cp_pointspay_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->step_fen = 100;
	cfg->cap_bp = 5000;
	cfg->offline_member = 2000;
	cfg->offline_terminal = 20000;
	cfg->offline_max_hours = 48;
	cfg->online_minutes = 10;
}

static bool int_in(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	long long v;

	if (!s[0] || s[0] == ' ' || s[0] == '+')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* Category codes: letters, digits, '-', '_', separated by commas (spaces allowed). */
static bool codes_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == ',' || *s == ' '))
			return false;
	return true;
}

static void override(struct cp_pointspay_config *c, const char *name, const char *value)
{
	int64_t v;

	if (strcmp(name, "points_step_fen") == 0 && int_in(value, 1, 100000000, &v))
		c->step_fen = v;
	else if (strcmp(name, "points_max_share_bp") == 0 && int_in(value, 0, 10000, &v))
		c->cap_bp = (int)v;
	else if (strcmp(name, "points_excluded_categories") == 0 &&
		 strlen(value) < sizeof(c->excluded) && codes_ok(value))
		snprintf(c->excluded, sizeof(c->excluded), "%s", value);
	else if (strcmp(name, "points_offline_member") == 0 &&
		 int_in(value, 0, INT64_C(1) << 50, &v))
		c->offline_member = v;
	else if (strcmp(name, "points_offline_terminal") == 0 &&
		 int_in(value, 0, INT64_C(1) << 50, &v))
		c->offline_terminal = v;
	else if (strcmp(name, "points_offline_max_hours") == 0 && int_in(value, 0, 87600, &v))
		c->offline_max_hours = (int)v;
	else if (strcmp(name, "points_online_minutes") == 0 && int_in(value, 1, 10080, &v))
		c->online_minutes = (int)v;
}

enum cp_err cp_pointspay_config_get(struct cp_db *db, struct cp_pointspay_config *out,
				    struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "SELECT name, value FROM hq_config WHERE name GLOB 'points_*' ORDER BY name",
		err);
	int rc;

	if (!st)
		return CP_EDB;
	*out = db->pointspay;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		override(out, (const char *)sqlite3_column_text(st, 0),
			 (const char *)sqlite3_column_text(st, 1));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "read the points rules", err);
}

int64_t cp_points_available(const struct cp_cart_view *cart)
{
	int64_t left;

	if (!cart->has_member || !cp_money_sub(cart->member.points, cart->points_held, &left) ||
	    left < 0)
		return 0;
	return left;
}

/* Whether category is one of the comma-separated codes in list. */
static bool excluded(const char *list, const char *category)
{
	size_t n = strlen(category);

	for (const char *p = list; *p;) {
		size_t len;

		while (*p == ' ' || *p == ',')
			p++;
		len = strcspn(p, ", ");
		if (len && len == n && strncmp(p, category, n) == 0)
			return true;
		p += len;
	}
	return false;
}

static bool payable(const struct cp_pointspay_config *c, const struct cp_cart_line *l)
{
	return !l->redemption && !excluded(c->excluded, l->category);
}

/* Whether this till is offline and for how long: only an enrolled till has an HQ to reach. */
static enum cp_err contact(struct cp_db *db, const struct cp_pointspay_config *c, int64_t now,
			   bool *offline, int64_t *minutes, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db,
				      "SELECT EXISTS(SELECT 1 FROM meta WHERE key = 'hq_url'),"
				      " last_success FROM sync_state WHERE id = 1",
				      err);
	int rc;

	*offline = false;
	*minutes = 0;
	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_int(st, 0)) {
		int64_t last = sqlite3_column_int64(st, 1);
		int64_t age = now > last ? now - last : 0;

		*minutes = age / MS_PER_MIN;
		*offline = age > (int64_t)c->online_minutes * MS_PER_MIN;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? CP_OK
		       : cp_db_fail(db, rc, "read the sync state", err);
}

/* Points spent offline today: by this member (member not NULL) or by this terminal. Both read
 * the covering index points_offline_day only. */
static enum cp_err spent_offline(struct cp_db *db, const char *day, const char *member,
				 int64_t *out, struct cp_errbuf *err)
{
	sqlite3_stmt *st = member ? cp_db_stmt(db,
					       "SELECT coalesce(sum(points), 0) FROM points_offline"
					       " WHERE business_day = ?1 AND member_id = ?2",
					       err)
				  : cp_db_stmt(db,
					       "SELECT coalesce(sum(points), 0) FROM points_offline"
					       " WHERE business_day = ?1",
					       err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
	if (member)
		sqlite3_bind_text(st, 2, member, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? CP_OK : cp_db_fail(db, rc, "read offline spending", err);
}

static void fmt(int64_t fen, char *out, size_t len)
{
	cp_money_format(fen, NULL, out, len);
}

/* The rules that can stop points paying more, in the order they are checked. */
enum rule { R_NONE, R_CAP, R_BASE, R_BALANCE, R_HOURS, R_MEMBER, R_TERMINAL };

/* Lowers *steps to what a rule allows and notes the rule when it is the one that stops. */
static void bound(enum rule r, int64_t steps_allowed, int64_t *steps, enum rule *stop)
{
	if (steps_allowed < 0)
		steps_allowed = 0;
	if (steps_allowed < *steps) {
		*steps = steps_allowed;
		*stop = r;
	}
}

/* The rule that stops, as a sentence (only the one that stops is written). */
static void say(struct cp_pointspay_quote *q, const struct cp_pointspay_config *c, enum rule r)
{
	char a[48];

	switch (r) {
	case R_CAP:
		fmt(q->cap, a, sizeof(a));
		snprintf(q->limit, sizeof(q->limit),
			 "points may pay at most %s of this bill (%d.%02d%%)", a, c->cap_bp / 100,
			 c->cap_bp % 100);
		break;
	case R_BASE:
		fmt(q->base, a, sizeof(a));
		snprintf(q->limit, sizeof(q->limit),
			 "points may pay only %s of this bill: offer lines and excluded categories "
			 "are paid in money",
			 a);
		break;
	case R_BALANCE:
		snprintf(q->limit, sizeof(q->limit), "too few points: the member has %lld to spend",
			 (long long)q->available);
		break;
	case R_HOURS:
		snprintf(
			q->limit, sizeof(q->limit),
			"offline limit: HQ not reached for %lld hours (more than %d), so no points "
			"can be spent until it is; pay in money",
			(long long)(q->offline_minutes / 60), c->offline_max_hours);
		break;
	case R_MEMBER:
		snprintf(q->limit, sizeof(q->limit),
			 "offline limit: %lld points left for this member today",
			 (long long)q->member_left);
		break;
	case R_TERMINAL:
		snprintf(q->limit, sizeof(q->limit),
			 "offline limit: %lld points left for this terminal today",
			 (long long)q->terminal_left);
		break;
	case R_NONE:
		break;
	}
}

static enum cp_err quote(struct cp_db *db, const struct cp_pointspay_config *cfg,
			 const struct cp_cart_view *cart, struct cp_pointspay_quote *q,
			 struct cp_errbuf *err)
{
	const struct db_memo *m;
	const struct cp_pointspay_config c = *cfg;
	int64_t steps = INT64_MAX, now = cp_db_now(db), x;
	enum rule stop = R_NONE;
	char day[11], a[48];
	enum cp_err result;

	memset(q, 0, sizeof(*q));
	q->member_left = q->terminal_left = -1;
	if ((result = cp_db_memo_get(db, &m, err)) != CP_OK)
		return result;
	q->member = cart->has_member;
	q->step_fen = c.step_fen;
	q->available = cp_points_available(cart);
	for (int i = 0; i < cart->nlines; i++)
		if (payable(&c, &cart->lines[i]) &&
		    !cp_money_add(q->base, cart->lines[i].amount, &q->base))
			return cp_errf(err, CP_EOVERFLOW, "the bill is too large");
	if (!cp_muldiv_floor(cart->total, c.cap_bp, 10000, &q->cap))
		return cp_errf(err, CP_EOVERFLOW, "the bill is too large");
	if (!m->has_rules || !cp_money_mul(c.step_fen, m->rules.points_per_yuan_value, &x) ||
	    x % 100 != 0 || x == 0) {
		snprintf(q->limit, sizeof(q->limit),
			 "points cannot pay here: the store has no points value for a step of %s",
			 (fmt(c.step_fen, a, sizeof(a)), a));
		return CP_OK;
	}
	q->step_points = x / 100;
	if (!q->member) {
		snprintf(q->limit, sizeof(q->limit),
			 CP_WORD("points need a member: attach the member first"));
		return CP_OK;
	}
	bound(R_CAP, q->cap / c.step_fen, &steps, &stop);
	bound(R_BASE, q->base / c.step_fen, &steps, &stop);
	bound(R_BALANCE, q->available / q->step_points, &steps, &stop);
	if ((result = contact(db, &c, now, &q->offline, &q->offline_minutes, err)) != CP_OK)
		return result;
	if (q->offline && q->offline_minutes >= (int64_t)c.offline_max_hours * 60) {
		bound(R_HOURS, 0, &steps, &stop);
		q->member_left = q->terminal_left = 0;
	} else if (q->offline) {
		if ((result = cp_report_event_day(db, now, day, err)) != CP_OK ||
		    (result = spent_offline(db, day, cart->member.id, &x, err)) != CP_OK)
			return result;
		q->member_left = c.offline_member > x ? c.offline_member - x : 0;
		if ((result = spent_offline(db, day, NULL, &x, err)) != CP_OK)
			return result;
		q->terminal_left = c.offline_terminal > x ? c.offline_terminal - x : 0;
		bound(R_MEMBER, q->member_left / q->step_points, &steps, &stop);
		bound(R_TERMINAL, q->terminal_left / q->step_points, &steps, &stop);
	}
	say(q, &c, stop);
	if (!cp_money_mul(steps, c.step_fen, &q->max_fen) ||
	    !cp_money_mul(steps, q->step_points, &q->max_points))
		return cp_errf(err, CP_EOVERFLOW, "the bill is too large");
	return CP_OK;
}

enum cp_err cp_pointspay_quote(struct cp_db *db, const struct cp_cart_view *cart,
			       struct cp_pointspay_quote *out, struct cp_errbuf *err)
{
	struct cp_pointspay_config c;
	struct cp_cart_view *paid = NULL;
	struct coupon_plan *plan = NULL;
	enum cp_err result = cp_pointspay_config_get(db, &c, err);

	if (result != CP_OK)
		return result;
	/* on what is paid, as cp_sale_pay plans it: the cart's coupons off first (a coupon that
	 * no longer holds is refused at payment, saying why; the quote is then the cart's) */
	if (cart->open && cart->nlines) {
		if (!(paid = malloc(sizeof(*paid))) || !(plan = calloc(1, sizeof(*plan)))) {
			free(paid);
			return cp_errf(err, CP_ENOMEM, "out of memory");
		}
		*paid = *cart;
		if (cp_coupon_sale_plan(db, paid, plan, NULL) == CP_OK && plan->n)
			cart = paid;
	}
	result = quote(db, &c, cart, out, err);
	free(paid);
	free(plan);
	return result;
}

/* Spreads total over the payable lines in proportion to their amounts; the fen left by rounding
 * down go one each to the lines with the largest remainders (the larger line first on a tie),
 * so the shares add up to total and none exceeds its line. */
static enum cp_err spread(const struct cp_pointspay_config *c, const struct cp_cart_view *cart,
			  int64_t base, int64_t total, int64_t *share, struct cp_errbuf *err)
{
	int64_t rem[CP_CART_MAX_LINES], left = total;

	for (int i = 0; i < cart->nlines; i++) {
		i128 prod;

		share[i] = rem[i] = 0;
		if (!payable(c, &cart->lines[i]) || base <= 0)
			continue;
		/* 0 <= amount <= base: the share is at most total, the remainder below base */
		prod = (i128)total * cart->lines[i].amount;
		share[i] = (int64_t)(prod / base);
		rem[i] = (int64_t)(prod - (i128)share[i] * base);
		left -= share[i];
	}
	while (left > 0) {
		int best = -1;

		for (int i = 0; i < cart->nlines; i++) {
			if (!payable(c, &cart->lines[i]) || rem[i] < 0)
				continue;
			if (best < 0 || rem[i] > rem[best] ||
			    (rem[i] == rem[best] &&
			     cart->lines[i].amount > cart->lines[best].amount))
				best = i;
		}
		if (best < 0)
			return cp_errf(err, CP_ECORRUPT, "points cannot be spread over the lines");
		share[best]++;
		rem[best] = -1;
		left--;
	}
	return CP_OK;
}

enum cp_err cp_pointspay_plan(struct cp_db *db, const struct cp_cart_view *cart, int64_t fen,
			      struct cp_pointspay_plan *out, struct cp_errbuf *err)
{
	struct cp_pointspay_quote q;
	struct cp_pointspay_config c;
	int64_t fshare[CP_CART_MAX_LINES], pshare[CP_CART_MAX_LINES], steps;
	char a[48], b[48];
	enum cp_err result;

	memset(out, 0, sizeof(*out));
	if ((result = cp_pointspay_config_get(db, &c, err)) != CP_OK ||
	    (result = quote(db, &c, cart, &q, err)) != CP_OK)
		return result;
	if (!q.member || q.step_points <= 0)
		return cp_errf(err, CP_EINVAL, "%s", q.limit);
	if (fen <= 0 || fen > CP_MONEY_MAX)
		return cp_errf(err, CP_EINVAL, "a points tender must be a positive amount");
	fmt(fen, a, sizeof(a));
	fmt(c.step_fen, b, sizeof(b));
	if (fen % c.step_fen != 0)
		return cp_errf(err, CP_EINVAL,
			       "points pay in whole steps of %s (%lld points): %s is not one", b,
			       (long long)q.step_points, a);
	steps = fen / c.step_fen;
	if (fen > q.max_fen) {
		fmt(q.max_fen, b, sizeof(b));
		return cp_errf(err, CP_EINVAL,
			       "%s of points refused: %s; at most %s (%lld points) now", a, q.limit,
			       b, (long long)q.max_points);
	}
	out->fen = fen;
	out->points = steps * q.step_points;
	out->offline = q.offline;
	if ((result = spread(&c, cart, q.base, fen, fshare, err)) != CP_OK ||
	    (result = spread(&c, cart, q.base, out->points, pshare, err)) != CP_OK)
		return result;
	for (int i = 0; i < cart->nlines; i++) {
		if (!fshare[i] && !pshare[i])
			continue;
		out->lines[out->nlines].line_no = cart->lines[i].line_no;
		out->lines[out->nlines].fen = fshare[i];
		out->lines[out->nlines].points = pshare[i];
		out->nlines++;
		if (cart->lines[i].eligible)
			out->eligible_fen += fshare[i];
	}
	return CP_OK;
}

json_t *cp_pointspay_plan_json(const struct cp_pointspay_plan *p)
{
	json_t *lines = json_array();

	for (int i = 0; lines && i < p->nlines; i++)
		if (json_array_append_new(lines,
					  json_pack("{s:i, s:I, s:I}", "n", p->lines[i].line_no,
						    "fen", (json_int_t)p->lines[i].fen, "points",
						    (json_int_t)p->lines[i].points))) {
			json_decref(lines);
			return NULL;
		}
	return lines ? json_pack("{s:I, s:I, s:b, s:o}", "fen", (json_int_t)p->fen, "points",
				 (json_int_t)p->points, "offline", p->offline, "lines", lines)
		     : NULL;
}

static enum cp_err step_done(struct cp_db *db, sqlite3_stmt *st, const char *what,
			     struct cp_errbuf *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, what, err);
}

enum cp_err cp_pointspay_sale_apply(struct cp_db *db, int64_t seq, const char *member,
				    const char *day, json_t *payload, struct cp_errbuf *err)
{
	json_t *pp = json_object_get(payload, "points_pay"), *lines, *l, *off;
	int64_t points, fen;
	enum cp_err result;
	sqlite3_stmt *st;
	size_t i;

	if (!pp)
		return CP_OK;
	off = json_object_get(pp, "offline");
	if (!member || !json_is_object(pp) || !json_is_boolean(off))
		return cp_errf(err, CP_ECORRUPT, "journal payload: \"points_pay\" is malformed");
	if ((result = cp_jget_int(pp, "points", &points, err)) ||
	    (result = cp_jget_int(pp, "fen", &fen, err)) ||
	    (result = cp_jget_array(pp, "lines", &lines, err)))
		return result;
	json_array_foreach (lines, i, l) {
		int64_t n, lf, lp;

		if ((result = cp_jget_int(l, "n", &n, err)) ||
		    (result = cp_jget_int(l, "fen", &lf, err)) ||
		    (result = cp_jget_int(l, "points", &lp, err)))
			return result;
		st = cp_db_stmt(db,
				"INSERT INTO points_pay(seq, line_no, fen, points)"
				" VALUES(?1, ?2, ?3, ?4)",
				err);
		if (!st)
			return CP_EDB;
		sqlite3_bind_int64(st, 1, seq);
		sqlite3_bind_int64(st, 2, n);
		sqlite3_bind_int64(st, 3, lf);
		sqlite3_bind_int64(st, 4, lp);
		if ((result = step_done(db, st, "record points paid", err)) != CP_OK)
			return result;
	}
	if (json_is_true(off)) {
		st = cp_db_stmt(db,
				"INSERT INTO points_offline(seq, member_id, business_day, points)"
				" VALUES(?1, ?2, ?3, ?4)",
				err);
		if (!st)
			return CP_EDB;
		sqlite3_bind_int64(st, 1, seq);
		sqlite3_bind_text(st, 2, member, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, day, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, points);
		if ((result = step_done(db, st, "record offline spending", err)) != CP_OK)
			return result;
	}
	return cp_movement_insert(db, seq, 2, member, "pay", -points, 0, err);
}

enum cp_err cp_pointspay_refund_share(struct cp_db *db, int64_t sale_seq, const int *line_nos,
				      int n, int64_t *fen, int64_t *points, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "SELECT fen, points FROM points_pay WHERE seq = ?1 AND line_no = ?2", err);

	*fen = *points = 0;
	if (!st)
		return CP_EDB;
	for (int i = 0; i < n; i++) {
		int rc;

		sqlite3_bind_int64(st, 1, sale_seq);
		sqlite3_bind_int(st, 2, line_nos[i]);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW &&
		    (!cp_money_add(*fen, sqlite3_column_int64(st, 0), fen) ||
		     !cp_money_add(*points, sqlite3_column_int64(st, 1), points))) {
			sqlite3_reset(st);
			return cp_errf(err, CP_EOVERFLOW, "the refund is too large");
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return cp_db_fail(db, rc, "read points paid", err);
	}
	return CP_OK;
}

enum cp_err cp_pointspay_refund_apply(struct cp_db *db, int64_t seq, const char *member,
				      json_t *payload, struct cp_errbuf *err)
{
	int64_t points = 0;
	enum cp_err result;

	if (!json_object_get(payload, "points_back"))
		return CP_OK;
	if ((result = cp_jget_int(payload, "points_back", &points, err)) != CP_OK)
		return result;
	if (!member || points < 0)
		return cp_errf(err, CP_ECORRUPT, "journal payload: \"points_back\" is malformed");
	return points ? cp_movement_insert(db, seq, 2, member, "pay_refund", points, 0, err)
		      : CP_OK;
}
