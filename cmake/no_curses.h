/* no_curses.h — forced into every file of core/, sync/ and platform/ (`-include`, see the top
 * CMakeLists.txt): only ui draws the screen. <curses.h> and <ncurses.h> declare nothing after
 * this (their include guard is taken), so any curses call is an implicit declaration, an error
 * in those layers, and the names below cannot be written at all (issue 13). */
#ifndef CP_NO_CURSES_H
#define CP_NO_CURSES_H
#define __NCURSES_H
#pragma GCC poison initscr endwin newwin wrefresh mvwprintw
#endif
