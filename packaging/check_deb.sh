#!/usr/bin/env bash
# check_deb.sh — the package's CI step (.ci/run calls it): builds the .deb, installs it with
# dpkg on this machine, checks what an installed till must be, removes it, purges it, and runs
# lintian. Each check that does not hold fails the step. Needs root (CI runs as root) and
# Debian's dpkg; skips itself otherwise. It leaves the machine as it found it (the package
# purged, its user and group gone, its temporary cashier account removed), also after a
# failure, and refuses to start when a real Counterpoint is installed here.
set -uo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD

if ! command -v dpkg >/dev/null || ! command -v dpkg-deb >/dev/null; then
	echo "check_deb: no dpkg here: the package is not checked"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "check_deb: needs root to install the package: not checked"
	exit 0
fi

DATA=/var/lib/counterpoint
ETC=/etc/counterpoint
UNIT=/lib/systemd/system/counterpoint-sync.service
CASHIER=cpcheck-cashier
MARK=$DATA/.check_deb # written by this script: a till left here by an aborted run of it
passed=0
failed=0
check() {
	local what=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $what" >&2
	fi
}
cp_as() { runuser -u "$1" -- "${@:2}"; }

# Everything the package may touch, listed so that purge can be shown to leave it as it was.
snapshot() {
	find /etc /var/lib /lib/systemd /usr/bin /usr/sbin /usr/share/man/man1 /usr/share/doc \
		/usr/share/locale -xdev \
		-not -path '/var/lib/dpkg/*' -not -path '/var/lib/apt/*' \
		-not -path '/var/lib/systemd/*' -not -path '/var/lib/man-db/*' \
		-not -path '/etc/ld.so.cache' -not -name '*-' -printf '%p %M %u %g\n' 2>/dev/null |
		sort
	cat /etc/passwd /etc/group
}

state_is_ours_or_absent() {
	if dpkg-query -W -f='${Status}' counterpoint 2>/dev/null | grep -q 'installed\|config-files'; then
		[ -e "$MARK" ] || return 1
	elif [ -e "$DATA" ] && [ ! -e "$MARK" ]; then
		return 1
	fi
	return 0
}

cleanup() {
	local st=$?
	if getent passwd "$CASHIER" >/dev/null; then userdel "$CASHIER" >/dev/null 2>&1; fi
	if dpkg-query -W -f='${Status}' counterpoint 2>/dev/null | grep -q 'installed\|config-files'; then
		dpkg -P counterpoint >/dev/null 2>&1
	fi
	rm -rf "$WORK"
	exit "$st"
}

if ! state_is_ours_or_absent; then
	echo "check_deb: a Counterpoint that this check did not install is on this machine" \
		"(package or $DATA): refusing to install over it or to purge it" >&2
	exit 1
fi
WORK=$(mktemp -d)
trap cleanup EXIT
# An earlier run that was killed left its till: take it away first.
if getent passwd "$CASHIER" >/dev/null; then userdel "$CASHIER" >/dev/null 2>&1; fi
dpkg -P counterpoint >/dev/null 2>&1 || true
chmod 755 "$WORK"

echo "== build the .deb"
start=$SECONDS
DEB=$(bash packaging/build_deb.sh build-deb 2>"$WORK/build.err" | tail -n 1)
if [ ! -f "$DEB" ]; then
	cat "$WORK/build.err" >&2
	echo "check_deb: the package was not built" >&2
	exit 1
fi
VERSION=$(sed -n 's/^project(counterpoint VERSION \([0-9.]*\) .*/\1/p' CMakeLists.txt)
echo "built $(basename "$DEB") in $((SECONDS - start)) s"
check "the file is named counterpoint_<version>_<arch>.deb" \
	test "$(basename "$DEB")" = "counterpoint_${VERSION}_$(dpkg --print-architecture).deb"
check "the package's version is CMakeLists.txt's" \
	test "$(dpkg-deb -f "$DEB" Version)" = "$VERSION"
check "dpkg-shlibdeps found the libraries" \
	bash -c "dpkg-deb -f '$DEB' Depends | grep -q 'libsqlite3-0' && dpkg-deb -f '$DEB' Depends | grep -q 'libcurl'"
check "the reference HQ is not in the package" \
	bash -c "! dpkg-deb -c '$DEB' | grep -q 'hq.py'"

before=$(snapshot)

echo "== install"
if ! dpkg -i "$DEB" </dev/null >"$WORK/install.out" 2>&1; then
	cat "$WORK/install.out" >&2
	echo "check_deb: dpkg -i failed" >&2
	exit 1
