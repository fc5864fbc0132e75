/*
 * Product image entry point (mnpen.elf): bring up the board, run the
 * power-on self-test, then hand over to the pen.
 *
 * No semihosting and no printf here: this is the image that is measured
 * against the flash and RAM budget, and on a pen nothing is listening on a
 * debugger channel. Progress goes out on the board's UART0 as fixed strings.
 */
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "mnpen/selftest.h"

/* Long enough for any self-test reason. */
#define ERR_LEN 48u

/* A failed self-test: motor off, fault shown, and stay here. The pen does
 * not retry; only a new power-on (a fresh self-test) can clear it. */
static void park_on_fault(const mnpen_hal *hal) {
  hal->motor_disable(hal->ctx);
  hal->indicate(hal->ctx, MNPEN_LED_FAULT, MNPEN_TONE_ALARM);
  for (;;) {
    __asm__ volatile("wfi");
  }
}

int main(void) {
  const mnpen_hal *hal = mnpen_board_init();
  hal->motor_disable(hal->ctx);
  mnpen_board_puts("mnpen: boot\n");

  uint32_t *scratch;
  size_t words;
  mnpen_board_ram_scratch(&scratch, &words);
  mnpen_selftest_ram ram;
  mnpen_selftest_ram_direct(&ram, scratch, words);
  char err[ERR_LEN];
  if (mnpen_selftest_run(hal, &ram, err, sizeof err) != MNPEN_SELFTEST_OK) {
    mnpen_board_puts(err);
    mnpen_board_puts("\n");
    park_on_fault(hal);
  }
  mnpen_board_puts("mnpen: self-test ok\n");
  hal->indicate(hal->ctx, MNPEN_LED_POWER, MNPEN_TONE_NONE);

  /* ================================================================
   * PEN MAIN LOOP: call mnpen_init(&pen, hal, &config) once here and
   * mnpen_tick(&pen) on every control period inside the loop (pen.h).
   * Until then the board idles with the motor disabled.
   * ================================================================ */
  for (;;) {
    __asm__ volatile("wfi");
  }
}
