/* report.h — the tally of a business day (日结) from the journal's view tables: sales, refunds
 * and post-voids, tenders by method, members against non-members, points by movement kind,
 * each cashier, sales by hour, each shift's cash; the X report (any time, changes nothing) and
 * the Z report, a day_close journal event carrying the totals and the chain hash, that closes
 * the business day. */
#ifndef CP_REPORT_H
#define CP_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"
#include "shift.h"

struct cp_db;
struct cp_session;

#define CP_TALLY_NAMES 16  /* tender methods, points kinds */
#define CP_TALLY_STAFF 32  /* cashiers */
#define CP_TALLY_SHIFTS 16 /* shifts opened that day */

struct cp_tally_money {
	int64_t count, amount; /* amount in fen */
};

struct cp_tally {
	char day[11]; /* "YYYY-MM-DD" */
	struct cp_tally_money sales, refunds, voids;
	/* gross: what the goods sold would have cost at list price; discounts: what they were
	 * given off it (off, below); both less what the refunds and post-voids took back, so that
	 * gross - discounts = net, which the tally checks */
	int64_t gross;
	int64_t discounts;
	int64_t net; /* sales less refunds and post-voids */
	/* discounts by kind: member price or tier discount, coupons, manual discounts, cash
	 * rounding (抹零, also in rounding below), each net of the refunded lines' shares */
	struct {
		int64_t member, coupon, manual, rounding;
	} off;
	int ntenders; /* money taken by method, net of change and of money given back */
	struct {
		char method[17];
		int64_t amount;
	} tenders[CP_TALLY_NAMES];
	struct cp_tally_money member_sales, other_sales;
	int64_t member_share_bp; /* members' share of the sales' money, basis points */
	int64_t member_average, other_average; /* average ticket, fen, rounded down */
	int64_t new_members, referrals; /* registrations; of them, with a referrer rewarded */
	int nkinds;                     /* points and growth by movement kind */
	struct {
		char kind[17];
		int64_t points, growth;
	} points[CP_TALLY_NAMES];
	int ncashiers;
	struct {
		char staff[17];
		struct cp_tally_money sales, refunds; /* refunds: refunds and post-voids */
	} cashiers[CP_TALLY_STAFF];
	int nguides; /* each guide named by the day's bindings or credit, by code */
	struct {
		char guide[17];
		int64_t bound;                            /* members bound or taken over */
		struct cp_tally_money credited, reversed; /* sales credited; refunds reversing */
		int64_t net;                              /* credited less reversed, fen */
	} guides[CP_TALLY_STAFF];
	struct cp_tally_money hours[24]; /* sales by local hour */
	int nshifts;                     /* shifts opened that day, oldest first */
	struct cp_shift_view shifts[CP_TALLY_SHIFTS];
	/* list price less member price, times quantity, over the day's sales (fen) */
	int64_t member_savings;
	/* 抹零: the cash rounding of the day's sales (fen off; negative: added) and how many sales
	 * were rounded (rounding.h) */
	struct cp_tally_money rounding;
	/* open sales with lines thrown away (cart_cancel.c): how many, and their totals */
	struct cp_tally_money cancelled;
	/* refunds without a receipt (refund_noreceipt.h), counted in refunds too */
	struct cp_tally_money noreceipt;
	bool truncated; /* more methods, kinds, cashiers, guides or shifts than the lists hold */
	/* Not part of the totals: */
	int64_t lines;   /* the sales' line amounts as paid (a Z from before "off" had as gross) */
	int64_t unacked; /* journal rows of the day HQ has not acknowledged yet */
	int64_t z_seq;   /* the Z report that closed the day; 0 while it is open */
};

#define CP_STORE_TERMINALS 16 /* terminals listed in the store's totals */

/* The whole store's totals of a business day (all its terminals), as HQ counts them from the
 * journal rows it has applied (sync/PROTOCOL.md, "Store totals"); filled by sync/, shown
 * beside this till's tally. reached is false when HQ was not reached or its answer was not
 * understood; why then says so, for a person. */
struct cp_store_totals {
	bool reached;
	char why[200];
	char day[11];
	struct cp_tally_money sales, refunds, voids; /* voids: post-voids */
	int64_t net;                                 /* sales less refunds and post-voids, fen */
	int nterminals;                              /* terminals with rows that day */
	struct {
		char terminal[17];
		struct cp_tally_money sales;
		int64_t net;
	} terminals[CP_STORE_TERMINALS];
	bool truncated; /* more terminals than the list holds */
};

/* The business day now (the day after the newest Z when that is later). */
enum cp_err cp_report_today(struct cp_db *db, char day[11], struct cp_errbuf *err);

/* Checks a day a person typed: YYYY-MM-DD, a real date, not after today. CP_EINVAL saying
 * what was wrong. */
enum cp_err cp_report_day_parse(struct cp_db *db, const char *text, char day[11],
				struct cp_errbuf *err);

/* The tally of day (checked). Reads only. */
enum cp_err cp_report_tally(struct cp_db *db, const char *day, struct cp_tally *out,
			    struct cp_errbuf *err);

/* Takes the Z report of day: a day_close event with the tally, the sequence and hash of the
 * journal row before it, and how many rows of the day HQ had not acknowledged (allowed; the
 * report says so). CP_EEXIST when the day is closed already, CP_EINVAL for a day after today.
 * who may be NULL (the command line), recorded as "cli". *out gets the tally, z_seq set. */
enum cp_err cp_report_z(struct cp_db *db, const struct cp_session *who, const char *day,
			struct cp_tally *out, struct cp_errbuf *err);

/* The tally as JSON text (malloc'd, caller frees; NULL when out of memory), field names as in
 * README: kind is "daily", "x" or "z". */
char *cp_report_json(const struct cp_tally *t, const char *kind, const char *store,
		     const char *terminal);

/* The same with the whole store's totals (st not NULL) as "store_totals": {"available": true,
 * "day", "sales", "refunds", "voids" ({count, amount}), "net", "terminals" [{terminal, sales,
 * net}], "truncated"}, or {"available": false, "day", "why"}. */
char *cp_report_json_store(const struct cp_tally *t, const char *kind, const char *store,
			   const char *terminal, const struct cp_store_totals *st);

#endif
