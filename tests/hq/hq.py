#!/usr/bin/env python3
"""hq.py — the reference headquarters (HQ) of sync/PROTOCOL.md, for the tests and the demo.

Python 3 standard library only. One SQLite database (WAL) holds the chain's data seeded from
packaging/demo/store.json, the enrolled terminals, every journal row each terminal pushed, HQ's
own points movements and lots, and the change feed that tills pull.

  hq.py init      --db HQ.db --store-json packaging/demo/store.json [--points-validity-days 730]
  hq.py mint-code --db HQ.db --store S001 --terminal T01 [--ttl-seconds 3600]
  hq.py serve     --db HQ.db --host 127.0.0.1 --port 0 --port-file FILE
                  (--cert server.pem --key server.key | --plain) [--test-hooks]
  hq.py review    --db HQ.db --date YYYY-MM-DD     annual tier review of the members that are due
  hq.py expire    --db HQ.db --date YYYY-MM-DD     expires points whose last valid day is before

Rules of this HQ (the protocol leaves them to HQ):
- Points are kept in lots by their last valid day (earning day + validity); spending, claw-backs
  and expiry take the oldest lot first. A lot whose last valid day is before the expiry date
  is expired. MEMBER.expiring_points/expiring_on are the oldest lot.
- A tier is reached at once when growth reaches its threshold and is held for a year
  (tier_until). The review on date D looks at the members whose tier_until <= D: growth earned
  from D one year back to D (both days included) keeps the tier (for another year) or decides
  the lower one; a member who goes down has their growth set to that year's growth.
- Every member the feed knows goes to every store (a small chain).
"""

import argparse
import datetime
import hashlib
import hmac
import http.server
import ipaddress
import json
import os
import random
import re
import secrets
import signal
import socket
import socketserver
import sqlite3
import ssl
import sys
import threading
import time
import traceback
import urllib.parse

PROTOCOL = 1
WINDOW_S = 300
MAX_BODY = 64 * 1024 * 1024
MAX_LIMIT = 1000
DEFAULT_LIMIT = 500
# Tests that log in hundreds of times may lower it (never below the till's minimum, 1000).
PBKDF2_ITER = max(1000, int(os.environ.get("CP_HQ_PBKDF2_ITER", "100000")))
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
HANDSHAKE_TIMEOUT = 15
IDLE_TIMEOUT = 120
HANG_MAX_S = 600
ZERO_HASH = bytes(32)

HEX64 = re.compile(r"^[0-9a-f]{64}$")
PHONE = re.compile(r"^1[3-9][0-9]{9}$")
ID_PART = re.compile(r"^[A-Za-z0-9_]{1,16}$")

SCHEMA = """
CREATE TABLE config(name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE stores(id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE categories(code TEXT PRIMARY KEY, name TEXT NOT NULL, earn_excluded INTEGER NOT NULL);
CREATE TABLE items(sku TEXT PRIMARY KEY, barcode TEXT, name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL, category TEXT NOT NULL, price INTEGER NOT NULL, member_price INTEGER,
  active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE tiers(level INTEGER PRIMARY KEY, name TEXT NOT NULL, threshold INTEGER NOT NULL,
  multiplier_bp INTEGER NOT NULL);
CREATE TABLE earn_rules(id INTEGER PRIMARY KEY CHECK(id = 1), data TEXT NOT NULL);
CREATE TABLE staff(code TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
  pin_salt TEXT NOT NULL, pin_hash TEXT NOT NULL, pin_iter INTEGER NOT NULL,
  active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE members(id TEXT PRIMARY KEY, phone TEXT NOT NULL UNIQUE,
  phone_hash TEXT NOT NULL UNIQUE, phone_masked TEXT NOT NULL, card_no TEXT UNIQUE,
  name TEXT NOT NULL, birthday TEXT, points INTEGER NOT NULL DEFAULT 0,
  growth INTEGER NOT NULL DEFAULT 0, tier INTEGER NOT NULL DEFAULT 0, tier_until TEXT,
  guide TEXT, version INTEGER NOT NULL DEFAULT 0, lot_debt INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL);
-- The member's lifecycle stage when HQ decides it (MEMBER.stage); absent: the till computes it.
CREATE TABLE member_stage(member_id TEXT PRIMARY KEY REFERENCES members(id), stage TEXT NOT NULL);
-- Terminal-scoped ids (L-S001-T01-1) and the member each one is (merged: the phone was known).
CREATE TABLE local_ids(local_id TEXT PRIMARY KEY, member_id TEXT NOT NULL REFERENCES members(id),
  terminal_uid TEXT NOT NULL, seq INTEGER NOT NULL, merged INTEGER NOT NULL);
CREATE INDEX local_ids_terminal ON local_ids(terminal_uid, member_id);
-- The membership terms each shopper agreed to when registering at a till (PIPL), by the
-- registration's terminal-scoped id (also when HQ merged it into a member it already held).
CREATE TABLE consents(local_id TEXT PRIMARY KEY, member_id TEXT NOT NULL,
  terms_version TEXT NOT NULL, terminal_uid TEXT NOT NULL, seq INTEGER NOT NULL,
  at INTEGER NOT NULL);
-- Points by last valid day; a positive movement adds to its day's lot, a negative one takes
-- the oldest first, and what no lot covers is lot_debt, paid by the next earning.
CREATE TABLE lots(member_id TEXT NOT NULL REFERENCES members(id), expires_on TEXT NOT NULL,
  earned_on TEXT NOT NULL, remaining INTEGER NOT NULL, PRIMARY KEY(member_id, expires_on));
CREATE TABLE movements(id INTEGER PRIMARY KEY, member_id TEXT NOT NULL REFERENCES members(id),
  kind TEXT NOT NULL, points INTEGER NOT NULL, growth INTEGER NOT NULL, on_date TEXT NOT NULL,
  terminal_uid TEXT, seq INTEGER, n INTEGER, at INTEGER NOT NULL,
  UNIQUE(terminal_uid, seq, n));
CREATE INDEX movements_member ON movements(member_id, on_date);
CREATE TABLE codes(code_hash TEXT PRIMARY KEY, store TEXT NOT NULL, terminal TEXT NOT NULL,
  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER, used_by TEXT);
CREATE TABLE terminals(uid TEXT PRIMARY KEY, store TEXT NOT NULL, terminal TEXT NOT NULL,
  secret TEXT NOT NULL, journal_key TEXT NOT NULL, enrolled_at INTEGER NOT NULL,
  applied INTEGER NOT NULL DEFAULT 0, last_seq_at_enrol INTEGER NOT NULL DEFAULT 0,
  key_seq INTEGER NOT NULL DEFAULT 1, seal_key TEXT, seal_seq INTEGER);
-- Every journal row applied, per terminal; members: the ids the row touched (JSON list), so a
-- repeated batch answers with the same snapshots.
CREATE TABLE journal(terminal_uid TEXT NOT NULL, seq INTEGER NOT NULL, event_id TEXT NOT NULL,
  type TEXT NOT NULL, at INTEGER NOT NULL, payload TEXT NOT NULL, prev_hash BLOB NOT NULL,
  hash BLOB NOT NULL, members TEXT NOT NULL, effect TEXT NOT NULL, applied_at INTEGER NOT NULL,
  PRIMARY KEY(terminal_uid, seq));
CREATE INDEX journal_event ON journal(event_id);
-- The change feed: id is the cursor. Entity rows (notice = 0, target NULL) are compacted: an
-- entity appears once, at its newest change. Notices are for one terminal (target).
CREATE TABLE changes(id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, op TEXT NOT NULL,
  key TEXT, data TEXT, target TEXT, notice INTEGER NOT NULL DEFAULT 0, at INTEGER NOT NULL);
CREATE INDEX changes_entity ON changes(kind, key) WHERE notice = 0;
-- Coupons (issue 16): every coupon a till issued, with its state as HQ applied the journals:
-- used_by/used_seq name the till row whose use HQ applied first (a bearer coupon used on two
-- tills while offline: that one wins, the other till gets a coupon_conflict notice).
CREATE TABLE coupons(code TEXT PRIMARY KEY, template TEXT NOT NULL, member TEXT,
  valid_from TEXT NOT NULL, valid_to TEXT NOT NULL, state TEXT NOT NULL,
  issued_by TEXT NOT NULL, issued_seq INTEGER NOT NULL, used_by TEXT, used_seq INTEGER);
-- Benefit grants (issue 16): the first grant HQ applied of each benefit, member and period;
-- a later one (two tills granting the same period offline) stands, with a benefit_conflict
-- notice to its till.
CREATE TABLE benefit_grants(benefit TEXT NOT NULL, member TEXT NOT NULL, period TEXT NOT NULL,
  day TEXT NOT NULL, granted_by TEXT NOT NULL, granted_seq INTEGER NOT NULL,
  PRIMARY KEY(benefit, member, period));
-- Refunds without a receipt (issue 12, 无单退货): a manager's, cash back, no member.
CREATE TABLE noreceipt_refunds(terminal_uid TEXT NOT NULL, seq INTEGER NOT NULL,
  receipt TEXT NOT NULL, day TEXT NOT NULL, sku TEXT NOT NULL, qty INTEGER NOT NULL,
  unit_price INTEGER NOT NULL, amount INTEGER NOT NULL, reason TEXT NOT NULL,
  authorised_by TEXT NOT NULL, PRIMARY KEY(terminal_uid, seq));
"""


def fail(msg):
    print("hq: " + msg, file=sys.stderr)
    sys.exit(2)


def jdump(obj):
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def mask_phone(phone):
    return phone[:3] + "****" + phone[7:]


def parse_date(text):
    try:
        return datetime.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def add_year(d):
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year + 1, day=28)


def sub_year(d):
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)


def date_of_ms(ms):
    try:
        return datetime.datetime.fromtimestamp(ms / 1000).date()
    except (OverflowError, OSError, ValueError):
        return datetime.date.today()


class Clock:
    """HQ's clock; the test hook can shift it."""

    def __init__(self):
        self.offset_s = 0

    def now_s(self):
        return time.time() + self.offset_s

    def now_ms(self):
        return int(self.now_s() * 1000)

    def today(self):
        return datetime.datetime.fromtimestamp(self.now_s()).date()


# ---- database ------------------------------------------------------------------------------


def db_open(path, create=False):
    if not create and not os.path.exists(path):
        fail("%s does not exist: run `hq.py init` first" % path)
    conn = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=60000")
    return conn


class Tx:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on an exception."""

    def __init__(self, conn):
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
        return False


def config_get(conn, name, default=None):
    row = conn.execute("SELECT value FROM config WHERE name = ?", (name,)).fetchone()
    return row[0] if row else default


def config_set(conn, name, value):
    conn.execute("INSERT INTO config(name, value) VALUES(?, ?) ON CONFLICT(name) DO UPDATE"
                 " SET value = excluded.value", (name, str(value)))


def feed_upsert(conn, kind, key, data, at):
    """Enters an entity's newest state into the feed, dropping its older entry."""
    conn.execute("DELETE FROM changes WHERE kind = ? AND key = ? AND notice = 0", (kind, key))
    conn.execute("INSERT INTO changes(kind, op, key, data, target, notice, at)"
                 " VALUES(?, 'upsert', ?, ?, NULL, 0, ?)", (kind, key, jdump(data), at))


