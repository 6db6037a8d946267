/* scale.c — scale labels (散称) read by layouts given as data, their embedded GS1 price/weight
 * check digits verified, the item found by the label's PLU, and the amount of a weighed line.
 * Also the UPC-A / EAN-13 pairing the catalogue uses to find one item by either form. */
#include <stdio.h>
#include <string.h>

#include "db_int.h"
#include "money.h"
#include "scale.h"

#define LAYOUT_LEN 13

const char *cp_scale_layouts(const struct cp_db *db)
{
	return db->scale_layouts;
}

/* GS1 weighting of one digit: 2-, 3, 5+ and 5- (General Specifications, price/weight check). */
static int w2minus(int d)
{
	return (d * 2 - d * 2 / 10) % 10;
}

static int w3(int d)
{
	return d * 3 % 10;
}

static int w5plus(int d)
{
	return (d * 5 + d * 5 / 10) % 10;
}

static int w5minus(int d)
{
	return (d * 5 - d * 5 / 10) % 10;
}

/* The check digit of 4 or 5 price/weight digits. */
static int price_check(const char *v, size_t n)
{
	int d[5], sum, want;

	for (size_t i = 0; i < n; i++)
		d[i] = v[i] - '0';
	if (n == 4)
		return (w2minus(d[0]) + w2minus(d[1]) + w3(d[2]) + w5minus(d[3])) * 3 % 10;
	sum = w5plus(d[0]) + w2minus(d[1]) + w5minus(d[2]) + w5plus(d[3]) + w2minus(d[4]);
	want = (10 - sum % 10) % 10;
	for (int c = 0; c < 10; c++)
		if (w5minus(c) == want)
			return c;
	return -1;
}

/* One layout of len characters: its parts counted; false when it breaks a rule. */
static bool layout_ok(const char *l, size_t len, char *why, size_t whylen)
{
	size_t p = 0, t = 0, w = 0, k = 0, c = 0, prefix = 0;

	if (len != LAYOUT_LEN) {
		snprintf(why, whylen, "is %zu characters, not 13", len);
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		switch (l[i]) {
		case 'P':
			p++;
			break;
		case 'T':
			t++;
			break;
		case 'W':
			w++;
			break;
		case 'K':
			k++;
			break;
		case 'C':
			c++;
			break;
		case 'x':
			break;
		default:
			if (l[i] < '0' || l[i] > '9') {
				snprintf(why, whylen, "has '%c', which is none of 0-9 x P T W K C",
					 l[i]);
				return false;
			}
			if (i == prefix)
				prefix++;
		}
	}
	if (!prefix)
		snprintf(why, whylen, "does not start with the digits of its prefix");
	else if (c != 1 || l[len - 1] != 'C')
		snprintf(why, whylen, "must end in C, its one EAN-13 check digit");
	else if (p < 1 || p > 6)
		snprintf(why, whylen, "needs 1 to 6 P (the PLU)");
	else if ((t == 0) == (w == 0) || t + w > 6)
		snprintf(why, whylen, "needs the price (T) or the weight (W), not both, 6 at most");
	else if (k > 1 || (k == 1 && t + w != 4 && t + w != 5))
		snprintf(why, whylen, "may have one K only with 4 or 5 T or W digits");
	else
		return true;
	return false;
}

enum cp_err cp_scale_layouts_check(const char *layouts, struct cp_errbuf *err)
{
	char why[96];
	int n = 0;

	for (const char *s = layouts; s && *s;) {
		size_t len = strcspn(s, " ");

		if (len) {
			if (++n > CP_SCALE_LAYOUTS_MAX)
				return cp_errf(err, CP_ECONFIG,
					       "[scale] labels: at most %d layouts",
					       CP_SCALE_LAYOUTS_MAX);
			if (!layout_ok(s, len, why, sizeof(why)))
				return cp_errf(err, CP_ECONFIG, "[scale] labels: layout %.*s %s",
					       (int)(len > 20 ? 20 : len), s, why);
		}
		s += len;
		s += strspn(s, " ");
	}
	return CP_OK;
}

