/* Verification: steady flux through a stack of layers with different
 * diffusivities and partition coefficients against the series-resistance
 * formula J = c0 / sum_l h_l / (D_l K_l) (resistances in series; Crank 1975,
 * ch. 4.4 for composite membranes). The harmonic-mean face conductances make
 * this exact for the discrete scheme, so the tolerance is 1e-6 relative.
 * Both coefficient paths are checked (per layer, and per voxel with float
 * face weights), with Dirichlet, Robin and prescribed-flux surfaces, on a
 * non-uniform depth grid. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "numerics/grid.h"
#include "numerics/lod.h"

/* Skin-like stack: stratum corneum, viable epidermis, dermis (values chosen
 * for a hard test: D spans three decades, K jumps both ways). */
static const double HL[3] = {15e-6, 70e-6, 200e-6};
static const double DL[3] = {2e-14, 1e-11, 5e-11};
static const double KL[3] = {5.0, 0.8, 1.0};
static const int NL[3] = {10, 14, 20};
#define C0 2.0
#define NXY 4

typedef struct stack {
  mn_grid *g;
  int nz;
  double D[64], K[64];
} stack;

static stack make_stack(void) {
  stack st = {0};
  double zf[64];
  int k = 0;
  zf[0] = 0.0;
  double z = 0.0;
  for (int l = 0; l < 3; l++) {
    /* Geometric spacing inside each layer (ratio 1.1): a non-uniform grid. */
    double r = 1.1, sum = (pow(r, NL[l]) - 1.0) / (r - 1.0), h0 = HL[l] / sum;
    for (int m = 0; m < NL[l]; m++) {
      st.D[k] = DL[l];
      st.K[k] = KL[l];
      z += h0 * pow(r, m);
      zf[++k] = z;
    }
    zf[k] = 0.0;
    for (int l2 = 0; l2 <= l; l2++)
      zf[k] += HL[l2];
    z = zf[k];
  }
  st.nz = k;
  char err[256];
  mn_grid_params gp = {.nx = NXY, .ny = NXY, .nz = st.nz, .dx = 1e-5, .dy = 1e-5, .zf = zf};
  assert_int_equal(mn_grid_create(&st.g, &gp, err, sizeof err), 0);
  return st;
}

static double series_resistance(void) {
  double R = 0.0;
  for (int l = 0; l < 3; l++)
    R += HL[l] / (DL[l] * KL[l]);
  return R;
}

/* Run to steady state with large backward-Euler steps (1e6 s, far beyond the
 * slowest relaxation time of ~1e4 s, yet small enough that the identity term
 * is not lost to round-off against dt * D / h^2); return the inward
 * fluxes per unit area at top and bottom. */
static void steady(stack *st, int per_voxel, mn_bc top, mn_bc bottom, double *jt, double *jb) {
  char err[256];
  size_t nv = mn_grid_nvox(st->g);
  double *Dv = NULL, *Kv = NULL;
  mn_lod_params lp = {.bc_x = {.kind = MN_BC_PERIODIC},
                      .bc_y = {.kind = MN_BC_ZERO_FLUX},
                      .bc_top = top,
                      .bc_bottom = bottom};
  if (per_voxel) {
    Dv = malloc(nv * sizeof *Dv);
    Kv = malloc(nv * sizeof *Kv);
    assert_non_null(Dv);
    assert_non_null(Kv);
    for (size_t v = 0; v < nv; v++) {
      Dv[v] = st->D[v / (NXY * NXY)];
      Kv[v] = st->K[v / (NXY * NXY)];
    }
    lp.D_voxel = Dv;
    lp.K_voxel = Kv;
  } else {
    lp.D_layer = st->D;
    lp.K_layer = st->K;
  }
  mn_lod *s = NULL;
  assert_int_equal(mn_lod_create(&s, st->g, &lp, err, sizeof err), 0);
  free(Dv);
  free(Kv);
  assert_int_equal(mn_lod_is_layered(s), !per_voxel);
  mn_field *f = NULL;
  assert_int_equal(mn_field_create(&f, st->g, err, sizeof err), 0);
  for (int n = 0; n < 12; n++)
    assert_int_equal(mn_lod_step(s, f, 1e6, err, sizeof err), 0);
  double area = NXY * NXY * 1e-10;
  assert_int_equal(mn_lod_boundary_flux(s, f, 0, jt, err, sizeof err), 0);
  assert_int_equal(mn_lod_boundary_flux(s, f, 1, jb, err, sizeof err), 0);
  *jt /= area;
  *jb /= -area;
  mn_field_destroy(&f);
  mn_lod_destroy(&s);
}

static void check(double got, double want, const char *what) {
  print_message("%s: %.10g vs %.10g (rel %.2e)\n", what, got, want, fabs(got / want - 1.0));
  assert_true(fabs(got - want) <= 1e-6 * fabs(want));
}

static void test_dirichlet_both_paths(void **state) {
  (void)state;
  stack st = make_stack();
  double J = C0 / series_resistance();
  mn_bc top = {.kind = MN_BC_DIRICHLET, .value = C0}, bot = {.kind = MN_BC_DIRICHLET};
  for (int pv = 0; pv < 2; pv++) {
    double jt, jb;
    steady(&st, pv, top, bot, &jt, &jb);
    check(jt, J, pv ? "per-voxel top" : "layered top");
    check(jb, J, pv ? "per-voxel bottom" : "layered bottom");
  }
  mn_grid_destroy(&st.g);
}

static void test_robin_surface(void **state) {
  (void)state;
  stack st = make_stack();
  const double beta = 1e-7; /* m/s, a film resistance comparable to the stack */
  double J = C0 / (1.0 / beta + series_resistance());
  mn_bc top = {.kind = MN_BC_ROBIN, .value = C0, .coef = beta};
  mn_bc bot = {.kind = MN_BC_DIRICHLET};
  double jt, jb;
  steady(&st, 0, top, bot, &jt, &jb);
  check(jt, J, "robin top");
  check(jb, J, "robin bottom");
  mn_grid_destroy(&st.g);
}

static void test_flux_surface_sets_potential_drop(void **state) {
  (void)state;
  stack st = make_stack();
  const double q = 3e-9; /* amount m^-2 s^-1 */
  mn_bc top = {.kind = MN_BC_FLUX, .value = q};
  mn_bc bot = {.kind = MN_BC_DIRICHLET};
  double jt, jb;
  steady(&st, 1, top, bot, &jt, &jb);
  check(jt, q, "flux top");
  check(jb, q, "flux bottom");
  mn_grid_destroy(&st.g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dirichlet_both_paths),
      cmocka_unit_test(test_robin_surface),
      cmocka_unit_test(test_flux_surface_sets_potential_drop),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
