/* screen_pay.c — taking the money: tenders by method (cash, bank card, WeChat Pay, Alipay,
 * the member's points up to what they may pay with points now), split until the total is covered, only cash giving change; a customer's payment code scanned
 * here pays by its own method (never as cash), any other scan is refused. Then the sale is
 * committed in one step and the result shown large: the change due, the points earned and what
 * the member's balance is now worth. */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "money.h"
#include "multiplier.h"
#include "paycode.h"
#include "pointspay.h"
#include "cart_tender.h"
#include "rounding.h"
#include "sale.h"
#include "ui_int.h"

struct method {
	enum cp_tender_method m;
	const char *key, *alt, *label;
};

static const struct method methods[] = {
	{CP_TENDER_CASH, "F5", "c", N_("Cash")},
	{CP_TENDER_CARD, "F6", "b", N_("Bank card")},
	{CP_TENDER_WECHAT, "F7", "w", N_("WeChat Pay")},
	{CP_TENDER_ALIPAY, "F8", "a", N_("Alipay")},
	{CP_TENDER_POINTS, "F9", "p", N_("Points")},
};
#define NMETHODS (int)(sizeof(methods) / sizeof(methods[0]))

static struct {
	struct ui_field amount;
	struct cp_tender t[CP_TENDER_MAX];
	int n;
	int kept; /* t[0..kept) are kept with the open sale (cart_tender.h) */
	/* After a scan or a refusal Enter pays nothing until the cashier types or chooses: an
	 * Enter that trails a scan, however late, must never pay the balance in cash. */
	bool enter_off;
	int cur_y, cur_x;
	bool quoted; /* q holds what points may pay for this cart */
	struct cp_pointspay_quote q;
} P;

static struct {
	struct cp_sale_result r;
	bool member;
	struct cp_member_view m;
} D;

static const char *method_label(enum cp_tender_method m)
{
	for (int i = 0; i < NMETHODS; i++)
		if (methods[i].m == m)
			return _(methods[i].label);
	if (m == CP_TENDER_UNIONPAY)
		return _("UnionPay");
	return "?";
}

/* "WeChat Pay ****6789" for a tender paid by a customer's code, else the method. */
static const char *tender_label(const struct cp_tender *t, char *buf, size_t len)
{
	if (!t->ref[0])
		return method_label(t->method);
	snprintf(buf, len, "%s ****%.4s", method_label(t->method), t->ref);
	return buf;
}

static int64_t tendered(void)
{
	int64_t sum = 0;

	for (int i = 0; i < P.n; i++)
		cp_money_add(sum, P.t[i].amount, &sum);
	return sum;
}

static int64_t due(struct ui *ui)
{
	int64_t d = cp_ui_coupon_due(ui) - tendered();

	return d > 0 ? d : 0;
}

/* 抹零: what the till rounds off the part paid in cash (core's rule: the total less the
 * non-cash payments), and that part rounded. */
static int64_t cash_rounding(struct ui *ui)
{
	int64_t noncash = 0, fen = 0;

	for (int i = 0; i < P.n; i++)
		if (P.t[i].method != CP_TENDER_CASH)
			cp_money_add(noncash, P.t[i].amount, &noncash);
	if (!cp_rounding_quote(ui->db, cp_ui_coupon_due(ui), noncash, &fen))
		return 0;
	return fen;
}

static int64_t cash_due(struct ui *ui)
{
	int64_t d = due(ui) - cash_rounding(ui);

	return d > 0 ? d : 0;
}

/* Whether the payments cover the sale: the total, or with cash among them the total less the
 * cash rounding. */
static bool covered(struct ui *ui)
{
	for (int i = 0; i < P.n; i++)
		if (P.t[i].method == CP_TENDER_CASH)
			return tendered() >= cp_ui_coupon_due(ui) - cash_rounding(ui);
	return tendered() >= cp_ui_coupon_due(ui);
}

