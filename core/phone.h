/* phone.h — Chinese mobile numbers: normalising what people and input methods type, the masked
 * form shown to people, and the keyed hash members are found by. */
#ifndef CP_PHONE_H
#define CP_PHONE_H

#include <stddef.h>
#include <stdint.h>

#include "cp_error.h"

#define CP_PHONE_LEN 11

/* Normalises "+86 138-1234-5678", "86 13812345678", "１３８１２３４５６７８" and the like into 11
 * ASCII digits starting 1[3-9]. Refuses anything else (empty, too long, letters, non-UTF-8)
 * with a message. out needs 12 bytes. */
enum cp_err cp_phone_normalise(const char *text, char out[CP_PHONE_LEN + 1], struct cp_errbuf *err);

/* "138****5678" from a normalised number. out needs 12 bytes. */
void cp_phone_mask(const char phone[CP_PHONE_LEN + 1], char out[CP_PHONE_LEN + 1]);

/* HMAC-SHA256(key, normalised number). Returns 0 or -1. */
int cp_phone_hash(const uint8_t *key, size_t keylen, const char phone[CP_PHONE_LEN + 1],
		  uint8_t out[32]);

#endif
