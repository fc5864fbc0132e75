/*
 * The pen's state machine (pen.c) on a complete fake HAL (fake_pen.h):
 * every transition, every fault path with its safe stop and its log record,
 * the session log, the settings, and an invariant run over a long random
 * sequence of inputs.
 *
 * Transition table (event: a debounced button edge, a cartridge seated or
 * taken out, a sensor reading). Each row names its test.
 *
 *  from       event                               to         test
 *  reset      power-on reset                      OFF        boot_power_on_enters_off
 *  reset      watchdog reset                      FAULT(wd)  fault_watchdog_reset_boot
 *  OFF        power                               IDLE       off_power_enters_idle
 *  OFF        start, speed, depth buttons         OFF        off_ignores_every_button_but_power
 *  OFF        cartridge seated / taken out        OFF        off_ignores_cartridge_and_sensors
 *  OFF        sensors out of range                OFF        off_ignores_cartridge_and_sensors
 *  IDLE       power                               OFF        idle_power_enters_off
 *  IDLE       cartridge seated                    CART_CHECK idle_seat_checks_cartridge
 *  IDLE       start                               IDLE       idle_start_does_nothing
 *  CART_CHECK genuine fresh cartridge             READY      idle_seat_checks_cartridge
 *  CART_CHECK taken out before the check          IDLE       cart_check_removal_enters_idle
 *  CART_CHECK power                               OFF        cart_check_power_enters_off
 *  CART_CHECK used cartridge                      FAULT      fault_cartridge_used
 *  CART_CHECK bad MAC, bus error, burn unconfirmed FAULT     fault_cartridge_forged_*
 *  CART_CHECK chip never answers                  FAULT      fault_cartridge_chip_never_answers
 *  CART_CHECK check running, start pressed        CART_CHECK cart_check_spans_ticks_and_start_waits
 *  READY      power                               OFF        ready_power_enters_off
 *  READY      cartridge taken out                 IDLE       ready_removal_enters_idle
 *  READY      start (settled, charged, cool)      RUNNING    ready_start_enters_running
 *  READY      start, depth not settled            READY      ready_start_refused_depth_unsettled
 *  READY      start, battery below start level    READY      ready_start_refused_battery_low
 *  READY      start, temperature above restart    READY      ready_start_refused_hot
 *  RUNNING    start                               PAUSED     running_start_pauses
 *  RUNNING    cartridge taken out                 IDLE       running_removal_enters_idle
 *  RUNNING    power                               OFF        running_power_enters_off
 *  RUNNING    supervisor finding                  FAULT      fault_stall_jam ... (below)
 *  PAUSED     start                               RUNNING    paused_start_resumes
 *  PAUSED     start, hot / battery low / unsettled PAUSED    paused_resume_refused
 *  PAUSED     cartridge taken out                 IDLE       paused_removal_enters_idle
 *  PAUSED     power                               OFF        paused_power_enters_off
 *  PAUSED     supervisor finding                  FAULT      fault_in_paused_closes_session
 *  IDLE       supervisor finding                  FAULT      fault_found_in_every_powered_state
 *  CART_CHECK supervisor finding                  FAULT      fault_found_in_every_powered_state
 *  READY      supervisor finding                  FAULT      fault_found_in_every_powered_state
 *  FAULT      power                               OFF        fault_power_clears
 *  FAULT      refused cartridge taken out         IDLE
 *             fault_refused_cartridge_cleared_by_removal
 *  FAULT      other fault, cartridge taken out    FAULT      fault_other_not_cleared_by_removal
 *  FAULT      start, speed, depth, seat           FAULT      fault_other_not_cleared_by_removal
 *
 * Faults (each: found within the configured latency, motor disabled in the
 * tick that found it with no drive after, FAULT record with its code):
 *   stall              fault_stall_jam, fault_stall_slow
 *   over_current       fault_over_current_at_speed
 *   battery_low        fault_battery_low_held_sag (and battery_sag_shorter_than_stop_time)
 *   over_temperature   fault_over_temperature
 *   sensor             fault_sensor_battery, fault_sensor_temperature, fault_sensor_current,
 *                      fault_sensor_depth_range, fault_sensor_depth_not_reached,
 *                      fault_sensor_depth_over_max
 *   cartridge_used     fault_cartridge_used
 *   cartridge_forged   fault_cartridge_forged_mac, fault_cartridge_forged_bus,
 *                      fault_cartridge_forged_burn, fault_cartridge_chip_never_answers
 *   watchdog           fault_watchdog_reset_boot
 *   over_speed         fault_over_speed, fault_over_speed_encoder_reading_low
 *                      (and over_speed_at_the_level_is_no_fault)
 *   speed_implausible  fault_speed_implausible_encoder_zero,
 *                      fault_speed_implausible_encoder_high
 *                      (and soft_start_with_a_lagging_encoder_is_no_fault)
 *
 * The configuration is the factory record of data/pen/firmware.yaml,
 * converted to firmware units as the host port's config loader does
 * (0.5 ms ticks; ke and R of the 1524 SR motor plus bridge).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fake_pen.h"
#include "fwtest.h"
#include "mnpen/limits.h"
#include "mnpen/pen.h"
#include "mnpen/tlog.h"
#include "pen_config.h"

/* CFG: the factory record of data/pen (pen_config.h). */

/* A key no genuine cartridge is made with: a clone's guess. */
static const uint8_t OTHER_MASTER[MNPEN_CART_KEY_LEN] = {
    0x13, 0x37, 0x13, 0x37, 0x13, 0x37, 0x13, 0x37, 0x13, 0x37, 0x13, 0x37, 0x13, 0x37, 0x13, 0x37,
    0x13, 0x37, 0x13, 0x37, 0x13, 0x37, 0x13, 0x37, 0x13, 0x37, 0x13, 0x37, 0x13, 0x37, 0x13, 0x37};

#define CART_ID 0x00C0FFEE12345678ull

/* Test inputs: a charged cell at rest (between the 70 and 80 % points of
 * the OCV table), a full one, and room temperature. */
#define BATT_NOMINAL_MV 3900u
#define BATT_FULL_MV 4100u
#define TEMP_ROOM_DC 250
/* The stroke rate the motor runs at in these tests: the default setting. */
#define RUN_MHZ 110000u

/* Fails the running case from a helper that returns a truth value. */
#define REQUIRE(cond)                                                                              \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fwtest_fail(__FILE__, __LINE__, #cond);                                                      \
      return 0;                                                                                    \
    }                                                                                              \
  } while (0)

static fake_pen F;
static mnpen_pen P;
static mnpen_log LOG; /* a second mount of the flash, to read the log back */
static mnpen_config CFG2;
static uint32_t run_ticks; /* ticks that ended in RUNNING */

/* ---- driving the pen ------------------------------------------------------- */

static void boot_cfg(const mnpen_config *cfg, mnpen_reset_cause cause) {
  fake_pen_init(&F, cfg->master_key, CART_ID);
  F.battery_mv = BATT_NOMINAL_MV;
  F.temperature_dc = TEMP_ROOM_DC;
  F.current_model = true;
  F.model_ke_nv_per_mhz = cfg->speed.ke_nv_per_mhz;
  F.model_r_mohm = cfg->speed.r_mohm;
  F.cause = cause;
  run_ticks = 0;
  mnpen_init(&P, &F.hal, cfg);
}

static void boot(void) {
  boot_cfg(&CFG, MNPEN_RESET_POWER_ON);
}

static void tick(void) {
  fake_pen_tick_begin(&F);
  mnpen_tick(&P);
  fake_pen_tick_end(&F);
  if (P.state == MNPEN_STATE_RUNNING) {
    run_ticks++;
  }
}

static void ticks(uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    tick();
  }
}

/* Holds buttons until the debouncer takes the edge: the last tick of the
 * hold is the one that acts on it. */
static void hold(uint8_t buttons) {
  F.buttons = buttons;
  ticks(P.cfg->debounce_ticks + 1u);
}

static void release(void) {
  F.buttons = 0;
  ticks(P.cfg->debounce_ticks + 1u);
}

static void press(uint8_t buttons) {
  hold(buttons);
  release();
}

static void seat_genuine(void) {
  fake_pen_seat(&F, P.cfg->master_key, CART_ID);
}

static int to_idle(void) {
  boot();
  press(MNPEN_BTN_POWER);
  REQUIRE(P.state == MNPEN_STATE_IDLE);
  return 1;
}

/* Ticks a cartridge check of `exchanges` bus exchanges takes after the
 * tick of the seat: each a request, the chip's busy polls and the poll that
 * finds the answer. A genuine fresh cartridge takes three (READ_ID,
 * CHALLENGE, BURN). */
static uint32_t check_ticks(uint32_t exchanges) {
  return exchanges * (FAKE_PEN_CART_POLLS + 2u);
}

static int to_ready(void) {
  if (!to_idle()) {
    return 0;
  }
  seat_genuine();
  tick();
  REQUIRE(P.state == MNPEN_STATE_CART_CHECK);
  ticks(check_ticks(3u));
  REQUIRE(P.state == MNPEN_STATE_READY);
  REQUIRE(P.depth.settled);
  return 1;
}

static int to_running(void) {
  if (!to_ready()) {
    return 0;
  }
  F.speed_mhz = RUN_MHZ;
  hold(MNPEN_BTN_START);
  REQUIRE(P.state == MNPEN_STATE_RUNNING);
  release();
  REQUIRE(P.state == MNPEN_STATE_RUNNING);
  REQUIRE(F.bridge_enabled);
  return 1;
}

/* Running past the soft start's grace period, in steady state. */
static int to_running_steady(void) {
  if (!to_running()) {
    return 0;
  }
  ticks(P.cfg->guard.start_grace_ticks + 1u);
  REQUIRE(P.state == MNPEN_STATE_RUNNING);
  REQUIRE(P.speed.ramp_mhz == RUN_MHZ);
  REQUIRE(F.last_cmd == FAKE_MOTOR_DRIVE);
  return 1;
}

static int to_paused(void) {
  if (!to_running()) {
    return 0;
  }
  press(MNPEN_BTN_START);
  REQUIRE(P.state == MNPEN_STATE_PAUSED);
  return 1;
}

/* Ticks until the pen is in FAULT, at most max; the count, or 0. */
static uint32_t ticks_to_fault(uint32_t max) {
  for (uint32_t n = 1; n <= max; n++) {
    tick();
    if (P.state == MNPEN_STATE_FAULT) {
      return n;
    }
  }
  return 0;
}

