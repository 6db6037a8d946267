#!/usr/bin/env bash
# test_ui_manager_pin_tmux.sh — a manager's PIN asked during a cashier's work, in a real
# terminal. A cashier's refund: a wrong manager PIN keeps the dialog open with a message (the
# try counted in core), the right PIN then typed completes the refund, and the PIN digits never
# show on the screen. The manager menu asks through the same dialog: five wrong PINs lock the
# code and the dialog says so, with the time it unlocks, and stays open.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uimanagerpin tmux

SOCK=$PWD/tmux.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

# PINs whose digits appear nowhere else on these screens.
WRONG=8642
RIGHT=9999 # the demo manager 9001's PIN

q() {
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' ./demo.db "$1"
}
# no_pin DESCRIPTION: neither PIN's digits on the screen.
no_pin() {
	if screen | grep -qF -e "$WRONG" -e "$RIGHT"; then
		fail "$1: a PIN shows on the screen"
	else
		pass
	fi
}
# type_pin PIN: typed key by key, as a person does, the screen read after each key.
type_pin() {
	local i
	for ((i = 0; i < ${#1}; i++)); do
		keys "${1:i:1}"
		sleep 0.1
		no_pin "while the PIN is typed"
	done
}

"$CP_BINARY" --db ./demo.db init --demo >/dev/null
printf '%s\n' '{"cmd":"login","staff":"1001","pin":"1111"}' '{"cmd":"scan","code":"6903468885155"}' \
	'{"cmd":"scan","code":"6954802253352"}' \
	'{"cmd":"pay","tenders":[{"method":"cash","amount":"100.00"}]}' |
	"$CP_BINARY" --db ./demo.db script >script.txt 2>&1
RECEIPT=$(q "SELECT receipt FROM sale")
if [ "$(q "SELECT count(*) FROM sale_line")" = 2 ]; then pass; else fail "the sale: $(cat script.txt)"; fi

T new-session -d -s till -x 100 -y 30 -c "$PWD" \
	"env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --db ./demo.db \
	2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
if ! expect "the till shows its login screen" "Staff code" 60; then
	echo "stderr: $(cat stderr.txt 2>/dev/null)" >&2
	finish
fi
keys 1001 Enter 1111 Enter
expect "the cashier is logged in" "Item code" || finish

# A cashier's refund of line 1, a wrong manager PIN, then the right one.
keys F5
expect "the refund screen opens" "Receipt number" || finish
keys "$RECEIPT" Enter 1 Enter # line 1, 1 unit; Enter confirms the total shown
expect "the refund total is confirmed first" "back." || finish
keys Enter
expect "a cashier's refund asks for a manager" "Manager code" || finish
keys 9001 Enter
type_pin $WRONG
keys Enter
expect "the wrong PIN is refused with a message" "Wrong manager code or PIN. Try again."
expect "the dialog stays open for another try" "Manager code"
no_pin "after the wrong PIN"
if [ "$(q "SELECT failed FROM staff WHERE code = '9001'")" = 1 ]; then
	pass
else
	fail "the wrong PIN counts towards 9001's lock-out: failed = $(q "SELECT failed FROM staff WHERE code = '9001'")"
fi
if [ "$(q "SELECT count(*) FROM refund")" = 0 ]; then pass; else fail "a refund with a wrong PIN"; fi
type_pin $RIGHT
keys Enter
expect "the right PIN completes the refund" "Refund recorded: S001-T01-"
expect "the refund names who authorised it" "authorised by 9001"
gone "the dialog is closed" "Manager code"
no_pin "after the refund"
if [ "$(q "SELECT group_concat(line_no) FROM refund_line")" = 1 ]; then
	pass
else
	fail "line 1 was refunded: $(q "SELECT group_concat(line_no) FROM refund_line")"
fi
keys Escape
expect "back to the sale" "Item code"

# The manager menu asks through the same dialog; five wrong PINs lock the code.
keys F9
expect "the manager menu asks for a manager" "Manager code" || finish
keys 9001 Enter
for n in 1 2 3 4 5; do
	type_pin $WRONG
	keys Enter
	if [ $n -lt 5 ]; then
		expect "wrong PIN $n is refused" "Wrong manager code or PIN. Try again."
		expect "the dialog stays open after wrong PIN $n" "Manager code"
	fi
done
expect "the fifth wrong PIN locks the code, and says until when" "9001 is locked until"
expect "the dialog stays open for another manager" "Manager code"
no_pin "after the lock"
type_pin $RIGHT
keys Enter
expect "a locked code stays locked with the right PIN" "9001 is locked until"
if screen | grep -qF "Sync with HQ"; then fail "the locked code opened the menu"; else pass; fi
keys Escape
gone "Esc closes the dialog" "Manager code"
no_pin "at the end"
finish
