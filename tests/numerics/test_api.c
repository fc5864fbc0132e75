/* Numerics API contract: injected allocators are used for every byte and
 * balanced, memory is 64-byte aligned, bad arguments are refused with a
 * status and a message, destroy clears the handle, and the adaptive stepper
 * grows its step as a transient dies away while keeping to its tolerance. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "numerics/adapt.h"
#include "numerics/grid.h"
#include "numerics/lod.h"

typedef struct counter {
  int allocs, frees;
  size_t bytes;
  int fail_after; /* refuse allocations after this many (-1: never) */
} counter;

static void *count_malloc(void *ctx, size_t size) {
  counter *c = ctx;
  if (c->fail_after >= 0 && c->allocs >= c->fail_after)
    return NULL;
  c->allocs++;
  c->bytes += size;
  return malloc(size);
}

static void count_free(void *ctx, void *p) {
  counter *c = ctx;
  c->frees++;
  free(p);
}

static const double ZF[5] = {0.0, 1e-6, 3e-6, 7e-6, 15e-6};

static void test_allocator_injected_and_balanced(void **state) {
  (void)state;
  counter c = {.fail_after = -1};
  char err[128];
  mn_grid_params gp = {.nx = 8, .ny = 6, .nz = 4, .dx = 1e-6, .dy = 1e-6, .zf = ZF};
  gp.alloc = (mn_alloc){.malloc_fn = count_malloc, .free_fn = count_free, .ctx = &c};
  mn_grid *g = NULL;
  assert_int_equal(mn_grid_create(&g, &gp, err, sizeof err), 0);
  mn_field *f = NULL;
  assert_int_equal(mn_field_create(&f, g, err, sizeof err), 0);
  assert_int_equal((uintptr_t)mn_field_data(f) % 64, 0);
  double D[4] = {1e-12, 1e-12, 1e-12, 1e-12};
  double *Dv = malloc(mn_grid_nvox(g) * sizeof *Dv);
  assert_non_null(Dv);
  for (size_t v = 0; v < mn_grid_nvox(g); v++)
    Dv[v] = 1e-12;
  mn_lod_params lp = {.D_layer = D, .nthreads = 2};
  mn_lod *s = NULL;
  assert_int_equal(mn_lod_create(&s, g, &lp, err, sizeof err), 0);
  int before = c.allocs;
  for (int n = 0; n < 3; n++)
    assert_int_equal(mn_lod_step(s, f, 1.0 + n, err, sizeof err), 0);
  assert_int_equal(c.allocs, before); /* nothing allocated while stepping */
  mn_lod_destroy(&s);
  assert_null(s);
  lp.D_voxel = Dv;
  assert_int_equal(mn_lod_create(&s, g, &lp, err, sizeof err), 0);
  assert_int_equal(mn_lod_is_layered(s), 0);
  assert_true(mn_lod_bytes_per_voxel(s) <= 32.0);
  mn_lod_destroy(&s);
  mn_field_destroy(&f);
  assert_null(f);
  mn_grid_destroy(&g);
  assert_null(g);
  assert_true(c.allocs > 0);
  assert_int_equal(c.allocs, c.frees);

  /* Every allocation failure point is reported and leaks nothing. */
  assert_int_equal(mn_grid_create(&g, &gp, err, sizeof err), 0);
  for (int k = 0; k < 200; k++) {
    counter c2 = {.fail_after = k};
    mn_grid_params gp2 = gp;
    gp2.alloc.ctx = &c2;
    mn_grid *g2 = NULL;
    int rc = mn_grid_create(&g2, &gp2, err, sizeof err);
    if (rc == 0) {
      rc = mn_lod_create(&s, g2, &lp, err, sizeof err);
      if (rc == 0)
        mn_lod_destroy(&s);
      mn_grid_destroy(&g2);
    }
    assert_true(rc == 0 || rc == MN_NUM_ENOMEM);
    assert_int_equal(c2.allocs, c2.frees);
  }
  mn_grid_destroy(&g);
  free(Dv);
}

