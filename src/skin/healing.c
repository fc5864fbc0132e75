/* Skin, healing phase: the grid, the course clock, wounds, adaptive split
 * steps and what is measured (see healing.h).
 *
 * One split step of dt (days):  D(dt)  C(dt)  R(dt)  E(dt)  (Lie splitting)
 * with R the per-voxel kinetics (exponential predictor-corrector with its
 * own substeps), D implicit LOD diffusion of the two growth factors
 * (backward Euler, periodic laterally, no flux at the top of the viable
 * epidermis and the bottom of the dermis), C the chemotactic transport of
 * activated fibroblasts and E the epidermis per column. The step is
 * controlled by step doubling (first order, the LOD part), so steps are
 * minutes just after a wound and grow to days once it has healed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numerics/adapt.h"
#include "skin/healing_impl.h"

#define S_PER_D 86400.0

/* ------------------------------------------------------------ the grid */

static int build_grid(mn_healing *h, const mn_healing_setup *s, char *err, size_t errlen) {
  const mn_healing_params *P = &h->P;
  const mn_skin_layers *L = &s->layers;
  const int nrd = (int)ceil(L->reticular_dermis / P->rd_cell - 1e-9);
  const int nz = P->ve_cells + P->pd_cells + nrd;
  double *zf = malloc(((size_t)nz + 1) * sizeof *zf);
  h->layer = malloc((size_t)nz * sizeof *h->layer);
  if (!zf || !h->layer) {
    free(zf);
    snprintf(err, errlen, "healing: out of memory");
    return MN_SKIN_ENOMEM;
  }
  const struct {
    int id, n;
    double thick;
  } seg[3] = {{HL_VE, P->ve_cells, L->viable_epidermis},
              {HL_PD, P->pd_cells, L->papillary_dermis},
              {HL_RD, nrd, L->reticular_dermis}};
  int k = 0;
  double top = L->stratum_corneum;
  zf[0] = top;
  for (int q = 0; q < 3; q++) {
    for (int c = 0; c < seg[q].n; c++) {
      h->layer[k] = seg[q].id;
      zf[k + 1] =
          (c == seg[q].n - 1) ? top + seg[q].thick : top + seg[q].thick * (c + 1) / seg[q].n;
      k++;
    }
    top += seg[q].thick;
  }
  const int nx = (int)fmax(3.0, round(s->window_m[0] / P->lateral_cell));
  const int ny = (int)fmax(3.0, round(s->window_m[1] / P->lateral_cell));
  mn_grid_params gp = {
      .nx = nx, .ny = ny, .nz = nz, .dx = s->window_m[0] / nx, .dy = s->window_m[1] / ny, .zf = zf};
  int rc = mn_grid_create(&h->g, &gp, err, errlen);
  free(zf);
  if (rc)
    return MN_SKIN_EINVAL;
  h->nx = nx;
  h->ny = ny;
  h->nz = nz;
  h->plane = (size_t)nx * ny;
  h->nvox = mn_grid_nvox(h->g);
  h->dxy = gp.dx * gp.dy;
  return MN_SKIN_OK;
}

static int state_create(mn_healing *h, hstate *s, char *err, size_t errlen) {
  for (int q = 0; q < HS_N; q++)
    if (mn_field_create(&s->f[q], h->g, err, errlen))
      return MN_SKIN_ENOMEM;
  s->epi = calloc(h->plane, sizeof *s->epi);
  return s->epi ? MN_SKIN_OK : MN_SKIN_ENOMEM;
}

static void state_free(hstate *s) {
  for (int q = 0; q < HS_N; q++)
    mn_field_destroy(&s->f[q]);
  free(s->epi);
  s->epi = NULL;
}

static int state_copy(const mn_healing *h, hstate *dst, const hstate *src) {
  for (int q = 0; q < HS_N; q++)
    if (mn_field_copy(dst->f[q], src->f[q], NULL, 0))
      return MN_SKIN_ENUMERIC;
  memcpy(dst->epi, src->epi, h->plane * sizeof *dst->epi);
  return MN_SKIN_OK;
}

