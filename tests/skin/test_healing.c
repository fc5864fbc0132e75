/* Healing stage: verification (steady baseline for a year, conservative
 * mapping of the acute fields, conservative chemotaxis) and the API's
 * refusals. Small windows keep it fast. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* cmocka after the standard headers it needs */
#include <cmocka.h>

#include "healing_fixture.h"
#include "skin/healing_impl.h"

/* Unwounded tissue, normal or with an indication's region, is a steady
 * state: a year without a wound leaves every field of every voxel (and the
 * epidermis of every column) within 1e-6 relative. */
static void test_baseline_steady(void **state) {
  (void)state;
  const mn_healing_condition conds[] = {MN_HEALING_NORMAL, MN_HEALING_ACNE_SCAR, MN_HEALING_STRIAE};
  for (int c = 0; c < 3; c++) {
    mn_healing *h = hf_create(T, 2.4e-3);
    assert_non_null(h);
    char err[256];
    assert_int_equal(mn_healing_set_condition(h, conds[c], err, sizeof err), 0);
    double *y0[HS_N];
    for (int q = 0; q < HS_N; q++) {
      y0[q] = malloc(h->nvox * sizeof(double));
      memcpy(y0[q], mn_field_cdata(h->S.f[q]), h->nvox * sizeof(double));
    }
    double *e0 = malloc(h->plane * sizeof(double));
    memcpy(e0, h->S.epi, h->plane * sizeof(double));
    assert_int_equal(mn_healing_advance(h, 365.0, err, sizeof err), 0);
    assert_true(h->steps > 50); /* it did step, at up to dt_max */
    double worst = 0.0;
    for (int q = 0; q < HS_N; q++) {
      const double *y = mn_field_cdata(h->S.f[q]);
      for (size_t v = 0; v < h->nvox; v++) {
        double d = fabs(y[v] - y0[q][v]);
        double r = y0[q][v] != 0.0 ? d / fabs(y0[q][v]) : d;
        if (r > worst)
          worst = r;
      }
      free(y0[q]);
    }
    for (size_t col = 0; col < h->plane; col++)
      worst = fmax(worst, fabs(h->S.epi[col] - e0[col]) / e0[col]);
    free(e0);
    assert_true(worst < 1e-6);
    mn_healing_summary s;
    mn_healing_summary_now(h, &s);
    assert_true(fabs(s.collagen_total_change_pct) < 1e-4);
    assert_true(s.growth_factor_elevated_days == 0.0 && s.inflammation_days == 0.0);
    if (conds[c] == MN_HEALING_ACNE_SCAR) {
      /* a depressed scar: (1 - niche) x depth of depleted dermis */
      double expect = (1.0 - h->P.scar_niche) * h->P.scar_depth * 1e6;
      assert_true(fabs(s.depression_start_um - expect) < 0.2 * expect);
      assert_true(fabs(s.depression_end_um - s.depression_start_um) < 1e-3);
    }
    mn_healing_destroy(&h);
    assert_null(h);
  }
}

/* The acute fields are mapped by overlap: a growth-factor field uniform
 * over the window down to 0.5 mm gives exactly per_release times it in
 * every healing cell inside that depth, and the amount is conserved. */
static void test_wound_mapping(void **state) {
  (void)state;
  mn_healing *h = hf_create(T, 1.8e-3);
  assert_non_null(h);
  hf_wound w;
  assert_int_equal(hf_wound_make(&w, 1.8e-3, 3, 0.0, 0.0), 0);
  const double zmax = 0.5e-3;
  double src_amount = 0.0;
  size_t plane = (size_t)w.n * w.n;
  for (int k = 0; k < HF_NZ; k++) {
    double z0 = w.zf[k], z1 = w.zf[k + 1];
    double val = z1 <= zmax ? 2.0 : 0.0;
    for (size_t c = 0; c < plane; c++) {
      /* a lateral pattern too: every third column twice the value */
      double g = val * ((c % 3) == 0 ? 2.0 : 1.0);
      w.growth[(size_t)k * plane + c] = g;
      /* the part of the source cell inside the healing grid's depth */
      double ov = fmin(z1, mn_grid_zf(h->g)[h->nz]) - fmax(z0, mn_grid_zf(h->g)[0]);
      if (ov > 0.0)
        src_amount += g * ov;
    }
  }
  src_amount *= w.view.dx * w.view.dy;
  char err[256];
  double before = mn_field_total(h->S.f[HS_TGF]);
  assert_int_equal(mn_healing_add_wound_view(h, &w.view, err, sizeof err), 0);
  double got = (mn_field_total(h->S.f[HS_TGF]) - before) / h->P.tgf_per_release;
  assert_true(fabs(got - src_amount) < 1e-9 * src_amount);
  /* window mean of each fully covered layer: (2 + 1 + 1) / 3 x 2 / 2 */
  const double *tg = mn_field_cdata(h->S.f[HS_TGF]);
  const double *zf = mn_grid_zf(h->g);
  for (int k = 0; k < h->nz; k++) {
    if (zf[k + 1] > zmax - HF_DZ || zf[k] < 0.1e-3)
      continue;
    double m = 0.0;
    for (size_t c = 0; c < h->plane; c++)
      m += tg[(size_t)k * h->plane + c];
    m /= h->plane;
    assert_true(fabs(m - h->P.tgf_per_release * 2.0 * 4.0 / 3.0) < 1e-9);
  }
  hf_wound_free(&w);
  mn_healing_destroy(&h);
}

