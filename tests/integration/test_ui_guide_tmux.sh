#!/usr/bin/env bash
# test_ui_guide_tmux.sh — shopping guides in the terminal UI, in Chinese (issue 10), at 100x30
# in tmux: guide 2001 logs in, registers a member and binds them with b and their badge (the
# till is configured so that registering alone does not bind); a cashier sells to that member;
# a second member without a guide is served by guide 2002 and bound to her with one key after
# payment; the guide logs in again and F12 shows their day with the sale credited to them.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uiguide tmux

SOCK=$PWD/tmux-0.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	fail "zh_CN.UTF-8 is not installed (packaging/deps.sh generates it): nothing tested"
	finish
fi
"$CP_BINARY" --db ./demo.db init --demo >/dev/null
printf '[guide]\nregister_binds = false\n' >guide.ini
T new-session -d -s till -x 100 -y 30 -c "$PWD" \
	"env LANG=zh_CN.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --config ./guide.ini \
	--db ./demo.db 2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
login() {
	keys "$1" Enter
	keys "$2" Enter
}

expect "the Chinese login screen" "工号" 60 || finish
login 2001 4444
expect "guide 2001 is logged in" "商品码" || finish
expect "the footer shows the guide key" "b 绑定导购"

# The guide registers a member, who is attached to a sale of the guide's own.
keys F3
expect "the registration form opens" "注册新会员" || finish
keys 13922223333 Enter
T send-keys -t till -l "导购会员"
keys Enter 0315 Enter Enter
expect "the shopper is asked to agree to the terms" "顾客是否同意会员条款（版本 1）？y/n" || finish
keys y
expect "the member is registered" "注册成功" || finish
expect "the new member is on the sale" "139****3333"
if screen | grep -qF "导购 2001"; then
	fail "registering bound the member although register_binds = false"
else
	pass
fi

# b and the guide's badge bind them.
keys b
expect "b asks for the guide's badge" "导购工牌" || finish
scan 9900000020019
expect "the member is bound to the guide" "会员已绑定导购 刘洋（2001）。"
expect "the member panel shows the guide" "导购 2001"
# A badge that is not a guide's: refused, one clear line.
keys b
expect "b asks again" "导购工牌"
scan 1234567890128
expect "an unknown badge is refused" "1234567890128"
keys Escape
expect "cancelling the empty sale asks" "是"
keys Enter
gone "the sale is cancelled" "139****3333"
keys F10
expect "the guide logs out" "工号" || finish

# A cashier sells to the member.
login 1001 1111
expect "the cashier is logged in" "商品码" || finish
keys 6903468885155 Enter
expect "the item is on the sale" "鸡蛋 30枚装"
scan 13922223333
expect "the member is attached" "139****3333"
keys F4
expect "the payment screen opens" "实收金额" || finish
keys 1 0 0 F5
expect "the sale completes" "收款完成" || finish
keys Enter
# A member without a guide, served by guide 2002 (F11 and the badge): after payment one key
# binds them to her.
keys 6903468885155 Enter
scan 18552178619
expect "the second member is attached" "185****8619"
keys F11
expect "F11 asks for the serving guide's badge" "导购工牌" || finish
scan 9900000020026
expect "the serving guide is noted" "本单由导购 陈静（2002）服务。"
keys F4
expect "the payment screen opens again" "实收金额" || finish
keys 1 0 0 F5
expect "the sale completes and offers the binding" "该会员还没有导购" || finish
keys Enter
expect "one key binds the member to the serving guide" "会员已绑定导购 陈静（2002）。"
keys Enter
keys F10
expect "the cashier logs out" "工号" || finish

# The guide's day.
login 2001 4444
expect "the guide is back" "商品码" || finish
keys F12
expect "F12 shows the guide's day" "导购日报：刘洋（2001）"
expect "the sale is credited to the guide" "计入业绩的销售：1 笔"
expect "the member bound today is counted" "今日绑定会员：1"
keys Enter
keys F10
finish
