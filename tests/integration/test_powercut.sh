#!/usr/bin/env bash
# test_powercut.sh — power cuts, simulated by the thousand (issue 13). The powercut.c shim keeps
# what every file held when last made durable (fsync/fdatasync) and, before the Nth call that
# changes or flushes a file, puts all of it back (every write not yet durable is lost) and
# kills the program. Two sessions are cut at every such call in turn:
#   script: `counterpoint script` logs in, scans, changes quantities, removes a line, attaches a
#           member, pays, registers a member, refunds a sale, cancels a cart, pays again;
#   sync:   `counterpoint sync --once` against the reference HQ over TLS on 127.0.0.1 pushes
#           those rows (HQ acknowledges them) and pulls the whole store in change pages.
# After every cut the database is opened again: `verify` passes (chain, no gap, every table
# equal to the journal's replay), the integrity check passes, every sale, refund and
# registration answered ok before the cut is there, at most one unanswered one is, and every
# 20th cut the till sells again (script) or syncs to the end (sync). It prints the counts; acknowledged sales
# lost and verify failures must be 0. Cart edits (scan, quantity, remove, attach) commit without
# a flush (issue 14): a cut just after one may lose it, and some must (the sales stay).
#
#   CP_POWERCUT_STRIDE  cut at every Nth call of each session (default 1: every call; 10 under
#                       a sanitizer, whose runtime is preloaded too)
#   CP_POWERCUT_ROUNDS  how many times the sweep runs, each with its own session (default 3;
#                       the documented long run: CP_POWERCUT_ROUNDS=40)
set -euo pipefail
. "$CP_SOURCE_DIR/tests/integration/sync_lib.sh"
: "${CP_POWERCUT_LIB:?CP_POWERCUT_LIB must name the powercut shim}"
sync_lib_enter powercut

PRELOAD=$CP_POWERCUT_LIB
asan=$(ldd "$CP_BINARY" | awk '/lib[at]san/ { print $3; exit }')
[ -n "$asan" ] && PRELOAD="$asan $CP_POWERCUT_LIB"

CP_HQ_PBKDF2_ITER=1000 hq_init hq.db
hq_start hq.db hq 0 --cert "$CERTS/server.pem" --key "$CERTS/server.key"
URL=https://127.0.0.1:$HQ_PORT
export HQ_PORT
# Fast PIN hashing and small change pages (the store comes in several).
printf '[security]\npbkdf2_iterations = 1000\n[sync]\nca_file = %s\npull_limit = 40\n' \
	"$CERTS/ca.pem" >till.ini
"$CP" --config till.ini --db base.db init --demo >/dev/null
"$CP" --config till.ini --db base.db enrol --hq "$URL" --code "$(hq_code hq.db S001 T01)" >/dev/null
"$CP" --config till.ini --db base.db sync --once >/dev/null

python3 - "$CP" "$PRELOAD" "$PWD/till.ini" <<'PY'
import json, os, select, shutil, sqlite3, subprocess, sys

cp, preload, ini = sys.argv[1:4]
# Under a sanitizer (several times slower) a deterministic spread: every 10th call.
stride = int(os.environ.get("CP_POWERCUT_STRIDE", "10" if " " in preload else "1"))
rounds = int(os.environ.get("CP_POWERCUT_ROUNDS", "3"))
DB = "till.db"
cuts = lost = lost_other = verify_failed = failures = resumed = 0
edits_lost = edit_cuts = 0  # cart edits answered, then lost to the cut (they are not flushed)


def fail(what):
    global failures
    failures += 1
    print("FAIL: " + what, file=sys.stderr)


def restore(template):
    for ext in ("", "-wal", "-shm"):
        if os.path.exists(DB + ext):
            os.unlink(DB + ext)
        if os.path.exists(template + ext):
            shutil.copyfile(template + ext, DB + ext)


def env(cut, count=None):
    e = dict(os.environ, LD_PRELOAD=preload, CP_POWERCUT_AT=str(cut))
    if count:
        e["CP_POWERCUT_COUNT"] = os.path.abspath(count)
    return e


def session(r):
    """The script session of round r: every kind of write a till makes, in a few orders."""
    phone = "1371234%04d" % r
    s = [{"cmd": "login", "staff": "1001", "pin": "1111"}, {"cmd": "take_over"},
         {"cmd": "scan", "code": "10001"}, {"cmd": "scan", "code": "10002", "qty": 2},
         {"cmd": "set_qty", "line": 2, "qty": 3}, {"cmd": "scan", "code": "10003"},
         {"cmd": "remove", "line": 3}, {"cmd": "attach", "phone": "13800138000"},
         {"cmd": "pay", "tenders": [{"method": "cash", "amount": "1000.00"}]},
         {"cmd": "register", "phone": phone, "name": "Cut%d" % r, "consent": True},
         {"cmd": "scan", "code": "10004"},
         {"cmd": "pay", "tenders": [{"method": "cash", "amount": "1000.00"}]},
         {"cmd": "refund", "receipt": "$1", "lines": [1], "manager": "9001", "pin": "9999"},
         {"cmd": "scan", "code": "10005"}, {"cmd": "cancel"},
         {"cmd": "scan", "code": "10006"}, {"cmd": "attach", "phone": phone},
         {"cmd": "pay", "tenders": [{"method": "cash", "amount": "1000.00"}]}]
    if r % 2:  # the other order: the registration and refund before the second sale
        s[9:13] = [s[12], s[9], s[10], s[11]]
    return s


