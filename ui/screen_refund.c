/* screen_refund.c — refunds and post-voids by receipt number (typed, or scanned on the sale
 * screen): the sale's lines with the units sold and refunded so far; the cashier moves through
 * them (arrow keys) and types the units to refund of each (digits), sees the money back and
 * the points clawed back (core's quote, nothing written), confirms, and only then is a manager's
 * code and PIN asked (unless a manager is logged in). The open cart is not touched: a refund in
 * the middle of a sale leaves the sale as it was. */
#include <stdio.h>
#include <string.h>

#include "refund.h"
#include "ui_int.h"

enum { F_RECEIPT, F_LINES };

static struct {
	struct ui_field receipt;
	int focus;
	bool void_sale;
	bool done;   /* r holds the last refund */
	bool loaded; /* q holds the sale's lines */
	bool quoted; /* q's figures are the selection's (qerr empty) */
	int sel, top;
	bool typing; /* digits append to the line's quantity */
	int64_t qty[CP_REFUND_MAX_LINES];
	struct cp_refund_quote q;
	char qerr[512];
	struct cp_refund_result r;
	int cur_y, cur_x;
} F;

static void refund_enter(struct ui *ui)
{
	(void)ui;
	cp_ui_field_init(&F.receipt, UI_FIELD_TEXT, 47, UI_IN_FOLD | UI_IN_ASCII);
	F.focus = F_RECEIPT;
	F.void_sale = false;
	F.done = F.loaded = F.quoted = false;
}

/* The selection as a request: each line with units picked, or (post-void) the whole sale. */
static void request(struct cp_refund_req *req, int *lines, int64_t *qty)
{
	memset(req, 0, sizeof(*req));
	req->receipt = F.q.sale_receipt;
	req->void_sale = F.void_sale;
	if (F.void_sale)
		return;
	for (int i = 0; i < F.q.nlines; i++)
		if (F.qty[i] > 0) {
			lines[req->nlines] = F.q.lines[i].line_no;
			qty[req->nlines++] = F.qty[i];
		}
	req->lines = lines;
	req->qty = qty;
}

static int picked(void)
{
	int n = 0;

	for (int i = 0; i < F.q.nlines; i++)
		n += F.qty[i] > 0;
	return n;
}

/* Core's quote of the selection: the money back and the claw-back, or why not. */
static void requote(struct ui *ui)
{
	int lines[CP_REFUND_MAX_LINES];
	int64_t qty[CP_REFUND_MAX_LINES];
	struct cp_refund_req req;
	struct cp_errbuf err = {{0}};
	char receipt[CP_RECEIPT_LEN];
	enum cp_err rc;

	F.quoted = false;
	F.qerr[0] = '\0';
	if (!F.void_sale && !picked())
		return;
	snprintf(receipt, sizeof(receipt), "%s", F.q.sale_receipt);
	request(&req, lines, qty);
	req.receipt = receipt;
	rc = cp_refund_quote(ui->db, &ui->session, &req, &F.q, &err);
	if (rc != CP_OK) {
		snprintf(F.q.sale_receipt, sizeof(F.q.sale_receipt), "%s", receipt);
		cp_ui_fail(ui, &err, rc);
		snprintf(F.qerr, sizeof(F.qerr), "%s", err.msg);
		return;
	}
	F.quoted = true;
}

/* The sale's lines for the receipt typed or scanned; false (and why) when there are none. */
static bool load(struct ui *ui, const char *receipt)
{
	struct cp_refund_req req = {.receipt = receipt};
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	F.done = F.loaded = F.quoted = false;
	F.sel = F.top = 0;
	F.typing = false;
	memset(F.qty, 0, sizeof(F.qty));
	rc = cp_refund_quote(ui->db, &ui->session, &req, &F.q, &err);
	if (F.q.nlines == 0) {
		cp_ui_fail(ui, &err, rc == CP_OK ? CP_ENOTFOUND : rc);
		return false;
	}
	if (rc != CP_OK) /* every line refunded already: shown, and said */
		cp_ui_fail(ui, &err, rc);
	else
		cp_ui_msg(ui, UI_MSG_INFO, "%s",
			  _("Up and Down choose a line; type how many of it to refund."));
	for (int i = 0; i < F.q.nlines; i++)
		F.q.lines[i].pick_qty = F.q.lines[i].pick_amount = 0;
	F.q.amount = 0;
	F.loaded = true;
	F.focus = F_LINES;
	return true;
}

void cp_ui_refund_open(struct ui *ui, const char *receipt)
{
	if (!cp_ui_showing(ui, UI_SCR_refund))
		cp_ui_push(ui, UI_SCR_refund);
	if (receipt && receipt[0]) {
		cp_ui_input_set(&F.receipt.in, receipt);
		if (!load(ui, receipt))
			F.focus = F_RECEIPT;
	}
}

