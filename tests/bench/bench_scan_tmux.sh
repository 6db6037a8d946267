#!/usr/bin/env bash
# bench_scan_tmux.sh — scan to screen in the terminal UI (issue 14): the till runs in tmux, the
# cashier logs in, and a scanner's burst (a barcode and CR LF, in one write) is sent again and
# again (a code and CR, as most scanners end it); each time the clock runs from the send until
# the till's pane first writes to the terminal (tmux's control mode reports it, no polling; the
# keys are sent through the same control-mode client, so no tmux process starts inside the time):
# the keys arrive in one burst, so the first thing drawn is the scan's outcome (checked on the
# screen afterwards, untimed). With --baseline BIN a second program (e.g. the till as it was) is measured
# in the same run, the two interleaved in rounds of 20 scans. A benchmark, not a test: nothing
# here passes or fails on time.
#
# usage: bench_scan_tmux.sh --counterpoint BIN --dir DIR [-n SCANS] [--baseline BIN]
# Prints "BENCH scan_tmux ..." lines (times in ms).
set -euo pipefail

cp_bin="" base_bin="" dir="" n=200
while [ $# -gt 0 ]; do
	case "$1" in
	--counterpoint) cp_bin=${2:?}; shift 2 ;;
	--baseline) base_bin=${2:?}; shift 2 ;;
	--dir) dir=${2:?}; shift 2 ;;
	-n) n=${2:?}; shift 2 ;;
	*) echo "usage: bench_scan_tmux.sh --counterpoint BIN --dir DIR [-n SCANS] [--baseline BIN]" >&2; exit 2 ;;
	esac
done
[ -n "$cp_bin" ] && [ -n "$dir" ] || { echo "bench_scan_tmux.sh: missing arguments" >&2; exit 2; }
command -v tmux >/dev/null || { echo "bench_scan_tmux.sh: tmux is not installed" >&2; exit 2; }
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
cp_bin=$(abs "$cp_bin")
[ -z "$base_bin" ] || base_bin=$(abs "$base_bin")
mkdir -p "$dir"
cd "$dir"
export HOME=$PWD TZ=${TZ:-Asia/Shanghai}

python3 - "$n" "$cp_bin" "$base_bin" <<'PY'
import os, queue, subprocess, sys, threading, time

n, bins = int(sys.argv[1]), [b for b in sys.argv[2:4] if b]
names = ["till", "baseline"][:len(bins)]
sock = os.path.abspath("tmux.sock")
EGGS, PRICE = "6903468885155", 2590


def T(*args, out=False):
    r = subprocess.run(["tmux", "-S", sock] + list(args), capture_output=True, text=True)
    return r.stdout if out else None


def screen(win):
    return T("capture-pane", "-p", "-t", win, out=True)


def wait(win, text, limit=30.0):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if text in screen(win):
            return True
        time.sleep(0.02)
    sys.exit("bench_scan_tmux: %s: %r never showed" % (win, text))


def money(fen):
    return "¥%d.%02d" % (fen // 100, fen % 100)


for i, (name, b) in enumerate(zip(names, bins)):
    db = "%s.db" % name
    for ext in ("", "-wal", "-shm"):
        if os.path.exists(db + ext):
            os.unlink(db + ext)
    subprocess.run([b, "--db", db, "init", "--demo"], check=True, stdout=subprocess.DEVNULL)
    cmd = "env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=screen '%s' --db ./%s 2>>%s.err" % (b, db, name)
    if i == 0:
        T("new-session", "-d", "-s", "bench", "-n", name, "-x", "100", "-y", "30", cmd)
    else:
        T("new-window", "-t", "bench", "-n", name, cmd)
    wait(name, "Staff code")
    for k in ("1001", "Enter", "1111", "Enter"):
        T("send-keys", "-t", name, k)
    wait(name, "Item code")

# A control-mode client: tmux tells it every byte a pane writes (%output), as it happens.
ctl = subprocess.Popen(["tmux", "-S", sock, "-C", "attach", "-t", "bench"],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE)
events = queue.Queue()


def reader():
    for line in ctl.stdout:
        if line.startswith(b"%output "):
            events.put((time.monotonic(), line.split(b" ", 2)[1].decode()))


threading.Thread(target=reader, daemon=True).start()
ctl.stdin.write(b"refresh-client -C 100x30\n")
ctl.stdin.flush()
pane = {name: T("display-message", "-p", "-t", name, "#{pane_id}", out=True).strip()
        for name in names}
times = {name: [] for name in names}
qty = {name: 0 for name in names}
done = 0
while done < n:
    for name in names:
        for _ in range(20):
            if qty[name] >= 60:  # a new sale before the line gets long: Esc, then Enter
                T("send-keys", "-t", name, "Escape")
                time.sleep(0.3)
                T("send-keys", "-t", name, "Enter")
                wait(name, "Item code")
                qty[name] = 0
            want = money(PRICE * (qty[name] + 1))
            time.sleep(0.05)  # a person moves the next item to the scanner
            while not events.empty():
                events.get()
            # The keys go through the control-mode client already connected: a tmux client
            # process started for each scan would put its own start-up inside the time.
            ctl.stdin.write(("send-keys -t %s %s Enter\n" % (pane[name], EGGS)).encode())
            t0 = time.monotonic()
            ctl.stdin.flush()
            while True:
                at, p = events.get(timeout=30)
                if p == pane[name]:
                    break
            times[name].append((at - t0) * 1000)
            wait(name, want)
            qty[name] += 1
    done += 20
ctl.stdin.close()
T("kill-server")


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p / 100.0 * len(v)))]


for name in names:
    v = times[name]
    print("BENCH scan_tmux program=%s scans=%d p50=%.2f p90=%.2f p99=%.2f max=%.2f"
          % (name, len(v), pct(v, 50), pct(v, 90), pct(v, 99), max(v)))
if len(names) == 2:
    print("BENCH scan_tmux_ratio p50=%.3f p99=%.3f" % (
        pct(times["till"], 50) / pct(times["baseline"], 50),
        pct(times["till"], 99) / pct(times["baseline"], 99)))
PY
