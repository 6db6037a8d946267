/* error.c — names and sentences for enum cp_err, and the message buffer filler, which keeps
 * each message's format string as its id and each argument's text, for translation by id. */
#include "cp_error.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

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

/* One conversion of a format string, as parsed. */
struct conv {
	int pos;       /* n of "%n$", else 0 */
	char flags[8]; /* "-+ #0'" as given */
	int width;     /* -1: none; -2: '*' */
	int width_pos; /* n of "*n$" */
	int prec;      /* -1: none; -2: '*' */
	int prec_pos;  /* n of ".*n$" */
	char len[3];   /* "", "hh", "h", "l", "ll", "z", "j", "t", "L" */
	char type;     /* d i u o x X c s p f F e E g G a A; '%' for "%%" */
};

static const char *number(const char *p, int *out)
{
	long v = 0;

	while (*p >= '0' && *p <= '9' && v < 100000)
		v = v * 10 + (*p++ - '0');
	*out = (int)v;
	return p;
}

/* Parses the conversion that starts after the '%' at p; returns the character after it, or
 * NULL when it is not one this file knows. */
static const char *parse_conv(const char *p, struct conv *c)
{
	const char *q;
	size_t nf = 0;
	int n;

	memset(c, 0, sizeof(*c));
	c->width = c->prec = -1;
	if (*p == '%') {
		c->type = '%';
		return p + 1;
	}
	q = number(p, &n);
	if (q != p && *q == '$' && n > 0) {
		c->pos = n;
		p = q + 1;
	}
	while (*p && strchr("-+ #0'", *p)) {
		if (nf + 1 >= sizeof(c->flags))
			return NULL;
		c->flags[nf++] = *p++;
	}
	if (*p == '*') {
		c->width = -2;
		q = number(p + 1, &n);
		if (q != p + 1 && *q == '$')
			c->width_pos = n, q++;
		else
			q = p + 1;
		p = q;
	} else if (*p >= '1' && *p <= '9') {
		p = number(p, &c->width);
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			c->prec = -2;
			q = number(p + 1, &n);
			if (q != p + 1 && *q == '$')
				c->prec_pos = n, q++;
			else
				q = p + 1;
			p = q;
		} else {
			p = number(p, &c->prec);
		}
	}
	if ((p[0] == 'h' && p[1] == 'h') || (p[0] == 'l' && p[1] == 'l')) {
		memcpy(c->len, p, 2);
		p += 2;
	} else if (*p && strchr("hlzjtL", *p)) {
		c->len[0] = *p++;
	}
	if (!*p || !strchr("diuoxXcspfFeEgGaA", *p))
		return NULL;
	c->type = *p;
	return p + 1;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/* The next argument of ap, formatted alone as c says (with its '*' values w and p). */
static void format_one(const struct conv *c, int w, int pr, va_list *ap, char *out, size_t len)
{
	char spec[40];
	int n = snprintf(spec, sizeof(spec), "%%%s", c->flags);

	if (c->width == -2 && w < 0)
		n += snprintf(spec + n, sizeof(spec) - (size_t)n, "-%d", -w);
	else if (c->width != -1)
		n += snprintf(spec + n, sizeof(spec) - (size_t)n, "%d",
			      c->width == -2 ? w : c->width);
	if (c->prec >= 0 || (c->prec == -2 && pr >= 0))
		n += snprintf(spec + n, sizeof(spec) - (size_t)n, ".%d",
			      c->prec == -2 ? pr : c->prec);
	snprintf(spec + n, sizeof(spec) - (size_t)n, "%s%c", c->len, c->type);
	switch (c->type) {
	case 'd':
	case 'i':
		if (strcmp(c->len, "ll") == 0)
			snprintf(out, len, spec, va_arg(*ap, long long));
		else if (strcmp(c->len, "l") == 0)
			snprintf(out, len, spec, va_arg(*ap, long));
		else if (strcmp(c->len, "z") == 0)
			snprintf(out, len, spec, va_arg(*ap, ssize_t));
		else if (strcmp(c->len, "j") == 0)
			snprintf(out, len, spec, va_arg(*ap, intmax_t));
		else if (strcmp(c->len, "t") == 0)
			snprintf(out, len, spec, va_arg(*ap, ptrdiff_t));
		else
			snprintf(out, len, spec, va_arg(*ap, int));
		break;
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		if (strcmp(c->len, "ll") == 0)
			snprintf(out, len, spec, va_arg(*ap, unsigned long long));
		else if (strcmp(c->len, "l") == 0)
			snprintf(out, len, spec, va_arg(*ap, unsigned long));
		else if (strcmp(c->len, "z") == 0)
			snprintf(out, len, spec, va_arg(*ap, size_t));
		else if (strcmp(c->len, "j") == 0)
			snprintf(out, len, spec, va_arg(*ap, uintmax_t));
		else if (strcmp(c->len, "t") == 0)
			snprintf(out, len, spec, va_arg(*ap, ptrdiff_t));
		else
			snprintf(out, len, spec, va_arg(*ap, unsigned));
		break;
	case 'c':
		snprintf(out, len, spec, va_arg(*ap, int));
		break;
	case 's':
		snprintf(out, len, spec, va_arg(*ap, const char *));
		break;
	case 'p':
		snprintf(out, len, spec, va_arg(*ap, void *));
		break;
	default: /* floating point */
		if (strcmp(c->len, "L") == 0)
			snprintf(out, len, spec, va_arg(*ap, long double));
		else
			snprintf(out, len, spec, va_arg(*ap, double));
		break;
	}
}
#pragma GCC diagnostic pop