static enum cp_err run_refund(struct ui *ui, const char *code, const char *pin)
{
	int lines[CP_REFUND_MAX_LINES];
	int64_t qty[CP_REFUND_MAX_LINES];
	struct cp_refund_req req;
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	request(&req, lines, qty);
	req.manager_code = code;
	req.manager_pin = pin;
	rc = cp_refund(ui->db, &ui->session, &req, &F.r, &err);
	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return rc;
	}
	F.done = true;
	if (ui->opts->on_receipt)
		ui->opts->on_receipt(ui->opts->receipt_ctx, F.r.receipt);
	cp_ui_msg(ui, UI_MSG_OK, F.void_sale ? _("Sale voided: %s.") : _("Refund recorded: %s."),
		  F.r.receipt);
	cp_ui_field_clear(&F.receipt);
	F.focus = F_RECEIPT;
	F.void_sale = false;
	F.loaded = F.quoted = false;
	return CP_OK;
}

static void authorise(struct ui *ui)
{
	cp_ui_manager_pin(ui,
			  F.void_sale ? _("A post-void needs a manager's code and PIN.")
				      : _("A refund needs a manager's code and PIN."),
			  run_refund);
}

/* The total and the claw-back for confirmation, then the manager. */
static void submit(struct ui *ui)
{
	char text[512], a[48];
	size_t o;

	if (!F.loaded) {
		F.focus = F_RECEIPT;
		cp_ui_msg(ui, UI_MSG_WARN, "%s", _("Type or scan the receipt number of the sale."));
		beep();
		return;
	}
	if (!F.void_sale && !picked()) {
		cp_ui_msg(ui, UI_MSG_WARN, "%s",
			  _("Type how many of a line to refund, or F6 for a post-void."));
		beep();
		return;
	}
	requote(ui);
	if (!F.quoted)
		return;
	F.done = false;
	o = (size_t)snprintf(text, sizeof(text),
			     F.void_sale ? _("Void %s: %s back.") : _("Refund %s: %s back."),
			     F.q.sale_receipt, cp_ui_money(ui, F.q.amount, a, sizeof(a)));
	if (o + 1 < sizeof(text) && (F.q.member || F.q.points_back)) {
		text[o++] = '\n';
		snprintf(text + o, sizeof(text) - o,
			 _("Points clawed back: %lld, growth: %lld; points given back: %lld"),
			 (long long)F.q.points, (long long)F.q.growth, (long long)F.q.points_back);
	}
	cp_ui_confirm(ui, F.void_sale ? _("Post-void") : _("Refund"), text, authorise);
}

static int lines_key(struct ui *ui, const struct ui_key *k)
{
	int64_t *q = &F.qty[F.sel];

	switch (k->code) {
	case UI_K_UP:
	case UI_K_DOWN:
		F.sel += k->code == UI_K_UP ? -1 : 1;
		if (F.sel < 0)
			F.sel = 0;
		if (F.sel >= F.q.nlines)
			F.sel = F.q.nlines - 1;
		F.typing = false;
		return UI_HANDLED;
	case UI_K_BACKSPACE:
	case UI_K_DELETE:
		*q /= 10;
		F.typing = true;
		requote(ui);
		return UI_HANDLED;
	case UI_K_ENTER:
		submit(ui);
		return UI_HANDLED;
	case UI_K_CHAR:
		if (k->ch >= '0' && k->ch <= '9' && !F.void_sale) {
			int64_t v = (F.typing ? *q * 10 : 0) + (int64_t)(k->ch - '0');

			if (v > 9999) {
				cp_ui_msg(ui, UI_MSG_WARN, "%s",
					  _("A quantity is a whole number from 1 to 9999."));
				beep();
				return UI_HANDLED;
			}
			*q = v;
			F.typing = true;
			requote(ui);
			return UI_HANDLED;
		}
		break;
	default:
		break;
	}
	beep();
	return UI_HANDLED;
}

