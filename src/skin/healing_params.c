/* Skin, healing phase: loading and checking the data/skin/healing
 * parameters (see healing_params.h). Files speak the units of their sources
 * (hours, half-lives in days, um); the model gets rates per day and metres. */
#include "skin/healing_params.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "skin/acute.h"

#define H_PER_D 24.0

/* How a file value becomes a model value. */
typedef enum conv { AS_IS, HALF_LIFE_D, HALF_LIFE_H, UM_TO_M, MM_TO_M } conv;

typedef struct spec {
  const char *key, *unit;
  double *dst;
  conv how;
  int positive; /* 1: > 0, 0: >= 0 */
} spec;

int mn_healing_params_load(const mn_params *t, mn_healing_params *p, char *err, size_t errlen) {
  if (!t || !p) {
    snprintf(err, errlen, "healing params: NULL argument");
    return MN_SKIN_EINVAL;
  }
  memset(p, 0, sizeof *p);
  double ve_cells = 0.0, pd_cells = 0.0;
  const spec specs[] = {
      {"healing_inflammation.recruitment", "1/d", &p->inf_recruit, AS_IS, 0},
      {"healing_inflammation.removal", "1/d", &p->inf_removal, AS_IS, 1},
      {"healing_inflammation.debris_clearance", "1/d", &p->debris_clear, AS_IS, 1},
      {"healing_inflammation.debris_clearance_by_cells", "1/d", &p->debris_clear_inf, AS_IS, 0},
      {"healing_inflammation.per_signal", "1", &p->inf_per_signal, AS_IS, 0},
      {"healing_inflammation.resolved_fraction", "1", &p->inf_resolved, AS_IS, 1},
      {"healing_growth_factors.tgf_half_life", "h", &p->tgf_decay, HALF_LIFE_H, 1},
      {"healing_growth_factors.pdgf_half_life", "h", &p->pdgf_decay, HALF_LIFE_H, 1},
      {"healing_growth_factors.tgf_diffusivity", "m^2/s", &p->tgf_d, AS_IS, 0},
      {"healing_growth_factors.pdgf_diffusivity", "m^2/s", &p->pdgf_d, AS_IS, 0},
      {"healing_growth_factors.tgf_from_inflammation", "1/d", &p->tgf_inf, AS_IS, 0},
      {"healing_growth_factors.tgf_from_fibroblasts", "1/d", &p->tgf_fib, AS_IS, 0},
      {"healing_growth_factors.pdgf_from_inflammation", "1/d", &p->pdgf_inf, AS_IS, 0},
      {"healing_growth_factors.pdgf_from_fibroblasts", "1/d", &p->pdgf_fib, AS_IS, 0},
      {"healing_growth_factors.tgf_per_release", "1", &p->tgf_per_release, AS_IS, 0},
      {"healing_growth_factors.pdgf_per_release", "1", &p->pdgf_per_release, AS_IS, 0},
      {"healing_growth_factors.elevated_threshold", "1", &p->gf_elevated, AS_IS, 1},
      {"healing_fibroblasts.activation_rate", "1/d", &p->act_rate, AS_IS, 0},
      {"healing_fibroblasts.activation_half", "1", &p->act_half, AS_IS, 1},
      {"healing_fibroblasts.pdgf_activation_weight", "1", &p->act_pdgf_w, AS_IS, 0},
      {"healing_fibroblasts.rest_rate", "1/d", &p->rest_rate, AS_IS, 0},
      {"healing_fibroblasts.apoptosis", "1/d", &p->apoptosis, AS_IS, 0},
      {"healing_fibroblasts.proliferation", "1/d", &p->prolif, AS_IS, 0},
      {"healing_fibroblasts.proliferation_half", "1", &p->prolif_half, AS_IS, 1},
      {"healing_fibroblasts.capacity", "1", &p->fib_capacity, AS_IS, 1},
      {"healing_fibroblasts.renewal", "1/d", &p->renewal, AS_IS, 1},
      {"healing_fibroblasts.chemotaxis", "m^2/s", &p->chemo_chi, AS_IS, 0},
      {"healing_fibroblasts.chemotaxis_half", "1", &p->chemo_half, AS_IS, 1},
      {"healing_fibroblasts.max_speed", "m/s", &p->chemo_vmax, AS_IS, 0},
      {"healing_fibroblasts.wound_kill", "1", &p->wound_kill, AS_IS, 0},
      {"healing_collagen.density_papillary", "mg/cm^3", &p->col_density_pd, AS_IS, 1},
      {"healing_collagen.density_reticular", "mg/cm^3", &p->col_density_rd, AS_IS, 1},
      {"healing_collagen.type3_fraction_papillary", "1", &p->col3_frac_pd, AS_IS, 1},
      {"healing_collagen.type3_fraction_reticular", "1", &p->col3_frac_rd, AS_IS, 1},
      {"healing_collagen.type1_half_life", "d", &p->k1, HALF_LIFE_D, 1},
      {"healing_collagen.type3_half_life", "d", &p->k3, HALF_LIFE_D, 1},
      {"healing_collagen.new_type3_deposition", "mg/(cm^3 d)", &p->dep3, AS_IS, 0},
      {"healing_collagen.maturation_half_life", "d", &p->k_mat, HALF_LIFE_D, 1},
      {"healing_collagen.new_type3_half_life", "d", &p->k3n, HALF_LIFE_D, 1},
      {"healing_collagen.capacity", "1", &p->col_capacity, AS_IS, 1},
      {"healing_collagen.mmp_per_inflammation", "1/d", &p->col_mmp, AS_IS, 0},
      {"healing_collagen.wound_matrix_loss", "1", &p->wound_matrix_loss, AS_IS, 0},
      {"healing_elastin.half_life", "d", &p->kE, HALF_LIFE_D, 1},
      {"healing_elastin.synthesis_by_activated", "1/d", &p->el_synth, AS_IS, 0},
      {"healing_elastin.capacity", "1", &p->el_capacity, AS_IS, 1},
      {"healing_elastin.mmp_per_inflammation", "1/d", &p->el_mmp, AS_IS, 0},
      {"healing_epidermis.turnover_time", "d", &p->epi_rate, AS_IS, 1},
      {"healing_epidermis.max_gain", "1", &p->epi_gain, AS_IS, 0},
      {"healing_epidermis.mitogen_half", "1", &p->epi_half, AS_IS, 1},
      {"healing_epidermis.fibroblast_weight", "1", &p->epi_fib_w, AS_IS, 0},
      {"healing_epidermis.activated_weight", "1", &p->epi_act_w, AS_IS, 0},
      {"healing_epidermis.pdgf_weight", "1", &p->epi_pdgf_w, AS_IS, 0},
      {"healing_conditions.acne_scar_radius", "mm", &p->scar_radius, MM_TO_M, 1},
      {"healing_conditions.acne_scar_depth", "mm", &p->scar_depth, MM_TO_M, 1},
      {"healing_conditions.acne_scar_niche", "1", &p->scar_niche, AS_IS, 1},
      {"healing_conditions.acne_scar_type3_fraction", "1", &p->scar_col3_frac, AS_IS, 1},
      {"healing_conditions.striae_width", "mm", &p->striae_width, MM_TO_M, 1},
      {"healing_conditions.striae_niche", "1", &p->striae_niche, AS_IS, 1},
      {"healing_conditions.striae_elastin", "1", &p->striae_elastin, AS_IS, 1},
      {"healing_conditions.striae_epidermis", "1", &p->striae_epidermis, AS_IS, 1},
      {"healing_numerics.lateral_cell", "um", &p->lateral_cell, UM_TO_M, 1},
      {"healing_numerics.viable_epidermis_cells", "1", &ve_cells, AS_IS, 1},
      {"healing_numerics.papillary_cells", "1", &pd_cells, AS_IS, 1},
      {"healing_numerics.reticular_cell", "um", &p->rd_cell, UM_TO_M, 1},
      {"healing_numerics.dt_first", "d", &p->dt_first, AS_IS, 1},
      {"healing_numerics.dt_min", "d", &p->dt_min, AS_IS, 1},
      {"healing_numerics.dt_max", "d", &p->dt_max, AS_IS, 1},
      {"healing_numerics.rtol", "1", &p->rtol, AS_IS, 1},
      {"healing_numerics.atol", "1", &p->atol, AS_IS, 1},
      {"healing_numerics.react_rtol", "1", &p->react_rtol, AS_IS, 1},
      {"healing_numerics.cfl", "1", &p->cfl, AS_IS, 1},
      {"healing_numerics.new_collagen_cv_min_gain", "1", &p->cv_min_gain, AS_IS, 1},
  };
  for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
    const spec *s = &specs[i];
    double v = 0.0;
    if (mn_params_get(t, s->key, s->unit, &v, err, errlen))
      return MN_SKIN_EPARAM;
    if (!isfinite(v) || (s->positive ? !(v > 0.0) : !(v >= 0.0))) {
      snprintf(err, errlen, "%s = %g: must be %s", s->key, v, s->positive ? "> 0" : ">= 0");
      return MN_SKIN_EPARAM;
    }
    switch (s->how) {
    case HALF_LIFE_D:
      v = log(2.0) / v;
      break;
    case HALF_LIFE_H:
      v = log(2.0) * H_PER_D / v;
      break;
    case UM_TO_M:
      v *= 1e-6;
      break;
    case MM_TO_M:
      v *= 1e-3;
      break;
    case AS_IS:
      break;
    }
    *s->dst = v;
  }
  p->epi_rate = 1.0 / p->epi_rate; /* turnover time -> relaxation rate */
  p->ve_cells = (int)lround(ve_cells);
  p->pd_cells = (int)lround(pd_cells);
  const double fr[] = {p->col3_frac_pd, p->col3_frac_rd,   p->scar_col3_frac,  p->scar_niche,
                       p->striae_niche, p->striae_elastin, p->striae_epidermis};
  for (size_t i = 0; i < sizeof fr / sizeof fr[0]; i++) {
    if (!(fr[i] < 1.0 || (i >= 3 && fr[i] <= 1.0))) {
      snprintf(err, errlen, "healing: fractions and condition factors must be below 1");
      return MN_SKIN_EPARAM;
    }
  }
  if (p->dt_min > p->dt_first || p->dt_first > p->dt_max || p->cfl > 1.0 || p->wound_kill > 1.0 ||
      p->wound_matrix_loss > 1.0 || p->col_capacity <= 1.0 || p->el_capacity <= 1.0 ||
      p->fib_capacity <= 1.0) {
    snprintf(err, errlen,
             "healing: need dt_min <= dt_first <= dt_max, cfl, wound_kill and "
             "wound_matrix_loss <= 1, capacities > 1");
    return MN_SKIN_EPARAM;
  }
  return MN_SKIN_OK;
}
