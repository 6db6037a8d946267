/* bigtext.c — the figures of bigtext.h: each digit is three columns of the classic
 * seven-segment pattern drawn with '_' and '|'. */
#include "bigtext.h"

#include <string.h>

static const char *const digit[10][UI_BIG_ROWS] = {
	{" _ ", "| |", "|_|"}, {"   ", "  |", "  |"}, {" _ ", " _|", "|_ "}, {" _ ", " _|", " _|"},
	{"   ", "|_|", "  |"}, {" _ ", "|_ ", " _|"}, {" _ ", "|_ ", "|_|"}, {" _ ", "  |", "  |"},
	{" _ ", "|_|", "|_|"}, {" _ ", "|_|", " _|"},
};

int cp_ui_bigtext(const char *s, char rows[UI_BIG_ROWS][64], size_t rowlen)
{
	size_t w = 0;

	if (rowlen > 64)
		rowlen = 64;
	for (int r = 0; r < UI_BIG_ROWS; r++)
		rows[r][0] = '\0';
	for (; *s; s++) {
		const char *glyph[UI_BIG_ROWS];
		size_t gw;

		if (*s >= '0' && *s <= '9') {
			for (int r = 0; r < UI_BIG_ROWS; r++)
				glyph[r] = digit[*s - '0'][r];
		} else if (*s == '.') {
			glyph[0] = " ", glyph[1] = " ", glyph[2] = ".";
		} else if (*s == ',') {
			glyph[0] = " ", glyph[1] = " ", glyph[2] = ",";
		} else if (*s == '-') {
			glyph[0] = "   ", glyph[1] = " _ ", glyph[2] = "   ";
		} else {
			continue;
		}
		gw = strlen(glyph[0]);
		if (w + gw + 1 > rowlen)
			return -1;
		for (int r = 0; r < UI_BIG_ROWS; r++)
			memcpy(rows[r] + w, glyph[r], gw + 1);
		w += gw;
	}
	return (int)w;
}
