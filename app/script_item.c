/* script_item.c — finding items in script mode: `item_search` (part of the name or the pinyin
 * initials, a page at a time) and `price_check` (an item's prices, nothing added). */
#include <stdlib.h>
#include <string.h>

#include "item_search.h"
#include "script.h"

static enum cp_err str_field(json_t *req, const char *key, bool required, const char **out,
			     struct cp_errbuf *err)
{
	json_t *v = json_object_get(req, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return required ? cp_errf(err, CP_EINVAL, "missing field \"%s\"", key) : CP_OK;
	if (!json_is_string(v))
		return cp_errf(err, CP_EINVAL, "field \"%s\" must be a string", key);
	*out = json_string_value(v);
	return CP_OK;
}

static enum cp_err int_field(json_t *req, const char *key, int def, int min, int max, int *out,
			     struct cp_errbuf *err)
{
	json_t *v = json_object_get(req, key);

	*out = def;
	if (!v || json_is_null(v))
		return CP_OK;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return cp_errf(err, CP_EINVAL, "field \"%s\" must be an integer from %d to %d", key,
			       min, max);
	*out = (int)json_integer_value(v);
	return CP_OK;
}

static json_t *money_or_null(int64_t fen)
{
	return fen >= 0 ? json_integer(fen) : json_null();
}

static json_t *item_json(const struct cp_item *it)
{
	json_t *o = script_need(json_object());

	script_set(o, "sku", script_str(it->sku));
	script_set(o, "barcode", it->barcode[0] ? script_str(it->barcode) : json_null());
	script_set(o, "name", script_str(it->name_zh));
	script_set(o, "name_en", script_str(it->name_en));
	script_set(o, "price", json_integer(it->price));
	script_set(o, "member_price", money_or_null(it->member_price));
	return o;
}

enum cp_err script_item_search(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	struct cp_item *items;
	const char *query;
	json_t *arr;
	bool more = false;
	int limit, offset, n = 0;
	enum cp_err rc;

	if ((rc = str_field(req, "query", true, &query, err)) != CP_OK ||
	    (rc = int_field(req, "limit", 10, 1, CP_ITEM_SEARCH_MAX, &limit, err)) != CP_OK ||
	    (rc = int_field(req, "offset", 0, 0, CP_ITEM_SEARCH_MAX * CP_ITEM_SEARCH_PAGES, &offset,
			    err)) != CP_OK)
		return rc;
	items = calloc((size_t)limit, sizeof(*items));
	if (!items)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((rc = cp_item_search(s->db, query, offset, limit, items, &n, &more, err)) != CP_OK) {
		free(items);
		return rc;
	}
	arr = script_need(json_array());
	for (int i = 0; i < n; i++)
		if (json_array_append_new(arr, item_json(&items[i])) != 0)
			script_need(NULL);
	free(items);
	script_set(ans, "items", arr);
	script_set(ans, "more", json_boolean(more));
	return CP_OK;
}

enum cp_err script_price_check(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err)
{
	const struct cp_member_view *member = NULL;
	struct cp_price_check pc;
	const char *code;
	enum cp_err rc;

	if ((rc = str_field(req, "code", true, &code, err)) != CP_OK)
		return rc;
	/* The attached member of this session's open sale, if any; another's sale is not read. */
	if (cp_cart_view(s->db, &s->who, &s->cart, NULL) == CP_OK && s->cart.open &&
	    s->cart.has_member)
		member = &s->cart.member;
	if ((rc = cp_item_price_check(s->db, code, member, &pc, err)) != CP_OK)
		return rc;
	script_set(ans, "item", item_json(&pc.item));
	script_set(ans, "price", json_integer(pc.item.price));
	script_set(ans, "member_price", money_or_null(pc.item.member_price));
	script_set(ans, "member", pc.has_member ? script_str(pc.member_masked) : json_null());
	script_set(ans, "member_pays", pc.has_member ? json_integer(pc.member_pays) : json_null());
	return CP_OK;
}
