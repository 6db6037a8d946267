/* catalog.h — items and their categories as the till sells them. */
#ifndef CP_CATALOG_H
#define CP_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"
#include "pinyin.h"

struct cp_db;

struct cp_item {
	char sku[33];
	char barcode[33];
	char name_zh[129];
	char name_en[129];
	char category[33];
	int64_t price;        /* fen */
	int64_t member_price; /* fen; -1 when the item has none */
	bool earn_excluded;   /* its category earns no points or growth */
	/* pinyin initials of name_zh for item search (HQ's, or computed here when empty) */
	char initials[CP_PINYIN_SIZE];
};

/* Finds an active item by the code a scanner or a person gave (barcode or SKU), after
 * cp_code_parse. CP_ENOTFOUND with "unknown code ..." when there is none. */
enum cp_err cp_catalog_find(struct cp_db *db, const char *code, struct cp_item *out,
			    struct cp_errbuf *err);

/* Adds or replaces an item / a category (seeding, and HQ's changes later). */
enum cp_err cp_catalog_put_category(struct cp_db *db, const char *code, const char *name,
				    bool earn_excluded, struct cp_errbuf *err);
enum cp_err cp_catalog_put_item(struct cp_db *db, const struct cp_item *item,
				struct cp_errbuf *err);

#endif
