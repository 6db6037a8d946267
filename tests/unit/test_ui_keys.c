/* test_ui_keys.c — the parts of the terminal UI that need no terminal: what a scan looks like
 * (item, phone, card, receipt, a burst into a PIN field), the line editor with UTF-8 (backspace
 * takes a whole character), fields refusing pastes, and the key bar fitted into 80 columns
 * with Chinese labels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bigtext.h"
#include "field.h"
#include "footer.h"
#include "input.h"
#include "scan.h"
#include "textwidth.h"

/* ---- scan shapes ---- */

static enum ui_scan_kind classify(const char *text, char out[CP_CODE_MAX + 1], int *qty)
{
	struct cp_errbuf err = {{0}};

	return cp_ui_scan_classify(text, out, qty, &err);
}

static void scan_items(void **state)
{
	char code[CP_CODE_MAX + 1];
	int qty = 0;

	(void)state;
	assert_int_equal(classify("6903468885155", code, &qty), UI_SCAN_ITEM);
	assert_string_equal(code, "6903468885155");
	assert_int_equal(qty, 1);
	/* Scanner symbology prefix and suffixes. */
	assert_int_equal(classify("]E06903468885155\r\n", code, &qty), UI_SCAN_ITEM);
	assert_string_equal(code, "6903468885155");
	assert_int_equal(classify("6903468885155\t", code, &qty), UI_SCAN_ITEM);
	assert_string_equal(code, "6903468885155");
	/* Full-width digits from a Chinese input method. */
	assert_int_equal(classify("６９０３４６８８８５１５５", code, &qty), UI_SCAN_ITEM);
	assert_string_equal(code, "6903468885155");
	/* EAN-8 and a wrong check digit: still an item, the catalogue says what is wrong. */
	assert_int_equal(classify("69123405", code, &qty), UI_SCAN_ITEM);
	assert_int_equal(classify("6903468885156", code, &qty), UI_SCAN_ITEM);
	assert_string_equal(code, "6903468885156");
	/* A quantity in front. */
	assert_int_equal(classify("3*6903468885155", code, &qty), UI_SCAN_ITEM);
	assert_string_equal(code, "6903468885155");
	assert_int_equal(qty, 3);
	assert_int_equal(classify("12x10001", code, &qty), UI_SCAN_SKU);
	assert_string_equal(code, "10001");
	assert_int_equal(qty, 12);
	/* A short SKU. */
	assert_int_equal(classify("10001", code, &qty), UI_SCAN_SKU);
	assert_int_equal(qty, 1);
}

static void scan_members_and_receipts(void **state)
{
	char code[CP_CODE_MAX + 1];
	int qty;

	(void)state;
	assert_int_equal(classify("13800138000", code, &qty), UI_SCAN_PHONE);
	assert_string_equal(code, "13800138000");
	assert_int_equal(classify("１３８００１３８０００", code, &qty), UI_SCAN_PHONE);
	assert_string_equal(code, "13800138000");
	/* 11 digits that no mobile number starts with. */
	assert_int_equal(classify("12800138000", code, &qty), UI_SCAN_SKU);
	/* Member cards: long numbers that are neither barcodes nor phones. */
	assert_int_equal(classify("8800000001", code, &qty), UI_SCAN_CARD);
	assert_int_equal(classify("880000000100001", code, &qty), UI_SCAN_CARD);
	assert_int_equal(classify("S001-T01-000001", code, &qty), UI_SCAN_RECEIPT);
	assert_string_equal(code, "S001-T01-000001");
	assert_int_equal(classify("S001-T01", code, &qty), UI_SCAN_SKU);
}

static void scan_bad(void **state)
{
	char code[CP_CODE_MAX + 1];
	struct cp_errbuf err = {{0}};
	int qty;

	(void)state;
	assert_int_equal(cp_ui_scan_classify("", code, &qty, &err), UI_SCAN_BAD);
	assert_true(err.msg[0] != '\0');
	assert_int_equal(classify("牛奶", code, &qty), UI_SCAN_BAD);
	assert_int_equal(classify("ab\x01"
				  "cd",
				  code, &qty),
			 UI_SCAN_BAD);
	assert_int_equal(classify("\xff\xfe", code, &qty), UI_SCAN_BAD);
	assert_int_equal(classify("690346888515569034688851556903468885155", code, &qty),
			 UI_SCAN_BAD);
	assert_string_equal(code, "");
}

