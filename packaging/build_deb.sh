#!/usr/bin/env bash
# build_deb.sh [BUILD_DIR] — builds counterpoint_<version>_<arch>.deb in BUILD_DIR (default
# build-deb) with Debian's hardening flags (dpkg-buildflags), without the test suite, and
# prints the package's path as the last line. packaging/check_deb.sh installs and checks it.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-deb}

export DEB_BUILD_MAINT_OPTIONS=hardening=+all
CFLAGS="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
LDFLAGS=$(dpkg-buildflags --get LDFLAGS)
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DCP_PACKAGE=ON -DCP_TESTS=OFF \
	-DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_EXE_LINKER_FLAGS="$LDFLAGS" \
	>/dev/null
cmake --build "$dir" -j"$(nproc 2>/dev/null || echo 2)"
rm -f "$dir"/counterpoint_*.deb
(cd "$dir" && cpack -G DEB >/dev/null)
ls "$PWD/$dir"/counterpoint_*.deb
