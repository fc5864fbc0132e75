/*
 * HMAC per RFC 2104: MAC = H((K ^ opad) || H((K ^ ipad) || m)), with K the
 * key zero-padded to the hash block (or hashed first if longer), ipad the
 * byte 0x36 and opad 0x5c repeated. Both pads are absorbed at init so the
 * key itself is not kept in the context.
 */
#include "mnpen/hmac.h"

#include <string.h>

#define HMAC_IPAD 0x36u
#define HMAC_OPAD 0x5cu

void mnpen_hmac_wipe(void *buf, size_t len) {
  volatile uint8_t *p = (volatile uint8_t *)buf;
  while (len-- > 0u) {
    *p++ = 0u;
  }
}

void mnpen_hmac_init(mnpen_hmac_ctx *ctx, const uint8_t *key, size_t key_len) {
  uint8_t k[MNPEN_SHA256_BLOCK_LEN];
  uint8_t pad[MNPEN_SHA256_BLOCK_LEN];
  memset(k, 0, sizeof k);
  if (key_len > MNPEN_SHA256_BLOCK_LEN) {
    mnpen_sha256(key, key_len, k);
  } else if (key_len > 0u) {
    memcpy(k, key, key_len);
  }
  for (unsigned i = 0; i < MNPEN_SHA256_BLOCK_LEN; i++) {
    pad[i] = (uint8_t)(k[i] ^ HMAC_IPAD);
  }
  mnpen_sha256_init(&ctx->inner);
  mnpen_sha256_update(&ctx->inner, pad, sizeof pad);
  for (unsigned i = 0; i < MNPEN_SHA256_BLOCK_LEN; i++) {
    pad[i] = (uint8_t)(k[i] ^ HMAC_OPAD);
  }
  mnpen_sha256_init(&ctx->outer);
  mnpen_sha256_update(&ctx->outer, pad, sizeof pad);
  mnpen_hmac_wipe(k, sizeof k);
  mnpen_hmac_wipe(pad, sizeof pad);
}

void mnpen_hmac_update(mnpen_hmac_ctx *ctx, const void *data, size_t len) {
  mnpen_sha256_update(&ctx->inner, data, len);
}

void mnpen_hmac_final(mnpen_hmac_ctx *ctx, uint8_t mac[MNPEN_HMAC_LEN]) {
  uint8_t inner[MNPEN_SHA256_DIGEST_LEN];
  mnpen_sha256_final(&ctx->inner, inner);
  mnpen_sha256_update(&ctx->outer, inner, sizeof inner);
  mnpen_sha256_final(&ctx->outer, mac);
  mnpen_hmac_wipe(inner, sizeof inner);
}

void mnpen_hmac_sha256(const uint8_t *key, size_t key_len, const void *data, size_t len,
                       uint8_t mac[MNPEN_HMAC_LEN]) {
  mnpen_hmac_ctx ctx;
  mnpen_hmac_init(&ctx, key, key_len);
  mnpen_hmac_update(&ctx, data, len);
  mnpen_hmac_final(&ctx, mac);
}

bool mnpen_hmac_equal(const uint8_t *a, const uint8_t *b, size_t len) {
  /* Accumulate every difference; branch only once, on the total. */
  uint8_t diff = 0u;
  for (size_t i = 0; i < len; i++) {
    diff = (uint8_t)(diff | (a[i] ^ b[i]));
  }
  return diff == 0u;
}
