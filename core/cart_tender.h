/* cart_tender.h — the payments entered for the open sale before it is paid in full (a card slip
 * of ¥50 on a ¥120 sale, then cash): kept with the cart in the database, so a crash, a closed
 * window or a takeover before the final payment loses none; the sale's payment uses them. */
#ifndef CP_CART_TENDER_H
#define CP_CART_TENDER_H

#include "cp_error.h"
#include "sale.h"

struct cp_db;
struct cp_session;

/* Keeps tender t for who's open sale (one with lines). Refused with nothing changed: not logged
 * in (CP_EAUTH), another login's sale or none (CP_ESTATE), a bad method, amount or reference,
 * a second points tender, more than CP_TENDER_MAX, or card, mobile and points payments above
 * what is due (CP_EINVAL; only cash gives change). *n (may be NULL) gets its number. */
enum cp_err cp_cart_tender_add(struct cp_db *db, const struct cp_session *who,
			       const struct cp_tender *t, int *n, struct cp_errbuf *err);

/* Takes back tender n (1-based, as listed); 0 takes back the last. CP_ENOTFOUND when there is
 * no such tender. */
enum cp_err cp_cart_tender_remove(struct cp_db *db, const struct cp_session *who, int n,
				  struct cp_errbuf *err);

/* The tenders kept for the open sale, in the order entered: out[0..*n), at most CP_TENDER_MAX.
 * who NULL reads them without the owner's check. */
enum cp_err cp_cart_tender_list(struct cp_db *db, const struct cp_session *who,
				struct cp_tender out[CP_TENDER_MAX], int *n, struct cp_errbuf *err);

/* cp_cart_cancel (cart.h) telling what to give back: the payments kept for the open sale,
 * back[0..*nback) in the order entered, are listed in its cart_cancel event and dropped with
 * the cart. A sale with payments but no lines left is cancelled and recorded the same way.
 * Refused (*nback = 0, nothing changed) as cp_cart_cancel is. */
enum cp_err cp_cart_cancel_back(struct cp_db *db, const struct cp_session *who,
				struct cp_tender back[CP_TENDER_MAX], int *nback,
				struct cp_errbuf *err);

#endif
