/* screen_member.c — finding a member (by phone or card: here first, then at HQ on a worker
 * thread that Esc cancels) and registering a new one (phone, name, birthday, referrer). Either
 * way the member ends up attached to the open sale. */
#include <stdio.h>
#include <string.h>

#include "consent.h"
#include "lookup.h"
#include "phone.h"
#include "text.h"
#include "ui_int.h"

/* ---- lookup ---- */

static struct {
	struct ui_field who;
	struct ui_lookup *busy;       /* a lookup at HQ under way */
	char asked[48];               /* masked phone or card being looked up */
	char phone[CP_PHONE_LEN + 1]; /* the normalised phone of the last search, for F3 */
	int64_t started;
	int cur_y, cur_x;
} M;

static void member_enter(struct ui *ui)
{
	(void)ui;
	cp_ui_field_init(&M.who, UI_FIELD_TEXT, 40, UI_IN_FOLD);
	M.busy = NULL;
	M.phone[0] = '\0';
}

static void member_leave(struct ui *ui)
{
	(void)ui;
	cp_ui_lookup_cancel(M.busy);
	M.busy = NULL;
}

static void found(struct ui *ui, const struct cp_member_view *m)
{
	cp_ui_pop(ui);
	cp_ui_sale_attach(ui, m);
}

static void not_found(struct ui *ui, bool asked_hq)
{
	cp_ui_field_refused(&M.who);
	cp_ui_msg(ui, UI_MSG_WARN,
		  asked_hq ? _("No member %s here or at HQ. F3 registers a new member.")
			   : _("No member %s here. F3 registers a new member."),
		  M.asked);
	beep();
}

/* Card numbers as core takes them: 4 to 32 letters, digits or '-'. */
static bool card_shape(const char *s)
{
	size_t n = strlen(s);

	if (n < 4 || n > 32)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= 'a' && *s <= 'z') || *s == '-'))
			return false;
	return true;
}

/* ---- a member without their phone: part of the name and the last four digits ---- */

#define PICK_MAX UI_CHOICE_MAX

static struct {
	struct cp_member_view m[PICK_MAX];
	char label[PICK_MAX][160];
} P;

static void pick(struct ui *ui, int i)
{
	struct cp_member_view m = P.m[i];

	found(ui, &m);
}
static void pick1(struct ui *ui)
{
	pick(ui, 0);
}
static void pick2(struct ui *ui)
{
	pick(ui, 1);
}
static void pick3(struct ui *ui)
{
	pick(ui, 2);
}
static void pick4(struct ui *ui)
{
	pick(ui, 3);
}

/* "王 5678": a part of the name (with a letter in it: "138 0013 8000" is a phone), a space, and
 * four digits. Splits it into name and last4; false for any other shape. */
static bool name_and_last4(const char *text, char *name, size_t namelen, char last4[5])
{
	const char *sp = strrchr(text, ' '), *p;
	size_t n;
	bool letter = false;

	if (!sp || strlen(sp + 1) != 4 || strspn(sp + 1, "0123456789") != 4)
		return false;
	while (*text == ' ')
		text++;
	for (n = (size_t)(sp - text); n > 0 && text[n - 1] == ' ';)
		n--;
	for (p = text; p < text + n; p++)
		letter |= !strchr("0123456789 +-()", *p);
	if (!letter || n == 0 || n >= namelen)
		return false;
	memcpy(name, text, n);
	name[n] = '\0';
	memcpy(last4, sp + 1, 5);
	return true;
}

static void search_by_name(struct ui *ui, const char *name, const char *last4)
{
	static void (*const run[PICK_MAX])(struct ui *) = {pick1, pick2, pick3, pick4};
	static const char *const keys[PICK_MAX] = {"1", "2", "3", "4"};
	struct ui_choice c[PICK_MAX];
	struct cp_errbuf err = {{0}};
	bool more;
	int n;
	enum cp_err rc = cp_member_search(ui->db, name, last4, P.m, PICK_MAX, &n, &more, &err);

	if (rc == CP_ENOTFOUND) {
		cp_ui_msg(ui, UI_MSG_WARN,
			  _("No member here whose name has %s and whose phone ends in %s."), name,
			  last4);
		beep();
		return;
	}
	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return;
	}
	if (more) {
		cp_ui_msg(ui, UI_MSG_WARN, _("More than %d members match: type more of the name."),
			  PICK_MAX);
		return;
	}
	if (n == 1) {
		pick(ui, 0);
		return;
	}
	for (int i = 0; i < n; i++) {
		snprintf(P.label[i], sizeof(P.label[i]), "%s  %s  %s", P.m[i].name,
			 P.m[i].masked_phone, P.m[i].tier_name);
		c[i] = (struct ui_choice){keys[i], keys[i], P.label[i], run[i]};
	}
	cp_ui_choose(ui, _("Which member?"), _("Press the member's number; Esc if none."), c, n);
}

