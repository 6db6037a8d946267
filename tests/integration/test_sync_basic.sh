#!/usr/bin/env bash
# test_sync_basic.sh — the till and the reference HQ over TLS on 127.0.0.1: enrolment with a
# minted code, sales and registrations pushed by `sync --once` and applied once at HQ with
# matching balances, a second sync that changes nothing, a merge notice for a phone HQ already
# knew, Retry-After obeyed, a stale clock and a forgotten terminal stopping sync (exit 3) until
# a person acts, and one sync daemon per database, stopped by SIGTERM.
set -euo pipefail
. "$CP_SOURCE_DIR/tests/integration/sync_lib.sh"
sync_lib_enter sync_basic

hq_init hq.db
hq_start hq.db hq 0 --cert "$CERTS/server.pem" --key "$CERTS/server.key"
PORT=$HQ_PORT
URL=https://127.0.0.1:$PORT
printf '[sync]\nca_file = %s\ninterval_seconds = 1\nbackoff_base_ms = 200\n' "$CERTS/ca.pem" \
	>till.ini
C=(--config till.ini --db till.db)
state() { hq_api "$PORT" GET /_test/state; }

"$CP" --db till.db init --demo >/dev/null
st=$(till_status till.db till.ini)
check "a new till is not enrolled" jq_ok "$st" 'j["enrolled"] is False'
run "${C[@]}" sync --once
check "sync before enrolment: exit 3 (got $rc)" test "$rc" -eq 3
check "... saying to enrol: $err" has "$err" 'not enrolled.*counterpoint enrol'

# ---- enrolment
run "${C[@]}" enrol --hq "$URL" --code "WRONG-CODE"
check "an unknown code is refused" test "$rc" -ne 0
check "... with HQ's reason: $err" has "$err" 'refused the enrolment code.*bad_code'
CODE=$(hq_code hq.db S001 T01)
run "${C[@]}" enrol --hq "$URL/" --code "$CODE"
check "enrolment with a minted code works: $err" test "$rc" -eq 0
check "... and says so: $out" has "$out" "enrolled with HQ at $URL as terminal S001-T01"
run "${C[@]}" enrol --hq "$URL" --code "$CODE"
check "a used code is refused" test "$rc" -ne 0
st=$(till_status till.db till.ini)
check "the till is enrolled" jq_ok "$st" "j['enrolled'] is True and j['hq'] == '$URL'"

# ---- offline business: a registration of a phone HQ already knows (13800138000 is HQ's
# M000001; the till dropped its demo members at enrolment), a new member, and sales
reg() { # PHONE NAME: registers through `counterpoint script`; prints the answer
	printf '%s\n' '{"cmd":"login","staff":"1001","pin":"1111"}' \
		"{\"cmd\":\"register\",\"phone\":\"$1\",\"name\":\"$2\",\"consent\":true}" >reg.txt
	"$CP" "${C[@]}" script <reg.txt | tail -n 1
}
a=$(reg 13800138000 Dup)
check "the known phone registers offline: $a" jq_ok "$a" 'j["ok"] is True'
a=$(reg 13912345678 New)
check "a new phone registers offline: $a" jq_ok "$a" 'j["ok"] is True'
NEWID=$(jget "$a" 'j["member"]["id"]')
a=$(till_sale till.db till.ini 13912345678)
check "a sale to the new member: $a" jq_ok "$a" 'j["ok"] is True and j["points"] > 0'
a=$(till_sale till.db till.ini 13800138000)
check "a sale to the duplicate: $a" jq_ok "$a" 'j["ok"] is True'
a=$(till_sale till.db till.ini)
check "a sale without a member: $a" jq_ok "$a" 'j["ok"] is True'
st=$(till_status till.db till.ini)
LAST=$(jget "$st" 'j["last_seq"]')
check "five journal rows and the demo's shift wait" jq_ok "$st" 'j["queue_depth"] == 6'

# ---- sync --once: all pushed and pulled
run "${C[@]}" sync --once
check "sync --once exits 0: $err" test "$rc" -eq 0
st=$(till_status till.db till.ini)
check "nothing waits afterwards" jq_ok "$st" "j['queue_depth'] == 0 and j['acked_seq'] == $LAST"
check "the till is online with a last success" \
	jq_ok "$st" 'j["online"] is True and j["last_success"] > 0 and j["stopped"] is False'
check "the merge gave a notice: $st" jq_ok "$st" 'j["notices"] >= 1'
run "${C[@]}" status
check "status prints the notice count: $out" has "$out" 'notices: +[1-9]'
check "status prints the merge: $out" has "$out" 'member_merged'
check "status prints ONLINE: $out" has "$out" 'connection: +ONLINE since'

s1=$(state)
check "HQ applied every row once" jq_ok "$s1" "(j['terminals']['S001-T01']['applied'] == $LAST
	and j['terminals']['S001-T01']['rows'] == $LAST and j['applied_twice'] is False)"
