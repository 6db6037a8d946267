/* guide.h — shopping guides (导购): binding a member to a guide at the till, the protection that
 * keeps a binding from being taken over, the guide a sale is credited to, and a guide's day.
 * Every binding, refresh, takeover and unbinding is a journal event. */
#ifndef CP_GUIDE_H
#define CP_GUIDE_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"

struct cp_db;
struct cp_session;

/* Protection of a binding, in days counted from the later of the binding and the member's last
 * purchase credited to the guide; CP_GUIDE_ALWAYS never runs out, CP_GUIDE_NEVER (0) never
 * protects. The default is CP_GUIDE_DEFAULT_DAYS. */
#define CP_GUIDE_ALWAYS (-1)
#define CP_GUIDE_NEVER 0
#define CP_GUIDE_DEFAULT_DAYS 90
#define CP_GUIDE_MAX_DAYS 3650

/* "90", "always" or "never" (as the [guide] protection_days setting says it) -> days. */
enum cp_err cp_guide_parse_protection(const char *text, int *days, struct cp_errbuf *err);
/* Sets the protection (days as above) and whether a guide who registers a member becomes
 * their guide. */
void cp_guide_configure(struct cp_db *db, int protection_days, bool register_binds);

#define CP_GUIDE_BADGE_MAX 14

/* A guide as a badge names them. */
struct cp_guide_who {
	char code[17];
	char name[65];
	char badge[CP_GUIDE_BADGE_MAX + 1];
};

/* The guide whose badge this is (scanner prefixes and suffixes allowed). An unknown badge,
 * an inactive staff member's, or one that is not a guide's is an error saying so. */
enum cp_err cp_guide_by_badge(struct cp_db *db, const char *badge, struct cp_guide_who *out,
			      struct cp_errbuf *err);

struct cp_guide_bind_req {
	const char *member_id;    /* NULL: the member attached to who's open sale */
	const char *badge;        /* NULL: who, when who is a guide */
	const char *manager_code; /* a takeover inside the protection: a manager's code and PIN */
	const char *manager_pin;
	const char *reason; /* required for a takeover inside the protection and an unbinding */
};

struct cp_guide_bind_result {
	int64_t seq;
	char kind[16]; /* "bind", "refresh", "takeover", "unbind" */
	char member[64];
	struct cp_guide_who guide; /* empty after an unbinding */
	char previous[17];         /* the guide before; "" when none */
	char authorised_by[17];    /* "" when no authority was needed */
	int64_t protected_until;   /* ms; 0 when not protected, INT64_MAX when always */
};

/* Binds the member to the guide: a first binding, a refresh (the same guide again), or a
 * takeover (another guide). A takeover inside the protection needs a manager's authority (as
 * cp_staff_authorise: wrong PINs count toward the lock-out) and a reason. One journal event;
 * refused input changes nothing. */
enum cp_err cp_guide_bind(struct cp_db *db, const struct cp_session *who,
			  const struct cp_guide_bind_req *req, struct cp_guide_bind_result *out,
			  struct cp_errbuf *err);

/* Ends the member's binding: a manager's authority and a reason (req->badge is not used). */
enum cp_err cp_guide_unbind(struct cp_db *db, const struct cp_session *who,
			    const struct cp_guide_bind_req *req, struct cp_guide_bind_result *out,
			    struct cp_errbuf *err);

/* The guide who served the customer of who's open sale: credited when the member has no guide,
 * or when there is no member. A sale must be open. */
enum cp_err cp_guide_serve(struct cp_db *db, const struct cp_session *who, const char *badge,
			   struct cp_guide_who *out, struct cp_errbuf *err);

/* The guide's day: credited sales and refunds of the business day, members bound that day, all
 * members bound to the guide as this till knows them, and those whose protection runs out within
 * 7 days. */
struct cp_guide_day {
	struct cp_guide_who guide;
	char day[11];
	int64_t sales, sales_amount;     /* credited sales, fen */
	int64_t refunds, refunds_amount; /* refunds against them, fen (positive) */
	int64_t bound_today, bound_total, expiring;
};
/* code: a guide's staff code or badge; NULL means who (who must be a guide then). */
enum cp_err cp_guide_day(struct cp_db *db, const struct cp_session *who, const char *code,
			 struct cp_guide_day *out, struct cp_errbuf *err);

#endif
