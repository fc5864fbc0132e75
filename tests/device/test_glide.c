/*
 * Glide paths and the puncture list:
 *   - coverage: at the ideal stroke rate every point of the area lies inside
 *     the footprint (the cartridge face's circle) of some stamp, for
 *     crosshatch and for lines;
 *   - density: punctures per cm^2 equal stroke rate x needles / (glide
 *     speed x lane step) per pass within 1 %, and the list holds exactly the
 *     (stamp, needle) pairs that land in the area;
 *   - rollers: one drum turn lays every needle once per circumference;
 *   - the pen's software-in-the-loop stroke record (treatment scenario: a
 *     wandering hand load): an unregulated pen (the cheap drive, whose rate
 *     follows the load) gives a wider spread of density along the glide
 *     than a regulated one, and a lower density; both at 1.0 mm;
 *   - a stroke record is one continuous run: lanes take consecutive
 *     stretches of it, stroke for stroke;
 *   - the same seed gives the same list, another seed other channels.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "device/cartridge.h"
#include "device/glide.h"
#include "device/punctures.h"
#include "io/params.h"
#include "mnpen_host/sil.h"
#include "mnpen_host/sil_strokes.h"

static const double pi = 3.14159265358979323846;

static mn_params *pen_params;

static int setup(void **state) {
  (void)state;
  char err[512];
  if (mn_params_create(&pen_params) != 0 ||
      mn_params_load_dir(pen_params, MN_DATA_DIR "/pen", err, sizeof err) != 0) {
    fprintf(stderr, "cannot load data/pen: %s\n", err);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  mn_params_destroy(&pen_params);
  return 0;
}

/* Stroke source: the pen's firmware against its physics in the treatment
 * scenario (set on the skin, then a wandering hand load), the source the
 * pipeline uses. */
static int sil_source(void *ctx, const mn_stroke_request *rq, mn_plant_stroke **strokes, size_t *n,
                      char *err, size_t errlen) {
  (void)ctx;
  return mnpen_sil_stroke_source(pen_params, rq, strokes, n, err, errlen);
}

/* A synthetic record: one stroke in the air, then strokes on skin whose
 * interval grows from 10 ms by 0.2 % a stroke, so each stretch of the
 * record is told apart by its rate. */
#define RAMP_DT0 0.01
#define RAMP_GROWTH 0.002
static double ramp_time(size_t k) {
  /* time of stroke k on skin after the first: sum of a geometric series */
  return RAMP_DT0 * (pow(1.0 + RAMP_GROWTH, (double)k) - 1.0) / RAMP_GROWTH;
}

static int ramp_source(void *ctx, const mn_stroke_request *rq, mn_plant_stroke **strokes, size_t *n,
                       char *err, size_t errlen) {
  (void)ctx;
  (void)err;
  (void)errlen;
  size_t m = 1;
  while (ramp_time(m - 1) <= rq->duration_s) {
    m++;
  }
  m += 1; /* the stroke in the air */
  *strokes = malloc(m * sizeof **strokes);
  if (*strokes == NULL) {
    return -1;
  }
  (*strokes)[0] = (mn_plant_stroke){0.5, rq->depth_mm * 1e-3, 0.0};
  for (size_t k = 1; k < m; k++) {
    (*strokes)[k] = (mn_plant_stroke){1.0 + ramp_time(k - 1), rq->depth_mm * 1e-3, 1.0};
  }
  *n = m;
  return 0;
}

static mn_puncture_list *generate(const mn_device_treatment *t) {
  mn_puncture_list *l = NULL;
  char err[512] = "";
  int rc = mn_punctures_generate(t, &l, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "generate: %s\n", err);
  }
  assert_int_equal(rc, 0);
  assert_non_null(l);
  return l;
}

static mn_cartridge cartridge(const char *name) {
  mn_cartridge c;
  char err[512] = "";
  assert_int_equal(mn_cartridge_load(&c, MN_DATA_DIR, name, err, sizeof err), 0);
  return c;
}

static mn_device_treatment pen_treatment(void) {
  mn_device_treatment t;
  mn_device_treatment_default(&t);
  t.data_dir = MN_DATA_DIR;
  t.cartridge = "12-round";
  t.needle_length_mm = 1.0;
  t.speed_hz = 110.0;
  return t;
}

