/*
 * Power-on self-test (see selftest.h): RAM March C-, SHA-256 and CRC-32
 * known answers, and a non-destructive read-back of the log flash. Run once
 * by the port at boot, before the pen's state machine starts; a failure
 * keeps the motor off.
 */
#include "mnpen/selftest.h"

#include <string.h>

#include "mnpen/crc32.h"
#include "mnpen/sha256.h"

/* Data backgrounds for the March test. Each is run with its complement, so
 * across the set every pair of bit positions in a word is once written
 * equal and once different: shorts and coupling between bits of one word
 * show as well as faults between words. */
static const uint32_t ram_backgrounds[] = {0x00000000u, 0x55555555u, 0x33333333u,
                                           0x0F0F0F0Fu, 0x00FF00FFu, 0x0000FFFFu};

/* FIPS 180-2, appendix B.1 and B.2: SHA-256("abc") and of the 448-bit
 * two-block message. */
static const char sha_msg1[] = "abc";
static const uint8_t sha_digest1[MNPEN_SHA256_DIGEST_LEN] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
static const char sha_msg2[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const uint8_t sha_digest2[MNPEN_SHA256_DIGEST_LEN] = {
    0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0, 0x26, 0x93, 0x0c, 0x3e, 0x60, 0x39,
    0xa3, 0x3c, 0xe4, 0x59, 0x64, 0xff, 0x21, 0x67, 0xf6, 0xec, 0xed, 0xd4, 0x19, 0xdb, 0x06, 0xc1};
/* Split point for the incremental pass: not a multiple of anything the
 * implementation buffers by, so partial-block handling is exercised. */
#define SHA_MSG2_SPLIT 13u

/* The CRC catalogue's check value of CRC-32/ISO-HDLC (the IEEE 802.3 CRC):
 * the CRC of the ASCII digits "123456789". */
static const char crc_msg[] = "123456789";
#define CRC_CHECK 0xCBF43926u
#define CRC_SPLIT 4u

/* Bytes compared per flash read-back step (two buffers on the stack). */
#define FLASH_CHUNK 32u

static void direct_write(void *ctx, size_t index, uint32_t value) {
  ((volatile uint32_t *)ctx)[index] = value;
}

static uint32_t direct_read(void *ctx, size_t index) {
  return ((volatile uint32_t *)ctx)[index];
}

void mnpen_selftest_ram_direct(mnpen_selftest_ram *ram, uint32_t *base, size_t words) {
  ram->ctx = base;
  ram->words = words;
  ram->write = direct_write;
  ram->read = direct_read;
}

/* One March C- run with background b:
 *   up(w b); up(r b, w ~b); up(r ~b, w b); down(r b, w ~b); down(r ~b, w b);
 *   any(r b)
 * Detects stuck-at, transition, address decoder and unlinked coupling
 * faults (van de Goor, "Testing Semiconductor Memories", 1991). */
static bool march_c_minus(const mnpen_selftest_ram *ram, uint32_t b) {
  const uint32_t nb = ~b;
  const size_t n = ram->words;
  for (size_t i = 0; i < n; i++) {
    ram->write(ram->ctx, i, b);
  }
  for (size_t i = 0; i < n; i++) {
    if (ram->read(ram->ctx, i) != b) {
      return false;
    }
    ram->write(ram->ctx, i, nb);
  }
  for (size_t i = 0; i < n; i++) {
    if (ram->read(ram->ctx, i) != nb) {
      return false;
    }
    ram->write(ram->ctx, i, b);
  }
  for (size_t i = n; i-- > 0;) {
    if (ram->read(ram->ctx, i) != b) {
      return false;
    }
    ram->write(ram->ctx, i, nb);
  }
  for (size_t i = n; i-- > 0;) {
    if (ram->read(ram->ctx, i) != nb) {
      return false;
    }
    ram->write(ram->ctx, i, b);
  }
  for (size_t i = 0; i < n; i++) {
    if (ram->read(ram->ctx, i) != b) {
      return false;
    }
  }
  return true;
}

int mnpen_selftest_ram_check(const mnpen_selftest_ram *ram) {
  if (ram == NULL || ram->write == NULL || ram->read == NULL || ram->words == 0u) {
    return MNPEN_SELFTEST_EARG;
  }
  for (size_t k = 0; k < sizeof ram_backgrounds / sizeof ram_backgrounds[0]; k++) {
    if (!march_c_minus(ram, ram_backgrounds[k])) {
      return MNPEN_SELFTEST_ERAM;
    }
  }
  return MNPEN_SELFTEST_OK;
}

int mnpen_selftest_sha256_kat(void) {
  uint8_t digest[MNPEN_SHA256_DIGEST_LEN];
  mnpen_sha256(sha_msg1, sizeof sha_msg1 - 1u, digest);
  if (memcmp(digest, sha_digest1, sizeof digest) != 0) {
    return MNPEN_SELFTEST_ESHA256;
  }
  mnpen_sha256_ctx ctx;
  mnpen_sha256_init(&ctx);
  mnpen_sha256_update(&ctx, sha_msg2, SHA_MSG2_SPLIT);
  mnpen_sha256_update(&ctx, sha_msg2 + SHA_MSG2_SPLIT, sizeof sha_msg2 - 1u - SHA_MSG2_SPLIT);
  mnpen_sha256_final(&ctx, digest);
  if (memcmp(digest, sha_digest2, sizeof digest) != 0) {
    return MNPEN_SELFTEST_ESHA256;
  }
  return MNPEN_SELFTEST_OK;
}

int mnpen_selftest_crc32_kat(void) {
  const size_t len = sizeof crc_msg - 1u;
  if (mnpen_crc32(crc_msg, len) != CRC_CHECK) {
    return MNPEN_SELFTEST_ECRC32;
  }
  uint32_t crc = mnpen_crc32(crc_msg, CRC_SPLIT);
  if (mnpen_crc32_update(crc, crc_msg + CRC_SPLIT, len - CRC_SPLIT) != CRC_CHECK) {
    return MNPEN_SELFTEST_ECRC32;
  }
  return MNPEN_SELFTEST_OK;
}

int mnpen_selftest_flash_check(const mnpen_hal *hal) {
  if (hal == NULL || hal->flash_read == NULL) {
    return MNPEN_SELFTEST_EARG;
  }
  const uint32_t sector = hal->flash_sector_bytes;
  const uint32_t sectors = hal->flash_sectors;
  if (sector == 0u || sectors == 0u || sectors > UINT32_MAX / sector) {
    return MNPEN_SELFTEST_EFLASH;
  }
  const uint32_t total = sector * sectors;
  uint8_t first[FLASH_CHUNK];
  uint8_t second[FLASH_CHUNK];
  for (uint32_t addr = 0; addr < total; addr += FLASH_CHUNK) {
    const size_t len = total - addr < FLASH_CHUNK ? (size_t)(total - addr) : FLASH_CHUNK;
    if (hal->flash_read(hal->ctx, addr, first, len) != MNPEN_HAL_OK ||
        hal->flash_read(hal->ctx, addr, second, len) != MNPEN_HAL_OK ||
        memcmp(first, second, len) != 0) {
      return MNPEN_SELFTEST_EFLASH;
    }
  }
  /* A port that lets a read run past the device would let a log bug read
   * (on a pen: whatever is mapped after the flash) without notice. */
  if (hal->flash_read(hal->ctx, total, first, 1u) == MNPEN_HAL_OK) {
    return MNPEN_SELFTEST_EFLASH;
  }
  return MNPEN_SELFTEST_OK;
}

static int fail(char *err, size_t errlen, int code, const char *why) {
  if (err != NULL && errlen > 0u) {
    size_t n = strlen(why);
    if (n >= errlen) {
      n = errlen - 1u;
    }
    memcpy(err, why, n);
    err[n] = '\0';
  }
  return code;
}

int mnpen_selftest_run(const mnpen_hal *hal, const mnpen_selftest_ram *ram, char *err,
                       size_t errlen) {
  if (hal == NULL || ram == NULL) {
    return fail(err, errlen, MNPEN_SELFTEST_EARG, "selftest: missing hal or RAM area");
  }
  int rc = mnpen_selftest_ram_check(ram);
  if (rc == MNPEN_SELFTEST_EARG) {
    return fail(err, errlen, rc, "selftest: empty RAM area");
  }
  if (rc != MNPEN_SELFTEST_OK) {
    return fail(err, errlen, rc, "selftest: RAM pattern test failed");
  }
  if (mnpen_selftest_sha256_kat() != MNPEN_SELFTEST_OK) {
    return fail(err, errlen, MNPEN_SELFTEST_ESHA256, "selftest: SHA-256 known answer wrong");
  }
  if (mnpen_selftest_crc32_kat() != MNPEN_SELFTEST_OK) {
    return fail(err, errlen, MNPEN_SELFTEST_ECRC32, "selftest: CRC-32 known answer wrong");
  }
  rc = mnpen_selftest_flash_check(hal);
  if (rc == MNPEN_SELFTEST_EARG) {
    return fail(err, errlen, rc, "selftest: hal has no flash read");
  }
  if (rc != MNPEN_SELFTEST_OK) {
    return fail(err, errlen, rc, "selftest: log flash read-back failed");
  }
  return fail(err, errlen, MNPEN_SELFTEST_OK, "");
}
