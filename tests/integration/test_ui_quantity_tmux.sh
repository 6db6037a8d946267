#!/usr/bin/env bash
# test_ui_quantity_tmux.sh — a bad quantity in front of a code, in a real 80x24 terminal, in
# English and in Chinese: 99999*code, 0*code and 1.5*code are refused with what a quantity is
# (a whole number 1 to 9999), whole on the message line, never that '*' cannot be in a code;
# the cart is left as it was.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uiquantity tmux

runs=0
SOCK=$PWD/tmux-0.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

"$CP_BINARY" --db ./demo.db init --demo >/dev/null

# start LANG: the till at 80x24 in a tmux server of its own.
start() {
	T kill-server 2>/dev/null
	runs=$((runs + 1))
	SOCK=$PWD/tmux-$runs.sock
	T new-session -d -s till -x 80 -y 24 -c "$PWD" \
		"env LANG=$1 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --db ./demo.db \
		2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
}

# check LANG WHAT ITEMFIELD: each bad quantity gets WHAT, whole, and no word about '*' in a code.
check() {
	local q
	for q in '99999*6903468885155' '0*6903468885155' '1.5*6903468885155'; do
		keys -l "$q"
		keys Enter
		if expect "$1: $q says what a quantity is" "$2"; then :; else continue; fi
		if screen | grep -qF "cannot be in a code"; then
			fail "$1: $q is answered as a bad code"
		else
			pass
		fi
		if screen | grep -qF "不能"; then
			fail "$1: $q is answered as a bad code (zh)"
		else
			pass
		fi
		# the next refusal must show afresh: clear the line with a good key
		keys Escape
		gone "$1: the message goes once the screen moves on" "$2" || true
	done
}

start C.UTF-8
expect "the till shows its login screen" "Staff code" 60 || finish
keys 1001 Enter 1111 Enter
expect "the cashier is logged in" "Item code" || finish
check en "A quantity is a whole number from 1 to 9999, typed before '*': 3*code."
if screen | grep -qF "鸡蛋"; then fail "a bad quantity put something in the cart"; else pass; fi
keys F10
expect "logged out" "Staff code" || finish

if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	start zh_CN.UTF-8
	expect "the Chinese login screen" "工号" 60 || finish
	keys 1001 Enter 1111 Enter
	expect "the cashier is logged in (zh)" "商品码" || finish
	check zh_CN "数量须为 1 至 9999 的整数，写在 * 前，如 3*商品码。"
	if screen | grep -qF "鸡蛋"; then fail "a bad quantity put something in the cart (zh)"; else pass; fi
else
	fail "zh_CN.UTF-8 is not installed (packaging/deps.sh generates it): the Chinese screens were not checked"
fi

finish
