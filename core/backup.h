/* backup.h — consistent copies of the till's database taken while it runs: `counterpoint
 * backup FILE`, and the copy kept before a migration changes the file (an upgrade). */
#ifndef CP_BACKUP_H
#define CP_BACKUP_H

#include "cp_error.h"

struct cp_db;

/* Copies the Counterpoint database at src to the new file dst with SQLite's online backup
 * API, in one read transaction: the copy is the database as it was at one commit, while the
 * till and the sync daemon go on writing (WAL readers do not block writers). src is not
 * migrated or otherwise written. dst must not exist (CP_EEXIST) and its directory must; it is
 * created 0600, or 0660 in a directory made for a group (cp_paths_file_mode), and removed
 * again on any failure. *schema (may be NULL) gets the copy's schema version. Errors:
 * CP_ENOTFOUND no src; CP_ECORRUPT src is not a Counterpoint database; CP_EEXIST; CP_EBUSY
 * the source stayed locked; CP_EIO, CP_EFULL writing the copy. */
enum cp_err cp_backup_copy(const char *src, const char *dst, int *schema, struct cp_errbuf *err);

/* The copy cp_db_open kept before it migrated db's file from an older schema: its path, and
 * the schema it has in *from (may be NULL); "" when this open migrated nothing. */
const char *cp_backup_premigration(const struct cp_db *db, int *from);

#endif
