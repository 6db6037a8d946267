/* test_park.c — parked sales (挂单/取单): parking empties the cart and serves the next customer,
 * recall brings back the same lines and member priced as the catalogue is now (a price change
 * shows), the configured limit, who may recall, refusals that change nothing, a parked sale
 * surviving a SIGKILL of the process that parked it, manual discounts parked and judged again
 * on recall, and no recall over an open cart holding payments. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cart.h"
#include "cart_tender.h"
#include "coupon.h"
#include "discount.h"
#include "guide.h"
#include "db.h"
#include "db_int.h"
#include "park.h"
#include "sale.h"
#include "staff.h"
#include "support.h"

#define MILK "6901234567892" /* A1: ¥30.00, member ¥28.00 */
#define BREAD "96385074"     /* A2: ¥19.99 */

static struct test_env env;
static struct cp_cart_view *cv;
static struct cp_park_recall *rec;

static int setup(void **state)
{
	(void)state;
	test_env_open(&env, "park", true);
	cv = malloc(sizeof(*cv));
	rec = malloc(sizeof(*rec));
	assert_non_null(cv);
	assert_non_null(rec);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_env_close(&env);
	free(cv);
	free(rec);
	return 0;
}

static void ok(enum cp_err rc, const struct cp_errbuf *err, const char *what)
{
	if (rc != CP_OK)
		fail_msg("%s: %s", what, cp_errmsg(err, rc));
}

static struct cp_cart_view *cart(void)
{
	struct cp_errbuf err = {{0}};

	ok(cp_cart_view(env.db, NULL, cv, &err), &err, "cart");
	return cv;
}

static void scan(const char *code, int64_t qty)
{
	struct cp_errbuf err = {{0}};

	ok(cp_cart_scan(env.db, &env.cashier, code, qty, NULL, &err), &err, code);
}

/* The lines of a cart as one string, to compare carts. */
static void lines_text(const struct cp_cart_view *v, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < v->nlines && used < len; i++) {
		const struct cp_cart_line *l = &v->lines[i];
		int n = snprintf(out + used, len - used, "%d:%s:%lld:%lld:%lld;", l->line_no,
				 l->sku, (long long)l->qty, (long long)l->unit_price,
				 (long long)l->amount);

		if (n > 0)
			used += (size_t)n;
	}
}

static void test_park_and_recall(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_parked list[CP_PARK_LIMIT];
	char before[512], after[512];
	int64_t id = 0;
	int n = -1;

	(void)state;
	scan(MILK, 2);
	scan(BREAD, 3);
	scan("G120", 1);
	ok(cp_cart_set_member(env.db, &env.cashier, "M1", &err), &err, "attach");
	lines_text(cart(), before, sizeof(before));
	ok(cp_park_save(env.db, &env.cashier, &id, &err), &err, "park");
	assert_true(id > 0);
	assert_false(cart()->open);
	ok(cp_park_list(env.db, list, CP_PARK_LIMIT, &n, &err), &err, "list");
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, id);
	assert_string_equal(list[0].staff, "1001");
	assert_int_equal(list[0].nlines, 3);
	assert_int_equal(list[0].items, 6);
	assert_int_equal(list[0].total, 2 * 2800 + 3 * 1999 + 12000);
	assert_string_equal(list[0].member_masked, "138****0001");

	/* the next customer is served and pays */
	scan(BREAD, 1);
	{
		struct cp_tender t = {CP_TENDER_CASH, 1999};
		struct cp_sale_result r;

		ok(cp_sale_pay(env.db, &env.cashier, &t, 1, &r, &err), &err, "pay");
	}
	ok(cp_park_recall(env.db, &env.cashier, id, rec, &err), &err, "recall");
	assert_int_equal(rec->nchanged, 0);
	assert_false(rec->member_dropped);
	lines_text(cart(), after, sizeof(after));
	assert_string_equal(after, before);
	assert_true(cv->has_member);
	assert_string_equal(cv->member.id, "M1");
	ok(cp_park_list(env.db, list, CP_PARK_LIMIT, &n, &err), &err, "list");
	assert_int_equal(n, 0);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM parked_line"), 0);
}

/* A bearer coupon of ¥5.00 off, issued to M2 by a sale of G120 (a rule of ¥100); its code in
 * code. */
