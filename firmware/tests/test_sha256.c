/*
 * SHA-256 against the FIPS 180-4 example vectors (NIST "Examples with
 * Intermediate Values", SHA256.pdf; the same digests as in FIPS 180-2
 * appendix B): one block, empty message, the 448-bit two-block-padding
 * message, the 896-bit message, and one million 'a' streamed in chunks.
 */
#include <string.h>

#include "fwtest.h"
#include "mnpen/sha256.h"

static int hex_nibble(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  return c - 'a' + 10;
}

/* Compares a digest with its lower-case hex spelling. */
static int digest_is(const uint8_t d[MNPEN_SHA256_DIGEST_LEN], const char *hex) {
  for (unsigned i = 0; i < MNPEN_SHA256_DIGEST_LEN; i++) {
    int v = hex_nibble(hex[2u * i]) * 16 + hex_nibble(hex[2u * i + 1u]);
    if (d[i] != (uint8_t)v) {
      return 0;
    }
  }
  return hex[2u * MNPEN_SHA256_DIGEST_LEN] == '\0';
}

static void sha256_abc(void) {
  uint8_t d[MNPEN_SHA256_DIGEST_LEN];
  mnpen_sha256("abc", 3, d);
  FW_CHECK(digest_is(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
}

static void sha256_empty(void) {
  uint8_t d[MNPEN_SHA256_DIGEST_LEN];
  mnpen_sha256("", 0, d);
  FW_CHECK(digest_is(d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

static void sha256_448_bits(void) {
  /* 56 bytes: the padding no longer fits the block, so a second one follows. */
  static const char msg[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  uint8_t d[MNPEN_SHA256_DIGEST_LEN];
  FW_CHECK_EQ(sizeof msg - 1u, 56u);
  mnpen_sha256(msg, sizeof msg - 1u, d);
  FW_CHECK(digest_is(d, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
}

static void sha256_896_bits(void) {
  static const char msg[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                            "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
  uint8_t d[MNPEN_SHA256_DIGEST_LEN];
  mnpen_sha256(msg, sizeof msg - 1u, d);
  FW_CHECK(digest_is(d, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"));
}

static void sha256_million_a(void) {
  /* Chunks of 1000 - not a multiple of the 64-byte block - so update() has
   * to carry partial blocks across calls. */
  uint8_t chunk[1000];
  uint8_t d[MNPEN_SHA256_DIGEST_LEN];
  mnpen_sha256_ctx ctx;
  memset(chunk, 'a', sizeof chunk);
  mnpen_sha256_init(&ctx);
  for (unsigned i = 0; i < 1000u; i++) {
    mnpen_sha256_update(&ctx, chunk, sizeof chunk);
  }
  mnpen_sha256_final(&ctx, d);
  FW_CHECK(digest_is(d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

static void sha256_split_matches_one_shot(void) {
  /* Every split point of every length around the padding boundaries (55,
   * 56, 63, 64, 119, 120 bytes) gives the one-shot digest. */
  uint8_t msg[130];
  for (unsigned i = 0; i < sizeof msg; i++) {
    msg[i] = (uint8_t)(i * 7u + 3u);
  }
  for (size_t len = 0; len <= sizeof msg; len++) {
    uint8_t want[MNPEN_SHA256_DIGEST_LEN];
    mnpen_sha256(msg, len, want);
    for (size_t cut = 0; cut <= len; cut += 13u) {
      uint8_t got[MNPEN_SHA256_DIGEST_LEN];
      mnpen_sha256_ctx ctx;
      mnpen_sha256_init(&ctx);
      mnpen_sha256_update(&ctx, msg, cut);
      mnpen_sha256_update(&ctx, msg + cut, len - cut);
      mnpen_sha256_final(&ctx, got);
      FW_CHECK(memcmp(got, want, sizeof want) == 0);
    }
  }
}

static void sha256_one_bit_changes_digest(void) {
  uint8_t a[MNPEN_SHA256_DIGEST_LEN], b[MNPEN_SHA256_DIGEST_LEN];
  mnpen_sha256("abc", 3, a);
  mnpen_sha256("abb", 3, b);
  FW_CHECK(memcmp(a, b, sizeof a) != 0);
}

FW_SUITE(mnpen_suite_sha256, "sha256", FW_CASE(sha256_abc), FW_CASE(sha256_empty),
         FW_CASE(sha256_448_bits), FW_CASE(sha256_896_bits), FW_CASE(sha256_million_a),
         FW_CASE(sha256_split_matches_one_shot), FW_CASE(sha256_one_bit_changes_digest));
