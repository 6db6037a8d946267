#!/usr/bin/env bash
# test_ui_sync_stop_tmux.sh — the manager's sync screen says plainly what is wrong and what to
# do when sync has stopped for a person (issue 8, item 7), in the real till in tmux, in English
# and in Chinese (the reason too, translated by its error id: issue 12):
#  1. HQ acknowledged a journal row this till never wrote: stopped until re-enrolment; the
#     screen names the row and says to call chain IT, who enrol the terminal again.
#  2. HQ's certificate is for another host name: stopped for configuration; the screen names
#     the cause and says when sync checks again.
# HQ runs on 127.0.0.1 only; every wait is a bounded poll; everything started is stopped on exit.
set -u

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
: "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}"
for tool in tmux python3 openssl; do
	if ! command -v "$tool" >/dev/null; then
		echo "$tool is not installed: nothing tested"
		echo "0 passed, 0 failed"
		exit 0
	fi
done

. "$CP_SOURCE_DIR/tests/integration/sync_lib.sh"
sync_lib_enter uisyncstop
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$PWD/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$PWD/ubsan:print_stacktrace=1"
runs=0
SOCK=$PWD/tmux-0.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
cleanup() {
	T kill-server 2>/dev/null
	sync_lib_cleanup
}
trap cleanup EXIT

hq_init hq.db
hq_start hq.db hq 0 --cert "$CERTS/server.pem" --key "$CERTS/server.key"
PORT=$HQ_PORT
printf '[sync]\nca_file = %s\n' "$CERTS/ca.pem" >till.ini
printf '[sync]\nca_file = %s\n[ui]\nlanguage = zh_CN\n' "$CERTS/ca.pem" >zh.ini
"$CP_BINARY" --db till.db init --demo >/dev/null
"$CP_BINARY" --config till.ini --db till.db enrol --hq "https://127.0.0.1:$PORT" \
	--code "$(hq_code hq.db S001 T01)" >enrol.txt 2>&1 || fail "enrolment: $(cat enrol.txt)"

# start CONFIG: the till in a tmux server of its own, at its login screen.
start() {
	T kill-server 2>/dev/null
	runs=$((runs + 1))
	SOCK=$PWD/tmux-$runs.sock
	T new-session -d -s till -x 100 -y 40 -c "$PWD" \
		"env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --config $1 \
		--db till.db 2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
	if ! wait_re "Staff code|工号" 60; then
		fail "the till did not show its login screen (stderr: $(tail -5 stderr.txt 2>/dev/null))"
		finish
	fi
}
# manager_menu: logs the cashier in and opens the manager menu with the manager's code and PIN.
manager_menu() {
	keys 1001 Enter
	keys 1111 Enter
	if wait_re "Welcome, |欢迎，" 10; then pass; else fail "the cashier could not log in"; fi
	keys Enter # continue a sale left open, if any
	if wait_re "Item code|商品码" 10; then pass; else fail "the sale screen did not open"; fi
	keys F9
	if wait_re "Manager code|店长工号" 10; then pass; else fail "F9 did not ask for a manager"; fi
	keys 9001 Enter
	keys 9999 Enter
	if wait_re "Manager menu|店长菜单" 10; then pass; else fail "the manager menu did not open"; fi
}

# ---- 1. an acknowledgement of a row this till never wrote: stopped until re-enrolment
till_sale till.db till.ini >/dev/null
hq_api "$PORT" POST /_test/faults \
	'[{"path": "/v1/journal", "action": "ack", "applied": 99, "count": 1}]' >/dev/null
"$CP_BINARY" --config till.ini --db till.db sync --once >sync.txt 2>&1
rc=$?
if [ "$rc" -eq 3 ]; then pass; else fail "sync --once after applied 99: exit $rc, not 3"; fi
start till.ini
manager_menu
expect "the manager menu shows the stop" "Sync has STOPPED: HQ says it holds journal row 99"
expect "... and what to do" "What to do: keep selling, nothing is lost. Call chain IT"
expect "... who enrol the terminal again" "usually they enrol this till again."
expect "the status line says sync stopped" "OFFLINE (sync stopped)"
T kill-server 2>/dev/null
start zh.ini
manager_menu
expect "in Chinese too, the reason as well" "同步已停止：总部说它已有流水 99，但本机只写到"
if screen | grep -qF "HQ says it holds"; then
	fail "the reason is shown in English on the Chinese screen"
else
	pass
fi
expect "... with what to do" "处理办法：照常销售"

# ---- 2. a certificate for another host name: stopped for configuration
T kill-server 2>/dev/null
"$CP_BINARY" --config till.ini --db till.db enrol --hq "https://127.0.0.1:$PORT" \
	--code "$(hq_code hq.db S001 T01)" >enrol.txt 2>&1 || fail "re-enrolment: $(cat enrol.txt)"
hq_stop "$HQ_PID"
hq_start hq.db hq "$PORT" --cert "$CERTS/wronghost.pem" --key "$CERTS/wronghost.key"
start till.ini
manager_menu
expect "the manager menu names the cause" "Sync has STOPPED: wrong host name"
expect "... says who fixes what" "Call chain IT to fix the HQ address"
expect "... and when sync checks again" "Sync checks again at"
T kill-server 2>/dev/null

finish
