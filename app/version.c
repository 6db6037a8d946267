/* version.c — `counterpoint --version`: the program's version (from CMakeLists.txt) and the
 * versions of the libraries it runs with, as they report themselves at run time, so that a
 * bug report from a till names what is really installed there. */
#include <curl/curl.h>
#include <curses.h>
#include <jansson.h>
#include <mbedtls/version.h>
#include <stdio.h>

#include "app.h"
#include "db.h"

void app_print_version(FILE *out)
{
	char mbed[18] = "";
	const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);

	mbedtls_version_get_string(mbed);
	fprintf(out, "counterpoint %s\n", CP_VERSION);
	fprintf(out, "SQLite %s\n", cp_db_sqlite_version());
	fprintf(out, "libcurl %s%s%s\n", cv && cv->version ? cv->version : "?",
		cv && cv->ssl_version ? " " : "", cv && cv->ssl_version ? cv->ssl_version : "");
	fprintf(out, "mbedTLS %s\n", mbed);
	fprintf(out, "%s\n", curses_version()); /* "ncurses 6.4.20221231" */
	fprintf(out, "jansson %s\n", jansson_version_str());
}