def feed_delete(conn, kind, key, at):
    conn.execute("DELETE FROM changes WHERE kind = ? AND key = ? AND notice = 0", (kind, key))
    conn.execute("INSERT INTO changes(kind, op, key, data, target, notice, at)"
                 " VALUES(?, 'delete', ?, NULL, NULL, 0, ?)", (kind, key, at))


def feed_notice(conn, terminal_uid, kind, data, at):
    conn.execute("INSERT INTO changes(kind, op, key, data, target, notice, at)"
                 " VALUES(?, 'notice', NULL, ?, ?, 1, ?)", (kind, jdump(data), terminal_uid, at))


def offer_points(p, typ):
    """The (line, points) of a sale's offer lines, or of a refund's "offers"."""
    lines = p.get("lines") if typ == "sale" else p.get("offers", [])
    if not isinstance(lines, list):
        raise EventError("\"%s\" is not a list" % ("lines" if typ == "sale" else "offers"))
    out = []
    for l in lines:
        if not isinstance(l, dict) or (typ == "sale" and "offer" not in l):
            continue
        n, points = l.get("n"), l.get("points")
        if type(n) is not int or type(points) is not int or n < 1 or points < 0:
            raise EventError("an offer line has no line number or points")
        if points:
            out.append((n, points))
    return out


def cmd_offer(args):
    conn = db_open(args.db)
    now = int(time.time() * 1000)
    with Tx(conn):
        if args.delete:
            feed_delete(conn, "offer", args.delete, now)
        else:
            try:
                o = json.loads(args.json)
            except ValueError as e:
                fail("--json: %s" % e)
            if not isinstance(o, dict) or not isinstance(o.get("id"), str):
                fail("--json must be an offer object with an id")
            feed_upsert(conn, "offer", o["id"], o, now)
    conn.close()
    print("hq: offer %s %s" % (args.delete or json.loads(args.json)["id"],
                               "deleted" if args.delete else "sent"))


def tiers_of(conn):
    return [dict(level=r[0], name=r[1], threshold=r[2], multiplier_bp=r[3])
            for r in conn.execute("SELECT level, name, threshold, multiplier_bp FROM tiers"
                                  " ORDER BY threshold, level")]


def tier_for(tiers, growth):
    level = 0
    for t in tiers:
        if growth >= t["threshold"]:
            level = max(level, t["level"])
    return level


MEMBER_COLS = ("id, phone_hash, phone_masked, card_no, name, birthday, points, growth, tier,"
               " tier_until, guide, version")


def member_snapshot(conn, mid):
    r = conn.execute("SELECT " + MEMBER_COLS + " FROM members WHERE id = ?", (mid,)).fetchone()
    if not r:
        return None
    lot = conn.execute("SELECT expires_on, remaining FROM lots WHERE member_id = ? AND"
                       " remaining > 0 ORDER BY expires_on LIMIT 1", (mid,)).fetchone()
    snap = {"id": r[0], "phone_hash": r[1], "phone_masked": r[2], "card_no": r[3],
            "name": r[4], "birthday": r[5], "points": r[6], "growth": r[7], "tier": r[8],
            "tier_until": r[9], "guide": r[10], "version": r[11],
            "expiring_points": lot[1] if lot else 0, "expiring_on": lot[0] if lot else None}
    stage = conn.execute("SELECT stage FROM member_stage WHERE member_id = ?", (mid,)).fetchone()
    if stage:
        snap["stage"] = stage[0]
    return snap


def local_id_for(conn, terminal_uid, mid):
    """The newest terminal-scoped id this terminal registered for the member, if any."""
    r = conn.execute("SELECT local_id FROM local_ids WHERE terminal_uid = ? AND member_id = ?"
                     " ORDER BY seq DESC LIMIT 1", (terminal_uid, mid)).fetchone()
    return r[0] if r else None


def resolve_member(conn, mid):
    """HQ's id for a member id from a payload (HQ's own or a terminal-scoped one), or None."""
    if not isinstance(mid, str):
        return None
    if conn.execute("SELECT 1 FROM members WHERE id = ?", (mid,)).fetchone():
        return mid
    r = conn.execute("SELECT member_id FROM local_ids WHERE local_id = ?", (mid,)).fetchone()
    return r[0] if r else None


class Ledger:
    """Points movements inside one transaction; finish() bumps each touched member once."""

    def __init__(self, conn, validity_days, now_ms):
        self.conn = conn
        self.validity = validity_days
        self.now_ms = now_ms
        self.touched = []  # in order, unique
        self.upgrade_on = {}

    def touch(self, mid, on_date=None):
        if mid not in self.touched:
            self.touched.append(mid)
        if on_date is not None:
            self.upgrade_on[mid] = on_date

    def move(self, mid, kind, points, growth, on_date, terminal_uid=None, seq=None, n=None):
        c = self.conn
        c.execute("INSERT INTO movements(member_id, kind, points, growth, on_date, terminal_uid,"
                  " seq, n, at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (mid, kind, points, growth, on_date.isoformat(), terminal_uid, seq, n,
                   self.now_ms))
        c.execute("UPDATE members SET points = points + ?, growth = growth + ? WHERE id = ?",
                  (points, growth, mid))
        if points > 0:
            self._add_lot(mid, points, on_date)
        elif points < 0:
            self._take_lots(mid, -points)
        self.touch(mid, on_date)

    def _add_lot(self, mid, points, on_date):
        c = self.conn
        debt = c.execute("SELECT lot_debt FROM members WHERE id = ?", (mid,)).fetchone()[0]
        pay = min(debt, points)
        if pay:
            c.execute("UPDATE members SET lot_debt = lot_debt - ? WHERE id = ?", (pay, mid))
            points -= pay
        if points:
            expires = (on_date + datetime.timedelta(days=self.validity)).isoformat()
            c.execute("INSERT INTO lots(member_id, expires_on, earned_on, remaining)"
                      " VALUES(?, ?, ?, ?) ON CONFLICT(member_id, expires_on) DO UPDATE SET"
                      " remaining = remaining + excluded.remaining,"
                      " earned_on = min(earned_on, excluded.earned_on)",
                      (mid, expires, on_date.isoformat(), points))

    def _take_lots(self, mid, points):
        c = self.conn
        for expires, remaining in c.execute(
                "SELECT expires_on, remaining FROM lots WHERE member_id = ? ORDER BY expires_on",
                (mid,)).fetchall():
            if points <= 0:
                break
            take = min(points, remaining)
            points -= take
            if take == remaining:
                c.execute("DELETE FROM lots WHERE member_id = ? AND expires_on = ?",
                          (mid, expires))
            else:
                c.execute("UPDATE lots SET remaining = remaining - ? WHERE member_id = ? AND"
                          " expires_on = ?", (take, mid, expires))
        if points > 0:
            c.execute("UPDATE members SET lot_debt = lot_debt + ? WHERE id = ?", (points, mid))

    def finish(self):
        """Upgrades tiers reached, bumps versions and enters the members into the feed."""
        c = self.conn
        tiers = tiers_of(c)
        for mid in self.touched:
            growth, tier = c.execute("SELECT growth, tier FROM members WHERE id = ?",
                                     (mid,)).fetchone()
            reached = tier_for(tiers, growth)
            if reached > tier:
                on = self.upgrade_on.get(mid) or date_of_ms(self.now_ms)
                c.execute("UPDATE members SET tier = ?, tier_until = ? WHERE id = ?",
                          (reached, add_year(on).isoformat(), mid))
            c.execute("UPDATE members SET version = version + 1 WHERE id = ?", (mid,))
            feed_upsert(c, "member", mid, member_snapshot(c, mid), self.now_ms)
        return list(self.touched)


# ---- init, mint-code, review, expire -------------------------------------------------------


def hash_pin(pin, salt, iterations=PBKDF2_ITER):
    return hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), salt, iterations).hex()


def phone_hash(phone_key, phone):
    return hmac.new(phone_key, phone.encode("ascii"), hashlib.sha256).hexdigest()


def cmd_init(args):
    try:
        with open(args.store_json, encoding="utf-8") as f:
            store = json.load(f)
    except (OSError, ValueError) as e:
        fail("cannot read %s: %s" % (args.store_json, e))
    if args.points_validity_days < 1:
        fail("--points-validity-days must be at least 1")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(args.db + suffix):
            if not args.force:
                fail("%s exists; use --force to replace it" % args.db)
            os.unlink(args.db + suffix)
    today = parse_date(args.date) if args.date else datetime.date.today()
    if today is None:
        fail("--date must be YYYY-MM-DD")
    now = int(time.time() * 1000)
    conn = db_open(args.db, create=True)
    conn.executescript(SCHEMA)
    phone_key = secrets.token_bytes(32)
    validity = args.points_validity_days
    with Tx(conn):
        config_set(conn, "phone_key", phone_key.hex())
        config_set(conn, "points_validity_days", validity)
        config_set(conn, "init_date", today.isoformat())
        st = store["store"]
        conn.execute("INSERT INTO stores(id, name) VALUES(?, ?)", (st["id"], st["name"]))
        feed_upsert(conn, "config", "points_validity_days",
                    {"name": "points_validity_days", "value": str(validity)}, now)
        for c in store["categories"]:
            conn.execute("INSERT INTO categories(code, name, earn_excluded) VALUES(?, ?, ?)",
                         (c["code"], c["name"], int(bool(c["earn_excluded"]))))
            feed_upsert(conn, "category", c["code"], {"code": c["code"], "name": c["name"],
                                                      "earn_excluded": bool(c["earn_excluded"])},
                        now)
        for t in store["tiers"]:
            conn.execute("INSERT INTO tiers(level, name, threshold, multiplier_bp)"
                         " VALUES(?, ?, ?, ?)",
                         (t["level"], t["name"], t["threshold"], t["multiplier_bp"]))
            # a tier's discount (issue 16) is optional: sent only when the store has one
            feed_upsert(conn, "tier", str(t["level"]),
                        {k: t[k] for k in ("level", "name", "threshold", "multiplier_bp",
                                           "discount_bp", "discount_except") if k in t}, now)
        conn.execute("INSERT INTO earn_rules(id, data) VALUES(1, ?)", (jdump(store["earn_rules"]),))
        feed_upsert(conn, "earn_rules", "1", store["earn_rules"], now)
        for it in store["items"]:
            data = {k: it[k] for k in ("sku", "barcode", "name_zh", "name_en", "category",
                                       "price", "member_price")}
            data["active"] = True
            conn.execute("INSERT INTO items(sku, barcode, name_zh, name_en, category, price,"
                         " member_price, active) VALUES(?, ?, ?, ?, ?, ?, ?, 1)",
                         (it["sku"], it["barcode"], it["name_zh"], it["name_en"],
                          it["category"], it["price"], it["member_price"]))
            feed_upsert(conn, "item", it["sku"], data, now)
        for s in store["staff"]:
            salt = secrets.token_bytes(16)
            data = {"code": s["code"], "name": s["name"], "role": s["role"],
                    "pin_salt": salt.hex(), "pin_hash": hash_pin(s["pin"], salt),
                    "pin_iter": PBKDF2_ITER, "active": True}
            if s.get("badge"):
                data["badge"] = s["badge"]
            conn.execute("INSERT INTO staff(code, name, role, pin_salt, pin_hash, pin_iter,"
                         " active) VALUES(?, ?, ?, ?, ?, ?, 1)",
                         (data["code"], data["name"], data["role"], data["pin_salt"],
                          data["pin_hash"], data["pin_iter"]))
            feed_upsert(conn, "staff", s["code"], data, now)
        for t in store.get("coupon_templates", []):
            feed_upsert(conn, "coupon_template", t["id"], t, now)
        for r in store.get("coupon_rules", []):
            feed_upsert(conn, "coupon_rule", r["id"], r, now)
        for o in store.get("offers", []):
            feed_upsert(conn, "offer", o["id"], o, now)
        if store.get("lifecycle_rules"):
            feed_upsert(conn, "lifecycle_rules", "1", store["lifecycle_rules"], now)
        for b in store.get("benefits", []):
            feed_upsert(conn, "benefit", b["id"], b, now)
        tiers = tiers_of(conn)
        top = 0
        for m in store["members"]:
            top = max(top, seed_member(conn, phone_key, validity, today, now, m, tiers))
        if args.extra_members:
            seed_extra_members(conn, phone_key, now, top, args.extra_members)
        config_set(conn, "next_member_no", top + args.extra_members + 1)
    conn.close()
    print("hq: %s: %d items, %d staff, %d members (validity %d days)" % (
        args.db, len(store["items"]), len(store["staff"]),
        len(store["members"]) + args.extra_members, validity), file=sys.stderr)


