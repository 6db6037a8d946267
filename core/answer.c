/* answer.c — what every answer from HQ is read with (sync/PROTOCOL.md): the JSON object itself,
 * the error for a malformed one, the check of a short printable id, and the refusal of an
 * answer that claims rows this till never wrote. */
#include <inttypes.h>
#include <string.h>

#include "hq_int.h"

enum cp_err cp_hq_bad(struct cp_errbuf *err, const char *what)
{
	return cp_errf(err, CP_EINVAL, "HQ's answer is malformed: %s", what);
}

json_t *cp_hq_load(const char *body, size_t len, struct cp_errbuf *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);

	if (!root) {
		/* jansson quotes the bad bytes: say only where they are */
		cp_errf(err, CP_EINVAL, "HQ's answer is not JSON (line %d, column %d)", jerr.line,
			jerr.column);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		cp_hq_bad(err, "not an object");
		return NULL;
	}
	return root;
}

/* Printable ASCII of 1..max bytes. */
bool cp_hq_token_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 1 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

/* HQ's "applied" past this till's newest row: HQ holds rows this database does not have. */
enum cp_err cp_hq_holds_unwritten(int64_t applied, int64_t last_seq, struct cp_errbuf *err)
{
	return cp_errf(
		err, CP_ECORRUPT,
		"HQ says it holds journal row %" PRId64 " but this till has written only "
		"%" PRId64 ": this is not the database HQ knows for this terminal (a "
		"restored backup, or another till's enrolment). Sync is stopped; call IT: "
		"restore the right database, or enrol this one with a code for a new terminal",
		applied, last_seq);
}