static void issue_coupon(char code[CP_COUPON_CODE_LEN + 1])
{
	struct cp_coupon_template t = {
		.amount = 500, .valid_days = 30, .bearer = true, .stacks = true};
	struct cp_coupon_rule rule = {.threshold = 10000};
	struct cp_tender cash = {CP_TENDER_CASH, 12000};
	struct cp_sale_result r;
	struct cp_errbuf err = {{0}};
	sqlite3_stmt *st;

	snprintf(t.id, sizeof(t.id), "P5");
	snprintf(t.kind, sizeof(t.kind), "amount");
	snprintf(t.title_zh, sizeof(t.title_zh), "减5元");
	snprintf(t.title_en, sizeof(t.title_en), "5 off");
	snprintf(t.scope, sizeof(t.scope), "all");
	ok(cp_coupon_template_put(env.db, &t, &err), &err, "template");
	snprintf(rule.id, sizeof(rule.id), "R");
	snprintf(rule.templates, sizeof(rule.templates), "P5");
	snprintf(rule.valid_from, sizeof(rule.valid_from), "2026-01-01");
	snprintf(rule.valid_to, sizeof(rule.valid_to), "2026-12-31");
	ok(cp_coupon_rule_put(env.db, &rule, &err), &err, "rule");
	scan("G120", 1);
	ok(cp_cart_set_member(env.db, &env.cashier, "M2", &err), &err, "attach");
	ok(cp_sale_pay(env.db, &env.cashier, &cash, 1, &r, &err), &err, "pay");
	assert_int_equal(sqlite3_prepare_v2(env.db->h,
					    "SELECT code FROM coupon_issue WHERE seq = ?1", -1, &st,
					    NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, r.seq);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(code, CP_COUPON_CODE_LEN + 1, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_exec(env.db->h, "DELETE FROM coupon_rule", NULL, NULL, NULL),
			 SQLITE_OK);
}

/* Parking keeps the coupons applied and the serving guide, through another customer's sale;
 * recall puts them back, and the sale uses the coupon and credits the guide. A coupon used
 * meanwhile is left off on recall, with the reason. */
static void test_park_keeps_coupons_and_guide(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_tender cash = {CP_TENDER_CASH, 10000};
	struct cp_sale_result r;
	struct cp_guide_who g;
	char c1[CP_COUPON_CODE_LEN + 1], c2[CP_COUPON_CODE_LEN + 1], sql[200];
	int64_t id = 0, id2 = 0;

	(void)state;
	ok(cp_staff_set_badge(env.db, "2001", "9900000020019", &err), &err, "badge");
	issue_coupon(c1);
	issue_coupon(c2);
	scan(MILK, 1);
	ok(cp_coupon_apply(env.db, &env.cashier, c1, NULL, &err), &err, "coupon");
	ok(cp_guide_serve(env.db, &env.cashier, "9900000020019", &g, &err), &err, "serve");
	ok(cp_park_save(env.db, &env.cashier, &id, &err), &err, "park");

	/* the next customer, served by nobody, pays */
	scan(BREAD, 1);
	ok(cp_sale_pay(env.db, &env.cashier, &cash, 1, &r, &err), &err, "next sale");
	assert_string_equal(r.guide, "");

	ok(cp_park_recall(env.db, &env.cashier, id, rec, &err), &err, "recall");
	assert_string_equal(rec->guide, g.code);
	assert_int_equal(rec->ncoupons, 1);
	assert_string_equal(rec->coupons[0].code, c1);
	assert_true(rec->coupons[0].kept);
	ok(cp_sale_pay(env.db, &env.cashier, &cash, 1, &r, &err), &err, "recalled sale");
	assert_string_equal(r.guide, g.code);
	assert_int_equal(r.total, 3000 - 500);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM coupon_use WHERE seq = %lld AND code = '%s'",
		 (long long)r.seq, c1);
	assert_int_equal(test_count(&env, sql), 1);

	/* a coupon used by another sale while its sale was parked */
	scan(MILK, 1);
	ok(cp_coupon_apply(env.db, &env.cashier, c2, NULL, &err), &err, "coupon 2");
	ok(cp_park_save(env.db, &env.cashier, &id2, &err), &err, "park 2");
	scan(MILK, 1);
	ok(cp_coupon_apply(env.db, &env.cashier, c2, NULL, &err), &err, "coupon 2 again");
	ok(cp_sale_pay(env.db, &env.cashier, &cash, 1, &r, &err), &err, "uses coupon 2");
	ok(cp_park_recall(env.db, &env.cashier, id2, rec, &err), &err, "recall 2");
	assert_int_equal(rec->ncoupons, 1);
	assert_false(rec->coupons[0].kept);
	assert_non_null(strstr(rec->coupons[0].why.msg, "used already"));
	assert_int_equal(test_count(&env, "SELECT count(*) FROM cart_coupon"), 0);
	assert_string_equal(rec->guide, "");
	assert_int_equal(test_count(&env, "SELECT count(*) FROM parked_coupon"), 0);
}