def seed_extra_members(conn, phone_key, now, top, count):
    """count synthetic members after number top (no points: no movements, no lots), fast."""
    chunk = 10000
    for start in range(top + 1, top + 1 + count, chunk):
        members, feed = [], []
        for n in range(start, min(start + chunk, top + 1 + count)):
            phone = "147%08d" % n
            snap = {"id": "M%06d" % n, "phone_hash": phone_hash(phone_key, phone),
                    "phone_masked": mask_phone(phone), "card_no": "88%08d" % n,
                    "name": "会员%d" % n, "birthday": None, "points": 0, "growth": 0, "tier": 0,
                    "tier_until": None, "guide": None, "version": 1, "expiring_points": 0,
                    "expiring_on": None}
            members.append((snap["id"], phone, snap["phone_hash"], snap["phone_masked"],
                            snap["card_no"], snap["name"], now))
            feed.append((snap["id"], jdump(snap), now))
        conn.executemany("INSERT INTO members(id, phone, phone_hash, phone_masked, card_no, name,"
                         " version, created_at) VALUES(?, ?, ?, ?, ?, ?, 1, ?)", members)
        conn.executemany("INSERT INTO changes(kind, op, key, data, target, notice, at)"
                         " VALUES('member', 'upsert', ?, ?, NULL, 0, ?)", feed)


def seed_member(conn, phone_key, validity, today, now, m, tiers):
    """One member of the demo with an opening movement and its points lots; returns its number."""
    mid = m["id"]
    tier = m["tier"]
    until = add_year(today).isoformat() if tier > 0 else None
    conn.execute("INSERT INTO members(id, phone, phone_hash, phone_masked, card_no, name,"
                 " birthday, points, growth, tier, tier_until, guide, version, created_at)"
                 " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (mid, m["phone"], phone_hash(phone_key, m["phone"]), mask_phone(m["phone"]),
                  m["card_no"], m["name"], m["birthday"], m["points"], m["growth"], tier, until,
                  m["guide"], m["version"], now))
    if m["points"] or m["growth"]:
        conn.execute("INSERT INTO movements(member_id, kind, points, growth, on_date, at)"
                     " VALUES(?, 'opening', ?, ?, ?, ?)",
                     (mid, m["points"], m["growth"], today.isoformat(), now))
    rest = m["points"]
    expiring_on = parse_date(m.get("expiring_on"))
    if m.get("expiring_points") and expiring_on:
        earned = expiring_on - datetime.timedelta(days=validity)
        conn.execute("INSERT INTO lots(member_id, expires_on, earned_on, remaining)"
                     " VALUES(?, ?, ?, ?)", (mid, expiring_on.isoformat(), earned.isoformat(),
                                             m["expiring_points"]))
        rest -= m["expiring_points"]
    if rest > 0:
        expires = (today + datetime.timedelta(days=validity)).isoformat()
        conn.execute("INSERT INTO lots(member_id, expires_on, earned_on, remaining)"
                     " VALUES(?, ?, ?, ?) ON CONFLICT(member_id, expires_on) DO UPDATE SET"
                     " remaining = remaining + excluded.remaining",
                     (mid, expires, today.isoformat(), rest))
    if m.get("stage"):
        conn.execute("INSERT INTO member_stage(member_id, stage) VALUES(?, ?)", (mid, m["stage"]))
    feed_upsert(conn, "member", mid, member_snapshot(conn, mid), now)
    digits = mid[1:]
    return int(digits) if mid.startswith("M") and digits.isdigit() else 0


def normalise_code(code):
    return re.sub(r"[\s-]", "", code or "").upper()


def code_hash(code):
    return hashlib.sha256(normalise_code(code).encode("utf-8")).hexdigest()


def cmd_mint_code(args):
    if not ID_PART.match(args.store) or not ID_PART.match(args.terminal):
        fail("--store and --terminal are 1 to 16 letters, digits or _")
    if args.ttl_seconds < 1:
        fail("--ttl-seconds must be at least 1")
    conn = db_open(args.db)
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    code = raw[:4] + "-" + raw[4:]
    now = int(time.time())
    with Tx(conn):
        conn.execute("INSERT INTO codes(code_hash, store, terminal, created_at, expires_at)"
                     " VALUES(?, ?, ?, ?, ?)",
                     (code_hash(code), args.store, args.terminal, now, now + args.ttl_seconds))
    conn.close()
    print(code)
    print("hq: code for %s-%s, valid %d s, once" % (args.store, args.terminal, args.ttl_seconds),
          file=sys.stderr)


def cmd_expire(args):
    day = parse_date(args.date)
    if day is None:
        fail("--date must be YYYY-MM-DD")
    conn = db_open(args.db)
    with Tx(conn):
        ledger = Ledger(conn, int(config_get(conn, "points_validity_days", "730")),
                        int(time.time() * 1000))
        due = conn.execute("SELECT member_id, SUM(remaining) FROM lots WHERE expires_on < ? AND"
                           " remaining > 0 GROUP BY member_id ORDER BY member_id",
                           (day.isoformat(),)).fetchall()
        total = 0
        for mid, points in due:
            ledger.move(mid, "expire", -points, 0, day)
            total += points
        ledger.finish()
    conn.close()
    print("hq: expired %d points of %d members (lots valid until before %s)" % (
        total, len(due), day.isoformat()))


def cmd_review(args):
    day = parse_date(args.date)
    if day is None:
        fail("--date must be YYYY-MM-DD")
    year_ago = sub_year(day).isoformat()
    conn = db_open(args.db)
    kept = down = 0
    with Tx(conn):
        now = int(time.time() * 1000)
        ledger = Ledger(conn, int(config_get(conn, "points_validity_days", "730")), now)
        tiers = tiers_of(conn)
        threshold = {t["level"]: t["threshold"] for t in tiers}
        due = conn.execute("SELECT id, tier, growth FROM members WHERE tier > 0 AND"
                           " (tier_until IS NULL OR tier_until <= ?) ORDER BY id",
                           (day.isoformat(),)).fetchall()
        for mid, tier, growth in due:
            yearly = conn.execute("SELECT COALESCE(SUM(growth), 0) FROM movements WHERE"
                                  " member_id = ? AND on_date >= ? AND on_date <= ? AND"
                                  " kind != 'review'", (mid, year_ago, day.isoformat())
                                  ).fetchone()[0]
            yearly = max(0, yearly)
            if yearly >= threshold.get(tier, 0):
                conn.execute("UPDATE members SET tier_until = ? WHERE id = ?",
                             (add_year(day).isoformat(), mid))
                kept += 1
            else:
                level = tier_for(tiers, yearly)
                conn.execute("UPDATE members SET tier = ?, tier_until = ? WHERE id = ?",
                             (level, add_year(day).isoformat() if level > 0 else None, mid))
                if yearly != growth:
                    ledger.move(mid, "review", 0, yearly - growth, day)
                down += 1
            ledger.touch(mid)
        ledger.finish()
    conn.close()
    print("hq: review on %s: %d members kept their tier, %d went down" % (
        day.isoformat(), kept, down))


# ---- the protocol --------------------------------------------------------------------------


