/* Skin, healing phase: the starting tissue of normal skin and of the
 * indications. A tissue is set by its niche: per voxel the fibroblast
 * density it holds and the rates at which those fibroblasts make
 * structural collagen and elastin; its steady state follows (collagen =
 * rate * niche / turnover), so an untreated scar or stretch mark stays as it
 * is and what treatment changes is measured against that. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "skin/healing_impl.h"

int mn_healing_condition_from_name(const char *name, mn_healing_condition *c) {
  if (!name || !c)
    return -1;
  if (!strcmp(name, "none") || !strcmp(name, "normal") || !strcmp(name, ""))
    *c = MN_HEALING_NORMAL;
  else if (!strcmp(name, "acne_scar"))
    *c = MN_HEALING_ACNE_SCAR;
  else if (!strcmp(name, "striae"))
    *c = MN_HEALING_STRIAE;
  else
    return -1;
  return 0;
}

/* Sets niche, synthesis rates and the region for condition c. */
static void set_niche(mn_healing *h, mn_healing_condition c) {
  const mn_healing_params *P = &h->P;
  const double *zf = mn_grid_zf(h->g);
  const double dx = mn_grid_dx(h->g), dy = mn_grid_dy(h->g);
  const double wx = h->nx * dx, wy = h->ny * dy;
  const double dermis_top = h->layers.stratum_corneum + h->layers.viable_epidermis;
  for (int j = 0; j < h->ny; j++) {
    for (int i = 0; i < h->nx; i++) {
      size_t col = (size_t)j * h->nx + i;
      double x = (i + 0.5) * dx - 0.5 * wx, y = (j + 0.5) * dy - 0.5 * wy;
      int in = 0;
      if (c == MN_HEALING_ACNE_SCAR)
        in = hypot(x, y) <= P->scar_radius;
      else if (c == MN_HEALING_STRIAE)
        in = fabs(x) <= 0.5 * P->striae_width;
      h->region[col] = (unsigned char)in;
      double epi = h->layers.viable_epidermis;
      if (in && c == MN_HEALING_STRIAE)
        epi *= P->striae_epidermis;
      h->h0[col] = epi;
      for (int k = 0; k < h->nz; k++) {
        size_t v = (size_t)k * h->plane + col;
        int lay = h->layer[k];
        if (lay != HL_PD && lay != HL_RD) {
          h->niche[v] = 1.0;
          h->syn1[v] = h->syn3[v] = h->synE[v] = h->cnorm[v] = 0.0;
          continue;
        }
        double dens = lay == HL_PD ? P->col_density_pd : P->col_density_rd;
        double f3 = lay == HL_PD ? P->col3_frac_pd : P->col3_frac_rd;
        double niche = 1.0, qE = 1.0;
        double zmid = 0.5 * (zf[k] + zf[k + 1]);
        if (in && c == MN_HEALING_ACNE_SCAR && zmid - dermis_top <= P->scar_depth) {
          niche = P->scar_niche;
          f3 = P->scar_col3_frac;
        } else if (in && c == MN_HEALING_STRIAE) {
          niche = P->striae_niche;
          qE = P->striae_elastin / P->striae_niche; /* elastin content striae_elastin */
        }
        h->niche[v] = niche;
        h->cnorm[v] = dens;
        /* per unit fibroblasts: the normal content per normal density */
        h->syn1[v] = P->k1 * dens * (1.0 - f3);
        h->syn3[v] = P->k3 * dens * f3;
        h->synE[v] = P->kE * qE;
      }
    }
  }
  h->condition = c;
}

void mn_healing_fill_baseline(mn_healing *h, hstate *s) {
  const mn_healing_params *P = &h->P;
  for (int q = 0; q < HS_N; q++)
    mn_field_fill(s->f[q], 0.0);
  double *fr = mn_field_data(s->f[HS_FR]), *c1 = mn_field_data(s->f[HS_C1]);
  double *c3 = mn_field_data(s->f[HS_C3S]), *el = mn_field_data(s->f[HS_EL]);
  for (size_t v = 0; v < h->nvox; v++) {
    int lay = h->layer[v / h->plane];
    if (lay != HL_PD && lay != HL_RD)
      continue;
    double fn = h->niche[v];
    fr[v] = fn;
    /* the steady state of dC/dt = syn F - k C with F = Fn */
    c1[v] = h->syn1[v] * fn / P->k1;
    c3[v] = h->syn3[v] * fn / P->k3;
    el[v] = h->synE[v] * fn / P->kE;
  }
  for (size_t c = 0; c < h->plane; c++)
    s->epi[c] = h->h0[c];
}

int mn_healing_set_condition(mn_healing *h, mn_healing_condition c, char *err, size_t errlen) {
  if (!h) {
    snprintf(err, errlen, "healing: NULL argument");
    return MN_SKIN_EINVAL;
  }
  if (h->nwounds > 0 || h->t > 0.0) {
    snprintf(err, errlen, "healing: the condition is the starting tissue; set it before time runs");
    return MN_SKIN_EINVAL;
  }
  if (c != MN_HEALING_NORMAL && c != MN_HEALING_ACNE_SCAR && c != MN_HEALING_STRIAE) {
    snprintf(err, errlen, "healing: unknown condition %d", (int)c);
    return MN_SKIN_EINVAL;
  }
  set_niche(h, c);
  mn_healing_fill_baseline(h, &h->S);
  const double *c1 = mn_field_cdata(h->S.f[HS_C1]), *c3 = mn_field_cdata(h->S.f[HS_C3S]);
  for (size_t v = 0; v < h->nvox; v++)
    h->c_base[v] = c1[v] + c3[v];
  mn_healing_measure(h, &h->S, &h->start);
  return MN_SKIN_OK;
}
