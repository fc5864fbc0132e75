/*
 * Cartridge layouts: every cartridge MODEL.md names loads from data/ with
 * its published needle count, its needles inside the face the rule in the
 * file describes, its needles apart from each other, and a footprint of the
 * size that rule gives; malformed names and files are refused.
 */
#define _POSIX_C_SOURCE 200809L
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

static const double pi = 3.14159265358979323846;

static mn_cartridge load(const char *name) {
  mn_cartridge c;
  char err[512] = "";
  int rc = mn_cartridge_load(&c, MN_DATA_DIR, name, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "%s: %s\n", name, err);
  }
  assert_int_equal(rc, 0);
  return c;
}

/* Smallest centre-to-centre distance between two needles of a pen face. */
static double min_spacing(const mn_cartridge *c) {
  double d = INFINITY;
  for (size_t i = 0; i < c->needles; i++) {
    for (size_t j = i + 1; j < c->needles; j++) {
      d = fmin(d, hypot(c->x_mm[i] - c->x_mm[j], c->y_mm[i] - c->y_mm[j]));
    }
  }
  return d;
}

typedef struct {
  const char *name;
  size_t needles;
  double face_radius_mm; /* from the layout rule in the file: outer circle / 2 + needle radius */
} pen_case;

static void test_pen_layouts(void **state) {
  (void)state;
  const pen_case cases[] = {
      {"11-round", 11, 2.5 + 0.105},
      {"12-round", 12, 3.0 + 0.105},
      {"14", 14, 3.0 + 0.105},
      {"16", 16, 3.25 + 0.105},
      {"6", 6, 1.5 + 0.105},
      {"36-nano", 36, hypot(2.25, 2.25) + 0.05},
      {"42-nano", 42, hypot(2.7, 2.25) + 0.05},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    mn_cartridge c = load(cases[k].name);
    assert_int_equal(c.roller, 0);
    assert_int_equal(c.needles, cases[k].needles);
    /* Tables are written to 0.1 um. */
    assert_true(fabs(mn_cartridge_face_radius_mm(&c) - cases[k].face_radius_mm) < 1e-3);
    /* Needles stand clear of each other by more than a needle diameter. */
    assert_true(min_spacing(&c) > 2.0 * c.needle_diameter_mm);
    /* The footprint is the bounding box of the needles: no wider than the
     * face's circle and at least as wide as the outer ring's inscribed
     * extent. */
    double ex = 0.0, ey = 0.0;
    mn_cartridge_extent(&c, &ex, &ey);
    assert_true(ex <= 2.0 * cases[k].face_radius_mm + 1e-9);
    assert_true(ey <= 2.0 * cases[k].face_radius_mm + 1e-9);
    assert_true(ex > cases[k].face_radius_mm && ey > cases[k].face_radius_mm);
    assert_true(fabs(mn_glide_step_mm(&c, 0) - ey) < 1e-12);
    assert_true(fabs(mn_glide_step_mm(&c, 1) - ex) < 1e-12);
  }
}

static void test_ring_rule(void **state) {
  (void)state;
  /* 12-round: 4 needles on a 2.5 mm circle, 8 on a 6.0 mm circle turned by
   * pi / 8: a needle at (3 cos(pi/8), 3 sin(pi/8)) and every radius one of
   * the two. */
  mn_cartridge c = load("12-round");
  size_t inner = 0, outer = 0;
  for (size_t i = 0; i < c.needles; i++) {
    double r = hypot(c.x_mm[i], c.y_mm[i]);
    inner += fabs(r - 1.25) < 1e-4;
    outer += fabs(r - 3.0) < 1e-4;
  }
  assert_int_equal(inner, 4);
  assert_int_equal(outer, 8);
  assert_true(fabs(c.x_mm[4] - 3.0 * cos(pi / 8.0)) < 1e-4);
  assert_true(fabs(c.y_mm[4] - 3.0 * sin(pi / 8.0)) < 1e-4);
  /* 33 G needles, 0.21 mm; Dermapen 4 class depth to 3.0 mm. */
  assert_true(fabs(c.needle_diameter_mm - 0.21) < 1e-12);
  assert_true(fabs(c.needle_length_mm - 3.0) < 1e-12);
}

