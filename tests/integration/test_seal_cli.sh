#!/usr/bin/env bash
# test_seal_cli.sh — the journal cannot be rewritten after the fact (issue 13): init exports the
# starting key; an attacker who holds the whole file rewrites sale 1's cash tender as card,
# fixes the tender table to match and chains every row again with the key the file holds;
# `verify --key` (the starting key) refuses it at that row, and a customer's receipt code
# (`verify --anchor`) refuses it without any key.
. "$(dirname "$0")/scratch_lib.sh"
CP=$CP_BINARY

scratch_env sealcli python3
DB=./till.db

out=$("$CP" --db "$DB" init --demo --key start.key 2>&1)
if [ -s start.key ] && [ "$(stat -c %a start.key)" = 600 ] && grep -q "take it off" <<<"$out"; then
	pass
else
	fail "init --key writes the starting key, owner-only, and says to take it away: $out"
fi
if "$CP" --db again.db init --key start.key >/dev/null 2>err.txt || [ -e again.db ]; then
	fail "init --key onto an existing file must fail and leave no database"
else
	pass
fi

printf '%s\n' \
	'{"cmd":"login","staff":"1001","pin":"1111"}' \
	'{"cmd":"scan","code":"6903468885155"}' \
	'{"cmd":"pay","tenders":[{"method":"cash","amount":"100.00"}]}' \
	'{"cmd":"scan","code":"6903468885155"}' \
	'{"cmd":"pay","tenders":[{"method":"cash","amount":"100.00"}]}' \
	'{"cmd":"scan","code":"6903468885155"}' \
	'{"cmd":"pay","tenders":[{"method":"cash","amount":"100.00"}]}' |
	"$CP" --db "$DB" script >answers.jsonl 2>err.txt
code2=$(python3 -c 'import json, sys
a = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(a[4]["verify_code"])' answers.jsonl 2>/dev/null)
[ ${#code2} -eq 8 ] && pass || fail "the second sale answers its verification code: $(cat answers.jsonl)"

if "$CP" --db "$DB" verify --key start.key >out.txt 2>&1 && grep -q "seal holds" out.txt; then
	pass
else
	fail "verify --key on the untouched file: $(cat out.txt)"
fi
if "$CP" --db "$DB" verify --anchor "S001-T01-000002:$code2" >out.txt 2>&1 &&
	grep -q "S001-T01-000002 matches" out.txt; then
	pass
else
	fail "the receipt's code checks against the journal: $(cat out.txt)"
fi
if "$CP" --db "$DB" verify --anchor "S001-T01-000002:00000000" >out.txt 2>&1; then
	fail "a wrong code must fail verify"
else
	grep -q "verification code 00000000" out.txt && pass || fail "wrong code: $(cat out.txt)"
fi
if "$CP" --db "$DB" verify --key /dev/null >out.txt 2>&1; then
	fail "a key file without a key must be refused"
else
	grep -q "does not hold a starting key" out.txt && pass || fail "bad key file: $(cat out.txt)"
fi

# The attack, with everything the file holds: rewrite, fix the view, chain again.
python3 - "$DB" <<'PY'
import hashlib, hmac, json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
key = bytes.fromhex(c.execute("SELECT value FROM meta WHERE key = 'journal_key'").fetchone()[0])
seq, text = c.execute("SELECT seq, payload FROM journal WHERE type = 'sale' ORDER BY seq"
                      " LIMIT 1").fetchone()
p = json.loads(text)
p["tenders"][0]["method"] = "card"
text = json.dumps(p, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
c.execute("UPDATE journal SET payload = ? WHERE seq = ?", (text, seq))
c.execute("UPDATE tender SET method = 'card' WHERE seq = ?", (seq,))
prev = bytes(32) if seq == 1 else c.execute("SELECT hash FROM journal WHERE seq = ?",
                                            (seq - 1,)).fetchone()[0]
for s, t in c.execute("SELECT seq, payload FROM journal WHERE seq >= ? ORDER BY seq",
                      (seq,)).fetchall():
    h = hmac.new(key, prev + s.to_bytes(8, "big") + t.encode(), hashlib.sha256).digest()
    c.execute("UPDATE journal SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, h, s))
    prev = h
c.commit()
PY
sale1=$(python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT seq FROM sale ORDER BY seq LIMIT 1").fetchone()[0])' "$DB")
if "$CP" --db "$DB" verify --key start.key >out.txt 2>&1; then
	fail "a rewritten, re-chained row must fail verify --key: $(cat out.txt)"
else
	grep -q "sequence $sale1.*seal does not hold" out.txt && pass ||
		fail "verify --key names the rewritten row ($sale1): $(cat out.txt)"
fi
if "$CP" --db "$DB" verify --anchor "S001-T01-000002:$code2" >out.txt 2>&1; then
	fail "the receipt printed before the rewrite must no longer match: $(cat out.txt)"
else
	grep -q "was changed after the receipt was printed" out.txt && pass ||
		fail "anchor after the rewrite: $(cat out.txt)"
fi

# Damaged files: with its newest row cut away, script mode refuses to sell, in one line.
"$CP" --db cut.db init --demo >/dev/null
printf '%s\n' '{"cmd":"login","staff":"1001","pin":"1111"}' \
	'{"cmd":"scan","code":"6903468885155"}' \
	'{"cmd":"pay","tenders":[{"method":"cash","amount":"100.00"}]}' |
	"$CP" --db cut.db script >/dev/null 2>&1
python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA foreign_keys=OFF")
c.execute("DELETE FROM journal WHERE seq = (SELECT max(seq) FROM journal)")
c.commit()' cut.db
if echo '{"cmd":"login","staff":"1001","pin":"1111"}' | "$CP" --db cut.db script >out.txt 2>err.txt; then
	fail "a database whose newest row was cut must be refused for selling"
elif [ "$(wc -l <err.txt)" -eq 1 ] && grep -q "restore it from a backup" err.txt && [ ! -s out.txt ]; then
	pass
else
	fail "the refusal is one line saying what to do: $(cat err.txt)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
