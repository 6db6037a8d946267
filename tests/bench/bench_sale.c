/* bench_sale.c — what completing a 5-line member sale (cp_sale_pay alone) costs against the
 * physical floor, a one-row INSERT commit with the same pragmas in the same directory, and
 * against the rows a sale must write with no computation at all, in the till's schema and in
 * the least schema that holds them; all interleaved, once with SQLite's auto-checkpoint and
 * once with a checkpoint after each sale. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench_common.h"
#include "cart.h"
#include "db.h"
#include "db_int.h"
#include "demo.h"
#include "sale.h"
#include "shift.h"
#include "staff.h"

#define GOAL_MEDIAN 1.3 /* issue 14 (an older issue asked 1.2) */
#define GOAL_P99 1.5
#define DEMO_MEMBERS 1000
#define DEMO_FIRST_SKU 10001
#define DEMO_ITEMS 51
#define SALE_LINES 5
#define STABLE_COMMITS 20   /* the WAL file has stopped growing for this many commits */
#define AUTOCHECKPOINT 1000 /* SQLite's default wal_autocheckpoint, in pages */
#define ROW_TEXT "S001-T01-000001 one row, about as long as a receipt number"
/* One leaf and twelve overflow pages of 4 KiB: about as many WAL frames as a sale writes. */
#define BULK_BYTES (12 * 4092)
#define HASH_LEN 32                    /* the journal's prev_hash and hash */
#define ROWS_SEED UINT64_C(0x726f7773) /* event ids and hashes of the kinds rows and bare */

enum mode { MODE_AUTO, MODE_MANUAL, NMODES };
/* The timed kinds come first: NTIMED of them take turns in each iteration. */
enum kind { K_BASE, K_BULK, K_SALE, K_ROWS, K_BARE, K_RESTART, NKINDS };
#define NTIMED K_RESTART

static const char *const mode_name[NMODES] = {"auto", "manual"};
static const char *const mode_title[NMODES] = {
	"SQLite's auto-checkpoint (1000 pages), as a default connection has",
	"auto-checkpoint off (wal_autocheckpoint = -1), cp_db_checkpoint() after each sale",
};
static const char *const kind_name[NKINDS] = {
	"baseline", "bulk", "sale", "rows", "bare", "restart",
};

/* The tables a sale writes, the columns it fills (their names are the same in the till's schema
 * and in the bare one) and how many rows of each a 5-line member sale paid by card has. */
enum table { T_JOURNAL, T_SALE, T_LINE, T_TENDER, T_MOVEMENT, NTABLES };
#define MAX_COLS 12
#define MAX_ROWS SALE_LINES
static const struct {
	const char *name, *cols;
	int ncols, nrows;
} table[NTABLES] = {
	{"journal", "seq, event_id, type, created_at, payload, prev_hash, hash", 7, 1},
	{"sale",
	 "seq, receipt, staff, member_id, created_at, business_day, total, eligible, change_due,"
	 " multiplier_bp, points, growth",
	 12, 1},
	{"sale_line", "seq, line_no, sku, name, category, qty, unit_price, amount, eligible", 9,
	 SALE_LINES},
	{"tender", "seq, n, method, amount", 4, 1},
	{"movement", "seq, n, member_id, kind, points, growth", 6, 1},
};

/* The five tables with no secondary index, no UNIQUE and no foreign key: the least any schema
 * holding those rows can write. */
static const char *const bare_schema =
	"CREATE TABLE journal(seq INTEGER PRIMARY KEY, event_id, type, created_at, payload,"
	" prev_hash, hash);"
	"CREATE TABLE sale(seq INTEGER PRIMARY KEY, receipt, staff, member_id, created_at,"
	" business_day, total, eligible, change_due, multiplier_bp, points, growth);"
	"CREATE TABLE sale_line(seq, line_no, sku, name, category, qty, unit_price, amount,"
	" eligible, PRIMARY KEY(seq, line_no)) WITHOUT ROWID;"
	"CREATE TABLE tender(seq, n, method, amount, PRIMARY KEY(seq, n)) WITHOUT ROWID;"
	"CREATE TABLE movement(seq, n, member_id, kind, points, growth, PRIMARY KEY(seq, n))"
	" WITHOUT ROWID;";
static const char *const row_schema =
	"CREATE TABLE t(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, v BLOB NOT NULL)";

struct opts {
	const char *dir;
	int n;
	int warmup;
	uint64_t seed;
	bool mode[NMODES];
};

/* What the WAL hook sees of a connection. In auto mode the hook also does exactly what
 * SQLite's own auto-checkpoint hook does (a passive checkpoint once the WAL holds 1000 pages),
 * so that the commits that ran a checkpoint can be told apart. */
struct walwatch {
	bool autockpt;
	int frames;       /* WAL frames after the last commit */
	int checkpoints;  /* run inside a commit */
	struct cp_db *db; /* the till: core's own hook, which this one replaces, counted for it */
};

/* The rows of the till's last sale, column by column, in table's order. */
struct tpl {
	sqlite3_value *v[NTABLES][MAX_ROWS][MAX_COLS];
};

