/* screen_sale.c — the sale: the item field that every scan lands in, the cart's lines and
 * totals, the member panel with what their points are worth, and the keys that lead to
 * payment, members, refunds and the manager menu. The cart itself lives in the database. */
#include <stdio.h>
#include <string.h>

#include "cart_tender.h"
#include "offer.h"
#include "pointspay.h"
#include "paycode.h"
#include "scan.h"
#include "textwidth.h"
#include "ui_int.h"

static struct {
	struct ui_field item;
	int sel; /* index into the cart's lines */
	int top; /* first line shown */
	int cur_y, cur_x;
} S;

static void sale_enter(struct ui *ui)
{
	cp_ui_field_init(&S.item, UI_FIELD_TEXT, 64, UI_IN_FOLD | UI_IN_ASCII);
	S.sel = ui->cart->nlines - 1;
	S.top = 0;
}

static void select_line_no(struct ui *ui, int line_no)
{
	for (int i = 0; i < ui->cart->nlines; i++)
		if (ui->cart->lines[i].line_no == line_no)
			S.sel = i;
}

static const struct cp_cart_line *selected(struct ui *ui)
{
	if (S.sel >= ui->cart->nlines)
		S.sel = ui->cart->nlines - 1;
	if (S.sel < 0)
		return NULL;
	return &ui->cart->lines[S.sel];
}

void cp_ui_sale_attach(struct ui *ui, const struct cp_member_view *m)
{
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_cart_set_member(ui->db, &ui->session, m->id, &err);
	char worth[48];

	if (rc != CP_OK) {
		if (rc == CP_ESTATE) /* perhaps another login's sale now */
			cp_ui_cart_refresh(ui);
		cp_ui_fail(ui, &err, rc);
		return;
	}
	cp_ui_cart_refresh(ui);
	cp_ui_msg(ui, UI_MSG_OK, _("Member %s %s attached: %lld points, worth %s."), m->name,
		  m->masked_phone, (long long)ui->cart->member.points,
		  cp_ui_money(ui, ui->cart->member.points_value, worth, sizeof(worth)));
}

/* "Cash ¥20.00, Bank card ****1234 ¥50.00": the payments a cancel gives back. */
static const char *given_back(struct ui *ui, const struct cp_tender *t, int n, char *buf,
			      size_t len)
{
	static const char *const names[] = {N_("Cash"),   N_("Bank card"), N_("WeChat Pay"),
					    N_("Alipay"), N_("UnionPay"),  N_("Points")};
	size_t o = 0;
	char a[48];

	buf[0] = '\0';
	for (int i = 0; i < n && o < len; i++) {
		const char *m = (unsigned)t[i].method < sizeof(names) / sizeof(names[0])
					? _(names[t[i].method])
					: "?";
		int k = snprintf(buf + o, len - o, "%s%s%s%.4s %s", i ? ", " : "", m,
				 t[i].ref[0] ? " ****" : "", t[i].ref,
				 cp_ui_money(ui, t[i].amount, a, sizeof(a)));

		if (k > 0)
			o += (size_t)k;
	}
	return buf;
}

void cp_ui_sale_cancel(struct ui *ui)
{
	struct cp_errbuf err = {{0}};
	struct cp_tender back[CP_TENDER_MAX];
	int n = 0;
	enum cp_err rc = cp_cart_cancel_back(ui->db, &ui->session, back, &n, &err);
	char list[512];

	if (rc != CP_OK) {
		if (rc == CP_ESTATE) /* perhaps another login's sale now */
			cp_ui_cart_refresh(ui);
		cp_ui_fail(ui, &err, rc);
		return;
	}
	cp_ui_cart_refresh(ui);
	S.sel = -1;
	if (n > 0) /* money taken for it goes back to the customer, card slips voided */
		cp_ui_msg(ui, UI_MSG_WARN,
			  _("The sale was cancelled. Give back: %s (void card and mobile "
			    "payments)."),
			  given_back(ui, back, n, list, sizeof(list)));
	else
		cp_ui_msg(ui, UI_MSG_INFO, "%s", _("The sale was cancelled."));
}