static void state_swap(hstate *a, hstate *b) {
  hstate t = *a;
  *a = *b;
  *b = t;
}

static int make_lod(mn_healing *h, double D, mn_lod **out, char *err, size_t errlen) {
  double *Dl = malloc((size_t)h->nz * sizeof *Dl);
  if (!Dl)
    return MN_SKIN_ENOMEM;
  for (int k = 0; k < h->nz; k++)
    Dl[k] = D;
  mn_lod_params lp = {.scheme = MN_SCHEME_LOD_BE,
                      .D_layer = Dl,
                      .bc_x = {.kind = MN_BC_PERIODIC},
                      .bc_y = {.kind = MN_BC_PERIODIC},
                      .bc_top = {.kind = MN_BC_ZERO_FLUX},
                      .bc_bottom = {.kind = MN_BC_ZERO_FLUX},
                      .nthreads = h->nthreads};
  int rc = mn_lod_create(out, h->g, &lp, err, errlen);
  free(Dl);
  return rc ? MN_SKIN_ENUMERIC : MN_SKIN_OK;
}

void mn_healing_destroy(mn_healing **hp) {
  if (!hp || !*hp)
    return;
  mn_healing *h = *hp;
  state_free(&h->S);
  state_free(&h->A);
  state_free(&h->B);
  mn_lod_destroy(&h->lod_tgf);
  mn_lod_destroy(&h->lod_pdgf);
  free(h->niche);
  free(h->syn1);
  free(h->syn3);
  free(h->synE);
  free(h->cnorm);
  free(h->c_base);
  free(h->h0);
  free(h->region);
  free(h->vx);
  free(h->vy);
  free(h->vz);
  free(h->dfa);
  free(h->layer);
  mn_grid_destroy(&h->g);
  free(h);
  *hp = NULL;
}

int mn_healing_create(mn_healing **out, const mn_healing_setup *s, const mn_params *t, char *err,
                      size_t errlen) {
  if (!out || !s || !t) {
    snprintf(err, errlen, "healing: NULL argument");
    return MN_SKIN_EINVAL;
  }
  *out = NULL;
  const mn_skin_layers *L = &s->layers;
  if (!(s->window_m[0] > 0.0) || !(s->window_m[1] > 0.0) || !(L->viable_epidermis > 0.0) ||
      !(L->papillary_dermis > 0.0) || !(L->reticular_dermis > 0.0) ||
      !(L->stratum_corneum >= 0.0) || s->nthreads < 0) {
    snprintf(err, errlen, "healing: window and layer thicknesses must be > 0");
    return MN_SKIN_EINVAL;
  }
  mn_healing *h = calloc(1, sizeof *h);
  if (!h) {
    snprintf(err, errlen, "healing: out of memory");
    return MN_SKIN_ENOMEM;
  }
  int rc = mn_healing_params_load(t, &h->P, err, errlen);
  if (rc) {
    free(h);
    return rc;
  }
  h->layers = *L;
  h->nthreads = s->nthreads;
  if ((rc = build_grid(h, s, err, errlen)))
    goto fail;
  rc = MN_SKIN_ENOMEM;
  snprintf(err, errlen, "healing: out of memory");
  if (state_create(h, &h->S, err, errlen) || state_create(h, &h->A, err, errlen) ||
      state_create(h, &h->B, err, errlen))
    goto fail;
  double **vox[] = {&h->niche,  &h->syn1, &h->syn3, &h->synE, &h->cnorm,
                    &h->c_base, &h->vx,   &h->vy,   &h->vz,   &h->dfa};
  for (size_t i = 0; i < sizeof vox / sizeof vox[0]; i++)
    if (!(*vox[i] = calloc(h->nvox, sizeof(double))))
      goto fail;
  h->h0 = calloc(h->plane, sizeof *h->h0);
  h->region = calloc(h->plane, 1);
  if (!h->h0 || !h->region)
    goto fail;
  if ((rc = make_lod(h, h->P.tgf_d, &h->lod_tgf, err, errlen)) ||
      (rc = make_lod(h, h->P.pdgf_d, &h->lod_pdgf, err, errlen)))
    goto fail;
  h->dt_next = h->P.dt_max;
  if ((rc = mn_healing_set_condition(h, MN_HEALING_NORMAL, err, errlen)))
    goto fail;
  *out = h;
  return MN_SKIN_OK;
fail:
  mn_healing_destroy(&h);
  return rc;
}

