#!/usr/bin/env bash
# test_script_lifecycle.sh — the member's stage, visits, last visit, tier held until and next
# tier figures in script mode's member objects, and the tier upgrade in the pay answer, once:
# 冯勇家 is silent as HQ (the demo store) says; 万志远 (growth 1946, 54 short of 银卡) buys
# ¥84.50 and is told tier_up 银卡, then buys again without; a refund of the second sale's every
# line takes that visit back; verify passes.
set -euo pipefail

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
: "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}"
CP=$CP_BINARY

. "$CP_SOURCE_DIR/tests/integration/scratch_lib.sh"
scratch_env script_lifecycle
expect() {
	if python3 -c 'import json, sys
j = json.loads(sys.argv[1])
sys.exit(0 if eval(sys.argv[2]) else 1)' "$ans" "$2"; then
		pass
	else
		fail "$1: got $ans"
	fi
}

"$CP" --db ./demo.db init --demo >/dev/null
coproc TILL { exec "$CP" --db ./demo.db script 2>stderr.txt; }
ask() {
	printf '%s\n' "$1" >&"${TILL[1]}"
	if ! IFS= read -r -t 120 ans <&"${TILL[0]}"; then
		fail "no answer from counterpoint script (stderr: $(cat stderr.txt))"
		echo "$passed passed, $failed failed"
		exit 1
	fi
}

ask '{"cmd":"login","staff":"1001","pin":"1111"}'
expect "login" 'j["ok"] is True'
ask '{"cmd":"member","phone":"18552178619"}'
expect "冯勇家 is silent, as HQ says" \
	'j["ok"] and j["member"]["stage"] == "silent" and j["member"]["stage_from_hq"] is True and j["member"]["visits"] == 0 and j["member"]["last_visit"] is None'
ask '{"cmd":"member","phone":"13900139000"}'
expect "李秀英 has bought nothing here: new; the next tier is 银卡 x1.2" \
	'j["member"]["stage"] == "new" and j["member"]["stage_from_hq"] is False and j["member"]["days_since_visit"] is None and j["member"]["next_tier_level"] == 1 and j["member"]["next_tier_multiplier_bp"] == 12000 and j["member"]["tier_until"] is None'
ask '{"cmd":"balance","phone":"13800138000"}'
expect "陈晓东 holds 金卡 until the demo store's date; 白金 adds x1.8" \
	'j["member"]["tier_until"] == "2027-06-30" and j["member"]["next_tier_level"] == 3 and j["member"]["next_tier_multiplier_bp"] == 18000 and j["member"]["next_tier"] == "白金"'

ask '{"cmd":"scan","code":"6901234058369","qty":5}'
expect "scan" 'j["ok"] is True'
ask '{"cmd":"attach","phone":"18765347855"}'
expect "万志远 attached: 54 growth to 银卡" \
	'j["ok"] and j["cart"]["member"]["next_tier_growth"] == 54 and j["cart"]["member"]["stage"] == "new" and j["cart"]["member"]["visits"] == 0'
ask '{"cmd":"pay","tenders":[{"method":"wechat","amount":"84.50"}]}'
expect "the sale lifts 万志远 to 银卡" \
	'j["ok"] and j["tier_up"] == {"level": 1, "name": "银卡"}'
ask '{"cmd":"scan","code":"6901234058369","qty":2}'
ask '{"cmd":"attach","phone":"18765347855"}'
ask '{"cmd":"pay","tenders":[{"method":"wechat","amount":"33.80"}]}'
expect "the next sale says no upgrade" 'j["ok"] and j["tier_up"] is None'
SECOND=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["receipt"])' "$ans")
ask '{"cmd":"member","phone":"18765347855"}'
expect "two visits, ¥118.30, today; held until a year on; next 金卡 x1.5" \
	'j["member"]["visits"] == 2 and j["member"]["spent"] == 11830 and j["member"]["days_since_visit"] == 0 and len(j["member"]["last_visit"]) == 10 and j["member"]["tier_until"] > j["member"]["last_visit"] and j["member"]["tier"] == 1 and j["member"]["next_tier_multiplier_bp"] == 15000'
ask '{"cmd":"refund","receipt":"'"$SECOND"'","manager":"9001","pin":"9999"}'
expect "the second sale refunded whole" 'j["ok"] is True'
ask '{"cmd":"member","phone":"18765347855"}'
expect "the refund takes that visit and its money back" \
	'j["member"]["visits"] == 1 and j["member"]["spent"] == 8450'
eval "exec ${TILL[1]}>&-"
if wait "$TILL_PID"; then pass; else fail "script exits 0 at the end of input"; fi
if "$CP" --db ./demo.db verify >verify.txt 2>&1; then pass; else fail "verify: $(cat verify.txt)"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
