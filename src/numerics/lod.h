/* Numerics: implicit diffusion-reaction on a grid, by operator splitting.
 *
 * Solves, for one species c (amount per volume) on an mn_grid,
 *
 *   dc/dt = div( D K grad(c / K) ) - lambda c + s
 *
 * where D is the diffusivity, K the partition coefficient of the medium
 * relative to a reference phase (the phase in which boundary values are
 * given, e.g. the donor vehicle), lambda a first-order clearance rate and s a
 * source (amount m^-3 s^-1). c / K is continuous across interfaces at
 * equilibrium, so jumps of c between layers come out right. Each face between
 * cells a and b carries the flux  g (c_a / K_a - c_b / K_b)  with the
 * series conductance g = 1 / (h_a / (2 D_a K_a) + h_b / (2 D_b K_b)), the
 * harmonic mean that makes steady layered fluxes exact. See docs/numerics.md.
 *
 * Schemes: MN_SCHEME_LOD_BE (default) is first order in time: reaction
 * (exact exponential), then backward Euler along z, y and x. MN_SCHEME_STRANG_CN
 * is second order: R(dt/2) Z(dt/2) Y(dt/2) X(dt) Y(dt/2) Z(dt/2) R(dt/2) with
 * Crank-Nicolson along each axis. Both are unconditionally stable.
 *
 * Coefficients: a coefficient given per layer only (arrays of nz) takes the
 * fast path - factorisations per layer, shared by every line, recomputed only
 * when dt changes. Any per-voxel array (nx * ny * nz, e.g. a microchannel
 * column with its own D) switches to the general path: face weights stored
 * per voxel (float) and the tridiagonal factorised on the fly per bundle of
 * lines. Either way the solver allocates everything in mn_lod_create and
 * nothing while stepping. All input arrays are copied; the caller may free
 * them after create.
 */
#ifndef MN_NUMERICS_LOD_H
#define MN_NUMERICS_LOD_H

#include <stddef.h>

#include "numerics/grid.h"

typedef enum mn_bc_kind {
  MN_BC_ZERO_FLUX = 0, /* no flux through the face */
  MN_BC_PERIODIC,      /* lateral faces only: x or y wraps around */
  MN_BC_DIRICHLET,     /* top/bottom: reference-phase value fixed, c / K = value */
  MN_BC_ROBIN,         /* top/bottom: inward flux = coef * (value - c / K), coef in m/s */
  MN_BC_FLUX           /* top/bottom: inward flux = value, amount m^-2 s^-1 */
} mn_bc_kind;

typedef struct mn_bc {
  mn_bc_kind kind;
  double value;            /* see kind */
  double coef;             /* ROBIN mass-transfer coefficient, m/s */
  const double *value_map; /* optional nx * ny per-column value, overrides value */
} mn_bc;

typedef enum mn_scheme { MN_SCHEME_LOD_BE = 0, MN_SCHEME_STRANG_CN = 1 } mn_scheme;

typedef struct mn_lod_params {
  mn_scheme scheme;
  /* Per layer (nz values) or per voxel (nx*ny*nz values, overrides). */
  const double *D_layer, *D_voxel;           /* m^2/s, >= 0; one is required */
  const double *K_layer, *K_voxel;           /* > 0; NULL means 1 */
  const double *decay_layer, *decay_voxel;   /* 1/s, >= 0; NULL means none */
  const double *source_layer, *source_voxel; /* amount m^-3 s^-1; NULL none */
  mn_bc bc_x, bc_y;                          /* ZERO_FLUX or PERIODIC */
  mn_bc bc_top, bc_bottom;                   /* ZERO_FLUX, DIRICHLET, ROBIN, FLUX */
  int nthreads;                              /* 0: OpenMP default */
} mn_lod_params;

typedef struct mn_lod mn_lod;

int mn_lod_create(mn_lod **out, const mn_grid *g, const mn_lod_params *p, char *err, size_t errlen);
void mn_lod_destroy(mn_lod **s);

/* Advance field f (on the solver's grid) by dt > 0 seconds, in place. */
int mn_lod_step(mn_lod *s, mn_field *f, double dt, char *err, size_t errlen);

/* Inward flux through the top (face 0) or bottom (face 1) boundary for state
 * f, integrated over the face, amount/s (positive into the domain). */
int mn_lod_boundary_flux(const mn_lod *s, const mn_field *f, int face, double *flux, char *err,
                         size_t errlen);

/* Amount that entered through the top (face 0) or bottom (face 1) during the
 * last mn_lod_step, integrated over the face (positive into the domain),
 * exactly as the scheme applied it: with no reactions, the change of
 * mn_field_total over the step equals top + bottom to round-off, however the
 * boundary coefficients vary from column to column. */
int mn_lod_step_boundary_amount(const mn_lod *s, int face, double *amount, char *err,
                                size_t errlen);

/* Replace the coefficients, boundary conditions and reactions of a solver
 * without re-creating it (no allocation): for coefficients that change in
 * time, such as a channel closing. The new parameters must keep the layout
 * chosen at create: the same path (per-layer or per-voxel D/K), the same
 * scheme and lateral boundaries, and per-voxel reactions only if create had
 * them. Costs one pass over the voxels on the per-voxel path. */
int mn_lod_update(mn_lod *s, const mn_lod_params *p, char *err, size_t errlen);

/* Cheaper still, on the per-voxel path: only the voxels listed in vox (n
 * linear indices) changed their D_voxel / K_voxel in p (the full arrays, same
 * layout as at create); their faces and, in the top and bottom cells, their
 * columns' boundary coefficients are recomputed. Boundary kinds and values
 * and reactions are not re-read (use mn_lod_update for those). The list may
 * hold a voxel more than once and in any order: every face it touches is
 * recomputed once, in parallel; the cost grows with the span of planes
 * between the lowest and highest listed voxel (one byte of marks per voxel
 * is kept for this). */
int mn_lod_update_voxels(mn_lod *s, const mn_lod_params *p, const size_t *vox, size_t n, char *err,
                         size_t errlen);

/* 1 when the fast per-layer path is in use, 0 for the per-voxel path. */
int mn_lod_is_layered(const mn_lod *s);
/* Bytes the solver holds per voxel beyond the field itself. */
double mn_lod_bytes_per_voxel(const mn_lod *s);

#endif
