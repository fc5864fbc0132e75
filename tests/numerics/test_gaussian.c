/* Verification: a spreading 3D Gaussian and the measured orders of accuracy.
 *
 * c(x, t) = prod over axes of sum_m G(x - L/2 - m L, t + t0), with
 * G(x, t) = exp(-x^2 / (4 D t)) / sqrt(4 pi D t): the free-space solution
 * with its images, which is exact both for periodic and for zero-flux walls
 * when the peak sits at the centre of the box. The box mixes both (x
 * zero-flux, y periodic, z zero-flux top and bottom).
 *
 * Asserted (orders within +-0.2, from errors on successive refinements):
 *  - space: second order (Crank-Nicolson with a small step, grids n, 2n, 4n);
 *  - time: first order for LOD backward Euler, second for Strang-split
 *    Crank-Nicolson, against a reference solution on the same grid. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "numerics/grid.h"
#include "numerics/lod.h"

#define PI 3.14159265358979323846
#define BOX 1.0
#define DIFF 1.0
#define T0 0.01 /* initial width sigma^2 = 2 D T0 = 0.02 */
#define TEND 0.01

static double g1(double x, double t) {
  double s = 0.0;
  for (int m = -3; m <= 3; m++) {
    double y = x - 0.5 * BOX - m * BOX;
    s += exp(-y * y / (4.0 * DIFF * t)) / sqrt(4.0 * PI * DIFF * t);
  }
  return s;
}

typedef struct setup {
  mn_grid *g;
  mn_lod *s;
  mn_field *f;
  int n;
} setup;

static setup make(int n, mn_scheme scheme) {
  setup u = {.n = n};
  double zf[256], D[256];
  assert_true(n < 256);
  for (int k = 0; k <= n; k++)
    zf[k] = BOX * k / n;
  for (int k = 0; k < n; k++)
    D[k] = DIFF;
  char err[256];
  mn_grid_params gp = {.nx = n, .ny = n, .nz = n, .dx = BOX / n, .dy = BOX / n, .zf = zf};
  assert_int_equal(mn_grid_create(&u.g, &gp, err, sizeof err), 0);
  mn_lod_params lp = {.scheme = scheme,
                      .D_layer = D,
                      .bc_x = {.kind = MN_BC_ZERO_FLUX},
                      .bc_y = {.kind = MN_BC_PERIODIC},
                      .bc_top = {.kind = MN_BC_ZERO_FLUX},
                      .bc_bottom = {.kind = MN_BC_ZERO_FLUX}};
  assert_int_equal(mn_lod_create(&u.s, u.g, &lp, err, sizeof err), 0);
  assert_int_equal(mn_field_create(&u.f, u.g, err, sizeof err), 0);
  double *c = mn_field_data(u.f);
  const double h = BOX / n;
  for (int k = 0; k < n; k++)
    for (int j = 0; j < n; j++)
      for (int i = 0; i < n; i++)
        c[mn_grid_index(u.g, i, j, k)] =
            g1((i + 0.5) * h, T0) * g1((j + 0.5) * h, T0) * g1((k + 0.5) * h, T0);
  return u;
}

static void drop(setup *u) {
  mn_field_destroy(&u->f);
  mn_lod_destroy(&u->s);
  mn_grid_destroy(&u->g);
}

static void advance(setup *u, int nsteps) {
  char err[256];
  for (int m = 0; m < nsteps; m++)
    assert_int_equal(mn_lod_step(u->s, u->f, TEND / nsteps, err, sizeof err), 0);
}

/* RMS error against the analytic solution at TEND, relative to the peak. */
static double err_exact(const setup *u) {
  const double h = BOX / u->n, t = T0 + TEND;
  const double *c = mn_field_cdata(u->f);
  double s = 0.0, peak = pow(g1(0.5 * BOX, t), 3);
  for (int k = 0; k < u->n; k++)
    for (int j = 0; j < u->n; j++)
      for (int i = 0; i < u->n; i++) {
        double e = c[mn_grid_index(u->g, i, j, k)] -
                   g1((i + 0.5) * h, t) * g1((j + 0.5) * h, t) * g1((k + 0.5) * h, t);
        s += e * e;
      }
  return sqrt(s / pow(u->n, 3)) / peak;
}

static double err_between(const setup *a, const setup *b) {
  const double *x = mn_field_cdata(a->f), *y = mn_field_cdata(b->f);
  size_t nv = mn_grid_nvox(a->g);
  double s = 0.0, peak = 0.0;
  for (size_t v = 0; v < nv; v++) {
    s += (x[v] - y[v]) * (x[v] - y[v]);
    if (fabs(y[v]) > peak)
      peak = fabs(y[v]);
  }
  return sqrt(s / (double)nv) / peak;
}

static void test_space_order(void **state) {
  (void)state;
  const int ns[3] = {10, 20, 40};
  double e[3];
  for (int r = 0; r < 3; r++) {
    setup u = make(ns[r], MN_SCHEME_STRANG_CN);
    advance(&u, 40);
    e[r] = err_exact(&u);
    drop(&u);
  }
  double p1 = log2(e[0] / e[1]), p2 = log2(e[1] / e[2]);
  print_message("space: errors %.3e %.3e %.3e, orders %.3f %.3f\n", e[0], e[1], e[2], p1, p2);
  assert_true(fabs(p2 - 2.0) <= 0.2);
  assert_true(fabs(p1 - 2.0) <= 0.2);
  assert_true(e[2] < 1e-3);
}

static void time_order(mn_scheme scheme, int n0, double expect) {
  const int n = 16;
  setup ref = make(n, MN_SCHEME_STRANG_CN);
  advance(&ref, 1024);
  double e[3];
  for (int r = 0; r < 3; r++) {
    setup u = make(n, scheme);
    advance(&u, n0 << r);
    e[r] = err_between(&u, &ref);
    drop(&u);
  }
  drop(&ref);
  double p1 = log2(e[0] / e[1]), p2 = log2(e[1] / e[2]);
  print_message("time (scheme %d): errors %.3e %.3e %.3e, orders %.3f %.3f\n", (int)scheme, e[0],
                e[1], e[2], p1, p2);
  assert_true(fabs(p1 - expect) <= 0.2);
  assert_true(fabs(p2 - expect) <= 0.2);
}

static void test_time_order_lod_be(void **state) {
  (void)state;
  time_order(MN_SCHEME_LOD_BE, 16, 1.0);
}

static void test_time_order_strang_cn(void **state) {
  (void)state;
  time_order(MN_SCHEME_STRANG_CN, 4, 2.0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_space_order),
      cmocka_unit_test(test_time_order_lod_be),
      cmocka_unit_test(test_time_order_strang_cn),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
