/* support.h — what core tests share: a fresh database file of their own with a fixed clock
 * that the test moves, and a small store seeded to the numbers of ../shared/EXAMPLES.md. */
#ifndef CP_TEST_SUPPORT_H
#define CP_TEST_SUPPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_clock.h"
#include "staff.h"

struct cp_db;

struct test_env {
	struct cp_db *db;
	int64_t now; /* ms; the clock reads this */
	struct cp_clock clock;
	char path[256];
	struct cp_session cashier, manager;
};

/* OK(call): fails the test with the call, its error code and its message unless it returned
 * CP_OK. The call may name the error buffer e_. For tests that include cmocka. */
#define OK(call)                                                                                   \
	do {                                                                                       \
		struct cp_errbuf e_ = {{0}};                                                       \
		enum cp_err r_ = (call);                                                           \
		if (r_ != CP_OK)                                                                   \
			fail_msg("%s: %d %s", #call, r_, e_.msg);                                  \
	} while (0)

/* 2026-11-24 10:00:00 +08:00, a Tuesday. 2026-11-25 is a Wednesday (member day). */
#define TEST_TUESDAY_MS INT64_C(1795485600000)
#define TEST_DAY_MS INT64_C(86400000)

/* Creates a new database "<name>.db" in the working directory (replacing one left over) with
 * the clock at TEST_TUESDAY_MS. With seed, adds the test store:
 *   categories FOOD (earns), TOBACCO (earns nothing)
 *   items  SKU "A1" barcode 6901234567892 ¥30.00 member ¥28.00 FOOD,
 *          SKU "A2" barcode 96385074 ¥19.99 FOOD, SKU "T1" ¥35.00 TOBACCO,
 *          SKU "G120" ¥120.00 FOOD, SKU "G19990" ¥199.90 FOOD, SKU "G88" ¥88.00 FOOD
 *   tiers  0 普通 0 x1.0, 1 银卡 2000 x1.2, 2 金卡 10000 x1.5, 3 白金 20000 x1.8, 4 钻石 50000 x2.0
 *   rules  1 point and 1 growth per yuan, Wednesday x2, birthday month x2, highest wins,
 *          welcome 100, referral 50, 100 points = ¥1
 *   staff  cashier "1001" PIN "1234", guide "2001" PIN "2222", manager "9001" PIN "9999"
 *          (logged in as env->cashier and env->manager; the manager has opened a shift,
 *          journal sequence 1, for sales need one)
 *   members "M1" phone 13800000001 金卡 (growth 10000, points 500, birthday 01-15),
 *           "M2" phone 13900000002 普通 (growth 0, points 3050, birthday 11-02, card "C0002") */
void test_env_open(struct test_env *env, const char *name, bool seed);
/* With the test store seeded and both logged in, and a shift opened by the manager
 * (journal sequence 1) unless open_shift is false: tests of the journal as HQ sees it. */
void test_env_open_shift(struct test_env *env, const char *name, bool open_shift);
void test_env_close(struct test_env *env);
/* The first column of the first row of sql on the test's database, as an integer (-1 when there
 * is no row). */
int64_t test_count(struct test_env *env, const char *sql);

#endif
