/* member.h — members as the till knows them: lookup by phone (keyed hash) or card, offline
 * registration with welcome and referral points, and the balance = HQ snapshot + this
 * terminal's movements HQ has not acknowledged yet. No full phone number is ever stored here. */
#ifndef CP_MEMBER_H
#define CP_MEMBER_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"

struct cp_db;
struct cp_session;

struct cp_member_view {
	char id[64];
	char masked_phone[16];
	char card_no[33];
	char name[65];
	char birthday[6]; /* "MM-DD" or "" */
	int tier_level;
	char tier_name[33];
	int tier_multiplier_bp;
	int64_t points;           /* balance shown: snapshot + pending */
	int64_t points_pending;   /* part of points not yet acknowledged by HQ */
	int64_t points_value;     /* what the balance is worth, fen */
	int64_t growth;           /* snapshot + pending */
	int64_t next_tier_growth; /* growth still needed for the next tier; 0 at the top */
	char next_tier_name[33];
	int64_t expiring_points; /* from HQ's snapshot */
	char expiring_on[11];
	char guide[17];
	bool local; /* registered here, no HQ id yet */
};

/* Finds a member by phone (any form cp_phone_normalise takes) or by card number (digits or
 * letters, 4..32). A miss is CP_ENOTFOUND with "no such member". */
enum cp_err cp_member_find_by_phone(struct cp_db *db, const char *phone, struct cp_member_view *out,
				    struct cp_errbuf *err);
enum cp_err cp_member_find_by_card(struct cp_db *db, const char *card, struct cp_member_view *out,
				   struct cp_errbuf *err);
enum cp_err cp_member_get(struct cp_db *db, const char *id, struct cp_member_view *out,
			  struct cp_errbuf *err);

/* A member without their phone: a fragment of the name (1..64 bytes of UTF-8, matched
 * anywhere in the name) and the last four digits of the phone (ASCII). Fills out[0..*n) with up
 * to max (1..CP_MEMBER_SEARCH_MAX) members, ordered by name, and *more when there are more;
 * none is CP_ENOTFOUND, bad input CP_EINVAL. Phones are shown masked as everywhere. */
#define CP_MEMBER_SEARCH_MAX 20
enum cp_err cp_member_search(struct cp_db *db, const char *name_part, const char *last4,
			     struct cp_member_view *out, int max, int *n, bool *more,
			     struct cp_errbuf *err);

struct cp_member_new {
	const char *phone;          /* required */
	const char *name;           /* optional, up to 64 bytes of UTF-8 */
	const char *birthday;       /* optional "MM-DD" */
	const char *referrer_phone; /* optional; must be a member known here */
	bool consent;               /* the shopper agreed to the membership terms: required */
	const char *terms_version;  /* the version they agreed to; NULL: the one in force */
};

/* Registers a member offline: one journal event (with the full phone, for HQ, and the version of
 * the membership terms the shopper agreed to: consent.h), welcome points
 * and referral points to both sides from the rules. A phone already known here is CP_EEXIST.
 * The new member gets a terminal-scoped id "L-<store>-<terminal>-<n>". */
enum cp_err cp_member_register(struct cp_db *db, const struct cp_session *who,
			       const struct cp_member_new *m, struct cp_member_view *out,
			       struct cp_errbuf *err);

/* A snapshot from HQ (or the demo seed): replaces the member's HQ-held fields when its version
 * is newer than the one held. Either phone (the full number, only hashed and masked here: the
 * demo seed) or phone_hash + phone_masked (HQ's feed: the full number never travels). */
struct cp_member_snapshot {
	const char *id;
	const char *phone;
	const uint8_t *phone_hash; /* 32 bytes, when phone is NULL */
	const char *phone_masked;  /* when phone is NULL */
	const char *tier_until;    /* may be NULL */
	const char *card_no;       /* may be NULL */
	const char *name;
	const char *birthday; /* may be NULL */
	int64_t points, growth;
	int tier_level;
	int64_t expiring_points;
	const char *expiring_on; /* may be NULL */
	const char *guide;       /* may be NULL */
	int64_t version;
};
enum cp_err cp_member_put_snapshot(struct cp_db *db, const struct cp_member_snapshot *s,
				   struct cp_errbuf *err);

#endif
