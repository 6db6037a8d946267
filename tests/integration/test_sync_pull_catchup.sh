#!/usr/bin/env bash
# test_sync_pull_catchup.sh — a pull far behind catches up (issue 14; sync/PROTOCOL.md "Pages
# applied together"), counted, not timed: a fresh till pulls 20,000 members (+ the demo's
# 1,000) from the reference HQ over TLS on 127.0.0.1 in pages of 50, with the walcount shim.
# Groups of 16 pages (800 members) in a transaction each wrote the member indexes again for
# every group (about 950 B of WAL a member here, and it grows with the member count); catching
# up, the groups share a transaction of up to 200 pages, so the indexes are written about
# once per 10,000 members. Then the same pull is killed midway and run again:
# what was committed stands, the rest comes in once, nothing is counted twice (a few changes
# of a kind the till does not know are counted in sync_state), and verify passes.
set -euo pipefail
. "$CP_SOURCE_DIR/tests/integration/sync_lib.sh"
: "${CP_WALCOUNT_LIB:?CP_WALCOUNT_LIB must name the walcount shim}"
sync_lib_enter sync_pull_catchup

N=20000
UNKNOWN=20
python3 "$HQ_PY" init --db hq.db --store-json "$STORE" --extra-members "$N" >/dev/null \
	2>hq-init.log
# Some members' changes become a kind this till does not know, spread over the feed.
python3 - hq.db "$UNKNOWN" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ids = [r[0] for r in db.execute("SELECT id FROM changes WHERE kind = 'member'"
                                " AND key > 'M001000' ORDER BY id")]