static void check_coverage(mn_glide_pattern pattern) {
  mn_device_treatment t = pen_treatment();
  t.pattern = pattern;
  t.passes = 2;
  t.area_w_mm = 13.0;
  t.area_h_mm = 9.0;
  mn_puncture_list *l = generate(&t);
  mn_cartridge c = cartridge(t.cartridge);
  double r = mn_cartridge_face_radius_mm(&c);
  /* A 0.05 mm grid, offset so no point sits exactly on a lane boundary. */
  size_t uncovered = 0, points = 0;
  for (double y = 0.0123; y < t.area_h_mm; y += 0.05) {
    for (double x = 0.0071; x < t.area_w_mm; x += 0.05) {
      int in = 0;
      for (size_t s = 0; s < l->stamps && !in; s++) {
        in = hypot(x - l->stamp_x_mm[s], y - l->stamp_y_mm[s]) <= r;
      }
      uncovered += !in;
      points++;
    }
  }
  assert_true(points > 40000);
  assert_int_equal(uncovered, 0);
  mn_puncture_list_destroy(&l);
  assert_null(l);
}

static void test_coverage_crosshatch(void **state) {
  (void)state;
  check_coverage(MN_GLIDE_CROSSHATCH);
}

static void test_coverage_lines(void **state) {
  (void)state;
  check_coverage(MN_GLIDE_LINES);
}

static void test_density_pen(void **state) {
  (void)state;
  mn_device_treatment t = pen_treatment();
  mn_cartridge c = cartridge(t.cartridge);
  double step = mn_glide_step_mm(&c, 0);
  t.pattern = MN_GLIDE_LINES;
  t.passes = 2;
  t.area_w_mm = 20.0;
  t.area_h_mm = 2.0 * step; /* whole lanes */
  mn_puncture_list *l = generate(&t);
  mn_puncture_stats s;
  char err[256];
  assert_int_equal(mn_punctures_stats(l, 1.0, 1.0, &s, err, sizeof err), 0);
  double expect = t.passes * (double)c.needles * t.speed_hz / (t.glide_speed_mm_s * step) * 100.0;
  printf("12-round lines, 2 passes at 10 mm/s, 110 Hz: %.1f punctures/cm^2 (expected %.1f)\n",
         s.per_cm2, expect);
  assert_true(fabs(s.per_cm2 / expect - 1.0) < 0.01);
  /* Exactly the (stamp, needle) pairs inside the area, none missed at 1 mm. */
  size_t inside = 0;
  for (size_t k = 0; k < l->stamps; k++) {
    for (size_t i = 0; i < c.needles; i++) {
      double x = l->stamp_x_mm[k] + c.x_mm[i], y = l->stamp_y_mm[k] + c.y_mm[i];
      inside += x >= 0.0 && x < t.area_w_mm && y >= 0.0 && y < t.area_h_mm;
    }
  }
  assert_int_equal(l->count, inside);
  assert_int_equal(l->missed, 0);
  /* Ideal strokes: the stroking is the setting, the intervals equal to the
   * round-off of the stamp times (measured spread 9e-8). */
  double rate_hz, interval_cv;
  mn_punctures_stroking(l, &rate_hz, &interval_cv);
  assert_true(fabs(rate_hz / t.speed_hz - 1.0) < 1e-9);
  assert_true(interval_cv < 1e-6);
  /* Time on skin: each lane is the area's length plus the face's extent. */
  double ex = 0.0, ey = 0.0;
  mn_cartridge_extent(&c, &ex, &ey);
  double lane_s = (t.area_w_mm + ex - c.needle_diameter_mm) / t.glide_speed_mm_s;
  assert_true(fabs(l->duration_s - 4.0 * lane_s) < 1e-9);
  for (size_t i = 0; i < l->count; i++) {
    assert_true(l->time_s[i] >= 0.0 && l->time_s[i] <= l->duration_s);
    assert_true(l->depth_um[i] > 0.0 && l->depth_um[i] < l->inserted_um[i]);
    assert_true(l->inserted_um[i] < 1000.0);
  }
  mn_puncture_list_destroy(&l);
}

