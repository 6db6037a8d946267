/* config.c — the INI configuration: one table of keys (section, name, kind, field, bounds) read
 * by inih through a line reader of our own, so that every problem is reported as FILE:LINE even
 * though the library's handler gets no line numbers. */
#include "cp_config.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE (1024 * 1024)

enum kind {
	K_ID,     /* 1..16 of [A-Za-z0-9_-] */
	K_TEXT,   /* UTF-8 without control characters, min..max bytes */
	K_INT,    /* decimal integer in min..max, stored as int */
	K_U32,    /* decimal integer in min..max, stored as uint32_t */
	K_HHMM,   /* "HH:MM" 00:00..23:59, stored as minutes (int) */
	K_BOOL,   /* "true" or "false", stored as bool */
	K_PINS,   /* empty, or min..max of "sha256//" + 44 base64 characters, ';' between */
	K_CHOICE, /* one of the words of choices[min], stored as text */
	K_DAYS,   /* a whole number of days min..max, "always" (-1) or "never" (0), as int */
};

/* The allowed words of each K_CHOICE key, by the key's min. */
static const char *const choices[] = {
	"auto zh_CN en",                                      /* 0: [ui] language */
	"32 42 48",                                           /* 1: [printer] width */
	"best stack",                                         /* 2: [pricing] member_and_tier */
	"none jiao_down jiao_nearest yuan_down yuan_nearest", /* 3: [sale] rounding */
};

struct key {
	const char *section, *name;
	enum kind kind;
	size_t off, size;
	long long min, max;
};

#define FIELD(f) offsetof(struct cp_config, f), sizeof(((struct cp_config *)0)->f)

/* Adding a key is one line here, one field in cp_config.h, and one entry in
 * packaging/counterpoint.ini. */
