/* receipt_text.h — laying out a receipt as plain UTF-8 text for a receipt printer of 32, 42 or 48
 * columns (Chinese characters take two). Pure: it reads only the view core filled. */
#ifndef CP_UI_RECEIPT_H
#define CP_UI_RECEIPT_H

#include <stddef.h>

#include "receipt.h"

/* Widths a receipt can be laid out for; printers come in 32 (58 mm), 42 and 48 (80 mm). */
#define CP_RECEIPT_WIDTH_MIN 24
#define CP_RECEIPT_WIDTH_MAX 96

/* Writes the receipt for v into out: lines of at most width display columns, each ending in
 * '\n', NUL-terminated; labels through gettext (the process's language); amounts through
 * cp_money_format with currency (NULL: "¥"). Text from the database is cut only between
 * characters and never passes a control character through. Returns the bytes written (not
 * counting the NUL), or -1 when out is too small (CP_RECEIPT_RENDER_MAX bytes always suffice)
 * or an argument is bad (width outside CP_RECEIPT_WIDTH_MIN..MAX). */
#define CP_RECEIPT_RENDER_MAX (64 * 1024)
int cp_ui_receipt_render(const struct cp_receipt_view *v, int width, const char *currency,
			 char *out, size_t outlen);

/* A reprint: a centred "*** COPY ***" line (translated) and then kept_text, the receipt as
 * it was kept, so that a copy can never pass for a second original. Returns bytes written, or
 * -1 when out is too small or an argument is bad. */
int cp_ui_receipt_render_copy(const char *kept_text, int width, char *out, size_t outlen);

#endif
