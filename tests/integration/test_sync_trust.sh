#!/usr/bin/env bash
# test_sync_trust.sh — what the till believes of HQ (issue 8, items 5 to 7), with the reference
# HQ's fault answers over TLS on 127.0.0.1:
# - an acknowledgement past the rows a push sent, below them, negative, not an integer or
#   missing is a protocol error: nothing acknowledged, exit 75, the rows are sent again later;
#   one past the journal's newest row stops sync until re-enrolment, and status says so;
# - a 503 with a Retry-After of 0, a date in the past or garbage never makes the till retry
#   before backoff_base_ms; a huge one waits the cap, and the message says the wait used;
# - a certificate for another host name stops sync for configuration (exit 3 and "stopped:
#   YES" agree), the daemon then does not contact HQ until a check is due or the CA file
#   changes; a name that does not resolve is transient (exit 75) and status agrees.
# No check depends on how fast the machine is: the till records its next try exactly the wait
# after the last error's time, and pushes are counted in HQ's log over bounded runs.
set -euo pipefail
. "$CP_SOURCE_DIR/tests/integration/sync_lib.sh"
sync_lib_enter sync_trust

hq_init hq.db
hq_start hq.db hq 0 --cert "$CERTS/server.pem" --key "$CERTS/server.key"
PORT=$HQ_PORT
URL=https://127.0.0.1:$PORT
cp "$CERTS/ca.pem" till-ca.pem
printf '[sync]\nca_file = %s\nbatch_size = 2\nbackoff_base_ms = 1000\nbackoff_cap_ms = 60000\n' \
	"$PWD/till-ca.pem" >till.ini
C=(--config till.ini --db till.db)
state() { hq_api "$PORT" GET '/_test/state?brief=1'; }
faults() { hq_api "$PORT" POST /_test/faults "$1" >/dev/null; }
applied_at_hq() { jget "$(state)" "j['terminals']['S001-T01']['applied']"; }
sql() { # SQL: runs it on the till's database (the test tampers; counterpoint never would)
	python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute(sys.argv[2])
c.commit()' till.db "$1"
}
# wait_between LO HI: the till's recorded wait (next try after the last error) is in [LO, HI] ms.
wait_between() {
	jq_ok "$(till_status till.db till.ini)" "$1 <= j['next_try'] - j['last_error_at'] <= $2"
}
# pushes: POST /v1/journal requests HQ has logged so far.
pushes() { grep -c 'POST /v1/journal' hq.log || true; }

"$CP" --db till.db init --demo >/dev/null
run "${C[@]}" enrol --hq "$URL" --code "$(hq_code hq.db S001 T01)"
check "enrolment works: $err" test "$rc" -eq 0
run "${C[@]}" sync --once
check "the first sync pulls HQ's data: $err" test "$rc" -eq 0

# ==== item 5: an acknowledgement past what was sent
for i in 1 2 3 4 5; do till_sale till.db till.ini >/dev/null; done
faults '[{"path": "/v1/journal", "action": "ack", "applied": 4, "count": 1}]'
run "${C[@]}" sync --once
check "applied 4 to a push of rows 1-2: exit 75, try again (got $rc)" test "$rc" -eq 75
check "... a named protocol error: $err" \
	has "$err" 'protocol error: HQ acknowledged journal row 4 but this push sent rows 1 to 2'
check "... saying the rows go again: $err" has "$err" 'nothing was acknowledged, the rows are sent again'
st=$(till_status till.db till.ini)
check "... nothing acknowledged: $st" \
	jq_ok "$st" 'j["acked_seq"] == 0 and j["queue_depth"] == 6 and j["stopped"] is False'
check "... HQ did answer 4" grep -q 'answered_applied=4' hq.log
run "${C[@]}" sync --once
check "the next sync sends everything: $err" test "$rc" -eq 0
s=$(state)
check "HQ holds all 6 rows (the demo's shift and 5 sales), each applied once: $s" \
	jq_ok "$s" "j['terminals']['S001-T01']['applied'] == 6 and j['terminals']['S001-T01']['rows'] == 6 and j['applied_twice'] is False"
