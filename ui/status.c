/* status.c — the status line at the top of every screen: store, terminal, who is logged in,
 * ONLINE/OFFLINE with since when, journal rows waiting for HQ, the business day and the time.
 * The sync state comes from core (written by the sync thread); reading it is cheap, and it is
 * read once a second, never waited for. A receipt the printer failed on is shown here too,
 * until it prints: the printing threads leave their outcomes in the printer's mailbox. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cp_clock.h"
#include "cp_printer.h"
#include "db.h"
#include "textwidth.h"
#include "ui_int.h"

/* What the printing threads said since the last look; true when something changed. */
static bool printer_outcomes(struct ui *ui)
{
	struct cp_printer_outcome o;
	char why[600];
	bool changed = false;

	while (cp_printer_outcome_pop(&o)) {
		changed = true;
		if (cp_ui_slip_outcome(ui, &o))
			continue;
		if (o.result == CP_OK) {
			if (strcmp(o.tag, ui->print_failed) == 0)
				ui->print_failed[0] = '\0';
			continue;
		}
		if (strcmp(o.tag, "report") == 0) { /* a report is printed again from its screen */
			cp_ui_msg(
				ui, UI_MSG_ERROR,
				_("Report NOT printed (fix the printer, then F8 prints it again): "
				  "%s"),
				o.message[0] ? o.message : _("the printer failed"));
			beep();
			continue;
		}
		snprintf(ui->print_failed, sizeof(ui->print_failed), "%s", o.tag);
		cp_ui_msg(ui, UI_MSG_ERROR,
			  _("Receipt %s not printed, kept for reprint (F9, manager menu): %s"),
			  o.tag,
			  o.message[0] ? cp_ui_errtext(&o.err, o.result, why, sizeof(why))
				       : _("the printer failed"));
		beep();
	}
	return changed;
}

bool cp_ui_status_tick(struct ui *ui)
{
	struct cp_errbuf err = {{0}};
	bool printed = printer_outcomes(ui);

	if (ui->sync_read_at && ui->now - ui->sync_read_at < 1000)
		return printed;
	ui->sync_read_at = ui->now;
	ui->sync_ok = cp_syncstate_status_get(ui->db, &ui->sync, &err) == CP_OK;
	return true;
}

/* "ONLINE since 10:02", "OFFLINE since 09:55", or why there is no HQ at all. */
static const char *sync_text(struct ui *ui, char *buf, size_t len, enum ui_role *role)
{
	char when[32];

	*role = UI_R_OFFLINE;
	if (!ui->sync_ok) {
		snprintf(buf, len, "%s", _("OFFLINE (sync state unreadable)"));
	} else if (!ui->sync.enrolled) {
		snprintf(buf, len, "%s", _("OFFLINE (not enrolled)"));
	} else if (ui->sync.stopped) {
		snprintf(buf, len, "%s", _("OFFLINE (sync stopped)"));
	} else if (ui->sync.online) {
		*role = UI_R_ONLINE;
		snprintf(buf, len, _("ONLINE since %s"),
			 cp_ui_when(ui->sync.since, when, sizeof(when)));
	} else if (ui->sync.since) {
		snprintf(buf, len, _("OFFLINE since %s"),
			 cp_ui_when(ui->sync.since, when, sizeof(when)));
	} else {
		snprintf(buf, len, "%s", _("OFFLINE"));
	}
	return buf;
}

/* Widths of the segments; returns the total with " | " between the ones shown. */
static int total(const char *const *seg, const int *w, int n)
{
	int t = 0, shown = 0;

	for (int i = 0; i < n; i++) {
		if (!seg[i])
			continue;
		t += w[i] + (shown++ ? 3 : 1);
	}
	return t;
}

void cp_ui_status_draw(struct ui *ui, WINDOW *w)
{
	enum { S_STORE, S_TERM, S_WHO, S_PRINT, S_SYNC, S_QUEUE, S_DAY, S_CLOCK, S_N };
	attr_t st = cp_ui_attr(ui, UI_R_STATUS);
	char term[40], who[96], sync[96], queue[48], day[11], dayl[48], clock[8], print[96];
	const char *seg[S_N];
	int wid[S_N], x = 1;
	enum ui_role sync_role;
	int64_t wall = cp_db_now(ui->db);
	time_t t = (time_t)(wall / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(clock, sizeof(clock), "%H:%M", &tm);
	cp_business_day(wall, ui->opts->cutover_min, day);
	snprintf(term, sizeof(term), "%s-%s", cp_db_store_id(ui->db), cp_db_terminal_id(ui->db));
	if (ui->logged_in)
		snprintf(who, sizeof(who), "%s %s", ui->session.name, ui->session.code);
	else
		snprintf(who, sizeof(who), "%s", _("not logged in"));
	sync_text(ui, sync, sizeof(sync), &sync_role);
	snprintf(queue, sizeof(queue), _("%lld to send"),
		 ui->sync_ok ? (long long)ui->sync.queue_depth : 0LL);
	/* TRANSLATORS: the business day (a date) in the status line */
	snprintf(dayl, sizeof(dayl), _("Day %s"), day);
	seg[S_STORE] = ui->store;
	seg[S_TERM] = term;
	seg[S_WHO] = who;
	seg[S_PRINT] = NULL;
	if (ui->print_failed[0]) {
		/* TRANSLATORS: on the status line: the receipt the printer failed on */
		snprintf(print, sizeof(print), _("NOT PRINTED %s"), ui->print_failed);
		seg[S_PRINT] = print;
	}
	seg[S_SYNC] = sync;
	seg[S_QUEUE] = queue;
	seg[S_DAY] = dayl;
	seg[S_CLOCK] = clock;
	for (int i = 0; i < S_N; i++) {
		wid[i] = seg[i] ? cp_ui_text_width(seg[i]) : 0;
		if (wid[i] < 0)
			wid[i] = 1;
	}
	/* What gives way when the line is too narrow: the store's name, then the clock. */
	if (total(seg, wid, S_N) > ui->cols) {
		int over = total(seg, wid, S_N) - ui->cols;

		if (wid[S_STORE] - over >= 8)
			wid[S_STORE] -= over;
		else
			seg[S_STORE] = NULL;
	}
	if (total(seg, wid, S_N) > ui->cols)
		seg[S_CLOCK] = NULL;
	/* A receipt not printed is worth more than the day and the queue. */
	if (seg[S_PRINT] && total(seg, wid, S_N) > ui->cols)
		seg[S_DAY] = NULL;
	if (seg[S_PRINT] && total(seg, wid, S_N) > ui->cols)
		seg[S_QUEUE] = NULL;
	if (total(seg, wid, S_N) > ui->cols) {
		int over = total(seg, wid, S_N) - ui->cols;

		wid[S_WHO] = wid[S_WHO] > over + 4 ? wid[S_WHO] - over : 4;
	}

	wattron(w, st);
	mvwhline(w, 0, 0, ' ', ui->cols);
	wattroff(w, st);
	for (int i = 0; i < S_N; i++) {
		if (!seg[i])
			continue;
		if (x > 1)
			x += cp_ui_put(w, 0, x, 3, " | ", st, false);
		x += cp_ui_put(w, 0, x, wid[i], seg[i],
			       i == S_SYNC    ? cp_ui_attr(ui, sync_role)
			       : i == S_PRINT ? cp_ui_attr(ui, UI_R_ERROR)
					      : st,
			       false);
	}
}
