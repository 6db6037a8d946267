/* textwidth.h — how wide UTF-8 text is on a terminal or a receipt (Chinese characters take two
 * columns), and fitting text into a number of columns without cutting a character in half. */
#ifndef CP_TEXTWIDTH_H
#define CP_TEXTWIDTH_H

#include <stddef.h>

/* Columns that s takes; -1 when s is not valid UTF-8 or holds control characters. */
int cp_text_width(const char *s);

/* Copies as much of s as fits in cols columns into out (outlen bytes), padding with spaces to
 * exactly cols columns when pad is non-zero. Invalid bytes become '?'. Returns columns used. */
int cp_text_fit(const char *s, int cols, int pad, char *out, size_t outlen);

#endif
