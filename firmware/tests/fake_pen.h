/*
 * A complete fake of the HAL for the pen's state-machine tests (portable
 * like fake_hal.h: no heap, no stdio; it runs in the self-test image too).
 *
 * Every sensor reading is a field the test sets; every output is recorded:
 * the last motor command and its duty, whether the bridge is enabled, how
 * many drives and disables came in the current tick (fake_pen_tick_begin()
 * opens a tick), a drive after a disable in one tick, the depth command,
 * the indicators, the watchdog's start and kicks, and the slow work of each
 * tick: flash operations started or polled, bytes read from flash,
 * cartridge requests, polls and reads (the largest of each over the run),
 * flash work in a tick before its motor command, and flash work in a tick
 * that entered FAULT. The fake flash and chip are slow: a program stays
 * busy for FAKE_PEN_PROGRAM_POLLS polls, an erase FAKE_PEN_ERASE_POLLS and
 * a chip answer FAKE_PEN_CART_POLLS, so the pen's log and cartridge check
 * run over several ticks as on hardware. The cartridge is fake_cart (the chip model of
 * cartchip.h, with its misbehaviours) and the log flash fake_flash, both
 * from fake_hal.h, reached through this one context.
 *
 * Two sensors may follow the outputs instead of holding a set value, so a
 * long run stays physically consistent without a plant model:
 *   depth_follow   the depth sensor reads the last depth command (an ideal
 *                  stage), until the test sets depth_follow = false;
 *   current_model  the current reads what a DC motor with back-EMF ke and
 *                  resistance R draws at the last duty, the battery
 *                  reading and the speed reading:
 *                    I = (duty x V_batt - ke x speed) / R,  0 when disabled;
 *                  so the back-EMF the firmware infers is the speed reading.
 * A failed encoder (encoder_fault) reads encoder_mhz instead, while the
 * current model keeps following speed_mhz, the shaft's true rate.
 * The fake is big (its flash image): tests keep it in static storage.
 */
#ifndef MNPEN_TEST_FAKE_PEN_H
#define MNPEN_TEST_FAKE_PEN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fake_hal.h"
#include "mnpen/hal.h"
#include "mnpen/limits.h"

/* Flash geometry of the log: 16 sectors of 8 records, the whole fake. */
#define FAKE_PEN_SECTOR_BYTES 256u
#define FAKE_PEN_SECTORS 16u

/* Busy polls of the slow devices: a program and a chip answer outlast one
 * tick, an erase several. */
#define FAKE_PEN_PROGRAM_POLLS 1u
#define FAKE_PEN_ERASE_POLLS 8u
#define FAKE_PEN_CART_POLLS 3u

typedef enum { FAKE_MOTOR_NONE = 0, FAKE_MOTOR_DRIVE, FAKE_MOTOR_DISABLE } fake_motor_cmd;

typedef struct {
  mnpen_hal hal;
  fake_cart cart;
  fake_flash flash;

  /* Sensor readings, set by the test. */
  uint32_t time_us;
  uint32_t speed_mhz;
  int32_t current_ma;
  uint16_t battery_mv;
  int16_t temperature_dc;
  int32_t depth_sensor_um;
  bool depth_follow;
  uint8_t buttons;
  mnpen_reset_cause cause;

  /* A failed speed sensor: while encoder_fault is set the speed reading is
   * encoder_mhz, and speed_mhz is only the shaft's true rate, which the
   * current model still follows. */
  bool encoder_fault;
  uint32_t encoder_mhz;

  /* Motor model for current_model. */
  bool current_model;
  uint32_t model_ke_nv_per_mhz;
  uint32_t model_r_mohm;

  /* Motor outputs. */
  fake_motor_cmd last_cmd;
  uint16_t last_duty;
  bool bridge_enabled;
  uint32_t drives;   /* in total */
  uint32_t disables; /* in total */
  uint32_t tick_drives;
  uint32_t tick_disables;
  bool tick_drive_after_disable;
  /* Slow work per tick, and the most any tick did. */
  uint32_t tick_flash_ops;   /* flash operations started or polled */
  uint32_t tick_flash_bytes; /* bytes read from flash */
  uint32_t tick_cart_ops;    /* cartridge requests and polls */
  uint32_t tick_cart_reads;  /* cartridge answers read */
  uint32_t max_flash_ops;
  uint32_t max_flash_bytes;
  uint32_t max_cart_ops;
  uint32_t max_cart_reads;
  uint32_t flash_before_motor; /* flash operations in a tick before its motor command */
  bool in_tick;                /* between fake_pen_tick_begin() and _end() */

  /* Other outputs. */
  int32_t depth_cmd_um;
  uint32_t depth_cmds;
  uint8_t leds;
  mnpen_tone tone;
  bool wd_started;
  uint32_t wd_timeout_us;
  uint32_t wd_starts;
  uint32_t wd_kicks;
} fake_pen;

