/* Skin, acute phase: loading and checking the parameters of
 * the data/skin/acute files (see acute_params.h). Units are converted here, once:
 * files speak the units of their sources (hours, um), the model SI. */
#include "skin/acute_params.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "skin/acute.h"

#define S_PER_H 3600.0

typedef struct spec {
  const char *key, *unit;
  double *dst;
  double scale; /* file unit -> SI */
  int positive; /* 1: > 0, 0: >= 0, -1: any finite value */
} spec;

int mn_acute_params_load(const mn_params *t, mn_acute_params *p, char *err, size_t errlen) {
  if (!t || !p) {
    snprintf(err, errlen, "acute params: NULL argument");
    return MN_SKIN_EINVAL;
  }
  memset(p, 0, sizeof *p);
  double sc_cells = 0.0;
  const spec specs[] = {
      {"acute_water.free_water_diffusivity", "m^2/s", &p->w_d_free, 1.0, 1},
      {"acute_water.viable_water_diffusivity", "m^2/s", &p->w_d_viable, 1.0, 1},
      {"acute_water.sc_water_content", "1", &p->w_k_sc, 1.0, 1},
      {"acute_water.viable_water_content", "1", &p->w_k_viable, 1.0, 1},
      {"acute_water.evaporation_coefficient", "m/s", &p->w_evap_coef, 1.0, 1},
      {"acute_water.occlusion_coefficient", "m/s", &p->w_occl_coef, 1.0, 1},
      {"acute_water.saturated_vapour_density", "kg/m^3", &p->w_c_sat, 1.0, 1},
      {"acute_water.ambient_activity", "1", &p->w_ambient_activity, 1.0, 0},
      {"acute_water.tewl_recovery_margin", "1", &p->tewl_recovery_margin, 1.0, 1},
      {"acute_closure.barrier_depth_ref", "um", &p->barrier_depth_ref, 1e-6, 1},
      {"acute_closure.lumen_rate", "1/h", &p->k_lumen, 1.0 / S_PER_H, 1},
      {"acute_closure.lumen_depth_ref", "um", &p->lumen_depth_ref, 1e-6, 1},
      {"acute_closure.occlusion_factor", "1", &p->occlusion_factor, 1.0, 1},
      {"acute_closure.inflammation_weight", "1", &p->inflammation_weight, 1.0, 0},
      {"acute_closure.signal_half_closure", "1", &p->signal_half_closure, 1.0, 1},
      {"acute_closure.closure_threshold", "1", &p->closure_threshold, 1.0, 1},
      {"acute_inflammation.signal_release", "1/h", &p->s_release, 1.0 / S_PER_H, 0},
      {"acute_inflammation.signal_half_life", "h", &p->s_decay, S_PER_H, 1},
      {"acute_inflammation.signal_diffusivity", "m^2/s", &p->s_diffusivity, 1.0, 1},
      {"acute_inflammation.erythema_threshold", "1", &p->erythema_threshold, 1.0, 1},
      {"acute_inflammation.diclofenac_inhibition", "1", &p->diclofenac_inhibition, 1.0, 0},
      {"acute_inflammation.growth_factor_release", "1/h", &p->gf_release, 1.0 / S_PER_H, 0},
      {"acute_inflammation.growth_factor_half_life", "h", &p->gf_decay, S_PER_H, 1},
      {"acute_permeation.viable_hindrance", "1", &p->viable_hindrance, 1.0, 1},
      {"acute_permeation.viable_partition", "1", &p->viable_partition, 1.0, 1},
      {"acute_permeation.clearance_papillary", "1/h", &p->clear_papillary, 1.0 / S_PER_H, 0},
      {"acute_permeation.clearance_reticular", "1/h", &p->clear_reticular, 1.0 / S_PER_H, 0},
      {"acute_permeation.formulation_density", "g/mL", &p->formulation_density, 1000.0, 1},
      {"acute_numerics.donor_update_fraction", "1", &p->donor_update_fraction, 1.0, 1},
      {"acute_numerics.sc_cells", "1", &sc_cells, 1.0, 1},
      {"acute_numerics.viable_epidermis_cell", "um", &p->ve_cell, 1e-6, 1},
      {"acute_numerics.papillary_cell_factor", "1", &p->pd_cell_factor, 1.0, 1},
      {"acute_numerics.margin_below_channels", "um", &p->margin, 1e-6, 1},
      {"acute_numerics.deep_growth", "1", &p->deep_growth, 1.0, 1},
      {"acute_numerics.deep_cell_max_factor", "1", &p->deep_cell_max_factor, 1.0, 1},
      {"acute_numerics.dt_initial", "s", &p->dt_initial, 1.0, 1},
      {"acute_numerics.dt_growth", "1", &p->dt_growth, 1.0, 1},
      {"acute_numerics.dt_max", "s", &p->dt_max, 1.0, 1},
      {"acute_numerics.dt_session", "s", &p->dt_session, 1.0, 1},
      {"acute_numerics.openness_step", "1", &p->openness_step, 1.0, 1},
  };
  for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
    double v = 0.0;
    int rc = mn_params_get(t, specs[i].key, specs[i].unit, &v, err, errlen);
    if (rc)
      return MN_SKIN_EPARAM;
    if (!isfinite(v) || (specs[i].positive >= 0 && v < 0.0) ||
        (specs[i].positive > 0 && v == 0.0)) {
      snprintf(err, errlen, "%s: must be %s, got %g", specs[i].key,
               specs[i].positive ? "> 0" : ">= 0", v);
      return MN_SKIN_EPARAM;
    }
    *specs[i].dst = v * specs[i].scale;
  }
  /* half-lives to rates */
  p->s_decay = log(2.0) / p->s_decay;
  p->gf_decay = log(2.0) / p->gf_decay;
  p->sc_cells = (int)lround(sc_cells);
  const struct {
    const char *what;
    double v;
  } unit_interval[] = {{"acute_water.ambient_activity", p->w_ambient_activity},
                       {"acute_closure.occlusion_factor", p->occlusion_factor},
                       {"acute_closure.inflammation_weight", p->inflammation_weight},
                       {"acute_closure.closure_threshold", p->closure_threshold},
                       {"acute_inflammation.diclofenac_inhibition", p->diclofenac_inhibition},
                       {"acute_water.sc_water_content", p->w_k_sc},
                       {"acute_water.viable_water_content", p->w_k_viable}};
  for (size_t i = 0; i < sizeof unit_interval / sizeof unit_interval[0]; i++) {
    if (unit_interval[i].v > 1.0) {
      snprintf(err, errlen, "%s: must lie in 0..1, got %g", unit_interval[i].what,
               unit_interval[i].v);
      return MN_SKIN_EPARAM;
    }
  }
  if (p->sc_cells < 1 || p->dt_growth < 1.0 || p->deep_growth < 1.0) {
    snprintf(err, errlen, "acute_numerics: sc_cells >= 1, dt_growth and deep_growth >= 1");
    return MN_SKIN_EPARAM;
  }
  return MN_SKIN_OK;
}

