/* field.c — keys into a field. The run of characters that arrived at scanner speed is tracked
 * from where it began, so that a scan or a paste can be taken back out of the field whole. */
#include "field.h"

#include <string.h>

void cp_ui_field_init(struct ui_field *f, enum ui_field_kind kind, size_t max, unsigned flags)
{
	memset(f, 0, sizeof(*f));
	cp_ui_input_init(&f->in, max, flags | (kind == UI_FIELD_PIN ? UI_IN_SECRET : 0));
	f->kind = kind;
}

static void run_wipe(struct ui_field *f)
{
	volatile char *p = f->run;

	for (size_t i = 0; i < sizeof(f->run); i++)
		p[i] = 0;
	f->runlen = 0;
	f->spilled = false;
}

void cp_ui_field_scan_wipe(struct ui_field *f)
{
	volatile char *p = f->scan;

	for (size_t i = 0; i < sizeof(f->scan); i++)
		p[i] = 0;
}

void cp_ui_field_clear(struct ui_field *f)
{
	if (f->kind == UI_FIELD_PIN)
		cp_ui_input_wipe(&f->in);
	else if (f->kind == UI_FIELD_ROUTE)
		cp_ui_input_wipe(&f->in); /* it may have held part of a payment code */
	else
		cp_ui_input_clear(&f->in);
	cp_ui_burst_reset(&f->burst);
	run_wipe(f);
	cp_ui_field_scan_wipe(f);
	f->swallow = false;
}

void cp_ui_field_refused(struct ui_field *f)
{
	cp_ui_field_clear(f);
}

/* Takes the current run back out of the field. */
static void drop_run(struct ui_field *f)
{
	if (f->burst.n > 0) {
		size_t len = f->in.len;

		cp_ui_input_truncate(&f->in, f->burst.start);
		/* what was cut stays in no buffer */
		for (size_t i = f->in.len; i < len && i < sizeof(f->in.buf); i++)
			((volatile char *)f->in.buf)[i] = 0;
	}
	cp_ui_burst_reset(&f->burst);
	run_wipe(f);
}

/* The run, as typed, becomes the scan. */
static enum ui_field_rc hand_scan(struct ui_field *f)
{
	memcpy(f->scan, f->run, f->runlen);
	f->scan[f->runlen] = '\0';
	drop_run(f);
	return UI_FIELD_SCAN;
}

bool cp_ui_field_in_run(const struct ui_field *f)
{
	return f->kind == UI_FIELD_ROUTE && f->burst.n > 1;
}

enum ui_field_rc cp_ui_field_idle(struct ui_field *f, int64_t now)
{
	if (f->kind != UI_FIELD_ROUTE || f->burst.n == 0 || now - f->burst.last <= UI_BURST_GAP_MS)
		return UI_FIELD_SAME;
	if (f->burst.n >= UI_SCAN_MIN)
		return hand_scan(f);
	if (f->spilled) {
		cp_ui_field_refused(f);
		return UI_FIELD_REFUSED;
	}
	cp_ui_burst_reset(&f->burst);
	run_wipe(f);
	return UI_FIELD_CHANGED;
}

static enum ui_field_rc refuse_burst(struct ui_field *f, enum ui_field_rc rc)
{
	/* In a PIN field anything that fast and long is a scan, and nothing of it may stay. */
	if (f->kind == UI_FIELD_PIN && f->burst.n > 1) {
		cp_ui_field_clear(f);
		f->swallow = true;
		return UI_FIELD_PIN_SCAN;
	}
	cp_ui_field_refused(f);
	f->swallow = true;
	return rc;
}

static enum ui_field_rc enter(struct ui_field *f, const struct ui_key *k)
{
	bool scanned = cp_ui_burst_scanned(&f->burst, k->at);

	if (f->kind == UI_FIELD_PIN && cp_ui_scan_in_pin(f->in.buf, scanned)) {
		cp_ui_field_clear(f);
		return UI_FIELD_PIN_SCAN;
	}
	if (f->kind == UI_FIELD_ROUTE && scanned)
		return hand_scan(f);
	if (f->kind == UI_FIELD_ROUTE && f->spilled) {
		/* a run too short for a scan, with characters the field did not take */
		cp_ui_field_refused(f);
		return UI_FIELD_REFUSED;
	}
	cp_ui_burst_reset(&f->burst);
	run_wipe(f);
	return UI_FIELD_SUBMIT;
}

