/*
 * Product image entry point (mnpen.elf): bring up the board, run the
 * power-on self-test, then run the pen: mnpen_init() with the factory
 * record, and mnpen_tick() once per MNPEN_TICK_US, paced by SysTick.
 *
 * No semihosting and no printf here: this is the image that is measured
 * against the flash and RAM budget, and on a pen nothing is listening on a
 * debugger channel. Progress goes out on the board's UART0 as fixed strings
 * and plain decimal numbers: the boot, the self-test, each state the pen
 * enters, and a heartbeat (the QEMU boot test reads these lines).
 */
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "factory_record.h"
#include "mnpen/pen.h"
#include "mnpen/selftest.h"

/* Long enough for any self-test reason. */
#define ERR_LEN 48u
/* Console heartbeat every half second of pen time: shows the loop runs at
 * its period without flooding the UART. */
#define HEARTBEAT_US 500000u
#define HEARTBEAT_TICKS (HEARTBEAT_US / MNPEN_TICK_US)
/* Digits of the largest uint32_t, plus the terminator. */
#define U32_DIGITS 11u
#define DECIMAL 10u

/* The pen lives in .bss, not on the stack: its size counts against RAM in
 * the budget, and the power-on RAM test runs over the unused stack. */
static mnpen_pen pen;

/* A failed self-test: motor off, fault shown, and stay here. The pen does
 * not retry; only a new power-on (a fresh self-test) can clear it. */
static void park_on_fault(const mnpen_hal *hal) {
  hal->motor_disable(hal->ctx);
  hal->indicate(hal->ctx, MNPEN_LED_FAULT, MNPEN_TONE_ALARM);
  for (;;) {
    __asm__ volatile("wfi");
  }
}

static void put_u32(uint32_t v) {
  char buf[U32_DIGITS];
  size_t i = sizeof buf - 1u;
  buf[i] = '\0';
  do {
    buf[--i] = (char)('0' + v % DECIMAL);
    v /= DECIMAL;
  } while (v != 0u);
  mnpen_board_puts(&buf[i]);
}

static void report_state(const mnpen_pen *p) {
  mnpen_board_puts("state ");
  mnpen_board_puts(mnpen_state_name(p->state));
  if (p->state == MNPEN_STATE_FAULT) {
    mnpen_board_puts(" (");
    mnpen_board_puts(mnpen_fault_name(p->fault));
    mnpen_board_puts(")");
  }
  mnpen_board_puts("\n");
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

  mnpen_init(&pen, hal, &mnpen_factory_config);
  mnpen_board_puts("pen: init, log ");
  mnpen_board_puts(pen.log_ok ? "mounted, " : "unavailable, ");
  report_state(&pen);

  /* Start counting periods from here: the boot's own periods are not
   * overruns of the loop. */
  (void)mnpen_board_wait_tick();
  uint32_t overruns = 0u;
  mnpen_state last = pen.state;
  for (;;) {
    overruns += mnpen_board_wait_tick() - 1u;
    mnpen_tick(&pen);
    if (pen.state != last) {
      last = pen.state;
      mnpen_board_puts("pen: ");
      report_state(&pen);
    }
    if (pen.ticks % HEARTBEAT_TICKS == 0u) {
      mnpen_board_puts("pen: ");
      put_u32(pen.ticks);
      mnpen_board_puts(" ticks, ");
      report_state(&pen);
      if (overruns != 0u) {
        mnpen_board_puts("pen: overran ");
        put_u32(overruns);
        mnpen_board_puts(" periods\n");
        overruns = 0u;
      }
    }
  }
}
