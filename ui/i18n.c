/* i18n.c — language and locale for the UI: a UTF-8 character set whatever the environment
 * says (item names are Chinese), the catalogue of the configured language, and core's fixed
 * error sentences, listed here so that they reach the translators. */
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

bool ui_locale_ready(void)
{
	return locale_done;
}

/* Core's sentences without variable parts, as core writes them. */
static const char *const core_sentences[] = {
	N_("wrong staff code or PIN"),
	N_("log in first"),
	N_("nobody is logged in; log in first"),
	N_("no such member"),
	N_("a PIN is 4 to 12 digits 0-9, nothing else"),
	N_("a staff code is 1 to 16 letters or digits (A-Z, 0-9)"),
	N_("the cart is empty: scan an item first"),
	N_("type or scan the receipt number of the sale"),
	N_("a phone number is required to register a member"),
	N_("a member cannot refer themself"),
	N_("a member card number is 4 to 32 letters or digits; scan it again"),
	N_("a post-void takes the whole sale"),
	N_("the amount is empty; type it like 12.30"),
	N_("the phone number has no digits; type the member's 11-digit mobile number"),
	N_("only Chinese mobile numbers (+86) can be used; type the 11 digits"),
	N_("the code is empty; scan the barcode or type the SKU"),
	N_("no item code given: scan or type a barcode or SKU"),
	N_("unknown code: not in the catalogue"),
	N_("the cart total is too large; lower a quantity"),
	N_("the tendered amounts are too large"),
	N_("the refund is too large"),
	N_("out of memory"),
	N_("there is no open sale to take over"),
	N_("the open sale is already yours"),
	N_("attach a member first: offers are for members, paid with points"),
	N_("attach a member first to list their coupons"),
	N_("that is not a coupon code: a code is 12 letters and digits (no 0, 1, I, O or U)"),
	N_("attach a member first: coupons for points are paid with the member's points"),
	N_("the PIN was not checked: storage is full — call IT, then try again"),
	N_("the PIN was not checked: the database is busy; try again"),
	N_("the login was not completed: storage is full — call IT, then try again"),
	N_("the login was not completed: the database is busy; try again"),
	N_("points need a member: attach the member first"),
	N_("a points tender must be a positive amount"),
	N_("no shift is open on this till: a manager opens one (with the cash float) from the "
	   "manager menu before selling"),
	N_("no shift is open on this till, so there is none to close"),
	N_("no shift is open on this till; open one first"),
	N_("the float is the cash put in the drawer, ¥0.00 or more"),
	N_("type the cash counted, like 1234.50 or 100x12 50x1"),
	N_("the cash counted must be ¥0.00 or more"),
	N_("the cash counted is too large"),
	N_("scan or type the guide's badge"),
	N_("no member is attached: attach the member (card or phone) first, then scan the guide's "
	   "badge"),
	N_("no sale is open: scan the first item, then the guide's badge"),
	N_("that is not a badge: a badge is the 8 or 13 digits under the barcode on the guide's "
	   "card; scan it again"),
	N_("the guide's day is a guide's own: log in as the guide, or scan their badge"),
	N_("there is no sale to park: scan an item first"),
	N_("this till holds as many parked sales as it may: recall one and finish it first"),
	N_("a sale is open: park it or finish it before recalling another"),
};

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

const char *ui_errtext(const struct cp_errbuf *err, enum cp_err rc, char *buf, size_t buflen)
{
	const char *msg = cp_errmsg(err, rc), *kind;

	for (size_t i = 0; i < sizeof(core_sentences) / sizeof(core_sentences[0]); i++)
		if (strcmp(msg, core_sentences[i]) == 0)
			return _(core_sentences[i]);
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