static void weighed_cols(struct ui *ui, const struct cp_cart_line *l, char *qty, size_t qlen,
			 char *price, size_t plen)
{
	char m[40];

	snprintf(qty, qlen, "%lld.%03lld", (long long)(l->weight_g / 1000),
		 (long long)(l->weight_g % 1000));
	/* TRANSLATORS: a price a kilogram, "¥12.80/kg" */
	snprintf(price, plen, _("%s/kg"), cp_ui_money(ui, l->per_kg, m, sizeof(m)));
}

static void unknown_code(struct ui *ui, const char *code)
{
	beep();
	cp_ui_msg(ui, UI_MSG_ERROR,
		  _("Unknown code %s: not in the catalogue. The sale is unchanged."), code);
}

/* A member by card, found here: attached. */
static bool card_here(struct ui *ui, const char *code)
{
	struct cp_member_view m;

	if (cp_member_find_by_card(ui->db, code, &m, NULL) != CP_OK)
		return false;
	cp_ui_sale_attach(ui, &m);
	return true;
}

/* An item's code: into the cart. Returns CP_ENOTFOUND untouched for the caller to try more. */
static enum cp_err add_item(struct ui *ui, const char *code, int qty)
{
	struct cp_errbuf err = {{0}};
	int line_no = 0;
	enum cp_err rc = cp_cart_scan(ui->db, &ui->session, code, qty, &line_no, &err);
	const struct cp_cart_line *l;
	char price[48];

	if (rc == CP_ENOTFOUND)
		return rc;
	if (rc != CP_OK) {
		if (rc == CP_ESTATE) /* perhaps another login's sale now */
			cp_ui_cart_refresh(ui);
		cp_ui_fail(ui, &err, rc);
		return rc;
	}
	cp_ui_cart_refresh(ui);
	select_line_no(ui, line_no);
	if ((l = selected(ui)) != NULL && l->weighed) {
		char kg[24], per[48];

		weighed_cols(ui, l, kg, sizeof(kg), per, sizeof(per));
		cp_ui_msg(ui, UI_MSG_OK, _("%s  %s kg x %s  %s"), l->name, kg, per,
			  cp_ui_money(ui, l->amount, price, sizeof(price)));
	} else if (l)
		cp_ui_msg(ui, UI_MSG_OK, _("%s  x%lld  %s"), l->name, (long long)l->qty,
			  cp_ui_money(ui, l->amount, price, sizeof(price)));
	return CP_OK;
}

/* What the scanner or the item field gave, or a scan a screen above gave away. */
static int sale_scan(struct ui *ui, const char *text)
{
	char code[CP_CODE_MAX + 1];
	struct cp_errbuf err = {{0}};
	int qty = 1;
	enum ui_scan_kind kind = cp_ui_scan_classify(text, code, &qty, &err);

	if (!ui->logged_in) {
		cp_ui_msg(ui, UI_MSG_ERROR, "%s", _("Log in first."));
		beep();
		return UI_HANDLED;
	}
	if (cp_paycode_recognise(code, NULL)) {
		/* A customer's payment code is a credential: never looked up, never shown. */
		cp_ui_wipe(code, sizeof(code));
		cp_ui_msg(ui, UI_MSG_WARN, "%s",
			  _("That is a customer's payment code: press F4 to pay, then scan it."));
		beep();
		return UI_HANDLED;
	}
	if (kind != UI_SCAN_BAD && cp_ui_guide_scan(ui, code))
		return UI_HANDLED;
	switch (kind) {
	case UI_SCAN_BAD:
		cp_ui_fail(ui, &err, CP_EINVAL);
		break;
	case UI_SCAN_BAD_QTY:
		cp_ui_msg(ui, UI_MSG_ERROR,
			  _("A quantity is a whole number from 1 to %d, typed before '*': 3*code."),
			  CP_QTY_MAX);
		beep();
		break;
	case UI_SCAN_PHONE:
		cp_ui_member_open(ui, code);
		break;
	case UI_SCAN_RECEIPT:
		cp_ui_refund_open(ui, code);
		break;
	case UI_SCAN_CARD:
		if (card_here(ui, code))
			break;
		if (add_item(ui, code, qty) == CP_ENOTFOUND)
			cp_ui_member_open(ui, code);
		break;
	case UI_SCAN_ITEM:
	case UI_SCAN_SKU:
	default:
		if (add_item(ui, code, qty) == CP_ENOTFOUND && (qty != 1 || !card_here(ui, code)) &&
		    (qty != 1 || !cp_ui_coupon_scan(ui, code)))
			unknown_code(ui, code);
		break;
	}
	return UI_HANDLED;
}

