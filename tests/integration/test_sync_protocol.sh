#!/usr/bin/env bash
# test_sync_protocol.sh — HQ's refusals that the till must handle, provoked by changing the
# till's database behind its back: a gap (the till believes HQ holds more than it does) is
# pushed again from where HQ is; a wrong request secret is a 401 that stops sync until
# re-enrolment; a tampered journal row is a broken chain that stops sync for a person, with
# nothing acknowledged. HQ runs on 127.0.0.1 only.
set -euo pipefail
. "$CP_SOURCE_DIR/tests/integration/sync_lib.sh"
sync_lib_enter sync_protocol

hq_init hq.db
hq_start hq.db hq 0 --cert "$CERTS/server.pem" --key "$CERTS/server.key"
PORT=$HQ_PORT
URL=https://127.0.0.1:$PORT
printf '[sync]\nca_file = %s\nbackoff_base_ms = 200\nbatch_size = 2\n' "$CERTS/ca.pem" >till.ini
C=(--config till.ini --db till.db)
state() { hq_api "$PORT" GET '/_test/state?brief=1'; }
sql() { # SQL: runs it on the till's database (the test tampers; counterpoint never would)
	python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute(sys.argv[2])
c.commit()' till.db "$1"
}

"$CP" --db till.db init --demo >/dev/null
run "${C[@]}" enrol --hq "$URL" --code "$(hq_code hq.db S001 T01)"
check "enrolment works: $err" test "$rc" -eq 0
for i in 1 2 3; do till_sale till.db till.ini >/dev/null; done
run "${C[@]}" sync --once
check "three sales go to HQ in batches of two: $err" test "$rc" -eq 0
# (the demo's first login opened a shift: one row more than the sales)
check "HQ holds 4 rows" jq_ok "$(state)" "j['terminals']['S001-T01']['applied'] == 4"

# ---- a gap: the till believes HQ acknowledged up to 6 while HQ holds 4
for i in 1 2 3 4; do till_sale till.db till.ini >/dev/null; done
sql "UPDATE meta SET value = '6' WHERE key = 'acked_seq'"
st=$(till_status till.db till.ini)
check "the till believes 2 rows wait" jq_ok "$st" 'j["acked_seq"] == 6 and j["queue_depth"] == 2'
run "${C[@]}" sync --once
check "after a 409 gap the till pushes again from HQ's sequence: $err" test "$rc" -eq 0
check "the hq saw the gap" grep -q 'error=gap' hq.log
s=$(state)
check "HQ holds all 8 rows once" \
	jq_ok "$s" "j['terminals']['S001-T01']['applied'] == 8 and j['applied_twice'] is False"
st=$(till_status till.db till.ini)
check "the till is acknowledged up to 8" jq_ok "$st" 'j["acked_seq"] == 8 and j["queue_depth"] == 0'

# ---- a wrong request secret: 401 bad_signature, stopped until re-enrolment
till_sale till.db till.ini >/dev/null
sql "UPDATE meta SET value = '$(printf '%064d' 7)' WHERE key = 'hq_secret'"
run "${C[@]}" sync --once
check "a bad signature: exit 3 (got $rc)" test "$rc" -eq 3
check "... telling to re-enrol: $err" has "$err" 're-enrol.*bad_signature'
st=$(till_status till.db till.ini)
check "... stopped, nothing acknowledged" \
	jq_ok "$st" 'j["stopped"] is True and j["acked_seq"] == 8 and j["queue_depth"] == 1'
check "status shows the reason" bash -c "'$CP' ${C[*]} status | grep -q 'stopped: *YES: re-enrol'"
run "${C[@]}" enrol --hq "$URL" --code "$(hq_code hq.db S001 T01)"
check "re-enrolment: $err" test "$rc" -eq 0
run "${C[@]}" sync --once
check "after re-enrolment the row goes: $err" test "$rc" -eq 0

# ---- a tampered journal row: 422 chain_broken, stopped, nothing acknowledged
till_sale till.db till.ini >/dev/null
till_sale till.db till.ini >/dev/null
st=$(till_status till.db till.ini)
LAST=$(jget "$st" 'j["last_seq"]')
ACKED=$(jget "$st" 'j["acked_seq"]')
sql "UPDATE journal SET payload = replace(payload, '\"total\":', '\"total\":1') WHERE seq = $LAST"
run "${C[@]}" sync --once
check "a tampered row: exit 3 (got $rc)" test "$rc" -eq 3
check "... naming the broken chain and the sequence: $err" \
	has "$err" "sequence $LAST: the hash chain is broken"
st=$(till_status till.db till.ini)
check "... stopped for a person" jq_ok "$st" 'j["stopped"] is True and "verify" in j["stop_reason"]'
check "... the row before it is applied at HQ, the tampered one is not" \
	jq_ok "$(state)" "j['terminals']['S001-T01']['applied'] == $LAST - 1"
check "... and the till acknowledged nothing on the refusal" \
	jq_ok "$st" "j['acked_seq'] == $ACKED and j['queue_depth'] == $LAST - $ACKED"
n1=$(jget "$(state)" 'j["requests"]')
run "${C[@]}" sync --once
check "a stopped till stays stopped: exit 3" test "$rc" -eq 3
check "... without asking HQ" test "$(jget "$(state)" 'j["requests"]')" -eq "$((n1 + 1))"

finish
