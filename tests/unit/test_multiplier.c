/* test_multiplier.c — one formatter for a points multiplier: ×1.5, never ×1.50 on one screen
 * and ×1.5 on another. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "multiplier.h"

static void shortest_form(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(cp_ui_multiplier(15000, b, sizeof(b)), "×1.5");
	assert_string_equal(cp_ui_multiplier(10000, b, sizeof(b)), "×1");
	assert_string_equal(cp_ui_multiplier(20000, b, sizeof(b)), "×2");
	assert_string_equal(cp_ui_multiplier(12500, b, sizeof(b)), "×1.25");
	assert_string_equal(cp_ui_multiplier(10050, b, sizeof(b)), "×1.005");
	assert_string_equal(cp_ui_multiplier(10001, b, sizeof(b)), "×1.0001");
	assert_string_equal(cp_ui_multiplier(5000, b, sizeof(b)), "×0.5");
	assert_string_equal(cp_ui_multiplier(0, b, sizeof(b)), "");
	assert_string_equal(cp_ui_multiplier(-1, b, sizeof(b)), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shortest_form),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
