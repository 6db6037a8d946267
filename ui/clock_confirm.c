/* clock_confirm.c — when core refuses an event because the clock is more than a day before the
 * journal's newest event, the till asks at once whether the clock is right; a yes needs a
 * manager's code and PIN, and core records the confirmation. Whatever was refused (a payment,
 * a registration, a refund) is then simply done again: nothing of it was written. */
#include <stdio.h>
#include <time.h>

#include "journal.h"
#include "ui_int.h"

/* "2026-11-23 18:35" in local time. */
static void local_minute(int64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!localtime_r(&t, &tm) || strftime(out, 32, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(out, 32, "?");
}

static enum cp_err confirmed(struct ui *ui, const char *code, const char *pin)
{
	struct cp_clock_confirm_result r;
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_clockcheck_confirm(ui->db, &ui->session, code, pin, &r, &err);

	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return rc;
	}
	cp_ui_msg(ui, UI_MSG_OK, _("Clock confirmed by manager %s. Carry on where you were."),
		  r.authorised_by);
	return CP_OK;
}

static void ask_manager(struct ui *ui)
{
	cp_ui_manager_pin(ui, _("Confirming the clock needs a manager's code and PIN."), confirmed);
}

void cp_ui_clock_refused(struct ui *ui)
{
	char now_s[32], last_s[32], text[512];
	int64_t now, last;

	if (!cp_clockcheck_behind(ui->db, &now, &last))
		return; /* years off, or already settled: the error message says what to do */
	local_minute(now, now_s);
	local_minute(last, last_s);
	snprintf(text, sizeof(text),
		 _("The clock says %s, but the last recorded event was at %s. If the clock is "
		   "right, a manager confirms it and selling goes on. If not, choose No and set "
		   "the date and time."),
		 now_s, last_s);
	cp_ui_confirm(ui, _("Is the clock right?"), text, ask_manager);
}
