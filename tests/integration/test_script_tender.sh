#!/usr/bin/env bash
# test_script_tender.sh — the open sale keeps the payments entered so far, in script mode on the
# demo store: `tender` keeps a card slip and a WeChat payment on a ¥48.90 sale, `tenders` lists
# them with what is still due, one above what is due is refused, `untender` takes one back; the
# script ends (as a closed window would) and the next run takes the sale over, finds the
# payment kept, and `pay` with the rest in cash records both; verify holds.
set -u

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env scripttender
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
{"cmd":"tenders"}
{"cmd":"tender","tenders":[{"method":"wechat","amount":"40.00"}]}
{"cmd":"tender","tenders":[{"method":"wechat","amount":"10.00"}]}
{"cmd":"untender","n":1}
{"cmd":"untender","n":5}
EOT
"$CP_BINARY" --db ./demo.db script <in1.txt >out1.txt 2>err1.txt
OUT=out1.txt
check "a card slip is kept" 4 '
j["tenders"] == [{"n": 1, "method": "card", "amount": 2000, "ref": None}] and j["due"] == 2890'
check "tenders lists it" 5 'len(j["tenders"]) == 1 and j["due"] == 2890'
check "more than due by card or mobile is refused" 6 '
j["error"]["code"] == "invalid_input" and "only cash gives change" in j["error"]["message"]'
check "a second payment" 7 'len(j["tenders"]) == 2 and j["due"] == 1890'
check "untender takes one back" 8 '
j["tenders"] == [{"n": 1, "method": "wechat", "amount": 1000, "ref": None}] and j["due"] == 3890'
check "an unknown one is not_found" 9 'j["error"]["code"] == "not_found"'

cat >in2.txt <<'EOT'
{"cmd":"login","staff":"1001","pin":"1111"}
{"cmd":"take_over"}
{"cmd":"tenders"}
{"cmd":"pay","tenders":[{"method":"cash","amount":"38.90"}]}
{"cmd":"tenders"}
EOT
"$CP_BINARY" --db ./demo.db script <in2.txt >out2.txt 2>err2.txt
OUT=out2.txt
check "the payment survived the closed script" 3 '
j["tenders"] == [{"n": 1, "method": "wechat", "amount": 1000, "ref": None}] and j["due"] == 3890'
check "pay uses it, then the cash" 4 'j["total"] == 4890 and j["tendered"] == 4890 and j["change"] == 0'
check "no payments are left" 5 '"error" in j or j["tenders"] == []'
n=$(python3 -c 'import sqlite3
print(sqlite3.connect("./demo.db").execute("SELECT group_concat(method || \":\" || amount, \",\") FROM (SELECT method, amount FROM tender ORDER BY n)").fetchone()[0])')
if [ "$n" = "wechat:1000,cash:3890" ]; then pass; else fail "the sale's tenders: $n"; fi
if "$CP_BINARY" --db ./demo.db verify >/dev/null 2>&1; then pass; else fail "verify holds"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
