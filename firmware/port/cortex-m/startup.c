/*
 * Cortex-M4 startup for the MPS2 AN386 board: the vector table, the reset
 * handler that builds the C environment (.data copied from code memory,
 * .bss zeroed) before main(), and default exception handlers.
 *
 * Every handler is a weak alias of one default handler, so a board file or
 * an image (the self-test reports faults through semihosting) overrides
 * just the ones it needs by defining a function of the same name.
 */
#include <stdint.h>

#include "board.h"

/* Linker-script symbols (mps2_an386.ld). Only their addresses matter. */
extern uint32_t __data_start__[];
extern uint32_t __data_end__[];
extern uint32_t __data_load__[];
extern uint32_t __bss_start__[];
extern uint32_t __bss_end__[];
extern uint32_t __stack_end__[];

int main(void);

void mnpen_reset_handler(void);
void mnpen_default_handler(void);

/* Names the board and images may override. */
void NMI_Handler(void) __attribute__((weak, alias("mnpen_default_handler")));
void HardFault_Handler(void) __attribute__((weak, alias("mnpen_default_handler")));
void MemManage_Handler(void) __attribute__((weak, alias("mnpen_default_handler")));
void BusFault_Handler(void) __attribute__((weak, alias("mnpen_default_handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("mnpen_default_handler")));
void SVC_Handler(void) __attribute__((weak, alias("mnpen_default_handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("mnpen_default_handler")));
void PendSV_Handler(void) __attribute__((weak, alias("mnpen_default_handler")));
void SysTick_Handler(void) __attribute__((weak, alias("mnpen_default_handler")));
void Board_IRQHandler(void) __attribute__((weak, alias("mnpen_default_handler")));

typedef void (*mnpen_vector)(void);

/* Armv7-M vector table: initial stack pointer, then the 15 system exception
 * slots (reserved ones 0) and the board's external interrupts, none of which
 * the firmware enables. */
typedef struct {
  uint32_t *initial_sp;
  mnpen_vector handlers[MNPEN_BOARD_SYSTEM_VECTORS - 1u + MNPEN_BOARD_IRQS];
} mnpen_vector_table;

__attribute__((section(".vectors"), used)) static const mnpen_vector_table mnpen_vectors = {
    __stack_end__,
    {
        mnpen_reset_handler,
        NMI_Handler,
        HardFault_Handler,
        MemManage_Handler,
        BusFault_Handler,
        UsageFault_Handler,
        0,
        0,
        0,
        0,
        SVC_Handler,
        DebugMon_Handler,
        0,
        PendSV_Handler,
        SysTick_Handler,
        [MNPEN_BOARD_SYSTEM_VECTORS - 1u ... MNPEN_BOARD_SYSTEM_VECTORS - 2u + MNPEN_BOARD_IRQS] =
            Board_IRQHandler,
    }};

void mnpen_reset_handler(void) {
  /* Word copies through volatile pointers, so the compiler cannot turn the
   * loops into memcpy/memset calls that would run before .data exists. */
  volatile uint32_t *dst = __data_start__;
  const volatile uint32_t *src = __data_load__;
  while (dst < __data_end__) {
    *dst++ = *src++;
  }
  for (volatile uint32_t *p = __bss_start__; p < __bss_end__; p++) {
    *p = 0u;
  }
  (void)main();
  /* main() never returns on the pen; if it does, stop here in the safe
   * state the reset left the outputs in. */
  for (;;) {
    __asm__ volatile("wfi");
  }
}

void mnpen_default_handler(void) {
  /* An unexpected exception: park. On a pen the watchdog then resets the
   * MCU, whose reset state leaves the motor bridge disabled. */
  for (;;) {
    __asm__ volatile("nop");
  }
}
