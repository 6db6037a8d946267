#!/usr/bin/env bash
# test_sync_guides.sh — guide bindings with HQ (issue 10; the exactly-once test's guide part, in
# a file of its own): two terminals of store S001 bind members to guides while HQ is
# unreachable, the same member to different guides on each, and sell to them. When HQ is back,
# the first binding HQ applies wins: the other till gets exactly one binding_conflict notice per
# conflict, both tills show HQ's guide for every member, every sale's credit stays as recorded
# at the till (HQ holds the same), each journal row is applied once, and both tills verify.
# Everything runs on 127.0.0.1.
set -euo pipefail
. "$CP_SOURCE_DIR/tests/integration/sync_lib.sh"
sync_lib_enter sync_guides

hq_init hq.db
hq_start hq.db hq 0 --cert "$CERTS/server.pem" --key "$CERTS/server.key"
PORT=$HQ_PORT
for t in T01 T02; do
	printf '[store]\nterminal = %s\n[sync]\nca_file = %s\ninterval_seconds = 1\nbackoff_base_ms = 200\n' \
		"$t" "$CERTS/ca.pem" >"$t.ini"
	"$CP" --config "$t.ini" --db "$t.db" init --demo >/dev/null
	run --config "$t.ini" --db "$t.db" enrol --hq "https://127.0.0.1:$PORT" \
		--code "$(hq_code hq.db S001 "$t")"
	check "$t enrols: $err" test "$rc" -eq 0
	# HQ's members (and their phone hashes under the chain's key) before HQ goes away.
	run --config "$t.ini" --db "$t.db" sync --once
	check "$t: first sync --once exits 0: $err" test "$rc" -eq 0