int mn_healing_setup_from_tissue(const mn_tissue *tissue, const mn_skin_layers *layers,
                                 mn_healing_setup *s, char *err, size_t errlen) {
  if (!tissue || !layers || !s) {
    snprintf(err, errlen, "healing: NULL argument");
    return MN_SKIN_EINVAL;
  }
  const mn_grid *g = mn_tissue_grid(tissue);
  memset(s, 0, sizeof *s);
  s->layers = *layers;
  s->window_m[0] = mn_grid_nx(g) * mn_grid_dx(g);
  s->window_m[1] = mn_grid_ny(g) * mn_grid_dy(g);
  return MN_SKIN_OK;
}

int mn_healing_dims(const mn_healing *h, int *nx, int *ny, int *nz) {
  if (!h)
    return MN_SKIN_EINVAL;
  if (nx)
    *nx = h->nx;
  if (ny)
    *ny = h->ny;
  if (nz)
    *nz = h->nz;
  return MN_SKIN_OK;
}

double mn_healing_time(const mn_healing *h) {
  return h ? h->t : 0.0;
}

/* ---------------------------------------------------------- measuring */

void mn_healing_measure(const mn_healing *h, const hstate *s, mn_healing_sample *o) {
  memset(o, 0, sizeof *o);
  o->t_days = h->t;
  const double *dz = mn_grid_dz(h->g);
  const double *y[HS_N];
  for (int q = 0; q < HS_N; q++)
    y[q] = mn_field_cdata(s->f[q]);
  double vol = 0.0, vol_pd = 0.0;
  for (int k = 0; k < h->nz; k++) {
    int lay = h->layer[k];
    if (lay != HL_PD && lay != HL_RD)
      continue;
    double a[8] = {0};
    for (size_t c = 0; c < h->plane; c++) {
      size_t v = (size_t)k * h->plane + c;
      a[0] += y[HS_C1][v];
      a[1] += y[HS_C3S][v] + y[HS_C3N][v];
      a[2] += y[HS_EL][v];
      a[3] += y[HS_FR][v] + y[HS_FA][v];
      a[4] += y[HS_FA][v];
      a[5] += y[HS_TGF][v];
      a[6] += y[HS_PDGF][v];
      a[7] += y[HS_INFL][v];
    }
    double w = dz[k];
    vol += w * (double)h->plane;
    o->collagen_I += w * a[0];
    o->collagen_III += w * a[1];
    o->elastin += w * a[2];
    o->fibroblasts += w * a[3];
    o->fibroblasts_activated += w * a[4];
    o->growth_factor += w * a[5];
    o->pdgf += w * a[6];
    o->inflammation += w * a[7];
    if (lay == HL_PD) {
      vol_pd += w * (double)h->plane;
      o->collagen_I_pd += w * a[0];
      o->collagen_III_pd += w * a[1];
    }
  }
  double *m[] = {&o->collagen_I,  &o->collagen_III,          &o->elastin,
                 &o->fibroblasts, &o->fibroblasts_activated, &o->growth_factor,
                 &o->pdgf,        &o->inflammation};
  for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
    *m[i] /= vol;
  o->collagen_total = o->collagen_I + o->collagen_III;
  if (vol_pd > 0.0) {
    o->collagen_I_pd /= vol_pd;
    o->collagen_III_pd /= vol_pd;
  }
  /* per column: matrix-equivalent dermal thickness and the epidermis */
  double H_in = 0.0, H_out = 0.0, e_in = 0.0, e_out = 0.0, H_all = 0.0, e_all = 0.0;
  size_t n_in = 0, n_out = 0;
  for (size_t c = 0; c < h->plane; c++) {
    double H = 0.0;
    for (int k = 0; k < h->nz; k++) {
      size_t v = (size_t)k * h->plane + c;
      if (h->cnorm[v] > 0.0)
        H += dz[k] * (y[HS_C1][v] + y[HS_C3S][v] + y[HS_C3N][v]) / h->cnorm[v];
    }
    H_all += H;
    e_all += s->epi[c];
    if (h->region[c]) {
      H_in += H;
      e_in += s->epi[c];
      n_in++;
    } else {
      H_out += H;
      e_out += s->epi[c];
      n_out++;
    }
  }
  o->dermal_thickness_um = 1e6 * H_all / (double)h->plane;
  o->epidermis_um = 1e6 * (h->layers.stratum_corneum + e_all / (double)h->plane);
  if (n_in > 0) {
    double ref_H =
        n_out ? H_out / (double)n_out : h->layers.papillary_dermis + h->layers.reticular_dermis;
    double ref_e = n_out ? e_out / (double)n_out : h->layers.viable_epidermis;
    o->region_depression_um = 1e6 * ((ref_H + ref_e) - (H_in + e_in) / (double)n_in);
  }
}

