/* member_search.c — a member without their phone: a fragment of the name plus the last four
 * digits of the phone find a short list to choose from (REALITY.md). The digits go through an
 * index on the masked phone's last four (migration 5), so a million members cost no scan. */
#include <stdio.h>
#include <string.h>

#include "db_int.h"
#include "member.h"
#include "text.h"

#define NAME_PART_MAX 64

static bool four_digits(const char *s)
{
	if (!s || strlen(s) != 4)
		return false;
	for (int i = 0; i < 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* The ids of the first max + 1 matches, in name order; *found gets how many. */
static enum cp_err matching_ids(struct cp_db *db, const char *name_part, const char *last4,
				char ids[][64], int max, int *found, struct cp_errbuf *err)
{
	sqlite3_stmt *st = cp_db_stmt(db,
				      "SELECT id FROM member WHERE substr(phone_masked, -4) = ?1"
				      " AND instr(name, ?2) > 0 ORDER BY name, id LIMIT ?3",
				      err);
	int rc;

	*found = 0;
	if (!st)
		return CP_EDB;
	sqlite3_bind_text(st, 1, last4, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name_part, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, max + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *found <= max)
		cp_db_col_text(st, 0, ids[(*found)++], 64);
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? CP_OK
						     : cp_db_fail(db, rc, "search members", err);
}

enum cp_err cp_member_search(struct cp_db *db, const char *name_part, const char *last4,
			     struct cp_member_view *out, int max, int *n, bool *more,
			     struct cp_errbuf *err)
{
	char ids[CP_MEMBER_SEARCH_MAX + 1][64], shown[CP_TEXT_EXCERPT_SIZE];
	int found = 0;
	enum cp_err result;

	*n = 0;
	*more = false;
	if (max < 1 || max > CP_MEMBER_SEARCH_MAX)
		return cp_errf(err, CP_EINVAL, "a search lists 1 to %d members",
			       CP_MEMBER_SEARCH_MAX);
	if ((result =
		     cp_text_check(name_part, NAME_PART_MAX, CP_WORD("the part of the name"), err)))
		return result;
	if (!name_part[strspn(name_part, " ")])
		return cp_errf(err, CP_EINVAL, "type a part of the member's name");
	if (!four_digits(last4))
		return cp_errf(err, CP_EINVAL, "type the last four digits of the member's phone");
	if ((result = matching_ids(db, name_part, last4, ids, max, &found, err)) != CP_OK)
		return result;
	if (found == 0) {
		if (!cp_text_excerpt(name_part, shown))
			snprintf(shown, sizeof(shown), "?");
		return cp_errf(err, CP_ENOTFOUND,
			       "no member whose name has \"%s\" and whose phone ends in %s", shown,
			       last4);
	}
	*more = found > max;
	for (int i = 0; i < found && i < max; i++) {
		if ((result = cp_member_get(db, ids[i], &out[i], err)) != CP_OK)
			return result;
		(*n)++;
	}
	return CP_OK;
}
