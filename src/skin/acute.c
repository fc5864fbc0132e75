/* Skin, acute phase: the time loop (see acute.h for the model, docs/model.md
 * for equations and parameters).
 *
 * One step of length dt, operator split:
 *  1. channels opened by punctures up to now; closure of seal and lumen
 *     (exact exponential with the rate frozen over the step)
 *     and release of signal and growth factors from the wounded volume, in
 *     channel order;
 *  2. per-voxel coefficients of water and compound re-mixed at the voxels
 *     the channels touch (each once, in parallel), those that moved beyond
 *     MN_ACUTE_COEF_TOL handed to the solvers (mn_lod_update_voxels);
 *  3. implicit LOD steps of water, compound (clearance in the solver, the
 *     cleared amount counted from the layer sums it acted on) and signal;
 *  4. TEWL, erythema, flux and mass balance recorded.
 * Steps start at seconds and grow geometrically, limited by how fast the
 * channels close and cut to land on the donor's start and end.
 */
#include "skin/acute.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numerics/lod.h"
#include "skin/acute_params.h"
#include "skin/channels.h"
#include "skin/zgrid.h"

#define S_PER_H 3600.0
#define KG_M2_TO_UG_CM2 1e5 /* 1 kg/m^2 = 1e9 ug / 1e4 cm^2 */
#define KG_M2_S_TO_G_M2_H 3.6e6
#define WATER_REF 1000.0 /* liquid water, kg/m^3: the reference phase of water */
/* Numerical tolerance, not a model parameter: a channel voxel's
 * coefficients are recomputed once its openness q has moved so far since
 * the last time that D K or K of its gap would change by more than this
 * fraction (|dq| max|d ln / dq| > tol, the logarithms of mix_layer). The
 * coefficients in use then lag the exact ones by at most a factor
 * exp(+-tol) in D K and K, exp(+-2 tol) in the face weights D K / K, so
 * fluxes through channel voxels are off by at most about 2e-3 relative;
 * measured on the built-in protocols against exact updates: TEWL and flux
 * within 2e-4, summary figures within 1e-4. Most voxels still change every
 * step while their channel closes fast; the saving is in the seals once
 * closed and in slowly closing deep lumens. */
#ifndef MN_ACUTE_COEF_TOL
#define MN_ACUTE_COEF_TOL 1e-3
#endif

struct mn_tissue {
  mn_grid *g;
  mn_field *f[MN_TISSUE_NFIELDS];
  int *layer;
  double time_h;
};

const mn_grid *mn_tissue_grid(const mn_tissue *t) {
  return t ? t->g : NULL;
}
const mn_field *mn_tissue_field(const mn_tissue *t, mn_tissue_field_id id) {
  return (t && id >= 0 && id < MN_TISSUE_NFIELDS) ? t->f[id] : NULL;
}
const int *mn_tissue_layer_of_cell(const mn_tissue *t) {
  return t ? t->layer : NULL;
}
double mn_tissue_time_h(const mn_tissue *t) {
  return t ? t->time_h : 0.0;
}

void mn_tissue_destroy(mn_tissue **tp) {
  if (!tp || !*tp)
    return;
  mn_tissue *t = *tp;
  for (int i = 0; i < MN_TISSUE_NFIELDS; i++)
    mn_field_destroy(&t->f[i]);
  mn_grid_destroy(&t->g);
  free(t->layer);
  free(t);
  *tp = NULL;
}

void mn_acute_options_default(mn_acute_options *o) {
  memset(o, 0, sizeof *o);
  o->window_mm[0] = o->window_mm[1] = 3.0;
  o->resolution_um = 20.0;
  o->duration_h = 72.0;
  o->topical_duration_h = 24.0;
}

void mn_acute_result_free(mn_acute_result *r) {
  if (!r)
    return;
  free(r->series);
  mn_tissue_destroy(&r->tissue);
  memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------ the state */

/* Logarithms that turn the geometric interpolation of a layer's gap
 * coefficients into exponentials: K_gap = K_l exp(-q ln K_l) and
 * D_gap K_gap = DK0 exp(q ln(D_ch / DK0)), DK0 the healed gap's D K: the
 * tissue's D_l K_l, or for a compound the intact layer stops entirely
 * (D_l = 0: a large molecule whose Potts-Guy permeability underflows) the
 * open channel's D_ch scaled by what the healed gap lets through of water,
 * D_w K_w / D_w,free of the layer: a plug keeps a compound out at least as
 * well as it keeps out water, and the compound still passes an open one. */
typedef struct mix_layer {
  double D, K, DK, DK0, lnK, lnDK; /* lnDK = ln(D_ch / DK0) */
  int ok;                          /* 0: K_l or D_ch not > 0, use pow */
} mix_layer;

typedef struct run {
  const mn_acute_input *in;
  const mn_acute_options *opt;
  mn_acute_params P;
  mn_tissue *T;
  const mn_grid *g;
  int nx, ny, nz;
  size_t plane, nvox;
  const int *layer;
  double area; /* window, m^2 */
  mn_channels ch;
  int channels; /* 0: the unneedled reference */

  /* Per voxel the channels touch (ch.uv): the mix its coefficients were
   * last computed with, and whether the last remix changed them. */
  double *m_used, *q_used;
  unsigned char *chg;
  size_t *chv, nchg; /* the voxels the last remix changed, ascending */
  /* per channel part (2 c + 1 seal, 2 c lumen, as mn_slot.part): 1 once
   * opened, and its openness */
  double (*part)[2];
  int nth; /* threads of the per-voxel and per-channel loops */
  mix_layer mw[MN_NLAYERS], mc[MN_NLAYERS];
  double lam[MN_NLAYERS]; /* largest |d ln(coefficient) / dq| of the layer's gap */

  /* per-layer coefficients */
  double wD[MN_NLAYERS], wK[MN_NLAYERS], cD[MN_NLAYERS], cK[MN_NLAYERS], clr[MN_NLAYERS];
  double *Dw, *Kw, *Dc, *Kc;                      /* per voxel */
  double *decay_c, *decay_s, *Dl_c, *Kl_c, *Dl_s; /* per cell (nz) */
  mn_lod *sw, *sc, *ss;
  mn_lod_params pw, pc, ps;
  double w_coef, w_value; /* top Robin of water */
  double tewl_base;
  int donor_on;
  double t_on, t_off;
  double donor_now;   /* kg/m^3: the donor's concentration now */
  double donor_mass0; /* kg/m^2 of compound applied; 0: never depletes */
  double donor_set;   /* the value the boundary condition holds */

  /* bookkeeping, kg */
  double donor_in, cleared, sink;
  double *layer_sum; /* nz */

  mn_acute_sample *ser;
  size_t nser, capser;
} run;

static double clamp01(double v) {
  return v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v);
}

