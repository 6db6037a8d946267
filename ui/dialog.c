/* dialog.c — small boxes over the current screen: a question with a few answers, a manager's
 * code and PIN (the screen below keeps its state: an open cart is never lost to a prompt), and
 * one line of text. What the answer does runs after the box has closed. */
#include <stdio.h>
#include <string.h>

#include "textwidth.h"
#include "ui_int.h"

enum mode { D_CHOOSE, D_MANAGER, D_ASK };

static struct {
	enum mode mode;
	char title[128];
	char text[512];
	struct ui_choice c[UI_CHOICE_MAX];
	int n;
	struct ui_field code, pin, line;
	int focus; /* 0 code, 1 PIN */
	char label[64];
	ui_manager_done_fn manager_done;
	void (*ask_done)(struct ui *, const char *);
	int cur_y, cur_x;
} D;

static bool open_box(struct ui *ui, enum mode mode, const char *title, const char *text)
{
	if (cp_ui_showing(ui, UI_SCR_dialog)) {
		cp_ui_msg(ui, UI_MSG_WARN, "%s", _("Answer the open question first."));
		return false;
	}
	D.mode = mode;
	snprintf(D.title, sizeof(D.title), "%s", title ? title : "");
	snprintf(D.text, sizeof(D.text), "%s", text ? text : "");
	D.n = 0;
	D.focus = 0;
	return true;
}

void cp_ui_choose(struct ui *ui, const char *title, const char *text, const struct ui_choice *c,
		  int n)
{
	if (!open_box(ui, D_CHOOSE, title, text))
		return;
	D.n = n > UI_CHOICE_MAX ? UI_CHOICE_MAX : n;
	memcpy(D.c, c, sizeof(*c) * (size_t)D.n);
	cp_ui_push(ui, UI_SCR_dialog);
}

void cp_ui_confirm(struct ui *ui, const char *title, const char *text, void (*on_yes)(struct ui *))
{
	const struct ui_choice c[] = {
		{"Enter", "y", _("Yes"), on_yes},
		{"Esc", "n", _("No"), NULL},
	};

	cp_ui_choose(ui, title, text, c, 2);
}

static void manager_fields(const char *code)
{
	cp_ui_field_init(&D.code, UI_FIELD_TEXT, 16, UI_IN_FOLD | UI_IN_ASCII);
	cp_ui_field_init(&D.pin, UI_FIELD_PIN, 12, UI_IN_FOLD | UI_IN_ASCII);
	if (code)
		cp_ui_input_set(&D.code.in, code);
}

void cp_ui_manager_pin(struct ui *ui, const char *why, ui_manager_done_fn done)
{
	if (cp_ui_is_manager(ui)) {
		done(ui, NULL, NULL);
		return;
	}
	if (!open_box(ui, D_MANAGER, _("Manager authority"), why))
		return;
	D.manager_done = done;
	manager_fields(NULL);
	cp_ui_push(ui, UI_SCR_dialog);
}

/* After a refused try: the same question again, the code kept, the PIN empty and in focus. */
static void manager_again(struct ui *ui, const char *title, const char *why,
			  ui_manager_done_fn done, const char *code)
{
	if (cp_ui_showing(ui, UI_SCR_dialog))
		return; /* done asked something else */
	open_box(ui, D_MANAGER, title, why);
	D.manager_done = done;
	manager_fields(code);
	D.focus = 1;
	cp_ui_push(ui, UI_SCR_dialog);
}

static void ask(struct ui *ui, enum ui_field_kind kind, const char *title, const char *label,
		unsigned flags, size_t max, void (*done)(struct ui *, const char *text))
{
	if (!open_box(ui, D_ASK, title, NULL))
		return;
	snprintf(D.label, sizeof(D.label), "%s", label);
	D.ask_done = done;
	cp_ui_field_init(&D.line, kind, max, flags);
	cp_ui_push(ui, UI_SCR_dialog);
}

void cp_ui_ask(struct ui *ui, const char *title, const char *label, unsigned flags, size_t max,
	       void (*done)(struct ui *, const char *text))
{
	ask(ui, UI_FIELD_ROUTE, title, label, flags, max, done);
}

void cp_ui_ask_scan(struct ui *ui, const char *title, const char *label, unsigned flags, size_t max,
		    void (*done)(struct ui *, const char *text))
{
	ask(ui, UI_FIELD_TEXT, title, label, flags, max, done);
}

