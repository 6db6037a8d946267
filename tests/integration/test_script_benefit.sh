#!/usr/bin/env bash
# test_script_benefit.sh — benefits in script mode on the demo store, on a Wednesday in March
# (faketime): `benefits` before a member is attached is refused; 陈晓东 (金卡, born in March) has
# the birthday coupon, the member day's points and the gold gift open; `grant` gives each (the
# coupon bound to him, the points in his balance, the gift a line at ¥0.00) and refuses a second
# grant this period, an unknown id, and the gold gift for 李秀英 (普通); the next day the member
# day's points are not open (not a Wednesday); verify holds.
set -u

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env scriptbenefit faketime
# faketime preloads its library; a sanitizer build must be told that this is fine.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
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

faketime -f '@2026-03-11 10:00:00' "$CP_BINARY" --db ./demo.db init --demo >/dev/null
cat >in1.txt <<'EOT'
{"cmd":"login","staff":"1001","pin":"1111"}
{"cmd":"benefits"}
{"cmd":"attach","card":"8800000001"}
{"cmd":"benefits"}
{"cmd":"grant","benefit":"B-BIRTHDAY"}
{"cmd":"grant","benefit":"B-MEMBERDAY"}
{"cmd":"grant","benefit":"B-GOLDGIFT"}
{"cmd":"grant","benefit":"B-MEMBERDAY"}
{"cmd":"grant","benefit":"B-NONE"}
{"cmd":"benefits"}
{"cmd":"attach","card":"8800000002"}
{"cmd":"grant","benefit":"B-GOLDGIFT"}
{"cmd":"grant","benefit":7}
{"cmd":"cancel"}
EOT
faketime -f '@2026-03-11 10:00:00' "$CP_BINARY" --db ./demo.db script <in1.txt >out1.txt 2>err1.txt
check "no member attached" out1.txt 2 \
	'not j["ok"] and "attach a member first" in j["error"]["message"]'
check "three benefits open" out1.txt 4 \
	'sorted(b["id"] for b in j["open"]) == ["B-BIRTHDAY", "B-GOLDGIFT", "B-MEMBERDAY"] and j["used"] == []'
check "the birthday coupon, bound to him, from tomorrow" out1.txt 5 \
	'j["ok"] and j["what"] == "coupon" and j["coupon"]["template"] == "C-MJ20" and j["coupon"]["valid_from"] == "2026-03-12" and j["period_key"] == "2026"'
check "200 points on the member day" out1.txt 6 \
	'j["ok"] and j["points"] == 200 and j["balance"] == 5200 and j["period_key"] == "2026-03-11"'
check "the gold gift at no charge" out1.txt 7 \
	'j["ok"] and j["sku"] == "10029" and j["cart"]["lines"][0]["amount"] == 0 and not j["cart"]["lines"][0]["eligible"]'
check "once a day" out1.txt 8 \
	'not j["ok"] and j["error"]["code"] == "state" and "already this period" in j["error"]["message"]'
check "an unknown id" out1.txt 9 \
	'not j["ok"] and j["error"]["code"] == "not_found" and "B-NONE" in j["error"]["message"]'
check "all three used this period" out1.txt 10 'len(j["used"]) == 3 and j["open"] == []'
check "not 普通's tier" out1.txt 12 \
	'not j["ok"] and "not for this member" in j["error"]["message"]'
check "a benefit id is a string" out1.txt 13 \
	'not j["ok"] and j["error"]["code"] == "invalid_input"'
coupon=$(python3 -c 'import sqlite3
print(sqlite3.connect("demo.db").execute("SELECT member_id FROM coupon_issue WHERE source = ?",
      ("benefit",)).fetchone()[0])')
if [ "$coupon" = M000001 ]; then pass; else fail "the coupon is 陈晓东's: $coupon"; fi

cat >in2.txt <<'EOT'
{"cmd":"login","staff":"1001","pin":"1111"}
{"cmd":"attach","card":"8800000001"}
{"cmd":"benefits"}
{"cmd":"grant","benefit":"B-MEMBERDAY"}
{"cmd":"cancel"}
EOT
faketime -f '@2026-03-12 10:00:00' "$CP_BINARY" --db ./demo.db script <in2.txt >out2.txt 2>err2.txt
check "Thursday: the member day's points are not today" out2.txt 3 \
	'[b["id"] for b in j["not_today"]] == ["B-MEMBERDAY"] and j["open"] == []'
check "... and refused" out2.txt 4 \
	'not j["ok"] and "member day (weekday 3" in j["error"]["message"]'
if faketime -f '@2026-03-12 10:05:00' "$CP_BINARY" --db ./demo.db verify >verify.txt 2>&1; then
	pass
else
	fail "verify holds: $(cat verify.txt)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
