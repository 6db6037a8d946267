/* staff.h — cashiers, guides and managers: PINs (PBKDF2-HMAC-SHA256, per-staff salt), login
 * with lock-out after repeated wrong PINs, and the manager authority some actions need. */
#ifndef CP_STAFF_H
#define CP_STAFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_error.h"

struct cp_db;

enum cp_role { CP_ROLE_CASHIER, CP_ROLE_GUIDE, CP_ROLE_MANAGER };

/* Who is logged in. Filled by cp_staff_login; core re-checks the role from the database for
 * anything that needs authority, so a forged struct gains nothing. token is random per login:
 * the open sale belongs to the staff member and the login (session) that opened it. */
#define CP_SESSION_TOKEN_LEN 32 /* hex characters */
struct cp_session {
	char code[17];
	char name[65];
	enum cp_role role;
	int64_t since;
	char token[CP_SESSION_TOKEN_LEN + 1];
};

const char *cp_role_name(enum cp_role role);
/* "cashier", "guide", "manager" -> role; -1 for anything else. */
int cp_role_parse(const char *name);

/* Adds or replaces a staff member (and clears a lock). code: 1..16 letters/digits; name 1..64
 * bytes UTF-8; PIN 4..12 digits. Joins a transaction the caller has open. */
enum cp_err cp_staff_set(struct cp_db *db, const char *code, const char *name, enum cp_role role,
			 const char *pin, struct cp_errbuf *err);

/* Adds or replaces a staff member from HQ, who sends the PIN already hashed (PBKDF2-HMAC-SHA256
 * with this salt and iteration count). An inactive member cannot log in. Joins a caller's
 * transaction. */
enum cp_err cp_staff_put_hashed(struct cp_db *db, const char *code, const char *name,
				enum cp_role role, const uint8_t *salt, size_t saltlen,
				const uint8_t hash[32], uint32_t iterations, bool active,
				struct cp_errbuf *err);

/* Checks the PIN. Every attempt at a known code is counted (durably, in a transaction of its
 * own) before its PIN is checked, and a success clears the count in a transaction that checks
 * again that no other attempt has locked the code meanwhile: attempts at once can never check
 * more PINs than the limit. A wrong PIN answers CP_EAUTH (the one that locks the code answers
 * CP_ELOCKED); a locked code answers CP_ELOCKED with the time it unlocks in the message and
 * *locked_until (ms) when not NULL. When the attempt cannot be counted (CP_EFULL, CP_EBUSY,
 * CP_EIO, ...) the PIN is not checked and the message says so. PBKDF2 runs outside any write
 * lock. Must be called outside a transaction (CP_ESTATE otherwise): a caller's rollback would
 * erase the count. */
enum cp_err cp_staff_login(struct cp_db *db, const char *code, const char *pin,
			   struct cp_session *out, int64_t *locked_until, struct cp_errbuf *err);

/* Authority for one action: when the session itself is a manager's, it is the authority; else
 * manager_code and manager_pin must be a manager's (wrong PINs count towards that code's
 * lock-out). On success authorised_by gets the manager's code. CP_EPERM when no manager
 * authority was given, CP_EAUTH/CP_ELOCKED as for login. */
enum cp_err cp_staff_authorise(struct cp_db *db, const struct cp_session *session,
			       const char *manager_code, const char *manager_pin,
			       const char *action, char authorised_by[17], struct cp_errbuf *err);

/* A staff member's badge (guide.c reads it): the EAN-8 or EAN-13 a scanner reads off their
 * card, check digit valid, unique among staff; NULL or "" removes it. Joins a caller's
 * transaction. CP_ENOTFOUND when there is no such staff code. */
enum cp_err cp_staff_set_badge(struct cp_db *db, const char *code, const char *badge,
			       struct cp_errbuf *err);

/* cp_staff_set and, when badge is not NULL, the guide's badge, in one transaction (or the
 * caller's): a badge only for the guide role, with a valid check digit and held by no other
 * staff member; anything refused (CP_EINVAL, CP_EEXIST) writes nothing. */
enum cp_err cp_staff_set_guide(struct cp_db *db, const char *code, const char *name,
			       enum cp_role role, const char *pin, const char *badge,
			       struct cp_errbuf *err);

/* Who holds a badge (already cleaned by cp_code_parse): code (17), name (65), role and
 * whether active. CP_ENOTFOUND when no staff member holds it. */
enum cp_err cp_staff_find_badge(struct cp_db *db, const char *badge, char code[17], char name[65],
				enum cp_role *role, bool *active, struct cp_errbuf *err);

#endif