static void burst_speed(void **state)
{
	struct ui_burst b;
	int64_t t = 1000;

	(void)state;
	/* A scanner: 13 characters 5 ms apart, Enter 5 ms later. */
	cp_ui_burst_reset(&b);
	for (int i = 0; i < 13; i++)
		cp_ui_burst_char(&b, t += 5, (size_t)i);
	assert_true(cp_ui_burst_scanned(&b, t + 5));
	assert_false(cp_ui_burst_pasted(&b));
	/* The same Enter a moment later is a person's. */
	assert_false(cp_ui_burst_scanned(&b, t + 500));
	/* A person: 150 ms apart. */
	cp_ui_burst_reset(&b);
	for (int i = 0; i < 13; i++)
		cp_ui_burst_char(&b, t += 150, (size_t)i);
	assert_false(cp_ui_burst_scanned(&b, t + 150));
	/* A fast but short run: a PIN typed in one go by a terminal multiplexer. */
	cp_ui_burst_reset(&b);
	for (int i = 0; i < 4; i++)
		cp_ui_burst_char(&b, t += 1, (size_t)i);
	assert_false(cp_ui_burst_scanned(&b, t + 1));
	/* A run starts again after a pause, at the position given. */
	cp_ui_burst_char(&b, t += 1000, 7);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.start, 7);
	/* Longer than any scanner sends: a paste. */
	cp_ui_burst_reset(&b);
	for (int i = 0; i < UI_PASTE_MAX + 1; i++)
		cp_ui_burst_char(&b, t += 1, (size_t)i);
	assert_true(cp_ui_burst_pasted(&b));
}

static void pin_shapes(void **state)
{
	(void)state;
	assert_false(cp_ui_scan_in_pin("1111", false));
	assert_false(cp_ui_scan_in_pin("123456789012", false));
	assert_true(cp_ui_scan_in_pin("1234567890123", false)); /* longer than a PIN */
	assert_true(cp_ui_scan_in_pin("]E0123", false));        /* symbology prefix */
	assert_true(cp_ui_scan_in_pin("12345678", true));       /* came at scanner speed */
}

/* ---- the line editor ---- */

static void type(struct ui_input *in, const char *utf8)
{
	while (*utf8) {
		uint32_t cp;

		utf8 += cp_ui_utf8_decode(utf8, &cp);
		assert_int_equal(cp_ui_input_insert(in, cp), UI_INPUT_OK);
	}
}

static void input_utf8_backspace(void **state)
{
	struct ui_input in;

	(void)state;
	cp_ui_input_init(&in, 64, 0);
	type(&in, "牛奶ab");
	assert_string_equal(in.buf, "牛奶ab");
	assert_int_equal(in.len, 8);
	assert_true(cp_ui_input_backspace(&in));
	assert_string_equal(in.buf, "牛奶a");
	assert_true(cp_ui_input_backspace(&in));
	assert_true(cp_ui_input_backspace(&in)); /* the whole 奶, three bytes */
	assert_string_equal(in.buf, "牛");
	assert_int_equal(in.len, 3);
	assert_int_equal(in.cur, 3);
	assert_true(cp_ui_input_backspace(&in));
	assert_string_equal(in.buf, "");
	assert_false(cp_ui_input_backspace(&in));
	/* Editing in the middle, by characters. */
	type(&in, "张三丰");
	assert_true(cp_ui_input_left(&in));
	assert_int_equal(in.cur, 6);
	assert_true(cp_ui_input_backspace(&in)); /* 三 */
	assert_string_equal(in.buf, "张丰");
	assert_true(cp_ui_input_delete(&in)); /* 丰 */
	assert_string_equal(in.buf, "张");
	cp_ui_input_home(&in);
	type(&in, "A");
	assert_string_equal(in.buf, "A张");
	assert_int_equal(cp_ui_text_width(in.buf), 3);
}

