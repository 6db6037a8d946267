/* screen_refund.c — refunds and post-voids by receipt number, of the whole sale or of the
 * lines named, with a manager's code and PIN unless a manager is logged in. The open cart is
 * not touched: a refund in the middle of a sale leaves the sale as it was. */
#include <stdio.h>
#include <string.h>

#include "refund.h"
#include "ui_int.h"

enum { F_RECEIPT, F_LINES, F_COUNT };

static struct {
	struct ui_field f[F_COUNT];
	int focus;
	bool void_sale;
	bool done; /* r holds the last refund */
	struct cp_refund_result r;
	int cur_y, cur_x;
} F;

static void refund_enter(struct ui *ui)
{
	(void)ui;
	ui_field_init(&F.f[F_RECEIPT], UI_FIELD_TEXT, 47, UI_IN_FOLD | UI_IN_ASCII);
	ui_field_init(&F.f[F_LINES], UI_FIELD_TEXT, 60, UI_IN_FOLD | UI_IN_ASCII);
	F.focus = F_RECEIPT;
	F.void_sale = false;
	F.done = false;
}

void ui_refund_open(struct ui *ui, const char *receipt)
{
	if (!ui_showing(ui, UI_SCR_refund))
		ui_push(ui, UI_SCR_refund);
	if (receipt && receipt[0]) {
		ui_input_set(&F.f[F_RECEIPT].in, receipt);
		F.focus = F_LINES;
		F.done = false;
	}
}

/* "1, 3 4" -> {1, 3, 4}; false on anything else. */
static bool parse_lines(const char *s, int *lines, int *n)
{
	*n = 0;
	while (*s) {
		int v = 0, digits = 0;

		while (*s == ' ' || *s == ',')
			s++;
		if (!*s)
			break;
		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (*s++ - '0');
			digits++;
		}
		if (!digits || v < 1 || (*s && *s != ' ' && *s != ',') || *n == CP_REFUND_MAX_LINES)
			return false;
		lines[(*n)++] = v;
	}
	return true;
}

static enum cp_err run_refund(struct ui *ui, const char *code, const char *pin)
{
	int lines[CP_REFUND_MAX_LINES], n = 0;
	struct cp_refund_req req = {0};
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	parse_lines(ui_field_text(&F.f[F_LINES]), lines, &n);
	req.receipt = ui_field_text(&F.f[F_RECEIPT]);
	req.lines = n ? lines : NULL;
	req.nlines = n;
	req.void_sale = F.void_sale;
	req.manager_code = code;
	req.manager_pin = pin;
	rc = cp_refund(ui->db, &ui->session, &req, &F.r, &err);
	if (rc != CP_OK) {
		ui_fail(ui, &err, rc);
		return rc;
	}
	F.done = true;
	if (ui->opts->on_receipt)
		ui->opts->on_receipt(ui->opts->receipt_ctx, F.r.receipt);
	ui_msg(ui, UI_MSG_OK, F.void_sale ? _("Sale voided: %s.") : _("Refund recorded: %s."),
	       F.r.receipt);
	ui_field_clear(&F.f[F_RECEIPT]);
	ui_field_clear(&F.f[F_LINES]);
	F.focus = F_RECEIPT;
	F.void_sale = false;
	return CP_OK;
}

static void submit(struct ui *ui)
{
	int lines[CP_REFUND_MAX_LINES], n;

	if (!ui_field_text(&F.f[F_RECEIPT])[0]) {
		F.focus = F_RECEIPT;
		ui_msg(ui, UI_MSG_WARN, "%s", _("Type or scan the receipt number of the sale."));
		beep();
		return;
	}
	if (!parse_lines(ui_field_text(&F.f[F_LINES]), lines, &n)) {
		F.focus = F_LINES;
		ui_field_refused(&F.f[F_LINES]);
		ui_msg(ui, UI_MSG_WARN, "%s",
		       _("Lines are numbers from the receipt, like 1,3; empty means all."));
		beep();
		return;
	}
	F.done = false;
	ui_manager_pin(ui,
		       F.void_sale ? _("A post-void needs a manager's code and PIN.")
				   : _("A refund needs a manager's code and PIN."),
		       run_refund);
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
	if (k->code == UI_K_F6) {
		F.void_sale = !F.void_sale;
		return UI_HANDLED;
	}
	if (k->code == UI_K_UP || k->code == UI_K_DOWN || k->code == UI_K_BTAB ||
	    (k->code == UI_K_TAB && !k->burst)) {
		F.focus = !F.focus;
		return UI_HANDLED;
	}
	rc = ui_field_key(&F.f[F.focus], k);
	switch (rc) {
	case UI_FIELD_SUBMIT:
		if (F.focus == F_RECEIPT && ui_field_text(&F.f[F_RECEIPT])[0])
			F.focus = F_LINES;
		else
			submit(ui);
		return UI_HANDLED;
	default:
		return ui_field_refusal(ui, rc);
	}
}

