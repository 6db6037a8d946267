#!/usr/bin/env bash
# test_ui_refund_qty_tmux.sh — refunds you can see (issue 12), in a real terminal, in English at
# 100x30 and in Chinese at 80x24: the receipt number typed shows the sale's lines with the
# units sold and refunded; the cashier moves to a line and types a partial quantity; the money
# back and the points clawed back show (core's quote) and are confirmed BEFORE the manager's
# code and PIN are asked; then the refund is recorded with exactly that money. A quantity
# larger than is left is refused on the screen, before any PIN. The second run refunds what is
# left of the same line, so the screen shows the units refunded before.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uirefundqty tmux

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
# A member's sale: 3 boxes of eggs (¥22.90 each, line 1) and one other item (line 2).
printf '%s\n' '{"cmd":"login","staff":"1001","pin":"1111"}' \
	'{"cmd":"scan","code":"6954802253352"}' \
	'{"cmd":"scan","code":"6903468885155","qty":3}' \
	'{"cmd":"attach","phone":"13800138000"}' \
	'{"cmd":"pay","tenders":[{"method":"cash","amount":"200.00"}]}' |
	"$CP_BINARY" --db ./demo.db script >script.txt 2>&1
RECEIPT=$(q "SELECT receipt FROM sale")
LINE=$(q "SELECT line_no FROM sale_line WHERE qty = 3")
EGG=$(q "SELECT amount FROM sale_line WHERE qty = 3")
POINTS=$(q "SELECT points FROM sale")
ELIGIBLE=$(q "SELECT eligible FROM sale")
if [ "$EGG" = 6870 ] && [ "$LINE" = 2 ]; then pass; else fail "the sale: $(cat script.txt)"; fi
yuan() { printf '¥%d.%02d' $(($1 / 100)) $(($1 % 100)); }

# ---- English, 100x30: 1 of the 3 boxes ----
start C.UTF-8 100 30
expect "the till shows its login screen" "Staff code" 60 || finish
keys 1001 Enter 1111 Enter
expect "the cashier is logged in" "Item code" || finish
keys F5
expect "the refund screen opens" "Receipt number" || finish
keys "$RECEIPT" Enter
expect "the sale's lines show" "鸡蛋 30枚装" || finish
expect "with the units sold and refunded" "Refunded"
keys Down 9
expect "9 boxes is refused on the screen" "3 sold, 0 refunded already; refund 1 to 3"
keys BSpace 1
PART=$((EGG / 3))
CLAW=$((POINTS * PART / ELIGIBLE))
expect "the money back of 1 box" "To refund: $(yuan $PART)" || finish
expect "the points clawed back" "Points clawed back: $CLAW"
keys Enter
expect "the total is confirmed first" "Refund $RECEIPT: $(yuan $PART) back." || finish
gone "no PIN asked yet" "Manager code"
keys Enter
expect "then the manager's code and PIN" "Manager code" || finish
if [ "$(q "SELECT failed FROM staff WHERE code = '9001'")" = 0 ]; then pass; else fail "a PIN was counted before it was asked"; fi
keys 9001 Enter 9999 Enter
expect "the refund is recorded" "Refund recorded: S001-T01-000002" || finish
expect "its money as quoted" "$(yuan $PART) back, authorised by 9001"
if [ "$(q "SELECT amount FROM refund")" = "$PART" ] && [ "$(q "SELECT qty FROM refund_part")" = 1 ]; then
	pass
else
	fail "one box refunded: refund $(q "SELECT amount FROM refund"), units $(q "SELECT qty FROM refund_part")"
fi
keys Escape
expect "back to the sale" "Item code"

# ---- Chinese, 80x24: the 2 boxes left ----
if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	start zh_CN.UTF-8 80 24
	expect "the Chinese login screen" "工号" 60 || finish
	keys 1001 Enter 1111 Enter
	expect "the cashier is logged in (zh)" "商品码" || finish
	keys F5
	keys "$RECEIPT" Enter
	expect "zh: the sale's lines with the units refunded before" "已退" || finish
	keys Down 3
	expect "zh: 3 more boxes are refused" "售出 3，已退 1；可退 1 至 2"
	keys BSpace 2
	REST=$((EGG - EGG / 3))
	expect "zh: the money back of the 2 boxes" "应退：$(yuan $REST)" || finish
	expect "zh: the points clawed back" "扣回积分："
	keys Enter
	expect "zh: the total is confirmed first" "退货 $RECEIPT：退还 $(yuan $REST)。" || finish
	keys Enter
	expect "zh: then the manager's code and PIN" "店长工号" || finish
	keys 9001 Enter 9999 Enter
	expect "zh: the refund is recorded" "退货已记录：S001-T01-000003" || finish
	if [ "$(q "SELECT sum(amount) FROM refund_part")" = "$EGG" ] && [ "$(q "SELECT count(*) FROM refund_line")" = 1 ]; then
		pass
	else
		fail "the two refunds sum to the line: $(q "SELECT sum(amount) FROM refund_part") of $EGG"
	fi
else
	fail "zh_CN.UTF-8 is not installed (packaging/deps.sh generates it): the Chinese screens were not checked"
fi
if "$CP_BINARY" --db ./demo.db verify >verify.txt 2>&1; then pass; else fail "verify: $(cat verify.txt)"; fi

finish
