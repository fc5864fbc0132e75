/* Verification: the reaction step. First-order clearance is integrated
 * exactly (c0 exp(-lambda t), to 1e-13 relative whatever the step), also with
 * a source (approach to s / lambda) and per layer inside the diffusion
 * solver; per-voxel rates (stored as float) to 1e-6. The struct-of-rates
 * integrator is checked on logistic growth and on a two-species conversion
 * against their closed forms, and for positivity on a very stiff loss. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "numerics/grid.h"
#include "numerics/lod.h"
#include "numerics/react.h"

#define NX 5
#define NY 4
#define NZ 6

static mn_grid *grid(void) {
  double zf[NZ + 1];
  for (int k = 0; k <= NZ; k++)
    zf[k] = 1e-5 * k * (1.0 + 0.1 * k);
  mn_grid *g = NULL;
  char err[128];
  mn_grid_params gp = {.nx = NX, .ny = NY, .nz = NZ, .dx = 1e-5, .dy = 1e-5, .zf = zf};
  assert_int_equal(mn_grid_create(&g, &gp, err, sizeof err), 0);
  return g;
}

static void test_linear_exact(void **state) {
  (void)state;
  double c[3] = {1.0, 2.0, 0.0};
  const double lam = 0.3, src = 0.6, dt = 7.0;
  mn_react_linear(c, 3, lam, src, dt);
  for (int i = 0; i < 3; i++) {
    double c0 = i == 0 ? 1.0 : i == 1 ? 2.0 : 0.0;
    double want = src / lam + (c0 - src / lam) * exp(-lam * dt);
    assert_true(fabs(c[i] - want) <= 1e-14 * fabs(want));
  }
  double d = 4.0;
  mn_react_linear(&d, 1, 0.0, 0.5, 2.0); /* no decay: c + s t */
  assert_true(fabs(d - 5.0) <= 1e-15);
}

/* Uniform field, zero-flux box: diffusion must leave it uniform and the
 * layer's decay acts exactly, for any number of steps and either scheme. */
static void decay_in_solver(mn_scheme scheme) {
  mn_grid *g = grid();
  char err[128];
  double D[NZ], lam[NZ], src[NZ];
  for (int k = 0; k < NZ; k++) {
    D[k] = 1e-11;
    lam[k] = 1e-3;
    src[k] = 0.0;
  }
  mn_lod_params lp = {.scheme = scheme, .D_layer = D, .decay_layer = lam, .source_layer = src};
  mn_lod *s = NULL;
  assert_int_equal(mn_lod_create(&s, g, &lp, err, sizeof err), 0);
  mn_field *f = NULL;
  assert_int_equal(mn_field_create(&f, g, err, sizeof err), 0);
  mn_field_fill(f, 3.0);
  double t = 0.0;
  const double dts[4] = {1.0, 250.0, 1e4, 0.01};
  for (int n = 0; n < 4; n++) {
    assert_int_equal(mn_lod_step(s, f, dts[n], err, sizeof err), 0);
    t += dts[n];
  }
  const double want = 3.0 * exp(-1e-3 * t), *c = mn_field_cdata(f);
  for (size_t v = 0; v < mn_grid_nvox(g); v++)
    assert_true(fabs(c[v] - want) <= 1e-13 * want);
  mn_field_destroy(&f);
  mn_lod_destroy(&s);
  mn_grid_destroy(&g);
}

static void test_decay_exact_lod_be(void **state) {
  (void)state;
  decay_in_solver(MN_SCHEME_LOD_BE);
}

static void test_decay_exact_strang_cn(void **state) {
  (void)state;
  decay_in_solver(MN_SCHEME_STRANG_CN);
}

/* No diffusion (D = 0), decay and source per layer and per voxel: each voxel
 * follows its own closed form. */
static void test_decay_and_source_per_layer_and_voxel(void **state) {
  (void)state;
  mn_grid *g = grid();
  char err[128];
  const size_t nv = mn_grid_nvox(g), plane = NX * NY;
  double D[NZ], lam[NZ], src[NZ];
  double *lamv = malloc(nv * sizeof *lamv);
  assert_non_null(lamv);
  for (int k = 0; k < NZ; k++) {
    D[k] = 0.0;
    lam[k] = 1e-4 * (k + 1);
    src[k] = 1e-3 * k;
  }
  for (size_t v = 0; v < nv; v++)
    lamv[v] = 2e-4 * (double)(v % 7);
  for (int pv = 0; pv < 2; pv++) {
    mn_lod_params lp = {.D_layer = D, .decay_layer = lam, .source_layer = src};
    if (pv)
      lp.decay_voxel = lamv;
    mn_lod *s = NULL;
    assert_int_equal(mn_lod_create(&s, g, &lp, err, sizeof err), 0);
    mn_field *f = NULL;
    assert_int_equal(mn_field_create(&f, g, err, sizeof err), 0);
    mn_field_fill(f, 1.0);
    for (int n = 0; n < 5; n++)
      assert_int_equal(mn_lod_step(s, f, 600.0, err, sizeof err), 0);
    const double *c = mn_field_cdata(f), t = 3000.0;
    for (size_t v = 0; v < nv; v++) {
      int k = (int)(v / plane);
      double l = pv ? lamv[v] : lam[k], sv = src[k];
      double want = l > 0.0 ? sv / l + (1.0 - sv / l) * exp(-l * t) : 1.0 + sv * t;
      double tol = (pv ? 1e-6 : 1e-13) * fabs(want);
      assert_true(fabs(c[v] - want) <= tol);
    }
    mn_field_destroy(&f);
    mn_lod_destroy(&s);
  }
  free(lamv);
  mn_grid_destroy(&g);
}