static void test_bad_arguments_refused(void **state) {
  (void)state;
  char err[128];
  mn_grid *g = NULL;
  mn_grid_params gp = {.nx = 8, .ny = 2, .nz = 4, .dx = 1e-6, .dy = 1e-6, .zf = ZF};
  const double bad_zf[5] = {0.0, 1e-6, 1e-6, 2e-6, 3e-6};
  mn_grid_params bad = gp;
  bad.zf = bad_zf;
  err[0] = '\0';
  assert_int_equal(mn_grid_create(&g, &bad, err, sizeof err), MN_NUM_EINVAL);
  assert_null(g);
  assert_true(strlen(err) > 0);
  bad = gp;
  bad.nx = 0;
  assert_int_equal(mn_grid_create(&g, &bad, err, sizeof err), MN_NUM_EINVAL);
  bad = gp;
  bad.dx = -1.0;
  assert_int_equal(mn_grid_create(&g, &bad, err, sizeof err), MN_NUM_EINVAL);
  assert_int_equal(mn_grid_create(&g, &gp, err, sizeof err), 0);

  double D[4] = {1e-12, 1e-12, -1e-12, 1e-12}, Dok[4] = {1e-12, 1e-12, 1e-12, 1e-12};
  double K0[4] = {1.0, 0.0, 1.0, 1.0};
  mn_lod *s = NULL;
  mn_lod_params lp = {.D_layer = D};
  assert_int_equal(mn_lod_create(&s, g, &lp, err, sizeof err), MN_NUM_EINVAL);
  lp = (mn_lod_params){0};
  assert_int_equal(mn_lod_create(&s, g, &lp, err, sizeof err), MN_NUM_EINVAL); /* no D */
  lp = (mn_lod_params){.D_layer = Dok, .K_layer = K0};
  assert_int_equal(mn_lod_create(&s, g, &lp, err, sizeof err), MN_NUM_EINVAL);
  lp = (mn_lod_params){.D_layer = Dok, .bc_y = {.kind = MN_BC_PERIODIC}}; /* ny = 2 */
  assert_int_equal(mn_lod_create(&s, g, &lp, err, sizeof err), MN_NUM_EINVAL);
  lp = (mn_lod_params){.D_layer = Dok, .bc_x = {.kind = MN_BC_DIRICHLET}};
  assert_int_equal(mn_lod_create(&s, g, &lp, err, sizeof err), MN_NUM_EINVAL);
  lp = (mn_lod_params){.D_layer = Dok, .bc_top = {.kind = MN_BC_ROBIN, .coef = 0.0}};
  assert_int_equal(mn_lod_create(&s, g, &lp, err, sizeof err), MN_NUM_EINVAL);
  lp = (mn_lod_params){.D_layer = Dok, .bc_top = {.kind = MN_BC_PERIODIC}};
  assert_int_equal(mn_lod_create(&s, g, &lp, err, sizeof err), MN_NUM_EINVAL);
  assert_null(s);

  lp = (mn_lod_params){.D_layer = Dok};
  assert_int_equal(mn_lod_create(&s, g, &lp, err, sizeof err), 0);
  mn_grid *g2 = NULL;
  assert_int_equal(mn_grid_create(&g2, &gp, err, sizeof err), 0);
  mn_field *f = NULL, *f2 = NULL;
  assert_int_equal(mn_field_create(&f, g, err, sizeof err), 0);
  assert_int_equal(mn_field_create(&f2, g2, err, sizeof err), 0);
  assert_int_equal(mn_lod_step(s, f2, 1.0, err, sizeof err), MN_NUM_EMISMATCH);
  assert_int_equal(mn_lod_step(s, f, 0.0, err, sizeof err), MN_NUM_EINVAL);
  assert_int_equal(mn_lod_step(s, f, NAN, err, sizeof err), MN_NUM_EINVAL);
  assert_int_equal(mn_field_copy(f, f2, err, sizeof err), MN_NUM_EMISMATCH);
  double flux;
  assert_int_equal(mn_lod_boundary_flux(s, f, 2, &flux, err, sizeof err), MN_NUM_EINVAL);
  mn_field_destroy(&f);
  mn_field_destroy(&f2);
  mn_lod_destroy(&s);
  mn_lod_destroy(&s); /* harmless twice */
  mn_grid_destroy(&g2);
  mn_grid_destroy(&g);
}