static const struct key keys[] = {
	{"store", "id", K_ID, FIELD(store_id), 1, 16},
	{"store", "terminal", K_ID, FIELD(terminal_id), 1, 16},
	{"store", "name", K_TEXT, FIELD(store_name), 1, 64},
	{"store", "currency_symbol", K_TEXT, FIELD(currency), 1, 15},
	{"store", "business_day_cutover", K_HHMM, FIELD(cutover_min), 0, 23 * 60 + 59},
	{"database", "path", K_TEXT, FIELD(db_path), 0, 1023},
	{"database", "busy_timeout_ms", K_INT, FIELD(busy_timeout_ms), 1, 600000},
	{"security", "pin_max_attempts", K_INT, FIELD(pin_max_attempts), 1, 100},
	{"security", "pin_lockout_seconds", K_INT, FIELD(pin_lockout_s), 1, 86400},
	{"security", "pbkdf2_iterations", K_U32, FIELD(pbkdf2_iterations), 1000, 10000000},
	{"sync", "ca_file", K_TEXT, FIELD(sync_ca_file), 0, 1023},
	{"sync", "pin", K_PINS, FIELD(sync_pin), 1, 3},
	{"sync", "batch_size", K_INT, FIELD(sync_batch_size), 1, 1000},
	{"sync", "pull_limit", K_INT, FIELD(sync_pull_limit), 1, 1000},
	{"sync", "connect_timeout_ms", K_INT, FIELD(sync_connect_timeout_ms), 100, 600000},
	{"sync", "timeout_ms", K_INT, FIELD(sync_timeout_ms), 1000, 3600000},
	{"sync", "low_speed_seconds", K_INT, FIELD(sync_low_speed_s), 1, 3600},
	{"sync", "lookup_timeout_ms", K_INT, FIELD(sync_lookup_timeout_ms), 100, 60000},
	{"sync", "allow_plain_http", K_BOOL, FIELD(sync_allow_plain_http), 0, 1},
	{"sync", "backoff_base_ms", K_INT, FIELD(sync_backoff_base_ms), 10, 3600000},
	{"sync", "backoff_cap_ms", K_INT, FIELD(sync_backoff_cap_ms), 10, 86400000},
	{"sync", "interval_seconds", K_INT, FIELD(sync_interval_s), 1, 86400},
	{"points", "step_fen", K_INT, FIELD(points_step_fen), 1, 100000000},
	{"points", "max_share_bp", K_INT, FIELD(points_max_share_bp), 0, 10000},
	{"points", "excluded_categories", K_TEXT, FIELD(points_excluded), 0, 255},
	{"points", "offline_member_points", K_INT, FIELD(points_offline_member), 0, 2000000000},
	{"points", "offline_terminal_points", K_INT, FIELD(points_offline_terminal), 0, 2000000000},
	{"points", "offline_max_hours", K_INT, FIELD(points_offline_max_hours), 0, 87600},
	{"points", "online_minutes", K_INT, FIELD(points_online_minutes), 1, 10080},
	{"ui", "language", K_CHOICE, FIELD(ui_language), 0, 0},
	{"ui", "idle_lock_seconds", K_INT, FIELD(ui_idle_lock_s), 0, 86400},
	{"printer", "device", K_TEXT, FIELD(printer_device), 0, 1023},
	{"printer", "width", K_CHOICE, FIELD(printer_width), 1, 1},
	{"guide", "protection_days", K_DAYS, FIELD(guide_protection_days), 0, 3650},
	{"guide", "register_binds", K_BOOL, FIELD(guide_register_binds), 0, 1},
	{"sale", "max_parked", K_INT, FIELD(sale_max_parked), 1, 50},
	{"member", "terms_version", K_TEXT, FIELD(member_terms_version), 1, 32},
	{"sale", "rounding", K_CHOICE, FIELD(sale_rounding), 3, 3},
	{"scale", "labels", K_TEXT, FIELD(scale_labels), 0, 127},
	{"refund", "noreceipt_limit_fen", K_INT, FIELD(refund_noreceipt_limit), 1, 2000000000},
	{"pricing", "member_and_tier", K_CHOICE, FIELD(pricing_member_tier), 2, 2},
	{"pricing", "coupons_on_member_prices", K_BOOL, FIELD(pricing_coupons_member), 0, 1},
	{"pricing", "manual_on_member_prices", K_BOOL, FIELD(pricing_manual_member), 0, 1},
	{"pricing", "manual_limit_bp", K_INT, FIELD(pricing_manual_limit_bp), 0, 10000},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* Parser state shared by the line reader and the inih handler. */
struct parse {
	struct cp_config cfg; /* the copy being filled */
	const char *path;
	const char *buf, *pos, *end;
	const char *line; /* the physical line inih is working on */
	size_t linelen;
	int lineno;
	bool after_key;  /* inih would treat an indented line as a continuation */
	int seen[NKEYS]; /* line where each key was set, 0 when not yet */
	int err_line;    /* first problem found by us, 0 when none */
	struct cp_errbuf msg;
};

void cp_config_defaults(struct cp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->store_id, sizeof(cfg->store_id), "S001");
	snprintf(cfg->terminal_id, sizeof(cfg->terminal_id), "T01");
	snprintf(cfg->store_name, sizeof(cfg->store_name), "Counterpoint Demo Store");
	snprintf(cfg->currency, sizeof(cfg->currency), "¥");
	cfg->cutover_min = 240;
	cfg->busy_timeout_ms = 5000;
	cfg->pin_max_attempts = 5;
	cfg->pin_lockout_s = 300;
	cfg->pbkdf2_iterations = 100000;
	cfg->sync_batch_size = 200;
	cfg->sync_pull_limit = 500;
	cfg->sync_connect_timeout_ms = 5000;
	cfg->sync_timeout_ms = 30000;
	cfg->sync_low_speed_s = 15;
	cfg->sync_lookup_timeout_ms = 2000;
	cfg->sync_allow_plain_http = false;
	cfg->sync_backoff_base_ms = 1000;
	cfg->sync_backoff_cap_ms = 300000;
	cfg->sync_interval_s = 10;
	cfg->points_step_fen = 100;
	cfg->points_max_share_bp = 5000;
	cfg->points_offline_member = 2000;
	cfg->points_offline_terminal = 20000;
	cfg->points_offline_max_hours = 48;
	cfg->points_online_minutes = 10;
	snprintf(cfg->ui_language, sizeof(cfg->ui_language), "auto");
	cfg->ui_idle_lock_s = 300;
	snprintf(cfg->printer_width, sizeof(cfg->printer_width), "42");
	cfg->guide_protection_days = 90;
	cfg->guide_register_binds = true;
	cfg->sale_max_parked = 5;
	snprintf(cfg->member_terms_version, sizeof(cfg->member_terms_version), "1");
	snprintf(cfg->sale_rounding, sizeof(cfg->sale_rounding), "none");
	snprintf(cfg->scale_labels, sizeof(cfg->scale_labels), "20PPPPPTTTTTC 21PPPPPWWWWWC");
	cfg->refund_noreceipt_limit = 50000;
	snprintf(cfg->pricing_member_tier, sizeof(cfg->pricing_member_tier), "best");
	cfg->pricing_coupons_member = true;
	cfg->pricing_manual_member = true;
	cfg->pricing_manual_limit_bp = 1000;
}

