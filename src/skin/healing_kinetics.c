/* Skin, healing phase: the local kinetics (per voxel, by the reaction
 * integrator), the epidermis (per column) and the chemotactic transport of
 * activated fibroblasts. Equations: docs/model.md ("Healing stage") and the headers of the
 * data/skin/healing files. Time in days. */
#include <math.h>
#include <stdio.h>

#include "numerics/react.h"
#include "skin/healing_impl.h"

static double pos(double x) {
  return x > 0.0 ? x : 0.0;
}

/* Rates of one voxel in the form dy/dt = prod - loss * y (see react.h). */
static void rates(void *ctx, size_t v, const double *y, double *prod, double *loss) {
  const mn_healing *h = ctx;
  const mn_healing_params *P = &h->P;
  const int lay = h->layer[v / h->plane];
  for (int s = 0; s < HS_N; s++)
    prod[s] = loss[s] = 0.0;
  loss[HS_TGF] = P->tgf_decay;
  loss[HS_PDGF] = P->pdgf_decay;
  if (lay != HL_PD && lay != HL_RD)
    return; /* viable epidermis: growth factors only */
  const double I = pos(y[HS_INFL]), D = pos(y[HS_DEBRIS]);
  const double T = pos(y[HS_TGF]), G = pos(y[HS_PDGF]);
  const double Fr = pos(y[HS_FR]), Fa = pos(y[HS_FA]), F = Fr + Fa;
  const double ctot = pos(y[HS_C1]) + pos(y[HS_C3S]) + pos(y[HS_C3N]);

  prod[HS_INFL] = P->inf_recruit * D;
  loss[HS_INFL] = P->inf_removal;
  loss[HS_DEBRIS] = P->debris_clear + P->debris_clear_inf * I;

  prod[HS_TGF] = P->tgf_inf * I + P->tgf_fib * Fa;
  prod[HS_PDGF] = P->pdgf_inf * I + P->pdgf_fib * Fa;

  const double A = T + P->act_pdgf_w * G;
  const double act = P->act_rate * A / (A + P->act_half);
  const double pro = P->prolif * G / (G + P->prolif_half);
  const double fn = h->niche[v];
  prod[HS_FR] = P->rest_rate * Fa + P->renewal * Fr;
  loss[HS_FR] = act + P->renewal * F / fn;
  prod[HS_FA] = act * Fr + pro * Fa;
  /* crowding apoptosis: only cells beyond the niche die */
  const double crowd = F > fn ? 1.0 - fn / F : 0.0;
  loss[HS_FA] = P->rest_rate + P->apoptosis * crowd + pro * F / P->fib_capacity;

  const double room = pos(1.0 - ctot / (P->col_capacity * h->cnorm[v]));
  const double mmp = P->col_mmp * I;
  prod[HS_C3N] = P->dep3 * Fa * room;
  loss[HS_C3N] = P->k_mat + P->k3n + mmp;
  prod[HS_C1] = h->syn1[v] * F + P->k_mat * pos(y[HS_C3N]);
  loss[HS_C1] = P->k1 + mmp;
  prod[HS_C3S] = h->syn3[v] * F;
  loss[HS_C3S] = P->k3 + mmp;

  const double roomE = pos(1.0 - pos(y[HS_EL]) / P->el_capacity);
  prod[HS_EL] = h->synE[v] * F + P->el_synth * Fa * roomE;
  loss[HS_EL] = P->kE + P->el_mmp * I;
}

int mn_healing_react(mn_healing *h, hstate *s, double dt, char *err, size_t errlen) {
  mn_react_params rp = {.rates = rates,
                        .ctx = h,
                        .nspecies = HS_N,
                        .rtol = h->P.react_rtol,
                        .atol = h->P.atol,
                        .max_substeps = 100000,
                        .nthreads = h->nthreads};
  int rc = mn_react_step(s->f, &rp, dt, err, errlen);
  return rc ? MN_SKIN_ENUMERIC : MN_SKIN_OK;
}

/* Mitogen of a column: fibroblast excess and PDGF over its papillary cells. */
static double column_mitogen(const mn_healing *h, const hstate *s, size_t c) {
  const mn_healing_params *P = &h->P;
  const double *dz = mn_grid_dz(h->g);
  const double *fr = mn_field_cdata(s->f[HS_FR]), *fa = mn_field_cdata(s->f[HS_FA]);
  const double *pg = mn_field_cdata(s->f[HS_PDGF]);
  double m = 0.0, w = 0.0;
  for (int k = 0; k < h->nz; k++) {
    if (h->layer[k] != HL_PD)
      continue;
    size_t v = (size_t)k * h->plane + c;
    double excess = (pos(fr[v]) + P->epi_act_w * pos(fa[v])) / h->niche[v] - 1.0;
    m += dz[k] * (P->epi_fib_w * pos(excess) + P->epi_pdgf_w * pos(pg[v]));
    w += dz[k];
  }
  return w > 0.0 ? m / w : 0.0;
}

void mn_healing_epidermis(mn_healing *h, hstate *s, double dt) {
  const mn_healing_params *P = &h->P;
  const double e = exp(-P->epi_rate * dt);
  for (size_t c = 0; c < h->plane; c++) {
    double m = column_mitogen(h, s, c);
    double target = h->h0[c] * (1.0 + P->epi_gain * m / (m + P->epi_half));
    s->epi[c] = target + (s->epi[c] - target) * e;
  }
}

