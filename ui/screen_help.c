/* screen_help.c — F1 on any screen: every key of the screen below with its letter (also those
 * the footer had no room for), and what the scanner does wherever the cursor is. */
#include <stdio.h>

#include "ui_int.h"

static int help_key(struct ui *ui, const struct ui_key *k)
{
	(void)ui;
	/* A scan while help is open goes on to the screen below, first character included. */
	if (k->code == UI_K_CHAR && k->burst)
		return UI_DONE | UI_PASS;
	return UI_DONE;
}

static void help_draw(struct ui *ui, WINDOW *w)
{
	const struct ui_screen *below = ui->depth >= 2 ? ui->stack[ui->depth - 2] : NULL;
	struct ui_footkey keys[UI_FOOT_MAX];
	int n = cp_ui_screen_keys(ui, below, keys, UI_FOOT_MAX);
	int x = 2, wd = ui->cols - 4, y = 1;
	char k[32];

	cp_ui_put(w, y++, x, wd, _("Keys"), cp_ui_attr(ui, UI_R_TITLE), false);
	y++;
	/* Every key of the screen, also those the footer had no room for: in two columns when
	 * one does not fit above the text below; when two do not either (a small terminal), the
	 * paragraph on the scanner gives its rows to the keys. */
	int room = ui->rows - 10 - y;
	bool brief = n > 2 * room;

	if (brief)
		room += 6;
	int ncol = n > room ? 2 : 1, per = (n + ncol - 1) / ncol;
	int colw = wd / ncol;

	for (int i = 0; i < n && i / per < ncol && i % per < room; i++) {
		int ky = y + i % per, kx = x + 2 + (i / per) * colw;

		if (keys[i].alt)
			snprintf(k, sizeof(k), _("%s or %s"), keys[i].key, keys[i].alt);
		else
			snprintf(k, sizeof(k), "%s", keys[i].key);
		cp_ui_put(w, ky, kx, 12, k, cp_ui_attr(ui, UI_R_KEY), false);
		cp_ui_put(w, ky, kx + 13, colw - 15, keys[i].label, cp_ui_attr(ui, UI_R_NORMAL),
			  false);
	}
	y += per < room ? per : room;
	if (below == &cp_ui_screen_sale) {
		cp_ui_put(w, y++, x + 2, wd - 2,
			  _("+ / -    one more / one less of the selected line (Up, Down select)"),
			  cp_ui_attr(ui, UI_R_NORMAL), false);
		cp_ui_put(w, y++, x + 2, wd - 2, _("3*code   three of the item at once"),
			  cp_ui_attr(ui, UI_R_NORMAL), false);
		cp_ui_put(w, y++, x + 2, wd - 2,
			  _("Letters act as keys only while the item field is empty."),
			  cp_ui_attr(ui, UI_R_DIM), false);
	}
	y++;
	if (!brief)
		cp_ui_draw_wrapped(
			w, y, x, wd, 5,
			_("During a sale the scanner works wherever the cursor is: an item is "
			  "added, a member's card or phone number finds the member, a receipt "
			  "number opens the refund. In a form a scan types into the field; in a "
			  "PIN field it is refused. Pasted text is never taken."),
			cp_ui_attr(ui, UI_R_DIM));
	cp_ui_put(w, ui->rows - 3, x, wd, _("Any key closes this help."), cp_ui_attr(ui, UI_R_DIM),
		  false);
}

static const struct ui_footkey help_footer[] = {
	{"Esc", NULL, N_("Close help"), 0},
};

const struct ui_screen cp_ui_screen_help = {
	.name = "help",
	.draw = help_draw,
	.key = help_key,
	UI_FOOTER(help_footer),
};
