#!/usr/bin/env bash
# test_script_rounding.sh — 抹零 in script mode on the demo store with [sale] rounding =
# jiao_down: bananas weighed at ¥6.99 paid in cash are ¥6.90 and the pay answer carries the
# rounding (9 fen); paid by card they are not rounded; the full refund of the rounded sale gives
# back exactly ¥6.90; the receipt kept prints 抹零's line; verify holds; an unknown mode in the
# configuration stops the program with exit status 2 and names the modes.
set -u

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env scriptrounding
has() {
	python3 -c 'import json, sys
j = json.loads(sys.argv[1])
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$(sed -n "${1}p" out.txt)" "$2"
}
check() { if has "$2" "$3"; then pass; else fail "$1: $(sed -n "${2}p" out.txt)"; fi; }

"$CP_BINARY" --db ./demo.db init --demo >/dev/null
printf '[sale]\nrounding = jiao_down\n' >round.ini
cat >in.txt <<'EOT'
{"cmd":"login","staff":"1001","pin":"1111"}
{"cmd":"scan","code":"2110001010002"}
{"cmd":"pay","tenders":[{"method":"cash","amount":"10.00"}]}
{"cmd":"scan","code":"2110001010002"}
{"cmd":"pay","tenders":[{"method":"card","amount":"6.99"}]}
{"cmd":"refund","receipt":"S001-T01-000001","manager":"9001","pin":"9999"}
{"cmd":"reprint","receipt":"S001-T01-000001"}
EOT
"$CP_BINARY" --config round.ini --db ./demo.db script <in.txt >out.txt 2>err.txt
check "cash is rounded down to the jiao" 3 '
j["total"] == 690 and j["rounding"] == 9 and j["change"] == 310 and j["tendered"] == 1000'
check "a card is not rounded" 5 'j["total"] == 699 and j["rounding"] == 0 and j["change"] == 0'
check "the refund gives back what was paid" 6 '
j["amount"] == 690 and j["tenders"] == [{"method": "cash", "amount": 690}]'
check "the receipt prints the rounding" 7 '"-¥0.09" in j["text"] and "¥6.99" in j["text"]'
if "$CP_BINARY" --config round.ini --db ./demo.db verify >/dev/null 2>&1; then
	pass
else
	fail "verify holds"
fi

printf '[sale]\nrounding = jiao\n' >bad.ini
"$CP_BINARY" --config bad.ini --db ./demo.db verify >bad.out 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q "jiao_down" bad.out; then
	pass
else
	fail "an unknown mode stops the program ($rc): $(cat bad.out)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
