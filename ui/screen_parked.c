/* screen_parked.c — parked sales (挂单/取单): the sale screen parks the open sale (k) to serve
 * the next customer, and this list (c) recalls one with Enter, priced as the catalogue is now;
 * a price that changed since it was parked is told. The parked sales live in the database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "park.h"
#include "ui_int.h"

static struct {
	struct cp_parked *list;
	int n, sel, top;
} P;

void cp_ui_park(struct ui *ui)
{
	struct cp_errbuf err = {{0}};
	int64_t id = 0;
	enum cp_err rc;

	cp_ui_cart_refresh(ui);
	if (ui->foreign.open) {
		cp_ui_cart_ask(ui);
		return;
	}
	rc = cp_park_save(ui->db, &ui->session, &id, &err);
	if (rc != CP_OK) {
		if (rc == CP_ESTATE) /* perhaps another login's sale now */
			cp_ui_cart_refresh(ui);
		cp_ui_fail(ui, &err, rc);
		beep();
		return;
	}
	cp_ui_cart_refresh(ui);
	cp_ui_msg(ui, UI_MSG_OK,
		  _("Sale parked as No. %lld. Serve the next customer; press a to recall it."),
		  (long long)id);
}

static bool load(struct ui *ui)
{
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	if (!P.list && !(P.list = calloc(CP_PARK_LIMIT, sizeof(*P.list))))
		cp_ui_fatal("out of memory");
	rc = cp_park_list(ui->db, P.list, CP_PARK_LIMIT, &P.n, &err);
	if (rc != CP_OK) {
		P.n = 0;
		cp_ui_fail(ui, &err, rc);
		return false;
	}
	if (P.sel >= P.n)
		P.sel = P.n - 1;
	if (P.sel < 0)
		P.sel = 0;
	return true;
}

void cp_ui_parked_open(struct ui *ui)
{
	cp_ui_cart_refresh(ui);
	if (ui->foreign.open) {
		cp_ui_cart_ask(ui);
		return;
	}
	if (ui->cart->open && ui->cart->nlines > 0) {
		cp_ui_msg(ui, UI_MSG_WARN, "%s",
			  _("A sale is open: park it (k) or finish it before recalling another."));
		beep();
		return;
	}
	P.sel = P.top = 0;
	if (!load(ui))
		return;
	if (P.n == 0) {
		cp_ui_msg(ui, UI_MSG_INFO, "%s", _("No sale is parked."));
		return;
	}
	cp_ui_push(ui, UI_SCR_parked);
}

static void parked_leave(struct ui *ui)
{
	(void)ui;
	free(P.list);
	P.list = NULL;
	P.n = 0;
}

/* A coupon the recalled sale had that can no longer be used: the first, or NULL. */
static const struct cp_errbuf *coupon_off(const struct cp_park_recall *r, const char **code)
{
	for (int k = 0; k < r->ncoupons && k < CP_COUPON_CART_MAX; k++)
		if (!r->coupons[k].kept) {
			*code = r->coupons[k].code;
			return &r->coupons[k].why;
		}
	return NULL;
}

/* A manual discount the recalled sale had that was left off, not for a line dropped with its
 * item (told first): the first, or NULL. */
static const struct cp_park_discount *discount_off(const struct cp_park_recall *r)
{
	for (int k = 0; k < r->ndiscounts && k < CP_CART_MAX_LINES + 1; k++) {
		bool gone = false;

		for (int i = 0; i < r->nchanged && i < CP_CART_MAX_LINES; i++)
			gone |= r->changed[i].now < 0 &&
				r->changed[i].line_no == r->discounts[k].line_no;
		if (!r->discounts[k].kept && !gone)
			return &r->discounts[k];
	}
	return NULL;
}

/* What the recall changed, on the message line. */
static void tell(struct ui *ui, const struct cp_park_recall *r)
{
	const struct cp_park_change *c = &r->changed[0];
	const struct cp_errbuf *off;
	const struct cp_park_discount *d = discount_off(r);
	const char *code = "";
	char total[48], was[48], now[48], why[512];

	cp_ui_money(ui, ui->cart->total, total, sizeof(total));
	if (r->nchanged > 0 && c->now < 0)
		cp_ui_msg(
			ui, UI_MSG_WARN,
			_("Sale No. %lld recalled. %s is no longer in the catalogue and was taken "
			  "off. Lines changed: %d."),
			(long long)r->sale.id, c->name, r->nchanged);
	else if (d)
		cp_ui_msg(ui, UI_MSG_WARN, _("Sale No. %lld recalled without a discount: %s"),
			  (long long)r->sale.id,
			  cp_ui_errtext(&d->why, CP_ESTATE, why, sizeof(why)));
	else if (r->nchanged > 0)
		cp_ui_msg(ui, UI_MSG_WARN,
			  _("Sale No. %lld recalled. Price changed since it was parked: %s was %s, "
			    "now %s. Lines changed: %d."),
			  (long long)r->sale.id, c->name, cp_ui_money(ui, c->was, was, sizeof(was)),
			  cp_ui_money(ui, c->now, now, sizeof(now)), r->nchanged);
	else if (r->member_dropped)
		cp_ui_msg(ui, UI_MSG_WARN,
			  _("Sale No. %lld recalled without its member, who is no longer known "
			    "here: attach the member again."),
			  (long long)r->sale.id);
	else if ((off = coupon_off(r, &code)) != NULL)
		cp_ui_msg(ui, UI_MSG_WARN, _("Sale No. %lld recalled without coupon %s: %s"),
			  (long long)r->sale.id, code,
			  cp_ui_errtext(off, CP_ESTATE, why, sizeof(why)));
	else
		cp_ui_msg(ui, UI_MSG_OK, _("Sale No. %lld recalled: %lld items, %s."),
			  (long long)r->sale.id, (long long)ui->cart->items, total);
}

