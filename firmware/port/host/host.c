/*
 * Host port: the board around the firmware, made of the pen's physics; see
 * include/mnpen_host/host.h for what it emulates and why.
 *
 * Peripheral fidelity, where it matters to the firmware's decisions:
 *   - the encoder capture timer measures the period between the last two
 *     encoder edges with a 1 MHz clock and reports 0 when no edge came
 *     within the timeout, as a timer-capture speed measurement does;
 *   - the current and voltage ADCs round to whole mA and mV;
 *   - the flash is NOR: programming ANDs bytes in, erase sets 0xFF, and a
 *     power cut stops an operation after any byte, leaving the last one
 *     half-programmed (some of its bits cleared);
 *   - a watchdog reset and a power cut both open the motor bridge at once
 *     (its gate drivers come out of reset disabled);
 *   - program and erase are started and then polled (the status register's
 *     WIP bit), the cartridge chip is sent a request and polled until its
 *     answer is ready, each busy for its datasheet time.
 */
#include "mnpen_host/host.h"

#include <stdlib.h>
#include <string.h>

#include "plant/plant.h"

struct mnpen_host {
  mnpen_hal hal;
  const mnpen_config *cfg;
  mn_plant *plant;
  mnpen_pen pen;
  mnpen_host_options opt;

  uint8_t *flash;
  uint32_t flash_bytes;
  uint32_t flash_written; /* bytes programmed or erased since create */
  uint32_t cut_after;     /* armed power cut: bytes left, 0 = disarmed */
  int cut_armed;

  int flash_in_flight;   /* an operation was started and not yet polled done */
  int flash_op_rc;       /* its outcome */
  double flash_done_at;  /* plant time it completes */
  uint32_t flash_erases; /* erases started since create */
  uint32_t flash_programs;

  mnpen_cartchip *chip;
  uint8_t cart_req[1u + MNPEN_CART_NONCE_LEN];
  size_t cart_req_len;
  int cart_pending;    /* a request is out, its answer not read */
  double cart_done_at; /* plant time the answer is ready */

  mnpen_host_work tick_work; /* of the tick under way */
  mnpen_host_work max_work;
  uint8_t buttons;
  uint8_t leds;
  uint64_t rng;

  double encoder_scale; /* injected speed-sensor fault; 1 when healthy */
  int powered;
  int hung;
  mnpen_reset_cause cause;
  int watchdog_on;
  uint32_t watchdog_timeout_us;
  double watchdog_last_kick;
  uint32_t resets;
};

static mnpen_host *H(void *ctx) {
  return (mnpen_host *)ctx;
}

static uint32_t hal_time_us(void *ctx) {
  return (uint32_t)(uint64_t)(mn_plant_time_s(H(ctx)->plant) * 1e6 + 0.5);
}

static void hal_motor_drive(void *ctx, uint16_t duty) {
  mn_plant_drive(H(ctx)->plant, (double)duty / MNPEN_DUTY_FULL, 1);
}

static void hal_motor_disable(void *ctx) {
  mn_plant_drive(H(ctx)->plant, 0.0, 0);
}

static int32_t round_i32(double v) {
  return (int32_t)(v >= 0.0 ? v + 0.5 : v - 0.5);
}

static int32_t hal_motor_current_ma(void *ctx) {
  return round_i32(mn_plant_current_a(H(ctx)->plant) * 1e3);
}

static uint32_t hal_motor_speed_mhz(void *ctx) {
  mnpen_host *h = H(ctx);
  uint64_t edges;
  double t_last, t_prev;
  mn_plant_encoder(h->plant, &edges, &t_last, &t_prev);
  double now = mn_plant_time_s(h->plant);
  if (edges < 2 || t_prev < 0.0 || (now - t_last) * 1e6 > h->opt.encoder_timeout_us) {
    return 0;
  }
  /* Capture timer: both edge times latched on a 1 MHz clock. */
  uint64_t c_last = (uint64_t)(t_last * 1e6);
  uint64_t c_prev = (uint64_t)(t_prev * 1e6);
  if (c_last <= c_prev) {
    return 0;
  }
  unsigned per_rev = mn_plant_params_of(h->plant)->encoder_edges_per_rev;
  /* One stroke per revolution: rate = 1 / (period x edges per rev). */
  return (uint32_t)(h->encoder_scale * 1e9 / ((double)(c_last - c_prev) * per_rev) + 0.5);
}

