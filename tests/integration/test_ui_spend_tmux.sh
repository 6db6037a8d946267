#!/usr/bin/env bash
# test_ui_spend_tmux.sh — spending points both ways in one sale, in a real terminal: the
# cashier attaches 李秀英 (3,050 points) to a ¥88.00 sale, takes the peanut oil offer (F8,
# 500 points + ¥79.90), pays with points what the pay screen allows after the hold (F9: ¥25.00,
# 2,500 points) and the rest by WeChat Pay (F7); the result and the kept receipt show the points
# spent (offer and tender), the points earned and the balance after, and each number agrees
# with the database and with what `counterpoint script` says of the member afterwards.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uispend tmux

SOCK=$PWD/tmux.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

q() { # SQL: one value from the database
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' ./demo.db "$1"
}
has() { # DESCRIPTION TEXT PATTERN (extended regular expression)
	if grep -qE -- "$3" <<<"$2"; then pass; else fail "$1: $2"; fi
}

"$CP_BINARY" --db ./demo.db init --demo >/dev/null
T new-session -d -s till -x 100 -y 30 -c "$PWD" \
	"env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --db ./demo.db \
	2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
if ! expect "the till shows its login screen" "Staff code" 60; then
	echo "stderr: $(cat stderr.txt 2>/dev/null)" >&2
	finish
fi
keys 1001 Enter 1111 Enter
expect "the cashier is logged in" "Item code" || finish

# ¥88.00, all eligible: 5 x chilled chicken breast ¥16.90 and chewing gum ¥3.50
for i in 1 2 3 4 5; do
	scan 6901234058369
	expect "chicken breast x$i" "Total  $i items" || finish
done
scan 69123436
expect "the gum is on the sale" "Total  6 items" || finish
scan 13900139000
expect "李秀英 is attached" "李秀英  139****9000" || finish

# The peanut oil offer (500 points + ¥79.90): ending soonest first then by id, P-BAG, P-MILK,
# P-MOON, P-OIL.
keys F8
expect "the member's offers open" "can spend 3050 points" || finish
keys Down Down Down Enter
expect "the offer is taken" "Points held by this sale: 500" || finish
expect "the member panel shows the balance after the hold" "Balance after: 2550" || finish

# Points pay only the ¥88.00 of items (not the offer line): the cap is ¥44.00, the member has
# 3,050 - 500 held = 2,550 points to spend, so ¥25.00 (2,500 points).
keys F4
expect "the payment screen opens" "Amount received" || finish
expect "the pay screen counts the held points out" \
	"Points may pay up to ¥25.00 now (2500 points), in steps of ¥1.00" || finish
keys F9
expect "points pay ¥25.00 of ¥167.90" "Points ¥25.00 taken; ¥142.90 still due." || finish
keys F7
expect "WeChat Pay pays the rest" "Sale complete, receipt S001-T01-000001" 10 || finish
expect "the result shows the points spent: 500 for the offer and 2,500 as tender" \
	"Points spent 3000"

R=S001-T01-000001
EARNED=$(q "SELECT points FROM sale WHERE receipt = '$R'")
SHOWN=$(screen | sed -n 's/.*Points earned \([0-9]*\).*/\1/p' | head -1)
if [ "$SHOWN" = "$EARNED" ]; then pass; else fail "points earned shown '$SHOWN', recorded '$EARNED'"; fi
# ¥63.00 of money on the items (¥88.00 less ¥25.00 of points) at 普通 x1.0, or x2 on member day
# (Wednesday) or in July (her birthday); the offer line earns nothing.
if [ "$EARNED" = 63 ] || [ "$EARNED" = 126 ]; then
	pass
else
	fail "points are earned on the items' money part only: got '$EARNED'"
fi
AFTER=$((3050 - 3000 + ${EARNED:-0}))
expect "the result shows the balance after" "Balance $AFTER points"

if [ "$(q "SELECT group_concat(kind || ':' || points, ' ') FROM (SELECT kind, points FROM movement ORDER BY n)")" \
	= "earn:$EARNED pay:-2500 offer:-500" ] ||
	[ "$(q "SELECT group_concat(kind || ':' || points, ' ') FROM (SELECT kind, points FROM movement ORDER BY kind)")" \
		= "earn:$EARNED offer:-500 pay:-2500" ]; then
	pass
else
	fail "the movements: earned, the points tender and the offer: $(q "SELECT group_concat(kind || ':' || points) FROM movement")"
fi
if [ "$(q "SELECT group_concat(method || ':' || amount) FROM (SELECT method, amount FROM tender ORDER BY n)")" \
	= "points:2500,wechat:14290" ]; then
	pass
else
	fail "the tenders are points ¥25.00 and WeChat Pay ¥142.90: $(q "SELECT group_concat(method || ':' || amount) FROM tender")"
fi
# The balance as the till knows it: HQ's snapshot plus this till's movements (none sent yet).
BAL="SELECT m.points + (SELECT sum(points) FROM movement WHERE member_id = m.id) FROM member m
	JOIN sale s ON s.member_id = m.id WHERE s.receipt = '$R'"
if [ "$(q "$BAL")" = "$AFTER" ]; then
	pass
else
	fail "the snapshot plus the movements make $AFTER: $(q "$BAL")"
fi

TEXT=$(q "SELECT text FROM receipt_copy WHERE receipt = '$R'")
has "the receipt shows the offer line" "$TEXT" "79\.90"
has "the receipt shows the points tender" "$TEXT" "Points.*25\.00"
has "the receipt shows WeChat Pay" "$TEXT" "WeChat Pay.*142\.90"
has "the receipt shows the points spent" "$TEXT" "Points spent +-3000\$"
has "the receipt shows the points earned" "$TEXT" "Points earned +\+$EARNED\$"
has "the receipt shows the balance after" "$TEXT" "Points balance +$AFTER\$"

keys Enter
expect "the next sale starts empty" "Total  0 items"
keys F10
expect "logged out" "Staff code"
T kill-server 2>/dev/null

# What script mode says of the member afterwards agrees with the receipt.
ANS=$(printf '%s\n' '{"cmd":"login","staff":"1001","pin":"1111"}' \
	'{"cmd":"balance","phone":"13900139000"}' |
	"$CP_BINARY" --db ./demo.db script 2>script_err.txt | tail -1)
if python3 -c 'import json, sys
j = json.loads(sys.argv[1])
sys.exit(0 if j["ok"] and j["member"]["points"] == int(sys.argv[2]) else 1)' "$ANS" "$AFTER"; then
	pass
else
	fail "script mode gives the balance $AFTER: $ANS $(cat script_err.txt)"
fi
if "$CP_BINARY" --db ./demo.db verify >verify.txt 2>&1; then
	pass
else
	fail "verify: $(cat verify.txt)"
fi
finish
