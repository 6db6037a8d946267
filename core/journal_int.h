/* journal_int.h — how core modules record a business event: build a JSON payload, hand it to
 * cp_journal_record() inside the event's transaction, and let the type's apply function write
 * the tables that are the journal's materialised view. verify replays the same functions.
 *
 * Every payload carries "type", "event_id", "at" (ms), "store" and "terminal" (added here).
 * Payloads hold integers and strings only, never floating point. */
#ifndef CP_JOURNAL_INT_H
#define CP_JOURNAL_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cp_crypto.h"
#include "db_int.h"

#define JOURNAL_HASH_LEN 32

/* Writes the view rows of one event. payload is the parsed journal payload; seq its sequence. */
typedef enum cp_err (*journal_apply_fn)(struct cp_db *db, int64_t seq, json_t *payload,
					struct cp_errbuf *err);

/* The apply function for a type; NULL for a type this program does not know. */
journal_apply_fn cp_journal_apply_for(const char *type);

/* Inside an open transaction: stamps payload with type, event id, time and identity, appends
 * the journal row (next sequence, chained hash) and applies it. *seq and hash (may be NULL)
 * get the row's sequence and hash. */
enum cp_err cp_journal_record(struct cp_db *db, const char *type, json_t *payload, int64_t *seq,
			      uint8_t hash[JOURNAL_HASH_LEN], struct cp_errbuf *err);

/* The years a clock may say at all (2020..2100). */
bool cp_clockcheck_plausible(int64_t now);

/* The chained hash of one row: HMAC-SHA256(key, prev || seq as 8 bytes big-endian || payload). */
int cp_journal_hash(const uint8_t *key, const uint8_t prev[JOURNAL_HASH_LEN], int64_t seq,
		    const char *payload, size_t len, uint8_t out[JOURNAL_HASH_LEN]);
/* The same with the key's HMAC state (cp_hmac_new): its pads are not hashed again. */
int cp_journal_hash_keyed(struct cp_hmac *key, const uint8_t prev[JOURNAL_HASH_LEN], int64_t seq,
			  const char *payload, size_t len, uint8_t out[JOURNAL_HASH_LEN]);

/* Small readers for apply functions: a missing or mistyped field is CP_ECORRUPT naming it. */
enum cp_err cp_jget_int(json_t *o, const char *key, int64_t *out, struct cp_errbuf *err);
enum cp_err cp_jget_str(json_t *o, const char *key, const char **out, struct cp_errbuf *err);
/* A string or null (*out = NULL). */
enum cp_err cp_jget_str_or_null(json_t *o, const char *key, const char **out,
				struct cp_errbuf *err);
enum cp_err cp_jget_array(json_t *o, const char *key, json_t **out, struct cp_errbuf *err);

/* Inserts one movement row (points and growth for a member, tied to the event seq). */
enum cp_err cp_movement_insert(struct cp_db *db, int64_t seq, int n, const char *member_id,
			       const char *kind, int64_t points, int64_t growth,
			       struct cp_errbuf *err);
/* Inserts one tender row (negative amounts are money going back); ref NULL or the last four
 * digits of the customer's payment code. */
enum cp_err cp_tender_insert(struct cp_db *db, int64_t seq, int n, const char *method,
			     int64_t amount, const char *ref, struct cp_errbuf *err);

/* Next receipt number "store-terminal-NNNNNN" (inside the event's transaction): one past both
 * meta receipt_seq and the newest receipt in the journal. */
enum cp_err cp_receipt_next(struct cp_db *db, char *out, size_t outlen, struct cp_errbuf *err);

/* The number N of an id "store-terminal-N" of this till (a receipt, or a local member id after
 * its "L-"); false when id is not of that form. */
bool cp_journal_counter_of(const char *id, const char *store, const char *terminal, int64_t *n);

#endif
