/* textwidth.h — how wide UTF-8 text is on a terminal or a receipt (Chinese characters take two
 * columns), and fitting text into a number of columns without cutting a character in half. */
#ifndef CP_TEXTWIDTH_H
#define CP_TEXTWIDTH_H

#include <stddef.h>

/* Columns that s takes; -1 when s is not valid UTF-8 or holds control characters. */
int cp_ui_text_width(const char *s);

/* Copies as much of s as fits in cols columns into out (outlen bytes), padding with spaces to
 * exactly cols columns when pad is non-zero. Invalid bytes become '?'. Returns columns used. */
int cp_ui_text_fit(const char *s, int cols, int pad, char *out, size_t outlen);

/* The next line of s when it is wrapped into cols columns: returns its length in bytes and sets
 * *skip to the bytes to drop after it (the '\n' or the space it ended at). A line ends at '\n',
 * else at the last space or the last place between two characters where Chinese may break; it
 * never starts with closing punctuation (，。、；：！？）》」…), never ends with opening punctuation
 * or a currency sign, and never splits a number or a number from the word after it (3 件,
 * 12积分). When no such place fits, English words are cut. Returns 0 with *skip the length of
 * the first character when not even that fits. */
size_t cp_ui_text_line(const char *s, int cols, size_t *skip);

#endif