static void test_recall_reprices(void **state)
{
	struct cp_errbuf err = {{0}};
	int64_t id = 0;

	(void)state;
	scan(BREAD, 2);
	scan("G88", 1);
	ok(cp_park_save(env.db, &env.cashier, &id, &err), &err, "park");
	assert_int_equal(sqlite3_exec(env.db->h, "UPDATE item SET price = 2199 WHERE sku = 'A2'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	ok(cp_park_recall(env.db, &env.cashier, id, rec, &err), &err, "recall");
	assert_int_equal(rec->nchanged, 1);
	assert_int_equal(rec->changed[0].line_no, 1);
	assert_string_equal(rec->changed[0].sku, "A2");
	assert_int_equal(rec->changed[0].was, 1999);
	assert_int_equal(rec->changed[0].now, 2199);
	assert_int_equal(cart()->total, 2 * 2199 + 8800);
}

static void test_limit(void **state)
{
	struct cp_errbuf err = {{0}};
	int64_t id = 0;

	(void)state;
	env.db->park_max = 2;
	for (int i = 0; i < 2; i++) {
		scan("G88", 1 + i);
		ok(cp_park_save(env.db, &env.cashier, &id, &err), &err, "park");
	}
	scan(BREAD, 1);
	assert_int_equal(cp_park_save(env.db, &env.cashier, &id, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "as many parked sales as it may"));
	/* refused: the cart is as it was, nothing more parked */
	assert_int_equal(cart()->nlines, 1);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM parked_sale"), 2);
	env.db->park_max = 0;
	assert_int_equal(cp_park_max(env.db), CP_PARK_DEFAULT_MAX);
}

static void test_refusals_change_nothing(void **state)
{
	struct cp_errbuf err = {{0}};
	struct cp_session other;
	int64_t id = 0, none = 0;

	(void)state;
	/* nothing to park */
	assert_int_equal(cp_park_save(env.db, &env.cashier, &none, &err), CP_ESTATE);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM parked_sale"), 0);
	/* not logged in */
	scan(MILK, 1);
	{
		struct cp_session nobody;

		memset(&nobody, 0, sizeof(nobody));
		assert_int_equal(cp_park_save(env.db, &nobody, &none, &err), CP_EAUTH);
	}
	ok(cp_park_save(env.db, &env.cashier, &id, &err), &err, "park");
	/* a sale open now: recall refused, both kept */
	scan(BREAD, 2);
	assert_int_equal(cp_park_recall(env.db, &env.cashier, id, rec, &err), CP_ESTATE);
	assert_int_equal(cart()->nlines, 1);
	assert_string_equal(cv->lines[0].sku, "A2");
	assert_int_equal(test_count(&env, "SELECT count(*) FROM parked_sale"), 1);
	/* no such parked sale */
	assert_int_equal(cp_park_recall(env.db, &env.cashier, id + 100, rec, &err), CP_ENOTFOUND);
	ok(cp_cart_cancel(env.db, &env.cashier, &err), &err, "cancel");
	/* another cashier may not recall it; a manager may */
	ok(cp_staff_set(env.db, "1002", "王五", CP_ROLE_CASHIER, "4321", &err), &err, "staff");
	ok(cp_staff_login(env.db, "1002", "4321", &other, NULL, &err), &err, "login");
	assert_int_equal(cp_park_recall(env.db, &other, id, rec, &err), CP_EPERM);
	assert_non_null(strstr(err.msg, "parked by staff 1001"));
	assert_false(cart()->open);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM parked_sale"), 1);
	ok(cp_park_recall(env.db, &env.manager, id, rec, &err), &err, "manager recall");
	assert_string_equal(cart()->staff, "9001");
	assert_int_equal(cv->nlines, 1);
	assert_string_equal(cv->lines[0].sku, "A1");
}

/* The child parks a sale, reports its lines on the pipe and waits to be killed. */
static void park_child(const char *path, int fd)
{
	struct cp_db_options opt = {.path = path};
	struct cp_errbuf err = {{0}};
	struct cp_cart_view *v = malloc(sizeof(*v));
	struct cp_session who;
	struct cp_db *db;
	char text[600];
	int64_t id = 0;
	int len;

	if (!v || cp_db_open(&db, &opt, &err) != CP_OK ||
	    cp_staff_login(db, "1001", "1234", &who, NULL, &err) != CP_OK ||
	    cp_cart_scan(db, &who, MILK, 4, NULL, &err) != CP_OK ||
	    cp_cart_scan(db, &who, "T1", 1, NULL, &err) != CP_OK ||
	    cp_cart_scan(db, &who, BREAD, 7, NULL, &err) != CP_OK ||
	    cp_cart_set_member(db, &who, "M2", &err) != CP_OK ||
	    cp_cart_view(db, &who, v, &err) != CP_OK ||
	    cp_park_save(db, &who, &id, &err) != CP_OK) {
		fprintf(stderr, "child: %s\n", err.msg);
		_exit(3);
	}
	lines_text(v, text, sizeof(text) - 32);
	len = (int)strlen(text);
	len += snprintf(text + len, sizeof(text) - (size_t)len, "|%lld\n", (long long)id);
	if (write(fd, text, (size_t)len) != len)
		_exit(4);
	for (;;)
		pause();
}

static void test_parked_survives_sigkill(void **state)
{
	struct cp_db_options opt = {.path = env.path};
	struct cp_errbuf err = {{0}};
	char buf[700], after[600], *bar;
	struct cp_session who;
	size_t used = 0;
	int fd[2], status;
	ssize_t n;
	pid_t pid;

	(void)state;
	cp_db_close(env.db);
	env.db = NULL;
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fd[0]);
		park_child(env.path, fd[1]);
	}
	close(fd[1]);
	while (used < sizeof(buf) - 1 && !memchr(buf, '\n', used) &&
	       (n = read(fd[0], buf + used, sizeof(buf) - 1 - used)) > 0)
		used += (size_t)n;
	buf[used] = '\0';
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(fd[0]);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_non_null(bar = strchr(buf, '|'));
	*bar = '\0';

	opt.clock = &env.clock;
	ok(cp_db_open(&env.db, &opt, &err), &err, "reopen");
	ok(cp_staff_login(env.db, "1001", "1234", &who, NULL, &err), &err, "login");
	assert_false(cart()->open);
	ok(cp_park_recall(env.db, &who, strtoll(bar + 1, NULL, 10), rec, &err), &err, "recall");
	lines_text(cart(), after, sizeof(after));
	assert_string_equal(after, buf);
	assert_string_equal(cv->member.id, "M2");
	assert_int_equal(rec->nchanged, 0);
}

