/* db.h — the till's database: opening and creating it, its pragmas and migrations, and the
 * settings core reads from configuration. The struct is private (db_int.h). */
#ifndef CP_DB_H
#define CP_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_clock.h"
#include "cp_error.h"

struct cp_db;
struct cp_pointspay_config;
struct cp_discount_config;

/* What core needs from configuration. Zero fields take the defaults named here, except
 * cutover_min, where zero is midnight. */
struct cp_db_options {
	const char *path;             /* database file; required */
	const struct cp_clock *clock; /* NULL: the system clock */
	int busy_timeout_ms;          /* 5000 */
	int cutover_min;      /* business day starts this many minutes after midnight (0..1439) */
	int pin_max_attempts; /* 5 wrong PINs lock a staff code ... */
	int pin_lockout_s;    /* ... for 300 seconds */
	uint32_t pbkdf2_iterations; /* for PINs set from now on: 100000 */
	int wal_autocheckpoint;     /* pages; 0 = SQLite's default (1000); -1 = off */
	const struct cp_pointspay_config *pointspay; /* points as payment; NULL: the defaults */
	/* guides (guide.h): protection in days, -1 always, 0 never; used when guide_set */
	bool guide_set;
	int guide_protection_days;
	bool guide_register_binds;
	int park_max; /* parked sales (park.h) this till keeps: 5 */
	int rounding; /* 抹零 of the cash due: an enum cp_rounding (rounding.h); 0 = none */
	const char *scale_layouts; /* scale label layouts (scale.h); NULL: the default, "": none */
	const struct cp_discount_config *discount; /* pricing (discount.h); NULL: the defaults */
	const char *terms_version; /* membership terms in force (consent.h); NULL: the default */
	/* fen: the most one refund without a receipt may give back (refund_noreceipt.h); 0: the
	 * default, 50000 */
	int64_t refund_noreceipt_limit;
	/* Tests of upgrades only: build or migrate no further than this schema version (an older
	 * release's database); 0 = this program's. */
	int schema_limit;
	/* Benchmarks and tests: write the WAL as SQLite does, two writes a frame, without the
	 * VFS that writes a transaction's frames in one (db_vfs.c). */
	bool wal_unbatched;
};

/* Options for a new database (counterpoint init). */
struct cp_db_init {
	const char *store_id;    /* e.g. "S001"; letters, digits, '-' and '_', 1..16 */
	const char *terminal_id; /* e.g. "T01"; same alphabet */
	bool force;              /* replace an existing file */
};

/* The schema version this program writes. */
int cp_db_schema_version(void);

/* The version of the SQLite library running (for --version; only core links SQLite). */
const char *cp_db_sqlite_version(void);

/* Creates a new database at opt->path (mode 0600, or 0660 in a directory made for a group:
 * cp_paths_file_mode), applies every migration and generates the
 * terminal's journal key and local phone-hash key. Refuses (CP_EEXIST) to replace an existing
 * file unless init->force. On success *out is open; free it with cp_db_close(). */
enum cp_err cp_db_create(struct cp_db **out, const struct cp_db_options *opt,
			 const struct cp_db_init *init, struct cp_errbuf *err);

/* Opens an existing database read-write, applies pending migrations, and refuses a database
 * newer than this program (CP_EVERSION), a missing file (CP_ENOTFOUND) or a damaged or foreign
 * one (CP_ECORRUPT), never altering such a file. */
enum cp_err cp_db_open(struct cp_db **out, const struct cp_db_options *opt, struct cp_errbuf *err);

/* Closes the database; NULL is a no-op. Secrets held in memory are wiped. */
void cp_db_close(struct cp_db *db);

/* The terminal's identity as stored at init (or enrolment). */
const char *cp_db_store_id(const struct cp_db *db);
const char *cp_db_terminal_id(const struct cp_db *db);

/* The store's name as its data gives it (the demo store, later HQ); "" when none. */
void cp_db_store_name(struct cp_db *db, char *out, size_t outlen);

/* Now, from the clock the database was opened with. */
int64_t cp_db_now(const struct cp_db *db);

/* The selling till (wal_autocheckpoint -1) checkpoints itself, off the sale path: when idle
 * (cp_db_checkpoint) and, between sales, once the WAL holds this many frames (pages) — about
 * 16 MB, a hundred or more sales — so that a till that is never idle still checkpoints
 * (cp_db_checkpoint_due). Each checkpoint costs two flushes. */
#define CP_DB_WAL_CHECKPOINT_FRAMES 4000

/* Runs a passive WAL checkpoint; call when the till is idle. With wal_autocheckpoint -1, does
 * nothing when this handle has written nothing since the last one. */
void cp_db_checkpoint(struct cp_db *db);

/* Between sales: runs cp_db_checkpoint only when the WAL has grown past
 * CP_DB_WAL_CHECKPOINT_FRAMES (wal_autocheckpoint -1; otherwise SQLite checkpoints by itself
 * and this does nothing). True when it ran one. */
bool cp_db_checkpoint_due(struct cp_db *db);

#endif
