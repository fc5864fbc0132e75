/*
 * The MPS2 AN386 board's hal table: SysTick time base, FPGA I/O LEDs and
 * buttons, a UART0 debug console, and stubs for the pen hardware the board
 * lacks (the list of which is real and which is a stub is in board.h).
 *
 * Register addresses and bit positions come from the Armv7-M Architecture
 * Reference Manual (SysTick, SCB) and Arm AN386 / the CMSDK peripheral
 * documentation (UART, FPGA I/O), matching QEMU's mps2-an386 model.
 */
#include "board.h"

#include "mnpen/limits.h"

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* SysTick and the interrupt control register (Armv7-M ARM, B3.3, B3.2). */
#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)
#define SYST_CSR_CLKSOURCE_CPU (1u << 2)
#define SCB_ICSR REG32(0xE000ED04u)
#define SCB_ICSR_PENDSTSET (1u << 26)

/* CMSDK APB UART0 (AN386 memory map). */
#define UART0_BASE 0x40004000u
#define UART_DATA REG32(UART0_BASE + 0x00u)
#define UART_STATE REG32(UART0_BASE + 0x04u)
#define UART_CTRL REG32(UART0_BASE + 0x08u)
#define UART_BAUDDIV REG32(UART0_BASE + 0x10u)
#define UART_STATE_TX_FULL (1u << 0)
#define UART_CTRL_TX_EN (1u << 0)
#define UART_BAUD 115200u

/* FPGA I/O block: two user LEDs and two user push buttons. */
#define FPGAIO_BASE 0x40028000u
#define FPGAIO_LED0 REG32(FPGAIO_BASE + 0x00u)
#define FPGAIO_BUTTON REG32(FPGAIO_BASE + 0x08u)
#define FPGAIO_LED_POWER (1u << 0)
#define FPGAIO_LED_FAULT (1u << 1)
#define FPGAIO_BUTTON_0 (1u << 0)
#define FPGAIO_BUTTON_1 (1u << 1)

#define US_PER_S 1000000u
#define CPU_CYCLES_PER_US (MNPEN_BOARD_CPU_HZ / US_PER_S)
/* One SysTick interrupt per control period of the pen, so the main loop
 * sleeps until the next tick is due (mnpen_board_wait_tick). */
#define SYSTICK_PERIOD_US MNPEN_TICK_US
#define SYSTICK_RELOAD (CPU_CYCLES_PER_US * SYSTICK_PERIOD_US - 1u)
_Static_assert(SYSTICK_RELOAD <= 0xFFFFFFu, "SysTick's reload register has 24 bits");

/* Stub readings (see board.h): a Li-ion cell's nominal 3.7 V and a room
 * temperature of 25.0 degC, chosen only to sit inside any sane range check. */
#define STUB_BATTERY_MV 3700u
#define STUB_TEMPERATURE_DC 250

/* xorshift32 state must never be zero; any odd constant seeds it. */
#define RNG_SEED 0x2545F491u

typedef struct {
  int32_t depth_um;
  uint32_t rng;
  uint32_t watchdog_timeout_us;
  bool watchdog_running;
} board_state;

/* SysTick periods since mnpen_board_init(), and how many of them the main
 * loop has seen (mnpen_board_wait_tick). */
static volatile uint32_t systick_periods;
static uint32_t periods_seen;
static board_state state;

void SysTick_Handler(void);
void SysTick_Handler(void) {
  systick_periods++;
}

static uint32_t board_time_us(void *ctx) {
  (void)ctx;
  uint32_t before;
  uint32_t periods;
  uint32_t val;
  do {
    before = systick_periods;
    periods = before;
    val = SYST_CVR;
    /* The counter may have reloaded with its interrupt still pending (we
     * run with it masked or from a higher-priority handler): the phase then
     * already belongs to the next period. */
    if ((SCB_ICSR & SCB_ICSR_PENDSTSET) != 0u) {
      val = SYST_CVR;
      periods++;
    }
  } while (before != systick_periods);
  /* Unsigned wrap of the product is intended: time_us wraps every 2^32 us,
   * and the period count's own wrap is a multiple of that. */
  return periods * SYSTICK_PERIOD_US + (SYSTICK_RELOAD - val) / CPU_CYCLES_PER_US;
}

static void board_motor_drive(void *ctx, uint16_t duty) {
  (void)ctx;
  (void)duty;
}

static void board_motor_disable(void *ctx) {
  (void)ctx;
}

static int32_t board_motor_current_ma(void *ctx) {
  (void)ctx;
  return 0;
}

static uint32_t board_motor_speed_mhz(void *ctx) {
  (void)ctx;
  return 0u;
}

static void board_depth_command_um(void *ctx, int32_t target_um) {
  ((board_state *)ctx)->depth_um = target_um;
}

static int32_t board_depth_sensor_um(void *ctx) {
  return ((board_state *)ctx)->depth_um;
}

static uint16_t board_battery_mv(void *ctx) {
  (void)ctx;
  return STUB_BATTERY_MV;
}

static int16_t board_temperature_dc(void *ctx) {
  (void)ctx;
  return STUB_TEMPERATURE_DC;
}

static uint8_t board_buttons(void *ctx) {
  (void)ctx;
  uint32_t raw = FPGAIO_BUTTON;
  uint8_t held = 0u;
  if ((raw & FPGAIO_BUTTON_0) != 0u) {
    held |= MNPEN_BTN_POWER;
  }
  if ((raw & FPGAIO_BUTTON_1) != 0u) {
    held |= MNPEN_BTN_START;
  }
  return held;
}

