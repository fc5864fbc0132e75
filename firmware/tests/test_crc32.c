/*
 * CRC-32 (IEEE 802.3) against its catalogued check value: CRC of the ASCII
 * string "123456789" is 0xCBF43926 (Williams, "A Painless Guide to CRC Error
 * Detection Algorithms"; the CRC RevEng catalogue, CRC-32/ISO-HDLC), plus
 * further values of the same algorithm and the chaining property.
 */
#include "fwtest.h"
#include "mnpen/crc32.h"

static void crc32_check_value(void) {
  FW_CHECK_EQ(mnpen_crc32("123456789", 9), 0xCBF43926u);
}

static void crc32_empty_is_zero(void) {
  /* Initial value and final XOR cancel on no data. */
  FW_CHECK_EQ(mnpen_crc32("", 0), 0u);
}

static void crc32_more_values(void) {
  static const char fox[] = "The quick brown fox jumps over the lazy dog";
  FW_CHECK_EQ(mnpen_crc32("a", 1), 0xE8B7BE43u);
  FW_CHECK_EQ(mnpen_crc32(fox, sizeof fox - 1u), 0x414FA339u);
}

static void crc32_chains(void) {
  uint32_t part = mnpen_crc32("1234", 4);
  FW_CHECK_EQ(mnpen_crc32_update(part, "56789", 5), 0xCBF43926u);
}

static void crc32_erased_record_does_not_verify(void) {
  /* The log relies on an erased (all 0xFF) slot not carrying a matching CRC:
   * CRC of 28 bytes of 0xFF is not 0xFFFFFFFF. */
  uint8_t ff[28];
  for (unsigned i = 0; i < sizeof ff; i++) {
    ff[i] = 0xFFu;
  }
  FW_CHECK(mnpen_crc32(ff, sizeof ff) != 0xFFFFFFFFu);
}

static void crc32_detects_single_bit_errors(void) {
  uint8_t buf[28];
  for (unsigned i = 0; i < sizeof buf; i++) {
    buf[i] = (uint8_t)(i * 37u + 1u);
  }
  uint32_t good = mnpen_crc32(buf, sizeof buf);
  for (unsigned i = 0; i < sizeof buf; i++) {
    for (unsigned bit = 0; bit < 8u; bit++) {
      buf[i] ^= (uint8_t)(1u << bit);
      FW_CHECK(mnpen_crc32(buf, sizeof buf) != good);
      buf[i] ^= (uint8_t)(1u << bit);
    }
  }
}

FW_SUITE(mnpen_suite_crc32, "crc32", FW_CASE(crc32_check_value), FW_CASE(crc32_empty_is_zero),
         FW_CASE(crc32_more_values), FW_CASE(crc32_chains),
         FW_CASE(crc32_erased_record_does_not_verify), FW_CASE(crc32_detects_single_bit_errors));
