#!/usr/bin/env bash
# test_staff_badge_cli.sh — `counterpoint staff set CODE --name N --role guide --badge BADGE` (issue
# 10): the guide and their badge are written together, the badge then binds a member in script
# mode, and verify passes; a badge with a wrong check digit, one another staff member holds, or
# one for a non-guide is refused with one line (exit 1) and the database is unchanged; --badge
# belongs to staff set only. Runs in its own scratch directory.
set -euo pipefail

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
CP=$CP_BINARY

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env staff_badge_cli python3
check() {
	local what=$1
	shift
	if "$@"; then pass; else fail "$what"; fi
}
IN=/dev/null
run() {
	set +e
	"$CP" "$@" <"$IN" >out.txt 2>err.txt
	rc=$?
	set -e
	out=$(cat out.txt)
	err=$(cat err.txt)
}
has() { grep -qE -- "$2" <<<"$1"; }
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
# The staff table and the journal's length, as one text (nothing may change on a refusal).
state() {
	python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for r in c.execute("SELECT code, name, role, hex(pin_hash), badge, active FROM staff ORDER BY code"):
    print(*r)
print("journal", c.execute("SELECT count(*) FROM journal").fetchone()[0])' x.db
}

run --db ./x.db init --demo
check "init --demo: $err" test "$rc" -eq 0
printf '6789\n' >pin.txt

# ---- a new guide with a badge (an EAN-13 with a valid check digit)
IN=pin.txt run --db ./x.db staff set 2003 --name '孙丽' --role guide --badge 9900000020033
check "staff set with --badge exits 0: $err" test "$rc" -eq 0
check "... and says the badge: $out" has "$out" '^staff 2003 set: 孙丽, guide, badge 9900000020033$'
check "the guide and the badge are in the database: $(state | grep '^2003 ')" \
	has "$(state | grep '^2003 ')" '^2003 孙丽 guide [0-9A-F]{64} 9900000020033 1$'
# The badge binds a demo member without a guide, in script mode.
phone=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(next(m["phone"] for m in d["members"] if m["guide"] is None and m["phone"]))' \
	"$CP_SOURCE_DIR/packaging/demo/store.json")
printf '%s\n' '{"cmd":"login","staff":"1001","pin":"1111"}' \
	"{\"cmd\":\"bind\",\"phone\":\"$phone\",\"badge\":\"9900000020033\"}" >req.txt
IN=req.txt run --db ./x.db script
a=$(sed -n 2p <<<"$out")
check "the new badge binds a member to 2003: $a" has "$a" '"ok":true.*"guide":"2003"'
# A guide logs in with the PIN given.
printf '%s\n' '{"cmd":"login","staff":"2003","pin":"6789"}' >req.txt
IN=req.txt run --db ./x.db script
check "2003 logs in with the PIN from stdin: $out" has "$out" '"ok":true'
run --db ./x.db verify
check "verify passes after staff set --badge: $out $err" test "$rc" -eq 0

# ---- refusals: one line on stderr, exit 1, nothing written
refused() { # WHAT PATTERN ARGS...: staff set ARGS is refused saying PATTERN
	local what=$1 pattern=$2 before
	shift 2
	before=$(state)
	IN=pin.txt run --db ./x.db staff set "$@"
	check "$what: exit 1 (got $rc)" test "$rc" -eq 1
	check "$what: one line saying so: $err" test "$(wc -l <err.txt)" -eq 1
	check "$what: says '$pattern': $err" has "$err" "$pattern"
	check "$what: nothing written" test "$(state)" = "$before"
}
refused "a wrong check digit" "badge 9900000020034: the check digit .* is wrong" \
	2004 --name '钱' --role guide --badge 9900000020034
refused "a wrong check digit on an existing guide" "check digit" \
	2003 --name '孙丽丽' --role guide --badge 9900000020034
refused "a badge that is no EAN" "EAN-8 or EAN-13" 2004 --name '钱' --role guide --badge 12345
refused "another staff member's badge" "badge 9900000020019 is already staff 2001's \(刘洋\)" \
	2004 --name '钱' --role guide --badge 9900000020019
refused "a badge for a cashier" "only a guide has a badge: staff 1004 is to be a cashier" \
	1004 --name '钱' --role cashier --badge 96385074
refused "a badge for a manager (an existing guide made manager)" "only a guide has a badge" \
	2003 --name '孙丽' --role manager --badge 96385074

# ---- --badge belongs to staff set
run --db ./x.db verify --badge 96385074
check "--badge with verify is a usage error (exit 2): $err" test "$rc" -eq 2
check "... saying which command takes it: $err" has "$err" 'only staff set takes them'
run --help
check "--help lists --badge: $out" has "$out" '^  --badge BADGE  staff set'
finish
