/* migrate.c — the schema, as numbered migrations. Each runs in its own transaction and sets
 * PRAGMA user_version; a database is only ever moved forward. Append, never edit, a step. */
#include <stdio.h>

#include "db_int.h"
#include "rowmac_int.h"

/* Step 8's keyed checksums (rowmac_int.h), kept out of steps[] for clang-format. */
/* clang-format off */
#define STEP_ROWMAC \
	"INSERT OR IGNORE INTO meta(key, value) VALUES('row_key', lower(hex(randomblob(32))));" \
	"CREATE TABLE row_mac(tbl TEXT NOT NULL, id NOT NULL, mac BLOB NOT NULL," \
	"  PRIMARY KEY(tbl, id)) WITHOUT ROWID;" \
	ROWMAC_TRIGGERS("item", "sku", ROWMAC_ITEM("NEW.")) \
	ROWMAC_TRIGGERS("member", "id", ROWMAC_MEMBER("NEW.")) \
	ROWMAC_TRIGGERS("tier", "level", ROWMAC_TIER("NEW.")) \
	ROWMAC_TRIGGERS("earn_rule", "id", ROWMAC_EARN_RULE("NEW.")) \
	ROWMAC_TRIGGERS("staff", "code", ROWMAC_STAFF("NEW.")) \
	"INSERT INTO row_mac SELECT 'item', sku, cp_row_mac('item', " ROWMAC_ITEM("") ")" \
	"  FROM item;" \
	"INSERT INTO row_mac SELECT 'member', id, cp_row_mac('member', " ROWMAC_MEMBER("") ")" \
	"  FROM member;" \
	"INSERT INTO row_mac SELECT 'tier', level, cp_row_mac('tier', " ROWMAC_TIER("") ")" \
	"  FROM tier;" \
	"INSERT INTO row_mac SELECT 'earn_rule', id, cp_row_mac('earn_rule', " \
	ROWMAC_EARN_RULE("") ") FROM earn_rule;" \
	"INSERT INTO row_mac SELECT 'staff', code, cp_row_mac('staff', " ROWMAC_STAFF("") ")" \
	"  FROM staff;"
/* clang-format on */

