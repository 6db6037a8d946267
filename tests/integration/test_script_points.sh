#!/usr/bin/env bash
# test_script_points.sh — EXAMPLES.md example 4 typed into `counterpoint script` on the demo
# store (李秀英, 普通, 3,050 points, a ¥88.00 bill on a Tuesday): 3,000 points pay ¥30.00, WeChat
# ¥58.00, 58 points and 58 growth earned, balance 108; the refusals (not a whole step, over the
# cap, too few points, an unknown tender) change nothing; a refund gives the points back and the
# money by WeChat; the refund receipt says both; verify passes.
set -euo pipefail

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
: "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}"
CP=$CP_BINARY

. "$CP_SOURCE_DIR/tests/integration/scratch_lib.sh"
scratch_env script_points faketime
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
# A Tuesday (not member day), not in 李秀英's birthday month (July); faketime preloads its
# library, which a sanitizer build must be told is fine.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
coproc TILL { exec faketime '2026-11-24 10:00:00' "$CP" --db ./demo.db script 2>stderr.txt; }
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
# ¥88.00, all eligible: 5 x chilled chicken breast ¥16.90 + chewing gum ¥3.50
ask '{"cmd":"scan","code":"6901234058369","qty":5}'
expect "scan 5 x ¥16.90" 'j["ok"] is True'
ask '{"cmd":"scan","code":"69123436"}'
expect "scan ¥3.50" 'j["ok"] is True'
ask '{"cmd":"points"}'
expect "without a member points cannot pay" \
	'j["ok"] is True and j["max"] == 0 and "attach the member" in j["limit"]'
ask '{"cmd":"attach","phone":"13900139000"}'
expect "李秀英 attached, 3,050 points" 'j["ok"] is True and j["cart"]["member"]["points"] == 3050'
ask '{"cmd":"points"}'
expect "points may pay ¥30.00 (3,000 points) of the ¥44.00 cap" \
	'j["ok"] and j["max"] == 3000 and j["max_points"] == 3000 and j["cap"] == 4400 and j["step"] == 100 and "too few points" in j["limit"]'

refused() { # DESCRIPTION TENDERS MESSAGE-PART
	ask "{\"cmd\":\"pay\",\"tenders\":$2}"
	expect "$1" "j['ok'] is False and j['error']['code'] == 'invalid_input' and '$3' in j['error']['message']"
}
refused "not a whole step" '[{"method":"points","amount":"30.50"},{"method":"wechat","amount":"57.50"}]' \
	'whole steps of ¥1.00 (100 points): ¥30.50 is not one'
refused "more than the balance" '[{"method":"points","amount":"31.00"},{"method":"wechat","amount":"57.00"}]' \
	'too few points: the member has 3050 to spend'
refused "an unknown tender" '[{"method":"jifen","amount":"30.00"},{"method":"wechat","amount":"58.00"}]' \
	'must be cash, card, wechat, alipay, unionpay or points'
refused "a negative amount" '[{"method":"points","amount":"-30.00"},{"method":"wechat","amount":"118.00"}]' \
	'amount'
ask '{"cmd":"cart"}'
expect "the cart is as it was" 'j["ok"] and j["cart"]["total"] == 8800 and len(j["cart"]["lines"]) == 2'
ask '{"cmd":"balance","phone":"13900139000"}'
expect "the balance is as it was" 'j["ok"] and j["member"]["points"] == 3050'

ask '{"cmd":"pay","tenders":[{"method":"points","amount":"30.00"},{"method":"wechat","amount":"58.00"}]}'
expect "EXAMPLES.md 4: 3,000 points and ¥58.00 WeChat; 58 points, 58 growth; balance 108" \
	'j["ok"] and j["total"] == 8800 and j["points_spent"] == 3000 and j["points"] == 58 and j["growth"] == 58 and j["balance"] == 108 and j["change"] == 0'
SALE=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["receipt"])' "$ans")

ask '{"cmd":"reprint","receipt":"'"$SALE"'"}'
expect "the sale's receipt says points spent, earned, and the balance" \
	'j["ok"] and "-3000" in j["text"] and "+58" in j["text"] and "108" in j["text"]'

ask '{"cmd":"refund","receipt":"'"$SALE"'","lines":[1],"manager":"9001","pin":"9999"}'
expect "refunding line 1 (¥84.50) gives back its points and the rest by WeChat" \
	'j["ok"] and j["amount"] == 8450 and j["points_back"] == 2881 and j["tenders"] == [{"method":"points","amount":2881},{"method":"wechat","amount":5569}] and j["points"] == 55'
REFUND=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["receipt"])' "$ans")
ask '{"cmd":"balance","phone":"13900139000"}'
expect "balance 108 + 2,881 back - 55 clawed back" 'j["ok"] and j["member"]["points"] == 108 + 2881 - 55'
ask '{"cmd":"reprint","receipt":"'"$REFUND"'"}'
expect "the refund receipt says the points given back and the money" \
	'j["ok"] and "+2881" in j["text"] and "55.69" in j["text"] and "28.81" in j["text"]'

eval "exec ${TILL[1]}>&-"
if wait "$TILL_PID"; then pass; else fail "script exits 0 at the end of input"; fi
if faketime '2026-11-24 10:05:00' "$CP" --db ./demo.db verify >verify.txt 2>&1; then
	pass
else
	fail "verify: $(cat verify.txt)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
