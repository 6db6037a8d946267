#!/usr/bin/env bash
# test_ui_core_zh_tmux.sh — core's refusals reach a zh_CN cashier entirely in Chinese, in a
# real 80x24 terminal: a barcode with a wrong check digit and an amount with three decimals
# are told by core (cp_errf) and translated by id in ui/, with the code or the amount in its
# place; no English word is left on the message line. In English they say core's sentence.
# A code the catalogue does not know says so in the cashier's words (商品库无此商品, 本单未变动).
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uicorezh tmux

runs=0
SOCK=$PWD/tmux-0.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

"$CP_BINARY" --db ./demo.db init --demo >/dev/null

# start LANG: the till at 80x24 in a tmux server of its own.
start() {
	T kill-server 2>/dev/null
	runs=$((runs + 1))
	SOCK=$PWD/tmux-$runs.sock
	T new-session -d -s till -x 80 -y 24 -c "$PWD" \
		"env LANG=$1 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --db ./demo.db \
		2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
}

# The message line: the second row from the bottom.
message_line() { screen | sed -n 23p; }

# refused WHAT CODE TEXT: CODE scanned is refused with TEXT on the message line.
refused() {
	scan "$2"
	expect_line "$1" "$2" "$3" || return 1
}

# no_english WHAT: the message line holds no Latin letter (digits and codes aside).
no_english() {
	local line
	line=$(message_line)
	if printf '%s' "$line" | grep -q '[A-Za-z]'; then
		fail "$1: English on the message line: $line"
	else
		pass
	fi
}

start C.UTF-8
expect "the till shows its login screen" "Staff code" 60 || finish
keys 1001 Enter 1111 Enter
expect "the cashier is logged in" "Item code" || finish
refused "en: a wrong check digit is core's sentence" 6903468885156 \
	"barcode 6903468885156 has a wrong check digit; scan it again or type the SKU"
refused "en: an unknown code" 12345670 \
	"Unknown code 12345670: not in the catalogue. The sale is unchanged."
scan 6903468885155
keys F4
expect "en: the payment screen" "Amount received" || finish
keys -l 1.234
keys Enter
expect_line "en: three decimals are core's sentence" '"1.234"' \
	'amount "1.234" has more than two decimals; type it like 12.30'
keys Escape
gone "en: the payment screen closes" "Amount received" || true
keys Escape
expect "en: the sale is cancelled" "Cancel this sale?" || finish
keys Enter
gone "en: the cart is empty again" "鸡蛋" || true
keys F10
expect "logged out" "Staff code" || finish

if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	start zh_CN.UTF-8
	expect "the Chinese login screen" "工号" 60 || finish
	keys 1001 Enter 1111 Enter
	expect "the cashier is logged in (zh)" "商品码" || finish
	if refused "zh: a wrong check digit in Chinese" 6903468885156 \
		"条码 6903468885156 的校验位不对；请重新扫描或输入商品编码"; then
		no_english "zh: the wrong check digit"
	fi
	if refused "zh: an unknown code in Chinese" 12345670 "商品库无此商品：12345670。本单未变动。"; then
		no_english "zh: the unknown code"
	fi
	scan 6903468885155
	keys F4
	expect "zh: the payment screen" "实收" || finish
	keys -l 1.234
	keys Enter
	if expect_line "zh: three decimals in Chinese" "1.234" \
		"金额“1.234”超过两位小数；请按 12.30 这样输入"; then
		no_english "zh: three decimals"
	fi
else
	fail "zh_CN.UTF-8 is not installed (packaging/deps.sh generates it): the Chinese screens were not checked"
fi

finish
