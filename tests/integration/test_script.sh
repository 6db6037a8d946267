#!/usr/bin/env bash
# test_script.sh — one session of `counterpoint script` on the demo store, driven line by line:
# login, scanning (a double scan adds quantity), a member attached by phone, a split payment
# with change checked against the demo earn rules and tier, a refund authorised by a manager
# from a cashier's session, bad input of every kind answered and survived, the lock-out, and a
# clock three days behind the journal (faketime) refused until a manager confirms it.
set -euo pipefail

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
: "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}"
CP=$CP_BINARY
STORE=$CP_SOURCE_DIR/packaging/demo/store.json

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env script
# expect DESCRIPTION PYTHON-EXPR: true over j, the last answer (and d, the demo store).
expect() {
	if python3 -c 'import json, sys
j = json.loads(sys.argv[1])
d = json.load(open(sys.argv[3]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$ans" "$2" "$STORE"; then
		pass
	else
		fail "$1: got $ans"
	fi
}
# get PYTHON-EXPR: prints the value over j, the last answer.
get() {
	python3 -c 'import json, sys
j = json.loads(sys.argv[1])
print(eval(sys.argv[2]))' "$ans" "$1"
}
# bad DESCRIPTION: the last answer is an invalid_input error, and the session still answers.
bad() {
	expect "$1: refused as invalid_input" \
		'j["ok"] is False and j["error"]["code"] == "invalid_input" and j["error"]["message"]'
	ask '{"cmd":"cart"}'
	expect "$1: the session still works afterwards" 'j["ok"] is True'
}

"$CP" --db ./demo.db init --demo >/dev/null

coproc TILL { exec "$CP" --db ./demo.db script 2>stderr.txt; }
send() { printf '%s\n' "$1" >&"${TILL[1]}"; }
recv() {
	if ! IFS= read -r -t 120 ans <&"${TILL[0]}"; then
		fail "no answer from counterpoint script (stderr: $(cat stderr.txt))"
		echo "$passed passed, $failed failed"
		exit 1
	fi
}
ask() {
	send "$1"
	recv
}

# The items: an eligible one with a barcode and a member price, and one that earns nothing.
read -r ITEM_A ITEM_B < <(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
cats = {c["code"]: c for c in d["categories"]}
a = next(i for i in d["items"] if i["barcode"] and i["member_price"]
         and not cats[i["category"]]["earn_excluded"])
b = next(i for i in d["items"] if i["barcode"] and cats[i["category"]]["earn_excluded"])
print(a["barcode"], b["barcode"])' "$STORE")

# ---- before login
ask '{"cmd":"cart"}'
expect "commands need a login" 'j["ok"] is False and j["error"]["code"] == "auth"'

ask '{"cmd":"login","staff":"1001","pin":"1111","id":"req-1"}'
expect "cashier 1001 logs in" \
	'j["ok"] is True and j["staff"] == "1001" and j["role"] == "cashier" and j["name"]'
expect "the request id is copied into the answer" 'j["id"] == "req-1"'

# ---- scanning
ask "{\"cmd\":\"scan\",\"code\":\"$ITEM_A\"}"
expect "first scan is line 1" 'j["ok"] is True and j["line"] == 1 and j["cart"]["open"] is True'
ask "{\"cmd\":\"scan\",\"code\":\"$ITEM_B\"}"
expect "second item is line 2" 'j["ok"] is True and j["line"] == 2'
ask "{\"cmd\":\"scan\",\"code\":\"$ITEM_A\"}"
expect "a double scan adds to line 1" \
	'j["line"] == 1 and len(j["cart"]["lines"]) == 2 and j["cart"]["lines"][0]["qty"] == 2'
expect "the cart counts 3 items" 'j["cart"]["items"] == 3'
expect "the tobacco line is not eligible" \
	'j["cart"]["lines"][0]["eligible"] is True and j["cart"]["lines"][1]["eligible"] is False'

# ---- the member
ask '{"cmd":"member","phone":"13800000009"}'
expect "an unknown phone is no such member" \
	'(j["ok"] is False and j["error"]["code"] == "not_found" and
	  j["error"]["message"] == "no such member")'
ask '{"cmd":"search","name":"晓东","last4":"8000"}'
expect "a member without their phone: part of the name and the last four digits" \
	'j["ok"] is True and [m["id"] for m in j["members"]] == ["M000001"] and j["more"] is False'
expect "the list shows the phone masked" 'j["members"][0]["phone"] == "138****8000"'
ask '{"cmd":"search","name":"晓东","last4":"８０００"}'
expect "the four digits must be ASCII digits" \
	'j["ok"] is False and j["error"]["code"] == "invalid_input"'
ask '{"cmd":"search","name":"晓东","last4":"9999"}'
expect "no match is not_found" 'j["ok"] is False and j["error"]["code"] == "not_found"'
ask '{"cmd":"attach","phone":"13800138000"}'
expect "the member is attached by phone" \
	'j["ok"] is True and j["cart"]["member"]["id"] == "M000001"'
expect "the phone is shown masked" 'j["cart"]["member"]["phone"] == "138****8000"'
expect "the member is 金卡" \
	'j["cart"]["member"]["tier_name"] == "金卡" and j["cart"]["member"]["tier"] == 2'
expect "member prices apply once a member is attached" '(
[l["unit_price"] for l in j["cart"]["lines"]] ==
[next(i["member_price"] or i["price"] for i in d["items"] if i["sku"] == l["sku"])
 for l in j["cart"]["lines"]])'
expect "the line amounts and the total add up" '(
all(l["amount"] == l["qty"] * l["unit_price"] for l in j["cart"]["lines"]) and
j["cart"]["total"] == sum(l["amount"] for l in j["cart"]["lines"]) and
j["cart"]["eligible"] == sum(l["amount"] for l in j["cart"]["lines"] if l["eligible"]))'
cart=$ans
TOTAL=$(get 'j["cart"]["total"]')
POINTS_BEFORE=$(get 'j["cart"]["member"]["points"]')
GROWTH_BEFORE=$(get 'j["cart"]["member"]["growth"]')

