/* changes_int.h — the kinds of HQ's change feed (sync/PROTOCOL.md "GET /v1/changes"). Each kind
 * is applied, upsert and delete alike, by the module that owns its tables; changes.c dispatches
 * through its one table of kinds, so a new kind is one entry there and two functions here. */
#ifndef CP_CHANGES_INT_H
#define CP_CHANGES_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "db_int.h"

/* Inside the page's transaction: applies the record data of an upsert; where names the change
 * in errors (a bad record is CP_EINVAL naming the field). */
typedef enum cp_err (*change_upsert_fn)(struct cp_db *db, json_t *data, const char *where,
					struct cp_errbuf *err);
/* Inside the page's transaction: applies a delete of key (already checked: short printable,
 * digits only for a numeric kind). */
typedef enum cp_err (*change_delete_fn)(struct cp_db *db, const char *key, struct cp_errbuf *err);

struct change_kind {
	const char *kind; /* as HQ names it */
	change_upsert_fn upsert;
	change_delete_fn remove;
	bool numeric_key; /* a delete's key must be digits */
};

/* The table of every kind this till knows (changes.c). */
extern const struct change_kind cp_change_kinds[];
extern const size_t cp_change_kinds_n;
/* The entry of kind; NULL for a kind this till does not know (counted, not an error). */
const struct change_kind *cp_change_kind_for(const char *kind);

/* Runs sql with ?1 = key; a constraint refusal is CP_EINVAL "HQ deletes key, which other
 * records still use". */
enum cp_err cp_change_run_keyed(struct cp_db *db, const char *sql, const char *key,
				struct cp_errbuf *err);

/* catalog.c */
enum cp_err cp_item_change_upsert(struct cp_db *db, json_t *d, const char *where,
				  struct cp_errbuf *err);
enum cp_err cp_item_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err);
enum cp_err cp_category_change_upsert(struct cp_db *db, json_t *d, const char *where,
				      struct cp_errbuf *err);
enum cp_err cp_category_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err);
/* earn.c */
enum cp_err cp_tier_change_upsert(struct cp_db *db, json_t *d, const char *where,
				  struct cp_errbuf *err);
enum cp_err cp_tier_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err);
enum cp_err cp_rules_change_upsert(struct cp_db *db, json_t *d, const char *where,
				   struct cp_errbuf *err);
enum cp_err cp_rules_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err);
/* staff.c */
enum cp_err cp_staff_change_upsert(struct cp_db *db, json_t *d, const char *where,
				   struct cp_errbuf *err);
enum cp_err cp_staff_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err);
/* offer.c */
enum cp_err cp_offer_change_upsert(struct cp_db *db, json_t *d, const char *where,
				   struct cp_errbuf *err);
enum cp_err cp_offer_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err);
/* coupon.c */
enum cp_err cp_coupon_template_change_upsert(struct cp_db *db, json_t *d, const char *where,
					     struct cp_errbuf *err);
enum cp_err cp_coupon_template_change_delete(struct cp_db *db, const char *key,
					     struct cp_errbuf *err);
enum cp_err cp_coupon_rule_change_upsert(struct cp_db *db, json_t *d, const char *where,
					 struct cp_errbuf *err);
enum cp_err cp_coupon_rule_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err);
enum cp_err cp_coupon_change_upsert(struct cp_db *db, json_t *d, const char *where,
				    struct cp_errbuf *err);
enum cp_err cp_coupon_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err);
/* benefit.c */
enum cp_err cp_benefit_change_upsert(struct cp_db *db, json_t *d, const char *where,
				     struct cp_errbuf *err);
enum cp_err cp_benefit_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err);
enum cp_err cp_benefit_grant_change_upsert(struct cp_db *db, json_t *d, const char *where,
					   struct cp_errbuf *err);
enum cp_err cp_benefit_grant_change_delete(struct cp_db *db, const char *key,
					   struct cp_errbuf *err);
/* member_hq.c (the upsert is cp_member_snapshot_apply, member_int.h) */
enum cp_err cp_member_change_delete(struct cp_db *db, const char *key, struct cp_errbuf *err);

#endif
