/* cp_error.h — the one error enum shared by every Counterpoint library, and the caller-owned
 * buffer that carries a message for a person. No allocation on the error path. */
#ifndef CP_ERROR_H
#define CP_ERROR_H

#include <stddef.h>

enum cp_err {
	CP_OK = 0,
	CP_EINVAL,    /* bad input: the message says what and what to do */
	CP_ENOTFOUND, /* no such thing (member, item, receipt, staff) */
	CP_EEXIST,    /* already there (phone registered, file exists) */
	CP_EOVERFLOW, /* an amount would not fit */
	CP_EAUTH,     /* wrong PIN, not logged in */
	CP_ELOCKED,   /* staff code locked after too many wrong PINs */
	CP_EPERM,     /* needs a manager, or not allowed in this state */
	CP_ESTATE,    /* not possible now (empty cart, nothing to refund) */
	CP_EDB,       /* database error */
	CP_EFULL,     /* storage full or read-only */
	CP_ECORRUPT,  /* database or journal damaged or tampered with */
	CP_EVERSION,  /* database newer than this program */
	CP_EIO,       /* file or device error */
	CP_ENOMEM,    /* out of memory */
	CP_ECONFIG,   /* configuration problem */
	CP_ECLOCK,    /* the clock is not believable */
	CP_EBUSY,     /* another process holds what we need */
	CP_EOUTCOME,  /* a write whose outcome cannot be told yet (the disk failed at commit) */
};

/* A message for a person. Fixed size; set only on failure; untouched on success. */
struct cp_errbuf {
	char msg[512];
};

/* Short stable code for machines ("invalid_input", "not_found", ...). Never NULL. */
const char *cp_err_code(enum cp_err e);
/* A generic sentence for e. Never NULL. */
const char *cp_strerror(enum cp_err e);
/* Fills err (may be NULL) with a printf-style message and returns e, so that callers can write
 * `return cp_errf(err, CP_EINVAL, "...")`. */
enum cp_err cp_errf(struct cp_errbuf *err, enum cp_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The message in err, or cp_strerror(e) when err is NULL or empty. */
const char *cp_errmsg(const struct cp_errbuf *err, enum cp_err e);

#endif