static void board_indicate(void *ctx, uint8_t leds, mnpen_tone tone) {
  (void)ctx;
  (void)tone;
  uint32_t out = 0u;
  if ((leds & MNPEN_LED_POWER) != 0u) {
    out |= FPGAIO_LED_POWER;
  }
  if ((leds & MNPEN_LED_FAULT) != 0u) {
    out |= FPGAIO_LED_FAULT;
  }
  FPGAIO_LED0 = out;
}

static bool board_cart_present(void *ctx) {
  (void)ctx;
  return false;
}

/* No cartridge bus on the board: no chip takes a request or answers. */
static int board_cart_request(void *ctx, const uint8_t *tx, size_t tx_len) {
  (void)ctx;
  (void)tx;
  (void)tx_len;
  return MNPEN_HAL_EIO;
}

static int board_cart_ready(void *ctx) {
  (void)ctx;
  return MNPEN_HAL_EIO;
}

static int board_cart_read(void *ctx, uint8_t *rx, size_t rx_len) {
  (void)ctx;
  (void)rx;
  (void)rx_len;
  return MNPEN_HAL_EIO;
}

static uint32_t board_random32(void *ctx) {
  board_state *s = ctx;
  uint32_t x = s->rng ^ SYST_CVR;
  if (x == 0u) {
    x = RNG_SEED;
  }
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  s->rng = x;
  return x;
}

static void board_watchdog_start(void *ctx, uint32_t timeout_us) {
  board_state *s = ctx;
  s->watchdog_timeout_us = timeout_us;
  s->watchdog_running = true;
}

static void board_watchdog_kick(void *ctx) {
  (void)ctx;
}

static mnpen_reset_cause board_reset_cause(void *ctx) {
  (void)ctx;
  return MNPEN_RESET_POWER_ON;
}

static const mnpen_hal board_hal = {
    .ctx = &state,
    .time_us = board_time_us,
    .motor_drive = board_motor_drive,
    .motor_disable = board_motor_disable,
    .motor_current_ma = board_motor_current_ma,
    .motor_speed_mhz = board_motor_speed_mhz,
    .depth_command_um = board_depth_command_um,
    .depth_sensor_um = board_depth_sensor_um,
    .battery_mv = board_battery_mv,
    .temperature_dc = board_temperature_dc,
    .buttons = board_buttons,
    .indicate = board_indicate,
    .cart_present = board_cart_present,
    .cart_request = board_cart_request,
    .cart_ready = board_cart_ready,
    .cart_read = board_cart_read,
    .random32 = board_random32,
    .flash_sector_bytes = MNPEN_BOARD_FLASH_SECTOR_BYTES,
    .flash_sectors = MNPEN_BOARD_FLASH_SECTORS,
    .flash_read = mnpen_board_flash_read,
    .flash_program_start = mnpen_board_flash_program_start,
    .flash_erase_start = mnpen_board_flash_erase_start,
    .flash_busy = mnpen_board_flash_busy,
    .watchdog_start = board_watchdog_start,
    .watchdog_kick = board_watchdog_kick,
    .reset_cause = board_reset_cause,
};

const mnpen_hal *mnpen_board_init(void) {
  state.depth_um = 0;
  state.rng = RNG_SEED;
  state.watchdog_timeout_us = 0u;
  state.watchdog_running = false;

  SYST_CSR = 0u;
  systick_periods = 0u;
  periods_seen = 0u;
  SYST_RVR = SYSTICK_RELOAD;
  SYST_CVR = 0u;
  SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE_CPU;

  UART_BAUDDIV = MNPEN_BOARD_CPU_HZ / UART_BAUD;
  UART_CTRL = UART_CTRL_TX_EN;

  mnpen_board_flash_init();
  return &board_hal;
}

const mnpen_hal *mnpen_board_hal(void) {
  return &board_hal;
}

uint32_t mnpen_board_wait_tick(void) {
  uint32_t now;
  for (;;) {
    /* Check and sleep with interrupts masked: a SysTick that fires between
     * the check and the WFI stays pending, and a pending interrupt wakes WFI
     * even while masked, so no period is slept through. Unmasking then runs
     * the handler. */
    __asm__ volatile("cpsid i" ::: "memory");
    now = systick_periods;
    if (now != periods_seen) {
      __asm__ volatile("cpsie i" ::: "memory");
      break;
    }
    __asm__ volatile("wfi" ::: "memory");
    __asm__ volatile("cpsie i" ::: "memory");
  }
  uint32_t began = now - periods_seen;
  periods_seen = now;
  return began;
}

void mnpen_board_puts(const char *s) {
  for (; *s != '\0'; s++) {
    while ((UART_STATE & UART_STATE_TX_FULL) != 0u) {
    }
    UART_DATA = (uint8_t)*s;
  }
}

extern uint32_t __stack_start__[];

/* Stack left untouched below the caller's frame for the self-test's own
 * calls. Its deepest path, the SHA-256 known-answer test, takes about 500 B
 * (gcc -fstack-usage, -Os); twice that is kept. */
#define SCRATCH_HEADROOM_BYTES 1024u

void mnpen_board_ram_scratch(uint32_t **words, size_t *count) {
  uintptr_t sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  const uintptr_t lo = (uintptr_t)__stack_start__;
  const uintptr_t hi = sp > lo + SCRATCH_HEADROOM_BYTES ? sp - SCRATCH_HEADROOM_BYTES : lo;
  *words = __stack_start__;
  *count = (size_t)(hi - lo) / sizeof(uint32_t);
}
