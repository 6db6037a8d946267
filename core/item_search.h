/* item_search.h — finding an item without its barcode: by part of its name (Chinese, or
 * English in any case) or by its pinyin initials ("kkkl" finds 可口可乐); and the price check,
 * which shows what an item costs and adds nothing. */
#ifndef CP_ITEM_SEARCH_H
#define CP_ITEM_SEARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog.h"
#include "cp_error.h"
#include "member.h"

struct cp_db;

#define CP_ITEM_SEARCH_MAX 50     /* results per page, at most */
#define CP_ITEM_QUERY_MAX 64      /* bytes of a query, after trimming spaces */
#define CP_ITEM_SEARCH_PAGES 1000 /* offset / max beyond this is refused */

/* Active items whose Chinese name holds query, whose English name holds it ignoring ASCII
 * case, or whose pinyin initials hold it (lower-cased). Fills out[0..*n) with up to max
 * (1..CP_ITEM_SEARCH_MAX) items from offset on (a page), in catalogue order, and *more when
 * there are more. Queries of three characters or more go through a trigram index; shorter ones
 * read the catalogue. An empty query, one longer than CP_ITEM_QUERY_MAX bytes, not UTF-8 or
 * holding control characters is CP_EINVAL with a message; no match is CP_OK with *n = 0. */
enum cp_err cp_item_search(struct cp_db *db, const char *query, int offset, int max,
			   struct cp_item *out, int *n, bool *more, struct cp_errbuf *err);

/* What a price check shows. */
struct cp_price_check {
	struct cp_item item; /* price and member_price (-1: none) as the catalogue has them */
	bool has_member;     /* a member was given */
	char member_masked[16];
	int64_t member_pays; /* the given member's unit price: member price, else price */
};

/* Looks up code (barcode or SKU, as a scan) and fills *out; member may be NULL (no member
 * attached). Writes nothing: the cart and the journal are untouched. Errors as cp_catalog_find
 * and cp_code_parse. */
enum cp_err cp_item_price_check(struct cp_db *db, const char *code,
				const struct cp_member_view *member, struct cp_price_check *out,
				struct cp_errbuf *err);

#endif