check "the till is acknowledged up to 6" jq_ok "$(till_status till.db till.ini)" \
	'j["acked_seq"] == 6 and j["queue_depth"] == 0'

# Every other impossible "applied" is refused the same way: exit 75, nothing acknowledged, the
# rows sent again. Rows 7 and 8 are one push of two rows; rows 9 and 10 come after them.
bad_answer() { # FAULT-FIELDS DESCRIPTION MESSAGE-REGEX
	local before
	till_sale till.db till.ini >/dev/null
	till_sale till.db till.ini >/dev/null
	before=$(till_status till.db till.ini)
	faults "[{\"path\": \"/v1/journal\", \"action\": \"ack\", $1, \"count\": 1}]"
	run "${C[@]}" sync --once
	check "$2: exit 75 (got $rc)" test "$rc" -eq 75
	check "$2: named: $err" has "$err" "$3"
	check "$2: nothing acknowledged" jq_ok "$(till_status till.db till.ini)" \
		"j['acked_seq'] == $(jget "$before" 'j["acked_seq"]') and j['stopped'] is False"
	run "${C[@]}" sync --once
	check "$2: then everything goes: $err" test "$rc" -eq 0
	check "$2: HQ holds every row" test "$(applied_at_hq)" -eq \
		"$(jget "$(till_status till.db till.ini)" 'j["last_seq"]')"
}
bad_answer '"offset": -3' "applied below the rows sent and below what was acknowledged" \
	'protocol error: HQ acknowledged journal rows only up to [0-9]+ although this push began'
bad_answer '"applied": -1' "a negative applied" 'applied is out of range'
bad_answer '"applied": "9"' "applied as text" 'applied is missing or not an integer'
bad_answer '"applied": 9.0' "a fractional applied" 'applied is missing or not an integer'
bad_answer '"applied": null' "a null applied" 'applied is missing or not an integer'
bad_answer '"omit": true' "no applied" 'applied is missing or not an integer'
check "HQ never applied a row twice" jq_ok "$(state)" 'j["applied_twice"] is False'

# ==== item 7: an impossible acknowledgement (past the journal) stops sync, and status agrees
till_sale till.db till.ini >/dev/null
faults '[{"path": "/v1/journal", "action": "ack", "applied": 99, "count": 1}]'
run "${C[@]}" sync --once
check "applied 99 with fewer rows written: exit 3 (got $rc)" test "$rc" -eq 3
check "... naming it and what to do: $err" \
	has "$err" 'HQ says it holds journal row 99 but this till has written only [0-9]+.*call IT'
st=$(till_status till.db till.ini)
check "... status agrees: stopped until re-enrolment: $st" \
	jq_ok "$st" 'j["stopped"] is True and j["stop_kind"] == "enrol" and "row 99" in j["stop_reason"] and j["next_try"] == 0'
check "... and nothing acknowledged" jq_ok "$st" 'j["queue_depth"] == 1'
"$CP" "${C[@]}" status >status.txt
check "the text status says stopped: YES" grep -q '^stopped: *YES: HQ says it holds journal row 99' status.txt
check "... and no next try until a person acts" grep -q '^next try: *none until a person acts' status.txt
n=$(pushes)
run "${C[@]}" sync --once
check "a stopped till stays stopped: exit 3 (got $rc)" test "$rc" -eq 3
check "... without contacting HQ" test "$(pushes)" -eq "$n"
run "${C[@]}" enrol --hq "$URL" --code "$(hq_code hq.db S001 T01)"
check "re-enrolment clears the stop: $err" test "$rc" -eq 0
run "${C[@]}" sync --once
check "... and the row goes: $err" test "$rc" -eq 0
check "... once" jq_ok "$(state)" 'j["applied_twice"] is False'

