#!/usr/bin/env python3
"""test_hq.py — the reference HQ (hq.py) against sync/PROTOCOL.md, over TLS on 127.0.0.1.

Starts `hq.py serve --test-hooks` with certificates from make_certs.sh in a temporary folder,
builds journal rows exactly like the till does (canonical payload, HMAC chain with a journal
key) and signs every request as the protocol says. Standard library only.

  python3 tests/hq/test_hq.py -v        (set CP_HQ_CERTS=DIR to reuse certificates)
"""

import atexit
import datetime
import hashlib
import hmac
import http.client
import json
import os
import random
import shutil
import signal
import sqlite3
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
HQ_PY = os.path.join(HERE, "hq.py")
STORE_JSON = os.path.join(ROOT, "packaging", "demo", "store.json")
TIMEOUT = 30  # generous: only there so that a broken server cannot hang the suite

sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import hq as hqmod  # noqa: E402  (for the pure helpers only)

with open(STORE_JSON, encoding="utf-8") as _f:
    STORE = json.load(_f)


def run(*args, check=True):
    p = subprocess.run([sys.executable, HQ_PY] + list(args), capture_output=True, text=True,
                       timeout=120)
    if check and p.returncode != 0:
        raise AssertionError("hq.py %s failed (%d): %s" % (args[0], p.returncode, p.stderr))
    return p


def wait_for_file(path, proc):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                return f.read().strip()
        if proc.poll() is not None:
            raise AssertionError("hq.py serve exited with %d" % proc.returncode)
        time.sleep(0.02)
    raise AssertionError("hq.py serve did not write its port file")


class Server:
    """One `hq.py serve` with its own database."""

    def __init__(self, root, name, tls=True, extra=()):
        self.dir = os.path.join(root, name)
        os.makedirs(self.dir)
        self.db = os.path.join(self.dir, "hq.db")
        self.log = os.path.join(self.dir, "hq.log")
        self.certs = CERTS
        self.tls = tls
        run("init", "--db", self.db, "--store-json", STORE_JSON, *extra)
        port_file = os.path.join(self.dir, "port")
        args = [sys.executable, HQ_PY, "serve", "--db", self.db, "--host", "127.0.0.1",
                "--port", "0", "--port-file", port_file, "--test-hooks"]
        if tls:
            args += ["--cert", os.path.join(CERTS, "server.pem"),
                     "--key", os.path.join(CERTS, "server.key")]
        else:
            args += ["--plain"]
        self.logf = open(self.log, "w")
        self.proc = subprocess.Popen(args, stdout=self.logf, stderr=self.logf)
        self.port = int(wait_for_file(port_file, self.proc))
        self.ctx = ssl.create_default_context(cafile=os.path.join(CERTS, "ca.pem"))

    def connection(self, timeout=TIMEOUT):
        if self.tls:
            return http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx,
                                               timeout=timeout)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=b"", headers=None, timeout=TIMEOUT, conn=None):
        """(status, headers, body bytes) on a fresh connection (or conn)."""
        own = conn is None
        conn = conn or self.connection(timeout)
        try:
            conn.request(method, path, body=body or None, headers=headers or {})
            r = conn.getresponse()
            return r.status, r.headers, r.read()
        finally:
            if own:
                conn.close()

    def test_json(self, method, path, obj=None):
        body = json.dumps(obj).encode() if obj is not None else b""
        st, _h, data = self.request(method, path, body, {"Content-Type": "application/json"})
        assert st == 200, (st, data)
        return json.loads(data)

    def state(self):
        return self.test_json("GET", "/_test/state")

    def faults(self, rules):
        return self.test_json("POST", "/_test/faults", rules)

    def clock(self, offset_s):
        return self.test_json("POST", "/_test/clock", {"offset_s": offset_s})

    def mint(self, store, terminal, ttl=3600):
        return run("mint-code", "--db", self.db, "--store", store, "--terminal", terminal,
                   "--ttl-seconds", str(ttl)).stdout.strip()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()
        return self.proc.returncode

    def log_tail(self, n=80):
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-n:])


