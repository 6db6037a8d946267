/* screen_report.c — the manager's day (交班 and 日结): the shift open now (float, cash taken,
 * pay-ins and pay-outs, the cash expected) with opening, pay-in, pay-out and closing with the
 * cash counted; the business day's tally as an X report with sales by hour as a bar chart; the
 * Z report; and printing both on the receipt printer at its width. Core counts; this lays out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "report.h"
#include "shift.h"
#include "store_fetch.h"
#include "report_text.h"
#include "textwidth.h"
#include "ui_int.h"

static struct {
	struct cp_tally t;
	struct cp_shift_view shift;
	bool ok;
	char reason[65];
	int64_t amount; /* a pay-in or pay-out being asked for */
	bool in;
	struct cp_store_totals store; /* the whole store's, from HQ */
	int store_state;              /* 0 none, 1 asked, 2 answered (store.reached or why) */
} R;

static void reload(struct ui *ui)
{
	struct cp_errbuf err = {{0}};
	char day[11];
	enum cp_err rc;

	R.ok = false;
	if ((rc = cp_report_today(ui->db, day, &err)) != CP_OK ||
	    (rc = cp_report_tally(ui->db, day, &R.t, &err)) != CP_OK ||
	    (rc = cp_shift_current(ui->db, &R.shift, &err)) != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return;
	}
	R.ok = true;
	if (R.store_state != 1 && cp_ui_store_fetch_start(ui->opts, R.t.day))
		R.store_state = 1;
}

static void report_enter(struct ui *ui)
{
	reload(ui);
}

void cp_ui_report_open(struct ui *ui)
{
	cp_ui_push(ui, UI_SCR_report);
}

/* One guide's day in the tally: members bound, sales credited, credit net of refunds. */
static const char *guide_line(struct ui *ui, const struct cp_tally *t, int i, char *line,
			      size_t size)
{
	char a[48], b[48];

	snprintf(line, size, _("Guide %s: %lld bound, %lld sales %s, net %s"), t->guides[i].guide,
		 (long long)t->guides[i].bound, (long long)t->guides[i].credited.count,
		 cp_ui_money(ui, t->guides[i].credited.amount, a, sizeof(a)),
		 cp_ui_money(ui, t->guides[i].net, b, sizeof(b)));
	return line;
}

static void print(struct ui *ui, bool shift_only)
{
	int width = ui->opts->print_width > 0 ? ui->opts->print_width : 42;
	struct cp_errbuf err = {{0}};
	char *text;
	enum cp_err rc;

	if (!ui->opts->print_text || !ui->opts->printer) {
		cp_ui_msg(ui, UI_MSG_WARN, "%s",
			  _("No printer is set up: the report is on the screen only."));
		return;
	}
	text = shift_only ? cp_ui_report_text_shift(&R.shift, width)
			  : cp_ui_report_text(&R.t, R.t.z_seq ? "z" : "x",
					      !R.t.z_seq && R.store_state == 2 ? &R.store : NULL,
					      width);
	if (!text)
		return;
	rc = ui->opts->print_text(ui->opts->receipt_ctx, text, &err);
	free(text);
	if (rc != CP_OK)
		cp_ui_fail(ui, &err, rc);
	else
		cp_ui_msg(ui, UI_MSG_OK, "%s", _("Report sent to the printer."));
}

/* ---- the actions ---- */

static void opened(struct ui *ui, const char *text)
{
	struct cp_errbuf err = {{0}};
	int64_t fen;
	enum cp_err rc;

	if ((rc = cp_money_parse(text, &fen, &err)) != CP_OK ||
	    (rc = cp_shift_open(ui->db, &ui->session, fen, NULL, &err)) != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return;
	}
	reload(ui);
	cp_ui_msg(ui, UI_MSG_OK, "%s", _("Shift opened."));
}