static void set_qty(struct ui *ui, const struct cp_cart_line *l, int64_t qty)
{
	struct cp_errbuf err = {{0}};
	int line_no = l->line_no;
	enum cp_err rc;

	if (l->weighed) {
		cp_ui_msg(ui, UI_MSG_WARN, "%s",
			  _("A weighed item's quantity is its weight: scan its next label for "
			    "more."));
		beep();
		return;
	}
	rc = cp_cart_set_qty(ui->db, &ui->session, line_no, qty, &err);

	if (rc != CP_OK) {
		if (rc == CP_ESTATE) /* perhaps another login's sale now */
			cp_ui_cart_refresh(ui);
		cp_ui_fail(ui, &err, rc);
		return;
	}
	cp_ui_cart_refresh(ui);
	select_line_no(ui, line_no);
}

static void qty_typed(struct ui *ui, const char *text)
{
	const struct cp_cart_line *l = selected(ui);
	int64_t q = 0;

	if (!l)
		return;
	for (const char *p = text; *p; p++)
		q = q * 10 + (*p - '0');
	if (!text[0] || q < 1 || q > CP_QTY_MAX) {
		cp_ui_msg(ui, UI_MSG_ERROR, _("A quantity is 1 to %d."), CP_QTY_MAX);
		beep();
		return;
	}
	set_qty(ui, l, q);
}

static void remove_line(struct ui *ui)
{
	const struct cp_cart_line *l = selected(ui);
	struct cp_errbuf err = {{0}};
	char name[129];
	enum cp_err rc;

	if (!l) {
		cp_ui_msg(ui, UI_MSG_WARN, "%s", _("The cart is empty."));
		return;
	}
	snprintf(name, sizeof(name), "%s", l->name);
	rc = cp_cart_remove(ui->db, &ui->session, l->line_no, &err);
	if (rc != CP_OK) {
		if (rc == CP_ESTATE) /* perhaps another login's sale now */
			cp_ui_cart_refresh(ui);
		cp_ui_fail(ui, &err, rc);
		return;
	}
	cp_ui_cart_refresh(ui);
	if (S.sel >= ui->cart->nlines)
		S.sel = ui->cart->nlines - 1;
	cp_ui_msg(ui, UI_MSG_INFO, _("Removed: %s"), name);
}

static void ask_cancel(struct ui *ui)
{
	struct cp_tender paid[CP_TENDER_MAX];
	char text[768], list[512];
	int npaid = 0;

	if (ui->foreign.open) {
		cp_ui_cart_ask(ui);
		return;
	}
	if (cp_cart_tender_list(ui->db, &ui->session, paid, &npaid, NULL) != CP_OK)
		npaid = 0;
	if (!ui->cart->open || (ui->cart->nlines == 0 && !ui->cart->has_member && npaid == 0)) {
		cp_ui_msg(ui, UI_MSG_INFO, "%s", _("There is no sale to cancel."));
		return;
	}
	if (npaid > 0)
		snprintf(text, sizeof(text),
			 _("All %d lines and the member are taken off, and what was paid is given "
			   "back: %s. Nothing is recorded as sold."),
			 ui->cart->nlines, given_back(ui, paid, npaid, list, sizeof(list)));
	else
		snprintf(text, sizeof(text),
			 _("All %d lines and the member are taken off. Nothing is recorded as "
			   "sold."),
			 ui->cart->nlines);
	cp_ui_confirm(ui, _("Cancel this sale?"), text, cp_ui_sale_cancel);
}

static enum cp_err manager_menu_authorised(struct ui *ui, const char *code, const char *pin)
{
	struct cp_errbuf err = {{0}};
	char by[17];
	enum cp_err rc =
		cp_staff_authorise(ui->db, &ui->session, code, pin, N_("manager menu"), by, &err);

	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return rc;
	}
	cp_ui_manager_open(ui);
	return CP_OK;
}

