/* member_int.h — member facts other core modules need inside their transactions. */
#ifndef CP_MEMBER_INT_H
#define CP_MEMBER_INT_H

#include "member.h"

struct cp_db;

/* Birthday month (1..12) of the member, 0 when unknown; CP_ENOTFOUND when no such member. */
enum cp_err member_birth_month(struct cp_db *db, const char *id, int *month, struct cp_errbuf *err);

#endif
