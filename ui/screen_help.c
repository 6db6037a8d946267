/* screen_help.c — F1 on any screen: the keys of the screen below with their letters, and what
 * the scanner does wherever the cursor is. */
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
	int n = ui_screen_keys(ui, below, keys, UI_FOOT_MAX);
	int x = 2, wd = ui->cols - 4, y = 3, top = 3;
	/* two columns when one would not hold every key */
	int room = ui->rows - 10 - top, half = room > 0 && n > room ? (n + 1) / 2 : n;
	int cw = half < n ? wd / 2 : wd;
	char k[32];

	ui_put(w, 1, x, wd, _("Keys"), ui_attr(ui, UI_R_TITLE), false);
	for (int i = 0; i < n; i++) {
		int cx = x + (i < half ? 0 : cw), cy = top + (i < half ? i : i - half);

		if (cy >= ui->rows - 10)
			continue;
		if (keys[i].alt)
			snprintf(k, sizeof(k), _("%s or %s"), keys[i].key, keys[i].alt);
		else
			snprintf(k, sizeof(k), "%s", keys[i].key);
		ui_put(w, cy, cx + 2, 14, k, ui_attr(ui, UI_R_KEY), false);
		ui_put(w, cy, cx + 18, cw - 18, keys[i].label, ui_attr(ui, UI_R_NORMAL), false);
	}
	if (room > 0)
		y = top + (half < room ? half : room);
	if (below == &ui_screen_sale) {
		ui_put(w, y++, x + 2, wd - 2,
		       _("+ / -    one more / one less of the selected line (Up, Down select)"),
		       ui_attr(ui, UI_R_NORMAL), false);
		ui_put(w, y++, x + 2, wd - 2, _("3*code   three of the item at once"),
		       ui_attr(ui, UI_R_NORMAL), false);
		ui_put(w, y++, x + 2, wd - 2,
		       _("Letters act as keys only while the item field is empty."),
		       ui_attr(ui, UI_R_DIM), false);
	}
	y++;
	ui_draw_wrapped(w, y, x, wd, 5,
			_("During a sale the scanner works wherever the cursor is: an item is "
			  "added, a member's card or phone number finds the member, a receipt "
			  "number opens the refund. In a form a scan types into the field; in a "
			  "PIN field it is refused. Pasted text is never taken."),
			ui_attr(ui, UI_R_DIM));
	ui_put(w, ui->rows - 3, x, wd, _("Any key closes this help."), ui_attr(ui, UI_R_DIM),
	       false);
}

static const struct ui_footkey help_footer[] = {
	{"Esc", NULL, N_("Close help"), 0},
};

const struct ui_screen ui_screen_help = {
	.name = "help",
	.draw = help_draw,
	.key = help_key,
	UI_FOOTER(help_footer),
};
