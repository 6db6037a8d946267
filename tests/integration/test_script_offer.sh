#!/usr/bin/env bash
# test_script_offer.sh — points-plus-cash offers in script mode on the demo store: `offers` lists
# what the attached member can take and why not the rest, `add_offer` takes one (refusals name
# the reason and change nothing), the sale deducts its points, and a refund of the offer line
# gives the points, the limit and the stock back; verify holds.
set -u

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env scriptoffer
q() {
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' ./demo.db "$1"
}
# has N PYTHON-EXPR: true over j, the Nth answer (o: its offers by id).
has() {
	python3 -c 'import json, sys
j = json.loads(sys.argv[1])
o = {x["offer"]: x for x in j.get("offers", [])}
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$(sed -n "${1}p" out.txt)" "$2"
}
check() { if has "$2" "$3"; then pass; else fail "$1: $(sed -n "${2}p" out.txt)"; fi; }

"$CP_BINARY" --db ./demo.db init --demo >/dev/null
cat >in.txt <<'EOT'
{"cmd":"login","staff":"1001","pin":"1111"}
{"cmd":"offers"}
{"cmd":"attach","card":"8800000002"}
{"cmd":"offers"}
{"cmd":"add_offer","offer":"P-MILK"}
{"cmd":"add_offer","offer":"NOPE"}
{"cmd":"add_offer","offer":"P-OIL"}
{"cmd":"add_offer","offer":"P-OIL"}
{"cmd":"scan","code":"6903468885155"}
{"cmd":"pay","tenders":[{"method":"wechat","amount":"102.80"}]}
{"cmd":"refund","receipt":"S001-T01-000001","lines":[1],"manager":"9001","pin":"9999"}
{"cmd":"attach","card":"8800000002"}
{"cmd":"offers"}
EOT
"$CP_BINARY" --db ./demo.db script <in.txt >out.txt 2>err.txt

check "offers need a member" 2 'j["error"]["code"] == "state" and "attach a member" in j["error"]["message"]'
check "the member's offers, with reasons for the rest" 4 '
j["available"] == 3050 and o["P-OIL"]["can_take"] and o["P-BAG"]["limit_left"] == 2 and
o["P-MILK"]["reason"] == "tier too low" and o["P-MOON"]["reason"] == "tier too low" and
o["P-MOON"]["stock_left"] == 5'
check "a tier too low is refused, naming it" 5 'j["error"]["code"] == "state" and "is for tier 1" in j["error"]["message"]'
check "a missing offer is refused" 6 'j["error"]["code"] == "not_found"'
check "taking an offer holds its points" 7 '
j["cart"]["points_held"] == 500 and j["cart"]["lines"][0]["offer"] == "P-OIL" and
j["cart"]["lines"][0]["unit_price"] == 7990 and not j["cart"]["lines"][0]["eligible"]'
check "the month's limit counts the cart" 8 '"limit of 1 a month" in j["error"]["message"]'
check "the sale deducts the points and earns on the rest only" 10 '
j["points_spent"] == 500 and j["eligible"] == 2290 and j["balance"] == 3050 - 500 + j["points"]'
check "the refund of the offer line gives its points back" 11 '
j["points_restored"] == 500 and j["amount"] == 7990'
check "the limit is back after the refund" 13 '
o["P-OIL"]["limit_left"] == 1'
if [ "$(q "SELECT group_concat(kind || ':' || n || ':' || points) FROM movement WHERE kind LIKE 'offer%'")" = "offer:101:-500,offer_refund:101:500" ]; then
	pass
else
	fail "the offer's movements: $(q "SELECT group_concat(kind || n || points) FROM movement")"
fi
if [ "$(q "SELECT count(*) FROM journal WHERE type <> 'shift_open'")" = 2 ]; then pass; else fail "refusals recorded nothing"; fi
if "$CP_BINARY" --db ./demo.db verify >/dev/null 2>&1; then pass; else fail "verify holds"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