static void pay(struct ui *ui)
{
	cp_ui_cart_refresh(ui);
	if (ui->foreign.open) {
		cp_ui_cart_ask(ui);
		return;
	}
	if (!ui->cart->open || ui->cart->nlines == 0) {
		cp_ui_msg(ui, UI_MSG_WARN, "%s", _("The cart is empty: scan an item first."));
		beep();
		return;
	}
	cp_ui_push(ui, UI_SCR_pay);
}

/* Commands: F-keys any time; their letters, + - and Del only while the item field is empty
 * and the key is not part of a scan. */
static int command(struct ui *ui, const struct ui_key *k)
{
	bool letters = !ui_field_text(&S.item)[0] && !k->burst;
	const struct cp_cart_line *l;

	if (k->code == UI_K_F1 || (letters && (ui_key_is(k, '?') || ui_key_is(k, 'h')))) {
		cp_ui_push(ui, UI_SCR_help);
	} else if (k->code == UI_K_F2 || (letters && ui_key_is(k, 'm'))) {
		cp_ui_member_open(ui, NULL);
	} else if (k->code == UI_K_F3 || (letters && ui_key_is(k, 'n'))) {
		cp_ui_register_open(ui, NULL);
	} else if (k->code == UI_K_F4 || (letters && ui_key_is(k, 'p'))) {
		pay(ui);
	} else if (k->code == UI_K_F5 || (letters && ui_key_is(k, 'r'))) {
		cp_ui_refund_open(ui, NULL);
	} else if (k->code == UI_K_F6 || (letters && ui_key_is(k, 'q'))) {
		if (selected(ui))
			cp_ui_ask(ui, _("Quantity"), _("New quantity"), UI_IN_FOLD | UI_IN_DIGITS,
				  4, qty_typed);
		else
			cp_ui_msg(ui, UI_MSG_WARN, "%s", _("The cart is empty."));
	} else if (k->code == UI_K_F7 || (letters && ui_key_is(k, 't'))) {
		cp_ui_cart_ask(ui);
	} else if (k->code == UI_K_F8 || (letters && ui_key_is(k, 'o'))) {
		cp_ui_offers_open(ui);
	} else if (letters && ui_key_is(k, 'c')) {
		cp_ui_coupon_ask(ui);
	} else if (letters && ui_key_is(k, 'v')) {
		cp_ui_coupon_list(ui);
	} else if (letters && ui_key_is(k, 'x')) {
		l = selected(ui);
		cp_ui_discount_ask(ui, l ? l->line_no : 0);
	} else if (letters && ui_key_is(k, 'e')) {
		cp_ui_benefit_list(ui);
	} else if (letters && ui_key_is(k, 'w')) {
		cp_ui_benefit_grant(ui);
	} else if (letters && ui_key_is(k, 'b')) {
		cp_ui_guide_bind(ui);
	} else if (k->code == UI_K_F11 || (letters && ui_key_is(k, 's'))) {
		cp_ui_guide_serve(ui);
	} else if (k->code == UI_K_F12 || (letters && ui_key_is(k, 'd'))) {
		cp_ui_guide_day(ui);
	} else if (letters && ui_key_is(k, 'u')) {
		cp_ui_guide_unbind(ui);
	} else if (letters && ui_key_is(k, 'k')) {
		cp_ui_park(ui);
	} else if (letters && ui_key_is(k, 'a')) {
		cp_ui_parked_open(ui);
	} else if (letters && ui_key_is(k, 'f')) {
		cp_ui_search_open(ui);
	} else if (letters && ui_key_is(k, 'i')) {
		cp_ui_pricecheck_open(ui);
	} else if (k->code == UI_K_F9 || (letters && ui_key_is(k, 'g'))) {
		cp_ui_manager_pin(ui, _("The manager menu needs a manager's code and PIN."),
				  manager_menu_authorised);
	} else if (k->code == UI_K_F10 || (letters && ui_key_is(k, 'l'))) {
		cp_ui_logout(ui, _("Logged out. The open sale is kept."));
	} else if (letters && k->code == UI_K_CHAR && (k->ch == '+' || k->ch == '-')) {
		if (!(l = selected(ui)))
			return UI_HANDLED;
		if (k->ch == '+')
			set_qty(ui, l, l->qty + 1);
		else if (l->qty > 1)
			set_qty(ui, l, l->qty - 1);
		else
			cp_ui_msg(ui, UI_MSG_INFO, "%s", _("To take the line off, press Del."));
	} else if (letters && k->code == UI_K_DELETE) {
		remove_line(ui);
	} else if (k->code == UI_K_ESC) {
		if (ui_field_text(&S.item)[0])
			cp_ui_field_clear(&S.item);
		else
			ask_cancel(ui);
	} else if (k->code == UI_K_UP || k->code == UI_K_DOWN || k->code == UI_K_PGUP ||
		   k->code == UI_K_PGDN) {
		int step = k->code == UI_K_PGUP || k->code == UI_K_PGDN ? 10 : 1;

		S.sel += k->code == UI_K_UP || k->code == UI_K_PGUP ? -step : step;
		if (S.sel >= ui->cart->nlines)
			S.sel = ui->cart->nlines - 1;
		if (S.sel < 0)
			S.sel = ui->cart->nlines ? 0 : -1;
	} else {
		return UI_IGNORED;
	}
	return UI_HANDLED;
}

