/* cp_crypto.h — the hashes the till needs, over mbedTLS's generic message-digest API (the part
 * that 2.28 and 3.6 LTS share): SHA-256, HMAC-SHA256, PBKDF2-HMAC-SHA256, hex, and wiping. */
#ifndef CP_CRYPTO_H
#define CP_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CP_SHA256_LEN 32

/* SHA-256 of buf. Returns 0, or -1 if mbedTLS failed. */
int cp_sha256(const void *buf, size_t len, uint8_t out[CP_SHA256_LEN]);

/* HMAC-SHA256 over the concatenation of up to n parts (parts[i], lens[i]). Returns 0 or -1. */
int cp_hmac_sha256(const uint8_t *key, size_t keylen, const void *const *parts, const size_t *lens,
		   size_t n, uint8_t out[CP_SHA256_LEN]);

/* PBKDF2-HMAC-SHA256 (RFC 8018) producing outlen bytes. iterations >= 1. Returns 0 or -1. */
int cp_pbkdf2_sha256(const void *pass, size_t passlen, const uint8_t *salt, size_t saltlen,
		     uint32_t iterations, uint8_t *out, size_t outlen);

/* Lower-case hex of buf into out (needs 2*len+1 bytes). */
void cp_hex(const uint8_t *buf, size_t len, char *out);
/* Parses exactly 2*len hex digits into out. Returns false on any other input. */
bool cp_unhex(const char *hex, uint8_t *out, size_t len);

/* Compares in time independent of the contents. Returns true when equal. */
bool cp_ct_equal(const void *a, const void *b, size_t len);
/* Wipes a secret so that the compiler cannot drop the write. */
void cp_wipe(void *buf, size_t len);

#endif
