/* screen_manager.c — the manager menu: how sync with HQ stands (and what to do when it has
 * stopped), the notices HQ sent back, reprinting a recent receipt, and closing the till. Shifts
 * and the daily tally join it with their issues. A guide's badge scanned here (or F12 and the
 * badge) shows that guide's day (issue 10). */
#include <stdio.h>
#include <string.h>

#include "receipt.h"
#include "scan.h"
#include "ui_int.h"

#define RECEIPTS_MAX 20
#define NOTICES_MAX 8

static struct {
	char receipts[RECEIPTS_MAX][48];
	bool unprinted[RECEIPTS_MAX]; /* the printer failed on it (receipt_copy's error) */
	int nreceipts, nunprinted, sel;
	struct cp_notice notices[NOTICES_MAX];
	int nnotices;
	bool notices_ok;
	int64_t read_at;
	char scan[48]; /* a scan arriving: characters at scanner speed, then Enter or Tab */
	int nscan;
	bool scan_long, scanned; /* longer than any badge; a scan just ended */
} G;

static void reload(struct ui *ui)
{
	struct cp_errbuf err = {{0}};

	G.nnotices = NOTICES_MAX;
	G.notices_ok = cp_hq_notices(ui->db, G.notices, &G.nnotices, &err) == CP_OK;
	if (!G.notices_ok)
		G.nnotices = 0;
	G.nreceipts = 0;
	if (ui->opts->list_receipts) {
		G.nreceipts =
			ui->opts->list_receipts(ui->opts->receipt_ctx, G.receipts, RECEIPTS_MAX);
		if (G.nreceipts < 0)
			G.nreceipts = 0;
		if (G.nreceipts > RECEIPTS_MAX)
			G.nreceipts = RECEIPTS_MAX;
		for (int i = 0; i < G.nreceipts; i++)
			G.receipts[i][47] = '\0';
	}
	G.nunprinted = 0;
	for (int i = 0; i < G.nreceipts; i++) {
		struct cp_receipt_copy_state st;

		G.unprinted[i] = cp_receipt_state(ui->db, G.receipts[i], &st, NULL) == CP_OK &&
				 !st.printed && st.error[0];
		G.nunprinted += G.unprinted[i];
	}
	if (G.sel >= G.nreceipts)
		G.sel = G.nreceipts - 1;
	if (G.sel < 0)
		G.sel = 0;
	G.read_at = ui->now;
	ui->sync_read_at = 0;
	cp_ui_status_tick(ui);
}

static void manager_enter(struct ui *ui)
{
	G.sel = 0;
	reload(ui);
}

void cp_ui_manager_open(struct ui *ui)
{
	cp_ui_push(ui, UI_SCR_manager);
}

static int manager_tick(struct ui *ui)
{
	if (ui->now - G.read_at < 5000)
		return 0;
	reload(ui);
	return UI_REDRAW;
}

static void quit(struct ui *ui)
{
	ui->quit = true;
}

/* The selected receipt on the screen, laid out now. */
static void preview(struct ui *ui)
{
	struct cp_errbuf err = {{0}};
	char *text = NULL;
	enum cp_err rc;

	if (!ui->opts->receipt_text || G.nreceipts == 0)
		return;
	rc = ui->opts->receipt_text(ui->opts->receipt_ctx, G.receipts[G.sel], &text, &err);
	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return;
	}
	cp_ui_preview_open(ui, G.receipts[G.sel], text);
}

static void reprint(struct ui *ui)
{
	static const struct ui_choice show[] = {
		{"Enter", NULL, N_("Show it on screen"), preview},
		{"Esc", NULL, N_("Close"), NULL},
	};
	struct ui_choice c[2];
	struct cp_errbuf err = {{0}};
	char text[256];
	enum cp_err rc;

	if (!ui->opts->reprint || G.nreceipts == 0) {
		cp_ui_msg(ui, UI_MSG_WARN, "%s", _("There is no receipt to reprint."));
		return;
	}
	rc = ui->opts->reprint(ui->opts->receipt_ctx, G.receipts[G.sel], &err);
	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return;
	}
	if (ui->opts->printer) {
		cp_ui_msg(ui, UI_MSG_OK, _("Receipt %s sent to the printer again."),
			  G.receipts[G.sel]);
		return;
	}
	snprintf(text, sizeof(text), _("No printer is set up: receipt %s is kept, not printed."),
		 G.receipts[G.sel]);
	cp_ui_msg(ui, UI_MSG_WARN, "%s", text);
	if (!ui->opts->receipt_text)
		return;
	for (int i = 0; i < 2; i++) {
		c[i] = show[i];
		c[i].label = _(show[i].label);
	}
	cp_ui_choose(ui, _("Not printed"), text, c, 2);
}

/* A scan is a run of characters at scanner speed ended by Enter or Tab; a key typed by hand acts
 * as itself. The scanner's second end character (CR LF) is swallowed. */
