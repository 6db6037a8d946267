/* screen_offers.c — the attached member's points-plus-cash offers (积分+现金): points, cash and
 * what is left of the limit for each, the ones the member cannot take now greyed with the
 * reason; Enter takes the selected one into the sale, which holds its points. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coupon.h"
#include "offer.h"
#include "ui_int.h"

static struct {
	struct cp_offer_list *list;
	int sel, top;
} O;

/* The reasons of offer.h, for the translators (cp_offer_why_text gives the English). */
static const char *why_text(enum cp_offer_why why)
{
	switch (why) {
	case CP_OFFER_NOT_YET:
		return _("not started");
	case CP_OFFER_ENDED:
		return _("ended");
	case CP_OFFER_TIER:
		return _("tier too low");
	case CP_OFFER_LIMIT:
		return _("limit reached");
	case CP_OFFER_STOCK:
		return _("out of stock");
	case CP_OFFER_POINTS:
		return _("too few points");
	case CP_OFFER_REWARD:
		return _("reward not available");
	case CP_OFFER_OK:
		break;
	}
	return "";
}

static bool load(struct ui *ui)
{
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	if (!O.list && !(O.list = malloc(sizeof(*O.list))))
		cp_ui_fatal("out of memory");
	rc = cp_offer_list(ui->db, &ui->session, O.list, &err);
	if (rc != CP_OK) {
		O.list->n = 0;
		cp_ui_fail(ui, &err, rc);
		return false;
	}
	if (O.sel >= O.list->n)
		O.sel = O.list->n - 1;
	if (O.sel < 0)
		O.sel = 0;
	return true;
}

void cp_ui_offers_open(struct ui *ui)
{
	cp_ui_cart_refresh(ui);
	if (ui->foreign.open) {
		cp_ui_cart_ask(ui);
		return;
	}
	if (!ui->cart->has_member) {
		cp_ui_msg(
			ui, UI_MSG_WARN, "%s",
			_("Attach a member first (F2): offers are paid with the member's points."));
		beep();
		return;
	}
	O.sel = O.top = 0;
	if (load(ui))
		cp_ui_push(ui, UI_SCR_offers);
}

static void offers_leave(struct ui *ui)
{
	(void)ui;
	free(O.list);
	O.list = NULL;
}

/* Points for a coupon: the coupon is issued at once (one event), not a line of the sale, and
 * printed at once on its slip. */
static int exchange(struct ui *ui, const struct cp_offer_entry *e)
{
	struct cp_coupon_exchange x;
	struct cp_errbuf err = {{0}};
	char what[384];
	enum cp_err rc = cp_coupon_exchange(ui->db, &ui->session, e->offer.id, &x, &err);

	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		load(ui);
		return UI_HANDLED;
	}
	cp_ui_cart_refresh(ui);
	snprintf(what, sizeof(what), _("%lld points exchanged for coupon %s (%s), valid %s to %s."),
		 (long long)x.points, x.coupon.code,
		 x.coupon.t.title_zh[0] ? x.coupon.t.title_zh : x.coupon.t.title_en,
		 x.coupon.valid_from, x.coupon.valid_to);
	cp_ui_slip_print(ui, x.coupon.code, what);
	return UI_DONE;
}

static int take(struct ui *ui)
{
	const struct cp_offer_entry *e;
	struct cp_errbuf err = {{0}};
	char cash[48];
	enum cp_err rc;

	if (!O.list || O.list->n == 0)
		return UI_HANDLED;
	e = &O.list->e[O.sel];
	if (strcmp(e->offer.reward_kind, "coupon") == 0)
		return exchange(ui, e);
	rc = cp_cart_add_offer(ui->db, &ui->session, e->offer.id, NULL, &err);
	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		load(ui);
		return UI_HANDLED;
	}
	cp_ui_cart_refresh(ui);
	cp_ui_msg(ui, UI_MSG_OK,
		  _("Taken: %s for %lld points + %s. Points held by this sale: %lld."),
		  e->offer.name_zh[0] ? e->offer.name_zh : e->offer.name_en,
		  (long long)e->offer.points, cp_ui_money(ui, e->offer.cash, cash, sizeof(cash)),
		  (long long)ui->cart->points_held);
	return UI_DONE;
}

