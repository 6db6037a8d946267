/* screen_staff.c — a manager on the spot (from the manager menu): the staff codes locked by
 * wrong PINs, unlocking one (F7) and setting a staff member's new PIN, typed twice (F8). Core
 * asks for a manager's authority for each (the manager logged in, or their code and PIN in
 * the dialog) and records each as a journal event; the PINs are wiped once used. */
#include <stdio.h>
#include <string.h>

#include "staff_admin.h"
#include "ui_int.h"

#define LIST_MAX 16

static struct {
	struct cp_staff_admin_entry list[LIST_MAX];
	int n, sel;
	struct ui_field code, pin, again;
	int focus; /* 0 code, 1 new PIN, 2 again */
	char target[UI_INPUT_MAX + 1];
	char new_pin[UI_INPUT_MAX + 1];
	int cur_y, cur_x;
} K;

static void reload(struct ui *ui)
{
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_staff_admin_list(ui->db, K.list, LIST_MAX, &K.n, &err);

	if (rc != CP_OK) {
		K.n = 0;
		cp_ui_fail(ui, &err, rc);
	}
	if (K.sel >= K.n)
		K.sel = K.n - 1;
	if (K.sel < 0)
		K.sel = 0;
}

static void clear_pins(void)
{
	cp_ui_field_clear(&K.pin);
	cp_ui_field_clear(&K.again);
	cp_ui_wipe(K.new_pin, sizeof(K.new_pin));
}

static void staff_enter(struct ui *ui)
{
	cp_ui_field_init(&K.code, UI_FIELD_TEXT, 16, UI_IN_FOLD | UI_IN_ASCII);
	cp_ui_field_init(&K.pin, UI_FIELD_PIN, 12, UI_IN_FOLD | UI_IN_DIGITS);
	cp_ui_field_init(&K.again, UI_FIELD_PIN, 12, UI_IN_FOLD | UI_IN_DIGITS);
	K.focus = 0;
	K.sel = 0;
	reload(ui);
	if (K.n > 0)
		cp_ui_input_set(&K.code.in, K.list[0].code);
}

static void staff_leave(struct ui *ui)
{
	(void)ui;
	clear_pins();
	cp_ui_field_clear(&K.code);
}

void cp_ui_staff_open(struct ui *ui)
{
	cp_ui_push(ui, UI_SCR_staff);
}

static enum cp_err unlock_done(struct ui *ui, const char *code, const char *pin)
{
	struct cp_staff_admin_result r;
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_staff_admin_unlock(ui->db, &ui->session, code, pin, K.target, &r, &err);

	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return rc;
	}
	reload(ui);
	cp_ui_msg(ui, UI_MSG_OK, _("Staff code %s (%s) is unlocked: they can log in again."),
		  r.staff, r.name);
	return CP_OK;
}

static enum cp_err reset_done(struct ui *ui, const char *code, const char *pin)
{
	struct cp_staff_admin_result r;
	struct cp_errbuf err = {{0}};
	enum cp_err rc = cp_staff_admin_reset_pin(ui->db, &ui->session, code, pin, K.target,
						  K.new_pin, &r, &err);

	if (rc == CP_OK || (rc != CP_EAUTH && rc != CP_ELOCKED && rc != CP_EPERM))
		clear_pins(); /* kept only while the manager's PIN may be tried again */
	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return rc;
	}
	reload(ui);
	K.focus = 0;
	cp_ui_msg(ui, UI_MSG_OK,
		  _("Staff code %s (%s) has a new PIN, and is unlocked. Tell them in person."),
		  r.staff, r.name);
	return CP_OK;
}

static bool have_target(struct ui *ui)
{
	snprintf(K.target, sizeof(K.target), "%s", ui_field_text(&K.code));
	if (K.target[0])
		return true;
	cp_ui_msg(ui, UI_MSG_WARN, "%s",
		  _("Type the staff code first, or pick a locked one with Up and Down."));
	beep();
	K.focus = 0;
	return false;
}

static void unlock(struct ui *ui)
{
	if (have_target(ui))
		cp_ui_manager_pin(ui, _("Unlocking a staff code needs a manager's code and PIN."),
				  unlock_done);
}

static void reset(struct ui *ui)
{
	if (!have_target(ui))
		return;
	if (!ui_field_text(&K.pin)[0]) {
		cp_ui_msg(ui, UI_MSG_WARN, "%s", _("Type the new PIN, then type it again."));
		K.focus = 1;
		return;
	}
	if (strcmp(ui_field_text(&K.pin), ui_field_text(&K.again)) != 0) {
		cp_ui_msg(ui, UI_MSG_ERROR, "%s",
			  _("The two PINs differ: type the new PIN twice."));
		beep();
		clear_pins();
		K.focus = 1;
		return;
	}
	snprintf(K.new_pin, sizeof(K.new_pin), "%s", ui_field_text(&K.pin));
	cp_ui_field_clear(&K.pin);
	cp_ui_field_clear(&K.again);
	cp_ui_manager_pin(ui, _("Setting a new PIN needs a manager's code and PIN."), reset_done);
}

