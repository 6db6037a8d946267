/* consent.h — the shopper's agreement to the membership terms at registration (PIPL): which
 * version of the terms is in force here. Registration (member.h) records the agreement, with
 * that version, in its journal event. */
#ifndef CP_CONSENT_H
#define CP_CONSENT_H

#include "cp_error.h"

struct cp_db;

#define CP_TERMS_VERSION_MAX 32
#define CP_TERMS_VERSION_DEFAULT "1"

/* The version of the membership terms in force: HQ's configuration `terms_version` when HQ sent
 * one, else cp_db_options.terms_version ([member] terms_version), else
 * CP_TERMS_VERSION_DEFAULT. Fills out; a database error otherwise. */
enum cp_err cp_consent_terms_version(struct cp_db *db, char out[CP_TERMS_VERSION_MAX + 1],
				     struct cp_errbuf *err);

#endif
