#!/usr/bin/env bash
# test_ui_coupon_slip_tmux.sh — points for a coupon (积分兑券) on the offers screen, in a real
# terminal, with a printer (a file here): the coupon is issued and its slip printed at once, and
# the message line says so, naming the slip, only once the printer took it; the printer holds
# the slip and the manager menu lists it for reprint. A printer that fails is said, with where to
# reprint the slip. In Chinese the same is said in Chinese, and a benefit's coupon granted with w
# gets its slip too. verify holds.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uicouponslip tmux

SOCK=$PWD/tmux.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

# q DB SQL: one value from the database.
q() {
	python3 -c 'import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()
print(r[0] if r else "")' "$1" "$2"
}
# on_printer TEXT: the printer's output (ESC/POS, GB18030) holds TEXT.
on_printer() {
	python3 -c 'import sys
sys.exit(0 if sys.argv[2] in open(sys.argv[1], "rb").read().decode("gb18030", "replace") else 1)' \
		printer.out "$1" 2>/dev/null
}

cat >cfg.ini <<EOF2
[ui]
language = en
idle_lock_seconds = 0
[printer]
device = ./printer.out
width = 42
EOF2
sed 's/^language = en$/language = zh_CN/' cfg.ini >cfg-zh.ini
"$CP_BINARY" --config cfg.ini --db ./en.db init --demo >/dev/null
"$CP_BINARY" --config cfg.ini --db ./zh.db init --demo >/dev/null

T new-session -d -s till -x 120 -y 30 -c "$PWD" \
	"env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --config cfg.ini --db ./en.db \
	2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
if ! expect "the till shows its login screen" "Staff code" 60; then
	echo "stderr: $(cat stderr.txt 2>/dev/null)" >&2
	finish
