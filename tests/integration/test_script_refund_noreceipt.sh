#!/usr/bin/env bash
# test_script_refund_noreceipt.sh — refunds WITHOUT a receipt in script mode (issue 12):
# `refund_noreceipt_quote` says what would go back (the item's current price, or the one given)
# writing nothing and needing no manager; `refund_noreceipt` needs a manager (a cashier alone,
# or with a cashier's own code, is refused before anything is written); a reason is required;
# the quantity, the price and the configured limit ([refund] noreceipt_limit_fen) are checked
# before the PIN; the money goes back in cash, with no member and no points; the refund slip is
# kept; the tally counts it as a refund and on its own line; verify replays it.
set -uo pipefail

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
CP=$CP_BINARY

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env scriptrefundnoreceipt
DB=./till.db ANS=./answers.jsonl
# check DESCRIPTION PYTHON-EXPR: true over a (the answers, a list) and q(sql) (the database).
check() {
	if python3 -c 'import json, sqlite3, sys
a = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
db = sqlite3.connect(sys.argv[2])
q = lambda sql: db.execute(sql).fetchone()[0]
sys.exit(0 if eval(sys.argv[3]) else 1)' "$ANS" "$DB" "$2"; then
		pass
	else
		fail "$1: answers $(cat "$ANS")"
	fi
}

"$CP" --db "$DB" init --demo >/dev/null
printf '[printer]\ndevice =\n[refund]\nnoreceipt_limit_fen = 20000\n' >till.ini
ITEM=6903468885155
printf '%s\n' \
	'{"cmd":"login","staff":"1001","pin":"1111"}' \
	"{\"cmd\":\"refund_noreceipt_quote\",\"code\":\"$ITEM\",\"qty\":2,\"reason\":\"顾客退货\"}" \
	"{\"cmd\":\"refund_noreceipt\",\"code\":\"$ITEM\",\"qty\":2,\"reason\":\"顾客退货\"}" \
	"{\"cmd\":\"refund_noreceipt\",\"code\":\"$ITEM\",\"qty\":2,\"reason\":\"顾客退货\",\"manager\":\"1001\",\"pin\":\"1111\"}" \
	"{\"cmd\":\"refund_noreceipt\",\"code\":\"$ITEM\",\"qty\":2,\"reason\":\"\",\"manager\":\"9001\",\"pin\":\"0000\"}" \
	"{\"cmd\":\"refund_noreceipt\",\"code\":\"$ITEM\",\"qty\":10000,\"reason\":\"x\",\"manager\":\"9001\",\"pin\":\"0000\"}" \
	"{\"cmd\":\"refund_noreceipt\",\"code\":\"$ITEM\",\"qty\":1,\"price\":\"0.00\",\"reason\":\"x\",\"manager\":\"9001\",\"pin\":\"0000\"}" \
	"{\"cmd\":\"refund_noreceipt\",\"code\":\"$ITEM\",\"qty\":1,\"price\":\"200.01\",\"reason\":\"x\",\"manager\":\"9001\",\"pin\":\"0000\"}" \
	'{"cmd":"refund_noreceipt","code":"6900000000007","qty":1,"reason":"x","manager":"9001","pin":"0000"}' \
	"{\"cmd\":\"refund_noreceipt\",\"code\":\"$ITEM\",\"qty\":2,\"price\":\"3.50\",\"reason\":\"包装破损\",\"manager\":\"9001\",\"pin\":\"9999\"}" \
	'{"cmd":"report","kind":"x"}' |
	"$CP" --config till.ini --db "$DB" script >"$ANS" 2>err.txt

check "the quote: the item's current price, times 2, in cash, the limit configured" \
	'a[1]["ok"] and a[1]["amount"] == 2 * a[1]["list_price"] > 0 and a[1]["unit_price"] == a[1]["list_price"] and a[1]["method"] == "cash" and a[1]["limit"] == 20000'
check "the quote wrote nothing" 'q("SELECT count(*) FROM refund_noreceipt") == 0 or a[9]["ok"]'
check "a cashier alone is refused" 'not a[2]["ok"] and a[2]["error"]["code"] == "permission"'
check "a cashier's own code and PIN are refused" 'not a[3]["ok"] and a[3]["error"]["code"] == "permission"'
check "no reason: refused before the PIN" 'not a[4]["ok"] and "reason" in a[4]["error"]["message"]'
check "quantity 10000: refused" 'not a[5]["ok"] and "1 to 9999" in a[5]["error"]["message"]'
check "price 0.00: refused" 'not a[6]["ok"] and "more than 0.00" in a[6]["error"]["message"]'
check "over the limit: refused naming it" 'not a[7]["ok"] and "200.00" in a[7]["error"]["message"]'
check "an unknown item: refused" 'not a[8]["ok"] and a[8]["error"]["code"] == "not_found"'
check "no wrong PIN was counted: every refusal came first" 'q("SELECT failed FROM staff WHERE code = \"9001\"") == 0'
check "the refund: the manager's price, cash back, authorised by 9001" \
	'a[9]["ok"] and a[9]["amount"] == 700 and a[9]["unit_price"] == 350 and a[9]["authorised_by"] == "9001" and a[9]["receipt"].startswith("S001-T01-")'
check "one row, one cash tender of -7.00, no movement" \
	'q("SELECT count(*) FROM refund_noreceipt") == 1 and q("SELECT amount FROM tender WHERE method = \"cash\"") == -700 and q("SELECT count(*) FROM movement") == 0'
check "its slip is kept, titled and with the reason" \
	'"包装破损" in q("SELECT text FROM receipt_copy WHERE receipt = \"%s\"" % a[9]["receipt"])'
check "the tally: a refund, and on its own line" \
	'a[10]["ok"] and a[10]["report"]["refunds"] == {"count": 1, "amount": 700} and a[10]["report"]["noreceipt"] == {"count": 1, "amount": 700}'
if "$CP" --db "$DB" verify >verify.txt 2>&1; then pass; else fail "verify: $(cat verify.txt)"; fi
"$CP" --db "$DB" report daily >report.txt 2>&1
if grep -q "without receipt  *1  *¥7.00" report.txt; then pass; else fail "report: $(cat report.txt)"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
