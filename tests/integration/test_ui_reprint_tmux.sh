#!/usr/bin/env bash
# test_ui_reprint_tmux.sh — reprint with no printer, in a real terminal: the manager menu says
# the receipt is kept and not printed (never that it was sent to the printer) and offers it on
# the screen; an old receipt is shown in the till's current language and width (sold in English
# at 32 columns, shown in Chinese at 48 after a restart).
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uireprint tmux

runs=0
SOCK=$PWD/tmux-0.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

absent() {
	if screen | grep -qF -- "$2"; then fail "$1: '$2' is on the screen"; else pass; fi
}
# start LANGUAGE WIDTH: the till with no printer, in a tmux server of its own.
start() {
	printf '[ui]\nlanguage = %s\nidle_lock_seconds = 0\n[printer]\ndevice =\nwidth = %s\n' \
		"$1" "$2" >cfg.ini
	T kill-server 2>/dev/null
	runs=$((runs + 1))
	SOCK=$PWD/tmux-$runs.sock
	T new-session -d -s till -x 100 -y 40 -c "$PWD" \
		"env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --config cfg.ini \
		--db ./demo.db 2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
}

"$CP_BINARY" --db ./demo.db init --demo >/dev/null

# ---- English, 32 columns: a sale, then its reprint ----
start en 32
expect "the till shows its login screen" "Staff code" 60 || finish
keys 1001 Enter 1111 Enter
expect "the cashier is logged in" "Item code" || finish
keys -l 6903468885155
keys Enter
expect "the item is on the sale" "鸡蛋 30枚装" || finish
keys F4
expect "the payment screen opens" "Amount received" || finish
keys Enter
expect "the sale is paid" "Sale complete, receipt S001-T01-000001" || finish
keys Enter
expect "the next customer" "Item code" || finish
keys F9
expect "the manager menu asks for a manager" "Manager code" || finish
keys 9001 Enter
keys 9999 Enter
expect "the manager menu opens" "Manager menu" || finish
expect "the receipt is listed" "S001-T01-000001" || finish
keys F4
expect "reprint says the receipt is kept, not printed" \
	"No printer is set up: receipt S001-T01-000001 is kept, not printed." || finish
absent "reprint does not claim the printer" "sent to the printer"
expect "the preview is offered" "Show it on screen" || finish
keys Enter
expect "the receipt is shown on the screen" "Receipt S001-T01-000001 (on screen, not printed)" || finish
expect "marked as a copy" "*** COPY ***"
expect_re "at 32 columns" "Receipt {10}S001-T01-000001"
keys Escape
expect "back in the manager menu" "Manager menu" || finish
keys Escape
keys F10
expect "logged out" "Staff code" || finish

# ---- Chinese, 48 columns, after a restart: the old receipt in today's language and width ----
start zh_CN 48
expect "the Chinese login screen" "工号" 60 || finish
keys 9001 Enter 9999 Enter
expect "the manager is logged in" "商品码" || finish
keys F9
expect "the manager menu opens" "S001-T01-000001" || finish
keys F4
expect "reprint says kept, not printed (zh)" "未接打印机：小票 S001-T01-000001 已保存，未打印。" || finish
expect "the preview is offered (zh)" "在屏幕上显示" || finish
keys Enter
expect "the receipt is on the screen (zh)" "小票 S001-T01-000001（屏幕显示，未打印）" || finish
expect "a copy (zh)" "*** 重打副本 ***"
# "小票号" is 6 columns wide: 48 - 6 - 15 = 27 spaces.
expect_re "in Chinese at 48 columns" "小票号 {27}S001-T01-000001"
keys Escape

finish
