/* cp_printer.h — receipt printer output as ESC/POS: initialise, the text in GB18030, feed and
 * cut, written to a printer device (/dev/usb/lp0) or appended to a file (a virtual printer).
 * Printing never waits long: the device is written without blocking within a time bound, and
 * cp_printer_print_async() does it all on a thread of its own. */
#ifndef CP_PRINTER_H
#define CP_PRINTER_H

#include <stdbool.h>

#include "cp_error.h"

/* How long one print may wait for a busy or paperless printer before giving up. */
#define CP_PRINTER_TIMEOUT_MS 5000
/* Text longer than this (bytes of UTF-8) is refused. */
#define CP_PRINTER_TEXT_MAX (256 * 1024)

/* Prints utf8_text (lines ending in '\n') to device_path as ESC/POS bytes:
 *   ESC @, the text converted to GB18030 (bytes that are not valid UTF-8, and control
 *   characters other than '\n', print as '?': text cannot smuggle printer commands),
 *   a few line feeds, full cut (GS V 0).
 * device_path is a character device or FIFO (opened O_WRONLY | O_NONBLOCK | O_NOCTTY; it must
 * exist) or a regular file (appended to; created with mode 0640 when its directory exists and
 * the path is not under /dev/). Waits at most CP_PRINTER_TIMEOUT_MS for an earlier print of
 * this process to finish, and at most as long again for a printer that does not take the
 * bytes. Errors, each with a sentence for the cashier in err that ends "the
 * receipt is kept for reprint":
 *   CP_ECONFIG   no path configured, or no GB18030 converter on this system
 *   CP_ENOTFOUND no printer (or directory) at the path
 *   CP_EPERM     no permission to write to it
 *   CP_EIO       the printer is off, out of paper, busy beyond the bound, or a write failed
 *   CP_EINVAL    text NULL or longer than CP_PRINTER_TEXT_MAX
 *   CP_ENOMEM    out of memory
 * Prints are serialised within the process, so two receipts never interleave. */
enum cp_err cp_printer_print(const char *device_path, const char *utf8_text, struct cp_errbuf *err);

/* The same with an explicit bound in milliseconds (tests use a short one). */
enum cp_err cp_printer_print_timeout(const char *device_path, const char *utf8_text, int timeout_ms,
				     struct cp_errbuf *err);

/* Called once, on the printing thread, with the outcome: result CP_OK when the printer took
 * every byte, else the error and message (never NULL; "" on success) as cp_printer_print
 * gives them. It must not touch the screen or a database handle another thread uses: hand the
 * outcome to the UI thread (see cp_printer_outcome_push / _pop). */
typedef void (*cp_printer_done_fn)(void *ctx, enum cp_err result, const char *message);

/* Copies device_path and utf8_text and prints them on a detached thread, then calls done (may
 * be NULL). Returns at once: CP_OK when the thread started (done will be called exactly
 * once), or an error (CP_EINVAL, CP_ENOMEM, CP_EIO when no thread could be started) with err
 * filled, in which case done is never called. */
enum cp_err cp_printer_print_async(const char *device_path, const char *utf8_text,
				   cp_printer_done_fn done, void *ctx, struct cp_errbuf *err);

/* A small thread-safe mailbox for outcomes, so that the printing thread can hand results to
 * the UI loop, which marks the kept receipt copy from its own thread. */
struct cp_printer_outcome {
	char tag[64]; /* what was printed, e.g. the receipt number */
	enum cp_err result;
	char message[512];
	/* The error as cp_errf gave it (its id and arguments, for the screen's language) when the
	 * message is the print's own (pushed from a done callback, or by _push_err); else only
	 * err.msg, a copy of message. */
	struct cp_errbuf err;
};
#define CP_PRINTER_OUTCOMES 16
/* Stores an outcome; when CP_PRINTER_OUTCOMES are waiting, the oldest is dropped (the receipt
 * copy then stays unmarked, which reads as "not printed"). Safe from any thread. */
void cp_printer_outcome_push(const char *tag, enum cp_err result, const char *message);
/* The same, with the error itself (may be NULL), so that the outcome keeps its id. */
void cp_printer_outcome_push_err(const char *tag, enum cp_err result, const struct cp_errbuf *err);
/* Takes the oldest waiting outcome into *out; false when there is none. Safe from any thread. */
bool cp_printer_outcome_pop(struct cp_printer_outcome *out);

#endif