static void dialog_leave(struct ui *ui)
{
	(void)ui;
	cp_ui_field_clear(&D.pin);
	cp_ui_field_clear(&D.code);
}

static int choose_key(struct ui *ui, const struct ui_key *k)
{
	for (int i = 0; i < D.n; i++) {
		if (cp_ui_key_named(k, D.c[i].key, D.c[i].alt)) {
			void (*run)(struct ui *) = D.c[i].run;

			cp_ui_pop(ui);
			if (run)
				run(ui);
			return UI_HANDLED;
		}
	}
	if (k->code == UI_K_ESC)
		return UI_DONE;
	return UI_HANDLED; /* nothing else happens while the question is open */
}

/* Messages for what a field refused; true when there was one. */
static bool field_problem(struct ui *ui, enum ui_field_rc rc)
{
	switch (rc) {
	case UI_FIELD_PIN_SCAN:
		cp_ui_msg(ui, UI_MSG_ERROR, "%s",
			  _("That was a scan, not a PIN: type the PIN by hand."));
		break;
	case UI_FIELD_PASTE:
		cp_ui_msg(ui, UI_MSG_ERROR, "%s", _("Pasted text is not accepted here."));
		break;
	case UI_FIELD_FULL:
		cp_ui_msg(ui, UI_MSG_ERROR, "%s", _("Too long: not accepted."));
		break;
	case UI_FIELD_REFUSED:
		cp_ui_msg(ui, UI_MSG_WARN, "%s", _("That character is not accepted here."));
		break;
	default:
		return false;
	}
	beep();
	return true;
}

static int manager_key(struct ui *ui, const struct ui_key *k)
{
	struct ui_field *f = D.focus ? &D.pin : &D.code;
	enum ui_field_rc rc;

	if (k->code == UI_K_ESC)
		return UI_DONE;
	if (k->code == UI_K_TAB || k->code == UI_K_BTAB || k->code == UI_K_UP ||
	    k->code == UI_K_DOWN) {
		D.focus = !D.focus;
		return UI_HANDLED;
	}
	rc = cp_ui_field_key(f, k);
	if (field_problem(ui, rc))
		return UI_HANDLED;
	if (rc != UI_FIELD_SUBMIT)
		return UI_HANDLED;
	if (!D.focus || !ui_field_text(&D.code)[0]) {
		D.focus = ui_field_text(&D.code)[0] != '\0';
		return UI_HANDLED;
	}
	{
		char code[UI_INPUT_MAX + 1], pin[UI_INPUT_MAX + 1], title[sizeof(D.title)];
		char why[sizeof(D.text)];
		ui_manager_done_fn done = D.manager_done;
		enum cp_err result;

		memcpy(code, D.code.in.buf, sizeof(code));
		memcpy(pin, D.pin.in.buf, sizeof(pin));
		memcpy(title, D.title, sizeof(title));
		memcpy(why, D.text, sizeof(why));
		cp_ui_field_clear(&D.pin);
		cp_ui_pop(ui);
		result = done(ui, code, pin);
		cp_ui_wipe(pin, sizeof(pin));
		if (result == CP_EAUTH)
			cp_ui_msg(ui, UI_MSG_ERROR, "%s",
				  _("Wrong manager code or PIN. Try again."));
		if (result == CP_EAUTH || result == CP_ELOCKED || result == CP_EPERM)
			manager_again(ui, title, why, done, code);
	}
	return UI_HANDLED;
}

static int ask_key(struct ui *ui, const struct ui_key *k)
{
	enum ui_field_rc rc;

	if (k->code == UI_K_ESC)
		return UI_DONE;
	rc = cp_ui_field_key(&D.line, k);
	if (rc == UI_FIELD_SCAN) {
		/* The scanner fired while a quantity was being typed: the scan is for the sale. */
		if (!cp_ui_scan_route(ui, D.line.scan))
			cp_ui_field_refused(&D.line);
		return UI_HANDLED;
	}
	if (field_problem(ui, rc) || rc != UI_FIELD_SUBMIT)
		return UI_HANDLED;
	{
		char text[UI_INPUT_MAX + 1];
		void (*done)(struct ui *, const char *) = D.ask_done;

		memcpy(text, D.line.in.buf, sizeof(text));
		cp_ui_pop(ui);
		done(ui, text);
	}
	return UI_HANDLED;
}