static void pay_enter(struct ui *ui)
{
	cp_ui_field_init(&P.amount, UI_FIELD_ROUTE, 16, UI_IN_FOLD | UI_IN_AMOUNT);
	P.n = P.kept = 0;
	/* the payments entered before a crash, a closed window or leaving this screen */
	if (cp_cart_tender_list(ui->db, &ui->session, P.t, &P.n, NULL) != CP_OK)
		P.n = 0;
	P.kept = P.n;
	P.enter_off = false;
	P.quoted =
		ui->cart->has_member && cp_pointspay_quote(ui->db, ui->cart, &P.q, NULL) == CP_OK;
}

/* With nothing typed, points pay what is due, down to whole steps and what they may pay now. */
static int64_t points_due(int64_t d)
{
	int64_t most = P.quoted ? P.q.max_fen : 0;

	if (d < most)
		most = P.quoted && P.q.step_fen > 0 ? d / P.q.step_fen * P.q.step_fen : 0;
	return most;
}

static void pay_leave(struct ui *ui)
{
	(void)ui;
	cp_ui_field_clear(&P.amount);
}

static void commit(struct ui *ui)
{
	struct cp_errbuf err = {{0}};
	struct cp_sale_result r;
	char member_id[64] = "";
	enum cp_err rc;

	if (ui->cart->has_member)
		snprintf(member_id, sizeof(member_id), "%s", ui->cart->member.id);
	/* core takes the kept payments first; the rest are given */
	rc = cp_sale_pay(ui->db, &ui->session, P.t + P.kept, P.n - P.kept, &r, &err);
	if (rc != CP_OK) {
		/* Nothing was recorded: the last tender is taken back so that it can be retried. */
		P.n--;
		cp_ui_fail(ui, &err, rc);
		return;
	}
	snprintf(ui->last_receipt, sizeof(ui->last_receipt), "%s", r.receipt);
	if (ui->opts->on_receipt)
		ui->opts->on_receipt(ui->opts->receipt_ctx, r.receipt);
	cp_ui_cart_refresh(ui);
	cp_ui_paid_show(ui, &r, member_id[0] ? member_id : NULL);
}

/* A points tender is refused here, before the customer pays the rest: one a sale, whole steps,
 * no more than points may pay now (core checks all again when the sale is paid). */
static enum cp_err points_ok(struct ui *ui, int64_t amount)
{
	char a[48], b[48];

	for (int i = 0; i < P.n; i++)
		if (P.t[i].method == CP_TENDER_POINTS) {
			cp_ui_msg(ui, UI_MSG_ERROR, "%s",
				  _("Points are already taken for this sale; Backspace takes them "
				    "off."));
			return CP_EINVAL;
		}
	if (!P.quoted || P.q.step_fen <= 0 || P.q.max_fen <= 0) {
		cp_ui_msg(ui, UI_MSG_ERROR, _("Points cannot pay now: %s"),
			  P.quoted ? P.q.limit : _("attach the member first"));
		return CP_EINVAL;
	}
	if (amount % P.q.step_fen != 0) {
		cp_ui_msg(ui, UI_MSG_ERROR, _("Points pay in whole steps of %s: %s is not one."),
			  cp_ui_money(ui, P.q.step_fen, a, sizeof(a)),
			  cp_ui_money(ui, amount, b, sizeof(b)));
		return CP_EINVAL;
	}
	if (amount > P.q.max_fen) {
		cp_ui_msg(ui, UI_MSG_ERROR, _("Points may pay at most %s now: %s"),
			  cp_ui_money(ui, P.q.max_fen, a, sizeof(a)), P.q.limit);
		return CP_EINVAL;
	}
	return CP_OK;
}

/* A tender of method m (ref: the last four digits of the customer's code, or NULL) for the
 * amount typed, or for what is still due when nothing is typed. */
