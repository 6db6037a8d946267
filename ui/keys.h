/* keys.h — a key press as the screens see it: what was pressed, when, and whether another key
 * followed at scanner speed. The loop in ui.c builds these from curses; everything that reads
 * them (fields, screens) stays free of curses and can be tested without a terminal. */
#ifndef CP_UI_KEYS_H
#define CP_UI_KEYS_H

#include <stdbool.h>
#include <stdint.h>

enum ui_keycode {
	UI_K_CHAR, /* a printable character, in ch */
	UI_K_CTRL, /* any other control character, in ch: never typed into a field */
	UI_K_ENTER,
	UI_K_TAB,
	UI_K_BTAB,
	UI_K_ESC,
	UI_K_BACKSPACE,
	UI_K_DELETE,
	UI_K_LEFT,
	UI_K_RIGHT,
	UI_K_UP,
	UI_K_DOWN,
	UI_K_HOME,
	UI_K_END,
	UI_K_PGUP,
	UI_K_PGDN,
	UI_K_F1,
	UI_K_F2,
	UI_K_F3,
	UI_K_F4,
	UI_K_F5,
	UI_K_F6,
	UI_K_F7,
	UI_K_F8,
	UI_K_F9,
	UI_K_F10,
	UI_K_F11,
	UI_K_F12,
	UI_K_RESIZE,
	UI_K_OTHER, /* a function key nobody uses */
};

/* A scanner types a character every few milliseconds; a person, at best, every 60 or so. */
#define UI_BURST_GAP_MS 40

struct ui_key {
	enum ui_keycode code;
	uint32_t ch; /* UI_K_CHAR, UI_K_CTRL: the code point */
	int64_t at;  /* ms, monotonic */
	int64_t gap; /* ms since the key before */
	bool burst;  /* the next key came within UI_BURST_GAP_MS: part of a scan or a paste */
};

static inline bool ui_key_is(const struct ui_key *k, uint32_t c)
{
	return k->code == UI_K_CHAR && (k->ch == c || (c >= 'a' && c <= 'z' && k->ch == c - 32));
}

#endif
