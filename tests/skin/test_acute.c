/* Acute stage: verification (compound mass balance, baseline TEWL, the
 * solver's boundary amounts and voxel updates) and behaviours (occlusion,
 * diclofenac, needle depth). Small windows and coarse voxels keep it fast. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* cmocka after the standard headers it needs */
#include <cmocka.h>

#include "acute_fixture.h"
#include "numerics/lod.h"

static fixture F;

static void run_ok(mn_acute_input *in, mn_acute_result *r) {
  char err[512] = "";
  int rc = mn_acute_run(in, F.t, r, err, sizeof err);
  if (rc)
    fprintf(stderr, "acute: %s\n", err);
  assert_int_equal(rc, 0);
}

/* Compound in = tissue + cleared + sink, in vivo (clearance) and ex vivo
 * (receptor sink), with the donor applied before needling (channels filled
 * at puncture) and wiped mid-run. */
static void test_mass_balance(void **state) {
  (void)state;
  for (int ex = 0; ex < 2; ex++) {
    mn_acute_input in;
    fix_input(&F, &in, "human", "forearm", 400, 300, 40, 0.5, 30);
    in.options.duration_h = 4;
    in.options.ex_vivo = ex;
    in.options.has_topical = 1;
    in.options.topical_before = 1;
    in.options.topical_duration_h = 2;
    in.options.donor_mg_ml = 10;
    in.compound = (mn_skin_compound){.d_aqueous = 6e-10, .d_sc = 3e-14, .k_sc = 0.36};
    mn_acute_result r;
    run_ok(&in, &r);
    double bal = r.donor_in_ug_cm2 - r.tissue_ug_cm2 - r.cleared_ug_cm2 - r.sink_ug_cm2;
    assert_true(r.donor_in_ug_cm2 > 1.0);
    assert_true(fabs(bal) < 1e-9 * r.donor_in_ug_cm2);
    if (ex)
      assert_true(r.cleared_ug_cm2 == 0.0);
    else
      assert_true(r.cleared_ug_cm2 > 0.0);
    mn_acute_result_free(&r);
  }
}

/* A finite dose (a film of formulation) runs out: what enters never exceeds
 * what was applied (the boundary value lags the film's by at most
 * donor_update_fraction), a dose half as large as what a reservoir gives up
 * in the same time is mostly taken up (first-order depletion would take
 * 1 - e^-2 = 86 %), and a dose far larger than that behaves as the
 * reservoir. Mass balances either way. */
static void test_finite_dose(void **state) {
  (void)state;
  const double c0 = 10.0; /* mg/mL */
  const double rho = fix_get(&F, "acute_permeation.formulation_density", "g/mL");
  const double frac = fix_get(&F, "acute_numerics.donor_update_fraction", "1");
  double uptake[3] = {0}, applied[3] = {0};
  for (int k = 0; k < 3; k++) {
    mn_acute_input in;
    fix_input(&F, &in, "human", "forearm", 400, 300, 40, 0.5, 30);
    in.options.duration_h = 4;
    in.options.has_topical = 1;
    in.options.topical_before = 1;
    in.options.topical_duration_h = 4;
    in.options.donor_mg_ml = c0;
    in.compound = (mn_skin_compound){.d_aqueous = 6e-10, .d_sc = 3e-14, .k_sc = 0.36};
    /* k = 0: reservoir; 1: half of its uptake applied; 2: 50 times it */
    double scale = k == 1 ? 0.5 : 50.0;
    /* ug/cm^2 applied = c0 (mg/mL) * dose (mg/cm^2) / density (g/mL) */
    in.options.dose_mg_cm2 = k == 0 ? 0.0 : scale * uptake[0] * rho / c0;
    applied[k] = c0 * in.options.dose_mg_cm2 / rho;
    mn_acute_result r;
    run_ok(&in, &r);
    uptake[k] = r.donor_in_ug_cm2;
    double bal = r.donor_in_ug_cm2 - r.tissue_ug_cm2 - r.cleared_ug_cm2 - r.sink_ug_cm2;
    assert_true(fabs(bal) < 1e-9 * r.donor_in_ug_cm2);
    mn_acute_result_free(&r);
  }
  assert_true(uptake[0] > 1.0);
  assert_true(uptake[1] <= applied[1] * (1.0 + frac));
  assert_true(uptake[1] >= 0.6 * applied[1]);
  assert_true(uptake[1] < uptake[0]);
  assert_true(fabs(uptake[2] - uptake[0]) <= 0.05 * uptake[0]);
}

/* Unneedled skin holds the site's baseline TEWL (the stratum corneum's water
 * permeability is derived from it; the discrete steady state must agree). */
