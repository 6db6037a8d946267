#!/usr/bin/env bash
# test_sync_pull_cost.sh — what pulling members costs the till's disk (issue 14), counted, not
# timed: a fresh till pulls 20,000 members (+ the demo's 1,000) from the reference HQ over TLS
# on 127.0.0.1 in pages of 500 with one `sync --once`, with the walcount shim preloaded. The
# pages are applied in groups (sync/PROTOCOL.md "Pages applied together"): at most 1 KB of WAL
# per member pulled (a transaction a page wrote 2.1 KB: most of the phone-hash index again for
# every page), no byte to a temporary file (a member's upsert runs triggers, and its statement
# journal went to a temporary file), and a flush per group, not per page. The members are all
# there and found by phone, verify passes, and a second round adds nothing.
set -euo pipefail
. "$CP_SOURCE_DIR/tests/integration/sync_lib.sh"
: "${CP_WALCOUNT_LIB:?CP_WALCOUNT_LIB must name the walcount shim}"
sync_lib_enter sync_pull_cost

N=20000
python3 "$HQ_PY" init --db hq.db --store-json "$STORE" --extra-members "$N" >/dev/null \
	2>hq-init.log
hq_start hq.db hq 0 --cert "$CERTS/server.pem" --key "$CERTS/server.key"
URL=https://127.0.0.1:$HQ_PORT
printf '[sync]\nca_file = %s\npull_limit = 500\n' "$CERTS/ca.pem" >till.ini
C=(--config till.ini --db till.db)
"$CP" --db till.db init --demo >/dev/null
run "${C[@]}" enrol --hq "$URL" --code "$(hq_code hq.db S001 T01)"
check "enrolment: $err" test "$rc" -eq 0

# Under a sanitizer its runtime must come first among the preloaded libraries.
PRELOAD=$CP_WALCOUNT_LIB
asan=$(ldd "$CP" | awk '/lib[at]san/ { print $3; exit }')
[ -z "$asan" ] || PRELOAD="$asan $CP_WALCOUNT_LIB"
# wal_field NAME: a count from the shim's line (the till's process; the first line).
wal_field() { sed -n '1s/.*\b'"$1"'=\([0-9]*\).*/\1/p' counts.txt; }
rm -f counts.txt
set +e
CP_WALCOUNT_OUT=$PWD/counts.txt LD_PRELOAD=$PRELOAD "$CP" "${C[@]}" sync --once \
	>out.txt 2>err.txt
rc=$?
set -e
check "the pull succeeds: $(cat err.txt)" test "$rc" -eq 0
check "the shim counted: $(cat counts.txt 2>/dev/null)" test -s counts.txt
held=$(sqlite3 till.db "SELECT count(*) FROM member")
check "every member is here ($held)" test "$held" -eq $((N + 1000))
wal=$(wal_field wal_bytes)
temp=$(wal_field temp_bytes)
flushes=$(wal_field flushes)
per=$((wal / N))
echo "pull of $N members in pages of 500: $wal WAL bytes ($per per member), $temp bytes to" \
	"temporary files, $flushes flushes"
check "at most 1 KB of WAL per member pulled ($per bytes)" test "$per" -le 1024
check "nothing written to temporary files ($temp bytes)" test "$temp" -eq 0
# 43 pages: a flush per group of 16 and the round's own records; a flush a page was 43 and more.
check "a flush per group of pages, not per page ($flushes)" test "$flushes" -le 16

# The members are found by phone: a sale with the last one pulled attached.
pay=$(till_sale till.db till.ini "147$(printf '%08d' $((1000 + N)))")
seq=$(jget "$pay" "j['seq']")
check "a pulled member is found by phone: $pay" test \
	"$(sqlite3 till.db "SELECT member_id FROM sale WHERE seq = $seq")" = \
	"M$(printf '%06d' $((1000 + N)))"
run "${C[@]}" verify
check "verify passes after the pull: $out $err" test "$rc" -eq 0
run "${C[@]}" sync --once
check "a second round (the sale's push and its member back) succeeds: $err" test "$rc" -eq 0
check "... and adds no member" test "$(sqlite3 till.db "SELECT count(*) FROM member")" -eq "$held"
finish