# ---- paying: WeChat 10.00 and the rest in cash rounded up to the next yuan plus one
CASH=$(((TOTAL - 1000 + 99) / 100 * 100 + 100))
TENDERS="{\"method\":\"cash\",\"amount\":\"$((CASH / 100)).00\"},"
TENDERS+='{"method":"wechat","amount":"10.00"}'
ask "{\"cmd\":\"pay\",\"tenders\":[$TENDERS]}"
sale=$ans
expect "the sale is paid" 'j["ok"] is True and j["receipt"].startswith("S001-T01-")'
expect "total, tendered and change add up" \
	"j['total'] == $TOTAL and j['tendered'] == $CASH + 1000 and j['change'] == $CASH + 1000 - $TOTAL"
expect "the receipt carries a verify code" 'len(j["verify_code"]) > 0'
# The expected points from the demo rules, for the business day at either end of the payment.
EXPECT='
def expected(j, cart, d, t):
    import time
    r = d["earn_rules"]
    tier = next(x for x in d["tiers"] if x["level"] == cart["cart"]["member"]["tier"])
    m = next(x for x in d["members"] if x["id"] == cart["cart"]["member"]["id"])
    lt = time.localtime(t - 4 * 3600)  # the business day starts at 04:00
    extra = []
    if r["member_day_kind"] == "weekday" and lt.tm_wday + 1 == r["member_day_value"]:
        extra.append(r["member_day_bp"])
    if r["member_day_kind"] == "monthday" and lt.tm_mday == r["member_day_value"]:
        extra.append(r["member_day_bp"])
    if m["birthday"] and int(m["birthday"][:2]) == lt.tm_mon:
        extra.append(r["birthday_bp"])
    mult = tier["multiplier_bp"]
    for e in extra:
        mult = max(mult, e) if r["combine"] == "highest" else mult * e // 10000
    elig = cart["cart"]["eligible"]
    pts = elig * r["points_per_yuan_bp"] * mult // (10000 * 10000 * 100)
    gro = elig * r["growth_per_yuan_bp"] // (10000 * 100)
    return (mult, pts, gro)
