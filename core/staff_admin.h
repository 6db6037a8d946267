/* staff_admin.h — a manager on the spot: unlocking a staff code that too many wrong PINs locked,
 * and giving a staff member a new PIN. Each is a journal event (staff_unlock, staff_reset_pin)
 * naming the staff code and the manager; the PIN itself is never in the journal. */
#ifndef CP_STAFF_ADMIN_H
#define CP_STAFF_ADMIN_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"
#include "staff.h"

struct cp_db;

/* A staff code as the manager sees it. */
struct cp_staff_admin_entry {
	char code[17];
	char name[65];
	enum cp_role role;
	int64_t failed;       /* wrong PINs counted since the last good one */
	int64_t locked_until; /* ms; 0 or in the past when not locked */
	bool locked;          /* locked now */
};

/* The staff codes locked now or with wrong PINs counted, most recently locked first:
 * out[0..*n) of at most max. */
enum cp_err cp_staff_admin_list(struct cp_db *db, struct cp_staff_admin_entry *out, int max, int *n,
				struct cp_errbuf *err);

struct cp_staff_admin_result {
	int64_t seq; /* the journal event */
	char staff[17];
	char name[65];
	char authorised_by[17];
	int64_t was_locked_until; /* ms; 0 when it was not locked */
	int64_t failed;           /* wrong PINs counted before */
};

/* Unlocks staff code code (and clears its count of wrong PINs): one staff_unlock event. The
 * authority is who's when who is a manager, else manager_code and manager_pin (cp_staff_authorise:
 * a cashier alone is CP_EPERM, a wrong manager PIN CP_EAUTH). Refused with nothing written: no
 * such staff code (CP_ENOTFOUND), a code that is neither locked nor has wrong PINs counted
 * (CP_ESTATE), no authority. out (may be NULL) gets what was done. */
enum cp_err cp_staff_admin_unlock(struct cp_db *db, const struct cp_session *who,
				  const char *manager_code, const char *manager_pin,
				  const char *code, struct cp_staff_admin_result *out,
				  struct cp_errbuf *err);

/* Gives staff code code the PIN new_pin (4..12 digits; a fresh salt, PBKDF2 as for staff set),
 * which also unlocks it: one staff_reset_pin event that holds neither PIN nor hash. Authority
 * and refusals as for unlock, plus a PIN of the wrong form (CP_EINVAL, checked before any
 * authority is asked) and an inactive staff code (CP_ESTATE). */
enum cp_err cp_staff_admin_reset_pin(struct cp_db *db, const struct cp_session *who,
				     const char *manager_code, const char *manager_pin,
				     const char *code, const char *new_pin,
				     struct cp_staff_admin_result *out, struct cp_errbuf *err);

#endif