static int refund_key(struct ui *ui, const struct ui_key *k)
{
	enum ui_field_rc rc;

	if (k->code == UI_K_ESC)
		return UI_DONE;
	if (k->code == UI_K_F4) {
		submit(ui);
		return UI_HANDLED;
	}
	if (k->code == UI_K_F7) { /* 无单退货 */
		cp_ui_noreceipt_open(ui);
		return UI_HANDLED;
	}
	if (k->code == UI_K_F6) {
		F.void_sale = !F.void_sale;
		if (F.loaded)
			requote(ui);
		return UI_HANDLED;
	}
	if (k->code == UI_K_BTAB || (k->code == UI_K_TAB && !k->burst)) {
		F.focus = F.focus == F_RECEIPT && F.loaded ? F_LINES : F_RECEIPT;
		return UI_HANDLED;
	}
	if (F.focus == F_LINES)
		return lines_key(ui, k);
	rc = cp_ui_field_key(&F.receipt, k);
	switch (rc) {
	case UI_FIELD_SUBMIT:
		if (!ui_field_text(&F.receipt)[0]) {
			cp_ui_msg(ui, UI_MSG_WARN, "%s",
				  _("Type or scan the receipt number of the sale."));
			beep();
		} else if (!load(ui, ui_field_text(&F.receipt))) {
			cp_ui_field_refused(&F.receipt);
		}
		return UI_HANDLED;
	default:
		return cp_ui_field_refusal(ui, rc);
	}
}

static void draw_result(struct ui *ui, WINDOW *w, int y, int x, int wd)
{
	const struct cp_refund_result *r = &F.r;
	char a[48], line[512];
	size_t o;

	snprintf(line, sizeof(line), _("Refund receipt %s: %s back, authorised by %s"), r->receipt,
		 cp_ui_money(ui, r->amount, a, sizeof(a)), r->authorised_by);
	cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_OK), false);
	o = (size_t)snprintf(line, sizeof(line), "%s", _("Give back:"));
	for (int i = 0; i < r->ntenders && o < sizeof(line); i++) {
		static const char *const names[] = {N_("Cash"),   N_("Bank card"), N_("WeChat Pay"),
						    N_("Alipay"), N_("UnionPay"),  N_("Points")};
		const char *m = (unsigned)r->tenders[i].method < sizeof(names) / sizeof(names[0])
					? _(names[r->tenders[i].method])
					: "?";

		o += (size_t)snprintf(line + o, sizeof(line) - o, "  %s %s", m,
				      cp_ui_money(ui, r->tenders[i].amount, a, sizeof(a)));
	}
	cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_MONEY), false);
	if (r->points || r->growth || r->balance_after) {
		snprintf(line, sizeof(line),
			 _("Points -%lld, growth -%lld; balance now %lld points"),
			 (long long)r->points, (long long)r->growth, (long long)r->balance_after);
		cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_POINTS), false);
	}
	if (r->points_restored) {
		snprintf(line, sizeof(line), _("Offers' points given back: +%lld"),
			 (long long)r->points_restored);
		cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_POINTS), false);
	}
	if (r->balance_negative)
		cp_ui_put(
			w, y++, x, wd,
			_("The member had already spent these points: the balance is below zero."),
			cp_ui_attr(ui, UI_R_WARN), false);
}

/* The sale's lines: number, name, sold, refunded before, to refund now, its money. */
static void draw_lines(struct ui *ui, WINDOW *w, int y0, int visible)
{
	int name_cols = ui->cols - 4 - 44;
	char num[32], a[48];

	cp_ui_put_right(w, y0, 2, 4, "#", cp_ui_attr(ui, UI_R_TITLE));
	cp_ui_put(w, y0, 8, name_cols, _("Item"), cp_ui_attr(ui, UI_R_TITLE), false);
	cp_ui_put_right(w, y0, 8 + name_cols, 8, _("Sold"), cp_ui_attr(ui, UI_R_TITLE));
	cp_ui_put_right(w, y0, 16 + name_cols, 10, _("Refunded"), cp_ui_attr(ui, UI_R_TITLE));
	cp_ui_put_right(w, y0, 26 + name_cols, 8, _("Refund"), cp_ui_attr(ui, UI_R_TITLE));
	cp_ui_put_right(w, y0, 34 + name_cols, 12, _("Amount"), cp_ui_attr(ui, UI_R_TITLE));
	if (F.sel < F.top)
		F.top = F.sel;
	if (F.sel >= F.top + visible)
		F.top = F.sel - visible + 1;
	for (int i = F.top; i < F.q.nlines && i < F.top + visible; i++) {
		const struct cp_refund_quote_line *l = &F.q.lines[i];
		bool sel = F.focus == F_LINES && i == F.sel;
		attr_t at = sel ? cp_ui_attr(ui, UI_R_SELECT) : cp_ui_attr(ui, UI_R_NORMAL);
		int y = y0 + 1 + i - F.top;
		int64_t k = F.void_sale ? l->qty : F.qty[i];

		wattron(w, at);
		mvwhline(w, y, 2, ' ', ui->cols - 4);
		wattroff(w, at);
		snprintf(num, sizeof(num), "%d", l->line_no);
		cp_ui_put_right(w, y, 2, 4, num, at);
		cp_ui_put(w, y, 8, name_cols, l->name, at, false);
		snprintf(num, sizeof(num), "%lld", (long long)l->qty);
		cp_ui_put_right(w, y, 8 + name_cols, 8, num, at);
		snprintf(num, sizeof(num), "%lld", (long long)l->refunded);
		cp_ui_put_right(w, y, 16 + name_cols, 10, num, at);
		snprintf(num, sizeof(num), k ? "%lld" : "-", (long long)k);
		cp_ui_put_right(w, y, 26 + name_cols, 8, num, at);
		if (F.quoted && l->pick_qty)
			cp_ui_put_right(w, y, 34 + name_cols, 12,
					cp_ui_money(ui, l->pick_amount, a, sizeof(a)), at);
		if (sel) {
			F.cur_y = y;
			F.cur_x = 26 + name_cols + 7;
		}
	}
}

