#!/usr/bin/env bash
# test_ui_points_tmux.sh — points as payment in a real terminal: the cashier attaches 李秀英
# (3,050 points) to a ¥88.00 sale, the pay screen says points may pay ¥30.00 now (3,000 points,
# in steps of ¥1.00) and refuses part of a step or more than that at once, F9 pays it with points
# and WeChat Pay the rest; the result and the kept
# receipt show the points spent, the points earned and the balance after.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uipoints tmux

SOCK=$PWD/tmux.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

q() { # SQL: one value from the database
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' ./demo.db "$1"
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

keys F4
expect "the payment screen opens" "Amount received" || finish
expect "the pay screen says what points may pay now" \
	"Points may pay up to ¥30.00 now (3000 points), in steps of ¥1.00" || finish
expect "the points key is offered" "Points"
keys 3 0 . 5 F9
expect "a part of a step is refused at once" "Points pay in whole steps of ¥1.00: ¥30.50 is not one."
keys 3 1 F9
expect "more than the balance allows is refused, naming the rule" \
	"Points may pay at most ¥30.00 now: too few points: the member has 3050 to spend"
expect "nothing was taken" "none yet"
keys F9
expect "points pay ¥30.00" "Points ¥30.00 taken; ¥58.00 still due." || finish
keys F9
expect "a second points payment is refused" "Points are already taken for this sale"

keys F7
expect "WeChat Pay pays the rest" "Sale complete, receipt S001-T01-000001" || finish
expect "the result shows the points spent" "Points spent 3000"
# ¥58.00 of money at 普通 x1.0, or x2 on member day (Wednesday) or in July (her birthday)
EARNED=$(screen | sed -n 's/.*Points earned \([0-9]*\).*/\1/p' | head -1)
if [ "$EARNED" = 58 ] || [ "$EARNED" = 116 ]; then
	pass
else
	fail "points are earned on the ¥58.00 of money only: got '$EARNED'"
fi
expect "the balance after: 3,050 - 3,000 + earned" "Balance $((50 + ${EARNED:-0})) points"

TEXT=$(q "SELECT text FROM receipt_copy WHERE receipt = 'S001-T01-000001'")
for want in "Points" "30.00" "WeChat Pay" "58.00" "Points spent" "-3000" \
	"Points earned" "+${EARNED:-?}" "Points balance"; do
	if grep -qF -- "$want" <<<"$TEXT"; then pass; else fail "the receipt shows '$want': $TEXT"; fi
done
if grep -E "Points balance +$((50 + ${EARNED:-0}))\$" <<<"$TEXT" >/dev/null; then
	pass
else
	fail "the receipt shows the balance after: $TEXT"
fi
if [ "$(q "SELECT group_concat(method || ':' || amount) FROM tender")" = "points:3000,wechat:5800" ]; then
	pass
else
	fail "the tenders are points ¥30.00 and WeChat Pay ¥58.00: $(q "SELECT group_concat(method || ':' || amount) FROM tender")"
fi
keys Enter
expect "the next sale starts empty" "Total  0 items"
keys F10
expect "logged out" "Staff code"
if "$CP_BINARY" --db ./demo.db verify >verify.txt 2>&1; then
	pass
else
	fail "verify: $(cat verify.txt)"
fi
finish
