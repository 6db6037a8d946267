#!/usr/bin/env bash
# check_symbols.sh — every symbol a library exports carries its layer's prefix, and no module
# prefix is exported by two libraries (issue 13), read from `nm` of the four static libraries.
#
# The scheme (the fewest renames that leave no doubt which library a name is in):
#   - every exported (global, defined) symbol begins with cp_;
#   - ui exports only cp_ui_* names, sync only cp_sync_* names (one prefix for a whole layer);
#   - core and platform keep their module names, cp_<module>_* (cp_db_*, cp_sale_*, ...;
#     platform's cp_clock_*, cp_log_*, cp_errf, ...), and no cp_ui_ or cp_sync_ name;
#   - a module, the word after cp_ (cp_<module>_ or a bare cp_<module>), belongs to one
#     library only: core's internal functions are cp_<module>_* like its public ones.
# Usage: check_symbols.sh CORE.a SYNC.a PLATFORM.a UI.a   (exit 1 naming each offending symbol)
set -u
if [ $# -ne 4 ]; then
	echo "usage: $0 libcp_core.a libcp_sync.a libcp_platform.a libcp_ui.a" >&2
	exit 2
fi
NM=${NM:-nm}
names=(core sync platform ui)
libs=("$@")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for i in 0 1 2 3; do
	if ! "$NM" -g --defined-only "${libs[$i]}" >"$tmp/nm.out" 2>"$tmp/nm.err"; then
		echo "symbols: cannot read ${libs[$i]}: $(head -1 "$tmp/nm.err")" >&2
		exit 2
	fi
	# global text, data, bss, read-only and common symbols (not weak or local ones)
	# a sanitizer build adds its own symbols (__odr_asan.NAME beside each global, __asan_*,
	# __ubsan_*, __tsan_*, __sancov_*): the compiler's, not the project's
	awk 'NF == 3 && $2 ~ /^[TDBRCVW]$/ && $3 !~ /^__(odr_asan|asan|ubsan|tsan|sancov|sanitizer)/ { print $3 }' \
		"$tmp/nm.out" | sort -u >"$tmp/${names[$i]}"
done
bad() {
	echo "symbols: $1"
	fail=1
}
for lib in "${names[@]}"; do
	while read -r s; do
		case "$lib:$s" in
		ui:cp_ui_* | sync:cp_sync_*) ;;
		ui:* | sync:*) bad "$lib exports $s: every $lib symbol begins with cp_${lib}_" ;;
		*:cp_ui_* | *:cp_sync_*) bad "$lib exports $s: cp_ui_ and cp_sync_ names are ui's and sync's" ;;
		*:cp_*) ;;
		*) bad "$lib exports $s without the project prefix cp_" ;;
		esac
	done <"$tmp/$lib"
done
# module -> library; a module exported by two libraries is named once per pair
for lib in "${names[@]}"; do
	sed -n 's/^cp_\([a-z0-9]*\).*/\1/p' "$tmp/$lib" | sort -u | sed "s/\$/ $lib/"
done | sort >"$tmp/modules"
awk '{ if ($1 == m && $2 != l) print "symbols: module cp_" $1 "_ is exported by " l " and " $2; m = $1; l = $2 }' \
	"$tmp/modules" >"$tmp/dups"
if [ -s "$tmp/dups" ]; then
	cat "$tmp/dups"
	fail=1
fi
total=$(cat "$tmp"/core "$tmp"/sync "$tmp"/platform "$tmp"/ui | wc -l)
if [ $fail -eq 0 ]; then
	echo "symbols: ok ($total exported symbols, each with its layer's prefix)"
fi
exit $fail
