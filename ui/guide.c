/* guide.c — shopping guides on the sale screen (issue 10): binding the attached member to the
 * guide whose badge is scanned (a protected member's takeover asks a reason and a manager), the
 * guide who served the sale, a manager unbinding, and the guide's day. Core decides; this only
 * asks and tells. */
#include <stdio.h>
#include <string.h>

#include "guide.h"
#include "ui_int.h"

/* What the questions before a manager's authority gathered. */
static struct {
	char badge[CP_GUIDE_BADGE_MAX + 33];
	char reason[201];
	bool unbind;
	void (*pending)(struct ui *ui, const char *badge); /* the badge question open */
	struct cp_guide_who served;                        /* the serving guide noted last */
	char offer_member[64];
} G;

static void told(struct ui *ui, const struct cp_guide_bind_result *r)
{
	if (strcmp(r->kind, "unbind") == 0)
		cp_ui_msg(ui, UI_MSG_INFO, _("The member is no longer bound to guide %s."),
			  r->previous);
	else if (strcmp(r->kind, "refresh") == 0)
		cp_ui_msg(ui, UI_MSG_INFO, _("The binding to guide %s (%s) is renewed."),
			  r->guide.name, r->guide.code);
	else if (strcmp(r->kind, "takeover") == 0)
		cp_ui_msg(ui, UI_MSG_INFO, _("Guide %s (%s) takes the member over from guide %s."),
			  r->guide.name, r->guide.code, r->previous);
	else
		cp_ui_msg(ui, UI_MSG_INFO, _("The member is now bound to guide %s (%s)."),
			  r->guide.name, r->guide.code);
	cp_ui_cart_refresh(ui);
}

static enum cp_err authorised(struct ui *ui, const char *code, const char *pin)
{
	struct cp_guide_bind_req req = {
		.badge = G.badge, .manager_code = code, .manager_pin = pin, .reason = G.reason};
	struct cp_guide_bind_result r;
	struct cp_errbuf err = {{0}};
	enum cp_err rc = G.unbind ? cp_guide_unbind(ui->db, &ui->session, &req, &r, &err)
				  : cp_guide_bind(ui->db, &ui->session, &req, &r, &err);

	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return rc;
	}
	told(ui, &r);
	return CP_OK;
}

static void reason_typed(struct ui *ui, const char *text)
{
	snprintf(G.reason, sizeof(G.reason), "%s", text);
	if (!G.reason[0]) {
		cp_ui_msg(ui, UI_MSG_WARN, "%s", _("A reason is needed: nothing was changed."));
		return;
	}
	cp_ui_manager_pin(
		ui,
		G.unbind ? _("Unbinding a member needs a manager's code and PIN.")
			 : _("Taking over a protected member needs a manager's code and PIN."),
		authorised);
}

static void badge_typed(struct ui *ui, const char *text)
{
	struct cp_guide_bind_req req = {.badge = text};
	struct cp_guide_bind_result r;
	struct cp_guide_who g;
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	G.pending = NULL;
	snprintf(G.badge, sizeof(G.badge), "%s", text);
	G.unbind = false;
	G.reason[0] = '\0';
	if ((rc = cp_guide_by_badge(ui->db, text, &g, &err)) == CP_OK)
		rc = cp_guide_bind(ui->db, &ui->session, &req, &r, &err);
	if (rc == CP_OK) {
		told(ui, &r);
	} else if (rc == CP_EPERM) { /* the badge is a guide's: the member is protected */
		cp_ui_fail(ui, &err, rc);
		cp_ui_ask(ui, _("Take over a protected member"), _("Reason"), 0, 200, reason_typed);
	} else {
		cp_ui_fail(ui, &err, rc);
	}
}

static bool member_attached(struct ui *ui)
{
	cp_ui_cart_refresh(ui);
	if (ui->cart->open && ui->cart->has_member)
		return true;
	cp_ui_msg(ui, UI_MSG_WARN, "%s",
		  _("No member is attached: attach the member (F2) first, then scan the guide's "
		    "badge."));
	return false;
}

void cp_ui_guide_bind(struct ui *ui)
{
	G.pending = NULL;
	if (!member_attached(ui))
		return;
	G.pending = badge_typed;
	cp_ui_ask_scan(ui, _("Bind to a guide"), _("Guide's badge"), UI_IN_FOLD | UI_IN_ASCII, 32,
		       badge_typed);
}

void cp_ui_guide_unbind(struct ui *ui)
{
	if (!member_attached(ui))
		return;
	if (!ui->cart->member.guide[0]) {
		cp_ui_msg(ui, UI_MSG_WARN, "%s", _("This member has no guide."));
		return;
	}
	G.unbind = true;
	G.badge[0] = '\0';
	cp_ui_ask(ui, _("Unbind the member from their guide"), _("Reason"), 0, 200, reason_typed);
}