static void input_refuses(void **state)
{
	struct ui_input in;

	(void)state;
	cp_ui_input_init(&in, 8, 0);
	assert_int_equal(cp_ui_input_insert(&in, 0x07), UI_INPUT_REFUSED);   /* BEL */
	assert_int_equal(cp_ui_input_insert(&in, 0x1b), UI_INPUT_REFUSED);   /* ESC */
	assert_int_equal(cp_ui_input_insert(&in, 0x9b), UI_INPUT_REFUSED);   /* C1 CSI */
	assert_int_equal(cp_ui_input_insert(&in, 0x202e), UI_INPUT_REFUSED); /* bidi override */
	assert_int_equal(cp_ui_input_insert(&in, 0xd800), UI_INPUT_REFUSED); /* surrogate */
	assert_int_equal(in.len, 0);
	/* The byte cap holds for multi-byte characters too. */
	type(&in, "牛奶");
	assert_int_equal(cp_ui_input_insert(&in, 0x725b), UI_INPUT_FULL);
	assert_int_equal(cp_ui_input_insert(&in, 'a'), UI_INPUT_OK);
	assert_int_equal(cp_ui_input_insert(&in, 'a'), UI_INPUT_OK);
	assert_int_equal(cp_ui_input_insert(&in, 'a'), UI_INPUT_FULL);
	assert_string_equal(in.buf, "牛奶aa");
	/* set() checks its bytes. */
	assert_int_equal(cp_ui_input_set(&in, "\xe7\x89"), UI_INPUT_REFUSED);
	assert_int_equal(cp_ui_input_set(&in, "a\nb"), UI_INPUT_REFUSED);
	assert_string_equal(in.buf, "牛奶aa");
	assert_int_equal(cp_ui_input_set(&in, "123456789"), UI_INPUT_FULL);
}

static void input_kinds(void **state)
{
	struct ui_input in;

	(void)state;
	/* Digits, full-width folded. */
	cp_ui_input_init(&in, 12, UI_IN_FOLD | UI_IN_DIGITS);
	type(&in, "１２3");
	assert_string_equal(in.buf, "123");
	assert_int_equal(cp_ui_input_insert(&in, 'a'), UI_INPUT_REFUSED);
	assert_int_equal(cp_ui_input_insert(&in, 0x725b), UI_INPUT_REFUSED);
	/* Amounts: one '.'. */
	cp_ui_input_init(&in, 16, UI_IN_FOLD | UI_IN_AMOUNT);
	type(&in, "12．3");
	assert_string_equal(in.buf, "12.3");
	assert_int_equal(cp_ui_input_insert(&in, '.'), UI_INPUT_REFUSED);
	assert_int_equal(cp_ui_input_insert(&in, '-'), UI_INPUT_REFUSED);
	/* Codes: ASCII only. */
	cp_ui_input_init(&in, 32, UI_IN_FOLD | UI_IN_ASCII);
	type(&in, "ＡＢ１");
	assert_string_equal(in.buf, "AB1");
	assert_int_equal(cp_ui_input_insert(&in, 0x725b), UI_INPUT_REFUSED);
}

static void input_view(void **state)
{
	struct ui_input in;
	char out[128];
	int cur;

	(void)state;
	cp_ui_input_init(&in, 64, 0);
	type(&in, "红富士苹果散称");
	/* 14 columns of text in 9: the end shows, whole characters only, cursor after it. */
	assert_int_equal(cp_ui_input_view(&in, 9, out, sizeof(out), &cur), 8);
	assert_string_equal(out, "苹果散称");
	assert_int_equal(cur, 8);
	/* In 8 columns the cursor's cell needs room too. */
	assert_int_equal(cp_ui_input_view(&in, 8, out, sizeof(out), &cur), 6);
	assert_string_equal(out, "果散称");
	assert_int_equal(cur, 6);
	cp_ui_input_home(&in);
	assert_int_equal(cp_ui_input_view(&in, 9, out, sizeof(out), &cur), 8);
	assert_string_equal(out, "红富士苹");
	assert_int_equal(cur, 0);
	/* A PIN shows as stars, one per character. */
	cp_ui_input_init(&in, 12, UI_IN_SECRET);
	type(&in, "1234");
	cp_ui_input_view(&in, 10, out, sizeof(out), &cur);
	assert_string_equal(out, "****");
	assert_int_equal(cur, 4);
	cp_ui_input_wipe(&in);
	assert_int_equal(in.len, 0);
	assert_int_equal(in.buf[0], 0);
}