static void test_density_roller(void **state) {
  (void)state;
  mn_cartridge c = cartridge("roller-192");
  mn_device_treatment t = pen_treatment();
  t.cartridge = "roller-192";
  t.needle_length_mm = 1.5;
  t.pattern = MN_GLIDE_LINES;
  t.passes = 1;
  t.glide_speed_mm_s = 20.0;
  double turn = pi * c.drum_diameter_mm;
  t.area_w_mm = 2.0 * turn; /* two drum turns per lane */
  t.area_h_mm = 2.0 * c.drum_width_mm;
  mn_puncture_list *l = generate(&t);
  /* Each needle lands once per turn: 2 turns x 192 needles x 2 lanes. */
  assert_int_equal(l->count, 2 * 192 * 2);
  mn_puncture_stats s;
  char err[256];
  assert_int_equal(mn_punctures_stats(l, 1.0, 1.0, &s, err, sizeof err), 0);
  double expect = (double)c.needles / (turn * c.drum_width_mm) * 100.0;
  assert_true(fabs(s.per_cm2 / expect - 1.0) < 0.01);
  /* A needle row (needles at one angle) enters when the drum has rolled
   * radius x angle: stamp times are rolled distance / speed. */
  for (size_t k = 1; k < l->stamps; k++) {
    double dt = l->stamp_time_s[k] - l->stamp_time_s[k - 1];
    assert_true(dt >= 0.0);
  }
  double row_pitch = turn / 48.0; /* 24 needles per disc, alternate discs staggered */
  assert_true(fabs((l->stamp_time_s[1] - l->stamp_time_s[0]) * t.glide_speed_mm_s - row_pitch) <
              1e-9);
  /* Roller channels: quasi-static insertion, tenting of the human default
   * site, channel shorter than the inserted depth. */
  assert_true(s.inserted_mean_um < 1500.0 && s.depth_mean_um < s.inserted_mean_um);
  mn_puncture_list_destroy(&l);
}

static void sil_pair(double glide_mm_s, mn_puncture_stats *reg, mn_puncture_stats *unreg,
                     double cell_x, double cell_y_lanes, mn_glide_pattern pattern) {
  mn_device_treatment t = pen_treatment();
  mn_cartridge c = cartridge(t.cartridge);
  double step = mn_glide_step_mm(&c, 0);
  t.pattern = pattern;
  t.passes = pattern == MN_GLIDE_LINES ? 1 : 2;
  t.glide_speed_mm_s = glide_mm_s;
  t.area_w_mm = 20.0;
  t.area_h_mm = 3.0 * step;
  t.stroke_source = sil_source;
  char err[256];
  for (int u = 0; u < 2; u++) {
    t.unregulated = u;
    mn_puncture_list *l = generate(&t);
    double cy = cell_y_lanes > 0.0 ? cell_y_lanes * step : cell_x;
    assert_int_equal(mn_punctures_stats(l, cell_x, cy, u ? unreg : reg, err, sizeof err), 0);
    mn_puncture_list_destroy(&l);
  }
}

static void test_sil_unregulated_spread(void **state) {
  (void)state;
  mn_puncture_stats reg, unreg;
  /* Density along the glide: cells 1 mm along the lanes and one lane step
   * across, so the needle tracks average out and what is left is the
   * spacing of the strokes. */
  sil_pair(30.0, &reg, &unreg, 1.0, 1.0, MN_GLIDE_LINES);
  printf("SIL 1.0 mm, lines at 30 mm/s, 1 mm x lane cells: regulated %.0f /cm^2 CV %.4f, "
         "unregulated %.0f /cm^2 CV %.4f\n",
         reg.per_cm2, reg.density_cv, unreg.per_cm2, unreg.density_cv);
  assert_true(unreg.density_cv > 3.0 * reg.density_cv);
  /* The unregulated pen slows on skin: fewer punctures than set. */
  assert_true(unreg.per_cm2 < 0.97 * reg.per_cm2);
  /* For the record: 1 mm^2 cells, crosshatch, where the needle tracks
   * dominate the spread for both motors. */
  sil_pair(10.0, &reg, &unreg, 1.0, 0.0, MN_GLIDE_CROSSHATCH);
  printf("SIL 1.0 mm, crosshatch at 10 mm/s, 1 mm^2 cells: regulated %.0f /cm^2 CV %.3f, "
         "unregulated %.0f /cm^2 CV %.3f\n",
         reg.per_cm2, reg.density_cv, unreg.per_cm2, unreg.density_cv);
  assert_true(unreg.per_cm2 < 0.97 * reg.per_cm2);
}

