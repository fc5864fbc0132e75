/* Verification: Crank's membrane permeation problem (Crank, The Mathematics
 * of Diffusion, 2nd ed. 1975, eq. 4.24a). A slab of thickness h and
 * diffusivity D starts empty; the donor side holds c0, the receiver is a
 * perfect sink. The cumulative amount through unit area tends to
 *   Q(t) = D c0 / h * (t - h^2 / (6 D)),
 * so the lag time is h^2 / (6 D). The solver's lag time must be within 1%,
 * its steady flux D c0 / h within 1e-6 (the discrete steady state is exact; the rest is the
 * transient left after 12 lag times), and with a partition coefficient K the flux becomes K D c0 /
 * h. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "numerics/grid.h"
#include "numerics/lod.h"

#define H 20e-6    /* m, stratum-corneum-like thickness */
#define DIFF 1e-12 /* m^2/s */
#define C0 1.0     /* donor concentration */

typedef struct run_out {
  double lag, flux;
} run_out;

static run_out run_membrane(int nz, mn_scheme scheme, double K, double dt_frac) {
  double zf[512];
  assert_true(nz + 1 <= 512);
  for (int k = 0; k <= nz; k++)
    zf[k] = H * k / nz;
  char err[256];
  mn_grid *g = NULL;
  mn_grid_params gp = {.nx = 1, .ny = 1, .nz = nz, .dx = 1e-3, .dy = 1e-3, .zf = zf};
  assert_int_equal(mn_grid_create(&g, &gp, err, sizeof err), 0);
  double D[512], Kl[512];
  for (int k = 0; k < nz; k++) {
    D[k] = DIFF;
    Kl[k] = K;
  }
  mn_lod_params lp = {.scheme = scheme,
                      .D_layer = D,
                      .K_layer = Kl,
                      .bc_top = {.kind = MN_BC_DIRICHLET, .value = C0},
                      .bc_bottom = {.kind = MN_BC_DIRICHLET, .value = 0.0},
                      .nthreads = 1};
  mn_lod *s = NULL;
  assert_int_equal(mn_lod_create(&s, g, &lp, err, sizeof err), 0);
  mn_field *f = NULL;
  assert_int_equal(mn_field_create(&f, g, err, sizeof err), 0);

  const double lag = H * H / (6.0 * DIFF);
  const double dt = lag * dt_frac;
  const int nsteps = (int)lround(12.0 * lag / dt);
  const double area = 1e-3 * 1e-3;
  double Q = 0.0, fin_old = 0.0, fout_old = 0.0;
  for (int n = 0; n < nsteps; n++) {
    assert_int_equal(mn_lod_step(s, f, dt, err, sizeof err), 0);
    double fin, fout;
    assert_int_equal(mn_lod_boundary_flux(s, f, 1, &fout, err, sizeof err), 0);
    assert_int_equal(mn_lod_boundary_flux(s, f, 0, &fin, err, sizeof err), 0);
    fout = -fout / area;
    /* Backward Euler's outflow over the step is the end-of-step flux;
     * Crank-Nicolson's is the average of both ends. */
    Q += dt * (scheme == MN_SCHEME_LOD_BE ? fout : 0.5 * (fout + fout_old));
    fout_old = fout;
    fin_old = fin;
  }
  (void)fin_old;
  run_out o;
  o.flux = fout_old;
  o.lag = nsteps * dt - Q / o.flux;
  print_message("membrane nz=%d scheme=%d K=%g: lag %.6g s (exact %.6g), flux %.8g\n", nz,
                (int)scheme, K, o.lag, lag, o.flux);
  mn_field_destroy(&f);
  mn_lod_destroy(&s);
  mn_grid_destroy(&g);
  return o;
}

static void test_lag_time_lod_be(void **state) {
  (void)state;
  const double lag = H * H / (6.0 * DIFF);
  run_out o = run_membrane(60, MN_SCHEME_LOD_BE, 1.0, 1.0 / 400.0);
  assert_true(fabs(o.flux - DIFF * C0 / H) <= 1e-6 * DIFF * C0 / H);
  assert_true(fabs(o.lag - lag) <= 0.01 * lag);
}

static void test_lag_time_cn(void **state) {
  (void)state;
  const double lag = H * H / (6.0 * DIFF);
  run_out o = run_membrane(60, MN_SCHEME_STRANG_CN, 1.0, 1.0 / 50.0);
  assert_true(fabs(o.flux - DIFF * C0 / H) <= 1e-6 * DIFF * C0 / H);
  assert_true(fabs(o.lag - lag) <= 0.01 * lag);
}

static void test_partition_scales_flux_not_lag(void **state) {
  (void)state;
  const double K = 0.2, lag = H * H / (6.0 * DIFF);
  run_out o = run_membrane(60, MN_SCHEME_LOD_BE, K, 1.0 / 400.0);
  assert_true(fabs(o.flux - K * DIFF * C0 / H) <= 1e-6 * K * DIFF * C0 / H);
  assert_true(fabs(o.lag - lag) <= 0.01 * lag);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_lag_time_lod_be),
      cmocka_unit_test(test_lag_time_cn),
      cmocka_unit_test(test_partition_scales_flux_not_lag),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
