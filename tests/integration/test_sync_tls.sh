#!/usr/bin/env bash
# test_sync_tls.sh — every TLS failure between the till and the reference HQ is refused with a
# message naming its cause, and nothing is acknowledged: a certificate from another CA, an
# expired one, one for another host, a public-key pin that does not match, plain http without
# the development allowance. A backup pin and plain http to 127.0.0.1 with the allowance work.
# HQ runs on 127.0.0.1 only; no other address is ever contacted.
set -euo pipefail
. "$CP_SOURCE_DIR/tests/integration/sync_lib.sh"
sync_lib_enter sync_tls

hq_init hq.db
hq_start hq.db hq 0 --cert "$CERTS/server.pem" --key "$CERTS/server.key"
PORT=$HQ_PORT
URL=https://127.0.0.1:$PORT

cfg() { # FILE KEY=VALUE...: a configuration with these [sync] keys
	local f=$1
	shift
	printf '[sync]\n' >"$f"
	printf '%s\n' "$@" >>"$f"
}
cfg good.ini "ca_file = $CERTS/ca.pem"
cfg otherca.ini "ca_file = $CERTS/other-ca.pem"
cfg pin-bad.ini "ca_file = $CERTS/ca.pem" "pin = $(cat "$CERTS/other.pin")"
cfg pin-backup.ini "ca_file = $CERTS/ca.pem" "pin = $(cat "$CERTS/other.pin");$(cat "$CERTS/server.pin")"
cfg plain-off.ini "allow_plain_http = false"
cfg plain-on.ini "allow_plain_http = true"

"$CP" --db till.db init --demo >/dev/null

# ---- enrolment refuses a server it cannot trust, and stores nothing
CODE=$(hq_code hq.db S001 T01)
run --db till.db enrol --hq "$URL" --code "$CODE" --ca "$CERTS/other-ca.pem"
check "enrol with the wrong CA fails" test "$rc" -ne 0
check "enrol with the wrong CA names the cause: $err" has "$err" 'certificate not trusted'
check "the code is not printed" bash -c "! grep -qF -- '$CODE' out.txt err.txt"
st=$(till_status till.db good.ini)
check "a refused enrolment stores nothing" jq_ok "$st" 'j["enrolled"] is False'

run --db till.db enrol --hq "${URL/https/http}" --code "$(hq_code hq.db S001 T01)"
check "enrol over plain http without the allowance fails" test "$rc" -ne 0
check "... naming plain http: $err" has "$err" 'plain http'

# ---- enrol properly, then sell so that there is something to push
run --config good.ini --db till.db enrol --hq "$URL" --code "$(hq_code hq.db S001 T01)"
check "enrolment with the test CA works: $err" test "$rc" -eq 0
run --config good.ini --db till.db sync --once
check "the first sync pulls HQ's data: $err" test "$rc" -eq 0
till_sale till.db good.ini >/dev/null
till_sale till.db good.ini 13800138000 >/dev/null
before=$(till_status till.db good.ini)
check "two sales (and the demo's shift) wait for HQ" jq_ok "$before" 'j["queue_depth"] == 3'
DEPTH=$(jget "$before" 'j["queue_depth"]')
ACKED=$(jget "$before" 'j["acked_seq"]')

# refused CONFIG CAUSE-REGEX DESCRIPTION: sync --once exits 3 naming the cause; nothing acked;
# status agrees: stopped for configuration, checked again later or by the next sync --once.
refused() {
	local st
	run --config "$1" --db till.db sync --once
	check "$3: exit 3 (got $rc)" test "$rc" -eq 3
	check "$3: the message names the cause: $err" has "$err" "$2"
	st=$(till_status till.db "$1")
	check "$3: nothing is acknowledged" \
		jq_ok "$st" "j['queue_depth'] == $DEPTH and j['acked_seq'] == $ACKED"
	check "$3: status keeps the error" jq_ok "$st" "j['online'] is False and j['last_error']"
	check "$3: stopped for configuration, as the exit status says" \
		jq_ok "$st" 'j["stopped"] is True and j["stop_kind"] == "config" and j["next_try"] > j["now"]'
	check "$3: the stop names the cause" jq_ok "$st" "__import__('re').search(r'$2', j['stop_reason'])"
}

