#!/usr/bin/env bash
# test_cli.sh — the counterpoint command line end to end: help and version, usage errors,
# configuration errors, init (mode 0600, no clobbering, --force, --demo), the demo store,
# verify on a good and on a tampered database, a foreign file left alone, and staff set.
# Runs in its own scratch directory (ctest's working directory); touches nothing outside it.
set -euo pipefail

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
CP=$CP_BINARY

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env cli
check() { # description, then a command that must succeed
	local what=$1
	shift
	if "$@"; then pass; else fail "$what"; fi
}

# run ARGS...: runs counterpoint with stdin from $IN (default empty); sets rc, out, err.
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

# script DB REQUEST...: one script session; answers in $out, one per line.
script() {
	local db=$1
	shift
	printf '%s\n' "$@" >req.txt
	IN=req.txt run --db "$db" script
}
# jcheck ANSWER PYTHON-EXPR: the expression over j (the parsed answer) is true.
jcheck() {
	python3 -c 'import json, sys
j = json.loads(sys.argv[1])
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}
line() { sed -n "${2}p" <<<"$1"; }

# ---- help, version, usage errors
run --help
check "--help exits 0" test "$rc" -eq 0
check "--help shows the usage" has "$out" '^usage: counterpoint'
check "--help names the commands" has "$out" '^  init  '
run --version
check "--version exits 0" test "$rc" -eq 0
check "--version prints the version" has "$out" '^counterpoint [0-9]+\.[0-9]+\.[0-9]+$'
run frobnicate
check "unknown command exits 2" test "$rc" -eq 2
check "unknown command is named on stderr" has "$err" "^counterpoint: unknown command 'frobnicate'"
check "unknown command shows the usage" has "$err" '^usage: counterpoint'
run --frobnicate verify
check "unknown option exits 2" test "$rc" -eq 2
check "unknown option is named" has "$err" "unknown option '--frobnicate'"
run --db
check "option without its value exits 2" test "$rc" -eq 2

# ---- init
run --db ./x.db init
check "init exits 0" test "$rc" -eq 0
check "init creates the file" test -f x.db
check "the database file is mode 0600" test "$(stat -c %a x.db)" = 600
run --db ./x.db init
check "init refuses an existing database" test "$rc" -ne 0
check "init says how to replace it" has "$err" '^counterpoint: .*--force'
run init --db ./x.db --force
check "init --force (options after the command) exits 0" test "$rc" -eq 0
check "init --force still gives mode 0600" test "$(stat -c %a x.db)" = 600
run --db ./x.db verify
check "verify on a fresh database exits 0" test "$rc" -eq 0
check "verify on a fresh database says ok" has "$out" '^ok: 0 journal rows, chain intact'

# ---- configuration
printf '[store]\nid = S002\n\n[database]\nflavour = strawberry\n' >bad.ini
run --config bad.ini --db ./y.db init
check "unknown config key exits 2" test "$rc" -eq 2
check "unknown config key is reported with FILE:LINE" has "$err" '^counterpoint: bad\.ini:5: '
check "a bad configuration creates nothing" test ! -e y.db
run --config ./missing.ini verify
check "a missing --config file exits 2" test "$rc" -eq 2
check "a missing --config file is named" has "$err" 'missing\.ini'
printf '[store]\nid = S002\nterminal = T09\n' >good.ini
run --config good.ini --db ./z.db init
check "init with a configuration exits 0" test "$rc" -eq 0
check "init takes store and terminal from the configuration" has "$out" 'store S002, terminal T09'

# ---- init --demo
run --db ./d.db init --demo
check "init --demo exits 0" test "$rc" -eq 0
check "init --demo says it seeded" has "$out" 'demo store'
run --db ./d.db verify
check "verify on a fresh demo store exits 0" test "$rc" -eq 0
check "verify on a fresh demo store says ok" \
	has "$out" '^ok: [0-9]+ journal rows?, chain intact, tables match the journal$'

# ---- a sale through script mode, then tampering found by verify
item=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1] + "/packaging/demo/store.json"))
cats = {c["code"]: c for c in d["categories"]}
print(next(i["barcode"] for i in d["items"]
           if i["barcode"] and not cats[i["category"]]["earn_excluded"]))' "$CP_SOURCE_DIR")
script ./d.db '{"cmd":"login","staff":"1001","pin":"1111"}' \
	"{\"cmd\":\"scan\",\"code\":\"$item\"}" \
	'{"cmd":"pay","tenders":[{"method":"cash","amount":"1000.00"}]}'
