# tmux_lib.sh — what the terminal end-to-end tests share: the till in a tmux session of its own
# (socket $SOCK, window "till"), keys sent with send-keys, the screen read with capture-pane,
# polling expectations that count passes and failures (a failure prints the screen), and the
# summary, which also fails on any sanitizer report the till left in stderr.txt or asan.*.
# Source it after setting SOCK; it sets passed, failed and T0.

passed=0
failed=0
T0=$(date +%s)
T() { tmux -u -f /dev/null -S "$SOCK" "$@"; }
screen() { T capture-pane -p -t till 2>/dev/null; }
status_line() { screen | head -n 1; }
keys() { T send-keys -t till "$@"; }
# A scanner: the code and Enter in one burst. One tmux command line sends both, as a scanner
# does: two tmux processes, one for the code and one for Enter, can be more than the till's
# burst gap apart on a loaded machine, and the till then takes the code as typed.
scan() {
	T send-keys -t till -l "$1" \; send-keys -t till Enter
}
now_ms() { date +%s%3N; }
pass() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*" >&2
	echo "---- screen ----" >&2
	screen >&2
	echo "----------------" >&2
}
# wait_grep -F|-E PATTERN [SECONDS]: polls the screen (every 50 ms) until grep finds PATTERN,
# a fixed string (-F) or an extended regular expression (-E), for up to SECONDS (10).
wait_grep() {
	local limit=$(((${3:-10}) * 20)) i
	for ((i = 0; i < limit; i++)); do
		if screen | grep -q "$1" -- "$2"; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}
wait_for() { wait_grep -F "$@"; }
wait_re() { wait_grep -E "$@"; }
# expect DESCRIPTION TEXT [SECONDS]: TEXT shows within SECONDS (10); false when it did not.
expect() {
	if wait_for "$2" "${3:-10}"; then
		pass
	else
		fail "$1: '$2' not on the screen"
		return 1
	fi
}
expect_re() {
	if wait_re "$2" "${3:-10}"; then
		pass
	else
		fail "$1: /$2/ not on the screen"
		return 1
	fi
}
# expect_line DESCRIPTION TEXT1 TEXT2: one line of the screen shows both, within 5 s.
expect_line() {
	local i
	for ((i = 0; i < 100; i++)); do
		if screen | grep -F -- "$2" | grep -qF -- "$3"; then
			pass
			return
		fi
		sleep 0.05
	done
	fail "$1: no line with '$2' and '$3'"
}
# gone DESCRIPTION TEXT: TEXT goes away within 5 s.
gone() {
	local i
	for ((i = 0; i < 100; i++)); do
		if ! screen | grep -qF -- "$2"; then
			pass
			return
		fi
		sleep 0.05
	done
	fail "$1: '$2' still on the screen"
}
# finish: counts sanitizer reports as failures, prints the summary and exits with its verdict.
finish() {
	local f
	for f in stderr.txt asan.* ubsan.*; do
		if [ -s "$f" ] && grep -q "ERROR: AddressSanitizer\|runtime error\|LeakSanitizer" "$f"; then
			failed=$((failed + 1))
			echo "FAIL: sanitizer reports in $f: $(head -30 "$f")" >&2
		fi
	done
	echo "($(($(date +%s) - T0)) s)"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