/* What a commit of a base writes: one row of t, one BULK_BYTES row of t, or the rows of a sale
 * (the template's, under a new journal seq). */
enum load { ONE_ROW, BULK_ROW, SALE_ROWS };

/* The statements that write the rows of a sale, and what changes from one sale to the next. */
struct sale_rows {
	const struct tpl *tpl;
	sqlite3_stmt *insert[NTABLES];
	uint8_t hash[HASH_LEN]; /* the last journal row's, the next one's prev_hash */
	uint64_t rng;
};

/* A commit without the till's code: a database of its own, opened with sqlite3 directly, or
 * (kind rows) created by core with the till's schema and pragmas and written with sqlite3. */
struct base {
	sqlite3 *h;
	struct cp_db *db; /* kind rows; NULL for the others */
	enum load load;
	sqlite3_stmt *begin, *insert, *commit;
	struct sale_rows rows;
	char path[1024];
	int64_t next;
	struct walwatch w;
};

struct till {
	struct cp_db *db;
	struct cp_session who;
	struct cp_cart_view *view;
	char path[1024];
	struct walwatch w;
};

struct stats {
	int n;
	double median, p90, p99, max, mean;
};

struct result {
	struct stats s[NKINDS];
	struct stats ckpt[NKINDS]; /* the timed commits that ran a checkpoint (auto mode) */
	double frames[NKINDS];     /* WAL frames per timed commit; -1 when not counted */
	double cycle_frames; /* per sale with its member and scans, since the last checkpoint */
	int warm_sales, warm_rows;
};

static uint64_t rng_state;
/* --wal-unbatched: the till's databases (kinds sale and rows) without core's VFS that writes a
 * WAL transaction in one call (core/db_vfs.c), two writes a frame as SQLite does. */
static bool wal_unbatched;
static unsigned char bulk_blob[BULK_BYTES];

/* n bytes from a SplitMix64 state. */
static void random_bytes(uint64_t *state, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t x = cp_bench_rnd(state);

		memcpy(out + i, &x, n - i < 8 ? n - i : 8);
	}
}

/* A random version-4 UUID's 36 characters, as cp_uuid4() writes them. */
static void uuid_text(uint64_t *state, char out[37])
{
	uint8_t b[16];

	random_bytes(state, b, sizeof(b));
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

static void summarise(int64_t *ns, int n, struct stats *s)
{
	double sum = 0;

	qsort(ns, (size_t)n, sizeof(ns[0]), cp_bench_cmp_i64);
	for (int i = 0; i < n; i++)
		sum += (double)ns[i];
	s->n = n;
	s->median = cp_bench_pct_us(ns, n, 0.5);
	s->p90 = cp_bench_pct_us(ns, n, 0.9);
	s->p99 = cp_bench_pct_us(ns, n, 0.99);
	s->max = ns[n - 1] / 1e3;
	s->mean = sum / n / 1e3;
}

static void remove_db(const char *path)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[1100];

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
}

static off_t wal_size(const char *path)
{
	char p[1100];
	struct stat sb;

	snprintf(p, sizeof(p), "%s-wal", path);
	return stat(p, &sb) == 0 ? sb.st_size : 0;
}

static int wal_hook(void *ctx, sqlite3 *h, const char *name, int frames)
{
	struct walwatch *w = ctx;

	w->frames = frames;
	if (w->db)
		w->db->wal_frames = frames; /* cp_db_checkpoint skips a handle that wrote nothing */
	if (w->autockpt && frames >= AUTOCHECKPOINT) {
		sqlite3_wal_checkpoint(h, name);
		w->checkpoints++;
	}
	return SQLITE_OK;
}

/* Frames the last commit wrote: a commit that restarted the WAL counts from zero. */
static int frames_since(const struct walwatch *w, int before)
{
	return w->frames >= before ? w->frames - before : w->frames;
}

