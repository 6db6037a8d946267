/* db_int.h — core's private view of the database handle and the helpers every module uses:
 * cached prepared statements, transactions, meta values and SQLite error translation. */
#ifndef CP_DB_INT_H
#define CP_DB_INT_H

#include <sqlite3.h>

#include "db.h"
#include "discount.h"
#include "earn.h"
#include "pointspay.h"

#define DB_KEY_LEN 32
/* PRAGMA application_id of every Counterpoint database: "CPT1". */
#define DB_APPLICATION_ID 0x43505431
#define DB_SET_APPLICATION_ID "PRAGMA application_id = 1129337905"
#define DB_STMT_CACHE 256
#define DB_STMT_SLOTS 1024 /* the cache's index by address: a power of two, 4 x DB_STMT_CACHE */

/* Store facts every member view needs (acknowledged sequence, tiers, earn rules), kept between
 * calls and read again only when this or another connection has written since. */
struct db_memo {
	bool valid;
	int64_t data_version, changes;
	int64_t acked_seq;
	int ntiers;
	struct cp_tier tiers[16];
	bool has_rules;
	struct cp_earn_rules rules;
};

/* The journal event the open transaction records, noted by cp_journal_record: a COMMIT that fails
 * may still have reached the WAL, so cp_db_commit settles such an event's outcome. */
struct db_tx_event {
	bool set;
	char event_id[40];
	char what[112]; /* "sale S001-T01-000042", for the messages */
};

struct cp_db {
	sqlite3 *h;
	char path[1024];
	struct cp_clock clock;
	int cutover_min;
	int utc_offset_min; /* meta utc_offset_min: the store's time zone (cp_business_day_at) */
	int pin_max_attempts;
	int pin_lockout_s;
	uint32_t pbkdf2_iterations;
	char store_id[17];
	char terminal_id[17];
	/* The journal's starting key, only while start_key_set: on the handle that created the
	 * database (for the export at init), or given to verify. The file holds only the key of
	 * the next row (seal.c). */
	uint8_t journal_key[DB_KEY_LEN];
	bool start_key_set;
	uint8_t phone_key[DB_KEY_LEN];
	struct cp_hmac *row_key; /* rowmac.c: meta row_key's HMAC state, made on first use */
	struct
	{ /* journal.c: the journal's newest receipt number while its last row is seq, hash */
		bool set;
		int64_t seq, n;
		uint8_t hash[DB_KEY_LEN];
	} receipt_memo;
	struct {
		const char *sql; /* compared by address: SQL text is always a literal */
		sqlite3_stmt *st;
	} cache[DB_STMT_CACHE];
	int ncache;
	uint16_t slot[DB_STMT_SLOTS]; /* open addressing by the SQL's address: cache index + 1 */
	struct db_memo memo;
	struct db_tx_event tx_event;
	bool in_tx; /* between cp_db_begin and cp_db_commit/cp_db_rollback: cp_db_stmt checks it still is */
	bool light; /* the connection is at synchronous=NORMAL (cp_db_begin_light; FULL again before
			* any other write: sync_full in db.c) */
	bool light_tx;      /* the open transaction is a cart edit's (cp_db_begin_light) */
	bool wal_manual;    /* wal_autocheckpoint -1: the till checkpoints (cp_db_checkpoint_due) */
	int64_t wal_frames; /* frames in the WAL after the last commit on this handle */
	struct cp_pointspay_config pointspay; /* local rules; HQ's hq_config overrides them */
	char premigration[1100]; /* backup.c: the copy kept before this open migrated */
	int premigration_from;
	int schema_limit;        /* cp_db_options.schema_limit */
	int guide_days;          /* guide.c: protection (CP_GUIDE_ALWAYS, 0 never, or days) */
	bool guide_register_off; /* guide.c: a guide registering a member does not bind them */
	int park_max;            /* park.c: parked sales this till keeps (0: the default) */
	int rounding;            /* rounding.c: enum cp_rounding of the cash due */
	int64_t noreceipt_limit; /* refund_noreceipt.c: fen a refund without a receipt may give */
	char scale_layouts[128]; /* scale.c: scale label layouts ("": none) */
	struct member_batch *member_batch;  /* member_batch.c: while HQ's pages are applied */
	struct cp_discount_config discount; /* discount.c: how prices stack */
	char terms_version[33]; /* consent.c: membership terms in force here ("": the default) */
	void *cart_memo;   /* cart.c: the cart as the last change left it (one malloc'd block) */
	void *member_memo; /* member.c: the last member read by id (one malloc'd block) */
	void *life_memo;   /* lifecycle.c: the last member's lifecycle (one malloc'd block) */
	/* verify's replay only: cp_report_sale_sum adds the sales [sums_from, sums_to] to the
	 * map sums (report_sums.c) until cp_report_sale_sums_flush writes it */
	bool defer_sums;
	int64_t sums_from, sums_to;
	struct cp_report_sums *sums;
};

/* The versions of what this connection reads: PRAGMA data_version (another connection's
 * commits) and sqlite3_total_changes64 (this connection's writes, rolled back or not). Equal
 * versions mean the same tables (memo.c). */
enum cp_err cp_db_versions(struct cp_db *db, int64_t *data_version, int64_t *changes,
			   struct cp_errbuf *err);

/* The memo, fresh. The pointer stays valid until the next write or call. */
enum cp_err cp_db_memo_get(struct cp_db *db, const struct db_memo **out, struct cp_errbuf *err);
/* For a change whose writes since sqlite3_total_changes64 read changes_before touched no table
 * the memo reads (a cart edit: cart and cart_line only): a memo fresh before them stays fresh,
 * instead of being read again by the cart view that checks the change. */