static int sale_key(struct ui *ui, const struct ui_key *k)
{
	enum ui_field_rc rc;
	char text[UI_INPUT_MAX + 1];

	if (command(ui, k) != UI_IGNORED)
		return UI_HANDLED;
	rc = cp_ui_field_key(&S.item, k);
	switch (rc) {
	case UI_FIELD_SUBMIT: {
		int fl;

		snprintf(text, sizeof(text), "%s", ui_field_text(&S.item));
		cp_ui_input_wipe(&S.item.in); /* it may have been a payment code */
		cp_ui_field_clear(&S.item);
		if (!text[0])
			return UI_HANDLED;
		fl = sale_scan(ui, text);
		cp_ui_wipe(text, sizeof(text));
		return fl;
	}
	case UI_FIELD_PASTE:
	case UI_FIELD_FULL:
		cp_ui_msg(ui, UI_MSG_ERROR, "%s",
			  _("Pasted or overlong input is not accepted: scan or type one code."));
		beep();
		return UI_HANDLED;
	case UI_FIELD_REFUSED:
		cp_ui_msg(
			ui, UI_MSG_WARN, "%s",
			_("Item codes are letters and digits: scan the barcode or type the code."));
		beep();
		return UI_HANDLED;
	case UI_FIELD_IGNORED:
		return UI_IGNORED;
	default:
		return UI_HANDLED;
	}
}

/* ---- drawing ---- */

struct cols {
	int list, name, panel;
};

static struct cols layout(const struct ui *ui)
{
	struct cols c;

	c.panel = ui->cols >= 100 ? 34 : 30;
	c.list = ui->cols - c.panel - 1;
	c.name = c.list - 3 - 5 - 10 - 11 - 4;
	return c;
}