class HttpError(Exception):
    def __init__(self, status, code, message, extra=None, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra or {}
        self.headers = headers or {}

    def body(self):
        err = {"code": self.code, "message": self.message}
        err.update(self.extra)  # "expected" of a gap, "seq" of a broken chain, "applied"
        return {"error": err}


def bad_request(message):
    return HttpError(400, "bad_request", message)


class App:
    """Everything the request handlers share: the database, the clock, faults, counters."""

    def __init__(self, db_path, test_hooks):
        self.db_path = db_path
        self.test_hooks = test_hooks
        self.clock = Clock()
        self.write_lock = threading.Lock()
        self.local = threading.local()
        self.faults = Faults()
        self.stopping = threading.Event()
        self.stats_lock = threading.Lock()
        self.requests = 0
        self.connections = 0  # accepted, whether or not TLS and a request followed
        self.processing_ms = 0.0
        self.active = 0
        conn = self.conn()
        self.phone_key = bytes.fromhex(config_get(conn, "phone_key"))
        self.validity = int(config_get(conn, "points_validity_days", "730"))

    def conn(self):
        c = getattr(self.local, "conn", None)
        if c is None:
            c = db_open(self.db_path)
            self.local.conn = c
        return c

    # -- enrolment --

    def enrol(self, body):
        req = parse_json_object(body)
        if req.get("protocol") != PROTOCOL:
            raise bad_request("protocol %r is not supported; this HQ speaks %d"
                              % (req.get("protocol"), PROTOCOL))
        code, store, term = req.get("code"), req.get("store"), req.get("terminal")
        key, last_seq = req.get("journal_key"), req.get("last_seq", 0)
        key_seq = req.get("key_seq", 1)
        if not isinstance(code, str) or not code:
            raise bad_request("\"code\" is missing")
        if not isinstance(store, str) or not ID_PART.match(store):
            raise bad_request("\"store\" is missing or not 1 to 16 letters, digits or _")
        if not isinstance(term, str) or not ID_PART.match(term):
            raise bad_request("\"terminal\" is missing or not 1 to 16 letters, digits or _")
        if not isinstance(key, str) or not HEX64.match(key):
            raise bad_request("\"journal_key\" must be 64 lower-case hex digits")
        if type(last_seq) is not int or last_seq < 0:
            raise bad_request("\"last_seq\" must be a non-negative integer")
        if type(key_seq) is not int or key_seq < 1:
            raise bad_request("\"key_seq\" must be a positive integer")
        uid = "%s-%s" % (store, term)
        now = self.clock.now_s()
        c = self.conn()
        with self.write_lock, Tx(c):
            row = c.execute("SELECT store, terminal, expires_at, used_at FROM codes"
                            " WHERE code_hash = ?", (code_hash(code),)).fetchone()
            if not row:
                raise HttpError(403, "bad_code", "this enrolment code is not known")
            if row[3] is not None:
                raise HttpError(403, "bad_code", "this enrolment code was already used")
            if row[2] <= now:
                raise HttpError(403, "bad_code", "this enrolment code has expired")
            if (row[0], row[1]) != (store, term):
                raise HttpError(403, "bad_code", "this enrolment code was minted for %s-%s, "
                                "not %s" % (row[0], row[1], uid))
            secret = secrets.token_bytes(32)
            c.execute("INSERT INTO terminals(uid, store, terminal, secret, journal_key,"
                      " enrolled_at, applied, last_seq_at_enrol, key_seq, seal_key, seal_seq)"
                      " VALUES(?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)"
                      " ON CONFLICT(uid) DO UPDATE SET secret = excluded.secret,"
                      " journal_key = excluded.journal_key, enrolled_at = excluded.enrolled_at,"
                      " last_seq_at_enrol = excluded.last_seq_at_enrol,"
                      " key_seq = excluded.key_seq, seal_key = excluded.seal_key,"
                      " seal_seq = excluded.seal_seq",
                      (uid, store, term, secret.hex(), key, int(now * 1000), last_seq,
                       key_seq, key, key_seq))
            c.execute("UPDATE codes SET used_at = ?, used_by = ? WHERE code_hash = ?",
                      (int(now), uid, code_hash(code)))
            applied = c.execute("SELECT applied FROM terminals WHERE uid = ?",
                                (uid,)).fetchone()[0]
        return {"terminal_uid": uid, "store": store, "terminal": term, "secret": secret.hex(),
                "phone_key": self.phone_key.hex(), "applied": applied}, {"terminal": uid,
                                                                         "applied": applied}

    # -- signatures --

    def authenticate(self, method, raw_path, headers, body):
        uid = headers.get("X-CP-Terminal")
        ts = headers.get("X-CP-Timestamp")
        sig = headers.get("X-CP-Signature")
        if not uid:
            raise HttpError(401, "unknown_terminal", "X-CP-Terminal is missing")
        row = self.conn().execute("SELECT secret FROM terminals WHERE uid = ?",
                                  (uid,)).fetchone()
        if not row:
            raise HttpError(401, "unknown_terminal",
                            "terminal %s is not enrolled here; enrol it again" % uid[:64])
        if not ts or not re.match(r"^-?[0-9]{1,19}$", ts) or not sig:
            raise HttpError(401, "bad_signature", "X-CP-Timestamp or X-CP-Signature is missing"
                            " or malformed")
        text = "%s\n%s\n%s\n%s" % (method, raw_path, ts, hashlib.sha256(body).hexdigest())
        want = hmac.new(bytes.fromhex(row[0]), text.encode("utf-8"), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want.encode("ascii"), sig.encode("latin-1")):
            raise HttpError(401, "bad_signature", "signature does not match")
        skew = int(ts) - self.clock.now_s()
        if abs(skew) > WINDOW_S:
            raise HttpError(401, "stale_timestamp",
                            "the till's clock is %d s %s HQ's (more than %d s): fix the clock"
                            % (abs(skew), "ahead of" if skew > 0 else "behind", WINDOW_S))
        return uid

    # -- push --

    def push(self, uid, body):
        req = parse_json_object(body)
        rows = req.get("rows")
        if not isinstance(rows, list):
            raise bad_request("\"rows\" must be a list")
        for i, r in enumerate(rows):
            where = "rows[%d]" % i
            if not isinstance(r, dict):
                raise bad_request(where + " is not an object")
            if type(r.get("seq")) is not int or r["seq"] < 1:
                raise bad_request(where + ".seq must be a positive integer")
            if not isinstance(r.get("payload"), str):
                raise bad_request(where + ".payload must be a string")
            for k in ("prev_hash", "hash"):
                if not isinstance(r.get(k), str) or not HEX64.match(r[k]):
                    raise bad_request(where + "." + k + " must be 64 lower-case hex digits")
        c = self.conn()
        touched = []
        error = None
        now = self.clock.now_ms()
        with self.write_lock, Tx(c):
            key_hex, applied, key_seq, seal_hex, seal_seq = c.execute(
                "SELECT journal_key, applied, key_seq, seal_key, seal_seq FROM terminals"
                " WHERE uid = ?", (uid,)).fetchone()
            applied_before, prev, prev_seq = applied, None, 0
            for r in rows:
                seq = r["seq"]
                if seq <= applied:
                    stored = c.execute("SELECT hash, members FROM journal WHERE terminal_uid = ?"
                                       " AND seq = ?", (uid, seq)).fetchone()
                    if stored and stored[0] == bytes.fromhex(r["hash"]):
                        add_unique(touched, json.loads(stored[1]))
                        continue
                    error = HttpError(422, "chain_broken", "sequence %d was already applied with"
                                      " a different hash" % seq, {"seq": seq, "applied": applied})
                    break
                if seq > applied + 1:
                    error = HttpError(409, "gap", "expected sequence %d, got %d"
                                      % (applied + 1, seq),
                                      {"expected": applied + 1, "applied": applied})
                    break
                if prev is None or prev_seq != seq - 1:
                    prev = ZERO_HASH
                    if seq > 1:
                        prev = c.execute("SELECT hash FROM journal WHERE terminal_uid = ? AND"
                                         " seq = ?", (uid, seq - 1)).fetchone()[0]
                try:
                    payload_bytes = r["payload"].encode("utf-8")
                except UnicodeEncodeError:
                    payload_bytes = None
                # Forward-secure sealing: row seq's key is derived one way from row seq-1's,
                # from the key enrolment gave for row key_seq; rows before it were sealed
                # before enrolment and are only linked.
                key = None
                if seq >= key_seq:
                    if seal_seq == seq and seal_hex:
                        key = bytes.fromhex(seal_hex)
                    else:
                        key = seal_key_for(bytes.fromhex(key_hex), key_seq, seq)
                if bytes.fromhex(r["prev_hash"]) != prev or payload_bytes is None or \
                        (key is not None and not hmac.compare_digest(
                            chain_hash(key, prev, seq, payload_bytes), bytes.fromhex(r["hash"]))):
                    error = HttpError(422, "chain_broken", "sequence %d does not continue the"
                                      " chain: its hash or previous hash does not match" % seq,
                                      {"seq": seq, "applied": applied})
                    break
                # An exception here rolls the whole request back (Tx), so the row needs no
                # savepoint of its own; the terminal's row is written once, after the batch.
                members = self.apply_row(c, uid, seq, r, now)
                if key is not None:
                    seal_hex, seal_seq = seal_next(key).hex(), seq + 1
                applied = seq
                prev, prev_seq = bytes.fromhex(r["hash"]), seq
                add_unique(touched, members)
            if applied != applied_before:
                c.execute("UPDATE terminals SET applied = ?, seal_key = ?, seal_seq = ?"
                          " WHERE uid = ?", (applied, seal_hex, seal_seq, uid))
        if error:
            raise error
        snaps = self.snapshots(uid, touched)
        # Never past the request's last row: the till acknowledges nothing it did not send
        # (rows HQ holds beyond it are acknowledged when the till sends them again).
        if rows:
            applied = min(applied, rows[-1]["seq"])
        ans = {"applied": applied, "members": snaps}
        if rows and applied >= 1:
            # The hash HQ holds for the acknowledged row: the till keeps it as an anchor.
            head = self.conn().execute("SELECT hash FROM journal WHERE terminal_uid = ?"
                                       " AND seq = ?", (uid, applied)).fetchone()
            if head:
                ans["applied_hash"] = head[0].hex()
        return ans, {"terminal": uid, "rows": len(rows), "applied": applied}

    def snapshots(self, uid, ids):
        c = self.conn()
        out = []
        c.execute("BEGIN")
        try:
            for mid in ids:
                s = member_snapshot(c, mid)
                if s is None:
                    continue
                lid = local_id_for(c, uid, mid)
                if lid:
                    s["local_id"] = lid
                out.append(s)
        finally:
            c.execute("COMMIT")
        return out

    def apply_row(self, c, uid, seq, row, now):
        """Records one verified row and applies its event; returns the members it touched."""
        ledger = Ledger(c, self.validity, now)
        effect = "applied"
        try:
            p = json.loads(row["payload"])
            if not isinstance(p, dict):
                raise ValueError("the payload is not an object")
        except ValueError as e:
            p = {}
            effect = "unparsable payload: %s" % e
            feed_notice(c, uid, "event_not_applied", {
                "seq": seq, "message": "journal row %d could not be read at HQ: %s" % (seq, e)},
                now)
        typ = p.get("type") if isinstance(p.get("type"), str) else str(row.get("type") or "")
        event_id = p.get("event_id") if isinstance(p.get("event_id"), str) else \
            str(row.get("event_id") or "")
        at = p.get("at") if type(p.get("at")) is int else now
        if effect == "applied":
            c.execute("SAVEPOINT event")
            try:
                effect = self.apply_event(c, ledger, uid, seq, typ, p, at, now)
                c.execute("RELEASE event")
            except EventError as e:
                c.execute("ROLLBACK TO event")
                c.execute("RELEASE event")
                ledger = Ledger(c, self.validity, now)
                effect = "not applied: %s" % e
                feed_notice(c, uid, "event_not_applied", {
                    "seq": seq, "type": typ,
                    "message": "journal row %d (%s) was recorded at HQ but not applied: %s"
                               % (seq, typ, e)}, now)
        members = ledger.finish()
        c.execute("INSERT INTO journal(terminal_uid, seq, event_id, type, at, payload, prev_hash,"
                  " hash, members, effect, applied_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (uid, seq, event_id, typ, at, row["payload"], bytes.fromhex(row["prev_hash"]),
                   bytes.fromhex(row["hash"]), jdump(members), effect, now))
        return members

    def apply_event(self, c, ledger, uid, seq, typ, p, at, now):
        day = parse_date(p.get("day")) or date_of_ms(at)
        if typ in ("sale", "refund", "void"):
            self.coupons(c, uid, seq, typ, p, now)
        if typ == "coupon_exchange":
            return self.coupon_exchange(c, ledger, uid, seq, p, day, now)
        if typ == "benefit_grant":
            return self.benefit_grant(c, ledger, uid, seq, p, day, now)
        if typ == "sale" or typ in ("refund", "void"):
            points, growth = int_field(p, "points"), int_field(p, "growth")
            spent, back = points_paid(p) if typ == "sale" else 0, int_field(p, "points_back")
            named = p.get("member")
            offers = offer_points(p, typ)
            if named is None or (points == 0 and growth == 0 and spent == 0 and back == 0 and
                                 not offers):
                return "applied"
            mid = self.member_or_notice(c, uid, seq, named, now)
            if mid is None:
                return "applied without points: member %s unknown" % named
            if typ == "sale":
                # Spends first, in journal order: the points paid must have been there already.
                spends = [("offer", n, pts) for n, pts in offers]
                if spent:
                    spends.append(("pay", 2, spent))
                if spends:
                    self.spend(c, ledger, uid, seq, mid, spends, p, day, now)
                if points or growth:
                    ledger.move(mid, "earn", points, growth, day, uid, seq, 1)
            else:
                have = c.execute("SELECT growth FROM members WHERE id = ?", (mid,)).fetchone()[0]
                if points or growth:
                    ledger.move(mid, "clawback", -points, -min(growth, max(have, 0)), day, uid,
                                seq, 1)
                if back:
                    ledger.move(mid, "pay_refund", back, 0, day, uid, seq, 2)
                for n, pts in offers:  # an offer's points given back by a refund
                    ledger.move(mid, "offer_refund", pts, 0, day, uid, seq, 100 + n)
            return "applied"
        if typ == "member_register":
            return self.register(c, ledger, uid, seq, p, day, now)
        if typ == "cart_takeover":  # an open sale moved to another login: recorded only
            for k in ("from_staff", "to_staff"):
                if not isinstance(p.get(k), str) or not p.get(k):
                    raise EventError("\"%s\" is missing" % k)
            return "recorded: the open sale of %s was taken over by %s" % (
                p["from_staff"], p["to_staff"])
        if typ in ("guide_bind", "guide_refresh", "guide_takeover", "guide_unbind"):
            return self.guide_binding(c, ledger, uid, seq, typ, p, now)
        if typ == "refund_noreceipt":
            return self.refund_noreceipt(c, uid, seq, p, day)
        return "recorded (no effect at HQ for type %s)" % typ

    def refund_noreceipt(self, c, uid, seq, p, day):
        """A refund without a receipt: one item, qty x unit_price in cash, a reason, a manager;
        no member and no points, so nothing moves at HQ but the refund's own row."""
        for k in ("receipt", "sku", "reason", "authorised_by"):
            if not isinstance(p.get(k), str) or not p.get(k):
                raise EventError("\"%s\" is missing" % k)
        qty, price, amount = (int_field(p, k) for k in ("qty", "unit_price", "amount"))
        tenders = p.get("tenders")
        if not 1 <= qty <= 9999 or price <= 0 or amount != qty * price:
            raise EventError("the quantity, price and amount do not agree")
        if tenders != [{"method": "cash", "amount": amount}]:
            raise EventError("the money goes back in one cash tender of the amount")
        if p.get("member") is not None:
            raise EventError("a refund without a receipt has no member")
        c.execute("INSERT INTO noreceipt_refunds(terminal_uid, seq, receipt, day, sku, qty,"
                  " unit_price, amount, reason, authorised_by) VALUES(?, ?, ?, ?, ?, ?, ?, ?,"
                  " ?, ?)", (uid, seq, p["receipt"], day.isoformat(), p["sku"], qty, price,
                             amount, p["reason"], p["authorised_by"]))
        return "applied: refund without a receipt, %d fen in cash" % amount

    def spend(self, c, ledger, uid, seq, mid, spends, p, day, now):
        """A sale's points spends (kind, movement n, points): its offers' and its points tender,
        applied in journal order and kept whatever the balance: when they take the balance below
        zero (the same points spent at two tills while offline), the terminal that sent them gets
        one points_overdraft notice for its manager."""
        before = c.execute("SELECT points, phone_masked FROM members WHERE id = ?",
                           (mid,)).fetchone()
        spent = 0
        for kind, n, pts in spends:
            ledger.move(mid, kind, -pts, 0, day, uid, seq, 2 if kind == "pay" else 100 + n)
            spent += pts
        after = before[0] - spent
        if after < 0:
            receipt = p.get("receipt") if isinstance(p.get("receipt"), str) else "?"
            feed_notice(c, uid, "points_overdraft", {
                "member": mid, "seq": seq, "receipt": receipt, "spent": spent,
                "balance": after,
                "message": "member %s (%s) spent %d points on receipt %s when HQ held %d: the"
                           " same points were spent elsewhere while offline; the sale stands"
                           " and the balance is now %d" % (before[1], mid, spent, receipt,
                                                           before[0], after)}, now)

    def guide_binding(self, c, ledger, uid, seq, typ, p, now):
        """A till bound, refreshed, took over or unbound a member's guide. HQ has the last word:
        the event applies when the till knew HQ's guide (its "previous"), or asks for what HQ
        already has; otherwise another binding reached HQ first, HQ keeps it, and the till gets
        a binding_conflict notice. Either way the member's next snapshot carries HQ's guide."""
        named, guide, previous = p.get("member"), p.get("guide"), p.get("previous")
        if not isinstance(named, str) or not named:
            raise EventError("\"member\" is missing")
        for k, v in (("guide", guide), ("previous", previous)):
            if v is not None and (not isinstance(v, str) or not v):
                raise EventError("\"%s\" is not a staff code or null" % k)
        if (typ == "guide_unbind") != (guide is None):
            raise EventError("a %s %s a guide" % (typ, "names" if guide else "does not name"))
        mid = self.member_or_notice(c, uid, seq, named, now)
        if mid is None:
            return "recorded: member %s unknown" % named
        have = c.execute("SELECT guide FROM members WHERE id = ?", (mid,)).fetchone()[0]
        ledger.touch(mid)
        if have == guide:
            return "applied: %s's guide is already %s" % (mid, guide)
        if have == previous:
            c.execute("UPDATE members SET guide = ? WHERE id = ?", (guide, mid))
            return "applied: %s's guide is now %s" % (mid, guide)
        feed_notice(c, uid, "binding_conflict", {
            "member": mid, "seq": seq, "till_guide": guide, "hq_guide": have,
            "message": "member %s: this till set guide %s (journal row %d), but HQ had already"
                       " applied guide %s from another binding; HQ's guide stands"
                       % (mid, guide or "none", seq, have or "none")}, now)
        return "conflict: %s kept guide %s" % (mid, have)

    def coupon_feed(self, c, code, now):
        r = c.execute("SELECT template, member, valid_from, valid_to, state FROM coupons"
                      " WHERE code = ?", (code,)).fetchone()
        feed_upsert(c, "coupon", code, {"code": code, "template": r[0], "member": r[1],
                                        "valid_from": r[2], "valid_to": r[3], "state": r[4]},
                    now)

    def coupon_issue(self, c, uid, seq, cp, now):
        if not isinstance(cp, dict):
            raise EventError("a coupon issued is not an object")
        for k in ("code", "template", "valid_from", "valid_to"):
            if not isinstance(cp.get(k), str) or not cp.get(k):
                raise EventError("a coupon issued has no \"%s\"" % k)
        member = cp.get("member")
        if member is not None:
            member = resolve_member(c, member) or member
        c.execute("INSERT OR IGNORE INTO coupons(code, template, member, valid_from, valid_to,"
                  " state, issued_by, issued_seq) VALUES(?, ?, ?, ?, ?, 'open', ?, ?)",
                  (cp["code"], cp["template"], member, cp["valid_from"], cp["valid_to"], uid,
                   seq))
        self.coupon_feed(c, cp["code"], now)

    def coupons(self, c, uid, seq, typ, p, now):
        """A sale's coupons issued and used, a refund's voided and given back. The first use
        HQ applies wins; a later use of the same coupon (a bearer coupon taken at two tills
        while offline) stands, and its till gets one coupon_conflict notice for its manager."""
        for cp in p.get("coupons_issued") or []:
            self.coupon_issue(c, uid, seq, cp, now)
        for u in p.get("coupons_used") or []:
            code = u.get("code") if isinstance(u, dict) else None
            if not isinstance(code, str):
                raise EventError("a coupon used has no code")
            r = c.execute("SELECT state, used_by, used_seq FROM coupons WHERE code = ?",
                          (code,)).fetchone()
            if r is None or r[0] == "open":
                if r is None:  # issued by a till whose row has not reached HQ: not known yet
                    c.execute("INSERT INTO coupons(code, template, member, valid_from,"
                              " valid_to, state, issued_by, issued_seq, used_by, used_seq)"
                              " VALUES(?, '?', NULL, '', '', 'used', '?', 0, ?, ?)",
                              (code, uid, seq))
                else:
                    c.execute("UPDATE coupons SET state = 'used', used_by = ?, used_seq = ?"
                              " WHERE code = ?", (uid, seq, code))
                    self.coupon_feed(c, code, now)
                continue
            receipt = p.get("receipt") if isinstance(p.get("receipt"), str) else "?"
            feed_notice(c, uid, "coupon_conflict", {
                "code": code, "seq": seq, "receipt": receipt, "hq_state": r[0],
                "message": "coupon %s taken on receipt %s had already been %s at %s (journal"
                           " row %s) when this sale reached HQ: it was used twice while"
                           " offline; the sale stands" % (code, receipt, r[0], r[1] or "?",
                                                          r[2] if r[2] is not None else "?")},
                now)
        for k, state in (("coupons_void", "void"), ("coupons_back", "open")):
            for code in p.get(k) or []:
                if not isinstance(code, str):
                    raise EventError("\"%s\" holds a non-code" % k)
                before = "open" if state == "void" else "used"
                c.execute("UPDATE coupons SET state = ?, used_by = CASE WHEN ? = 'open' THEN"
                          " NULL ELSE used_by END, used_seq = CASE WHEN ? = 'open' THEN NULL"
                          " ELSE used_seq END WHERE code = ? AND state = ?",
                          (state, state, state, code, before))
                if c.execute("SELECT changes()").fetchone()[0]:
                    self.coupon_feed(c, code, now)

    def coupon_exchange(self, c, ledger, uid, seq, p, day, now):
        """Points for a coupon: the member's points leave (movement n = 1) and the coupon is
        known at HQ."""
        named, points = p.get("member"), int_field(p, "points")
        if not isinstance(named, str) or points <= 0:
            raise EventError("a coupon exchange names its member and points")
        self.coupon_issue(c, uid, seq, p.get("coupon"), now)
        mid = self.member_or_notice(c, uid, seq, named, now)
        if mid is None:
            return "applied without points: member %s unknown" % named
        ledger.move(mid, "offer", -points, 0, day, uid, seq, 1)
        return "applied"

    def benefit_grant(self, c, ledger, uid, seq, p, day, now):
        """A benefit granted: the first grant of a (benefit, member, period) HQ applies is the
        period's, sent to every till; a later one stands (its points and coupon too) and its
        till gets one benefit_conflict notice."""
        named, benefit, period, what = (p.get(k) for k in ("member", "benefit", "period", "what"))
        if not all(isinstance(v, str) and v for v in (named, benefit, period, what)):
            raise EventError("a benefit grant names its member, benefit, period and what")
        points = int_field(p, "points") if what == "points" else 0
        if what == "coupon":
            self.coupon_issue(c, uid, seq, p.get("coupon"), now)
        mid = self.member_or_notice(c, uid, seq, named, now)
        member = mid or named
        r = c.execute("SELECT granted_by, granted_seq FROM benefit_grants WHERE benefit = ? AND"
                      " member = ? AND period = ?", (benefit, member, period)).fetchone()
        if r is None:
            gday = p.get("day") if isinstance(p.get("day"), str) else day.isoformat()
            c.execute("INSERT INTO benefit_grants(benefit, member, period, day, granted_by,"
                      " granted_seq) VALUES(?, ?, ?, ?, ?, ?)",
                      (benefit, member, period, gday, uid, seq))
            feed_upsert(c, "benefit_grant", "%s/%s/%s" % (benefit, member, period),
                        {"benefit": benefit, "member": member, "period": period, "day": gday,
                         "terminal": uid}, now)
        else:
            feed_notice(c, uid, "benefit_conflict", {
                "benefit": benefit, "member": member, "period": period, "seq": seq,
                "hq_terminal": r[0], "hq_seq": r[1],
                "message": "benefit %s was granted to member %s for %s at %s (journal row %d)"
                           " before this till's grant (journal row %d) reached HQ: it was"
                           " granted twice while offline; the grant stands"
                           % (benefit, member, period, r[0], r[1], seq)}, now)
        if points and mid is not None:
            ledger.move(mid, "benefit", points, 0, day, uid, seq, 1)
        if mid is None and points:
            return "applied without points: member %s unknown" % named
        return "applied" if r is None else "conflict: %s/%s/%s granted at %s" % (
            benefit, member, period, r[0])

    def member_or_notice(self, c, uid, seq, named, now):
        mid = resolve_member(c, named)
        if mid is None:
            feed_notice(c, uid, "unknown_member", {
                "member": named, "seq": seq,
                "message": "journal row %d names member %s, whom HQ does not know; its points"
                           " were not applied" % (seq, named)}, now)
        return mid

    @staticmethod
    def consent(c, uid, seq, p, local, mid, terms):
        """Keeps the shopper's agreement to the membership terms (a till from before consent
        was asked for sends none)."""
        if terms is not None:
            c.execute("INSERT INTO consents(local_id, member_id, terms_version, terminal_uid,"
                      " seq, at) VALUES(?, ?, ?, ?, ?, ?)",
                      (local, mid, terms, uid, seq, int_field(p, "at")))

    def register(self, c, ledger, uid, seq, p, day, now):
        local, phone, name = p.get("member"), p.get("phone"), p.get("name")
        birthday, referrer = p.get("birthday"), p.get("referrer")
        welcome, referral = int_field(p, "welcome"), int_field(p, "referral")
        if not isinstance(local, str) or not local:
            raise EventError("\"member\" is missing")
        if not isinstance(phone, str) or not PHONE.match(phone):
            raise EventError("\"phone\" is not an 11-digit mobile number")
        if not isinstance(name, str):
            raise EventError("\"name\" is missing")
        if birthday is not None and not isinstance(birthday, str):
            raise EventError("\"birthday\" is not text")
        consent, terms = p.get("consent"), p.get("terms_version")
        if (consent, terms) != (None, None) and (
                consent is not True or not isinstance(terms, str) or not terms):
            raise EventError("\"consent\" must be true with a \"terms_version\"")
        known = resolve_member(c, local)
        if known:  # the same terminal-scoped id twice: nothing new to create
            ledger.touch(known)
            return "applied: %s was already registered as %s" % (local, known)
        existing = c.execute("SELECT id FROM members WHERE phone = ?", (phone,)).fetchone()
        if existing:
            into = existing[0]
            c.execute("INSERT INTO local_ids(local_id, member_id, terminal_uid, seq, merged)"
                      " VALUES(?, ?, ?, ?, 1)", (local, into, uid, seq))
            feed_notice(c, uid, "member_merged", {
                "from": local, "into": into,
                "message": "%s was already a member (%s): %s was merged into it, without"
                           " welcome or referral points" % (mask_phone(phone), into, local)}, now)
            self.consent(c, uid, seq, p, local, into, terms)
            ledger.touch(into)
            return "merged into %s" % into
        no = int(config_get(c, "next_member_no", "1"))
        config_set(c, "next_member_no", no + 1)
        mid = "M%06d" % no
        c.execute("INSERT INTO members(id, phone, phone_hash, phone_masked, card_no, name,"
                  " birthday, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                  (mid, phone, phone_hash(self.phone_key, phone), mask_phone(phone),
                   "88%08d" % no, name, birthday, now))
        c.execute("INSERT INTO local_ids(local_id, member_id, terminal_uid, seq, merged)"
                  " VALUES(?, ?, ?, ?, 0)", (local, mid, uid, seq))
        self.consent(c, uid, seq, p, local, mid, terms)
        ledger.touch(mid, day)
        if welcome > 0:
            ledger.move(mid, "welcome", welcome, 0, day, uid, seq, 1)
        if referrer is not None and referral > 0:
            ref = self.member_or_notice(c, uid, seq, referrer, now)
            ledger.move(mid, "referral", referral, 0, day, uid, seq, 2)
            if ref:
                ledger.move(ref, "referral", referral, 0, day, uid, seq, 3)
        return "registered as %s" % mid

    # -- pull --

    def changes(self, uid, query):
        since = one(query, "since", "0")
        limit = one(query, "limit", str(DEFAULT_LIMIT))
        if not re.match(r"^[0-9]{1,18}$", since):
            raise bad_request("\"since\" must be a cursor from a previous answer (or 0)")
        if not re.match(r"^[0-9]{1,9}$", limit) or int(limit) < 1:
            raise bad_request("\"limit\" must be a positive integer")
        since, limit = int(since), min(int(limit), MAX_LIMIT)
        c = self.conn()
        c.execute("BEGIN")
        try:
            rows = c.execute("SELECT id, kind, op, key, data, notice, at FROM changes"
                             " WHERE id > ? AND (target IS NULL OR target = ?) ORDER BY id"
                             " LIMIT ?", (since, uid, limit + 1)).fetchall()
            more = len(rows) > limit
            rows = rows[:limit]
            locals_ = dict(c.execute("SELECT member_id, local_id FROM local_ids WHERE"
                                     " terminal_uid = ? ORDER BY seq", (uid,)).fetchall())
            # The snapshots in this page include every row of this terminal up to here.
            applied = c.execute("SELECT applied FROM terminals WHERE uid = ?",
                                (uid,)).fetchone()[0]
        finally:
            c.execute("COMMIT")
        changes, notices = [], []
        for rid, kind, op, key, data, notice, at in rows:
            if notice:
                notices.append('{"id":%s,"kind":%s,"at":%d,"data":%s}'
                               % (json.dumps("n-%d" % rid), json.dumps(kind), at, data))
            elif op == "delete":
                changes.append('{"kind":%s,"op":"delete","key":%s}'
                               % (json.dumps(kind), json.dumps(key)))
            else:
                if kind == "member" and key in locals_:
                    d = json.loads(data)
                    d["local_id"] = locals_[key]
                    data = jdump(d)
                changes.append('{"kind":%s,"op":"upsert","data":%s}' % (json.dumps(kind), data))
        nxt = rows[-1][0] if rows else since
        text = '{"changes":[%s],"notices":[%s],"next":"%d","more":%s,"applied":%d}' % (
            ",".join(changes), ",".join(notices), nxt, "true" if more else "false", applied)
        return text.encode("utf-8"), {"terminal": uid, "since": since, "rows": len(rows),
                                      "more": more}

    # -- lookup --

    def lookup(self, uid, query):
        ph, card = query.get("phone_hash"), query.get("card")
        if bool(ph) == bool(card) or (ph and len(ph) != 1) or (card and len(card) != 1):
            raise bad_request("give exactly one of phone_hash and card")
        c = self.conn()
        if ph:
            h = ph[0].lower()
            if not HEX64.match(h):
                raise bad_request("phone_hash must be 64 hex digits")
            row = c.execute("SELECT id FROM members WHERE phone_hash = ?", (h,)).fetchone()
        else:
            row = c.execute("SELECT id FROM members WHERE card_no = ?", (card[0],)).fetchone()
        if not row:
            raise HttpError(404, "not_found", "no member with this %s"
                            % ("phone" if ph else "card"))
        snap = self.snapshots(uid, [row[0]])
        return {"member": snap[0]}, {"terminal": uid, "found": row[0]}

    # -- store totals (issue 11): the whole store's business day, from the rows applied --

    def store_totals(self, uid, query):
        day = query.get("day")
        if not day or len(day) != 1:
            raise bad_request("give day=YYYY-MM-DD once")
        day = day[0]
        try:
            if datetime.date.fromisoformat(day).isoformat() != day:
                raise ValueError(day)
        except ValueError:
            raise bad_request("day must be a date, YYYY-MM-DD")
        c = self.conn()
        store = c.execute("SELECT store FROM terminals WHERE uid = ?", (uid,)).fetchone()[0]

        def money():
            return {"count": 0, "amount": 0}
        total = {"sales": money(), "refunds": money(), "voids": money()}
        terms = {}
        rows = c.execute(
            "SELECT t.terminal, j.type, j.payload FROM journal j JOIN terminals t"
            " ON t.uid = j.terminal_uid WHERE t.store = ? AND j.type IN ('sale', 'refund',"
            " 'void', 'refund_noreceipt') ORDER BY t.terminal, j.seq", (store,))
        for terminal, typ, payload in rows:
            p = json.loads(payload)
            if p.get("day") != day:
                continue
            key, amount = ("sales", p["total"]) if typ == "sale" else (
                "voids" if typ == "void" else "refunds", p["amount"])
            t = terms.setdefault(terminal, {"terminal": terminal, "sales": money(),
                                            "refunds": money(), "voids": money()})
            for m in (total[key], t[key]):
                m["count"] += 1
                m["amount"] += amount

        def net(m):
            return m["sales"]["amount"] - m["refunds"]["amount"] - m["voids"]["amount"]
        out = dict(total, store=store, day=day, net=net(total),
                   terminals=[dict(t, net=net(t)) for _k, t in sorted(terms.items())])
        return out, {"terminal": uid, "day": day, "terminals": len(terms)}

    # -- test hooks --

    def state(self, query):
        c = self.conn()
        brief = one(query, "brief", "0") == "1"
        c.execute("BEGIN")
        try:
            terms = {}
            for uid, applied in c.execute("SELECT uid, applied FROM terminals ORDER BY uid"):
                terms[uid] = {"applied": applied, "events": {}, "rows": 0}
            for uid, typ, n in c.execute("SELECT terminal_uid, type, COUNT(*) FROM journal"
                                         " GROUP BY terminal_uid, type"):
                terms.setdefault(uid, {"applied": 0, "events": {}, "rows": 0})
                terms[uid]["events"][typ] = n
                terms[uid]["rows"] += n
            dup_events = [r[0] for r in c.execute(
                "SELECT event_id FROM journal GROUP BY event_id HAVING COUNT(*) > 1")]
            dup_moves = c.execute(
                "SELECT COUNT(*) FROM (SELECT 1 FROM movements WHERE terminal_uid IS NOT NULL"
                " GROUP BY terminal_uid, seq, n HAVING COUNT(*) > 1)").fetchone()[0]
            mismatch = [r[0] for r in c.execute(
                "SELECT m.id FROM members m LEFT JOIN (SELECT member_id, SUM(points) p,"
                " SUM(growth) g FROM movements GROUP BY member_id) s ON s.member_id = m.id"
                " WHERE m.points != COALESCE(s.p, 0) OR m.growth != COALESCE(s.g, 0)")]
            lots_bad = [r[0] for r in c.execute(
                "SELECT m.id FROM members m LEFT JOIN (SELECT member_id, SUM(remaining) r FROM"
                " lots GROUP BY member_id) l ON l.member_id = m.id"
                " WHERE COALESCE(l.r, 0) - m.lot_debt != m.points")]
            out = {"terminals": terms, "duplicates": dup_events,
                   "applied_twice": bool(dup_events) or dup_moves > 0,
                   "balances_match": not mismatch, "mismatches": mismatch[:100],
                   "lots_match": not lots_bad,
                   "members_count": c.execute("SELECT COUNT(*) FROM members").fetchone()[0],
                   "next_cursor": c.execute("SELECT COALESCE(MAX(id), 0) FROM changes"
                                            ).fetchone()[0],
                   "requests": self.requests, "connections": self.connections,
                   "processing_ms": round(self.processing_ms, 3),
                   "clock_offset_s": self.clock.offset_s, "faults": self.faults.report()}
            if not brief:
                out["members"] = {r[0]: {"points": r[1], "growth": r[2], "tier": r[3],
                                         "version": r[4], "tier_until": r[5]}
                                  for r in c.execute("SELECT id, points, growth, tier, version,"
                                                     " tier_until FROM members")}
                out["movement_sums"] = {r[0]: {"points": r[1], "growth": r[2]}
                                        for r in c.execute(
                                            "SELECT member_id, SUM(points), SUM(growth) FROM"
                                            " movements GROUP BY member_id")}
                out["local_ids"] = dict(c.execute("SELECT local_id, member_id FROM local_ids"))
                out["benefit_grants"] = {"%s/%s/%s" % r[:3]: {"by": r[3], "seq": r[4]}
                                         for r in c.execute(
                                             "SELECT benefit, member, period, granted_by,"
                                             " granted_seq FROM benefit_grants")}
                out["consents"] = {r[0]: {"member": r[1], "terms_version": r[2], "at": r[3]}
                                   for r in c.execute("SELECT local_id, member_id,"
                                                      " terms_version, at FROM consents")}
                out["coupons"] = {r[0]: {"state": r[1], "issued_by": r[2], "issued_seq": r[3],
                                         "used_by": r[4], "used_seq": r[5], "member": r[6]}
                                  for r in c.execute("SELECT code, state, issued_by, issued_seq,"
                                                     " used_by, used_seq, member FROM coupons")}
        finally:
            c.execute("COMMIT")
        return out


