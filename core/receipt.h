/* receipt.h — what a receipt says, read back from the database after a sale, refund or
 * post-void commits, and the copies of printed receipt text kept for reprint. No SQL and no
 * layout here: ui/receipt.c turns a struct cp_receipt_view into text for the printer. */
#ifndef CP_RECEIPT_H
#define CP_RECEIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cart.h"
#include "cp_error.h"
#include "member.h"
#include "sale.h"

struct cp_db;

#define CP_RECEIPT_MAX_LINES CP_CART_MAX_LINES
#define CP_RECEIPT_MAX_COUPONS 8
#define CP_RECEIPT_MAX_BENEFITS 4
/* Receipt text kept for reprint is at most this many bytes. */
#define CP_RECEIPT_TEXT_MAX (256 * 1024)

enum cp_receipt_kind {
	CP_RECEIPT_SALE,
	CP_RECEIPT_REFUND,    /* lines of a sale given back, by a manager's authority */
	CP_RECEIPT_VOID,      /* the whole sale cancelled the same business day */
	CP_RECEIPT_NORECEIPT, /* a refund without a receipt (refund_noreceipt.h): one line */
	CP_RECEIPT_COUPON,    /* a coupon taken for points or as a benefit: its slip (below) */
};

struct cp_receipt_line {
	int line_no;    /* the sale's line number */
	char name[129]; /* as sold (Chinese name, English when it has none) */
	int64_t qty;
	int64_t unit_price; /* fen */
	int64_t amount;     /* fen; for a refund, the money given back for this line */
	/* A sale's weighed line (a scale label): its weight in grams and price a kilogram, printed
	 * as "0.532 kg x ¥12.80/kg"; 0 for any other line. */
	int64_t weight_g;
	int64_t per_kg;
};

/* A coupon the sale issued (coupon.c's issuing rules), its code as printed. */
struct cp_receipt_coupon {
	char code[33];
	char title[65];       /* e.g. "满100减20" */
	char valid_until[11]; /* "YYYY-MM-DD" or "" */
};

/* A coupon slip (CP_RECEIPT_COUPON): the coupon a member took for points (积分兑券) or was
 * granted as a benefit, printed on a slip of its own the moment it is issued. Its number is the
 * coupon's code. Read from the event (coupon_issue, the journal row and its payload) and the
 * coupon's template, so that reading it again gives the same slip. */
struct cp_receipt_slip {
	bool exchange;    /* taken for points; else granted as a benefit */
	char source[129]; /* the offer's or the benefit's name; "" when no longer known */
	char code[33];
	char title[65];       /* the template's title, e.g. "满30减5" */
	char kind[8];         /* "amount", "percent" or "item"; "" when the template is gone */
	int64_t threshold;    /* fen the lines it covers must reach; 0: none */
	int64_t amount;       /* amount: fen off */
	int percent_bp;       /* percent: off */
	int64_t cap;          /* percent: the most fen off; 0: no cap */
	char item[129];       /* item: the free item's name */
	char scope[8];        /* "all", "only" or "except" */
	char categories[256]; /* only/except: category names, ", "-separated */
	bool bearer;          /* anyone holding it may use it; else only the member */
	bool stacks;          /* may be used with another coupon */
	char issued_on[11];   /* the business day of the event */
	char valid_from[11], valid_to[11];
	bool next_day;         /* valid from the day after issued_on (not the day it was taken) */
	bool has_balance;      /* exchange: balance_after is known (not in older events) */
	int64_t balance_after; /* exchange: the member's points balance after it */
};

struct cp_receipt_view {
	enum cp_receipt_kind kind;
	char store_id[17];
	char store_name[129]; /* meta "store_name"; "" when the database has none */
	char terminal_id[17];
	char receipt[CP_RECEIPT_LEN];
	char sale_receipt[CP_RECEIPT_LEN]; /* refund/void: the receipt of the sale; else "" */
	char business_day[11];             /* "YYYY-MM-DD" */
	char time[20];                     /* "YYYY-MM-DD HH:MM:SS", local time */
	int64_t created_at;                /* ms since the epoch */
	char staff_code[17];
	char staff_name[65];    /* "" when the staff code is no longer known */
	char authorised_by[17]; /* refund/void: the manager's code; else "" */