static void draw_lines(struct ui *ui, WINDOW *w, const struct cols *c)
{
	const struct cp_cart_view *v = ui->cart;
	int y0 = 3, visible = ui->rows - 3 - y0;
	char price[48], amount[48], num[24];

	cp_ui_putf(w, 2, 0, c->list, cp_ui_attr(ui, UI_R_TITLE), "%-3s", "#");
	cp_ui_put(w, 2, 4, c->name, _("Item"), cp_ui_attr(ui, UI_R_TITLE), false);
	cp_ui_put_right(w, 2, 4 + c->name, 6, _("Qty"), cp_ui_attr(ui, UI_R_TITLE));
	cp_ui_put_right(w, 2, 4 + c->name + 6, 10, _("Price"), cp_ui_attr(ui, UI_R_TITLE));
	cp_ui_put_right(w, 2, 4 + c->name + 16, 11, _("Amount"), cp_ui_attr(ui, UI_R_TITLE));
	if (ui->foreign.open) {
		char text[512], total[48], when[32];

		snprintf(text, sizeof(text),
			 _("Staff %s (%s) has a sale open since %s: %lld items, %s. It is not "
			   "yours: ask them to finish it, or press F7 to take it over."),
			 ui->foreign.staff, ui->foreign.name,
			 cp_ui_when(ui->foreign.opened_at, when, sizeof(when)),
			 (long long)ui->foreign.items,
			 cp_ui_money(ui, ui->foreign.total, total, sizeof(total)));
		cp_ui_draw_wrapped(w, y0 + 1, 2, c->list - 4, 4, text, cp_ui_attr(ui, UI_R_WARN));
		return;
	}
	if (!v->open || v->nlines == 0) {
		cp_ui_draw_wrapped(w, y0 + 1, 2, c->list - 4, 2,
				   _("Scan an item, or type its code and press Enter."),
				   cp_ui_attr(ui, UI_R_DIM));
		cp_ui_draw_wrapped(w, y0 + 3, 2, c->list - 4, 3,
				   _("A member's phone number or card, typed or scanned here, "
				     "attaches the member."),
				   cp_ui_attr(ui, UI_R_DIM));
		return;
	}
	if (S.sel < 0 || S.sel >= v->nlines)
		S.sel = v->nlines - 1;
	if (S.sel < S.top)
		S.top = S.sel;
	if (S.sel >= S.top + visible)
		S.top = S.sel - visible + 1;
	for (int i = S.top; i < v->nlines && i < S.top + visible; i++) {
		const struct cp_cart_line *l = &v->lines[i];
		attr_t a = i == S.sel ? cp_ui_attr(ui, UI_R_SELECT) : cp_ui_attr(ui, UI_R_NORMAL);
		int y = y0 + i - S.top;

		/* Columns by display width: "¥" and Chinese names are not one byte a column. */
		mvwhline(w, y, 0, ' ', c->list);
		wattron(w, a);
		mvwhline(w, y, 0, ' ', c->list);
		wattroff(w, a);
		snprintf(num, sizeof(num), "%3d", l->line_no);
		cp_ui_put(w, y, 0, 3, num, a, false);
		if (l->saving || l->discount) { /* the line's saving beside its name */
			char off[48], named[200];

			snprintf(named, sizeof(named), _("%s (-%s)"), l->name,
				 cp_ui_money(ui, l->saving + l->discount, off, sizeof(off)));
			cp_ui_put(w, y, 4, c->name, named, a, false);
		} else {
			cp_ui_put(w, y, 4, c->name, l->name, a, false);
		}
		snprintf(num, sizeof(num), "%lld", (long long)l->qty);
		cp_ui_money(ui, l->unit_price, price, sizeof(price));
		if (l->weighed) /* its weight in kg and its price a kg */
			weighed_cols(ui, l, num, sizeof(num), price, sizeof(price));
		cp_ui_put_right(w, y, 4 + c->name, 6, num, a);
		cp_ui_put_right(w, y, 4 + c->name + 6, 10, price, a);
		cp_ui_put_right(w, y, 4 + c->name + 16, 11,
				cp_ui_money(ui, l->amount, amount, sizeof(amount)), a);
	}
	if (S.top > 0)
		cp_ui_put(w, y0, c->list - 1, 1, "^", cp_ui_attr(ui, UI_R_DIM), false);
	if (S.top + visible < v->nlines)
		cp_ui_put(w, y0 + visible - 1, c->list - 1, 1, "v", cp_ui_attr(ui, UI_R_DIM),
			  false);
}

