#!/usr/bin/env bash
# test_script_consent.sh — registration in script mode asks for the shopper's consent to the
# membership terms: without "consent":true, or with a version no longer in force, it is refused
# and records nothing; with it, the journal event carries the consent and the terms' version
# ([member] terms_version here), and verify holds.
set -u

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env scriptconsent
q() {
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' ./demo.db "$1"
}
has() {
	python3 -c 'import json, sys
j = json.loads(sys.argv[1])
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$(sed -n "${2}p" "$1")" "$3"
}
check() { if has "$2" "$3" "$4"; then pass; else fail "$1: $(sed -n "${3}p" "$2")"; fi; }

printf '[member]\nterms_version = 2026-12\n' >consent.ini
"$CP_BINARY" --config consent.ini --db ./demo.db init --demo >/dev/null
cat >in1.txt <<'EOT'
{"cmd":"login","staff":"1001","pin":"1111"}
{"cmd":"register","phone":"13712345678","name":"王小明"}
{"cmd":"register","phone":"13712345678","consent":false}
{"cmd":"register","phone":"13712345678","consent":"yes"}
{"cmd":"register","phone":"13712345678","consent":true,"terms_version":"1"}
{"cmd":"register","phone":"13712345678","name":"王小明","consent":true,"terms_version":"2026-12"}
EOT
"$CP_BINARY" --config consent.ini --db ./demo.db script <in1.txt >out1.txt 2>err1.txt
check "no consent is refused" out1.txt 2 '
j["error"]["code"] == "invalid_input" and j["error"]["message"] ==
"the shopper has not agreed to the membership terms (version 2026-12): ask them, and register only once they agree"'
check "consent false is refused" out1.txt 3 'j["error"]["code"] == "invalid_input"'
check "consent not a boolean is refused" out1.txt 4 'j["error"]["code"] == "invalid_input" and "consent" in j["error"]["message"]'
check "terms no longer in force are refused" out1.txt 5 'j["error"]["code"] == "state" and "now version 2026-12" in j["error"]["message"]'
check "with consent the member is registered" out1.txt 6 'j["ok"] and j["member"]["local"]'
if [ "$(q "SELECT count(*) FROM journal WHERE type = 'member_register'")" = 1 ]; then pass; else fail "the refusals recorded nothing"; fi
if [ "$(q "SELECT json_extract(payload, '\$.consent') || ' ' || json_extract(payload, '\$.terms_version') FROM journal WHERE type = 'member_register'")" = "1 2026-12" ]; then
	pass
else
	fail "the journal event carries the consent and the version"
fi
if [ "$(q "SELECT terms_version FROM member_consent")" = 2026-12 ]; then pass; else fail "member_consent holds the version"; fi
if "$CP_BINARY" --config consent.ini --db ./demo.db verify >/dev/null 2>&1; then pass; else fail "verify holds"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
