#!/usr/bin/env bash
# test_cart_owner.sh — the open sale belongs to the login that opened it (issue 8, item 4): two
# `counterpoint script` processes on one database. 1001 opens a sale; 1002 is refused every
# cart command and the payment, each answer naming the owner, and nothing changes; 1002 takes
# the sale over explicitly (a cart_takeover event in the journal) and pays it under 1002; the
# same staff code in a new process must take over too; verify replays the takeovers.
set -euo pipefail

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
: "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}"
CP=$CP_BINARY
STORE=$CP_SOURCE_DIR/packaging/demo/store.json

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env cart_owner
# expect DESCRIPTION PYTHON-EXPR: true over j, the last answer.
expect() {
	if python3 -c 'import json, sys
j = json.loads(sys.argv[1])
sys.exit(0 if eval(sys.argv[2]) else 1)' "$ans" "$2"; then
		pass
	else
		fail "$1: got $ans"
	fi
}
# q SQL: the first column of the first row, from the till's database.
q() {
	python3 -c 'import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()
print("" if r is None else r[0])' ./demo.db "$1"
}
check() {
	if [ "$(q "$2")" = "$3" ]; then pass; else fail "$1: $(q "$2") is not $3"; fi
}

"$CP" --db ./demo.db init --demo >/dev/null
ITEM=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(next(i["barcode"] for i in d["items"] if i["barcode"]))' "$STORE")

# Tills A, B and C: script processes on FIFOs, file descriptors 3/4, 5/6 and 7/8.
mkfifo a.in a.out b.in b.out c.in c.out
start() { # start NAME IN-FD OUT-FD
	"$CP" --db ./demo.db script <"$1.in" >"$1.out" 2>"$1.err" &
	eval "exec $2>$1.in $3<$1.out"
}
# ask TILL REQUEST: sends one line to till a, b or c and reads its answer into ans.
ask() {
	local w r
	case $1 in a) w=3 r=4 ;; b) w=5 r=6 ;; *) w=7 r=8 ;; esac
	printf '%s\n' "$2" >&"$w"
	if ! IFS= read -r -t 120 ans <&"$r"; then
		fail "no answer from till $1 (stderr: $(cat "$1.err"))"
		echo "$passed passed, $failed failed"
		exit 1
	fi
}
start a 3 4
start b 5 6

ask a '{"cmd":"login","staff":"1001","pin":"1111"}'
expect "1001 logs in on till A" 'j["ok"] is True'
ask b '{"cmd":"login","staff":"1002","pin":"2222"}'
expect "1002 logs in on till B" 'j["ok"] is True'
ask a "{\"cmd\":\"scan\",\"code\":\"$ITEM\",\"qty\":2}"
expect "1001 opens a sale of 2 items" 'j["ok"] is True and j["cart"]["items"] == 2'
ask a '{"cmd":"attach","member":"M000001"}'
expect "1001 attaches a member" 'j["ok"] is True and j["cart"]["member"]["id"] == "M000001"'

# 1002: every cart command and the payment refused, naming the owner and what to do.
refused() {
	expect "$1: refused" 'j["ok"] is False and j["error"]["code"] == "state"'
	expect "$1: the message names the owner and what to do" \
		'"staff 1001" in j["error"]["message"] and "take it over" in j["error"]["message"]'
	expect "$1: the answer names the owner" \
		'j["error"]["owner"]["staff"] == "1001" and j["error"]["owner"]["items"] == 2 and j["error"]["owner"]["since"] > 0'
}
ask b '{"cmd":"cart"}'
refused "1002 looking at 1001's cart"
ask b "{\"cmd\":\"scan\",\"code\":\"$ITEM\"}"
refused "1002 scanning into 1001's cart"
ask b '{"cmd":"set_qty","line":1,"qty":9}'
refused "1002 changing a quantity"
ask b '{"cmd":"remove","line":1}'
refused "1002 removing a line"
ask b '{"cmd":"attach","member":"M000002"}'
refused "1002 attaching another member"
ask b '{"cmd":"detach"}'
refused "1002 detaching the member"
ask b '{"cmd":"pay","tenders":[{"method":"cash","amount":"1000.00"}]}'
refused "1002 paying 1001's sale"
ask b '{"cmd":"cancel"}'
refused "1002 cancelling 1001's sale"
check "nothing was recorded" "SELECT count(*) FROM journal WHERE type <> 'shift_open'" 0
check "the cart is still 1001's" "SELECT staff FROM cart" 1001
check "its line is unchanged" "SELECT group_concat(qty) FROM cart_line" 2
check "its member is unchanged" "SELECT member_id FROM cart" M000001
ask a '{"cmd":"cart"}'
expect "1001 still sees the sale" 'j["ok"] is True and j["cart"]["items"] == 2'

