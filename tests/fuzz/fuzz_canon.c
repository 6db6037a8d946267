/* fuzz_canon.c — cp_canon_dump on any JSON jansson parses: it must never crash, and it must give
 * exactly json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS), or NULL only where canon.h says it
 * refuses (a real anywhere, or a text json_dumps cannot write either). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "canon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* True when v holds a real anywhere. */
static int has_real(const json_t *v)
{
	const char *key;
	json_t *x;
	size_t i;

	if (json_is_real(v))
		return 1;
	if (json_is_object(v)) {
		json_object_foreach ((json_t *)v, key, x)
			if (has_real(x))
				return 1;
	} else if (json_is_array(v)) {
		json_array_foreach (v, i, x)
			if (has_real(x))
				return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	char *ours, *theirs;
	size_t len = 1;

	if (!v)
		return 0;
	ours = cp_canon_dump(v, &len);
	theirs = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	if (ours) {
		if (!theirs || strlen(theirs) != len || memcmp(ours, theirs, len) != 0)
			abort();
	} else if (len != 0 || (theirs && !has_real(v))) {
		abort();
	}
	free(ours);
	free(theirs);
	json_decref(v);
	return 0;
}
