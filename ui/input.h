/* input.h — a one-line text editor for the till's fields: UTF-8 kept valid at every step, the
 * cursor always on a character boundary, backspace removing a whole character, full-width
 * forms folded where a code or a number is expected, and a hard byte cap. No curses here. */
#ifndef CP_UI_INPUT_H
#define CP_UI_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UI_INPUT_MAX 128 /* bytes, the most any field holds */

/* What a field takes (flags). */
#define UI_IN_FOLD 0x01   /* full-width ASCII forms (１２３, Ａ) become ASCII, U+3000 a space */
#define UI_IN_ASCII 0x02  /* printable ASCII only (after folding) */
#define UI_IN_DIGITS 0x04 /* 0-9 only (after folding) */
#define UI_IN_AMOUNT 0x08 /* 0-9 and one '.' (after folding) */
#define UI_IN_SECRET 0x10 /* shown as '*' */
#define UI_IN_DATE 0x20   /* 0-9 and '-' (after folding) */

struct ui_input {
	char buf[UI_INPUT_MAX + 1];
	size_t len; /* bytes */
	size_t cur; /* byte offset of the cursor */
	size_t max; /* byte cap, 1..UI_INPUT_MAX */
	unsigned flags;
};

enum ui_input_rc {
	UI_INPUT_OK,
	UI_INPUT_REFUSED, /* a character this field does not take (control, bidi, letter...) */
	UI_INPUT_FULL,    /* it would not fit */
};

/* An empty field of at most max bytes (0 or too large: UI_INPUT_MAX). */
void cp_ui_input_init(struct ui_input *in, size_t max, unsigned flags);
void cp_ui_input_clear(struct ui_input *in);
/* Replaces the text (cursor at the end); refused (field unchanged) when s does not fit or holds
 * a character the field does not take. */
enum ui_input_rc cp_ui_input_set(struct ui_input *in, const char *s);
/* Inserts one code point at the cursor. */
enum ui_input_rc cp_ui_input_insert(struct ui_input *in, uint32_t cp);
/* Remove the character before / at the cursor; false when there is none. */
bool cp_ui_input_backspace(struct ui_input *in);
bool cp_ui_input_delete(struct ui_input *in);
bool cp_ui_input_left(struct ui_input *in);
bool cp_ui_input_right(struct ui_input *in);
void cp_ui_input_home(struct ui_input *in);
void cp_ui_input_end(struct ui_input *in);
/* Cuts the text at byte offset pos (a character boundary), cursor at the end. */
void cp_ui_input_truncate(struct ui_input *in, size_t pos);
/* Wipes the text (PINs). */
void cp_ui_input_wipe(struct ui_input *in);

/* The part of the field to show in cols columns (the end of the text, scrolled so that the
 * cursor shows), '*' for each character of a secret. *cursor_col gets the cursor's column.
 * Returns the columns used. */
int cp_ui_input_view(const struct ui_input *in, int cols, char *out, size_t outlen,
		     int *cursor_col);

/* UTF-8 of cp into out (4 bytes at least); returns its length, 0 for a bad code point. */
int cp_ui_utf8_encode(uint32_t cp, char *out);
/* The code point at s (valid UTF-8 assumed, as input keeps it); returns its length. */
int cp_ui_utf8_decode(const char *s, uint32_t *cp);

#endif
