/* cart.h — the open sale before payment. It lives in the database and changes with every
 * scan, so a crash or a closed window never loses it; one open cart per terminal. */
#ifndef CP_CART_H
#define CP_CART_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"
#include "member.h"

struct cp_db;
struct cp_session;

#define CP_CART_MAX_LINES 100
#define CP_QTY_MAX 9999

struct cp_cart_line {
	int line_no; /* 1-based, stable while the cart is open */
	char sku[33];
	char name[129]; /* Chinese name (English when it has none) */
	char category[33];
	int64_t qty;
	int64_t unit_price; /* member price when a member is attached and the item has one */
	int64_t amount;     /* qty * unit_price */
	bool eligible;      /* earns points and growth */
};

struct cp_cart_view {
	bool open;
	char staff[17];
	int64_t opened_at;
	int nlines;
	struct cp_cart_line lines[CP_CART_MAX_LINES];
	int64_t total;
	int64_t eligible; /* sum of eligible line amounts */
	int64_t items;    /* sum of quantities */
	bool has_member;
	struct cp_member_view member;
};

/* The cart as it stands (open == false when there is none). */
enum cp_err cp_cart_view(struct cp_db *db, struct cp_cart_view *out, struct cp_errbuf *err);

/* Adds qty (1..CP_QTY_MAX) of the item with this barcode or SKU; scanning an item already in
 * the cart adds to its line. *line_no (may be NULL) gets the line. Unknown code: CP_ENOTFOUND,
 * cart unchanged. */
enum cp_err cp_cart_scan(struct cp_db *db, const struct cp_session *who, const char *code,
			 int64_t qty, int *line_no, struct cp_errbuf *err);
enum cp_err cp_cart_set_qty(struct cp_db *db, int line_no, int64_t qty, struct cp_errbuf *err);
enum cp_err cp_cart_remove(struct cp_db *db, int line_no, struct cp_errbuf *err);
/* Attaches the member with this id (found by cp_member_find_*), or detaches with NULL. */
enum cp_err cp_cart_set_member(struct cp_db *db, const struct cp_session *who,
			       const char *member_id, struct cp_errbuf *err);
/* Throws the open cart away. */
enum cp_err cp_cart_cancel(struct cp_db *db, struct cp_errbuf *err);

#endif