/* ---- reading the log back --------------------------------------------------- */

/* Lets the pen's log write what it has queued, as the log steps of later
 * ticks would, without moving the pen: the flash must be idle to be read
 * back. */
static void drain_log(void) {
  for (uint32_t i = 0;
       i < 10000u && P.log_ok && (mnpen_log_pending(&P.log) > 0u || mnpen_log_flash_busy(&P.log));
       i++) {
    if (mnpen_log_step(&P.log) != MNPEN_LOG_OK) {
      P.log_ok = 0;
    }
  }
}

/* The newest record of a type, read from flash through a fresh mount. */
static int last_record(uint8_t type, mnpen_log_record *out) {
  drain_log();
  if (mnpen_log_mount(&LOG, &F.hal) != MNPEN_LOG_OK) {
    return 0;
  }
  for (uint32_t i = mnpen_log_count(&LOG); i-- > 0u;) {
    if (mnpen_log_read(&LOG, i, out) == MNPEN_LOG_OK && out->type == type) {
      return 1;
    }
  }
  return 0;
}

static uint32_t count_records(uint8_t type) {
  mnpen_log_record r;
  uint32_t n = 0;
  drain_log();
  if (mnpen_log_mount(&LOG, &F.hal) != MNPEN_LOG_OK) {
    return 0;
  }
  for (uint32_t i = 0; i < mnpen_log_count(&LOG); i++) {
    if (mnpen_log_read(&LOG, i, &r) == MNPEN_LOG_OK && r.type == type) {
      n++;
    }
  }
  return n;
}

/* The checks every fault shares: the pen is in FAULT with the expected
 * code; the tick that found it disabled the motor, drove it not at all,
 * and did no flash work at all (the FAULT record is queued, written by
 * later ticks), nor did any tick before its motor command; the newest
 * FAULT record carries the code and the fault tick's time; and the motor
 * stays off afterwards. */
static int fault_is_safe(mnpen_fault expected) {
  REQUIRE(P.state == MNPEN_STATE_FAULT);
  REQUIRE(P.fault == expected);
  REQUIRE(F.tick_disables > 0u);
  REQUIRE(F.tick_drives == 0u);
  REQUIRE(!F.tick_drive_after_disable);
  REQUIRE(F.last_cmd == FAKE_MOTOR_DISABLE);
  REQUIRE(!F.bridge_enabled);
  REQUIRE(F.tick_flash_ops == 0u);
  REQUIRE(F.flash_before_motor == 0u);
  REQUIRE((F.leds & MNPEN_LED_FAULT) != 0u);
  REQUIRE(F.tone == MNPEN_TONE_ALARM);
  mnpen_log_record r;
  REQUIRE(last_record(MNPEN_LOG_FAULT, &r));
  REQUIRE(r.code == (int8_t)expected);
  REQUIRE(r.time_ms == P.ticks * MNPEN_TICK_US / 1000u);
  uint32_t drives = F.drives;
  ticks(100);
  REQUIRE(F.drives == drives);
  REQUIRE(P.state == MNPEN_STATE_FAULT);
  REQUIRE(!F.bridge_enabled);
  return 1;
}

/* ---- boot, OFF ---------------------------------------------------------------- */

static void boot_power_on_enters_off(void) {
  boot();
  FW_CHECK_EQ(P.state, MNPEN_STATE_OFF);
  FW_CHECK_EQ(P.fault, MNPEN_FAULT_NONE);
  FW_CHECK(F.last_cmd == FAKE_MOTOR_DISABLE);
  FW_CHECK_EQ(F.drives, 0u);
  /* Watchdog armed with the configured timeout before the first tick. */
  FW_CHECK(F.wd_started);
  FW_CHECK_EQ(F.wd_starts, 1u);
  FW_CHECK_EQ(F.wd_timeout_us, CFG.watchdog_us);
  FW_CHECK_EQ(F.wd_kicks, 0u);
  mnpen_log_record r;
  FW_CHECK(last_record(MNPEN_LOG_BOOT, &r));
  FW_CHECK_EQ(r.code, (int8_t)MNPEN_RESET_POWER_ON);
  FW_CHECK_EQ(count_records(MNPEN_LOG_FAULT), 0u);
  ticks(10);
  FW_CHECK_EQ(P.state, MNPEN_STATE_OFF);
  FW_CHECK_EQ(F.leds, 0u);
}

static void watchdog_kicked_every_tick_in_every_state(void) {
  boot();
  ticks(5);
  FW_CHECK_EQ(F.wd_kicks, 5u);
  FW_CHECK(to_running());
  uint32_t k = F.wd_kicks;
  ticks(7);
  FW_CHECK_EQ(F.wd_kicks, k + 7u);
  F.temperature_dc = CFG.power.shutdown_dc;
  FW_CHECK(ticks_to_fault(1) == 1u);
  k = F.wd_kicks;
  ticks(3);
  FW_CHECK_EQ(F.wd_kicks, k + 3u);
  FW_CHECK_EQ(F.wd_kicks, P.ticks);
  FW_CHECK_EQ(F.wd_starts, 1u);
}

static void off_power_enters_idle(void) {
  boot();
  hold(MNPEN_BTN_POWER);
  FW_CHECK_EQ(P.state, MNPEN_STATE_IDLE);
  FW_CHECK(F.leds & MNPEN_LED_POWER);
  release();
  FW_CHECK_EQ(P.state, MNPEN_STATE_IDLE);
  FW_CHECK_EQ(F.drives, 0u);
  /* The depth stage is commanded to the setting once on. */
  FW_CHECK_EQ(F.depth_cmd_um, CFG.depth_default_um);
}

static void off_ignores_every_button_but_power(void) {
  static const uint8_t buttons[] = {MNPEN_BTN_START, MNPEN_BTN_SPEED_UP, MNPEN_BTN_SPEED_DOWN,
                                    MNPEN_BTN_DEPTH_UP, MNPEN_BTN_DEPTH_DOWN};
  boot();
  for (unsigned i = 0; i < sizeof buttons; i++) {
    press(buttons[i]);
    FW_CHECK_EQ(P.state, MNPEN_STATE_OFF);
    FW_CHECK_EQ(P.speed_setting_mhz, CFG.speed_default_mhz);
    FW_CHECK_EQ(P.depth.setting_um, CFG.depth_default_um);
  }
  FW_CHECK_EQ(F.drives, 0u);
}

static void off_ignores_cartridge_and_sensors(void) {
  boot();
  seat_genuine();
  ticks(10);
  FW_CHECK_EQ(P.state, MNPEN_STATE_OFF);
  FW_CHECK_EQ(F.cart.xfers, 0u); /* not authenticated, not burned */
  F.cart.present = false;
  ticks(10);
  FW_CHECK_EQ(P.state, MNPEN_STATE_OFF);
  /* Standby judges no sensor: nothing out of range faults it. */
  F.temperature_dc = CFG.power.temp_max_dc + 100;
  F.battery_mv = 0;
  F.depth_follow = false;
  F.depth_sensor_um = CFG.depth.sensor_max_um + 1000;
  F.current_model = false;
  F.current_ma = CFG.guard.current_max_ma + 1000;
  ticks(CFG.depth.settle_ticks + 10u);
  FW_CHECK_EQ(P.state, MNPEN_STATE_OFF);
  FW_CHECK_EQ(F.depth_cmds, 0u);
  FW_CHECK_EQ(F.drives, 0u);
  FW_CHECK_EQ(count_records(MNPEN_LOG_FAULT), 0u);
  /* Seated while off, then powered on: checked like any seat. */
  F.temperature_dc = TEMP_ROOM_DC;
  F.battery_mv = BATT_NOMINAL_MV;
  F.depth_follow = true;
  seat_genuine();
  hold(MNPEN_BTN_POWER);
  FW_CHECK_EQ(P.state, MNPEN_STATE_IDLE);
  tick();
  FW_CHECK_EQ(P.state, MNPEN_STATE_CART_CHECK);
  ticks(check_ticks(3u));
  FW_CHECK_EQ(P.state, MNPEN_STATE_READY);
}

/* ---- IDLE, CART_CHECK ------------------------------------------------------- */

static void idle_power_enters_off(void) {
  FW_CHECK(to_idle());
  hold(MNPEN_BTN_POWER);
  FW_CHECK_EQ(P.state, MNPEN_STATE_OFF);
  FW_CHECK(F.last_cmd == FAKE_MOTOR_DISABLE);
  release();
  FW_CHECK_EQ(P.state, MNPEN_STATE_OFF);
  FW_CHECK_EQ(F.leds, 0u);
}

static void idle_start_does_nothing(void) {
  FW_CHECK(to_idle());
  press(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_IDLE);
  FW_CHECK_EQ(F.drives, 0u);
  FW_CHECK_EQ(count_records(MNPEN_LOG_SESSION_START), 0u);
}

static void idle_seat_checks_cartridge(void) {
  FW_CHECK(to_idle());
  seat_genuine();
  tick();
  FW_CHECK_EQ(P.state, MNPEN_STATE_CART_CHECK);
  FW_CHECK_EQ(F.cart.requests, 0u); /* the check starts in the next tick */
  ticks(check_ticks(3u) - 1u);
  FW_CHECK_EQ(P.state, MNPEN_STATE_CART_CHECK);
  tick();
  FW_CHECK_EQ(P.state, MNPEN_STATE_READY);
  FW_CHECK(P.cart.id == CART_ID);
  FW_CHECK_EQ(P.cart.authenticated, 1);
  FW_CHECK_EQ(P.cart.burned, 1);
  FW_CHECK_EQ(F.cart.chip.flag, MNPEN_CART_FLAG_USED);
  FW_CHECK_EQ(F.cart.chip.burns, 1u);
  FW_CHECK(F.leds & MNPEN_LED_READY);
  mnpen_log_record r;
  FW_CHECK(last_record(MNPEN_LOG_CARTRIDGE, &r));
  FW_CHECK_EQ(r.code, (int8_t)MNPEN_CART_OK);
  FW_CHECK(r.cartridge_id == CART_ID);
  FW_CHECK_EQ(F.drives, 0u);
}

static void cart_check_removal_enters_idle(void) {
  FW_CHECK(to_idle());
  seat_genuine();
  tick();
  FW_CHECK_EQ(P.state, MNPEN_STATE_CART_CHECK);
  F.cart.present = false;
  tick();
  FW_CHECK_EQ(P.state, MNPEN_STATE_IDLE);
  FW_CHECK_EQ(F.cart.chip.burns, 0u);
  mnpen_log_record r;
  FW_CHECK(last_record(MNPEN_LOG_CARTRIDGE, &r));
  FW_CHECK_EQ(r.code, (int8_t)MNPEN_CART_ABSENT);
  FW_CHECK_EQ(count_records(MNPEN_LOG_FAULT), 0u);
}