static void moved(struct ui *ui, const char *reason)
{
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_shift_move(ui->db, &ui->session, R.in, R.amount, reason, &err);

	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return;
	}
	reload(ui);
	cp_ui_msg(ui, UI_MSG_OK, "%s", R.in ? _("Pay-in recorded.") : _("Pay-out recorded."));
}

static void move_amount(struct ui *ui, const char *text)
{
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_money_parse(text, &R.amount, &err);

	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return;
	}
	cp_ui_ask(ui, R.in ? _("Pay-in") : _("Pay-out"), _("Reason"), UI_IN_FOLD, 64, moved);
}

static void closed(struct ui *ui, const char *text)
{
	struct cp_errbuf err = {{0}};
	struct cp_shift_count c;
	struct cp_shift_view v;
	char a[48];
	enum cp_err rc;

	if ((rc = cp_shift_count_parse(text, &c, &err)) != CP_OK ||
	    (rc = cp_shift_close(ui->db, &ui->session, &c, &v, &err)) != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return;
	}
	reload(ui);
	cp_ui_money(ui, v.over_short < 0 ? -v.over_short : v.over_short, a, sizeof(a));
	if (v.over_short < 0)
		cp_ui_msg(ui, UI_MSG_WARN, _("Shift closed: %s SHORT."), a);
	else if (v.over_short > 0)
		cp_ui_msg(ui, UI_MSG_WARN, _("Shift closed: %s over."), a);
	else
		cp_ui_msg(ui, UI_MSG_OK, "%s", _("Shift closed: the cash is right."));
	if (ui->opts->print_text && ui->opts->printer)
		print(ui, true);
}

static void take_z(struct ui *ui)
{
	struct cp_errbuf err = {{0}};
	struct cp_tally *t = calloc(1, sizeof(*t));
	char day[11];
	enum cp_err rc;

	if (!t)
		return;
	if ((rc = cp_report_today(ui->db, day, &err)) != CP_OK ||
	    (rc = cp_report_z(ui->db, &ui->session, day, t, &err)) != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		free(t);
		return;
	}
	R.t = *t;
	free(t);
	cp_shift_current(ui->db, &R.shift, &err);
	if (R.t.unacked)
		cp_ui_msg(
			ui, UI_MSG_WARN,
			_("Z report taken for %s, with %lld rows not yet at HQ (recorded in it)."),
			R.t.day, (long long)R.t.unacked);
	else
		cp_ui_msg(ui, UI_MSG_OK, _("Z report taken: business day %s is closed."), R.t.day);
	if (ui->opts->print_text && ui->opts->printer)
		print(ui, false);
}

static int report_key(struct ui *ui, const struct ui_key *k)
{
	if (k->code == UI_K_ESC)
		return UI_DONE;
	if (cp_ui_key_named(k, "F2", "o")) {
		cp_ui_ask(ui, _("Open a shift"), _("Cash float"), UI_IN_FOLD | UI_IN_AMOUNT, 16,
			  opened);
	} else if (cp_ui_key_named(k, "F3", "i") || cp_ui_key_named(k, "F4", "e")) {
		R.in = cp_ui_key_named(k, "F3", "i");
		cp_ui_ask(ui, R.in ? _("Pay-in") : _("Pay-out"), _("Amount"),
			  UI_IN_FOLD | UI_IN_AMOUNT, 16, move_amount);
	} else if (cp_ui_key_named(k, "F6", "c")) {
		cp_ui_ask(ui, _("Close the shift: 1234.50, or notes as 100x3 50x1"),
			  _("Cash counted"), UI_IN_FOLD | UI_IN_ASCII, 120, closed);
	} else if (cp_ui_key_named(k, "F7", "z")) {
		cp_ui_confirm(ui, _("Take the Z report?"),
			      _("It closes the business day: what is sold after it belongs to the "
				"next day. It can be taken once a day."),
			      take_z);
	} else if (cp_ui_key_named(k, "F8", "p")) {
		print(ui, false);
	} else if (cp_ui_key_named(k, "F5", "u")) {
		reload(ui);
	} else if (k->code == UI_K_F1) {
		return UI_IGNORED;
	}
	return UI_HANDLED;
}

