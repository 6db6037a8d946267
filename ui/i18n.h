/* i18n.h — every string a person reads goes through _() (gettext, domain "counterpoint");
 * N_() marks a string in a table for xgettext and translates it where it is shown. */
#ifndef CP_UI_I18N_H
#define CP_UI_I18N_H

#include <libintl.h>
#include <stddef.h>

#include "cp_error.h"

#define CP_TEXTDOMAIN "counterpoint"
#define _(s) dgettext(CP_TEXTDOMAIN, s)
#define N_(s) (s)

/* The core message of a failed call in the UI's language: its id (the format string given to
 * cp_errf) looked up in the catalogue and rendered with its arguments; a message without a
 * translation gets the translated kind of error in front of core's English detail. */
const char *cp_ui_errtext(const struct cp_errbuf *err, enum cp_err rc, char *buf, size_t buflen);

#endif
