/* text.h — checks and folds for text that comes from people, scanners and pastes: valid UTF-8,
 * no control characters, bounded length, and full-width ASCII (from Chinese input methods)
 * folded to ASCII where a code or number is expected. */
#ifndef CP_TEXT_H
#define CP_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "cp_error.h"

/* true when s is valid UTF-8 (no overlongs, no surrogates), holds no control characters
 * (C0, DEL, C1) and is at most maxlen bytes. */
bool cp_text_ok(const char *s, size_t maxlen);

/* Copies in to out folding full-width forms U+FF01..U+FF5E to ASCII and U+3000 to a space.
 * Refuses non-UTF-8, control characters, any other non-ASCII character, and results longer
 * than outlen - 1, with a message naming what was wrong. */
enum cp_err cp_text_fold_ascii(const char *in, char *out, size_t outlen, struct cp_errbuf *err);

/* Like cp_text_ok, but says what was wrong in err, naming the input as `what` (e.g. "the
 * amount"): missing, longer than maxlen bytes, not valid UTF-8, or holding a control character.
 * Returns CP_OK or CP_EINVAL. */
enum cp_err cp_text_check(const char *s, size_t maxlen, const char *what, struct cp_errbuf *err);

/* For echoing input inside a message: copies s into out, cut on a character boundary after at
 * most CP_TEXT_EXCERPT_MAX bytes with "..." appended when cut, and returns true. Returns false
 * and leaves out empty when s is NULL, not valid UTF-8, or holds a control or bidi/line-separator
 * character; the caller then describes the input instead of showing it. */
#define CP_TEXT_EXCERPT_MAX 40
#define CP_TEXT_EXCERPT_SIZE (CP_TEXT_EXCERPT_MAX + 4)
bool cp_text_excerpt(const char *s, char out[CP_TEXT_EXCERPT_SIZE]);

#endif