static int report_tick(struct ui *ui)
{
	(void)ui;
	if (R.store_state != 1 || !cp_ui_store_fetch_poll(&R.store))
		return 0;
	R.store_state = 2;
	return UI_REDRAW;
}

/* The whole store's totals under the shift: asked, answered, or unavailable and why. */
static int draw_store(struct ui *ui, WINDOW *w, int y, int x, int wd)
{
	attr_t n = cp_ui_attr(ui, UI_R_NORMAL);
	char line[200], a[48];
	int y0 = y;

	if (R.store_state == 0)
		return 0;
	if (R.store_state == 1) {
		cp_ui_put(w, y++, x, wd, _("Whole store: asking HQ..."), n, false);
		return y - y0;
	}
	if (!R.store.reached) {
		cp_ui_put(w, y++, x, wd, _("store totals unavailable (HQ not reached)"),
			  cp_ui_attr(ui, UI_R_WARN), false);
		cp_ui_put(w, y++, x, wd, R.store.why, n, false);
		return y - y0;
	}
	cp_ui_put(w, y++, x, wd, _("Whole store (all terminals, as HQ has them)"),
		  cp_ui_attr(ui, UI_R_TITLE), false);
	snprintf(line, sizeof(line), _("Sales %lld  %s"), (long long)R.store.sales.count,
		 cp_ui_money(ui, R.store.sales.amount, a, sizeof(a)));
	cp_ui_put(w, y++, x, wd, line, n, false);
	snprintf(line, sizeof(line), _("Net %s"), cp_ui_money(ui, R.store.net, a, sizeof(a)));
	cp_ui_put(w, y++, x, wd, line, n, false);
	for (int i = 0; i < R.store.nterminals; i++) {
		snprintf(line, sizeof(line), "  %s %lld  %s", R.store.terminals[i].terminal,
			 (long long)R.store.terminals[i].sales.count,
			 cp_ui_money(ui, R.store.terminals[i].sales.amount, a, sizeof(a)));
		cp_ui_put(w, y++, x, wd, line, n, false);
	}
	return y - y0;
}

static int draw_shift(struct ui *ui, WINDOW *w, int y, int x, int wd)
{
	const struct cp_shift_view *s = &R.shift;
	attr_t n = cp_ui_attr(ui, UI_R_NORMAL);
	char line[200], a[48], b[32];
	int y0 = y;

	cp_ui_put(w, y++, x, wd, _("Shift"), cp_ui_attr(ui, UI_R_TITLE), false);
	if (!s->seq) {
		cp_ui_put(w, y++, x, wd, _("No shift yet: open one (F2) before selling."),
			  cp_ui_attr(ui, UI_R_WARN), false);
		return y - y0;
	}
	snprintf(line, sizeof(line), s->open ? _("OPEN since %s (%s)") : _("CLOSED at %s (%s)"),
		 cp_ui_when(s->open ? s->opened_at : s->closed_at, b, sizeof(b)), s->staff);
	cp_ui_put(w, y++, x, wd, line,
		  s->open ? cp_ui_attr(ui, UI_R_OK) : cp_ui_attr(ui, UI_R_WARN), false);
	snprintf(line, sizeof(line), _("Float %s"), cp_ui_money(ui, s->float_fen, a, sizeof(a)));
	cp_ui_put(w, y++, x, wd, line, n, false);
	snprintf(line, sizeof(line), _("Cash taken %s"), cp_ui_money(ui, s->cash, a, sizeof(a)));
	cp_ui_put(w, y++, x, wd, line, n, false);
	snprintf(line, sizeof(line), _("Pay-ins %s"), cp_ui_money(ui, s->pay_in, a, sizeof(a)));
	cp_ui_put(w, y++, x, wd, line, n, false);
	snprintf(line, sizeof(line), _("Pay-outs %s"), cp_ui_money(ui, s->pay_out, a, sizeof(a)));
	cp_ui_put(w, y++, x, wd, line, n, false);
	snprintf(line, sizeof(line), _("Cash expected %s"),
		 cp_ui_money(ui, s->expected, a, sizeof(a)));
	cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_TITLE), false);
	if (s->closed) {
		snprintf(line, sizeof(line), _("Cash counted %s"),
			 cp_ui_money(ui, s->counted, a, sizeof(a)));
		cp_ui_put(w, y++, x, wd, line, n, false);
		cp_ui_money(ui, s->over_short < 0 ? -s->over_short : s->over_short, a, sizeof(a));
		snprintf(line, sizeof(line),
			 s->over_short < 0   ? _("SHORT %s")
			 : s->over_short > 0 ? _("Over %s")
					     : _("Cash right %s"),
			 a);
		cp_ui_put(w, y++, x, wd, line,
			  s->over_short ? cp_ui_attr(ui, UI_R_ERROR) : cp_ui_attr(ui, UI_R_OK),
			  false);
	}
	return y - y0;
}

