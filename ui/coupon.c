/* coupon.c — coupons on the sale screen: a code typed (key c) or scanned (a code that is no
 * item and has a coupon's shape) is applied to the sale, the attached member's coupons are
 * listed (key v), and what the cart's coupons take off is kept beside the cart for the panel
 * and the payment screen. Core (coupon.h) judges every rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coupon.h"
#include "input.h"
#include "ui_int.h"

void cp_ui_coupon_refresh(struct ui *ui)
{
	struct cp_coupon_quote q;

	ui->coupon_off = 0;
	ui->ncoupons = 0;
	if (!ui->logged_in || !ui->cart->open)
		return;
	/* a coupon that no longer holds takes nothing off here; paying names why */
	if (cp_coupon_quote(ui->db, &ui->session, &q, NULL) == CP_OK) {
		ui->coupon_off = q.discount;
		ui->ncoupons = q.n;
	}
}

int64_t cp_ui_coupon_due(const struct ui *ui)
{
	int64_t due = ui->cart->total - ui->coupon_off;

	return due > 0 ? due : 0;
}

/* A code already on the sale comes off it (the way to take a coupon back before paying). */
static bool taken_off(struct ui *ui, const char *text)
{
	char code[CP_COUPON_CODE_LEN + 1];
	struct cp_coupon_quote q;
	struct cp_errbuf err = {{0}};
	bool on = false;
	enum cp_err rc;

	if (cp_coupon_parse(text, code) != CP_COUPON_SHAPE_OK)
		return false;
	if (cp_coupon_quote(ui->db, &ui->session, &q, NULL) == CP_OK)
		for (int i = 0; i < q.n; i++)
			on = on || strcmp(q.c[i].code, code) == 0;
	if (!on && ui->ncoupons == 0)
		return false;
	if (!on) /* a coupon that no longer holds is not in the quote: try to take it off */
		on = cp_coupon_remove(ui->db, &ui->session, code, NULL) == CP_OK;
	else if ((rc = cp_coupon_remove(ui->db, &ui->session, code, &err)) != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return true;
	}
	if (!on)
		return false;
	cp_ui_cart_refresh(ui);
	cp_ui_msg(ui, UI_MSG_INFO, _("Coupon %s is taken off the sale."), code);
	return true;
}

static void apply(struct ui *ui, const char *text)
{
	struct cp_coupon_quote q;
	struct cp_errbuf err = {{0}};
	enum cp_err rc;
	char off[48], due[48];

	if (taken_off(ui, text))
		return;
	rc = cp_coupon_apply(ui->db, &ui->session, text, &q, &err);

	if (rc != CP_OK) {
		cp_ui_cart_refresh(ui);
		cp_ui_fail(ui, &err, rc);
		return;
	}
	cp_ui_cart_refresh(ui);
	cp_ui_msg(ui, UI_MSG_OK, _("Coupon %s: %s takes %s off. Due now: %s."), q.c[q.n - 1].code,
		  q.c[q.n - 1].title, cp_ui_money(ui, q.c[q.n - 1].fen, off, sizeof(off)),
		  cp_ui_money(ui, q.due, due, sizeof(due)));
}

void cp_ui_coupon_ask(struct ui *ui)
{
	if (!ui->cart->open || ui->cart->nlines == 0) {
		cp_ui_msg(ui, UI_MSG_WARN, "%s", _("Scan the items first, then the coupon."));
		return;
	}
	cp_ui_ask_scan(ui, _("Coupon"), _("Coupon code"), UI_IN_FOLD | UI_IN_ASCII, 20, apply);
}

bool cp_ui_coupon_scan(struct ui *ui, const char *text)
{
	char code[CP_COUPON_CODE_LEN + 1];

	if (cp_coupon_parse(text, code) == CP_COUPON_SHAPE_NOT)
		return false;
	apply(ui, text);
	return true;
}

void cp_ui_coupon_list(struct ui *ui)
{
	struct cp_coupon_list *l = malloc(sizeof(*l));
	struct cp_errbuf err = {{0}};
	char line[512];
	size_t used = 0;
	int open = 0;
	enum cp_err rc;

	if (!l) {
		cp_ui_msg(ui, UI_MSG_ERROR, "%s", _("out of memory"));
		return;
	}
	rc = cp_coupon_list(ui->db, &ui->session, l, &err);
	if (rc != CP_OK) {
		free(l);
		cp_ui_fail(ui, &err, rc);
		return;
	}
	line[0] = '\0';
	for (int i = 0; i < l->n && strcmp(l->e[i].state, "open") == 0; i++) {
		const struct cp_coupon_info *c = &l->e[i];
		int n = snprintf(line + used, sizeof(line) - used, "%s%s %s (%s %s)",
				 open ? "; " : "", c->code,
				 c->t.title_zh[0] ? c->t.title_zh : c->t.title_en, _("until"),
				 c->valid_to);

		open++;
		if (n < 0 || (size_t)n >= sizeof(line) - used)
			break;
		used += (size_t)n;
	}
	if (!open)
		cp_ui_msg(ui, UI_MSG_INFO, "%s", _("This member has no coupons to use."));
	else
		cp_ui_msg(ui, UI_MSG_INFO, _("%d coupons to use (c applies one): %s"), open, line);
	free(l);
}
