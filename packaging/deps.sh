#!/usr/bin/env bash
# Installs every build, test and run dependency of Counterpoint on Debian 12.
# Non-interactive and idempotent: packages already present are left alone.
set -euo pipefail

pkgs=(
	build-essential cmake pkg-config git
	libsqlite3-dev sqlite3
	libcurl4-openssl-dev
	libncursesw5-dev
	libmbedtls-dev
	libcmocka-dev
	libjansson-dev
	libinih-dev
	tmux openssl python3 faketime locales gettext
	clang
	lintian man-db systemd adduser
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
if [ "${#missing[@]}" -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The Chinese interface and its tests need the zh_CN.UTF-8 locale.
if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	$SUDO sed -i 's/^# *\(zh_CN.UTF-8 UTF-8\)/\1/' /etc/locale.gen
	grep -q '^zh_CN.UTF-8 UTF-8' /etc/locale.gen || echo 'zh_CN.UTF-8 UTF-8' | $SUDO tee -a /etc/locale.gen >/dev/null
	$SUDO locale-gen >/dev/null
fi
