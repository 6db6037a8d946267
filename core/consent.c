/* consent.c — the membership terms a shopper agrees to at registration (PIPL): the version in
 * force (HQ's, the till's configuration, or the default), the refusal of a registration
 * without consent, and member_consent, filled from each registration event by commit and
 * verify alike. */
#include <stdio.h>
#include <string.h>

#include "consent_int.h"
#include "db_int.h"
#include "text.h"

static bool version_ok(const char *v)
{
	return v && v[0] && cp_text_ok(v, CP_TERMS_VERSION_MAX);
}

/* v (checked: at most CP_TERMS_VERSION_MAX bytes) into out. */
static void put(char out[CP_TERMS_VERSION_MAX + 1], const char *v)
{
	size_t n = strnlen(v, CP_TERMS_VERSION_MAX);

	memcpy(out, v, n);
	out[n] = '\0';
}

enum cp_err cp_consent_terms_version(struct cp_db *db, char out[CP_TERMS_VERSION_MAX + 1],
				     struct cp_errbuf *err)
{
	sqlite3_stmt *st =
		cp_db_stmt(db, "SELECT value FROM hq_config WHERE name = 'terms_version'", err);
	char hq[CP_TERMS_VERSION_MAX + 2] = "";
	int rc;

	if (!st)
		return CP_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		cp_db_col_text(st, 0, hq, sizeof(hq));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_db_fail(db, rc, "read the terms version", err);
	put(out, version_ok(hq)                  ? hq
		 : version_ok(db->terms_version) ? db->terms_version
						 : CP_TERMS_VERSION_DEFAULT);
	return CP_OK;
}

enum cp_err cp_consent_check(struct cp_db *db, const struct cp_member_new *m,
			     char version[CP_TERMS_VERSION_MAX + 1], struct cp_errbuf *err)
{
	enum cp_err result = cp_consent_terms_version(db, version, err);

	if (result != CP_OK)
		return result;
	if (!m->consent)
		return cp_errf(err, CP_EINVAL,
			       "the shopper has not agreed to the membership terms (version %s): "
			       "ask them, and register only once they agree",
			       version);
	if (m->terms_version && strcmp(m->terms_version, version) != 0)
		return cp_errf(err, CP_ESTATE,
			       "the membership terms are now version %s: ask the shopper to agree "
			       "to them, then register again",
			       version);
	return CP_OK;
}

enum cp_err cp_consent_apply(struct cp_db *db, int64_t seq, const char *member, json_t *p,
			     int64_t at, struct cp_errbuf *err)
{
	json_t *version = json_object_get(p, "terms_version");
	json_t *consent = json_object_get(p, "consent");
	sqlite3_stmt *st;
	int rc;

	if (!version && !consent)
		return CP_OK; /* recorded before consent was asked for */
	if (!json_is_string(version) || !version_ok(json_string_value(version)) ||
	    !json_is_true(consent))
		return cp_errf(err, CP_ECORRUPT,
			       "journal %lld: the registration's consent to the membership terms "
			       "is missing or malformed",
			       (long long)seq);
	st = cp_db_stmt(db,
			"INSERT INTO member_consent(member_id, terms_version, seq, at)"
			" VALUES(?1, ?2, ?3, ?4)",
			err);
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, json_string_value(version), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, seq);
	sqlite3_bind_int64(st, 4, at);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CP_OK : cp_db_fail(db, rc, "record the consent", err);
}
