/* cp_log.h — one log for the process: single-line records with a local ISO timestamp and a
 * level, appended to a file (shared by the till and the sync daemon) or written to stderr. */
#ifndef CP_LOG_H
#define CP_LOG_H

#include "cp_error.h"

enum cp_log_level { CP_LOG_DEBUG, CP_LOG_INFO, CP_LOG_WARN, CP_LOG_ERROR };

/* Sends the log to path (created with cp_paths_file_mode's mode, appended to), or to stderr
 * when path is NULL. A log already open is closed once the new one is open. CP_EIO when the file cannot
 * be opened; the log then goes on where it went before (stderr when none was open). */
enum cp_err cp_log_open(const char *path, struct cp_errbuf *err);

/* Records below level are dropped; the default is CP_LOG_INFO. */
void cp_log_set_level(enum cp_log_level level);

/* Writes "2026-11-24T10:00:00+08:00 WARN message\n" in one write(), so that lines of two
 * processes never interleave. Control characters in the message become '?'; a message too long
 * for one record (about 2000 bytes) is cut and ends in "...". Safe from several threads. */
void cp_log(enum cp_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Closes a log file and goes back to stderr; harmless when none is open. */
void cp_log_close(void);

/* "DEBUG", "INFO", "WARN", "ERROR"; "?" for anything else. */
const char *cp_log_level_name(enum cp_log_level level);

#endif