static void test_baseline_tewl(void **state) {
  (void)state;
  mn_acute_input in;
  fix_input(&F, &in, "human", "cheek", 0, 0, 0, 0.3, 30);
  in.options.duration_h = 2;
  mn_acute_result r;
  run_ok(&in, &r);
  double base = fix_get(&F, "acute_tewl.human_cheek", "g/(m^2 h)");
  for (size_t i = 0; i < r.nseries; i++)
    assert_true(fabs(r.series[i].tewl_g_m2_h - base) < 1e-3 * base);
  mn_acute_result_free(&r);
}

/* The solver's per-step boundary amount equals the change of the total
 * (no reactions) with a per-column top conductance, for both schemes, also
 * after a voxel update. */
static void test_boundary_amount(void **state) {
  (void)state;
  char err[256];
  const int n = 6, nz = 8;
  double zf[9];
  for (int k = 0; k <= nz; k++)
    zf[k] = 1e-5 * k * (1.0 + 0.1 * k);
  mn_grid_params gp = {.nx = n, .ny = n, .nz = nz, .dx = 1e-5, .dy = 1e-5, .zf = zf};
  mn_grid *g = NULL;
  assert_int_equal(mn_grid_create(&g, &gp, err, sizeof err), 0);
  static double D[6 * 6 * 8], K[6 * 6 * 8];
  for (size_t v = 0; v < (size_t)(n * n * nz); v++) {
    D[v] = 1e-12 * (1.0 + (double)(v % 7));
    K[v] = 0.5 + 0.1 * (double)(v % 5);
  }
  for (int scheme = 0; scheme < 2; scheme++) {
    mn_lod_params p = {.scheme = (mn_scheme)scheme,
                       .D_voxel = D,
                       .K_voxel = K,
                       .bc_x = {.kind = MN_BC_PERIODIC},
                       .bc_y = {.kind = MN_BC_PERIODIC},
                       .bc_top = {.kind = MN_BC_DIRICHLET, .value = 3.0},
                       .bc_bottom = {.kind = MN_BC_ROBIN, .value = 0.5, .coef = 1e-6}};
    mn_lod *s = NULL;
    mn_field *f = NULL;
    assert_int_equal(mn_lod_create(&s, g, &p, err, sizeof err), 0);
    assert_int_equal(mn_field_create(&f, g, err, sizeof err), 0);
    for (int step = 0; step < 20; step++) {
      if (step == 10) {
        size_t vox[2] = {0, 40};
        D[0] = 1e-9;
        D[40] = 1e-9;
        assert_int_equal(mn_lod_update_voxels(s, &p, vox, 2, err, sizeof err), 0);
      }
      double before = mn_field_total(f), top, bot;
      assert_int_equal(mn_lod_step(s, f, 5.0, err, sizeof err), 0);
      mn_lod_step_boundary_amount(s, 0, &top, NULL, 0);
      mn_lod_step_boundary_amount(s, 1, &bot, NULL, 0);
      double change = mn_field_total(f) - before;
      assert_true(fabs(change - top - bot) < 1e-11 * (fabs(top) + fabs(bot)));
    }
    D[0] = D[40] = 1e-12;
    mn_field_destroy(&f);
    mn_lod_destroy(&s);
  }
  mn_grid_destroy(&g);
}

static void behaviour_pair(mn_acute_result *a, mn_acute_result *b, int occl, int dicl) {
  mn_acute_input in;
  fix_input(&F, &in, "human", "forearm", 200, 300, 40, 0.6, 30);
  in.options.duration_h = 72;
  run_ok(&in, a);
  in.options.occlusion = occl;
  in.options.diclofenac = dicl;
  run_ok(&in, b);
}

static void test_occlusion_slows_closure(void **state) {
  (void)state;
  mn_acute_result a, b;
  behaviour_pair(&a, &b, 1, 0);
  assert_true(b.barrier_half_life_h > 3.0 * a.barrier_half_life_h);
  assert_true(b.pore_closure_half_life_h < 0 ||
              b.pore_closure_half_life_h > 3.0 * a.pore_closure_half_life_h);
  assert_true(a.tewl_recovery_h > 0.0);
  assert_true(b.tewl_recovery_h < 0.0 || b.tewl_recovery_h > 2.0 * a.tewl_recovery_h);
  mn_acute_result_free(&a);
  mn_acute_result_free(&b);
}

