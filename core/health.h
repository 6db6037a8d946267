/* health.h — whether a database may be sold on: the check a front end makes as it starts,
 * before the first sale. */
#ifndef CP_HEALTH_H
#define CP_HEALTH_H

#include "cp_error.h"

struct cp_db;

/* PRAGMA quick_check, then the newest journal rows: each links to the one before, its payload
 * is JSON that says what its columns say, and the sealing key the file holds is the next
 * row's; then the same for every row since the last verified one (meta verified_mark, kept
 * under a keyed checksum), and the mark moves to the newest row. CP_OK when all holds;
 * CP_ECORRUPT with one line in err saying what is wrong and what to do (restore from a
 * backup, or sync and enrol again on a new database) otherwise; another error when the check
 * could not run. Writes only the mark. */
enum cp_err cp_health_check(struct cp_db *db, struct cp_errbuf *err);

#endif
