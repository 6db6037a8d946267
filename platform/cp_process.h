/* cp_process.h — what the whole process needs before it touches a secret: no core dumps. The
 * till holds the journal key, the phone-hash key, HQ's request secret and PINs in memory; a
 * crash must not write them to a core file, nor may another process of the same user read
 * them out of this one. */
#ifndef CP_PROCESS_H
#define CP_PROCESS_H

#include "cp_error.h"

/* Sets the core file size limit (soft and hard) to 0 and makes the process not dumpable
 * (PR_SET_DUMPABLE 0: no core even where a core pipe ignores the limit, no ptrace or
 * /proc/PID/mem access by the same user, /proc/PID files owned by root). Call first thing in
 * main, before any secret is read; it holds for the rest of the process and its threads.
 * CP_EIO with the system's reason when either cannot be set. */
enum cp_err cp_process_no_dumps(struct cp_errbuf *err);

#endif