static void add_tender(struct ui *ui, enum cp_tender_method m, const char *ref)
{
	struct cp_errbuf err = {{0}};
	const char *text = ui_field_text(&P.amount);
	int64_t amount = due(ui), d = due(ui);
	char a[48], b[48], label[96];
	enum cp_err rc;

	if (m == CP_TENDER_POINTS && !text[0])
		amount = points_due(d);
	if (m == CP_TENDER_CASH && !text[0])
		amount = cash_due(ui);
	if (text[0] && (rc = cp_money_parse(text, &amount, &err)) != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		cp_ui_field_refused(&P.amount);
		return;
	}
	if (amount <= 0 && m == CP_TENDER_POINTS) {
		points_ok(ui, 0);
		beep();
		cp_ui_field_refused(&P.amount);
		return;
	}
	if (amount <= 0) {
		cp_ui_msg(ui, UI_MSG_WARN, "%s", _("Type the amount received, or leave it empty."));
		beep();
		cp_ui_field_refused(&P.amount);
		return;
	}
	if (m != CP_TENDER_CASH && amount > d) {
		cp_ui_msg(ui, UI_MSG_ERROR,
			  _("%s of %s is more than the %s due; only cash gives change."),
			  method_label(m), cp_ui_money(ui, amount, a, sizeof(a)),
			  cp_ui_money(ui, d, b, sizeof(b)));
		beep();
		cp_ui_field_refused(&P.amount);
		return;
	}
	if (m == CP_TENDER_POINTS && (rc = points_ok(ui, amount)) != CP_OK) {
		beep();
		cp_ui_field_refused(&P.amount);
		return;
	}
	if (P.n == CP_TENDER_MAX) {
		cp_ui_msg(ui, UI_MSG_ERROR, _("A sale takes at most %d payments."), CP_TENDER_MAX);
		beep();
		cp_ui_field_refused(&P.amount);
		return;
	}
	memset(&P.t[P.n], 0, sizeof(P.t[P.n]));
	P.t[P.n].method = m;
	P.t[P.n].amount = amount;
	if (ref)
		snprintf(P.t[P.n].ref, sizeof(P.t[P.n].ref), "%s", ref);
	P.n++;
	cp_ui_field_clear(&P.amount);
	if (covered(ui)) {
		commit(ui);
		return;
	}
	/* not the last payment: kept with the sale, so that nothing taken is forgotten */
	if ((rc = cp_cart_tender_add(ui->db, &ui->session, &P.t[P.n - 1], NULL, &err)) != CP_OK) {
		P.n--;
		cp_ui_fail(ui, &err, rc);
		beep();
		return;
	}
	P.kept = P.n;
	cp_ui_msg(ui, UI_MSG_INFO, _("%s %s taken; %s still due."),
		  tender_label(&P.t[P.n - 1], label, sizeof(label)),
		  cp_ui_money(ui, amount, a, sizeof(a)), cp_ui_money(ui, due(ui), b, sizeof(b)));
}

/* What the scanner typed on this screen: a customer's payment code pays by its method, for the
 * amount typed before it or what is due; anything else is refused. The code is wiped at once
 * either way, and Enter pays nothing until the cashier types or chooses again. */
static void scanned(struct ui *ui)
{
	struct cp_paycode pc;
	bool code = cp_paycode_recognise(P.amount.scan, &pc);

	cp_ui_field_scan_wipe(&P.amount);
	P.enter_off = true;
	if (!code) {
		cp_ui_msg(
			ui, UI_MSG_ERROR, "%s",
			_("That scan is not a payment code: type the amount received, or choose a "
			  "method."));
		beep();
		return;
	}
	add_tender(ui, pc.method, pc.last4);
	cp_ui_wipe(&pc, sizeof(pc));
}

/* A run at scanner speed that ended without Enter (a scanner with no suffix or a slow one).
 * Returns true when it was judged: a scan or a refusal. */
static bool run_ended(struct ui *ui, int64_t now)
{
	switch (cp_ui_field_idle(&P.amount, now)) {
	case UI_FIELD_SCAN:
		scanned(ui);
		return true;
	case UI_FIELD_REFUSED:
		P.enter_off = true;
		cp_ui_msg(ui, UI_MSG_WARN, "%s", _("Amounts are digits and one '.', like 12.30."));
		beep();
		return true;
	case UI_FIELD_CHANGED:
		ui->dirty = true;
		return false;
	default:
		return false;
	}
}

