#!/usr/bin/env bash
# test_ui_scan_crlf_tmux.sh — a scanner ends its code with CR LF, CR alone or LF alone (issue 14):
# the till handles the Enter at once and drops an LF that follows a CR, so each scan adds its
# item exactly once, also when the next scan follows in the same burst of keys.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uiscancrlf tmux

SOCK=$PWD/tmux.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

# raw TEXT: the bytes of TEXT as the terminal's input, in one write (as a scanner's burst).
raw() { T send-keys -t till -l "$1"; }
# lines_with NAME: how many cart lines (a line number, then the name) show NAME.
lines_with() { screen | grep -c -E -- "^ +[0-9]+ $1"; }

"$CP_BINARY" --db ./demo.db init --demo >/dev/null
T new-session -d -s till -x 100 -y 30 -c "$PWD" \
	"env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --db ./demo.db \
	2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
expect "the till shows its login screen" "Staff code" 60 || finish
keys 1001 Enter 1111 Enter
expect "the cashier is logged in" "Item code" || finish

# CR LF: the eggs once.
raw $'6903468885155\r\n'
expect_line "a scan ending in CR LF adds the eggs" "鸡蛋 30枚装" "¥25.90" || finish
# CR alone: the milk.
raw $'6903468794396\r'
expect "a scan ending in CR alone adds the milk" "纯牛奶 250ml×12" || finish
# Two scans in one burst, each ending in CR LF: one more of each, nothing else.
raw $'6903468885155\r\n6903468794396\r\n'
expect_line "the eggs of the burst are one more" "鸡蛋 30枚装" "¥51.80" || finish
# LF alone is an Enter too (a scanner set to end with LF).
raw $'6903468885155\n'
expect_line "a scan ending in LF alone adds the eggs" "鸡蛋 30枚装" "¥77.70" || finish
sleep 0.3 # the screen settles: a stray Enter would have been handled by now
if [ "$(lines_with "鸡蛋 30枚装")" = 1 ] && [ "$(lines_with "纯牛奶 250ml×12")" = 1 ]; then
	pass
else
	fail "each item is on exactly one line"
fi
if screen | grep -q -E "not accepted|letters and digits|Not found|not found"; then
	fail "no scan was refused"
else
	pass
fi
keys F10
expect "logged out" "Staff code" || finish
finish
