#!/usr/bin/env bash
# test_script_refund_qty.sh — partial refunds in script mode (issue 12): `refund_quote` shows a
# sale's lines with the units sold and refunded and what a selection gives back and claws back,
# writing nothing and needing no manager; `refund` takes {"line":N,"qty":K} (and line numbers,
# as before); the units of a line refunded in two goes give back exactly the line, and more
# units than are left are refused with a message that says how many can be.
set -uo pipefail

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
CP=$CP_BINARY

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env scriptrefundqty
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
printf '[printer]\ndevice =\n' >none.ini
R=S001-T01-000001
printf '%s\n' \
	'{"cmd":"login","staff":"1001","pin":"1111"}' \
	'{"cmd":"scan","code":"6903468885155","qty":3}' \
	'{"cmd":"attach","phone":"13800138000"}' \
	'{"cmd":"pay","tenders":[{"method":"cash","amount":"500.00"}]}' \
	"{\"cmd\":\"refund_quote\",\"receipt\":\"$R\",\"lines\":[{\"line\":1,\"qty\":1}]}" \
	"{\"cmd\":\"refund\",\"receipt\":\"$R\",\"lines\":[{\"line\":1,\"qty\":1}],\"manager\":\"9001\",\"pin\":\"9999\"}" \
	"{\"cmd\":\"refund_quote\",\"receipt\":\"$R\"}" \
	"{\"cmd\":\"refund\",\"receipt\":\"$R\",\"lines\":[{\"line\":1,\"qty\":3}],\"manager\":\"9001\",\"pin\":\"0000\"}" \
	"{\"cmd\":\"refund\",\"receipt\":\"$R\",\"lines\":[{\"line\":1,\"qty\":0}],\"manager\":\"9001\",\"pin\":\"9999\"}" \
	"{\"cmd\":\"refund\",\"receipt\":\"$R\",\"lines\":[1],\"manager\":\"9001\",\"pin\":\"9999\"}" \
	"{\"cmd\":\"refund_quote\",\"receipt\":\"$R\",\"lines\":[1]}" |
	"$CP" --config none.ini --db "$DB" script >"$ANS" 2>err.txt

check "the sale is made" 'a[3]["ok"] and a[3]["points"] > 0'
check "the quote shows the line: 3 sold, none refunded, 1 picked" \
	'a[4]["ok"] and a[4]["lines"][0]["qty"] == 3 and a[4]["lines"][0]["refunded"] == 0 and a[4]["lines"][0]["refund_qty"] == 1'
check "the quote's money is a third of the line, rounded down" \
	'a[4]["amount"] == a[4]["lines"][0]["amount"] // 3 and sum(t["amount"] for t in a[4]["tenders"]) == a[4]["amount"]'
check "the refund does what the quote said" \
	'a[5]["ok"] and all(a[5][k] == a[4][k] for k in ("amount", "points", "growth", "tenders"))'
check "the quote without lines: 1 refunded, the 2 left picked" \
	'a[6]["ok"] and a[6]["lines"][0]["refunded"] == 1 and a[6]["lines"][0]["refund_qty"] == 2'
check "3 more units are refused before the PIN, saying how many can be" \
	'not a[7]["ok"] and a[7]["error"]["code"] == "invalid_input" and "refund 1 to 2" in a[7]["error"]["message"] and q("SELECT failed FROM staff WHERE code = \"9001\"") == 0'
check "a quantity of 0 is refused" 'not a[8]["ok"] and a[8]["error"]["code"] == "invalid_input"'
check "the old form takes what is left of the line: the two refunds sum to the line" \
	'a[9]["ok"] and a[5]["amount"] + a[9]["amount"] == a[4]["lines"][0]["amount"]'
check "every point earned is clawed back" 'a[5]["points"] + a[9]["points"] == a[3]["points"]'
check "a line refunded whole is refused by the quote" \
	'not a[10]["ok"] and "refunded already" in a[10]["error"]["message"]'
check "the partial refunds are in refund_part, the line in refund_line" \
	'q("SELECT sum(qty) FROM refund_part") == 3 and q("SELECT count(*) FROM refund_line") == 1'
if "$CP" --db "$DB" verify >verify.txt 2>&1; then pass; else fail "verify: $(cat verify.txt)"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