static void cart_check_power_enters_off(void) {
  FW_CHECK(to_idle());
  /* Hold power so its edge lands in the one tick spent in CART_CHECK. */
  F.buttons = MNPEN_BTN_POWER;
  ticks(CFG.debounce_ticks - 1u);
  FW_CHECK_EQ(P.state, MNPEN_STATE_IDLE);
  seat_genuine();
  tick();
  FW_CHECK_EQ(P.state, MNPEN_STATE_CART_CHECK);
  tick();
  FW_CHECK_EQ(P.state, MNPEN_STATE_OFF);
  FW_CHECK_EQ(F.cart.xfers, 0u); /* never checked, never burned */
  FW_CHECK_EQ(F.cart.chip.flag, MNPEN_CART_FLAG_FRESH);
}

/* ---- READY ------------------------------------------------------------------- */

static void ready_power_enters_off(void) {
  FW_CHECK(to_ready());
  hold(MNPEN_BTN_POWER);
  FW_CHECK_EQ(P.state, MNPEN_STATE_OFF);
  FW_CHECK(F.last_cmd == FAKE_MOTOR_DISABLE);
  FW_CHECK_EQ(F.drives, 0u);
}

static void ready_removal_enters_idle(void) {
  FW_CHECK(to_ready());
  F.cart.present = false;
  tick();
  FW_CHECK_EQ(P.state, MNPEN_STATE_IDLE);
  FW_CHECK_EQ(count_records(MNPEN_LOG_SESSION_END), 0u); /* none was open */
  /* A new cartridge is checked afresh. */
  fake_pen_seat(&F, CFG.master_key, CART_ID + 1u);
  tick();
  ticks(check_ticks(3u));
  FW_CHECK_EQ(P.state, MNPEN_STATE_READY);
  FW_CHECK(P.cart.id == CART_ID + 1u);
}