class EventError(Exception):
    """A verified row whose event HQ cannot apply: recorded, not applied, a notice sent."""


def points_paid(p):
    """The points of a sale's points tender (its "points_pay"), 0 without one."""
    pp = p.get("points_pay")
    if pp is None:
        return 0
    if not isinstance(pp, dict):
        raise EventError("\"points_pay\" is not an object")
    return int_field(pp, "points")


def int_field(p, key):
    v = p.get(key, 0)
    if v is None:
        return 0
    if type(v) is not int:
        raise EventError("\"%s\" is not an integer" % key)
    return v


def add_unique(out, ids):
    for i in ids:
        if i not in out:
            out.append(i)


def one(query, key, default):
    v = query.get(key)
    if not v:
        return default
    if len(v) != 1:
        raise bad_request("\"%s\" is given more than once" % key)
    return v[0]


def chain_hash(key, prev, seq, payload):
    return hmac.new(key, prev + seq.to_bytes(8, "big") + payload, hashlib.sha256).digest()


SEAL_NEXT_LABEL = b"counterpoint journal seal: next key"


def seal_next(key):
    """The key of the next journal row (core/seal.c): one way, so a till past a row cannot
    seal it again."""
    return hmac.new(key, SEAL_NEXT_LABEL, hashlib.sha256).digest()