static void hal_depth_command_um(void *ctx, int32_t um) {
  mn_plant_depth_command(H(ctx)->plant, um * 1e-6);
}

static int32_t hal_depth_sensor_um(void *ctx) {
  return round_i32(mn_plant_depth_sensor_m(H(ctx)->plant) * 1e6);
}

static uint16_t hal_battery_mv(void *ctx) {
  double mv = mn_plant_battery_terminal_v(H(ctx)->plant) * 1e3;
  return (uint16_t)(mv <= 0.0 ? 0 : (mv >= 65535.0 ? 65535 : mv + 0.5));
}

static int16_t hal_temperature_dc(void *ctx) {
  return (int16_t)round_i32(mn_plant_temperature_c(H(ctx)->plant) * 10.0);
}

static uint8_t hal_buttons(void *ctx) {
  return H(ctx)->buttons;
}

static void hal_indicate(void *ctx, uint8_t leds, mnpen_tone tone) {
  (void)tone;
  H(ctx)->leds = leds;
}

static bool hal_cart_present(void *ctx) {
  return H(ctx)->chip != NULL;
}

static double now_s(const mnpen_host *h) {
  return mn_plant_time_s(h->plant);
}

/* How long the chip computes its answer to a request. */
static uint32_t chip_busy_us(const mnpen_host *h, uint8_t cmd) {
  switch (cmd) {
  case MNPEN_CART_CMD_CHALLENGE:
    return h->opt.chip_mac_us;
  case MNPEN_CART_CMD_BURN:
    return h->opt.chip_burn_us;
  default:
    return h->opt.chip_read_us;
  }
}

static int hal_cart_request(void *ctx, const uint8_t *tx, size_t tx_len) {
  mnpen_host *h = H(ctx);
  h->tick_work.cart_ops++;
  h->cart_pending = 0;
  if (h->chip == NULL || tx_len == 0 || tx_len > sizeof h->cart_req) {
    return MNPEN_HAL_EIO;
  }
  memcpy(h->cart_req, tx, tx_len);
  h->cart_req_len = tx_len;
  h->cart_pending = 1;
  h->cart_done_at = now_s(h) + chip_busy_us(h, tx[0]) * 1e-6;
  return MNPEN_HAL_OK;
}

static int hal_cart_ready(void *ctx) {
  mnpen_host *h = H(ctx);
  h->tick_work.cart_ops++;
  if (h->chip == NULL || !h->cart_pending) {
    return MNPEN_HAL_EIO;
  }
  return now_s(h) < h->cart_done_at ? MNPEN_HAL_BUSY : MNPEN_HAL_OK;
}

static int hal_cart_read(void *ctx, uint8_t *rx, size_t rx_len) {
  mnpen_host *h = H(ctx);
  h->tick_work.cart_reads++;
  if (h->chip == NULL || !h->cart_pending || now_s(h) < h->cart_done_at) {
    h->tick_work.busy_refusals += h->chip != NULL && h->cart_pending;
    return MNPEN_HAL_EIO;
  }
  h->cart_pending = 0;
  return mnpen_cartchip_xfer(h->chip, h->cart_req, h->cart_req_len, rx, rx_len);
}

static uint32_t hal_random32(void *ctx) {
  /* xorshift64*: a deterministic stand-in for the TRNG, so runs repeat. */
  mnpen_host *h = H(ctx);
  h->rng ^= h->rng >> 12;
  h->rng ^= h->rng << 25;
  h->rng ^= h->rng >> 27;
  return (uint32_t)((h->rng * 2685821657736338717ull) >> 32);
}

static int flash_range(const mnpen_host *h, uint32_t addr, size_t len) {
  return addr <= h->flash_bytes && len <= h->flash_bytes - addr;
}

