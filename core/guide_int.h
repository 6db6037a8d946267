/* guide_int.h — the hooks other core modules call inside their own transactions: the credited
 * guide of a sale and of a refund, a guide registering a member, and HQ's word on a member's
 * guide. */
#ifndef CP_GUIDE_INT_H
#define CP_GUIDE_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cp_error.h"

struct cp_db;
struct cp_session;

/* sale.c, before recording: sets the sale payload's "guide" (the member's guide, else the guide
 * who served the open sale opened at opened_at, else null) and "guide_source" ("member",
 * "serving"), and forgets the serving guide. member_guide is the member's guide or "". */
enum cp_err cp_guide_sale_note(struct cp_db *db, int64_t opened_at, const char *member_guide,
			       json_t *payload, struct cp_errbuf *err);

/* park.c, inside its transaction: the guide serving the open sale opened at opened_at, taken
 * away from it (guide "" when none serves it); and put back for a recalled sale. */
enum cp_err cp_guide_serving_take(struct cp_db *db, int64_t opened_at, char guide[17],
				  struct cp_errbuf *err);
enum cp_err cp_guide_serving_put(struct cp_db *db, const char *guide, int64_t opened_at,
				 struct cp_errbuf *err);

/* sale.c: the credited guide of a recorded sale payload, and whether to offer binding the
 * member to the serving guide (a member without a guide, served by one). */
void cp_guide_sale_result(json_t *payload, char guide[17], bool *offer);

/* refund.c, before recording: sets the refund payload's "guide" to the guide sale_seq was
 * credited to (null when none). */
enum cp_err cp_guide_refund_note(struct cp_db *db, int64_t sale_seq, json_t *payload,
				 struct cp_errbuf *err);

/* cp_sale_apply and cp_refund_apply: the guide_credit row of a sale or refund payload that names a
 * guide (a refund reverses the credit of the money it refunds), and a sale credited to the
 * member's guide extends the member's protection. */
enum cp_err cp_guide_credit_apply(struct cp_db *db, int64_t seq, json_t *payload, bool refund,
				  struct cp_errbuf *err);

/* member.c, inside the registration: a guide who registers a member becomes their guide (a
 * guide_bind event) unless configured off. */
enum cp_err cp_guide_on_register(struct cp_db *db, const struct cp_session *who,
				 const char *member_id, struct cp_errbuf *err);

/* member.c, after HQ's snapshot of a member was stored: the binding follows HQ's guide (guide
 * NULL or "" is none), protected from now when the guide changed. */
enum cp_err cp_guide_follow_hq(struct cp_db *db, const char *member_id, const char *guide,
			       struct cp_errbuf *err);

#endif
