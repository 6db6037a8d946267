/* script_json.c — how script mode writes what core answered: members, carts and errors as
 * jansson objects, with every string checked to be UTF-8 so that no raw byte ever reaches the
 * output. Money, points and growth are integers (fen); nothing is formatted here. */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cp_crypto.h"
#include "script.h"

/* Every block jansson frees is wiped first: a request's JSON holds PINs (login, a manager's
 * PIN for a refund) and HQ's answers hold secrets, and freed memory stays in the process. */
static void json_release(void *p)
{
	if (!p)
		return;
	cp_wipe(p, malloc_usable_size(p));
	free(p);
}

void app_json_wipe_freed(void)
{
	json_set_alloc_funcs(malloc, json_release);
}

json_t *script_need(json_t *v)
{
	if (!v) {
		app_error("out of memory");
		exit(APP_EXIT_FAIL);
	}
	return v;
}

void script_set(json_t *o, const char *key, json_t *v)
{
	if (json_object_set_new(o, key, script_need(v)) != 0) {
		app_error("out of memory");
		exit(APP_EXIT_FAIL);
	}
}

/* Length of the well-formed UTF-8 sequence at s (n bytes available), or 0: no overlongs, no
 * surrogates, nothing above U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t cp, min;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

bool script_utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k;

	while (n) {
		if ((k = utf8_seq(p, n)) == 0)
			return false;
		p += k;
		n -= k;
	}
	return true;
}

json_t *script_str(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, k, o = 0;
	char *copy;
	json_t *v;

	if (!s)
		return json_null();
	if ((v = json_string(s)))
		return v;
	/* Not UTF-8 (a message cut short, a damaged row): keep what is well-formed. */
	n = strlen(s);
	copy = malloc(n + 1);
	if (!copy)
		return NULL;
	while (n) {
		k = utf8_seq(p, n);
		if (k == 0) {
			copy[o++] = '?';
			k = 1;
		} else {
			memcpy(copy + o, p, k);
			o += k;
		}
		p += k;
		n -= k;
	}
	copy[o] = '\0';
	v = json_string(copy);
	free(copy);
	return v;
}

/* "" is "not known": null in the output. */
static json_t *opt_str(const char *s)
{
	return s[0] ? script_str(s) : json_null();
}

json_t *script_member(const struct cp_member_view *m)
{
	json_t *o = script_need(json_object());

	script_set(o, "id", script_str(m->id));
	script_set(o, "phone", opt_str(m->masked_phone));
	script_set(o, "card", opt_str(m->card_no));
	script_set(o, "name", script_str(m->name));
	script_set(o, "birthday", opt_str(m->birthday));
	script_set(o, "tier", json_integer(m->tier_level));
	script_set(o, "tier_name", script_str(m->tier_name));
	script_set(o, "points", json_integer(m->points));
	script_set(o, "points_pending", json_integer(m->points_pending));
	script_set(o, "points_value", json_integer(m->points_value));
	script_set(o, "growth", json_integer(m->growth));
	script_set(o, "next_tier", opt_str(m->next_tier_name));
	script_set(o, "next_tier_growth", json_integer(m->next_tier_growth));
	script_set(o, "expiring_points", json_integer(m->expiring_points));
	script_set(o, "expiring_on", opt_str(m->expiring_on));
	script_set(o, "guide", opt_str(m->guide));
	script_set(o, "local", json_boolean(m->local));
	return o;
}

/* The objects of the last carts' lines and member, reused while they are the same: every
 * answer to a scan holds the whole cart, and building each line and the member again was a
 * tenth of a sale's instructions (issue 14). An object here is never changed once built;
 * whoever adds to a cart's member takes a copy first (do_attach). */
static struct {
	struct cp_cart_line line;
	json_t *json;
} line_memo[CP_CART_MAX_LINES];
static struct cp_member_view member_memo;
static json_t *member_memo_json;

static json_t *cart_line(const struct cp_cart_line *l)
{
	json_t *jl = script_need(json_object());

	script_set(jl, "line", json_integer(l->line_no));
	script_set(jl, "sku", script_str(l->sku));
	script_set(jl, "name", script_str(l->name));
	script_set(jl, "qty", json_integer(l->qty));
	script_set(jl, "unit_price", json_integer(l->unit_price));
	script_set(jl, "amount", json_integer(l->amount));
	script_set(jl, "eligible", json_boolean(l->eligible));
	if (l->saving)
		script_set(jl, "saving", json_integer(l->saving));
	if (l->discount)
		script_set(jl, "discount", json_integer(l->discount));
	if (l->redemption) {
		script_set(jl, "offer", script_str(l->offer_id));
		script_set(jl, "points", json_integer(l->points));
	}
	if (l->weighed) {
		script_set(jl, "weight_g", json_integer(l->weight_g));
		script_set(jl, "per_kg", json_integer(l->per_kg));
	}
	return jl;
}

