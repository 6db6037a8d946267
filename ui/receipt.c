/* receipt.c — the receipt as text for a 32-, 42- or 48-column printer: header, lines, totals,
 * tenders, the member's points and what they are worth, coupons, verification code; and the
 * slip of a coupon taken for points or granted as a benefit. Every line is measured in display
 * columns (Chinese takes two) and nothing is cut mid-character. */
#include "receipt_text.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "money.h"
#include "textwidth.h"

/* Longest piece of text (a name, a label, an amount) the layout handles, in bytes. */
#define PIECE 640

struct out {
	char *buf;
	size_t len, cap;
	int width;
	bool full;
	const char *currency;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->full || o->len + n + 1 > o->cap) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void spaces(struct out *o, int n)
{
	static const char blank[] = "                                                ";

	for (; n > 0; n -= (int)sizeof(blank) - 1)
		put(o, blank, n < (int)sizeof(blank) - 1 ? (size_t)n : sizeof(blank) - 1);
}

/* A copy of s that is valid UTF-8 without control characters ('?' in their place) nor
 * trailing spaces; returns its width. */
static int clean(const char *s, char *out)
{
	size_t n = 0;
	int w;

	/* Printable ASCII is itself, a column a byte (most pieces: labels, numbers, amounts). */
	while (s && n < PIECE - 1 && s[n] >= 0x20 && s[n] < 0x7f)
		n++;
	if (s && !s[n]) {
		memcpy(out, s, n + 1);
		w = (int)n;
	} else {
		w = cp_ui_text_fit(s ? s : "", PIECE, 0, out, PIECE);
		n = strlen(out);
	}
	while (n > 0 && out[n - 1] == ' ') {
		out[--n] = '\0';
		w--;
	}
	return w;
}

/* Writes s over as many lines as it needs, each starting with indent spaces; breaks where the
 * screens do (cp_ui_text_line): between words, or between Chinese characters where a line may
 * break (never before closing punctuation, never inside a number or between it and its
 * measure word). */
static void wrap(struct out *o, const char *s, int indent)
{
	char text[PIECE];
	const char *p = text;
	int cols = o->width - indent;

	clean(s, text);
	while (*p == ' ')
		p++;
	while (*p) {
		size_t skip, n = cp_ui_text_line(p, cols, &skip), used = n + skip;

		if (used == 0)
			break; /* a character wider than the line: cannot happen at 24+ columns */
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n > 0) {
			spaces(o, indent);
			put(o, p, n);
			put(o, "\n", 1);
		}
		p += used;
		while (*p == ' ')
			p++;
	}
}

/* left and right on one line with right flush to the edge; when they do not fit together,
 * left (wrapped) and then right on a line of its own. */
static void pair(struct out *o, const char *left, const char *right)
{
	char l[PIECE], r[PIECE];
	int lw = clean(left, l), rw = clean(right, r);

	if (rw == 0) {
		wrap(o, l, 0);
		return;
	}
	if (lw + 1 + rw <= o->width) {
		put(o, l, strlen(l));
		spaces(o, o->width - lw - rw);
		put(o, r, strlen(r));
		put(o, "\n", 1);
		return;
	}
	wrap(o, l, 0);
	if (rw > o->width) {
		wrap(o, r, 0);
		return;
	}
	spaces(o, o->width - rw);
	put(o, r, strlen(r));
	put(o, "\n", 1);
}

static void center(struct out *o, const char *s)
{
	char t[PIECE];
	int w = clean(s, t);

	if (w > o->width) {
		wrap(o, t, 0);
		return;
	}
	spaces(o, (o->width - w) / 2);
	put(o, t, strlen(t));
	put(o, "\n", 1);
}

static void rule(struct out *o, char c)
{
	char line[CP_RECEIPT_WIDTH_MAX + 1];

	memset(line, c, (size_t)o->width);
	line[o->width] = '\n';
	put(o, line, (size_t)o->width + 1);
}

/* The amount with the currency symbol, made safe to measure whatever the symbol holds. */
static const char *money(const struct out *o, int64_t fen, char *buf, size_t len)
{
	char raw[96];

	cp_money_format(fen, o->currency, raw, sizeof(raw));
	cp_ui_text_fit(raw, (int)len, 0, buf, len);
	return buf;
}

static const char *num(int64_t n, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRId64, n);
	return buf;
}

