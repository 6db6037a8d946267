#!/usr/bin/env bash
# test_flush_count.sh — the durable flushes of a whole sale (issue 14), counted by the failsync.c
# shim through tests/bench/bench_flush.sh: after a warm-up, a sale (attach a member, five scans,
# pay) makes at most 2 flushes with the WAL checkpoints included; the scans make none (they
# commit with synchronous=NORMAL) and the pay at least one (it stays durable). Counts only: no
# time decides anything here.
set -euo pipefail
. "$CP_SOURCE_DIR/tests/integration/scratch_lib.sh"
: "${CP_FAILSYNC_LIB:?CP_FAILSYNC_LIB must name the failsync shim}"
scratch_env flush_count python3

PRELOAD=$CP_FAILSYNC_LIB
asan=$(ldd "$CP_BINARY" | awk '/lib[at]san/ { print $3; exit }')
[ -n "$asan" ] && PRELOAD="$asan $CP_FAILSYNC_LIB"

# 150 sales: the WAL passes its checkpoint size at least once among them.
out=$(bash "$CP_SOURCE_DIR/tests/bench/bench_flush.sh" --counterpoint "$CP_BINARY" \
	--shim "$PRELOAD" --dir "$PWD/bench" -n 150 --warm 30)
echo "$out"
val() { printf '%s\n' "$out" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }

check() { # check WHAT EXPR
	if awk "BEGIN { exit !($2) }"; then pass; else fail "$1 ($2)"; fi
}
check "a whole sale makes at most 2 flushes, checkpoints included" "$(val per_sale) <= 2"
check "scans make no flush" "$(val scan) == 0"
check "each pay is flushed" "$(val pay) >= 1"
check "the WAL was checkpointed among the sales, amortised below 0.1 flush a sale" \
	"$(val checkpoints) >= 1 && $(val checkpoint_per_sale) < 0.1"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
