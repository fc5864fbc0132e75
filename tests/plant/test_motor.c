/*
 * The pen's motor and bridge against the analytic solutions of the model's
 * own equations:
 *   L di/dt = V - R i - k w,   J dw/dt = k i - b w - T_c sign(w)
 * with V = duty * OCV and R the winding, bridge and (duty^2 x) cell
 * resistances in series. No-load steady speed, the step response from rest
 * (an exact second-order solution), coast-down with the bridge open, and the
 * stall current of a jammed cam.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "io/params.h"
#include "plant/plant.h"

#include "../support/pen_params.h"

static mn_plant_params prm;

static int load(void **state) {
  (void)state;
  return pen_params_load(&prm);
}

static mn_plant *make(const mn_plant_params *p, double soc) {
  mn_plant *plant = NULL;
  char err[256];
  assert_int_equal(mn_plant_create(&plant, p, err, sizeof err), 0);
  mn_plant_set_battery(plant, soc, 1.0);
  return plant;
}

/* Open-circuit voltage the plant sees at this state of charge, from the
 * table (linear interpolation), computed independently of the plant. */
static double ocv_at(const mn_plant_params *p, double soc) {
  for (size_t k = 1; k < p->battery.points; k++) {
    if (soc <= p->battery.soc[k]) {
      double f = (soc - p->battery.soc[k - 1]) / (p->battery.soc[k] - p->battery.soc[k - 1]);
      return p->battery.ocv[k - 1] + f * (p->battery.ocv[k] - p->battery.ocv[k - 1]);
    }
  }
  return p->battery.ocv[p->battery.points - 1];
}

static double loop_resistance(const mn_plant_params *p, double duty) {
  return p->motor.resistance + p->bridge.on_resistance +
         duty * duty * p->battery.internal_resistance;
}

static double mech_time_constant(const mn_plant_params *p) {
  double k = p->motor.torque_constant;
  return (p->motor.rotor_inertia + p->cam.inertia) *
         (p->motor.resistance + p->bridge.on_resistance) / (k * k);
}

/* w = (V k - R T_c) / (k^2 + R b) */
static double no_load_speed(const mn_plant_params *p, double duty, double soc) {
  double k = p->motor.torque_constant, r = loop_resistance(p, duty);
  return (duty * ocv_at(p, soc) * k - r * p->motor.friction_torque) /
         (k * k + r * p->motor.viscous_damping);
}

static void no_load_steady_speed_matches_analytic(void **state) {
  (void)state;
  const double duties[] = {1.0, 0.5, 0.25};
  for (size_t n = 0; n < 3; n++) {
    mn_plant *p = make(&prm, 0.5);
    mn_plant_drive(p, duties[n], 1);
    /* 25 mechanical time constants J R / k^2, whatever the data say. */
    mn_plant_advance(p, 25.0 * mech_time_constant(&prm));
    double want = no_load_speed(&prm, duties[n], 0.5);
    double got = mn_plant_omega(p);
    /* The brief's tolerance is 0.5%; the scheme's fixed point is the
     * analytic one, so it holds far tighter (the SOC drift of 0.3 s moves
     * the OCV by well under 1e-4). */
    assert_true(fabs(got - want) < 1e-4 * want);
    double k = prm.motor.torque_constant;
    double i_want = (prm.motor.friction_torque + prm.motor.viscous_damping * want) / k;
    assert_true(fabs(mn_plant_current_a(p) - i_want) < 1e-3 * i_want);
    mn_plant_destroy(&p);
  }
}

/* Exact solution of the linear system x' = A x + u from rest, valid while
 * w > 0 (friction a constant torque): x(t) = xs + exp(A t) (x0 - xs). A has
 * two real eigenvalues (the electrical and the mechanical mode), so
 * exp(A t) = (e^{l1 t} (A - l2 I) - e^{l2 t} (A - l1 I)) / (l1 - l2). */