class Till:
    """A terminal as HQ sees it: a journal chain with its key, and signed requests."""

    def __init__(self, server, store, terminal):
        self.hq = server
        self.store, self.terminal = store, terminal
        self.uid = "%s-%s" % (store, terminal)
        self.journal_key = os.urandom(32)
        self.rows = []
        self.prev = bytes(32)
        self.secret = None
        self.phone_key = None
        self.receipts = 0
        self.members = 0
        self.day = datetime.date.today().isoformat()

    # -- enrolment --

    def enrol_request(self, code, store=None, terminal=None, protocol=1):
        body = {"protocol": protocol, "code": code, "store": store or self.store,
                "terminal": terminal or self.terminal, "journal_key": self.journal_key.hex(),
                "key_seq": len(self.rows) + 1, "last_seq": len(self.rows)}
        st, _h, data = self.hq.request("POST", "/v1/enrol", json.dumps(body).encode(),
                                       {"Content-Type": "application/json"})
        return st, json.loads(data)

    def enrol(self):
        st, ans = self.enrol_request(self.hq.mint(self.store, self.terminal))
        assert st == 200, (st, ans)
        self.secret = bytes.fromhex(ans["secret"])
        self.phone_key = bytes.fromhex(ans["phone_key"])
        return ans

    # -- signing --

    def headers(self, method, path, body, ts=None, secret=None, uid=None):
        ts = str(int(time.time()) if ts is None else ts)
        text = "%s\n%s\n%s\n%s" % (method, path, ts, hashlib.sha256(body).hexdigest())
        sig = hmac.new(secret or self.secret, text.encode(), hashlib.sha256).hexdigest()
        return {"X-CP-Terminal": uid or self.uid, "X-CP-Timestamp": ts, "X-CP-Signature": sig,
                "Content-Type": "application/json"}

    def call(self, method, path, obj=None, timeout=TIMEOUT, conn=None, **sign):
        body = json.dumps(obj, ensure_ascii=False).encode() if obj is not None else b""
        st, h, data = self.hq.request(method, path, body, self.headers(method, path, body, **sign),
                                      timeout=timeout, conn=conn)
        try:
            return st, json.loads(data), h
        except ValueError:
            return st, data, h

    # -- journal rows, built like core/journal.c --

    def append(self, type_, payload):
        seq = len(self.rows) + 1
        p = dict(payload)
        p.update({"type": type_, "event_id": str(uuid.uuid4()), "at": int(time.time() * 1000),
                  "seq": seq, "store": self.store, "terminal": self.terminal})
        text = json.dumps(p, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hmac.new(self.journal_key, self.prev + seq.to_bytes(8, "big") + text.encode(),
                          hashlib.sha256).digest()
        # Forward-secure sealing: journal_key is always the next row's key.
        self.journal_key = hmac.new(self.journal_key, b"counterpoint journal seal: next key",
                                    hashlib.sha256).digest()
        row = {"seq": seq, "event_id": p["event_id"], "type": type_, "created_at": p["at"],
               "payload": text, "prev_hash": self.prev.hex(), "hash": digest.hex()}
        self.prev = digest
        self.rows.append(row)
        return row

    def receipt(self):
        self.receipts += 1
        return "%s-%s-%06d" % (self.store, self.terminal, self.receipts)

    def sale(self, member=None, points=0, growth=0, amount=2590, offer=None):
        """offer: (id, points, cash) adds a redemption line 2 of it."""
        lines = [{"n": 1, "sku": "10005", "name": "鸡蛋 30枚装", "category": "FRESH",
                  "qty": 1, "unit": amount, "amount": amount, "eligible": True}]
        total = amount
        if offer:
            lines.append({"n": 2, "sku": "10020", "name": "花生油 5L", "category": "GRAIN",
                          "qty": 1, "unit": offer[2], "amount": offer[2], "eligible": False,
                          "offer": offer[0], "points": offer[1], "cash": offer[2]})
            total += offer[2]
        return self.append("sale", {
            "receipt": self.receipt(), "staff": "1001", "member": member, "day": self.day,
            "lines": lines, "tenders": [{"method": "cash", "amount": total}], "total": total,
            "tendered": total, "change": 0, "eligible": amount,
            "multiplier_bp": 10000 if member else 0, "points": points, "growth": growth})

    def refund(self, sale_row, points=0, growth=0, type_="refund", offers=None):
        sale = json.loads(sale_row["payload"])
        p = {"receipt": self.receipt(), "sale_receipt": sale["receipt"], "sale_seq": sale["seq"],
             "staff": "1001", "authorised_by": "9001", "day": self.day,
             "lines": [{"n": 1, "amount": sale["total"]}],
             "tenders": [{"method": "cash", "amount": sale["total"]}], "amount": sale["total"],
             "member": sale["member"], "points": points, "growth": growth}
        if offers:
            p["offers"] = offers
        return self.append(type_, p)

    def register(self, phone, name="新会员", referrer=None, welcome=100, referral=200):
        self.members += 1
        local = "L-%s-%s-%d" % (self.store, self.terminal, self.members)
        self.append("member_register", {
            "member": local, "phone": phone, "name": name, "birthday": "05-17",
            "referrer": referrer, "welcome": welcome, "referral": referral if referrer else 0,
            "staff": "2001"})
        return local

    def push(self, rows=None, **kw):
        rows = self.rows if rows is None else rows
        return self.call("POST", "/v1/journal", {"rows": rows}, **kw)

    def pull_all(self, since="0", limit=1000):
        changes, notices = [], []
        while True:
            st, ans, _h = self.call("GET", "/v1/changes?since=%s&limit=%d" % (since, limit))
            assert st == 200, (st, ans)
            changes += ans["changes"]
            notices += ans["notices"]
            since = ans["next"]
            if not ans["more"]:
                return changes, notices, since

    def phone_hash(self, phone):
        return hmac.new(self.phone_key, phone.encode(), hashlib.sha256).hexdigest()


HQ = None
CERTS = None
TMP = None
_terminals = iter(range(10, 100))


def setUpModule():
    global HQ, CERTS, TMP
    TMP = tempfile.mkdtemp(prefix="cp-hq-test.")
    atexit.register(shutil.rmtree, TMP, True)
    CERTS = os.environ.get("CP_HQ_CERTS") or os.path.join(TMP, "certs")
    subprocess.run(["bash", os.path.join(HERE, "make_certs.sh"), CERTS], check=True,
                   timeout=120)
    HQ = Server(TMP, "main")


def tearDownModule():
    if HQ:
        HQ.stop()


def new_till(enrol=True, store="S001"):
    t = Till(HQ, store, "T%02d" % next(_terminals))
    if enrol:
        t.enrol()
    return t


def member(state, mid):
    return state["members"][mid]


class Test01Enrol(unittest.TestCase):
    def test_good_code(self):
        t = new_till(enrol=False)
        code = HQ.mint(t.store, t.terminal)
        self.assertRegex(code, r"^[2-9A-Z]{4}-[2-9A-Z]{4}$")
        st, ans = t.enrol_request(code)
        self.assertEqual(st, 200, ans)
        self.assertEqual(ans["terminal_uid"], t.uid)
        self.assertEqual((ans["store"], ans["terminal"], ans["applied"]),
                         (t.store, t.terminal, 0))
        self.assertRegex(ans["secret"], r"^[0-9a-f]{64}$")
        self.assertRegex(ans["phone_key"], r"^[0-9a-f]{64}$")
        t.secret = bytes.fromhex(ans["secret"])
        t.phone_key = bytes.fromhex(ans["phone_key"])
        st, got, _h = t.call("GET", "/v1/members/lookup?phone_hash=" + t.phone_hash("13800138000"))
        self.assertEqual(st, 200, got)
        self.assertEqual(got["member"]["id"], "M000001")

    def test_code_is_case_and_dash_insensitive(self):
        t = new_till(enrol=False)
        code = HQ.mint(t.store, t.terminal)
        st, ans = t.enrol_request(code.replace("-", "").lower())
        self.assertEqual(st, 200, ans)

    def test_used_code(self):
        t = new_till(enrol=False)
        code = HQ.mint(t.store, t.terminal)
        self.assertEqual(t.enrol_request(code)[0], 200)
        st, ans = t.enrol_request(code)
        self.assertEqual(st, 403)
        self.assertEqual(ans["error"]["code"], "bad_code")
        self.assertIn("used", ans["error"]["message"])

    def test_expired_code(self):
        t = new_till(enrol=False)
        code = HQ.mint(t.store, t.terminal, ttl=60)
        HQ.clock(120)
        try:
            st, ans = t.enrol_request(code)
        finally:
            HQ.clock(0)
        self.assertEqual(st, 403)
        self.assertEqual(ans["error"]["code"], "bad_code")
        self.assertIn("expired", ans["error"]["message"])

    def test_wrong_terminal(self):
        t = new_till(enrol=False)
        code = HQ.mint(t.store, t.terminal)
        st, ans = t.enrol_request(code, terminal="T99")
        self.assertEqual(st, 403)
        self.assertEqual(ans["error"]["code"], "bad_code")
        st, ans = t.enrol_request(code, store="S002")
        self.assertEqual(st, 403)
        # The mistake does not burn the code: the right terminal can still use it.
        self.assertEqual(t.enrol_request(code)[0], 200)

    def test_unknown_code(self):
        t = new_till(enrol=False)
        st, ans = t.enrol_request("ABCD-EFGH")
        self.assertEqual((st, ans["error"]["code"]), (403, "bad_code"))

    def test_bad_requests(self):
        t = new_till(enrol=False)
        code = HQ.mint(t.store, t.terminal)
        st, ans = t.enrol_request(code, protocol=2)
        self.assertEqual((st, ans["error"]["code"]), (400, "bad_request"))
        st, _h, data = HQ.request("POST", "/v1/enrol", b"not json")
        self.assertEqual(st, 400)
        self.assertEqual(json.loads(data)["error"]["code"], "bad_request")
        self.assertEqual(t.enrol_request(code)[0], 200)  # still usable

    def test_reenrol_continues_where_hq_is(self):
        t = new_till()
        t.sale()
        t.sale()
        t.sale()
        self.assertEqual(t.push()[0], 200)
        old = t.secret
        ans = t.enrol()
        self.assertEqual(ans["applied"], 3)
        self.assertNotEqual(t.secret, old)
        st, err, _h = t.call("GET", "/v1/changes?since=0&limit=1", secret=old)
        self.assertEqual((st, err["error"]["code"]), (401, "bad_signature"))
        t.sale()
        st, ans, _h = t.push(t.rows[3:])
        self.assertEqual((st, ans["applied"]), (200, 4))


class Test02Signature(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = new_till()

    def test_good(self):
        st, ans, h = self.t.call("GET", "/v1/changes?since=0&limit=1")
        self.assertEqual(st, 200, ans)
        self.assertEqual(h["Content-Type"], "application/json")

    def test_bad_signature(self):
        st, ans, _h = self.t.call("GET", "/v1/changes?since=0&limit=1", secret=os.urandom(32))
        self.assertEqual((st, ans["error"]["code"]), (401, "bad_signature"))

    def test_signature_covers_path_query_and_body(self):
        body = b'{"rows":[]}'
        h = self.t.headers("POST", "/v1/journal", body)
        st, _h, data = HQ.request("POST", "/v1/journal", b'{"rows": []}', h)
        self.assertEqual((st, json.loads(data)["error"]["code"]), (401, "bad_signature"))
        h = self.t.headers("GET", "/v1/changes?since=0&limit=1", b"")
        st, _h, data = HQ.request("GET", "/v1/changes?since=0&limit=2", b"", h)
        self.assertEqual(st, 401)
        h = self.t.headers("POST", "/v1/changes?since=0&limit=1", b"")
        st, _h, data = HQ.request("GET", "/v1/changes?since=0&limit=1", b"", h)
        self.assertEqual(st, 401)

    def test_stale_timestamp(self):
        # 20 s past the 300 s window either way: a request slowed by a loaded machine still
        # arrives outside it (at 301 s a second's delay brought it back inside).
        for skew in (-320, 320, -100000):
            st, ans, _h = self.t.call("GET", "/v1/changes?since=0&limit=1",
                                      ts=int(time.time()) + skew)
            self.assertEqual((st, ans["error"]["code"]), (401, "stale_timestamp"), skew)
            self.assertIn("clock", ans["error"]["message"])
        st, _ans, _h = self.t.call("GET", "/v1/changes?since=0&limit=1",
                                   ts=int(time.time()) - 200)
        self.assertEqual(st, 200)

    def test_hq_clock_moved(self):
        HQ.clock(400)
        try:
            st, ans, _h = self.t.call("GET", "/v1/changes?since=0&limit=1")
        finally:
            HQ.clock(0)
        self.assertEqual((st, ans["error"]["code"]), (401, "stale_timestamp"))

    def test_unknown_terminal(self):
        st, ans, _h = self.t.call("GET", "/v1/changes?since=0&limit=1", uid="S001-T98")
        self.assertEqual((st, ans["error"]["code"]), (401, "unknown_terminal"))

    def test_missing_headers(self):
        st, _h, data = HQ.request("GET", "/v1/changes?since=0")
        self.assertEqual((st, json.loads(data)["error"]["code"]), (401, "unknown_terminal"))
        st, _h, data = HQ.request("GET", "/v1/changes?since=0", b"", {"X-CP-Terminal": self.t.uid})
        self.assertEqual((st, json.loads(data)["error"]["code"]), (401, "bad_signature"))

    def test_keep_alive(self):
        conn = HQ.connection()
        try:
            for _ in range(3):
                st, _ans, _h = self.t.call("GET", "/v1/changes?since=0&limit=1", conn=conn)
                self.assertEqual(st, 200)
        finally:
            conn.close()

    def test_not_found_and_method(self):
        st, ans, _h = self.t.call("GET", "/v1/nothing")
        self.assertEqual(st, 404)
        st, ans, h = self.t.call("GET", "/v1/journal")
        self.assertEqual(st, 405)
        self.assertEqual(ans["error"]["code"], "bad_request")

    def test_old_tls_refused(self):
        ctx = ssl.create_default_context(cafile=os.path.join(CERTS, "ca.pem"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
            ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        conn = http.client.HTTPSConnection("127.0.0.1", HQ.port, context=ctx, timeout=TIMEOUT)
        with self.assertRaises((ssl.SSLError, ConnectionError)):
            conn.request("GET", "/v1/changes")
            conn.getresponse()
        conn.close()


class Test03Push(unittest.TestCase):
    def events(self, t):
        return HQ.state()["terminals"][t.uid]

    def test_same_batch_twice_is_applied_once(self):
        t = new_till()
        before = member(HQ.state(), "M000003")
        t.sale("M000003", points=25, growth=25)
        t.sale("M000003", points=10, growth=10)
        st, a1, _h = t.push()
        st2, a2, _h = t.push()
        self.assertEqual((st, st2), (200, 200), (a1, a2))
        self.assertEqual(a1["applied"], 2)
        self.assertEqual(a2["applied"], 2)
        self.assertEqual(a1["members"], a2["members"])  # the answer repeated, fresh snapshot
        s = HQ.state()
        self.assertEqual(s["terminals"][t.uid], {"applied": 2, "events": {"sale": 2}, "rows": 2})
        self.assertEqual(member(s, "M000003")["points"], before["points"] + 35)
        self.assertEqual(member(s, "M000003")["version"], before["version"] + 2)
        self.assertFalse(s["applied_twice"])
        self.assertTrue(s["balances_match"], s["mismatches"])

    def test_overlapping_batches(self):
        t = new_till()
        for _ in range(5):
            t.sale()
        self.assertEqual(t.push(t.rows[:3])[1]["applied"], 3)
        st, ans, _h = t.push(t.rows[1:5])
        self.assertEqual((st, ans["applied"]), (200, 5))
        self.assertEqual(self.events(t)["events"], {"sale": 5})

    def test_applied_never_past_the_request(self):
        # The till acknowledges nothing it did not send: a repeated smaller batch is answered
        # with its own last row, although HQ holds more (issue 8, item 5).
        t = new_till()
        for _ in range(5):
            t.sale()
        self.assertEqual(t.push()[1]["applied"], 5)
        st, ans, _h = t.push(t.rows[:2])
        self.assertEqual((st, ans["applied"]), (200, 2))
        st, ans, _h = t.push(t.rows[2:4])
        self.assertEqual((st, ans["applied"]), (200, 4))
        self.assertEqual(self.events(t)["applied"], 5)
        self.assertEqual(self.events(t)["events"], {"sale": 5})

    def test_gap(self):
        t = new_till()
        for _ in range(5):
            t.sale()
        self.assertEqual(t.push(t.rows[:2])[0], 200)
        st, ans, _h = t.push(t.rows[3:5])
        self.assertEqual(st, 409)
        self.assertEqual(ans["error"]["code"], "gap")
        self.assertEqual(ans["error"]["expected"], 3)
        self.assertEqual(ans["error"]["applied"], 2)
        self.assertEqual(set(ans), {"error"})
        self.assertEqual(self.events(t)["applied"], 2)
        st, ans, _h = t.push(t.rows[2:5])
        self.assertEqual((st, ans["applied"]), (200, 5))

    def test_gap_inside_a_batch_keeps_the_rows_before(self):
        t = new_till()
        for _ in range(4):
            t.sale()
        st, ans, _h = t.push([t.rows[0], t.rows[1], t.rows[3]])
        self.assertEqual((st, ans["error"]["expected"]), (409, 3))
        self.assertEqual(self.events(t)["applied"], 2)

    def test_tampered_payload(self):
        t = new_till()
        before = member(HQ.state(), "M000004")
        for _ in range(5):
            t.sale("M000004", points=7, growth=7)
        bad = [dict(r) for r in t.rows]
        bad[3]["payload"] = bad[3]["payload"].replace('"points":7', '"points":7000')
        st, ans, _h = t.push(bad)
        self.assertEqual(st, 422, ans)
        self.assertEqual(ans["error"]["code"], "chain_broken")
        self.assertEqual((ans["error"]["seq"], ans["error"]["applied"]), (4, 3))
        s = HQ.state()
        self.assertEqual(s["terminals"][t.uid]["applied"], 3)  # rows before stay applied
        self.assertEqual(member(s, "M000004")["points"], before["points"] + 21)
        # Nothing of row 4 was applied: the genuine row is still welcome.
        st, ans, _h = t.push(t.rows[3:])
        self.assertEqual((st, ans["applied"]), (200, 5))
        self.assertEqual(member(HQ.state(), "M000004")["points"], before["points"] + 35)

    def test_broken_prev_hash_and_rewritten_history(self):
        t = new_till()
        for _ in range(3):
            t.sale()
        bad = dict(t.rows[0])
        bad["prev_hash"] = "11" * 32
        st, ans, _h = t.push([bad])
        self.assertEqual((st, ans["error"]["code"], ans["error"]["seq"]), (422, "chain_broken", 1))
        self.assertEqual(t.push()[0], 200)
        # A row HQ holds, sent again with another hash: the history was rewritten.
        other = Till(HQ, t.store, t.terminal)
        other.secret, other.journal_key = t.secret, t.journal_key
        other.sale(amount=1)
        st, ans, _h = other.push()
        self.assertEqual((st, ans["error"]["code"], ans["error"]["seq"]), (422, "chain_broken", 1))

    def test_wrong_journal_key(self):
        t = new_till()
        t.journal_key = os.urandom(32)
        t.sale()
        st, ans, _h = t.push()
        self.assertEqual((st, ans["error"]["seq"]), (422, 1))

    def test_row_resealed_with_the_files_key(self):
        # Forward-secure sealing: a till's file holds only the next row's key, so a row
        # rewritten before it reached HQ and sealed again with that key is refused.
        t = new_till()
        t.sale()
        t.sale(amount=100000)
        t.sale()
        self.assertEqual(t.push(t.rows[:1])[0], 200)
        key = t.journal_key  # all the file holds: the key of row 4
        prev = bytes.fromhex(t.rows[0]["hash"])
        for r in t.rows[1:]:
            p = json.loads(r["payload"])
            if p["seq"] == 2:
                p["total"] = 17208
            r["payload"] = json.dumps(p, sort_keys=True, separators=(",", ":"),
                                      ensure_ascii=False)
            h = hmac.new(key, prev + r["seq"].to_bytes(8, "big") + r["payload"].encode(),
                         hashlib.sha256).digest()
            r["prev_hash"], r["hash"], prev = prev.hex(), h.hex(), h
        st, ans, _h = t.push(t.rows[1:])
        self.assertEqual((st, ans["error"]["code"], ans["error"]["seq"]), (422, "chain_broken", 2))

    def test_enrolled_after_rows_checks_seals_from_then(self):
        # A till enrolled after it sold gives the key of its next row: the rows before are
        # linked, the rows from it on are sealed.
        t = new_till(enrol=False)
        t.sale()
        t.sale()
        t.enrol()
        t.sale()
        self.assertEqual(t.push()[0], 200)
        t.journal_key = os.urandom(32)
        t.sale()
        st, ans, _h = t.push()
        self.assertEqual((st, ans["error"]["seq"]), (422, 4))

    def test_empty_and_malformed_batches(self):
        t = new_till()
        st, ans, _h = t.push([])
        self.assertEqual((st, ans), (200, {"applied": 0, "members": []}))
        for body in ({"rows": "x"}, {"rows": [{"seq": 1}]}, {"nope": 1},
                     {"rows": [{"seq": 0, "payload": "{}", "prev_hash": "0" * 64,
                                "hash": "0" * 64}]}):
            st, ans, _h = t.call("POST", "/v1/journal", body)
            self.assertEqual((st, ans["error"]["code"]), (400, "bad_request"), body)

    def test_balances_refund_and_tier_upgrade(self):
        t = new_till()
        before = member(HQ.state(), "M000002")
        self.assertEqual(before["tier"], 0)
        sale = t.sale("M000002", points=1600, growth=1600, amount=160000)
        t.refund(sale, points=400, growth=400)
        t.sale("M000002", points=5, growth=5, amount=500)
        st, ans, _h = t.push()
        self.assertEqual(st, 200, ans)
        snap = {m["id"]: m for m in ans["members"]}["M000002"]
        self.assertEqual(snap["points"], before["points"] + 1205)
        self.assertEqual(snap["growth"], before["growth"] + 1205)
        # 500 + 1600 = 2100 reached 银卡 at once; the refund does not take it away.
        self.assertEqual(snap["tier"], 1)
        self.assertEqual(snap["tier_until"],
                         hqmod.add_year(datetime.date.fromisoformat(t.day)).isoformat())
        self.assertEqual(snap["version"], before["version"] + 3)
        self.assertNotIn("phone", snap)
        s = HQ.state()
        self.assertEqual(s["movement_sums"]["M000002"]["points"], member(s, "M000002")["points"])
        self.assertTrue(s["balances_match"], s["mismatches"])
        self.assertTrue(s["lots_match"])
        self.assertEqual(s["terminals"][t.uid]["events"], {"sale": 2, "refund": 1})

    def test_void_and_clawback_below_zero(self):
        t = new_till()
        t.register("13700000077")
        st, ans, _h = t.push()
        mid = ans["members"][0]["id"]
        sale = t.sale(mid, points=50, growth=50)
        t.refund(sale, points=50, growth=50, type_="void")
        t.sale(mid, points=10, growth=10)
        t.refund(t.rows[-1], points=300, growth=10)  # the points were spent elsewhere
        st, ans, _h = t.push()
        self.assertEqual(st, 200, ans)
        self.assertEqual(ans["members"][0]["points"], 100 + 50 - 50 + 10 - 300)
        s = HQ.state()
        self.assertTrue(s["balances_match"] and s["lots_match"])
        self.assertEqual(s["terminals"][t.uid]["events"],
                         {"member_register": 1, "sale": 2, "void": 1, "refund": 1})

    def test_offer_points_spent_and_given_back(self):
        t = new_till()
        before = member(HQ.state(), "M000009")["points"]
        sale = t.sale("M000009", points=25, growth=25, offer=("P-OIL", 300, 7990))
        st, ans, _h = t.push()
        self.assertEqual(st, 200, ans)
        self.assertEqual({m["id"]: m for m in ans["members"]}["M000009"]["points"],
                         before + 25 - 300)
        t.refund(sale, offers=[{"n": 2, "offer": "P-OIL", "points": 300, "cash": 7990,
                                "day": t.day}])
        st, ans, _h = t.push()
        self.assertEqual(st, 200, ans)
        self.assertEqual({m["id"]: m for m in ans["members"]}["M000009"]["points"],
                         before + 25 - 300 + 300)
        s = HQ.state()
        self.assertTrue(s["balances_match"], s["mismatches"])
        self.assertTrue(s["lots_match"])
        self.assertEqual(s["terminals"][t.uid]["events"], {"sale": 1, "refund": 1})

    def test_unknown_member_and_unknown_type(self):
        t = new_till()
        t.sale("M999999", points=10, growth=10)
        t.append("shift_open", {"staff": "1001", "float": 20000})
        st, ans, _h = t.push()
        self.assertEqual((st, ans["applied"]), (200, 2))
        changes, notices, _c = t.pull_all(since=str(HQ.state()["next_cursor"] - 5))
        self.assertIn("unknown_member", [n["kind"] for n in notices])


class Test04Registration(unittest.TestCase):
    def test_new_phone(self):
        t = new_till()
        local = t.register("13700000001", name="王小明")
        st, ans, _h = t.push()
        self.assertEqual(st, 200, ans)
        (m,) = ans["members"]
        self.assertRegex(m["id"], r"^M\d{6}$")
        self.assertGreater(int(m["id"][1:]), 1000)  # continues after the seeded members
        self.assertEqual(m["local_id"], local)
        self.assertEqual((m["points"], m["growth"], m["tier"], m["version"]), (100, 0, 0, 1))
        self.assertEqual(m["phone_masked"], "137****0001")
        self.assertEqual(m["phone_hash"], t.phone_hash("13700000001"))
        self.assertEqual(m["name"], "王小明")
        self.assertEqual(m["expiring_points"], 100)
        # A later sale naming the terminal-scoped id is mapped to HQ's member.
        t.sale(local, points=30, growth=30)
        st, ans, _h = t.push()
        self.assertEqual(ans["members"][0]["id"], m["id"])
        self.assertEqual(ans["members"][0]["points"], 130)
        # Lookup by the phone's hash finds it, with the local id for this terminal only.
        st, got, _h = t.call("GET", "/v1/members/lookup?phone_hash=" + m["phone_hash"])
        self.assertEqual((st, got["member"]["local_id"]), (200, local))
        other = new_till()
        st, got, _h = other.call("GET", "/v1/members/lookup?phone_hash=" + m["phone_hash"])
        self.assertNotIn("local_id", got["member"])

    def test_referral(self):
        t = new_till()
        ref_before = member(HQ.state(), "M000010")
        t.register("13700000002", referrer="M000010")
        st, ans, _h = t.push()
        snaps = {m["id"]: m for m in ans["members"]}
        self.assertEqual(set(snaps) - {"M000010"}, {ans["members"][0]["id"]})
        self.assertEqual(ans["members"][0]["points"], 300)
        self.assertEqual(snaps["M000010"]["points"], ref_before["points"] + 200)
        # A member registered here offline can refer the next one by its local id.
        local = "L-%s-1" % t.uid
        t.register("13700000003", referrer=local)
        st, ans, _h = t.push(t.rows[1:])
        self.assertEqual(st, 200)
        self.assertEqual({m["local_id"] for m in ans["members"]}, {local, "L-%s-2" % t.uid})
        self.assertTrue(HQ.state()["balances_match"])

    def test_known_phone_merges(self):
        t = new_till()
        before = member(HQ.state(), "M000001")
        _c, _n, cursor = t.pull_all()
        local = t.register("13800138000", referrer="M000002")
        t.sale(local, points=40, growth=40)
        st, ans, _h = t.push()
        self.assertEqual(st, 200, ans)
        (m,) = ans["members"]  # no referral: M000002 untouched
        self.assertEqual((m["id"], m["local_id"]), ("M000001", local))
        self.assertEqual(m["points"], before["points"] + 40)  # no welcome points
        self.assertEqual(m["version"], before["version"] + 2)
        self.assertNotIn("13800138000", json.dumps(ans))
        changes, notices, _c = t.pull_all(cursor)
        (n,) = notices
        self.assertEqual(n["kind"], "member_merged")
        self.assertEqual((n["data"]["from"], n["data"]["into"]), (local, "M000001"))
        self.assertIn("138****8000", n["data"]["message"])
        self.assertNotIn("13800138000", json.dumps(notices))
        self.assertRegex(n["id"], r"^n-\d+$")
        self.assertIsInstance(n["at"], int)
        upserts = [c["data"] for c in changes if c["kind"] == "member"]
        self.assertEqual([(d["id"], d.get("local_id")) for d in upserts], [("M000001", local)])
        other = new_till()
        self.assertEqual(other.pull_all(cursor)[1], [])  # the notice is for that terminal only
        self.assertTrue(HQ.state()["balances_match"])

    def test_two_terminals_same_new_phone(self):
        a, b = new_till(), new_till()
        la = a.register("13700000004")
        lb = b.register("13700000004")
        ma = a.push()[1]["members"][0]
        mb = b.push()[1]["members"][0]
        self.assertEqual(mb["id"], ma["id"])
        self.assertEqual((ma["local_id"], mb["local_id"]), (la, lb))
        self.assertEqual(mb["points"], 100)  # one welcome only
        notices = b.pull_all(str(HQ.state()["next_cursor"] - 3))[1]
        self.assertEqual([(n["kind"], n["data"]["into"]) for n in notices],
                         [("member_merged", ma["id"])])


class Test05Feed(unittest.TestCase):
    def test_pages(self):
        t = new_till()
        seen, since = [], "0"
        for _ in range(3):
            st, ans, _h = t.call("GET", "/v1/changes?since=%s&limit=2" % since)
            self.assertEqual(st, 200, ans)
            self.assertEqual(len(ans["changes"]) + len(ans["notices"]), 2)
            self.assertTrue(ans["more"])
            self.assertIsInstance(ans["next"], str)
            self.assertGreater(int(ans["next"]), int(since))
            seen += ans["changes"]
            since = ans["next"]
        self.assertEqual([c["kind"] for c in seen[:2]], ["config", "category"])
        rest, _n, last = t.pull_all(since, limit=5000)  # clamped to 1000 a page
        seen += rest
        st, ans, _h = t.call("GET", "/v1/changes?since=%s&limit=2" % last)
        self.assertEqual((ans["changes"], ans["notices"], ans["next"], ans["more"]),
                         ([], [], last, False))
        kinds = {}
        for c in seen:
            kinds.setdefault(c["kind"], []).append(c)
        self.assertEqual(set(kinds), {"config", "category", "tier", "earn_rules", "item",
                                      "staff", "member", "offer", "coupon_template",
                                      "coupon_rule", "lifecycle_rules", "benefit"})
        self.assertEqual([c["data"] for c in kinds["lifecycle_rules"]],
                         [STORE["lifecycle_rules"]])
        staged = {c["data"]["id"]: c["data"]["stage"] for c in kinds["member"]
                  if "stage" in c["data"]}
        self.assertEqual(staged, {m["id"]: m["stage"] for m in STORE["members"] if "stage" in m})
        self.assertEqual([c["data"] for c in kinds["benefit"]], STORE["benefits"])
        self.assertEqual([c["data"] for c in kinds["offer"]], STORE["offers"])
        self.assertEqual([c["data"] for c in kinds["coupon_template"]],
                         STORE["coupon_templates"])
        self.assertEqual([c["data"] for c in kinds["coupon_rule"]], STORE["coupon_rules"])
        self.assertEqual(len(kinds["item"]), len(STORE["items"]))
        self.assertEqual(len(kinds["tier"]), len(STORE["tiers"]))
        self.assertGreaterEqual(len(kinds["member"]), len(STORE["members"]))
        ids = [c["data"]["id"] for c in kinds["member"]]
        self.assertEqual(len(ids), len(set(ids)))  # each member once: the feed is compacted
        self.assertEqual(kinds["earn_rules"][0]["data"], STORE["earn_rules"])
        item = {c["data"]["sku"]: c["data"] for c in kinds["item"]}[STORE["items"][4]["sku"]]
        self.assertEqual(item, dict(STORE["items"][4], active=True))
        self.assertEqual(kinds["tier"][0]["data"], STORE["tiers"][0])
        staff = {c["data"]["code"]: c["data"] for c in kinds["staff"]}["1001"]
        self.assertEqual(staff["pin_iter"], 100000)
        self.assertEqual(len(bytes.fromhex(staff["pin_salt"])), 16)
        self.assertEqual(hashlib.pbkdf2_hmac("sha256", b"1111", bytes.fromhex(staff["pin_salt"]),
                                             staff["pin_iter"]).hex(), staff["pin_hash"])
        self.assertNotIn("pin", staff)
        m1 = {c["data"]["id"]: c["data"] for c in kinds["member"]}["M000001"]
        self.assertEqual(m1["phone_hash"], t.phone_hash("13800138000"))
        self.assertNotIn("phone", m1)
        self.assertNotIn('"13800138000"', json.dumps(seen))
        keys = {"id", "phone_hash", "phone_masked", "card_no", "name", "birthday", "points",
                "growth", "tier", "tier_until", "expiring_points", "expiring_on", "guide",
                "version"}
        self.assertTrue(keys <= set(m1), keys - set(m1))

    def test_a_changed_member_comes_again(self):
        t = new_till()
        _c, _n, cursor = t.pull_all()
        t.sale("M000005", points=9, growth=9)
        ans = t.push()[1]
        changes, notices, nxt = t.pull_all(cursor, limit=2)
        self.assertEqual([c["data"]["id"] for c in changes], ["M000005"])
        self.assertEqual(changes[0]["data"]["version"], ans["members"][0]["version"])
        self.assertGreater(int(nxt), int(cursor))

    def test_bad_cursor_and_limit(self):
        t = new_till()
        for q in ("since=abc", "since=-1", "since=0&limit=0", "since=0&limit=x",
                  "since=0&since=1"):
            st, ans, _h = t.call("GET", "/v1/changes?" + q)
            self.assertEqual((st, ans["error"]["code"]), (400, "bad_request"), q)
        st, ans, _h = t.call("GET", "/v1/changes")  # defaults: since 0
        self.assertEqual(st, 200)
        self.assertTrue(ans["more"])


class Test06Lookup(unittest.TestCase):
    def test_lookup(self):
        t = new_till()
        st, by_hash, _h = t.call("GET", "/v1/members/lookup?phone_hash=" +
                                 t.phone_hash("13800138000"))
        self.assertEqual(st, 200)
        self.assertEqual(by_hash["member"]["phone_masked"], "138****8000")
        st, upper, _h = t.call("GET", "/v1/members/lookup?phone_hash=" +
                               t.phone_hash("13800138000").upper())
        self.assertEqual(upper, by_hash)
        st, by_card, _h = t.call("GET", "/v1/members/lookup?card=8800000001")
        self.assertEqual((st, by_card), (200, by_hash))
        for q in ("phone_hash=" + t.phone_hash("13000000000"), "card=123"):
            st, ans, _h = t.call("GET", "/v1/members/lookup?" + q)
            self.assertEqual((st, ans["error"]["code"]), (404, "not_found"), q)
        for q in ("", "phone_hash=xyz", "card=1&phone_hash=" + "0" * 64):
            st, ans, _h = t.call("GET", "/v1/members/lookup?" + q)
            self.assertEqual((st, ans["error"]["code"]), (400, "bad_request"), q)


class Test07Faults(unittest.TestCase):
    def setUp(self):
        self.t = new_till()

    def tearDown(self):
        HQ.faults([])

    def applied(self):
        return HQ.state()["terminals"][self.t.uid]["applied"]

    def fault(self, action, **kw):
        rule = {"path": "/v1/journal", "action": action, "count": 1}
        rule.update(kw)
        HQ.faults([rule])

    def then_clean(self, expect_applied):
        self.assertEqual(self.applied(), expect_applied)
        st, ans, _h = self.t.push()
        self.assertEqual((st, ans["applied"]), (200, len(self.t.rows)))
        s = HQ.state()
        self.assertEqual(s["terminals"][self.t.uid]["events"], {"sale": len(self.t.rows)})
        self.assertFalse(s["applied_twice"])
        self.assertTrue(s["balances_match"])
        return ans

    def test_close_before(self):
        self.t.sale("M000006", points=3, growth=3)
        self.fault("close_before")
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError, ssl.SSLError)):
            self.t.push()
        self.then_clean(0)

    def test_close_after(self):
        self.t.sale("M000006", points=3, growth=3)
        self.fault("close_after")
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError, ssl.SSLError)):
            self.t.push()
        ans = self.then_clean(1)  # applied although the answer was lost
        self.assertEqual([m["id"] for m in ans["members"]], ["M000006"])

    def test_delay(self):
        self.t.sale()
        self.fault("delay", ms=300)
        started = time.monotonic()
        st, ans, _h = self.t.push()
        self.assertGreaterEqual(time.monotonic() - started, 0.3)
        self.assertEqual((st, ans["applied"]), (200, 1))

    def test_status(self):
        self.t.sale()
        for status, ra in ((503, 7), (429, 3), (500, None)):
            if ra is None:
                self.fault("status", status=status)
            else:
                self.fault("status", status=status, retry_after=ra)
            st, ans, h = self.t.push()
            self.assertEqual(st, status)
            self.assertIn("code", ans["error"])
            self.assertEqual(h.get("Retry-After"), None if ra is None else str(ra))
        self.then_clean(0)

    def test_truncate(self):
        self.t.sale("M000006", points=3, growth=3)
        self.fault("truncate")
        with self.assertRaises((http.client.IncompleteRead, ValueError, ssl.SSLError)):
            st, data, _h = self.t.push()
            json.loads(data) if isinstance(data, bytes) else None
            raise ValueError("the truncated body parsed")
        self.then_clean(1)

    def test_malformed(self):
        self.t.sale()
        self.fault("malformed")
        st, data, h = self.t.push()
        self.assertEqual((st, h["Content-Type"]), (200, "application/json"))
        self.assertIsInstance(data, bytes)  # not JSON
        self.then_clean(0)

    def test_content_type(self):
        self.t.sale()
        self.fault("content_type")
        st, data, h = self.t.push()
        self.assertEqual(st, 200)
        self.assertTrue(h["Content-Type"].startswith("text/html"))
        self.then_clean(0)

    def test_hang(self):
        self.t.sale()
        self.fault("hang")
        result = {}

        def hung():
            try:
                result["answer"] = self.t.push(timeout=3)
            except (socket.timeout, TimeoutError, ssl.SSLError, OSError) as e:
                result["error"] = e

        th = threading.Thread(target=hung)
        th.start()
        time.sleep(0.3)
        # Other requests are served meanwhile.
        st, _ans, _h = self.t.call("GET", "/v1/changes?since=0&limit=1")
        self.assertEqual(st, 200)
        th.join(TIMEOUT)
        self.assertIn("error", result, result)
        self.then_clean(0)

    def test_count_probability_and_path(self):
        self.t.sale()
        HQ.faults([{"path": "/v1/changes", "action": "status", "status": 503},
                   {"path": "/v1/journal", "action": "status", "status": 500,
                    "probability": 0},
                   {"path": "/v1/journal", "action": "status", "status": 503, "count": 2}])
        codes = [self.t.push()[0] for _ in range(3)]
        self.assertEqual(codes, [503, 503, 200])
        self.assertEqual(self.t.call("GET", "/v1/changes?since=0&limit=1")[0], 503)
        # A seeded rule fires the same way every time.
        patterns = []
        for _ in range(2):
            HQ.faults([{"path": "/v1/journal", "action": "status", "status": 503,
                        "probability": 0.5, "seed": 42}])
            patterns.append([self.t.push()[0] for _ in range(12)])
        self.assertEqual(patterns[0], patterns[1])
        self.assertEqual(set(patterns[0]), {200, 503})

    def test_status_retry_after_text(self):
        # A date (in the past) or garbage goes out as it is: the till must keep its floor.
        self.t.sale()
        for ra in ("Wed, 21 Oct 2015 07:28:00 GMT", "soon, maybe"):
            self.fault("status", status=503, retry_after=ra)
            st, _ans, h = self.t.push()
            self.assertEqual((st, h.get("Retry-After")), (503, ra))
        self.then_clean(0)

    def test_ack(self):
        # HQ applies the push, then answers an "applied" the till must refuse (item 5).
        for _ in range(3):
            self.t.sale()
        rows = self.t.rows
        for kw, want in (({"applied": 4}, 4), ({"offset": 2}, 4), ({"offset": -2}, 0),
                         ({"applied": -1}, -1), ({"applied": "2"}, "2"),
                         ({"applied": 2.5}, 2.5), ({"applied": None}, None)):
            self.fault("ack", **kw)
            st, ans, _h = self.t.push(rows[:2])
            self.assertEqual((st, ans["applied"], len(ans["members"])), (200, want, 0), kw)
        self.fault("ack", omit=True)
        st, ans, _h = self.t.push(rows[:2])
        self.assertEqual(st, 200)
        self.assertNotIn("applied", ans)
        self.assertIn("members", ans)
        # The push itself was applied, once.
        self.assertEqual(self.applied(), 2)
        ans = self.then_clean(2)
        self.assertEqual(ans["applied"], 3)
        f = HQ.state()["faults"]
        self.assertEqual((f[0]["action"], f[0]["fired"]), ("ack", 1))

    def test_bad_rules(self):
        st, _h, data = HQ.request("POST", "/_test/faults", b'[{"action": "explode"}]')
        self.assertEqual(st, 400)
        for rule in ({"action": "ack"}, {"action": "ack", "applied": 1, "offset": 1},
                     {"action": "ack", "offset": "1"}, {"action": "ack", "omit": False},
                     {"action": "status", "retry_after": -1},
                     {"action": "status", "retry_after": ""},
                     {"action": "status", "retry_after": "x" * 101},
                     {"action": "status", "retry_after": "bad\nheader"}):
            st, _h, data = HQ.request("POST", "/_test/faults", json.dumps([rule]).encode())
            self.assertEqual(st, 400, rule)


