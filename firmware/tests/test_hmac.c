/*
 * HMAC-SHA256 against RFC 4231 test cases 1-4, 6 and 7 (case 5 checks a
 * truncated output, which the cartridge protocol does not use), plus the
 * constant-time comparison and the incremental interface.
 */
#include <string.h>

#include "fwtest.h"
#include "mnpen/hmac.h"

static int hex_nibble(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  return c - 'a' + 10;
}

static int mac_is(const uint8_t m[MNPEN_HMAC_LEN], const char *hex) {
  for (unsigned i = 0; i < MNPEN_HMAC_LEN; i++) {
    int v = hex_nibble(hex[2u * i]) * 16 + hex_nibble(hex[2u * i + 1u]);
    if (m[i] != (uint8_t)v) {
      return 0;
    }
  }
  return hex[2u * MNPEN_HMAC_LEN] == '\0';
}

static void hmac_rfc4231_case1(void) {
  uint8_t key[20];
  uint8_t mac[MNPEN_HMAC_LEN];
  memset(key, 0x0b, sizeof key);
  mnpen_hmac_sha256(key, sizeof key, "Hi There", 8, mac);
  FW_CHECK(mac_is(mac, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"));
}

static void hmac_rfc4231_case2(void) {
  /* A key shorter than the output. */
  static const char data[] = "what do ya want for nothing?";
  uint8_t mac[MNPEN_HMAC_LEN];
  mnpen_hmac_sha256((const uint8_t *)"Jefe", 4, data, sizeof data - 1u, mac);
  FW_CHECK(mac_is(mac, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
}

static void hmac_rfc4231_case3(void) {
  uint8_t key[20], data[50];
  uint8_t mac[MNPEN_HMAC_LEN];
  memset(key, 0xaa, sizeof key);
  memset(data, 0xdd, sizeof data);
  mnpen_hmac_sha256(key, sizeof key, data, sizeof data, mac);
  FW_CHECK(mac_is(mac, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"));
}

static void hmac_rfc4231_case4(void) {
  uint8_t key[25], data[50];
  uint8_t mac[MNPEN_HMAC_LEN];
  for (unsigned i = 0; i < sizeof key; i++) {
    key[i] = (uint8_t)(i + 1u);
  }
  memset(data, 0xcd, sizeof data);
  mnpen_hmac_sha256(key, sizeof key, data, sizeof data, mac);
  FW_CHECK(mac_is(mac, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"));
}

static void hmac_rfc4231_case6(void) {
  /* A 131-byte key: longer than the block, so it is hashed first. */
  static const char data[] = "Test Using Larger Than Block-Size Key - Hash Key First";
  uint8_t key[131];
  uint8_t mac[MNPEN_HMAC_LEN];
  memset(key, 0xaa, sizeof key);
  mnpen_hmac_sha256(key, sizeof key, data, sizeof data - 1u, mac);
  FW_CHECK(mac_is(mac, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"));
}

static void hmac_rfc4231_case7(void) {
  static const char data[] =
      "This is a test using a larger than block-size key and a larger than block-size data. "
      "The key needs to be hashed before being used by the HMAC algorithm.";
  uint8_t key[131];
  uint8_t mac[MNPEN_HMAC_LEN];
  memset(key, 0xaa, sizeof key);
  mnpen_hmac_sha256(key, sizeof key, data, sizeof data - 1u, mac);
  FW_CHECK(mac_is(mac, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"));
}

static void hmac_incremental_matches_one_shot(void) {
  /* Case 7 fed a few bytes at a time, as the cartridge code feeds fields. */
  static const char data[] =
      "This is a test using a larger than block-size key and a larger than block-size data. "
      "The key needs to be hashed before being used by the HMAC algorithm.";
  uint8_t key[131];
  uint8_t mac[MNPEN_HMAC_LEN];
  mnpen_hmac_ctx ctx;
  memset(key, 0xaa, sizeof key);
  mnpen_hmac_init(&ctx, key, sizeof key);
  for (size_t off = 0; off < sizeof data - 1u; off += 9u) {
    size_t n = sizeof data - 1u - off;
    mnpen_hmac_update(&ctx, data + off, n < 9u ? n : 9u);
  }
  mnpen_hmac_final(&ctx, mac);
  FW_CHECK(mac_is(mac, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"));
}

static void hmac_equal_compares_every_byte(void) {
  uint8_t a[MNPEN_HMAC_LEN], b[MNPEN_HMAC_LEN];
  for (unsigned i = 0; i < sizeof a; i++) {
    a[i] = (uint8_t)(i * 11u);
  }
  memcpy(b, a, sizeof b);
  FW_CHECK(mnpen_hmac_equal(a, b, sizeof a));
  FW_CHECK(mnpen_hmac_equal(a, b, 0));
  /* A single flipped bit anywhere, first and last byte included, is seen. */
  for (unsigned i = 0; i < sizeof a; i++) {
    for (unsigned bit = 0; bit < 8u; bit++) {
      b[i] = (uint8_t)(a[i] ^ (1u << bit));
      FW_CHECK(!mnpen_hmac_equal(a, b, sizeof a));
      b[i] = a[i];
    }
  }
}

static void hmac_wipe_zeroes(void) {
  uint8_t buf[40];
  memset(buf, 0xa5, sizeof buf);
  mnpen_hmac_wipe(buf, 32);
  for (unsigned i = 0; i < 32u; i++) {
    FW_CHECK_EQ(buf[i], 0u);
  }
  FW_CHECK_EQ(buf[32], 0xa5u);
}

FW_SUITE(mnpen_suite_hmac, "hmac", FW_CASE(hmac_rfc4231_case1), FW_CASE(hmac_rfc4231_case2),
         FW_CASE(hmac_rfc4231_case3), FW_CASE(hmac_rfc4231_case4), FW_CASE(hmac_rfc4231_case6),
         FW_CASE(hmac_rfc4231_case7), FW_CASE(hmac_incremental_matches_one_shot),
         FW_CASE(hmac_equal_compares_every_byte), FW_CASE(hmac_wipe_zeroes));
