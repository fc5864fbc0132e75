/* Verification: with zero-flux and periodic boundaries and no clearance the
 * total amount sum(c * V) is conserved to round-off (relative 1e-12), on a
 * stretched depth grid with diffusivity varying over four decades from voxel
 * to voxel and partition coefficients over two, for both schemes and both
 * coefficient paths, at small and very large time steps. A flux-conserving
 * finite-volume scheme must pass this whatever the coefficients; a scheme
 * that averages D at faces inconsistently between the two cells does not. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "numerics/grid.h"
#include "numerics/lod.h"

#define NX 9
#define NY 7
#define NZ 24

/* Deterministic pseudo-random numbers in [0, 1) (a 64-bit LCG, Knuth's
 * MMIX constants) so the test is reproducible. */
static double rnd(uint64_t *st) {
  *st = *st * 6364136223846793005ull + 1442695040888963407ull;
  return (double)(*st >> 11) / 9007199254740992.0;
}

static void run(mn_scheme scheme, int per_voxel, double dt) {
  char err[256];
  double zf[NZ + 1];
  zf[0] = 0.0;
  for (int k = 0; k < NZ; k++)
    zf[k + 1] = zf[k] + 1e-6 * pow(1.2, k); /* 1 um at the top, 66 um deep */
  mn_grid *g = NULL;
  mn_grid_params gp = {.nx = NX, .ny = NY, .nz = NZ, .dx = 8e-6, .dy = 5e-6, .zf = zf};
  assert_int_equal(mn_grid_create(&g, &gp, err, sizeof err), 0);
  size_t nv = mn_grid_nvox(g);
  double *Dv = malloc(nv * sizeof *Dv), *Kv = malloc(nv * sizeof *Kv);
  double Dl[NZ], Kl[NZ];
  assert_non_null(Dv);
  assert_non_null(Kv);
  uint64_t seed = 12345;
  for (int k = 0; k < NZ; k++) {
    Dl[k] = 1e-14 * pow(10.0, 4.0 * rnd(&seed));
    Kl[k] = pow(10.0, 2.0 * rnd(&seed) - 1.0);
  }
  for (size_t v = 0; v < nv; v++) {
    Dv[v] = 1e-14 * pow(10.0, 4.0 * rnd(&seed));
    Kv[v] = pow(10.0, 2.0 * rnd(&seed) - 1.0);
  }
  mn_lod_params lp = {.scheme = scheme,
                      .bc_x = {.kind = MN_BC_ZERO_FLUX},
                      .bc_y = {.kind = MN_BC_PERIODIC},
                      .bc_top = {.kind = MN_BC_ZERO_FLUX},
                      .bc_bottom = {.kind = MN_BC_ZERO_FLUX}};
  if (per_voxel) {
    lp.D_voxel = Dv;
    lp.K_voxel = Kv;
  } else {
    lp.D_layer = Dl;
    lp.K_layer = Kl;
  }
  mn_lod *s = NULL;
  assert_int_equal(mn_lod_create(&s, g, &lp, err, sizeof err), 0);
  mn_field *f = NULL;
  assert_int_equal(mn_field_create(&f, g, err, sizeof err), 0);
  double *c = mn_field_data(f);
  double *c0 = malloc(nv * sizeof *c0);
  assert_non_null(c0);
  for (size_t v = 0; v < nv; v++)
    c0[v] = c[v] = rnd(&seed);
  const double m0 = mn_field_total(f);
  for (int n = 0; n < 20; n++)
    assert_int_equal(mn_lod_step(s, f, dt, err, sizeof err), 0);
  const double m1 = mn_field_total(f);
  double rel = fabs(m1 - m0) / m0;
  print_message("scheme %d %s dt %g: relative mass change %.2e\n", (int)scheme,
                per_voxel ? "per-voxel" : "layered", dt, rel);
  assert_true(rel <= 1e-12);
  /* The field did move: this is not a trivially conserved copy. */
  double moved = 0.0;
  for (size_t v = 0; v < nv; v++)
    moved = fmax(moved, fabs(c[v] - c0[v]));
  assert_true(moved > 0.1);
  free(c0);
  mn_field_destroy(&f);
  mn_lod_destroy(&s);
  mn_grid_destroy(&g);
  free(Dv);
  free(Kv);
}

static void test_lod_be_layered(void **state) {
  (void)state;
  run(MN_SCHEME_LOD_BE, 0, 1e-2);
  run(MN_SCHEME_LOD_BE, 0, 1e3);
}

static void test_lod_be_per_voxel(void **state) {
  (void)state;
  run(MN_SCHEME_LOD_BE, 1, 1e-2);
  run(MN_SCHEME_LOD_BE, 1, 1e3);
}

static void test_strang_cn_both_paths(void **state) {
  (void)state;
  run(MN_SCHEME_STRANG_CN, 0, 1e-1);
  run(MN_SCHEME_STRANG_CN, 1, 1e-1);
  run(MN_SCHEME_STRANG_CN, 1, 1e3);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_lod_be_layered),
      cmocka_unit_test(test_lod_be_per_voxel),
      cmocka_unit_test(test_strang_cn_both_paths),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