static int push_sample(run *R, const mn_acute_sample *s) {
  if (R->nser == R->capser) {
    size_t nc = R->capser ? 2 * R->capser : 256;
    mn_acute_sample *p = realloc(R->ser, nc * sizeof *p);
    if (!p)
      return MN_SKIN_ENOMEM;
    R->ser = p;
    R->capser = nc;
  }
  R->ser[R->nser++] = *s;
  return MN_SKIN_OK;
}

/* Layer coefficients of water and compound. */
static int layer_coefficients(run *R, char *err, size_t errlen) {
  const mn_acute_params *P = &R->P;
  const mn_skin_layers *L = &R->in->layers;
  const double *zf = mn_grid_zf(R->g);
  const double zbot = zf[R->nz];
  /* Water: the stratum corneum's diffusivity follows from the site's baseline
   * TEWL, the resistances in series (air, stratum corneum, the rest). */
  double dA = WATER_REF * (1.0 - P->w_ambient_activity);
  double r_total = dA / R->tewl_base;
  double r_air = 1.0 / R->w_coef;
  double r_rest = (zbot - L->stratum_corneum) / (P->w_d_viable * P->w_k_viable);
  double r_sc = r_total - r_air - r_rest;
  if (!(r_sc > 0.0)) {
    snprintf(err, errlen,
             "acute: baseline TEWL %.3g g/(m^2 h) exceeds what the air and viable tissue allow",
             R->tewl_base * KG_M2_S_TO_G_M2_H);
    return MN_SKIN_EPARAM;
  }
  for (int l = 0; l < MN_NLAYERS; l++) {
    R->wK[l] = l == MN_LAYER_SC ? P->w_k_sc : P->w_k_viable;
    R->wD[l] = l == MN_LAYER_SC ? L->stratum_corneum / (P->w_k_sc * r_sc) : P->w_d_viable;
  }
  /* Compound: stratum corneum from the compound (or Potts-Guy), viable
   * layers hindered aqueous diffusion. */
  const mn_skin_compound *c = &R->in->compound;
  double ksc = c->k_sc > 0.0 ? c->k_sc : 1.0;
  double dsc = c->d_sc > 0.0 ? c->d_sc : c->kp_sc * L->stratum_corneum / ksc;
  for (int l = 0; l < MN_NLAYERS; l++) {
    R->cK[l] = l == MN_LAYER_SC ? ksc : P->viable_partition;
    R->cD[l] = l == MN_LAYER_SC ? dsc : c->d_aqueous * P->viable_hindrance;
    R->clr[l] = R->opt->ex_vivo    ? 0.0
                : l == MN_LAYER_PD ? P->clear_papillary
                : l == MN_LAYER_RD ? P->clear_reticular
                                   : 0.0;
  }
  /* dsc == 0 is a real answer: Potts-Guy's permeability of a large molecule
   * (a hyaluronic acid serum, ~1 MDa) underflows, and such a compound enters
   * only through open channels (mix_layer_init). */
  if (R->opt->has_topical && !(dsc >= 0.0 && c->d_aqueous > 0.0)) {
    snprintf(err, errlen, "acute: compound '%s' has no usable diffusivities", c->name);
    return MN_SKIN_EPARAM;
  }
  return MN_SKIN_OK;
}

/* Coefficient maps at the channel entries from the current openness. A
 * channel fills its volume fraction phi of a voxel with a gap whose
 * transport properties go from the tissue's (q = 0) to those of an open,
 * fluid-filled channel (q = 1) geometrically: log D and log K interpolate in
 * the openness q. Healing tissue regains its barrier by orders of magnitude,
 * so a half-healed plug is a geometric, not an arithmetic, mean. The voxel
 * combines tissue and gap as parallel paths. */
static void mix_coef(double m, double q, double Dl, double Kl, double Dch, double *D, double *K) {
  double Kg = pow(Kl, 1.0 - q);
  double Dg = pow(Dl, 1.0 - q) * pow(Dch, q);
  double k = (1.0 - m) * Kl + m * Kg;
  *K = k;
  *D = ((1.0 - m) * Dl * Kl + m * Dg * Kg) / k;
}

/* healed_rel: the healed gap's D K relative to the open channel's when the
 * layer's own D K is zero. */
static void mix_layer_init(mix_layer *L, double Dl, double Kl, double Dch, double healed_rel) {
  L->D = Dl;
  L->K = Kl;
  L->DK = Dl * Kl;
  L->DK0 = L->DK > 0.0 ? L->DK : Dch * healed_rel;
  L->ok = L->DK0 > 0.0 && Kl > 0.0 && Dch > 0.0;
  L->lnK = L->ok ? log(Kl) : 0.0;
  L->lnDK = L->ok ? log(Dch / L->DK0) : 0.0;
}

/* mix_coef through the layer's logarithms: two exponentials, no pow. */
static void mix_coef_fast(const mix_layer *L, double m, double q, double Dch, double *D,
                          double *K) {
  if (!L->ok) {
    mix_coef(m, q, L->D, L->K, Dch, D, K);
    return;
  }
  double Kg = L->K * exp(-q * L->lnK);
  double DKg = L->DK0 * exp(q * L->lnDK);
  double k = (1.0 - m) * L->K + m * Kg;
  *K = k;
  *D = ((1.0 - m) * L->DK + m * DKg) / k;
}

