/*
 * SHA-256 (FIPS 180-4), the hash under the cartridge MACs (hmac.h).
 *
 * Incremental (init / update / final) so a MAC can be computed over a frame
 * assembled from several fields without a scratch buffer, plus a one-shot
 * helper. Pure integer code with a context on the caller's stack: no heap,
 * no global state, the same on the Cortex-M and on the host.
 */
#ifndef MNPEN_SHA256_H
#define MNPEN_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define MNPEN_SHA256_DIGEST_LEN 32u
#define MNPEN_SHA256_BLOCK_LEN 64u

typedef struct {
  uint32_t state[8];                     /* chaining value H0..H7 */
  uint64_t total;                        /* message bytes absorbed so far */
  uint8_t block[MNPEN_SHA256_BLOCK_LEN]; /* bytes waiting for a full block */
  uint32_t used;                         /* bytes held in block[] */
} mnpen_sha256_ctx;

void mnpen_sha256_init(mnpen_sha256_ctx *ctx);
void mnpen_sha256_update(mnpen_sha256_ctx *ctx, const void *data, size_t len);
/* Writes the digest; the context must be initialised again before reuse. */
void mnpen_sha256_final(mnpen_sha256_ctx *ctx, uint8_t digest[MNPEN_SHA256_DIGEST_LEN]);
/* One-shot: digest of data[0..len). */
void mnpen_sha256(const void *data, size_t len, uint8_t digest[MNPEN_SHA256_DIGEST_LEN]);

#endif /* MNPEN_SHA256_H */