fi
touch "$MARK"
ver=$(counterpoint --version 2>&1)
check "counterpoint --version names $VERSION: $ver" test "$(head -n 1 <<<"$ver")" = "counterpoint $VERSION"
for lib in SQLite libcurl mbedTLS ncurses jansson; do
	check "counterpoint --version names $lib" grep -q "^$lib " <<<"$ver"
done
check "man -w counterpoint finds the page" test "$(man -w counterpoint 2>/dev/null)" = /usr/share/man/man1/counterpoint.1.gz
check "the man page renders without warnings" \
	test -z "$(MANWIDTH=80 man --warnings counterpoint 2>&1 >/dev/null)"
if command -v systemd-analyze >/dev/null; then
	check "systemd-analyze verify accepts the unit: $(systemd-analyze verify "$UNIT" 2>&1)" \
		systemd-analyze verify "$UNIT"
	score=$(systemd-analyze security --offline=yes "$UNIT" 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	echo "systemd-analyze security: exposure $score"
	check "the unit's exposure is below 2.0 (got '$score')" \
		awk -v s="$score" 'BEGIN { exit !(s != "" && s + 0 < 2.0) }'
else
	echo "no systemd-analyze here: the unit is not verified"
fi
check "the counterpoint system user and group exist" \
	bash -c 'getent passwd counterpoint >/dev/null && getent group counterpoint >/dev/null &&
		[ "$(id -u counterpoint)" -lt 1000 ]'
check "the data directory is counterpoint:counterpoint 2770" \
	test "$(stat -c '%U:%G %a' "$DATA")" = "counterpoint:counterpoint 2770"
check "the configuration is a conffile" \
	bash -c "dpkg-query -W -f='\${Conffiles}' counterpoint | grep -q '$ETC/counterpoint.ini'"
check "the catalogs are where gettext finds them" \
	test -f /usr/share/locale/zh_CN/LC_MESSAGES/counterpoint.mo

echo "== init as the counterpoint user"
out=$(cd "$WORK" && cp_as counterpoint counterpoint init 2>&1)
check "counterpoint init as the counterpoint user works: $out" test -f "$DATA/counterpoint.db"
check "the database is counterpoint:counterpoint 0660" \
	test "$(stat -c '%U:%G %a' "$DATA/counterpoint.db" 2>/dev/null)" = "counterpoint:counterpoint 660"
out=$(cd "$WORK" && cp_as counterpoint counterpoint verify 2>&1)
check "verify as the counterpoint user: $out" grep -q '^ok: ' <<<"$out"

echo "== a cashier account in the group, and nobody else"
useradd --no-create-home --home-dir "$WORK" --shell /bin/sh -G counterpoint "$CASHIER"
out=$(cd "$WORK" && cp_as "$CASHIER" counterpoint verify 2>&1)
check "a cashier account in the group uses the database: $out" grep -q '^ok: ' <<<"$out"
out=$(cd "$WORK" && cp_as nobody counterpoint --db "$DATA/counterpoint.db" verify 2>&1)
check "an account outside the group cannot: $out" bash -c "! grep -q '^ok: ' <<<'$out'"

echo "== reinstall keeps an edited configuration"
sed -i 's/^name = .*/name = Checked Store 检查/' "$ETC/counterpoint.ini"
if ! dpkg -i "$DEB" </dev/null >"$WORK/reinstall.out" 2>&1; then
	cat "$WORK/reinstall.out" >&2
	check "dpkg -i again" false
fi
check "the edit survived the reinstall" grep -q '^name = Checked Store 检查$' "$ETC/counterpoint.ini"
check "the reinstall checked the database: $(cat "$WORK/reinstall.out")" \
	grep -q '^ok: ' "$WORK/reinstall.out"
check "the database survived the reinstall" test -f "$DATA/counterpoint.db"

echo "== an upgrade that migrates keeps a copy first and says where"
# The database made to claim the schema before this one: the upgrade's migration runs (and
# fails here, its tables being newer than it claims) after the copy is kept.
schema=$(sqlite3 "$DATA/counterpoint.db" 'PRAGMA user_version')
older=$((schema - 1))
sqlite3 "$DATA/counterpoint.db" "PRAGMA user_version = $older"
dpkg -i "$DEB" </dev/null >"$WORK/upgrade.out" 2>&1
COPY=$DATA/counterpoint.db.schema$older.bak
check "the upgrade says where the copy is: $(cat "$WORK/upgrade.out")" \
	grep -qF "kept at $COPY" "$WORK/upgrade.out"
check "the copy is the file as it was (schema $older)" \
	test "$(sqlite3 "$COPY" 'PRAGMA user_version' 2>&1)" = "$older"
sqlite3 "$DATA/counterpoint.db" "PRAGMA user_version = $schema"
rm -f "$COPY"

echo "== backup while a script-mode till sells"
(cd "$WORK" && cp_as counterpoint counterpoint init --demo --force >/dev/null)
BARCODE=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(next(i["barcode"] for i in d["items"] if i["barcode"]))' "$SRC/packaging/demo/store.json")
coproc TILL { cd "$WORK" && exec runuser -u "$CASHIER" -- counterpoint script 2>"$WORK/till.err"; }
ask() {
	printf '%s\n' "$1" >&"${TILL[1]}"
	IFS= read -r -t 60 ans <&"${TILL[0]}" || ans="(no answer: $(cat "$WORK/till.err"))"
}
sold=0
ask '{"cmd":"login","staff":"1001","pin":"1111"}'
check "the cashier logs in: $ans" grep -q '"ok":true' <<<"$ans"
BACKUP=$DATA/check-backup.db
for i in $(seq 1 30); do
	ask "{\"cmd\":\"scan\",\"code\":\"$BARCODE\"}"
	ask '{"cmd":"pay","tenders":[{"method":"cash","amount":"1000.00"}]}'
	grep -q '"ok":true' <<<"$ans" && sold=$((sold + 1))
	if [ "$i" -eq 10 ]; then
		(cd "$WORK" && cp_as counterpoint counterpoint backup "$BACKUP" >"$WORK/backup.out" 2>&1
		 echo $? >"$WORK/backup.rc") &
		bpid=$!
	fi
done
wait "$bpid"
exec {TILL[1]}>&-
wait "$TILL_PID" 2>/dev/null
check "the till sold 30 sales around the backup (sold $sold)" test "$sold" -eq 30
sed 's/^/  /' "$WORK/backup.out"
check "backup exited 0: $(cat "$WORK/backup.out")" test "$(cat "$WORK/backup.rc")" = 0
check "backup verified its copy" grep -q '^ok: ' "$WORK/backup.out"
check "the copy is 0660 for the group" \
	test "$(stat -c '%G %a' "$BACKUP" 2>/dev/null)" = "counterpoint 660"
n=$(cd "$WORK" && cp_as counterpoint counterpoint --db "$BACKUP" verify 2>&1)
check "verify accepts the copy on its own: $n" grep -q '^ok: ' <<<"$n"
n=$(cd "$WORK" && cp_as counterpoint counterpoint verify 2>&1)
check "verify accepts the live database after all 30 (and the shift the demo opened at login): $n" grep -q '^ok: 31 journal rows' <<<"$n"

echo "== remove keeps the data"
if ! dpkg -r counterpoint </dev/null >"$WORK/remove.out" 2>&1; then
	cat "$WORK/remove.out" >&2
	check "dpkg -r" false
fi
check "the program is gone" test ! -e /usr/bin/counterpoint
check "the database is kept" test -f "$DATA/counterpoint.db"
check "the backup is kept" test -f "$BACKUP"
check "the edited configuration is kept" grep -q '^name = Checked Store' "$ETC/counterpoint.ini"
check "the user is kept (it owns the data)" bash -c "getent passwd counterpoint >/dev/null"

echo "== purge removes everything it created and nothing else"
userdel "$CASHIER"
if ! dpkg -P counterpoint </dev/null >"$WORK/purge.out" 2>&1; then
	cat "$WORK/purge.out" >&2
	check "dpkg -P" false
fi
after=$(snapshot)
check "purge left the machine as it was: $(diff <(echo "$before") <(echo "$after") | head -20)" \
	test "$before" = "$after"
check "no counterpoint user or group" \
	bash -c '! getent passwd counterpoint && ! getent group counterpoint'

echo "== lintian"
if command -v lintian >/dev/null; then
	lintian --fail-on error "$DEB" >"$WORK/lintian.out" 2>&1
	lrc=$?
	sed 's/^/lintian: /' "$WORK/lintian.out"
	check "lintian reports no errors" test "$lrc" -eq 0
else
	echo "no lintian here (packaging/deps.sh installs it): not run"
fi

echo "check_deb: $passed passed, $failed failed ($((SECONDS - start)) s)"
[ "$failed" -eq 0 ]
