/* backup_int.h — core's side of backup.c: the copy db.c takes before a migration. */
#ifndef CP_BACKUP_INT_H
#define CP_BACKUP_INT_H

#include "db_int.h"

/* Copies db's file, at schema version from, to "<path>.schema<from>.bak" (or
 * ".schema<from>.N.bak" when that is taken) before a migration, and notes the path in db. */
enum cp_err cp_backup_before_migration(struct cp_db *db, int from, struct cp_errbuf *err);

#endif
