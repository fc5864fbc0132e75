/*
 * The cheap pen's drive (data/pen/cheap_drive.yaml, what an unregulated pen
 * is modelled with): mn_plant_params_cheap_drive() swaps the motor and the
 * cam's inertia and nothing else; in the air at a fixed duty the plant
 * turns at the analytic no-load speed of the new motor (within 0.5 %); on
 * skin (12 needles at 1 mm) at the duty for 110 Hz in the air it slows by
 * 20-35 %, against 8-15 % for the regulated pen's coreless motor and
 * flywheel at the same fixed duty; and a hand pressing half as hard again
 * slows it at least twice as much as it slows the coreless drive.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "io/params.h"
#include "plant/battery.h"
#include "plant/plant.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define NEEDLES 12
#define DEPTH_M 1.0e-3
#define TARGET_HZ 110.0
#define SOC 0.5

static mn_params *table;
static mn_plant_params coreless, cheap;

static int load(void **state) {
  (void)state;
  char err[512] = "";
  int rc = mn_params_create(&table) != 0 ||
           mn_params_load_dir(table, MN_DATA_DIR "/pen", err, sizeof err) != 0 ||
           mn_plant_params_from(&coreless, table, err, sizeof err) != 0;
  cheap = coreless;
  rc = rc || mn_plant_params_cheap_drive(&cheap, table, err, sizeof err) != 0;
  if (rc) {
    fprintf(stderr, "data/pen: %s\n", err);
  }
  return rc ? -1 : 0;
}

static int unload(void **state) {
  (void)state;
  mn_params_destroy(&table);
  return 0;
}

static void swaps_only_the_drive(void **state) {
  (void)state;
  double v = 0.0;
  char err[256];
  assert_int_equal(mn_params_get(table, "cheap_drive.resistance", "ohm", &v, err, sizeof err), 0);
  assert_true(cheap.motor.resistance == v);
  assert_int_equal(mn_params_get(table, "cheap_drive.cam_inertia", "kg m^2", &v, err, sizeof err),
                   0);
  assert_true(cheap.cam.inertia == v);
  assert_true(cheap.motor.torque_constant != coreless.motor.torque_constant);
  /* Everything but the motor and the cam's inertia is the pen's. */
  assert_memory_equal(&cheap.bridge, &coreless.bridge, sizeof cheap.bridge);
  assert_memory_equal(&cheap.contact, &coreless.contact, sizeof cheap.contact);
  assert_memory_equal(&cheap.battery, &coreless.battery, sizeof cheap.battery);
  assert_memory_equal(&cheap.thermal, &coreless.thermal, sizeof cheap.thermal);
  assert_memory_equal(&cheap.depth, &coreless.depth, sizeof cheap.depth);
  assert_true(cheap.cam.stroke == coreless.cam.stroke && cheap.dt == coreless.dt &&
              cheap.encoder_edges_per_rev == coreless.encoder_edges_per_rev);

  /* A table without the cheap drive: refused, the parameters untouched. */
  mn_params *empty = NULL;
  assert_int_equal(mn_params_create(&empty), 0);
  mn_plant_params p = coreless;
  assert_int_equal(mn_plant_params_cheap_drive(&p, empty, err, sizeof err), MN_PLANT_EPARAM);
  assert_memory_equal(&p.motor, &coreless.motor, sizeof p.motor);
  assert_true(p.cam.inertia == coreless.cam.inertia);
  mn_params_destroy(&empty);
}

/* Analytic steady state in the air at a duty: back-EMF and friction. */
static double no_load_hz(const mn_plant_params *m, double duty) {
  double k = m->motor.torque_constant;
  double r =
      m->motor.resistance + m->bridge.on_resistance + duty * duty * m->battery.internal_resistance;
  double v = duty * mn_battery_ocv(&m->battery, SOC);
  return (v * k - r * m->motor.friction_torque) / (k * k + r * m->motor.viscous_damping) /
         (2.0 * M_PI);
}

static double duty_for(const mn_plant_params *m, double hz) {
  double lo = 0.0, hi = 1.0;
  for (int it = 0; it < 60; it++) {
    double mid = 0.5 * (lo + hi);
    if (no_load_hz(m, mid) > hz) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return 0.5 * (lo + hi);
}

/* Mean stroke rate over 2 s at a fixed duty, after 1 s to settle. */
static double run_fixed(const mn_plant_params *m, double duty, int on_skin, double load) {
  mn_plant *p = NULL;
  char err[256];
  assert_int_equal(mn_plant_create(&p, m, err, sizeof err), 0);
  mn_plant_set_battery(p, SOC, 1.0);
  mn_plant_depth_command(p, DEPTH_M);
  mn_plant_drive(p, duty, 1);
  mn_plant_set_skin(p, on_skin, NEEDLES);
  mn_plant_set_skin_load(p, load);
  mn_plant_advance(p, 1.0);
  mn_plant_strokes_clear(p);
  mn_plant_advance(p, 2.0);
  size_t n = 0;
  const mn_plant_stroke *s = mn_plant_strokes(p, &n);
  assert_true(n > 10);
  double rate = (double)(n - 1) / (s[n - 1].time_s - s[0].time_s);
  mn_plant_destroy(&p);
  return rate;
}

static void turns_at_its_no_load_speed_in_air(void **state) {
  (void)state;
  double duty = duty_for(&cheap, TARGET_HZ);
  double air = run_fixed(&cheap, duty, 0, 1.0);
  print_message("cheap drive: duty %.3f, %.2f Hz in air\n", duty, air);
  assert_true(fabs(air - TARGET_HZ) < 0.005 * TARGET_HZ);
}

static void slows_under_skin_load_and_follows_the_hand(void **state) {
  (void)state;
  const mn_plant_params *drives[2] = {&coreless, &cheap};
  double drop[2], hand[2];
  for (int d = 0; d < 2; d++) {
    double duty = duty_for(drives[d], TARGET_HZ);
    double air = run_fixed(drives[d], duty, 0, 1.0);
    double skin = run_fixed(drives[d], duty, 1, 1.0);
    double pressed = run_fixed(drives[d], duty, 1, 1.5);
    drop[d] = 1.0 - skin / air;
    hand[d] = 1.0 - pressed / skin;
    print_message("%s: %.1f Hz in air, %.1f Hz on skin (%.1f%% slower), %.1f Hz pressed 1.5x "
                  "(%.1f%% slower again)\n",
                  d ? "cheap drive" : "coreless + flywheel", air, skin, 100.0 * drop[d], pressed,
                  100.0 * hand[d]);
  }
  assert_true(drop[0] > 0.08 && drop[0] < 0.15);
  assert_true(drop[1] > 0.20 && drop[1] < 0.35);
  assert_true(hand[1] > 2.0 * hand[0]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(swaps_only_the_drive),
      cmocka_unit_test(turns_at_its_no_load_speed_in_air),
      cmocka_unit_test(slows_under_skin_load_and_follows_the_hand),
  };
  return cmocka_run_group_tests(tests, load, unload);
}
