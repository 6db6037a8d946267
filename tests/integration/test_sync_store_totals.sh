#!/usr/bin/env bash
# test_sync_store_totals.sh — the whole store's totals (issue 11) over real TLS on 127.0.0.1: two
# terminals of store S001 sell (one also post-voids a sale), both sync, and each till's `report
# daily` and `report x` show the store's totals from HQ equal to the sum of the two tills' own
# tallies, in JSON, CSV, text and the print form. HQ answering garbage gives a clear sentence
# and no crash; HQ stopped gives "store totals unavailable (HQ not reached)"; the report itself
# is still whole and exits 0 both times. T02 also refunds an item without a receipt (issue 12):
# HQ applies and stores the refund_noreceipt event and counts it among the store's refunds.
set -euo pipefail
. "$CP_SOURCE_DIR/tests/integration/sync_lib.sh"
sync_lib_enter sync_store_totals

hq_init hq.db
hq_start hq.db hq 0 --cert "$CERTS/server.pem" --key "$CERTS/server.key"
PORT=$HQ_PORT
for t in T01 T02; do
	printf '[store]\nterminal = %s\n[sync]\nca_file = %s\n[printer]\nwidth = 42\n' \
		"$t" "$CERTS/ca.pem" >"$t.ini"
	"$CP" --config "$t.ini" --db "$t.db" init --demo >/dev/null
	run --config "$t.ini" --db "$t.db" enrol --hq "https://127.0.0.1:$PORT" \
		--code "$(hq_code hq.db S001 "$t")"
	check "$t enrols: $err" test "$rc" -eq 0
