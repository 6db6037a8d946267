/* benefit_int.h — the hooks of benefits (benefit.c) into the journal, the change feed and the
 * demo store. */
#ifndef CP_BENEFIT_INT_H
#define CP_BENEFIT_INT_H

#include <jansson.h>

#include "benefit.h"
#include "db_int.h"
#include "records_int.h"

/* Reads a benefit record (sync/PROTOCOL.md "benefit"), every field checked. */
enum cp_err cp_rec_benefit(const struct rec_src *src, json_t *o, struct cp_benefit *out,
			   const char *where, struct cp_errbuf *err);

/* The titles of the benefits v's member may still claim today, into v->benefits (a sale's
 * receipt with a member this till holds; nothing otherwise). */
struct cp_receipt_view;
enum cp_err cp_benefit_receipt_fill(struct cp_db *db, struct cp_receipt_view *v,
				    struct cp_errbuf *err);

/* The demo store's "benefits" (optional), inside its transaction. */
enum cp_err cp_benefit_demo_seed(struct cp_db *db, json_t *root, struct cp_errbuf *err);

#endif
