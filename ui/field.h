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

/* The most bytes a run at scanner speed can hold before it is a paste. */
#define UI_FIELD_RUN_MAX (UI_PASTE_MAX * 4)

struct ui_field {
	struct ui_input in;
	enum ui_field_kind kind;
	struct ui_burst burst;
	bool swallow;    /* dropping the rest of a refused paste */
	int64_t last_at; /* ms of the last key seen */
	/* ROUTE: the run at scanner speed as the scanner typed it, whether or not the field took
	 * each character (an amount field does not take a letter, nor 18 digits), and whether
	 * some of it is not in the field. */
	char run[UI_FIELD_RUN_MAX + 1];
	size_t runlen;
	bool spilled;
	char scan[UI_FIELD_RUN_MAX + 1]; /* after UI_FIELD_SCAN: what was scanned */
};

enum ui_field_rc {
	UI_FIELD_IGNORED,  /* not a key for a field (function keys, Esc, Up...) */
	UI_FIELD_CHANGED,  /* text or cursor moved */
	UI_FIELD_SAME,     /* an editing key that changed nothing */
	UI_FIELD_SUBMIT,   /* Enter (or a scanner's Tab) */
	UI_FIELD_SCAN,     /* a ROUTE field saw a scan: it is in scan, the field is as before */
	UI_FIELD_REFUSED,  /* a character this field does not take: refused, field emptied */
	UI_FIELD_PIN_SCAN, /* a PIN field saw a scan: refused, field emptied */
	UI_FIELD_PASTE,    /* a paste or a control character inside a burst: refused, emptied */
	UI_FIELD_FULL,     /* too long: refused, field emptied */
};

void cp_ui_field_init(struct ui_field *f, enum ui_field_kind kind, size_t max, unsigned flags);
/* Empties the field, its run and its last scan (wiped: a scan may have been a credential). */
void cp_ui_field_clear(struct ui_field *f);
/* The one way a refused field is left, whoever refused it (the field a key, the screen the
 * text after Enter): emptied, so that what is typed next starts afresh and is never appended
 * to what was refused. cp_ui_field_key and cp_ui_field_idle do it themselves for the keys they
 * refuse (UI_FIELD_REFUSED, UI_FIELD_PASTE, UI_FIELD_FULL); a screen calls it when it refuses
 * what was submitted. */
void cp_ui_field_refused(struct ui_field *f);
enum ui_field_rc cp_ui_field_key(struct ui_field *f, const struct ui_key *k);
/* A ROUTE field at time now (ms), before its next key or when keys have paused: a run at
 * scanner speed that ended without Enter (a scanner with no suffix, or a slow one) is judged
 * whole. UI_FIELD_SCAN: it was a scan (in scan; the field as before it). UI_FIELD_REFUSED: a
 * short run the field could not take whole: the field emptied. UI_FIELD_CHANGED: a short run that stays
 * typed. UI_FIELD_SAME: no run has ended. */
enum ui_field_rc cp_ui_field_idle(struct ui_field *f, int64_t now);
/* Whether a run at scanner speed is under way: its characters are not to be shown yet. */
bool cp_ui_field_in_run(const struct ui_field *f);
/* Wipes the last scan. */
void cp_ui_field_scan_wipe(struct ui_field *f);
static inline const char *ui_field_text(const struct ui_field *f)
{
	return f->in.buf;
}

#endif