/* ---- fields: keys with their timing ---- */

static int64_t now_ms = 100000;

static enum ui_field_rc key_char(struct ui_field *f, uint32_t ch, int64_t gap)
{
	struct ui_key k = {.code = UI_K_CHAR, .ch = ch, .at = now_ms += gap, .gap = gap};

	return cp_ui_field_key(f, &k);
}

static enum ui_field_rc key_code(struct ui_field *f, enum ui_keycode code, int64_t gap)
{
	struct ui_key k = {.code = code, .at = now_ms += gap, .gap = gap};

	if (code == UI_K_CTRL)
		k.ch = 0x01;
	return cp_ui_field_key(f, &k);
}

static enum ui_field_rc type_at(struct ui_field *f, const char *s, int64_t gap)
{
	enum ui_field_rc rc = UI_FIELD_SAME;

	while (*s) {
		uint32_t cp;

		s += cp_ui_utf8_decode(s, &cp);
		rc = key_char(f, cp, gap);
	}
	return rc;
}

static void field_pin_refuses_scan(void **state)
{
	struct ui_field f;

	(void)state;
	cp_ui_field_init(&f, UI_FIELD_PIN, 12, UI_IN_FOLD | UI_IN_ASCII);
	type_at(&f, "69034688", 3);
	assert_int_equal(key_code(&f, UI_K_ENTER, 3), UI_FIELD_PIN_SCAN);
	assert_int_equal(f.in.len, 0);
	/* A whole barcode does not even fit: refused when it overflows, the rest swallowed. */
	key_char(&f, ']', 700);
	assert_int_equal(type_at(&f, "E069034688", 3), UI_FIELD_CHANGED);
	assert_int_equal(type_at(&f, "85155", 3), UI_FIELD_SAME);
	assert_int_equal(f.in.len, 0);
	assert_int_equal(key_code(&f, UI_K_ENTER, 3), UI_FIELD_SAME);
	/* Typed by hand, the same characters are refused at Enter: no PIN starts with ']'. */
	type_at(&f, "]E0123", 400);
	assert_int_equal(key_code(&f, UI_K_ENTER, 400), UI_FIELD_PIN_SCAN);
	assert_int_equal(f.in.len, 0);
	/* A person's PIN, even a long one. */
	type_at(&f, "12345678", 200);
	assert_int_equal(key_code(&f, UI_K_ENTER, 200), UI_FIELD_SUBMIT);
	assert_string_equal(ui_field_text(&f), "12345678");
	cp_ui_field_clear(&f);
	/* Four digits sent at once (tmux send-keys) are still a PIN. */
	type_at(&f, "1111", 0);
	assert_int_equal(key_code(&f, UI_K_ENTER, 0), UI_FIELD_SUBMIT);
	assert_string_equal(ui_field_text(&f), "1111");
}

static void field_routes_scan(void **state)
{
	struct ui_field f;

	(void)state;
	/* An amount being typed when the scanner fires: the scan comes out, the amount stays. */
	cp_ui_field_init(&f, UI_FIELD_ROUTE, 16, UI_IN_FOLD | UI_IN_AMOUNT);
	type_at(&f, "50", 300);
	key_char(&f, '6', 700);
	type_at(&f, "903468885155", 4);
	assert_int_equal(key_code(&f, UI_K_ENTER, 4), UI_FIELD_SCAN);
	assert_string_equal(f.scan, "6903468885155");
	assert_string_equal(ui_field_text(&f), "50");
	/* A scanner that ends with Tab. */
	key_char(&f, '6', 700);
	type_at(&f, "9123405", 4);
	assert_int_equal(key_code(&f, UI_K_TAB, 4), UI_FIELD_SCAN);
	assert_string_equal(f.scan, "69123405");
	/* A person's Enter submits. */
	assert_int_equal(key_code(&f, UI_K_ENTER, 500), UI_FIELD_SUBMIT);
	assert_string_equal(ui_field_text(&f), "50");
}

