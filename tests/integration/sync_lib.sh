# sync_lib.sh — what the sync integration tests share (sourced, not a test itself): a scratch
# directory, test certificates, the reference HQ started on 127.0.0.1 with a port file and
# killed on exit, and helpers to run counterpoint and check JSON. Loopback only, always.

: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
: "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}"
CP=$CP_BINARY
HQ_PY=$CP_SOURCE_DIR/tests/hq/hq.py
STORE=$CP_SOURCE_DIR/packaging/demo/store.json

# sync_lib_enter NAME: a fresh scratch directory ./NAME, made the working directory.
sync_lib_enter() {
	rm -rf "./$1" && mkdir "./$1" && cd "./$1"
	export HOME=$PWD XDG_CONFIG_HOME=$PWD/config XDG_DATA_HOME=$PWD/data
	export XDG_STATE_HOME=$PWD/state XDG_CACHE_HOME=$PWD/cache XDG_RUNTIME_DIR=$PWD/run
	export TZ=${TZ:-Asia/Shanghai}
	# Loopback only: no proxy may take these connections elsewhere.
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
	export no_proxy=127.0.0.1,localhost,::1 NO_PROXY=127.0.0.1,localhost,::1
	CERTS=$PWD/certs
	bash "$CP_SOURCE_DIR/tests/hq/make_certs.sh" "$CERTS" >/dev/null
	HQ_PIDS=()
	trap sync_lib_cleanup EXIT
}

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*" >&2
}
check() { # DESCRIPTION COMMAND...: the command must succeed
	local what=$1
	shift
	if "$@"; then pass; else fail "$what"; fi
}
has() { grep -qE -- "$2" <<<"$1"; }
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# run ARGS...: counterpoint with stdin from $IN (default empty); sets rc, out, err.
IN=/dev/null
run() {
	set +e
	"$CP" "$@" <"$IN" >out.txt 2>err.txt
	rc=$?
	set -e
	out=$(cat out.txt)
	err=$(cat err.txt)
}

# jq_ok JSON PYTHON-EXPR: the expression over j is true.
jq_ok() {
	python3 -c 'import json, sys
j = json.loads(sys.argv[1])
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}
# jget JSON PYTHON-EXPR: prints the expression over j.
jget() {
	python3 -c 'import json, sys
j = json.loads(sys.argv[1])
print(eval(sys.argv[2]))' "$1" "$2"
}

# ---- the reference HQ ----

sync_lib_cleanup() {
	local pid
	for pid in "${HQ_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${HQ_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
}

hq_init() { # DB
	python3 "$HQ_PY" init --db "$1" --store-json "$STORE" >/dev/null 2>hq-init.log
}

# hq_start DB NAME PORT ARGS...: serves DB on 127.0.0.1 (PORT 0: any free port) with ARGS
# (--cert/--key or --plain), test hooks on; sets HQ_PID and HQ_PORT. The log is NAME.log.
hq_start() {
	local db=$1 name=$2 port=$3 i
	shift 3
	rm -f "$name.port"
	python3 "$HQ_PY" serve --db "$db" --host 127.0.0.1 --port "$port" --port-file "$name.port" \
		--test-hooks "$@" 2>>"$name.log" &
	HQ_PID=$!
	HQ_PIDS+=("$HQ_PID")
	for i in $(seq 1 300); do
		if [ -s "$name.port" ]; then
			HQ_PORT=$(cat "$name.port")
			return 0
		fi
		if ! kill -0 "$HQ_PID" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	echo "hq.py did not start; its log:" >&2
	cat "$name.log" >&2
	exit 1
}

hq_stop() { # PID
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

hq_code() { # DB STORE TERMINAL: a fresh enrolment code
	python3 "$HQ_PY" mint-code --db "$1" --store "$2" --terminal "$3" 2>/dev/null
}

# hq_api PORT METHOD PATH [BODY]: a test hook over TLS (trusting the test CA); prints the body.
hq_api() {
	python3 - "$CERTS/ca.pem" "$@" <<'EOF'
import ssl, sys, urllib.request
ca, port, method, path = sys.argv[1:5]
body = sys.argv[5].encode() if len(sys.argv) > 5 else None
ctx = ssl.create_default_context(cafile=ca)
req = urllib.request.Request("https://127.0.0.1:%s%s" % (port, path), data=body, method=method,
                             headers={"Content-Type": "application/json"})
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                     urllib.request.HTTPSHandler(context=ctx))
print(opener.open(req, timeout=30).read().decode())
EOF
}

# till_sale DB CONFIG [PHONE]: one paid sale of one eligible item through `counterpoint script`,
# with the member of PHONE attached when given. Prints the pay answer.
till_sale() {
	local db=$1 cfg=$2 phone=${3:-} barcode attach=
	barcode=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
cats = {c["code"]: c for c in d["categories"]}
print(next(i["barcode"] for i in d["items"] if i["barcode"]
           and not cats[i["category"]]["earn_excluded"]))' "$STORE")
	[ -n "$phone" ] && attach="{\"cmd\":\"attach\",\"phone\":\"$phone\"}"
	printf '%s\n' '{"cmd":"login","staff":"1001","pin":"1111"}' \
		"{\"cmd\":\"scan\",\"code\":\"$barcode\"}" $attach \
		'{"cmd":"pay","tenders":[{"method":"cash","amount":"1000.00"}]}' >sale.txt
	"$CP" --config "$cfg" --db "$db" script <sale.txt | tail -n 1
}

# till_status DB CONFIG: `counterpoint status --json`.
till_status() {
	"$CP" --config "$2" --db "$1" status --json
}
