/* report_text.c — the tally and the shift report as text for the receipt printer, at its
 * width: a label on the left and its figure on the right, the figure on a line of its own when
 * both do not fit, long sentences wrapped between words (or between characters). One layout,
 * used by the manager's screen to print and by `report --format print`. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_clock.h"
#include "i18n.h"
#include "money.h"
#include "receipt_text.h"
#include "report_text.h"
#include "textwidth.h"

struct out {
	char *buf;
	size_t len, cap;
	int width;
	bool failed;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->failed)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = (o->len + n + 1) * 2 + 256;
		char *b = realloc(o->buf, cap);

		if (!b) {
			o->failed = true;
			return;
		}
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void spaces(struct out *o, int n)
{
	for (; n > 0; n--)
		put(o, " ", 1);
}

/* s on as many lines as it takes, broken as the screens break it (cp_ui_text_line): after the
 * last space that fits, or between Chinese characters where a line may break (never before
 * closing punctuation, never inside a number or between it and its measure word). */
static void text(struct out *o, const char *s)
{
	while (*s) {
		size_t skip, n = cp_ui_text_line(s, o->width, &skip);

		if (n + skip == 0)
			break;
		put(o, s, n);
		s += n + skip;
		while (*s == ' ')
			s++;
		if (*s)
			put(o, "\n", 1);
	}
	put(o, "\n", 1);
}

static void textf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void textf(struct out *o, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	text(o, line);
}

/* left and right on one line, right-aligned; right on a line of its own when both do not fit. */
static void pair(struct out *o, const char *left, const char *right)
{
	int lw = cp_ui_text_width(left), rw = cp_ui_text_width(right);

	if (lw < 0 || rw < 0 || lw + 1 + rw > o->width) {
		text(o, left);
		spaces(o, o->width - (rw < 0 ? 0 : rw));
		put(o, right, strlen(right));
		put(o, "\n", 1);
		return;
	}
	put(o, left, strlen(left));
	spaces(o, o->width - lw - rw);
	put(o, right, strlen(right));
	put(o, "\n", 1);
}

static void money(struct out *o, const char *left, int64_t fen)
{
	char a[48];

	cp_money_format(fen, NULL, a, sizeof(a));
	pair(o, left, a);
}

static void counted(struct out *o, const char *left, const struct cp_tally_money *m)
{
	char a[48], b[80];

	cp_money_format(m->amount, NULL, a, sizeof(a));
	snprintf(b, sizeof(b), "%lld  %s", (long long)m->count, a);
	pair(o, left, b);
}

static void rule(struct out *o)
{
	for (int i = 0; i < o->width; i++)
		put(o, "-", 1);
	put(o, "\n", 1);
}

static void shift_lines(struct out *o, const struct cp_shift_view *s)
{
	char at[32];

	cp_clock_iso(s->opened_at, at);
	textf(o, _("Shift %lld, %s, opened %s"), (long long)s->seq, s->staff, at);
	money(o, _("Float"), s->float_fen);
	money(o, _("Cash taken"), s->cash);
	money(o, _("Pay-ins"), s->pay_in);
	money(o, _("Pay-outs"), s->pay_out);
	money(o, _("Cash expected"), s->expected);
	if (s->closed) {
		money(o, _("Cash counted"), s->counted);
		money(o, s->over_short < 0 ? _("SHORT") : _("Over"),
		      s->over_short < 0 ? -s->over_short : s->over_short);
	} else {
		text(o, _("(open)"));
	}
}

static void store_lines(struct out *o, const struct cp_store_totals *st)
{
	char label[64];

	rule(o);
	if (!st->reached) {
		text(o, _("store totals unavailable (HQ not reached)"));
		if (st->why[0])
			text(o, st->why);
		return;
	}
	text(o, _("Whole store (all terminals, as HQ has them)"));
	counted(o, _("Sales"), &st->sales);
	counted(o, _("Refunds"), &st->refunds);
	counted(o, _("Post-voids"), &st->voids);
	money(o, _("Net"), st->net);
	for (int i = 0; i < st->nterminals; i++) {
		snprintf(label, sizeof(label), "  %s", st->terminals[i].terminal);
		counted(o, label, &st->terminals[i].sales);
	}
	if (st->truncated)
		text(o, _("(some lists were cut short)"));
}

static bool width_ok(int width)
{
	return width >= CP_RECEIPT_WIDTH_MIN && width <= CP_RECEIPT_WIDTH_MAX;
}

