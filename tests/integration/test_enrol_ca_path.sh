#!/usr/bin/env bash
# test_enrol_ca_path.sh — `enrol --ca certs/ca.pem` stores the CA file's absolute path
# (issue 13): a sync started from another directory, as a daemon is, still finds it.
# HQ runs on 127.0.0.1 only.
set -euo pipefail
. "$CP_SOURCE_DIR/tests/integration/sync_lib.sh"
sync_lib_enter enrol_ca_path

hq_init hq.db
hq_start hq.db hq 0 --cert "$CERTS/server.pem" --key "$CERTS/server.key"
URL=https://127.0.0.1:$HQ_PORT

"$CP" --db till.db init --demo >/dev/null
run --db till.db enrol --hq "$URL" --code "$(hq_code hq.db S001 T01)" --ca certs/ca.pem
check "enrol with a relative --ca works: $err" test "$rc" -eq 0
stored=$(python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(
    "SELECT value FROM meta WHERE key = '"'"'hq_ca_file'"'"'").fetchone()[0])' till.db)
check "the stored CA path is absolute: $stored" test "$stored" = "$CERTS/ca.pem"

mkdir -p elsewhere
cd elsewhere
run --db ../till.db sync --once
check "sync --once from another directory trusts the stored CA: $err" test "$rc" -eq 0
cd ..

run --db till.db enrol --hq "$URL" --code "$(hq_code hq.db S001 T01)" --ca no/such/ca.pem
check "a --ca that does not exist is refused" test "$rc" -ne 0
check "... saying so: $err" has "$err" 'no/such/ca.pem'

finish
