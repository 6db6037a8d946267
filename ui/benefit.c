/* benefit.c — member benefits on the sale screen: the panel says how many the attached member
 * may claim today, key e lists them (open, used this period, the rest) on the message line,
 * and key w grants the first open one (a coupon printed at once on its slip). Core (benefit.h)
 * judges every rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benefit.h"
#include "ui_int.h"

void cp_ui_benefit_refresh(struct ui *ui)
{
	struct cp_benefit_list *l;

	ui->benefits_open = 0;
	ui->benefit_next[0] = '\0';
	if (!ui->logged_in || !ui->cart->open || !ui->cart->has_member || !(l = malloc(sizeof(*l))))
		return;
	if (cp_benefit_list_member(ui->db, ui->cart->member.id, l, NULL) == CP_OK && l->open) {
		ui->benefits_open = l->open;
		snprintf(ui->benefit_next, sizeof(ui->benefit_next), "%s", l->e[0].b.id);
	}
	free(l);
}

static const char *title_of(const struct cp_benefit *b)
{
	return b->title_zh[0] ? b->title_zh : b->title_en;
}

/* Titles of the list's entries in state st, "; "-separated, into out. */
static int titles(const struct cp_benefit_list *l, enum cp_benefit_state st, char *out,
		  size_t outlen)
{
	size_t used = 0;
	int n = 0;

	out[0] = '\0';
	for (int i = 0; i < l->n; i++) {
		int k;

		if (l->e[i].state != st)
			continue;
		k = snprintf(out + used, outlen - used, "%s%s", n ? "; " : "",
			     title_of(&l->e[i].b));
		n++;
		if (k < 0 || (size_t)k >= outlen - used)
			break;
		used += (size_t)k;
	}
	return n;
}

void cp_ui_benefit_list(struct ui *ui)
{
	struct cp_benefit_list *l = malloc(sizeof(*l));
	struct cp_errbuf err = {{0}};
	char open[200], used[200];
	enum cp_err rc;

	if (!l) {
		cp_ui_msg(ui, UI_MSG_ERROR, "%s", _("out of memory"));
		return;
	}
	rc = cp_benefit_list(ui->db, &ui->session, l, &err);
	if (rc != CP_OK) {
		free(l);
		cp_ui_fail(ui, &err, rc);
		return;
	}
	titles(l, CP_BENEFIT_OPEN, open, sizeof(open));
	titles(l, CP_BENEFIT_USED, used, sizeof(used));
	if (!l->n)
		cp_ui_msg(ui, UI_MSG_INFO, "%s", _("This member's tier has no benefits."));
	else
		cp_ui_msg(ui, UI_MSG_INFO,
			  _("Benefits open today (w grants): %s. Used this period: %s."),
			  l->open ? open : _("none"), l->used ? used : _("none"));
	free(l);
}

void cp_ui_benefit_grant(struct ui *ui)
{
	struct cp_benefit_grant g;
	struct cp_errbuf err = {{0}};
	char what[384];
	enum cp_err rc;

	cp_ui_benefit_refresh(ui);
	if (!ui->cart->has_member) {
		cp_ui_msg(ui, UI_MSG_WARN, "%s", _("Attach a member first: benefits are theirs."));
		return;
	}
	if (!ui->benefits_open) {
		cp_ui_msg(ui, UI_MSG_WARN, "%s",
			  _("This member has no benefit to claim today (e lists them)."));
		return;
	}
	rc = cp_benefit_grant(ui->db, &ui->session, ui->benefit_next, &g, &err);
	cp_ui_cart_refresh(ui);
	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return;
	}
	if (strcmp(g.what, "points") == 0)
		cp_ui_msg(ui, UI_MSG_OK, _("Granted %s: %lld points; the balance is now %lld."),
			  g.title, (long long)g.points, (long long)g.balance_after);
	else if (strcmp(g.what, "coupon") == 0) {
		snprintf(what, sizeof(what), _("Granted %s: coupon %s, valid %s to %s."), g.title,
			 g.coupon.code, g.coupon.valid_from, g.coupon.valid_to);
		cp_ui_slip_print(ui, g.coupon.code, what);
	} else
		cp_ui_msg(ui, UI_MSG_OK,
			  _("Granted %s: the gift is line %d of the sale, at no charge."), g.title,
			  g.line_no);
}
