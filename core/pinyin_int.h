/* pinyin_int.h — the SQL function cp_pinyin(name) that migrations use to fill item.initials. */
#ifndef CP_PINYIN_INT_H
#define CP_PINYIN_INT_H

struct sqlite3;

/* Registers cp_pinyin(text) on h; an SQLite result code. */
int pinyin_register(struct sqlite3 *h);

#endif