static int draw_tally(struct ui *ui, WINDOW *w, int y, int x, int wd)
{
	const struct cp_tally *t = &R.t;
	attr_t n = cp_ui_attr(ui, UI_R_NORMAL);
	char line[200], a[48], b[48];
	int y0 = y;

	snprintf(line, sizeof(line), _("Sales %lld  %s"), (long long)t->sales.count,
		 cp_ui_money(ui, t->sales.amount, a, sizeof(a)));
	cp_ui_put(w, y++, x, wd, line, n, false);
	snprintf(line, sizeof(line), _("Member price savings %s"),
		 cp_ui_money(ui, t->member_savings, a, sizeof(a)));
	cp_ui_put(w, y++, x, wd, line, n, false);
	if (t->cancelled.count || t->rounding.count) { /* shrink to watch; 抹零 given */
		snprintf(line, sizeof(line), _("Cancelled sales %lld  %s   Cash rounding %s"),
			 (long long)t->cancelled.count,
			 cp_ui_money(ui, t->cancelled.amount, a, sizeof(a)),
			 cp_ui_money(ui, t->rounding.amount, b, sizeof(b)));
		cp_ui_put(w, y++, x, wd, line, n, false);
	}
	snprintf(line, sizeof(line), _("Refunds %lld  %s   Post-voids %lld  %s"),
		 (long long)t->refunds.count, cp_ui_money(ui, t->refunds.amount, a, sizeof(a)),
		 (long long)t->voids.count, cp_ui_money(ui, t->voids.amount, b, sizeof(b)));
	cp_ui_put(w, y++, x, wd, line, n, false);
	if (t->noreceipt.count) { /* 无单退货: a manager watches these */
		snprintf(line, sizeof(line), _("  of them without receipt %lld  %s"),
			 (long long)t->noreceipt.count,
			 cp_ui_money(ui, t->noreceipt.amount, a, sizeof(a)));
		cp_ui_put(w, y++, x, wd, line, n, false);
	}
	snprintf(line, sizeof(line), _("Net %s"), cp_ui_money(ui, t->net, a, sizeof(a)));
	cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_TITLE), false);
	for (int i = 0; i < t->ntenders; i++) {
		snprintf(line, sizeof(line), "  %s %s", t->tenders[i].method,
			 cp_ui_money(ui, t->tenders[i].amount, a, sizeof(a)));
		cp_ui_put(w, y++, x, wd, line, n, false);
	}
	snprintf(line, sizeof(line), _("Members %lld.%02lld%% of sales; average %s, others %s"),
		 (long long)(t->member_share_bp / 100), (long long)(t->member_share_bp % 100),
		 cp_ui_money(ui, t->member_average, a, sizeof(a)),
		 cp_ui_money(ui, t->other_average, b, sizeof(b)));
	cp_ui_put(w, y++, x, wd, line, n, false);
	snprintf(line, sizeof(line), _("New members %lld, referred %lld"),
		 (long long)t->new_members, (long long)t->referrals);
	cp_ui_put(w, y++, x, wd, line, n, false);
	for (int i = 0; i < t->nkinds; i++) {
		snprintf(line, sizeof(line), _("  points %s %lld"), t->points[i].kind,
			 (long long)t->points[i].points);
		cp_ui_put(w, y++, x, wd, line, n, false);
	}
	for (int i = 0; i < t->nguides; i++)
		cp_ui_put(w, y++, x, wd, guide_line(ui, t, i, line, sizeof(line)), n, false);
	return y - y0;
}

