/* cp_paths.h — where the configuration and the database live by default: the XDG base
 * directories for a user, /etc/counterpoint and /var/lib/counterpoint when installed
 * system-wide (that is, when /etc/counterpoint/counterpoint.ini exists). */
#ifndef CP_PATHS_H
#define CP_PATHS_H

#include <stddef.h>

#include "cp_error.h"

/* $XDG_CONFIG_HOME/counterpoint/counterpoint.ini (XDG_CONFIG_HOME defaulting to ~/.config), or
 * /etc/counterpoint/counterpoint.ini when that exists. */
enum cp_err cp_paths_default_config(char *out, size_t outlen, struct cp_errbuf *err);

/* $XDG_DATA_HOME/counterpoint/counterpoint.db (XDG_DATA_HOME defaulting to ~/.local/share), or
 * /var/lib/counterpoint/counterpoint.db when installed system-wide. */
enum cp_err cp_paths_default_db(char *out, size_t outlen, struct cp_errbuf *err);

/* Creates the directory that will hold file path (and its parents) with mode 0700 when
 * missing. */
enum cp_err cp_paths_make_parent(const char *path, struct cp_errbuf *err);

/* The mode for a new file of the till's (database, lock, log, backup) at path: 0660 when the
 * directory it goes in is set up for a group (group rwx, nothing for others, as the package's
 * /var/lib/counterpoint, 2770 counterpoint:counterpoint), so that the cashier
 * accounts in that group and the sync service share it; 0600 otherwise. */
unsigned cp_paths_file_mode(const char *path);

/* open(path, flags | O_CREAT, mode) with cp_paths_file_mode's mode whatever the umask (a
 * file of ours with another mode is set to it). Returns the descriptor, or -1 with errno. */
int cp_paths_open_file(const char *path, int flags);

#endif
