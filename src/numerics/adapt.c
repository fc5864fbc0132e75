/* Numerics: step-doubling error estimate and step-size control (adapt.h). */
#include "numerics/adapt.h"

#include <math.h>

#include "numerics/num_util.h"

double mn_field_err_norm(const mn_field *a, const mn_field *b, double atol, double rtol) {
  const size_t n = mn_grid_nvox(mn_field_grid(a));
  const double *x = mn_field_cdata(a), *y = mn_field_cdata(b);
  double sum = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : sum)
  for (long v = 0; v < (long)n; v++) {
    double e = (x[v] - y[v]) / (atol + rtol * fabs(y[v]));
    sum += e * e;
  }
  return sqrt(sum / (double)n);
}

int mn_dt_next(const mn_dt_ctl *c, double err, double dt, double *dt_next) {
  double fac = err > 0.0 ? c->safety * pow(1.0 / err, 1.0 / (c->order + 1)) : c->grow_max;
  if (fac > c->grow_max)
    fac = c->grow_max;
  if (fac < c->shrink_min)
    fac = c->shrink_min;
  double next = dt * fac;
  if (next > c->dt_max)
    next = c->dt_max;
  if (next < c->dt_min)
    next = c->dt_min;
  *dt_next = next;
  return err <= 1.0 || dt <= c->dt_min;
}

int mn_lod_step_adaptive(mn_lod *s, mn_field *f, mn_field *w1, mn_field *w2, double dt,
                         const mn_dt_ctl *c, int *accepted, double *dt_next, char *err,
                         size_t errlen) {
  if (!s || !f || !w1 || !w2 || !c || !accepted || !dt_next) {
    mn_num_errf(err, errlen, "adaptive step: NULL argument");
    return MN_NUM_EINVAL;
  }
  if (c->order < 1 || !(c->rtol >= 0.0) || !(c->atol > 0.0) || !(c->dt_min > 0.0) ||
      !(c->dt_max >= c->dt_min) || !(c->safety > 0.0) || !(c->grow_max >= 1.0) ||
      !(c->shrink_min > 0.0 && c->shrink_min <= 1.0)) {
    mn_num_errf(err, errlen, "adaptive step: bad controller settings");
    return MN_NUM_EINVAL;
  }
  int rc;
  if ((rc = mn_field_copy(w1, f, err, errlen)) || (rc = mn_field_copy(w2, f, err, errlen)))
    return rc;
  if ((rc = mn_lod_step(s, w1, dt, err, errlen)) ||
      (rc = mn_lod_step(s, w2, 0.5 * dt, err, errlen)) ||
      (rc = mn_lod_step(s, w2, 0.5 * dt, err, errlen)))
    return rc;
  double e = mn_field_err_norm(w1, w2, c->atol, c->rtol) / (pow(2.0, c->order) - 1.0);
  *accepted = mn_dt_next(c, e, dt, dt_next);
  if (*accepted)
    return mn_field_copy(f, w2, err, errlen);
  return MN_NUM_OK;
}
