/* phone.c — Chinese mobile numbers as people and input methods type them ("+86 138-1234-5678",
 * full-width digits) reduced to 11 ASCII digits, the masked form shown on screens and receipts,
 * and the keyed hash that member rows are found by (so no table holds a full number). */
#include "phone.h"

#include <stdbool.h>
#include <string.h>

#include "cp_crypto.h"
#include "text.h"

/* Room for "+86 (138) 1234-5678" typed in full-width forms (3 bytes each), with spare spaces. */
#define PHONE_TEXT_MAX 64
/* More digits than any accepted form ("0086" + 11); only a count is kept beyond this. */
#define PHONE_DIGITS_MAX 16

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Keeps the digits of folded text, skipping the separators people type; a '+' may only come
 * before the first digit. */
static enum cp_err collect(const char *s, char digits[PHONE_DIGITS_MAX], size_t *ndigits,
			   bool *plus, struct cp_errbuf *err)
{
	char shown[CP_TEXT_EXCERPT_SIZE];
	size_t n = 0;
	const char *p;

	*plus = false;
	for (p = s; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n < PHONE_DIGITS_MAX)
				digits[n] = *p;
			n++;
		} else if (*p == '+' && n == 0 && !*plus) {
			*plus = true;
		} else if (!strchr(" -()", *p)) {
			cp_text_excerpt(s, shown);
			return cp_errf(err, CP_EINVAL,
				       "phone number \"%s\" holds '%c'; type only the 11 digits, "
				       "spaces and '-' are fine",
				       shown, *p);
		}
	}
	*ndigits = n;
	return CP_OK;
}

enum cp_err cp_phone_normalise(const char *text, char out[CP_PHONE_LEN + 1], struct cp_errbuf *err)
{
	char buf[PHONE_TEXT_MAX + 1], digits[PHONE_DIGITS_MAX];
	const char *d = digits;
	size_t n = 0;
	bool plus;
	enum cp_err rc;

	if ((rc = cp_text_check(text, PHONE_TEXT_MAX, CP_WORD("the phone number"), err)) != CP_OK)
		return rc;
	if (cp_text_fold_ascii(text, buf, sizeof(buf), NULL) != CP_OK) {
		char shown[CP_TEXT_EXCERPT_SIZE];

		if (cp_text_excerpt(text, shown))
			return cp_errf(err, CP_EINVAL,
				       "phone number \"%s\" holds a character that is not a digit; "
				       "type only the 11 digits",
				       shown);
		return cp_errf(err, CP_EINVAL,
			       "the phone number holds a character that is not a digit; type only "
			       "the 11 digits");
	}
	if ((rc = collect(buf, digits, &n, &plus, err)) != CP_OK)
		return rc;
	if (n == 0)
		return cp_errf(err, CP_EINVAL,
			       "the phone number has no digits; type the member's 11-digit mobile "
			       "number");
	/* A country prefix is taken only when exactly 11 digits follow it. */
	if (plus) {
		if (n < 2 || d[0] != '8' || d[1] != '6')
			return cp_errf(err, CP_EINVAL,
				       "only Chinese mobile numbers (+86) can be used; type the "
				       "11 digits");
		d += 2;
		n -= 2;
	} else if (n == CP_PHONE_LEN + 4 && memcmp(d, "0086", 4) == 0) {
		d += 4;
		n -= 4;
	} else if (n == CP_PHONE_LEN + 2 && memcmp(d, "86", 2) == 0) {
		d += 2;
		n -= 2;
	}
	if (n != CP_PHONE_LEN)
		return cp_errf(
			err, CP_EINVAL,
			"phone number must be 11 digits starting with 13–19 (got %zu digits)", n);
	if (d[0] != '1' || d[1] < '3')
		return cp_errf(err, CP_EINVAL,
			       "phone number must be 11 digits starting with 13–19 (it starts "
			       "with %c%c)",
			       d[0], d[1]);
	memcpy(out, d, CP_PHONE_LEN);
	out[CP_PHONE_LEN] = '\0';
	return CP_OK;
}

void cp_phone_mask(const char phone[CP_PHONE_LEN + 1], char out[CP_PHONE_LEN + 1])
{
	char m[CP_PHONE_LEN + 1]; /* out may be phone itself */

	memcpy(m, phone, 3);
	memcpy(m + 3, "****", 4);
	memcpy(m + 7, phone + 7, 4);
	m[CP_PHONE_LEN] = '\0';
	memcpy(out, m, sizeof(m));
}

int cp_phone_hash(const uint8_t *key, size_t keylen, const char phone[CP_PHONE_LEN + 1],
		  uint8_t out[32])
{
	const void *parts[1] = {phone};
	size_t lens[1] = {CP_PHONE_LEN};

	/* Hashing anything but a normalised number would make a key that no lookup finds. */
	if (!key || !phone || strnlen(phone, CP_PHONE_LEN + 1) != CP_PHONE_LEN ||
	    !all_digits(phone, CP_PHONE_LEN))
		return -1;
	return cp_hmac_sha256(key, keylen, parts, lens, 1, out) == 0 ? 0 : -1;
}