/* Counts one byte of flash work; returns 0 when the supply dies on it. */
static int flash_tick(mnpen_host *h) {
  h->flash_written++;
  if (h->cut_armed) {
    if (h->cut_after == 0) {
      return 0;
    }
    h->cut_after--;
  }
  return 1;
}

static void power_fail(mnpen_host *h) {
  h->powered = 0;
  h->cut_armed = 0;
  mn_plant_drive(h->plant, 0.0, 0);
}

/* The status register's WIP bit: set from a start until the busy time has
 * passed. */
static int flash_wip(const mnpen_host *h) {
  return h->flash_in_flight && now_s(h) < h->flash_done_at;
}

static int hal_flash_read(void *ctx, uint32_t addr, void *buf, size_t len) {
  mnpen_host *h = H(ctx);
  h->tick_work.flash_bytes += (uint32_t)len;
  if (flash_wip(h)) {
    h->tick_work.busy_refusals++;
    return MNPEN_HAL_EBUSY;
  }
  if (!flash_range(h, addr, len)) {
    return MNPEN_HAL_ERANGE;
  }
  memcpy(buf, h->flash + addr, len);
  return MNPEN_HAL_OK;
}

static int flash_program(mnpen_host *h, uint32_t addr, const void *buf, size_t len) {
  if (!h->powered) {
    return MNPEN_HAL_EPOWER;
  }
  if (!flash_range(h, addr, len)) {
    return MNPEN_HAL_ERANGE;
  }
  const uint8_t *src = buf;
  for (size_t i = 0; i < len; i++) {
    if (!flash_tick(h)) {
      /* Cut mid-byte: only some of the bits that were to clear did. */
      h->flash[addr + i] &= (uint8_t)(src[i] | 0xF0u);
      power_fail(h);
      return MNPEN_HAL_EPOWER;
    }
    h->flash[addr + i] &= src[i];
  }
  return MNPEN_HAL_OK;
}

static int flash_erase(mnpen_host *h, uint32_t sector) {
  if (!h->powered) {
    return MNPEN_HAL_EPOWER;
  }
  if (sector >= h->hal.flash_sectors) {
    return MNPEN_HAL_ERANGE;
  }
  uint8_t *s = h->flash + (size_t)sector * h->hal.flash_sector_bytes;
  for (uint32_t i = 0; i < h->hal.flash_sector_bytes; i++) {
    if (!flash_tick(h)) {
      power_fail(h);
      return MNPEN_HAL_EPOWER;
    }
    s[i] = 0xFFu;
  }
  return MNPEN_HAL_OK;
}

/* Starts an operation whose bytes already changed as rc says; a request the
 * device refuses outright starts nothing. */
static int flash_begin(mnpen_host *h, int rc, uint32_t busy_us) {
  if (rc == MNPEN_HAL_ERANGE || !h->powered) {
    return rc;
  }
  h->flash_in_flight = 1;
  h->flash_op_rc = rc;
  h->flash_done_at = now_s(h) + busy_us * 1e-6;
  return MNPEN_HAL_OK;
}

static int hal_flash_program_start(void *ctx, uint32_t addr, const void *buf, size_t len) {
  mnpen_host *h = H(ctx);
  h->tick_work.flash_ops++;
  if (flash_wip(h)) {
    h->tick_work.busy_refusals++;
    return MNPEN_HAL_EBUSY;
  }
  h->flash_programs++;
  return flash_begin(h, flash_program(h, addr, buf, len), h->opt.flash_program_us);
}

static int hal_flash_erase_start(void *ctx, uint32_t sector) {
  mnpen_host *h = H(ctx);
  h->tick_work.flash_ops++;
  if (flash_wip(h)) {
    h->tick_work.busy_refusals++;
    return MNPEN_HAL_EBUSY;
  }
  h->flash_erases++;
  return flash_begin(h, flash_erase(h, sector), h->opt.flash_erase_us);
}

