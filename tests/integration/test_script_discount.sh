#!/usr/bin/env bash
# test_script_discount.sh — tier and manual discounts in script mode on the demo store: a 钻石
# member's cart takes the tier's 5% except tobacco and the item on offer, and keeps a member
# price that is better; detaching re-prices; `discount` of a line and of the whole sale with a
# reason (above the limit only with a manager's code and PIN); each refusal (over 100%, negative,
# no reason, unknown line, above the limit without a manager) one sentence that changes
# nothing; the sale records the priced amounts and its discounts; verify holds.
set -u

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env scriptdiscount
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

"$CP_BINARY" --db ./demo.db init --demo >/dev/null
cat >in.txt <<'EOT'
{"cmd":"login","staff":"1001","pin":"1111"}
{"cmd":"scan","code":"10001"}
{"cmd":"scan","code":"10002"}
{"cmd":"scan","code":"10048"}
{"cmd":"scan","code":"10052"}
{"cmd":"attach","card":"8800000029"}
{"cmd":"detach"}
{"cmd":"attach","card":"8800000029"}
{"cmd":"discount","line":1,"percent":"120","reason":"bruised"}
{"cmd":"discount","line":1,"amount":"-1.00","reason":"bruised"}
{"cmd":"discount","line":1,"percent":"5","reason":""}
{"cmd":"discount","line":9,"percent":"5","reason":"bruised"}
{"cmd":"discount","percent":"50","reason":"friend"}
{"cmd":"discount","line":1,"percent":"5","reason":"bruised"}
{"cmd":"discount","amount":"10.00","reason":"regular customer","manager":"9001","pin":"9999"}
{"cmd":"pay","tenders":[{"method":"cash","amount":"100.00"}]}
EOT
"$CP_BINARY" --db ./demo.db script <in.txt >out.txt 2>err.txt

# 10001 6.99 -> 6.64 (5% = 0.3495 -> 0.35); 10002 member 10.80 beats 12.16; tobacco 23.00 and
# the yogurt on offer 9.90 keep their prices
check "the tier's discount, the better member price, the exclusions" out.txt 6 '
[l["amount"] for l in j["cart"]["lines"]] == [664, 1080, 2300, 990] and
j["cart"]["member_saving"] == 235 and j["cart"]["total"] == 5034'
check "detaching re-prices at the list price" out.txt 7 '
j["cart"]["total"] == 699 + 1280 + 2300 + 990 and j["cart"]["member_saving"] == 0'
check "attaching again re-prices" out.txt 8 'j["cart"]["total"] == 5034'
check "over 100% is refused" out.txt 9 '
j["error"]["code"] == "invalid_input" and "more than 100%" in j["error"]["message"]'
check "a negative amount is refused" out.txt 10 '"negative" in j["error"]["message"]'
check "an empty reason is refused" out.txt 11 '"reason" in j["error"]["message"]'
check "an unknown line is refused" out.txt 12 '"no line 9" in j["error"]["message"]'
check "above the limit without a manager is refused" out.txt 13 '
j["error"]["code"] == "permission" and "manager" in j["error"]["message"]'
check "5% off line 1" out.txt 14 'j["fen"] == 33 and j["cart"]["lines"][0]["amount"] == 631'
check "10.00 off the sale with the manager" out.txt 15 '
j["fen"] == 1000 and j["authorised_by"] == "9001" and j["cart"]["total"] == 5001 - 1000'
check "the sale takes the priced total" out.txt 16 'j["total"] == 4001 and j["change"] == 5999'
if [ "$(q "SELECT count(*) FROM journal WHERE type = 'sale'")" = 1 ]; then pass; else
	fail "refusals recorded nothing"
fi
if [ "$(q "SELECT group_concat(coalesce(line_no, 0) || ':' || fen || ':' || coalesce(manager, ''))
	FROM sale_discount")" = "1:33:,0:1000:9001" ]; then pass; else
	fail "sale_discount: $(q "SELECT group_concat(line_no || ':' || fen) FROM sale_discount")"
fi
if [ "$(q "SELECT sum(amount) FROM sale_line")" = 4001 ]; then pass; else
	fail "the sale's lines add up to what was paid"
fi
if [ "$(q "SELECT member_saving FROM sale")" = 235 ]; then pass; else fail "member saving"; fi
if "$CP_BINARY" --db ./demo.db verify >/dev/null 2>&1; then pass; else fail "verify holds"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
