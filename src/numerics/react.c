/* Numerics: reaction integrators (see react.h). */
#include "numerics/react.h"

#include <math.h>
#include <omp.h>

#include "numerics/num_util.h"

/* (1 - exp(-x)) / x, accurate near 0. */
static double phi1(double x) {
  return x > 1e-8 ? -expm1(-x) / x : 1.0 - 0.5 * x;
}

void mn_react_linear(double *c, size_t n, double lambda, double source, double dt) {
  const double e = exp(-lambda * dt);
  const double s = source * dt * phi1(lambda * dt);
  for (size_t v = 0; v < n; v++)
    c[v] = c[v] * e + s;
}

/* One exponential step of dy/dt = P - L y with frozen P, L. */
static double qss(double y0, double P, double L, double h) {
  return y0 * exp(-L * h) + P * h * phi1(L * h);
}

/* Integrate one voxel over dt; returns 0 or -1 when substeps run out. */
static int voxel_integrate(const mn_react_params *p, size_t voxel, double *y, double dt) {
  const int ns = p->nspecies;
  double P0[MN_REACT_MAX_SPECIES], L0[MN_REACT_MAX_SPECIES], P1[MN_REACT_MAX_SPECIES],
      L1[MN_REACT_MAX_SPECIES], yp[MN_REACT_MAX_SPECIES], yc[MN_REACT_MAX_SPECIES];
  double t = 0.0, h = dt;
  int steps = 0;
  while (t < dt) {
    if (h > dt - t)
      h = dt - t;
    if (++steps > p->max_substeps)
      return -1;
    p->rates(p->ctx, voxel, y, P0, L0);
    for (int s = 0; s < ns; s++)
      yp[s] = qss(y[s], P0[s], L0[s], h);
    p->rates(p->ctx, voxel, yp, P1, L1);
    double errn = 0.0;
    for (int s = 0; s < ns; s++) {
      /* Corrector: trapezoidal averages of the rates, exponential form. */
      yc[s] = qss(y[s], 0.5 * (P0[s] + P1[s]), 0.5 * (L0[s] + L1[s]), h);
      double sc = p->atol + p->rtol * fabs(yc[s]);
      double e = fabs(yc[s] - yp[s]) / sc;
      if (e > errn)
        errn = e;
    }
    /* predictor (first order) vs corrector (second order): error ~ h^2 */
    double fac = errn > 0.0 ? 0.9 / sqrt(errn) : 5.0;
    if (fac > 5.0)
      fac = 5.0;
    if (fac < 0.2)
      fac = 0.2;
    if (errn <= 1.0) {
      for (int s = 0; s < ns; s++)
        y[s] = yc[s];
      t += h;
    }
    h *= fac;
  }
  return 0;
}

int mn_react_step(mn_field *const *fields, const mn_react_params *p, double dt, char *err,
                  size_t errlen) {
  if (!fields || !p || !p->rates) {
    mn_num_errf(err, errlen, "react: NULL argument");
    return MN_NUM_EINVAL;
  }
  if (p->nspecies < 1 || p->nspecies > MN_REACT_MAX_SPECIES) {
    mn_num_errf(err, errlen, "react: nspecies must be 1..%d", MN_REACT_MAX_SPECIES);
    return MN_NUM_EINVAL;
  }
  if (!(dt > 0.0) || !(p->rtol > 0.0) || !(p->atol > 0.0) || p->max_substeps < 1 ||
      p->nthreads < 0) {
    mn_num_errf(err, errlen, "react: dt, tolerances and max_substeps must be > 0");
    return MN_NUM_EINVAL;
  }
  const mn_grid *g = mn_field_grid(fields[0]);
  double *data[MN_REACT_MAX_SPECIES];
  for (int s = 0; s < p->nspecies; s++) {
    if (!fields[s] || mn_field_grid(fields[s]) != g) {
      mn_num_errf(err, errlen, "react: species %d missing or on another grid", s);
      return MN_NUM_EMISMATCH;
    }
    data[s] = mn_field_data(fields[s]);
  }
  const size_t nv = mn_grid_nvox(g);
  const int ns = p->nspecies;
  const int nth = p->nthreads > 0 ? p->nthreads : omp_get_max_threads();
  long failed = -1;
#pragma omp parallel for schedule(static) num_threads(nth) reduction(max : failed)
  for (long v = 0; v < (long)nv; v++) {
    double y[MN_REACT_MAX_SPECIES];
    for (int s = 0; s < ns; s++)
      y[s] = data[s][v];
    if (voxel_integrate(p, (size_t)v, y, dt) != 0) {
      failed = v;
      continue;
    }
    for (int s = 0; s < ns; s++)
      data[s][v] = y[s];
  }
  if (failed >= 0) {
    mn_num_errf(err, errlen, "react: voxel %ld needed more than %d substeps", failed,
                p->max_substeps);
    return MN_NUM_EINVAL;
  }
  return MN_NUM_OK;
}
