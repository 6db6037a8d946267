/* sale_weight.c — the weight of a sale's weighed lines (scale labels, 散称): kept from the sale's
 * journal payload in sale_weight, so that the receipt prints "0.532 kg x ¥12.80/kg" rather than
 * "1 x amount". Owns sale_weight. */
#include "db_int.h"
#include "journal_int.h"
#include "receipt.h"
#include "sale_weight_int.h"

enum cp_err cp_sale_weight_apply(struct cp_db *db, int64_t seq, json_t *lines,
				 struct cp_errbuf *err)
{
	size_t i;
	json_t *l;

	json_array_foreach (lines, i, l) {
		int64_t n, grams, per_kg;
		enum cp_err result;
		sqlite3_stmt *st;
		int rc;

		if (!json_object_get(l, "weight_g"))
			continue;
		if ((result = cp_jget_int(l, "n", &n, err)) ||
		    (result = cp_jget_int(l, "weight_g", &grams, err)) ||
		    (result = cp_jget_int(l, "per_kg", &per_kg, err)))
			return result;
		if (!(st = cp_db_stmt(db,
				      "INSERT INTO sale_weight(seq, line_no, weight_g, per_kg)"
				      " VALUES(?1, ?2, ?3, ?4)",
				      err)))
			return CP_EDB;
		sqlite3_bind_int64(st, 1, seq);
		sqlite3_bind_int64(st, 2, n);
		sqlite3_bind_int64(st, 3, grams);
		sqlite3_bind_int64(st, 4, per_kg);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return cp_db_fail(db, rc, "record a weighed line", err);
	}
	return CP_OK;
}

enum cp_err cp_sale_weight_receipt_fill(struct cp_db *db, int64_t seq, struct cp_receipt_view *v,
					struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(
		db, "SELECT line_no, weight_g, per_kg FROM sale_weight WHERE seq = ?1", err);
	int rc;

	if (!st)
		return CP_EDB;
	sqlite3_bind_int64(st, 1, seq);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int n = sqlite3_column_int(st, 0);

		for (int i = 0; i < v->nlines; i++)
			if (v->lines[i].line_no == n) {
				v->lines[i].weight_g = sqlite3_column_int64(st, 1);
				v->lines[i].per_kg = sqlite3_column_int64(st, 2);
			}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "read the weighed lines", err);
}
