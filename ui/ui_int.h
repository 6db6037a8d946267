/* ui_int.h — what the screens share: the till's state while the UI runs, the screen "class"
 * whose handlers return what to do next (htop's model), navigation between screens, the
 * message line, and the drawing helpers. Private to ui/. */
#ifndef CP_UI_INT_H
#define CP_UI_INT_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <stdbool.h>
#include <stdint.h>

#include "cart.h"
#include "cp_error.h"
#include "field.h"
#include "footer.h"
#include "hq.h"
#include "i18n.h"
#include "keys.h"
#include "lifecycle.h"
#include "staff.h"
#include "ui.h"

/* What a handler asks of the loop (flags). */
#define UI_IGNORED 0
#define UI_HANDLED 0x01 /* the key was for this screen */
#define UI_REDRAW 0x02  /* draw again */
#define UI_DONE 0x04    /* close this screen (pop it) */
#define UI_PASS 0x08    /* with UI_DONE: hand the same key to the screen below */

struct ui;

/* A screen: a small class, one instance, its state kept in its own file. */
struct ui_screen {
	const char *name;
	bool modal; /* drawn over the screen below it (dialogs, prompts) */
	/* Pushed. */
	void (*enter)(struct ui *ui);
	/* Popped, or dropped when the till locks (may be NULL): cancel work, wipe secrets. */
	void (*leave)(struct ui *ui);
	/* Draws the body: rows 1 .. ui->rows - 3 (status line above, message and keys below). */
	void (*draw)(struct ui *ui, WINDOW *w);
	/* A key; returns UI_* flags. */
	int (*key)(struct ui *ui, const struct ui_key *k);
	/* About four times a second (may be NULL). */
	int (*tick)(struct ui *ui);
	/* The keys of the moment, for the footer and the help screen; returns how many. A screen
	 * whose keys never change gives them as data instead: footer[0..nfooter), labels marked
	 * with N_() and translated where they are shown. */
	int (*keys)(struct ui *ui, struct ui_footkey *out, int max);
	const struct ui_footkey *footer;
	int nfooter;
	/* Where the terminal cursor goes (a field), or false to hide it. A screen whose cursor is
	 * always shown gives the place as data instead: *cur_y, *cur_x, set by its draw. */
	bool (*cursor)(struct ui *ui, int *y, int *x);
	const int *cur_y, *cur_x;
	/* A scan that a screen above it did not own (see cp_ui_scan_route); NULL for a screen that
	 * takes no scans from others. Returns UI_* flags. */
	int (*scan)(struct ui *ui, const char *text);
};
/* A footer given as data (an array of struct ui_footkey). */
#define UI_FOOTER(a) .footer = (a), .nfooter = (int)(sizeof(a) / sizeof((a)[0]))

/* The keys of the moment of screen s (its keys() or its footer, translated). */
int cp_ui_screen_keys(struct ui *ui, const struct ui_screen *s, struct ui_footkey *out, int max);
/* Where s puts the terminal cursor; false to hide it. */
bool cp_ui_screen_cursor(struct ui *ui, const struct ui_screen *s, int *y, int *x);

#define UI_SCREEN(n) extern const struct ui_screen cp_ui_screen_##n;
#include "screens.def"
#undef UI_SCREEN

enum ui_screen_id {
#define UI_SCREEN(n) UI_SCR_##n,
#include "screens.def"
#undef UI_SCREEN
	UI_SCR_COUNT
};

enum ui_msg_level { UI_MSG_INFO, UI_MSG_OK, UI_MSG_WARN, UI_MSG_ERROR };

/* Colour roles; each has a monochrome attribute too. */
enum ui_role {
	UI_R_NORMAL,
	UI_R_STATUS,  /* the status line */
	UI_R_ONLINE,  /* ONLINE in the status line */
	UI_R_OFFLINE, /* OFFLINE in the status line */
	UI_R_KEY,     /* a key in the footer */
	UI_R_TITLE,   /* a screen's title and table heads */
	UI_R_SELECT,  /* the selected line */
	UI_R_OK,      /* good news */
	UI_R_WARN,    /* needs attention */
	UI_R_ERROR,   /* refused */
	UI_R_MONEY,   /* totals and change */
	UI_R_POINTS,  /* points and their value */
	UI_R_DIM,     /* hints */
	UI_R_FIELD,   /* an input field */
	UI_R_COUNT
};

