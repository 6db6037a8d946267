/* no_sqlite.h — forced into every file of ui/, app/, sync/ and platform/ (`-include`, see the
 * top CMakeLists.txt): only core runs SQL. <sqlite3.h> declares nothing after this (its include
 * guard is taken), so any sqlite3_* call is an implicit declaration, an error in those layers
 * (-Werror=implicit-function-declaration), and the names below cannot be written at all.
 * tests/check_boundaries.py plants such code and checks that it fails to build (issue 13). */
#ifndef CP_NO_SQLITE_H
#define CP_NO_SQLITE_H
#define SQLITE3_H
#define _SQLITE3RTREE_H_
#define __SQLITESESSION_H_ 1
#define _FTS5_H
#pragma GCC poison sqlite3 sqlite3_stmt sqlite3_open sqlite3_open_v2 sqlite3_close
#pragma GCC poison sqlite3_close_v2 sqlite3_exec sqlite3_prepare sqlite3_prepare_v2
#pragma GCC poison sqlite3_prepare_v3 sqlite3_step sqlite3_finalize sqlite3_reset
#pragma GCC poison sqlite3_libversion sqlite3_errmsg sqlite3_errstr
#endif
