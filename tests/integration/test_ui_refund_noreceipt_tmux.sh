#!/usr/bin/env bash
# test_ui_refund_noreceipt_tmux.sh — a refund WITHOUT a receipt (无单退货, issue 12) in a real
# terminal, in English at 100x30 and in Chinese at 80x24: F7 on the refund screen; the item
# typed shows its name and current price; the quantity; the price confirmed (Enter) or typed
# over; the reason (an empty one refused on the screen); the summary confirmed BEFORE the
# manager's code and PIN are asked; then the refund is recorded in cash and its slip kept
# (no printer). Over the limit (¥500.00) is refused naming it, before any PIN, and the price
# typed again.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uirefundnoreceipt tmux

runs=0
SOCK=$PWD/tmux-0.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

q() {
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' ./demo.db "$1"
}

# start LANG COLS ROWS: the till in a tmux server of its own.
start() {
	T kill-server 2>/dev/null
	runs=$((runs + 1))
	SOCK=$PWD/tmux-$runs.sock
	T new-session -d -s till -x "$2" -y "$3" -c "$PWD" \
		"env LANG=$1 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --db ./demo.db \
		2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
}

"$CP_BINARY" --db ./demo.db init --demo >/dev/null
EGGS=6903468885155 # 鸡蛋 30枚装, ¥25.90

# ---- English, 100x30: 2 boxes at the current price ----
start C.UTF-8 100 30
expect "the till shows its login screen" "Staff code" 60 || finish
keys 1001 Enter 1111 Enter
expect "the cashier is logged in" "Item code" || finish
keys F5
expect "the refund screen opens" "Receipt number" || finish
expect "with its key for no receipt" "No receipt"
keys F7
expect "the refund without receipt opens" "Refund without receipt" || finish
keys "$EGGS" Enter
expect "the item and its current price show" "鸡蛋 30枚装, now ¥25.90" || finish
keys 2 Enter
expect "the price is the item's, to confirm" "Enter confirms it, typing replaces it" || finish
keys Enter
keys Enter
expect "an empty reason is refused on the screen" "needs a reason" || finish
gone "no PIN asked" "Manager code"
keys "Customer brought it back" Enter
expect "the summary is confirmed first" "鸡蛋 30枚装 x 2 at ¥25.90: ¥51.80 back in cash." || finish
gone "no PIN asked yet" "Manager code"
if [ "$(q "SELECT count(*) FROM journal WHERE type = 'refund_noreceipt'")" = 0 ]; then pass; else fail "written before the PIN"; fi
keys Enter
expect "then the manager's code and PIN" "Manager code" || finish
if [ "$(q "SELECT failed FROM staff WHERE code = '9001'")" = 0 ]; then pass; else fail "a PIN was counted before it was asked"; fi
keys 9001 Enter 9999 Enter
expect "the refund is recorded" "Refund recorded: S001-T01-000001" || finish
expect "in cash, authorised by the manager" "¥51.80 back in cash, authorised by 9001"
expect "its slip kept: there is no printer" "the refund slip is kept for reprint"
if [ "$(q "SELECT amount FROM refund_noreceipt")" = 5180 ] &&
	[ "$(q "SELECT count(*) FROM receipt_copy WHERE receipt = 'S001-T01-000001'")" = 1 ]; then
	pass
else
	fail "the refund and its slip: $(q "SELECT amount FROM refund_noreceipt")"
fi
keys Escape Escape
expect "back to the sale" "Item code"

# ---- Chinese, 80x24: over the limit, then the manager's price ----
if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	start zh_CN.UTF-8 80 24
	expect "the Chinese login screen" "工号" 60 || finish
	keys 1001 Enter 1111 Enter
	expect "the cashier is logged in (zh)" "商品码" || finish
	keys F5
	expect "zh: the refund screen's key" "无单退货" || finish
	keys F7
	keys "$EGGS" Enter
	expect "zh: the item and its price" "鸡蛋 30枚装，现价 ¥25.90" || finish
	keys 30 Enter Enter "包装破损" Enter
	expect "zh: 30 boxes at ¥25.90 are over the limit, named" "超过无单退货限额 ¥500.00" || finish
	gone "zh: no PIN asked" "店长工号"
	keys "10.00" Enter Enter
	expect "zh: the summary at the manager's price" "鸡蛋 30枚装 × 30，单价 ¥10.00：退现金 ¥300.00。" || finish
	keys Enter
	expect "zh: then the manager's code and PIN" "店长工号" || finish
	keys 9001 Enter 9999 Enter
	expect "zh: the refund is recorded" "退货已记录：S001-T01-000002" || finish
	if [ "$(q "SELECT amount FROM refund_noreceipt WHERE receipt = 'S001-T01-000002'")" = 30000 ]; then
		pass
	else
		fail "zh: the refund at ¥10.00: $(q "SELECT group_concat(amount) FROM refund_noreceipt")"
	fi
else
	fail "zh_CN.UTF-8 is not installed (packaging/deps.sh generates it): the Chinese screens were not checked"
fi
if "$CP_BINARY" --db ./demo.db verify >verify.txt 2>&1; then pass; else fail "verify: $(cat verify.txt)"; fi

finish