# ==== item 6: a retry floor whatever Retry-After says, the cap, and the wait reported
till_sale till.db till.ini >/dev/null
busy() { faults "[{\"path\": \"/v1/journal\", \"action\": \"status\", \"status\": 503, \"retry_after\": $1, \"count\": 1}]"; }
busy 0
run "${C[@]}" sync --once
check "Retry-After 0: exit 75 (got $rc)" test "$rc" -eq 75
check "... waits at least backoff_base_ms (1 s) with jitter" wait_between 1000 2000
check "... and says so: $err" has "$err" 'next try in (1\.[0-9]|2\.0) s \(HQ asked for 0\.0 s; backoff_base_ms is the least\)'
busy '"Wed, 21 Oct 2015 07:28:00 GMT"'
run "${C[@]}" sync --once
check "Retry-After a date in the past: exit 75 (got $rc)" test "$rc" -eq 75
check "... waits at least 1 s" wait_between 1000 2000
busy '"soon, maybe"'
run "${C[@]}" sync --once
check "Retry-After garbage: exit 75 (got $rc)" test "$rc" -eq 75
check "... waits at least 1 s" wait_between 1000 2000
busy 999999999
run "${C[@]}" sync --once
check "Retry-After 999999999: exit 75 (got $rc)" test "$rc" -eq 75
check "... waits the 60 s cap, not more" wait_between 60000 60000
check "... and says the wait used: $err" \
	has "$err" 'next try in 60\.0 s \(HQ asked for 999999999\.0 s; backoff_cap_ms is the most\)'
# (the text counts down from the recorded next try: at most the 60 s cap, whenever it is read)
check "status shows that wait, not a year" \
	bash -c "'$CP' ${C[*]} status | grep -qE '^next try: .*\\(in ([1-5]?[0-9]|60) s\\)'"
busy 5
run "${C[@]}" sync --once
check "Retry-After 5: honoured with up to 1 s of jitter" wait_between 5000 6000

# The daemon against an HQ that always answers 503 with a date in the past: with a floor of
# 60 s it pushes once, records a wait of at least 60 s, and does not come back while the test
# reads its state (the code as found pushed dozens of times a second here).
printf '[sync]\nca_file = %s\ninterval_seconds = 1\nbackoff_base_ms = 60000\nbackoff_cap_ms = 120000\n' \
	"$PWD/till-ca.pem" >slow.ini
faults '[{"path": "/v1/journal", "action": "status", "status": 503, "retry_after": "Wed, 21 Oct 2015 07:28:00 GMT"}]'
before=$(pushes)
t0=$(jget "$(till_status till.db till.ini)" 'j["last_error_at"]')
"$CP" --config slow.ini --db till.db sync --daemon 2>daemon.log &
DAEMON=$!
for i in $(seq 1 300); do
	if jq_ok "$(till_status till.db till.ini)" "j['last_error_at'] > $t0"; then break; fi
	sleep 0.1
done
for i in $(seq 1 20); do # the bounded run: 20 more reads of the state
	till_status till.db till.ini >/dev/null
	sleep 0.1
done
kill "$DAEMON"
wait "$DAEMON" || true
check "the daemon recorded the 503" jq_ok "$(till_status till.db till.ini)" '"503" in j["last_error"]'
check "... and a wait of at least the 60 s floor" \
	jq_ok "$(till_status till.db slow.ini)" '60000 <= j["next_try"] - j["last_error_at"] <= 120000'
check "... HQ saw exactly one push (saw $(($(pushes) - before)))" test "$(($(pushes) - before))" -eq 1
check "... the log says the wait: $(head -c 600 daemon.log)" \
	grep -qE 'next try in ([6-9][0-9]|1[01][0-9]|120)\.[0-9] s' daemon.log
faults '[]'
run "${C[@]}" sync --once
check "once HQ is well, the rows go: $err" test "$rc" -eq 0

# ==== item 7: a certificate for another host name stops sync for configuration
hq_stop "$HQ_PID"
hq_start hq.db hq "$PORT" --cert "$CERTS/wronghost.pem" --key "$CERTS/wronghost.key"
till_sale till.db till.ini >/dev/null
run "${C[@]}" sync --once
check "a certificate for another host: exit 3 (got $rc)" test "$rc" -eq 3
check "... named: $err" has "$err" 'wrong host name'
st=$(till_status till.db till.ini)
check "... status agrees: stopped for configuration, checked again later: $st" \
	jq_ok "$st" 'j["stopped"] is True and j["stop_kind"] == "config" and "wrong host name" in j["stop_reason"] and j["next_try"] - j["last_error_at"] >= 900000'
