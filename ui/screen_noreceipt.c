/* screen_noreceipt.c — a refund WITHOUT a receipt (无单退货), opened from the refund screen (F7):
 * the item scanned or typed (its name and current price shown), the quantity, the price a unit
 * (the current one, which the manager confirms or types over), the reason; then the summary
 * (core's quote, nothing written), and only then a manager's code and PIN (unless a manager is
 * logged in). Done: the refund slip is printed, or kept for reprint when there is no printer. */
#include <stdio.h>
#include <string.h>

#include "money.h"
#include "refund_noreceipt.h"
#include "ui_int.h"

enum { F_CODE, F_QTY, F_PRICE, F_REASON, F_COUNT };

static struct {
	struct ui_field f[F_COUNT];
	int focus;
	bool found; /* q holds the item of the code typed */
	bool fresh; /* the price field holds the item's price: typing replaces it */
	bool done;  /* r holds the last refund */
	struct cp_refund_noreceipt_quote q;
	struct cp_refund_noreceipt_result r;
	int cur_y, cur_x;
} N;

static void clear_all(void)
{
	for (int i = 0; i < F_COUNT; i++)
		cp_ui_field_clear(&N.f[i]);
	N.focus = F_CODE;
	N.found = N.fresh = false;
}

static void noreceipt_enter(struct ui *ui)
{
	(void)ui;
	cp_ui_field_init(&N.f[F_CODE], UI_FIELD_TEXT, 32, UI_IN_FOLD | UI_IN_ASCII);
	cp_ui_field_init(&N.f[F_QTY], UI_FIELD_TEXT, 4, UI_IN_FOLD | UI_IN_DIGITS);
	cp_ui_field_init(&N.f[F_PRICE], UI_FIELD_TEXT, 12, UI_IN_FOLD | UI_IN_AMOUNT);
	cp_ui_field_init(&N.f[F_REASON], UI_FIELD_TEXT, CP_NORECEIPT_REASON_MAX, 0);
	clear_all();
	N.done = false;
}

void cp_ui_noreceipt_open(struct ui *ui)
{
	if (!cp_ui_showing(ui, UI_SCR_noreceipt))
		cp_ui_push(ui, UI_SCR_noreceipt);
}

/* The request the fields make; false (and why) when the quantity or the price is not a
 * number at all. */
static bool request(struct ui *ui, struct cp_refund_noreceipt_req *req)
{
	const char *qty = ui_field_text(&N.f[F_QTY]), *price = ui_field_text(&N.f[F_PRICE]);
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	memset(req, 0, sizeof(*req));
	req->code = ui_field_text(&N.f[F_CODE]);
	req->reason = ui_field_text(&N.f[F_REASON]);
	req->qty = 0;
	for (const char *c = qty; *c && req->qty <= CP_NORECEIPT_QTY_MAX; c++)
		req->qty = req->qty * 10 + (*c - '0');
	if (price[0]) {
		if ((rc = cp_money_parse(price, &req->price, &err)) != CP_OK) {
			cp_ui_fail(ui, &err, rc);
			cp_ui_field_refused(&N.f[F_PRICE]);
			N.focus = F_PRICE;
			return false;
		}
		req->price_set = true;
	}
	return true;
}

/* The item of the code typed: its name and current price shown, the price field filled. */
static bool find(struct ui *ui)
{
	struct cp_refund_noreceipt_req req = {.code = ui_field_text(&N.f[F_CODE]), .qty = 1};
	struct cp_errbuf err = {{0}};
	char price[32];
	enum cp_err rc;

	N.found = false;
	rc = cp_refund_noreceipt_quote(ui->db, &ui->session, &req, &N.q, &err);
	if (!N.q.sku[0]) { /* the item itself was refused */
		cp_ui_fail(ui, &err, rc);
		return false;
	}
	N.found = true;
	snprintf(price, sizeof(price), "%lld.%02lld", (long long)(N.q.list_price / 100),
		 (long long)(N.q.list_price % 100));
	cp_ui_input_set(&N.f[F_PRICE].in, price);
	N.fresh = true;
	return true;
}