/* A manual discount given by the cashier (with the manager's code and PIN when manager). */
static void discount(int line_no, enum cp_discount_kind kind, int64_t value, const char *reason,
		     bool manager)
{
	struct cp_discount_req req = {.line_no = line_no,
				      .kind = kind,
				      .value = value,
				      .reason = reason,
				      .manager_code = manager ? "9001" : NULL,
				      .manager_pin = manager ? "9999" : NULL};
	struct cp_errbuf err = {{0}};

	ok(cp_discount_add(env.db, &env.cashier, &req, NULL, &err), &err, reason);
}

/* Each line's discount and amount, and the total, as one string. */
static void priced_text(const struct cp_cart_view *v, char *out, size_t len)
{
	size_t used = 0;
	int n = snprintf(out, len, "total %lld discount %lld;", (long long)v->total,
			 (long long)v->discount);

	used = n > 0 ? (size_t)n : 0;
	for (int i = 0; i < v->nlines && used < len; i++) {
		const struct cp_cart_line *l = &v->lines[i];

		n = snprintf(out + used, len - used, "%d:%lld:%lld:%lld;", l->line_no,
			     (long long)l->amount, (long long)l->discount,
			     (long long)l->discount_share);
		if (n > 0)
			used += (size_t)n;
	}
}

/* Manual discounts go with the parked sale and come back as they were, the manager's
 * authority with them. */