static int base_exec(struct base *b, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(b->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bench_sale: %s: %s: %s\n", b->path, sql, msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Prepares sql on b's handle, once; says why on failure. */
static int base_prepare(struct base *b, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(b->h, sql, -1, st, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_sale: %s: %s: %s\n", b->path, sql, sqlite3_errmsg(b->h));
		return -1;
	}
	return 0;
}

/* The INSERT of each table a sale writes, with the columns in table's order. */
static int rows_prepare(struct base *b, const struct tpl *tpl)
{
	char sql[512];

	b->rows.tpl = tpl;
	b->rows.rng = ROWS_SEED;
	for (int t = 0; t < NTABLES; t++) {
		int len = snprintf(sql, sizeof(sql), "INSERT INTO %s(%s) VALUES(?1", table[t].name,
				   table[t].cols);

		for (int c = 2; c <= table[t].ncols; c++)
			len += snprintf(sql + len, sizeof(sql) - (size_t)len, ", ?%d", c);
		snprintf(sql + len, sizeof(sql) - (size_t)len, ")");
		if (base_prepare(b, sql, &b->rows.insert[t]))
			return -1;
	}
	return 0;
}

/* Watches the WAL and prepares the statements of a base's commits, once. */
static int base_ready(struct base *b, enum load load, enum mode mode, const struct tpl *tpl)
{
	b->load = load;
	b->w.autockpt = mode == MODE_AUTO;
	sqlite3_wal_hook(b->h, wal_hook, &b->w);
	if (base_prepare(b, "BEGIN IMMEDIATE", &b->begin) || base_prepare(b, "COMMIT", &b->commit))
		return -1;
	if (load == SALE_ROWS)
		return rows_prepare(b, tpl);
	return base_prepare(b, "INSERT INTO t(id, at, v) VALUES(?1, ?2, ?3)", &b->insert);
}

/* The same pragmas as core/db.c sets, on a file next to the till's: table t for a row or a bulk
 * row, the bare schema for the rows of a sale. */
static int base_open(struct base *b, const char *dir, const char *name, enum load load,
		     enum mode mode, const struct tpl *tpl)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->path, sizeof(b->path), "%s/%s", dir, name);
	remove_db(b->path);
	if (sqlite3_open_v2(b->path, &b->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "bench_sale: cannot create %s\n", b->path);
		return -1;
	}
	sqlite3_busy_timeout(b->h, 5000);
	if (base_exec(b, "PRAGMA journal_mode=WAL") || base_exec(b, "PRAGMA synchronous=FULL") ||
	    base_exec(b, "PRAGMA foreign_keys=ON") ||
	    base_exec(b, load == SALE_ROWS ? bare_schema : row_schema))
		return -1;
	if (mode == MODE_MANUAL && base_exec(b, "PRAGMA wal_autocheckpoint=0"))
		return -1;
	return base_ready(b, load, mode, tpl);
}

static void base_close(struct base *b)
{
	sqlite3_finalize(b->begin);
	sqlite3_finalize(b->insert);
	sqlite3_finalize(b->commit);
	for (int t = 0; t < NTABLES; t++)
		sqlite3_finalize(b->rows.insert[t]);
	if (b->db)
		cp_db_close(b->db);
	else if (b->h)
		sqlite3_close(b->h);
	b->db = NULL;
	b->h = NULL;
	if (b->path[0])
		remove_db(b->path);
}

/* Binds v without copying it: the template outlives every step. */
static void bind_value(sqlite3_stmt *st, int i, sqlite3_value *v)
{
	switch (sqlite3_value_type(v)) {
	case SQLITE_INTEGER:
		sqlite3_bind_int64(st, i, sqlite3_value_int64(v));
		break;
	case SQLITE_FLOAT:
		sqlite3_bind_double(st, i, sqlite3_value_double(v));
		break;
	case SQLITE_TEXT:
		sqlite3_bind_text(st, i, (const char *)sqlite3_value_text(v),
				  sqlite3_value_bytes(v), SQLITE_STATIC);
		break;
	case SQLITE_BLOB:
		sqlite3_bind_blob(st, i, sqlite3_value_blob(v), sqlite3_value_bytes(v),
				  SQLITE_STATIC);
		break;
	default:
		sqlite3_bind_null(st, i);
	}
}