/* Per-voxel and per-channel work arrays of the time loop. */
static int mix_arrays(run *R) {
  size_t m = R->ch.nu ? R->ch.nu : 1, nc = R->ch.n ? R->ch.n : 1;
  R->m_used = malloc(m * sizeof(double));
  R->q_used = malloc(m * sizeof(double));
  R->chg = calloc(m, 1);
  R->chv = malloc(m * sizeof(size_t));
  R->part = calloc(2 * nc, sizeof *R->part);
  if (!R->m_used || !R->q_used || !R->chg || !R->chv || !R->part)
    return MN_SKIN_ENOMEM;
  for (size_t u = 0; u < R->ch.nu; u++)
    R->m_used[u] = R->q_used[u] = NAN; /* the first remix sets every one */
  for (int l = 0; l < MN_NLAYERS; l++) {
    mix_layer_init(&R->mw[l], R->wD[l], R->wK[l], R->P.w_d_free, 1.0);
    mix_layer_init(&R->mc[l], R->cD[l], R->cK[l], R->in->compound.d_aqueous,
                   R->wD[l] * R->wK[l] / R->P.w_d_free);
    const mix_layer *w = &R->mw[l], *c = &R->mc[l];
    R->lam[l] = w->ok ? fmax(fabs(w->lnK), fabs(w->lnDK)) : INFINITY;
    if (R->Dc)
      R->lam[l] = fmax(R->lam[l], c->ok ? fmax(fabs(c->lnK), fabs(c->lnDK)) : INFINITY);
  }
  return MN_SKIN_OK;
}

/* Coefficients at the channel voxels from the current openness: one pass
 * over the voxels the channels touch, each summing its channels' shares in
 * channel order (as a pass over the channels would), recomputing the
 * coefficients of the voxels whose mix of volume fraction and openness moved
 * and listing them in R->chv for the solvers. */
static void remix(run *R) {
  const mn_channels *ch = &R->ch;
  const double dfw = R->P.w_d_free, daq = R->in->compound.d_aqueous;
  const long nu = (long)ch->nu;
#pragma omp parallel for schedule(static) num_threads(R->nth) if (nu > 4096)
  for (long u = 0; u < nu; u++) {
    double mx = 0.0, mq = 0.0;
    /* parts of unopened channels are all zero and add nothing */
    for (size_t s = ch->ustart[u]; s < ch->ustart[u + 1]; s++) {
      const double *pt = R->part[ch->slot[s].part];
      double phi = ch->slot[s].phi;
      mx += phi * pt[0];
      mq += phi * pt[1];
    }
    size_t v = ch->uv[u];
    double m = clamp01(mx);
    double q = mx > 0.0 ? clamp01(mq / mx) : 0.0;
    int l = R->layer[v / R->plane];
    R->chg[u] = m != R->m_used[u] ||
                (q != R->q_used[u] && !(fabs(q - R->q_used[u]) * R->lam[l] <= MN_ACUTE_COEF_TOL));
    if (!R->chg[u])
      continue;
    R->m_used[u] = m;
    R->q_used[u] = q;
    mix_coef_fast(&R->mw[l], m, q, dfw, &R->Dw[v], &R->Kw[v]);
    if (R->Dc)
      mix_coef_fast(&R->mc[l], m, q, daq, &R->Dc[v], &R->Kc[v]);
  }
  size_t nchg = 0;
  for (size_t u = 0; u < ch->nu; u++)
    if (R->chg[u])
      R->chv[nchg++] = ch->uv[u];
  R->nchg = nchg;
}

static int set_donor(run *R, int on, char *err, size_t errlen) {
  R->donor_on = on;
  R->donor_set = on ? R->donor_now : 0.0;
  R->pc.bc_top.kind = on ? MN_BC_DIRICHLET : MN_BC_ZERO_FLUX;
  R->pc.bc_top.value = R->donor_set;
  if (mn_lod_update(R->sc, &R->pc, err, errlen))
    return MN_SKIN_ENUMERIC;
  return MN_SKIN_OK;
}

/* A finite dose: the film holds what has not entered yet, so its
 * concentration falls with the amount taken up (counted exactly at every
 * step); the boundary value follows it in steps of donor_update_fraction. */
static int deplete_donor(run *R, char *err, size_t errlen) {
  if (!(R->donor_mass0 > 0.0) || !R->donor_on)
    return MN_SKIN_OK;
  const double c0 = R->opt->donor_mg_ml; /* mg/mL = kg/m^3 */
  double left = 1.0 - R->donor_in / R->area / R->donor_mass0;
  R->donor_now = c0 * fmax(0.0, left);
  if (R->donor_set - R->donor_now < R->P.donor_update_fraction * c0 && R->donor_now > 0.0)
    return MN_SKIN_OK;
  return set_donor(R, 1, err, errlen);
}

/* Water flux to the air per unit area (kg m^-2 s^-1) an evaporimeter would
 * read on the open skin: the top Robin conductance in series with the half
 * top cell, per column. */
static double tewl_probe(const run *R, const double *u) {
  const double dz0 = mn_grid_dz(R->g)[0];
  const double coef = R->P.w_evap_coef * R->P.w_c_sat / WATER_REF;
  const double ambient = WATER_REF * R->P.w_ambient_activity;
  double sum = 0.0;
  for (size_t c = 0; c < R->plane; c++) {
    double D = R->Dw ? R->Dw[c] : R->wD[R->layer[0]];
    double K = R->Kw ? R->Kw[c] : R->wK[R->layer[0]];
    double gcol = 1.0 / (1.0 / coef + dz0 / (2.0 * D * K));
    sum += gcol * (u[c] / K - ambient);
  }
  return sum / (double)R->plane;
}

/* Steady water profile of intact skin (exact for the discrete chain). */
static void water_steady(run *R, double *u) {
  const double *dz = mn_grid_dz(R->g);
  const int nz = R->nz;
  const double ambient = WATER_REF * R->P.w_ambient_activity;
  double rsum = 1.0 / R->w_coef + dz[0] / (2.0 * R->wD[R->layer[0]] * R->wK[R->layer[0]]);
  for (int k = 0; k + 1 < nz; k++) {
    int a = R->layer[k], b = R->layer[k + 1];
    rsum += dz[k] / (2.0 * R->wD[a] * R->wK[a]) + dz[k + 1] / (2.0 * R->wD[b] * R->wK[b]);
  }
  int lb = R->layer[nz - 1];
  rsum += dz[nz - 1] / (2.0 * R->wD[lb] * R->wK[lb]);
  double F = (WATER_REF - ambient) / rsum;
  double pot =
      ambient + F * (1.0 / R->w_coef + dz[0] / (2.0 * R->wD[R->layer[0]] * R->wK[R->layer[0]]));
  for (int k = 0; k < nz; k++) {
    if (k > 0) {
      int a = R->layer[k - 1], b = R->layer[k];
      pot += F * (dz[k - 1] / (2.0 * R->wD[a] * R->wK[a]) + dz[k] / (2.0 * R->wD[b] * R->wK[b]));
    }
    double cval = pot * R->wK[R->layer[k]];
    for (size_t c = 0; c < R->plane; c++)
      u[(size_t)k * R->plane + c] = cval;
  }
}

