/* ui.c — the loop of the terminal UI: keys from curses turned into ui_keys with their timing
 * (so that scans are told from people), a stack of screens drawn bottom-up, the status line,
 * the message line and the footer, resizing, the idle lock, signals, and a terminal that is
 * always restored on the way out. */
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "lookup.h"
#include "store_fetch.h"
#include "textwidth.h"
#include "ui_int.h"

#define UI_MIN_COLS 80
#define UI_MIN_ROWS 24
#define UI_TICK_MS 250
#define UI_MSG_FADE_MS 20000
#define UI_CKPT_IDLE_MS 1000 /* no key this long: the till is idle, checkpoint the WAL */

static const struct ui_screen *const screens[UI_SCR_COUNT] = {
#define UI_SCREEN(n) [UI_SCR_##n] = &cp_ui_screen_##n,
#include "screens.def"
#undef UI_SCREEN
};

static volatile sig_atomic_t got_signal;
static bool curses_on;

int64_t cp_ui_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void cp_ui_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

static void restore_terminal(void)
{
	if (curses_on) {
		curses_on = false;
		endwin();
	}
}

_Noreturn void cp_ui_fatal(const char *fmt, ...)
{
	va_list ap;

	restore_terminal();
	fputs("counterpoint: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(70);
}

/* ---- navigation ---- */

const struct ui_screen *cp_ui_top(const struct ui *ui)
{
	return ui->depth ? ui->stack[ui->depth - 1] : NULL;
}

bool cp_ui_showing(const struct ui *ui, enum ui_screen_id id)
{
	for (int i = 0; i < ui->depth; i++)
		if (ui->stack[i] == screens[id])
			return true;
	return false;
}

/* A screen is left: its own warning or error, raised before this key, goes with it. */
static void msg_forget(struct ui *ui, const struct ui_screen *s)
{
	if (ui->msg[0] && ui->msg_owner == s && ui->msg_level >= UI_MSG_WARN &&
	    ui->msg_turn != ui->turn) {
		ui->msg[0] = '\0';
		ui->msg_owner = NULL;
	}
}

void cp_ui_push(struct ui *ui, enum ui_screen_id id)
{
	if (ui->depth == UI_STACK_MAX)
		cp_ui_fatal("internal error: too many screens open");
	if (ui->depth)
		msg_forget(ui,
			   cp_ui_top(ui)); /* a question over it is not about an earlier refusal */
	ui->stack[ui->depth++] = screens[id];
	if (screens[id]->enter)
		screens[id]->enter(ui);
	ui->dirty = true;
}

void cp_ui_pop(struct ui *ui)
{
	const struct ui_screen *top;

	if (ui->depth <= 1)
		return;
	top = ui->stack[--ui->depth];
	msg_forget(ui, top);
	if (top->leave)
		top->leave(ui);
	ui->dirty = true;
}

void cp_ui_reset(struct ui *ui, enum ui_screen_id id)
{
	while (ui->depth > 0) {
		const struct ui_screen *top = ui->stack[--ui->depth];

		msg_forget(ui, top);
		if (top->leave)
			top->leave(ui);
	}
	cp_ui_push(ui, id);
}

bool cp_ui_scan_route(struct ui *ui, const char *text)
{
	const struct ui_screen *below = ui->depth >= 2 ? ui->stack[ui->depth - 2] : NULL;
	char scan[512];

	if (!below || !below->scan) {
		cp_ui_msg(ui, UI_MSG_WARN, "%s",
			  _("A scan is not taken here: finish or close this first."));
		beep();
		return false;
	}
	/* text may belong to the screen about to be closed. */
	snprintf(scan, sizeof(scan), "%s", text);
	cp_ui_pop(ui);
	below->scan(ui, scan);
	cp_ui_wipe(scan, sizeof(scan));
	return true;
}

/* ---- messages ---- */

void cp_ui_msg(struct ui *ui, enum ui_msg_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->msg, sizeof(ui->msg), fmt, ap);
	va_end(ap);
	ui->msg_level = level;
	ui->msg_at = ui->now;
	ui->msg_owner = cp_ui_top(ui);
	ui->msg_turn = ui->turn;
	ui->dirty = true;
}

void cp_ui_fail(struct ui *ui, const struct cp_errbuf *err, enum cp_err rc)
{
	char buf[600];

	cp_ui_msg(ui, UI_MSG_ERROR, "%s", cp_ui_errtext(err, rc, buf, sizeof(buf)));
	beep();
	if (rc == CP_ECLOCK)
		cp_ui_clock_refused(ui);
}