'
T0=$(date +%s)
if python3 -c "$EXPECT"'
import json, sys, time
j, cart, d = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.load(open(sys.argv[3]))
got = (j["multiplier_bp"], j["points"], j["growth"])
ok = got in (expected(j, cart, d, int(sys.argv[4])), expected(j, cart, d, time.time()))
ok = ok and j["eligible"] == cart["cart"]["eligible"]
ok = ok and j["balance"] == int(sys.argv[5]) + j["points"]
sys.exit(0 if ok else 1)' "$sale" "$cart" "$STORE" "$T0" "$POINTS_BEFORE"; then
	pass
else
	fail "points, growth, multiplier and balance follow the demo rules: $sale"
fi
RECEIPT=$(get 'j["receipt"]')
POINTS=$(get 'j["points"]')
GROWTH=$(get 'j["growth"]')
BALANCE=$(get 'j["balance"]')
ELIGIBLE=$(get 'j["eligible"]')
ask '{"cmd":"cart"}'
expect "the cart is closed after the sale" 'j["ok"] is True and j["cart"]["open"] is False'
ask '{"cmd":"balance","phone":"13800138000"}'
expect "the balance shows the points earned" "j['ok'] is True and j['member']['points'] == $BALANCE"
expect "the growth shows the growth earned" "j['member']['growth'] == $GROWTH_BEFORE + $GROWTH"

