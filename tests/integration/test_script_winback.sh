#!/usr/bin/env bash
# test_script_winback.sh — the demo store's win-back benefit (issue 16: benefits may target a
# lifecycle stage) in script mode: 冯勇家 (silent, as HQ sent) has B-WINBACK open and is granted
# its coupon, bound to him; a new member (M000007) and a lost one (M000004) do not have it and
# are refused naming their stage; verify holds.
set -u

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env scriptwinback
passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}
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

"$CP_BINARY" --db ./demo.db init --demo >/dev/null
cat >in1.txt <<'EOT'
{"cmd":"login","staff":"1001","pin":"1111"}
{"cmd":"attach","card":"8800000003"}
{"cmd":"benefits"}
{"cmd":"grant","benefit":"B-WINBACK"}
{"cmd":"attach","card":"8800000007"}
{"cmd":"benefits"}
{"cmd":"grant","benefit":"B-WINBACK"}
{"cmd":"attach","card":"8800000004"}
{"cmd":"grant","benefit":"B-WINBACK"}
{"cmd":"cancel"}
EOT
"$CP_BINARY" --db ./demo.db script <in1.txt >out1.txt 2>err1.txt
check "the silent member has the win-back benefit open" out1.txt 3 \
	'"B-WINBACK" in [b["id"] for b in j["open"]]'
check "... and is granted its coupon, bound to him" out1.txt 4 \
	'j["ok"] and j["what"] == "coupon" and j["coupon"]["template"] == "C-5OFF30"'
check "a new member does not have it" out1.txt 6 \
	'"B-WINBACK" not in [b["id"] for k in ("open", "used", "not_today") for b in j[k]]'
check "... and is refused, the stage named" out1.txt 7 \
	'not j["ok"] and "this member'"'"'s stage is new" in j["error"]["message"]'
check "a lost member is refused, the stage named" out1.txt 9 \
	'not j["ok"] and "this member'"'"'s stage is lost" in j["error"]["message"]'
owner=$(python3 -c 'import sqlite3
print(sqlite3.connect("demo.db").execute("SELECT member_id FROM benefit_grant WHERE"
      " benefit_id = ?", ("B-WINBACK",)).fetchone()[0])')
if [ "$owner" = M000003 ]; then pass; else fail "the grant is 冯勇家's: $owner"; fi
if "$CP_BINARY" --db ./demo.db verify >verify.txt 2>&1; then
	pass
else
	fail "verify holds: $(cat verify.txt)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
