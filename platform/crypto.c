/* crypto.c — SHA-256, HMAC-SHA256 and PBKDF2 through mbedtls_md, which both mbedTLS 2.28 and
 * 3.6 provide; PBKDF2 is written out here because its mbedTLS entry points differ between them.
 * A key used for many messages keeps its pads' SHA-256 states (cp_hmac_new), cloned per message
 * with mbedtls_md_clone, which both versions have too. */
#include "cp_crypto.h"

#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 64 /* SHA-256's block: the size of HMAC's pads */

static atomic_ulong key_setups;

unsigned long cp_hmac_key_setups(void)
{
	return atomic_load(&key_setups);
}

int cp_sha256(const void *buf, size_t len, uint8_t out[CP_SHA256_LEN])
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);

	if (!md || mbedtls_md(md, buf, len, out) != 0)
		return -1;
	return 0;
}

int cp_hmac_sha256(const uint8_t *key, size_t keylen, const void *const *parts, const size_t *lens,
		   size_t n, uint8_t out[CP_SHA256_LEN])
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	mbedtls_md_context_t ctx;
	int result = -1;

	mbedtls_md_init(&ctx);
	atomic_fetch_add(&key_setups, 1);
	if (!md || mbedtls_md_setup(&ctx, md, 1) != 0)
		goto out;
	if (mbedtls_md_hmac_starts(&ctx, key, keylen) != 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (lens[i] && mbedtls_md_hmac_update(&ctx, parts[i], lens[i]) != 0)
			goto out;
	if (mbedtls_md_hmac_finish(&ctx, out) != 0)
		goto out;
	result = 0;
out:
	mbedtls_md_free(&ctx);
	return result;
}

struct cp_hmac {
	mbedtls_md_context_t inner, outer; /* SHA-256 after key ^ ipad, and after key ^ opad */
	mbedtls_md_context_t work;
};

/* Starts c and feeds it the key xor'ed with pad, padded to a block. */
static int start_pad(mbedtls_md_context_t *c, const uint8_t k[BLOCK], uint8_t x)
{
	uint8_t pad[BLOCK];
	int rc;

	for (size_t i = 0; i < BLOCK; i++)
		pad[i] = k[i] ^ x;
	rc = mbedtls_md_starts(c) || mbedtls_md_update(c, pad, BLOCK);
	mbedtls_platform_zeroize(pad, sizeof(pad));
	return rc ? -1 : 0;
}

struct cp_hmac *cp_hmac_new(const uint8_t *key, size_t keylen)
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	struct cp_hmac *h = calloc(1, sizeof(*h));
	uint8_t k[BLOCK] = {0};
	int rc = -1;

	if (!h)
		return NULL;
	atomic_fetch_add(&key_setups, 1);
	mbedtls_md_init(&h->inner);
	mbedtls_md_init(&h->outer);
	mbedtls_md_init(&h->work);
	if (!md || mbedtls_md_setup(&h->inner, md, 0) || mbedtls_md_setup(&h->outer, md, 0) ||
	    mbedtls_md_setup(&h->work, md, 0))
		goto out;
	if (keylen > BLOCK) { /* a long key is its hash (RFC 2104) */
		if (mbedtls_md(md, key, keylen, k))
			goto out;
	} else if (keylen) {
		memcpy(k, key, keylen);
	}
	if (start_pad(&h->inner, k, 0x36) || start_pad(&h->outer, k, 0x5c))
		goto out;
	rc = 0;
out:
	mbedtls_platform_zeroize(k, sizeof(k));
	if (rc) {
		cp_hmac_free(h);
		h = NULL;
	}
	return h;
}

int cp_hmac_mac(struct cp_hmac *h, const void *const *parts, const size_t *lens, size_t n,
		uint8_t out[CP_SHA256_LEN])
{
	uint8_t in[CP_SHA256_LEN];
	int result = -1;

	if (mbedtls_md_clone(&h->work, &h->inner))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (lens[i] && mbedtls_md_update(&h->work, parts[i], lens[i]))
			goto out;
	if (mbedtls_md_finish(&h->work, in) || mbedtls_md_clone(&h->work, &h->outer) ||
	    mbedtls_md_update(&h->work, in, sizeof(in)) || mbedtls_md_finish(&h->work, out))
		goto out;
	result = 0;
out:
	mbedtls_platform_zeroize(in, sizeof(in));
	return result;
}

void cp_hmac_free(struct cp_hmac *h)
{
	if (!h)
		return;
	mbedtls_md_free(&h->inner); /* wipes the hash states */
	mbedtls_md_free(&h->outer);
	mbedtls_md_free(&h->work);
	mbedtls_platform_zeroize(h, sizeof(*h));
	free(h);
}

int cp_pbkdf2_sha256(const void *pass, size_t passlen, const uint8_t *salt, size_t saltlen,
		     uint32_t iterations, uint8_t *out, size_t outlen)
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	mbedtls_md_context_t ctx;
	uint8_t u[CP_SHA256_LEN], t[CP_SHA256_LEN], ctr[4];
	uint32_t block = 1;
	int result = -1;

	mbedtls_md_init(&ctx);
	if (!md || iterations < 1 || mbedtls_md_setup(&ctx, md, 1) != 0)
		goto out;
	if (mbedtls_md_hmac_starts(&ctx, pass, passlen) != 0)
		goto out;
	while (outlen > 0) {
		size_t take = outlen < sizeof(t) ? outlen : sizeof(t);

		ctr[0] = (uint8_t)(block >> 24);
		ctr[1] = (uint8_t)(block >> 16);
		ctr[2] = (uint8_t)(block >> 8);
		ctr[3] = (uint8_t)block;
		if (mbedtls_md_hmac_reset(&ctx) || mbedtls_md_hmac_update(&ctx, salt, saltlen) ||
		    mbedtls_md_hmac_update(&ctx, ctr, 4) || mbedtls_md_hmac_finish(&ctx, u))
			goto out;
		memcpy(t, u, sizeof(t));
		for (uint32_t i = 1; i < iterations; i++) {
			if (mbedtls_md_hmac_reset(&ctx) ||
			    mbedtls_md_hmac_update(&ctx, u, sizeof(u)) ||
			    mbedtls_md_hmac_finish(&ctx, u))
				goto out;
			for (size_t j = 0; j < sizeof(t); j++)
				t[j] ^= u[j];
		}
		memcpy(out, t, take);
		out += take;
		outlen -= take;
		block++;
	}
	result = 0;
out:
	mbedtls_md_free(&ctx);
	mbedtls_platform_zeroize(u, sizeof(u));
	mbedtls_platform_zeroize(t, sizeof(t));
	return result;
}

void cp_hex(const uint8_t *buf, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[buf[i] >> 4];
		out[2 * i + 1] = digits[buf[i] & 15];
	}
	out[2 * len] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool cp_unhex(const char *hex, uint8_t *out, size_t len)
{
	if (!hex || strlen(hex) != 2 * len)
		return false;
	for (size_t i = 0; i < len; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

bool cp_ct_equal(const void *a, const void *b, size_t len)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t d = 0;

	for (size_t i = 0; i < len; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

void cp_wipe(void *buf, size_t len)
{
	mbedtls_platform_zeroize(buf, len);
}
