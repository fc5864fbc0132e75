/* Skin, acute phase: the model parameters, read from data/skin/acute/ and
 * converted to SI (internal to src/skin). One struct so the run never looks a
 * number up by name in its time loop. */
#ifndef MN_SKIN_ACUTE_PARAMS_H
#define MN_SKIN_ACUTE_PARAMS_H

#include <stddef.h>

#include "io/params.h"

typedef struct mn_acute_params {
  /* water */
  double w_d_free, w_d_viable;     /* m^2/s */
  double w_k_sc, w_k_viable;       /* water content relative to liquid water */
  double w_evap_coef, w_occl_coef; /* vapour mass-transfer coefficients, m/s */
  double w_c_sat;                  /* saturated vapour density at skin temperature, kg/m^3 */
  double w_ambient_activity;       /* ambient vapour density / w_c_sat */
  double tewl_recovery_margin;     /* "within 10% of baseline" */
  /* closure */
  double k_barrier, barrier_depth_ref; /* 1/s (the species', set by the run), m */
  double k_lumen, lumen_depth_ref;     /* 1/s, m */
  double occlusion_factor, inflammation_weight, signal_half_closure;
  double closure_threshold;
  /* inflammation */
  double s_release, s_decay, s_diffusivity; /* 1/s, 1/s, m^2/s */
  double erythema_threshold, diclofenac_inhibition;
  double gf_release, gf_decay;
  /* permeation */
  double viable_hindrance, viable_partition;
  double clear_papillary, clear_reticular; /* 1/s */
  double formulation_density;              /* kg/m^3, of a finite dose's film */
  double donor_update_fraction;            /* renew a depleting donor's value */
  /* grid and steps */
  int sc_cells;
  double ve_cell, pd_cell_factor, margin, deep_growth, deep_cell_max_factor;
  double dt_initial, dt_growth, dt_max, dt_session, openness_step;
} mn_acute_params;

int mn_acute_params_load(const mn_params *t, mn_acute_params *p, char *err, size_t errlen);

/* Baseline TEWL of a species and site, kg m^-2 s^-1. */
int mn_acute_tewl_baseline(const mn_params *t, const char *species, const char *site, double *v,
                           char *err, size_t errlen);

/* Seal closure rate of a species' epidermis (acute_closure.barrier_rate_SPECIES),
 * 1/s: the stage of barrier repair that differs most between species. */
int mn_acute_barrier_rate(const mn_params *t, const char *species, double *k, char *err,
                          size_t errlen);

#endif
