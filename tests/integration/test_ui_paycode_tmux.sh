#!/usr/bin/env bash
# test_ui_paycode_tmux.sh — a customer's payment code on the pay screen, in a real terminal. A
# WeChat Pay code scanned as a burst with its Enter arriving late pays as WeChat Pay with the
# code's last four digits, never as cash; an Alipay code after a typed amount pays that amount
# and a late Enter then pays nothing; a scan that is not a payment code is refused and the
# following Enter pays nothing. The whole codes are in neither the database, its WAL, the log
# nor on the screen; nor is a code scanned on the sale screen, where it is refused.
set -u

. "${CP_SOURCE_DIR:?CP_SOURCE_DIR must name the source tree}/tests/integration/scratch_lib.sh"
scratch_env uipaycode tmux

SOCK=$PWD/tmux.sock
. "$CP_SOURCE_DIR/tests/integration/tmux_lib.sh"
trap 'T kill-server 2>/dev/null' EXIT

WECHAT=134567890123456789
ALIPAY=2812345678901234
NOTCODE=990000000000000000

# q SQL: one value from the database.
q() {
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' ./demo.db "$1"
}
# no_code DESCRIPTION: no whole code (nor its first 12 digits) on the screen.
no_code() {
	local c
	for c in $WECHAT $ALIPAY; do
		if screen | grep -qF -- "${c:0:12}"; then
			fail "$1: the code $c shows on the screen"
			return
		fi
	done
	pass
}
# burst TEXT: a scanner with no suffix (or a slow one): the characters in one burst, no Enter.
burst() { T send-keys -t till -l "$1"; }
new_sale() {
	keys 6903468885155 Enter
	expect "the item is on the sale" "鸡蛋 30枚装" || finish
	keys F4
	expect "the payment screen opens" "Amount received" || finish
}

"$CP_BINARY" --db ./demo.db init --demo >/dev/null
T new-session -d -s till -x 100 -y 30 -c "$PWD" \
	"env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=screen '$CP_BINARY' --db ./demo.db \
	2>>stderr.txt; echo \"till exited: \$?\"; sleep 600"
if ! expect "the till shows its login screen" "Staff code" 60; then
	echo "stderr: $(cat stderr.txt 2>/dev/null)" >&2
	finish
fi
keys 1001 Enter 1111 Enter
expect "the cashier is logged in" "Item code" || finish

# 0. A payment code scanned on the sale screen is neither looked up nor shown.
scan $WECHAT
expect "a payment code on the sale screen says what to do" "That is a customer's payment code"
no_code "after a payment code on the sale screen"
if screen | grep -qF "Item code"; then pass; else fail "the payment code opened another screen"; fi

# 1. A WeChat Pay code in a burst; its Enter comes only after the screen has shown the result.
new_sale
burst $WECHAT
expect "the code pays the sale" "Sale complete, receipt S001-T01-000001" 10
no_code "after the WeChat scan"
# Before the next key checkpoints it, the WAL holds the sale (its last four digits), not the code.
if [ -s demo.db-wal ] && grep -qaF '"ref":"6789"' demo.db-wal && ! grep -qaF $WECHAT demo.db-wal &&
	! grep -qaF $WECHAT demo.db; then
	pass
else
	fail "the WAL holds the sale with ref 6789 and not the code ($(ls -l demo.db* 2>&1))"
fi
keys Enter
expect "the late Enter only starts the next sale" "Total  0 items"
if [ "$(q "SELECT group_concat(method || ':' || ifnull(ref, '-')) FROM tender WHERE seq =
	(SELECT seq FROM sale WHERE receipt = 'S001-T01-000001')")" = "wechat:6789" ]; then
	pass
else
	fail "sale 1 is one WeChat Pay tender with ref 6789: $(q "SELECT group_concat(method ||
		':' || ifnull(ref, '-') || ':' || amount) FROM tender")"
fi
if [ "$(q "SELECT count(*) FROM receipt_copy WHERE receipt = 'S001-T01-000001' AND
	text LIKE '%WeChat Pay ****6789%'")" = 1 ]; then
	pass
else
	fail "the receipt shows WeChat Pay ****6789: $(q "SELECT text FROM receipt_copy")"
fi
if [ "$(q "SELECT count(*) FROM tender WHERE method = 'cash'")" = 0 ]; then
	pass
else
	fail "a payment code was taken as cash"
fi

# 2. An amount typed first, then an Alipay code with its Enter: that amount by Alipay; a late
# Enter pays nothing; the rest in cash.
new_sale
keys 5
expect_re "the cashier's amount shows" "Amount received +5" # a person's key, then the scan
burst $ALIPAY
keys Enter
expect "the typed amount is paid by Alipay" "Alipay ****1234 ¥5.00 taken"
no_code "after the Alipay scan"
keys Enter
expect "a late Enter after a scan pays nothing" "Enter pays nothing after a scan"
if [ "$(q "SELECT count(*) FROM sale")" = 1 ]; then pass; else fail "the late Enter paid"; fi
keys F5
expect "cash pays the rest" "Sale complete, receipt S001-T01-000002"
keys Enter
expect "the next sale starts" "Total  0 items"
if [ "$(q "SELECT group_concat(method || ':' || ifnull(ref, '-') || ':' || amount) FROM tender
	WHERE seq = (SELECT seq FROM sale WHERE receipt = 'S001-T01-000002')")" = \
	"alipay:1234:500,cash:-:$(q "SELECT total - 500 FROM sale WHERE receipt = 'S001-T01-000002'")" ]; then
	pass
else
	fail "sale 2 is Alipay ¥5.00 ref 1234 and cash: $(q "SELECT group_concat(method || ':' ||
		ifnull(ref, '-') || ':' || amount) FROM tender")"
fi

# 3. A scan that is no payment code is refused, with or without its Enter; a late Enter pays
# nothing, however late; typing the amount makes Enter cash again.
new_sale
burst $NOTCODE
expect "a scan that is not a payment code is refused" "That scan is not a payment code"
keys Enter
expect "the Enter after the refusal pays nothing" "Enter pays nothing after a scan"
sleep 1
keys Enter
expect "nor one much later" "Enter pays nothing after a scan"
scan 6901028075831
expect "an item's barcode is refused here too" "That scan is not a payment code"
keys Enter
if [ "$(q "SELECT count(*) FROM sale")" = 2 ] && screen | grep -qF "Amount received"; then
	pass
else
	fail "an Enter after a refused scan paid"
fi
keys 1 0 0 Enter
expect "a typed amount pays cash again" "Sale complete, receipt S001-T01-000003"
keys Enter

# The whole codes are nowhere: database, WAL, log.
for c in $WECHAT $ALIPAY; do
	for f in demo.db demo.db-wal demo.db.log; do
		if [ -f "$f" ] && grep -qaF -- "$c" "$f"; then
			fail "the code $c is in $f"
		else
			pass
		fi
	done
done
if [ "$(q "SELECT count(*) FROM journal WHERE payload LIKE '%$WECHAT%' OR payload LIKE
	'%$ALIPAY%'")" = 0 ] && [ "$(q "SELECT count(*) FROM journal WHERE payload LIKE
	'%\"ref\":\"6789\"%'")" = 1 ]; then
	pass
else
	fail "the journal holds the last four digits only"
fi
if "$CP_BINARY" --db ./demo.db verify >verify.txt 2>&1; then pass; else fail "verify: $(cat verify.txt)"; fi
finish