static inline fake_pen *fake_pen_of(void *ctx) {
  return (fake_pen *)ctx;
}

static inline uint32_t fake_pen_time_us(void *ctx) {
  return fake_pen_of(ctx)->time_us;
}

static inline void fake_pen_motor_drive(void *ctx, uint16_t duty) {
  fake_pen *p = fake_pen_of(ctx);
  if (p->tick_disables > 0u) {
    p->tick_drive_after_disable = true;
  }
  p->last_cmd = FAKE_MOTOR_DRIVE;
  p->last_duty = duty;
  p->bridge_enabled = true;
  p->drives++;
  p->tick_drives++;
}

static inline void fake_pen_motor_disable(void *ctx) {
  fake_pen *p = fake_pen_of(ctx);
  p->last_cmd = FAKE_MOTOR_DISABLE;
  p->last_duty = 0;
  p->bridge_enabled = false;
  p->disables++;
  p->tick_disables++;
}

static inline int32_t fake_pen_motor_current_ma(void *ctx) {
  fake_pen *p = fake_pen_of(ctx);
  if (!p->current_model) {
    return p->current_ma;
  }
  if (!p->bridge_enabled || p->model_r_mohm == 0u) {
    return 0;
  }
  int64_t applied_mv = (int64_t)p->last_duty * p->battery_mv / MNPEN_DUTY_FULL;
  int64_t emf_mv = (int64_t)p->model_ke_nv_per_mhz * p->speed_mhz / 1000000;
  return (int32_t)((applied_mv - emf_mv) * 1000 / p->model_r_mohm);
}

static inline uint32_t fake_pen_motor_speed_mhz(void *ctx) {
  fake_pen *p = fake_pen_of(ctx);
  return p->encoder_fault ? p->encoder_mhz : p->speed_mhz;
}

static inline void fake_pen_depth_command_um(void *ctx, int32_t um) {
  fake_pen *p = fake_pen_of(ctx);
  p->depth_cmd_um = um;
  p->depth_cmds++;
}

static inline int32_t fake_pen_depth_sensor_um(void *ctx) {
  fake_pen *p = fake_pen_of(ctx);
  return p->depth_follow ? p->depth_cmd_um : p->depth_sensor_um;
}

static inline uint16_t fake_pen_battery_mv(void *ctx) {
  return fake_pen_of(ctx)->battery_mv;
}

static inline int16_t fake_pen_temperature_dc(void *ctx) {
  return fake_pen_of(ctx)->temperature_dc;
}

static inline uint8_t fake_pen_buttons(void *ctx) {
  return fake_pen_of(ctx)->buttons;
}

static inline void fake_pen_indicate(void *ctx, uint8_t leds, mnpen_tone tone) {
  fake_pen *p = fake_pen_of(ctx);
  p->leds = leds;
  p->tone = tone;
}

static inline bool fake_pen_cart_present(void *ctx) {
  return fake_cart_present(&fake_pen_of(ctx)->cart);
}

static inline int fake_pen_cart_request(void *ctx, const uint8_t *tx, size_t tx_len) {
  fake_pen *p = fake_pen_of(ctx);
  p->tick_cart_ops++;
  return fake_cart_request(&p->cart, tx, tx_len);
}

static inline int fake_pen_cart_ready(void *ctx) {
  fake_pen *p = fake_pen_of(ctx);
  p->tick_cart_ops++;
  return fake_cart_ready(&p->cart);
}

static inline int fake_pen_cart_read(void *ctx, uint8_t *rx, size_t rx_len) {
  fake_pen *p = fake_pen_of(ctx);
  p->tick_cart_reads++;
  return fake_cart_read(&p->cart, rx, rx_len);
}

static inline uint32_t fake_pen_random32(void *ctx) {
  return fake_cart_random32(&fake_pen_of(ctx)->cart);
}

static inline int fake_pen_flash_read(void *ctx, uint32_t addr, void *buf, size_t len) {
  fake_pen *p = fake_pen_of(ctx);
  p->tick_flash_bytes += (uint32_t)len;
  return fake_flash_read(&p->flash, addr, buf, len);
}

/* A flash operation in a tick: counted, and caught if it came before the
 * tick's motor command (the safety decisions come first). */
static inline void fake_pen_flash_op(fake_pen *p) {
  p->tick_flash_ops++;
  if (p->in_tick && p->tick_drives + p->tick_disables == 0u) {
    p->flash_before_motor++;
  }
}

static inline int fake_pen_flash_program_start(void *ctx, uint32_t addr, const void *buf,
                                               size_t len) {
  fake_pen *p = fake_pen_of(ctx);
  fake_pen_flash_op(p);
  return fake_flash_program_start(&p->flash, addr, buf, len);
}

static inline int fake_pen_flash_erase_start(void *ctx, uint32_t sector) {
  fake_pen *p = fake_pen_of(ctx);
  fake_pen_flash_op(p);
  return fake_flash_erase_start(&p->flash, sector);
}

