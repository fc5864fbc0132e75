/*
 * Cam, strokes, encoder and depth stage: every stroke is recorded once per
 * revolution at bottom dead centre with the depth setting as its depth; the
 * tip's protrusion follows depth - stroke (1 + cos theta) / 2; the encoder
 * counts N edges per revolution with interpolated edge times; the depth
 * stage moves as a rate-limited first-order lag, stops at its end stop, and
 * its sensor can fail open or stuck.
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

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static mn_plant_params prm;

static int load(void **state) {
  (void)state;
  return pen_params_load(&prm);
}

static mn_plant *make(void) {
  mn_plant *p = NULL;
  char err[256];
  assert_int_equal(mn_plant_create(&p, &prm, err, sizeof err), 0);
  return p;
}

static void run_ms(mn_plant *p, int ms) {
  for (int k = 0; k < ms; k++) {
    mn_plant_advance(p, 1e-3);
  }
}

static void stroke_depth_is_the_depth_setting_at_bottom_dead_centre(void **state) {
  (void)state;
  const double depths[] = {0.25e-3, 1.5e-3, 3.0e-3};
  for (int n = 0; n < 3; n++) {
    mn_plant *p = make();
    mn_plant_depth_command(p, depths[n]);
    mn_plant_drive(p, 0.5, 1);
    run_ms(p, 2000); /* the stage settles; the motor reaches speed */
    assert_true(fabs(mn_plant_depth_position_m(p) - depths[n]) < 1e-9);
    mn_plant_strokes_clear(p);
    double max_seen = -1.0, min_seen = 1.0;
    for (int k = 0; k < 20000; k++) { /* 50 us samples, 1 s */
      mn_plant_advance(p, 50e-6);
      double x = mn_plant_tip_protrusion_m(p);
      double want =
          mn_plant_depth_position_m(p) - 0.5 * prm.cam.stroke * (1.0 + cos(mn_plant_angle(p)));
      assert_true(fabs(x - want) < 1e-12);
      max_seen = fmax(max_seen, x);
      min_seen = fmin(min_seen, x);
    }
    /* Never past the setting; fully retracted behind the face at the top. */
    assert_true(max_seen <= depths[n] + 1e-15);
    assert_true(max_seen > depths[n] - 1e-6);
    assert_true(fabs(min_seen - (depths[n] - prm.cam.stroke)) < 1e-6);
    size_t ns;
    const mn_plant_stroke *s = mn_plant_strokes(p, &ns);
    double rate = mn_plant_stroke_rate_hz(p);
    assert_true(ns >= (size_t)floor(rate) - 1 && ns <= (size_t)ceil(rate) + 1);
    for (size_t k = 0; k < ns; k++) {
      assert_true(fabs(s[k].depth_m - depths[n]) < 1e-12);
      assert_true(s[k].force_n == 0.0); /* off skin */
      if (k > 0) {
        assert_true(fabs((s[k].time_s - s[k - 1].time_s) * rate - 1.0) < 1e-3);
      }
    }
    mn_plant_destroy(&p);
  }
}

static void strokes_on_skin_record_the_peak_needle_force(void **state) {
  (void)state;
  mn_plant *p = make();
  mn_plant_depth_command(p, 1.0e-3);
  mn_plant_drive(p, 0.6, 1);
  run_ms(p, 500);
  mn_plant_set_skin(p, 1, 12);
  run_ms(p, 200);
  mn_plant_strokes_clear(p);
  /* Sample the force every step over whole strokes and compare each
   * stroke's recorded peak with the largest force seen between its
   * neighbouring top dead centres. */
  double peak = 0.0;
  double prev_angle = mn_plant_angle(p);
  size_t checked = 0;
  for (int k = 0; k < 20000; k++) {
    mn_plant_advance(p, prm.dt);
    double a = mn_plant_angle(p);
    if (a < prev_angle) { /* passed top dead centre: a stroke is complete */
      size_t ns;
      const mn_plant_stroke *s = mn_plant_strokes(p, &ns);
      if (ns > 0 && peak > 0.0) {
        assert_true(fabs(s[ns - 1].force_n - peak) < 1e-12 * peak);
        checked++;
      }
      peak = 0.0;
    }
    prev_angle = a;
    peak = fmax(peak, fabs(mn_plant_needle_force_n(p)));
  }
  assert_true(checked > 50);
  /* Force only while the tip is in skin. */
  mn_plant_set_skin(p, 0, 12);
  mn_plant_advance(p, 1e-3);
  assert_true(mn_plant_needle_force_n(p) == 0.0);
  mn_plant_destroy(&p);
}

