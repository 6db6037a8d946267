#!/usr/bin/env bash
# test_script_guide.sh — shopping guides in script mode (issue 10): a guide's badge binds the
# member attached to the sale, another guide is refused inside the protection and allowed with a
# manager and a reason, the sale is credited to the member's guide, a serving guide is credited
# on a sale without a member, a manager unbinds, a guide who registers a member becomes their
# guide, the guide's day counts it all, every bad input is one clear line, and verify holds.
set -euo pipefail

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
: "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}"
CP=$CP_BINARY
STORE=$CP_SOURCE_DIR/packaging/demo/store.json

. "$CP_SOURCE_DIR/tests/integration/scratch_lib.sh"
scratch_env script_guide
expect() {
	if python3 -c 'import json, sys
j = json.loads(sys.argv[1])
sys.exit(0 if eval(sys.argv[2]) else 1)' "$ans" "$2"; then
		pass
	else
		fail "$1: got $ans"
	fi
}
# refused DESCRIPTION CODE WORD: one line, that code, the word in the message.
refused() {
	expect "$1" "j[\"ok\"] is False and j[\"error\"][\"code\"] == \"$2\" and \"$3\" in j[\"error\"][\"message\"] and \"\\n\" not in j[\"error\"][\"message\"]"
}

"$CP" --db ./demo.db init --demo >/dev/null
read -r PHONE ITEM < <(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
m = next(m for m in d["members"] if m["guide"] is None and m["phone"])
i = next(i for i in d["items"] if i["barcode"])
print(m["phone"], i["barcode"])' "$STORE")
B2001=9900000020019
B2002=9900000020026

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
journal_rows() { python3 -c 'import sqlite3; print(sqlite3.connect("demo.db").execute("SELECT count(*) FROM journal").fetchone()[0])'; }

ask '{"cmd":"login","staff":"1001","pin":"1111"}'
expect "cashier logs in" 'j["ok"] is True'

# ---- bad input, nothing written
rows=$(journal_rows)
ask "{\"cmd\":\"bind\",\"badge\":\"$B2001\"}"
refused "binding with no member attached" state "no member is attached"
ask "{\"cmd\":\"attach\",\"phone\":\"$PHONE\"}"
expect "the member is attached" 'j["ok"] is True and j["cart"]["member"]["guide"] is None'
ask '{"cmd":"bind","badge":"9900000020040"}'
refused "an unknown badge" not_found "not known"
ask '{"cmd":"bind","badge":"12345"}'
refused "not a badge at all" invalid_input "not a badge"
ask '{"cmd":"bind"}'
refused "a cashier binding without a badge" invalid_input "badge"
ask '{"cmd":"bind","badge":7}'
refused "a badge that is not text" invalid_input "must be a string"
[ "$(journal_rows)" = "$rows" ] && pass || fail "refused binds wrote to the journal"

# ---- binding, protection, takeover
ask "{\"cmd\":\"bind\",\"badge\":\"$B2001\"}"
expect "guide 2001 binds the attached member" \
	'j["ok"] is True and j["kind"] == "bind" and j["guide"] == "2001" and j["previous"] is None and j["protected_until"] > 0'
ask "{\"cmd\":\"bind\",\"badge\":\"$B2001\"}"
expect "the same guide again is a refresh" 'j["ok"] is True and j["kind"] == "refresh"'
rows=$(journal_rows)
ask "{\"cmd\":\"bind\",\"badge\":\"$B2002\"}"
refused "another guide inside the protection" permission "protected until"
ask "{\"cmd\":\"bind\",\"badge\":\"$B2002\",\"manager\":\"1002\",\"pin\":\"2222\",\"reason\":\"asked\"}"
refused "a cashier authorising a takeover" permission "cashier"
ask "{\"cmd\":\"bind\",\"badge\":\"$B2002\",\"manager\":\"9001\",\"pin\":\"9999\"}"
refused "a takeover without a reason" invalid_input "reason"
ask "{\"cmd\":\"bind\",\"badge\":\"$B2002\",\"manager\":\"9001\",\"pin\":\"0000\",\"reason\":\"asked\"}"
refused "a wrong manager PIN" auth "PIN"
[ "$(journal_rows)" = "$rows" ] && pass || fail "refused takeovers wrote to the journal"
ask "{\"cmd\":\"bind\",\"badge\":\"$B2002\",\"manager\":\"9001\",\"pin\":\"9999\",\"reason\":\"the member asked\"}"
expect "a takeover with a manager and a reason" \
	'j["ok"] is True and j["kind"] == "takeover" and j["guide"] == "2002" and j["previous"] == "2001" and j["authorised_by"] == "9001"'

# ---- credit
ask "{\"cmd\":\"scan\",\"code\":\"$ITEM\"}"
ask "{\"cmd\":\"serve\",\"badge\":\"$B2001\"}"
expect "a serving guide is noted" 'j["ok"] is True and j["guide"] == "2001"'
ask '{"cmd":"pay","tenders":[{"method":"cash","amount":"1000.00"}]}'
expect "the member's guide is credited, not the serving one" \
	'j["ok"] is True and j["guide"] == "2002" and j["guide_offer"] is False'
TOTAL=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["total"])' "$ans")
ask "{\"cmd\":\"serve\",\"badge\":\"$B2001\"}"
refused "serving with no sale open" state "no sale is open"
ask "{\"cmd\":\"scan\",\"code\":\"$ITEM\"}"
ask "{\"cmd\":\"serve\",\"badge\":\"$B2001\"}"
ask '{"cmd":"pay","tenders":[{"method":"cash","amount":"1000.00"}]}'
expect "a sale without a member is credited to the serving guide" \
	'j["ok"] is True and j["guide"] == "2001" and j["guide_offer"] is False'
ask "{\"cmd\":\"guide_day\",\"badge\":\"$B2002\"}"
expect "guide 2002's day: one sale, one member bound today" \
	"j['ok'] is True and j['sales'] == 1 and j['sales_amount'] == $TOTAL and j['bound_today'] == 1 and j['bound_total'] >= 1"
ask '{"cmd":"guide_day"}'
refused "a cashier's own guide day" permission "guide"

# ---- unbinding
ask "{\"cmd\":\"unbind\",\"phone\":\"$PHONE\",\"reason\":\"moved away\"}"
refused "a cashier unbinding" permission "manager"
ask "{\"cmd\":\"unbind\",\"phone\":\"$PHONE\",\"manager\":\"9001\",\"pin\":\"9999\",\"reason\":\"moved away\"}"
expect "a manager unbinds" 'j["ok"] is True and j["kind"] == "unbind" and j["previous"] == "2002" and j["guide"] is None'
ask '{"cmd":"logout"}'

# ---- a guide registers a member and sees their day
ask '{"cmd":"login","staff":"2001","pin":"4444"}'
ask '{"cmd":"register","phone":"13700001234","name":"新会员","consent":true}'
expect "the registering guide becomes the member's guide" 'j["ok"] is True and j["member"]["guide"] == "2001"'
ask '{"cmd":"guide_day"}'
expect "the guide's own day" \
	'j["ok"] is True and j["guide"] == "2001" and j["sales"] == 1 and j["bound_today"] == 2 and j["refunds"] == 0'

eval "exec ${TILL[1]}>&-"
if wait "$TILL_PID"; then pass; else fail "script exits 0 at the end of input"; fi
if "$CP" --db ./demo.db verify >verify.txt 2>&1; then
	pass
else
	fail "verify after the guide events: $(cat verify.txt)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
