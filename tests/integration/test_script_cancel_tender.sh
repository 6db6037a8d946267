#!/usr/bin/env bash
# test_script_cancel_tender.sh — money taken for an open sale is never dropped silently, in
# script mode on the demo store: `cancel` of a sale with a card slip and cash kept answers
# given_back with both (and its cart_cancel event lists them); a sale whose lines were taken
# off after a payment still holds it, so `recall` over it is refused and `cancel` gives it
# back; a parked sale keeps its manual discounts (the manager's with it) and `recall` lists
# them; verify holds.
set -u

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env scriptcanceltender
q() {
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' ./demo.db "$1"
}
has() {
	python3 -c 'import json, sys
j = json.loads(sys.argv[1])
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$(sed -n "${1}p" "$OUT")" "$2"
}
check() { if has "$2" "$3"; then pass; else fail "$1: $(sed -n "${2}p" "$OUT")"; fi; }

"$CP_BINARY" --db ./demo.db init --demo >/dev/null
cat >in1.txt <<'EOT'
{"cmd":"login","staff":"1001","pin":"1111"}
{"cmd":"scan","code":"6954802253352"}
{"cmd":"scan","code":"6903468885155"}
{"cmd":"tender","tenders":[{"method":"card","amount":"20.00"}]}
{"cmd":"tender","tenders":[{"method":"cash","amount":"10.00"}]}
{"cmd":"cancel"}
{"cmd":"tenders"}
{"cmd":"scan","code":"6954802253352"}
{"cmd":"park"}
{"cmd":"scan","code":"6903468885155"}
{"cmd":"tender","tenders":[{"method":"wechat","amount":"5.00"}]}
{"cmd":"remove","line":1}
{"cmd":"recall","sale":1}
{"cmd":"cancel"}
{"cmd":"recall","sale":1}
{"cmd":"cancel"}
EOT
"$CP_BINARY" --db ./demo.db script <in1.txt >out1.txt 2>err1.txt
OUT=out1.txt
check "cancel gives back the kept payments" 6 '
j["given_back"] == [{"method": "card", "amount": 2000, "ref": None},
                    {"method": "cash", "amount": 1000, "ref": None}] and j["cart"]["lines"] == []'
check "none are left" 7 '"error" in j or j["tenders"] == []'
n=$(q "SELECT json_array_length(payload, '\$.tenders') FROM journal WHERE type = 'cart_cancel' ORDER BY seq LIMIT 1")
if [ "$n" = "2" ]; then pass; else fail "the cart_cancel event lists 2 payments, not $n"; fi
check "a sale with no lines but a payment kept" 12 'j["cart"]["lines"] == []'
check "recall over a kept payment is refused" 13 '
j["error"]["code"] == "state" and "payments have been entered" in j["error"]["message"]'
check "cancel gives the payment back" 14 '
j["given_back"] == [{"method": "wechat", "amount": 500, "ref": None}]'
check "then the recall goes ahead" 15 'j["recalled"]["sale"] == 1'

cat >in2.txt <<'EOT'
{"cmd":"login","staff":"1001","pin":"1111"}
{"cmd":"scan","code":"6954802253352"}
{"cmd":"scan","code":"6903468885155"}
{"cmd":"discount","line":1,"amount":"1.00","reason":"dented"}
{"cmd":"discount","percent":"50","reason":"display model","manager":"9001","pin":"9999"}
{"cmd":"cart"}
{"cmd":"park"}
{"cmd":"recall","sale":1}
EOT
"$CP_BINARY" --db ./demo.db script <in2.txt >out2.txt 2>err2.txt
OUT=out2.txt
total=$(sed -n 6p out2.txt | python3 -c 'import json, sys; print(json.load(sys.stdin)["cart"]["total"])')
check "parked as sale 1" 7 'j["sale"] == 1'
check "the recalled sale has both discounts" 8 '
j["discounts"] == [{"line": 1, "kept": True, "manager": None, "why": None},
                   {"line": None, "kept": True, "manager": "9001", "why": None}]'
check "and costs what it did when parked" 8 "j['cart']['total'] == $total"
if "$CP_BINARY" --db ./demo.db verify >/dev/null 2>&1; then pass; else fail "verify holds"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
