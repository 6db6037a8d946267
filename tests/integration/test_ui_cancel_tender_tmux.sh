#!/usr/bin/env bash
# test_ui_cancel_tender_tmux.sh — a sale cancelled after a payment was entered, in a real
# 100x30 terminal, in English and in Chinese: a card slip of ¥10.00 kept on the pay screen, Esc
# back to the sale, Esc asks to cancel and says the payment is given back; Enter cancels and
# the message line says what to hand back (the card payment to void); the cart_cancel event
# lists the payment.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uicanceltender tmux

runs=0
SOCK=$PWD/tmux-0.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

# start LANG: a fresh demo database and the till at 100x30 in a tmux server of its own.
start() {
	T kill-server 2>/dev/null
	runs=$((runs + 1))
	SOCK=$PWD/tmux-$runs.sock
	rm -f ./demo.db ./demo.db-wal ./demo.db-shm
	"$CP_BINARY" --db ./demo.db init --demo >/dev/null
	T new-session -d -s till -x 100 -y 30 -c "$PWD" \
		"env LANG=$1 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --db ./demo.db \
		2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
}

# run LANG PAY QUESTION GIVE_BACK: the walk; each later argument is the text expected.
run() {
	local lang=$1 pay=$2 question=$3 back=$4 n
	scan 6903468885155
	expect "$lang: an item" "鸡蛋 30枚装" || return
	keys F4
	expect "$lang: the pay screen" "$pay" || return
	keys -l 10
	keys F6
	for ((n = 0; n < 100; n++)); do
		[ "$(q "SELECT count(*) FROM cart_tender")" = 1 ] && break
		sleep 0.05
	done
	if [ "$(q "SELECT count(*) FROM cart_tender")" = 1 ]; then pass; else fail "$lang: the card payment is kept"; fi
	keys Escape
	expect "$lang: back on the sale" "鸡蛋 30枚装" || return
	keys Escape
	expect "$lang: the question says the payment is given back" "$question" || return
	keys Enter
	expect "$lang: the message line says what to hand back" "$back" || return
	gone "$lang: the cart is empty" "鸡蛋 30枚装" || true
	if [ "$(q "SELECT json_extract(payload, '\$.tenders[0].method') || ':' ||
		json_extract(payload, '\$.tenders[0].amount') FROM journal
		WHERE type = 'cart_cancel'")" = "card:1000" ]; then
		pass
	else
		fail "$lang: the cart_cancel event lists the card payment"
	fi
	if [ "$(q "SELECT count(*) FROM cart_tender")" = 0 ]; then pass; else fail "$lang: no payment left"; fi
}

q() {
	python3 -c 'import sqlite3, sys
print(sqlite3.connect("./demo.db").execute(sys.argv[1]).fetchone()[0])' "$1"
}

start C.UTF-8
expect "the till shows its login screen" "Staff code" 60 || finish
keys 1001 Enter 1111 Enter
expect "the cashier is logged in" "Item code" || finish
run en "Amount received" "given back: Bank card ¥10.00" \
	"The sale was cancelled. Give back: Bank card ¥10.00 (void card and mobile payments)."

if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	start zh_CN.UTF-8
	expect "the Chinese login screen" "工号" 60 || finish
	keys 1001 Enter 1111 Enter
	expect "the cashier is logged in (zh)" "商品码" || finish
	run zh_CN "实收金额" "退还已收款项：银行卡 ¥10.00" \
		"本单已取消。请退还：银行卡 ¥10.00（刷卡及移动支付请撤销）。"
else
	fail "zh_CN.UTF-8 is not installed (packaging/deps.sh generates it): the Chinese screens were not checked"
fi
finish
