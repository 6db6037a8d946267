/* cmd_report.c — `counterpoint report daily|shift|x|z [--date YYYY-MM-DD] [--format
 * text|csv|json]`: the tally of a business day for a person (text), a spreadsheet (CSV per
 * RFC 4180, one header row) or a program (JSON, money in fen), and the Z report that closes
 * the day. The figures are core's (core/report.c); this file only lays them out. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "app_ui.h"
#include "cp_printer.h"
#include "cp_clock.h"
#include "cp_crypto.h"
#include "hq.h"
#include "money.h"
#include "report.h"
#include "report_text.h"
#include "shift.h"
#include "sync.h"
#include "ui.h"

static void yuan(int64_t fen, char *out, size_t len)
{
	cp_money_format(fen, "", out, len);
}

/* One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_row(FILE *f, const char *section, const char *key, const int64_t *count,
		    const int64_t *amount, const int64_t *points, const int64_t *growth)
{
	char a[48];

	csv_field(f, section);
	fputc(',', f);
	csv_field(f, key);
	fputc(',', f);
	if (count)
		fprintf(f, "%" PRId64, *count);
	fputc(',', f);
	if (amount) {
		yuan(*amount, a, sizeof(a));
		fputs(a, f);
	}
	fputc(',', f);
	if (points)
		fprintf(f, "%" PRId64, *points);
	fputc(',', f);
	if (growth)
		fprintf(f, "%" PRId64, *growth);
	fputs("\r\n", f);
}

static void shift_csv(FILE *f, const struct cp_shift_view *s)
{
	char key[32];

	snprintf(key, sizeof(key), "%" PRId64, s->seq);
	csv_row(f, "shift_float", key, NULL, &s->float_fen, NULL, NULL);
	csv_row(f, "shift_cash", key, NULL, &s->cash, NULL, NULL);
	csv_row(f, "shift_pay_in", key, NULL, &s->pay_in, NULL, NULL);
	csv_row(f, "shift_pay_out", key, NULL, &s->pay_out, NULL, NULL);
	csv_row(f, "shift_expected", key, NULL, &s->expected, NULL, NULL);
	if (s->closed) {
		csv_row(f, "shift_counted", key, NULL, &s->counted, NULL, NULL);
		csv_row(f, "shift_over_short", key, NULL, &s->over_short, NULL, NULL);
	}
}

static void print_csv(FILE *f, const struct cp_tally *t)
{
	char key[32];

	fputs("section,key,count,amount_yuan,points,growth\r\n", f);
	csv_row(f, "day", t->day, NULL, NULL, NULL, NULL);
	csv_row(f, "sales", "all", &t->sales.count, &t->sales.amount, NULL, NULL);
	csv_row(f, "sales", "gross", NULL, &t->gross, NULL, NULL);
	csv_row(f, "sales", "discounts", NULL, &t->discounts, NULL, NULL);
	csv_row(f, "discounts", "member", NULL, &t->off.member, NULL, NULL);
	csv_row(f, "discounts", "coupon", NULL, &t->off.coupon, NULL, NULL);
	csv_row(f, "discounts", "manual", NULL, &t->off.manual, NULL, NULL);
	csv_row(f, "discounts", "rounding", NULL, &t->off.rounding, NULL, NULL);
	csv_row(f, "sales", "member_savings", NULL, &t->member_savings, NULL, NULL);
	csv_row(f, "sales", "rounding", &t->rounding.count, &t->rounding.amount, NULL, NULL);
	csv_row(f, "sales", "cancelled", &t->cancelled.count, &t->cancelled.amount, NULL, NULL);
	csv_row(f, "refunds", "refunds", &t->refunds.count, &t->refunds.amount, NULL, NULL);
	csv_row(f, "refunds", "without_receipt", &t->noreceipt.count, &t->noreceipt.amount, NULL,
		NULL);
	csv_row(f, "refunds", "post_voids", &t->voids.count, &t->voids.amount, NULL, NULL);
	csv_row(f, "sales", "net", NULL, &t->net, NULL, NULL);
	for (int i = 0; i < t->ntenders; i++)
		csv_row(f, "tender", t->tenders[i].method, NULL, &t->tenders[i].amount, NULL, NULL);
	csv_row(f, "members", "member_sales", &t->member_sales.count, &t->member_sales.amount, NULL,
		NULL);
	csv_row(f, "members", "other_sales", &t->other_sales.count, &t->other_sales.amount, NULL,
		NULL);
	csv_row(f, "members", "member_average", NULL, &t->member_average, NULL, NULL);
	csv_row(f, "members", "other_average", NULL, &t->other_average, NULL, NULL);
	csv_row(f, "members", "member_share_bp", &t->member_share_bp, NULL, NULL, NULL);
	csv_row(f, "members", "new", &t->new_members, NULL, NULL, NULL);
	csv_row(f, "members", "referrals", &t->referrals, NULL, NULL, NULL);
	for (int i = 0; i < t->nkinds; i++)
		csv_row(f, "points", t->points[i].kind, NULL, NULL, &t->points[i].points,
			&t->points[i].growth);
	for (int i = 0; i < t->ncashiers; i++) {
		csv_row(f, "cashier_sales", t->cashiers[i].staff, &t->cashiers[i].sales.count,
			&t->cashiers[i].sales.amount, NULL, NULL);
		csv_row(f, "cashier_refunds", t->cashiers[i].staff, &t->cashiers[i].refunds.count,
			&t->cashiers[i].refunds.amount, NULL, NULL);
	}
	for (int i = 0; i < t->nguides; i++) {
		csv_row(f, "guide_bound", t->guides[i].guide, &t->guides[i].bound, NULL, NULL,
			NULL);
		csv_row(f, "guide_sales", t->guides[i].guide, &t->guides[i].credited.count,
			&t->guides[i].credited.amount, NULL, NULL);
		csv_row(f, "guide_reversed", t->guides[i].guide, &t->guides[i].reversed.count,
			&t->guides[i].reversed.amount, NULL, NULL);
		csv_row(f, "guide_net", t->guides[i].guide, NULL, &t->guides[i].net, NULL, NULL);
	}
	for (int h = 0; h < 24; h++) {
		snprintf(key, sizeof(key), "%02d", h);
		csv_row(f, "hour", key, &t->hours[h].count, &t->hours[h].amount, NULL, NULL);
	}
	for (int i = 0; i < t->nshifts; i++)
		shift_csv(f, &t->shifts[i]);
	csv_row(f, "sync", "unacknowledged_rows", &t->unacked, NULL, NULL, NULL);
	csv_row(f, "z", "seq", &t->z_seq, NULL, NULL, NULL);
}

static void line_money(FILE *f, const char *what, const struct cp_tally_money *m)
{
	char a[48];

	cp_money_format(m->amount, NULL, a, sizeof(a));
	fprintf(f, "%-22s %5" PRId64 " %14s\n", what, m->count, a);
}

static void line_amount(FILE *f, const char *what, int64_t fen)
{
	char a[48];

	cp_money_format(fen, NULL, a, sizeof(a));
	fprintf(f, "%-22s       %14s\n", what, a);
}

static void print_shift(FILE *f, const struct cp_shift_view *s)
{
	char at[32];

	cp_clock_iso(s->opened_at, at);
	fprintf(f, "Shift %" PRId64 " opened by %s at %.16s%s\n", s->seq, s->staff, at,
		s->closed ? "" : " (open)");
	line_amount(f, "  float", s->float_fen);
	line_amount(f, "  cash taken", s->cash);
	line_amount(f, "  pay-ins", s->pay_in);
	line_amount(f, "  pay-outs", s->pay_out);
	line_amount(f, "  expected cash", s->expected);
	if (s->closed) {
		line_amount(f, "  counted cash", s->counted);
		line_amount(f, s->over_short < 0 ? "  SHORT" : "  over", s->over_short);
	}
}

/* The whole store's totals, after this till's. */
static void store_text(FILE *f, const struct cp_store_totals *st)
{
	char a[48];

	if (!st->reached) {
		fprintf(f, "\nstore totals unavailable (HQ not reached): %s\n", st->why);
		return;
	}
	fputs("\nWhole store (all terminals, as HQ has them)\n", f);
	line_money(f, "Sales", &st->sales);
	line_money(f, "Refunds", &st->refunds);
	line_money(f, "Post-voids", &st->voids);
	line_amount(f, "Net", st->net);
	for (int i = 0; i < st->nterminals; i++) {
		cp_money_format(st->terminals[i].sales.amount, NULL, a, sizeof(a));
		fprintf(f, "  %-20s %5" PRId64 " %14s\n", st->terminals[i].terminal,
			st->terminals[i].sales.count, a);
	}
	if (st->truncated)
		fputs("(some terminals were left out)\n", f);
}

