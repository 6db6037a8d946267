#!/usr/bin/env bash
# test_ui_guide_day_badge_tmux.sh — the guide's day from a badge at the manager menu, in Chinese
# (issue 10), at 100x30 in tmux. Script mode first makes guide 2001's day: two members bound to
# them, a sale to one, a sale they served without a member, a sale to the other and a refund of
# part of it. Protection is 9 days here and the demo store was made three days ago (faketime),
# so the demo's bindings to 2001 run out within 7 days and today's do not. Then a
# cashier opens the manager menu (F9 with the manager's code and PIN), guide 2001 scans their
# badge there, and the day shown (credited sales and money, refunds against them, bound today,
# bound in total, protection running out within 7 days) is exactly what script mode's
# guide_day says; the scan's Enter reprints nothing; an item's barcode scanned there is refused
# with one line; F12 at the menu asks for the badge too.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uiguideday tmux python3 faketime
# faketime preloads its library; a sanitizer build must be told that this is fine.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

SOCK=$PWD/tmux-0.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	fail "zh_CN.UTF-8 is not installed (packaging/deps.sh generates it): nothing tested"
	finish
fi
faketime -f -3d "$CP_BINARY" --db ./demo.db init --demo >/dev/null
printf '[guide]\nprotection_days = 9\n' >guide.ini
read -r P1 P2 < <(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
free = [m["phone"] for m in d["members"] if m["guide"] is None and m["phone"]]
print(free[0], free[1])' "$CP_SOURCE_DIR/packaging/demo/store.json")
EGGS=6903468885155
B2001=9900000020019

# ---- guide 2001's day, made in script mode by a cashier
printf '%s\n' '{"cmd":"login","staff":"1001","pin":"1111"}' \
	"{\"cmd\":\"bind\",\"phone\":\"$P1\",\"badge\":\"$B2001\"}" \
	"{\"cmd\":\"bind\",\"phone\":\"$P2\",\"badge\":\"$B2001\"}" \
	"{\"cmd\":\"scan\",\"code\":\"$EGGS\",\"qty\":2}" "{\"cmd\":\"attach\",\"phone\":\"$P1\"}" \
	'{"cmd":"pay","tenders":[{"method":"cash","amount":"100.00"}]}' \
	"{\"cmd\":\"scan\",\"code\":\"$EGGS\"}" "{\"cmd\":\"serve\",\"badge\":\"$B2001\"}" \
	'{"cmd":"pay","tenders":[{"method":"cash","amount":"100.00"}]}' \
	"{\"cmd\":\"scan\",\"code\":\"$EGGS\"}" "{\"cmd\":\"scan\",\"code\":\"6901234058369\"}" \
	"{\"cmd\":\"attach\",\"phone\":\"$P2\"}" \
	'{"cmd":"pay","tenders":[{"method":"cash","amount":"200.00"}]}' >setup.in
"$CP_BINARY" --config ./guide.ini --db ./demo.db script <setup.in >setup.out
receipt=$(tail -n 1 setup.out | python3 -c 'import json, sys; print(json.load(sys.stdin)["receipt"])')
printf '%s\n' '{"cmd":"login","staff":"1001","pin":"1111"}' \
	"{\"cmd\":\"refund\",\"receipt\":\"$receipt\",\"lines\":[1],\"manager\":\"9001\",\"pin\":\"9999\"}" \
	"{\"cmd\":\"guide_day\",\"badge\":\"$B2001\"}" >day.in
"$CP_BINARY" --config ./guide.ini --db ./demo.db script <day.in >day.out
check_script() {
	python3 - <<'PY'
import json, sys
answers = [json.loads(l) for l in open("setup.out")] + [json.loads(l) for l in open("day.out")]
bad = [a for a in answers if not a.get("ok")]
day = answers[-1]
print("script mode's guide_day:", json.dumps(day, ensure_ascii=False))
sys.exit(0 if not bad and day["sales"] == 3 and day["refunds"] == 1 and day["bound_today"] == 2
         and day["bound_total"] > day["expiring"] > 0 else 1)
PY
}
if check_script; then pass; else fail "script mode made guide 2001's day: $(grep -m1 '"ok":false' setup.out day.out)"; fi
# The sentence the dialog must show, from script mode's figures (money as the till writes it).
WANT=$(python3 -c 'import json
d = json.loads(open("day.out").read().splitlines()[-1])
m = lambda f: "¥%d.%02d" % (f // 100, f % 100)
print("导购日报：刘洋（2001），%s" % d["day"])
print("计入业绩的销售：%d笔，%s。其退货：%d笔，%s。今日绑定会员：%d。绑定会员总数：%d。7天内保护到期：%d。"
      % (d["sales"], m(d["sales_amount"]), d["refunds"], m(d["refunds_amount"]),
         d["bound_today"], d["bound_total"], d["expiring"]))')

# ---- the manager menu, in Chinese
T new-session -d -s till -x 100 -y 30 -c "$PWD" \
	"env LANG=zh_CN.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --config ./guide.ini \
	--db ./demo.db 2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
expect "the Chinese login screen" "工号" 60 || finish
keys 1001 Enter
keys 1111 Enter
expect "the cashier is logged in" "商品码" || finish
keys F9
expect "the manager menu asks for a manager" "店长工号" || finish
keys 9001 Enter
keys 9999 Enter
expect "the manager menu opens" "店长菜单" || finish
expect "its footer shows the guide's day key" "导购日报"

# shown: the screen's text without spaces and box lines, one string.
shown() { screen | python3 -c 'import re, sys; print(re.sub(r"[\s│┃║|]", "", sys.stdin.read()))'; }
# The guide scans their badge.
scan $B2001
expect "the badge shows guide 2001's day" "导购日报：刘洋（2001）" || finish
sleep 0.3
want_title=$(sed -n 1p <<<"$WANT")
want_text=$(sed -n 2p <<<"$WANT")
if shown | grep -qF -- "$want_title"; then pass; else fail "the title is not '$want_title'"; fi
if shown | grep -qF -- "$want_text"; then
	pass
else
	fail "the figures are not script mode's: want '$want_text', shown '$(shown)'"
fi
keys Enter
gone "Enter closes the day" "计入业绩的销售"
expect "back at the manager menu" "店长菜单"
if screen | grep -qF "未接打印机"; then
	fail "the scan's Enter reprinted a receipt"
else
	pass
fi
# An item's barcode scanned at the menu: one line saying it is no guide's badge.
scan $EGGS
expect "an item's barcode is refused with one line" "这不是导购工牌：请扫描导购卡上的工牌。"
expect "still at the manager menu" "店长菜单"
# F12 at the menu asks for the badge; the badge scanned into it shows the same day.
keys F12
expect "F12 at the manager menu asks for the guide's badge" "导购工牌" || finish
scan $B2001
expect "the typed badge shows the day" "导购日报：刘洋（2001）"
if shown | grep -qF -- "$want_text"; then pass; else fail "F12's figures are not script mode's"; fi
keys Enter
finish