static void search(struct ui *ui, const char *text)
{
	struct cp_errbuf err = {{0}};
	struct cp_member_view m;
	char card[64], scanned[CP_CODE_MAX + 1], name[80], last4[5];
	bool by_phone;
	enum cp_err rc;

	M.phone[0] = '\0';
	by_phone = cp_phone_normalise(text, M.phone, NULL) == CP_OK;
	if (!by_phone && name_and_last4(text, name, sizeof(name), last4)) {
		search_by_name(ui, name, last4);
		return;
	}
	if (by_phone) {
		cp_phone_mask(M.phone, M.asked);
		rc = cp_member_find_by_phone(ui->db, M.phone, &m, &err);
	} else {
		/* A card, as scanned ("]E0", suffixes) or typed in full-width forms. */
		int qty;
		enum ui_scan_kind kind = cp_ui_scan_classify(text, scanned, &qty, NULL);

		if (kind == UI_SCAN_ITEM || kind == UI_SCAN_RECEIPT) {
			/* Not a member's: an item's barcode or a receipt, for the sale. */
			if (kind == UI_SCAN_ITEM &&
			    cp_member_find_by_card(ui->db, scanned, &m, NULL) == CP_OK) {
				found(ui, &m);
				return;
			}
			if (!cp_ui_scan_route(ui, text))
				cp_ui_field_refused(&M.who);
			return;
		}
		if (kind == UI_SCAN_BAD || kind == UI_SCAN_BAD_QTY || !card_shape(scanned)) {
			cp_ui_msg(ui, UI_MSG_ERROR, "%s",
				  _("Type an 11-digit mobile number, or scan the member card."));
			beep();
			cp_ui_field_refused(&M.who);
			return;
		}
		snprintf(card, sizeof(card), "%s", scanned);
		snprintf(M.asked, sizeof(M.asked), _("card %s"), card);
		rc = cp_member_find_by_card(ui->db, card, &m, &err);
	}
	if (rc == CP_OK) {
		found(ui, &m);
		return;
	}
	if (rc != CP_ENOTFOUND) {
		cp_ui_fail(ui, &err, rc);
		cp_ui_field_refused(&M.who);
		return;
	}
	if (!ui->opts->remote_lookup) {
		not_found(ui, false);
		return;
	}
	M.busy = cp_ui_lookup_start(ui->opts, by_phone ? M.phone : NULL, by_phone ? NULL : card);
	if (!M.busy) {
		not_found(ui, false);
		return;
	}
	M.started = ui->now;
	cp_ui_msg(ui, UI_MSG_INFO, _("Not known here: searching HQ for %s... (Esc stops)"),
		  M.asked);
}

void cp_ui_member_open(struct ui *ui, const char *phone_or_card)
{
	if (!cp_ui_showing(ui, UI_SCR_member))
		cp_ui_push(ui, UI_SCR_member);
	else
		while (cp_ui_top(ui) != &cp_ui_screen_member)
			cp_ui_pop(ui);
	if (phone_or_card && phone_or_card[0] && !M.busy) {
		cp_ui_input_set(&M.who.in, phone_or_card);
		search(ui, phone_or_card);
	}
}

