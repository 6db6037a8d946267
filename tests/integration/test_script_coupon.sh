#!/usr/bin/env bash
# test_script_coupon.sh — coupons in script mode on the demo store: a member's sale over the
# issuing rule's threshold issues the pack (codes in `pay`'s answer and on the receipt),
# `coupons` lists them, `exchange` turns points into a bearer coupon, `coupon` applies a code
# (a mistyped one, one not valid yet and one of another member are refused by name and change
# nothing), the sale takes the discount, and refunding the first sale voids its unused coupons;
# verify holds.
set -u

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env scriptcoupon
q() {
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' ./demo.db "$1"
}
# has FILE N PYTHON-EXPR: true over j, the Nth answer in FILE.
has() {
	python3 -c 'import json, sys
j = json.loads(sys.argv[1])
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$(sed -n "${2}p" "$1")" "$3"
}
check() { if has "$2" "$3" "$4"; then pass; else fail "$1: $(sed -n "${3}p" "$2")"; fi; }
# code FILE N EXPR: a value of the Nth answer
code() {
	python3 -c 'import json, sys
j = json.loads(sys.argv[1])
print(eval(sys.argv[2]))' "$(sed -n "${2}p" "$1")" "$3"
}

"$CP_BINARY" --db ./demo.db init --demo >/dev/null
cat >in1.txt <<'EOT'
{"cmd":"login","staff":"1001","pin":"1111"}
{"cmd":"attach","card":"8800000002"}
{"cmd":"scan","code":"6901234764833"}
{"cmd":"pay","tenders":[{"method":"wechat","amount":"138.00"}]}
{"cmd":"attach","card":"8800000002"}
{"cmd":"coupons"}
{"cmd":"exchange","offer":"P-QUAN5"}
{"cmd":"exchange","offer":"P-QUAN5"}
{"cmd":"cancel"}
EOT
"$CP_BINARY" --db ./demo.db script <in1.txt >out1.txt 2>err1.txt

check "paying 138.00 issues the pack of R-PAY100" out1.txt 4 '
sorted(c["title"] for c in j["coupons"]) == ["免费购物袋一个", "满100减20"] and
all(len(c["code"]) == 12 for c in j["coupons"])'
check "the member's coupons" out1.txt 6 '
j["member"] == "M000002" and len(j["coupons"]) == 2 and
all(c["state"] == "open" and not c["bearer"] for c in j["coupons"])'
check "300 points for a bearer coupon" out1.txt 7 '
j["points_spent"] == 300 and j["coupon"]["bearer"] and j["coupon"]["template"] == "C-5OFF30"'
check "the offer's limit of one a day" out1.txt 8 '"limit" in j["error"]["message"]'

MJ=$(code out1.txt 4 '[c["code"] for c in j["coupons"] if c["title"] == "满100减20"][0]')
BAG=$(code out1.txt 4 '[c["code"] for c in j["coupons"] if c["title"] != "满100减20"][0]')
BEARER=$(code out1.txt 7 'j["coupon"]["code"]')
TYPO=$(python3 -c 'import sys; c = sys.argv[1]; print(c[:5] + c[6] + c[5] + c[7:] if c[5] != c[6] else c[:5] + ("B" if c[5] != "B" else "C") + c[6:])' "$BEARER")
journal=$(q "SELECT count(*) FROM journal")

cat >in2.txt <<EOT
{"cmd":"login","staff":"1001","pin":"1111"}
{"cmd":"scan","code":"6931680772823"}
{"cmd":"coupon","code":"$TYPO"}
{"cmd":"coupon","code":"$BAG"}
{"cmd":"coupon","code":"${BEARER,,}"}
{"cmd":"attach","card":"8800000002"}
{"cmd":"coupon","code":"$MJ"}
{"cmd":"detach"}
{"cmd":"pay","tenders":[{"method":"wechat","amount":"123.00"}]}
{"cmd":"refund","receipt":"S001-T01-000001","manager":"9001","pin":"9999"}
{"cmd":"attach","card":"8800000002"}
{"cmd":"scan","code":"6901234764833"}
{"cmd":"coupon","code":"$BAG"}
{"cmd":"coupon","code":"$BEARER"}
EOT
"$CP_BINARY" --db ./demo.db script <in2.txt >out2.txt 2>err2.txt

check "a mistyped code is said to be mistyped" out2.txt 3 '
j["error"]["code"] == "invalid_input" and "mistyped" in j["error"]["message"]'
check "a member's coupon needs its member" out2.txt 4 '"attach its member" in j["error"]["message"]'
check "a bearer coupon, typed in lower case, takes 5.00 off" out2.txt 5 '
j["discount"] == 500 and j["total"] == 12800 and j["due"] == 12300'
check "the 满100减20 coupon is valid from tomorrow" out2.txt 7 '"not valid yet" in j["error"]["message"]'
check "the sale takes the discount" out2.txt 9 'j["total"] == 12300'
check "refunding the first sale voids its two unused coupons" out2.txt 10 '
j["coupons_voided"] == 2 and j["coupons_returned"] == 0'
check "a voided coupon is refused" out2.txt 13 '"voided" in j["error"]["message"]'
check "a used coupon is refused" out2.txt 14 '"used already" in j["error"]["message"]'
if [ "$(q "SELECT count(*) FROM journal")" = $((journal + 2)) ]; then pass; else fail "refusals recorded nothing"; fi
if [ "$(q "SELECT group_concat(kind) FROM coupon_use")" = "use,void,void" ]; then pass; else
	fail "coupon uses: $(q "SELECT group_concat(kind || ':' || code) FROM coupon_use")"
fi
if q "SELECT text FROM receipt_copy WHERE receipt = 'S001-T01-000001'" | grep -q "^\*$MJ\*\$"; then
	pass
else
	fail "the receipt prints the code for a scanner: $(q "SELECT text FROM receipt_copy WHERE receipt = 'S001-T01-000001'")"
fi
if "$CP_BINARY" --db ./demo.db verify >/dev/null 2>&1; then pass; else fail "verify holds"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
