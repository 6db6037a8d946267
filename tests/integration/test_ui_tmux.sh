#!/usr/bin/env bash
# test_ui_tmux.sh — the real till in a real terminal: `counterpoint --demo` in tmux, driven with
# send-keys and read back with capture-pane. A cashier logs in, scans three items (one as a
# scanner's burst, one twice), attaches a member by phone, pays cash plus WeChat Pay and sees
# the points; a refund is authorised with the manager's PIN without losing the open cart; a
# member registers; a scan into the PIN field and five wrong PINs are refused; the window
# shrinks below 80x24 and grows back; and the screens speak Chinese under zh_CN.UTF-8.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env ui tmux

SOCK=$PWD/tmux-0.sock
runs=0
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

# start LANG: the till on the demo store in a 100x30 terminal.
start() {
	T kill-server 2>/dev/null
	runs=$((runs + 1))
	SOCK=$PWD/tmux-$runs.sock # a server of its own for each run: no race with the last one
	T new-session -d -s till -x 100 -y 30 -c "$PWD" \
		"env LANG=$1 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --demo --db ./demo.db \
		2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
}
login() {
	keys "$1" Enter
	keys "$2" Enter
}

# ---- English, cashier 1001 ----
# wait_login SECONDS: the login screen, or false as soon as the till has exited.
wait_login() {
	for ((i = 0; i < $1 * 10; i++)); do
		screen | grep -qF "till exited" && return 1
		screen | grep -qF "$2" && return 0
		sleep 0.1
	done
	return 1
}

start C.UTF-8
if ! wait_login 60 "Staff code"; then
	fail "the till did not show its login screen (stderr: $(cat stderr.txt 2>/dev/null))"
	finish
fi
pass
expect "the status line shows the terminal" "S001-T01"
expect "the status line shows the sync state" "OFFLINE"
login 1001 1111
expect "the cashier is logged in" "Welcome, "
expect "the status line shows who" "1001"
keys Enter # continue a sale left open, if any
expect "the sale screen asks for items" "Item code"

# Three items: eggs typed, milk as a scanner burst with its symbology prefix, bananas by SKU;
# the eggs scanned a second time.
keys 6903468885155 Enter
expect "the first item is on the sale" "鸡蛋 30枚装"
scan "]E06903468794396"
expect "the scanned burst is on the sale" "纯牛奶 250ml×12"
keys 10001 Enter
expect "an item by SKU is on the sale" "香蕉（散称）"
scan 6903468885155
expect_line "a double scan adds quantity" "鸡蛋 30枚装" "¥51.80"
expect "the totals count four items" "Total  4 items"
scan 1234567890128
expect "an unknown code is named" "Unknown code 1234567890128"
expect "the sale survives an unknown code" "Total  4 items"

# A member by phone, typed into the item field: member prices and the member panel.
scan 13800138000
expect "the member is attached" "陈晓东  138****8000"
expect "the member panel shows the tier" "金卡"
expect "the member panel shows what the points are worth" "Worth ¥50.00"
expect "the member panel shows points about to expire" "Expiring: 500 on 2026-12-31"
expect "the member panel shows growth to the next tier" "Growth 12000, 8000 to 白金"
expect_line "member prices apply" "鸡蛋 30枚装" "¥45.80"

# Payment: ¥50 cash, the rest by WeChat Pay.
keys F4
expect "the payment screen opens" "Amount received"
keys 5 0 F5
expect "the cash payment is taken" "Cash ¥50.00 taken; ¥52.69 still due."
keys F7
expect "the sale completes" "Sale complete, receipt S001-T01-"
expect "the screen shows the totals" "Total ¥102.69   paid ¥102.69"
RECEIPT=$(screen | grep -o 'receipt S001-T01-[0-9]*' | head -1 | cut -d' ' -f2)
EARNED=$(screen | sed -n 's/.*Points earned \([0-9]*\).*/\1/p' | head -1)
# ¥102.69 of groceries at 金卡 x1.5, or x2 on member day (Wednesday) or in March (birthday).
if [ "$EARNED" = 154 ] || [ "$EARNED" = 205 ]; then
	pass
else
	fail "points earned are floor(102.69 x multiplier): got '$EARNED'"
fi
expect "the new balance includes the points earned" "Balance $((5000 + ${EARNED:-0})) points"
expect "the balance shows what it is worth" \
	"worth ¥$(((5000 + ${EARNED:-0}) / 100)).$(printf %02d $(((5000 + ${EARNED:-0}) % 100)))"
keys Enter
expect "the next sale starts empty" "Total  0 items"

# A refund of line 2 (the milk) while the next customer's sale is open.
keys 6903468885155 Enter
expect "the next customer's item is on" "Total  1 items"
keys F5
expect "the refund screen opens" "Receipt number"
# the lines show; Down to line 2, 1 unit, Enter: the total is confirmed, then the manager
keys "$RECEIPT" Enter
expect "the sale's lines show" "纯牛奶 250ml×12"
keys Down 1 Enter
expect "the refund total is confirmed first" "back."
keys Enter
expect "a cashier's refund asks for a manager" "Manager code"
keys 9001 Enter 9999 Enter
expect "the refund is recorded" "Refund recorded: S001-T01-"
expect "the money goes back by WeChat Pay" "WeChat Pay ¥49.90"
expect "the refund names who authorised it" "authorised by 9001"
keys Escape
expect "the open sale survived the refund" "Total  1 items"
expect "the open sale still has its item" "鸡蛋 30枚装"

# A new member, registered offline and attached to the open sale.
keys F3
expect "the registration form opens" "Register a new member"
keys 13911112222 Enter
T send-keys -t till -l "测试会员"
keys Enter 0315 Enter Enter
expect "the shopper is asked to agree to the terms" \
	"Shopper agrees to the membership terms (version 1)? y/n" || finish
keys y
expect "the member is registered" "Member 139****2222 registered"
expect "the new member is on the sale" "测试会员  139****2222"

# Log out; a scan into the PIN field and five wrong PINs.
keys F10
expect "logging out keeps the sale" "Logged out. The open sale is kept."
keys 1002 Enter
scan 6903468885155
expect "a scan into the PIN field is refused" "That was a scan, not a PIN"
keys Escape
for n in 1 2 3 4; do
	login 1003 0000
	expect "wrong PIN $n is refused" "Wrong staff code or PIN"
	keys Escape
done
login 1003 0000
expect "the fifth wrong PIN locks the code" "Staff code 1003 is locked until"
keys Escape
login 1003 3333
expect "a locked code stays locked with the right PIN" "is locked until"
keys Escape

# The window: too small, then back.
T resize-window -t till -x 70 -y 20
expect "a window below 80x24 says so" "needs at least 80x24"
gone "nothing else is drawn" "Staff code"
T resize-window -t till -x 80 -y 24
expect "at 80x24 the till draws again" "Staff code"
T resize-window -t till -x 100 -y 30
expect "larger again" "Staff code"
login 1001 1111
expect "the cashier's own sale is back after the login" "测试会员"

# Chinese.
if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	start zh_CN.UTF-8
	if wait_login 60 "工号"; then pass; else fail "the login screen is in Chinese"; fi
	expect "the PIN label is in Chinese" "密码"
	expect "the status line is in Chinese" "离线"
	login 1001 1111
	expect "the open sale is offered in Chinese" "继续此单"
	keys Enter
	expect "the item field is in Chinese" "商品码"
	expect "the footer is in Chinese" "收款"
	expect "the member panel is in Chinese" "积分"
	expect "the totals are in Chinese" "合计"
else
	echo "zh_CN.utf8 is not installed: the Chinese screens were not checked"
fi

finish
