/* Numerics: the LOD / Strang-Crank-Nicolson diffusion-reaction solver.
 *
 * Sits between the skin model (which builds the grid and coefficient maps)
 * and the tridiagonal kernels (tridiag.c). This file turns coefficients into
 * face weights and factorisations and runs the three axis sweeps over bundles
 * of lines, in parallel with OpenMP. Discretisation: docs/numerics.md.
 */
#include "numerics/lod.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <string.h>

#include "numerics/num_util.h"
#include "numerics/tridiag.h"

/* Rows of the x sweep handled together through a transposed block: enough
 * lanes to fill vector registers, small enough to stay in L1. */
#define MN_LOD_XBLOCK 16

typedef struct axis_layered {
  /* One line per layer (x, y: nz lines of n; z: one line of nz). */
  double *lo, *dg, *up;     /* raw operator, scaled by tau */
  double *Lc, *r, *cp, *zv; /* factorisation for theta * tau */
  double *q, *den;          /* periodic correction, one per line */
  double tau;               /* tau of the current factorisation, 0: none */
} axis_layered;

typedef struct scratch {
  double *lo, *dg, *up, *zv, *d, *blk; /* bundle-sized */
  double *q, *den, *f;                 /* lane-sized */
} scratch;

struct mn_lod {
  const mn_grid *g;
  mn_alloc alloc;
  int nx, ny, nz;
  size_t plane, nvox;
  mn_scheme scheme;
  double theta;
  int nth;
  int layered, react_voxel, has_react;
  int px, py; /* periodic in x, y */

  /* Boundary in depth, per column: inward flux = in - dgc * c_cell. */
  double *top_in, *top_dgc, *bot_in, *bot_dgc; /* nx * ny */
  double *top_b, *bot_b;                       /* tau_z / dz * in */
  double bnd_tau;

  /* Layered path. */
  double *D, *K; /* nz */
  axis_layered ax[3];

  /* General path: per-voxel face weights, face = + face of the voxel. */
  float *wm[3], *wp[3];
  /* Voxels an update lists as changed (1), all zero between calls: a voxel's
   * weights are recomputed when it or a + neighbour is marked. */
  unsigned char *mark;

  /* Reactions. */
  double *lam, *src, *E, *S; /* nz (layered) */
  double *ones, *zeros;      /* max(nx, ny, nz): no fused reaction */
  float *lam_v, *src_v, *E_v, *S_v;
  double react_tau;

  scratch *scr;
  size_t scr_n, scr_lanes;

  /* Amount through the top and bottom during the last step, per unit of
   * dx * dy (inward positive), accumulated by the z sweeps. */
  double amt_top, amt_bot;
};

/* ---------------------------------------------------------------- helpers */

static double face_g(double ha, double DKa, double hb, double DKb) {
  if (!(DKa > 0.0) || !(DKb > 0.0))
    return 0.0;
  return 1.0 / (ha / (2.0 * DKa) + hb / (2.0 * DKb));
}

/* Per-area conductance between the surface (or base) and the first cell. */
static double bnd_g(const mn_bc *bc, double h, double DK) {
  if (!(DK > 0.0))
    return 0.0;
  double half = h / (2.0 * DK);
  if (bc->kind == MN_BC_DIRICHLET)
    return 1.0 / half;
  if (bc->kind == MN_BC_ROBIN)
    return 1.0 / (1.0 / bc->coef + half);
  return 0.0;
}

static double *dalloc(mn_lod *s, size_t n) {
  double *p = mn_mem_alloc(&s->alloc, n * sizeof(double));
  if (p)
    memset(p, 0, n * sizeof(double));
  return p;
}

static float *falloc(mn_lod *s, size_t n) {
  float *p = mn_mem_alloc(&s->alloc, n * sizeof(float));
  if (p)
    memset(p, 0, n * sizeof(float));
  return p;
}

static double coef_at(const double *vox, const double *layer, double dflt, size_t v, int k) {
  if (vox)
    return vox[v];
  if (layer)
    return layer[k];
  return dflt;
}

static int check_bc_lateral(const mn_bc *bc, int n, const char *name, char *err, size_t errlen) {
  if (bc->kind != MN_BC_ZERO_FLUX && bc->kind != MN_BC_PERIODIC) {
    mn_num_errf(err, errlen, "lod: %s boundary must be zero-flux or periodic", name);
    return MN_NUM_EINVAL;
  }
  if (bc->kind == MN_BC_PERIODIC && n < 3) {
    mn_num_errf(err, errlen, "lod: periodic %s needs at least 3 cells", name);
    return MN_NUM_EINVAL;
  }
  return MN_NUM_OK;
}

static int check_bc_depth(const mn_bc *bc, const char *name, char *err, size_t errlen) {
  switch (bc->kind) {
  case MN_BC_ZERO_FLUX:
  case MN_BC_DIRICHLET:
  case MN_BC_FLUX:
    return MN_NUM_OK;
  case MN_BC_ROBIN:
    if (bc->coef > 0.0)
      return MN_NUM_OK;
    mn_num_errf(err, errlen, "lod: %s Robin coefficient must be > 0", name);
    return MN_NUM_EINVAL;
  default:
    mn_num_errf(err, errlen, "lod: %s boundary must be zero-flux, Dirichlet, Robin or flux", name);
    return MN_NUM_EINVAL;
  }
}

static int check_array(const double *a, size_t n, double lo, int strict, const char *name,
                       char *err, size_t errlen) {
  if (!a)
    return MN_NUM_OK;
  for (size_t v = 0; v < n; v++) {
    if (!isfinite(a[v]) || a[v] < lo || (strict && a[v] == lo)) {
      mn_num_errf(err, errlen, "lod: %s[%zu] = %g out of range", name, v, a[v]);
      return MN_NUM_EINVAL;
    }
  }
  return MN_NUM_OK;
}

/* ------------------------------------------------------------ lifecycle */

