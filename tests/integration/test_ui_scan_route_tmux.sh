#!/usr/bin/env bash
# test_ui_scan_route_tmux.sh — a scan is routed once, in ui/ui.c, to the screen that owns it:
# an item scanned into the quantity question or into the member lookup closes that screen and
# goes to the sale; a scan into a question over a screen that takes no scans (the manager's
# shift screen) is refused there, and nothing is closed.
# And in the sources: only ui.c hands a scan from one screen to another (dialog.c, screen_pay.c
# and screen_member.c do not call the sale screen's scan handler).
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uiscanroute tmux

SOCK=$PWD/tmux.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

# The sources: the sale's scan handler is the sale screen's own, reached through ui.c only.
callers=$(grep -l "ui_sale_scan\|sale_scan(" "$CP_SOURCE_DIR"/ui/*.c | xargs -n1 basename | sort | tr '\n' ' ')
if [ "$callers" = "screen_sale.c " ]; then
	pass
else
	fail "files calling the sale's scan handler: $callers(only screen_sale.c may)"
fi
for f in dialog.c screen_pay.c screen_member.c; do
	if grep -q "ui_sale_scan" "$CP_SOURCE_DIR/ui/$f"; then
		fail "$f calls ui_sale_scan"
	else
		pass
	fi
done

"$CP_BINARY" --db ./demo.db init --demo >/dev/null
T new-session -d -s till -x 100 -y 30 -c "$PWD" \
	"env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --db ./demo.db \
	2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
expect "the till shows its login screen" "Staff code" 60 || finish
keys 1001 Enter 1111 Enter
expect "the cashier is logged in" "Item code" || finish

scan 6903468885155
expect_line "the eggs are on the sale" "鸡蛋 30枚装" "¥25.90" || finish

# 1. The quantity question is open when the milk is scanned: the milk goes to the sale.
keys F6
expect "the quantity question opens" "New quantity" || finish
scan "]E06903468794396"
expect "the scan closed the question" "Item code" || finish
gone "the quantity question is gone" "New quantity" || true
expect "the milk scanned into the question is on the sale" "纯牛奶 250ml×12" || true
expect_line "the eggs kept their quantity" "鸡蛋 30枚装" "¥25.90" || true

# 2. The member lookup is open when the eggs are scanned: the eggs go to the sale.
keys F2
expect "the member lookup opens" "Find a member" || finish
scan 6903468885155
gone "the scan closed the member lookup" "Find a member" || true
expect_line "the eggs scanned into the member lookup are on the sale" "鸡蛋 30枚装" "¥51.80" || true
keys F10
expect "logged out" "Staff code" || finish

# 3. A question over the manager's shift screen, which takes no scans: the scan is refused
# there, and the question and the screen stay.
keys 9001 Enter 9999 Enter
expect "the manager is told of the cashier's open sale" "Someone else's sale" || finish
keys Escape
gone "the question closes" "Someone else's sale" || true
keys F9
expect "the manager menu opens" "Manager menu" || finish
keys F6
expect "the shift and day screen opens" "X report: taking it changes nothing" || finish
keys c
expect "closing asks for the cash counted" "Cash counted" || finish
scan 6903468885155
expect "the scan is refused in the question" "A scan is not taken here: finish or close this first." || true
expect "the question stays" "Cash counted" || true
keys Escape
expect "the shift screen stays" "X report: taking it changes nothing" || true

finish
