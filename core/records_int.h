/* records_int.h — JSON records of the store's data (items, categories, tiers, earn rules,
 * members, staff), read the same way from the demo store and from HQ's change feed, so that
 * one reader serves both. A reader checks every field and names where a bad one is. */
#ifndef CP_RECORDS_INT_H
#define CP_RECORDS_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "catalog.h"
#include "earn.h"
#include "member.h"

/* Who sent the record and what a bad one is: "the demo store" (CP_ECORRUPT) or "HQ's answer"
 * (CP_EINVAL). */
struct rec_src {
	const char *name;
	enum cp_err bad;
};
extern const struct rec_src cp_rec_demo, cp_rec_hq;

enum cp_err cp_rec_bad(const struct rec_src *src, const char *where, const char *key,
		       const char *what, struct cp_errbuf *err);
/* A string; with nullable, null or missing gives NULL. */
enum cp_err cp_rec_str(const struct rec_src *src, json_t *o, const char *key, bool nullable,
		       const char **out, const char *where, struct cp_errbuf *err);
enum cp_err cp_rec_int(const struct rec_src *src, json_t *o, const char *key, int64_t min,
		       int64_t max, int64_t *out, const char *where, struct cp_errbuf *err);
enum cp_err cp_rec_bool(const struct rec_src *src, json_t *o, const char *key, bool *out,
			const char *where, struct cp_errbuf *err);
/* A refusal by the module storing the record becomes the source's "bad", with where. */
enum cp_err cp_rec_stored(const struct rec_src *src, enum cp_err rc, const char *where,
			  struct cp_errbuf *err);

enum cp_err cp_rec_category(const struct rec_src *src, json_t *o, const char **code,
			    const char **name, bool *excluded, const char *where,
			    struct cp_errbuf *err);
enum cp_err cp_rec_item(const struct rec_src *src, json_t *o, struct cp_item *it, const char *where,
			struct cp_errbuf *err);
enum cp_err cp_rec_tier(const struct rec_src *src, json_t *o, struct cp_tier *t, const char *where,
			struct cp_errbuf *err);
enum cp_err cp_rec_rules(const struct rec_src *src, json_t *o, struct cp_earn_rules *r,
			 const char *where, struct cp_errbuf *err);
/* A member with "phone" (demo) or "phone_hash" + "phone_masked" (HQ); hash is the storage
 * for the decoded hash. "local_id" (optional) goes to *local_id. */
enum cp_err cp_rec_member(const struct rec_src *src, json_t *o, struct cp_member_snapshot *s,
			  uint8_t hash[32], const char **local_id, const char *where,
			  struct cp_errbuf *err);

#endif
