/* Verification: changing the coefficients of some voxels through
 * mn_lod_update_voxels gives the solver a fresh mn_lod_create would build
 * from the new arrays. The changed voxels sit where the bookkeeping is
 * easiest to get wrong: on the top and bottom cells (boundary coefficients
 * of their columns), on the last row and column of periodic axes (their +
 * faces wrap to the first), next to each other (shared faces) and listed
 * twice. Both solvers then step the same field with Robin, Dirichlet and
 * zero-flux boundaries; the results must agree to round-off (relative
 * 1e-13; the face weights are computed by the same code, so any missed face
 * shows up as an O(1) relative difference in the voxels around it). Also:
 * an empty list changes nothing, an out-of-range voxel is refused. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "numerics/grid.h"
#include "numerics/lod.h"

#define NX 7
#define NY 6
#define NZ 9

static double rnd(uint64_t *st) {
  *st = *st * 6364136223846793005ull + 1442695040888963407ull;
  return (double)(*st >> 11) / 9007199254740992.0;
}

typedef struct setup {
  mn_grid *g;
  double *D, *K, *u0;
  size_t nv;
} setup;

static void make(setup *S, mn_bc_kind bx) {
  char err[256];
  double zf[NZ + 1];
  zf[0] = 0.0;
  for (int k = 0; k < NZ; k++)
    zf[k + 1] = zf[k] + 2e-6 * pow(1.3, k);
  mn_grid_params gp = {.nx = NX, .ny = NY, .nz = NZ, .dx = 10e-6, .dy = 8e-6, .zf = zf};
  assert_int_equal(mn_grid_create(&S->g, &gp, err, sizeof err), 0);
  S->nv = mn_grid_nvox(S->g);
  S->D = malloc(S->nv * sizeof(double));
  S->K = malloc(S->nv * sizeof(double));
  S->u0 = malloc(S->nv * sizeof(double));
  assert_non_null(S->D);
  assert_non_null(S->K);
  assert_non_null(S->u0);
  uint64_t seed = 777 + (uint64_t)bx;
  for (size_t v = 0; v < S->nv; v++) {
    S->D[v] = 1e-12 * pow(10.0, 3.0 * rnd(&seed));
    S->K[v] = 0.2 + rnd(&seed);
    S->u0[v] = 100.0 * rnd(&seed);
  }
}

static void destroy(setup *S) {
  free(S->D);
  free(S->K);
  free(S->u0);
  mn_grid_destroy(&S->g);
}

static mn_lod_params params(const setup *S, mn_bc_kind bx) {
  mn_lod_params p = {.D_voxel = S->D,
                     .K_voxel = S->K,
                     .bc_x = {.kind = bx},
                     .bc_y = {.kind = MN_BC_PERIODIC},
                     .bc_top = {.kind = MN_BC_ROBIN, .value = 50.0, .coef = 1e-5},
                     .bc_bottom = {.kind = MN_BC_DIRICHLET, .value = 80.0},
                     .nthreads = 2};
  return p;
}

/* Steps u0 with solver s three times; returns the field (caller frees). */
static mn_field *stepped(const setup *S, mn_lod *s) {
  char err[256];
  mn_field *f = NULL;
  assert_int_equal(mn_field_create(&f, S->g, err, sizeof err), 0);
  memcpy(mn_field_data(f), S->u0, S->nv * sizeof(double));
  for (int n = 0; n < 3; n++)
    assert_int_equal(mn_lod_step(s, f, 2.0 + 3.0 * n, err, sizeof err), 0);
  return f;
}

static double max_rel_diff(const mn_field *a, const mn_field *b, size_t nv) {
  const double *x = mn_field_cdata(a), *y = mn_field_cdata(b);
  double d = 0.0;
  for (size_t v = 0; v < nv; v++)
    d = fmax(d, fabs(x[v] - y[v]) / fmax(fabs(x[v]), 1e-300));
  return d;
}

static void check(mn_bc_kind bx) {
  char err[256];
  setup S;
  make(&S, bx);
  mn_lod_params p = params(&S, bx);
  mn_lod *a = NULL, *b = NULL;
  assert_int_equal(mn_lod_create(&a, S.g, &p, err, sizeof err), 0);

  /* voxels to change: corners of the periodic axes, top and bottom cells,
   * a pair of neighbours, one listed twice */
  const size_t plane = (size_t)NX * NY;
  size_t vox[] = {
      0,                                                   /* top, first row and column */
      (size_t)(NX - 1),                                    /* top, last column */
      (size_t)(NY - 1) * NX + 3,                           /* top, last row */
      (size_t)(NZ - 1) * plane + 2 * NX + 4,               /* bottom cell */
      4 * plane + 3 * NX + 2,                              /* interior ... */
      4 * plane + 3 * NX + 3,                              /* ... and its + x neighbour */
      5 * plane + 3 * NX + 2,                              /* ... and its + z neighbour */
      4 * plane + 3 * NX + 2,                              /* listed twice */
      6 * plane + (size_t)(NY - 1) * NX + (size_t)(NX - 1) /* last row and column */
  };
  const size_t n = sizeof vox / sizeof vox[0];
  for (size_t q = 0; q < n; q++) {
    S.D[vox[q]] *= 37.0;
    S.K[vox[q]] *= 0.4;
  }
  assert_int_equal(mn_lod_update_voxels(a, &p, vox, n, err, sizeof err), 0);
  assert_int_equal(mn_lod_create(&b, S.g, &p, err, sizeof err), 0);
  mn_field *fa = stepped(&S, a), *fb = stepped(&S, b);
  assert_true(max_rel_diff(fa, fb, S.nv) < 1e-13);
  mn_field_destroy(&fa);
  mn_field_destroy(&fb);

  /* an empty list keeps the solver as it was */
  assert_int_equal(mn_lod_update_voxels(a, &p, NULL, 0, err, sizeof err), 0);
  fa = stepped(&S, a);
  fb = stepped(&S, b);
  assert_true(max_rel_diff(fa, fb, S.nv) < 1e-13);

  /* the changes matter: without the update the result differs */
  mn_lod *c = NULL;
  for (size_t q = 0; q < n; q++) {
    S.D[vox[q]] /= 37.0;
    S.K[vox[q]] /= 0.4;
  }
  assert_int_equal(mn_lod_create(&c, S.g, &p, err, sizeof err), 0);
  mn_field *fc = stepped(&S, c);
  assert_true(max_rel_diff(fa, fc, S.nv) > 1e-3);

  size_t bad = S.nv;
  assert_int_equal(mn_lod_update_voxels(a, &p, &bad, 1, err, sizeof err), MN_NUM_EINVAL);
  mn_field_destroy(&fa);
  mn_field_destroy(&fb);
  mn_field_destroy(&fc);
  mn_lod_destroy(&a);
  mn_lod_destroy(&b);
  mn_lod_destroy(&c);
  destroy(&S);
}

static void test_update_periodic(void **state) {
  (void)state;
  check(MN_BC_PERIODIC);
}

static void test_update_zero_flux(void **state) {
  (void)state;
  check(MN_BC_ZERO_FLUX);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_update_periodic),
      cmocka_unit_test(test_update_zero_flux),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