int mn_healing_sample_now(const mn_healing *h, mn_healing_sample *out) {
  if (!h || !out)
    return MN_SKIN_EINVAL;
  mn_healing_measure(h, &h->S, out);
  return MN_SKIN_OK;
}

/* Mean matrix-equivalent dermal thickness of the region's columns, m. */
static double region_dermis(const mn_healing *h, const hstate *s) {
  const double *dz = mn_grid_dz(h->g);
  const double *c1 = mn_field_cdata(s->f[HS_C1]), *c3 = mn_field_cdata(s->f[HS_C3S]),
               *c3n = mn_field_cdata(s->f[HS_C3N]);
  double H = 0.0;
  size_t n = 0;
  for (size_t c = 0; c < h->plane; c++) {
    if (!h->region[c])
      continue;
    n++;
    for (int k = 0; k < h->nz; k++) {
      size_t v = (size_t)k * h->plane + c;
      if (h->cnorm[v] > 0.0)
        H += dz[k] * (c1[v] + c3[v] + c3n[v]) / h->cnorm[v];
    }
  }
  return n ? H / (double)n : 0.0;
}

static double pct(double a, double b) {
  return b != 0.0 ? 100.0 * (a - b) / b : 0.0;
}

int mn_healing_summary_now(const mn_healing *h, mn_healing_summary *o) {
  if (!h || !o)
    return MN_SKIN_EINVAL;
  memset(o, 0, sizeof *o);
  mn_healing_sample now;
  mn_healing_measure(h, &h->S, &now);
  const mn_healing_sample *st = &h->start;
  o->t_days = h->t;
  o->nwounds = h->nwounds;
  o->collagen_I_change_pct = pct(now.collagen_I, st->collagen_I);
  o->collagen_III_change_pct = pct(now.collagen_III, st->collagen_III);
  o->collagen_total_change_pct = pct(now.collagen_total, st->collagen_total);
  o->papillary_collagen_change_pct =
      pct(now.collagen_I_pd + now.collagen_III_pd, st->collagen_I_pd + st->collagen_III_pd);
  o->ratio_I_III_start = st->collagen_I / st->collagen_III;
  o->ratio_I_III_end = now.collagen_I / now.collagen_III;
  o->elastin_change_pct = pct(now.elastin, st->elastin);
  o->epidermis_change_pct = pct(now.epidermis_um, st->epidermis_um);
  /* new collagen per column (amount per area) and its spatial CV */
  const double *dz = mn_grid_dz(h->g);
  const double *c1 = mn_field_cdata(h->S.f[HS_C1]), *c3 = mn_field_cdata(h->S.f[HS_C3S]),
               *c3n = mn_field_cdata(h->S.f[HS_C3N]);
  double s1 = 0.0, s2 = 0.0, sb = 0.0;
  for (size_t c = 0; c < h->plane; c++) {
    double a = 0.0;
    for (int k = 0; k < h->nz; k++) {
      size_t v = (size_t)k * h->plane + c;
      a += dz[k] * (c1[v] + c3[v] + c3n[v] - h->c_base[v]);
      sb += dz[k] * h->c_base[v];
    }
    s1 += a;
    s2 += a * a;
  }
  double mean = s1 / (double)h->plane, var = fmax(0.0, s2 / (double)h->plane - mean * mean);
  /* A CV over a mean near zero is noise (a short run gave 13): undefined then. */
  double base = sb / (double)h->plane;
  o->new_collagen_cv = mean > h->P.cv_min_gain * base ? sqrt(var) / mean : NAN;
  o->growth_factor_elevated_days = h->gf_days;
  o->inflammation_days = h->inf_days;
  o->condition = h->condition;
  if (h->condition != MN_HEALING_NORMAL) {
    o->depression_start_um = st->region_depression_um;
    o->depression_end_um = now.region_depression_um;
    o->fill_pct =
        o->depression_start_um > 0.0
            ? 100.0 * (o->depression_start_um - o->depression_end_um) / o->depression_start_um
            : 0.0;
    o->region_dermis_end_um = 1e6 * region_dermis(h, &h->S);
    /* the region's starting dermis: baseline collagen per column */
    double H = 0.0;
    size_t n = 0;
    for (size_t c = 0; c < h->plane; c++) {
      if (!h->region[c])
        continue;
      n++;
      for (int k = 0; k < h->nz; k++) {
        size_t v = (size_t)k * h->plane + c;
        if (h->cnorm[v] > 0.0)
          H += dz[k] * h->c_base[v] / h->cnorm[v];
      }
    }
    o->region_dermis_start_um = n ? 1e6 * H / (double)n : 0.0;
    o->region_dermis_change_pct = pct(o->region_dermis_end_um, o->region_dermis_start_um);
  }
  o->steps = h->steps;
  o->rejected = h->rejected;
  return MN_SKIN_OK;
}

