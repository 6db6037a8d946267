#!/usr/bin/env bash
# test_verify_mark_cli.sh — the journal checked at every start from the last verified row
# (issue 14): a sale changed after the last start, older than the newest rows a start read
# before, stops script mode at the next start in one line saying what to do; a sound journal
# starts, and moves the mark, which `verify` then checks.
. "$(dirname "$0")/scratch_lib.sh"
CP=$CP_BINARY

scratch_env verifymarkcli python3
DB=./till.db

"$CP" --db "$DB" init --demo >/dev/null
# the start of this session checks the journal and keeps its mark; then 24 sales follow it
{
	echo '{"cmd":"login","staff":"1001","pin":"1111"}'
	for _ in $(seq 24); do
		echo '{"cmd":"scan","code":"6903468885155"}'
		echo '{"cmd":"pay","tenders":[{"method":"cash","amount":"100.00"}]}'
	done
} | "$CP" --db "$DB" script >answers.jsonl 2>err.txt
[ "$(grep -c '"receipt"' answers.jsonl)" -eq 24 ] && pass ||
	fail "24 sales are paid: $(tail -2 answers.jsonl) $(cat err.txt)"
cp "$DB" sound.db

# the third sale (sixth row from the mark, well before the newest 16 rows) changed by hand
python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
seq = c.execute("SELECT seq FROM sale ORDER BY seq LIMIT 1 OFFSET 2").fetchone()[0]
c.execute("UPDATE journal SET payload = replace(payload, ?1, ?2) WHERE seq = ?3",
          ("\"seq\":%d," % seq, "\"seq\":%d," % (seq + 1000), seq))
c.commit()
print(seq)' "$DB" >victim.txt
victim=$(cat victim.txt)
if echo '{"cmd":"login","staff":"1001","pin":"1111"}' | "$CP" --db "$DB" script >out.txt 2>err.txt; then
	fail "a sale changed after the last start's check must be refused for selling"
elif [ "$(wc -l <err.txt)" -eq 1 ] && grep -q "sequence $victim" err.txt &&
	grep -q "restore it from a backup" err.txt && [ ! -s out.txt ]; then
	pass
else
	fail "the refusal is one line naming sequence $victim and saying what to do: $(cat err.txt)"
fi

# the sound copy starts, its mark moves to the end, and verify checks the mark
if echo '{"cmd":"login","staff":"1001","pin":"1111"}' | "$CP" --db sound.db script >out.txt 2>err.txt &&
	"$CP" --db sound.db verify >verify.txt 2>&1; then
	pass
else
	fail "the sound journal starts and verifies: $(cat err.txt verify.txt)"
fi
mark=$(python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute("SELECT value FROM meta WHERE key = ?1", ("verified_mark",)).fetchone()[0].split(":")[0],
      c.execute("SELECT max(seq) FROM journal").fetchone()[0])' sound.db)
[ -n "$mark" ] && [ "${mark% *}" = "${mark#* }" ] && pass || fail "the mark is at the newest row: $mark"
python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE meta SET value = ?1 WHERE key = ?2", ("1:" + "00" * 32, "verified_mark"))
c.commit()' sound.db
if "$CP" --db sound.db verify >verify.txt 2>&1; then
	fail "a mark edited by hand must fail verify"
else
	grep -q "verified mark" verify.txt && pass || fail "verify names the mark: $(cat verify.txt)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