/* Keeps the text of each argument of fmt (sequential conversions only, as cp_errf's callers
 * write them); false when fmt has one this file cannot take apart or too many. */
static bool keep_args(struct cp_errbuf *err, const char *fmt, va_list *ap)
{
	struct conv c;

	err->nargs = 0;
	for (const char *p = strchr(fmt, '%'); p; p = strchr(p, '%')) {
		int w = 0, pr = 0;

		if (!(p = parse_conv(p + 1, &c)) || c.pos || c.width_pos || c.prec_pos)
			return false;
		if (c.type == '%')
			continue;
		if (err->nargs + (c.width == -2) + (c.prec == -2) + 1 > CP_ERR_ARGS)
			return false;
		if (c.width == -2) {
			w = va_arg(*ap, int);
			snprintf(err->args[err->nargs++], CP_ERR_ARG_LEN, "%d", w);
		}
		if (c.prec == -2) {
			pr = va_arg(*ap, int);
			snprintf(err->args[err->nargs++], CP_ERR_ARG_LEN, "%d", pr);
		}
		format_one(&c, w, pr, ap, err->args[err->nargs++], CP_ERR_ARG_LEN);
	}
	return true;
}

enum cp_err cp_errf(struct cp_errbuf *err, enum cp_err e, const char *fmt, ...)
{
	va_list ap, args;

	if (!err)
		return e;
	va_start(ap, fmt);
	va_copy(args, ap);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	err->id = keep_args(err, fmt, &args) ? fmt : NULL;
	if (!err->id)
		err->nargs = 0;
	va_end(args);
	va_end(ap);
	return e;
}

bool cp_err_render(const struct cp_errbuf *err, const char *tmpl, char *out, size_t outlen)
{
	size_t o = 0;
	int next = 0;

	if (!err || !err->id || !tmpl || !outlen)
		return false;
	for (const char *p = tmpl; *p;) {
		const char *piece = p;
		size_t n = 1;
		struct conv c;

		if (*p != '%') {
			p++;
		} else if (!(p = parse_conv(p + 1, &c))) {
			return false;
		} else if (c.type != '%') {
			int idx;

			/* A sequential '*' takes an argument of its own, as in cp_errf. */
			next += (c.width == -2 && !c.width_pos) + (c.prec == -2 && !c.prec_pos);
			idx = c.pos ? c.pos - 1 : next++;
			if (idx < 0 || idx >= err->nargs)
				return false;
			piece = err->args[idx];
			n = strlen(piece);
		}
		if (o + n >= outlen)
			n = outlen - 1 - o;
		memcpy(out + o, piece, n);
		o += n;
	}
	out[o] = '\0';
	return true;
}

const char *cp_errmsg(const struct cp_errbuf *err, enum cp_err e)
{
	if (err && err->msg[0])
		return err->msg;
	return cp_strerror(e);
}

bool cp_err_has_id(const struct cp_errbuf *err)
{
	char english[sizeof(err->msg)];

	return err && err->msg[0] && err->id && err->id[0] &&
	       cp_err_render(err, err->id, english, sizeof(english)) &&
	       strcmp(english, err->msg) == 0;
}