void cp_db_memo_keep(struct cp_db *db, int64_t changes_before);

/* A prepared statement for the literal sql, reset and with bindings cleared; owned by the
 * cache (do not finalize). NULL on error, with err filled. */
sqlite3_stmt *cp_db_stmt(struct cp_db *db, const char *sql, struct cp_errbuf *err);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. begin and commit translate failures into CP_E*.
 * A failed COMMIT of a transaction that recorded a journal event is settled before cp_db_commit
 * returns (cp_journal_settle): CP_OK when the event was recorded after all, the failure when it
 * is certain that it never will be, CP_EOUTCOME when that cannot be told yet. */
enum cp_err cp_db_begin(struct cp_db *db, struct cp_errbuf *err);
/* BEGIN IMMEDIATE for a cart edit (a scan, a quantity, a member attached or detached, a park):
 * its COMMIT is atomic but not flushed (synchronous=NORMAL) — a power cut may lose it, and it
 * becomes durable with the next durable commit (the pay). It must record no journal event. */
enum cp_err cp_db_begin_light(struct cp_db *db, struct cp_errbuf *err);
enum cp_err cp_db_commit(struct cp_db *db, struct cp_errbuf *err);
void cp_db_rollback(struct cp_db *db);
/* A read transaction (a bare BEGIN) for a run of reads when the caller has none open: one
 * snapshot, and one lock of the WAL instead of one per statement. Returns whether it opened one;
 * cp_db_read_end closes only what it opened. */
bool cp_db_read_begin(struct cp_db *db);
void cp_db_read_end(struct cp_db *db, bool began);

/* journal.c: settles the outcome of db->tx_event after its COMMIT failed with sqlite_rc (the
 * transaction is rolled back here). See cp_db_commit. */
enum cp_err cp_journal_settle(struct cp_db *db, int sqlite_rc, struct cp_errbuf *err);

/* For functions that write and may be called inside a caller's transaction or alone:
 * tx_begin opens a BEGIN IMMEDIATE only when none is open (*own says whether it did);
 * tx_end commits what it opened when rc is CP_OK, rolls it back otherwise, and returns the
 * final result. A caller's transaction is left to the caller. */
enum cp_err cp_db_tx_begin(struct cp_db *db, int *own, struct cp_errbuf *err);
/* tx_begin with cp_db_begin_light when it opens the transaction. */
enum cp_err cp_db_tx_begin_light(struct cp_db *db, int *own, struct cp_errbuf *err);
enum cp_err cp_db_tx_end(struct cp_db *db, int own, enum cp_err rc, struct cp_errbuf *err);

/* A store or terminal id: 1..16 letters, digits, '-' or '_'. */
bool cp_db_id_ok(const char *s);

/* The name of the VFS (db_vfs.c) over SQLite's default one that writes each WAL transaction's
 * frames with one write; registered on first use. NULL when it cannot be: open with the
 * default then. */
const char *cp_db_vfs_name(void);

/* Copies the text of column col of st into out (always NUL-terminated; "" for NULL). */
void cp_db_col_text(sqlite3_stmt *st, int col, char *out, size_t outlen);

/* Executes a statement without results (sqlite3_exec). */
enum cp_err cp_db_exec(struct cp_db *db, const char *sql, struct cp_errbuf *err);

/* msg on one line in buf (line breaks become "; ", other control characters spaces). */
const char *cp_db_one_line(const char *msg, char *buf, size_t buflen);

/* Maps an SQLite result code to enum cp_err and fills err with what and where (one line). */
enum cp_err cp_db_fail(struct cp_db *db, int rc, const char *what, struct cp_errbuf *err);

/* meta table: text values by key. get returns CP_ENOTFOUND when absent. */
enum cp_err cp_db_meta_get(struct cp_db *db, const char *key, char *out, size_t outlen,
			   struct cp_errbuf *err);
enum cp_err cp_db_meta_set(struct cp_db *db, const char *key, const char *value,
			   struct cp_errbuf *err);
enum cp_err cp_db_meta_get_int(struct cp_db *db, const char *key, int64_t *out,
			       struct cp_errbuf *err);
enum cp_err cp_db_meta_set_int(struct cp_db *db, const char *key, int64_t value,
			       struct cp_errbuf *err);
/* Two values in one statement (the seal's key and the row it seals, in every journal row). */
enum cp_err cp_db_meta_set_two(struct cp_db *db, const char *key1, const char *value1,
			       const char *key2, const char *value2, struct cp_errbuf *err);

/* Reads meta utc_offset_min, the store's time zone, into db->utc_offset_min (CP_ECORRUPT when
 * it is missing or outside -840..840). */
enum cp_err cp_db_zone_load(struct cp_db *db, struct cp_errbuf *err);
/* Inside the caller's transaction: records the store's time zone and its keyed checksum, and
 * takes it into db. */
enum cp_err cp_db_zone_set(struct cp_db *db, int utc_offset_min, struct cp_errbuf *err);

/* Creates the schema at the newest version on any connection (used for the replay database
 * of verify). Returns an SQLite result code. */
int cp_db_migrate_handle(sqlite3 *h, char *msg, size_t msglen);
/* The same, to schema version target at most (tests of upgrades). */
int cp_db_migrate_handle_to(sqlite3 *h, int target, char *msg, size_t msglen);

#endif