def seal_key_for(key, key_seq, seq):
    """The key of row seq, from the key of row key_seq."""
    for _ in range(seq - key_seq):
        key = seal_next(key)
    return key


def parse_json_object(body):
    try:
        obj = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise bad_request("the body is not JSON: %s" % e)
    if not isinstance(obj, dict):
        raise bad_request("the body is not a JSON object")
    return obj


# ---- faults (test hooks) -------------------------------------------------------------------

FAULT_ACTIONS = ("close_before", "close_after", "delay", "status", "truncate", "malformed",
                 "content_type", "hang", "ack")


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []

    def set(self, rules):
        if isinstance(rules, dict) and "rules" in rules:
            rules = rules["rules"]
        if not isinstance(rules, list):
            raise bad_request("faults: a JSON list of rules")
        parsed = []
        for i, r in enumerate(rules):
            where = "rule %d" % i
            if not isinstance(r, dict):
                raise bad_request(where + " is not an object")
            path = r.get("path", "/")
            action = r.get("action")
            if not isinstance(path, str) or not path.startswith("/"):
                raise bad_request(where + ": \"path\" must start with /")
            if action not in FAULT_ACTIONS:
                raise bad_request(where + ": \"action\" must be one of " + ", ".join(FAULT_ACTIONS))
            prob = r.get("probability", 1)
            if not isinstance(prob, (int, float)) or not 0 <= prob <= 1:
                raise bad_request(where + ": \"probability\" must be 0..1")
            count = r.get("count")
            if count is not None and (type(count) is not int or count < 0):
                raise bad_request(where + ": \"count\" must be a non-negative integer")
            seed = r.get("seed")
            if seed is not None and type(seed) is not int:
                raise bad_request(where + ": \"seed\" must be an integer")
            ms = r.get("ms", 0)
            if type(ms) is not int or ms < 0:
                raise bad_request(where + ": \"ms\" must be a non-negative integer")
            status = r.get("status", 503)
            if action == "status" and status not in (429, 500, 502, 503, 504):
                raise bad_request(where + ": \"status\" must be 429, 500, 502, 503 or 504")
            ra = r.get("retry_after")  # seconds, or any text sent as it is (a date, garbage)
            if ra is not None and not ((type(ra) is int and ra >= 0) or (
                    isinstance(ra, str) and 0 < len(ra) <= 100 and
                    all(" " <= ch <= "~" for ch in ra))):
                raise bad_request(where + ": \"retry_after\" must be a non-negative integer"
                                  " or 1 to 100 printable ASCII characters")
            # "ack" (POST /v1/journal only): HQ applies the push as usual, then answers 200 with
            # "applied" replaced: by "applied" (any JSON value) when given, else by the last
            # sequence of the request plus "offset", else left out ("omit": true).
            ack = None
            if action == "ack":
                modes = [k for k in ("applied", "offset", "omit") if k in r]
                if len(modes) != 1:
                    raise bad_request(where + ": \"ack\" takes exactly one of \"applied\","
                                      " \"offset\" or \"omit\": true")
                if "offset" in r and type(r["offset"]) is not int:
                    raise bad_request(where + ": \"offset\" must be an integer")
                if "omit" in r and r["omit"] is not True:
                    raise bad_request(where + ": \"omit\" must be true")
                ack = {modes[0]: r[modes[0]]}
            method = r.get("method")
            if method is not None and method not in ("GET", "POST"):
                raise bad_request(where + ": \"method\" must be GET or POST")
            parsed.append({"path": path, "action": action, "probability": float(prob),
                           "count": count, "ms": ms, "status": status, "retry_after": ra,
                           "method": method, "fired": 0, "ack": ack,
                           "rng": random.Random(seed if seed is not None else i)})
        with self.lock:
            self.rules = parsed
        return {"rules": len(parsed)}

    def pick(self, method, path):
        with self.lock:
            for r in self.rules:
                if not path.startswith(r["path"]) or (r["method"] and r["method"] != method):
                    continue
                if r["count"] is not None and r["count"] <= 0:
                    continue
                if r["probability"] < 1 and r["rng"].random() >= r["probability"]:
                    continue
                if r["count"] is not None:
                    r["count"] -= 1
                r["fired"] += 1
                return dict(r)
        return None

    def report(self):
        with self.lock:
            return [{"path": r["path"], "action": r["action"], "fired": r["fired"],
                     "left": r["count"]} for r in self.rules]


