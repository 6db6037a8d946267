#!/usr/bin/env bash
# test_sync_cart_takeover.sh — a cart_takeover event reaches the reference HQ over TLS on
# 127.0.0.1 and is recorded there once, naming both staff codes, with the sale that followed it
# (under the staff member who took the sale over).
set -euo pipefail
. "$CP_SOURCE_DIR/tests/integration/sync_lib.sh"
sync_lib_enter sync_cart_takeover

hq_init hq.db
hq_start hq.db hq 0 --cert "$CERTS/server.pem" --key "$CERTS/server.key"
PORT=$HQ_PORT
printf '[sync]\nca_file = %s\ninterval_seconds = 1\nbackoff_base_ms = 200\n' "$CERTS/ca.pem" \
	>till.ini
C=(--config till.ini --db till.db)

"$CP" --db till.db init --demo >/dev/null
run "${C[@]}" enrol --hq "https://127.0.0.1:$PORT" --code "$(hq_code hq.db S001 T01)"
check "the till enrols: $err" test "$rc" -eq 0

# 1001 opens a sale and leaves it; 1002, in another session, takes it over and pays it.
ITEM=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(next(i["barcode"] for i in d["items"] if i["barcode"]))' "$STORE")
printf '%s\n' '{"cmd":"login","staff":"1001","pin":"1111"}' \
	"{\"cmd\":\"scan\",\"code\":\"$ITEM\",\"qty\":3}" >a.txt
"$CP" "${C[@]}" script <a.txt >a.out
printf '%s\n' '{"cmd":"login","staff":"1002","pin":"2222"}' '{"cmd":"take_over"}' \
	'{"cmd":"pay","tenders":[{"method":"cash","amount":"1000.00"}]}' >b.txt
"$CP" "${C[@]}" script <b.txt >b.out
a=$(sed -n 2p b.out)
check "1002 takes the sale over: $a" jq_ok "$a" 'j["ok"] is True and j["from"]["staff"] == "1001"'
a=$(sed -n 3p b.out)
check "1002 pays it: $a" jq_ok "$a" 'j["ok"] is True and j["seq"] == 3'

run "${C[@]}" sync --once
check "sync --once exits 0: $err" test "$rc" -eq 0
s=$(hq_api "$PORT" GET /_test/state)
t=$(jget "$s" 'j["terminals"]')
check "HQ applied the shift and both rows once: $t" jq_ok "$s" "(j['terminals']['S001-T01']['applied'] == 3
	and j['terminals']['S001-T01']['rows'] == 3 and j['applied_twice'] is False)"
check "HQ holds one takeover and one sale: $t" jq_ok "$s" \
	"(j['terminals']['S001-T01']['events'].get('cart_takeover') == 1 and
	j['terminals']['S001-T01']['events'].get('sale') == 1)"
effect=$(python3 -c 'import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute(
    "SELECT effect FROM journal WHERE type = ?", ("cart_takeover",)).fetchone()
print("" if r is None else r[0])' hq.db)
check "HQ recorded the takeover naming both staff codes: $effect" \
	has "$effect" "^recorded: the open sale of 1001 was taken over by 1002$"
finish