void mn_lod_destroy(mn_lod **sp) {
  if (!sp || !*sp)
    return;
  mn_lod *s = *sp;
  const mn_alloc *a = &s->alloc;
  double **dp[] = {&s->top_in, &s->top_dgc, &s->bot_in, &s->bot_dgc, &s->top_b,
                   &s->bot_b,  &s->D,       &s->K,      &s->lam,     &s->src,
                   &s->E,      &s->S,       &s->ones,   &s->zeros};
  for (size_t i = 0; i < sizeof dp / sizeof dp[0]; i++)
    mn_mem_free(a, *dp[i]);
  for (int x = 0; x < 3; x++) {
    axis_layered *L = &s->ax[x];
    double *arr[] = {L->lo, L->dg, L->up, L->Lc, L->r, L->cp, L->zv, L->q, L->den};
    for (size_t i = 0; i < sizeof arr / sizeof arr[0]; i++)
      mn_mem_free(a, arr[i]);
    mn_mem_free(a, s->wm[x]);
    mn_mem_free(a, s->wp[x]);
  }
  mn_mem_free(a, s->mark);
  mn_mem_free(a, s->lam_v);
  mn_mem_free(a, s->src_v);
  mn_mem_free(a, s->E_v);
  mn_mem_free(a, s->S_v);
  if (s->scr) {
    for (int t = 0; t < s->nth; t++) {
      scratch *c = &s->scr[t];
      double *arr[] = {c->lo, c->dg, c->up, c->zv, c->d, c->blk, c->q, c->den, c->f};
      for (size_t i = 0; i < sizeof arr / sizeof arr[0]; i++)
        mn_mem_free(a, arr[i]);
    }
    mn_mem_free(a, s->scr);
  }
  mn_mem_free(a, s);
  *sp = NULL;
}

static int validate(const mn_grid *g, const mn_lod_params *p, char *err, size_t errlen) {
  int nz = mn_grid_nz(g);
  size_t nv = mn_grid_nvox(g);
  int rc;
  if (p->scheme != MN_SCHEME_LOD_BE && p->scheme != MN_SCHEME_STRANG_CN) {
    mn_num_errf(err, errlen, "lod: unknown scheme %d", (int)p->scheme);
    return MN_NUM_EINVAL;
  }
  if (!p->D_layer && !p->D_voxel) {
    mn_num_errf(err, errlen, "lod: diffusivity missing (D_layer or D_voxel)");
    return MN_NUM_EINVAL;
  }
  if ((rc = check_array(p->D_layer, (size_t)nz, 0.0, 0, "D_layer", err, errlen)) ||
      (rc = check_array(p->D_voxel, nv, 0.0, 0, "D_voxel", err, errlen)) ||
      (rc = check_array(p->K_layer, (size_t)nz, 0.0, 1, "K_layer", err, errlen)) ||
      (rc = check_array(p->K_voxel, nv, 0.0, 1, "K_voxel", err, errlen)) ||
      (rc = check_array(p->decay_layer, (size_t)nz, 0.0, 0, "decay_layer", err, errlen)) ||
      (rc = check_array(p->decay_voxel, nv, 0.0, 0, "decay_voxel", err, errlen)) ||
      (rc = check_array(p->source_layer, (size_t)nz, -HUGE_VAL, 0, "source_layer", err, errlen)) ||
      (rc = check_array(p->source_voxel, nv, -HUGE_VAL, 0, "source_voxel", err, errlen)))
    return rc;
  if ((rc = check_bc_lateral(&p->bc_x, mn_grid_nx(g), "x", err, errlen)) ||
      (rc = check_bc_lateral(&p->bc_y, mn_grid_ny(g), "y", err, errlen)) ||
      (rc = check_bc_depth(&p->bc_top, "top", err, errlen)) ||
      (rc = check_bc_depth(&p->bc_bottom, "bottom", err, errlen)))
    return rc;
  if (p->nthreads < 0) {
    mn_num_errf(err, errlen, "lod: nthreads must be >= 0");
    return MN_NUM_EINVAL;
  }
  return MN_NUM_OK;
}

