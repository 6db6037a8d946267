#!/usr/bin/env bash
# test_script_staff.sh — a manager on the spot in script mode on the demo store: `unlock` and
# `reset_pin` are refused to a cashier alone and with a wrong manager PIN (nothing recorded),
# done with the manager's code and PIN (one journal event each), the new PIN read as the line
# after the request and never echoed nor journaled; a bad or missing PIN line is refused; the
# line after a refused reset_pin is never read as a request; verify holds.
set -u

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env scriptstaff
q() {
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' ./demo.db "$1"
}
# has N PYTHON-EXPR: true over j, the Nth answer.
has() {
	python3 -c 'import json, sys
j = json.loads(sys.argv[1])
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$(sed -n "${1}p" out.txt)" "$2"
}
check() { if has "$2" "$3"; then pass; else fail "$1: $(sed -n "${2}p" out.txt)"; fi; }

"$CP_BINARY" --db ./demo.db init --demo >/dev/null
cat >in.txt <<'EOT'
{"cmd":"login","staff":"1002","pin":"2222"}
{"cmd":"login","staff":"1001","pin":"0000"}
{"cmd":"login","staff":"1001","pin":"0000"}
{"cmd":"login","staff":"1001","pin":"0000"}
{"cmd":"login","staff":"1001","pin":"0000"}
{"cmd":"login","staff":"1001","pin":"0000"}
{"cmd":"unlock","staff":"1001"}
{"cmd":"unlock","staff":"1001","manager":"9001","pin":"1234"}
{"cmd":"unlock","staff":"1001","manager":"9001","pin":"9999"}
{"cmd":"unlock","staff":"1001","manager":"9001","pin":"9999"}
{"cmd":"reset_pin","staff":"1001"}
864213
{"cmd":"reset_pin","staff":"1001","manager":"9001","pin":"9999"}
75319
{"cmd":"reset_pin","staff":"1001","manager":"9001","pin":"9999","bogus":1}
97531
{"cmd":"reset_pin","staff":"1001","manager":"9001","pin":"9999"}
12a4
{"cmd":"login","staff":"1001","pin":"1111"}
{"cmd":"login","staff":"1001","pin":"75319"}
{"cmd":"reset_pin","staff":"1001","manager":"9001","pin":"9999"}
EOT
"$CP_BINARY" --db ./demo.db script <in.txt >out.txt 2>err.txt

check "five wrong PINs lock the code" 6 'j["error"]["code"] == "locked"'
check "a cashier alone cannot unlock" 7 'j["error"]["code"] == "permission"'
check "a wrong manager PIN cannot unlock" 8 'j["error"]["code"] == "auth"'
check "the manager unlocks" 9 '
j["ok"] and j["staff"] == "1001" and j["authorised_by"] == "9001" and j["was_locked_until"] > 0'
check "nothing left to unlock" 10 'j["error"]["code"] == "state"'
check "a cashier alone cannot set a PIN" 11 'j["error"]["code"] == "permission"'
check "the manager sets a new PIN" 12 'j["ok"] and j["staff"] == "1001" and j["authorised_by"] == "9001"'
check "a refused request still takes its PIN line" 13 '
j["error"]["code"] == "invalid_input" and "bogus" in j["error"]["message"]'
check "a PIN of the wrong form is refused" 14 '
j["error"]["code"] == "invalid_input" and "4 to 12 digits" in j["error"]["message"]'
check "the old PIN no longer works" 15 'j["error"]["code"] == "auth"'
check "the new PIN does" 16 'j["ok"] and j["staff"] == "1001"'
check "a missing PIN line is refused" 17 '
j["error"]["code"] == "invalid_input" and "line after the request" in j["error"]["message"]'
if [ "$(wc -l <out.txt)" -eq 17 ]; then pass; else fail "one answer per request, none per PIN line: $(wc -l <out.txt)"; fi
if grep -qE "864213|75319|97531|12a4" out.txt err.txt; then fail "a PIN was echoed"; else pass; fi
if [ "$(q "SELECT count(*) FROM journal WHERE payload LIKE '%75319%' OR payload LIKE '%864213%'")" = 0 ]; then pass; else fail "a PIN reached the journal"; fi
if [ "$(q "SELECT group_concat(type) FROM journal WHERE type LIKE 'staff%' ORDER BY seq")" = "staff_unlock,staff_reset_pin" ]; then
	pass
else
	fail "one event each: $(q "SELECT group_concat(type) FROM journal")"
fi
if "$CP_BINARY" --db ./demo.db verify >/dev/null 2>&1; then pass; else fail "verify holds"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