#define UI_STACK_MAX 8

struct ui {
	const struct cp_ui_options *opts;
	struct cp_db *db;
	WINDOW *w;
	int rows, cols;
	bool small; /* below 80x24 */
	bool colour;
	bool quit;
	bool dirty;
	int exit_status;
	char currency[16];
	char store[80];

	/* who is at the till */
	bool logged_in;
	struct cp_session session;
	/* The login before a lock: the same staff code logging in again in this process goes on
	 * with that session (and its open sale); anyone else, or a new process, is a new one. */
	char kept_code[17];
	char kept_token[CP_SESSION_TOKEN_LEN + 1];
	/* The open sale when it is another login's (open false otherwise): the cart is then shown
	 * empty and the sale screen says whose it is. */
	struct cp_cart_owner foreign;

	/* what core said last */
	struct cp_cart_view *cart;
	int64_t coupon_off;            /* what the cart's coupons take off now (coupon.c) */
	struct cp_lifecycle_view life; /* the attached member's stage and tier progress */
	bool life_ok;                  /* life is read (lifecycle.c) */
	int ncoupons;
	int benefits_open;     /* the attached member's benefits open today (benefit.c) */
	char benefit_next[33]; /* the first of them: what w grants */
	struct cp_sync_status sync;
	bool sync_ok;
	int64_t sync_read_at;
	char last_receipt[48];
	/* The newest receipt the printer failed on, until it prints (shown on the status line). */
	char print_failed[64];
	/* The coupon slip sent to the printer (slip.c), until its outcome, and what was said. */
	char slip_code[64];
	char slip_what[384];

	/* the message line; a warning or an error belongs to the screen that raised it */
	char msg[512];
	enum ui_msg_level msg_level;
	int64_t msg_at;
	const struct ui_screen *msg_owner; /* the top screen when it was raised */
	uint64_t msg_turn;                 /* the key it answered */
	uint64_t turn;                     /* keys handled so far */
	uint64_t ckpt_turn;                /* turn of the last idle checkpoint */

	const struct ui_screen *stack[UI_STACK_MAX];
	int depth;

	int64_t now;      /* monotonic ms of this turn of the loop */
	int64_t last_key; /* monotonic ms */
};

/* ---- ui.c: navigation and the message line ---- */
const struct ui_screen *cp_ui_top(const struct ui *ui);
/* Pushes a screen (and calls its enter). */
void cp_ui_push(struct ui *ui, enum ui_screen_id id);
/* Closes the top screen; the one below is entered again. */
void cp_ui_pop(struct ui *ui);
/* Closes everything and shows id alone. */
void cp_ui_reset(struct ui *ui, enum ui_screen_id id);
bool cp_ui_showing(const struct ui *ui, enum ui_screen_id id);

/* Puts a message on the message line. A warning or an error belongs to the screen on top when
 * it was raised: it goes when that screen is closed or covered by another because of a later
 * key (one raised by the key that closes the screen stays, to be read on the screen below). */
