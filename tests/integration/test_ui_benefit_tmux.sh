#!/usr/bin/env bash
# test_ui_benefit_tmux.sh — member benefits in a real terminal, on a Wednesday (the member day)
# in March (陈晓东's birthday month), the clock set by faketime: with 陈晓东 (金卡) attached the
# panel says three benefits are open; e lists them; w grants the birthday coupon (its code
# shown), w again the gold gift (a line at no charge); the sale's receipt lists the benefit
# still open (the member day's points); in the next sale w grants those points (the balance
# shown); a fourth w says nothing is open; verify holds.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uibenefit tmux faketime

SOCK=$PWD/tmux.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT
# faketime preloads its library; a sanitizer build must be told that this is fine. The clock
# starts at the given time and runs on; the monotonic clock (key timing) is left alone.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export DONT_FAKE_MONOTONIC=1
DAY='@2026-03-11 10:00:00'

q() {
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' ./demo.db "$1"
}

faketime -f "$DAY" "$CP_BINARY" --db ./demo.db init --demo >/dev/null
T new-session -d -s till -x 120 -y 30 -c "$PWD" \
	"env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=screen faketime -f '$DAY' '$CP_BINARY' \
	--db ./demo.db 2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
if ! expect "the till shows its login screen" "Staff code" 60; then
	echo "stderr: $(cat stderr.txt 2>/dev/null)" >&2
	finish
fi
keys 1001 Enter 1111 Enter
expect "the cashier is logged in" "Item code" || finish
keys 8800000001 Enter
expect "陈晓东 is attached" "陈晓东" || finish
expect "the panel says three benefits are open" "Benefits to claim: 3 (w)" || finish
keys e
expect "e lists the open benefits" "Benefits open today (w grants): 生日礼券" || finish
keys w
expect "w grants the birthday coupon" "Granted 生日礼券 满100减20: coupon " || finish
CODE=$(q "SELECT code FROM coupon_issue WHERE source = 'benefit'")
expect "the coupon's code is shown" "$CODE"
expect "two are left" "Benefits to claim: 2 (w)"
keys w
expect "w grants the gold gift" "the gift is line 1 of the sale, at no charge" || finish
expect "the gift is in the cart at no charge" "巧克力 80g"
keys 6931680772823 Enter
expect "an item at the member price of 99.00" "¥99.00" || finish
keys F4
expect "the payment screen opens" "Amount received" || finish
keys F7
expect "WeChat Pay pays" "Sale complete" 10 || finish
RECEIPT=$(q "SELECT text FROM receipt_copy ORDER BY created_at DESC LIMIT 1")
case "$RECEIPT" in
*"Your benefits to claim today"*会员日赠200积分*) pass ;;
*) fail "the receipt lists the benefit still open: $RECEIPT" ;;
esac
if [ "$(q "SELECT count(*) FROM sale_line WHERE amount = 0")" = 1 ]; then
	pass
else
	fail "the gift was sold at no charge"
fi
keys Enter
expect "the next sale starts" "Total  0 items" || finish
keys 8800000001 Enter
expect "陈晓东 again" "Benefits to claim: 1 (w)" || finish
keys w
expect "w grants the member day's points, the balance shown" \
	"200 points; the balance is now" || finish
keys w
expect "nothing is left to claim" "no benefit to claim today" || finish
keys F10
T kill-server 2>/dev/null
if [ "$(q "SELECT count(*) FROM benefit_grant")" = 3 ]; then pass; else fail "three grants"; fi
if faketime -f "$DAY" "$CP_BINARY" --db ./demo.db verify >/dev/null 2>&1; then
	pass
else
	fail "verify holds"
fi
finish
