/* Skin, acute phase: rasterising punctures into channel entries (see
 * channels.h). Runs once per session; the time loop only walks the entries. */
#include "skin/channels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sub-samples per voxel edge for the lateral area fraction. */
#define MN_CH_SUB 6
#define MN_CH_PI 3.14159265358979323846

static int inside(const mn_skin_punctures *p, size_t i, double x0, double y0, double wx,
                  double wy) {
  double x = p->x_mm[i] * 1e-3 - x0, y = p->y_mm[i] * 1e-3 - y0;
  return x >= 0.0 && x < wx && y >= 0.0 && y < wy && p->depth_um[i] > 0.0 && p->radius_um[i] > 0.0;
}

double mn_channels_max_depth(const mn_skin_punctures *p, double x0, double y0, double wx,
                             double wy) {
  double d = 0.0;
  for (size_t i = 0; i < p->n; i++)
    if (inside(p, i, x0, y0, wx, wy) && p->depth_um[i] * 1e-6 > d)
      d = p->depth_um[i] * 1e-6;
  return d;
}

void mn_channels_free(mn_channels *ch) {
  free(ch->depth);
  free(ch->t_open);
  free(ch->o);
  free(ch->b);
  free(ch->vol_lumen);
  free(ch->vol_seal);
  free(ch->area);
  free(ch->opened);
  free(ch->start);
  free(ch->ev);
  free(ch->phi);
  free(ch->seal);
  free(ch->gf_seal);
  free(ch->gf_lumen);
  free(ch->w);
  free(ch->ch_of);
  free(ch->uv);
  free(ch->ustart);
  free(ch->slot);
  free(ch->ev32);
  memset(ch, 0, sizeof *ch);
}

static int cmp_size(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return (x > y) - (x < y);
}

/* The voxel index of the entries (see channels.h): counting sort of the
 * entries by their rank among the sorted distinct voxels, which keeps the
 * entries of each voxel in ascending order. */
static int index_voxels(mn_channels *ch, const mn_grid *g) {
  const size_t nent = ch->nent, m = nent ? nent : 1;
  const size_t plane = (size_t)mn_grid_nx(g) * (size_t)mn_grid_ny(g);
  const double *dz = mn_grid_dz(g);
  ch->w = malloc(m * sizeof(double));
  ch->ev32 = malloc(m * sizeof(uint32_t));
  ch->ch_of = malloc(m * sizeof(size_t));
  ch->uv = malloc(m * sizeof(size_t));
  ch->slot = malloc(m * sizeof(mn_slot));
  size_t *rank = malloc(m * sizeof(size_t));
  if (!ch->w || !ch->ev32 || !ch->ch_of || !ch->uv || !ch->slot || !rank) {
    free(rank);
    return -1;
  }
  for (size_t c = 0; c < ch->n; c++) {
    for (size_t e = ch->start[c]; e < ch->start[c + 1]; e++) {
      ch->ch_of[e] = c;
      ch->w[e] = ch->phi[e] * dz[ch->ev[e] / plane];
      ch->ev32[e] = (uint32_t)ch->ev[e];
    }
  }
  if (nent)
    memcpy(ch->uv, ch->ev, nent * sizeof(size_t));
  qsort(ch->uv, nent, sizeof(size_t), cmp_size);
  size_t nu = 0;
  for (size_t e = 0; e < nent; e++)
    if (nu == 0 || ch->uv[e] != ch->uv[nu - 1])
      ch->uv[nu++] = ch->uv[e];
  ch->nu = nu;
  ch->ustart = calloc(nu + 1, sizeof(size_t));
  if (!ch->ustart) {
    free(rank);
    return -1;
  }
  for (size_t e = 0; e < nent; e++) {
    const size_t *hit = bsearch(&ch->ev[e], ch->uv, nu, sizeof(size_t), cmp_size);
    rank[e] = (size_t)(hit - ch->uv);
    ch->ustart[rank[e] + 1]++;
  }
  for (size_t u = 0; u < nu; u++)
    ch->ustart[u + 1] += ch->ustart[u];
  size_t *next = malloc((nu ? nu : 1) * sizeof(size_t));
  if (!next) {
    free(rank);
    return -1;
  }
  memcpy(next, ch->ustart, nu * sizeof(size_t));
  for (size_t e = 0; e < nent; e++) {
    size_t slot = next[rank[e]]++;
    ch->slot[slot].part = (uint32_t)(2 * ch->ch_of[e] + ch->seal[e]);
    ch->slot[slot].phi = (float)ch->phi[e];
  }
  free(next);
  free(rank);
  return 0;
}

typedef struct col {
  int i, j;
  double a; /* area fraction of the column */
} col;

