/* draw.c — the drawing helpers every screen uses: text fitted by display width (never half a
 * Chinese character, never a raw control byte), fields, boxes, amounts in big figures, the
 * member panel, and colours with a monochrome fallback. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bigtext.h"
#include "money.h"
#include "multiplier.h"
#include "textwidth.h"
#include "ui_int.h"

struct role_style {
	short fg, bg;
	attr_t colour_attr, mono_attr;
};

static const struct role_style styles[UI_R_COUNT] = {
	[UI_R_NORMAL] = {-1, -1, A_NORMAL, A_NORMAL},
	[UI_R_STATUS] = {COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_REVERSE},
	[UI_R_ONLINE] = {COLOR_GREEN, COLOR_BLUE, A_BOLD, A_REVERSE | A_BOLD},
	[UI_R_OFFLINE] = {COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD},
	[UI_R_KEY] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
	[UI_R_TITLE] = {COLOR_CYAN, -1, A_BOLD, A_BOLD | A_UNDERLINE},
	[UI_R_SELECT] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
	[UI_R_OK] = {COLOR_GREEN, -1, A_BOLD, A_BOLD},
	[UI_R_WARN] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD},
	[UI_R_ERROR] = {COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD},
	[UI_R_MONEY] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD},
	[UI_R_POINTS] = {COLOR_MAGENTA, -1, A_BOLD, A_BOLD},
	[UI_R_DIM] = {-1, -1, A_DIM, A_DIM},
	[UI_R_FIELD] = {COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_UNDERLINE},
};

void cp_ui_colours_init(struct ui *ui)
{
	ui->colour = has_colors();
	if (!ui->colour)
		return;
	start_color();
	use_default_colors();
	for (int r = 1; r < UI_R_COUNT; r++)
		init_pair((short)r, styles[r].fg, styles[r].bg);
}

attr_t cp_ui_attr(const struct ui *ui, enum ui_role role)
{
	if (!ui->colour)
		return styles[role].mono_attr;
	if (styles[role].fg < 0 && styles[role].bg < 0)
		return styles[role].colour_attr;
	return COLOR_PAIR(role) | styles[role].colour_attr;
}

int cp_ui_put(WINDOW *w, int y, int x, int cols, const char *s, attr_t attr, bool pad)
{
	char buf[1024];
	int used;

	if (cols <= 0)
		return 0;
	used = cp_ui_text_fit(s ? s : "", cols, pad, buf, sizeof(buf));
	wattron(w, attr);
	mvwaddstr(w, y, x, buf);
	wattroff(w, attr);
	return used;
}

int cp_ui_putf(WINDOW *w, int y, int x, int cols, attr_t attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return cp_ui_put(w, y, x, cols, buf, attr, false);
}

void cp_ui_put_right(WINDOW *w, int y, int x, int cols, const char *s, attr_t attr)
{
	int tw = cp_ui_text_width(s);

	if (tw < 0 || tw > cols)
		tw = cols;
	cp_ui_put(w, y, x + cols - tw, tw, s, attr, false);
}

int cp_ui_draw_field(struct ui *ui, WINDOW *w, int y, int x, const char *label, int label_cols,
		     const struct ui_field *f, int cols, bool focus)
{
	char view[UI_INPUT_MAX * 2 + 1];
	int cur = 0;

	if (label) {
		cp_ui_put(w, y, x, label_cols, label,
			  focus ? cp_ui_attr(ui, UI_R_TITLE) : cp_ui_attr(ui, UI_R_NORMAL), true);
		x += label_cols;
	}
	cp_ui_input_view(&f->in, cols, view, sizeof(view), &cur);
	cp_ui_put(w, y, x, cols, view, cp_ui_attr(ui, UI_R_FIELD), true);
	return focus ? x + cur : -1;
}

void cp_ui_draw_box(struct ui *ui, WINDOW *w, int y, int x, int h, int wd, const char *title)
{
	attr_t a = cp_ui_attr(ui, UI_R_TITLE);

	for (int r = 0; r < h; r++)
		mvwhline(w, y + r, x, ' ', wd);
	wattron(w, a);
	mvwaddch(w, y, x, ACS_ULCORNER);
	mvwhline(w, y, x + 1, ACS_HLINE, wd - 2);
	mvwaddch(w, y, x + wd - 1, ACS_URCORNER);
	mvwvline(w, y + 1, x, ACS_VLINE, h - 2);
	mvwvline(w, y + 1, x + wd - 1, ACS_VLINE, h - 2);
	mvwaddch(w, y + h - 1, x, ACS_LLCORNER);
	mvwhline(w, y + h - 1, x + 1, ACS_HLINE, wd - 2);
	mvwaddch(w, y + h - 1, x + wd - 1, ACS_LRCORNER);
	wattroff(w, a);
	if (title) {
		char t[256];
		int tw;

		snprintf(t, sizeof(t), " %s ", title);
		tw = cp_ui_text_width(t);
		if (tw < 0 || tw > wd - 4)
			tw = wd - 4;
		cp_ui_put(w, y, x + (wd - tw) / 2, tw, t, a, false);
	}
}

const char *cp_ui_money(const struct ui *ui, int64_t fen, char *buf, size_t len)
{
	cp_money_format(fen, ui->currency, buf, len);
	return buf;
}

int cp_ui_draw_big_money(struct ui *ui, WINDOW *w, int y, int x, int cols, int64_t fen, attr_t attr)
{
	char digits[48], rows[UI_BIG_ROWS][64];
	int sw = cp_ui_text_width(ui->currency), bw;

	(void)ui;
	cp_money_format(fen, "", digits, sizeof(digits));
	bw = cp_ui_bigtext(digits, rows, sizeof(rows[0]));
	if (sw < 0)
		sw = 1;
	if (bw < 0 || sw + 1 + bw > cols) {
		char buf[48];

		cp_ui_put(w, y + 1, x, cols, cp_ui_money(ui, fen, buf, sizeof(buf)), attr, false);
		return cols;
	}
	cp_ui_put(w, y + 2, x, sw, ui->currency, attr, false);
	for (int r = 0; r < UI_BIG_ROWS; r++)
		cp_ui_put(w, y + r, x + sw + 1, bw, rows[r], attr, false);
	return sw + 1 + bw;
}

const char *cp_ui_when(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000), now = time(NULL);
	struct tm tm, today;

	if (ms <= 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	localtime_r(&t, &tm);
	localtime_r(&now, &today);
	if (tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday)
		strftime(buf, len, "%H:%M", &tm);
	else
		strftime(buf, len, "%m-%d %H:%M", &tm);
	return buf;
}

int cp_ui_draw_member(struct ui *ui, WINDOW *w, int y, int x, int cols, int rows,
		      const struct cp_member_view *m)
{
	attr_t n = cp_ui_attr(ui, UI_R_NORMAL), pts = cp_ui_attr(ui, UI_R_POINTS);
	char a[48], line[256];
	int r = 0;

	if (rows <= 0)
		return 0;
	snprintf(line, sizeof(line), "%s  %s", m->name[0] ? m->name : _("(no name)"),
		 m->masked_phone);
	cp_ui_put(w, y + r++, x, cols, line, cp_ui_attr(ui, UI_R_OK), false);
	if (r < rows) {
		if (m->tier_multiplier_bp > 0)
			snprintf(line, sizeof(line), _("%s  points %s"), m->tier_name,
				 cp_ui_multiplier(m->tier_multiplier_bp, a, sizeof(a)));
		else
			snprintf(line, sizeof(line), "%s", m->tier_name);
		cp_ui_put(w, y + r++, x, cols, line, n, false);
	}
	if (r < rows && m->local)
		cp_ui_put(w, y + r++, x, cols, _("(registered here, new to HQ)"),
			  cp_ui_attr(ui, UI_R_DIM), false);
	if (r < rows) {
		if (m->points_pending)
			snprintf(line, sizeof(line), _("Points %lld (%lld pending)"),
				 (long long)m->points, (long long)m->points_pending);
		else
			snprintf(line, sizeof(line), _("Points %lld"), (long long)m->points);
		cp_ui_put(w, y + r++, x, cols, line, pts, false);
	}
	if (r < rows) {
		snprintf(line, sizeof(line), _("Worth %s"),
			 cp_ui_money(ui, m->points_value, a, sizeof(a)));
		cp_ui_put(w, y + r++, x, cols, line, pts, false);
	}
	if (r < rows && m->expiring_points > 0) {
		snprintf(line, sizeof(line), _("Expiring: %lld on %s"),
			 (long long)m->expiring_points, m->expiring_on);
		cp_ui_put(w, y + r++, x, cols, line, cp_ui_attr(ui, UI_R_WARN), false);
	}
	if (r < rows) {
		if (m->next_tier_growth > 0)
			snprintf(line, sizeof(line), _("Growth %lld, %lld to %s"),
				 (long long)m->growth, (long long)m->next_tier_growth,
				 m->next_tier_name);
		else
			snprintf(line, sizeof(line), _("Growth %lld (top tier)"),
				 (long long)m->growth);
		cp_ui_put(w, y + r++, x, cols, line, n, false);
	}
	if (r < rows && m->guide[0]) {
		snprintf(line, sizeof(line), _("Guide %s"), m->guide);
		cp_ui_put(w, y + r++, x, cols, line, n, false);
	}
	return r;
}

int cp_ui_draw_wrapped(WINDOW *w, int y, int x, int cols, int maxrows, const char *text,
		       attr_t attr)
{
	char line[1024];
	int rows = 0;

	if (cols <= 0)
		return 0;
	while (*text && rows < maxrows) {
		size_t skip, n = cp_ui_text_line(text, cols, &skip);

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, text, n);
		line[n] = '\0';
		if (w)
			cp_ui_put(w, y + rows, x, cols, line, attr, false);
		rows++;
		text += n + skip;
	}
	return rows;
}
