#!/usr/bin/env bash
# test_ui_cart_owner_tmux.sh — a sale left open by another login, in a real terminal (issue 8,
# item 4). 1001 opens a sale in script mode; 1001 logging in to the till is asked to continue
# it (recorded as a takeover) or cancel it; 1002 is told whose sale it is, is refused a scan,
# and takes it over only with F7, t and a confirmation ("No" records nothing); 1002 logging
# back in after a lock goes on with the sale without being asked; verify replays it all.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uicartowner tmux

SOCK=$PWD/tmux.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

# q SQL: one value from the database.
q() {
	python3 -c 'import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()
print("" if r is None else r[0])' ./demo.db "$1"
}
check() {
	if [ "$(q "$2")" = "$3" ]; then pass; else fail "$1: $(q "$2") is not $3"; fi
}
login() {
	keys "$1" Enter
	keys "$2" Enter
}

# 1001 opens a sale of two eggs in script mode and leaves it open.
"$CP_BINARY" --db ./demo.db init --demo >/dev/null
printf '%s\n' '{"cmd":"login","staff":"1001","pin":"1111"}' \
	'{"cmd":"scan","code":"6903468885155","qty":2}' |
	"$CP_BINARY" --db ./demo.db script >script.txt 2>&1
check "the script left a sale open" "SELECT sum(qty) FROM cart_line" 2

T new-session -d -s till -x 100 -y 30 -c "$PWD" \
	"env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --db ./demo.db \
	2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
if ! expect "the till shows its login screen" "Staff code" 60; then
	echo "stderr: $(cat stderr.txt 2>/dev/null)" >&2
	finish
fi

# The same person, a new login: asked, and continuing is a recorded takeover.
login 1001 1111
expect "1001 is asked about the sale of the earlier login" "Unfinished sale"
expect "the question says whose and how much" "A sale opened by staff 1001"
check "asking records nothing" "SELECT count(*) FROM journal WHERE type <> 'shift_open'" 0
keys Enter
expect "continuing takes it over, recorded" "is now yours (recorded)"
expect "the sale is on the screen" "鸡蛋 30枚装"
check "the takeover is in the journal" \
	"SELECT json_extract(payload, '\$.from_staff') || '>' || json_extract(payload, '\$.to_staff') FROM journal WHERE type = 'cart_takeover'" \
	"1001>1001"

# Someone else: told whose sale it is, refused, and takes over only explicitly.
keys F10
expect "logging out keeps the sale" "Logged out. The open sale is kept."
login 1002 2222
expect "1002 is told it is someone else's sale" "Someone else's sale"
expect "the question names the owner" "Staff 1001 (王芳)"
keys Escape
expect "leaving it shows whose sale is open" "Staff 1001 (王芳) has a sale open since"
gone "1002 does not see 1001's lines" "鸡蛋 30枚装"
scan 6903468885155
expect "a scan into 1001's sale is refused" "staff 1001"
check "the refused scan changed nothing" "SELECT sum(qty) FROM cart_line" 2
check "nothing more was recorded" "SELECT count(*) FROM journal WHERE type <> 'shift_open'" 1
keys F7
expect "F7 asks again" "Someone else's sale"
keys t
expect "taking over asks for a confirmation" "Take over the sale?"
keys Escape
check "answering No records nothing" "SELECT count(*) FROM journal WHERE type <> 'shift_open'" 1
check "the sale is still 1001's" "SELECT staff FROM cart" 1001
keys F7
expect "F7 asks once more" "Someone else's sale"
keys t
expect "the confirmation again" "Take over the sale?"
keys Enter
expect "the sale is 1002's now" "is now yours (recorded)"
expect "1002 sees the sale" "鸡蛋 30枚装"
check "the takeover by 1002 is recorded" \
	"SELECT count(*) FROM cart_takeover WHERE from_staff = '1001' AND to_staff = '1002'" 1
check "the cart belongs to 1002" "SELECT staff FROM cart" 1002

# A lock is not a new login: 1002 goes on without being asked.
keys F10
expect "1002 logs out" "Logged out. The open sale is kept."
login 1002 2222
expect "1002 is back on the sale" "鸡蛋 30枚装"
gone "without a question" "Someone else's sale"
check "and nothing more was recorded" "SELECT count(*) FROM journal WHERE type <> 'shift_open'" 2

if "$CP_BINARY" --db ./demo.db verify >verify.txt 2>&1; then
	pass
else
	fail "verify replays the takeovers: $(cat verify.txt)"
fi
finish