/* The money back and the claw-back of the selection, as core quoted it. */
static void draw_quote(struct ui *ui, WINDOW *w, int y, int x, int wd)
{
	char line[256], a[48];

	if (!F.quoted) {
		cp_ui_draw_wrapped(
			w, y, x, wd, 2,
			F.qerr[0] ? F.qerr
				  : _("Money goes back by the methods the sale was paid "
				      "with; points earned by the refunded units are taken "
				      "back."),
			cp_ui_attr(ui, F.qerr[0] ? UI_R_WARN : UI_R_DIM));
		return;
	}
	snprintf(line, sizeof(line), _("To refund: %s"), cp_ui_money(ui, F.q.amount, a, sizeof(a)));
	cp_ui_put(w, y, x, wd, line, cp_ui_attr(ui, UI_R_MONEY), false);
	if (F.q.member || F.q.points_back) {
		snprintf(line, sizeof(line),
			 _("Points clawed back: %lld, growth: %lld; points given back: %lld"),
			 (long long)F.q.points, (long long)F.q.growth, (long long)F.q.points_back);
		cp_ui_put(w, y + 1, x, wd, line, cp_ui_attr(ui, UI_R_POINTS), false);
	}
}

static void refund_draw(struct ui *ui, WINDOW *w)
{
	int x = 2, wd = ui->cols - 4, y0 = 6, bottom = ui->rows - 3;
	int c0;
	char line[160];

	cp_ui_put(w, 1, x, wd, _("Refund or post-void"), cp_ui_attr(ui, UI_R_TITLE), false);
	c0 = cp_ui_draw_field(ui, w, 3, x, _("Receipt number"), 20, &F.receipt, 24,
			      F.focus == F_RECEIPT);
	if (F.focus == F_RECEIPT) {
		F.cur_y = 3;
		F.cur_x = c0;
	}
	snprintf(line, sizeof(line), "%s %s", F.void_sale ? "[x]" : "[ ]",
		 _("Post-void: cancel the whole sale (today's sales only)"));
	cp_ui_put(w, 4, x, wd, line, cp_ui_attr(ui, F.void_sale ? UI_R_WARN : UI_R_NORMAL), false);
	if (F.loaded) {
		draw_lines(ui, w, y0, bottom - y0 - 3);
		draw_quote(ui, w, bottom - 2, x, wd);
		return;
	}
	if (F.done) {
		draw_result(ui, w, y0, x, wd);
		return;
	}
	cp_ui_draw_wrapped(
		w, y0, x, wd, 3,
		_("Type or scan the receipt number and press Enter: the sale's lines are "
		  "shown, to choose what to refund. The open sale is not touched."),
		cp_ui_attr(ui, UI_R_DIM));
	if (ui->last_receipt[0]) {
		snprintf(line, sizeof(line), _("Last sale here: %s"), ui->last_receipt);
		cp_ui_put(w, y0 + 4, x, wd, line, cp_ui_attr(ui, UI_R_DIM), false);
	}
}

static const struct ui_footkey refund_footer[] = {
	{"Enter", NULL, N_("Next / refund"), 0}, {"Up", NULL, N_("Line"), 1},
	{"0-9", NULL, N_("Quantity"), 1},        {"F6", NULL, N_("Post-void on/off"), 0},
	{"Tab", NULL, N_("Other field"), 1},     {"Esc", NULL, N_("Back to sale"), 0},
	{"F7", NULL, N_("No receipt"), 0},
};

const struct ui_screen cp_ui_screen_refund = {
	.name = "refund",
	.enter = refund_enter,
	.draw = refund_draw,
	.key = refund_key,
	UI_FOOTER(refund_footer),
	.cur_y = &F.cur_y,
	.cur_x = &F.cur_x,
};