static int hal_flash_busy(void *ctx) {
  mnpen_host *h = H(ctx);
  h->tick_work.flash_ops++;
  if (flash_wip(h)) {
    return MNPEN_HAL_BUSY;
  }
  h->flash_in_flight = 0;
  return h->flash_op_rc;
}

static void hal_watchdog_start(void *ctx, uint32_t timeout_us) {
  mnpen_host *h = H(ctx);
  h->watchdog_on = 1;
  h->watchdog_timeout_us = timeout_us;
  h->watchdog_last_kick = mn_plant_time_s(h->plant);
}

static void hal_watchdog_kick(void *ctx) {
  mnpen_host *h = H(ctx);
  h->watchdog_last_kick = mn_plant_time_s(h->plant);
}

static mnpen_reset_cause hal_reset_cause(void *ctx) {
  return H(ctx)->cause;
}

/* A full ring of old BOOT records, in slot order with rising seqs, as the
 * firmware would have left it after a wrap. */
static void fill_log(uint8_t *flash, uint32_t bytes) {
  for (uint32_t slot = 0; slot < bytes / MNPEN_LOG_RECORD_BYTES; slot++) {
    mnpen_log_record r = {0};
    r.seq = slot;
    r.time_ms = slot;
    r.type = MNPEN_LOG_BOOT;
    mnpen_log_encode(&r, flash + (size_t)slot * MNPEN_LOG_RECORD_BYTES);
  }
}

int mnpen_host_create(mnpen_host **out, const mn_plant_params *plant, const mnpen_config *cfg,
                      const mnpen_host_options *opt, char *err, size_t errlen) {
  *out = NULL;
  if (opt->flash_sector_bytes == 0 || opt->flash_sectors == 0) {
    if (errlen) {
      err[0] = '\0';
      strncat(err, "host port: flash geometry must be non-zero", errlen - 1);
    }
    return MNPEN_HOST_EPARAM;
  }
  mnpen_host *h = calloc(1, sizeof *h);
  if (h == NULL) {
    return MNPEN_HOST_ENOMEM;
  }
  int rc = mn_plant_create(&h->plant, plant, err, errlen);
  if (rc != 0) {
    free(h);
    return rc == MN_PLANT_ENOMEM ? MNPEN_HOST_ENOMEM : MNPEN_HOST_EPARAM;
  }
  h->flash_bytes = opt->flash_sector_bytes * opt->flash_sectors;
  h->flash = malloc(h->flash_bytes);
  if (h->flash == NULL) {
    mn_plant_destroy(&h->plant);
    free(h);
    return MNPEN_HOST_ENOMEM;
  }
  memset(h->flash, 0xFF, h->flash_bytes);
  if (opt->flash_full) {
    fill_log(h->flash, h->flash_bytes);
  }
  h->cfg = cfg;
  h->opt = *opt;
  h->encoder_scale = 1.0;
  h->rng = opt->seed ? opt->seed : 0x9E3779B97F4A7C15ull;
  h->hal = (mnpen_hal){
      .ctx = h,
      .time_us = hal_time_us,
      .motor_drive = hal_motor_drive,
      .motor_disable = hal_motor_disable,
      .motor_current_ma = hal_motor_current_ma,
      .motor_speed_mhz = hal_motor_speed_mhz,
      .depth_command_um = hal_depth_command_um,
      .depth_sensor_um = hal_depth_sensor_um,
      .battery_mv = hal_battery_mv,
      .temperature_dc = hal_temperature_dc,
      .buttons = hal_buttons,
      .indicate = hal_indicate,
      .cart_present = hal_cart_present,
      .cart_request = hal_cart_request,
      .cart_ready = hal_cart_ready,
      .cart_read = hal_cart_read,
      .random32 = hal_random32,
      .flash_sector_bytes = opt->flash_sector_bytes,
      .flash_sectors = opt->flash_sectors,
      .flash_read = hal_flash_read,
      .flash_program_start = hal_flash_program_start,
      .flash_erase_start = hal_flash_erase_start,
      .flash_busy = hal_flash_busy,
      .watchdog_start = hal_watchdog_start,
      .watchdog_kick = hal_watchdog_kick,
      .reset_cause = hal_reset_cause,
  };
  *out = h;
  return MNPEN_HOST_OK;
}

