#!/usr/bin/env bash
# test_sync_points.sh — points spent offline at two tills, then HQ: both tills enrolled with the
# reference HQ over TLS on 127.0.0.1 know 李秀英's 3,050 points; HQ goes away and the tills'
# last contact is three hours old, so each may spend 2,000 of her points today (EXAMPLES.md 7)
# and no more; both do. Back online, HQ applies the spends in journal order, keeps both sales,
# and sends exactly one points_overdraft notice, to the till whose spend took the balance below
# zero; that till keeps it for the manager and shows HQ's balance. A refund's points go back
# at HQ too.
set -euo pipefail
. "$CP_SOURCE_DIR/tests/integration/sync_lib.sh"
sync_lib_enter sync_points

hq_init hq.db
hq_start hq.db hq 0 --cert "$CERTS/server.pem" --key "$CERTS/server.key"
PORT=$HQ_PORT
URL=https://127.0.0.1:$PORT
for t in T01 T02; do
	printf '[store]\nterminal = %s\n[sync]\nca_file = %s\nbackoff_base_ms = 200\n' "$t" \
		"$CERTS/ca.pem" >"$t.ini"
done
hqsql() { # SQL: the first column of the first row, on HQ's database
	python3 -c 'import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()
print(r[0] if r else "")' hq.db "$1"
}
script() { # TILL LINES...: a `counterpoint script` session; prints the answers, one a line
	local t=$1
	shift
	printf '%s\n' '{"cmd":"login","staff":"1001","pin":"1111"}' "$@" >in.txt
	"$CP" --config "$t.ini" --db "$t.db" script <in.txt
}
nth() { sed -n "$1p" <<<"$answers"; }
SELL=('{"cmd":"scan","code":"6901234058369","qty":5}' '{"cmd":"scan","code":"69123436"}'
	'{"cmd":"attach","phone":"13900139000"}')

for t in T01 T02; do
	"$CP" --config "$t.ini" --db "$t.db" init --demo >/dev/null
	run --config "$t.ini" --db "$t.db" enrol --hq "$URL" --code "$(hq_code hq.db S001 $t)"
	check "$t enrols: $err" test "$rc" -eq 0
	run --config "$t.ini" --db "$t.db" sync --once
	check "$t syncs: $err" test "$rc" -eq 0
done
a=$(script T01 '{"cmd":"balance","phone":"13900139000"}' | tail -n 1)
check "the tills know 李秀英's 3,050 points: $a" jq_ok "$a" 'j["member"]["points"] == 3050'
BAL0=$(hqsql "SELECT points FROM members WHERE phone = '13900139000'")
check "HQ holds 3,050 for her" test "$BAL0" = 3050

# ---- HQ away; the last contact three hours ago
hq_stop "$HQ_PID"
for t in T01 T02; do
	python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE sync_state SET last_success = last_success - 3 * 3600 * 1000")
c.commit()' "$t.db"
	answers=$(script "$t" "${SELL[@]}" '{"cmd":"points"}' \
		'{"cmd":"pay","tenders":[{"method":"points","amount":"25.00"},{"method":"cash","amount":"63.00"}]}' \
		'{"cmd":"pay","tenders":[{"method":"points","amount":"20.00"},{"method":"cash","amount":"68.00"}]}' \
		"${SELL[@]}" '{"cmd":"points"}' '{"cmd":"cancel"}')
	a=$(nth 5)
	check "$t is offline: 2,000 points left for her today: $a" jq_ok "$a" \
		'j["offline"] is True and j["member_left"] == 2000 and j["max"] == 2000'
	a=$(nth 6)
	check "$t: 2,500 points refused offline, naming the limit: $a" jq_ok "$a" \
		'j["ok"] is False and "offline limit: 2000 points left for this member today" in j["error"]["message"]'
	a=$(nth 7)
	check "$t: 2,000 points spent offline: $a" jq_ok "$a" \
		'j["ok"] is True and j["points_spent"] == 2000 and j["points"] == 68 and j["balance"] == 3050 - 2000 + 68'
	a=$(nth 11)
	check "$t: nothing more for her today offline: $a" jq_ok "$a" \
		'j["max"] == 0 and "offline limit: 0 points left for this member today" in j["limit"]'
done

# ---- HQ back: T01 first, then T02
hq_start hq.db hq "$PORT" --cert "$CERTS/server.pem" --key "$CERTS/server.key"
run --config T01.ini --db T01.db sync --once
check "T01 syncs: $err" test "$rc" -eq 0
check "HQ applied T01's spend: no notice yet" \
	test "$(hqsql "SELECT count(*) FROM changes WHERE kind = 'points_overdraft'")" = 0
check "HQ's balance after T01: 3,050 - 2,000 + 68" \
	test "$(hqsql "SELECT points FROM members WHERE phone = '13900139000'")" = 1118
run --config T02.ini --db T02.db sync --once
check "T02 syncs: $err" test "$rc" -eq 0
check "HQ keeps both sales" \
	test "$(hqsql "SELECT count(*) FROM journal WHERE type = 'sale'")" = 2
check "HQ's balance went below zero: 1,118 - 2,000 + 68" \
	test "$(hqsql "SELECT points FROM members WHERE phone = '13900139000'")" = -814
check "HQ's movements add up to its balance" \
	test "$(hqsql "SELECT sum(m.points) FROM movements m JOIN members b ON b.id = m.member_id WHERE b.phone = '13900139000'")" = -814
check "exactly one points_overdraft notice" \
	test "$(hqsql "SELECT count(*) FROM changes WHERE kind = 'points_overdraft'")" = 1
check "... for T02" test "$(hqsql "SELECT target FROM changes WHERE kind = 'points_overdraft'")" = \
	"$(hqsql "SELECT uid FROM terminals WHERE terminal = 'T02'")"
run --config T02.ini --db T02.db status
check "T02's manager sees the notice: $out" has "$out" 'points_overdraft.*spent 2000 points on receipt S001-T02-.* when HQ held 1118'
a=$(script T02 '{"cmd":"balance","phone":"13900139000"}' | tail -n 1)
check "T02 shows HQ's balance, below zero: $a" jq_ok "$a" 'j["member"]["points"] == -814'
run --config T01.ini --db T01.db sync --once
run --config T01.ini --db T01.db status
check "T01 got no notice: $out" test "$(grep -c points_overdraft <<<"$out")" -eq 0
# a second round changes nothing
run --config T02.ini --db T02.db sync --once
check "the notice is not repeated" \
	test "$(hqsql "SELECT count(*) FROM changes WHERE kind = 'points_overdraft'")" = 1

# ---- T01 refunds its sale: the points go back at HQ too
SALE=$(hqsql "SELECT json_extract(payload, '\$.receipt') FROM journal WHERE type = 'sale' AND terminal_uid = (SELECT uid FROM terminals WHERE terminal = 'T01')")
a=$(script T01 "{\"cmd\":\"refund\",\"receipt\":\"$SALE\",\"manager\":\"9001\",\"pin\":\"9999\"}" | tail -n 1)
check "T01 refunds $SALE: 2,000 points back, 68 clawed back: $a" jq_ok "$a" \
	'j["ok"] is True and j["points_back"] == 2000 and j["points"] == 68'
run --config T01.ini --db T01.db sync --once
check "HQ's balance: -814 + 2,000 - 68" \
	test "$(hqsql "SELECT points FROM members WHERE phone = '13900139000'")" = 1118
for t in T01 T02; do
	run --db "$t.db" verify
	check "$t verifies: $out $err" test "$rc" -eq 0
done
finish
