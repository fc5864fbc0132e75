/*
 * Power-on self-test against faulty fakes: a RAM that has a stuck bit, a
 * transition fault, an address decoder fault, coupling between words or a
 * short between two bits of a word must fail the March test; plain memory
 * must pass. The flash read-back must refuse a device whose reads fail, flip
 * a bit between reads or run past the end. The known-answer tests must pass
 * with the firmware's SHA-256 and CRC-32.
 */
#include <string.h>

#include "fwtest.h"
#include "mnpen/hal.h"
#include "mnpen/selftest.h"

/* ---- RAM fakes --------------------------------------------------------- */

#define FAKE_WORDS 16u

typedef enum {
  RAM_GOOD,
  RAM_STUCK_AT_1, /* bit 7 of word 5 always reads 1 */
  RAM_STUCK_AT_0, /* bit 30 of word 11 always reads 0 */
  RAM_NO_RISE,    /* bit 3 of word 2 cannot go from 0 to 1 */
  RAM_ALIAS,      /* the decoder maps word 9 onto word 3 */
  RAM_COUPLING,   /* a write to word 4 inverts bit 0 of word 5 */
  RAM_BIT_SHORT,  /* bits 0 and 1 of word 7 are shorted (wired AND) */
  RAM_RISE_SETS   /* bit 0 of word 12 rising sets bit 0 of word 1: found
                   * only by the descending March elements */
} ram_fault;

typedef struct {
  ram_fault fault;
  uint32_t cell[FAKE_WORDS];
} fake_ram;

static void fake_write(void *ctx, size_t i, uint32_t v) {
  fake_ram *r = ctx;
  switch (r->fault) {
  case RAM_NO_RISE:
    if (i == 2u && (r->cell[i] & (1u << 3)) == 0u) {
      v &= ~(1u << 3);
    }
    break;
  case RAM_ALIAS:
    if (i == 9u) {
      i = 3u;
    }
    break;
  case RAM_COUPLING:
    if (i == 4u) {
      r->cell[5] ^= 1u;
    }
    break;
  case RAM_RISE_SETS:
    if (i == 12u && (r->cell[i] & 1u) == 0u && (v & 1u) != 0u) {
      r->cell[1] |= 1u;
    }
    break;
  case RAM_BIT_SHORT:
    if (i == 7u) {
      uint32_t both = v & (v >> 1) & 1u;
      v = (v & ~3u) | both | (both << 1);
    }
    break;
  default:
    break;
  }
  r->cell[i] = v;
}

static uint32_t fake_read(void *ctx, size_t i) {
  fake_ram *r = ctx;
  if (r->fault == RAM_ALIAS && i == 9u) {
    i = 3u;
  }
  uint32_t v = r->cell[i];
  if (r->fault == RAM_STUCK_AT_1 && i == 5u) {
    v |= 1u << 7;
  }
  if (r->fault == RAM_STUCK_AT_0 && i == 11u) {
    v &= ~(1u << 30);
  }
  return v;
}

static fake_ram fake_mem;

static mnpen_selftest_ram fake(ram_fault f) {
  memset(&fake_mem, 0, sizeof fake_mem);
  fake_mem.fault = f;
  mnpen_selftest_ram r = {&fake_mem, FAKE_WORDS, fake_write, fake_read};
  return r;
}

/* ---- flash fake -------------------------------------------------------- */

#define FLASH_SECTOR 64u
#define FLASH_SECTORS 3u
#define FLASH_BYTES (FLASH_SECTOR * FLASH_SECTORS)

typedef enum {
  FLASH_GOOD,
  FLASH_READ_FAILS, /* any read touching byte 100 fails with EIO */
  FLASH_FLAKY,      /* bit 2 of byte 150 toggles on every read of it */
  FLASH_NO_BOUNDS   /* reads past the end succeed (return 0xFF) */
} flash_fault;

typedef struct {
  flash_fault fault;
  uint8_t bytes[FLASH_BYTES];
  unsigned flaky_reads;
} fake_flash;

static bool covers(uint32_t addr, size_t len, uint32_t byte) {
  return byte >= addr && byte - addr < len;
}