/* Logistic growth y' = r y (1 - y / cap): production r y, loss r y / cap. */
typedef struct kin {
  double r, cap, k;
} kin;

static void logistic_rates(void *ctx, size_t voxel, const double *y, double *prod, double *loss) {
  const kin *p = ctx;
  (void)voxel;
  prod[0] = p->r * y[0];
  loss[0] = p->r * y[0] / p->cap;
}

static void test_struct_of_rates_logistic(void **state) {
  (void)state;
  mn_grid *g = grid();
  char err[128];
  mn_field *f = NULL;
  assert_int_equal(mn_field_create(&f, g, err, sizeof err), 0);
  double *c = mn_field_data(f);
  for (size_t v = 0; v < mn_grid_nvox(g); v++)
    c[v] = 0.01 + 0.01 * (double)(v % 5);
  kin p = {.r = 0.5, .cap = 2.0};
  mn_react_params rp = {.rates = logistic_rates,
                        .ctx = &p,
                        .nspecies = 1,
                        .rtol = 1e-7,
                        .atol = 1e-12,
                        .max_substeps = 100000};
  mn_field *fs[1] = {f};
  assert_int_equal(mn_react_step(fs, &rp, 10.0, err, sizeof err), 0);
  assert_int_equal(mn_react_step(fs, &rp, 5.0, err, sizeof err), 0);
  double worst = 0.0;
  for (size_t v = 0; v < mn_grid_nvox(g); v++) {
    double y0 = 0.01 + 0.01 * (double)(v % 5);
    double want = p.cap / (1.0 + (p.cap / y0 - 1.0) * exp(-p.r * 15.0));
    worst = fmax(worst, fabs(c[v] - want) / want);
  }
  print_message("logistic: worst relative error %.2e\n", worst);
  assert_true(worst <= 1e-6);
  /* Too few substeps allowed is reported, not ignored. */
  rp.max_substeps = 1;
  assert_int_equal(mn_react_step(fs, &rp, 10.0, err, sizeof err), MN_NUM_EINVAL);
  mn_field_destroy(&f);
  mn_grid_destroy(&g);
}

/* A -> B at rate k (e.g. one collagen type maturing into another). */
static void convert_rates(void *ctx, size_t voxel, const double *y, double *prod, double *loss) {
  const kin *p = ctx;
  (void)voxel;
  prod[0] = 0.0;
  loss[0] = p->k;
  prod[1] = p->k * y[0];
  loss[1] = 0.0;
}

static void test_struct_of_rates_conversion_and_stiffness(void **state) {
  (void)state;
  mn_grid *g = grid();
  char err[128];
  mn_field *a = NULL, *b = NULL;
  assert_int_equal(mn_field_create(&a, g, err, sizeof err), 0);
  assert_int_equal(mn_field_create(&b, g, err, sizeof err), 0);
  mn_field_fill(a, 1.0);
  kin p = {.k = 0.05};
  mn_react_params rp = {.rates = convert_rates,
                        .ctx = &p,
                        .nspecies = 2,
                        .rtol = 1e-9,
                        .atol = 1e-12,
                        .max_substeps = 100000};
  mn_field *fs[2] = {a, b};
  assert_int_equal(mn_react_step(fs, &rp, 20.0, err, sizeof err), 0);
  double ea = exp(-p.k * 20.0);
  for (size_t v = 0; v < mn_grid_nvox(g); v++) {
    assert_true(fabs(mn_field_cdata(a)[v] - ea) <= 1e-12);
    assert_true(fabs(mn_field_cdata(b)[v] - (1.0 - ea)) <= 1e-6);
  }
  /* Very stiff loss (k dt = 1e6): nothing goes negative or blows up and
   * the amount moves over within the tolerance. */
  p.k = 1e5;
  rp.rtol = 1e-6;
  mn_field_fill(a, 1.0);
  mn_field_fill(b, 0.0);
  assert_int_equal(mn_react_step(fs, &rp, 10.0, err, sizeof err), 0);
  for (size_t v = 0; v < mn_grid_nvox(g); v++) {
    assert_true(mn_field_cdata(a)[v] >= 0.0 && mn_field_cdata(a)[v] <= 1e-300);
    assert_true(fabs(mn_field_cdata(b)[v] - 1.0) <= 1e-5);
  }
  mn_field_destroy(&a);
  mn_field_destroy(&b);
  mn_grid_destroy(&g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_linear_exact),
      cmocka_unit_test(test_decay_exact_lod_be),
      cmocka_unit_test(test_decay_exact_strang_cn),
      cmocka_unit_test(test_decay_and_source_per_layer_and_voxel),
      cmocka_unit_test(test_struct_of_rates_logistic),
      cmocka_unit_test(test_struct_of_rates_conversion_and_stiffness),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