static void test_roller(void **state) {
  (void)state;
  mn_cartridge c = load("roller-192");
  assert_int_equal(c.roller, 1);
  assert_int_equal(c.needles, 192);
  /* MODEL.md: 2 x 2 cm drum, 0.25 mm needles, 1.5 mm long. */
  assert_true(fabs(c.drum_diameter_mm - 20.0) < 1e-12);
  assert_true(fabs(c.drum_width_mm - 20.0) < 1e-12);
  assert_true(fabs(c.needle_diameter_mm - 0.25) < 1e-12);
  assert_true(fabs(c.needle_length_mm - 1.5) < 1e-12);
  /* 8 discs of 24 needles: 8 distinct axial positions with 24 needles each,
   * 2.5 mm apart. */
  for (int d = 0; d < 8; d++) {
    double y = (d - 3.5) * 2.5;
    size_t on = 0;
    for (size_t i = 0; i < c.needles; i++) {
      on += fabs(c.y_mm[i] - y) < 1e-4;
    }
    assert_int_equal(on, 24);
  }
  double ex = -1.0, ey = -1.0;
  mn_cartridge_extent(&c, &ex, &ey);
  assert_true(ex == 0.0);
  assert_true(fabs(ey - 20.0) < 1e-12);
  /* Kalluri et al. 2011 SEM: 4 um tip, 140 um base over 770 um. */
  assert_true(fabs(c.tip_radius_um - 4.0) < 1e-12);
  assert_true(fabs(tan(c.taper_half_angle_rad) - 66.0 / 770.0) < 2e-3);
}

static void test_refusals(void **state) {
  (void)state;
  mn_cartridge c;
  char err[512] = "";
  assert_int_equal(mn_cartridge_load(&c, MN_DATA_DIR, "../pen/cam", err, sizeof err),
                   MN_DEVICE_EINVAL);
  assert_int_equal(mn_cartridge_load(&c, MN_DATA_DIR, "", err, sizeof err), MN_DEVICE_EINVAL);
  assert_int_equal(mn_cartridge_load(&c, MN_DATA_DIR, "no-such-cartridge", err, sizeof err),
                   MN_DEVICE_EPARAM);
  assert_true(err[0] != '\0');
  /* A table whose length disagrees with the needle count. */
  char path[] = "/tmp/mn_cartridge_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  assert_non_null(f);
  fputs("group: cartridge_bad\nparams:\n"
        "  roller: {value: 0, unit: \"1\", estimate: test}\n"
        "  needles: {value: 3, unit: \"1\", estimate: test}\n"
        "  x: {value: [0, 1], unit: mm, estimate: test}\n"
        "  y: {value: [0, 1, 2], unit: mm, estimate: test}\n"
        "  needle_diameter: {value: 0.2, unit: mm, estimate: test}\n"
        "  tip_radius: {value: 5, unit: um, estimate: test}\n"
        "  taper_half_angle: {value: 5, unit: deg, estimate: test}\n"
        "  needle_length: {value: 2, unit: mm, estimate: test}\n",
        f);
  fclose(f);
  mn_params *t = NULL;
  assert_int_equal(mn_params_create(&t), 0);
  assert_int_equal(mn_params_load_file(t, path, err, sizeof err), 0);
  remove(path);
  assert_int_equal(mn_cartridge_from_params(&c, t, "bad", err, sizeof err), MN_DEVICE_EPARAM);
  assert_non_null(strstr(err, "2 values for 3 needles"));
  mn_params_destroy(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pen_layouts),
      cmocka_unit_test(test_ring_rule),
      cmocka_unit_test(test_roller),
      cmocka_unit_test(test_refusals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