static void draw_result(struct ui *ui, WINDOW *w, int y, int x, int wd)
{
	const struct cp_refund_result *r = &F.r;
	char a[48], line[512];
	size_t o;

	snprintf(line, sizeof(line), _("Refund receipt %s: %s back, authorised by %s"), r->receipt,
		 ui_money(ui, r->amount, a, sizeof(a)), r->authorised_by);
	ui_put(w, y++, x, wd, line, ui_attr(ui, UI_R_OK), false);
	o = (size_t)snprintf(line, sizeof(line), "%s", _("Give back:"));
	for (int i = 0; i < r->ntenders && o < sizeof(line); i++) {
		static const char *const names[] = {N_("Cash"),   N_("Bank card"), N_("WeChat Pay"),
						    N_("Alipay"), N_("UnionPay"),  N_("Points")};
		const char *m = (unsigned)r->tenders[i].method < sizeof(names) / sizeof(names[0])
					? _(names[r->tenders[i].method])
					: "?";

		o += (size_t)snprintf(line + o, sizeof(line) - o, "  %s %s", m,
				      ui_money(ui, r->tenders[i].amount, a, sizeof(a)));
	}
	ui_put(w, y++, x, wd, line, ui_attr(ui, UI_R_MONEY), false);
	if (r->points || r->growth || r->balance_after) {
		snprintf(line, sizeof(line),
			 _("Points -%lld, growth -%lld; balance now %lld points"),
			 (long long)r->points, (long long)r->growth, (long long)r->balance_after);
		ui_put(w, y++, x, wd, line, ui_attr(ui, UI_R_POINTS), false);
	}
	if (r->points_restored) {
		snprintf(line, sizeof(line), _("Offers' points given back: +%lld"),
			 (long long)r->points_restored);
		ui_put(w, y++, x, wd, line, ui_attr(ui, UI_R_POINTS), false);
	}
	if (r->balance_negative)
		ui_put(w, y++, x, wd,
		       _("The member had already spent these points: the balance is below zero."),
		       ui_attr(ui, UI_R_WARN), false);
}

static void refund_draw(struct ui *ui, WINDOW *w)
{
	int x = 2, wd = ui->cols - 4, y = 2;
	int c0, c1;
	char line[160];

	ui_put(w, 1, x, wd, _("Refund or post-void"), ui_attr(ui, UI_R_TITLE), false);
	c0 = ui_draw_field(ui, w, y + 1, x, _("Receipt number"), 20, &F.f[F_RECEIPT], 24,
			   F.focus == F_RECEIPT);
	c1 = ui_draw_field(ui, w, y + 3, x, _("Lines (empty: all)"), 20, &F.f[F_LINES], 24,
			   F.focus == F_LINES);
	F.cur_y = F.focus == F_RECEIPT ? y + 1 : y + 3;
	F.cur_x = F.focus == F_RECEIPT ? c0 : c1;
	snprintf(line, sizeof(line), "%s %s", F.void_sale ? "[x]" : "[ ]",
		 _("Post-void: cancel the whole sale (today's sales only)"));
	ui_put(w, y + 5, x, wd, line, ui_attr(ui, F.void_sale ? UI_R_WARN : UI_R_NORMAL), false);
	ui_draw_wrapped(w, y + 7, x, wd, 3,
			_("Money goes back by the methods the sale was paid with; points and "
			  "growth earned by the refunded lines are taken back. The open sale is "
			  "not touched."),
			ui_attr(ui, UI_R_DIM));
	if (ui->last_receipt[0]) {
		snprintf(line, sizeof(line), _("Last sale here: %s"), ui->last_receipt);
		ui_put(w, y + 11, x, wd, line, ui_attr(ui, UI_R_DIM), false);
	}
	if (F.done)
		draw_result(ui, w, y + 13, x, wd);
}

static const struct ui_footkey refund_footer[] = {
	{"Enter", NULL, N_("Next / refund"), 0}, {"F4", NULL, N_("Refund"), 0},
	{"F6", NULL, N_("Post-void on/off"), 0}, {"Tab", NULL, N_("Other field"), 1},
	{"Esc", NULL, N_("Back to sale"), 0},
};

const struct ui_screen ui_screen_refund = {
	.name = "refund",
	.enter = refund_enter,
	.draw = refund_draw,
	.key = refund_key,
	UI_FOOTER(refund_footer),
	.cur_y = &F.cur_y,
	.cur_x = &F.cur_x,
};