static struct ui_field *focused(void)
{
	return K.focus == 0 ? &K.code : K.focus == 1 ? &K.pin : &K.again;
}

static int staff_key(struct ui *ui, const struct ui_key *k)
{
	enum ui_field_rc rc;

	if (k->code == UI_K_ESC)
		return UI_DONE;
	if (cp_ui_key_named(k, "F7", NULL)) {
		unlock(ui);
		return UI_HANDLED;
	}
	if (cp_ui_key_named(k, "F8", NULL)) {
		reset(ui);
		return UI_HANDLED;
	}
	if ((k->code == UI_K_TAB && !k->burst) || k->code == UI_K_BTAB) {
		K.focus = (K.focus + (k->code == UI_K_BTAB ? 2 : 1)) % 3;
		return UI_HANDLED;
	}
	if (k->code == UI_K_UP || k->code == UI_K_DOWN) {
		K.sel += k->code == UI_K_UP ? -1 : 1;
		if (K.sel >= K.n)
			K.sel = K.n - 1;
		if (K.sel < 0)
			K.sel = 0;
		if (K.n > 0)
			cp_ui_input_set(&K.code.in, K.list[K.sel].code);
		return UI_HANDLED;
	}
	rc = cp_ui_field_key(focused(), k);
	switch (rc) {
	case UI_FIELD_PIN_SCAN:
		cp_ui_msg(ui, UI_MSG_ERROR, "%s",
			  _("That was a scan, not a PIN: type the PIN by hand."));
		beep();
		return UI_HANDLED;
	case UI_FIELD_SUBMIT:
		if (K.focus < 2)
			K.focus++;
		else
			reset(ui);
		return UI_HANDLED;
	default:
		return cp_ui_field_refusal(ui, rc);
	}
}

static void staff_draw(struct ui *ui, WINDOW *w)
{
	int x = 2, wd = ui->cols - 4, y = 1, fy;
	char line[256], when[32];
	int c[3];

	cp_ui_put(w, y++, x, wd, _("Staff codes: unlock, or set a new PIN"),
		  cp_ui_attr(ui, UI_R_TITLE), false);
	y++;
	cp_ui_put(w, y++, x, wd, _("Locked, or with wrong PINs counted"),
		  cp_ui_attr(ui, UI_R_TITLE), false);
	if (K.n == 0)
		cp_ui_put(w, y++, x + 2, wd - 2, _("none"), cp_ui_attr(ui, UI_R_DIM), false);
	for (int i = 0; i < K.n && y < ui->rows - 10; i++, y++) {
		const struct cp_staff_admin_entry *e = &K.list[i];

		if (e->locked)
			snprintf(line, sizeof(line), _("%-6s %s  locked until %s"), e->code,
				 e->name, cp_ui_when(e->locked_until, when, sizeof(when)));
		else
			snprintf(line, sizeof(line), _("%-6s %s  wrong PINs: %lld"), e->code,
				 e->name, (long long)e->failed);
		cp_ui_put(w, y, x + 2, wd - 2, line,
			  i == K.sel ? cp_ui_attr(ui, UI_R_SELECT) : cp_ui_attr(ui, UI_R_NORMAL),
			  true);
	}
	fy = ui->rows - 9;
	c[0] = cp_ui_draw_field(ui, w, fy, x, _("Staff code"), 16, &K.code, 18, K.focus == 0);
	c[1] = cp_ui_draw_field(ui, w, fy + 2, x, _("New PIN"), 16, &K.pin, 14, K.focus == 1);
	c[2] = cp_ui_draw_field(ui, w, fy + 3, x, _("New PIN again"), 16, &K.again, 14,
				K.focus == 2);
	K.cur_y = K.focus == 0 ? fy : fy + 1 + K.focus;
	K.cur_x = c[K.focus];
	cp_ui_draw_wrapped(
		w, fy + 5, x, wd, 2,
		_("F7 unlocks the staff code; F8 gives it the new PIN (which also unlocks "
		  "it). Each asks for a manager and is recorded in the journal."),
		cp_ui_attr(ui, UI_R_DIM));
}

static const struct ui_footkey staff_footer[] = {
	{"F7", NULL, N_("Unlock"), 0},
	{"F8", NULL, N_("Set new PIN"), 0},
	{"Tab", NULL, N_("Next field"), 0},
	{"Esc", NULL, N_("Back"), 0},
};

const struct ui_screen cp_ui_screen_staff = {
	.name = "staff",
	.enter = staff_enter,
	.leave = staff_leave,
	.draw = staff_draw,
	.key = staff_key,
	UI_FOOTER(staff_footer),
	.cur_y = &K.cur_y,
	.cur_x = &K.cur_x,
};