static int alloc_all(mn_lod *s) {
  size_t cols = s->plane, nz = (size_t)s->nz;
  s->top_in = dalloc(s, cols);
  s->top_dgc = dalloc(s, cols);
  s->bot_in = dalloc(s, cols);
  s->bot_dgc = dalloc(s, cols);
  s->top_b = dalloc(s, cols);
  s->bot_b = dalloc(s, cols);
  s->lam = dalloc(s, nz);
  s->src = dalloc(s, nz);
  s->E = dalloc(s, nz);
  s->S = dalloc(s, nz);
  /* ones/zeros stand in for "no fused reaction" on lines of any axis */
  size_t nmax = nz;
  if ((size_t)s->ny > nmax)
    nmax = (size_t)s->ny;
  if ((size_t)s->nx > nmax)
    nmax = (size_t)s->nx;
  s->ones = dalloc(s, nmax);
  s->zeros = dalloc(s, nmax);
  if (!s->top_in || !s->top_dgc || !s->bot_in || !s->bot_dgc || !s->top_b || !s->bot_b || !s->lam ||
      !s->src || !s->E || !s->S || !s->ones || !s->zeros)
    return MN_NUM_ENOMEM;
  for (size_t k = 0; k < nmax; k++)
    s->ones[k] = 1.0;
  if (s->layered) {
    s->D = dalloc(s, nz);
    s->K = dalloc(s, nz);
    if (!s->D || !s->K)
      return MN_NUM_ENOMEM;
    int len[3] = {s->nx, s->ny, s->nz};
    int lines[3] = {s->nz, s->nz, 1};
    for (int x = 0; x < 3; x++) {
      axis_layered *L = &s->ax[x];
      size_t n = (size_t)len[x] * (size_t)lines[x];
      L->lo = dalloc(s, n);
      L->dg = dalloc(s, n);
      L->up = dalloc(s, n);
      L->Lc = dalloc(s, n);
      L->r = dalloc(s, n);
      L->cp = dalloc(s, n);
      L->zv = dalloc(s, n);
      L->q = dalloc(s, (size_t)lines[x]);
      L->den = dalloc(s, (size_t)lines[x]);
      if (!L->lo || !L->dg || !L->up || !L->Lc || !L->r || !L->cp || !L->zv || !L->q || !L->den)
        return MN_NUM_ENOMEM;
    }
  } else {
    for (int x = 0; x < 3; x++) {
      s->wm[x] = falloc(s, s->nvox);
      s->wp[x] = falloc(s, s->nvox);
      if (!s->wm[x] || !s->wp[x])
        return MN_NUM_ENOMEM;
    }
    s->mark = mn_mem_alloc(&s->alloc, s->nvox);
    if (!s->mark)
      return MN_NUM_ENOMEM;
    memset(s->mark, 0, s->nvox);
  }
  if (s->react_voxel) {
    s->lam_v = falloc(s, s->nvox);
    s->src_v = falloc(s, s->nvox);
    s->E_v = falloc(s, s->nvox);
    s->S_v = falloc(s, s->nvox);
    if (!s->lam_v || !s->src_v || !s->E_v || !s->S_v)
      return MN_NUM_ENOMEM;
  }
  /* Scratch: one bundle of the largest sweep per thread. */
  size_t lanes = (size_t)s->nx > MN_LOD_XBLOCK ? (size_t)s->nx : MN_LOD_XBLOCK;
  s->scr_n = nmax;
  s->scr_lanes = lanes;
  s->scr = mn_mem_alloc(&s->alloc, (size_t)s->nth * sizeof(scratch));
  if (!s->scr)
    return MN_NUM_ENOMEM;
  memset(s->scr, 0, (size_t)s->nth * sizeof(scratch));
  for (int t = 0; t < s->nth; t++) {
    scratch *c = &s->scr[t];
    size_t big = nmax * lanes;
    c->lo = dalloc(s, big);
    c->dg = dalloc(s, big);
    c->up = dalloc(s, big);
    c->zv = dalloc(s, big);
    c->d = dalloc(s, big);
    c->blk = dalloc(s, big);
    c->q = dalloc(s, lanes);
    c->den = dalloc(s, lanes);
    c->f = dalloc(s, lanes);
    if (!c->lo || !c->dg || !c->up || !c->zv || !c->d || !c->blk || !c->q || !c->den || !c->f)
      return MN_NUM_ENOMEM;
  }
  return MN_NUM_OK;
}

static void column_boundaries(mn_lod *s, const mn_lod_params *p, size_t c);

static void setup_boundaries(mn_lod *s, const mn_lod_params *p) {
  for (size_t c = 0; c < s->plane; c++)
    column_boundaries(s, p, c);
}

/* Per-voxel face weights for the general path: flux through the + face of
 * voxel v along an axis is wm[v] * c_v - wp[v] * c_next. */
static void voxel_weights(mn_lod *s, const mn_lod_params *p, int i, int j, int k) {
  const double *dz = mn_grid_dz(s->g);
  const double dx = mn_grid_dx(s->g), dy = mn_grid_dy(s->g);
  const int nx = s->nx, ny = s->ny, nz = s->nz;
  size_t v = ((size_t)k * (size_t)ny + (size_t)j) * (size_t)nx + (size_t)i;
  double D = coef_at(p->D_voxel, p->D_layer, 0.0, v, k);
  double K = coef_at(p->K_voxel, p->K_layer, 1.0, v, k);
  const double DK = D * K, iK = 1.0 / K;
  int nbr[3];
  size_t vn[3];
  nbr[0] = (i + 1 < nx) || s->px;
  vn[0] = (i + 1 < nx) ? v + 1 : v + 1 - (size_t)nx;
  nbr[1] = (j + 1 < ny) || s->py;
  vn[1] = (j + 1 < ny) ? v + (size_t)nx : v + (size_t)nx - s->plane;
  nbr[2] = k + 1 < nz;
  vn[2] = v + s->plane;
  for (int x = 0; x < 3; x++) {
    double wm = 0.0, wp = 0.0;
    if (nbr[x]) {
      int kn = (x == 2) ? k + 1 : k;
      double Dn = coef_at(p->D_voxel, p->D_layer, 0.0, vn[x], kn);
      double Kn = coef_at(p->K_voxel, p->K_layer, 1.0, vn[x], kn);
      double ha = (x == 0) ? dx : (x == 1) ? dy : dz[k];
      double hb = (x == 0) ? dx : (x == 1) ? dy : dz[kn];
      /* face_g in one division: 2 DKa DKb / (ha DKb + hb DKa) */
      double DKn = Dn * Kn;
      if (DK > 0.0 && DKn > 0.0) {
        double gf = 2.0 * DK * DKn / (ha * DKn + hb * DK);
        wm = gf * iK;
        wp = gf / Kn;
      }
    }
    s->wm[x][v] = (float)wm;
    s->wp[x][v] = (float)wp;
  }
}

static void setup_weights(mn_lod *s, const mn_lod_params *p) {
  const int nx = s->nx, ny = s->ny, nz = s->nz;
#pragma omp parallel for schedule(static) num_threads(s->nth)
  for (int k = 0; k < nz; k++)
    for (int j = 0; j < ny; j++)
      for (int i = 0; i < nx; i++)
        voxel_weights(s, p, i, j, k);
}

