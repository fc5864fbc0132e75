/* Numerics: per-voxel reaction integrators for the operator-split scheme.
 *
 * The diffusion solver (lod.h) already applies linear clearance and sources
 * exactly. This module is for everything else the skin model needs:
 *  - mn_react_linear: the exact exponential step of dc/dt = -lambda c + s,
 *    on any array (also what lod.c does per layer).
 *  - mn_react_step: nonlinear kinetics of several coupled species given as a
 *    struct of rates - for each species a production P >= 0 and a loss rate
 *    L >= 0 so that dy/dt = P(y) - L(y) y. Integrated per voxel with the
 *    exponential (quasi-steady-state) predictor-corrector, which stays
 *    positive and stable however stiff L is, with substeps chosen by the
 *    difference between predictor and corrector.
 */
#ifndef MN_NUMERICS_REACT_H
#define MN_NUMERICS_REACT_H

#include <stddef.h>

#include "numerics/grid.h"

/* c <- exact solution after dt of dc/dt = -lambda c + source (lambda >= 0). */
void mn_react_linear(double *c, size_t n, double lambda, double source, double dt);

/* Rates for voxel `voxel` with state y[nspecies]: fill prod[] and loss[]
 * (both >= 0) so that dy_s/dt = prod[s] - loss[s] * y[s]. */
typedef void (*mn_react_rates_fn)(void *ctx, size_t voxel, const double *y, double *prod,
                                  double *loss);

#define MN_REACT_MAX_SPECIES 16

typedef struct mn_react_params {
  mn_react_rates_fn rates;
  void *ctx;
  int nspecies;      /* 1 .. MN_REACT_MAX_SPECIES */
  double rtol, atol; /* per-substep error target */
  int max_substeps;  /* per voxel per call; the call fails beyond it */
  int nthreads;      /* 0: OpenMP default */
} mn_react_params;

/* Advance fields[0..nspecies-1] (same grid) by dt, voxel by voxel. */
int mn_react_step(mn_field *const *fields, const mn_react_params *p, double dt, char *err,
                  size_t errlen);

#endif