/* A customer's payment code into the 16-byte amount field: 18 digits (or letters, which an
 * amount never takes) are kept whole as the scanner typed them and judged when the run ends,
 * by its Enter or by a pause; nothing of them stays in the field. */
static void field_routes_long_scan(void **state)
{
	struct ui_field f;

	(void)state;
	cp_ui_field_init(&f, UI_FIELD_ROUTE, 16, UI_IN_FOLD | UI_IN_AMOUNT);
	type_at(&f, "5", 700);
	key_char(&f, '1', 700);
	assert_int_equal(type_at(&f, "34567890123456789", 4), UI_FIELD_SAME);
	assert_true(cp_ui_field_in_run(&f));
	assert_int_equal(key_code(&f, UI_K_ENTER, 4), UI_FIELD_SCAN);
	assert_string_equal(f.scan, "134567890123456789");
	assert_string_equal(ui_field_text(&f), "5");
	assert_false(cp_ui_field_in_run(&f));
	cp_ui_field_scan_wipe(&f);
	assert_int_equal(f.scan[0], '\0');
	/* No Enter (or a slow one): judged once the keys pause, not before. */
	key_char(&f, '1', 700);
	type_at(&f, "34567890123456789", 4);
	assert_int_equal(cp_ui_field_idle(&f, now_ms + 10), UI_FIELD_SAME);
	assert_int_equal(cp_ui_field_idle(&f, now_ms + 600), UI_FIELD_SCAN);
	assert_string_equal(f.scan, "134567890123456789");
	assert_string_equal(ui_field_text(&f), "5");
	assert_int_equal(cp_ui_field_idle(&f, now_ms + 700), UI_FIELD_SAME);
	/* A late Enter is a person's Enter on what is left. */
	assert_int_equal(key_code(&f, UI_K_ENTER, 600), UI_FIELD_SUBMIT);
	/* A scan with letters comes out as typed, for the screen to refuse. */
	cp_ui_field_clear(&f);
	key_char(&f, 'S', 700);
	type_at(&f, "001-T01-000123", 4);
	assert_int_equal(key_code(&f, UI_K_ENTER, 4), UI_FIELD_SCAN);
	assert_string_equal(f.scan, "S001-T01-000123");
	assert_string_equal(ui_field_text(&f), "");
	/* Two keys at once (tmux) stay typed; with a letter in them they are refused whole. */
	type_at(&f, "50", 0);
	assert_int_equal(cp_ui_field_idle(&f, now_ms + 600), UI_FIELD_CHANGED);
	assert_string_equal(ui_field_text(&f), "50");
	cp_ui_field_clear(&f);
	key_char(&f, '5', 700);
	type_at(&f, "x", 0);
	assert_int_equal(cp_ui_field_idle(&f, now_ms + 600), UI_FIELD_REFUSED);
	assert_string_equal(ui_field_text(&f), "");
	/* A person's letter is refused at the key, as before. */
	assert_int_equal(key_char(&f, 'x', 700), UI_FIELD_REFUSED);
}

static void field_text_takes_scan(void **state)
{
	struct ui_field f;

	(void)state;
	cp_ui_field_init(&f, UI_FIELD_TEXT, 64, UI_IN_FOLD | UI_IN_ASCII);
	type_at(&f, "6903468885155", 4);
	assert_int_equal(key_code(&f, UI_K_ENTER, 4), UI_FIELD_SUBMIT);
	assert_string_equal(ui_field_text(&f), "6903468885155");
	/* Tab from a person is not Enter. */
	assert_int_equal(key_code(&f, UI_K_TAB, 500), UI_FIELD_IGNORED);
}