static void draw_panel(struct ui *ui, WINDOW *w, const struct cols *c)
{
	const struct cp_cart_view *v = ui->cart;
	int x = c->list + 2, wd = c->panel - 2, y = 2, bottom = ui->rows - 3;
	char line[160];

	wattron(w, cp_ui_attr(ui, UI_R_DIM));
	mvwvline(w, 1, c->list, ACS_VLINE, ui->rows - 3);
	wattroff(w, cp_ui_attr(ui, UI_R_DIM));
	cp_ui_put(w, y++, x, wd, _("Member"), cp_ui_attr(ui, UI_R_TITLE), false);
	if (v->has_member && v->points_held) {
		/* what the sale's offers hold, and what the member keeps after them */
		y += cp_ui_draw_member(ui, w, y, x, wd, bottom - 10 - y, &v->member);
		y += cp_ui_draw_lifecycle(ui, w, y, x, wd, bottom - 10 - y);
		snprintf(line, sizeof(line), _("Held by this sale: %lld"),
			 (long long)v->points_held);
		cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_POINTS), false);
		snprintf(line, sizeof(line), _("Balance after: %lld"),
			 (long long)cp_points_available(v));
		cp_ui_put(w, y, x, wd, line, cp_ui_attr(ui, UI_R_POINTS), false);
	} else if (v->has_member) {
		y += cp_ui_draw_member(ui, w, y, x, wd, bottom - 8 - y, &v->member);
		cp_ui_draw_lifecycle(ui, w, y, x, wd, bottom - 8 - y);
	} else
		cp_ui_draw_wrapped(w, y, x, wd, 4,
				   _("None. F2 finds a member by phone or card, F3 registers one."),
				   cp_ui_attr(ui, UI_R_DIM));
	if (v->has_member && ui->benefits_open) {
		snprintf(line, sizeof(line), _("Benefits to claim: %d (w)"), ui->benefits_open);
		cp_ui_put(w, bottom - 8, x, wd, line, cp_ui_attr(ui, UI_R_WARN), false);
	}
	if (v->member_saving) {
		char off[48];

		snprintf(line, sizeof(line), _("Member savings: -%s"),
			 cp_ui_money(ui, v->member_saving, off, sizeof(off)));
		cp_ui_put(w, bottom - 7, x, wd, line, cp_ui_attr(ui, UI_R_POINTS), false);
	}
	if (v->discount) {
		char off[48];

		snprintf(line, sizeof(line), _("Discounts: -%s"),
			 cp_ui_money(ui, v->discount, off, sizeof(off)));
		cp_ui_put(w, bottom - 6, x, wd, line, cp_ui_attr(ui, UI_R_POINTS), false);
	}
	if (ui->coupon_off) {
		char off[48];

		snprintf(line, sizeof(line), _("Coupons: -%s"),
			 cp_ui_money(ui, ui->coupon_off, off, sizeof(off)));
		cp_ui_put(w, bottom - 5, x, wd, line, cp_ui_attr(ui, UI_R_POINTS), false);
	}
	snprintf(line, sizeof(line), _("Total  %lld items"), (long long)v->items);
	cp_ui_put(w, bottom - 4, x, wd, line, cp_ui_attr(ui, UI_R_TITLE), false);
	cp_ui_draw_big_money(ui, w, bottom - 3, x, wd, cp_ui_coupon_due(ui),
			     cp_ui_attr(ui, UI_R_MONEY));
}

static void sale_draw(struct ui *ui, WINDOW *w)
{
	struct cols c = layout(ui);
	int lw = cp_ui_text_width(_("Item code")) + 2;

	if (lw < 2 || lw > 16)
		lw = 12;
	S.cur_x = cp_ui_draw_field(ui, w, 1, 0, _("Item code"), lw, &S.item, c.list - lw - 1, true);
	S.cur_y = 1;
	draw_lines(ui, w, &c);
	draw_panel(ui, w, &c);
}

/* clang-format off */
static const struct ui_footkey sale_footer[] = {
	{"F1", "?", N_("Help"), 0},      {"F2", "m", N_("Member"), 0},
	{"F3", "n", N_("Register"), 0},  {"F4", "p", N_("Pay"), 0},
	{"F5", "r", N_("Refund"), 0},    {"F6", "q", N_("Qty"), 1},
	{"Del", NULL, N_("Remove"), 1},  {"F9", "g", N_("Menu"), 0},
	{"F10", "l", N_("Log out"), 0},  {"Esc", NULL, N_("Cancel"), 0},
	{"F7", "t", N_("Take over"), 1}, {"F8", "o", N_("Offers"), 1},
	{"b", NULL, N_("Bind guide"), 0}, {"F11", "s", N_("Served by"), 1},
	{"F12", "d", N_("Guide's day"), 1}, {"u", NULL, N_("Unbind"), 1},
	{"k", NULL, N_("Park"), 1},      {"a", NULL, N_("Recall"), 1},
	{"c", NULL, N_("Coupon"), 0},     {"v", NULL, N_("Coupons"), 1},
	{"x", NULL, N_("Discount"), 1},
	{"w", NULL, N_("Grant benefit"), 1}, {"e", NULL, N_("Benefits"), 1},
	{"f", NULL, N_("Find item"), 1},  {"i", NULL, N_("Price check"), 1},
};
/* clang-format on */

const struct ui_screen cp_ui_screen_sale = {
	.name = "sale",
	.enter = sale_enter,
	.draw = sale_draw,
	.key = sale_key,
	UI_FOOTER(sale_footer),
	.cur_y = &S.cur_y,
	.cur_x = &S.cur_x,
	.scan = sale_scan,
};
