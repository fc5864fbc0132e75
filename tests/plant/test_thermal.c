/*
 * The handpiece's thermal model: steady states are ambient + P x R_th
 * (through both resistances for the winding's own heat, through the housing
 * resistance alone for heat put into the housing); the transient follows the
 * exact solution of the two-node network as the step shrinks; and the plant
 * feeds it the winding's I^2 R and the external heat input.
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
#include "plant/thermal.h"

static mn_plant_params prm;

static int load(void **state) {
  (void)state;
  return pen_params_load(&prm);
}

static void steady_state_is_ambient_plus_power_times_resistance(void **state) {
  (void)state;
  const mn_plant_thermal_params *th = &prm.thermal;
  double r1 = th->winding_to_housing, r2 = th->housing_to_ambient, ta = th->ambient_c;
  mn_thermal_state s;

  /* Heat in the winding crosses both resistances. */
  mn_thermal_init(&s, th);
  for (int k = 0; k < 20000; k++) { /* 20,000 s: ~90 housing time constants */
    mn_thermal_step(&s, th, 1.5, 0.0, 1.0);
  }
  assert_true(fabs(s.winding_c - (ta + 1.5 * (r1 + r2))) < 1e-6);
  assert_true(fabs(s.housing_c - (ta + 1.5 * r2)) < 1e-6);

  /* Heat into the housing (external input) leaves the winding at the
   * housing's temperature. */
  mn_thermal_init(&s, th);
  for (int k = 0; k < 20000; k++) {
    mn_thermal_step(&s, th, 0.0, 0.8, 1.0);
  }
  assert_true(fabs(s.housing_c - (ta + 0.8 * r2)) < 1e-6);
  assert_true(fabs(s.winding_c - s.housing_c) < 1e-6);

  /* Without heat it returns to ambient. */
  for (int k = 0; k < 20000; k++) {
    mn_thermal_step(&s, th, 0.0, 0.0, 1.0);
  }
  assert_true(fabs(s.housing_c - ta) < 1e-6);
}

/* Exact rise of the two nodes for constant winding heat P from ambient:
 * x' = A x + u with x the rises, solved through A's two real eigenvalues. */
static void exact_rise(const mn_plant_thermal_params *th, double p, double t, double *tw,
                       double *th_out) {
  double g1 = 1.0 / th->winding_to_housing, g2 = 1.0 / th->housing_to_ambient;
  double cw = th->winding_capacity, ch = th->housing_capacity;
  double a11 = -g1 / cw, a12 = g1 / cw, a21 = g1 / ch, a22 = -(g1 + g2) / ch;
  double tr = a11 + a22, det = a11 * a22 - a12 * a21;
  double disc = sqrt(tr * tr / 4.0 - det);
  double l1 = tr / 2.0 + disc, l2 = tr / 2.0 - disc;
  double xs1 = p * (th->winding_to_housing + th->housing_to_ambient);
  double xs2 = p * th->housing_to_ambient;
  double d1 = -xs1, d2 = -xs2;
  double e1 = exp(l1 * t), e2 = exp(l2 * t);
  double m11 = (e1 * (a11 - l2) - e2 * (a11 - l1)) / (l1 - l2);
  double m12 = (e1 - e2) * a12 / (l1 - l2);
  double m21 = (e1 - e2) * a21 / (l1 - l2);
  double m22 = (e1 * (a22 - l2) - e2 * (a22 - l1)) / (l1 - l2);
  *tw = xs1 + m11 * d1 + m12 * d2;
  *th_out = xs2 + m21 * d1 + m22 * d2;
}

static double transient_error(double dt) {
  mn_thermal_state s;
  mn_thermal_init(&s, &prm.thermal);
  double worst = 0.0;
  int steps = (int)(300.0 / dt + 0.5);
  for (int k = 1; k <= steps; k++) {
    mn_thermal_step(&s, &prm.thermal, 2.0, 0.0, dt);
    double tw, th;
    exact_rise(&prm.thermal, 2.0, k * dt, &tw, &th);
    worst = fmax(worst, fabs(s.winding_c - prm.thermal.ambient_c - tw));
    worst = fmax(worst, fabs(s.housing_c - prm.thermal.ambient_c - th));
  }
  return worst;
}

static void transient_converges_to_the_exact_solution(void **state) {
  (void)state;
  double e_coarse = transient_error(0.1);
  double e_fine = transient_error(0.01);
  /* 2 W into the winding: rises of tens of kelvin; at 10 ms steps the
   * error is millikelvin, and backward Euler is first order. */
  assert_true(e_fine < 0.01);
  assert_true(e_fine < e_coarse / 5.0);
}

static void plant_feeds_copper_loss_and_external_heat(void **state) {
  (void)state;
  mn_plant *p = NULL;
  char err[256];
  assert_int_equal(mn_plant_create(&p, &prm, err, sizeof err), 0);
  mn_plant_set_battery(p, 0.5, 1.0);
  /* Jammed at a known duty: constant current i = d OCV / R_loop after a few
   * microseconds, so the winding takes i^2 R and the housing the bridge's
   * i^2 R_on plus the external heat. */
  double d = 0.3, ext = 0.5;
  mn_plant_set_jam(p, 1);
  mn_plant_drive(p, d, 1);
  mn_plant_set_heat_input(p, ext);
  mn_thermal_state ref;
  mn_thermal_init(&ref, &prm.thermal);
  for (int tick = 0; tick < 20000; tick++) { /* 20 s */
    mn_plant_advance(p, 1e-3);
    double i = mn_plant_current_a(p);
    mn_thermal_step(&ref, &prm.thermal, i * i * prm.motor.resistance,
                    i * i * prm.bridge.on_resistance + ext, 1e-3);
  }
  assert_true(mn_plant_winding_temperature_c(p) > prm.thermal.ambient_c + 5.0);
  assert_true(fabs(mn_plant_winding_temperature_c(p) - ref.winding_c) < 0.01);
  assert_true(fabs(mn_plant_temperature_c(p) - ref.housing_c) < 0.01);
  mn_plant_destroy(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(steady_state_is_ambient_plus_power_times_resistance),
      cmocka_unit_test(transient_converges_to_the_exact_solution),
      cmocka_unit_test(plant_feeds_copper_loss_and_external_heat),
  };
  return cmocka_run_group_tests(tests, load, NULL);
}