/* Membrane filling from a donor: the adaptive stepper starts small and
 * lengthens its steps as the profile settles; the result at the end stays
 * close to a fine fixed-step reference. */
static void test_adaptive_step_grows_and_meets_tolerance(void **state) {
  (void)state;
  char err[128];
  enum { NZ = 40 };
  double zf[NZ + 1], D[NZ];
  for (int k = 0; k <= NZ; k++)
    zf[k] = 20e-6 * k / NZ;
  for (int k = 0; k < NZ; k++)
    D[k] = 1e-12;
  mn_grid *g = NULL;
  mn_grid_params gp = {.nx = 1, .ny = 1, .nz = NZ, .dx = 1e-4, .dy = 1e-4, .zf = zf};
  assert_int_equal(mn_grid_create(&g, &gp, err, sizeof err), 0);
  mn_lod_params lp = {.D_layer = D,
                      .bc_top = {.kind = MN_BC_DIRICHLET, .value = 1.0},
                      .bc_bottom = {.kind = MN_BC_DIRICHLET, .value = 0.0},
                      .nthreads = 1};
  mn_lod *s = NULL;
  assert_int_equal(mn_lod_create(&s, g, &lp, err, sizeof err), 0);
  mn_field *f = NULL, *w1 = NULL, *w2 = NULL, *ref = NULL;
  assert_int_equal(mn_field_create(&f, g, err, sizeof err), 0);
  assert_int_equal(mn_field_create(&w1, g, err, sizeof err), 0);
  assert_int_equal(mn_field_create(&w2, g, err, sizeof err), 0);
  assert_int_equal(mn_field_create(&ref, g, err, sizeof err), 0);
  const double tend = 400.0; /* six lag times */
  mn_dt_ctl ctl = {.rtol = 1e-3,
                   .atol = 1e-4,
                   .safety = 0.9,
                   .grow_max = 4.0,
                   .shrink_min = 0.2,
                   .dt_min = 1e-3,
                   .dt_max = 1e3,
                   .order = 1};
  double t = 0.0, dt = 0.01, first = -1.0, last = 0.0;
  int steps = 0, rejected = 0;
  while (t < tend) {
    double h = fmin(dt, tend - t), next;
    int ok;
    assert_int_equal(mn_lod_step_adaptive(s, f, w1, w2, h, &ctl, &ok, &next, err, sizeof err), 0);
    if (ok) {
      t += h;
      steps++;
      if (first < 0.0)
        first = h;
      if (t < tend)
        last = h;
    } else {
      rejected++;
    }
    dt = next;
    assert_true(steps + rejected < 10000);
  }
  for (int n = 0; n < 40000; n++)
    assert_int_equal(mn_lod_step(s, ref, tend / 40000, err, sizeof err), 0);
  double worst = 0.0;
  for (int k = 0; k < NZ; k++)
    worst = fmax(worst, fabs(mn_field_cdata(f)[k] - mn_field_cdata(ref)[k]));
  print_message("adaptive: %d steps (%d rejected), first %.3g s, last %.3g s, max error %.2e\n",
                steps, rejected, first, last, worst);
  assert_true(last > 20.0 * first);
  assert_true(worst < 5.0 * (ctl.atol + ctl.rtol)); /* c <= 1 */
  mn_dt_ctl bad = ctl;
  bad.order = 0;
  int ok;
  double next;
  assert_int_equal(mn_lod_step_adaptive(s, f, w1, w2, 1.0, &bad, &ok, &next, err, sizeof err),
                   MN_NUM_EINVAL);
  mn_field_destroy(&f);
  mn_field_destroy(&w1);
  mn_field_destroy(&w2);
  mn_field_destroy(&ref);
  mn_lod_destroy(&s);
  mn_grid_destroy(&g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_allocator_injected_and_balanced),
      cmocka_unit_test(test_bad_arguments_refused),
      cmocka_unit_test(test_adaptive_step_grows_and_meets_tolerance),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