static double layer_mean(const run *R, const double *u, int layer) {
  const double *dz = mn_grid_dz(R->g);
  double s = 0.0, vol = 0.0;
  for (int k = 0; k < R->nz; k++) {
    if (R->layer[k] != layer)
      continue;
    const double *row = u + (size_t)k * R->plane;
    double rs = 0.0;
    for (size_t c = 0; c < R->plane; c++)
      rs += row[c];
    s += rs * dz[k];
    vol += dz[k] * (double)R->plane;
  }
  return vol > 0.0 ? s / vol : 0.0;
}

/* ---------------------------------------------------------- set-up */

static int make_solvers(run *R, char *err, size_t errlen) {
  const int nz = R->nz;
  const mn_acute_options *o = R->opt;
  int rc;
  mn_bc periodic = {.kind = MN_BC_PERIODIC};
  R->decay_c = calloc((size_t)nz, sizeof(double));
  R->decay_s = calloc((size_t)nz, sizeof(double));
  R->Dl_c = calloc((size_t)nz, sizeof(double));
  R->Kl_c = calloc((size_t)nz, sizeof(double));
  R->Dl_s = calloc((size_t)nz, sizeof(double));
  R->layer_sum = calloc((size_t)nz, sizeof(double));
  if (!R->decay_c || !R->decay_s || !R->Dl_c || !R->Kl_c || !R->Dl_s || !R->layer_sum)
    return MN_SKIN_ENOMEM;
  for (int k = 0; k < nz; k++) {
    int l = R->layer[k];
    R->decay_c[k] = R->clr[l];
    R->decay_s[k] = R->P.s_decay;
    R->Dl_c[k] = R->cD[l];
    R->Kl_c[k] = R->cK[l];
    R->Dl_s[k] = R->P.s_diffusivity;
  }
  if (R->channels) {
    R->Dw = malloc(R->nvox * sizeof(double));
    R->Kw = malloc(R->nvox * sizeof(double));
    if (!R->Dw || !R->Kw)
      return MN_SKIN_ENOMEM;
    for (size_t v = 0; v < R->nvox; v++) {
      int l = R->layer[v / R->plane];
      R->Dw[v] = R->wD[l];
      R->Kw[v] = R->wK[l];
    }
    if (o->has_topical) {
      R->Dc = malloc(R->nvox * sizeof(double));
      R->Kc = malloc(R->nvox * sizeof(double));
      if (!R->Dc || !R->Kc)
        return MN_SKIN_ENOMEM;
      for (size_t v = 0; v < R->nvox; v++) {
        int l = R->layer[v / R->plane];
        R->Dc[v] = R->cD[l];
        R->Kc[v] = R->cK[l];
      }
    }
    if ((rc = mix_arrays(R)))
      return rc;
    remix(R);
    /* water: body water below (activity 1), air above */
    R->pw = (mn_lod_params){.scheme = MN_SCHEME_LOD_BE,
                            .D_voxel = R->Dw,
                            .K_voxel = R->Kw,
                            .bc_x = periodic,
                            .bc_y = periodic,
                            .bc_top = {.kind = MN_BC_ROBIN, .value = R->w_value, .coef = R->w_coef},
                            .bc_bottom = {.kind = MN_BC_DIRICHLET, .value = WATER_REF},
                            .nthreads = o->nthreads};
    if ((rc = mn_lod_create(&R->sw, R->g, &R->pw, err, errlen)))
      return MN_SKIN_ENUMERIC;
    R->ps = (mn_lod_params){.scheme = MN_SCHEME_LOD_BE,
                            .D_layer = R->Dl_s,
                            .decay_layer = R->decay_s,
                            .bc_x = periodic,
                            .bc_y = periodic,
                            .nthreads = o->nthreads};
    if ((rc = mn_lod_create(&R->ss, R->g, &R->ps, err, errlen)))
      return MN_SKIN_ENUMERIC;
  }
  if (o->has_topical) {
    /* compound: donor at the top when on, sink below (receptor ex vivo, the
     * deep vascular bed in vivo) */
    R->pc = (mn_lod_params){.scheme = MN_SCHEME_LOD_BE,
                            .D_layer = R->Dl_c,
                            .K_layer = R->Kl_c,
                            .D_voxel = R->Dc,
                            .K_voxel = R->Kc,
                            .decay_layer = R->decay_c,
                            .bc_x = periodic,
                            .bc_y = periodic,
                            .bc_top = {.kind = MN_BC_ZERO_FLUX},
                            .bc_bottom = {.kind = MN_BC_DIRICHLET, .value = 0.0},
                            .nthreads = o->nthreads};
    if ((rc = mn_lod_create(&R->sc, R->g, &R->pc, err, errlen)))
      return MN_SKIN_ENUMERIC;
  }
  return MN_SKIN_OK;
}

static void free_run(run *R) {
  mn_lod_destroy(&R->sw);
  mn_lod_destroy(&R->sc);
  mn_lod_destroy(&R->ss);
  free(R->Dw);
  free(R->Kw);
  free(R->Dc);
  free(R->Kc);
  free(R->m_used);
  free(R->q_used);
  free(R->chg);
  free(R->chv);
  free(R->part);
  free(R->decay_c);
  free(R->decay_s);
  free(R->Dl_c);
  free(R->Kl_c);
  free(R->Dl_s);
  free(R->layer_sum);
  free(R->ser);
  mn_channels_free(&R->ch);
  mn_tissue_destroy(&R->T);
}

