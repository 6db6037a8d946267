/* events_int.h — the apply functions of every journal event type: each writes the tables that
 * are the event's materialised view, from the payload alone. Commit and verify share them. */
#ifndef CP_EVENTS_INT_H
#define CP_EVENTS_INT_H

#include "journal_int.h"

enum cp_err cp_sale_apply(struct cp_db *db, int64_t seq, json_t *payload, struct cp_errbuf *err);
enum cp_err cp_refund_apply(struct cp_db *db, int64_t seq, json_t *payload, struct cp_errbuf *err);
enum cp_err cp_member_register_apply(struct cp_db *db, int64_t seq, json_t *payload,
				     struct cp_errbuf *err);
enum cp_err cp_clockcheck_confirm_apply(struct cp_db *db, int64_t seq, json_t *payload,
					struct cp_errbuf *err);
enum cp_err cp_cart_takeover_apply(struct cp_db *db, int64_t seq, json_t *payload,
				   struct cp_errbuf *err);
enum cp_err cp_coupon_exchange_apply(struct cp_db *db, int64_t seq, json_t *payload,
				     struct cp_errbuf *err);
enum cp_err cp_guide_event_apply(struct cp_db *db, int64_t seq, json_t *payload,
				 struct cp_errbuf *err);
/* benefit.c: a benefit granted to a member */
enum cp_err cp_benefit_grant_apply(struct cp_db *db, int64_t seq, json_t *payload,
				   struct cp_errbuf *err);
/* cart_cancel.c: an open sale thrown away */
enum cp_err cp_cart_cancel_apply(struct cp_db *db, int64_t seq, json_t *payload,
				 struct cp_errbuf *err);
/* staff_admin.c: staff_unlock and staff_reset_pin */
enum cp_err cp_staff_admin_apply(struct cp_db *db, int64_t seq, json_t *payload,
				 struct cp_errbuf *err);

/* refund_noreceipt.c: a refund without a receipt */
enum cp_err cp_refund_noreceipt_apply(struct cp_db *db, int64_t seq, json_t *payload,
				      struct cp_errbuf *err);

/* Inserts the tender rows of a payload's "tenders" list, amounts multiplied by sign. */
enum cp_err cp_tenders_apply(struct cp_db *db, int64_t seq, json_t *tenders, int sign,
			     struct cp_errbuf *err);

#endif
