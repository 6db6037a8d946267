#!/usr/bin/env bash
# test_script_paycode.sh — a customer's payment code in script mode: a tender may carry "code"
# instead of "method"; the till pays by the code's own method with its last four digits, never
# echoes the code, refuses a code of no known shape (changing nothing), and the whole code is in
# neither the database, its WAL, the log nor any answer.
set -u

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env scriptpaycode
q() {
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' ./demo.db "$1"
}
# line N: the Nth answer.
line() { sed -n "${1}p" out.txt; }
check() { if eval "$2"; then pass; else fail "$1"; fi; }

WECHAT=134567890123456789
UNIONPAY=6212345678901234567
BAD=990000000000000000

"$CP_BINARY" --db ./demo.db init --demo >/dev/null
cat >in.txt <<EOT
{"cmd":"login","staff":"1001","pin":"1111"}
{"cmd":"scan","code":"6903468885155"}
{"cmd":"pay","tenders":[{"code":"$BAD","amount":"25.90"}]}
{"cmd":"pay","tenders":[{"code":"$WECHAT","method":"wechat","amount":"25.90"}]}
{"cmd":"pay","tenders":[{"code":"$WECHAT","amount":"30.00"}]}
{"cmd":"pay","tenders":[{"code":"$WECHAT","amount":"20.00"},{"code":"$UNIONPAY","amount":"5.90"}]}
EOT
"$CP_BINARY" --db ./demo.db script <in.txt >out.txt 2>err.txt

check "a code of no known shape is refused" \
	'line 3 | grep -q "\"ok\":false" && line 3 | grep -q "is not a payment code"'
check "method and code together are refused" 'line 4 | grep -q "not both"'
check "a code never pays more than is due" 'line 5 | grep -q "\"ok\":false"'
check "the refusals changed nothing: one sale, one journal row" \
	'[ "$(q "SELECT count(*) FROM sale")" = 1 ] && [ "$(q "SELECT count(*) - (SELECT count(*) FROM shift) FROM journal")" = 1 ]'
check "two codes pay the sale" 'line 6 | grep -q "\"ok\":true"'
got=$(q "SELECT group_concat(method || ':' || ifnull(ref, '-') || ':' || amount) FROM tender")
if [ "$got" = "wechat:6789:2000,unionpay:4567:590" ]; then
	pass
else
	fail "each tender by its code's method with its last four digits: $got"
fi
for c in $WECHAT $UNIONPAY $BAD; do
	for f in out.txt err.txt demo.db demo.db-wal demo.db.log; do
		if [ -f "$f" ] && grep -qaF -- "$c" "$f"; then
			fail "the code $c is in $f"
		else
			pass
		fi
	done
done
check "verify holds" '"$CP_BINARY" --db ./demo.db verify >/dev/null 2>&1'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
