/*
 * The MPS2 AN386 board port: hal.h bound to what the board (or QEMU's model
 * of it) offers, for the Cortex-M images built in this folder.
 *
 * The board is a Cortex-M4 development board, not a pen: it has no motor,
 * depth stage, battery, cartridge bus or log flash. What it has is used
 * (SysTick for time, the FPGA I/O block's LEDs and buttons, UART0 as a debug
 * console); everything else is a stub or a memory-backed emulation, so the
 * firmware links and runs unchanged. Per operation:
 *
 *   time_us            real: SysTick, one interrupt per pen control period
 *                      (MNPEN_TICK_US) plus the counter phase
 *   motor_*            stub: drive/disable ignored, current and speed read 0
 *   depth_*            emulated: the stage is at whatever was commanded
 *   battery_mv         stub: constant nominal cell voltage
 *   temperature_dc     stub: constant room temperature
 *   buttons            real: FPGA I/O push buttons 0-1 as POWER and START
 *   indicate           real: FPGA I/O user LEDs 0-1 show POWER and FAULT;
 *                      the tone is ignored (no buzzer)
 *   cart_present/xfer  stub: no cartridge, transfers fail with EIO
 *   random32           stub: xorshift mixed with the timer phase; NOT a true
 *                      random source, so cartridge nonces are predictable
 *   flash_*            emulated: NOR semantics over board PSRAM
 *                      (board_flash.c), kept across a warm reset only
 *   watchdog_*         stub: the timeout is recorded, nothing resets
 *   reset_cause        stub: always power-on
 */
#ifndef MNPEN_BOARD_H
#define MNPEN_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "mnpen/hal.h"

/* Armv7-M: 16 vector-table words before the external interrupts (initial SP,
 * reset and 14 exception slots). */
#define MNPEN_BOARD_SYSTEM_VECTORS 16u
/* AN386 wires 32 external interrupts to the NVIC (QEMU: num-irq 32). */
#define MNPEN_BOARD_IRQS 32u
/* SYSCLK of the MPS2 FPGA images, which clocks the CPU and SysTick. */
#define MNPEN_BOARD_CPU_HZ 25000000u

/* Log flash emulation geometry: 4 KiB sectors are the erase unit of common
 * serial NOR parts (e.g. Winbond W25Q series datasheets); 16 of them give
 * the log a 64 KiB ring. */
#define MNPEN_BOARD_FLASH_SECTOR_BYTES 4096u
#define MNPEN_BOARD_FLASH_SECTORS 16u

/* Starts SysTick, the debug UART and the flash emulation, and returns the
 * board's hal table (one static instance). */
const mnpen_hal *mnpen_board_init(void);

/* The same table, for code that runs after mnpen_board_init(). */
const mnpen_hal *mnpen_board_hal(void);

/* Sleeps (WFI) until a SysTick period begins that the caller has not seen
 * yet, and returns how many began since the previous call: 1 when the
 * caller kept up with the MNPEN_TICK_US period, more when it overran. The
 * first call counts from mnpen_board_init(). */
uint32_t mnpen_board_wait_tick(void);

/* Writes a NUL-terminated string to UART0 (the console QEMU shows with
 * -nographic); blocking, no formatting. */
void mnpen_board_puts(const char *s);

/* The part of the stack reservation below the caller's frame less a
 * headroom for the self-test's own calls: main() has not reached it yet at
 * boot, so the power-on RAM test runs over it and costs no RAM of its own.
 * Call from main() before anything deep. */
void mnpen_board_ram_scratch(uint32_t **words, size_t *count);

/* Flash emulation (board_flash.c), the hal's flash operations. */
void mnpen_board_flash_init(void);
int mnpen_board_flash_read(void *ctx, uint32_t addr, void *buf, size_t len);
int mnpen_board_flash_program_start(void *ctx, uint32_t addr, const void *buf, size_t len);
int mnpen_board_flash_erase_start(void *ctx, uint32_t sector);
int mnpen_board_flash_busy(void *ctx);

#endif /* MNPEN_BOARD_H */
