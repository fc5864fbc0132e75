/* Healing stage: calibration to published measurements and the behaviours
 * MODEL.md section 3 asks for, on synthetic acute end states (see
 * healing_fixture.h: pen-like sessions are 8 x 8 channels of 600 um in a
 * 1.8 mm window, ~2500/cm^2; roller sessions 3 x 3 channels of 700 um,
 * ~280/cm^2 - the 192-needle drum over a few passes). The published
 * figures themselves are checked through the whole pipeline, whose acute
 * stage hands over a more local inflammatory signal than this fixture
 * (mnlab validate; tests/course/test_course.c); here they bound the
 * healing stage's behaviour on its own. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* cmocka after the standard headers it needs */
#include <cmocka.h>

#include "healing_fixture.h"

#define WIN 1.8e-3

static mn_healing_summary run_window(double win, int m, double depth, double squeeze, int n,
                                     double interval, double follow, mn_healing_condition cond) {
  mn_healing *h = hf_create(T, win);
  assert_non_null(h);
  char err[256];
  assert_int_equal(mn_healing_set_condition(h, cond, err, sizeof err), 0);
  hf_wound w;
  assert_int_equal(hf_wound_make(&w, win, m, depth, squeeze), 0);
  assert_int_equal(hf_course(h, &w, n, interval), 0);
  assert_int_equal(mn_healing_advance(h, (n - 1) * interval + 3.0 + follow, err, sizeof err), 0);
  mn_healing_summary s;
  mn_healing_summary_now(h, &s);
  hf_wound_free(&w);
  mn_healing_destroy(&h);
  return s;
}

static mn_healing_summary run_course(int m, double depth, double squeeze, int n, double interval,
                                     double follow, mn_healing_condition cond) {
  return run_window(WIN, m, depth, squeeze, n, interval, follow, cond);
}

/* Aust et al. 2010 (Clin Exp Dermatol 35:437, rat): TGF-beta3 raised for
 * about two weeks after needling. The published figure is checked through
 * the whole pipeline (data/validation/aust-2010-tgf-duration.yaml, and
 * tests/course); on this synthetic pen-like wound (denser than a roller)
 * the healing stage alone keeps TGF-beta raised one to three weeks,
 * counted from the session: the 3 acute days plus the elevated days. */
static void test_aust_tgf_two_weeks(void **state) {
  (void)state;
  mn_healing_summary s = run_course(8, 600e-6, 0.0, 1, 28.0, 60.0, MN_HEALING_NORMAL);
  double days = 3.0 + s.growth_factor_elevated_days;
  fprintf(stderr, "TGF-beta raised %.1f days (Aust 2010: ~14)\n", days);
  assert_true(days > 10.0 && days < 21.0);
  /* inflammation resolves within days to two weeks */
  assert_true(s.inflammation_days > 3.0 && s.inflammation_days < 20.0);
}

/* Lotfi et al. 2013: 5 monthly 1.5 mm roller sessions, 8 weeks after the
 * last: epidermis +50%, papillary collagen +53%. Within 15 points. */
static void test_lotfi_course(void **state) {
  (void)state;
  mn_healing_summary s = run_course(3, 700e-6, 0.0, 5, 30.0, 56.0, MN_HEALING_NORMAL);
  fprintf(stderr, "Lotfi: epidermis %+.1f%% (+50), papillary collagen %+.1f%% (+53)\n",
          s.epidermis_change_pct, s.papillary_collagen_change_pct);
  assert_true(fabs(s.epidermis_change_pct - 50.0) < 15.0);
  assert_true(fabs(s.papillary_collagen_change_pct - 53.0) < 15.0);
  assert_true(s.elastin_change_pct > 0.0 && s.elastin_change_pct < 15.0);
}

/* One session: I:III falls while new type III is laid down, then rises as
 * it matures into type I; collagen I keeps increasing for months and levels
 * off (each month adds less than the one before). */
static void test_remodelling_time_course(void **state) {
  (void)state;
  mn_healing *h = hf_create(T, WIN);
  assert_non_null(h);
  hf_wound w;
  assert_int_equal(hf_wound_make(&w, WIN, 8, 600e-6, 0.0), 0);
  assert_int_equal(hf_course(h, &w, 1, 28.0), 0);
  char err[256];
  mn_healing_sample s0, s;
  mn_healing_sample_now(h, &s0);
  double r0 = s0.collagen_I / s0.collagen_III, rmin = r0, t_min = 0.0;
  double c1[8];
  for (int d = 1; d <= 240; d++) {
    assert_int_equal(mn_healing_advance(h, 3.0 + d, err, sizeof err), 0);
    mn_healing_sample_now(h, &s);
    double r = s.collagen_I / s.collagen_III;
    if (r < rmin) {
      rmin = r;
      t_min = d;
    }
    if (d % 30 == 0)
      c1[d / 30 - 1] = s.collagen_I;
  }
  double r_end = s.collagen_I / s.collagen_III;
  fprintf(stderr, "I:III %.2f -> min %.2f (day %.0f) -> %.2f (day 240)\n", r0, rmin, t_min, r_end);
  assert_true(rmin < 0.9 * r0);
  assert_true(t_min > 7.0 && t_min < 90.0);
  assert_true(r_end > 1.1 * rmin);
  for (int q = 1; q < 8; q++)
    assert_true(c1[q] > c1[q - 1]);                   /* still rising at 8 months */
  assert_true(c1[7] - c1[6] < 0.5 * (c1[2] - c1[1])); /* levelling off */
  hf_wound_free(&w);
  mn_healing_destroy(&h);
}