static int pay_key(struct ui *ui, const struct ui_key *k)
{
	bool letters = !k->burst;
	enum ui_field_rc rc;

	/* A scan that ended without its Enter is judged before this key, which it takes: the
	 * screen may have changed under it (the sale paid). */
	if (run_ended(ui, k->at))
		return UI_HANDLED;
	for (int i = 0; i < NMETHODS; i++) {
		if (cp_ui_key_named(k, methods[i].key, letters ? methods[i].alt : NULL)) {
			P.enter_off = false;
			add_tender(ui, methods[i].m, NULL);
			return UI_HANDLED;
		}
	}
	if (k->code == UI_K_ESC) {
		if (P.kept)
			cp_ui_msg(ui, UI_MSG_INFO, "%s",
				  _("Payment stopped; the payments entered stay with the sale "
				    "(Backspace "
				    "on the payment screen takes one back)."));
		return UI_DONE;
	}
	if (k->code == UI_K_BACKSPACE && !ui_field_text(&P.amount)[0] && P.n > 0) {
		struct cp_errbuf err = {{0}};
		enum cp_err rc2;

		if (P.n <= P.kept &&
		    (rc2 = cp_cart_tender_remove(ui->db, &ui->session, P.n, &err)) != CP_OK) {
			cp_ui_fail(ui, &err, rc2);
			return UI_HANDLED;
		}
		if (P.n <= P.kept)
			P.kept--;
		P.n--;
		P.enter_off = false;
		cp_ui_msg(ui, UI_MSG_INFO, "%s", _("The last payment was taken off."));
		return UI_HANDLED;
	}
	rc = cp_ui_field_key(&P.amount, k);
	switch (rc) {
	case UI_FIELD_SUBMIT:
		if (P.enter_off) {
			cp_ui_msg(ui, UI_MSG_WARN, "%s",
				  _("Enter pays nothing after a scan or a refusal: type the amount "
				    "received, or choose a method."));
			beep();
			return UI_HANDLED;
		}
		add_tender(ui, CP_TENDER_CASH, NULL);
		return UI_HANDLED;
	case UI_FIELD_SCAN:
		scanned(ui);
		return UI_HANDLED;
	case UI_FIELD_REFUSED:
		P.enter_off = true;
		cp_ui_msg(ui, UI_MSG_WARN, "%s", _("Amounts are digits and one '.', like 12.30."));
		beep();
		return UI_HANDLED;
	case UI_FIELD_PASTE:
	case UI_FIELD_FULL:
		P.enter_off = true;
		return cp_ui_field_refusal(ui, rc);
	case UI_FIELD_IGNORED:
		return k->code == UI_K_F1 ? UI_IGNORED : UI_HANDLED;
	case UI_FIELD_CHANGED:
	case UI_FIELD_SAME:
		/* The cashier typed (a scan's characters are judged when it ends). */
		if (!cp_ui_field_in_run(&P.amount) && k->code != UI_K_LEFT &&
		    k->code != UI_K_RIGHT && k->code != UI_K_HOME && k->code != UI_K_END)
			P.enter_off = false;
		return UI_HANDLED;
	default:
		return UI_HANDLED;
	}
}

static int pay_tick(struct ui *ui)
{
	return run_ended(ui, ui->now);
}

