/*
 * Whole runs of the pen on the fake HAL with a motor and needle load
 * (fake_motor.h) behind it: the speed loop and the motor supervision
 * closed-loop, as in the SIL but portable (it runs in the self-test image).
 *
 *   - the regulated pen started on skin at 0.5-3.0 mm and 90, 110, 150 Hz:
 *     soft start, needle pulses, duty saturation at depth, and no fault;
 *   - the cheap pen (its own drive, fixed duty, a full cell) in the air,
 *     where it turns faster than 150 Hz at the 150 Hz setting, then on
 *     skin, at every depth where the SIL's cheap pen completes its runs
 *     (docs/firmware.md section 3): no fault;
 *   - and the faults closed-loop: an encoder reading 15 % low at 150 Hz
 *     lets the loop overspeed the cam (over_speed); an encoder stuck at
 *     zero (speed_implausible, not stall); a jammed cam (still a stall).
 *
 * Motor constants: ke, R, kt / (2 pi J) and friction of data/pen/motor.yaml
 * with the cam's flywheel (cam.yaml), and of data/pen/cheap_drive.yaml.
 * The needle load is a test fixture sized to the SIL: 0.63 A of the
 * regulated motor's current per mm of depth at the peak of a stroke
 * (docs/firmware.md section 3: running peaks of 0.64 A at 1 mm to 1.89 A
 * at 3 mm), the same torque on the cheap drive (x 2.67 / 3.9).
 */
#include <stdbool.h>
#include <stdint.h>

#include "fake_motor.h"
#include "fake_pen.h"
#include "fwtest.h"
#include "mnpen/guard.h"
#include "mnpen/limits.h"
#include "mnpen/pen.h"
#include "pen_config.h"

#define CART_ID 0x00C0FFEE00000042ull
#define BATT_NOMINAL_MV 3900u
#define BATT_FULL_MV 4100u
#define TEMP_ROOM_DC 250

/* Needle load at the peak of a stroke, per mm of depth. */
#define NEEDLE_MA_PER_MM 630
/* kt(regulated) / kt(cheap) = 2.67 / 3.9, in 1/1000. */
#define CHEAP_LOAD_PERMIL 685

static fake_pen F;
static mnpen_pen P;
static fake_motor M;
static mnpen_config C;
static uint32_t encoder_pct; /* the speed sensor reads this share of the truth */

/* The 1524 SR motor with the flywheel cam: ke 2.67 mV s/rad, 1.1 ohm + 0.3
 * ohm bridge, kt / (2 pi x (0.53 + 1.0) g cm^2) = 2777 Hz/s per A, friction
 * 0.08 mNm / kt = 30 mA. */
static void motor_regulated(void) {
  M = (fake_motor){0};
  M.ke_nv_per_mhz = C.speed.ke_nv_per_mhz;
  M.r_mohm = C.speed.r_mohm;
  M.accel = 2777u;
  M.friction_ma = 30;
}

/* The cheap drive: ke 3.9 mV s/rad (24504 nV/mHz), 8.0 ohm + 0.3 ohm,
 * kt / (2 pi x (0.5 + 0.05) g cm^2) = 11286 Hz/s per A, friction 0.1 mNm /
 * kt = 26 mA. The factory record carries its ke and R. */
static void motor_cheap(void) {
  C.speed.ke_nv_per_mhz = 24504u;
  C.speed.r_mohm = 8300u;
  C.regulated = 0;
  M = (fake_motor){0};
  M.ke_nv_per_mhz = C.speed.ke_nv_per_mhz;
  M.r_mohm = C.speed.r_mohm;
  M.accel = 11286u;
  M.friction_ma = 26;
}

static int32_t needle_ma(uint32_t depth_um, int cheap) {
  int32_t ma = (int32_t)((int64_t)NEEDLE_MA_PER_MM * (int64_t)depth_um / 1000);
  return cheap ? ma * CHEAP_LOAD_PERMIL / 1000 : ma;
}

/* One control period: the sensors read the motor, the pen ticks, the
 * motor runs with what the pen commanded. */
static void period(void) {
  fake_pen_tick_begin(&F);
  F.speed_mhz = (uint32_t)((uint64_t)fake_motor_encoder_mhz(&M) * encoder_pct / 100u);
  F.current_ma = M.current_ma;
  mnpen_tick(&P);
  fake_pen_tick_end(&F);
  fake_motor_period(&M, F.bridge_enabled, F.last_duty, F.battery_mv);
}

