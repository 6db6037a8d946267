/* lifecycle_int.h — the lifecycle module's hooks in other modules' transactions. */
#ifndef CP_LIFECYCLE_INT_H
#define CP_LIFECYCLE_INT_H

#include <jansson.h>

#include "lifecycle.h"
#include "member.h"

/* cp_sale_apply: the member's purchase (visits, money, last purchase) and the tier the sale
 * lifted them to (the payload's "tier_up", when present). member may be NULL. */
enum cp_err cp_lifecycle_sale_apply(struct cp_db *db, int64_t seq, const char *member, json_t *p,
				    struct cp_errbuf *err);
/* cp_refund_apply (after its lines are written): money back, and the visit taken back when the
 * refund returns the last line of the sale. member may be NULL. */
enum cp_err cp_lifecycle_refund_apply(struct cp_db *db, int64_t seq, const char *member,
				      int64_t sale_seq, json_t *p, struct cp_errbuf *err);

/* cp_sale_pay, before recording: the tier the member (as the cart holds them, with growth
 * added by the sale) reaches above their current one; adds "tier_up" {level, name} to the
 * payload and sets *level / name, or *level = -1 when none. */
enum cp_err cp_lifecycle_sale_tier_up(struct cp_db *db, const struct cp_member_view *m,
				      int64_t growth, json_t *payload, int *level, char name[33],
				      struct cp_errbuf *err);

/* memo.c (cp_db_memo_keep): writes since changes_before touched no table the member's
 * lifecycle reads; a memo fresh before them stays fresh. */
void cp_lifecycle_memo_keep(struct cp_db *db, int64_t changes_before);

struct cp_receipt_view;
/* cp_receipt_get: v's tier_up (a sale's) and tier_until (a known member's). */
enum cp_err cp_lifecycle_receipt_fill(struct cp_db *db, int64_t seq, struct cp_receipt_view *v,
				      struct cp_errbuf *err);

/* cp_member_snapshot_apply: HQ's optional "stage" of member id (absent or null: the till
 * computes it). A stage that is not one of the five is CP_EINVAL naming where. */
enum cp_err cp_lifecycle_hq_stage_apply(struct cp_db *db, const char *id, json_t *o,
					const char *where, struct cp_errbuf *err);

/* changes.c: the "lifecycle_rules" kind. */
enum cp_err cp_lifecycle_rules_change_upsert(struct cp_db *db, json_t *d, const char *where,
					     struct cp_errbuf *err);
enum cp_err cp_lifecycle_rules_change_delete(struct cp_db *db, const char *key,
					     struct cp_errbuf *err);
/* demo.c: the demo store's "lifecycle_rules" (optional) and members' "stage". */
enum cp_err cp_lifecycle_demo_seed(struct cp_db *db, json_t *root, struct cp_errbuf *err);

#endif
