#!/usr/bin/env bash
# test_script_parse.sh — script mode reads a request of plain strings and integers without
# jansson's parser (script_parse_flat, issue 14: the CPU of a sale); its answers must be those
# of the parser. Every request is sent twice, to two new demo stores: as written, and with
# "cmd" spelled with an escape ("c\u006dd"), which only jansson reads. The answers must be the
# same byte for byte (verification codes, times and the columns of a refusal, five further on
# in the escaped line, aside), refusals included.
set -u

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env scriptparse

cat >plain.txt <<'EOT'
{"cmd":"login","staff":"1001","pin":"1111"}
 { "cmd" : "scan" , "code" : "10001" , "qty" : 2 } 
{"cmd":"scan","code":"10001","qty":-0}
{"cmd":"scan","code":"10001","qty":01}
{"cmd":"scan","code":"10001","qty":1.0}
{"cmd":"scan","code":"10001","qty":1e2}
{"cmd":"scan","code":"10001","qty":123456789012345678}
{"cmd":"scan","code":"10001","qty":1234567890123456789012}
{"cmd":"scan","code":"10001","qty":-}
{"cmd":"scan","code":"10001","qty":-5}
{"cmd":"scan","code":"10001","code":"10002"}
{"cmd":"scan","code":"10001",}
{"cmd":"scan","code":"10001"} x
{"cmd":"scan","code":"10001"}}
{"cmd":"scan","code":"10001","x":true}
{"cmd":"scan","code":"10001","x":null}
{"cmd":"scan","code":"香蕉"}
{"cmd":"scan","code":"a\tb"}
{"cmd":"scan","code":"a\"b"}
{"cmd":"scan","":"x"}
{"id":7,"cmd":"cart"}
{"id":"abc","cmd":"cart","zzz":1}
{"cmd":"scan"
{"cmd" "scan"}
{"cmd":"attach","phone":"13800138000"}
{"cmd":"scan","code":"10002"}
{"cmd":"scan","code":"10002","qty":3}
{"cmd":"pay","tenders":[{"method":"cash","amount":"1000.00"}]}
EOT
printf '{"cmd":"scan","code":"1000\t1"}\n{}\n[1,2]\n"str"\n' >>plain.txt
sed 's/"cmd"/"c\\u006dd"/' plain.txt >escaped.txt
if grep -q 'u006d' escaped.txt && ! grep -q 'u006d' plain.txt; then pass; else fail "the escaped requests"; fi

for run in plain escaped; do
	mkdir "$run"
	printf '[security]\npbkdf2_iterations = 1000\n' >"$run/till.ini"
	"$CP_BINARY" --config "$run/till.ini" --db "$run/till.db" init --demo >/dev/null
	"$CP_BINARY" --config "$run/till.ini" --db "$run/till.db" script <"$run.txt" >"$run/answers" 2>&1
	sed -E 's/"verify_code":"[0-9a-f]+"/"verify_code":"-"/; s/[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9:]{5,8}/TIME/g; s/column [0-9]+/column N/' \
		"$run/answers" >"$run/answers.cmp"
done
if [ "$(wc -l <plain/answers)" -eq "$(wc -l <plain.txt)" ]; then pass; else fail "an answer a request"; fi
if cmp -s plain/answers.cmp escaped/answers.cmp; then pass; else
	fail "answers differ: $(diff plain/answers.cmp escaped/answers.cmp | head -5)"
fi
if grep -q '"receipt":"S001-T01-000001"' plain/answers; then pass; else fail "the sale was paid"; fi
if [ "$(grep -c '"ok":false' plain/answers)" -ge 20 ]; then pass; else
	fail "refusals: $(grep -c '"ok":false' plain/answers)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