static void periods(uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    period();
  }
}

static void press(uint8_t buttons) {
  F.buttons = buttons;
  periods(C.debounce_ticks + 1u);
  F.buttons = 0;
  periods(C.debounce_ticks + 1u);
}

/* Boots the pen with C and a motor already set in M, powers it on, seats a
 * cartridge, sets rate and depth and starts the motor. */
static int start(uint32_t mhz, int32_t depth_um, uint16_t battery_mv) {
  fake_motor motor = M;
  fake_pen_init(&F, C.master_key, CART_ID);
  F.battery_mv = battery_mv;
  F.temperature_dc = TEMP_ROOM_DC;
  F.current_model = false;
  encoder_pct = 100u;
  mnpen_init(&P, &F.hal, &C);
  M = motor;
  press(MNPEN_BTN_POWER);
  fake_pen_seat(&F, C.master_key, CART_ID);
  /* The seat, then the check's three exchanges over the slow chip. */
  periods(1u + 3u * (FAKE_PEN_CART_POLLS + 2u));
  if (P.state != MNPEN_STATE_READY) {
    return 0;
  }
  mnpen_request_speed(&P, mhz);
  mnpen_request_depth(&P, depth_um);
  periods(2);
  press(MNPEN_BTN_START);
  return P.state == MNPEN_STATE_RUNNING;
}

/* Runs n periods; 0 if the pen left RUNNING. Keeps the mean encoder rate
 * of the last `tail` periods and the fastest true rate. */
static uint32_t mean_mhz, fastest_mhz;

static int run(uint32_t n, uint32_t tail) {
  uint64_t sum = 0;
  for (uint32_t i = 0; i < n; i++) {
    period();
    if (P.state != MNPEN_STATE_RUNNING) {
      return 0;
    }
    if (i + tail >= n) {
      sum += F.speed_mhz;
    }
    if (fake_motor_rate_mhz(&M) > fastest_mhz) {
      fastest_mhz = fake_motor_rate_mhz(&M);
    }
  }
  mean_mhz = tail ? (uint32_t)(sum / tail) : 0u;
  return 1;
}

static const uint32_t RATES[3] = {90000u, 110000u, 150000u};
static const int32_t DEPTHS[7] = {500, 1000, 1500, 2000, 2200, 2500, 3000};

static uint32_t within_pct(uint32_t a, uint32_t b, uint32_t pct) {
  uint32_t d = a > b ? a - b : b - a;
  return (uint64_t)d * 100u <= (uint64_t)b * pct;
}

static void regulated_runs_on_skin_do_not_trip(void) {
  for (unsigned i = 0; i < 3; i++) {
    for (unsigned j = 0; j < 7; j++) {
      C = CFG;
      motor_regulated();
      M.needle_peak_ma = needle_ma((uint32_t)DEPTHS[j], 0);
      FW_CHECK(start(RATES[i], DEPTHS[j], BATT_NOMINAL_MV));
      /* Through the soft start and the start grace, then half a second. */
      FW_CHECK(run(C.guard.start_grace_ticks + 1000u, 400u));
      FW_CHECK_EQ(P.fault, MNPEN_FAULT_NONE);
      if (DEPTHS[j] <= 1500) {
        FW_CHECK(within_pct(mean_mhz, RATES[i], 2u));
      }
    }
  }
}

/* Deepest depth (index into DEPTHS) the SIL's cheap pen completes at each
 * rate: 1.5 mm at 90 Hz, 2.0 mm at 110 Hz, 2.2 mm at 150 Hz. */
static const unsigned CHEAP_DEEPEST[3] = {2, 3, 4};