static int dialog_key(struct ui *ui, const struct ui_key *k)
{
	switch (D.mode) {
	case D_MANAGER:
		return manager_key(ui, k);
	case D_ASK:
		return ask_key(ui, k);
	case D_CHOOSE:
	default:
		return choose_key(ui, k);
	}
}

static void dialog_draw(struct ui *ui, WINDOW *w)
{
	int wd = ui->cols - 8 > 64 ? 64 : ui->cols - 8;
	int inner = wd - 4, h, y, x, r;
	int text_rows = D.text[0] ? cp_ui_draw_wrapped(NULL, 0, 0, inner, 6, D.text, 0) : 0;

	h = 4 + text_rows + (text_rows ? 1 : 0) +
	    (D.mode == D_MANAGER ? 2
	     : D.mode == D_ASK   ? 1
				 : D.n);
	y = (ui->rows - h) / 2;
	x = (ui->cols - wd) / 2;
	cp_ui_draw_box(ui, w, y, x, h, wd, D.title);
	r = y + 2;
	if (D.text[0]) {
		cp_ui_draw_wrapped(w, r, x + 2, inner, text_rows, D.text,
				   cp_ui_attr(ui, UI_R_NORMAL));
		r += text_rows + 1;
	}
	D.cur_y = -1;
	if (D.mode == D_MANAGER) {
		int c1 = cp_ui_draw_field(ui, w, r, x + 2, _("Manager code"), 16, &D.code, 16,
					  D.focus == 0);
		int c2 = cp_ui_draw_field(ui, w, r + 1, x + 2, _("PIN"), 16, &D.pin, 16,
					  D.focus == 1);

		D.cur_y = D.focus ? r + 1 : r;
		D.cur_x = D.focus ? c2 : c1;
	} else if (D.mode == D_ASK) {
		D.cur_x = cp_ui_draw_field(ui, w, r, x + 2, D.label, 16, &D.line, inner - 16, true);
		D.cur_y = r;
	} else {
		for (int i = 0; i < D.n; i++) {
			char key[24];

			if (D.c[i].alt && strcmp(D.c[i].alt, D.c[i].key) != 0)
				snprintf(key, sizeof(key), "%s/%s", D.c[i].key, D.c[i].alt);
			else
				snprintf(key, sizeof(key), "%s", D.c[i].key);
			cp_ui_put(w, r + i, x + 4, 10, key, cp_ui_attr(ui, UI_R_KEY), false);
			cp_ui_put(w, r + i, x + 15, inner - 13, D.c[i].label,
				  cp_ui_attr(ui, UI_R_NORMAL), false);
		}
	}
}

static int dialog_keys(struct ui *ui, struct ui_footkey *out, int max)
{
	int n = 0;

	(void)ui;
	if (D.mode == D_CHOOSE) {
		bool esc = false;

		for (int i = 0; i < D.n && n < max; i++) {
			const char *alt = D.c[i].alt;

			if (alt && strcmp(alt, D.c[i].key) == 0)
				alt = NULL; /* "1", not "1/1" */
			out[n++] = (struct ui_footkey){D.c[i].key, alt, D.c[i].label, 0};
			esc = esc || strcmp(D.c[i].key, "Esc") == 0;
		}
		if (!esc && n < max)
			out[n++] = (struct ui_footkey){"Esc", NULL, _("Close"), 0};
		return n;
	}
	out[n++] = (struct ui_footkey){"Enter", NULL, _("OK"), 0};
	if (D.mode == D_MANAGER)
		out[n++] = (struct ui_footkey){"Tab", NULL, _("Next field"), 0};
	out[n++] = (struct ui_footkey){"Esc", NULL, _("Cancel"), 0};
	return n;
}

static bool dialog_cursor(struct ui *ui, int *y, int *x)
{
	(void)ui;
	if (D.mode == D_CHOOSE || D.cur_y < 0)
		return false;
	*y = D.cur_y;
	*x = D.cur_x;
	return true;
}

const struct ui_screen cp_ui_screen_dialog = {
	.name = "dialog",
	.modal = true,
	.leave = dialog_leave,
	.draw = dialog_draw,
	.key = dialog_key,
	.keys = dialog_keys,
	.cursor = dialog_cursor,
};
