/* lookup.c — an online member lookup (sync/PROTOCOL.md "GET /v1/members/lookup"): the phone's hash to
 * ask with, and HQ's answer kept as the member's snapshot here. */
#include <string.h>

#include "cp_crypto.h"
#include "hq.h"
#include "hq_int.h"
#include "member_int.h"
#include "phone.h"

enum cp_err cp_hq_phone_hash_hex(struct cp_db *db, const char *phone, char out[65],
				 struct cp_errbuf *err)
{
	char norm[CP_PHONE_LEN + 1];
	uint8_t hash[32];
	enum cp_err result = cp_phone_normalise(phone, norm, err);

	if (result != CP_OK)
		return result;
	if (cp_phone_hash(db->phone_key, DB_KEY_LEN, norm, hash) != 0)
		result = cp_errf(err, CP_EIO, "cannot hash the phone number");
	else
		cp_hex(hash, sizeof(hash), out);
	cp_wipe(norm, sizeof(norm));
	return result;
}

enum cp_err cp_hq_apply_lookup(struct cp_db *db, const char *body, size_t len,
			       struct cp_member_view *out, struct cp_errbuf *err)
{
	json_t *root, *m;
	const char *id;
	enum cp_err result;

	if (!(root = cp_hq_load(body, len, err)))
		return CP_EINVAL;
	m = json_object_get(root, "member");
	id = json_string_value(json_object_get(m, "id"));
	if (!json_is_object(m) || !id) {
		result = cp_hq_bad(err, "lookup answer: member is missing");
		goto done;
	}
	if ((result = cp_db_begin(db, err)) != CP_OK)
		goto done;
	result = cp_member_snapshot_apply(db, m, "member", err);
	if (result == CP_OK)
		result = cp_db_commit(db, err);
	if (result != CP_OK)
		cp_db_rollback(db);
	else
		result = cp_member_get(db, id, out, err);
done:
	json_decref(root);
	return result;
}