void mnpen_host_destroy(mnpen_host **hp) {
  if (hp == NULL || *hp == NULL) {
    return;
  }
  mnpen_host *h = *hp;
  mn_plant_destroy(&h->plant);
  free(h->flash);
  free(h);
  *hp = NULL;
}

static void boot(mnpen_host *h, mnpen_reset_cause cause) {
  /* A reset ends whatever the devices were doing for the old firmware. */
  h->flash_in_flight = 0;
  h->flash_op_rc = MNPEN_HAL_OK;
  h->cart_pending = 0;
  h->powered = 1;
  h->hung = 0;
  h->cause = cause;
  h->watchdog_on = 0;
  mnpen_init(&h->pen, &h->hal, h->cfg);
}

void mnpen_host_power_on(mnpen_host *h) {
  boot(h, MNPEN_RESET_POWER_ON);
}

static uint32_t max_u32(uint32_t a, uint32_t b) {
  return a > b ? a : b;
}

void mnpen_host_step(mnpen_host *h) {
  if (h->powered && !h->hung) {
    h->tick_work = (mnpen_host_work){0};
    mnpen_tick(&h->pen);
    h->max_work.flash_ops = max_u32(h->max_work.flash_ops, h->tick_work.flash_ops);
    h->max_work.flash_bytes = max_u32(h->max_work.flash_bytes, h->tick_work.flash_bytes);
    h->max_work.cart_ops = max_u32(h->max_work.cart_ops, h->tick_work.cart_ops);
    h->max_work.cart_reads = max_u32(h->max_work.cart_reads, h->tick_work.cart_reads);
    h->max_work.busy_refusals += h->tick_work.busy_refusals;
  }
  mn_plant_advance(h->plant, MNPEN_TICK_US * 1e-6);
  if (h->powered && h->watchdog_on &&
      (mn_plant_time_s(h->plant) - h->watchdog_last_kick) * 1e6 >= h->watchdog_timeout_us) {
    /* Reset: the bridge drops out with the MCU, then the firmware boots. */
    mn_plant_drive(h->plant, 0.0, 0);
    h->resets++;
    boot(h, MNPEN_RESET_WATCHDOG);
  }
}

void mnpen_host_set_buttons(mnpen_host *h, uint8_t mask) {
  h->buttons = mask;
}

void mnpen_host_seat_cartridge(mnpen_host *h, mnpen_cartchip *chip) {
  h->chip = chip;
}

void mnpen_host_set_hang(mnpen_host *h, int hung) {
  h->hung = hung;
}

void mnpen_host_set_encoder_scale(mnpen_host *h, double scale) {
  h->encoder_scale = scale;
}

void mnpen_host_cut_power_after(mnpen_host *h, uint32_t flash_bytes) {
  h->cut_armed = flash_bytes != 0;
  h->cut_after = flash_bytes;
}

int mnpen_host_powered(const mnpen_host *h) {
  return h->powered;
}

uint32_t mnpen_host_flash_bytes_written(const mnpen_host *h) {
  return h->flash_written;
}

mnpen_pen *mnpen_host_pen(mnpen_host *h) {
  return &h->pen;
}

mn_plant *mnpen_host_plant(mnpen_host *h) {
  return h->plant;
}

const mnpen_hal *mnpen_host_hal(const mnpen_host *h) {
  return &h->hal;
}

uint32_t mnpen_host_resets(const mnpen_host *h) {
  return h->resets;
}

void mnpen_host_tick_work_max(const mnpen_host *h, mnpen_host_work *max) {
  *max = h->max_work;
}

uint32_t mnpen_host_flash_erases(const mnpen_host *h) {
  return h->flash_erases;
}

uint32_t mnpen_host_flash_programs(const mnpen_host *h) {
  return h->flash_programs;
}

uint8_t mnpen_host_leds(const mnpen_host *h) {
  return h->leds;
}