/* ------------------------------------------------------------- wounds */

int mn_healing_wound_of_tissue(const mn_tissue *t, mn_healing_wound *w, char *err, size_t errlen) {
  if (!t || !w) {
    snprintf(err, errlen, "healing: NULL argument");
    return MN_SKIN_EINVAL;
  }
  const mn_grid *g = mn_tissue_grid(t);
  memset(w, 0, sizeof *w);
  w->nx = mn_grid_nx(g);
  w->ny = mn_grid_ny(g);
  w->nz = mn_grid_nz(g);
  w->dx = mn_grid_dx(g);
  w->dy = mn_grid_dy(g);
  w->zf = mn_grid_zf(g);
  w->growth = mn_field_cdata(mn_tissue_field(t, MN_TISSUE_GROWTH));
  w->signal = mn_field_cdata(mn_tissue_field(t, MN_TISSUE_SIGNAL));
  w->wound = mn_field_cdata(mn_tissue_field(t, MN_TISSUE_WOUND));
  return MN_SKIN_OK;
}

int mn_healing_add_wound(mn_healing *h, const mn_tissue *acute_end, char *err, size_t errlen) {
  mn_healing_wound w;
  int rc = mn_healing_wound_of_tissue(acute_end, &w, err, errlen);
  return rc ? rc : mn_healing_add_wound_view(h, &w, err, errlen);
}