static int validate_input(const mn_acute_input *in, char *err, size_t errlen) {
  const mn_acute_options *o = &in->options;
  const mn_skin_layers *L = &in->layers;
  if (!(o->window_mm[0] > 0.0) || !(o->window_mm[1] > 0.0) || !(o->resolution_um > 0.0) ||
      !(o->duration_h > 0.0)) {
    snprintf(err, errlen, "acute: window, resolution and duration must be > 0");
    return MN_SKIN_EINVAL;
  }
  if (!(L->stratum_corneum > 0.0) || !(L->viable_epidermis > 0.0) || !(L->papillary_dermis > 0.0) ||
      !(L->reticular_dermis > 0.0)) {
    snprintf(err, errlen, "acute: layer thicknesses must be > 0");
    return MN_SKIN_EINVAL;
  }
  if (o->has_topical && !(o->dose_mg_cm2 >= 0.0)) {
    snprintf(err, errlen, "acute: a topical dose must be >= 0 (0: a reservoir)");
    return MN_SKIN_EINVAL;
  }
  if (o->has_topical && (!(o->donor_mg_ml > 0.0) || !(o->topical_duration_h > 0.0))) {
    snprintf(err, errlen, "acute: topical needs a donor concentration and duration > 0");
    return MN_SKIN_EINVAL;
  }
  if (in->punctures.n && (!in->punctures.x_mm || !in->punctures.y_mm || !in->punctures.depth_um ||
                          !in->punctures.radius_um)) {
    snprintf(err, errlen, "acute: puncture arrays missing");
    return MN_SKIN_EINVAL;
  }
  if (o->membrane_thickness_m < 0.0) {
    snprintf(err, errlen, "acute: membrane thickness must be >= 0");
    return MN_SKIN_EINVAL;
  }
  return MN_SKIN_OK;
}

/* Grid and tissue for a run. */
static int build_grid(run *R, char *err, size_t errlen) {
  const mn_acute_options *o = R->opt;
  const mn_skin_layers *L = &R->in->layers;
  const double res = o->resolution_um * 1e-6;
  const double wx = o->window_mm[0] * 1e-3, wy = o->window_mm[1] * 1e-3;
  const int nx = (int)lround(wx / res), ny = (int)lround(wy / res);
  if (nx < 3 || ny < 3) {
    snprintf(err, errlen, "acute: window must span at least 3 voxels each way");
    return MN_SKIN_EINVAL;
  }
  const double dx = wx / nx, dy = wy / ny;
  double dmax = mn_channels_max_depth(&R->in->punctures, o->window_origin_mm[0] * 1e-3,
                                      o->window_origin_mm[1] * 1e-3, nx * dx, ny * dy);
  double skin =
      L->stratum_corneum + L->viable_epidermis + L->papillary_dermis + L->reticular_dermis;
  double zbot;
  if (o->ex_vivo)
    zbot = o->membrane_thickness_m > 0.0 ? o->membrane_thickness_m : skin;
  else
    zbot = fmin(skin, fmax(L->stratum_corneum + L->viable_epidermis + L->papillary_dermis, dmax) +
                          R->P.margin);
  double *zf = NULL;
  int *layer = NULL, nz = 0;
  int rc = mn_acute_zfaces(L, &R->P, res, dmax, zbot, &zf, &layer, &nz, err, errlen);
  if (rc)
    return rc;
  R->T = calloc(1, sizeof *R->T);
  if (!R->T) {
    free(zf);
    free(layer);
    return MN_SKIN_ENOMEM;
  }
  R->T->layer = layer;
  mn_grid_params gp = {.nx = nx, .ny = ny, .nz = nz, .dx = dx, .dy = dy, .zf = zf};
  rc = mn_grid_create(&R->T->g, &gp, err, errlen);
  free(zf);
  if (rc)
    return MN_SKIN_ENOMEM;
  for (int i = 0; i < MN_TISSUE_NFIELDS; i++)
    if (mn_field_create(&R->T->f[i], R->T->g, err, errlen))
      return MN_SKIN_ENOMEM;
  R->g = R->T->g;
  R->nx = nx;
  R->ny = ny;
  R->nz = nz;
  R->plane = (size_t)nx * (size_t)ny;
  R->nvox = mn_grid_nvox(R->g);
  R->layer = layer;
  R->area = nx * dx * ny * dy;
  return MN_SKIN_OK;
}

/* ----------------------------------------------------------- one step */

/* Closure rate of a channel (1/s) for its mean local signal. */
static double closure_rate(const run *R, double k0, double dref, double depth, double sig) {
  const mn_acute_params *P = &R->P;
  if (R->opt->ex_vivo)
    return 0.0; /* excised skin does not heal */
  double infl = (1.0 - P->inflammation_weight) +
                P->inflammation_weight * sig / (sig + P->signal_half_closure);
  double occ = R->opt->occlusion ? P->occlusion_factor : 1.0;
  return k0 * occ * infl * dref / (dref + depth);
}

/* Channels: open the new ones, close all over dt, release signal and growth
 * factors, in channel order: a channel's closure rate sees the signal the
 * channels before it released in this step. Serial on purpose: overlapping
 * channels chain (the default course's 495 channels fall into 139 waves of
 * mutually independent ones), and a barrier per wave costs more than the
 * pass, which streams compact arrays. */
static void channels_step(run *R, double t, double dt, double *sig, int *changed) {
  mn_channels *ch = &R->ch;
  const mn_acute_params *P = &R->P;
  const double *dz = mn_grid_dz(R->g);
  const double dxy = mn_grid_dx(R->g) * mn_grid_dy(R->g);
  const double rel =
      R->opt->ex_vivo ? 0.0
                      : P->s_release * (R->opt->diclofenac ? 1.0 - P->diclofenac_inhibition : 1.0);
  const double grel = R->opt->ex_vivo ? 0.0 : P->gf_release;
  const double gE = exp(-P->gf_decay * dt);
  double *comp = R->opt->has_topical ? mn_field_data(R->T->f[MN_TISSUE_COMPOUND]) : NULL;
  int moved = 0;
  for (size_t c = 0; c < ch->n; c++) {
    if (ch->opened[c] || ch->t_open[c] > t)
      continue;
    ch->opened[c] = 1;
    ch->o[c] = ch->b[c] = 1.0;
    moved = 1;
    if (R->donor_on && comp) {
      /* needling through the formulation fills the channel with it */
      for (size_t e = ch->start[c]; e < ch->start[c + 1]; e++) {
        size_t v = ch->ev[e];
        double add = ch->phi[e] * (R->donor_now - comp[v]);
        if (add > 0.0) {
          comp[v] += add;
          R->donor_in += add * dxy * dz[v / R->plane];
        }
      }
    }
  }
  for (size_t c = 0; c < ch->n; c++) {
    if (!ch->opened[c])
      continue;
    double sw = 0.0, vw = 0.0;
    for (size_t e = ch->start[c]; e < ch->start[c + 1]; e++) {
      sw += ch->w[e] * sig[ch->ev32[e]];
      vw += ch->w[e];
    }
    double s = vw > 0.0 ? sw / vw : 0.0;
    double kb = closure_rate(R, P->k_barrier, P->barrier_depth_ref, ch->depth[c], s);
    double ko = closure_rate(R, P->k_lumen, P->lumen_depth_ref, ch->depth[c], s);
    /* time integrals of the openness over the step (exact for frozen k) */
    double ib = kb > 0.0 ? ch->b[c] * -expm1(-kb * dt) / kb : ch->b[c] * dt;
    double io = ko > 0.0 ? ch->o[c] * -expm1(-ko * dt) / ko : ch->o[c] * dt;
    for (size_t e = ch->start[c]; e < ch->start[c + 1]; e++) {
      double integ = ch->phi[e] * (ch->seal[e] ? ib : io);
      sig[ch->ev32[e]] += rel * integ;
    }
    ch->gf_seal[c] = ch->gf_seal[c] * gE + grel * ib;
    ch->gf_lumen[c] = ch->gf_lumen[c] * gE + grel * io;
    double ob = ch->b[c], oo = ch->o[c];
    ch->b[c] *= exp(-kb * dt);
    ch->o[c] *= exp(-ko * dt);
    double *ps = R->part[2 * c + 1], *pl = R->part[2 * c];
    ps[0] = pl[0] = 1.0;
    ps[1] = ch->b[c];
    pl[1] = ch->o[c];
    if (ob - ch->b[c] > 1e-6 || oo - ch->o[c] > 1e-6)
      moved = 1;
  }
  if (moved)
    *changed = 1;
  if (moved)
    remix(R);
}

