#!/usr/bin/env bash
# test_script_item.sh — item search and the price check in script mode on the demo store:
# `item_search` finds by part of the Chinese name, the English name in any case and the pinyin
# initials, a page at a time; `price_check` shows the prices (and the attached member's) and
# adds nothing; bad requests are refused; verify holds.
set -u

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env scriptitem
q() {
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' ./demo.db "$1"
}
# has FILE N PYTHON-EXPR: true over j, the Nth answer of FILE.
has() {
	python3 -c 'import json, sys
j = json.loads(sys.argv[1])
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$(sed -n "${2}p" "$1")" "$3"
}
check() { if has "$2" "$3" "$4"; then pass; else fail "$1: $(sed -n "${3}p" "$2")"; fi; }
skus() { echo "[i[\"sku\"] for i in j[\"items\"]]"; }

"$CP_BINARY" --db ./demo.db init --demo >/dev/null
cat >in1.txt <<'EOT'
{"cmd":"login","staff":"1001","pin":"1111"}
{"cmd":"item_search","query":"牛奶"}
{"cmd":"item_search","query":"MILK","limit":1}
{"cmd":"item_search","query":"milk","limit":1,"offset":1}
{"cmd":"item_search","query":"cnn"}
{"cmd":"item_search","query":"kl330"}
{"cmd":"item_search","query":"雪碧"}
{"cmd":"item_search","query":"  "}
{"cmd":"item_search","query":"牛奶","limit":0}
{"cmd":"item_search"}
{"cmd":"scan","code":"6903468885155"}
{"cmd":"price_check","code":"6903468794396"}
{"cmd":"attach","card":"8800000002"}
{"cmd":"price_check","code":"10008"}
{"cmd":"price_check","code":"6903468995854"}
{"cmd":"price_check","code":"6903468794390"}
{"cmd":"price_check","code":"NOSUCH"}
{"cmd":"cart"}
EOT
"$CP_BINARY" --db ./demo.db script <in1.txt >out1.txt 2>err1.txt
check "by part of the Chinese name" out1.txt 2 "$(skus) == [\"10008\", \"10010\"] and not j[\"more\"]"
check "English in any case, paged" out1.txt 3 "$(skus) == [\"10008\"] and j[\"more\"] and j[\"items\"][0][\"price\"] == 5990 and j[\"items\"][0][\"member_price\"] == 4990 and j[\"items\"][0][\"name\"] == \"纯牛奶 250ml×12\""
check "the next page" out1.txt 4 "$(skus) == [\"10010\"] and j[\"more\"] and j[\"items\"][0][\"member_price\"] is None"
check "pinyin initials" out1.txt 5 "$(skus) == [\"10008\"]"
check "initials and digits" out1.txt 6 "$(skus) == [\"10035\"]"
check "no match" out1.txt 7 'j["ok"] and j["items"] == [] and not j["more"]'
check "an empty query is refused" out1.txt 8 'j["error"]["code"] == "invalid_input" and "pinyin initials" in j["error"]["message"]'
check "a bad limit is refused" out1.txt 9 'j["error"]["code"] == "invalid_input" and "limit" in j["error"]["message"]'
check "no query is refused" out1.txt 10 'j["error"]["code"] == "invalid_input"'
check "price check without a member" out1.txt 12 'j["item"]["sku"] == "10008" and j["price"] == 5990 and j["member_price"] == 4990 and j["member"] is None and j["member_pays"] is None'
check "price check with the attached member" out1.txt 14 'j["member"] is not None and "****" in j["member"] and j["member_pays"] == 4990'
check "a member pays the price without a member price" out1.txt 15 'j["member_pays"] == 1550 and j["member_price"] is None'
check "a wrong check digit" out1.txt 16 'j["error"]["code"] == "invalid_input"'
check "an unknown code" out1.txt 17 'j["error"]["code"] == "not_found"'
check "the price checks added nothing" out1.txt 18 'len(j["cart"]["lines"]) == 1 and j["cart"]["lines"][0]["sku"] == "10005" and j["cart"]["items"] == 1'
if [ "$(q "SELECT count(*) FROM journal WHERE type <> 'shift_open'")" = 0 ]; then pass; else fail "searching journaled nothing"; fi
if "$CP_BINARY" --db ./demo.db verify >/dev/null 2>&1; then pass; else fail "verify holds"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