static int member_tick(struct ui *ui)
{
	struct cp_member_view m;
	struct cp_errbuf err = {{0}}, aerr = {{0}};
	enum cp_err rc;

	if (!M.busy)
		return 0;
	if (!cp_ui_lookup_poll(M.busy, &rc, &m, &err))
		return UI_REDRAW; /* the spinner */
	M.busy = NULL;
	if (rc == CP_OK) {
		/* app's lookup stored the member; read it back through our own connection. */
		struct cp_member_view here;

		if (cp_member_get(ui->db, m.id, &here, &aerr) == CP_OK)
			found(ui, &here);
		else
			cp_ui_fail(ui, &aerr, CP_ENOTFOUND);
	} else if (rc == CP_ENOTFOUND) {
		not_found(ui, true);
	} else if (rc == CP_EIO || rc == CP_ESTATE) {
		cp_ui_msg(ui, UI_MSG_WARN, "%s",
			  _("HQ cannot be reached now: only members known here can be found. F3 "
			    "registers a new member."));
		beep();
	} else {
		char buf[600];

		cp_ui_msg(ui, UI_MSG_WARN, _("The search at HQ failed: %s"),
			  cp_ui_errtext(&err, rc, buf, sizeof(buf)));
		beep();
	}
	return UI_REDRAW;
}

static void detach(struct ui *ui)
{
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	if (!ui->cart->has_member) {
		cp_ui_msg(ui, UI_MSG_INFO, "%s", _("No member is attached."));
		return;
	}
	rc = cp_cart_set_member(ui->db, &ui->session, NULL, &err);
	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return;
	}
	cp_ui_cart_refresh(ui);
	cp_ui_msg(ui, UI_MSG_INFO, "%s", _("The member was taken off the sale."));
}

static int member_key(struct ui *ui, const struct ui_key *k)
{
	enum ui_field_rc rc;
	char text[UI_INPUT_MAX + 1];

	if (k->code == UI_K_ESC) {
		if (M.busy) {
			cp_ui_lookup_cancel(M.busy);
			M.busy = NULL;
			cp_ui_msg(ui, UI_MSG_INFO, "%s", _("Search at HQ stopped."));
			return UI_HANDLED;
		}
		return UI_DONE;
	}
	if (M.busy)
		return UI_HANDLED; /* one search at a time; Esc stops it */
	if (k->code == UI_K_F3) {
		char phone[CP_PHONE_LEN + 1];

		snprintf(phone, sizeof(phone), "%s", M.phone);
		cp_ui_pop(ui);
		cp_ui_register_open(ui, phone[0] ? phone : NULL);
		return UI_HANDLED;
	}
	if (k->code == UI_K_DELETE && !ui_field_text(&M.who)[0]) {
		detach(ui);
		return UI_DONE;
	}
	rc = cp_ui_field_key(&M.who, k);
	switch (rc) {
	case UI_FIELD_SUBMIT:
		snprintf(text, sizeof(text), "%s", ui_field_text(&M.who));
		if (text[0])
			search(ui, text);
		return UI_HANDLED;
	default:
		return cp_ui_field_refusal(ui, rc);
	}
}

static void member_draw(struct ui *ui, WINDOW *w)
{
	static const char spin[] = "|/-\\";
	int wd = ui->cols - 16 > 70 ? 70 : ui->cols - 16, h = 14;
	int y = (ui->rows - h) / 2, x = (ui->cols - wd) / 2;
	char line[256];

	cp_ui_draw_box(ui, w, y, x, h, wd, _("Find a member"));
	M.cur_x = cp_ui_draw_field(ui, w, y + 2, x + 2, _("Phone or card"), 16, &M.who, 24, true);
	M.cur_y = y + 2;
	cp_ui_draw_wrapped(
		w, y + 4, x + 2, wd - 4, 3,
		_("Type the member's mobile number or scan their card, then Enter. Without "
		  "the phone: part of the name, a space and the phone's last four digits "
		  "(王 5678)."),
		cp_ui_attr(ui, UI_R_DIM));
	if (M.busy) {
		snprintf(line, sizeof(line), _("%c Searching HQ for %s... %llds  (Esc stops)"),
			 spin[(ui->now / 250) % 4], M.asked,
			 (long long)((ui->now - M.started) / 1000));
		cp_ui_put(w, y + 7, x + 2, wd - 4, line, cp_ui_attr(ui, UI_R_WARN), false);
	}
	if (ui->cart->has_member) {
		cp_ui_put(w, y + 9, x + 2, wd - 4, _("On this sale now:"),
			  cp_ui_attr(ui, UI_R_TITLE), false);
		snprintf(line, sizeof(line), "%s  %s  %s", ui->cart->member.name,
			 ui->cart->member.masked_phone, ui->cart->member.tier_name);
		cp_ui_put(w, y + 10, x + 4, wd - 6, line, cp_ui_attr(ui, UI_R_NORMAL), false);
	}
}