/* Sales by hour: one bar per hour from the first to the last hour with sales. */
static void draw_chart(struct ui *ui, WINDOW *w, int y, int x, int wd, int rows)
{
	const struct cp_tally *t = &R.t;
	int64_t most = 0;
	int first = -1, last = -1;
	char line[256], a[48];

	cp_ui_put(w, y++, x, wd, _("Sales by hour"), cp_ui_attr(ui, UI_R_TITLE), false);
	for (int h = 0; h < 24; h++) {
		if (!t->hours[h].count)
			continue;
		if (first < 0)
			first = h;
		last = h;
		if (t->hours[h].amount > most)
			most = t->hours[h].amount;
	}
	if (first < 0) {
		cp_ui_put(w, y, x, wd, _("no sales yet"), cp_ui_attr(ui, UI_R_DIM), false);
		return;
	}
	for (int h = first; h <= last && rows > 1; h++, rows--) {
		int room = wd - 22, len = 0;

		if (room < 4)
			room = 4;
		if (most > 0 && t->hours[h].amount > 0)
			len = (int)(t->hours[h].amount * room / most);
		if (len < 1 && t->hours[h].amount > 0)
			len = 1;
		if (len > (int)sizeof(line) - 40)
			len = (int)sizeof(line) - 40;
		snprintf(line, sizeof(line), "%02d ", h);
		memset(line + 3, '#', (size_t)len);
		snprintf(line + 3 + len, sizeof(line) - 3 - (size_t)len, " %s",
			 cp_ui_money(ui, t->hours[h].amount, a, sizeof(a)));
		cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_NORMAL), false);
	}
}

static void report_draw(struct ui *ui, WINDOW *w)
{
	int x = 2, wd = ui->cols - 4, y = 1, half = wd / 2, left, right;
	char line[200];

	if (!R.ok)
		return;
	snprintf(line, sizeof(line),
		 R.t.z_seq ? _("Business day %s: closed by the Z report")
			   : _("Business day %s (X report: taking it changes nothing)"),
		 R.t.day);
	cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_TITLE), false);
	if (R.t.unacked) {
		snprintf(line, sizeof(line),
			 _("Warning: %lld journal rows of this day have not reached HQ yet."),
			 (long long)R.t.unacked);
		cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_WARN), false);
	}
	y++;
	left = draw_tally(ui, w, y, x, half - 2);
	right = draw_shift(ui, w, y, x + half, half);
	right += draw_store(ui, w, y + right + 1, x + half, half) + 1;
	y += (left > right ? left : right) + 1;
	draw_chart(ui, w, y, x, wd, ui->rows - 3 - y);
}

static const struct ui_footkey report_footer[] = {
	{"F2", "o", N_("Open shift"), 0}, {"F3", "i", N_("Pay-in"), 0},
	{"F4", "e", N_("Pay-out"), 0},    {"F6", "c", N_("Close shift"), 0},
	{"F7", "z", N_("Z report"), 0},   {"F8", "p", N_("Print"), 0},
	{"Esc", NULL, N_("Back"), 0},
};

const struct ui_screen cp_ui_screen_report = {
	.name = "report",
	.enter = report_enter,
	.draw = report_draw,
	.key = report_key,
	.tick = report_tick,
	UI_FOOTER(report_footer),
};
