#!/usr/bin/env bash
# scratch_lib.sh — how a shell test starts: it needs CP_BINARY and CP_SOURCE_DIR (ctest sets
# them), skips itself with "0 passed, 0 failed" when a tool it drives is missing, and runs in a
# scratch directory of its own with HOME, the XDG directories and TZ inside it, so that no test
# reads or writes anything of the machine's user. It counts passes and failures (tmux_lib.sh,
# sourced after it, adds the screen to a failure).

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*" >&2
}

# scratch_env DIR [TOOL...]: makes ./DIR anew and enters it.
scratch_env() {
	local dir=$1 tool
	shift
	: "${CP_BINARY:?CP_BINARY must name the counterpoint binary}"
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null; then
			echo "$tool is not installed: nothing tested"
			echo "0 passed, 0 failed"
			exit 0
		fi
	done
	rm -rf "./$dir" && mkdir "./$dir" && cd "./$dir" || exit 1
	export HOME=$PWD XDG_CONFIG_HOME=$PWD/config XDG_DATA_HOME=$PWD/data
	export XDG_STATE_HOME=$PWD/state XDG_CACHE_HOME=$PWD/cache XDG_RUNTIME_DIR=$PWD/run
	export TZ=${TZ:-Asia/Shanghai}
	mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
}
