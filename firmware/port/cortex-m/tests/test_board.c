/*
 * The board port's own suite, run only inside the self-test image: the log
 * flash emulation must keep NOR semantics (program only clears bits, erase
 * sets a sector to 0xFF, out-of-range requests change nothing and fail),
 * because the treatment log's power-cut tests on the host assume exactly
 * that of every port; and the hal's time base must never run backwards.
 */
#include <string.h>

#include "board.h"
#include "fwtest.h"

#define SECTOR MNPEN_BOARD_FLASH_SECTOR_BYTES
#define TOTAL (MNPEN_BOARD_FLASH_SECTOR_BYTES * MNPEN_BOARD_FLASH_SECTORS)
#define TIME_READS 2000u

static const mnpen_hal *hal(void) {
  return mnpen_board_hal();
}

static void flash_geometry_matches(void) {
  const mnpen_hal *h = hal();
  FW_CHECK_EQ(h->flash_sector_bytes, SECTOR);
  FW_CHECK_EQ(h->flash_sectors, MNPEN_BOARD_FLASH_SECTORS);
}

static void flash_program_only_clears_bits(void) {
  const mnpen_hal *h = hal();
  FW_CHECK_EQ(h->flash_erase_start(h->ctx, 1u), MNPEN_HAL_OK);
  const uint8_t first[4] = {0xF0, 0x0F, 0xAA, 0xFF};
  const uint8_t second[4] = {0x3C, 0xFF, 0x55, 0x00};
  FW_CHECK_EQ(h->flash_program_start(h->ctx, SECTOR + 8u, first, 4u), MNPEN_HAL_OK);
  FW_CHECK_EQ(h->flash_program_start(h->ctx, SECTOR + 8u, second, 4u), MNPEN_HAL_OK);
  FW_CHECK_EQ(h->flash_busy(h->ctx), MNPEN_HAL_OK); /* PSRAM: done at once */
  uint8_t got[6];
  FW_CHECK_EQ(h->flash_read(h->ctx, SECTOR + 7u, got, sizeof got), MNPEN_HAL_OK);
  FW_CHECK_EQ(got[0], 0xFFu);
  FW_CHECK_EQ(got[1], 0x30u);
  FW_CHECK_EQ(got[2], 0x0Fu);
  FW_CHECK_EQ(got[3], 0x00u);
  FW_CHECK_EQ(got[4], 0x00u);
  FW_CHECK_EQ(got[5], 0xFFu);
}

static void flash_erase_sets_one_sector(void) {
  const mnpen_hal *h = hal();
  const uint8_t zeros[2] = {0, 0};
  /* Last byte of sector 1 and first of sector 2. */
  FW_CHECK_EQ(h->flash_program_start(h->ctx, 2u * SECTOR - 1u, zeros, 2u), MNPEN_HAL_OK);
  FW_CHECK_EQ(h->flash_erase_start(h->ctx, 1u), MNPEN_HAL_OK);
  uint8_t got[2];
  FW_CHECK_EQ(h->flash_read(h->ctx, 2u * SECTOR - 1u, got, 2u), MNPEN_HAL_OK);
  FW_CHECK_EQ(got[0], 0xFFu);
  FW_CHECK_EQ(got[1], 0x00u);
  FW_CHECK_EQ(h->flash_erase_start(h->ctx, 2u), MNPEN_HAL_OK);
  FW_CHECK_EQ(h->flash_read(h->ctx, 2u * SECTOR, got, 1u), MNPEN_HAL_OK);
  FW_CHECK_EQ(got[0], 0xFFu);
}

static void flash_refuses_out_of_range(void) {
  const mnpen_hal *h = hal();
  uint8_t buf[4] = {0, 0, 0, 0};
  FW_CHECK_EQ(h->flash_read(h->ctx, TOTAL, buf, 1u), MNPEN_HAL_ERANGE);
  FW_CHECK_EQ(h->flash_read(h->ctx, TOTAL - 2u, buf, 4u), MNPEN_HAL_ERANGE);
  FW_CHECK_EQ(h->flash_read(h->ctx, 0xFFFFFFFFu, buf, 2u), MNPEN_HAL_ERANGE);
  FW_CHECK_EQ(h->flash_erase_start(h->ctx, MNPEN_BOARD_FLASH_SECTORS), MNPEN_HAL_ERANGE);
  /* A refused program must not touch the bytes that were in range. */
  FW_CHECK_EQ(h->flash_erase_start(h->ctx, MNPEN_BOARD_FLASH_SECTORS - 1u), MNPEN_HAL_OK);
  FW_CHECK_EQ(h->flash_program_start(h->ctx, TOTAL - 2u, buf, 4u), MNPEN_HAL_ERANGE);
  FW_CHECK_EQ(h->flash_read(h->ctx, TOTAL - 2u, buf, 2u), MNPEN_HAL_OK);
  FW_CHECK_EQ(buf[0], 0xFFu);
  FW_CHECK_EQ(buf[1], 0xFFu);
  FW_CHECK_EQ(h->flash_read(h->ctx, TOTAL, buf, 0u), MNPEN_HAL_OK);
}

static void time_never_runs_backwards(void) {
  const mnpen_hal *h = hal();
  uint32_t prev = h->time_us(h->ctx);
  for (unsigned i = 0; i < TIME_READS; i++) {
    uint32_t now = h->time_us(h->ctx);
    FW_CHECK((uint32_t)(now - prev) < 0x80000000u);
    prev = now;
  }
}

static void depth_stage_follows_command(void) {
  const mnpen_hal *h = hal();
  h->depth_command_um(h->ctx, 1500);
  FW_CHECK_EQ(h->depth_sensor_um(h->ctx), 1500);
  h->depth_command_um(h->ctx, 250);
  FW_CHECK_EQ(h->depth_sensor_um(h->ctx), 250);
}

static void no_cartridge_on_the_board(void) {
  const mnpen_hal *h = hal();
  uint8_t tx[1] = {0x10};
  uint8_t rx[8];
  FW_CHECK(!h->cart_present(h->ctx));
  FW_CHECK_EQ(h->cart_request(h->ctx, tx, sizeof tx), MNPEN_HAL_EIO);
  FW_CHECK_EQ(h->cart_ready(h->ctx), MNPEN_HAL_EIO);
  FW_CHECK_EQ(h->cart_read(h->ctx, rx, sizeof rx), MNPEN_HAL_EIO);
}

FW_SUITE(mnpen_suite_board, "board", FW_CASE(flash_geometry_matches),
         FW_CASE(flash_program_only_clears_bits), FW_CASE(flash_erase_sets_one_sector),
         FW_CASE(flash_refuses_out_of_range), FW_CASE(time_never_runs_backwards),
         FW_CASE(depth_stage_follows_command), FW_CASE(no_cartridge_on_the_board));
