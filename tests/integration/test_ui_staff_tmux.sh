#!/usr/bin/env bash
# test_ui_staff_tmux.sh — a manager on the spot in a real 100x30 terminal, in English and in
# Chinese: a cashier's till opens the manager menu with the manager's PIN, F7 lists the staff
# code that wrong PINs locked; unlocking it with a cashier's code and PIN as the authority is
# refused and records nothing, with the manager's it is unlocked (one staff_unlock event); a
# new PIN typed twice (differing: refused) is set with the manager's authority (one
# staff_reset_pin event), never shown, and the staff member logs in with it.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uistaff tmux

runs=0
SOCK=$PWD/tmux-0.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

q() {
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' ./demo.db "$1"
}
script_answer() { printf '%s\n' "$@" | "$CP_BINARY" --db ./demo.db script 2>/dev/null | tail -n 1; }

# start LANG: a fresh demo database with 1001 locked, and the till at 100x30.
start() {
	T kill-server 2>/dev/null
	runs=$((runs + 1))
	SOCK=$PWD/tmux-$runs.sock
	rm -f ./demo.db ./demo.db-wal ./demo.db-shm
	"$CP_BINARY" --db ./demo.db init --demo >/dev/null
	for _ in 1 2 3 4 5; do
		script_answer '{"cmd":"login","staff":"1001","pin":"0000"}' >/dev/null
	done
	T new-session -d -s till -x 100 -y 30 -c "$PWD" \
		"env LANG=$1 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --db ./demo.db \
		2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
}

# run LANG LOGGED_IN MENU TITLE LOCKED UNLOCKED DIFFER NEWPIN
run() {
	local lang=$1
	expect "$lang: the login screen" "$2" 60 || return
	keys 1002 Enter 2222 Enter
	expect "$lang: the cashier is logged in" "$3" || return
	keys F9
	keys 9001 Enter 9999 Enter
	expect "$lang: the manager menu" "$4" || return
	keys F7
	expect "$lang: the staff screen" "$5" || return
	expect "$lang: the locked code is listed" "1001" || return
	keys F7
	keys 1002 Enter 2222 Enter
	sleep 0.5
	if [ "$(q "SELECT count(*) FROM journal WHERE type = 'staff_unlock'")" = 0 ]; then
		pass
	else
		fail "$lang: a cashier's authority unlocked"
	fi
	keys Escape
	keys F7
	keys 9001 Enter 9999 Enter
	expect "$lang: unlocked" "$6" || return
	keys Enter
	keys 5678 Enter
	keys 5679 Enter
	expect "$lang: two different PINs are refused" "$7" || return
	keys 5678 Enter
	keys 5678 Enter
	keys 9001 Enter 9999 Enter
	expect "$lang: the new PIN is set" "$8" || return
	if screen | grep -qF 5678; then fail "$lang: the new PIN was shown"; else pass; fi
	if [ "$(q "SELECT group_concat(type) FROM journal WHERE type LIKE 'staff_%'")" = "staff_unlock,staff_reset_pin" ]; then
		pass
	else
		fail "$lang: one event each"
	fi
	if script_answer '{"cmd":"login","staff":"1001","pin":"5678"}' | grep -q '"ok":true'; then
		pass
	else
		fail "$lang: the staff member logs in with the new PIN"
	fi
	if "$CP_BINARY" --db ./demo.db verify >/dev/null 2>&1; then pass; else fail "$lang: verify holds"; fi
}

start C.UTF-8
run en "Staff code" "Item code" "Manager menu" "Staff codes: unlock, or set a new PIN" \
	"Staff code 1001 (王芳) is unlocked" "The two PINs differ" "Staff code 1001 (王芳) has a new PIN"

if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	start zh_CN.UTF-8
	run zh_CN "工号" "商品码" "$(printf '店长菜单')" "员工工号：解锁或设置新密码" \
		"工号 1001（王芳）已解锁" "两次输入的密码不一致" "工号 1001（王芳）已设置新密码"
else
	fail "zh_CN.UTF-8 is not installed (packaging/deps.sh generates it): the Chinese screens were not checked"
fi
finish
