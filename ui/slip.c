/* slip.c — a coupon taken for points or granted as a benefit is printed at once on a slip of its
 * own (its number is the coupon's code), through the same path as a receipt: kept for reprint,
 * printed on a thread of its own. The message line says what became of the slip, and only
 * says it printed once the printer took it. */
#include <stdio.h>
#include <string.h>

#include "cp_printer.h"
#include "ui_int.h"

void cp_ui_slip_print(struct ui *ui, const char *code, const char *what)
{
	ui->slip_code[0] = '\0';
	if (!ui->opts->on_receipt) {
		cp_ui_msg(ui, UI_MSG_OK, "%s", what);
		return;
	}
	ui->opts->on_receipt(ui->opts->receipt_ctx, code);
	if (!ui->opts->printer) { /* what first: the code is read off the screen */
		cp_ui_msg(ui, UI_MSG_WARN,
			  _("%s No printer is set up: its slip %s is kept for reprint (F9, manager "
			    "menu)."),
			  what, code);
		return;
	}
	snprintf(ui->slip_code, sizeof(ui->slip_code), "%s", code);
	snprintf(ui->slip_what, sizeof(ui->slip_what), "%s", what);
	cp_ui_msg(ui, UI_MSG_INFO, _("Printing coupon slip %s. %s"), code, what);
}

bool cp_ui_slip_outcome(struct ui *ui, const struct cp_printer_outcome *o)
{
	char why[600];

	if (!ui->slip_code[0] || strcmp(o->tag, ui->slip_code) != 0)
		return false;
	ui->slip_code[0] = '\0';
	if (o->result == CP_OK) {
		if (strcmp(o->tag, ui->print_failed) == 0)
			ui->print_failed[0] = '\0';
		cp_ui_msg(ui, UI_MSG_OK, _("Coupon slip %s printed: hand it to the member. %s"),
			  o->tag, ui->slip_what);
		return true;
	}
	snprintf(ui->print_failed, sizeof(ui->print_failed), "%s", o->tag);
	cp_ui_msg(ui, UI_MSG_ERROR,
		  _("Coupon slip %s NOT printed, kept for reprint (F9, manager menu): %s"), o->tag,
		  o->message[0] ? cp_ui_errtext(&o->err, o->result, why, sizeof(why))
				: _("the printer failed"));
	beep();
	return true;
}