int mn_acute_tewl_baseline(const mn_params *t, const char *species, const char *site, double *v,
                           char *err, size_t errlen) {
  char key[160];
  int n = snprintf(key, sizeof key, "acute_tewl.%s_%s", species, site);
  if (n < 0 || (size_t)n >= sizeof key) {
    snprintf(err, errlen, "acute: species/site name too long");
    return MN_SKIN_EINVAL;
  }
  for (char *c = key; *c; c++)
    if (*c == '-')
      *c = '_';
  double g = 0.0;
  if (mn_params_get(t, key, "g/(m^2 h)", &g, err, errlen))
    return MN_SKIN_EPARAM;
  if (!(g > 0.0)) {
    snprintf(err, errlen, "%s: must be > 0", key);
    return MN_SKIN_EPARAM;
  }
  *v = g * 1e-3 / S_PER_H;
  return MN_SKIN_OK;
}

int mn_acute_barrier_rate(const mn_params *t, const char *species, double *k, char *err,
                          size_t errlen) {
  char key[160];
  int n = snprintf(key, sizeof key, "acute_closure.barrier_rate_%s", species ? species : "");
  if (!species || n < 0 || (size_t)n >= sizeof key) {
    snprintf(err, errlen, "acute: species name missing or too long");
    return MN_SKIN_EINVAL;
  }
  double v = 0.0;
  if (mn_params_get(t, key, "1/h", &v, err, errlen))
    return MN_SKIN_EPARAM;
  if (!(v > 0.0)) {
    snprintf(err, errlen, "%s: must be > 0", key);
    return MN_SKIN_EPARAM;
  }
  *k = v / S_PER_H;
  return MN_SKIN_OK;
}
