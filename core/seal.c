/* seal.c — forward-secure sealing, the technique of systemd-journald's Forward Secure Sealing
 * and of the Bellare-Yee and Schneier-Kelsey secure logs: the key that seals journal row n is
 * derived one way from the key of row n-1, and replaces it in meta in the row's own
 * transaction (secure_delete is on, so the freed bytes are zeroed). The file only ever holds
 * the key of the row still to come: whoever holds the starting key (HQ, from enrolment; a
 * manager, from the export at init) checks every seal, and the till cannot seal a past row
 * again. */
#include <stdio.h>
#include <string.h>

#include "cp_crypto.h"
#include "journal.h"
#include "seal_int.h"

int cp_seal_next(const uint8_t key[DB_KEY_LEN], uint8_t out[DB_KEY_LEN])
{
	const void *parts[1] = {SEAL_NEXT_LABEL};
	size_t lens[1] = {sizeof(SEAL_NEXT_LABEL) - 1};
	uint8_t next[DB_KEY_LEN];
	int rc = cp_hmac_sha256(key, DB_KEY_LEN, parts, lens, 1, next);

	if (rc == 0)
		memcpy(out, next, DB_KEY_LEN);
	cp_wipe(next, sizeof(next));
	return rc;
}

int cp_seal_next_keyed(struct cp_hmac *key, uint8_t out[DB_KEY_LEN])
{
	const void *parts[1] = {SEAL_NEXT_LABEL};
	size_t lens[1] = {sizeof(SEAL_NEXT_LABEL) - 1};

	return cp_hmac_mac(key, parts, lens, 1, out);
}

enum cp_err cp_seal_current(struct cp_db *db, uint8_t key[DB_KEY_LEN], int64_t *seq,
			    struct cp_errbuf *err)
{
	char hex[2 * DB_KEY_LEN + 1];
	enum cp_err result = cp_db_meta_get(db, "journal_key", hex, sizeof(hex), err);

	if (result == CP_ENOTFOUND)
		return cp_errf(err, CP_ECORRUPT,
			       "the journal's sealing key is missing; restore the database from a "
			       "backup, or sync and enrol again");
	if (result != CP_OK)
		return result;
	if (!cp_unhex(hex, key, DB_KEY_LEN))
		result = cp_errf(err, CP_ECORRUPT,
				 "the journal's sealing key is damaged; restore the database from "
				 "a backup, or sync and enrol again");
	cp_wipe(hex, sizeof(hex));
	if (result != CP_OK)
		return result;
	result = cp_db_meta_get_int(db, "journal_key_seq", seq, err);
	if (result == CP_ENOTFOUND)
		return cp_errf(err, CP_ECORRUPT, "meta journal_key_seq is missing");
	return result;
}

enum cp_err cp_seal_first(struct cp_db *db, int64_t *seq, struct cp_errbuf *err)
{
	enum cp_err result = cp_db_meta_get_int(db, "seal_from", seq, err);

	if (result == CP_ENOTFOUND)
		return cp_errf(err, CP_ECORRUPT, "meta seal_from is missing");
	if (result == CP_OK && *seq < 1)
		return cp_errf(err, CP_ECORRUPT, "meta seal_from is damaged (%lld)",
			       (long long)*seq);
	return result;
}

enum cp_err cp_seal_take(struct cp_db *db, int64_t seq, struct cp_hmac **keyed,
			 struct cp_errbuf *err)
{
	char hex[2 * DB_KEY_LEN + 1], next_seq[24];
	uint8_t key[DB_KEY_LEN], next[DB_KEY_LEN];
	int64_t for_seq;
	enum cp_err result = cp_seal_current(db, key, &for_seq, err);

	*keyed = NULL;
	if (result != CP_OK)
		goto out;
	if (for_seq != seq) {
		result = cp_errf(err, CP_ECORRUPT,
				 "the journal's sealing key is for row %lld but the next row is "
				 "%lld: rows were removed or the file was changed. Nothing was "
				 "recorded; restore the database from a backup, or sync and enrol "
				 "again",
				 (long long)for_seq, (long long)seq);
		goto out;
	}
	if (!(*keyed = cp_hmac_new(key, DB_KEY_LEN)) || cp_seal_next_keyed(*keyed, next) != 0) {
		result = cp_errf(err, CP_EIO, "cannot derive the next sealing key");
		goto out;
	}
	cp_hex(next, DB_KEY_LEN, hex);
	snprintf(next_seq, sizeof(next_seq), "%lld", (long long)(seq + 1));
	result = cp_db_meta_set_two(db, "journal_key", hex, "journal_key_seq", next_seq, err);
out:
	cp_wipe(hex, sizeof(hex));
	cp_wipe(key, sizeof(key));
	cp_wipe(next, sizeof(next));
	if (result != CP_OK) {
		cp_hmac_free(*keyed);
		*keyed = NULL;
	}
	return result;
}

enum cp_err cp_journal_start_key(struct cp_db *db, uint8_t key[CP_JOURNAL_KEY_LEN],
				 struct cp_errbuf *err)
{
	if (!db->start_key_set)
		return cp_errf(err, CP_ESTATE,
			       "the journal's starting key is no longer on this till: it can be "
			       "exported only by `counterpoint init`, when the database is made");
	memcpy(key, db->journal_key, CP_JOURNAL_KEY_LEN);
	return CP_OK;
}
