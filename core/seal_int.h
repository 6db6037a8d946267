/* seal_int.h — forward-secure sealing of the journal: the key that seals a row, taken from
 * meta and replaced there by the next key, derived one way, in the row's own transaction. */
#ifndef CP_SEAL_INT_H
#define CP_SEAL_INT_H

#include "cp_crypto.h"
#include "db_int.h"

/* The key that seals the row after the one key seals: HMAC-SHA256(key, SEAL_NEXT_LABEL).
 * Returns 0, or -1 when the hash failed. out may be key. */
#define SEAL_NEXT_LABEL "counterpoint journal seal: next key"
int cp_seal_next(const uint8_t key[DB_KEY_LEN], uint8_t out[DB_KEY_LEN]);
/* The same with the key's HMAC state (cp_hmac_new), which then also hashes the row. */
int cp_seal_next_keyed(struct cp_hmac *key, uint8_t out[DB_KEY_LEN]);

/* Inside the transaction that appends row seq: the key that seals it (meta journal_key, which
 * must be the key of row seq) as an HMAC state (*key, its pads hashed once for both the next
 * key and the row's hash), replaced in meta by the key of row seq + 1. The caller frees *key
 * (cp_hmac_free wipes it) after use. CP_ECORRUPT when the stored key is for another row or is
 * damaged; *key is NULL on any error. */
enum cp_err cp_seal_take(struct cp_db *db, int64_t seq, struct cp_hmac **key,
			 struct cp_errbuf *err);

/* The key the file holds (for the next row) and the row it seals. */
enum cp_err cp_seal_current(struct cp_db *db, uint8_t key[DB_KEY_LEN], int64_t *seq,
			    struct cp_errbuf *err);

/* The first row sealed with an evolving key: rows before it were written before sealing
 * existed and are sealed with the starting key itself. 1 for a database made since. */
enum cp_err cp_seal_first(struct cp_db *db, int64_t *seq, struct cp_errbuf *err);

#endif
