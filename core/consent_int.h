/* consent_int.h — registration's consent hook (member.c) and the apply step shared by commit
 * and verify: member_consent is the journal's view of who agreed to which terms, and when. */
#ifndef CP_CONSENT_INT_H
#define CP_CONSENT_INT_H

#include <jansson.h>
#include <stdint.h>

#include "consent.h"
#include "member.h"

/* Refuses a registration without the shopper's consent, or with consent to terms that are no
 * longer in force; fills version with the version agreed to. */
enum cp_err cp_consent_check(struct cp_db *db, const struct cp_member_new *m,
			     char version[CP_TERMS_VERSION_MAX + 1], struct cp_errbuf *err);

/* Adds the consent of registration event seq (payload p) for member, at ms. Events recorded
 * before consent was asked for carry none and add nothing. */
enum cp_err cp_consent_apply(struct cp_db *db, int64_t seq, const char *member, json_t *p,
			     int64_t at, struct cp_errbuf *err);

#endif
