/*
 * Speed controller against a small integer DC-motor model:
 *   i = (V d - ke s) / R,   s' = (i - i_load) * g
 * (s stroke rate in mHz, i in mA). Checks: the loop settles on the setpoint
 * and holds it under a load step; the soft start ramps; anti-windup keeps
 * the overshoot small after a long saturation; the unregulated mode is a
 * fixed duty that ignores load and battery.
 */
#include "fwtest.h"
#include "mnpen/hal.h"
#include "mnpen/speed.h"

typedef struct {
  int64_t s_mhz;
  int64_t i_ma;
  int64_t load_ma;
  int64_t v_mv;
} motor;

/* ke 34558 nV/mHz, R 5000 mohm; g: mHz per tick per mA of net current. */
static const mnpen_speed_config cfg = {
    .ke_nv_per_mhz = 34558,
    .r_mohm = 5000,
    .ir_comp_pct = 80,
    .kp_q16 = 1 << 15,
    .ki_q16 = 1 << 12,
    .ramp_mhz_per_tick = 200,
    .nominal_mv = 6000,
    .current_limit_ma = 3000,
};

static void motor_step(motor *m, uint16_t duty) {
  int64_t emf_mv = (int64_t)cfg.ke_nv_per_mhz * m->s_mhz / 1000000;
  int64_t drive_mv = m->v_mv * duty / MNPEN_DUTY_FULL;
  m->i_ma = (drive_mv - emf_mv) * 1000 / cfg.r_mohm;
  if (m->i_ma < 0) {
    m->i_ma = 0;
  }
  m->s_mhz += (m->i_ma - m->load_ma) * 4;
  if (m->s_mhz < 0) {
    m->s_mhz = 0;
  }
}

static uint16_t run(mnpen_speed *sp, motor *m, int ticks) {
  uint16_t d = 0;
  for (int t = 0; t < ticks; t++) {
    d = mnpen_speed_update(sp, (uint32_t)m->s_mhz, (int32_t)m->i_ma, (uint16_t)m->v_mv);
    motor_step(m, d);
  }
  return d;
}

static int64_t abs64(int64_t v) {
  return v < 0 ? -v : v;
}

static void settles_and_holds_under_load(void) {
  mnpen_speed sp;
  motor m = {0, 0, 20, 6000};
  mnpen_speed_init(&sp, &cfg, 1);
  mnpen_speed_start(&sp, 110000);
  run(&sp, &m, 2000);
  FW_CHECK(abs64(m.s_mhz - 110000) < 1100); /* within 1 % */
  m.load_ma = 120;                          /* needles meet skin */
  int64_t worst = 0;
  for (int t = 0; t < 2000; t++) {
    run(&sp, &m, 1);
    if (abs64(m.s_mhz - 110000) > worst) {
      worst = abs64(m.s_mhz - 110000);
    }
  }
  FW_CHECK(worst < 2200); /* never off by 2 % */
  FW_CHECK(abs64(m.s_mhz - 110000) < 200);
}

static void soft_start_ramps(void) {
  mnpen_speed sp;
  motor m = {0, 0, 0, 6000};
  mnpen_speed_init(&sp, &cfg, 1);
  mnpen_speed_start(&sp, 110000);
  for (int t = 1; t <= 100; t++) {
    run(&sp, &m, 1);
    FW_CHECK_EQ(sp.ramp_mhz, (uint32_t)t * cfg.ramp_mhz_per_tick);
  }
  run(&sp, &m, 1000);
  FW_CHECK_EQ(sp.ramp_mhz, 110000u);
}

static void anti_windup_limits_overshoot(void) {
  mnpen_speed sp;
  motor m = {0, 0, 0, 6000};
  mnpen_speed_init(&sp, &cfg, 1);
  mnpen_speed_start(&sp, 110000);
  run(&sp, &m, 2000);
  /* A long overload the motor cannot beat: duty saturates. */
  m.load_ma = 2000;
  uint16_t d = run(&sp, &m, 3000);
  FW_CHECK_EQ(d, MNPEN_DUTY_FULL);
  FW_CHECK(sp.integ_q16 <= ((int64_t)MNPEN_DUTY_FULL << 16));
  m.load_ma = 0;
  int64_t peak = 0;
  for (int t = 0; t < 3000; t++) {
    run(&sp, &m, 1);
    if (m.s_mhz > peak) {
      peak = m.s_mhz;
    }
  }
  FW_CHECK(peak < 110000 + 110000 / 20); /* < 5 % overshoot */
  FW_CHECK(abs64(m.s_mhz - 110000) < 1100);
}

static void unregulated_is_a_fixed_duty(void) {
  mnpen_speed sp;
  motor m = {0, 0, 0, 6000};
  mnpen_speed_init(&sp, &cfg, 0);
  mnpen_speed_start(&sp, 110000);
  uint16_t d0 = run(&sp, &m, 2000);
  /* duty = ke s / V_nominal */
  FW_CHECK_EQ(d0, (uint16_t)((int64_t)34558 * 110000 / 1000000 * MNPEN_DUTY_FULL / 6000));
  m.load_ma = 120;
  m.v_mv = 5000;
  uint16_t d1 = run(&sp, &m, 2000);
  FW_CHECK_EQ(d0, d1);
  FW_CHECK(m.s_mhz < 110000 - 5500); /* so it slows by more than 5 % */
}

static void current_limit_caps_the_winding_current(void) {
  mnpen_speed_config lim = cfg;
  lim.current_limit_ma = 150;
  mnpen_speed sp;
  motor m = {0, 0, 0, 6000};
  mnpen_speed_init(&sp, &lim, 1);
  mnpen_speed_start(&sp, 110000);
  run(&sp, &m, 2000);
  FW_CHECK(abs64(m.s_mhz - 110000) < 1100); /* unloaded, the limit is not in the way */
  /* A load the limit cannot carry: the motor slows instead of drawing more. */
  m.load_ma = 400;
  int64_t peak = 0;
  for (int t = 0; t < 3000; t++) {
    run(&sp, &m, 1);
    peak = m.i_ma > peak ? m.i_ma : peak;
  }
  FW_CHECK(peak <= 150 + 150 / 10); /* within one period's overshoot */
  FW_CHECK(m.s_mhz < 110000 / 2);
  /* Locked rotor (speed reads 0, no back-EMF): the duty is what drives the
   * limit through the resistance alone. */
  m.s_mhz = 0;
  m.load_ma = 100000;
  run(&sp, &m, 50);
  FW_CHECK(m.i_ma <= 150 + 150 / 10);
}

static void stop_clears_everything(void) {
  mnpen_speed sp;
  motor m = {0, 0, 0, 6000};
  mnpen_speed_init(&sp, &cfg, 1);
  mnpen_speed_start(&sp, 110000);
  run(&sp, &m, 500);
  mnpen_speed_stop(&sp);
  FW_CHECK_EQ(sp.duty, 0);
  FW_CHECK_EQ(sp.integ_q16, 0);
  FW_CHECK_EQ(sp.ramp_mhz, 0u);
  FW_CHECK_EQ(mnpen_speed_update(&sp, 0, 0, 0), 0); /* dead battery reading: no drive */
}

FW_SUITE(mnpen_suite_speed, "speed", FW_CASE(settles_and_holds_under_load),
         FW_CASE(soft_start_ramps), FW_CASE(anti_windup_limits_overshoot),
         FW_CASE(unregulated_is_a_fixed_duty), FW_CASE(current_limit_caps_the_winding_current),
         FW_CASE(stop_clears_everything));