static void test_diclofenac(void **state) {
  (void)state;
  mn_acute_result a, b;
  behaviour_pair(&a, &b, 0, 1);
  assert_true(b.erythema_peak < 0.6 * a.erythema_peak);
  assert_true(b.pore_closure_half_life_h > 1.05 * a.pore_closure_half_life_h);
  assert_true(b.barrier_half_life_h > 1.05 * a.barrier_half_life_h);
  mn_acute_result_free(&a);
  mn_acute_result_free(&b);
}

/* Deeper channels: more TEWL over time (slower seal), longer erythema, more
 * enhancement of a topical. */
static void test_depth(void **state) {
  (void)state;
  mn_acute_result r[2];
  const double depth[2] = {200, 800};
  for (int i = 0; i < 2; i++) {
    mn_acute_input in;
    fix_input(&F, &in, "human", "cheek", 300, depth[i], 40, 0.6, 30);
    in.options.duration_h = 72;
    in.options.has_topical = 1;
    in.options.topical_duration_h = 24;
    in.options.donor_mg_ml = 10;
    in.compound = (mn_skin_compound){.d_aqueous = 6e-10, .d_sc = 3e-14, .k_sc = 0.36};
    run_ok(&in, &r[i]);
  }
  double tewl_area[2] = {0, 0};
  for (int i = 0; i < 2; i++)
    for (size_t s = 1; s < r[i].nseries; s++)
      tewl_area[i] += (r[i].series[s].tewl_g_m2_h - r[i].tewl_baseline_g_m2_h) *
                      (r[i].series[s].time_h - r[i].series[s - 1].time_h);
  assert_true(tewl_area[1] > tewl_area[0]);
  assert_true(r[1].erythema_duration_h > r[0].erythema_duration_h);
  assert_true(r[1].erythema_duration_h > 0.0);
  assert_true(r[1].enhancement > r[0].enhancement);
  assert_true(r[0].enhancement > 1.5);
  for (int i = 0; i < 2; i++)
    mn_acute_result_free(&r[i]);
}

static void test_bad_input(void **state) {
  (void)state;
  mn_acute_input in;
  fix_input(&F, &in, "human", "forearm", 100, 300, 40, 0.5, 30);
  in.options.resolution_um = 0;
  mn_acute_result r;
  char err[256] = "";
  assert_int_equal(mn_acute_run(&in, F.t, &r, err, sizeof err), MN_SKIN_EINVAL);
  assert_true(strlen(err) > 0);
  fix_input(&F, &in, "human", "forearm", 100, 300, 40, 0.5, 30);
  snprintf(in.site, sizeof in.site, "elbow");
  assert_int_equal(mn_acute_run(&in, F.t, &r, err, sizeof err), MN_SKIN_EPARAM);
}

/* The tissue handed on: wound map where the channels were, fields on the grid. */
static void test_tissue(void **state) {
  (void)state;
  mn_acute_input in;
  fix_input(&F, &in, "human", "forearm", 1600, 300, 40, 0.5, 30);
  in.options.duration_h = 6;
  mn_acute_result r;
  run_ok(&in, &r);
  const mn_grid *g = mn_tissue_grid(r.tissue);
  assert_non_null(g);
  const mn_field *w = mn_tissue_field(r.tissue, MN_TISSUE_WOUND);
  double vol = mn_field_total(w);
  double expect = (double)r.nchannels * 3.14159265358979 * 40e-6 * 40e-6 * 300e-6;
  assert_true(r.nchannels == 4);
  assert_true(fabs(vol - expect) < 0.05 * expect);
  assert_true(mn_field_total(mn_tissue_field(r.tissue, MN_TISSUE_SIGNAL)) > 0.0);
  mn_acute_result_free(&r);
}

/* Compounds carry their free diffusivity in water (diffusivity_water, the
 * open channel's D) and get the Potts-Guy stratum corneum values unless they
 * give their own; a 1 MDa hyaluronic acid's Potts-Guy permeability underflows
 * to exactly zero and loads as such. */
static void test_compound_load(void **state) {
  (void)state;
  mn_skin_compound c;
  char err[256] = "";
  assert_int_equal(mn_skin_compound_load(F.t, "caffeine", &c, err, sizeof err), 0);
  assert_true(c.d_aqueous == fix_get(&F, "compound_caffeine.diffusivity_water", "m^2/s"));
  /* log10 kp = -2.7 - 0.71 * 0.07 - 0.0061 * 194.19 = -3.934 (cm/h) */
  assert_true(fabs(log10(c.kp_sc * 3600.0 * 100.0) - (-3.934)) < 1e-3);
  assert_true(fabs(c.k_sc - pow(10.0, 0.71 * -0.07)) < 1e-12);
  assert_true(c.d_sc == 0.0); /* from kp at run time */
  assert_int_equal(mn_skin_compound_load(F.t, "naloxone", &c, err, sizeof err), 0);
  assert_true(c.d_sc == fix_get(&F, "compound_naloxone.sc_diffusivity", "m^2/s"));
  assert_int_equal(mn_skin_compound_load(F.t, "hyaluronic_acid", &c, err, sizeof err), 0);
  assert_true(c.kp_sc == 0.0 && c.d_sc == 0.0 && c.d_aqueous > 0.0);
}