static void step_response_exact(const mn_plant_params *p, double duty, double soc, double t,
                                double *i, double *w) {
  double r = loop_resistance(p, duty), l = p->motor.inductance, k = p->motor.torque_constant;
  double j = p->motor.rotor_inertia + p->cam.inertia, b = p->motor.viscous_damping;
  double v = duty * ocv_at(p, soc), tc = p->motor.friction_torque;
  double a11 = -r / l, a12 = -k / l, a21 = k / j, a22 = -b / j;
  double tr = a11 + a22, det = a11 * a22 - a12 * a21;
  double disc = sqrt(tr * tr / 4.0 - det);
  double l1 = tr / 2.0 + disc, l2 = tr / 2.0 - disc;
  double ws = (v * k - r * tc) / (k * k + r * b);
  double is = (v - k * ws) / r;
  double d1 = 0.0 - is, d2 = 0.0 - ws; /* x0 - xs */
  double e1 = exp(l1 * t), e2 = exp(l2 * t);
  double m11 = (e1 * (a11 - l2) - e2 * (a11 - l1)) / (l1 - l2);
  double m12 = (e1 * a12 - e2 * a12) / (l1 - l2);
  double m21 = (e1 * a21 - e2 * a21) / (l1 - l2);
  double m22 = (e1 * (a22 - l2) - e2 * (a22 - l1)) / (l1 - l2);
  *i = is + m11 * d1 + m12 * d2;
  *w = ws + m21 * d1 + m22 * d2;
}

/* Largest deviation from the exact step response over 60 ms, relative to
 * the peak current and the final speed. */
static void step_response_error(const mn_plant_params *p, double *err_i, double *err_w) {
  mn_plant *plant = make(p, 0.5);
  mn_plant_drive(plant, 1.0, 1);
  double i_peak = 0.0, w_final = 0.0, ei = 0.0, ew = 0.0;
  for (int tick = 1; tick <= 600; tick++) { /* 100 us ticks */
    mn_plant_advance(plant, 1e-4);
    double i, w;
    step_response_exact(p, 1.0, 0.5, 1e-4 * tick, &i, &w);
    i_peak = fmax(i_peak, i);
    w_final = w;
    ei = fmax(ei, fabs(mn_plant_current_a(plant) - i));
    ew = fmax(ew, fabs(mn_plant_omega(plant) - w));
  }
  *err_i = ei / i_peak;
  *err_w = ew / w_final;
  mn_plant_destroy(&plant);
}

static void step_response_matches_exact_second_order_solution(void **state) {
  (void)state;
  double ei, ew;
  step_response_error(&prm, &ei, &ew);
  /* At the data's step (50 us, ~3 L/R) the current follows the exact
   * solution to 0.5% of its peak, the speed to 0.3% of its final value. */
  assert_true(ei < 0.005);
  assert_true(ew < 0.003);
  /* And the scheme converges: a 10x finer step cuts the current's error at
   * least 3x and the speed's 5x. */
  mn_plant_params fine = prm;
  fine.dt = prm.dt / 10.0;
  double ei_f, ew_f;
  step_response_error(&fine, &ei_f, &ew_f);
  assert_true(ei_f < ei / 3.0);
  assert_true(ew_f < ew / 5.0);
}

static void disabled_bridge_blocks_current_and_motor_coasts(void **state) {
  (void)state;
  mn_plant *p = make(&prm, 0.5);
  mn_plant_drive(p, 1.0, 1);
  for (int tick = 0; tick < 200; tick++) {
    mn_plant_advance(p, 1e-3);
  }
  double w0 = mn_plant_omega(p);
  assert_true(mn_plant_current_a(p) > 0.0);
  mn_plant_drive(p, 1.0, 0);
  double l_over_r = prm.motor.inductance / (prm.motor.resistance + prm.battery.internal_resistance);
  /* Within a few L/R the current is zero, and the diodes keep it there. */
  mn_plant_advance(p, 5.0 * l_over_r);
  assert_true(mn_plant_current_a(p) == 0.0);
  double t0 = mn_plant_time_s(p);
  double w_start = mn_plant_omega(p);
  double w_prev = w_start;
  for (int tick = 0; tick < 50; tick++) {
    mn_plant_advance(p, 1e-3);
    assert_true(mn_plant_current_a(p) == 0.0);
    assert_true(mn_plant_battery_current_a(p) == 0.0);
    assert_true(mn_plant_omega(p) < w_prev); /* coasting down */
    w_prev = mn_plant_omega(p);
  }
  assert_true(w_start > 0.99 * w0); /* the current's decay took almost no speed */
  /* Coast-down: J w' = -b w - T_c, w(t) = (w0 + T_c/b) e^{-b t/J} - T_c/b. */
  double j = prm.motor.rotor_inertia + prm.cam.inertia, b = prm.motor.viscous_damping;
  double tc = prm.motor.friction_torque, t = mn_plant_time_s(p) - t0;
  double want = (w_start + tc / b) * exp(-b * t / j) - tc / b;
  assert_true(fabs(mn_plant_omega(p) - want) < 0.005 * w_start);
  /* Friction stops the rotor for good, no later than J w / T_c: no reversal. */
  int stop_ticks = (int)(j * w_start / tc / 1e-3) + 10;
  for (int tick = 0; tick < stop_ticks; tick++) {
    mn_plant_advance(p, 1e-3);
    assert_true(mn_plant_omega(p) >= 0.0);
  }
  assert_true(mn_plant_omega(p) == 0.0);
  mn_plant_destroy(&p);
}