static bool scan_key(struct ui *ui, const struct ui_key *k)
{
	bool after = G.scanned;

	G.scanned = false;
	if (k->code == UI_K_CHAR && (k->burst || G.nscan > 0)) {
		if (G.nscan + 1 < (int)sizeof(G.scan) && k->ch > 0x20 && k->ch < 0x7f)
			G.scan[G.nscan++] = (char)k->ch;
		else
			G.scan_long = true;
		return true;
	}
	if ((k->code == UI_K_ENTER || k->code == UI_K_TAB) && G.nscan > 0) {
		G.scan[G.nscan] = '\0';
		if (G.scan_long || G.nscan < UI_SCAN_MIN || !cp_ui_guide_day_of(ui, G.scan))
			cp_ui_msg(ui, UI_MSG_WARN, "%s",
				  _("That was not a guide's badge: scan the badge on the guide's "
				    "card."));
		G.nscan = 0;
		G.scan_long = false;
		G.scanned = true;
		return true;
	}
	G.nscan = 0;
	G.scan_long = false;
	return after && k->code == UI_K_ENTER && k->gap < UI_BURST_GAP_MS;
}

static int manager_key(struct ui *ui, const struct ui_key *k)
{
	if (scan_key(ui, k))
		return UI_HANDLED;
	if (k->code == UI_K_ESC)
		return UI_DONE;
	if (k->code == UI_K_UP && G.sel > 0)
		G.sel--;
	else if (k->code == UI_K_DOWN && G.sel + 1 < G.nreceipts)
		G.sel++;
	else if (k->code == UI_K_ENTER || cp_ui_key_named(k, "F4", "p"))
		reprint(ui);
	else if (cp_ui_key_named(k, "F5", "u"))
		reload(ui);
	else if (cp_ui_key_named(k, "F6", "r"))
		cp_ui_report_open(ui);
	else if (cp_ui_key_named(k, "F12", "d"))
		cp_ui_guide_day(ui);
	else if (cp_ui_key_named(k, "F7", "s"))
		cp_ui_staff_open(ui);
	else if (cp_ui_key_named(k, "F10", "x"))
		cp_ui_confirm(
			ui, _("Close Counterpoint?"),
			_("The till program ends. The open sale is kept and comes back at the "
			  "next start."),
			quit);
	else if (k->code == UI_K_F1)
		return UI_IGNORED;
	return UI_HANDLED;
}

/* Why sync stopped, in the cashier's language: core's sentence translated by its id, else
 * as recorded. */
static const char *stop_text(const struct cp_sync_status *s, char *buf, size_t len)
{
	struct cp_errbuf e = {{0}};

	if (!s->stop_id[0] || _(s->stop_id) == s->stop_id)
		return s->stop_reason;
	e.id = s->stop_id;
	e.nargs = s->stop_nargs;
	memcpy(e.args, s->stop_args, sizeof(e.args));
	if (!cp_err_render(&e, e.id, e.msg, sizeof(e.msg)))
		return s->stop_reason;
	return cp_ui_errtext(&e, CP_EIO, buf, len);
}

static int draw_sync(struct ui *ui, WINDOW *w, int y, int x, int wd)
{
	const struct cp_sync_status *s = &ui->sync;
	attr_t n = cp_ui_attr(ui, UI_R_NORMAL);
	char line[600], a[32], why[512];
	int y0 = y;

	cp_ui_put(w, y++, x, wd, _("Sync with HQ"), cp_ui_attr(ui, UI_R_TITLE), false);
	if (!ui->sync_ok) {
		cp_ui_put(w, y++, x, wd, _("The sync state cannot be read."),
			  cp_ui_attr(ui, UI_R_ERROR), false);
		return y - y0;
	}
	if (!s->enrolled) {
		cp_ui_draw_wrapped(w, y, x, wd, 2,
				   _("This till is not connected to HQ: it sells offline and keeps "
				     "everything for later. Ask chain IT to enrol this till."),
				   cp_ui_attr(ui, UI_R_WARN));
		y += 2;
	} else if (s->online) {
		snprintf(line, sizeof(line), _("ONLINE since %s; last success %s"),
			 cp_ui_when(s->since, a, sizeof(a)),
			 cp_ui_when(s->last_success, a + 16, 16));
		cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_OK), false);
	} else {
		snprintf(line, sizeof(line), _("OFFLINE since %s; last success %s"),
			 cp_ui_when(s->since, a, sizeof(a)),
			 cp_ui_when(s->last_success, a + 16, 16));
		cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_WARN), false);
	}
	snprintf(line, sizeof(line), _("Journal rows waiting: %lld (sent up to %lld of %lld)"),
		 (long long)s->queue_depth, (long long)s->acked_seq, (long long)s->last_seq);
	cp_ui_put(w, y++, x, wd, line, n, false);
	/* A stop says it below; the same sentence twice would only push the rest away. */
	if (s->last_error_at && !(s->stopped && strcmp(s->last_error, s->stop_reason) == 0)) {
		snprintf(line, sizeof(line), _("Last error at %s: %s"),
			 cp_ui_when(s->last_error_at, a, sizeof(a)), s->last_error);
		cp_ui_put(w, y++, x, wd, line, n, false);
	}
	if (s->enrolled && !s->online && s->next_try && !s->stopped) {
		snprintf(line, sizeof(line), _("Next try at %s"),
			 cp_ui_when(s->next_try, a, sizeof(a)));
		cp_ui_put(w, y++, x, wd, line, n, false);
	}
	if (s->stopped) {
		/* What is wrong (core's sentence names the cause and the fix), then what it
		 * means at the counter and who acts. */
		snprintf(line, sizeof(line), _("Sync has STOPPED: %s"),
			 stop_text(s, why, sizeof(why)));
		y += cp_ui_draw_wrapped(w, y, x, wd, 4, line, cp_ui_attr(ui, UI_R_ERROR));
		if (s->stop_kind == CP_SYNC_STOP_CONFIG)
			snprintf(
				line, sizeof(line),
				_("What to do: keep selling, nothing is lost. Call chain IT to fix "
				  "the HQ address, its certificate or the [sync] settings. Sync "
				  "checks again at %s, and at once when the till is restarted."),
				cp_ui_when(s->next_try, a, sizeof(a)));
		else
			snprintf(line, sizeof(line), "%s",
				 _("What to do: keep selling, nothing is lost. Call chain IT: sync "
				   "stays stopped until they act as said above; usually they enrol "
				   "this till again."));
		y += cp_ui_draw_wrapped(w, y, x, wd, 3, line, cp_ui_attr(ui, UI_R_WARN));
	}
	if (s->unknown_changes) {
		snprintf(line, sizeof(line),
			 _("%lld changes from HQ were of kinds this version does not know: update "
			   "Counterpoint."),
			 (long long)s->unknown_changes);
		cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_WARN), false);
	}
	return y - y0;
}

