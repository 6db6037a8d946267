/* rowmac_int.h — keyed checksums of the rows HQ feeds (items, members, tiers, earn rules,
 * staff): written by triggers whenever a row is written (any path, any module), checked by
 * verify. Each table's content is one SQL expression over its columns, used with the prefix
 * "NEW." by the triggers (migrate.c) and with none by verify (rowmac.c). */
#ifndef CP_ROWMAC_INT_H
#define CP_ROWMAC_INT_H

#include "db_int.h"

#define ROWMAC_ITEM(p)                                                                             \
	"json_array(" p "sku, " p "barcode, " p "name_zh, " p "name_en, " p "category, " p         \
	"price, " p "member_price, " p "active)"
#define ROWMAC_MEMBER(p)                                                                           \
	"json_array(" p "id, hex(" p "phone_hash), " p "phone_masked, " p "card_no, " p "name, " p \
	"birthday, " p "points, " p "growth, " p "tier, " p "tier_until, " p "expiring_points, " p \
	"expiring_on, " p "guide, " p "version, " p "local, " p "referrer_id, " p "created_at)"
#define ROWMAC_TIER(p) "json_array(" p "level, " p "name, " p "threshold, " p "multiplier_bp)"
#define ROWMAC_EARN_RULE(p)                                                                        \
	"json_array(" p "id, " p "points_per_yuan_bp, " p "growth_per_yuan_bp, " p                 \
	"member_day_kind, " p "member_day_value, " p "member_day_bp, " p "birthday_bp, " p         \
	"combine, " p "welcome_points, " p "referral_points, " p "points_per_yuan_value)"
#define ROWMAC_STAFF(p)                                                                            \
	"json_array(" p "code, " p "name, " p "role, hex(" p "pin_salt), hex(" p "pin_hash), " p   \
	"pin_iter, " p "failed, " p "locked_until, " p "active)"

/* The triggers of one table: after an insert or update the row's checksum is written, after
 * a delete it goes. */
#define ROWMAC_TRIGGERS(tbl, key, content)                                                         \
	"CREATE TRIGGER rowmac_" tbl "_ins AFTER INSERT ON " tbl " BEGIN"                          \
	" INSERT OR REPLACE INTO row_mac(tbl, id, mac) VALUES('" tbl "', NEW." key                 \
	", cp_row_mac('" tbl "', " content ")); END;"                                              \
	"CREATE TRIGGER rowmac_" tbl "_upd AFTER UPDATE ON " tbl " BEGIN"                          \
	" DELETE FROM row_mac WHERE tbl = '" tbl "' AND id = OLD." key ";"                         \
	" INSERT OR REPLACE INTO row_mac(tbl, id, mac) VALUES('" tbl "', NEW." key                 \
	", cp_row_mac('" tbl "', " content ")); END;"                                              \
	"CREATE TRIGGER rowmac_" tbl "_del AFTER DELETE ON " tbl " BEGIN"                          \
	" DELETE FROM row_mac WHERE tbl = '" tbl "' AND id = OLD." key "; END;"

/* Makes cp_row_mac(table, content) known on h: HMAC-SHA256 with meta row_key over the table
 * name, a zero byte and the content, first 16 bytes. The key is read from meta on first use
 * and kept in db. Returns an SQLite result code. */
int cp_rowmac_register(sqlite3 *h, struct cp_db *db);

/* verify: every row of the HQ-fed tables has its checksum and it holds, and no checksum is
 * left of a row that is gone. CP_ECORRUPT naming the first table and row that differ. */
enum cp_err cp_rowmac_verify(struct cp_db *db, struct cp_errbuf *err);

#endif