int cp_ui_field_refusal(struct ui *ui, enum ui_field_rc rc)
{
	switch (rc) {
	case UI_FIELD_PASTE:
	case UI_FIELD_FULL:
		cp_ui_msg(ui, UI_MSG_ERROR, "%s", _("Pasted or overlong input is not accepted."));
		beep();
		return UI_HANDLED;
	case UI_FIELD_REFUSED:
		cp_ui_msg(ui, UI_MSG_WARN, "%s", _("That character is not accepted here."));
		beep();
		return UI_HANDLED;
	case UI_FIELD_IGNORED:
		return UI_IGNORED;
	default:
		return UI_HANDLED;
	}
}

/* ---- session ---- */

bool cp_ui_cart_refresh(struct ui *ui)
{
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	ui->dirty = true;
	memset(&ui->foreign, 0, sizeof(ui->foreign));
	if (!ui->logged_in) {
		memset(ui->cart, 0, sizeof(*ui->cart));
		return true;
	}
	rc = cp_cart_view(ui->db, &ui->session, ui->cart, &err);
	/* Another login's sale: not an error here; the sale screen says whose it is. */
	if (rc == CP_ESTATE && cp_cart_owner(ui->db, &ui->session, &ui->foreign, NULL) == CP_OK &&
	    ui->foreign.open && !ui->foreign.mine)
		return true;
	memset(&ui->foreign, 0, sizeof(ui->foreign));
	if (rc != CP_OK) {
		cp_ui_fail(ui, &err, rc);
		return false;
	}
	cp_ui_coupon_refresh(ui);
	cp_ui_lifecycle_refresh(ui);
	cp_ui_benefit_refresh(ui);
	return true;
}

bool cp_ui_is_manager(const struct ui *ui)
{
	return ui->logged_in && ui->session.role == CP_ROLE_MANAGER;
}

void cp_ui_logout(struct ui *ui, const char *why)
{
	snprintf(ui->kept_code, sizeof(ui->kept_code), "%s", ui->session.code);
	memcpy(ui->kept_token, ui->session.token, sizeof(ui->kept_token));
	cp_ui_wipe(&ui->session, sizeof(ui->session));
	ui->logged_in = false;
	cp_ui_reset(ui, UI_SCR_login);
	if (why)
		cp_ui_msg(ui, UI_MSG_INFO, "%s", why);
}

/* ---- keys ---- */

struct raw_key {
	int rc;
	wint_t ch;
	int64_t at;
};

struct reader {
	struct raw_key ahead; /* a key read to see whether another followed at scanner speed */
	bool have_ahead;
	int64_t prev_at;
	int prev_ch; /* to drop the LF of a scanner's CR LF */
};

static enum ui_keycode fkey(int code)
{
	static const struct {
		int curses;
		enum ui_keycode ui;
	} map[] = {
		{KEY_UP, UI_K_UP},         {KEY_DOWN, UI_K_DOWN},
		{KEY_LEFT, UI_K_LEFT},     {KEY_RIGHT, UI_K_RIGHT},
		{KEY_HOME, UI_K_HOME},     {KEY_END, UI_K_END},
		{KEY_PPAGE, UI_K_PGUP},    {KEY_NPAGE, UI_K_PGDN},
		{KEY_DC, UI_K_DELETE},     {KEY_BACKSPACE, UI_K_BACKSPACE},
		{KEY_ENTER, UI_K_ENTER},   {KEY_BTAB, UI_K_BTAB},
		{KEY_RESIZE, UI_K_RESIZE}, {KEY_SELECT, UI_K_END},
		{KEY_FIND, UI_K_HOME},
	};

	if (code >= KEY_F(1) && code <= KEY_F(12))
		return (enum ui_keycode)(UI_K_F1 + (code - KEY_F(1)));
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].curses == code)
			return map[i].ui;
	return UI_K_OTHER;
}

static void translate(const struct raw_key *r, struct ui_key *k)
{
	memset(k, 0, sizeof(*k));
	k->at = r->at;
	if (r->rc == KEY_CODE_YES) {
		k->code = fkey((int)r->ch);
		return;
	}
	k->ch = (uint32_t)r->ch;
	if (r->ch == 27)
		k->code = UI_K_ESC;
	else if (r->ch == '\r' || r->ch == '\n')
		k->code = UI_K_ENTER;
	else if (r->ch == '\t')
		k->code = UI_K_TAB;
	else if (r->ch == 127 || r->ch == 8)
		k->code = UI_K_BACKSPACE;
	else if (r->ch < 0x20 || (r->ch >= 0x7f && r->ch < 0xa0))
		k->code = UI_K_CTRL;
	else
		k->code = UI_K_CHAR;
}

