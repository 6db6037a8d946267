#!/usr/bin/env bash
# test_ui_search_tmux.sh — item search and the price check in a real 100x30 terminal, in English
# and in Chinese: f opens the search, results follow the typing (pinyin initials, part of the
# name), Enter adds the chosen item ("3*" three of it), a miss says so and Esc adds nothing; i
# opens the price check, a scanned code shows the price and the member price (and the attached
# member's price) and adds nothing; F1's help lists both keys.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uisearch tmux

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

lines() { # the sale's lines in the database
	python3 -c 'import sqlite3; print(sqlite3.connect("./demo.db").execute("SELECT group_concat(sku || \"x\" || qty, \" \") FROM (SELECT sku, qty FROM cart_line ORDER BY line_no)").fetchone()[0])'
}

# run LANG TITLE NOMATCH PCTITLE PRICE MPRICE PAYS FIND CHECK TIMES
run() {
	local lang=$1 title=$2 nomatch=$3 pctitle=$4 price=$5 mprice=$6 pays=$7 hfind=$8 hcheck=$9
	local times=${10}
	keys f
	expect "$lang: the search opens" "$title" || return
	T send-keys -t till -l "kl330"
	expect "$lang: initials find the cola" "可乐 330ml" || return
	keys Enter
	expect "$lang: the cola is added" "可乐 330ml  ${times}1" || return
	keys f
	expect "$lang: the search opens again, empty" "$title" || return
	T send-keys -t till -l "3*牛奶"
	expect "$lang: part of the name finds the milks" "鲜牛奶 950ml" || return
	expect "$lang: ... both" "纯牛奶 250ml×12"
	keys Down Enter
	expect "$lang: three of the second one are added" "鲜牛奶 950ml  ${times}3" || return
	keys f
	expect "$lang: the search opens a third time" "$title" || return
	T send-keys -t till -l "xyzzyq"
	expect "$lang: a miss says so" "$nomatch"
	keys Escape
	gone "$lang: Esc leaves the search" "$title" || true
	if [ "$(lines)" = "10035x1 10010x3" ]; then pass; else fail "$lang: the sale holds what was chosen: $(lines)"; fi
	keys i
	expect "$lang: the price check opens" "$pctitle" || return
	scan 6903468794396
	expect "$lang: the price" "$price" || return
	expect "$lang: the member price" "$mprice"
	if screen | grep -qF "$pays"; then fail "$lang: no member, no member's price"; else pass; fi
	keys Escape
	scan 8800000002
	expect "$lang: a member is attached" "139****9000" || return
	keys i
	expect "$lang: the price check opens again" "$pctitle" || return
	scan 6903468794396
	expect "$lang: the attached member's price" "$pays¥49.90" || return
	keys Escape
	if [ "$(lines)" = "10035x1 10010x3" ]; then pass; else fail "$lang: the price checks added nothing: $(lines)"; fi
	keys F1
	expect "$lang: help lists the search" "$hfind"
	expect "$lang: help lists the price check" "$hcheck"
	keys Escape
}

start C.UTF-8
expect "the till shows its login screen" "Staff code" 60 || finish
keys 1001 Enter 1111 Enter
expect "the cashier is logged in" "Item code" || finish
run en "Find an item: part of its name, or its pinyin initials" "No item matches." \
	"Price check: scan or type a code; nothing is added" "Price: ¥59.90" "Member price: ¥49.90" \
	"pays: " "Find item" "Price check" x

if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	start zh_CN.UTF-8
	expect "the Chinese login screen" "工号" 60 || finish
	keys 1001 Enter 1111 Enter
	expect "the cashier is logged in (zh)" "商品码" || finish
	run zh_CN "查找商品：输入商品名称的一部分或拼音首字母" "没有匹配的商品。" \
		"查价：扫描或输入商品码，不会加入本单" "售价：¥59.90" "会员价：¥49.90" "应付：" \
		"查找商品" "查价" ×
else
	fail "zh_CN.UTF-8 is not installed (packaging/deps.sh generates it): the Chinese screens were not checked"
fi
finish