	int nlines;
	struct cp_receipt_line lines[CP_RECEIPT_MAX_LINES];
	int64_t items; /* sum of the quantities */
	/* Sale: the total due. Refund/void: the money given back (positive). */
	int64_t total;
	/* Sale: 抹零, what was taken off the cash due (negative: added; rounding.h); the lines'
	 * amounts are before it and total after it. 0 otherwise. */
	int64_t rounding;
	/* Sale: tenders as paid (cash before change). Refund/void: money back by method
	 * (positive amounts). */
	int ntenders;
	struct cp_tender tenders[CP_TENDER_MAX];
	int64_t tendered;      /* sum of the tenders */
	int64_t change;        /* sale: cash handed back; 0 for refunds */
	int64_t member_saving; /* sale: member prices and tier discount (会员优惠); else 0 */
	int64_t discount;      /* sale: its manual discounts (discount.h); else 0 */

	bool has_member;
	/* member holds the member as they stand when the receipt is read (cp_member_get): masked
	 * phone, name, tier, balance and its worth, expiring points, growth to the next tier,
	 * bound guide. member_known is false when the sale names a member this terminal no longer
	 * holds: then only member.id is set. */
	bool member_known;
	struct cp_member_view member;
	char guide_name[65]; /* name of member.guide when known; else "" */
	/* Sale: points and growth earned, points spent (0 until points pay). Refund/void:
	 * points and growth clawed back (positive numbers), points_spent 0. */
	int64_t points;
	int64_t growth;
	int64_t points_spent;
	int64_t points_returned; /* refund/void: points that had paid for the lines, given back */

	int ncoupons;
	struct cp_receipt_coupon coupons[CP_RECEIPT_MAX_COUPONS];
	/* Sale: the titles of the member's benefits still open when the receipt is read
	 * (benefit.c), the short version of their benefits. */
	int nbenefits;
	char benefits[CP_RECEIPT_MAX_BENEFITS][65];

	char verify_code[9]; /* first 8 hex digits of the event's journal hash */

	/* lifecycle.c: the tier this sale lifted the member to ("" when none) and the date the
	 * member's tier is held until ("" when not known). */
	char tier_up[33];
	char tier_until[11];

	/* a refund without a receipt: why the item came back; else "" */
	char reason[121];

	/* a coupon slip: its coupon (points_spent holds an exchange's points); else zero */
	struct cp_receipt_slip slip;
};

/* Fills *out for the sale, refund, post-void or coupon slip with this receipt number (a coupon
 * slip's number is its coupon's code). A receipt this terminal never wrote is CP_ENOTFOUND
 * with a message naming it; *out is written only on success. Reads only; may be called inside
 * or outside a transaction. The view is large (about 20 KB): callers on small stacks should
 * allocate it. */
enum cp_err cp_receipt_get(struct cp_db *db, const char *receipt_no, struct cp_receipt_view *out,
			   struct cp_errbuf *err);

/* Keeps text (the rendered receipt, UTF-8, at most CP_RECEIPT_TEXT_MAX bytes) as the copy of
 * receipt_no for reprint, with printed = 0 and no error. Keeping a receipt again replaces its
 * text and resets its state. The receipt must exist (CP_ENOTFOUND otherwise). Joins a
 * transaction the caller has open. */
enum cp_err cp_receipt_keep(struct cp_db *db, const char *receipt_no, const char *text,
			    struct cp_errbuf *err);

/* Records the outcome of printing the kept copy: printed true/false and the printer's message
 * (NULL or "" when none; long messages are cut at 511 bytes). CP_ENOTFOUND when no copy of
 * receipt_no is kept. */
enum cp_err cp_receipt_mark(struct cp_db *db, const char *receipt_no, bool printed,
			    const char *error, struct cp_errbuf *err);

/* The kept text of receipt_no in *text, NUL-terminated, malloc'd: the caller frees it.
 * CP_ENOTFOUND when no copy is kept (*text is then NULL). */
enum cp_err cp_receipt_copy(struct cp_db *db, const char *receipt_no, char **text,
			    struct cp_errbuf *err);

/* What became of a kept copy: when it was kept, whether it printed, the printer's message. */
struct cp_receipt_copy_state {
	int64_t kept_at; /* ms */
	bool printed;
	char error[512];
};
/* CP_ENOTFOUND when no copy of receipt_no is kept. */
enum cp_err cp_receipt_state(struct cp_db *db, const char *receipt_no,
			     struct cp_receipt_copy_state *out, struct cp_errbuf *err);

/* The receipt numbers of the newest kept copies, newest first: at most max of them into
 * out[0..*n-1]. */
enum cp_err cp_receipt_recent(struct cp_db *db, char (*out)[CP_RECEIPT_LEN], int max, int *n,
			      struct cp_errbuf *err);

#endif
