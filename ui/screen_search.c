/* screen_search.c — finding an item without its barcode (f on the sale screen): part of its
 * name or its pinyin initials, results as you type, Up/Down to choose, Enter adds it to the
 * sale ("3*kkkl" adds three); and the price check (i): a code scanned or typed shows the
 * item's price, member price and the attached member's price, and adds nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "item_search.h"
#include "ui_int.h"

#define SEARCH_ROWS_MAX 20

static struct {
	struct ui_field q;
	struct cp_item items[SEARCH_ROWS_MAX];
	int n, sel, offset, page, qty;
	bool more;
	int cur_y, cur_x;
} F;

/* "3*kkkl": a quantity typed before '*' as on the sale screen; the rest is the query. */
static const char *split_qty(const char *text, int *qty)
{
	const char *star = strchr(text, '*');
	int n = 0;

	*qty = 1;
	if (!star || star == text || star - text > 4)
		return text;
	for (const char *p = text; p < star; p++) {
		if (*p < '0' || *p > '9')
			return text;
		n = n * 10 + (*p - '0');
	}
	if (n < 1)
		return text;
	*qty = n;
	return star + 1;
}

static void search(struct ui *ui)
{
	struct cp_errbuf err = {{0}};
	const char *q = split_qty(ui_field_text(&F.q), &F.qty);
	enum cp_err rc;

	F.page = ui->rows - 10;
	if (F.page > SEARCH_ROWS_MAX)
		F.page = SEARCH_ROWS_MAX;
	if (F.page < 1)
		F.page = 1;
	F.n = 0;
	F.more = false;
	if (!q[0] || strspn(q, " ") == strlen(q))
		return;
	rc = cp_item_search(ui->db, q, F.offset, F.page, F.items, &F.n, &F.more, &err);
	if (rc != CP_OK) {
		F.n = 0;
		cp_ui_fail(ui, &err, rc);
	}
	if (F.sel >= F.n)
		F.sel = F.n ? F.n - 1 : 0;
}

static void search_enter(struct ui *ui)
{
	(void)ui;
	cp_ui_field_init(&F.q, UI_FIELD_TEXT, CP_ITEM_QUERY_MAX, 0);
	F.n = F.sel = F.offset = 0;
	F.qty = 1;
	F.more = false;
}

void cp_ui_search_open(struct ui *ui)
{
	cp_ui_cart_refresh(ui);
	if (ui->foreign.open) {
		cp_ui_cart_ask(ui);
		return;
	}
	cp_ui_push(ui, UI_SCR_search);
}

/* Enter: the chosen item goes to the sale screen as if scanned (with the quantity). */
static int add(struct ui *ui)
{
	char code[64];

	if (F.n == 0) {
		cp_ui_msg(
			ui, UI_MSG_WARN, "%s",
			_("Nothing to add: type part of the item's name or its pinyin initials."));
		beep();
		return UI_HANDLED;
	}
	if (F.qty > 1)
		snprintf(code, sizeof(code), "%d*%.32s", F.qty, F.items[F.sel].sku);
	else
		snprintf(code, sizeof(code), "%.32s", F.items[F.sel].sku);
	cp_ui_scan_route(ui, code);
	return UI_HANDLED;
}

static void page(struct ui *ui, int dir)
{
	if (dir > 0 && !F.more)
		return;
	if (dir < 0 && F.offset == 0)
		return;
	F.offset += dir * F.page;
	if (F.offset < 0)
		F.offset = 0;
	F.sel = dir > 0 ? 0 : F.page - 1;
	search(ui);
}

