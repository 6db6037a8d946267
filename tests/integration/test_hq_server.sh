#!/usr/bin/env bash
# test_hq.sh — the reference HQ (tests/hq/hq.py) against sync/PROTOCOL.md: runs the unittest
# suite tests/hq/test_hq.py (TLS on 127.0.0.1 with certificates made by make_certs.sh) and
# prints its count in the form the other integration tests use.
set -euo pipefail

: "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}"
export TZ=${TZ:-Asia/Shanghai}
export TMPDIR=$PWD/tmp
rm -rf "$TMPDIR" && mkdir -p "$TMPDIR"

status=0
python3 "$CP_SOURCE_DIR/tests/hq/test_hq.py" -v 2>&1 | tee hq-tests.log || status=$?

# unittest ends with "Ran N tests in ..." and "OK" or "FAILED (failures=F, errors=E)".
ran=$(sed -n 's/^Ran \([0-9][0-9]*\) tests\{0,1\} in .*/\1/p' hq-tests.log | tail -n 1)
ran=${ran:-0}
failures=$(sed -n 's/^FAILED (.*failures=\([0-9][0-9]*\).*/\1/p' hq-tests.log | tail -n 1)
errors=$(sed -n 's/^FAILED (.*errors=\([0-9][0-9]*\).*/\1/p' hq-tests.log | tail -n 1)
failed=$((${failures:-0} + ${errors:-0}))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1 # the suite died before it could count
fi
echo "$((ran - failed > 0 ? ran - failed : 0)) passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