static enum cp_err run(struct ui *ui, const char *code, const char *pin)
{
	struct cp_refund_noreceipt_req req;
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	if (!request(ui, &req))
		return CP_EINVAL;
	req.manager_code = code;
	req.manager_pin = pin;
	rc = cp_refund_noreceipt(ui->db, &ui->session, &req, &N.r, &err);
	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return rc;
	}
	N.done = true;
	if (ui->opts->on_receipt)
		ui->opts->on_receipt(ui->opts->receipt_ctx, N.r.receipt);
	cp_ui_msg(ui, UI_MSG_OK, _("Refund recorded: %s."), N.r.receipt);
	clear_all();
	return CP_OK;
}

static void authorise(struct ui *ui)
{
	cp_ui_manager_pin(ui, _("A refund without a receipt needs a manager's code and PIN."), run);
}

/* The field a refused quote was about (core checks the item, the quantity, the reason, then
 * the price and the limit): emptied, with the cursor in it. */
static void blame(const struct cp_refund_noreceipt_req *req)
{
	int f = F_PRICE;

	if (!N.q.sku[0])
		f = F_CODE;
	else if (req->qty < 1 || req->qty > CP_NORECEIPT_QTY_MAX)
		f = F_QTY;
	else if (!N.q.reason[0])
		f = F_REASON;
	cp_ui_field_refused(&N.f[f]);
	N.fresh = false;
	N.focus = f;
}

/* Every check in core's quote, the summary for confirmation, then the manager. */
static void submit(struct ui *ui)
{
	struct cp_refund_noreceipt_req req;
	struct cp_errbuf err = {{0}};
	char text[600], a[48], b[48];
	enum cp_err rc;

	if (!N.found && !find(ui)) { /* a code changed without Enter: its item and price first */
		cp_ui_field_refused(&N.f[F_CODE]);
		N.focus = F_CODE;
		return;
	}
	if (!request(ui, &req))
		return;
	rc = cp_refund_noreceipt_quote(ui->db, &ui->session, &req, &N.q, &err);
	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		blame(&req);
		return;
	}
	N.done = false;
	snprintf(text, sizeof(text), _("%s x %lld at %s: %s back in cash.\nReason: %s"), N.q.name,
		 (long long)N.q.qty, cp_ui_money(ui, N.q.unit_price, a, sizeof(a)),
		 cp_ui_money(ui, N.q.amount, b, sizeof(b)), N.q.reason);
	cp_ui_confirm(ui, _("Refund without receipt"), text, authorise);
}

/* Enter on a field: the item is looked up; the others move on; the reason's submits. */
static void field_done(struct ui *ui)
{
	switch (N.focus) {
	case F_CODE:
		if (!ui_field_text(&N.f[F_CODE])[0]) {
			cp_ui_msg(ui, UI_MSG_WARN, "%s", _("Scan the item or type its code."));
			beep();
		} else if (find(ui)) {
			N.focus = F_QTY;
		} else {
			cp_ui_field_refused(&N.f[F_CODE]);
		}
		return;
	case F_QTY:
	case F_PRICE:
		N.focus++;
		return;
	default:
		submit(ui);
		return;
	}
}

static int noreceipt_key(struct ui *ui, const struct ui_key *k)
{
	enum ui_field_rc rc;

	if (k->code == UI_K_ESC)
		return UI_DONE;
	if (k->code == UI_K_F4) {
		submit(ui);
		return UI_HANDLED;
	}
	if (k->code == UI_K_BTAB || k->code == UI_K_UP) {
		N.focus = (N.focus + F_COUNT - 1) % F_COUNT;
		return UI_HANDLED;
	}
	if ((k->code == UI_K_TAB && !k->burst) || k->code == UI_K_DOWN) {
		N.focus = (N.focus + 1) % F_COUNT;
		return UI_HANDLED;
	}
	if (N.focus == F_PRICE && N.fresh && k->code == UI_K_CHAR)
		cp_ui_field_clear(&N.f[F_PRICE]); /* the manager types another price */
	if (N.focus == F_PRICE && k->code != UI_K_ENTER)
		N.fresh = false;
	rc = cp_ui_field_key(&N.f[N.focus], k);
	if (rc == UI_FIELD_SUBMIT) {
		field_done(ui);
		return UI_HANDLED;
	}
	if (rc == UI_FIELD_CHANGED && N.focus == F_CODE)
		N.found = false;
	return cp_ui_field_refusal(ui, rc);
}

