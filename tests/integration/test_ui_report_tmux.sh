#!/usr/bin/env bash
# test_ui_report_tmux.sh — the manager's day in a real terminal: the demo opens a shift on the
# first login and says so; the manager closes it and opens one with a float, a sale, its
# refund and a second sale follow, the shift is closed with ¥1.00 too little cash and the Z
# report is taken; the screen shows the short amount and the bar chart of sales by hour, and
# the same screen speaks Chinese.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uireport tmux

runs=0
SOCK=$PWD/tmux-0.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

q() { python3 -c 'import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()
print("" if r is None else r[0])' ./demo.db "$1"; }
# start LANGUAGE: the till with no printer, in a tmux server of its own.
start() {
	printf '[ui]\nlanguage = %s\nidle_lock_seconds = 0\n[printer]\ndevice =\n' "$1" >cfg.ini
	T kill-server 2>/dev/null
	runs=$((runs + 1))
	SOCK=$PWD/tmux-$runs.sock
	T new-session -d -s till -x 110 -y 44 -c "$PWD" \
		"env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --config cfg.ini \
		--db ./demo.db 2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
}
# typed: one key at a time, as a person types (a burst is a scanner's and goes to the sale)
typed() {
	local i
	for ((i = 0; i < ${#1}; i++)); do
		keys -l "${1:i:1}"
		sleep 0.08
	done
}
sell_egg() {
	keys -l 6903468885155
	keys Enter
	expect "the item is on the sale" "鸡蛋 30枚装" || finish
	keys F4
	expect "the payment screen opens" "Amount received" || finish
	keys Enter
	expect "the sale is paid" "Sale complete, receipt $1" || finish
	keys Enter
	expect "the next customer" "Item code" || finish
}

"$CP_BINARY" --db ./demo.db init --demo >/dev/null

start en
expect "the till shows its login screen" "Staff code" 60 || finish
keys 9001 Enter 9999 Enter
expect "the demo opens a shift on the first login, saying so" \
	"The demo store opened a shift on this till for you" || finish
keys F9
expect "the manager menu opens" "Manager menu" || finish
keys F6
expect "the shift and day screen opens" "X report: taking it changes nothing" || finish
expect "the demo's shift is open" "OPEN since"
# The demo's shift closed with nothing in it, then a shift opened with a float of ¥200.00.
keys c
expect "closing asks for the cash counted" "Cash counted" || finish
typed abc
keys Enter
expect "a count that does not parse is refused" "not an amount" || finish
if [ "$(q "SELECT count(*) FROM shift_close")" = 0 ]; then pass; else fail "a bad count closed the shift"; fi
keys c
expect "closing asks again" "Cash counted" || finish
keys 0 Enter
expect "the empty shift closes right" "Shift closed: the cash is right." || finish
keys c
keys 0 Enter
expect "closing a shift that is not open is refused" "no shift is open on this till" || finish
keys o
expect "opening asks for the float" "Cash float" || finish
typed 200.00
keys Enter
expect "the shift opens" "Shift opened." || finish
expect "its float is shown" "Float ¥200.00"
keys Escape
keys Escape
expect "back to the sale" "Item code" || finish

# A sale, its refund, and a second sale.
sell_egg S001-T01-000001
keys F5
expect "the refund screen opens" "Receipt number" || finish
keys S001-T01-000001 Enter 1 Enter # line 1, 1 unit; the total confirmed
expect "the refund total is confirmed first" "back." || finish
keys Enter
expect "the refund is recorded" "Refund recorded: S001-T01-000002" || finish
keys Escape
expect "back to the sale" "Item code" || finish
sell_egg S001-T01-000003
EXPECTED=$(q "SELECT 20000 + (SELECT sum(amount) FROM tender WHERE method = 'cash' AND seq > (SELECT max(seq) FROM shift)) - (SELECT sum(change_due) FROM sale WHERE seq > (SELECT max(seq) FROM shift))")
COUNTED=$(python3 -c "v = $EXPECTED - 100; print('%d.%02d' % (v // 100, v % 100))")

# Close with ¥1.00 too little, then take the Z.
keys F9
expect "the manager menu opens" "Manager menu" || finish
keys F6
expect "the shift and day screen opens" "Cash expected" || finish
keys c
expect "closing asks for the cash counted" "Cash counted" || finish
typed "$COUNTED"
keys Enter
expect "the close says the cash is ¥1.00 short" "Shift closed: ¥1.00 SHORT." || finish
expect "the screen shows the short amount" "SHORT ¥1.00"
expect "the chart is drawn" "Sales by hour"
expect_re "a bar for the hour of the sales" "^ *[0-9]{2} #+ ¥"
if [ "$(q "SELECT over_short FROM shift_close ORDER BY seq DESC")" = -100 ]; then pass; else fail "over_short recorded: $(q "SELECT over_short FROM shift_close ORDER BY seq DESC")"; fi
keys z
expect "the Z asks first" "Take the Z report?" || finish
keys Enter
expect "the Z is taken, saying what HQ has not got" "rows not yet at HQ (recorded in it)" || finish
expect "the day is closed" "closed by the Z report"
keys z
keys Enter
expect "a second Z the same day is refused" "has not begun yet" || finish
if [ "$(q "SELECT count(*) FROM day_close")" = 1 ]; then pass; else fail "one Z"; fi
if "$CP_BINARY" --db ./demo.db verify >verify.txt 2>&1; then pass; else fail "verify: $(cat verify.txt)"; fi
keys Escape
keys Escape
keys F10
expect "logged out" "Staff code" || finish

# ---- the same screen in Chinese ----
start zh_CN
expect "the Chinese login screen" "工号" 60 || finish
keys 9001 Enter 9999 Enter
expect "the manager is logged in" "商品码" || finish
keys F9
keys F6
expect "the report screen in Chinese" "按小时销售" || finish
expect "the short amount in Chinese" "短款 ¥1.00"
keys Escape

finish
