#!/usr/bin/env bash
# test_ui_offer_tmux.sh — a points-plus-cash offer in a real terminal: the cashier attaches a
# member, opens the member's offers (F8), sees one greyed with its reason, takes another (its
# points held in the member panel with the balance after), pays by WeChat Pay, and the receipt
# shows the points spent and the balance after; verify holds.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uioffer tmux

SOCK=$PWD/tmux.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

q() {
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

# Offers without a member say what to do.
keys F8
expect "offers need a member" "Attach a member first (F2)"

# 李秀英 (普通, 3,050 points) by card: the gold-only mooncakes are greyed with the reason.
keys 8800000002 Enter
expect "the member is attached" "李秀英" || finish
keys F8
expect "the member's offers open" "can spend 3050 points" || finish
expect "an offer the member cannot take says why" "tier too low"
# Down to the peanut oil (500 points + ¥79.90), ending soonest first then by id: P-BAG,
# P-MILK, P-MOON, P-OIL.
keys Down Down Down Enter
expect "the offer is taken" "Points held by this sale: 500" || finish
expect "the member panel shows the points held" "Held by this sale: 500"
expect "and the balance after them" "Balance after: 2550"
keys 6903468885155 Enter
expect "an item beside it" "鸡蛋 30枚装" || finish
keys F4
expect "the payment screen opens" "Amount received" || finish
keys F7
expect "WeChat Pay pays what is due" "Sale complete, receipt S001-T01-000001" 10 || finish

text=$(q "SELECT text FROM receipt_copy WHERE receipt = 'S001-T01-000001'")
if printf '%s' "$text" | grep -q "Points spent.*-500"; then
	pass
else
	fail "the receipt shows the points spent: $text"
fi
earned=$(q "SELECT points FROM sale WHERE receipt = 'S001-T01-000001'")
after=$((3050 - 500 + earned))
if printf '%s' "$text" | grep -q "Points balance.* ${after}\$\|Points balance.*[^0-9]${after}[^0-9]*\$"; then
	pass
else
	fail "the receipt shows the balance after ($after): $text"
fi
if [ "$(q "SELECT group_concat(kind || ':' || points) FROM movement WHERE kind = 'offer'")" = "offer:-500" ]; then
	pass
else
	fail "the offer's points left as one movement"
fi
keys Enter
expect "the next sale starts" "Total  0 items"
keys F10
T kill-server 2>/dev/null
if "$CP_BINARY" --db ./demo.db verify >/dev/null 2>&1; then pass; else fail "verify holds"; fi
finish
