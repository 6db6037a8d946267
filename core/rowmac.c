/* rowmac.c — keyed checksums of the rows HQ feeds (items, members, tiers, earn rules, staff):
 * the SQL function the triggers call as each row is written, and verify's check, so that a
 * flipped bit or a row edited outside Counterpoint shows. The key (meta row_key) is in the
 * same file: this finds damage and careless edits, not a deliberate forger (README). */
#include <stdio.h>
#include <string.h>

#include "cp_crypto.h"
#include "item_search_int.h"
#include "rowmac_int.h"

#define ROWMAC_LEN 16

/* The key's HMAC state is made once a handle: a row's checksum hashes the row alone. */
static bool load_key(sqlite3 *h, struct cp_db *db)
{
	uint8_t key[DB_KEY_LEN];
	sqlite3_stmt *st;
	bool ok = false;

	if (sqlite3_prepare_v2(h, "SELECT value FROM meta WHERE key = 'row_key'", -1, &st, NULL) !=
	    SQLITE_OK)
		return false;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		ok = cp_unhex((const char *)sqlite3_column_text(st, 0), key, DB_KEY_LEN);
	sqlite3_finalize(st);
	if (ok)
		ok = (db->row_key = cp_hmac_new(key, DB_KEY_LEN)) != NULL;
	cp_wipe(key, sizeof(key));
	return ok;
}

static void row_mac(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct cp_db *db = sqlite3_user_data(ctx);
	const unsigned char *tbl = sqlite3_value_text(argv[0]);
	const unsigned char *content = sqlite3_value_text(argv[1]);
	uint8_t mac[CP_SHA256_LEN];
	const void *parts[3];
	size_t lens[3];

	(void)argc;
	if (!tbl || !content) {
		sqlite3_result_error(ctx, "cp_row_mac: table and content must be text", -1);
		return;
	}
	if (!db->row_key && !load_key(sqlite3_context_db_handle(ctx), db)) {
		sqlite3_result_error(
			ctx, "the row checksum key (meta row_key) is missing or damaged", -1);
		return;
	}
	parts[0] = tbl;
	lens[0] = strlen((const char *)tbl) + 1; /* with its terminating zero */
	parts[1] = content;
	lens[1] = (size_t)sqlite3_value_bytes(argv[1]);
	if (cp_hmac_mac(db->row_key, parts, lens, 2, mac) != 0) {
		sqlite3_result_error(ctx, "cp_row_mac: the hash failed", -1);
		return;
	}
	sqlite3_result_blob(ctx, mac, ROWMAC_LEN, SQLITE_TRANSIENT);
}

int cp_rowmac_register(sqlite3 *h, struct cp_db *db)
{
	int rc = sqlite3_create_function(h, "cp_row_mac", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, db,
					 row_mac, NULL, NULL);

	/* item search's migration step and triggers use cp_pinyin() and cp_grams() */
	return rc == SQLITE_OK ? cp_item_search_register(h) : rc;
}

/* The first row of one table whose checksum is missing or does not hold, or a checksum whose
 * row is gone. */
#define ROWMAC_CHECK(tbl, key, content)                                                            \
	"SELECT " key " FROM " tbl " LEFT JOIN row_mac m ON m.tbl = '" tbl "' AND m.id = " key     \
	" WHERE m.mac IS NULL OR m.mac != cp_row_mac('" tbl "', " content ")"                      \
	" UNION ALL SELECT id FROM row_mac WHERE tbl = '" tbl "' AND id NOT IN"                    \
	" (SELECT " key " FROM " tbl ") LIMIT 1"

enum cp_err cp_rowmac_verify(struct cp_db *db, struct cp_errbuf *err)
{
	static const struct {
		const char *table, *sql;
	} checks[] = {
		{"item", ROWMAC_CHECK("item", "sku", ROWMAC_ITEM(""))},
		{"member", ROWMAC_CHECK("member", "member.id", ROWMAC_MEMBER("member."))},
		{"tier", ROWMAC_CHECK("tier", "level", ROWMAC_TIER(""))},
		{"earn_rule",
		 ROWMAC_CHECK("earn_rule", "earn_rule.id", ROWMAC_EARN_RULE("earn_rule."))},
		{"staff", ROWMAC_CHECK("staff", "code", ROWMAC_STAFF(""))},
		/* the store's time zone (migrate.c step 17): present, and its checksum holds */
		{"meta",
		 "SELECT 'utc_offset_min' WHERE NOT EXISTS(SELECT 1 FROM meta m JOIN row_mac r"
		 " ON r.tbl = 'meta' AND r.id = m.key WHERE m.key = 'utc_offset_min' AND"
		 " r.mac = cp_row_mac('meta', json_array(m.key, m.value)))"},
	};
	enum cp_err result = CP_OK;

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]) && result == CP_OK; i++) {
		sqlite3_stmt *st;
		int rc = sqlite3_prepare_v2(db->h, checks[i].sql, -1, &st, NULL);

		if (rc != SQLITE_OK)
			return cp_db_fail(db, rc, "check row checksums", err);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			result = cp_errf(err, CP_ECORRUPT,
					 "%s row %s does not match its checksum (it was changed "
					 "outside Counterpoint, or the file is damaged)",
					 checks[i].table, sqlite3_column_text(st, 0));
		else if (rc != SQLITE_DONE)
			result = cp_db_fail(db, rc, "check row checksums", err);
		sqlite3_finalize(st);
	}
	return result;
}
