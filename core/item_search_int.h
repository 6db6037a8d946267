/* item_search_int.h — the SQL functions item search's migration step and triggers use:
 * cp_pinyin(name), the pinyin initials that fill item.initials, and cp_grams(zh, en,
 * initials), the words of item_gram (every one- and two-character piece of each, as hex). */
#ifndef CP_ITEM_SEARCH_INT_H
#define CP_ITEM_SEARCH_INT_H

struct sqlite3;

/* Registers cp_pinyin() and cp_grams() on h; an SQLite result code. */
int cp_item_search_register(struct sqlite3 *h);

#endif