static int check_wound(const mn_healing *h, const mn_healing_wound *w, char *err, size_t errlen) {
  if (w->nx < 1 || w->ny < 1 || w->nz < 1 || !(w->dx > 0.0) || !(w->dy > 0.0) || !w->zf) {
    snprintf(err, errlen, "healing: wound grid is empty");
    return MN_SKIN_EINVAL;
  }
  for (int k = 0; k < w->nz; k++) {
    if (!(w->zf[k + 1] > w->zf[k])) {
      snprintf(err, errlen, "healing: wound depth faces must increase");
      return MN_SKIN_EINVAL;
    }
  }
  const double ex = w->nx * w->dx, ey = w->ny * w->dy;
  const double hx = h->nx * mn_grid_dx(h->g), hy = h->ny * mn_grid_dy(h->g);
  if (fabs(ex - hx) > 1e-6 * hx || fabs(ey - hy) > 1e-6 * hy) {
    snprintf(err, errlen, "healing: wound window %.4g x %.4g mm, healing window %.4g x %.4g mm",
             ex * 1e3, ey * 1e3, hx * 1e3, hy * 1e3);
    return MN_SKIN_EINVAL;
  }
  return MN_SKIN_OK;
}

int mn_healing_add_wound_view(mn_healing *h, const mn_healing_wound *w, char *err, size_t errlen) {
  if (!h || !w) {
    snprintf(err, errlen, "healing: NULL argument");
    return MN_SKIN_EINVAL;
  }
  int rc = check_wound(h, w, err, errlen);
  if (rc)
    return rc;
  const mn_healing_params *P = &h->P;
  /* map onto the healing grid, using the transport work arrays */
  double *maps[3] = {h->vx, h->vy, h->vz};
  const double *src[3] = {w->growth, w->signal, w->wound};
  for (int q = 0; q < 3; q++) {
    if (!src[q]) {
      memset(maps[q], 0, h->nvox * sizeof(double));
      continue;
    }
    if ((rc = mn_healing_remap(h, w, src[q], maps[q], err, errlen)))
      return rc;
  }
  double *y[HS_N];
  for (int q = 0; q < HS_N; q++)
    y[q] = mn_field_data(h->S.f[q]);
  for (size_t v = 0; v < h->nvox; v++) {
    double g = fmax(0.0, maps[0][v]), sig = fmax(0.0, maps[1][v]);
    double W = fmin(1.0, fmax(0.0, maps[2][v]));
    y[HS_TGF][v] += P->tgf_per_release * g;
    y[HS_PDGF][v] += P->pdgf_per_release * g;
    int lay = h->layer[v / h->plane];
    if (lay != HL_PD && lay != HL_RD)
      continue;
    y[HS_INFL][v] += P->inf_per_signal * sig;
    y[HS_DEBRIS][v] += (1.0 - y[HS_DEBRIS][v]) * W;
    const double kill = 1.0 - P->wound_kill * W, lost = 1.0 - P->wound_matrix_loss * W;
    y[HS_FR][v] *= kill;
    y[HS_FA][v] *= kill;
    y[HS_C1][v] *= lost;
    y[HS_C3S][v] *= lost;
    y[HS_C3N][v] *= lost;
    y[HS_EL][v] *= lost;
  }
  h->nwounds++;
  h->dt_next = P->dt_first;
  h->inf_peak = 0.0;
  return MN_SKIN_OK;
}

/* ---------------------------------------------------------- stepping */

static int split_step(mn_healing *h, hstate *s, double dt, char *err, size_t errlen) {
  int rc;
  if (mn_lod_step(h->lod_tgf, s->f[HS_TGF], dt * S_PER_D, err, errlen) ||
      mn_lod_step(h->lod_pdgf, s->f[HS_PDGF], dt * S_PER_D, err, errlen))
    return MN_SKIN_ENUMERIC;
  if ((rc = mn_healing_chemotaxis(h, s, dt, err, errlen)) ||
      (rc = mn_healing_react(h, s, dt, err, errlen)))
    return rc;
  mn_healing_epidermis(h, s, dt);
  return MN_SKIN_OK;
}

