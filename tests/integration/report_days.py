"""report_days.py — random days of a till, then every figure of every day's report checked
against a recomputation from the journal's payloads alone (never the tables the report reads).

Run by test_report_days.sh in its scratch directory: argv is the counterpoint binary, the demo
store's JSON and a seed. Sessions of `counterpoint script` run under faketime at moving times
across business-day cut-overs (04:00) and the November/December month boundary; some days are
closed by a Z report, after which sales belong to the next business day. Prints
"N passed, M failed" and exits non-zero on a failure."""
import datetime
import json
import random
import sqlite3
import subprocess
import sys
import time

CP, STORE, SEED = sys.argv[1], sys.argv[2], int(sys.argv[3])
DB = "./till.db"
CUTOVER_S = 4 * 3600
rng = random.Random(SEED)
store = json.load(open(STORE))
cats = {c["code"]: c for c in store["categories"]}
items = [i for i in store["items"] if i.get("barcode")]
members = [m["phone"] for m in store["members"]]
cashiers = [(s["code"], s["pin"]) for s in store["staff"] if s["role"] != "guide"]
badges = [s["badge"] for s in store["staff"] if s["role"] == "guide" and s.get("badge")]
passed = failed = 0


def check(what, ok):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what, file=sys.stderr)


def at(when):
    return ["faketime", when.strftime("%Y-%m-%d %H:%M:%S")]


# The faketime wrapper names a semaphore after its process id and refuses to start when one of
# that name is left over ("sem_open: File exists"); such a start ran nothing, so it is tried
# again, a bounded number of times.
FAKETIME_TRIES = 5


def faketime_refused(stderr):
    return b"faketime: sem_open" in stderr


def run_at(when, args, text=b""):
    for _ in range(FAKETIME_TRIES):
        out = subprocess.run(at(when) + args, input=text, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, check=False)
        if not faketime_refused(out.stderr):
            break
    return out


def session(when, cmds):
    """One script session started at local time `when`; the answers, one per command."""
    text = "".join(json.dumps(c) + "\n" for c in cmds)
    out = run_at(when, [CP, "--db", DB, "script"], text.encode())
    answers = [json.loads(l) for l in out.stdout.decode().splitlines() if l.strip()]
    assert len(answers) == len(cmds), (cmds, answers, out.stderr)
    return answers


def cli(when, *args):
    return run_at(when, [CP, "--db", DB] + list(args))