step = len(ids) // int(sys.argv[2])
db.executemany("UPDATE changes SET kind = 'gadget' WHERE id = ?",
               [(ids[i * step + step // 2],) for i in range(int(sys.argv[2]))])
db.commit()
EOF
WANT=$((N + 1000 - UNKNOWN))
hq_start hq.db hq 0 --cert "$CERTS/server.pem" --key "$CERTS/server.key"
URL=https://127.0.0.1:$HQ_PORT

# Under a sanitizer its runtime must come first among the preloaded libraries.
asan=$(ldd "$CP" | awk '/lib[at]san/ { print $3; exit }')
preload() { if [ -n "$asan" ]; then echo "$asan $1"; else echo "$1"; fi; }

newtill() { # NAME TERMINAL: a demo till enrolled as S001-TERMINAL (pages of 50)
	printf '[store]\nid = S001\nterminal = %s\n[sync]\nca_file = %s\npull_limit = 50\n' \
		"$2" "$CERTS/ca.pem" >"$1.ini"
	"$CP" --config "$1.ini" --db "$1.db" init --demo >/dev/null
	run --config "$1.ini" --db "$1.db" enrol --hq "$URL" --code "$(hq_code hq.db S001 "$2")"
	check "enrolment of $1: $err" test "$rc" -eq 0
}
members() { sqlite3 "$1.db" "SELECT count(*) FROM member"; }
unknown() { sqlite3 "$1.db" "SELECT unknown_changes FROM sync_state"; }

# ---- the whole pull: WAL and flushes
newtill a T01
rm -f counts.txt
set +e
CP_WALCOUNT_OUT=$PWD/counts.txt LD_PRELOAD=$(preload "$CP_WALCOUNT_LIB") \
	"$CP" --config a.ini --db a.db sync --once >out.txt 2>err.txt
rc=$?
set -e
check "the pull succeeds: $(cat err.txt)" test "$rc" -eq 0
wal=$(sed -n '1s/.*\bwal_bytes=\([0-9]*\).*/\1/p' counts.txt)
flushes=$(sed -n '1s/.*\bflushes=\([0-9]*\).*/\1/p' counts.txt)
per=$((wal / N))
echo "catch-up pull of $N members in pages of 50: $wal WAL bytes ($per a member), $flushes flushes"
check "every member is here ($(members a))" test "$(members a)" -eq "$WANT"
check "the unknown changes are counted once ($(unknown a))" test "$(unknown a)" -eq "$UNKNOWN"
# 400 pages: a transaction a group of 16 wrote ~950 B a member and flushed 25 times and more.
check "at most 600 B of WAL a member when catching up ($per)" test "$per" -le 600
check "a flush per ~200 pages, not per 16 ($flushes)" test "$flushes" -le 16

# ---- the same pull killed midway, then run again. The first catch-up transaction ends after
# 13 groups of 16 pages (208 >= 200) or sooner; HQ hangs on the 301st page, with the next one
# open, and the till is killed there (SIGKILL, as a power cut or the OOM killer ends it).
newtill b T02
since=$(sqlite3 hq.db "SELECT id FROM changes WHERE target IS NULL OR target = 'S001-T02'
	ORDER BY id LIMIT 1 OFFSET $((300 * 50 - 1))")
hq_api "$HQ_PORT" POST /_test/faults \
	"[{\"path\": \"/v1/changes?since=$since&\", \"action\": \"hang\", \"count\": 1}]" \
	>/dev/null
"$CP" --config b.ini --db b.db sync --once >/dev/null 2>&1 &
till_pid=$!
for _ in $(seq 1 600); do
	fired=$(hq_api "$HQ_PORT" GET "/_test/state?brief=1" | python3 -c 'import json, sys
print(sum(r["fired"] for r in json.load(sys.stdin)["faults"]))')
	[ "$fired" -eq 0 ] || break
	kill -0 "$till_pid" 2>/dev/null || break
	sleep 0.5
done
check "HQ hangs on the 301st page ($fired)" test "$fired" -eq 1
kill -KILL "$till_pid" 2>/dev/null || true
set +e
wait "$till_pid"
rc=$?
set -e
check "the pull was killed ($rc)" test "$rc" -eq 137
hq_api "$HQ_PORT" POST /_test/faults "[]" >/dev/null
held=$(members b)
echo "killed while the 301st page hung: $held members held"
check "what the killed pull committed stands ($held)" test "$held" -gt 1000
check "... and it had not finished ($held)" test "$held" -lt "$WANT"
cursor=$(sqlite3 b.db "SELECT value FROM meta WHERE key = 'hq_cursor'")
# Where the killed pull's commits ended: at the end of a page, before the hung one's group
# (the catch-up bounds its transaction by 200 pages, and by 20 s: a slow machine commits sooner).
rank=$(sqlite3 hq.db "SELECT count(*) FROM changes WHERE (target IS NULL OR target = 'S001-T02')
	AND id <= $cursor")
check "the killed pull committed whole pages, none of the hung group ($rank changes)" \
	test "$((rank % 50))" -eq 0 -a "$rank" -le $((288 * 50))
fed=$(sqlite3 hq.db "SELECT count(*) FROM changes WHERE kind = 'member' AND key > 'M001000'
	AND id <= $cursor")
gadgets=$(sqlite3 hq.db "SELECT count(*) FROM changes WHERE kind = 'gadget' AND id <= $cursor")
pulled=$(sqlite3 b.db "SELECT count(*) FROM member WHERE id > 'M001000'")
check "the cursor ($cursor) and the rows agree: $fed members fed, $pulled held" \
	test "$fed" -eq "$pulled"
check "... $gadgets unknown changes fed, $(unknown b) counted" test "$(unknown b)" -eq "$gadgets"
run --config b.ini --db b.db sync --once
check "the pull resumes: $err" test "$rc" -eq 0
check "every member is here after the resumed pull ($(members b))" test "$(members b)" -eq "$WANT"
check "nothing is counted twice ($(unknown b) unknown changes)" test "$(unknown b)" -eq "$UNKNOWN"
run --config b.ini --db b.db verify
check "verify passes after the resumed pull: $out $err" test "$rc" -eq 0
run --config b.ini --db b.db sync --once
check "a further round succeeds: $err" test "$rc" -eq 0
check "... and adds nothing" test "$(members b)" -eq "$WANT" -a "$(unknown b)" -eq "$UNKNOWN"

# ---- a page refused while catching up: the catch-up transaction rolls back, the round goes on
# group by group up to the page before it, which stands; the refusal is reported.
bad=$(sqlite3 hq.db "SELECT id FROM changes WHERE target IS NULL OR target = 'S001-T03'
	ORDER BY id LIMIT 1 OFFSET $((250 * 50 + 10))")
sqlite3 hq.db "CREATE TABLE kept AS SELECT id, kind, data FROM changes WHERE id = $bad;
	UPDATE changes SET data = '{\"id\": \"M1\", \"phone_hash\": \"no\"}' WHERE id = $bad"
newtill c T03
run --config c.ini --db c.db sync --once
check "the pull with a bad page ends to be tried again ($rc): $err" test "$rc" -eq 75
check "... saying HQ's page was refused: $err" has "$err" "refused"
before=$(sqlite3 hq.db "SELECT id FROM changes WHERE target IS NULL OR target = 'S001-T03'
	ORDER BY id LIMIT 1 OFFSET $((250 * 50 - 1))")
cursor=$(sqlite3 c.db "SELECT value FROM meta WHERE key = 'hq_cursor'")
check "the 250 pages before the bad one stand, none after ($cursor, $before)" \
	test "$cursor" -eq "$before"

# ---- the same member refused only when it is stored (a name that is not text): the till holds
# a catch-up's members to store them in the order of their phone hashes just before the commit
# (core/member_batch.c), so the refusal comes there; it goes on group by group all the same.
check "the bad change is a member's" test "$(sqlite3 hq.db "SELECT kind FROM kept")" = member
sqlite3 hq.db "UPDATE changes SET data = (SELECT json_set(data, '\$.name', char(1)) FROM kept)
	WHERE id = $bad"
newtill d T04
run --config d.ini --db d.db sync --once
check "the pull with a member refused when stored ends to be tried again ($rc): $err" \
	test "$rc" -eq 75
check "... saying HQ's page was refused: $err" has "$err" "refused"
check "... naming the name: $err" has "$err" "name"
cursor=$(sqlite3 d.db "SELECT value FROM meta WHERE key = 'hq_cursor'")
check "the 250 pages before it stand, none after ($cursor, $before)" test "$cursor" -eq "$before"
finish