/* Boundary coefficients of one column (top and bottom). */
static void column_boundaries(mn_lod *s, const mn_lod_params *p, size_t c) {
  const double *dz = mn_grid_dz(s->g);
  const size_t bottom = (size_t)(s->nz - 1) * s->plane;
  double D0 = coef_at(p->D_voxel, p->D_layer, 0.0, c, 0);
  double K0 = coef_at(p->K_voxel, p->K_layer, 1.0, c, 0);
  double Dn = coef_at(p->D_voxel, p->D_layer, 0.0, bottom + c, s->nz - 1);
  double Kn = coef_at(p->K_voxel, p->K_layer, 1.0, bottom + c, s->nz - 1);
  const mn_bc *bt = &p->bc_top, *bb = &p->bc_bottom;
  double vt = bt->value_map ? bt->value_map[c] : bt->value;
  double vb = bb->value_map ? bb->value_map[c] : bb->value;
  if (bt->kind == MN_BC_FLUX) {
    s->top_in[c] = vt;
    s->top_dgc[c] = 0.0;
  } else {
    double gt = bnd_g(bt, dz[0], D0 * K0);
    s->top_in[c] = gt * vt;
    s->top_dgc[c] = gt / K0;
  }
  if (bb->kind == MN_BC_FLUX) {
    s->bot_in[c] = vb;
    s->bot_dgc[c] = 0.0;
  } else {
    double gb = bnd_g(bb, dz[s->nz - 1], Dn * Kn);
    s->bot_in[c] = gb * vb;
    s->bot_dgc[c] = gb / Kn;
  }
}

int mn_lod_create(mn_lod **out, const mn_grid *g, const mn_lod_params *p, char *err,
                  size_t errlen) {
  if (!out || !g || !p) {
    mn_num_errf(err, errlen, "lod: NULL argument");
    return MN_NUM_EINVAL;
  }
  *out = NULL;
  int rc = validate(g, p, err, errlen);
  if (rc)
    return rc;
  const mn_alloc *a = mn_grid_alloc(g);
  mn_lod *s = mn_mem_alloc(a, sizeof *s);
  if (!s) {
    mn_num_errf(err, errlen, "lod: out of memory");
    return MN_NUM_ENOMEM;
  }
  memset(s, 0, sizeof *s);
  s->g = g;
  s->alloc = *a;
  s->nx = mn_grid_nx(g);
  s->ny = mn_grid_ny(g);
  s->nz = mn_grid_nz(g);
  s->plane = (size_t)s->nx * (size_t)s->ny;
  s->nvox = mn_grid_nvox(g);
  s->scheme = p->scheme;
  s->theta = (p->scheme == MN_SCHEME_STRANG_CN) ? 0.5 : 1.0;
  s->nth = p->nthreads > 0 ? p->nthreads : omp_get_max_threads();
  s->layered = !p->D_voxel && !p->K_voxel;
  s->react_voxel = p->decay_voxel || p->source_voxel;
  s->has_react = s->react_voxel || p->decay_layer || p->source_layer;
  s->px = p->bc_x.kind == MN_BC_PERIODIC;
  s->py = p->bc_y.kind == MN_BC_PERIODIC;
  if (alloc_all(s)) {
    mn_lod_destroy(&s);
    mn_num_errf(err, errlen, "lod: out of memory for %zu voxels", mn_grid_nvox(g));
    return MN_NUM_ENOMEM;
  }
  setup_boundaries(s, p);
  if (s->layered) {
    for (int k = 0; k < s->nz; k++) {
      s->D[k] = p->D_layer[k];
      s->K[k] = p->K_layer ? p->K_layer[k] : 1.0;
    }
  } else {
    setup_weights(s, p);
  }
  for (int k = 0; k < s->nz; k++) {
    s->lam[k] = p->decay_layer ? p->decay_layer[k] : 0.0;
    s->src[k] = p->source_layer ? p->source_layer[k] : 0.0;
  }
  if (s->react_voxel) {
    for (size_t v = 0; v < s->nvox; v++) {
      int k = (int)(v / s->plane);
      s->lam_v[v] = (float)coef_at(p->decay_voxel, p->decay_layer, 0.0, v, k);
      s->src_v[v] = (float)coef_at(p->source_voxel, p->source_layer, 0.0, v, k);
    }
  }
  *out = s;
  return MN_NUM_OK;
}

/* --------------------------------------------------------- factorisation */

/* Raw layered line operators for tau: x and y lines of layer k, the z line. */
static void layered_raw(mn_lod *s, int axis, double tau) {
  axis_layered *L = &s->ax[axis];
  if (axis < 2) {
    int n = axis == 0 ? s->nx : s->ny;
    int per = axis == 0 ? s->px : s->py;
    double h = axis == 0 ? mn_grid_dx(s->g) : mn_grid_dy(s->g);
    for (int k = 0; k < s->nz; k++) {
      /* uniform layer: g = D K / h, weight g / K = D / h */
      double c = s->D[k] > 0.0 ? tau * s->D[k] / (h * h) : 0.0;
      double *lo = L->lo + (size_t)k * (size_t)n, *dg = L->dg + (size_t)k * (size_t)n,
             *up = L->up + (size_t)k * (size_t)n;
      for (int i = 0; i < n; i++) {
        int has_m = i > 0 || per, has_p = i < n - 1 || per;
        lo[i] = has_m ? c : 0.0;
        up[i] = has_p ? c : 0.0;
        dg[i] = (has_m ? c : 0.0) + (has_p ? c : 0.0);
      }
    }
  } else {
    const double *dz = mn_grid_dz(s->g);
    int n = s->nz;
    for (int k = 0; k < n; k++) {
      L->lo[k] = L->up[k] = 0.0;
      L->dg[k] = 0.0;
    }
    for (int k = 0; k + 1 < n; k++) {
      double gf = face_g(dz[k], s->D[k] * s->K[k], dz[k + 1], s->D[k + 1] * s->K[k + 1]);
      double wm = gf / s->K[k], wp = gf / s->K[k + 1];
      L->up[k] = tau / dz[k] * wp;
      L->dg[k] += tau / dz[k] * wm;
      L->lo[k + 1] = tau / dz[k + 1] * wm;
      L->dg[k + 1] += tau / dz[k + 1] * wp;
    }
    L->dg[0] += tau / dz[0] * s->top_dgc[0];
    L->dg[n - 1] += tau / dz[n - 1] * s->bot_dgc[0];
  }
}

