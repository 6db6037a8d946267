#!/usr/bin/env bash
# test_i18n_wording.sh — the zh_CN catalogue says things in a cashier's words (issue 12's list):
# 待收 for what is still due (never 还需 before an amount), 签退 or 退出登录 for logging out (never
# 登出), 本次获得积分 for the points a sale earned, 商品库无此商品 and 本单未变动 for an unknown
# code, 未接入总部 for a till not enrolled; and no string a screen shows tells a manager to run
# "counterpoint enrol" (that is chain IT's command line, not the manager menu).
set -u
. "$(dirname "$0")/scratch_lib.sh"
scratch_env i18n_wording python3
python3 - "$CP_SOURCE_DIR" <<'EOT'
import os, sys

src = sys.argv[1]
sys.path.insert(0, os.path.join(src, "tests", "integration"))
from i18n_catalog import read_po

zh = read_po(os.path.join(src, "ui", "po", "zh_CN.po"))
failed = 0


def fail(msg):
    global failed
    failed += 1
    print("FAIL: " + msg)


def say(msgid, *words):
    if msgid not in zh:
        fail("no zh_CN entry for %r" % msgid)
        return
    text = zh[msgid][0]
    if not any(w in text for w in words):
        fail("%r is %r in zh_CN, not with %s" % (msgid, text, " or ".join(words)))


say("Still due", "待收")
say("Log out", "签退", "退出登录")
say("Points earned", "本次获得积分")
say("Unknown code %s: not in the catalogue. The sale is unchanged.", "商品库无此商品")
say("Unknown code %s: not in the catalogue. The sale is unchanged.", "本单未变动")
say("OFFLINE (not enrolled)", "未接入总部")
for msgid, (text, _) in zh.items():
    if "登出" in text:
        fail("%r says 登出 (签退 or 退出登录): %r" % (msgid, text))
    i = text.find("还需")
    while i >= 0:
        if not text.startswith("还需成长值", i):  # growth still needed, not money due
            fail("%r says 还需 for money due (待收): %r" % (msgid, text))
        i = text.find("还需", i + 1)
    if "counterpoint enrol" in msgid or "counterpoint enrol" in text:
        fail("a screen's string names the command line: %r" % msgid)
print("%d failed" % failed)
sys.exit(1 if failed else 0)
EOT
rc=$?
if [ "$rc" -eq 0 ]; then pass; else fail "the zh_CN wording"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
