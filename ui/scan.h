/* scan.h — what came in from the scanner or the keyboard, told apart by its shape: an item's
 * barcode or SKU, a member's phone number or card, a receipt number; and whether a run of keys
 * arrived at scanner speed, so that a scan into a PIN field is recognised and refused. */
#ifndef CP_UI_SCAN_H
#define CP_UI_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "barcode.h"
#include "cp_error.h"

enum ui_scan_kind {
	UI_SCAN_BAD,     /* not a code at all: err says why */
	UI_SCAN_BAD_QTY, /* "N*code" where N is not a whole number 1..CP_QTY_MAX */
	UI_SCAN_ITEM,    /* EAN-13, EAN-8 or UPC-A digits */
	UI_SCAN_SKU,     /* a short code typed or scanned: an item first, else a member card */
	UI_SCAN_PHONE,   /* 11 digits 1[3-9]...: a member's mobile number */
	UI_SCAN_CARD,    /* a member card: a member first, else an item */
	UI_SCAN_RECEIPT, /* STORE-TERMINAL-NNNNNN */
};

/* Cleans text as cp_code_parse does (scanner prefix and suffix, full-width digits) into out and
 * says what it looks like. A bad check digit is still UI_SCAN_ITEM: the catalogue lookup then
 * says so. An optional "N*" in front (N = 1..9999) is a quantity, given in *qty (1 without);
 * "N*" with any other N (0, 99999, 1.5) is UI_SCAN_BAD_QTY. */
enum ui_scan_kind cp_ui_scan_classify(const char *text, char out[CP_CODE_MAX + 1], int *qty,
				      struct cp_errbuf *err);

/* A run of characters typed into one field, and how fast. */
#define UI_SCAN_MIN 6         /* a scan has at least this many characters */
#define UI_PASTE_MAX 40       /* a longer burst is a paste, not a scan */
#define UI_PASTE_QUIET_MS 300 /* a refused paste ends when the keys pause this long */
struct ui_burst {
	int n;        /* characters in the run */
	int64_t last; /* ms of the last one */
	size_t start; /* byte offset in the field where the run began */
};

void cp_ui_burst_reset(struct ui_burst *b);
/* A character was typed at byte offset pos at time at (ms): it continues the run when it came
 * within UI_BURST_GAP_MS of the one before, else a new run begins at pos. */
void cp_ui_burst_char(struct ui_burst *b, int64_t at, size_t pos);
/* At Enter (time at): whether the run was a scan, i.e. at least UI_SCAN_MIN characters and the
 * Enter all at scanner speed. */
bool cp_ui_burst_scanned(const struct ui_burst *b, int64_t at);
/* Whether the run has grown past what any scanner sends. */
bool cp_ui_burst_pasted(const struct ui_burst *b);

/* Whether what was typed into a PIN field is a scan, not a PIN: it came at scanner speed
 * (scanned), or it has a symbology prefix ("]E0"), or it is longer than any PIN. */
bool cp_ui_scan_in_pin(const char *text, bool scanned);

#endif
