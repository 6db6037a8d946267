/* field.h — a form field: the line editor plus what a key means in it, including the keys no
 * person typed — a scanner burst (handed back as a scan, typed as text, or refused in a PIN
 * field) and a paste (refused whole, never shown). No curses here. */
#ifndef CP_UI_FIELD_H
#define CP_UI_FIELD_H

#include <stdbool.h>

#include "input.h"
#include "keys.h"
#include "scan.h"

enum ui_field_kind {
	UI_FIELD_TEXT,  /* a scan types into it like any text (item code, receipt, forms) */
	UI_FIELD_ROUTE, /* a scan is not for this field: it is handed back as UI_FIELD_SCAN */
	UI_FIELD_PIN,   /* secret; a scan is refused and the field emptied */
};

struct ui_field {
	struct ui_input in;
	enum ui_field_kind kind;
	struct ui_burst burst;
	bool swallow;                /* dropping the rest of a refused paste */
	int64_t last_at;             /* ms of the last key seen */
	char scan[UI_INPUT_MAX + 1]; /* after UI_FIELD_SCAN: what was scanned */
};

enum ui_field_rc {
	UI_FIELD_IGNORED,  /* not a key for a field (function keys, Esc, Up...) */
	UI_FIELD_CHANGED,  /* text or cursor moved */
	UI_FIELD_SAME,     /* an editing key that changed nothing */
	UI_FIELD_SUBMIT,   /* Enter (or a scanner's Tab) */
	UI_FIELD_SCAN,     /* a ROUTE field saw a scan: it is in scan, the field is as before */
	UI_FIELD_REFUSED,  /* a character this field does not take */
	UI_FIELD_PIN_SCAN, /* a PIN field saw a scan: refused, field emptied */
	UI_FIELD_PASTE,    /* a paste or a control character inside a burst: refused, removed */
	UI_FIELD_FULL,     /* too long: refused, removed */
};

void ui_field_init(struct ui_field *f, enum ui_field_kind kind, size_t max, unsigned flags);
void ui_field_clear(struct ui_field *f);
enum ui_field_rc ui_field_key(struct ui_field *f, const struct ui_key *k);
static inline const char *ui_field_text(const struct ui_field *f)
{
	return f->in.buf;
}

#endif