static void layered_factor(mn_lod *s, int axis, double tau) {
  axis_layered *L = &s->ax[axis];
  if (L->tau == tau)
    return;
  layered_raw(s, axis, tau);
  int n = axis == 0 ? s->nx : axis == 1 ? s->ny : s->nz;
  int lines = axis == 2 ? 1 : s->nz;
  int per = axis == 0 ? s->px : axis == 1 ? s->py : 0;
  size_t tot = (size_t)n * (size_t)lines;
  memcpy(L->Lc, L->lo, tot * sizeof(double));
  memcpy(L->r, L->dg, tot * sizeof(double));
  memcpy(L->cp, L->up, tot * sizeof(double));
  for (int m = 0; m < lines; m++) {
    size_t o = (size_t)m * (size_t)n;
    mn_tridiag_factor(n, 1, s->theta, per, L->Lc + o, L->r + o, L->cp + o, L->zv + o, L->q + m,
                      L->den + m);
  }
  L->tau = tau;
}

static void boundary_scale(mn_lod *s, double tau) {
  if (s->bnd_tau == tau)
    return;
  const double *dz = mn_grid_dz(s->g);
  double ct = tau / dz[0], cb = tau / dz[s->nz - 1];
  for (size_t c = 0; c < s->plane; c++) {
    s->top_b[c] = ct * s->top_in[c];
    s->bot_b[c] = cb * s->bot_in[c];
  }
  s->bnd_tau = tau;
}

static void react_factors(mn_lod *s, double tau) {
  if (s->react_tau == tau)
    return;
  for (int k = 0; k < s->nz; k++) {
    double l = s->lam[k];
    s->E[k] = exp(-l * tau);
    s->S[k] = l > 0.0 ? s->src[k] * (-expm1(-l * tau)) / l : s->src[k] * tau;
  }
  if (s->react_voxel) {
    float *E = s->E_v, *S = s->S_v;
    const float *lam = s->lam_v, *src = s->src_v;
#pragma omp parallel for schedule(static) num_threads(s->nth)
    for (int k = 0; k < s->nz; k++) {
      for (size_t v = (size_t)k * s->plane; v < (size_t)(k + 1) * s->plane; v++) {
        double l = lam[v];
        E[v] = (float)exp(-l * tau);
        S[v] = (float)(l > 0.0 ? src[v] * (-expm1(-l * tau)) / l : src[v] * tau);
      }
    }
  }
  s->react_tau = tau;
}

/* ----------------------------------------------------------------- sweeps */

/* General path: raw operator of a bundle from per-voxel weights. The line
 * points are voxels base + i * st (i < n), lanes base + l * sl (l < L). */
static void bundle_raw(const mn_lod *s, int axis, size_t base, ptrdiff_t st, ptrdiff_t sl, int n,
                       int L, double tau, int periodic, scratch *c) {
  const float *wm = s->wm[axis], *wp = s->wp[axis];
  const double *dz = mn_grid_dz(s->g);
  const double h = axis == 0 ? mn_grid_dx(s->g) : mn_grid_dy(s->g);
  for (int i = 0; i < n; i++) {
    double ih = tau / (axis == 2 ? dz[i] : h);
    size_t vi = base + (size_t)((ptrdiff_t)i * st);
    int im = i > 0 ? i - 1 : (periodic ? n - 1 : -1);
    size_t vm = im >= 0 ? base + (size_t)((ptrdiff_t)im * st) : 0;
    double *lo = c->lo + (size_t)i * (size_t)L, *dg = c->dg + (size_t)i * (size_t)L,
           *up = c->up + (size_t)i * (size_t)L;
    for (int l = 0; l < L; l++) {
      size_t o = (size_t)((ptrdiff_t)l * sl);
      double wmp = im >= 0 ? wm[vm + o] : 0.0, wpp = im >= 0 ? wp[vm + o] : 0.0;
      lo[l] = ih * wmp;
      up[l] = ih * wp[vi + o];
      dg[l] = ih * (wpp + wm[vi + o]);
    }
  }
}