/* Advance the compound by dt, counting what the clearance removed. */
static int compound_step(run *R, double dt, char *err, size_t errlen) {
  mn_field *f = R->T->f[MN_TISSUE_COMPOUND];
  const double *u = mn_field_cdata(f);
  const double *dz = mn_grid_dz(R->g);
  const double dxy = mn_grid_dx(R->g) * mn_grid_dy(R->g);
  if (!R->opt->ex_vivo) {
    /* LOD-BE applies exp(-lambda dt) to the start of the step first */
    for (int k = 0; k < R->nz; k++) {
      if (!(R->decay_c[k] > 0.0))
        continue;
      const double *row = u + (size_t)k * R->plane;
      double s = 0.0;
      for (size_t c = 0; c < R->plane; c++)
        s += row[c];
      R->cleared += -expm1(-R->decay_c[k] * dt) * s * dxy * dz[k];
    }
  }
  if (mn_lod_step(R->sc, f, dt, err, errlen))
    return MN_SKIN_ENUMERIC;
  double top = 0.0, bot = 0.0;
  mn_lod_step_boundary_amount(R->sc, 0, &top, NULL, 0);
  mn_lod_step_boundary_amount(R->sc, 1, &bot, NULL, 0);
  R->donor_in += top;
  R->sink -= bot;
  return MN_SKIN_OK;
}

/* --------------------------------------------------------- summaries */

/* Which series first_below reads. */
typedef enum { SERIES_TEWL, SERIES_OPEN, SERIES_BARRIER } series_id;

static double series_value(const mn_acute_sample *s, series_id id) {
  switch (id) {
  case SERIES_TEWL:
    return s->tewl_g_m2_h;
  case SERIES_OPEN:
    return s->open_channel_fraction;
  default:
    return s->barrier_open_fraction;
  }
}

/* First time after index `from` at which series value v(i) <= level. */
static double first_below(const mn_acute_sample *s, size_t n, size_t from, series_id id,
                          double level) {
  for (size_t i = from; i < n; i++) {
    double v = series_value(&s[i], id);
    if (v <= level)
      return s[i].time_h;
  }
  return -1.0;
}

/* Crank's lag time: the tangent to the cumulative amount at the largest
 * flux, extended back to zero amount; measured from t_on. */
static void lag_and_flux(const mn_acute_sample *s, size_t n, double t_on_h, double *lag,
                         double *flux) {
  size_t best = 0;
  double jmax = 0.0;
  for (size_t i = 1; i < n; i++) {
    if (s[i].flux_ug_cm2_h > jmax) {
      jmax = s[i].flux_ug_cm2_h;
      best = i;
    }
  }
  *flux = jmax;
  *lag = -1.0;
  if (jmax > 0.0) {
    /* the flux of row i is the mean over (t_{i-1}, t_i]: tangent at mid-step */
    double tm = 0.5 * (s[best].time_h + s[best - 1].time_h);
    double qm = 0.5 * (s[best].cumulative_ug_cm2 + s[best - 1].cumulative_ug_cm2);
    *lag = tm - qm / jmax - t_on_h;
  }
}

/* ---------------------------------------------------------- the loop */

static void fill_tissue(run *R);

struct mn_acute_step {
  run *R;
  double time_h;
};

double mn_acute_step_time_h(const mn_acute_step *s) {
  return s->time_h;
}

const mn_tissue *mn_acute_step_tissue(mn_acute_step *s) {
  fill_tissue(s->R);
  s->R->T->time_h = s->time_h;
  return s->R->T;
}

