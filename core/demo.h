/* demo.h — the demo store (packaging/demo/store.json, compiled in): items, staff, members,
 * tiers and rules, the same data the reference HQ loads. */
#ifndef CP_DEMO_H
#define CP_DEMO_H

#include "cp_error.h"

struct cp_db;

/* Seeds an empty database with the demo store in one transaction. */
enum cp_err cp_demo_seed(struct cp_db *db, struct cp_errbuf *err);

#endif