static int flash_read(void *ctx, uint32_t addr, void *buf, size_t len) {
  fake_flash *f = ctx;
  if (f->fault == FLASH_NO_BOUNDS && (addr > FLASH_BYTES || len > FLASH_BYTES - addr)) {
    memset(buf, 0xFF, len);
    return MNPEN_HAL_OK;
  }
  if (addr > FLASH_BYTES || len > FLASH_BYTES - addr) {
    return MNPEN_HAL_ERANGE;
  }
  if (f->fault == FLASH_READ_FAILS && covers(addr, len, 100u)) {
    return MNPEN_HAL_EIO;
  }
  memcpy(buf, &f->bytes[addr], len);
  if (f->fault == FLASH_FLAKY && covers(addr, len, 150u)) {
    f->flaky_reads++;
    if ((f->flaky_reads & 1u) == 0u) {
      ((uint8_t *)buf)[150u - addr] ^= 1u << 2;
    }
  }
  return MNPEN_HAL_OK;
}

static fake_flash flash_dev;

static mnpen_hal flash_hal(flash_fault f) {
  memset(&flash_dev, 0, sizeof flash_dev);
  flash_dev.fault = f;
  for (uint32_t i = 0; i < FLASH_BYTES; i++) {
    flash_dev.bytes[i] = (uint8_t)(i * 7u + 1u);
  }
  mnpen_hal h;
  memset(&h, 0, sizeof h);
  h.ctx = &flash_dev;
  h.flash_sector_bytes = FLASH_SECTOR;
  h.flash_sectors = FLASH_SECTORS;
  h.flash_read = flash_read;
  return h;
}

/* ---- RAM test ---------------------------------------------------------- */

static void ram_plain_memory_passes(void) {
  static uint32_t buf[64];
  mnpen_selftest_ram r;
  mnpen_selftest_ram_direct(&r, buf, 64u);
  FW_CHECK_EQ(r.words, 64u);
  FW_CHECK_EQ(mnpen_selftest_ram_check(&r), MNPEN_SELFTEST_OK);
}

static void ram_good_fake_passes(void) {
  mnpen_selftest_ram r = fake(RAM_GOOD);
  FW_CHECK_EQ(mnpen_selftest_ram_check(&r), MNPEN_SELFTEST_OK);
}

static void ram_faults_are_found(void) {
  static const ram_fault faults[] = {RAM_STUCK_AT_1, RAM_STUCK_AT_0, RAM_NO_RISE,  RAM_ALIAS,
                                     RAM_COUPLING,   RAM_BIT_SHORT,  RAM_RISE_SETS};
  for (size_t k = 0; k < sizeof faults / sizeof faults[0]; k++) {
    mnpen_selftest_ram r = fake(faults[k]);
    FW_CHECK_EQ(mnpen_selftest_ram_check(&r), MNPEN_SELFTEST_ERAM);
  }
}

static void ram_bad_arguments(void) {
  mnpen_selftest_ram r = fake(RAM_GOOD);
  FW_CHECK_EQ(mnpen_selftest_ram_check(NULL), MNPEN_SELFTEST_EARG);
  r.words = 0u;
  FW_CHECK_EQ(mnpen_selftest_ram_check(&r), MNPEN_SELFTEST_EARG);
  r = fake(RAM_GOOD);
  r.read = NULL;
  FW_CHECK_EQ(mnpen_selftest_ram_check(&r), MNPEN_SELFTEST_EARG);
}

/* ---- known answers ----------------------------------------------------- */

static void known_answers_pass(void) {
  FW_CHECK_EQ(mnpen_selftest_sha256_kat(), MNPEN_SELFTEST_OK);
  FW_CHECK_EQ(mnpen_selftest_crc32_kat(), MNPEN_SELFTEST_OK);
}

/* ---- flash read-back --------------------------------------------------- */

static void flash_good_passes_and_is_untouched(void) {
  mnpen_hal h = flash_hal(FLASH_GOOD);
  FW_CHECK_EQ(mnpen_selftest_flash_check(&h), MNPEN_SELFTEST_OK);
  for (uint32_t i = 0; i < FLASH_BYTES; i++) {
    FW_CHECK_EQ(flash_dev.bytes[i], (uint8_t)(i * 7u + 1u));
  }
}

static void flash_faults_are_found(void) {
  mnpen_hal h = flash_hal(FLASH_READ_FAILS);
  FW_CHECK_EQ(mnpen_selftest_flash_check(&h), MNPEN_SELFTEST_EFLASH);
  h = flash_hal(FLASH_FLAKY);
  FW_CHECK_EQ(mnpen_selftest_flash_check(&h), MNPEN_SELFTEST_EFLASH);
  FW_CHECK(flash_dev.flaky_reads >= 2u);
  h = flash_hal(FLASH_NO_BOUNDS);
  FW_CHECK_EQ(mnpen_selftest_flash_check(&h), MNPEN_SELFTEST_EFLASH);
}

