/* cart_tender.c — the open sale's payments entered so far, kept in cart_tender (which goes with
 * the cart row: paid or cancelled, the cart is deleted and its tenders with it; a cancel lists
 * them in its journal event to be given back, and a sale with payments is neither parked nor
 * replaced by a recalled one). A
 * payment is checked when it is entered as the sale will check it; cp_sale_pay takes them
 * first, before the tenders it is given. Owns cart_tender. */
#include <stdlib.h>
#include <string.h>

#include "cart.h"
#include "cart_tender.h"
#include "cart_tender_int.h"
#include "coupon.h"
#include "db_int.h"
#include "money.h"
#include "staff.h"

enum cp_err cp_cart_tender_load(struct cp_db *db, struct cp_tender out[CP_TENDER_MAX], int *n,
				struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db, "SELECT method, amount, ref FROM cart_tender ORDER BY n", err);
	int rc;

	*n = 0;
	if (!st)
		return CP_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < CP_TENDER_MAX) {
		struct cp_tender *t = &out[(*n)++];
		int m = cp_tender_parse((const char *)sqlite3_column_text(st, 0));

		memset(t, 0, sizeof(*t));
		t->method = m < 0 ? CP_TENDER_CASH : (enum cp_tender_method)m;
		t->amount = sqlite3_column_int64(st, 1);
		cp_db_col_text(st, 2, t->ref, sizeof(t->ref));
		if (m < 0) {
			sqlite3_reset(st);
			return cp_errf(err, CP_ECORRUPT, "a kept payment has an unknown method");
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CP_OK
						     : cp_db_fail(db, rc, "read the payments", err);
}

enum cp_err cp_cart_tender_merge(struct cp_db *db, const struct cp_tender *t, int n,
				 struct cp_tender out[CP_TENDER_MAX], int *nout,
				 struct cp_errbuf *err)
{
	enum cp_err result = cp_cart_tender_load(db, out, nout, err);

	if (result != CP_OK)
		return result;
	if (n < 0 || *nout + n > CP_TENDER_MAX)
		return cp_errf(err, CP_EINVAL, "a sale takes 1 to %d tenders (%d entered already)",
			       CP_TENDER_MAX, *nout);
	for (int i = 0; i < n; i++)
		out[(*nout)++] = t[i];
	return CP_OK;
}

/* One tender as the sale will judge it, with those kept before it (have[0..nhave)). */
static enum cp_err judge(const struct cp_tender *t, const struct cp_tender *have, int nhave,
			 int64_t due, struct cp_errbuf *err)
{
	int64_t noncash = 0;
	char a[48], b[48];

	if (cp_tender_parse(cp_tender_name(t->method)) < 0)
		return cp_errf(err, CP_EINVAL, "the payment has an unknown method");
	if (t->amount <= 0 || t->amount > CP_MONEY_MAX)
		return cp_errf(err, CP_EINVAL, "a payment must be a positive amount");
	if (t->ref[0]) {
		bool digits = strnlen(t->ref, sizeof(t->ref)) == CP_TENDER_REF_LEN;

		for (int i = 0; digits && i < CP_TENDER_REF_LEN; i++)
			digits = t->ref[i] >= '0' && t->ref[i] <= '9';
		if (!digits || t->method == CP_TENDER_CASH || t->method == CP_TENDER_POINTS)
			return cp_errf(err, CP_EINVAL,
				       "a reference is the last four digits of a card or payment "
				       "code, and cash has none");
	}
	if (nhave >= CP_TENDER_MAX)
		return cp_errf(err, CP_EINVAL, "a sale takes at most %d payments", CP_TENDER_MAX);
	for (int i = 0; i <= nhave; i++) {
		const struct cp_tender *h = i < nhave ? &have[i] : t;

		if (i < nhave && t->method == CP_TENDER_POINTS && h->method == CP_TENDER_POINTS)
			return cp_errf(err, CP_EINVAL, "a sale takes one points payment");
		if (h->method != CP_TENDER_CASH && !cp_money_add(noncash, h->amount, &noncash))
			return cp_errf(err, CP_EOVERFLOW, "the payments are too large");
	}
	if (noncash > due) {
		cp_money_format(noncash, NULL, a, sizeof(a));
		cp_money_format(due, NULL, b, sizeof(b));
		return cp_errf(
			err, CP_EINVAL,
			"card, mobile and points payments (%s) exceed what is due (%s); only "
			"cash gives change",
			a, b);
	}
	return CP_OK;
}

/* who's open sale with lines, and what is due on it after its coupons. */
static enum cp_err open_sale(struct cp_db *db, const struct cp_session *who, int64_t *due,
			     struct cp_errbuf *err)
{
	struct cp_cart_view *v = malloc(sizeof(*v));
	struct cp_coupon_quote q;
	enum cp_err result;

	if (!v)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if ((result = cp_cart_view(db, who, v, err)) == CP_OK && (!v->open || v->nlines == 0))
		result = cp_errf(err, CP_ESTATE, "there is no sale to pay: scan an item first");
	if (result == CP_OK && (result = cp_coupon_quote(db, who, &q, err)) == CP_OK)
		*due = q.due;
	free(v);
	return result;
}

enum cp_err cp_cart_tender_add(struct cp_db *db, const struct cp_session *who,
			       const struct cp_tender *t, int *n, struct cp_errbuf *err)
{
	struct cp_tender have[CP_TENDER_MAX];
	int64_t due = 0;
	int nhave = 0;
	enum cp_err result;
	sqlite3_stmt *st;
	int rc;

	if (!who || !who->code[0] || !who->token[0])
		return cp_errf(err, CP_EAUTH, "log in first");
	if ((result = cp_db_begin(db, err)) != CP_OK)
		return result;
	if ((result = open_sale(db, who, &due, err)) != CP_OK ||
	    (result = cp_cart_tender_load(db, have, &nhave, err)) != CP_OK ||
	    (result = judge(t, have, nhave, due, err)) != CP_OK)
		goto out;
	result = CP_EDB;
	if (!(st = cp_db_stmt(db,
			      "INSERT INTO cart_tender(n, cart_id, method, amount, ref)"
			      " VALUES(?1, 1, ?2, ?3, ?4)",
			      err)))
		goto out;
	sqlite3_bind_int(st, 1, nhave + 1);
	sqlite3_bind_text(st, 2, cp_tender_name(t->method), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, t->amount);
	sqlite3_bind_text(st, 4, t->ref, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		result = cp_db_fail(db, rc, "keep the payment", err);
		goto out;
	}
	if ((result = cp_db_commit(db, err)) == CP_OK && n)
		*n = nhave + 1;
out:
	if (result != CP_OK)
		cp_db_rollback(db);
	return result;
}

enum cp_err cp_cart_tender_remove(struct cp_db *db, const struct cp_session *who, int n,
				  struct cp_errbuf *err)
{
	struct cp_cart_view *v = malloc(sizeof(*v));
	enum cp_err result;
	sqlite3_stmt *st;
	int rc;

	if (!v)
		return cp_errf(err, CP_ENOMEM, "out of memory");
	if (!who || !who->code[0] || !who->token[0]) {
		free(v);
		return cp_errf(err, CP_EAUTH, "log in first");
	}
	if ((result = cp_db_begin(db, err)) != CP_OK) {
		free(v);
		return result;
	}
	if ((result = cp_cart_view(db, who, v, err)) != CP_OK)
		goto out;
	result = CP_EDB;
	if (!(st = cp_db_stmt(db,
			      "DELETE FROM cart_tender WHERE n = CASE WHEN ?1 > 0 THEN ?1"
			      " ELSE (SELECT max(n) FROM cart_tender) END",
			      err)))
		goto out;
	sqlite3_bind_int(st, 1, n);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		result = cp_db_fail(db, rc, "take the payment back", err);
		goto out;
	}
	if (sqlite3_changes(db->h) == 0) {
		result =
			n > 0 ? cp_errf(err, CP_ENOTFOUND, "there is no payment %d on this sale", n)
			      : cp_errf(err, CP_ENOTFOUND, "no payment has been entered");
		goto out;
	}
	/* the others keep their order, numbered from 1 again */
	if ((result = cp_db_exec(db,
				 "UPDATE cart_tender SET n = -n; UPDATE cart_tender SET n ="
				 " (SELECT count(*) FROM cart_tender c WHERE c.n >= cart_tender.n)",
				 err)) != CP_OK)
		goto out;
	result = cp_db_commit(db, err);
out:
	if (result != CP_OK)
		cp_db_rollback(db);
	free(v);
	return result;
}

enum cp_err cp_cart_tender_list(struct cp_db *db, const struct cp_session *who,
				struct cp_tender out[CP_TENDER_MAX], int *n, struct cp_errbuf *err)
{
	struct cp_cart_view *v;
	enum cp_err result;

	*n = 0;
	if (!who)
		return cp_cart_tender_load(db, out, n, err);
	if (!(v = malloc(sizeof(*v))))
		return cp_errf(err, CP_ENOMEM, "out of memory");
	result = cp_cart_view(db, who, v, err);
	free(v);
	return result == CP_OK ? cp_cart_tender_load(db, out, n, err) : result;
}
