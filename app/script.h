/* script.h — what the parts of script mode share: the session, the command table
 * (script_cmd.c) the line loop (cmd_script.c) dispatches through, and the JSON writers
 * (script_json.c). Private to app/. */
#ifndef CP_SCRIPT_H
#define CP_SCRIPT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "app_ui.h"
#include "cart.h"
#include "cp_error.h"
#include "member.h"
#include "sale.h"
#include "staff.h"

/* One script session: the database and who is logged in. */
struct script {
	struct cp_db *db;
	struct app_receipts receipts; /* every sale and refund keeps (and prints) its receipt */
	struct cp_session who;
	bool logged_in;
	bool checkpoint;          /* a sale was handed over: checkpoint once the answer is out */
	struct cp_cart_view cart; /* scratch space for answers */
	/* Set when a command was refused because the open sale is another login's: the error
	 * answer then names the owner ("owner": OWNER). */
	struct cp_cart_owner refused_by;
	/* A command that script_takes_secret() gets the input line after its request here (a new PIN,
	 * never echoed); cmd_script.c reads it through in and wipes it after the answer. */
	void *in;
	char secret[64];
};

/* A command reads req (already checked to hold only its fields), calls core and fills ans
 * (which holds "ok" and "id" already). On failure err says why, and ans is thrown away. */
typedef enum cp_err (*script_fn)(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);

struct script_command {
	const char *name;
	script_fn fn;
	const char *fields; /* allowed besides "cmd" and "id", space-separated */
	bool no_login;      /* may run before anyone logged in */
};

/* script_offer.c: `offers` and `add_offer` */
enum cp_err script_offers(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
enum cp_err script_add_offer(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
/* script_coupon.c: `coupon`, `remove_coupon`, `coupons`, `exchange`; the coupons receipt's sale issued
 * ([{"code","title","valid_to"}]) for `pay`. */
enum cp_err script_coupon(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
enum cp_err script_remove_coupon(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
enum cp_err script_coupons(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
enum cp_err script_exchange(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
json_t *script_coupons_issued(struct script *s, const char *receipt);
/* The slip of a coupon taken for points or granted (its number is the code) kept and printed
 * at once: {"receipt" (what `reprint` takes), "kept", "printed" (false without a printer),
 * "error" (null, or why it was not kept or printed)}. */
json_t *script_slip(struct script *s, const char *code);
/* The coupons of a receipt already read ([] for NULL: it could not be read). */
json_t *script_coupons_of(const struct cp_receipt_view *v);
/* script_benefit.c: `benefits` (the attached member's) and `grant` (one by id). */
enum cp_err script_benefits(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
enum cp_err script_grant(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
/* script_guide.c: bind, unbind, serve, guide_day (shopping guides). */
enum cp_err script_guide_bind(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
enum cp_err script_guide_unbind(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
enum cp_err script_guide_serve(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
enum cp_err script_guide_day(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);

/* script_discount.c: discount, remove_discount (manual discounts). */
enum cp_err script_discount(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
enum cp_err script_remove_discount(struct script *s, json_t *req, json_t *ans,
				   struct cp_errbuf *err);
/* script_park.c: park, parked, recall (parked sales). */
enum cp_err script_park(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
enum cp_err script_parked(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
enum cp_err script_recall(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);

/* script_lifecycle.c: adds the stage, visits, last visit, tier held until and next tier
 * figures to a member object (with "id"); puts "tier_up" ({level, name} or null) in ans. */
void script_member_lifecycle(struct script *s, json_t *member);
void script_pay_tier_up(json_t *ans, const struct cp_sale_result *r);
/* script_refund.c: refund_quote, and the "lines" of refund and refund_quote (line numbers, or
 * {"line":N,"qty":K}; qty 0 where a line is named alone: every unit not refunded yet). */
enum cp_err script_refund_quote(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
/* script_refund_noreceipt.c: refund_noreceipt and refund_noreceipt_quote (无单退货). */
enum cp_err script_refund_noreceipt(struct script *s, json_t *req, json_t *ans,
				    struct cp_errbuf *err);
enum cp_err script_refund_noreceipt_quote(struct script *s, json_t *req, json_t *ans,
					  struct cp_errbuf *err);
struct cp_tender;
enum cp_err script_refund_lines(json_t *req, int *lines, int64_t *qty, int *n,
				struct cp_errbuf *err);
json_t *script_refund_tenders(const struct cp_tender *t, int n);

/* script_staff.c: unlock, reset_pin (a manager on the spot). */
enum cp_err script_unlock(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
enum cp_err script_reset_pin(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
/* script_item.c: item_search, price_check (finding items without their barcode). */
enum cp_err script_item_search(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
enum cp_err script_price_check(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
/* true when the input line after a request for c is a secret for it (s->secret). */
bool script_takes_secret(const struct script_command *c);

/* The command called name, or NULL. */
const struct script_command *script_command_find(const char *name);

/* v, or the process ends with "out of memory" when v is NULL. */
json_t *script_need(json_t *v);
/* Sets o[key] = v, taking the reference; out of memory ends the process. */
void script_set(json_t *o, const char *key, json_t *v);

/* true when s[0..n) is well-formed UTF-8. */
bool script_utf8_ok(const char *s, size_t n);
/* A request line (UTF-8, no NUL) that is one object of plain strings (no escapes) and
 * integers, parsed as json_loadb(JSON_DECODE_ANY | JSON_REJECT_DUPLICATES) parses it, without
 * its cost; NULL for anything else, which json_loadb then parses (or refuses) as before. */
json_t *script_parse_flat(const char *buf, size_t len);
/* A JSON string of s (null for NULL); bytes that are not UTF-8 become '?'. */
json_t *script_str(const char *s);

/* MEMBER and CART as README.md documents them. */
json_t *script_member(const struct cp_member_view *m);
json_t *script_cart(const struct cp_cart_view *c);
/* OWNER: {"staff","name","since" (ms),"lines","items","total"} of an open sale. */
json_t *script_owner(const struct cp_cart_owner *o);
/* {"ok":false,"id":id,"error":{"code":..,"message":..}}; id may be NULL. */
json_t *script_error(json_t *id, enum cp_err rc, const char *message);

/* script_shift.c: the shift and report commands, and SHIFT as README.md documents it. */
struct cp_shift_view;
json_t *script_shift_json(const struct cp_shift_view *v);
enum cp_err script_shift_open(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
enum cp_err script_shift_move(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
enum cp_err script_shift_close(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
enum cp_err script_shift(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);
enum cp_err script_report(struct script *s, json_t *req, json_t *ans, struct cp_errbuf *err);

#endif