int mn_channels_build(mn_channels *ch, const mn_grid *g, const mn_skin_punctures *p, double x0,
                      double y0, double z_seal, char *err, size_t errlen) {
  memset(ch, 0, sizeof *ch);
  /* the compact per-step arrays index channels and voxels in 32 bits */
  if (p->n >= UINT32_MAX / 2 || mn_grid_nvox(g) >= UINT32_MAX) {
    snprintf(err, errlen, "acute: too many punctures (%zu) or voxels (%zu)", p->n, mn_grid_nvox(g));
    return MN_SKIN_EINVAL;
  }
  const int nx = mn_grid_nx(g), ny = mn_grid_ny(g), nz = mn_grid_nz(g);
  const double dx = mn_grid_dx(g), dy = mn_grid_dy(g);
  const double wx = nx * dx, wy = ny * dy;
  const double *zf = mn_grid_zf(g), *dz = mn_grid_dz(g);
  size_t n = 0, nent = 0;
  for (size_t i = 0; i < p->n; i++)
    n += (size_t)inside(p, i, x0, y0, wx, wy);
  size_t cap = 0;
  ch->n = n;
  size_t m = n ? n : 1;
  ch->depth = calloc(m, sizeof(double));
  ch->t_open = calloc(m, sizeof(double));
  ch->o = calloc(m, sizeof(double));
  ch->b = calloc(m, sizeof(double));
  ch->vol_lumen = calloc(m, sizeof(double));
  ch->vol_seal = calloc(m, sizeof(double));
  ch->area = calloc(m, sizeof(double));
  ch->opened = calloc(m, sizeof(int));
  ch->start = calloc(m + 1, sizeof(size_t));
  if (!ch->depth || !ch->t_open || !ch->o || !ch->b || !ch->vol_lumen || !ch->vol_seal ||
      !ch->area || !ch->opened || !ch->start)
    goto nomem;
  size_t c = 0;
  for (size_t i = 0; i < p->n; i++) {
    if (!inside(p, i, x0, y0, wx, wy))
      continue;
    const double xc = p->x_mm[i] * 1e-3 - x0, yc = p->y_mm[i] * 1e-3 - y0;
    const double r = p->radius_um[i] * 1e-6, d = p->depth_um[i] * 1e-6;
    ch->depth[c] = d;
    ch->t_open[c] = p->time_s ? p->time_s[i] : 0.0;
    ch->area[c] = MN_CH_PI * r * r;
    /* columns the disc touches, with sampled area fractions */
    int i0 = (int)floor((xc - r) / dx), i1 = (int)floor((xc + r) / dx);
    int j0 = (int)floor((yc - r) / dy), j1 = (int)floor((yc + r) / dy);
    size_t ncol_max = (size_t)(i1 - i0 + 1) * (size_t)(j1 - j0 + 1);
    col *cols = malloc(ncol_max * sizeof(col));
    if (!cols)
      goto nomem;
    size_t ncol = 0;
    double asum = 0.0;
    for (int jj = j0; jj <= j1; jj++) {
      for (int ii = i0; ii <= i1; ii++) {
        int hit = 0;
        for (int sj = 0; sj < MN_CH_SUB; sj++) {
          for (int si = 0; si < MN_CH_SUB; si++) {
            double px = (ii + (si + 0.5) / MN_CH_SUB) * dx - xc;
            double py = (jj + (sj + 0.5) / MN_CH_SUB) * dy - yc;
            hit += px * px + py * py <= r * r;
          }
        }
        if (!hit)
          continue;
        cols[ncol].i = ((ii % nx) + nx) % nx;
        cols[ncol].j = ((jj % ny) + ny) % ny;
        cols[ncol].a = (double)hit / (MN_CH_SUB * MN_CH_SUB);
        asum += cols[ncol].a;
        ncol++;
      }
    }
    if (ncol == 0) { /* a channel thinner than the sampling: its own column */
      cols[0].i = ((int)floor(xc / dx) % nx + nx) % nx;
      cols[0].j = ((int)floor(yc / dy) % ny + ny) % ny;
      cols[0].a = 1.0;
      asum = 1.0;
      ncol = 1;
    }
    /* keep the true cross-section */
    double scale = ch->area[c] / (asum * dx * dy);
    int kmax = 0;
    while (kmax < nz && zf[kmax] < d)
      kmax++;
    size_t need = nent + ncol * (size_t)kmax;
    if (need > cap) {
      size_t nc = cap ? cap : 1024;
      while (nc < need)
        nc *= 2;
      size_t *ev = realloc(ch->ev, nc * sizeof(size_t));
      if (ev)
        ch->ev = ev;
      double *phi = realloc(ch->phi, nc * sizeof(double));
      if (phi)
        ch->phi = phi;
      unsigned char *seal = realloc(ch->seal, nc);
      if (seal)
        ch->seal = seal;
      if (!ev || !phi || !seal) {
        free(cols);
        goto nomem;
      }
      cap = nc;
    }
    ch->start[c] = nent;
    for (int k = 0; k < kmax; k++) {
      double fz = (fmin(zf[k + 1], d) - zf[k]) / dz[k];
      int is_seal = 0.5 * (zf[k] + zf[k + 1]) < z_seal;
      for (size_t q = 0; q < ncol; q++) {
        double phi = fmin(1.0, cols[q].a * scale) * fz;
        ch->ev[nent] = mn_grid_index(g, cols[q].i, cols[q].j, k);
        ch->phi[nent] = phi;
        ch->seal[nent] = (unsigned char)is_seal;
        double vol = phi * dx * dy * dz[k];
        if (is_seal)
          ch->vol_seal[c] += vol;
        else
          ch->vol_lumen[c] += vol;
        nent++;
      }
    }
    free(cols);
    c++;
  }
  ch->start[n] = nent;
  ch->nent = nent;
  ch->gf_seal = calloc(m, sizeof(double));
  ch->gf_lumen = calloc(m, sizeof(double));
  if (!ch->gf_seal || !ch->gf_lumen || index_voxels(ch, g))
    goto nomem;
  return MN_SKIN_OK;
nomem:
  mn_channels_free(ch);
  snprintf(err, errlen, "acute: out of memory for channels");
  return MN_SKIN_ENOMEM;
}
