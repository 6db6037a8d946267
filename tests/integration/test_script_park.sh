#!/usr/bin/env bash
# test_script_park.sh — parked sales in script mode on the demo store: `park` sets the open sale
# aside and empties the cart, the next customer is served and pays, `parked` lists what is
# parked, `recall` brings the same lines and member back (test_park.c shows a price
# changed meanwhile named), and refusals (nothing to park, a sale open, another
# cashier's parked sale, an unknown number, a bad field) change nothing; verify holds.
set -u

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env scriptpark
q() {
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' ./demo.db "$1"
}
# has FILE N PYTHON-EXPR: true over j, the Nth answer of FILE.
has() {
	python3 -c 'import json, sys
j = json.loads(sys.argv[1])
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$(sed -n "${2}p" "$1")" "$3"
}
check() { if has "$2" "$3" "$4"; then pass; else fail "$1: $(sed -n "${3}p" "$2")"; fi; }

"$CP_BINARY" --db ./demo.db init --demo >/dev/null
cat >in1.txt <<'EOT'
{"cmd":"login","staff":"1001","pin":"1111"}
{"cmd":"park"}
{"cmd":"scan","code":"6903468885155","qty":2}
{"cmd":"attach","card":"8800000002"}
{"cmd":"park"}
{"cmd":"parked"}
{"cmd":"scan","code":"6903468885155"}
{"cmd":"recall","sale":1}
{"cmd":"pay","tenders":[{"method":"cash","amount":"100.00"}]}
{"cmd":"parked"}
EOT
"$CP_BINARY" --db ./demo.db script <in1.txt >out1.txt 2>err1.txt
check "nothing to park" out1.txt 2 'j["error"]["code"] == "state" and "no sale to park" in j["error"]["message"]'
check "park empties the cart" out1.txt 5 'j["sale"] == 1 and j["cart"]["lines"] == []'
check "the list names it" out1.txt 6 '
len(j["parked"]) == 1 and j["max"] == 5 and j["parked"][0]["staff"] == "1001" and
j["parked"][0]["items"] == 2 and j["parked"][0]["member"] is not None'
check "recall with a sale open is refused" out1.txt 8 '
j["error"]["code"] == "state" and "park it or finish it" in j["error"]["message"]'
check "the next customer pays" out1.txt 9 'j["ok"]'
check "still parked" out1.txt 10 'len(j["parked"]) == 1'

cat >in2.txt <<'EOT'
{"cmd":"login","staff":"1002","pin":"2222"}
{"cmd":"recall","sale":1}
{"cmd":"recall","sale":99}
{"cmd":"recall","sale":"1"}
{"cmd":"logout"}
{"cmd":"login","staff":"1001","pin":"1111"}
{"cmd":"recall","sale":1}
{"cmd":"parked"}
EOT
"$CP_BINARY" --db ./demo.db script <in2.txt >out2.txt 2>err2.txt
check "another cashier's parked sale is refused" out2.txt 2 '
j["error"]["code"] == "permission" and "parked by staff 1001" in j["error"]["message"]'
check "an unknown number is refused" out2.txt 3 'j["error"]["code"] == "not_found"'
check "a bad field is refused" out2.txt 4 'j["error"]["code"] == "invalid_input"'
check "recall brings the same lines and member back" out2.txt 7 '
j["recalled"]["sale"] == 1 and len(j["cart"]["lines"]) == 1 and
j["cart"]["lines"][0]["qty"] == 2 and j["cart"]["lines"][0]["sku"] == "10005" and
j["cart"]["member"]["card"] == "8800000002" and j["changed"] == [] and
j["cart"]["total"] == j["recalled"]["total"]'

check "nothing parked any more" out2.txt 8 'j["parked"] == []'
if [ "$(q "SELECT count(*) FROM journal WHERE type NOT IN ('shift_open', 'sale')")" = 0 ]; then pass; else fail "parking recorded no journal event"; fi
if "$CP_BINARY" --db ./demo.db verify >/dev/null 2>&1; then pass; else fail "verify holds"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
