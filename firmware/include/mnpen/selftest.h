/*
 * Power-on self-test: what the pen checks about itself before the motor
 * may ever run.
 *
 * At boot the port calls mnpen_selftest_run() once. It checks, in order:
 *   1. RAM: a March C- test over a caller-given scratch area, with several
 *      data backgrounds so stuck bits, transition faults, address decoder
 *      faults and coupling between cells and between bits of a word show;
 *   2. SHA-256 and CRC-32: known-answer tests against published vectors
 *      (cartridge authentication and the treatment log depend on them);
 *   3. log flash: a non-destructive read-back of the whole device (every
 *      byte read twice and compared, reads must succeed, and a read past
 *      the end must be refused). It never programs or erases: the flash
 *      holds the treatment log.
 * The first failure stops the test; the pen must then stay in its safe
 * state and show the fault.
 *
 * The RAM test reaches memory through a small accessor table so a unit test
 * can hand it a faulty memory; the port uses mnpen_selftest_ram_direct()
 * for plain RAM.
 */
#ifndef MNPEN_SELFTEST_H
#define MNPEN_SELFTEST_H

#include <stddef.h>
#include <stdint.h>

#include "mnpen/hal.h"

enum {
  MNPEN_SELFTEST_OK = 0,
  MNPEN_SELFTEST_EARG = -1,    /* missing hal, scratch area or accessor */
  MNPEN_SELFTEST_ERAM = -2,    /* RAM pattern test failed */
  MNPEN_SELFTEST_ESHA256 = -3, /* SHA-256 known answer wrong */
  MNPEN_SELFTEST_ECRC32 = -4,  /* CRC-32 known answer wrong */
  MNPEN_SELFTEST_EFLASH = -5   /* log flash read-back failed */
};

/* Word-addressed memory under test. */
typedef struct mnpen_selftest_ram {
  void *ctx;
  size_t words;
  void (*write)(void *ctx, size_t index, uint32_t value);
  uint32_t (*read)(void *ctx, size_t index);
} mnpen_selftest_ram;

/* Fills *ram to test `words` words of plain memory at `base` (volatile
 * accesses, so none is optimised away). The contents are destroyed. */
void mnpen_selftest_ram_direct(mnpen_selftest_ram *ram, uint32_t *base, size_t words);

/* The single checks; each returns 0 or its MNPEN_SELFTEST_E* code. */
int mnpen_selftest_ram_check(const mnpen_selftest_ram *ram);
int mnpen_selftest_sha256_kat(void);
int mnpen_selftest_crc32_kat(void);
int mnpen_selftest_flash_check(const mnpen_hal *hal);

/* The whole power-on self-test. Returns 0, or the code of the first check
 * that failed with a one-line reason in err (always NUL-terminated when
 * errlen > 0; err may be NULL when errlen is 0). */
int mnpen_selftest_run(const mnpen_hal *hal, const mnpen_selftest_ram *ram, char *err,
                       size_t errlen);

#endif /* MNPEN_SELFTEST_H */
