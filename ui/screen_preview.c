/* screen_preview.c — a receipt shown on the screen instead of on paper: for a till with no
 * printer, laid out as the printer would have it (the till's current language and width).
 * Up/Down and PgUp/PgDn scroll; Esc or Enter closes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_int.h"

#define PREVIEW_LINES_MAX 2000

static struct {
	char *text; /* owned; lines end in '\n' */
	char title[96];
	const char *line[PREVIEW_LINES_MAX];
	int nlines, top;
} V;

static void preview_leave(struct ui *ui)
{
	(void)ui;
	free(V.text);
	memset(&V, 0, sizeof(V));
}

void cp_ui_preview_open(struct ui *ui, const char *receipt_no, char *text)
{
	char *p;

	free(V.text);
	memset(&V, 0, sizeof(V));
	V.text = text;
	/* TRANSLATORS: the title over a receipt shown on the screen */
	snprintf(V.title, sizeof(V.title), _("Receipt %s (on screen, not printed)"), receipt_no);
	for (p = text; p && *p && V.nlines < PREVIEW_LINES_MAX;) {
		char *nl = strchr(p, '\n');

		V.line[V.nlines++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	cp_ui_push(ui, UI_SCR_preview);
}

static int rows_shown(const struct ui *ui)
{
	int n = ui->rows - 5;

	return n > 1 ? n : 1;
}

static int preview_key(struct ui *ui, const struct ui_key *k)
{
	int page = rows_shown(ui), last = V.nlines - page;

	if (k->code == UI_K_ESC || k->code == UI_K_ENTER)
		return UI_DONE;
	if (k->code == UI_K_F1)
		return UI_IGNORED;
	if (k->code == UI_K_UP)
		V.top--;
	else if (k->code == UI_K_DOWN)
		V.top++;
	else if (k->code == UI_K_PGUP)
		V.top -= page;
	else if (k->code == UI_K_PGDN)
		V.top += page;
	if (V.top > last)
		V.top = last;
	if (V.top < 0)
		V.top = 0;
	return UI_HANDLED;
}

static void preview_draw(struct ui *ui, WINDOW *w)
{
	int x = 2, wd = ui->cols - 4, y = 1;

	cp_ui_put(w, y++, x, wd, V.title, cp_ui_attr(ui, UI_R_TITLE), false);
	for (int i = V.top; i < V.nlines && y < ui->rows - 3; i++)
		cp_ui_put(w, y++, x + 2, wd - 2, V.line[i], cp_ui_attr(ui, UI_R_NORMAL), false);
}

static const struct ui_footkey preview_footer[] = {
	{"Up", NULL, N_("Scroll"), 1},
	{"Esc", NULL, N_("Close"), 0},
};

const struct ui_screen cp_ui_screen_preview = {
	.name = "preview",
	.leave = preview_leave,
	.draw = preview_draw,
	.key = preview_key,
	UI_FOOTER(preview_footer),
};
