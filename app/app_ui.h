/* app_ui.h — what the front ends are wired to in app/: receipts (keep, print, reprint), shared
 * by the terminal UI and script mode so that every sale and refund keeps its receipt whichever
 * made it. Private to app/. */
#ifndef CP_APP_UI_H
#define CP_APP_UI_H

#include <pthread.h>

#include "cp_error.h"
#include "db.h"

struct app_receipts {
	struct cp_db *db;          /* the UI's connection: used on the UI thread only */
	struct cp_db *mark_db;     /* a second connection, for the printing threads */
	pthread_mutex_t mark_lock; /* printing threads share mark_db */
	const char *device;        /* [printer] device; "" = no printer, copies are still kept */
	int width;                 /* [printer] width: 32, 42 or 48 */
	const char *currency;      /* [store] currency_symbol */
	const char *store_name;    /* [store] name: used when the database has none */
	bool wait; /* script mode: print on the caller's thread and record the outcome at once */
};

struct app;
/* The printer settings of app's configuration ([printer] width: 32, 42 or 48; else 42). */
int app_printer_width(const struct app *app);

/* After a sale, refund or post-void committed: lays receipt_no out, keeps it for reprint and
 * prints it when a printer is configured (on a thread of its own unless r->wait). The sale
 * stands whatever this returns; an error says what became of the receipt. */
enum cp_err app_receipt_keep_print(struct app_receipts *r, const char *receipt_no,
				   struct cp_errbuf *err);
/* The same with the receipt already read into v by cp_receipt_get (script mode's pay reads it
 * once for the receipt and its answer); v's store name may be filled in from r's. */
struct cp_receipt_view;
enum cp_err app_receipt_keep_print_view(struct app_receipts *r, const char *receipt_no,
					struct cp_receipt_view *v, struct cp_errbuf *err);

/* cp_ui_options.on_receipt: on the UI thread, right after a sale or refund commits. */
void app_on_receipt(void *ctx, const char *receipt_no);
/* cp_ui_options.list_receipts */
int app_list_receipts(void *ctx, char (*out)[48], int max);
/* cp_ui_options.reprint: the kept text marked as a copy; a receipt never kept (a crash
 * between commit and keep) is rendered and kept first. */
enum cp_err app_reprint(void *ctx, const char *receipt_no, struct cp_errbuf *err);
/* cp_ui_options.receipt_text: receipt_no laid out as a copy in the current language and width
 * (the kept text when the receipt can no longer be read). */
enum cp_err app_receipt_text(void *ctx, const char *receipt_no, char **text, struct cp_errbuf *err);

/* cp_ui_options.print_text: a report on the printer, on a thread of its own; CP_ENOTFOUND
 * when no printer is configured. A failure later is shown like a receipt's. */
enum cp_err app_print_text(void *ctx, const char *text, struct cp_errbuf *err);

#endif
