/* Numerics internals: tridiagonal solves vectorised across lines.
 *
 * A "bundle" is L lines of n points whose lanes are contiguous in memory:
 * point i of lane l sits at u[i * s + l]. The sweeps arrange every axis like
 * this (z and y directly, x through a small transposed block), so the inner
 * loops run over neighbouring lines and stream memory contiguously.
 *
 * Lines are rows of A = I + theta * T, T the tridiagonal operator with raw
 * coefficients (lo_i, dg_i, up_i): (T u)_i = dg_i u_i - lo_i u_{i-1}
 * - up_i u_{i+1}; for periodic lines lo_0 couples to u_{n-1} and up_{n-1} to
 * u_0 (handled by Sherman-Morrison). A factorisation is (Lc, r, cp) with
 *   forward  y_i = (d_i + Lc_i y_{i-1}) r_i,  back  x_i = y_i - cp_i x_{i+1}.
 */
#ifndef MN_NUMERICS_TRIDIAG_H
#define MN_NUMERICS_TRIDIAG_H

#include <stddef.h>

/* Factorise L lanes in place: lo -> Lc, dg -> r, up -> cp (arrays n * L,
 * lane-contiguous). Periodic: also fills zv (n * L), q and den (L each) for
 * the Sherman-Morrison correction. */
void mn_tridiag_factor(int n, int L, double theta, int periodic, double *lo, double *dg, double *up,
                       double *zv, double *q, double *den);

/* d = u + (1 - theta) * (-T u) for L lanes (the explicit half of
 * Crank-Nicolson). Coefficients have lane stride cl (0: one line's
 * coefficients shared by every lane, 1: per lane). */
void mn_tridiag_explicit(const double *u, ptrdiff_t s, int n, int L, const double *lo,
                         const double *dg, const double *up, ptrdiff_t cl, double theta,
                         int periodic, double *d);

/* Solve in place with one factorisation shared by all lanes (arrays of n).
 * Before the solve each point is mapped u -> u * E_i + S_i (a fused reaction
 * step; pass all-ones / zeros for none). b0 and bn (L values each, or NULL)
 * are added to the right-hand side of the first and last point. */
void mn_tridiag_solve_shared(double *u, ptrdiff_t s, int n, int L, const double *Lc,
                             const double *r, const double *cp, const double *E, const double *S,
                             const double *b0, const double *bn);

/* Solve in place with per-lane factorisations (arrays n * L). */
void mn_tridiag_solve_lanes(double *u, ptrdiff_t s, int n, int L, const double *Lc, const double *r,
                            const double *cp, const double *b0, const double *bn);

/* Periodic correction after a solve: u_i -= z_i * (u_0 + q u_{n-1}) * den.
 * cl is the lane stride of zv, q and den (0 shared, 1 per lane). f is a
 * scratch of L values. */
void mn_tridiag_periodic_fix(double *u, ptrdiff_t s, int n, int L, const double *zv,
                             const double *q, const double *den, ptrdiff_t cl, double *f);

#endif