/* More sessions give more collagen, with diminishing returns; sessions that
 * overlap are not independent. */
static void test_sessions_diminishing(void **state) {
  (void)state;
  double g[5] = {0};
  for (int n = 1; n <= 4; n++) {
    mn_healing_summary s = run_course(8, 600e-6, 0.0, n, 28.0, 60.0, MN_HEALING_NORMAL);
    g[n] = s.collagen_total_change_pct;
  }
  fprintf(stderr, "collagen gain by sessions: %.1f %.1f %.1f %.1f %%\n", g[1], g[2], g[3], g[4]);
  for (int n = 1; n <= 4; n++)
    assert_true(g[n] > g[n - 1]);
  assert_true(g[4] - g[3] < g[2] - g[1]);
  assert_true(g[4] < 4.0 * g[1]);
}

/* Deeper needling wounds more dermis and gives more collagen. */
static void test_depth(void **state) {
  (void)state;
  mn_healing_summary a = run_course(8, 300e-6, 0.0, 1, 28.0, 60.0, MN_HEALING_NORMAL);
  mn_healing_summary b = run_course(8, 900e-6, 0.0, 1, 28.0, 60.0, MN_HEALING_NORMAL);
  fprintf(stderr, "collagen 0.3 mm %+.1f%%, 0.9 mm %+.1f%%\n", a.collagen_total_change_pct,
          b.collagen_total_change_pct);
  assert_true(a.collagen_total_change_pct > 0.0);
  assert_true(b.collagen_total_change_pct > 1.3 * a.collagen_total_change_pct);
}

/* Uneven puncture density shows as a larger spatial spread of the new
 * collagen than an even lattice of the same count, when the unevenness is
 * wider than the 1-2 mm the growth factors spread: roller-like density
 * (6 x 6 channels in a 5.4 mm window, ~120/cm^2), crowded into half the
 * window, leaving a 2.7 mm band unneedled. Narrower unevenness is smoothed
 * (crowding into half of a 3.6 mm window changes the CV by under 10%). */
static void test_uneven_density_cv(void **state) {
  (void)state;
  mn_healing_summary even = run_window(3 * WIN, 6, 600e-6, 0.0, 1, 28.0, 21.0, MN_HEALING_NORMAL);
  mn_healing_summary uneven = run_window(3 * WIN, 6, 600e-6, 0.5, 1, 28.0, 21.0, MN_HEALING_NORMAL);
  fprintf(stderr, "new collagen CV even %.3f uneven %.3f\n", even.new_collagen_cv,
          uneven.new_collagen_cv);
  assert_true(isfinite(even.new_collagen_cv));
  assert_true(uneven.new_collagen_cv > 1.1 * even.new_collagen_cv);
}

/* Without new collagen the CV has no meaning: undefined (NAN, null in
 * summary.json), not the noise of a spread over a mean near zero. Unwounded
 * skin lays none down; a session read a day later has not yet either. */
static void test_new_collagen_cv_undefined(void **state) {
  (void)state;
  char err[256];
  mn_healing *h = hf_create(T, WIN);
  assert_non_null(h);
  assert_int_equal(mn_healing_advance(h, 20.0, err, sizeof err), 0);
  mn_healing_summary s;
  mn_healing_summary_now(h, &s);
  assert_true(isnan(s.new_collagen_cv));
  mn_healing_destroy(&h);
  s = run_course(8, 600e-6, 0.0, 1, 28.0, 1.0, MN_HEALING_NORMAL);
  fprintf(stderr, "new collagen CV one day after the session: %g\n", s.new_collagen_cv);
  assert_true(isnan(s.new_collagen_cv));
}

/* Indications: an atrophic scar fills in part; a stretch mark's dermis
 * thickens. */
static void test_indications(void **state) {
  (void)state;
  mn_healing_summary a = run_course(8, 900e-6, 0.0, 4, 28.0, 90.0, MN_HEALING_ACNE_SCAR);
  fprintf(stderr, "acne scar depression %.0f -> %.0f um (fill %.0f%%)\n", a.depression_start_um,
          a.depression_end_um, a.fill_pct);
  assert_true(a.depression_start_um > 100.0);
  assert_true(a.fill_pct > 10.0 && a.fill_pct < 100.0);
  mn_healing_summary s = run_course(8, 900e-6, 0.0, 4, 14.0, 90.0, MN_HEALING_STRIAE);
  fprintf(stderr, "striae dermis %.0f -> %.0f um (%+.1f%%)\n", s.region_dermis_start_um,
          s.region_dermis_end_um, s.region_dermis_change_pct);
  assert_true(s.region_dermis_change_pct > 5.0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_aust_tgf_two_weeks),
      cmocka_unit_test(test_lotfi_course),
      cmocka_unit_test(test_remodelling_time_course),
      cmocka_unit_test(test_sessions_diminishing),
      cmocka_unit_test(test_depth),
      cmocka_unit_test(test_uneven_density_cv),
      cmocka_unit_test(test_new_collagen_cv_undefined),
      cmocka_unit_test(test_indications),
  };
  return cmocka_run_group_tests(tests, hf_setup, hf_teardown);
}
