#!/usr/bin/env bash
# test_i18n_catalog.sh — every string a person reads has a zh_CN translation and every zh_CN
# translation is used: ui/'s _() and N_() strings and the cp_errf format strings (core's
# error ids) of the sources whose errors reach the UI, extracted with xgettext. The work is in
# i18n_catalog.py, which lists each missing or unused id on a line of its own.
set -euo pipefail
. "$(dirname "$0")/scratch_lib.sh"
for tool in xgettext python3; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool is needed to check the catalogue"; exit 1; }
done
scratch_env i18n_catalog
python3 "$CP_SOURCE_DIR/tests/integration/i18n_catalog.py" "$CP_SOURCE_DIR" "$PWD"
