/* Numerics internals: Thomas algorithm across lanes of lines. See tridiag.h.
 * The matrices are diagonally dominant M-matrices (1 + theta * dg_i >= the
 * off-diagonal sums), so elimination without pivoting is stable. */
#include "numerics/tridiag.h"

void mn_tridiag_factor(int n, int L, double theta, int periodic, double *lo, double *dg, double *up,
                       double *zv, double *q, double *den) {
  const size_t nL = (size_t)L;
  if (periodic) {
    /* A = A' + u v^T with u = (gamma, 0.., alpha), v = (1, 0.., beta/gamma),
     * gamma = -b_0: A' is plain tridiagonal with two modified pivots. */
    for (size_t l = 0; l < nL; l++) {
      double b0 = 1.0 + theta * dg[l];
      double gamma = -b0;
      double alpha = -theta * up[(size_t)(n - 1) * nL + l];
      double beta = -theta * lo[l];
      q[l] = beta / gamma;
      den[l] = alpha; /* parked until the z solve below */
      dg[l] = (b0 - gamma - 1.0) / theta;
      dg[(size_t)(n - 1) * nL + l] -= alpha * q[l] / theta;
      lo[l] = 0.0;
      up[(size_t)(n - 1) * nL + l] = 0.0;
    }
  } else {
    for (size_t l = 0; l < nL; l++) {
      lo[l] = 0.0;
      up[(size_t)(n - 1) * nL + l] = 0.0;
    }
  }
  for (size_t l = 0; l < nL; l++) {
    double r = 1.0 / (1.0 + theta * dg[l]);
    dg[l] = r;
    up[l] = -theta * up[l] * r;
  }
  for (int i = 1; i < n; i++) {
    double *restrict lo_i = lo + (size_t)i * nL;
    double *restrict dg_i = dg + (size_t)i * nL;
    double *restrict up_i = up + (size_t)i * nL;
    const double *restrict cp_m = up + (size_t)(i - 1) * nL;
    for (size_t l = 0; l < nL; l++) {
      double a = theta * lo_i[l];
      double r = 1.0 / (1.0 + theta * dg_i[l] + a * cp_m[l]);
      lo_i[l] = a;
      dg_i[l] = r;
      up_i[l] = -theta * up_i[l] * r;
    }
  }
  if (!periodic)
    return;
  /* z = A'^{-1} u */
  for (size_t l = 0; l < nL; l++) {
    double gamma = -(1.0 / dg[l]) / 2.0; /* b'_0 = 2 b_0 = -2 gamma */
    zv[l] = gamma * dg[l];
  }
  for (int i = 1; i < n; i++) {
    for (size_t l = 0; l < nL; l++) {
      size_t v = (size_t)i * nL + l;
      double rhs = (i == n - 1) ? den[l] : 0.0;
      zv[v] = (rhs + lo[v] * zv[v - nL]) * dg[v];
    }
  }
  for (int i = n - 2; i >= 0; i--) {
    for (size_t l = 0; l < nL; l++) {
      size_t v = (size_t)i * nL + l;
      zv[v] -= up[v] * zv[v + nL];
    }
  }
  for (size_t l = 0; l < nL; l++)
    den[l] = 1.0 / (1.0 + zv[l] + q[l] * zv[(size_t)(n - 1) * nL + l]);
}

void mn_tridiag_explicit(const double *u, ptrdiff_t s, int n, int L, const double *lo,
                         const double *dg, const double *up, ptrdiff_t cl, double theta,
                         int periodic, double *d) {
  const double w = 1.0 - theta;
  for (int i = 0; i < n; i++) {
    const double *ui = u + (ptrdiff_t)i * s;
    const double *um = (i > 0) ? ui - s : (periodic ? u + (ptrdiff_t)(n - 1) * s : NULL);
    const double *up1 = (i < n - 1) ? ui + s : (periodic ? u : NULL);
    const ptrdiff_t ci = (ptrdiff_t)i * (cl ? L : 1);
    double *di = d + (size_t)i * (size_t)L;
    for (ptrdiff_t l = 0; l < L; l++) {
      ptrdiff_t c = ci + l * cl;
      double t = -dg[c] * ui[l];
      if (um)
        t += lo[c] * um[l];
      if (up1)
        t += up[c] * up1[l];
      di[l] = ui[l] + w * t;
    }
  }
}