done
read -r P1 P2 P3 ITEM < <(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
free = [m["phone"] for m in d["members"] if m["guide"] is None and m["phone"]]
print(free[0], free[1], free[2], next(i["barcode"] for i in d["items"] if i["barcode"]))' "$STORE")
B2001=9900000020019
B2002=9900000020026

# HQ becomes unreachable.
hq_stop "$HQ_PID"

# script TERM REQUEST...: one script session on TERM; the answers go to TERM.out.
script() {
	local t=$1
	shift
	printf '%s\n' '{"cmd":"login","staff":"1001","pin":"1111"}' "$@" >"$t.in"
	"$CP" --config "$t.ini" --db "$t.db" script <"$t.in" >"$t.out"
}
sale_with() { # PHONE|"" BADGE|"": the requests of one sale
	printf '%s\n' "{\"cmd\":\"scan\",\"code\":\"$ITEM\"}"
	[ -n "$1" ] && printf '%s\n' "{\"cmd\":\"attach\",\"phone\":\"$1\"}"
	[ -n "$2" ] && printf '%s\n' "{\"cmd\":\"serve\",\"badge\":\"$2\"}"
	printf '%s\n' '{"cmd":"pay","tenders":[{"method":"cash","amount":"1000.00"}]}'
}
mapfile -t R1 < <(printf '%s\n' "{\"cmd\":\"bind\",\"phone\":\"$P1\",\"badge\":\"$B2001\"}" \
	"{\"cmd\":\"bind\",\"phone\":\"$P2\",\"badge\":\"$B2001\"}"
	sale_with "$P1" "" && sale_with "" "$B2002")
script T01 "${R1[@]}"
mapfile -t R2 < <(printf '%s\n' "{\"cmd\":\"bind\",\"phone\":\"$P1\",\"badge\":\"$B2002\"}" \
	"{\"cmd\":\"bind\",\"phone\":\"$P3\",\"badge\":\"$B2002\"}" \
	"{\"cmd\":\"bind\",\"phone\":\"$P2\",\"badge\":\"$B2002\"}"
	sale_with "$P1" "" && sale_with "" "$B2001")
script T02 "${R2[@]}"
for t in T01 T02; do
	n=$(python3 -c 'import json, sys
print(sum(1 for l in open(sys.argv[1]) if not json.loads(l)["ok"]))' "$t.out")
	check "$t: every offline request answered ok ($(grep -m1 '"ok":false' "$t.out" || true))" \
		test "$n" -eq 0
done

# credits TERM: "receipt guide" of every sale, as the till recorded it.
credits() {
	python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for r in c.execute("SELECT s.receipt, coalesce(g.guide, \"-\") FROM sale s LEFT JOIN"
                   " guide_credit g ON g.seq = s.seq ORDER BY s.seq"):
    print(*r)' "$1.db"
}
credits T01 >T01.credit.before
credits T02 >T02.credit.before
check "T01's sales are credited to 2001 (bound) and 2002 (serving): $(cat T01.credit.before)" \
	test "$(cut -d' ' -f2 T01.credit.before | tr '\n' ' ')" = "2001 2002 "
check "T02's sales are credited to 2002 (its binding) and 2001 (serving): $(cat T02.credit.before)" \
	test "$(cut -d' ' -f2 T02.credit.before | tr '\n' ' ')" = "2002 2001 "

# HQ is back: T01 reaches it first, then T02, then both once more for the change feed.
hq_start hq.db hq2 "$PORT" --cert "$CERTS/server.pem" --key "$CERTS/server.key"
for t in T01 T02 T01 T02; do
	run --config "$t.ini" --db "$t.db" sync --once
	check "$t: sync --once exits 0: $err" test "$rc" -eq 0
done

# Each till: the shift the demo opens at its first login, its bindings and its two sales.
hq_api "$PORT" GET /_test/state >state.json
check "HQ applied every row once: $(python3 -c 'import json; print(json.load(open("state.json"))["terminals"])')" \
	python3 -c 'import json, sys
j = json.load(open("state.json"))
sys.exit(0 if j["applied_twice"] is False and j["terminals"]["S001-T01"]["applied"] == 5
         and j["terminals"]["S001-T02"]["applied"] == 6 else 1)'
# guide_of TERM PHONE: the member's guide on the till ("-" for none).
guide_of() {
	python3 - "$1.db" "$2" <<'EOF2'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
masked = sys.argv[2][:3] + "****" + sys.argv[2][-4:]
r = c.execute("SELECT coalesce(guide, '-') FROM member WHERE phone_masked = ?", (masked,)).fetchall()
print(r[0][0] if len(r) == 1 else "?%d" % len(r))
EOF2
}
hq_guide_of() {
	python3 - hq.db "$1" <<'EOF2'
import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute("SELECT coalesce(guide, '-') FROM members WHERE phone = ?",
                                         (sys.argv[2],)).fetchone()
print(r[0] if r else "?")
EOF2
}
check "HQ: the first binding of P1 it applied (T01's 2001) stands" test "$(hq_guide_of "$P1")" = 2001
check "HQ: P2 stays with T01's 2001" test "$(hq_guide_of "$P2")" = 2001
check "HQ: P3 is T02's 2002" test "$(hq_guide_of "$P3")" = 2002
for t in T01 T02; do
	for p in P1 P2 P3; do
		want=$(hq_guide_of "${!p}")
		got=$(guide_of "$t" "${!p}")
		check "$t shows HQ's guide for $p: $got, HQ $want" test "$got" = "$want"
	done
done
notices() { # TERM: the binding_conflict notices the till holds, one member a line
	python3 -c 'import json, sqlite3, sys
for (d,) in sqlite3.connect(sys.argv[1]).execute(
        "SELECT data FROM notice WHERE kind = \"binding_conflict\" ORDER BY id"):
    print(json.loads(d)["member"])' "$1.db"
}
check "T01 got no binding_conflict notice: $(notices T01)" test -z "$(notices T01)"
n=$(notices T02 | wc -l)
check "T02 got exactly one notice per conflict (P1 and P2): $(notices T02 | tr '\n' ' ')" \
	test "$n" -eq 2 -a "$(notices T02 | sort -u | wc -l)" -eq 2
credits T01 >T01.credit.after
credits T02 >T02.credit.after
check "T01's credit is as recorded" cmp -s T01.credit.before T01.credit.after
check "T02's credit is as recorded (not rewritten after the conflict)" \
	cmp -s T02.credit.before T02.credit.after
hq_credit=$(python3 -c 'import json, sqlite3, sys
for t, p in sqlite3.connect(sys.argv[1]).execute(
        "SELECT terminal_uid, payload FROM journal WHERE type = \"sale\" ORDER BY terminal_uid, seq"):
    j = json.loads(p)
    print(t, j["receipt"], j["guide"] or "-")' hq.db)
want=$( (sed 's/^/S001-T01 /' T01.credit.before && sed 's/^/S001-T02 /' T02.credit.before))
check "HQ holds every sale's credit as the tills recorded it: $hq_credit" \
	test "$hq_credit" = "$want"
for t in T01 T02; do
	run --config "$t.ini" --db "$t.db" verify
	check "$t verifies: $out $err" test "$rc" -eq 0
done
# A later binding on T02 is checked against HQ's guide: P1 is 2001's and protected.
script T02 "{\"cmd\":\"bind\",\"phone\":\"$P1\",\"badge\":\"$B2002\"}"
a=$(sed -n 2p T02.out)
check "T02 re-checks protection against HQ's guide: $a" \
	jq_ok "$a" 'j["ok"] is False and j["error"]["code"] == "permission" and "2001" in j["error"]["message"]'
finish