char *cp_ui_report_text(const struct cp_tally *t, const char *kind,
			const struct cp_store_totals *store, int width)
{
	struct out o = {.width = width};
	char label[64], b[48];

	if (!t || !kind || !width_ok(width))
		return NULL;
	textf(&o,
	      strcmp(kind, "z") == 0   ? _("Z report, business day %s")
	      : strcmp(kind, "x") == 0 ? _("X report, business day %s")
				       : _("Daily tally, business day %s"),
	      t->day);
	if (t->unacked)
		textf(&o, _("%lld rows not yet at HQ"), (long long)t->unacked);
	if (t->z_seq && strcmp(kind, "z") != 0)
		textf(&o, _("Closed by the Z report (journal %lld)"), (long long)t->z_seq);
	rule(&o);
	counted(&o, _("Sales"), &t->sales);
	money(&o, _("  gross"), t->gross);
	money(&o, _("  member price savings"), t->member_savings);
	money(&o, _("  discounts"), t->discounts);
	money(&o, _("    member price, tier discount"), t->off.member);
	money(&o, _("    coupons"), t->off.coupon);
	money(&o, _("    manual discounts"), t->off.manual);
	counted(&o, _("  cash rounding"), &t->rounding);
	counted(&o, _("Refunds"), &t->refunds);
	counted(&o, _("  without receipt"), &t->noreceipt);
	counted(&o, _("Post-voids"), &t->voids);
	counted(&o, _("Cancelled sales"), &t->cancelled);
	money(&o, _("Net"), t->net);
	rule(&o);
	text(&o, _("Tenders"));
	for (int i = 0; i < t->ntenders; i++) {
		snprintf(label, sizeof(label), "  %s", t->tenders[i].method);
		money(&o, label, t->tenders[i].amount);
	}
	rule(&o);
	counted(&o, _("Member sales"), &t->member_sales);
	counted(&o, _("Other sales"), &t->other_sales);
	snprintf(b, sizeof(b), "%lld.%02lld%%", (long long)(t->member_share_bp / 100),
		 (long long)(t->member_share_bp % 100));
	pair(&o, _("Members' share"), b);
	money(&o, _("Member average ticket"), t->member_average);
	money(&o, _("Other average ticket"), t->other_average);
	textf(&o, _("New members %lld, referred %lld"), (long long)t->new_members,
	      (long long)t->referrals);
	for (int i = 0; i < t->nkinds; i++) {
		snprintf(label, sizeof(label), "  %s", t->points[i].kind);
		snprintf(b, sizeof(b), _("%lld pts"), (long long)t->points[i].points);
		pair(&o, label, b);
	}
	rule(&o);
	text(&o, _("Cashiers: sales, refunds"));
	for (int i = 0; i < t->ncashiers; i++) {
		snprintf(label, sizeof(label), "  %s", t->cashiers[i].staff);
		counted(&o, label, &t->cashiers[i].sales);
		counted(&o, "", &t->cashiers[i].refunds);
	}
	for (int i = 0; i < t->nguides; i++) {
		char x[48], y[48];

		cp_money_format(t->guides[i].credited.amount, NULL, x, sizeof(x));
		cp_money_format(t->guides[i].net, NULL, y, sizeof(y));
		textf(&o, _("Guide %s: %lld bound, %lld sales %s, net %s"), t->guides[i].guide,
		      (long long)t->guides[i].bound, (long long)t->guides[i].credited.count, x, y);
	}
	rule(&o);
	text(&o, _("Sales by hour"));
	for (int h = 0; h < 24; h++) {
		if (!t->hours[h].count)
			continue;
		snprintf(label, sizeof(label), "  %02d:00", h);
		counted(&o, label, &t->hours[h]);
	}
	for (int i = 0; i < t->nshifts; i++) {
		rule(&o);
		shift_lines(&o, &t->shifts[i]);
	}
	if (t->truncated)
		text(&o, _("(some lists were cut short)"));
	if (store)
		store_lines(&o, store);
	if (o.failed) {
		free(o.buf);
		return NULL;
	}
	return o.buf;
}

char *cp_ui_report_text_shift(const struct cp_shift_view *s, int width)
{
	struct out o = {.width = width};

	if (!s || !width_ok(width))
		return NULL;
	shift_lines(&o, s);
	if (o.failed) {
		free(o.buf);
		return NULL;
	}
	return o.buf;
}
