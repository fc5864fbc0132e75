/* Skin, healing phase: carrying the acute stage's fields onto the healing
 * grid. The acute grid is fine laterally and stops a little below the
 * deepest channel; the healing grid is coarse laterally and reaches the
 * bottom of the dermis. Cell averages are mapped by overlap (separably in x,
 * y, z), which conserves the amount inside the overlap; healing cells below
 * the acute grid receive nothing, as nothing was released there. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "skin/healing_impl.h"

/* Weights of source cells in each destination cell: for destination d,
 * entries start[d] .. start[d+1]-1 of (src, w), w = overlap / width of d. */
typedef struct overlap {
  size_t *start, *src;
  double *w;
} overlap;

static void overlap_free(overlap *o) {
  free(o->start);
  free(o->src);
  free(o->w);
}

static int overlap_build(int ns, const double *fs, int nd, const double *fd, overlap *o) {
  size_t cap = (size_t)ns + (size_t)nd + 1;
  o->start = malloc(((size_t)nd + 1) * sizeof *o->start);
  o->src = malloc(cap * sizeof *o->src);
  o->w = malloc(cap * sizeof *o->w);
  if (!o->start || !o->src || !o->w)
    return -1;
  size_t n = 0;
  int s = 0;
  for (int d = 0; d < nd; d++) {
    o->start[d] = n;
    double a = fd[d], b = fd[d + 1];
    while (s < ns && fs[s + 1] <= a)
      s++;
    for (int q = s; q < ns && fs[q] < b; q++) {
      double ov = fmin(b, fs[q + 1]) - fmax(a, fs[q]);
      if (ov > 0.0 && n < cap) {
        o->src[n] = (size_t)q;
        o->w[n] = ov / (b - a);
        n++;
      }
    }
  }
  o->start[nd] = n;
  return 0;
}

static double *uniform_faces(int n, double d) {
  double *f = malloc(((size_t)n + 1) * sizeof *f);
  if (f)
    for (int i = 0; i <= n; i++)
      f[i] = i * d;
  return f;
}

int mn_healing_remap(const mn_healing *h, const mn_healing_wound *w, const double *src, double *dst,
                     char *err, size_t errlen) {
  const int sx = w->nx, sy = w->ny, sz = w->nz, dx = h->nx, dy = h->ny, dz = h->nz;
  overlap ox = {0}, oy = {0}, oz = {0};
  double *fsx = uniform_faces(sx, w->dx), *fsy = uniform_faces(sy, w->dy);
  double *fdx = uniform_faces(dx, mn_grid_dx(h->g)), *fdy = uniform_faces(dy, mn_grid_dy(h->g));
  double *t1 = malloc((size_t)sz * sy * dx * sizeof *t1);
  double *t2 = malloc((size_t)sz * dy * dx * sizeof *t2);
  int rc = MN_SKIN_OK;
  if (!fsx || !fsy || !fdx || !fdy || !t1 || !t2 || overlap_build(sx, fsx, dx, fdx, &ox) ||
      overlap_build(sy, fsy, dy, fdy, &oy) || overlap_build(sz, w->zf, dz, mn_grid_zf(h->g), &oz)) {
    snprintf(err, errlen, "healing: out of memory mapping the wound");
    rc = MN_SKIN_ENOMEM;
    goto done;
  }
  for (size_t r = 0; r < (size_t)sz * sy; r++) {
    for (int i = 0; i < dx; i++) {
      double a = 0.0;
      for (size_t e = ox.start[i]; e < ox.start[i + 1]; e++)
        a += ox.w[e] * src[r * sx + ox.src[e]];
      t1[r * dx + i] = a;
    }
  }
  for (int k = 0; k < sz; k++) {
    for (int j = 0; j < dy; j++) {
      for (int i = 0; i < dx; i++) {
        double a = 0.0;
        for (size_t e = oy.start[j]; e < oy.start[j + 1]; e++)
          a += oy.w[e] * t1[((size_t)k * sy + oy.src[e]) * dx + i];
        t2[((size_t)k * dy + j) * dx + i] = a;
      }
    }
  }
  for (int k = 0; k < dz; k++) {
    for (size_t c = 0; c < (size_t)dx * dy; c++) {
      double a = 0.0;
      for (size_t e = oz.start[k]; e < oz.start[k + 1]; e++)
        a += oz.w[e] * t2[oz.src[e] * (size_t)dx * dy + c];
      dst[(size_t)k * dx * dy + c] = a;
    }
  }
done:
  overlap_free(&ox);
  overlap_free(&oy);
  overlap_free(&oz);
  free(fsx);
  free(fsy);
  free(fdx);
  free(fdy);
  free(t1);
  free(t2);
  return rc;
}
