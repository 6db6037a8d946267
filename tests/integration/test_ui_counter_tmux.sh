#!/usr/bin/env bash
# test_ui_counter_tmux.sh — what real counters throw at the till (../shared/REALITY.md), in a
# real terminal. A clock three days behind the journal (faketime): the payment is refused, the
# till asks at once whether the clock is right, "No" leaves everything as it was, "Yes" takes the
# manager's code and PIN, and the same payment then goes through; the journal holds the
# confirmation and verifies. A member without their phone: part of the name and the last four
# digits find them, or a short list to choose from.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uicounter tmux faketime
# faketime preloads its library; a sanitizer build must be told that this is fine.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

SOCK=$PWD/tmux.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

# q SQL: one value from the database.
q() {
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' ./demo.db "$1"
}

# A sale now, so that the journal's newest event is today.
"$CP_BINARY" --db ./demo.db init --demo >/dev/null
printf '%s\n' '{"cmd":"login","staff":"1001","pin":"1111"}' '{"cmd":"scan","code":"10047"}' \
	'{"cmd":"pay","tenders":[{"method":"cash","amount":"1.00"}]}' |
	"$CP_BINARY" --db ./demo.db script >script.txt 2>&1
if [ "$(q "SELECT count(*) FROM sale")" = 1 ]; then pass; else fail "the first sale: $(cat script.txt)"; fi

# The till three days in the past.
T new-session -d -s till -x 100 -y 30 -c "$PWD" \
	"env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=screen faketime -f -3d '$CP_BINARY' --db ./demo.db \
	2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
if ! expect "the till shows its login screen" "Staff code" 60; then
	echo "stderr: $(cat stderr.txt 2>/dev/null)" >&2
	finish
fi
keys 1001 Enter 1111 Enter
expect "the cashier is logged in" "Item code"
keys 6903468885155 Enter
expect "the item is on the sale" "鸡蛋 30枚装"
keys F4
expect "the payment screen opens" "Amount received"
keys F7
expect "the payment is refused for the clock" "Is the clock right?"
expect "the question gives the clock's time and the last event's" "but the last recorded event"
keys Escape
gone "No closes the question" "Is the clock right?"
if [ "$(q "SELECT count(*) FROM sale")" = 1 ] &&
	[ "$(q "SELECT count(*) FROM clock_confirm")" = 0 ]; then
	pass
else
	fail "nothing was recorded after No"
fi
keys F7
expect "paying again asks again" "Is the clock right?"
keys Enter
expect "Yes asks for a manager" "Manager code"
keys 9001 Enter 9999 Enter
expect "the manager's confirmation is taken" "Clock confirmed by manager 9001"
keys F7
expect "the same payment now goes through" "Sale complete, receipt S001-T01-"
keys Enter
expect "the next sale starts empty" "Total  0 items"

# A member without their phone: part of the name, a space, the phone's last four digits.
keys F2
expect "the member lookup says how to find a member without their phone" "(王 5678)"
T send-keys -t till -l "晓东 1234"
keys Enter
expect "no match is said plainly" "No member here whose name has 晓东 and whose phone ends in 1234."
keys C-u
T send-keys -t till -l "晓东 8000"
keys Enter
expect "one match is attached at once" "陈晓东  138****8000"
keys F2
expect "the member lookup opens again" "Find a member"
T send-keys -t till -l "怡 5299"
keys Enter
expect "two matches give a list to choose from" "Which member?"
expect "the list shows the phone masked" "邹怡梓  188****5299"
keys 2
expect "the second one is attached" "魏杰怡  1"
T kill-server 2>/dev/null

if [ "$(q "SELECT authorised_by FROM clock_confirm")" = 9001 ] &&
	[ "$(q "SELECT count(*) FROM sale")" = 2 ] &&
	[ "$(q "SELECT type FROM journal ORDER BY seq DESC LIMIT 1 OFFSET 1")" = clock_confirm ]; then
	pass
else
	fail "the journal holds the confirmation and then the sale"
fi
if "$CP_BINARY" --db ./demo.db verify >verify.txt 2>&1; then
	pass
else
	fail "verify: $(cat verify.txt)"
fi

finish