static int member_keys(struct ui *ui, struct ui_footkey *out, int max)
{
	int n = 0;

	(void)max;
	if (M.busy) {
		out[n++] = (struct ui_footkey){"Esc", NULL, _("Stop searching"), 0};
		return n;
	}
	out[n++] = (struct ui_footkey){"Enter", NULL, _("Search"), 0};
	out[n++] = (struct ui_footkey){"F3", NULL, _("Register new member"), 0};
	if (ui->cart->has_member)
		out[n++] = (struct ui_footkey){"Del", NULL, _("Take member off"), 0};
	out[n++] = (struct ui_footkey){"Esc", NULL, _("Back"), 0};
	return n;
}

static bool member_cursor(struct ui *ui, int *y, int *x)
{
	(void)ui;
	*y = M.cur_y;
	*x = M.cur_x;
	return !M.busy;
}

const struct ui_screen cp_ui_screen_member = {
	.name = "member",
	.modal = true,
	.enter = member_enter,
	.leave = member_leave,
	.draw = member_draw,
	.key = member_key,
	.tick = member_tick,
	.keys = member_keys,
	.cursor = member_cursor,
};

/* ---- registration ---- */

enum { R_PHONE, R_NAME, R_BIRTHDAY, R_REFERRER, R_FIELDS };

static struct {
	struct ui_field f[R_FIELDS];
	int focus;
	int cur_y, cur_x;
	char terms[CP_TERMS_VERSION_MAX + 1]; /* the version the shopper was asked about */
	char bday[6];
} R;

static void register_enter(struct ui *ui)
{
	(void)ui;
	cp_ui_field_init(&R.f[R_PHONE], UI_FIELD_TEXT, 24, UI_IN_FOLD);
	cp_ui_field_init(&R.f[R_NAME], UI_FIELD_TEXT, 64, 0);
	cp_ui_field_init(&R.f[R_BIRTHDAY], UI_FIELD_TEXT, 5, UI_IN_FOLD | UI_IN_DATE);
	cp_ui_field_init(&R.f[R_REFERRER], UI_FIELD_TEXT, 24, UI_IN_FOLD);
	R.focus = 0;
}

void cp_ui_register_open(struct ui *ui, const char *phone)
{
	cp_ui_push(ui, UI_SCR_register);
	if (phone && phone[0]) {
		cp_ui_input_set(&R.f[R_PHONE].in, phone);
		R.focus = R_NAME;
	}
}

/* "0315" or "03-15" -> "03-15"; "" stays "". */
static bool birthday(const char *in, char out[6])
{
	size_t n = strlen(in);

	if (n == 0) {
		out[0] = '\0';
		return true;
	}
	if (n == 4 && !strchr(in, '-')) {
		snprintf(out, 6, "%.2s-%.2s", in, in + 2);
		return true;
	}
	if (n == 5 && in[2] == '-') {
		snprintf(out, 6, "%s", in);
		return true;
	}
	return false;
}

/* The shopper said yes to the terms of version R.terms: registered with their consent. */
static void consent_given(struct ui *ui)
{
	struct cp_member_new nm = {.consent = true, .terms_version = R.terms};
	struct cp_member_view m;
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	nm.phone = ui_field_text(&R.f[R_PHONE]);
	nm.name = ui_field_text(&R.f[R_NAME])[0] ? ui_field_text(&R.f[R_NAME]) : NULL;
	nm.birthday = R.bday[0] ? R.bday : NULL;
	nm.referrer_phone =
		ui_field_text(&R.f[R_REFERRER])[0] ? ui_field_text(&R.f[R_REFERRER]) : NULL;
	rc = cp_member_register(ui->db, &ui->session, &nm, &m, &err);
	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		if (rc == CP_EEXIST)
			cp_ui_msg(ui, UI_MSG_WARN, "%s",
				  _("This phone number is already a member: F2 finds them."));
		return;
	}
	cp_ui_pop(ui);
	cp_ui_sale_attach(ui, &m);
	cp_ui_msg(ui, UI_MSG_OK, _("Welcome, %s! Member %s registered with %lld points."),
		  m.name[0] ? m.name : m.masked_phone, m.masked_phone, (long long)m.points);
}

