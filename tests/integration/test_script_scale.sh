#!/usr/bin/env bash
# test_script_scale.sh — weighed items (散称) in script mode on the demo store: a weight label
# (21, PLU 10001 bananas at ¥6.99 a kg, 1000 g) and a price label (20, PLU 10002 apples, ¥23.45)
# become lines of their own with their weight and price a kilogram; a quantity is refused for
# a label, and set_qty on a weighed line; an unknown PLU is not_found; the sale's payload keeps
# the weight; the refund of a weighed line gives back exactly its amount; a bad [scale] layout
# in the configuration stops the program with exit status 2 and says why.
set -u

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env scriptscale
q() {
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' ./demo.db "$1"
}
has() {
	python3 -c 'import json, sys
j = json.loads(sys.argv[1])
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$(sed -n "${1}p" out.txt)" "$2"
}
check() { if has "$2" "$3"; then pass; else fail "$1: $(sed -n "${2}p" out.txt)"; fi; }

"$CP_BINARY" --db ./demo.db init --demo >/dev/null
cat >in.txt <<'EOT'
{"cmd":"login","staff":"1001","pin":"1111"}
{"cmd":"scan","code":"2110001010002"}
{"cmd":"scan","code":"2010002023455"}
{"cmd":"scan","code":"2110001010002","qty":2}
{"cmd":"set_qty","line":1,"qty":2}
{"cmd":"scan","code":"2177777010001"}
{"cmd":"pay","tenders":[{"method":"cash","amount":"50.00"}]}
{"cmd":"refund","receipt":"S001-T01-000001","lines":[1],"manager":"9001","pin":"9999"}
EOT
"$CP_BINARY" --db ./demo.db script <in.txt >out.txt 2>err.txt
check "a weight label is a weighed line" 2 '
j["cart"]["lines"][0]["sku"] == "10001" and j["cart"]["lines"][0]["weight_g"] == 1000 and
j["cart"]["lines"][0]["per_kg"] == 699 and j["cart"]["lines"][0]["amount"] == 699 and
j["cart"]["lines"][0]["qty"] == 1'
check "a price label keeps its price" 3 '
j["cart"]["lines"][1]["sku"] == "10002" and j["cart"]["lines"][1]["amount"] == 2345 and
j["cart"]["lines"][1]["per_kg"] > 0 and j["cart"]["total"] == 699 + 2345'
check "a label takes no quantity" 4 'j["error"]["code"] == "invalid_input"'
check "nor does a weighed line" 5 '
j["error"]["code"] == "invalid_input" and "weighed" in j["error"]["message"]'
check "an unknown PLU" 6 'j["error"]["code"] == "not_found" and "PLU 77777" in j["error"]["message"]'
check "the sale" 7 'j["total"] == 699 + 2345'
check "the weighed line is refunded exactly" 8 'j["amount"] == 699'
if [ "$(q "SELECT json_extract(payload, '\$.lines[0].weight_g') || '/' || json_extract(payload, '\$.lines[0].per_kg') FROM journal WHERE type = 'sale'")" = "1000/699" ]; then
	pass
else
	fail "the sale's payload keeps the weight"
fi
if "$CP_BINARY" --db ./demo.db verify >/dev/null 2>&1; then pass; else fail "verify holds"; fi

printf '[scale]\nlabels = 20PPPPPTTTTTC 21PPPPPWWWWW\n' >bad.ini
"$CP_BINARY" --config bad.ini --db ./demo.db verify >bad.out 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q "layout 21PPPPPWWWWW is 12 characters" bad.out; then
	pass
else
	fail "a bad layout stops the program ($rc): $(cat bad.out)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
