/*
 * The pen's battery: the open-circuit voltage table reproduces the
 * published curve it was taken from, the state of charge falls by exactly
 * the charge drawn over the capacity, the charge drawn is what the motor's
 * analytic steady current says, the terminal voltage sags by I x R_int (more
 * for an aged cell), and the power drawn balances the losses.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "io/params.h"
#include "plant/battery.h"
#include "plant/plant.h"

#include "../support/pen_params.h"

static mn_plant_params prm;

static int load(void **state) {
  (void)state;
  return pen_params_load(&prm);
}

/* Chen & Rincon-Mora (2006), IEEE Trans Energy Convers 21:504, eq. for
 * Voc(SOC) of their 850 mAh Li-ion polymer cell. */
static double published_ocv(double soc) {
  return -1.031 * exp(-35.0 * soc) + 3.685 + 0.2156 * soc - 0.1178 * soc * soc +
         0.3201 * soc * soc * soc;
}

static void ocv_table_follows_the_published_curve(void **state) {
  (void)state;
  /* At the nodes the table is the curve (to its 0.1 mV rounding). */
  for (size_t k = 0; k < prm.battery.points; k++) {
    double soc = prm.battery.soc[k];
    assert_true(fabs(mn_battery_ocv(&prm.battery, soc) - published_ocv(soc)) < 1e-4);
  }
  /* Between nodes, above 10% charge, linear interpolation stays within
   * 10 mV of the curve: well inside a low-battery threshold's margin. */
  for (double soc = 0.1; soc <= 1.0; soc += 0.005) {
    assert_true(fabs(mn_battery_ocv(&prm.battery, soc) - published_ocv(soc)) < 0.010);
  }
  /* Clamped outside 0..1. */
  assert_true(mn_battery_ocv(&prm.battery, -0.5) == prm.battery.ocv[0]);
  assert_true(mn_battery_ocv(&prm.battery, 1.5) == prm.battery.ocv[prm.battery.points - 1]);
}

static void soc_falls_by_charge_over_capacity(void **state) {
  (void)state;
  mn_plant *p = NULL;
  char err[256];
  assert_int_equal(mn_plant_create(&p, &prm, err, sizeof err), 0);
  mn_plant_set_battery(p, 0.9, 1.0);
  double duty = 0.8;
  mn_plant_drive(p, duty, 1);
  for (int tick = 0; tick < 300; tick++) {
    mn_plant_advance(p, 1e-3);
  }
  double soc0 = mn_plant_battery_soc(p), q0 = mn_plant_battery_charge_c(p);
  double seconds = 10.0;
  for (int tick = 0; tick < (int)(seconds * 1e3); tick++) {
    mn_plant_advance(p, 1e-3);
  }
  double dq = mn_plant_battery_charge_c(p) - q0;
  double dsoc = soc0 - mn_plant_battery_soc(p);
  /* Bookkeeping: the SOC drop is the charge over the capacity. */
  assert_true(fabs(dsoc - dq / prm.battery.capacity) < 1e-12);
  /* And the charge is the cell current of the analytic steady state:
   * I_batt = duty * i, i = (T_c + b w) / k. */
  double k = prm.motor.torque_constant;
  double w = mn_plant_omega(p);
  double i = (prm.motor.friction_torque + prm.motor.viscous_damping * w) / k;
  double want = duty * i * seconds;
  assert_true(fabs(dq - want) < 0.005 * want);
  /* Running at stall drains it measurably: 1 minute at ~2.7 A is ~5%. */
  mn_plant_set_jam(p, 1);
  double soc1 = mn_plant_battery_soc(p);
  q0 = mn_plant_battery_charge_c(p);
  for (int tick = 0; tick < 60000; tick++) {
    mn_plant_advance(p, 1e-3);
  }
  dq = mn_plant_battery_charge_c(p) - q0;
  assert_true(fabs((soc1 - mn_plant_battery_soc(p)) - dq / prm.battery.capacity) < 1e-12);
  assert_true(dq / prm.battery.capacity > 0.03);
  mn_plant_destroy(&p);
}

static void terminal_voltage_sags_by_current_times_resistance(void **state) {
  (void)state;
  const double factors[] = {1.0, 4.0};
  double v[2];
  for (int n = 0; n < 2; n++) {
    mn_plant *p = NULL;
    char err[256];
    assert_int_equal(mn_plant_create(&p, &prm, err, sizeof err), 0);
    mn_plant_set_battery(p, 0.3, factors[n]);
    mn_plant_set_jam(p, 1);
    mn_plant_drive(p, 1.0, 1);
    mn_plant_advance(p, 2e-3);
    double soc = mn_plant_battery_soc(p);
    double ocv = mn_battery_ocv(&prm.battery, soc);
    double r_batt = prm.battery.internal_resistance * factors[n];
    /* Stall at full duty: i = OCV / (R + R_on + R_batt). */
    double i = ocv / (prm.motor.resistance + prm.bridge.on_resistance + r_batt);
    assert_true(fabs(mn_plant_battery_current_a(p) - i) < 1e-6 * i);
    v[n] = mn_plant_battery_terminal_v(p);
    assert_true(fabs(v[n] - (ocv - i * r_batt)) < 1e-6);
    mn_plant_destroy(&p);
  }
  /* An aged cell (4x the resistance) sags clearly more under the same
   * jam: tenths of a volt, enough to cross a low-battery threshold. */
  assert_true(v[0] - v[1] > 0.3);
}

static void power_drawn_balances_the_losses(void **state) {
  (void)state;
  mn_plant *p = NULL;
  char err[256];
  assert_int_equal(mn_plant_create(&p, &prm, err, sizeof err), 0);
  mn_plant_set_battery(p, 0.6, 2.0);
  double duty = 0.7;
  mn_plant_drive(p, duty, 1);
  double k = prm.motor.torque_constant;
  double tau = (prm.motor.rotor_inertia + prm.cam.inertia) *
               (prm.motor.resistance + prm.bridge.on_resistance) / (k * k);
  mn_plant_advance(p, 40.0 * tau); /* steady to well under 1e-9 */
  /* Steady state: OCV I_batt = I_batt^2 R_batt + i^2 (R + R_on)
   *                             + T_c w + b w^2. */
  double i_b = mn_plant_battery_current_a(p), i = mn_plant_current_a(p), w = mn_plant_omega(p);
  double ocv = mn_battery_ocv(&prm.battery, mn_plant_battery_soc(p));
  double r_batt = 2.0 * prm.battery.internal_resistance;
  double drawn = ocv * i_b;
  double lost = i_b * i_b * r_batt + i * i * (prm.motor.resistance + prm.bridge.on_resistance) +
                prm.motor.friction_torque * w + prm.motor.viscous_damping * w * w;
  assert_true(fabs(i_b - duty * i) < 1e-9);
  /* The cell drains while the state settles, so speed and current still
   * drift (the kinetic and magnetic energy terms are not quite zero): a few
   * 1e-6 of the power with the data's inertia. 1e-5 bounds that drift and
   * still catches any missing loss term, each of which is > 1e-3. */
  assert_true(fabs(drawn - lost) < 1e-5 * drawn);
  mn_plant_destroy(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ocv_table_follows_the_published_curve),
      cmocka_unit_test(soc_falls_by_charge_over_capacity),
      cmocka_unit_test(terminal_voltage_sags_by_current_times_resistance),
      cmocka_unit_test(power_drawn_balances_the_losses),
  };
  return cmocka_run_group_tests(tests, load, NULL);
}