# ---- HTTP ----------------------------------------------------------------------------------


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "CounterpointHQ/1"
    sys_version = ""
    timeout = IDLE_TIMEOUT

    def log_message(self, fmt, *args):  # the one line per request is ours
        pass

    def log_error(self, fmt, *args):
        log("%s %s" % (self.client_address[0], fmt % args))

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise bad_request("the body is larger than %d bytes" % MAX_BODY)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not length.isdigit() or int(length) > MAX_BODY:
            raise bad_request("Content-Length is malformed or larger than %d" % MAX_BODY)
        body = self.rfile.read(int(length))
        if len(body) != int(length):
            raise ConnectionError("the client closed the connection mid-body")
        return body

    def dispatch(self):
        app = self.server.app
        started = time.monotonic()
        raw_path = self.path
        split = urllib.parse.urlsplit(raw_path)
        path = split.path
        info = {}
        fault = None
        with app.stats_lock:
            app.active += 1
        try:
            try:
                body = self.read_body()
            except ConnectionError:
                self.close_connection = True
                return
            except (HttpError, ValueError) as e:
                self.close_connection = True
                err = e if isinstance(e, HttpError) else \
                    bad_request("the chunked body is malformed")
                self.answer(err.status, jdump(err.body()).encode("utf-8"), info=info, path=path,
                            started=started)
                return
            if app.test_hooks and not path.startswith("/_test/"):
                fault = app.faults.pick(self.command, raw_path)
            if fault:
                info["fault"] = fault["action"]
                if self.fault_before(fault, path, started, info):
                    return
                started = time.monotonic()  # a delay is not HQ's processing time
            status, payload, ctype, headers = self.route(app, path, split, raw_path, body, info)
            if fault and fault["action"] == "ack" and status == 200 and path == "/v1/journal":
                payload = self.false_ack(fault["ack"], body, payload, info)
            if fault and fault["action"] == "close_after":
                self.close_connection = True
                self.log_line(path, "(closed after applying)", started, info)
                return
            self.answer(status, payload, ctype, headers, info=info, path=path, started=started,
                        truncate=bool(fault and fault["action"] == "truncate"))
        finally:
            with app.stats_lock:
                app.active -= 1

    def fault_before(self, fault, path, started, info):
        """Carries out a fault that answers instead of HQ; True when the request is done."""
        action = fault["action"]
        if action == "close_before":
            self.close_connection = True
            self.log_line(path, "(closed before applying)", started, info)
            return True
        if action == "hang":
            self.hang()
            self.close_connection = True
            self.log_line(path, "(hung until the client left)", started, info)
            return True
        if action == "delay":
            self.server.app.stopping.wait(fault["ms"] / 1000.0)
            return False
        if action == "status":
            st = fault["status"]
            code = {429: "rate_limited", 503: "unavailable"}.get(st, "internal")
            headers = {}
            if fault["retry_after"] is not None:
                headers["Retry-After"] = str(fault["retry_after"])
            body = jdump({"error": {"code": code, "message": "fault injected by the test"}})
            self.answer(st, body.encode("utf-8"), headers=headers, info=info, path=path,
                        started=started)
            return True
        if action == "malformed":
            self.answer(200, b'{"applied": 1, "members": [{"id": "M0', info=info, path=path,
                        started=started)
            return True
        if action == "content_type":
            self.answer(200, b"<html><body><h1>Welcome to the captive portal</h1></body></html>",
                        "text/html; charset=utf-8", info=info, path=path, started=started)
            return True
        return False  # close_after, truncate: after applying

    @staticmethod
    def false_ack(ack, body, payload, info):
        """The push answer with "applied" replaced as the "ack" fault says."""
        out = json.loads(payload.decode("utf-8"))
        if "applied" in ack:
            out["applied"] = ack["applied"]
        elif "offset" in ack:
            rows = json.loads(body.decode("utf-8"))["rows"]
            out["applied"] = (rows[-1]["seq"] if rows else out["applied"]) + ack["offset"]
        else:
            del out["applied"]
        info["answered_applied"] = json.dumps(out.get("applied"), separators=(",", ":"))
        return jdump(out).encode("utf-8")

    def hang(self):
        sock = self.connection
        app = self.server.app
        deadline = time.monotonic() + HANG_MAX_S
        try:
            sock.settimeout(0.25)
            while not app.stopping.is_set() and time.monotonic() < deadline:
                try:
                    if not sock.recv(1):
                        return
                except socket.timeout:
                    continue
        except (OSError, ssl.SSLError, ValueError):
            return

    def route(self, app, path, split, raw_path, body, info):
        """Returns (status, body bytes, content type, headers)."""
        query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        try:
            if path.startswith("/_test/"):
                if not app.test_hooks or not is_loopback(self.client_address[0]):
                    raise HttpError(404, "not_found", "no such path")
                return self.route_test(app, path, query, body)
            routes = {("POST", "/v1/enrol"): None, ("POST", "/v1/journal"): app.push,
                      ("GET", "/v1/changes"): app.changes,
                      ("GET", "/v1/members/lookup"): app.lookup,
                      ("GET", "/v1/reports/store"): app.store_totals}
            if not any(p == path for _m, p in routes):
                raise HttpError(404, "not_found", "no such path")
            if (self.command, path) not in routes:
                raise HttpError(405, "bad_request", "%s is not allowed on %s"
                                % (self.command, path), headers={"Allow": ", ".join(
                                    m for m, p in routes if p == path)})
            if path == "/v1/enrol":
                out, extra = app.enrol(body)
            else:
                uid = app.authenticate(self.command, raw_path, self.headers, body)
                info["terminal"] = uid
                fn = routes[(self.command, path)]
                out, extra = fn(uid, body) if path == "/v1/journal" else fn(uid, query)
            info.update(extra)
            data = out if isinstance(out, bytes) else jdump(out).encode("utf-8")
            return 200, data, "application/json", {}
        except HttpError as e:
            info["error"] = e.code
            return e.status, jdump(e.body()).encode("utf-8"), "application/json", e.headers
        except Exception:  # a bug here: answer 500 and say what it was on stderr
            log("internal error on %s %s:\n%s" % (self.command, path, traceback.format_exc()))
            info["error"] = "internal"
            return 500, jdump({"error": {"code": "internal", "message": "HQ failed; see its"
                                         " log"}}).encode("utf-8"), "application/json", {}

    def route_test(self, app, path, query, body):
        if path == "/_test/faults" and self.command == "POST":
            try:
                rules = json.loads(body.decode("utf-8") or "[]")
            except ValueError as e:
                raise bad_request("faults: %s" % e)
            out = app.faults.set(rules)
        elif path == "/_test/state" and self.command == "GET":
            out = app.state(query)
        elif path == "/_test/clock" and self.command == "POST":
            req = parse_json_object(body)
            off = req.get("offset_s", 0)
            if not isinstance(off, (int, float)):
                raise bad_request("offset_s must be a number")
            app.clock.offset_s = off
            out = {"offset_s": off}
        else:
            raise HttpError(404, "not_found", "no such test hook")
        return 200, jdump(out).encode("utf-8"), "application/json", {}

    def answer(self, status, body, ctype="application/json", headers=None, info=None, path="",
               started=None, truncate=False):
        app = self.server.app
        ms = (time.monotonic() - started) * 1000 if started else 0.0
        with app.stats_lock:
            app.requests += 1
            app.processing_ms += ms
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Server-Timing", "hq;dur=%.3f" % ms)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            if truncate:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body[:len(body) // 2] if truncate else body)
            self.wfile.flush()
        except (OSError, ssl.SSLError) as e:
            self.close_connection = True
            info = dict(info or {}, lost="answer not delivered: %s" % e)
        self.log_line(path, status, started, info, ms=ms)

    def log_line(self, path, status, started, info, ms=None):
        if ms is None:
            ms = (time.monotonic() - started) * 1000 if started else 0.0
        extra = " ".join("%s=%s" % (k, v) for k, v in sorted((info or {}).items())
                         if k != "terminal")
        log("%s %s %s %s %s %.1fms %s" % (self.client_address[0],
                                           (info or {}).get("terminal", "-"), self.command,
                                           path, status, ms, extra))


