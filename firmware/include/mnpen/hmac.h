/*
 * HMAC-SHA256 (RFC 2104 with the SHA-256 of FIPS 180-4): the MAC that binds
 * a cartridge's answers to its secret key (cartbus.h), plus the two helpers
 * a MAC check needs: a comparison whose running time does not depend on
 * where the first mismatch is, and a wipe the compiler may not elide.
 */
#ifndef MNPEN_HMAC_H
#define MNPEN_HMAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mnpen/sha256.h"

#define MNPEN_HMAC_LEN MNPEN_SHA256_DIGEST_LEN

typedef struct {
  mnpen_sha256_ctx inner; /* H(K ^ ipad || ...) being absorbed */
  mnpen_sha256_ctx outer; /* H(K ^ opad || ...) waiting for the inner digest */
} mnpen_hmac_ctx;

/* Keys longer than one SHA-256 block are hashed first (RFC 2104 section 2). */
void mnpen_hmac_init(mnpen_hmac_ctx *ctx, const uint8_t *key, size_t key_len);
void mnpen_hmac_update(mnpen_hmac_ctx *ctx, const void *data, size_t len);
/* Writes the MAC and wipes the context. */
void mnpen_hmac_final(mnpen_hmac_ctx *ctx, uint8_t mac[MNPEN_HMAC_LEN]);
/* One-shot MAC of data[0..len) under key[0..key_len). */
void mnpen_hmac_sha256(const uint8_t *key, size_t key_len, const void *data, size_t len,
                       uint8_t mac[MNPEN_HMAC_LEN]);

/* True when a[0..len) == b[0..len), in time independent of the contents, so
 * a forger cannot learn a MAC byte by byte from how fast it is refused. */
bool mnpen_hmac_equal(const uint8_t *a, const uint8_t *b, size_t len);

/* Zeroes buf[0..len) in a way the optimiser keeps (keys, pads, MACs). */
void mnpen_hmac_wipe(void *buf, size_t len);

#endif /* MNPEN_HMAC_H */
