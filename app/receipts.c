/* receipts.c — receipts after a sale or refund commits: read them back, lay them out at the
 * configured width, keep the text for reprint, print on a thread of its own, and record
 * whether it printed. Wiring only: the rules live in core, ui and platform. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "app_ui.h"
#include "cp_printer.h"
#include "receipt_text.h"

struct print_job {
	struct app_receipts *r;
	char receipt[CP_RECEIPT_LEN];
};

/* On the printing thread: record the outcome, then hand it to the UI to show. */
static void printed(void *ctx, enum cp_err result, const char *message)
{
	struct print_job *j = ctx;

	pthread_mutex_lock(&j->r->mark_lock);
	if (j->r->mark_db)
		cp_receipt_mark(j->r->mark_db, j->receipt, result == CP_OK, message, NULL);
	pthread_mutex_unlock(&j->r->mark_lock);
	cp_printer_outcome_push(j->receipt, result, message);
	free(j);
}

static enum cp_err print_text(struct app_receipts *r, const char *receipt_no, const char *text,
			      struct cp_errbuf *err)
{
	struct print_job *j;
	enum cp_err rc;

	if (!r->device || !r->device[0])
		return CP_OK; /* no printer configured: the copy is kept for later */
	if (r->wait) {
		rc = cp_printer_print(r->device, text, err);
		cp_receipt_mark(r->db, receipt_no, rc == CP_OK,
				rc == CP_OK ? NULL : cp_errmsg(err, rc), NULL);
		return rc;
	}
	if (!(j = calloc(1, sizeof(*j))))
		return cp_errf(err, CP_ENOMEM, "out of memory; the receipt is kept for reprint");
	j->r = r;
	snprintf(j->receipt, sizeof(j->receipt), "%s", receipt_no);
	rc = cp_printer_print_async(r->device, text, printed, j, err);
	if (rc != CP_OK) {
		cp_receipt_mark(r->db, receipt_no, false, cp_errmsg(err, rc), NULL);
		free(j);
	}
	return rc;
}

/* Lays the receipt v (receipt_no, read by cp_receipt_get) out in the current language and
 * width. */
static enum cp_err render_view(struct app_receipts *r, const char *receipt_no,
			       struct cp_receipt_view *v, char **text, struct cp_errbuf *err)
{
	char *buf = malloc(CP_RECEIPT_RENDER_MAX);
	enum cp_err rc = CP_ENOMEM;

	*text = NULL;
	if (!buf) {
		cp_errf(err, rc, "out of memory preparing receipt %s", receipt_no);
		goto out;
	}
	if (!v->store_name[0] && r->store_name)
		snprintf(v->store_name, sizeof(v->store_name), "%s", r->store_name);
	if (cp_ui_receipt_render(v, r->width, r->currency, buf, CP_RECEIPT_RENDER_MAX) < 0) {
		rc = cp_errf(err, CP_ECONFIG, "cannot lay out receipt %s at %d columns", receipt_no,
			     r->width);
		goto out;
	}
	*text = buf;
	buf = NULL;
	rc = CP_OK;
out:
	free(buf);
	return rc;
}

/* Lays receipt_no out now, in the current language and width, without keeping it. */
static enum cp_err render_now(struct app_receipts *r, const char *receipt_no, char **text,
			      struct cp_errbuf *err)
{
	struct cp_receipt_view *v = malloc(sizeof(*v));
	enum cp_err rc = CP_ENOMEM;

	*text = NULL;
	if (!v)
		cp_errf(err, rc, "out of memory preparing receipt %s", receipt_no);
	else if ((rc = cp_receipt_get(r->db, receipt_no, v, err)) == CP_OK)
		rc = render_view(r, receipt_no, v, text, err);
	free(v);
	return rc;
}

/* Lays receipt_no out and keeps it; *text (malloc'd) is what was kept. */
static enum cp_err render_keep(struct app_receipts *r, const char *receipt_no, char **text,
			       struct cp_errbuf *err)
{
	enum cp_err rc = render_now(r, receipt_no, text, err);