static void pay_draw(struct ui *ui, WINDOW *w)
{
	int x = 2, wd = ui->cols - 4, y = 2, half = wd / 2;
	attr_t n = cp_ui_attr(ui, UI_R_NORMAL), t = cp_ui_attr(ui, UI_R_TITLE);
	char a[48], b[48], line[256];

	cp_ui_put(w, 1, x, wd, _("Payment"), t, false);
	cp_ui_put(w, y, x, half, _("Total"), t, false);
	cp_ui_draw_big_money(ui, w, y + 1, x, half - 2, cp_ui_coupon_due(ui),
			     cp_ui_attr(ui, UI_R_MONEY));
	cp_ui_put(w, y, x + half, half, _("Still due"), t, false);
	cp_ui_draw_big_money(ui, w, y + 1, x + half, half - 2, due(ui), cp_ui_attr(ui, UI_R_WARN));
	y += 5;
	if (cash_rounding(ui)) {
		snprintf(line, sizeof(line), _("Cash rounding %s: in cash %s"),
			 cp_ui_money(ui, -cash_rounding(ui), a, sizeof(a)),
			 cp_ui_money(ui, cash_due(ui), b, sizeof(b)));
		cp_ui_put(w, y++, x, wd, line, n, false);
	}
	if (ui->cart->has_member) {
		snprintf(line, sizeof(line), _("Member %s %s: %lld points, worth %s"),
			 ui->cart->member.name, ui->cart->member.masked_phone,
			 (long long)ui->cart->member.points,
			 cp_ui_money(ui, ui->cart->member.points_value, a, sizeof(a)));
		cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_POINTS), false);
		if (P.quoted && P.q.max_fen > 0)
			snprintf(line, sizeof(line),
				 _("Points may pay up to %s now (%lld points), in steps of %s"),
				 cp_ui_money(ui, P.q.max_fen, a, sizeof(a)),
				 (long long)P.q.max_points,
				 cp_ui_money(ui, P.q.step_fen, b, sizeof(b)));
		else
			snprintf(line, sizeof(line), _("Points cannot pay now: %s"),
				 P.quoted ? P.q.limit : "?");
		cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_POINTS), false);
	}
	y++;
	cp_ui_put(w, y++, x, wd, _("Payments"), t, false);
	if (!P.n)
		cp_ui_put(w, y++, x + 2, wd - 2, _("none yet"), cp_ui_attr(ui, UI_R_DIM), false);
	for (int i = 0; i < P.n && y < ui->rows - 8; i++, y++) {
		char label[96];

		snprintf(line, sizeof(line), "%d. %s", i + 1,
			 tender_label(&P.t[i], label, sizeof(label)));
		cp_ui_put(w, y, x + 2, 28, line, n, false);
		cp_ui_put_right(w, y, x + 30, 14, cp_ui_money(ui, P.t[i].amount, a, sizeof(a)), n);
	}
	y = ui->rows - 7;
	if (cp_ui_field_in_run(&P.amount)) {
		/* A scan under way is not shown: it may be a customer's payment code. */
		struct ui_field cut = P.amount;

		cp_ui_input_truncate(&cut.in, cut.burst.start);
		P.cur_x = cp_ui_draw_field(ui, w, y, x, _("Amount received"), 18, &cut, 16, true);
		cp_ui_wipe(&cut, sizeof(cut));
	} else {
		P.cur_x = cp_ui_draw_field(ui, w, y, x, _("Amount received"), 18, &P.amount, 16,
					   true);
	}
	P.cur_y = y;
	cp_ui_draw_wrapped(w, y + 1, x, wd, 3,
			   _("Type the amount and press the method's key; with nothing typed, the "
			     "method pays what is still due. Enter is cash. Only cash may be more "
			     "than due: the rest is change."),
			   cp_ui_attr(ui, UI_R_DIM));
}

static int pay_keys(struct ui *ui, struct ui_footkey *out, int max)
{
	int n = 0;

	(void)ui;
	for (int i = 0; i < NMETHODS && n < max; i++)
		out[n++] =
			(struct ui_footkey){methods[i].key, methods[i].alt, _(methods[i].label), 0};
	out[n++] = (struct ui_footkey){"Enter", NULL, _("Cash"), 1};
	out[n++] = (struct ui_footkey){"Bksp", NULL, _("Undo payment"), 1};
	out[n++] = (struct ui_footkey){"Esc", NULL, _("Back to sale"), 0};
	return n;
}

const struct ui_screen cp_ui_screen_pay = {
	.name = "pay",
	.enter = pay_enter,
	.leave = pay_leave,
	.draw = pay_draw,
	.key = pay_key,
	.tick = pay_tick,
	.keys = pay_keys,
	.cur_y = &P.cur_y,
	.cur_x = &P.cur_x,
};

/* ---- the result ---- */

void cp_ui_paid_show(struct ui *ui, const struct cp_sale_result *r, const char *member_id)
{
	D.r = *r;
	D.member = member_id && cp_member_get(ui->db, member_id, &D.m, NULL) == CP_OK;
	cp_ui_reset(ui, UI_SCR_sale);
	cp_ui_push(ui, UI_SCR_paid);
	cp_ui_msg(ui, UI_MSG_OK, _("Sale %s recorded."), r->receipt);
	if (r->guide_offer)
		cp_ui_guide_offer(ui, member_id, r->guide);
}

