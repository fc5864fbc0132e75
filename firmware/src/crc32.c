/*
 * Bitwise CRC-32 (IEEE 802.3). A log record is 28 bytes of payload, so the
 * eight shifts per byte cost far less than a 1 KiB lookup table would cost in
 * the MCU's flash.
 */
#include "mnpen/crc32.h"

#define CRC32_POLY_REFLECTED 0xEDB88320u
#define CRC32_XOR 0xFFFFFFFFu

uint32_t mnpen_crc32_update(uint32_t crc, const void *data, size_t len) {
  const uint8_t *p = (const uint8_t *)data;
  uint32_t r = crc ^ CRC32_XOR;
  for (size_t i = 0; i < len; i++) {
    r ^= p[i];
    for (unsigned bit = 0; bit < 8u; bit++) {
      /* Branch-free: the mask is all ones when the low bit is set. */
      uint32_t mask = 0u - (r & 1u);
      r = (r >> 1) ^ (CRC32_POLY_REFLECTED & mask);
    }
  }
  return r ^ CRC32_XOR;
}

uint32_t mnpen_crc32(const void *data, size_t len) {
  return mnpen_crc32_update(0u, data, len);
}