static const char *signed_num(int64_t n, char *buf, size_t len)
{
	snprintf(buf, len, "%+" PRId64, n);
	return buf;
}

/* "code name", or whichever of them there is. */
static const char *who(const char *code, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", code, code[0] && name[0] ? " " : "", name);
	return buf;
}

static const char *tender_label(enum cp_tender_method m)
{
	switch (m) {
	case CP_TENDER_CASH:
		return _("Cash");
	case CP_TENDER_CARD:
		return _("Bank card");
	case CP_TENDER_WECHAT:
		return _("WeChat Pay");
	case CP_TENDER_ALIPAY:
		return _("Alipay");
	case CP_TENDER_UNIONPAY:
		return _("UnionPay");
	case CP_TENDER_POINTS:
		return _("Points");
	}
	return _("Other");
}

/* The method, and the last four digits of the customer's code when there are some:
 * "WeChat Pay ****6789". */
static const char *tender_text(const struct cp_tender *t, char *buf, size_t len)
{
	if (!t->ref[0])
		return tender_label(t->method);
	snprintf(buf, len, "%s ****%.4s", tender_label(t->method), t->ref);
	return buf;
}

static void header(struct out *o, const struct cp_receipt_view *v)
{
	char a[PIECE], b[PIECE];

	if (v->store_name[0])
		center(o, v->store_name);
	if (v->kind == CP_RECEIPT_REFUND)
		center(o, _("REFUND"));
	else if (v->kind == CP_RECEIPT_VOID)
		center(o, _("POST-VOID"));
	else if (v->kind == CP_RECEIPT_NORECEIPT)
		center(o, _("REFUND WITHOUT RECEIPT"));
	else if (v->kind == CP_RECEIPT_COUPON)
		center(o, _("COUPON"));
	snprintf(a, sizeof(a), "%s %s", _("Store"), v->store_id);
	snprintf(b, sizeof(b), "%s %s", _("Terminal"), v->terminal_id);
	pair(o, a, b);
	if (v->kind != CP_RECEIPT_COUPON) /* a slip's number is its code, printed below */
		pair(o, _("Receipt"), v->receipt);
	if (v->kind != CP_RECEIPT_SALE && v->kind != CP_RECEIPT_COUPON) {
		if (v->kind != CP_RECEIPT_NORECEIPT)
			pair(o, _("Original receipt"), v->sale_receipt);
		pair(o, _("Authorised by"), v->authorised_by);
	}
	if (v->kind == CP_RECEIPT_NORECEIPT) {
		char why[PIECE];

		snprintf(why, sizeof(why), _("Reason: %s"), v->reason);
		clean(why, a);
		wrap(o, a, 0);
	}
	pair(o, _("Time"), v->time);
	if (strncmp(v->time, v->business_day, 10) != 0)
		pair(o, _("Business day"), v->business_day);
	pair(o, _("Cashier"), who(v->staff_code, v->staff_name, a, sizeof(a)));
}

/* "qty x unit", or for a weighed line "0.532 kg x ¥12.80/kg". */
static const char *qty_text(const struct out *o, const struct cp_receipt_line *l, char *q,
			    size_t len)
{
	char m[48], kg[32];

	if (l->weight_g > 0 && l->per_kg > 0) {
		snprintf(kg, sizeof(kg), "%" PRId64 ".%03" PRId64, l->weight_g / 1000,
			 l->weight_g % 1000);
		snprintf(q, len, _("%s kg x %s/kg"), kg, money(o, l->per_kg, m, sizeof(m)));
	} else {
		snprintf(q, len, "%" PRId64 " x %s", l->qty, money(o, l->unit_price, m, sizeof(m)));
	}
	return q;
}

/* Widest "qty x unit" and amount, so that the columns line up. */
static void column_widths(const struct out *o, const struct cp_receipt_view *v, int *qw, int *aw)
{
	char q[96], m[48];

	*qw = *aw = 0;
	for (int i = 0; i < v->nlines && i < CP_RECEIPT_MAX_LINES; i++) {
		int w;

		qty_text(o, &v->lines[i], q, sizeof(q));
		if ((w = cp_ui_text_width(q)) > *qw)
			*qw = w;
		if ((w = cp_ui_text_width(money(o, v->lines[i].amount, m, sizeof(m)))) > *aw)
			*aw = w;
	}
}

