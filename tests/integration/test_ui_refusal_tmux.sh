#!/usr/bin/env bash
# test_ui_refusal_tmux.sh — after a refusal, what is typed next starts afresh, and a refusal
# stays with the screen that raised it, in a real terminal. A character the sale screen's item
# field refuses empties it, so the code typed next is the whole code; a phone number not found
# in the member search is not prefixed to the next one; an amount the pay screen refuses is
# gone when the next amount is typed (1, not 5001); and the payment's error is not on the sale
# screen nor on the question asked there afterwards. In English and in Chinese.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uirefusal tmux

SOCK=$PWD/tmux.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

# absent DESCRIPTION TEXT: TEXT is not on the screen now.
absent() {
	if screen | grep -qF -- "$2"; then fail "$1: '$2' is on the screen"; else pass; fi
}

# The words each check looks for, in the language of the run.
words() {
	if [ "$1" = en ]; then
		W_LOGIN="Staff code" W_ITEM="Item code" W_REFUSED="Item codes are letters and digits"
		W_NOMEMBER="No member" W_PAY="Amount received" W_CASHONLY="only cash gives change"
		W_CANCEL="Cancel this sale?" W_TOOK1="Cash ¥1.00 taken" W_DONE="Sale complete"
	else
		W_LOGIN="工号" W_ITEM="商品码" W_REFUSED="商品码只能是字母和数字"
		W_NOMEMBER="查不到会员" W_PAY="实收金额" W_CASHONLY="只有现金可以找零"
		W_CANCEL="取消本单？" W_TOOK1="已收现金 ¥1.00" W_DONE="收款完成"
	fi
}

# run LANGUAGE LOCALE: the four checks in one language, on a till of its own.
run() {
	local L=$1
	words "$L"
	T kill-server 2>/dev/null
	SOCK=$PWD/tmux-$L.sock
	rm -f ./demo.db ./demo.db-wal ./demo.db-shm
	"$CP_BINARY" --db ./demo.db init --demo >/dev/null
	T new-session -d -s till -x 100 -y 30 -c "$PWD" \
		"env LANG=$2 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --db ./demo.db \
		2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
	expect "$L: the till shows its login screen" "$W_LOGIN" 60 || finish
	keys 1001 Enter 1111 Enter
	expect "$L: the cashier is logged in" "$W_ITEM" || finish

	# 1. The item field: a refused character empties it; the code typed next is the whole code.
	keys -l 123
	expect "$L: the digits are in the item field" "123" || finish
	keys -l 中
	expect "$L: the character is refused" "$W_REFUSED" || finish
	keys -l 6903468885155
	keys Enter
	expect "$L: the code typed after the refusal is added alone" "鸡蛋 30枚装" || finish
	absent "$L: no code with the refused text in front" "1236903468885155"

	# 2. The member search: a number not found, then another typed: not appended.
	keys -l 13511112222
	keys Enter
	expect "$L: the number is not a member here" "$W_NOMEMBER" || finish
	keys -l 90019999
	expect "$L: the new number is in the field" "90019999" || finish
	absent "$L: the new number is not appended to the refused one" "1351111222290019999"
	keys Escape
	expect "$L: back on the sale" "$W_ITEM" || finish

	# 3. The pay screen's error, with nothing paid yet, then the screen is left: it goes with it.
	keys F4
	expect "$L: the payment screen opens" "$W_PAY" || finish
	keys -l 500
	keys F6
	expect "$L: a card cannot pay more than due" "$W_CASHONLY" || finish
	keys Escape
	expect "$L: back on the sale" "$W_ITEM" || finish
	gone "$L: the payment's error is not on the sale screen" "$W_CASHONLY"
	keys Escape
	expect "$L: a question is asked on the sale screen" "$W_CANCEL" || finish
	absent "$L: the payment's error is not on the question" "$W_CASHONLY"
	keys Escape
	gone "$L: the question is answered" "$W_CANCEL"

	# 4. The pay screen: an amount refused, then another typed: it replaces the refused one.
	keys F4
	expect "$L: the payment screen opens again" "$W_PAY" || finish
	keys -l 500
	keys F6
	expect "$L: a card cannot pay more than due, again" "$W_CASHONLY" || finish
	keys -l 1
	keys F5
	expect "$L: the amount typed after the refusal is 1, not 5001" "$W_TOOK1" || finish
	absent "$L: no sale paid with 5001" "$W_DONE"
}

run en C.UTF-8
if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	run zh_CN zh_CN.UTF-8
else
	fail "zh_CN.UTF-8 is not installed (packaging/deps.sh generates it): the Chinese screens were not checked"
fi

finish
