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

/* One key's HMAC-SHA256 with its inner and outer pads hashed once (RFC 2104, section 4): a
 * message then costs its own SHA-256 blocks and one more, against three more with
 * cp_hmac_sha256, which starts from the key every time. Owned by whoever made it. */
struct cp_hmac;

/* A state for key (keylen bytes, any length). NULL when out of memory or mbedTLS failed.
 * Counts one key set-up (cp_hmac_key_setups). */
struct cp_hmac *cp_hmac_new(const uint8_t *key, size_t keylen);
/* HMAC-SHA256 under h's key over the concatenation of the n parts, the same bytes as
 * cp_hmac_sha256 with that key. h is left ready for the next message. Returns 0 or -1. */
int cp_hmac_mac(struct cp_hmac *h, const void *const *parts, const size_t *lens, size_t n,
		uint8_t out[CP_SHA256_LEN]);
/* Wipes the key's states and frees h. NULL is a no-op. */
void cp_hmac_free(struct cp_hmac *h);
/* How many times a key's pads were hashed in this process (cp_hmac_sha256 and
 * cp_hmac_new): tests count them. */
unsigned long cp_hmac_key_setups(void);

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
