/*
 * A DC motor turning the needle cam, for whole-run tests of the pen on the
 * fake HAL (portable like fake_pen.h: integers only, no heap, no stdio; it
 * runs in the self-test image too).
 *
 * What it models, per sub-step of FAKE_MOTOR_STEP_US:
 *   current   I = (duty x V_batt - ke x rate) / R while the bridge drives,
 *             0 when it is open (the winding's L/R, 16 us, is far below a
 *             sub-step);
 *   shaft     d(rate)/dt = accel x (I - I_load), the torque balance written
 *             in winding current: accel = kt / (2 pi J) in mHz/s per mA,
 *             I_load = friction + needle load, each as the current whose
 *             torque carries it; the rate never goes negative (the load
 *             only resists);
 *   needles   on skin, a triangular load pulse over a quarter revolution
 *             (the down-stroke into skin), peak needle_peak_ma;
 *   encoder   16 edges per revolution latched by a 1 MHz capture timer;
 *             the reading is the rate of the last edge interval, 0 when
 *             no edge came for FAKE_MOTOR_ENCODER_TIMEOUT_US: the lag of a
 *             period measurement, which is what the speed supervision has
 *             to tolerate, is there.
 * The physics behind the SIL (src/plant) is richer; this is enough to run
 * the real speed loop and supervision closed-loop through starts, needle
 * pulses and duty saturation without the host.
 *
 * Ranges: rate below 2^31 uHz (2147 Hz), angle a uint32_t fraction of a
 * revolution; every product is formed in 64 bits below 2^63.
 */
#ifndef MNPEN_TEST_FAKE_MOTOR_H
#define MNPEN_TEST_FAKE_MOTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "mnpen/hal.h"
#include "mnpen/limits.h"

#define FAKE_MOTOR_STEP_US 50u
#define FAKE_MOTOR_EDGES_PER_REV 16u
#define FAKE_MOTOR_ENCODER_TIMEOUT_US 20000u
/* One encoder edge interval in angle units (2^32 per revolution). */
#define FAKE_MOTOR_EDGE_ANGLE (1u << 28)

typedef struct {
  /* Constants. */
  uint32_t ke_nv_per_mhz;
  uint32_t r_mohm;
  uint32_t accel;         /* mHz/s per mA of net current */
  int32_t friction_ma;    /* friction torque / kt */
  int32_t needle_peak_ma; /* needle load at its peak / kt; 0 in the air */
  bool jammed;            /* the cam is blocked: the shaft stands */
  /* State. */
  int64_t rate_uhz; /* stroke rate (one stroke per revolution), uHz */
  uint32_t angle;   /* cam angle, 2^32 = one revolution */
  uint64_t now_ns;
  uint64_t edge_ns[2]; /* the last two encoder edges, newest first */
  uint32_t edges;
  int32_t current_ma;
} fake_motor;

/* Needle load at a cam angle: a triangle over the second quarter turn. */
static inline int64_t fake_motor_needle_ma(const fake_motor *m) {
  const uint32_t a = m->angle >> 16; /* 0..65535 per revolution */
  const uint32_t from = 16384u, mid = 24576u, half = 8192u;
  if (a < from || a >= from + 2u * half) {
    return 0;
  }
  uint32_t off = a > mid ? a - mid : mid - a;
  return (int64_t)m->needle_peak_ma * (int64_t)(half - off) / (int64_t)half;
}

static inline void fake_motor_step(fake_motor *m, bool driven, uint16_t duty, uint16_t battery_mv) {
  int64_t emf_mv = (int64_t)m->ke_nv_per_mhz * (m->rate_uhz / 1000) / 1000000;
  int64_t i_ma = 0;
  if (driven) {
    int64_t v_mv = (int64_t)duty * battery_mv / MNPEN_DUTY_FULL;
    i_ma = (v_mv - emf_mv) * 1000 / m->r_mohm;
  }
  m->current_ma = (int32_t)i_ma;
  int64_t load = fake_motor_needle_ma(m) + (m->rate_uhz > 0 ? m->friction_ma : 0);
  int64_t net = i_ma - load;
  if (m->rate_uhz == 0 && net < 0) {
    net = 0; /* at rest the load holds the shaft, it does not turn it back */
  }
  m->rate_uhz += net * (int64_t)m->accel * FAKE_MOTOR_STEP_US / 1000;
  if (m->rate_uhz < 0 || m->jammed) {
    m->rate_uhz = 0;
  }
  /* Angle: uHz x us = 1e-12 revolutions; below one edge interval. */
  uint64_t d = (uint64_t)m->rate_uhz * FAKE_MOTOR_STEP_US / 1000u * 4294967296ull / 1000000000u;
  uint64_t to_edge = FAKE_MOTOR_EDGE_ANGLE - (m->angle & (FAKE_MOTOR_EDGE_ANGLE - 1u));
  if (d >= to_edge) {
    m->edge_ns[1] = m->edge_ns[0];
    m->edge_ns[0] = m->now_ns + FAKE_MOTOR_STEP_US * 1000u * to_edge / d;
    m->edges++;
  }
  m->angle += (uint32_t)d;
  m->now_ns += FAKE_MOTOR_STEP_US * 1000u;
}

/* Runs the motor for one control period with the bridge as the pen left it. */
static inline void fake_motor_period(fake_motor *m, bool driven, uint16_t duty,
                                     uint16_t battery_mv) {
  for (uint32_t t = 0; t < MNPEN_TICK_US; t += FAKE_MOTOR_STEP_US) {
    fake_motor_step(m, driven, duty, battery_mv);
  }
}

/* The capture timer's reading, mHz. */
static inline uint32_t fake_motor_encoder_mhz(const fake_motor *m) {
  if (m->edges < 2u || m->now_ns - m->edge_ns[0] > FAKE_MOTOR_ENCODER_TIMEOUT_US * 1000ull) {
    return 0;
  }
  uint64_t c_last = m->edge_ns[0] / 1000u, c_prev = m->edge_ns[1] / 1000u;
  if (c_last <= c_prev) {
    return 0;
  }
  uint64_t per_rev_us = (c_last - c_prev) * FAKE_MOTOR_EDGES_PER_REV;
  return (uint32_t)((1000000000ull + per_rev_us / 2u) / per_rev_us);
}

static inline uint32_t fake_motor_rate_mhz(const fake_motor *m) {
  return (uint32_t)(m->rate_uhz / 1000);
}

#endif /* MNPEN_TEST_FAKE_MOTOR_H */
