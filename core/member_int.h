/* member_int.h — member facts other core modules need inside their transactions. */
#ifndef CP_MEMBER_INT_H
#define CP_MEMBER_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "member.h"

struct cp_db;

/* Birthday month (1..12) of the member, 0 when unknown; CP_ENOTFOUND when no such member. */
enum cp_err cp_member_birth_month(struct cp_db *db, const char *id, int *month,
				  struct cp_errbuf *err);

/* memo.c: for a change whose writes since changes_before touched only the cart's tables, the
 * member view kept by cp_member_get stays fresh. */
void cp_member_memo_keep(struct cp_db *db, int64_t changes_before);

/* verify: member_pending holds, for every member with any, the sum of the points and growth
 * movements after meta acked_seq (CP_ECORRUPT naming the first member that differs). */
enum cp_err cp_member_pending_verify(struct cp_db *db, struct cp_errbuf *err);

/* member_hq.c, inside the caller's transaction: */
/* Applies HQ's member snapshot o (a push answer, a lookup, the change feed) unless the one held
 * here is as new; a row HQ renumbered ("local_id") or another holding the same phone or card
 * gives way to it, and the open cart follows. where names it in errors. */
enum cp_err cp_member_snapshot_apply(struct cp_db *db, json_t *o, const char *where,
				     struct cp_errbuf *err);
/* The second half of cp_member_snapshot_apply, for a snapshot s already read (member_batch.c):
 * stored unless the one held here is as new, another row holding its phone or card giving way;
 * stage is an object whose "stage" is HQ's (absent or null: none). */
enum cp_err cp_member_snapshot_store(struct cp_db *db, const struct cp_member_snapshot *s,
				     json_t *stage, bool cart_had, const char *where,
				     struct cp_errbuf *err);

/* member_batch.c: while HQ's change pages are applied (cp_hq_pages_begin to _end), member
 * upserts that do not depend on the order of the feed are held and stored together in the
 * order of their phone hashes, so that each leaf of the phone-hash index is written once per
 * batch. cp_member_batch_add sets *taken when it holds o (index i of its page); otherwise the
 * caller flushes and applies o at once. Flush stores what is held (in the caller's
 * transaction); close drops it. */
void cp_member_batch_open(struct cp_db *db);
bool cp_member_batch_active(const struct cp_db *db);
bool cp_member_batch_due(const struct cp_db *db);
enum cp_err cp_member_batch_add(struct cp_db *db, json_t *o, size_t i, const char *where,
				bool *taken, struct cp_errbuf *err);
enum cp_err cp_member_batch_flush(struct cp_db *db, struct cp_errbuf *err);
void cp_member_batch_close(struct cp_db *db);

/* Retires member row old_id in favour of new_id (an alias keeps its movements counting); sets
 * *cart_had when the open cart held it. */
enum cp_err cp_member_retire(struct cp_db *db, const char *old_id, const char *new_id,
			     bool *cart_had, struct cp_errbuf *err);
/* The open cart follows a retired member to new_id once that member is here (cart_had). */
enum cp_err cp_member_cart_follow(struct cp_db *db, const char *new_id, bool cart_had,
				  struct cp_errbuf *err);

/* guide.c: sets the member's guide (NULL: none) as a guide event says; a member not known here
 * is left alone (verify replays into an empty member table). */
enum cp_err cp_member_set_guide(struct cp_db *db, const char *id, const char *guide,
				struct cp_errbuf *err);

#endif