/* Largest scaled difference between the one-step and two-step results. */
static double step_error(const mn_healing *h) {
  const mn_healing_params *P = &h->P;
  double scale[HS_N];
  for (int q = 0; q < HS_N; q++)
    scale[q] = 1.0;
  scale[HS_C1] = scale[HS_C3S] = scale[HS_C3N] = P->col_density_rd;
  double e = 0.0;
  for (int q = 0; q < HS_N; q++) {
    if (q == HS_TGF || q == HS_PDGF)
      continue;
    const double *a = mn_field_cdata(h->A.f[q]), *b = mn_field_cdata(h->B.f[q]);
    const double at = P->atol * scale[q];
    for (size_t v = 0; v < h->nvox; v++) {
      double r = fabs(a[v] - b[v]) / (at + P->rtol * fabs(b[v]));
      if (r > e)
        e = r;
    }
  }
  for (size_t c = 0; c < h->plane; c++) {
    double r = fabs(h->A.epi[c] - h->B.epi[c]) /
               (P->atol * h->layers.viable_epidermis + P->rtol * fabs(h->B.epi[c]));
    if (r > e)
      e = r;
  }
  return e; /* first order: (one - two) / (2^1 - 1) */
}

/* Running totals after an accepted step ending at h->t. */
static void track(mn_healing *h, double dt) {
  mn_healing_sample s;
  mn_healing_measure(h, &h->S, &s);
  if (s.growth_factor > h->P.gf_elevated)
    h->gf_days += dt;
  if (s.inflammation > h->inf_peak)
    h->inf_peak = s.inflammation;
  if (h->inf_peak > 0.0 && s.inflammation > h->P.inf_resolved * h->inf_peak)
    h->inf_days += dt;
}

int mn_healing_advance(mn_healing *h, double t_days, char *err, size_t errlen) {
  if (!h) {
    snprintf(err, errlen, "healing: NULL argument");
    return MN_SKIN_EINVAL;
  }
  if (!(t_days >= h->t - 1e-12)) {
    snprintf(err, errlen, "healing: cannot go back in time (%.6g d < %.6g d)", t_days, h->t);
    return MN_SKIN_EINVAL;
  }
  const mn_healing_params *P = &h->P;
  const mn_dt_ctl ctl = {.rtol = P->rtol,
                         .atol = P->atol,
                         .safety = 0.9,
                         .grow_max = 3.0,
                         .shrink_min = 0.2,
                         .dt_min = P->dt_min,
                         .dt_max = P->dt_max,
                         .order = 1};
  while (h->t < t_days - 1e-12) {
    double dt = fmin(h->dt_next, t_days - h->t);
    int truncated = dt < h->dt_next;
    int rc;
    if ((rc = state_copy(h, &h->A, &h->S)) || (rc = state_copy(h, &h->B, &h->S)) ||
        (rc = split_step(h, &h->A, dt, err, errlen)) ||
        (rc = split_step(h, &h->B, 0.5 * dt, err, errlen)) ||
        (rc = split_step(h, &h->B, 0.5 * dt, err, errlen)))
      return rc;
    double e = step_error(h), next;
    int ok = mn_dt_next(&ctl, e, dt, &next);
    if (ok) {
      state_swap(&h->S, &h->B);
      h->t += dt;
      h->steps++;
      track(h, dt);
      h->dt_next = truncated ? fmax(next, h->dt_next) : next;
    } else {
      h->rejected++;
      h->dt_next = next;
    }
  }
  h->t = fmax(h->t, t_days);
  return MN_SKIN_OK;
}