static void manager_draw(struct ui *ui, WINDOW *w)
{
	int x = 2, wd = ui->cols - 4, y = 1, half = wd / 2;
	char line[640], a[32];

	cp_ui_put(w, y++, x, wd, _("Manager menu"), cp_ui_attr(ui, UI_R_TITLE), false);
	y++;
	y += draw_sync(ui, w, y, x, wd) + 1;
	cp_ui_put(w, y++, x, half - 2, _("Notices from HQ"), cp_ui_attr(ui, UI_R_TITLE), false);
	{
		int ny = y;

		if (!G.nnotices)
			cp_ui_put(w, ny++, x, half - 2, _("none"), cp_ui_attr(ui, UI_R_DIM), false);
		for (int i = 0; i < G.nnotices && ny < ui->rows - 4; i++) {
			snprintf(line, sizeof(line), "%s %s",
				 cp_ui_when(G.notices[i].at, a, sizeof(a)), G.notices[i].message);
			ny += cp_ui_draw_wrapped(w, ny, x, half - 2, 2, line,
						 cp_ui_attr(ui, UI_R_NORMAL));
		}
	}
	if (G.nunprinted) {
		snprintf(line, sizeof(line), _("Reprint a receipt (%d not printed)"), G.nunprinted);
		cp_ui_put(w, y - 1, x + half, half, line, cp_ui_attr(ui, UI_R_ERROR), false);
	} else {
		cp_ui_put(w, y - 1, x + half, half, _("Reprint a receipt"),
			  cp_ui_attr(ui, UI_R_TITLE), false);
	}
	if (!ui->opts->list_receipts || G.nreceipts == 0)
		cp_ui_put(w, y, x + half, half, _("no receipts kept"), cp_ui_attr(ui, UI_R_DIM),
			  false);
	for (int i = 0; i < G.nreceipts && y + i < ui->rows - 4; i++) {
		/* TRANSLATORS: a receipt in the manager menu's list that the printer failed on */
		snprintf(line, sizeof(line), G.unprinted[i] ? _("%s  NOT PRINTED") : "%s",
			 G.receipts[i]);
		cp_ui_put(w, y + i, x + half, half, line,
			  i == G.sel       ? cp_ui_attr(ui, UI_R_SELECT)
			  : G.unprinted[i] ? cp_ui_attr(ui, UI_R_ERROR)
					   : cp_ui_attr(ui, UI_R_NORMAL),
			  true);
	}
}

static const struct ui_footkey manager_footer[] = {
	{"F4", "p", N_("Reprint"), 0},        {"F5", "u", N_("Read again"), 0},
	{"F6", "r", N_("Shift and day"), 0},  {"F10", "x", N_("Close the till"), 0},
	{"Esc", NULL, N_("Back to sale"), 0}, {"F7", "s", N_("Staff codes"), 0},
	{"F12", "d", N_("Guide's day"), 1},
};

const struct ui_screen cp_ui_screen_manager = {
	.name = "manager",
	.enter = manager_enter,
	.draw = manager_draw,
	.key = manager_key,
	.tick = manager_tick,
	UI_FOOTER(manager_footer),
};
