/* screen_login.c — who is at the till: staff code and PIN (never echoed), what a wrong or
 * locked code means, and after a login the question about a sale left open by a crash, a power
 * cut, an earlier login or a colleague: it is taken over only on an explicit answer. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "money.h"
#include "shift.h"
#include "ui_int.h"

static struct {
	struct ui_field code, pin;
	int focus; /* 0 code, 1 PIN */
	int cur_y, cur_x;
} L;

static void login_enter(struct ui *ui)
{
	(void)ui;
	cp_ui_field_init(&L.code, UI_FIELD_TEXT, 16, UI_IN_FOLD | UI_IN_ASCII);
	cp_ui_field_init(&L.pin, UI_FIELD_PIN, 12, UI_IN_FOLD | UI_IN_ASCII);
	L.focus = 0;
}

static void login_leave(struct ui *ui)
{
	(void)ui;
	cp_ui_field_clear(&L.pin);
}

/* Takes the open sale over for this login (a cart_takeover event); false when core refused. */
static bool take_over(struct ui *ui)
{
	struct cp_errbuf err = {{0}};
	struct cp_cart_takeover t;
	enum cp_err rc = cp_cart_take_over(ui->db, &ui->session, &t, &err);

	cp_ui_cart_refresh(ui);
	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return false;
	}
	cp_ui_msg(ui, UI_MSG_OK, _("The sale opened by staff %s is now yours (recorded)."),
		  t.from.staff);
	return true;
}

static void resume_open_sale(struct ui *ui)
{
	take_over(ui);
}

static void cancel_open_sale(struct ui *ui)
{
	if (take_over(ui))
		cp_ui_sale_cancel(ui);
}

static void confirm_take_over(struct ui *ui)
{
	char text[512];

	snprintf(text, sizeof(text),
		 _("The sale of staff %s becomes yours, and the takeover is recorded with both "
		   "staff codes. Take it over?"),
		 ui->foreign.staff);
	cp_ui_confirm(ui, _("Take over the sale?"), text, resume_open_sale);
}

void cp_ui_cart_ask(struct ui *ui)
{
	const struct cp_cart_owner *o = &ui->foreign;
	const struct ui_choice same[] = {
		{"Enter", NULL, _("Continue the sale"), resume_open_sale},
		{"Del", NULL, _("Cancel the sale"), cancel_open_sale},
	};
	const struct ui_choice other[] = {
		{"F7", "t", _("Take it over"), confirm_take_over},
		{"Esc", NULL, _("Leave it"), NULL},
	};
	char text[512], total[48], when[32];

	if (!cp_ui_cart_refresh(ui))
		return;
	if (!o->open) {
		cp_ui_msg(ui, UI_MSG_INFO, "%s", _("No other login has an open sale."));
		return;
	}
	cp_ui_when(o->opened_at, when, sizeof(when));
	cp_ui_money(ui, o->total, total, sizeof(total));
	if (strcmp(o->staff, ui->session.code) == 0) {
		snprintf(text, sizeof(text),
			 _("A sale opened by staff %s at %s was not finished: %lld items, %s. "
			   "Continue it, or cancel it?"),
			 o->staff, when, (long long)o->items, total);
		cp_ui_choose(ui, _("Unfinished sale"), text, same, 2);
		return;
	}
	snprintf(text, sizeof(text),
		 _("Staff %s (%s) has a sale open since %s: %lld items, %s. Ask them to finish "
		   "it, or take it over."),
		 o->staff, o->name, when, (long long)o->items, total);
	cp_ui_choose(ui, _("Someone else's sale"), text, other, 2);
}

/* After a login: a sale left open by a crash, a power cut, an earlier login or a colleague. */
static void ask_about_cart(struct ui *ui)
{
	if (!cp_ui_cart_refresh(ui) || !ui->foreign.open)
		return;
	cp_ui_cart_ask(ui);
}

static void locked_message(struct ui *ui, const char *code, int64_t until)
{
	char at[32];
	time_t t = (time_t)((until + 999) / 1000), now = (time_t)(cp_db_now(ui->db) / 1000);
	struct tm tm, today;

	localtime_r(&t, &tm);
	localtime_r(&now, &today);
	if (tm.tm_yday == today.tm_yday && tm.tm_year == today.tm_year)
		strftime(at, sizeof(at), "%H:%M:%S", &tm);
	else
		strftime(at, sizeof(at), "%Y-%m-%d %H:%M:%S", &tm);
	cp_ui_msg(ui, UI_MSG_ERROR, _("Staff code %s is locked until %s (too many wrong PINs)."),
		  code, at);
	beep();
}

