/* benefit.h — member benefits (权益) as rules: who (tiers, optionally lifecycle stages), when
 * (always, the birthday month, the member day of the earn rules), how often (once a year, a
 * month or a day, chain-wide) and what (a coupon of a template, bonus points, a gift item at
 * zero price). The till lists the attached member's benefits and grants an open one with one
 * key: one benefit_grant journal event. */
#ifndef CP_BENEFIT_H
#define CP_BENEFIT_H

#include <stdbool.h>
#include <stdint.h>

#include "coupon.h"
#include "cp_error.h"

struct cp_db;
struct cp_session;

#define CP_BENEFIT_ID_LEN 32
#define CP_BENEFIT_LIST_MAX 32

struct cp_benefit {
	char id[CP_BENEFIT_ID_LEN + 1];
	char title_zh[65], title_en[65];
	char tiers[64];  /* tier levels, comma-separated; "": every tier */
	char stages[64]; /* lifecycle stages, comma-separated; "": every stage */
	char when[12];   /* "always", "birthday" (the birthday month) or "member_day" */
	char period[8];  /* "year", "month" or "day": granted once per such period */
	char what[8];    /* "coupon", "points" or "gift" */
	char template_id[CP_COUPON_ID_LEN + 1]; /* coupon: the template */
	int64_t points;                         /* points: how many (1..CP_EARN_BONUS_MAX) */
	char sku[33];                           /* gift: the item, at zero price */
	char valid_from[11], valid_to[11];      /* business days; "" each: no bound */
};

/* Stores (inserts or replaces) a benefit from HQ or the demo store after checking every field;
 * a bad one is CP_EINVAL naming the field, nothing stored. */
enum cp_err cp_benefit_put(struct cp_db *db, const struct cp_benefit *b, struct cp_errbuf *err);
enum cp_err cp_benefit_get(struct cp_db *db, const char *id, struct cp_benefit *out,
			   struct cp_errbuf *err);

enum cp_benefit_state {
	CP_BENEFIT_OPEN,     /* may be granted now */
	CP_BENEFIT_USED,     /* granted this period (here or, by HQ's feed, at another till) */
	CP_BENEFIT_NOT_TODAY /* the member's, but not today (why says when) */
};

/* One of the member's benefits as it stands today. */
struct cp_benefit_status {
	struct cp_benefit b;
	enum cp_benefit_state state;
	char period_key[11]; /* this period: "YYYY", "YYYY-MM" or "YYYY-MM-DD" */
	char used_on[11];    /* USED: the business day of the grant */
	char why[96];        /* NOT_TODAY: when it is, in English */
};

/* The attached member's benefits (their tier's and stage's), open ones first, then those used
 * this period, then the rest. */
struct cp_benefit_list {
	char member_id[64];
	char day[11]; /* the business day judged */
	int n, open, used;
	struct cp_benefit_status e[CP_BENEFIT_LIST_MAX];
};
/* No member attached: CP_ESTATE saying so. */
enum cp_err cp_benefit_list(struct cp_db *db, const struct cp_session *who,
			    struct cp_benefit_list *out, struct cp_errbuf *err);
/* The same for member_id on the business day of now, without a cart (the receipt, tests). */
enum cp_err cp_benefit_list_member(struct cp_db *db, const char *member_id,
				   struct cp_benefit_list *out, struct cp_errbuf *err);

/* What a grant gave. */
struct cp_benefit_grant {
	int64_t seq;
	char benefit_id[CP_BENEFIT_ID_LEN + 1];
	char title[65];
	char what[8];
	char period_key[11];
	int64_t points;               /* points: given */
	int64_t balance_after;        /* points: the member's balance after */
	struct cp_coupon_info coupon; /* coupon: the coupon issued */
	char sku[33];                 /* gift: the item ... */
	int line_no;                  /* ... and its cart line at zero price */
};

/* Grants benefit id to the attached member: one benefit_grant event (verify replays it), in
 * one transaction with its points movement, the coupon issued through coupon.c, or the gift's
 * cart line at zero price (which earns nothing). Refused with one sentence, nothing changed:
 * no member attached, unknown id, not this member's tier or stage, not today (birthday month,
 * member day), outside its dates, already granted this period here or at another till (HQ's
 * feed), or granted for a later day (the clock was moved back). */
enum cp_err cp_benefit_grant(struct cp_db *db, const struct cp_session *who, const char *id,
			     struct cp_benefit_grant *out, struct cp_errbuf *err);

#endif