static int search_key(struct ui *ui, const struct ui_key *k)
{
	enum ui_field_rc rc;

	if (k->code == UI_K_ESC)
		return UI_DONE;
	if (k->code == UI_K_UP) {
		if (F.sel > 0)
			F.sel--;
		else
			page(ui, -1);
		return UI_HANDLED;
	}
	if (k->code == UI_K_DOWN) {
		if (F.sel + 1 < F.n)
			F.sel++;
		else
			page(ui, 1);
		return UI_HANDLED;
	}
	if (k->code == UI_K_PGDN || k->code == UI_K_PGUP) {
		page(ui, k->code == UI_K_PGDN ? 1 : -1);
		return UI_HANDLED;
	}
	rc = cp_ui_field_key(&F.q, k);
	if (rc == UI_FIELD_SUBMIT)
		return add(ui);
	if (rc == UI_FIELD_CHANGED) {
		F.offset = F.sel = 0;
		search(ui);
		return UI_HANDLED;
	}
	return cp_ui_field_refusal(ui, rc);
}

static void search_draw(struct ui *ui, WINDOW *w)
{
	int name_cols = ui->cols - 40, y0 = 5;
	char line[96], price[48], mprice[48];

	cp_ui_put(w, 1, 0, ui->cols, _("Find an item: part of its name, or its pinyin initials"),
		  cp_ui_attr(ui, UI_R_TITLE), true);
	F.cur_y = 2;
	F.cur_x = cp_ui_draw_field(ui, w, 2, 0, _("Find"), 8, &F.q, ui->cols - 10, true);
	cp_ui_put(w, 4, 0, 16, _("SKU"), cp_ui_attr(ui, UI_R_TITLE), false);
	cp_ui_put(w, 4, 17, name_cols, _("Name"), cp_ui_attr(ui, UI_R_TITLE), false);
	cp_ui_put_right(w, 4, 17 + name_cols, 11, _("Price"), cp_ui_attr(ui, UI_R_TITLE));
	cp_ui_put_right(w, 4, 28 + name_cols, 11, _("Member"), cp_ui_attr(ui, UI_R_TITLE));
	for (int i = 0; i < F.n; i++) {
		const struct cp_item *it = &F.items[i];
		attr_t a = i == F.sel ? cp_ui_attr(ui, UI_R_SELECT) : cp_ui_attr(ui, UI_R_NORMAL);
		int y = y0 + i;

		wattron(w, a);
		mvwhline(w, y, 0, ' ', ui->cols);
		wattroff(w, a);
		cp_ui_put(w, y, 0, 16, it->sku, a, false);
		cp_ui_put(w, y, 17, name_cols, it->name_zh, a, false);
		cp_ui_put_right(w, y, 17 + name_cols, 11,
				cp_ui_money(ui, it->price, price, sizeof(price)), a);
		cp_ui_put_right(w, y, 28 + name_cols, 11,
				it->member_price >= 0
					? cp_ui_money(ui, it->member_price, mprice, sizeof(mprice))
					: "-",
				a);
	}
	if (F.n == 0 && ui_field_text(&F.q)[0])
		cp_ui_put(w, y0, 0, ui->cols, _("No item matches."), cp_ui_attr(ui, UI_R_DIM),
			  false);
	if (F.offset > 0 || F.more) {
		snprintf(line, sizeof(line), _("Items %d-%d%s"), F.offset + 1, F.offset + F.n,
			 F.more ? _(", more: Down or PgDn") : "");
		cp_ui_put(w, y0 + F.page, 0, ui->cols, line, cp_ui_attr(ui, UI_R_DIM), false);
	}
}

static const struct ui_footkey search_footer[] = {
	{"Enter", NULL, N_("Add to sale"), 0},
	{"Up/Down", NULL, N_("Choose"), 0},
	{"PgDn", NULL, N_("More"), 1},
	{"Esc", NULL, N_("Back"), 0},
};

const struct ui_screen cp_ui_screen_search = {
	.name = "search",
	.enter = search_enter,
	.draw = search_draw,
	.key = search_key,
	UI_FOOTER(search_footer),
	.cur_y = &F.cur_y,
	.cur_x = &F.cur_x,
};

/* ---- the price check ---- */

static struct {
	struct ui_field code;
	bool shown;
	struct cp_price_check pc;
	int cur_y, cur_x;
} C;

static void pricecheck_enter(struct ui *ui)
{
	(void)ui;
	cp_ui_field_init(&C.code, UI_FIELD_TEXT, 64, UI_IN_FOLD);
	C.shown = false;
}

