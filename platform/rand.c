/* rand.c — one CTR-DRBG per process. A child after fork() must not repeat its parent's stream,
 * so the generator remembers the pid that seeded it and re-seeds in a new process. */
#include "cp_rand.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;
static pid_t seeded_pid;

static int seed(void)
{
	static const char pers[] = "counterpoint";

	if (seeded_pid) {
		mbedtls_ctr_drbg_free(&drbg);
		mbedtls_entropy_free(&entropy);
	}
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
				  (const unsigned char *)pers, sizeof(pers) - 1) != 0) {
		seeded_pid = 0;
		return -1;
	}
	seeded_pid = getpid();
	return 0;
}

int cp_rand_bytes(void *buf, size_t len)
{
	unsigned char *p = buf;
	int result = -1;

	pthread_mutex_lock(&lock);
	if (seeded_pid != getpid() && seed() != 0)
		goto out;
	while (len > 0) {
		size_t take =
			len < MBEDTLS_CTR_DRBG_MAX_REQUEST ? len : MBEDTLS_CTR_DRBG_MAX_REQUEST;

		if (mbedtls_ctr_drbg_random(&drbg, p, take) != 0)
			goto out;
		p += take;
		len -= take;
	}
	result = 0;
out:
	pthread_mutex_unlock(&lock);
	return result;
}

int cp_uuid4(char out[CP_UUID_LEN + 1])
{
	uint8_t b[16];

	if (cp_rand_bytes(b, sizeof(b)) != 0)
		return -1;
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(out, CP_UUID_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
		 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
		 b[15]);
	return 0;
}