/* A compound intact stratum corneum stops entirely (zero diffusivity) enters
 * only through the channels: nothing crosses unneedled skin, and in the
 * needled run the stratum corneum holds it only in channel voxels. */
static void test_sealed_compound(void **state) {
  (void)state;
  mn_acute_input in;
  fix_input(&F, &in, "human", "forearm", 400, 300, 40, 0.5, 30);
  in.options.duration_h = 3;
  in.options.has_topical = 1;
  in.options.topical_duration_h = 3;
  in.options.donor_mg_ml = 10;
  in.compound = (mn_skin_compound){.d_aqueous = 4.5e-12, .d_sc = 0.0, .k_sc = 1.4e-3};
  mn_acute_result r;
  run_ok(&in, &r);
  assert_true(r.ref_cumulative_ug_cm2 == 0.0);
  assert_true(r.donor_in_ug_cm2 > 0.0);
  double bal = r.donor_in_ug_cm2 - r.tissue_ug_cm2 - r.cleared_ug_cm2 - r.sink_ug_cm2;
  assert_true(fabs(bal) < 1e-9 * r.donor_in_ug_cm2);
  const mn_grid *g = mn_tissue_grid(r.tissue);
  const double *cmp = mn_field_cdata(mn_tissue_field(r.tissue, MN_TISSUE_COMPOUND));
  const double *wnd = mn_field_cdata(mn_tissue_field(r.tissue, MN_TISSUE_WOUND));
  const int *layer = mn_tissue_layer_of_cell(r.tissue);
  size_t plane = (size_t)mn_grid_nx(g) * (size_t)mn_grid_ny(g);
  double in_ch = 0.0, off_ch = 0.0;
  for (int k = 0; k < mn_grid_nz(g) && layer[k] == 0; k++)
    for (size_t c = 0; c < plane; c++) {
      size_t v = (size_t)k * plane + c;
      if (wnd[v] > 0.0)
        in_ch += cmp[v];
      else
        off_ch += cmp[v];
    }
  assert_true(in_ch > 0.0);
  assert_true(off_ch == 0.0);
  mn_acute_result_free(&r);
  /* unneedled: the donor puts nothing in */
  fix_input(&F, &in, "human", "forearm", 0, 0, 0, 0.5, 30);
  in.options.duration_h = 1;
  in.options.has_topical = 1;
  in.options.topical_duration_h = 1;
  in.options.donor_mg_ml = 10;
  in.options.skip_reference = 1;
  in.compound = (mn_skin_compound){.d_aqueous = 4.5e-12, .d_sc = 0.0, .k_sc = 1.4e-3};
  run_ok(&in, &r);
  assert_true(r.donor_in_ug_cm2 == 0.0 && r.cumulative_ug_cm2 == 0.0);
  mn_acute_result_free(&r);
}

/* The seal closes at its species' rate: a rate the data do not give is an
 * error, not a silent default. */
static void test_species_rate(void **state) {
  (void)state;
  mn_acute_input in;
  fix_input(&F, &in, "human", "forearm", 100, 300, 40, 0.5, 30);
  in.options.duration_h = 1;
  mn_acute_result r;
  run_ok(&in, &r);
  mn_acute_result_free(&r);
  snprintf(in.species, sizeof in.species, "sheep");
  char err[256] = "";
  assert_int_equal(mn_acute_run(&in, F.t, &r, err, sizeof err), MN_SKIN_EPARAM);
  assert_non_null(strstr(err, "sheep"));
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
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_mass_balance),    cmocka_unit_test(test_baseline_tewl),
      cmocka_unit_test(test_boundary_amount), cmocka_unit_test(test_occlusion_slows_closure),
      cmocka_unit_test(test_diclofenac),      cmocka_unit_test(test_depth),
      cmocka_unit_test(test_bad_input),       cmocka_unit_test(test_tissue),
      cmocka_unit_test(test_compound_load),   cmocka_unit_test(test_sealed_compound),
      cmocka_unit_test(test_species_rate),    cmocka_unit_test(test_finite_dose),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  mn_params_destroy(&F.t);
  return rc;
}
