/* cp_error.h — the one error enum shared by every Counterpoint library, and the caller-owned
 * buffer that carries a message for a person. No allocation on the error path. */
#ifndef CP_ERROR_H
#define CP_ERROR_H

#include <stdbool.h>
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

#define CP_ERR_ARGS 10     /* conversions kept per message (a '*' width or precision is one) */
#define CP_ERR_ARG_LEN 128 /* bytes kept of each */

/* A message for a person. Fixed size; set only on failure; untouched on success. Besides the
 * English text, cp_errf keeps the message's stable id (its format string, whose address does
 * not change) and the text of each argument, so that a front end can show the message in the
 * person's language: the id is the msgid in the message catalogue. */
struct cp_errbuf {
	char msg[512];
	const char *id; /* the format string; NULL when msg was not written by cp_errf */
	int nargs;
	char args[CP_ERR_ARGS][CP_ERR_ARG_LEN]; /* each conversion formatted alone, in order */
};

/* Marks a word or phrase that is passed to cp_errf as an argument (what was refused, an
 * action), so that it reaches the translators (xgettext --keyword=CP_WORD); a front end that
 * translates a message by id translates such an argument too. */
#define CP_WORD(s) (s)

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
/* Renders tmpl — err->id or a translation of it — with err's argument texts into out (outlen
 * bytes, cut like snprintf): each conversion, positional ("%2$s") or not, is replaced by its
 * argument's text as cp_errf formatted it. False (out then unspecified) when err carries no
 * arguments for tmpl: no id, a conversion beyond the kept arguments, or a malformed one. */
bool cp_err_render(const struct cp_errbuf *err, const char *tmpl, char *out, size_t outlen);
/* True when err->msg is still the rendering of err->id with err's arguments (nobody wrote into
 * msg since cp_errf), so that a translation of the id says the same. */
bool cp_err_has_id(const struct cp_errbuf *err);

#endif
