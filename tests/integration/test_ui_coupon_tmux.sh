#!/usr/bin/env bash
# test_ui_coupon_tmux.sh — coupons in a real terminal: the help lists the coupon keys; the
# cashier types a bearer coupon's code (c) and the panel and the payment screen take its 5.00
# off (the same code typed again takes it off the sale, and again puts it back); the same code
# scanned into the next sale is refused as used; the member's coupons (v)
# are listed; verify holds.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uicoupon tmux

SOCK=$PWD/tmux.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

q() {
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' ./demo.db "$1"
}

"$CP_BINARY" --db ./demo.db init --demo >/dev/null
# 李秀英's sale of 138.00 issues her the pack of R-PAY100 (two coupons bound to her); then she
# exchanges 300 points for a bearer coupon of 5.00 off 30.00.
printf '%s\n' '{"cmd":"login","staff":"1001","pin":"1111"}' \
	'{"cmd":"attach","card":"8800000002"}' '{"cmd":"scan","code":"6901234764833"}' \
	'{"cmd":"pay","tenders":[{"method":"cash","amount":"138.00"}]}' \
	'{"cmd":"attach","card":"8800000002"}' '{"cmd":"exchange","offer":"P-QUAN5"}' \
	'{"cmd":"cancel"}' '{"cmd":"logout"}' | "$CP_BINARY" --db ./demo.db script >setup.txt
CODE=$(q "SELECT code FROM coupon_issue WHERE source = 'exchange'")
if [ ${#CODE} -eq 12 ]; then pass; else fail "a bearer coupon to use: $(cat setup.txt)"; fi

T new-session -d -s till -x 110 -y 30 -c "$PWD" \
	"env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --db ./demo.db \
	2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
if ! expect "the till shows its login screen" "Staff code" 60; then
	echo "stderr: $(cat stderr.txt 2>/dev/null)" >&2
	finish
fi
keys 1001 Enter 1111 Enter
expect "the cashier is logged in" "Item code" || finish
keys F1
expect "the help lists the coupon key" "Coupon" || finish
keys Escape
keys 6931680772823 Enter
expect "an item of 128.00" "128.00" || finish
keys c
expect "c asks for a coupon's code" "Coupon code" || finish
keys "$CODE" Enter
expect "the coupon takes 5.00 off" "takes ¥5.00 off" || finish
expect "the panel shows the coupons' discount" "Coupons: -¥5.00"
keys c
expect "c again" "Coupon code" || finish
keys "$CODE" Enter
expect "the same code again takes the coupon off the sale" "is taken off the sale" || finish
keys c
expect "c once more" "Coupon code" || finish
keys "$CODE" Enter
expect "and once more puts it back" "takes ¥5.00 off" || finish
keys F4
expect "the payment screen opens" "Amount received" || finish
expect "the payment screen asks for what is due after the coupon" "123.00"
keys F7
expect "WeChat Pay pays what is due" "Sale complete, receipt S001-T01-000002" 10 || finish
if [ "$(q "SELECT total FROM sale WHERE receipt = 'S001-T01-000002'")" = 12300 ]; then
	pass
else
	fail "the sale took the coupon off"
fi
keys Enter
expect "the next sale starts" "Total  0 items"
keys 6931680772823 Enter
expect "an item again" "128.00" || finish
scan "$CODE"
expect "the same code scanned again is refused as used" "used already"
keys 8800000002 Enter
expect "the member is attached" "李秀英" || finish
keys v
expect "the member's coupons are listed" "2 coupons to use"
keys F10
T kill-server 2>/dev/null
if "$CP_BINARY" --db ./demo.db verify >/dev/null 2>&1; then pass; else fail "verify holds"; fi
finish