/* Whether value is one of the space-separated words of list. */
static bool is_choice(const char *list, const char *value)
{
	size_t n = strlen(value);

	for (const char *w = list; *w;) {
		size_t len = strcspn(w, " ");

		if (n && len == n && strncmp(w, value, n) == 0)
			return true;
		w += len;
		while (*w == ' ')
			w++;
	}
	return false;
}

/* A copy of untrusted text that is safe to put in a message: printable ASCII only, bounded. */
static const char *shown(const char *s, char *out, size_t outlen)
{
	size_t o = 0;

	for (; *s && o + 4 < outlen; s++)
		out[o++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	if (*s && outlen >= 4) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

__attribute__((format(printf, 2, 3))) static void problem(struct parse *p, const char *fmt, ...)
{
	char text[400];
	va_list ap;

	if (p->err_line)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	p->err_line = p->lineno;
	cp_errf(&p->msg, CP_ECONFIG, "%s:%d: %s", p->path, p->lineno, text);
}

/* Valid UTF-8 (no overlongs, surrogates or values past U+10FFFF) without C0, DEL or C1. */
static bool text_ok(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		unsigned c = *s, cp;
		int n;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return false;
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (int i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
			return false;
		s += n + 1;
	}
	return true;
}

static bool id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= 'a' && s[i] <= 'z') || s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

static bool parse_int(const char *s, long long *out)
{
	char *end;
	long long v;

	if (!((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')))
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static bool parse_hhmm(const char *s, long long *out)
{
	int h, m;

	if (!(s[0] >= '0' && s[0] <= '9'))
		return false;
	h = s[0] - '0';
	s++;
	if (*s >= '0' && *s <= '9')
		h = h * 10 + (*s++ - '0');
	if (s[0] != ':' || !(s[1] >= '0' && s[1] <= '9') || !(s[2] >= '0' && s[2] <= '9') || s[3])
		return false;
	m = (s[1] - '0') * 10 + (s[2] - '0');
	if (h > 23 || m > 59)
		return false;
	*out = h * 60 + m;
	return true;
}

/* "sha256//" and the base64 of 32 bytes (43 characters and '='), as curl's pinning takes. */
static bool pin_ok(const char *s, size_t len)
{
	static const char prefix[] = "sha256//";
	size_t n = sizeof(prefix) - 1;

	if (len != n + 44 || memcmp(s, prefix, n) != 0 || s[len - 1] != '=')
		return false;
	for (size_t i = n; i < len - 1; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '/'))
			return false;
	return true;
}

/* Empty, or min..max pins separated by ';'. */
static bool pins_ok(const char *s, long long min, long long max)
{
	long long count = 0;

	if (!*s)
		return true;
	for (;;) {
		const char *semi = strchr(s, ';');
		size_t len = semi ? (size_t)(semi - s) : strlen(s);

		if (!pin_ok(s, len) || ++count > max)
			return false;
		if (!semi)
			return count >= min;
		s = semi + 1;
	}
}

/* Checks value for k and stores it into p->cfg; false (with the problem noted) when bad. */
static bool set_value(struct parse *p, const struct key *k, const char *value)
{
	char *field = (char *)&p->cfg + k->off;
	char v[48];
	long long n;
	size_t len = strlen(value);

	switch (k->kind) {
	case K_ID:
		if (!id_ok(value)) {
			problem(p,
				"%s in [%s] must be 1 to 16 letters, digits, '-' or '_', not '%s'",
				k->name, k->section, shown(value, v, sizeof(v)));
			return false;
		}
		snprintf(field, k->size, "%s", value);
		return true;
	case K_TEXT:
		if (!text_ok(value)) {
			problem(p, "%s in [%s] is not valid UTF-8 text or holds control characters",
				k->name, k->section);
			return false;
		}
		if (len < (size_t)k->min || len > (size_t)k->max) {
			problem(p, "%s in [%s] must be %lld to %lld bytes long, not %zu", k->name,
				k->section, k->min, k->max, len);
			return false;
		}
		snprintf(field, k->size, "%s", value);
		return true;
	case K_HHMM:
		if (!parse_hhmm(value, &n)) {
			problem(p, "%s in [%s] must be a time HH:MM from 00:00 to 23:59, not '%s'",
				k->name, k->section, shown(value, v, sizeof(v)));
			return false;
		}
		*(int *)(void *)field = (int)n;
		return true;
	case K_BOOL:
		if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
			problem(p, "%s in [%s] must be true or false, not '%s'", k->name,
				k->section, shown(value, v, sizeof(v)));
			return false;
		}
		*(bool *)(void *)field = value[0] == 't';
		return true;
	case K_PINS:
		if (len >= k->size || !pins_ok(value, k->min, k->max)) {
			problem(p,
				"%s in [%s] must be empty or up to %lld public-key pins "
				"sha256//BASE64 (44 characters ending in '=') separated by ';', "
				"not '%s'",
				k->name, k->section, k->max, shown(value, v, sizeof(v)));
			return false;
		}
		snprintf(field, k->size, "%s", value);
		return true;
	case K_CHOICE:
		if (!is_choice(choices[k->min], value) || len >= k->size) {
			problem(p, "%s in [%s] must be one of: %s; not '%s'", k->name, k->section,
				choices[k->min], shown(value, v, sizeof(v)));
			return false;
		}
		snprintf(field, k->size, "%s", value);
		return true;
	case K_DAYS:
		if (strcmp(value, "always") == 0 || strcmp(value, "never") == 0) {
			*(int *)(void *)field = value[0] == 'a' ? -1 : 0;
			return true;
		}
		if (!parse_int(value, &n) || n < k->min || n > k->max) {
			problem(p,
				"%s in [%s] must be a number of days from %lld to %lld, always or "
				"never, not '%s'",
				k->name, k->section, k->min, k->max, shown(value, v, sizeof(v)));
			return false;
		}
		*(int *)(void *)field = (int)n;
		return true;
	case K_INT:
	case K_U32:
		if (!parse_int(value, &n)) {
			problem(p, "%s in [%s] must be a whole number from %lld to %lld, not '%s'",
				k->name, k->section, k->min, k->max, shown(value, v, sizeof(v)));
			return false;
		}
		if (n < k->min || n > k->max) {
			problem(p, "%s in [%s] must be from %lld to %lld; %lld is out of range",
				k->name, k->section, k->min, k->max, n);
			return false;
		}
		if (k->kind == K_INT)
			*(int *)(void *)field = (int)n;
		else
			*(uint32_t *)(void *)field = (uint32_t)n;
		return true;
	}
	return false;
}

static bool known_section(const char *s, size_t len)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strlen(keys[i].section) == len && memcmp(keys[i].section, s, len) == 0)
			return true;
	return false;
}

/* "[store], [database], [security]", from the table. */
static const char *section_list(char *out, size_t outlen)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < NKEYS; i++) {
		bool dup = false;

		for (size_t j = 0; j < i && !dup; j++)
			dup = strcmp(keys[j].section, keys[i].section) == 0;
		if (!dup && o < outlen)
			o += (size_t)snprintf(out + o, outlen - o, "%s[%s]", o ? ", " : "",
					      keys[i].section);
	}
	return out;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	char s[48], n[48];
	bool section_known = false;

	if (p->err_line)
		return 0;
	if (p->after_key && p->linelen && (p->line[0] == ' ' || p->line[0] == '\t')) {
		problem(p, "the line starts with a space or tab, which would continue the value "
			   "above; remove the indentation");
		return 0;
	}
	p->after_key = true;
	if (!section[0]) {
		problem(p, "key '%s' comes before any [section]", shown(name, n, sizeof(n)));
		return 0;
	}
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];

		if (strcmp(k->section, section) != 0)
			continue;
		section_known = true;
		if (strcmp(k->name, name) != 0)
			continue;
		if (p->seen[i]) {
			problem(p, "%s in [%s] is set twice (first on line %d)", k->name,
				k->section, p->seen[i]);
			return 0;
		}
		p->seen[i] = p->lineno;
		return set_value(p, k, value) ? 1 : 0;
	}
	if (section_known)
		problem(p, "unknown key '%s' in [%s]", shown(name, n, sizeof(n)), section);
	else
		problem(p, "unknown section [%s]", shown(section, s, sizeof(s)));
	return 0;
}

