#!/usr/bin/env bash
# test_ui_report_print_tmux.sh — the manager prints the day's tally and the shift report on the
# receipt printer at its configured width (32 columns), in a real terminal. The printer is a
# file (the virtual printer): what it receives, less the printer's own bytes (ESC @ before,
# feeds and the cut after) and read as GB18030, must be exactly `counterpoint report x
# --format print` and `report shift --format print` with the same configuration, every line
# at most 32 columns, with the whole store's totals unavailable (the till is not enrolled); in
# Chinese too. Then the printer fails (its device cannot be opened) and
# the manager is told, with what to do, and the status line does not take the report for a
# receipt.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uireportprint tmux

runs=0
SOCK=$PWD/tmux-0.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

# start LANGUAGE DEVICE: the till printing to DEVICE, 32 columns, in a tmux server of its own.
start() {
	printf '[ui]\nlanguage = %s\nidle_lock_seconds = 0\n[printer]\ndevice = %s\nwidth = 32\n' \
		"$1" "$2" >cfg.ini
	T kill-server 2>/dev/null
	runs=$((runs + 1))
	SOCK=$PWD/tmux-$runs.sock
	T new-session -d -s till -x 110 -y 44 -c "$PWD" \
		"env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --config cfg.ini \
		--db ./demo.db 2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
}
# jobs FILE: the print jobs in FILE as text, one after the other, each ended by a line "<JOB>".
jobs() {
	python3 - "$1" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
cut = b"\n\n\n\n\x1d\x56\x00"
for job in data.split(cut)[:-1]:
    assert job.startswith(b"\x1b\x40"), job[:10]
    sys.stdout.write(job[2:].decode("gb18030") + "<JOB>\n")
EOF
}
# wait_jobs FILE N: until FILE holds N whole print jobs (bounded).
wait_jobs() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ -f "$1" ] && [ "$(jobs "$1" 2>/dev/null | grep -c '^<JOB>$')" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
# widest FILE: the most columns any line of the jobs takes (Chinese characters two).
widest() {
	jobs "$1" | python3 -c 'import sys, unicodedata
print(max(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in l.rstrip("\n"))
          for l in sys.stdin))'
}
# typed: one key at a time, as a person types (a burst is a scanner's and goes to the sale)
typed() {
	local i
	for ((i = 0; i < ${#1}; i++)); do
		keys -l "${1:i:1}"
		sleep 0.08
	done
}
day_screen() {
	keys F9
	expect "the manager menu opens" "$1" || finish
	keys F6
	expect "the shift and day screen opens" "$2" || finish
}

"$CP_BINARY" --db ./demo.db init --demo >/dev/null

start en ./printer.out
expect "the till shows its login screen" "Staff code" 60 || finish
keys 9001 Enter 9999 Enter
expect "the demo opens a shift on the first login" \
	"The demo store opened a shift on this till for you" || finish
keys -l 6903468885155
keys Enter
expect "the item is on the sale" "鸡蛋 30枚装" || finish
keys F4
expect "the payment screen opens" "Amount received" || finish
keys Enter
expect "the sale is paid" "Sale complete, receipt S001-T01-000001" || finish
keys Enter
expect "the next customer" "Item code" || finish
wait_jobs printer.out 1 || fail "the sale's receipt was not printed"
rm -f printer.out

day_screen "Manager menu" "X report: taking it changes nothing"
expect "the screen says the store's totals are unavailable (not enrolled)" \
	"store totals unavailable (HQ not reached)" || finish
keys F8
expect "the screen says the report went to the printer" "Report sent to the printer." || finish
if wait_jobs printer.out 1; then pass; else fail "nothing reached the printer"; finish; fi
"$CP_BINARY" --config cfg.ini --db ./demo.db report x --format print >want.txt 2>cli.err ||
	fail "report x --format print failed: $(cat cli.err)"
printf '<JOB>\n' >>want.txt
if jobs printer.out | diff -u want.txt - >diff.txt; then pass; else
	fail "the printed tally is not the report's print form: $(head -c 1500 diff.txt)"
fi
if [ "$(widest printer.out)" -le 32 ]; then pass; else
	fail "a printed line is wider than 32 columns: $(widest printer.out)"
fi
if jobs printer.out | grep -q "member price savings" && jobs printer.out | grep -q "Sales by hour"; then
	pass
else
	fail "the printed tally lacks its lines: $(jobs printer.out | head -c 800)"
fi

# The shift report: printed when the shift is closed, the same as `report shift`.
rm -f printer.out
keys F6
expect "the close asks for the counted cash" "Cash counted" || finish
typed 50
keys Enter
expect "the shift is closed" "Cash counted ¥50.00" || finish
if wait_jobs printer.out 1; then pass; else fail "the shift report was not printed"; finish; fi
"$CP_BINARY" --config cfg.ini --db ./demo.db report shift --format print >want.txt 2>cli.err ||
	fail "report shift --format print failed: $(cat cli.err)"
printf '<JOB>\n' >>want.txt
if jobs printer.out | diff -u want.txt - >diff.txt; then pass; else
	fail "the printed shift report is not the report's print form: $(head -c 1500 diff.txt)"
fi
keys Escape
keys Escape

# In Chinese: the same layout, in the printer's language, still 32 columns.
T kill-server 2>/dev/null
rm -f printer.out
start zh_CN ./printer.out
expect "the till shows its login screen in Chinese" "工号" 60 || finish
keys 9001 Enter 9999 Enter
expect "the manager is logged in" "商品码" || finish
day_screen "店长菜单" "按小时销售"
expect "the screen says the store's totals are unavailable, in Chinese" "全店合计不可用" || finish
keys F8
if wait_jobs printer.out 1; then pass; else fail "nothing reached the printer (Chinese)"; finish; fi
"$CP_BINARY" --config cfg.ini --db ./demo.db report x --format print >want.txt 2>cli.err ||
	fail "report x --format print failed: $(cat cli.err)"
printf '<JOB>\n' >>want.txt
if jobs printer.out | diff -u want.txt - >diff.txt; then pass; else
	fail "the printed Chinese tally is not the report's print form: $(head -c 1500 diff.txt)"
fi
if [ "$(widest printer.out)" -le 32 ]; then pass; else
	fail "a printed Chinese line is wider than 32 columns: $(widest printer.out)"
fi
if jobs printer.out | grep -q "会员价优惠"; then pass; else fail "the Chinese tally lacks the savings line"; fi

# A printer that fails: the manager is told why and what to do; no receipt is marked unprinted.
T kill-server 2>/dev/null
start en ./no-such-printer-dir/lp0
expect "the till shows its login screen" "Staff code" 60 || finish
keys 9001 Enter 9999 Enter
expect "the manager is logged in" "Item code" || finish
day_screen "Manager menu" "X report: taking it changes nothing"
keys F8
expect "the manager is told the report was not printed, what to do and why" \
	"Report NOT printed (fix the printer, then F8 prints it again): cannot print" || finish
if status_line | grep -qF "NOT PRINTED"; then
	fail "the status line takes the report for an unprinted receipt: $(status_line)"
else
	pass
fi

finish