static void field_refuses_paste(void **state)
{
	struct ui_field f;
	char big[10001];

	(void)state;
	cp_ui_field_init(&f, UI_FIELD_TEXT, 64, 0);
	type_at(&f, "ab", 300);
	/* 10,000 characters at once: refused, none of it shown, the rest swallowed. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(key_char(&f, 'x', 900), UI_FIELD_CHANGED);
	{
		enum ui_field_rc rc, first = UI_FIELD_SAME;

		for (size_t i = 1; i < sizeof(big) - 1; i++) {
			rc = key_char(&f, (uint32_t)big[i], 0);
			if (first == UI_FIELD_SAME && rc != UI_FIELD_CHANGED)
				first = rc;
		}
		assert_int_equal(first, UI_FIELD_PASTE);
	}
	/* A refused field is emptied: what is typed next starts afresh. */
	assert_string_equal(ui_field_text(&f), "");
	assert_int_equal(key_code(&f, UI_K_ENTER, 0), UI_FIELD_SAME); /* the paste's own Enter */
	/* The next key a person types counts again. */
	assert_int_equal(key_char(&f, 'c', 500), UI_FIELD_CHANGED);
	assert_string_equal(ui_field_text(&f), "c");
	type_at(&f, "ab", 300);
	/* A control character inside a fast run: the run is refused. */
	key_char(&f, '1', 900);
	type_at(&f, "234", 1);
	assert_int_equal(key_code(&f, UI_K_CTRL, 1), UI_FIELD_PASTE);
	assert_string_equal(ui_field_text(&f), "");
	/* Alone, it is only refused, and the field emptied too. */
	type_at(&f, "abc", 300);
	assert_int_equal(key_code(&f, UI_K_CTRL, 800), UI_FIELD_REFUSED);
	assert_string_equal(ui_field_text(&f), "");
	/* At the head of a paste: refused with what follows, the field emptied. */
	type_at(&f, "abc", 300);
	{
		struct ui_key k = {.code = UI_K_CTRL, .ch = 0x1b, .gap = 900, .burst = true};

		k.at = now_ms += 900;
		assert_int_equal(cp_ui_field_key(&f, &k), UI_FIELD_PASTE);
		assert_int_equal(type_at(&f, "[31m", 1), UI_FIELD_SAME);
		assert_string_equal(ui_field_text(&f), "");
		type_at(&f, "abc", 900);
	}
	/* Ctrl-U empties the field, however fast. */
	{
		struct ui_key k = {.code = UI_K_CTRL, .ch = 0x15, .gap = 900, .burst = true};

		k.at = now_ms += 900;
		assert_int_equal(cp_ui_field_key(&f, &k), UI_FIELD_CHANGED);
		assert_string_equal(ui_field_text(&f), "");
	}
	/* Too long for the field: refused, not cut. */
	cp_ui_field_init(&f, UI_FIELD_TEXT, 8, 0);
	assert_int_equal(type_at(&f, "123456789", 1), UI_FIELD_FULL);
	assert_string_equal(ui_field_text(&f), "");
}

/* ---- the key bar ---- */

static int bar_width(const struct ui_footcell *c, int n)
{
	return n ? c[n - 1].x + c[n - 1].key_w + 1 + c[n - 1].label_w : 0;
}

static void check_cells(const struct ui_footcell *c, int n, int cols)
{
	for (int i = 0; i < n; i++) {
		assert_int_equal(cp_ui_text_width(c[i].label), c[i].label_w);
		assert_int_equal(cp_ui_text_width(c[i].key), c[i].key_w);
		if (i)
			assert_true(c[i].x > c[i - 1].x + c[i - 1].key_w + c[i - 1].label_w);
	}
	assert_true(bar_width(c, n) <= cols);
}

static const struct ui_footkey zh_sale[] = {
	{"F1", "?", "帮助", 0},   {"F2", "m", "会员", 0}, {"F3", "n", "注册", 0},
	{"F4", "p", "收款", 0},   {"F5", "r", "退货", 0}, {"F6", "q", "数量", 1},
	{"Del", NULL, "删除", 1}, {"F9", "g", "菜单", 0}, {"F10", "l", "登出", 0},
	{"Esc", NULL, "取消", 0},
};