class Test08ExactlyOnceUnderFaults(unittest.TestCase):
    """A small version of the integration test: two terminals, random faults on a third."""

    def test_two_terminals(self):
        rng = random.Random(7)
        tills = [new_till(), new_till()]
        phones = ["1370000%04d" % i for i in range(100, 130)]
        for t in tills:
            for i in range(150):
                r = rng.random()
                if r < 0.1:
                    t.register(rng.choice(phones))
                elif r < 0.2 and t.rows and json.loads(t.rows[-1]["payload"]).get("member") \
                        and t.rows[-1]["type"] == "sale":
                    p = json.loads(t.rows[-1]["payload"])
                    t.refund(t.rows[-1], points=p["points"] // 2, growth=p["growth"] // 2)
                else:
                    m = rng.choice(["M%06d" % rng.randint(3, 1000), None] +
                                   (["L-%s-%d" % (t.uid, t.members)] if t.members else []))
                    pts = rng.randint(0, 300)
                    t.sale(m, points=pts if m else 0, growth=pts if m else 0)
        HQ.faults([{"path": "/v1/journal", "action": a, "probability": 0.05, "seed": i,
                    "status": 503, "retry_after": 0, "ms": 50}
                   for i, a in enumerate(["close_before", "close_after", "truncate",
                                          "malformed", "content_type", "status", "delay"])])
        acked = {t.uid: 0 for t in tills}
        attempts = 0
        try:
            while any(acked[t.uid] < len(t.rows) for t in tills) and attempts < 2000:
                for t in tills:
                    attempts += 1
                    start = acked[t.uid]
                    batch = t.rows[start:start + rng.randint(1, 40)]
                    if not batch:
                        continue
                    try:
                        st, ans, _h = t.push(batch)
                    except (http.client.HTTPException, OSError, ssl.SSLError):
                        continue
                    if st == 200 and isinstance(ans, dict) and "applied" in ans:
                        acked[t.uid] = ans["applied"]
                    elif st == 409 and isinstance(ans, dict):
                        acked[t.uid] = ans["error"]["expected"] - 1
        finally:
            HQ.faults([])
        s = HQ.state()
        for t in tills:
            self.assertEqual(s["terminals"][t.uid]["applied"], len(t.rows))
            self.assertEqual(s["terminals"][t.uid]["rows"], len(t.rows))
        self.assertFalse(s["applied_twice"], s["duplicates"])
        self.assertTrue(s["balances_match"], s["mismatches"])
        self.assertTrue(s["lots_match"])
        self.assertGreater(sum(f["fired"] for f in s["faults"]) if s["faults"] else 1, 0)


class Test09ReviewExpire(unittest.TestCase):
    """Runs last: moves every member (the CLI works on the live database)."""

    def test_expire_then_review(self):
        t = new_till()
        st, m1, _h = t.call("GET", "/v1/members/lookup?card=8800000001")
        m1 = m1["member"]
        self.assertEqual((m1["expiring_points"], m1["expiring_on"]), (500, "2026-12-31"))
        _c, _n, cursor = t.pull_all()
        out = run("expire", "--db", HQ.db, "--date", "2027-01-01").stdout
        self.assertIn("expired", out)
        st, after, _h = t.call("GET", "/v1/members/lookup?card=8800000001")
        after = after["member"]
        self.assertEqual(after["points"], m1["points"] - 500)
        self.assertEqual(after["version"], m1["version"] + 1)
        self.assertNotEqual(after["expiring_on"], "2026-12-31")
        # Running it again expires nothing more.
        run("expire", "--db", HQ.db, "--date", "2027-01-01")
        st, again, _h = t.call("GET", "/v1/members/lookup?card=8800000001")
        self.assertEqual(again["member"], after)
        changes, _n, cursor = t.pull_all(cursor)
        self.assertIn("M000001", [c["data"]["id"] for c in changes if c["kind"] == "member"])

        # A year and more later with no growth since the opening balance: 金卡 is lost.
        far = hqmod.add_year(hqmod.add_year(datetime.date.today())).isoformat()
        out = run("review", "--db", HQ.db, "--date", far).stdout
        self.assertIn("went down", out)
        st, rev, _h = t.call("GET", "/v1/members/lookup?card=8800000001")
        rev = rev["member"]
        self.assertEqual((rev["tier"], rev["tier_until"], rev["growth"]), (0, None, 0))
        self.assertEqual(rev["points"], after["points"])
        self.assertEqual(rev["version"], after["version"] + 1)
        s = HQ.state()
        self.assertTrue(s["balances_match"], s["mismatches"])
        self.assertTrue(s["lots_match"])
        self.assertTrue(all(m["tier"] == 0 or m["tier_until"] > far
                            for m in s["members"].values()))
        changes, _n, _c = t.pull_all(cursor)
        self.assertIn("M000001", [c["data"]["id"] for c in changes if c["kind"] == "member"])

    def test_offer_cli_upsert_and_delete(self):
        t = new_till()
        _c, _n, cursor = t.pull_all()
        offer = dict(STORE["offers"][0], id="P-NEW", points=10)
        run("offer", "--db", HQ.db, "--json", json.dumps(offer))
        run("offer", "--db", HQ.db, "--delete", "P-BAG")
        changes, _n, _c = t.pull_all(cursor)
        got = [(c["kind"], c["op"], c.get("key") or c["data"]["id"]) for c in changes
               if c["kind"] == "offer"]
        self.assertEqual(got, [("offer", "upsert", "P-NEW"), ("offer", "delete", "P-BAG")])
        self.assertEqual([c["data"] for c in changes if c["kind"] == "offer" and
                          c["op"] == "upsert"], [offer])

    def test_review_keeps_a_tier_earned_this_year(self):
        t = new_till()
        st, m = t.call("GET", "/v1/members/lookup?card=8800000020")[:2]
        m = m["member"]
        t.sale("M000020", points=60000, growth=60000)  # 钻石 at once
        ans = t.push()[1]
        self.assertEqual(ans["members"][0]["tier"], 4)
        until = ans["members"][0]["tier_until"]
        run("review", "--db", HQ.db, "--date", until)
        st, rev = t.call("GET", "/v1/members/lookup?card=8800000020")[:2]
        self.assertEqual(rev["member"]["tier"], 4)
        self.assertEqual(rev["member"]["tier_until"],
                         hqmod.add_year(datetime.date.fromisoformat(until)).isoformat())
        self.assertGreaterEqual(rev["member"]["growth"], 60000)


class Test10Process(unittest.TestCase):
    def test_plain_http_and_sigterm(self):
        srv = Server(TMP, "plain", tls=False)
        try:
            t = Till(srv, "S001", "T01")
            t.enrol()
            st, ans, _h = t.call("GET", "/v1/changes?since=0&limit=3")
            self.assertEqual((st, len(ans["changes"])), (200, 3))
            with open(os.path.join(srv.dir, "port")) as f:
                self.assertRegex(f.read(), r"^\d+\n$")
        finally:
            rc = srv.stop()
        self.assertEqual(rc, 0, srv.log_tail())
        log = srv.log_tail()
        self.assertIn("GET /v1/changes 200", log)
        self.assertIn("stopped", log)
        self.assertNotIn(t.secret.hex(), log)

    def test_loopback_only(self):
        self.assertTrue(hqmod.is_loopback("127.0.0.1"))
        self.assertTrue(hqmod.is_loopback("::1"))
        self.assertFalse(hqmod.is_loopback("0.0.0.0"))
        self.assertFalse(hqmod.is_loopback("192.0.2.1"))
        self.assertFalse(hqmod.is_loopback("example.invalid"))

    def test_init_refuses_to_overwrite(self):
        p = run("init", "--db", HQ.db, "--store-json", STORE_JSON, check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--force", p.stderr)


class Test20StoreTotals(unittest.TestCase):
    """GET /v1/reports/store (issue 11): the store's day from the rows HQ applied."""

    def test_two_terminals(self):
        day = "2031-03-03"  # a day no other test sells on
        a, b = new_till(), new_till()
        a.day = b.day = day
        s1 = a.sale(amount=2590)
        a.sale(amount=1000)
        a.refund(s1)
        b.sale(amount=4000)
        s4 = b.sale(amount=700)
        b.refund(s4, type_="void")
        b.day = "2031-03-04"
        b.sale(amount=99)  # another day
        for t in (a, b):
            st, ans, _h = t.push()
            self.assertEqual(st, 200, ans)
        b.day = day
        b.sale(amount=5000)  # not pushed: HQ does not know it
        want_a = {"terminal": a.terminal, "sales": {"count": 2, "amount": 3590},
                  "refunds": {"count": 1, "amount": 2590}, "voids": {"count": 0, "amount": 0},
                  "net": 1000}
        want_b = {"terminal": b.terminal, "sales": {"count": 2, "amount": 4700},
                  "refunds": {"count": 0, "amount": 0}, "voids": {"count": 1, "amount": 700},
                  "net": 4000}
        for t in (a, b):
            st, ans, _h = t.call("GET", "/v1/reports/store?day=" + day)
            self.assertEqual(st, 200, ans)
            self.assertEqual(ans["store"], "S001")
            self.assertEqual(ans["day"], day)
            self.assertEqual(ans["sales"], {"count": 4, "amount": 8290})
            self.assertEqual(ans["refunds"], {"count": 1, "amount": 2590})
            self.assertEqual(ans["voids"], {"count": 1, "amount": 700})
            self.assertEqual(ans["net"], 8290 - 2590 - 700)
            self.assertEqual(sorted(ans["terminals"], key=lambda x: x["terminal"]),
                             sorted([want_a, want_b], key=lambda x: x["terminal"]))
        st, ans, _h = a.call("GET", "/v1/reports/store?day=2031-05-05")
        self.assertEqual(st, 200, ans)
        self.assertEqual((ans["sales"], ans["net"], ans["terminals"]),
                         ({"count": 0, "amount": 0}, 0, []))

    def test_bad_requests(self):
        t = new_till()
        for q in ("", "?day=", "?day=2031-02-30", "?day=20310303",
                  "?day=2031-03-03&day=2031-03-04"):
            st, ans, _h = t.call("GET", "/v1/reports/store" + q)
            self.assertEqual(st, 400, (q, ans))
            self.assertEqual(ans["error"]["code"], "bad_request")
        st, ans, _h = t.call("POST", "/v1/reports/store?day=2031-03-03", {})
        self.assertEqual(st, 405, ans)
        st, _ans, _h = t.call("GET", "/v1/reports/store?day=2031-03-03", secret=b"x" * 32)
        self.assertEqual(st, 401)


def main():
    prog = unittest.main(module=__name__, exit=False, verbosity=2 if "-v" in sys.argv else 1)
    result = prog.result
    if not result.wasSuccessful() and HQ:
        sys.stderr.write("---- hq.py log (last lines) ----\n" + HQ.log_tail())
    sys.exit(0 if result.wasSuccessful() else 1)


class Test11GuideBindings(unittest.TestCase):
    """Issue 10: HQ has the last word on a member's guide; the first binding it applies wins."""

    @staticmethod
    def hq_guide(mid):
        c = sqlite3.connect(HQ.db)
        try:
            return c.execute("SELECT guide FROM members WHERE id = ?", (mid,)).fetchone()[0]
        finally:
            c.close()

    @staticmethod
    def bind(t, mid, guide, previous, type_="guide_bind"):
        kind = type_[len("guide_"):]
        return t.append(type_, {"kind": kind, "member": mid, "guide": guide,
                                "previous": previous, "staff": "1001", "authorised_by": None,
                                "reason": None, "day": t.day})

    @staticmethod
    def conflicts(t):
        _c, notices, _s = t.pull_all()
        return [n for n in notices if n["kind"] == "binding_conflict"]

    def test_first_binding_wins_and_the_other_till_is_told(self):
        a, b = new_till(), new_till()
        mid = "M000003"
        self.assertIsNone(self.hq_guide(mid))
        version = member(HQ.state(), mid)["version"]
        self.bind(a, mid, "2001", None)
        self.bind(b, mid, "2002", None)  # both offline, neither knew of the other
        b.sale(mid, amount=1000)
        st, ans, _h = a.push()
        self.assertEqual(st, 200, ans)
        self.assertEqual({m["id"]: m for m in ans["members"]}[mid]["guide"], "2001")
        st, ans, _h = b.push()
        self.assertEqual(st, 200, ans)
        snap = {m["id"]: m for m in ans["members"]}[mid]
        self.assertEqual(snap["guide"], "2001")
        self.assertGreater(snap["version"], version + 1)
        self.assertEqual(self.hq_guide(mid), "2001")
        got = self.conflicts(b)
        self.assertEqual(len(got), 1, got)
        self.assertEqual((got[0]["data"]["till_guide"], got[0]["data"]["hq_guide"],
                          got[0]["data"]["seq"]), ("2002", "2001", 1))
        self.assertEqual(self.conflicts(a), [])
        # The same batch again changes nothing and tells nothing more.
        st, ans, _h = b.push()
        self.assertEqual(st, 200, ans)
        self.assertEqual(len(self.conflicts(b)), 1)

    def test_takeover_knowing_hqs_guide_and_unbind(self):
        a, b = new_till(), new_till()
        mid = "M000004"
        self.bind(a, mid, "2001", None)
        self.assertEqual(a.push()[0], 200)
        self.bind(b, mid, "2002", "2001", "guide_takeover")  # b had HQ's guide
        self.bind(b, mid, "2002", "2002", "guide_refresh")
        self.assertEqual(b.push()[0], 200)
        self.assertEqual(self.hq_guide(mid), "2002")
        self.bind(a, mid, None, "2001", "guide_unbind")  # a did not know: a conflict
        self.assertEqual(a.push()[0], 200)
        self.assertEqual(self.hq_guide(mid), "2002")
        self.assertEqual(len(self.conflicts(a)), 1)
        self.bind(b, mid, None, "2002", "guide_unbind")
        self.assertEqual(b.push()[0], 200)
        self.assertIsNone(self.hq_guide(mid))
        self.assertEqual(self.conflicts(b), [])


if __name__ == "__main__":
    main()