static int is_dermis(const mn_healing *h, int k) {
  return h->layer[k] == HL_PD || h->layer[k] == HL_RD;
}

/* Face velocity (m/s) from log-level l_a to l_b over distance d, capped. */
static double face_v(const mn_healing_params *P, double la, double lb, double d) {
  double v = P->chemo_chi * (lb - la) / d;
  if (v > P->chemo_vmax)
    v = P->chemo_vmax;
  if (v < -P->chemo_vmax)
    v = -P->chemo_vmax;
  return v;
}

/* Upwind amount (per face area, per second) carried from a to b. */
static double upwind(double v, double fa_a, double fa_b) {
  return v > 0.0 ? v * fa_a : v * fa_b;
}

/* Activated fibroblasts move up grad ln(K + T + P): explicit first-order
 * upwind transport, conservative, positive under the CFL bound (substeps). */
int mn_healing_chemotaxis(mn_healing *h, hstate *s, double dt, char *err, size_t errlen) {
  const mn_healing_params *P = &h->P;
  if (!(P->chemo_chi > 0.0) || !(P->chemo_vmax > 0.0))
    return MN_SKIN_OK;
  const int nx = h->nx, ny = h->ny, nz = h->nz;
  const double dx = mn_grid_dx(h->g), dy = mn_grid_dy(h->g);
  const double *dz = mn_grid_dz(h->g), *zc = mn_grid_zc(h->g);
  const double *T = mn_field_cdata(s->f[HS_TGF]), *G = mn_field_cdata(s->f[HS_PDGF]);
  double *fa = mn_field_data(s->f[HS_FA]);
  double *vx = h->vx, *vy = h->vy, *vz = h->vz, *d = h->dfa;
  /* log levels into d (reused below as the increment) */
  for (size_t v = 0; v < h->nvox; v++)
    d[v] = log(P->chemo_half + pos(T[v]) + pos(G[v]));
  /* velocities on the +x, +y, +z face of each cell; out-rate per cell */
  double rmax = 0.0;
  for (int k = 0; k < nz; k++) {
    for (int j = 0; j < ny; j++) {
      for (int i = 0; i < nx; i++) {
        size_t v = (size_t)k * h->plane + (size_t)j * nx + i;
        if (!is_dermis(h, k)) {
          vx[v] = vy[v] = vz[v] = 0.0;
          continue;
        }
        size_t ex = (size_t)k * h->plane + (size_t)j * nx + (i + 1) % nx;
        size_t ey = (size_t)k * h->plane + (size_t)((j + 1) % ny) * nx + i;
        vx[v] = face_v(P, d[v], d[ex], dx);
        vy[v] = face_v(P, d[v], d[ey], dy);
        vz[v] = (k + 1 < nz && is_dermis(h, k + 1))
                    ? face_v(P, d[v], d[v + h->plane], zc[k + 1] - zc[k])
                    : 0.0;
      }
    }
  }
  for (int k = 0; k < nz; k++) {
    for (int j = 0; j < ny; j++) {
      for (int i = 0; i < nx; i++) {
        size_t v = (size_t)k * h->plane + (size_t)j * nx + i;
        if (!is_dermis(h, k))
          continue;
        size_t wx = (size_t)k * h->plane + (size_t)j * nx + (i + nx - 1) % nx;
        size_t wy = (size_t)k * h->plane + (size_t)((j + ny - 1) % ny) * nx + i;
        double out = (pos(vx[v]) + pos(-vx[wx])) / dx + (pos(vy[v]) + pos(-vy[wy])) / dy +
                     (pos(vz[v]) + (k > 0 ? pos(-vz[v - h->plane]) : 0.0)) / dz[k];
        if (out > rmax)
          rmax = out;
      }
    }
  }
  const double secs = dt * 86400.0;
  if (!(rmax > 0.0))
    return MN_SKIN_OK;
  double nsub_d = ceil(rmax * secs / P->cfl);
  if (nsub_d > 1e6) {
    snprintf(err, errlen, "healing: chemotaxis needs too many substeps");
    return MN_SKIN_ENUMERIC;
  }
  const int nsub = nsub_d < 1.0 ? 1 : (int)nsub_d;
  const double h_s = secs / nsub;
  for (int n = 0; n < nsub; n++) {
    for (size_t v = 0; v < h->nvox; v++)
      d[v] = 0.0;
    for (int k = 0; k < nz; k++) {
      if (!is_dermis(h, k))
        continue;
      for (int j = 0; j < ny; j++) {
        for (int i = 0; i < nx; i++) {
          size_t v = (size_t)k * h->plane + (size_t)j * nx + i;
          size_t ex = (size_t)k * h->plane + (size_t)j * nx + (i + 1) % nx;
          size_t ey = (size_t)k * h->plane + (size_t)((j + 1) % ny) * nx + i;
          double q = upwind(vx[v], fa[v], fa[ex]) * h_s / dx; /* per volume of equal cells */
          d[v] -= q;
          d[ex] += q;
          q = upwind(vy[v], fa[v], fa[ey]) * h_s / dy;
          d[v] -= q;
          d[ey] += q;
          if (vz[v] != 0.0) {
            q = upwind(vz[v], fa[v], fa[v + h->plane]) * h_s; /* per face area */
            d[v] -= q / dz[k];
            d[v + h->plane] += q / dz[k + 1];
          }
        }
      }
    }
    for (size_t v = 0; v < h->nvox; v++)
      fa[v] += d[v];
  }
  return MN_SKIN_OK;
}
