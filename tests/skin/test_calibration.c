/* Acute stage against published measurements (MODEL.md section 5). The
 * experiments' settings come from data/skin/acute/experiments.yaml; each
 * check states the measurement and the tolerance. Coarse grids keep it fast;
 * the closure and lag figures change by a few percent at finer resolution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* cmocka after the standard headers it needs */
#include <cmocka.h>

#include "acute_fixture.h"

static fixture F;

static void run_ok(mn_acute_input *in, mn_acute_result *r) {
  char err[512] = "";
  int rc = mn_acute_run(in, F.t, r, err, sizeof err);
  if (rc)
    fprintf(stderr, "acute: %s\n", err);
  assert_int_equal(rc, 0);
}

static double EXP(const char *name, const char *unit) {
  char key[128];
  snprintf(key, sizeof key, "acute_experiments.%s", name);
  return fix_get(&F, key, unit);
}

/* Kalluri, Kolli & Banga 2011 (hairless rat, DermaRoller): TEWL back in
 * 4-5 h for both 370 and 770 um needles; calcein shows pores closed by 18 h
 * (770 um). Tolerances: TEWL recovery 4.5 +/- 1.5 h for each length and the
 * two within 2 h of each other; lumen closure 18 +/- 4 h for 770 um. */
static void test_kalluri(void **state) {
  (void)state;
  mn_acute_result r[2];
  const char *d[2] = {"kalluri_depth_770", "kalluri_depth_370"};
  const char *rad[2] = {"kalluri_radius_770", "kalluri_radius_370"};
  for (int i = 0; i < 2; i++) {
    mn_acute_input in;
    fix_input(&F, &in, "rat", "back", EXP("kalluri_density", "1/cm^2"), EXP(d[i], "um"),
              EXP(rad[i], "um"), 1.0, 25);
    in.options.duration_h = 30;
    run_ok(&in, &r[i]);
    fprintf(stderr, "kalluri %s: TEWL %.2f -> peak %.2f, recovery %.2f h, lumen closure %.2f h\n",
            d[i], r[i].tewl_baseline_g_m2_h, r[i].tewl_peak_g_m2_h, r[i].tewl_recovery_h,
            r[i].pore_closure_h);
  }
  assert_true(fabs(r[0].tewl_recovery_h - 4.5) <= 1.5);
  assert_true(fabs(r[1].tewl_recovery_h - 4.5) <= 1.5);
  assert_true(fabs(r[1].tewl_recovery_h - r[0].tewl_recovery_h) <= 2.0);
  assert_true(fabs(r[0].pore_closure_h - 18.0) <= 4.0);
  assert_true(r[0].tewl_peak_g_m2_h > 1.2 * r[0].tewl_baseline_g_m2_h);
  for (int i = 0; i < 2; i++)
    mn_acute_result_free(&r[i]);
}

/* Gupta et al. 2011 (human): unoccluded barrier resealing within 2 h, occluded
 * 3-40 h. The human seal rate is fitted to the unoccluded bound through the
 * pipeline (data/validation/gupta-2011-resealing.yaml, the seal below the
 * closure threshold); here, with sparse Gupta-like arrays set up directly
 * (less inflammation, so a slower seal), TEWL must be back within the 2 h and
 * the occluded seal's half-life inside 3-40 h. */
static void test_gupta(void **state) {
  (void)state;
  mn_acute_result r[2];
  for (int occ = 0; occ < 2; occ++) {
    mn_acute_input in;
    fix_input(&F, &in, "human", "forearm", EXP("gupta_density", "1/cm^2"), EXP("gupta_depth", "um"),
              EXP("gupta_radius", "um"), 1.5, 30);
    in.options.duration_h = 72;
    in.options.occlusion = occ;
    run_ok(&in, &r[occ]);
    fprintf(stderr, "gupta occlusion %d: TEWL recovery %.2f h, seal half-life %.2f h\n", occ,
            r[occ].tewl_recovery_h, r[occ].barrier_half_life_h);
  }
  assert_true(r[0].tewl_recovery_h > 0.0 && r[0].tewl_recovery_h <= 2.0);
  assert_true(r[1].barrier_half_life_h >= 3.0 && r[1].barrier_half_life_h <= 40.0);
  for (int i = 0; i < 2; i++)
    mn_acute_result_free(&r[i]);
}

static void puri_input(mn_acute_input *in, double density, const char *depth) {
  fix_input(&F, in, "pig", "ear", density, EXP(depth, "um"), EXP("puri_radius", "um"), 2.0, 25);
  in->options.ex_vivo = 1;
  in->options.duration_h = 6;
  in->options.has_topical = 1;
  in->options.topical_duration_h = 6;
  in->options.donor_mg_ml = EXP("puri_donor", "mg/mL");
  in->options.membrane_thickness_m = EXP("puri_thickness", "m");
  /* Naloxone as every run sees it: its file carries the stratum corneum
   * diffusivity and partition fitted to Puri's passive arm. */
  char err[256] = "";
  int rc = mn_skin_compound_load(F.t, "naloxone", &in->compound, err, sizeof err);
  if (rc)
    fprintf(stderr, "%s\n", err);
  assert_int_equal(rc, 0);
  assert_true(in->compound.d_sc > 0.0);
}

/* Puri et al. 2021 (porcine skin ex vivo, naloxone HCl): passive lag 71 +/- 10
 * min and 8.25 +/- 1.06 ug/cm^2 at 6 h (the fit); 37x with the pen at 250 um
 * (+/- 25%, density fitted); lag ~8 min with 500 um for 2 min (twice the
 * channels; asserted 4-12 min). */
static void test_puri(void **state) {
  (void)state;
  double dens = EXP("puri_density", "1/cm^2");
  mn_acute_input in;
  mn_acute_result a, b;
  puri_input(&in, dens, "puri_depth_250");
  run_ok(&in, &a);
  puri_input(&in, 2.0 * dens, "puri_depth_500");
  run_ok(&in, &b);
  fprintf(stderr,
          "puri: passive lag %.1f min, Q6h %.2f ug/cm2; 250 um x%.1f; 500 um/2 min lag %.1f "
          "min x%.1f\n",
          60 * a.ref_lag_time_h, a.ref_cumulative_ug_cm2, a.enhancement, 60 * b.lag_time_h,
          b.enhancement);
  assert_true(fabs(60.0 * a.ref_lag_time_h - 71.0) <= 10.0);
  assert_true(fabs(a.ref_cumulative_ug_cm2 - 8.25) <= 1.06);
  assert_true(fabs(a.enhancement / 37.0 - 1.0) <= 0.25);
  assert_true(60.0 * b.lag_time_h >= 4.0 && 60.0 * b.lag_time_h <= 12.0);
  double bal = a.donor_in_ug_cm2 - a.tissue_ug_cm2 - a.sink_ug_cm2;
  assert_true(fabs(bal) < 1e-9 * a.donor_in_ug_cm2);
  mn_acute_result_free(&a);
  mn_acute_result_free(&b);
}

int main(void) {
  if (fix_load(&F))
    return 1;
  char err[512], dir[1024];
  snprintf(dir, sizeof dir, "%s/skin/compounds", mn_data_dir());
  if (mn_params_load_dir(F.t, dir, err, sizeof err)) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_kalluri), cmocka_unit_test(test_gupta),
                                     cmocka_unit_test(test_puri)};
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  mn_params_destroy(&F.t);
  return rc;
}