static void draw_result(struct ui *ui, WINDOW *w, int y, int x, int wd)
{
	char line[512], a[48];

	snprintf(line, sizeof(line), _("Refund receipt %s: %s back in cash, authorised by %s"),
		 N.r.receipt, cp_ui_money(ui, N.r.q.amount, a, sizeof(a)), N.r.authorised_by);
	cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_OK), false);
	snprintf(line, sizeof(line), "%s x %lld", N.r.q.name, (long long)N.r.q.qty);
	cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_NORMAL), false);
	cp_ui_put(w, y, x, wd,
		  ui->opts->printer ? _("The refund slip is sent to the printer.")
				    : _("No printer: the refund slip is kept for reprint."),
		  cp_ui_attr(ui, UI_R_DIM), false);
}

static void noreceipt_draw(struct ui *ui, WINDOW *w)
{
	static const char *const labels[F_COUNT] = {N_("Item code"), N_("Quantity"),
						    N_("Price a unit"), N_("Reason")};
	static const int cols[F_COUNT] = {24, 6, 12, 40};
	int x = 2, wd = ui->cols - 4, y = 3;
	char line[300], a[48];

	cp_ui_put(w, 1, x, wd, _("Refund without receipt"), cp_ui_attr(ui, UI_R_TITLE), false);
	for (int i = 0; i < F_COUNT; i++, y++) {
		int c = cp_ui_draw_field(ui, w, y, x, _(labels[i]), 16, &N.f[i],
					 cols[i] < wd - 18 ? cols[i] : wd - 18, N.focus == i);

		if (N.focus == i) {
			N.cur_y = y;
			N.cur_x = c;
		}
		if (i == F_CODE && N.found) {
			y++;
			snprintf(line, sizeof(line), _("%s, now %s"), N.q.name,
				 cp_ui_money(ui, N.q.list_price, a, sizeof(a)));
			cp_ui_put(w, y, x + 18, wd - 18, line, cp_ui_attr(ui, UI_R_MONEY), false);
		}
	}
	y += 1;
	if (N.done) {
		draw_result(ui, w, y, x, wd);
		return;
	}
	if (N.focus == F_PRICE && N.fresh)
		cp_ui_put(w, y++, x, wd,
			  _("The item's price now: Enter confirms it, typing replaces it."),
			  cp_ui_attr(ui, UI_R_WARN), false);
	snprintf(line, sizeof(line),
		 _("Manager only. No member and no points back; the money goes back in cash, "
		   "at most %s."),
		 cp_ui_money(ui, cp_refund_noreceipt_limit(ui->db), a, sizeof(a)));
	cp_ui_draw_wrapped(w, y, x, wd, 3, line, cp_ui_attr(ui, UI_R_DIM));
}

static const struct ui_footkey noreceipt_footer[] = {
	{"Enter", NULL, N_("Next / refund"), 0},
	{"Tab", NULL, N_("Other field"), 1},
	{"F4", NULL, N_("Refund"), 0},
	{"Esc", NULL, N_("Back"), 0},
};

const struct ui_screen cp_ui_screen_noreceipt = {
	.name = "noreceipt",
	.enter = noreceipt_enter,
	.draw = noreceipt_draw,
	.key = noreceipt_key,
	UI_FOOTER(noreceipt_footer),
	.cur_y = &N.cur_y,
	.cur_x = &N.cur_x,
};
