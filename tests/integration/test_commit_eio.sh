#!/usr/bin/env bash
# test_commit_eio.sh — a sale whose COMMIT meets a failing disk. An LD_PRELOAD shim (failsync.c)
# makes fsync and fdatasync fail with EIO as a dying disk does, while the write reaches the file:
# the sale's frames are in the WAL although COMMIT said "disk I/O error", and the first open
# after every connection has closed would recover them. `counterpoint script` pays under each
# pattern of failed flushes, exits (cleanly or killed), and the database is opened again with a
# healthy disk: a sale that exists was answered ok with its receipt, an answered failure left
# nothing (and the cart as it was), and only "outcome_unknown" may go either way. Some rounds
# run while another process (as the sync daemon would) holds the database open throughout.
set -euo pipefail

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
: "${CP_FAILSYNC_LIB:?CP_FAILSYNC_LIB must name the failsync shim}"

rm -rf ./commit_eio && mkdir ./commit_eio && cd ./commit_eio
export HOME=$PWD XDG_CONFIG_HOME=$PWD/config XDG_DATA_HOME=$PWD/data XDG_STATE_HOME=$PWD/state
export XDG_CACHE_HOME=$PWD/cache XDG_RUNTIME_DIR=$PWD/run
export TZ=${TZ:-Asia/Shanghai}

"$CP_BINARY" --db ./till.db init --demo >/dev/null

# Under AddressSanitizer its runtime must come first among the preloaded libraries.
PRELOAD=$CP_FAILSYNC_LIB
asan=$(ldd "$CP_BINARY" | awk '/libasan/ { print $3; exit }')
if [ -n "$asan" ]; then
	PRELOAD="$asan $CP_FAILSYNC_LIB"
fi

exec python3 - "$CP_BINARY" "$PRELOAD" <<'PY'
import json, os, select, signal, sqlite3, subprocess, sys

cp, preload = sys.argv[1], sys.argv[2]
DB, TRIGGER, LOG = "./till.db", os.path.abspath("trigger"), os.path.abspath("synclog")
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what, file=sys.stderr)


def trigger(mode):
    if mode is None:
        if os.path.exists(TRIGGER):
            os.unlink(TRIGGER)
    else:
        with open(TRIGGER, "w") as f:
            f.write(mode)


def fails_logged():
    try:
        return open(LOG).read().count("fail")
    except FileNotFoundError:
        return 0