static void cheap_pen_runs_that_complete_do_not_trip(void) {
  for (unsigned i = 0; i < 3; i++) {
    for (unsigned j = 0; j <= CHEAP_DEEPEST[i]; j++) {
      C = CFG;
      motor_cheap();
      fastest_mhz = 0;
      /* A full cell, in the air: the fixed duty, set for a half-charged
       * cell, turns the cam near the setting (the cell's surplus less the
       * friction's drop; past 150 Hz at the 150 Hz setting, below). */
      FW_CHECK(start(RATES[i], DEPTHS[j], BATT_FULL_MV));
      FW_CHECK(run(C.guard.start_grace_ticks + 200u, 200u));
      FW_CHECK(within_pct(mean_mhz, RATES[i], 3u));
      /* Then onto skin: it slows, and nothing trips. */
      M.needle_peak_ma = needle_ma((uint32_t)DEPTHS[j], 1);
      FW_CHECK(run(1000u, 400u));
      FW_CHECK_EQ(P.fault, MNPEN_FAULT_NONE);
      FW_CHECK(mean_mhz < RATES[i]);
      if (RATES[i] == MNPEN_SPEED_MAX_MHZ) {
        /* Past the hard maximum, inside the over-speed margin. */
        FW_CHECK(fastest_mhz > MNPEN_SPEED_MAX_MHZ);
        FW_CHECK(fastest_mhz < mnpen_guard_over_speed_mhz(&C.guard));
      }
    }
  }
}

/* Periods until FAULT, at most max; the count, or 0. */
static uint32_t periods_to_fault(uint32_t max) {
  for (uint32_t n = 1; n <= max; n++) {
    period();
    if (P.state == MNPEN_STATE_FAULT) {
      return n;
    }
  }
  return 0;
}

static void encoder_reading_low_overspeeds_and_trips(void) {
  C = CFG;
  motor_regulated();
  M.needle_peak_ma = needle_ma(1000u, 0);
  FW_CHECK(start(MNPEN_SPEED_MAX_MHZ, 1000, BATT_NOMINAL_MV));
  FW_CHECK(run(C.guard.start_grace_ticks + 200u, 100u));
  FW_CHECK(within_pct(mean_mhz, MNPEN_SPEED_MAX_MHZ, 2u));
  /* The sensor now reads 85 %: the loop drives the cam towards 176 Hz. */
  encoder_pct = 85u;
  FW_CHECK(periods_to_fault(200u) > 0u);
  FW_CHECK_EQ(P.fault, MNPEN_FAULT_OVER_SPEED);
  FW_CHECK(fake_motor_rate_mhz(&M) > mnpen_guard_over_speed_mhz(&C.guard));
  FW_CHECK(!F.bridge_enabled);
  FW_CHECK_EQ(F.tick_drives, 0u);
}

static void encoder_stuck_at_zero_is_implausible(void) {
  C = CFG;
  motor_regulated();
  M.needle_peak_ma = needle_ma(1000u, 0);
  FW_CHECK(start(110000u, 1000, BATT_NOMINAL_MV));
  FW_CHECK(run(C.guard.start_grace_ticks + 200u, 100u));
  encoder_pct = 0u;
  FW_CHECK_EQ(periods_to_fault(200u), (uint32_t)C.guard.implausible_ticks);
  FW_CHECK_EQ(P.fault, MNPEN_FAULT_SPEED_IMPLAUSIBLE);
  FW_CHECK(within_pct(fake_motor_rate_mhz(&M), 110000u, 5u)); /* it was turning */
  FW_CHECK(!F.bridge_enabled);
}

static void jam_is_still_a_stall(void) {
  C = CFG;
  motor_regulated();
  M.needle_peak_ma = needle_ma(1000u, 0);
  FW_CHECK(start(110000u, 1000, BATT_NOMINAL_MV));
  FW_CHECK(run(C.guard.start_grace_ticks + 200u, 100u));
  /* The shaft stops; the encoder's last period stands until its timeout. */
  M.jammed = true;
  /* The current limit holds the winding at 2.0 A, below the over-current
   * trip; the back-EMF is gone, so the slow-motor rule decides, counting
   * from the period after the jam (the first whose readings show it). */
  FW_CHECK_EQ(periods_to_fault(200u), C.guard.stall_ticks + 1u);
  FW_CHECK_EQ(P.fault, MNPEN_FAULT_STALL);
  FW_CHECK(P.current_ma <= C.speed.current_limit_ma);
}

FW_SUITE(mnpen_suite_runs, "runs", FW_CASE(regulated_runs_on_skin_do_not_trip),
         FW_CASE(cheap_pen_runs_that_complete_do_not_trip),
         FW_CASE(encoder_reading_low_overspeeds_and_trips),
         FW_CASE(encoder_stuck_at_zero_is_implausible), FW_CASE(jam_is_still_a_stall));
