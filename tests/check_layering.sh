#!/usr/bin/env bash
# Fails when a layer includes what it must not: core knows no screen and no network, ui runs no
# SQL and no curl, platform knows neither the database nor the screen.
set -u
top=${1:-.}
fail=0
check() {
	local dir=$1 pat=$2 hits
	hits=$(grep -rlE "#[[:space:]]*include[[:space:]]*[<\"]($pat)" "$top/$dir" 2>/dev/null)
	if [ -n "$hits" ]; then
		echo "layering: $dir/ includes what it must not ($pat):" $hits
		fail=1
	fi
}
check core 'ncurses|curses.h|curl/'
check ui 'sqlite3.h|curl/'
check platform 'sqlite3.h|curl/|ncurses|curses.h'
check sync 'ncurses|curses.h|sqlite3.h'
[ $fail -eq 0 ] && echo "layering: ok"
exit $fail