subprocess.run([CP, "--db", DB, "init", "--demo"], check=True, stdout=subprocess.DEVNULL)
receipts = []  # (receipt, lines) of sales that may still be refunded
phones = 0
now = datetime.datetime(2026, 11, 28, 9, 0, 0)
end = datetime.datetime(2026, 12, 3, 22, 0, 0)
zs = 0
zdays = set()
while now < end:
    who = rng.choice(cashiers)
    cmds = [{"cmd": "login", "staff": who[0], "pin": who[1]}]
    for _ in range(rng.randint(1, 4)):
        for _ in range(rng.randint(1, 3)):
            cmds.append({"cmd": "scan", "code": rng.choice(items)["barcode"],
                         "qty": rng.randint(1, 3)})
        if rng.random() < 0.5:
            cmds.append({"cmd": "attach", "phone": rng.choice(members)})
        elif rng.random() < 0.4:  # a guide served a customer who is no member
            cmds.append({"cmd": "serve", "badge": rng.choice(badges)})
        method = rng.choice(["cash", "cash", "card", "wechat", "alipay"])
        cmds.append({"cmd": "pay", "tenders": [{"method": "cash", "amount": "10000.00"}]
                     if method == "cash" else [{"method": method, "amount": "PAYALL"}]})
    if rng.random() < 0.3:
        phones += 1
        reg = {"cmd": "register", "phone": "1370000%04d" % phones, "name": "客%d" % phones,
               "consent": True}
        if rng.random() < 0.5:
            reg["referrer"] = rng.choice(members)
        cmds.append(reg)
    if rng.random() < 0.4:  # a binding, a refresh or a takeover (with a manager's word)
        cmds.append({"cmd": "bind", "phone": rng.choice(members), "badge": rng.choice(badges),
                     "manager": "9001", "pin": "9999", "reason": "the customer asked"})
    if rng.random() < 0.3:
        cmds.append({"cmd": "shift_move", "kind": "in", "amount": "%d.%02d" % (
            rng.randint(1, 300), rng.randint(0, 99)), "reason": "change from the bank"})
    # Non-cash pays the exact total: the cart is asked first. One session, line by line.
    answers = []
    pending = []
    for c in cmds:
        if c["cmd"] == "pay" and c["tenders"][0]["amount"] == "PAYALL":
            pending.append({"cmd": "cart"})
            pending.append(None)  # filled from the cart's total
        else:
            pending.append(c)
    for _ in range(FAKETIME_TRIES):
        errlog = open("script-stderr.txt", "wb")
        proc = subprocess.Popen(at(now) + [CP, "--db", DB, "script"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=errlog)
        # the till reads nothing before its first line: a refused start shows at once
        proc.stdin.write(b'{"cmd":"logout"}\n')
        proc.stdin.flush()
        first = proc.stdout.readline()
        proc.poll()
        errlog.close()
        if first or not faketime_refused(open("script-stderr.txt", "rb").read()):
            break
        proc.wait()

    def answer():
        line = proc.stdout.readline()
        if not line:
            print("FAIL: the till ended at %s; its stderr: %s" % (
                now, open("script-stderr.txt").read()[-2000:]), file=sys.stderr)
            sys.exit(1)
        return json.loads(line)
    last_cart = None
    for i, c in enumerate(pending):
        if c is None:
            fen = last_cart["cart"]["total"] if last_cart and last_cart.get("ok") else 1
            total = fen if isinstance(fen, str) else "%d.%02d" % (fen // 100, fen % 100)
            c = {"cmd": "pay", "tenders": [{"method": rng.choice(["card", "wechat", "alipay"]),
                                            "amount": total}]}
        proc.stdin.write((json.dumps(c) + "\n").encode())
        proc.stdin.flush()
        a = answer()
        if c["cmd"] == "cart":
            last_cart = a
        if c["cmd"] == "pay" and a.get("ok"):
            receipts.append((a["receipt"], now))
        elif c["cmd"] == "pay":  # said below; the next sale starts afresh
            proc.stdin.write(b'{"cmd":"cancel"}\n')
            proc.stdin.flush()
            answer()
        answers.append((c, a))
    # Refunds and post-voids by a manager, of earlier receipts.
    for _ in range(rng.randint(0, 2)):
        if not receipts:
            break
        r, when = receipts.pop(rng.randrange(len(receipts)))
        kind = "void" if rng.random() < 0.4 else "refund"
        c = {"cmd": kind, "receipt": r, "manager": "9001", "pin": "9999"}
        if kind == "refund" and rng.random() < 0.5:
            c["lines"] = [1]
        proc.stdin.write((json.dumps(c) + "\n").encode())
        proc.stdin.flush()
        answers.append((c, answer()))
    proc.stdin.close()
    proc.wait()
    for c, a in answers:
        if c["cmd"] in ("pay", "register", "login", "shift_move", "bind", "serve"):
            check("%s at %s: %s" % (c["cmd"], now, a), a.get("ok"))
    # Now and then the day is closed (Z) and its shift counted, and a new shift opens; a day
    # whose Z is taken before its calendar day ends gets the sales up to the cut-over.
    today = (now - datetime.timedelta(seconds=CUTOVER_S)).date().isoformat()
    if rng.random() < 0.25 and today not in zdays:
        zdays.add(today)
        closing = now + datetime.timedelta(minutes=5)
        out = session(closing, [{"cmd": "login", "staff": "9001", "pin": "9999"},
                                {"cmd": "shift_close", "counted": "100x%d 0.5x3" % rng.randint(0, 9)},
                                {"cmd": "report", "kind": "z"},
                                {"cmd": "shift_open", "float": "200.00"}])
        check("close, Z and open at %s: %s" % (closing, out), all(a.get("ok") for a in out))
        zs += 1
    now += datetime.timedelta(minutes=rng.choice([37, 95, 170, 240, 410]))

check("at least one Z report was taken", zs > 0)

# ---- the recomputation, from the journal's payloads alone ----
h = sqlite3.connect(DB)
rows = [(seq, typ, json.loads(p)) for seq, typ, p in
        h.execute("SELECT seq, type, payload FROM journal ORDER BY seq")]
acked = int(h.execute("SELECT value FROM meta WHERE key = 'acked_seq'").fetchone()[0])
by_sku = {i["sku"]: i for i in store["items"]}
tier_of = {m["id"]: m["tier"] for m in store["members"]}
tiers = {t["level"]: t for t in store["tiers"]}


def member_saving(member, it, qty):
    """What the member saves on qty of item it: member price or tier discount, the better."""
    listed = it["price"] * qty
    best = it["member_price"] * qty if it.get("member_price") is not None else listed
    t = tiers.get(tier_of.get(member, 0), {})
    bp = t.get("discount_bp") or 0
    if bp and it["category"] not in (t.get("discount_except") or "").split(","):
        best = min(best, listed - (listed * bp * 2 + 10000) // 20000)
    return listed - best


for seq, typ, p in rows:  # each sale carries its lines' member-price savings and their sum
    if typ == "sale":
        check("sale %d: member_saving is the sum of its lines' savings" % seq,
              p.get("member_saving") == sum(l.get("saving", 0) for l in p["lines"]))


def bday(ms):
    t = time.localtime(ms // 1000 - CUTOVER_S)
    return "%04d-%02d-%02d" % (t.tm_year, t.tm_mon, t.tm_mday)


closed = []
day_of = {}
for seq, typ, p in rows:
    if isinstance(p.get("day"), str):
        d = p["day"]
    else:
        d = bday(p["at"])
        if closed and max(closed) >= d:
            nd = datetime.date.fromisoformat(max(closed)) + datetime.timedelta(days=1)
            d = nd.isoformat()
    day_of[seq] = d
    if typ == "day_close":
        closed.append(p["day"])


def money():
    return {"count": 0, "amount": 0}


KINDS = ("member", "coupon", "manual", "rounding")


def trunc_div(a, b):
    """a / b rounded toward zero, as SQLite's integer division."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def line_offs():
    """What each sale line was given off its list price, by kind, from the sale payloads; and
    what each refund took back of it: a part of a line its units' share (toward zero), the
    refund taking the line's last units what the earlier parts left."""
    offs, back, sold, taken, parts = {}, {}, {}, {}, {}
    for seq, typ, p in rows:
        if typ == "sale":
            for l in p["lines"]:
                offs[(seq, l["n"])] = {"member": l.get("saving", 0),
                                       "coupon": 0, "manual": l.get("discount", 0),
                                       "rounding": 0}
                sold[(seq, l["n"])] = l["qty"]
            for c in p.get("coupons_used", []):
                for cl in c["lines"]:
                    offs[(seq, cl["n"])]["coupon"] += cl["fen"]
            if isinstance(p.get("rounding"), dict):
                for rl in p["rounding"]["lines"]:
                    offs[(seq, rl["n"])]["rounding"] += rl["fen"]
        elif typ in ("refund", "void"):
            b = back.setdefault(seq, {k: 0 for k in KINDS})
            for l in p["lines"]:
                key = (p["sale_seq"], l["n"])
                o = offs[key]
                done = parts.setdefault(key, {k: 0 for k in KINDS})
                taken[key] = taken.get(key, 0) + l.get("qty", sold[key])
                whole = "qty" not in l or taken[key] >= sold[key]
                for k in KINDS:
                    share = o[k] - done[k] if whole else trunc_div(o[k] * l["qty"], sold[key])
                    if not whole:
                        done[k] += share
                    b[k] += share
    return offs, back


def expected_for(day):
    e = {"day": day, "sales": money(), "refunds": money(), "voids": money(), "gross": 0,
         "discounts": 0, "net": 0, "truncated": False, "member_savings": 0,
         "rounding": money(), "cancelled": money(), "noreceipt": money()}
    tenders, points, cashiers_, hours = {}, {}, {}, [money() for _ in range(24)]
    guides = {}
    msales, osales = money(), money()
    change = 0
    new = referrals = 0
    shifts = []

    def cashier(code):
        return cashiers_.setdefault(code, {"staff": code, "sales": money(), "refunds": money()})

    def guide(code):
        return guides.setdefault(code, {"guide": code, "bound": set(), "sales": money(),
                                        "reversed": money()})

    def add(m, amount):
        m["count"] += 1
        m["amount"] += amount

    def move(kind, pts, growth):
        k = points.setdefault(kind, {"kind": kind, "points": 0, "growth": 0})
        k["points"] += pts
        k["growth"] += growth

    offs, back = line_offs()
    off = {k: 0 for k in KINDS}
    lines = paid_back = 0
    for seq, typ, p in rows:
        if day_of[seq] != day:
            continue
        if typ == "sale":
            for l in p["lines"]:
                for k in KINDS:
                    off[k] += offs[(seq, l["n"])][k]
            add(e["sales"], p["total"])
            add(msales if p["member"] else osales, p["total"])
            add(cashier(p["staff"])["sales"], p["total"])
            add(hours[time.localtime(p["at"] // 1000).tm_hour], p["total"])
            lines += sum(l["amount"] for l in p["lines"])
            # the member's saving, from the catalogue's list and member prices and the tier's
            # discount (the lower price of the two, the percentage half up per line)
            for l in p["lines"]:
                it = by_sku[l["sku"]]
                if p["member"] and "offer" not in l:
                    e["member_savings"] += member_saving(p["member"], it, l["qty"])
            change += p["change"]
            for t in p["tenders"]:
                tenders[t["method"]] = tenders.get(t["method"], 0) + t["amount"]
            if p["member"] and (p["points"] or p["growth"]):
                move("earn", p["points"], p["growth"])
            if isinstance(p.get("guide"), str):
                add(guide(p["guide"])["sales"], p["total"])
            if isinstance(p.get("rounding"), dict):  # 抹零 of the cash due
                add(e["rounding"], p["rounding"]["fen"])
        elif typ == "cart_cancel":  # an open sale with lines thrown away
            add(e["cancelled"], p["total"])
        elif typ == "refund_noreceipt":  # a refund without a receipt: a refund, in cash
            for m in (e["refunds"], e["noreceipt"], cashier(p["staff"])["refunds"]):
                add(m, p["amount"])
            for t in p["tenders"]:
                tenders[t["method"]] = tenders.get(t["method"], 0) - t["amount"]
        elif typ in ("refund", "void"):
            add(e["voids" if typ == "void" else "refunds"], p["amount"])
            paid_back += p["amount"]
            for k in KINDS:
                off[k] -= back[seq][k]
            add(cashier(p["staff"])["refunds"], p["amount"])
            for t in p["tenders"]:
                tenders[t["method"]] = tenders.get(t["method"], 0) - t["amount"]
            if p["member"] and (p["points"] or p["growth"]):
                move("clawback", -p["points"], -p["growth"])
            if isinstance(p.get("guide"), str):
                add(guide(p["guide"])["reversed"], p["amount"])
        elif typ in ("guide_bind", "guide_takeover"):
            guide(p["guide"])["bound"].add(p["member"])
        elif typ == "member_register":
            new += 1
            if p["welcome"] > 0:
                move("welcome", p["welcome"], 0)
            if p["referrer"] and p["referral"] > 0:
                referrals += 1
                move("referral", 2 * p["referral"], 0)
        elif typ == "shift_open":
            shifts.append(seq)
    if "cash" in tenders:
        tenders["cash"] -= change
    # gross at list price and the discounts by kind, both net of what the refunds took back
    e["discount_kinds"] = off
    e["discounts"] = sum(off.values())
    e["gross"] = lines + sum(offs[key][k] for key in offs if day_of[key[0]] == day
                             for k in KINDS) - paid_back - sum(
        back[seq][k] for seq in back if day_of[seq] == day for k in KINDS)
    check("%s: the sales' lines add up to the sales" % day, lines == e["sales"]["amount"])
    e["net"] = e["sales"]["amount"] - e["refunds"]["amount"] - e["voids"]["amount"]
    e["tenders"] = [{"method": m, "amount": tenders[m]} for m in sorted(tenders)]
    e["points"] = [points[k] for k in sorted(points)]
    e["cashiers"] = sorted(cashiers_.values(), key=lambda c: c["staff"])
    e["guides"] = [dict(g, bound=len(g["bound"]),
                        net=g["sales"]["amount"] - g["reversed"]["amount"])
                   for g in sorted(guides.values(), key=lambda g: g["guide"])]
    e["hours"] = [{"hour": i, "count": hours[i]["count"], "amount": hours[i]["amount"]}
                  for i in range(24)]
    share = msales["amount"] * 10000 // e["sales"]["amount"] if e["sales"]["amount"] else 0
    e["members"] = {"sales": msales, "others": osales, "share_bp": share,
                    "average": msales["amount"] // msales["count"] if msales["count"] else 0,
                    "others_average": osales["amount"] // osales["count"]
                    if osales["count"] else 0, "new": new, "referrals": referrals}
    e["shifts"] = [shift_of(s) for s in shifts]
    e["unacked"] = sum(1 for seq, _, _ in rows if day_of[seq] == day and seq > acked)
    z = [seq for seq, typ, p in rows if typ == "day_close" and p["day"] == day]
    e["z_seq"] = z[0] if z else 0
    e["closed"] = bool(z)
    return e


def shift_of(open_seq):
    p = dict(rows[open_seq - 1][2])
    close = next(((seq, q) for seq, typ, q in rows if typ == "shift_close"
                  and q["shift"] == open_seq), None)
    upto = close[0] if close else 1 << 62
    cash = pin = pout = 0
    for seq, typ, q in rows:
        if open_seq < seq <= upto:
            if typ == "sale":
                cash += sum(t["amount"] for t in q["tenders"] if t["method"] == "cash")
                cash -= q["change"]
            elif typ in ("refund", "void"):
                cash -= sum(t["amount"] for t in q["tenders"] if t["method"] == "cash")
            elif typ == "shift_move" and q["shift"] == open_seq:
                if q["kind"] == "in":
                    pin += q["amount"]
                else:
                    pout += q["amount"]
    s = {"seq": open_seq, "staff": p["staff"], "opened_at": p["at"], "float": p["float"],
         "cash": cash, "pay_in": pin, "pay_out": pout,
         "expected": p["float"] + cash + pin - pout, "closed": bool(close),
         "counted": close[1]["counted"] if close else 0,
         "over_short": close[1]["over_short"] if close else 0}
    if close:
        check("shift %d: the close recorded the expected cash" % open_seq,
              close[1]["expected"] == s["expected"])
        check("shift %d: over/short is counted less expected" % open_seq,
              close[1]["over_short"] == close[1]["counted"] - s["expected"])
    return s


days = sorted(set(day_of.values()))
check("the days cross the month boundary", any(d.endswith("-11-30") for d in days)
      and any(d.startswith("2026-12") for d in days))
last = end + datetime.timedelta(days=1)
for day in days:
    out = cli(last, "report", "daily", "--date", day, "--format", "json")
    if out.returncode != 0:
        check("report daily --date %s: %s" % (day, out.stderr.decode()), False)
        continue
    got = json.loads(out.stdout)
    want = expected_for(day)
    check("%s: the store's totals are HQ's, unavailable here (no HQ)" % day,
          got.get("store_totals", {}).get("available") is False)
    for k in ("report", "store", "terminal", "store_totals"):
        got.pop(k, None)
    for k in sorted(set(got) | set(want)):
        check("%s: %s is %s, the journal says %s" % (day, k, got.get(k), want.get(k)),
              got.get(k) == want.get(k))
    check("%s: the day had sales" % day, want["sales"]["count"] > 0 or day == days[-1])

kinds = {t for _, t, _ in rows}
for t in ("sale", "refund", "void", "member_register", "shift_move", "shift_close", "day_close",
          "guide_bind", "guide_takeover"):
    check("the days hold a %s event" % t, t in kinds)
check("some days hold points of several kinds",
      {"earn", "clawback", "welcome", "referral"} <= {k["kind"] for d in days
                                                     for k in expected_for(d)["points"]})

check("some day credits a guide with members bound, sales and reversed credit",
      any(g["bound"] and g["sales"]["count"] and g["reversed"]["count"]
          for d in days for g in expected_for(d)["guides"]))

out = cli(last, "verify")
check("verify holds, Z reports included: %s" % out.stderr.decode(), out.returncode == 0)
print("%d passed, %d failed" % (passed, failed))
sys.exit(0 if failed == 0 else 1)
