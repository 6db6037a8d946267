#!/usr/bin/env bash
# test_init_killed.sh — a killed `init --demo` never leaves a store that looks valid (issue 13):
# the program is killed before its 1st, 2nd, 3rd ... file-changing call (killafter.c, no
# sleeps) until init completes (every 3rd in the middle unless CP_INIT_KILL_STRIDE=1). After every kill the database path either does not exist or is
# the whole demo store that verify accepts, and init run again succeeds.
. "$(dirname "$0")/scratch_lib.sh"
CP=$CP_BINARY
: "${CP_KILLAFTER_LIB:?CP_KILLAFTER_LIB must name the killafter shim}"

scratch_env initkilled python3
PRELOAD=$CP_KILLAFTER_LIB
asan=$(ldd "$CP_BINARY" | awk '/libasan/ { print $3; exit }')
[ -n "$asan" ] && PRELOAD="$asan $CP_KILLAFTER_LIB"
# PINs of the demo staff hash with few iterations, so that hundreds of inits stay quick.
printf '[security]\npbkdf2_iterations = 1000\n' >fast.ini
CP="$CP --config fast.ini"

# complete DB: the demo store is all there and verify accepts it.
complete() {
	python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
n = [c.execute("SELECT count(*) FROM %s" % t).fetchone()[0] for t in ("item", "member", "staff")]
sys.exit(0 if all(n) else 1)' "$1" 2>/dev/null && $CP --db "$1" verify >/dev/null 2>&1
}

# How many file-changing calls a whole init makes; then a kill before each of the first 30,
# every 3rd after, and each of the last 20 (the close and the rename), unless
# CP_INIT_KILL_STRIDE says otherwise (1: every one).
rm -f d.db*
CP_KILLAFTER_COUNT=$PWD/count.txt LD_PRELOAD=$PRELOAD $CP --db d.db init --demo >/dev/null 2>&1
total=$(cat count.txt 2>/dev/null || echo 0)
[ "$total" -gt 0 ] 2>/dev/null || { fail "the counting run reported no calls"; total=400; }
stride=${CP_INIT_KILL_STRIDE:-3}
points=$( (seq 1 30; seq 31 "$stride" "$total"; seq $((total > 20 ? total - 20 : 1)) $((total + 5))) | sort -nu)
# init killed before call N; the shell's "Killed" notice is not wanted in the log.
killed_init() {
	LD_PRELOAD=$PRELOAD CP_KILLAFTER_N=$1 $CP --db d.db init --demo >/dev/null 2>&1
} 2>/dev/null

kills=0 empty=0
for n in $points; do
	rm -f d.db d.db-wal d.db-shm
	killed_init "$n"
	rc=$?
	[ "$rc" -eq 0 ] && break
	if [ "$rc" -ne 137 ]; then
		fail "kill $n: init ended with status $rc, not killed"
		break
	fi
	kills=$((kills + 1))
	if [ -e d.db ] && ! complete d.db; then
		empty=$((empty + 1))
		[ "$empty" -eq 1 ] && fail "kill $n left d.db that is not the whole demo store"
	fi
	# Every 10th kill: init again, without a kill, finds its way past what was left.
	if [ $((kills % 10)) -eq 0 ]; then
		rm -f d.db d.db-wal d.db-shm
		if ! $CP --db d.db init --demo >/dev/null 2>err.txt || ! complete d.db; then
			fail "kill $n: init again failed: $(cat err.txt)"
		fi
	fi
done
if [ "$rc" -eq 0 ] && complete d.db; then pass; else fail "init completed in the end ($n calls)"; fi
[ "$kills" -ge 20 ] && pass || fail "expected at least 20 kill points, saw $kills"
[ "$empty" -eq 0 ] && pass || fail "$empty of $kills kills left a store that is not whole"
echo "kills: $kills of $total kill points, stores not whole: $empty"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
