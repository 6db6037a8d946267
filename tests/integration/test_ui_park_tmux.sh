#!/usr/bin/env bash
# test_ui_park_tmux.sh — parked sales (挂单/取单) in a real 100x30 terminal, in English and in
# Chinese: k parks the open sale and the cart is empty for the next customer, a with a sale open
# says to park or finish it first, a lists the parked sales and Enter recalls the selected one
# with its lines; with none parked a says so; F1's help lists both keys.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uipark tmux

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

# run LANG: the whole walk; each later argument is the text expected at its step.
run() {
	local lang=$1 none=$2 parked1=$3 parked2=$4 open=$5 list=$6 recalled=$7 help_park=$8 help_recall=$9
	keys a
	expect "$lang: none parked" "$none"
	scan 6903468885155
	expect "$lang: an item" "鸡蛋 30枚装" || return
	keys k
	expect "$lang: the sale is parked" "$parked1" || return
	gone "$lang: the cart is empty for the next customer" "鸡蛋 30枚装" || true
	scan 6901234058369
	scan 6901234058369
	expect "$lang: the next customer's item" "冷鲜鸡胸肉" || return
	keys k
	expect "$lang: a second sale is parked" "$parked2" || return
	scan 6903468794396
	expect "$lang: a third customer's item" "纯牛奶" || return
	keys a
	expect "$lang: recall with a sale open is refused" "$open"
	keys Escape
	keys Enter
	gone "$lang: the third sale is cancelled" "纯牛奶" || true
	keys a
	expect "$lang: the list of parked sales" "$list" || return
	keys Down Enter
	expect "$lang: the second sale is recalled" "$recalled" || return
	expect "$lang: with its lines" "冷鲜鸡胸肉"
	if screen | grep -qF "鸡蛋 30枚装"; then fail "$lang: only the chosen sale came back"; else pass; fi
	keys F1
	expect "$lang: help lists park" "$help_park"
	expect "$lang: help lists recall" "$help_recall"
	keys Escape
}

start C.UTF-8
expect "the till shows its login screen" "Staff code" 60 || finish
keys 1001 Enter 1111 Enter
expect "the cashier is logged in" "Item code" || finish
run en "No sale is parked." "Sale parked as No. 1." "Sale parked as No. 2." \
	"A sale is open: park it (k) or finish it before recalling another." \
	"Parked sales: 2 (this till keeps up to 5)" "Sale No. 2 recalled: 2 items" \
	"Park" "Recall"
if [ "$(python3 -c 'import sqlite3; print(sqlite3.connect("./demo.db").execute("SELECT count(*) FROM parked_sale").fetchone()[0])')" = 1 ]; then
	pass
else
	fail "one sale is still parked"
fi

if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	start zh_CN.UTF-8
	expect "the Chinese login screen" "工号" 60 || finish
	keys 1001 Enter 1111 Enter
	expect "the cashier is logged in (zh)" "商品码" || finish
	run zh_CN "没有挂单。" "已挂单，单号 1。" "已挂单，单号 2。" \
		"有进行中的销售：请先挂单（k）或结账，再取单。" \
		"挂单：2 笔（本机最多 5 笔）" "已取回挂单 2：2 件" "挂单" "取单"
else
	fail "zh_CN.UTF-8 is not installed (packaging/deps.sh generates it): the Chinese screens were not checked"
fi
finish