static void flash_bad_geometry(void) {
  mnpen_hal h = flash_hal(FLASH_GOOD);
  h.flash_sectors = 0u;
  FW_CHECK_EQ(mnpen_selftest_flash_check(&h), MNPEN_SELFTEST_EFLASH);
  h = flash_hal(FLASH_GOOD);
  h.flash_sector_bytes = 0x10000u;
  h.flash_sectors = 0x10000u; /* 4 GiB: does not fit the 32-bit address */
  FW_CHECK_EQ(mnpen_selftest_flash_check(&h), MNPEN_SELFTEST_EFLASH);
  h = flash_hal(FLASH_GOOD);
  h.flash_read = NULL;
  FW_CHECK_EQ(mnpen_selftest_flash_check(&h), MNPEN_SELFTEST_EARG);
  FW_CHECK_EQ(mnpen_selftest_flash_check(NULL), MNPEN_SELFTEST_EARG);
}

/* ---- the whole run ----------------------------------------------------- */

static void run_passes_on_good_hardware(void) {
  mnpen_hal h = flash_hal(FLASH_GOOD);
  mnpen_selftest_ram r = fake(RAM_GOOD);
  char err[64] = "stale";
  FW_CHECK_EQ(mnpen_selftest_run(&h, &r, err, sizeof err), MNPEN_SELFTEST_OK);
  FW_CHECK_EQ(err[0], '\0');
}

static void run_reports_the_first_failure(void) {
  mnpen_hal h = flash_hal(FLASH_GOOD);
  mnpen_selftest_ram r = fake(RAM_COUPLING);
  char err[64];
  FW_CHECK_EQ(mnpen_selftest_run(&h, &r, err, sizeof err), MNPEN_SELFTEST_ERAM);
  FW_CHECK(strstr(err, "RAM") != NULL);

  h = flash_hal(FLASH_FLAKY);
  r = fake(RAM_GOOD);
  FW_CHECK_EQ(mnpen_selftest_run(&h, &r, err, sizeof err), MNPEN_SELFTEST_EFLASH);
  FW_CHECK(strstr(err, "flash") != NULL);

  h = flash_hal(FLASH_GOOD);
  h.flash_read = NULL;
  FW_CHECK_EQ(mnpen_selftest_run(&h, &r, err, sizeof err), MNPEN_SELFTEST_EARG);
  r.words = 0u;
  FW_CHECK_EQ(mnpen_selftest_run(&h, &r, err, sizeof err), MNPEN_SELFTEST_EARG);
  FW_CHECK_EQ(mnpen_selftest_run(NULL, &r, err, sizeof err), MNPEN_SELFTEST_EARG);
  FW_CHECK_EQ(mnpen_selftest_run(&h, NULL, err, sizeof err), MNPEN_SELFTEST_EARG);
}

static void run_message_is_bounded(void) {
  mnpen_hal h = flash_hal(FLASH_GOOD);
  mnpen_selftest_ram r = fake(RAM_STUCK_AT_1);
  char err[8];
  memset(err, 'x', sizeof err);
  FW_CHECK_EQ(mnpen_selftest_run(&h, &r, err, sizeof err), MNPEN_SELFTEST_ERAM);
  FW_CHECK_EQ(err[sizeof err - 1u], '\0');
  FW_CHECK_EQ(strlen(err), sizeof err - 1u);
  r = fake(RAM_STUCK_AT_1);
  FW_CHECK_EQ(mnpen_selftest_run(&h, &r, NULL, 0u), MNPEN_SELFTEST_ERAM);
}

FW_SUITE(mnpen_suite_selftest, "selftest", FW_CASE(ram_plain_memory_passes),
         FW_CASE(ram_good_fake_passes), FW_CASE(ram_faults_are_found), FW_CASE(ram_bad_arguments),
         FW_CASE(known_answers_pass), FW_CASE(flash_good_passes_and_is_untouched),
         FW_CASE(flash_faults_are_found), FW_CASE(flash_bad_geometry),
         FW_CASE(run_passes_on_good_hardware), FW_CASE(run_reports_the_first_failure),
         FW_CASE(run_message_is_bounded));