static void footer_chinese_80(void **state)
{
	struct ui_footcell c[UI_FOOT_MAX];
	int n;

	(void)state;
	/* Wide enough: everything, letters too. */
	n = cp_ui_footer_fit(zh_sale, 10, 120, c);
	assert_int_equal(n, 10);
	assert_string_equal(c[1].key, "F2/m");
	check_cells(c, n, 120);
	/* 80 columns: the optional keys give way, no label is cut. */
	n = cp_ui_footer_fit(zh_sale, 10, 80, c);
	check_cells(c, n, 80);
	assert_int_equal(n, 8);
	assert_string_equal(c[1].key, "F2");
	for (int i = 0; i < n; i++)
		assert_int_equal(c[i].label_w, 4);
	assert_string_equal(c[7].key, "Esc");
	/* 40 columns: labels cut on whole characters, never half of one. */
	n = cp_ui_footer_fit(zh_sale, 10, 40, c);
	check_cells(c, n, 40);
	assert_true(n >= 1);
	for (int i = 0; i < n; i++)
		assert_true(c[i].label_w % 2 == 0);
}

static void footer_english(void **state)
{
	static const struct ui_footkey en[] = {
		{"F1", "?", "Help", 0},     {"F2", "m", "Member", 0}, {"F3", "n", "Register", 0},
		{"F4", "p", "Pay", 0},      {"F5", "r", "Refund", 0}, {"F6", "q", "Qty", 1},
		{"Del", NULL, "Remove", 1}, {"F9", "g", "Menu", 0},   {"F10", "l", "Log out", 0},
		{"Esc", NULL, "Cancel", 0},
	};
	static const struct ui_footkey mixed[] = {
		{"Enter", NULL, "下一项/登录 next or log in", 0},
		{"Tab", NULL, "切换输入框 other field", 0},
		{"Esc", NULL, "清空 clear everything typed so far", 0},
	};
	struct ui_footcell c[UI_FOOT_MAX];
	int n;

	(void)state;
	n = cp_ui_footer_fit(en, 10, 100, c);
	assert_int_equal(n, 10);
	check_cells(c, n, 100);
	n = cp_ui_footer_fit(en, 10, 80, c);
	assert_int_equal(n, 8);
	assert_string_equal(c[0].label, "Help");
	assert_string_equal(c[6].label, "Log out");
	check_cells(c, n, 80);
	n = cp_ui_footer_fit(mixed, 3, 50, c);
	assert_int_equal(n, 3);
	check_cells(c, n, 50);
}

static void big_figures(void **state)
{
	char rows[UI_BIG_ROWS][64];

	(void)state;
	assert_int_equal(cp_ui_bigtext("12.30", rows, sizeof(rows[0])), 13);
	assert_string_equal(rows[0], "    _   _  _ ");
	for (int r = 0; r < UI_BIG_ROWS; r++)
		assert_int_equal((int)strlen(rows[r]), 13);
	assert_string_equal(rows[2], "  ||_ . _||_|");
	assert_int_equal(cp_ui_bigtext("123456789012345678901", rows, 20), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scan_items),
		cmocka_unit_test(scan_members_and_receipts),
		cmocka_unit_test(scan_bad),
		cmocka_unit_test(burst_speed),
		cmocka_unit_test(pin_shapes),
		cmocka_unit_test(input_utf8_backspace),
		cmocka_unit_test(input_refuses),
		cmocka_unit_test(input_kinds),
		cmocka_unit_test(input_view),
		cmocka_unit_test(field_pin_refuses_scan),
		cmocka_unit_test(field_routes_scan),
		cmocka_unit_test(field_routes_long_scan),
		cmocka_unit_test(field_text_takes_scan),
		cmocka_unit_test(field_refuses_paste),
		cmocka_unit_test(footer_chinese_80),
		cmocka_unit_test(footer_english),
		cmocka_unit_test(big_figures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
