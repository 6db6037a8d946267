#!/usr/bin/env bash
# test_script_coupon_slip.sh — a coupon taken for points (积分兑券) or granted as a benefit is
# printed at once on a slip of its own, in script mode on the demo store (issue 16): with a
# printer (a file here) `exchange` answers the slip printed and the printer has it although the
# cart is then cancelled and nothing is sold; `grant` the same; both slips are kept, marked
# printed, and `reprint` by the coupon's code gives the kept text under a COPY line. Without a
# printer the slip is kept, not printed, and the answer says so; a printer that fails is
# answered with its error and the slip is kept with it. verify holds.
set -u

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env scriptcouponslip
# check WHAT FILE N PYTHON-EXPR: the expression over j, the Nth answer in FILE, is true.
check() {
	if python3 -c 'import json, sys
j = json.loads(sys.argv[1])
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$(sed -n "${3}p" "$2")" "$4"; then
		pass
	else
		fail "$1: $(sed -n "${3}p" "$2")"
	fi
}
# value FILE N EXPR: a value of the Nth answer
value() {
	python3 -c 'import json, sys
j = json.loads(sys.argv[1])
print(eval(sys.argv[2]))' "$(sed -n "${2}p" "$1")" "$3"
}
# q DB SQL: one value
q() {
	python3 -c 'import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()
print(r[0] if r else "")' "$1" "$2"
}
# printed FILE TEXT: the printer's output (ESC/POS, GB18030) holds TEXT
printed() {
	python3 -c 'import sys
sys.exit(0 if sys.argv[2] in open(sys.argv[1], "rb").read().decode("gb18030", "replace") else 1)' "$1" "$2"
}

session1() {
	printf '%s\n' \
		'{"cmd":"login","staff":"1001","pin":"1111"}' \
		'{"cmd":"attach","card":"8800000002"}' \
		'{"cmd":"exchange","offer":"P-QUAN5"}' \
		'{"cmd":"cancel"}' \
		'{"cmd":"attach","card":"8800000003"}' \
		'{"cmd":"grant","benefit":"B-WINBACK"}' \
		'{"cmd":"cancel"}' |
		"$CP_BINARY" "$@" script
}

# ---- a printer: a file in this directory ----
"$CP_BINARY" --db ./file.db init --demo >/dev/null
printf '[printer]\ndevice = ./printer.out\nwidth = 42\n' >file.ini
session1 --config file.ini --db ./file.db >out1.txt 2>err1.txt
check "300 points for a coupon, its slip printed" out1.txt 3 '
j["ok"] and j["points_spent"] == 300 and j["slip"] == {"receipt": j["coupon"]["code"],
"kept": True, "printed": True, "error": None}'
check "the cart is thrown away" out1.txt 4 'j["ok"]'
check "the win-back benefit's coupon, its slip printed" out1.txt 6 '
j["ok"] and j["what"] == "coupon" and j["slip"]["receipt"] == j["coupon"]["code"] and
j["slip"]["printed"] is True and j["slip"]["error"] is None'
X=$(value out1.txt 3 'j["coupon"]["code"]')
G=$(value out1.txt 6 'j["coupon"]["code"]')
if printed printer.out "*$X*" && printed printer.out "Points spent" && printed printer.out "-300"; then
	pass
else
	fail "the printer has the exchange's slip ($X) though nothing was sold"
fi
if printed printer.out "*$G*" && printed printer.out "Member benefit"; then
	pass
else
	fail "the printer has the benefit's slip ($G)"
fi
if [ "$(q file.db "SELECT count(*) FROM sale")" = 0 ]; then pass; else fail "nothing was sold"; fi
if [ "$(q file.db "SELECT group_concat(printed || error, ',') FROM receipt_copy WHERE receipt IN ('$X', '$G')")" = "1,1" ]; then
	pass
else
	fail "both slips are kept and marked printed: $(q file.db "SELECT group_concat(receipt || ':' || printed || error) FROM receipt_copy")"
fi
printf '%s\n' '{"cmd":"login","staff":"1001","pin":"1111"}' \
	"{\"cmd\":\"reprint\",\"receipt\":\"$X\"}" \
	"{\"cmd\":\"reprint\",\"receipt\":\"NOSUCHSLIP2\"}" |
	"$CP_BINARY" --config file.ini --db ./file.db script >out2.txt 2>err2.txt
if python3 -c 'import json, sqlite3, sys
j = json.loads(sys.argv[1])
kept = sqlite3.connect("file.db").execute(
    "SELECT text FROM receipt_copy WHERE receipt = ?", (sys.argv[2],)).fetchone()[0]
first, rest = j["text"].split("\n", 1)
sys.exit(0 if j["ok"] and j["printed"] is True and first.strip() == "*** COPY ***" and
         rest == kept else 1)' "$(sed -n 2p out2.txt)" "$X"; then
	pass
else
	fail "reprint by the coupon's code gives the kept slip under a COPY line: $(sed -n 2p out2.txt)"
fi
check "a number that is no receipt nor slip is refused" out2.txt 3 '
not j["ok"] and "no sale, refund or coupon slip with number NOSUCHSLIP2" in j["error"]["message"]'
n=$(python3 -c 'import sys
print(open(sys.argv[1], "rb").read().decode("gb18030", "replace").count("*" + sys.argv[2] + "*"))' printer.out "$X")
if [ "$n" = 2 ]; then pass; else fail "the slip and its copy were printed ($n times)"; fi
if "$CP_BINARY" --db ./file.db verify >verify.txt 2>&1; then pass; else fail "verify holds: $(cat verify.txt)"; fi

# ---- no printer: kept, not printed ----
"$CP_BINARY" --db ./none.db init --demo >/dev/null
printf '[printer]\ndevice =\n' >none.ini
session1 --config none.ini --db ./none.db >out3.txt 2>err3.txt
check "without a printer the slip is kept, not printed" out3.txt 3 '
j["ok"] and j["slip"]["kept"] is True and j["slip"]["printed"] is False and
j["slip"]["error"] is None'
X=$(value out3.txt 3 'j["coupon"]["code"]')
case "$(q none.db "SELECT text FROM receipt_copy WHERE receipt = '$X'")" in
*"*$X*"*) pass ;;
*) fail "the slip is kept without a printer" ;;
esac

# ---- a printer that fails: the coupon stands, the answer says why ----
"$CP_BINARY" --db ./bad.db init --demo >/dev/null
printf '[printer]\ndevice = ./no-such-dir/lp0\n' >bad.ini
session1 --config bad.ini --db ./bad.db >out4.txt 2>err4.txt
check "a failing printer: the coupon is issued, the slip not printed, why said" out4.txt 3 '
j["ok"] and j["slip"]["kept"] is True and j["slip"]["printed"] is False and
"kept for reprint" in j["slip"]["error"]'
X=$(value out4.txt 3 'j["coupon"]["code"]')
if [ "$(q bad.db "SELECT printed FROM receipt_copy WHERE receipt = '$X'")" = 0 ] &&
	[ -n "$(q bad.db "SELECT error FROM receipt_copy WHERE receipt = '$X'")" ]; then
	pass
else
	fail "the slip is kept with the printer's error"
fi
if "$CP_BINARY" --db ./bad.db verify >verify.txt 2>&1; then pass; else fail "verify holds: $(cat verify.txt)"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