static void sweep_z(mn_lod *s, double *u, double tau, int fuse_react) {
  const int nx = s->nx, ny = s->ny, nz = s->nz;
  const ptrdiff_t st = (ptrdiff_t)s->plane;
  const double theta = s->theta;
  boundary_scale(s, tau);
  if (s->layered)
    layered_factor(s, 2, tau);
  const double *E = (fuse_react && s->has_react) ? s->E : s->ones;
  const double *S = (fuse_react && s->has_react) ? s->S : s->zeros;
  const int vox_react = fuse_react && s->react_voxel;
  const double *dz = mn_grid_dz(s->g);
  const size_t last = (size_t)(nz - 1) * s->plane;
#pragma omp parallel num_threads(s->nth)
  {
    scratch *c = &s->scr[omp_get_thread_num()];
    double acc_top = 0.0, acc_bot = 0.0;
#pragma omp for schedule(static)
    for (int j = 0; j < ny; j++) {
      size_t col0 = (size_t)j * (size_t)nx;
      double *ub = u + col0;
      double old_top = 0.0, old_bot = 0.0;
      if (vox_react) {
        for (int k = 0; k < nz; k++) {
          double *ur = ub + (size_t)k * s->plane;
          const float *Ev = s->E_v + col0 + (size_t)k * s->plane;
          const float *Sv = s->S_v + col0 + (size_t)k * s->plane;
          for (int i = 0; i < nx; i++)
            ur[i] = ur[i] * Ev[i] + Sv[i];
        }
      }
      if (theta < 1.0) {
        for (int i = 0; i < nx; i++) {
          old_top += s->top_dgc[col0 + (size_t)i] * ub[i];
          old_bot += s->bot_dgc[col0 + (size_t)i] * ub[last + (size_t)i];
        }
        if (s->layered)
          mn_tridiag_explicit(ub, st, nz, nx, s->ax[2].lo, s->ax[2].dg, s->ax[2].up, 0, theta, 0,
                              c->d);
        else {
          bundle_raw(s, 2, col0, st, 1, nz, nx, tau, 0, c);
          for (int i = 0; i < nx; i++) {
            c->dg[i] += tau / dz[0] * s->top_dgc[col0 + (size_t)i];
            c->dg[(size_t)(nz - 1) * (size_t)nx + (size_t)i] +=
                tau / dz[nz - 1] * s->bot_dgc[col0 + (size_t)i];
          }
          mn_tridiag_explicit(ub, st, nz, nx, c->lo, c->dg, c->up, 1, theta, 0, c->d);
        }
        for (int k = 0; k < nz; k++)
          memcpy(ub + (size_t)k * s->plane, c->d + (size_t)k * (size_t)nx,
                 (size_t)nx * sizeof(double));
      } else if (!s->layered) {
        bundle_raw(s, 2, col0, st, 1, nz, nx, tau, 0, c);
        for (int i = 0; i < nx; i++) {
          c->dg[i] += tau / dz[0] * s->top_dgc[col0 + (size_t)i];
          c->dg[(size_t)(nz - 1) * (size_t)nx + (size_t)i] +=
              tau / dz[nz - 1] * s->bot_dgc[col0 + (size_t)i];
        }
      }
      if (s->layered) {
        const axis_layered *L = &s->ax[2];
        mn_tridiag_solve_shared(ub, st, nz, nx, L->Lc, L->r, L->cp, vox_react ? s->ones : E,
                                vox_react ? s->zeros : S, s->top_b + col0, s->bot_b + col0);
      } else {
        mn_tridiag_factor(nz, nx, theta, 0, c->lo, c->dg, c->up, NULL, NULL, NULL);
        if (!vox_react && (E != s->ones)) {
          for (int k = 0; k < nz; k++) {
            double *ur = ub + (size_t)k * s->plane;
            for (int i = 0; i < nx; i++)
              ur[i] = ur[i] * E[k] + S[k];
          }
        }
        mn_tridiag_solve_lanes(ub, st, nz, nx, c->lo, c->dg, c->up, s->top_b + col0,
                               s->bot_b + col0);
      }
      /* What crossed the boundaries in this sweep, as the scheme applied it:
       * inward flux in - dgc * (theta u_new + (1 - theta) u_old). */
      double in_top = 0.0, in_bot = 0.0, new_top = 0.0, new_bot = 0.0;
      for (int i = 0; i < nx; i++) {
        size_t cc = col0 + (size_t)i;
        in_top += s->top_in[cc];
        in_bot += s->bot_in[cc];
        new_top += s->top_dgc[cc] * ub[i];
        new_bot += s->bot_dgc[cc] * ub[last + (size_t)i];
      }
      acc_top += tau * (in_top - theta * new_top - (1.0 - theta) * old_top);
      acc_bot += tau * (in_bot - theta * new_bot - (1.0 - theta) * old_bot);
    }
#pragma omp atomic
    s->amt_top += acc_top;
#pragma omp atomic
    s->amt_bot += acc_bot;
  }
}

static void sweep_y(mn_lod *s, double *u, double tau) {
  const int nx = s->nx, ny = s->ny, nz = s->nz;
  const double theta = s->theta;
  const int per = s->py;
  if (s->layered)
    layered_factor(s, 1, tau);
#pragma omp parallel num_threads(s->nth)
  {
    scratch *c = &s->scr[omp_get_thread_num()];
#pragma omp for schedule(static)
    for (int k = 0; k < nz; k++) {
      size_t base = (size_t)k * s->plane;
      double *ub = u + base;
      size_t lo = (size_t)k * (size_t)ny;
      const axis_layered *L = &s->ax[1];
      if (!s->layered)
        bundle_raw(s, 1, base, nx, 1, ny, nx, tau, per, c);
      if (theta < 1.0) {
        if (s->layered)
          mn_tridiag_explicit(ub, nx, ny, nx, L->lo + lo, L->dg + lo, L->up + lo, 0, theta, per,
                              c->d);
        else
          mn_tridiag_explicit(ub, nx, ny, nx, c->lo, c->dg, c->up, 1, theta, per, c->d);
        memcpy(ub, c->d, s->plane * sizeof(double));
      }
      if (s->layered) {
        mn_tridiag_solve_shared(ub, nx, ny, nx, L->Lc + lo, L->r + lo, L->cp + lo, s->ones,
                                s->zeros, NULL, NULL);
        if (per)
          mn_tridiag_periodic_fix(ub, nx, ny, nx, L->zv + lo, L->q + k, L->den + k, 0, c->f);
      } else {
        mn_tridiag_factor(ny, nx, theta, per, c->lo, c->dg, c->up, c->zv, c->q, c->den);
        mn_tridiag_solve_lanes(ub, nx, ny, nx, c->lo, c->dg, c->up, NULL, NULL);
        if (per)
          mn_tridiag_periodic_fix(ub, nx, ny, nx, c->zv, c->q, c->den, 1, c->f);
      }
    }
  }
}