/* One item: "name  qty x unit  amount" when it fits, else the name on its own line(s) and
 * "qty x unit  amount" under it. */
static void item(struct out *o, const struct cp_receipt_line *l, int qw, int aw)
{
	char name[PIECE], q[96], m[48];
	int nw = clean(l->name, name), w, aw_here;

	qty_text(o, l, q, sizeof(q));
	money(o, l->amount, m, sizeof(m));
	w = cp_ui_text_width(q);
	aw_here = cp_ui_text_width(m);
	if (qw + 2 + aw > o->width) {
		/* Amounts too long for one line at this width: each on its own line. */
		wrap(o, name, 0);
		pair(o, "", q);
		pair(o, "", m);
		return;
	}
	if (nw + 1 + qw + 2 + aw <= o->width) {
		put(o, name, strlen(name));
		spaces(o, o->width - nw - qw - 2 - aw);
	} else {
		wrap(o, name, 0);
		spaces(o, o->width - qw - 2 - aw);
	}
	spaces(o, qw - w);
	put(o, q, strlen(q));
	spaces(o, 2 + aw - aw_here);
	put(o, m, strlen(m));
	put(o, "\n", 1);
}

static void lines(struct out *o, const struct cp_receipt_view *v)
{
	int qw, aw;

	column_widths(o, v, &qw, &aw);
	rule(o, '-');
	for (int i = 0; i < v->nlines && i < CP_RECEIPT_MAX_LINES; i++)
		item(o, &v->lines[i], qw, aw);
	rule(o, '-');
}

static bool paid_cash(const struct cp_receipt_view *v)
{
	for (int i = 0; i < v->ntenders && i < CP_TENDER_MAX; i++)
		if (v->tenders[i].method == CP_TENDER_CASH)
			return true;
	return false;
}

static void totals(struct out *o, const struct cp_receipt_view *v)
{
	char a[48], label[96];

	pair(o, _("Items"), num(v->items, a, sizeof(a)));
	if (v->kind == CP_RECEIPT_SALE) {
		if (v->member_saving)
			pair(o, _("Member savings"), money(o, -v->member_saving, a, sizeof(a)));
		if (v->discount)
			pair(o, _("Discounts"), money(o, -v->discount, a, sizeof(a)));
		/* 抹零: the lines are priced before it, the total after */
		if (v->rounding)
			pair(o, _("Rounding"), money(o, -v->rounding, a, sizeof(a)));
		pair(o, _("TOTAL"), money(o, v->total, a, sizeof(a)));
		for (int i = 0; i < v->ntenders && i < CP_TENDER_MAX; i++)
			pair(o, tender_text(&v->tenders[i], label, sizeof(label)),
			     money(o, v->tenders[i].amount, a, sizeof(a)));
		if (v->change > 0 || paid_cash(v))
			pair(o, _("Change"), money(o, v->change, a, sizeof(a)));
		return;
	}
	pair(o, _("REFUND TOTAL"), money(o, v->total, a, sizeof(a)));
	if (v->ntenders)
		wrap(o, _("Money back by:"), 0);
	for (int i = 0; i < v->ntenders && i < CP_TENDER_MAX; i++)
		pair(o, tender_label(v->tenders[i].method),
		     money(o, v->tenders[i].amount, a, sizeof(a)));
}

/* The member's name on paper: its first character and a '*' for the rest. */
static const char *masked_name(const char *name, char *buf, size_t len)
{
	size_t n = 1;

	buf[0] = '\0';
	if (!name[0])
		return buf;
	while (((unsigned char)name[n] & 0xc0) == 0x80)
		n++;
	snprintf(buf, len, "%.*s%s", (int)n, name, name[n] ? "*" : "");
	return buf;
}