void mn_tridiag_solve_shared(double *u, ptrdiff_t s, int n, int L, const double *Lc,
                             const double *r, const double *cp, const double *E, const double *S,
                             const double *b0, const double *bn) {
  {
    double *restrict u0 = u;
    const double e = E[0], sv = S[0], r0 = r[0];
    if (b0 || (n == 1 && bn)) {
      for (ptrdiff_t l = 0; l < L; l++) {
        double b = (b0 ? b0[l] : 0.0) + ((n == 1 && bn) ? bn[l] : 0.0);
        u0[l] = (u0[l] * e + sv + b) * r0;
      }
    } else {
      for (ptrdiff_t l = 0; l < L; l++)
        u0[l] = (u0[l] * e + sv) * r0;
    }
  }
  for (int i = 1; i < n; i++) {
    double *restrict ui = u + (ptrdiff_t)i * s;
    const double *restrict um = ui - s;
    const double e = E[i], sv = S[i], a = Lc[i], ri = r[i];
    if (i == n - 1 && bn) {
      for (ptrdiff_t l = 0; l < L; l++)
        ui[l] = (ui[l] * e + sv + bn[l] + a * um[l]) * ri;
    } else {
      for (ptrdiff_t l = 0; l < L; l++)
        ui[l] = (ui[l] * e + sv + a * um[l]) * ri;
    }
  }
  for (int i = n - 2; i >= 0; i--) {
    double *restrict ui = u + (ptrdiff_t)i * s;
    const double *restrict up1 = ui + s;
    const double c = cp[i];
    for (ptrdiff_t l = 0; l < L; l++)
      ui[l] -= c * up1[l];
  }
}

void mn_tridiag_solve_lanes(double *u, ptrdiff_t s, int n, int L, const double *Lc, const double *r,
                            const double *cp, const double *b0, const double *bn) {
  const size_t nL = (size_t)L;
  {
    double *restrict u0 = u;
    const double *restrict r0 = r;
    if (b0 || (n == 1 && bn)) {
      for (size_t l = 0; l < nL; l++) {
        double b = (b0 ? b0[l] : 0.0) + ((n == 1 && bn) ? bn[l] : 0.0);
        u0[l] = (u0[l] + b) * r0[l];
      }
    } else {
      for (size_t l = 0; l < nL; l++)
        u0[l] *= r0[l];
    }
  }
  for (int i = 1; i < n; i++) {
    double *restrict ui = u + (ptrdiff_t)i * s;
    const double *restrict um = ui - s;
    const double *restrict a = Lc + (size_t)i * nL;
    const double *restrict ri = r + (size_t)i * nL;
    if (i == n - 1 && bn) {
      for (size_t l = 0; l < nL; l++)
        ui[l] = (ui[l] + bn[l] + a[l] * um[l]) * ri[l];
    } else {
      for (size_t l = 0; l < nL; l++)
        ui[l] = (ui[l] + a[l] * um[l]) * ri[l];
    }
  }
  for (int i = n - 2; i >= 0; i--) {
    double *restrict ui = u + (ptrdiff_t)i * s;
    const double *restrict up1 = ui + s;
    const double *restrict c = cp + (size_t)i * nL;
    for (size_t l = 0; l < nL; l++)
      ui[l] -= c[l] * up1[l];
  }
}

void mn_tridiag_periodic_fix(double *u, ptrdiff_t s, int n, int L, const double *zv,
                             const double *q, const double *den, ptrdiff_t cl, double *f) {
  const double *un = u + (ptrdiff_t)(n - 1) * s;
  for (ptrdiff_t l = 0; l < L; l++)
    f[l] = (u[l] + q[l * cl] * un[l]) * den[l * cl];
  for (int i = 0; i < n; i++) {
    double *ui = u + (ptrdiff_t)i * s;
    const double *zi = zv + (ptrdiff_t)i * (cl ? L : 1);
    for (ptrdiff_t l = 0; l < L; l++)
      ui[l] -= zi[l * cl] * f[l];
  }
}