/* Looks at a physical line before inih does: section headers (inih tells the handler nothing
 * about an empty section), NUL bytes and lines longer than inih's buffer of room bytes. Returns
 * false when the line must not reach inih. */
static bool inspect_line(struct parse *p, size_t room)
{
	const char *s = p->line, *e = p->line + p->linelen;
	size_t content = p->linelen;
	char name[48], list[128];

	while (content && (s[content - 1] == '\n' || s[content - 1] == '\r'))
		content--;
	if (memchr(s, '\0', p->linelen)) {
		problem(p, "the line holds a NUL byte; is this a text file?");
		return false;
	}
	/* inih needs room for "\r\n" and the NUL after the longest line; and the line is copied
	 * whole, with every trailing '\r', so all of it and the NUL must fit. */
	if (content + 3 > room || p->linelen + 1 > room) {
		problem(p, "the line is longer than %zu bytes", room - 3);
		return false;
	}
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	if (s < e && *s == '[') {
		const char *close = memchr(s, ']', (size_t)(e - s));
		size_t len;

		p->after_key = false;
		if (!close)
			return true; /* inih reports the malformed line */
		len = (size_t)(close - s - 1);
		if (!known_section(s + 1, len)) {
			char raw[48];

			snprintf(raw, sizeof(raw), "%.*s", (int)(len < 40 ? len : 40), s + 1);
			problem(p, "unknown section [%s]; the sections are %s",
				shown(raw, name, sizeof(name)), section_list(list, sizeof(list)));
		}
	}
	return true;
}