static void sweep_x(mn_lod *s, double *u, double tau) {
  const int nx = s->nx, ny = s->ny, nz = s->nz;
  const double theta = s->theta;
  const int per = s->px;
  if (s->layered)
    layered_factor(s, 0, tau);
  const int nblk = (ny + MN_LOD_XBLOCK - 1) / MN_LOD_XBLOCK;
#pragma omp parallel num_threads(s->nth)
  {
    scratch *c = &s->scr[omp_get_thread_num()];
#pragma omp for schedule(static) collapse(2)
    for (int k = 0; k < nz; k++) {
      for (int b = 0; b < nblk; b++) {
        const int j0 = b * MN_LOD_XBLOCK;
        const int L = (ny - j0) < MN_LOD_XBLOCK ? (ny - j0) : MN_LOD_XBLOCK;
        const size_t row0 = (size_t)k * s->plane + (size_t)j0 * (size_t)nx;
        double *T = c->blk;
        /* Transpose the block so lanes (rows) are contiguous, four points of
         * a row at a time (fewer cache lines of the block in flight). */
        {
          const double *ub0 = u + row0;
          int i = 0;
          for (; i + 4 <= nx; i += 4) {
            for (int l = 0; l < L; l++) {
              const double *ur = ub0 + (size_t)l * (size_t)nx + (size_t)i;
              double *t = T + (size_t)i * (size_t)L + (size_t)l;
              t[0] = ur[0];
              t[L] = ur[1];
              t[(size_t)2 * (size_t)L] = ur[2];
              t[(size_t)3 * (size_t)L] = ur[3];
            }
          }
          for (; i < nx; i++)
            for (int l = 0; l < L; l++)
              T[(size_t)i * (size_t)L + (size_t)l] = ub0[(size_t)l * (size_t)nx + (size_t)i];
        }
        const axis_layered *A = &s->ax[0];
        size_t lo = (size_t)k * (size_t)nx;
        if (!s->layered)
          bundle_raw(s, 0, row0, 1, nx, nx, L, tau, per, c);
        if (theta < 1.0) {
          if (s->layered)
            mn_tridiag_explicit(T, L, nx, L, A->lo + lo, A->dg + lo, A->up + lo, 0, theta, per,
                                c->d);
          else
            mn_tridiag_explicit(T, L, nx, L, c->lo, c->dg, c->up, 1, theta, per, c->d);
          memcpy(T, c->d, (size_t)nx * (size_t)L * sizeof(double));
        }
        if (s->layered) {
          mn_tridiag_solve_shared(T, L, nx, L, A->Lc + lo, A->r + lo, A->cp + lo, s->ones, s->zeros,
                                  NULL, NULL);
          if (per)
            mn_tridiag_periodic_fix(T, L, nx, L, A->zv + lo, A->q + k, A->den + k, 0, c->f);
        } else {
          mn_tridiag_factor(nx, L, theta, per, c->lo, c->dg, c->up, c->zv, c->q, c->den);
          mn_tridiag_solve_lanes(T, L, nx, L, c->lo, c->dg, c->up, NULL, NULL);
          if (per)
            mn_tridiag_periodic_fix(T, L, nx, L, c->zv, c->q, c->den, 1, c->f);
        }
        for (int l = 0; l < L; l++) {
          double *ur = u + row0 + (size_t)l * (size_t)nx;
          for (int i = 0; i < nx; i++)
            ur[i] = T[(size_t)i * (size_t)L + (size_t)l];
        }
      }
    }
  }
}

/* Separate reaction pass (Strang): u -> u E + S. */
static void react_pass(mn_lod *s, double *u) {
  const size_t plane = s->plane;
#pragma omp parallel for schedule(static) num_threads(s->nth)
  for (int k = 0; k < s->nz; k++) {
    double *ur = u + (size_t)k * plane;
    if (s->react_voxel) {
      const float *E = s->E_v + (size_t)k * plane, *S = s->S_v + (size_t)k * plane;
      for (size_t v = 0; v < plane; v++)
        ur[v] = ur[v] * E[v] + S[v];
    } else {
      const double e = s->E[k], sv = s->S[k];
      for (size_t v = 0; v < plane; v++)
        ur[v] = ur[v] * e + sv;
    }
  }
}

int mn_lod_step(mn_lod *s, mn_field *f, double dt, char *err, size_t errlen) {
  if (!s || !f) {
    mn_num_errf(err, errlen, "lod step: NULL argument");
    return MN_NUM_EINVAL;
  }
  if (mn_field_grid(f) != s->g) {
    mn_num_errf(err, errlen, "lod step: field is on another grid");
    return MN_NUM_EMISMATCH;
  }
  if (!(dt > 0.0) || !isfinite(dt)) {
    mn_num_errf(err, errlen, "lod step: dt must be finite and > 0 (got %g)", dt);
    return MN_NUM_EINVAL;
  }
  double *u = mn_field_data(f);
  s->amt_top = 0.0;
  s->amt_bot = 0.0;
  if (s->scheme == MN_SCHEME_LOD_BE) {
    if (s->has_react)
      react_factors(s, dt);
    sweep_z(s, u, dt, 1);
    sweep_y(s, u, dt);
    sweep_x(s, u, dt);
  } else {
    double h = 0.5 * dt;
    if (s->has_react) {
      react_factors(s, h);
      react_pass(s, u);
    }
    sweep_z(s, u, h, 0);
    sweep_y(s, u, h);
    sweep_x(s, u, dt);
    sweep_y(s, u, h);
    sweep_z(s, u, h, 0);
    if (s->has_react)
      react_pass(s, u);
  }
  return MN_NUM_OK;
}

int mn_lod_boundary_flux(const mn_lod *s, const mn_field *f, int face, double *flux, char *err,
                         size_t errlen) {
  if (!s || !f || !flux || (face != 0 && face != 1)) {
    mn_num_errf(err, errlen, "lod flux: bad argument");
    return MN_NUM_EINVAL;
  }
  if (mn_field_grid(f) != s->g) {
    mn_num_errf(err, errlen, "lod flux: field is on another grid");
    return MN_NUM_EMISMATCH;
  }
  const double *u = mn_field_cdata(f) + (face ? (size_t)(s->nz - 1) * s->plane : 0);
  const double *in = face ? s->bot_in : s->top_in;
  const double *dgc = face ? s->bot_dgc : s->top_dgc;
  double sum = 0.0;
  for (size_t c = 0; c < s->plane; c++)
    sum += in[c] - dgc[c] * u[c];
  *flux = sum * mn_grid_dx(s->g) * mn_grid_dy(s->g);
  return MN_NUM_OK;
}

int mn_lod_step_boundary_amount(const mn_lod *s, int face, double *amount, char *err,
                                size_t errlen) {
  if (!s || !amount || (face != 0 && face != 1)) {
    mn_num_errf(err, errlen, "lod amount: bad argument");
    return MN_NUM_EINVAL;
  }
  *amount = (face ? s->amt_bot : s->amt_top) * mn_grid_dx(s->g) * mn_grid_dy(s->g);
  return MN_NUM_OK;
}