static const char *const steps[] = {
	/* 1: the foundation */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE category(code TEXT PRIMARY KEY, name TEXT NOT NULL,"
	"  earn_excluded INTEGER NOT NULL DEFAULT 0 CHECK(earn_excluded IN (0,1))) WITHOUT ROWID;"
	"CREATE TABLE item(sku TEXT PRIMARY KEY, barcode TEXT UNIQUE, name_zh TEXT NOT NULL,"
	"  name_en TEXT NOT NULL, category TEXT NOT NULL REFERENCES category(code),"
	"  price INTEGER NOT NULL CHECK(price >= 0),"
	"  member_price INTEGER CHECK(member_price IS NULL OR member_price >= 0),"
	"  active INTEGER NOT NULL DEFAULT 1);"
	"CREATE TABLE tier(level INTEGER PRIMARY KEY, name TEXT NOT NULL,"
	"  threshold INTEGER NOT NULL UNIQUE CHECK(threshold >= 0),"
	"  multiplier_bp INTEGER NOT NULL CHECK(multiplier_bp > 0));"
	"CREATE TABLE earn_rule(id INTEGER PRIMARY KEY CHECK(id = 1),"
	"  points_per_yuan_bp INTEGER NOT NULL CHECK(points_per_yuan_bp >= 0),"
	"  growth_per_yuan_bp INTEGER NOT NULL CHECK(growth_per_yuan_bp >= 0),"
	"  member_day_kind TEXT NOT NULL CHECK(member_day_kind IN ('none','weekday','monthday')),"
	"  member_day_value INTEGER NOT NULL DEFAULT 0,"
	"  member_day_bp INTEGER NOT NULL DEFAULT 10000 CHECK(member_day_bp > 0),"
	"  birthday_bp INTEGER NOT NULL DEFAULT 10000 CHECK(birthday_bp > 0),"
	"  combine TEXT NOT NULL CHECK(combine IN ('highest','product')),"
	"  welcome_points INTEGER NOT NULL DEFAULT 0 CHECK(welcome_points >= 0),"
	"  referral_points INTEGER NOT NULL DEFAULT 0 CHECK(referral_points >= 0),"
	"  points_per_yuan_value INTEGER NOT NULL DEFAULT 100 CHECK(points_per_yuan_value > 0));"
	"CREATE TABLE staff(code TEXT PRIMARY KEY, name TEXT NOT NULL,"
	"  role TEXT NOT NULL CHECK(role IN ('cashier','guide','manager')),"
	"  pin_salt BLOB NOT NULL, pin_hash BLOB NOT NULL, pin_iter INTEGER NOT NULL,"
	"  failed INTEGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL DEFAULT 0,"
	"  active INTEGER NOT NULL DEFAULT 1) WITHOUT ROWID;"
	"CREATE TABLE member(id TEXT PRIMARY KEY, phone_hash BLOB NOT NULL UNIQUE,"
	"  phone_masked TEXT NOT NULL, card_no TEXT UNIQUE, name TEXT NOT NULL DEFAULT '',"
	"  birthday TEXT, points INTEGER NOT NULL DEFAULT 0, growth INTEGER NOT NULL DEFAULT 0,"
	"  tier INTEGER NOT NULL DEFAULT 0, tier_until TEXT, expiring_points INTEGER NOT NULL "
	"DEFAULT 0,"
	"  expiring_on TEXT, guide TEXT, version INTEGER NOT NULL DEFAULT 0,"
	"  local INTEGER NOT NULL DEFAULT 0, referrer_id TEXT, created_at INTEGER NOT NULL);"
	"CREATE TABLE journal(seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE,"
	"  type TEXT NOT NULL, created_at INTEGER NOT NULL, payload TEXT NOT NULL,"
	"  prev_hash BLOB NOT NULL, hash BLOB NOT NULL);"
	"CREATE TABLE sale(seq INTEGER PRIMARY KEY REFERENCES journal(seq),"
	"  receipt TEXT NOT NULL UNIQUE, staff TEXT NOT NULL, member_id TEXT,"
	"  created_at INTEGER NOT NULL, business_day TEXT NOT NULL, total INTEGER NOT NULL,"
	"  eligible INTEGER NOT NULL, change_due INTEGER NOT NULL, multiplier_bp INTEGER NOT NULL,"
	"  points INTEGER NOT NULL, growth INTEGER NOT NULL);"
	"CREATE INDEX sale_day ON sale(business_day);"
	"CREATE TABLE sale_line(seq INTEGER NOT NULL REFERENCES sale(seq), line_no INTEGER NOT "
	"NULL,"
	"  sku TEXT NOT NULL, name TEXT NOT NULL, category TEXT NOT NULL, qty INTEGER NOT NULL,"
	"  unit_price INTEGER NOT NULL, amount INTEGER NOT NULL, eligible INTEGER NOT NULL,"
	"  PRIMARY KEY(seq, line_no)) WITHOUT ROWID;"
	"CREATE TABLE refund(seq INTEGER PRIMARY KEY REFERENCES journal(seq),"
	"  receipt TEXT NOT NULL UNIQUE, sale_seq INTEGER NOT NULL REFERENCES sale(seq),"
	"  kind TEXT NOT NULL CHECK(kind IN ('refund','void')), staff TEXT NOT NULL,"
	"  authorised_by TEXT NOT NULL, created_at INTEGER NOT NULL, business_day TEXT NOT NULL,"
	"  amount INTEGER NOT NULL, points INTEGER NOT NULL, growth INTEGER NOT NULL);"
	"CREATE INDEX refund_sale ON refund(sale_seq);"
	"CREATE TABLE refund_line(seq INTEGER NOT NULL REFERENCES refund(seq),"
	"  sale_seq INTEGER NOT NULL, line_no INTEGER NOT NULL, amount INTEGER NOT NULL,"
	"  PRIMARY KEY(seq, line_no), UNIQUE(sale_seq, line_no)) WITHOUT ROWID;"
	"CREATE TABLE tender(seq INTEGER NOT NULL REFERENCES journal(seq), n INTEGER NOT NULL,"
	"  method TEXT NOT NULL, amount INTEGER NOT NULL, PRIMARY KEY(seq, n)) WITHOUT ROWID;"
	"CREATE TABLE movement(seq INTEGER NOT NULL REFERENCES journal(seq), n INTEGER NOT NULL,"
	"  member_id TEXT NOT NULL, kind TEXT NOT NULL, points INTEGER NOT NULL,"
	"  growth INTEGER NOT NULL, PRIMARY KEY(seq, n)) WITHOUT ROWID;"
	"CREATE INDEX movement_member ON movement(member_id, seq);"
	"CREATE TABLE cart(id INTEGER PRIMARY KEY CHECK(id = 1), staff TEXT NOT NULL,"
	"  member_id TEXT REFERENCES member(id), opened_at INTEGER NOT NULL);"
	"CREATE TABLE cart_line(line_no INTEGER PRIMARY KEY, sku TEXT NOT NULL REFERENCES "
	"item(sku),"
	"  qty INTEGER NOT NULL CHECK(qty > 0));",
	/* 2: sync with HQ — its state for the UI and status, notices, merged member ids, HQ's
	 * configuration values */
	"CREATE TABLE sync_state(id INTEGER PRIMARY KEY CHECK(id = 1),"
	"  online INTEGER NOT NULL DEFAULT 0, since INTEGER NOT NULL DEFAULT 0,"
	"  last_success INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '',"
	"  last_error_at INTEGER NOT NULL DEFAULT 0, stopped INTEGER NOT NULL DEFAULT 0,"
	"  stop_reason TEXT NOT NULL DEFAULT '', next_try INTEGER NOT NULL DEFAULT 0,"
	"  unknown_changes INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO sync_state(id) VALUES(1);"
	"CREATE TABLE notice(id TEXT PRIMARY KEY, kind TEXT NOT NULL, at INTEGER NOT NULL,"
	"  message TEXT NOT NULL, data TEXT NOT NULL, seen INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE member_alias(local_id TEXT PRIMARY KEY, member_id TEXT NOT NULL)"
	"  WITHOUT ROWID;"
	"CREATE INDEX member_alias_member ON member_alias(member_id);"
	"CREATE TABLE hq_config(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;",
	/* 3: the text of each printed receipt, kept for reprint, and what became of printing */
	"CREATE TABLE receipt_copy(receipt TEXT PRIMARY KEY, text TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL, printed INTEGER NOT NULL DEFAULT 0,"
	"  error TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX receipt_copy_created ON receipt_copy(created_at);",
	/* 4: a manager's word that a clock the journal did not believe is right */
	"CREATE TABLE clock_confirm(seq INTEGER PRIMARY KEY REFERENCES journal(seq),"
	"  at INTEGER NOT NULL, last_at INTEGER NOT NULL, staff TEXT NOT NULL,"
	"  authorised_by TEXT NOT NULL);",
	/* 5: members found by the last four digits of the phone (with a fragment of the name) */
	"CREATE INDEX member_last4 ON member(substr(phone_masked, -4));",
	/* 6: a tender's reference, the last four digits of the customer's payment code (never
	 * the whole code) */
	"ALTER TABLE tender ADD COLUMN ref TEXT CHECK(ref IS NULL OR ref GLOB "
	"'[0-9][0-9][0-9][0-9]');",
	/* 7: the open sale belongs to the login (session) that opened it; taking it over is a
	 * cart_takeover event, whose view is cart_takeover. A cart open before this step belongs
	 * to no session and must be taken over. */
	"ALTER TABLE cart ADD COLUMN session TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE cart_takeover(seq INTEGER PRIMARY KEY REFERENCES journal(seq),"
	"  at INTEGER NOT NULL, from_staff TEXT NOT NULL, to_staff TEXT NOT NULL,"
	"  opened_at INTEGER NOT NULL, lines INTEGER NOT NULL, items INTEGER NOT NULL,"
	"  total INTEGER NOT NULL, member_id TEXT);",
	/* 8: points as payment — the points and money of a points tender spread over the sale's
	 * lines (a refund gives back exactly a line's share), and the points spent while HQ could
	 * not be reached, for the offline limits per member and terminal per business day */
	"CREATE TABLE points_pay(seq INTEGER NOT NULL REFERENCES sale(seq),"
	"  line_no INTEGER NOT NULL, fen INTEGER NOT NULL CHECK(fen >= 0),"
	"  points INTEGER NOT NULL CHECK(points >= 0), PRIMARY KEY(seq, line_no)) WITHOUT ROWID;"
	"CREATE TABLE points_offline(seq INTEGER PRIMARY KEY REFERENCES sale(seq),"
	"  member_id TEXT NOT NULL, business_day TEXT NOT NULL,"
	"  points INTEGER NOT NULL CHECK(points > 0));"
	"CREATE INDEX points_offline_day ON points_offline(business_day, member_id, points);",
	/* 9: points-plus-cash offers (offer.c): the offers HQ sends, a cart line that redeems
	 * one, and offer_use, the journal's view of every redemption (+1) and refund of one (-1)
	 * on the business day of the sale, which the per-member limits and this store's stock
	 * count */
	"CREATE TABLE offer(id TEXT PRIMARY KEY, reward_kind TEXT NOT NULL, sku TEXT,"
	"  name_zh TEXT NOT NULL, name_en TEXT NOT NULL,"
	"  points INTEGER NOT NULL CHECK(points >= 0), cash INTEGER NOT NULL CHECK(cash >= 0),"
	"  valid_from TEXT NOT NULL, valid_to TEXT NOT NULL, min_tier INTEGER NOT NULL DEFAULT 0,"
	"  limit_n INTEGER NOT NULL DEFAULT 0 CHECK(limit_n >= 0),"
	"  period TEXT NOT NULL CHECK(period IN ('day','month','ever')),"
	"  stock INTEGER CHECK(stock IS NULL OR stock >= 0), CHECK(points > 0 OR cash > 0))"
	"  WITHOUT ROWID;"
	"CREATE INDEX offer_valid ON offer(valid_to, id);"
	"ALTER TABLE cart_line ADD COLUMN offer_id TEXT;"
	"CREATE TABLE offer_use(seq INTEGER NOT NULL REFERENCES journal(seq), n INTEGER NOT NULL,"
	"  member_id TEXT NOT NULL, offer_id TEXT NOT NULL, business_day TEXT NOT NULL,"
	"  qty INTEGER NOT NULL CHECK(qty IN (1,-1)), points INTEGER NOT NULL,"
	"  cash INTEGER NOT NULL, PRIMARY KEY(seq, n)) WITHOUT ROWID;"
	"CREATE INDEX offer_use_member ON offer_use(offer_id, member_id, business_day);",
	/* 10: shifts (open with a float, pay-ins and pay-outs, close with the counted cash), the
	 * business day of every journal row (journal_day, a view the report reads and verify
	 * rebuilds), and the Z report that closes a business day (day_close). Rows recorded
	 * before this step get the day of their payload, else the day of their time with the
	 * default 04:00 cut-over. */
	"CREATE TABLE shift(seq INTEGER PRIMARY KEY REFERENCES journal(seq),"
	"  staff TEXT NOT NULL, opened_at INTEGER NOT NULL, float INTEGER NOT NULL"
	"  CHECK(float >= 0));"
	"CREATE TABLE shift_move(seq INTEGER PRIMARY KEY REFERENCES journal(seq),"
	"  shift_seq INTEGER NOT NULL REFERENCES shift(seq),"
	"  kind TEXT NOT NULL CHECK(kind IN ('in','out')), amount INTEGER NOT NULL"
	"  CHECK(amount > 0), reason TEXT NOT NULL, staff TEXT NOT NULL, at INTEGER NOT NULL);"
	"CREATE INDEX shift_move_shift ON shift_move(shift_seq);"
	"CREATE TABLE shift_close(seq INTEGER PRIMARY KEY REFERENCES journal(seq),"
	"  shift_seq INTEGER NOT NULL UNIQUE REFERENCES shift(seq), staff TEXT NOT NULL,"
	"  at INTEGER NOT NULL, expected INTEGER NOT NULL, counted INTEGER NOT NULL,"
	"  over_short INTEGER NOT NULL, denoms TEXT);"
	"CREATE TABLE journal_day(seq INTEGER PRIMARY KEY REFERENCES journal(seq),"
	"  day TEXT NOT NULL, type TEXT NOT NULL);"
	"CREATE INDEX journal_day_day ON journal_day(day, type);"
	"INSERT INTO journal_day(seq, day, type) SELECT seq, coalesce(json_extract(payload,"
	"  '$.day'), date(created_at / 1000 - 14400, 'unixepoch', 'localtime')), type"
	"  FROM journal;"
	"CREATE INDEX refund_day ON refund(business_day);"
	"CREATE TABLE day_close(seq INTEGER PRIMARY KEY REFERENCES journal(seq),"
	"  business_day TEXT NOT NULL UNIQUE, staff TEXT NOT NULL, at INTEGER NOT NULL,"
	"  through_seq INTEGER NOT NULL, chain_hash TEXT NOT NULL, unacked INTEGER NOT NULL,"
	"  totals TEXT NOT NULL);",
	/* 11: shopping guides — a staff badge a scanner reads; guide_event (the view of the
	 * guide_bind, guide_refresh, guide_takeover and guide_unbind events) and guide_credit (the
	 * guide each sale is credited to, and refunds reversing it) are journal views;
	 * guide_binding is each member's binding as this till knows it (its own events and HQ's
	 * word); guide_serving is the guide who served the open sale's customer. */
	"ALTER TABLE staff ADD COLUMN badge TEXT;"
	"CREATE UNIQUE INDEX staff_badge ON staff(badge) WHERE badge IS NOT NULL;"
	"CREATE TABLE guide_event(seq INTEGER PRIMARY KEY REFERENCES journal(seq),"
	"  kind TEXT NOT NULL CHECK(kind IN ('bind','refresh','takeover','unbind')),"
	"  member_id TEXT NOT NULL, guide TEXT, previous TEXT, staff TEXT NOT NULL,"
	"  authorised_by TEXT, reason TEXT, at INTEGER NOT NULL, business_day TEXT NOT NULL);"
	"CREATE INDEX guide_event_guide ON guide_event(guide, business_day);"
	"CREATE TABLE guide_credit(seq INTEGER PRIMARY KEY REFERENCES journal(seq),"
	"  kind TEXT NOT NULL CHECK(kind IN ('sale','refund')), sale_seq INTEGER NOT NULL,"
	"  guide TEXT NOT NULL, source TEXT NOT NULL, member_id TEXT,"
	"  business_day TEXT NOT NULL, amount INTEGER NOT NULL);"
	"CREATE INDEX guide_credit_guide ON guide_credit(guide, business_day);"
	"CREATE TABLE guide_binding(member_id TEXT PRIMARY KEY, guide TEXT NOT NULL,"
	"  bound_at INTEGER NOT NULL, last_credit_at INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
	"CREATE INDEX guide_binding_guide ON guide_binding(guide, bound_at, last_credit_at);"
	"CREATE TABLE guide_serving(id INTEGER PRIMARY KEY CHECK(id = 1), guide TEXT NOT NULL,"
	"  opened_at INTEGER NOT NULL);",
	/* 12: forward-secure sealing: meta journal_key is the key of row journal_key_seq and is
	 * replaced by the next key as each row is written; rows before seal_from were written
	 * before sealing existed and are sealed with the key this step found (seal.c). */
	"INSERT OR IGNORE INTO meta(key, value)"
	"  SELECT 'seal_from', coalesce(max(seq), 0) + 1 FROM journal;"
	"INSERT OR IGNORE INTO meta(key, value)"
	"  SELECT 'journal_key_seq', coalesce(max(seq), 0) + 1 FROM journal;"
	/* ... and the rows HQ feeds carry a keyed checksum, written by triggers whenever a row
	 * is written and checked by verify (rowmac.c) */
	STEP_ROWMAC,
	/* 13: offer_use keyed by what the limits and the stock count (offer, member, business
	 * day), so that a redemption writes one B-tree (not the table and an index) and the counts
	 * read no second B-tree; a refund finds the sale's offer lines in the sale's journal row,
	 * by its sequence */
	"CREATE TABLE offer_use_by_offer(seq INTEGER NOT NULL REFERENCES journal(seq),"
	"  n INTEGER NOT NULL, member_id TEXT NOT NULL, offer_id TEXT NOT NULL,"
	"  business_day TEXT NOT NULL, qty INTEGER NOT NULL CHECK(qty IN (1,-1)),"
	"  points INTEGER NOT NULL, cash INTEGER NOT NULL,"
	"  PRIMARY KEY(offer_id, member_id, business_day, seq, n)) WITHOUT ROWID;"
	"INSERT INTO offer_use_by_offer SELECT * FROM offer_use;"
	"DROP TABLE offer_use;"
	"ALTER TABLE offer_use_by_offer RENAME TO offer_use;",
	/* 14: counter capabilities — parked sales (park.c): the open cart set aside, its lines
	 * with the unit price each had when parked */
	"CREATE TABLE parked_sale(id INTEGER PRIMARY KEY, staff TEXT NOT NULL, member_id TEXT,"
	"  opened_at INTEGER NOT NULL, parked_at INTEGER NOT NULL, lines INTEGER NOT NULL,"
	"  items INTEGER NOT NULL, total INTEGER NOT NULL);"
	"CREATE TABLE parked_line(park_id INTEGER NOT NULL REFERENCES parked_sale(id),"
	"  line_no INTEGER NOT NULL, sku TEXT NOT NULL, qty INTEGER NOT NULL CHECK(qty > 0),"
	"  offer_id TEXT, unit_price INTEGER NOT NULL, weight_g INTEGER, label_amount INTEGER,"
	"  PRIMARY KEY(park_id, line_no)) WITHOUT ROWID;"
	/* ... a cart line from a scale label (scale.c): its weight in grams, or the price the
	 * label gives */
	"ALTER TABLE cart_line ADD COLUMN weight_g INTEGER CHECK(weight_g IS NULL OR weight_g > 0);"
	"ALTER TABLE cart_line ADD COLUMN label_amount INTEGER"
	"  CHECK(label_amount IS NULL OR label_amount > 0);"
	/* ... staff_admin (staff_admin.c), the view of the staff_unlock and staff_reset_pin
	 * events: a manager unlocking a staff code or setting its new PIN */
	"CREATE TABLE staff_admin(seq INTEGER PRIMARY KEY REFERENCES journal(seq),"
	"  kind TEXT NOT NULL CHECK(kind IN ('unlock','reset_pin')), staff TEXT NOT NULL,"
	"  by_staff TEXT NOT NULL, authorised_by TEXT NOT NULL, at INTEGER NOT NULL,"
	"  locked_until INTEGER NOT NULL, failed INTEGER NOT NULL);",
	/* 15: coupons (coupon.c): the templates and issuing rules from HQ and the demo store;
	 * coupon_issue, coupon_use and coupon_line are the journal's view (coupons this till
	 * issued, every use, void and return, and each use's discount per sale line);
	 * coupon_known holds coupons other tills issued as HQ's feed sends them; cart_coupon the
	 * codes the open cart applies (gone with the cart). */
	"CREATE TABLE coupon_template(id TEXT PRIMARY KEY, kind TEXT NOT NULL"
	"  CHECK(kind IN ('amount','percent','item')), title_zh TEXT NOT NULL,"
	"  title_en TEXT NOT NULL, threshold INTEGER NOT NULL, amount INTEGER NOT NULL,"
	"  percent_bp INTEGER NOT NULL, cap INTEGER NOT NULL, sku TEXT, valid_days INTEGER NOT "
	"NULL,"
	"  valid_from TEXT, valid_to TEXT, next_day INTEGER NOT NULL, scope TEXT NOT NULL"
	"  CHECK(scope IN ('all','only','except')), categories TEXT NOT NULL,"
	"  bearer INTEGER NOT NULL, stacks INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE coupon_rule(id TEXT PRIMARY KEY, threshold INTEGER NOT NULL,"
	"  templates TEXT NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT NOT NULL) WITHOUT "
	"ROWID;"
	"CREATE TABLE coupon_issue(code TEXT PRIMARY KEY, seq INTEGER NOT NULL REFERENCES"
	"  journal(seq), n INTEGER NOT NULL, template_id TEXT NOT NULL, member_id TEXT,"
	"  valid_from TEXT NOT NULL, valid_to TEXT NOT NULL, threshold INTEGER NOT NULL,"
	"  source TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX coupon_issue_seq ON coupon_issue(seq);"
	"CREATE INDEX coupon_issue_member ON coupon_issue(member_id);"
	"CREATE TABLE coupon_use(seq INTEGER NOT NULL REFERENCES journal(seq), code TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK(kind IN ('use','void','return')), fen INTEGER NOT NULL,"
	"  PRIMARY KEY(seq, code)) WITHOUT ROWID;"
	"CREATE INDEX coupon_use_code ON coupon_use(code, seq);"
	"CREATE TABLE coupon_line(seq INTEGER NOT NULL REFERENCES journal(seq),"
	"  line_no INTEGER NOT NULL, code TEXT NOT NULL, fen INTEGER NOT NULL,"
	"  PRIMARY KEY(seq, line_no, code)) WITHOUT ROWID;"
	"CREATE TABLE coupon_known(code TEXT PRIMARY KEY, template_id TEXT NOT NULL,"
	"  member_id TEXT, valid_from TEXT NOT NULL, valid_to TEXT NOT NULL, state TEXT NOT NULL"
	"  CHECK(state IN ('open','used','void'))) WITHOUT ROWID;"
	"CREATE INDEX coupon_known_member ON coupon_known(member_id);"
	"CREATE TABLE cart_coupon(code TEXT PRIMARY KEY, cart_id INTEGER NOT NULL DEFAULT 1"
	"  REFERENCES cart(id) ON DELETE CASCADE, n INTEGER NOT NULL) WITHOUT ROWID;",
	/* 16: the tally (report.c): each sale's member-price saving, and report_day_sum, the
	 * sales of each business day summed by what the tally shows (all, members and others,
	 * gross, saving, change, each cashier, hour, tender method, points kind and guide
	 * credited), written with each sale and rebuilt by verify, so that a day of 100,000
	 * sales is tallied without reading them; indexes for the rest of the tally (a day's
	 * refund credits, its unacknowledged rows, a shift's cash and change). Sales recorded
	 * before this step are summed here. */
	"ALTER TABLE sale ADD COLUMN member_saving INTEGER NOT NULL DEFAULT 0;"
	"UPDATE sale SET member_saving = coalesce((SELECT json_extract(j.payload,"
	"  '$.member_saving') FROM journal j WHERE j.seq = sale.seq), 0);"
	"CREATE TABLE report_day_sum(day TEXT NOT NULL, what TEXT NOT NULL, key TEXT NOT NULL,"
	"  n INTEGER NOT NULL, amount INTEGER NOT NULL, growth INTEGER NOT NULL,"
	"  CHECK(typeof(n) = 'integer' AND typeof(amount) = 'integer'"
	"  AND typeof(growth) = 'integer'), PRIMARY KEY(day, what, key)) WITHOUT ROWID;"
	"CREATE INDEX guide_credit_day ON guide_credit(business_day, kind);"
	"CREATE INDEX sale_change ON sale(seq, change_due) WHERE change_due <> 0;"
	"CREATE INDEX tender_cash ON tender(seq, amount) WHERE method = 'cash';"
	"CREATE INDEX journal_day_seq ON journal_day(day, seq);"
	"INSERT INTO report_day_sum(day, what, key, n, amount, growth)"
	"  SELECT day, what, key, sum(n), sum(amount), sum(growth) FROM ("
	/* the sums as cp_sale_apply made them when this step was written (report_int.h's
	 * REPORT_SALE_SUM_SELECT then, with the process's TZ), frozen here so that a later
	 * change to the live query cannot change what this step did */
	"  SELECT s.business_day AS day, 'sale' AS what, 'all' AS key, 1 AS n, s.total AS"
	"  amount, 0 AS growth FROM sale s WHERE s.seq IS NOT NULL"
	"  UNION ALL SELECT s.business_day, 'sale', CASE WHEN s.member_id IS NULL THEN"
	"  'other' ELSE 'member' END, 1, s.total, 0 FROM sale s WHERE s.seq IS NOT NULL"
	"  UNION ALL SELECT s.business_day, 'sale', 'gross', 1, (SELECT"
	"  coalesce(sum(l.amount), 0) FROM sale_line l WHERE l.seq = s.seq), 0 FROM sale s"
	"  WHERE s.seq IS NOT NULL"
	"  UNION ALL SELECT s.business_day, 'sale', 'saving', 1, s.member_saving, 0 FROM"
	"  sale s WHERE s.seq IS NOT NULL"
	"  UNION ALL SELECT s.business_day, 'sale', 'change', 1, s.change_due, 0 FROM sale"
	"  s WHERE s.seq IS NOT NULL"
	"  UNION ALL SELECT s.business_day, 'cashier', s.staff, 1, s.total, 0 FROM sale s"
	"  WHERE s.seq IS NOT NULL"
	"  UNION ALL SELECT s.business_day, 'hour', strftime('%H', s.created_at / 1000,"
	"  'unixepoch', 'localtime'), 1, s.total, 0 FROM sale s WHERE s.seq IS NOT NULL"
	"  UNION ALL SELECT s.business_day, 'tender', t.method, 1, t.amount, 0 FROM sale s"
	"  JOIN tender t ON t.seq = s.seq WHERE s.seq IS NOT NULL"
	"  UNION ALL SELECT s.business_day, 'points', m.kind, 1, m.points, m.growth FROM"
	"  sale s JOIN movement m ON m.seq = s.seq WHERE s.seq IS NOT NULL"
	"  UNION ALL SELECT s.business_day, 'guide', g.guide, 1, g.amount, 0 FROM sale s"
	"  JOIN guide_credit g ON g.seq = s.seq WHERE s.seq IS NOT NULL"
	"  ) GROUP BY day, what, key;",
	/* 17: the store's time zone (issue 13): meta utc_offset_min, minutes east of UTC, which
	 * every day and hour core computes uses instead of the process's TZ; taken here from the
	 * zone the till runs in (init, or the upgrade), set again by HQ at enrolment when HQ
	 * sends one (cp_db_zone_set). Its keyed checksum is in row_mac beside the HQ-fed rows',
	 * written with it and checked by verify. */
	"INSERT OR IGNORE INTO meta(key, value) SELECT 'utc_offset_min',"
	"  CAST(round((julianday('now', 'localtime') - julianday('now')) * 1440) AS INTEGER);"
	"INSERT OR REPLACE INTO row_mac(tbl, id, mac) SELECT 'meta', key,"
	"  cp_row_mac('meta', json_array(key, value)) FROM meta WHERE key = 'utc_offset_min';",
	/* 18: tier discounts and manual discounts (discount.c): a tier's percentage off with the
	 * categories it leaves out (from HQ's tier records and the demo store); the open cart's
	 * manual discounts (a line's, or the whole sale's with line_no NULL), gone with their
	 * line or the cart; and each sale's manual discounts as its journal payload says. */
	"CREATE TABLE tier_discount(level INTEGER PRIMARY KEY,"
	"  discount_bp INTEGER NOT NULL CHECK(discount_bp BETWEEN 1 AND 10000),"
	"  except_categories TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE cart_discount(cart_id INTEGER NOT NULL DEFAULT 1 REFERENCES cart(id)"
	"  ON DELETE CASCADE, line_no INTEGER UNIQUE REFERENCES cart_line(line_no)"
	"  ON DELETE CASCADE, kind TEXT NOT NULL CHECK(kind IN ('amount','percent')),"
	"  value INTEGER NOT NULL CHECK(value > 0), reason TEXT NOT NULL, manager TEXT);"
	"CREATE UNIQUE INDEX cart_discount_sale ON cart_discount(cart_id) WHERE line_no IS NULL;"
	"CREATE TABLE sale_discount(seq INTEGER NOT NULL REFERENCES journal(seq), n INTEGER NOT "
	"NULL,"
	"  line_no INTEGER, kind TEXT NOT NULL, value INTEGER NOT NULL, fen INTEGER NOT NULL,"
	"  reason TEXT NOT NULL, manager TEXT, PRIMARY KEY(seq, n)) WITHOUT ROWID;",
	/* 19: lifecycle.c — each member's purchases here (member_visit: visits, money spent, last
	 * purchase), kept by sale and refund apply and rebuilt by verify, summed here for the sales
	 * recorded before; the tier a sale lifted its member to (tier_up); the stage rules
	 * (lifecycle_rule, absent: the defaults) and the stage HQ sent (lifecycle_hq). Written to
	 * run again harmlessly (a test rolls user_version back over it). */
	"CREATE TABLE IF NOT EXISTS member_visit(member_id TEXT PRIMARY KEY,"
	"  visits INTEGER NOT NULL, spent INTEGER NOT NULL, last_at INTEGER NOT NULL,"
	"  last_day TEXT NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS tier_up(seq INTEGER PRIMARY KEY REFERENCES sale(seq),"
	"  member_id TEXT NOT NULL, level INTEGER NOT NULL, name TEXT NOT NULL, day TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS tier_up_member ON tier_up(member_id, seq);"
	"CREATE TABLE IF NOT EXISTS lifecycle_rule(id INTEGER PRIMARY KEY CHECK(id = 1),"
	"  new_max_visits INTEGER NOT NULL, new_max_spent INTEGER NOT NULL,"
	"  mature_min_visits INTEGER NOT NULL, mature_min_spent INTEGER NOT NULL,"
	"  silent_days INTEGER NOT NULL, lost_days INTEGER NOT NULL,"
	"  tier_hold_months INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS lifecycle_hq(member_id TEXT PRIMARY KEY, stage TEXT NOT NULL"
	"  CHECK(stage IN ('new','growing','mature','silent','lost'))) WITHOUT ROWID;"
	"INSERT OR IGNORE INTO member_visit(member_id, visits, spent, last_at, last_day, seq)"
	"  SELECT s.member_id,"
	"  sum(CASE WHEN (SELECT count(*) FROM refund_line rl WHERE rl.sale_seq = s.seq)"
	"   >= (SELECT count(*) FROM sale_line sl WHERE sl.seq = s.seq) THEN 0 ELSE 1 END),"
	"  sum(s.total) - coalesce((SELECT sum(r.amount) FROM refund r JOIN sale s2"
	"   ON s2.seq = r.sale_seq WHERE s2.member_id = s.member_id), 0),"
	"  max(s.created_at), (SELECT s3.business_day FROM sale s3 WHERE s3.member_id ="
	"   s.member_id ORDER BY s3.created_at DESC, s3.seq DESC LIMIT 1),"
	"  max(max(s.seq), coalesce((SELECT max(r.seq) FROM refund r JOIN sale s4"
	"   ON s4.seq = r.sale_seq WHERE s4.member_id = s.member_id), 0))"
	"  FROM sale s WHERE s.member_id IS NOT NULL GROUP BY s.member_id;",
	/* 20: benefits (benefit.c): the rules from HQ and the demo store; benefit_grant, the
	 * journal's view of every grant this till made (once per benefit, member and period);
	 * benefit_known, the grants HQ's feed reports from every till; a cart line that is a
	 * benefit's gift names its grant (benefit_seq) and is priced at zero. */
	"CREATE TABLE benefit(id TEXT PRIMARY KEY, title_zh TEXT NOT NULL, title_en TEXT NOT NULL,"
	"  tiers TEXT NOT NULL, stages TEXT NOT NULL, when_kind TEXT NOT NULL"
	"  CHECK(when_kind IN ('always','birthday','member_day')), period TEXT NOT NULL"
	"  CHECK(period IN ('year','month','day')), what TEXT NOT NULL"
	"  CHECK(what IN ('coupon','points','gift')), template_id TEXT NOT NULL,"
	"  points INTEGER NOT NULL, sku TEXT NOT NULL, valid_from TEXT NOT NULL,"
	"  valid_to TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE benefit_grant(seq INTEGER PRIMARY KEY REFERENCES journal(seq),"
	"  benefit_id TEXT NOT NULL, member_id TEXT NOT NULL, period TEXT NOT NULL,"
	"  day TEXT NOT NULL, what TEXT NOT NULL, points INTEGER NOT NULL, code TEXT, sku TEXT,"
	"  UNIQUE(benefit_id, member_id, period));"
	"CREATE TABLE benefit_known(benefit_id TEXT NOT NULL, member_id TEXT NOT NULL,"
	"  period TEXT NOT NULL, day TEXT NOT NULL, terminal TEXT NOT NULL,"
	"  PRIMARY KEY(benefit_id, member_id, period)) WITHOUT ROWID;"
	"ALTER TABLE cart_line ADD COLUMN benefit_seq INTEGER;",
	/* 21: partial refunds (refund.c): refund_part holds the units and money each refund took
	 * of a sale line; a line is in refund_line once its last unit is refunded. */
	"CREATE TABLE refund_part(seq INTEGER NOT NULL REFERENCES refund(seq),"
	"  sale_seq INTEGER NOT NULL, line_no INTEGER NOT NULL,"
	"  qty INTEGER NOT NULL CHECK(qty > 0), amount INTEGER NOT NULL,"
	"  PRIMARY KEY(seq, line_no)) WITHOUT ROWID;"
	"CREATE INDEX refund_part_line ON refund_part(sale_seq, line_no);",
	/* 22: item search (item_search.c): item.initials, the pinyin initials of the Chinese
	 * name (HQ's, or cp_pinyin() here); item_fts, an FTS5 trigram index of the names and
	 * initials over item, and item_gram, their one- and two-character pieces (cp_grams(),
	 * rowids only), both kept by triggers, for substring searches among many items. */
	"ALTER TABLE item ADD COLUMN initials TEXT NOT NULL DEFAULT '';"
	"UPDATE item SET initials = cp_pinyin(name_zh);"
	"CREATE VIRTUAL TABLE item_fts USING fts5(name_zh, name_en, initials, content='item',"
	"  content_rowid='rowid', tokenize='trigram');"
	"CREATE VIRTUAL TABLE item_gram USING fts5(g, content='', detail='none',"
	"  tokenize='ascii');"
	"CREATE TRIGGER item_fts_ai AFTER INSERT ON item BEGIN"
	"  INSERT INTO item_fts(rowid, name_zh, name_en, initials)"
	"  VALUES(NEW.rowid, NEW.name_zh, NEW.name_en, NEW.initials);"
	"  INSERT INTO item_gram(rowid, g)"
	"  VALUES(NEW.rowid, cp_grams(NEW.name_zh, NEW.name_en, NEW.initials)); END;"
	"CREATE TRIGGER item_fts_ad AFTER DELETE ON item BEGIN"
	"  INSERT INTO item_fts(item_fts, rowid, name_zh, name_en, initials)"
	"  VALUES('delete', OLD.rowid, OLD.name_zh, OLD.name_en, OLD.initials);"
	"  INSERT INTO item_gram(item_gram, rowid, g)"
	"  VALUES('delete', OLD.rowid, cp_grams(OLD.name_zh, OLD.name_en, OLD.initials)); END;"
	"CREATE TRIGGER item_fts_au AFTER UPDATE OF name_zh, name_en, initials ON item BEGIN"
	"  INSERT INTO item_fts(item_fts, rowid, name_zh, name_en, initials)"
	"  VALUES('delete', OLD.rowid, OLD.name_zh, OLD.name_en, OLD.initials);"
	"  INSERT INTO item_fts(rowid, name_zh, name_en, initials)"
	"  VALUES(NEW.rowid, NEW.name_zh, NEW.name_en, NEW.initials);"
	"  INSERT INTO item_gram(item_gram, rowid, g)"
	"  VALUES('delete', OLD.rowid, cp_grams(OLD.name_zh, OLD.name_en, OLD.initials));"
	"  INSERT INTO item_gram(rowid, g)"
	"  VALUES(NEW.rowid, cp_grams(NEW.name_zh, NEW.name_en, NEW.initials)); END;"
	"INSERT INTO item_gram(rowid, g)"
	"  SELECT rowid, cp_grams(name_zh, name_en, initials) FROM item;"
	"INSERT INTO item_fts(item_fts) VALUES('rebuild');"
	/* and member_consent (consent.c): the membership terms each shopper registered here
	 * agreed to, from the registration events (verify replays them) */
	"CREATE TABLE member_consent(member_id TEXT PRIMARY KEY, terms_version TEXT NOT NULL,"
	"  seq INTEGER NOT NULL UNIQUE REFERENCES journal(seq), at INTEGER NOT NULL);"
	/* and the reason sync stopped as an error id and its arguments (sync_state.c), so that
	 * the manager's screen shows it in the cashier's language */
	"ALTER TABLE sync_state ADD COLUMN stop_id TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE sync_state ADD COLUMN stop_args TEXT NOT NULL DEFAULT '[]';",
	/* 23: rounding (rounding.c, 抹零): what a sale's cash due was rounded by, in which mode,
	 * and each line's share of it (the lines' amounts are after it). IF NOT EXISTS: a test
	 * of step 16 runs the steps after it again. */
	"CREATE TABLE IF NOT EXISTS sale_rounding(seq INTEGER PRIMARY KEY REFERENCES sale(seq),"
	"  mode TEXT NOT NULL, due INTEGER NOT NULL, fen INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS rounding_line(seq INTEGER NOT NULL REFERENCES sale(seq),"
	"  line_no INTEGER NOT NULL, fen INTEGER NOT NULL, PRIMARY KEY(seq, line_no))"
	"  WITHOUT ROWID;"
	/* ... and a parked sale keeps its coupons and its serving guide (park.c) */
	"CREATE TABLE IF NOT EXISTS parked_coupon(park_id INTEGER NOT NULL REFERENCES"
	"  parked_sale(id), n INTEGER NOT NULL, code TEXT NOT NULL, PRIMARY KEY(park_id, n))"
	"  WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS parked_guide(park_id INTEGER PRIMARY KEY REFERENCES"
	"  parked_sale(id), guide TEXT NOT NULL);"
	/* ... and a cancelled cart's audit row (cart_cancel.c), the cart_cancel event */
	"CREATE TABLE IF NOT EXISTS cart_cancel(seq INTEGER PRIMARY KEY REFERENCES journal(seq),"
	"  at INTEGER NOT NULL, staff TEXT NOT NULL, owner TEXT NOT NULL,"
	"  business_day TEXT NOT NULL, opened_at INTEGER NOT NULL, lines INTEGER NOT NULL,"
	"  items INTEGER NOT NULL, total INTEGER NOT NULL, member_id TEXT);"
	/* ... and the open sale's payments entered so far (cart_tender.c), gone with the cart */
	"CREATE TABLE IF NOT EXISTS cart_tender(n INTEGER PRIMARY KEY, cart_id INTEGER NOT NULL"
	"  DEFAULT 1 REFERENCES cart(id) ON DELETE CASCADE, method TEXT NOT NULL,"
	"  amount INTEGER NOT NULL CHECK(amount > 0), ref TEXT NOT NULL DEFAULT '');"
	/* ... and a sale's weighed lines, for the receipt (sale_weight.c) */
	"CREATE TABLE IF NOT EXISTS sale_weight(seq INTEGER NOT NULL REFERENCES sale(seq),"
	"  line_no INTEGER NOT NULL, weight_g INTEGER NOT NULL, per_kg INTEGER NOT NULL,"
	"  PRIMARY KEY(seq, line_no)) WITHOUT ROWID;",
	/* 24: member_pending (member.c): each member's points and growth in movements HQ has not
	 * acknowledged (seq > meta acked_seq), kept by triggers in the transaction that records a
	 * movement or moves acked_seq, so that a lookup reads one row instead of summing them.
	 * It may run again on a file that has it (tests that set user_version back). */
	"CREATE TABLE IF NOT EXISTS member_pending(member_id TEXT PRIMARY KEY,"
	"  points INTEGER NOT NULL, growth INTEGER NOT NULL) WITHOUT ROWID;"
	"DELETE FROM member_pending;"
	"INSERT INTO member_pending(member_id, points, growth)"
	"  SELECT member_id, sum(points), sum(growth) FROM movement WHERE seq > coalesce("
	"  (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'acked_seq'), 0)"
	"  GROUP BY member_id;"
	"CREATE TRIGGER IF NOT EXISTS movement_pending AFTER INSERT ON movement WHEN NEW.seq > "
	"coalesce("
	"  (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'acked_seq'), 0) BEGIN"
	"  INSERT INTO member_pending(member_id, points, growth)"
	"  VALUES(NEW.member_id, NEW.points, NEW.growth) ON CONFLICT(member_id) DO UPDATE SET"
	"  points = points + excluded.points, growth = growth + excluded.growth; END;"
	"CREATE TRIGGER IF NOT EXISTS acked_pending AFTER UPDATE OF value ON meta WHEN NEW.key = "
	"'acked_seq'"
	"  AND CAST(NEW.value AS INTEGER) <> CAST(OLD.value AS INTEGER) BEGIN"
	"  INSERT INTO member_pending(member_id, points, growth)"
	"  SELECT member_id, sum(points) * x.sign, sum(growth) * x.sign FROM movement,"
	"  (SELECT CASE WHEN CAST(NEW.value AS INTEGER) > CAST(OLD.value AS INTEGER)"
	"  THEN -1 ELSE 1 END AS sign) AS x"
	"  WHERE seq > min(CAST(NEW.value AS INTEGER), CAST(OLD.value AS INTEGER))"
	"  AND seq <= max(CAST(NEW.value AS INTEGER), CAST(OLD.value AS INTEGER))"
	"  GROUP BY member_id ON CONFLICT(member_id) DO UPDATE SET"
	"  points = points + excluded.points, growth = growth + excluded.growth; END;",
	/* 25: refunds without a receipt (refund_noreceipt.c, 无单退货): the item, quantity and
	 * price a manager authorised, the reason; the cash given back is in tender. IF NOT
	 * EXISTS: a test of step 16 runs the steps after it again. */
	"CREATE TABLE IF NOT EXISTS refund_noreceipt(seq INTEGER PRIMARY KEY REFERENCES"
	"  journal(seq), receipt TEXT NOT NULL UNIQUE, staff TEXT NOT NULL,"
	"  authorised_by TEXT NOT NULL, created_at INTEGER NOT NULL, business_day TEXT NOT NULL,"
	"  sku TEXT NOT NULL, name TEXT NOT NULL,"
	"  qty INTEGER NOT NULL CHECK(qty BETWEEN 1 AND 9999),"
	"  list_price INTEGER NOT NULL, unit_price INTEGER NOT NULL CHECK(unit_price > 0),"
	"  amount INTEGER NOT NULL CHECK(amount > 0), weight_g INTEGER NOT NULL DEFAULT 0,"
	"  reason TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS refund_noreceipt_day ON refund_noreceipt(business_day);",
	/* 26: the payments a cancelled sale gave back (cart_cancel.c: its event's tenders), and
	 * a parked sale's manual discounts (discount.c: line_no 0 for the whole sale's). Written
	 * to run again harmlessly (a test rolls user_version back over it). */
	"CREATE TABLE IF NOT EXISTS cart_cancel_tender(seq INTEGER NOT NULL REFERENCES"
	"  cart_cancel(seq), n INTEGER NOT NULL, method TEXT NOT NULL, amount INTEGER NOT NULL,"
	"  ref TEXT NOT NULL, PRIMARY KEY(seq, n)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS parked_discount(park_id INTEGER NOT NULL REFERENCES"
	"  parked_sale(id), line_no INTEGER NOT NULL, kind TEXT NOT NULL, value INTEGER NOT NULL,"
	"  reason TEXT NOT NULL, manager TEXT, PRIMARY KEY(park_id, line_no)) WITHOUT ROWID;",
	/* 27: what each sale line was given off its list price, by kind (report.c): the member
	 * price or tier discount's saving, its coupon shares, its manual discounts and its share
	 * of the cash rounding, so that the tally shows the discounts and a refund of the line
	 * takes them back; and the day's sums of the first three in report_day_sum. The sales
	 * recorded before are filled from their payloads and views. Runs again harmlessly. */
	"CREATE TABLE IF NOT EXISTS report_line_discount(seq INTEGER NOT NULL REFERENCES"
	"  sale(seq), line_no INTEGER NOT NULL, member INTEGER NOT NULL, coupon INTEGER NOT NULL,"
	"  manual INTEGER NOT NULL, rounding INTEGER NOT NULL, PRIMARY KEY(seq, line_no))"
	"  WITHOUT ROWID;"
	"INSERT OR IGNORE INTO report_line_discount(seq, line_no, member, coupon, manual,"
	"  rounding) SELECT s.seq, CAST(json_extract(l.value, '$.n') AS INTEGER),"
	"  coalesce(json_extract(l.value, '$.saving'), 0),"
	"  (SELECT coalesce(sum(c.fen), 0) FROM coupon_line c WHERE c.seq = s.seq"
	"   AND c.line_no = json_extract(l.value, '$.n')),"
	"  coalesce(json_extract(l.value, '$.discount'), 0),"
	"  (SELECT coalesce(sum(r.fen), 0) FROM rounding_line r WHERE r.seq = s.seq"
	"   AND r.line_no = json_extract(l.value, '$.n'))"
	"  FROM sale s JOIN journal j ON j.seq = s.seq, json_each(j.payload, '$.lines') l;"
	"DELETE FROM report_day_sum WHERE what = 'sale' AND key IN ('off_member', 'off_coupon',"
	"  'off_manual');"
	"INSERT INTO report_day_sum(day, what, key, n, amount, growth)"
	"  SELECT s.business_day, 'sale', k.key, count(DISTINCT s.seq), sum(CASE k.key"
	"  WHEN 'off_member' THEN d.member WHEN 'off_coupon' THEN d.coupon ELSE d.manual END), 0"
	"  FROM sale s JOIN report_line_discount d ON d.seq = s.seq,"
	"  (SELECT 'off_member' AS key UNION ALL SELECT 'off_coupon' UNION ALL"
	"  SELECT 'off_manual') k GROUP BY s.business_day, k.key;",
};

int cp_db_schema_version(void)
{
	return (int)(sizeof(steps) / sizeof(steps[0]));
}

static int user_version(sqlite3 *h, int *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Applies the steps after the database's version; msg gets a sentence on failure. */
int cp_db_migrate_handle(sqlite3 *h, char *msg, size_t msglen)
{
	return cp_db_migrate_handle_to(h, cp_db_schema_version(), msg, msglen);
}

int cp_db_migrate_handle_to(sqlite3 *h, int target, char *msg, size_t msglen)
{
	int have = 0, rc = user_version(h, &have);

	if (rc != SQLITE_OK) {
		snprintf(msg, msglen, "cannot read the schema version: %s", sqlite3_errmsg(h));
		return rc;
	}
	if (have > cp_db_schema_version()) {
		snprintf(msg, msglen,
			 "the database has schema version %d but this program knows only up to %d; "
			 "install a newer Counterpoint",
			 have, cp_db_schema_version());
		return SQLITE_SCHEMA;
	}
	if (target > cp_db_schema_version())
		target = cp_db_schema_version();
	for (int v = have + 1; v <= target; v++) {
		char set[64];

		snprintf(set, sizeof(set), "PRAGMA user_version=%d", v);
		if ((rc = sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK ||
		    (rc = sqlite3_exec(h, steps[v - 1], NULL, NULL, NULL)) != SQLITE_OK ||
		    (rc = sqlite3_exec(h, set, NULL, NULL, NULL)) != SQLITE_OK ||
		    (rc = sqlite3_exec(h, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK) {
			snprintf(msg, msglen, "migration %d failed: %s", v, sqlite3_errmsg(h));
			sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
	}
	return SQLITE_OK;
}
