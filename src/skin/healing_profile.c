/*
 * Skin, healing phase: depth profiles; see healing_profile.h. Lateral means
 * over the window, cell by cell in depth, straight from the current state.
 */
#include "skin/healing_profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skin/healing_impl.h"

void mn_healing_profile_free(mn_healing_profile *p) {
  if (p == NULL) {
    return;
  }
  free(p->depth_um);
  free(p->collagen_I);
  free(p->collagen_III);
  free(p->elastin);
  free(p->fibroblasts);
  memset(p, 0, sizeof *p);
}

/* Mean of one species over the plane k (or the sum of two when b >= 0). */
static double plane_mean(const mn_healing *h, int a, int b, int k) {
  const double *fa = mn_field_cdata(h->S.f[a]);
  const double *fb = b >= 0 ? mn_field_cdata(h->S.f[b]) : NULL;
  size_t off = (size_t)k * h->plane;
  double s = 0.0;
  for (size_t c = 0; c < h->plane; c++) {
    s += fa[off + c] + (fb ? fb[off + c] : 0.0);
  }
  return s / (double)h->plane;
}

int mn_healing_profile_now(const mn_healing *h, mn_healing_profile *p, char *err, size_t errlen) {
  memset(p, 0, sizeof *p);
  if (h == NULL) {
    snprintf(err, errlen, "healing profile: no tissue");
    return -1;
  }
  size_t n = (size_t)h->nz;
  p->depth_um = malloc(n * sizeof *p->depth_um);
  p->collagen_I = malloc(n * sizeof *p->collagen_I);
  p->collagen_III = malloc(n * sizeof *p->collagen_III);
  p->elastin = malloc(n * sizeof *p->elastin);
  p->fibroblasts = malloc(n * sizeof *p->fibroblasts);
  if (!p->depth_um || !p->collagen_I || !p->collagen_III || !p->elastin || !p->fibroblasts) {
    mn_healing_profile_free(p);
    snprintf(err, errlen, "out of memory");
    return -2;
  }
  p->nz = h->nz;
  p->t_days = h->t;
  const double *zc = mn_grid_zc(h->g);
  for (int k = 0; k < h->nz; k++) {
    p->depth_um[k] = zc[k] * 1e6;
    p->collagen_I[k] = plane_mean(h, HS_C1, -1, k);
    p->collagen_III[k] = plane_mean(h, HS_C3N, HS_C3S, k);
    p->elastin[k] = plane_mean(h, HS_EL, -1, k);
    p->fibroblasts[k] = plane_mean(h, HS_FR, HS_FA, k);
  }
  return 0;
}