static int simulate(run *R, char *err, size_t errlen) {
  const mn_acute_options *o = R->opt;
  const mn_acute_params *P = &R->P;
  const double tend = o->duration_h * S_PER_H;
  double *w = R->channels ? mn_field_data(R->T->f[MN_TISSUE_WATER]) : NULL;
  double *sig = mn_field_data(R->T->f[MN_TISSUE_SIGNAL]);
  int rc;
  if (w)
    water_steady(R, w);
  /* the session ends with the last puncture (the reference run keeps the
   * same clock so both are compared at the same times) */
  double t_session = 0.0;
  const mn_skin_punctures *pu = &R->in->punctures;
  for (size_t i = 0; pu->time_s && i < pu->n; i++)
    t_session = fmax(t_session, pu->time_s[i]);
  R->t_on = o->topical_before ? 0.0 : t_session;
  R->t_off = R->t_on + o->topical_duration_h * S_PER_H;
  if (R->channels && o->occlusion) {
    R->pw.bc_top.coef = P->w_occl_coef * P->w_c_sat / WATER_REF;
    if (mn_lod_update(R->sw, &R->pw, err, errlen))
      return MN_SKIN_ENUMERIC;
  }
  mn_acute_sample s0 = {0};
  s0.tewl_g_m2_h = w ? tewl_probe(R, w) * KG_M2_S_TO_G_M2_H : 0.0;
  if ((rc = push_sample(R, &s0)))
    return rc;
  double t = 0.0, dt = P->dt_initial, q_prev = 0.0;
  size_t steps = 0;
  while (t < tend * (1.0 - 1e-12)) {
    /* donor events */
    if (o->has_topical && !R->donor_on && t >= R->t_on && t < R->t_off) {
      if ((rc = set_donor(R, 1, err, errlen)))
        return rc;
      dt = P->dt_initial;
    }
    if (o->has_topical && R->donor_on && t >= R->t_off) {
      if ((rc = set_donor(R, 0, err, errlen)))
        return rc;
      dt = P->dt_initial;
    }
    int changed = 0;
    double h = dt;
    if (t < t_session)
      h = fmin(h, P->dt_session);
    if (R->channels && !o->ex_vivo) {
      /* no openness may move by more than openness_step in a step: bound
       * each channel's rate by its value at full inflammation, times its
       * openness (a part nearly closed moves little however fast its rate);
       * channels not opened yet will open at 1 */
      const double occ = o->occlusion ? P->occlusion_factor : 1.0;
      double vmax = 0.0;
      for (size_t c = 0; c < R->ch.n; c++) {
        double b = R->ch.opened[c] ? R->ch.b[c] : 1.0;
        double oo = R->ch.opened[c] ? R->ch.o[c] : 1.0;
        double d = R->ch.depth[c];
        double vb = P->k_barrier * P->barrier_depth_ref / (P->barrier_depth_ref + d) * b;
        double vo = P->k_lumen * P->lumen_depth_ref / (P->lumen_depth_ref + d) * oo;
        vmax = fmax(vmax, fmax(vb, vo));
      }
      vmax *= occ;
      if (vmax > 0.0)
        h = fmin(h, P->openness_step / vmax);
    }
    if (o->has_topical) {
      if (t < R->t_on && t + h > R->t_on)
        h = R->t_on - t;
      if (t < R->t_off && t + h > R->t_off)
        h = R->t_off - t;
    }
    if (t + h > tend)
      h = tend - t;
    if (R->channels) {
      channels_step(R, t, h, sig, &changed);
      if (changed) {
        if (mn_lod_update_voxels(R->sw, &R->pw, R->chv, R->nchg, err, errlen))
          return MN_SKIN_ENUMERIC;
        if (R->sc && mn_lod_update_voxels(R->sc, &R->pc, R->chv, R->nchg, err, errlen))
          return MN_SKIN_ENUMERIC;
      }
      if (mn_lod_step(R->sw, R->T->f[MN_TISSUE_WATER], h, err, errlen) ||
          mn_lod_step(R->ss, R->T->f[MN_TISSUE_SIGNAL], h, err, errlen))
        return MN_SKIN_ENUMERIC;
    }
    if (o->has_topical &&
        ((rc = compound_step(R, h, err, errlen)) || (rc = deplete_donor(R, err, errlen))))
      return rc;
    t += h;
    steps++;
    mn_acute_sample s = {0};
    s.time_h = t / S_PER_H;
    if (w)
      s.tewl_g_m2_h = tewl_probe(R, w) * KG_M2_S_TO_G_M2_H;
    double vo = 0.0, vs = 0.0, wo = 0.0, ws = 0.0;
    for (size_t c = 0; c < R->ch.n; c++) {
      if (!R->ch.opened[c])
        continue;
      vo += R->ch.vol_lumen[c] * R->ch.o[c];
      wo += R->ch.vol_lumen[c];
      vs += R->ch.area[c] * R->ch.b[c];
      ws += R->ch.area[c];
    }
    s.open_channel_fraction = wo > 0.0 ? vo / wo : (ws > 0.0 ? vs / ws : 0.0);
    s.barrier_open_fraction = ws > 0.0 ? vs / ws : 0.0;
    if (R->channels) {
      double spd = layer_mean(R, sig, MN_LAYER_PD);
      s.erythema_index = spd / (spd + 1.0);
    }
    double q = (R->cleared + R->sink) / R->area * KG_M2_TO_UG_CM2;
    s.cumulative_ug_cm2 = q;
    s.flux_ug_cm2_h = (q - q_prev) / (h / S_PER_H);
    q_prev = q;
    if ((rc = push_sample(R, &s)))
      return rc;
    if (R->channels && o->on_step) {
      mn_acute_step view = {R, s.time_h};
      if (o->on_step(o->step_ctx, &view) != 0) {
        snprintf(err, errlen, "acute: stopped at %.3f h", s.time_h);
        return MN_SKIN_ESTOPPED;
      }
    }
    dt = fmin(fmax(dt, h) * P->dt_growth, P->dt_max);
  }
  R->T->time_h = t / S_PER_H;
  return (int)(steps > 0 ? MN_SKIN_OK : MN_SKIN_EINVAL);
}

static int setup_run(run *R, const mn_acute_input *in, const mn_params *t, int channels, char *err,
                     size_t errlen) {
  memset(R, 0, sizeof *R);
  R->in = in;
  R->opt = &in->options;
  R->channels = channels;
  R->nth = in->options.nthreads > 0 ? in->options.nthreads : omp_get_max_threads();
  int rc;
  if ((rc = mn_acute_params_load(t, &R->P, err, errlen)))
    return rc;
  if ((rc = mn_acute_tewl_baseline(t, in->species, in->site, &R->tewl_base, err, errlen)))
    return rc;
  if ((rc = mn_acute_barrier_rate(t, in->species, &R->P.k_barrier, err, errlen)))
    return rc;
  R->w_coef = R->P.w_evap_coef * R->P.w_c_sat / WATER_REF;
  R->w_value = WATER_REF * R->P.w_ambient_activity;
  /* a finite dose is a film of dose / density holding the compound at the
   * applied concentration (mg/cm^2 -> kg/m^2: x 0.01) */
  R->donor_now = in->options.donor_mg_ml;
  R->donor_mass0 =
      in->options.dose_mg_cm2 > 0.0
          ? in->options.donor_mg_ml * (in->options.dose_mg_cm2 * 1e-2) / R->P.formulation_density
          : 0.0;
  if ((rc = build_grid(R, err, errlen)))
    return rc;
  if ((rc = layer_coefficients(R, err, errlen)))
    return rc;
  if (channels) {
    const mn_acute_options *o = R->opt;
    if ((rc = mn_channels_build(&R->ch, R->g, &in->punctures, o->window_origin_mm[0] * 1e-3,
                                o->window_origin_mm[1] * 1e-3,
                                in->layers.stratum_corneum + in->layers.viable_epidermis, err,
                                errlen)))
      return rc;
  }
  if ((rc = make_solvers(R, err, errlen))) {
    if (rc == MN_SKIN_ENOMEM)
      snprintf(err, errlen, "acute: out of memory");
    return rc;
  }
  return MN_SKIN_OK;
}

