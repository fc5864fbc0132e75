/* Skin, healing phase: the model parameters, read from data/skin/healing/
 * and converted once to the units the healing stage computes in (days for
 * time, m for lengths, mg/cm^3 for collagen). Internal to src/skin. */
#ifndef MN_SKIN_HEALING_PARAMS_H
#define MN_SKIN_HEALING_PARAMS_H

#include <stddef.h>

#include "io/params.h"

typedef struct mn_healing_params {
  /* inflammation (rates 1/d) */
  double inf_recruit, inf_removal, debris_clear, debris_clear_inf, inf_per_signal;
  double inf_resolved;
  /* growth factors */
  double tgf_decay, pdgf_decay; /* 1/d */
  double tgf_d, pdgf_d;         /* m^2/s */
  double tgf_inf, tgf_fib;      /* basal units / d per unit cells */
  double pdgf_inf, pdgf_fib;
  double tgf_per_release, pdgf_per_release, gf_elevated;
  /* fibroblasts */
  double act_rate, act_half, act_pdgf_w, rest_rate, apoptosis;
  double prolif, prolif_half, fib_capacity, renewal;
  double chemo_chi, chemo_half, chemo_vmax; /* m^2/s, 1, m/s */
  double wound_kill;
  /* collagen */
  double col_density_pd, col_density_rd; /* mg/cm^3 */
  double col3_frac_pd, col3_frac_rd;
  double k1, k3, k_mat, k3n; /* 1/d */
  double dep3;               /* mg/cm^3/d per unit Fa */
  double col_capacity, col_mmp, wound_matrix_loss;
  /* elastin */
  double kE, el_synth, el_capacity, el_mmp;
  /* epidermis */
  double epi_rate, epi_gain, epi_half, epi_fib_w, epi_act_w, epi_pdgf_w;
  /* conditions */
  double scar_radius, scar_depth, scar_niche, scar_col3_frac; /* m, m, 1, 1 */
  double striae_width, striae_niche, striae_elastin, striae_epidermis;
  /* numerics */
  double lateral_cell, rd_cell; /* m */
  int ve_cells, pd_cells;
  double dt_first, dt_min, dt_max, rtol, atol, react_rtol, cfl;
  double cv_min_gain; /* 1: least mean new collagen (of baseline) with a defined CV */
} mn_healing_params;

int mn_healing_params_load(const mn_params *t, mn_healing_params *p, char *err, size_t errlen);

#endif