# 1002 takes it over: recorded, then it is 1002's and 1001 is refused.
ask b '{"cmd":"take_over"}'
expect "1002 takes the sale over" \
	'j["ok"] is True and j["from"]["staff"] == "1001" and j["seq"] == 2 and j["cart"]["items"] == 2'
check "the takeover is in the journal" "SELECT type FROM journal WHERE seq = 2" cart_takeover
check "the journal names from and to" \
	"SELECT json_extract(payload, '\$.from_staff') || '>' || json_extract(payload, '\$.to_staff') FROM journal WHERE seq = 2" \
	"1001>1002"
check "and when the sale was opened" \
	"SELECT json_extract(payload, '\$.opened_at') = (SELECT opened_at FROM cart) FROM journal WHERE seq = 2" 1
ask b '{"cmd":"take_over"}'
expect "taking over one's own sale is refused" 'j["ok"] is False and j["error"]["code"] == "state"'
ask a "{\"cmd\":\"scan\",\"code\":\"$ITEM\"}"
expect "1001 is refused now, told 1002 has it" \
	'j["ok"] is False and j["error"]["owner"]["staff"] == "1002" and "staff 1002" in j["error"]["message"]'
ask b '{"cmd":"pay","tenders":[{"method":"cash","amount":"1000.00"}]}'
expect "1002 pays the sale taken over" 'j["ok"] is True and j["seq"] == 3'
check "the sale is recorded under 1002" "SELECT staff FROM sale WHERE seq = 3" 1002
ask a '{"cmd":"cart"}'
expect "the cart is empty for everyone afterwards" 'j["ok"] is True and j["cart"]["open"] is False'

# The same staff code in a new process is a new login: it must take over too.
ask a "{\"cmd\":\"scan\",\"code\":\"$ITEM\"}"
expect "1001 opens another sale" 'j["ok"] is True'
start c 7 8
ask c '{"cmd":"login","staff":"1001","pin":"1111"}'
expect "1001 logs in again on till C" 'j["ok"] is True'
ask c "{\"cmd\":\"scan\",\"code\":\"$ITEM\"}"
expect "the new login of 1001 is refused, told it is an earlier login's sale" \
	'j["ok"] is False and j["error"]["code"] == "state" and "earlier login" in j["error"]["message"] and j["error"]["owner"]["staff"] == "1001"'
ask c '{"cmd":"take_over"}'
expect "1001's new login takes it over" 'j["ok"] is True and j["from"]["staff"] == "1001"'
check "that takeover is recorded too" \
	"SELECT count(*) FROM cart_takeover WHERE from_staff = '1001' AND to_staff = '1001'" 1
ask a '{"cmd":"cart"}'
expect "the first login of 1001 is refused now" 'j["ok"] is False and j["error"]["code"] == "state"'

exec 3>&- 5>&- 7>&-
wait
if "$CP" --db ./demo.db verify >verify.txt 2>&1; then
	pass
else
	fail "verify replays the takeovers: $(cat verify.txt)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