static void ready_start_enters_running(void) {
  FW_CHECK(to_ready());
  F.speed_mhz = RUN_MHZ;
  uint32_t drives = F.drives;
  FW_CHECK_EQ(drives, 0u);
  hold(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
  FW_CHECK_EQ(F.tick_drives, 1u); /* driven in the tick that started it */
  FW_CHECK(F.bridge_enabled);
  FW_CHECK(F.leds & MNPEN_LED_RUN);
  /* Soft start: the setpoint ramps at the configured slope from zero. */
  FW_CHECK_EQ(P.speed.ramp_mhz, CFG.speed.ramp_mhz_per_tick);
  tick();
  FW_CHECK_EQ(P.speed.ramp_mhz, 2u * CFG.speed.ramp_mhz_per_tick);
  FW_CHECK_EQ(count_records(MNPEN_LOG_SESSION_START), 1u);
}

static void ready_start_refused_depth_unsettled(void) {
  FW_CHECK(to_ready());
  F.depth_follow = false;
  F.depth_sensor_um = CFG.depth_default_um;
  mnpen_request_depth(&P, 1500); /* the stage has not moved yet */
  press(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_READY);
  FW_CHECK_EQ(F.drives, 0u);
  /* Once the stage arrives, the same button starts the motor. */
  F.depth_sensor_um = 1500;
  hold(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
}

static void ready_start_refused_battery_low(void) {
  FW_CHECK(to_ready());
  /* Above the stop threshold (no fault), below the start threshold. */
  F.battery_mv = CFG.power.start_min_mv - 50u;
  ticks(50); /* the filter follows */
  FW_CHECK(F.leds & MNPEN_LED_BATTERY);
  press(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_READY);
  FW_CHECK_EQ(F.drives, 0u);
  /* Not RUNNING, so a long sag there is not a battery_low fault. */
  F.battery_mv = CFG.power.stop_mv - 200u;
  ticks(10u * CFG.power.stop_ticks);
  FW_CHECK_EQ(P.state, MNPEN_STATE_READY);
  F.battery_mv = BATT_NOMINAL_MV;
  ticks(50);
  hold(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
}

static void ready_start_refused_hot(void) {
  FW_CHECK(to_ready());
  /* Between restart and shutdown: no fault, but no new start. */
  F.temperature_dc = CFG.power.restart_dc;
  press(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_READY);
  FW_CHECK_EQ(F.drives, 0u);
  F.temperature_dc = CFG.power.shutdown_dc - 1;
  press(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_READY);
  F.temperature_dc = CFG.power.restart_dc - 1;
  hold(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
}

/* ---- RUNNING, PAUSED ---------------------------------------------------------- */

static void running_start_pauses(void) {
  FW_CHECK(to_running());
  hold(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_PAUSED);
  FW_CHECK_EQ(F.tick_drives, 0u);
  FW_CHECK(F.last_cmd == FAKE_MOTOR_DISABLE);
  FW_CHECK(F.leds & MNPEN_LED_READY);
  FW_CHECK_EQ(P.session_open, 1);
  FW_CHECK_EQ(count_records(MNPEN_LOG_SESSION_END), 0u);
  uint32_t drives = F.drives;
  release();
  FW_CHECK_EQ(F.drives, drives);
}

static void running_removal_enters_idle(void) {
  FW_CHECK(to_running());
  F.cart.present = false;
  tick();
  FW_CHECK_EQ(P.state, MNPEN_STATE_IDLE);
  FW_CHECK_EQ(F.tick_drives, 0u);
  FW_CHECK(F.last_cmd == FAKE_MOTOR_DISABLE);
  FW_CHECK_EQ(F.flash_before_motor, 0u); /* stopped before any log work */
  FW_CHECK_EQ(P.session_open, 0);
  FW_CHECK_EQ(count_records(MNPEN_LOG_SESSION_END), 1u);
}

static void running_power_enters_off(void) {
  FW_CHECK(to_running());
  hold(MNPEN_BTN_POWER);
  FW_CHECK_EQ(P.state, MNPEN_STATE_OFF);
  FW_CHECK_EQ(F.tick_drives, 0u);
  FW_CHECK(F.last_cmd == FAKE_MOTOR_DISABLE);
  FW_CHECK_EQ(F.flash_before_motor, 0u);
  FW_CHECK_EQ(count_records(MNPEN_LOG_SESSION_END), 1u);
  uint32_t drives = F.drives;
  release();
  FW_CHECK_EQ(F.drives, drives);
}

static void paused_start_resumes(void) {
  FW_CHECK(to_paused());
  F.speed_mhz = RUN_MHZ;
  hold(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
  FW_CHECK_EQ(F.tick_drives, 1u);
  /* A resume soft-starts again, in the same session. */
  FW_CHECK_EQ(P.speed.ramp_mhz, CFG.speed.ramp_mhz_per_tick);
  FW_CHECK_EQ(count_records(MNPEN_LOG_SESSION_START), 1u);
  FW_CHECK_EQ(P.session_open, 1);
}

static void paused_resume_refused(void) {
  FW_CHECK(to_paused());
  F.temperature_dc = CFG.power.restart_dc + 10;
  press(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_PAUSED);
  F.temperature_dc = TEMP_ROOM_DC;
  F.battery_mv = CFG.power.start_min_mv - 100u;
  ticks(50);
  press(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_PAUSED);
  F.battery_mv = BATT_NOMINAL_MV;
  ticks(50);
  F.depth_follow = false;
  F.depth_sensor_um = P.depth.setting_um;
  press(MNPEN_BTN_DEPTH_UP); /* stage stuck at the old setting */
  press(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_PAUSED);
  FW_CHECK_EQ(F.tick_drives, 0u);
  F.depth_follow = true;
  tick();
  tick();
  hold(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
}

static void paused_removal_enters_idle(void) {
  FW_CHECK(to_paused());
  F.cart.present = false;
  tick();
  FW_CHECK_EQ(P.state, MNPEN_STATE_IDLE);
  FW_CHECK_EQ(P.session_open, 0);
  FW_CHECK_EQ(count_records(MNPEN_LOG_SESSION_END), 1u);
  FW_CHECK(F.last_cmd == FAKE_MOTOR_DISABLE);
}

static void paused_power_enters_off(void) {
  FW_CHECK(to_paused());
  uint32_t drives = F.drives;
  hold(MNPEN_BTN_POWER);
  FW_CHECK_EQ(P.state, MNPEN_STATE_OFF);
  FW_CHECK_EQ(count_records(MNPEN_LOG_SESSION_END), 1u);
  FW_CHECK_EQ(F.drives, drives);
}

/* ---- FAULT exits -------------------------------------------------------------- */

static void fault_power_clears(void) {
  FW_CHECK(to_running());
  F.temperature_dc = CFG.power.shutdown_dc;
  FW_CHECK(ticks_to_fault(1) == 1u);
  F.temperature_dc = TEMP_ROOM_DC;
  hold(MNPEN_BTN_POWER);
  FW_CHECK_EQ(P.state, MNPEN_STATE_OFF);
  FW_CHECK_EQ(P.fault, MNPEN_FAULT_NONE);
  FW_CHECK_EQ(F.leds, 0u);
  release();
  /* (Out with the burned cartridge: seated at power-on it is checked again
   * and refused as used.) */
  F.cart.present = false;
  press(MNPEN_BTN_POWER);
  FW_CHECK_EQ(P.state, MNPEN_STATE_IDLE);
  FW_CHECK_EQ(P.fault, MNPEN_FAULT_NONE);
}

static void fault_refused_cartridge_cleared_by_removal(void) {
  for (int used = 0; used < 2; used++) {
    FW_CHECK(to_idle());
    seat_genuine();
    if (used) {
      F.cart.chip.flag = MNPEN_CART_FLAG_USED;
    } else {
      mnpen_cartchip_init(&F.cart.chip, OTHER_MASTER, CART_ID);
    }
    /* Refused at the answer to CHALLENGE, the second exchange. */
    FW_CHECK(ticks_to_fault(check_ticks(3u)) == 1u + check_ticks(2u));
    FW_CHECK_EQ(P.fault, used ? MNPEN_FAULT_CARTRIDGE_USED : MNPEN_FAULT_CARTRIDGE_FORGED);
    ticks(10);
    FW_CHECK_EQ(P.state, MNPEN_STATE_FAULT);
    F.cart.present = false;
    tick();
    FW_CHECK_EQ(P.state, MNPEN_STATE_IDLE);
    FW_CHECK_EQ(P.fault, MNPEN_FAULT_NONE);
    /* A good cartridge after it works. */
    fake_pen_seat(&F, CFG.master_key, CART_ID + 7u);
    tick();
    ticks(check_ticks(3u));
    FW_CHECK_EQ(P.state, MNPEN_STATE_READY);
  }
}

static void fault_other_not_cleared_by_removal(void) {
  FW_CHECK(to_running());
  F.temperature_dc = CFG.power.shutdown_dc;
  FW_CHECK(ticks_to_fault(1) == 1u);
  F.temperature_dc = TEMP_ROOM_DC;
  F.cart.present = false;
  ticks(10);
  FW_CHECK_EQ(P.state, MNPEN_STATE_FAULT);
  FW_CHECK_EQ(P.fault, MNPEN_FAULT_OVER_TEMPERATURE);
  seat_genuine();
  ticks(10);
  FW_CHECK_EQ(P.state, MNPEN_STATE_FAULT);
  FW_CHECK_EQ(F.cart.xfers, 0u);
  uint32_t drives = F.drives;
  press(MNPEN_BTN_START);
  press(MNPEN_BTN_SPEED_UP | MNPEN_BTN_DEPTH_UP);
  FW_CHECK_EQ(P.state, MNPEN_STATE_FAULT);
  FW_CHECK_EQ(F.drives, drives);
  FW_CHECK(!F.bridge_enabled);
}

/* ---- faults --------------------------------------------------------------------- */

static void fault_watchdog_reset_boot(void) {
  boot_cfg(&CFG, MNPEN_RESET_WATCHDOG);
  /* Latency 0: FAULT before the first tick, motor never driven. */
  FW_CHECK_EQ(P.state, MNPEN_STATE_FAULT);
  FW_CHECK_EQ(P.fault, MNPEN_FAULT_WATCHDOG);
  FW_CHECK(F.last_cmd == FAKE_MOTOR_DISABLE);
  FW_CHECK_EQ(F.drives, 0u);
  FW_CHECK(F.wd_started);
  mnpen_log_record r;
  FW_CHECK(last_record(MNPEN_LOG_BOOT, &r));
  FW_CHECK_EQ(r.code, (int8_t)MNPEN_RESET_WATCHDOG);
  FW_CHECK(last_record(MNPEN_LOG_FAULT, &r));
  FW_CHECK_EQ(r.code, (int8_t)MNPEN_FAULT_WATCHDOG);
  tick();
  FW_CHECK(fault_is_safe(MNPEN_FAULT_WATCHDOG));
  press(MNPEN_BTN_POWER);
  FW_CHECK_EQ(P.state, MNPEN_STATE_OFF);
  press(MNPEN_BTN_POWER);
  FW_CHECK_EQ(P.state, MNPEN_STATE_IDLE);
}

static void fault_stall_jam(void) {
  FW_CHECK(to_running_steady());
  /* Jammed cam: the current climbs over the limit and the back-EMF is
   * gone, while the encoder still reports the last period before the jam. */
  F.current_model = false;
  F.current_ma = CFG.guard.over_current_ma + 200;
  FW_CHECK_EQ(ticks_to_fault(100), (uint32_t)CFG.guard.over_current_ticks);
  FW_CHECK(fault_is_safe(MNPEN_FAULT_STALL));
  mnpen_log_record r;
  FW_CHECK(last_record(MNPEN_LOG_SESSION_END, &r));
}

static void fault_stall_slow(void) {
  FW_CHECK(to_running_steady());
  /* A jam that never reaches the over-current limit: the shaft stops, and
   * the motor model draws what a locked rotor draws at the loop's duty,
   * which the loop's current limit holds at 2.0 A, below the 2.4 A trip.
   * Encoder and back-EMF both read a stopped shaft. (A current held fixed
   * while the loop raises the duty would instead tell the guard that the
   * shaft turns while the encoder reads zero: fault_speed_implausible_*.) */
  F.speed_mhz = 0;
  FW_CHECK_EQ(ticks_to_fault(100), (uint32_t)CFG.guard.stall_ticks);
  FW_CHECK(P.current_ma > CFG.guard.over_current_ma / 2);
  FW_CHECK(P.current_ma < CFG.guard.over_current_ma);
  FW_CHECK(fault_is_safe(MNPEN_FAULT_STALL));
}

static void fault_over_current_at_speed(void) {
  /* Over-current means a high current while the shaft turns at speed. The
   * back-EMF the guard infers is the applied voltage less I x R, so at
   * 2.45 A (3.43 V across 1.4 ohm) it stays above the 30 % stall line
   * (33 Hz, 0.55 V) only while the bridge applies the whole 4.1 V cell, and
   * only for the first period: the next duty is the speed loop's, whose
   * current limit (2.0 A) caps it below that. So this is the over-current
   * rule with a one-period trip time; fault_stall_jam shows the same current
   * held two periods classified by its missing back-EMF. */
  CFG2 = CFG;
  CFG2.guard.over_current_ticks = 1;
  boot_cfg(&CFG2, MNPEN_RESET_POWER_ON);
  F.battery_mv = BATT_FULL_MV;
  press(MNPEN_BTN_POWER);
  seat_genuine();
  tick();
  ticks(check_ticks(3u));
  FW_CHECK_EQ(P.state, MNPEN_STATE_READY);
  /* Loaded to 80 Hz against a 110 Hz setting: full duty, and the motor
   * draws (4.10 V - 80 Hz x 16.8 mV/Hz) / 1.4 ohm = 1.97 A. */
  F.speed_mhz = 80000;
  hold(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
  ticks(CFG2.guard.start_grace_ticks + 50u);
  FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
  FW_CHECK_EQ(F.last_duty, MNPEN_DUTY_FULL);
  FW_CHECK(fake_pen_motor_current_ma(&F) < CFG2.guard.over_current_ma);
  F.current_model = false;
  F.current_ma = CFG2.guard.over_current_ma + 50;
  FW_CHECK_EQ(ticks_to_fault(100), (uint32_t)CFG2.guard.over_current_ticks);
  FW_CHECK(fault_is_safe(MNPEN_FAULT_OVER_CURRENT));
}

static void over_current_single_sample_ignored(void) {
  FW_CHECK(to_running_steady());
  F.current_model = false;
  F.current_ma = CFG.guard.over_current_ma + 200;
  ticks(CFG.guard.over_current_ticks - 1u);
  F.current_model = true;
  ticks(200);
  FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
}

/* Over-speed and speed-sensor plausibility. The shaft turns at speed_mhz
 * (the current model follows it); a failed encoder reads something else. */
static uint32_t over_speed_level(void) {
  return mnpen_guard_over_speed_mhz(&CFG.guard);
}

static void fault_over_speed(void) {
  FW_CHECK(to_running_steady());
  /* Both sources agree the cam runs 1 Hz past the trip level (157.5 Hz). */
  F.speed_mhz = over_speed_level() + 1000u;
  FW_CHECK_EQ(ticks_to_fault(100), (uint32_t)CFG.guard.over_speed_ticks);
  FW_CHECK(fault_is_safe(MNPEN_FAULT_OVER_SPEED));
}

static void fault_over_speed_encoder_reading_low(void) {
  FW_CHECK(to_running_steady());
  /* The encoder reads the setting while the drive turns the cam at 170 Hz:
   * the back-EMF shows the over-speed, before the disagreement rule. */
  F.encoder_fault = true;
  F.encoder_mhz = RUN_MHZ;
  F.speed_mhz = 170000u;
  FW_CHECK(CFG.guard.over_speed_ticks < CFG.guard.implausible_ticks);
  FW_CHECK_EQ(ticks_to_fault(100), (uint32_t)CFG.guard.over_speed_ticks);
  FW_CHECK(fault_is_safe(MNPEN_FAULT_OVER_SPEED));
}

static void over_speed_at_the_level_is_no_fault(void) {
  FW_CHECK(to_running_steady());
  F.speed_mhz = over_speed_level();
  ticks(1000);
  FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
  /* A burst past it shorter than the rule's time. */
  F.speed_mhz = over_speed_level() + 10000u;
  ticks(CFG.guard.over_speed_ticks - 1u);
  F.speed_mhz = RUN_MHZ;
  ticks(200);
  FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
}

static void fault_speed_implausible_encoder_zero(void) {
  FW_CHECK(to_running_steady());
  /* The encoder sticks at zero while the shaft keeps turning: today's
   * stall rule (6 ticks) would have called it a jam. */
  F.encoder_fault = true;
  F.encoder_mhz = 0;
  FW_CHECK(CFG.guard.stall_ticks < CFG.guard.implausible_ticks);
  FW_CHECK_EQ(ticks_to_fault(100), (uint32_t)CFG.guard.implausible_ticks);
  FW_CHECK(fault_is_safe(MNPEN_FAULT_SPEED_IMPLAUSIBLE));
}

static void fault_speed_implausible_encoder_high(void) {
  FW_CHECK(to_running_steady());
  /* Shaft at 80 Hz, encoder 140 Hz (below the over-speed level). The loop
   * brakes the "fast" motor: the current reverses to about -1 A, and the
   * band's hot end (R + 30 %) rises to ~104 Hz; 104 Hz + 10 Hz + 15 % of
   * 140 Hz is still below the reading. */
  F.speed_mhz = 80000u;
  F.encoder_fault = true;
  F.encoder_mhz = 140000u;
  FW_CHECK_EQ(ticks_to_fault(100), (uint32_t)CFG.guard.implausible_ticks);
  FW_CHECK(fault_is_safe(MNPEN_FAULT_SPEED_IMPLAUSIBLE));
}

static void soft_start_with_a_lagging_encoder_is_no_fault(void) {
  FW_CHECK(to_ready());
  /* The shaft follows the ramp; the encoder has no edges for most of the
   * start grace, then reads the shaft. */
  F.speed_mhz = 0;
  F.encoder_fault = true;
  F.encoder_mhz = 0;
  hold(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
  F.buttons = 0;
  uint32_t lag = CFG.guard.start_grace_ticks - CFG.debounce_ticks;
  for (uint32_t i = 0; i < lag + 2000u; i++) {
    F.speed_mhz = P.speed.ramp_mhz;
    F.encoder_mhz = i < lag ? 0u : F.speed_mhz;
    tick();
    FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
  }
  FW_CHECK_EQ(P.speed.ramp_mhz, RUN_MHZ);
}

/* Ticks until the filtered battery reading, from v0, falls below stop_mv
 * for a reading held at x: the IIR of power.h, y += (x - y) / 2^shift. */
static uint32_t filter_ticks_below(int32_t v0, int32_t x, int32_t stop_mv, uint16_t shift) {
  int32_t y = v0;
  for (uint32_t k = 1; k < 10000u; k++) {
    y += (x - y) / (1 << shift);
    if (y < stop_mv) {
      return k;
    }
  }
  return 0;
}

static void fault_battery_low_held_sag(void) {
  FW_CHECK(to_running_steady());
  const uint16_t sag = CFG.power.stop_mv - 200u;
  uint32_t lag =
      filter_ticks_below(BATT_NOMINAL_MV, sag, CFG.power.stop_mv, CFG.power.filter_shift);
  /* 3.9 V -> 2.8 V through a 1/4-per-tick filter: 1.1 V x (3/4)^k < 0.2 V
   * first holds at k = 6 (0.196 V). */
  FW_CHECK_EQ(lag, 6u);
  F.battery_mv = sag;
  FW_CHECK_EQ(ticks_to_fault(200), lag + CFG.power.stop_ticks - 1u);
  FW_CHECK(fault_is_safe(MNPEN_FAULT_BATTERY_LOW));
}

static void battery_sag_shorter_than_stop_time(void) {
  FW_CHECK(to_running_steady());
  const uint16_t sag = CFG.power.stop_mv - 200u;
  uint32_t lag =
      filter_ticks_below(BATT_NOMINAL_MV, sag, CFG.power.stop_mv, CFG.power.filter_shift);
  F.battery_mv = sag;
  ticks(lag + CFG.power.stop_ticks - 2u);
  FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
  F.battery_mv = BATT_NOMINAL_MV;
  ticks(200);
  FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
}

static void fault_over_temperature(void) {
  FW_CHECK(to_running_steady());
  /* Derating below shutdown: halfway from derate to shutdown allows half
   * of the span from the minimum speed to the setting. */
  F.temperature_dc = (int16_t)((CFG.power.derate_dc + CFG.power.shutdown_dc) / 2);
  tick();
  FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
  FW_CHECK_EQ(P.speed.target_mhz, MNPEN_SPEED_MIN_MHZ + (RUN_MHZ - MNPEN_SPEED_MIN_MHZ) / 2u);
  F.temperature_dc = CFG.power.shutdown_dc;
  FW_CHECK_EQ(ticks_to_fault(10), 1u);
  FW_CHECK(fault_is_safe(MNPEN_FAULT_OVER_TEMPERATURE));
}

/* Sensor faults: found in the first tick of an implausible reading while
 * running. Each setter makes one reading fall just below (which = 0) or
 * just above (which = 1) its plausible range. */
typedef void (*reading_fn)(int which);

static void bad_battery(int which) {
  F.battery_mv =
      which ? (uint16_t)(CFG.power.battery_max_mv + 1u) : (uint16_t)(CFG.power.battery_min_mv - 1u);
}

static void bad_temperature(int which) {
  F.temperature_dc =
      which ? (int16_t)(CFG.power.temp_max_dc + 1) : (int16_t)(CFG.power.temp_min_dc - 1);
}

static void bad_current(int which) {
  F.current_model = false;
  F.current_ma = which ? CFG.guard.current_max_ma + 1 : CFG.guard.current_min_ma - 1;
}

static void bad_depth_sensor(int which) {
  F.depth_follow = false;
  F.depth_sensor_um = which ? CFG.depth.sensor_max_um + 1 : CFG.depth.sensor_min_um - 1;
}

static int sensor_fault_in_one_tick(reading_fn set) {
  for (int which = 0; which < 2; which++) {
    if (!to_running_steady()) {
      return 0;
    }
    set(which);
    REQUIRE(ticks_to_fault(10) == 1u);
    if (!fault_is_safe(MNPEN_FAULT_SENSOR)) {
      return 0;
    }
  }
  return 1;
}

static void fault_sensor_battery(void) {
  FW_CHECK(sensor_fault_in_one_tick(bad_battery));
}

static void fault_sensor_temperature(void) {
  FW_CHECK(sensor_fault_in_one_tick(bad_temperature));
}

static void fault_sensor_current(void) {
  FW_CHECK(sensor_fault_in_one_tick(bad_current));
}

static void fault_sensor_depth_range(void) {
  FW_CHECK(sensor_fault_in_one_tick(bad_depth_sensor));
}

static void fault_sensor_depth_not_reached(void) {
  FW_CHECK(to_running_steady());
  F.depth_follow = false;
  F.depth_sensor_um = P.depth.setting_um;
  mnpen_request_depth(&P, 1000); /* the stage never moves */
  FW_CHECK_EQ(ticks_to_fault(3u * CFG.depth.settle_ticks), (uint32_t)CFG.depth.settle_ticks + 1u);
  FW_CHECK(fault_is_safe(MNPEN_FAULT_SENSOR));
}

static void depth_stage_within_settle_time_is_no_fault(void) {
  FW_CHECK(to_running_steady());
  F.depth_follow = false;
  F.depth_sensor_um = P.depth.setting_um;
  mnpen_request_depth(&P, 1000);
  ticks(CFG.depth.settle_ticks);
  F.depth_sensor_um = 1000;
  ticks(CFG.depth.settle_ticks);
  FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
  FW_CHECK(P.depth.settled);
}

static void fault_sensor_depth_over_max(void) {
  FW_CHECK(to_running_steady());
  /* Plausible for the sensor, beyond the hard maximum plus tolerance. */
  F.depth_follow = false;
  F.depth_sensor_um = MNPEN_DEPTH_MAX_UM + CFG.depth.tolerance_um + 1;
  FW_CHECK(F.depth_sensor_um <= CFG.depth.sensor_max_um);
  FW_CHECK_EQ(ticks_to_fault(10), 1u);
  FW_CHECK(fault_is_safe(MNPEN_FAULT_SENSOR));
}

/* Seats a cartridge, lets `spoil` make it bad, and checks that the pen
 * refuses it in the tick that reads the answer giving it away (after
 * `exchanges` bus exchanges of the check; for a chip that never answers,
 * the tick whose poll runs out of time) with the cartridge status
 * logged. */
static int cartridge_refused(int kind, mnpen_fault fault, int8_t status) {
  static const uint32_t exchanges[] = {2u, 2u, 1u, 2u, 3u, 3u, 3u};
  if (!to_idle()) {
    return 0;
  }
  seat_genuine();
  switch (kind) {
  case 0: /* genuine, already used */
    F.cart.chip.flag = MNPEN_CART_FLAG_USED;
    break;
  case 1: /* a clone: keyed under a guessed master key */
    mnpen_cartchip_init(&F.cart.chip, OTHER_MASTER, CART_ID);
    break;
  case 2: /* no answer to READ_ID */
  case 3: /* no answer to CHALLENGE */
  case 4: /* no answer to BURN */
    F.cart.fail_xfer = kind - 2;
    break;
  case 5: /* ignores BURN: the flag is never set */
    F.cart.ignore_burn = true;
    break;
  case 6: /* answers BURN with a recording */
    F.cart.replay_burn = true;
    memset(F.cart.replay_answer, 0, sizeof F.cart.replay_answer);
    F.cart.replay_answer[0] = MNPEN_CART_FLAG_USED;
    break;
  default: /* takes the READ_ID request, never answers */
    F.cart.mute = true;
    break;
  }
  /* Seat tick, request tick, then the polls up to the timeout. */
  uint32_t expect =
      kind <= 6 ? 1u + check_ticks(exchanges[kind]) : 2u + (uint32_t)CFG.cart_answer_ticks;
  REQUIRE(ticks_to_fault(expect + 10u) == expect);
  if (!fault_is_safe(fault)) {
    return 0;
  }
  mnpen_log_record r;
  REQUIRE(last_record(MNPEN_LOG_CARTRIDGE, &r));
  REQUIRE(r.code == status);
  REQUIRE(F.drives == 0u);
  REQUIRE(!P.cart.burned);
  return 1;
}

static void fault_cartridge_used(void) {
  FW_CHECK(cartridge_refused(0, MNPEN_FAULT_CARTRIDGE_USED, MNPEN_CART_USED));
  FW_CHECK_EQ(F.cart.chip.burns, 0u);
}

static void fault_cartridge_forged_mac(void) {
  FW_CHECK(cartridge_refused(1, MNPEN_FAULT_CARTRIDGE_FORGED, MNPEN_CART_FORGED));
  FW_CHECK(cartridge_refused(6, MNPEN_FAULT_CARTRIDGE_FORGED, MNPEN_CART_FORGED));
}

static void fault_cartridge_forged_bus(void) {
  for (int kind = 2; kind <= 4; kind++) {
    FW_CHECK(cartridge_refused(kind, MNPEN_FAULT_CARTRIDGE_FORGED, MNPEN_CART_BUS));
  }
}

static void fault_cartridge_forged_burn(void) {
  FW_CHECK(cartridge_refused(5, MNPEN_FAULT_CARTRIDGE_FORGED, MNPEN_CART_BURN));
  FW_CHECK_EQ(F.cart.chip.flag, MNPEN_CART_FLAG_FRESH);
}

/* A chip that takes a request and never answers: the check gives up after
 * the configured answer time, and the cartridge is refused like a forged
 * one, the record saying why. The key the check held is wiped. */
static void fault_cartridge_chip_never_answers(void) {
  FW_CHECK(cartridge_refused(7, MNPEN_FAULT_CARTRIDGE_FORGED, MNPEN_CART_TIMEOUT));
  FW_CHECK_EQ(F.cart.requests, 1u);
  FW_CHECK_EQ(F.cart.ready_polls, (unsigned)CFG.cart_answer_ticks);
  uint8_t zero[MNPEN_CART_KEY_LEN] = {0};
  FW_CHECK(memcmp(P.cart.key, zero, sizeof zero) == 0);
}

/* The check spans many ticks with a slow chip; START pressed and released
 * during it starts nothing, and the pen stays in CARTRIDGE_CHECK until
 * the burn is confirmed: READY comes in the tick that verifies the BURN
 * answer, with the flag burned, and not one tick earlier. Every tick of
 * the check makes at most one bus request or poll and reads at most one
 * answer. */
static void cart_check_spans_ticks_and_start_waits(void) {
  FW_CHECK(to_idle());
  seat_genuine();
  F.cart.busy_polls = 3u * CFG.debounce_ticks; /* slower than a press */
  uint32_t per_exchange = F.cart.busy_polls + 2u;
  tick();
  FW_CHECK_EQ(P.state, MNPEN_STATE_CART_CHECK);
  F.max_cart_ops = 0;
  F.max_cart_reads = 0;
  uint32_t n = 0;
  for (; n < 3u * per_exchange - 1u; n++) {
    /* START held and released again inside the check. */
    F.buttons = n < 2u * CFG.debounce_ticks ? (uint8_t)MNPEN_BTN_START : 0u;
    tick();
    FW_CHECK_EQ(P.state, MNPEN_STATE_CART_CHECK);
    FW_CHECK_EQ(F.tick_drives, 0u);
    FW_CHECK(!F.bridge_enabled);
    FW_CHECK_EQ(P.cart.burned, 0);
  }
  FW_CHECK_EQ(F.cart.requests, 3u); /* the BURN is with the chip ... */
  tick();                           /* ... and this tick verifies its answer */
  FW_CHECK_EQ(F.cart.chip.burns, 1u);
  FW_CHECK_EQ(P.state, MNPEN_STATE_READY);
  FW_CHECK_EQ(P.cart.burned, 1);
  FW_CHECK_EQ(F.max_cart_ops, 1u);
  FW_CHECK_EQ(F.max_cart_reads, 1u);
  ticks(CFG.debounce_ticks * 2u);
  FW_CHECK_EQ(P.state, MNPEN_STATE_READY); /* the press during the check is spent */
  FW_CHECK_EQ(F.drives, 0u);
  uint8_t zero[MNPEN_CART_KEY_LEN] = {0};
  FW_CHECK(memcmp(P.cart.key, zero, sizeof zero) == 0);
  press(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
}

static void fault_in_paused_closes_session(void) {
  FW_CHECK(to_paused());
  F.temperature_dc = CFG.power.shutdown_dc;
  FW_CHECK_EQ(ticks_to_fault(10), 1u);
  FW_CHECK(fault_is_safe(MNPEN_FAULT_OVER_TEMPERATURE));
  FW_CHECK_EQ(count_records(MNPEN_LOG_SESSION_END), 1u);
  FW_CHECK_EQ(P.session_open, 0);
}

static void fault_found_in_every_powered_state(void) {
  /* IDLE, CART_CHECK, READY: supervision runs whenever the pen is on. */
  FW_CHECK(to_idle());
  F.temperature_dc = CFG.power.shutdown_dc;
  FW_CHECK_EQ(ticks_to_fault(2), 1u);
  FW_CHECK(fault_is_safe(MNPEN_FAULT_OVER_TEMPERATURE));

  FW_CHECK(to_idle());
  seat_genuine();
  tick();
  FW_CHECK_EQ(P.state, MNPEN_STATE_CART_CHECK);
  bad_battery(0);
  FW_CHECK_EQ(ticks_to_fault(2), 1u);
  FW_CHECK(fault_is_safe(MNPEN_FAULT_SENSOR));
  FW_CHECK_EQ(F.cart.xfers, 0u); /* the fault came first */

  FW_CHECK(to_ready());
  bad_depth_sensor(1);
  FW_CHECK_EQ(ticks_to_fault(2), 1u);
  FW_CHECK(fault_is_safe(MNPEN_FAULT_SENSOR));
}

static void fault_with_broken_log_still_stops(void) {
  FW_CHECK(to_running_steady());
  F.flash.fail_program_after = 0;
  F.flash.fail_erase_after = 0;
  F.temperature_dc = CFG.power.shutdown_dc;
  FW_CHECK_EQ(ticks_to_fault(10), 1u);
  FW_CHECK_EQ(P.fault, MNPEN_FAULT_OVER_TEMPERATURE);
  FW_CHECK(F.last_cmd == FAKE_MOTOR_DISABLE);
  FW_CHECK_EQ(F.tick_drives, 0u);
  /* The records are queued; the next ticks find the flash failing. */
  ticks(5);
  FW_CHECK_EQ(P.log_ok, 0);
  FW_CHECK_EQ(P.state, MNPEN_STATE_FAULT);
  FW_CHECK(!F.bridge_enabled);
}

/* ---- session log ------------------------------------------------------------------ */

static void session_records_carry_cartridge_depth_speed_strokes(void) {
  FW_CHECK(to_ready());
  mnpen_request_depth(&P, 1500);
  mnpen_request_speed(&P, 120000);
  ticks(5);
  /* The measured rate: 100 Hz for 1 s of ticks is 100 strokes. */
  const uint32_t run = 1000000u / MNPEN_TICK_US;
  F.speed_mhz = 100000;
  hold(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
  mnpen_log_record r;
  FW_CHECK(last_record(MNPEN_LOG_SESSION_START, &r));
  FW_CHECK(r.cartridge_id == CART_ID);
  FW_CHECK_EQ(r.depth_um, 1500u);
  FW_CHECK_EQ(r.speed_mhz, 120000u);
  FW_CHECK_EQ(r.strokes, 0u);
  release();
  while (run_ticks < run - CFG.debounce_ticks) {
    tick();
  }
  /* The power edge comes after debounce_ticks more running ticks. */
  hold(MNPEN_BTN_POWER);
  FW_CHECK_EQ(P.state, MNPEN_STATE_OFF);
  FW_CHECK_EQ(run_ticks, run);
  FW_CHECK(last_record(MNPEN_LOG_SESSION_END, &r));
  FW_CHECK(r.cartridge_id == CART_ID);
  FW_CHECK_EQ(r.depth_um, 1500u);
  FW_CHECK_EQ(r.speed_mhz, 120000u);
  FW_CHECK(r.strokes >= 99u && r.strokes <= 101u);
  FW_CHECK(r.time_ms == P.ticks * MNPEN_TICK_US / 1000u);
  /* BOOT, CARTRIDGE, SESSION_START, SESSION_END, in that order. */
  FW_CHECK_EQ(mnpen_log_mount(&LOG, &F.hal), MNPEN_LOG_OK);
  FW_CHECK_EQ(mnpen_log_count(&LOG), 4u);
  static const uint8_t order[4] = {MNPEN_LOG_BOOT, MNPEN_LOG_CARTRIDGE, MNPEN_LOG_SESSION_START,
                                   MNPEN_LOG_SESSION_END};
  for (uint32_t i = 0; i < 4u; i++) {
    FW_CHECK_EQ(mnpen_log_read(&LOG, i, &r), MNPEN_LOG_OK);
    FW_CHECK_EQ(r.type, order[i]);
  }
  FW_CHECK_EQ(mnpen_log_verify(&LOG), MNPEN_LOG_OK);
}

static void strokes_span_pause_and_stop_while_paused(void) {
  FW_CHECK(to_ready());
  F.speed_mhz = 100000; /* 20 ticks a stroke */
  hold(MNPEN_BTN_START);
  release();
  ticks(300);
  hold(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_PAUSED);
  uint32_t first = run_ticks;
  FW_CHECK_EQ(P.strokes, first / 20u);
  release();
  ticks(500); /* paused: no strokes even though the encoder says 100 Hz */
  FW_CHECK_EQ(P.strokes, first / 20u);
  hold(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
  ticks(600);
  FW_CHECK_EQ(P.strokes, run_ticks / 20u);
  FW_CHECK_EQ(count_records(MNPEN_LOG_SESSION_START), 1u);
}

/* ---- settings ---------------------------------------------------------------------- */

static void speed_request_clamps(void) {
  boot();
  FW_CHECK_EQ(P.speed_setting_mhz, CFG.speed_default_mhz);
  FW_CHECK_EQ(mnpen_request_speed(&P, 0), MNPEN_SPEED_MIN_MHZ);
  FW_CHECK_EQ(mnpen_request_speed(&P, MNPEN_SPEED_MIN_MHZ - 1u), MNPEN_SPEED_MIN_MHZ);
  FW_CHECK_EQ(mnpen_request_speed(&P, MNPEN_SPEED_MIN_MHZ), MNPEN_SPEED_MIN_MHZ);
  FW_CHECK_EQ(mnpen_request_speed(&P, 123456u), 123456u);
  FW_CHECK_EQ(mnpen_request_speed(&P, MNPEN_SPEED_MAX_MHZ), MNPEN_SPEED_MAX_MHZ);
  FW_CHECK_EQ(mnpen_request_speed(&P, MNPEN_SPEED_MAX_MHZ + 1u), MNPEN_SPEED_MAX_MHZ);
  FW_CHECK_EQ(mnpen_request_speed(&P, UINT32_MAX), MNPEN_SPEED_MAX_MHZ);
  FW_CHECK_EQ(P.speed_setting_mhz, MNPEN_SPEED_MAX_MHZ);
  /* An out-of-range default is clamped at boot too. */
  CFG2 = CFG;
  CFG2.speed_default_mhz = 200000u;
  boot_cfg(&CFG2, MNPEN_RESET_POWER_ON);
  FW_CHECK_EQ(P.speed_setting_mhz, MNPEN_SPEED_MAX_MHZ);
}

static void speed_request_while_running_moves_target(void) {
  FW_CHECK(to_running_steady());
  mnpen_request_speed(&P, 1000000u);
  tick();
  FW_CHECK_EQ(P.speed.target_mhz, MNPEN_SPEED_MAX_MHZ);
  FW_CHECK_EQ(P.speed.ramp_mhz, RUN_MHZ + CFG.speed.ramp_mhz_per_tick);
}

static void speed_buttons_step_and_clamp(void) {
  FW_CHECK(to_idle());
  press(MNPEN_BTN_SPEED_UP);
  FW_CHECK_EQ(P.speed_setting_mhz, CFG.speed_default_mhz + CFG.speed_step_mhz);
  press(MNPEN_BTN_SPEED_DOWN);
  press(MNPEN_BTN_SPEED_DOWN);
  FW_CHECK_EQ(P.speed_setting_mhz, CFG.speed_default_mhz - CFG.speed_step_mhz);
  for (int i = 0; i < 20; i++) {
    press(MNPEN_BTN_SPEED_DOWN);
  }
  FW_CHECK_EQ(P.speed_setting_mhz, MNPEN_SPEED_MIN_MHZ);
  for (int i = 0; i < 20; i++) {
    press(MNPEN_BTN_SPEED_UP);
  }
  FW_CHECK_EQ(P.speed_setting_mhz, MNPEN_SPEED_MAX_MHZ);
  /* A step wider than the setting (a bad factory record): down still
   * means down, to the minimum, never a wrap-around to the maximum. */
  CFG2 = CFG;
  CFG2.speed_step_mhz = MNPEN_SPEED_MAX_MHZ;
  boot_cfg(&CFG2, MNPEN_RESET_POWER_ON);
  press(MNPEN_BTN_POWER);
  press(MNPEN_BTN_SPEED_DOWN);
  FW_CHECK_EQ(P.speed_setting_mhz, MNPEN_SPEED_MIN_MHZ);
  press(MNPEN_BTN_SPEED_UP);
  FW_CHECK_EQ(P.speed_setting_mhz, MNPEN_SPEED_MAX_MHZ);
}

static void depth_buttons_step_and_clamp(void) {
  FW_CHECK(to_idle());
  press(MNPEN_BTN_DEPTH_UP);
  FW_CHECK_EQ(P.depth.setting_um, CFG.depth_default_um + CFG.depth.step_um);
  press(MNPEN_BTN_DEPTH_DOWN);
  press(MNPEN_BTN_DEPTH_DOWN);
  FW_CHECK_EQ(P.depth.setting_um, CFG.depth_default_um - CFG.depth.step_um);
  FW_CHECK_EQ(F.depth_cmd_um, P.depth.setting_um); /* the stage follows */
  for (int i = 0; i < 10; i++) {
    press(MNPEN_BTN_DEPTH_DOWN);
  }
  FW_CHECK_EQ(P.depth.setting_um, MNPEN_DEPTH_MIN_UM);
  for (int i = 0; i < 40; i++) {
    press(MNPEN_BTN_DEPTH_UP);
  }
  FW_CHECK_EQ(P.depth.setting_um, MNPEN_DEPTH_MAX_UM);
  FW_CHECK_EQ(F.depth_cmd_um, MNPEN_DEPTH_MAX_UM);
  FW_CHECK_EQ(P.state, MNPEN_STATE_IDLE);
}

static void debounce_rejects_short_and_bouncing_presses(void) {
  FW_CHECK(to_idle());
  /* Held for debounce_ticks samples: one short of an edge. */
  F.buttons = MNPEN_BTN_SPEED_UP;
  ticks(CFG.debounce_ticks);
  F.buttons = 0;
  ticks(CFG.debounce_ticks + 1u);
  FW_CHECK_EQ(P.speed_setting_mhz, CFG.speed_default_mhz);
  /* Contact bounce: never stable long enough. */
  for (uint32_t i = 0; i < 10u * CFG.debounce_ticks; i++) {
    F.buttons = (i / 7u) % 2u ? MNPEN_BTN_SPEED_UP : 0u;
    tick();
  }
  F.buttons = 0;
  ticks(CFG.debounce_ticks + 1u);
  FW_CHECK_EQ(P.speed_setting_mhz, CFG.speed_default_mhz);
  /* One more sample makes it a press, and holding adds nothing. */
  F.buttons = MNPEN_BTN_SPEED_UP;
  ticks(CFG.debounce_ticks + 1u);
  FW_CHECK_EQ(P.speed_setting_mhz, CFG.speed_default_mhz + CFG.speed_step_mhz);
  ticks(20u * CFG.debounce_ticks);
  FW_CHECK_EQ(P.speed_setting_mhz, CFG.speed_default_mhz + CFG.speed_step_mhz);
  /* A short release does not make a second press. */
  F.buttons = 0;
  ticks(CFG.debounce_ticks / 2u);
  F.buttons = MNPEN_BTN_SPEED_UP;
  ticks(2u * CFG.debounce_ticks);
  FW_CHECK_EQ(P.speed_setting_mhz, CFG.speed_default_mhz + CFG.speed_step_mhz);
  /* A short power tap does not switch the pen off either. */
  F.buttons = 0;
  ticks(CFG.debounce_ticks + 1u);
  F.buttons = MNPEN_BTN_POWER;
  ticks(CFG.debounce_ticks);
  F.buttons = 0;
  ticks(CFG.debounce_ticks + 1u);
  FW_CHECK_EQ(P.state, MNPEN_STATE_IDLE);
}

static void depth_never_above_hard_max(void) {
  /* A profile that asks for more than the hard maximum. */
  CFG2 = CFG;
  CFG2.depth.zone_max_um[0] = 3500;
  CFG2.depth_default_um = 3400;
  boot_cfg(&CFG2, MNPEN_RESET_POWER_ON);
  FW_CHECK_EQ(P.depth.setting_um, MNPEN_DEPTH_MAX_UM);
  FW_CHECK_EQ(mnpen_depth_limit_um(&P.depth), MNPEN_DEPTH_MAX_UM);
  FW_CHECK_EQ(mnpen_request_depth(&P, INT32_MAX), MNPEN_DEPTH_MAX_UM);
  FW_CHECK_EQ(mnpen_request_depth(&P, MNPEN_DEPTH_MAX_UM + 1), MNPEN_DEPTH_MAX_UM);
  FW_CHECK_EQ(mnpen_request_depth(&P, INT32_MIN), MNPEN_DEPTH_MIN_UM);
  FW_CHECK_EQ(mnpen_request_depth(&P, -1), MNPEN_DEPTH_MIN_UM);
  FW_CHECK_EQ(mnpen_request_depth(&P, 2999), 2900);
  F.buttons = 0;
  press(MNPEN_BTN_POWER);
  for (int i = 0; i < 5; i++) {
    press(MNPEN_BTN_DEPTH_UP);
  }
  FW_CHECK_EQ(P.depth.setting_um, MNPEN_DEPTH_MAX_UM);
  FW_CHECK_EQ(F.depth_cmd_um, MNPEN_DEPTH_MAX_UM);
  /* A 0.25 mm scale: 3000 is on it; the top step does not pass it. */
  CFG2.depth.step_um = 250;
  boot_cfg(&CFG2, MNPEN_RESET_POWER_ON);
  for (int i = 0; i < 5; i++) {
    FW_CHECK(mnpen_depth_step(&P.depth, 1) <= MNPEN_DEPTH_MAX_UM);
  }
  FW_CHECK_EQ(P.depth.setting_um, MNPEN_DEPTH_MAX_UM);
}

static void zone_selection_limits_depth(void) {
  FW_CHECK(to_ready());
  mnpen_request_depth(&P, 1500);
  FW_CHECK_EQ(P.depth.setting_um, 1500);
  /* Periorbital (0.5 mm): the setting drops to the limit. */
  FW_CHECK_EQ(mnpen_select_zone(&P, 2), 0);
  FW_CHECK_EQ(P.depth.setting_um, 500);
  press(MNPEN_BTN_DEPTH_UP);
  FW_CHECK_EQ(P.depth.setting_um, 500);
  FW_CHECK_EQ(mnpen_request_depth(&P, 2000), 500);
  /* Forehead (0.75 mm) on a 0.1 mm scale: rounded down to 0.7 mm. */
  FW_CHECK_EQ(mnpen_select_zone(&P, 1), 0);
  FW_CHECK_EQ(mnpen_request_depth(&P, 2000), 700);
  /* Unknown zones are refused and change nothing. */
  FW_CHECK_EQ(mnpen_select_zone(&P, CFG.depth.zone_count), -1);
  FW_CHECK_EQ(mnpen_select_zone(&P, 255), -1);
  FW_CHECK_EQ(P.depth.zone, 1u);
  FW_CHECK_EQ(P.depth.setting_um, 700);
  /* A profile claiming more zones than the table holds: the zones past
   * the table do not exist. */
  CFG2 = CFG;
  CFG2.depth.zone_count = MNPEN_ZONES_MAX + 1u;
  P.cfg = &CFG2;
  P.depth.cfg = &CFG2.depth;
  FW_CHECK_EQ(mnpen_select_zone(&P, MNPEN_ZONES_MAX), -1);
  FW_CHECK_EQ(P.depth.zone, 1u);
  P.cfg = &CFG;
  P.depth.cfg = &CFG.depth;
  /* Back to an unrestricted zone: the setting stays where it was. */
  FW_CHECK_EQ(mnpen_select_zone(&P, 0), 0);
  FW_CHECK_EQ(P.depth.setting_um, 700);
  FW_CHECK_EQ(mnpen_request_depth(&P, 2000), 2000);
  /* The stage follows the zone's clamp, and the pen starts there. */
  mnpen_select_zone(&P, 2);
  tick();
  tick();
  FW_CHECK_EQ(F.depth_cmd_um, 500);
  F.speed_mhz = RUN_MHZ;
  hold(MNPEN_BTN_START);
  FW_CHECK_EQ(P.state, MNPEN_STATE_RUNNING);
  mnpen_log_record r;
  FW_CHECK(last_record(MNPEN_LOG_SESSION_START, &r));
  FW_CHECK_EQ(r.depth_um, 500u);
}

/* ---- invariant over a random run --------------------------------------------------- */

static uint32_t rnd(uint32_t *s, uint32_t n) {
  return fake_xorshift32(s) % n;
}

static int32_t rnd_between(uint32_t *s, int32_t lo, int32_t hi) {
  return lo + (int32_t)rnd(s, (uint32_t)(hi - lo + 1));
}

/* A new cartridge of a random kind: mostly genuine and fresh. */
static void seat_random(uint32_t *s) {
  fake_pen_seat(&F, CFG.master_key, CART_ID + rnd(s, 1000u));
  uint32_t k = rnd(s, 10u);
  if (k == 0u) {
    F.cart.chip.flag = MNPEN_CART_FLAG_USED;
  } else if (k == 1u) {
    mnpen_cartchip_init(&F.cart.chip, OTHER_MASTER, CART_ID);
  } else if (k == 2u) {
    F.cart.fail_xfer = (int)rnd(s, 3u);
  }
}

/* New readings for a segment: mostly plausible; otherwise one of the
 * troubles the supervisors look for, or anything at all. */
static void readings_random(uint32_t *s) {
  F.speed_mhz = rnd(s, 4u) == 0u ? rnd(s, 160001u) : RUN_MHZ;
  F.battery_mv = (uint16_t)rnd_between(s, 3300, 4150);
  F.temperature_dc = (int16_t)rnd_between(s, 150, 400);
  F.current_model = true;
  F.depth_follow = true;
  switch (rnd(s, 12u)) {
  case 0: /* sagging cell */
    F.battery_mv = (uint16_t)rnd_between(s, 2000, 3100);
    break;
  case 1: /* hot */
    F.temperature_dc = (int16_t)rnd_between(s, 380, 450);
    break;
  case 2: /* heavy load or jam */
    F.current_model = false;
    F.current_ma = rnd_between(s, 1000, 3000);
    F.speed_mhz = rnd(s, 2u) ? 0u : rnd(s, RUN_MHZ + 1u);
    break;
  case 3: /* depth stage stuck near its setting */
    F.depth_follow = false;
    F.depth_sensor_um = P.depth.setting_um + rnd_between(s, -300, 300);
    break;
  case 4: /* anything */
    F.battery_mv = (uint16_t)rnd_between(s, 0, 5000);
    F.temperature_dc = (int16_t)rnd_between(s, -300, 1300);
    F.current_model = rnd(s, 2u) == 0u;
    F.current_ma = rnd_between(s, -4000, 6000);
    F.depth_follow = rnd(s, 2u) == 0u;
    F.depth_sensor_um = rnd_between(s, -500, 3600);
    break;
  default:
    break;
  }
}

static uint8_t buttons_random(uint32_t *s) {
  /* Each button is pressed more often where it does something, so the run
   * goes round the machine instead of idling in one corner. */
  mnpen_state st = P.state;
  uint32_t power_pct = st == MNPEN_STATE_OFF ? 40u : st == MNPEN_STATE_FAULT ? 25u : 2u;
  uint32_t start_pct = st == MNPEN_STATE_READY || st == MNPEN_STATE_PAUSED ? 60u
                       : st == MNPEN_STATE_RUNNING                         ? 8u
                                                                           : 20u;
  if (rnd(s, 100u) < power_pct) {
    return MNPEN_BTN_POWER;
  }
  uint8_t b = rnd(s, 100u) < start_pct ? (uint8_t)MNPEN_BTN_START : 0u;
  if (rnd(s, 10u) == 0u) {
    b |= (uint8_t)(1u << rnd_between(s, 2, 5));
  }
  return b;
}

static void motor_driven_only_while_running(void) {
  static const uint32_t SEGMENTS = 1500u;
  uint32_t seed = 0x6D6E7065u; /* fixed: the run is the same every time */
  uint32_t visits[MNPEN_STATE_COUNT] = {0};
  uint32_t faults[MNPEN_FAULT_COUNT] = {0};
  boot();
  for (uint32_t seg = 0; seg < SEGMENTS; seg++) {
    F.buttons = buttons_random(&seed);
    if (!F.cart.present && rnd(&seed, 2u) == 0u) {
      seat_random(&seed);
    } else if (F.cart.present && rnd(&seed, 10u) == 0u) {
      F.cart.present = false;
    }
    if (rnd(&seed, 3u) == 0u) {
      readings_random(&seed);
    }
    uint32_t len = 1u + rnd(&seed, 3u * CFG.debounce_ticks);
    for (uint32_t i = 0; i < len; i++) {
      mnpen_state before = P.state;
      tick();
      visits[P.state]++;
      if (P.state == MNPEN_STATE_FAULT && before != MNPEN_STATE_FAULT) {
        faults[P.fault]++;
        FW_CHECK(F.tick_disables > 0u);
      }
      if (P.state == MNPEN_STATE_RUNNING) {
        FW_CHECK_EQ(F.tick_drives, 1u);
        FW_CHECK(F.last_cmd == FAKE_MOTOR_DRIVE);
      } else {
        FW_CHECK_EQ(F.tick_drives, 0u);
        FW_CHECK(F.last_cmd == FAKE_MOTOR_DISABLE);
        FW_CHECK(!F.bridge_enabled);
      }
      FW_CHECK(!F.tick_drive_after_disable);
      FW_CHECK_EQ(F.flash_before_motor, 0u);
      if (P.state == MNPEN_STATE_FAULT && before != MNPEN_STATE_FAULT) {
        FW_CHECK_EQ(F.tick_flash_ops, 0u);
      }
      FW_CHECK(P.depth.setting_um >= MNPEN_DEPTH_MIN_UM);
      FW_CHECK(P.depth.setting_um <= mnpen_depth_limit_um(&P.depth));
      FW_CHECK(F.depth_cmd_um <= MNPEN_DEPTH_MAX_UM);
      FW_CHECK(P.speed_setting_mhz >= MNPEN_SPEED_MIN_MHZ);
      FW_CHECK(P.speed_setting_mhz <= MNPEN_SPEED_MAX_MHZ);
      FW_CHECK_EQ(F.wd_kicks, P.ticks);
    }
  }
  /* The run must have exercised the machine, or it proves nothing. */
  for (unsigned s = 0; s < MNPEN_STATE_COUNT; s++) {
    FW_CHECK(visits[s] > 0u);
  }
  FW_CHECK(visits[MNPEN_STATE_RUNNING] > 2000u);
  FW_CHECK_EQ(F.drives, visits[MNPEN_STATE_RUNNING]);
  /* Bounded slow work in every tick: one flash operation started or
   * polled, one sector-check's worth of reads, one cartridge request or
   * poll and one answer read; the log never read a busy flash, wrapped its
   * ring (so erases ran over several ticks) and lost nothing. */
  FW_CHECK_EQ(F.max_flash_ops, 1u);
  FW_CHECK(F.max_flash_bytes <= MNPEN_LOG_STEP_READ_SLOTS * MNPEN_LOG_RECORD_BYTES);
  FW_CHECK_EQ(F.max_cart_ops, 1u);
  FW_CHECK_EQ(F.max_cart_reads, 1u);
  FW_CHECK_EQ(F.flash.busy_refusals, 0u);
  uint32_t erases = 0;
  for (uint32_t s = 0; s < F.flash.sectors; s++) {
    erases += F.flash.erases[s];
  }
  FW_CHECK(erases > F.flash.sectors);
  FW_CHECK_EQ(P.log.lost, 0u);
  unsigned kinds = 0;
  for (unsigned f = 1; f < MNPEN_FAULT_COUNT; f++) {
    kinds += faults[f] > 0u;
  }
  FW_CHECK(kinds >= 5u);
}

static void names_of_states_and_faults(void) {
  FW_CHECK(strcmp(mnpen_state_name(MNPEN_STATE_CART_CHECK), "cartridge_check") == 0);
  FW_CHECK(strcmp(mnpen_state_name(MNPEN_STATE_COUNT), "unknown") == 0);
  FW_CHECK(strcmp(mnpen_fault_name(MNPEN_FAULT_OVER_CURRENT), "over_current") == 0);
  FW_CHECK(strcmp(mnpen_fault_name(MNPEN_FAULT_WATCHDOG), "watchdog") == 0);
  FW_CHECK(strcmp(mnpen_fault_name(MNPEN_FAULT_OVER_SPEED), "over_speed") == 0);
  FW_CHECK(strcmp(mnpen_fault_name(MNPEN_FAULT_SPEED_IMPLAUSIBLE), "speed_implausible") == 0);
  FW_CHECK(strcmp(mnpen_fault_name(MNPEN_FAULT_COUNT), "unknown") == 0);
}

FW_SUITE(
    mnpen_suite_pen, "pen", FW_CASE(boot_power_on_enters_off),
    FW_CASE(watchdog_kicked_every_tick_in_every_state), FW_CASE(off_power_enters_idle),
    FW_CASE(off_ignores_every_button_but_power), FW_CASE(off_ignores_cartridge_and_sensors),
    FW_CASE(idle_power_enters_off), FW_CASE(idle_start_does_nothing),
    FW_CASE(idle_seat_checks_cartridge), FW_CASE(cart_check_removal_enters_idle),
    FW_CASE(cart_check_power_enters_off), FW_CASE(ready_power_enters_off),
    FW_CASE(ready_removal_enters_idle), FW_CASE(ready_start_enters_running),
    FW_CASE(ready_start_refused_depth_unsettled), FW_CASE(ready_start_refused_battery_low),
    FW_CASE(ready_start_refused_hot), FW_CASE(running_start_pauses),
    FW_CASE(running_removal_enters_idle), FW_CASE(running_power_enters_off),
    FW_CASE(paused_start_resumes), FW_CASE(paused_resume_refused),
    FW_CASE(paused_removal_enters_idle), FW_CASE(paused_power_enters_off),
    FW_CASE(fault_power_clears), FW_CASE(fault_refused_cartridge_cleared_by_removal),
    FW_CASE(fault_other_not_cleared_by_removal), FW_CASE(fault_watchdog_reset_boot),
    FW_CASE(fault_stall_jam), FW_CASE(fault_stall_slow), FW_CASE(fault_over_current_at_speed),
    FW_CASE(over_current_single_sample_ignored), FW_CASE(fault_over_speed),
    FW_CASE(fault_over_speed_encoder_reading_low), FW_CASE(over_speed_at_the_level_is_no_fault),
    FW_CASE(fault_speed_implausible_encoder_zero), FW_CASE(fault_speed_implausible_encoder_high),
    FW_CASE(soft_start_with_a_lagging_encoder_is_no_fault), FW_CASE(fault_battery_low_held_sag),
    FW_CASE(battery_sag_shorter_than_stop_time), FW_CASE(fault_over_temperature),
    FW_CASE(fault_sensor_battery), FW_CASE(fault_sensor_temperature), FW_CASE(fault_sensor_current),
    FW_CASE(fault_sensor_depth_range), FW_CASE(fault_sensor_depth_not_reached),
    FW_CASE(depth_stage_within_settle_time_is_no_fault), FW_CASE(fault_sensor_depth_over_max),
    FW_CASE(fault_cartridge_used), FW_CASE(fault_cartridge_forged_mac),
    FW_CASE(fault_cartridge_forged_bus), FW_CASE(fault_cartridge_forged_burn),
    FW_CASE(fault_cartridge_chip_never_answers), FW_CASE(cart_check_spans_ticks_and_start_waits),
    FW_CASE(fault_in_paused_closes_session), FW_CASE(fault_found_in_every_powered_state),
    FW_CASE(fault_with_broken_log_still_stops),
    FW_CASE(session_records_carry_cartridge_depth_speed_strokes),
    FW_CASE(strokes_span_pause_and_stop_while_paused), FW_CASE(speed_request_clamps),
    FW_CASE(speed_request_while_running_moves_target), FW_CASE(speed_buttons_step_and_clamp),
    FW_CASE(depth_buttons_step_and_clamp), FW_CASE(debounce_rejects_short_and_bouncing_presses),
    FW_CASE(depth_never_above_hard_max), FW_CASE(zone_selection_limits_depth),
    FW_CASE(motor_driven_only_while_running), FW_CASE(names_of_states_and_faults));