def run_script(reqs, cut, count=None):
    """Runs the session with a cut at call `cut`; returns (answers received, exit status)."""
    p = subprocess.Popen([cp, "--config", ini, "--db", DB, "script"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env(cut, count))
    answers, receipts = [], []
    for req in reqs:
        if req.get("receipt") == "$1":
            if not receipts:
                continue
            req = dict(req, receipt=receipts[0])
        try:
            p.stdin.write((json.dumps(req) + "\n").encode())
            p.stdin.flush()
        except BrokenPipeError:
            break
        r, _, _ = select.select([p.stdout], [], [], 300)
        line = p.stdout.readline() if r else b""
        if not line:
            break
        a = json.loads(line)
        answers.append((req, a))
        if req["cmd"] == "pay" and a["ok"]:
            receipts.append(a["receipt"])
    try:
        p.stdin.close()
    except BrokenPipeError:
        pass
    return answers, p.wait(timeout=300)


def acknowledged(answers):
    sales, refunds, members = set(), set(), set()
    for req, a in answers:
        if not a["ok"]:
            continue
        if req["cmd"] == "pay":
            sales.add(a["receipt"])
        elif req["cmd"] == "refund":
            refunds.add(a["receipt"])
        elif req["cmd"] == "register":
            members.add(a["member"]["id"])
    return sales, refunds, members


def contents():
    h = sqlite3.connect(DB)
    ok = h.execute("PRAGMA integrity_check").fetchone()[0]
    got = (ok, {r[0] for r in h.execute("SELECT receipt FROM sale")},
           {r[0] for r in h.execute("SELECT receipt FROM refund")},
           {r[0] for r in h.execute("SELECT id FROM member WHERE local = 1")},
           h.execute("SELECT count(*) FROM journal").fetchone()[0])
    h.close()
    return got


def cart_lines():
    h = sqlite3.connect(DB)
    got = {(r[0], r[1], r[2]) for r in h.execute("SELECT line_no, sku, qty FROM cart_line")}
    h.close()
    return got


def cart_states(answers, base):
    """The cart as each answered request left it, oldest first (base: before the session)."""
    states = [base]
    for req, a in answers:
        if "cart" in a:
            states.append({(l["line"], l["sku"], l["qty"]) for l in a["cart"]["lines"]})
        elif a["ok"] and req["cmd"] in ("pay", "cancel"):
            states.append(set())
    return states


def check_cart_edit(reqs, answers, base, unanswered_sale):
    """After a cut that followed an answered cart edit: is the cart as that edit left it, or
    as an earlier answer left it (the edit lost)? Cart edits commit with synchronous=NORMAL,
    so a cut may take them, never a paid sale. A cut just before the answer of a pay or a
    cancel is left out: that request may have committed and emptied the cart."""
    global edits_lost, edit_cuts
    if not answers or unanswered_sale:
        return
    req, a = answers[-1]
    nxt = reqs[len(answers)]["cmd"] if len(answers) < len(reqs) else None
    if req["cmd"] not in ("scan", "set_qty", "remove", "attach") or not a["ok"] or \
            nxt in ("pay", "cancel"):
        return
    edit_cuts += 1
    states = cart_states(answers, base)
    have = cart_lines()
    if have != states[-1] and have in states[:-1]:
        edits_lost += 1


def verify(label):
    global verify_failed
    v = subprocess.run([cp, "--config", ini, "--db", DB, "verify"], capture_output=True,
                       text=True)
    if v.returncode != 0:
        verify_failed += 1
        fail("%s: verify: %s %s" % (label, v.stdout, v.stderr))


def sync(cut=0, count=None):
    return subprocess.run([cp, "--config", ini, "--db", DB, "sync", "--once"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env=env(cut, count)).returncode


def status():
    out = subprocess.run([cp, "--config", ini, "--db", DB, "status", "--json"],
                         capture_output=True, text=True).stdout
    return json.loads(out)


def resume(label, sell):
    """The till after the cut sells again (script cuts) or syncs everything (sync cuts: a new
    sale there would give HQ a row that the next cut's template does not have)."""
    global resumed
    if sell:
        reqs = [{"cmd": "login", "staff": "1001", "pin": "1111"}, {"cmd": "take_over"},
                {"cmd": "scan", "code": "10001"},
                {"cmd": "pay", "tenders": [{"method": "cash", "amount": "1000.00"}]}]
        answers, rc = run_script(reqs, 0)
        if rc != 0 or not answers or not answers[-1][1]["ok"]:
            fail("%s: the till does not sell after the cut: %s" % (label, answers[-2:]))
    else:
        rc = sync()
        st = status()
        if rc != 0 or st["queue_depth"] != 0 or st["acked_seq"] != st["last_seq"]:
            fail("%s: sync after the cut did not finish: %s %s" % (label, rc, st))
    verify(label + " (resumed)")
    resumed += 1


def count(path):
    with open(path) as f:
        return int(f.read())


for r in range(rounds):
    # ---- the script session, cut at every call in turn
    restore("base.db")
    _, base_sales, base_refunds, base_members, _ = contents()
    base_cart = cart_lines()
    reqs = session(r)
    answers, rc = run_script(reqs, 0, "count.txt")
    total = count("count.txt")
    if rc != 0 or not all(a["ok"] for q, a in answers if q["cmd"] != "take_over"):
        fail("round %d: the session without a cut fails: %s" % (r, answers))
    verify("round %d without a cut" % r)
    for f in ("", "-wal"):
        if os.path.exists(DB + f):
            shutil.copyfile(DB + f, "synced%d.db%s" % (r, f))
    for n in range(1 + r % stride, total + 1, stride):
        label = "round %d script cut %d/%d" % (r, n, total)
        restore("base.db")
        answers, rc = run_script(reqs, n)
        if rc != -9:
            fail("%s: not cut (exit %s)" % (label, rc))
        cuts += 1
        sales, refunds, members = acknowledged(answers)
        verify(label)
        ok, have_sales, have_refunds, have_members, _ = contents()
        if ok != "ok":
            fail("%s: integrity check: %s" % (label, ok))
        check_cart_edit(reqs, answers, base_cart, bool(have_sales - sales - base_sales))
        missing = (sales - have_sales) | (refunds - have_refunds) | (members - have_members)
        if missing:
            lost += len(sales - have_sales)
            lost_other += len(missing) - len(sales - have_sales)
            fail("%s: acknowledged yet lost after the cut: %s" % (label, sorted(missing)))
        if len(have_sales - sales - base_sales) + len(have_refunds - refunds - base_refunds) + \
                len(have_members - members - base_members) > 1:
            fail("%s: more than the one unanswered write is there" % label)
        if cuts % 20 == 0:
            resume(label, True)
    # ---- sync: the rows of that session pushed (HQ has them from the first run on, so it
    # acknowledges them again) and the whole store pulled in pages, cut at every call
    restore("synced%d.db" % r)
    shutil.copyfile("synced%d.db" % r, "template.db")
    if sync() != 0:
        fail("round %d: the first sync fails" % r)
    restore("template.db")
    rc = sync(0, "count.txt")
    total = count("count.txt")
    if rc != 0:
        fail("round %d: sync without a cut fails" % r)
    _, want_sales, want_refunds, want_members, journal = contents()
    for n in range(1 + r % stride, total + 1, stride):
        label = "round %d sync cut %d/%d" % (r, n, total)
        restore("template.db")
        rc = sync(n)
        if rc != -9:
            fail("%s: not cut (exit %s)" % (label, rc))
        cuts += 1
        verify(label)
        ok, have_sales, have_refunds, have_members, have_journal = contents()
        if ok != "ok":
            fail("%s: integrity check: %s" % (label, ok))
        if have_sales != want_sales or have_refunds != want_refunds or have_journal != journal:
            lost += len(want_sales - have_sales)
            fail("%s: the journal's sales changed under a sync" % label)
        if cuts % 20 == 0:
            resume(label, False)
    # Every later round starts from a till whose rows HQ holds, as after a day's sync.
    restore("synced%d.db" % r)
    sync()
    shutil.copyfile(DB, "base.db")

state = json.loads(subprocess.run(
    ["python3", "-c", """import json, ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[1])
o = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=ctx))
print(o.open("https://127.0.0.1:%s/_test/state" % sys.argv[2], timeout=30).read().decode())""",
     os.path.join(os.getcwd(), "certs", "ca.pem"), os.environ["HQ_PORT"]],
    capture_output=True, text=True).stdout)
if state.get("applied_twice") is not False:
    fail("HQ applied a row twice: %s" % state)
print("power cuts simulated: %d, acknowledged sales lost: %d, acknowledged refunds and "
      "registrations lost: %d, verify failures: %d, resumed after a cut: %d"
      % (cuts, lost, lost_other, verify_failed, resumed))
# Every call of each session is cut. Since issue 14 a commit writes its WAL frames in one call
# (core/db_vfs.c): three rounds make about 370 cuts, where they made over 1,000.
if cuts < 300 and stride == 1 and rounds >= 3:
    fail("fewer than 300 cuts: %d" % cuts)
# The cheaper durability of cart edits is in use (and the paid sales above all survived it).
print("cuts just after an answered cart edit: %d, of which the edit was lost: %d"
      % (edit_cuts, edits_lost))
if stride == 1 and edit_cuts >= 10 and edits_lost == 0:
    fail("no cart edit was ever lost to a cut: are cart edits flushed again?")
print("%d failures" % failures)
sys.exit(1 if failures or lost or lost_other or verify_failed else 0)
PY