check "HQ holds 3 sales and 2 registrations: $(jget "$s1" 'j["terminals"]')" \
	jq_ok "$s1" "(j['terminals']['S001-T01']['events'].get('sale') == 3 and
	j['terminals']['S001-T01']['events'].get('member_register') == 2)"
check "HQ's balances equal the sum of the movements" jq_ok "$s1" 'j["balances_match"] is True'
check "the duplicate was merged into M000001 at HQ" \
	jq_ok "$s1" "'M000001' in j['local_ids'].values() and '$NEWID' in j['local_ids']"
check "HQ keeps both shoppers' consent to the terms: $(jget "$s1" 'j["consents"]')" \
	jq_ok "$s1" "(len(j['consents']) == 2 and j['consents']['$NEWID']['terms_version'] == '1'
	and j['consents']['$NEWID']['at'] > 0 and
	sorted(c['member'] for c in j['consents'].values())[0] == 'M000001')"

# The till's view of both members equals HQ's after the pull.
bal() { # PHONE: the member as the till shows it
	printf '%s\n' '{"cmd":"login","staff":"1001","pin":"1111"}' \
		"{\"cmd\":\"balance\",\"phone\":\"$1\"}" >bal.txt
	"$CP" "${C[@]}" script <bal.txt | tail -n 1
}
for phone in 13800138000 13912345678; do
	b=$(bal $phone)
	id=$(jget "$b" 'j["member"]["id"]')
	check "the till's $phone ($id) equals HQ's: $b" python3 -c 'import json, sys
b, s = json.loads(sys.argv[1])["member"], json.loads(sys.argv[2])["members"][sys.argv[3]]
sys.exit(0 if (b["points"], b["growth"], b["points_pending"]) == (s["points"], s["growth"], 0)
         else 1)' "$b" "$s1" "$id"
done

# ---- a second sync changes nothing
run "${C[@]}" sync --once
check "a second sync --once exits 0: $err" test "$rc" -eq 0
s2=$(state)
check "... and HQ holds the same" python3 -c 'import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.exit(0 if (a["terminals"], a["members"], a["next_cursor"]) ==
         (b["terminals"], b["members"], b["next_cursor"]) else 1)' "$s1" "$s2"
st2=$(till_status till.db till.ini)
check "... and the till too" python3 -c 'import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
keys = ("queue_depth", "acked_seq", "last_seq", "notices", "stopped")
sys.exit(0 if all(a[k] == b[k] for k in keys) else 1)' "$st" "$st2"

# ---- Retry-After: HQ busy for one request
till_sale till.db till.ini >/dev/null
hq_api "$PORT" POST /_test/faults \
	'[{"path": "/v1/journal", "action": "status", "status": 503, "retry_after": 1, "count": 1}]' \
	>/dev/null
run "${C[@]}" sync --once
check "a 503 is transient: exit 75 (got $rc)" test "$rc" -eq 75
check "... naming HQ's answer: $err" has "$err" '503'
st=$(till_status till.db till.ini)
check "the sale still waits" jq_ok "$st" 'j["queue_depth"] == 1'
check "next try is Retry-After (1 s, with up to backoff_base_ms of jitter) after the failure: $st" \
	jq_ok "$st" '1000 <= j["next_try"] - j["last_error_at"] <= 1200 and j["online"] is False'
run "${C[@]}" sync --once
check "after the fault it goes through: $err" test "$rc" -eq 0

# ---- HQ answering garbage or going away: transient (exit 75), nothing acknowledged until a
# real answer, and a batch HQ applied but could not answer for is not applied twice
printf '[sync]\nca_file = %s\ntimeout_ms = 1000\nbackoff_base_ms = 200\n' "$CERTS/ca.pem" \
	>quick.ini
for fault in close_before close_after truncate malformed content_type hang status; do
	till_sale till.db till.ini >/dev/null
	before=$(till_status till.db till.ini)
	hq_api "$PORT" POST /_test/faults \
		"[{\"path\": \"/v1/journal\", \"action\": \"$fault\", \"status\": 500, \"count\": 1}]" \
		>/dev/null
	run --config quick.ini --db till.db sync --once
	check "fault $fault: exit 75 (got $rc): $err" test "$rc" -eq 75
	st=$(till_status till.db till.ini)
	check "fault $fault: nothing acknowledged" \
		jq_ok "$st" "j['acked_seq'] == $(jget "$before" 'j["acked_seq"]') and j['queue_depth'] >= 1"
	check "fault $fault: next try between the floor and the first ceiling" \
		jq_ok "$st" '200 <= j["next_try"] - j["last_error_at"] <= 400'
	run "${C[@]}" sync --once
	check "fault $fault: the next sync goes through: $err" test "$rc" -eq 0