static void serve_typed(struct ui *ui, const char *text)
{
	struct cp_guide_who g;
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_guide_serve(ui->db, &ui->session, text, &g, &err);

	G.pending = NULL;
	if (rc == CP_OK)
		G.served = g;
	if (rc != CP_OK)
		cp_ui_fail(ui, &err, rc);
	else
		cp_ui_msg(ui, UI_MSG_INFO, _("Guide %s (%s) served this sale."), g.name, g.code);
}

void cp_ui_guide_serve(struct ui *ui)
{
	cp_ui_cart_refresh(ui);
	if (!ui->cart->open) {
		cp_ui_msg(ui, UI_MSG_WARN, "%s",
			  _("No sale is open: scan the first item, then the guide's badge."));
		return;
	}
	G.pending = serve_typed;
	cp_ui_ask_scan(ui, _("Guide who served"), _("Guide's badge"), UI_IN_FOLD | UI_IN_ASCII, 32,
		       serve_typed);
}

static void show_day(struct ui *ui, const char *badge)
{
	static const struct ui_choice ok[] = {{"Enter", NULL, N_("Close"), NULL}};
	struct ui_choice c = ok[0];
	struct cp_guide_day d;
	struct cp_errbuf err = {{0}};
	char text[512], sales[48], refunds[48], title[128];
	enum cp_err rc = cp_guide_day(ui->db, &ui->session, badge, &d, &err);

	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return;
	}
	snprintf(title, sizeof(title), _("Guide's day: %s (%s), %s"), d.guide.name, d.guide.code,
		 d.day);
	snprintf(text, sizeof(text),
		 _("Credited sales: %lld, %s. Refunds against them: %lld, %s. Members bound today: "
		   "%lld. Members bound in total: %lld. Protection running out within 7 days: "
		   "%lld."),
		 (long long)d.sales, cp_ui_money(ui, d.sales_amount, sales, sizeof(sales)),
		 (long long)d.refunds, cp_ui_money(ui, d.refunds_amount, refunds, sizeof(refunds)),
		 (long long)d.bound_today, (long long)d.bound_total, (long long)d.expiring);
	c.label = _(ok[0].label);
	cp_ui_choose(ui, title, text, &c, 1);
}

static void day_badge_typed(struct ui *ui, const char *text)
{
	G.pending = NULL;
	show_day(ui, text);
}

void cp_ui_guide_day(struct ui *ui)
{
	G.pending = NULL;
	if (ui->session.role == CP_ROLE_GUIDE) {
		show_day(ui, NULL);
		return;
	}
	G.pending = day_badge_typed;
	cp_ui_ask_scan(ui, _("Guide's day"), _("Guide's badge"), UI_IN_FOLD | UI_IN_ASCII, 32,
		       day_badge_typed);
}

bool cp_ui_guide_day_of(struct ui *ui, const char *badge)
{
	struct cp_guide_who g;
	enum cp_err rc = cp_guide_by_badge(ui->db, badge, &g, NULL);

	if (rc == CP_ENOTFOUND || rc == CP_EINVAL)
		return false; /* no staff badge at all */
	G.pending = NULL;
	show_day(ui, badge);
	return true;
}

bool cp_ui_guide_scan(struct ui *ui, const char *code)
{
	void (*act)(struct ui *, const char *) = G.pending;
	struct cp_guide_who g;
	enum cp_err rc = cp_guide_by_badge(ui->db, code, &g, NULL);

	G.pending = NULL;
	if (rc == CP_ENOTFOUND || rc == CP_EINVAL)
		return false; /* not a staff badge: an item */
	if (!act) {
		cp_ui_cart_refresh(ui);
		if (ui->cart->open && ui->cart->has_member)
			act = badge_typed;
		else if (ui->cart->open)
			act = serve_typed;
		else
			act = day_badge_typed;
	}
	act(ui, code);
	return true;
}

static void offer_accepted(struct ui *ui)
{
	struct cp_guide_bind_req req = {.member_id = G.offer_member, .badge = G.served.badge};
	struct cp_guide_bind_result r;
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_guide_bind(ui->db, &ui->session, &req, &r, &err);

	if (rc != CP_OK)
		cp_ui_fail(ui, &err, rc);
	else
		told(ui, &r);
}

void cp_ui_guide_offer(struct ui *ui, const char *member_id, const char *guide)
{
	char text[256];

	if (!member_id || strcmp(guide, G.served.code) != 0 || !G.served.badge[0])
		return;
	snprintf(G.offer_member, sizeof(G.offer_member), "%s", member_id);
	snprintf(text, sizeof(text),
		 _("The member has no guide. Bind them to guide %s (%s), who served them?"),
		 G.served.name, G.served.code);
	cp_ui_confirm(ui, _("Bind to a guide"), text, offer_accepted);
}