static int recall(struct ui *ui)
{
	struct cp_park_recall *r;
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	if (P.n == 0)
		return UI_DONE;
	if (!(r = malloc(sizeof(*r))))
		cp_ui_fatal("out of memory");
	rc = cp_park_recall(ui->db, &ui->session, P.list[P.sel].id, r, &err);
	if (rc != CP_OK) {
		free(r);
		cp_ui_fail(ui, &err, rc);
		beep();
		load(ui);
		return UI_HANDLED;
	}
	cp_ui_cart_refresh(ui);
	tell(ui, r);
	free(r);
	return UI_DONE;
}

static int parked_key(struct ui *ui, const struct ui_key *k)
{
	if (k->code == UI_K_ESC)
		return UI_DONE;
	if (k->code == UI_K_ENTER)
		return recall(ui);
	if (k->code == UI_K_UP || k->code == UI_K_DOWN || k->code == UI_K_PGUP ||
	    k->code == UI_K_PGDN) {
		int step = k->code == UI_K_PGUP || k->code == UI_K_PGDN ? 10 : 1;

		P.sel += k->code == UI_K_UP || k->code == UI_K_PGUP ? -step : step;
		if (P.sel >= P.n)
			P.sel = P.n - 1;
		if (P.sel < 0)
			P.sel = 0;
		return UI_HANDLED;
	}
	return UI_IGNORED;
}

static void parked_draw(struct ui *ui, WINDOW *w)
{
	int y0 = 4, visible = ui->rows - 3 - y0, who_cols = ui->cols - 52;
	char line[256], when[32], total[48], num[32];

	snprintf(line, sizeof(line), _("Parked sales: %d (this till keeps up to %d)"), P.n,
		 cp_park_max(ui->db));
	cp_ui_put(w, 1, 0, ui->cols, line, cp_ui_attr(ui, UI_R_TITLE), true);
	cp_ui_put_right(w, 3, 0, 5, _("No."), cp_ui_attr(ui, UI_R_TITLE));
	cp_ui_put(w, 3, 7, 8, _("Parked"), cp_ui_attr(ui, UI_R_TITLE), false);
	cp_ui_put(w, 3, 16, who_cols, _("Staff"), cp_ui_attr(ui, UI_R_TITLE), false);
	cp_ui_put(w, 3, 16 + who_cols, 14, _("Member"), cp_ui_attr(ui, UI_R_TITLE), false);
	cp_ui_put_right(w, 3, 30 + who_cols, 8, _("Items"), cp_ui_attr(ui, UI_R_TITLE));
	cp_ui_put_right(w, 3, 38 + who_cols, 12, _("Total"), cp_ui_attr(ui, UI_R_TITLE));
	if (P.sel < P.top)
		P.top = P.sel;
	if (P.sel >= P.top + visible)
		P.top = P.sel - visible + 1;
	for (int i = P.top; i < P.n && i < P.top + visible; i++) {
		const struct cp_parked *p = &P.list[i];
		attr_t a = i == P.sel ? cp_ui_attr(ui, UI_R_SELECT) : cp_ui_attr(ui, UI_R_NORMAL);
		int y = y0 + i - P.top;

		wattron(w, a);
		mvwhline(w, y, 0, ' ', ui->cols);
		wattroff(w, a);
		snprintf(num, sizeof(num), "%lld", (long long)p->id);
		cp_ui_put_right(w, y, 0, 5, num, a);
		cp_ui_put(w, y, 7, 8, cp_ui_when(p->parked_at, when, sizeof(when)), a, false);
		snprintf(line, sizeof(line), "%s %s", p->staff, p->staff_name);
		cp_ui_put(w, y, 16, who_cols, line, a, false);
		cp_ui_put(w, y, 16 + who_cols, 14, p->member_masked[0] ? p->member_masked : "-", a,
			  false);
		snprintf(num, sizeof(num), "%lld", (long long)p->items);
		cp_ui_put_right(w, y, 30 + who_cols, 8, num, a);
		cp_ui_put_right(w, y, 38 + who_cols, 12,
				cp_ui_money(ui, p->total, total, sizeof(total)), a);
	}
	cp_ui_draw_wrapped(w, ui->rows - 5, 0, ui->cols, 2,
			   _("The total is what the sale came to when it was parked; it is priced "
			     "again when recalled."),
			   cp_ui_attr(ui, UI_R_DIM));
}

static const struct ui_footkey parked_footer[] = {
	{"Enter", NULL, N_("Recall"), 0},
	{"Esc", NULL, N_("Back"), 0},
};

const struct ui_screen cp_ui_screen_parked = {
	.name = "parked",
	.leave = parked_leave,
	.draw = parked_draw,
	.key = parked_key,
	UI_FOOTER(parked_footer),
};
