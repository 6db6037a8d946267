/* bigtext.h — amounts in figures three lines tall (seven-segment style, plain ASCII so that a
 * monochrome terminal shows them too), for the total and the change due that the cashier must
 * read across the counter. No curses here. */
#ifndef CP_UI_BIGTEXT_H
#define CP_UI_BIGTEXT_H

#include <stddef.h>

#define UI_BIG_ROWS 3

/* Renders the digits, '.', '-' and ',' of s (other characters are skipped) into three rows of
 * rowlen bytes each. Returns the width in columns, or -1 when it does not fit in rowlen. */
int cp_ui_bigtext(const char *s, char rows[UI_BIG_ROWS][64], size_t rowlen);

#endif