void cp_ui_msg(struct ui *ui, enum ui_msg_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The message line for a failed core call (translated where possible); beeps. */
void cp_ui_fail(struct ui *ui, const struct cp_errbuf *err, enum cp_err rc);
/* A field's answer that is not the screen's own business: pasted or overlong input and a
 * refused character get a message and a beep. Returns the UI_* flags for the key. */
int cp_ui_field_refusal(struct ui *ui, enum ui_field_rc rc);
/* Dies after restoring the terminal (out of memory in the UI). */
_Noreturn void cp_ui_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Wipes a secret so that the compiler cannot skip it. */
void cp_ui_wipe(void *p, size_t n);
/* Monotonic milliseconds. */
int64_t cp_ui_clock_ms(void);

/* ---- session and cart (ui.c) ---- */
/* Reads the cart again after a change; false (and the message line) on failure. */
bool cp_ui_cart_refresh(struct ui *ui);
void cp_ui_logout(struct ui *ui, const char *why);
bool cp_ui_is_manager(const struct ui *ui);

/* ---- draw.c ---- */
attr_t cp_ui_attr(const struct ui *ui, enum ui_role role);
void cp_ui_colours_init(struct ui *ui);
/* Text fitted into cols columns (cut on a character boundary; padded when pad). */
int cp_ui_put(WINDOW *w, int y, int x, int cols, const char *s, attr_t attr, bool pad);
int cp_ui_putf(WINDOW *w, int y, int x, int cols, attr_t attr, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Right-aligned in cols columns ending at x + cols. */
void cp_ui_put_right(WINDOW *w, int y, int x, int cols, const char *s, attr_t attr);
/* text wrapped into cols columns (between words where it can, '\n' breaks); rows used.
 * w NULL only counts the rows. */
int cp_ui_draw_wrapped(WINDOW *w, int y, int x, int cols, int maxrows, const char *text,
		       attr_t attr);
/* Whether the key is the one named ("Enter", "Esc", "Del", "F1".."F12") or the letter alt. */
bool cp_ui_key_named(const struct ui_key *k, const char *name, const char *alt);
/* A field: label, then the text in a highlighted box of cols columns. Returns the column of
 * the cursor when focus, else -1. */
int cp_ui_draw_field(struct ui *ui, WINDOW *w, int y, int x, const char *label, int label_cols,
		     const struct ui_field *f, int cols, bool focus);
/* A box (for dialogs) with a title, cleared inside. */
void cp_ui_draw_box(struct ui *ui, WINDOW *w, int y, int x, int h, int wd, const char *title);
/* Amount in big figures at y (three rows) with the currency symbol before. Returns width. */
int cp_ui_draw_big_money(struct ui *ui, WINDOW *w, int y, int x, int cols, int64_t fen,
			 attr_t attr);
/* "¥12.30" with the configured symbol. */
const char *cp_ui_money(const struct ui *ui, int64_t fen, char *buf, size_t len);
/* "HH:MM" of a wall-clock time in ms, with "MM-DD " in front when not today. */
const char *cp_ui_when(int64_t ms, char *buf, size_t len);
/* The member panel (masked phone, name, tier, points and their value, expiring, growth to
 * the next tier, guide). Returns the rows used. */
int cp_ui_draw_member(struct ui *ui, WINDOW *w, int y, int x, int cols, int rows,
		      const struct cp_member_view *m);

/* ---- status.c ---- */
void cp_ui_status_draw(struct ui *ui, WINDOW *w);
/* Reads the sync state again when it is a second old, and takes the printer's outcomes: a
 * failure is told on the status line and the message line until that receipt prints. */
bool cp_ui_status_tick(struct ui *ui);

/* ---- dialog.c: a question or a manager's authority, over the current screen ---- */
/* One answer to a question: its key ("Enter", "Esc", "Del", "F8"...), letter, label, and what
 * it does (NULL: nothing but close). */
struct ui_choice {
	const char *key;
	const char *alt;
	const char *label;
	void (*run)(struct ui *ui);
};
#define UI_CHOICE_MAX 4
/* Asks a question with up to UI_CHOICE_MAX answers; Esc closes it (running the "Esc" choice
 * when there is one). The chosen run() is called after the dialog has closed. */
void cp_ui_choose(struct ui *ui, const char *title, const char *text, const struct ui_choice *c,
		  int n);
/* Asks yes/no; on_yes runs after the dialog closed, when the answer was yes. */
void cp_ui_confirm(struct ui *ui, const char *title, const char *text, void (*on_yes)(struct ui *));
/* Asks for a manager's code and PIN (at once done(ui, NULL, NULL) when a manager is logged in);
 * done runs after the dialog closed, not at all when it was cancelled, and returns what core
 * answered (having put its message on the message line). A wrong PIN, a locked code or one
 * that is not a manager's (CP_EAUTH, CP_ELOCKED, CP_EPERM) opens the dialog again at once, the
 * code kept and the PIN empty, for another try: the PIN never falls through to the screen
 * below. Each try counts towards the code's lock-out in core. The PIN is wiped after done
 * returns and is never shown. */
typedef enum cp_err (*ui_manager_done_fn)(struct ui *ui, const char *code, const char *pin);
void cp_ui_manager_pin(struct ui *ui, const char *why, ui_manager_done_fn done);
/* Asks for one line of text (a quantity, ...); done runs with it after the dialog closed. */
void cp_ui_ask(struct ui *ui, const char *title, const char *label, unsigned flags, size_t max,
	       void (*done)(struct ui *, const char *text));
/* The same for a question whose answer is itself scanned (a guide's badge, a coupon's code): a
 * scan is the answer, typed into the field, and its Enter submits it (cp_ui_ask hands a scan to
 * the screen below, as an item for the sale). */
void cp_ui_ask_scan(struct ui *ui, const char *title, const char *label, unsigned flags, size_t max,
		    void (*done)(struct ui *, const char *text));

/* ---- manual discounts (discount.c) ---- */
/* Asks for a discount off cart line line_no (or, typed with a leading '*', the whole sale),
 * then its reason, and a manager's code and PIN when it is above the limit. */
void cp_ui_discount_ask(struct ui *ui, int line_no);

/* ---- coupons (coupon.c) ---- */
/* Reads what the cart's coupons take off into ui->coupon_off (0 when one no longer holds). */
void cp_ui_coupon_refresh(struct ui *ui);

/* ---- lifecycle.c: the attached member's stage, visits and tier progress ---- */
/* Reads them into ui->life (life_ok false without a member or when they cannot be read). */
void cp_ui_lifecycle_refresh(struct ui *ui);
/* "new" ... "lost" as the cashier reads it. */
const char *cp_ui_lifecycle_stage_name(const char *stage);
/* Draws the stage, visits and last visit (a silent or lost member to be welcomed back), then
 * the tier progress; each returns the rows used (at most rows). */
int cp_ui_draw_lifecycle(struct ui *ui, WINDOW *w, int y, int x, int cols, int rows);
int cp_ui_draw_tier_progress(struct ui *ui, WINDOW *w, int y, int x, int cols, int rows);
/* The cart's total less its coupons: what the customer pays. */
int64_t cp_ui_coupon_due(const struct ui *ui);
/* Asks for a coupon's code and applies it to the sale. */
void cp_ui_coupon_ask(struct ui *ui);
/* A scanned code that is no item: applied as a coupon when it has a coupon's shape (a mistyped
 * one is said to be mistyped); false when it is not a coupon code. */
bool cp_ui_coupon_scan(struct ui *ui, const char *text);
/* The attached member's coupons, on the message line. */
void cp_ui_coupon_list(struct ui *ui);
/* ---- coupon slips (slip.c) ---- */
/* A coupon was taken for points or granted (what says so): its slip (number: its code) is
 * kept and sent to the printer, and the message line says what became of it. */
void cp_ui_slip_print(struct ui *ui, const char *code, const char *what);
/* status.c: the printer's outcome for the slip sent last, told on the message line; false when
 * o is not about it. */
struct cp_printer_outcome;
bool cp_ui_slip_outcome(struct ui *ui, const struct cp_printer_outcome *o);
/* ---- benefits (benefit.c) ---- */
/* Reads how many benefits the attached member may claim today into ui->benefits_open. */
void cp_ui_benefit_refresh(struct ui *ui);
/* The attached member's benefits (open, used this period), on the message line. */
void cp_ui_benefit_list(struct ui *ui);
/* Grants the attached member's first open benefit; what it gave goes on the message line. */
void cp_ui_benefit_grant(struct ui *ui);
/* A scan that the top screen does not own (an item's barcode or a receipt read into a
 * question or the member lookup): when the screen below takes scans (the sale), the top one is
 * closed and that one gets it; otherwise the scan is refused on the message line and false
 * returned. The one place where a scan moves from one screen to another. */
bool cp_ui_scan_route(struct ui *ui, const char *text);

/* ---- screens with a way in ---- */
/* Attaches a member found by lookup or registration to the cart. */
void cp_ui_sale_attach(struct ui *ui, const struct cp_member_view *m);
/* Throws the open cart away (after the question was answered). */
void cp_ui_sale_cancel(struct ui *ui);
/* Another login's open sale: says whose it is and offers to take it over (with a confirmation;
 * the takeover is recorded). The same staff member's earlier login is offered resume or cancel.
 * Says so when there is no such sale. */
void cp_ui_cart_ask(struct ui *ui);
/* A receipt's text shown on the screen (text malloc'd: the screen frees it). */
void cp_ui_preview_open(struct ui *ui, const char *receipt_no, char *text);
/* Member lookup of phone or card (from the item field or a scan), or an empty form. */
void cp_ui_member_open(struct ui *ui, const char *phone_or_card);
/* The attached member's offers (a message instead when no member is attached). */
void cp_ui_offers_open(struct ui *ui);
/* screen_parked.c: parks the open sale (told on the message line), or lists the parked sales
 * to recall one (told when a sale is open or none is parked). */
void cp_ui_park(struct ui *ui);
void cp_ui_parked_open(struct ui *ui);
/* screen_search.c: item search (f; Enter adds the chosen item to the sale as a scan) and the
 * price check (i; adds nothing). */
void cp_ui_search_open(struct ui *ui);
void cp_ui_pricecheck_open(struct ui *ui);
/* Registration, with the phone filled in when known. */
void cp_ui_register_open(struct ui *ui, const char *phone);
/* Refund, with the receipt number filled in when known. */
void cp_ui_refund_open(struct ui *ui, const char *receipt);
/* screen_noreceipt.c: a refund without a receipt (from the refund screen, F7). */
void cp_ui_noreceipt_open(struct ui *ui);
/* Payment result. */
struct cp_sale_result;
void cp_ui_paid_show(struct ui *ui, const struct cp_sale_result *r, const char *member_id);
/* Manager menu, after authority was checked. */
void cp_ui_manager_open(struct ui *ui);
/* screen_staff.c: unlocking a staff code and setting a new PIN (from the manager menu). */
void cp_ui_staff_open(struct ui *ui);
/* The manager's day: the shift, the tally with its chart, X and Z (screen_report.c). */
void cp_ui_report_open(struct ui *ui);
/* After a CP_ECLOCK: asks whether the clock is right and, with a manager's authority, has core
 * confirm it (clock_confirm.c). Does nothing for a clock that can only be set. */
void cp_ui_clock_refused(struct ui *ui);

/* guide.c, from the sale screen: bind the attached member to a guide (badge), the guide who
 * served the open sale, unbind (a manager and a reason), the guide's day. */
void cp_ui_guide_bind(struct ui *ui);
void cp_ui_guide_serve(struct ui *ui);
void cp_ui_guide_unbind(struct ui *ui);
void cp_ui_guide_day(struct ui *ui);
/* The day of the guide whose badge this is, shown at once (the manager menu's scan); false,
 * showing nothing, when no staff member holds such a badge. */
bool cp_ui_guide_day_of(struct ui *ui, const char *badge);
/* A staff badge scanned on the sale screen (or into the badge question): the question's action,
 * else bind (member attached), serve (sale open) or the guide's day; false for anything that is
 * not a staff badge. */
bool cp_ui_guide_scan(struct ui *ui, const char *code);
/* After a payment that credited the guide who served a member without a guide: one key
 * (Enter) binds the member to that guide. */
void cp_ui_guide_offer(struct ui *ui, const char *member_id, const char *guide);

/* i18n.c */
bool cp_ui_locale_ready(void);

#endif
