#!/usr/bin/env bash
# test_package_docs.sh — what the package promises, checked against the program: --version
# prints CMakeLists.txt's version and the libraries'; counterpoint(1) lists every command and
# option `--help` lists and the exit statuses, and renders without warnings; the exit statuses
# themselves (2 bad command line, 3 a person must act, also for the sync daemon without a
# database); the unit restarts on neither; `backup` copies a database that verify accepts and
# refuses, changing nothing, what it must not do. Runs in its own scratch directory.
set -euo pipefail

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
CP=$CP_BINARY
SRC=${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}
MAN=$SRC/packaging/counterpoint.1
UNIT=$SRC/packaging/counterpoint-sync.service

. "$SRC/tests/integration/scratch_lib.sh"
scratch_env package_docs python3
check() {
	local what=$1
	shift
	if "$@"; then pass; else fail "$what"; fi
}
run() {
	set +e
	"$CP" "$@" </dev/null >out.txt 2>err.txt
	rc=$?
	set -e
	out=$(cat out.txt)
	err=$(cat err.txt)
}

# ---- the version, from one place
version=$(sed -n 's/^project(counterpoint VERSION \([0-9.]*\) .*/\1/p' "$SRC/CMakeLists.txt")
run --version
check "--version exits 0" test "$rc" -eq 0
check "--version's first line is CMakeLists.txt's version: $out" \
	test "$(head -n 1 out.txt)" = "counterpoint $version"
for lib in SQLite libcurl mbedTLS ncurses jansson; do
	check "--version names $lib with a version: $out" grep -qE "^$lib [0-9]" out.txt
done
check "the Debian changelog's newest entry is the version" \
	grep -q "^counterpoint ($version) " "$SRC/packaging/debian/changelog"

# ---- counterpoint(1) against --help
run --help
help=$out
commands=$(sed -n '/^Commands:/,/^$/p' <<<"$help" | sed -n 's/^  \([a-z][a-z ]*[a-z]\)  .*/\1/p;s/^  \([a-z]*\)$/\1/p')
check "--help lists commands" test "$(wc -l <<<"$commands")" -ge 8
section() { # the man page's section $1, up to the next .SH
	awk -v s="$1" '/^\.SH / { on = ($0 == ".SH " s) ; next } on' "$MAN"
}
mancmds=$(section COMMANDS)
while IFS= read -r c; do
	[ -n "$c" ] || continue
	first=${c%% *}
	check "counterpoint(1) documents the command '$c'" \
		grep -qE "^\.B[IR]? \"?$first( |\"|$)" <<<"$mancmds"
	check "counterpoint(1)'s synopsis shows '$first'" \
		grep -qE "^\.B $first( |$)" <<<"$(section SYNOPSIS)"
done <<<"$commands"
options=$(sed -n '/^Options:/,/^$/p' <<<"$help" | grep -oE -- '--[a-z][a-z-]*' | sort -u)
manopts=$(section OPTIONS | sed 's/\\-/-/g')
for o in $options; do
	check "counterpoint(1) documents the option $o" grep -qF -- "$o" <<<"$manopts"
done
exits=$(section "EXIT STATUS" | sed -n '/^\.TP$/{n;s/^\.B \([0-9]*\)$/\1/p}' | tr '\n' ' ')
check "counterpoint(1) lists the exit statuses 0 1 2 3 75 (got '$exits')" test "$exits" = "0 1 2 3 75 "
for s in 0 1 2 3 75; do
	check "--help names exit status $s" grep -qE "(: |; )$s " <<<"$(sed -n '/^Exit status/,$p' <<<"$help" | tr '\n' ' ')"
done
if command -v man >/dev/null; then
	warn=$(MANWIDTH=80 man --warnings -l "$MAN" 2>&1 >/dev/null || true)
	check "counterpoint(1) renders without warnings: $warn" test -z "$warn"
fi

# ---- exit statuses
run frobnicate
check "an unknown command exits 2 (got $rc)" test "$rc" -eq 2
run --db till.db init
check "init: $err" test "$rc" -eq 0
run --db till.db sync --once
check "sync --once, not enrolled: a person must act, exit 3 (got $rc): $err" test "$rc" -eq 3
run --db none.db sync --daemon
check "sync --daemon without a database exits 3, not restarted (got $rc): $err" test "$rc" -eq 3
check "... and says how to make one: $err" grep -q 'counterpoint init' err.txt
prevent=$(sed -n 's/^RestartPreventExitStatus=//p' "$UNIT")
check "the unit is not restarted after 2 or 3, but is after 75 (got '$prevent')" \
	test "$prevent" = "2 3"
check "the unit restarts on failure after a pause" \
	bash -c "grep -q '^Restart=on-failure$' '$UNIT' && grep -q '^RestartSec=' '$UNIT'"

# ---- backup
run --db till.db backup copy.db
check "backup exits 0: $out $err" test "$rc" -eq 0
check "backup verified the copy: $out" grep -q '^ok: 0 journal rows' out.txt
run --db copy.db verify
check "verify accepts the copy: $out $err" test "$rc" -eq 0
check "the copy is private here (0600)" test "$(stat -c %a copy.db)" = 600
printf 'keep me\n' >taken.db
run --db till.db backup taken.db
check "backup onto an existing file exits 2 (got $rc)" test "$rc" -eq 2
check "... says so: $err" grep -q 'already exists' err.txt
check "... and leaves it as it was" test "$(cat taken.db)" = "keep me"
run --db missing.db backup copy2.db
check "backup of no database exits 2 (got $rc)" test "$rc" -eq 2
check "... and makes nothing" test ! -e copy2.db
run --db till.db backup
check "backup without a FILE exits 2 (got $rc)" test "$rc" -eq 2

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