int mn_lod_update(mn_lod *s, const mn_lod_params *p, char *err, size_t errlen) {
  if (!s || !p) {
    mn_num_errf(err, errlen, "lod update: NULL argument");
    return MN_NUM_EINVAL;
  }
  int rc = validate(s->g, p, err, errlen);
  if (rc)
    return rc;
  int layered = !p->D_voxel && !p->K_voxel;
  int react_voxel = p->decay_voxel || p->source_voxel;
  if (layered != s->layered || (react_voxel && !s->react_voxel) || p->scheme != s->scheme ||
      (p->bc_x.kind == MN_BC_PERIODIC) != s->px || (p->bc_y.kind == MN_BC_PERIODIC) != s->py) {
    mn_num_errf(err, errlen,
                "lod update: coefficient layout, scheme or lateral boundaries differ from create");
    return MN_NUM_EINVAL;
  }
  setup_boundaries(s, p);
  if (s->layered) {
    for (int k = 0; k < s->nz; k++) {
      s->D[k] = p->D_layer[k];
      s->K[k] = p->K_layer ? p->K_layer[k] : 1.0;
    }
  } else {
    setup_weights(s, p);
  }
  for (int k = 0; k < s->nz; k++) {
    s->lam[k] = p->decay_layer ? p->decay_layer[k] : 0.0;
    s->src[k] = p->source_layer ? p->source_layer[k] : 0.0;
  }
  s->has_react = s->react_voxel || p->decay_layer || p->source_layer;
  if (s->react_voxel) {
#pragma omp parallel for schedule(static) num_threads(s->nth)
    for (int k = 0; k < s->nz; k++) {
      for (size_t v = (size_t)k * s->plane; v < (size_t)(k + 1) * s->plane; v++) {
        s->lam_v[v] = (float)coef_at(p->decay_voxel, p->decay_layer, 0.0, v, k);
        s->src_v[v] = (float)coef_at(p->source_voxel, p->source_layer, 0.0, v, k);
      }
    }
  }
  for (int x = 0; x < 3; x++)
    s->ax[x].tau = 0.0;
  s->bnd_tau = 0.0;
  s->react_tau = 0.0;
  return MN_NUM_OK;
}

int mn_lod_update_voxels(mn_lod *s, const mn_lod_params *p, const size_t *vox, size_t n, char *err,
                         size_t errlen) {
  if (!s || !p || (n && !vox)) {
    mn_num_errf(err, errlen, "lod update: NULL argument");
    return MN_NUM_EINVAL;
  }
  if (s->layered || !p->D_voxel) {
    mn_num_errf(err, errlen, "lod update: voxel updates need the per-voxel path and D_voxel");
    return MN_NUM_EINVAL;
  }
  for (size_t q = 0; q < n; q++) {
    size_t v = vox[q];
    if (v >= s->nvox) {
      mn_num_errf(err, errlen, "lod update: voxel %zu out of range", v);
      return MN_NUM_EINVAL;
    }
    double D = p->D_voxel[v], K = p->K_voxel ? p->K_voxel[v] : 1.0;
    if (!isfinite(D) || D < 0.0 || !isfinite(K) || !(K > 0.0)) {
      mn_num_errf(err, errlen, "lod update: voxel %zu out of range or bad coefficients", v);
      return MN_NUM_EINVAL;
    }
  }
  if (n == 0)
    return MN_NUM_OK;
  const int nx = s->nx, ny = s->ny, nz = s->nz;
  const size_t plane = s->plane;
  unsigned char *mark = s->mark;
  size_t lo = SIZE_MAX, hi = 0;
  for (size_t q = 0; q < n; q++) {
    size_t v = vox[q];
    mark[v] = 1;
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  /* A voxel's coefficients enter its own + faces and its - neighbours', so
   * a voxel is redone when it or one of its + neighbours changed: each once,
   * each thread writing only its own voxels' weights. Planes from the one
   * above the first change to the one of the last. */
  const int k0 = (int)(lo / plane) > 0 ? (int)(lo / plane) - 1 : 0, k1 = (int)(hi / plane);
  const int px = s->px, py = s->py;
#pragma omp parallel for schedule(static) collapse(2) num_threads(s->nth) if (n > 1024)
  for (int k = k0; k <= k1; k++) {
    for (int j = 0; j < ny; j++) {
      const size_t row = (size_t)k * plane + (size_t)j * (size_t)nx;
      const int has_y = j + 1 < ny || py;
      const size_t yrow = j + 1 < ny ? row + (size_t)nx : row + (size_t)nx - plane;
      const int has_z = k + 1 < nz;
      for (int i = 0; i < nx; i++) {
        size_t v = row + (size_t)i;
        int need = mark[v];
        if (i + 1 < nx)
          need |= mark[v + 1];
        else if (px)
          need |= mark[row];
        if (has_y)
          need |= mark[yrow + (size_t)i];
        if (has_z)
          need |= mark[v + plane];
        if (need)
          voxel_weights(s, p, i, j, k);
      }
    }
  }
  /* boundary coefficients of the columns whose top or bottom cell changed */
  const size_t bottom = (size_t)(nz - 1) * plane;
  for (size_t c = 0; c < plane; c++)
    if (mark[c] || mark[bottom + c])
      column_boundaries(s, p, c);
  memset(mark + lo, 0, hi - lo + 1);
  s->bnd_tau = 0.0;
  return MN_NUM_OK;
}

int mn_lod_is_layered(const mn_lod *s) {
  return s->layered;
}

double mn_lod_bytes_per_voxel(const mn_lod *s) {
  double b = 0.0;
  if (!s->layered)
    b += 6.0 * sizeof(float) + 1.0;
  if (s->react_voxel)
    b += 4.0 * sizeof(float);
  return b;
}