done
PHONE=$(python3 -c 'import json, sys
print(next(m["phone"] for m in json.load(open(sys.argv[1]))["members"] if m["phone"]))' "$STORE")

# T01: three sales (one to a member) and a post-void of the second; T02: two sales.
for i in 1 2 3; do
	till_sale T01.db T01.ini "$([ "$i" = 3 ] && echo "$PHONE" || true)" >"sale-T01-$i.json"
	check "T01 sale $i is paid: $(cat "sale-T01-$i.json")" jq_ok "$(cat "sale-T01-$i.json")" 'j["ok"]'
done
printf '%s\n' '{"cmd":"login","staff":"1001","pin":"1111"}' \
	'{"cmd":"void","receipt":"S001-T01-000002","manager":"9001","pin":"9999"}' >void.txt
VOID=$("$CP" --config T01.ini --db T01.db script <void.txt | tail -n 1)
check "T01 post-voids its second sale: $VOID" jq_ok "$VOID" 'j["ok"]'
for i in 1 2; do
	till_sale T02.db T02.ini >"sale-T02-$i.json"
	check "T02 sale $i is paid" jq_ok "$(cat "sale-T02-$i.json")" 'j["ok"]'
done
printf '%s\n' '{"cmd":"login","staff":"1001","pin":"1111"}' \
	'{"cmd":"refund_noreceipt","code":"6903468885155","qty":1,"reason":"顾客退货","manager":"9001","pin":"9999"}' \
	>noreceipt.txt
NORECEIPT=$("$CP" --config T02.ini --db T02.db script <noreceipt.txt | tail -n 1)
check "T02 refunds an item without a receipt: $NORECEIPT" jq_ok "$NORECEIPT" 'j["ok"]'
for t in T01 T02; do
	run --config "$t.ini" --db "$t.db" sync --once
	check "$t: sync --once exits 0: $err" test "$rc" -eq 0
done
check "HQ applied and stored T02's refund without a receipt" python3 -c 'import sqlite3, sys
c = sqlite3.connect("hq.db")
n, amount = c.execute("SELECT count(*), sum(amount) FROM noreceipt_refunds").fetchone()
e = c.execute("SELECT effect FROM journal WHERE type = ?", ("refund_noreceipt",)).fetchall()
sys.exit(0 if n == 1 and amount > 0 and len(e) == 1 and e[0][0].startswith("applied") else 1)'

# Each till's own tally, and the store's as each till shows it.
for t in T01 T02; do
	run --config "$t.ini" --db "$t.db" report daily --format json
	check "$t: report daily --format json exits 0: $err" test "$rc" -eq 0
	echo "$out" >"$t.json"
done
python3 - T01.json T02.json >sum.txt <<'EOF' || fail "the store totals are not the sum of the two tills' tallies: $(cat sum.txt)"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
bad = []
for me in (a, b):
    st = me["store_totals"]
    if not st.get("available"):
        bad.append("%s: store totals not available: %s" % (me["terminal"], st))
        continue
    for k in ("sales", "refunds", "voids"):
        want = {"count": a[k]["count"] + b[k]["count"], "amount": a[k]["amount"] + b[k]["amount"]}
        if st[k] != want:
            bad.append("%s: store %s %s, tills' sum %s" % (me["terminal"], k, st[k], want))
    if st["net"] != a["net"] + b["net"]:
        bad.append("%s: store net %s, tills' sum %s" % (me["terminal"], st["net"], a["net"] + b["net"]))
    terms = {x["terminal"]: x for x in st["terminals"]}
    for till in (a, b):
        x = terms.get(till["terminal"])
        if not x or x["sales"] != till["sales"] or x["net"] != till["net"]:
            bad.append("%s: terminal %s is %s, its tally %s/%s" % (
                me["terminal"], till["terminal"], x, till["sales"], till["net"]))
    if st["day"] != me["day"]:
        bad.append("%s: store day %s, tally day %s" % (me["terminal"], st["day"], me["day"]))
if b["noreceipt"]["count"] != 1 or b["refunds"] != b["noreceipt"]:
    bad.append("T02's refund without a receipt is not among its refunds: %s" % b["refunds"])
if a["voids"]["count"] != 1 or a["sales"]["count"] != 3 or b["sales"]["count"] != 2:
    bad.append("the tills did not ring up what the test did: %s %s" % (a["sales"], b["sales"]))
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
[ -s sum.txt ] || pass
NET=$(jget "$(cat T01.json)" '"%d.%02d" % divmod(j["store_totals"]["net"], 100)')
run --config T02.ini --db T02.db report x
check "report x (text) shows the store's totals: $out" has "$out" "Whole store \(all terminals, as HQ has them\)"
check "report x (text) shows the store's net ¥$NET" has "$out" "Net +¥$NET"
run --config T02.ini --db T02.db report daily --format csv
check "report daily --format csv has the store's net: $out" has "$out" "store,net,,$NET,,"
check "report daily --format csv has T01's row" has "$out" "store_terminal,T01,3,"
run --config T01.ini --db T01.db report x --format print
check "report x --format print shows the store's totals: $out" has "$out" "Whole store"
check "report x --format print is 42 columns at most" python3 -c 'import sys
sys.exit(0 if all(len(l) <= 42 for l in open("out.txt", encoding="utf-8").read().splitlines()) else 1)'
run --config T01.ini --db T01.db report z --format json
check "report z exits 0: $err" test "$rc" -eq 0
check "the Z carries no store totals (they are HQ's, not the journal's)" \
	jq_ok "$out" '"store_totals" not in j'

# HQ answers garbage: a clear sentence, no crash, the till's own report whole.
hq_api "$PORT" POST /_test/faults '[{"path": "/v1/reports/store", "action": "malformed"}]' >/dev/null
run --config T02.ini --db T02.db report daily --format json
check "with a malformed answer report daily exits 0: $err" test "$rc" -eq 0
check "... and says the answer was not understood: $out" \
	jq_ok "$out" 'not j["store_totals"]["available"] and "not understood" in j["store_totals"]["why"] and j["sales"]["count"] == 2'
run --config T02.ini --db T02.db report x
check "... in text too: $out" has "$out" "store totals unavailable \(HQ not reached\): HQ's answer was not understood"
hq_api "$PORT" POST /_test/faults '[]' >/dev/null

# HQ stopped: unavailable, and still exit 0 with this till's tally.
hq_stop "$HQ_PID"
run --config T02.ini --db T02.db report x
check "with HQ stopped report x exits 0: $err" test "$rc" -eq 0
check "... and says the store totals are unavailable: $out" has "$out" "store totals unavailable \(HQ not reached\)"
check "... after this till's own tally" has "$out" "Sales +2 "
run --config T02.ini --db T02.db report daily --format json
check "... in JSON too: $out" jq_ok "$out" 'j["store_totals"]["available"] is False'
for t in T01 T02; do
	run --config "$t.ini" --db "$t.db" verify
	check "$t verifies: $out $err" test "$rc" -eq 0
done

finish