static inline int fake_pen_flash_busy(void *ctx) {
  fake_pen *p = fake_pen_of(ctx);
  fake_pen_flash_op(p);
  return fake_flash_busy(&p->flash);
}

static inline void fake_pen_watchdog_start(void *ctx, uint32_t timeout_us) {
  fake_pen *p = fake_pen_of(ctx);
  p->wd_started = true;
  p->wd_timeout_us = timeout_us;
  p->wd_starts++;
}

static inline void fake_pen_watchdog_kick(void *ctx) {
  fake_pen_of(ctx)->wd_kicks++;
}

static inline mnpen_reset_cause fake_pen_reset_cause(void *ctx) {
  return fake_pen_of(ctx)->cause;
}

/* A powered-on-reset pen board with nominal readings (given by the test),
 * an ideal depth stage, no cartridge seated, erased log flash, and every
 * HAL operation pointing at this fake. */
static inline void fake_pen_init(fake_pen *p, const uint8_t master[MNPEN_CART_KEY_LEN],
                                 uint64_t cart_id) {
  memset(p, 0, sizeof *p);
  fake_cart_init(&p->cart, master, cart_id);
  p->cart.present = false;
  fake_flash_init(&p->flash, FAKE_PEN_SECTOR_BYTES, FAKE_PEN_SECTORS);
  p->flash.program_polls = FAKE_PEN_PROGRAM_POLLS;
  p->flash.erase_polls = FAKE_PEN_ERASE_POLLS;
  p->cart.busy_polls = FAKE_PEN_CART_POLLS;
  p->depth_follow = true;
  p->cause = MNPEN_RESET_POWER_ON;

  mnpen_hal *h = &p->hal;
  h->ctx = p;
  h->time_us = fake_pen_time_us;
  h->motor_drive = fake_pen_motor_drive;
  h->motor_disable = fake_pen_motor_disable;
  h->motor_current_ma = fake_pen_motor_current_ma;
  h->motor_speed_mhz = fake_pen_motor_speed_mhz;
  h->depth_command_um = fake_pen_depth_command_um;
  h->depth_sensor_um = fake_pen_depth_sensor_um;
  h->battery_mv = fake_pen_battery_mv;
  h->temperature_dc = fake_pen_temperature_dc;
  h->buttons = fake_pen_buttons;
  h->indicate = fake_pen_indicate;
  h->cart_present = fake_pen_cart_present;
  h->cart_request = fake_pen_cart_request;
  h->cart_ready = fake_pen_cart_ready;
  h->cart_read = fake_pen_cart_read;
  h->random32 = fake_pen_random32;
  h->flash_sector_bytes = p->flash.sector_bytes;
  h->flash_sectors = p->flash.sectors;
  h->flash_read = fake_pen_flash_read;
  h->flash_program_start = fake_pen_flash_program_start;
  h->flash_erase_start = fake_pen_flash_erase_start;
  h->flash_busy = fake_pen_flash_busy;
  h->watchdog_start = fake_pen_watchdog_start;
  h->watchdog_kick = fake_pen_watchdog_kick;
  h->reset_cause = fake_pen_reset_cause;
}

/* Opens the record of one tick: the per-tick motor counters start again and
 * the clock advances by one control period. */
static inline void fake_pen_tick_begin(fake_pen *p) {
  p->tick_drives = 0;
  p->tick_disables = 0;
  p->tick_drive_after_disable = false;
  p->tick_flash_ops = 0;
  p->tick_flash_bytes = 0;
  p->tick_cart_ops = 0;
  p->tick_cart_reads = 0;
  p->in_tick = true;
  p->time_us += MNPEN_TICK_US;
}

static inline uint32_t fake_pen_max_u32(uint32_t a, uint32_t b) {
  return a > b ? a : b;
}

/* Closes the record of one tick: the largest slow work so far. */
static inline void fake_pen_tick_end(fake_pen *p) {
  p->in_tick = false;
  p->max_flash_ops = fake_pen_max_u32(p->max_flash_ops, p->tick_flash_ops);
  p->max_flash_bytes = fake_pen_max_u32(p->max_flash_bytes, p->tick_flash_bytes);
  p->max_cart_ops = fake_pen_max_u32(p->max_cart_ops, p->tick_cart_ops);
  p->max_cart_reads = fake_pen_max_u32(p->max_cart_reads, p->tick_cart_reads);
}

/* Seats a new cartridge chip (genuine under master unless the test changes
 * it afterwards) with a fresh use flag. */
static inline void fake_pen_seat(fake_pen *p, const uint8_t master[MNPEN_CART_KEY_LEN],
                                 uint64_t id) {
  uint32_t rng = p->cart.rng;
  fake_cart_init(&p->cart, master, id);
  p->cart.rng = rng;
  p->cart.busy_polls = FAKE_PEN_CART_POLLS;
}

#endif /* MNPEN_TEST_FAKE_PEN_H */