static void store_csv(FILE *f, const struct cp_store_totals *st)
{
	char key[240];

	if (!st->reached) {
		snprintf(key, sizeof(key), "unavailable (HQ not reached): %s", st->why);
		csv_row(f, "store", key, NULL, NULL, NULL, NULL);
		return;
	}
	csv_row(f, "store", "sales", &st->sales.count, &st->sales.amount, NULL, NULL);
	csv_row(f, "store", "refunds", &st->refunds.count, &st->refunds.amount, NULL, NULL);
	csv_row(f, "store", "post_voids", &st->voids.count, &st->voids.amount, NULL, NULL);
	csv_row(f, "store", "net", NULL, &st->net, NULL, NULL);
	for (int i = 0; i < st->nterminals; i++)
		csv_row(f, "store_terminal", st->terminals[i].terminal,
			&st->terminals[i].sales.count, &st->terminals[i].sales.amount, NULL, NULL);
}

static void print_text(FILE *f, const struct cp_tally *t, const char *title)
{
	char a[48];

	fprintf(f, "%s — business day %s\n", title, t->day);
	if (t->unacked)
		fprintf(f,
			"WARNING: %" PRId64 " journal row%s of this day not yet acknowledged by "
			"HQ\n",
			t->unacked, t->unacked == 1 ? "" : "s");
	if (t->z_seq)
		fprintf(f, "Closed by the Z report (journal %" PRId64 ")\n", t->z_seq);
	fprintf(f, "\n%-22s %5s %14s\n", "", "count", "amount");
	line_money(f, "Sales", &t->sales);
	line_amount(f, "  gross", t->gross);
	line_amount(f, "  discounts", t->discounts);
	line_amount(f, "    member price, tier", t->off.member);
	line_amount(f, "    coupons", t->off.coupon);
	line_amount(f, "    manual discounts", t->off.manual);
	line_amount(f, "  member savings", t->member_savings);
	line_money(f, "  cash rounding", &t->rounding);
	line_money(f, "Cancelled sales", &t->cancelled);
	line_money(f, "Refunds", &t->refunds);
	line_money(f, "  without receipt", &t->noreceipt);
	line_money(f, "Post-voids", &t->voids);
	line_amount(f, "Net", t->net);
	fputs("\nTenders\n", f);
	for (int i = 0; i < t->ntenders; i++)
		line_amount(f, t->tenders[i].method, t->tenders[i].amount);
	fputs("\nMembers\n", f);
	line_money(f, "  member sales", &t->member_sales);
	line_money(f, "  other sales", &t->other_sales);
	fprintf(f, "  members' share        %3" PRId64 ".%02" PRId64 "%%\n",
		t->member_share_bp / 100, t->member_share_bp % 100);
	line_amount(f, "  member avg ticket", t->member_average);
	line_amount(f, "  other avg ticket", t->other_average);
	fprintf(f, "  new members %" PRId64 ", referred %" PRId64 "\n", t->new_members,
		t->referrals);
	fputs("\nPoints and growth by kind\n", f);
	for (int i = 0; i < t->nkinds; i++)
		fprintf(f, "  %-20s %10" PRId64 " pts %8" PRId64 " growth\n", t->points[i].kind,
			t->points[i].points, t->points[i].growth);
	fputs("\nCashiers                sales          refunds\n", f);
	for (int i = 0; i < t->ncashiers; i++) {
		char b[48];

		cp_money_format(t->cashiers[i].sales.amount, NULL, a, sizeof(a));
		cp_money_format(t->cashiers[i].refunds.amount, NULL, b, sizeof(b));
		fprintf(f, "  %-8s %4" PRId64 " %12s %4" PRId64 " %12s\n", t->cashiers[i].staff,
			t->cashiers[i].sales.count, a, t->cashiers[i].refunds.count, b);
	}
	if (t->nguides)
		fputs("\nGuides    bound   credited sales      reversed           net\n", f);
	for (int i = 0; i < t->nguides; i++) {
		char b[48], c[48];

		cp_money_format(t->guides[i].credited.amount, NULL, a, sizeof(a));
		cp_money_format(t->guides[i].reversed.amount, NULL, b, sizeof(b));
		cp_money_format(t->guides[i].net, NULL, c, sizeof(c));
		fprintf(f, "  %-8s %5" PRId64 " %4" PRId64 " %12s %4" PRId64 " %12s %12s\n",
			t->guides[i].guide, t->guides[i].bound, t->guides[i].credited.count, a,
			t->guides[i].reversed.count, b, c);
	}
	fputs("\nSales by hour\n", f);
	for (int h = 0; h < 24; h++) {
		if (!t->hours[h].count)
			continue;
		cp_money_format(t->hours[h].amount, NULL, a, sizeof(a));
		fprintf(f, "  %02d:00 %5" PRId64 " %14s\n", h, t->hours[h].count, a);
	}
	fputc('\n', f);
	for (int i = 0; i < t->nshifts; i++)
		print_shift(f, &t->shifts[i]);
	if (t->truncated)
		fputs("(some lists were cut short)\n", f);
}