/* A ROUTE field keeps the run as typed, to judge it whole when it ends. */
static void run_add(struct ui_field *f, uint32_t ch)
{
	char enc[4];
	int n;

	if (f->burst.n == 1)
		run_wipe(f);
	n = cp_ui_utf8_encode(ch, enc);
	if (n && f->runlen + (size_t)n <= UI_FIELD_RUN_MAX) {
		memcpy(f->run + f->runlen, enc, (size_t)n);
		f->runlen += (size_t)n;
		f->run[f->runlen] = '\0';
	} else {
		f->spilled = true;
	}
}

static enum ui_field_rc character(struct ui_field *f, const struct ui_key *k)
{
	enum ui_input_rc rc;

	cp_ui_burst_char(&f->burst, k->at, f->in.cur);
	if (cp_ui_burst_pasted(&f->burst))
		return refuse_burst(f, UI_FIELD_PASTE);
	if (f->kind == UI_FIELD_ROUTE)
		run_add(f, k->ch);
	rc = cp_ui_input_insert(&f->in, k->ch);
	if (rc != UI_INPUT_OK && f->kind == UI_FIELD_ROUTE && (f->burst.n > 1 || k->burst)) {
		/* Part of a run at scanner speed: judged whole when the run ends. */
		f->spilled = true;
		return UI_FIELD_SAME;
	}
	if (rc == UI_INPUT_FULL)
		return refuse_burst(f, UI_FIELD_FULL);
	if (rc == UI_INPUT_REFUSED) {
		if (f->kind == UI_FIELD_ROUTE) {
			/* Emptied, but the run goes on: it may be the slow first key of a scan. */
			cp_ui_input_wipe(&f->in);
			f->burst.start = 0;
		} else {
			cp_ui_field_refused(f);
		}
		return UI_FIELD_REFUSED;
	}
	return UI_FIELD_CHANGED;
}

enum ui_field_rc cp_ui_field_key(struct ui_field *f, const struct ui_key *k)
{
	int64_t gap = k->at - f->last_at;

	f->last_at = k->at;
	if (f->swallow) {
		/* The rest of a refused paste: everything until the keys pause as a person's do
		 * (a terminal delivers a long paste in pieces, with short gaps between them). */
		if (gap <= UI_PASTE_QUIET_MS && k->code != UI_K_RESIZE)
			return UI_FIELD_SAME;
		f->swallow = false;
	}
	switch (k->code) {
	case UI_K_CHAR:
		return character(f, k);
	case UI_K_CTRL:
		if (k->ch == 0x15) { /* Ctrl-U, as in a shell */
			cp_ui_field_clear(f);
			return UI_FIELD_CHANGED;
		}
		/* A control character among keys at scanner speed is a paste, not a person. */
		if (gap > UI_BURST_GAP_MS)
			cp_ui_burst_reset(&f->burst);
		if (f->burst.n > 0 || k->burst)
			return refuse_burst(f, UI_FIELD_PASTE);
		cp_ui_field_refused(f);
		return UI_FIELD_REFUSED;
	case UI_K_TAB:
		/* Scanners can be set to end with Tab instead of Enter. */
		if (f->burst.n > 0 && gap <= UI_BURST_GAP_MS)
			return enter(f, k);
		return UI_FIELD_IGNORED;
	case UI_K_ENTER:
		return enter(f, k);
	case UI_K_BACKSPACE:
		cp_ui_burst_reset(&f->burst);
		return cp_ui_input_backspace(&f->in) ? UI_FIELD_CHANGED : UI_FIELD_SAME;
	case UI_K_DELETE:
		cp_ui_burst_reset(&f->burst);
		return cp_ui_input_delete(&f->in) ? UI_FIELD_CHANGED : UI_FIELD_SAME;
	case UI_K_LEFT:
		return cp_ui_input_left(&f->in) ? UI_FIELD_CHANGED : UI_FIELD_SAME;
	case UI_K_RIGHT:
		return cp_ui_input_right(&f->in) ? UI_FIELD_CHANGED : UI_FIELD_SAME;
	case UI_K_HOME:
		cp_ui_input_home(&f->in);
		return UI_FIELD_CHANGED;
	case UI_K_END:
		cp_ui_input_end(&f->in);
		return UI_FIELD_CHANGED;
	default:
		return UI_FIELD_IGNORED;
	}
}