static void freewheel_current_returns_to_the_cell(void **state) {
  (void)state;
  mn_plant *p = make(&prm, 0.5);
  mn_plant_set_jam(p, 1);
  mn_plant_drive(p, 1.0, 1);
  mn_plant_advance(p, 1e-3);
  double i0 = mn_plant_current_a(p);
  mn_plant_drive(p, 1.0, 0);
  double q0 = mn_plant_battery_charge_c(p);
  mn_plant_advance(p, 1e-3);
  /* With the rotor locked the winding's current decays as
   * i0 e^{-t/tau} - I_inf (1 - e^{-t/tau}) against OCV + 2 V_diode until it
   * reaches zero; the charge it returns to the cell is the integral of
   * that, tau (i0 - I_inf ln(1 + i0/I_inf)). */
  double r = prm.motor.resistance + prm.battery.internal_resistance;
  double tau = prm.motor.inductance / r;
  double i_inf = (ocv_at(&prm, 0.5) + 2.0 * prm.bridge.diode_drop) / r;
  double q_want = tau * (i0 - i_inf * log(1.0 + i0 / i_inf));
  double q_back = q0 - mn_plant_battery_charge_c(p);
  assert_true(fabs(q_back - q_want) < 1e-6 * q_want + 1e-12);
  assert_true(mn_plant_current_a(p) == 0.0);
  mn_plant_destroy(&p);
}

static void jam_draws_the_stall_current(void **state) {
  (void)state;
  const double duties[] = {1.0, 0.4};
  for (size_t n = 0; n < 2; n++) {
    mn_plant *p = make(&prm, 0.8);
    mn_plant_drive(p, duties[n], 1);
    mn_plant_set_skin(p, 1, 12);
    mn_plant_depth_command(p, 1.0e-3);
    for (int tick = 0; tick < 300; tick++) {
      mn_plant_advance(p, 1e-3);
    }
    mn_plant_set_jam(p, 1);
    double angle = mn_plant_angle(p);
    size_t strokes0;
    mn_plant_strokes(p, &strokes0);
    for (int tick = 0; tick < 5; tick++) { /* 5 ms: hundreds of L/R */
      mn_plant_advance(p, 1e-3);
    }
    double d = duties[n];
    double want = d * ocv_at(&prm, mn_plant_battery_soc(p)) / loop_resistance(&prm, d);
    assert_true(mn_plant_omega(p) == 0.0);
    assert_true(mn_plant_angle(p) == angle);
    assert_true(fabs(mn_plant_current_a(p) - want) < 1e-4 * want);
    assert_true(fabs(mn_plant_stall_current_a(p) - want) < 1e-9 * want);
    size_t strokes1;
    mn_plant_strokes(p, &strokes1);
    assert_int_equal(strokes0, strokes1);
    /* Released, it runs again. */
    mn_plant_set_jam(p, 0);
    mn_plant_set_skin(p, 0, 0);
    for (int tick = 0; tick < 300; tick++) {
      mn_plant_advance(p, 1e-3);
    }
    double w_want = no_load_speed(&prm, d, mn_plant_battery_soc(p));
    assert_true(fabs(mn_plant_omega(p) - w_want) < 1e-3 * w_want);
    mn_plant_destroy(&p);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(no_load_steady_speed_matches_analytic),
      cmocka_unit_test(step_response_matches_exact_second_order_solution),
      cmocka_unit_test(disabled_bridge_blocks_current_and_motor_coasts),
      cmocka_unit_test(freewheel_current_returns_to_the_cell),
      cmocka_unit_test(jam_draws_the_stall_current),
  };
  return cmocka_run_group_tests(tests, load, NULL);
}
