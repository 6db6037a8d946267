#!/usr/bin/env bash
# bench_flush.sh — durable flushes (fsync and fdatasync) of a whole sale as the till makes it:
# `counterpoint script` logs in once, then sells again and again: attach a member, five scans,
# pay in cash. The failsync.c shim, preloaded with no trigger, only logs every flush with the
# file it flushed. After a warm-up (the WAL reaches its steady size), the sales that follow are
# counted: flushes per sale, per kind of request, and those of WAL checkpoints (a checkpoint
# flushes the database file). Counts, not times: the load of the machine does not change them.
#
# usage: bench_flush.sh --counterpoint BIN --shim LIB --dir DIR [-n SALES] [--warm SALES]
# LIB is given to LD_PRELOAD as it is: an absolute path (or a sanitizer's runtime, a space, and
# the shim's absolute path).
# Prints "BENCH flush ..." lines (the keys are described in BENCHMARKS.md).
set -euo pipefail

cp_bin="" shim="" dir="" n=1000 warm=300
while [ $# -gt 0 ]; do
	case "$1" in
	--counterpoint) cp_bin=${2:?}; shift 2 ;;
	--shim) shim=${2:?}; shift 2 ;;
	--dir) dir=${2:?}; shift 2 ;;
	-n) n=${2:?}; shift 2 ;;
	--warm) warm=${2:?}; shift 2 ;;
	*) echo "usage: bench_flush.sh --counterpoint BIN --shim LIB --dir DIR [-n SALES] [--warm SALES]" >&2; exit 2 ;;
	esac
done
[ -n "$cp_bin" ] && [ -n "$shim" ] && [ -n "$dir" ] || { echo "bench_flush.sh: missing arguments" >&2; exit 2; }
cp_bin=$(cd "$(dirname "$cp_bin")" && pwd)/$(basename "$cp_bin")
mkdir -p "$dir"
cd "$dir"
rm -f till.db till.db-wal till.db-shm flush.log
printf '[security]\npbkdf2_iterations = 1000\n' >till.ini
"$cp_bin" --config till.ini --db till.db init --demo >/dev/null

python3 - "$cp_bin" "$shim" "$n" "$warm" <<'PY'
import json, os, subprocess, sys

cp, shim, n, warm = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
log = os.path.abspath("flush.log")
env = dict(os.environ, LD_PRELOAD=shim, CP_FAILSYNC_LOG=log)
p = subprocess.Popen([cp, "--config", "till.ini", "--db", "till.db", "script"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
pos = 0


def flushed():
    """The flushes logged since the last call: (file name) each."""
    global pos
    try:
        with open(log) as f:
            f.seek(pos)
            text = f.read()
            pos = f.tell()
    except FileNotFoundError:
        return []
    return [line.split(" ", 1)[1] for line in text.splitlines() if " " in line]


def ask(req):
    p.stdin.write((json.dumps(req) + "\n").encode())
    p.stdin.flush()
    a = json.loads(p.stdout.readline())
    if not a.get("ok"):
        sys.exit("bench_flush: %s answered %s" % (req["cmd"], a))
    return flushed()


SALE = [{"cmd": "attach", "phone": "13800138000"}] + \
    [{"cmd": "scan", "code": c} for c in ("10001", "10002", "10003", "10004", "10005")] + \
    [{"cmd": "pay", "tenders": [{"method": "cash", "amount": "1000.00"}]}]

login = ask({"cmd": "login", "staff": "1001", "pin": "1111"})
for _ in range(warm):
    for req in SALE:
        ask(req)
by_cmd = {"attach": 0, "scan": 0, "pay": 0}
wal = db = other = 0
for _ in range(n):
    for req in SALE:
        files = ask(req)
        by_cmd[req["cmd"]] += len(files)
        for name in files:
            if name.endswith("-wal"):
                wal += 1
            elif name.endswith(".db"):
                db += 1
            else:
                other += 1
p.stdin.close()
p.wait()
total = wal + db + other
# A checkpoint flushes the WAL, then the database file: one database flush is one checkpoint.
print("BENCH flush sales=%d warm=%d login=%d flushes=%d per_sale=%.3f pay=%.3f scan=%.3f "
      "attach=%.3f wal=%d db=%d other=%d checkpoints=%d checkpoint_per_sale=%.4f"
      % (n, warm, len(login), total, total / n, by_cmd["pay"] / n, by_cmd["scan"] / n,
         by_cmd["attach"] / n, wal, db, other, db, 2.0 * db / n))
PY
