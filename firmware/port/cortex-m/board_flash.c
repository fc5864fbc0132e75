/*
 * Log flash emulation for the MPS2 AN386 board, which has no NOR chip:
 * the hal's flash operations with NOR semantics over a block of the board's
 * PSRAM, so the treatment log runs on the board exactly as on a pen.
 *
 * Programming ANDs the new bytes into the old (bits only go 1 -> 0) and an
 * erase sets a whole sector to 0xFF, as hal.h specifies; out-of-range
 * requests fail with MNPEN_HAL_ERANGE and change nothing. The block lives
 * in a never-loaded, never-zeroed section, and a format marker beside it
 * tells a cold start (blank the flash) from a warm reset (keep the log).
 * PSRAM writes finish at once, so an operation is done when its start
 * returns: the busy poll reports its outcome at the first call, where a
 * NOR chip would report busy for milliseconds first.
 */
#include <string.h>

#include "board.h"

#define FLASH_TOTAL_BYTES (MNPEN_BOARD_FLASH_SECTOR_BYTES * MNPEN_BOARD_FLASH_SECTORS)
#define FLASH_ERASED 0xFFu
/* "MNFL": any other value means the block was never formatted. */
#define FLASH_FORMAT_MARK 0x4D4E464Cu

static struct {
  uint32_t format_mark;
  uint8_t bytes[FLASH_TOTAL_BYTES];
} flash __attribute__((section(".ext.flash")));

void mnpen_board_flash_init(void) {
  if (flash.format_mark != FLASH_FORMAT_MARK) {
    memset(flash.bytes, FLASH_ERASED, sizeof flash.bytes);
    flash.format_mark = FLASH_FORMAT_MARK;
  }
}

static bool in_range(uint32_t addr, size_t len) {
  return addr <= FLASH_TOTAL_BYTES && len <= FLASH_TOTAL_BYTES - addr;
}

int mnpen_board_flash_read(void *ctx, uint32_t addr, void *buf, size_t len) {
  (void)ctx;
  if (buf == NULL || !in_range(addr, len)) {
    return MNPEN_HAL_ERANGE;
  }
  memcpy(buf, &flash.bytes[addr], len);
  return MNPEN_HAL_OK;
}

static int last_rc = MNPEN_HAL_OK; /* outcome of the last operation started */

int mnpen_board_flash_program_start(void *ctx, uint32_t addr, const void *buf, size_t len) {
  (void)ctx;
  if (buf == NULL || !in_range(addr, len)) {
    return MNPEN_HAL_ERANGE;
  }
  last_rc = MNPEN_HAL_OK;
  const uint8_t *src = buf;
  for (size_t i = 0; i < len; i++) {
    flash.bytes[addr + i] &= src[i];
  }
  return MNPEN_HAL_OK;
}

int mnpen_board_flash_erase_start(void *ctx, uint32_t sector) {
  (void)ctx;
  if (sector >= MNPEN_BOARD_FLASH_SECTORS) {
    return MNPEN_HAL_ERANGE;
  }
  last_rc = MNPEN_HAL_OK;
  memset(&flash.bytes[sector * MNPEN_BOARD_FLASH_SECTOR_BYTES], FLASH_ERASED,
         MNPEN_BOARD_FLASH_SECTOR_BYTES);
  return MNPEN_HAL_OK;
}

int mnpen_board_flash_busy(void *ctx) {
  (void)ctx;
  return last_rc;
}
