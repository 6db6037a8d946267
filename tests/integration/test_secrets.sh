#!/usr/bin/env bash
# test_secrets.sh — secrets do not leave the process: a running till has core dumps off and is
# not dumpable (seen from outside, as the system shows it), a PIN sent to script mode is not
# left in its memory once answered, and `enrol` reads the one-time code from stdin or a file,
# so that it never appears on the command line `ps` shows. HQ is the reference one, over TLS
# on 127.0.0.1.
set -euo pipefail
. "$CP_SOURCE_DIR/tests/integration/sync_lib.sh"
sync_lib_enter secrets

trap '' PIPE # a till that died must fail a check, not end this script
NOBODY=65534
PIN=739184 # a PIN no other input of this test contains
NOBODY_PRIV=(setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups)

# wait_for FILE PATTERN: up to 30 s (300 tries) for a line of FILE to match.
wait_for() {
	local i
	for i in $(seq 1 300); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# started PID: the background process PID has become counterpoint and turned core dumps off
# (it may still be a shell between fork and exec) — up to 300 tries; false if it never does.
started() {
	local i
	for i in $(seq 1 300); do
		if [ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$(readlink -f "$CP")" ] &&
			no_core "$1"; then
			return 0
		fi
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# no_core PID: the core file size limit of the process, soft and hard, is 0.
no_core() { grep -qE '^Max core file size +0 +0 ' "/proc/$1/limits" 2>/dev/null; }

# The kernel hands the /proc/PID files of a non-dumpable process to root whoever runs it; a
# dumpable process run as nobody owns its own. (As root, ownership alone would not tell.)
proc_owner() { stat -c %u "/proc/$1/status"; }

# in_memory PID TEXT: TEXT is somewhere in the process's readable memory.
in_memory() {
	python3 - "$1" "$2" <<'EOF'
import re, sys
pid, needle = sys.argv[1], sys.argv[2].encode()
found = False
with open("/proc/%s/maps" % pid) as maps, open("/proc/%s/mem" % pid, "rb", 0) as mem:
    for line in maps:
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
        if not m or m.group(3)[0] != "r" or "[vvar" in line or "[vsyscall" in line:
            continue
        lo, hi = int(m.group(1), 16), int(m.group(2), 16)
        try:
            mem.seek(lo)
            if needle in mem.read(hi - lo):
                found = True
                break
        except OSError:
            pass
sys.exit(0 if found else 1)
EOF
}
not_in_memory() { ! in_memory "$@"; }

# ---- a running script till, as an unprivileged user
mkdir till
"$CP" --db till/t.db init --demo >/dev/null
echo "$PIN" | "$CP" --db till/t.db staff set 1005 --name 'Test' --role cashier >/dev/null
chown -R $NOBODY:$NOBODY till
chmod 0755 . till
mkfifo till/in
chown $NOBODY:$NOBODY till/in
"${NOBODY_PRIV[@]}" "$CP" --db till/t.db script <till/in >till/out 2>till/err &
TILL=$!
exec 3>till/in
printf '{"cmd":"login","staff":"1005","pin":"%s"}\n' "$PIN" >&3 || true
check "the till answers the login" wait_for till/out '"ok":true,"staff":"1005"'
check "the till has started" started "$TILL"
check "it runs as nobody" grep -qE "^Uid:[[:space:]]+$NOBODY" "/proc/$TILL/status"
check "core file size limit 0: $(grep 'core file' "/proc/$TILL/limits" || true)" no_core "$TILL"
check "not dumpable: /proc/PID owned by root (uid $(proc_owner "$TILL"))" \
	test "$(proc_owner "$TILL")" -eq 0
# Everything that held the PIN (the input buffer, the line, the parsed JSON) was wiped before
# the answer was written.
check "the PIN of the answered login is not in the till's memory" not_in_memory "$TILL" "$PIN"
# The method tells: a dumpable process of the same user owns its /proc files.
"${NOBODY_PRIV[@]}" sleep 60 &
SLEEPER=$!
for i in $(seq 1 100); do
	[ "$(proc_owner "$SLEEPER")" = $NOBODY ] && break
	sleep 0.1
done
check "(a dumpable process of nobody owns its /proc files: uid $(proc_owner "$SLEEPER"))" \
	test "$(proc_owner "$SLEEPER")" -eq $NOBODY
kill "$SLEEPER"
wait "$SLEEPER" 2>/dev/null || true
exec 3>&-
wait "$TILL" || true

# ---- the other commands turn dumps off as they start, too: the terminal UI (in tmux) and an
# admin command waiting for a PIN on stdin
SOCK=$PWD/tmux.sock
tmux -f /dev/null -S "$SOCK" new-session -d -x 100 -y 30 "exec '$CP' --db till/t.db"
UI=$(tmux -S "$SOCK" display-message -p -t 0 '#{pane_pid}')
check "the terminal UI has core dumps off" started "$UI"
tmux -S "$SOCK" kill-server 2>/dev/null || true
mkfifo pin.in
"$CP" --db till/t.db staff set 1006 --name 'Other' --role cashier <pin.in >staff.out 2>&1 &
ADMIN=$!
exec 5>pin.in
check "staff set, waiting for the PIN, has core dumps off" started "$ADMIN"
printf '246801\n' >&5 || true
exec 5>&-
wait "$ADMIN" || true
check "... and then sets the staff member: $(cat staff.out)" grep -q 'staff 1006 set' staff.out

# ---- enrolment: the code from stdin, then from a file, never on the command line
hq_init hq.db
hq_start hq.db hq 0 --cert "$CERTS/server.pem" --key "$CERTS/server.key"
URL=https://127.0.0.1:$HQ_PORT
printf '[sync]\nca_file = %s\ninterval_seconds = 1\nbackoff_base_ms = 200\n' "$CERTS/ca.pem" \
	>till.ini
"$CP" --db t1.db init --demo >/dev/null
printf '[store]\nid = S001\nterminal = T02\n' | cat - till.ini >t2.ini
"$CP" --config t2.ini --db t2.db init --demo >/dev/null
CODE1=$(hq_code hq.db S001 T01)
mkfifo code.in
"$CP" --config till.ini --db t1.db enrol --hq "$URL" <code.in >enrol1.out 2>enrol1.err &
ENROL=$!
exec 4>code.in
check "enrol has started (and turned core dumps off) without a code" started "$ENROL"
check "... and waits for the code on stdin" kill -0 "$ENROL"
check "... and its command line holds no code: $(tr '\0' ' ' <"/proc/$ENROL/cmdline")" \
	bash -c "! tr '\0' ' ' </proc/$ENROL/cmdline | grep -qF -- '$CODE1'"
printf '%s\n' "$CODE1" >&4 || true
exec 4>&-
set +e
wait "$ENROL"
rc=$?
set -e
check "enrolment with the code on stdin works: $(cat enrol1.err)" test "$rc" -eq 0
check "... and says so: $(cat enrol1.out)" grep -q "enrolled with HQ at $URL as terminal S001-T01" \
	enrol1.out
st=$(till_status t1.db till.ini)
check "t1 is enrolled" jq_ok "$st" 'j["enrolled"] is True'

# T02 of the same store, from a file (mode 0600, as a secret should be).
umask 077
hq_code hq.db S001 T02 >code.txt
run --config t2.ini --db t2.db enrol --hq "$URL" --code-file code.txt
check "enrolment with --code-file works: $err" test "$rc" -eq 0
check "... as T02: $out" has "$out" 'as terminal S001-T02'

# Wrong or missing codes say what to do, and enrol nothing.
"$CP" --db t3.db init --demo >/dev/null
run --config till.ini --db t3.db enrol --hq "$URL"
check "no code on stdin: usage error (got $rc)" test "$rc" -eq 2
check "... saying so: $err" has "$err" 'no enrolment code given'
run --config till.ini --db t3.db enrol --hq "$URL" --code-file missing.txt
check "a missing code file is named: $err" has "$err" 'missing.txt: No such file'
run --config till.ini --db t3.db enrol --hq "$URL" --code-file code.txt --code X
check "--code and --code-file together are refused (got $rc)" test "$rc" -eq 2
st=$(till_status t3.db till.ini)
check "t3 is not enrolled" jq_ok "$st" 'j["enrolled"] is False'

# ---- the sync daemon, too, runs without core dumps
"$CP" --config till.ini --db t1.db sync --daemon >daemon.out 2>daemon.err &
DAEMON=$!
check "the sync daemon has core dumps off" started "$DAEMON"
kill -TERM "$DAEMON"
set +e
wait "$DAEMON"
rc=$?
set -e
check "the daemon stops on SIGTERM (exit $rc)" test "$rc" -eq 0

finish
