/* verify_json_int.h — verify's reader of journal payloads (verify_json.c). */
#ifndef CP_VERIFY_JSON_INT_H
#define CP_VERIFY_JSON_INT_H

#include <stddef.h>

#include <jansson.h>

/* The JSON text [text, text + len) as json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL)
 * reads it: the same tree, or NULL where it fails; faster on what the journal writes. The
 * caller owns the result (json_decref). */
json_t *cp_verify_json_load(const char *text, size_t len);

#endif