static bool raw_read(struct ui *ui, int timeout_ms, struct raw_key *r)
{
	wtimeout(ui->w, timeout_ms);
	r->rc = wget_wch(ui->w, &r->ch);
	r->at = cp_ui_clock_ms();
	return r->rc != ERR;
}

/* The next key, or false after timeout_ms without one. */
static bool read_key(struct ui *ui, struct reader *rd, int timeout_ms, struct ui_key *k)
{
	struct raw_key r;

	for (;;) {
		if (rd->have_ahead) {
			r = rd->ahead;
			rd->have_ahead = false;
		} else if (!raw_read(ui, timeout_ms, &r)) {
			return false;
		}
		/* The LF of a scanner's CR LF is not a second Enter. */
		if (r.rc == OK && r.ch == '\n' && rd->prev_ch == '\r' &&
		    r.at - rd->prev_at <= UI_BURST_GAP_MS) {
			rd->prev_ch = 0;
			continue;
		}
		break;
	}
	translate(&r, k);
	k->gap = rd->prev_at ? r.at - rd->prev_at : INT64_MAX / 2;
	rd->prev_at = r.at;
	rd->prev_ch = r.rc == OK ? (int)r.ch : 0;
	/* Enter is handled at once: only a key already there (a scanner's LF) is looked at; an
	 * LF that comes later is dropped above. */
	if (k->code != UI_K_RESIZE &&
	    raw_read(ui, k->code == UI_K_ENTER ? 0 : UI_BURST_GAP_MS, &rd->ahead)) {
		rd->have_ahead = true;
		k->burst = true;
		/* ESC [ or ESC O that curses did not know: a pasted or garbled escape sequence, to
		 * be refused like any control character, not the Esc key. */
		if (k->code == UI_K_ESC && rd->ahead.rc == OK &&
		    (rd->ahead.ch == '[' || rd->ahead.ch == 'O'))
			k->code = UI_K_CTRL;
	}
	return true;
}

/* ---- drawing ---- */

static void draw_small(struct ui *ui)
{
	char line[160];
	int w;

	/* TRANSLATORS: shown alone when the terminal is smaller than 80x24 */
	snprintf(line, sizeof(line), _("Counterpoint needs at least 80x24 (now %dx%d)"), ui->cols,
		 ui->rows);
	w = cp_ui_text_width(line);
	if (w < 0 || w > ui->cols)
		w = ui->cols;
	cp_ui_put(ui->w, ui->rows / 2, (ui->cols - w) / 2, ui->cols, line,
		  cp_ui_attr(ui, UI_R_WARN), false);
}

static void draw_message(struct ui *ui)
{
	static const enum ui_role roles[] = {
		[UI_MSG_INFO] = UI_R_NORMAL,
		[UI_MSG_OK] = UI_R_OK,
		[UI_MSG_WARN] = UI_R_WARN,
		[UI_MSG_ERROR] = UI_R_ERROR,
	};

	if (!ui->msg[0])
		return;
	cp_ui_put(ui->w, ui->rows - 2, 0, ui->cols, ui->msg, cp_ui_attr(ui, roles[ui->msg_level]),
		  ui->msg_level == UI_MSG_ERROR);
}

int cp_ui_screen_keys(struct ui *ui, const struct ui_screen *s, struct ui_footkey *out, int max)
{
	int n = 0;

	if (!s)
		return 0;
	if (s->keys)
		return s->keys(ui, out, max);
	for (; n < s->nfooter && n < max; n++) {
		out[n] = s->footer[n];
		out[n].label = _(s->footer[n].label);
	}
	return n;
}

bool cp_ui_screen_cursor(struct ui *ui, const struct ui_screen *s, int *y, int *x)
{
	if (s->cursor)
		return s->cursor(ui, y, x);
	if (!s->cur_y || !s->cur_x)
		return false;
	*y = *s->cur_y;
	*x = *s->cur_x;
	return true;
}

