#!/usr/bin/env bash
# test_ui_printer_tmux.sh — a printer that fails reaches the cashier, in a real terminal. The
# printer is a device path that cannot be opened (a directory that does not exist, in this
# test's own scratch directory): after a sale the status line says which receipt was not
# printed and the message line says why and where to reprint it; the receipt is kept with the
# printer's error (receipt_copy); the status line keeps saying so on the next customer; and the
# manager menu marks the receipt as not printed. In Chinese, all of it is told in Chinese,
# the printer's reason too, and the manager menu marks it in Chinese.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uiprinter tmux

SOCK=$PWD/tmux.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

# q SQL: one value from the database.
q() {
	python3 -c 'import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()
print(r[0] if r else "")' ./demo.db "$1"
}

cat >cfg.ini <<EOF2
[ui]
language = en
idle_lock_seconds = 0
[printer]
device = ./no-such-printer-dir/lp0
width = 42
EOF2
"$CP_BINARY" --config cfg.ini --db ./demo.db init --demo >/dev/null
T new-session -d -s till -x 100 -y 30 -c "$PWD" \
	"env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --config cfg.ini --db ./demo.db \
	2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
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
expect "the message line says the receipt was not printed" \
	"Receipt S001-T01-000001 not printed, kept for reprint (F9, manager menu): cannot print" || finish
for ((i = 0; i < 100; i++)); do
	status_line | grep -qF "NOT PRINTED S001-T01-000001" && break
	sleep 0.05
done
if status_line | grep -qF "NOT PRINTED S001-T01-000001"; then pass; else fail "the status line does not say the receipt was not printed"; fi
if [ "$(q "SELECT printed FROM receipt_copy WHERE receipt = 'S001-T01-000001'")" = 0 ] &&
	[ -n "$(q "SELECT error FROM receipt_copy WHERE receipt = 'S001-T01-000001'")" ]; then
	pass
else
	fail "the receipt is not kept with the printer's error: $(q "SELECT printed || '/' || error FROM receipt_copy")"
fi

# The next customer: the status line still says so.
keys Enter
expect "the next customer" "Item code" || finish
if status_line | grep -qF "NOT PRINTED S001-T01-000001"; then pass; else fail "the status line forgot the failed print"; fi

# The manager menu marks it.
keys F9
expect "the manager menu asks for a manager" "Manager code" || finish
keys 9001 Enter
keys 9999 Enter
expect "the manager menu opens" "Manager menu" || finish
expect "the manager menu counts the failed print" "Reprint a receipt (1 not printed)"
expect "the manager menu marks the receipt" "S001-T01-000001  NOT PRINTED"
keys Escape

# The same in Chinese: the cashier is told in Chinese, the printer's reason too.
if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	T kill-server 2>/dev/null
	SOCK=$PWD/tmux-zh.sock
	sed 's/^language = en$/language = zh_CN/' cfg.ini >cfg-zh.ini
	# Wide enough for the whole reason on the message line.
	T new-session -d -s till -x 200 -y 30 -c "$PWD" \
		"env LANG=zh_CN.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --config cfg-zh.ini \
		--db ./demo.db 2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
	expect "zh: the login screen" "工号" 60 || finish
	keys 1001 Enter 1111 Enter
	expect "zh: the cashier is logged in" "商品码" || finish
	keys -l 6903468885155
	keys Enter
	expect "zh: the item is on the sale" "鸡蛋 30枚装" || finish
	keys F4
	expect "zh: the payment screen opens" "实收金额" || finish
	keys Enter
	expect "zh: the message line says the receipt was not printed, and why, in Chinese" \
		"小票 S001-T01-000002 未打印，已保存可补打（F9 店长菜单）：无法打印到 ./no-such-printer-dir/lp0：其目录不存在——请检查配置中的打印机设备；小票已保留，可补打" ||
		finish
	if screen | grep -qE "cannot print|directory does not exist|kept for reprint"; then
		fail "zh: the printer's reason is in English"
	else
		pass
	fi
	expect_line "zh: the status line names the receipt" "未打印 S001-T01-000002" "未打印" || true
	# and the manager menu marks both failed prints, in Chinese
	keys Enter
	expect "zh: the next customer" "商品码" || finish
	keys F9
	expect "zh: the manager menu asks for a manager" "店长工号" || finish
	keys 9001 Enter
	keys 9999 Enter
	expect "zh: the manager menu counts the failed prints" "补打小票（2 张未打印）" || finish
	expect "zh: the manager menu marks the receipt" "S001-T01-000002  未打印"
	keys Escape
else
	fail "zh_CN.UTF-8 is not installed (packaging/deps.sh generates it): the Chinese screens were not checked"
fi

finish