_log_lock = threading.Lock()


def log(line):
    with _log_lock:
        sys.stderr.write("hq: %s\n" % line.rstrip())
        sys.stderr.flush()


def is_loopback(host):
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr, app, ssl_ctx):
        if ":" in addr[0]:
            self.address_family = socket.AF_INET6
        self.app = app
        self.ssl_ctx = ssl_ctx
        super().__init__(addr, Handler)

    def server_bind(self):
        # HTTPServer.server_bind would look the host name up (getfqdn): not needed here.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def finish_request(self, request, client_address):
        with self.app.stats_lock:
            self.app.connections += 1
        if not self.ssl_ctx:
            return super().finish_request(request, client_address)
        request.settimeout(HANDSHAKE_TIMEOUT)
        try:
            conn = self.ssl_ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            log("%s TLS handshake failed: %s" % (client_address[0], e))
            return
        try:
            self.RequestHandlerClass(conn, client_address, self)
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        e = sys.exc_info()[1]
        log("%s connection ended: %s" % (client_address[0], e.__class__.__name__
                                          + (": %s" % e if str(e) else "")))


def cmd_serve(args):
    host = "127.0.0.1" if args.host == "localhost" else args.host
    if not is_loopback(host):
        fail("--host must be a loopback address (127.0.0.1 or ::1): this HQ is for tests and"
             " demos on one machine")
    if args.plain == bool(args.cert):
        fail("give --cert and --key for TLS, or --plain for plain HTTP")
    ctx = None
    if args.cert:
        if not args.key:
            fail("--cert needs --key")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            ctx.load_cert_chain(args.cert, args.key)
        except (OSError, ssl.SSLError) as e:
            fail("cannot load %s / %s: %s" % (args.cert, args.key, e))
    app = App(args.db, args.test_hooks)
    try:
        server = Server((host, args.port), app, ctx)
    except OSError as e:
        fail("cannot listen on %s port %d: %s" % (host, args.port, e))
    port = server.server_address[1]
    if args.port_file:
        tmp = "%s.tmp.%d" % (args.port_file, os.getpid())
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              daemon=True)
    thread.start()
    log("listening on %s://%s:%d (database %s%s)" % ("https" if ctx else "http",
                                                   "[%s]" % host if ":" in host else host, port,
                                                   args.db, ", test hooks on" if args.test_hooks
                                                   else ""))
    while not stop.wait(0.5):
        pass
    log("stopping")
    app.stopping.set()
    server.shutdown()
    deadline = time.monotonic() + 10
    while app.active > 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.server_close()
    log("stopped (%d requests)" % app.requests)
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(prog="hq.py", description="Counterpoint reference HQ"
                                 " (sync/PROTOCOL.md v1), for tests and demos")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("init", help="create the database from the demo store")
    p.add_argument("--db", required=True)
    p.add_argument("--store-json", required=True)
    p.add_argument("--points-validity-days", type=int, default=730)
    p.add_argument("--date", help="the day of the opening balances (default today)")
    p.add_argument("--extra-members", type=int, default=0,
                   help="add N synthetic members (M..., phones 147...) for benchmarks")
    p.add_argument("--force", action="store_true", help="replace an existing database")
    p.set_defaults(fn=cmd_init)
    p = sub.add_parser("mint-code", help="print a one-time enrolment code")
    p.add_argument("--db", required=True)
    p.add_argument("--store", required=True)
    p.add_argument("--terminal", required=True)
    p.add_argument("--ttl-seconds", type=int, default=3600)
    p.set_defaults(fn=cmd_mint_code)
    p = sub.add_parser("serve", help="serve protocol v1")
    p.add_argument("--db", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--plain", action="store_true", help="plain HTTP (development only)")
    p.add_argument("--test-hooks", action="store_true",
                   help="enable /_test/faults, /_test/state and /_test/clock")
    p.set_defaults(fn=cmd_serve)
    p = sub.add_parser("review", help="annual tier review of the members due on DATE")
    p.add_argument("--db", required=True)
    p.add_argument("--date", required=True)
    p.set_defaults(fn=cmd_review)
    p = sub.add_parser("offer", help="send an offer (upsert) or its deletion to every till")
    p.add_argument("--db", required=True)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--json", help="the offer, as sync/PROTOCOL.md describes it")
    g.add_argument("--delete", metavar="ID")
    p.set_defaults(fn=cmd_offer)
    p = sub.add_parser("expire", help="expire points whose last valid day is before DATE")
    p.add_argument("--db", required=True)
    p.add_argument("--date", required=True)
    p.set_defaults(fn=cmd_expire)
    args = ap.parse_args(argv)
    return args.fn(args) or 0


if __name__ == "__main__":
    sys.exit(main())