static void draw_footer(struct ui *ui)
{
	struct ui_footkey keys[UI_FOOT_MAX];
	struct ui_footcell cells[UI_FOOT_MAX];
	int n = cp_ui_screen_keys(ui, cp_ui_top(ui), keys, UI_FOOT_MAX);

	n = cp_ui_footer_fit(keys, n, ui->cols, cells);
	for (int i = 0; i < n; i++) {
		cp_ui_put(ui->w, ui->rows - 1, cells[i].x, cells[i].key_w, cells[i].key,
			  cp_ui_attr(ui, UI_R_KEY), false);
		cp_ui_put(ui->w, ui->rows - 1, cells[i].x + cells[i].key_w + 1, cells[i].label_w,
			  cells[i].label, cp_ui_attr(ui, UI_R_NORMAL), false);
	}
}

static void draw(struct ui *ui)
{
	const struct ui_screen *top;
	int base, y = 0, x = 0;

	getmaxyx(ui->w, ui->rows, ui->cols);
	ui->small = ui->rows < UI_MIN_ROWS || ui->cols < UI_MIN_COLS;
	werase(ui->w);
	if (ui->small) {
		curs_set(0);
		draw_small(ui);
		wnoutrefresh(ui->w);
		doupdate();
		return;
	}
	cp_ui_status_draw(ui, ui->w);
	for (base = ui->depth - 1; base > 0 && ui->stack[base]->modal; base--)
		;
	for (int i = base; i < ui->depth; i++)
		ui->stack[i]->draw(ui, ui->w);
	draw_message(ui);
	draw_footer(ui);
	top = cp_ui_top(ui);
	if (cp_ui_screen_cursor(ui, top, &y, &x)) {
		wmove(ui->w, y, x);
		curs_set(1);
	} else {
		curs_set(0);
	}
	wnoutrefresh(ui->w);
	doupdate();
}

/* ---- the loop ---- */

static void tick(struct ui *ui)
{
	const struct ui_screen *top = cp_ui_top(ui);
	int idle = ui->opts->idle_lock_s;

	if (cp_ui_status_tick(ui))
		ui->dirty = true;
	if (top->tick && top->tick(ui))
		ui->dirty = true;
	if (ui->logged_in && idle > 0 && ui->now - ui->last_key >= (int64_t)idle * 1000) {
		char why[256];

		snprintf(why, sizeof(why),
			 _("Locked: no key for %d min. The sale is kept; log in to go on."),
			 (idle + 59) / 60);
		cp_ui_logout(ui, why);
	}
	/* Off the sale path: once after the keys have stopped (core/db.h). */
	if (ui->ckpt_turn != ui->turn && ui->now - ui->last_key >= UI_CKPT_IDLE_MS) {
		ui->ckpt_turn = ui->turn;
		cp_db_checkpoint(ui->db);
	}
	if (ui->msg[0] && ui->msg_level <= UI_MSG_OK && ui->now - ui->msg_at > UI_MSG_FADE_MS) {
		ui->msg[0] = '\0';
		ui->dirty = true;
	}
}

static void dispatch(struct ui *ui, const struct ui_key *k, int depth)
{
	const struct ui_screen *top = cp_ui_top(ui);
	int fl = top->key(ui, k);

	ui->dirty = true;
	if (fl & UI_DONE) {
		cp_ui_pop(ui);
		if ((fl & UI_PASS) && depth < 2)
			dispatch(ui, k, depth + 1);
		return;
	}
	if (fl != UI_IGNORED)
		return;
	if (k->code == UI_K_F1 && top != &cp_ui_screen_help)
		cp_ui_push(ui, UI_SCR_help);
	else if (k->code == UI_K_CTRL && k->ch == 0x0c) /* Ctrl-L: paint it all again */
		clearok(curscr, TRUE);
}

static void handle(struct ui *ui, const struct ui_key *k)
{
	ui->turn++;
	ui->last_key = k->at;
	if (k->code == UI_K_RESIZE) {
		clearok(curscr, TRUE);
		ui->dirty = true;
		return;
	}
	if (ui->small) {
		/* Nothing can be seen: a key could do something nobody reads about. */
		beep();
		return;
	}
	dispatch(ui, k, 0);
}

static void loop(struct ui *ui)
{
	struct reader rd = {0};
	int64_t last_tick = 0;

	while (!ui->quit && !got_signal) {
		struct ui_key k;

		ui->now = cp_ui_clock_ms();
		if (ui->now - last_tick >= UI_TICK_MS) {
			last_tick = ui->now;
			tick(ui);
		}
		if (!read_key(ui, &rd, ui->dirty ? 0 : UI_TICK_MS, &k)) {
			if (ui->dirty) {
				ui->dirty = false;
				draw(ui);
			}
			continue;
		}
		ui->now = k.at;
		handle(ui, &k);
	}
}

