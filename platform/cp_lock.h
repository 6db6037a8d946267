/* cp_lock.h — one process at a time: an advisory lock (flock) on a small file next to what it
 * guards, holding the owner's pid so that the refusal can say who has it. The kernel drops the
 * lock when the process dies, so a crash never leaves it stuck. */
#ifndef CP_LOCK_H
#define CP_LOCK_H

#include "cp_error.h"

/* Takes the lock on path (created with cp_paths_file_mode's mode when missing) without
 * waiting and writes this process's pid into it. On success *fd holds the lock until cp_lock_release(*fd) or exit.
 * CP_EBUSY when another process holds it ("... (pid N)"); CP_EIO when the file cannot be
 * opened. The message names path. */
enum cp_err cp_lock_try(const char *path, int *fd, const char *what, struct cp_errbuf *err);

/* Releases a lock from cp_lock_try; a negative fd is a no-op. The file stays. */
void cp_lock_release(int fd);

#endif
