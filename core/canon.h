/* canon.h — canonical JSON text of a jansson value: exactly what json_dumps(v, JSON_COMPACT |
 * JSON_SORT_KEYS) gives (jansson 2.14), written into one growing buffer without printf or
 * per-token callbacks. This is the text the journal HMACs, so it must never change.
 *
 * Matched byte for byte: no whitespace; object keys sorted by memcmp over the shorter length,
 * then shorter first; strings with only '"', '\\' and controls below 0x20 escaped (\b \f \n \r
 * \t, the rest \u00XX with upper-case hex, NUL as \u0000), everything else (UTF-8, 0x7F, '/')
 * copied; integers in decimal; true, false, null; "{}" and "[]" when empty. Like json_dumps,
 * NULL for a top level that is neither an object nor an array and for a string that is not
 * valid UTF-8 (overlongs, surrogates, values above U+10FFFF, cut sequences).
 *
 * Where it deliberately refuses (NULL) what json_dumps would write:
 *   - a real anywhere in the tree (journal payloads hold money as integer fen, never reals);
 *   - a key that is not valid UTF-8 (json_dumps writes broken text for one);
 *   - containers nested deeper than CANON_MAX_DEPTH (which also ends a reference cycle, for
 *     which json_dumps gives NULL too). */
#ifndef CP_CANON_H
#define CP_CANON_H

#include <stddef.h>

#include <jansson.h>

/* As JSON_PARSER_MAX_DEPTH: the top-level container is depth 1. */
#define CANON_MAX_DEPTH 2048

/* Returns malloc'd NUL-terminated text (free it with free()) and its length without the NUL in
 * *len (len may be NULL), or NULL (and *len 0) for NULL v, a refusal above, or no memory. */
char *cp_canon_dump(const json_t *v, size_t *len);

/* The same text without sorting: json_dumps(v, JSON_COMPACT) byte for byte, keys in each
 * object's own (insertion) order, with the same refusals (a caller that may hold a real falls
 * back to json_dumps). Script mode's answers, written for every request. */
char *cp_canon_dump_ordered(const json_t *v, size_t *len);

#endif