/* ---- signals ---- */

static void on_signal(int sig)
{
	got_signal = sig;
}

static void on_crash(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

struct saved_signals {
	struct sigaction term, hup, intr;
};

static void signals_install(struct saved_signals *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, &old->term);
	sigaction(SIGHUP, &sa, &old->hup);
	sigaction(SIGINT, &sa, &old->intr);
#if !defined(__SANITIZE_ADDRESS__)
	/* A crash leaves a usable terminal behind (sanitizers print their own report). */
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
#else
	(void)on_crash;
#endif
}

static void signals_restore(const struct saved_signals *old)
{
	sigaction(SIGTERM, &old->term, NULL);
	sigaction(SIGHUP, &old->hup, NULL);
	sigaction(SIGINT, &old->intr, NULL);
}

/* ---- start and end ---- */

static bool terminal_start(struct ui *ui, SCREEN **scr)
{
	*scr = newterm(NULL, stdout, stdin);
	if (!*scr)
		return false;
	curses_on = true;
	ui->w = stdscr;
	set_escdelay(25);
	raw();
	noecho();
	nonl();
	keypad(ui->w, TRUE);
	meta(ui->w, TRUE);
	cp_ui_colours_init(ui);
	getmaxyx(ui->w, ui->rows, ui->cols);
	return true;
}

int cp_ui_run(const struct cp_ui_options *opts)
{
	static bool atexit_done;
	struct saved_signals old;
	SCREEN *scr = NULL;
	struct ui *ui;
	int status;

	if (!opts || !opts->db) {
		fputs("counterpoint: internal error: the UI needs an open database\n", stderr);
		return 1;
	}
	if (!cp_ui_locale_ready())
		cp_ui_setup_locale(opts->language);
	ui = calloc(1, sizeof(*ui));
	if (!ui || !(ui->cart = calloc(1, sizeof(*ui->cart))))
		cp_ui_fatal("out of memory");
	ui->opts = opts;
	ui->db = opts->db;
	snprintf(ui->currency, sizeof(ui->currency), "%s",
		 opts->currency && opts->currency[0] ? opts->currency : "\xc2\xa5");
	snprintf(ui->store, sizeof(ui->store), "%s",
		 opts->store_name && opts->store_name[0] ? opts->store_name
							 : cp_db_store_id(ui->db));
	if (!atexit_done) {
		atexit(restore_terminal);
		atexit_done = true;
	}
	got_signal = 0;
	signals_install(&old);
	if (!terminal_start(ui, &scr)) {
		signals_restore(&old);
		fprintf(stderr, "counterpoint: %s (TERM=%s)\n",
			_("cannot use this terminal for the till"),
			getenv("TERM") ? getenv("TERM") : "");
		free(ui->cart);
		free(ui);
		return 1;
	}
	ui->now = ui->last_key = cp_ui_clock_ms();
	cp_ui_cart_refresh(ui);
	cp_ui_reset(ui, UI_SCR_login);
	ui->dirty = true;
	loop(ui);

	while (ui->depth > 0) {
		const struct ui_screen *top = ui->stack[--ui->depth];

		if (top->leave)
			top->leave(ui);
	}
	cp_ui_lookup_drain(2000);
	cp_ui_store_fetch_drain(3000);
	restore_terminal();
	delscreen(scr);
	signals_restore(&old);
	status = ui->exit_status;
	memset(&ui->session, 0, sizeof(ui->session));
	free(ui->cart);
	free(ui);
	return status;
}

bool cp_ui_key_named(const struct ui_key *k, const char *name, const char *alt)
{
	static const struct {
		const char *name;
		enum ui_keycode code;
	} names[] = {
		{"Enter", UI_K_ENTER}, {"Esc", UI_K_ESC},        {"Del", UI_K_DELETE},
		{"Tab", UI_K_TAB},     {"Bksp", UI_K_BACKSPACE},
	};

	if (alt && alt[0] && !alt[1] && ui_key_is(k, (uint32_t)alt[0]))
		return true;
	if (!name)
		return false;
	if (name[0] == 'F' && name[1] >= '1' && name[1] <= '9') {
		int n = name[1] - '0';

		if (name[2] >= '0' && name[2] <= '2')
			n = n * 10 + (name[2] - '0');
		return k->code == (enum ui_keycode)(UI_K_F1 + n - 1);
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, name) == 0)
			return k->code == names[i].code;
	return false;
}