static void try_login(struct ui *ui)
{
	struct cp_errbuf err = {{0}};
	struct cp_session s;
	char code[UI_INPUT_MAX + 1];
	int64_t until = 0;
	bool opened = false;
	enum cp_err rc;

	snprintf(code, sizeof(code), "%s", ui_field_text(&L.code));
	rc = cp_staff_login(ui->db, code, ui_field_text(&L.pin), &s, &until, &err);
	cp_ui_field_clear(&L.pin);
	if (rc == CP_OK) {
		/* Back after a lock: the same login goes on, with its open sale. */
		if (ui->kept_code[0] && strcmp(s.code, ui->kept_code) == 0)
			memcpy(s.token, ui->kept_token, sizeof(s.token));
		cp_ui_wipe(ui->kept_code, sizeof(ui->kept_code));
		cp_ui_wipe(ui->kept_token, sizeof(ui->kept_token));
		ui->session = s;
		cp_ui_wipe(&s, sizeof(s));
		ui->logged_in = true;
		ui->last_key = ui->now;
		cp_ui_reset(ui, UI_SCR_sale);
		cp_ui_msg(ui, UI_MSG_OK, _("Welcome, %s."), ui->session.name);
		if (cp_shift_demo_open(ui->db, &ui->session, &opened, &err) != CP_OK)
			cp_ui_fail(ui, &err, CP_EDB);
		else if (opened)
			cp_ui_msg(
				ui, UI_MSG_OK,
				_("Welcome, %s. The demo store opened a shift on this till for you "
				  "(float ¥0.00)."),
				ui->session.name);
		ask_about_cart(ui);
		return;
	}
	L.focus = 1;
	if (rc == CP_EAUTH) {
		cp_ui_msg(ui, UI_MSG_ERROR, "%s", _("Wrong staff code or PIN. Try again."));
		beep();
	} else if (rc == CP_ELOCKED && until > 0) {
		locked_message(ui, code, until);
	} else {
		cp_ui_fail(ui, &err, rc);
	}
}

static int login_key(struct ui *ui, const struct ui_key *k)
{
	struct ui_field *f = L.focus ? &L.pin : &L.code;
	enum ui_field_rc rc;

	switch (k->code) {
	case UI_K_TAB:
	case UI_K_BTAB:
	case UI_K_UP:
	case UI_K_DOWN:
		if (k->code != UI_K_TAB || !k->burst) {
			L.focus = !L.focus;
			return UI_HANDLED;
		}
		break;
	case UI_K_ESC:
		cp_ui_field_clear(&L.code);
		cp_ui_field_clear(&L.pin);
		L.focus = 0;
		return UI_HANDLED;
	default:
		break;
	}
	rc = cp_ui_field_key(f, k);
	switch (rc) {
	case UI_FIELD_PIN_SCAN:
		cp_ui_msg(ui, UI_MSG_ERROR, "%s",
			  _("That was a scan, not a PIN: type the PIN by hand."));
		beep();
		return UI_HANDLED;
	case UI_FIELD_PASTE:
	case UI_FIELD_FULL:
		return cp_ui_field_refusal(ui, rc);
	case UI_FIELD_REFUSED:
		cp_ui_msg(ui, UI_MSG_WARN, "%s", _("Staff codes and PINs are letters and digits."));
		beep();
		return UI_HANDLED;
	case UI_FIELD_SUBMIT:
		if (L.focus == 0) {
			if (ui_field_text(&L.code)[0])
				L.focus = 1;
			return UI_HANDLED;
		}
		if (!ui_field_text(&L.code)[0]) {
			L.focus = 0;
			return UI_HANDLED;
		}
		try_login(ui);
		return UI_HANDLED;
	case UI_FIELD_IGNORED:
		return UI_IGNORED;
	default:
		return UI_HANDLED;
	}
}

static void login_draw(struct ui *ui, WINDOW *w)
{
	int wd = 60, h = 12, y = (ui->rows - h) / 2, x = (ui->cols - wd) / 2;
	int c1, c2;

	cp_ui_draw_box(ui, w, y, x, h, wd, _("Counterpoint till"));
	cp_ui_put(w, y + 2, x + 4, wd - 8, ui->store, cp_ui_attr(ui, UI_R_TITLE), false);
	c1 = cp_ui_draw_field(ui, w, y + 4, x + 4, _("Staff code"), 14, &L.code, 18, L.focus == 0);
	c2 = cp_ui_draw_field(ui, w, y + 6, x + 4, _("PIN"), 14, &L.pin, 18, L.focus == 1);
	cp_ui_draw_wrapped(w, y + 8, x + 4, wd - 8, 2,
			   _("Type your staff code and Enter, then your PIN and Enter."),
			   cp_ui_attr(ui, UI_R_DIM));
	L.cur_y = L.focus ? y + 6 : y + 4;
	L.cur_x = L.focus ? c2 : c1;
}

static const struct ui_footkey login_footer[] = {
	{"F1", NULL, N_("Help"), 0},
	{"Enter", NULL, N_("Next / log in"), 0},
	{"Tab", NULL, N_("Other field"), 0},
	{"Esc", NULL, N_("Clear"), 0},
};

const struct ui_screen cp_ui_screen_login = {
	.name = "login",
	.enter = login_enter,
	.leave = login_leave,
	.draw = login_draw,
	.key = login_key,
	UI_FOOTER(login_footer),
	.cur_y = &L.cur_y,
	.cur_x = &L.cur_x,
};