static void member(struct out *o, const struct cp_receipt_view *v)
{
	const struct cp_member_view *m = &v->member;
	char a[PIECE], b[PIECE];

	if (!v->has_member)
		return;
	rule(o, '-');
	if (v->member_known) {
		snprintf(a, sizeof(a), "%s%s%s", m->masked_phone, m->name[0] ? " " : "",
			 masked_name(m->name, b, sizeof(b)));
		pair(o, _("Member"), a);
		pair(o, _("Tier"), m->tier_name);
		if (v->tier_up[0])
			pair(o, _("Tier upgrade"), v->tier_up);
		if (v->tier_until[0])
			pair(o, _("Tier held until"), v->tier_until);
	}
	if (v->kind == CP_RECEIPT_SALE) {
		pair(o, _("Points earned"), signed_num(v->points, a, sizeof(a)));
		if (v->growth > 0)
			pair(o, _("Growth earned"), signed_num(v->growth, a, sizeof(a)));
		if (v->points_spent > 0)
			pair(o, _("Points spent"), signed_num(-v->points_spent, a, sizeof(a)));
	} else {
		pair(o, _("Points taken back"), signed_num(-v->points, a, sizeof(a)));
		if (v->points_returned > 0)
			pair(o, _("Points given back"),
			     signed_num(v->points_returned, a, sizeof(a)));
	}
	if (!v->member_known)
		return;
	pair(o, _("Points balance"), num(m->points, a, sizeof(a)));
	if (m->points > 0)
		pair(o, _("Points worth"), money(o, m->points_value, a, sizeof(a)));
	if (m->points < 0)
		wrap(o, _("The balance is below zero: the points were already spent."), 0);
	if (m->expiring_points > 0) {
		pair(o, _("Points expiring soon"), num(m->expiring_points, a, sizeof(a)));
		if (m->expiring_on[0])
			pair(o, _("Expire on"), m->expiring_on);
	}
	if (m->next_tier_name[0] && m->next_tier_growth > 0) {
		pair(o, _("Next tier"), m->next_tier_name);
		pair(o, _("Growth still needed"), num(m->next_tier_growth, a, sizeof(a)));
	}
	if (m->guide[0])
		pair(o, _("Guide"), who(m->guide, v->guide_name, a, sizeof(a)));
}

/* The short version of the member's benefits: those still open today. */
static void benefits(struct out *o, const struct cp_receipt_view *v)
{
	if (v->nbenefits <= 0)
		return;
	rule(o, '-');
	wrap(o, _("Your benefits to claim today"), 0);
	for (int i = 0; i < v->nbenefits && i < CP_RECEIPT_MAX_BENEFITS; i++)
		wrap(o, v->benefits[i], 0);
}

static void coupons(struct out *o, const struct cp_receipt_view *v)
{
	if (v->ncoupons <= 0)
		return;
	rule(o, '-');
	wrap(o, _("Coupons for your next visit"), 0);
	for (int i = 0; i < v->ncoupons && i < CP_RECEIPT_MAX_COUPONS; i++) {
		const struct cp_receipt_coupon *c = &v->coupons[i];
		char bar[40];

		wrap(o, c->title, 0);
		pair(o, _("Code"), c->code);
		/* Code 39's start and stop around the code: what a scanner or a barcode font reads */
		snprintf(bar, sizeof(bar), "*%s*", c->code);
		wrap(o, bar, 0);
		if (c->valid_until[0])
			pair(o, _("Valid until"), c->valid_until);
	}
}

/* "10", "9.5" or "12.34": a percentage in basis points as people write it. */
static const char *percent_text(int bp, char *buf, size_t len)
{
	if (bp % 100 == 0)
		snprintf(buf, len, "%d", bp / 100);
	else if (bp % 10 == 0)
		snprintf(buf, len, "%d.%d", bp / 100, bp % 100 / 10);
	else
		snprintf(buf, len, "%d.%02d", bp / 100, bp % 100);
	return buf;
}

/* The coupon in words: what it takes off, over what, on which items, for whom. */
static void slip_terms(struct out *o, const struct cp_receipt_slip *s)
{
	char a[PIECE], m1[48], m2[48], pct[16];

	if (strcmp(s->kind, "amount") == 0) {
		snprintf(a, sizeof(a), _("%s off"), money(o, s->amount, m1, sizeof(m1)));
		wrap(o, a, 0);
	} else if (strcmp(s->kind, "percent") == 0) {
		percent_text(s->percent_bp, pct, sizeof(pct));
		if (s->cap > 0)
			snprintf(a, sizeof(a), _("%s%% off, at most %s"), pct,
				 money(o, s->cap, m2, sizeof(m2)));
		else
			snprintf(a, sizeof(a), _("%s%% off"), pct);
		wrap(o, a, 0);
	} else if (strcmp(s->kind, "item") == 0) {
		snprintf(a, sizeof(a), _("One %s free"), s->item);
		wrap(o, a, 0);
	} else {
		return; /* the template is gone: the title says what it was */
	}
	if (s->threshold > 0) {
		snprintf(a, sizeof(a), _("On a spend of %s or more"),
			 money(o, s->threshold, m1, sizeof(m1)));
		wrap(o, a, 0);
	}
	if (strcmp(s->scope, "only") == 0)
		snprintf(a, sizeof(a), _("Only on: %s"), s->categories);
	else if (strcmp(s->scope, "except") == 0)
		snprintf(a, sizeof(a), _("Not on: %s"), s->categories);
	else
		snprintf(a, sizeof(a), "%s", _("On every item"));
	wrap(o, a, 0);
	wrap(o, s->bearer ? _("Anyone holding this coupon may use it") : _("For this member only"),
	     0);
	if (!s->stacks)
		wrap(o, _("Not with another coupon"), 0);
}