void cp_ui_pricecheck_open(struct ui *ui)
{
	cp_ui_push(ui, UI_SCR_pricecheck);
}

static void check(struct ui *ui)
{
	struct cp_errbuf err = {{0}};
	const struct cp_member_view *m = NULL;
	enum cp_err rc;

	cp_ui_cart_refresh(ui);
	if (!ui->foreign.open && ui->cart->open && ui->cart->has_member)
		m = &ui->cart->member;
	rc = cp_item_price_check(ui->db, ui_field_text(&C.code), m, &C.pc, &err);
	if (rc != CP_OK) {
		C.shown = false;
		cp_ui_fail(ui, &err, rc);
		cp_ui_field_refused(&C.code);
		return;
	}
	C.shown = true;
	cp_ui_field_clear(&C.code);
	cp_ui_msg(ui, UI_MSG_OK, "%s", _("Price shown; nothing was added to the sale."));
}

static int pricecheck_key(struct ui *ui, const struct ui_key *k)
{
	enum ui_field_rc rc;

	if (k->code == UI_K_ESC)
		return UI_DONE;
	rc = cp_ui_field_key(&C.code, k);
	if (rc == UI_FIELD_SUBMIT) {
		if (ui_field_text(&C.code)[0])
			check(ui);
		return UI_HANDLED;
	}
	return cp_ui_field_refusal(ui, rc);
}

static void pricecheck_draw(struct ui *ui, WINDOW *w)
{
	const struct cp_price_check *pc = &C.pc;
	char money[48], line[320];
	int y = 5;

	cp_ui_put(w, 1, 0, ui->cols, _("Price check: scan or type a code; nothing is added"),
		  cp_ui_attr(ui, UI_R_TITLE), true);
	C.cur_y = 2;
	C.cur_x = cp_ui_draw_field(ui, w, 2, 0, _("Code"), 8, &C.code, 34, true);
	if (!C.shown)
		return;
	snprintf(line, sizeof(line), "%s  %s", pc->item.name_zh, pc->item.name_en);
	cp_ui_put(w, y++, 2, ui->cols - 4, line, cp_ui_attr(ui, UI_R_TITLE), false);
	snprintf(line, sizeof(line), "%s %s", _("SKU"), pc->item.sku);
	cp_ui_put(w, y++, 2, ui->cols - 4, line, cp_ui_attr(ui, UI_R_DIM), false);
	y++;
	snprintf(line, sizeof(line), _("Price: %s"),
		 cp_ui_money(ui, pc->item.price, money, sizeof(money)));
	cp_ui_put(w, y++, 2, ui->cols - 4, line, cp_ui_attr(ui, UI_R_NORMAL), false);
	if (pc->item.member_price >= 0)
		snprintf(line, sizeof(line), _("Member price: %s"),
			 cp_ui_money(ui, pc->item.member_price, money, sizeof(money)));
	else
		snprintf(line, sizeof(line), "%s", _("Member price: none"));
	cp_ui_put(w, y++, 2, ui->cols - 4, line, cp_ui_attr(ui, UI_R_NORMAL), false);
	if (pc->has_member) {
		snprintf(line, sizeof(line), _("Member %s pays: %s"), pc->member_masked,
			 cp_ui_money(ui, pc->member_pays, money, sizeof(money)));
		cp_ui_put(w, y++, 2, ui->cols - 4, line, cp_ui_attr(ui, UI_R_NORMAL), false);
	}
}

static const struct ui_footkey pricecheck_footer[] = {
	{"Enter", NULL, N_("Check"), 0},
	{"Esc", NULL, N_("Back"), 0},
};

const struct ui_screen cp_ui_screen_pricecheck = {
	.name = "pricecheck",
	.enter = pricecheck_enter,
	.draw = pricecheck_draw,
	.key = pricecheck_key,
	UI_FOOTER(pricecheck_footer),
	.cur_y = &C.cur_y,
	.cur_x = &C.cur_x,
};