fi
keys 1001 Enter 1111 Enter
expect "the cashier is logged in" "Item code" || finish
# 李秀英 (3,050 points) by card; her offers, ending soonest first then by id: P-BAG, P-MILK,
# P-MOON, P-OIL, P-QUAN5 (300 points for a coupon of 5.00 off 30.00).
keys 8800000002 Enter
expect "the member is attached" "李秀英" || finish
keys F8
expect "the member's offers open" "can spend 3050 points" || finish
keys Down Down Down Down
expect_line "the coupon offer is selected" "300积分兑满30减5券" "300"
keys Enter
CODE=""
for ((i = 0; i < 100 && ${#CODE} != 12; i++)); do
	CODE=$(q en.db "SELECT code FROM coupon_issue WHERE source = 'exchange'")
	[ ${#CODE} = 12 ] || sleep 0.05
done
if [ ${#CODE} = 12 ]; then pass; else fail "the coupon was issued"; fi
expect "the message names the printed slip" \
	"Coupon slip $CODE printed: hand it to the member. 300 points exchanged for coupon $CODE" ||
	finish
if on_printer "*$CODE*" && on_printer "Points spent"; then pass; else fail "the printer has the slip"; fi
if [ "$(q en.db "SELECT printed FROM receipt_copy WHERE receipt = '$CODE'")" = 1 ]; then
	pass
else
	fail "the slip is kept and marked printed"
fi
# Nothing bought: the slip is in the member's hand all the same; the manager menu lists it.
keys F9
expect "the manager menu asks for a manager" "Manager code" || finish
keys 9001 Enter
keys 9999 Enter
expect "the manager menu opens" "Manager menu" || finish
expect "the slip is there to reprint, by its code" "$CODE"
keys Escape
keys F10
T kill-server 2>/dev/null
if "$CP_BINARY" --db ./en.db verify >verify.txt 2>&1; then pass; else fail "verify holds: $(cat verify.txt)"; fi

# ---- a printer that fails: the coupon stands, the cashier is told where to reprint it ----
sed 's|^device = ./printer.out$|device = ./no-such-printer-dir/lp0|' cfg.ini >cfg-bad.ini
"$CP_BINARY" --config cfg-bad.ini --db ./bad.db init --demo >/dev/null
SOCK=$PWD/tmux-bad.sock
T new-session -d -s till -x 120 -y 30 -c "$PWD" \
	"env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --config cfg-bad.ini \
	--db ./bad.db 2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
expect "bad printer: the login screen" "Staff code" 60 || finish
keys 1001 Enter 1111 Enter
expect "bad printer: the cashier is logged in" "Item code" || finish
keys 8800000002 Enter
expect "bad printer: the member is attached" "李秀英" || finish
keys F8
expect "bad printer: the member's offers open" "can spend 3050 points" || finish
keys Down Down Down Down
expect_line "bad printer: the coupon offer is selected" "300积分兑满30减5券" "300"
keys Enter
BAD=""
for ((i = 0; i < 100 && ${#BAD} != 12; i++)); do
	BAD=$(q bad.db "SELECT code FROM coupon_issue WHERE source = 'exchange'")
	[ ${#BAD} = 12 ] || sleep 0.05
done
expect "bad printer: the message says the slip was not printed, and where to reprint it" \
	"Coupon slip $BAD NOT printed, kept for reprint (F9, manager menu): cannot print" || finish
if screen | grep -qF "printed: hand it"; then fail "bad printer: said printed"; else pass; fi
expect_line "bad printer: the status line names the slip" "NOT PRINTED $BAD" "NOT PRINTED"
if [ "$(q bad.db "SELECT printed FROM receipt_copy WHERE receipt = '$BAD'")" = 0 ]; then
	pass
else
	fail "bad printer: the slip is kept, not marked printed"
fi
T kill-server 2>/dev/null

# ---- the same in Chinese, and a benefit's coupon granted with w ----
if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	fail "zh_CN.UTF-8 is not installed (packaging/deps.sh generates it): the Chinese screens were not checked"
	finish
fi
SOCK=$PWD/tmux-zh.sock
T new-session -d -s till -x 160 -y 30 -c "$PWD" \
	"env LANG=zh_CN.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --config cfg-zh.ini \
	--db ./zh.db 2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
expect "zh: the login screen" "工号" 60 || finish
keys 1001 Enter 1111 Enter
expect "zh: the cashier is logged in" "商品码" || finish
keys 8800000002 Enter
expect "zh: the member is attached" "李秀英" || finish
keys F8
expect "zh: the member's offers open" "3050" || finish
keys Down Down Down Down
expect_line "zh: the coupon offer is selected" "300积分兑满30减5券" "300"
keys Enter
CODE=""
for ((i = 0; i < 100 && ${#CODE} != 12; i++)); do
	CODE=$(q zh.db "SELECT code FROM coupon_issue WHERE source = 'exchange'")
	[ ${#CODE} = 12 ] || sleep 0.05
done
expect "zh: the message names the printed slip, in Chinese" \
	"券 $CODE 已打印，请交给会员。已用 300 积分兑换券 $CODE" || finish
if on_printer "*$CODE*" && on_printer "使用积分"; then pass; else fail "zh: the printer has the slip in Chinese"; fi
# 冯勇家 (silent) has the win-back coupon open: w grants it and prints its slip.
keys 8800000003 Enter
expect "zh: 冯勇家 is attached" "冯勇家" || finish
keys w
GRANT=""
for ((i = 0; i < 100 && ${#GRANT} != 12; i++)); do
	GRANT=$(q zh.db "SELECT code FROM coupon_issue WHERE source = 'benefit'")
	[ ${#GRANT} = 12 ] || sleep 0.05
done
expect "zh: the benefit's coupon slip is printed, said in Chinese" \
	"券 $GRANT 已打印，请交给会员。已发放" || finish
if on_printer "*$GRANT*" && on_printer "会员权益"; then pass; else fail "zh: the printer has the benefit's slip"; fi
if screen | grep -qE "printed: hand it|Coupon slip"; then fail "zh: the message is in English"; else pass; fi
keys F10
T kill-server 2>/dev/null
if "$CP_BINARY" --db ./zh.db verify >verify.txt 2>&1; then pass; else fail "zh: verify holds: $(cat verify.txt)"; fi
finish
