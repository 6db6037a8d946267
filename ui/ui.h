/* ui.h — the terminal UI of the till: cashiers sell, guides register members, managers
 * authorise refunds and watch sync. app/ opens the database, starts sync, and hands over here;
 * the UI calls core only and learns about HQ from the sync state core keeps. */
#ifndef CP_UI_H
#define CP_UI_H

#include "cp_error.h"
#include "member.h"

struct cp_db;
struct cp_store_totals;

struct cp_ui_options {
	/** The open database (the UI's own connection; used from the UI thread only). */
	struct cp_db *db;
	/** "auto" or NULL (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), "zh_CN" or "en". */
	const char *language;
	/** Lock the till after this many seconds without a key; 0 never. */
	int idle_lock_s;
	/** Currency symbol for amounts; NULL means "¥". */
	const char *currency;
	/** Shown in the status line; NULL shows the store id. */
	const char *store_name;
	/** Business day cut-over, minutes after midnight (0..1439), as given to cp_db_options;
	 * only for the status line, until core says which business day it is. */
	int cutover_min;

	/** Online member lookup at HQ, or NULL (lookups are local only). Runs on a worker thread
	 * of the UI, so it must not use db (it has its own connection), must return soon after
	 * *cancel becomes non-zero, and on CP_OK must have stored the member in the database so
	 * that cp_member_get finds out->id. phone (11 digits) or card is NULL. */
	enum cp_err (*remote_lookup)(void *ctx, const char *phone, const char *card,
				     struct cp_member_view *out, const volatile int *cancel,
				     struct cp_errbuf *err);
	void *remote_ctx;

	/** Called on the UI thread after a sale or a refund commits, with its receipt number;
	 * must not block (queue the printing). May be NULL. */
	void (*on_receipt)(void *ctx, const char *receipt_no);
	void *receipt_ctx;

	/** Manager menu, reprint: the most recent receipt numbers, newest first (returns how many,
	 * at most max), and reprinting one. Either may be NULL (no reprint offered). */
	int (*list_receipts)(void *ctx, char (*out)[48], int max);
	enum cp_err (*reprint)(void *ctx, const char *receipt_no, struct cp_errbuf *err);
	/** Whether a receipt printer is configured: without one, reprint only keeps the receipt
	 * and the manager menu offers it on screen instead. */
	bool printer;
	/** The receipt laid out now (the till's current language and width), marked as a copy:
	 * *text malloc'd, the caller frees it. May be NULL (no preview offered). */
	enum cp_err (*receipt_text)(void *ctx, const char *receipt_no, char **text,
				    struct cp_errbuf *err);
	/** Prints text (a shift or day report laid out print_width columns wide) on the receipt
	 * printer without blocking, with receipt_ctx. May be NULL (reports are not printed). */
	enum cp_err (*print_text)(void *ctx, const char *text, struct cp_errbuf *err);
	int print_width;
	/** The whole store's totals of day from HQ, beside this till's tally, or NULL. Runs on a
	 * worker thread of the UI (its own connection, not db); returns within a few seconds;
	 * fills out (out->reached false and out->why when HQ was not reached). */
	enum cp_err (*store_totals)(void *ctx, const char *day, struct cp_store_totals *out);
	void *store_ctx;
};

/**
 * Sets the process locale and the message catalogue for language ("auto"/NULL, "zh_CN", "en").
 * Changes the environment (LANGUAGE) and the locale: call it before starting any thread.
 * cp_ui_run calls it when it has not been called.
 */
void cp_ui_setup_locale(const char *language);

/**
 * Runs the terminal UI until the manager exits it, or SIGTERM, SIGHUP or SIGINT arrives. The open
 * cart stays in the database whatever happens. Returns the process exit status (0, or 1 when
 * the terminal could not be used). Restores the terminal before returning, and on a fatal error
 * before dying.
 */
int cp_ui_run(const struct cp_ui_options *opts);

#endif
