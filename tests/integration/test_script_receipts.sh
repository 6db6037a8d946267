#!/usr/bin/env bash
# test_script_receipts.sh — the receipt belongs to the sale, whichever front end made it: a
# sale and a refund made in script mode keep their receipt copies (receipt_copy), and `reprint`
# gives the kept copy back. With no printer it says it did not print (printed false) and
# carries the text to show; with a printer (a file here) the receipts and the copy are printed
# and marked printed.
set -uo pipefail

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
CP=$CP_BINARY

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env scriptreceipts
# check DESCRIPTION PYTHON-EXPR: true over a (the answers, a list) and c (the receipt copies,
# receipt -> (printed, error, text)).
check() {
	if python3 -c 'import json, sqlite3, sys
a = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
c = {r[0]: r[1:] for r in sqlite3.connect(sys.argv[2]).execute(
    "SELECT receipt, printed, error, text FROM receipt_copy")}
sys.exit(0 if eval(sys.argv[3]) else 1)' "$ANS" "$DB" "$2"; then
		pass
	else
		fail "$1: answers $(cat "$ANS"); copies: $(python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT receipt, printed, error FROM receipt_copy").fetchall())' "$DB")"
	fi
}
session() {
	printf '%s\n' \
		'{"cmd":"login","staff":"1001","pin":"1111"}' \
		'{"cmd":"scan","code":"6903468885155"}' \
		'{"cmd":"pay","tenders":[{"method":"cash","amount":"100.00"}]}' \
		'{"cmd":"refund","receipt":"S001-T01-000001","lines":[1],"manager":"9001","pin":"9999"}' \
		'{"cmd":"reprint","receipt":"S001-T01-000001"}' \
		'{"cmd":"reprint","receipt":"S001-T01-000002"}' |
		"$CP" "$@" script >"$ANS" 2>err.txt
}

# ---- no printer ----
DB=./none.db ANS=./none.jsonl
"$CP" --db "$DB" init --demo >/dev/null
printf '[printer]\ndevice =\n' >none.ini
session --config none.ini --db "$DB"
check "the sale and the refund were answered" 'a[2]["ok"] and a[3]["ok"] and a[3]["receipt"] == "S001-T01-000002"'
check "the sale's receipt is kept" '"S001-T01-000001" in c and "S001-T01-000001" in c["S001-T01-000001"][2]'
check "the refund's receipt is kept" '"S001-T01-000002" in c and "S001-T01-000001" in c["S001-T01-000002"][2]'
check "nothing is marked printed without a printer" 'all(v[0] == 0 for v in c.values())'
check "reprint of the sale answers its kept text, not printed" 'a[4]["ok"] and a[4]["printed"] is False and "S001-T01-000001" in a[4]["text"]'
check "reprint of the refund answers its kept text, not printed" 'a[5]["ok"] and a[5]["printed"] is False and "S001-T01-000002" in a[5]["text"]'

# ---- a printer (a file in this directory) ----
DB=./file.db ANS=./file.jsonl
"$CP" --db "$DB" init --demo >/dev/null
printf '[printer]\ndevice = ./printer.out\nwidth = 32\n' >file.ini
session --config file.ini --db "$DB"
check "the sale's and the refund's receipts are kept and printed" \
	'c["S001-T01-000001"][0] == 1 and c["S001-T01-000002"][0] == 1'
check "reprint says printed" 'a[4]["ok"] and a[4]["printed"] is True and a[5]["printed"] is True'
n=$(grep -ac "S001-T01-000001" printer.out 2>/dev/null || echo 0)
if [ "$n" -ge 3 ]; then pass; else fail "the printer got the sale, the refund and the copies (saw $n lines naming the sale)"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
