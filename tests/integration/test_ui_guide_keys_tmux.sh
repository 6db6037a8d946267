#!/usr/bin/env bash
# test_ui_guide_keys_tmux.sh — every guide key reachable and visible on narrow terminals (issue
# 10): at 80x24 and 100x30, in English and in Chinese, the sale screen's footer keeps F1, and
# each guide key (b bind, F11 served by, F12 guide's day, u unbind) is either in the footer with
# its label or listed with its label by F1's help (which lists every key of the screen, in two
# columns when one does not fit); and F12 then works at that size. Loopback-free, tmux only.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uiguidekeys tmux python3

SOCK=$PWD/tmux-0.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
# One tmux server per language and size (a socket each), all ended on exit.
trap 'for s in tmux-*.sock; do tmux -S "$s" kill-server 2>/dev/null; done' EXIT

zh=1
if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	fail "zh_CN.UTF-8 is not installed (packaging/deps.sh generates it): Chinese not tested"
	zh=0
fi
"$CP_BINARY" --db ./demo.db init --demo >/dev/null

# found FILE KEY ALT LABEL: a line of FILE shows KEY (or KEY/ALT, KEY or ALT) then LABEL.
found() {
	python3 - "$@" <<'PY'
import re, sys
text, key, alt, label = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3], sys.argv[4]
a = "" if alt == "-" else "(/%s| \\S+ %s)?" % (re.escape(alt), re.escape(alt))
sys.exit(0 if re.search(r"(^|\s)%s%s\s+%s" % (re.escape(key), a, re.escape(label)), text,
                        re.M) else 1)
PY
}

# one LANG COLS ROWS: a till at that size and language; the guide keys checked.
one() {
	local lang=$1 cols=$2 rows=$3 where=$1-$2x$3 k key alt label
	local -a keyset
	if [ "$lang" = zh ]; then
		keyset=("b - 绑定导购" "F11 s 服务导购" "F12 d 导购日报" "u - 解绑")
		envs="LANG=zh_CN.UTF-8 LC_ALL= LANGUAGE="
		help=按键说明 itemf=商品码 login=工号 badge=导购工牌
	else
		keyset=("b - Bind guide" "F11 s Served by" "F12 d Guide's day" "u - Unbind")
		envs="LANG=C.UTF-8 LC_ALL= LANGUAGE="
		help=Keys itemf="Item code" login="Staff code" badge="Guide's badge"
	fi
	T kill-server 2>/dev/null
	SOCK=$PWD/tmux-$where.sock
	T new-session -d -s till -x "$cols" -y "$rows" -c "$PWD" \
		"env $envs TERM=screen '$CP_BINARY' --db ./demo.db 2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
	expect "$where: the login screen" "$login" 60 || return
	keys 1001 Enter
	keys 1111 Enter
	expect "$where: the cashier is logged in" "$itemf" || return
	sleep 0.3
	screen | tail -n 1 >"footer-$where.txt"
	check_footer_f1 "$where"
	keys F1
	expect "$where: F1 opens the help" "$help" || return
	sleep 0.3
	screen >"help-$where.txt"
	keys Escape
	gone "$where: any key closes the help" "$help"
	for k in "${keyset[@]}"; do
		key=${k%% *}
		alt=${k#* }
		alt=${alt%% *}
		label=${k#* * }
		if found "footer-$where.txt" "$key" "$alt" "$label"; then
			pass
			echo "$where: $key in the footer"
		elif found "help-$where.txt" "$key" "$alt" "$label"; then
			pass
			echo "$where: $key in F1's help"
		else
			fail "$where: '$key $label' neither in the footer [$(cat "footer-$where.txt")] nor in F1's help"
		fi
	done
	# The key does what it says at this size: F12 asks for the guide's badge.
	keys F12
	expect "$where: F12 asks for the guide's badge" "$badge"
	keys Escape
	gone "$where: Esc closes it" "$badge"
}
check_footer_f1() {
	if found "footer-$1.txt" F1 "?" "$([ "${1%%-*}" = zh ] && echo 帮助 || echo Help)"; then
		pass
	else
		fail "$1: the footer does not show F1 (help): $(cat "footer-$1.txt")"
	fi
}

for size in "80 24" "100 30"; do
	one en $size
	[ "$zh" -eq 1 ] && one zh $size
done
finish