static void consent_refused(struct ui *ui)
{
	cp_ui_msg(ui, UI_MSG_WARN, "%s",
		  _("Not registered: the shopper has not agreed to the membership terms."));
}

static void submit(struct ui *ui)
{
	const struct ui_choice c[] = {
		{"y", "y", _("Yes, they agree"), consent_given},
		{"n", "n", _("No"), consent_refused},
	};
	struct cp_errbuf err = {{0}};
	char text[160];
	enum cp_err rc;

	if (!ui_field_text(&R.f[R_PHONE])[0]) {
		R.focus = R_PHONE;
		cp_ui_msg(ui, UI_MSG_WARN, "%s", _("The member's mobile number is needed."));
		beep();
		return;
	}
	if (!birthday(ui_field_text(&R.f[R_BIRTHDAY]), R.bday)) {
		R.focus = R_BIRTHDAY;
		cp_ui_msg(ui, UI_MSG_WARN, "%s", _("Birthday as MM-DD, like 03-15."));
		beep();
		return;
	}
	if ((rc = cp_consent_terms_version(ui->db, R.terms, &err)) != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return;
	}
	snprintf(text, sizeof(text), _("Shopper agrees to the membership terms (version %s)? y/n"),
		 R.terms);
	cp_ui_choose(ui, _("Membership terms"), text, c, 2);
}

static int register_key(struct ui *ui, const struct ui_key *k)
{
	enum ui_field_rc rc;

	if (k->code == UI_K_ESC)
		return UI_DONE;
	if (k->code == UI_K_F4) {
		submit(ui);
		return UI_HANDLED;
	}
	if (k->code == UI_K_UP || k->code == UI_K_BTAB) {
		R.focus = (R.focus + R_FIELDS - 1) % R_FIELDS;
		return UI_HANDLED;
	}
	if (k->code == UI_K_DOWN || (k->code == UI_K_TAB && !k->burst)) {
		R.focus = (R.focus + 1) % R_FIELDS;
		return UI_HANDLED;
	}
	rc = cp_ui_field_key(&R.f[R.focus], k);
	switch (rc) {
	case UI_FIELD_SUBMIT:
		if (R.focus == R_FIELDS - 1)
			submit(ui);
		else
			R.focus++;
		return UI_HANDLED;
	default:
		return cp_ui_field_refusal(ui, rc);
	}
}

static void register_draw(struct ui *ui, WINDOW *w)
{
	const char *labels[R_FIELDS] = {_("Mobile number"), _("Name"), _("Birthday (MM-DD)"),
					_("Referrer's mobile")};
	const int widths[R_FIELDS] = {24, 32, 6, 24};
	int wd = ui->cols - 16 > 70 ? 70 : ui->cols - 16, h = 15;
	int y = (ui->rows - h) / 2, x = (ui->cols - wd) / 2;

	cp_ui_draw_box(ui, w, y, x, h, wd, _("Register a new member"));
	for (int i = 0; i < R_FIELDS; i++) {
		int c = cp_ui_draw_field(ui, w, y + 2 + 2 * i, x + 2, labels[i], 20, &R.f[i],
					 widths[i], R.focus == i);

		if (R.focus == i) {
			R.cur_y = y + 2 + 2 * i;
			R.cur_x = c;
		}
	}
	cp_ui_draw_wrapped(
		w, y + 10, x + 2, wd - 4, 3,
		_("Only the mobile number is required. New members get welcome points; a "
		  "referrer who is a member gets referral points too."),
		cp_ui_attr(ui, UI_R_DIM));
}

static const struct ui_footkey register_footer[] = {
	{"Enter", NULL, N_("Next field / save"), 0},
	{"F4", NULL, N_("Save"), 0},
	{"Tab", NULL, N_("Next field"), 0},
	{"Esc", NULL, N_("Back"), 0},
};

const struct ui_screen cp_ui_screen_register = {
	.name = "register",
	.modal = true,
	.enter = register_enter,
	.draw = register_draw,
	.key = register_key,
	UI_FOOTER(register_footer),
	.cur_y = &R.cur_y,
	.cur_x = &R.cur_x,
};
