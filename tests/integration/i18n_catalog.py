#!/usr/bin/env python3
"""i18n_catalog.py — the zh_CN catalogue against the sources: every string a person can read
(ui/'s _() and N_(), and each cp_errf format string of the sources whose errors reach the UI,
which is that message's id) must have a zh_CN translation, and every zh_CN translation must
be used by the sources; en.po and counterpoint.pot hold the same ids. Prints the missing and
unused ids plainly, one per line.

usage: i18n_catalog.py SOURCE_DIR WORK_DIR"""
import glob
import os
import re
import subprocess
import sys

# The sources whose cp_errf messages reach the till's screens (ui/ shows them via cp_ui_errtext).
ERR_SOURCES = ["core/*.c", "app/receipts.c", "platform/printer.c"]


def unquote(lines):
    s = "".join(re.findall(r'^"(.*)"$', l)[0] for l in lines)
    out, i = [], 0
    esc = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append(esc.get(s[i + 1], s[i + 1]))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def read_po(path):
    """{msgid: (msgstr, fuzzy)} of the live entries (no header, no obsolete #~ entries)."""
    entries = {}
    cur = {"comments": [], "msgid": [], "msgstr": []}
    key = None

    def flush():
        if cur["msgid"]:
            msgid = unquote(cur["msgid"])
            fuzzy = any(c.startswith("#,") and "fuzzy" in c for c in cur["comments"])
            if msgid:
                entries[msgid] = (unquote(cur["msgstr"]), fuzzy)
        cur.update(comments=[], msgid=[], msgstr=[])

    with open(path, encoding="utf-8") as f:
        for line in f:
            l = line.strip()
            if not l or l.startswith("#~"):
                continue
            if l.startswith("#"):
                if cur["msgstr"]:
                    flush()
                cur["comments"].append(l)
                key = None
                continue
            m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', l)
            if m:
                word = m.group(1)
                if word == "msgid" and cur["msgstr"]:
                    flush()
                key = {"msgid": "msgid", "msgstr": "msgstr", "msgstr[0]": "msgstr"}.get(word)
                if key:
                    cur[key].append(m.group(2))
            elif l.startswith('"') and key:
                cur[key].append(l)
    flush()
    return entries


def extract(src, work):
    """The msgids the sources use: ui/'s _() and N_(), and cp_errf's format strings."""
    ui_files = sorted(glob.glob(os.path.join(src, "ui", "*.c")))
    err_files = sorted(f for g in ERR_SOURCES for f in glob.glob(os.path.join(src, g)))
    pot_ui = os.path.join(work, "ui.pot")
    pot_err = os.path.join(work, "errors.pot")
    base = ["xgettext", "--language=C", "--from-code=UTF-8", "--keyword="]
    subprocess.run(base + ["--keyword=_", "--keyword=N_", "-o", pot_ui] + ui_files, check=True)
    subprocess.run(base + ["--keyword=cp_errf:3", "--flag=cp_errf:3:c-format",
                           "--keyword=CP_WORD", "-o", pot_err] + err_files, check=True)
    ids = {}
    for pot, kind in ((pot_ui, "ui"), (pot_err, "error id")):
        if os.path.exists(pot):
            for msgid in read_po(pot):
                ids.setdefault(msgid, kind)
    return ids


def main():
    src, work = sys.argv[1], sys.argv[2]
    used = extract(src, work)
    zh = read_po(os.path.join(src, "ui", "po", "zh_CN.po"))
    missing = sorted((kind, i) for i, kind in used.items()
                     if i not in zh or not zh[i][0] or zh[i][1])
    unused = sorted(i for i in zh if i not in used)
    for kind, msgid in missing:
        print("MISSING zh_CN (%s): %r" % (kind, msgid))
    for msgid in unused:
        print("UNUSED zh_CN: %r" % msgid)
    # The English catalogue and the template keep in step with zh_CN.
    astray = 0
    for name in ("en.po", "counterpoint.pot"):
        other = set(read_po(os.path.join(src, "ui", "po", name)))
        for msgid in sorted(set(zh) - other):
            print("MISSING in %s (zh_CN has it): %r" % (name, msgid))
            astray += 1
        for msgid in sorted(other - set(zh)):
            print("EXTRA in %s (zh_CN lacks it): %r" % (name, msgid))
            astray += 1
    print("%d ids used by the sources, %d zh_CN entries, %d missing, %d unused"
          % (len(used), len(zh), len(missing), len(unused)))
    return 1 if missing or unused or astray else 0


if __name__ == "__main__":
    sys.exit(main())