class Till:
    def __init__(self):
        env = dict(os.environ, LD_PRELOAD=preload, CP_FAILSYNC_FILE=TRIGGER, CP_FAILSYNC_LOG=LOG)
        self.p = subprocess.Popen([cp, "--db", DB, "script"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=open("stderr.txt", "a"), env=env)

    def ask(self, req):
        self.p.stdin.write((json.dumps(req) + "\n").encode())
        self.p.stdin.flush()
        r, _, _ = select.select([self.p.stdout], [], [], 120)
        if not r:
            raise SystemExit("no answer from counterpoint script to %s" % req)
        line = self.p.stdout.readline()
        if not line:
            raise SystemExit("counterpoint script ended; stderr: " + open("stderr.txt").read())
        return json.loads(line)

    def end(self, kill):
        if kill:
            self.p.send_signal(signal.SIGKILL)
        else:
            self.p.stdin.close()
        return self.p.wait(timeout=120)


def state():
    """Opens the database after every till has gone (a WAL recovery runs here)."""
    h = sqlite3.connect(DB)
    sales = dict(h.execute("SELECT receipt, seq FROM sale").fetchall())
    journal = h.execute("SELECT count(*) FROM journal").fetchone()[0]
    lines = h.execute("SELECT count(*) FROM cart_line").fetchone()[0]
    h.close()
    return sales, journal, lines


def take_over_left(till):
    """A sale a failed round left open belongs to that round's login: this one takes it over."""
    a = till.ask({"cmd": "take_over"})
    check(a["ok"] or "no open sale" in a["error"]["message"], "take over: %s" % a)


def holder():
    """Another process with the database open, as the sync daemon keeps it."""
    code = ("import sqlite3, sys\nh = sqlite3.connect(sys.argv[1])\n"
            "h.execute('SELECT count(*) FROM journal').fetchone()\n"
            "print('open', flush=True)\nsys.stdin.read()\nh.close()\n")
    p = subprocess.Popen([sys.executable, "-c", code, DB], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE)
    assert p.stdout.readline().strip() == b"open"
    return p


# (flushes to fail, how the till ends, another process holds the database, the trigger is
# cleared before the till ends). "1": only the sale's own flush fails; "all": the disk stays
# bad through the exit (the program's closing checkpoint fails too, so the WAL stays).
rounds = [
    ("1", "exit", False, False), ("1", "kill", False, False),
    ("2", "exit", False, False), ("3", "kill", False, False),
    ("all", "exit", False, False), ("all", "kill", False, False),
    ("all", "exit", False, True),
    ("1", "exit", True, False), ("1", "kill", True, False), ("2", "kill", True, False),
    ("all", "exit", True, False), ("all", "kill", True, False), ("all", "kill", True, True),
    (None, "exit", False, False), (None, "exit", True, False),
]
receipts_answered = set()
for n, (mode, how, shared, clear_first) in enumerate(rounds):
    label = "round %d (fail %s, %s%s)" % (n, mode, how, ", shared" if shared else "")
    trigger(None)
    till = Till()
    a = till.ask({"cmd": "login", "staff": "1001", "pin": "1111"})
    check(a["ok"], label + ": login: %s" % a)
    take_over_left(till)
    sales0, journal0, _ = state()
    other = holder() if shared else None
    # A scan writes the WAL first, so that the sale's frames follow others there (the flush
    # of a new WAL's header would fail before any frame of the sale was written).
    a = till.ask({"cmd": "scan", "code": "10001"})
    check(a["ok"], label + ": scan: %s" % a)
    before = fails_logged()
    trigger(mode)
    pay = till.ask({"cmd": "pay", "tenders": [{"method": "cash", "amount": "100.00"}]})
    if mode is not None:
        check(fails_logged() > before, label + ": the shim failed a flush")
    if clear_first:
        trigger(None)
    rc = till.end(how == "kill")
    if how == "exit":  # under ASan, a leak or an error would show here
        check(rc == 0, label + ": the till exits 0, not %s: %s" % (rc, open("stderr.txt").read()))
    if other:
        if how == "kill":  # no closing checkpoint: the next open recovers the WAL
            other.kill()
        else:
            other.stdin.close()
        other.wait(timeout=120)
    trigger(None)
    sales, journal, lines = state()
    new = set(sales) - set(sales0)
    code = pay.get("error", {}).get("code")
    print("%s: %s -> %s" % (label, code or "ok " + pay.get("receipt", "?"), sorted(new)))
    if not pay["ok"]:
        print("  " + pay["error"]["message"])
    check(len(new) <= 1, label + ": at most one new sale: %s" % sorted(new))
    if pay["ok"]:
        check(new == {pay["receipt"]}, label + ": the answered sale exists: %s" % pay)
        check(lines == 0, label + ": the cart was emptied")
        receipts_answered.add(pay["receipt"])
    elif code == "outcome_unknown":
        check("check the journal before charging again" in pay["error"]["message"],
              label + ": the answer says what to do: %s" % pay)
        check((len(new) == 1 and lines == 0) or (not new and lines > 0 and journal == journal0),
              label + ": either recorded whole or not at all")
        receipts_answered |= new
    else:
        check(not new and journal == journal0,
              label + ": answered %s, yet a sale was recorded: %s" % (code, sorted(new)))
        check(lines > 0, label + ": the cart is still there after a failure")
        check("not recorded" in pay["error"]["message"],
              label + ": the failure says nothing was recorded: %s" % pay)



def members():
    h = sqlite3.connect(DB)
    ids = {r[0] for r in h.execute("SELECT id FROM member WHERE local = 1")}
    journal = h.execute("SELECT count(*) FROM journal").fetchone()[0]
    h.close()
    return ids, journal


# The same for a member registration: one mechanism settles every journal event's commit.
for n, (mode, how, shared) in enumerate([("1", "kill", False), ("1", "kill", True),
                                          ("all", "exit", False), (None, "exit", False)]):
    label = "registration %d (fail %s, %s%s)" % (n, mode, how, ", shared" if shared else "")
    trigger(None)
    till = Till()
    till.ask({"cmd": "login", "staff": "1001", "pin": "1111"})
    take_over_left(till)
    ids0, journal0 = members()
    other = holder() if shared else None
    till.ask({"cmd": "scan", "code": "10001"})
    trigger(mode)
    reg = till.ask({"cmd": "register", "phone": "1370000%04d" % n, "name": "EIO", "consent": True})
    rc = till.end(how == "kill")
    if other:
        if how == "kill":
            other.kill()
        else:
            other.stdin.close()
        other.wait(timeout=120)
    trigger(None)
    ids, journal = members()
    new = ids - ids0
    code = reg.get("error", {}).get("code")
    print("%s: %s -> %s" % (label, code or "ok", sorted(new)))
    if reg["ok"]:
        check(new == {reg["member"]["id"]}, label + ": the answered member exists: %s" % reg)
    elif code == "outcome_unknown":
        check(len(new) == journal - journal0 <= 1, label + ": whole or nothing")
    else:
        check(not new and journal == journal0,
              label + ": answered %s, yet the member was recorded: %s" % (code, sorted(new)))
        check("not recorded" in reg["error"]["message"], label + ": says so: %s" % reg)

sales, _, _ = state()
check(set(sales) == receipts_answered,
      "every sale in the database was answered: %s vs %s" % (sorted(sales), sorted(receipts_answered)))
v = subprocess.run([cp, "--db", DB, "verify"], capture_output=True, text=True)
check(v.returncode == 0, "verify after all rounds: %s %s" % (v.stdout, v.stderr))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
