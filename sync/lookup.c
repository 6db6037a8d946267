/* lookup.c — GET /v1/members/lookup: a member not found on this till, asked of HQ by the
 * phone's keyed hash or by card, with a short timeout the cashier can cut short. What HQ finds
 * is cached through core; offline, the member is simply not known here. */
#include <stdio.h>
#include <string.h>

#include "cp_crypto.h"
#include "db.h"
#include "sync_int.h"

#define NOT_HERE "HQ cannot be reached: the member is not known here"

static bool card_ok(const char *card)
{
	size_t n = strlen(card);

	if (n < 4 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((card[i] >= '0' && card[i] <= '9') || (card[i] >= 'A' && card[i] <= 'Z') ||
		      (card[i] >= 'a' && card[i] <= 'z')))
			return false;
	return true;
}

/* The path with its query, from the phone's hash or the card. */
static enum cp_err lookup_path(struct cp_db *db, const char *phone, const char *card, char *path,
			       size_t len, struct cp_errbuf *err)
{
	char hex[65];
	enum cp_err rc;

	if (phone) {
		if ((rc = cp_hq_phone_hash_hex(db, phone, hex, err)) != CP_OK)
			return rc;
		snprintf(path, len, "/v1/members/lookup?phone_hash=%s", hex);
		return CP_OK;
	}
	if (!card_ok(card))
		return cp_errf(err, CP_EINVAL,
			       "a card number is 4 to 32 letters or digits; check what was typed");
	snprintf(path, len, "/v1/members/lookup?card=%s", card);
	return CP_OK;
}

static enum cp_err answered(struct cp_db *db, const struct cp_http_answer *ans,
			    struct cp_member_view *out, struct cp_errbuf *err)
{
	struct cp_errbuf said = {{0}};

	switch (ans->status) {
	case 200:
		if (ans->json && cp_hq_apply_lookup(db, ans->body, ans->len, out, &said) == CP_OK)
			return CP_OK;
		return cp_errf(err, CP_EIO, NOT_HERE " (HQ's answer was not understood)");
	case 404:
		return cp_errf(err, CP_ENOTFOUND, "no such member");
	default:
		cp_sync_http_describe(ans, "the member lookup", &said);
		return cp_errf(err, CP_EIO, NOT_HERE " (%s)", said.msg);
	}
}

enum cp_err cp_sync_lookup(struct cp_db *db, const struct cp_sync_options *opts, const char *phone,
			   const char *card, struct cp_member_view *out, const volatile int *cancel,
			   struct cp_errbuf *err)
{
	struct cp_sync_options quick = *opts;
	struct cp_hq_identity id;
	struct cp_http *h = NULL;
	struct cp_http_answer ans = {0};
	struct cp_http_request req = {0};
	struct cp_errbuf why = {{0}};
	char path[160];
	enum cp_err rc;

	if ((phone == NULL) == (card == NULL))
		return cp_errf(err, CP_EINVAL, "look a member up by phone or by card, not both");
	memset(&id, 0, sizeof(id));
	if ((rc = cp_hq_identity(db, &id, err)) != CP_OK)
		goto out;
	if (!id.enrolled) {
		rc = cp_errf(err, CP_EIO, NOT_HERE " (this till is not enrolled with HQ)");
		goto out;
	}
	if ((rc = lookup_path(db, phone, card, path, sizeof(path), err)) != CP_OK)
		goto out;
	quick.timeout_ms = opts->lookup_timeout_ms > 0 ? opts->lookup_timeout_ms : 2000;
	if (quick.connect_timeout_ms <= 0 || quick.connect_timeout_ms > quick.timeout_ms)
		quick.connect_timeout_ms = quick.timeout_ms;
	if ((rc = cp_sync_http_open(&h, id.url, &quick, &why)) != CP_OK) {
		rc = cp_errf(err, CP_EIO, NOT_HERE " (%s)", why.msg);
		goto out;
	}
	req.method = "GET";
	req.path = path;
	req.id = &id;
	req.now_s = cp_db_now(db) / 1000;
	req.timeout_ms = quick.timeout_ms;
	req.cancel = cancel;
	rc = cp_sync_http_do(h, &req, &ans, &why);
	if (rc == CP_ESTATE)
		rc = cp_errf(err, CP_ESTATE, "the lookup at HQ was cancelled");
	else if (rc != CP_OK)
		rc = cp_errf(err, CP_EIO, NOT_HERE " (%s)", why.msg);
	else
		rc = answered(db, &ans, out, err);
out:
	cp_wipe(&id, sizeof(id));
	cp_sync_http_answer_free(&ans);
	cp_sync_http_close(h);
	return rc;
}