static int offers_key(struct ui *ui, const struct ui_key *k)
{
	int n = O.list ? O.list->n : 0;

	if (k->code == UI_K_ESC)
		return UI_DONE;
	if (k->code == UI_K_ENTER)
		return take(ui);
	if (k->code == UI_K_UP || k->code == UI_K_DOWN || k->code == UI_K_PGUP ||
	    k->code == UI_K_PGDN) {
		int step = k->code == UI_K_PGUP || k->code == UI_K_PGDN ? 10 : 1;

		O.sel += k->code == UI_K_UP || k->code == UI_K_PGUP ? -step : step;
		if (O.sel >= n)
			O.sel = n - 1;
		if (O.sel < 0)
			O.sel = 0;
		return UI_HANDLED;
	}
	return UI_IGNORED;
}

static void offers_draw(struct ui *ui, WINDOW *w)
{
	const struct cp_offer_list *l = O.list;
	int y0 = 4, visible = ui->rows - 3 - y0, name_cols = ui->cols - 44;
	char line[256], cash[48], num[32];

	if (!l)
		return;
	snprintf(line, sizeof(line),
		 _("Offers for %s: balance %lld, held by this sale %lld, can spend %lld points"),
		 ui->cart->has_member ? ui->cart->member.name : "", (long long)l->balance,
		 (long long)l->held, (long long)l->available);
	cp_ui_put(w, 1, 0, ui->cols, line, cp_ui_attr(ui, UI_R_POINTS), true);
	cp_ui_put(w, 3, 0, name_cols, _("Offer"), cp_ui_attr(ui, UI_R_TITLE), false);
	cp_ui_put_right(w, 3, name_cols, 8, _("Points"), cp_ui_attr(ui, UI_R_TITLE));
	cp_ui_put_right(w, 3, name_cols + 8, 10, _("Cash"), cp_ui_attr(ui, UI_R_TITLE));
	cp_ui_put_right(w, 3, name_cols + 18, 6, _("Left"), cp_ui_attr(ui, UI_R_TITLE));
	cp_ui_put(w, 3, name_cols + 26, 18, _("Why not"), cp_ui_attr(ui, UI_R_TITLE), false);
	if (l->n == 0) {
		cp_ui_draw_wrapped(w, y0 + 1, 2, ui->cols - 4, 2,
				   _("No offers today for this member."), cp_ui_attr(ui, UI_R_DIM));
		return;
	}
	if (O.sel < O.top)
		O.top = O.sel;
	if (O.sel >= O.top + visible)
		O.top = O.sel - visible + 1;
	for (int i = O.top; i < l->n && i < O.top + visible; i++) {
		const struct cp_offer_entry *e = &l->e[i];
		attr_t a = i == O.sel
				   ? cp_ui_attr(ui, UI_R_SELECT)
				   : cp_ui_attr(ui, e->why == CP_OFFER_OK ? UI_R_NORMAL : UI_R_DIM);
		int y = y0 + i - O.top;

		wattron(w, a);
		mvwhline(w, y, 0, ' ', ui->cols);
		wattroff(w, a);
		/* as the cart's lines: the Chinese name, the English one when it has none */
		cp_ui_put(w, y, 0, name_cols,
			  e->offer.name_zh[0] ? e->offer.name_zh : e->offer.name_en, a, false);
		snprintf(num, sizeof(num), "%lld", (long long)e->offer.points);
		cp_ui_put_right(w, y, name_cols, 8, num, a);
		cp_ui_put_right(w, y, name_cols + 8, 10,
				cp_ui_money(ui, e->offer.cash, cash, sizeof(cash)), a);
		if (e->limit_left >= 0)
			snprintf(num, sizeof(num), "%lld", (long long)e->limit_left);
		else
			snprintf(num, sizeof(num), "-");
		cp_ui_put_right(w, y, name_cols + 18, 6, num, a);
		cp_ui_put(w, y, name_cols + 26, 18, why_text(e->why), a, false);
	}
	if (l->more)
		cp_ui_put(w, ui->rows - 4, 0, ui->cols, _("More offers than shown: the first 64."),
			  cp_ui_attr(ui, UI_R_DIM), false);
}

static const struct ui_footkey offers_footer[] = {
	{"Enter", NULL, N_("Take"), 0},
	{"Esc", NULL, N_("Back"), 0},
};

const struct ui_screen cp_ui_screen_offers = {
	.name = "offers",
	.leave = offers_leave,
	.draw = offers_draw,
	.key = offers_key,
	UI_FOOTER(offers_footer),
};