/* A coupon slip: where the coupon came from, the member, the coupon in words, its dates and
 * code (with its Code 39 form for a scanner), and for points the points spent and the
 * balance after. */
static void slip(struct out *o, const struct cp_receipt_view *v)
{
	const struct cp_receipt_slip *s = &v->slip;
	const struct cp_member_view *m = &v->member;
	char a[PIECE], b[PIECE];

	if (v->has_member && v->member_known) {
		snprintf(a, sizeof(a), "%s%s%s", m->masked_phone, m->name[0] ? " " : "",
			 masked_name(m->name, b, sizeof(b)));
		pair(o, _("Member"), a);
	}
	rule(o, '-');
	if (s->exchange && s->source[0])
		snprintf(a, sizeof(a), _("Taken for points: %s"), s->source);
	else if (s->exchange)
		snprintf(a, sizeof(a), "%s", _("Taken for points"));
	else if (s->source[0])
		snprintf(a, sizeof(a), _("Member benefit: %s"), s->source);
	else
		snprintf(a, sizeof(a), "%s", _("Member benefit"));
	wrap(o, a, 0);
	center(o, s->title);
	slip_terms(o, s);
	if (s->next_day)
		snprintf(a, sizeof(a), _("%s (from the next day)"), s->valid_from);
	else
		snprintf(a, sizeof(a), "%s", s->valid_from);
	pair(o, _("Valid from"), a);
	pair(o, _("Valid until"), s->valid_to);
	pair(o, _("Code"), s->code);
	/* Code 39's start and stop around the code: what a scanner or a barcode font reads */
	snprintf(a, sizeof(a), "*%s*", s->code);
	center(o, a);
	if (s->exchange) {
		rule(o, '-');
		pair(o, _("Points spent"), signed_num(-v->points_spent, a, sizeof(a)));
		if (s->has_balance)
			pair(o, _("Points balance"), num(s->balance_after, a, sizeof(a)));
	}
	rule(o, '-');
	wrap(o, _("Show this coupon at the till to use it."), 0);
}

int cp_ui_receipt_render(const struct cp_receipt_view *v, int width, const char *currency,
			 char *out, size_t outlen)
{
	struct out o = {.buf = out, .cap = outlen, .width = width, .currency = currency};

	if (!v || !out || outlen == 0 || width < CP_RECEIPT_WIDTH_MIN ||
	    width > CP_RECEIPT_WIDTH_MAX)
		return -1;
	out[0] = '\0';
	header(&o, v);
	if (v->kind == CP_RECEIPT_COUPON) {
		slip(&o, v);
	} else {
		lines(&o, v);
		totals(&o, v);
		member(&o, v);
		benefits(&o, v);
		coupons(&o, v);
	}
	rule(&o, '-');
	pair(&o, _("Verification code"), v->verify_code);
	if (v->kind == CP_RECEIPT_SALE)
		center(&o, _("Thank you!"));
	if (o.full) {
		out[0] = '\0';
		return -1;
	}
	return (int)o.len;
}

int cp_ui_receipt_render_copy(const char *kept_text, int width, char *out, size_t outlen)
{
	struct out o = {.buf = out, .cap = outlen, .width = width};

	if (!kept_text || !out || outlen == 0 || width < CP_RECEIPT_WIDTH_MIN ||
	    width > CP_RECEIPT_WIDTH_MAX)
		return -1;
	out[0] = '\0';
	center(&o, _("*** COPY ***"));
	put(&o, kept_text, strlen(kept_text));
	if (o.full) {
		out[0] = '\0';
		return -1;
	}
	return (int)o.len;
}