	if (rc == CP_OK && (rc = cp_receipt_keep(r->db, receipt_no, *text, err)) != CP_OK) {
		free(*text);
		*text = NULL;
	}
	return rc;
}

int app_printer_width(const struct app *app)
{
	long w = strtol(app->cfg.printer_width, NULL, 10);

	return w == 32 || w == 48 ? (int)w : 42;
}

enum cp_err app_receipt_keep_print_view(struct app_receipts *r, const char *receipt_no,
					struct cp_receipt_view *v, struct cp_errbuf *err)
{
	char *text = NULL;
	enum cp_err rc = render_view(r, receipt_no, v, &text, err);

	if (rc == CP_OK && (rc = cp_receipt_keep(r->db, receipt_no, text, err)) == CP_OK)
		rc = print_text(r, receipt_no, text, err);
	free(text);
	return rc;
}

enum cp_err app_receipt_keep_print(struct app_receipts *r, const char *receipt_no,
				   struct cp_errbuf *err)
{
	char *text = NULL;
	enum cp_err rc = render_keep(r, receipt_no, &text, err);

	if (rc == CP_OK)
		rc = print_text(r, receipt_no, text, err);
	free(text);
	return rc;
}

void app_on_receipt(void *ctx, const char *receipt_no)
{
	struct app_receipts *r = ctx;
	struct cp_errbuf err = {{0}};
	enum cp_err rc = app_receipt_keep_print(r, receipt_no, &err);

	if (rc != CP_OK) /* the sale stands; the UI shows this like a printer outcome */
		cp_printer_outcome_push_err(receipt_no, rc, &err);
	/* While the customer takes the receipt, once the WAL has grown large (a till that is
	 * never idle); otherwise the UI's idle tick checkpoints. */
	cp_db_checkpoint_due(r->db);
}

int app_list_receipts(void *ctx, char (*out)[48], int max)
{
	struct app_receipts *r = ctx;
	int n = 0;

	if (cp_receipt_recent(r->db, out, max, &n, NULL) != CP_OK)
		return 0;
	return n;
}

enum cp_err app_receipt_text(void *ctx, const char *receipt_no, char **text, struct cp_errbuf *err)
{
	struct app_receipts *r = ctx;
	char *laid = NULL, *copy = NULL;
	enum cp_err rc;

	*text = NULL;
	/* An old receipt in today's language and width; what was kept when it cannot be read. */
	rc = render_now(r, receipt_no, &laid, err);
	if (rc != CP_OK && cp_receipt_copy(r->db, receipt_no, &laid, NULL) == CP_OK)
		rc = CP_OK;
	if (rc != CP_OK)
		return rc;
	if (!(copy = malloc(CP_RECEIPT_RENDER_MAX + 256)) ||
	    cp_ui_receipt_render_copy(laid, r->width, copy, CP_RECEIPT_RENDER_MAX + 256) < 0) {
		rc = cp_errf(err, CP_ENOMEM, "cannot prepare the copy of receipt %s", receipt_no);
		free(copy);
		copy = NULL;
	}
	free(laid);
	*text = copy;
	return rc;
}

enum cp_err app_reprint(void *ctx, const char *receipt_no, struct cp_errbuf *err)
{
	struct app_receipts *r = ctx;
	char *copy = NULL;
	enum cp_err rc;

	/* A receipt never kept (a crash between commit and keep) is kept first. */
	if (cp_receipt_copy(r->db, receipt_no, &copy, NULL) != CP_OK &&
	    (rc = render_keep(r, receipt_no, &copy, err)) != CP_OK)
		return rc;
	free(copy);
	copy = NULL;
	if ((rc = app_receipt_text(r, receipt_no, &copy, err)) == CP_OK)
		rc = print_text(r, receipt_no, copy, err);
	free(copy);
	return rc;
}