/* Reads code by one layout; CP_ENOTFOUND when its prefix does not match. */
static enum cp_err read_by(const char *l, const char *code, struct cp_scale_label *out,
			   struct cp_errbuf *err)
{
	char value[7] = "", k = 0;
	size_t np = 0, nv = 0;

	for (size_t i = 0; i < LAYOUT_LEN; i++)
		if (l[i] >= '0' && l[i] <= '9' && l[i] != code[i])
			return CP_ENOTFOUND;
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < LAYOUT_LEN; i++) {
		if (l[i] == 'P')
			out->plu[np++] = code[i];
		else if (l[i] == 'T' || l[i] == 'W')
			value[nv++] = code[i];
		else if (l[i] == 'K')
			k = code[i];
		out->by_weight = out->by_weight || l[i] == 'W';
	}
	if (k && price_check(value, nv) != k - '0')
		return cp_errf(err, CP_EINVAL,
			       "scale label %s has a wrong %s check digit: scan it again, or "
			       "weigh the item again",
			       code, out->by_weight ? CP_WORD("weight") : CP_WORD("price"));
	for (size_t i = 0; i < nv; i++)
		out->value = out->value * 10 + (value[i] - '0');
	if (out->value == 0)
		return cp_errf(err, CP_EINVAL, "scale label %s says %s: weigh the item again", code,
			       out->by_weight ? "0 g" : "¥0.00");
	return CP_OK;
}

enum cp_err cp_scale_parse(const char *layouts, const char *code, struct cp_scale_label *out,
			   struct cp_errbuf *err)
{
	char why[96];

	if (!code || strlen(code) != LAYOUT_LEN || strspn(code, "0123456789") != LAYOUT_LEN)
		return CP_ENOTFOUND;
	for (const char *s = layouts; s && *s;) {
		size_t len = strcspn(s, " ");

		if (len && layout_ok(s, len, why, sizeof(why))) {
			enum cp_err result = read_by(s, code, out, err);

			if (result != CP_ENOTFOUND)
				return result;
		}
		s += len;
		s += strspn(s, " ");
	}
	return CP_ENOTFOUND;
}

enum cp_err cp_scale_item(struct cp_db *db, const struct cp_scale_label *l, struct cp_item *out,
			  struct cp_errbuf *err)
{
	const char *plu = l->plu;
	enum cp_err result = cp_catalog_find(db, plu, out, NULL);

	while (result == CP_ENOTFOUND && plu[0] == '0' && plu[1]) {
		plu++;
		result = cp_catalog_find(db, plu, out, NULL);
	}
	if (result == CP_ENOTFOUND)
		return cp_errf(err, CP_ENOTFOUND,
			       "the scale's PLU %s is not in the catalogue: check the scale's item "
			       "list, or key the item in",
			       l->plu);
	if (result != CP_OK)
		return cp_catalog_find(db, plu, out, err);
	return CP_OK;
}

bool cp_scale_amount(int64_t weight_g, int64_t per_kg, int64_t *out)
{
	int64_t p;

	if (!cp_money_mul(weight_g, per_kg, &p) || !cp_money_add(p, 500, &p))
		return false;
	return cp_muldiv_floor(p, 1, 1000, out);
}

int64_t cp_scale_weight(int64_t amount, int64_t per_kg)
{
	int64_t p, g;

	if (per_kg <= 0 || !cp_money_mul(amount, 1000, &p) || !cp_money_add(p, per_kg / 2, &p) ||
	    !cp_muldiv_floor(p, 1, per_kg, &g))
		return 0;
	return g;
}

bool cp_scale_upc_twin(const char *code, char twin[14])
{
	size_t n = code ? strlen(code) : 0;

	if (strspn(code ? code : "", "0123456789") != n)
		return false;
	if (n == 12) {
		snprintf(twin, 14, "0%s", code);
		return true;
	}
	if (n == 13 && code[0] == '0') {
		memcpy(twin, code + 1, 13);
		return true;
	}
	return false;
}
