/* hq_int.h — what the files applying HQ's answers share (answer.c): reading an answer, the error
 * for a malformed one, the check of short printable ids; and the notices of a change page. */
#ifndef CP_HQ_INT_H
#define CP_HQ_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db_int.h"

/* CP_EINVAL "HQ's answer is malformed: what". */
enum cp_err cp_hq_bad(struct cp_errbuf *err, const char *what);
/* The answer's JSON object (decref it); NULL with CP_EINVAL in err when it is not one. */
json_t *cp_hq_load(const char *body, size_t len, struct cp_errbuf *err);
/* Printable ASCII of 1..max bytes. */
bool cp_hq_token_ok(const char *s, size_t max);
/* CP_ECORRUPT: HQ's "applied" is past this till's newest row (HQ holds rows this database does
 * not have). */
enum cp_err cp_hq_holds_unwritten(int64_t applied, int64_t last_seq, struct cp_errbuf *err);

/* Inside the page's transaction: keeps notice n (once per id); a member_merged notice also
 * retires the merged member here. where names it in errors. */
enum cp_err cp_notice_apply(struct cp_db *db, json_t *n, const char *where, struct cp_errbuf *err);

#endif
