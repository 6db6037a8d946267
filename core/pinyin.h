/* pinyin.h — the pinyin initials of an item's name ("可口可乐" -> "kkkl"), for finding items by
 * what a cashier types on a keyboard without a Chinese input method. */
#ifndef CP_PINYIN_H
#define CP_PINYIN_H

#include <stdbool.h>
#include <stddef.h>

/* Longest initials string kept (letters), and the size of a buffer for it. */
#define CP_PINYIN_MAX 64
#define CP_PINYIN_SIZE (CP_PINYIN_MAX + 1)

/* The initial letter (a..z) of hanzi cp, or 0 when it has none here: the 3755 level-1 hanzi of
 * GB2312 and a short list of level-2 ones (core/pinyin_gen.py says which). */
char cp_pinyin_letter(unsigned cp);

/* Writes the initials of name into out[0..outlen): each known hanzi gives its letter, ASCII
 * letters and digits are kept (letters lower-cased), everything else is skipped. Stops at
 * outlen - 1 letters. false, with out empty, when name is not valid UTF-8. */
bool cp_pinyin_initials(const char *name, char *out, size_t outlen);

/* true when s is 0..CP_PINYIN_MAX characters of a-z and 0-9 (the form HQ sends). */
bool cp_pinyin_ok(const char *s);

#endif