# restart CERT KEY: HQ again on the same port with another certificate.
restart() {
	hq_stop "$HQ_PID"
	hq_start hq.db hq "$PORT" --cert "$1" --key "$2"
}

# ---- the till trusts another CA than the one that signed HQ's certificate
refused otherca.ini 'certificate not trusted' "a CA that did not sign HQ's certificate"

# ---- HQ presents a certificate from another CA
restart "$CERTS/other.pem" "$CERTS/other.key"
refused good.ini 'certificate not trusted' "HQ's certificate from another CA"

# ---- an expired certificate
restart "$CERTS/expired.pem" "$CERTS/expired.key"
refused good.ini 'expired' "an expired certificate"

# ---- a certificate for another host name
restart "$CERTS/wronghost.pem" "$CERTS/wronghost.key"
refused good.ini 'wrong host name' "a certificate for another host"

# ---- the right certificate, but a pin of another key
restart "$CERTS/server.pem" "$CERTS/server.key"
refused pin-bad.ini 'pin mismatch' "a pin that does not match"

# ---- a backup pin beside a wrong one is enough; then everything is acknowledged
run --config pin-backup.ini --db till.db sync --once
check "the backup pin is accepted: $err" test "$rc" -eq 0
st=$(till_status till.db good.ini)
check "after a good sync nothing waits" jq_ok "$st" 'j["queue_depth"] == 0 and j["online"] is True'
check "... and the stop for configuration is cleared" \
	jq_ok "$st" 'j["stopped"] is False and j["stop_kind"] == "" and j["stop_reason"] == ""'
state=$(hq_api "$PORT" GET '/_test/state?brief=1')
check "HQ holds exactly the till's rows" \
	jq_ok "$state" "j['terminals']['S001-T01']['applied'] == $(jget "$before" 'j["last_seq"]')"
check "HQ applied nothing twice" jq_ok "$state" 'j["applied_twice"] is False'

# ---- plain http: refused without the allowance, works to 127.0.0.1 with it
hq_start hq.db plain 0 --plain
PLAIN=http://127.0.0.1:$HQ_PORT
printf '[store]\nterminal = T02\n' >t02.ini
"$CP" --config t02.ini --db plain.db init --demo >/dev/null
run --config plain-off.ini --db plain.db enrol --hq "$PLAIN" --code "$(hq_code hq.db S001 T02)"
check "plain http enrolment without the allowance is refused" test "$rc" -ne 0
check "... naming plain http and the setting: $err" has "$err" 'plain http.*allow_plain_http'
run --config plain-on.ini --db plain.db enrol --hq "$PLAIN" --code "$(hq_code hq.db S001 T02)"
check "plain http enrolment to 127.0.0.1 with the allowance works: $err" test "$rc" -eq 0
run --config plain-on.ini --db plain.db sync --once
check "plain http sync to 127.0.0.1 with the allowance works: $err" test "$rc" -eq 0
till_sale plain.db plain-on.ini >/dev/null
pst=$(till_status plain.db plain-on.ini)
check "a sale (and the demo's shift) waits" jq_ok "$pst" 'j["queue_depth"] == 2'
run --config plain-off.ini --db plain.db sync --once
check "plain http sync without the allowance: exit 3 (got $rc)" test "$rc" -eq 3
check "... naming plain http: $err" has "$err" 'plain http'
pst2=$(till_status plain.db plain-off.ini)
check "... and nothing is acknowledged" \
	jq_ok "$pst2" "j['queue_depth'] == 2 and j['acked_seq'] == $(jget "$pst" 'j["acked_seq"]')"
check "... and status agrees: stopped for configuration" \
	jq_ok "$pst2" 'j["stopped"] is True and j["stop_kind"] == "config" and "plain http" in j["stop_reason"]'
run --config plain-on.ini --db plain.db sync --once
check "with the allowance again it is sent: $err" test "$rc" -eq 0
check "... and the stop is cleared" jq_ok "$(till_status plain.db plain-on.ini)" 'j["stopped"] is False'

# ---- nothing secret in what the till printed
check "no secret in the output" bash -c "! grep -qiE 'secret\"|[0-9a-f]{64}' out.txt err.txt"

finish
