/*
 * Self-test image entry point (mnpen-selftest.elf), booted in QEMU by the
 * CTest test firmware_qemu: runs the power-on self-test on the board, then
 * every firmware test suite (firmware/tests/test_*.c, listed at configure
 * time in the generated suites.c) and the board's own suite, prints through
 * semihosting, and exits QEMU with status 0 only when everything passed.
 *
 * Semihosting (newlib's rdimon) is allowed here and only here: the product
 * image mnpen.elf must run without a debugger attached.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board.h"
#include "fwtest.h"
#include "mnpen/selftest.h"
#include "suites.h"

#define ERR_LEN 64u
/* Exit statuses beyond pass (0) / a test failed (1). */
#define EXIT_SELFTEST_FAILED 2
#define EXIT_FAULT 3

void initialise_monitor_handles(void);

/* newlib's exit() runs the fini hooks, which the toolchain's crti/crtn
 * objects would supply; the image links without start files (startup.c is
 * its start file) and has nothing to finalise. */
void _init(void);
void _fini(void);
void _init(void) {}
void _fini(void) {}

void fwtest_print(const char *s) {
  (void)write(STDOUT_FILENO, s, strlen(s));
}

/* Any fault in a test ends the run at once, visibly, instead of parking the
 * CPU until CTest's timeout. */
static void fault_exit(const char *what) {
  fwtest_print("FAULT: ");
  fwtest_print(what);
  fwtest_print("\n");
  _exit(EXIT_FAULT);
}

void HardFault_Handler(void);
void HardFault_Handler(void) {
  fault_exit("hard fault");
}
void MemManage_Handler(void);
void MemManage_Handler(void) {
  fault_exit("memory management fault");
}
void BusFault_Handler(void);
void BusFault_Handler(void) {
  fault_exit("bus fault");
}
void UsageFault_Handler(void);
void UsageFault_Handler(void) {
  fault_exit("usage fault");
}

static void print_uint(unsigned v) {
  char buf[12];
  size_t i = sizeof buf - 1u;
  buf[i] = '\0';
  do {
    buf[--i] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v != 0u && i > 0u);
  fwtest_print(&buf[i]);
}

int main(void) {
  initialise_monitor_handles();
  const mnpen_hal *hal = mnpen_board_init();
  fwtest_print("mnpen-selftest: MPS2 AN386 (Cortex-M4)\n");

  uint32_t *scratch;
  size_t words;
  mnpen_board_ram_scratch(&scratch, &words);
  mnpen_selftest_ram ram;
  mnpen_selftest_ram_direct(&ram, scratch, words);
  char err[ERR_LEN];
  if (mnpen_selftest_run(hal, &ram, err, sizeof err) != MNPEN_SELFTEST_OK) {
    fwtest_print("power-on self-test FAILED: ");
    fwtest_print(err);
    fwtest_print("\n");
    exit(EXIT_SELFTEST_FAILED);
  }
  fwtest_print("power-on self-test: ok\n");

  for (size_t i = 0; i < mnpen_port_suite_count; i++) {
    (void)fwtest_run(mnpen_port_suites[i]);
  }
  unsigned passed;
  unsigned failed;
  fwtest_totals(&passed, &failed);
  print_uint(passed);
  fwtest_print(" passed, ");
  print_uint(failed);
  fwtest_print(" failed\n");
  exit(failed == 0u && passed > 0u ? EXIT_SUCCESS : EXIT_FAILURE);
}