/* An fgets() for inih over the file in memory: exactly one physical line per call, so that
 * p->lineno always names the line inih is handling. */
static char *reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	const char *nl;
	size_t len;

	if (p->pos >= p->end || num < 4)
		return NULL;
	nl = memchr(p->pos, '\n', (size_t)(p->end - p->pos));
	len = nl ? (size_t)(nl - p->pos) + 1 : (size_t)(p->end - p->pos);
	p->line = p->pos;
	p->linelen = len;
	p->pos += len;
	p->lineno++;
	if (!inspect_line(p, (size_t)num)) {
		/* Already reported; inih gets a blank line in its place. */
		str[0] = '\n';
		str[1] = '\0';
		return str;
	}
	memcpy(str, p->line, len);
	str[len] = '\0';
	return str;
}

/* What was wrong with line n, which inih refused without asking the handler. */
static const char *malformed(const struct parse *p, int n)
{
	const char *s = p->buf;

	for (int i = 1; i < n && s < p->end; i++) {
		const char *nl = memchr(s, '\n', (size_t)(p->end - s));

		s = nl ? nl + 1 : p->end;
	}
	while (s < p->end && (*s == ' ' || *s == '\t'))
		s++;
	if (s < p->end && *s == '[')
		return "a section header needs a closing ']', as in [store]";
	return "expected 'key = value', '[section]' or a comment starting with ';' or '#'";
}

