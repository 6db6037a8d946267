/* footer.h — the keys of the moment along the bottom line, as htop shows them: each key (and
 * its letter alternative when there is room) followed by its label, fitted into the width of the
 * terminal without ever cutting a Chinese character in half. No curses here. */
#ifndef CP_UI_FOOTER_H
#define CP_UI_FOOTER_H

#define UI_FOOT_MAX 40

struct ui_footkey {
	const char *key;   /* "F2", "Esc", "Enter" */
	const char *alt;   /* "m" or NULL: the letter that does the same */
	const char *label; /* translated */
	int optional;      /* left out (it stays in F1's help) before labels are cut */
};

/* One key as laid out: x is its column; key is drawn highlighted, label after it. */
struct ui_footcell {
	int x;
	char key[16];
	int key_w;
	char label[64];
	int label_w;
};

/* Lays out n keys in cols columns: all with their letters when that fits, else without the
 * letters, else without the optional keys, else with the labels cut to the widest length that
 * fits, else as many keys as fit. Fills cells and returns how many were laid out. */
int cp_ui_footer_fit(const struct ui_footkey *keys, int n, int cols, struct ui_footcell *cells);

#endif