/* One continuous record for the session: lane after lane takes the next
 * stretch of it, so the stamps' times, across lane ends, are the record's
 * stroke times on skin one for one (a record replayed from its start in
 * every lane would repeat the first lane's intervals). */
static void test_record_continues_across_lanes(void **state) {
  (void)state;
  mn_device_treatment t = pen_treatment();
  t.pattern = MN_GLIDE_CROSSHATCH;
  t.passes = 2;
  t.area_w_mm = 12.0;
  t.area_h_mm = 9.0;
  t.stroke_source = ramp_source;
  mn_puncture_list *l = generate(&t);
  assert_true(l->stamps > 300);
  size_t off = 0;
  for (size_t k = 0; k < l->stamps; k++) {
    double want = t.t0_s + ramp_time(k);
    if (fabs(l->stamp_time_s[k] - want) > 1e-9) {
      off++;
    }
  }
  assert_int_equal(off, 0);
  /* The last stroke lies within the time on skin, the next one past it. */
  double last = ramp_time(l->stamps - 1), next = ramp_time(l->stamps);
  assert_true(last <= l->duration_s + 1e-9 && next > l->duration_s - 1e-9);
  mn_puncture_list_destroy(&l);
}

static void test_determinism(void **state) {
  (void)state;
  mn_device_treatment t = pen_treatment();
  t.seed = 5;
  mn_puncture_list *a = generate(&t);
  mn_puncture_list *b = generate(&t);
  t.seed = 6;
  mn_puncture_list *c = generate(&t);
  assert_int_equal(a->count, b->count);
  assert_int_equal(a->count, c->count); /* positions do not depend on the seed */
  assert_memory_equal(a->x_mm, b->x_mm, a->count * sizeof(double));
  assert_memory_equal(a->depth_um, b->depth_um, a->count * sizeof(double));
  assert_memory_equal(a->radius_um, b->radius_um, a->count * sizeof(double));
  assert_memory_equal(a->time_s, b->time_s, a->count * sizeof(double));
  assert_memory_equal(a->x_mm, c->x_mm, a->count * sizeof(double));
  assert_true(memcmp(a->depth_um, c->depth_um, a->count * sizeof(double)) != 0);
  mn_puncture_list_destroy(&a);
  mn_puncture_list_destroy(&b);
  mn_puncture_list_destroy(&c);
}

static void test_refusals(void **state) {
  (void)state;
  mn_device_treatment t = pen_treatment();
  mn_puncture_list *l = NULL;
  char err[256] = "";
  t.needle_length_mm = 3.5; /* deeper than the cartridge allows */
  assert_int_equal(mn_punctures_generate(&t, &l, err, sizeof err), MN_DEVICE_EINVAL);
  assert_null(l);
  t = pen_treatment();
  t.glide_speed_mm_s = 0.0;
  assert_int_equal(mn_punctures_generate(&t, &l, err, sizeof err), MN_DEVICE_EINVAL);
  t = pen_treatment();
  t.cartridge = "nope";
  assert_int_equal(mn_punctures_generate(&t, &l, err, sizeof err), MN_DEVICE_EPARAM);
  mn_puncture_list_destroy(&l); /* NULL is fine */
  mn_glide_pattern p;
  assert_int_equal(mn_glide_pattern_parse("crosshatch", &p), 0);
  assert_int_equal(p, MN_GLIDE_CROSSHATCH);
  assert_int_equal(mn_glide_pattern_parse("spiral", &p), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_coverage_crosshatch),
      cmocka_unit_test(test_coverage_lines),
      cmocka_unit_test(test_density_pen),
      cmocka_unit_test(test_density_roller),
      cmocka_unit_test(test_sil_unregulated_spread),
      cmocka_unit_test(test_record_continues_across_lanes),
      cmocka_unit_test(test_determinism),
      cmocka_unit_test(test_refusals),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
