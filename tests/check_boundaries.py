#!/usr/bin/env python3
"""check_boundaries.py — the build refuses what a layer must not do (issue 13).

Plants, one at a time, a file that breaks a layer's boundary and compiles it exactly as the
build compiles that layer's own files (the command of a real file of that directory in
compile_commands.json, the source and object swapped for the planted ones): each must FAIL to
compile. Then the same for code each layer may write (it must build), and one real file of
every layer as it is (it must build). The planted files live in a scratch directory, never in
the tree.

Usage: check_boundaries.py BUILD/compile_commands.json SOURCE_DIR
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile

DB_INT = '#include "db_int.h"\nint cp_planted(void);\nint cp_planted(void) { return 0; }\n'
SQLITE_INCLUDED = ('#include <sqlite3.h>\nint cp_planted(void);\n'
                   'int cp_planted(void) { return sqlite3_libversion_number(); }\n')
SQLITE_CALLED = ('int cp_planted(void);\n'
                 'int cp_planted(void) { return sqlite3_exec(0, "", 0, 0, 0); }\n')
CURL_INCLUDED = ('#include <curl/curl.h>\nint cp_planted(void);\n'
                 'int cp_planted(void) { return curl_easy_init() != 0; }\n')
CURL_UNDECLARED = ('int cp_planted(void);\n'
                   'int cp_planted(void) { return curl_global_cleanup_planted() != 0; }\n')
CURSES_INCLUDED = ('#include <curses.h>\nint cp_planted(void);\n'
                   'int cp_planted(void) { return initscr() != 0; }\n')

# (layer directory, what is planted, code): each must fail to compile.
MUST_FAIL = [
    ("ui", "includes core's db_int.h", DB_INT),
    ("ui", "includes <sqlite3.h> and calls sqlite3_libversion_number", SQLITE_INCLUDED),
    ("ui", "calls sqlite3_exec without a declaration", SQLITE_CALLED),
    ("ui", "includes <curl/curl.h> and calls curl_easy_init", CURL_INCLUDED),
    ("ui", "calls an undeclared function", CURL_UNDECLARED),
    ("app", "includes core's db_int.h", DB_INT),
    ("app", "includes <sqlite3.h> and calls sqlite3_libversion_number", SQLITE_INCLUDED),
    ("sync", "includes core's db_int.h", DB_INT),
    ("sync", "includes <sqlite3.h> and calls sqlite3_libversion_number", SQLITE_INCLUDED),
    ("sync", "includes <curses.h> and calls initscr", CURSES_INCLUDED),
    ("core", "includes <curl/curl.h> and calls curl_easy_init", CURL_INCLUDED),
    ("core", "includes <curses.h> and calls initscr", CURSES_INCLUDED),
    ("platform", "includes <sqlite3.h> and calls sqlite3_libversion_number", SQLITE_INCLUDED),
    ("platform", "includes <curl/curl.h> and calls curl_easy_init", CURL_INCLUDED),
]

# What a layer may do: each must compile (so the failures above are the boundary's doing).
MAY = [
    ("ui", "includes core's public db.h and calls cp_db_schema_version",
     '#include "db.h"\nint cp_planted(void);\n'
     'int cp_planted(void) { return cp_db_schema_version(); }\n'),
    ("core", "includes db_int.h and <sqlite3.h>, calls sqlite3_libversion_number",
     '#include <sqlite3.h>\n#include "db_int.h"\nint cp_planted(void);\n'
     'int cp_planted(void) { return sqlite3_libversion_number(); }\n'),
    ("sync", "includes <curl/curl.h> and calls curl_version",
     '#include <curl/curl.h>\nint cp_planted(void);\n'
     'int cp_planted(void) { return curl_version() != 0; }\n'),
    ("app", "includes <curl/curl.h> and calls curl_version",
     '#include <curl/curl.h>\nint cp_planted(void);\n'
     'int cp_planted(void) { return curl_version() != 0; }\n'),
]


def commands(db_path, src):
    """The compile command of the first real .c file of each layer directory."""
    with open(db_path, encoding="utf-8") as f:
        entries = json.load(f)
    out = {}
    for e in entries:
        path = os.path.realpath(e["file"])
        rel = os.path.relpath(path, src)
        layer = rel.split(os.sep)[0]
        if layer in ("core", "ui", "app", "sync", "platform") and os.sep in rel \
                and rel.count(os.sep) == 1 and layer not in out:
            args = e["arguments"] if "arguments" in e else shlex.split(e["command"])
            out[layer] = (e["directory"], args, e["file"])
    return out


def compile_with(cmd, source, scratch):
    """Runs the layer's command on source; returns (exit status, first error line)."""
    directory, args, real = cmd
    argv, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MT", "-MF", "-MQ"):
            skip = True
            continue
        if a in ("-MD", "-MMD", "-c"):
            continue
        if a == real or os.path.realpath(os.path.join(directory, a)) == os.path.realpath(real):
            continue
        argv.append(a)
    argv += ["-c", source, "-o", os.path.join(scratch, "planted.o")]
    p = subprocess.run(argv, cwd=directory, capture_output=True, text=True)
    first = next((line for line in p.stderr.splitlines() if "error" in line), "")
    return p.returncode, first.strip()


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmds = commands(sys.argv[1], os.path.realpath(sys.argv[2]))
    missing = [d for d in ("core", "ui", "app", "sync", "platform") if d not in cmds]
    if missing:
        print("boundaries: no compile command for " + ", ".join(missing), file=sys.stderr)
        return 2
    failures = 0
    with tempfile.TemporaryDirectory(prefix="cp-boundaries-") as scratch:
        planted = os.path.join(scratch, "planted.c")
        for layer, what, code in MUST_FAIL:
            with open(planted, "w", encoding="utf-8") as f:
                f.write(code)
            rc, first = compile_with(cmds[layer], planted, scratch)
            if rc == 0:
                print("FAIL: a file in %s/ that %s builds" % (layer, what))
                failures += 1
            else:
                print("ok: a file in %s/ that %s fails to build (%s)" % (layer, what, first))
        for layer, what, code in MAY:
            with open(planted, "w", encoding="utf-8") as f:
                f.write(code)
            rc, first = compile_with(cmds[layer], planted, scratch)
            if rc != 0:
                print("FAIL: a file in %s/ that %s does not build: %s" % (layer, what, first))
                failures += 1
            else:
                print("ok: a file in %s/ that %s builds" % (layer, what))
        for layer in sorted(cmds):
            directory, args, real = cmds[layer]
            rc, first = compile_with(cmds[layer], real, scratch)
            if rc != 0:
                print("FAIL: %s does not build as it is: %s" % (real, first))
                failures += 1
            else:
                print("ok: %s builds as it is" % os.path.relpath(real, sys.argv[2]))
    print("boundaries: %d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
