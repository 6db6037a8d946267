#!/usr/bin/env bash
# test_ui_refusal_tmux.sh — after a refusal, what is typed next starts afresh, and a refusal
# stays with the screen that raised it, in a real terminal. A character the sale screen's item
# field refuses empties it, so the code typed next is the whole code; a phone number not found
# in the member search is not prefixed to the next one; an amount the pay screen refuses is
# gone when the next amount is typed (1, not 5001); and the payment's error is not on the sale
# screen nor on the question asked there afterwards.
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

"$CP_BINARY" --db ./demo.db init --demo >/dev/null
T new-session -d -s till -x 100 -y 30 -c "$PWD" \
	"env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --db ./demo.db \
	2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
expect "the till shows its login screen" "Staff code" 60 || finish
keys 1001 Enter 1111 Enter
expect "the cashier is logged in" "Item code" || finish

# 1. The item field: a refused character empties it; the code typed next is the whole code.
keys -l 123
expect "the digits are in the item field" "123" || finish
keys -l 中
expect "the character is refused" "Item codes are letters and digits" || finish
keys -l 6903468885155
keys Enter
expect "the code typed after the refusal is added alone" "鸡蛋 30枚装" || finish
absent "no code with the refused text in front" "1236903468885155"

# 2. The member search: a number not found, then another typed: not appended.
keys -l 13511112222
keys Enter
expect "the number is not a member here" "No member" || finish
keys -l 90019999
expect "the new number is in the field" "90019999" || finish
absent "the new number is not appended to the refused one" "1351111222290019999"
keys Escape
expect "back on the sale" "Item code" || finish

# 3. The pay screen's error, with nothing paid yet, then the screen is left: it goes with it.
keys F4
expect "the payment screen opens" "Amount received" || finish
keys -l 500
keys F6
expect "a card cannot pay more than due" "only cash gives change" || finish
keys Escape
expect "back on the sale" "Item code" || finish
gone "the payment's error is not on the sale screen" "only cash gives change"
keys Escape
expect "a question is asked on the sale screen" "Cancel this sale?" || finish
absent "the payment's error is not on the question" "only cash gives change"
keys Escape
gone "the question is answered" "Cancel this sale?"

# 4. The pay screen: an amount refused, then another typed: it replaces the refused one.
keys F4
expect "the payment screen opens again" "Amount received" || finish
keys -l 500
keys F6
expect "a card cannot pay more than due, again" "only cash gives change" || finish
keys -l 1
keys F5
expect "the amount typed after the refusal is 1, not 5001" "Cash ¥1.00 taken" || finish
absent "no sale paid with 5001" "Sale complete"

finish
