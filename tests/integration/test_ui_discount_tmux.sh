#!/usr/bin/env bash
# test_ui_discount_tmux.sh — a 钻石 member's tier discount and a manual discount on the sale
# screen of a zh_CN till in a real 100x30 terminal: attaching the member shows 会员优惠 on the
# panel (the eggs keep their better member price, the chicken takes 5%), key x discounts the
# selected line by 5% with a reason, the panel shows 折扣, and a discount above the limit asks
# for a manager's code and PIN.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uidiscount tmux

SOCK=$PWD/tmux.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	fail "zh_CN.UTF-8 is not installed (packaging/deps.sh generates it): the Chinese panel was not checked"
	finish
fi
"$CP_BINARY" --db ./demo.db init --demo >/dev/null
T new-session -d -s till -x 100 -y 30 -c "$PWD" \
	"env LANG=zh_CN.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --db ./demo.db \
	2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"

expect "the Chinese login screen" "工号" 60 || finish
keys 1001 Enter 1111 Enter
expect "the cashier is logged in" "商品码" || finish
scan 6903468885155 # eggs ¥25.90, member price ¥22.90
scan 6901234058369 # chicken ¥16.90
expect "the chicken is on the sale" "冷鲜鸡胸肉" || finish
scan 8800000029 # 叶宇兰, 钻石: 5% off except tobacco and items on offer
# eggs save 3.00 (member price beats 5%), chicken 0.85 (5% of 16.90, half up)
expect "会员优惠 on the panel" "会员优惠：-¥3.85" || finish
expect "the chicken's line shows its saving" "冷鲜鸡胸肉 500g（-¥0.85）" || true
keys x
expect "the discount dialog" "本行优惠" || finish
keys -l 5%
keys Enter
expect "the reason is asked" "原因" || finish
keys -l dented
keys Enter
expect "折扣 on the panel: 5% of 16.05" "折扣：-¥0.80" || finish
keys x
expect "the discount dialog again" "本行优惠" || finish
keys -l '*30%'
keys Enter
expect "the reason is asked again" "原因" || finish
keys -l friend
keys Enter
expect "above the limit asks for a manager" "店长" || finish
keys Escape
expect "折扣 unchanged after Esc" "折扣：-¥0.80" || true
finish