check "script exits 0 at the end of input" test "$rc" -eq 0
check "login answers ok" jcheck "$(line "$out" 1)" 'j["ok"] is True'
check "scan answers ok" jcheck "$(line "$out" 2)" 'j["ok"] is True and j["line"] == 1'
check "pay answers ok" jcheck "$(line "$out" 3)" 'j["ok"] is True and j["seq"] > 0'
seq=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["seq"])' "$(line "$out" 3)")
run --db ./d.db verify
check "verify after a sale exits 0" test "$rc" -eq 0
check "verify after a sale says ok" has "$out" '^ok: '
sqlite3 d.db "UPDATE sale SET total = total + 1"
run --db ./d.db verify
check "verify finds an edited sale (exit 1)" test "$rc" -eq 1
check "verify names the sequence of the edited sale" has "$err" "sequence $seq([^0-9]|$)"
check "verify prints no ok line on a problem" test -z "$out"

# ---- a file that is not a Counterpoint database is refused and left alone
printf 'PRIVATE NOTES\nnot a database at all\n' >foreign.db
cp foreign.db foreign.orig
run --db ./foreign.db verify
check "verify refuses a foreign file" test "$rc" -ne 0
check "the refusal is one line on stderr" has "$err" '^counterpoint: '
IN=req.txt run --db ./foreign.db script
check "script refuses a foreign file" test "$rc" -ne 0
run --db ./foreign.db init
check "init refuses to clobber a foreign file" test "$rc" -ne 0
check "the foreign file is byte-identical afterwards" cmp -s foreign.db foreign.orig
printf 'x' >tiny.db
run --db ./tiny.db verify
check "verify refuses a one-byte file" test "$rc" -ne 0
IN=req.txt run --db ./tiny.db script
check "script refuses a one-byte file" test "$rc" -ne 0
check "the one-byte file is left as it was" test "$(cat tiny.db)" = x

# ---- staff set
printf '4321\n' >pin.txt
IN=pin.txt run --db ./x.db staff set 1099 --name '测试员' --role cashier
check "staff set exits 0" test "$rc" -eq 0
check "staff set does not print the PIN" test "$(cat out.txt err.txt | grep -c 4321)" = 0
IN=pin.txt run --db ./x.db staff set 1098 --name 'Someone' --role janitor
check "staff set with an unknown role exits 2" test "$rc" -eq 2
run --db ./x.db staff set 1097 --name 'Nobody' --role cashier
check "staff set without a PIN on stdin fails" test "$rc" -ne 0
script ./x.db '{"cmd":"login","staff":"1099","pin":"4321"}'
check "the new staff member logs in through script" \
	jcheck "$(line "$out" 1)" '(j["ok"] is True and j["staff"] == "1099" and
		j["role"] == "cashier" and j["name"] == "测试员")'
script ./x.db '{"cmd":"login","staff":"1099","pin":"9999"}'
check "a wrong PIN is refused" \
	jcheck "$(line "$out" 1)" 'j["ok"] is False and j["error"]["code"] == "auth"'

# ---- default paths: the configuration file and the demo store
# A system-wide install (/etc/counterpoint/counterpoint.ini) moves the default paths out of
# this directory: the checks of the default paths are skipped there, never run against it.
if [ -e /etc/counterpoint/counterpoint.ini ]; then
	echo "note: system-wide configuration present; default-path checks skipped" >&2
else
	mkdir -p config/counterpoint
	printf '[database]\npath = %s/fromconfig.db\n' "$PWD" >config/counterpoint/counterpoint.ini
	run init
	check "init uses [database] path of the default configuration" test -f fromconfig.db
	rm -f config/counterpoint/counterpoint.ini

	# ---- the demo store
	# Without a terminal the UI does not start, but the demo store is made first (the UI
	# itself is tested in tmux by test_ui_tmux.sh).
	run --demo
	check "--demo without a terminal exits 2" test "$rc" -eq 2
	check "--demo creates demo.db in the data directory" test -f data/counterpoint/demo.db
	check "--demo says where the store is" has "$out" "data/counterpoint/demo\.db"
	check "--demo without a terminal says the UI needs one" has "$err" 'needs a terminal'
	check "--demo without a terminal points to script mode" has "$err" 'script'
	check "the demo database is mode 0600" test "$(stat -c %a data/counterpoint/demo.db)" = 600
	run --demo
	check "--demo a second time reuses the store" test -z "$out"
	run --demo verify
	check "verify on the fresh demo store exits 0" test "$rc" -eq 0
	check "verify on the fresh demo store says ok" \
		has "$out" '^ok: [0-9]+ journal rows?, chain intact, tables match the journal$'
	run
	check "no command without a terminal exits 2" test "$rc" -eq 2
	check "no command without a terminal says the UI needs one" has "$err" 'needs a terminal'
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
