#!/usr/bin/env bash
# test_report_days.sh — random days of sales, refunds, post-voids, registrations, pay-ins, shift
# closes and Z reports under a moved clock (faketime), across cut-overs and a month boundary;
# every figure of every day's report must equal a recomputation from the journal's payloads,
# and verify must hold (it recomputes each Z). The work is in report_days.py.
set -euo pipefail
. "$(dirname "$0")/scratch_lib.sh"
scratch_env report_days faketime python3
# faketime preloads its library; a sanitizer build must be told that this is fine.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

python3 "$CP_SOURCE_DIR/tests/integration/report_days.py" "$CP_BINARY" \
	"$CP_SOURCE_DIR/packaging/demo/store.json" "${CP_REPORT_SEED:-11}"