int cmd_report(struct app *app)
{
	struct cp_errbuf err = {{0}};
	struct cp_tally *t = calloc(1, sizeof(*t));
	struct cp_store_totals *st = NULL;
	struct cp_shift_view v;
	struct cp_db *db = NULL;
	const char *kind = app->report_kind,
		   *fmt = app->report_format ? app->report_format : "text";
	char day[11], *text;
	enum cp_err rc = CP_OK;
	int status = APP_EXIT_FAIL;

	if (!t) {
		app_error("out of memory");
		return APP_EXIT_FAIL;
	}
	if (strcmp(fmt, "text") != 0 && strcmp(fmt, "csv") != 0 && strcmp(fmt, "json") != 0 &&
	    strcmp(fmt, "print") != 0) {
		app_error("--format: give text, csv, json or print, not '%s'", fmt);
		free(t);
		return APP_EXIT_USAGE;
	}
	if (app_open_db(app, &db) != CP_OK) {
		free(t);
		return APP_EXIT_USAGE;
	}
	if (strcmp(fmt, "print") == 0) /* in the language the till prints in */
		cp_ui_setup_locale(app->cfg.ui_language);
	if (strcmp(kind, "shift") == 0) {
		if (app->report_date) {
			app_error("report shift: the shift report is of the shift open now (or the "
				  "last one); give no --date");
			status = APP_EXIT_USAGE;
			goto out;
		}
		if ((rc = cp_shift_current(db, &v, &err)) != CP_OK)
			goto fail;
		if (!v.seq) {
			app_error("no shift was ever opened on this till");
			goto out;
		}
		if (strcmp(fmt, "json") == 0) {
			printf("{\"report\":\"shift\",\"seq\":%" PRId64 ",\"staff\":\"%s\","
			       "\"opened_at\":%" PRId64 ",\"open\":%s,\"float\":%" PRId64
			       ",\"cash\":%" PRId64 ",\"pay_in\":%" PRId64 ",\"pay_out\":%" PRId64
			       ",\"expected\":%" PRId64 ",\"closed\":%s,\"counted\":%" PRId64
			       ",\"over_short\":%" PRId64 "}\n",
			       v.seq, v.staff, v.opened_at, v.open ? "true" : "false", v.float_fen,
			       v.cash, v.pay_in, v.pay_out, v.expected, v.closed ? "true" : "false",
			       v.closed ? v.counted : 0, v.closed ? v.over_short : 0);
		} else if (strcmp(fmt, "csv") == 0) {
			fputs("section,key,count,amount_yuan,points,growth\r\n", stdout);
			shift_csv(stdout, &v);
		} else if (strcmp(fmt, "print") == 0) {
			if (!(text = cp_ui_report_text_shift(&v, app_printer_width(app)))) {
				app_error("out of memory");
				goto out;
			}
			fputs(text, stdout);
			free(text);
		} else {
			print_shift(stdout, &v);
		}
		status = APP_EXIT_OK;
		goto out;
	}
	if (app->report_date && strcmp(kind, "x") == 0) {
		app_error("report x: the X report is of the business day now; give no --date "
			  "(use report daily --date for another day)");
		status = APP_EXIT_USAGE;
		goto out;
	}
	rc = app->report_date ? cp_report_day_parse(db, app->report_date, day, &err)
			      : cp_report_today(db, day, &err);
	if (rc != CP_OK)
		goto fail;
	rc = strcmp(kind, "z") == 0 ? cp_report_z(db, NULL, day, t, &err)
				    : cp_report_tally(db, day, t, &err);
	if (rc != CP_OK)
		goto fail;
	if (strcmp(kind, "z") != 0) { /* the whole store's, beside this till's */
		struct cp_sync_options opts;
		struct cp_hq_identity tls;

		if (!(st = calloc(1, sizeof(*st)))) {
			app_error("out of memory");
			goto out;
		}
		memset(&tls, 0, sizeof(tls));
		app_sync_options(app, &opts);
		app_sync_stored_tls(db, &opts, &tls);
		cp_sync_store_totals(db, &opts, day, st, NULL);
		cp_wipe(&tls, sizeof(tls));
	}
	if (strcmp(fmt, "json") == 0) {
		if (!(text = cp_report_json_store(t, kind, cp_db_store_id(db),
						  cp_db_terminal_id(db), st))) {
			app_error("out of memory");
			goto out;
		}
		puts(text);
		free(text);
	} else if (strcmp(fmt, "csv") == 0) {
		print_csv(stdout, t);
		if (st)
			store_csv(stdout, st);
	} else if (strcmp(fmt, "print") == 0) { /* what the printer gets, at its width */
		if (!(text = cp_ui_report_text(t, kind, st, app_printer_width(app)))) {
			app_error("out of memory");
			goto out;
		}
		fputs(text, stdout);
		free(text);
	} else {
		print_text(stdout, t,
			   strcmp(kind, "z") == 0   ? "Z report"
			   : strcmp(kind, "x") == 0 ? "X report"
						    : "Daily tally");
		if (st)
			store_text(stdout, st);
	}
	if (t->unacked && strcmp(kind, "z") == 0)
		app_error("note: the Z report was taken with %" PRId64 " journal row%s of the day "
			  "not yet acknowledged by HQ; the report records it",
			  t->unacked, t->unacked == 1 ? "" : "s");
	status = APP_EXIT_OK;
	goto out;
fail:
	app_fail(&err, rc);
	status = rc == CP_EINVAL ? APP_EXIT_USAGE : APP_EXIT_FAIL;
out:
	cp_db_close(db);
	free(st);
	free(t);
	return status;
}

static void report_printed(void *ctx, enum cp_err result, const char *message)
{
	(void)ctx;
	if (result != CP_OK)
		cp_printer_outcome_push("report", result, message);
}

enum cp_err app_print_text(void *ctx, const char *text, struct cp_errbuf *err)
{
	const struct app_receipts *r = ctx;

	if (!r || !r->device || !r->device[0])
		return cp_errf(err, CP_ENOTFOUND, "no receipt printer is configured");
	return cp_printer_print_async(r->device, text, report_printed, NULL, err);
}
