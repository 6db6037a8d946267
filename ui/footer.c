/* footer.c — fitting the key bar. The widths come from textwidth (wcwidth with East Asian wide
 * characters counted as two), so the same arithmetic holds for English and Chinese labels. */
#include "footer.h"

#include <stdio.h>

#include "textwidth.h"

static int width(const char *s)
{
	int w = s ? cp_ui_text_width(s) : 0;

	return w < 0 ? 0 : w;
}

/* Width of the bar with or without letters, labels cut to at most lab columns (-1: whole). */
static int total(const struct ui_footkey *keys, int n, int letters, int lab)
{
	int t = 0;

	for (int i = 0; i < n; i++) {
		int lw = width(keys[i].label);

		t += width(keys[i].key) + (letters && keys[i].alt ? 1 + width(keys[i].alt) : 0);
		t += 1 + (lab >= 0 && lw > lab ? lab : lw);
		if (i + 1 < n)
			t += 1;
	}
	return t;
}

static int lay_out(const struct ui_footkey *keys, int n, int cols, int letters, int lab,
		   struct ui_footcell *cells)
{
	int x = 0, done = 0;

	for (int i = 0; i < n && i < UI_FOOT_MAX; i++) {
		struct ui_footcell *c = &cells[done];
		char label[64];

		if (letters && keys[i].alt)
			snprintf(c->key, sizeof(c->key), "%s/%s", keys[i].key, keys[i].alt);
		else
			snprintf(c->key, sizeof(c->key), "%s", keys[i].key);
		c->key_w = width(c->key);
		c->label_w = cp_ui_text_fit(keys[i].label ? keys[i].label : "",
					    lab >= 0 ? lab : 1000, 0, label, sizeof(label));
		snprintf(c->label, sizeof(c->label), "%s", label);
		if (x + c->key_w + 1 + c->label_w > cols)
			break;
		c->x = x;
		x += c->key_w + 1 + c->label_w + 1;
		done++;
	}
	return done;
}

int cp_ui_footer_fit(const struct ui_footkey *keys, int n, int cols, struct ui_footcell *cells)
{
	struct ui_footkey needed[UI_FOOT_MAX];
	int lab, m = 0;

	if (n > UI_FOOT_MAX)
		n = UI_FOOT_MAX;
	if (total(keys, n, 1, -1) <= cols)
		return lay_out(keys, n, cols, 1, -1, cells);
	if (total(keys, n, 0, -1) <= cols)
		return lay_out(keys, n, cols, 0, -1, cells);
	for (int i = 0; i < n; i++)
		if (!keys[i].optional)
			needed[m++] = keys[i];
	if (total(needed, m, 0, -1) <= cols)
		return lay_out(needed, m, cols, 0, -1, cells);
	for (lab = 40; lab > 1; lab--)
		if (total(needed, m, 0, lab) <= cols)
			break;
	return lay_out(needed, m, cols, 0, lab, cells);
}