static void encoder_counts_edges_per_revolution(void **state) {
  (void)state;
  mn_plant *p = make();
  mn_plant_drive(p, 0.7, 1);
  uint64_t edges0;
  double last, prev;
  mn_plant_encoder(p, &edges0, &last, &prev);
  assert_true(edges0 == 0 && last < 0.0 && prev < 0.0);
  run_ms(p, 500);
  size_t ns;
  mn_plant_strokes(p, &ns);
  uint64_t edges;
  mn_plant_encoder(p, &edges, &last, &prev);
  /* N edges per revolution; one stroke per revolution at pi. */
  unsigned n = prm.encoder_edges_per_rev;
  double revs = (double)edges / n;
  assert_true(fabs(revs - (double)ns) <= 1.0);
  double angle = mn_plant_angle(p);
  assert_true(edges % n == (uint64_t)floor(angle / (2.0 * M_PI / n)));
  /* Edge times bracket the present and are one edge period apart at
   * steady speed: 2 pi / (N w). */
  double now = mn_plant_time_s(p), w = mn_plant_omega(p);
  assert_true(last <= now && prev < last);
  assert_true(fabs((last - prev) - 2.0 * M_PI / (n * w)) < 1e-6 * (last - prev));
  /* The last edge was where the angle says it was: (angle - edge) / w ago. */
  double since = fmod(angle, 2.0 * M_PI / n) / w;
  assert_true(fabs((now - last) - since) < 1e-9);
  /* Stopped (jammed), no more edges. */
  mn_plant_set_jam(p, 1);
  mn_plant_encoder(p, &edges0, NULL, NULL);
  run_ms(p, 100);
  mn_plant_encoder(p, &edges, NULL, NULL);
  assert_true(edges == edges0);
  mn_plant_destroy(&p);
}

static void depth_stage_is_a_rate_limited_lag(void **state) {
  (void)state;
  mn_plant *p = make();
  const mn_plant_depth_params *d = &prm.depth;
  double x0 = mn_plant_depth_position_m(p);
  double target = 2.0e-3;
  double knee = d->max_rate * d->time_constant;
  double run = (target - x0 - knee) / d->max_rate; /* time at full rate */
  assert_true(run > 0.1);
  mn_plant_depth_command(p, target);
  /* Advance in uneven slices: the motion must not depend on them. */
  double t = 0.0;
  const double slices[] = {0.7e-3, 1e-3, 3.3e-3, 0.05e-3};
  for (int k = 0; t < run * 0.5; k++) {
    mn_plant_advance(p, slices[k % 4]);
    t = mn_plant_time_s(p);
  }
  assert_true(fabs(mn_plant_depth_position_m(p) - (x0 + d->max_rate * t)) < 1e-9);
  while (t < run + 2.0 * d->time_constant) {
    mn_plant_advance(p, 1e-3);
    t = mn_plant_time_s(p);
  }
  double want = target - knee * exp(-(t - run) / d->time_constant);
  assert_true(fabs(mn_plant_depth_position_m(p) - want) < 1e-9);
  mn_plant_destroy(&p);
}

static void depth_stage_stops_at_its_end_stops(void **state) {
  (void)state;
  mn_plant *p = make();
  mn_plant_depth_command(p, 10e-3);
  double highest = 0.0;
  for (int k = 0; k < 3000; k++) {
    mn_plant_advance(p, 1e-3);
    highest = fmax(highest, mn_plant_depth_position_m(p));
  }
  assert_true(highest <= prm.depth.end_stop_max);
  assert_true(fabs(mn_plant_depth_position_m(p) - prm.depth.end_stop_max) < 1e-9);
  /* The strokes can never go deeper than the stop. */
  mn_plant_drive(p, 0.5, 1);
  run_ms(p, 500);
  size_t ns;
  const mn_plant_stroke *s = mn_plant_strokes(p, &ns);
  assert_true(ns > 10);
  for (size_t k = 0; k < ns; k++) {
    assert_true(s[k].depth_m <= prm.depth.end_stop_max);
  }
  mn_plant_depth_command(p, -5e-3);
  run_ms(p, 3000);
  assert_true(fabs(mn_plant_depth_position_m(p) - prm.depth.end_stop_min) < 1e-9);
  mn_plant_destroy(&p);
}

static void depth_sensor_faults(void **state) {
  (void)state;
  mn_plant *p = make();
  mn_plant_depth_command(p, 1.0e-3);
  run_ms(p, 1000);
  assert_true(fabs(mn_plant_depth_sensor_m(p) - 1.0e-3) < 1e-9);
  mn_plant_set_depth_sensor_fault(p, MN_PLANT_SENSOR_OPEN);
  assert_true(mn_plant_depth_sensor_m(p) == prm.depth.sensor_open_reading);
  assert_true(prm.depth.sensor_open_reading > prm.depth.end_stop_max); /* detectable */
  mn_plant_set_depth_sensor_fault(p, MN_PLANT_SENSOR_STUCK);
  double stuck = mn_plant_depth_sensor_m(p);
  mn_plant_depth_command(p, 2.0e-3);
  run_ms(p, 1000);
  assert_true(mn_plant_depth_sensor_m(p) == stuck);
  assert_true(fabs(mn_plant_depth_position_m(p) - 2.0e-3) < 1e-9); /* the stage still moved */
  mn_plant_set_depth_sensor_fault(p, MN_PLANT_SENSOR_OK);
  assert_true(mn_plant_depth_sensor_m(p) == mn_plant_depth_position_m(p));
  mn_plant_destroy(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(stroke_depth_is_the_depth_setting_at_bottom_dead_centre),
      cmocka_unit_test(strokes_on_skin_record_the_peak_needle_force),
      cmocka_unit_test(encoder_counts_edges_per_revolution),
      cmocka_unit_test(depth_stage_is_a_rate_limited_lag),
      cmocka_unit_test(depth_stage_stops_at_its_end_stops),
      cmocka_unit_test(depth_sensor_faults),
  };
  return cmocka_run_group_tests(tests, load, NULL);
}
