/* i18n.c — language and locale for the UI: a UTF-8 character set whatever the environment
 * says (item names are Chinese), the catalogue of the configured language, and core's errors
 * translated by id: each cp_errf format string is a msgid (xgettext --keyword=cp_errf:3). */
#include "i18n.h"

#include <langinfo.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui_int.h"

#ifndef CP_LOCALEDIR
#define CP_LOCALEDIR "/usr/share/locale"
#endif

static bool locale_done;

static bool utf8_ctype(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* The catalogues next to the build when running from the build tree, else the installed
 * ones; COUNTERPOINT_LOCALEDIR overrides both. */
static const char *localedir(void)
{
	const char *env = getenv("COUNTERPOINT_LOCALEDIR");

	if (env && *env)
		return env;
#ifdef CP_LOCALEDIR_BUILD
	if (access(CP_LOCALEDIR_BUILD "/zh_CN/LC_MESSAGES/" CP_TEXTDOMAIN ".mo", R_OK) == 0)
		return CP_LOCALEDIR_BUILD;
#endif
	return CP_LOCALEDIR;
}

static void pick_language(const char *language)
{
	static const char *const zh[] = {"zh_CN.UTF-8", "zh_CN.utf8"};
	const char *msgs;

	if (strcmp(language, "zh_CN") == 0) {
		for (size_t i = 0; i < sizeof(zh) / sizeof(zh[0]); i++)
			if (setlocale(LC_MESSAGES, zh[i]))
				break;
	}
	/* LANGUAGE outranks LC_MESSAGES in gettext, and works in any locale but "C". */
	setenv("LANGUAGE", language, 1);
	msgs = setlocale(LC_MESSAGES, NULL);
	if (!msgs || strcmp(msgs, "C") == 0 || strcmp(msgs, "POSIX") == 0)
		setlocale(LC_MESSAGES, "C.UTF-8");
}

/* The language the environment asks for, when its locale is not installed. */
static const char *env_language(void)
{
	static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (!v || !*v)
			continue;
		if (strncmp(v, "zh", 2) == 0)
			return "zh_CN";
		return strncmp(v, "en", 2) == 0 ? "en" : NULL;
	}
	return NULL;
}

void cp_ui_setup_locale(const char *language)
{
	static const char *const utf8[] = {"C.UTF-8", "C.utf8", "en_US.UTF-8", "zh_CN.UTF-8"};
	bool env_ok;

	locale_done = true;
	env_ok = setlocale(LC_ALL, "") != NULL;
	/* LANG=zh_CN.UTF-8 on a machine without that locale still means Chinese. */
	if (!env_ok && (!language || strcmp(language, "auto") == 0))
		language = env_language();
	if (!utf8_ctype()) {
		for (size_t i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++)
			if (setlocale(LC_CTYPE, utf8[i]) && utf8_ctype())
				break;
	}
	if (language && (strcmp(language, "zh_CN") == 0 || strcmp(language, "en") == 0))
		pick_language(language);
	bindtextdomain(CP_TEXTDOMAIN, localedir());
	bind_textdomain_codeset(CP_TEXTDOMAIN, "UTF-8");
}

bool cp_ui_locale_ready(void)
{
	return locale_done;
}

/* cp_strerror's sentences, per error, for the front of an untranslated detail. */
static const char *const kinds[] = {
	[CP_OK] = N_("Done"),
	[CP_EINVAL] = N_("Not accepted"),
	[CP_ENOTFOUND] = N_("Not found"),
	[CP_EEXIST] = N_("Already there"),
	[CP_EOVERFLOW] = N_("Amount too large"),
	[CP_EAUTH] = N_("Wrong staff code or PIN"),
	[CP_ELOCKED] = N_("Locked"),
	[CP_EPERM] = N_("Needs a manager"),
	[CP_ESTATE] = N_("Not possible now"),
	[CP_EDB] = N_("Database error"),
	[CP_EFULL] = N_("Storage full: call IT; nothing was recorded"),
	[CP_ECORRUPT] = N_("Data damaged: call IT"),
	[CP_EVERSION] = N_("Database too new for this program"),
	[CP_EIO] = N_("Device or file error"),
	[CP_ENOMEM] = N_("Out of memory"),
	[CP_ECONFIG] = N_("Configuration problem"),
	[CP_ECLOCK] = N_("The clock is wrong: call the manager"),
	[CP_EBUSY] = N_("Busy: try again"),
	[CP_EOUTCOME] = N_("Outcome unknown: check the journal before charging again"),
};

const char *cp_ui_errtext(const struct cp_errbuf *err, enum cp_err rc, char *buf, size_t buflen)
{
	const char *msg = cp_errmsg(err, rc), *kind;

	/* By id: the format string core gave cp_errf is the msgid; its translation is rendered
	 * with the arguments' texts (in the translator's order), a word core marked with
	 * CP_WORD translated too. */
	if (cp_err_has_id(err) && _(err->id) != err->id) {
		struct cp_errbuf words = *err;

		for (int i = 0; i < words.nargs; i++) {
			const char *w = words.args[i][0] ? _(words.args[i]) : words.args[i];

			if (w != words.args[i])
				snprintf(words.args[i], sizeof(words.args[i]), "%s", w);
		}
		if (cp_err_render(&words, _(err->id), buf, buflen))
			return buf;
	}
	if ((size_t)rc >= sizeof(kinds) / sizeof(kinds[0]) || !kinds[rc])
		return msg;
	kind = _(kinds[rc]);
	/* An English catalogue: core's sentence says it best. */
	if (strcmp(kind, kinds[rc]) == 0)
		return msg;
	/* TRANSLATORS: kind of error, then core's English detail. */
	snprintf(buf, buflen, _("%s: %s"), kind, msg);
	return buf;
}
