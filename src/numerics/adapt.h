/* Numerics: adaptive time steps for the split diffusion-reaction solver.
 *
 * The skin model runs from seconds (acute permeation) to hours (remodelling).
 * mn_lod_step_adaptive estimates the local error of one step by step
 * doubling (one step of dt against two of dt/2; the difference divided by
 * 2^p - 1 for a scheme of order p) and proposes the next dt with the usual
 * controller dt * safety * (1 / err)^(1 / (p + 1)), clamped. The caller keeps
 * two work fields so nothing is allocated while stepping.
 */
#ifndef MN_NUMERICS_ADAPT_H
#define MN_NUMERICS_ADAPT_H

#include "numerics/grid.h"
#include "numerics/lod.h"

typedef struct mn_dt_ctl {
  double rtol, atol; /* error target per voxel: atol + rtol * |c| */
  double safety;     /* e.g. 0.9 */
  double grow_max;   /* largest factor between steps, e.g. 4 */
  double shrink_min; /* smallest factor, e.g. 0.2 */
  double dt_min, dt_max;
  int order; /* temporal order of the scheme: 1 (LOD BE) or 2 */
} mn_dt_ctl;

/* RMS over voxels of (a - b) / (atol + rtol * |b|). */
double mn_field_err_norm(const mn_field *a, const mn_field *b, double atol, double rtol);

/* Next step from an error estimate scaled so 1 means "at tolerance".
 * Returns 1 if the step is accepted (err <= 1 or dt already at dt_min). */
int mn_dt_next(const mn_dt_ctl *c, double err, double dt, double *dt_next);

/* Try to advance f by dt with an error estimate; on acceptance f holds the
 * two-half-step result, *accepted = 1; otherwise f is unchanged. In both
 * cases *dt_next is the step to try next. w1, w2: work fields on f's grid. */
int mn_lod_step_adaptive(mn_lod *s, mn_field *f, mn_field *w1, mn_field *w2, double dt,
                         const mn_dt_ctl *c, int *accepted, double *dt_next, char *err,
                         size_t errlen);

#endif