static int paid_key(struct ui *ui, const struct ui_key *k)
{
	if (k->code == UI_K_F1)
		return UI_IGNORED;
	(void)ui; /* the WAL checkpoint is the idle tick's (ui.c) */
	/* The next customer's first scan starts the next sale straight away. */
	if (k->code == UI_K_CHAR || k->code == UI_K_F2 || k->code == UI_K_F3 || k->code == UI_K_F5)
		return UI_DONE | UI_PASS;
	return UI_DONE;
}

static void paid_draw(struct ui *ui, WINDOW *w)
{
	int x = 2, wd = ui->cols - 4, y = 1, half = wd / 2;
	attr_t t = cp_ui_attr(ui, UI_R_TITLE), pts = cp_ui_attr(ui, UI_R_POINTS);
	char a[48], b[48], line[256];

	snprintf(line, sizeof(line), _("Sale complete, receipt %s"), D.r.receipt);
	cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_OK), false);
	snprintf(line, sizeof(line), _("Total %s   paid %s   check code %s"),
		 cp_ui_money(ui, D.r.total, a, sizeof(a)),
		 cp_ui_money(ui, D.r.tendered, b, sizeof(b)), D.r.verify_code);
	cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_NORMAL), false);
	y++;
	cp_ui_put(w, y, x, half, _("Change"), t, false);
	cp_ui_draw_big_money(ui, w, y + 1, x, half, D.r.change, cp_ui_attr(ui, UI_R_MONEY));
	y += 5;
	if (D.member) {
		snprintf(line, sizeof(line), _("Member %s %s (%s)"), D.m.name, D.m.masked_phone,
			 D.m.tier_name);
		cp_ui_put(w, y++, x, wd, line, t, false);
		if (D.r.tier_up[0]) {
			snprintf(line, sizeof(line), _("Now %s!"), D.r.tier_up);
			cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_OK), false);
		}
		if (D.r.multiplier_bp > 0)
			snprintf(line, sizeof(line), _("Points earned %lld (%s)   growth +%lld"),
				 (long long)D.r.points,
				 cp_ui_multiplier(D.r.multiplier_bp, a, sizeof(a)),
				 (long long)D.r.growth);
		else
			snprintf(line, sizeof(line), _("Points earned %lld   growth +%lld"),
				 (long long)D.r.points, (long long)D.r.growth);
		cp_ui_put(w, y++, x, wd, line, pts, false);
		if (D.r.points_spent > 0) {
			snprintf(line, sizeof(line), _("Points spent %lld"),
				 (long long)D.r.points_spent);
			cp_ui_put(w, y++, x, wd, line, pts, false);
		}
		snprintf(line, sizeof(line), _("Balance %lld points, worth %s"),
			 (long long)D.r.balance_after,
			 cp_ui_money(ui, D.m.points_value, a, sizeof(a)));
		cp_ui_put(w, y++, x, wd, line, pts, false);
		if (D.m.next_tier_growth > 0) {
			snprintf(line, sizeof(line), _("%lld growth more to %s"),
				 (long long)D.m.next_tier_growth, D.m.next_tier_name);
			cp_ui_put(w, y++, x, wd, line, cp_ui_attr(ui, UI_R_NORMAL), false);
		}
	} else {
		cp_ui_put(
			w, y++, x, wd,
			_("No member on this sale: points were not earned. Ask for a phone number "
			  "next time."),
			cp_ui_attr(ui, UI_R_DIM), false);
	}
	y++;
	cp_ui_put(w, y, x, wd, _("Press Enter for the next customer, or scan the first item."),
		  cp_ui_attr(ui, UI_R_DIM), false);
}

static const struct ui_footkey paid_footer[] = {
	{"Enter", NULL, N_("Next customer"), 0},
};

const struct ui_screen cp_ui_screen_paid = {
	.name = "paid",
	.draw = paid_draw,
	.key = paid_key,
	UI_FOOTER(paid_footer),
};