done
s3=$(state)
check "after the faults HQ applied nothing twice and balances match" \
	jq_ok "$s3" 'j["applied_twice"] is False and j["balances_match"] is True'
check "... and holds every row" \
	jq_ok "$s3" "j['terminals']['S001-T01']['rows'] == $(jget "$(till_status till.db till.ini)" 'j["last_seq"]')"

# ---- 401 stale timestamp: stops until a person acts; re-enrolment clears it
hq_api "$PORT" POST /_test/clock '{"offset_s": 3600}' >/dev/null
till_sale till.db till.ini >/dev/null
run "${C[@]}" sync --once
check "a clock an hour off: exit 3 (got $rc)" test "$rc" -eq 3
check "... telling to fix the clock and re-enrol: $err" has "$err" 're-enrol.*clock'
st=$(till_status till.db till.ini)
check "sync is stopped with the reason" \
	jq_ok "$st" 'j["stopped"] is True and "re-enrol" in j["stop_reason"] and j["queue_depth"] == 1'
hq_api "$PORT" POST /_test/clock '{"offset_s": 0}' >/dev/null
n1=$(jget "$(hq_api "$PORT" GET '/_test/state?brief=1')" 'j["requests"]')
run "${C[@]}" sync --once
check "a stopped till stays stopped: exit 3 (got $rc)" test "$rc" -eq 3
n2=$(jget "$(hq_api "$PORT" GET '/_test/state?brief=1')" 'j["requests"]')
check "... without asking HQ ($n1 then $n2 requests)" test "$n2" -eq "$((n1 + 1))"
run "${C[@]}" enrol --hq "$URL" --code "$(hq_code hq.db S001 T01)"
check "re-enrolment works: $err" test "$rc" -eq 0
run "${C[@]}" sync --once
check "after re-enrolment sync works again: $err" test "$rc" -eq 0
st=$(till_status till.db till.ini)
check "... and the sale is acknowledged" jq_ok "$st" 'j["queue_depth"] == 0 and j["stopped"] is False'

# ---- one daemon per database; SIGTERM stops it promptly
"$CP" "${C[@]}" sync --daemon 2>daemon1.log &
D1=$!
# Wait until the daemon holds the lock: its start is logged after it took it (the lock file
# itself stays from earlier runs, so its presence says nothing).
for i in $(seq 1 100); do
	grep -qs 'sync daemon started' daemon1.log && break
	sleep 0.1
done
run "${C[@]}" sync --daemon
check "a second daemon refuses to start (exit $rc)" test "$rc" -ne 0
check "... saying who runs: $err" has "$err" "another sync daemon is running on this database \(pid $D1"
run "${C[@]}" sync --once
check "sync --once beside the daemon: exit 75 (got $rc)" test "$rc" -eq 75
check "... saying a sync runs: $err" has "$err" 'another sync is running on this database'
till_sale till.db till.ini >/dev/null
ok=0
for i in $(seq 1 150); do
	if jq_ok "$(till_status till.db till.ini)" 'j["queue_depth"] == 0'; then
		ok=1
		break
	fi
	sleep 0.1
done
check "the daemon sends a new sale within its interval" test "$ok" -eq 1
kill -TERM "$D1"
ok=0
for i in $(seq 1 50); do
	if ! kill -0 "$D1" 2>/dev/null; then
		ok=1
		break
	fi
	sleep 0.1
done
check "SIGTERM stops the daemon within 5 s" test "$ok" -eq 1
set +e
wait "$D1"
drc=$?
set -e
check "... with exit 0 (got $drc)" test "$drc" -eq 0
check "the daemon logged its start and stop" \
	bash -c "grep -q 'sync daemon started' daemon1.log && grep -q 'sync daemon stopped' daemon1.log"
"$CP" "${C[@]}" sync --daemon 2>daemon2.log &
D2=$!
sleep 0.5
check "a new daemon starts once the first is gone" kill -0 "$D2"
kill -INT "$D2"
set +e
wait "$D2"
drc=$?
set -e
check "SIGINT stops it too (exit $drc)" test "$drc" -eq 0

# ---- HQ forgets the terminal: 401 unknown_terminal, exit 3, stopped
python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("DELETE FROM terminals WHERE uid = ?", ("S001-T01",))
c.commit()' hq.db
till_sale till.db till.ini >/dev/null
run "${C[@]}" sync --once
check "a terminal HQ forgot: exit 3 (got $rc)" test "$rc" -eq 3
check "... telling to re-enrol: $err" has "$err" 're-enrol.*unknown_terminal'
st=$(till_status till.db till.ini)
check "... stopped, the sale not acknowledged" \
	jq_ok "$st" 'j["stopped"] is True and j["queue_depth"] == 1'
check "no secret in the output" bash -c "! grep -qiE '[0-9a-f]{64}' out.txt err.txt daemon1.log"

finish