/* Steps a statement that returns no row, and resets it. */
static int step_once(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* One row of t: ROW_TEXT, or bulk_blob. */
static int put_row(struct base *b, bool bulk)
{
	sqlite3_bind_int64(b->insert, 1, b->next);
	sqlite3_bind_int64(b->insert, 2, b->next * 1000);
	if (bulk)
		sqlite3_bind_blob(b->insert, 3, bulk_blob, sizeof(bulk_blob), SQLITE_STATIC);
	else
		sqlite3_bind_text(b->insert, 3, ROW_TEXT, -1, SQLITE_STATIC);
	return step_once(b->insert);
}

/* The rows of one sale, the template's, as journal seq b->next: a fresh event id, receipt
 * number and hash chain; everything else as the till wrote it. Nothing else: no cart, no meta. */
static int put_sale_rows(struct base *b)
{
	struct sale_rows *r = &b->rows;
	uint8_t prev[HASH_LEN];
	char event_id[37], receipt[32];

	memcpy(prev, r->hash, sizeof(prev));
	random_bytes(&r->rng, r->hash, sizeof(r->hash));
	uuid_text(&r->rng, event_id);
	snprintf(receipt, sizeof(receipt), "S001-T01-%06" PRId64, b->next);
	for (int t = 0; t < NTABLES; t++) {
		sqlite3_stmt *st = r->insert[t];

		for (int n = 0; n < table[t].nrows; n++) {
			for (int c = 0; c < table[t].ncols; c++)
				bind_value(st, c + 1, r->tpl->v[t][n][c]);
			sqlite3_bind_int64(st, 1, b->next);
			if (t == T_JOURNAL) {
				sqlite3_bind_text(st, 2, event_id, -1, SQLITE_STATIC);
				sqlite3_bind_blob(st, 6, prev, HASH_LEN, SQLITE_STATIC);
				sqlite3_bind_blob(st, 7, r->hash, HASH_LEN, SQLITE_STATIC);
			} else if (t == T_SALE) {
				sqlite3_bind_text(st, 2, receipt, -1, SQLITE_STATIC);
			}
			if (step_once(st))
				return -1;
		}
	}
	return 0;
}

/* One durable commit: BEGIN IMMEDIATE; what load writes; COMMIT. */
static int base_commit(struct base *b, enum load load)
{
	b->next++;
	if (step_once(b->begin))
		goto fail;
	if (load == SALE_ROWS ? put_sale_rows(b) : put_row(b, load == BULK_ROW))
		goto fail;
	if (step_once(b->commit))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "bench_sale: %s: commit: %s\n", b->path, sqlite3_errmsg(b->h));
	sqlite3_exec(b->h, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static void base_checkpoint(struct base *b)
{
	/* What cp_db_checkpoint() does on the till's handle. */
	sqlite3_wal_checkpoint_v2(b->h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

static int fail(const char *what, const struct cp_errbuf *err, enum cp_err rc)
{
	fprintf(stderr, "bench_sale: %s: %s\n", what, cp_errmsg(err, rc));
	return -1;
}

/* A new database with the till's schema and pragmas, as the till's is created (path is
 * replaced). */
static int till_create(struct cp_db **db, const char *path, enum mode mode)
{
	struct cp_db_options opt = {.path = path};
	struct cp_db_init init = {.store_id = "S001", .terminal_id = "T01", .force = true};
	struct cp_errbuf err = {{0}};
	enum cp_err rc;

	remove_db(path);
	opt.wal_autocheckpoint = mode == MODE_MANUAL ? -1 : 0;
	opt.wal_unbatched = wal_unbatched;
	if ((rc = cp_db_create(db, &opt, &init, &err)) != CP_OK)
		return fail(path, &err, rc);
	return 0;
}

static int till_open(struct till *t, const char *dir, enum mode mode)
{
	struct cp_errbuf err = {{0}};
	bool opened = false;
	enum cp_err rc;

	memset(t, 0, sizeof(*t));
	snprintf(t->path, sizeof(t->path), "%s/bench_sale_till.db", dir);
	if (!(t->view = malloc(sizeof(*t->view))))
		return fail("cart view", NULL, CP_ENOMEM);
	if (till_create(&t->db, t->path, mode))
		return -1;
	if ((rc = cp_demo_seed(t->db, &err)) != CP_OK)
		return fail("seed the demo store", &err, rc);
	if ((rc = cp_staff_login(t->db, "1001", "1111", &t->who, NULL, &err)) != CP_OK)
		return fail("log in cashier 1001", &err, rc);
	/* as the till does at the demo store's first login: a shift to sell in (untimed) */
	if ((rc = cp_shift_demo_open(t->db, &t->who, &opened, &err)) != CP_OK)
		return fail("open the demo store's shift", &err, rc);
	/* Replaces SQLite's auto-checkpoint hook with one that does the same and counts. */
	t->w.autockpt = mode == MODE_AUTO;
	t->w.db = t->db;
	sqlite3_wal_hook(t->db->h, wal_hook, &t->w);
	return 0;
}

static void till_close(struct till *t)
{
	cp_db_close(t->db);
	t->db = NULL;
	free(t->view);
	t->view = NULL;
	if (t->path[0])
		remove_db(t->path);
}

/* Kind rows: a database of its own created like the till's, with its schema, indexes, foreign
 * keys and pragmas but no demo store (the rows it gets refer to nothing outside them), and
 * written through sqlite3 on core's handle. */
static int rows_open(struct base *b, const char *dir, enum mode mode, const struct tpl *tpl)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->path, sizeof(b->path), "%s/bench_sale_rows.db", dir);
	if (till_create(&b->db, b->path, mode))
		return -1;
	b->h = b->db->h;
	return base_ready(b, SALE_ROWS, mode, tpl);
}

/* Frees the template's values (NULL ones included). */
static void tpl_free(struct tpl *tpl)
{
	for (int t = 0; t < NTABLES; t++)
		for (int n = 0; n < MAX_ROWS; n++)
			for (int c = 0; c < MAX_COLS; c++)
				sqlite3_value_free(tpl->v[t][n][c]);
	memset(tpl, 0, sizeof(*tpl));
}

/* Copies one table's rows of the till's most recent journal row (the sale last paid). */
static int tpl_read_table(sqlite3 *h, enum table t, struct tpl *tpl)
{
	char sql[512];
	sqlite3_stmt *st;
	bool oom = false;
	int n = 0, rc;

	snprintf(sql, sizeof(sql),
		 "SELECT %s FROM %s WHERE seq = (SELECT seq FROM journal ORDER BY seq DESC LIMIT 1)"
		 " ORDER BY 2",
		 table[t].cols, table[t].name);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_sale: %s: %s\n", sql, sqlite3_errmsg(h));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < table[t].nrows) {
		for (int c = 0; c < table[t].ncols; c++)
			oom |= !(tpl->v[t][n][c] = sqlite3_value_dup(sqlite3_column_value(st, c)));
		n++;
	}
	sqlite3_finalize(st);
	if (oom) {
		fprintf(stderr, "bench_sale: out of memory\n");
		return -1;
	}
	if (rc != SQLITE_DONE || n != table[t].nrows) {
		fprintf(stderr, "bench_sale: the till's last sale is not one with %d %s rows\n",
			table[t].nrows, table[t].name);
		return -1;
	}
	return 0;
}

/* The rows the till's last sale wrote, to be written again by the kinds rows and bare. */
static int tpl_read(struct till *t, struct tpl *tpl)
{
	for (int i = 0; i < NTABLES; i++)
		if (tpl_read_table(t->db->h, (enum table)i, tpl))
			return -1;
	return 0;
}

/* Rings up a random demo member and five different random items, each 1 to 3 times (seven
 * commits, untimed), and returns the card tender that pays the total. */
static int till_prepare(struct till *t, struct cp_tender *tender)
{
	struct cp_errbuf err = {{0}};
	char member[16], sku[16];
	int picked[SALE_LINES];
	enum cp_err rc;

	snprintf(member, sizeof(member), "M%06d",
		 (int)(cp_bench_rnd(&rng_state) % DEMO_MEMBERS) + 1);
	if ((rc = cp_cart_set_member(t->db, &t->who, member, &err)) != CP_OK)
		return fail("attach member", &err, rc);
	for (int i = 0; i < SALE_LINES; i++) {
		bool again;

		do {
			picked[i] = (int)(cp_bench_rnd(&rng_state) % DEMO_ITEMS);
			again = false;
			for (int j = 0; j < i; j++)
				again |= picked[j] == picked[i];
		} while (again);
		snprintf(sku, sizeof(sku), "%d", DEMO_FIRST_SKU + picked[i]);
		if ((rc = cp_cart_scan(t->db, &t->who, sku,
				       (int64_t)(cp_bench_rnd(&rng_state) % 3) + 1, NULL, &err)) !=
		    CP_OK)
			return fail("scan", &err, rc);
	}
	if ((rc = cp_cart_view(t->db, &t->who, t->view, &err)) != CP_OK)
		return fail("view the cart", &err, rc);
	if (t->view->nlines != SALE_LINES || !t->view->has_member) {
		fprintf(stderr, "bench_sale: the cart is not a 5-line member sale\n");
		return -1;
	}
	memset(tender, 0, sizeof(*tender));
	tender->method = CP_TENDER_CARD;
	tender->amount = t->view->total;
	return 0;
}

static int till_pay(struct till *t, const struct cp_tender *tender)
{
	struct cp_errbuf err = {{0}};
	struct cp_sale_result r;
	enum cp_err rc = cp_sale_pay(t->db, &t->who, tender, 1, &r, &err);

	return rc == CP_OK ? 0 : fail("pay", &err, rc);
}

/* The first write after a complete checkpoint restarts the WAL and syncs its header: one more
 * fdatasync. On the till the next customer's first scan pays it; a baseline pays it with an
 * untimed commit of its own, so that every timed commit is a steady-state one: one row (bulk
 * too), or the rows of a sale where the schema has no table t. */
static int restart(struct base *b, int64_t *ns)
{
	int64_t t0 = cp_bench_now_ns();

	if (base_commit(b, b->load == SALE_ROWS ? SALE_ROWS : ONE_ROW))
		return -1;
	if (ns)
		*ns = cp_bench_now_ns() - t0;
	return 0;
}

/* Commits of one kind until its WAL file has stopped growing: a till has long been past the
 * first pass through its WAL file, which appends to the file (and its metadata) every time. */
static int warm_one(struct till *t, struct base *b, enum mode mode, const struct opts *o,
		    int *count)
{
	const char *path = t ? t->path : b->path;
	struct cp_tender tender;
	off_t last = -1;
	int still = 0;

	for (*count = 0; *count < o->warmup || still < STABLE_COMMITS; (*count)++) {
		if (*count > 20000) {
			fprintf(stderr, "bench_sale: %s: the WAL never reached a steady size\n",
				path);
			return -1;
		}
		if (t) {
			if (till_prepare(t, &tender) || till_pay(t, &tender))
				return -1;
			if (mode == MODE_MANUAL)
				cp_db_checkpoint(t->db);
		} else {
			if (base_commit(b, b->load))
				return -1;
			if (mode == MODE_MANUAL) {
				base_checkpoint(b);
				if (restart(b, NULL))
					return -1;
			}
		}
		still = wal_size(path) == last ? still + 1 : 0;
		last = wal_size(path);
	}
	return 0;
}

/* One timed commit: its time, its WAL frames, and whether it ran a checkpoint. */
struct sample {
	int64_t *ns;
	double *frames;
	bool *ckpt;
};

static int timed_base(struct base *b, struct sample s)
{
	int before = b->w.frames, ck = b->w.checkpoints;
	int64_t t0 = cp_bench_now_ns();

	if (base_commit(b, b->load))
		return -1;
	*s.ns = cp_bench_now_ns() - t0;
	*s.frames += frames_since(&b->w, before);
	*s.ckpt = b->w.checkpoints != ck;
	return 0;
}

static int timed_sale(struct till *t, const struct cp_tender *tender, struct sample s)
{
	int before = t->w.frames, ck = t->w.checkpoints;
	int64_t t0 = cp_bench_now_ns();

	if (till_pay(t, tender))
		return -1;
	*s.ns = cp_bench_now_ns() - t0;
	*s.frames += frames_since(&t->w, before);
	*s.ckpt = t->w.checkpoints != ck;
	return 0;
}

/* Summarises all samples of a kind, and apart the ones that ran a checkpoint. */
static void summarise_kind(int64_t *ns, const bool *ckpt, int n, struct stats *all,
			   struct stats *ck)
{
	int m = 0;

	for (int i = 0; i < n; i++)
		m += ckpt[i];
	memset(ck, 0, sizeof(*ck));
	if (m) {
		int64_t *sub = malloc((size_t)m * sizeof(*sub));

		if (sub) {
			for (int i = 0, j = 0; i < n; i++)
				if (ckpt[i])
					sub[j++] = ns[i];
			summarise(sub, m, ck);
			free(sub);
		}
	}
	summarise(ns, n, all);
}

/* Opens the till and warms it up, copies its last sale as the template of the kinds rows and
 * bare, then opens the databases of the other kinds and warms them up. */
static int open_all(const struct opts *o, enum mode mode, struct till *t, struct base *b,
		    struct tpl *tpl, struct result *res)
{
	int warm[NTIMED] = {0};

	if (till_open(t, o->dir, mode) || warm_one(t, NULL, mode, o, &res->warm_sales) ||
	    tpl_read(t, tpl))
		return -1;
	if (base_open(&b[K_BASE], o->dir, "bench_sale_baseline.db", ONE_ROW, mode, NULL) ||
	    base_open(&b[K_BULK], o->dir, "bench_sale_bulk.db", BULK_ROW, mode, NULL) ||
	    rows_open(&b[K_ROWS], o->dir, mode, tpl) ||
	    base_open(&b[K_BARE], o->dir, "bench_sale_bare.db", SALE_ROWS, mode, tpl))
		return -1;
	for (int k = 0; k < NTIMED; k++)
		if (k != K_SALE && warm_one(NULL, &b[k], mode, o, &warm[k]))
			return -1;
	res->warm_rows = warm[K_BASE];
	fprintf(stderr,
		"bench_sale: %s: warmed up with %d sales, %d rows, %d bulk rows, %d sales' rows,"
		" %d sales' bare rows\n",
		mode_name[mode], res->warm_sales, warm[K_BASE], warm[K_BULK], warm[K_ROWS],
		warm[K_BARE]);
	return 0;
}

/* Manual mode, while the customer takes the receipt, outside the timed region: a checkpoint of
 * every database, then each base's restart commit (the baseline's timed, as kind restart). */
static int checkpoint_all(struct till *t, struct base *b, int64_t *restart_ns)
{
	cp_db_checkpoint(t->db);
	for (int k = 0; k < NTIMED; k++)
		if (k != K_SALE)
			base_checkpoint(&b[k]);
	for (int k = 0; k < NTIMED; k++)
		if (k != K_SALE && restart(&b[k], k == K_BASE ? restart_ns : NULL))
			return -1;
	return 0;
}

static int run_mode(const struct opts *o, enum mode mode, struct result *res)
{
	struct till t = {0};
	struct base b[NTIMED] = {{0}}; /* b[K_SALE] is not used */
	struct tpl tpl = {{{{0}}}};
	struct cp_tender tender;
	int64_t *ns[NKINDS] = {0};
	bool *ck[NKINDS] = {0};
	int result = -1;

	memset(res, 0, sizeof(*res));
	for (int k = 0; k < NKINDS; k++) {
		ns[k] = calloc((size_t)o->n, sizeof(int64_t));
		ck[k] = calloc((size_t)o->n, sizeof(bool));
		if (!ns[k] || !ck[k]) {
			fprintf(stderr, "bench_sale: out of memory\n");
			goto out;
		}
	}
	if (open_all(o, mode, &t, b, &tpl, res))
		goto out;
	for (int i = 0; i < o->n; i++) {
		if (till_prepare(&t, &tender))
			goto out;
		/* A cyclic Latin square: over NTIMED iterations each kind takes each place in the
		 * order once, so that none always follows another's fdatasync. */
		for (int j = 0; j < NTIMED; j++) {
			enum kind k = (enum kind)((i + j) % NTIMED);
			struct sample smp = {&ns[k][i], &res->frames[k], &ck[k][i]};
			int r;

			if (k == K_SALE) {
				r = timed_sale(&t, &tender, smp);
				res->cycle_frames += t.w.frames;
			} else {
				r = timed_base(&b[k], smp);
			}
			if (r)
				goto out;
		}
		if (mode == MODE_MANUAL && checkpoint_all(&t, b, &ns[K_RESTART][i]))
			goto out;
	}
	for (int k = 0; k < NKINDS; k++) {
		if (k == K_RESTART && mode != MODE_MANUAL)
			continue;
		summarise_kind(ns[k], ck[k], o->n, &res->s[k], &res->ckpt[k]);
		res->frames[k] = k != K_RESTART ? res->frames[k] / o->n : -1;
	}
	res->cycle_frames = mode == MODE_MANUAL ? res->cycle_frames / o->n : -1;
	result = 0;
out:
	till_close(&t);
	for (int k = 0; k < NTIMED; k++)
		base_close(&b[k]);
	tpl_free(&tpl);
	for (int k = 0; k < NKINDS; k++) {
		free(ns[k]);
		free(ck[k]);
	}
	return result;
}

static void usage(void)
{
	fputs("usage: bench_sale --dir DIR [-n N] [--warmup N] [--mode auto|manual|both] "
	      "[--seed S]\n"
	      "  --dir DIR     scratch directory for the databases (removed afterwards)\n"
	      "  -n N          timed iterations per mode (default 1000)\n"
	      "  --warmup N    at least N untimed commits of each kind first (default 50)\n"
	      "  --mode M      auto: SQLite's auto-checkpoint; manual: off, and a checkpoint\n"
	      "                after each sale outside the timed region; both (default)\n"
	      "  --seed S      random members and items (default 1)\n"
	      "  --wal-unbatched  the till's databases (sale, rows) without core's WAL batching\n"
	      "                VFS: two writes a frame, as SQLite writes them\n",
	      stderr);
}

static int parse(int argc, char **argv, struct opts *o)
{
	long v;

	*o = (struct opts){.n = 1000, .warmup = 50, .seed = 1, .mode = {true, true}};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--dir") == 0 && val) {
			o->dir = val;
		} else if ((strcmp(a, "-n") == 0 || strcmp(a, "--iterations") == 0) &&
			   cp_bench_parse_long(val, 10, 1000000, &v)) {
			o->n = (int)v;
		} else if (strcmp(a, "--warmup") == 0 && cp_bench_parse_long(val, 0, 100000, &v)) {
			o->warmup = (int)v;
		} else if (strcmp(a, "--seed") == 0 && cp_bench_parse_long(val, 0, LONG_MAX, &v)) {
			o->seed = (uint64_t)v;
		} else if (strcmp(a, "--wal-unbatched") == 0) {
			wal_unbatched = true;
			continue;
		} else if (strcmp(a, "--mode") == 0 && val) {
			o->mode[MODE_AUTO] = strcmp(val, "auto") == 0 || strcmp(val, "both") == 0;
			o->mode[MODE_MANUAL] =
				strcmp(val, "manual") == 0 || strcmp(val, "both") == 0;
			if (!o->mode[MODE_AUTO] && !o->mode[MODE_MANUAL])
				return -1;
		} else {
			return -1;
		}
		i++;
	}
	if (!o->dir)
		return -1;
	if (mkdir(o->dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "bench_sale: cannot create %s: %s\n", o->dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* The ratios reported, a/b, under their names in the BENCH line and in words in the table. */
static const struct {
	const char *name, *what;
	enum kind a, b;
} ratios[] = {
	{"ratio", "sale/baseline", K_SALE, K_BASE},
	{"bulk_ratio", "sale/bulk (same pages to the disk)", K_SALE, K_BULK},
	{"rows_ratio", "rows/baseline (the rows a sale must write, the till's schema)", K_ROWS,
	 K_BASE},
	{"bare_ratio", "bare/baseline (the same rows, the least schema)", K_BARE, K_BASE},
	{"sale_rows_ratio", "sale/rows (cp_sale_pay against its rows alone)", K_SALE, K_ROWS},
};
#define NRATIOS (int)(sizeof(ratios) / sizeof(ratios[0]))

/* Ratio i of the medians, and of the 99th percentiles. */
static double ratio_median(const struct result *r, int i)
{
	return r->s[ratios[i].a].median / r->s[ratios[i].b].median;
}

static double ratio_p99(const struct result *r, int i)
{
	return r->s[ratios[i].a].p99 / r->s[ratios[i].b].p99;
}

static bool met(const struct result *r)
{
	return ratio_median(r, 0) <= GOAL_MEDIAN && ratio_p99(r, 0) <= GOAL_P99;
}

/* The table's rows of one kind: all its timed commits, and those that ran a checkpoint. */
static void print_kind(int m, const struct result *r, int k)
{
	const struct stats *s = &r->s[k], *c = &r->ckpt[k];
	char name[32];

	if (!s->n)
		return;
	printf("%-7s %-13s %5d %9.1f %9.1f %9.1f %9.1f %9.1f", mode_name[m], kind_name[k], s->n,
	       s->median, s->p90, s->p99, s->max, s->mean);
	if (r->frames[k] >= 0)
		printf(" %7.1f", r->frames[k]);
	printf("\n");
	if (!c->n)
		return;
	snprintf(name, sizeof(name), "%s+ckpt", kind_name[k]);
	printf("%-7s %-13s %5d %9.1f %9.1f %9.1f %9.1f %9.1f\n", mode_name[m], name, c->n,
	       c->median, c->p90, c->p99, c->max, c->mean);
}

/* The table's ratio rows of one mode, the goal's first. */
static void print_ratios(int m, const struct result *r)
{
	for (int i = 0; i < NRATIOS; i++) {
		char what[128];

		if (i == 0)
			snprintf(what, sizeof(what), "%s; goal <= %.1f and <= %.1f: %s",
				 ratios[i].what, GOAL_MEDIAN, GOAL_P99, met(r) ? "met" : "NOT met");
		else
			snprintf(what, sizeof(what), "%s", ratios[i].what);
		printf("%-7s %-13s %5s %9.2f %9s %9.2f   %s\n", mode_name[m], "ratio", "",
		       ratio_median(r, i), "", ratio_p99(r, i), what);
	}
}

static void print_table(const struct opts *o, const struct result *res)
{
	printf("bench_sale: %d interleaved iterations per mode in %s, SQLite %s\n", o->n, o->dir,
	       sqlite3_libversion());
	printf("WAL writes of the till's databases (sale, rows): %s\n",
	       wal_unbatched ? "two a frame (--wal-unbatched)"
			     : "one a transaction (core/db_vfs.c)");
	printf("sale     = cp_sale_pay() of a 5-line member sale, alone\n");
	printf("baseline = BEGIN IMMEDIATE; INSERT one row; COMMIT (raw sqlite3, same pragmas)\n");
	printf("bulk     = the same with a %d-byte row, about as many WAL frames as a sale\n",
	       BULK_BYTES);
	printf("rows     = the rows of the till's last sale (journal, sale, %d lines, tender,\n"
	       "           movement) and nothing else, raw sqlite3, in the till's schema\n",
	       SALE_LINES);
	printf("bare     = the same rows in five tables without secondary index, UNIQUE or FK\n");
	printf("restart  = baseline's first commit after a checkpoint (restarts the WAL)\n");
	printf("+ckpt    = those of the timed commits that ran the auto-checkpoint\n");
	printf("times in microseconds; frames = WAL pages per commit\n\n");
	printf("%-7s %-13s %5s %9s %9s %9s %9s %9s %7s\n", "mode", "what", "n", "median", "p90",
	       "p99", "max", "mean", "frames");
	for (int m = 0; m < NMODES; m++) {
		if (!o->mode[m])
			continue;
		for (int k = 0; k < NKINDS; k++)
			print_kind(m, &res[m], k);
		print_ratios(m, &res[m]);
	}
	printf("\n");
}

static void print_machine(const struct opts *o, const struct result *res)
{
	for (int m = 0; m < NMODES; m++) {
		const struct result *r = &res[m];

		if (!o->mode[m])
			continue;
		printf("# %s: %s\n", mode_name[m], mode_title[m]);
		for (int k = 0; k < NKINDS; k++) {
			const struct stats *s = &r->s[k], *c = &r->ckpt[k];

			if (!s->n)
				continue;
			printf("BENCH sale mode=%s kind=%s n=%d median_us=%.1f p90_us=%.1f "
			       "p99_us=%.1f max_us=%.1f mean_us=%.1f",
			       mode_name[m], kind_name[k], s->n, s->median, s->p90, s->p99, s->max,
			       s->mean);
			if (r->frames[k] >= 0)
				printf(" wal_frames=%.1f", r->frames[k]);
			printf(" with_checkpoint=%d\n", c->n);
			if (c->n)
				printf("BENCH sale mode=%s kind=%s+ckpt n=%d median_us=%.1f "
				       "p90_us=%.1f p99_us=%.1f max_us=%.1f mean_us=%.1f\n",
				       mode_name[m], kind_name[k], c->n, c->median, c->p90, c->p99,
				       c->max, c->mean);
		}
		printf("BENCH sale mode=%s n=%d warmup_sales=%d warmup_rows=%d", mode_name[m], o->n,
		       r->warm_sales, r->warm_rows);
		if (r->cycle_frames >= 0)
			printf(" wal_frames_cycle=%.1f", r->cycle_frames);
		printf("\n");
		printf("BENCH sale mode=%s", mode_name[m]);
		for (int i = 0; i < NRATIOS; i++)
			printf(" %s_median=%.3f %s_p99=%.3f", ratios[i].name, ratio_median(r, i),
			       ratios[i].name, ratio_p99(r, i));
		printf(" goal_median=%.1f goal_p99=%.1f met=%s\n", GOAL_MEDIAN, GOAL_P99,
		       met(r) ? "yes" : "no");
	}
}

int main(int argc, char **argv)
{
	static struct result res[NMODES];
	struct opts o;

	if (parse(argc, argv, &o) != 0) {
		usage();
		return 2;
	}
	rng_state = o.seed;
	for (size_t i = 0; i < sizeof(bulk_blob); i++)
		bulk_blob[i] = (unsigned char)cp_bench_rnd(&rng_state);
	for (int m = 0; m < NMODES; m++) {
		if (o.mode[m] && run_mode(&o, (enum mode)m, &res[m]))
			return 1;
	}
	print_table(&o, res);
	print_machine(&o, res);
	return 0;
}