/* The line's object: the one built for the same line before, or a new one kept for next time. */
static json_t *cart_line_memo(int i, const struct cp_cart_line *l)
{
	if (!line_memo[i].json || memcmp(&line_memo[i].line, l, sizeof(*l)) != 0) {
		json_decref(line_memo[i].json);
		line_memo[i].json = cart_line(l);
		memcpy(&line_memo[i].line, l, sizeof(*l));
	}
	return json_incref(line_memo[i].json);
}

static json_t *cart_member_memo(const struct cp_member_view *m)
{
	if (!member_memo_json || memcmp(&member_memo, m, sizeof(*m)) != 0) {
		json_decref(member_memo_json);
		member_memo_json = script_member(m);
		memcpy(&member_memo, m, sizeof(*m));
	}
	return json_incref(member_memo_json);
}

json_t *script_cart(const struct cp_cart_view *c)
{
	json_t *o = script_need(json_object());
	json_t *lines = script_need(json_array());

	for (int i = 0; i < c->nlines && i < CP_CART_MAX_LINES; i++)
		if (json_array_append_new(lines, cart_line_memo(i, &c->lines[i])) != 0)
			script_need(NULL);
	script_set(o, "open", json_boolean(c->open));
	script_set(o, "lines", lines);
	script_set(o, "total", json_integer(c->total));
	script_set(o, "eligible", json_integer(c->eligible));
	script_set(o, "items", json_integer(c->items));
	script_set(o, "points_held", json_integer(c->points_held));
	script_set(o, "member_saving", json_integer(c->member_saving));
	script_set(o, "discount", json_integer(c->discount));
	script_set(o, "member", c->has_member ? cart_member_memo(&c->member) : json_null());
	return o;
}

json_t *script_owner(const struct cp_cart_owner *o)
{
	json_t *j = script_need(json_object());

	script_set(j, "staff", script_str(o->staff));
	script_set(j, "name", script_str(o->name));
	script_set(j, "since", json_integer(o->opened_at));
	script_set(j, "lines", json_integer(o->nlines));
	script_set(j, "items", json_integer(o->items));
	script_set(j, "total", json_integer(o->total));
	return j;
}

json_t *script_error(json_t *id, enum cp_err rc, const char *message)
{
	json_t *o = script_need(json_object());
	json_t *e = script_need(json_object());

	script_set(o, "ok", json_false());
	if (id)
		script_set(o, "id", json_incref(id));
	script_set(e, "code", script_str(cp_err_code(rc)));
	script_set(e, "message", script_str(message));
	script_set(o, "error", e);
	return o;
}

/* ---- requests ---- */

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* A string without escapes or control characters at p (its opening quote): *s and *n its
 * bytes; the position after its closing quote, NULL otherwise. */
static const char *plain_string(const char *p, const char *end, const char **s, size_t *n)
{
	const char *q = ++p;

	while (q < end && *q != '"') {
		if (*q == '\\' || (unsigned char)*q < 0x20)
			return NULL;
		q++;
	}
	if (q == end)
		return NULL;
	*s = p;
	*n = (size_t)(q - p);
	return q + 1;
}

json_t *script_parse_flat(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	json_t *o = json_object();

	if (!o)
		return NULL;
	p = skip_ws(p, end);
	if (p == end || *p++ != '{')
		goto fallback;
	p = skip_ws(p, end);
	if (p < end && *p == '}')
		goto close;
	for (;;) {
		const char *key, *s;
		size_t klen, n;
		json_t *v;

		if (p == end || *p != '"' || !(p = plain_string(p, end, &key, &klen)) ||
		    memchr(key, '\0', klen) || json_object_getn(o, key, klen))
			goto fallback;
		p = skip_ws(p, end);
		if (p == end || *p++ != ':')
			goto fallback;
		p = skip_ws(p, end);
		if (p < end && *p == '"') {
			if (!(p = plain_string(p, end, &s, &n)) || !(v = json_stringn(s, n)))
				goto fallback;
		} else {
			/* an integer of at most 18 digits, no leading zero: it fits */
			const char *d = p + (p < end && *p == '-');
			json_int_t x = 0;

			for (n = 0; d + n < end && d[n] >= '0' && d[n] <= '9'; n++)
				if (n < 18) /* more is refused below, before x could overflow */
					x = x * 10 + (d[n] - '0');
			if (n == 0 || n > 18 || (d[0] == '0' && n > 1) ||
			    (d + n < end && (d[n] == '.' || d[n] == 'e' || d[n] == 'E')) ||
			    !(v = json_integer(*p == '-' ? -x : x)))
				goto fallback;
			p = d + n;
		}
		if (json_object_setn_new(o, key, klen, v) != 0)
			goto fallback;
		p = skip_ws(p, end);
		if (p < end && *p == ',') {
			p = skip_ws(p + 1, end);
			continue;
		}
		if (p < end && *p == '}')
			break;
		goto fallback;
	}
close:
	if (skip_ws(p + 1, end) == end)
		return o;
fallback:
	json_decref(o);
	return NULL;
}
