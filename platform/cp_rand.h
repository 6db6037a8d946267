/* cp_rand.h — randomness for salts, keys and event ids: mbedTLS CTR-DRBG seeded from the
 * system entropy source, one generator per process, re-seeded after fork. */
#ifndef CP_RAND_H
#define CP_RAND_H

#include <stddef.h>
#include <stdint.h>

/* Fills buf with len random bytes. Returns 0, or -1 if the entropy source failed. */
int cp_rand_bytes(void *buf, size_t len);

#define CP_UUID_LEN 36
/* A random RFC 4122 version-4 UUID in lower-case text (37 bytes with the NUL). Returns 0 or -1. */
int cp_uuid4(char out[CP_UUID_LEN + 1]);

#endif
