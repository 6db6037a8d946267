/* report_text.h — the day's tally and a shift's report laid out as plain UTF-8 text for the
 * receipt printer, a given number of columns wide (Chinese characters take two), labels in the
 * process's language: what the manager's screen prints, and what `counterpoint report ...
 * --format print` writes. Pure: it reads only the views core filled. */
#ifndef CP_UI_REPORT_TEXT_H
#define CP_UI_REPORT_TEXT_H

#include "report.h"
#include "shift.h"

/* The tally t laid out width columns wide (CP_RECEIPT_WIDTH_MIN..MAX): every line at most width
 * columns, each ending in '\n'. kind is "daily", "x" or "z" (the title). store, when not NULL,
 * adds the whole store's totals (or that they are unavailable). Returns malloc'd text the
 * caller frees; NULL when out of memory or width is out of range. */
char *cp_ui_report_text(const struct cp_tally *t, const char *kind,
			const struct cp_store_totals *store, int width);

/* A shift's report laid out the same way. */
char *cp_ui_report_text_shift(const struct cp_shift_view *s, int width);

#endif
