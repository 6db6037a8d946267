#!/usr/bin/env bash
# check_symbols_test.sh — check_symbols.sh fails on planted violations and passes a clean set:
# four tiny static libraries built here stand for core, sync, platform and ui (issue 13).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lib() { # lib NAME SYMBOL... : a static library defining each SYMBOL as a function
	local name=$1 src="$tmp/$1.c"
	shift
	: >"$src"
	for s in "$@"; do
		printf 'int %s(void);\nint %s(void) { return 0; }\n' "$s" "$s" >>"$src"
	done
	"$CC" -c "$src" -o "$tmp/$name.o"
	rm -f "$tmp/$name.a"
	ar rcs "$tmp/$name.a" "$tmp/$name.o"
}
run() { # run WHAT EXPECTED-STATUS EXPECTED-TEXT
	local out rc=0
	out=$(bash "$here/check_symbols.sh" "$tmp/core.a" "$tmp/sync.a" "$tmp/platform.a" \
		"$tmp/ui.a" 2>&1) || rc=$?
	if [ "$rc" -ne "$2" ] || ! grep -qF -- "$3" <<<"$out"; then
		echo "FAIL: $1: exit $rc (wanted $2), output: $out"
		exit 1
	fi
	echo "ok: $1: $(head -1 <<<"$out")"
}
clean() {
	lib core cp_db_open cp_sale_pay cp_receipt_get
	lib sync cp_sync_once cp_sync_http_do
	lib platform cp_log cp_errf cp_clock_now
	lib ui cp_ui_run cp_ui_receipt_render
}
clean
run "the clean set" 0 "symbols: ok"
lib core cp_db_open db_begin
run "core exports db_begin" 1 "core exports db_begin without the project prefix cp_"
clean
lib ui cp_ui_run cp_receipt_render
run "ui exports cp_receipt_render" 1 "module cp_receipt_ is exported by core and ui"
clean
lib core cp_db_open cp_clock_confirm
run "core exports cp_clock_confirm" 1 "module cp_clock_ is exported by core and platform"
clean
lib sync cp_sync_once cp_http_do
run "sync exports cp_http_do" 1 "every sync symbol begins with cp_sync_"
clean
lib platform cp_log cp_ui_planted
run "platform exports cp_ui_planted" 1 "cp_ui_ and cp_sync_ names are ui's and sync's"
echo "check_symbols: every planted violation fails, the clean set passes"
