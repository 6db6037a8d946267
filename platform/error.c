/* error.c — names and sentences for enum cp_err, and the message buffer filler. */
#include "cp_error.h"

#include <stdarg.h>
#include <stdio.h>

static const struct {
	const char *code;
	const char *text;
} names[] = {
	[CP_OK] = {"ok", "no error"},
	[CP_EINVAL] = {"invalid_input", "invalid input"},
	[CP_ENOTFOUND] = {"not_found", "not found"},
	[CP_EEXIST] = {"exists", "already exists"},
	[CP_EOVERFLOW] = {"overflow", "amount too large"},
	[CP_EAUTH] = {"auth", "authentication failed"},
	[CP_ELOCKED] = {"locked", "staff code locked"},
	[CP_EPERM] = {"permission", "not permitted"},
	[CP_ESTATE] = {"state", "not possible now"},
	[CP_EDB] = {"database", "database error"},
	[CP_EFULL] = {"storage_full", "storage full or read-only"},
	[CP_ECORRUPT] = {"corrupt", "data damaged or tampered with"},
	[CP_EVERSION] = {"version", "database is newer than this program"},
	[CP_EIO] = {"io", "input/output error"},
	[CP_ENOMEM] = {"no_memory", "out of memory"},
	[CP_ECONFIG] = {"config", "configuration problem"},
	[CP_ECLOCK] = {"clock", "the clock is not believable"},
	[CP_EBUSY] = {"busy", "busy"},
	[CP_EOUTCOME] = {"outcome_unknown",
			 "outcome unknown: check the journal before charging again"},
};

const char *cp_err_code(enum cp_err e)
{
	if ((unsigned)e >= sizeof(names) / sizeof(names[0]) || !names[e].code)
		return "unknown";
	return names[e].code;
}

const char *cp_strerror(enum cp_err e)
{
	if ((unsigned)e >= sizeof(names) / sizeof(names[0]) || !names[e].text)
		return "unknown error";
	return names[e].text;
}

enum cp_err cp_errf(struct cp_errbuf *err, enum cp_err e, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return e;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return e;
}

const char *cp_errmsg(const struct cp_errbuf *err, enum cp_err e)
{
	if (err && err->msg[0])
		return err->msg;
	return cp_strerror(e);
}