/* Chemotaxis moves activated fibroblasts up the growth-factor gradient and
 * conserves them to round-off (no diffusion of cells). */
static void test_chemotaxis(void **state) {
  (void)state;
  mn_healing *h = hf_create(T, 1.8e-3);
  assert_non_null(h);
  double *fa = mn_field_data(h->S.f[HS_FA]), *tg = mn_field_data(h->S.f[HS_TGF]);
  const double *dz = mn_grid_dz(h->g);
  for (size_t v = 0; v < h->nvox; v++) {
    int k = (int)(v / h->plane), i = (int)(v % h->nx);
    int derm = h->layer[k] == HL_PD || h->layer[k] == HL_RD;
    fa[v] = derm ? 1.0 : 0.0;
    tg[v] = 4.0 * exp(-0.5 * pow((i - h->nx / 2) / 2.0, 2.0)); /* a ridge at the middle */
  }
  double total0 = 0.0;
  for (size_t v = 0; v < h->nvox; v++)
    total0 += fa[v] * dz[v / h->plane];
  char err[256];
  assert_int_equal(mn_healing_chemotaxis(h, &h->S, 1.0, err, sizeof err), 0);
  double total1 = 0.0, mid = 0.0, edge = 0.0, lo = 1e9;
  for (size_t v = 0; v < h->nvox; v++) {
    total1 += fa[v] * dz[v / h->plane];
    int k = (int)(v / h->plane), i = (int)(v % h->nx);
    if (h->layer[k] == HL_RD) {
      if (i == h->nx / 2)
        mid += fa[v];
      if (i == 0)
        edge += fa[v];
      lo = fmin(lo, fa[v]);
    }
  }
  assert_true(fabs(total1 - total0) < 1e-12 * total0);
  assert_true(mid > 1.05 * edge);
  assert_true(lo >= 0.0);
  mn_healing_destroy(&h);
}

static void test_refusals(void **state) {
  (void)state;
  mn_healing *h = hf_create(T, 1.8e-3);
  assert_non_null(h);
  char err[256];
  hf_wound w;
  assert_int_equal(hf_wound_make(&w, 1.5e-3, 3, 0.5e-3, 0.0), 0);
  /* another window */
  assert_int_not_equal(mn_healing_add_wound_view(h, &w.view, err, sizeof err), 0);
  hf_wound_free(&w);
  assert_int_equal(hf_wound_make(&w, 1.8e-3, 3, 0.5e-3, 0.0), 0);
  assert_int_equal(mn_healing_advance(h, 2.0, err, sizeof err), 0);
  assert_int_not_equal(mn_healing_advance(h, 1.0, err, sizeof err), 0);
  assert_int_equal(mn_healing_add_wound_view(h, &w.view, err, sizeof err), 0);
  assert_int_not_equal(mn_healing_set_condition(h, MN_HEALING_ACNE_SCAR, err, sizeof err), 0);
  mn_healing_condition c;
  assert_int_equal(mn_healing_condition_from_name("striae", &c), 0);
  assert_int_equal(c, MN_HEALING_STRIAE);
  assert_int_not_equal(mn_healing_condition_from_name("wrinkles", &c), 0);
  mn_healing_setup s = {.layers = hf_cheek, .window_m = {0.0, 1e-3}};
  mn_healing *bad = NULL;
  assert_int_not_equal(mn_healing_create(&bad, &s, T, err, sizeof err), 0);
  assert_null(bad);
  hf_wound_free(&w);
  mn_healing_destroy(&h);
  mn_healing_destroy(&h); /* twice is harmless */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_baseline_steady),
      cmocka_unit_test(test_wound_mapping),
      cmocka_unit_test(test_chemotaxis),
      cmocka_unit_test(test_refusals),
  };
  return cmocka_run_group_tests(tests, hf_setup, hf_teardown);
}