/* The index of key section/name in keys[]. */
static size_t key_index(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			break;
	return i;
}

/* Rules between keys, checked once the whole file is read; the problem is reported on the
 * line of the key set last. */
static void check_together(struct parse *p)
{
	size_t base = key_index("sync", "backoff_base_ms"),
	       cap = key_index("sync", "backoff_cap_ms");

	if (p->cfg.sync_backoff_cap_ms < p->cfg.sync_backoff_base_ms) {
		p->lineno = p->seen[base] > p->seen[cap] ? p->seen[base] : p->seen[cap];
		if (p->lineno < 1)
			p->lineno = 1; /* both came from the caller, not the file */
		problem(p, "backoff_cap_ms in [sync] (%d) must be at least backoff_base_ms (%d)",
			p->cfg.sync_backoff_cap_ms, p->cfg.sync_backoff_base_ms);
	}
}

static enum cp_err read_file(const char *path, char **out, size_t *outlen, struct cp_errbuf *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, got;
	enum cp_err result = CP_EIO;

	if (!f) {
		if (errno == ENOENT || errno == ENOTDIR)
			return cp_errf(err, CP_ENOTFOUND, "no configuration file at %s", path);
		return cp_errf(err, CP_EIO, "cannot read the configuration file %s: %s", path,
			       strerror(errno));
	}
	buf = malloc(MAX_FILE + 1);
	if (!buf) {
		result = cp_errf(err, CP_ENOMEM, "out of memory reading %s", path);
		goto out;
	}
	while ((got = fread(buf + len, 1, MAX_FILE + 1 - len, f)) > 0) {
		len += got;
		if (len > MAX_FILE) {
			result = cp_errf(err, CP_ECONFIG,
					 "%s is larger than %d bytes; is it the right file?", path,
					 MAX_FILE);
			goto out;
		}
	}
	if (ferror(f)) {
		result = cp_errf(err, CP_EIO, "cannot read the configuration file %s: %s", path,
				 strerror(errno));
		goto out;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	buf = NULL;
	result = CP_OK;
out:
	free(buf);
	fclose(f);
	return result;
}

enum cp_err cp_config_load(struct cp_config *cfg, const char *path, struct cp_errbuf *err)
{
	struct parse *p;
	char *buf = NULL;
	size_t len = 0;
	enum cp_err result;
	int rc;

	if (!path || !path[0])
		return cp_errf(err, CP_EINVAL, "no configuration file was named");
	if ((result = read_file(path, &buf, &len, err)) != CP_OK)
		return result;
	p = calloc(1, sizeof(*p));
	if (!p) {
		free(buf);
		return cp_errf(err, CP_ENOMEM, "out of memory reading %s", path);
	}
	p->cfg = *cfg;
	p->path = path;
	p->buf = p->pos = buf;
	p->end = buf + len;
	rc = ini_parse_stream(reader, p, handler, p);
	if (rc > 0 && (!p->err_line || rc < p->err_line)) {
		p->lineno = rc;
		p->err_line = 0;
		problem(p, "%s", malformed(p, rc));
	} else if (rc < 0 && !p->err_line) {
		result = cp_errf(err, rc == -2 ? CP_ENOMEM : CP_EIO, "cannot parse %s", path);
		goto out;
	}
	if (!p->err_line)
		check_together(p);
	if (p->err_line) {
		result = cp_errf(err, CP_ECONFIG, "%s", p->msg.msg);
		goto out;
	}
	snprintf(p->cfg.source, sizeof(p->cfg.source), "%s", path);
	*cfg = p->cfg;
	result = CP_OK;
out:
	free(buf);
	free(p);
	return result;
}