# ---- refund of line 1 by a cashier with the manager's PIN
REFUND1="{\"cmd\":\"refund\",\"receipt\":\"$RECEIPT\",\"lines\":[1],"
REFUND1+='"manager":"9001","pin":"9999"}'
ask "{\"cmd\":\"refund\",\"receipt\":\"$RECEIPT\",\"lines\":[1]}"
expect "a cashier alone cannot refund" 'j["ok"] is False and j["error"]["code"] == "permission"'
ask "$REFUND1"
LINE1=$(python3 -c 'import json, sys
print(json.loads(sys.argv[1])["cart"]["lines"][0]["amount"])' "$cart")
expect "the refund is done" 'j["ok"] is True and j["receipt"] and j["authorised_by"] == "9001"'
expect "the refund gives back line 1" "j['amount'] == $LINE1"
expect "the refund tenders add up to the amount" \
	'sum(t["amount"] for t in j["tenders"]) == j["amount"]'
expect "points and growth are clawed back in proportion" \
	"j['points'] == $POINTS * $LINE1 // $ELIGIBLE and j['growth'] == $GROWTH * $LINE1 // $ELIGIBLE"
expect "the balance after the refund" \
	"j['balance'] == $BALANCE - j['points'] and j['balance_negative'] is False"
ask "$REFUND1"
expect "the same line cannot be refunded twice" \
	'j["ok"] is False and j["error"]["code"] != "invalid_input"'

# ---- bad input: each refused, and the session carries on
send 'this is not json'
recv
bad "a line that is not JSON"
printf '\xff\xfe\n' >&"${TILL[1]}"
recv
expect "the answer says the line is not UTF-8" '"UTF-8" in j["error"]["message"]'
bad "a line that is not UTF-8"
send "{\"cmd\":\"scan\",\"code\":\"$(head -c 70000 /dev/zero | tr '\0' '7')\"}"
recv
expect "the answer says the line is too long" '"longer than" in j["error"]["message"]'
bad "a 70,000-byte line"
send '{"cmd":"fly"}'
recv
bad "an unknown command"
send '{"cmd":"scan"}'
recv
bad "a missing field"
send '{"code":"123"}'
recv
bad "a missing cmd"
send '[1,2,3]'
recv
bad "not an object"
send '{"cmd":"scan","code":12345}'
recv
bad "a field of the wrong type"

ask "{\"cmd\":\"scan\",\"code\":\"$ITEM_A\"}"
expect "a new cart for the tender checks" 'j["ok"] is True'
for amount in '"12.345"' '"-1"' '"1e3"' '12.30' '""' '"abc"'; do
	send "{\"cmd\":\"pay\",\"tenders\":[{\"method\":\"cash\",\"amount\":$amount}]}"
	recv
	bad "the amount $amount"
done
send '{"cmd":"pay","tenders":[{"method":"cash","amount":"0.01"}]}'
recv
expect "tenders that do not cover the total are refused" 'j["ok"] is False'
ask '{"cmd":"cart"}'
expect "the cart is untouched by the refused payment" \
	'j["cart"]["open"] is True and j["cart"]["items"] == 1'
ask '{"cmd":"cancel"}'
expect "the cart can be cancelled" 'j["ok"] is True and j["cart"]["open"] is False'

# ---- five wrong PINs lock the staff code
for i in 1 2 3 4 5; do
	ask '{"cmd":"login","staff":"1003","pin":"0000"}'
	expect "wrong PIN $i is refused" \
		'j["ok"] is False and j["error"]["code"] in ("auth", "locked")'
done
ask '{"cmd":"login","staff":"1003","pin":"3333"}'
expect "after five wrong PINs even the right one is locked" \
	'j["ok"] is False and j["error"]["code"] == "locked"'
ask '{"cmd":"cart"}'
expect "the logged-in session survives someone else's failed login" 'j["ok"] is True'
ask '{"cmd":"logout"}'
expect "logout" 'j["ok"] is True'
ask '{"cmd":"cart"}'
expect "after logout commands need a login again" \
	'j["ok"] is False and j["error"]["code"] == "auth"'

# ---- the end of input ends the session cleanly, and the journal verifies
eval "exec ${TILL[1]}>&-"
if wait "$TILL_PID"; then pass; else fail "script exits 0 at the end of input"; fi
if "$CP" --db ./demo.db verify >verify.txt 2>&1; then
	pass
else
	fail "verify after the session: $(cat verify.txt)"
fi

# ---- a clock three days behind the journal: refused until a manager confirms it (faketime)
# faketime preloads its library; a sanitizer build must be told that this is fine.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
coproc TILL { exec faketime -f -3d "$CP" --db ./demo.db script 2>stderr.txt; }
ask '{"cmd":"login","staff":"1001","pin":"1111"}'
expect "login under a clock three days behind" 'j["ok"] is True'
ask "{\"cmd\":\"scan\",\"code\":\"$ITEM_A\"}"
expect "the cart still takes items" 'j["ok"] is True'
ask '{"cmd":"pay","tenders":[{"method":"cash","amount":"100.00"}]}'
expect "a payment under that clock is refused, saying what to do" \
	'j["ok"] is False and j["error"]["code"] == "clock" and "manager confirm" in j["error"]["message"]'
ask '{"cmd":"confirm_clock"}'
expect "a cashier alone cannot confirm the clock" \
	'j["ok"] is False and j["error"]["code"] == "permission"'
ask '{"cmd":"confirm_clock","manager":"9001","pin":"0000"}'
expect "nor with a wrong manager PIN" 'j["ok"] is False and j["error"]["code"] == "auth"'
ask '{"cmd":"confirm_clock","manager":"9001","pin":"9999"}'
expect "the manager confirms the clock, three days before the last event" \
	'j["ok"] is True and j["authorised_by"] == "9001" and 2 * 86400000 < j["last_at"] - j["at"] < 4 * 86400000'
ask '{"cmd":"pay","tenders":[{"method":"cash","amount":"100.00"}]}'
expect "the kept cart is paid after the confirmation" 'j["ok"] is True and j["receipt"]'
eval "exec ${TILL[1]}>&-"
if wait "$TILL_PID"; then pass; else fail "script exits 0 at the end of input"; fi
if "$CP" --db ./demo.db verify >verify.txt 2>&1; then
	pass
else
	fail "verify after the confirmed clock: $(cat verify.txt)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
