/* discount.c — manual discounts on the sale screen (key x): off the selected line, or the
 * whole sale when the amount starts with '*', by an amount (5.00) or a percentage (10%), with
 * a reason; above the limit core refuses, and the manager's code and PIN are asked for. Core
 * (discount.h) judges every rule. */
#include <stdio.h>
#include <string.h>

#include "discount.h"
#include "money.h"
#include "ui_int.h"

/* The discount being asked for, between the dialogs. */
static struct {
	int line_no;
	enum cp_discount_kind kind;
	int64_t value;
	char reason[CP_DISCOUNT_REASON_MAX + 1];
} P;

static void given(struct ui *ui, const struct cp_discount_result *r)
{
	char off[48], due[48];

	cp_ui_cart_refresh(ui);
	if (P.line_no)
		cp_ui_msg(ui, UI_MSG_OK, _("Line %d: %s off (%s). Due now: %s."), P.line_no,
			  cp_ui_money(ui, r->fen, off, sizeof(off)), P.reason,
			  cp_ui_money(ui, cp_ui_coupon_due(ui), due, sizeof(due)));
	else
		cp_ui_msg(ui, UI_MSG_OK, _("The sale: %s off (%s). Due now: %s."),
			  cp_ui_money(ui, r->fen, off, sizeof(off)), P.reason,
			  cp_ui_money(ui, cp_ui_coupon_due(ui), due, sizeof(due)));
}

static enum cp_err add(struct ui *ui, const char *code, const char *pin)
{
	struct cp_discount_req req = {.line_no = P.line_no,
				      .kind = P.kind,
				      .value = P.value,
				      .reason = P.reason,
				      .manager_code = code,
				      .manager_pin = pin};
	struct cp_discount_result r;
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_discount_add(ui->db, &ui->session, &req, &r, &err);

	if (rc == CP_OK)
		given(ui, &r);
	else if (!(rc == CP_EPERM && !code))
		cp_ui_fail(ui, &err, rc);
	return rc;
}

static enum cp_err with_manager(struct ui *ui, const char *code, const char *pin)
{
	return add(ui, code, pin);
}

static void reason_typed(struct ui *ui, const char *text)
{
	snprintf(P.reason, sizeof(P.reason), "%s", text);
	if (add(ui, NULL, NULL) == CP_EPERM)
		cp_ui_manager_pin(ui,
				  _("This discount is above the limit: a manager's code and PIN."),
				  with_manager);
}

static void amount_typed(struct ui *ui, const char *text)
{
	struct cp_errbuf err = {{0}};
	char buf[32];
	size_t n;
	enum cp_err rc;

	snprintf(buf, sizeof(buf), "%s", text);
	if (buf[0] == '*') {
		P.line_no = 0;
		memmove(buf, buf + 1, strlen(buf));
	}
	n = strlen(buf);
	if (n && buf[n - 1] == '%') {
		P.kind = CP_DISCOUNT_PERCENT;
		rc = cp_discount_parse_percent(buf, &P.value, &err);
	} else {
		P.kind = CP_DISCOUNT_AMOUNT;
		rc = cp_money_parse(buf, &P.value, &err);
	}
	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return;
	}
	/* a reason typed through an input method comes in bursts: the field takes them */
	cp_ui_ask_scan(ui, _("Discount"), _("Reason"), UI_IN_FOLD, CP_DISCOUNT_REASON_MAX / 3,
		       reason_typed);
}

void cp_ui_discount_ask(struct ui *ui, int line_no)
{
	if (!ui->cart->open || ui->cart->nlines == 0) {
		cp_ui_msg(ui, UI_MSG_WARN, "%s", _("The cart is empty: scan an item first."));
		return;
	}
	memset(&P, 0, sizeof(P));
	P.line_no = line_no;
	cp_ui_ask(ui, _("Discount"), _("Off the line: 5.00 or 10%; *5.00 or *10% off the sale"),
		  UI_IN_FOLD | UI_IN_ASCII, 12, amount_typed);
}