"$CP" "${C[@]}" status >status.txt
check "the text status says stopped: YES and not 'next try in 1 s'" \
	bash -c "grep -q '^stopped: *YES: wrong host name' status.txt && grep -qE '^next try: .*\(in [0-9]+ s\), or at once' status.txt"

# The daemon does not spin: it contacts HQ once at its start (a restart re-checks), then only
# reads the recorded state, until the CA file changes. HQ counts the connections it accepted
# (asked without the host name check this certificate fails; each asking is one more).
connections() {
	python3 - "$CERTS/ca.pem" "$PORT" <<'EOF'
import json, ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[1])
ctx.check_hostname = False
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                     urllib.request.HTTPSHandler(context=ctx))
url = "https://127.0.0.1:%s/_test/state?brief=1" % sys.argv[2]
print(json.loads(opener.open(url, timeout=30).read().decode())["connections"])
EOF
}
c0=$(connections)
t0=$(jget "$(till_status till.db till.ini)" 'j["last_error_at"]')
printf '[sync]\nca_file = %s\ninterval_seconds = 1\n' "$PWD/till-ca.pem" >daemon.ini
"$CP" --config daemon.ini --db till.db sync --daemon 2>daemon2.log &
DAEMON=$!
for i in $(seq 1 300); do
	if jq_ok "$(till_status till.db till.ini)" "j['last_error_at'] > $t0"; then break; fi
	sleep 0.1
done
t1=$(jget "$(till_status till.db till.ini)" 'j["last_error_at"]')
check "the daemon checked at its start" test "$t1" -gt "$t0"
for i in $(seq 1 30); do # the bounded run: 3 s of 1 s rounds
	till_status till.db till.ini >/dev/null
	sleep 0.1
done
check "... then did not contact HQ again (last error unchanged)" \
	jq_ok "$(till_status till.db till.ini)" "j['last_error_at'] == $t1 and j['stopped'] is True"
c1=$(connections)
check "... HQ saw one connection from it in all (saw $((c1 - c0 - 1)))" test "$((c1 - c0 - 1))" -eq 1
touch -d '+1 minute' till-ca.pem
for i in $(seq 1 300); do
	if jq_ok "$(till_status till.db till.ini)" "j['last_error_at'] > $t1"; then break; fi
	sleep 0.1
done
check "a changed CA file is checked at once" \
	jq_ok "$(till_status till.db till.ini)" "j['last_error_at'] > $t1 and j['stop_kind'] == 'config'"
kill "$DAEMON"
wait "$DAEMON" || true
check "the daemon logged the stop: $(head -c 600 daemon2.log)" grep -q 'wrong host name' daemon2.log

hq_stop "$HQ_PID"
hq_start hq.db hq "$PORT" --cert "$CERTS/server.pem" --key "$CERTS/server.key"
run "${C[@]}" sync --once
check "with HQ's right certificate sync --once goes through: $err" test "$rc" -eq 0
check "... and the stop is cleared" jq_ok "$(till_status till.db till.ini)" \
	'j["stopped"] is False and j["online"] is True and j["queue_depth"] == 0'

# ==== a name that resolves to nothing (.invalid, RFC 6761) is transient, and status agrees
till_sale till.db till.ini >/dev/null
sql "UPDATE meta SET value = 'https://hq.invalid:$PORT' WHERE key = 'hq_url'"
run "${C[@]}" sync --once
check "an address that does not resolve: exit 75 (got $rc)" test "$rc" -eq 75
check "... saying HQ cannot be reached: $err" has "$err" 'HQ cannot be reached at https://hq.invalid'
st=$(till_status till.db till.ini)
check "... status agrees: not stopped, next try after the backoff floor: $st" \
	jq_ok "$st" 'j["stopped"] is False and 1000 <= j["next_try"] - j["last_error_at"] <= 2000'

check "no secret in the output" bash -c "! grep -qiE 'secret\"|[0-9a-f]{64}' out.txt err.txt daemon.log daemon2.log"
finish