static void test_park_keeps_discounts(void **state)
{
	struct cp_errbuf err = {{0}};
	char before[512], after[512];
	int64_t id = 0;

	(void)state;
	scan(MILK, 2);   /* line 1: ¥60.00 */
	scan("G120", 1); /* line 2: ¥120.00 */
	scan(BREAD, 1);  /* line 3: ¥19.99 */
	discount(1, CP_DISCOUNT_AMOUNT, 300, "dented box", false);
	discount(2, CP_DISCOUNT_PERCENT, 2000, "display model", true); /* above the 10% limit */
	discount(0, CP_DISCOUNT_AMOUNT, 100, "regular customer", false);
	priced_text(cart(), before, sizeof(before));
	assert_int_equal(cv->total, 6000 - 300 + 12000 - 2400 + 1999 - 100);
	ok(cp_park_save(env.db, &env.cashier, &id, &err), &err, "park");
	assert_int_equal(test_count(&env, "SELECT count(*) FROM cart_discount"), 0);
	assert_int_equal(test_count(&env, "SELECT total FROM parked_sale"),
			 6000 - 300 + 12000 - 2400 + 1999 - 100);
	ok(cp_park_recall(env.db, &env.cashier, id, rec, &err), &err, "recall");
	priced_text(cart(), after, sizeof(after));
	assert_string_equal(before, after);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM cart_discount"), 3);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM cart_discount WHERE line_no = 2"
					  " AND manager = '9001' AND reason = 'display model'"),
			 1);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM cart_discount WHERE line_no IS"
					  " NULL AND value = 100 AND manager IS NULL"),
			 1);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM parked_sale"), 0);
}

/* What recall tells about them: each kept (the manager with it) or left off with the reason:
 * a line whose item left the catalogue, a discount now above the limit without a manager. */
static void test_recall_rechecks_discounts(void **state)
{
	struct cp_errbuf err = {{0}};
	int64_t id = 0;

	(void)state;
	scan(MILK, 1);                                            /* line 1: ¥30.00 */
	scan("G88", 1);                                           /* line 2: ¥88.00 */
	scan("G120", 1);                                          /* line 3: ¥120.00 */
	discount(1, CP_DISCOUNT_AMOUNT, 200, "scratched", false); /* 6.7%: no manager */
	discount(2, CP_DISCOUNT_AMOUNT, 500, "last one", false);
	discount(3, CP_DISCOUNT_PERCENT, 5000, "damaged", true);
	ok(cp_park_save(env.db, &env.cashier, &id, &err), &err, "park");
	assert_int_equal(sqlite3_exec(env.db->h,
				      "UPDATE item SET price = 1500 WHERE sku = 'A1';"
				      " DELETE FROM item WHERE sku = 'G88'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	ok(cp_park_recall(env.db, &env.cashier, id, rec, &err), &err, "recall");
	assert_int_equal(rec->ndiscounts, 3);
	assert_int_equal(rec->discounts[0].line_no, 1);
	assert_false(rec->discounts[0].kept); /* 200 of 1500 is 13%, above the 10% limit */
	assert_non_null(strstr(rec->discounts[0].why.msg, "above the limit"));
	assert_int_equal(rec->discounts[1].line_no, 2);
	assert_false(rec->discounts[1].kept);
	assert_non_null(strstr(rec->discounts[1].why.msg, "line 2 is no longer in the sale"));
	assert_int_equal(rec->discounts[2].line_no, 3);
	assert_true(rec->discounts[2].kept);
	assert_string_equal(rec->discounts[2].manager, "9001");
	assert_int_equal(cart()->total, 1500 + 6000);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM cart_discount"), 1);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM parked_discount"), 0);
}

/* A cart whose lines were taken off after a payment was entered still holds the payment:
 * recalling a parked sale over it would drop the payment, so it is refused. */
static void test_no_recall_over_payments(void **state)
{
	struct cp_tender card = {CP_TENDER_CARD, 5000, "1234"};
	struct cp_errbuf err = {{0}};
	int64_t id = 0;

	(void)state;
	scan(MILK, 1);
	ok(cp_park_save(env.db, &env.cashier, &id, &err), &err, "park");
	scan("G120", 1);
	ok(cp_cart_tender_add(env.db, &env.cashier, &card, NULL, &err), &err, "card");
	ok(cp_cart_remove(env.db, &env.cashier, 1, &err), &err, "remove");
	assert_int_equal(cart()->nlines, 0);
	assert_int_equal(cp_park_recall(env.db, &env.cashier, id, rec, &err), CP_ESTATE);
	assert_non_null(strstr(err.msg, "payments have been entered"));
	assert_int_equal(test_count(&env, "SELECT count(*) FROM cart_tender"), 1);
	assert_int_equal(test_count(&env, "SELECT count(*) FROM parked_sale"), 1);
	/* taken back, the recall goes ahead */
	ok(cp_cart_tender_remove(env.db, &env.cashier, 0, &err), &err, "untender");
	ok(cp_park_recall(env.db, &env.cashier, id, rec, &err), &err, "recall");
	assert_int_equal(cart()->nlines, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_park_and_recall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recall_reprices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_park_keeps_coupons_and_guide, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_change_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parked_survives_sigkill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_park_keeps_discounts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recall_rechecks_discounts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_recall_over_payments, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
