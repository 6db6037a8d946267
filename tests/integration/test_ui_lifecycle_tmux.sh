#!/usr/bin/env bash
# test_ui_lifecycle_tmux.sh — the member's stage on the sale screen's panel and the tier
# upgrade on the paid screen, for a zh_CN cashier in a real terminal: 冯勇家 (HQ says silent)
# shows 沉默会员 and a welcome-back line; 万志远 (growth 1946, 54 short of 银卡) buys ¥84.50, the
# paid screen says 升级为 银卡, the receipt says so once, and on the next sale the panel shows
# one visit and the date the tier is held until. verify passes.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uilifecycle tmux

SOCK=$PWD/tmux.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

q() { # SQL: one value from the database
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' ./demo.db "$1"
}

if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	echo "SKIP: no zh_CN.UTF-8 locale"
	exit 77
fi
"$CP_BINARY" --db ./demo.db init --demo >/dev/null
T new-session -d -s till -x 100 -y 30 -c "$PWD" \
	"env LANG=zh_CN.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --db ./demo.db \
	2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
if ! expect "the till shows its login screen" "工号" 60; then
	echo "stderr: $(cat stderr.txt 2>/dev/null)" >&2
	finish
fi
keys 1001 Enter 1111 Enter
expect "the cashier is logged in" "商品码" || finish

for i in 1 2 3 4 5; do
	scan 6901234058369
	expect "chicken breast x$i" "合计  $i 件" || finish
done
scan 18552178619
expect "冯勇家 is attached" "冯勇家" || finish
expect "the panel shows the stage HQ sent" "沉默会员，到店 0 次"
expect "a silent member is to be welcomed back" "好久不见：欢迎回来！"
scan 18765347855
expect "万志远 is attached instead" "万志远" || finish
expect "a member with no purchase here is new" "引入会员，到店 0 次"
expect "the next tier and the growth it needs" "还需成长值 54"
gone "no welcome-back line for a new member" "好久不见"

keys F4
expect "the payment screen opens" "实收金额" || finish
keys F7
expect "WeChat Pay pays" "S001-T01-000001" || finish
expect "the paid screen says the member is now 银卡" "升级为 银卡！"
TEXT=$(q "SELECT text FROM receipt_copy WHERE receipt = 'S001-T01-000001'")
if [ "$(grep -c "升级为 *银卡" <<<"$TEXT")" = 1 ]; then pass; else fail "the receipt says 升级为 银卡 once: $TEXT"; fi
if grep -q "等级保留至" <<<"$TEXT"; then pass; else fail "the receipt says until when the tier is held: $TEXT"; fi
keys Enter
expect "the next sale starts empty" "合计  0 件" || finish

scan 6901234058369
scan 18765347855
expect "万志远 on the next sale" "万志远" || finish
expect "one visit now" "到店 1 次"
expect "the tier is held until a date" "等级保留至 20"
expect "the next tier is 金卡" "金卡："
keys F4
expect "the payment screen opens again" "实收金额" || finish
keys F7
expect "the second sale is paid" "S001-T01-000002" || finish
gone "no upgrade said again" "升级为 银卡"
if [ "$(q "SELECT count(*) FROM tier_up")" = 1 ]; then pass; else fail "one upgrade recorded"; fi
keys Enter
keys F10
expect "logged out" "工号"
if "$CP_BINARY" --db ./demo.db verify >verify.txt 2>&1; then
	pass
else
	fail "verify: $(cat verify.txt)"
fi
finish