static void summarise(run *R, mn_acute_result *out) {
  const mn_acute_sample *s = R->ser;
  size_t n = R->nser;
  const mn_acute_params *P = &R->P;
  out->tewl_baseline_g_m2_h = s[0].tewl_g_m2_h;
  size_t ipk = 0;
  for (size_t i = 0; i < n; i++)
    if (s[i].tewl_g_m2_h > s[ipk].tewl_g_m2_h)
      ipk = i;
  out->tewl_peak_g_m2_h = s[ipk].tewl_g_m2_h;
  out->tewl_recovery_h = ipk == 0 ? 0.0
                                  : first_below(s, n, ipk, SERIES_TEWL,
                                                s[0].tewl_g_m2_h * (1.0 + P->tewl_recovery_margin));
  /* closure times from the first sample with opened channels */
  size_t i0 = 0;
  while (i0 < n && s[i0].open_channel_fraction <= 0.0)
    i0++;
  double t0 = i0 < n ? s[i0 > 0 ? i0 - 1 : 0].time_h : 0.0;
  double v;
  if (i0 < n) {
    v = first_below(s, n, i0, SERIES_OPEN, 0.5);
    out->pore_closure_half_life_h = v < 0.0 ? -1.0 : v - t0;
    v = first_below(s, n, i0, SERIES_OPEN, P->closure_threshold);
    out->pore_closure_h = v < 0.0 ? -1.0 : v - t0;
    v = first_below(s, n, i0, SERIES_BARRIER, 0.5);
    out->barrier_half_life_h = v < 0.0 ? -1.0 : v - t0;
    v = first_below(s, n, i0, SERIES_BARRIER, P->closure_threshold);
    out->barrier_resealing_h = v < 0.0 ? -1.0 : v - t0;
  } else {
    out->pore_closure_half_life_h = out->pore_closure_h = -1.0;
    out->barrier_half_life_h = out->barrier_resealing_h = -1.0;
  }
  for (size_t i = 1; i < n; i++) {
    out->erythema_peak = fmax(out->erythema_peak, s[i].erythema_index);
    if (s[i].erythema_index > P->erythema_threshold)
      out->erythema_duration_h += s[i].time_h - s[i - 1].time_h;
  }
  if (R->opt->has_topical) {
    lag_and_flux(s, n, R->t_on / S_PER_H, &out->lag_time_h, &out->flux_ug_cm2_h);
    out->cumulative_ug_cm2 = s[n - 1].cumulative_ug_cm2;
    double k = KG_M2_TO_UG_CM2 / R->area;
    out->donor_in_ug_cm2 = R->donor_in * k;
    out->cleared_ug_cm2 = R->cleared * k;
    out->sink_ug_cm2 = R->sink * k;
    out->tissue_ug_cm2 = mn_field_total(R->T->f[MN_TISSUE_COMPOUND]) * k;
  }
}

/* Wound map and open fraction, growth factors, into the tissue fields
 * (rebuilt from the channels each time: nothing else writes them). */
static void fill_tissue(run *R) {
  mn_field_fill(R->T->f[MN_TISSUE_WOUND], 0.0);
  mn_field_fill(R->T->f[MN_TISSUE_OPEN], 0.0);
  mn_field_fill(R->T->f[MN_TISSUE_GROWTH], 0.0);
  double *wm = mn_field_data(R->T->f[MN_TISSUE_WOUND]);
  double *op = mn_field_data(R->T->f[MN_TISSUE_OPEN]);
  double *gf = mn_field_data(R->T->f[MN_TISSUE_GROWTH]);
  const mn_channels *ch = &R->ch;
  for (size_t c = 0; c < ch->n; c++) {
    if (!ch->opened[c])
      continue;
    for (size_t e = ch->start[c]; e < ch->start[c + 1]; e++) {
      size_t v = ch->ev[e];
      wm[v] = clamp01(wm[v] + ch->phi[e]);
      op[v] = clamp01(op[v] + ch->phi[e] * (ch->seal[e] ? ch->b[c] : ch->o[c]));
      gf[v] += ch->phi[e] * (ch->seal[e] ? ch->gf_seal[c] : ch->gf_lumen[c]);
    }
  }
}

int mn_acute_run(const mn_acute_input *in, const mn_params *t, mn_acute_result *out, char *err,
                 size_t errlen) {
  if (!in || !t || !out) {
    snprintf(err, errlen, "acute: NULL argument");
    return MN_SKIN_EINVAL;
  }
  memset(out, 0, sizeof *out);
  int rc = validate_input(in, err, errlen);
  if (rc)
    return rc;
  run R;
  if ((rc = setup_run(&R, in, t, 1, err, errlen)) || (rc = simulate(&R, err, errlen))) {
    free_run(&R);
    return rc;
  }
  summarise(&R, out);
  fill_tissue(&R);
  out->nchannels = R.ch.n;
  out->nx = R.nx;
  out->ny = R.ny;
  out->nz = R.nz;
  out->steps = R.nser - 1;
  if (in->options.has_topical && !in->options.skip_reference) {
    /* the same skin, grid and donor without punctures */
    run Q;
    if ((rc = setup_run(&Q, in, t, 0, err, errlen)) || (rc = simulate(&Q, err, errlen))) {
      free_run(&Q);
      free_run(&R);
      memset(out, 0, sizeof *out);
      return rc;
    }
    lag_and_flux(Q.ser, Q.nser, Q.t_on / S_PER_H, &out->ref_lag_time_h, &out->ref_flux_ug_cm2_h);
    out->ref_cumulative_ug_cm2 = Q.ser[Q.nser - 1].cumulative_ug_cm2;
    out->enhancement = out->ref_cumulative_ug_cm2 > 0.0
                           ? out->cumulative_ug_cm2 / out->ref_cumulative_ug_cm2
                           : 0.0;
    free_run(&Q);
  }
  out->series = R.ser;
  out->nseries = R.nser;
  out->tissue = R.T;
  R.ser = NULL;
  R.T = NULL;
  free_run(&R);
  return MN_SKIN_OK;
}
